"""Index rules (I4xx): the vocabulary's references, the shape of the index, the contributors' spellings.

Declarations first (the registry reads them for `issue explain` and `issue rules`), then the checks that need
more than one concept or the whole issue: blind references, chains and loops of "see"; headings with too many
undifferentiated locators; one term spelt two ways across contributors; near-duplicate headings.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..diagnostics.registry import rule
from ..manuscripts.document import context_of

if TYPE_CHECKING:  # only for annotations: keeps this module light for the registry
    from ..diagnostics.core import Diagnostic
    from .index import Index
    from .match import Occurrence
    from .vocabulary import Vocabulary

VOCABULARY = rule(
    "I401", "index-vocabulary", "error",
    "concepts.toml (the index vocabulary) cannot be read, or a value in it has the wrong type or is missing.",
    why="Without a readable vocabulary there is no index; a concept without a heading cannot be printed.",
    example='[[concept]]\nvariants = ["co-operation"]',
    instead='[[concept]]\nheading = "cooperation"\nvariants = ["co-operation"]')
UNKNOWN_KEY = rule(
    "I402", "index-unknown-key", "warning",
    "A key that concepts.toml (or the [index] table of issue.toml) does not know; it is ignored.",
    why="A misspelt key (`see-also`, `variant`) silently drops what the editor meant to say.",
    example='see-also = ["coordination"]', instead='see_also = ["coordination"]')
BLIND_REFERENCE = rule(
    "I403", "index-blind-reference", "error",
    'A "see" or "see also" reference to a heading that is not in the vocabulary.',
    why="A reader who follows it finds nothing: the most irritating fault an index can have.",
    example='see = "peace keeping"', instead='see = "peacekeeping"')
SEE_CHAIN = rule(
    "I404", "index-see-chain", "warning",
    'A reference that leads to a "see" entry, which sends the reader on again.',
    why="Readers should reach the locators in one step: point at the final heading.",
    example='[[concept]]\nheading = "PKO"\nsee = "peace operations"     # which itself says: see "peacekeeping operations"',
    instead='see = "peacekeeping operations"')
SEE_LOOP = rule(
    "I405", "index-see-loop", "error",
    '"See" references that lead back to where they started.',
    why="A loop sends the reader round in circles and never to a locator.",
    example='heading = "co-operation", see = "cooperation"  and  heading = "cooperation", see = "co-operation"',
    instead="give the locators to one heading and let the other say `see` it")
EMPTY_REFERENCE = rule(
    "I406", "index-empty-reference", "info",
    "A reference to a heading that exists in the vocabulary but occurs nowhere in this issue; it is left out of "
    "the index.",
    why="The heading is not printed when it has no locators, so the reference would be blind in the printed index.",
    example='see_also = ["world federalism"]   # no paper mentions it',
    instead="remove the reference, or keep it for a later issue")
TOO_MANY_LOCATORS = rule(
    "I407", "index-too-many-locators", "warning",
    "A heading with more than 6 locators and no sub-entries to tell them apart (the limit is [index] "
    "max_locators).",
    why="A string of undifferentiated locators forces the reader to look up every one; sub-entries say where "
        "each aspect is discussed.",
    example="cooperation, 2, 5, 9, 12, 17, 21, 30, 44",
    instead='[[concept.sub]]\nheading = "functional"      # posts "functional cooperation" here')
SPELLING = rule(
    "I408", "index-spelling-inconsistency", "warning",
    'One term spelt two ways in the issue: "co-operation" in one contribution, "cooperation" in another.',
    why="An issue follows one house style; copy-editors need to see every place that departs from it.",
    example="cook: co-operation (12 times); the other contributions: cooperation (140 times)",
    instead="one spelling throughout the issue")
NEAR_DUPLICATE = rule(
    "I409", "index-near-duplicate", "warning",
    'Two headings of the vocabulary that differ only in spelling, hyphenation or a plural ("regionalisation", '
    '"regionalization").',
    why="The index would split one topic's locators between two headings.",
    example='heading = "peace-keeping"  and  heading = "peacekeeping"',
    instead="one heading, with the other form as a variant")
AMBIGUOUS_FORM = rule(
    "I410", "index-ambiguous-form", "warning",
    "One written form belongs to two headings; its occurrences go to the first.",
    why="The matcher cannot tell which heading the author meant.",
    example='two concepts both list variants = ["PKO"]', instead="keep the form under one heading")
UNUSED_HEADING = rule(
    "I411", "index-unused-heading", "info",
    "A heading of the vocabulary that occurs in no contribution; it is not printed.",
    why="Either the vocabulary has a term this issue does not need, or the authors use a form it does not list.",
    example='heading = "world federalism"', instead='add the form the authors use to `variants`, or drop the heading')
SEE_WITH_CONTENT = rule(
    "I412", "index-see-with-content", "warning",
    'A "see" entry that also has sub-entries, "see also" references or acronyms; a "see" entry carries nothing but '
    "its reference.",
    why="Readers are sent elsewhere; anything else printed there is lost on them.",
    example='heading = "co-operation"\nsee = "cooperation"\nsee_also = ["partnership"]',
    instead='heading = "co-operation"\nsee = "cooperation"')


def _diag(vocab: "Vocabulary", code: str, message: str, concept_index: int, key: str | None = None,
          value: str | None = None, sub: int | None = None, suggestion: str | None = None) -> "Diagnostic":
    return vocab.diagnostic(code, message, concept_index, key=key, value=value, sub=sub, suggestion=suggestion)


# -- references: blind, chains, loops ------------------------------------------------------------------------------
def check_references(vocab: "Vocabulary") -> list["Diagnostic"]:
    """Every "see" and "see also" target must be a heading; "see" must not lead to another "see" or back."""
    diags: list[Diagnostic] = []
    for c in vocab.concepts:
        refs = ([("see", c.see)] if c.see else []) + [("see_also", t) for t in c.see_also]
        for key, target in refs:
            found = vocab.resolve(target)
            if found is None:
                diags.append(_diag(vocab, BLIND_REFERENCE.code,
                                   f"'{c.heading}' refers to '{target}', which is not a heading of the vocabulary",
                                   c.index, key, target, suggestion=vocab.suggest_heading(target)))
                continue
            tc, _sub = found
            if tc is c:
                diags.append(_diag(vocab, SEE_LOOP.code, f"'{c.heading}' refers to itself", c.index, key, target,
                                   suggestion=f"remove '{target}' from {key}"))
                continue
            if tc.see and key == "see":
                path = vocab.see_path(c)
                if path is None:  # a loop; reported once, below
                    continue
                final = path[-1]
                diags.append(_diag(vocab, SEE_CHAIN.code,
                                   f"'{c.heading}' → '{tc.heading}' → ... → '{final.heading}': a chain of \"see\" "
                                   "references", c.index, key, target, suggestion=f'see = "{final.heading}"'))
            elif tc.see and key == "see_also":
                final_path = vocab.see_path(tc)
                final = final_path[-1].heading if final_path else None
                diags.append(_diag(vocab, SEE_CHAIN.code,
                                   f"'{c.heading}' says see also '{tc.heading}', which is only a \"see\" entry",
                                   c.index, key, target,
                                   suggestion=f"see also '{final}' instead" if final else None))
    reported: set[frozenset[str]] = set()
    for c in vocab.concepts:
        if c.see and vocab.see_path(c) is None:
            cycle = vocab.see_cycle(c)
            key = frozenset(x.heading for x in cycle)
            if key in reported:
                continue
            reported.add(key)
            shown = " → ".join([x.heading for x in cycle] + [cycle[0].heading])
            diags.append(_diag(vocab, SEE_LOOP.code, f"\"see\" references go round in a loop: {shown}", cycle[0].index,
                               "see", cycle[0].see,
                               suggestion=f"give the locators to one heading (e.g. '{cycle[-1].heading}') and drop "
                                          "its `see`"))
        if c.see and (c.subs or c.see_also or c.acronyms):
            what = [w for w, v in (("sub-entries", c.subs), ("see_also", c.see_also), ("acronyms", c.acronyms)) if v]
            diags.append(_diag(vocab, SEE_WITH_CONTENT.code,
                               f"'{c.heading}' is a \"see\" entry but also has {' and '.join(what)}; they are ignored",
                               c.index, "see", c.see,
                               suggestion=f"move them to '{c.see}', the heading the reader is sent to"))
    return diags


# -- near-duplicate headings -----------------------------------------------------------------------------------------
def check_near_duplicates(vocab: "Vocabulary", threshold: float = 92.0) -> list["Diagnostic"]:
    """Headings whose spelling-blind forms coincide, or nearly (rapidfuzz), are probably one topic.

    "regionalisation"/"regionalization" and "peace-keeping"/"peacekeeping" coincide once spelling is set aside;
    "regionalism"/"regionalisation" and "peacekeeping"/"peacemaking" are different topics and stay apart.
    """
    from rapidfuzz import fuzz, process

    from .variants import spelling_key, word_inflections

    def norm(heading: str) -> str:
        words = heading.casefold().split()
        if words:  # plural and singular are one heading
            last = words[-1]
            singular = min((f for f in word_inflections(last, False) if len(f) <= len(last)), key=len, default=last)
            words[-1] = singular
        return spelling_key(" ".join(words))

    diags = []
    items = [(c, norm(c.heading)) for c in vocab.concepts]
    keys = [k for _, k in items]
    seen: set[tuple[int, int]] = set()
    for i, (c, k) in enumerate(items):
        if not k:
            continue
        for _match, score, j in process.extract(k, keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=None):
            if j <= i or (i, j) in seen:
                continue
            other = items[j][0]
            if c.see or other.see:  # a "see" entry beside its target is the intended form
                if vocab.resolve(c.see or "") and vocab.resolve(c.see or "")[0] is other:
                    continue
                if vocab.resolve(other.see or "") and vocab.resolve(other.see or "")[0] is c:
                    continue
            if _differ_by_prefix(c.heading, other.heading):
                continue
            seen.add((i, j))
            how = "differ only in spelling" if score >= 100 else f"are {score:.0f}% alike"
            diags.append(_diag(vocab, NEAR_DUPLICATE.code,
                               f"headings '{c.heading}' and '{other.heading}' {how}", other.index, "heading",
                               other.heading,
                               suggestion=f"keep one heading and list the other form under its variants, e.g. "
                                          f"variants = [\"{other.heading}\"] in '{c.heading}'"))
    return diags


def _differ_by_prefix(a: str, b: str) -> bool:
    """'functionalism' and 'neofunctionalism' are related topics, not two spellings of one."""
    a, b = a.casefold().replace("-", ""), b.casefold().replace("-", "")
    short, long_ = sorted((a, b), key=len)
    return long_.endswith(short) and long_[: len(long_) - len(short)] in ("neo", "non", "anti", "post", "pre", "sub",
                                                                          "multi", "inter", "counter", "de", "re")


# -- locators --------------------------------------------------------------------------------------------------------
def check_locators(index: "Index", vocab: "Vocabulary", occurrences: list["Occurrence"],
                   limit: int = 6) -> list["Diagnostic"]:
    """A main heading with more than `limit` locators of its own (after ranges are collapsed)."""
    ideas: dict[str, Counter[str]] = defaultdict(Counter)
    for o in occurrences:
        if o.sub is None:
            ideas[o.concept].update(sub_entry_candidates(o))
    return locator_findings(index, vocab, ideas, limit)


def locator_findings(index: "Index", vocab: "Vocabulary", ideas: dict[str, Counter[str]],
                     limit: int = 6) -> list["Diagnostic"]:
    """check_locators, from each concept's candidate sub-entries already counted (tally.py)."""
    diags = []
    for e in index.entries:
        if e.kind != "main":
            continue
        n = len(e.ranges)
        if n <= limit:
            continue
        concept = vocab.concept(e.concept)
        if concept is None:
            continue
        found = _top_ideas(ideas.get(e.concept) or Counter())
        hint = ("; candidates from the text: " + ", ".join(f"'{w}' ({k}×)" for w, k in found)) if found else ""
        diags.append(vocab.diagnostic(
            TOO_MANY_LOCATORS.code,
            f"'{e.heading}' has {n} undifferentiated locators (more than {limit}){' and no sub-entries' if not e.subs else ''}",
            concept.index, key="heading", value=concept.heading,
            suggestion="split it into sub-entries with [[concept.sub]]" + hint))
    return diags


