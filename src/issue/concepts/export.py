"""The index and the concepts-by-contributions matrix as data: JSON, CSV and a heat-map SVG.

`write(ctx, out_dir)` has a writer's signature: it puts index.json, index.csv, index.txt, matrix.csv and
matrix.svg under out_dir/index/. Every output is byte-identical for the same input (sorted, no timestamps).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .index import Index, Matrix, render_text


def index_json(index: Index) -> str:
    return json.dumps(index.to_json(), ensure_ascii=False, indent=2) + "\n"


def index_csv(index: Index) -> str:
    """One row per locator range (and one per "see" entry): easy to sort and filter in a spreadsheet."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["letter", "heading", "gloss", "kind", "sub", "locator", "contribution", "first_block",
                "last_block", "first_page", "last_page", "anchor", "see", "see_also"])

    def rows(e, sub, ranges):
        for r in ranges:
            paged = r.first.page is not None
            w.writerow([e.letter, e.heading, e.gloss or "", e.kind, sub, r.label, r.first.contribution,
                        "" if paged else r.first.block, "" if paged else r.last.block,
                        r.first.page if paged else "", r.last.page if paged else "", r.anchor, "", ""])

    for e in index.entries:
        if e.kind == "see":
            w.writerow([e.letter, e.heading, e.gloss or "", e.kind, "", "", "", "", "", "", "", "", e.see, ""])
            continue
        rows(e, "", e.ranges)
        for s in e.subs:
            rows(e, s.heading, s.ranges)
        if e.see_also:
            w.writerow([e.letter, e.heading, e.gloss or "", e.kind, "", "", "", "", "", "", "", "", "",
                        "; ".join(e.see_also)])
    return buf.getvalue()


def matrix_csv(matrix: Matrix) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["concept", *matrix.contributions, "total"])
    for c in matrix.concepts:
        row = matrix.row(c)
        w.writerow([c, *row, sum(row)])
    return buf.getvalue()


def matrix_svg(matrix: Matrix, labels: dict[str, str] | None = None) -> str:
    """A heat map: concepts down, contributions across, darker for more occurrences, the count in each cell.

    Written by hand: no plotting library is installed, and a dozen lines of SVG are easy to keep byte-stable.
    The shade grows with the square root of the count, so that a few dominant terms do not wash out the rest.
    """
    labels = labels or {}
    cell_w, cell_h, left, top = 64, 18, 260, 96
    cols, rows = matrix.contributions, matrix.concepts
    width = left + cell_w * len(cols) + 16
    height = top + cell_h * len(rows) + 16
    peak = max(matrix.maximum, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" role="img" '
           f'aria-labelledby="title">',
           '<title id="title">Concepts by contributions: occurrences of each index heading in each contribution'
           '</title>',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    for j, cid in enumerate(cols):
        x = left + j * cell_w + cell_w // 2
        out.append(f'<text x="{x}" y="{top - 8}" transform="rotate(-40 {x} {top - 8})" '
                   f'text-anchor="start">{escape(labels.get(cid, cid))}</text>')
    for i, concept in enumerate(rows):
        y = top + i * cell_h
        out.append(f'<text x="{left - 6}" y="{y + cell_h - 5}" text-anchor="end">{escape(concept)}</text>')
        for j, n in enumerate(matrix.row(concept)):
            x = left + j * cell_w
            shade = (n / peak) ** 0.5 if n else 0.0
            # from white to a dark blue (#08306b), by linear interpolation of each channel
            r, g, b = (round(255 + (t - 255) * shade) for t in (8, 48, 107))
            fill = f"#{r:02x}{g:02x}{b:02x}"
            ink = "#ffffff" if shade > 0.55 else "#222222"
            title = escape(f"{concept} in {labels.get(cid, cid)}: {n}")
            out.append(f'<g><title>{title}</title>'
                       f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>'
                       f'<text x="{x + cell_w // 2 - 1}" y="{y + cell_h - 5}" text-anchor="middle" '
                       f'fill="{ink}">{n if n else ""}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write(ctx: Any, out: Path) -> list:
    """build/index/: index.json, index.csv, index.txt, matrix.csv, matrix.svg (nothing without a vocabulary)."""
    result = ctx.results.get("concepts")
    if result is None or "index" not in result.extra:
        return []
    folder = Path(out) / "index"
    folder.mkdir(parents=True, exist_ok=True)
    index, matrix = result.extra["index"], result.extra["matrix"]
    files = {"index.json": index_json(index), "index.csv": index_csv(index), "index.txt": render_text(index),
             "matrix.csv": matrix_csv(matrix), "matrix.svg": matrix_svg(matrix)}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return []
