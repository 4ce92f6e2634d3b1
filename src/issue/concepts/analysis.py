"""The concepts analysis: the vocabulary's occurrences in every contribution, the index, and the I4xx findings.

records: every Occurrence (printed under "concepts" by `issue check --format json`).
extra:   "index" (index.Index, locators as (contribution, block) pairs), "matrix" (concepts by contributions),
         "vocabulary" (vocabulary.Vocabulary), "settings" (the [index] table), and "paged" (a function
         pages -> Index for the print build: pages maps an anchor id or (contribution id, block index) to a
         page label such as "iv" or "37").
"""
from __future__ import annotations

from typing import Any, Mapping

from ..pipeline import AnalysisResult, Context
from . import rules as R
from .index import Index, build_index, concept_matrix
from .match import Matcher, Occurrence, find_occurrences
from .vocabulary import Vocabulary, load_vocabulary, settings_of


def citation_spans(ctx: Context) -> dict[str, list[tuple[int, int | None, int, int]]]:
    """Spans the citation checker found, per contribution: (block, note, start, end). Also the authors' names
    of a split citation ("as Martel notes, ... (2017)"), which are part of the citation, not prose."""
    result = ctx.results.get("citations")
    out: dict[str, list[tuple[int, int | None, int, int]]] = {}
    if result is None:
        return out
    for r in result.records:
        cid = getattr(r, "contribution", None)
        block, start, end = getattr(r, "block", None), getattr(r, "start", None), getattr(r, "end", None)
        if cid is None or block is None or start is None or end is None:
            continue
        note = getattr(r, "note_number", None)
        out.setdefault(cid, []).append((block, note, start, end))
        span = getattr(r, "author_span", None)
        if span:
            out[cid].append((block, note, span[0], span[1]))
    return out


def occurrences_of(ctx: Context, vocab: Vocabulary, matcher: Matcher | None = None) -> list[Occurrence]:
    matcher = matcher or Matcher(vocab)
    cites = citation_spans(ctx)
    out: list[Occurrence] = []
    for c in ctx.issue.contributions:
        doc = ctx.documents.get(c.id)
        if doc is not None:
            out.extend(find_occurrences(doc, c.id, matcher, cites.get(c.id, ())))
    return out


def analyse(ctx: Context) -> AnalysisResult:
    settings, diags = settings_of(ctx.issue)
    vocab, more = load_vocabulary(ctx.root, ctx.issue, settings)
    diags += more
    if vocab is None:
        return AnalysisResult([], diags, {})
    occurrences = occurrences_of(ctx, vocab)
    order = [c.id for c in ctx.issue.contributions]
    index = build_index(vocab, occurrences, order, sort=settings.sort)
    diags += findings(ctx, vocab, occurrences, index, settings.max_locators)

    def paged(pages: Mapping[Any, str]) -> Index:
        return build_index(vocab, occurrences, order, sort=settings.sort, pages=pages)

    extra = {"index": index, "matrix": concept_matrix(vocab, occurrences, order, settings.sort),
             "vocabulary": vocab, "settings": settings, "paged": paged}
    return AnalysisResult(occurrences, diags, extra)


def findings(ctx: Context, vocab: Vocabulary, occurrences: list[Occurrence], index: Index, limit: int) -> list:
    """The index rules that need the occurrences: locator strings, spellings, references the issue leaves empty,
    headings nobody uses."""
    diags = R.check_locators(index, vocab, occurrences, limit)
    diags += R.check_spelling(occurrences, ctx.documents, [c.id for c in ctx.issue.contributions])
    if ctx.documents:  # without manuscripts, "occurs nowhere" would be said of everything
        used = {o.concept for o in occurrences}
        for source, target in index.dropped_references:
            c = vocab.concept(source)
            if c is None or vocab.resolve(target) is None:
                continue  # a blind reference: reported with the vocabulary
            key = "see" if c.see and c.see == target else "see_also"
            diags.append(vocab.diagnostic(
                R.EMPTY_REFERENCE.code, f"'{source}' refers to '{target}', which occurs in no contribution; the "
                f"reference is left out of the index", c.index, key=key, value=target,
                suggestion=f"add the form the authors use to the variants of '{target}', or drop the reference"))
        for c in vocab.concepts:
            if not c.see and c.heading not in used:
                diags.append(vocab.diagnostic(
                    R.UNUSED_HEADING.code, f"'{c.heading}' occurs in no contribution and is not printed", c.index,
                    key="heading", value=c.heading,
                    suggestion="add the form the authors use to `variants`, or remove the heading"))
    return diags
