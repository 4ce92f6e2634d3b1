"""Author-date citations in prose, as authors really write them.

No library parses author-date citations out of running text (citation parsers such as anystyle or GROBID work
on reference lists, and pandoc only reads `[@key]`), so the grammar is written here by hand: a few commented
regular expressions for the pieces (a surname, an initial, a particle, a year, a locator) and a small parser
for what stands between a pair of parentheses. The parser works on one block's text at a time and reports
`Found` items with offsets in that text; resolution against the bibliography happens later (resolve.py).

The shapes handled:
  parenthetical   (Keohane 1984, 12; see also Axelrod and Keohane 1985: 230)   (Waltz 1979a, b)
  narrative       Wendt (1999) argued / Wendt's (1999, 246) argument / Robert Keohane (1984) / Qin Yaqing (2018)
                  (which word of two is the surname, the bibliography decides: resolve.Resolver._resolve_readings)
  apart           as Wendt puts it, ... (1999, 246) / Waltz's Theory of International Politics (1979)
  continuation    he refined it later (1989, 12)   (kept only when it resolves exactly: see `weak`)
  secondary       (Carr cited in Wight 1991, 23) / (quoted in Smith 2001, p. 5) / Carr (1939, cited in ...)
  corporate       (UNHCR 2018) (World Bank 2019, 7) (United Nations High-Level Independent Panel ... 2015)
and it leaves alone the false friends: (UNHCR), (1), (a), (local name X), "in March 2011", "its 2019 report",
(1939-45), (the 1990s), "Jones (this issue)".
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .places import is_place


# -- character classes ------------------------------------------------------------------------------------------
def _char_class(pred: Callable[[str], bool]) -> str:
    """A regex character-class body of the letters (Latin, Greek, Cyrillic) that satisfy pred, as ranges."""
    ranges = ((0x41, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x1E00, 0x1EFF))
    codes = [c for lo, hi in ranges for c in range(lo, hi + 1) if pred(chr(c))]
    out, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        lo, hi = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        out.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(out)


UP = _char_class(str.isupper)  # upper-case letters
LET = _char_class(str.isalpha)  # all letters
APOS = "'’"
HYPH = "\\-‐‑"

# -- the pieces of a name ---------------------------------------------------------------------------------------
# A surname word: Keohane, O'Neill, D’Amato, McDonald, Hafner-Burton, al-Rasheed, UNHCR, DPKO/DFS.
SURWORD = (rf"(?:(?:[dlDLO]|[Aa]l|[Ee]l)[{APOS}](?=[{UP}])|(?:al|el)[{HYPH}](?=[{UP}]))?"
           rf"[{UP}][{LET}]*(?:[{APOS}][{UP}][{LET}]*)?(?:[{HYPH}/][{LET}]+)*")
# An initial: R. / J.-P. / R.O.
INITIAL = rf"[{UP}]\.(?:[{HYPH}]?[{UP}]\.)*"
# Lower-case particles that belong to surnames: de Coning, van der Pijl, Bueno de Mesquita.
PARTICLES = ("de", "da", "das", "dos", "di", "del", "della", "der", "den", "des", "du", "la", "le", "van", "von",
             "ter", "ten", "zu", "zur", "bin", "ibn", "y")
PART = r"(?:" + "|".join(PARTICLES) + r")"
# One personal name, given names optional: Keohane / Robert O. Keohane / Bruce Bueno de Mesquita / van der Pijl.
NAME = rf"(?:{PART}\s+){{0,3}}(?:(?:{SURWORD}|{INITIAL})\s+(?:{PART}\s+){{0,3}}){{0,4}}{SURWORD}"
# A list of names as it stands before "(1999)": "Keohane and Nye", "Acharya, Ba, and Haacke", "Smith et al."
ET_AL = r"(?:\s*,?\s+et\s+al\.?|\s+and\s+(?:colleagues|others|associates))"
NAME_LIST = rf"{NAME}(?:(?:\s*,\s*{NAME}){{0,8}}\s*,?\s+(?:and|&)\s+{NAME})?{ET_AL}?"
# Connectors inside a corporate name, and in author lists inside parentheses.
CONN = r"(?:of|on|for|the|and|in|to|at|&|" + "|".join(PARTICLES) + r")"
# The authors part of a parenthetical citation (anything name-like, corporate names included):
# "Keohane", "Keohane and Nye", "Keohane, Nye, and Hoffmann", "World Bank", "UN Office for the Coordination
# of Humanitarian Affairs", "Smith et al.".
PAREN_AUTHORS = (rf"(?:{PART}\s+){{0,3}}(?:{SURWORD}|{INITIAL})"
                 rf"(?:(?:\s*,\s*|\s+)(?:{CONN}\s+){{0,3}}(?:{SURWORD}|{INITIAL})){{0,16}}{ET_AL}?")
POSSESSIVE = rf"(?:[{APOS}]s|(?<=s)[{APOS}])"
# a surname typed in lower case before a year inside parentheses: "(keohane 1984)" (see `_lower_names`)
_LOWER_WORD = rf"[a-z][a-z{APOS}{HYPH}]+"
LOWER_END = re.compile(rf"(?<![\w{APOS}{HYPH}.])(?P<names>{_LOWER_WORD}(?:\s+(?:and|&)\s+{_LOWER_WORD})?)\s*,?\s*$")

# the name list at the end of the text before "(": "... as Keohane and Nye’s (1977)"
NARRATIVE_END = re.compile(rf"(?<![\w{APOS}{HYPH}.])(?P<names>{NAME_LIST})(?P<poss>{POSSESSIVE})?\s*$")
# the authors at the end of the text before a year inside parentheses: "see also Axelrod and Keohane "
PAREN_END = re.compile(rf"(?<![\w{APOS}{HYPH}])(?P<names>{PAREN_AUTHORS})(?P<poss>{POSSESSIVE})?\s*,?\s*$")
# a possessive followed by a title before "(": "Waltz’s Theory of International Politics (1979)"
POSS_TITLE = re.compile(rf"(?<![\w{APOS}{HYPH}.])(?P<names>{NAME_LIST}){POSSESSIVE}\s+"
                        rf"(?:[a-z]+\s+){{0,2}}[“‘\"'*_]?[{UP}0-9][^.;!?()]{{0,140}}?"
                        rf"(?:[?!][”’\"'*_]*)?\s*$")  # a title may end in '?': “Why Is There No ... Theory?”

# -- years and locators -----------------------------------------------------------------------------------------
# A year: 1979, 1979a (not 1979s, 1990s, 1939-45), n.d., forthcoming, in press; and the two years of a reprint
# or a winter issue, kept as written: "[1939] 2001" (original in brackets), "2001 [1939]", "1960/1980" (APA's
# original/reprint), "1993/94" or "1993–94" (an issue dated across two years). Whether the second year fits is
# checked in `_year_list` ("2011/13" and "1939–45" are no years), since a regular expression cannot compare numbers.
_Y4 = r"(?:1[5-9]\d\d|20\d\d)"
YEAR = re.compile(
    rf"(?<![\w/{HYPH}–.])(?:\[(?P<o>{_Y4})\]\s?(?P<y1>{_Y4})(?P<s1>[a-rt-z])?(?![\w/])(?!\s*[{HYPH}–—]\s*\d)"
    rf"|(?P<y>{_Y4})(?:/(?P<y2>{_Y4}|\d\d)|(?P<dash>[{HYPH}–])(?P<y3>\d\d)(?!\d))?(?P<s>[a-rt-z])?"
    rf"(?:\s?\[(?P<o2>{_Y4})\])?"
    rf"(?![\w/])(?!\s*[{HYPH}–—]\s*\d)"
    r"|(?P<nd>n\.\s?d\.|no\s+date)(?:[-\s]?(?P<s2>[a-z])\b)?"
    r"|(?P<fc>forthcoming|in\s+press|in\s+preparation|under\s+review))"
)
# a year glued to the name before it, a slip of drafts: "(Waltz1979, Mearsheimer 2001)"; read only inside
# parentheses, and kept only when the name is an author the bibliography knows
YEAR_GLUED = re.compile(rf"(?<=[{LET}][a-z])(?=\d)" + YEAR.pattern[YEAR.pattern.index("(?:"):])
YEAR_SEP = re.compile(r"\s*(?:,|and\b|&)\s*")
LONE_SUFFIX = re.compile(r"(?P<s>[a-z])(?![\w.])")
# (drafts also write "p 35", "pp 3-5", "pg. 31"; and "Chapter 2", "Ch. 3" with a capital; "esp. 88-93", "passim")
LOC_UNIT = (r"(?:pp?\.|pp?(?=\s?\d)|pgs?\.?|pages?|[Cc]hs?\.|[Cc]haps?\.|[Cc]hapters?|nn?\.|notes?|paras?\.|¶¶?|§§?"
            r"|secs?\.|sections?|figs?\.|vols?\.|art\.|arts\.|ll?\.|lines?|fn\.|cols?\.|loc\.|at|esp\.)\s*")
LOC_NUM = r"(?:\d+(?:\.\d+)*(?:\s*nn?\.\s*\d+|nn?\d+|[a-z](?![a-z]))?|[ivxlcdm]+\b|passim\b)"
LOC_RANGE = rf"{LOC_NUM}(?:\s*[{HYPH}–—]+\s*{LOC_NUM})?(?:\s*ff?\.?)?"
_NOT_YEAR = r"(?!(?:1[5-9]\d\d|20\d\d)\b)"
LOCATOR = re.compile(rf"(?P<sep>\s*[,:]\s*|\s+(?={LOC_UNIT}))(?P<loc>(?:{LOC_UNIT})?{LOC_RANGE}"
                     rf"(?:\s*(?:,|and|&)\s*{_NOT_YEAR}(?:{LOC_UNIT})?{LOC_RANGE})*)")
PAGE_UNIT = re.compile(r"^(?:pp?\.|pp?(?=\s?\d)|pgs?\.?|pages?)\s*", re.IGNORECASE)

# what may follow a complete citation item inside parentheses
# (a full stop just before the closing parenthesis is a slip: "(Walt, 1987.)")
ITEM_END = re.compile(r"\s*(?:[,;:]|$|\.\s*$|(?:and|&)\s|(?:cited|quoted|qtd\.|as\s+cited)\s)")
# "cited in" and friends: the source actually read follows
SECONDARY_CUE = re.compile(r"\b(?:as\s+)?(?:cited|quoted|qtd\.|reproduced|reprinted|discussed)\s+(?:in|by)\b",
                           re.IGNORECASE)
THIS_ISSUE = re.compile(r"\b(?:in\s+)?this\s+(?:special\s+)?(?:issue|volume|collection|number|book|symposium|forum"
                        r"|special\s+section)\b", re.IGNORECASE)
PAREN = re.compile(r"\(([^()]*)\)")
_PAREN_CHAR = re.compile(r"[()]")
RUNNING_CUE = re.compile(r"(?<!\w)[cqrdCQRD](?:ited|uoted|td\.|eproduced|eprinted|iscussed)\s+(?:in|by)\b")
# the source read after a cue in running text: " Mazower 2009, 31" (the year follows the names directly)
CITED_RUN = re.compile(rf"\s+(?P<names>{NAME_LIST})\s*,?\s*(?=[\[0-9]|n\.\s?d\.|forthcoming|in\s+press)")
HAS_YEAR = re.compile(r"(?:1[5-9]\d\d|20\d\d|n\.\s?d\.|no date|forthcoming|in press|in preparation|under review)")
# prefixes that may stand before a bare year: "(see also 1989)"
BARE_PREFIX = re.compile(r"^(?:(?:see(?:\s+also)?|cf\.|e\.g\.,?|also|and|but\s+see|compare|contra|later|"
                         r"similarly|for\s+example,?|for\s+instance,?)\s*)*$", re.IGNORECASE)
# what may stand before a citation written without parentheses in a footnote: "See, e.g., IFRC 2018"
NOTE_CUE = re.compile(r"(?:^|[;:.!?]|\b(?:see|also|cf\.|e\.g\.|i\.e\.|compare|contra|by|in|from|follows?|with|and|"
                      r"especially|esp\.|notably|on|for|is|are|to))[,\s]*$", re.IGNORECASE)
NOTE_PREFIX = re.compile(r"(?:(?:see(?:\s+also)?|cf\.|e\.g\.|compare|contra|but\s+see|also)[,\s]*)+$", re.IGNORECASE)
MAX_SENTENCE = 400  # how far a name may stand from its year: one long sentence, not a whole paragraph
# (not before "(1966)": a year in parentheses does not open a sentence, the "?" of a title stood before it)
SENTENCE_END = re.compile(rf"[.!?][”\"’')\]]*\s+(?=[“\"‘'\[]?[{UP}0-9]|\((?!\[?\d{{4}}\b)[{UP}0-9\[])")
ABBREVIATIONS = {"al", "e.g", "i.e", "cf", "p", "pp", "ch", "chap", "n", "nn", "no", "vol", "vols", "ed", "eds",
                 "trans", "dr", "mr", "mrs", "ms", "st", "fig", "para", "sec", "art", "ibid", "op", "cit", "esp",
                 "viz", "vs", "v", "etc", "approx", "c", "ca", "u.s", "u.k", "u.n", "jr", "sr", "prof", "gen"}

# -- words that are not names ----------------------------------------------------------------------------------
# Capitalised words that open a sentence or a phrase and are stripped from the front of a name list.
LEADING_WORDS = {
    "a", "an", "the", "as", "in", "on", "at", "by", "for", "from", "to", "of", "with", "and", "but", "or", "nor",
    "see", "cf", "also", "compare", "contra", "following", "according", "after", "before", "while", "whilst",
    "although", "though", "when", "where", "whereas", "because", "since", "unlike", "like", "both", "thus",
    "hence", "however", "moreover", "indeed", "here", "there", "this", "that", "these", "those", "it", "its",
    "their", "his", "her", "our", "we", "they", "he", "she", "i", "yet", "so", "if", "then", "even", "only",
    "building", "drawing", "echoing", "citing", "against", "if", "once", "until", "per", "via", "among", "amongst",
    "between", "about", "over", "under", "within", "without", "whether", "neither", "either", "not", "no",
    "president", "prime", "minister", "secretary-general", "secretary", "professor", "prof", "dr", "mr", "mrs",
    "ms", "sir", "ambassador", "scholar", "scholars", "author", "authors",
}
# Words that make a capitalised phrase something other than an author: dates, events, documents, parts of a text.
NOT_NAMES = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "spring", "summer", "autumn", "winter", "fall", "christmas", "easter",
    "war", "wars", "crisis", "crises", "summit", "treaty", "agreement", "accord", "accords", "act", "declaration",
    "charter", "conference", "convention", "resolution", "protocol", "plan", "initiative", "strategy", "doctrine",
    "election", "elections", "revolution", "tsunami", "earthquake", "typhoon", "cyclone", "hurricane", "flood",
    "floods", "operation", "exercise", "games", "olympics", "figure", "table", "chapter", "section", "article",
    "appendix", "volume", "part", "note", "ibid", "paper", "white", "cup", "expo", "fy", "q1", "q2", "q3", "q4",
}


# "the Treaty of Nanking (1842)", "the Congress of Vienna (1814–15)", "the Siege of Sarajevo (1992–96)": an event
# named after a place, dated; the place is no author
EVENT_OF = re.compile(r"\b(?:[Tt]reaty|[Pp]eace|[Cc]ongress|[Bb]attle|[Ss]iege|[Ss]ack|[Ff]all|[Pp]artition|[Mm]assacre"
                      r"|[Ee]dict|[Ss]ettlement|[Uu]prising|[Rr]evolt|[Rr]ebellion|[Ii]nvasion|[Oo]ccupation|[Bb]ombing"
                      r"|[Ii]ncident|[Cc]risis|[Ww]ar|[Tt]reaties|[Aa]nnexation|[Bb]lockade)\s+of\s+(?:the\s+)?$")


@dataclass
class Found:
    """One citation found in prose (offsets in block.text)."""

    start: int
    end: int
    form: str  # parenthetical | narrative | secondary
    authors: list[str]
    author_text: str
    year: str
    suffix: str = ""
    et_al: bool = False
    locator: str | None = None
    locator_sep: str = ""
    prefix: str | None = None
    postnote: str | None = None
    group: int = 0  # the parenthesis it came from, numbered within the block
    original: str | None = None
    author_span: tuple[int, int] | None = None
    weak: bool = False  # a shape that may be a false friend: keep only when its authors match the bibliography
    continued: bool = False  # the authors were carried from an earlier citation: keep only on an exact match


@dataclass
class _Names:
    text: str
    start: int
    end: int
    authors: list[str]
    et_al: bool
    weak: bool = False
    continued: bool = False
    event: bool = False  # "Westphalia (1648)": a place or an event dated, not an author


@dataclass
class Context:
    """What the grammar may ask of the outside world."""

    known_surname: Callable[[str], bool] = lambda s: False  # a surname (or alias) the bibliography knows
    resolves: Callable[[list[str], str], bool] = lambda authors, year: False  # these authors and year: an entry?
    max_year: int = 2100  # a later year is a number, not a publication date (the issue's year + 2)
    emphasised: Callable[[int], bool] = lambda offset: False  # is text[offset] in italics (a title)?
    common_word: Callable[[str], bool] = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.common_word is None:
            self.common_word = is_common_word


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """An English dictionary word ('after', 'hegemony'), as opposed to a surname ('Keohane')."""
    from ..lexicon import lemmas

    return bool(lemmas(word.lower()))


_SPLIT_NAMES = re.compile(r"\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+")
_ET_AL_RE = re.compile(ET_AL + r"\s*$")
_INITIALS = re.compile(rf"{INITIAL}(?:\s*{INITIAL})*")
_WORD = re.compile(rf"[{LET}][{LET}{APOS}{HYPH}./]*")


def split_names(text: str) -> tuple[list[str], bool]:
    """'Keohane, Nye, and Hoffmann' -> ['Keohane', 'Nye', 'Hoffmann']; 'Smith et al.' -> (['Smith'], True)."""
    et_al = False
    m = _ET_AL_RE.search(text)
    if m:
        et_al = True
        text = text[: m.start()]
    names = [n.strip() for n in _SPLIT_NAMES.split(text.strip()) if n and n.strip()]
    # "Jones, L." tells two authors named Jones apart: the initials belong to the name before them
    for i in range(len(names) - 1, 0, -1):
        if _INITIALS.fullmatch(names[i]) and not _INITIALS.fullmatch(names[i - 1]):
            names[i - 1: i + 1] = [f"{names[i]} {names[i - 1]}"]
    return names, et_al


def _strip_leading(text: str, start: int, keep: Callable[[str], bool] | None = None) -> tuple[str, int]:
    """Drop capitalised function words and titles from the front: 'As Keohane' -> 'Keohane'. keep: a word that
    is also a surname the bibliography knows stays ('He Kai and Feng Huiyun', '(He 2012)': He is a Chinese
    surname)."""
    while True:
        m = re.match(r"\S+\s+", text)
        if not m:
            word = text.strip().rstrip(".,")
            if word.lower() in LEADING_WORDS and not (keep and _surname_shaped(word) and keep(word)):
                return "", start + len(text)
            return text, start
        written = m.group(0).strip().rstrip(".,")
        word = written.lower()
        if word in LEADING_WORDS and not (keep and _surname_shaped(written) and keep(written)):
            text, start = text[m.end():], start + m.end()
        else:
            return text, start


def _surname_shaped(word: str) -> bool:
    """'He', 'An', 'So': written with a capital and then lower case, as a surname is (not 'HE', not 'he')."""
    return len(word) >= 2 and word[0].isupper() and word[1:].islower()


class ProseParser:
    """Extracts author-date citations from one block's text."""

    def __init__(self, ctx: Context | None = None):
        self.ctx = ctx or Context()

    # -- entry point ------------------------------------------------------------------------------------------
    def parse(self, text: str, note: bool = False) -> list[Found]:
        """Every citation in text (markup citations must already be blanked out, footnote markers are not in
        Block.text). Offsets are in text. In a footnote (note=True), citations are also read without
        parentheses: 'See, e.g., IFRC 2018, 42; Haacke 2009, 437.'"""
        out: list[Found] = []
        self._sentences: list[int] | None = None
        self._text = text
        group = 0
        parens: list[tuple[int, int]] = []
        for open_at, close_at, closed in self._parentheses(text):
            if closed:
                parens.append((open_at, close_at))
            if not HAS_YEAR.search(text, open_at + 1, close_at - 1 if closed else close_at):
                continue
            group += 1
            if closed:
                items = self._paren(text, open_at, close_at, group, out)
            else:  # "(Tang 2010, 45; Kydd 2005, 12. The policy ...": read up to where it should have closed
                items = self._paren(text, open_at, close_at + 1, group, out)
                body = text[:close_at].rstrip(" ")
                for f in items:  # the sentence's full stop is not the citation's, but that of "n.d." is
                    cut = body[:-1].rstrip(" ") if body.endswith(".") and not (f.year or "").endswith(".") else body
                    f.end = min(f.end, len(cut))
            out.extend(items)
        self._running_secondary(text, out)
        group = self._running_cited(text, parens, out, group)
        if note:
            out.extend(self._unbracketed(text, parens, out, group))
        out.sort(key=lambda f: (f.start, f.end))
        return out

    def _parentheses(self, text: str) -> list[tuple[int, int, bool]]:
        """Every '(' with where its body ends: (open, just after ')', True) for a closed pair; for a '(' never
        closed, a slip of drafts, (open, the end of its sentence or the next parenthesis, False)."""
        out = [(m.start(), m.end(), True) for m in PAREN.finditer(text)]
        if text.count("(") == len(out):
            return out
        opened = {o for o, _c, _k in out}
        for m in re.finditer(r"\(", text):
            at = m.start()
            if at in opened:
                continue
            end = min(self._sentence_end(text, at + 1), len(text))
            nxt = _PAREN_CHAR.search(text, at + 1, end)
            out.append((at, nxt.start() if nxt else end, False))
        return sorted(out)

    def _running_cited(self, text: str, parens: list[tuple[int, int]], found: list[Found], group: int) -> int:
        """'..., cited in Mazower 2009, 31, was widely shared': a secondary citation in running text, without
        parentheses. The source read must follow the cue directly, with its year."""
        import bisect

        starts = [a for a, _b in parens]  # closed parentheses do not overlap: one look-up each
        taken = None
        for fm in RUNNING_CUE.finditer(text):  # (SECONDARY_CUE, which opens with \b, takes four times as long)
            i = bisect.bisect_right(starts, fm.start()) - 1
            if i >= 0 and fm.start() < parens[i][1]:
                continue  # "(Carr cited in Wight 1991)": the parenthesis has it
            nm = CITED_RUN.match(text, fm.end())
            if not nm:
                continue
            am = re.search(r"\b[Aa]s\s+$", text[max(0, fm.start() - 6): fm.start()])
            cm = SECONDARY_CUE.match(text, fm.start() - len(am.group(0)) if am else fm.start())
            if not cm:
                continue
            if taken is None:
                taken = [(f.start, f.end) for f in found]
            if any(a <= cm.start() < b for a, b in taken):
                continue
            ym = YEAR.match(text, nm.end())
            if not ym:
                continue
            end, years = self._year_list(text, ym)
            authors, et_al = split_names(nm.group("names"))
            if not years or not authors:
                continue
            loc_end, locator, sep = end, None, ""
            lm = LOCATOR.match(text, end)
            if lm:
                locator, sep, loc_end = lm.group("loc").strip(), lm.group("sep"), lm.end()
            lead = text[max(0, cm.start() - 60): cm.start()].rstrip(" ,")
            # the author quoted: named just before the cue ("Kennan, quoted in"; "Kennan’s warning, quoted in")
            om = re.search(rf"(?<![\w{APOS}{HYPH}])({SURWORD})(?:{POSSESSIVE}(?:\s+[a-z]+){{0,2}})?\s*$", lead)
            # 'cited in' and 'quoted in' are cues enough; 'discussed in' needs an author the bibliography knows
            weak = self._weak_paren(authors) or not re.match(r"(?:as\s+)?(?:cited|quoted|qtd)", cm.group(0), re.I)
            group += 1
            for yi, (y0, y1, year, suffix) in enumerate(years):
                last = yi == len(years) - 1
                found.append(Found(start=cm.start() if yi == 0 else y0, end=loc_end if last else y1,
                                   form="secondary" if yi == 0 else "parenthetical", authors=list(authors),
                                   author_text=nm.group("names").strip(), year=year, suffix=suffix, et_al=et_al,
                                   locator=locator if last else None, locator_sep=sep if last else "",
                                   group=group, original=om.group(1) if om and yi == 0 else None,
                                   author_span=(nm.start("names"), nm.end("names")) if yi else None,
                                   weak=weak or _dashed(year)))
            taken.append((cm.start(), loc_end))
        return group

    def _unbracketed(self, text: str, parens: list[tuple[int, int]], found: list[Found], group: int) -> list[Found]:
        """Citations without parentheses, as footnotes write them: 'Capie 2015, 320. On China's late response,
        see also Fung 2019, 155.' One not opened by a cue ('see', ';', the start of the note) is weak: kept only
        when the bibliography has such an author ('officer, Canberra, 2016' is not a citation)."""
        import bisect

        blocked: list[tuple[int, int]] = []
        for a, b in sorted(parens + [(f.start, f.end) for f in found]):  # merged: parentheses hold citations
            if blocked and a <= blocked[-1][1]:
                blocked[-1] = (blocked[-1][0], max(blocked[-1][1], b))
            else:
                blocked.append((a, b))
        starts = [b[0] for b in blocked]

        def inside(pos: int) -> bool:
            i = bisect.bisect_right(starts, pos) - 1
            return i >= 0 and blocked[i][0] <= pos < blocked[i][1]

        out: list[Found] = []
        pos = 0
        prev_end = -1
        for m in YEAR.finditer(text):
            if m.start() < pos or inside(m.start()) or "\x00" in text[max(0, m.start() - 2): m.start()]:
                continue
            end, years = self._year_list(text, m)
            if not years:
                continue
            lo = max(self._sentence_start(text, m.start()), m.start() - 160, pos)
            for stop in (";", ":", "(", ")", "\x00"):
                at = text.rfind(stop, lo, m.start())
                if at >= 0:
                    lo = at + 1
            names, prefix_text = self._paren_names(text[lo:m.start()], lo)
            if names is None:
                continue
            if len(names.authors) > 1:
                trimmed = self._trim_list(names, text, years[0][2])
                if trimmed is not names:
                    prefix_text, names = prefix_text + text[names.start:trimmed.start], trimmed
            loc_end, locator, sep = end, None, None
            lm = LOCATOR.match(text, end)
            if lm:
                locator, sep, loc_end = lm.group("loc").strip(), lm.group("sep"), lm.end()
            if re.match(r"\s*[-–—]\s*\d", text[loc_end:loc_end + 4]):
                continue
            cued = bool(NOTE_CUE.search(prefix_text))
            pm = NOTE_PREFIX.search(prefix_text)
            prefix = pm.group(0).strip(" ,") if pm else None
            if prev_end < 0 or not re.fullmatch(r"[\s;,]*(?:and\s+)?", text[prev_end:names.start]):
                group += 1
            for yi, (y0, y1, year, suffix) in enumerate(years):
                last = yi == len(years) - 1
                out.append(Found(start=names.start if yi == 0 else y0, end=loc_end if last else y1,
                                 form="parenthetical", authors=list(names.authors), author_text=names.text, year=year,
                                 suffix=suffix, et_al=names.et_al, locator=locator if last else None,
                                 locator_sep=(sep or "") if last else "", prefix=prefix if yi == 0 else None,
                                 group=group, weak=names.weak or not cued or _dashed(year)))
            pos = prev_end = loc_end
        return out

    # -- one parenthesis --------------------------------------------------------------------------------------
    def _paren(self, text: str, open_at: int, close_at: int, group: int, before: list[Found]) -> list[Found]:
        """The citations inside one pair of parentheses (open_at is the '(' and close_at is just after ')')."""
        body_start = open_at + 1
        inner = text[body_start: close_at - 1]
        items: list[Found] = []
        carried: _Names | None = None  # the authors of the previous year, for "(Keohane 1984, 12; 1989)"
        narrative: _Names | None = None  # the name just before the parenthesis
        narrative_used = False
        looked_outside = False
        followed_by_this_issue = bool(re.match(r"\s*,?\s*" + THIS_ISSUE.pattern, text[close_at: close_at + 30],
                                               re.IGNORECASE))

        weak_name: _Names | None = None  # a doubtful name before '(' (a title?), used when nothing better is found

        def outside() -> _Names | None:
            nonlocal narrative, looked_outside, weak_name
            if not looked_outside:
                looked_outside = True
                narrative = self._narrative_name(text, open_at)
                if narrative is not None and narrative.weak:
                    # "Waltz’s Theory of International Politics (1979)": the author, not the title
                    poss = self._possessive_title(text, open_at)
                    if poss is not None:
                        narrative = poss
                    elif not (self.ctx.known_surname(narrative.text)
                              or self.ctx.known_surname(narrative.authors[-1].split()[-1])
                              or narrative.event or self._date_like(narrative.authors)
                              or self._resolves_here(narrative.authors, text, open_at)):
                        # "In Social Theory of International Politics (1999), Wendt ...": look further
                        weak_name, narrative = narrative, None
            return narrative

        segments, s = [], 0
        for sm in re.finditer(";", inner):
            segments.append((s, sm.start()))
            s = sm.end()
        segments.append((s, len(inner)))
        for s0, s1 in segments:
            seg = inner[s0:s1]
            base = body_start + s0
            if THIS_ISSUE.search(seg):
                continue  # "(Jones 2020, this issue)": a cross-reference, another analysis's business
            pos = 0
            seg_items = 0
            for c0, c1, years, glued in self._cores(seg):
                pre = seg[pos:c0]
                names, prefix_text = self._paren_names(pre, base + pos, lower=True)
                if glued and names is not None:
                    names = dataclasses.replace(names, weak=True)
                if names is not None and len(names.authors) > 1:
                    trimmed = self._trim_list(names, text, years[0][2])
                    if trimmed is not names:
                        prefix_text = prefix_text + text[names.start:trimmed.start]
                        names = trimmed
                original = None
                secondary_from = None
                cue = SECONDARY_CUE.search(prefix_text)
                if cue:
                    before_cue = prefix_text[: cue.start()].strip(" ,")
                    if seg_items and items:
                        prev = items.pop()  # "(Carr 1939, cited in Wight 1991)": the work quoted is not resolved
                        seg_items -= 1
                        original = f"{prev.author_text} {prev.year}{prev.suffix}".strip()
                        secondary_from = min(prev.start, prev.author_span[0]) if prev.author_span else prev.start
                    elif before_cue and re.match(rf"[{UP}]", before_cue):
                        original = before_cue  # "(Carr cited in Wight 1991)"
                        secondary_from = base + pos + prefix_text.find(before_cue)
                    elif not items and outside() is not None:
                        original = narrative.text  # "Carr (cited in Wight 1991)"
                        secondary_from = narrative.start
                        narrative_used = True
                    else:
                        secondary_from = base + pos + cue.start()  # "(quoted in Smith 2001, p. 5)"
                    prefix_text = re.sub(r"^as\s+", "", prefix_text[cue.start():], flags=re.IGNORECASE)  # "cited in"
                if names is None:
                    if cue or not BARE_PREFIX.match(prefix_text.strip()):
                        carried = None
                        pos = c1
                        continue  # "(in March 2011)", "(founded 1967)": not a citation
                    if carried is None and not items:
                        if outside() is not None and followed_by_this_issue:
                            return []  # "Jones (2020) in this issue"
                        if narrative is None and weak_name is None:
                            # "Wight’s “Why Is There No International Theory?” (1966)": the title hides the
                            # name; the citation spans both
                            narrative = self._possessive_title(text, open_at)
                        carried = narrative or self._name_apart(text, open_at, before) or weak_name
                    if carried is None:
                        pos = c1
                        continue
                    names = carried
                else:
                    carried = names
                # the locator follows the last year of the list
                loc_end = c1
                locator = sep = None
                lm = LOCATOR.match(seg, c1)
                if lm:
                    locator, sep, loc_end = lm.group("loc").strip(), lm.group("sep"), lm.end()
                if not ITEM_END.match(seg, loc_end):
                    pos = loc_end  # "(2000 troops)", "(UN 2015 estimates)": a number in a phrase
                    continue
                postnote = None
                tail = seg[loc_end:]
                if not YEAR.search(tail):
                    t = tail.strip(" ,;:")
                    if t and not SECONDARY_CUE.search(t):
                        postnote = t  # "emphasis added"
                # "(Jervis 1978 and Glaser 1997)": the "and" joins two items, it is no prefix of the second
                prefix = re.sub(r"^(?:and\b|&)\s*", "", prefix_text.strip(" ,;:")).strip(" ,") or None
                inside = body_start <= names.start < close_at
                for yi, (y0, y1, year, suffix) in enumerate(years):
                    last = yi == len(years) - 1
                    start, end = base + y0, base + (loc_end if last else y1)
                    author_span = None
                    if yi == 0 and inside:
                        start = names.start
                    elif yi == 0 and names is narrative and not narrative_used:
                        start, narrative_used = names.start, True
                    elif not inside:
                        author_span = (names.start, names.end)
                    f = Found(start=start, end=end, form="parenthetical" if inside else "narrative",
                              authors=list(names.authors), author_text=names.text, year=year, suffix=suffix,
                              et_al=names.et_al, locator=locator if last else None,
                              locator_sep=(sep or "") if last else "", prefix=prefix if yi == 0 else None,
                              postnote=postnote if last else None, group=group, author_span=author_span,
                              weak=names.weak or _dashed(year), continued=names.continued)
                    if yi == 0 and secondary_from is not None:
                        f.form, f.original = "secondary", original
                        f.start = min(f.start, secondary_from)
                        if f.author_span and f.start <= f.author_span[0]:
                            f.author_span = None
                    items.append(f)
                    seg_items += 1
                pos = loc_end
        # "Wendt (1999)": a narrative citation alone in its parenthesis spans the parenthesis too
        # ("Waltz (1979, 1986)": the first spans "Waltz (1979", the second "1986")
        if narrative is not None and len(items) == 1 and items[0].start == narrative.start:
            items[0].end = close_at
        return items

    def _paren_names(self, pre: str, at: int, lower: bool = False) -> tuple[_Names | None, str]:
        """The authors at the end of the text before a year inside parentheses, and what stands before them.
        lower: also a surname typed in lower case, '(keohane 1984)', when the bibliography knows it."""
        if not pre.strip():
            return None, pre
        m = PAREN_END.search(pre)
        if not m:
            return self._lower_names(pre, at) if lower else (None, pre)
        raw, lead = _strip_leading(m.group("names"), 0, self.ctx.known_surname)
        if not raw.strip():
            return None, pre
        authors, et_al = split_names(raw)
        if not authors:
            return None, pre
        start = at + m.start("names") + lead
        names = _Names(raw.strip(), start, start + len(raw.rstrip()), authors, et_al, weak=self._weak_paren(authors))
        return names, pre[: m.start("names") + lead]

    def _lower_names(self, pre: str, at: int) -> tuple[_Names | None, str]:
        """'(keohane 1984)', '(see keohane and nye 1977)': a slip of the shift key. Only surnames the bibliography
        knows that are not English words ('(since 1984)', '(long 1984)' stay numbers in a phrase); weak."""
        m = LOWER_END.search(pre)
        if not m or not BARE_PREFIX.match(pre[: m.start()].strip()):
            return None, pre
        authors, et_al = split_names(m.group("names"))
        if not authors or not all(self.ctx.known_surname(a) and not self.ctx.common_word(a) for a in authors):
            return None, pre
        raw = m.group("names")
        start = at + m.start("names")
        return _Names(raw, start, start + len(raw), authors, et_al, weak=True), pre[: m.start("names")]

    def _cores(self, seg: str):
        """The year lists in a segment: (start, end, [(y0, y1, year, suffix)]) with offsets in seg."""
        pos = 0
        glued_possible = re.search(r"[a-z]\d", seg) is not None
        while True:
            m = YEAR.search(seg, pos)
            glued = False
            if glued_possible:
                g = YEAR_GLUED.search(seg, pos, m.start() if m else len(seg))
                if g:
                    m, glued = g, True
            if not m:
                return
            end, years = self._year_list(seg, m)
            pos = end
            if years:
                yield m.start(), end, years, glued

    def _year_list(self, text: str, m: re.Match) -> tuple[int, list[tuple[int, int, str, str]]]:
        """'1979, 1986', '1979a, b', '1979 and 1986' from the first year's match; [] for a year too late to be
        a publication date (a number, a plan: 'ASEAN 2025')."""
        years = [(m.start(), m.end(), *_year_of(m))]
        end = m.end()
        had_suffix = bool(years[0][3])
        while True:
            sm = YEAR_SEP.match(text, end)
            if not sm:
                break
            ym = YEAR.match(text, sm.end())
            if ym:
                years.append((ym.start(), ym.end(), *_year_of(ym)))
                end = ym.end()
                continue
            if had_suffix:
                lm = LONE_SUFFIX.match(text, sm.end())
                if lm:  # "1979a, b"
                    years.append((lm.start(), lm.end(), years[-1][2], lm.group("s")))
                    end = lm.end()
                    continue
            break
        if any(int(y[2]) > self.ctx.max_year if y[2].isdigit() else
               (not _slash_year_fits(y[2]) or any(p.isdigit() and int(p) > self.ctx.max_year for p in year_parts(y[2])))
               for y in years):
            return end, []
        return end, years

    # -- names outside the parenthesis ------------------------------------------------------------------------
    def _narrative_name(self, text: str, open_at: int) -> _Names | None:
        """The name list that ends just before '(' : 'Robert Keohane (', "Keohane and Nye’s (", 'The International
        Commission on Intervention and State Sovereignty (' (a corporate name the bibliography knows)."""
        lo = max(self._sentence_start(text, open_at), open_at - 160)
        window = text[lo:open_at]
        year = self._first_year(text, open_at)
        corporate = self._corporate_before(text, lo, open_at)
        m = NARRATIVE_END.search(window)
        if not m:
            return corporate
        raw = m.group("names")
        stripped, lead = _strip_leading(raw, 0, self.ctx.known_surname)
        if not stripped.strip():
            return corporate
        start = lo + m.start("names") + lead
        authors, et_al = split_names(stripped)
        if not authors:
            return corporate
        end = start + len(stripped.rstrip())
        names = _Names(stripped.strip(), start, end, authors, et_al, weak=self._weak_narrative(authors, start, end))
        if self._event_date(authors, year) or EVENT_OF.search(text, max(0, start - 40), start):
            names.weak = names.event = True  # kept only if the bibliography has an author of that name
        if corporate is not None and corporate.start < names.start:
            return corporate
        return self._trim_list(names, text, year, narrative=True)

    def _trim_list(self, names: _Names, text: str, year: str | None, narrative: bool = False) -> _Names:
        """A list of names may start too early: 'against China, and Johnston (2003)', 'for Southeast Asia,
        Acharya 2001'. When the whole list matches no work of that year, the shortest tail that does is taken,
        and a leading place name is dropped."""
        authors = names.authors
        if len(authors) < 2 or not year or self.ctx.known_surname(authors[0].split()[-1]):
            return names  # the first name is an author the bibliography knows: the list is not too long
        if self.ctx.resolves(authors, year):
            return names
        weak = self._weak_narrative if narrative else (lambda a, s, e: self._weak_paren(a))
        for i in range(1, len(authors)):
            tail = authors[i:]
            at = text.find(tail[0], names.start, names.end)
            if at >= 0 and self.ctx.resolves(tail, year):
                return _Names(text[at:names.end], at, names.end, tail, names.et_al, weak=weak(tail, at, names.end))
        if any(is_place(a) for a in authors[:-1]) and not is_place(authors[-1]):
            at = text.rfind(authors[-1], names.start, names.end)
            return _Names(authors[-1], at, at + len(authors[-1]), authors[-1:], names.et_al,
                          weak=weak(authors[-1:], at, at + len(authors[-1])))
        return names

    def _corporate_before(self, text: str, lo: int, hi: int) -> _Names | None:
        """The longest corporate name the bibliography knows ending at hi: 'Commission on Global Governance'."""
        m = PAREN_END.search(text, lo, hi)
        if not m or "," in m.group("names"):
            return None
        raw = m.group("names")
        base = m.start("names")
        for wm in re.finditer(rf"(?<![\w{APOS}{HYPH}])[{UP}]", raw):
            cand = raw[wm.start():].strip()
            if len(cand.split()) < 2 or cand.split()[0].lower() in LEADING_WORDS:
                continue
            if self.ctx.known_surname(cand):
                start = base + wm.start()
                return _Names(cand, start, start + len(cand), [cand], False)
        return None

    def _name_apart(self, text: str, open_at: int, earlier: list[Found]) -> _Names | None:
        """A bare '(1999, 246)': the author named earlier in the sentence ('as Wendt puts it, ...'), a
        possessive before a title ('Waltz’s Theory of International Politics (1979)'), the author of the
        previous citation in this paragraph (a continuation), or a known author later in the sentence."""
        s0 = max(self._sentence_start(text, open_at), open_at - MAX_SENTENCE)
        window = text[s0:open_at]
        if THIS_ISSUE.search(window[-60:]):
            return None
        if re.search(r"\d\s*$", window):
            return None  # "Resolution 1325 (2000)"
        poss = self._possessive_title(text, open_at)
        if poss is not None:
            return poss
        # a capitalised word the bibliography knows as a surname: the nearest one whose work of that year exists,
        # else the nearest ("As Martel notes, ... the ASEAN Community ... (2017, 556)" means Martel)
        year = self._first_year(text, open_at)
        known: list[_Names] = []
        for wm in reversed(list(_WORD.finditer(window))):
            word = re.sub(rf"{POSSESSIVE}$", "", wm.group(0).rstrip("."))
            if not word or not word[0].isupper() or self.ctx.emphasised(s0 + wm.start()):
                continue
            if not self.ctx.known_surname(word):
                continue
            wend = s0 + wm.start() + len(word)
            lo = max(s0, wend - 120)
            nm = NARRATIVE_END.search(text[lo:wend])
            if nm:
                raw, lead = _strip_leading(nm.group("names"), 0)
                start = lo + nm.start("names") + lead
            else:
                raw, start = word, s0 + wm.start()
            authors, et_al = split_names(raw) if raw.strip() else ([], False)
            if not authors:
                continue
            names = _Names(raw.strip(), start, start + len(raw.rstrip()), authors, et_al)
            if year and self.ctx.resolves(authors, year):
                return names
            known.append(names)
        if known:
            return known[0]
        # a continuation of the previous citation in this paragraph, one or two sentences back
        prev = [f for f in earlier if f.end <= open_at]
        if prev:
            p = max(prev, key=lambda f: f.end)
            if open_at - p.end < 400 and p.form != "secondary":
                span = p.author_span or (p.start, p.start + len(p.author_text))
                return _Names(p.author_text, span[0], span[1], list(p.authors), p.et_al, continued=True)
        # a known author later in the same sentence: "In Social Theory (1999), Wendt argues"
        e = min(self._sentence_end(text, open_at), open_at + MAX_SENTENCE)
        ahead = PAREN.sub(lambda m: " " * len(m.group(0)), text[open_at:e])  # not inside other parentheses
        for wm in _WORD.finditer(ahead):
            word = re.sub(rf"{POSSESSIVE}$", "", wm.group(0).rstrip("."))
            at = open_at + wm.start()
            if word and word[0].isupper() and self.ctx.known_surname(word) and not self.ctx.emphasised(at):
                return _Names(word, at, at + len(word), [word], False)
        return None

    def _possessive_title(self, text: str, open_at: int) -> _Names | None:
        """'Waltz’s Theory of International Politics (' -> Waltz."""
        s0 = max(self._sentence_start(text, open_at), open_at - MAX_SENTENCE)
        pm = POSS_TITLE.search(text, s0, open_at)
        if not pm or pm.end() != open_at:
            return None
        raw, lead = _strip_leading(pm.group("names"), 0)
        if not raw.strip():
            return None
        start = pm.start("names") + lead
        authors, et_al = split_names(raw)
        if not authors or any(_norm_word(a.split()[-1]) in NOT_NAMES or is_place(a) for a in authors):
            return None
        return _Names(raw.strip(), start, start + len(raw.rstrip()), authors, et_al)

    @staticmethod
    def _first_year(text: str, open_at: int) -> str | None:
        m = YEAR.search(text, open_at + 1, min(len(text), open_at + 40))
        return _year_of(m)[0] if m else None

    def _running_secondary(self, text: str, found: list[Found]) -> None:
        """Mark 'Carr, quoted in Wight (1991, 23)' as secondary: the narrative name after a cue."""
        for f in found:
            if f.form != "narrative" or f.author_span is not None:
                continue
            before = text[max(0, f.start - 60): f.start]
            cm = re.search(SECONDARY_CUE.pattern + r"\s*$", before, re.IGNORECASE)
            if cm:
                f.form = "secondary"
                lead = before[: cm.start()].rstrip(" ,")
                om = re.search(rf"({SURWORD})\s*$", lead)
                if om:
                    f.original = om.group(1)

    # -- sentences --------------------------------------------------------------------------------------------
    def _boundaries(self, text: str) -> list[int]:
        if self._sentences is None:
            starts = [0]
            for m in SENTENCE_END.finditer(text):
                wm = re.search(r"([\w.]+)[.!?][”\"’')\]]*$", text[max(0, m.start() - 20): m.start() + 1])
                word = (wm.group(1) if wm else "").lower()
                if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
                starts.append(m.end())
            self._sentences = starts
        return self._sentences

    def _sentence_start(self, text: str, pos: int) -> int:
        import bisect

        b = self._boundaries(text)
        return b[bisect.bisect_right(b, pos) - 1]

    def _sentence_end(self, text: str, pos: int) -> int:
        import bisect

        b = self._boundaries(text)
        i = bisect.bisect_right(b, pos)
        return b[i] if i < len(b) else len(text)

    # -- plausibility -----------------------------------------------------------------------------------------
    def _event_date(self, authors: list[str], year: str | None) -> bool:
        """'the Peace of Westphalia (1648)', 'Utrecht (1713)': one capitalised word the bibliography does not know,
        dated long before any modern scholarship, is an event or a place, not an author."""
        parts = year_parts(year)
        if len(authors) != 1 or " " in authors[0].strip() or not parts or not parts[0].isdigit():
            return False
        return int(parts[0]) < 1800 and not self.ctx.known_surname(_norm_word(authors[0]))

    def _resolves_here(self, authors: list[str], text: str, open_at: int) -> bool:
        """'United Nations and World Bank (2018)': a doubtful name list that names an entry of that year."""
        year = self._first_year(text, open_at)
        return bool(year) and self.ctx.resolves(authors, year)

    @staticmethod
    def _date_like(authors: list[str]) -> bool:
        """'the Middle East (1990)', 'Typhoon Haiyan (2013)': a place or an event dated, not a title."""
        return any(is_place(a) or any(_norm_word(w) in NOT_NAMES for w in a.split()) for a in authors)

    def _weak_paren(self, authors: list[str]) -> bool:
        """'(March 2011)', '(Spring 2019)', '(Resolution 2098)' look like citations but name no author."""
        return any(_norm_word(w) in NOT_NAMES for a in authors for w in a.split())

    def _weak_narrative(self, authors: list[str], start: int, end: int) -> bool:
        """A capitalised phrase before '(1997)' may be a title or an event rather than an author."""
        words = [w for a in authors for w in a.split() if w not in PARTICLES]
        if any(_norm_word(w) in NOT_NAMES for w in words):
            return True
        if any(is_place(a) for a in authors):
            return True  # "Russia (1969)", "Timor-Leste (1999)": a date in running text
        if any(re.fullmatch(r"(?:of|on|for|the|in|to|at)", w) for a in authors for w in a.split()):
            return True  # a corporate name or a title: only when the bibliography knows it
        if len(words) > 5:
            return True
        content = [w for w in words if not re.fullmatch(INITIAL, w)]
        if len(content) > 1 and all(self.ctx.common_word(_norm_word(w)) for w in content):
            return True  # "After Hegemony", "World Bank" (kept if the bibliography knows it)
        if self.ctx.emphasised(start) or self.ctx.emphasised(max(start, end - 1)):
            return True  # italics: a title
        return False


