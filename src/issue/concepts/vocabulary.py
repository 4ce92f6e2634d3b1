"""The index vocabulary: concepts.toml, loaded and validated with diagnostics that point at its lines.

Format (also documented at the top of the demo's concepts.toml):

    [[concept]]
    heading = "peacekeeping operations"        # required: the heading as printed
    variants = ["peace operations"]            # other forms posted here (spellings, plurals,
                                               #   hyphenation and possessives are found without listing)
    acronyms = ["PKO"]                         # matched case-sensitively, with plurals (PKOs)
    double_post = true                         # the acronym gets its own entry with the same locators
                                               #   (false: "PKO. See peacekeeping operations")
    see_also = ["peacebuilding"]               # headings (or "heading: sub-entry")
    sort_key = "peacekeeping operations"       # sort as if written so
    scope = ["jones", "mulloy"]                # index it only in these contributions
    exclude = ["Peace Operations Review"]      # phrases where a match is not this concept (false friends)

      [[concept.sub]]
      heading = "in South East Asia"           # printed under the heading; "in" is ignored in sorting
      variants = ["South East Asian peacekeeping"]
                                               # forms posted here, besides "peacekeeping operations in
                                               #   South East Asia" (or "functional cooperation" for a
                                               #   sub-entry "functional" of "cooperation")

    [[concept]]
    heading = "co-operation"
    see = "cooperation"                        # a cross-reference only: no locators; its forms post to the target

The `[index]` table of issue.toml may set `vocabulary = "concepts.toml"`, `sort = "word" | "letter"` and
`max_locators = 6`.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics.core import Diagnostic, make
from ..model import Location
from ..names import fold
from . import rules as R

DEFAULT_FILE = "concepts.toml"
CONCEPT_KEYS = {"heading": str, "variants": list, "acronyms": list, "sub": list, "see": str, "see_also": list,
                "sort_key": str, "scope": list, "exclude": list, "double_post": bool}
SUB_KEYS = {"heading": str, "variants": list, "sort_key": str, "scope": list, "exclude": list}
INDEX_KEYS = {"vocabulary": str, "sort": str, "max_locators": int}
SORTS = ("word", "letter")
# words a sub-entry may start with that are ignored in sorting; they also decide how its default form is composed
LEADING_WORDS = {"a", "an", "the", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "to", "with",
                 "versus", "vs", "between", "among", "within", "under", "over", "through", "via", "during",
                 "against", "after", "before", "beyond", "without", "toward", "towards", "across", "amid"}


@dataclass
class SubEntry:
    heading: str
    variants: list[str] = field(default_factory=list)
    sort_key: str | None = None
    scope: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    index: int = 0  # position under its concept

    def forms_for(self, main: str) -> list[str]:
        """The written forms that post to this sub-entry: its variants and the phrase it stands for."""
        first = self.heading.split(" ", 1)[0].casefold()
        if first in LEADING_WORDS:
            composed = f"{main} {self.heading}"  # "cooperation" + "in disaster relief"
        else:
            composed = f"{self.heading} {main}"  # "functional" + "cooperation"
        return [composed, *self.variants]


@dataclass
class Concept:
    heading: str
    index: int  # position in concepts.toml (0-based)
    variants: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    subs: list[SubEntry] = field(default_factory=list)
    see: str | None = None
    see_also: list[str] = field(default_factory=list)
    sort_key: str | None = None
    scope: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    double_post: bool = True

    @property
    def key(self) -> str:
        return self.heading


@dataclass
class Settings:
    vocabulary: str = DEFAULT_FILE
    sort: str = "word"
    max_locators: int = 6


class _Positions:
    """Lines of [[concept]] tables, their keys and values in concepts.toml.

    tomllib gives no positions; this scanner knows only what the format needs ([[concept]], [[concept.sub]],
    `key =`, quoted values), which is enough to point an editor at a line.
    """

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.concept_lines: list[int] = []
        self.sub_lines: dict[tuple[int, int], int] = {}
        self.keys: dict[tuple, int] = {}
        self.top_keys: dict[str, int] = {}
        self.spans: list[tuple[int, int]] = []  # (first line, last line) of each concept
        ci, si = -1, -1  # the current concept and sub-entry; ci == -1 at top level, -2 in a foreign table
        count = 0
        for n, line in enumerate(self.lines, 1):
            s = line.strip()
            if re.match(r"^\[\[\s*concept\s*\]\]", s):
                ci, si = count, -1
                count += 1
                self.concept_lines.append(n)
                continue
            if re.match(r"^\[\[\s*concept\s*\.\s*sub\s*\]\]", s):
                si += 1
                self.sub_lines[(ci, si)] = n
                continue
            m_table = re.match(r"^\[+\s*([^\]]+?)\s*\]+", s)
            if m_table:
                self.top_keys.setdefault(m_table.group(1), n)
                ci, si = -2, -1  # keys below belong to a foreign table
                continue
            m = re.match(r"^([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=", s)
            if m:
                key = m.group(1).strip('"')
                if ci == -1:
                    self.top_keys.setdefault(key, n)
                elif ci >= 0:
                    self.keys.setdefault((ci, si, key), n)
        for i, start in enumerate(self.concept_lines):
            end = self.concept_lines[i + 1] - 1 if i + 1 < len(self.concept_lines) else len(self.lines)
            self.spans.append((start, end))

    def where(self, ci: int, key: str | None = None, value: str | None = None,
              sub: int | None = None) -> tuple[int | None, int | None]:
        """(line, column) of a concept, one of its keys, or a quoted value inside it."""
        si = -1 if sub is None else sub
        line = None
        if key is not None:
            line = self.keys.get((ci, si, key))
        if line is None and sub is not None:
            line = self.sub_lines.get((ci, sub))
        if line is None and 0 <= ci < len(self.concept_lines):
            line = self.concept_lines[ci]
        if value is not None and 0 <= ci < len(self.spans):
            lo, hi = self.spans[ci]
            start = line or lo
            for n in list(range(start, hi + 1)) + list(range(lo, start)):
                col = self.lines[n - 1].find(f'"{value}"')
                if col < 0:
                    col = self.lines[n - 1].find(f"'{value}'")
                if col >= 0:
                    return n, col + 2
        if line is not None:
            text = self.lines[line - 1]
            return line, len(text) - len(text.lstrip()) + 1
        return None, None


@dataclass
class Vocabulary:
    file: str
    concepts: list[Concept]
    text: str = ""
    _positions: _Positions | None = None
    _by_key: dict[str, Concept] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._by_key = {}
        for c in self.concepts:
            self._by_key.setdefault(fold(c.heading), c)
            for a in c.acronyms:
                self._by_key.setdefault("\0" + a, c)

    def concept(self, heading: str) -> Concept | None:
        return self._by_key.get(fold(heading))

    def resolve(self, target: str) -> tuple[Concept, SubEntry | None] | None:
        """A reference target: a heading, an acronym (double-posted), or "heading: sub-entry"."""
        c = self._by_key.get(fold(target)) or self._by_key.get("\0" + target.strip())
        if c is not None:
            return c, None
        if ": " in target:
            head, _, sub = target.rpartition(": ")
            c = self._by_key.get(fold(head))
            if c is not None:
                for s in c.subs:
                    if fold(s.heading) == fold(sub):
                        return c, s
        return None

    def see_path(self, c: Concept) -> list[Concept] | None:
        """The concepts a "see" reference leads through, ending at one that is not a "see" entry; None on a loop."""
        path = [c]
        seen = {id(c)}
        while path[-1].see:
            found = self.resolve(path[-1].see)
            if found is None:
                return path
            nxt = found[0]
            if id(nxt) in seen:
                return None
            seen.add(id(nxt))
            path.append(nxt)
        return path

    def see_cycle(self, c: Concept) -> list[Concept]:
        """The loop that `c`'s "see" reference runs into (for the message)."""
        path = [c]
        while True:
            found = self.resolve(path[-1].see or "")
            if found is None:
                return path
            nxt = found[0]
            if nxt in path:
                return path[path.index(nxt):]
            path.append(nxt)

    def final_target(self, c: Concept) -> Concept | None:
        """Where a "see" entry's occurrences are posted: the end of its chain (None on a loop or blind)."""
        path = self.see_path(c)
        if path is None or path[-1].see:
            return None
        return path[-1]

    def suggest_heading(self, target: str) -> str | None:
        """For a blind reference: the heading whose variant it names, or the closest heading."""
        from .variants import forms_of

        t = target.casefold()
        for c in self.concepts:
            if t in {v.casefold() for v in c.variants} or t in forms_of(c.heading):
                return f"did you mean '{c.heading}' (of which '{target}' is a form)?"
        close = difflib.get_close_matches(fold(target), [fold(c.heading) for c in self.concepts], n=1, cutoff=0.75)
        if close:
            return f"did you mean '{self._by_key[close[0]].heading}'?"
        return "add a [[concept]] with this heading, or correct the reference"

    # -- diagnostics ---------------------------------------------------------------------------------------------
    def diagnostic(self, code: str, message: str, ci: int | None = None, *, key: str | None = None,
                   value: str | None = None, sub: int | None = None, suggestion: str | None = None,
                   line: int | None = None, column: int | None = None) -> Diagnostic:
        if line is None and ci is not None and self._positions is not None:
            line, column = self._positions.where(ci, key, value, sub)
        context = None
        if line is not None and self._positions is not None and 0 < line <= len(self._positions.lines):
            context = self._positions.lines[line - 1]
        excerpt = value if value and context and value in context else (context.strip() if context else None)
        start = context.find(excerpt) if context and excerpt else None
        return make(code, message, Location(self.file, line=line, column=column), excerpt=excerpt, context=context,
                    context_start=start if start is not None and start >= 0 else None, suggestion=suggestion)


