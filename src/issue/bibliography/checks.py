"""The B1xx checks on a loaded Bibliography: required fields, identifiers, formats, crossrefs, duplicates.

Options (the manifest's [bibliography] table):
  distinct = [["keyA", "keyB"], ...]   pairs (or groups) the editor declares to be different works
  duplicate_threshold = 92             title similarity (0-100) above which two entries of one author and
                                       year are reported as one work
  dialect = "biblatex" | "bibtex"      which data model's required fields apply (biblatex accepts both
                                       spellings: journal/journaltitle, year/date, address/location)
"""
from __future__ import annotations

import datetime as _dt
import difflib
import re
from typing import Any

from ..diagnostics.core import Diagnostic, make
from ..identifiers import doi_problem, isbn_problem, issn_problem, normalise_doi, url_problem
from . import rules as R
from .duplicates import DEFAULT_THRESHOLD, find_duplicates
from .latex import in_spans
from .model import Bibliography, Entry

BIBTEX_TYPES = {"article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings", "manual",
                "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished"}
BIBLATEX_TYPES = {
    "article", "book", "mvbook", "inbook", "bookinbook", "suppbook", "booklet", "collection", "mvcollection",
    "incollection", "suppcollection", "dataset", "manual", "misc", "online", "patent", "periodical",
    "suppperiodical", "proceedings", "mvproceedings", "inproceedings", "reference", "mvreference", "inreference",
    "report", "set", "software", "thesis", "unpublished", "xdata", "conference", "electronic", "mastersthesis",
    "phdthesis", "techreport", "www",
    # types the biblatex manual lists for styles to support
    "artwork", "audio", "bibnote", "commentary", "image", "jurisdiction", "legislation", "legal", "letter",
    "movie", "music", "performance", "review", "standard", "video",
    "customa", "customb", "customc", "customd", "custome", "customf",
}
TYPE_ALIASES = {"conference": "inproceedings", "electronic": "online", "www": "online", "techreport": "report",
                "bookinbook": "inbook", "suppbook": "inbook", "suppcollection": "incollection",
                "inreference": "incollection", "mvbook": "book", "mvcollection": "collection",
                "mvproceedings": "proceedings", "mvreference": "collection", "reference": "collection"}
YEAR = ("year", "date")
# required fields: each tuple is "one of these"; biblatex's model, accepting BibTeX's spellings
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "article": [("author",), ("title",), ("journaltitle", "journal"), YEAR],
    "book": [("author", "editor"), ("title",), YEAR],
    "inbook": [("author", "editor"), ("title",), ("booktitle", "chapter", "pages"), YEAR],
    "incollection": [("author",), ("title",), ("booktitle",), YEAR],
    "inproceedings": [("author",), ("title",), ("booktitle",), YEAR],
    "collection": [("editor",), ("title",), YEAR],
    "proceedings": [("title",), YEAR],
    "periodical": [("title",), YEAR],
    "thesis": [("author",), ("title",), ("institution", "school"), YEAR],
    "phdthesis": [("author",), ("title",), ("school", "institution"), YEAR],
    "mastersthesis": [("author",), ("title",), ("school", "institution"), YEAR],
    "report": [("author",), ("title",), ("institution",), YEAR],
    "manual": [("title",)],
    "booklet": [("title",)],
    "online": [("title",), ("url", "doi", "eprint")],
    "patent": [("author",), ("title",), ("number",), YEAR],
    "unpublished": [("author",), ("title",)],
    "dataset": [("title",)],
    "software": [("title",)],
}
BIBTEX_REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "article": [("author",), ("title",), ("journal",), ("year",)],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year",)],
    "inbook": [("author", "editor"), ("title",), ("chapter", "pages"), ("publisher",), ("year",)],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year",)],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year",)],
    "proceedings": [("title",), ("year",)],
    "phdthesis": [("author",), ("title",), ("school",), ("year",)],
    "mastersthesis": [("author",), ("title",), ("school",), ("year",)],
    "techreport": [("author",), ("title",), ("institution",), ("year",)],
    "manual": [("title",)],
    "booklet": [("title",)],
    "unpublished": [("author",), ("title",), ("note",)],
}
YEAR_WORDS = {"forthcoming", "in press", "inpress", "n.d.", "nd", "n. d.", "no date", "submitted", "under review",
              "accepted", "in preparation", "to appear", "unpublished", "in print"}
