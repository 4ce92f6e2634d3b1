"""The manifest: every validation names the file, the line and the key, with a suggestion where one exists."""
from __future__ import annotations

import os

import pytest

from issue.project import ManifestError, load_issue

GOOD = """\
[issue]
title = "Cooperation and Coordination in a Context of Animosity?"
journal = "Australian Journal of International Affairs"
volume = "74"
number = "1"
year = 2020
issn = "1035-7718"
bibliography = ["bibliography/*.bib"]

[[editors]]
name = "Catherine Jones"
orcid = "0000-0002-1825-0097"

[[contributions]]
id = "jones"
file = "papers/jones.md"
title = "South East Asian powers and contributions to peacekeeping operations"
authors = [{ name = "Catherine Jones" }]
doi = "10.1080/10357718.2019.1693501"
pages = "89-107"
"""


def codes(diags):
    return sorted(d.code for d in diags)


def load(make_issue, manifest, files=None):
    root = make_issue({"papers/jones.md": "# Introduction\n\nText.\n", **(files or {})}, manifest=manifest)
    return load_issue(root)


def test_a_good_manifest_loads_with_no_findings(make_issue):
    issue, diags = load(make_issue, GOOD)
    assert diags == []
    assert issue.title.startswith("Cooperation")
    assert issue.contributions[0].authors[0].name == "Catherine Jones"
    assert issue.contributions[0].pages == "89-107"
    assert issue.editors[0].orcid == "0000-0002-1825-0097"


def test_toml_syntax_error_has_line_and_column(make_issue):
    broken = GOOD.replace('volume = "74"', 'volume = "74')
    with pytest.raises(ManifestError) as exc:
        load(make_issue, broken)
    d = exc.value.diagnostics[0]
    assert d.code == "M101" and d.name == "manifest-syntax"
    assert d.location.file == "issue.toml"
    assert d.location.line == 4
    assert d.location.column is not None


def test_unknown_key_suggests_the_nearest_known_key(make_issue):
    issue, diags = load(make_issue, GOOD.replace('journal = ', 'jounral = '))
    [d] = diags
    assert d.name == "unknown-manifest-key"
    assert d.location.line == 3
    assert d.excerpt == "jounral"
    assert "journal" in d.suggestion


def test_unknown_key_in_a_contribution_is_located_in_its_table(make_issue):
    issue, diags = load(make_issue, GOOD.replace('pages = "89-107"', 'pagse = "89-107"'))
    [d] = diags
    assert d.name == "unknown-manifest-key"
    assert d.location.line == GOOD.splitlines().index('pages = "89-107"') + 1
    assert "pages" in d.suggestion


def test_wrong_type_is_reported_and_the_value_dropped(make_issue):
    issue, diags = load(make_issue, GOOD.replace("year = 2020", 'year = "twenty twenty"'))
    [d] = diags
    assert d.name == "wrong-type" and d.location.line == 6
    assert "whole number" in d.message
    assert issue.year is None


def test_missing_required_field(make_issue):
    issue, diags = load(make_issue, GOOD.replace('title = "South East', 'subtitle = "South East'))
    names = {d.name for d in diags}
    assert "missing-manifest-field" in names
    assert issue.contributions == []


def test_duplicate_contribution_ids(make_issue):
    twice = GOOD + '\n[[contributions]]\nid = "jones"\nfile = "papers/jones.md"\ntitle = "Again"\n'
    issue, diags = load(make_issue, twice)
    [d] = diags
    assert d.name == "duplicate-contribution-id"
    assert d.location.line == twice.splitlines().index('id = "jones"', 20) + 1
    assert "first at line 15" in d.message


def test_missing_file_suggests_a_near_name(make_issue):
    issue, diags = load(make_issue, GOOD.replace("papers/jones.md", "papers/jnoes.md"))
    [d] = diags
    assert d.name == "missing-file"
    assert d.suggestion == "did you mean 'papers/jones.md'?"


