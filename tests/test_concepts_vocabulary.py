"""Loading and validating concepts.toml: diagnostics that point at the editor's line."""
from __future__ import annotations

import textwrap
from pathlib import Path

from issue.concepts.vocabulary import load_vocabulary, parse_vocabulary, settings_of
from issue.model import Issue

REPO = Path(__file__).resolve().parent.parent


def parse(text: str, ids=None):
    return parse_vocabulary(textwrap.dedent(text), "concepts.toml", contribution_ids=ids)


def codes(diags):
    return [d.code for d in diags]


def test_the_demo_vocabulary_is_clean_and_large_enough():
    vocab, diags = parse_vocabulary((REPO / "concepts.toml").read_bytes(),
                                    contribution_ids=["introduction", "cook", "hirono", "newby", "jones", "mulloy"])
    assert [d for d in diags if d.severity.value in ("error", "warning")] == []
    headings = [c.heading for c in vocab.concepts if not c.see]
    assert len(headings) >= 80
    for wanted in ("cooperation", "coordination", "partnership", "4Cs of disaster partnering", "neofunctionalism",
                   "spill-over", "humanitarian assistance and disaster relief", "League of Nations", "free riders",
                   "epistemic communities", "Concert of Europe", "world federalism", "ASEAN Plus Three"):
        assert vocab.concept(wanted) is not None, wanted


def test_a_full_concept_is_read():
    vocab, diags = parse("""
        [[concept]]
        heading = "peacekeeping operations"
        acronyms = ["PKO"]
        variants = ["peace-keeping missions"]
        see_also = ["peace operations"]
        sort_key = "peacekeeping"
        scope = ["jones"]
        exclude = ["Peace Operations Review"]

          [[concept.sub]]
          heading = "in South East Asia"

        [[concept]]
        heading = "peace operations"
        """, ids=["jones"])
    assert diags == []
    c = vocab.concept("Peacekeeping Operations")
    assert (c.acronyms, c.variants, c.see_also, c.sort_key, c.scope, c.exclude) == (
        ["PKO"], ["peace-keeping missions"], ["peace operations"], "peacekeeping", ["jones"],
        ["Peace Operations Review"])
    assert c.subs[0].heading == "in South East Asia"
    assert c.subs[0].forms_for(c.heading)[0] == "peacekeeping operations in South East Asia"
    assert vocab.resolve("PKO")[0] is c


def test_sub_entry_default_form_puts_a_modifier_before_the_heading():
    vocab, _ = parse("""
        [[concept]]
        heading = "cooperation"
          [[concept.sub]]
          heading = "functional"
        """)
    assert vocab.concepts[0].subs[0].forms_for("cooperation")[0] == "functional cooperation"


def test_toml_syntax_error_has_line_and_column():
    vocab, diags = parse("""
        [[concept]]
        heading = "cooperation
        """)
    assert vocab is None
    assert codes(diags) == ["I401"] and diags[0].location.line == 3 and "TOML syntax" in diags[0].message


def test_unknown_key_is_named_with_a_suggestion_and_its_line():
    _, diags = parse("""
        [[concept]]
        heading = "cooperation"
        see-also = ["coordination"]

        [[concept]]
        heading = "coordination"
        """)
    d = [d for d in diags if d.code == "I402"][0]
    assert d.location.line == 4 and "see-also" in d.message and "see_also" in d.suggestion


def test_plural_table_name_is_explained():
    _, diags = parse("""
        [[concepts]]
        heading = "cooperation"
        """)
    d = [d for d in diags if d.code == "I402"][0]
    assert "[[concept]]" in d.suggestion and d.location.line == 2


def test_missing_heading_and_wrong_types_are_errors():
    _, diags = parse("""
        [[concept]]
        variants = ["co-operation"]

        [[concept]]
        heading = "partnership"
        variants = "partnering"
        """)
    assert codes(diags).count("I401") == 2
    wrong = [d for d in diags if "array of strings" in d.message][0]
    assert wrong.location.line == 7 and wrong.suggestion == 'variants = ["partnering"]'


def test_duplicate_heading_names_the_first():
    _, diags = parse("""
        [[concept]]
        heading = "cooperation"

        [[concept]]
        heading = "Cooperation"
        """)
    d = [d for d in diags if d.code == "I401"][0]
    assert "line 2" in d.message and d.location.line == 6


def test_scope_must_name_contributions_of_the_issue():
    _, diags = parse("""
        [[concept]]
        heading = "cooperation"
        scope = ["jnoes"]
        """, ids=["jones", "cook"])
    d = [d for d in diags if d.code == "I401"][0]
    assert "jnoes" in d.message and d.suggestion == "did you mean 'jones'?" and d.location.line == 4


def test_blind_reference_points_at_the_target_with_a_suggestion():
    _, diags = parse("""
        [[concept]]
        heading = "cooperation"
        variants = ["co-operation"]
        see_also = ["coordinaton"]

        [[concept]]
        heading = "coordination"

        [[concept]]
        heading = "co-op"
        see = "co-operation"
        """)
    blind = [d for d in diags if d.code == "I403"]
    assert len(blind) == 2
    assert blind[0].location.line == 5 and blind[0].location.column == 14 and "'coordination'" in blind[0].suggestion
    # a variant is not a heading: the reader would not find it in the index
    assert blind[1].location.line == 12 and "'cooperation'" in blind[1].suggestion


