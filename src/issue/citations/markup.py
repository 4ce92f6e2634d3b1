"""Citations written in markup: pandoc `[@key]`, `@key [p. 33]`, `[-@key]` and the LaTeX \\cite family.

pandoc has already parsed them (Block.cites holds each Cite inline with its items, prefixes, suffixes and mode);
this module only turns each item into a Citation with its own span, prefix and locator.
"""
from __future__ import annotations

import re

from ..manuscripts.document import Block, Document, MarkupCite
from .model import Citation
from .prose import LOC_RANGE, LOC_UNIT

_LOCATOR = re.compile(rf"(?:{LOC_UNIT})?{LOC_RANGE}(?:\s*(?:,|and|&)\s*(?:{LOC_UNIT})?{LOC_RANGE})*")


def split_suffix(suffix: str) -> tuple[str | None, str | None]:
    """pandoc's suffix ', p.\u00a033, emphasis added' -> ('p. 33', 'emphasis added')."""
    s = suffix.replace("\u00a0", " ").replace("~", " ").strip()
    s = s.lstrip(",:").strip()
    if not s:
        return None, None
    m = _LOCATOR.match(s)
    if m and (m.end() == len(s) or s[m.end()] in ",; "):
        rest = s[m.end():].strip(" ,;") or None
        return m.group(0).strip(), rest
    return None, s


def _item_spans(block: Block, cite: MarkupCite) -> list[tuple[int, int]]:
    """One span per item: the part of '[see @a, p. 33; @b]' that belongs to each key; the whole citation when
    it holds one key."""
    n = len(cite.items)
    whole = (cite.start, cite.end)
    if n <= 1:
        return [whole]
    raw = block.text[cite.start: cite.end]
    spans: list[tuple[int, int]] = []
    if raw.startswith("[") and raw.count(";") == n - 1:
        pos = 1
        for part in raw[1:-1].split(";") if raw.endswith("]") else raw[1:].split(";"):
            lead = len(part) - len(part.lstrip())
            spans.append((cite.start + pos + lead, cite.start + pos + len(part.rstrip())))
            pos += len(part) + 1
        return spans
    # LaTeX \citep{a,b} and anything else: each key where it is written
    pos = 0
    for item in cite.items:
        at = raw.find(item["id"], pos)
        if at < 0:
            return [whole] * n
        spans.append((cite.start + at, cite.start + at + len(item["id"])))
        pos = at + len(item["id"])
    return spans


# Quarto's cross-reference prefixes: pandoc reads "@fig-payoffs" as a citation, Quarto as a figure reference
QUARTO_XREF = re.compile(r"(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|apx)-")


def is_crossref(key: str, is_key=None) -> bool:
    """'@fig-payoffs', '@tbl-results', '@sec-method', '@eq-utility': a Quarto cross-reference, not a citation,
    unless the bibliography has an entry with that very key."""
    return bool(QUARTO_XREF.match(key)) and not (is_key is not None and is_key(key))


def extract(doc: Document, block: Block, contribution: str, next_group, is_key=None) -> list[Citation]:
    """The markup citations of one block, in order. `next_group()` numbers the groups of the run. `is_key(key)`
    tells whether the bibliography has that key (to tell '@fig-x' the figure from an entry keyed 'fig-x')."""
    out: list[Citation] = []
    for cite in block.cites:
        items = [(item, span) for item, span in zip(cite.items, _item_spans(block, cite))
                 if not is_crossref(item["id"], is_key)]
        if not items:
            continue
        group = next_group()
        for item, (start, end) in items:
            locator, postnote = split_suffix(item.get("suffix") or "")
            prefix = (item.get("prefix") or "").replace("\u00a0", " ").strip() or None
            out.append(Citation(
                file=doc.file, contribution=contribution, block=block.index, start=start, end=end,
                location=doc.location(block, start, end), text=block.text[start:end], form="markup",
                locator=locator, prefix=prefix, postnote=postnote, group=group, mode=item.get("mode"),
                note_number=block.note if block.kind == "note" else None, written_key=item["id"],
                capitalised=bool(item.get("capitalised")),
            ))
    return out