# -- loading ---------------------------------------------------------------------------------------------------------
def settings_of(issue: Any) -> tuple[Settings, list[Diagnostic]]:
    """The [index] table of issue.toml, validated."""
    raw = (getattr(issue, "raw", None) or {}).get("index", {})
    diags: list[Diagnostic] = []
    where = Location("issue.toml")
    if not isinstance(raw, dict):
        return Settings(), [make(R.VOCABULARY.code, "[index] should be a table", where)]
    s = Settings()
    for key, value in raw.items():
        if key not in INDEX_KEYS:
            close = difflib.get_close_matches(key, sorted(INDEX_KEYS), n=1)
            diags.append(make(R.UNKNOWN_KEY.code, f"[index] has no key '{key}'", where, excerpt=key,
                              suggestion=f"did you mean '{close[0]}'?" if close else
                              f"known keys: {', '.join(sorted(INDEX_KEYS))}"))
            continue
        if not isinstance(value, INDEX_KEYS[key]) or isinstance(value, bool):
            diags.append(make(R.VOCABULARY.code, f"[index] {key} should be a {INDEX_KEYS[key].__name__}", where,
                              excerpt=f"{key} = {value!r}"))
            continue
        if key == "sort" and value not in SORTS:
            diags.append(make(R.VOCABULARY.code, f"[index] sort = '{value}' is not 'word' or 'letter'", where,
                              excerpt=value, suggestion='sort = "word" (the default) or sort = "letter"'))
            continue
        if key == "max_locators" and value < 1:
            diags.append(make(R.VOCABULARY.code, "[index] max_locators should be 1 or more", where, excerpt=str(value)))
            continue
        setattr(s, key, value)
    return s, diags


