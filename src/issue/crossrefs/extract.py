"""Recognise cross-references between the contributions of an issue and match their names against the manifest.

The forms authors write: "Jones, this issue", "Jones (this issue)", "(see Cook and Jones this issue)", "papers by
Hirono, Newby and Jones in this issue", "two papers (Mulloy and Newby) in this collection", "this volume", "this
special issue", "in Newby's paper", "Cook and Yogendran (this issue)", "Cook et al., this issue"; and, in the
introduction, the contributors named in its overview ("Miwa Hirono examines ...").

No library recognises these: they are a small grammar over names and a handful of marker phrases, so it is written
here by hand, over a token list. A marker phrase alone proves nothing ("this issue divides ASEAN members"): a
reference needs names right before it, and when the names are not contributors it needs the punctuation of a
reference around them before it is reported as one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import permutations

from rapidfuzz import fuzz, process

from ..manuscripts.document import Block, Document
from ..model import Contribution, Issue
from ..names import PARTICLES, fold, surname_of
from .model import AMBIGUOUS, NAME, PAPERS_BY, POSSESSIVE, RESOLVED, UNKNOWN, CrossRef, Link

# -- tokens -------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"(?P<word>[^\W\d_](?:[\w\-‐'’]*[^\W_])?)|(?P<num>\d+[a-z]?)|(?P<punct>[^\w\s])")
_POSSESSIVE = re.compile(r"^(.{2,}?)['’]s$")
_APOSTROPHES = "'’"
_TERMINAL = set(",;.:)]!?—–")

# Capitalised words that start sentences or stand before names but are never part of a name.
STOP = set("""
a an the this these that those as in for see also both while whereas although though but and or nor yet so like
unlike following according here there thus hence however moreover furthermore similarly likewise finally first
second third fourth fifth firstly secondly thirdly lastly last next meanwhile indeed by with without from to on
at of within across among amongst between after before during since until over under about against beyond
through throughout despite per via cf compare eg ie ibid note notes part section chapter table figure fig vol
volume issue no pp ed eds introduction conclusion conclusions editor editors editorial i we our us my it its
they their he she his her them one two three four five when where why how what which who whose if then because
once some many most several each every all any other others another such more less only even just not recent
recently earlier later today instead rather notably importantly crucially interestingly together taken
building drawing focusing turning looking using comparing writing arguing examining mr mrs ms dr prof professor
sir dame lord lady january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday paper papers article articles contribution
contributions special collection book
""".split())

# Words that make a capitalised phrase an institution, not a person: "The United Nations (this issue)".
INSTITUTIONS = set("""
nations union states council ministry bank organization organisation forum agency office association committee
institute university government republic kingdom army navy force forces secretariat centre center department
commission court parliament congress party alliance community network foundation fund programme program
""".split())

# Prepositions: a name right after one, then ", this issue", is usually a place or topic ("In Japan, this issue").
PREPOSITIONS = set("""
in for to within across among amongst from on at with after before during since over under about against beyond
through throughout despite like unlike of between upon into towards toward regarding concerning
""".split())

# The nouns of "in Newby's paper" and "the papers by Hirono and Newby".
NOUNS = {"paper", "papers", "article", "articles", "chapter", "chapters", "contribution", "contributions",
         "essay", "essays", "piece", "pieces"}
MARKER_NOUNS = {"issue", "volume", "collection", "book", "symposium"}
MARKER_PREFIX = {"in", "to"}
MARKER_PREFIX_2 = {"elsewhere", "both", "all", "also"}  # "both in this issue", "elsewhere in this volume"
SENTENCE_END = set(".!?")
CUES = {"by", "see", "cf", "also", "("}  # words before names that make "Smith in this issue" a reference
# Every form but the introduction's names has one of these; a paragraph without any is not tokenised at all.
_NOUNS_RE = r"(?:paper|article|chapter|contribution|essay|piece)s?"
_WORTH_A_LOOK = re.compile(
    r"\b(?:this|present)\s+(?:special\s+)?(?:issue|volume|collection|book|symposium|section)\b"
    rf"|['’]s?\s+{_NOUNS_RE}\b|\b{_NOUNS_RE}\s+by\b", re.I)
# The words each of its three forms needs, for a test by substring that spares most paragraphs the regex (which
# costs far more on a paragraph it does not match than on one it does).
_MARKER_WORDS = ("issue", "volume", "collection", "book", "symposium", "section")
_NOUN_WORDS = ("paper", "article", "chapter", "contribution", "essay", "piece")
# The only characters besides ASCII letters that re.I matches to an ASCII letter (İ ı ſ K): where one is found,
# the lower-cased text may lack a word the regex would find, so the test by substring is not made.
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def worth_a_look(text: str) -> bool:
    """Whether `text` has a marker phrase, a possessive before a noun or "papers by": _WORTH_A_LOOK.search(text),
    after a test of the words each of them needs."""
    if text.isascii() or not any(ch in text for ch in _FOLDS_TO_ASCII):
        lower = text.lower()
        marker = ("this" in lower or "present" in lower) and any(w in lower for w in _MARKER_WORDS)
        if not marker and not (any(w in lower for w in _NOUN_WORDS)
                               and ("'" in lower or "’" in lower or "by" in lower)):
            return False
    return _WORTH_A_LOOK.search(text) is not None


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """fold() of a word, cached: prose repeats its words, and folding is most of the cost of tokenising."""
    return word.lower() if word.isascii() else fold(word)


@dataclass(slots=True)
class Token:
    kind: str  # word, initial, num, punct
    text: str  # as written (without a possessive 's)
    start: int
    end: int  # end of the text, possessive included
    possessive: bool = False
    folded: str = ""  # _fold(text), set once by tokenize: the grammar compares tokens by it again and again

    def is_name_word(self) -> bool:
        if self.kind == "initial":
            return True
        if self.kind != "word" or not self.text[0].isupper():
            return False
        letters = self.text.replace("-", "").replace("‐", "")
        if len(letters) > 1 and letters.isupper():
            return False  # an acronym: ASEAN, UN, HADR
        return self.folded.rstrip(".") not in STOP


_KINDS = (None, "word", "num", "punct")  # _TOKEN's groups, by number (Match.lastindex)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = _KINDS[m.lastindex]
        word = m.group()
        start, end = m.span()
        if kind == "punct" and tokens and tokens[-1].end == start and _joins_previous(tokens[-1], word, text, end):
            continue
        tok = Token(kind, word, start, end)
        if kind == "word" and word.endswith(_POSSESSIVE_ENDS):  # the regex only where it can match
            pm = _POSSESSIVE.match(word)
            if pm:
                tok.text, tok.possessive = pm.group(1), True
        tokens.append(tok)
    for tok in tokens:  # once the initials and possessives are made
        tok.folded = _fold(tok.text)
    return tokens


_POSSESSIVE_ENDS = ("'s", "’s")


def _joins_previous(prev: Token, punct: str, text: str, end: int) -> bool:
    """Whether the punctuation `punct` (ending at `end`), written right after `prev`, belongs to it: the full
    stop of an initial ("A."), or the apostrophe of a possessive of a name ending in s ("Jones’ paper").
    When it does, `prev` takes it."""
    if punct == "." and prev.kind == "word" and len(prev.text) == 1 and prev.text.isupper():
        prev.kind, prev.text, prev.end = "initial", prev.text + ".", end
        return True
    if punct in _APOSTROPHES and prev.kind == "word" and prev.text.endswith("s") and prev.text[0].isupper() \
            and not prev.possessive:
        nxt = _TOKEN.match(text, end + 1) if end < len(text) and text[end] == " " else None
        if nxt and fold(nxt.group()) in NOUNS:
            prev.possessive, prev.end = True, end
            return True
    return False


# -- names and lists of names --------------------------------------------------------------------------------------

@dataclass
class Item:
    """One name as written: 'Jones', 'Catherine Jones', 'A. D. B. Cook', 'Cook et al.', "Newby's"."""

    first: int  # token indices
    last: int  # the last token, "et al." included
    start: int  # character span of the name (the possessive and "et al." included)
    end: int
    words: list[str]  # the name's words, possessive removed
    possessive: bool = False
    etal: bool = False
    name_end: int = 0  # end of the name itself, without "et al."

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class NameList:
    """Names joined by ',', 'and', '&': 'Hirono, Newby and Jones'."""

    items: list[Item]
    seps: list[str]  # between items: "comma" or "conj"

    @property
    def first(self) -> int:
        return self.items[0].first

    @property
    def last(self) -> int:
        return self.items[-1].last

    @property
    def start(self) -> int:
        return self.items[0].start

    @property
    def end(self) -> int:
        return self.items[-1].end


def _items(tokens: list[Token], text: str) -> list[Item]:
    items: list[Item] = []
    i, n = 0, len(tokens)
    while i < n:
        if not tokens[i].is_name_word():
            i += 1
            continue
        j = i
        while j + 1 < n and not tokens[j].possessive:
            gap = text[tokens[j].end:tokens[j + 1].start]
            if gap.strip() or (not gap and tokens[j].kind != "initial"):
                break
            nxt = tokens[j + 1]
            if nxt.is_name_word():
                j += 1
            elif (nxt.kind == "word" and nxt.text in PARTICLES and j + 2 < n and tokens[j + 2].is_name_word()
                  and not text[nxt.end:tokens[j + 2].start].strip()):
                j += 2  # "Bueno de Mesquita", "van der Pijl" needs two steps; the loop takes the rest
            else:
                break
        words_tokens = tokens[i:j + 1]
        if len(words_tokens) > 5:  # a run of capitalised words this long is a title, keep its end
            words_tokens = words_tokens[-5:]
            i = j - 4
        last = tokens[j]
        item = Item(first=i, last=j, start=tokens[i].start, end=last.end, words=[t.text for t in words_tokens],
                    possessive=last.possessive, name_end=last.end)
        # "et al." (possibly "et al.'s")
        if (not last.possessive and j + 2 < n and tokens[j + 1].folded == "et" and tokens[j + 2].folded == "al"
                and not text[last.end:tokens[j + 1].start].strip()):
            item.etal = True
            k = j + 2
            if tokens[k].possessive:
                item.possessive = True
            elif k + 1 < n and tokens[k + 1].text == "." and tokens[k + 1].start == tokens[k].end:
                k += 1
            item.last, item.end = k, tokens[k].end
        # a name is at least one word that is not an initial, and no word of an institution's name
        if any(t.kind != "initial" for t in words_tokens) and not any(
                t.folded in INSTITUTIONS for t in words_tokens):
            items.append(item)
        i = item.last + 1
    return items


def _separator(tokens: list[Token], a: int, b: int) -> str | None:
    if b - a > 3:
        return None  # more than two tokens between: no separator is that long
    between = [t.folded for t in tokens[a + 1:b]]
    if between == [","]:
        return "comma"
    if between in (["and"], ["&"], [",", "and"], [",", "&"]):
        return "conj"
    return None


def _lists(tokens: list[Token], items: list[Item]) -> list[NameList]:
    """Group names into lists; a comma joins two names only in a list that ends with 'and' ('A, B and C'), so that
    'In Japan, Mulloy' is not read as two names."""
    runs: list[NameList] = []
    for item in items:
        if runs:
            prev = runs[-1].items[-1]
            sep = _separator(tokens, prev.last, item.first)
            if sep and (not prev.possessive or item.possessive):
                runs[-1].items.append(item)
                runs[-1].seps.append(sep)
                continue
        runs.append(NameList([item], []))
    out: list[NameList] = []
    for run in runs:
        pieces: list[NameList] = []
        items_, seps = run.items, run.seps
        while items_:
            conj_seen = False
            cut = 0
            for k in range(len(items_) - 1, 0, -1):
                if seps[k - 1] == "conj":
                    conj_seen = True
                elif not conj_seen:
                    cut = k
                    break
            pieces.append(NameList(items_[cut:], seps[cut:]))
            items_, seps = items_[:cut], seps[:max(0, cut - 1)]
        out.extend(reversed(pieces))
    return out


# -- the manifest's contributors -----------------------------------------------------------------------------------

def _given_matches(written: list[str], given: list[str]) -> bool:
    """'Alistair' or 'A.' or 'Alistair D. B.' against 'Alistair D. B.': each written given name, in order, is one
    of the person's given names or its initial."""
    k = 0
    for w in written:
        w = w.rstrip(".")
        while k < len(given):
            g = given[k].rstrip(".")
            k += 1
            if (len(w) == 1 or len(g) == 1) and w[:1] == g[:1]:
                break
            if w == g:
                break
        else:
            return False
    return True


