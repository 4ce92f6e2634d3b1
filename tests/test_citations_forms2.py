"""More of the forms real authors write, found through the whole check on a real-shaped issue: reprints and
original years, a question-mark title between name and year, "cited in" in running text, the slips of drafts (a
year glued to the name, a full stop before ')', a surname in lower case, a parenthesis never closed), corporate
authors joined by "and" or named without their leading words, a wrong year that cannot be guessed, and the false
friends next to them (event dates, Quarto cross-references, season and budget years, an e-mail address)."""
from __future__ import annotations

import pytest

from issue.citations.prose import ProseParser, year_parts
from onepaper import checked, codes, paper_checker

MANIFEST = """\
[issue]
title = "Order and Its Discontents"
journal = "Review of International Studies"
year = 2021
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "okafor"
file = "papers/okafor.md"
title = "Reading the classics again"
authors = [{ name = "Ngozi Okafor" }]
"""

# A Better BibTeX export with @string and biblatex fields (origdate, shortauthor), a hand-kept file for
# organisations (braced corporate names) and a JabRef-style entry: the shapes of a real shared bibliography.
BIB = r"""@string{is = {International Security}}

@book{bull2002anarchical,
  title = {The Anarchical Society: A Study of Order in World Politics},
  author = {Bull, Hedley},
  year = {2002},
  origdate = {1977},
  edition = {3},
  publisher = {Palgrave}
}

@book{rousseau1997social,
  title = {The Social Contract and Other Later Political Writings},
  author = {Rousseau, Jean-Jacques},
  editor = {Gourevitch, Victor},
  date = {1997},
  origdate = {1762},
  publisher = {Cambridge University Press}
}

@book{morgenthau1985politics,
  title = {Politics among Nations: The Struggle for Power and Peace},
  author = {Morgenthau, Hans J.},
  year = {1985},
  edition = {6},
  publisher = {Knopf}
}

@article{glaser1994realists,
  title = {Realists as Optimists: Cooperation as Self-Help},
  author = {Glaser, Charles L.},
  year = {1994},
  journal = is,
  volume = {19},
  number = {3},
  pages = {50--90}
}

@book{jervis1976perception,
  title = {Perception and Misperception in International Politics},
  author = {Jervis, Robert},
  year = {1976},
  publisher = {Princeton University Press}
}

@book{axelrod1984evolution,
  title = {The Evolution of Cooperation},
  author = {Axelrod, Robert},
  year = {1984},
  publisher = {Basic Books}
}

@article{fukuyama1989end,
  title = {The End of History?},
  author = {Fukuyama, Francis},
  year = {1989},
  journal = {The National Interest},
  number = {16},
  pages = {3--18}
}

@book{gaddis2005cold,
  title = {The Cold War: A New History},
  author = {Gaddis, John Lewis},
  year = {2005},
  publisher = {Penguin}
}

@article{snyder1990averting,
  title = {Averting Anarchy in the New Europe},
  author = {Snyder, Jack},
  year = {1990},
  journal = is,
  volume = {14},
  number = {4},
  pages = {5--41}
}

@book{snyder1991myths,
  title = {Myths of Empire},
  author = {Snyder, Jack},
  year = {1991},
  publisher = {Cornell University Press}
}

@article{snyder1984civil,
  title = {Civil-Military Relations and the Cult of the Offensive, 1914 and 1984},
  author = {Snyder, Jack},
  year = {1984},
  journal = is,
  volume = {9},
  number = {1},
  pages = {108--146}
}

@article{christensen1999china,
  title = {China, the U.S.-Japan Alliance, and the Security Dilemma in East Asia},
  author = {Christensen, Thomas J.},
  year = {1999},
  journal = is,
  volume = {23},
  number = {4},
  pages = {49--80}
}

@report{adb2013connecting,
  title = {Connecting South Asia and Southeast Asia},
  author = {{Asian Development Bank} and {World Bank}},
  date = {2013},
  institution = {Asian Development Bank}
}

@report{imf2016debt,
  title = {Debt Sustainability in Low-Income Countries},
  author = {{International Monetary Fund and World Bank}},
  date = {2016},
  institution = {International Monetary Fund}
}

@report{ohchr2018protection,
  title = {Protection of Civilians in Armed Conflict},
  author = {{United Nations Office of the High Commissioner for Human Rights}},
  shortauthor = {OHCHR},
  date = {2018},
  institution = {United Nations}
}

@book{hobbes1996leviathan,
  title = {Leviathan},
  author = {Hobbes, Thomas},
  editor = {Tuck, Richard},
  year = {1996},
  origdate = {1651},
  publisher = {Cambridge University Press}
}

@report{sec-annual2019,
  title = {Annual Report},
  author = {{Securities and Exchange Commission}},
  year = {2019},
  institution = {SEC}
}
"""


