"""Finding the vocabulary in manuscripts (issue.concepts.match): forms, boundaries, and what is not prose."""
from __future__ import annotations

import textwrap

import pytest

from issue.concepts.match import Matcher, find_occurrences, fold_text
from issue.concepts.vocabulary import parse_vocabulary
from issue.manuscripts import read_manuscript

VOCAB = """
[[concept]]
heading = "cooperation"
variants = ["cooperate"]
  [[concept.sub]]
  heading = "functional"

[[concept]]
heading = "coordination"
variants = ["coordinate"]
exclude = ["grid coordinates", "coordinate system"]

[[concept]]
heading = "partnership"

[[concept]]
heading = "peacekeeping operations"
acronyms = ["PKO"]

[[concept]]
heading = "United Nations"
acronyms = ["UN"]

[[concept]]
heading = "ASEAN"

[[concept]]
heading = "ASEAN Regional Forum"
acronyms = ["ARF"]

[[concept]]
heading = "regionalisation"

[[concept]]
heading = "spill-over"

[[concept]]
heading = "Blue Helmets"
see = "peacekeeping operations"

[[concept]]
heading = "humanitarian assistance and disaster relief"
acronyms = ["HADR"]

[[concept]]
heading = "humanitarian assistance"

[[concept]]
heading = "Mitranian functionalism"
scope = ["other"]
"""


def occurrences(tmp_path, body: str, name: str = "paper.md", vocab: str = VOCAB, skip=(), cid="paper"):
    (tmp_path / name).write_text(textwrap.dedent(body), encoding="utf-8")
    doc = read_manuscript(tmp_path, name)
    v, diags = parse_vocabulary(vocab)
    assert [d for d in diags if d.severity.value == "error"] == []
    return find_occurrences(doc, cid, Matcher(v), skip), doc


def found(occ):
    return [(o.surface, o.heading, o.sub) for o in occ]


def test_spellings_hyphens_plurals_possessives_and_case(tmp_path):
    occ, _ = occurrences(tmp_path, """\
        # Introduction

        Co-operation and cooperation, partnerships and Partnership's terms; regionalization, the spillover
        and spill-overs. States co-operated where functional co-operation was cheap.
        """)
    assert found(occ) == [
        ("Co-operation", "cooperation", None), ("cooperation", "cooperation", None),
        ("partnerships", "partnership", None), ("Partnership’s", "partnership", None),
        ("regionalization", "regionalisation", None), ("spillover", "spill-over", None),
        ("spill-overs", "spill-over", None), ("co-operated", "cooperation", None),
        ("functional co-operation", "cooperation", "functional")]


def test_word_boundaries(tmp_path):
    occ, _ = occurrences(tmp_path, """\
        Uncooperative states, UNHCR and the UNDP are not the UN; the ASEAN-UN link is; PKOs and PKO’s too.
        """)
    assert found(occ) == [("UN", "United Nations", None), ("ASEAN", "ASEAN", None), ("UN", "United Nations", None),
                          ("PKOs", "peacekeeping operations", None), ("PKO’s", "peacekeeping operations", None)]


def test_acronyms_are_case_sensitive(tmp_path):
    occ, _ = occurrences(tmp_path, "The un-reviewed pko files and Asean talks; the UN and ASEAN did.\n")
    assert found(occ) == [("UN", "United Nations", None), ("ASEAN", "ASEAN", None)]


def test_the_longest_phrase_wins(tmp_path):
    occ, _ = occurrences(tmp_path, """\
        The ASEAN Regional Forum met; humanitarian assistance and disaster relief (HADR) and humanitarian
        assistance alone.
        """)
    assert found(occ) == [
        ("ASEAN Regional Forum", "ASEAN Regional Forum", None),
        ("humanitarian assistance and disaster relief", "humanitarian assistance and disaster relief", None),
        ("HADR", "humanitarian assistance and disaster relief", None),
        ("humanitarian assistance", "humanitarian assistance", None)]
    assert [o.acronym for o in occ] == [False, False, True, False]


def test_false_friends(tmp_path):
    occ, _ = occurrences(tmp_path, """\
        Pilots read the grid coordinates in a coordinate system. Pacific Partnership Holdings Ltd lent cranes;
        NATO's Partnership for Peace is a programme. States coordinate relief.
        """)
    assert found(occ) == [("coordinate", "coordination", None)]


def test_capitalised_term_at_a_sentence_start_is_kept(tmp_path):
    occ, _ = occurrences(tmp_path, "Partnership is rare. Coordination Matters is a report title. Fine.\n")
    assert found(occ) == [("Partnership", "partnership", None)]


