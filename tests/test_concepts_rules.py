"""The index rules (I4xx) as `issue check` reports them: each one triggered, and a near miss that is not."""
from __future__ import annotations

import pytest

from issue.diagnostics.registry import all_rules, get_rule

MANIFEST = """\
[issue]
title = "Cooperation in Asia"
journal = "Journal of Tests"
year = 2020
bibliography = ["bibliography/*.bib"]
{extra}
[[contributions]]
id = "cook"
file = "papers/cook.md"
title = "Partners in disaster response"
authors = [{{ name = "Alistair Cook" }}]

[[contributions]]
id = "jones"
file = "papers/jones.md"
title = "ASEAN and the UN"
authors = [{{ name = "Catherine Jones" }}]
"""

COOK = """\
---
title: Partners in disaster response
---

# Introduction

Regional co-operation in disaster relief is often praised. The co-operation of militaries is older than
the co-operation of agencies.
"""

JONES = """\
---
title: ASEAN and the UN
---

# Introduction

Cooperation between ASEAN and the UN has grown. Cooperation on peacekeeping is steady, and
cooperation on disaster-relief operations too.
"""


@pytest.fixture
def check(make_issue, cli):
    def run(concepts: str, cook: str = COOK, jones: str = JONES, extra: str = ""):
        root = make_issue({"papers/cook.md": cook, "papers/jones.md": jones, "concepts.toml": concepts,
                           "bibliography/refs.bib": ""}, manifest=MANIFEST.format(extra=extra))
        result = cli(["check", "--format", "json"], root)
        data = result.json()
        diags = [d for d in data["diagnostics"] if d["code"].startswith("I")]
        return result, diags, data

    return run


def by_code(diags, code):
    return [d for d in diags if d["code"] == code]


def test_every_index_rule_is_registered_with_an_explanation():
    codes = [r.code for r in all_rules() if r.code.startswith("I4")]
    assert codes == [f"I4{n:02d}" for n in range(1, 13)]
    for code in codes:
        r = get_rule(code)
        assert r.name.startswith("index-") and r.summary and r.why and r.example


def test_clean_vocabulary_gives_no_index_findings_and_the_records(check):
    result, diags, data = check("""
        [[concept]]
        heading = "cooperation"

        [[concept]]
        heading = "disaster relief"
        """)
    assert [d["code"] for d in diags if d["severity"] != "info"] == ["I408"]  # cook's co-operation, below
    recs = data["concepts"]
    assert {r["heading"] for r in recs} == {"cooperation", "disaster relief"}
    assert all({"file", "contribution", "block", "start", "end", "line", "column", "heading", "sub", "surface",
                "anchor"} <= set(r) for r in recs)


def test_I401_unreadable_vocabulary_is_an_error_with_its_place(check):
    result, diags, _ = check('[[concept]]\nheading = "cooperation\n')
    d = by_code(diags, "I401")[0]
    assert d["file"] == "concepts.toml" and d["line"] == 2 and d["severity"] == "error"
    assert result.code == 1


def test_I402_unknown_key_and_near_miss(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\nvariant = ["co-operation"]\n')
    d = by_code(diags, "I402")[0]
    assert d["line"] == 3 and "variants" in d["suggestion"]
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\nvariants = ["co-operation"]\n')
    assert by_code(diags, "I402") == []


def test_I402_unknown_key_in_the_index_table(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n', extra='[index]\nsorting = "letter"\n')
    d = by_code(diags, "I402")[0]
    assert d["file"] == "issue.toml" and "sort" in d["suggestion"]


def test_I403_blind_reference_makes_check_fail(check):
    result, diags, _ = check("""
        [[concept]]
        heading = "cooperation"
        see_also = ["coordinaton"]
        """)
    d = by_code(diags, "I403")[0]
    assert d["severity"] == "error" and d["excerpt"] == "coordinaton" and result.code == 1
    result, diags, _ = check("""
        [[concept]]
        heading = "cooperation"
        see_also = ["disaster relief"]

        [[concept]]
        heading = "disaster relief"
        """)
    assert by_code(diags, "I403") == [] and result.code == 0


def test_I404_chain_and_I405_loop(check):
    _, diags, _ = check("""
        [[concept]]
        heading = "collaboration"
        see = "co-operation"

        [[concept]]
        heading = "co-operation"
        see = "cooperation"

        [[concept]]
        heading = "cooperation"
        """)
    assert len(by_code(diags, "I404")) == 1 and by_code(diags, "I405") == []
    result, diags, _ = check("""
        [[concept]]
        heading = "collaboration"
        see = "cooperation"

        [[concept]]
        heading = "cooperation"
        see = "collaboration"
        """)
    assert len(by_code(diags, "I405")) == 1 and result.code == 1


def test_I406_reference_to_a_heading_nobody_uses(check):
    _, diags, _ = check("""
        [[concept]]
        heading = "cooperation"
        see_also = ["world federalism"]

        [[concept]]
        heading = "world federalism"
        """)
    d = by_code(diags, "I406")[0]
    assert d["severity"] == "info" and d["excerpt"] == "world federalism"
    _, diags, _ = check("""
        [[concept]]
        heading = "cooperation"
        see_also = ["disaster relief"]

        [[concept]]
        heading = "disaster relief"
        """)
    assert by_code(diags, "I406") == []


def test_I407_too_many_undifferentiated_locators(check):
    many = "# Body\n\n" + "\n\nAn aside.\n\n".join(f"Functional cooperation number {i}." for i in range(7))
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n', cook=many, jones="# B\n\nNone.\n")
    d = by_code(diags, "I407")[0]
    assert "7 undifferentiated locators" in d["message"] and d["line"] == 2
    assert "'functional' (7×)" in d["suggestion"]  # the word the authors put before it, a sub-entry to make


def test_I407_near_misses_six_locators_and_sub_entries(check):
    six = "# Body\n\n" + "\n\nAn aside.\n\n".join(f"Functional cooperation number {i}." for i in range(6))
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n', cook=six, jones="# Body\n\nNothing here.\n")
    assert by_code(diags, "I407") == []
    seven = "# Body\n\n" + "\n\nAn aside.\n\n".join(f"Functional cooperation number {i}." for i in range(7))
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n  [[concept.sub]]\n  heading = "functional"\n',
                        cook=seven)
    assert by_code(diags, "I407") == []


def test_I407_limit_is_configurable(check):
    four = "# Body\n\n" + "\n\nAn aside.\n\n".join(f"Cooperation number {i}." for i in range(4))
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n', cook=four, jones="# B\n\nNone.\n",
                        extra="[index]\nmax_locators = 3\n")
    assert "more than 3" in by_code(diags, "I407")[0]["message"]


