"""What the print and publisher formats share: each manuscript's pandoc AST with its citations rendered, its ids
unique across the issue, and nothing raw left in it.

The website's preparation (html.prepare: markup citations resolved, prose citations and cross-references linked,
index anchors placed, the author's typed reference list replaced, unsafe content removed, template expressions
expanded) is reused as it is. Then, per contribution:

1. the template expressions the website expanded into HTML are read back into the AST (pandoc's HTML reader), so
   that "{{ contributions.hirono.title }}" prints in the PDF and the EPUB too;
2. pandoc --citeproc renders the citations and the reference list in the issue's CSL style (JSON to JSON, cached
   by content), and the Cite elements become plain spans (a writer must not cite a second time);
3. every id is prefixed with the contribution id ("cook.ref-keohane1984"), and internal links follow, because
   pandoc's --id-prefix does not reach Typst labels and the same heading or reference id occurs in several
   papers; a link to an id that exists nowhere becomes plain text (Typst refuses to compile a dangling link).

The result is memoised on the Context, so that the PDF, EPUB and DOCX writers of one build prepare only once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from ..pipeline import Context, pandoc_timeout
from . import csl, html, rules as R, splice, templates
from .context import ContributionView, IssueModel, build_model

PRINT_VERSION = "print-1"  # part of every cache key: bump when the preparation changes
WORKERS = 2
ATTR_AT = splice.ATTR_AT  # where each element keeps its Attr (id, classes, key-values)
ANCHOR_CLASS = "index-anchor"


@dataclass
class PrintSource:
    contribution: ContributionView
    ast: dict[str, Any]  # citations rendered, ids prefixed, nothing raw
    items: list[dict[str, Any]]  # the CSL items it cites
    ids: dict[str, str] = field(default_factory=dict)  # the manuscript's id -> the id in the issue
    key: str = ""  # content hash of the preparation (for the writers' own caches)
    cited: dict[str, Any] | None = None  # before citeproc: Cite elements and "#ref-KEY" links, ids as written (JATS)

    def anchor(self, old: str) -> str | None:
        """The issue-wide id of an index anchor (or any id) of this manuscript."""
        return self.ids.get(old)


@dataclass
class PrintIssue:
    model: IssueModel
    style: csl.Style
    style_hash: str
    items: dict[str, dict[str, Any]]
    sources: list[PrintSource]
    diagnostics: list[Diagnostic]

    def source(self, cid: str) -> PrintSource | None:
        return next((s for s in self.sources if s.contribution.id == cid), None)


# -- cache -----------------------------------------------------------------------------------------------------
def cache_read(ctx: Context, kind: str, name: str) -> bytes | None:
    if ctx.cache_dir is None:
        return None
    try:
        return (ctx.cache_dir / "print" / kind / name).read_bytes()
    except OSError:
        return None


def cache_write(ctx: Context, kind: str, name: str, data: bytes) -> None:
    if ctx.cache_dir is None:
        return
    folder = ctx.cache_dir / "print" / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.{id(data)}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    except OSError:
        pass  # a cache that cannot be written only costs time


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def stamp_of(ctx: Context) -> str:
    """The modification date written into EPUB and DOCX metadata: SOURCE_DATE_EPOCH when set, else 1 January of
    the issue's year, so that the same inputs give the same bytes. (pandoc under --sandbox stamps 1970-01-01.)"""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.strip().isdigit():
        when = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    else:
        year = ctx.issue.year if isinstance(ctx.issue.year, int) and 1 <= ctx.issue.year <= 9999 else 1980
        when = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """A copy of a zip container (EPUB, DOCX) with some entries changed: every entry keeps its order, date and
    compression (the uncompressed EPUB mimetype stays first)."""
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info)), compress_type=info.compress_type)
    return out.getvalue()


def run_pandoc(ctx: Context, ast: dict[str, Any], args: list[str], items: list[dict[str, Any]] | None = None,
               files: dict[str, bytes] | None = None, output: str | None = None) -> bytes:
    """pandoc reading the JSON AST; `items` become --bibliography (CSL-JSON), `files` are written beside it and
    may be named in `args` as {name} (e.g. a template). With `output` (a file name such as "issue.epub"), pandoc
    writes that file and its bytes are returned. Everything lives in a temporary folder."""
    body = json.dumps(ast, ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="issue-print-") as tmp:
        extra: list[str] = []
        if items is not None:
            refs = Path(tmp) / "references.json"
            refs.write_text(json.dumps(items, sort_keys=True, ensure_ascii=False), encoding="utf-8")
            extra += ["--bibliography", str(refs)]
        names: dict[str, str] = {}
        for name, data in (files or {}).items():
            (Path(tmp) / name).write_bytes(data)
            names[name] = str(Path(tmp) / name)
        for name, path in names.items():
            args = [a.replace("{" + name + "}", path) for a in args]
        if output:
            extra += ["-o", str(Path(tmp) / output)]
        out = pandoc.run(["-f", "json", *args, *extra], input=body, timeout=pandoc_timeout(ctx), cwd=tmp)
        return (Path(tmp) / output).read_bytes() if output else out


