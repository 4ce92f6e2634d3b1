"""The cross-reference analysis: every reference between the issue's contributions, its findings, and the map.

`analyse(ctx)` is listed in pipeline.ANALYSES after the citations: an author-date citation that the citation
analysis matched to a contribution of this issue ("(Hirono 2020)", `Citation.crossref`) becomes a cross-reference
here, and names inside ordinary resolved citations ("Lee Jones (2015)") are never read as cross-references.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from ..diagnostics.core import Diagnostic, make
from ..manuscripts.document import Block, Document
from ..model import Issue, Location
from ..names import fold, surname_of
from ..pipeline import AnalysisResult, Context, DocumentPart, PerDocument
from . import rules as R
from .extract import MARKER_NOUNS, Contributors, Part, Recogniser
from .model import AMBIGUOUS, AUTHOR_DATE, NAME, RESOLVED, UNKNOWN, CrossRef, Link, short_authors

# kinds of contribution the introduction need not present
NOT_PRESENTED = {"introduction", "editorial", "foreword", "preface", "afterword", "correction"}
# when the issue mixes forms and issue.toml names none, ties go to the first of these
PREFERRED = ["this issue", "this special issue", "this volume", "this collection", "this book"]
HOUSE_FORMS = sorted({f"{det} {noun}" for det in ("this", "this special", "the present") for noun in MARKER_NOUNS}
                     | {"this special section"})
CONFIG_KEYS = {"house_form"}


def analyse(ctx: Context) -> AnalysisResult:
    state = prepare(ctx)
    citations = ctx.results.get("citations")
    cites_of: dict[str, list[Any]] = {}
    for c in getattr(citations, "records", None) or []:
        cites_of.setdefault(getattr(c, "contribution", None), []).append(c)
    items = [(c.id, ctx.documents[c.id], {"citations": DocumentPart(records=cites_of.get(c.id, []))})
             for c in ctx.issue.contributions if c.id in ctx.documents]
    return combine(ctx, state, documents(ctx, state, items))


# -- in two steps: each manuscript, then the issue (pipeline.PerDocument) -------------------------------------------

@dataclass
class State:
    house: str | None
    config_diagnostics: list[Diagnostic]
    people: Contributors
    recogniser: Recogniser


def prepare(ctx: Context) -> State:
    house, diagnostics = read_config(ctx.issue)
    people = Contributors(ctx.issue)
    return State(house, diagnostics, people, Recogniser(people))


def documents(ctx: Context, state: State, items: list[tuple[str, Document, dict[str, DocumentPart]]]
              ) -> dict[str, DocumentPart]:
    """The cross-references of each manuscript, given the citations found in it."""
    introductions = set(state.people.introductions)
    out: dict[str, DocumentPart] = {}
    for cid, doc, earlier in items:
        cites = earlier["citations"].records if "citations" in earlier else []
        out[cid] = DocumentPart(records=document_records(state, cid, doc, cites, cid in introductions))
    return out


def document_records(state: State, cid: str, doc: Document, cites: list[Any], introduction: bool) -> list[CrossRef]:
    excluded, from_citations = _citations_by_block(doc, cites, state.people, cid)
    records: list[CrossRef] = []
    for block in doc.blocks:
        if not block.is_body:
            continue
        found = state.recogniser.block(doc, block, cid, introduction=introduction,
                                       excluded=excluded.get(id(block), []))
        cited = from_citations.get(id(block), [])
        found = [r for r in found if not any(r.start < c.end and c.start < r.end for c in cited)]
        records += sorted(found + cited, key=lambda r: (r.start, r.end))
    return records


def combine(ctx: Context, state: State, parts: dict[str, DocumentPart]) -> AnalysisResult:
    """Every manuscript's cross-references, in reading order, and the findings that need the whole issue (the
    house form is the issue's most used form; the introduction presents every paper)."""
    records = [r for part in parts.values() for r in part.records]
    diagnostics = list(state.config_diagnostics)
    if state.people.persons:  # a manuscript checked outside an issue folder has no manifest to match names against
        diagnostics += reference_findings(ctx, records, state.people, house_form(ctx.issue, records))
        diagnostics += unreferenced_findings(ctx, records, state.people)
    diagnostics += style_findings(ctx, records, state.house)
    return AnalysisResult(records=records, diagnostics=diagnostics, extra=crossref_map(ctx.issue, records))


PER_DOCUMENT = PerDocument(fingerprint=lambda ctx: "", prepare=prepare, documents=documents, combine=combine)


# -- configuration ------------------------------------------------------------------------------------------------

