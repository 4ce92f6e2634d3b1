"""The bibliography model: Name, Entry, Bibliography (what every other part of `issue` reads)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Location
from ..names import fold

# biblatex and BibTeX spell some fields differently; `Entry.get` accepts either name
FIELD_ALIASES = {
    "journal": "journaltitle", "journaltitle": "journal",
    "address": "location", "location": "address",
    "school": "institution",
    "annote": "annotation", "annotation": "annote",
    "key": "sortkey",
}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_RANGE = re.compile(r"^\s*([0-9A-Za-z]+)\s*(?:-{1,3}|–|—|‐|‑|−)\s*([0-9A-Za-z]+)\s*$")
MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}


@dataclass
class Name:
    """One person (or organisation) of an author or editor list, in Unicode."""

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""
    corporate: bool = False  # {{United Nations}}
    raw: str = ""  # as written in the .bib (LaTeX)

    def display(self) -> str:
        """'Cedric de Coning', 'Martin Luther King Jr.', 'United Nations'."""
        if self.corporate:
            return self.last
        return " ".join(p for p in (self.first, self.von, self.last, self.jr) if p)

    def inverted(self) -> str:
        """'de Coning, Cedric' (for lists sorted by surname)."""
        if self.corporate or not self.first:
            return self.full_last + (f", {self.jr}" if self.jr else "")
        return f"{self.full_last}, " + (f"{self.jr}, " if self.jr else "") + self.first

    @property
    def full_last(self) -> str:
        """The surname with its particle: 'de Coning', 'van der Pijl'."""
        return f"{self.von} {self.last}" if self.von else self.last

    @property
    def folded_last(self) -> str:
        """The last name without particle, case and accents removed ('Coning'), for matching citations."""
        return fold(self.last)

    @property
    def folded_full_last(self) -> str:
        """The last name with its particle, folded ('de coning')."""
        return fold(self.full_last)


@dataclass
class Entry:
    """One entry. `fields` is Unicode with braces removed and crossref/xdata inherited; `raw_fields` is the
    entry's own LaTeX values as BibTeX reads them (@string macros expanded, outer delimiters removed);
    `expressions` holds the values not written as a plain {...} exactly as written (`io`, `jan # "~1"`,
    `"Title"`, `1984`); `expression(name)` gives any value as written."""

    key: str
    type: str
    fields: dict[str, str] = field(default_factory=dict)
    raw_fields: dict[str, str] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=lambda: Location(""))
    field_positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # own field -> (line, column)
    authors: list[Name] = field(default_factory=list)
    editors: list[Name] = field(default_factory=list)
    others: dict[str, bool] = field(default_factory=dict)  # "and others" in author/editor
    protected: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # braced spans of fields[name]
    inherited: dict[str, str] = field(default_factory=dict)  # field -> key of the entry it came from
    parents: list[str] = field(default_factory=list)  # crossref and xdata targets as written
    missing_parents: list[tuple[str, str]] = field(default_factory=list)  # (field, key) not found
    cyclic_parents: list[tuple[str, str]] = field(default_factory=list)  # (field, key) that leads back here
    aliases: list[str] = field(default_factory=list)  # biblatex `ids`
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message) found while loading
    recovered: bool = False  # read from a block with a syntax error

    # the cache pickles thousands of entries: leave out the empty containers, restore them on loading
    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v or k in ("key", "type")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(_EMPTY_ENTRY_STATE())
        self.__dict__.update(state)

    def expression(self, name: str) -> str | None:
        """The value of the entry's own field `name` as written in the .bib file."""
        if name in self.expressions:
            return self.expressions[name]
        raw = self.raw_fields.get(name)
        return None if raw is None else "{" + raw + "}"

    # -- derived values (properties, so they follow the fields) -------------------------------------------
    def get(self, name: str, default: str | None = None) -> str | None:
        """A field by its BibTeX or biblatex name ('journal' finds journaltitle too)."""
        value = self.fields.get(name)
        if value is None and name in FIELD_ALIASES:
            value = self.fields.get(FIELD_ALIASES[name])
        return value if value is not None else default

    @property
    def year(self) -> str | None:
        """The plain year: from `year` ('2015', 'forthcoming') or from biblatex `date` ('2015-03' -> '2015')."""
        year = self.fields.get("year")
        if year:
            m = re.fullmatch(r"(\d{4})[a-z]?", year.strip())
            return m.group(1) if m else year.strip()
        date = self.fields.get("date")
        if date:
            m = _YEAR.search(date)
            return m.group(1) if m else date.strip()
        return None

    @property
    def month(self) -> int | None:
        date = self.fields.get("date")
        if date and not self.fields.get("year"):
            m = re.match(r"\s*\d{4}-(\d{2})", date)
            if m and 1 <= int(m.group(1)) <= 12:
                return int(m.group(1))
        m = re.match(r"\s*([A-Za-z]+|\d+)", self.fields.get("month") or "")
        month = m.group(1).lower() if m else ""
        if month.isdigit() and 1 <= int(month) <= 12:
            return int(month)
        for name, n in MONTHS.items():
            if len(month) >= 3 and name.startswith(month):
                return n
        return None

    @property
    def title(self) -> str | None:
        return self.fields.get("title")

    @property
    def container(self) -> str | None:
        """The journal or the book this entry is part of."""
        return self.get("journaltitle") or self.fields.get("booktitle")

    @property
    def shortauthor(self) -> str | None:
        return self.fields.get("shortauthor")

    @property
    def shorthand(self) -> str | None:
        return self.fields.get("shorthand")

    @property
    def doi(self) -> str | None:
        from ..identifiers import normalise_doi

        doi = self.fields.get("doi")
        return normalise_doi(doi) if doi else None

    @property
    def pages(self) -> str | None:
        """Page range with an en dash ('685–708'), or the field as written when it is not a simple range."""
        pages = self.fields.get("pages")
        if not pages:
            return None
        m = _RANGE.match(pages)
        if m:
            return f"{m.group(1)}–{m.group(2)}"
        return pages.strip()

    @property
    def names(self) -> list[Name]:
        """The authors, or the editors when there are none (what an author-date citation names)."""
        return self.authors or self.editors

    def field_location(self, name: str) -> Location:
        """Where field `name` is written (the entry's own field, else the entry's '@')."""
        pos = self.field_positions.get(name)
        if pos is None:
            return self.location
        return Location(self.location.file, line=pos[0], column=pos[1])

    def label(self) -> str:
        """'de Coning 2017' (for messages and `refs search`)."""
        names = self.names
        if not names:
            who = self.fields.get("title", self.key)[:40]
        elif len(names) == 1:
            who = names[0].full_last
        elif len(names) == 2:
            who = f"{names[0].full_last} and {names[1].full_last}"
        else:
            who = f"{names[0].full_last} et al."
        return f"{who} {self.year or 'n.d.'}"


