"""Find every occurrence of the vocabulary in a manuscript's body: one Aho-Corasick pass over the whole body.

Every form of every term (variants.py) goes into two automata: one over a folded copy of the text (case and
accents ignored, typographic apostrophes and hyphens made plain) and one over the text as written, for acronyms,
which are matched with their case ("UN", not "un"). A hit counts at word boundaries only, with a possessive 's
taken into it. Not matched: headings and titles, the reference list, citations (markup citations, and the
spans the citation checker found), URLs, a phrase the vocabulary excludes for that concept, and a common noun
capitalised inside a proper name ("Pacific Partnership Holdings Ltd", "the Partnership for Peace").
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from ..manuscripts.document import Block, Document
from ..model import Location
from .variants import forms_of, is_case_sensitive
from .vocabulary import Concept, SubEntry, Vocabulary

SKIPPED_KINDS = ("heading", "title")
# one-for-one replacements, so that offsets in the folded text are offsets in the original
_PLAIN = {0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x2010: "-", 0x2011: "-", 0x00A0: " ", 0x2009: " ", 0x202F: " ",
          0x2007: " ", 0x200A: " ", 0x0009: " "}
_FUNCTION_WORDS = {"of", "for", "in", "on", "and", "de", "du", "des", "la", "le", "&"}
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_YEAR_AFTER = re.compile(r"\s*,?\s*\(?(?:\d{4}[a-z]?|n\.\s?d\.|forthcoming|in press)\b")


@dataclass
class Target:
    concept: Concept
    sub: SubEntry | None
    acronym: bool
    exclude: bool = False
    explicit: bool = False  # written in concepts.toml, not generated
    term: str = ""  # the vocabulary term the form comes from (its capitals tell a name from a common noun)


@dataclass
class Occurrence:
    """One place where a vocabulary term occurs: the record `issue check --format json` prints under "concepts"."""

    file: str
    contribution: str
    block: int  # Block.index: the paragraph number for .docx/.odt; a footnote shares its host's number
    start: int  # offsets in the block's text
    end: int
    surface: str  # the text as written
    form: str  # the vocabulary form it matched (folded)
    concept: str  # the concept's heading (its key)
    heading: str  # the index heading it is posted under
    sub: str | None  # the sub-entry, if any
    acronym: bool
    location: Location
    anchor: str = ""  # stable id for links: idx-<contribution>-<n>, n in document order
    note: int | None = None  # footnote number when the block is a note
    kind: str = "para"
    path: tuple | None = None  # JSON path of the pandoc inline where it starts (for splicing the AST)
    left_word: str = field(default="", repr=False)
    block_ref: Block | None = field(default=None, repr=False, compare=False)
    seq: int = 0  # order of the block in the document's list of blocks

    @property
    def position(self) -> tuple[int, int, int, int]:
        """Reading order: a footnote's occurrences come right after those of the paragraph that holds its marker."""
        return (self.block, 0 if self.note is None else 1, self.note or 0, self.start)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "contribution": self.contribution, "block": self.block}
        if self.note is not None:
            out["note"] = self.note
        out.update({"start": self.start, "end": self.end})
        loc = self.location
        for key in ("line", "column", "paragraph"):
            value = getattr(loc, key)
            if value is not None:
                out[key] = value
        out.update({"heading": self.heading, "sub": self.sub, "surface": self.surface, "acronym": self.acronym,
                    "anchor": self.anchor, "kind": self.kind})
        if self.concept != self.heading:
            out["concept"] = self.concept
        return out