_STOP = {"the", "a", "an", "of", "and", "or", "in", "on", "for", "to", "with", "by", "as", "at", "from", "that",
         "this", "its", "their", "his", "her", "such", "more", "most", "which", "is", "are", "was", "were", "be",
         "been", "but", "not", "no", "into", "than", "also", "both", "between", "among", "other", "these", "those",
         "it", "they", "we", "our", "has", "have", "had", "can", "could", "would", "will", "may", "might", "do", "does",
         "one", "two", "out", "up", "any", "all", "each", "every", "some", "what", "who", "how", "whose", "there"}


@lru_cache(maxsize=65536)
def _modifier(word: str) -> bool:
    """A word that can qualify a term: an adjective or noun (or a participle, "fragmented cooperation")."""
    from ..lexicon import lemmas

    pos = lemmas(word.split()[0])
    return not pos or bool(set(pos) & {"ADJ", "NOUN"}) or word.endswith("ed")


_AFTER = re.compile(r"\s+(on|with|in|between|among|for|against)\s+(?:the\s+|its\s+|their\s+)?"
                    r"([A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?|[a-z][\w\-]+)")


def _sub_entry_ideas(occurrences: list["Occurrence"], heading: str, top: int = 4) -> list[tuple[str, int]]:
    """Phrases the authors often write around the term: a modifier before it ("functional cooperation") or a
    prepositional phrase after it ("cooperation with China"), the usual candidates for sub-entries."""
    counts: Counter[str] = Counter()
    for o in occurrences:
        counts.update(sub_entry_candidates(o))
    return _top_ideas(counts, top)