def load_vocabulary(root: Path, issue: Any = None,
                    settings: Settings | None = None) -> tuple[Vocabulary | None, list[Diagnostic]]:
    """concepts.toml (or [index] vocabulary) of an issue folder. No file, no index, no error, unless the manifest
    names a file that is not there."""
    diags: list[Diagnostic] = []
    if settings is None:
        settings, diags = settings_of(issue)
    rel = settings.vocabulary
    explicit = bool((getattr(issue, "raw", None) or {}).get("index", {}).get("vocabulary")) if issue else False
    candidate = Path(rel)
    if candidate.is_absolute() or ".." in candidate.parts:
        return None, diags + [make(R.VOCABULARY.code, f"[index] vocabulary '{rel}' leaves the issue folder",
                                   Location("issue.toml"), excerpt=rel,
                                   suggestion="give a path inside the issue folder, e.g. \"concepts.toml\"")]
    path = root / candidate
    if not path.is_file():
        if explicit:
            diags.append(make(R.VOCABULARY.code, f"the index vocabulary '{rel}' does not exist", Location("issue.toml"),
                              excerpt=rel, suggestion="create it, or remove `vocabulary` from [index]"))
        return None, diags
    try:
        if not path.resolve().is_relative_to(root.resolve()):
            return None, diags + [make(R.VOCABULARY.code, f"'{rel}' is a link to a place outside the issue folder",
                                       Location(candidate.as_posix()))]
        data = path.read_bytes()
    except OSError as exc:
        return None, diags + [make(R.VOCABULARY.code, f"cannot read '{rel}': {exc.strerror}",
                                   Location(candidate.as_posix()))]
    ids = [c.id for c in getattr(issue, "contributions", [])] if issue is not None else None
    vocab, more = parse_vocabulary(data, candidate.as_posix(), contribution_ids=ids)
    return vocab, diags + more