def read_config(issue: Issue) -> tuple[str | None, list[Diagnostic]]:
    """`[crossrefs] house_form = "this issue"`: the form every cross-reference should use (None: the issue's
    most used form). A bad value is a manifest error, reported at its line in issue.toml."""
    table = (issue.raw or {}).get("crossrefs", {})
    diags: list[Diagnostic] = []
    if not isinstance(table, dict):
        diags.append(_manifest_diag(issue, "M103", "[crossrefs] should be a table", "crossrefs"))
        return None, diags
    for key in table:
        if key not in CONFIG_KEYS:
            diags.append(_manifest_diag(issue, "M102", f"unknown key '{key}' in crossrefs", key,
                                        suggestion=f"known keys: {', '.join(sorted(CONFIG_KEYS))}"))
    value = table.get("house_form")
    if value is None:
        return None, diags
    if not isinstance(value, str):
        diags.append(_manifest_diag(issue, "M103", "crossrefs.house_form should be a string such as \"this issue\"",
                                    "house_form"))
        return None, diags
    form = normalise_form(value)
    if form not in HOUSE_FORMS:
        diags.append(_manifest_diag(issue, "M112", f"crossrefs.house_form '{value}' is not a form of cross-reference",
                                    "house_form", suggestion="use one of: " + ", ".join(f'"{f}"' for f in PREFERRED)))
        return None, diags
    return form, diags


def normalise_form(value: str) -> str:
    """'This Volume' -> 'this volume'; 'issue' -> 'this issue'."""
    form = " ".join(fold(value).split())
    if form in MARKER_NOUNS or form.startswith("special "):
        form = "this " + form
    return form


def _manifest_diag(issue: Issue, code: str, message: str, key: str, suggestion: str | None = None) -> Diagnostic:
    line, context = 1, None
    try:
        lines = issue.manifest_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    in_table = False
    for n, text in enumerate(lines, 1):
        stripped = text.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == "crossrefs"
            if in_table and key == "crossrefs":
                line, context = n, text
                break
        elif in_table and re.match(rf"\s*{re.escape(key)}\s*=", text):
            line, context = n, text
            break
    start = context.find(key) if context else -1
    return make(code, message, Location("issue.toml", line=line, column=1), excerpt=key if start >= 0 else None,
                context=context, context_start=start if start >= 0 else None, suggestion=suggestion)


# -- citations of contributions ------------------------------------------------------------------------------------

def _block_of(by_index: dict[int, list[Block]], index: int, start: int, end: int, authors: list[str],
              note: int | None = None) -> Block | None:
    """The block a citation stands in: a footnote shares its host's index, so its number (or the text) decides."""
    blocks = by_index.get(index, [])
    if note is not None:
        blocks = [b for b in blocks if b.kind == "note" and b.note == note] or blocks
    first = fold(surname_of(authors[0])) if authors else ""
    for b in blocks:
        if first and first in fold(b.text[start:end]):
            return b
    return blocks[0] if blocks else None


def _citations_by_block(doc: Document, cites: list[Any], people: Contributors, source: str):
    """Spans of resolved citations (with their authors' surnames) and the cross-references made of citations
    that the citation analysis matched to a contribution, both by block."""
    excluded: dict[int, list[tuple[int, int, set[str]]]] = {}
    records: dict[int, list[CrossRef]] = {}
    by_index: dict[int, list[Block]] = {}
    for b in doc.blocks:
        if b.is_body:
            by_index.setdefault(b.index, []).append(b)
    for c in cites:
        authors = [a for a in (getattr(c, "authors", None) or []) if isinstance(a, str)]
        start, end = getattr(c, "start", None), getattr(c, "end", None)
        index = getattr(c, "block", None)
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(index, int):
            continue
        note = getattr(c, "note_number", None)
        block = _block_of(by_index, index, start, end, authors, note if isinstance(note, int) else None)
        if block is None:
            continue
        if getattr(c, "key", None):
            surnames = {fold(surname_of(a)) for a in authors}
            excluded.setdefault(id(block), []).append((start, end, surnames))
            apart = getattr(c, "author_span", None)  # "as Newby puts it, ... (2018, 12)"
            if isinstance(apart, (tuple, list)) and len(apart) == 2 and all(isinstance(x, int) for x in apart):
                excluded[id(block)].append((apart[0], apart[1], surnames))
            continue
        target = getattr(c, "crossref", None)
        if not target or target not in people.authors:
            continue
        part = _citation_part(start, end, authors, target, people, bool(getattr(c, "et_al", False)))
        records.setdefault(id(block), []).append(CrossRef(
            file=doc.file, contribution=source, block=block.index, start=start, end=end,
            location=doc.location(block, start, end), text=block.text[start:end], names=part.names, targets=[target],
            form=AUTHOR_DATE, links=[Link(start, end, target)], note=block.note if block.kind == "note" else None,
            parts=[part]))
    return excluded, records


