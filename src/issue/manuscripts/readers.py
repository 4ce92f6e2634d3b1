"""Readers: every manuscript format into the one Document model.

.docx, .odt and .tex go through pandoc's JSON AST (we write no parser for them). Markdown also goes through
pandoc, and each text token is then aligned back to the source so that every character keeps its exact line and
column. Plain .txt is split into paragraphs directly.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from bisect import bisect_right
import re
import zipfile
import zlib
from io import BytesIO
from pathlib import Path
from typing import Any

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from . import rules as R
from .document import Block, Document, MarkupCite, Segment
from .sections import assign_sections

READER_VERSION = "3"
FORMATS = {".md": "markdown", ".markdown": "markdown", ".docx": "docx", ".odt": "odt", ".tex": "latex",
           ".latex": "latex", ".txt": "text"}
DEFAULT_MAX_MB = 50
MARKER_RE = re.compile(r"issue:\s*ignore((?:[\s,]+[A-Za-z][\w-]*)*)")


class ReadError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def format_of(path: str, declared: str | None = None) -> str | None:
    return declared or FORMATS.get(Path(path).suffix.lower())


def manuscript_bytes(root: Path, rel: str, declared_format: str | None, max_mb: float) -> tuple[str, bytes, str]:
    """The manuscript's format, bytes and content hash (which names it in the cache). Raises ReadError."""
    fmt = format_of(rel, declared_format)
    if fmt is None:
        raise ReadError(make(R.UNSUPPORTED.code, f"cannot read '{Path(rel).suffix}' files", Location(rel),
                             suggestion="save the manuscript as .docx, .odt, .md, .tex or .txt"))
    try:
        data = (root / rel).read_bytes()
    except OSError as exc:
        raise ReadError(make(R.UNREADABLE.code, f"cannot open: {exc.strerror}", Location(rel)))
    if len(data) > max_mb * 1024 * 1024:
        raise ReadError(make(R.TOO_LARGE.code, f"{len(data) / 1048576:.1f} MB is more than the limit of {max_mb} MB",
                             Location(rel), suggestion="raise [build] max_manuscript_mb in issue.toml if this is right"))
    from ..cache import code_version  # a new version of the readers must not read an old one's documents

    return fmt, data, hashlib.sha256(data + f"|{fmt}|{READER_VERSION}|{code_version()}".encode()).hexdigest()


def identify(root: Path, rel: str, *, declared_format: str | None = None, max_mb: float = DEFAULT_MAX_MB) -> str:
    """The content hash `read_manuscript` gives the document (Document.sha256), without reading it."""
    return manuscript_bytes(root, rel, declared_format, max_mb)[2]


def read_manuscript(root: Path, rel: str, *, declared_format: str | None = None, max_mb: float = DEFAULT_MAX_MB,
                    timeout: float | None = None, cache_dir: Path | None = None) -> Document:
    """Read one manuscript (path relative to the issue folder). Raises ReadError with a diagnostic.
    `cache_dir`: where pandoc's output is kept (see `_pandoc_json`)."""
    fmt, data, sha = manuscript_bytes(root, rel, declared_format, max_mb)
    if fmt in ("docx", "odt"):
        check_zip(rel, data, max_mb, fmt)
    doc = _read(rel, fmt, data, timeout, cache_dir)
    doc.sha256 = sha
    return doc


def pandoc_request(rel: str, fmt: str, data: bytes) -> tuple[list[str], bytes] | None:
    """The arguments and input with which pandoc reads a manuscript to its JSON (None: pandoc does not read it).
    Raises ReadError (a text that is not UTF-8)."""
    if fmt == "text":
        return None
    given = data
    if fmt in ("markdown", "commonmark", "gfm", "latex"):
        text = _decode(rel, data)
        given = (_lower_natbib(text) if fmt == "latex" else text).encode("utf-8")
    return _pandoc_args(fmt), given


def _pandoc_args(fmt: str) -> list[str]:
    return ["-f", _PANDOC_FORMATS[fmt], "-t", "json"]


