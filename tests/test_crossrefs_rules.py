"""The X3xx rules: each one triggered by a realistic manuscript, and a near miss that must not trigger it."""
from __future__ import annotations

import pytest

from issue.diagnostics.registry import get_rule
from test_crossrefs_extract import MANIFEST, cite, paper, run

TWO_JONESES = MANIFEST + '''
[[contributions]]
id = "jones-lee"
file = "papers/jones-lee.md"
title = "ASEAN, sovereignty and intervention"
authors = [{ name = "Lee Jones" }]
'''

THREE_AUTHORS = MANIFEST.replace(
    'authors = [{ name = "Alistair D. B. Cook" }, { name = "Sangeetha Yogendran" }]',
    'authors = [{ name = "Alistair D. B. Cook" }, { name = "Sangeetha Yogendran" }, { name = "Tamara Nair" }]')

OVERVIEW = """\
Cook and Yogendran (this issue) begin with the widest circle of actors. Hirono (this issue) turns to China.
Newby (this issue) examines an alliance. Jones (this issue) asks whether ASEAN and the UN are partners, and
Mulloy (this issue) closes the issue with Japan."""


def codes(result, code: str, file: str | None = None):
    return [d for d in result.diagnostics if d.code == code and (file is None or d.location.file == file)]


def test_rules_have_the_names_of_the_issue():
    names = {code: get_rule(code).name for code in ("X301", "X302", "X303", "X304", "X305", "X306", "X307")}
    assert names == {"X301": "unknown-contribution", "X302": "ambiguous-contribution", "X303": "coauthor-omitted",
                     "X304": "self-reference", "X305": "unreferenced-contribution", "X306": "crossref-style",
                     "X307": "citation-of-contribution"}
    assert get_rule("X303").severity == "info" and get_rule("X306").severity == "info"
    assert get_rule("X305").severity == "warning"


# -- unknown-contribution ------------------------------------------------------------------------------------------

def test_unknown_contributor(make_issue):
    _, result = run(make_issue, {"mulloy": paper(
        "Friction between Japanese and South Korean contingents has a longer history (see Sato, this issue).")})
    [d] = codes(result, "X301")
    assert d.severity.value == "error" and d.excerpt == "Sato"
    assert d.location.file == "papers/mulloy.md" and d.location.line is not None
    assert "Sato" in d.message and "Hirono" in d.suggestion  # the contributors are listed
    [r] = [r for r in result.records if r.contribution == "mulloy"]
    assert r.status == "unknown" and r.targets == [] and r.links == []


def test_unknown_contributor_did_you_mean(make_issue):
    _, result = run(make_issue, {"mulloy": paper("China's decision-making is fragmented (Hirano, this issue).")})
    [d] = codes(result, "X301")
    assert d.suggestion.startswith("did you mean Hirono")


def test_namesake_given_name_is_not_the_contributor(make_issue):
    _, result = run(make_issue, {"cook": paper("Non-interference was never absolute (see Lee Jones, this issue).")})
    [d] = codes(result, "X301")
    assert d.excerpt == "Lee Jones" and "Catherine Jones" in d.suggestion


def test_near_miss_an_outside_author_cited_with_a_year_is_not_unknown(make_issue):
    _, result = run(make_issue, {"mulloy": paper(
        "Sato (2019) traces the friction, and this issue divides Tokyo and Seoul; in Korea, this issue, once "
        "raised, is hard to drop.")})
    assert codes(result, "X301") == []


# -- ambiguous-contribution ----------------------------------------------------------------------------------------

def test_two_contributors_share_a_surname(make_issue):
    _, result = run(make_issue, {"mulloy": paper("ASEAN's members contribute for national reasons (Jones, this issue)."),
                                 "jones-lee": paper("A paper on sovereignty.")}, manifest=TWO_JONESES)
    [d] = codes(result, "X302")
    assert "Catherine Jones" in d.message and "Lee Jones" in d.message
    assert "full name" in d.suggestion
    assert d.data["candidates"] == ["jones", "jones-lee"]
    [r] = [r for r in result.records if r.contribution == "mulloy"]
    assert r.status == "ambiguous" and r.candidates == ["jones", "jones-lee"] and r.targets == []