def _citation_part(start: int, end: int, authors: list[str], target: str, people: Contributors,
                   etal: bool = False) -> Part:
    etal = etal or any("et al" in a for a in authors)
    names = [a.replace("et al.", "").replace("et al", "").strip() for a in authors]
    names = [n for n in names if n]
    written = {fold(surname_of(n)) for n in names}
    omitted = [people.persons[k].name for k in people.authors[target]
               if fold(people.persons[k].surname) not in written]
    return Part(start, end, names, RESOLVED, [target], omitted=omitted, etal=etal)


# -- findings --------------------------------------------------------------------------------------------------------

def _doc_block(ctx: Context, rec: CrossRef) -> tuple[Document, Block] | None:
    doc = ctx.documents.get(rec.contribution)
    if doc is None:
        return None
    for b in doc.blocks:
        if b.index == rec.block and b.is_body and (b.note if b.kind == "note" else None) == rec.note:
            return doc, b
    return None


def _title(ctx: Context, cid: str) -> str:
    c = ctx.issue.contribution(cid)
    return f"{c.author_names}, ‘{c.title}’ ({cid})" if c else cid


def reference_findings(ctx: Context, records: list[CrossRef], people: Contributors, house: str = "this issue"
                       ) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rec in records:
        if not any(_may_report(rec, part) for part in rec.parts):
            continue  # most references are right: their manuscript need not be read again
        where = _doc_block(ctx, rec)
        if where is None:
            continue
        doc, block = where
        for part in rec.parts:
            at = (block, part.start, part.end)
            written = " and ".join(part.names)
            if part.status == UNKNOWN:
                out.append(doc.diagnostic_at(R.UNKNOWN.code, f"no contributor of this issue is called {written}", *at,
                                             suggestion=_unknown_suggestion(ctx, part, people),
                                             data={"name": written,
                                                   "did_you_mean": [p.name for p in part.suggestions or part.conflicts]}))
            elif part.status == AMBIGUOUS:
                message, suggestion = _ambiguous_text(ctx, part, people)
                out.append(doc.diagnostic_at(R.AMBIGUOUS.code, message, *at, suggestion=suggestion,
                                             data={"candidates": list(part.targets)}))
            elif rec.contribution in part.targets and rec.form != NAME:
                out.append(doc.diagnostic_at(R.SELF_REFERENCE.code,
                                             f"'{rec.text}' refers to this very contribution", *at,
                                             suggestion="write 'this article' or point to the section"))
            elif rec.form == AUTHOR_DATE:
                target = ctx.issue.contribution(part.targets[0])
                parenthetical = rec.text.startswith("(") or (rec.end < len(block.text) and block.text[rec.end] == ")")
                ref = f"{short_authors(target)}, {house}" if target else house
                out.append(doc.diagnostic_at(R.CITATION_OF_CONTRIBUTION.code,
                                             f"'{rec.text}' cites {_title(ctx, part.targets[0])}, a paper of this "
                                             "issue that is not in the bibliography", *at,
                                             suggestion=f"write it as a cross-reference: "
                                                        f"{'(' + ref + ')' if parenthetical else ref}"))
            if _omits_coauthor(rec, part, people):
                target = ctx.issue.contribution(part.targets[0])
                written = block.text[part.start:part.end]
                out.append(doc.diagnostic_at(R.COAUTHOR_OMITTED.code,
                                             f"'{written}' leaves out {' and '.join(part.omitted)}, co-author of "
                                             f"‘{target.title}’", *at,
                                             suggestion=f"write '{short_authors(target)}'"))
    return out


def _omits_coauthor(rec: CrossRef, part: Part, people: Contributors) -> bool:
    return bool(part.status == RESOLVED and part.omitted and rec.contribution not in part.targets
                and not (part.etal and len(people.authors[part.targets[0]]) >= 3))


def _may_report(rec: CrossRef, part: Part) -> bool:
    """Whether reference_findings has something to say about this part (the tests it makes, in short)."""
    return (part.status in (UNKNOWN, AMBIGUOUS) or (rec.contribution in part.targets and rec.form != NAME)
            or rec.form == AUTHOR_DATE or bool(part.status == RESOLVED and part.omitted))


