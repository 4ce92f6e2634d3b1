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

from conftest import REPO

pypdf = pytest.importorskip("pypdf")

DEMO_PARTS = ("issue.toml", "papers", "bibliography", "concepts.toml", "templates")


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
    for name in DEMO_PARTS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.is_file():
            shutil.copy(src, root / name)
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
    assert labels[opening] == "1"
    assert _norm(first_article.title) in _norm(texts[opening])
    assert opening % 2 == 0, "the first contribution opens on a right-hand page (odd physical page)"
    assert all(x.isdigit() for x in labels[opening:])


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
    index_at = max(i for i, t in enumerate(texts) if t.lstrip().startswith("Index"))
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
    index_at = max(i for i, t in enumerate(texts) if t.lstrip().startswith("Index"))
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
