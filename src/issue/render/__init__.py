"""Render: one writer per output, each writing under the staging folder that becomes build/.

WRITERS maps an output name to "module:function"; each function takes (ctx, out_dir) and returns diagnostics.
`issue build --format html,pdf` picks some; the default is every writer present. They run in this order: the PDF
before the others, because it leaves its pagination on the Context (ctx.pagination) for the website's contents and
index and the publisher formats' page numbers.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from typing import TYPE_CHECKING

from ..diagnostics.core import Diagnostic

if TYPE_CHECKING:
    from ..pipeline import Context

WRITERS: list[tuple[str, str]] = [
    ("report", "issue.render.report:write"),
    ("index", "issue.concepts.export:write"),
    ("pdf", "issue.render.pdf:write"),
    ("html", "issue.render.html:write"),
    ("epub", "issue.render.epub:write"),
    ("docx", "issue.render.docx:write"),
    ("jats", "issue.render.jats:write"),
    ("crossref", "issue.render.crossref:write"),
]


def available(only: list[str] | None = None) -> list[str]:
    """The writers present (their modules import); with `only`, among those names alone (the others are not
    imported: `--format html` does not load the PDF writer)."""
    names = []
    for name, target in WRITERS:
        if (only is None or name in only) and _load(target) is not None:
            names.append(name)
    return names


def _load(target: str) -> Callable | None:
    module, _, func = target.partition(":")
    try:
        return getattr(importlib.import_module(module), func)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def render_all(ctx: Context, out: Path, formats: list[str] | None = None,
               progress: Callable[[str], None] | None = None) -> list[Diagnostic]:
    chosen = formats or available()
    diags: list[Diagnostic] = []
    for name, target in WRITERS:
        if name not in chosen and name != "report":
            continue
        fn = _load(target)
        if fn is None:
            continue
        if progress:
            progress(name)
        diags.extend(ctx.timed(f"render-{name}", lambda: fn(ctx, out)) or [])
    return diags
