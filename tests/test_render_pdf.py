"""The issue as a book (build/pdf/), read back from the PDF: the contents give the pages the titles stand on, the
index locators point to pages where the terms occur, roman front matter and arabic body, offprints numbered as in
the issue, build/pages.toml from --paginate, nothing raw from a manuscript or the manifest reaching Typst, and the
same bytes from the same inputs."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from democopy import copy_demo

from conftest import REPO

pypdf = pytest.importorskip("pypdf")



def _norm(text: str) -> str:
    """Letters and digits only, lower case: line breaks, hyphenation and typographic quotes do not matter."""
    text = text.replace("\u00ad", "").replace("’", "'")
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _build(root: Path, *args: str) -> int:
    from issue.cli import run

    return run(["-C", str(root), "build", "-q", *args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The repository's demo issue, copied and built once (PDF, paginated)."""
    root = tmp_path_factory.mktemp("demo")
    copy_demo(root)
    code = _build(root, "--format", "pdf", "--paginate")
    assert code in (0, 1), "the demo keeps planted mistakes (exit 1) but must build"
    assert (root / "build" / "pdf" / "issue.pdf").is_file()
    return root


@pytest.fixture(scope="module")
def book(demo):
    return pypdf.PdfReader(str(demo / "build" / "pdf" / "issue.pdf"))


@pytest.fixture(scope="module")
def demo_ctx(demo):
    from issue.pipeline import Context, run_checks
    from issue.project import load_issue

    issue, _ = load_issue(demo)
    ctx = Context(issue=issue)
    run_checks(ctx)
    return ctx


def _page_texts(reader) -> list[str]:
    return [p.extract_text() or "" for p in reader.pages]


def _physical(reader, label: str) -> int:
    return reader.page_labels.index(label)


def test_front_matter_is_roman_and_the_body_arabic(book, demo_ctx):
    labels = book.page_labels
    first_article = demo_ctx.issue.contributions[0]
    texts = _page_texts(book)
    opening = next(i for i, x in enumerate(labels) if x.isdigit())
    assert labels[:5] == ["i", "ii", "iii", "iv", "v"]
    assert all(re.fullmatch(r"[ivxlc]+", x) for x in labels[:opening])
    assert _norm(first_article.title) in _norm(texts[opening])
    assert opening % 2 == 0, "the first contribution opens on a right-hand page (odd physical page)"
    assert all(x.isdigit() for x in labels[opening:])


def _manifest_first_pages(demo_ctx) -> dict[str, int]:
    return {c.id: int(str(c.pages).split("-")[0]) for c in demo_ctx.issue.contributions if c.pages}


def test_arabic_pages_follow_the_manifest(book, demo_ctx):
    """issue.toml gives the published pages of four papers (Cook's from 35) and none for the introduction and
    Mulloy: each paper with pages opens on the page the manifest gives; the introduction runs on into Cook's
    first page; Mulloy opens after the last page the manifest gives to Jones; no number is printed twice."""
    labels, texts = book.page_labels, _page_texts(book)
    given = _manifest_first_pages(demo_ctx)
    assert given["cook"] == 35
    contributions = demo_ctx.issue.contributions
    for c in contributions:
        if c.id in given:
            at = _physical(book, str(given[c.id]))
            assert _norm(c.title) in _norm(texts[at]), f"{c.id}: its title is not on p. {given[c.id]}"
            assert at % 2 == 0, f"{c.id} opens on a right-hand page"
    body = next(i for i, x in enumerate(labels) if x.isdigit())
    cook = _physical(book, "35")
    assert [int(x) for x in labels[body:cook + 1]] == list(range(35 - (cook - body), 36)), \
        "the introduction's pages run on into Cook's first page"
    assert _norm(contributions[0].title) in _norm(texts[body]) and int(labels[body]) < 35
    jones_last = int(next(str(c.pages) for c in contributions if c.id == "jones").split("-")[1])
    mulloy = next(i for i, t in enumerate(texts) if _norm("Japan, Asian, and global broader peace") in _norm(t)
                  and i > cook)
    assert int(labels[mulloy]) > jones_last and int(labels[mulloy]) % 2 == 1
    numbers = [int(x) for x in labels[body:]]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers)), "no page number twice"


