"""Author names written surname first (Chinese, Japanese, Korean: "Qin Yaqing (2018)", "Moon Chung-in (2012)",
"Ōnuma Yasuaki (2017)") beside Western "given name + surname" ("Robert Keohane (1984)"), and given names that
tell apart authors who share a surname ("Zhang Feng (2015)" and "Zhang Xiaoming (2015)"; "Glenn Snyder (1984)"
and "Jack Snyder (1991)"). The bibliography decides which word is the surname: it stores these names as
{Qin, Yaqing} (Better BibTeX) or "Jisi Wang" (JabRef's "First Last" export), and both mean family = Qin, Wang.
Near misses: a given name that fits no entry, a wrong year, place names and titles before a year."""
from __future__ import annotations

import pytest

from issue.citations.model import Citation
from issue.citations.resolve import Resolver, given_forms, two_readings
from issue.model import Location
from onepaper import codes, paper_checker

MANIFEST = """\
[issue]
title = "Cooperation and Coordination in a Context of Animosity?"
journal = "Australian Journal of International Affairs"
year = 2020
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "tan"
file = "papers/tan.md"
title = "HADR in Northeast Asia"
authors = [{ name = "See Seng Tan" }]
"""

# A Better BibTeX export ({Family, Given}, LaTeX accents, @string) and a JabRef file written "Given Family".
BETTER_BIBTEX = r"""@string{cjip = {The Chinese Journal of International Politics}}

@book{qin2018relational,
  title = {A Relational Theory of World Politics},
  author = {Qin, Yaqing},
  date = {2018},
  publisher = {Cambridge University Press},
  location = {Cambridge}
}

@book{yan2011ancient,
  title = {Ancient {Chinese} Thought, Modern {Chinese} Power},
  author = {Yan, Xuetong},
  editor = {Bell, Daniel A. and Sun, Zhe},
  date = {2011},
  publisher = {Princeton University Press}
}

@book{moon2012sunshine,
  title = {The Sunshine Policy: In Defense of Engagement as a Path to Peace in {Korea}},
  author = {Moon, Chung-in},
  date = {2012},
  publisher = {Yonsei University Press}
}

@book{lee2016china,
  title = {China's Hegemony: Four Hundred Years of {East Asian} Domination},
  author = {Lee, Ji-Young},
  date = {2016},
  publisher = {Columbia University Press}
}

@book{lee2016fault,
  title = {Fault Lines in a Rising {Asia}},
  author = {Lee, Chung Min},
  date = {2016},
  publisher = {Carnegie Endowment for International Peace}
}

@book{onuma2017international,
  title = {International Law in a Transcivilizational World},
  author = {\=Onuma, Yasuaki},
  date = {2017},
  publisher = {Cambridge University Press}
}

@article{zhang2015chinese,
  title = {Chinese Hegemony: Grand Strategy and International Institutions in {East Asian} History},
  author = {Zhang, Feng},
  date = {2015},
  journal = cjip,
  volume = {8},
  number = {2},
  pages = {197--218}
}

@book{zhang2015deng,
  title = {Deng Xiaoping's Long War: The Military Conflict between {China} and {Vietnam}, 1979--1991},
  author = {Zhang, Xiaoming},
  date = {2015},
  publisher = {University of North Carolina Press}
}

@article{zhang2001system,
  title = {System, Empire and State in {Chinese} International Relations},
  author = {Zhang, Yongjin},
  date = {2001},
  journal = {Review of International Studies},
  volume = {27},
  number = {5},
  pages = {43--63}
}

@article{zhang2012tributary,
  title = {The Tributary System as International Society in Theory and Practice},
  author = {Zhang, Yongjin and Buzan, Barry},
  date = {2012},
  journal = cjip,
  volume = {5},
  number = {1},
  pages = {3--36}
}

@book{keohane1984after,
  title = {After Hegemony: Cooperation and Discord in the World Political Economy},
  author = {Keohane, Robert O.},
  date = {1984},
  publisher = {Princeton University Press}
}

@article{snyder1984security,
  title = {The Security Dilemma in Alliance Politics},
  author = {Snyder, Glenn H.},
  date = {1984},
  journal = {World Politics},
  volume = {36},
  number = {4},
  pages = {461--495}
}

@book{snyder1991myths,
  title = {Myths of Empire: Domestic Politics and International Ambition},
  author = {Snyder, Jack},
  date = {1991},
  publisher = {Cornell University Press}
}

@report{worldbank2019,
  title = {World Development Report 2019: The Changing Nature of Work},
  author = {{World Bank}},
  date = {2019},
  institution = {World Bank},
  location = {Washington, DC}
}

@book{feng2007chinas,
  title = {Chinese Strategic Culture and Foreign Policy Decision-Making: Confucianism, Leadership and War},
  author = {Feng, Huiyun},
  date = {2007},
  publisher = {Routledge}
}

@article{he2012debating,
  title = {Debating {China}'s Assertiveness: Taking {China}'s Power and Interests Seriously},
  author = {He, Kai and Feng, Huiyun},
  date = {2012},
  journaltitle = {International Politics},
  volume = {49},
  number = {5},
  pages = {633--644}
}

@book{north1990institutions,
  title = {Institutions, Institutional Change and Economic Performance},
  author = {North, Douglass C.},
  date = {1990},
  publisher = {Cambridge University Press}
}
"""

