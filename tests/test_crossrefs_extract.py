"""Recognition of cross-references between the contributions: every form authors write, and the false friends."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypandoc
import pytest
from hypothesis import given, settings, strategies as st

from issue.crossrefs.analysis import analyse
from issue.crossrefs.extract import Contributors, Recogniser
from issue.manuscripts.document import Block, Document
from issue.pipeline import AnalysisResult, Context, load_manuscripts
from issue.project import load_issue

MANIFEST = (Path(__file__).parent / "data" / "crossrefs" / "issue.toml").read_text(encoding="utf-8")
IDS = ["introduction", "cook", "hirono", "newby", "jones", "mulloy"]
FILLER = """\
---
title: "A paper"
---

# Introduction

Humanitarian assistance and disaster relief have become a routine task of the region's armed forces.

# References

Capie, David. 2015. "The United States and Humanitarian Assistance and Disaster Relief (HADR) in East Asia."
"""


@dataclass
class Citation:
    """The shape of issue.citations' records, as the cross-reference analysis reads them."""

    file: str
    contribution: str
    block: int
    start: int
    end: int
    authors: list[str]
    year: str
    key: str | None
    form: str = "parenthetical"
    crossref: str | None = None
    author_span: tuple[int, int] | None = None  # the authors, when they stand apart from the year


def run(make_issue, texts: dict[str, str], manifest: str = MANIFEST, citations=None):
    """Write the papers (the others get a paragraph with no reference), read them, run the analysis."""
    files = {f"papers/{cid}.md": texts.get(cid, FILLER) for cid in IDS}
    files.update({k: v for k, v in texts.items() if "/" in k})
    root = make_issue(files, manifest=manifest)
    issue, _ = load_issue(root)
    ctx = Context(issue=issue)
    load_manuscripts(ctx)
    if citations is not None:
        ctx.results["citations"] = AnalysisResult(records=citations(ctx))
    return ctx, analyse(ctx)


def cite(ctx, cid: str, text: str, authors: list[str], year: str, key: str | None, crossref: str | None = None):
    """A citation record at the first occurrence of `text` in contribution `cid`."""
    doc = ctx.documents[cid]
    for b in doc.blocks:
        at = b.text.find(text)
        if at >= 0 and b.is_body:
            return Citation(doc.file, cid, b.index, at, at + len(text), authors, year, key, crossref=crossref)
    raise AssertionError(f"{text!r} not in {cid}")


def refs(result, source: str | None = None):
    return [r for r in result.records if source is None or r.contribution == source]


def only(result, source: str):
    found = refs(result, source)
    assert len(found) == 1, [r.text for r in found]
    return found[0]


def paper(body: str) -> str:
    return f"---\ntitle: \"A paper\"\n---\n\n# Introduction\n\n{body}\n\n# References\n\nCapie, David. 2015. *HADR*.\n"


# -- the forms ------------------------------------------------------------------------------------------------------

def test_name_comma_this_issue(make_issue):
    _, result = run(make_issue, {"mulloy": paper(
        "China's own engagement in peacekeeping is driven by decision-making processes of its own (Hirono, this "
        "issue), and neither Beijing nor Seoul has an interest in endorsing Japanese leadership.")})
    r = only(result, "mulloy")
    assert (r.text, r.targets, r.form, r.status) == ("Hirono, this issue", ["hirono"], "this issue", "resolved")
    assert [(link.start, link.end, link.target) for link in r.links] == [(r.start, r.end, "hirono")]


def test_name_then_parenthesised_this_issue(make_issue):
    ctx, result = run(make_issue, {"jones": paper(
        "As Mulloy (this issue) shows, Japan has used the same nexus of peace operations and HADR.")})
    r = only(result, "jones")
    assert r.text == "Mulloy (this issue)" and r.targets == ["mulloy"]
    # the span points at the source: line and column of "Mulloy" in papers/jones.md
    line = (ctx.root / "papers/jones.md").read_text().splitlines()[r.location.line - 1]
    assert line[r.location.column - 1:].startswith("Mulloy (this issue)")


