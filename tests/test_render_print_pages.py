"""The print pages flow back into the website: `issue build --paginate` (even with `--format html`) typesets the
issue and writes build/pages.toml; the website's contents give each contribution's print pages (the manifest's,
else this build's typeset ones, else those of the last --paginate in build/pages.toml); the website's index gives,
for each locator, the page of the PDF its occurrence was typeset on, read back from the PDF's text; and the same
inputs give the same bytes."""
from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from democopy import copy_demo

from conftest import REPO

pypdf = pytest.importorskip("pypdf")
lxml_html = pytest.importorskip("lxml.html")



def _build(root: Path, *args: str) -> int:
    from issue.cli import run

    return run(["-C", str(root), "build", "-q", *args])


def _norm(text: str) -> str:
    """Letters and digits only, lower case: line breaks, hyphenation and typographic quotes do not matter."""
    text = text.replace("\u00ad", "").replace("’", "'")
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _contents(root: Path) -> dict[str, str | None]:
    """The website's contents: contribution page -> the pages it shows (None when it shows none)."""
    tree = lxml_html.parse(str(root / "build" / "html" / "index.html"))
    out: dict[str, str | None] = {}
    for li in tree.xpath("//section[contains(@class, 'contents')]//ol[@class='toc']/li"):
        href = li.xpath("./a/@href")[0]
        pages = li.xpath("./span[contains(@class, 'toc-pages')]/text()")
        out[href] = pages[0].strip() if pages else None
    return out


def _shown(proposed: str) -> str:
    """How the website shows a range of build/pages.toml ("41-46" -> "41–46", "7-7" -> "7")."""
    first, _, last = proposed.partition("-")
    return first if not last or last == first else f"{first}–{last}"