_EDTF_DAY = r"\d{4}(?:-(?:0[1-9]|1[0-2]|2[1-4])(?:-(?:0[1-9]|[12]\d|3[01]))?)?[?~%]?"
_DATE = re.compile(rf"^(?:{_EDTF_DAY})?(?:/(?:{_EDTF_DAY}|\.\.)?)?$")
_ACRONYM = re.compile(r"(?<![\w'’])(?:[A-Z][A-Z0-9&]*[A-Z0-9]|[A-Z](?:\.[A-Z])+\.?)s?(?!\w)")
_SINGLE_HYPHEN = re.compile(r"^\s*([A-Za-z]*\d+[A-Za-z]*)\s*-\s*([A-Za-z]*\d+[A-Za-z]*)\s*$")
ACRONYM_FIELDS = ("title", "subtitle", "booktitle")


def check_bibliography(bib: Bibliography, options: dict[str, Any] | None = None, *,
                       today: _dt.date | None = None) -> list[Diagnostic]:
    """Every B1xx finding on the loaded bibliography (loading problems come from load_bibliography)."""
    options = options or {}
    this_year = (today or _dt.date.today()).year
    dialect = str(options.get("dialect", "biblatex")).lower()
    out: list[Diagnostic] = []
    keys = list(bib.entries)
    for entry in bib.entries.values():
        out += _entry_type(bib, entry)
        if not entry.recovered:  # a broken entry's missing fields are its syntax error, reported already
            out += _required(bib, entry, dialect)
        out += _identifiers(bib, entry)
        out += _formats(bib, entry, this_year)
        out += _crossrefs(bib, entry, keys)
    out += duplicate_findings(bib, options)
    return out


# -- helpers ----------------------------------------------------------------------------------------------------
def _diag(code: str, message: str, bib: Bibliography, entry: Entry, field: str | None = None,
          excerpt: str | None = None, **kwargs: Any) -> Diagnostic:
    """A finding on `entry` (at `field` when it is the entry's own), pointing at `excerpt` in the line."""
    loc = entry.field_location(field) if field else entry.location
    kwargs["data"] = {"key": entry.key, **(kwargs.get("data") or {})}
    context = bib.line(loc.file, loc.line)
    if excerpt and context is not None:
        start = context.find(excerpt)
        if start < 0:
            start = context.lower().find(excerpt.lower())
        if start >= 0:
            return make(code, message, loc, excerpt=context[start:start + len(excerpt)], context=context,
                        context_start=start, **kwargs)
    return make(code, message, loc, excerpt=excerpt, **kwargs)


def _has(entry: Entry, name: str) -> bool:
    return bool((entry.fields.get(name) or "").strip())


# -- rules ------------------------------------------------------------------------------------------------------
def _entry_type(bib: Bibliography, entry: Entry) -> list[Diagnostic]:
    if entry.type in BIBLATEX_TYPES or entry.type in BIBTEX_TYPES:
        return []
    close = difflib.get_close_matches(entry.type, sorted(BIBTEX_TYPES | {"online", "report", "thesis"}), n=1)
    hint = f"@{close[0]}" if close else ("@online" if entry.type in ("url", "web", "webpage") else "@misc")
    return [_diag(R.UNKNOWN_TYPE.code, f"@{entry.type} ('{entry.key}') is not a BibTeX or biblatex entry type; "
                  "styles treat it as @misc", bib, entry, excerpt=f"@{entry.type}",
                  suggestion=f"use {hint}")]


def _required(bib: Bibliography, entry: Entry, dialect: str) -> list[Diagnostic]:
    table = BIBTEX_REQUIRED if dialect == "bibtex" else REQUIRED
    kind = entry.type if entry.type in table else TYPE_ALIASES.get(entry.type, entry.type)
    needs = table.get(kind, [])
    out = []
    for options in needs:
        if any(_has(entry, name) for name in options):
            continue
        if dialect == "bibtex" and options[0] in ("year", "journal") and \
                _has(entry, {"year": "date", "journal": "journaltitle"}[options[0]]):
            message = (f"@{entry.type} '{entry.key}' has {'date' if options[0] == 'year' else 'journaltitle'} "
                       f"but no {options[0]}; BibTeX styles read only {options[0]}")
        else:
            spelled = " or ".join(options)
            message = f"@{entry.type} '{entry.key}' has no {spelled}"
        out.append(_diag(R.MISSING_FIELD.code, message, bib, entry, excerpt=entry.key,
                         suggestion=f"add {options[0]} = {{...}}", data={"key": entry.key, "field": options[0]}))
    return out