def test_see_two_names_without_comma_inside_parentheses(make_issue):
    _, result = run(make_issue, {"newby": paper(
        "The partners deploy to the same crises under separate national command (see Cook and Jones this issue).")})
    r = only(result, "newby")
    assert r.text == "Cook and Jones this issue"
    assert r.targets == ["cook", "jones"]
    assert [link.target for link in r.links] == ["cook", "jones"]  # one link per paper


def test_papers_by_three_names_in_this_issue(make_issue):
    _, result = run(make_issue, {"introduction": paper(
        "Read together, the papers by Hirono, Newby and Jones in this issue show that the limits of cooperation "
        "are set less by animosity between states than by how states are organised to cooperate at all.")})
    r = only(result, "introduction")
    assert r.names == ["Hirono", "Newby", "Jones"]
    assert r.targets == ["hirono", "newby", "jones"]
    assert r.form == "this issue"
    assert [r_.target for r_ in r.links] == ["hirono", "newby", "jones"]


def test_parenthesised_names_before_in_this_collection(make_issue):
    _, result = run(make_issue, {"introduction": paper(
        "Two papers (Mulloy and Newby) in this collection look at alliances and at Japan's Self-Defense Forces.")})
    r = only(result, "introduction")
    assert r.text == "(Mulloy and Newby) in this collection"
    assert r.targets == ["mulloy", "newby"] and r.form == "this collection"


@pytest.mark.parametrize("marker", ["this volume", "this special issue", "this collection", "this issue"])
def test_every_marker_phrase_is_a_form(make_issue, marker):
    _, result = run(make_issue, {"hirono": paper(
        f"Other states in the region straddle both activities, such as Japan (Mulloy, {marker}).")})
    r = only(result, "hirono")
    assert r.targets == ["mulloy"] and r.form == marker


@pytest.mark.parametrize("noun", ["paper", "article", "chapter", "contribution"])
def test_possessive_with_a_noun(make_issue, noun):
    _, result = run(make_issue, {"jones": paper(
        f"In Newby's {noun} the alliance partners deploy to the same crises but under separate command.")})
    r = only(result, "jones")
    assert r.text == f"Newby’s {noun}"  # pandoc's smart quotes
    assert r.targets == ["newby"] and r.form == "possessive"


def test_possessive_followed_by_a_marker_takes_its_form(make_issue):
    _, result = run(make_issue, {"mulloy": paper(
        "Cook and Yogendran's article in this volume reads the 4Cs as orders of engagement.")})
    r = only(result, "mulloy")
    assert r.targets == ["cook"] and r.form == "this volume"


def test_coauthored_pair_is_one_contribution(make_issue):
    _, result = run(make_issue, {"hirono": paper(
        "Many non-state actors also need to be accommodated (Cook and Yogendran, this issue).")})
    r = only(result, "hirono")
    assert r.names == ["Cook", "Yogendran"] and r.targets == ["cook"]
    assert len(r.links) == 1 and r.links[0].target == "cook"


def test_et_al_this_issue(make_issue):
    _, result = run(make_issue, {"jones": paper(
        "The circle of actors in disaster response has widened (Cook et al., this issue).")})
    r = only(result, "jones")
    assert r.text == "Cook et al., this issue" and r.targets == ["cook"]


def test_full_names_and_initials(make_issue):
    _, result = run(make_issue, {"newby": paper(
        "Miwa Hirono (this issue) looks inside the Chinese state, and A. D. B. Cook and S. Yogendran (this issue) "
        "look beyond it.")})
    assert [(r.text, r.targets) for r in refs(result, "newby")] == [
        ("Miwa Hirono (this issue)", ["hirono"]), ("A. D. B. Cook and S. Yogendran (this issue)", ["cook"])]