JABREF = """% Encoding: UTF-8

@Article{wang2011china,
  author  = {Jisi Wang},
  title   = {China's Search for a Grand Strategy: A Rising Great Power Finds Its Way},
  journal = {Foreign Affairs},
  year    = {2011},
  volume  = {90},
  number  = {2},
  pages   = {68--79},
}

@Book{wang2012never,
  author    = {Zheng Wang},
  title     = {Never Forget National Humiliation: Historical Memory in Chinese Politics and Foreign Relations},
  publisher = {Columbia University Press},
  year      = {2012},
}

@Book{snyder2018south,
  author    = {Scott A. Snyder},
  title     = {South Korea at the Crossroads: Autonomy and Alliance in an Era of Rival Powers},
  publisher = {Columbia University Press},
  year      = {2018},
}
"""


@pytest.fixture(scope="module")
def make(tmp_path_factory):
    """Check one paper (Markdown paragraphs) against both .bib files; returns the context."""
    return paper_checker(tmp_path_factory, MANIFEST, {"zotero.bib": BETTER_BIBTEX, "jabref.bib": JABREF}, "papers/tan.md", "names")


def cites(ctx):
    """(text, authors, year, key) of every citation, no-break spaces as spaces."""
    return [(c.text.replace("\u00a0", " "), c.authors, c.year, c.key) for c in ctx.results["citations"].records]


# -- surname first, as the field writes Chinese, Japanese and Korean names ---------------------------------------
PAPER = (
    "Qin Yaqing (2018) argues that relations come first, while Yan Xuetong’s (2011) moral realism puts the "
    "leader’s authority first. Wang Jisi (2011, 68) calls for a grand strategy.",
    "On the peninsula, Moon Chung-in (2012, xiii) defends engagement, and Lee Ji-Young (2016) reads the tribute "
    "system as Chinese hegemony; Ōnuma Yasuaki (2017) and, without the macron, Onuma Yasuaki (2017) see "
    "international law across civilisations.",
    "Regional order has a long history (Zhang Feng 2015, 200; Qin Yaqing 2018, 45).",
    "Zhang Yongjin and Barry Buzan (2012, 3) read the tributary system as an international society.",
)


@pytest.fixture(scope="module")
def paper(make):
    return {t: (authors, key) for t, authors, _y, key in cites(make(*PAPER))}


