"""The B1xx rules: each with a case that triggers it and a near miss that must not."""
from __future__ import annotations

import datetime
import textwrap

import pytest

from issue.bibliography.checks import check_bibliography
from issue.bibliography.load import load_text
from issue.diagnostics.registry import get_rule

TODAY = datetime.date(2021, 6, 1)


def findings(bib_text: str, options: dict | None = None, name: str | None = None):
    bib, load_diags = load_text(textwrap.dedent(bib_text))
    found = load_diags + check_bibliography(bib, options or {}, today=TODAY)
    return [d for d in found if name is None or d.name == name]


def test_rules_are_registered_with_codes_and_names():
    for code, name in [("B101", "bib-syntax"), ("B102", "bib-encoding"), ("B103", "bibliography-file"),
                       ("B104", "duplicate-key"), ("B105", "duplicate-entry"), ("B106", "missing-field"),
                       ("B107", "invalid-identifier"), ("B108", "field-format"), ("B109", "missing-crossref"),
                       ("B110", "undefined-string"), ("B111", "unknown-entry-type"), ("B112", "merge-conflict")]:
        rule = get_rule(code)
        assert rule.name == name and get_rule(name).code == code and rule.summary
    # errors only for what breaks citations
    assert {r: get_rule(r).severity for r in ("duplicate-key", "missing-crossref", "bib-syntax", "missing-field")} \
        == dict.fromkeys(("duplicate-key", "missing-crossref", "bib-syntax", "missing-field"), "error")
    assert get_rule("duplicate-entry").severity == "warning"


# -- duplicate-entry ----------------------------------------------------------------------------------------
KEOHANE = """
@book{keohane1984after,
  title = {After Hegemony: Cooperation and Discord in the World Political Economy},
  author = {Keohane, Robert O.},
  year = {1984},
  publisher = {Princeton University Press}
}
"""


def test_same_work_by_normalised_author_year_title():
    found = findings(KEOHANE + """
        @book{Keohane:AH,
          title = {After hegemony: {Cooperation} and discord in the world political economy.},
          author = {Keohane, R. O.},
          year = {1984}
        }
        """, name="duplicate-entry")
    assert len(found) == 1
    d = found[0]
    assert d.data == {"key": "Keohane:AH", "same_as": "keohane1984after",
                      "reason": "the same first author, year and title"}
    assert d.location.line == 9 and d.excerpt == "Keohane:AH" and "distinct" in d.suggestion


def test_same_work_by_doi_even_with_different_titles():
    found = findings("""
        @article{acharya2004,
          title = {How Ideas Spread: Whose Norms Matter?}, author = {Acharya, Amitav}, year = {2004},
          journal = {International Organization}, doi = {10.1017/S0020818304582024}
        }
        @article{Acharya:norms,
          title = {Whose norms matter}, author = {Acharya, A.}, year = {2004},
          journal = {IO}, doi = {https://doi.org/10.1017/s0020818304582024}
        }
        """, name="duplicate-entry")
    assert [d.data["reason"] for d in found] == ["the same DOI 10.1017/s0020818304582024"]


def test_same_work_by_fuzzy_title_and_accent_variants():
    found = findings("""
        @article{rudig2014,
          title = {Who Protests in Greece? Mass Opposition to Austerity}, author = {R{\\"u}dig, Wolfgang},
          year = {2014}, journal = {British Journal of Political Science}
        }
        @article{ruedig:karyotis:2014,
          title = {Who protest in Greece? Mass opposition to austerity}, author = {Rüdig, Wolfgang},
          year = {2014}, journal = {BJPolS}
        }
        """, name="duplicate-entry")
    assert len(found) == 1 and found[0].data["reason"].startswith("a near-identical title")


