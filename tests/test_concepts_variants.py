"""Every written form of a vocabulary term (issue.concepts.variants)."""
from __future__ import annotations

import pytest

from issue.concepts.variants import forms_of, is_case_sensitive, spelling_key, spellings


@pytest.mark.parametrize("term, expected", [
    ("regionalisation", {"regionalization", "regionalisations", "regionalizations"}),
    ("regionalization", {"regionalisation"}),
    ("organise", {"organize", "organised", "organized", "organising"}),
    ("behaviour", {"behavior", "behaviours", "behaviors"}),
    ("collective defence", {"collective defense"}),
    ("programme", {"program", "programmes", "programs"}),
    ("analyse", {"analyze"}),
    ("centre", {"center"}),
])
def test_british_and_american_spellings(term, expected):
    assert expected <= forms_of(term)


@pytest.mark.parametrize("word", ["comprise", "advise", "enterprise", "expertise", "compromise"])
def test_words_that_only_end_in_ise_get_no_ize_form(word):
    assert not any("ize" in f for f in forms_of(word))


def test_our_is_not_changed_in_words_that_are_not_british_spellings():
    assert "hor" not in " ".join(forms_of("hour"))
    assert forms_of("tour") >= {"tour"} and "tor" not in forms_of("tour")


@pytest.mark.parametrize("term, expected", [
    ("co-operation", {"cooperation", "co-operation", "co-operations"}),
    ("cooperation", {"co-operation"}),
    ("spill-over", {"spillover", "spill over", "spill-overs", "spillovers"}),
    ("neofunctionalism", {"neo-functionalism"}),
    ("neofunctionalists", {"neo-functionalists"}),
    ("peacekeeping", {"peace-keeping", "peace keeping"}),
    ("disaster relief", {"disaster-relief"}),
    ("coordinate", {"co-ordinate", "co-ordinated", "coordinating"}),
    ("balance of power", {"balance-of-power"}),
])
def test_hyphen_space_and_closed_forms(term, expected):
    assert expected <= forms_of(term)


def test_known_words_are_not_split_into_other_words():
    # "partner ships" would post every naval partner to "partnership"
    assert forms_of("partnership") == {"partnership", "partnerships"}


@pytest.mark.parametrize("term, expected", [
    ("peacekeeping operation", {"peacekeeping operations"}),
    ("alliances", {"alliance"}),
    ("first-order norms", {"first-order norm"}),
    ("cooperate", {"cooperates", "cooperated", "cooperating"}),
    ("free rider", {"free riders", "free-riders"}),
    ("balance of power", {"balances of power"}),
])
def test_inflections(term, expected):
    assert expected <= forms_of(term)


def test_a_given_verb_ending_is_not_taken_back_to_its_stem():
    # the editor wrote "partnering"; "partner" and "partners" are other words for the index
    assert forms_of("partnering") == {"partnering"}


def test_names_are_not_inflected():
    assert not any(f.startswith("leagues") for f in forms_of("League of Nations"))
    assert "league of nations" in forms_of("League of Nations")


def test_acronyms_keep_their_case_and_gain_a_plural():
    assert forms_of("PKO") == {"PKO", "PKOs"}
    assert is_case_sensitive("ASEAN") and is_case_sensitive("HA/DR") and is_case_sensitive("R2P")
    assert not is_case_sensitive("ASEAN Regional Forum") and not is_case_sensitive("4Cs")


def test_spellings_of_a_phrase_vary_each_word():
    assert spellings("organisation of labour") >= {"organization of labor", "organisation of labor"}


def test_spelling_key_sets_spelling_and_hyphenation_aside_but_not_inflection():
    assert spelling_key("co-operation") == spelling_key("Cooperation") == spelling_key("cooperation’s")
    assert spelling_key("regionalisation") == spelling_key("regionalization")
    assert spelling_key("partnership") != spelling_key("partnerships")