def test_path_that_leaves_the_issue_folder(make_issue):
    issue, diags = load(make_issue, GOOD.replace("papers/jones.md", "../../etc/passwd"))
    [d] = diags
    assert d.name == "path-outside-issue"
    assert d.excerpt == "../../etc/passwd"


def test_symlink_that_points_out_of_the_issue_folder(make_issue, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("secret")
    root = make_issue({}, manifest=GOOD.replace("papers/jones.md", "papers/link.md"))
    (root / "papers").mkdir(exist_ok=True)
    os.symlink(outside, root / "papers" / "link.md")
    issue, diags = load_issue(root)
    assert [d.name for d in diags] == ["path-outside-issue"]
    assert "link" in diags[0].message


@pytest.mark.parametrize("key,bad,code", [
    ("orcid", "0000-0002-1825-0098", "M108"),
    ("issn", "1035-7717", "M109"),
    ("doi", "10.1080 10357718.2019.1693501", "M111"),
])
def test_identifier_check_digits_and_syntax(make_issue, key, bad, code):
    good = {"orcid": "0000-0002-1825-0097", "issn": "1035-7718", "doi": "10.1080/10357718.2019.1693501"}[key]
    issue, diags = load(make_issue, GOOD.replace(good, bad))
    assert codes(diags) == [code]
    assert diags[0].excerpt == bad


@pytest.mark.parametrize("isbn,ok", [
    ("978-0-691-02228-4", True),   # After Hegemony, paperback
    ("978-0-691-02228-5", False),
    ("0-691-02228-3", True),        # ISBN-10 of the same book
    ("0-691-02228-4", False),
    ("12345", False),
])
def test_isbn_10_and_13(make_issue, isbn, ok):
    manifest = GOOD.replace('issn = "1035-7718"', f'isbn = "{isbn}"')
    issue, diags = load(make_issue, manifest)
    assert (codes(diags) == []) is ok
    if not ok:
        assert codes(diags) == ["M110"]


def test_ten_mistakes_are_each_reported_with_a_location(make_issue, cli):
    manifest = """\
    [issue]
    titel = "Cooperation"
    title = "Cooperation"
    year = "2020"
    issn = "1035-7717"
    bibliography = ["../elsewhere/*.bib"]

    [[editors]]
    name = "Catherine Jones"
    orcid = "0000-0002-1825-009X"

    [[contributions]]
    id = "jones"
    file = "papers/jones.md"
    title = "A"
    kind = "artcle"
    doi = "doi 10.1080"

    [[contributions]]
    id = "jones"
    file = "papers/jones.md"
    title = "B"

    [[contributions]]
    id = "cook"
    file = "papers/cook.docx"
    title = "C"

    [[contributions]]
    id = "passwd"
    file = "../../etc/passwd"
    title = "D"

    [publisher]
    name = "Routledge"
    """
    root = make_issue({"papers/jones.md": "# Introduction\n\nText.\n"}, manifest=manifest)
    r = cli(["check", "--format", "json"], root)
    assert r.code == 2
    assert "Traceback" not in r.stdout + r.stderr
    found = {(d["name"], d["line"]) for d in r.json()["diagnostics"] if d["file"] == "issue.toml"}
    expected = {
        ("unknown-manifest-key", 2), ("wrong-type", 4), ("invalid-issn", 5), ("path-outside-issue", 6),
        ("invalid-orcid", 10), ("invalid-value", 16), ("invalid-doi", 17), ("duplicate-contribution-id", 20),
        ("missing-file", 26), ("path-outside-issue", 31), ("unknown-manifest-key", 34),
    }
    assert expected <= found, expected - found


def test_unreadable_manifest_exits_2_with_a_message(make_issue, cli):
    root = make_issue({}, manifest='[issue]\ntitle = "x\n')
    r = cli(["check"], root)
    assert r.code == 2
    assert "issue.toml:2" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_no_manifest_is_a_usage_error(tmp_path, cli):
    r = cli(["check"], tmp_path)
    assert r.code == 2
    assert "issue.toml" in r.stderr