def test_two_editions_volumes_or_declared_pairs_are_not_duplicates():
    base = """
        @book{bellamy2004,
          title = {Understanding Peacekeeping}, author = {Bellamy, Alex J.}, year = {2010}, publisher = {Polity}
        }
        @book{bellamy2010,
          title = {Understanding Peacekeeping}, author = {Bellamy, Alex J.}, year = {2010}, publisher = {Polity},
          edition = {2}
        }
        @book{kissinger1994v1,
          title = {Diplomacy}, author = {Kissinger, Henry}, year = {1994}, volume = {1}
        }
        @book{kissinger1994v2,
          title = {Diplomacy}, author = {Kissinger, Henry}, year = {1994}, volume = {2}
        }
        """
    assert findings(base, name="duplicate-entry") == []
    pair = """
        @article{jones2020a,
          title = {Introduction}, author = {Jones, Catherine}, year = {2020}, journal = {The Pacific Review}
        }
        @article{jones2020b,
          title = {Introduction}, author = {Jones, Catherine}, year = {2020}, journal = {Asian Security}
        }
        @book{mitrany1943, title = {A Working Peace System}, author = {Mitrany, David}, year = {1943}}
        @book{mitrany1943pamphlet, title = {A Working Peace System}, author = {Mitrany, David}, year = {1943}}
        """
    # a short title in two journals is two works; the editor's allow-list silences a real-looking pair
    assert [d.data["key"] for d in findings(pair, name="duplicate-entry")] == ["mitrany1943pamphlet"]
    assert findings(pair, {"distinct": [["mitrany1943", "mitrany1943pamphlet"]]}, name="duplicate-entry") == []


def test_duplicate_detection_scales_to_master_bib(corpora):
    from issue.bibliography import load_bibliography
    from issue.bibliography.duplicates import find_duplicates

    bib, _ = load_bibliography(corpora, [], files=["s7minhas_whistle/master.bib"])
    dups = find_duplicates(bib.entries.values())
    pairs = {(d.first.key, d.second.key) for d in dups}
    assert ("zeileis:2008", "zeileis:etal:2008") in pairs  # 'count data in R' vs 'in \mathcal{R}'
    assert ("neumayer:plumper:2010", "neumayer:pluemper:2010") in pairs
    assert 50 < len(dups) < 300
    for d in dups:
        assert d.first.key != d.second.key


# -- duplicate-key ------------------------------------------------------------------------------------------
def test_duplicate_key_and_case_only_difference():
    found = findings("""
        @book{paris2004, title = {At War's End}, author = {Paris, Roland}, year = {2004}}
        @book{Paris2004, title = {At War's End}, author = {Paris, Roland}, year = {2004}}
        """)
    assert [d.name for d in found if d.severity.value == "error"] == ["duplicate-key"]
    assert "differs only in case" in found[0].message
    # same work under a case-variant key is reported once (as duplicate-key), not twice
    assert [d.name for d in found].count("duplicate-entry") == 0
    assert findings("""
        @book{paris2004, title = {At War's End}, author = {Paris, Roland}, year = {2004}}
        @book{paris2004b, title = {Understanding}, author = {Paris, Roland}, year = {2004}}
        """, name="duplicate-key") == []


# -- missing-field ------------------------------------------------------------------------------------------
def test_article_without_journal_and_biblatex_near_miss():
    found = findings("""
        @article{smith2017,
          author = {Smith, Sheila A.}, title = {Japan's Peacekeeping}, year = {2017}
        }
        """, name="missing-field")
    assert [d.message for d in found] == ["@article 'smith2017' has no journaltitle or journal"]
    assert found[0].severity.value == "error" and found[0].data["field"] == "journaltitle"
    assert findings("""
        @article{smith2017,
          author = {Smith, Sheila A.}, title = {Japan's Peacekeeping}, date = {2017-05},
          journaltitle = {Asia Policy}
        }
        @incollection{capie2020, author = {Capie, David}, title = {Southeast Asia}, crossref = {handbook}}
        @book{handbook, editor = {Williams, Paul D.}, title = {Handbook of Peacekeeping}, year = {2020}}
        @book{un2015, author = {{United Nations}}, title = {Uniting Our Strengths}, year = {2015}}
        """, name="missing-field") == []


def test_bibtex_dialect_requires_year_not_date():
    text = """
        @article{smith2017,
          author = {Smith, Sheila A.}, title = {Japan's Peacekeeping}, date = {2017-05}, journal = {Asia Policy}
        }
        """
    assert findings(text, name="missing-field") == []
    found = findings(text, {"dialect": "bibtex"}, name="missing-field")
    assert [d.message for d in found] == ["@article 'smith2017' has date but no year; BibTeX styles read only year"]


