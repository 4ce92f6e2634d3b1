"""The cross-reference map: which contribution refers to which, how often; as a text table and as an SVG picture.

The SVG is written by hand: a circle of contributions with arrows between them is a few dozen elements, and a
plotting library would add timestamps, random ids or a font cache to what must be byte-identical on every build.
"""
from __future__ import annotations

import math
from html import escape as _html_escape
from pathlib import Path

from ..model import Issue
from .model import short_authors

Map = dict[str, dict[str, int]]


# xml.sax.saxutils' escape and quoteattr, from the html module: importing xml.sax.saxutils loads urllib, http and
# ssl, a hundredth of a second of every build
def _text(s: str) -> str:
    return _html_escape(s, quote=False)


def _attr(s: str) -> str:
    return f'"{_html_escape(s)}"'


def _order(issue: Issue, cmap: Map) -> list[str]:
    ids = [c.id for c in issue.contributions]
    return ids + sorted(set(cmap) - set(ids))


def map_table(issue: Issue, cmap: Map) -> str:
    """A plain-text matrix for the check report: rows refer to columns; '·' on the diagonal."""
    ids = _order(issue, cmap)
    if not ids:
        return "Cross-references: the issue has no contributions.\n"
    corner = "refers to →"
    first = max(len(corner), *(len(i) for i in ids))
    widths = [max(len(i), 3) for i in ids]
    lines = ["Cross-references between the contributions (each row refers to the columns, how often)", ""]
    lines.append(corner.ljust(first) + "  " + "  ".join(i.rjust(w) for i, w in zip(ids, widths)) + "  total")
    received = {t: 0 for t in ids}
    for src in ids:
        row = cmap.get(src, {})
        cells = []
        for t, w in zip(ids, widths):
            n = row.get(t, 0)
            received[t] += n
            cells.append(("·" if t == src else str(n)).rjust(w))
        lines.append(src.ljust(first) + "  " + "  ".join(cells) + "  " + str(sum(row.values())).rjust(5))
    lines.append("referred to".ljust(first) + "  " + "  ".join(str(received[t]).rjust(w) for t, w in zip(ids, widths)))
    return "\n".join(lines) + "\n"


def _f(x: float) -> str:
    """Fixed precision, and no '-0.0', so that the same map is the same bytes."""
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def map_svg(issue: Issue, cmap: Map, *, size: int = 640) -> str:
    """The map as an accessible SVG: contributions on a circle in manifest order (the introduction at the top),
    an arrow for each pair that refers, its width and label the number of references."""
    ids = _order(issue, cmap)
    contribs = {c.id: c for c in issue.contributions}
    n = len(ids)
    width = size + 200  # room for the labels left and right of the circle
    cx, cy = width / 2, size / 2
    ring = size * 0.36
    node_r = 18.0
    pos = {}
    for k, cid in enumerate(ids):
        angle = -math.pi / 2 + 2 * math.pi * k / max(n, 1)
        pos[cid] = (cx + ring * math.cos(angle), cy + ring * math.sin(angle), angle)

    edges = [(s, t, cmap[s][t]) for s in ids for t in ids if s != t and cmap.get(s, {}).get(t)]
    top = max((c for _, _, c in edges), default=1)
    desc = "; ".join(f"{s} refers to {t} {c} time{'s' if c != 1 else ''}" for s, t, c in edges) or \
        "No contribution refers to another."
    title = "Cross-references between the contributions"
    if issue.title:
        title += f" of ‘{issue.title}’"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size}" width="{width}" height="{size}" '
        'role="img" aria-labelledby="xref-title xref-desc" font-family="system-ui, -apple-system, Segoe UI, '
        'Helvetica, Arial, sans-serif">',
        f'<title id="xref-title">{_text(title)}</title>',
        f'<desc id="xref-desc">{_text(desc)}</desc>',
        '<defs><marker id="xref-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#2f5d87"/></marker></defs>',
        f'<rect width="{width}" height="{size}" fill="#ffffff"/>',
    ]
    for s, t, count in edges:
        x0, y0, _ = pos[s]
        x1, y1, _ = pos[t]
        dx, dy = x1 - x0, y1 - y0
        dist = math.hypot(dx, dy) or 1.0
        # bend each arrow to its right, so that a→b and b→a are two curves, not one line
        bend = 0.18 * dist
        mx, my = (x0 + x1) / 2 + bend * dy / dist, (y0 + y1) / 2 - bend * dx / dist
        sx, sy = _towards(x0, y0, mx, my, node_r + 2)
        ex, ey = _towards(x1, y1, mx, my, node_r + 6)
        stroke = 1.2 + 3.8 * (count / top)
        label_x, label_y = 0.25 * sx + 0.5 * mx + 0.25 * ex, 0.25 * sy + 0.5 * my + 0.25 * ey
        out.append(f'<g class="edge" data-from={_attr(s)} data-to={_attr(t)}>'
                   f'<path d="M{_f(sx)},{_f(sy)} Q{_f(mx)},{_f(my)} {_f(ex)},{_f(ey)}" fill="none" stroke="#2f5d87" '
                   f'stroke-opacity="0.75" stroke-width="{_f(stroke)}" marker-end="url(#xref-arrow)"/>'
                   f'<circle cx="{_f(label_x)}" cy="{_f(label_y)}" r="9" fill="#ffffff" stroke="#2f5d87" '
                   f'stroke-width="0.8"/>'
                   f'<text x="{_f(label_x)}" y="{_f(label_y + 4)}" font-size="11" text-anchor="middle" '
                   f'fill="#1b2b3a">{count}</text></g>')
    for cid in ids:
        x, y, angle = pos[cid]
        c = contribs.get(cid)
        intro = c is not None and c.kind == "introduction"
        label = short_authors(c) if c else cid
        if intro:
            label += " (introduction)"
        lx, ly = x + (node_r + 10) * math.cos(angle), y + (node_r + 10) * math.sin(angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        if abs(cos) < 0.3:
            ly += 14 if math.sin(angle) > 0 else -6
        else:
            ly += 4
        out.append(f'<g class="node" data-id={_attr(cid)}>'
                   f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(node_r)}" fill="{"#f3d9a4" if intro else "#dce8f3"}" '
                   f'stroke="#1b2b3a" stroke-width="1.2"/>'
                   f'<text x="{_f(lx)}" y="{_f(ly)}" font-size="13" text-anchor="{anchor}" fill="#1b2b3a">'
                   f'{_text(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _towards(x: float, y: float, tx: float, ty: float, d: float) -> tuple[float, float]:
    """The point at distance d from (x, y) towards (tx, ty)."""
    dx, dy = tx - x, ty - y
    dist = math.hypot(dx, dy) or 1.0
    return x + d * dx / dist, y + d * dy / dist


def write_map(issue: Issue, cmap: Map, folder: Path) -> list[Path]:
    """Write crossrefs.svg and crossrefs.txt into `folder` (a build/ staging folder); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    svg, txt = folder / "crossrefs.svg", folder / "crossrefs.txt"
    svg.write_text(map_svg(issue, cmap), encoding="utf-8")
    txt.write_text(map_table(issue, cmap), encoding="utf-8")
    return [svg, txt]
