"""build/pages.toml: each contribution's page range in the typeset issue, for the editor to accept into issue.toml.

`issue build --paginate` writes it (pdf.py); `load()` reads it back, so that other outputs (the website's contents
and index) can show print pages before the editor has copied them into the manifest. Manifest pages win: the
file only proposes.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

NAME = "pages.toml"


def write(path: Path, ranges: dict[str, str]) -> None:
    lines = ["# The page ranges of the typeset issue (build/pdf/issue.pdf), written by `issue build --paginate`.",
             "# To accept them, copy each range into the `pages` of its contribution in issue.toml.", "",
             "[pages]"]
    for cid, pages in ranges.items():
        lines.append(f'{cid} = "{pages}"')  # ids are [a-z0-9_-]: bare keys; ranges are digits, letters and "-"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(root: Path) -> dict[str, str]:
    """The proposed ranges from <root>/build/pages.toml ({} when absent or unreadable)."""
    try:
        data = tomllib.loads((root / "build" / NAME).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    pages = data.get("pages")
    if not isinstance(pages, dict):
        return {}
    return {str(k): str(v) for k, v in pages.items() if isinstance(v, (str, int))}


def print_pages(ctx: Any, model: Any) -> dict[str, tuple[str, str]]:
    """(first, last) page of each contribution: the manifest's `pages`; else the pages typeset by this build's
    PDF; else the last `issue build --paginate` (build/pages.toml)."""
    typeset = getattr(ctx, "_issue_typeset", None) or {}
    proposed = load(ctx.root)
    out: dict[str, tuple[str, str]] = {}
    for c in model.contributions:
        if c.first_page:
            out[c.id] = (c.first_page, c.last_page or c.first_page)
        elif c.id in typeset:
            out[c.id] = typeset[c.id]
        elif c.id in proposed:
            first, _, last = proposed[c.id].partition("-")
            out[c.id] = (first.strip(), (last or first).strip())
    return out