def test_near_miss_the_full_name_resolves_the_namesakes(make_issue):
    _, result = run(make_issue, {"mulloy": paper("Members contribute for national reasons (Catherine Jones, this issue)."),
                                 "jones-lee": paper("A paper on sovereignty.")}, manifest=TWO_JONESES)
    assert codes(result, "X302") == []
    assert [r.targets for r in result.records if r.contribution == "mulloy"] == [["jones"]]


def test_one_person_with_two_single_authored_contributions(make_issue):
    manifest = MANIFEST + '''
[[contributions]]
id = "hirono-review"
file = "papers/hirono-review.md"
kind = "book-review"
title = "Review of China's Peacekeeping"
authors = [{ name = "Miwa Hirono" }]
'''
    _, result = run(make_issue, {"newby": paper("China is a different case (Hirono, this issue)."),
                                 "hirono-review": paper("A review.")}, manifest=manifest)
    [d] = codes(result, "X302")
    assert "more than one contribution" in d.message


# -- coauthor-omitted ---------------------------------------------------------------------------------------------

def test_coauthor_omitted(make_issue):
    _, result = run(make_issue, {"mulloy": paper("The 4Cs can be read as orders of engagement (Cook, this issue).")})
    [d] = codes(result, "X303")
    assert d.severity.value == "info" and d.excerpt == "Cook"
    assert "Sangeetha Yogendran" in d.message and d.suggestion == "write 'Cook and Yogendran'"
    assert [r.targets for r in result.records if r.contribution == "mulloy"] == [["cook"]]


def test_near_miss_both_coauthors_or_et_al_for_three(make_issue):
    _, result = run(make_issue, {"mulloy": paper("The 4Cs are orders of engagement (Cook and Yogendran, this issue).")})
    assert codes(result, "X303") == []
    _, result = run(make_issue, {"mulloy": paper("The 4Cs are orders of engagement (Cook et al., this issue).")},
                    manifest=THREE_AUTHORS)
    assert codes(result, "X303") == []


def test_et_al_for_two_authors_leaves_one_out(make_issue):
    _, result = run(make_issue, {"mulloy": paper("The 4Cs are orders of engagement (Cook et al., this issue).")})
    [d] = codes(result, "X303")
    assert d.excerpt == "Cook et al."


# -- self-reference -------------------------------------------------------------------------------------------------

def test_self_reference(make_issue):
    _, result = run(make_issue, {"newby": paper(
        "Shared goals are not enough to generate functional integration among allies (Newby, this issue).")})
    [d] = codes(result, "X304")
    assert d.severity.value == "warning" and d.location.file == "papers/newby.md"


def test_near_miss_referring_to_another_paper(make_issue):
    _, result = run(make_issue, {"newby": paper("Japan's partners are not allies with shared goals (Mulloy, this issue).")})
    assert codes(result, "X304") == []


# -- unreferenced-contribution ----------------------------------------------------------------------------------------

def test_introduction_never_mentions_a_contribution(make_issue):
    overview = OVERVIEW.replace("and\nMulloy (this issue) closes the issue with Japan", "and the last paper closes it")
    _, result = run(make_issue, {"introduction": paper(overview)})
    [d] = codes(result, "X305")
    assert "mulloy" in d.message and d.location.file == "papers/introduction.md"
    assert "Mulloy (this issue)" in d.suggestion


def test_near_miss_introduction_presents_every_contribution(make_issue):
    _, result = run(make_issue, {"introduction": paper(OVERVIEW)})
    assert codes(result, "X305") == []


# -- crossref-style -----------------------------------------------------------------------------------------------

def test_mixed_forms(make_issue):
    _, result = run(make_issue, {
        "introduction": paper(OVERVIEW),
        "mulloy": paper("Japan's partners differ (Newby, this volume); so does China (Hirono, this issue)."),
    })
    [d] = codes(result, "X306")
    assert d.excerpt == "this volume" and d.severity.value == "info"
    assert d.suggestion.startswith("write 'this issue'")


def test_near_miss_one_form_throughout(make_issue):
    _, result = run(make_issue, {"introduction": paper(OVERVIEW),
                                 "mulloy": paper("Japan's partners differ (Newby, this issue).")})
    assert codes(result, "X306") == []


