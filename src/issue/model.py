"""The records every stage shares: people, contributions, the issue, and source locations."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Location:
    """Where something stands in an input file.

    Text formats (.md, .tex, .txt, .bib, .toml) have line and column (1-based);
    .docx and .odt have a paragraph number (1-based) and a column inside that paragraph.
    """

    file: str  # path relative to the issue folder, POSIX separators
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    paragraph: int | None = None
    paragraph_words: str | None = None  # the paragraph's opening words, for .docx/.odt

    def label(self) -> str:
        """`file:line:col` or `file:¶n` (the compiler-style prefix)."""
        if self.paragraph is not None:
            return f"{self.file}:¶{self.paragraph}" + (f":{self.column}" if self.column else "")
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Person:
    name: str
    affiliation: str | None = None
    orcid: str | None = None
    email: str | None = None
    bio: str | None = None
    url: str | None = None

    @property
    def surname(self) -> str:
        from .names import surname_of

        return surname_of(self.name)


@dataclass
class Contribution:
    id: str
    file: str  # relative to the issue folder
    title: str
    kind: str = "article"
    authors: list[Person] = field(default_factory=list)
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    doi: str | None = None
    pages: str | None = None
    short_title: str | None = None
    unusable: bool = False  # its file is missing or outside the issue folder: reported, never read

    @property
    def author_names(self) -> str:
        names = [a.name for a in self.authors]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass
class Issue:
    """The manifest, validated: the issue's metadata, people and contributions."""

    root: Path
    title: str
    subtitle: str | None = None
    journal: str | None = None
    series: str | None = None
    volume: str | None = None
    number: str | None = None
    year: int | None = None
    publisher: str | None = None
    place: str | None = None
    issn: str | None = None
    isbn: str | None = None
    doi: str | None = None
    license: str | None = None
    language: str = "en-GB"
    style: str = "chicago-author-date"
    url: str | None = None
    bibliography: list[str] = field(default_factory=lambda: ["bibliography/*.bib"])
    editors: list[Person] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    check: dict[str, Any] = field(default_factory=dict)  # the [check] table
    citations: dict[str, Any] = field(default_factory=dict)  # the [citations] table
    bib: dict[str, Any] = field(default_factory=dict)  # the [bibliography] options table
    build: dict[str, Any] = field(default_factory=dict)  # the [build] table
    raw: dict[str, Any] = field(default_factory=dict)  # the parsed TOML, for later stages

    def contribution(self, cid: str) -> Contribution | None:
        return next((c for c in self.contributions if c.id == cid), None)

    @property
    def manifest_path(self) -> Path:
        return self.root / "issue.toml"
