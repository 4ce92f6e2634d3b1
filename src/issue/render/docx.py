"""build/docx/<id>.docx: each contribution as a Word file for copy-editing rounds, written by pandoc's DOCX writer.

The text is the one the PDF and the EPUB are made from: citations and the reference list rendered in the issue's
style from the shared bibliography, whatever the author typed; notes as Word footnotes. The title, authors and
abstract come from the manifest (Word's Title, Author and Abstract styles), followed by the affiliations and
keywords in paragraphs of their own styles ("Affiliation", "Keywords") that a copy-editor can find. A
cross-reference to another contribution links to its DOI, or to its page under [build] base_url.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from ..pipeline import Context
from . import html, print_prep, rules as R
from .print_prep import PrintSource, digest, inlines, meta_inlines, meta_list

DOCX_VERSION = "docx-1"


def _styled(style: str, paras: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"t": "Div", "c": [["", [], [["custom-style", style]]], [{"t": "Para", "c": p} for p in paras]]}


def document_ast(ctx: Context, source: PrintSource, base_url: str | None) -> dict[str, Any]:
    c = source.contribution
    ast = print_prep.splice.copy_ast(source.ast)
    print_prep.drop_anchors(ast)
    print_prep.standalone_links(ast, print_prep.prepare(ctx).model, base_url, html.page_of)
    front: list[dict[str, Any]] = []
    if c.affiliations:
        front.append(_styled("Affiliation", [inlines(a) for a in c.affiliations]))
    if c.keywords:
        front.append(_styled("Keywords", [[{"t": "Strong", "c": inlines("Keywords:")}, {"t": "Space"},
                                           *inlines("; ".join(c.keywords))]]))
    ast["blocks"] = front + ast["blocks"]
    meta: dict[str, Any] = {"title": meta_inlines(c.title), "lang": {"t": "MetaString", "c": ctx.issue.language or "en"}}
    if c.subtitle:
        meta["subtitle"] = meta_inlines(c.subtitle)
    if c.authors:
        meta["author"] = meta_list([meta_inlines(a.name) for a in c.authors])
    if c.abstract:
        meta["abstract"] = {"t": "MetaBlocks", "c": [{"t": "Para", "c": inlines(c.abstract)}]}
    if c.keywords:
        meta["keywords"] = meta_list([meta_inlines(k) for k in c.keywords])
    ast["meta"] = meta
    return ast


def finish(doc: bytes, stamp: str) -> bytes:
    """The issue's date in place of the 1970 that pandoc's --sandbox stamps into docProps/core.xml."""

    def change(name: str, data: bytes) -> bytes:
        if name == "docProps/core.xml":
            return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp.encode() + rb"\g<2>",
                          data)
        return data

    return print_prep.rewrite_zip(doc, change)


def write(ctx: Context, out: Path) -> list[Diagnostic]:
    folder = out / "docx"
    folder.mkdir(parents=True, exist_ok=True)
    issue = print_prep.prepare(ctx)
    diags = print_prep.diagnostics_once(ctx, issue)
    base = print_prep.base_url(ctx)
    stamp = print_prep.stamp_of(ctx)
    for s in issue.sources:
        ast = document_ast(ctx, s, base)
        key = digest(DOCX_VERSION, pandoc.identity(), stamp, json.dumps(ast, sort_keys=True, ensure_ascii=False))
        data = print_prep.cache_read(ctx, "docx", key + ".docx")
        if data is None:
            try:
                data = finish(print_prep.run_pandoc(ctx, ast, ["-t", "docx"], output="out.docx"), stamp)
            except pandoc.PandocError as exc:
                diags.append(make(R.WRITER_ERROR.code, f"pandoc could not write it as DOCX: {exc}",
                                  Location(s.contribution.file)))
                continue
            print_prep.cache_write(ctx, "docx", key + ".docx", data)
        (folder / f"{s.contribution.id}.docx").write_bytes(data)
    return diags
