"""Findings about a manuscript as read: raw markup dropped, empty files, no reference list."""
from __future__ import annotations

from ..diagnostics.core import Diagnostic, make
from ..model import Location
from . import rules as R
from .document import Document
from .readers import LATEX_INCLUDE


def document_findings(doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not any(b.text.strip() for b in doc.blocks):
        out.append(make(R.EMPTY.code, "the manuscript has no text", Location(doc.file)))
        return out
    for where, code in doc.raw_markup:
        snippet = " ".join(code.split())[:80]
        if doc.paragraph_based:
            loc = Location(doc.file, paragraph=where)
        else:
            line = _line_of(doc, code)
            loc = Location(doc.file, line=line, column=1) if line else Location(doc.file)
        if doc.format == "latex" and LATEX_INCLUDE.match(code.strip()):
            out.append(make(R.RAW_MARKUP.code, "the file it names is not read: a manuscript may not include other "
                            "files", loc, excerpt=snippet,
                            suggestion="paste the text it should include into the manuscript"))
            continue
        out.append(make(R.RAW_MARKUP.code, "raw markup is dropped from the outputs", loc, excerpt=snippet,
                        suggestion="write it as text, or ask the editors to add it"))
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