def test_two_references_in_one_parenthesis(make_issue):
    _, result = run(make_issue, {"cook": paper(
        "Both peacekeeping and HADR have been studied at the national level (Hirono, this issue; Newby, this issue).")})
    assert [(r.text, r.targets) for r in refs(result, "cook")] == [
        ("Hirono, this issue", ["hirono"]), ("Newby, this issue", ["newby"])]


def test_the_introduction_is_a_target(make_issue):
    _, result = run(make_issue, {"jones": paper(
        "It draws on the distinction, developed in the introduction to this issue, between coordination and "
        "cooperation; the framework of Jones and Jalkebro (this issue) separates them from partnership.")})
    assert [(r.text, r.targets) for r in refs(result, "jones")] == [
        ("introduction to this issue", ["introduction"]), ("Jones and Jalkebro (this issue)", ["introduction"])]


def test_marker_opening_the_sentence(make_issue):
    _, result = run(make_issue, {"introduction": paper(
        "Japan is the hard case. In this issue, Mulloy examines the Self-Defense Forces from Cambodia to South "
        "Sudan.")})
    r = only(result, "introduction")
    assert r.targets == ["mulloy"] and r.form == "this issue"


def test_the_introduction_names_the_contributors_in_its_overview(make_issue):
    _, result = run(make_issue, {"introduction": paper(
        "Newby turns to an alliance whose members already share strategic goals. The regional level is the "
        "subject of the paper by Catherine Jones. Cook and Yogendran and Mulloy add that success is shallow.")})
    found = [(r.text, r.targets, r.form) for r in refs(result, "introduction")]
    assert found == [("Newby", ["newby"], "name"), ("Catherine Jones", ["jones"], "papers-by"),
                     ("Cook and Yogendran and Mulloy", ["cook", "mulloy"], "name")]


def test_a_contributor_named_in_another_paper_without_marker_is_not_a_reference(make_issue):
    _, result = run(make_issue, {"mulloy": paper(
        "Newby turns to an alliance whose members already share strategic goals.")})
    assert refs(result, "mulloy") == []


def test_footnote_reference_carries_its_note_number(make_issue):
    _, result = run(make_issue, {"mulloy": paper(
        "Japan trained engineers from other contributing countries.[^1]\n\n"
        "[^1]: On China's training programmes see Hirono, this issue, 62.")})
    r = only(result, "mulloy")
    assert r.note == 1 and r.targets == ["hirono"] and r.text == "Hirono, this issue"
    assert r.to_json()["note"] == 1


def test_word_manuscript_gives_paragraph_locations(make_issue, tmp_path):
    src = tmp_path / "newby.md"
    src.write_text(paper("Alliance theory helps.\n\nJapan, too, has tried (Mulloy, this issue)."), encoding="utf-8")
    pypandoc.convert_file(str(src), "docx", outputfile=str(tmp_path / "newby.docx"))
    manifest = MANIFEST.replace('file = "papers/newby.md"', 'file = "papers/newby.docx"')
    _, result = run(make_issue, {"papers/newby.docx": (tmp_path / "newby.docx").read_bytes()}, manifest=manifest)
    r = only(result, "newby")
    assert r.file == "papers/newby.docx"
    assert r.location.paragraph is not None and r.location.line is None
    assert r.to_json()["paragraph"] == r.location.paragraph


# -- false friends ----------------------------------------------------------------------------------------------------

def test_this_issue_in_a_sentence_about_a_policy_issue(make_issue):
    _, result = run(make_issue, {"jones": paper(
        "The refugee question is a pressing one and this issue divides ASEAN members. In Japan, this issue "
        "remains sensitive, and for Thailand, this issue, like the Rohingya crisis, is a domestic matter. The "
        "interests of China in this issue are plain.")})
    assert refs(result) == []
    assert [d for d in result.diagnostics if d.location.file == "papers/jones.md"] == []


def test_namesake_of_a_contributor_in_a_citation(make_issue):
    text = ("Lee Jones (2015) has shown that non-interference was never absolute, and Jones's article (2015) on "
            "ASEAN's sovereignty remains the standard account.")
    _, result = run(make_issue, {"introduction": paper(text), "cook": paper(text)})
    assert refs(result) == []
    assert not [d for d in result.diagnostics if d.code in ("X301", "X302")]


