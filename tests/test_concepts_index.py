"""The index model: sorting, locators, ranges, page numbers, cross-references, double posting."""
from __future__ import annotations

import textwrap

from hypothesis import given, strategies as st

from issue.concepts.index import build_index, collapse, Locator, page_order, render_text, roman_value, sort_key
from issue.concepts.match import Occurrence
from issue.concepts.vocabulary import parse_vocabulary
from issue.model import Location


def occ(concept, contribution, block, start=0, sub=None, note=None, n=[0]):
    n[0] += 1
    return Occurrence(file=f"papers/{contribution}.md", contribution=contribution, block=block, start=start,
                      end=start + 5, surface=concept, form=concept, concept=concept, heading=concept, sub=sub,
                      acronym=False, location=Location(f"papers/{contribution}.md", line=block),
                      anchor=f"idx-{contribution}-{block}-{start}", note=note)


def vocab(text):
    v, diags = parse_vocabulary(textwrap.dedent(text))
    return v


def headings(index):
    return [e.heading for e in index.entries]


def test_word_by_word_and_letter_by_letter():
    words = ["Newark", "New York", "new world order", "newcomers", "peace-keeping", "peacebuilding", "peace operations"]
    assert sorted(words, key=lambda w: sort_key(w, "word")) == [
        "new world order", "New York", "Newark", "newcomers", "peace-keeping", "peace operations", "peacebuilding"]
    assert sorted(words, key=lambda w: sort_key(w, "letter")) == [
        "Newark", "newcomers", "new world order", "New York", "peacebuilding", "peace-keeping", "peace operations"]


def test_case_and_accents_are_ignored_and_digits_come_first():
    words = ["Émigrés", "emergency", "ASEAN", "anarchy", "4Cs", "Zones"]
    assert sorted(words, key=sort_key) == ["4Cs", "anarchy", "ASEAN", "emergency", "Émigrés", "Zones"]


def test_leading_articles_and_prepositions_are_ignored_in_sub_entries():
    subs = ["in disaster relief", "and the UN", "functional", "the ASEAN way", "with host states", "regional"]
    assert sorted(subs, key=lambda s: sort_key(s, sub=True)) == [
        "the ASEAN way", "in disaster relief", "functional", "with host states", "regional", "and the UN"]
    assert sort_key("The League of Nations")[0] == "league of nations"
    assert sort_key("in", sub=True)[0] == "in"  # never sorted as nothing


@given(st.lists(st.text(min_size=0, max_size=12), min_size=3, max_size=3))
def test_the_sort_key_is_a_total_order(words):
    a, b, c = (sort_key(w) for w in words)
    assert (a <= b) or (b <= a)
    if a <= b and b <= c:
        assert a <= c
    if a == b:
        assert words[0] == words[1]


def test_roman_pages_before_arabic_and_ranges():
    assert roman_value("xiv") == 14 and roman_value("ix") == 9 and roman_value("vx") is None and roman_value("iiii") is None
    labels = ["12", "iv", "3", "v", "13", "14", "x", "A3"]
    ordered = sorted(labels, key=page_order)
    assert ordered == ["iv", "v", "x", "3", "12", "13", "14", "A3"]
    ranges = collapse([Locator("c", 1, "a", p) for p in ordered])
    assert [r.label for r in ranges] == ["iv–v", "x", "3", "12–14", "A3"]


def test_locators_in_document_order_without_duplicates():
    v = vocab("""
        [[concept]]
        heading = "cooperation"
        """)
    occurrences = [occ("cooperation", "jones", 7), occ("cooperation", "cook", 3), occ("cooperation", "cook", 3, 40),
                   occ("cooperation", "cook", 4), occ("cooperation", "cook", 5), occ("cooperation", "jones", 2)]
    index = build_index(v, occurrences, ["cook", "jones"])
    e = index.entries[0]
    assert [(x.contribution, x.block, x.count) for x in e.locators] == [
        ("cook", 3, 2), ("cook", 4, 1), ("cook", 5, 1), ("jones", 2, 1), ("jones", 7, 1)]
    assert [r.label for r in e.ranges] == ["3–5", "2", "7"]
    assert e.ranges[0].anchor == "idx-cook-3-0"  # the first occurrence of the range
    assert "cooperation, cook 3–5; jones 2, 7" in render_text(index)


def test_page_locators_from_the_print_build():
    v = vocab("""
        [[concept]]
        heading = "cooperation"
        """)
    occurrences = [occ("cooperation", "intro", 1), occ("cooperation", "intro", 2), occ("cooperation", "cook", 3),
                   occ("cooperation", "cook", 9), occ("cooperation", "cook", 10), occ("cooperation", "cook", 30)]
    pages = {("intro", 1): "iv", ("intro", 2): "v", ("cook", 3): "36", ("cook", 9): "37",
             occurrences[4].anchor: "37", ("cook", 10): "99"}
    index = build_index(v, occurrences, ["intro", "cook"], pages=pages)
    e = index.entries[0]
    assert index.paged and [r.label for r in e.ranges] == ["iv–v", "36–37"]
    assert index.missing_pages == 1  # block 30 has no page yet
    assert "cooperation, iv–v, 36–37" in render_text(index)


