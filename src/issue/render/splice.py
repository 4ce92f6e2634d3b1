"""Splicing pandoc's JSON AST at spans the analyses found: links, marks and anchors, without touching the wording.

Each Block of a Document maps offsets of its text to the pandoc Str inline they came from (Segment.path). A span
found by an analysis (a prose citation, a cross-reference, an index occurrence) becomes, in every Str it covers,
the piece of that Str wrapped in a Link or a Span; an anchor is an empty Span inserted at its offset. Each leaf is
rewritten once with every mark that touches it, deepest and latest paths first, so that no edit shifts the path
of another; afterwards neighbouring pieces of one mark separated only by spaces are merged back into one element.

No library does this: pandoc filters see the AST but not our text offsets, so it is written here.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..manuscripts.document import Block, Document, Segment


@dataclass
class Mark:
    start: int
    end: int
    kind: str  # "link", "span" or "anchor"
    target: str = ""  # link target
    classes: tuple[str, ...] = ()
    ident: str = ""  # the id of an anchor
    title: str = ""  # tooltip
    priority: int = 0  # when links overlap, the higher one wins


@dataclass
class BlockMarks:
    block: Block
    segments: list[Segment]
    marks: list[Mark] = field(default_factory=list)


def copy_ast(ast: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(ast))


def text_ast(doc: Document) -> tuple[dict[str, Any], dict[int, list[Segment]]]:
    """A pandoc AST for a plain-text manuscript (which pandoc did not read), one Str per block, and the segments
    that map each block's text to it (keyed by id() of the block)."""
    blocks: list[dict[str, Any]] = []
    segs: dict[int, list[Segment]] = {}
    for b in doc.blocks:
        i = len(blocks)
        if b.kind == "heading":
            blocks.append({"t": "Header", "c": [min(max(b.level, 1), 6), ["", [], []], [{"t": "Str", "c": b.text}]]})
            path = ("blocks", i, "c", 2, 0)
        else:
            blocks.append({"t": "Para", "c": [{"t": "Str", "c": b.text}]})
            path = ("blocks", i, "c", 0)
        segs[id(b)] = [Segment(0, len(b.text), path=path)]
    return {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": blocks}, segs


def node_at(ast: Any, path: Iterable) -> Any:
    node = ast
    for step in path:
        node = node[step]
    return node


def _attr(ident: str = "", classes: Iterable[str] = (), title: str = "") -> list:
    return [ident, list(classes), [["title", title]] if title else []]


def _wrap(inlines: list, mark: Mark) -> dict[str, Any]:
    if mark.kind == "link":
        return {"t": "Link", "c": [_attr("", mark.classes), inlines, [mark.target, mark.title]]}
    return {"t": "Span", "c": [_attr("", mark.classes, mark.title), inlines]}


def _leaf_replacement(text: str, seg: Segment, marks: list[Mark]) -> list | None:
    """The inlines that replace one Str leaf, or None when no mark touches it."""
    a, b = seg.start, seg.end
    touching = [m for m in marks if (m.kind == "anchor" and a <= m.start < b)
                or (m.kind != "anchor" and m.start < b and m.end > a)]
    if not touching:
        return None
    cuts = {0, len(text)}
    for m in touching:
        cuts.add(min(max(m.start - a, 0), len(text)))
        if m.kind != "anchor":
            cuts.add(min(max(m.end - a, 0), len(text)))
    points = sorted(cuts)
    out: list = []
    for lo, hi in zip(points, points[1:] + [None]):
        for m in touching:
            if m.kind == "anchor" and m.start - a == lo:
                out.append({"t": "Span", "c": [_attr(m.ident, ("index-anchor",)), []]})
        if hi is None or hi <= lo:
            continue
        piece: dict[str, Any] = {"t": "Str", "c": text[lo:hi]}
        covering = [m for m in touching if m.kind != "anchor" and m.start - a <= lo and m.end - a >= hi]
        spans = sorted((m for m in covering if m.kind == "span"), key=lambda m: -m.priority)
        links = sorted((m for m in covering if m.kind == "link"), key=lambda m: -m.priority)
        node = [piece]
        for m in spans:
            node = [_wrap(node, m)]
        if links:  # links do not nest: the highest priority wins
            node = [_wrap(node, links[0])]
        out.extend(node)
    return out


def apply(ast: dict[str, Any], blocks: list[BlockMarks], skip_under: set[tuple] = frozenset()) -> None:
    """Splice every block's marks into the AST (in place)."""
    edits: list[tuple[tuple, list]] = []
    skip = {tuple(p) for p in skip_under}
    depths = sorted({len(p) for p in skip})
    for bm in blocks:
        if not bm.marks:
            continue
        covered = _covered(bm.marks)
        for seg in bm.segments:
            if seg.path is None:
                continue
            k = bisect_right(covered, seg.start)  # the segments no mark touches (most words) are passed over
            if k % 2 == 0 and (k == len(covered) or covered[k] >= seg.end):
                continue
            path = tuple(seg.path)
            if any(path[:n] in skip for n in depths):
                continue
            try:
                node = node_at(ast, seg.path)
            except (KeyError, IndexError, TypeError):
                continue
            if not isinstance(node, dict) or node.get("t") != "Str" or len(node["c"]) != seg.end - seg.start:
                continue
            new = _leaf_replacement(node["c"], seg, bm.marks)
            if new is not None:
                edits.append((tuple(seg.path), new))
    for path, new in sorted(edits, key=lambda e: _sortable(e[0]), reverse=True):
        parent = node_at(ast, path[:-1])
        i = path[-1]
        parent[i:i + 1] = new
    merge_neighbours(ast)


def _covered(marks: list[Mark]) -> list[int]:
    """The text a block's marks touch, as the sorted bounds of disjoint ranges [lo, hi): lo0, hi0, lo1, hi1...
    (an anchor touches the character it stands before). A segment [a, b) that overlaps none of them is touched by
    no mark (`_leaf_replacement` would return None)."""
    ranges = sorted((m.start, m.start + 1) if m.kind == "anchor" else (m.start, max(m.end, m.start + 1))
                    for m in marks)
    bounds: list[int] = []
    for lo, hi in ranges:
        if bounds and lo <= bounds[-1]:
            bounds[-1] = max(bounds[-1], hi)
        else:
            bounds += [lo, hi]
    return bounds


def _sortable(path: tuple) -> tuple:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)


