"""`issue refs merge`: the authors' .bib files -> one shared bibliography and a key map.

Identical works (by the duplicate-entry rules) become one entry under the key the first file gives it; every
field any file has is kept; where files disagree the first file's value is kept and each other value is
reported (merge-conflict) and written in a comment above the entry, so nothing is dropped silently. The key map
(old key -> shared key) lets manuscripts keep citing their authors' own keys; the merged entries also carry the
old keys in biblatex's `ids` field.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics.core import Diagnostic, make
from ..identifiers import normalise_doi
from ..names import fold
from . import rules as R
from .duplicates import find_duplicates
from .format import BOOKKEEPING, format_entry, literal
from .latex import decode
from .load import load_bibliography
from .model import Entry

# spellings of one field in BibTeX and biblatex: compared (and merged) as one
SAME_FIELD = {"journal": "journaltitle", "address": "location", "school": "institution"}
NOT_COMPARED = {"ids", "crossref", "xdata", "keywords", "abstract"}


@dataclass
class Record:
    file: str
    entry: Entry


@dataclass
class MergeResult:
    text: str  # the merged .bib
    keymap: dict[str, str]  # old key -> shared key (keys that changed)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # loading problems and conflicts
    entries_in: int = 0
    entries_out: int = 0
    files: list[str] = field(default_factory=list)
    key_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, key in it) -> shared key

    @property
    def blocked(self) -> bool:
        """Inputs with syntax errors: writing would lose the broken entries."""
        return any(d.code == R.SYNTAX.code and d.severity.value == "error" for d in self.diagnostics)


def _canonical(name: str) -> str:
    return SAME_FIELD.get(name, name)


def _comparable(entry: Entry, name: str) -> str:
    """A field's value as compared across files: decoded, case, accents, braces and spacing ignored."""
    if name == "pages":
        return (entry.pages or "").replace(" ", "")
    if name == "doi":
        return normalise_doi(entry.fields.get("doi", "")).lower()
    if name in ("author", "editor"):
        people = entry.authors if name == "author" else entry.editors
        return ";".join(f"{fold(p.full_last)},{fold(p.first)[:1]}" for p in people)
    if name == "month":
        return str(entry.month or fold(entry.fields.get("month", "")))
    raw = entry.raw_fields.get(name, "")
    return re.sub(r"\s+", " ", fold(decode(raw))).strip().rstrip(".")


def _ignored(name: str) -> bool:
    return name in NOT_COMPARED or name.startswith(BOOKKEEPING) or name in BOOKKEEPING


def merge_files(root: Path, files: list[str], options: dict | None = None) -> MergeResult:
    """Merge `files` (relative to root) in the order given; the first file's values win conflicts."""
    options = options or {}
    records: list[Record] = []
    diags: list[Diagnostic] = []
    preambles: list[str] = []
    for rel in files:
        bib, loaded = load_bibliography(root, [], files=[rel])
        diags += loaded
        for e in sorted(list(bib.entries.values()) + bib.shadowed, key=lambda e: e.location.line or 0):
            records.append(Record(rel, e))
        preambles += [p for p in bib.preambles if p not in preambles]

    # groups of one work: duplicates across and within files (the editor's allow-list applies)
    by_entry = {id(r.entry): i for i, r in enumerate(records)}
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for dup in find_duplicates([r.entry for r in records], distinct=options.get("distinct", []),
                               same_key_ok=False):
        a, b = find(by_entry[id(dup.first)]), find(by_entry[id(dup.second)])
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(find(i), []).append(i)

    # shared keys: the first record's key, made unique when another work already has it
    taken: dict[str, int] = {}
    shared_key: dict[int, str] = {}
    for root_index, members in sorted(groups.items()):
        first = records[members[0]]
        key = first.entry.key
        if key.casefold() in taken:
            other = records[groups[taken[key.casefold()]][0]]
            key = _unique(key, taken)
            diags.append(make(R.MERGE_CONFLICT.code,
                              f"key '{first.entry.key}' names two different works: {_describe(other)} and "
                              f"{_describe(first)}; this one becomes '{key}'",
                              first.entry.location, excerpt=first.entry.key,
                              suggestion=f"the manuscript that cites this work as '{first.entry.key}' must now "
                                         f"cite '{key}'"))
        taken[key.casefold()] = root_index
        shared_key[root_index] = key

    # the key map: (file, old key) -> shared key, and the global old -> shared where unambiguous
    per_file: dict[tuple[str, str], str] = {}
    keymap: dict[str, str] = {}
    ambiguous: set[str] = set()
    shared_keys = {k.casefold() for k in shared_key.values()}
    for root_index, members in groups.items():
        for i in members:
            r = records[i]
            per_file[(r.file, r.entry.key)] = shared_key[root_index]
            old = r.entry.key
            if old == shared_key[root_index] or old.casefold() in shared_keys:
                continue
            if old in keymap and keymap[old] != shared_key[root_index]:
                ambiguous.add(old)
                continue
            keymap[old] = shared_key[root_index]
    for old in sorted(ambiguous):
        keymap.pop(old, None)
        where = next(r.entry.location for r in records if r.entry.key == old)
        diags.append(make(R.MERGE_CONFLICT.code, f"key '{old}' is used in several files for different works; it "
                          "is left out of the key map", where, excerpt=old,
                          suggestion=f"manuscripts citing '{old}' must cite the shared key of the work they mean"))

    blocks: list[str] = []
    entries_out: list[tuple[str, str, bool]] = []
    for root_index, members in groups.items():
        text, conflicts = _merge_group([records[i] for i in members], shared_key[root_index], per_file, keymap)
        diags += conflicts
        is_parent = any(records[i].entry.key in {p for r in records for p in r.entry.parents} for i in members)
        entries_out.append((shared_key[root_index], text, is_parent))
    # sorted by key; crossref targets after the entries that cite them (BibTeX reads them in that order)
    entries_out.sort(key=lambda t: (t[2], t[0].casefold(), t[0]))
    header = "% Shared bibliography written by `issue refs merge` from:\n" + \
        "\n".join(f"%   {f}" for f in files)
    blocks.append(header)
    blocks += [f"@preamble{{{p.strip()}}}" for p in preambles]
    blocks += [t[1] for t in entries_out]
    return MergeResult(text="\n\n".join(blocks) + "\n", keymap=dict(sorted(keymap.items())), diagnostics=diags,
                       entries_in=len(records), entries_out=len(entries_out), files=list(files), key_of=per_file)


