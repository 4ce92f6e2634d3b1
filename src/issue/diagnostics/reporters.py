"""Reporters: compiler-style text (colour on a terminal, NO_COLOR honoured), JSON and GitHub annotations."""
from __future__ import annotations

import json
import os
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
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=open(os.devnull, "w"), record=True, force_terminal=colour, no_color=not colour, width=200, highlight=False,
        soft_wrap=True,
    )
    counts = {s: 0 for s in Severity}
    for d in diags:
        counts[d.severity] += 1
        head = Text()
        head.append(f"{d.location.label()}: ", style="bold")
        head.append(f"{d.severity.value}[{d.code} {d.name}]", style=_COLOURS[d.severity])
        head.append(f": {d.message}")
        console.print(head)
        gutter = str(d.location.line) if d.location.line else (f"¶{d.location.paragraph}" if d.location.paragraph else "")
        snip = _snippet(d)
        pad = " " * len(gutter)
        if snip:
            line, col, length = snip
            console.print(Text(f" {pad} |", style="blue"))
            row = Text(f" {gutter} | ", style="blue")
            row.append(line)
            console.print(row)
            mark = Text(f" {pad} | ", style="blue")
            mark.append(" " * col + "^" * length, style=_COLOURS[d.severity])
            console.print(mark)
        elif d.excerpt:
            console.print(Text(f" {pad} | {d.excerpt}", style="blue"))
        if d.suggestion:
            console.print(Text(f" {pad} = help: {d.suggestion}", style="green"))
    if summary:
        parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity]
        console.print(Text("found " + ", ".join(parts), style="bold"))
    return console.export_text(styles=colour)


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
