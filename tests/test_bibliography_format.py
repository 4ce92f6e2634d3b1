"""`issue refs format`: one layout, values kept as written, diff / --check / --write with a backup."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from issue.bibliography.format import format_entry, format_text
from issue.bibliography.load import load_text, parse_files

DATA = Path(__file__).resolve().parent / "data" / "bib"
FIXTURES = ["zotero_bbt.bib", "jabref.bib", "bibdesk.bib", "merge/jones.bib", "merge/lee.bib", "merge/park.bib"]


def test_the_layout():
    out = format_entry("Article", "Jalkebro2020", [
        ("Title", "{Cooperation and Coordination}"), ("journal", "ajia"), ("YEAR", "2020"),
        ("pages", '"1-12"'), ("author", "{J{\\\"a}lkebro, Rikard and Jones, Catherine}"),
        ("month", "jan # {~2}"), ("date-added", "{2019-11-02}"), ("abstract", "{East Asia\n   combines}"),
    ])
    assert out == (
        "@article{Jalkebro2020,\n"
        "  author     = {J{\\\"a}lkebro, Rikard and Jones, Catherine},\n"
        "  title      = {Cooperation and Coordination},\n"
        "  journal    = ajia,\n"
        "  pages      = {1--12},\n"
        "  year       = {2020},\n"
        "  month      = jan # {~2},\n"
        "  abstract   = {East Asia combines},\n"
        "  date-added = {2019-11-02}\n"
        "}")


@pytest.mark.parametrize("name", FIXTURES)
def test_formatting_keeps_every_value_and_is_idempotent(name):
    text = (DATA / name).read_text(encoding="utf-8")
    new, failed = format_text(text)
    assert failed == []
    assert format_text(new) == (new, [])
    before, _ = load_text(text)
    after, diags = load_text(new)
    assert [d.name for d in diags] == []
    assert list(after.entries) == list(before.entries)
    for key, entry in before.entries.items():
        other = after.entries[key]
        assert other.type == entry.type
        assert {k: v for k, v in other.fields.items() if k != "pages"} == \
            {k: v for k, v in entry.fields.items() if k != "pages"}
        assert other.pages == entry.pages
        assert other.expressions.get("journal") == entry.expressions.get("journal")  # macros stay macros


def test_comments_and_strings_stay_in_place():
    new, _ = format_text((DATA / "jabref.bib").read_text(encoding="utf-8"))
    assert new.startswith("% Encoding: UTF-8\n\n@string{ip = {International Peacekeeping}}\n"
                          "@string{ajia = {Australian Journal of International Affairs}}\n\n@article{Fung2016,")
    assert new.rstrip().endswith("@Comment{jabref-meta: databaseType:bibtex;}")
    assert "  pages   = {1--12},\n" in new and "  journal = ajia,\n" in new


def test_a_space_at_the_end_of_a_string_survives():
    text = '@string{undoc = {UN Document }}\n@misc{a, note = undoc # {A/70/95}}\n'
    new, _ = format_text(text)
    assert load_text(new)[0].entries["a"].fields["note"] == "UN Document A/70/95"


def test_the_corpora_keep_every_value(corpora):
    for path in sorted(corpora.rglob("*.bib")):
        data = path.read_bytes()
        before, _ = parse_files([(path.name, data)])
        new, failed = format_text(data.decode("utf-8"))
        assert failed == [], path
        after, _ = parse_files([(path.name, new.encode("utf-8"))])
        assert len(after.entries) == len(before.entries) and len(after.shadowed) == len(before.shadowed)
        for key, entry in before.entries.items():
            other = after.entries[key]
            assert {k: v for k, v in other.fields.items() if k != "pages"} == \
                {k: v for k, v in entry.fields.items() if k != "pages"}, (path.name, key)


def _issue(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    (root / "bibliography").mkdir(parents=True)
    (root / "issue.toml").write_text('[issue]\ntitle = "T"\nbibliography = ["bibliography/*.bib"]\n',
                                     encoding="utf-8")
    shutil.copy(DATA / "bibdesk.bib", root / "bibliography" / "refs.bib")
    return root


def test_cli_shows_a_diff_and_writes_nothing_by_default(tmp_path, cli):
    root = _issue(tmp_path)
    before = (root / "bibliography" / "refs.bib").read_bytes()
    result = cli(["refs", "format"], root)
    assert result.code == 0
    assert result.stdout.startswith("--- a/bibliography/refs.bib\n+++ b/bibliography/refs.bib\n")
    assert "-\tpages = {215-232}," in result.stdout and "+  pages         = {215--232}," in result.stdout
    assert (root / "bibliography" / "refs.bib").read_bytes() == before


def test_cli_check_and_write_with_a_backup(tmp_path, cli):
    root = _issue(tmp_path)
    before = (root / "bibliography" / "refs.bib").read_bytes()
    result = cli(["refs", "format", "--check"], root)
    assert result.code == 1 and result.stdout == "would reformat bibliography/refs.bib\n"
    result = cli(["refs", "format", "--write"], root)
    assert result.code == 0 and "refs.bib.bak" in result.stderr
    assert (root / "bibliography" / "refs.bib.bak").read_bytes() == before
    assert cli(["refs", "format", "--check"], root).code == 0
    assert list((root / "bibliography").glob("*.tmp")) == [] and list((root / "bibliography").glob(".*")) == []
    assert cli(["refs", "format", "--check", "--write"], root).code == 2


def test_cli_refuses_to_write_a_file_with_syntax_errors(tmp_path, cli):
    root = _issue(tmp_path)
    shutil.copy(DATA / "broken.bib", root / "bibliography" / "refs.bib")
    before = (root / "bibliography" / "refs.bib").read_bytes()
    result = cli(["refs", "format", "--write"], root)
    assert result.code == 1 and "bib-syntax" in result.stdout + result.stderr
    assert (root / "bibliography" / "refs.bib").read_bytes() == before
    assert not (root / "bibliography" / "refs.bib.bak").exists()


def test_cli_converts_latin1_to_utf8(tmp_path, cli):
    root = _issue(tmp_path)
    shutil.copy(DATA / "latin1_jabref.bib", root / "bibliography" / "refs.bib")
    result = cli(["refs", "format", "--write"], root)
    assert result.code == 0 and "converted to UTF-8" in result.stderr
    text = (root / "bibliography" / "refs.bib").read_text(encoding="utf-8")
    assert "Cooperación militar" in text and "\r" not in text