def _split_ids(value: str) -> list[str]:
    value = re.sub(r"(?i)\b(isbn|issn)(-1[03])?:?", " ", value)
    return [v for v in re.split(r"[\s,;/]+(?=[\dXx])|[,;]\s*|\s{2,}", value) if v.strip()]


def _identifiers(bib: Bibliography, entry: Entry) -> list[Diagnostic]:
    out = []
    doi = entry.fields.get("doi")
    if doi:
        bare = normalise_doi(doi)
        if bare != doi.strip():
            out.append(_diag(R.INVALID_IDENTIFIER.code, f"the doi of '{entry.key}' is written as a link; styles "
                             "add https://doi.org/ themselves", bib, entry, "doi", doi.strip(),
                             suggestion=f"doi = {{{bare}}}"))
        problem = doi_problem(bare)
        if problem:
            out.append(_diag(R.INVALID_IDENTIFIER.code, f"doi '{doi}' of '{entry.key}' is not valid: {problem}",
                             bib, entry, "doi", doi.strip()))
    for name, check in (("isbn", isbn_problem), ("issn", issn_problem)):
        value = entry.fields.get(name)
        if not value or name in entry.inherited:
            continue
        for part in _split_ids(value):
            part = part.strip()
            problem = check(part)
            if problem:
                hint = None
                if name == "isbn" and not issn_problem(part):
                    hint = f"this is an ISSN: issn = {{{part}}}"
                out.append(_diag(R.INVALID_IDENTIFIER.code, f"{name} '{part}' of '{entry.key}' is not valid: "
                                 f"{problem}", bib, entry, name, part, suggestion=hint))
    url = entry.fields.get("url")
    if url and "url" not in entry.inherited:
        problem = url_problem(url)
        if problem:
            out.append(_diag(R.INVALID_IDENTIFIER.code, f"url '{url[:80]}' of '{entry.key}' is not valid: {problem}",
                             bib, entry, "url", url.strip()[:80]))
    return out


def _formats(bib: Bibliography, entry: Entry, this_year: int) -> list[Diagnostic]:
    out = []
    own = entry.raw_fields
    info = {"severity": "info"}
    # page ranges with a single hyphen
    pages = own.get("pages")
    if pages:
        m = _SINGLE_HYPHEN.match(pages)
        if m:
            out.append(_diag(R.FIELD_FORMAT.code, f"page range '{pages.strip()}' of '{entry.key}' has a single "
                             "hyphen; a range takes an en dash (--)", bib, entry, "pages", pages.strip(),
                             suggestion=f"pages = {{{m.group(1)}--{m.group(2)}}}", **info))
    # years and dates
    year = entry.fields.get("year")
    if year is not None and "year" in own:
        y = year.strip()
        if re.fullmatch(r"\d{4}", y):
            if int(y) > this_year:
                out.append(_diag(R.FIELD_FORMAT.code, f"year {y} of '{entry.key}' is in the future", bib, entry,
                                 "year", y, suggestion="if the work is not out yet, write year = {forthcoming}"))
        elif re.fullmatch(r"\d{4}[a-z]", y):
            out.append(_diag(R.FIELD_FORMAT.code, f"year '{y}' of '{entry.key}' carries a letter; the style adds "
                             "2017a/2017b itself", bib, entry, "year", y, suggestion=f"year = {{{y[:4]}}}"))
        elif y.lower() not in YEAR_WORDS:
            out.append(_diag(R.FIELD_FORMAT.code, f"year '{y}' of '{entry.key}' is not a year", bib, entry, "year",
                             y, suggestion="write four digits (year = {2017}), or a date in date = {2017-03}"))
    date = entry.fields.get("date")
    if date is not None and "date" in own:
        d = date.strip()
        if not _DATE.match(d):
            out.append(_diag(R.FIELD_FORMAT.code, f"date '{d}' of '{entry.key}' is not an ISO 8601 date", bib,
                             entry, "date", d, suggestion="date = {2015}, {2015-03} or {2015-03-21}; a range "
                                                          "is {2015-03/2015-05}"))
        else:
            years = [int(y) for y in re.findall(r"\d{4}", d)]
            if years and min(years) > this_year:
                out.append(_diag(R.FIELD_FORMAT.code, f"date {d} of '{entry.key}' is in the future", bib, entry,
                                 "date", d))
    # titles in capitals and unprotected acronyms
    for name in ACRONYM_FIELDS:
        if name not in own:
            continue
        text = entry.fields.get(name, "")
        letters = [c for c in text if c.isalpha()]
        spans = entry.protected.get(name, [])
        if len(letters) >= 10 and len(text.split()) >= 2 and all(c.isupper() for c in letters):
            if not in_spans(0, len(text), spans):
                out.append(_diag(R.FIELD_FORMAT.code, f"the {name} of '{entry.key}' is in capitals", bib, entry,
                                 name, suggestion="write it in title case; styles set the capitals they need"))
            continue
        # the plural s may stand outside the braces: {NGO}s
        bare = [m for m in _ACRONYM.finditer(text)
                if not in_spans(m.start(), m.end() - (m.group(0)[-1] == "s"), spans)]
        if bare:
            words = list(dict.fromkeys(m.group(0) for m in bare))
            fixed = own[name]
            for w in words:
                fixed = re.sub(rf"(?<![{{\w]){re.escape(w)}(?![\w}}])", "{" + w + "}", fixed)
            out.append(_diag(R.FIELD_FORMAT.code, f"{', '.join(words)} in the {name} of '{entry.key}' "
                             f"{'is' if len(words) == 1 else 'are'} not protected by braces; a style that "
                             "sets titles in sentence case (BibTeX's, biblatex's) would print "
                             f"{', '.join(repr(w.lower()) for w in words[:3])}", bib, entry,
                             name, words[0], suggestion=f"{name} = {{{fixed}}}", **info))
    # unbalanced braces (quoted values can hold them)
    for name, value in own.items():
        if not _balanced(value):
            out.append(_diag(R.FIELD_FORMAT.code, f"field {name} of '{entry.key}' has unbalanced braces", bib,
                             entry, name, suggestion="each '{' needs its '}'"))
    # name lists that do not split
    for name, problem in entry.problems:
        out.append(_diag(R.FIELD_FORMAT.code, f"{name} of '{entry.key}': {problem}", bib, entry, name))
    return out