@pytest.fixture(scope="module")
def make(tmp_path_factory):
    """Check one paper (Markdown paragraphs) against BIB; returns the context."""
    return paper_checker(tmp_path_factory, MANIFEST, {"refs.bib": BIB}, "papers/okafor.md", "issue")


def cites(ctx):
    """(text, year, key, form) of every citation, no-break spaces as spaces."""
    return [(c.text.replace("\u00a0", " "), c.year, c.key, c.form) for c in ctx.results["citations"].records]


# -- reprints and original years -------------------------------------------------------------------------------
def test_reprint_years_resolve_to_the_edition_read_and_keep_the_year_as_written(make):
    ctx = make(
        "Order rests on shared rules, not on a balance alone (Bull [1977] 2002, 13), and Bull’s *The Anarchical "
        "Society* ([1977] 2002) remains the reference point.",
        "The general will cannot err (Rousseau 1997 [1762], 59), although Morgenthau (1948/1985) doubted that "
        "any such will existed between states (Morgenthau, 1948/1985, p. 12).",
        "Optimism was a realist position too: Glaser (1994/95) argued for cooperation as self-help.",
    )
    assert cites(ctx) == [
        ("Bull [1977] 2002, 13", "[1977] 2002", "bull2002anarchical", "parenthetical"),
        ("Bull’s The Anarchical Society ([1977] 2002)", "[1977] 2002", "bull2002anarchical", "narrative"),
        ("Rousseau 1997 [1762], 59", "1997 [1762]", "rousseau1997social", "parenthetical"),
        ("Morgenthau (1948/1985)", "1948/1985", "morgenthau1985politics", "narrative"),
        ("Morgenthau, 1948/1985, p. 12", "1948/1985", "morgenthau1985politics", "parenthetical"),
        ("Glaser (1994/95)", "1994/95", "glaser1994realists", "narrative"),
    ]
    assert codes(ctx, "C201") == [] and codes(ctx, "C205") == []


def test_a_winter_issue_with_a_dash_is_a_citation_only_for_a_known_author(make):
    ctx = make("Glaser (1994–95) made the case (Snyder 1984-85, 110). The talks (Ministry 1993–94) failed, as did "
               "the coalition of Ma Ying-jeou (2008–09); the war (1939–45) and Grotius (1583–1645) are dates.")
    assert [(t, y, k) for t, y, k, _f in cites(ctx)] == [
        ("Glaser (1994–95)", "1994–95", "glaser1994realists"),
        ("Snyder 1984-85, 110", "1984-85", "snyder1984civil"),
    ]
    assert codes(ctx, "C201") == []


def test_an_original_year_alone_matches_the_entrys_origdate(make):
    ctx = make("Life outside the commonwealth is short (Hobbes [1651] 1998, 89).")
    # the edition read is not in the bibliography, but the work is: origdate 1651 names it
    assert cites(ctx) == [("Hobbes [1651] 1998, 89", "[1651] 1998", "hobbes1996leviathan", "parenthetical")]


def test_year_parts():
    assert year_parts("[1939] 2001") == ["2001", "1939"]
    assert year_parts("2001 [1939]") == ["2001", "1939"]
    assert year_parts("1960/1980") == ["1980", "1960"]
    assert year_parts("1993/94") == ["1993", "1994"] and year_parts("1993–94") == ["1993", "1994"]
    assert year_parts("1999/00") == ["1999", "2000"]
    assert year_parts("n.d.") == ["n.d."] and year_parts("1984") == ["1984"]


@pytest.mark.parametrize("text", [
    "Attendance fell sharply (1993/94 season) and never recovered.",
    "The ministry's allocation (2019/20 budget) was cut again.",
    "Ministers met twice (Cabinet 2011/13) without result.",  # not two years of one work
    "The Security Council adopted Resolution 1325 (2000) unanimously.",
    "In 1648 the treaty ended the war, and by 1713 another had redrawn the map.",
])
def test_near_misses_of_reprint_years_are_not_citations(text):
    assert ProseParser().parse(text) == []


