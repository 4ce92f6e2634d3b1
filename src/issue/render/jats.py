"""build/jats/<id>.xml: each contribution as a JATS 1.3 Journal Publishing article.

The front matter (journal-meta; article-meta with the DOI, title, contributors with ORCID and affiliations,
publication date, volume, issue, pages, permissions, abstract and keywords) is rendered from the manifest by the
template templates/jats/article.xml (autoescaped XML). The body and the back matter are pandoc's JATS writer: its
`element_citations` extension turns the CSL-JSON items the contribution cites into structured <element-citation>s
in a <ref-list>, and each citation into an <xref> to its entry; notes go into a <fn-group>. Pages are the
manifest's, else those of this build's typeset PDF, else those of the last `issue build --paginate`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from ..pipeline import Context
from . import html, pages as pages_file, print_prep, rules as R, templates
from .context import KIND_SECTIONS
from .print_prep import PrintSource, digest

JATS_VERSION = "jats-1"
BACK = "<!-- issue: back -->"
PANDOC_TEMPLATE = f"$body$\n{BACK}\n$back$\n".encode()
ARTICLE_TYPES = {"introduction": "introduction", "editorial": "editorial", "book-review": "book-review",
                 "review": "review-article", "review-article": "review-article", "commentary": "article-commentary",
                 "correction": "correction", "article": "research-article", "research-article": "research-article"}


def _ids(ast: dict[str, Any]) -> set[str]:
    found: set[str] = set()

    def visit(node: dict[str, Any]) -> None:
        attr = print_prep.attr_of(node)
        if attr is not None and attr[0]:
            found.add(attr[0])

    print_prep.walk(ast.get("blocks", []), visit)
    return found


def article_ast(ctx: Context, source: PrintSource, model: Any) -> dict[str, Any]:
    """The contribution before citeproc (pandoc's JATS writer makes the citations itself), without index anchors,
    with links to other contributions made external and links to ids that are not in it made plain text (an
    <xref> must point inside its own article)."""
    ast = print_prep.splice.copy_ast(source.cited or source.ast)
    print_prep.drop_anchors(ast)
    print_prep.standalone_links(ast, model, print_prep.base_url(ctx), html.page_of)
    inside = _ids(ast) | {f"ref-{item['id']}" for item in source.items}

    def fix(node: dict[str, Any]) -> list | None:
        if node.get("t") == "Link" and (node["c"][2][0] or "").startswith("#") and node["c"][2][0][1:] not in inside:
            return [print_prep.span([], node["c"][1])]
        return None

    print_prep.replace_inlines(ast, fix)
    ast["meta"].pop("link-citations", None)
    return ast


def _names(c: Any) -> list[dict[str, str]]:
    out = []
    for a in c.authors:
        given = a.name[: len(a.name) - len(a.surname)].strip().rstrip(",") if a.surname and a.name.endswith(a.surname) else ""
        out.append({"surname": a.surname, "given": given})
    return out


def _body_and_back(ctx: Context, ast: dict[str, Any], items: list[dict[str, Any]]) -> tuple[str, str]:
    text = json.dumps(ast, sort_keys=True, ensure_ascii=False)
    refs = json.dumps({"references": items}, sort_keys=True, ensure_ascii=False)
    key = digest(JATS_VERSION, pandoc.identity(), text, refs)
    cached = print_prep.cache_read(ctx, "jats", key + ".xml")
    if cached is None:
        # the items go in as a metadata file: pandoc reads CSL-JSON there as it reads a bibliography
        cached = print_prep.run_pandoc(ctx, ast, ["-t", "jats_publishing+element_citations", "-s", "--template",
                                                  "{template.jats}", "--wrap=none", "--metadata-file", "{refs.json}"],
                                       files={"template.jats": PANDOC_TEMPLATE, "refs.json": refs.encode("utf-8")})
        print_prep.cache_write(ctx, "jats", key + ".xml", cached)
    body, _, back = cached.decode("utf-8").partition(BACK)
    return body.strip(), back.strip()


def write(ctx: Context, out: Path) -> list[Diagnostic]:
    folder = out / "jats"
    folder.mkdir(parents=True, exist_ok=True)
    issue = print_prep.prepare(ctx)
    diags = print_prep.diagnostics_once(ctx, issue)
    model = issue.model
    env = templates.environment(ctx.root, "jats", cache_dir=ctx.cache_dir)
    page_ranges = pages_file.print_pages(ctx, model)
    base = print_prep.base_url(ctx)
    journal_id = "".join(w[0] for w in (model.issue.journal or model.issue.title).split() if w[:1].isalnum()).lower()
    for s in issue.sources:
        c = s.contribution
        try:
            body, back = _body_and_back(ctx, article_ast(ctx, s, model), s.items)
        except pandoc.PandocError as exc:
            diags.append(make(R.WRITER_ERROR.code, f"pandoc could not write it as JATS: {exc}", Location(c.file)))
            continue
        context = {**model.as_context(), "c": c, "names": _names(c), "body": Markup(body), "back": Markup(back),
                   "pages": page_ranges.get(c.id), "lang": (model.issue.language or "en").split("-")[0],
                   "article_type": ARTICLE_TYPES.get(c.kind, "other"), "journal_id": journal_id or "journal",
                   "section": KIND_SECTIONS.get(c.kind, "Articles"),
                   "self_uri": f"{base}/{html.page_of(c.id)}" if base else None}
        try:
            xml = templates.render(env, "article.xml", context)
        except templates.TemplateProblem as exc:
            diags.append(exc.diagnostic)
            break
        (folder / f"{c.id}.xml").write_text(xml, encoding="utf-8", newline="\n")
    return diags
