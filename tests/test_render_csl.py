"""CSL styles by name from the offline collection (dependent styles through their parent) or by path."""
from __future__ import annotations

import pytest

from issue.model import Issue
from issue.render import csl


def test_dependent_journal_style_resolves_to_its_parent():
    style = csl.by_name("australian-journal-of-international-affairs")
    assert style.parent == "taylor-and-francis-chicago-author-date"
    assert style.path.name == "taylor-and-francis-chicago-author-date.csl"
    assert style.title == "Australian Journal of International Affairs"


def test_independent_style_by_name():
    style = csl.by_name("apa")
    assert style.path.name == "apa.csl" and style.parent is None


def test_misspelt_style_is_reported_with_the_close_name_and_the_build_goes_on(tmp_path):
    (tmp_path / "issue.toml").write_text('[issue]\ntitle = "T"\nstyle = "chicago-autor-date"\n')
    style, diags = csl.resolve(Issue(root=tmp_path, title="T", style="chicago-autor-date"))
    assert style.name == csl.DEFAULT_STYLE
    assert [d.code for d in diags] == ["T104"]
    assert "chicago-author-date" in diags[0].suggestion
    assert diags[0].location.line == 3


def test_style_file_inside_the_issue(tmp_path):
    parent = csl.by_name("apa").path
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house.csl").write_bytes(parent.read_bytes())
    style, diags = csl.resolve(Issue(root=tmp_path, title="T", style="styles/house.csl"))
    assert diags == [] and style.path == (tmp_path / "styles" / "house.csl").resolve()


@pytest.mark.parametrize("path", ["../outside.csl", "/etc/passwd.csl"])
def test_style_file_outside_the_issue_is_refused(tmp_path, path):
    (tmp_path / "issue.toml").write_text('[issue]\ntitle = "T"\n')
    style, diags = csl.resolve(Issue(root=tmp_path, title="T", style=path))
    assert [d.code for d in diags] == ["T104"] and "outside" in diags[0].message
    assert style.name == csl.DEFAULT_STYLE
