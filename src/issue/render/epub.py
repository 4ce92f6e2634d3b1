"""build/epub/issue.epub: the issue as one EPUB 3 book, written by pandoc's EPUB writer.

The contributions, prepared for print (citations and reference lists rendered in the issue's style, ids unique
across the issue), follow one another as chapters, each opening with its title, authors, affiliations, abstract
and keywords from the manifest; cross-references between contributions link across chapters. The book's
metadata (title, editors, publisher, date, language, rights, identifier) comes from the manifest, and its
modification date from the issue's year (or SOURCE_DATE_EPOCH), so that the same inputs give the same file.
"""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from ..pipeline import Context
from . import print_prep, rules as R, templates
from .print_prep import digest, meta_inlines, meta_list

EPUB_VERSION = "epub-1"


def identifier(model: Any) -> dict[str, Any]:
    """The DOI of the issue when it has one, else a UUID derived from its metadata (never a random one)."""
    meta = model.issue
    if meta.doi:
        return {"t": "MetaMap", "c": {"scheme": {"t": "MetaString", "c": "DOI"},
                                      "text": {"t": "MetaString", "c": meta.doi}}}
    seed = "|".join(str(x or "") for x in (meta.journal, meta.volume, meta.number, meta.year, meta.title, meta.isbn))
    return {"t": "MetaMap", "c": {"text": {"t": "MetaString", "c": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"}}}


def book_meta(ctx: Context, model: Any) -> dict[str, Any]:
    meta = model.issue
    out: dict[str, Any] = {"title": meta_inlines(meta.title), "lang": {"t": "MetaString", "c": meta.language or "en"},
                           "identifier": meta_list([identifier(model)])}
    if meta.subtitle:
        out["subtitle"] = meta_inlines(meta.subtitle)
    if model.editors:
        out["creator"] = meta_list([{"t": "MetaMap", "c": {"role": {"t": "MetaString", "c": "edt"},
                                                            "text": {"t": "MetaString", "c": e.name}}}
                                    for e in model.editors])
    if meta.publisher:
        out["publisher"] = meta_inlines(meta.publisher)
    if meta.year:
        out["date"] = {"t": "MetaString", "c": str(meta.date or meta.year)}
    if meta.license:
        out["rights"] = meta_inlines(meta.license)
    if meta.journal:
        out["belongs-to-collection"] = meta_inlines(meta.journal)
    return out


def book_ast(ctx: Context, issue: print_prep.PrintIssue) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for s in issue.sources:
        body = print_prep.splice.copy_ast(s.ast)
        print_prep.drop_anchors(body)
        print_prep.shift_headings(body["blocks"], 1)
        blocks += print_prep.opening_blocks(s.contribution, level=1)
        blocks += body["blocks"]
    api = issue.sources[0].ast.get("pandoc-api-version", [1, 23, 1]) if issue.sources else [1, 23, 1]
    return {"pandoc-api-version": api, "meta": book_meta(ctx, issue.model), "blocks": blocks}


def stylesheet(ctx: Context) -> bytes:
    env = templates.environment(ctx.root, "epub", cache_dir=ctx.cache_dir, autoescape=False)
    return templates.render(env, "epub.css", {}).encode("utf-8")


def finish(book: bytes, css: bytes, stamp: str) -> bytes:
    """Our stylesheet in place of pandoc's default one (pandoc's --sandbox does not let the EPUB writer read a
    --css file) and the issue's date as the modification date (the sandbox stamps 1970)."""

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("EPUB/styles/") and name.endswith(".css"):
            return css
        if name.endswith(".opf"):
            return re.sub(rb'(<meta property="dcterms:modified">)[^<]*(</meta>)', rb"\g<1>" + stamp.encode() + rb"\g<2>",
                          data)
        return data

    return print_prep.rewrite_zip(book, change)


def write(ctx: Context, out: Path) -> list[Diagnostic]:
    folder = out / "epub"
    folder.mkdir(parents=True, exist_ok=True)
    issue = print_prep.prepare(ctx)
    diags = print_prep.diagnostics_once(ctx, issue)
    if not issue.sources:
        return diags
    try:
        css = stylesheet(ctx)
    except templates.TemplateProblem as exc:
        return diags + [exc.diagnostic]
    ast = book_ast(ctx, issue)
    key = digest(EPUB_VERSION, pandoc.identity(), print_prep.stamp_of(ctx), css,
                 json.dumps(ast, sort_keys=True, ensure_ascii=False))
    book = print_prep.cache_read(ctx, "epub", key + ".epub")
    if book is None:
        try:
            book = print_prep.run_pandoc(ctx, ast, ["-t", "epub3", "--toc", "--toc-depth=2", "--split-level=1"],
                                         output="issue.epub")
            book = finish(book, css, print_prep.stamp_of(ctx))
        except pandoc.PandocError as exc:
            return diags + [make(R.WRITER_ERROR.code, f"pandoc could not write the EPUB: {exc}", Location("issue.toml"))]
        print_prep.cache_write(ctx, "epub", key + ".epub", book)
    (folder / "issue.epub").write_bytes(book)
    return diags
