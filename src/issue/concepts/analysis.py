"""The concepts analysis: the vocabulary's occurrences in every contribution, the index, and the I4xx findings.

records: every Occurrence (printed under "concepts" by `issue check --format json`).
extra:   "index" (index.Index, locators as (contribution, block) pairs), "matrix" (concepts by contributions),
         "vocabulary" (vocabulary.Vocabulary), "settings" (the [index] table), and "paged" (a function
         pages -> Index for the print build: pages maps an anchor id or (contribution id, block index) to a
         page label such as "iv" or "37").
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Mapping

from ..pipeline import AnalysisResult, Context, DocumentPart, PerDocument
from . import rules as R
from .index import Index, build_index, concept_matrix, index_from_locators
from .tally import joined_locators, tallies_of, tally
from .match import Matcher, Occurrence, find_occurrences
from .vocabulary import Settings, Vocabulary, load_vocabulary, settings_of


def citation_spans(ctx: Context) -> dict[str, list[tuple[int, int | None, int, int]]]:
    """Spans the citation checker found, per contribution: (block, note, start, end). Also the authors' names
    of a split citation ("as Martel notes, ... (2017)"), which are part of the citation, not prose."""
    result = ctx.results.get("citations")
    return spans_of(result.records) if result is not None else {}


def spans_of(records: Any) -> dict[str, list[tuple[int, int | None, int, int]]]:
    out: dict[str, list[tuple[int, int | None, int, int]]] = {}
    for r in records:
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
    state = prepare(ctx, cached=False)
    cites = citation_spans(ctx)
    items = [(c.id, ctx.documents[c.id], {}) for c in ctx.issue.contributions if c.id in ctx.documents]
    parts = {cid: DocumentPart(records=find_occurrences(doc, cid, state.matcher, cites.get(cid, ())))
             for cid, doc, _ in items} if state.vocab is not None else {}
    return combine(ctx, state, parts)


# -- in two steps: each manuscript, then the issue (pipeline.PerDocument) -------------------------------------------
class State:
    """The [index] settings and the vocabulary (with its findings), and the matcher compiled from it on first use.
    Both are cached by the vocabulary's content: compiling every form of 3,000 terms takes most of a second."""

    def __init__(self, settings: Settings, vocab: Vocabulary | None, diagnostics: list, key: str | None,
                 store: Any = None):
        self.settings, self.vocab, self.diagnostics = settings, vocab, diagnostics
        self._key, self._store, self._matcher = key, store, None

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            hit = self._store.get("matcher", self._key) if self._store is not None and self._key else None
            if isinstance(hit, Matcher):
                self._matcher = hit
            else:
                self._matcher = Matcher(self.vocab)
                if self._store is not None and self._key:
                    self._store.put("matcher", self._key, self._matcher)
        return self._matcher


def vocabulary_fingerprint(ctx: Context) -> Any:
    """The vocabulary file's bytes (the [index] table is in the manifest, which every key covers)."""
    settings, _ = settings_of(ctx.issue)
    rel = Path(settings.vocabulary)
    if rel.is_absolute() or ".." in rel.parts:
        return None  # refused by load_vocabulary; nothing outside the issue folder is read
    path = ctx.root / rel
    try:
        if not path.is_file() or not path.resolve().is_relative_to(ctx.root.resolve()):
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def prepare(ctx: Context, cached: bool = True) -> State:
    from ..cache import code_version, digest

    settings, diags = settings_of(ctx.issue)
    store = ctx.store() if cached else None
    key = digest("vocabulary", code_version(), repr(ctx.issue), vocabulary_fingerprint(ctx)) if cached else None
    hit = store.get("vocabulary", key) if store is not None else None
    if hit is not None:
        vocab, more = hit
    else:
        vocab, more = load_vocabulary(ctx.root, ctx.issue, settings)
        if store is not None:
            store.put("vocabulary", key, (vocab, more))
    return State(settings, vocab, diags + more, key, store)