def _unknown_suggestion(ctx: Context, part: Part, people: Contributors) -> str:
    if part.conflicts:
        p = part.conflicts[0]
        return (f"the contributor called {p.surname} is {p.name} ({', '.join(p.contributions)}); cite another "
                f"{p.surname}'s work with its year, as any paper published elsewhere")
    if part.suggestions:
        p = part.suggestions[0]
        return f"did you mean {p.surname} ({_title(ctx, p.contributions[0])})?"
    surnames = sorted({p.surname for p in people.persons.values()}, key=fold)
    return ("the contributors are " + ", ".join(surnames) + "; a paper published elsewhere is cited with its year "
            "and a bibliography entry") if surnames else "the manifest lists no contributors"


def _ambiguous_text(ctx: Context, part: Part, people: Contributors) -> tuple[str, str]:
    written = " and ".join(part.names)
    named = {}
    written_surnames = {fold(surname_of(n)) for n in part.names}
    for cid in part.targets:
        for key in people.authors.get(cid, []):
            p = people.persons[key]
            if fold(p.surname) in written_surnames:
                named.setdefault(p.name, []).append(cid)
    if len(named) > 1:
        who = " or ".join(f"{name} ({', '.join(cids)})" for name, cids in named.items())
        return f"'{written}' could be {who}", f"write the full name, e.g. '{next(iter(named))}, this issue'"
    titles = "; ".join(_title(ctx, cid) for cid in part.targets)
    return (f"'{written}' wrote more than one contribution to this issue: {titles}",
            "name the paper you mean, e.g. with its title")


def style_findings(ctx: Context, records: list[CrossRef], house: str | None) -> list[Diagnostic]:
    marked = [r for r in records if r.has_marker]
    forms = {r.form for r in marked}
    if not marked or (house is None and len(forms) < 2):
        return []
    chosen = house or house_form(ctx.issue, records)
    origin = "the house form set in issue.toml" if house else "the form most used in this issue"
    out = []
    for rec in marked:
        if rec.form == chosen:
            continue
        where = _doc_block(ctx, rec)
        if where is None:
            continue
        doc, block = where
        m = re.search(r"\b" + r"\s+".join(map(re.escape, rec.form.split())) + r"\b", rec.text, re.IGNORECASE)
        start, end = (rec.start + m.start(), rec.start + m.end()) if m else (rec.start, rec.end)
        out.append(doc.diagnostic_at(R.STYLE.code, f"'{block.text[start:end]}' where the issue writes '{chosen}'",
                                     block, start, end, suggestion=f"write '{chosen}' ({origin})"))
    return out


def unreferenced_findings(ctx: Context, records: list[CrossRef], people: Contributors) -> list[Diagnostic]:
    out = []
    for intro in people.introductions:
        info = ctx.documents.info(intro) if hasattr(ctx.documents, "info") else ctx.documents.get(intro)
        if info is None or intro not in ctx.documents:
            continue
        doc = info  # only its file is needed: the manuscript itself is not read again
        mentioned = {t for r in records if r.contribution == intro and r.status != UNKNOWN for t in r.targets}
        for c in ctx.issue.contributions:
            if c.id == intro or c.kind in NOT_PRESENTED or c.id in mentioned:
                continue
            out.append(make(R.UNREFERENCED.code,
                            f"the introduction never mentions ‘{c.title}’ by {c.author_names or c.id} ({c.id})",
                            Location(doc.file), suggestion=f"present it in the overview, e.g. "
                                                           f"'{short_authors(c)} (this issue) shows …'"))
    return out


# -- the map --------------------------------------------------------------------------------------------------------

def crossref_map(issue: Issue, records: Iterable[CrossRef]) -> dict[str, dict[str, int]]:
    """{source id: {target id: count}} in manifest order, every contribution a row; references a paper makes to
    itself are findings, not edges."""
    order = [c.id for c in issue.contributions]
    counts: dict[str, Counter] = {cid: Counter() for cid in order}
    for r in records:
        if r.contribution not in counts:
            continue
        for t in r.targets:
            if t != r.contribution and t in counts:
                counts[r.contribution][t] += 1
    return {src: {t: counts[src][t] for t in order if counts[src][t]} for src in order}


def house_form(issue: Issue, records: list[CrossRef] | None = None) -> str:
    """The form print and the website should write: issue.toml's house_form, else the issue's most used form."""
    form, _ = read_config(issue)
    if form:
        return form
    counts = Counter(r.form for r in records or [] if r.has_marker)
    if not counts:
        return "this issue"
    order = {f: i for i, f in enumerate(PREFERRED)}
    return min(counts, key=lambda f: (-counts[f], order.get(f, len(order)), f))