def _describe(r: Record) -> str:
    title = r.entry.title or ""
    return f"{r.entry.label()}, '{title[:50]}{'…' if len(title) > 50 else ''}' ({r.file})"


def _unique(key: str, taken: dict[str, int]) -> str:
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        candidate = key + suffix
        if candidate.casefold() not in taken:
            return candidate
    n = 2
    while f"{key}-{n}".casefold() in taken:
        n += 1
    return f"{key}-{n}"


def _merge_group(group: list[Record], key: str, per_file: dict[tuple[str, str], str],
                 keymap: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    first = group[0]
    fields: dict[str, str] = {}  # canonical name -> LaTeX value
    names: dict[str, str] = {}  # canonical name -> name as written first
    origin: dict[str, Record] = {}
    notes: list[str] = []
    diags: list[Diagnostic] = []
    entry_type = first.entry.type
    for r in group:
        e = r.entry
        if e.type != entry_type and r is not first:
            notes.append(f"type: {r.file} ({e.key}) is a {e.type}")
            diags.append(make(R.MERGE_CONFLICT.code, f"'{e.key}' ({r.file}) is @{e.type}, '{first.entry.key}' "
                              f"({first.file}) is @{entry_type}; the merged entry '{key}' is @{entry_type}",
                              e.location, excerpt=f"@{e.type}"))
        for name, value in e.raw_fields.items():
            if name in ("ids",):
                continue
            if name in ("crossref", "xdata"):
                value = ", ".join(per_file.get((r.file, k.strip()), k.strip()) for k in value.split(","))
            canon = _canonical(name)
            if canon not in fields:
                fields[canon] = value
                names[canon] = name
                origin[canon] = r
                continue
            if _ignored(canon):
                continue
            kept_by = origin[canon]
            a = _comparable(kept_by.entry, names[canon])
            b = _comparable(e, name)
            if a == b:
                continue
            notes.append(f"{name}: {r.file} ({e.key}) has {literal(value)}")
            diags.append(make(R.MERGE_CONFLICT.code,
                              f"{name} differs for one work: {literal(value)} in '{e.key}' ({r.file}), "
                              f"{literal(fields[canon])} in '{kept_by.entry.key}' ({kept_by.file}), which is kept "
                              f"in '{key}'", e.field_location(name), excerpt=name,
                              data={"key": key, "field": name, "kept": fields[canon], "other": value},
                              suggestion=f"if {literal(value)} is right, edit '{key}' in the merged file"))
    old_keys = sorted({r.entry.key for r in group if r.entry.key != key and keymap.get(r.entry.key) == key}
                      | {a for r in group for a in r.entry.aliases if a != key})
    if old_keys:
        fields["ids"] = ", ".join(old_keys)
        names["ids"] = "ids"
    body = format_entry(entry_type, key, [(names[c], literal(v)) for c, v in fields.items()])
    sources = ", ".join(f"{r.file}:{r.entry.location.line} ({r.entry.key})" for r in group)
    comment = [f"% from {sources}"] if len(group) > 1 else []
    # '@' in a comment could open a block for some readers
    comment += [f"% conflict, kept the first file's value; {n}".replace("@", "(at)").replace("\n", " ")
                for n in notes]
    return ("\n".join(comment) + "\n" if comment else "") + body, diags


def keymap_text(keymap: dict[str, str], output: str, path: str) -> str:
    lines = [f"# Written by `issue refs merge`: the key each author used -> the key in {output}.",
             "# Manuscripts may keep citing the old keys when issue.toml has, under [bibliography]:",
             f"#   keymap = {json.dumps(path)}", "", "[keys]"]
    lines += [f"{json.dumps(old, ensure_ascii=False)} = {json.dumps(new, ensure_ascii=False)}"
              for old, new in sorted(keymap.items())]
    return "\n".join(lines) + "\n"