# -- text folding ----------------------------------------------------------------------------------------------------
def _fold_char(ch: str) -> str:
    if ord(ch) in _PLAIN:
        return _PLAIN[ord(ch)]
    if ch == "\u00ad":  # soft hyphen: invisible, so not there
        return ""
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_text(text: str) -> tuple[str, list[int] | None]:
    """The text with case, accents, typographic apostrophes and hyphens folded, and a map from its offsets back
    to the original's (None when they are the same)."""
    if text.isascii():  # no need to list the characters of the text: a tab is the only one to change
        table = {9: _fold_char("\t")} if "\t" in text else {}
    else:
        table = {ord(ch): _fold_char(ch) for ch in set(text) if ord(ch) > 127 or ch == "\t"}
    folded = _translate(text, table).lower()
    if all(len(v) == 1 for v in table.values()) and len(folded) == len(text):
        return folded, None
    pieces = [table.get(ord(ch), ch).lower() if ord(ch) > 127 or ch == "\t" else ch.lower() for ch in text]
    back: list[int] = []
    for i, p in enumerate(pieces):
        back.extend([i] * len(p))
    back.append(len(text))
    return "".join(pieces), back


def _plain_case(text: str) -> str:
    """One-for-one plain apostrophes, hyphens and spaces, case kept (for acronyms)."""
    return _translate(text, _PLAIN)


def _translate(text: str, table: dict[int, str]) -> str:
    """text.translate(table), made of one str.replace per character that the text holds and the table changes:
    str.translate looks every character of a non-ASCII text up in the table, which costs milliseconds on a
    manuscript, while a replace is a fast scan. The same result as long as no replacement holds a character
    that is itself replaced (otherwise the order of the replacements would matter): then translate does it."""
    changes = [(chr(code), new) for code, new in table.items() if chr(code) != new and chr(code) in text]
    replaced = {old for old, _ in changes}
    if any(ch in replaced for _, new in changes for ch in new):
        return text.translate(table)
    for old, new in changes:
        text = text.replace(old, new)
    return text


