"""The C2xx rules on real-shaped manuscripts: each one triggered, and a near miss that must not trigger it."""
from __future__ import annotations

from pathlib import Path

import pytest

from issue.diagnostics.registry import get_rule
from issue.pipeline import Context, findings, run_checks
from issue.project import load_issue

BIB = (Path(__file__).parent / "data" / "citations_unit" / "refs.bib").read_text(encoding="utf-8")

MANIFEST = """\
[issue]
title = "Cooperation amid Animosity"
journal = "Australian Journal of International Affairs"
year = 2020
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "jones"
file = "papers/jones.md"
title = "UN-ASEAN partnering for peace?"
authors = [{ name = "Catherine Jones" }]

[[contributions]]
id = "newby"
file = "papers/newby.md"
title = "ANZUS cooperation in HADR"
authors = [{ name = "Vanessa Newby" }]
"""

FILLER = "The argument proceeds in three parts, each drawing on interviews and official documents."


def run(make_issue, jones: str = FILLER, newby: str = FILLER, citations: str = "", bib: str = BIB):
    manifest = MANIFEST + ("\n[citations]\n" + citations if citations else "")
    root = make_issue({"papers/jones.md": "# Introduction\n\n" + jones + "\n",
                       "papers/newby.md": "# Introduction\n\n" + newby + "\n",
                       "bibliography/refs.bib": bib}, manifest)
    issue, diags = load_issue(root)
    ctx = Context(issue=issue)
    ctx.diagnostics.extend(diags)
    run_checks(ctx)
    return ctx


def diags(ctx, code: str):
    found = [d for d in findings(ctx).items if d.code == code]
    for d in found:  # pandoc writes a no-break space after "et al." and "p."
        d.excerpt = d.excerpt.replace("\u00a0", " ") if d.excerpt else d.excerpt
    return found


def records(ctx, contribution: str | None = None):
    return [c for c in ctx.results["citations"].records if contribution is None or c.contribution == contribution]


def test_codes_and_names_are_those_of_the_issue():
    names = {get_rule(f"C2{n:02d}").name for n in range(1, 13)}
    assert names == {"undefined-citation", "author-spelling", "author-order", "author-list", "year-mismatch",
                     "ambiguous-citation", "repeated-citation", "locator-out-of-range", "locator-style",
                     "unused-entry", "secondary-source-missing", "inconsistent-citation"}
    assert get_rule("C209").severity == "info" and get_rule("C201").severity == "error"


def test_undefined_citation_prose_and_markup(make_issue):
    ctx = run(make_issue, jones="Norms travel through localisation (Finnemore 1996, 12; Keohane 1984). "
                                "Structure matters too [@waltz1979theroy].")
    found = diags(ctx, "C201")
    assert [d.excerpt for d in found] == ["Finnemore 1996, 12", "[@waltz1979theroy]"]
    d = found[0]
    assert d.location.file == "papers/jones.md" and d.location.line == 3 and d.location.column == 36
    assert d.suggestion == "add an entry for it to the bibliography"
    assert found[1].suggestion == "did you mean @waltz1979theory (Waltz 1979)?"
    keys = [c.key for c in records(ctx, "jones")]
    assert keys == [None, "keohane1984after", None]


def test_undefined_suggests_the_closest_entries(make_issue):
    ctx = run(make_issue, jones="Institutions matter (Keohane 1985).")
    [d] = diags(ctx, "C201")
    assert d.suggestion == ("did you mean Keohane 1984 (keohane1984after) or Keohane 1986 (keohane1986reciprocity) "
                            "or Keohane 1986 (keohane1986theory)?")


def test_author_spelling_and_near_miss(make_issue):
    ctx = run(make_issue, jones="Institutions matter (Keohan 1984). So does structure (Waltz 1979).")
    [d] = diags(ctx, "C202")
    assert d.excerpt == "Keohan 1984" and "write 'Keohane 1984'" in d.suggestion
    assert [c.key for c in records(ctx, "jones")] == ["keohane1984after", "waltz1979theory"]
    assert [c.status for c in records(ctx, "jones")] == ["finding", "resolved"]


def test_accents_typed_without_them_are_not_misspellings(make_issue):
    ctx = run(make_issue, jones="Governance failed (Rosas-Lopez 2010), as Stephanie Martel (2017) shows.")
    assert diags(ctx, "C202") == [] and diags(ctx, "C201") == []


def test_author_order(make_issue):
    ctx = run(make_issue, jones="Interdependence changes the instruments of conflict (Nye and Keohane 1977).")
    [d] = diags(ctx, "C203")
    assert d.suggestion == "write 'Keohane and Nye 1977'"
    assert diags(run(make_issue, jones="Interdependence matters (Keohane and Nye 1977)."), "C203") == []