@pytest.mark.parametrize("text, authors, key", [
    ("Qin Yaqing (2018)", ["Qin"], "qin2018relational"),
    ("Yan Xuetong’s (2011)", ["Yan"], "yan2011ancient"),
    ("Wang Jisi (2011, 68)", ["Wang"], "wang2011china"),  # JabRef wrote "Jisi Wang"
    ("Moon Chung-in (2012, xiii)", ["Moon"], "moon2012sunshine"),
    ("Lee Ji-Young (2016)", ["Lee"], "lee2016china"),  # Lee Chung Min also has a 2016 book
    ("Ōnuma Yasuaki (2017)", ["Ōnuma"], "onuma2017international"),  # the .bib writes {\=Onuma, ...}
    ("Onuma Yasuaki (2017)", ["Onuma"], "onuma2017international"),
    ("Zhang Feng 2015, 200", ["Zhang"], "zhang2015chinese"),
    ("Qin Yaqing 2018, 45", ["Qin"], "qin2018relational"),
    ("Zhang Yongjin and Barry Buzan (2012, 3)", ["Zhang", "Barry Buzan"], "zhang2012tributary"),
])
def test_a_name_written_surname_first_resolves_and_reports_its_surname(paper, text, authors, key):
    assert paper[text] == (authors, key)


def test_surname_first_citations_carry_no_finding(make):
    ctx = make(*PAPER)
    assert [(c.text, c.findings) for c in ctx.results["citations"].records if c.findings] == []


@pytest.mark.parametrize("sentence, key, authors", [
    ("Moon Chung In (2012) writes the given name in two words.", "moon2012sunshine", ["Moon"]),
    ("Moon Chungin (2012) writes it in one.", "moon2012sunshine", ["Moon"]),
    ("Chung-in Moon (2012) writes it in the Western order.", "moon2012sunshine", ["Chung-in Moon"]),
    ("Yaqing Qin (2018) is the same author in the Western order.", "qin2018relational", ["Yaqing Qin"]),
    ("Lee Chung Min (2016) sees fault lines.", "lee2016fault", ["Lee"]),
    ("Chung Min Lee (2016) sees fault lines.", "lee2016fault", ["Chung Min Lee"]),
    ("Robert Keohane (1984) is read as he always was.", "keohane1984after", ["Robert Keohane"]),
])
def test_given_names_match_across_hyphens_spaces_and_either_order(make, sentence, key, authors):
    [(_text, got_authors, _year, got_key)] = cites(make(sentence))
    assert (got_key, got_authors) == (key, authors)


# -- given names tell namesakes apart ---------------------------------------------------------------------------
def test_given_names_choose_between_authors_who_share_a_surname_and_a_year(make):
    ctx = make("Zhang Feng (2015) and Zhang Xiaoming (2015) share a surname and a year; Glenn Snyder (1984) "
               "and Jack Snyder (1991) and Scott Snyder (2018) only a surname, as Wang Zheng’s (2012) memory "
               "politics and Wang Jisi (2011) do.")
    assert [(t, k) for t, _a, _y, k in cites(ctx)] == [
        ("Zhang Feng (2015)", "zhang2015chinese"), ("Zhang Xiaoming (2015)", "zhang2015deng"),
        ("Glenn Snyder (1984)", "snyder1984security"), ("Jack Snyder (1991)", "snyder1991myths"),
        ("Scott Snyder (2018)", "snyder2018south"), ("Wang Zheng’s (2012)", "wang2012never"),
        ("Wang Jisi (2011)", "wang2011china")]
    assert [(c.text, c.findings) for c in ctx.results["citations"].records if c.findings] == []


def test_without_a_given_name_the_namesakes_stay_ambiguous(make):
    ctx = make("Zhang (2015) could be either.")
    [c] = ctx.results["citations"].records
    assert c.key is None and set(c.candidates) == {"zhang2015chinese", "zhang2015deng"}
    assert len(codes(ctx, "C206")) == 1  # ambiguous-citation


def test_a_surname_first_name_is_not_misread_as_a_misspelt_surname(make):
    # read as surname "Zheng", it was one letter from "Zhang" and went to Zhang and Buzan 2012
    ctx = make("Memory matters (Wang Zheng 2012, 7).")
    [c] = ctx.results["citations"].records
    assert (c.key, c.authors, c.findings) == ("wang2012never", ["Wang"], [])


# -- the year decides first; a wrong given name or year falls back -------------------------------------------------
def test_a_wrong_given_name_does_not_break_a_citation_the_year_decides(make):
    [(_t, authors, _y, key)] = cites(make("Jack Snyder (1984) wrote on alliances."))
    assert (key, authors) == ("snyder1984security", ["Jack Snyder"])