# -- the automaton ---------------------------------------------------------------------------------------------------
class Matcher:
    """The vocabulary compiled into two Aho-Corasick automata (case-blind and case-sensitive)."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.table: dict[tuple[bool, str], list[Target]] = {}
        for c in vocab.concepts:
            if c.see:
                final = vocab.final_target(c)
                if final is None:
                    continue
                found = vocab.resolve(c.see)
                sub = found[1] if found and found[0] is final else None
                for term in [c.heading, *c.variants]:
                    self._add(term, Target(final, sub, False, explicit=True, term=term))
                continue
            for term in [c.heading, *c.variants]:
                self._add(term, Target(c, None, False, explicit=True, term=term))
            for a in c.acronyms:
                self._add(a, Target(c, None, True, explicit=True, term=a), acronym=True)
            for phrase in c.exclude:
                self._add(phrase, Target(c, None, False, exclude=True, explicit=True, term=phrase))
            for s in c.subs:
                for term in s.forms_for(c.heading):
                    self._add(term, Target(c, s, False, explicit=True, term=term))
                for phrase in s.exclude:
                    self._add(phrase, Target(c, s, False, exclude=True, explicit=True, term=phrase))
        self._compile()

    def _compile(self) -> None:
        import ahocorasick

        self.folded = ahocorasick.Automaton()
        self.cased = ahocorasick.Automaton()
        for (cased, form), targets in self.table.items():
            (self.cased if cased else self.folded).add_word(form, (form, targets))
        self.empty = not self.table
        if self.folded.kind != ahocorasick.EMPTY:
            self.folded.make_automaton()
        if self.cased.kind != ahocorasick.EMPTY:
            self.cased.make_automaton()

    def __getstate__(self) -> dict[str, Any]:
        """Kept in the cache without the automata (C objects the cache's safe loader refuses): the table of forms,
        which takes the time to make, and the automata are built again from it in milliseconds."""
        return {"vocab": self.vocab, "table": self.table}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.vocab, self.table = state["vocab"], state["table"]
        self._compile()

    def _add(self, term: str, target: Target, acronym: bool = False) -> None:
        term = " ".join(term.split())
        if not term:
            return
        if acronym or is_case_sensitive(term):
            forms = {term, term + "s"} if term[-1:].isupper() else {term}
            cased = True
        else:
            forms = forms_of(term)
            cased = False
        for form in sorted(forms):
            key = (cased, form if cased else form.casefold())
            exact = form.casefold() == term.casefold() if not cased else form == term
            t = Target(target.concept, target.sub, target.acronym or acronym, target.exclude, target.explicit and exact,
                       target.term)
            bucket = self.table.setdefault(key, [])
            if not any(_same(b, t) for b in bucket):
                bucket.append(t)

    def hits(self, text: str) -> list[tuple[int, int, str, Target, list[Target]]]:
        """Every boundary-respecting hit in `text`: (start, end, form, chosen target, all targets of the form)."""
        out = []
        if self.empty:
            return out
        folded, back = fold_text(text)
        chosen: dict[int, Target] = {}  # id(targets) -> _choose(targets): a form recurs all through a text
        if self.folded.kind == 2:  # ahocorasick.AHOCORASICK
            for end, (form, targets) in self.folded.iter(folded):
                s, e = end - len(form) + 1, end + 1
                if (s > 0 and folded[s - 1].isalnum()) or (e < len(folded) and folded[e].isalnum()):
                    continue
                if back is not None:
                    s, e = back[s], back[e] if e < len(back) else len(text)
                out.append((s, e, form, _chosen(chosen, targets), targets))
        if self.cased.kind == 2:
            plain = _plain_case(text)
            for end, (form, targets) in self.cased.iter(plain):
                s, e = end - len(form) + 1, end + 1
                if (s > 0 and plain[s - 1].isalnum()) or (e < len(plain) and plain[e].isalnum()):
                    continue
                out.append((s, e, form, _chosen(chosen, targets), targets))
        return out


def _same(a: Target, b: Target) -> bool:
    return (a.concept is b.concept and a.sub is b.sub and a.exclude == b.exclude and a.acronym == b.acronym
            and a.term == b.term)


def _chosen(chosen: dict[int, Target], targets: list[Target]) -> Target:
    """_choose(targets), remembered in `chosen` by the list's identity (each form's list lives in the automaton)."""
    target = chosen.get(id(targets))
    if target is None:
        target = chosen[id(targets)] = _choose(targets)
    return target


def _choose(targets: list[Target]) -> Target:
    """Explicit forms before generated ones; then sub-entries (more specific); then the vocabulary's order."""
    real = [t for t in targets if not t.exclude] or targets
    return min(real, key=lambda t: (not t.explicit, t.sub is None, t.concept.index))


