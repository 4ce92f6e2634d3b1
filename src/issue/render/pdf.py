"""build/pdf/: the issue as one book typeset with Typst, and an offprint of each contribution.

A straight line: prepare every manuscript for print (print_prep: citations rendered in the issue's style, ids
unique across the issue); mark the index occurrences with Typst labels and let pandoc write each body in Typst;
render the book from the Jinja2 templates in templates/typst/ (front matter in roman pages, the contributions in
arabic, each opening on a right-hand page, then the index); compile it once with the `typst` package. Page numbers
in the contents, the abstracts and the index are resolved by Typst itself (labels, `counter(page).at`, `query`),
so they are the typeset ones. A query of the compiled document says where each part begins and ends: the
offprints are cut from the book with pypdf (so their pages are numbered as in the issue), and with
`issue build --paginate` each contribution's page range is written to build/pages.toml. The same query gives the
page of every index occurrence: both are left on the Context (`ctx.pagination`) for the writers that run after
this one, so that the website's contents and index show the print pages of this very build.

The arabic pages agree with issue.toml: a contribution with `pages` opens on the first page given there, the
contributions before the first such one run on into it (Typst counts them back), and one without `pages` opens after
the last page the manifest gives the one before it (`numbering`); where the typeset pages differ from the manifest's,
the build says so (T106). A cross-reference between contributions carries the pages the cited one is typeset on
("Jones, this issue, 89–95"; `add_page_ranges`), resolved by Typst in the same layout that fills the contents.

Whatever a manuscript contains, no raw Typst reaches the compiler (print_prep drops raw elements; pandoc escapes
text), the manifest's text is escaped by the templates (typst_text), and the compiler's root is an empty folder,
so a document cannot read any file.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pandoc
from ..diagnostics.core import Diagnostic, make
from ..model import Location
from ..pipeline import Context
from . import pages as pages_file, print_prep, rules as R, templates, typst_text
from .print_prep import PrintIssue, PrintSource, article_id, digest

PDF_VERSION = "pdf-3"  # part of every cache key: bump when the Typst conversion changes
DEFAULT_WIDTH, DEFAULT_HEIGHT = "156mm", "234mm"  # Royal octavo, a common journal and monograph format
_LENGTH = re.compile(r"^\d{2,4}(?:\.\d+)?(?:mm|cm|in|pt)$")


@dataclass
class Article:
    """What article.typ receives for one contribution besides the contribution itself."""

    contribution: Any
    body: typst_text.TypstCode


@dataclass
class Part:
    """Where one part of the typeset book lies: physical pages (from 1) and the page labels printed on them."""

    id: str
    first: int
    last: int
    first_label: str
    last_label: str

    @property
    def label_range(self) -> str:
        return self.first_label if self.first_label == self.last_label else f"{self.first_label}-{self.last_label}"


# -- bodies ----------------------------------------------------------------------------------------------------
def _link_targets(sources: list[PrintSource]) -> set[str]:
    targets: set[str] = set()

    def visit(node: dict[str, Any]) -> None:
        if node.get("t") == "Link" and (node["c"][2][0] or "").startswith("#"):
            targets.add(node["c"][2][0][1:])

    for s in sources:
        print_prep.walk(s.ast.get("blocks", []), visit)
    return targets


def _metadata(ident: str) -> dict[str, Any]:
    return {"t": "RawInline", "c": ["typst", f"#metadata(none){typst_text.label(ident)}"]}


LABELLED = ("Header", "Div", "Table", "Figure")  # elements pandoc's Typst writer gives a label of their own


# "Jones, this issue" / "Newby (this issue)" / "Cook and Jones in this volume": the words after which print adds
# the page range of the papers named.
_MARKER = re.compile(r"\bthis\s+(?:special\s+)?(?:issue|volume|collection)$", re.I)
# what may stand between the last name and the marker: "Newby (this issue", "Jones, this issue", "Cook and
# Yogendran in this volume"; not "Newby's paper shows that this issue"
_GAP = re.compile(r"[\s,;:(]*(?:(?:in|and|et|al\.?|[A-Z][\w’'.-]*)[\s,;:(]+)*this\s+(?:special\s+)?"
                  r"(?:issue|volume|collection)")
_WORD_END = re.compile(r"^(.*?[A-Za-z])([^A-Za-z]*)$", re.S)
_LOOKAHEAD = 16  # inlines after a cross-reference within which its marker phrase must follow


def _plain(node: Any) -> str:
    if isinstance(node, dict):
        if node.get("t") == "Str":
            return node["c"]
        if node.get("t") in ("Space", "SoftBreak", "LineBreak"):
            return " "
        return _plain(node.get("c"))
    if isinstance(node, list):
        return "".join(_plain(x) for x in node)
    return ""


def _crossref_target(node: Any, parts: dict[str, str]) -> str | None:
    if isinstance(node, dict) and node.get("t") == "Link" and "crossref" in node["c"][0][1]:
        target = (node["c"][2][0] or "")[1:]
        return parts.get(target) and target
    return None


def _page_ranges(targets: list[str], parts: dict[str, str]) -> dict[str, Any]:
    """`, 71–88` (Typst finds the pages): one range per paper, in the order they are named."""
    calls = [f"#issue-page-range({typst_text.label(t)}, {typst_text.string(parts[t])});" for t in targets]
    return {"t": "RawInline", "c": ["typst", ", " + ", ".join(calls)]}


def _split_at(word: re.Match, inserted: dict[str, Any]) -> list[dict[str, Any]]:
    """"issue)." -> "issue", the inserted element, ")."."""
    tail = [{"t": "Str", "c": word.group(2)}] if word.group(2) else []
    return [{"t": "Str", "c": word.group(1)}, inserted, *tail]


def add_page_ranges(ast: dict[str, Any], parts: dict[str, str]) -> None:
    """After the marker phrase of a cross-reference ("this issue"), the page range of each paper it names, as
    typeset ("Jones, this issue, 71–88"). References without a marker ("in Newby's paper") are left as written.
    `parts`: the label of each contribution's opening -> its id."""

    def inlines(items: list) -> None:
        i = 0
        while i < len(items):
            first = _crossref_target(items[i], parts)
            if first is None:
                i += 1
                continue
            targets = [first]
            inner = items[i]["c"][1]
            last = next((k for k in range(len(inner) - 1, -1, -1) if inner[k].get("t") == "Str"), None)
            m = _WORD_END.match(inner[last]["c"]) if last is not None else None
            if m and _MARKER.search(_plain(inner[:last]) + m.group(1)):  # the link is "Jones (this issue)" itself
                inner[last:last + 1] = _split_at(m, _page_ranges(targets, parts))
                i += 1
                continue
            j, gap = i + 1, ""  # gap: the text since the last name
            while j < len(items) and j <= i + _LOOKAHEAD:
                node = items[j]
                other = _crossref_target(node, parts)
                if other is not None:
                    if other not in targets:
                        targets.append(other)
                    gap = ""
                    j += 1
                    continue
                if not isinstance(node, dict) or node.get("t") not in ("Str", "Space", "SoftBreak"):
                    break
                word = _plain(node)
                m = _WORD_END.match(word) if node.get("t") == "Str" else None
                if m and _GAP.fullmatch(gap + m.group(1)):
                    items[j:j + 1] = _split_at(m, _page_ranges(targets, parts))
                    j += 2
                    break
                if m and re.search(r"[.;!?]", m.group(2)):
                    break  # the sentence or clause ended without a marker
                gap += word
                j += 1
            i = max(j, i + 1)

    def visit(node: Any) -> None:
        if isinstance(node, list):
            if node and all(isinstance(x, dict) and "t" in x for x in node):
                inlines(node)
            for x in node:
                visit(x)
        elif isinstance(node, dict):
            visit(node.get("c"))

    visit(ast.get("blocks", []))