# -- AST walking -----------------------------------------------------------------------------------------------
def walk(node: Any, fn: Callable[[dict[str, Any]], None]) -> None:
    """Call fn on every element (dict with "t") of the tree, parents before children."""
    if isinstance(node, list):
        for x in node:
            walk(x, fn)
    elif isinstance(node, dict):
        if "t" in node:
            fn(node)
        for key in ("c", "blocks"):
            if key in node and isinstance(node[key], (list, dict)):
                walk(node[key], fn)


def attr_of(node: dict[str, Any]) -> list | None:
    at = ATTR_AT.get(node.get("t", ""))
    if at is None:
        return None
    c = node.get("c")
    attr = c[at] if isinstance(c, list) and len(c) > at else None
    return attr if isinstance(attr, list) and len(attr) == 3 else None


def replace_inlines(ast: dict[str, Any], fn: Callable[[dict[str, Any]], list | None]) -> None:
    """Replace elements in every list of elements: fn returns the replacement list, or None to keep it."""

    def visit(items: list) -> None:
        i = 0
        while i < len(items):
            new = fn(items[i])
            if new is None:
                i += 1
                continue
            items[i:i + 1] = new
            i += len(new)

    splice.walk_inlines(ast.get("blocks", []), visit)


def span(classes: list[str], inlines: list) -> dict[str, Any]:
    return {"t": "Span", "c": [["", classes, []], inlines]}


# -- 1. template expressions, back from HTML -------------------------------------------------------------------
def _html_fragments_to_ast(ctx: Context, ast: dict[str, Any]) -> None:
    """The website expanded template expressions into HTML (RawInline/RawBlock "html", made by our autoescaped
    templates after the author's own raw content was removed); read them back into AST elements in one pandoc run."""
    found: list[tuple[list, int, dict]] = []

    def collect(items: list) -> None:
        for i, node in enumerate(items):
            if node.get("t") in ("RawInline", "RawBlock") and node["c"][0] == "html":
                found.append((items, i, node))

    splice.walk_inlines(ast.get("blocks", []), collect)
    if not found:
        return
    page = "".join(f'<div id="issue-fragment-{n}">{node["c"][1]}</div>' for n, (_, _, node) in enumerate(found))
    try:
        out = json.loads(pandoc.run(["-f", "html", "-t", "json"], input=page.encode("utf-8"), timeout=pandoc_timeout(ctx)))
    except (pandoc.PandocError, ValueError):
        out = {"blocks": []}
    parsed: dict[str, list] = {}
    for block in out.get("blocks", []):
        if block.get("t") == "Div" and block["c"][0][0].startswith("issue-fragment-"):
            parsed[block["c"][0][0]] = block["c"][1]
    for n, (items, i, node) in reversed(list(enumerate(found))):
        blocks = parsed.get(f"issue-fragment-{n}", [])
        if node["t"] == "RawBlock":
            items[i:i + 1] = blocks
            continue
        inlines: list = []
        for b in blocks:
            if b.get("t") in ("Para", "Plain"):
                if inlines:
                    inlines.append({"t": "Space"})
                inlines.extend(b["c"])
        items[i:i + 1] = inlines


# -- 2. citations ----------------------------------------------------------------------------------------------
REFS_PLACEHOLDER = "issue-refs"  # the class of the empty Div html._restructure leaves where the reference list goes


def _is_refs_place(node: dict[str, Any]) -> bool:
    return node.get("t") == "Div" and (REFS_PLACEHOLDER in node["c"][0][1] or node["c"][0][0] == "refs")


def cited_keys(ast: dict[str, Any]) -> list[str]:
    """Every key the contribution cites: its Cite elements and its prose citations (carried in `nocite`)."""
    keys: list[str] = []

    def visit(node: dict[str, Any]) -> None:
        if node.get("t") == "Cite":
            for citation in node["c"][0]:
                if citation["citationId"] not in keys:
                    keys.append(citation["citationId"])

    walk(ast.get("blocks", []), visit)
    walk(ast.get("meta", {}).get("nocite", {}), visit)
    return keys