# -- one manuscript --------------------------------------------------------------------------------------------------
def find_occurrences(doc: Document, contribution: str, matcher: Matcher,
                     skip_spans: Iterable[tuple[int, int | None, int, int]] = ()) -> list[Occurrence]:
    """Occurrences in the body of one manuscript, in document order, with their anchors.

    `skip_spans`: (block index, note number or None, start, end) of citations found by the citation checker.
    """
    blocks = [b for b in doc.blocks if b.is_body and b.kind not in SKIPPED_KINDS and b.text]
    if not blocks or matcher.empty:
        return []
    # one pass over the body: blocks joined by a newline, which no form contains
    starts, pieces, pos = [], [], 0
    for b in blocks:
        starts.append(pos)
        pieces.append(b.text)
        pos += len(b.text) + 1
    body = "\n".join(pieces)
    skip: dict[int, list[tuple[int, int]]] = {}
    seq_of = {id(b): i for i, b in enumerate(doc.blocks)}
    for i, b in enumerate(blocks):
        spans = [(c.start, c.end) for c in b.cites]
        spans += [(m.start(), m.end()) for m in _URL.finditer(b.text)] if ("://" in b.text or "www." in b.text
                                                                            or "@" in b.text) else []
        if spans:
            skip[i] = spans
    by_index: dict[tuple[int, int | None], int] = {}
    for i, b in enumerate(blocks):
        by_index.setdefault((b.index, b.note if b.kind == "note" else None), i)
    for bindex, note, s, e in skip_spans:
        i = by_index.get((bindex, note))
        if i is None and note is None:
            i = by_index.get((bindex, None))
        if i is not None:
            skip.setdefault(i, []).append((s, e))

    candidates = []
    for s, e, form, target, targets in matcher.hits(body):
        i = bisect_right(starts, s) - 1
        b = blocks[i]
        bs, be = s - starts[i], e - starts[i]
        if be > len(b.text):
            continue
        candidates.append((i, bs, be, form, target, targets))

    # exclusions: a phrase the vocabulary excludes for a concept blocks that concept's hits inside it
    excluded: dict[int, list[tuple[int, int, Concept, SubEntry | None]]] = {}
    for i, bs, be, form, target, targets in candidates:
        for t in targets:
            if t.exclude:
                excluded.setdefault(i, []).append((bs, be, t.concept, t.sub))
    kept = []
    title_case: dict[int, bool] = {}  # a line set in title case (a caption) has capitals everywhere
    for i, bs, be, form, target, targets in candidates:
        if target.exclude:
            continue
        b = blocks[i]
        spans = skip.get(i)
        if spans and any(bs < e2 and s2 < be for s2, e2 in spans):
            continue
        if i in excluded and _blocked(excluded[i], bs, be, target):
            continue
        if _looks_cited(b.text, bs, be, target):
            continue
        if not target.acronym and _inside_proper_name(b.text, bs, be, target):
            # a caption's capitals prove nothing; its test reads the whole line, so only asked when it matters
            if i not in title_case:
                title_case[i] = _title_case(b.text)
            if not title_case[i]:
                continue
        scope = target.concept.scope
        if scope is not None and contribution not in scope:
            continue
        if target.sub is not None and target.sub.scope is not None and contribution not in target.sub.scope:
            target = Target(target.concept, None, target.acronym, explicit=target.explicit, term=target.term)
        kept.append((i, bs, be, form, target))

    # leftmost-longest, without overlaps
    kept.sort(key=lambda k: (k[0], k[1], -(k[2] - k[1]), k[4].concept.index))
    chosen = []
    last_block, last_end = -1, -1
    for k in kept:
        i, bs, be = k[0], k[1], k[2]
        if i == last_block and bs < last_end:
            continue
        chosen.append(k)
        last_block, last_end = i, be

    out: list[Occurrence] = []
    light: dict[int, Block] = {}
    for i, bs, be, form, target in chosen:
        b = blocks[i]
        be = _with_possessive(b.text, be)
        concept = target.concept
        seg = b.segment_at(bs)
        out.append(Occurrence(
            file=doc.file, contribution=contribution, block=b.index, start=bs, end=be, surface=b.text[bs:be],
            form=form, concept=concept.heading, heading=concept.heading,
            sub=target.sub.heading if target.sub else None, acronym=target.acronym,
            location=doc.location(b, bs, be), note=b.note if b.kind == "note" else None, kind=b.kind,
            path=tuple(seg.path) if seg is not None and seg.path is not None else None,
            left_word=_left_word(b.text, bs), block_ref=light.get(i) or light.setdefault(i, text_block(b)),
            seq=seq_of.get(id(b), 0)))
    out.sort(key=lambda o: o.position)
    for n, o in enumerate(out, 1):
        o.anchor = f"idx-{contribution}-{n}"
    return out


def text_block(b: Block) -> Block:
    """A block's text and place without its segments and citations: what the rules read of the block around an
    occurrence, light enough to keep with the occurrences in the cache."""
    return Block(index=b.index, kind=b.kind, section=b.section, text=b.text, level=b.level, note=b.note, host=b.host,
                 ast_path=b.ast_path, line=b.line)


