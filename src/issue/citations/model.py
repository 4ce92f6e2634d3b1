"""The Citation record: one in-text citation, where it stands, what it says, and what it resolved to."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Location

FORMS = ("parenthetical", "narrative", "secondary", "markup")


@dataclass
class Citation:
    file: str  # the manuscript, relative to the issue folder
    contribution: str  # contribution id
    block: int  # Block.index (for a footnote: the index of the block that holds its marker)
    start: int  # span in block.text
    end: int
    location: Location
    text: str  # block.text[start:end]
    form: str  # parenthetical | narrative | secondary | markup
    authors: list[str] = field(default_factory=list)  # as written: ["Keohane", "Nye"], ["Robert Keohane"]
    et_al: bool = False
    year: str | None = None  # "1979", "n.d.", "forthcoming", "in press"
    suffix: str = ""  # "a" of "1979a"
    locator: str | None = None  # as written, without the separator: "246", "p. 23", "ch. 3"
    locator_sep: str = ""  # what stood between the year and the locator: ", " or ": " or ":"
    prefix: str | None = None  # "see", "e.g.", "cf.", "quoted in"
    postnote: str | None = None  # anything after the locator: "emphasis added"
    group: int = 0  # citations in one parenthesis (or one [@a; @b]) share it
    key: str | None = None  # the bibliography entry it resolves to
    written_key: str | None = None  # markup: the key as written ([@key], \\cite{key})
    candidates: list[str] = field(default_factory=list)  # keys it might have meant (unresolved or ambiguous)
    crossref: str | None = None  # a contribution id: "Jones (2020)" naming a paper of this issue
    mode: str | None = None  # markup: NormalCitation | AuthorInText | SuppressAuthor
    original: str | None = None  # secondary: the work quoted ("Carr 1939"), not itself resolved
    note_number: int | None = None  # the footnote the citation stands in
    author_text: str = ""  # the authors exactly as in the text ("Keohane and Nye"), for corporate matching
    author_span: tuple[int, int] | None = None  # where the authors stand, when apart from the span
    findings: list[str] = field(default_factory=list)  # codes of the C2xx findings on this citation
    capitalised: bool = False  # markup: natbib's \Citet, \Citep... (the name printed with a capital)

    @property
    def status(self) -> str:
        """For the citation report: resolved, finding (resolved with a finding), unresolved, crossref."""
        if self.crossref and not self.key:
            return "crossref"
        if not self.key:
            return "unresolved"
        return "finding" if self.findings else "resolved"

    def label(self) -> str:
        """'Keohane and Nye 1977a' (prose) or '@key' (markup)."""
        if self.form == "markup" and not self.authors:
            return "@" + (self.written_key or self.key or "?")
        names = self.authors[0] + " et al." if self.et_al and self.authors else _join(self.authors)
        return f"{names} {self.year or ''}{self.suffix}".strip()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "contribution": self.contribution, "block": self.block}
        loc = self.location
        if loc.paragraph is not None:
            out["paragraph"] = loc.paragraph
            if loc.column is not None:
                out["column"] = loc.column
        else:
            out["line"] = loc.line
            out["column"] = loc.column
        if self.note_number is not None:
            out["note"] = self.note_number
        out.update({
            "start": self.start, "end": self.end, "text": self.text, "form": self.form, "authors": list(self.authors),
            "et_al": self.et_al, "year": self.year, "suffix": self.suffix, "locator": self.locator,
            "prefix": self.prefix, "group": self.group, "key": self.key, "status": self.status,
        })
        for name in ("candidates", "findings"):
            value = getattr(self, name)
            if value:
                out[name] = list(value)
        for name in ("written_key", "crossref", "mode", "original", "postnote"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.capitalised:
            out["capitalised"] = True
        if self.author_span:
            out["author_start"], out["author_end"] = self.author_span
        return out


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