@dataclass
class Person:
    key: str  # the folded full name
    name: str
    surname: str
    surname_words: list[str]  # folded
    given: list[str]  # folded
    contributions: list[str] = field(default_factory=list)


@dataclass
class Match:
    """What a name can mean: the persons it names; `given_conflict` lists contributors with the surname but another
    given name ('Lee Jones' while Catherine Jones contributes)."""

    persons: list[Person]
    given_conflict: list[Person] = field(default_factory=list)


class Contributors:
    """The issue's authors, by surname, with the contributions each wrote."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self.persons: dict[str, Person] = {}
        self.authors: dict[str, list[str]] = {}  # contribution id -> person keys, in order
        self.contributions: dict[str, Contribution] = {c.id: c for c in issue.contributions}
        for c in issue.contributions:
            keys = []
            for a in c.authors:
                name = " ".join(a.name.split())
                if not name:
                    continue
                key = fold(name)
                if key not in self.persons:
                    surname = surname_of(name)
                    words = fold(name.split(",")[1] + " " + surname if "," in name else name).split()
                    sw = fold(surname).split()
                    if not sw:
                        continue  # a name with no letters ("," in the manifest): nothing to match
                    self.persons[key] = Person(key, name, surname, sw, words[:len(words) - len(sw)])
                if c.id not in self.persons[key].contributions:
                    self.persons[key].contributions.append(c.id)
                if key not in keys:
                    keys.append(key)
            self.authors[c.id] = keys
        self._choices = {key: " ".join(p.surname_words) for key, p in self.persons.items()}
        self._full = {key: key for key in self.persons}
        self._by_last_word: dict[str, list[Person]] = {}
        for p in self.persons.values():
            self._by_last_word.setdefault(p.surname_words[-1], []).append(p)
        self._order = {cid: i for i, cid in enumerate(self.authors)}

    def contributions_of(self, keys: set[str]) -> list[str]:
        """The contributions any of these persons wrote, in manifest order."""
        found = {cid for k in keys for cid in self.persons[k].contributions}
        return sorted(found, key=self._order.__getitem__)

    @property
    def introductions(self) -> list[str]:
        return [c.id for c in self.issue.contributions if c.kind == "introduction"]

    def match(self, words: list[str], sentence_start: bool = False) -> Match:
        folded = [_fold(w) for w in words]
        hits, conflicts = [], []
        for p in self._by_last_word.get(folded[-1], []) if folded else []:
            n = len(p.surname_words)
            if n > len(folded) or folded[-n:] != p.surname_words:
                continue
            given = folded[:-n]
            if _given_matches(given, p.given):
                hits.append(p)
            else:
                conflicts.append(p)
        if not hits and conflicts and sentence_start and len(words) > 1:
            # "Recently Cook and Jones ...": the first word of a sentence is capitalised whatever it is
            return self.match(words[1:], sentence_start=False)
        return Match(hits, [] if hits else conflicts)

    def close(self, words: list[str], cutoff: float = 80) -> bool:
        """A name so close to a contributor's surname that it is surely a misspelling of it ('Hirnoo')."""
        query = fold(words[-1]) if words else ""
        return bool(query) and process.extractOne(query, self._choices, scorer=fuzz.ratio, score_cutoff=cutoff) is not None

    def suggest(self, words: list[str]) -> list[Person]:
        """Contributors whose name is close to a name that matches nobody (did you mean)."""
        query = fold(words[-1]) if words else ""
        if not query:
            return []
        best = process.extract(query, self._choices, scorer=fuzz.ratio, score_cutoff=70, limit=3)
        if len(words) > 1:
            best += process.extract(fold(" ".join(words)), self._full, scorer=fuzz.ratio, score_cutoff=75, limit=3)
        best.sort(key=lambda r: (-r[1], r[2]))
        seen, out = set(), []
        for _, _, key in best:
            if key not in seen:
                seen.add(key)
                out.append(self.persons[key])
        return out


