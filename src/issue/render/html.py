"""build/html/: the issue as a static website, from Jinja2 templates and pandoc.

A straight line, read top to bottom: resolve the style and the bibliography; build the issue model; prepare each
manuscript's pandoc AST (citations, cross-references and index anchors spliced in, the author's own reference
list replaced by the generated one, anything unsafe removed); convert them with pandoc --citeproc, two at a time,
reusing pages whose inputs have not changed; render every page from its template; copy the static assets.

The contents and the index show the pages of the printed issue when they are known: the manifest's `pages`, else
those this build's PDF typeset (the PDF writer runs first and leaves them on the Context), else those of the last
`issue build --paginate` (build/pages.toml). Index locators get print pages only from this build's PDF.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup, escape

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..manuscripts.document import Block, Document, Segment
from ..model import Location
from ..names import fold
from ..pipeline import Context, findings, pandoc_timeout
from . import csl, howtocite, pages as print_pages, rules as R, splice, templates
from .context import (BibEntryView, ContributionView, IssueModel, build_model, default_anchor, record_value,
                      records_by_contribution)

RENDER_VERSION = "html-3"  # part of every cache key: bump when the conversion changes
PAGES = {"index": "landing.html", "abstracts": "abstracts.html", "concept-index": "concept-index.html",
         "bibliography": "bibliography.html", "crossref-map": "crossref-map.html",
         "citation-report": "citation-report.html", "checks": "checks.html"}
TEMPLATED_KINDS = {"introduction", "editorial", "preface", "foreword", "afterword", "conclusion"}
WORKERS = 2
CSP = ("default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")


def page_of(cid: str) -> str:
    """A contribution's page; ids that would collide with the site's own pages get a suffix."""
    return f"{cid}-article.html" if cid in PAGES or cid == "static" else f"{cid}.html"


# -- the bibliography as CSL-JSON ------------------------------------------------------------------------------
def csl_items(ctx: Context) -> dict[str, dict[str, Any]]:
    """The shared bibliography as CSL-JSON items by key (the bibliography's own export, else pandoc's reader)."""
    bib = ctx.bibliography
    if bib is None:
        return {}
    items: Any = None
    try:
        from ..bibliography.export import to_csl_json
    except ImportError:
        to_csl_json = None
    if to_csl_json is not None:
        items = to_csl_json(bib)
        if isinstance(items, (str, bytes)):
            items = json.loads(items)
    else:
        items = _pandoc_csl(ctx)
    return {str(i["id"]): i for i in items or [] if isinstance(i, dict) and i.get("id")}


def _pandoc_csl(ctx: Context) -> list[dict[str, Any]]:
    files: list[Path] = []
    root = ctx.root.resolve()
    known = getattr(ctx.bibliography, "files", None)
    for pattern in known or ctx.bibliography_files or ctx.issue.bibliography:
        for p in sorted(root.glob(pattern)):
            if p.is_file() and p.resolve().is_relative_to(root):
                files.append(p)
    out: list[dict[str, Any]] = []
    for f in files:
        data = f.read_bytes()
        cached = _cache_read(ctx, "csl", hashlib.sha256(data).hexdigest() + ".json")
        if cached is None:
            try:
                cached = pandoc.run(["-f", "bibtex", "-t", "csljson"], input=data).decode("utf-8")
            except pandoc.PandocError:
                continue
            _cache_write(ctx, "csl", hashlib.sha256(data).hexdigest() + ".json", cached)
        out.extend(json.loads(cached))
    return out


# -- cache -----------------------------------------------------------------------------------------------------
def _cache_read(ctx: Context, kind: str, name: str) -> str | None:
    if ctx.cache_dir is None:
        return None
    try:
        return (ctx.cache_dir / "html" / kind / name).read_text(encoding="utf-8")
    except OSError:
        return None


def _cache_write(ctx: Context, kind: str, name: str, text: str) -> None:
    if ctx.cache_dir is None:
        return
    from ..cache import write_atomically

    write_atomically(ctx.cache_dir / "html" / kind / name, text.encode("utf-8"))  # if it cannot: only time lost


# -- sanitising pandoc's output --------------------------------------------------------------------------------
_CLEANER = None


def clean_html(fragment: str) -> str:
    """The final guard: only the elements and attributes pandoc's HTML writer produces for prose survive."""
    global _CLEANER
    if _CLEANER is None:
        import nh3

        tags = {"a", "abbr", "aside", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
                "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins",
                "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "sub", "sup", "table",
                "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "b"}
        generic = {"id", "class", "role", "title", "lang", "dir", "aria-label", "aria-hidden", "aria-labelledby"}
        attributes = {"*": generic, "a": {"href"}, "td": {"colspan", "rowspan", "style"},
                      "th": {"colspan", "rowspan", "style", "scope"}, "col": {"style"}, "ol": {"start", "type"}}
        _CLEANER = nh3.Cleaner(tags=tags, clean_content_tags={"script", "style"}, attributes=attributes,
                               url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True,
                               filter_style_properties={"text-align", "width"})
    return _CLEANER.clean(fragment)


# -- preparing one manuscript ----------------------------------------------------------------------------------
@dataclass
class Prepared:
    contribution: ContributionView
    ast: dict[str, Any]
    items: list[dict[str, Any]]  # the CSL items it cites
    diagnostics: list[Diagnostic] = field(default_factory=list)
    style_hash: str = ""
    html: str = ""
    nocite: list[str] = field(default_factory=list)  # keys cited in prose (no Cite element carries them)
    cited: set[str] = field(default_factory=set)  # every key it cites: its reference list

    @property
    def key(self) -> str:
        """The page's cache key, over everything pandoc is given. Worked out when asked for: a website in an
        author-date style never asks, and serialising every page's tree for it cost a tenth of a second."""
        body = json.dumps(self.ast, sort_keys=True, ensure_ascii=False)
        refs = json.dumps(self.items, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256("\0".join([RENDER_VERSION, pandoc.identity(), self.style_hash, body, refs])
                              .encode()).hexdigest()


def _block_of(doc: Document, rec: Any) -> Block | None:
    """The Block a record points at: a Block, or a block number (notes share their host's number, so the text
    span decides)."""
    b = record_value(rec, "block", default=None)
    if isinstance(b, Block):
        return b
    if not isinstance(b, int):
        return None
    start, end = record_value(rec, "start", default=0), record_value(rec, "end", default=0)
    text = record_value(rec, "text", "raw", default=None)
    candidates = [x for x in doc.blocks if x.index == b and len(x.text) >= end]
    note = record_value(rec, "note", "note_number", default=None)
    if isinstance(note, int):
        candidates = [x for x in candidates if x.kind == "note" and x.note == note] or candidates
    if text:
        exact = [x for x in candidates if x.text[start:end] == text]
        candidates = exact or candidates
    if not candidates:
        return None
    return next((x for x in candidates if x.kind != "note"), candidates[0])


def _cite_rewrite(ast: dict[str, Any], doc: Document, recs: list[Any], known: set[str],
                  alias: Callable[[str], str | None]) -> set[tuple]:
    """Markup citations ([@key], \\cite): keys the checker resolved to another entry are rewritten; keys with no
    entry are marked visibly instead of pandoc's bold '???'. Returns the paths of the Cite elements."""
    paths: set[tuple] = set()
    by_block: dict[int, list[Any]] = {}
    for rec in recs:
        blk = _block_of(doc, rec)
        if blk is not None:
            by_block.setdefault(id(blk), []).append(rec)
    for b in doc.blocks:
        for mc in b.cites:
            if mc.path is None:
                continue
            try:
                node = splice.node_at(ast, mc.path)
            except (KeyError, IndexError, TypeError):
                continue
            if node.get("t") != "Cite":
                continue
            paths.add(tuple(mc.path))
            overlapping = [r for r in by_block.get(id(b), []) if record_value(r, "start", default=0) < mc.end
                           and record_value(r, "end", default=0) > mc.start]
            resolved = [record_value(r, "key") for r in overlapping if record_value(r, "key")]
            spare = [k for k in resolved if k in known and k not in {c["citationId"] for c in node["c"][0]}]
            good, bad = [], []
            for citation in node["c"][0]:
                cid = citation["citationId"]
                if cid not in known and alias(cid) in known:
                    citation["citationId"] = cid = alias(cid)
                if cid not in known:
                    match = next((k for k in spare if fold(k) == fold(cid)), None) or (spare[0] if len(spare) == 1 else None)
                    if match:
                        spare.remove(match)
                        citation["citationId"] = match
                        cid = match
                (good if cid in known else bad).append(citation)
            if not bad:
                continue
            missing = {"t": "Span", "c": [["", ["unresolved-citation"], [["title", "no entry in the bibliography: "
                                                                            + ", ".join(c["citationId"] for c in bad)]]],
                                          [{"t": "Str", "c": "[" + "; ".join("@" + c["citationId"] for c in bad) + "]"}]]}
            if good:
                node["c"][0] = good
                replacement = {"t": "Span", "c": [["", [], []], [dict(node), {"t": "Space"}, missing]]}
            else:
                replacement = missing
            parent = splice.node_at(ast, mc.path[:-1])
            parent[mc.path[-1]] = replacement
    return paths


def _crossref_marks(rec: Any, block: Block, model: IssueModel) -> list[splice.Mark]:
    start, end = record_value(rec, "start", default=0), record_value(rec, "end", default=0)
    targets = [t for t in _targets(rec) if t in model.contributions]
    if not targets:
        return [splice.Mark(start, end, "span", classes=("unresolved-crossref",),
                            title="no contribution of this issue matches", priority=2)]
    marks: list[splice.Mark] = []
    for link in record_value(rec, "links", default=[]) or []:  # the analysis says which words link where
        target = record_value(link, "target")
        if target in model.contributions:
            c = model.contributions[target]
            marks.append(splice.Mark(record_value(link, "start", default=start), record_value(link, "end", default=end),
                                     "link", target=c.href or "", classes=("crossref",), title=c.title, priority=2))
    if marks:
        if str(record_value(rec, "status", default="resolved")) != "resolved":
            marks.append(splice.Mark(start, end, "span", classes=("unresolved-crossref",),
                                     title="a name here matches no single contribution", priority=1))
        return marks
    text = fold(block.text[start:end])
    for t in targets:  # "papers by Hirono, Newby and Jones": each name links to its paper
        c = model.contributions[t]
        for a in c.authors:
            at = text.find(fold(a.surname))
            if at >= 0 and len(a.surname) > 1:
                marks.append(splice.Mark(start + at, start + at + len(a.surname), "link", target=c.href or "",
                                         classes=("crossref",), title=c.title, priority=2))
                break
    if not marks:
        c = model.contributions[targets[0]]
        marks.append(splice.Mark(start, end, "link", target=c.href or "", classes=("crossref",), title=c.title,
                                 priority=2))
    return marks


def _targets(rec: Any) -> list[str]:
    t = record_value(rec, "targets", "target", default=[])
    if isinstance(t, str):
        return [t]
    return [x if isinstance(x, str) else getattr(x, "id", "") for x in t]


def _nocite(keys: list[str]) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[{
        "citationId": k, "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": "NormalCitation"},
        "citationNoteNum": 0, "citationHash": 0} for k in keys], [{"t": "Str", "c": "nocite"}]]}]} if keys else None