def _blocked(spans: list[tuple[int, int, Concept, SubEntry | None]], s: int, e: int, target: Target) -> bool:
    for s2, e2, concept, sub in spans:
        if concept is target.concept and s < e2 and s2 < e and (sub is None or sub is target.sub):
            return True
    return False


def _with_possessive(text: str, end: int) -> int:
    """Take a possessive 's into the occurrence: "ASEAN's", "the League’s"."""
    tail = text[end:end + 3]
    if len(tail) >= 2 and tail[0] in "'\u2019" and tail[1] == "s" and (len(tail) == 2 or not tail[2].isalnum()):
        return end + 2
    return end


def _left_word(text: str, start: int) -> str:
    """The word right before `start` (with whitespace between): what re.search(r"([A-Za-z][\\w\\-]*)\\s+$") finds
    in the 40 characters before it, read backwards from the end instead of tried at every position."""
    window = text[max(0, start - 40):start]
    end = len(window.rstrip())  # str.isspace and the regex's \s are the same test
    if end == len(window):
        return ""  # no whitespace before `start`
    first = end
    while first > 0 and (window[first - 1].isalnum() or window[first - 1] in "_-"):  # the regex's [\w\-]
        first -= 1
    for k in range(first, end):  # the word starts at its first ASCII letter
        if window[k] in _ASCII_LETTERS:
            return window[k:end]
    return ""


_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _looks_cited(text: str, s: int, e: int, target: Target) -> bool:
    """A corporate author in a citation the citation checker did not mark: "(ASEAN 2015)", "UN (2015, 4)"."""
    if not target.acronym and not text[s:e][:1].isupper():
        return False
    if not _YEAR_AFTER.match(text, e):
        return False
    after = text[e:e + 3].lstrip(" ,")
    inside = text.rfind("(", 0, s) > text.rfind(")", 0, s)
    return inside or after.startswith("(")


def _is_cap(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and word[0].isupper() and any(c.islower() for c in letters)


def _sentence_start(text: str, s: int) -> bool:
    before = text[:s].rstrip(" \"'\u201c\u2018([")
    return not before or before[-1] in ".!?:\n\u2014" or before.endswith(("—", "–"))


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w\-']*", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


@lru_cache(maxsize=4096)
def _has_capital(term: str) -> bool:
    """A vocabulary term with a word that starts with a capital: a name itself."""
    return any(w[:1].isupper() for w in term.split())


def _inside_proper_name(text: str, s: int, e: int, target: Target) -> bool:
    """A common-noun term capitalised inside a name: "Pacific Partnership Holdings", "the Partnership for Peace".

    Terms that are names themselves (a capital in the vocabulary) are not tested; nor are lines set in title case
    (captions), where every word has a capital: the caller leaves those out.
    """
    if not text[s:e][:1].isupper():
        return False  # the cheap test first: most hits are written in lower case
    term = target.term or (target.sub.heading if target.sub else target.concept.heading)
    if _has_capital(term):
        return False
    left = re.search(r"(\S+) $", text[max(0, s - 60):s])
    right = re.match(r" (\S+)(?: (\S+))?", text[e:e + 80])
    lw = left.group(1) if left else ""
    rw = right.group(1) if right else ""
    rw2 = right.group(2) if right and right.group(2) else ""
    left_start = left is not None and _sentence_start(text, s - 1 - len(lw))
    if _is_cap(rw) and rw[-1:].isalnum() and not rw.endswith(("'s", "’s")):
        return True
    if _is_cap(lw) and lw[-1].isalnum() and not left_start:
        return True
    ll = re.search(r"(\S+) (\S+) $", text[max(0, s - 80):s])
    bridge_left = ll is not None and ll.group(2) in _FUNCTION_WORDS and _is_cap(ll.group(1)) and ll.group(1)[-1].isalnum()
    bridge_right = rw in _FUNCTION_WORDS and _is_cap(rw2)
    if bridge_right and (bridge_left or lw.lower() == "the"):
        return True
    return False