def _balanced(value: str) -> bool:
    depth = 0
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def _crossrefs(bib: Bibliography, entry: Entry, keys: list[str]) -> list[Diagnostic]:
    out = []
    for name, target in entry.missing_parents:
        close = difflib.get_close_matches(target, keys, n=1, cutoff=0.75)
        out.append(_diag(R.MISSING_CROSSREF.code, f"{name} '{target}' of '{entry.key}' names no entry", bib, entry,
                         name, target, suggestion=f"did you mean '{close[0]}'?" if close else
                         f"add the entry '{target}' to the bibliography",
                         data={"key": entry.key, "target": target}))
    for name, target in getattr(entry, "cyclic_parents", []):
        out.append(_diag(R.MISSING_CROSSREF.code, f"{name} '{target}' of '{entry.key}' leads back to '{entry.key}' "
                         "(a cycle): nothing is inherited through it", bib, entry, name, target,
                         suggestion=f"remove the {name} field from one of the entries of the cycle",
                         data={"key": entry.key, "target": target, "cycle": True}))
    return out


def duplicate_findings(bib: Bibliography, options: dict[str, Any]) -> list[Diagnostic]:
    distinct = options.get("distinct", [])
    if not isinstance(distinct, list):
        distinct = []
    groups = [g for g in distinct if isinstance(g, list)]
    try:
        threshold = float(options.get("duplicate_threshold", DEFAULT_THRESHOLD))
    except (TypeError, ValueError):
        threshold = DEFAULT_THRESHOLD
    out = []
    for dup in find_duplicates(bib.entries.values(), distinct=groups, threshold=threshold):
        a, b = dup.first, dup.second
        out.append(_diag(R.DUPLICATE_ENTRY.code,
                         f"'{b.key}' looks like the same work as '{a.key}' ({a.location.label()}): {dup.reason}",
                         bib, b, excerpt=b.key,
                         suggestion=f"cite one key and delete the other (issue refs merge does this), or, if they "
                                    f"are different works, add [\"{a.key}\", \"{b.key}\"] to distinct in "
                                    "[bibliography] of issue.toml",
                         data={"key": b.key, "same_as": a.key, "reason": dup.reason}))
    return out