def test_a_see_entry_posts_its_forms_to_the_target(tmp_path):
    occ, _ = occurrences(tmp_path, "China's Blue Helmets served in Mali.\n")
    assert found(occ) == [("Blue Helmets", "peacekeeping operations", None)]


def test_scope_limits_a_concept_to_some_contributions(tmp_path):
    occ, _ = occurrences(tmp_path, "Mitranian functionalism is tested here.\n")
    assert occ == []
    occ, _ = occurrences(tmp_path, "Mitranian functionalism is tested here.\n", cid="other")
    assert found(occ) == [("Mitranian functionalism", "Mitranian functionalism", None)]


def test_headings_references_citations_and_urls_are_not_indexed(tmp_path):
    occ, doc = occurrences(tmp_path, """\
        # Cooperation in theory

        Cooperation persists [@keohane1984, 51], and the UN said so (UN 2015, 4); see
        https://example.org/cooperation for more.

        # References

        Keohane, Robert O. 1984. *After Hegemony: Cooperation and Discord*. Princeton.
        """)
    assert found(occ) == [("Cooperation", "cooperation", None), ("UN", "United Nations", None)]


def test_spans_found_by_the_citation_checker_are_skipped(tmp_path):
    body = "As the UN report argued, cooperation grows.\n"
    occ, doc = occurrences(tmp_path, body)
    assert len(occ) == 2
    block = occ[0].block
    occ, _ = occurrences(tmp_path, body, skip=[(block, None, 7, 9)])  # "UN" inside a citation
    assert found(occ) == [("cooperation", "cooperation", None)]


def test_footnotes_are_indexed_with_their_host_paragraph(tmp_path):
    occ, doc = occurrences(tmp_path, """\
        States cooperate.[^1] Then partnership.

        Another paragraph on coordination.

        [^1]: Even the UN does.
        """)
    assert found(occ) == [("cooperate", "cooperation", None), ("partnership", "partnership", None),
                          ("UN", "United Nations", None), ("coordination", "coordination", None)]
    note = occ[2]
    assert note.note == 1 and note.block == occ[0].block and note.kind == "note"
    assert [o.anchor for o in occ] == ["idx-paper-1", "idx-paper-2", "idx-paper-3", "idx-paper-4"]


def test_locations_and_records(tmp_path):
    occ, doc = occurrences(tmp_path, """\
        ---
        title: A paper
        ---

        First line.
        The ASEAN states cooperate.
        """)
    o = occ[0]
    assert (o.location.line, o.location.column) == (6, 5)
    rec = o.to_json()
    assert rec["file"] == "paper.md" and rec["contribution"] == "paper" and rec["surface"] == "ASEAN"
    assert rec["heading"] == "ASEAN" and rec["anchor"] == "idx-paper-1" and rec["line"] == 6
    assert doc.blocks[[b.index for b in doc.blocks].index(o.block)].text[o.start:o.end] == "ASEAN"


def test_anchors_are_stable(tmp_path):
    body = "Cooperation and coordination.\n\nPartnership.\n"
    a, _ = occurrences(tmp_path, body)
    b, _ = occurrences(tmp_path, body)
    assert [o.anchor for o in a] == [o.anchor for o in b]


def test_docx_locations_are_paragraphs(tmp_path):
    pytest.importorskip("pypandoc")
    import pypandoc

    src = tmp_path / "src.md"
    src.write_text("First paragraph.\n\nRegional cooperation and the UN.\n", encoding="utf-8")
    pypandoc.convert_file(str(src), "docx", outputfile=str(tmp_path / "paper.docx"))
    doc = read_manuscript(tmp_path, "paper.docx")
    v, _ = parse_vocabulary(VOCAB)
    occ = find_occurrences(doc, "paper", Matcher(v))
    assert [(o.surface, o.location.paragraph) for o in occ] == [("cooperation", 2), ("UN", 2)]


def test_fold_text_maps_offsets_back():
    text = "Coöperation’s co\u00adoperation"
    folded, back = fold_text(text)
    assert folded.startswith("cooperation's")
    assert "cooperation" in folded[14:]
    start = folded.index("cooperation", 5)
    assert text[back[start]:back[start + len("cooperation")]] == "co\u00adoperation"


def test_accents_and_soft_hyphens_are_matched(tmp_path):
    occ, _ = occurrences(tmp_path, "The coöperation and co\u00adordination.\n")
    assert found(occ) == [("coöperation", "cooperation", None), ("co\u00adordination", "coordination", None)]


def test_an_empty_vocabulary_finds_nothing(tmp_path):
    occ, _ = occurrences(tmp_path, "Cooperation.\n", vocab="")
    assert occ == []
