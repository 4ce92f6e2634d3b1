"""`issue index --suggest`: headings the vocabulary lacks, proposed from the manuscripts themselves.

Keyphrases come from YAKE (statistical, offline, one contribution at a time). They are kept when they are noun
phrases (judged from lemminflect's lexicon: no parser or tagger model can be installed here), when they occur in
at least two contributions (an index serves the issue, not one paper), and when the vocabulary does not already
have them. A phrase that contains a heading ("regional cooperation") is proposed as a sub-entry of it. Single ordinary words
("states", "actors") are not proposed: only names, acronyms and words the general lexicon lacks.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .match import fold_text
from .variants import forms_of, spelling_key, word_inflections
from .vocabulary import Vocabulary

_EXTRA_STOP = {"however", "also", "thus", "therefore", "whether", "although", "rather", "instead", "example",
               "paper", "article", "argue", "argues", "argued", "case", "cases", "way", "ways", "part", "issue",
               "issues", "section", "chapter", "et", "al", "ibid", "eg", "ie", "cf", "per", "cent", "percent",
               "including", "particular", "many", "much", "several", "various", "different", "new", "first",
               "second", "third", "one", "two", "three", "within", "without", "well", "often", "even", "yet", "still",
               "see", "p", "pp", "vol", "no", "ed", "eds", "like", "among", "since", "upon", "toward", "towards"}


@dataclass
class Suggestion:
    phrase: str  # the form most often written
    contributions: dict[str, int]  # contribution id -> occurrences
    score: float  # YAKE's (lower is more characteristic), the best over the contributions
    extends: str | None = None  # a heading the phrase contains: propose it as a sub-entry
    forms: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.contributions.values())

    def to_json(self) -> dict[str, Any]:
        return {"phrase": self.phrase, "contributions": self.contributions, "total": self.total,
                "score": round(self.score, 6), "extends": self.extends}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    import yake

    try:
        words = set(yake.KeywordExtractor(lan="en").stopword_set)
    except Exception:  # an older yake without the attribute
        words = set()
    return frozenset(words | _EXTRA_STOP)


@lru_cache(maxsize=16384)
def _pos(word: str) -> frozenset[str]:
    from ..lexicon import lemmas

    return frozenset(lemmas(word.lower()))


def is_noun_phrase(phrase: str) -> bool:
    """A noun phrase, judged from the lexicon: modifiers that can be adjectives or nouns, a head that can be a
    noun, "of" allowed inside ("balance of power"); no verbs, adverbs, numbers or stop words at either end."""
    words = phrase.split()
    stop = _stopwords()
    if not words or any(not re.search(r"[A-Za-z]", w) or re.fullmatch(r"[\d.,]+", w) for w in words):
        return False
    if words[0].lower() in stop or words[-1].lower() in stop:
        return False
    for i, w in enumerate(words):
        low = w.lower()
        if low in stop:
            if low != "of" or i in (0, len(words) - 1):
                return False
            continue
        pos = _pos(low.split("-")[-1]) if "-" in low else _pos(low)
        last = i == len(words) - 1
        if last:
            if pos and "NOUN" not in pos:
                return False
            if low.endswith("ly"):
                return False
        elif pos and not pos & {"NOUN", "ADJ"}:
            return False
    return True


def _body_text(doc: Any, skip: list[tuple[int, int | None, int, int]]) -> tuple[str, dict]:
    """The body of a manuscript with its citations blanked out (authors' names are not concepts), and where each
    block starts in it."""
    spans: dict[tuple[int, int | None], list[tuple[int, int]]] = defaultdict(list)
    for block, note, s, e in skip:
        spans[(block, note)].append((s, e))
    parts, base, pos = [], {}, 0
    for b in doc.blocks:
        if not b.is_body or b.kind in ("heading", "title"):
            continue
        text = list(b.text)
        key = (b.index, b.note if b.kind == "note" else None)
        for s, e in spans.get(key, []) + [(c.start, c.end) for c in b.cites]:
            text[s:e] = " " * (e - s)
        base.setdefault(key, pos)
        parts.append("".join(text))
        pos += len(b.text) + 1
    return "\n".join(parts), base


def _names(ctx: Any) -> set[str]:
    """Surnames of the bibliography's authors and of the contributors: a keyphrase with one is a citation."""
    out: set[str] = set()
    from ..names import fold

    for entry in getattr(ctx, "bibliography", None) or []:
        for n in getattr(entry, "names", None) or []:
            last = getattr(n, "last", "")
            out.update(fold(w) for w in str(last).split())
    for c in ctx.issue.contributions:
        for a in c.authors:
            out.update(fold(w) for w in a.name.replace(".", " ").split() if len(w) > 1)
    return out


def _specific_word(word: str, text: str) -> bool:
    """A single word worth proposing: a name or acronym written with its capital wherever it stands ("Quad",
    "Sudan", "MINUSMA"), or a term the general lexicon lacks ("minilateralism"). Ordinary words ("states",
    "actors", "framework") are in every paper of the field and in no index as they stand."""
    if not _pos(word.lower()) and not word[:1].isupper():
        return True
    pattern = re.compile(rf"(\S*)\s*(?<![\w-])({re.escape(word)})(?![\w-])\s*(\S*)", re.IGNORECASE)
    seen = [(m.group(1), m.group(2), m.group(3)) for m in pattern.finditer(text)]
    if not seen or sum(1 for _, w, _ in seen if w[:1].isupper()) < 0.8 * len(seen):
        return False
    # mostly inside a longer name ("States" of "United States", "East" of "East Asia"): that name is the candidate
    inside = sum(1 for left, _, right in seen if left[:1].isupper() and left[-1:].isalpha() or right[:1].isupper())
    return inside < 0.5 * len(seen)


def _as_written(phrase: str, texts: dict[str, str]) -> str:
    """The phrase with the capitals its authors give it most often ("South Sudan", "armed forces")."""
    pattern = re.compile(r"(?<![\w-])" + r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", phrase))
                         + r"(?![\w-])", re.IGNORECASE)
    counts: dict[str, int] = defaultdict(int)
    for text in texts.values():
        for m in pattern.finditer(text):
            counts[" ".join(m.group(0).split())] += 1
    if not counts:
        return phrase
    # prefer a lower-case writing when it is common: sentence-initial capitals are not the term's
    lower = {k: v for k, v in counts.items() if k[:1].islower()}
    pool = lower if lower and sum(lower.values()) >= 0.3 * sum(counts.values()) else counts
    return max(pool.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _canonical(phrase: str) -> str:
    words = phrase.lower().split()
    last = words[-1]
    singular = min((f for f in word_inflections(last, False) if len(f) <= len(last)), key=len, default=last)
    return spelling_key(" ".join(words[:-1] + [singular]))


def suggest(ctx: Any, vocab: Vocabulary | None, *, min_contributions: int = 2, top: int = 30,
            per_paper: int = 60) -> list[Suggestion]:
    import ahocorasick
    import yake

    from .analysis import citation_spans

    from ..names import fold

    cites = citation_spans(ctx)
    texts: dict[str, str] = {}
    indexed: dict[str, list[tuple[int, int]]] = {}  # spans the vocabulary already covers, per contribution
    result = ctx.results.get("concepts")
    occurrences = result.records if result is not None else []
    for c in ctx.issue.contributions:
        doc = ctx.documents.get(c.id)
        if doc is not None:
            texts[c.id], base = _body_text(doc, cites.get(c.id, []))
            indexed[c.id] = sorted((base[(o.block, o.note)] + o.start, base[(o.block, o.note)] + o.end)
                                   for o in occurrences if o.contribution == c.id and (o.block, o.note) in base)
    surnames = _names(ctx)
    everything = "\n".join(texts.values())
    extractor = yake.KeywordExtractor(lan="en", n=3, dedup_lim=0.8, top=per_paper)
    best: dict[str, tuple[float, str]] = {}
    for cid, text in texts.items():
        if len(text.split()) < 30:
            continue
        for phrase, score in extractor.extract_keywords(text):
            phrase = " ".join(phrase.split())
            if not is_noun_phrase(phrase) or any(fold(w) in surnames for w in re.split(r"[\s\-']+", phrase)):
                continue
            if " " not in phrase and not _specific_word(phrase, everything):
                continue
            key = _canonical(phrase)
            if key not in best or float(score) < best[key][0]:
                best[key] = (float(score), phrase)
    if not best:
        return []

    known: set[str] = set()
    headings: list[tuple[str, str]] = []  # (form, heading)
    if vocab is not None:
        for c in vocab.concepts:
            for term in [c.heading, *c.variants, *c.acronyms, *(f for s in c.subs for f in s.forms_for(c.heading))]:
                for f in forms_of(term):
                    known.add(f.casefold())
                    if not c.see:
                        headings.append((f.casefold(), c.heading))

    # count each candidate in every contribution, all its forms at once
    auto = ahocorasick.Automaton()
    for key, (_, phrase) in best.items():
        for f in forms_of(phrase.lower()):
            if f not in known:
                auto.add_word(f, (key, f))
    if auto.kind == ahocorasick.EMPTY:
        return []
    auto.make_automaton()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    written: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cid, text in texts.items():
        folded, back = fold_text(text)
        covered = indexed.get(cid, [])
        starts = [a for a, _ in covered]
        for end, (key, form) in auto.iter(folded):
            s, e = end - len(form) + 1, end + 1
            if (s > 0 and folded[s - 1].isalnum()) or (e < len(folded) and folded[e].isalnum()):
                continue
            if back is not None:
                s, e = back[s], back[e]
            i = bisect_right(starts, s) - 1
            if i >= 0 and covered[i][1] >= e:  # inside an occurrence the index already has ("disaster relief")
                continue
            counts[key][cid] += 1
            written[key][form] += 1

    out = []
    for key, (score, phrase) in best.items():
        where = counts.get(key, {})
        if len(where) < min_contributions:
            continue
        if phrase.lower() in known or any(f in known for f in forms_of(phrase.lower())):
            continue
        low = f" {phrase.lower()} "
        extends = next((h for f, h in sorted(headings, key=lambda x: -len(x[0])) if f" {f} " in low), None)
        shown = max(written[key].items(), key=lambda kv: (kv[1], kv[0]))[0] if written.get(key) else phrase
        shown = _as_written(shown, texts)
        order = {c.id: i for i, c in enumerate(ctx.issue.contributions)}
        out.append(Suggestion(shown, dict(sorted(where.items(), key=lambda kv: order.get(kv[0], 0))), score, extends,
                              sorted(written[key])))
    # shared by more contributions first; among those, the more characteristic (YAKE's score) first
    # a single word that mostly stands inside a longer candidate ("East" in "East Asia") is that candidate's
    multi = [x for x in out if " " in x.phrase]
    out = [x for x in out if " " in x.phrase or not any(
        x.phrase.lower() in re.split(r"[\s\-]+", m.phrase.lower()) and m.total >= 0.5 * x.total for m in multi)]
    out.sort(key=lambda s: (-len(s.contributions), s.score, -s.total, s.phrase))
    return out[:top]