def _norm_word(word: str) -> str:
    return re.sub(rf"{POSSESSIVE}$", "", word).strip(".,").lower()


def _year_of(m: re.Match) -> tuple[str, str]:
    if m.group("y1"):
        return f"[{m.group('o')}] {m.group('y1')}", m.group("s1") or ""
    if m.group("y"):
        year = m.group("y")
        if m.group("y2"):
            year += "/" + m.group("y2")
        elif m.group("y3"):
            year += m.group("dash") + m.group("y3")
        elif m.group("o2"):
            year += f" [{m.group('o2')}]"
        return year, m.group("s") or ""
    if m.group("nd"):
        return "n.d.", m.group("s2") or ""
    return re.sub(r"\s+", " ", m.group("fc").lower()), ""


def year_parts(year: str | None) -> list[str]:
    """The years a year as written stands for, the edition read first: '1984' -> ['1984']; '[1939] 2001' and
    '2001 [1939]' -> ['2001', '1939']; '1960/1980' -> ['1980', '1960'] (APA: original/reprint); '1993/94' ->
    ['1993', '1994'] (a winter issue, dated by its first year). Anything else ('n.d.') -> [year]."""
    if not year:
        return []
    if year.isdigit() or len(year) < 7:
        return [year]
    m = re.fullmatch(r"\[(\d{4})\] (\d{4})|(\d{4}) \[(\d{4})\]", year)
    if m:
        return [m.group(2), m.group(1)] if m.group(1) else [m.group(3), m.group(4)]
    m = re.fullmatch(r"(\d{4})[/\-‐‑–](\d\d|\d{4})", year)
    if m:
        first, second = m.group(1), m.group(2)
        if len(second) == 2:
            return [first, first[:2] + second if second != "00" else str(int(first) + 1)]
        return [second, first]
    return [year]