def documents(ctx: Context, state: State, items: list[tuple[str, Any, dict[str, DocumentPart]]]
              ) -> dict[str, DocumentPart]:
    """The occurrences in each manuscript, outside the citations found in it."""
    out: dict[str, DocumentPart] = {}
    for cid, doc, earlier in items:
        if state.vocab is None:
            out[cid] = DocumentPart()
            continue
        cites = spans_of(earlier["citations"].records).get(cid, ()) if "citations" in earlier else ()
        occurrences = find_occurrences(doc, cid, state.matcher, cites)
        out[cid] = DocumentPart(records=occurrences, data={"tally": tally(cid, occurrences)})
    return out


def combine(ctx: Context, state: State, parts: dict[str, DocumentPart]) -> AnalysisResult:
    """The index of every manuscript's occurrences, and the rules that need the whole issue."""
    diags = list(state.diagnostics)
    vocab, settings = state.vocab, state.settings
    if vocab is None:
        return AnalysisResult([], diags, {})
    order = [c.id for c in ctx.issue.contributions]
    mine = [parts[cid] for cid in order if cid in parts]
    tallies = [p.data["tally"] if "tally" in p.data else tally(cid, p.records)
               for cid, p in zip([cid for cid in order if cid in parts], mine)]
    index = index_from_locators(vocab, joined_locators(tallies), sort=settings.sort)
    diags += findings_from(ctx, vocab, tallies, index, settings.max_locators)
    occurrences = Joined([p.records for p in mine])  # read only if asked for (`--format json`, the outputs)
    extra = {"index": index, "vocabulary": vocab, "settings": settings,
             "paged": Paged(vocab, occurrences, order, settings.sort)}
    if not ctx.lean:  # the concepts-by-contributions table is for the outputs and `issue index --matrix`
        extra["matrix"] = concept_matrix(vocab, occurrences, order, settings.sort)
    return AnalysisResult(occurrences, diags, extra)


class Joined(Sequence):
    """The manuscripts' occurrences one after the other, put together on first use."""

    def __init__(self, lists: list[Any]):
        self._lists, self._items = lists, None

    def _all(self) -> list[Occurrence]:
        if self._items is None:
            self._items = [o for records in self._lists for o in records]
        return self._items

    def __getitem__(self, i):
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        return iter(self._all())


class Paged:
    """pages -> Index for the print build (a class, not a closure, so that a result can be kept)."""

    def __init__(self, vocab: Vocabulary, occurrences: list[Occurrence], order: list[str], sort: str):
        self.vocab, self.occurrences, self.order, self.sort = vocab, occurrences, order, sort

    def __call__(self, pages: Mapping[Any, str]) -> Index:
        return build_index(self.vocab, self.occurrences, self.order, sort=self.sort, pages=pages)


PER_DOCUMENT = PerDocument(fingerprint=vocabulary_fingerprint, prepare=prepare, documents=documents, combine=combine)


def findings(ctx: Context, vocab: Vocabulary, occurrences: list[Occurrence], index: Index, limit: int) -> list:
    """The index rules that need the occurrences: locator strings, spellings, references the issue leaves empty,
    headings nobody uses."""
    order = [c.id for c in ctx.issue.contributions]
    return findings_from(ctx, vocab, tallies_of(occurrences, order), index, limit)


def findings_from(ctx: Context, vocab: Vocabulary, tallies: list[Any], index: Index, limit: int) -> list:
    """findings(), from each manuscript's tally (tally.py) instead of every occurrence."""
    order = [c.id for c in ctx.issue.contributions]
    ideas: dict[str, Counter] = {}
    for t in tallies:
        for concept, counts in t.ideas.items():
            ideas.setdefault(concept, Counter()).update(counts)
    diags = R.locator_findings(index, vocab, ideas, limit)
    diags += R.spelling_findings(tallies, order)
    if ctx.documents:  # without manuscripts, "occurs nowhere" would be said of everything
        used = set().union(*(t.used for t in tallies)) if tallies else set()
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
