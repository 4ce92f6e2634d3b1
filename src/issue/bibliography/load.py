"""Load the issue's .bib files into one Bibliography, with diagnostics for everything that stands in the way.

bibtexparser's splitter cuts each file into blocks and keeps going past a broken one (with its line); this
module evaluates the values (@string macros, `#` concatenation, month macros — bibtexparser only resolves a
value that is a single macro), decodes LaTeX, splits names, and applies crossref/xdata inheritance.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from bibtexparser.model import (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry as BlockEntry,
                                ParsingFailedBlock, Preamble, String)
from bibtexparser.splitter import Splitter

from .. import safe_pickle
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from . import rules as R
from .latex import decode, decode_spans
from .model import Bibliography, Entry
from .names import parse_names

# bibtexparser logs each failed block as a warning; we report them as diagnostics instead
_log = logging.getLogger("bibtexparser")
_log.addHandler(logging.NullHandler())
_log.propagate = False

CACHE_VERSION = "bib-8"  # change when the model or the loader's output changes
MONTH_MACROS = {m[:3]: m.capitalize() for m in
                ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                 "october", "november", "december")}
# fields biblatex reads verbatim: no LaTeX decoding (a URL's '~' is a tilde)
VERBATIM = {"url", "doi", "eprint", "file", "pdf", "urlraw", "verba", "verbb", "verbc", "local-url"}
# fields whose protected braces matter (styles change their case)
CASED = {"title", "subtitle", "titleaddon", "booktitle", "booksubtitle", "maintitle", "mainsubtitle",
         "shorttitle", "journaltitle", "journal", "series", "eventtitle", "origtitle"}
NAME_FIELDS = ("author", "editor")

# crossref inheritance (biblatex manual, appendix B): fields never inherited, and renamed ones
NO_INHERIT = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label", "options",
              "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
              "shorthandintro", "sortkey", "shorttitle", "sorttitle", "indextitle", "indexsorttitle"}
_BOOK = {"title": ("booktitle",), "subtitle": ("booksubtitle",), "titleaddon": ("booktitleaddon",)}
_MAIN = {"title": ("maintitle",), "subtitle": ("mainsubtitle",), "titleaddon": ("maintitleaddon",)}
_PARTS = {"inbook", "bookinbook", "suppbook", "incollection", "suppcollection", "inreference", "inproceedings",
          "conference"}
INHERIT_AS = [  # (parent types, child types, renames); the first that applies
    ({"mvbook", "mvcollection", "mvproceedings", "mvreference"},
     {"book", "collection", "proceedings", "reference"} | _PARTS, _MAIN),
    ({"book"}, {"inbook", "bookinbook", "suppbook"}, {**_BOOK, "author": ("author", "bookauthor")}),
    # biber maps title -> booktitle only from @collection to @incollection; BibTeX users (and JabRef) put
    # chapters' crossref on an @book, so a book's title becomes the booktitle of any part of it
    ({"book", "collection", "reference", "proceedings"}, _PARTS, _BOOK),
    ({"periodical"}, {"article", "suppperiodical"}, {"title": ("journaltitle",), "subtitle": ("journalsubtitle",)}),
]


# -- public entry point ----------------------------------------------------------------------------------------
def load_bibliography(root: Path, globs: list[str], *, files: list[str] | None = None,
                      cache_dir: Path | None = None, options: dict | None = None
                      ) -> tuple[Bibliography, list[Diagnostic]]:
    """Load every .bib file of the issue (the manifest's globs, or `files`) into one Bibliography.

    Nothing outside `root` is read. `options` is the manifest's [bibliography] table; the loader reads
    `keymap` (a TOML file of old key -> shared key written by `issue refs merge`) and `max_mb` (default 50).
    The result is cached in `cache_dir` by the files' content.
    """
    data, keymap, diags, key = _inputs(root, globs, files, options)
    with _no_gc():
        cached = _cache_get(cache_dir, key)
        if cached is not None:
            bib, load_diags = cached
            return bib, diags + load_diags
        bib, load_diags = parse_files(data, keymap)
        _cache_put(cache_dir, key, (bib, load_diags))
    return bib, diags + load_diags


def fingerprint(root: Path, globs: list[str], *, files: list[str] | None = None, options: dict | None = None) -> str:
    """The content hash of the bibliography's inputs (the files chosen, their bytes, the keymap): what an analysis
    of the bibliography depends on. Reads the files but parses nothing."""
    _data, _keymap, diags, key = _inputs(root, globs, files, options)
    return hashlib.sha256((key + "".join(f"|{d.code}:{d.message}" for d in diags)).encode()).hexdigest()


def _inputs(root: Path, globs: list[str], files: list[str] | None, options: dict | None
            ) -> tuple[list[tuple[str, bytes]], dict[str, str], list[Diagnostic], str]:
    """The chosen files' bytes, the keymap, the findings about the files, and the content key."""
    root = Path(root).resolve()
    options = options or {}
    diags: list[Diagnostic] = []
    chosen = _select_files(root, globs, files, diags)
    max_bytes = float(options.get("max_mb", 50)) * 1024 * 1024
    data: list[tuple[str, bytes]] = []
    for rel in chosen:
        try:
            full = root / rel
            if full.stat().st_size > max_bytes:
                diags.append(make(R.FILE.code, f"{rel} is larger than {options.get('max_mb', 50)} MB "
                                  "([bibliography] max_mb)", Location(rel)))
                continue
            data.append((rel, full.read_bytes()))
        except OSError as exc:
            diags.append(make(R.FILE.code, f"{rel} cannot be read: {exc.strerror or exc}", Location(rel)))
    keymap = _read_keymap(root, options.get("keymap"), diags)

    from ..cache import code_version  # a new version of the loader must not read an old one's cache

    digest = hashlib.sha256((CACHE_VERSION + code_version()).encode())
    digest.update(json.dumps(keymap, sort_keys=True).encode())
    for rel, blob in data:
        digest.update(f"\0{rel}\0{len(blob)}\0".encode())
        digest.update(blob)
    return data, keymap, diags, digest.hexdigest()


@contextlib.contextmanager
def _no_gc():
    """Building (or unpickling) some 200,000 small objects makes the cyclic collector run again and again for
    nothing: they are all live. Switching it off for that time halves the load time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_text(text: str, name: str = "refs.bib") -> tuple[Bibliography, list[Diagnostic]]:
    """Load a .bib given as text (for tests and commands that read one file)."""
    return parse_files([(name, text.encode("utf-8"))])


def parse_files(data: list[tuple[str, bytes]], keymap: dict[str, str] | None = None
                ) -> tuple[Bibliography, list[Diagnostic]]:
    bib = Bibliography()
    diags: list[Diagnostic] = []
    macros: dict[str, str] = {}
    seen_folded: dict[str, Entry] = {}
    for rel, blob in data:
        text = _decode_file(rel, blob, diags)
        if text is None:
            continue
        bib.files.append(rel)
        bib.texts[rel] = text
        lines = bib.lines(rel)
        _parse_file(bib, rel, text, lines, macros, seen_folded, diags)
    bib.strings = dict(macros)
    _inherit(bib)
    _register_aliases(bib, keymap or {}, diags)
    return bib, diags


# -- files ------------------------------------------------------------------------------------------------------
def _select_files(root: Path, globs: list[str], files: list[str] | None, diags: list[Diagnostic]) -> list[str]:
    chosen: list[str] = []

    def accept(path: Path, written: str) -> None:
        try:
            resolved = path.resolve()
        except OSError:
            resolved = path
        if not resolved.is_relative_to(root):
            diags.append(make(R.FILE.code, f"'{written}' is outside the issue folder; it is not read",
                              Location(written), suggestion="copy the .bib file into the issue folder"))
            return
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else resolved.relative_to(root).as_posix()
        if rel not in chosen:
            chosen.append(rel)

    if files is not None:
        for f in files:
            p = Path(f)
            if p.is_absolute() or ".." in p.parts:
                diags.append(make(R.FILE.code, f"'{f}' is outside the issue folder; it is not read", Location(f)))
                continue
            full = root / p
            if not full.is_file():
                diags.append(make(R.FILE.code, f"{f}: no such file", Location(f)))
                continue
            accept(full, f)
        return chosen
    for pattern in globs:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            diags.append(make(R.FILE.code, f"the bibliography pattern '{pattern}' leaves the issue folder",
                              Location("issue.toml")))
            continue
        matches = sorted(p for p in root.glob(pattern) if p.is_file())
        if not matches:
            diags.append(make(R.FILE.code, f"no file matches the bibliography pattern '{pattern}'",
                              Location("issue.toml"), severity="warning",
                              suggestion="check [issue] bibliography in issue.toml"))
        for p in matches:
            accept(p, p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p))
    return chosen


def _decode_file(rel: str, blob: bytes, diags: list[Diagnostic]) -> str | None:
    """UTF-8 (with or without BOM, CRLF or LF); anything else is reported and read as well as possible."""
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = blob.decode("utf-16", errors="replace")
        diags.append(make(R.ENCODING.code, f"{rel} is UTF-16; it was read, but most BibTeX tools need UTF-8",
                          Location(rel, line=1, column=1), suggestion="save the file as UTF-8"))
    else:
        if blob.startswith(b"\xef\xbb\xbf"):
            blob = blob[3:]
        if b"\0" in blob[:8192]:
            diags.append(make(R.SYNTAX.code, f"{rel} is not a text file", Location(rel)))
            return None
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = blob.count(b"\n", 0, exc.start) + 1
            col = exc.start - (blob.rfind(b"\n", 0, exc.start) + 1) + 1
            try:
                text, codec = blob.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                text, codec = blob.decode("latin-1"), "Latin-1"
            bad = blob[exc.start:exc.start + 1]
            context = text.replace("\r\n", "\n").split("\n")[line - 1] if line else None
            diags.append(make(
                R.ENCODING.code,
                f"{rel} is not UTF-8 (byte 0x{bad.hex().upper()} at line {line}); it was read as {codec}",
                Location(rel, line=line, column=col), excerpt=(context or "")[col - 1:col] or None,
                context=context, context_start=col - 1 if context else None,
                suggestion="save the file as UTF-8 (JabRef: Library > Library properties > Encoding; "
                           "BibDesk: Preferences > Files > Default encoding)"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_keymap(root: Path, path: Any, diags: list[Diagnostic]) -> dict[str, str]:
    """The [keys] table of the key map `issue refs merge` writes (old key -> shared key)."""
    if not path:
        return {}
    p = Path(str(path))
    if p.is_absolute() or ".." in p.parts or not (root / p).resolve().is_relative_to(root):
        diags.append(make(R.FILE.code, f"the key map '{path}' is outside the issue folder", Location("issue.toml")))
        return {}
    try:
        data = tomllib.loads((root / p).read_text(encoding="utf-8"))
    except FileNotFoundError:
        diags.append(make(R.FILE.code, f"the key map '{path}' does not exist", Location("issue.toml"),
                          suggestion="run `issue refs merge ... -o FILE.bib`, which writes it"))
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        diags.append(make(R.FILE.code, f"the key map '{path}' cannot be read: {exc}", Location(p.as_posix())))
        return {}
    keys = data.get("keys", {})
    return {str(k): str(v) for k, v in keys.items() if isinstance(v, str)} if isinstance(keys, dict) else {}


# -- one file ---------------------------------------------------------------------------------------------------
_BLOCK_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]*)")


ENTRY_START = re.compile(r"\s*@\s*[A-Za-z]+\s*[{(]")
LOOKS_LIKE_START = re.compile(r"\s*@[^\s{(]*[{(,]")


FIELD_LINE = re.compile(r"\s*[A-Za-z][\w-]*\s*=\s*[{\"\w]")
NAMELESS_FIELD = re.compile(r"\s*=\s*[{\"]")


def _damaged_entry_starts(rel: str, lines: list[str]) -> list[Diagnostic]:
    """Damage that bibtexparser passes over without a word, found by following the braces line by line:
    a line that begins like an entry but is not one ('@ar}ticle{key,'), whose whole entry it skips as a comment;
    a field with no name inside an entry, which it drops; and fields outside any entry, left behind when an
    extra '}' closed the entry early. BibTeX reports all three; so do we."""
    out = []
    depth = 0
    orphaned = False
    for n, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("@"):
            orphaned = False
        if depth == 0 and text.startswith("@") and LOOKS_LIKE_START.match(line) and not ENTRY_START.match(line):
            out.append(_at(R.SYNTAX.code, f"'{text[:60]}' is not the start of an entry: the entry is skipped",
                           rel, lines, n, text[:60], suggestion="write the entry type and the key as '@article{key,'"))
        elif (depth == 0 and not orphaned and not text.startswith("@") and FIELD_LINE.match(line)
              and _after_entry(lines, n) is not None):
            closed = _after_entry(lines, n)
            orphaned = True  # one finding for the fields cut off, not one per field
            group = []
            for later in lines[n - 1:n + 40]:
                if not later.strip() or later.lstrip().startswith("@"):
                    break
                group.append(later)
            lost = [m.group(1) for m in (re.match(r"\s*([A-Za-z][\w-]*)\s*=", g) for g in group) if m]
            out.append(_at(R.SYNTAX.code, f"an extra '}}' closes the entry on this line, so the fields after it "
                           f"({', '.join(lost)}) are lost", rel, lines, closed, lines[closed - 1].strip()[-40:],
                           suggestion="remove the extra '}'"))
        elif depth > 0 and NAMELESS_FIELD.match(line):
            out.append(_at(R.SYNTAX.code, "a field without a name: its value is lost", rel, lines, n, text[:60],
                           suggestion="write the field's name before '=' (e.g. 'journal = {...}')"))
        depth = max(0, depth + line.count("{") - line.count("\\{") - line.count("}") + line.count("\\}"))
    return out


def _after_entry(lines: list[str], n: int) -> int | None:
    """The line that closed an entry just above line n (so a field on line n was cut off from it), if any."""
    for i in range(n - 2, -1, -1):
        prev = lines[i]
        if prev.strip():
            ends = prev.rstrip().endswith(("}", "},", "}}")) and not prev.lstrip().startswith("@")
            return i + 1 if ends and FIELD_LINE.match(prev) else None
    return None


def _parse_file(bib: Bibliography, rel: str, text: str, lines: list[str], macros: dict[str, str],
                seen_folded: dict[str, Entry], diags: list[Diagnostic]) -> None:
    diags.extend(_damaged_entry_starts(rel, lines))
    library = Splitter(text).split()
    for block in library.blocks:
        if isinstance(block, String):
            _define_string(block, rel, lines, macros, diags)
        elif isinstance(block, Preamble):
            bib.preambles.append(block.value)
        elif isinstance(block, BlockEntry):
            _add_entry(bib, _make_entry(block, rel, lines, macros, diags), seen_folded, diags)
        elif isinstance(block, DuplicateBlockKeyBlock):
            inner = block.ignore_error_block
            if isinstance(inner, String):
                _define_string(inner, rel, lines, macros, diags)  # BibTeX: a later @string wins
            elif isinstance(inner, BlockEntry):
                _add_entry(bib, _make_entry(inner, rel, lines, macros, diags), seen_folded, diags)
        elif isinstance(block, DuplicateFieldKeyBlock):
            inner = block.ignore_error_block
            entry = _make_entry(inner, rel, lines, macros, diags)
            for name in sorted(block.duplicate_keys):
                later = [f for f in inner.fields if f.key == name][1:]
                for f in later:
                    line = f.start_line + 1
                    diags.append(_at(R.SYNTAX.code, f"field '{name.lower()}' appears twice in '{entry.key}'; "
                                     "only the first value is used", rel, lines, line, name,
                                     severity="warning", suggestion="delete one of the two"))
            _add_entry(bib, entry, seen_folded, diags)
        elif isinstance(block, ParsingFailedBlock):
            _failed_block(bib, block, rel, lines, macros, seen_folded, diags)


def _failed_block(bib, block, rel, lines, macros, seen_folded, diags) -> None:
    raw = block.raw or ""
    head = _BLOCK_HEAD.match(raw)
    kind = head.group(1).lower() if head else ""
    key = head.group(2) if head else ""
    line = (block.start_line or 0) + 1
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    stop = line + raw.rstrip().count("\n")  # the block ends where the splitter stopped reading
    what = f"entry '{key}'" if key else (f"@{kind} block" if kind else "block")
    message = f"{what} cannot be read: {_plain_reason(reason)}"
    if stop > line:
        message += f" (reading stopped at line {stop})"
    recovered = None
    if kind and kind not in ("string", "preamble", "comment") and key:
        recovered = _recover(raw, block.start_line or 0, rel, lines, macros, diags)
        if recovered is not None:
            message += "; the fields before the error were kept"
    diags.append(_at(R.SYNTAX.code, message, rel, lines, line, "@",
                     suggestion="check that every field ends with '},' and the entry with '}'",
                     data={"key": key} if key else None))
    if recovered is not None:
        recovered.recovered = True
        _add_entry(bib, recovered, seen_folded, diags)


def _plain_reason(reason: str) -> str:
    reason = reason.strip().replace("`", "'")
    if reason.startswith("Unexpected block start"):
        return "it is not closed before the next '@' (a missing '}' or a stray '{')"
    if "end of file" in reason:
        return "the file ends before the entry is closed (a missing '}')"
    return reason[0].lower() + reason[1:] if reason else "syntax error"


def _recover(raw: str, start_line: int, rel, lines, macros, diags) -> Entry | None:
    """The entry of a block that was cut off (usually by a missing closing brace), read up to the error."""
    body = raw.rstrip().rstrip(",")
    for closing in ("}", "}}", "\"}"):
        lib = Splitter(body + "\n" + closing).split()
        if len(lib.entries) == 1 and not lib.failed_blocks:
            block = lib.entries[0]
            block._start_line_in_file = start_line
            for f in block.fields:
                f._start_line = (f.start_line or 0) + start_line
            sink: list[Diagnostic] = []  # the syntax error is already reported
            return _make_entry(block, rel, lines, macros, sink)
    return None


def _define_string(block: String, rel: str, lines: list[str], macros: dict[str, str], diags) -> None:
    value, undefined, problem = evaluate(block.value, macros)
    line = (block.start_line or 0) + 1
    for name in undefined:
        diags.append(_at(R.UNDEFINED_STRING.code, f"@string {block.key} uses '{name}', which is not defined",
                         rel, lines, line, name))
    if problem:
        diags.append(_at(R.SYNTAX.code, f"@string {block.key}: {problem}", rel, lines, line, block.key,
                         severity="warning"))
    macros[block.key.strip().lower()] = value


def _make_entry(block: BlockEntry, rel: str, lines: list[str], macros: dict[str, str], diags) -> Entry:
    line = (block.start_line or 0) + 1
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    col = src.find("@") + 1 or 1
    entry = Entry(key=block.key.strip(), type=block.entry_type.strip().lower(), location=Location(rel, line, col))
    todo = [(f.key.strip(), f.value.strip() if isinstance(f.value, str) else str(f.value), (f.start_line or 0) + 1)
            for f in block.fields]
    while todo:
        written, expression, fline = todo.pop(0)
        name = written.lower()
        split = _missing_comma(expression)
        if split is not None:
            # `title = {...}` NEWLINE `journal = {...}`: the splitter reads one value; read two
            rest = expression[split:].strip()
            rest_line = fline + expression[:split].count("\n") + 1
            next_name, _, next_value = rest.partition("=")
            expression = expression[:split].rstrip()
            todo.insert(0, (next_name.strip(), next_value.strip(), rest_line))
            diags.append(_at(R.SYNTAX.code, f"a comma is missing after the {name} of '{entry.key}', before "
                             f"'{next_name.strip()}'; both fields were read", rel, lines, rest_line,
                             next_name.strip(), suggestion=f"end the {name} line with a comma",
                             data={"key": entry.key}))
        if not name or name in entry.raw_fields:
            continue  # a repeated field: the first counts (reported by the caller)
        fsrc = lines[fline - 1] if 0 < fline <= len(lines) else ""
        fcol = _find_ci(fsrc, written) + 1 or 1
        entry.field_positions[name] = (fline, fcol)
        latex, undefined, problem = evaluate(expression, macros)
        for macro in undefined:
            diags.append(_at(R.UNDEFINED_STRING.code, f"'{macro}' in field {name} of '{entry.key}' is not an "
                             "@string that is defined", rel, lines, fline, macro,
                             suggestion=f"define @string{{{macro} = {{...}}}} before it, or write "
                                        f"{name} = {{{macro}}} for the text itself",
                             data={"key": entry.key, "macro": macro}))
        if problem:
            diags.append(_at(R.SYNTAX.code, f"field {name} of '{entry.key}': {problem}", rel, lines, fline,
                             written, severity="warning", data={"key": entry.key}))
        if expression != "{" + latex + "}":
            entry.expressions[name] = expression  # a macro, a concatenation, quotes: kept as written
        entry.raw_fields[name] = latex
        _set_decoded(entry, name, latex)
    _set_names(entry)
    ids = entry.raw_fields.get("ids")
    if ids:
        entry.aliases = [k.strip() for k in ids.split(",") if k.strip()]
    return entry


_NEXT_FIELD = re.compile(r"\n[ \t]*[A-Za-z][\w:.-]*[ \t]*=")


def _missing_comma(expr: str) -> int | None:
    """Where a second `name = value` starts inside one value (a missing comma), outside braces and quotes."""
    if "\n" not in expr or "=" not in expr:
        return None
    depth, quoted, i = 0, False, 0
    while i < len(expr):
        c = expr[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            quoted = not quoted
        elif c == "\n" and depth == 0 and not quoted and i > 0 and _NEXT_FIELD.match(expr, i):
            return i
        i += 1
    return None


def _find_ci(text: str, needle: str) -> int:
    i = text.find(needle)
    return i if i >= 0 else text.lower().find(needle.lower())


def _set_decoded(entry: Entry, name: str, latex: str) -> None:
    if name in VERBATIM or name.startswith("bdsk-"):
        value = _URL_COMMAND.sub(r"\1", latex)  # url = {\url{...}}
        value = re.sub(r"\\([_%&#~$])", r"\1", value)
        value = re.sub(r"(?<!\\)[{}]", "", value)  # {https://...}: braces are no part of a URL or DOI
        entry.fields[name] = re.sub(r"\s+", " ", value).strip()
        return
    if name in CASED:
        text, spans = decode_spans(latex)
        if spans:
            entry.protected[name] = spans
    else:
        text = decode(latex)
    entry.fields[name] = text


def _set_names(entry: Entry) -> None:
    for name in NAME_FIELDS:
        latex = entry.raw_fields.get(name)
        if latex is None:
            continue
        people, others, problems = parse_names(latex)
        setattr(entry, "authors" if name == "author" else "editors", people)
        if others:
            entry.others[name] = True
        for p in problems:
            entry.problems.append((name, p))


def _add_entry(bib: Bibliography, entry: Entry, seen_folded: dict[str, Entry], diags: list[Diagnostic]) -> None:
    if not entry.key:
        lines = bib.lines(entry.location.file)
        diags.append(_at(R.SYNTAX.code, f"an @{entry.type} entry has no key", entry.location.file, lines,
                         entry.location.line, "@", suggestion="write a key after the brace: @book{smith2017,"))
        return
    first = seen_folded.get(entry.key.casefold())
    if first is not None:
        lines = bib.lines(entry.location.file)
        where = first.location.label()
        if first.key == entry.key:
            message = (f"key '{entry.key}' is used twice (first at {where}); BibTeX, biber and pandoc use the "
                       "first entry, this one is ignored")
            bib.shadowed.append(entry)
        else:
            message = (f"key '{entry.key}' differs only in case from '{first.key}' ({where}); BibTeX treats "
                       "them as one key")
            bib.entries[entry.key] = entry
        diags.append(_at(R.DUPLICATE_KEY.code, message, entry.location.file, lines, entry.location.line,
                         entry.key, suggestion="keep one entry, or give this one its own key",
                         data={"key": entry.key, "first": where}))
        return
    seen_folded[entry.key.casefold()] = entry
    bib.entries[entry.key] = entry


def _at(code: str, message: str, rel: str, lines: list[str], line: int | None, excerpt: str | None = None,
        **kwargs: Any) -> Diagnostic:
    """A diagnostic on `line` of `rel`, pointing at `excerpt` in it when it is there."""
    context = lines[line - 1] if line and 0 < line <= len(lines) else None
    start = _find_ci(context, excerpt) if (context is not None and excerpt) else -1
    loc = Location(rel, line=line, column=start + 1 if start >= 0 else 1)
    if start < 0:
        return make(code, message, loc, excerpt=None, context=None, **kwargs)
    return make(code, message, loc, excerpt=context[start:start + len(excerpt)], context=context,
                context_start=start, **kwargs)


_URL_COMMAND = re.compile(r"^\s*\\(?:url|href)\s*\{([^{}]*)\}\s*$")
_WORD = re.compile(r"[^\s#{}\",=]+")


# -- values -----------------------------------------------------------------------------------------------------
def evaluate(expr: str, macros: dict[str, str]) -> tuple[str, list[str], str | None]:
    """(LaTeX value, undefined macros, problem) of a value expression: {..}, ".." , 1984, macro, joined by #."""
    if expr.startswith("{") and expr.endswith("}") and _closes_at_end(expr):
        return expr[1:-1], [], None
    parts: list[str] = []
    undefined: list[str] = []
    i, n = 0, len(expr)
    expect_value = True
    while i < n:
        c = expr[i]
        if c.isspace():
            i += 1
            continue
        if not expect_value:
            if c == "#":
                expect_value = True
                i += 1
                continue
            return _fallback(expr), undefined, f"expected '#' between the parts of a value near '{expr[i:i + 20]}'"
        if c == "{":
            j = _matching_brace(expr, i)
            if j < 0:
                return _fallback(expr), undefined, "unbalanced braces"
            parts.append(expr[i + 1:j])
            i = j + 1
        elif c == '"':
            j = _closing_quote(expr, i)
            if j < 0:
                return _fallback(expr), undefined, "a quoted value is not closed"
            parts.append(expr[i + 1:j])
            i = j + 1
        else:
            m = _WORD.match(expr, i)
            word = m.group(0) if m else expr[i]
            i += len(word)
            if word.isdigit():
                parts.append(word)
            else:
                low = word.lower()
                if low in macros:
                    parts.append(macros[low])
                elif low in MONTH_MACROS:
                    parts.append(MONTH_MACROS[low])
                else:
                    undefined.append(word)
                    parts.append(word)
        expect_value = False
    if expect_value and parts:
        return "".join(parts), undefined, "the value ends with '#'"
    return "".join(parts), undefined, None


def _closes_at_end(expr: str) -> bool:
    inner = expr[1:-1]
    if "{" not in inner and "}" not in inner:
        return not inner.endswith("\\")  # the common case: {plain text}
    return _matching_brace(expr, 0) == len(expr) - 1


_BRACE_MARKS = re.compile(r"\\.|[{}]", re.S)


def _matching_brace(text: str, start: int) -> int:
    """Index of the brace that closes the one at `start` (-1 when none); escaped braces do not count."""
    depth = 0
    for m in _BRACE_MARKS.finditer(text, start):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def _closing_quote(text: str, start: int) -> int:
    depth = 0
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == '"' and depth == 0:
            return i
        i += 1
    return -1


def _fallback(expr: str) -> str:
    if len(expr) >= 2 and expr[0] in "{\"" and expr[-1] in "}\"":
        return expr[1:-1]
    return expr


# -- inheritance and aliases ------------------------------------------------------------------------------------
def _inherit(bib: Bibliography) -> None:
    done: set[str] = set()
    for entry in bib.entries.values():
        _resolve(bib, entry, done, set())


def _lookup(bib: Bibliography, key: str) -> Entry | None:
    return bib.entries.get(key) or next((e for k, e in bib.entries.items() if k.casefold() == key.casefold()), None)


MAX_CROSSREF_DEPTH = 20  # chains longer than this are not real bibliographies; stop rather than recurse on


def _resolve(bib: Bibliography, entry: Entry, done: set[str], active: set[str]) -> None:
    if entry.key in done or entry.key in active or len(active) > MAX_CROSSREF_DEPTH:
        return
    active.add(entry.key)
    for name in ("xdata", "crossref"):
        value = entry.raw_fields.get(name)
        if not value:
            continue
        targets = [k.strip() for k in value.split(",") if k.strip()] if name == "xdata" else [value.strip()]
        for target in targets:
            parent = _lookup(bib, target)
            if parent is None:
                entry.missing_parents.append((name, target))
                continue
            if parent is entry or parent.key in active:  # a cycle: inherit nothing from it, and say so
                entry.cyclic_parents.append((name, parent.key))
                continue
            entry.parents.append(parent.key)
            _resolve(bib, parent, done, active)
            _copy_fields(entry, parent, mapped=name == "crossref")
    active.discard(entry.key)
    done.add(entry.key)


def _copy_fields(child: Entry, parent: Entry, mapped: bool) -> None:
    renames: dict[str, tuple[str, ...]] = {}
    if mapped:
        for parents, children, table in INHERIT_AS:
            if parent.type in parents and child.type in children:
                renames = table
                break
    changed_names = False
    for name, value in parent.fields.items():
        if name in NO_INHERIT:
            continue
        for target in renames.get(name, (name,)):
            if target in child.fields:
                continue
            child.fields[target] = value
            child.inherited[target] = parent.inherited.get(name, parent.key)
            if name in parent.protected:
                child.protected[target] = parent.protected[name]
            if target in NAME_FIELDS:
                changed_names = True
    if changed_names:
        if not child.authors and "author" in child.inherited:
            child.authors = list(parent.authors)
        if not child.editors and "editor" in child.inherited:
            child.editors = list(parent.editors)


def _register_aliases(bib: Bibliography, keymap: dict[str, str], diags: list[Diagnostic]) -> None:
    for entry in bib.entries.values():
        for alias in entry.aliases:
            if alias in bib.entries and alias != entry.key:
                lines = bib.lines(entry.location.file)
                pos = entry.field_positions.get("ids", (entry.location.line, 1))
                diags.append(_at(R.DUPLICATE_KEY.code, f"'{alias}' in ids of '{entry.key}' is also the key of an "
                                 "entry", entry.location.file, lines, pos[0], alias, severity="warning"))
                continue
            bib.aliases.setdefault(alias, entry.key)
    for old, new in sorted(keymap.items()):
        if old not in bib.entries and new in bib.entries:
            bib.aliases.setdefault(old, new)


# -- cache ------------------------------------------------------------------------------------------------------
def _cache_get(cache_dir: Path | None, key: str):
    if cache_dir is None:
        return None
    f = Path(cache_dir) / "bibliography" / f"{key}.pickle"
    try:
        return safe_pickle.loads(f.read_bytes())  # a cache shipped with a folder is not trusted
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None


def _cache_put(cache_dir: Path | None, key: str, value) -> None:
    if cache_dir is None:
        return
    folder = Path(cache_dir) / "bibliography"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pickle")
        # keep the few most recent results (one per set of files: the issue, single-file commands)
        old = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[8:]
        for p in old:
            p.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time
