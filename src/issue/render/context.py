"""The issue model every template receives (HTML pages, Typst front matter, ...).

`build_model(ctx)` turns the pipeline's Context into plain, read-only views: the issue's metadata, the editors,
the contributions (in order, and by id: `contributions.jones.title`), the contributors, the contents, the concept
index, the bibliography, the cross-reference map and the summary of the checks. Each part whose analysis did not
run is simply empty, so that the build works at every stage. Nothing here is HTML: writers add what is theirs
(page addresses through `page_of`, rendered citations through `set_rendered`, the print pages of the typeset
issue through `print_pages`: contribution ranges where the manifest gives none, and the page of each index
locator).
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..model import Contribution, Issue, Person
from ..names import fold, surname_of
from ..pipeline import Context


class ById(Sequence):
    """A read-only list that is also addressable by id: `contributions[0]`, `contributions.jones`."""

    what = "item"

    def __init__(self, items: list[Any], what: str = "item"):
        self._items = list(items)
        self._by_id = {getattr(i, "id", None) or getattr(i, "key", None): i for i in self._items}
        self.what = what

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return self._by_id[key]
        return self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._by_id or key in self._items

    def get(self, key: str, default: Any = None) -> Any:
        return self._by_id.get(key, default)

    def known_names(self) -> list[str]:
        return [k for k in self._by_id if k]

    def __repr__(self) -> str:
        return f"ById({self.known_names()})"


@dataclass
class PersonView:
    name: str
    surname: str
    affiliation: str | None = None
    orcid: str | None = None
    orcid_url: str | None = None
    email: str | None = None
    bio: str | None = None
    affiliation_mark: int | None = None  # the number of the affiliation in its contribution's list
    contributions: list["ContributionView"] = field(default_factory=list)  # filled for contributors
    is_editor: bool = False


@dataclass
class CaptionView:
    """A table or figure of a contribution, for the lists of tables and figures."""

    id: str  # the anchor in the contribution's page
    number: int
    caption: str
    contribution: "ContributionView | None" = None


@dataclass
class HowToCite:
    text: str = ""  # plain text, in the issue's style
    html: Any = ""  # the same, as HTML (Markup) once a writer has rendered it
    bibtex: str = ""
    ris: str = ""


@dataclass
class ContributionView:
    id: str
    number: int  # position in the issue, from 1
    kind: str
    title: str
    short_title: str
    subtitle: str | None
    authors: list[PersonView]
    author_names: str  # "Alistair D. B. Cook and Sangeetha Yogendran"
    author_surnames: str  # "Cook and Yogendran"
    affiliations: list[str]  # distinct, in order; PersonView.affiliation_mark indexes it from 1
    abstract: str | None
    keywords: list[str]
    pages: str | None
    first_page: str | None
    last_page: str | None
    doi: str | None
    doi_url: str | None
    file: str
    format: str | None  # the manuscript's format (docx, markdown, latex, text), None when it is missing
    href: str | None = None  # the contribution's page (set by the writer)
    word_count: int = 0
    notes_count: int = 0
    cites: list[str] = field(default_factory=list)  # bibliography keys, in order of first citation
    refers_to: list["ContributionView"] = field(default_factory=list)  # cross-references from it
    referred_by: list["ContributionView"] = field(default_factory=list)
    tables: list[CaptionView] = field(default_factory=list)
    figures: list[CaptionView] = field(default_factory=list)
    how_to_cite: HowToCite = field(default_factory=HowToCite)
    findings: dict[str, int] = field(default_factory=dict)  # errors/warnings/infos in its manuscript
    # where `pages` comes from: "manifest", "pdf" (typeset by this build) or "pages.toml" (the last --paginate)
    pages_source: str | None = None

    @property
    def label(self) -> str:
        """What the contents and the index show for it: "Cook and Yogendran", or the title when authorless."""
        return self.author_surnames or self.short_title


@dataclass
class IssueMeta:
    title: str
    subtitle: str | None
    short_title: str | None
    journal: str | None
    series: str | None
    volume: str | None
    number: str | None
    year: int | None
    date: str | None
    edition: str | None
    publisher: str | None
    place: str | None
    issn: str | None
    eissn: str | None
    isbn: str | None
    doi: str | None
    doi_url: str | None
    license: str | None
    language: str
    url: str | None
    style: str
    style_title: str = ""
    extent: str = ""  # "6 contributions, 92 pages" or with words
    how_to_cite: HowToCite = field(default_factory=HowToCite)

    @property
    def citation_line(self) -> str:
        """'Australian Journal of International Affairs 74 (1), 2020'."""
        parts = [self.journal or self.series or ""]
        if self.volume:
            parts.append(str(self.volume) + (f" ({self.number})" if self.number else ""))
        head = " ".join(p for p in parts if p)
        return ", ".join(p for p in (head, str(self.year) if self.year else "") if p)


@dataclass
class Locator:
    contribution: ContributionView
    anchor: str
    n: int  # its number among the heading's occurrences in that contribution
    page: str | None = None  # the page of the typeset issue it stands on, when the build typeset one


@dataclass
class IndexEntry:
    heading: str
    sort_key: str
    locators: list[Locator] = field(default_factory=list)
    by_contribution: list[tuple[ContributionView, list[Locator]]] = field(default_factory=list)
    subentries: list["IndexEntry"] = field(default_factory=list)
    see: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    id: str = ""
    letter: str = ""
    name: str = ""  # the vocabulary's heading, without the gloss the printed heading may add ("(NGOs)")
    # the same cross-references with the id of the entry each names ("" when it is not in the index)
    see_links: list[tuple[str, str]] = field(default_factory=list)
    see_also_links: list[tuple[str, str]] = field(default_factory=list)
    # with print pages: per contribution, the first locator on each page (as a printed index lists them) and
    # any locator whose page is unknown; empty without print pages
    by_page: list[tuple[ContributionView, list[Locator]]] = field(default_factory=list)


@dataclass
class IndexLetter:
    letter: str
    entries: list[IndexEntry]


@dataclass
class BibEntryView:
    key: str
    html: Any = ""  # the entry in the issue's style (set by the writer)
    text: str = ""
    cited_by: list[ContributionView] = field(default_factory=list)


@dataclass
class CrossRefEdge:
    source: ContributionView
    target: ContributionView
    count: int


@dataclass
class FindingView:
    code: str
    name: str
    severity: str
    message: str
    where: str  # file:line:col or file:¶n
    file: str
    excerpt: str | None
    suggestion: str | None


@dataclass
class ChecksSummary:
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    by_code: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, count)
    findings: list[FindingView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos


@dataclass
class BuildInfo:
    date: str | None  # ISO date from SOURCE_DATE_EPOCH; None when it is not set (so outputs stay identical)
    generator: str


@dataclass
class IssueModel:
    issue: IssueMeta
    editors: list[PersonView]
    contributions: ById  # of ContributionView
    contents: list[tuple[str, list[ContributionView]]]  # (section label, contributions) in order
    contributors: list[PersonView]
    index: list[IndexLetter]
    bibliography: ById  # of BibEntryView, in the order of the rendered bibliography once set
    crossref_map: list[CrossRefEdge]
    checks: ChecksSummary
    tables: list[CaptionView]
    figures: list[CaptionView]
    build: BuildInfo
    pagination: Any = None  # render.pages.Pagination the print pages came from (None: no typeset pages known)

    def as_context(self) -> dict[str, Any]:
        """The variables a template receives."""
        return {"issue": self.issue, "editors": self.editors, "contributions": self.contributions,
                "contents": self.contents, "contributors": self.contributors, "index": self.index,
                "bibliography": self.bibliography, "crossref_map": self.crossref_map, "checks": self.checks,
                "tables": self.tables, "figures": self.figures, "build": self.build, "pagination": self.pagination,
                "crossref_counts": self.crossref_counts()}

    def crossref_counts(self) -> dict[str, dict[str, int]]:
        """The map as source id -> target id -> count: a matrix template looks each cell up instead of searching
        every edge for every cell (at 200 contributions, 40,000 cells times thousands of edges)."""
        out: dict[str, dict[str, int]] = {}
        for e in self.crossref_map:
            out.setdefault(e.source.id, {})[e.target.id] = e.count
        return out


# --------------------------------------------------------------------------------------------------------------
KIND_SECTIONS = {"introduction": "Introduction", "editorial": "Editorial", "preface": "Preface",
                 "foreword": "Foreword", "conclusion": "Conclusion", "afterword": "Afterword",
                 "book-review": "Book reviews", "review": "Reviews", "commentary": "Commentary",
                 "correction": "Corrections"}


def _person(p: Person, editors: set[str]) -> PersonView:
    orcid = p.orcid.strip() if p.orcid else None
    if orcid:
        orcid = re.sub(r"^https?://orcid\.org/", "", orcid)
    return PersonView(name=p.name, surname=p.surname or surname_of(p.name), affiliation=p.affiliation, orcid=orcid,
                      orcid_url=f"https://orcid.org/{orcid}" if orcid else None, email=p.email, bio=p.bio,
                      is_editor=fold(p.name) in editors)


def _surnames(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    if len(names) > 3:
        return f"{names[0]} et al."
    return ", ".join(names[:-1]) + " and " + names[-1]


def _pages(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    parts = re.split(r"\s*(?:--|–|-)\s*", str(pages).strip(), maxsplit=1)
    return parts[0] or None, (parts[1] if len(parts) > 1 else parts[0]) or None


def _page_range(first: str | None, last: str | None) -> str | None:
    """A range as printed, with an en dash whatever the manifest typed ("35-53", "35--53"): typeset ranges
    (_print_pages) look the same, so a contents page never mixes the two."""
    if not first:
        return None
    return first if not last or last == first else f"{first}–{last}"


def _doi_url(doi: str | None) -> str | None:
    if not doi:
        return None
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.I)
    return f"https://doi.org/{doi}"


def _contribution(c: Contribution, number: int, ctx: Context, editors: set[str]) -> ContributionView:
    doc = ctx.documents.get(c.id)
    authors = [_person(a, editors) for a in c.authors]
    affiliations: list[str] = []
    for a in authors:
        if a.affiliation:
            if a.affiliation not in affiliations:
                affiliations.append(a.affiliation)
            a.affiliation_mark = affiliations.index(a.affiliation) + 1
    first, last = _pages(c.pages)
    raw = _raw_contribution(ctx.issue, c.id)
    body = [b for b in doc.blocks if b.section == "body"] if doc else []
    notes = {b.note for b in doc.blocks if b.kind == "note"} if doc else set()
    return ContributionView(
        id=c.id, number=number, kind=c.kind, title=c.title, short_title=c.short_title or c.title,
        subtitle=raw.get("subtitle") if isinstance(raw.get("subtitle"), str) else None, authors=authors,
        author_names=c.author_names, author_surnames=_surnames([a.surname for a in authors]),
        affiliations=affiliations, abstract=c.abstract or (doc.abstract if doc else None),
        keywords=list(c.keywords or (doc.keywords if doc else [])), pages=_page_range(first, last),
        first_page=first, last_page=last, doi=c.doi, doi_url=_doi_url(c.doi), file=c.file,
        format=doc.format if doc else None, word_count=sum(len(b.text.split()) for b in body),
        notes_count=len(notes), pages_source="manifest" if c.pages else None)


def _raw_contribution(issue: Issue, cid: str) -> dict[str, Any]:
    for raw in issue.raw.get("contributions", []) if isinstance(issue.raw.get("contributions"), list) else []:
        if isinstance(raw, dict) and raw.get("id") == cid:
            return raw
    return {}


def _meta(issue: Issue, style_title: str) -> IssueMeta:
    raw = issue.raw.get("issue", {}) if isinstance(issue.raw.get("issue"), dict) else {}

    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value) if value is not None and not isinstance(value, (list, dict, bool)) else None

    return IssueMeta(
        title=issue.title, subtitle=issue.subtitle, short_title=text("short_title"), journal=issue.journal,
        series=issue.series, volume=str(issue.volume) if issue.volume else None,
        number=str(issue.number) if issue.number else None, year=issue.year, date=text("date"),
        edition=text("edition"), publisher=issue.publisher, place=issue.place, issn=issue.issn, eissn=text("eissn"),
        isbn=issue.isbn, doi=issue.doi, doi_url=_doi_url(issue.doi), license=issue.license, language=issue.language,
        url=issue.url, style=issue.style, style_title=style_title)


def build_info() -> BuildInfo:
    from .. import __version__

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    date = None
    if epoch and epoch.strip().isdigit():
        date = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).date().isoformat()
    return BuildInfo(date=date, generator=f"issue {__version__}")


def _checks(ctx: Context) -> ChecksSummary:
    from ..pipeline import findings

    items = findings(ctx).items
    out = ChecksSummary()
    counts: Counter = Counter()
    names: dict[str, str] = {}
    for d in items:
        sev = d.severity.value
        if sev == "error":
            out.errors += 1
        elif sev == "warning":
            out.warnings += 1
        else:
            out.infos += 1
        counts[d.code] += 1
        names[d.code] = d.name
        out.findings.append(FindingView(code=d.code, name=d.name, severity=sev, message=d.message,
                                        where=d.location.label(), file=d.location.file, excerpt=d.excerpt,
                                        suggestion=d.suggestion))
    out.by_code = [(code, names[code], counts[code]) for code in sorted(counts)]
    return out


def records(ctx: Context, name: str) -> list[Any]:
    """The records of one analysis, or [] when it did not run."""
    result = ctx.results.get(name)
    return list(getattr(result, "records", None) or []) if result is not None else []


def records_by_contribution(ctx: Context, name: str, *fields: str) -> dict[str, list[tuple[int, Any]]]:
    """One analysis's records by the contribution they belong to (the first of `fields` a record has), each
    with its number in the whole list (index anchors are numbered so). Grouped once per run: each page used to
    go through every record of the issue, which at 200 contributions was millions of look-ups per page."""
    key = f"records-by-contribution/{name}/{','.join(fields)}"
    if key not in ctx.shared:
        grouped: dict[str, list[tuple[int, Any]]] = {}
        for n, rec in enumerate(records(ctx, name)):
            grouped.setdefault(str(record_value(rec, *fields, default="")), []).append((n, rec))
        ctx.shared[key] = grouped
    return ctx.shared[key]


def record_value(rec: Any, *names: str, default: Any = None) -> Any:
    """A field of an analysis record, whichever of the given names it uses (records may be objects or dicts)."""
    for n in names:
        value = rec.get(n) if isinstance(rec, dict) else getattr(rec, n, None)
        if value is not None:
            return value
    return default


def _targets(rec: Any) -> list[str]:
    t = record_value(rec, "targets", "target", default=[])
    if isinstance(t, str):
        return [t]
    return [x if isinstance(x, str) else (getattr(x, "id", None) or "") for x in t]


def _index(ctx: Context, contributions: ById, occurrence_anchor: Callable[[Any, int], str]) -> list[IndexLetter]:
    """The concept index, grouped by letter, each locator linking to an occurrence.

    The concept analysis's own index (extra["index"]: sorted entries with sub-entries, see and see-also) is used
    when it is there; otherwise each heading of the occurrence records stands alone, in folded order.
    """
    result = ctx.results.get("concepts")
    if result is None:
        return []
    structured = (getattr(result, "extra", None) or {}).get("index")
    if structured is not None and isinstance(getattr(structured, "entries", None), list):
        return _structured_index(structured, contributions)
    occ = records(ctx, "concepts")
    entries: dict[str, IndexEntry] = {}
    order = {c.id: i for i, c in enumerate(contributions)}

    def position(pair):
        n, rec = pair
        cid = record_value(rec, "contribution", default="")
        return (order.get(cid, 1 << 30), _block_number(record_value(rec, "block", default=0)),
                record_value(rec, "start", default=0), n)

    for n, rec in sorted(enumerate(occ), key=position):
        heading = str(record_value(rec, "heading", "concept", default="") or "")
        view = contributions.get(record_value(rec, "contribution", default=""))
        if not heading or view is None:
            continue
        entry = entries.setdefault(heading, IndexEntry(heading=heading, sort_key=_sort_key(heading)))
        per = sum(1 for loc in entry.locators if loc.contribution is view) + 1
        entry.locators.append(Locator(view, occurrence_anchor(rec, n), per))
    return _letters(sorted(entries.values(), key=lambda e: (e.sort_key, e.heading)))


def _letters(entries: list[IndexEntry]) -> list[IndexLetter]:
    letters: dict[str, list[IndexEntry]] = {}
    for e in entries:
        _group(e)
        if not e.locators and not e.see and not e.see_also and not e.subentries:
            continue
        first = e.letter or e.sort_key[:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(e)
    shown = {fold(name): e.id for group in letters.values() for e in group for name in (e.name, e.heading) if name}

    def target(name: str) -> tuple[str, str]:  # "heading" or "heading: sub-entry" -> the heading's entry
        return name, shown.get(fold(name.split(":", 1)[0].strip()), "")

    for group in letters.values():
        for e in group:
            e.see_links = [target(n) for n in e.see]
            e.see_also_links = [target(n) for n in e.see_also]
    return [IndexLetter(k, v) for k, v in letters.items()]


def _group(e: IndexEntry) -> None:
    grouped: dict[str, list[Locator]] = {}
    views: dict[str, ContributionView] = {}
    for loc in e.locators:
        grouped.setdefault(loc.contribution.id, []).append(loc)
        views[loc.contribution.id] = loc.contribution
    e.by_contribution = [(views[cid], locs) for cid, locs in grouped.items()]
    e.id = "ix-" + re.sub(r"[^a-z0-9]+", "-", fold(e.heading)).strip("-")
    for sub in e.subentries:
        _group(sub)


def _structured_index(index: Any, contributions: ById) -> list[IndexLetter]:
    """Entries of issue.concepts.index.Index: heading (with its gloss), locators (one per paragraph, with the
    anchor of its first occurrence), sub-entries, see and see-also, already sorted."""

    def locators(items: Any) -> list[Locator]:
        out: list[Locator] = []
        counts: Counter = Counter()
        for loc in items or []:
            view = contributions.get(record_value(loc, "contribution", default=""))
            anchor = record_value(loc, "anchor", default="")
            if view is None or not anchor:
                continue
            counts[view.id] += 1
            out.append(Locator(view, str(anchor), counts[view.id]))
        return out

    entries: list[IndexEntry] = []
    for item in index.entries:
        heading = str(record_value(item, "label", "heading", default=""))
        key = record_value(item, "sort_key", default=None)
        sort = key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else _sort_key(heading)
        see = record_value(item, "see", default=None)
        e = IndexEntry(heading=heading, sort_key=sort, locators=locators(record_value(item, "locators")),
                       see=[see] if isinstance(see, str) else list(see or []),
                       see_also=list(record_value(item, "see_also", default=[]) or []))
        e.letter = str(getattr(item, "letter", "") or "")
        e.name = str(record_value(item, "heading", default="") or "")
        for sub in record_value(item, "subs", "subentries", default=[]) or []:
            sub_heading = str(record_value(sub, "heading", default=""))
            e.subentries.append(IndexEntry(heading=sub_heading, sort_key=_sort_key(sub_heading),
                                           locators=locators(record_value(sub, "locators"))))
        entries.append(e)
    return _letters(entries)


def _print_pages(views: list[ContributionView], letters: list[IndexLetter], pagination: Any) -> None:
    """The typeset pages: each contribution's range where the manifest gives none, and each index locator's page
    (its occurrence's anchor, as the PDF placed it)."""
    for v in views:
        typeset = pagination.ranges.get(v.id)
        if v.first_page or not typeset:
            continue
        v.first_page, v.last_page = typeset
        v.pages = v.first_page if v.first_page == v.last_page else f"{v.first_page}–{v.last_page}"
        v.pages_source = pagination.source
    anchors = pagination.anchors
    if not anchors:
        return

    def paginate(e: IndexEntry) -> None:
        for loc in e.locators:
            loc.page = anchors.get(loc.contribution.id, {}).get(loc.anchor)
        if any(loc.page for loc in e.locators):
            e.by_page = []
            for view, locs in e.by_contribution:
                seen: set[str] = set()
                kept: list[Locator] = []
                for loc in locs:
                    if loc.page in seen:
                        continue
                    if loc.page:
                        seen.add(loc.page)
                    kept.append(loc)
                e.by_page.append((view, kept))
        for sub in e.subentries:
            paginate(sub)

    for letter in letters:
        for e in letter.entries:
            paginate(e)


def _sort_key(heading: str) -> str:
    """Word-by-word, ignoring case and accents ("ASEAN Regional Forum" before "ASEANs")."""
    return re.sub(r"[^\w ]+", "", fold(heading)).strip()


def _block_number(block: Any) -> int:
    if isinstance(block, int):
        return block
    return getattr(block, "index", 0) or 0


def default_anchor(rec: Any, n: int) -> str:
    anchor = record_value(rec, "anchor", "anchor_id", "id", default=None)
    return str(anchor) if anchor else f"ix-occ-{n + 1}"


def _crossref_map(ctx: Context, contributions: ById) -> list[CrossRefEdge]:
    counts: Counter = Counter()
    for rec in records(ctx, "crossrefs"):
        source = record_value(rec, "contribution", "source", default=None)
        for target in _targets(rec):
            if source in contributions and target in contributions:
                counts[(source, target)] += 1
    order = {c.id: i for i, c in enumerate(contributions)}
    edges = [CrossRefEdge(contributions[s], contributions[t], n) for (s, t), n in counts.items()]
    edges.sort(key=lambda e: (order[e.source.id], order[e.target.id]))
    for e in edges:
        if e.target not in e.source.refers_to:
            e.source.refers_to.append(e.target)
        if e.source not in e.target.referred_by:
            e.target.referred_by.append(e.source)
    return edges


def cited_keys(ctx: Context) -> dict[str, list[str]]:
    """Per contribution, the bibliography keys it cites (resolved prose and markup citations), in text order."""
    out: dict[str, list[str]] = defaultdict(list)
    for rec in sorted(records(ctx, "citations"), key=lambda r: (str(record_value(r, "contribution", default="")),
                                                               _block_number(record_value(r, "block", default=0)),
                                                               record_value(r, "start", default=0))):
        key = record_value(rec, "key", default=None)
        cid = record_value(rec, "contribution", default=None)
        if key and cid and key not in out[cid]:
            out[cid].append(key)
    return out


def _bibliography(ctx: Context, contributions: ById, cites: dict[str, list[str]]) -> ById:
    bib = ctx.bibliography
    entries = getattr(bib, "entries", None) or {}
    keys = sorted(entries) if isinstance(entries, dict) else sorted(getattr(e, "key", "") for e in entries)
    views = {k: BibEntryView(key=k) for k in keys if k}
    for c in contributions:
        for key in cites.get(c.id, []):
            if key in views and c not in views[key].cited_by:
                views[key].cited_by.append(c)
    return ById(list(views.values()), what="bibliography entry")


def _captions(ctx: Context, contributions: ById) -> None:
    """Tables and figures of each manuscript, numbered in its contribution (ids as splice.number_floats gives)."""
    from .splice import floats

    for c in contributions:
        doc = ctx.documents.get(c.id)
        if doc is None or not doc.ast:
            continue
        for kind, ident, caption in floats(doc.ast):
            target = c.tables if kind == "Table" else c.figures
            target.append(CaptionView(id=ident, number=len(target) + 1, caption=caption, contribution=c))


def build_model(ctx: Context, *, style_title: str = "", page_of: Callable[[str], str | None] | None = None,
                occurrence_anchor: Callable[[Any, int], str] = default_anchor, print_pages: Any = None) -> IssueModel:
    """The issue model for templates. `page_of(id)` gives a contribution's address in the output (HTML);
    `print_pages` (a render.pages.Pagination) the pages of the typeset issue, for outputs that show them."""
    issue = ctx.issue
    editors_folded = {fold(e.name) for e in issue.editors}
    editors = [_person(e, editors_folded) for e in issue.editors]
    views = [_contribution(c, i + 1, ctx, editors_folded) for i, c in enumerate(issue.contributions)]
    contributions = ById(views, what="contribution")
    for v in views:
        v.href = page_of(v.id) if page_of else None
    cites = cited_keys(ctx)
    for v in views:
        v.cites = list(cites.get(v.id, []))

    # contents: the contributions in order, under a section label where the kind has one
    contents: list[tuple[str, list[ContributionView]]] = []
    for v in views:
        label = KIND_SECTIONS.get(v.kind, "Articles")
        if contents and contents[-1][0] == label:
            contents[-1][1].append(v)
        else:
            contents.append((label, [v]))

    # contributors: every author and editor once, by surname, with what they wrote
    people: dict[str, PersonView] = {}
    for e in editors:
        people.setdefault(fold(e.name), PersonView(**{**e.__dict__, "contributions": [], "affiliation_mark": None}))
    for v in views:
        for a in v.authors:
            p = people.setdefault(fold(a.name), PersonView(**{**a.__dict__, "contributions": [], "affiliation_mark": None}))
            for attr in ("affiliation", "orcid", "orcid_url", "bio", "email"):
                if getattr(p, attr) is None and getattr(a, attr):
                    setattr(p, attr, getattr(a, attr))
            if v not in p.contributions:
                p.contributions.append(v)
    contributors = sorted(people.values(), key=lambda p: (fold(p.surname), fold(p.name)))

    # findings per manuscript
    checks = _checks(ctx)
    by_file: dict[str, Counter] = defaultdict(Counter)
    for f in checks.findings:
        by_file[f.file][f.severity] += 1
    for v in views:
        counts = by_file.get(v.file, Counter())
        v.findings = {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"]}

    _captions(ctx, contributions)
    index = _index(ctx, contributions, occurrence_anchor)
    if print_pages is not None:
        _print_pages(views, index, print_pages)
    meta = _meta(issue, style_title)
    pages = [(v.first_page, v.last_page) for v in views if v.first_page and v.last_page]
    extent = [f"{len(views)} contribution{'s' if len(views) != 1 else ''}"]
    if pages and all(p.isdigit() and q.isdigit() for p, q in pages):
        extent.append(f"pp. {min(int(p) for p, _ in pages)}–{max(int(q) for _, q in pages)}")
    words = sum(v.word_count for v in views)
    if words:
        extent.append(f"about {round(words, -2):,} words")
    meta.extent = ", ".join(extent)
    return IssueModel(
        issue=meta, editors=editors, contributions=contributions, contents=contents, contributors=contributors,
        index=index, bibliography=_bibliography(ctx, contributions, cites),
        crossref_map=_crossref_map(ctx, contributions), checks=checks,
        tables=[t for v in views for t in v.tables], figures=[f for v in views for f in v.figures],
        build=build_info(), pagination=print_pages)
