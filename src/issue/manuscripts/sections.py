"""Recognise a manuscript's parts: title, abstract, keywords, body, the reference list and the notes."""
from __future__ import annotations

import re

from .document import Document

REFERENCE_HEADINGS = re.compile(
    r"^\s*(?:\d+[.)]?\s*)?(references?|bibliography|works\s+cited|literature\s+cited|reference\s+list|"
    r"sources|cited\s+works|references\s+cited|literatur)\s*:?\s*$", re.IGNORECASE)
ABSTRACT_HEADING = re.compile(r"^\s*(abstract|summary)\s*:?\s*$", re.IGNORECASE)
KEYWORDS_HEADING = re.compile(r"^\s*(key\s*words?|keywords)\s*:?\s*$", re.IGNORECASE)
NOTES_HEADING = re.compile(r"^\s*(notes|endnotes|footnotes)\s*:?\s*$", re.IGNORECASE)
ABSTRACT_PARA = re.compile(r"^\s*(abstract|summary)\s*[:.\u2014\u2013-]\s*", re.IGNORECASE)
KEYWORDS_PARA = re.compile(r"^\s*(key\s*words?|keywords)\s*[:.\u2014\u2013-]\s*", re.IGNORECASE)


def assign_sections(doc: Document) -> None:
    """Set each block's section, and the document's title, abstract and keywords where the metadata lacks them.

    Before the first body heading, a leading level-1 heading is the title, short paragraphs are the by-line, and
    paragraphs opened by "Abstract:" or "Keywords:" are those parts. A heading "References" (and its synonyms)
    opens the reference list, which runs to the next heading of the same or a higher level.
    """
    _title_paragraph(doc)
    section = "front" if any(b.kind == "title" and b.segments for b in doc.blocks) else None
    ref_level = None
    seen_body_heading = False
    byline = 0
    for i, b in enumerate(doc.blocks):
        if b.kind == "note":
            b.section = "notes"
            continue
        if b.section in ("front", "abstract") and b.index and not b.segments and b.kind in ("title", "para"):
            continue  # from the metadata
        if b.kind == "title":
            continue
        if b.kind == "heading":
            text = b.text.strip()
            if ref_level is not None and b.level <= ref_level and not REFERENCE_HEADINGS.match(text):
                ref_level = None
                section = "body"
            if REFERENCE_HEADINGS.match(text):
                section, ref_level = "references", b.level
                b.section = "references"
                continue
            if ABSTRACT_HEADING.match(text):
                section = "abstract"
                b.section = "abstract"
                continue
            if KEYWORDS_HEADING.match(text):
                section = "keywords"
                b.section = "keywords"
                continue
            if NOTES_HEADING.match(text):
                section = "notes"
                b.section = "notes"
                continue
            if (not seen_body_heading and doc.title is None and b.level == 1 and _only_front_before(doc, i)
                    and _single_top_heading(doc)):
                b.kind = "title"
                b.section = "front"
                doc.title = text
                section = "front"
                continue
            if section == "references":
                b.section = "references"
                continue
            seen_body_heading = True
            section = "body"
            b.section = "body"
            continue
        if section == "references":
            b.section = "references"
            continue
        if not seen_body_heading and section in (None, "front", "abstract", "keywords"):
            if KEYWORDS_PARA.match(b.text):
                b.section = "keywords"
                if not doc.keywords:
                    rest = KEYWORDS_PARA.sub("", b.text, count=1)
                    doc.keywords = [k.strip() for k in re.split(r"[;,]", rest) if k.strip()]
                continue
            if ABSTRACT_PARA.match(b.text) or section == "abstract":
                b.section = "abstract"
                if not doc.abstract:
                    doc.abstract = ABSTRACT_PARA.sub("", b.text, count=1)
                continue
            if section == "keywords":
                b.section = "keywords"
                if not doc.keywords:
                    doc.keywords = [k.strip() for k in re.split(r"[;,]", b.text) if k.strip()]
                continue
            if section == "front" and len(b.text.split()) <= 25 and byline < 4:
                b.section = "front"
                byline += 1
                continue
        b.section = section if section in ("notes",) else "body"
        if section in ("abstract", "keywords"):
            section = "body"


def _only_front_before(doc: Document, i: int) -> bool:
    return all(b.section in ("front", "abstract") and not b.segments or b.kind == "title" for b in doc.blocks[:i])


def _single_top_heading(doc: Document) -> bool:
    """A leading level-1 heading is the title only when no other level-1 heading (but the reference list's)
    follows; a manuscript whose sections are all level 1 has no title heading."""
    tops = [b for b in doc.blocks if b.kind == "heading" and b.level == 1 and not REFERENCE_HEADINGS.match(b.text)
            and not NOTES_HEADING.match(b.text)]
    return len(tops) == 1 and any(b.kind == "heading" and b.level > 1 for b in doc.blocks)


def _title_paragraph(doc: Document) -> None:
    """A word processor's Title style that the reader did not keep (pandoc's ODT reader): a short first paragraph
    without final punctuation, followed by the abstract or keywords, is the title."""
    if doc.title is not None:
        return
    blocks = [b for b in doc.blocks if b.kind != "note"]
    if len(blocks) < 2 or blocks[0].kind != "para":
        return
    first, nxt = blocks[0], blocks[1]
    text = first.text.strip()
    if len(text.split()) <= 20 and not text.endswith((".", ",", ";")) and (
            ABSTRACT_PARA.match(nxt.text) or KEYWORDS_PARA.match(nxt.text)):
        first.kind = "title"
        first.section = "front"
        doc.title = text