# -- a title between name and year -----------------------------------------------------------------------------
def test_a_title_ending_in_a_question_mark_between_name_and_year(make):
    ctx = make("Francis Fukuyama’s “The End of History?” (1989) was read as triumphalism. Others were less sure "
               "(Jervis 1976, 58).")
    assert cites(ctx)[0] == ("Francis Fukuyama’s “The End of History?” (1989)", "1989", "fukuyama1989end",
                             "narrative")
    assert cites(ctx)[1][2] == "jervis1976perception"


# -- "cited in" without parentheses ------------------------------------------------------------------------------
def test_cited_in_running_text_without_parentheses(make):
    ctx = make("Kennan’s warning, quoted in Gaddis 2005, 29, went unheeded in Washington, and the memo "
               "cited in Smith 2010, 4 was never found.")
    got = ctx.results["citations"].records
    assert [(c.text, c.form, c.key, c.locator) for c in got] == [
        ("quoted in Gaddis 2005, 29", "secondary", "gaddis2005cold", "29"),
        ("cited in Smith 2010, 4", "secondary", None, "4"),
    ]
    assert got[0].original == "Kennan"
    assert [d.excerpt for d in codes(ctx, "C211")] == ["cited in Smith 2010, 4"]


def test_discussed_in_is_a_citation_only_for_a_known_author(make):
    ctx = make("The plan, discussed in Parliament 2019 and in Cabinet, was dropped; the dilemma discussed in "
               "Christensen 1999, 50 was not.")
    assert [(c.text, c.key) for c in ctx.results["citations"].records] == [
        ("discussed in Christensen 1999, 50", "christensen1999china")]


# -- the slips of drafts -----------------------------------------------------------------------------------------
def test_drafting_slips_are_still_citations(make):
    ctx = make(
        "Misperception is common (Jervis1976, Glaser 1994). But (Axelrod, 1984.) shows that cooperation can "
        "evolve, and (see axelrod 1984, 12) on the shadow of the future.",
        "The dilemma is real but manageable (Christensen 1999, 49; Jervis 1976, 62",
    )
    assert [(t, y, k) for t, y, k, _f in cites(ctx)] == [
        ("Jervis1976", "1976", "jervis1976perception"),
        ("Glaser 1994", "1994", "glaser1994realists"),
        ("Axelrod, 1984", "1984", "axelrod1984evolution"),
        ("axelrod 1984, 12", "1984", "axelrod1984evolution"),
        ("Christensen 1999, 49", "1999", "christensen1999china"),
        ("Jervis 1976, 62", "1976", "jervis1976perception"),
    ]
    assert [c.prefix for c in ctx.results["citations"].records][3] == "see"


def test_an_unclosed_parenthesis_ends_with_its_sentence(make):
    ctx = make("Alliances entrap (Snyder 1991, 12; Christensen 1999, 50. The next sentence is prose and "
               "mentions 2005 only as a date (Jervis 1976).")
    assert [(t, k) for t, _y, k, _f in cites(ctx)] == [("Snyder 1991, 12", "snyder1991myths"),
                                                     ("Christensen 1999, 50", "christensen1999china"),
                                                     ("Jervis 1976", "jervis1976perception")]


def test_an_unclosed_parenthesis_keeps_the_full_stop_of_n_d():
    """The sentence's full stop is left out of an unclosed citation, but "n.d." keeps its own (found by the
    property tests: the span ended "(n.d")."""
    found = ProseParser().parse("As argued elsewhere (Keohane n.d. The argument goes on (Waltz 1979.")
    assert [(f.year, f.end) for f in found] == [("n.d.", len("As argued elsewhere (Keohane n.d.")),
                                                ("1979", len("As argued elsewhere (Keohane n.d. The argument goes "
                                                             "on (Waltz 1979"))]


def test_draft_locators_and_joined_items():
    found = ProseParser().parse("Audiences matter (Schultz, 2001, Chapter 2; Tomz 2007, p 35; Weeks 2008, pg. 31) "
                                "and so do rivals (Jervis 1978 and Glaser 1994), as Smith argued (Nixon, as "
                                "quoted in Kissinger, 1979, p. 12).")
    assert [(f.authors, f.locator, f.prefix) for f in found] == [
        (["Schultz"], "Chapter 2", None), (["Tomz"], "p 35", None), (["Weeks"], "pg. 31", None),
        (["Jervis"], None, None), (["Glaser"], None, None),  # the "and" joins two items: no prefix
        (["Kissinger"], "p. 12", "quoted in"),
    ]
    assert found[-1].form == "secondary" and found[-1].original == "Nixon"