# -- invalid-identifier -------------------------------------------------------------------------------------
def test_identifiers_with_wrong_check_digits_or_syntax():
    found = findings("""
        @book{a,
          author = {Keohane, Robert O.}, title = {After Hegemony}, year = {1984},
          isbn = {978-0-691-12248-7},
          doi = {10.1080 10357718.2019.1693501},
          url = {www.un.org/peacekeeping}
        }
        @article{b,
          author = {Tan, See Seng}, title = {The ADMM-Plus}, year = {2019}, journal = {The Pacific Review},
          issn = {0951-2749}, isbn = {0022-3433}, doi = {https://doi.org/10.1080/09512748.2018.1553893}
        }
        """, name="invalid-identifier")
    messages = [d.message for d in found]
    assert "isbn '978-0-691-12248-7' of 'a' is not valid: the ISBN-13 check digit should be 9" in messages
    assert any(m.startswith("doi '10.1080 10357718") for m in messages)
    assert any(m.startswith("url 'www.un.org/peacekeeping'") for m in messages)
    assert any(m.startswith("issn '0951-2749'") and "should be 8" in m for m in messages)
    isbn_issn = next(d for d in found if "0022-3433" in d.message)
    assert isbn_issn.suggestion == "this is an ISSN: issn = {0022-3433}"
    link = next(d for d in found if "written as a link" in d.message)
    assert link.suggestion == "doi = {10.1080/09512748.2018.1553893}" and link.location.line == 10


def test_valid_identifiers_pass():
    assert findings("""
        @book{a,
          author = {Bellamy, Alex J.}, title = {Understanding Peacekeeping}, year = {2010},
          isbn = {0-7456-4186-5 978-0-7456-4186-7}, issn = {1353-3312},
          doi = {10.1080/13533312.2016.1249932}, url = {https://www.un.org/peacekeeping/}
        }
        """, name="invalid-identifier") == []


# -- field-format -------------------------------------------------------------------------------------------
def test_single_hyphen_page_range_is_info_and_double_is_fine():
    found = findings("@article{a, author = {A, B}, title = {T}, journal = {J}, year = {2000}, pages = {685-708}}",
                     name="field-format")
    assert [(d.severity.value, d.suggestion) for d in found] == [("info", "pages = {685--708}")]
    assert findings("@article{a, author = {A, B}, title = {T}, journal = {J}, year = {2000}, pages = {685--708}}\n"
                    "@article{b, author = {A, B}, title = {U}, journal = {J}, year = {2000}, pages = {e0123}}",
                    name="field-format") == []


@pytest.mark.parametrize("field, message", [
    ("year = {2031}", "year 2031 of 'a' is in the future"),
    ("year = {2017a}", "year '2017a' of 'a' carries a letter"),
    ("year = {17}", "year '17' of 'a' is not a year"),
    ("date = {2015-13}", "date '2015-13' of 'a' is not an ISO 8601 date"),
    ("date = {March 2015}", "date 'March 2015' of 'a' is not an ISO 8601 date"),
])
def test_malformed_and_future_years_and_dates(field, message):
    found = findings(f"@misc{{a, author = {{A, B}}, title = {{T}}, {field}}}", name="field-format")
    assert len(found) == 1 and found[0].message.startswith(message)


@pytest.mark.parametrize("field", ["year = {2021}", "year = {forthcoming}", "date = {2015-03/2015-05}",
                                   "date = {2015-03-21}", "year = {n.d.}"])
def test_good_years_and_dates(field):
    assert findings(f"@misc{{a, author = {{A, B}}, title = {{T}}, {field}}}", name="field-format") == []


def test_titles_in_capitals_and_unprotected_acronyms():
    found = findings("""
        @article{a, author = {A, B}, journal = {J}, year = {2000},
          title = {THE UNITED NATIONS IN EAST ASIA}}
        @article{b, author = {A, B}, journal = {J}, year = {2000},
          title = {The UN, NATO and HADR in ASEAN's Eyes}}
        """, name="field-format")
    caps = next(d for d in found if d.data["key"] == "a")
    assert "in capitals" in caps.message and caps.severity.value == "warning"
    acro = next(d for d in found if d.data["key"] == "b")
    assert acro.severity.value == "info"
    assert acro.message.startswith("UN, NATO, HADR, ASEAN in the title of 'b' are not protected by braces")
    assert acro.suggestion == "title = {The {UN}, {NATO} and {HADR} in {ASEAN}'s Eyes}"
    assert findings("""
        @article{c, author = {A, B}, journal = {J}, year = {2000},
          title = {The {UN}, {NATO} and {NGO}s in {ASEAN}'s Eyes: A Study}}
        @article{d, author = {A, B}, journal = {J}, year = {2000}, title = {{The UN and NATO in East Asia}}}
        """, name="field-format") == []


def test_unbalanced_braces_in_a_quoted_value():
    found = findings('@misc{a, author = {A, B}, title = "Peace {in Asia", year = {2000}}', name="field-format")
    assert [d.message for d in found] == ["field title of 'a' has unbalanced braces"]