def _same(a: dict, b: dict) -> bool:
    if a.get("t") != b.get("t") or a["t"] not in ("Link", "Span"):
        return False
    if a["c"][0][0] or b["c"][0][0]:  # elements with ids (anchors) stay apart
        return False
    if a["t"] == "Link":
        return a["c"][0] == b["c"][0] and a["c"][2] == b["c"][2]
    return a["c"][0] == b["c"][0] and bool(a["c"][0][1])


def _merge_list(items: list) -> None:
    i = 0
    while i < len(items):
        node = items[i]
        if isinstance(node, dict) and node.get("t") in ("Link", "Span"):
            j = i + 1
            gap: list = []
            while j < len(items) and isinstance(items[j], dict) and items[j].get("t") in ("Space", "SoftBreak"):
                gap.append(items[j])
                j += 1
            if j < len(items) and isinstance(items[j], dict) and _same(node, items[j]):
                content = node["c"][1]
                content.extend(gap)
                content.extend(items[j]["c"][1])
                del items[i + 1:j + 1]
                continue
        i += 1


def merge_neighbours(node: Any) -> None:
    """Merge Link/Span pieces of one mark that the splice split at spaces."""
    if isinstance(node, list):
        if node and isinstance(node[0], dict):  # _merge_list leaves alone what is not a run of inlines
            _merge_list(node)
        for x in node:
            merge_neighbours(x)
    elif isinstance(node, dict):
        c = node.get("c")
        if isinstance(c, (list, dict)):
            merge_neighbours(c)
        elif "blocks" in node:
            merge_neighbours(node["blocks"])


