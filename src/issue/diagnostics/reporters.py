"""Reporters: compiler-style text (colour on a terminal, NO_COLOR honoured), JSON and GitHub annotations."""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Iterable, TextIO

from .core import Diagnostic, Severity

_COLOURS = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold cyan"}


def use_colour(stream: TextIO, force: bool | None = None) -> bool:
    if force is not None:
        return force
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _snippet(d: Diagnostic, width: int = 100) -> tuple[str, int, int] | None:
    """The context line cut to `width` around the excerpt, with the excerpt's start and length in it."""
    if not d.context or d.context_start is None or not d.excerpt:
        return None
    text = d.context.replace("\t", " ")
    start, length = d.context_start, len(d.excerpt)
    if start < 0 or start > len(text):
        return None
    length = max(1, min(length, len(text) - start))
    lo = max(0, start - (width - length) // 2) if len(text) > width else 0
    hi = min(len(text), lo + width)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    return prefix + text[lo:hi] + suffix, start - lo + len(prefix), min(length, hi - start)


def format_text(diags: Iterable[Diagnostic], *, colour: bool = False, summary: bool = True) -> str:
    """Compiler-style text. Written directly (rich, which this output once went through, took a quarter of a
    second per hundred findings: minutes for a large issue); it prints the same characters rich did."""
    out: list[str] = []
    line = _Line(colour)
    counts = {s: 0 for s in Severity}
    for d in diags:
        counts[d.severity] += 1
        out.append(line.parts((f"{d.location.label()}: ", "bold"),
                              (f"{d.severity.value}[{d.code} {d.name}]", _COLOURS[d.severity]), (f": {d.message}", "")))
        gutter = str(d.location.line) if d.location.line else (f"¶{d.location.paragraph}" if d.location.paragraph else "")
        snip = _snippet(d)
        pad = " " * len(gutter)
        if snip:
            text, col, length = snip
            out.append(line.parts((f" {pad} |", "blue")))
            out.append(line.parts((f" {gutter} | ", "blue"), (text, "blue")))
            out.append(line.parts((f" {pad} | ", "blue"), (" " * col + "^" * length, "blue " + _COLOURS[d.severity])))
        elif d.excerpt:
            out.append(line.parts((f" {pad} | {d.excerpt}", "blue")))
        if d.suggestion:
            out.append(line.parts((f" {pad} = help: {d.suggestion}", "green")))
    if summary:
        parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity]
        out.append(line.parts(("found " + ", ".join(parts), "bold")))
    return "".join(out)


_SGR = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}
_CONTROL = str.maketrans({0x07: None, 0x08: None, 0x0B: None, 0x0C: None, 0x0D: None})  # as rich strips them
_SPECIAL = re.compile("[\x07\x08\x0b\x0c\x0d\t]")


class _Line:
    """One printed line from styled parts: control characters dropped, tabs expanded to 8-cell stops, and with
    colour each part wrapped in its SGR codes (bold red for errors, yellow warnings, cyan infos, blue gutter)."""

    def __init__(self, colour: bool):
        self.colour = colour

    def parts(self, *parts: tuple[str, str]) -> str:
        texts = [t for t, _ in parts]
        if _SPECIAL.search("".join(texts)):  # rare: most lines have neither tabs nor control characters
            texts = [t.translate(_CONTROL) for t in texts]
            if any("\t" in t for t in texts):
                texts = _expand_tabs(texts)
        if not self.colour:
            return "".join(texts) + "\n"
        runs: list[list[str]] = []  # [codes, text]: neighbours of one style printed as one run, as rich does
        for text, (_, style) in zip(texts, parts):
            codes = _codes(style)
            if runs and runs[-1][0] == codes:
                runs[-1][1] += text
            elif text:
                runs.append([codes, text])
        out = []
        for codes, text in runs:
            if codes:  # a run that spans lines is styled line by line, as a terminal expects
                out.append("\n".join(f"\x1b[{codes}m{t}\x1b[0m" if t else t for t in text.split("\n")))
            else:
                out.append(text)
        return "".join(out) + "\n"


def _codes(style: str) -> str:
    """SGR codes of a style such as "blue bold red": attributes first; the last colour wins."""
    words = style.split()
    colours = [w for w in words if w != "bold"]
    return ";".join((["1"] if "bold" in words else []) + ([_SGR[colours[-1]]] if colours else []))


def _expand_tabs(texts: list[str]) -> list[str]:
    from rich.cells import cell_len

    column = 0
    out = []
    for text in texts:
        pieces = []
        for i, chunk in enumerate(text.split("\n")):
            if i:
                pieces.append("\n")
                column = 0
            cells = chunk.split("\t")
            for j, cell in enumerate(cells):
                pieces.append(cell)
                column += cell_len(cell)
                if j < len(cells) - 1:
                    spaces = 8 - column % 8
                    pieces.append(" " * spaces)
                    column += spaces
        out.append("".join(pieces))
    return out


def format_json(diags: Iterable[Diagnostic], extra: dict[str, Any] | None = None) -> str:
    diags = list(diags)
    payload: dict[str, Any] = {
        "version": 1,
        "diagnostics": [d.to_json() for d in diags],
        "summary": {s.value: sum(1 for d in diags if d.severity == s) for s in Severity},
    }
    if extra:
        payload.update(extra)
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diags: Iterable[Diagnostic]) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in diags:
        loc = d.location
        props = [f"file={_gh_escape(loc.file, True)}"]
        if loc.line is not None:
            props.append(f"line={loc.line}")
            if loc.column:
                props.append(f"col={loc.column}")
            if loc.end_line:
                props.append(f"endLine={loc.end_line}")
            if loc.end_column and loc.end_line == loc.line:
                props.append(f"endColumn={loc.end_column}")
        props.append(f"title={_gh_escape(f'{d.code} {d.name}', True)}")
        where = f"¶{loc.paragraph}: " if loc.paragraph is not None else ""
        message = where + d.message + (f" (help: {d.suggestion})" if d.suggestion else "")
        lines.append(f"::{level[d.severity]} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def write(diags: list[Diagnostic], fmt: str, stream: TextIO | None = None, extra: dict[str, Any] | None = None,
          colour: bool | None = None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(format_json(diags, extra))
    elif fmt == "github":
        stream.write(format_github(diags))
    else:
        stream.write(format_text(diags, colour=use_colour(stream, colour)))
    stream.flush()