def sub_entry_candidates(o: "Occurrence") -> list[str]:
    """The candidate sub-entries one occurrence offers: the word before it, the phrase after it. Whether the
    word can qualify a term (_modifier) is asked later, of the few most frequent candidates only."""
    out = []
    word = o.left_word.casefold() if o.left_word else ""
    if word and word.replace("-", "").isalpha() and word not in _STOP and len(word) > 2:
        out.append(word)
    text = o.block_ref.text if o.block_ref is not None else ""
    m = _AFTER.match(text, o.end, o.end + 60)
    if m and m.group(2).casefold() not in _STOP:
        out.append(f"{m.group(1)} {m.group(2)}")
    return out


def _top_ideas(counts: Counter[str], top: int = 4) -> list[tuple[str, int]]:
    """The most frequent candidates (twice or more) whose word can qualify the term."""
    out: list[tuple[str, int]] = []
    for w, k in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
        if k < 2 or len(out) == top:
            break
        if _modifier(w if " " not in w else w.split(" ", 1)[1].casefold()):  # "with China": is "china" one?
            out.append((w, k))
    return out


# -- spelling across contributors ---------------------------------------------------------------------------------------
def check_spelling(occurrences: list["Occurrence"], order: list[str]) -> list["Diagnostic"]:
    """One term written two ways in the issue: report, per contribution, each spelling that is not the issue's
    usual one, at its first occurrence, with how often each form is used and where."""
    from .tally import tallies_of

    return spelling_findings(tallies_of(occurrences, order), order)