def test_cross_references_carry_the_typeset_page_range(demo, book, demo_ctx):
    """"Newby (this issue, 72–77)": the range printed after a cross-reference is the pages the paper stands on in
    this PDF: its title on the first, its running heads on every page to the last, and nothing of it after."""
    import tomllib

    labels, texts = book.page_labels, _page_texts(book)
    text = " ".join("\n".join(texts).replace("\u00ad", "").split())
    names = {"Jones and Jalkebro": "introduction", "Cook and Yogendran": "cook", "Hirono": "hirono",
             "Newby": "newby", "Jones": "jones", "Mulloy": "mulloy"}
    found: dict[str, set[tuple[int, int]]] = {}
    for m in re.finditer(r"(Jones and Jalkebro|Cook and Yogendran|Hirono|Newby|Jones|Mulloy),? \(?this issue, "
                         r"(\d+)(?:–(\d+))?", text):
        found.setdefault(names[m.group(1)], set()).add((int(m.group(2)), int(m.group(3) or m.group(2))))
    assert set(found) == set(names.values()), f"every paper is referred to with its pages: {sorted(found)}"
    assert sum(len(v) for v in found.values()) == len(found), "one range per paper, wherever it is cited"
    typeset = tomllib.loads((demo / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    by_id = {c.id: c for c in demo_ctx.issue.contributions}
    for cid, ranges in found.items():
        (first, last), = ranges
        assert f"{first}-{last}" == typeset[cid]
        c = by_id[cid]
        start, end = _physical(book, str(first)), _physical(book, str(last))
        assert _norm(c.title) in _norm(texts[start]), f"{cid}: its title is not on p. {first}"
        heads = (_norm(c.short_title or c.title), _norm(c.author_names))
        for at in range(start + 1, end + 1):
            head = _norm(" ".join(texts[at].splitlines()[:2]))
            assert any(h[:25] in head for h in heads), f"{cid}: p. {labels[at]} is not one of its pages"
        if end + 1 < len(texts):
            after = _norm(" ".join(texts[end + 1].splitlines()[:2]))
            assert not any(h[:25] in after for h in heads), f"{cid} runs on past p. {last}"


def test_each_title_stands_on_the_page_the_contents_give(book, demo_ctx):
    texts = _page_texts(book)
    contents_at = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    contents = _norm(texts[contents_at])
    checked = 0
    for c in demo_ctx.issue.contributions:
        # the title, then the page number the contents print for it (titles may break over lines)
        m = re.search(re.escape(_norm(c.title)) + r"(\d+)", contents)
        assert m, f"{c.id}: its title is not in the contents"
        page = _physical(book, m.group(1))
        assert _norm(c.title) in _norm(texts[page]), f"{c.id}: the contents say p. {m.group(1)}"
        assert page % 2 == 0, f"{c.id} opens on a right-hand page"
        checked += 1
    assert checked == len(demo_ctx.issue.contributions)


def test_each_index_locator_points_to_a_page_where_the_term_occurs(book, demo_ctx):
    texts = _page_texts(book)
    index_at = max(i for i, t in enumerate(texts) if re.match(r"\s*Index\s*\n", t))  # the heading, not a running head
    index_text = "\n".join(texts[index_at:]).replace("\u00ad", "-")
    index = demo_ctx.results["concepts"].extra["index"]
    surfaces: dict[str, set[str]] = {}
    for o in demo_ctx.results["concepts"].records:
        surfaces.setdefault(o.concept, set()).add(_norm(o.surface))
    found = checked_pages = 0
    mains = [e for e in index.entries if e.kind == "main" and e.locators]
    for e in mains:
        m = re.search(r"(?:^|\n)" + re.escape(e.label).replace(r"\ ", r"\s+") + r",\s+((?:\d+(?:–\d+)?)(?:,\s+\d+(?:–\d+)?)*)",
                      index_text)
        if not m:
            continue
        found += 1
        for part in re.split(r",\s+", m.group(1)):
            first, _, last = part.partition("–")
            for number in range(int(first), int(last or first) + 1):
                at = _physical(book, str(number))
                page, following = _norm(texts[at]), _norm(texts[at + 1]) if at + 1 < len(texts) else ""
                # the term is on the page, or starts there and runs over the page break (notes between)
                assert any(s in page or any(s[:k] in page and s[k:] in following[:120] for k in range(3, len(s)))
                           for s in surfaces[e.concept]), \
                    f"index: {e.label} at p. {number}, where none of {sorted(surfaces[e.concept])[:3]} occurs"
                checked_pages += 1
    assert found >= 0.8 * len(mains), f"only {found} of {len(mains)} index entries were found in the PDF text"
    assert checked_pages > 50


def test_index_locators_are_deduplicated_and_collapsed(book):
    texts = _page_texts(book)
    index_at = max(i for i, t in enumerate(texts) if re.match(r"\s*Index\s*\n", t))  # the heading, not a running head
    text = " ".join("\n".join(texts[index_at:]).split())
    assert "–" in text, "consecutive pages become ranges"
    for m in re.finditer(r"((?:\d+(?:–\d+)?, )+\d+(?:–\d+)?)", text):
        numbers = [int(x) for x in re.findall(r"\d+", m.group(1))]
        assert numbers == sorted(numbers) and len(numbers) == len(set(numbers)), m.group(1)
        singles = [p for p in m.group(1).split(", ") if "–" not in p]
        assert all(int(b) != int(a) + 1 for a, b in zip(singles, singles[1:])), f"not collapsed: {m.group(1)}"


def test_offprints_have_the_issue_page_numbers(demo, book, demo_ctx):
    import tomllib

    pages = tomllib.loads((demo / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    assert list(pages) == [c.id for c in demo_ctx.issue.contributions]
    for c in demo_ctx.issue.contributions:
        first, last = (int(x) for x in pages[c.id].split("-"))
        offprint = pypdf.PdfReader(str(demo / "build" / "pdf" / f"{c.id}.pdf"))
        assert offprint.page_labels == [str(n) for n in range(first, last + 1)]
        assert _norm(c.title) in _norm(offprint.pages[0].extract_text())
        assert offprint.pages[0].extract_text() == book.pages[_physical(book, str(first))].extract_text()


def test_running_heads_and_footnotes(book, demo_ctx):
    texts = _page_texts(book)
    import tomllib

    cook = next(c for c in demo_ctx.issue.contributions if c.id == "cook")
    pages = tomllib.loads((demo_ctx.root / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    opening = _physical(book, pages["cook"].split("-")[0])
    assert _norm(cook.title) in _norm(texts[opening])
    verso, recto = texts[opening + 1], texts[opening + 2]
    assert _norm("Alistair D. B. Cook and Sangeetha Yogendran") in _norm(verso.splitlines()[0] + verso.splitlines()[1])
    assert _norm(cook.short_title) in _norm(" ".join(recto.splitlines()[:2]))
    assert _norm(cook.short_title) not in _norm(texts[opening].splitlines()[0]), "no running head on the opening page"
    assert re.search(r"(?m)^1\s*The UN Humanitarian", "\n".join(texts[opening:opening + 3])), "numbered footnotes"


def test_previews_for_the_readme(demo):
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed (Debian poppler-utils)")
    for name in ("title", "article"):
        png = demo / "build" / "pdf" / f"preview-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


SMALL = """\
[issue]
title = "Risky #title *with* <label> @ref $x$ [b] \\\\ _u_ // not a comment"
journal = "Journal of Tests"
volume = "3"
number = "2"
year = 2021
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "one"
file = "papers/one.md"
title = "First = not a heading #let x = 1"
short_title = "First"
authors = [{ name = "Ann Author", affiliation = "Uni A", orcid = "0000-0002-1825-0097" }]

[[contributions]]
id = "two"
file = "papers/two.md"
title = "Second paper"
authors = [{ name = "Bea Writer" }]

[build]
first_page = 35
"""

BIB = """\
@book{keohane1984,
  author = {Keohane, Robert O.},
  title = {After Hegemony},
  publisher = {Princeton University Press},
  year = {1984},
}
"""

PAPER = """\
# Introduction

Cooperation persists [@keohane1984, 12].[^n] See [the conclusion](#conclusion) and [nowhere](#missing).

```{=typst}
#panic("raw typst from a manuscript")
```

`#read("/etc/passwd")` and `\\input{/etc/passwd}`{=latex} and <script>alert(1)</script>.

[^n]: A note.

# Conclusion

The end.
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    (root / "issue.toml").write_text(SMALL, encoding="utf-8")
    (root / "bibliography").mkdir()
    (root / "bibliography" / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "papers").mkdir()
    (root / "papers" / "one.md").write_text(PAPER, encoding="utf-8")
    (root / "papers" / "two.md").write_text(PAPER.replace("Cooperation", "Discord"), encoding="utf-8")
    assert _build(root, "--format", "pdf") in (0, 1)
    return root


def test_same_ids_in_two_papers_and_raw_code_never_reach_typst(small):
    """Both papers have #introduction, #conclusion and ref-keohane1984 (labels would repeat: Typst refuses to
    resolve them); raw Typst and LaTeX are dropped; the manifest's Typst specials print as written."""
    reader = pypdf.PdfReader(str(small / "build" / "pdf" / "issue.pdf"))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "raw typst from a manuscript" not in text
    assert "/etc/passwd" in text  # as code text, not read
    assert "root:x:0" not in text
    assert _norm("Risky #title *with* <label> @ref $x$ [b]") in _norm(text)
    assert "#title" in text.replace("\u00ad", "-") and "<label>" in text
    assert _norm("First = not a heading #let x = 1") in _norm(text)
    assert text.count("Keohane, Robert O. 1984") == 2, "each paper has its own reference list"


def test_first_page_from_the_manifest(small):
    reader = pypdf.PdfReader(str(small / "build" / "pdf" / "issue.pdf"))
    labels = reader.page_labels
    opening = next(i for i, x in enumerate(labels) if x.isdigit())
    assert labels[opening] == "35"
    assert _norm("First = not a heading") in _norm(reader.pages[opening].extract_text())
    one = pypdf.PdfReader(str(small / "build" / "pdf" / "one.pdf"))
    assert one.page_labels[0] == "35"


def test_same_inputs_same_bytes(small, tmp_path, monkeypatch):
    monkeypatch.setenv("ISSUE_NO_CACHE", "1")
    first = (small / "build" / "pdf" / "issue.pdf").read_bytes()
    first_offprint = (small / "build" / "pdf" / "two.pdf").read_bytes()
    assert _build(small, "--format", "pdf") in (0, 1)
    assert (small / "build" / "pdf" / "issue.pdf").read_bytes() == first
    assert (small / "build" / "pdf" / "two.pdf").read_bytes() == first_offprint


def test_a_broken_template_is_a_located_diagnostic(small, capsys):
    (small / "templates" / "typst").mkdir(parents=True, exist_ok=True)
    (small / "templates" / "typst" / "imprint.typ").write_text("{{ issue.titel }}\n", encoding="utf-8")
    try:
        code = _build(small, "--format", "pdf")
        err = capsys.readouterr().err
    finally:
        shutil.rmtree(small / "templates")
    assert code == 1
    assert "templates/typst/imprint.typ:1" in err and "T101" in err


def test_typst_escaping():
    from issue.render import typst_text

    assert typst_text.escape("a #b *c* _d_ <e> @f $g$ [h] = - + / ~ \\ `") == \
        "a \\#b \\*c\\* \\_d\\_ \\<e\\> \\@f \\$g\\$ \\[h\\] \\= \\- \\+ \\/ \\~ \\\\ \\`"
    assert typst_text.escape("two\nlines") == "two lines"
    assert typst_text.string('say "hi" \\') == '"say \\"hi\\" \\\\"'
    assert typst_text.finalize(typst_text.TypstCode("#strong[x]")) == "#strong[x]"
    assert typst_text.finalize("#strong[x]") == "\\#strong\\[x\\]"
    with pytest.raises(ValueError):
        typst_text.label("a> #panic(")


def _views(*specs):
    from types import SimpleNamespace

    out = []
    for cid, pages in specs:
        first, _, last = (pages or "").partition("-")
        out.append(SimpleNamespace(id=cid, first_page=first or None, last_page=last or first or None))
    return out


def test_numbering_plan_from_the_manifest():
    from issue.render.pdf import numbering

    # no pages anywhere: from 1, or from [build] first_page
    assert numbering(_views(("a", None), ("b", None)), None).start == 1
    assert numbering(_views(("a", None), ("b", None)), 7).start == 7
    # the first contribution has pages: the body starts there
    plan = numbering(_views(("a", "35-53"), ("b", "54-71"), ("c", None)), None)
    assert (plan.start, plan.back_from) == (35, None)
    assert plan.openings == {"a": 35, "b": 54}
    assert plan.floors == {"c": 73}, "after p. 71, on a right-hand (odd) page"
    # an introduction without pages before them: counted back from the first paper with pages
    plan = numbering(_views(("intro", None), ("a", "35-53"), ("b", "54-70"), ("c", None)), None)
    assert (plan.start, plan.back_from) == (None, ("a", 35))
    assert plan.floors == {"c": 71}
    # [build] first_page wins for the start; pages that are not whole numbers are not used
    plan = numbering(_views(("intro", None), ("a", "e12-e20"), ("b", "35-40")), 3)
    assert (plan.start, plan.back_from, plan.openings) == (3, None, {"b": 35})


def _para(*inlines):
    return {"pandoc-api-version": [1, 23], "meta": {}, "blocks": [{"t": "Para", "c": list(inlines)}]}


def _words(text):
    out = []
    for i, w in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if w:
            out.append({"t": "Str", "c": w})
    return out


def _xref(target, text):
    return {"t": "Link", "c": [["", ["crossref"], []], _words(text), ["#" + target, ""]]}


def _raw(ast):
    return [n["c"][1] for n in json_walk(ast["blocks"]) if n.get("t") == "RawInline"]


def json_walk(node):
    if isinstance(node, dict):
        yield node
        yield from json_walk(node.get("c"))
    elif isinstance(node, list):
        for x in node:
            yield from json_walk(x)


def test_page_ranges_follow_the_marker_of_a_cross_reference():
    from issue.render.pdf import add_page_ranges

    parts = {"jones": "jones", "c2cook": "2cook", "newby": "newby"}
    # "Newby (this issue)." -> after "issue", before ")."
    ast = _para(*_words("As "), _xref("newby", "Newby"), *_words(" (this issue). Next"))
    add_page_ranges(ast, parts)
    inl = ast["blocks"][0]["c"]
    at = next(i for i, n in enumerate(inl) if n.get("t") == "RawInline")
    assert inl[at - 1] == {"t": "Str", "c": "issue"} and inl[at + 1] == {"t": "Str", "c": ")."}
    assert inl[at]["c"][1] == ', #issue-page-range(<newby>, "newby");'
    # the whole "Jones, this volume" is the link: inside it, at its end
    ast = _para(_xref("jones", "(Jones, this volume)"))
    add_page_ranges(ast, parts)
    assert _raw(ast) == [', #issue-page-range(<jones>, "jones");']
    assert ast["blocks"][0]["c"][0]["c"][1][-1] == {"t": "Str", "c": ")"}
    # two papers, one marker: both ranges in the order named
    ast = _para(*_words("the papers by "), _xref("c2cook", "Cook"), *_words(" and "), _xref("newby", "Newby"),
                *_words(" in this special issue show"))
    add_page_ranges(ast, parts)
    assert _raw(ast) == [', #issue-page-range(<c2cook>, "2cook");, #issue-page-range(<newby>, "newby");']
    # no marker: "in Newby's paper" is left as written; nor does a marker in a later sentence count
    for words in ("'s paper shows that this issue", ". Later in this issue", " writes on this issue"):
        ast = _para(_xref("newby", "Newby"), *_words(words))
        add_page_ranges(ast, parts)
        assert _raw(ast) == [], words
    # a link to something that is not a contribution is no cross-reference
    ast = _para({"t": "Link", "c": [["", [], []], _words("Jones"), ["#jones", ""]]}, *_words(" (this issue)"))
    add_page_ranges(ast, parts)
    assert _raw(ast) == []


def test_pages_that_differ_from_the_manifest_are_reported(demo, capsys):
    """The demo's manuscripts are shorter than the published papers: each paper opens on its published first page
    but ends earlier, and the build says so (T106, at the line of `pages`), also when the PDF comes from the cache."""
    import tomllib

    from issue.cli import run

    typeset = tomllib.loads((demo / "build" / "pages.toml").read_text(encoding="utf-8"))["pages"]
    lines = (demo / "issue.toml").read_text(encoding="utf-8").splitlines()
    capsys.readouterr()
    assert run(["-C", str(demo), "build", "--format", "pdf"]) in (0, 1)
    out = capsys.readouterr()
    text = out.out + out.err
    reported = re.findall(r"issue\.toml:(\d+):1: info\[T106 typeset-pages-differ\]: (\w+) is typeset on pp\. "
                          r"(\d+)–(\d+), but issue\.toml gives pages = \"([\d-]+)\"", text)
    assert {cid for _, cid, *_ in reported} == {"cook", "hirono", "newby", "jones"}
    for line, cid, first, last, given in reported:
        assert typeset[cid] == f"{first}-{last}" and given.split("-")[0] == first != given
        assert lines[int(line) - 1].strip() == f'pages = "{given}"'