# -- resolution: names -> contributions ----------------------------------------------------------------------------

@dataclass
class Part:
    """A run of names in a reference that means one contribution (or that could not be resolved)."""

    start: int
    end: int
    names: list[str]
    status: str  # RESOLVED, UNKNOWN, AMBIGUOUS
    targets: list[str]  # the contribution (RESOLVED) or the candidates (AMBIGUOUS)
    omitted: list[str] = field(default_factory=list)  # co-authors the names leave out
    etal: bool = False
    suggestions: list[Person] = field(default_factory=list)  # for UNKNOWN: did you mean
    conflicts: list[Person] = field(default_factory=list)  # for UNKNOWN: contributors with that surname


def _injects(item_persons: list[set[str]], authors: list[str]) -> bool:
    """Can each name stand for a different author of the contribution?"""
    for perm in permutations(range(len(authors)), len(item_persons)):
        if all(authors[perm[k]] in ps for k, ps in enumerate(item_persons)):
            return True
    return False


def resolve(items: list[Item], matches: list[Match], people: Contributors) -> list[Part]:
    """Split the names into runs, each the authors of one contribution, preferring exact author lists; the
    fewest contributions, then the fewest omitted co-authors win (dynamic programming over the list)."""
    n = len(items)
    INF = float("inf")
    best: list[tuple[float, list[Part]]] = [(0.0, [])] + [(INF, [])] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            seg_items, seg_matches = items[i:j], matches[i:j]
            if any(it.etal for it in seg_items[:-1]):
                continue
            if any(not m.persons for m in seg_matches):
                if j - i > 1:
                    continue
                it = seg_items[0]
                part = Part(it.start, it.end, [it.text], UNKNOWN, [], suggestions=people.suggest(it.words),
                            conflicts=matches[i].given_conflict)
                cost = 1.0
            else:
                part, cost = _segment(seg_items, seg_matches, people)
                if part is None:
                    continue
            total = best[i][0] + cost
            if total < best[j][0]:
                best[j] = (total, best[i][1] + [part])
    return best[n][1]