def walk_inlines(node: Any, fn: Callable[[list], None]) -> None:
    """Call fn on every list of inlines/blocks in the tree (children before parents)."""
    if isinstance(node, list):
        for x in node:
            walk_inlines(x, fn)
        if node and all(isinstance(x, dict) and "t" in x for x in node):
            fn(node)
    elif isinstance(node, dict):
        for key in ("c", "blocks"):
            if key in node and isinstance(node[key], (list, dict)):
                walk_inlines(node[key], fn)


# -- sanitising ------------------------------------------------------------------------------------------------
SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|[A-Za-z0-9_.\-/]+\.html(?:#.*)?$)", re.I)
ATTR_AT = {"Span": 0, "Div": 0, "Code": 0, "CodeBlock": 0, "Link": 0, "Image": 0, "Header": 1, "Table": 0,
           "Figure": 0}


def sanitise(ast: dict[str, Any]) -> None:
    """Make an author's AST safe for any writer: raw HTML/LaTeX/Typst dropped, attributes reduced to ids and
    classes, links only to web, mail or local addresses, images replaced by their description (nothing is
    fetched from elsewhere)."""

    def clean_list(items: list) -> None:
        i = 0
        while i < len(items):
            node = items[i]
            t = node.get("t")
            if t in ("RawInline", "RawBlock"):
                del items[i]
                continue
            if t in ATTR_AT:
                at = ATTR_AT[t]
                attr = node["c"][at]
                if isinstance(attr, list) and len(attr) == 3:
                    attr[2] = [kv for kv in attr[2] if kv[0] in ("lang", "title")]  # text only
                    attr[0] = re.sub(r"[^\w\-:.]", "-", attr[0]) if attr[0] else ""
            if t == "Link":
                target = node["c"][2]
                if not SAFE_URL.match(target[0] or "#"):
                    items[i] = {"t": "Span", "c": [["", ["unsafe-link"], []], node["c"][1]]}
            elif t == "Image":
                alt = node["c"][1] or [{"t": "Str", "c": "image"}]
                items[i] = {"t": "Span", "c": [["", ["image-omitted"], []],
                                               [{"t": "Str", "c": "[Image:"}, {"t": "Space"}, *alt,
                                                {"t": "Str", "c": "]"}]]}
            i += 1

    walk_inlines(ast.get("blocks", []), clean_list)
    walk_meta = ast.get("meta", {})
    for value in walk_meta.values():
        walk_inlines(value, clean_list)


def floats(ast: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The tables and figures at the top level of a manuscript, in order: (kind, id, caption text).
    `number_floats` gives them these ids in the output, so that lists of tables and figures can link to them."""
    out: list[tuple[str, str, str]] = []
    counts = {"Table": 0, "Figure": 0}
    for node in ast.get("blocks", []):
        t = node.get("t")
        if t in counts:
            counts[t] += 1
            caption = node["c"][1][1] if isinstance(node["c"][1], list) and len(node["c"][1]) > 1 else []
            out.append((t, f"{'tbl' if t == 'Table' else 'fig'}-{counts[t]}", stringify(caption)))
    return out


def number_floats(ast: dict[str, Any]) -> None:
    ids = iter(floats(ast))
    for node in ast.get("blocks", []):
        if node.get("t") in ("Table", "Figure"):
            node["c"][0][0] = next(ids)[1]


def stringify(node: Any) -> str:
    """Plain text of a piece of AST."""
    out: list[str] = []

    def go(n: Any) -> None:
        if isinstance(n, list):
            for x in n:
                go(x)
        elif isinstance(n, dict):
            t, c = n.get("t"), n.get("c")
            if t == "Str":
                out.append(c)
            elif t in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif t in ("Code", "Math"):
                out.append(c[1])
            elif t in ("RawInline", "RawBlock", "Note"):
                return
            elif t in ("Link", "Image", "Span", "Div", "Quoted", "Cite"):
                go(c[1])
            elif t in ("Para", "Plain", "Header"):
                go(c if t != "Header" else c[2])
                out.append(" ")
            elif isinstance(c, (list, dict)):
                go(c)

    go(node)
    return " ".join("".join(out).split())


# -- template expressions in a manuscript ----------------------------------------------------------------------
EXPRESSION = re.compile(r"\{\{.+?\}\}", re.S)
CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
BLOCK_HTML = re.compile(r"^\s*<(?:ul|ol|div|table|section|p|dl|h[1-6])[\s>]", re.I)


def _token_text(node: dict[str, Any]) -> str | None:
    t = node.get("t")
    if t == "Str":
        return node["c"]
    if t in ("Space", "SoftBreak"):
        return " "
    if t == "Quoted":  # smart quotes inside an expression: {{ link("jones") }}
        q = '"' if node["c"][0]["t"] == "DoubleQuote" else "'"
        inner = [_token_text(x) for x in node["c"][1]]
        return None if any(x is None for x in inner) else q + "".join(inner) + q
    return None


def expand_expressions(ast: dict[str, Any], render: Callable[[str, bool], Any]) -> None:
    """Replace each `{{ ... }}` written in the text by what `render(source, block_level)` returns: a string is
    inserted as raw HTML (it comes from our autoescaped templates), a list as inlines. A paragraph that holds
    nothing but one expression whose result is block-level HTML is replaced by that block."""

    def raw_inline(value: Any) -> list:
        if isinstance(value, list):
            return value
        return [{"t": "RawInline", "c": ["html", str(value)]}]

    def in_list(items: list) -> None:
        i = 0
        runs: list[tuple[int, int]] = []
        while i < len(items):
            if _token_text(items[i]) is None:
                i += 1
                continue
            j = i
            while j < len(items) and _token_text(items[j]) is not None:
                j += 1
            runs.append((i, j))
            i = j
        for lo, hi in reversed(runs):
            texts = [_token_text(items[k]) or "" for k in range(lo, hi)]
            joined = "".join(texts)
            if "{{" not in joined:
                continue
            starts = []
            pos = 0
            for t in texts:
                starts.append(pos)
                pos += len(t)
            for m in reversed(list(EXPRESSION.finditer(joined))):
                first = max(k for k in range(len(texts)) if starts[k] <= m.start())
                last = max(k for k in range(len(texts)) if starts[k] < m.end())
                prefix = joined[starts[first]:m.start()]
                suffix = joined[m.end():starts[last] + len(texts[last])]
                new = []
                if prefix:
                    new.append({"t": "Str", "c": prefix})
                new.extend(raw_inline(render(m.group(0).translate(CURLY), False)))
                if suffix:
                    new.append({"t": "Str", "c": suffix})
                items[lo + first:lo + last + 1] = new

    def blocks(items: list) -> None:
        for k, node in enumerate(items):
            if node.get("t") in ("Para", "Plain"):
                text = "".join(_token_text(x) or "\0" for x in node["c"]).strip()
                m = EXPRESSION.fullmatch(text)
                if m:
                    value = render(text.translate(CURLY), True)
                    if isinstance(value, str) and BLOCK_HTML.match(value):
                        items[k] = {"t": "RawBlock", "c": ["html", value]}
                        continue
                    node["c"] = raw_inline(value)
                    continue
                in_list(node["c"])
            elif node.get("t") == "Header":
                in_list(node["c"][2])
            elif node.get("t") in ("BlockQuote", "Div"):
                blocks(node["c"] if node["t"] == "BlockQuote" else node["c"][1])
            elif node.get("t") in ("BulletList", "OrderedList"):
                for item in (node["c"] if node["t"] == "BulletList" else node["c"][1]):
                    blocks(item)

    blocks(ast.get("blocks", []))