def _restructure(ast: dict[str, Any], doc: Document, refs_title: str) -> None:
    """Drop the title, by-line, abstract and keywords (the page shows them from the manifest) and the author's
    typed reference list; the generated list (pandoc's #refs) stands where the typed one stood."""
    top_sections: dict[int, set[str]] = {}
    for b in doc.blocks:
        if b.ast_path and len(b.ast_path) >= 2 and b.ast_path[0] == "blocks" and isinstance(b.ast_path[1], int):
            top_sections.setdefault(b.ast_path[1], set()).add(b.section)
    removable = {"front", "abstract", "keywords", "references"}
    blocks = ast.get("blocks", [])
    keep: list[dict[str, Any]] = []
    refs_at: int | None = None
    in_refs = False
    for i, node in enumerate(blocks):
        sections = top_sections.get(i)
        if sections is None:  # no text: belongs to the section it stands in
            if in_refs:
                continue
            keep.append(node)
            continue
        if sections <= removable:
            if "references" in sections:
                in_refs = True
                if refs_at is None:
                    refs_at = len(keep)
            continue
        in_refs = False
        keep.append(node)
    refs = [{"t": "Header", "c": [1, ["references", ["references-heading"], []], [{"t": "Str", "c": refs_title}]]},
            {"t": "Div", "c": [["", ["issue-refs"], []], []]}]  # the place of the generated list
    if refs_at is None:
        refs_at = len(keep)
    keep[refs_at:refs_at] = refs
    ast["blocks"] = keep