def _segment(items: list[Item], matches: list[Match], people: Contributors) -> tuple[Part | None, float]:
    sets = [{p.key for p in m.persons} for m in matches]
    etal = items[-1].etal
    exact, partial = [], []
    for cid in people.contributions_of(sets[0]):
        authors = people.authors[cid]
        if len(authors) < len(items) or not _injects(sets, authors):
            continue
        (exact if len(authors) == len(items) and not etal else partial).append(cid)
    chosen = exact or partial
    if not chosen:
        return None, 0.0
    part = Part(items[0].start, items[-1].end, [it.text for it in items], RESOLVED, list(chosen), etal=etal)
    if len(chosen) > 1:
        part.status = AMBIGUOUS
        return part, 1.0
    cost = 1.0
    if not exact:
        named = set().union(*sets)
        authors = people.authors[chosen[0]]
        part.omitted = [people.persons[a].name for a in authors if a not in named]
        # "Cook et al." for a paper of three or more authors is right; otherwise a co-author is left out
        if not (etal and len(authors) >= 3):
            cost = 1.5
    return part, cost


# -- recognition ---------------------------------------------------------------------------------------------------

@dataclass
class Marker:
    first: int  # first token (prefix included)
    det: int  # "this" / "the"
    last: int  # the noun
    form: str  # "this issue", "this special issue", "the present volume", ...
    has_prep: bool  # "in this issue", "to this volume"