def _read(rel: str, fmt: str, data: bytes, timeout: float | None, cache_dir: Path | None = None) -> Document:
    try:
        return _document(rel, fmt, data, timeout, cache_dir)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        if cache_dir is None:
            raise
    # pandoc's JSON in the cache was not pandoc's (a folder someone sent, altered by hand): pandoc reads it again
    return _document(rel, fmt, data, timeout, cache_dir, use_kept=False)


def _document(rel: str, fmt: str, data: bytes, timeout: float | None, cache_dir: Path | None,
              use_kept: bool = True) -> Document:
    if fmt == "text":
        return read_text(rel, _decode(rel, data))
    if fmt in ("markdown", "commonmark", "gfm", "latex"):
        text = _decode(rel, data)
        given = _lower_natbib(text) if fmt == "latex" else text
        ast, raw = _pandoc_json(rel, given.encode("utf-8"), fmt, timeout, source=given, cache_dir=cache_dir,
                                use_kept=use_kept)
        doc = AstReader(rel, fmt, ast, source=given).read()
        doc.ast_json = raw
        if given is not text:
            _restore_natbib_capitals(doc, text)
            doc.source_lines = text.split("\n")
        if fmt == "latex":
            doc.raw_markup.extend(latex_inclusions(text))
        else:
            doc.raw_markup.extend(markdown_inclusions(text))
        return doc
    ast, raw = _pandoc_json(rel, data, fmt, timeout, cache_dir=cache_dir, use_kept=use_kept)
    doc = AstReader(rel, fmt, ast).read()
    doc.ast_json = raw
    return doc


# natbib's capitalised commands (\Citet{x} at the start of a sentence: "Van Evera (1999)"), which pandoc's LaTeX
# reader drops without a trace. They are given to pandoc in lower case (the same length, so every column stays
# right) and their capital is put back in the block text afterwards, each item marked "capitalised".
NATBIB_CAPITAL = re.compile(r"\\(C)ite(?:t|p|alt|alp|author)\*?(?=[\[{\s])")


def _lower_natbib(text: str) -> str:
    if "\\Cite" not in text:
        return text
    return NATBIB_CAPITAL.sub(lambda m: "\\c" + m.group(0)[2:], text)


def _restore_natbib_capitals(doc: Document, source: str) -> None:
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    for block in doc.blocks:
        for cite in block.cites:
            line, col = block.source_position(cite.start)
            if not line or not col or line > len(starts) or not block.text.startswith("\\c", cite.start):
                continue
            at = starts[line - 1] + col - 1
            if source.startswith("\\C", at) and NATBIB_CAPITAL.match(source, at):
                block.text = block.text[: cite.start + 1] + "C" + block.text[cite.start + 2:]
                for item in cite.items:
                    item["capitalised"] = True


# \input and its kin: pandoc runs with --sandbox, so the file they name is never read (an author's manuscript
# must not pull /etc/passwd or a colleague's file into the issue), and \write18 never runs; each is reported where
# it stands.
LATEX_INCLUDE = re.compile(r"\\(?:input|include|subfile|import|subimport|inputfrom|subinputfrom|includefrom|"
                           r"subincludefrom|InputIfFileExists|IfFileExists|lstinputlisting|verbatiminput|"
                           r"VerbatimInput|includepdf|openin|read|write18)\b\*?\s*(?:\[[^\]\n]*\]\s*)?"
                           r"(?:\{[^}\n]*\}){0,2}")
LATEX_COMMENT = re.compile(r"(?<!\\)%.*")


# The include syntaxes of pandoc filters and Quarto (pandoc itself has none): an author who writes one expects a
# file to be pulled in, and none is.
MARKDOWN_INCLUDE = re.compile(r"^\s*(?:!include\b.*|(?:```+|~~~+)\s*\{[^}\n]*\.include\b[^}\n]*\}.*|"
                              r"\{\{<\s*include\s[^>\n]*>\}\}.*)$")
FENCE = re.compile(r"^\s*(```+|~~~+)")