def test_see_chain_suggests_the_final_heading():
    _, diags = parse("""
        [[concept]]
        heading = "PKO"
        see = "peace operations"

        [[concept]]
        heading = "peace operations"
        see = "peacekeeping operations"

        [[concept]]
        heading = "peacekeeping operations"
        """)
    chain = [d for d in diags if d.code == "I404"]
    assert len(chain) == 1 and chain[0].suggestion == 'see = "peacekeeping operations"'
    assert chain[0].location.line == 4


def test_see_also_to_a_see_entry_is_a_chain():
    _, diags = parse("""
        [[concept]]
        heading = "alliances"
        see_also = ["allies"]

        [[concept]]
        heading = "allies"
        see = "alliances"
        """)
    assert codes(diags) == ["I404"]


def test_see_loop_is_reported_once():
    _, diags = parse("""
        [[concept]]
        heading = "co-operation"
        see = "cooperation"

        [[concept]]
        heading = "cooperation"
        see = "collaboration"

        [[concept]]
        heading = "collaboration"
        see = "co-operation"
        """)
    loops = [d for d in diags if d.code == "I405"]
    assert len(loops) == 1 and "co-operation → cooperation → collaboration → co-operation" in loops[0].message


def test_self_reference_is_a_loop():
    _, diags = parse("""
        [[concept]]
        heading = "cooperation"
        see_also = ["cooperation"]
        """)
    assert codes(diags) == ["I405"]


def test_a_plain_see_reference_is_fine():
    _, diags = parse("""
        [[concept]]
        heading = "functional cooperation"
        see = "cooperation: functional"

        [[concept]]
        heading = "cooperation"
          [[concept.sub]]
          heading = "functional"
        """)
    assert diags == []


def test_see_entry_with_sub_entries_is_reported():
    _, diags = parse("""
        [[concept]]
        heading = "co-operation"
        see = "cooperation"
        see_also = ["partnership"]

        [[concept]]
        heading = "cooperation"

        [[concept]]
        heading = "partnership"
        """)
    assert codes(diags) == ["I412"]


def test_near_duplicate_headings_and_near_misses():
    _, diags = parse("""
        [[concept]]
        heading = "regionalisation"

        [[concept]]
        heading = "regionalization"

        [[concept]]
        heading = "regionalism"

        [[concept]]
        heading = "peacekeeping"

        [[concept]]
        heading = "peacemaking"

        [[concept]]
        heading = "functionalism"

        [[concept]]
        heading = "neofunctionalism"

        [[concept]]
        heading = "peacekeeping operation"

        [[concept]]
        heading = "peace-keeping operations"
        """)
    near = [d for d in diags if d.code == "I409"]
    pairs = sorted(d.message for d in near)
    assert len(near) == 2
    assert "'regionalisation' and 'regionalization'" in pairs[1]
    assert "'peacekeeping operation' and 'peace-keeping operations'" in pairs[0]


def test_one_form_under_two_headings_is_ambiguous():
    _, diags = parse("""
        [[concept]]
        heading = "peacekeeping operations"
        acronyms = ["PKO"]

        [[concept]]
        heading = "peace operations"
        acronyms = ["PKO"]
        """)
    d = [d for d in diags if d.code == "I410"][0]
    assert "'peacekeeping operations'" in d.message and d.location.line == 8


def test_index_settings_from_the_manifest(tmp_path):
    issue = Issue(root=tmp_path, title="t", raw={"index": {"sort": "letter", "max_locators": 4, "sorting": "x"}})
    settings, diags = settings_of(issue)
    assert (settings.sort, settings.max_locators) == ("letter", 4)
    assert codes(diags) == ["I402"] and "sort" in diags[0].suggestion
    bad, diags = settings_of(Issue(root=tmp_path, title="t", raw={"index": {"sort": "alpha"}}))
    assert bad.sort == "word" and codes(diags) == ["I401"]


def test_no_vocabulary_no_index_no_error(tmp_path):
    vocab, diags = load_vocabulary(tmp_path, Issue(root=tmp_path, title="t"))
    assert vocab is None and diags == []


def test_a_vocabulary_named_in_the_manifest_must_exist(tmp_path):
    issue = Issue(root=tmp_path, title="t", raw={"index": {"vocabulary": "terms.toml"}})
    vocab, diags = load_vocabulary(tmp_path, issue)
    assert vocab is None and codes(diags) == ["I401"] and "terms.toml" in diags[0].message


def test_a_vocabulary_outside_the_issue_folder_is_refused(tmp_path):
    issue = Issue(root=tmp_path, title="t", raw={"index": {"vocabulary": "../concepts.toml"}})
    vocab, diags = load_vocabulary(tmp_path, issue)
    assert vocab is None and "leaves the issue folder" in diags[0].message


def test_latin1_vocabulary_is_reported_not_crashed_on():
    vocab, diags = parse_vocabulary('[[concept]]\nheading = "coop\xe9ration"\n'.encode("latin-1"))
    assert vocab is None and "not UTF-8" in diags[0].message
