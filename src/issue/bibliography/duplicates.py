"""One work under two keys: same DOI, same first author + year + title, or a near-identical title.

Entries are compared only inside blocks (same DOI; same year and normalised title; same year and first
author), so a 5,000-entry database costs a few thousand fuzzy comparisons, not twelve million.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz

from ..names import fold
from .model import Entry

DEFAULT_THRESHOLD = 92  # rapidfuzz ratio (0-100) of normalised titles in one author-year block
_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
             "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10"}


@dataclass(frozen=True)
class Duplicate:
    first: Entry
    second: Entry
    reason: str  # "the same DOI 10...", "the same first author, year and title", "a near-identical title (95%)"


def normalise_title(entry: Entry) -> str:
    """Title and subtitle, case, accents, punctuation and braces removed."""
    title = entry.fields.get("title", "")
    if entry.fields.get("subtitle"):
        title += " " + entry.fields["subtitle"]
    return _norm(title)


def _norm(text: str) -> str:
    text = _PUNCT.sub(" ", fold(text).replace("&", " and "))
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _SPACE.sub(" ", text).strip()


def first_author(entry: Entry) -> str:
    names = entry.authors or entry.editors
    return _norm(names[0].last) if names else ""


def _edition(entry: Entry) -> str:
    value = fold(entry.fields.get("edition", "")).strip()
    m = re.match(r"(\d+)", value)
    if m:
        return m.group(1)
    word = value.split()[0] if value else ""
    return _ORDINALS.get(word, value) or "1"


def different_versions(a: Entry, b: Entry) -> bool:
    """Editions, volumes or parts that differ make two entries distinct works (so do two different DOIs)."""
    if _edition(a) != _edition(b):
        return True
    for name in ("volume", "part"):
        va, vb = fold(a.fields.get(name, "")).strip(), fold(b.fields.get(name, "")).strip()
        if va and vb and va != vb:
            return True
    da, db = a.doi, b.doi
    return bool(da and db and da.lower() != db.lower())


def _authors_compatible(a: Entry, b: Entry) -> bool:
    fa, fb = first_author(a), first_author(b)
    if not fa or not fb:
        return True
    if fa == fb or fa in fb or fb in fa:
        return True
    return fuzz.ratio(fa, fb) >= 80


def find_duplicates(entries: Iterable[Entry], *, distinct: Iterable[Iterable[str]] = (),
                    threshold: float = DEFAULT_THRESHOLD, same_key_ok: bool = True) -> list[Duplicate]:
    """Pairs (first, second) of entries that look like one work, each later entry reported against the first
    entry of its group, in file order."""
    entries = [e for e in entries if e.type not in ("xdata", "set")]
    order = {id(e): i for i, e in enumerate(entries)}
    allowed: set[frozenset[str]] = set()
    for group in distinct:
        keys = [str(k) for k in group]
        for i, x in enumerate(keys):
            for y in keys[i + 1:]:
                allowed.add(frozenset((x.casefold(), y.casefold())))

    pairs: dict[tuple[int, int], str] = {}

    def consider(a: Entry, b: Entry, reason: str) -> None:
        if a is b:
            return
        if order[id(a)] > order[id(b)]:
            a, b = b, a
        if same_key_ok and a.key.casefold() == b.key.casefold():
            return  # reported as duplicate-key
        if frozenset((a.key.casefold(), b.key.casefold())) in allowed:
            return
        if different_versions(a, b):
            return
        pairs.setdefault((order[id(a)], order[id(b)]), reason)

    norm_titles = {id(e): normalise_title(e) for e in entries}

    by_doi: dict[str, list[Entry]] = defaultdict(list)
    by_title: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    by_author: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        if e.doi:
            by_doi[e.doi.lower()].append(e)
        title = norm_titles[id(e)]
        if not title:
            continue
        year = e.year or ""
        by_title[(year, title)].append(e)
        author = first_author(e)
        if author:
            by_author[(year, author)].append(e)

    for doi, group in by_doi.items():
        for other in group[1:]:
            consider(group[0], other, f"the same DOI {doi}")
    for (year, title), group in by_title.items():
        if len(group) < 2:
            continue
        short = len(title.split()) <= 2
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if not _authors_compatible(a, b):
                    continue
                if short and not _same_container(a, b):
                    continue  # "Introduction" by one editor in two journals is two works
                consider(a, b, "the same first author, year and title")
    for (year, author), group in by_author.items():
        if len(group) < 2:
            continue
        for i, a in enumerate(group):
            ta = norm_titles[id(a)]
            for b in group[i + 1:]:
                tb = norm_titles[id(b)]
                if ta == tb:
                    continue  # handled above
                score = fuzz.ratio(ta, tb, score_cutoff=threshold)
                if score:
                    consider(a, b, f"a near-identical title ({score:.0f}% alike)")
                elif _subtitle_dropped(a, b):
                    consider(a, b, "the same title, one without its subtitle")

    # each later entry against the first of its group (union-find keeps groups of three together)
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    result: list[Duplicate] = []
    for (i, j), reason in sorted(pairs.items()):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue  # already reported through another member of the group
        parent[max(ri, rj)] = min(ri, rj)
        result.append(Duplicate(entries[i], entries[j], reason))
    return result


def _same_container(a: Entry, b: Entry) -> bool:
    ca, cb = _norm(a.container or ""), _norm(b.container or "")
    return not ca or not cb or ca == cb


def _subtitle_dropped(a: Entry, b: Entry) -> bool:
    """'After Hegemony' and 'After Hegemony: Cooperation and Discord ...' (the title before the colon)."""
    ta, tb = a.fields.get("title", ""), b.fields.get("title", "")
    if a.fields.get("subtitle") or b.fields.get("subtitle"):
        return False
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    head = re.split(r"[:.?!]\s", long, maxsplit=1)[0]
    return head != long and len(_norm(short).split()) >= 2 and _norm(head) == _norm(short)
