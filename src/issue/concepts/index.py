"""The index model: entries, sub-entries, locators, cross-references, sorted as a back-of-book index.

Built from the vocabulary and the occurrences. Without page numbers a locator is a (contribution, block) pair
that the HTML writer links to the occurrence's anchor; with a mapping to page labels (from the print build) the
locators are pages: deduplicated, roman before arabic, consecutive pages collapsed into en-dash ranges.

Rules followed (Chicago Manual of Style, ch. 16, and ISO 999):
- word-by-word sorting by default (a space sorts before any letter; a hyphen counts as a space), or
  letter-by-letter (spaces and hyphens ignored up to the first comma or parenthesis); case and accents ignored;
  a leading article ignored in headings, leading articles and prepositions ignored in sub-entries;
- a "see" entry has no locators; "see also" comes after the sub-entries, its targets in alphabetical order;
- an acronym is double-posted: its entry has the same locators as the spelled-out heading.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..names import fold
from .vocabulary import LEADING_WORDS, Vocabulary

EN_DASH = "\u2013"
_ARTICLES = {"a", "an", "the"}
_ROMAN = re.compile(r"^(?=[mdclxvi]+$)m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.I)


# -- sorting ---------------------------------------------------------------------------------------------------------
def sort_key(text: str, mode: str = "word", sub: bool = False) -> tuple:
    """The sort key of a heading (a total order: ties are broken by the folded and then the exact text).

    word:   "New York" < "Newark" (the space sorts first); "peace-keeping" sorts as "peace keeping".
    letter: "Newark" < "New York" (spaces and hyphens ignored up to the first comma or parenthesis).
    Digits sort before letters. Leading articles are ignored, and in sub-entries leading prepositions too.
    """
    s = fold(text).strip()
    s = re.sub(r"^[\"'\u201c\u2018(\[]+", "", s)
    words = s.split()
    skip = LEADING_WORDS if sub else _ARTICLES
    while len(words) > 1 and words[0] in skip:
        words = words[1:]
    s = " ".join(words)
    s = s.replace("-", " ").replace("/", " ").replace(EN_DASH, " ")
    s = re.sub(r"[^\w\s,()]", "", s)
    s = " ".join(s.split())
    if mode == "letter":
        m = re.search(r"[,(]", s)
        head, rest = (s[:m.start()], s[m.start():]) if m else (s, "")
        primary = head.replace(" ", "") + rest
    else:
        primary = s
    primary = primary.replace(",", "\u0001").replace("(", "\u0002").replace(")", "")  # "Smith, J" before "Smith J"
    return (primary, fold(text), text)


def letter_of(key: tuple) -> str:
    """The letter group of a sort key: "A".."Z", or "#" for digits and symbols."""
    first = key[0][:1]
    return first.upper() if first.isalpha() and first.isascii() else "#"


# -- page labels -----------------------------------------------------------------------------------------------------
def roman_value(label: str) -> int | None:
    if label and _ROMAN.match(label):
        total, prev = 0, 0
        for ch in reversed(label.lower()):
            v = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}[ch]
            total = total - v if v < prev else total + v
            prev = max(prev, v)
        return total
    return None


def page_order(label: str) -> tuple[int, int, str]:
    """Roman front-matter pages first, then arabic, then anything else (e.g. "A3") by its text."""
    label = label.strip()
    r = roman_value(label)
    if r is not None:
        return (0, r, label)
    if label.isdigit():
        return (1, int(label), label)
    return (2, 0, label)


# -- the model -------------------------------------------------------------------------------------------------------
@dataclass
class Locator:
    """One distinct place: a page (when page labels are known) or a (contribution, block) pair."""

    contribution: str
    block: int
    anchor: str  # the first occurrence at this place
    page: str | None = None
    count: int = 1  # occurrences merged here
    anchors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = {"contribution": self.contribution, "block": self.block, "anchor": self.anchor, "count": self.count}
        if self.page is not None:
            out["page"] = self.page
        return out


@dataclass
class Range:
    """Consecutive locators shown as one: "12–14", or paragraphs 3–5 of one contribution."""

    first: Locator
    last: Locator

    @property
    def label(self) -> str:
        if self.first.page is not None:
            if self.first is self.last or self.first.page == self.last.page:
                return self.first.page
            return f"{self.first.page}{EN_DASH}{self.last.page}"
        if self.first is self.last or self.first.block == self.last.block:
            return str(self.first.block)
        return f"{self.first.block}{EN_DASH}{self.last.block}"

    @property
    def anchor(self) -> str:
        return self.first.anchor

    def to_json(self) -> dict[str, Any]:
        out = {"label": self.label, "anchor": self.anchor, "contribution": self.first.contribution}
        if self.first.page is None:
            out["blocks"] = [self.first.block, self.last.block]
        else:
            out["pages"] = [self.first.page, self.last.page]
        return out


@dataclass
class SubIndexEntry:
    heading: str
    sort_key: tuple
    locators: list[Locator] = field(default_factory=list)
    ranges: list[Range] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"heading": self.heading, "locators": [x.to_json() for x in self.locators],
                "ranges": [r.to_json() for r in self.ranges]}


@dataclass
class Entry:
    heading: str
    sort_key: tuple
    kind: str  # "main", "acronym" (double-posted), "see"
    concept: str  # the concept's heading
    gloss: str | None = None  # printed in parentheses: the acronym of a main heading, the expansion of an acronym
    locators: list[Locator] = field(default_factory=list)
    ranges: list[Range] = field(default_factory=list)
    subs: list[SubIndexEntry] = field(default_factory=list)
    see: str | None = None
    see_also: list[str] = field(default_factory=list)

    @property
    def letter(self) -> str:
        return letter_of(self.sort_key)

    @property
    def label(self) -> str:
        return f"{self.heading} ({self.gloss})" if self.gloss else self.heading

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"heading": self.heading, "label": self.label, "letter": self.letter, "kind": self.kind,
                               "concept": self.concept, "sort_key": self.sort_key[0]}
        if self.gloss:
            out["gloss"] = self.gloss
        out["locators"] = [x.to_json() for x in self.locators]
        out["ranges"] = [r.to_json() for r in self.ranges]
        out["subs"] = [s.to_json() for s in self.subs]
        if self.see:
            out["see"] = self.see
        out["see_also"] = list(self.see_also)
        return out


@dataclass
class Index:
    entries: list[Entry]
    sort: str = "word"
    paged: bool = False  # True when locators are page numbers
    missing_pages: int = 0  # occurrences the page mapping had no page for (left out)
    dropped_references: list[tuple[str, str]] = field(default_factory=list)  # (from heading, to heading)

    def groups(self) -> list[tuple[str, list[Entry]]]:
        """Entries by letter ("#" first for digits and symbols), in sorted order."""
        out: dict[str, list[Entry]] = {}
        for e in self.entries:
            out.setdefault(e.letter, []).append(e)
        return list(out.items())

    def entry(self, heading: str) -> Entry | None:
        f = fold(heading)
        return next((e for e in self.entries if fold(e.heading) == f), None)

    def to_json(self) -> dict[str, Any]:
        return {"sort": self.sort, "paged": self.paged,
                "letters": [letter for letter, _ in self.groups()],
                "entries": [e.to_json() for e in self.entries]}


# -- building --------------------------------------------------------------------------------------------------------
def build_index(vocab: Vocabulary, occurrences: Iterable[Any], order: list[str], *, sort: str = "word",
                pages: Mapping[Any, str] | None = None) -> Index:
    """The index of an issue.

    order: contribution ids in the issue's order (document order across contributions).
    pages: optional page labels ("iv", "37"), looked up by the occurrence's anchor id, or by
           (contribution id, block index); occurrences without a page are left out and counted in
           `Index.missing_pages`.
    """
    rank = {cid: i for i, cid in enumerate(order)}
    occ = sorted(occurrences, key=lambda o: (rank.get(o.contribution, len(rank)), o.contribution, o.position))
    missing = 0
    by_concept: dict[str, dict[str | None, list[tuple[Any, str | None]]]] = defaultdict(lambda: defaultdict(list))
    for o in occ:
        page = None
        if pages is not None:
            page = pages.get(o.anchor) or pages.get((o.contribution, o.block))
            if page is None:
                missing += 1
                continue
            page = str(page).strip()
        by_concept[o.concept][o.sub].append((o, page))
    groups = {concept: {sub: _locators(items, pages is not None) for sub, items in subs.items()}
              for concept, subs in by_concept.items()}
    return index_from_locators(vocab, groups, sort=sort, paged=pages is not None, missing=missing)


def locator_groups(occurrences: Iterable[Any]) -> dict[str, dict[str | None, list[Locator]]]:
    """One manuscript's locators by concept and sub-entry, its occurrences taken in reading order: what
    build_index makes of them without pages. Those of several manuscripts, joined in the issue's order, are what
    it makes of all their occurrences (a locator never spans two manuscripts)."""
    by_concept: dict[str, dict[str | None, list[tuple[Any, None]]]] = defaultdict(lambda: defaultdict(list))
    for o in occurrences:
        by_concept[o.concept][o.sub].append((o, None))
    return {concept: {sub: _locators(items, False) for sub, items in subs.items()}
            for concept, subs in by_concept.items()}


def _locators(items: list[tuple[Any, str | None]], paged: bool) -> list[Locator]:
    units: dict[Any, Locator] = {}
    for o, page in items:
        key = page if paged else (o.contribution, o.block)
        if key in units:
            units[key].count += 1
            units[key].anchors.append(o.anchor)
        else:
            units[key] = Locator(o.contribution, o.block, o.anchor, page, 1, [o.anchor])
    out = list(units.values())
    if paged:
        out.sort(key=lambda x: page_order(x.page or ""))
    return out  # else already in document order


def index_from_locators(vocab: Vocabulary, groups: Mapping[str, Mapping[str | None, list[Locator]]], *,
                        sort: str = "word", paged: bool = False, missing: int = 0) -> Index:
    """The index from the locators of each concept and sub-entry (see locator_groups)."""
    entries: list[Entry] = []
    has_content: dict[str, bool] = {}
    built: dict[str, Entry] = {}
    for c in vocab.concepts:
        if c.see:
            continue
        subs_occ = groups.get(c.heading, {})
        main_locs = list(subs_occ.get(None, []))
        subs = []
        for s in c.subs:
            locs = list(subs_occ.get(s.heading, []))
            if locs:
                subs.append(SubIndexEntry(s.heading, sort_key(s.sort_key or s.heading, sort, sub=True), locs,
                                          collapse(locs)))
        subs.sort(key=lambda x: x.sort_key)
        if not main_locs and not subs:
            has_content[c.heading] = False
            continue
        has_content[c.heading] = True
        e = Entry(c.heading, sort_key(c.sort_key or c.heading, sort), "main", c.heading,
                  gloss=c.acronyms[0] if c.acronyms else None, locators=main_locs, ranges=collapse(main_locs), subs=subs)
        built[c.heading] = e
        entries.append(e)

    dropped: list[tuple[str, str]] = []

    def target_heading(target: str) -> str | None:
        found = vocab.resolve(target)
        if found is None:
            return None
        tc, sub = found
        final = vocab.final_target(tc) if tc.see else tc
        if final is None or not has_content.get(final.heading):
            return None
        if sub is not None and final is tc:
            e = built[final.heading]
            if not any(fold(x.heading) == fold(sub.heading) for x in e.subs):
                return None
            return f"{final.heading}: {sub.heading}"
        return final.heading

    for c in vocab.concepts:
        if c.heading in built:
            e = built[c.heading]
            also = []
            for t in c.see_also:
                h = target_heading(t)
                if h is None:
                    dropped.append((c.heading, t))
                elif h != c.heading and h not in also:
                    also.append(h)
            e.see_also = sorted(also, key=lambda h: sort_key(h, sort))
        elif c.see:
            h = target_heading(c.see)
            if h is None:
                dropped.append((c.heading, c.see))
                continue
            entries.append(Entry(c.heading, sort_key(c.sort_key or c.heading, sort), "see", c.heading, see=h))

    # the first acronym is double-posted with identical locators (a "see" reference when double_post = false);
    # further acronyms ("JSDF" beside "SDF") are "see" references
    for c in vocab.concepts:
        e = built.get(c.heading)
        if e is None:
            continue
        for n, a in enumerate(c.acronyms):
            if fold(a) == fold(c.heading):
                continue
            if c.double_post and n == 0:
                entries.append(Entry(a, sort_key(a, sort), "acronym", c.heading, gloss=c.heading,
                                     locators=list(e.locators), ranges=list(e.ranges), subs=list(e.subs),
                                     see_also=list(e.see_also)))
            else:
                entries.append(Entry(a, sort_key(a, sort), "see", c.heading, see=c.heading))
    entries.sort(key=lambda x: (x.sort_key, x.kind))
    return Index(entries, sort, paged, missing, dropped)


def collapse(locators: list[Locator]) -> list[Range]:
    """Consecutive pages (12, 13, 14 -> 12–14; iv, v -> iv–v), or consecutive blocks of one contribution."""
    out: list[Range] = []
    last: Locator | None = None
    for loc in locators:
        if last is not None and (_follows(last, loc) if last.page is not None or loc.page is not None else
                                 loc.block == last.block + 1 and loc.contribution == last.contribution):
            out[-1].last = loc
        else:
            out.append(Range(loc, loc))
        last = loc
    return out


def _follows(prev: Locator, loc: Locator) -> bool:
    if prev.page is not None and loc.page is not None:
        a, b = page_order(prev.page), page_order(loc.page)
        return a[0] == b[0] and a[0] < 2 and b[1] == a[1] + 1
    if prev.page is None and loc.page is None:
        return prev.contribution == loc.contribution and loc.block == prev.block + 1
    return False


# -- text ------------------------------------------------------------------------------------------------------------
def format_locators(ranges: list[Range]) -> str:
    """"12, 14–16" with pages; "cook 3–5, 9; hirono 12" with (contribution, paragraph) locators."""
    if not ranges:
        return ""
    if ranges[0].first.page is not None:
        return ", ".join(r.label for r in ranges)
    parts: list[str] = []
    current, labels = None, []
    for r in ranges:
        if r.first.contribution != current:
            if labels:
                parts.append(f"{current} {', '.join(labels)}")
            current, labels = r.first.contribution, []
        labels.append(r.label)
    parts.append(f"{current} {', '.join(labels)}")
    return "; ".join(parts)


def render_text(index: Index) -> str:
    """The index as a reader sees it, letter by letter, sub-entries indented, "See also" last."""
    lines: list[str] = []
    for letter, entries in index.groups():
        if lines:
            lines.append("")
        lines.append("Symbols and numerals" if letter == "#" else letter)
        for e in entries:
            if e.kind == "see":
                lines.append(f"{e.label}. See {e.see}")
                continue
            locs = format_locators(e.ranges)
            head = f"{e.label}, {locs}" if locs else e.label
            if e.see_also and not e.subs:  # Chicago: on the heading's line when there are no sub-entries
                lines.append(f"{head}. See also {'; '.join(e.see_also)}")
                continue
            lines.append(head)
            for s in e.subs:
                lines.append(f"    {s.heading}, {format_locators(s.ranges)}")
            if e.see_also:  # after the sub-entries
                lines.append(f"    See also {'; '.join(e.see_also)}")
    return "\n".join(lines) + ("\n" if lines else "")


# -- concepts by contributions -------------------------------------------------------------------------------------
@dataclass
class Matrix:
    """How often each concept occurs in each contribution (sub-entries counted with their heading)."""

    concepts: list[str]  # headings, in index order
    contributions: list[str]  # ids, in the order
    counts: dict[str, dict[str, int]]

    def row(self, concept: str) -> list[int]:
        return [self.counts.get(concept, {}).get(c, 0) for c in self.contributions]

    @property
    def maximum(self) -> int:
        return max((n for row in self.counts.values() for n in row.values()), default=0)

    def to_json(self) -> dict[str, Any]:
        return {"contributions": self.contributions,
                "rows": [{"concept": c, "counts": self.row(c), "total": sum(self.row(c))} for c in self.concepts]}


def concept_matrix(vocab: Vocabulary, occurrences: Iterable[Any], order: list[str], sort: str = "word") -> Matrix:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in occurrences:
        counts[o.concept][o.contribution] += 1
    used = [c for c in vocab.concepts if not c.see and c.heading in counts]
    used.sort(key=lambda c: sort_key(c.sort_key or c.heading, sort))
    return Matrix([c.heading for c in used], list(order), {k: dict(v) for k, v in counts.items()})