def _text_doc_ast(doc: Document) -> tuple[dict[str, Any], dict[int, list[Segment]]]:
    return splice.text_ast(doc)


def prepare(ctx: Context, c: ContributionView, model: IssueModel, items: dict[str, dict[str, Any]],
            env: templates.IssueEnvironment, style_hash: str) -> Prepared:
    doc = ctx.documents[c.id]
    if doc.ast:
        ast = doc.ast_copy()
        seg_of = {id(b): b.segments for b in doc.blocks}
    else:
        ast, seg_of = _text_doc_ast(doc)
    known = set(items)
    cite_recs = [r for _, r in records_by_contribution(ctx, "citations", "contribution").get(c.id, [])]
    markup = [r for r in cite_recs if str(record_value(r, "form", default="")) == "markup"]
    prose = [r for r in cite_recs if str(record_value(r, "form", default="")) != "markup"]
    cite_paths = _cite_rewrite(ast, doc, markup, known, _alias_resolver(ctx))

    marks: dict[int, splice.BlockMarks] = {}

    def add(block: Block | None, mark: splice.Mark) -> None:
        if block is None:
            return
        marks.setdefault(id(block), splice.BlockMarks(block, seg_of.get(id(block), []))).marks.append(mark)

    prose_keys: list[str] = []
    for rec in prose:
        block = _block_of(doc, rec)
        key = record_value(rec, "key")
        start, end = record_value(rec, "start", default=0), record_value(rec, "end", default=0)
        crossref = record_value(rec, "crossref")
        if key and key in known:
            add(block, splice.Mark(start, end, "link", target=f"#ref-{key}", classes=("citation",), priority=3))
            if key not in prose_keys:
                prose_keys.append(key)
        elif crossref and crossref in model.contributions:  # "Hirono (2020)": a paper of this issue
            target = model.contributions[crossref]
            add(block, splice.Mark(start, end, "link", target=target.href or "", classes=("crossref",),
                                   title=target.title, priority=3))
        else:
            add(block, splice.Mark(start, end, "span", classes=("unresolved-citation",),
                                   title=f"no entry in the bibliography{': ' + key if key else ''}", priority=3))
    for _, rec in records_by_contribution(ctx, "crossrefs", "contribution", "source").get(c.id, []):
        block = _block_of(doc, rec)
        if block is not None:
            for m in _crossref_marks(rec, block, model):
                add(block, m)
    for n, rec in records_by_contribution(ctx, "concepts", "contribution").get(c.id, []):
        add(_block_of(doc, rec), splice.Mark(record_value(rec, "start", default=0), 0, "anchor",
                                             ident=default_anchor(rec, n)))
    splice.apply(ast, list(marks.values()), skip_under=cite_paths)
    _restructure(ast, doc, "References")
    splice.sanitise(ast)
    splice.number_floats(ast)
    diags: list[Diagnostic] = []
    if c.kind in _templated_kinds(ctx):
        diags = _expand(ast, doc, c, model, env)
    cited = [k for k in _cite_ids(ast) if k in known]
    for k in prose_keys:
        if k not in cited:
            cited.append(k)
    ast["meta"] = {"link-citations": {"t": "MetaBool", "c": True},
                   "lang": {"t": "MetaString", "c": ctx.issue.language or "en"}}
    nocite = _nocite(prose_keys)
    if nocite:
        ast["meta"]["nocite"] = nocite
    used = [items[k] for k in sorted(set(cited))]
    return Prepared(c, ast, used, diags, style_hash, nocite=list(prose_keys), cited=set(cited))


def _alias_resolver(ctx: Context) -> Callable[[str], str | None]:
    """An author's own key -> the shared bibliography's key (biblatex ids, the merge key map, case)."""
    bib = ctx.bibliography
    get = getattr(bib, "get", None)

    def resolve(key: str) -> str | None:
        if get is None:
            return None
        try:
            entry = get(key)
        except Exception:  # a bibliography still being written must not stop the build
            return None
        return getattr(entry, "key", None)

    return resolve


def _templated_kinds(ctx: Context) -> set[str]:
    chosen = (ctx.issue.build or {}).get("templated")
    if isinstance(chosen, list):
        return {str(x) for x in chosen}
    return TEMPLATED_KINDS