def markdown_inclusions(text: str) -> list[tuple[int, str]]:
    """Each include line outside code blocks, as (line, the line as written)."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    for n, line in enumerate(text.split("\n"), 1):
        m = MARKDOWN_INCLUDE.match(line)
        if m and fence is None:
            found.append((n, line.strip()))
        f = FENCE.match(line)
        if f:
            if fence is None:
                fence = f.group(1)[0] * len(f.group(1))
            elif f.group(1).startswith(fence):
                fence = None
    return found


def latex_inclusions(text: str) -> list[tuple[int, str]]:
    """Each `\\input{...}` (and the like) outside comments, as (line, the command as written)."""
    found: list[tuple[int, str]] = []
    for n, line in enumerate(text.split("\n"), 1):
        for m in LATEX_INCLUDE.finditer(LATEX_COMMENT.sub("", line)):
            found.append((n, m.group(0)))
    return found


def _decode(rel: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(make(R.UNREADABLE.code, f"not UTF-8 (byte 0x{data[exc.start]:02x} on line {line})",
                             Location(rel, line=line, column=1), suggestion="save the file as UTF-8"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


PACKAGE_PART = {"docx": ("word/document.xml", "a Word document"), "odt": ("content.xml", "an OpenDocument text")}


def check_zip(rel: str, data: bytes, max_mb: float, fmt: str = "docx") -> None:
    """Refuse what is not a Word/ODF package before pandoc sees it: garbage, encrypted files, zip bombs."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(make(R.UNREADABLE.code, "a password-protected Word file or an old .doc, not a .docx",
                             Location(rel), suggestion="open it in Word and save it as .docx without a password"))
    limit = max_mb * 1024 * 1024 * 4

    def bomb(size: float) -> ReadError:
        return ReadError(make(R.TOO_LARGE.code, f"unpacks to {size / 1048576:.0f} MB or more, more than the limit "
                              f"allows ({4 * max_mb:g} MB; a damaged file or a zip bomb)", Location(rel),
                              suggestion="save it again from the word processor; raise [build] max_manuscript_mb "
                                         "if it is right"))

    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            infos = z.infolist()
            if any(i.flag_bits & 0x1 for i in infos):
                raise ReadError(make(R.UNREADABLE.code, "the file is encrypted", Location(rel),
                                     suggestion="save it again without a password"))
            part, what = PACKAGE_PART.get(fmt, PACKAGE_PART["docx"])
            if part not in {i.filename for i in infos}:
                raise ReadError(make(R.UNREADABLE.code, f"a zip package, but not {what} (it has no {part})",
                                     Location(rel), suggestion="save it again from the word processor"))
            total = sum(i.file_size for i in infos)
            if total > limit:
                raise bomb(total)
            # the sizes a zip declares may lie: unpack every member (a CRC error then shows the lie), counting
            unpacked = 0
            for info in infos:
                with z.open(info) as member:
                    while chunk := member.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise bomb(unpacked)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        if isinstance(exc, zipfile.BadZipFile) and not data.startswith(b"PK"):
            message = f"not a {Path(rel).suffix} file (it is not a zip package)"
        else:
            message = f"a damaged {Path(rel).suffix} file ({exc})"
        raise ReadError(make(R.UNREADABLE.code, message, Location(rel),
                             suggestion="save it again from the word processor"))


MAX_NESTING = 300  # levels of pandoc JSON (about 100 nested lists or quotes); later stages walk the tree recursively


_PANDOC_FORMATS = {"markdown": "markdown", "latex": "latex", "docx": "docx", "odt": "odt", "commonmark": "commonmark_x",
                   "gfm": "gfm"}


# pandoc's JSON of each manuscript is kept under build/.cache/pandoc, named by what pandoc was given (its arguments
# and input) and which pandoc it was, and the document is made from it again on the next run. This is the cache of
# the readers: the JSON is written as pandoc gave it (no pickling: a pickled document cost a cold run of 200
# manuscripts 2 CPU-seconds and 175 MB), and making the document from it again takes as long as unpickling one.
# manuscripts.ahead fills it in advance.
PANDOC_CACHE = "pandoc"


def pandoc_output_path(cache_dir: Path, args: list[str], given: bytes) -> Path:
    from ..cache import digest

    return cache_dir / PANDOC_CACHE / f"{digest(args, given, pandoc.identity())}.json"