def test_name_lists_that_do_not_split():
    found = findings("""
        @article{medie:kang:2018, journal = {J}, year = {2018}, title = {T},
          author = {Medie, Peace A., Kang, Alice J.}}
        @report{un2015, year = {2015}, title = {T}, institution = {UN},
          author = {United Nations Department of Peace Operations}}
        """, name="field-format")
    assert "too many commas" in found[0].message and found[0].data["key"] == "medie:kang:2018"
    assert "looks like an organisation" in found[1].message
    assert "{{United Nations Department of Peace Operations}}" in found[1].message
    assert findings("""
        @article{ok, journal = {J}, year = {2018}, title = {T},
          author = {Medie, Peace A. and Kang, Alice J. and {{United Nations}}}}
        """, name="field-format") == []


# -- missing-crossref, undefined-string, unknown-entry-type ------------------------------------------------
def test_missing_crossref_and_xdata_with_a_near_key():
    found = findings("""
        @incollection{jones2019, author = {Jones, Ann}, title = {T}, pages = {1--20}, crossref = {smith2019handbok}}
        @book{smith2019handbook, editor = {Smith, Bo}, title = {Handbook}, year = {2019}}
        @article{lee2019, author = {Lee, Kim}, title = {T}, journal = {J}, year = {2019}, xdata = {nothere}}
        """, name="missing-crossref")
    assert [(d.data["target"], d.severity.value) for d in found] == [("smith2019handbok", "error"),
                                                                     ("nothere", "error")]
    assert found[0].suggestion == "did you mean 'smith2019handbook'?" and found[0].excerpt == "smith2019handbok"
    assert findings("""
        @incollection{jones2019, author = {Jones, Ann}, title = {T}, crossref = {smith2019handbook}}
        @book{smith2019handbook, editor = {Smith, Bo}, title = {Handbook}, year = {2019}}
        """, name="missing-crossref") == []


def test_undefined_string_near_miss_month_and_defined_macro():
    assert findings("@string{ip = {International Peacekeeping}}\n"
                    "@article{a, author = {A, B}, title = {T}, journal = ip, year = 2000, month = aug}",
                    name="undefined-string") == []
    found = findings("@article{a, author = {A, B}, title = {T}, journal = ipk, year = 2000, month = August}",
                     name="undefined-string")
    assert [d.excerpt for d in found] == ["ipk", "August"]


def test_unknown_entry_type_is_info_with_a_replacement():
    found = findings("@url{maoz2005, title = {Dyadic MID}, url = {https://example.org}}\n"
                     "@electronic{un2019, title = {Peacekeeping}, url = {https://un.org}}",
                     name="unknown-entry-type")
    assert [(d.data["key"], d.severity.value, d.suggestion) for d in found] == [("maoz2005", "info", "use @online")]


# -- the analysis in `issue check` --------------------------------------------------------------------------
def test_issue_check_reports_bibliography_findings(make_issue, cli):
    root = make_issue({
        "papers/paper.md": "# A Paper\n\nText.\n",
        "bibliography/refs.bib": """\
            @article{smith2017,
              author = {Smith, Sheila A.}, title = {Japan's Peacekeeping}, year = {2017}
            }
            @article{smith2017,
              author = {Smith, Sheila A.}, title = {Japan's Peacekeeping}, year = {2017}, journal = {Asia Policy}
            }
            """,
    })
    result = cli(["check", "--format", "json"], root)
    bib = [d for d in result.json()["diagnostics"] if d["code"].startswith("B")]
    assert {(d["name"], d["file"], d["line"]) for d in bib} == {("missing-field", "bibliography/refs.bib", 1),
                                                                ("duplicate-key", "bibliography/refs.bib", 4)}
    assert result.code == 1


def test_check_configuration_downgrades_a_bibliography_rule(make_issue, cli):
    manifest = """\
        [issue]
        title = "Test Issue"
        bibliography = ["bibliography/*.bib"]

        [check]
        severity = { missing-field = "warning" }

        [[contributions]]
        id = "paper"
        file = "papers/paper.md"
        title = "A Paper"
        """
    root = make_issue({"papers/paper.md": "# A Paper\n\nText.\n",
                       "bibliography/refs.bib": "@article{a, author = {A, B}, title = {T}, year = {2017}}\n"},
                      manifest=manifest)
    result = cli(["check", "--format", "json"], root)
    found = [d for d in result.json()["diagnostics"] if d["name"] == "missing-field"]
    assert [d["severity"] for d in found] == ["warning"] and result.code == 0