def _dashed(year: str) -> bool:
    """'1994–95': a winter issue, or a span of years in running text ('the talks (1993–94)'): kept only for an
    author the bibliography knows."""
    return len(year) == 7 and year[4] != "/"


def _slash_year_fits(year: str) -> bool:
    """'1993/94', '1993–94', '1999/00', '1960/1980' are two years of one work; '2011/13', '1939–45' or '1980/1960'
    are not."""
    m = re.fullmatch(r"(\d{4})([/\-‐‑–])(\d\d|\d{4})", year)
    if not m:
        return True
    if m.group(2) != "/" and len(m.group(3)) != 2:
        return False
    m = re.fullmatch(r"(\d{4}).(\d\d|\d{4})", year)
    first, second = int(m.group(1)), m.group(2)
    if len(second) == 2:
        return int(second) == (first + 1) % 100
    return int(second) > first


def page_numbers(locator: str) -> list[int] | None:
    """The page numbers of a page locator ('246', 'p. 23', 'pp. 3-5, 9', '81–82', '246n4'); None for
    chapters, notes, paragraphs, roman numerals."""
    text = PAGE_UNIT.sub("", locator.strip())
    if re.match(r"[A-Za-z]", text):
        return None
    nums: list[int] = []
    for part in re.split(r"\s*(?:,|and|&)\s*", text):
        part = PAGE_UNIT.sub("", part)
        m = re.fullmatch(rf"(\d+)(?:n\.?\s*\d+)?(?:\s*[{HYPH}–—]+\s*(\d+)(?:n\.?\s*\d+)?)?(?:\s*ff?\.?)?", part)
        if not m:
            return None
        a = int(m.group(1))
        nums.append(a)
        if m.group(2):
            b = m.group(2)
            if len(b) < len(m.group(1)):  # "246-48" means 246-248
                b = m.group(1)[: len(m.group(1)) - len(b)] + b
            nums.append(int(b))
    return nums or None