def _EMPTY_ENTRY_STATE() -> dict:
    return {"fields": {}, "raw_fields": {}, "expressions": {}, "location": Location(""), "field_positions": {},
            "authors": [], "editors": [], "others": {}, "protected": {}, "inherited": {}, "parents": [],
            "missing_parents": [], "cyclic_parents": [], "aliases": [], "problems": [], "recovered": False}


@dataclass
class Bibliography:
    """Every entry of the issue's .bib files, by key in file order."""

    entries: dict[str, Entry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)  # @string macros (lower-case name -> LaTeX)
    preambles: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # old key (ids, key map) -> key
    shadowed: list[Entry] = field(default_factory=list)  # later entries with a key already taken
    texts: dict[str, str] = field(default_factory=dict)  # file -> its text (for diagnostics' context)
    _folded: dict[str, str] = field(default_factory=dict, repr=False)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_folded", "_lines")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._folded, self._lines = {}, {}

    def lines(self, file: str) -> list[str]:
        """The lines of one of the bibliography's files (as read: BOM removed, newlines normalised)."""
        if file not in self._lines:
            self._lines[file] = self.texts.get(file, "").split("\n")
        return self._lines[file]

    def get(self, key: str) -> Entry | None:
        """The entry of `key`: exact, then an alias (biblatex ids, the merge key map), then ignoring case."""
        entry = self.entries.get(key)
        if entry is not None:
            return entry
        target = self.aliases.get(key)
        if target is not None:
            return self.entries.get(target)
        if not self._folded:
            self._folded = {}
            for k in self.entries:
                self._folded.setdefault(k.casefold(), k)
            for k, v in self.aliases.items():
                self._folded.setdefault(k.casefold(), v)
        found = self._folded.get(key.casefold())
        return self.entries.get(found) if found is not None else None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries.values())

    def line(self, file: str, line: int | None) -> str | None:
        if file not in self.texts or not line:
            return None
        lines = self.lines(file)
        return lines[line - 1] if line <= len(lines) else None
