"""The one document model every reader produces.

A Document is the ordered list of its Blocks (headings, paragraphs, list items, quotes, footnotes, table cells,
captions). Each Block carries the plain text the analyses read, the section it belongs to (front, abstract,
keywords, body, references, notes), and a map from offsets in that text back to the source (line and column for
text formats; the paragraph number for .docx/.odt) and to the pandoc inline it came from, so that a later stage
can splice the pandoc AST (a link, an anchor) without touching the author's wording.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

from ..model import Location

SECTIONS = ("front", "abstract", "keywords", "body", "references", "notes")


@dataclass(slots=True)
class Segment:
    """A run of block text that came from one source token."""

    start: int  # offset in Block.text
    end: int
    line: int | None = None  # source line/column of `start` (text formats)
    column: int | None = None
    path: tuple | None = None  # JSON path of the pandoc inline in Document.ast ('blocks', i, 'c', ...)


@dataclass
class MarkupCite:
    """A citation written in markup: pandoc [@key] or LaTeX \\cite{...}, as pandoc parsed it."""

    start: int  # span in Block.text of the raw citation text
    end: int
    items: list[dict[str, Any]]  # each: id, prefix, suffix, mode (NormalCitation|AuthorInText|SuppressAuthor)
    path: tuple | None = None  # JSON path of the Cite inline


@dataclass
class Block:
    index: int  # 1-based reading order; the paragraph number for .docx/.odt
    kind: str  # title, heading, para, quote, item, note, cell, caption
    section: str  # one of SECTIONS
    text: str
    level: int = 0  # heading level
    segments: list[Segment] = field(default_factory=list)
    cites: list[MarkupCite] = field(default_factory=list)
    note: int | None = None  # footnote number, for kind == "note"
    host: int | None = None  # for a note: the index of the block that holds its marker
    ast_path: tuple | None = None
    line: int | None = None  # first source line (text formats)

    @property
    def is_body(self) -> bool:
        return self.section in ("body", "notes")

    def segment_at(self, offset: int) -> Segment | None:
        """The segment that holds a text offset (the first one for an offset before them all)."""
        if not self.segments:
            return None
        # the segments' starts, kept between calls (a block is located many times); rebuilt if segments change
        starts = self.__dict__.get("_starts")
        if starts is None or len(starts) != len(self.segments):
            starts = self.__dict__["_starts"] = [s.start for s in self.segments]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        return self.segments[i]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_starts", None)  # derived; not worth a place in the cache
        state.pop("_opening_words", None)
        # a segment per word: pickled as plain tuples, since pickling ten thousand slotted objects one by one is
        # slow (the index's occurrences keep their blocks, without segments: concepts.match.text_block)
        state["segments"] = [(s.start, s.end, s.line, s.column, s.path) for s in self.segments]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        segments = state.get("segments")
        if segments and isinstance(segments[0], tuple):
            state["segments"] = [Segment(*s) for s in segments]
        self.__dict__.update(state)

    def source_position(self, offset: int) -> tuple[int | None, int | None]:
        """Source line and column of a text offset (text formats)."""
        seg = self.segment_at(offset)
        if seg is None or seg.line is None:
            return self.line, None
        delta = offset - seg.start if offset <= seg.end else (seg.end - seg.start)
        return seg.line, (seg.column or 1) + delta

    def opening_words(self) -> str:
        """The first six words of the text (how a .docx paragraph is shown), kept while the text stays the same."""
        cached = self.__dict__.get("_opening_words")
        if cached is None or cached[0] is not self.text:
            cached = self.__dict__["_opening_words"] = (self.text, " ".join(self.text.split()[:6]))
        return cached[1]


@dataclass
class Document:
    file: str  # relative to the issue folder
    format: str  # markdown, commonmark, docx, odt, latex, text
    blocks: list[Block]
    title: str | None = None
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    ast: dict[str, Any] | None = None  # pandoc's JSON AST (None for plain text)
    sha256: str = ""
    source_lines: list[str] | None = None  # for text formats: the source, for excerpts
    raw_markup: list[tuple[int, str]] = field(default_factory=list)  # (block index or line, the dropped code)
    exemptions: list[tuple[int, list[str]]] = field(default_factory=list)  # (line or paragraph, codes) from markers
    # pandoc's JSON text of `ast`, as pandoc wrote it: a fresh copy of the tree is parsed from it (twice as fast as
    # copying the tree)
    ast_json: bytes | None = field(default=None, repr=False, compare=False)

    def ast_copy(self) -> dict[str, Any] | None:
        """A copy of `ast` that may be changed."""
        if self.ast is None:
            return None
        if self.ast_json is not None:
            return json.loads(self.ast_json)
        return json.loads(json.dumps(self.ast))

    @property
    def paragraph_based(self) -> bool:
        return self.format in ("docx", "odt")

    def body(self) -> list[Block]:
        return [b for b in self.blocks if b.is_body]

    def location(self, block: Block, start: int, end: int | None = None) -> Location:
        """Location of text[start:end] of a block, in the terms of the source format."""
        if self.paragraph_based:
            words = block.opening_words()
            host = block.host if block.kind == "note" and block.host else block.index
            if block.kind == "note":
                words = f"note {block.note}: {words}"
            return Location(self.file, paragraph=host, column=start + 1,
                            end_column=(end + 1) if end is not None else None, paragraph_words=words)
        line, col = block.source_position(start)
        end_line = end_col = None
        if end is not None and end > start:
            end_line, end_col = block.source_position(end - 1)
            end_col = end_col + 1 if end_col else None
        return Location(self.file, line=line, column=col, end_line=end_line, end_column=end_col)

    def context(self, block: Block, start: int, end: int) -> tuple[str, int]:
        """The line (text formats) or paragraph (.docx) that holds text[start:end], and the span's offset in it.

        Excerpts are shown from the block's plain text, which is what the analyses read.
        """
        return context_of(block, start, end)

    def diagnostic_at(self, code: str, message: str, block: Block, start: int, end: int, **kwargs: Any):
        """A diagnostic located at text[start:end] of a block, with its excerpt and context filled in."""
        from ..diagnostics.core import make

        context, offset = self.context(block, start, end)
        return make(code, message, self.location(block, start, end), excerpt=block.text[start:end],
                    context=context, context_start=offset, **kwargs)


def context_of(block: Block, start: int, end: int) -> tuple[str, int]:
    """Document.context, which needs nothing of the document but the block's text."""
    text = block.text
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    return text[lo:hi], start - lo
