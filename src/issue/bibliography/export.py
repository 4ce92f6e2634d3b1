"""Export the bibliography: CSL-JSON (for pandoc --citeproc), RIS, BibTeX, biblatex.

Every export is sorted by key and built without timestamps, so the same bibliography gives the same bytes.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .format import format_entry, literal
from .model import Bibliography, Entry, Name

SKIP_TYPES = {"xdata", "set"}

CSL_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet", "inbook": "chapter",
    "bookinbook": "chapter", "suppbook": "chapter", "incollection": "chapter", "suppcollection": "chapter",
    "inreference": "entry-encyclopedia", "collection": "book", "mvcollection": "book", "reference": "book",
    "mvreference": "book", "proceedings": "book", "mvproceedings": "book", "inproceedings": "paper-conference",
    "conference": "paper-conference", "manual": "book", "mastersthesis": "thesis", "phdthesis": "thesis",
    "thesis": "thesis", "techreport": "report", "report": "report", "misc": "document", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "url": "webpage", "unpublished": "manuscript",
    "manuscript": "manuscript", "patent": "patent", "dataset": "dataset", "software": "software",
    "periodical": "periodical", "suppperiodical": "article-journal", "standard": "standard", "review": "review",
    "letter": "personal_communication", "movie": "motion_picture", "video": "motion_picture", "audio": "song",
    "music": "song", "artwork": "graphic", "image": "graphic", "legislation": "legislation",
    "jurisdiction": "legal_case", "legal": "legal_case", "performance": "performance",
}
ARTICLE_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
THESIS_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis", "mathesis": "Master's thesis",
                 "techreport": "Technical report", "resreport": "Research report"}
IN_CONTAINER = {"inbook", "bookinbook", "suppbook", "incollection", "suppcollection", "inreference",
                "inproceedings", "conference"}
_SPACES = re.compile(r"\s+")
_EDTF = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _sorted(bib: Bibliography) -> list[Entry]:
    return sorted((e for e in bib.entries.values() if e.type not in SKIP_TYPES), key=lambda e: (e.key.casefold(), e.key))


# -- CSL-JSON ---------------------------------------------------------------------------------------------------
def _csl_name(name: Name) -> dict[str, str]:
    if name.corporate:
        return {"literal": name.last}
    out: dict[str, str] = {"family": name.last}
    if name.first:
        out["given"] = name.first
    if name.von:
        out["non-dropping-particle"] = name.von
    if name.jr:
        out["suffix"] = name.jr
    return out


def _nocase(text: str, spans: list[tuple[int, int]]) -> str:
    """Protected spans as CSL-JSON's <span class="nocase"> (pandoc's citeproc honours it)."""
    if not spans:
        return text
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(f'<span class="nocase">{text[a:b]}</span>')
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _title(entry: Entry, main: str, sub: str) -> str | None:
    title = entry.fields.get(main)
    if not title:
        return None
    text = _nocase(title, entry.protected.get(main, []))
    subtitle = entry.fields.get(sub)
    if subtitle:
        text += ": " + _nocase(subtitle, entry.protected.get(sub, []))
    return text


def _date_parts(value: str) -> list[int] | None:
    m = _EDTF.match(value.strip())
    if not m:
        return None
    parts = [int(m.group(1))]
    for g in (m.group(2), m.group(3)):
        if g is None or not 1 <= int(g) <= 31:
            break
        parts.append(int(g))
    return parts


def _issued(entry: Entry) -> dict[str, Any] | None:
    date = entry.fields.get("date")
    if date:
        sides = date.split("/")
        parts = [p for p in (_date_parts(s) for s in sides if s.strip() and s.strip() != "..") if p]
        if parts:
            return {"date-parts": parts}
        return {"literal": date}
    year = entry.fields.get("year")
    if not year:
        return None
    m = re.fullmatch(r"\s*(\d{4})[a-z]?\s*", year)
    if not m:
        return {"literal": year.strip()}
    parts = [int(m.group(1))]
    if entry.month:
        parts.append(entry.month)
    return {"date-parts": [parts]}


def csl_item(entry: Entry) -> dict[str, Any]:
    f = entry.fields
    kind = CSL_TYPES.get(entry.type, "document")
    if entry.type == "article" and f.get("entrysubtype", "").lower() in ARTICLE_SUBTYPES:
        kind = ARTICLE_SUBTYPES[f["entrysubtype"].lower()]
    item: dict[str, Any] = {"id": entry.key, "type": kind}
    if entry.authors:
        item["author"] = [_csl_name(n) for n in entry.authors]
    if entry.editors:
        item["editor"] = [_csl_name(n) for n in entry.editors]
    title = _title(entry, "title", "subtitle")
    if title:
        item["title"] = title
    if f.get("shorttitle"):
        item["title-short"] = f["shorttitle"]
    if entry.type in IN_CONTAINER:
        container = _title(entry, "booktitle", "booksubtitle")
    elif entry.type in ("article", "suppperiodical"):
        container = _title(entry, "journaltitle", "journalsubtitle") or _title(entry, "journal", "journalsubtitle")
    else:
        container = _title(entry, "maintitle", "mainsubtitle") if f.get("maintitle") else None
    if entry.type in ("online", "electronic", "www", "url") and not container and f.get("organization"):
        container = f["organization"]
    if container:
        item["container-title"] = container
    if f.get("series"):
        item["collection-title"] = f["series"]
    for src, dst in (("volume", "volume"), ("edition", "edition"), ("chapter", "chapter-number"),
                     ("eventtitle", "event-title"), ("venue", "event-place"), ("note", "note"),
                     ("abstract", "abstract"), ("keywords", "keyword"), ("pubstate", "status"),
                     ("version", "version"), ("howpublished", "medium")):
        if f.get(src):
            item[dst] = f[src]
    number = f.get("number")
    issue = f.get("issue")
    if entry.type in ("article", "periodical", "suppperiodical"):
        if number or issue:
            item["issue"] = number or issue
    elif number:
        item["collection-number" if f.get("series") and kind in ("book", "chapter") else "number"] = number
    if entry.pages:
        item["page"] = entry.pages
    publisher = f.get("publisher")
    if kind == "thesis":
        publisher = publisher or f.get("institution") or f.get("school")
        genre = f.get("type") or THESIS_GENRES.get(entry.type)
        if genre:
            item["genre"] = THESIS_GENRES.get(genre.lower(), genre)
    elif kind == "report":
        publisher = publisher or f.get("institution") or f.get("organization")
        if f.get("type"):
            item["genre"] = THESIS_GENRES.get(f["type"].lower(), f["type"])
    elif kind in ("paper-conference", "book", "pamphlet") and not publisher:
        publisher = f.get("organization")
    if publisher:
        item["publisher"] = publisher
    place = f.get("location") or f.get("address")
    if place:
        item["publisher-place"] = place
    issued = _issued(entry)
    if issued:
        item["issued"] = issued
    if f.get("urldate"):
        parts = _date_parts(f["urldate"])
        if parts:
            item["accessed"] = {"date-parts": [parts]}
    if entry.doi:
        item["DOI"] = entry.doi
    if f.get("url"):
        item["URL"] = f["url"]
    for src, dst in (("isbn", "ISBN"), ("issn", "ISSN")):
        if f.get(src):
            item[dst] = f[src]
    language = f.get("langid") or f.get("language")
    if language:
        item["language"] = language
    return item


def to_csl_json(bib: Bibliography) -> list[dict]:
    """CSL-JSON items for pandoc --citeproc (a bibliography file or the `references` metadata), by key."""
    return [csl_item(e) for e in _sorted(bib)]


def csl_json_text(bib: Bibliography) -> str:
    return json.dumps(to_csl_json(bib), ensure_ascii=False, indent=2) + "\n"


# -- RIS --------------------------------------------------------------------------------------------------------
RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS", "book": "BOOK",
    "chapter": "CHAP", "entry-encyclopedia": "ENCYC", "paper-conference": "CPAPER", "thesis": "THES",
    "report": "RPRT", "webpage": "ELEC", "manuscript": "UNPB", "patent": "PAT", "dataset": "DATA",
    "software": "COMP", "pamphlet": "PAMP", "legislation": "STAT", "legal_case": "CASE", "standard": "STAND",
    "motion_picture": "VIDEO", "song": "SOUND", "graphic": "ART", "periodical": "JFULL",
}


def _ris_name(name: Name) -> str:
    if name.corporate or not name.first:
        return name.full_last
    return f"{name.full_last}, {name.first}" + (f", {name.jr}" if name.jr else "")


def ris_record(entry: Entry) -> str:
    item = csl_item(entry)
    f = entry.fields
    rows: list[tuple[str, str]] = [("TY", RIS_TYPES.get(item["type"], "GEN")), ("ID", entry.key)]
    rows += [("AU", _ris_name(n)) for n in entry.authors]
    rows += [("ED" if item["type"] not in ("chapter", "paper-conference") else "A2", _ris_name(n))
             for n in entry.editors]
    strip = re.compile(r"</?span[^>]*>")
    if item.get("title"):
        rows.append(("TI", strip.sub("", item["title"])))
    if item.get("container-title"):
        rows.append(("T2", strip.sub("", item["container-title"])))
    if item.get("collection-title"):
        rows.append(("T3", item["collection-title"]))
    year = entry.year
    if year:
        rows.append(("PY", year))
    issued = item.get("issued", {}).get("date-parts")
    if issued:
        p = issued[0] + [None, None]
        rows.append(("DA", f"{p[0]:04d}/" + (f"{p[1]:02d}" if p[1] else "") + "/" + (f"{p[2]:02d}" if p[2] else "") + "/"))
    for key, tag in (("volume", "VL"), ("issue", "IS"), ("number", "IS"), ("edition", "ET"), ("publisher", "PB"),
                     ("publisher-place", "CY"), ("genre", "M3"), ("DOI", "DO"), ("URL", "UR"), ("note", "N1"),
                     ("abstract", "AB"), ("language", "LA")):
        if item.get(key):
            rows.append((tag, str(item[key])))
    pages = entry.pages
    if pages:
        start, _, end = pages.partition("–")
        rows.append(("SP", start))
        if end:
            rows.append(("EP", end))
    for src in ("isbn", "issn"):
        if f.get(src):
            rows.append(("SN", f[src]))
    for kw in (k.strip() for k in re.split(r"[;,]", f.get("keywords", "")) if k.strip()):
        rows.append(("KW", kw))
    rows.append(("ER", ""))
    return "\n".join(f"{tag}  - {_SPACES.sub(' ', value)}".rstrip() for tag, value in rows) + "\n"


def to_ris(bib: Bibliography) -> str:
    return "\n".join(ris_record(e) for e in _sorted(bib))


# -- BibTeX and biblatex ----------------------------------------------------------------------------------------
TO_BIBTEX_TYPE = {"online": "misc", "electronic": "misc", "www": "misc", "url": "misc", "report": "techreport",
                  "collection": "book", "mvbook": "book", "mvcollection": "book", "reference": "book",
                  "mvreference": "book", "inreference": "incollection", "bookinbook": "inbook",
                  "suppbook": "inbook", "suppcollection": "incollection", "mvproceedings": "proceedings",
                  "dataset": "misc", "software": "misc", "periodical": "misc", "manuscript": "unpublished",
                  "standard": "misc", "patent": "misc"}
TO_BIBLATEX_TYPE = {"conference": "inproceedings", "electronic": "online", "www": "online", "url": "online",
                    "phdthesis": "thesis", "mastersthesis": "thesis", "techreport": "report",
                    "manuscript": "unpublished"}
BIBTEX_RENAMES = {"journaltitle": "journal", "location": "address"}
BIBLATEX_RENAMES = {"journal": "journaltitle", "address": "location", "school": "institution"}
MONTH_MACROS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _bib_fields(entry: Entry, bib: Bibliography, dialect: str) -> tuple[str, list[tuple[str, str]]]:
    raw = dict(entry.raw_fields)
    kind = entry.type
    if dialect == "bibtex":
        # xdata does not exist in BibTeX: write what the entry inherits from it
        if "xdata" in raw:
            for parent_key in [k.strip() for k in raw.pop("xdata").split(",")]:
                parent = bib.get(parent_key)
                for name, value in (parent.raw_fields.items() if parent else ()):
                    if name not in raw and name not in ("xdata", "ids"):
                        raw[name] = value
        if kind in ("thesis",):
            kind = "mastersthesis" if re.search(r"(?i)master|\bma\b|msc|mathesis", raw.get("type", "")) \
                else "phdthesis"
            if "institution" in raw and "school" not in raw:
                raw["school"] = raw.pop("institution")
        kind = TO_BIBTEX_TYPE.get(kind, kind)
        renames = BIBTEX_RENAMES
        if "date" in raw and "year" not in raw and entry.year:
            raw["year"] = entry.year
            if entry.month and "month" not in raw:
                raw["month"] = MONTH_MACROS[entry.month - 1]
    else:
        if kind in ("phdthesis", "mastersthesis", "techreport") and "type" not in raw:
            raw["type"] = {"phdthesis": "phdthesis", "mastersthesis": "mathesis", "techreport": "techreport"}[kind]
        kind = TO_BIBLATEX_TYPE.get(kind, kind)
        renames = BIBLATEX_RENAMES
    fields: list[tuple[str, str]] = []
    for name, value in raw.items():
        target = renames.get(name, name)
        if target != name and target in raw:
            target = name  # both spellings present: keep each as it is
        if name == "month" and entry.month:
            expr = MONTH_MACROS[entry.month - 1] if dialect == "bibtex" else "{" + str(entry.month) + "}"
        else:
            expr = literal(value)
        fields.append((target, expr))
    return kind, fields


def to_bibtex(bib: Bibliography, dialect: str = "bibtex") -> str:
    """The entries as .bib text for BibTeX (classic types and fields) or biblatex; crossref targets come
    after the entries that cite them, as BibTeX requires."""
    entries = _sorted(bib) if dialect == "bibtex" else sorted(bib.entries.values(), key=lambda e: (e.key.casefold(), e.key))
    targets = {p for e in entries for p in e.parents}
    ordered = [e for e in entries if e.key not in targets] + [e for e in entries if e.key in targets]
    blocks = [f"% {dialect} export by `issue refs export`"]
    blocks += [f"@preamble{{{p.strip()}}}" for p in bib.preambles]
    for entry in ordered:
        kind, fields = _bib_fields(entry, bib, dialect)
        blocks.append(format_entry(kind, entry.key, fields))
    return "\n\n".join(blocks) + "\n"


FORMATS = {
    "csl-json": csl_json_text,
    "ris": to_ris,
    "bibtex": lambda bib: to_bibtex(bib, "bibtex"),
    "biblatex": lambda bib: to_bibtex(bib, "biblatex"),
}