def test_author_list(make_issue):
    ctx = run(make_issue, jones="Regions are governed (Breslin et al. 2015), and interdependence (Keohane 1977).")
    found = diags(ctx, "C204")
    assert [(d.excerpt, d.suggestion) for d in found] == [
        ("Breslin et al. 2015", "write 'Breslin and Wilson 2015'"),
        ("Keohane 1977", "write 'Keohane and Nye 1977'")]
    ok = run(make_issue, jones="Regions are governed (Breslin and Wilson 2015; Bueno de Mesquita et al. 2003).")
    assert diags(ok, "C204") == []


def test_author_list_follows_et_al_min(make_issue):
    ctx = run(make_issue, jones="Regions are governed (Breslin et al. 2015).", citations="et_al_min = 2\n")
    assert diags(ctx, "C204") == []


def test_year_mismatch(make_issue):
    ctx = run(make_issue, jones="Anarchy is what states make of it, as Wendt (1990) argued.")
    [d] = diags(ctx, "C205")
    assert d.excerpt == "Wendt (1990)" and d.suggestion == "write 'Wendt 1999'"
    assert records(ctx)[0].key == "wendt1999social"


def test_ambiguous_citation_and_suffixes(make_issue):
    ctx = run(make_issue, jones="Norms are localised (Acharya 2009). Security communities (Acharya 2009a) and "
                                "ideas (Acharya 2009b, 12) differ.")
    [d] = diags(ctx, "C206")
    assert d.excerpt == "Acharya 2009" and "'Acharya 2009a' for Acharya2009a" in d.suggestion
    assert [c.key for c in records(ctx)] == [None, "Acharya2009a", "Acharya2009b"]


def test_repeated_citation(make_issue):
    ctx = run(make_issue, jones="Institutions matter (Keohane 1984, 12; Waltz 1979; Keohane 1984, 30).")
    [d] = diags(ctx, "C207")
    assert d.excerpt == "Keohane 1984, 30" and d.suggestion == "cite it once: 'Keohane 1984, 12, 30'"
    near = run(make_issue, jones="Institutions matter (Keohane 1984, 12). Later (Keohane 1984, 30).")
    assert diags(near, "C207") == []


def test_locator_out_of_range(make_issue):
    ctx = run(make_issue, jones="Relative gains bite (Grieco 1988, 900). They bite hard (Grieco 1988, 490).",
              newby="Markup too [@grieco1988anarchy, p. 12].")
    found = diags(ctx, "C208")
    assert [d.excerpt for d in found] == ["Grieco 1988, 900", "[@grieco1988anarchy, p. 12]"]
    assert "485 to 507" in found[0].message


def test_locator_style_default_and_configured(make_issue):
    text = "Cooperation (Keohane 1984: 12) and structure (Waltz 1979, 88) and ideas (Wendt 1999, p. 246)."
    ctx = run(make_issue, jones=text)
    found = diags(ctx, "C209")
    assert [(d.excerpt, d.suggestion) for d in found] == [
        ("Keohane 1984: 12", "write 'Keohane 1984, 12'"), ("Wendt 1999, p. 246", "write 'Wendt 1999, 246'")]
    assert all(d.severity.value == "info" for d in found)
    apa = run(make_issue, jones=text, citations='locator_style = ", p. 246"\n')
    assert [d.suggestion for d in diags(apa, "C209")] == ["write 'Keohane 1984, p. 12'", "write 'Waltz 1979, p. 88'"]


def test_unused_entry_levels(make_issue):
    ctx = run(make_issue, jones="Institutions (Keohane 1984).")
    unused = diags(ctx, "C210")
    assert "waltz1959man" in {d.excerpt for d in unused} and "keohane1984after" not in {d.excerpt for d in unused}
    d = next(d for d in unused if d.excerpt == "waltz1959man")
    assert d.location.file == "bibliography/refs.bib" and d.location.line is not None
    assert d.severity.value == "warning"
    off = run(make_issue, jones="Institutions (Keohane 1984).", citations='unused_entry = "off"\n')
    assert diags(off, "C210") == []
    err = run(make_issue, jones="Institutions (Keohane 1984).", citations='unused_entry = "error"\n')
    assert {d.severity.value for d in diags(err, "C210")} == {"error"}


def test_unused_entry_spares_duplicates_of_a_cited_work(make_issue):
    ctx = run(make_issue, jones="A working peace (Mitrany 1966).")
    assert not {"Mitrany1966", "mitrany1966working"} & {d.excerpt for d in diags(ctx, "C210")}


def test_secondary_source_missing(make_issue):
    ctx = run(make_issue, jones="Power decides (Carr cited in Morgenthau 1948, 23). Theory is old (Carr cited in "
                                "Wight 1991, 23).")
    [d] = diags(ctx, "C211")
    assert d.excerpt == "Carr cited in Morgenthau 1948, 23"
    assert diags(ctx, "C201") == []
    assert [c.form for c in records(ctx)] == ["secondary", "secondary"]
    assert records(ctx)[1].key == "wight1991international"


