"""What the index and its rules need of one manuscript's occurrences, counted once per manuscript.

A large issue has a hundred thousand occurrences; the issue-wide step (the index, the spelling and locator rules,
the headings nobody uses) adds up these tallies instead of reading every occurrence again, so that a run after
one manuscript changed counts that manuscript alone. Adding the tallies of several manuscripts in the issue's
order gives what the rules would find in all their occurrences at once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from .index import Locator, locator_groups


@dataclass
class Spelling:
    """One spelling of one term in one manuscript: how often, where first, under which headings."""

    count: int
    first: Any  # the Occurrence, in reading order
    headings: set[str] = field(default_factory=set)


@dataclass
class Tally:
    contribution: str
    locators: dict[str, dict[str | None, list[Locator]]]  # concept -> sub-entry -> locators in reading order
    spellings: dict[tuple[str, str], Spelling]  # (spelling key, spelling) -> Spelling; acronyms left out
    ideas: dict[str, Counter]  # concept -> candidate sub-entries around its own occurrences (not its subs')
    used: set[str]  # concepts that occur


def tally(contribution: str, occurrences: Iterable[Any]) -> Tally:
    """The tally of one manuscript's occurrences (in reading order, as find_occurrences gives them)."""
    from .rules import spelling_of, sub_entry_candidates

    occ = list(occurrences)
    spellings: dict[tuple[str, str], Spelling] = {}
    ideas: dict[str, Counter] = {}
    for o in occ:
        if not o.acronym:
            key = spelling_of(o.surface)
            s = spellings.get(key)
            if s is None:
                spellings[key] = Spelling(1, o, {o.heading})
            else:
                s.count += 1
                s.headings.add(o.heading)
        if o.sub is None:
            found = sub_entry_candidates(o)
            if found:
                counter = ideas.get(o.concept)
                if counter is None:  # not setdefault, which would make a Counter for every occurrence
                    counter = ideas[o.concept] = Counter()
                counter.update(found)
    return Tally(contribution, locator_groups(occ), spellings, ideas, {o.concept for o in occ})


def tallies_of(occurrences: Iterable[Any], order: list[str]) -> list[Tally]:
    """The tallies of occurrences from several manuscripts, in the issue's order."""
    by: dict[str, list[Any]] = {}
    for o in occurrences:
        by.setdefault(o.contribution, []).append(o)
    rank = {cid: i for i, cid in enumerate(order)}
    out = []
    for cid in sorted(by, key=lambda c: (rank.get(c, len(rank)), c)):
        out.append(tally(cid, sorted(by[cid], key=lambda o: o.position)))
    return out


def joined_locators(tallies: Iterable[Tally]) -> dict[str, dict[str | None, list[Locator]]]:
    out: dict[str, dict[str | None, list[Locator]]] = {}
    for t in tallies:
        for concept, subs in t.locators.items():
            mine = out.setdefault(concept, {})
            for sub, locs in subs.items():
                mine.setdefault(sub, []).extend(locs)
    return out
