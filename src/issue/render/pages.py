"""Print pages for the other outputs: where this build's PDF put each contribution and each index occurrence, and
build/pages.toml, each contribution's page range for the editor to accept into issue.toml.

The PDF writer runs before the other writers of a build (render.WRITERS) and leaves its `Pagination` on the
Context (`ctx.pagination`): the contribution page ranges and the page label of each index anchor, as Typst laid
them out. `issue build --paginate` also writes build/pages.toml; `load()` reads it back, so that a build without
the PDF (`--format html`) can still show the contributions' print pages. Manifest pages always win: the typeset
pages only propose.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAME = "pages.toml"


@dataclass
class Pagination:
    """The print pages a build knows of. `ranges`: contribution id -> (first, last) page label; `anchors`:
    contribution id -> index anchor id (as in the website) -> the label of the page it was typeset on (only when
    this build typeset the PDF: anchors of an earlier build may no longer match the text)."""

    ranges: dict[str, tuple[str, str]] = field(default_factory=dict)
    anchors: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = "pdf"  # "pdf" (this build) or "pages.toml" (the last `issue build --paginate`)

    def to_json(self) -> dict[str, Any]:  # for the outputs' cache keys
        return {"ranges": {k: list(v) for k, v in sorted(self.ranges.items())},
                "anchors": {k: dict(sorted(v.items())) for k, v in sorted(self.anchors.items())},
                "source": self.source}


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


def _split(pages: str) -> tuple[str, str]:
    first, _, last = pages.partition("-")
    return first.strip(), (last or first).strip()


def of_build(ctx: Any) -> Pagination | None:
    """This build's typeset pages (ctx.pagination, set by the PDF writer); else the ranges of the last
    `issue build --paginate` (build/pages.toml, still the old build/ while a build runs); else None."""
    typeset = getattr(ctx, "pagination", None)
    if isinstance(typeset, Pagination):
        return typeset
    proposed = load(ctx.root)
    if proposed:
        return Pagination(ranges={cid: _split(p) for cid, p in proposed.items()}, source=NAME)
    return None


def print_pages(ctx: Any, model: Any) -> dict[str, tuple[str, str]]:
    """(first, last) page of each contribution: the manifest's `pages`; else the pages typeset by this build's
    PDF; else the last `issue build --paginate` (build/pages.toml)."""
    known = of_build(ctx)
    ranges = known.ranges if known is not None else {}
    out: dict[str, tuple[str, str]] = {}
    for c in model.contributions:
        if c.first_page:
            out[c.id] = (c.first_page, c.last_page or c.first_page)
        elif c.id in ranges:
            out[c.id] = ranges[c.id]
    return out