def with_refs_div(ast: dict[str, Any]) -> dict[str, Any]:
    """The placeholder made pandoc's #refs Div (where citeproc, and the JATS writer, put the reference list)."""
    def visit(items: list) -> None:
        for node in items:
            if isinstance(node, dict) and _is_refs_place(node):
                node["c"][0] = ["refs", [], []]

    splice.walk_inlines(ast.get("blocks", []), visit)
    return ast


def _is_note_style(style: csl.Style) -> bool:
    """Note styles track first and later citations ("ibid."), so each contribution needs its own citeproc run."""
    head = style.path.read_bytes()[:4000].decode("utf-8", "replace")
    return bool(re.search(r'<style[^>]*\bclass="note"', head))


def _citeproc_json(ctx: Context, ast: dict[str, Any], items: list[dict[str, Any]], style: csl.Style,
                   style_hash: str) -> dict[str, Any]:
    body = json.dumps(ast, sort_keys=True, ensure_ascii=False)
    refs = json.dumps(items, sort_keys=True, ensure_ascii=False)
    key = digest(PRINT_VERSION, "citeproc", pandoc.identity(), style_hash, body, refs)
    cached = cache_read(ctx, "citeproc", key + ".json")
    if cached is None:
        cached = run_pandoc(ctx, ast, ["-t", "json", "--citeproc", "--csl", str(style.path)], items=items)
        cache_write(ctx, "citeproc", key + ".json", cached)
    return json.loads(cached)


def _citeproc_each(ctx: Context, prepared: list[html.Prepared], style: csl.Style,
                   style_hash: str) -> dict[str, dict[str, Any]]:
    def one(p: html.Prepared) -> tuple[str, dict[str, Any]]:
        return p.contribution.id, _citeproc_json(ctx, with_refs_div(splice.copy_ast(p.ast)), p.items, style,
                                                 style_hash)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(pool.map(one, prepared))


def _citeproc_issue(ctx: Context, prepared: list[html.Prepared], style: csl.Style,
                    style_hash: str) -> dict[str, dict[str, Any]]:
    """Every contribution's citations in one citeproc run (parsing the CSL style is most of pandoc's time; the
    issue's citations are disambiguated alike), then each contribution gets the entries it cites, in the
    style's order, where its reference list goes."""
    blocks = [{"t": "Div", "c": [[f"issue-contribution-{p.contribution.id}", [], []], p.ast["blocks"]]}
              for p in prepared]
    blocks.append({"t": "Div", "c": [["refs", [], []], []]})
    nocite: list[str] = []
    items: dict[str, dict[str, Any]] = {}
    for p in prepared:
        for k in cited_keys({"blocks": [], "meta": p.ast.get("meta", {})}):
            if k not in nocite:
                nocite.append(k)
        for item in p.items:
            items.setdefault(str(item["id"]), item)
    meta = {**prepared[0].ast.get("meta", {}), "nocite": _nocite(nocite)}
    ast = {"pandoc-api-version": prepared[0].ast.get("pandoc-api-version", [1, 23, 1]), "meta": meta, "blocks": blocks}
    result = _citeproc_json(ctx, ast, [items[k] for k in sorted(items)], style, style_hash)
    parts: dict[str, list] = {}
    entries: list[dict[str, Any]] = []
    refs_attr: list = ["refs", [], []]
    for node in result.get("blocks", []):
        ident = node["c"][0][0] if node.get("t") == "Div" else ""
        if ident.startswith("issue-contribution-"):
            parts[ident[len("issue-contribution-"):]] = node["c"][1]
        elif ident == "refs":
            entries = [e for e in node["c"][1] if e.get("t") == "Div"]
            refs_attr = node["c"][0]
    out: dict[str, dict[str, Any]] = {}
    for p in prepared:
        mine = set(cited_keys(p.ast))
        refs = {"t": "Div", "c": [["refs", list(refs_attr[1]) if entries else [], []],
                                  splice.copy_ast([e for e in entries if e["c"][0][0][4:] in mine])]}
        body = [refs if isinstance(b, dict) and _is_refs_place(b) else b for b in parts.get(p.contribution.id, [])]
        out[p.contribution.id] = {"pandoc-api-version": result.get("pandoc-api-version"), "meta": {}, "blocks": body}
    return out


def _nocite(keys: list[str]) -> dict[str, Any]:
    cites = [{"citationId": k, "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": "NormalCitation"},
              "citationNoteNum": 0, "citationHash": 0} for k in keys]
    return {"t": "MetaInlines", "c": [{"t": "Cite", "c": [cites, [{"t": "Str", "c": "nocite"}]]}] if cites else []}