def _markers(tokens: list[Token]) -> list[Marker]:
    out = []
    n = len(tokens)
    for i, t in enumerate(tokens):
        if t.folded == "this":
            j = i + 1
        elif t.folded == "the" and i + 1 < n and tokens[i + 1].folded == "present":
            j = i + 2
        else:
            continue
        special = j < n and tokens[j].folded == "special"
        if special:
            j += 1
        if j >= n or tokens[j].kind != "word":
            continue
        noun = tokens[j].folded
        if not (noun in MARKER_NOUNS or (special and noun == "section")):
            continue
        form = " ".join(tok.folded for tok in tokens[i:j + 1])
        first, has_prep = i, False
        if i > 0 and tokens[i - 1].folded in MARKER_PREFIX:
            first, has_prep = i - 1, True
        if first > 0 and tokens[first - 1].folded in MARKER_PREFIX_2:
            first -= 1
        out.append(Marker(first, i, j, form, has_prep))
    return out


@dataclass
class Candidate:
    """A reference before its names are resolved."""

    names: NameList
    form: str
    start: int
    end: int
    strong: bool  # the context proves it is a reference, so names that match nobody are reported
    marker: Marker | None = None
    introduction: bool = False  # "the introduction (this issue)"


class Recogniser:
    def __init__(self, people: Contributors):
        self.people = people

    def block(self, doc: Document, block: Block, contribution: str, *, introduction: bool = False,
              excluded: list[tuple[int, int, set[str]]] = ()) -> list[CrossRef]:
        """The cross-references of one block. `excluded`: spans of resolved citations with their authors' folded
        surnames, so that 'Lee Jones (2015)' stays a citation although a contributor is called Jones."""
        text = block.text
        if not introduction and not worth_a_look(text):
            return []  # cheap test first: most paragraphs hold no reference
        tokens = tokenize(text)
        lists = _lists(tokens, _items(tokens, text))
        by_last = {nl.last: nl for nl in lists}
        by_first = {nl.first: nl for nl in lists}
        used_lists: set[int] = set()
        used_markers: set[int] = set()
        candidates: list[Candidate] = []

        markers = _markers(tokens)
        marker_at = {m.first: m for m in markers}

        # in Newby's paper / Cook and Yogendran's article in this issue / Hirono's contribution to this volume
        for nl in lists:
            if not nl.items[-1].possessive or nl.last + 1 >= len(tokens) or tokens[nl.last + 1].folded not in NOUNS:
                continue
            q = nl.last + 2
            end = tokens[nl.last + 1].end
            marker = marker_at.get(q)
            paren = False
            if marker is None and q < len(tokens) and tokens[q].text == "(" and q + 1 in marker_at:
                marker, paren = marker_at[q + 1], True
            if marker is not None:
                end = tokens[marker.last].end
                if paren and marker.last + 1 < len(tokens) and tokens[marker.last + 1].text == ")":
                    end = tokens[marker.last + 1].end
                used_markers.add(marker.det)
            elif self._year_follows(tokens, nl.last + 2):
                used_lists.add(id(nl))  # "Jones's article (2015)" is a citation of another work
                continue
            used_lists.add(id(nl))
            candidates.append(Candidate(nl, marker.form if marker else POSSESSIVE, nl.start, end,
                                        strong=marker is not None, marker=marker))

        for m in markers:
            if m.det in used_markers:
                continue
            cand = self._before_marker(tokens, text, m, by_last)
            if cand is None:
                cand = self._after_marker(tokens, m, by_first)
            if cand is not None and id(cand.names) not in used_lists:
                used_lists.add(id(cand.names))
                candidates.append(cand)

        # the papers by Hirono and Newby (no marker)
        for nl in lists:
            if id(nl) in used_lists or nl.first < 2:
                continue
            if tokens[nl.first - 1].folded == "by" and tokens[nl.first - 2].folded in NOUNS:
                if self._year_follows(tokens, nl.last + 1):
                    continue
                used_lists.add(id(nl))
                candidates.append(Candidate(nl, PAPERS_BY, nl.start, nl.end, strong=False))

        # the introduction's overview names the contributors
        if introduction:
            for nl in lists:
                if id(nl) in used_lists or self._year_follows(tokens, nl.last + 1):
                    continue
                candidates.append(Candidate(nl, NAME, nl.start, nl.end, strong=False))

        out = []
        for cand in sorted(candidates, key=lambda c: (c.start, c.end)):
            rec = self._record(doc, block, contribution, tokens, cand, excluded)
            if rec is not None:
                out.append(rec)
        return out

    # -- the two places names stand around a marker ---------------------------------------------------------------
    def _before_marker(self, tokens: list[Token], text: str, m: Marker, by_last: dict[int, NameList]
                       ) -> Candidate | None:
        p = m.first - 1
        paren_marker = comma = group = False
        if p >= 0 and tokens[p].text == "(":
            paren_marker, p = True, p - 1
        elif p >= 0 and tokens[p].text == ",":
            comma, p = True, p - 1
        if p >= 0 and tokens[p].text == ")" and not paren_marker:
            group, p = True, p - 1  # "two papers (Mulloy and Newby) in this collection"
        nl = by_last.get(p)
        introduction = False
        if nl is None:
            nl = self._introduction_before(tokens, p)
            if nl is None:
                return None
            introduction = True
        if group and not (nl.first > 0 and tokens[nl.first - 1].text == "("):
            return None
        if nl.items[-1].possessive:
            return None
        n = len(tokens)
        after = m.last + 1
        end = tokens[m.last].end
        in_parens = text[:nl.start].count("(") > text[:nl.start].count(")")
        if paren_marker:
            if after >= n or tokens[after].text not in ")],;":
                return None
            # "Hirono (this issue)" and "Hirono (this issue, 62)": the span takes the closing parenthesis
            for k in range(after, min(n, after + 8)):
                if tokens[k].text == "(":
                    break
                if tokens[k].text == ")":
                    end = tokens[k].end
                    break
        elif not (in_parens or group or m.has_prep):
            # "Jones, this issue, argues" and "(Jones, this issue)" are references; "this issue divides" is not
            if after < n and tokens[after].text not in _TERMINAL:
                return None
        strong = True
        before = tokens[nl.first - 1] if nl.first > 0 else None
        enclosed = paren_marker or in_parens or group
        if before is not None and before.folded in PREPOSITIONS and not (enclosed or m.has_prep):
            if before.text[0].isupper():
                return None  # "In Japan, this issue, ..." names a place, not a paper
            strong = False  # "as argued in Jones, this issue": a reference only when Jones contributes
        if m.has_prep and not enclosed and not comma and (before is None or before.folded not in CUES):
            strong = False  # "the interests of China in this issue": only contributors make it a reference
        start = nl.start - 1 if group else nl.start
        return Candidate(nl, m.form, start, end, strong=strong, marker=m, introduction=introduction)

    def _introduction_before(self, tokens: list[Token], p: int) -> NameList | None:
        """'the introduction (this issue)', 'the editors' introduction to this volume'."""
        if p < 0 or tokens[p].folded != "introduction" or not self.people.introductions:
            return None
        t = tokens[p]
        item = Item(first=p, last=p, start=t.start, end=t.end, words=[t.text])
        return NameList([item], [])

    def _after_marker(self, tokens: list[Token], m: Marker, by_first: dict[int, NameList]) -> Candidate | None:
        """'In this issue, Hirono examines ...': the marker opens a sentence and the names follow."""
        if not m.has_prep or tokens[m.first].folded != "in":
            return None
        if m.first > 0 and tokens[m.first - 1].text not in SENTENCE_END:
            return None
        q = m.last + 1
        if q >= len(tokens) or tokens[q].text != ",":
            return None
        nl = by_first.get(q + 1)
        if nl is None:
            return None
        end = nl.end
        if nl.items[-1].possessive and nl.last + 1 < len(tokens) and tokens[nl.last + 1].folded in NOUNS:
            end = tokens[nl.last + 1].end
        return Candidate(nl, m.form, tokens[m.first].start, end, strong=False, marker=m)

    @staticmethod
    def _year_follows(tokens: list[Token], q: int) -> bool:
        """A year right after the names or their noun: 'Jones (2015)', 'Jones 2015', "Jones's article (2015)"."""
        if q < len(tokens) and tokens[q].text == "(":
            q += 1
        return q < len(tokens) and tokens[q].kind == "num" and len(tokens[q].text.rstrip("abcdefgh")) == 4

    # -- a candidate to a record --------------------------------------------------------------------------------------
    def _record(self, doc: Document, block: Block, contribution: str, tokens: list[Token], cand: Candidate,
                excluded) -> CrossRef | None:
        items = list(cand.names.items)
        for lo, hi, surnames in excluded:
            if any(lo <= it.start < hi and fold(surname_of(it.text)) in surnames for it in items):
                return None
        if cand.introduction:  # "the introduction (this issue)"
            intro = self.people.introductions
            parts = [Part(items[0].start, items[0].end, [items[0].text], RESOLVED if len(intro) == 1 else AMBIGUOUS,
                          list(intro))]
        else:
            matches = []
            for it in items:
                sentence_start = it.first == 0 or tokens[it.first - 1].text in SENTENCE_END
                matches.append(self.people.match(it.words, sentence_start=sentence_start))
            # leading names that match nobody after a capitalised word ("In Japan, Mulloy and Newby") are not names
            while (len(items) > 1 and not matches[0].persons and cand.names.seps[len(cand.names.items) - len(items)]
                   == "comma" and items[0].first > 0 and tokens[items[0].first - 1].kind == "word"
                   and tokens[items[0].first - 1].text[0].isupper()):
                items, matches = items[1:], matches[1:]
            parts = resolve(items, matches, self.people)
        if not parts:
            return None
        unknown = any(p.status == UNKNOWN for p in parts)
        if unknown and not cand.strong:
            # a name that matches nobody is not a reference where the context is weak, unless next to a marker it
            # is a contributor's name misspelt ("as argued in Hirnoo, this issue")
            misspelt = cand.marker is not None and all(
                self.people.close(it.words) for it, p in zip(items, parts) if p.status == UNKNOWN)
            if not misspelt:
                return None
        if cand.form == NAME:
            # the introduction names its own authors, or a contributor it cites: not a reference
            if any(p.status != RESOLVED for p in parts) or any(contribution in p.targets for p in parts):
                return None
        start = cand.start if items[0] is cand.names.items[0] else items[0].start
        end = cand.end
        status = UNKNOWN if unknown else (AMBIGUOUS if any(p.status == AMBIGUOUS for p in parts) else RESOLVED)
        targets: list[str] = []
        candidates: list[str] = []
        for p in parts:
            if p.status == RESOLVED:
                targets += [t for t in p.targets if t not in targets]
            elif p.status == AMBIGUOUS:
                candidates += [t for t in p.targets if t not in candidates]
        resolved = [p for p in parts if p.status == RESOLVED]
        if len(parts) == 1 and resolved:
            links = [Link(start, end, resolved[0].targets[0])]
        else:
            links = [Link(p.start, p.end, p.targets[0]) for p in resolved]
        names = []
        for p in parts:
            names += p.names
        rec = CrossRef(file=doc.file, contribution=contribution, block=block.index, start=start, end=end,
                       location=doc.location(block, start, end), text=block.text[start:end], names=names,
                       targets=targets, form=cand.form, status=status, links=links,
                       note=block.note if block.kind == "note" else None, candidates=candidates, parts=parts)
        return rec
