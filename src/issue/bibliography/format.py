"""`issue refs format`: one layout for every entry, keeping every value exactly as its author wrote it.

Layout: lower-case types and field names, fields in a fixed order (the bibliographic ones first, then the rest
alphabetically, reference-manager bookkeeping last), two-space indentation with aligned '=', braces around
literal values (macros and `#` concatenations stay as written), `--` in page ranges, one blank line between
blocks. Comments, @string and @preamble blocks stay where they are.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
from pathlib import Path

from bibtexparser.model import (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry as BlockEntry,
                                ExplicitComment, ImplicitComment, ParsingFailedBlock, Preamble, String)
from bibtexparser.splitter import Splitter

from . import load as _load  # noqa: F401  (silences bibtexparser's logger)

FIELD_ORDER = [
    "author", "editor", "bookauthor", "translator", "title", "subtitle", "titleaddon", "shorttitle", "booktitle",
    "booksubtitle", "maintitle", "journal", "journaltitle", "journalsubtitle", "series", "edition", "volume",
    "number", "issue", "eid", "chapter", "pages", "type", "howpublished", "organization", "institution",
    "school", "publisher", "address", "location", "year", "date", "month", "eventtitle", "eventdate", "venue",
    "isbn", "issn", "doi", "eprint", "eprinttype", "url", "urldate", "crossref", "xdata", "ids", "shortauthor",
    "shorthand", "langid", "language", "keywords", "abstract", "note", "addendum",
]
_RANK = {name: i for i, name in enumerate(FIELD_ORDER)}
BOOKKEEPING = ("date-added", "date-modified", "timestamp", "owner", "file", "groups", "mendeley-tags",
               "annote", "annotation", "bdsk-")
_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]*\d+[A-Za-z]*)\s*(?:-{1,3}|–|—|‐|−)\s*([A-Za-z]*\d+[A-Za-z]*)\s*$")


def _field_rank(name: str) -> tuple:
    if name in _RANK:
        return (0, _RANK[name], "")
    if name.startswith(BOOKKEEPING) or name in BOOKKEEPING:
        return (2, 0, name)
    return (1, 0, name)


def order_fields(names: list[str]) -> list[str]:
    return sorted(names, key=_field_rank)


def _balanced(text: str) -> bool:
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
        i += 1
    return depth == 0


def _tidy_spaces(text: str) -> str:
    """Runs of spaces and single line breaks become one space; blank lines (paragraphs) stay. A space at
    either end stays too: in `@string{doc = {UN Document }}` it separates the words of a concatenation."""
    paragraphs = re.split(r"\n[ \t]*\n\s*", text)
    return "\n\n".join(re.sub(r"\s+", " ", p) for p in paragraphs)


def literal(value: str) -> str:
    """A LaTeX value in braces (quotes when its braces are unbalanced, which braces cannot hold)."""
    if _balanced(value):
        return "{" + value + "}"
    return '"' + value + '"'


def normalise_expression(name: str, expr: str) -> str:
    """The value expression as it is written in the layout: literals in braces, macros as they are."""
    expr = expr.strip()
    inner = None
    if expr.startswith("{") and expr.endswith("}") and _load._closes_at_end(expr):
        inner = expr[1:-1]
    elif expr.startswith('"') and expr.endswith('"') and _load._closing_quote(expr, 0) == len(expr) - 1:
        inner = expr[1:-1]
        if not _balanced(inner):
            return '"' + _tidy_spaces(inner) + '"'
    elif expr.isdigit():
        inner = expr
    if inner is None:
        # a macro (io, jan) or a concatenation: as written, with tidy spaces around '#'
        return re.sub(r"\s*#\s*", " # ", re.sub(r"\s+", " ", expr)) if '"' not in expr and "{" not in expr \
            else expr
    if not re.search(r"(?<!\\)%", inner):  # a TeX comment would swallow the joined line
        inner = _tidy_spaces(inner)
    if name == "pages":
        m = _PAGE_RANGE.match(inner)
        if m:
            inner = f"{m.group(1)}--{m.group(2)}"
    return "{" + inner + "}"


def format_entry(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    """One entry in the layout; `fields` holds (name, value expression) pairs."""
    names = order_fields(list(dict.fromkeys(n.lower() for n, _ in fields)))
    by_name: dict[str, list[str]] = {}
    for n, v in fields:
        by_name.setdefault(n.lower(), []).append(v)
    width = max((len(n) for n in names), default=0)
    lines = [f"@{entry_type.lower()}{{{key},"]
    rows = []
    for n in names:
        for v in by_name[n]:
            rows.append(f"  {n.ljust(width)} = {normalise_expression(n, v)}")
    lines.append(",\n".join(rows))
    text = "\n".join(lines) if rows else lines[0]
    return text + "\n}"


def format_text(text: str) -> tuple[str, list[ParsingFailedBlock]]:
    """(the text in the layout, blocks that could not be read). Write only when the second is empty."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    library = Splitter(text).split()
    failed: list[ParsingFailedBlock] = []
    parts: list[str] = []
    for block in library.blocks:
        if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
            block = block.ignore_error_block  # kept: duplicates are findings, not reasons to lose text
        if isinstance(block, BlockEntry):
            parts.append(format_entry(block.entry_type, block.key.strip(),
                                      [(f.key.strip(), f.value) for f in block.fields]))
        elif isinstance(block, String):
            parts.append(f"@string{{{block.key.strip()} = {normalise_expression('', block.value)}}}")
        elif isinstance(block, (Preamble, ExplicitComment)):
            parts.append((block.raw or "").strip())
        elif isinstance(block, ImplicitComment):
            parts.append("\n".join(line.rstrip() for line in block.comment.strip().split("\n")))
        elif isinstance(block, ParsingFailedBlock):
            failed.append(block)
            parts.append((block.raw or "").rstrip())
    # consecutive @string lines stay together
    out: list[str] = []
    for part in parts:
        if out and part.startswith("@string") and out[-1].split("\n")[-1].startswith("@string"):
            out[-1] += "\n" + part
        else:
            out.append(part)
    return "\n\n".join(out).rstrip() + "\n", failed


def diff(old: str, new: str, name: str) -> str:
    old_lines = old.lstrip("\ufeff").replace("\r\n", "\n").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old_lines, new.splitlines(keepends=True), fromfile=f"a/{name}",
                                        tofile=f"b/{name}"))


def write_atomic(path: Path, text: str, *, backup: bool = True) -> Path | None:
    """Write `text` (UTF-8) to `path` through a temporary file and a rename; keep the old file as PATH.bak."""
    path = Path(path)
    saved = None
    if backup and path.exists():
        saved = path.with_name(path.name + ".bak")
        shutil.copy2(path, saved)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return saved
