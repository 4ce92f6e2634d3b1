"""The citation report: each manuscript's text with its citations marked resolved (green), resolved with a
finding (orange) or unresolved (red), and every finding shown at its place in the text."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics.core import Diagnostic
from ..manuscripts.document import Block, Document
from ..pipeline import Context, findings
from .context import ContributionView, IssueModel, record_value, records_by_contribution


@dataclass
class Piece:
    text: str
    state: str | None = None  # None (plain text), "ok", "warn", "bad"
    key: str | None = None
    findings: list[Diagnostic] = field(default_factory=list)  # shown right after the piece


@dataclass
class ReportBlock:
    label: str  # "¶12", "line 40", "note 3"
    kind: str
    pieces: list[Piece]


@dataclass
class ReportDoc:
    contribution: ContributionView
    blocks: list[ReportBlock]
    ok: int = 0
    warn: int = 0
    bad: int = 0
    xref: int = 0
    unplaced: list[Diagnostic] = field(default_factory=list)  # findings about the file as a whole


def _loc_key(loc) -> tuple:
    return (loc.paragraph, loc.line, loc.column)


def _place(doc: Document, d: Diagnostic) -> tuple[Block, int] | None:
    """The block and offset a diagnostic's location points at."""
    loc = d.location
    if loc.paragraph is not None:
        cands = [b for b in doc.blocks if b.index == loc.paragraph and b.section != "front"]
        if not cands:
            return None
        b = next((x for x in cands if x.kind != "note"), cands[0])
        return b, max(0, min(len(b.text), (loc.column or 1) - 1))
    if loc.line is None:
        return None
    for b in doc.blocks:
        for s in b.segments:
            if s.line == loc.line and s.column is not None and s.column <= (loc.column or 1) <= s.column + (s.end - s.start):
                return b, s.start + (loc.column or 1) - s.column
    for b in doc.blocks:
        if b.line == loc.line:
            return b, 0
    return None


def _label(doc: Document, b: Block) -> str:
    if b.kind == "note":
        return f"note {b.note}"
    if doc.paragraph_based:
        return f"¶{b.index}"
    return f"line {b.line}" if b.line else f"block {b.index}"


def report(ctx: Context, model: IssueModel) -> list[ReportDoc]:
    from .html import _block_of

    all_findings = findings(ctx).items
    out: list[ReportDoc] = []
    cites = records_by_contribution(ctx, "citations", "contribution")
    by_file: dict[str, list[Diagnostic]] = {}
    for d in all_findings:
        by_file.setdefault(d.location.file, []).append(d)
    for c in model.contributions:
        doc = ctx.documents.get(c.id)
        if doc is None:
            continue
        mine = by_file.get(doc.file, [])
        spans: dict[int, list[tuple[int, int, Any]]] = {}
        for _, rec in cites.get(c.id, []):
            b = _block_of(doc, rec)
            if b is not None:
                spans.setdefault(id(b), []).append((record_value(rec, "start", default=0),
                                                    record_value(rec, "end", default=0), rec))
        # findings at a citation's own location belong to it; the others stand at their place
        at_cite: dict[tuple, list[Diagnostic]] = {}
        for d in mine:
            at_cite.setdefault(_loc_key(d.location), []).append(d)
        used: set[int] = set()
        placed: dict[int, list[tuple[int, Diagnostic]]] = {}
        rd = ReportDoc(contribution=c, blocks=[])
        cite_findings: dict[int, list[Diagnostic]] = {}
        for b in doc.blocks:
            for start, end, rec in spans.get(id(b), []):
                found = at_cite.get(_loc_key(doc.location(b, start, end)), [])
                cite_findings[id(rec)] = found
                used.update(id(d) for d in found)
        for d in mine:
            if id(d) in used:
                continue
            where = _place(doc, d)
            if where is None:
                rd.unplaced.append(d)
            else:
                placed.setdefault(id(where[0]), []).append((where[1], d))
        for b in doc.blocks:
            if not b.is_body and b.section != "references" and id(b) not in placed:
                continue
            if b.section == "references" and id(b) not in placed:
                continue
            rd.blocks.append(ReportBlock(_label(doc, b), b.kind, _pieces(b, spans.get(id(b), []), cite_findings,
                                                                          placed.get(id(b), []), rd)))
        out.append(rd)
    return out


def _pieces(b: Block, spans: list[tuple[int, int, Any]], cite_findings: dict[int, list[Diagnostic]],
            points: list[tuple[int, Diagnostic]], rd: ReportDoc) -> list[Piece]:
    text = b.text
    spans = sorted(spans, key=lambda s: (s[0], -s[1]))
    pieces: list[Piece] = []
    at = 0
    points = sorted(points, key=lambda p: (p[0], p[1].code))
    offsets = [p[0] for p in points]

    def plain(lo: int, hi: int) -> None:
        # text between citations, broken where a finding stands
        i = bisect.bisect_left(offsets, lo)
        cur = lo
        while i < len(points) and points[i][0] < hi:
            off = points[i][0]
            if off > cur:
                pieces.append(Piece(text[cur:off]))
                cur = off
            group = []
            while i < len(points) and points[i][0] == off:
                group.append(points[i][1])
                i += 1
            pieces.append(Piece("", findings=group))
        if hi > cur:
            pieces.append(Piece(text[cur:hi]))

    for start, end, rec in spans:
        if start < at:
            continue  # overlapping spans: the first wins
        plain(at, start)
        key = record_value(rec, "key")
        found = cite_findings.get(id(rec), []) + [d for off, d in points if start <= off < end]
        if record_value(rec, "crossref") and not key:
            state = "xref"  # a paper of this issue cited author-date: the cross-reference checks speak for it
        else:
            state = "bad" if not key else "warn" if (found or record_value(rec, "findings")) else "ok"
        setattr(rd, state, getattr(rd, state) + 1)
        pieces.append(Piece(text[start:end], state, key, found))
        at = end
    plain(at, len(text))
    tail = [d for off, d in points if off >= len(text)]
    if tail:
        pieces.append(Piece("", findings=tail))
    return pieces