def test_a_given_name_that_fits_no_entry_falls_back_to_surname_and_year(make):
    ctx = make("Zhang Wei (2015) is neither of them.")
    [c] = ctx.results["citations"].records
    assert c.key is None and c.authors == ["Zhang"]
    assert set(c.candidates) == {"zhang2015chinese", "zhang2015deng"}
    assert len(codes(ctx, "C206")) == 1


def test_a_full_name_with_a_wrong_year_is_a_year_mismatch_of_that_author(make):
    ctx = make("Qin Yaqing (2019) is misdated.")
    [c] = ctx.results["citations"].records
    assert (c.key, c.authors) == ("qin2018relational", ["Qin"])
    [d] = codes(ctx, "C205")  # year-mismatch
    assert "Qin 2018" in d.suggestion


# -- a surname that is also an English word: He (何) -----------------------------------------------------------
def test_the_surname_he_is_kept_when_the_bibliography_knows_it(make):
    ctx = make("He Kai and Feng Huiyun (2012) see assertiveness. Others disagree (He and Feng 2012, 635; He 2012). "
               "As He and Feng (2012, 640) put it, power matters.")
    assert [(t, a, k) for t, a, _y, k in cites(ctx)] == [
        ("He Kai and Feng Huiyun (2012)", ["He", "Feng"], "he2012debating"),
        ("He and Feng 2012, 635", ["He", "Feng"], "he2012debating"),
        ("He 2012", ["He"], "he2012debating"),
        ("He and Feng (2012, 640)", ["He", "Feng"], "he2012debating")]


def test_the_pronoun_he_is_still_no_author(make):
    ctx = make("Keohane (1984) set the terms. He adds a point (1984, 5). He is cited often (Qin 2018).")
    assert [(t, a, k) for t, a, _y, k in cites(ctx)] == [
        ("Keohane (1984)", ["Keohane"], "keohane1984after"), ("1984, 5", ["Keohane"], "keohane1984after"),
        ("Qin 2018", ["Qin"], "qin2018relational")]


# -- near misses: no new citations ------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    "Tensions with North Korea (1990) were high.",  # Douglass North has a 1990 book
    "South Korea (2016) joined later.",
    "Beijing (2019) objected.",
])
def test_places_before_a_year_are_not_read_surname_first(make, sentence):
    assert cites(make(sentence)) == []


def test_known_names_before_places_still_resolve(make):
    [(_t, _a, _y, key)] = cites(make("Douglass North (1990) defined institutions."))
    assert key == "north1990institutions"


@pytest.mark.parametrize("sentence", [
    "Xi Jinping (2017) told the Party Congress.",
    "Prime Minister Abe (2013) spoke in Washington.",
    "The Korea Herald (2019) reported it.",
])
def test_a_politician_before_a_year_names_no_entry(make, sentence):
    assert all(key is None for _t, _a, _y, key in cites(make(sentence)))


def test_a_corporate_name_of_two_words_is_not_read_as_a_person(make):
    [(_t, authors, _y, key)] = cites(make("Work is changing (World Bank 2019, 12)."))
    assert (key, authors) == ("worldbank2019", ["World Bank"])


# -- the pieces -------------------------------------------------------------------------------------------------
def test_given_forms_and_readings():
    assert "chungin" in given_forms("Chung-in") and "chungin" in given_forms("Chung In")
    assert "glenn" in given_forms("Glenn H.") and "glennh" in given_forms("Glenn H.")
    assert two_readings("Qin Yaqing") == (("Yaqing", "Qin", False), ("Qin", "Yaqing", True))
    assert two_readings("Moon Chung In") == (("In", "Moon Chung", False), ("Moon", "Chung In", True))
    for one_way in ("Keohane", "Robert O. Keohane", "Bueno de Mesquita", "van der Pijl", "A B C D"):
        assert two_readings(one_way) is None


