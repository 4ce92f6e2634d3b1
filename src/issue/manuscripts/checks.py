"""Findings about a manuscript as read: raw markup dropped, empty files, no reference list."""
from __future__ import annotations

import re

from ..diagnostics.core import Diagnostic, make
from ..model import Location
from . import rules as R
from .document import Document
from .readers import LATEX_INCLUDE, MARKDOWN_INCLUDE


def document_findings(doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not any(b.text.strip() for b in doc.blocks):
        out.append(make(R.EMPTY.code, "the manuscript has no text", Location(doc.file)))
        return out
    for where, code in doc.raw_markup:
        if _is_comment(code):
            continue  # an HTML comment carries nothing to an output (and holds `issue: ignore` markers)
        snippet = " ".join(code.split())[:80]
        if doc.paragraph_based:
            loc = Location(doc.file, paragraph=where)
        else:
            line = _line_of(doc, code)
            loc = Location(doc.file, line=line, column=1) if line else Location(doc.file)
        if doc.format == "latex" and code.startswith("\\write18"):
            out.append(make(R.RAW_MARKUP.code, "shell commands (\\write18) in a manuscript are never run", loc,
                            excerpt=snippet, suggestion="delete it; ask the editors for what it should produce"))
            continue
        if LATEX_INCLUDE.match(code.strip()) if doc.format == "latex" else MARKDOWN_INCLUDE.match(code):
            out.append(make(R.RAW_MARKUP.code, "the file it names is not read: a manuscript may not include other "
                            "files", loc, excerpt=snippet,
                            suggestion="paste the text it should include into the manuscript"))
            continue
        out.append(make(R.RAW_MARKUP.code, "raw markup is dropped from the outputs", loc, excerpt=snippet,
                        suggestion="write it as text, or ask the editors to add it"))
    out += unclosed_markup(doc)
    if not any(b.section == "references" for b in doc.blocks):
        out.append(make(R.NO_REFERENCES.code, "no reference-list section (References, Bibliography, Works Cited)",
                        Location(doc.file)))
    return out


def _line_of(doc: Document, code: str) -> int | None:
    if not doc.source_lines:
        return None
    first = code.strip().splitlines()[0] if code.strip() else ""
    for n, line in enumerate(doc.source_lines, 1):
        if first and first in line:
            return n
    return None


# Markers pandoc leaves in the text when they are not closed: a closed one becomes formatting, so it is not in
# block.text (citations are, but as [@key], which is not matched here).
UNCLOSED = re.compile(r"(?P<bold>\*\*|(?<![\w_])__(?=\w))|(?P<emphasis>(?<!\S)\*(?=\w))|(?P<note>\^\[)|"
                      r"(?P<noteref>\[\^[^\]\s]+\])|(?P<link>\]\()|(?P<code>(?<!`)`(?!`))")
WHAT = {"bold": "bold", "emphasis": "emphasis", "note": "an inline footnote", "noteref": "a footnote with no text",
        "link": "a link", "code": "code"}


def unclosed_markup(doc: Document) -> list[Diagnostic]:
    """D107, for Markdown: the first unclosed marker of each paragraph."""
    if doc.format not in ("markdown", "commonmark", "gfm"):
        return []
    out: list[Diagnostic] = []
    for block in doc.blocks:
        if block.section == "front":
            continue
        text = block.text
        if not ("*" in text or "_" in text or "^" in text or "`" in text or "](" in text):
            continue  # no marker UNCLOSED could find (most paragraphs): the search tries every position
        m = next((m for m in UNCLOSED.finditer(text) if not _in_code(doc, block, m.start())), None)
        if m is None:
            continue
        kind = m.lastgroup or "code"
        if kind == "noteref":
            message = f"{m.group(0)} names no footnote; it is printed as written"
            suggestion = f"add the note's text: {m.group(0)}: ..."
        else:
            message = f"'{m.group(0)}' opens {WHAT[kind]} that is never closed; it is printed as written"
            suggestion = "close it, or write a backslash before it to print it (\\" + m.group(0)[0] + ")"
        out.append(doc.diagnostic_at(R.UNCLOSED_MARKUP.code, message, block, m.start(), m.end(),
                                     suggestion=suggestion))
    return out


def _in_code(doc: Document, block, offset: int) -> bool:
    """Whether the text at `offset` came from inline code or math (where ** and ` are what the author wrote)."""
    seg = block.segment_at(offset)
    if seg is None or not seg.path or doc.ast is None:
        return False
    node: object = doc.ast
    try:
        for step in seg.path:
            node = node[step]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return False
    return isinstance(node, dict) and node.get("t") in ("Code", "Math")


def _is_comment(code: str) -> bool:
    stripped = code.strip()
    return stripped.startswith("<!--") and stripped.endswith("-->") and "-->" not in stripped[4:-3]