def parse_vocabulary(data: bytes | str, file: str = DEFAULT_FILE,
                     contribution_ids: list[str] | None = None) -> tuple[Vocabulary | None, list[Diagnostic]]:
    """Parse and validate the text of a vocabulary. Returns (None, diagnostics) when it cannot be used at all."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [make(R.VOCABULARY.code, f"{file} is not UTF-8 (byte {exc.start})", Location(file),
                               suggestion=f"save {file} as UTF-8")]
    else:
        text = data
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        lines = text.splitlines()
        context = lines[line - 1] if line and line <= len(lines) else None
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        return None, [make(R.VOCABULARY.code, f"TOML syntax: {message}", Location(file, line=line, column=col),
                           excerpt=context.strip() if context else None, context=context,
                           context_start=(len(context) - len(context.lstrip())) if context else None)]
    return _Builder(file, text, contribution_ids).build(raw)


class _Builder:
    def __init__(self, file: str, text: str, ids: list[str] | None):
        self.vocab = Vocabulary(file, [], text, _Positions(text))
        self.ids = ids
        self.diags: list[Diagnostic] = []

    def report(self, code: str, message: str, ci: int | None = None, **kw: Any) -> None:
        self.diags.append(self.vocab.diagnostic(code, message, ci, **kw))

    def build(self, raw: dict) -> tuple[Vocabulary, list[Diagnostic]]:
        pos = self.vocab._positions
        for key in raw:
            if key != "concept":
                hint = ("the table is [[concept]], one per heading" if key in ("concepts", "term", "terms", "entry",
                                                                              "entries", "heading", "headings")
                        else "concepts.toml holds [[concept]] tables only; [index] settings go in issue.toml")
                line = pos.top_keys.get(key) if pos else None
                self.report(R.UNKNOWN_KEY.code, f"concepts.toml has no top-level '{key}'", line=line, column=1,
                            suggestion=hint)
        concepts = raw.get("concept", [])
        if not isinstance(concepts, list):
            self.report(R.VOCABULARY.code, "concept should be an array of tables: write [[concept]], not [concept]",
                        line=pos.top_keys.get("concept") if pos else None, column=1, suggestion="[[concept]]")
            concepts = []
        for i, c in enumerate(concepts):
            concept = self.concept(c, i)
            if concept is None:
                continue
            previous = self.vocab.concept(concept.heading)
            if previous is not None:
                self.report(R.VOCABULARY.code,
                            f"heading '{concept.heading}' is given twice (first in the concept at line "
                            f"{pos.where(previous.index)[0]}); the second is ignored", i, key="heading",
                            value=concept.heading, suggestion="merge the two into one [[concept]]")
                continue
            self.vocab.concepts.append(concept)
            self.vocab._reindex()
        self.vocab._reindex()
        self.diags.extend(R.check_references(self.vocab))
        self.diags.extend(R.check_near_duplicates(self.vocab))
        self.diags.extend(self.ambiguous_forms())
        return self.vocab, self.diags

    def strings(self, table: dict, key: str, ci: int, sub: int | None = None) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report(R.VOCABULARY.code, f"{key} should be an array of strings, like {key} = [\"...\"]", ci, key=key,
                        sub=sub, suggestion=f'{key} = ["{value}"]' if isinstance(value, str) else None)
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        out = []
        for v in value:
            v = " ".join(v.split())
            if not v:
                self.report(R.VOCABULARY.code, f"an empty string in {key}", ci, key=key, sub=sub)
            elif v not in out:
                out.append(v)
        return out

    def known(self, table: dict, keys: dict, ci: int, sub: int | None = None) -> None:
        for key in table:
            if key in keys:
                continue
            close = difflib.get_close_matches(key.replace("-", "_"), sorted(keys), n=1, cutoff=0.6)
            if key in ("variant", "forms", "synonyms"):
                close = ["variants"]
            elif key in ("subs", "sub_entries", "subentries", "subentry"):
                close = ["sub"]
            what = "a sub-entry" if sub is not None else "a concept"
            self.report(R.UNKNOWN_KEY.code, f"{what} has no key '{key}'; it is ignored", ci, key=key, sub=sub,
                        suggestion=f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(keys))}")

    def typed(self, table: dict, keys: dict, ci: int, sub: int | None = None) -> bool:
        ok = True
        for key, kind in keys.items():
            if key in table and kind is not list and not isinstance(table[key], kind):
                self.report(R.VOCABULARY.code, f"{key} should be {'true or false' if kind is bool else 'a string'}, "
                            f"not {type(table[key]).__name__}", ci, key=key, sub=sub)
                ok = False
        return ok

    def scope(self, table: dict, ci: int, sub: int | None = None) -> list[str] | None:
        if "scope" not in table:
            return None
        ids = self.strings(table, "scope", ci, sub)
        if self.ids is not None:
            for cid in ids:
                if cid not in self.ids:
                    close = difflib.get_close_matches(cid, self.ids, n=1)
                    self.report(R.VOCABULARY.code, f"scope names '{cid}', which is not a contribution id of the issue",
                                ci, key="scope", value=cid, sub=sub,
                                suggestion=f"did you mean '{close[0]}'?" if close else
                                f"contribution ids: {', '.join(self.ids)}")
        return ids

    def concept(self, c: Any, i: int) -> Concept | None:
        if not isinstance(c, dict):
            self.report(R.VOCABULARY.code, "each concept should be a table", i)
            return None
        self.known(c, CONCEPT_KEYS, i)
        if not self.typed(c, CONCEPT_KEYS, i):
            if not isinstance(c.get("heading"), str):
                return None
        heading = " ".join(str(c.get("heading", "")).split())
        if not heading:
            self.report(R.VOCABULARY.code, "a concept without a heading is ignored", i,
                        suggestion='add heading = "..." (the entry as printed in the index)')
            return None
        see = c.get("see") if isinstance(c.get("see"), str) else None
        sort = c.get("sort_key") if isinstance(c.get("sort_key"), str) else None
        concept = Concept(heading=heading, index=i, variants=self.strings(c, "variants", i),
                          acronyms=self.strings(c, "acronyms", i), see=see,
                          see_also=self.strings(c, "see_also", i), sort_key=sort or None,
                          scope=self.scope(c, i), exclude=self.strings(c, "exclude", i),
                          double_post=c.get("double_post", True) if isinstance(c.get("double_post", True), bool) else True)
        if concept.see is not None:
            concept.see = " ".join(concept.see.split()) or None
        for a in concept.acronyms:
            if " " in a or not any(ch.isupper() for ch in a):
                self.report(R.VOCABULARY.code, f"acronym '{a}' should be one word with capitals, like \"PKO\"", i,
                            key="acronyms", value=a, suggestion=f'put "{a}" in variants instead')
        subs = c.get("sub", [])
        if not isinstance(subs, list):
            self.report(R.VOCABULARY.code, "sub should be an array of tables: write [[concept.sub]]", i, key="sub")
            subs = []
        seen: set[str] = set()
        for j, s in enumerate(subs):
            if not isinstance(s, dict):
                self.report(R.VOCABULARY.code, "each sub-entry should be a table with a heading", i, sub=j)
                continue
            self.known(s, SUB_KEYS, i, sub=j)
            self.typed(s, SUB_KEYS, i, sub=j)
            sh = " ".join(str(s.get("heading", "")).split()) if isinstance(s.get("heading"), str) else ""
            if not sh:
                self.report(R.VOCABULARY.code, f"a sub-entry of '{heading}' without a heading is ignored", i, sub=j,
                            suggestion='add heading = "..." (the sub-entry as printed)')
                continue
            if fold(sh) in seen:
                self.report(R.VOCABULARY.code, f"'{heading}' has the sub-entry '{sh}' twice; the second is ignored",
                            i, key="heading", value=sh, sub=j)
                continue
            seen.add(fold(sh))
            concept.subs.append(SubEntry(sh, self.strings(s, "variants", i, j),
                                         s.get("sort_key") if isinstance(s.get("sort_key"), str) else None,
                                         self.scope(s, i, j), self.strings(s, "exclude", i, j), len(concept.subs)))
        return concept

    def ambiguous_forms(self) -> list[Diagnostic]:
        """The same form listed under two headings (explicitly: generated forms overlap only by design)."""
        owner: dict[str, Concept] = {}
        diags = []
        for c in self.vocab.concepts:
            explicit = [c.heading, *c.variants, *c.acronyms]
            for form in explicit:
                key = form if form in c.acronyms else form.casefold()
                first = owner.setdefault(key, c)
                if first is not c:
                    diags.append(self.vocab.diagnostic(
                        R.AMBIGUOUS_FORM.code, f"'{form}' belongs to '{first.heading}' and to '{c.heading}'; "
                        f"its occurrences go to '{first.heading}'", c.index, value=form,
                        suggestion=f"keep '{form}' under one heading; the other can say see_also = [\"{first.heading}\"]"))
        return diags