def test_inconsistent_forms_across_contributions(make_issue):
    ctx = run(make_issue, jones="Partnership is the theme (HIPPO 2015). Again (HIPPO 2015).",
              newby="Partnership is the theme (United Nations High-Level Independent Panel on Peace Operations 2015).")
    [d] = diags(ctx, "C212")
    assert d.location.file == "papers/newby.md" and "HIPPO 2015" in d.message
    # one author using both forms is their own habit
    same = run(make_issue, jones="The panel (United Nations High-Level Independent Panel on Peace Operations 2015) "
                                 "and later (HIPPO 2015).")
    assert diags(same, "C212") == []


def test_inconsistent_keys_for_one_work(make_issue):
    ctx = run(make_issue, jones="Form follows function [@mitrany1966working].", newby="Function [@Mitrany1966].")
    [d] = diags(ctx, "C212")
    assert d.excerpt == "[@Mitrany1966]" and "mitrany1966working" in d.suggestion


def test_a_contribution_of_this_issue_is_left_to_the_crossref_analysis(make_issue):
    ctx = run(make_issue, newby="ASEAN is no peacekeeping actor, as Jones (2020) shows; compare Lee Jones (2015).")
    assert diags(ctx, "C201") == []
    jones2020, lee = records(ctx, "newby")
    assert (jones2020.key, jones2020.crossref, jones2020.status) == (None, "jones", "crossref")
    assert (lee.key, lee.crossref) == ("jones2015societies", None)


def test_this_issue_is_not_extracted(make_issue):
    ctx = run(make_issue, newby="As Jones (this issue) argues, and (Jones 2020, this issue) shows.")
    assert records(ctx, "newby") == []


def test_footnotes_are_read_and_the_reference_list_is_not(make_issue):
    text = ("Institutions matter.[^1]\n\n[^1]: See Keohane (1984, 12).\n\n# References\n\n"
            "Keohane, Robert O. (1985). After Hegemony. Princeton University Press.")
    ctx = run(make_issue, jones=text)
    [c] = records(ctx, "jones")
    assert (c.key, c.note_number, c.text) == ("keohane1984after", 1, "Keohane (1984, 12)")
    assert diags(ctx, "C205") == []


def test_false_friend_with_a_month_is_dropped_unless_an_author_exists(make_issue):
    ctx = run(make_issue, jones="The crisis began (March 2011) and the Asian Financial Crisis (1997) deepened it.")
    assert records(ctx) == [] and diags(ctx, "C201") == []


def test_without_a_bibliography_nothing_about_resolution_is_reported(make_issue):
    root = make_issue({"papers/jones.md": "Institutions (Keohan 1984; Smith 2001).\n",
                       "papers/newby.md": FILLER + "\n"}, MANIFEST.replace('"bibliography/*.bib"', '"refs/*.bib"'))
    issue, _ = load_issue(root)
    ctx = Context(issue=issue)
    run_checks(ctx)
    cites = ctx.results["citations"].records
    assert [c.label() for c in cites] == ["Keohan 1984", "Smith 2001"] and all(c.key is None for c in cites)
    assert not [d for d in ctx.diagnostics if d.code.startswith("C2") and d.code != "C209"]


def test_bad_citation_options_are_configuration_errors(make_issue):
    ctx = run(make_issue, citations='locator_style = "p. 246"\net_al_min = 1\nunused_entries = "off"\n')
    found = [d for d in ctx.diagnostics if d.code.startswith("M")]
    assert sorted(d.code for d in found) == ["M102", "M112", "M112"]
    assert all(d.location.file == "issue.toml" and d.location.line for d in found)
    assert any(d.suggestion == "did you mean 'unused_entry'?" for d in found)


def test_titles_in_italics_are_not_authors(make_issue):
    ctx = run(make_issue, jones="In *Social Theory of International Politics* (1999), Wendt rejects materialism. "
                                "Robert Keohane’s *After Hegemony* (1984) is the classic statement.")
    assert [(c.authors, c.key) for c in records(ctx)] == [(["Wendt"], "wendt1999social"),
                                                          (["Robert Keohane"], "keohane1984after")]
    assert diags(ctx, "C201") == []


def test_citations_without_parentheses_in_footnotes(make_issue):
    text = ("Relief is contested.[^1]\n\n[^1]: See, e.g., Keohane 1984, 51; Waltz 1979. Interviews, Royal "
            "Australian Navy officer, Canberra, 2016; see also Finnemore 1996.")
    ctx = run(make_issue, jones=text)
    got = [(c.text, c.key, c.prefix) for c in records(ctx)]
    assert got == [("Keohane 1984, 51", "keohane1984after", "See, e.g."), ("Waltz 1979", "waltz1979theory", None),
                   ("Finnemore 1996", None, "see also")]
    assert [d.excerpt for d in diags(ctx, "C201")] == ["Finnemore 1996"]
