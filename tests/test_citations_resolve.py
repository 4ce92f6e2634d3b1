"""Resolution against a real-shaped shared .bib (Better BibTeX, JabRef and BibDesk exports merged)."""
from __future__ import annotations

from pathlib import Path

import pytest

from issue.bibliography import load_text
from issue.citations.model import Citation
from issue.citations.resolve import Resolver, acronym, cited_forms, norm
from issue.model import Contribution, Issue, Location, Person

BIB = Path(__file__).parent / "data" / "citations_unit" / "refs.bib"


@pytest.fixture(scope="module")
def bib():
    bib, _diags = load_text(BIB.read_text(encoding="utf-8"), "bibliography/refs.bib")
    return bib


def issue(**citations) -> Issue:
    return Issue(root=Path("."), title="T", year=2020, citations=citations, contributions=[
        Contribution(id="jones", file="papers/jones.md", title="ASEAN", authors=[Person("Catherine Jones")]),
        Contribution(id="cook", file="papers/cook.md", title="HADR",
                     authors=[Person("Alistair D. B. Cook"), Person("Sangeetha Yogendran")]),
    ])


@pytest.fixture(scope="module")
def resolver(bib):
    return Resolver(bib, {"aliases": {"Panel on Peace Operations": "hippo2015uniting"}}, issue())


def cite(authors, year, suffix="", et_al=False, form="parenthetical", text=None):
    author_text = text or (" and ".join(authors) if len(authors) <= 2 else ", ".join(authors[:-1]) + " and "
                           + authors[-1])
    return Citation(file="papers/x.md", contribution="x", block=1, start=0, end=1, location=Location("papers/x.md"),
                    text="", form=form, authors=list(authors), et_al=et_al, year=year, suffix=suffix,
                    author_text=author_text)


def problems(res):
    return [p[0] for p in res.problems]


def test_normalised_forms():
    assert norm("Rosas-López") == "rosaslopez"
    assert cited_forms("Robert O. Keohane") == ["robertokeohane", "keohane"]
    assert "buenodemesquita" in cited_forms("Bruce Bueno de Mesquita")
    assert acronym("United Nations High Commissioner for Refugees") == "unhcr"


@pytest.mark.parametrize("authors, year, key", [
    (["Keohane"], "1984", "keohane1984after"),
    (["Robert O. Keohane"], "1984", "keohane1984after"),
    (["Keohane", "Nye"], "1977", "keohane1977power"),
    (["de Coning"], "2018", "deconing2018adaptive"),
    (["De Coning"], "2018", "deconing2018adaptive"),
    (["van der Pijl"], "1998", "vanderpijl1998transnational"),
    (["Rosas-Lopez"], "2010", "RosasLopez2010"),  # typed without its accent
    (["Rosas López"], "2010", "RosasLopez2010"),
    (["Martel"], "2017", "Martel2017"),
    (["HIPPO"], "2015", "hippo2015uniting"),  # shortauthor
    (["United Nations High-Level Independent Panel on Peace Operations"], "2015", "hippo2015uniting"),
    (["Panel on Peace Operations"], "2015", "hippo2015uniting"),  # the [citations] alias table
    (["UNHCR"], "2018", "unhcr2018global"),  # the corporate name's acronym
    (["World Bank"], "2019", "worldbank2019"),
    (["ANZUS Treaty"], "1951", "anzus1951security"),  # no author: the short title
    (["Lee Jones"], "2015", "jones2015societies"),  # a contributor's namesake in the bibliography
    (["Smith"], "forthcoming", "smith2025forthcoming"),
])
def test_resolves(resolver, authors, year, key):
    res = resolver.resolve(cite(authors, year))
    assert (res.key, problems(res)) == (key, [])


def test_et_al_resolves_for_four_authors(resolver):
    res = resolver.resolve(cite(["Bueno de Mesquita"], "2003", et_al=True))
    assert (res.key, problems(res)) == ("buenodemesquita2003logic", [])


def test_suffixes_pick_entries_in_title_order(resolver):
    # Keohane 1986: "Reciprocity in International Relations" (a) before "Theory of World Politics" (b)
    assert resolver.resolve(cite(["Keohane"], "1986", "a")).key == "keohane1986reciprocity"
    assert resolver.resolve(cite(["Keohane"], "1986", "b")).key == "keohane1986theory"
    assert resolver.resolve(cite(["Acharya"], "2009", "b")).key == "Acharya2009b"


def test_ambiguous_without_suffix(resolver):
    res = resolver.resolve(cite(["Acharya"], "2009"))
    assert res.key is None and problems(res) == ["ambiguous-citation"]
    assert res.candidates == ["Acharya2009a", "Acharya2009b"]
    assert "'Acharya 2009a' for Acharya2009a" in res.problems[0][2]


def test_duplicate_entries_are_one_work_not_an_ambiguity(resolver):
    res = resolver.resolve(cite(["Mitrany"], "1966"))
    assert res.key in ("Mitrany1966", "mitrany1966working") and problems(res) == []