def _uncite(ast: dict[str, Any]) -> None:
    """Cite elements, once citeproc has rendered them, become spans of their text."""
    replace_inlines(ast, lambda n: [span(["citation"], n["c"][1])] if n.get("t") == "Cite" else None)


# -- 3. ids ----------------------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def article_id(cid: str) -> str:
    """The id of a contribution's opening (its title): the contribution id, made an XML name when it starts with
    a digit. Cross-references between contributions link to it."""
    return cid if cid[:1].isalpha() else "c" + cid


def safe_id(cid: str, old: str) -> str:
    """The issue-wide id of a manuscript's id: "<contribution>.<id>". Contribution ids have no ".", so the ids of
    two contributions never meet; the characters suit every format (Typst labels, XML ids, EPUB fragments)."""
    return f"{article_id(cid)}.{_UNSAFE.sub('-', old).strip('-') or 'x'}"


def _prefix_ids(ast: dict[str, Any], cid: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()

    def visit(node: dict[str, Any]) -> None:
        attr = attr_of(node)
        if attr is None or not attr[0]:
            return
        new = base = safe_id(cid, attr[0])
        n = 1
        while new in used:
            n += 1
            new = f"{base}-{n}"
        used.add(new)
        ids.setdefault(attr[0], new)
        attr[0] = new

    walk(ast.get("blocks", []), visit)
    return ids


def _fix_links(source: PrintSource, contributions: set[str]) -> None:
    """Internal links follow the renamed ids; links to another contribution ("#hirono") stay; a link to an id
    that exists nowhere becomes its text."""

    def fix(node: dict[str, Any]) -> list | None:
        if node.get("t") != "Link":
            return None
        target = node["c"][2][0] or ""
        if not target.startswith("#"):
            return None
        frag = target[1:]
        if frag in contributions and "crossref" in node["c"][0][1]:
            return None  # "Jones and Jalkebro (this issue)": the introduction, not this paper's "Introduction"
        if frag in source.ids:
            node["c"][2][0] = "#" + source.ids[frag]
            return None
        if frag in contributions:
            return None
        return [span(["dangling-link"], node["c"][1])]

    replace_inlines(source.ast, fix)


# -- the whole issue -------------------------------------------------------------------------------------------
def prepare(ctx: Context) -> PrintIssue:
    """Every contribution ready for the print writers (memoised on the Context)."""
    cached = getattr(ctx, "_issue_print", None)
    if isinstance(cached, PrintIssue):
        return cached
    diags: list[Diagnostic] = []
    style, found = csl.resolve(ctx.issue)
    diags += found
    style_hash = hashlib.sha256(style.path.read_bytes()).hexdigest()
    items = html.csl_items(ctx)
    model = build_model(ctx, style_title=style.title, page_of=lambda cid: "#" + article_id(cid))
    env = templates.environment(ctx.root, "html", cache_dir=ctx.cache_dir)
    prepared = []
    for c in model.contributions:
        if c.id not in ctx.documents:
            continue
        p = html.prepare(ctx, c, model, items, env, style_hash)
        _html_fragments_to_ast(ctx, p.ast)
        diags.extend(p.diagnostics)
        prepared.append(p)

    try:
        if not prepared:
            rendered: dict[str, dict[str, Any]] = {}
        elif _is_note_style(style):
            rendered = _citeproc_each(ctx, prepared, style, style_hash)
        else:
            rendered = _citeproc_issue(ctx, prepared, style, style_hash)
    except (pandoc.PandocError, ValueError) as exc:
        diags.append(make(R.WRITER_ERROR.code, f"pandoc could not render the citations for print: {exc}",
                          Location("issue.toml")))
        rendered = {}
    sources: list[PrintSource] = []
    for p in prepared:
        ast = rendered.get(p.contribution.id)
        if ast is None:
            continue
        _uncite(ast)
        splice.sanitise(ast)
        ids = _prefix_ids(ast, p.contribution.id)
        sources.append(PrintSource(p.contribution, ast, p.items, ids, digest(PRINT_VERSION, p.key),
                                   with_refs_div(splice.copy_ast(p.ast))))
    contributions = {article_id(c.id) for c in model.contributions}
    for s in sources:
        _fix_links(s, contributions)
    result = PrintIssue(model, style, style_hash, items, sources, diags)
    ctx._issue_print = result  # type: ignore[attr-defined]
    return result


def diagnostics_once(ctx: Context, issue: PrintIssue) -> list[Diagnostic]:
    """The preparation's findings, for the first print writer of a build that asks (not once per format)."""
    if getattr(ctx, "_issue_print_reported", False):
        return []
    ctx._issue_print_reported = True  # type: ignore[attr-defined]
    return list(issue.diagnostics)


# -- helpers for writers of one contribution per file (DOCX, JATS) ----------------------------------------------
def standalone_links(ast: dict[str, Any], model: IssueModel, base_url: str | None, page: Callable[[str], str]) -> None:
    """In a file that holds one contribution, a link to another contribution points to its DOI, else to its page
    on the issue's website ([build] base_url), else becomes plain text."""

    def fix(node: dict[str, Any]) -> list | None:
        if node.get("t") != "Link":
            return None
        target = node["c"][2][0] or ""
        if not target.startswith("#"):
            return None
        c = next((c for c in model.contributions if article_id(c.id) == target[1:]), None)
        if c is None:
            return None
        if c.doi_url:
            node["c"][2][0] = c.doi_url
        elif base_url:
            node["c"][2][0] = base_url.rstrip("/") + "/" + page(c.id)
        else:
            return [span(["crossref"], node["c"][1])]
        return None

    replace_inlines(ast, fix)


def drop_anchors(ast: dict[str, Any]) -> None:
    """Index anchors (empty spans with ids) are of no use where there is no index."""
    replace_inlines(ast, lambda n: [] if n.get("t") == "Span" and ANCHOR_CLASS in n["c"][0][1] and not n["c"][1]
                    else None)


def base_url(ctx: Context) -> str | None:
    value = (ctx.issue.build or {}).get("base_url") or ctx.issue.url
    return str(value).rstrip("/") if value else None


# -- a contribution's opening, as AST blocks (EPUB, DOCX) -------------------------------------------------------
def inlines(text: str | None) -> list[dict[str, Any]]:
    """Plain text as pandoc inlines (words and spaces): pandoc escapes it for every format."""
    out: list[dict[str, Any]] = []
    for word in (text or "").split():
        if out:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def opening_blocks(c: ContributionView, level: int = 1) -> list[dict[str, Any]]:
    """Title, authors, affiliations, abstract and keywords of a contribution, from the manifest."""
    blocks: list[dict[str, Any]] = [{"t": "Header", "c": [level, [article_id(c.id), ["article-title"], []],
                                                          inlines(c.title)]}]
    if c.subtitle:
        blocks.append({"t": "Para", "c": [{"t": "Emph", "c": inlines(c.subtitle)}]})
    if c.authors:
        names: list[dict[str, Any]] = []
        for i, a in enumerate(c.authors):
            if i:
                names += [{"t": "Str", "c": ","}, {"t": "Space"}] if i < len(c.authors) - 1 else \
                    [{"t": "Space"}, {"t": "Str", "c": "and"}, {"t": "Space"}]
            names += inlines(a.name)
            if a.affiliation_mark and len(c.affiliations) > 1:
                names.append({"t": "Superscript", "c": [{"t": "Str", "c": str(a.affiliation_mark)}]})
        blocks.append({"t": "Div", "c": [["", ["authors"], []], [{"t": "Para", "c": names}]]})
    if c.affiliations:
        paras = []
        for i, aff in enumerate(c.affiliations):
            mark = [{"t": "Superscript", "c": [{"t": "Str", "c": str(i + 1)}]}] if len(c.affiliations) > 1 else []
            paras.append({"t": "Para", "c": mark + inlines(aff)})
        blocks.append({"t": "Div", "c": [["", ["affiliations"], []], paras]})
    if c.abstract:
        blocks.append({"t": "Div", "c": [["", ["abstract"], []], [
            {"t": "Para", "c": [{"t": "Strong", "c": inlines("Abstract")}]},
            {"t": "Para", "c": inlines(c.abstract)}]]})
    if c.keywords:
        blocks.append({"t": "Div", "c": [["", ["keywords"], []], [
            {"t": "Para", "c": [{"t": "Strong", "c": inlines("Keywords:")}, {"t": "Space"},
                                *inlines("; ".join(c.keywords))]}]]})
    return blocks


def shift_headings(blocks: list[dict[str, Any]], by: int) -> None:
    def visit(node: dict[str, Any]) -> None:
        if node.get("t") == "Header":
            node["c"][0] = min(6, node["c"][0] + by)

    walk(blocks, visit)


def meta_inlines(text: str | None) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": inlines(text)}


def meta_list(values: list[Any]) -> dict[str, Any]:
    return {"t": "MetaList", "c": values}
