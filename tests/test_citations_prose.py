"""The author-date grammar for prose: every habit authors have, and the false friends it must leave alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from issue.citations.prose import Context, ProseParser, page_numbers

BIB = Path(__file__).parent / "data" / "citations_unit" / "refs.bib"
KNOWN = {"keohane", "nye", "waltz", "wendt", "wight", "grieco", "acharya", "martel", "jones", "hippo", "asean"}


def parse(text: str, known: set[str] = KNOWN, resolves=None):
    ctx = Context(known_surname=lambda w: w.lower() in known)
    if resolves:
        ctx.resolves = resolves
    return ProseParser(ctx).parse(text)


def one(text: str, **kw):
    found = parse(text, **kw)
    assert len(found) == 1, [(text[f.start:f.end], f.authors, f.year) for f in found]
    return found[0]


def spans(text: str):
    return [text[f.start:f.end] for f in parse(text)]


# -- parenthetical -------------------------------------------------------------------------------------------
def test_group_separated_by_semicolons_with_prefix_and_colon_locator():
    text = ("Institutions lengthen the shadow of the future (Keohane 1984, 12; see also Axelrod and Keohane "
            "1985: 230).")
    a, b = parse(text)
    assert (text[a.start:a.end], a.authors, a.year, a.locator, a.locator_sep) == (
        "Keohane 1984, 12", ["Keohane"], "1984", "12", ", ")
    assert (b.authors, b.year, b.locator, b.locator_sep, b.prefix) == (["Axelrod", "Keohane"], "1985", "230", ": ",
                                                                       "see also")
    assert a.group == b.group and a.form == b.form == "parenthetical"


def test_groups_separated_by_commas():
    text = "Realists disagree (Grieco 1988, Mearsheimer 1994)."
    assert [(f.authors, f.year) for f in parse(text)] == [(["Grieco"], "1988"), (["Mearsheimer"], "1994")]


def test_ampersand_three_authors_oxford_comma_and_comma_before_year():
    found = parse("Volunteers matter (Whittaker, McLennan, & Handmer, 2015, pp. 362-364).")
    assert [(f.authors, f.year, f.locator) for f in found] == [
        (["Whittaker", "McLennan", "Handmer"], "2015", "pp. 362-364")]


def test_et_al_with_and_without_comma():
    a, b = parse("Survival is political (Bueno de Mesquita et al. 2003; Smith et al., 2001, 81–82).")
    assert (a.authors, a.et_al, a.year) == (["Bueno de Mesquita"], True, "2003")
    assert (b.authors, b.et_al, b.locator) == (["Smith"], True, "81–82")


@pytest.mark.parametrize("year", ["n.d.", "forthcoming", "in press"])
def test_undated_and_forthcoming(year):
    f = one(f"This is contested (Smith {year}).")
    assert (f.authors, f.year) == (["Smith"], year)


def test_several_years_for_one_author_and_suffixes():
    text = "Structure constrains (Waltz 1979, 1986; Acharya 2009a, b; Keohane 1986a, 1986b)."
    got = [(f.authors[0], f.year + f.suffix) for f in parse(text)]
    assert got == [("Waltz", "1979"), ("Waltz", "1986"), ("Acharya", "2009a"), ("Acharya", "2009b"),
                   ("Keohane", "1986a"), ("Keohane", "1986b")]
    assert len({f.group for f in parse(text)}) == 1


@pytest.mark.parametrize("written, locator, sep", [
    ("(Keohane 1984, 246)", "246", ", "), ("(Keohane 1984: 21)", "21", ": "), ("(Keohane 1984:21)", "21", ":"),
    ("(Keohane 1984, p. 23)", "p. 23", ", "), ("(Keohane 1984, pp. 3-5)", "pp. 3-5", ", "),
    ("(Keohane 1984, 81-82)", "81-82", ", "), ("(Keohane 1984, ch. 3)", "ch. 3", ", "),
    ("(Keohane 1984, n. 4)", "n. 4", ", "), ("(Keohane 1984, 246n4)", "246n4", ", "),
    ("(Keohane 1984, xii)", "xii", ", "),
])
def test_locators_of_every_form(written, locator, sep):
    f = one(f"Cooperation is possible {written}.")
    assert (f.year, f.locator, f.locator_sep) == ("1984", locator, sep)


@pytest.mark.parametrize("prefix", ["see", "see also", "e.g.", "cf.", "e.g.,", "for a review, see", "but see"])
def test_prefixes(prefix):
    f = one(f"The debate is old ({prefix} Keohane 1984).")
    assert f.prefix == prefix.rstrip(",") and f.authors == ["Keohane"]


def test_postnote_after_locator():
    f = one("States make anarchy (Wendt 1992, 395, emphasis added).")
    assert (f.locator, f.postnote) == ("395", "emphasis added")


# -- narrative ----------------------------------------------------------------------------------------------
def test_narrative_forms():
    text = ("Wendt (1999) argued that anarchy is what states make of it, and Wendt’s (1999, 246) argument has been "
            "read widely; Keohane and Nye’s (1977) book preceded Robert O. Keohane (1984) by seven years.")
    found = parse(text)
    assert [(text[f.start:f.end], f.form, f.authors, f.locator) for f in found] == [
        ("Wendt (1999)", "narrative", ["Wendt"], None),
        ("Wendt’s (1999, 246)", "narrative", ["Wendt"], "246"),
        ("Keohane and Nye’s (1977)", "narrative", ["Keohane", "Nye"], None),
        ("Robert O. Keohane (1984)", "narrative", ["Robert O. Keohane"], None),
    ]


def test_sentence_opening_words_are_not_part_of_the_name():
    assert [f.authors for f in parse("As Keohane (1984) showed, and Following Waltz (1979), states balance.")] == [
        ["Keohane"], ["Waltz"]]


def test_narrative_several_years_and_et_al():
    found = parse("Waltz (1979, 1986) and Smith et al. (2001) disagree.")
    assert [(f.authors, f.year, f.et_al) for f in found] == [(["Waltz"], "1979", False), (["Waltz"], "1986", False),
                                                              (["Smith"], "2001", True)]


def test_name_and_year_apart_in_one_sentence():
    text = "As Wendt puts it, the structure of the system is made of shared ideas (1999, 246)."
    f = one(text)
    assert (f.authors, f.year, f.locator, f.form) == (["Wendt"], "1999", "246", "narrative")
    assert text[f.start:f.end] == "1999, 246"
    assert text[f.author_span[0]:f.author_span[1]] == "Wendt"


def test_title_between_name_and_year():
    f = one("Waltz’s Theory of International Politics (1979) set the agenda.", known=set())
    assert (f.authors, f.year) == (["Waltz"], "1979")


def test_nearest_named_author_whose_work_exists_wins():
    text = ("As Martel notes, the meaning of NTS within the ASEAN Community has moved to contestation "
            "(2017, 556).")
    f = one(text, resolves=lambda authors, year: authors == ["Martel"] and year == "2017")
    assert f.authors == ["Martel"]


def test_bare_year_continues_the_author_named_before():
    text = "Keohane (1984) set out the theory. He refined it two years later (1986a, 12)."
    first, second = parse(text)
    assert (second.authors, second.year, second.suffix, second.locator) == (["Keohane"], "1986", "a", "12")
    assert second.continued  # kept only if Keohane 1986a exists


# -- secondary --------------------------------------------------------------------------------------------
def test_cited_in():
    text = "Power is the decisive factor (Carr cited in Wight 1991, 23)."
    f = one(text)
    assert (f.form, f.authors, f.year, f.locator, f.original) == ("secondary", ["Wight"], "1991", "23", "Carr")
    assert text[f.start:f.end] == "Carr cited in Wight 1991, 23"


def test_quoted_in():
    f = one("“Politics is war by other means” (quoted in Smith 2001, p. 5).")
    assert (f.form, f.authors, f.year, f.locator, f.prefix) == ("secondary", ["Smith"], "2001", "p. 5", "quoted in")


def test_narrative_secondary_with_the_original_year():
    text = "Carr (1939, cited in Wight 1991, 23) put it bluntly."
    f = one(text)
    assert (f.form, f.authors, f.year, f.original) == ("secondary", ["Wight"], "1991", "Carr 1939")
    assert text[f.start:f.end] == text[:text.index(")") + 1]


# -- corporate authors, particles, compounds ----------------------------------------------------------------
@pytest.mark.parametrize("written, authors", [
    ("(UNHCR 2018)", ["UNHCR"]), ("(World Bank 2019, 7)", ["World Bank"]),
    ("(United Nations High-Level Independent Panel on Peace Operations 2015)",
     ["United Nations High-Level Independent Panel on Peace Operations"]),
    ("(Australian Government Department of Defence, 2016)", ["Australian Government Department of Defence"]),
    ("(de Coning 2018)", ["de Coning"]), ("(van der Pijl 1998)", ["van der Pijl"]),
    ("(Bueno de Mesquita 2003)", ["Bueno de Mesquita"]), ("(Rosas-Lopez 2010)", ["Rosas-Lopez"]),
    ("(Rosas-López 2010)", ["Rosas-López"]), ("(Stéphanie Martel 2017)", ["Stéphanie Martel"]),
    ("(O’Neill 2005)", ["O’Neill"]), ("(Hafner-Burton 2009)", ["Hafner-Burton"]),
])
def test_author_shapes(written, authors):
    assert one(f"See the data {written}.").authors == authors


# -- false friends ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "The refugee agency (UNHCR) said so.",
    "The province (local name Nanggroe) was hit.",
    "There are three steps: (1) plan, (2) act and (a) review.",
    "In March 2011 the earthquake struck.",
    "The agency published its 2019 report late.",
    "The war (1939-45) changed everything, as did the crisis (1997–98).",
    "Change came in the 1990s (the 1990s).",
    "Jones (this issue) disagrees, as does (Hirono, this issue).",
    "This happened later (in March 2011).",
    "The mission had (2000 troops) at its height.",
    "Resolution 1325 (2000) was adopted unanimously.",
    "It was founded in Bangkok (founded 1967).",
    "Fiscal years (2011/12) are used.",
])
def test_false_friends_are_not_citations(text):
    # weak items are kept by the analysis only when the bibliography has such an author ("March 2011")
    assert [text[f.start:f.end] for f in parse(text) if not f.weak] == []


def test_country_and_event_names_before_a_year_are_weak():
    found = parse("China fought Myanmar/Burma (1969), Russia (1969) and, during the Asian Financial Crisis (1997), "
                  "nobody; Typhoon Haiyan (2013) followed.", known=set())
    assert found and all(f.weak or f.continued for f in found)  # kept only if the bibliography has them


def test_month_in_parentheses_is_weak_and_a_real_author_is_not():
    march, keohane = parse("It started (March 2011), as predicted (Keohane 1984).")
    assert march.weak and not keohane.weak


def test_this_issue_cross_references_are_left_to_the_crossref_analysis():
    assert parse("Jones (2020) in this issue shows this; so does (Jones 2020, this issue).") == []
    assert spans("Lee Jones (2015) and Jones (this volume) disagree.") == ["Lee Jones (2015)"]


def test_page_numbers():
    assert page_numbers("pp. 3-5, 9") == [3, 5, 9]
    assert page_numbers("246-48") == [246, 248]
    assert page_numbers("246n4") == [246]
    assert page_numbers("ch. 3") is None and page_numbers("xii") is None