def test_house_form_from_issue_toml(make_issue):
    manifest = MANIFEST + '\n[crossrefs]\nhouse_form = "this volume"\n'
    _, result = run(make_issue, {"introduction": paper(OVERVIEW)}, manifest=manifest)
    found = codes(result, "X306")
    assert len(found) == 5 and all(d.excerpt == "this issue" for d in found)
    assert "issue.toml" in found[0].suggestion


@pytest.mark.parametrize("table, code", [('house_form = "this journal"', "M112"), ("house_form = 3", "M103"),
                                         ('house_from = "this issue"', "M102")])
def test_bad_crossrefs_table_is_a_manifest_error(make_issue, table, code):
    _, result = run(make_issue, {}, manifest=MANIFEST + f"\n[crossrefs]\n{table}\n")
    [d] = [d for d in result.diagnostics if d.code.startswith("M")]
    assert d.code == code and d.location.file == "issue.toml"
    lines = MANIFEST.count("\n") + 3
    assert d.location.line == lines


# -- citation-of-contribution -------------------------------------------------------------------------------------------

def test_author_date_citation_of_a_contribution(make_issue):
    def citations(ctx):
        return [cite(ctx, "mulloy", "(Hirono 2020)", ["Hirono"], "2020", None, crossref="hirono")]

    _, result = run(make_issue, {"mulloy": paper("China's HADR decisions are fragmented (Hirono 2020).")},
                    citations=citations)
    [d] = codes(result, "X307")
    assert d.excerpt == "(Hirono 2020)" and d.severity.value == "warning"
    assert d.suggestion.endswith("(Hirono, this issue)")
    [r] = [r for r in result.records if r.contribution == "mulloy"]
    assert r.form == "author-date" and r.targets == ["hirono"]


def test_author_date_citation_of_a_coauthored_contribution_by_one_author(make_issue):
    def citations(ctx):
        return [cite(ctx, "jones", "Cook (2020)", ["Cook"], "2020", None, crossref="cook")]

    _, result = run(make_issue, {"jones": paper("Cook (2020) widens the circle of responders.")}, citations=citations)
    assert len(codes(result, "X307")) == 1 and len(codes(result, "X303")) == 1
    assert codes(result, "X307")[0].suggestion.endswith("Cook and Yogendran, this issue")


def test_near_miss_the_same_name_and_year_in_the_bibliography(make_issue):
    def citations(ctx):
        return [cite(ctx, "mulloy", "(Hirono 2020)", ["Hirono"], "2020", "hirono2020china")]

    _, result = run(make_issue, {"mulloy": paper("China's HADR decisions are fragmented (Hirono 2020).")},
                    citations=citations)
    assert codes(result, "X307") == [] and [r for r in result.records if r.contribution == "mulloy"] == []


def test_citation_of_a_contribution_through_the_citation_analysis(make_issue, cli):
    pytest.importorskip("issue.citations.analysis", reason="the citation analysis is not in this build")
    bib = """\
@string{ajia = {Australian Journal of International Affairs}}
@article{jones2015governing,
  author  = {Jones, Lee},
  title   = {Governing {ASEAN}: Non-Interference and Sovereignty},
  journal = ajia,
  year    = {2015},
  volume  = {69},
  pages   = {1--20},
}
"""
    text = ("Lee Jones (2015) shows that non-interference was never absolute, while China's HADR decisions remain "
            "fragmented (Hirono 2020).")
    files = {f"papers/{cid}.md": paper("Nothing to see.") for cid in ("introduction", "cook", "hirono", "newby",
                                                                      "jones")}
    root = make_issue(files | {"papers/mulloy.md": paper(text), "bibliography/issue.bib": bib}, manifest=MANIFEST)
    out = cli(["check", "--format", "json"], root).json()
    found = [d for d in out["diagnostics"] if d["code"] == "X307"]
    # the citation's span is the citation analysis's ("Hirono 2020" inside its parentheses)
    assert [(d["excerpt"].strip("()"), d["suggestion"]) for d in found] == [
        ("Hirono 2020", "write it as a cross-reference: (Hirono, this issue)")]
    assert [(r["text"].strip("()"), r["targets"], r["form"]) for r in out["crossrefs"]] == [
        ("Hirono 2020", ["hirono"], "author-date")]  # and Lee Jones (2015) is no cross-reference