def _cite_ids(ast: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for node in _cites_in(ast.get("blocks", [])):
        for citation in node["c"][0]:
            if citation["citationId"] not in out:
                out.append(citation["citationId"])
    return out


def _expand(ast: dict[str, Any], doc: Document, c: ContributionView, model: IssueModel,
            env: templates.IssueEnvironment) -> list[Diagnostic]:
    """Template expressions in an editors' manuscript ({{ contributions.jones.title }}, {{ link("jones") }},
    {{ overview() }}), rendered in the sandbox with the issue model."""
    diags: list[Diagnostic] = []
    context = {**model.as_context(), **_helpers(env, model), "contribution": c}

    def render(source: str, block_level: bool):
        try:
            html = templates.render_string(env, source, context, Location(doc.file))
        except templates.TemplateProblem as exc:
            diags.append(_locate(exc.diagnostic, doc, source))
            return [{"t": "Span", "c": [["", ["template-error"], []], [{"t": "Str", "c": source}]]}]
        return html

    splice.expand_expressions(ast, render)
    return diags


def _locate(d: Diagnostic, doc: Document, source: str) -> Diagnostic:
    """Point a manuscript expression's diagnostic at the block that holds it."""
    needle = source.strip()
    for b in doc.blocks:
        inner = needle.strip("{} ").split()[0] if needle.strip("{} ") else ""
        if inner and inner in b.text:
            at = b.text.find(inner)
            d.location = doc.location(b, at, at + len(inner))
            break
    return d


def _helpers(env: templates.IssueEnvironment, model: IssueModel) -> dict[str, Any]:
    def link(cid: str, text: str | None = None) -> Markup:
        c = model.contributions.get(cid)
        if c is None:
            raise LookupError(f"no contribution '{cid}' (known: {', '.join(model.contributions.known_names())})")
        return Markup('<a class="crossref" href="{}">{}</a>').format(c.href or "", text or c.author_surnames or c.title)

    def overview() -> Markup:
        return Markup(templates.render(env, "_overview.html", {**model.as_context(), "link": link}))

    return {"link": link, "overview": overview}


# -- pandoc ----------------------------------------------------------------------------------------------------
def _convert(ctx: Context, p: Prepared, style: Path) -> str:
    key = p.key
    cached = _cache_read(ctx, "pages", key + ".html")
    if cached is not None:
        return cached
    body = json.dumps(p.ast, ensure_ascii=False).encode("utf-8")
    html = _pandoc_html(ctx, body, p.items, style, pandoc_timeout(ctx))
    html = _notes_heading(clean_html(html))
    _cache_write(ctx, "pages", key + ".html", html)
    return html


_FOOTNOTES = re.compile(r'<section id="footnotes" class="([^"]*)" role="doc-endnotes">\s*(?:<hr\s*/?>)?')


def _notes_heading(html: str) -> str:
    """pandoc's notes section has no heading; a section needs one (outline, screen readers)."""
    return _FOOTNOTES.sub(lambda m: f'<section id="footnotes" class="{m.group(1)}" role="doc-endnotes" '
                                    f'aria-labelledby="notes-heading">\n<h2 id="notes-heading">Notes</h2>', html, count=1)


def _pandoc_html(ctx: Context, body: bytes, items: list[dict[str, Any]], style: Path, timeout: float,
                 shift: bool = True, yielding: bool = False) -> str:
    import tempfile

    refs = json.dumps(items, sort_keys=True, ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="issue-refs-") as tmp:
        refs_file = Path(tmp) / "references.json"
        refs_file.write_text(refs, encoding="utf-8")
        args = ["-f", "json", "-t", "html5", "--wrap=none", *(["--shift-heading-level-by=1"] if shift else []),
                "--citeproc", "--csl", str(style), "--bibliography", str(refs_file)]
        return pandoc.run(args, input=body, timeout=timeout, yielding=yielding).decode("utf-8")


def _plain(html: str) -> str:
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


# -- citeproc ------------------------------------------------------------------------------------------------
def _is_note_style(style: Path) -> bool:
    """Note styles track first and subsequent citations ("ibid."), so each paper needs its own citeproc run."""
    head = style.read_bytes()[:4000].decode("utf-8", "replace")
    return bool(re.search(r'<style[^>]*\bclass="note"', head))


# An author-date style renders a citation from the citation alone, so the issue's citations and its bibliography
# are rendered by citeproc runs of their own, side by side with the conversion of the pages without their
# citations: the bibliography's runs start first, since they need no page, and the citations' once every page is
# prepared (parsing the CSL style costs pandoc most of its time, so there are few runs, not one per page). Each
# page holds an empty Span in place of each citation and an empty Div where its reference list goes; their ids
# contain '/', which no id from a manuscript can (splice.sanitise), and the rendered pieces are put in their place
# in the HTML.
CITE_SLOT = "issue/cite/"  # + the citation's number in its page
REFS_SLOT = "issue/refs"
_CITE_AT = re.compile(r'<span id="issue/cite/(\d+)"></span>')
_REFS_AT = re.compile(r'<div id="issue/refs">\s*</div>')
_RENDERED = re.compile(r'<div id="issue/c/(\d+)">\n<p>(.*?)</p>\n</div>', re.S)


def _with_slots(p: Prepared) -> list[dict[str, Any]]:
    """Put the slots in p.ast (in place); returns the page's citations in reading order."""
    cites = []
    for n, node in enumerate(_cites_in(p.ast["blocks"])):
        cites.append(dict(node))
        node.clear()
        node.update({"t": "Span", "c": [[f"{CITE_SLOT}{n}", [], []], []]})
    p.ast["blocks"] = [{"t": "Div", "c": [[REFS_SLOT, [], []], []]}
                       if (b.get("t") == "Div" and "issue-refs" in b["c"][0][1]) else b for b in p.ast["blocks"]]
    return cites


def _cites_in(node: Any) -> list[dict[str, Any]]:
    """The Cite elements of a tree in reading order (a note's citations where its marker stands)."""
    out: list[dict[str, Any]] = []

    def visit(n: Any) -> None:
        if isinstance(n, list):
            for x in n:
                visit(x)
        elif isinstance(n, dict):
            if n.get("t") == "Cite":
                out.append(n)
                return
            c = n.get("c")
            if isinstance(c, (list, dict)):
                visit(c)

    visit(node)
    return out


@dataclass
class Citeproc:
    """The issue's citations and bibliography as rendered: each citation's HTML in reading order over the issue,
    the reference list's opening tag, and each entry's whole element by key in the style's order."""

    citations: list[str]
    refs_open: str
    entries: dict[str, str]

    def fill(self, html: str, first: int, cited: set[str], failed: list[str]) -> str:
        """A page's HTML with its slots filled: its citations (numbered from `first` in the issue) and its
        reference list (the entries it cites). `failed`: the citations' own text, when citeproc failed."""
        def citation(m: re.Match) -> str:
            n = first + int(m.group(1))
            if n < len(self.citations):
                return self.citations[n]
            return str(escape(failed[n])) if n < len(failed) else ""

        mine = "".join(e + "\n" for k, e in self.entries.items() if k in cited)
        html = _CITE_AT.sub(citation, html)
        return _REFS_AT.sub(lambda m: f"{self.refs_open}\n{mine or chr(10)}</div>", html, count=1)


# citeproc's time grows much faster than what it is given: a 2,000-entry reference list takes it about 40 s and
# 2,000 citations about 30 s in one run, against under a second for 150 entries or 250 citations. The runs are
# therefore chunks, two at a time: the entries grouped by their first author's family name, so that works whose
# names collide (which is all citeproc's disambiguation looks at: "2001a", "J. Smith") meet in one run; the
# citations contribution by contribution, each run given the works they cite and, among their name-mates, those of
# the same year and those of another person of that name (nocite), so that "Smith 2001a" and "C. Jones 2018" read
# in the text as they do in the reference lists. (The same author's other works are left out: all the name-mates
# cost a 300-citation run six seconds instead of one.) The demo's pages are byte-identical to one run's
# (tests/test_render_html.py).
CHUNK_ENTRIES = 150
CHUNK_CITES = 250


def _citeproc_run(ctx: Context, numbers: Any, cites: list[dict[str, Any]], nocite: list[str],
                  items: list[dict[str, Any]], style: Path, style_hash: str, prepared: list[Prepared]) -> str:
    """One citeproc run to HTML, cached by content: the citations `numbers` (each in a Div "issue/c/<n>") and the
    entries `nocite` in the reference list, from `items`. A run `prefetch` started is waited for, not repeated."""
    key, body = _run_input(ctx, numbers, cites, nocite, items, style_hash, prepared)
    early = ctx.started.pop("citeproc/" + key, None)
    if early is not None:
        return early.result()
    return _citeproc_output(ctx, key, body, items, style)


def _run_input(ctx: Context, numbers: Any, cites: list[dict[str, Any]], nocite: list[str],
               items: list[dict[str, Any]], style_hash: str, prepared: list[Prepared]) -> tuple[str, str]:
    """A citeproc run's cache key and document."""
    blocks = [{"t": "Div", "c": [[f"issue/c/{n}", [], []], [{"t": "Para", "c": [cites[n]]}]]} for n in numbers]
    blocks.append({"t": "Div", "c": [["refs", [], []], []]})
    meta = {"link-citations": {"t": "MetaBool", "c": True},
            "lang": {"t": "MetaString", "c": ctx.issue.language or "en"}}
    if nocite:
        meta["nocite"] = _nocite(nocite)
    ast = {"pandoc-api-version": prepared[0].ast.get("pandoc-api-version", [1, 23, 1]) if prepared else [1, 23, 1],
           "meta": meta, "blocks": blocks}
    body = json.dumps(ast, sort_keys=True, ensure_ascii=False)
    refs = json.dumps(items, sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256("\0".join([RENDER_VERSION, "citeproc", pandoc.identity(), style_hash, body, refs])
                         .encode()).hexdigest()
    return key, body


def _citeproc_output(ctx: Context, key: str, body: str, items: list[dict[str, Any]], style: Path,
                     yielding: bool = False) -> str:
    html = _cache_read(ctx, "citeproc", key + ".html")
    if html is None:
        html = clean_html(_pandoc_html(ctx, body.encode("utf-8"), items, style, pandoc_timeout(ctx), shift=False,
                                       yielding=yielding))
        _cache_write(ctx, "citeproc", key + ".html", html)
    return html


# -- started early ---------------------------------------------------------------------------------------------
# The bibliography's citeproc runs need neither the manuscripts nor the analyses, so `issue build` starts them as
# soon as the bibliography is loaded, on the core the checks leave free (they are mostly Python, one core), at a
# lower priority than the checks' own pandoc runs; the writer takes their results (Context.started) instead of
# starting the same runs again.
def prefetch(ctx: Context) -> None:
    try:
        style, found = csl.resolve(ctx.issue)
        items = csl_items(ctx)
        if found or not items:
            return  # the writer reports the style's problem; no bibliography, no runs
        style_hash = hashlib.sha256(style.path.read_bytes()).hexdigest()
    except Exception:  # noqa: BLE001 - only a head start: whatever fails here, the writer meets and reports
        return
    by_family = _by_family([items[k] for k in sorted(items)])
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="issue-prefetch")
    for chunk in _entry_chunks(by_family, []):
        key, body = _run_input(ctx, [], [], [str(i["id"]) for i in chunk], chunk, style_hash, [])
        ctx.started["citeproc/" + key] = pool.submit(_citeproc_output, ctx, key, body, chunk, style.path, True)
    pool.shutdown(wait=False)


def _citations_of(html: str, count: int, into: list[str] | None = None) -> list[str]:
    citations = into if into is not None else [""] * count
    for m in _RENDERED.finditer(html):
        if int(m.group(1)) < len(citations):
            citations[int(m.group(1))] = m.group(2)
    return citations


def _entries_of(html: str) -> tuple[str, dict[str, str]]:
    """The reference list's opening tag and each entry's whole element by key, in the style's order."""
    at = html.find('<div id="refs"')
    refs_open, entries = '<div id="refs">', {}
    if at >= 0:
        head, _, inner = html[at:].partition("\n")
        refs_open = head
        inner = inner.rstrip()
        if inner.endswith("</div>"):
            inner = inner[:-len("</div>")].rstrip("\n")
        for chunk in re.split(r"\n(?=<div id=\"ref-)", inner):
            m = re.match(r'<div id="ref-([^"]+)"', chunk)
            if m:
                from html import unescape

                entries[unescape(m.group(1))] = chunk
    return refs_open, entries


def _first_name(item: dict[str, Any]) -> dict[str, Any]:
    names = item.get("author") or item.get("editor") or [{}]
    return names[0] if isinstance(names, list) and names and isinstance(names[0], dict) else {}


def _family(item: dict[str, Any]) -> str:
    first = _first_name(item)
    return fold(str(first.get("family") or first.get("literal") or item.get("title") or item.get("id", "")))


def _by_family(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(_family(item), []).append(item)
    return out


def _entry_runs(ctx: Context, by_family: dict[str, list[dict[str, Any]]], own: list[dict[str, Any]], style: Path,
                style_hash: str, ex: ThreadPoolExecutor) -> list[Future]:
    """The reference list in chunks of name-mates, and the "how to cite" records in a run of their own."""
    return [ex.submit(_citeproc_run, ctx, [], [], [str(i["id"]) for i in chunk], chunk, style, style_hash, [])
            for chunk in _entry_chunks(by_family, own)]


def _entry_chunks(by_family: dict[str, list[dict[str, Any]]], own: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return _packed([by_family[f] for f in sorted(by_family)], CHUNK_ENTRIES) + ([own] if own else [])


def _gathered(runs: list[Future]) -> tuple[str, dict[str, str]]:
    """The reference list's opening tag (the first run's) and the entries of every run, in order."""
    refs_open, entries = '<div id="refs">', {}
    for n, fut in enumerate(runs):
        opening, found = _entries_of(fut.result())
        if n == 0:
            refs_open = opening
        entries.update(found)
    return refs_open, entries


def _year(item: dict[str, Any]) -> str:
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return str(parts[0][0])
    return str(issued.get("literal", "")) if isinstance(issued, dict) else ""


def _given(item: dict[str, Any]) -> str:
    return fold(str(_first_name(item).get("given") or ""))


def _packed(groups: list[list[Any]], limit: int) -> list[list[Any]]:
    """Consecutive groups packed into chunks of at most `limit` (a group larger than that is a chunk alone)."""
    chunks: list[list[Any]] = []
    for g in groups:
        if chunks and len(chunks[-1]) + len(g) <= limit:
            chunks[-1] += g
        else:
            chunks.append(list(g))
    return chunks


def _cited_keys(node: dict[str, Any]) -> list[str]:
    return [str(c.get("citationId")) for c in node["c"][0] if isinstance(c, dict) and c.get("citationId")]


def _cite_runs(ctx: Context, cites: list[dict[str, Any]], spans: list[list[int]], prepared: list[Prepared],
               by_family: dict[str, list[dict[str, Any]]], style: Path, style_hash: str,
               ex: ThreadPoolExecutor) -> list[Future]:
    """Citations (`spans`: the numbers of each contribution's, in `cites`) in chunks of whole contributions, each
    run given the works its citations name and their name-mates (see above)."""
    family_of = {str(i["id"]): f for f, group in by_family.items() for i in group}
    by_key = {str(i["id"]): i for group in by_family.values() for i in group}

    def cites_run(numbers: list[int]) -> str:
        cited = sorted({k for n in numbers for k in _cited_keys(cites[n]) if k in by_key})
        years = {(family_of[k], _year(by_key[k])) for k in cited}
        people = {(family_of[k], _given(by_key[k])) for k in cited}
        mates = sorted({str(i["id"]) for f, _ in years for i in by_family[f]
                        if (f, _year(i)) in years or (f, _given(i)) not in people} - set(cited))
        chunk = [by_key[k] for k in sorted(set(cited) | set(mates))]
        return _citeproc_run(ctx, numbers, cites, mates, chunk, style, style_hash, prepared)

    return [ex.submit(cites_run, numbers) for numbers in _packed([s for s in spans if s], CHUNK_CITES)]


def _convert_page(ctx: Context, body: str) -> str:
    """A page, as pandoc's JSON, to HTML without citeproc (already done), cached by content."""
    key = hashlib.sha256("\0".join([RENDER_VERSION, "page", pandoc.identity(), body]).encode()).hexdigest()
    cached = _cache_read(ctx, "pages", key + ".html")
    if cached is not None:
        return cached
    args = ["-f", "json", "-t", "html5", "--wrap=none", "--shift-heading-level-by=1"]
    html = pandoc.run(args, input=body.encode("utf-8"), timeout=pandoc_timeout(ctx), yielding=True).decode("utf-8")
    html = _notes_heading(clean_html(html))
    _cache_write(ctx, "pages", key + ".html", html)
    return html


class Conversion:
    """Every contribution's conversion, started as soon as it is prepared (`add`), on `pool`: pandoc processes
    side by side while Python prepares the next. The bibliography's citeproc runs start at once on `refs`; the
    citations' runs on `lead` (so that they wait behind neither the pages nor the entries), those of the first half
    of the contributions once they are prepared, the others in `finish`, which returns how to get the rendered
    bibliography entries and "how to cite" records by id, and each contribution's HTML by id; each waits for what
    it needs."""

    def __init__(self, ctx: Context, model: IssueModel, items: dict[str, dict[str, Any]], style: Path,
                 style_hash: str, diags: list[Diagnostic], pool: ThreadPoolExecutor, refs: ThreadPoolExecutor,
                 lead: ThreadPoolExecutor):
        self.ctx, self.model, self.style, self.style_hash = ctx, model, style, style_hash
        self.diags, self.pool, self.lead = diags, pool, lead
        self.note_style = _is_note_style(style)
        self.prepared: list[Prepared] = []
        self.futures: dict[str, Future] = {}
        self.cites: list[dict[str, Any]] = []
        self.firsts: dict[str, int] = {}
        self.by_family = _by_family([items[k] for k in sorted(items)])
        own = [howtocite.csl_issue(model)] + [howtocite.csl_contribution(model, c) for c in model.contributions]
        self.entry_runs = _entry_runs(ctx, self.by_family, own, style, style_hash, refs)
        self.pages = sum(1 for c in model.contributions if c.id in ctx.documents)
        self.cite_runs: list[Future] = []
        self.unsent: list[list[int]] = []  # each prepared contribution's citation numbers, not yet sent to citeproc

    def add(self, p: Prepared) -> None:
        self.prepared.append(p)
        if self.note_style:  # the placeholder becomes pandoc's #refs: citeproc fills it per paper
            p.ast["blocks"] = [{"t": "Div", "c": [["refs", [], []], []]}
                               if (b.get("t") == "Div" and "issue-refs" in b["c"][0][1]) else b for b in p.ast["blocks"]]
            self.futures[p.contribution.id] = self.pool.submit(_convert, self.ctx, p, self.style)
            return
        self.firsts[p.contribution.id] = len(self.cites)
        self.cites += _with_slots(p)
        self.unsent.append(list(range(self.firsts[p.contribution.id], len(self.cites))))
        if 2 * len(self.prepared) >= self.pages > len(self.prepared) and not self.cite_runs:
            self._send_citations()  # the first half's, while the rest are prepared: they are what the build waits for
        body = json.dumps(p.ast, ensure_ascii=False)  # deterministic without sorting: the tree is built in order
        p.ast = {"pandoc-api-version": p.ast.get("pandoc-api-version", [1, 23, 1])}  # the tree is let go: a
        # large issue's pages held gigabytes until the end
        self.futures[p.contribution.id] = self.pool.submit(_convert_page, self.ctx, body)

    def _send_citations(self) -> None:
        self.cite_runs += _cite_runs(self.ctx, self.cites, self.unsent, self.prepared, self.by_family, self.style,
                                     self.style_hash, self.lead)
        self.unsent = []

    def finish(self) -> tuple[Callable[[], dict[str, str]], dict[str, Callable[[], str]]]:
        diags = self.diags
        if not self.note_style:
            self._send_citations()
        cite_runs = self.cite_runs
        bibliography: list[tuple[str, dict[str, str]]] = []
        citations: list[list[str]] = []

        def trouble(what: str, exc: Exception) -> None:
            diags.append(make(R.WRITER_ERROR.code, f"pandoc could not render {what}: {exc}", Location("issue.toml")))

        def rendered_entries() -> tuple[str, dict[str, str]]:  # the site's own pages need these alone
            if not bibliography:
                try:
                    bibliography.append(_gathered(self.entry_runs))
                except pandoc.PandocError as exc:
                    trouble("the bibliography", exc)
                    bibliography.append(('<div id="refs" class="references" role="list">', {}))
            return bibliography[0]

        def rendered() -> Citeproc:  # a contribution's page needs its citations too
            if not citations:
                try:
                    found = [""] * len(self.cites)
                    for fut in cite_runs:
                        _citations_of(fut.result(), len(self.cites), into=found)
                    citations.append(found)
                except pandoc.PandocError as exc:
                    trouble("the citations", exc)
                    citations.append([])
            return Citeproc(citations[0], *rendered_entries())

        def entries() -> dict[str, str]:
            return {k: _entry_inner(e) for k, e in rendered_entries()[1].items()}

        if self.note_style:
            return entries, {p.contribution.id: (lambda p=p: _converted(self.futures[p.contribution.id], p, diags))
                             for p in self.prepared}
        failed = [splice.stringify({"t": "Span", "c": [["", [], []], node["c"][1]]}) for node in self.cites]

        def page(p: Prepared) -> str:
            html = _converted(self.futures[p.contribution.id], p, diags)
            return rendered().fill(html, self.firsts[p.contribution.id], p.cited, failed)

        return entries, {p.contribution.id: (lambda p=p: page(p)) for p in self.prepared}


def _entry_inner(element: str) -> str:
    """The content of an entry's <div> (for the bibliography page and "how to cite")."""
    start, end = element.find(">") + 1, element.rfind("</div>")
    return element[start:end].strip() if 0 < start <= end else element


def _converted(fut, p: Prepared, diags: list[Diagnostic]) -> str:
    try:
        return fut.result()
    except pandoc.PandocError as exc:
        diags.append(make(R.WRITER_ERROR.code, f"pandoc could not convert it to HTML: {exc}",
                          Location(p.contribution.file)))
        return '<p class="conversion-failed">This contribution could not be converted.</p>'


# -- pages -----------------------------------------------------------------------------------------------------
def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except FileNotFoundError:  # the folder is made once, not asked for before every page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def _copy_static(ctx: Context, folder: Path) -> None:
    """The package's assets, then the issue's templates/static/ over them (file by file, inside the issue)."""
    target = folder / "static"
    sources = [templates.PACKAGE_TEMPLATES / "html" / "static"]
    user = ctx.root / templates.USER_FOLDER / "static"
    if user.is_dir() and user.resolve().is_relative_to(ctx.root.resolve()):
        sources.append(user)
    for src in sources:
        base = src.resolve()
        for f in sorted(src.rglob("*")):
            if f.is_file() and f.resolve().is_relative_to(base):
                dest = target / f.relative_to(src)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest)


# -- the whole site, cached by the hash of every input -------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))  # helper objects: their type, not their address


def _files_digest(folder: Path) -> list[tuple[str, str]]:
    if not folder.is_dir():
        return []
    return [(p.relative_to(folder).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()]


def _code_version() -> list[tuple[str, int, int]]:
    """The writer's own code (render/ and what it imports to splice): an edited module never serves a site made
    by the old one."""
    here = Path(__file__).resolve().parent
    out = []
    for p in sorted([*here.glob("*.py"), here.parent / "manuscripts" / "document.py"]):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((p.name, st.st_size, st.st_mtime_ns))
    return out


def _site_key(ctx: Context, items: dict[str, dict[str, Any]], style_hash: str,
              pagination: print_pages.Pagination | None = None) -> str:
    """A hash of everything the website is made from: the manifest, each manuscript, the analyses' records and
    findings, the bibliography, the style, the templates and assets, the print pages, pandoc and this writer."""
    from .. import __version__

    h = hashlib.sha256()

    def feed(*parts: Any) -> None:
        for part in parts:
            h.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=_jsonable).encode("utf-8"))
            h.update(b"\0")

    manifest = ctx.issue.manifest_path
    feed(RENDER_VERSION, __version__, _code_version(), pandoc.identity(), style_hash, os.environ.get("SOURCE_DATE_EPOCH", ""),
         hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else repr(ctx.issue.raw))
    infos = [(cid, ctx.documents.info(cid)) for cid in ctx.documents]  # (the manuscripts are not read for it)
    feed(sorted((cid, info.sha256, info.file) for cid, info in infos if info is not None))
    for name in sorted(ctx.results):
        result = ctx.results[name]
        feed(name, [_jsonable(r) for r in result.records], result.extra)
    feed([d.to_json() for d in findings(ctx).items], items)
    feed(pagination.to_json() if pagination is not None else None)
    feed(_files_digest(ctx.root / templates.USER_FOLDER), _files_digest(templates.PACKAGE_TEMPLATES / "html"))
    return h.hexdigest()


def _site_from_cache(ctx: Context, key: str, folder: Path) -> bool:
    cached = _cache_read(ctx, "site", key + ".json")
    if cached is None:
        return False
    try:
        files = json.loads(cached)
    except ValueError:
        return False
    for rel, text in files.items():
        _write(folder / rel, text)
    _copy_static(ctx, folder)
    return True


def _site_to_cache(ctx: Context, key: str, folder: Path) -> None:
    files = {p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8")  # keep CRLF (RIS) as written
             for p in sorted(folder.rglob("*")) if p.is_file() and "static" not in p.relative_to(folder).parts}
    _cache_write(ctx, "site", key + ".json", json.dumps(files, sort_keys=True, ensure_ascii=False))


def write(ctx: Context, out: Path) -> list[Diagnostic]:
    folder = out / "html"
    folder.mkdir(parents=True, exist_ok=True)
    diags: list[Diagnostic] = []
    style, found = csl.resolve(ctx.issue)
    diags += found
    style_hash = hashlib.sha256(style.path.read_bytes()).hexdigest()
    items = csl_items(ctx)
    pagination = print_pages.of_build(ctx)
    site_key = _site_key(ctx, items, style_hash, pagination) if ctx.cache_dir is not None else ""
    if site_key and not diags and _site_from_cache(ctx, site_key, folder):
        return diags  # nothing the site is made from has changed
    env = templates.environment(ctx.root, "html", cache_dir=ctx.cache_dir)
    model = build_model(ctx, style_title=style.title, page_of=page_of, print_pages=pagination)

    wanted = [name for name in PAGES if _page_wanted(ctx, model, name)]

    def compile_templates() -> None:  # while pandoc works: the templates are needed next
        for name in [PAGES[n] for n in wanted] + ["contribution.html"]:
            try:
                env.get_template(name)
            except Exception:  # noqa: BLE001 - reported with its place by templates.render below
                pass

    with ThreadPoolExecutor(max_workers=WORKERS) as pool, ThreadPoolExecutor(max_workers=WORKERS) as refs, \
            ThreadPoolExecutor(max_workers=WORKERS) as lead:
        conversion = Conversion(ctx, model, items, style.path, style_hash, diags, pool, refs, lead)
        prepared: list[Prepared] = []
        for c in model.contributions:
            if c.id in ctx.documents:
                p = prepare(ctx, c, model, items, env, style_hash)
                diags.extend(p.diagnostics)
                prepared.append(p)
                conversion.add(p)
        entries, pages = conversion.finish()
        compile_templates()  # while pandoc renders the citations: what needs no rendered citation
        cite_report = None
        if "citation-report" in wanted:
            from .citation_report import report

            cite_report = report(ctx, model)
        _fill_citations(model, entries())
        context = {**model.as_context(), **_helpers(env, model), "csp": CSP, "pages": _nav(ctx, model),
                   "page_of": page_of}
        try:  # the site's own pages while pandoc converts the contributions
            for name in wanted:
                page = {"name": name, "file": f"{name}.html"}
                extra: dict[str, Any] = {"page": page}
                if name == "citation-report":
                    extra["report"] = cite_report
                _write(folder / f"{name}.html", templates.render(env, PAGES[name], {**context, **extra}))
            for p in prepared:
                c = p.contribution
                p.html = pages[c.id]()
                page = {"name": c.id, "file": c.href}
                _write(folder / (c.href or page_of(c.id)),
                       templates.render(env, "contribution.html", {**context, "page": page, "contribution": c,
                                                                    "body": Markup(p.html)}))
        except templates.TemplateProblem as exc:
            diags.append(exc.diagnostic)
            return diags
    _write_downloads(folder, model)
    if site_key and not diags:  # a site with problems is rebuilt next time, so that they are reported again
        _site_to_cache(ctx, site_key, folder)
    _copy_static(ctx, folder)
    return diags


def _fill_citations(model: IssueModel, rendered: dict[str, str]) -> None:
    def fill(target, record_id: str, bib: str, ris: str) -> None:
        html = rendered.get(record_id, "")
        target.html = Markup(html)
        target.text = _plain(html)
        target.bibtex = bib
        target.ris = ris

    fill(model.issue.how_to_cite, howtocite.ISSUE_ID, howtocite.bibtex(model), howtocite.ris(model))
    for c in model.contributions:
        fill(c.how_to_cite, f"{howtocite.ISSUE_ID}-{c.id}", howtocite.bibtex(model, c), howtocite.ris(model, c))
    ordered = [k for k in rendered if k in model.bibliography]
    rest = [e.key for e in model.bibliography if e.key not in rendered]
    entries: list[BibEntryView] = []
    for key in ordered + rest:
        e = model.bibliography[key]
        e.html = Markup(rendered.get(key, escape(key)))
        e.text = _plain(rendered.get(key, key))
        entries.append(e)
    model.bibliography._items = entries  # in the style's bibliography order


def _write_downloads(folder: Path, model: IssueModel) -> None:
    _write(folder / "cite" / "issue.bib", model.issue.how_to_cite.bibtex)
    _write(folder / "cite" / "issue.ris", model.issue.how_to_cite.ris)
    for c in model.contributions:
        _write(folder / "cite" / f"{c.id}.bib", c.how_to_cite.bibtex)
        _write(folder / "cite" / f"{c.id}.ris", c.how_to_cite.ris)


def _page_wanted(ctx: Context, model: IssueModel, name: str) -> bool:
    if name == "concept-index":
        return "concepts" in ctx.results
    if name == "crossref-map":
        return "crossrefs" in ctx.results
    if name == "citation-report":
        return "citations" in ctx.results
    if name == "bibliography":
        return len(model.bibliography) > 0
    return True


def _nav(ctx: Context, model: IssueModel) -> list[dict[str, str]]:
    labels = [("index", "Contents"), ("abstracts", "Abstracts"), ("concept-index", "Index"),
              ("bibliography", "Bibliography"), ("crossref-map", "Cross-references"),
              ("citation-report", "Citation report"), ("checks", "Checks")]
    return [{"name": n, "href": f"{n}.html", "label": label} for n, label in labels if _page_wanted(ctx, model, n)]