def _manifest_pages(root: Path) -> dict[str, str | None]:
    data = tomllib.loads((root / "issue.toml").read_text(encoding="utf-8"))
    return {c["id"]: c.get("pages") for c in data["contributions"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo issue, built as a website only but paginated: --paginate brings the PDF step in."""
    root = copy_demo(tmp_path_factory.mktemp("print-pages"))
    assert _build(root, "--format", "html", "--paginate") in (0, 1), "the demo keeps planted mistakes but builds"
    return root


@pytest.fixture(scope="module")
def book(demo):
    return pypdf.PdfReader(str(demo / "build" / "pdf" / "issue.pdf"))


@pytest.fixture(scope="module")
def texts(book):
    return [p.extract_text() or "" for p in book.pages]


@pytest.fixture(scope="module")
def demo_ctx(demo):
    from issue.pipeline import Context, run_checks
    from issue.project import load_issue

    issue, _ = load_issue(demo)
    ctx = Context(issue=issue)
    run_checks(ctx)
    return ctx


@pytest.fixture(scope="module")
def index_page(demo):
    return lxml_html.parse(str(demo / "build" / "html" / "concept-index.html"))


# -- --paginate ------------------------------------------------------------------------------------------------
def test_paginate_with_html_only_typesets_the_issue_and_writes_pages_toml(demo, book, texts):
    pages = tomllib.loads((demo / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    manifest = _manifest_pages(demo)
    assert list(pages) == list(manifest), "a proposed range for every contribution, in the issue's order"
    data = tomllib.loads((demo / "issue.toml").read_text(encoding="utf-8"))
    titles = {c["id"]: c["title"] for c in data["contributions"]}
    for cid, proposed in pages.items():
        first, _, last = proposed.partition("-")
        at = book.page_labels.index(first)
        assert int(first) <= int(last or first)
        assert _norm(titles[cid])[:30] in _norm(texts[at]), f"{cid}'s title is not on p. {first} of the PDF"


# -- the contents ------------------------------------------------------------------------------------------------
def test_contents_show_the_typeset_pages_where_the_manifest_has_none(demo, book, texts):
    manifest = _manifest_pages(demo)
    proposed = tomllib.loads((demo / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    shown = _contents(demo)
    without = [cid for cid, p in manifest.items() if not p]
    assert without, "the demo gives no pages for some contributions (the introduction, Mulloy)"
    for cid, pages in manifest.items():
        href = f"{cid}.html"
        if pages:
            assert shown[href] == _shown(pages), "the manifest's pages win, printed with an en dash like the rest"
        else:
            assert shown[href] == _shown(proposed[cid]), f"{cid}: the pages this build typeset"
    article = lxml_html.parse(str(demo / "build" / "html" / f"{without[-1]}.html"))
    kind = article.xpath("//header[@class='article']/p[@class='kind']/text()")[0]
    assert kind.endswith(f"pp. {_shown(proposed[without[-1]])}"), "the article's page gives its print pages too"


def test_website_contents_and_pdf_open_each_paper_on_the_same_page(demo, book, texts):
    """The demo's issue.toml gives the published pages (Cook 35-53, ...): the PDF numbers its pages so that each
    paper opens on the page the website's contents give, and the PDF's own contents say so too."""
    data = tomllib.loads((demo / "issue.toml").read_text(encoding="utf-8"))
    shown = _contents(demo)
    contents_at = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    printed = _norm(texts[contents_at])
    for c in data["contributions"]:
        first = re.split(r"[–-]", shown[f"{c['id']}.html"])[0]
        if c.get("pages"):
            assert first == c["pages"].split("-")[0], "the manifest's pages on the website"
        at = book.page_labels.index(first)
        assert _norm(c["title"])[:30] in _norm(texts[at]), f"{c['id']}: the website says p. {first}"
        m = re.search(re.escape(_norm(c["title"])) + r"(\d+)", printed)
        assert m and m.group(1) == first, f"{c['id']}: the PDF's contents give p. {m and m.group(1)}"


# -- the index -------------------------------------------------------------------------------------------------
def _print_locators(index_page):
    """(contribution page, anchor, page label, entry heading) of every print-page locator of the website's index."""
    out = []
    for a in index_page.xpath("//ul[@class='index']//a[contains(@class, 'print-page')]"):
        page, _, anchor = a.get("href").partition("#")
        li = a.xpath("ancestor::li[1]")[0]
        out.append((page, anchor, a.text_content().strip(), li))
    return out


def test_index_gives_the_page_each_occurrence_was_typeset_on(demo, book, texts, demo_ctx, index_page):
    from issue.render.context import default_anchor

    occurrences = {default_anchor(rec, n): rec for n, rec in enumerate(demo_ctx.results["concepts"].records)}
    locators = _print_locators(index_page)
    assert len(locators) > 100, "the demo's index has hundreds of locators"
    assert "printed issue" in index_page.xpath("string(//p[@class='index-help'])")
    labels = book.page_labels
    pages_of_site: dict[str, set[str]] = {}
    for page, anchor, label, _ in locators:
        rec = occurrences[anchor]
        assert page == f"{rec.contribution}.html", "each page number still links to its occurrence"
        ids = pages_of_site.setdefault(page, set(lxml_html.parse(str(demo / "build" / "html" / page))
                                                 .xpath("//@id")))
        assert anchor in ids, f"{page}#{anchor} does not exist"
        at = labels.index(label)
        here, following = _norm(texts[at]), _norm(texts[at + 1]) if at + 1 < len(texts) else ""
        surface = _norm(rec.surface)
        # on the page, or starting there and running over the page break (footnotes between)
        assert surface in here or any(surface[:k] in here and surface[k:] in following[:120]
                                      for k in range(3, len(surface))), \
            f"index: {rec.surface!r} ({anchor}) given as p. {label}, where it does not occur"


def test_index_page_numbers_are_those_of_the_printed_index(index_page, texts):
    """Each main entry's pages in the website are among the pages the PDF's own index gives for it."""
    index_at = max(i for i, t in enumerate(texts) if re.match(r"\s*Index\s*\n", t))  # the heading, not a running head
    printed = re.sub(r"–\s+", "–", "\n".join(texts[index_at:]).replace("\u00ad", "-"))  # "42–\n45": a range
    compared = 0
    for li in index_page.xpath("//ul[@class='index']/li"):
        heading = li.xpath("string(./span[@class='heading'])")
        site = {a.text_content() for a in li.xpath("./span[@class='locators']/a[contains(@class, 'print-page')]")}
        if not site:
            continue
        m = re.search(r"(?:^|\n)" + re.escape(heading).replace(r"\ ", r"\s+")
                      + r",\s+((?:\d+(?:–\d+)?)(?:,\s+\d+(?:–\d+)?)*)", printed)
        if not m:
            continue  # a heading that pypdf reads apart
        numbers: set[str] = set()
        for part in re.split(r",\s+", m.group(1)):
            first, _, last = part.partition("–")
            numbers |= {str(n) for n in range(int(first), int(last or first) + 1)}
        assert site <= numbers, f"{heading}: the website gives pp. {sorted(site - numbers)}, the PDF's index does not"
        compared += 1
    assert compared > 30


def test_index_lists_each_page_once_per_contribution(index_page):
    for span in index_page.xpath("//span[@class='locators']"):
        pages = [a.text_content() for a in span.xpath("./a[contains(@class, 'print-page')]")]
        assert len(pages) == len(set(pages)), span.text_content()
        assert [int(p) for p in pages] == sorted(int(p) for p in pages), span.text_content()


# -- without a PDF in the build ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def html_only(tmp_path_factory, demo):
    """Another copy of the demo, with the build cache of the first (so that its builds are warm)."""
    root = copy_demo(tmp_path_factory.mktemp("html-only"))
    shutil.copytree(demo / "build" / ".cache", root / "build" / ".cache")
    return root


def test_without_a_pdf_the_website_uses_the_last_pages_toml(html_only, demo):
    root = html_only
    manifest = _manifest_pages(root)
    without = [cid for cid, p in manifest.items() if not p]
    with_pages = next(cid for cid, p in manifest.items() if p)
    proposal = {cid: f"{201 + 20 * i}-{210 + 20 * i}" for i, cid in enumerate(manifest)}  # an earlier pagination
    (root / "build" / "pages.toml").write_text(
        "# written by `issue build --paginate`\n\n[pages]\n" + "".join(f'{k} = "{v}"\n' for k, v in proposal.items()),
        encoding="utf-8")

    assert _build(root, "--format", "html") in (0, 1)
    shown = _contents(root)
    for cid in without:
        assert shown[f"{cid}.html"] == _shown(proposal[cid])
    assert shown[f"{with_pages}.html"] == _shown(manifest[with_pages]), "the manifest's pages still win"
    index = lxml_html.parse(str(root / "build" / "html" / "concept-index.html"))
    assert not index.xpath("//a[contains(@class, 'print-page')]"), \
        "no index pages without this build's PDF: an earlier PDF's may no longer match the text"
    assert not (root / "build" / "pdf").exists()

    assert _build(root, "--format", "html") in (0, 1)
    assert _contents(root) == shown, "build/pages.toml is kept until the next --paginate"

    assert _build(root, "--format", "html,pdf") in (0, 1)
    typeset = _contents(root)
    demo_pages = tomllib.loads((demo / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    for cid in without:
        assert typeset[f"{cid}.html"] == _shown(demo_pages[cid]), "this build's typeset pages beat an old pages.toml"
    assert tomllib.loads((root / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"] == proposal, \
        "without --paginate, build/pages.toml stays the last proposal"
    index = lxml_html.parse(str(root / "build" / "html" / "concept-index.html"))
    assert len(index.xpath("//a[contains(@class, 'print-page')]")) > 100


def test_without_any_print_pages_the_contents_give_the_manifests(make_issue):
    root = make_issue({"papers/paper.md": "# Introduction\n\nSome text about peacekeeping.\n"})
    assert _build(root, "--format", "html") in (0, 1)
    assert _contents(root) == {"paper.html": None}


# -- determinism -----------------------------------------------------------------------------------------------
def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(folder).parts}


def test_the_same_inputs_give_the_same_bytes(tmp_path, demo):
    (tmp_path / "again").mkdir()
    root = copy_demo(tmp_path / "again")
    assert _build(root, "--format", "html", "--paginate") in (0, 1)
    first = _tree(demo / "build")
    assert _tree(root / "build") == first, "a cold build elsewhere gives the same bytes"
    assert _build(root, "--format", "html", "--paginate") in (0, 1)
    assert _tree(root / "build") == first, "a warm build (the PDF from the cache) gives the same bytes"


def test_see_and_see_also_link_to_the_entry_they_name(index_page):
    ids = set(index_page.xpath("//ul[@class='index']/li/@id"))
    links = index_page.xpath("//ul[@class='index']/li//a[starts-with(@href, '#ix-')]")
    assert links, "the demo index has see and see-also references"
    for a in links:
        assert a.get("href")[1:] in ids, f"'{a.text_content()}' links to an entry that is not on the page"
    see_also = index_page.xpath("//span[@class='see-also']")
    assert see_also and all(span.xpath(".//a") for span in see_also), "every see-also target is in the index"
