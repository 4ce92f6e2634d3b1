"""`issue refs show`, `issue refs search`, and the help of every `refs` command."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "bib"


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    (root / "bibliography").mkdir(parents=True)
    (root / "issue.toml").write_text('[issue]\ntitle = "T"\nbibliography = ["bibliography/*.bib"]\n\n'
                                     '[bibliography]\nkeymap = "bibliography/shared.keys.toml"\n', encoding="utf-8")
    for name in ("zotero_bbt.bib", "jabref.bib", "bibdesk.bib"):
        shutil.copy(DATA / name, root / "bibliography" / name)
    (root / "bibliography" / "shared.keys.toml").write_text('[keys]\n"Capie2020" = "Capie:2020"\n',
                                                            encoding="utf-8")
    return root


def test_show_an_entry_with_inherited_fields_and_findings(issue, cli):
    result = cli(["refs", "show", "Capie:2020"], issue)
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Capie:2020  @incollection  bibliography/bibdesk.bib:8:1"
    assert lines[1].startswith("  Capie, David (2020) Southeast Asia and Peacekeeping. In Routledge Handbook")
    assert any(line.startswith("  booktitle") and line.endswith("(from Williams:Handbook)") for line in lines)
    assert "info[B108 field-format]: page range '215-232'" in result.stdout


def test_show_finds_old_keys_and_other_case(issue, cli):
    result = cli(["refs", "show", "Capie2020", "--format", "json"], issue)
    data = json.loads(result.stdout)
    assert data["key"] == "Capie:2020" and data["line"] == 8 and data["inherited"]["publisher"] == "Williams:Handbook"
    result = cli(["refs", "show", "jalkebro2020", "--format", "csl-json"], issue)
    assert json.loads(result.stdout)["container-title"] == "Australian Journal of International Affairs"
    result = cli(["refs", "show", "Fung2016", "--format", "bibtex"], issue)
    assert result.stdout.startswith("@article{Fung2016,\n  author  = {Fung, Courtney J.},")


def test_show_an_unknown_key_suggests_close_ones(issue, cli):
    result = cli(["refs", "show", "Jalkebro2002"], issue)
    assert result.code == 1 and "did you mean Jalkebro2020?" in result.stderr


def test_search_by_author_title_words_and_typos(issue, cli):
    result = cli(["refs", "search", "coning", "2017"], issue)
    assert result.stdout.splitlines()[0].startswith("deconingUnitedNationsPeace2017  de Coning et al. 2017  ")
    result = cli(["refs", "search", "jalkebro", "--format", "json"], issue)  # accents ignored
    assert [hit["key"] for hit in json.loads(result.stdout)] == ["Jalkebro2020"]
    result = cli(["refs", "search", "peacekeping handbok"], issue)  # typos
    assert "Williams:Handbook" in result.stdout
    result = cli(["refs", "search", "zzzz", "qqqq"], issue)
    assert result.code == 1 and "no entry matches" in result.stderr


def test_refs_outside_an_issue_needs_a_file(tmp_path, cli, monkeypatch):
    monkeypatch.delenv("ISSUE_PROJECT", raising=False)
    shutil.copy(DATA / "jabref.bib", tmp_path / "refs.bib")
    assert cli(["refs", "search", "peacekeeping"], tmp_path).code == 2
    result = cli(["refs", "search", "peacekeeping", "-b", "refs.bib"], tmp_path)
    assert result.code == 0 and "Sotomayor2015" in result.stdout


@pytest.mark.parametrize("command", ["merge", "format", "export", "show", "search"])
def test_every_command_has_help_with_an_example(cli, tmp_path, command):
    result = cli(["refs", command, "--help"], tmp_path)
    assert result.code == 0 and "Examples:" in result.stdout and f"issue refs {command}" in result.stdout