def _kept_output(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        out = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by the pruning
    return out


def _keep_output(path: Path, out: bytes) -> None:
    from ..cache import prune, write_atomically

    if write_atomically(path, out):
        prune(path.parent)


def _pandoc_json(rel: str, data: bytes, fmt: str, timeout: float | None, source: str | None = None,
                 cache_dir: Path | None = None, use_kept: bool = True) -> tuple[dict[str, Any], bytes]:
    """pandoc's JSON of a manuscript, parsed and as text, kept in `cache_dir` (`use_kept`=False: pandoc runs,
    and what was kept is replaced)."""
    args = _pandoc_args(fmt)
    path = pandoc_output_path(cache_dir, args, data) if cache_dir is not None else None
    kept = _kept_output(path) if use_kept else None
    if kept is not None:
        try:
            return _parsed(rel, kept), kept
        except (ReadError, ValueError):
            pass  # not what pandoc would have written (altered by hand): pandoc reads the manuscript again
    try:
        out = pandoc.run(args, input=data, timeout=timeout)
    except pandoc.PandocError as exc:
        if exc.timed_out:
            raise ReadError(make(R.UNREADABLE.code, f"pandoc could not read it in time: {exc}", Location(rel),
                                 suggestion="raise [build] pandoc_timeout (seconds) in issue.toml if the file is "
                                            "right; lists or quotes nested hundreds of levels deep take pandoc "
                                            "minutes"))
        line = exc.line if source is not None else None  # pandoc's lines are the text's, not a .docx's
        lines = source.split("\n") if source is not None else []
        context = lines[line - 1] if line and line <= len(lines) else None
        raise ReadError(make(R.UNREADABLE.code, f"pandoc could not read it: {exc}",
                             Location(rel, line=line, column=exc.column if line else None), context=context,
                             excerpt=context[exc.column - 1:][:40] or None if context and exc.column else None,
                             context_start=exc.column - 1 if context and exc.column and exc.column <= len(context)
                             else None,
                             suggestion="correct the markup at that place" if line else None))
    ast = _parsed(rel, out)
    if path is not None:
        _keep_output(path, out)
    return ast, out


def _parsed(rel: str, out: bytes) -> dict[str, Any]:
    """pandoc's JSON, parsed; a tree nested too deeply for the later stages is refused."""
    try:
        ast = json.loads(out)
        if not isinstance(ast, dict):
            raise ValueError("not a pandoc document")
        deep = _nesting(ast, MAX_NESTING) > MAX_NESTING
    except RecursionError:
        deep = True
    if deep:
        raise ReadError(make(R.UNREADABLE.code, f"the manuscript nests lists, quotes or notes more than "
                             f"{MAX_NESTING // 3} levels deep", Location(rel),
                             suggestion="flatten the nesting; no journal prints it"))
    return ast


def _nesting(value: Any, limit: int | None = None) -> int:
    """The depth of a JSON tree, without recursion (the tree may be deep enough to exhaust Python's stack).
    Level by level, each level's containers gathered by a comprehension: three times faster than a stack of
    (node, depth) pairs on a 10,000-word manuscript. Stops counting past `limit`."""
    depth, level = 0, [value]
    while level:
        depth += 1
        if limit is not None and depth > limit:
            return depth
        below: list = []
        for node in level:
            below.extend([v for v in (node.values() if type(node) is dict else node)
                          if type(v) is dict or type(v) is list])
        level = below
    return depth


# --------------------------------------------------------------------------------------------------------------
class Aligner:
    """Finds each text token in the source, moving forward, so that offsets map to line and column.

    pandoc's Markdown reader does not report source positions, so this is done here: tokens are literal words,
    found in order; smart quotes, dashes and backslash escapes are matched loosely, and a token that is not found
    (a LaTeX accent, say) takes the position just after the last one found.
    """

    LOOSE = {"’": "['’]", "‘": "['‘`]", "“": "[\"“]|``", "”": "[\"”]|''", "–": "--|–", "—": "---|—", "…": r"\.\.\.|…",
             "\u00a0": r"\s|~|\\ "}

    def __init__(self, source: str):
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.cursor = 0
        self.wide = False  # the next token may be far ahead (the first word of a footnote definition)
        self.excluded: list[tuple[int, int]] = []  # source ranges whose words went into metadata

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def find(self, token: str, window: int = 400) -> int | None:
        if not self.wide and not self.excluded:  # the usual case, first: the token just ahead
            cursor = self.cursor
            at = self.source.find(token, cursor, cursor + window + len(token))
            if at >= 0:
                self.cursor = at + len(token)
                return at
        at = self._find(token, window)
        for lo, hi in self.excluded:
            if at is not None and lo <= at < hi:
                self.cursor = hi
                at = self._find(token, window)
        return at

    def _find(self, token: str, window: int) -> int | None:
        if self.wide:
            self.wide = False
            window = len(self.source)
        at = self.source.find(token, self.cursor, self.cursor + window + len(token))
        if at >= 0:
            self.cursor = at + len(token)
            return at
        pattern = "".join(f"(?:{self.LOOSE[c]})" if c in self.LOOSE else r"\\?" + re.escape(c) for c in token)
        m = re.compile(pattern).search(self.source, self.cursor, self.cursor + window + 3 * len(token))
        if m:
            self.cursor = m.end()
            return m.start()
        if len(token) >= 5:  # further on: a footnote definition or a long YAML block stood in between
            at = self.source.find(token, self.cursor)
            if at >= 0:
                self.cursor = at + len(token)
                return at
        if len(token) >= 4:  # a prefix, for tokens with accents written as LaTeX commands
            at = self.source.find(token[:3], self.cursor, self.cursor + window)
            if at >= 0:
                self.cursor = at + 3
                return at
        return None

    def skip_latex_front(self) -> None:
        """Start at \\begin{document}, and never match inside the abstract environment: pandoc moves the title and
        the abstract into metadata, so their words are not in the body's blocks."""
        m = re.search(r"\\begin\{document\}", self.source)
        if m:
            self.cursor = m.end()
        self.excluded = [(a.start(), a.end()) for a in
                         re.finditer(r"\\begin\{abstract\}.*?\\end\{abstract\}", self.source, re.DOTALL)]

    def skip_front_matter(self) -> None:
        """Start after a YAML metadata block: its words are not the body's."""
        m = re.match(r"---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|$)", self.source, re.DOTALL)
        if m:
            self.cursor = m.end()


class _Pieces(list):
    """The pieces of a block's text as it is assembled, with their total length: the offset of the next piece
    without summing the list again (which made long paragraphs quadratic). `add` keeps the length; the reader's
    inner loop does the same inline (a method call per word was a tenth of reading a manuscript)."""

    __slots__ = ("length",)

    def __init__(self) -> None:
        super().__init__()
        self.length = 0

    def add(self, piece: str) -> None:
        self.append(piece)
        self.length += len(piece)


INLINE_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


class AstReader:
    """Walks pandoc's JSON AST into Blocks."""

    def __init__(self, rel: str, fmt: str, ast: dict[str, Any], source: str | None = None):
        self.rel = rel
        self.fmt = fmt
        self.ast = ast
        self.source = source
        self.aligner = Aligner(source) if source is not None else None
        if self.aligner is not None:
            if fmt == "latex":
                self.aligner.skip_latex_front()
            else:
                self.aligner.skip_front_matter()
        self.blocks: list[Block] = []
        self.notes: list[tuple[list, tuple, int, int]] = []  # (note blocks, path, host block, source cursor)
        self.raw: list[tuple[int, str]] = []

    # -- inlines --------------------------------------------------------------------------------------------
    def inlines(self, items: list, path: tuple, out: _Pieces, segs: list[Segment], cites: list[MarkupCite],
                host: int) -> None:
        aligner = self.aligner
        for i, node in enumerate(items):
            t = node.get("t")
            if t == "Str":  # most nodes: `emit` written out, without a method call per word
                text = node.get("c")
                start = out.length
                out.append(text)
                end = out.length = start + len(text)
                if aligner is None:
                    segs.append(Segment(start, end, None, None, (*path, i)))
                    continue
                at = -1
                if not aligner.wide and not aligner.excluded:  # Aligner.find's usual case, the token just ahead
                    cursor = aligner.cursor
                    at = aligner.source.find(text, cursor, cursor + 400 + len(text))
                    if at >= 0:
                        aligner.cursor = at + len(text)
                if at < 0:
                    found = aligner.find(text)
                    at = aligner.cursor if found is None else found
                starts = aligner.line_starts
                n = bisect_right(starts, at) - 1
                segs.append(Segment(start, end, n + 1, at - starts[n] + 1, (*path, i)))
                continue
            if t == "Space" or t == "SoftBreak" or t == "LineBreak":
                out.append(" ")
                out.length += 1
                continue
            p = (*path, i)
            c = node.get("c")
            if t in INLINE_CONTAINERS:
                self.inlines(c, (*p, "c"), out, segs, cites, host)
            elif t == "Span":
                self.inlines(c[1], (*p, "c", 1), out, segs, cites, host)
            elif t == "Quoted":
                open_, close = ("“", "”") if c[0]["t"] == "DoubleQuote" else ("‘", "’")
                out.add(open_)
                self.inlines(c[1], (*p, "c", 1), out, segs, cites, host)
                out.add(close)
            elif t == "Cite":
                start = out.length
                self.inlines(c[1], (*p, "c", 1), out, segs, cites, host)
                end = out.length
                cites.append(MarkupCite(start, end, [_cite_item(x) for x in c[0]], p))
            elif t == "Link":
                self.inlines(c[1], (*p, "c", 1), out, segs, cites, host)
            elif t == "Image":
                self.inlines(c[1], (*p, "c", 1), out, segs, cites, host)
            elif t == "Code":
                self.emit(c[1], p, out, segs)
            elif t == "Math":
                self.emit(c[1], p, out, segs)
            elif t == "RawInline":
                fmt, code = c
                if self.fmt == "latex" and path and "Cite" in str(path[-3:]):
                    self.emit(code, p, out, segs)
                elif self._is_cite_raw(code):
                    self.emit(code, p, out, segs)
                else:
                    self.raw.append((host, code))
            elif t == "Note":
                self.notes.append((c, (*p, "c"), host, self.aligner.cursor if self.aligner else 0))

    def _is_cite_raw(self, code: str) -> bool:
        return self.fmt == "latex" and bool(re.match(r"\\(?:[A-Za-z]*cite[A-Za-z]*|citeauthor|citeyear)\*?[\[{]", code))

    def emit(self, text: str, path: tuple, out: "_Pieces", segs: list[Segment]) -> None:
        start = out.length
        out.append(text)
        end = out.length = start + len(text)
        line = col = None
        aligner = self.aligner
        if aligner is not None:
            at = aligner.find(text)
            if at is None:
                at = aligner.cursor
            line, col = aligner.position(at)
        segs.append(Segment(start, end, line, col, path))

    # -- blocks ---------------------------------------------------------------------------------------------
    def add(self, kind: str, items: list, path: tuple, level: int = 0, note: int | None = None,
            host: int | None = None) -> None:
        index = len(self.blocks) + 1 if note is None else host or 0
        out = _Pieces()
        segs: list[Segment] = []
        cites: list[MarkupCite] = []
        self.inlines(items, (*path, "c") if kind != "heading" else (*path, "c", 2), out, segs, cites,
                     index if note is None else (host or 0))
        text = "".join(out)
        if not text.strip() and not cites:
            return
        block = Block(index=index, kind=kind, section="body", text=text, level=level, segments=segs, cites=cites,
                      note=note, host=host, ast_path=path,
                      line=segs[0].line if segs and segs[0].line else None)
        self.blocks.append(block)

    def walk(self, blocks: list, path: tuple, kind: str = "para", note: int | None = None, host: int | None = None) -> None:
        for i, b in enumerate(blocks):
            p = (*path, i)
            t, c = b.get("t"), b.get("c")
            if t == "Header":
                self.add("heading", c[2], p, level=c[0], note=note, host=host)
            elif t in ("Para", "Plain"):
                self.add(kind, c, p, note=note, host=host)
            elif t == "LineBlock":
                for j, line in enumerate(c):
                    self.add(kind, line, (*p, "c", j), note=note, host=host)
            elif t == "BlockQuote":
                self.walk(c, (*p, "c"), "quote" if kind == "para" else kind, note, host)
            elif t in ("BulletList", "OrderedList"):
                items = c if t == "BulletList" else c[1]
                base = (*p, "c") if t == "BulletList" else (*p, "c", 1)
                for j, item in enumerate(items):
                    self.walk(item, (*base, j), "item" if kind == "para" else kind, note, host)
            elif t == "DefinitionList":
                for j, (term, defs) in enumerate(c):
                    self.add("item", term, (*p, "c", j, 0), note=note, host=host)
                    for k, d in enumerate(defs):
                        self.walk(d, (*p, "c", j, 1, k), "item", note, host)
            elif t == "Div":
                self.walk(c[1], (*p, "c", 1), kind, note, host)
            elif t == "Figure":
                self.walk(c[1][1], (*p, "c", 1, 1), "caption", note, host)
                self.walk(c[2], (*p, "c", 2), kind, note, host)
            elif t == "Table":
                self.walk(c[1][1], (*p, "c", 1, 1), "caption", note, host)
                for cell_path, cell in _table_cells(c, p):
                    self.walk(cell, cell_path, "cell", note, host)
            elif t == "RawBlock":
                self.raw.append((len(self.blocks) + 1, c[1]))
            # CodeBlock, HorizontalRule: not prose

    def read(self) -> Document:
        meta = self.ast.get("meta", {})
        title = _meta_text(meta.get("title"))
        abstract = _meta_text(meta.get("abstract"))
        keywords = _meta_list(meta.get("keywords") or meta.get("keyword"))
        front: list[Block] = []
        if title:
            front.append(Block(index=0, kind="title", section="front", text=title))
        if meta.get("subtitle"):
            front.append(Block(index=0, kind="title", section="front", text=_meta_text(meta["subtitle"]) or ""))
        for key in ("author",):
            for name in _meta_list(meta.get(key)):
                front.append(Block(index=0, kind="para", section="front", text=name))
        if abstract:
            front.append(Block(index=0, kind="para", section="abstract", text=abstract))
        self.blocks.extend(front)
        for i, b in enumerate(self.blocks):
            b.index = i + 1
        self.walk(self.ast.get("blocks", []), ("blocks",))
        # footnotes last, in the order of their markers; a note keeps its host paragraph for .docx locations
        n = 0
        pending = list(self.notes)
        self.notes = []
        while pending:
            content, path, host, cursor = pending.pop(0)
            n += 1
            if self.aligner is not None:  # an inline note follows its marker; a [^1] note is defined further on
                self.aligner.cursor, self.aligner.wide = _note_definition(self.source, cursor)
            self.walk(content, path, "note", note=n, host=host)
            pending.extend(self.notes)
            self.notes = []
        for b in self.blocks:
            if b.kind == "note":
                b.section = "notes"
        doc = Document(self.rel, self.fmt, self.blocks, title=title, abstract=abstract, keywords=keywords,
                       ast=self.ast, source_lines=self.source.split("\n") if self.source is not None else None,
                       raw_markup=self.raw)
        assign_sections(doc)
        doc.exemptions = _exemptions(doc)
        return doc


NOTE_REF = re.compile(r"\s*\[\^([^\]\s]+)\]")


def _note_definition(source: str, cursor: int) -> tuple[int, bool]:
    """Where a footnote's text starts in the source: after its `[^label]:` definition when the marker at
    `cursor` is a reference, else just after the marker (an inline `^[...]` or `\\footnote{`). The flag is
    True when the start is unknown and the first word must be searched for far ahead."""
    ref = NOTE_REF.match(source, cursor)
    if ref:
        label = re.escape(ref.group(1))
        definition = re.compile(rf"^[ ]{{0,3}}\[\^{label}\]:[ \t]*", re.MULTILINE).search(source)
        if definition:
            return definition.end(), False
        return cursor, True
    return cursor, False


def _table_cells(c: list, p: tuple):
    # Table attr caption colspecs head bodies foot (pandoc >= 2.10)
    head, bodies, foot = c[3], c[4], c[5]
    for r, row in enumerate(head[1]):
        for k, cell in enumerate(row[1]):
            yield (*p, "c", 3, 1, r, 1, k, 4), cell[4]
    for b, body in enumerate(bodies):
        for part in (2, 3):
            for r, row in enumerate(body[part]):
                for k, cell in enumerate(row[1]):
                    yield (*p, "c", 4, b, part, r, 1, k, 4), cell[4]
    for r, row in enumerate(foot[1]):
        for k, cell in enumerate(row[1]):
            yield (*p, "c", 5, 1, r, 1, k, 4), cell[4]


def _cite_item(x: dict[str, Any]) -> dict[str, Any]:
    return {"id": x["citationId"], "prefix": _plain(x.get("citationPrefix", [])),
            "suffix": _plain(x.get("citationSuffix", [])), "mode": x.get("citationMode", {}).get("t", "NormalCitation")}


def _plain(inlines: list) -> str:
    out: list[str] = []

    def go(items: list) -> None:
        for node in items:
            t, c = node.get("t"), node.get("c")
            if t == "Str":
                out.append(c)
            elif t in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif t in INLINE_CONTAINERS:
                go(c)
            elif t in ("Span", "Link", "Image"):
                go(c[1])
            elif t == "Quoted":
                out.append("“")
                go(c[1])
                out.append("”")
            elif t == "Cite":
                go(c[1])
            elif t in ("Code", "Math"):
                out.append(c[1])
            elif t == "RawInline":
                out.append(c[1])

    go(inlines)
    return "".join(out).strip()


def _meta_text(value: Any) -> str | None:
    if not value:
        return None
    t, c = value.get("t"), value.get("c")
    if t == "MetaInlines":
        return _plain(c)
    if t == "MetaString":
        return c
    if t == "MetaBlocks":
        return "\n\n".join(_plain(b["c"]) for b in c if b.get("t") in ("Para", "Plain"))
    if t == "MetaList":
        return "; ".join(filter(None, (_meta_text(x) for x in c)))
    return None


def _meta_list(value: Any) -> list[str]:
    if not value:
        return []
    if value.get("t") == "MetaList":
        return [s for s in (_meta_text(x) for x in value["c"]) if s]
    text = _meta_text(value) or ""
    return [s.strip() for s in re.split(r"[;,]", text) if s.strip()]


def _exemptions(doc: Document) -> list[tuple[int, list[str]]]:
    """`issue: ignore [CODES]` markers: in a source line (an HTML or LaTeX comment) for text formats, in a
    paragraph's text for .docx/.odt."""
    found: list[tuple[int, list[str]]] = []
    if doc.source_lines is not None:
        for n, line in enumerate(doc.source_lines, 1):
            m = MARKER_RE.search(line)
            if m:
                found.append((n, m.group(1).replace(",", " ").split()))
    else:
        for b in doc.blocks:
            m = MARKER_RE.search(b.text)
            if m:
                found.append((b.index, m.group(1).replace(",", " ").split()))
    return found


# --------------------------------------------------------------------------------------------------------------
def read_text(rel: str, text: str) -> Document:
    """Plain text: paragraphs are separated by blank lines; a short line standing alone without final
    punctuation is a heading."""
    blocks: list[Block] = []
    lines = text.split("\n")
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if not para:
            return
        parts, segs, pos = [], [], 0
        for n, line in para:
            stripped = line.strip()
            if not stripped:
                continue
            lead = len(line) - len(line.lstrip())
            if parts:
                parts.append(" ")
                pos += 1
            segs.append(Segment(pos, pos + len(stripped), n, lead + 1))
            parts.append(stripped)
            pos += len(stripped)
        content = "".join(parts)
        single = len(para) == 1 and len(content.split()) <= 10 and not content.rstrip().endswith((".", ":", ";", ",", "?", "!", ")"))
        blocks.append(Block(index=len(blocks) + 1, kind="heading" if single else "para", section="body", text=content,
                            level=1 if single else 0, segments=segs, line=para[0][0]))
        para.clear()

    for n, line in enumerate(lines, 1):
        if line.strip():
            para.append((n, line))
        else:
            flush()
    flush()
    doc = Document(rel, "text", blocks, source_lines=lines)
    assign_sections(doc)
    doc.exemptions = _exemptions(doc)
    return doc