@pytest.fixture(scope="module")
def resolver():
    from issue.bibliography import load_text

    bib, _d = load_text(BETTER_BIBTEX + JABREF, "bibliography/refs.bib")
    return Resolver(bib, {})


def test_the_resolver_reports_the_surname_it_chose(resolver):
    c = Citation(file="x.md", contribution="x", block=0, start=0, end=1, location=Location("x.md"), text="",
                 form="narrative", authors=["Yan Xuetong"], year="2011", author_text="Yan Xuetong")
    res = resolver.resolve(c)
    assert (res.key, res.authors, c.authors) == ("yan2011ancient", ["Yan"], ["Yan"])


# A second, messier shared file: one author stored once in full and once with initials, a namesake with
# initials only, and surnames that a capitalised phrase could be misread as.
MESSY = r"""@article{fearon2004why,
  author = {Fearon, James D.},
  title = {Why Do Some Civil Wars Last So Much Longer than Others?},
  journal = {Journal of Peace Research}, year = {2004}, volume = {41}, number = {3}, pages = {275--301}
}
@incollection{fearon2004separatist,
  author = {Fearon, J. D.},
  title = {Separatist Wars, Partition, and World Order},
  booktitle = {Security Studies}, year = {2004}, volume = {13}, number = {4}, pages = {394--415}
}
@article{huisman2003,
  author = {Huisman, Mark},
  title = {Imputation of Missing Item Responses},
  journal = {Quality and Quantity}, year = {2003}
}
@misc{james2016,
  author = {James},
  title = {Notes from the Field: {UN} Peacekeeping in {South Sudan}}, howpublished = {Blog post}, year = {2016}
}
@book{scott1991,
  author = {Scott, James C.},
  title = {Domination and the Arts of Resistance}, publisher = {Yale University Press}, year = {1991}
}
@book{gates1999,
  author = {Gates, Scott},
  title = {Unions and Uncivil War}, publisher = {Routledge}, year = {1999}
}
@article{zhang2015a,
  author = {Zhang, F.},
  title = {Confucian Foreign Policy Traditions in Chinese History},
  journal = {The Chinese Journal of International Politics}, year = {2015}
}
@article{zhang2015b,
  author = {Zhang, Feng},
  title = {Chinese Hegemony},
  journal = {The Chinese Journal of International Politics}, year = {2015}
}
"""


@pytest.fixture(scope="module")
def messy():
    from issue.bibliography import load_text

    bib, _d = load_text(MESSY, "bibliography/messy.bib")
    return Resolver(bib, {})


def narrative(name: str, year: str) -> Citation:
    return Citation(file="x.md", contribution="x", block=0, start=0, end=1, location=Location("x.md"), text="",
                    form="narrative", authors=[name], year=year, author_text=name)


def test_a_given_name_does_not_choose_between_full_and_initialled_entries(messy):
    # the same person stored twice: the given name tells nothing, the a/b letters must
    res = messy.resolve(narrative("James Fearon", "2004"))
    assert res.key is None and set(res.ambiguous) == {"fearon2004why", "fearon2004separatist"}
    res = messy.resolve(narrative("Zhang Feng", "2015"))
    assert res.key is None and set(res.ambiguous) == {"zhang2015a", "zhang2015b"}


def test_a_phrase_read_surname_first_needs_the_surname_exactly(messy):
    # 'Human' is one letter from no surname here, but 'Huisman' is close enough for a typo of a real surname
    res = messy.resolve(narrative("Human Security", "2003"))
    assert res.key is None and not res.author_match


def test_a_known_author_read_as_today_is_not_traded_for_a_surname_read_first(messy):
    # Scott Gates wrote in 1999; James C. Scott in 1991: 'Scott Gates (1991)' is a misdated Gates, not Scott
    res = messy.resolve(narrative("Scott Gates", "1991"))
    assert res.key != "scott1991" and res.authors is None


def test_an_author_without_a_given_name_does_not_confirm_a_reading(messy):
    # a blog signed 'James' (no given name) is no evidence that 'James Fearon' is read surname first
    res = messy.resolve(narrative("James Fearon", "2016"))
    assert res.key != "james2016" and res.authors is None