def test_an_initial_after_the_surname_tells_namesakes_apart_and_humanities_locators():
    found = ProseParser().parse("Two authors named Jones (Jones, L. 2012; Jones, C., 2018, 4) differ from a list "
                                "(Smith, Jones, and Brown 2001); see (Keohane 1984, passim; Waltz 1979, esp. 88–93).")
    assert [(f.authors, f.locator) for f in found] == [
        (["L. Jones"], None), (["C. Jones"], "4"), (["Smith", "Jones", "Brown"], None),
        (["Keohane"], "passim"), (["Waltz"], "esp. 88–93"),
    ]


@pytest.mark.parametrize("text", [
    "Growth resumed (since 1984) and slowed again (Vision2030).",
    "The plan (long 1984 version) was shelved (Horizon2020 funds).",
    "It was a draft (see above. In 1999 it changed",
])
def test_near_misses_of_drafting_slips(make, text):
    assert cites(make(text)) == []


def test_a_glued_year_or_a_lower_case_name_needs_an_author_the_bibliography_knows():
    # without a bibliography nothing supports the slip: the grammar marks them weak (kept only on a match)
    found = ProseParser().parse("as argued (Jervis1976) and (keohane 1984)")
    assert [f.weak for f in found] == [True]  # "keohane" is not known at all: not even a candidate


# -- corporate authors -------------------------------------------------------------------------------------------
def test_corporate_authors_joined_by_and(make):
    ctx = make("Connectivity was the theme of the study by the Asian Development Bank and World Bank (2013, 4), "
               "and the International Monetary Fund and World Bank (2016, 9) estimate the debt risk.")
    assert [(t, k, f) for t, _y, k, f in cites(ctx)] == [
        ("Asian Development Bank and World Bank (2013, 4)", "adb2013connecting", "narrative"),
        ("International Monetary Fund and World Bank (2016, 9)", "imf2016debt", "narrative"),
    ]


def test_a_corporate_name_without_its_leading_words(make):
    ctx = make("Civilians bear the cost (Office of the High Commissioner for Human Rights 2018, 7; OHCHR 2018, 9), "
               "as the High Commissioner for Human Rights (2018, 3) notes.")
    keys = [k for _t, _y, k, _f in cites(ctx)]
    assert keys == ["ohchr2018protection"] * 3
    assert codes(ctx, "C201") == []


def test_a_bare_word_of_a_corporate_name_is_not_enough(make):
    ctx = make("Lending grew (Bank 2016, 3).")
    assert [(t, k) for t, _y, k, _f in cites(ctx)] == [("Bank 2016, 3", None)]


# -- a wrong year ------------------------------------------------------------------------------------------------
def test_a_wrong_year_near_several_works_names_none(make):
    # Snyder has 1984, 1990 and 1991: "1989" is one year from 1990 and two from 1991, so the year does not tell
    # which work is meant: no entry, a year-mismatch listing the works nearest in year
    ctx = make("Hypernationalism is a choice (Snyder 1989, 20).")
    [c] = ctx.results["citations"].records
    assert c.key is None and c.candidates == ["snyder1990averting", "snyder1991myths", "snyder1984civil"]
    [d] = codes(ctx, "C205")
    assert d.excerpt == "Snyder 1989, 20" and codes(ctx, "C201") == []
    assert d.suggestion == ("write the year of the work meant: 'Snyder 1990' (snyder1990averting) or 'Snyder 1991' "
                            "(snyder1991myths) or 'Snyder 1984' (snyder1984civil)")


def test_a_wrong_year_with_one_clear_work_is_still_resolved(make):
    ctx = make("Misperception again (Jervis 1967, 58), and Snyder 1986 below (Snyder 1986, 110).")
    got = [(t, k) for t, _y, k, _f in cites(ctx)]
    # 1967 swaps two digits of 1976 (Jervis's only work); 1986 is two years from 1984 and four from the others
    assert got == [("Jervis 1967, 58", "jervis1976perception"), ("Snyder 1986, 110", "snyder1984civil")]
    assert len(codes(ctx, "C205")) == 2