def test_see_entries_carry_no_locators_and_see_also_follows_sub_entries_sorted():
    v = vocab("""
        [[concept]]
        heading = "cooperation"
        see_also = ["partnership", "coordination"]
          [[concept.sub]]
          heading = "regional"
          [[concept.sub]]
          heading = "functional"

        [[concept]]
        heading = "coordination"

        [[concept]]
        heading = "partnership"

        [[concept]]
        heading = "co-operation"
        see = "cooperation"

        [[concept]]
        heading = "collaboration"
        see = "cooperation"
        """)
    occurrences = [occ("cooperation", "a", 1), occ("cooperation", "a", 2, sub="regional"),
                   occ("cooperation", "a", 3, sub="functional"), occ("coordination", "a", 4),
                   occ("partnership", "a", 5)]
    index = build_index(v, occurrences, ["a"])
    # word by word, a hyphen sorts as a space: "co-operation" before "collaboration"
    assert headings(index) == ["co-operation", "collaboration", "cooperation", "coordination", "partnership"]
    see = index.entry("co-operation")
    assert see.kind == "see" and see.see == "cooperation" and see.locators == [] and see.ranges == []
    main = index.entry("cooperation")
    assert [s.heading for s in main.subs] == ["functional", "regional"]
    assert main.see_also == ["coordination", "partnership"]
    text = render_text(index)
    assert text.index("    regional, a 2") < text.index("    See also coordination; partnership")
    assert "co-operation. See cooperation" in text


def test_references_to_headings_without_locators_are_dropped():
    v = vocab("""
        [[concept]]
        heading = "cooperation"
        see_also = ["world federalism"]

        [[concept]]
        heading = "world federalism"

        [[concept]]
        heading = "world government"
        see = "world federalism"
        """)
    index = build_index(v, [occ("cooperation", "a", 1)], ["a"])
    assert headings(index) == ["cooperation"] and index.entries[0].see_also == []
    assert sorted(index.dropped_references) == [("cooperation", "world federalism"),
                                                ("world government", "world federalism")]


def test_acronym_is_double_posted_with_identical_locators():
    v = vocab("""
        [[concept]]
        heading = "peacekeeping operations"
        acronyms = ["PKO", "PKOs-old"]

        [[concept]]
        heading = "United Nations"
        acronyms = ["UN"]
        double_post = false
        """)
    occurrences = [occ("peacekeeping operations", "a", 1), occ("peacekeeping operations", "a", 4),
                   occ("United Nations", "a", 2)]
    index = build_index(v, occurrences, ["a"])
    main, acr = index.entry("peacekeeping operations"), index.entry("PKO")
    assert main.label == "peacekeeping operations (PKO)" and acr.label == "PKO (peacekeeping operations)"
    assert acr.kind == "acronym" and [r.label for r in acr.ranges] == [r.label for r in main.ranges] == ["1", "4"]
    assert [x.anchor for x in acr.locators] == [x.anchor for x in main.locators]
    assert index.entry("PKOs-old").see == "peacekeeping operations"
    un = index.entry("UN")
    assert un.kind == "see" and un.see == "United Nations"


def test_letter_groups_and_json():
    v = vocab("""
        [[concept]]
        heading = "4Cs of disaster partnering"
        sort_key = "four Cs of disaster partnering"

        [[concept]]
        heading = "alliances"

        [[concept]]
        heading = "9/11"
        """)
    occurrences = [occ("4Cs of disaster partnering", "a", 1), occ("alliances", "a", 2), occ("9/11", "a", 3)]
    index = build_index(v, occurrences, ["a"])
    assert [(letter, [e.heading for e in es]) for letter, es in index.groups()] == [
        ("#", ["9/11"]), ("A", ["alliances"]), ("F", ["4Cs of disaster partnering"])]
    data = index.to_json()
    assert data["letters"] == ["#", "A", "F"]
    assert data["entries"][1]["ranges"] == [{"label": "2", "anchor": "idx-a-2-0", "contribution": "a",
                                             "blocks": [2, 2]}]


def test_footnote_occurrences_stay_with_their_host_paragraph():
    v = vocab("""
        [[concept]]
        heading = "cooperation"
        """)
    occurrences = [occ("cooperation", "a", 6, note=1), occ("cooperation", "a", 3), occ("cooperation", "a", 9)]
    index = build_index(v, occurrences, ["a"])
    assert [x.block for x in index.entries[0].locators] == [3, 6, 9]
