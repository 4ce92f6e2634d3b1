"""The website build: pages from templates, citations linked to their entries, untrusted content made safe,
byte-identical rebuilds."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from democopy import copy_demo

BIB = r"""
@string{pup = "Princeton University Press"}

@book{keohane1984,
  author    = {Keohane, Robert O.},
  title     = {After Hegemony: Cooperation and Discord in the World Political Economy},
  publisher = pup,
  address   = {Princeton},
  year      = {1984},
}

@book{mitrany1966,
  author    = {Mitrany, David},
  title     = {A Working Peace System},
  publisher = {Quadrangle Books},
  address   = {Chicago},
  year      = {1966},
}

@article{martel2017,
  author       = {Martel, St{\'e}phanie},
  title        = {From Ambiguity to Contestation: Discourse(s) of Non-Traditional Security in the {ASEAN} Community},
  journaltitle = {The Pacific Review},
  volume       = {30},
  number       = {4},
  pages        = {549--565},
  date         = {2017},
  doi          = {10.1080/09512748.2016.1264458},
}
"""

MANIFEST = """\
[issue]
title = "Cooperation in a Context of Animosity"
journal = "Journal of Tests"
volume = "74"
number = "1"
year = 2020
publisher = "Routledge"
place = "Abingdon"
language = "en-GB"
style = "australian-journal-of-international-affairs"
bibliography = ["bibliography/*.bib"]

[[editors]]
name = "Catherine Jones"
affiliation = "University of St Andrews"

[[contributions]]
id = "introduction"
file = "papers/introduction.md"
kind = "introduction"
title = "Introduction"
authors = [{ name = "Catherine Jones" }]

[[contributions]]
id = "newby"
file = "papers/newby.md"
title = "ANZUS Cooperation in Disaster Response"
authors = [{ name = "Vanessa Newby" }]
abstract = "Why shared goals have not deepened the alliance's functional cooperation."
keywords = ["ANZUS", "HADR"]
pages = "72-88"
doi = "10.1080/10357718.2019.1693497"
"""

INTRO = """\
# Introduction

Disaster relief is called the low-hanging fruit of cooperation [@martel2017, 556]. Newby (this issue)
asks why functional cooperation has not deepened the alliance [see @mitrany1966; @nosuchkey2001].

# References

Martel, S. 2017. From ambiguity to contestation. *The Pacific Review* 30 (4): 549-565.
"""

NEWBY = """\
# Ships in the night

Functional cooperation was meant to spread [@mitrany1966]. Keohane [-@keohane1984, 51] showed why
cooperation can persist after hegemony.

# References

Keohane, Robert O. 1984. *After Hegemony*. Princeton: Princeton University Press.
"""


@pytest.fixture
def issue_dir(make_issue):
    return make_issue({"bibliography/issue.bib": BIB, "papers/introduction.md": INTRO, "papers/newby.md": NEWBY},
                      manifest=MANIFEST)


def build(cli, root: Path, *extra: str):
    result = cli(["build", "--format", "html", "--quiet", *extra], root)
    assert result.code in (0, 1), result.stderr
    assert (root / "build" / "html" / "index.html").is_file(), result.stderr
    return result


def test_every_page_is_written(cli, issue_dir):
    build(cli, issue_dir)
    html = issue_dir / "build" / "html"
    for name in ("index.html", "abstracts.html", "introduction.html", "newby.html", "bibliography.html",
                 "static/issue.css", "cite/issue.bib", "cite/newby.ris"):
        assert (html / name).is_file(), name
    landing = (html / "index.html").read_text()
    # front matter: title page, imprint, contents with links, how to cite
    assert "Cooperation in a Context of Animosity" in landing
    assert 'href="newby.html"' in landing and "72–88" in landing
    assert "Routledge" in landing and "Edited by" in landing and "Catherine Jones" in landing
    assert "Content-Security-Policy" in landing
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', landing)  # nothing fetched from elsewhere


def test_markup_citations_link_to_their_entries_in_the_issue_style(cli, issue_dir):
    build(cli, issue_dir)
    page = (issue_dir / "build" / "html" / "newby.html").read_text()
    # every citation is a link to an entry that exists on the page
    targets = set(re.findall(r'href="#(ref-[^"]+)"', page))
    assert {"ref-mitrany1966", "ref-keohane1984"} <= targets
    for t in targets:
        assert f'id="{t}"' in page
    # rendered by citeproc in Taylor & Francis Chicago author-date (the parent of the journal's dependent style)
    assert "Mitrany 1966" in page
    assert "Keohane, Robert O. 1984." in page
    # the author's typed reference list is replaced by the generated one: one References heading, generated entries
    assert page.count(">References<") == 1
    assert "Princeton: Princeton University Press" not in page.split('id="refs"')[0]


def test_unresolved_citation_is_marked_visibly(cli, issue_dir):
    build(cli, issue_dir)
    page = (issue_dir / "build" / "html" / "introduction.html").read_text()
    assert 'class="unresolved-citation"' in page
    assert "@nosuchkey2001" in page
    # the resolved one in the same group still renders and links
    assert 'href="#ref-mitrany1966"' in page


def test_crossreference_links_to_the_contribution(cli, issue_dir):
    pytest.importorskip("issue.crossrefs.analysis", reason="the cross-reference analysis is not in this build")
    build(cli, issue_dir)
    page = (issue_dir / "build" / "html" / "introduction.html").read_text()
    assert re.search(r'<a href="newby\.html" class="crossref"[^>]*>Newby[^<]*</a>', page)


def test_raw_html_and_scripts_from_a_manuscript_never_reach_the_page(cli, make_issue):
    evil = """\
# Findings

Ordinary text <script>alert('raw')</script> and <b onclick="steal()">bold</b>.

<div style="background:url(https://tracker.example/x.png)"><iframe src="https://evil.example"></iframe></div>

[click me](javascript:alert(1)) and ![chart](https://tracker.example/pixel.png) and
[a span]{onmouseover="alert(2)" style="color:red"}.

```{=html}
<script src="https://evil.example/x.js"></script>
```
"""
    root = make_issue({"papers/paper.md": evil, "bibliography/refs.bib": BIB})
    build(cli, root)
    page = (root / "build" / "html" / "paper.html").read_text()
    body = page.split('<div class="body">', 1)[1]
    for bad in ("<script", "onclick", "onmouseover", "javascript:", "<iframe", "tracker.example", "evil.example",
                "background:url"):
        assert bad not in body, bad
    assert "Ordinary text" in body and "bold" in body and "click me" in body


def test_builds_are_byte_identical(cli, issue_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1577836800")
    build(cli, issue_dir)
    first = _tree(issue_dir / "build" / "html")
    monkeypatch.setenv("ISSUE_NO_CACHE", "1")  # the second build converts everything again
    build(cli, issue_dir)
    second = _tree(issue_dir / "build" / "html")
    assert first == second
    assert "2020-01-01" in first["index.html"].decode()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_warm_build_reuses_rendered_pages(cli, issue_dir):
    build(cli, issue_dir)
    cache = issue_dir / "build" / ".cache" / "html" / "pages"
    before = sorted(p.name for p in cache.iterdir())
    assert len(before) == 2
    build(cli, issue_dir)
    assert sorted(p.name for p in cache.iterdir()) == before  # nothing changed: nothing converted again
    (issue_dir / "papers" / "newby.md").write_text(NEWBY.replace("spread", "spill over"), encoding="utf-8")
    build(cli, issue_dir)
    after = sorted(p.name for p in cache.iterdir())
    assert len(set(after) - set(before)) == 1  # only the changed manuscript
    assert "spill over" in (issue_dir / "build" / "html" / "newby.html").read_text()


def test_how_to_cite_downloads(cli, issue_dir):
    build(cli, issue_dir)
    html = issue_dir / "build" / "html"
    bib = (html / "cite" / "newby.bib").read_text()
    assert "@article{" in bib and "ANZUS Cooperation in Disaster Response" in bib and "72--88" in bib
    ris = (html / "cite" / "newby.ris").read_text()
    assert ris.startswith("TY  - JOUR") and "DO  - 10.1080/10357718.2019.1693497" in ris and "SP  - 72" in ris
    landing = (html / "index.html").read_text()
    assert 'href="cite/issue.bib"' in landing
    # the article's citation in the issue's style, with its DOI
    assert "Newby, Vanessa. 2020." in landing and "10.1080/10357718.2019.1693497" in landing


def test_docx_prose_citation_links_to_its_reference_entry(cli, make_issue):
    """A Word manuscript with author-date prose: the resolved citation becomes a link, the wording unchanged."""
    from issue import pandoc
    from issue.pipeline import AnalysisResult

    md = "Functional cooperation was Mitrany's hope (Mitrany 1966), and it spread slowly.\n"
    docx = pandoc.run(["-f", "markdown", "-t", "docx", "-o", "-"], input=md.encode())
    root = make_issue({"papers/paper.docx": docx, "bibliography/refs.bib": BIB},
                      manifest=MANIFEST_ONE_DOCX)
    from issue.pipeline import Context, run_checks
    from issue.project import load_issue
    from issue.render.html import write

    issue, _ = load_issue(root)
    ctx = Context(issue=issue)
    run_checks(ctx)
    doc = ctx.documents["paper"]
    block = next(b for b in doc.blocks if "Mitrany 1966" in b.text)
    start = block.text.index("Mitrany 1966")

    # the fields of citations.model.Citation that the writer reads
    rec = SimpleNamespace(contribution="paper", block=block.index, start=start, end=start + len("Mitrany 1966"),
                          form="parenthetical", key="mitrany1966", crossref=None)
    ctx.results["citations"] = AnalysisResult(records=[rec])
    out = root / "out"
    write(ctx, out)
    page = (out / "html" / "paper.html").read_text()
    assert '<a href="#ref-mitrany1966" class="citation">Mitrany 1966</a>' in page
    assert "hope (<a" in page and "</a>), and it spread slowly" in page  # the author's wording kept around it
    assert 'id="ref-mitrany1966"' in page  # the entry is in the generated list although no [@key] cites it


MANIFEST_ONE_DOCX = """\
[issue]
title = "Test Issue"
journal = "Journal of Tests"
year = 2020
style = "chicago-author-date"
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "paper"
file = "papers/paper.docx"
title = "A Paper"
authors = [{ name = "Ann Author" }]
"""


def test_editors_manuscript_expressions_follow_the_manifest(cli, make_issue):
    intro = """\
# Overview

The issue opens with {{ contributions.newby.title }} by {{ link("newby") }}.

{{ overview() }}
"""
    root = make_issue({"bibliography/issue.bib": BIB, "papers/introduction.md": intro, "papers/newby.md": NEWBY},
                      manifest=MANIFEST)
    build(cli, root)
    page = (root / "build" / "html" / "introduction.html").read_text()
    assert "The issue opens with ANZUS Cooperation in Disaster Response by " in page
    assert '<a class="crossref" href="newby.html">Newby</a>' in page
    assert '<ul class="overview">' in page and "{{" not in page


def test_a_wrong_name_in_a_manuscript_expression_is_reported_at_its_place(cli, make_issue):
    intro = "# Overview\n\nSee {{ contributions.nweby.title }} here.\n"
    root = make_issue({"bibliography/issue.bib": BIB, "papers/introduction.md": intro, "papers/newby.md": NEWBY},
                      manifest=MANIFEST)
    result = cli(["build", "--format", "html"], root)
    assert result.code == 1
    assert "T105" in result.stderr and "papers/introduction.md:3" in result.stderr
    assert "did you mean 'newby'" in result.stderr
    assert "Traceback" not in result.stderr


def test_note_style_renders_each_paper_with_its_own_citeproc_run(cli, make_issue):
    """A note style tracks first and later citations per paper, so the issue is not rendered in one run."""
    root = make_issue({"bibliography/issue.bib": BIB, "papers/introduction.md": INTRO, "papers/newby.md": NEWBY},
                      manifest=MANIFEST.replace('"australian-journal-of-international-affairs"',
                                                '"chicago-notes-bibliography"'))
    build(cli, root)
    page = (root / "build" / "html" / "newby.html").read_text()
    assert 'id="ref-mitrany1966"' in page and 'id="ref-keohane1984"' in page
    assert "Mitrany, David." in page  # the bibliography entry, in the note style's form
    assert 'id="ref-martel2017"' not in page  # another paper's work is not in this paper's list


def test_citations_in_notes_and_headings_are_rendered_in_place_and_each_paper_lists_what_it_cites(cli, make_issue):
    """The issue's citations go through one citeproc run apart from the text; each comes back to its own place
    (body, heading, footnote) and each paper's reference list holds the entries it cites, none other."""
    newby = NEWBY.replace("# References", "# Function, after @keohane1984\n\nA closing remark.[^1]\n\n"
                          "[^1]: On function and form see @mitrany1966 [12] and [@martel2017].\n\n# References")
    root = make_issue({"bibliography/issue.bib": BIB, "papers/introduction.md": INTRO, "papers/newby.md": newby},
                      manifest=MANIFEST)
    build(cli, root)
    site = root / "build" / "html"
    page = (site / "newby.html").read_text()
    heading = re.search(r"<h2[^>]*>(Function, after.*?)</h2>", page, re.S).group(1)
    assert 'href="#ref-keohane1984"' in heading and "Keohane" in heading
    notes = page.split('id="footnotes"')[1]
    assert re.search(r'Mitrany \(<a href="#ref-mitrany1966"[^>]*>1966, 12</a>\)', notes)
    assert 'href="#ref-martel2017"' in notes
    refs = page.split('id="refs"')[1]
    assert set(re.findall(r'<div id="ref-([^"]+)"', refs)) == {"keohane1984", "mitrany1966", "martel2017"}
    intro_refs = (site / "introduction.html").read_text().split('id="refs"')[1]
    assert set(re.findall(r'<div id="ref-([^"]+)"', intro_refs)) == {"martel2017", "mitrany1966"}
    for p in site.glob("*.html"):  # no placeholder is left anywhere
        assert "issue/cite/" not in p.read_text() and "issue/refs" not in p.read_text(), p.name
    # the bibliography page and "how to cite" come from the same run
    assert "Keohane, Robert O. 1984." in (site / "bibliography.html").read_text()


def test_a_large_issue_is_rendered_in_chunks_that_read_as_one_run(cli, tmp_path, monkeypatch):
    """citeproc slows down sharply with the citations and entries of one run, so a large issue is rendered in
    chunks; with tiny chunks the demo's articles must come out exactly as from the one run."""
    from issue.render import html as writer

    root = copy_demo(tmp_path / "demo")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1577836800")
    build(cli, root)
    one = _tree(root / "build" / "html")
    runs: list[int] = []
    real = writer._citeproc_run
    monkeypatch.setattr(writer, "_citeproc_run", lambda *a, **k: runs.append(1) or real(*a, **k))
    monkeypatch.setattr(writer, "CHUNK_CITES", 40)
    monkeypatch.setattr(writer, "CHUNK_ENTRIES", 25)
    monkeypatch.setenv("ISSUE_NO_CACHE", "1")
    build(cli, root)
    chunked = _tree(root / "build" / "html")
    assert len(runs) > 8, "the demo was rendered in chunks"
    articles = [name for name in one if re.fullmatch(r"(introduction|cook|hirono|newby|jones|mulloy)\.html", name)]
    assert len(articles) == 6
    for name in articles:
        assert chunked[name] == one[name], f"{name} differs when rendered in chunks"
    entries = re.findall(r'<div class="csl-entry" id="ref-[^"]+"[^>]*>.*?(?=<span class="cited-by">)',
                         one["bibliography.html"].decode(), re.S)
    assert len(entries) > 100
    for e in entries:
        assert e in chunked["bibliography.html"].decode(), "the bibliography page has every entry as before"


def test_quiet_build_prints_only_errors_and_says_what_it_left_out(cli, make_issue):
    unused = "\n@book{nobody2001,\n  author = {Nobody, Anne},\n  title = {Uncited},\n  year = {2001},\n}\n"
    issue_dir = make_issue({"bibliography/issue.bib": BIB + unused, "papers/introduction.md": INTRO,
                            "papers/newby.md": NEWBY}, manifest=MANIFEST)
    quiet = build(cli, issue_dir).stderr
    checked = cli(["check"], issue_dir)
    loud = checked.stdout + checked.stderr
    errors = loud.count(": error[")
    hidden = loud.count(": warning[") + loud.count(": info[")
    assert errors and hidden, "the test issue has errors and lesser findings"
    assert quiet.count(": error[") == errors and ": warning[" not in quiet and ": info[" not in quiet
    assert f"found {errors} error{'s' if errors != 1 else ''} ({hidden} warnings and infos not shown: --quiet)" in quiet


def test_crossref_matrix_counts_what_the_checker_found(cli, tmp_path):
    """The cross-reference page's matrix: each cell is how often the row's paper refers to the column's."""
    import json
    from collections import Counter

    from lxml import html as lxml_html

    root = copy_demo(tmp_path / "demo")
    records = json.loads(cli(["check", "--format", "json"], root).stdout)["crossrefs"]
    expected = Counter((r["contribution"], t) for r in records if r["status"] == "resolved"
                       for t in r["targets"] if t != r["contribution"])
    assert expected, "the demo's papers refer to one another"
    build(cli, root)
    page = lxml_html.parse(str(root / "build" / "html" / "crossref-map.html"))
    columns = [a.get("href").removesuffix(".html") for a in page.xpath("//table/thead//th/a")]
    found = Counter()
    for row in page.xpath("//table/tbody/tr"):
        source = row.xpath("./th/a/@href")[0].removesuffix(".html")
        for target, cell in zip(columns, row.xpath("./td")):
            if cell.text_content().strip():
                found[(source, target)] = int(cell.text_content())
    assert found == expected


def test_the_bibliographys_citeproc_runs_start_during_the_checks_and_run_once(cli, tmp_path, monkeypatch):
    """They need neither the manuscripts nor the analyses: `issue build` starts them as soon as the bibliography
    is loaded, and the writer takes their results instead of running pandoc on the same input again."""
    from issue.render import html as writer

    root = copy_demo(tmp_path / "demo")
    monkeypatch.setenv("ISSUE_NO_CACHE", "1")
    events: list[tuple[str, bytes]] = []
    real_pandoc, real_write = writer._pandoc_html, writer.write
    monkeypatch.setattr(writer, "_pandoc_html", lambda ctx, body, *a, **k: events.append(("run", body))
                        or real_pandoc(ctx, body, *a, **k))
    monkeypatch.setattr(writer, "write", lambda ctx, out: events.append(("writer", b"")) or real_write(ctx, out))
    build(cli, root)
    writer_at = events.index(("writer", b""))
    runs = [body for kind, body in events if kind == "run"]
    assert len(runs) == len(set(runs)), "no citeproc run is repeated"
    early = [body for kind, body in events[:writer_at] if kind == "run"]
    assert early and all(b'"nocite"' in body and b"issue/c/" not in body for body in early), \
        "the bibliography's runs (entries only, no citation) started before the writer"
    page = (root / "build" / "html" / "bibliography.html").read_text()
    assert "Keohane, Robert O. 1984." in page


def test_a_build_stopped_by_strict_leaves_no_citeproc_run_queued(cli, tmp_path, monkeypatch):
    """The bibliography's runs start with the checks; when --strict stops the build at the checks' errors, the
    runs no writer will take are called off instead of keeping the command alive until they finish."""
    from issue.render import html as writer

    root = copy_demo(tmp_path / "demo")
    monkeypatch.setenv("ISSUE_NO_CACHE", "1")
    monkeypatch.setattr(writer, "CHUNK_ENTRIES", 5)  # the demo's bibliography in about 25 runs
    seen: list = []
    real = writer.prefetch
    monkeypatch.setattr(writer, "prefetch", lambda ctx: real(ctx) or seen.append(ctx))
    result = cli(["build", "--format", "html", "--strict"], root)
    assert result.code == 1 and "--strict" in result.stderr
    futures = list(seen[0].started.values())
    assert len(futures) > 10
    assert not [f for f in futures if not (f.done() or f.running())], "nothing is left waiting to run"
    assert any(f.cancelled() for f in futures)
    assert not (root / "build").exists()