def test_a_page_outside_the_guessed_work_takes_the_guess_back(make):
    # "1980" is taken for Snyder 1984 (one digit off, the only work near it): a year-mismatch. With page 30 it cannot
    # be: that article runs pp. 108-146, so no entry is chosen and the works are listed
    ctx = make("Militaries prefer the offensive (Snyder 1980, 120). The cult spread (Snyder 1980, 30). "
               "Cooperation is self-help (Glaser 1996, 300).")
    first, second, third = ctx.results["citations"].records
    assert first.key == "snyder1984civil"
    assert second.key is None and second.candidates == ["snyder1984civil", "snyder1990averting", "snyder1991myths"]
    assert third.key is None and third.candidates == ["glaser1994realists"]
    found = codes(ctx, "C205")
    assert [d.excerpt for d in found] == ["Snyder 1980, 120", "Snyder 1980, 30", "Glaser 1996, 300"]
    assert "page 30 is outside the pages of snyder1984civil" in found[1].message
    assert codes(ctx, "C201") == []


# -- event dates and Quarto cross-references ---------------------------------------------------------------------
def test_event_dates_before_1800_are_not_citations_unless_an_author(make):
    ctx = make("The settlement of Utrecht (1713) and the Peace of Westphalia (1648) framed the argument that "
               "Hobbes (1996, 89) had made, and Locke (1689) answered; Morgan (1985) is missing.")
    got = [(t, k) for t, _y, k, _f in cites(ctx)]
    assert got == [("Hobbes (1996, 89)", "hobbes1996leviathan"), ("Morgan (1985)", None)]


def test_events_named_after_a_place_are_not_citations(make):
    ctx = make("The Treaty of Nanking (1842), the Congress of Berlin (1878) and the Battle of Britain (1940) are "
               "dates, and so are the conferences at Bandung (1955) and Yalta (1945), but Glaser (1994) and the "
               "regional study by Christensen (1999) are citations.")
    assert [(t, k) for t, _y, k, _f in cites(ctx)] == [("Glaser (1994)", "glaser1994realists"),
                                                     ("Christensen (1999)", "christensen1999china")]
    assert codes(ctx, "C201") == []


def test_quarto_cross_references_are_not_citations(make):
    ctx = make("The payoffs are in @fig-payoffs and @tbl-results; the model is @eq-utility, set out in "
               "@sec-model. Write to editor@example.com. Securities filings matter "
               "[@sec-annual2019; @axelrod1984evolution].")
    got = [(c.written_key, c.key) for c in ctx.results["citations"].records]
    assert got == [("sec-annual2019", "sec-annual2019"), ("axelrod1984evolution", "axelrod1984evolution")]
    assert codes(ctx, "C201") == []


# -- natbib's capitalised commands ---------------------------------------------------------------------------------
LATEX = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
\section{Introduction}
\Citet{axelrod1984evolution} showed that cooperation can evolve among egoists.
Later work agreed \citep[see][12]{jervis1976perception}. \Citeauthor{glaser1994realists} went further,
and \Citealp{nobody2001} is not in the bibliography.
\end{document}
"""


def test_capitalised_natbib_commands_are_read(tmp_path):
    root = tmp_path / "issue"
    (root / "bibliography").mkdir(parents=True)
    (root / "papers").mkdir()
    (root / "issue.toml").write_text(MANIFEST.replace("papers/okafor.md", "papers/okafor.tex"), encoding="utf-8")
    (root / "bibliography" / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "papers" / "okafor.tex").write_text(LATEX, encoding="utf-8")
    ctx = checked(root)
    got = [(c.text, c.key, c.capitalised, c.location.line, c.location.column)
           for c in ctx.results["citations"].records]
    assert got == [
        (r"\Citet{axelrod1984evolution}", "axelrod1984evolution", True, 5, 1),
        (r"\citep[see][12]{jervis1976perception}", "jervis1976perception", False, 6, 19),
        (r"\Citeauthor{glaser1994realists}", "glaser1994realists", True, 6, 58),
        (r"\Citealp{nobody2001}", None, True, 7, 5),
    ]
    [d] = codes(ctx, "C201")
    assert d.excerpt == r"\Citealp{nobody2001}" and d.location.line == 7