def test_name_inside_a_resolved_citation_is_never_a_cross_reference(make_issue):
    text = "Non-interference was never absolute (Jones, this issue, after Jones 2012) (Jones 2015)."

    def citations(ctx):
        return [cite(ctx, "cook", "(Jones 2015)", ["Jones"], "2015", "jones2015governing"),
                cite(ctx, "cook", "Jones 2012", ["Jones"], "2012", "jones2012asean")]

    _, result = run(make_issue, {"cook": paper(text)}, citations=citations)
    r = only(result, "cook")
    assert r.text == "Jones, this issue" and r.targets == ["jones"]


def test_a_narrative_citation_with_the_name_apart_from_the_year_is_not_a_mention(make_issue):
    text = "As Newby puts it, allies deploy to the same crises under separate command (2018, 12)."

    def citations(ctx):
        c = cite(ctx, "introduction", "(2018, 12)", ["Newby"], "2018", "newby2018ships", )
        at = ctx.documents["introduction"].blocks[1].text.find("Newby")
        c.author_span = (at, at + len("Newby"))
        return [c]

    _, without = run(make_issue, {"introduction": paper(text)})
    assert [r.targets for r in refs(without, "introduction")] == [["newby"]]  # the overview names Newby
    _, result = run(make_issue, {"introduction": paper(text)}, citations=citations)
    assert refs(result, "introduction") == []


def test_an_institution_before_a_marker_is_not_a_contributor(make_issue):
    _, result = run(make_issue, {"jones": paper(
        "The United Nations (this issue) and the ASEAN Secretariat (this volume) are discussed throughout.")})
    assert refs(result) == [] and not [d for d in result.diagnostics if d.location.file == "papers/jones.md"]


def test_a_locator_after_the_marker_stays_in_the_span(make_issue):
    _, result = run(make_issue, {"newby": paper("China's decisions are fragmented (see Hirono (this issue, 62)).")})
    assert only(result, "newby").text == "Hirono (this issue, 62)"


def test_a_misspelt_contributor_after_a_preposition_is_still_reported(make_issue):
    _, result = run(make_issue, {"newby": paper(
        "As argued in Hirnoo, this issue, the decision units differ; as argued in Smith, this issue, they do not.")})
    assert [(r.text, r.status) for r in refs(result, "newby")] == [("Hirnoo, this issue", "unknown")]


def test_without_the_citation_analysis_results_the_analysis_still_runs(make_issue):
    _, result = run(make_issue, {"cook": paper("See Hirono (this issue).")})
    assert only(result, "cook").targets == ["hirono"]


# -- robustness ---------------------------------------------------------------------------------------------------------

_WORDS = st.sampled_from(["Jones", "Cook", "and", "Yogendran", ",", "(", ")", ";", "this", "issue", "volume", "in",
                          "’s", "'s", "paper", "by", "et", "al.", "Lee", "In", "Japan", "2020", "D.", "de", "Ø",
                          "e\u0301", "the", "present", "special", "—", ".", "Hirono", "Smith", "papers", " ", "\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.booleans())
def test_any_text_gives_well_formed_records(tmp_path_factory, words, introduction):
    root = tmp_path_factory.mktemp("issue")
    (root / "issue.toml").write_text(MANIFEST, encoding="utf-8")
    issue, _ = load_issue(root)
    text = " ".join(words)
    block = Block(index=1, kind="para", section="body", text=text, line=1)
    doc = Document(file="papers/cook.md", format="markdown", blocks=[block])
    for r in Recogniser(Contributors(issue)).block(doc, block, "cook", introduction=introduction):
        assert 0 <= r.start < r.end <= len(text) and r.text == text[r.start:r.end]
        assert all(r.start <= link.start < link.end <= r.end for link in r.links)
        assert set(r.targets) <= {"introduction", "cook", "hirono", "newby", "jones", "mulloy"}