def _typst_ast(source: PrintSource, targets: set[str], articles: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    """The AST as Typst should see it: an index anchor becomes an invisible `metadata` element with its label (a
    label in Typst markup would attach to the whole preceding text run, possibly on an earlier page); a span that a
    link points to gets such a marker too; every other id is dropped, so that no label is ever defined twice; a
    link whose target has no label becomes its text (Typst refuses to compile a dangling link); a cross-reference
    to another contribution gets its page range (add_page_ranges); the reference list is wrapped in
    `issue-references` (hanging indents). Returns the AST and the anchor labels placed."""
    ast = print_prep.splice.copy_ast(source.ast)
    placed: set[str] = set()
    kept: set[str] = set()

    def spans(node: dict[str, Any]) -> list | None:
        if node.get("t") != "Span":
            return None
        attr = node["c"][0]
        ident = attr[0]
        if not ident:
            return None
        attr[0] = ""
        if print_prep.ANCHOR_CLASS in attr[1] and not node["c"][1]:
            placed.add(ident)
            return [_metadata(ident)]
        if ident in targets:
            kept.add(ident)
            return [_metadata(ident), node]
        return None

    print_prep.replace_inlines(ast, spans)

    def others(node: dict[str, Any]) -> None:
        attr = print_prep.attr_of(node)
        if attr is None or not attr[0]:
            return
        if attr[0] in targets and node.get("t") in LABELLED:
            kept.add(attr[0])
        else:
            attr[0] = ""

    print_prep.walk(ast.get("blocks", []), others)
    known = kept | placed | set(articles)

    def links(node: dict[str, Any]) -> list | None:
        if node.get("t") == "Link" and (node["c"][2][0] or "").startswith("#") and node["c"][2][0][1:] not in known:
            return [print_prep.span([], node["c"][1])]
        return None

    print_prep.replace_inlines(ast, links)

    def references(items: list) -> None:
        for i in range(len(items) - 1, -1, -1):
            node = items[i]
            if isinstance(node, dict) and node.get("t") == "Div" and "references" in node["c"][0][1]:
                items[i:i + 1] = [{"t": "RawBlock", "c": ["typst", "#issue-references["]}, node,
                                  {"t": "RawBlock", "c": ["typst", "]"]}]

    add_page_ranges(ast, articles)
    references(ast.get("blocks", []))
    ast["meta"] = {}
    return ast, placed


def _typst_body(ctx: Context, source: PrintSource, targets: set[str], articles: dict[str, str]) -> tuple[str, set[str]]:
    ast, placed = _typst_ast(source, targets, articles)
    text = json.dumps(ast, sort_keys=True, ensure_ascii=False)
    key = digest(PDF_VERSION, pandoc.identity(), text)
    cached = print_prep.cache_read(ctx, "typst", key + ".typ")
    if cached is not None:
        return cached.decode("utf-8"), placed
    out = print_prep.run_pandoc(ctx, ast, ["-t", "typst", "--wrap=none", "--shift-heading-level-by=1"])
    print_prep.cache_write(ctx, "typst", key + ".typ", out)
    return out.decode("utf-8"), placed


# -- the index -------------------------------------------------------------------------------------------------
@dataclass
class IndexLine:
    label: str
    targets: typst_text.TypstCode | None = None  # a Typst array of labels
    see: str | None = None
    see_also: list[str] | None = None
    subs: list["IndexLine"] | None = None


@dataclass
class IndexGroup:
    letter: str
    entries: list[IndexLine]


def _labels(anchors: list[tuple[str, str]], issue: PrintIssue, placed: set[str]) -> typst_text.TypstCode | None:
    """(contribution id, anchor id) pairs -> a Typst array of the labels placed in the typeset text."""
    out: list[str] = []
    for cid, anchor in anchors:
        source = issue.source(cid)
        ident = source.anchor(anchor) if source else None
        if ident and ident in placed and ident not in out:
            out.append(ident)
    if not out:
        return None
    return typst_text.TypstCode("(" + "".join(f"{typst_text.label(i)}, " for i in out) + ")")


def _locator_anchors(locators: list[Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for loc in locators:
        cid = getattr(loc, "contribution", None)
        cid = getattr(cid, "id", cid)
        for a in getattr(loc, "anchors", None) or [getattr(loc, "anchor", None)]:
            if cid and a:
                pairs.append((str(cid), str(a)))
    return pairs


def index_groups(ctx: Context, issue: PrintIssue, placed: set[str]) -> list[IndexGroup]:
    """The concept index (the concept analysis's Index: sub-entries, see, see also, double-posted acronyms) with
    each locator turned into the labels of its occurrences; Typst finds their pages."""
    extra = getattr(ctx.results.get("concepts"), "extra", None) or {}
    index = extra.get("index")
    groups: list[IndexGroup] = []
    if index is not None and hasattr(index, "groups"):
        for letter, entries in index.groups():
            lines: list[IndexLine] = []
            for e in entries:
                if e.kind == "see":
                    lines.append(IndexLine(e.label, see=e.see))
                    continue
                subs = []
                for s in e.subs:
                    t = _labels(_locator_anchors(s.locators), issue, placed)
                    if t is not None:
                        subs.append(IndexLine(s.heading, targets=t))
                targets = _labels(_locator_anchors(e.locators), issue, placed)
                if targets is None and not subs:
                    continue
                lines.append(IndexLine(e.label, targets=targets, see_also=list(e.see_also), subs=subs))
            if lines:
                groups.append(IndexGroup("Symbols and numerals" if letter == "#" else letter, lines))
        return groups
    for letter in issue.model.index:  # without the concept analysis's index: the model's flat one
        lines = []
        for e in letter.entries:
            targets = _labels(_locator_anchors(e.locators), issue, placed)
            if targets is not None or e.see:
                lines.append(IndexLine(e.heading, targets=targets, see="; ".join(e.see) or None,
                                       see_also=list(e.see_also), subs=[]))
        if lines:
            groups.append(IndexGroup(letter.letter, lines))
    return groups


# -- the book --------------------------------------------------------------------------------------------------
def typst_environment(ctx: Context) -> templates.IssueEnvironment:
    env = templates.environment(ctx.root, "typst", cache_dir=ctx.cache_dir, finalize=typst_text.finalize,
                                autoescape=False)
    typst_text.register(env)
    return env


def _whole_pages(first: Any, last: Any) -> tuple[int, int] | None:
    first, last = str(first or "").strip(), str(last or first or "").strip()
    if first.isdigit() and last.isdigit() and 0 < int(first) <= int(last):
        return int(first), int(last)
    return None


def _manifest_pages(contributions: list[Any]) -> dict[str, tuple[int, int]]:
    """contribution id -> (first, last) page from issue.toml's `pages` (the model's first_page and last_page),
    where both are whole numbers."""
    out: dict[str, tuple[int, int]] = {}
    for c in contributions:
        pair = _whole_pages(c.first_page, c.last_page)
        if pair is not None:
            out[c.id] = pair
    return out


@dataclass
class Numbering:
    """How the arabic pages are numbered. `start`: the number of the body's first page, or None when it is counted
    back from `back_from` (a contribution the manifest gives pages to: the contributions before it run on into
    its first page). `openings`: contribution id -> the number its opening page must carry (the manifest's first
    page); `floors`: contribution id -> the lowest number it may open on (after the pages the manifest gives the
    contribution before it), so that no number is printed twice."""

    start: int | None
    back_from: tuple[str, int] | None
    openings: dict[str, int]
    floors: dict[str, int]


def numbering(contributions: list[Any], first_page: int | None) -> Numbering:
    """The arabic numbering that makes the PDF agree with issue.toml: each contribution with `pages` opens on its
    first page there; the body starts at [build] first_page when given, else so that the contributions before the
    first one with pages run on into it, else at 1."""
    given = _manifest_pages(contributions)
    openings = {cid: first for cid, (first, _) in given.items()}
    floors: dict[str, int] = {}
    reserved = 0  # the last page the manifest gives to a contribution before this one
    for c in contributions:
        if c.id in given:
            reserved = given[c.id][1]
        elif reserved:
            floors[c.id] = reserved + 1 if reserved % 2 == 0 else reserved + 2  # odd, as a right-hand page
    if first_page is not None or not given:
        return Numbering(first_page or 1, None, openings, floors)
    anchor = next(c.id for c in contributions if c.id in given)
    if anchor == contributions[0].id:
        return Numbering(given[anchor][0], None, openings, floors)
    return Numbering(None, (anchor, given[anchor][0]), openings, floors)


def _settings(ctx: Context, contributions: list[Any]) -> tuple[dict[str, Any], list[Diagnostic]]:
    build = ctx.issue.build or {}
    diags: list[Diagnostic] = []
    first = build.get("first_page")
    if first is not None and (not isinstance(first, int) or isinstance(first, bool) or first < 1):
        diags.append(make(R.WRITER_ERROR.code, f"[build] first_page must be a whole number from 1, not {first!r}; "
                                               "numbering from the manifest's pages", Location("issue.toml"),
                          excerpt=str(first)))
        first = None
    size = {}
    for key, default in (("page_width", DEFAULT_WIDTH), ("page_height", DEFAULT_HEIGHT)):
        value = str(build.get(key, default))
        if not _LENGTH.match(value):
            diags.append(make(R.WRITER_ERROR.code, f"[build] {key} must be a length such as \"{default}\", not "
                                                   f"{value!r}; using {default}", Location("issue.toml"),
                              excerpt=value))
            value = default
        size[key] = typst_text.TypstCode(value)
    lang, _, region = (ctx.issue.language or "en").partition("-")
    plan = numbering(contributions, first)
    back_from = None
    if plan.back_from is not None:
        cid, number = plan.back_from
        back_from = {"label": typst_text.label(article_id(cid)), "number": number}
    return {"first_page": plan.start, "back_from": back_from, "openings": plan.openings, "floors": plan.floors,
            "width": size["page_width"], "height": size["page_height"],
            "lang": lang.lower() or "en", "region": region.upper() or None}, diags


def typst_source(ctx: Context, issue: PrintIssue) -> tuple[str, list[Diagnostic], set[str]]:
    """The whole book as Typst source (front matter, bodies, index), its findings and the labels of the index
    anchors placed in it."""
    diags: list[Diagnostic] = []
    targets = _link_targets(issue.sources)
    articles = {article_id(c.id): c.id for c in issue.model.contributions}  # opening label -> contribution
    bodies: dict[str, str] = {}
    placed: set[str] = set()
    for s in issue.sources:
        try:
            body, anchors = _typst_body(ctx, s, targets, articles)
        except pandoc.PandocError as exc:
            diags.append(make(R.WRITER_ERROR.code, f"pandoc could not write it as Typst: {exc}",
                              Location(s.contribution.file)))
            continue
        bodies[s.contribution.id] = body
        placed |= anchors
    settings, more = _settings(ctx, list(issue.model.contributions))
    diags += more
    model = issue.model
    articles = [Article(c, typst_text.TypstCode(bodies.get(c.id, ""))) for c in model.contributions]
    labels = {c.id: typst_text.label(article_id(c.id)) for c in model.contributions}
    context = {**model.as_context(), "articles": articles, "labels": labels, "print": settings,
               "index_letters": index_groups(ctx, issue, placed)}
    env = typst_environment(ctx)
    return templates.render(env, "issue.typ", context), diags, placed


# Appended to the book, printing nothing: the page label of every labelled `metadata(none)` (the index anchors
# and link targets _typst_ast places), as the index's own locators compute it, for the website's index.
ANCHOR_PAGES = """
#context [#metadata(query(metadata).filter(m => m.value == none and m.has("label")).map(m => {
  let loc = m.location()
  let pattern = loc.page-numbering()
  (str(m.label), if pattern == none { str(loc.page()) } else { numbering(pattern, ..counter(page).at(loc)) })
})) <issue-anchor-pages>]
"""


def compile_book(source: str, timeout: float | None = None) -> tuple[bytes, list[Part], dict[str, str]]:
    """Typeset in a child process that is stopped after `timeout` seconds ([build] typst_timeout): Typst runs
    inside Python, and a template or manuscript that makes it loop must not hold the build."""
    import multiprocessing

    # The folder belongs to this process: a child stopped at the timeout cannot clean up after itself.
    with tempfile.TemporaryDirectory(prefix="issue-typst-") as root:
        if not timeout:
            return _compile_here(source, root)
        pool = multiprocessing.get_context("fork").Pool(1)
        try:
            return pool.apply_async(_compile_here, (source, root)).get(timeout)
        except multiprocessing.TimeoutError:
            raise TimeoutError(f"Typst took longer than {timeout:g} s ([build] typst_timeout)") from None
        finally:
            pool.terminate()
            pool.join()


def _compile_here(source: str, root: str) -> tuple[bytes, list[Part], dict[str, str]]:
    """Compile with Typst (embedded fonts only, so that every machine typesets alike; an empty root folder, so
    that nothing can be read) and ask the result where each part lies and on which page each label stands."""
    import typst

    main = Path(root) / "issue.typ"  # a file, not bytes: the binding's query() cannot find in-memory input
    main.write_text(source + ANCHOR_PAGES, encoding="utf-8")
    compiler = typst.Compiler(str(main), root=root, ignore_system_fonts=True)
    pdf = compiler.compile(format="pdf")
    raw = compiler.query("<issue-pages>", field="value", one=True)
    labels = compiler.query("<issue-anchor-pages>", field="value", one=True)
    parts = [Part(p["id"], p["first"], p["last"], p["first-label"], p["last-label"]) for p in json.loads(raw)]
    return pdf, parts, {str(name): str(page) for name, page in json.loads(labels)}


def _typst_timeout(ctx: Context) -> float:
    try:
        return float((ctx.issue.build or {}).get("typst_timeout", 300))
    except (TypeError, ValueError):
        return 300.0


def _typst_problem(exc: Exception, source: str) -> str:
    """A Typst error in a few words, with the line of the generated source it concerns."""
    message = getattr(exc, "message", None) or str(exc)
    return " ".join(str(message).split())[:400]


# -- offprints -------------------------------------------------------------------------------------------------
def offprint(book: bytes, part: Part, title: str) -> bytes:
    """The pages of one part, cut from the book, numbered as in the book (PDF page labels too)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(book))
    writer = PdfWriter()
    for i in range(part.first - 1, part.last):
        writer.add_page(reader.pages[i])
    if part.first_label.isdigit():
        writer.set_page_label(0, part.last - part.first, style="/D", start=int(part.first_label))
    writer.add_metadata({"/Title": title, "/Producer": "issue (typst, pypdf)"})
    writer._ID = None  # pypdf would otherwise add a random file identifier
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- previews --------------------------------------------------------------------------------------------------
def previews(pdf_path: Path, pages: dict[str, int], out: Path) -> None:
    """PNG images of a few pages (the title page, an article opening) for the README, when poppler's pdftoppm is
    installed; skipped quietly otherwise."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        return
    for name, page in pages.items():
        try:
            subprocess.run([exe, "-f", str(page), "-l", str(page), "-r", "70", "-png", "-singlefile", str(pdf_path),
                            str(out / f"preview-{name}")], check=True, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return


# -- the whole output, cached by its inputs ---------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))  # helper objects: their type, not their address


def _files(folder: Path) -> list[tuple[str, str]]:
    if not folder.is_dir():
        return []
    return [(p.relative_to(folder).as_posix(), digest(p.read_bytes())) for p in sorted(folder.rglob("*")) if p.is_file()]


def inputs_key(ctx: Context) -> str:
    """A hash of everything build/pdf is made from: the manifest, each manuscript, the analyses' records, the
    bibliography, the style, the templates, pandoc, Typst and this package's code. When it is unchanged, the
    previous build/pdf is reused as it is (a warm build typesets nothing)."""
    import hashlib
    import os

    import typst

    from .. import __version__

    h = hashlib.sha256()

    def feed(*parts: Any) -> None:
        for part in parts:
            h.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=_jsonable).encode("utf-8"))
            h.update(b"\0")

    manifest = ctx.issue.manifest_path
    style, _ = print_prep.csl.resolve(ctx.issue)
    code = Path(__file__).resolve().parent
    feed(PDF_VERSION, print_prep.PRINT_VERSION, __version__, typst.__version__, pandoc.identity(),
         os.environ.get("SOURCE_DATE_EPOCH", ""), digest(style.path.read_bytes()),
         digest(manifest.read_bytes()) if manifest.is_file() else repr(ctx.issue.raw),
         _files(code), _files(code.parent / "concepts"))
    feed(sorted((cid, doc.sha256, doc.file) for cid, doc in ctx.documents.items()))
    for name in sorted(ctx.results):
        result = ctx.results[name]
        feed(name, [_jsonable(r) for r in result.records], result.extra)
    feed(print_prep.html.csl_items(ctx))
    feed(_files(ctx.root / templates.USER_FOLDER), _files(templates.PACKAGE_TEMPLATES / "typst"))
    return h.hexdigest()


def _from_bundle(ctx: Context, key: str, folder: Path) -> tuple[list[Part], dict[str, dict[str, str]]] | None:
    if ctx.cache_dir is None:
        return None
    bundle = ctx.cache_dir / "print" / "bundle" / key
    try:
        parts = [Part(**p) for p in json.loads((bundle / "parts.json").read_text(encoding="utf-8"))]
        anchors = json.loads((bundle / "anchors.json").read_text(encoding="utf-8"))
        for f in sorted((bundle / "pdf").iterdir()):
            shutil.copyfile(f, folder / f.name)
    except (OSError, ValueError, TypeError):
        return None
    return parts, anchors


def _to_bundle(ctx: Context, key: str, folder: Path, parts: list[Part], anchors: dict[str, dict[str, str]]) -> None:
    if ctx.cache_dir is None:
        return
    target = ctx.cache_dir / "print" / "bundle" / key
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".bundle-", dir=ctx.cache_dir))
        shutil.copytree(folder, tmp / "pdf")
        (tmp / "parts.json").write_text(json.dumps([p.__dict__ for p in parts]), encoding="utf-8")
        (tmp / "anchors.json").write_text(json.dumps(anchors, sort_keys=True), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(target)
    except OSError:
        pass  # a cache that cannot be written only costs time


def anchor_pages(issue: PrintIssue, labels: dict[str, str], placed: set[str]) -> dict[str, dict[str, str]]:
    """contribution id -> index anchor id (as in the manuscript's AST and the website) -> its page label."""
    out: dict[str, dict[str, str]] = {}
    for s in issue.sources:
        mine = {old: labels[new] for old, new in s.ids.items() if new in placed and new in labels}
        if mine:
            out[s.contribution.id] = dict(sorted(mine.items()))
    return out


def _record(ctx: Context, out: Path, parts: list[Part], model_contributions: list[Any],
            anchors: dict[str, dict[str, str]]) -> None:
    """Pages for the other writers of this build (the website, JATS, Crossref) and, with --paginate,
    build/pages.toml."""
    by_id = {p.id: p for p in parts}
    ctx.pagination = pages_file.Pagination(
        ranges={c.id: (by_id[c.id].first_label, by_id[c.id].last_label) for c in model_contributions
                if c.id in by_id},
        anchors=anchors)
    if (ctx.issue.build or {}).get("paginate"):
        pages_file.write(out / pages_file.NAME, {c.id: by_id[c.id].label_range for c in model_contributions
                                                 if c.id in by_id})


def page_findings(ctx: Context, parts: list[Part]) -> list[Diagnostic]:
    """T106 for each contribution whose typeset pages are not the `pages` issue.toml gives it (informational: the
    manifest's pages are what the website, JATS and Crossref print)."""
    from ..project import MANIFEST, KeyLines

    try:
        lines = KeyLines(ctx.issue.manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, AttributeError):
        lines = KeyLines("")
    by_id = {p.id: p for p in parts}
    out: list[Diagnostic] = []
    for n, c in enumerate(ctx.issue.contributions):
        first, _, last = re.sub(r"\s*(?:--|–|-)\s*", "-", str(c.pages or "").strip()).partition("-")
        given = _whole_pages(first, last)
        part = by_id.get(c.id)
        if given is None or part is None or not (part.first_label.isdigit() and part.last_label.isdigit()):
            continue
        typeset = (int(part.first_label), int(part.last_label))
        if typeset != given:
            shown = "–".join(dict.fromkeys(str(x) for x in typeset))
            out.append(make(R.PAGES_DIFFER.code,
                            f"{c.id} is typeset on pp. {shown}, but issue.toml gives pages = \"{c.pages}\"; the "
                            "website, JATS and Crossref give issue.toml's pages",
                            Location(MANIFEST, line=lines.line("contributions", n, "pages") or 1, column=1),
                            excerpt=str(c.pages),
                            suggestion="if this PDF is the one to publish, run `issue build --paginate` and copy "
                                       "its range from build/pages.toml into issue.toml"))
    return out


# -- the writer ------------------------------------------------------------------------------------------------
def write(ctx: Context, out: Path) -> list[Diagnostic]:
    folder = out / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    key = inputs_key(ctx) if ctx.cache_dir is not None else ""
    if key:
        bundled = _from_bundle(ctx, key, folder)
        if bundled is not None:
            _record(ctx, out, bundled[0], ctx.issue.contributions, bundled[1])
            return page_findings(ctx, bundled[0])
    issue = print_prep.prepare(ctx)
    diags = print_prep.diagnostics_once(ctx, issue)
    try:
        source, more, placed = typst_source(ctx, issue)
    except templates.TemplateProblem as exc:
        return diags + [exc.diagnostic]
    diags += more
    source_key = digest(PDF_VERSION, source)
    cached = print_prep.cache_read(ctx, "pdf", source_key + ".pdf")
    cached_parts = print_prep.cache_read(ctx, "pdf", source_key + ".json")
    if cached is not None and cached_parts is not None:
        layout = json.loads(cached_parts)
        book, parts, labels = cached, [Part(**p) for p in layout["parts"]], layout["labels"]
    else:
        try:
            book, parts, labels = compile_book(source, timeout=_typst_timeout(ctx))
        except Exception as exc:  # typst.TypstError; the build goes on with the other outputs
            (folder / "issue.typ").write_text(source, encoding="utf-8")
            return diags + [make(R.WRITER_ERROR.code, f"Typst could not typeset the issue: {_typst_problem(exc, source)}",
                                 Location("build/pdf/issue.typ"),
                                 suggestion="build/pdf/issue.typ is the source Typst was given; a template of the "
                                            "issue's templates/typst/ may be the cause")]
        print_prep.cache_write(ctx, "pdf", source_key + ".pdf", book)
        print_prep.cache_write(ctx, "pdf", source_key + ".json",
                               json.dumps({"parts": [p.__dict__ for p in parts], "labels": labels},
                                          sort_keys=True).encode())
    (folder / "issue.pdf").write_bytes(book)
    by_id = {p.id: p for p in parts}
    for c in issue.model.contributions:
        part = by_id.get(c.id)
        if part is not None:
            (folder / f"{c.id}.pdf").write_bytes(offprint(book, part, c.title))
    openings = {"title": by_id["title-page"].first} if "title-page" in by_id else {}
    first_article = next((by_id[c.id] for c in issue.model.contributions if c.id in by_id and c.kind != "introduction"),
                         None)
    if first_article is not None:
        openings["article"] = first_article.first
    previews(folder / "issue.pdf", openings, folder)
    anchors = anchor_pages(issue, labels, placed)
    _record(ctx, out, parts, list(issue.model.contributions), anchors)
    if key and not diags:  # with findings, build again next time so that they are reported again
        _to_bundle(ctx, key, folder, parts, anchors)
    return diags + page_findings(ctx, parts)  # these come from the layout: reported from the bundle too