def test_author_spelling(resolver):
    res = resolver.resolve(cite(["Keohan"], "1984"))
    assert res.key == "keohane1984after" and problems(res) == ["author-spelling"]
    assert "write 'Keohane 1984'" in res.problems[0][2]
    res = resolver.resolve(cite(["Keohane", "Nie"], "1977"))
    assert res.key == "keohane1977power" and problems(res) == ["author-spelling"]


def test_author_order(resolver):
    res = resolver.resolve(cite(["Nye", "Keohane"], "1977"))
    assert res.key == "keohane1977power" and problems(res) == ["author-order"]
    assert res.problems[0][2] == "write 'Keohane and Nye 1977'"


def test_author_list_et_al_against_the_style(resolver):
    res = resolver.resolve(cite(["Breslin"], "2015", et_al=True))
    assert res.key == "Breslin2015" and problems(res) == ["author-list"]
    assert res.problems[0][2] == "write 'Breslin and Wilson 2015'"


def test_author_list_missing_coauthor_and_four_authors_named(resolver):
    res = resolver.resolve(cite(["Keohane"], "1977"))
    assert res.key == "keohane1977power" and problems(res) == ["author-list"]
    four = resolver.resolve(cite(["Bueno de Mesquita", "Smith", "Siverson", "Morrow"], "2003"))
    assert four.key == "buenodemesquita2003logic" and problems(four) == ["author-list"]
    assert four.problems[0][2] == "write 'Bueno de Mesquita et al. 2003'"


def test_et_al_threshold_is_configurable(bib):
    strict = Resolver(bib, {"et_al_min": 2}, issue())
    assert problems(strict.resolve(cite(["Breslin"], "2015", et_al=True))) == []


def test_year_mismatch(resolver):
    res = resolver.resolve(cite(["Wendt"], "1990"))
    assert res.key == "wendt1999social" and problems(res) == ["year-mismatch"]
    assert res.problems[0][2] == "write 'Wendt 1999'"
    res = resolver.resolve(cite(["Grieco"], "1998"))
    assert res.key == "grieco1988anarchy"


def test_year_typos(resolver):
    res = resolver.resolve(cite(["Keohane"], "1948"))  # two digits swapped
    assert res.key == "keohane1984after" and problems(res) == ["year-mismatch"]
    # equally near two works: no guess, the candidates are listed
    res = resolver.resolve(cite(["Keohane"], "1985"))
    assert res.key is None and problems(res) == ["undefined-citation"]
    assert res.candidates[:3] == ["keohane1984after", "keohane1986reciprocity", "keohane1986theory"]


def test_year_mismatch_picks_the_nearest_year(resolver):
    res = resolver.resolve(cite(["Keohane"], "1983"))  # 1984 is nearer than 1986
    assert res.key == "keohane1984after" and problems(res) == ["year-mismatch"]


def test_undefined_with_candidates(resolver):
    res = resolver.resolve(cite(["Smith"], "2001"))
    assert res.key is None and problems(res) == ["undefined-citation"]
    nobody = resolver.resolve(cite(["Finnemore"], "1996"))
    assert problems(nobody) == ["undefined-citation"] and nobody.candidates == []
    assert nobody.problems[0][2] == "add an entry for it to the bibliography"


def test_secondary_source_missing(resolver):
    res = resolver.resolve(cite(["Carr"], "1939", form="secondary"))
    assert problems(res) == ["secondary-source-missing"]


def test_contribution_of_this_issue_is_a_crossref_not_undefined(resolver):
    res = resolver.resolve(cite(["Jones"], "2020", form="narrative"))
    assert (res.key, res.crossref, problems(res)) == (None, "jones", [])
    both = resolver.resolve(cite(["Cook", "Yogendran"], "2020"))
    assert both.crossref == "cook"
    # another year is not this issue's paper
    assert resolver.resolve(cite(["Cook"], "2019")).crossref is None


def test_markup_keys(resolver):
    assert resolver.resolve_key("waltz1979theory").key == "waltz1979theory"
    res = resolver.resolve_key("waltz1979theroy")
    assert res.key is None and res.candidates[0] == "waltz1979theory"
    assert "did you mean @waltz1979theory (Waltz 1979)?" == res.problems[0][2]
    case = resolver.resolve_key("martel2017")
    assert case.key is None and "case-sensitive" in case.problems[0][1]


def test_known_surnames_for_the_grammar(resolver):
    assert resolver.known_surname("Keohane") and resolver.known_surname("HIPPO")
    assert not resolver.known_surname("Hegemony")


def test_label_with_letters(resolver):
    assert resolver.label("Acharya2009b") == "Acharya 2009b"
    assert resolver.label("hippo2015uniting") == "HIPPO 2015"


def test_alias_to_an_author_name(bib):
    r = Resolver(bib, {"aliases": {"Refugee Agency": "United Nations High Commissioner for Refugees"}}, issue())
    res = r.resolve(cite(["Refugee Agency"], "2018"))
    assert (res.key, problems(res)) == ("unhcr2018global", [])
    assert r.resolve(cite(["Refugee Agency"], "2018")).key == "unhcr2018global"  # the cached answer is the same
