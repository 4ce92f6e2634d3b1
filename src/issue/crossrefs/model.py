"""The CrossRef record: one place where a contribution refers to others in the issue ("Jones, this issue").

Each record carries the span in its block's text (block index, start, end), so that the website and print
writers can turn it into a link without re-reading the manuscript, and the ids of the contributions it names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Contribution, Location
from ..names import surname_of

# The forms a record can have: a marker phrase ("this issue", "this volume", ...) written after the names, or
# one of these, which carry no marker.
POSSESSIVE = "possessive"  # "in Newby's paper"
PAPERS_BY = "papers-by"  # "the papers by Hirono and Newby"
NAME = "name"  # the introduction names a contributor: "Miwa Hirono examines ..."
AUTHOR_DATE = "author-date"  # an author-date citation of a contribution: "(Hirono 2020)"

RESOLVED, UNKNOWN, AMBIGUOUS = "resolved", "unknown", "ambiguous"


@dataclass(frozen=True)
class Link:
    """A stretch of the record's text that should link to one contribution."""

    start: int
    end: int
    target: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "target": self.target}


@dataclass
class CrossRef:
    file: str  # the manuscript, relative to the issue folder
    contribution: str  # the id of the contribution that makes the reference
    block: int  # Block.index; for a footnote, the index of the block that holds its marker
    start: int  # span in the block's text
    end: int
    location: Location
    text: str  # the span as written
    names: list[str]  # the names as written, in order
    targets: list[str]  # ids of the contributions referred to, in order of mention (resolved names only)
    form: str  # "this issue", "this volume", ... or POSSESSIVE, PAPERS_BY, NAME, AUTHOR_DATE
    status: str = RESOLVED  # RESOLVED, or UNKNOWN / AMBIGUOUS when some name could not be resolved
    links: list[Link] = field(default_factory=list)
    note: int | None = None  # the footnote number when the reference stands in a footnote
    candidates: list[str] = field(default_factory=list)  # for AMBIGUOUS: the contributions it could mean
    # extract.Part for each run of names (what each name resolved to); for the rules, not part of the JSON
    parts: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def has_marker(self) -> bool:
        return self.form not in (POSSESSIVE, PAPERS_BY, NAME, AUTHOR_DATE)

    def to_json(self) -> dict[str, Any]:
        loc = self.location.to_json()
        loc.pop("file", None)
        out: dict[str, Any] = {
            "file": self.file,
            "contribution": self.contribution,
            "block": self.block,
            **({"note": self.note} if self.note is not None else {}),
            "start": self.start,
            "end": self.end,
            **loc,
            "text": self.text,
            "names": list(self.names),
            "targets": list(self.targets),
            "form": self.form,
            "status": self.status,
            "links": [link.to_json() for link in self.links],
        }
        if self.candidates:
            out["candidates"] = list(self.candidates)
        return out


def short_authors(contribution: Contribution) -> str:
    """The authors as a cross-reference names them: 'Jones', 'Cook and Yogendran', 'Hirono, Newby and Jones';
    'Cook et al.' from four authors (Chicago author-date)."""
    surnames = [surname_of(a.name) for a in contribution.authors if a.name.strip()]
    if not surnames:
        return contribution.short_title or contribution.title
    if len(surnames) >= 4:
        return f"{surnames[0]} et al."
    if len(surnames) <= 2:
        return " and ".join(surnames)
    return ", ".join(surnames[:-1]) + " and " + surnames[-1]


def _page_range(pages: str | int | None) -> str | None:
    if pages is None:
        return None
    text = str(pages).strip()
    if not text:
        return None
    # "89-107", "89--107", "89 - 107" -> "89–107" (an en dash, as typeset)
    parts = [p.strip() for p in text.replace("—", "-").replace("–", "-").split("-") if p.strip()]
    return "–".join(parts) if parts else None


def page_reference(contribution: Contribution, pages: str | int | None = None, house_form: str = "this issue") -> str:
    """The reference as print gives it: 'Jones, this issue, 89–107'.

    `pages` (from the typeset issue, e.g. build/pages.toml) wins over `contribution.pages` from the manifest; without
    either the reference has no page range: 'Jones, this issue'.
    """
    text = f"{short_authors(contribution)}, {house_form}"
    page_range = _page_range(pages if pages is not None else contribution.pages)
    return f"{text}, {page_range}" if page_range else text