@lru_cache(maxsize=65536)
def spelling_of(surface: str) -> tuple[str, str]:
    """(spelling-blind key, spelling) of a surface form: the two things the spelling rule groups by."""
    from .variants import spelling_key

    return spelling_key(surface), _spelling(surface)


def spelling_findings(tallies: list[Any], order: list[str]) -> list["Diagnostic"]:
    """check_spelling from each manuscript's spellings already counted (tally.py), in the issue's order."""
    from ..diagnostics.core import make

    # key -> spelling -> [(contribution, Spelling)] in the order
    groups: dict[str, dict[str, list[tuple[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for t in tallies:
        for (key, spelt), tally in t.spellings.items():
            groups[key][spelt].append((t.contribution, tally))
    rank = {cid: i for i, cid in enumerate(order)}
    diags = []
    for key in sorted(groups):
        spellings = groups[key]
        if len(spellings) < 2:
            continue
        heading_spelling = {_spelling(h) for found in spellings.values() for _, t in found for h in t.headings}
        total = {s: sum(t.count for _, t in found) for s, found in spellings.items()}

        def weight(s: str) -> tuple:
            """Used in more contributions, then more often, then the vocabulary's own spelling."""
            return (-len({cid for cid, _ in spellings[s]}), -total[s], s not in heading_spelling, s)

        usual = min(spellings, key=weight)
        usual_where = sorted({cid for cid, _ in spellings[usual]}, key=lambda c: rank.get(c, 0))
        usual_in: Counter[str] = Counter()
        for cid, t in spellings[usual]:
            usual_in[cid] += t.count
        for spelt in sorted(spellings, key=weight):
            if spelt == usual:
                continue
            by_contribution: dict[str, list[Any]] = defaultdict(list)
            for cid, t in spellings[spelt]:
                by_contribution[cid].append(t)
            for cid in sorted(by_contribution, key=lambda c: rank.get(c, 0)):
                found = by_contribution[cid]
                count = sum(t.count for t in found)
                first = found[0].first
                same_paper = usual_in.get(cid, 0)
                where = (f"this contribution also writes '{usual}' ({same_paper}×)" if same_paper else
                         f"the issue writes '{usual}' ({total[usual]}× in {', '.join(usual_where)})")
                message = (f"'{spelt}' ({count}× in {cid}) is spelt differently elsewhere: {where}")
                suggestion = f"use one spelling throughout the issue, e.g. '{usual}'"
                if first.block_ref is not None:  # as Document.diagnostic_at, without reading the manuscript again
                    context, offset = context_of(first.block_ref, first.start, first.end)
                    d = make(SPELLING.code, message, first.location, excerpt=first.block_ref.text[first.start:first.end],
                             context=context, context_start=offset, suggestion=suggestion)
                else:
                    d = make(SPELLING.code, message, first.location, excerpt=first.surface, suggestion=suggestion)
                d.data = {"key": key, "spelling": spelt, "usual": usual, "contribution": cid, "count": count}
                diags.append(d)
    return diags


def _spelling(surface: str) -> str:
    """The spelling of a surface form, without case and possessive: "Co-operation's" -> "co-operation".

    A hyphen between two words counts as a space: "disaster-relief operations" and "spill over" are right
    beside "disaster relief" and "spill-over" (a compound before its noun, a verb beside its noun)."""
    s = surface.replace("\u2019", "'").casefold()
    if s.endswith("'s"):
        s = s[:-2]
    words = s.split()
    out = []
    for w in words:
        parts = w.split("-")
        # keep the hyphen only inside a word that is also written closed (co-operation, peace-keeping)
        joined = []
        for p in parts:
            if joined and not (_is_word(joined[-1].split("-")[-1]) and _is_word(p)):
                joined[-1] = joined[-1] + "-" + p
            elif joined:
                joined.append(p)
            else:
                joined.append(p)
        out.extend(joined)
    return " ".join(out)


def _is_word(part: str) -> bool:
    """A stand-alone word (disaster, relief, spill), not a prefix (co, neo, non) or a fragment."""
    from .variants import _known

    return len(part) > 3 and _known(part) and part not in ("anti", "semi", "post", "self")