def test_I408_one_term_spelt_two_ways_across_contributors(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "disaster relief"\n')
    spelling = by_code(diags, "I408")
    assert len(spelling) == 1
    d = spelling[0]
    assert d["file"] == "papers/cook.md" and d["line"] == 7 and d["excerpt"] == "co-operation"
    # as often in one paper as the other spelling in the other: the vocabulary's spelling is the usual one
    assert "'co-operation' (3× in cook)" in d["message"] and "'cooperation'" in d["message"]


def test_I408_near_misses_compound_adjectives_and_one_spelling(check):
    cook = COOK.replace("co-operation", "cooperation").replace("disaster relief", "disaster-relief operations")
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "disaster relief"\n',
                        cook=cook)
    assert by_code(diags, "I408") == []


def test_I408_british_and_american_endings(check):
    cook = COOK + "\nRegionalisation proceeds.\n"
    jones = JONES + "\nRegionalization proceeds, and regionalization again.\n"
    _, diags, _ = check('[[concept]]\nheading = "regionalisation"\n', cook=cook, jones=jones)
    d = by_code(diags, "I408")[0]
    # each spelling is used in one contribution; the one used more often is taken as the issue's
    assert d["file"] == "papers/cook.md" and d["excerpt"] == "Regionalisation"


def test_I409_near_duplicate_headings(check):
    _, diags, _ = check('[[concept]]\nheading = "peacekeeping"\n\n[[concept]]\nheading = "peace-keeping"\n')
    assert len(by_code(diags, "I409")) == 1
    _, diags, _ = check('[[concept]]\nheading = "peacekeeping"\n\n[[concept]]\nheading = "peacemaking"\n')
    assert by_code(diags, "I409") == []


def test_I410_one_form_two_headings(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "collaboration"\n'
                        'variants = ["cooperation"]\n')
    assert len(by_code(diags, "I410")) == 1
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "collaboration"\n'
                        'variants = ["collaborate"]\n')
    assert by_code(diags, "I410") == []


def test_I411_unused_heading(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "world federalism"\n')
    d = by_code(diags, "I411")
    assert [x["excerpt"] for x in d] == ["world federalism"] and d[0]["severity"] == "info"


def test_I412_see_entry_with_content(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "co-operation"\n'
                        'see = "cooperation"\nacronyms = ["COOP"]\n')
    assert len(by_code(diags, "I412")) == 1
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "co-operation"\n'
                        'see = "cooperation"\n')
    assert by_code(diags, "I412") == []


def test_no_vocabulary_no_index_no_finding(make_issue, cli):
    root = make_issue({"papers/paper.md": "# A\n\nCooperation.\n", "bibliography/refs.bib": ""})
    result = cli(["check", "--format", "json"], root)
    data = result.json()
    assert data.get("concepts", []) == [] and not [d for d in data["diagnostics"] if d["code"].startswith("I")]


def test_findings_can_be_silenced_like_any_other(check):
    _, diags, _ = check('[[concept]]\nheading = "cooperation"\n\n[[concept]]\nheading = "world federalism"\n',
                        extra='[check]\nignore = ["index-unused-heading", "I408"]\n')
    assert diags == []
