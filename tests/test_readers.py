"""Readers: every format becomes the same blocks, each character traced back to its source."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pypandoc
import pytest

from issue.manuscripts import ReadError, read_manuscript

DATA = Path(__file__).parent / "data" / "manuscripts"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("same.md", "same.tex"):
        shutil.copy(DATA / name, tmp_path / name)
    # the Word version is made from the Markdown, as an author's export would be
    pypandoc.convert_file(str(DATA / "same.md"), "docx", outputfile=str(tmp_path / "same.docx"))
    pypandoc.convert_file(str(DATA / "same.md"), "odt", outputfile=str(tmp_path / "same.odt"))
    return tmp_path


def body_texts(doc):
    return [(b.kind, b.text) for b in doc.blocks if b.section in ("body", "notes")]


def test_same_text_gives_same_paragraphs_in_every_format(folder):
    md = read_manuscript(folder, "same.md")
    expected = body_texts(md)
    assert ("para", "Mitrany (1966) argued that cooperation in technical fields would spread to others.") in expected
    assert ("note", "Interview with a naval officer (Newby 2018).") in expected
    for name in ("same.docx", "same.tex", "same.odt"):
        assert body_texts(read_manuscript(folder, name)) == expected, name


def test_front_parts_and_reference_list_are_recognised(folder):
    for name in ("same.md", "same.docx", "same.tex"):
        doc = read_manuscript(folder, name)
        assert doc.title == "Ships in the Night", name
        assert doc.keywords == ["ANZUS", "HADR", "functionalism"], name
        assert doc.abstract.startswith("Alliance partners share goals"), name
        refs = [b.text for b in doc.blocks if b.section == "references" and b.kind != "heading"]
        assert refs == ["Capie, David. 2015. The United States and Humanitarian Assistance and Disaster Relief."], name


def test_markdown_locations_point_at_the_source_text(folder):
    doc = read_manuscript(folder, "same.md")
    lines = (folder / "same.md").read_text().splitlines()
    for block in doc.blocks:
        if not block.segments:
            continue
        for word in ("Capie", "Mitrany", "Keohane", "Typhoon", "naval"):
            at = block.text.find(word)
            if at < 0:
                continue
            loc = doc.location(block, at, at + len(word))
            assert lines[loc.line - 1][loc.column - 1:loc.column - 1 + len(word)] == word
            assert loc.end_line == loc.line and loc.end_column == loc.column + len(word)


def test_latex_locations_point_at_the_source_text(folder):
    doc = read_manuscript(folder, "same.tex")
    lines = (folder / "same.tex").read_text().splitlines()
    para = next(b for b in doc.blocks if b.text.startswith("Australia"))
    at = para.text.find("(Capie 2015, 312)")
    loc = doc.location(para, at)
    assert (loc.line, loc.column) == (12, lines[11].find("(Capie") + 1)
    note = next(b for b in doc.blocks if b.kind == "note")
    loc = doc.location(note, note.text.find("Newby"))
    assert lines[loc.line - 1][loc.column - 1:].startswith("Newby 2018")


def test_docx_locations_are_paragraph_numbers_with_opening_words(folder):
    doc = read_manuscript(folder, "same.docx")
    assert doc.paragraph_based
    indices = [b.index for b in doc.blocks if b.kind != "note"]
    assert indices == sorted(indices) and len(set(indices)) == len(indices)
    para = next(b for b in doc.blocks if b.text.startswith("Mitrany"))
    loc = doc.location(para, 0, 7)
    assert loc.paragraph == para.index
    assert loc.paragraph_words.startswith("Mitrany (1966) argued")
    assert loc.label() == f"same.docx:¶{para.index}:1"
    # a footnote is located at the paragraph that holds its marker
    note = next(b for b in doc.blocks if b.kind == "note")
    host = next(b for b in doc.blocks if b.text.startswith("Australia"))
    assert doc.location(note, 0).paragraph == host.index


def test_footnote_markers_are_not_body_text(folder):
    for name in ("same.md", "same.docx", "same.tex"):
        doc = read_manuscript(folder, name)
        para = next(b for b in doc.blocks if b.text.startswith("Australia"))
        assert para.text.endswith("pass in the night."), name
        assert "[^1]" not in para.text and "Interview" not in para.text


def test_plain_text_paragraphs_and_positions(tmp_path):
    (tmp_path / "paper.txt").write_text(
        "Ships in the Night\n\nAustralia and New Zealand respond\n  to disasters (Capie 2015, 312).\n\nReferences\n\n"
        "Capie, David. 2015. Title.\n")
    doc = read_manuscript(tmp_path, "paper.txt")
    para = next(b for b in doc.blocks if b.text.startswith("Australia"))
    assert para.text == "Australia and New Zealand respond to disasters (Capie 2015, 312)."
    loc = doc.location(para, para.text.find("(Capie"))
    assert (loc.line, loc.column) == (4, 16)
    assert [b.section for b in doc.blocks][-1] == "references"


def test_markup_citations_are_kept_with_their_items(tmp_path):
    (tmp_path / "m.md").write_text("# Intro\n\nAs argued [see @martel2017, p. 556; -@haas1958].\n")
    doc = read_manuscript(tmp_path, "m.md")
    [cite] = doc.blocks[-1].cites
    assert doc.blocks[-1].text[cite.start:cite.end] == "[see @martel2017, p. 556; -@haas1958]"
    assert [(i["id"], i["mode"]) for i in cite.items] == [("martel2017", "NormalCitation"), ("haas1958", "SuppressAuthor")]
    assert cite.items[0]["prefix"] == "see"


def test_raw_html_is_recorded_not_read_as_text(tmp_path):
    (tmp_path / "m.md").write_text("# Intro\n\nText.\n\n<script>alert(1)</script>\n")
    doc = read_manuscript(tmp_path, "m.md")
    assert all("alert" not in b.text for b in doc.blocks)
    assert any("<script>" in code for _, code in doc.raw_markup)


@pytest.mark.parametrize("content,words", [
    (b"\x00\x01garbage" * 100, "not a .docx file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
])
def test_bad_docx_gives_a_clear_diagnostic(tmp_path, content, words):
    (tmp_path / "bad.docx").write_bytes(content)
    with pytest.raises(ReadError) as exc:
        read_manuscript(tmp_path, "bad.docx")
    assert exc.value.diagnostic.code == "D101"
    assert words in exc.value.diagnostic.message


def test_zip_bomb_is_refused_before_pandoc(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * (12 * 1024 * 1024))
    with pytest.raises(ReadError) as exc:
        read_manuscript(tmp_path, "bomb.docx", max_mb=1)
    assert exc.value.diagnostic.code == "D105"


def test_latin1_text_is_reported_with_its_line(tmp_path):
    (tmp_path / "m.md").write_bytes("# Intro\n\nCaf\u00e9 society.\n".encode("latin-1"))
    with pytest.raises(ReadError) as exc:
        read_manuscript(tmp_path, "m.md")
    d = exc.value.diagnostic
    assert d.code == "D101" and d.location.line == 3 and "UTF-8" in d.message


def test_pandoc_output_is_cached_by_content(tmp_path, monkeypatch):
    from issue import pandoc
    from issue.manuscripts.readers import PANDOC_CACHE

    shutil.copy(DATA / "same.md", tmp_path / "same.md")
    cache = tmp_path / "cache"
    first = read_manuscript(tmp_path, "same.md", cache_dir=cache)
    assert len(list((cache / PANDOC_CACHE).iterdir())) == 1
    real_run = pandoc.run
    monkeypatch.setattr(pandoc, "run", lambda *a, **k: pytest.fail("pandoc ran on an unchanged manuscript"))
    again = read_manuscript(tmp_path, "same.md", cache_dir=cache)
    assert body_texts(again) == body_texts(first)
    assert [(b.segments, b.cites) for b in again.blocks] == [(b.segments, b.cites) for b in first.blocks]
    monkeypatch.setattr(pandoc, "run", real_run)
    (tmp_path / "same.md").write_text((DATA / "same.md").read_text().replace("Mitrany", "Haas"))
    changed = read_manuscript(tmp_path, "same.md", cache_dir=cache)
    assert any("Haas (1966)" in t for _, t in body_texts(changed))
    assert len(list((cache / PANDOC_CACHE).iterdir())) == 2


def test_altered_pandoc_output_in_the_cache_is_read_again(tmp_path):
    """A cache that came with someone else's folder is not trusted: what does not parse, or nests too deeply, is
    read again by pandoc rather than reported as the author's mistake."""
    from issue.manuscripts.readers import PANDOC_CACHE

    shutil.copy(DATA / "same.md", tmp_path / "same.md")
    cache = tmp_path / "cache"
    first = read_manuscript(tmp_path, "same.md", cache_dir=cache)
    (kept,) = (cache / PANDOC_CACHE).iterdir()
    for altered in (b'{"blocks": [', b"[" * 5000 + b"]" * 5000, b"[]",
                    b'{"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": [{"t": "Para"}]}'):
        kept.write_bytes(altered)
        assert body_texts(read_manuscript(tmp_path, "same.md", cache_dir=cache)) == body_texts(first)
        assert kept.read_bytes() == first.ast_json, "pandoc's own output is kept again"


def test_unsupported_format(tmp_path):
    (tmp_path / "paper.pages").write_bytes(b"x")
    with pytest.raises(ReadError) as exc:
        read_manuscript(tmp_path, "paper.pages")
    assert exc.value.diagnostic.name == "unsupported-format"
