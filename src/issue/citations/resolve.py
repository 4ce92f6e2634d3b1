"""Resolution: which bibliography entry each citation means, and how well the text matches it.

The bibliography is indexed once per run by every normalised form of every author's surname ('keohane',
'deconing' and 'coning', 'buenodemesquita' and 'mesquita'), by corporate names, their acronyms, shortauthor and
shorthand, and by the alias table of issue.toml. A prose citation is matched author by author (exact, then
fuzzily with rapidfuzz), then by year and a/b suffix. A name of two or three capitalised words is read both
ways, given name first ('Robert Keohane') and surname first ('Qin Yaqing', 'Moon Chung-in'), and the given
names in the entries decide, also between namesakes ('Zhang Feng' and 'Zhang Xiaoming'). The outcome is a
`Resolution`: the key (or None), the candidates, and what is wrong with the match (spelling, order, author
list, year) for the rules to report.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ..names import fold
from .model import Citation
from .places import PLACE_WORDS
from .prose import NOT_NAMES, page_numbers, year_parts

STOP_IN_CORPORATE = {"of", "the", "for", "on", "and", "in", "to", "at", "&", "de", "du", "des", "la", "le"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
FUZZY_CUTOFF = 80  # rapidfuzz ratio for a misspelt surname ("Keohan" for "Keohane" is 92)
FORTHCOMING = {"forthcoming", "in press", "in preparation", "under review"}


def close(a: str, b: str) -> bool:
    """Two normalised surnames one typo apart: 'keohan'/'keohane' (ratio), 'nie'/'nye' (one edit, short)."""
    if fuzz.ratio(a, b) >= FUZZY_CUTOFF:
        return True
    return min(len(a), len(b)) >= 3 and a[0] == b[0] and Levenshtein.distance(a, b) <= 1


# letters that Unicode does not decompose into a base letter and an accent
_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe", "ß": "ss", "ł": "l",
                          "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def norm(text: str) -> str:
    """Case, accents, spaces, hyphens and apostrophes removed: 'Rosas-López' -> 'rosaslopez', 'Wæver' ->
    'waever' (so that a name typed without its accents matches)."""
    if text.isascii():
        return _NON_ALNUM.sub("", text.lower())
    return _NON_ALNUM.sub("", fold(text.translate(_LETTERS)))


def acronym(name: str) -> str:
    """'United Nations High Commissioner for Refugees' -> 'unhcr' (initials of the capitalised words)."""
    words = [w for w in re.split(r"[\s\-/]+", name) if w and w.lower() not in STOP_IN_CORPORATE]
    if len(words) < 2:
        return ""
    return norm("".join(w[0] for w in words if w[0].isupper()))


def corporate_tails(name: str) -> set[str]:
    """The short forms of a corporate name that drop its leading words, as writers do once the context is
    clear: 'United Nations Office for the Coordination of Humanitarian Affairs' -> 'Office for the Coordination
    of Humanitarian Affairs', 'Nations Office for ...'. A tail starts with a capitalised word and keeps at least
    two of them ('Crisis Group' of 'International Crisis Group'; not 'Bank' of 'World Bank')."""
    words = name.split()
    out: set[str] = set()
    for i in range(1, len(words)):
        tail = words[i:]
        if not tail[0][:1].isupper():
            continue
        if sum(1 for w in tail if w[:1].isupper() and w.lower() not in STOP_IN_CORPORATE) < 2:
            break
        out.add(norm(" ".join(tail)))
    out.discard("")
    return out


def cited_forms(written: str) -> list[str]:
    """The forms a written name may match, longest first: 'Robert O. Keohane' -> ['robertokeohane', 'keohane'];
    'Bruce Bueno de Mesquita' -> [..., 'buenodemesquita', 'demesquita', 'mesquita']."""
    words = [w for w in re.split(r"\s+", written.strip()) if w]
    forms: list[str] = []
    for i in range(len(words)):
        if i and re.fullmatch(r"\w\.(?:-?\w\.)*", words[i]):
            continue  # a suffix starting with an initial is not a surname
        f = norm(" ".join(words[i:]))
        if f and f not in forms:
            forms.append(f)
    return forms


@lru_cache(maxsize=65536)
def given_forms(first: str) -> frozenset[str]:
    """The normalised forms a given name may be cited by: 'Chung-in' -> {'chungin'} (so 'Chung In' and 'Chungin'
    match); 'Glenn H.' -> {'glennh', 'glenn'}; 'Chung Min' -> {'chungmin', 'chung'}; initials only, 'W. H.' ->
    {'w.'}."""
    words = first.split()
    if words and all(_INITIAL_WORD.fullmatch(w) for w in words):
        return frozenset({norm(words[0])[:1] + "."})  # 'W. H.' -> {'w.'}: a given name in W may be meant
    out = {norm(first), norm(" ".join(w for w in words if not _INITIAL_WORD.fullmatch(w)))}
    if words:
        out.add(norm(words[0]))
    out.discard("")
    return frozenset(out)


_INITIAL_WORD = re.compile(r"\w\.(?:-?\w\.)*")


@dataclass(frozen=True)
class Reading:
    """One way to read the names of a citation: per author the surname to match and the given name that must
    fit (None: the author was written as one word, or as today), and the authors as the text is reported."""

    surnames: tuple[str, ...]
    given: tuple[str | None, ...]
    written: tuple[str, ...]
    surname_first: bool  # some author read surname first ('Qin Yaqing')


def two_readings(author: str) -> tuple[tuple[str, str, bool], tuple[str, str, bool]] | None:
    """'Qin Yaqing' -> (('Yaqing', 'Qin', False), ('Qin', 'Yaqing', True)): (surname, given name, surname first),
    the Western order first. Two capitalised words, or three (a given name of two: 'Moon Chung In', 'Chung Min
    Lee'); not initials ('Robert O. Keohane'), particles ('Bueno de Mesquita') or numbers."""
    words = author.split()
    if not 2 <= len(words) <= 3:
        return None
    for w in words:
        if not w[:1].isupper() or "." in w or any(ch.isdigit() for ch in w):
            return None
    return (words[-1], " ".join(words[:-1]), False), (words[0], " ".join(words[1:]), True)


@dataclass(eq=False)
class Work:
    """One bibliography entry, prepared for matching."""

    key: str
    order: int
    names: list[set[str]]  # per author (or editor): its accepted normalised forms
    display: list[str]  # per author: 'Keohane', 'de Coning', 'United Nations ...'
    corporate: list[bool]
    year: str  # '1984', 'forthcoming', '' (none)
    letter: str  # 'a' when the .bib itself writes 'year = {1979a}'
    title: str
    pages: tuple[int, int] | None
    entry: Any
    aliases: set[str] = field(default_factory=set)  # normalised names standing for the whole author list
    short: str | None = None  # shortauthor, for suggestions
    work: str = ""  # the key of the first entry of its duplicate group (one work under two keys)
    origyear: str = ""  # biblatex origdate/origyear: the first edition of a reprint ('[1939] 2001')
    tails: set[str] = field(default_factory=set)  # a corporate name without its leading words ('Office for ...')
    given: list[frozenset[str]] = field(default_factory=list)  # per author: its given name's forms (given_forms)

    def label(self, et_al_min: int = 4, year: str | None = None, corporate_as: str | None = None) -> str:
        """How the text should cite it: 'Keohane and Nye 1977', 'Smith et al. 2001', 'HIPPO 2015'."""
        names = [corporate_as] if corporate_as else self.display
        if not corporate_as and self.short and self.corporate and all(self.corporate):
            names = [self.short]
        if not names:
            who = self.title[:40]
        elif len(names) >= et_al_min:
            who = f"{names[0]} et al."
        elif len(names) <= 2:
            who = " and ".join(names)
        else:
            who = ", ".join(names[:-1]) + " and " + names[-1]
        return f"{who} {year if year is not None else (self.year or 'n.d.')}".strip()


@dataclass
class Resolution:
    key: str | None = None
    candidates: list[str] = field(default_factory=list)
    author_match: bool = False  # some entry has these authors (exactly or nearly): the citation is real
    relation: str = ""  # exact | etal | order | list | partial | spelling | alias
    year_ok: bool = False
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (rule name, message, suggestion)
    crossref: str | None = None
    ambiguous: list[str] = field(default_factory=list)
    authors: list[str] | None = None  # the authors as the reading chosen writes them ('Qin Yaqing' -> ['Qin'])


class Resolver:
    """Matches citations against one bibliography (built once per run)."""

    def __init__(self, bibliography: Any, options: dict[str, Any] | None = None, issue: Any = None):
        self.bib = bibliography
        self.options = options or {}
        self.et_al_min = int(self.options.get("et_al_min", 4) or 4)
        self.issue_year = str(getattr(issue, "year", "") or "")
        self.works: list[Work] = []
        self.by_key: dict[str, Work] = {}
        self.by_form: dict[str, list[Work]] = defaultdict(list)  # any author's surname form -> works
        self.by_alias: dict[str, list[Work]] = defaultdict(list)  # whole author list (corporate, alias) -> works
        self.by_tail: dict[str, list[Work]] = defaultdict(list)  # a corporate name without its first words
        self.surnames: dict[str, str] = {}  # person surname form -> display, for fuzzy matching
        self._name_forms: dict[tuple, tuple[set[str], str]] = {}
        self._fuzzy_cache: dict[str, list[str]] = {}
        entries = list(getattr(bibliography, "entries", {}).values()) if bibliography is not None else []
        for i, entry in enumerate(entries):
            self._add(i, entry)
        self._group_duplicates(entries)
        self._cache: dict[tuple, Resolution] = {}
        self._aliases(self.options.get("aliases") or {})
        self._surname_list = sorted(self.surnames)
        self._contributors = self._contributor_index(issue)

    # -- building the index -----------------------------------------------------------------------------------
    @staticmethod
    def _forms_of(last: str, von: str, corporate: bool) -> tuple[set[str], str]:
        """The normalised forms of one name, and how to write it: 'Bueno de Mesquita' -> {'buenodemesquita',
        'demesquita', 'mesquita'}; 'United Nations High Commissioner for Refugees' -> {..., 'unhcr'}."""
        f: set[str] = set()
        if corporate:
            f.add(norm(last))
            f.add(acronym(last))
            shown = last
        else:
            words = last.split()
            for j in range(len(words)):
                f.add(norm(" ".join(words[j:])))
            if von:
                f.add(norm(f"{von} {last}"))
            shown = f"{von} {last}" if von else last
        f.discard("")
        return f, shown

    def _add(self, order: int, entry: Any) -> None:
        names = list(getattr(entry, "authors", None) or []) or list(getattr(entry, "editors", None) or [])
        forms: list[set[str]] = []
        display: list[str] = []
        corporate: list[bool] = []
        given: list[frozenset[str]] = []
        for n in names:
            last = (getattr(n, "last", "") or "").strip()
            if not last:
                continue
            von = (getattr(n, "von", "") or "").strip()
            corp = bool(getattr(n, "corporate", False))
            memo = (last, von, corp)
            known = self._name_forms.get(memo)
            if known is None:
                known = self._name_forms[memo] = self._forms_of(last, von, corp)
            f, shown = known
            forms.append(f)
            display.append(shown)
            corporate.append(corp)
            given.append(given_forms(getattr(n, "first", "") or "") if not corp else frozenset())
            if not corp:
                self.surnames.setdefault(norm(last), shown)
        year_field = str((getattr(entry, "fields", {}) or {}).get("year", "") or "").strip()
        lm = re.fullmatch(r"\d{4}([a-z])", year_field)
        year = str(getattr(entry, "year", "") or "").strip().lower()
        if not year:
            pubstate = str((getattr(entry, "fields", {}) or {}).get("pubstate", "")).strip().lower()
            year = {"forthcoming": "forthcoming", "inpress": "in press", "in press": "in press"}.get(pubstate, "")
        fields = getattr(entry, "fields", {}) or {}
        om = re.search(r"\d{4}", str(fields.get("origdate") or fields.get("origyear") or ""))
        work = Work(key=entry.key, order=order, names=forms, display=display, corporate=corporate,
                    year=year, letter=lm.group(1) if lm else "", title=str(getattr(entry, "title", "") or ""),
                    pages=_page_range(getattr(entry, "pages", None)), entry=entry, work=entry.key,
                    origyear=om.group(0) if om else "", given=given)
        short = getattr(entry, "shortauthor", None)
        if short:
            work.short = str(short)
            work.aliases.add(norm(str(short)))
        shorthand = getattr(entry, "shorthand", None)
        if shorthand:
            work.aliases.add(norm(re.sub(r"\s*\d{4}[a-z]?\s*$", "", str(shorthand))))
        if len(forms) == 1 and corporate and corporate[0]:
            work.aliases |= forms[0]
            work.tails = corporate_tails(display[0]) - work.aliases
        if not forms:  # no author: Chicago cites the (short) title, "(ANZUS Treaty 1951)"
            fields = getattr(entry, "fields", {}) or {}
            for name in ("shorttitle", "title"):
                if fields.get(name):
                    work.aliases.add(norm(str(fields[name])))
                    work.display = work.display or [str(fields[name])]
        work.aliases.discard("")
        self.works.append(work)
        self.by_key[work.key] = work
        for f in set().union(*forms) if forms else set():
            self.by_form[f].append(work)
        for a in work.aliases:
            self.by_alias[a].append(work)
        for t in work.tails:
            self.by_tail[t].append(work)

    def _group_duplicates(self, entries: list[Any]) -> None:
        """Entries that are one work under two keys (the same DOI; the same first author, year and main title)
        share `Work.work`, the key of the first. (The bibliography's own duplicate-entry rule also finds near-
        identical titles; here an exact index keeps a 10,000-entry bibliography fast.)"""
        seen: dict[tuple, str] = {}
        for w in self.works:
            doi = str(getattr(w.entry, "doi", "") or "").lower()
            title = norm(re.split(r"[:.?!]", w.title, maxsplit=1)[0])
            first = min(w.names[0]) if w.names else ""
            keys = ([("doi", doi)] if doi else []) + ([("work", first, w.year, title)] if title and first else [])
            owner = next((seen[k] for k in keys if k in seen), None)
            if owner is not None:
                w.work = owner
            for k in keys:
                seen.setdefault(k, w.work)

    def _aliases(self, table: dict[str, Any]) -> None:
        """[citations] aliases = { "HIPPO" = "hippo2015uniting" } (a key) or = "United Nations ..." (a name)."""
        for alias, target in table.items():
            if not isinstance(target, str):
                continue
            a = norm(alias)
            if target in self.by_key:
                self.by_alias[a].append(self.by_key[target])
                self.by_key[target].aliases.add(a)
                continue
            t = norm(target)
            for w in self.by_alias.get(t, []) + [w for w in self.by_form.get(t, []) if t in w.names[0]]:
                if w not in self.by_alias[a]:
                    self.by_alias[a].append(w)
                    w.aliases.add(a)

    def _contributor_index(self, issue: Any) -> list[tuple[str, list[set[str]]]]:
        from ..names import surname_of

        out = []
        for c in getattr(issue, "contributions", None) or []:
            people = [cited_forms(surname_of(a.name)) for a in c.authors if getattr(a, "name", "").strip()]
            out.append((c.id, [set(p) for p in people if p]))
        return out

    def label(self, key: str) -> str:
        """How the text should cite an entry, with its a/b letter when its authors have two works that year."""
        w = self.by_key[key]
        if not hasattr(self, "_letters"):
            groups: dict[tuple, list[Work]] = defaultdict(list)
            for x in self.works:
                groups[(tuple(norm(d) for d in x.display), x.year)].append(x)
            self._letters: dict[str, str] = {}
            for members in groups.values():
                distinct = sorted(_distinct(members), key=_suffix_order)
                if len(distinct) > 1:
                    for i, x in enumerate(distinct):
                        for y in members:
                            if y.work == x.work:
                                self._letters[y.key] = chr(ord("a") + i)
        return w.label(self.et_al_min) + self._letters.get(key, "")

    # -- questions the prose grammar asks ------------------------------------------------------------------
    def known_surname(self, word: str) -> bool:
        f = norm(word)
        return bool(f) and (f in self.by_form or f in self.by_alias or f in self.by_tail)

    # -- markup: [@key] and \cite{key} ------------------------------------------------------------------------
    def resolve_key(self, key: str) -> Resolution:
        if key in self.by_key:
            return Resolution(key=key, author_match=True, relation="exact", year_ok=True)
        aliases = getattr(self.bib, "aliases", {}) or {}
        if key in aliases and aliases[key] in self.by_key:
            return Resolution(key=aliases[key], author_match=True, relation="exact", year_ok=True)
        res = Resolution()
        same_case = [k for k in self.by_key if k.casefold() == key.casefold()]
        if same_case:
            res.candidates = same_case
            res.problems.append(("undefined-citation", f"no entry has the key '{key}' (keys are case-sensitive)",
                                 f"write @{same_case[0]}"))
            return res
        near = process.extract(key, list(self.by_key), scorer=fuzz.ratio, limit=3, score_cutoff=70)
        res.candidates = [k for k, _score, _i in near]
        hint = (" or ".join(f"@{k} ({self.by_key[k].label(self.et_al_min)})" for k in res.candidates))
        res.problems.append(("undefined-citation", f"no bibliography entry has the key '{key}'",
                             f"did you mean {hint}?" if hint else "add the entry to the bibliography"))
        return res

    # -- prose: author-date ---------------------------------------------------------------------------------
    def resolve(self, c: Citation) -> Resolution:
        """The resolution of a prose citation (the same authors, year and form give the same answer: cached)."""
        memo = (tuple(c.authors), c.author_text, c.et_al, c.year, c.suffix, c.form == "secondary")
        res = self._cache.get(memo)
        if res is None:
            res = self._cache[memo] = self._resolve_readings(c)
        out = Resolution(key=res.key, candidates=list(res.candidates), author_match=res.author_match,
                         relation=res.relation, year_ok=res.year_ok, problems=list(res.problems),
                         crossref=res.crossref, ambiguous=list(res.ambiguous),
                         authors=list(res.authors) if res.authors else None)
        if out.authors:
            c.authors = list(out.authors)  # 'Qin Yaqing (2018)': the surname the bibliography confirmed, ['Qin']
        if out.key and not out.year_ok and c.locator and self._page_contradicts(c, out.key):
            self._unguess(c, out)  # "(Fearon 1997, 70)" guessed as Fearon 1998, whose pages are 269-305
        return out

    def _unguess(self, c: Citation, res: Resolution) -> None:
        """Take back a wrong year's guess: no entry, the author's works as candidates."""
        guessed = res.key
        cited = self._cited(c)
        works = [w for w, r, _s in self._score(c, cited, self._candidates(cited)) if _RANK[r] <= 2]
        keys = [w.key for w in sorted(_distinct(works), key=lambda w: (_year_distance(c.year, w.year), w.order))]
        res.key, res.relation = None, ""
        res.candidates = ([guessed] + [k for k in keys if k != guessed])[:5]
        res.problems = [self._no_single_year(c, res.candidates, f"page {c.locator} is outside the pages of "
                                                                f"{guessed}, the nearest in year")]

    def _resolve_readings(self, c: Citation) -> Resolution:
        """Two or three capitalised words before a year are read both ways, and the bibliography decides:
        'Qin Yaqing' is Qin (surname first, as Chinese, Japanese and Korean names are written), 'Robert Keohane'
        is Keohane. In order of preference:
          1. a reading whose surnames and given names match the authors of an entry of that year ('Zhang Feng
             (2015)' beside Zhang Xiaoming 2015; 'Glenn Snyder (1984)' beside Jack Snyder);
          2. a reading whose surnames and given names match an entry of another year: its surnames with the
             year alone, when that names an entry (the year decides: 'Jack Snyder (1984)' is Glenn Snyder's
             1984 article), else, read surname first, that author's entry with a year-mismatch ('Qin Yaqing
             (2019)'; read given name first, as today: 'Glenn Snyder (1985)');
          3. no reading matches a given name: the names as read today (the last word the surname), or, when
             that names no author the bibliography knows, read surname first, matching an entry of that year by
             its whole author list, the surname exactly ('Zhang Wei (2015)': one of the Zhangs);
          4. the names as read today.
        A surname-first reading that matches by surname alone is not tried when its first word is a place, or one
        of its words names a date or a document ('North Korea (1990)' is no work of Douglass North, 'Jones Act
        (1920)' none of a Jones)."""
        options = [two_readings(a) for a in c.authors] if c.form != "markup" else []
        whole = norm(c.author_text or " ".join(c.authors))
        if not any(options) or whole in self.by_alias or whole in self.by_tail:
            return self._resolve(c)  # one-word names ('Keohane'), initials, a corporate name: as before
        readings = self._readings(c, options)
        full: list[tuple[Reading, Resolution]] = []
        for r in readings:
            res = self._resolve(dataclasses.replace(c, authors=list(r.surnames)), given=r.given)
            if (res.key and res.year_ok) or res.ambiguous:
                return self._as_read(res, r)  # 1.
            if res.author_match:
                full.append((r, res))
        for r, res in full:
            by_year = self._resolve(dataclasses.replace(c, authors=list(r.surnames)))
            if by_year.key and by_year.year_ok:
                return self._as_read(by_year, r)  # 2., the year decides
        for r, res in full:
            if r.surname_first:  # (read given name first, the names are read as today: 3.)
                return self._as_read(res, r)  # 2., a year-mismatch of that author
        base = self._resolve(c)
        if (base.key and base.year_ok) or base.ambiguous or base.author_match:
            return base  # 3., as read today (or 4.: an author the bibliography knows, of another year)
        for r in readings:
            if not r.surname_first or any(_not_a_surname(s, g) for s, g, shown, a
                                          in zip(r.surnames, r.given, r.written, c.authors) if g and shown != a):
                continue
            # the surname as written (no fuzzy match: 'Human Security' is no misspelt Huisman), the whole list
            res = self._resolve(dataclasses.replace(c, authors=list(r.surnames)), given=(None,) * len(c.authors))
            if (res.key and res.year_ok and res.relation in ("exact", "etal")) or res.ambiguous:
                return self._as_read(res, r)  # 3., surname first
        return base  # 4.

    @staticmethod
    def _readings(c: Citation, options: list) -> list[Reading]:
        """Every combination of the two readings of the authors that have two (up to three such authors)."""
        at = [i for i, o in enumerate(options) if o][:3]
        out = []
        for combo in itertools.product(*(options[i] for i in at)):
            surnames, given, written = list(c.authors), [None] * len(c.authors), list(c.authors)
            for i, (surname, first, surname_first) in zip(at, combo):
                surnames[i], given[i] = surname, first
                if surname_first:
                    written[i] = surname
            out.append(Reading(tuple(surnames), tuple(given), tuple(written),
                               any(sf for _s, _g, sf in combo)))
        return out

    @staticmethod
    def _as_read(res: Resolution, r: Reading) -> Resolution:
        if r.surname_first:
            res.authors = list(r.written)
        return res

    def _given_fit(self, cited: list[list[str]], given: tuple[str | None, ...], w: Work) -> int:
        """How the given names written fit the authors of w of those surnames: 2, each the same ('Chung In' for
        'Chung-in', 'Glenn' for 'Glenn H.'); 1, none contradicted (the entry has initials that fit, 'J. D.' for
        'James', or no given name); 0, a given name contradicted ('Jack' for 'Glenn H.')."""
        if len(cited) != len(given):
            return 0
        fit = 2
        for forms, g in zip(cited, given):
            if g is None:
                continue
            g = norm(g)
            best = 0
            for j, names in enumerate(w.names):
                if j < len(w.given) and not names.isdisjoint(forms):
                    known = w.given[j]
                    best = max(best, 2 if g in known else 1 if not known or g[:1] + "." in known else 0)
            fit = min(fit, best)
        return fit

    def _resolve(self, c: Citation, given: tuple[str | None, ...] | None = None) -> Resolution:
        cited = self._cited(c)
        res = Resolution()
        if not cited:
            return res
        pool = self._candidates(cited)
        if given is not None and any(given):
            # the works whose authors' given names do not contradict those written, when one of them has the
            # very names: a reading that matches only entries without given names proves nothing
            fits = [(self._given_fit(cited, given, w), w) for w in pool]
            pool = [w for f, w in fits if f] if any(f == 2 for f, _w in fits) else []
        # the entries of the right year first: most citations resolve there, and the others need not be scored
        dated_pool = [w for w in pool if self._year_ok(c, w)]
        scored = self._score(c, cited, dated_pool)
        if any(_RANK[m[1]] <= 2 for m in scored):
            res.author_match = True
            good = [m for m in scored if _RANK[m[1]] <= 2]
            best = min((_RANK[r], spelled) for _w, r, spelled in good)
            return self._pick(c, [m for m in good if (_RANK[m[1]], m[2]) == best], res)
        scored += self._score(c, cited, [w for w in pool if w not in dated_pool])
        good = [m for m in scored if _RANK[m[1]] <= 2]
        if not good and given is None:  # a misspelt first author: 'Keohan' for 'Keohane'
            fuzzy = self._score(c, cited, self._fuzzy(cited), fuzzy=True)
            good = [m for m in fuzzy if _RANK[m[1]] <= 2]
            scored += [m for m in fuzzy if m not in scored]
        res.author_match = bool(good)
        # 1. the authors match (exactly, in another order, with a co-author missing, misspelt) and the year too
        dated = [m for m in good if self._year_ok(c, m[0])]
        if dated:
            best = min((_RANK[r], spelled) for _w, r, spelled in dated)
            return self._pick(c, [m for m in dated if (_RANK[m[1]], m[2]) == best], res)
        # 2. a contribution of this issue ("Jones (2020)"): the cross-reference analysis reports on it
        cid = self._crossref(c)
        if cid:
            res.crossref = cid
            return res
        # 3. the authors match, the year does not
        if good:
            best = min((_RANK[r], spelled) for _w, r, spelled in good)
            top = [m for m in good if (_RANK[m[1]], m[2]) == best]
            works = _distinct([w for w, _r, _s in top])
            chosen = self._nearest_year(c, works)
            if chosen is not None and self._others_near(c, works, chosen):
                # "Fearon 1997" when Fearon has 1994, 1995 and 1998: the year does not tell which work is meant
                res.candidates = [w.key for w in sorted(works, key=lambda w: (_year_distance(c.year, w.year),
                                                                               w.order))][:5]
                res.problems.append(self._no_single_year(c, res.candidates))
                return res
            if chosen is not None:
                _w, rel, spelled = next(m for m in top if m[0] is chosen or m[0].work == chosen.work)
                res.key, res.relation = chosen.key, rel
                res.problems.append(("year-mismatch",
                                     f"{c.label()} names {chosen.label(self.et_al_min)} ({chosen.key}), "
                                     f"which is dated {chosen.year or 'n.d.'}",
                                     f"write '{self._written_as(c, chosen, year=chosen.year or 'n.d.')}'"))
                self._author_problems(c, chosen, rel, spelled, res)
                return res
            res.candidates = [w.key for w in sorted(works, key=lambda w: (_year_distance(c.year, w.year), w.order))][:5]
            code = "secondary-source-missing" if c.form == "secondary" else "undefined-citation"
            res.problems.append((code, f"no entry for {c.label()}: the bibliography has "
                                 + _list_labels(self, res.candidates) + " by these authors",
                                 "did you mean " + " or ".join(f"{self.by_key[k].label(self.et_al_min)} ({k})"
                                                               for k in res.candidates[:3]) + "?"))
            return res
        # 4. nothing matches
        near = _distinct([w for w, _r, _s in scored])
        res.candidates = [w.key for w in sorted(near, key=lambda w: (_year_distance(c.year, w.year), w.order))][:3]
        if res.candidates:
            hint = "did you mean " + " or ".join(f"{self.by_key[k].label(self.et_al_min)} ({k})"
                                                 for k in res.candidates) + "?"
        else:
            hint = "add an entry for it to the bibliography"
        if c.form == "secondary":
            res.problems.append(("secondary-source-missing",
                                 f"the source {c.label()} (the work actually read) is not in the bibliography", hint))
        else:
            res.problems.append(("undefined-citation", f"no bibliography entry for {c.label()}", hint))
        return res

    def _score(self, c: Citation, cited: list[list[str]], pool: list[Work], fuzzy: bool = False
               ) -> list[tuple[Work, str, bool]]:
        out = []
        for w in pool:
            rel, spelled = self._relation(cited, w, c.et_al, fuzzy)
            if rel:
                out.append((w, rel, spelled))
        return out

    def _cited(self, c: Citation) -> list[list[str]]:
        """The cited authors as lists of forms; a corporate name or an alias counts as one author."""
        whole = norm(c.author_text or " ".join(c.authors))
        if whole and whole in self.by_alias:
            return [[whole]]
        if len(c.authors) > 1 and whole in self.by_form:
            return [[whole]]
        if whole and whole in self.by_tail and whole not in self.by_form:
            return [[whole]]  # "Office for the Coordination of Humanitarian Affairs": the UN's, named in short
        return [cited_forms(a) for a in c.authors if cited_forms(a)]

    def _candidates(self, cited: list[list[str]]) -> list[Work]:
        """The entries that have the first cited author anywhere in their author list (or as an alias)."""
        seen: dict[str, Work] = {}
        for f in cited[0] if cited else []:
            for w in self.by_alias.get(f, ()):
                seen.setdefault(w.key, w)
            for w in self.by_tail.get(f, ()):
                seen.setdefault(w.key, w)
            for w in self.by_form.get(f, ()):
                seen.setdefault(w.key, w)
        return sorted(seen.values(), key=lambda w: w.order)

    def _relation(self, cited: list[list[str]], w: Work, et_al: bool, fuzzy: bool = False) -> tuple[str, bool]:
        """How the cited author list stands to the entry's (exact, etal, order, list, partial, or '') and
        whether a surname matched only approximately. Approximate matches are tried when the first author
        matched exactly ('Keohane and Nie') or when the entry came from the fuzzy search ('Keohan')."""
        if len(cited) == 1 and any(f in w.aliases or f in w.tails for f in cited[0]):
            return "exact", False
        positions: list[int | None] = []
        used: set[int] = set()
        for forms in cited:
            pos = None
            for j, names in enumerate(w.names):
                if j not in used and not names.isdisjoint(forms):
                    pos = j
                    break
            positions.append(pos)
            if pos is not None:
                used.add(pos)
        spelled = False
        for i, pos in enumerate(positions):
            if pos is not None or not (fuzzy or positions[0] == 0):
                continue
            best, at = 0.0, None
            for j, names in enumerate(w.names):
                if j in used:
                    continue
                score = max((fuzz.ratio(f, n) for f in cited[i][-1:] for n in names if close(f, n)), default=0)
                if score > best:
                    best, at = score, j
            if at is not None:
                positions[i] = at
                used.add(at)
                spelled = True
        if all(p is None for p in positions):
            return "", False
        n = len(w.names)
        if None not in positions:
            if positions == list(range(len(cited))):
                if len(cited) == n:
                    return ("list" if et_al else "exact"), spelled  # "et al." with every author named
                return ("etal" if et_al else "list"), spelled
            if sorted(positions) == list(range(len(cited))) and len(cited) == n:
                return "order", spelled
            if positions[0] == 0:
                return "list", spelled
            return "partial", spelled
        if positions[0] == 0:
            return "list", spelled  # an extra author
        return "partial", spelled

    def _year_ok(self, c: Citation, w: Work) -> bool:
        y = (c.year or "").lower()
        wy = (w.year or "").lower()
        if y == "n.d.":
            return wy in ("", "n.d.", "nd", "no date", "s.d.")
        if len(y) > 6 and y[0] in "[12":  # '[1939] 2001', '1960/1980', '1993/94': either year, or the origdate
            parts = year_parts(y)
            if len(parts) > 1:
                return wy in parts or (bool(w.origyear) and w.origyear in parts)
        if y in FORTHCOMING:
            pubstate = str((getattr(w.entry, "fields", {}) or {}).get("pubstate", "")).lower()
            return (wy in FORTHCOMING or wy == "" or pubstate in ("forthcoming", "inpress", "in press")
                    or (wy.isdigit() and self.issue_year.isdigit() and int(wy) >= int(self.issue_year)))
        return y == wy

    def _pick(self, c: Citation, matches: list[tuple[Work, str, bool]], res: Resolution) -> Resolution:
        """One entry among those with the right authors and year, by a/b suffix when there are several."""
        res.year_ok = True
        works = _distinct([w for w, _r, _s in matches])
        info = {w.work: (r, s) for w, r, s in matches}
        parts = year_parts(c.year)
        if len(works) > 1 and len(parts) > 1:  # 'Schelling 1960/1980' with both editions listed: the one read
            def fit(w: Work) -> tuple[int, int]:
                both = sum(1 for y in (w.year, w.origyear) if y and y in parts)
                return (-both, parts.index(w.year) if w.year in parts else len(parts))
            best = min(fit(w) for w in works)
            works = [w for w in works if fit(w) == best]
        if len(works) == 1:
            chosen = works[0]
        else:
            ordered = sorted(works, key=_suffix_order)
            if c.suffix and ord(c.suffix) - ord("a") < len(ordered):
                chosen = ordered[ord(c.suffix) - ord("a")]
            else:
                res.ambiguous = [w.key for w in ordered]
                res.candidates = list(res.ambiguous)
                letters = "; ".join(f"'{self._written_as(c, w, year=w.year + chr(ord('a') + i))}' for {w.key} "
                                    f"({_short_title(w.title)})" for i, w in enumerate(ordered))
                what = (f"{c.label()}: {len(ordered)} entries have these authors and this year"
                        if not c.suffix else f"{c.label()}: there is no entry '{c.suffix}' among the "
                                             f"{len(ordered)} entries of these authors and year")
                res.problems.append(("ambiguous-citation", what,
                                     f"write {letters} (the style gives the entries their letters in title order)"))
                res.relation = info[ordered[0].work][0]
                return res
        res.key = chosen.key
        res.relation, spelled = info[chosen.work]
        self._author_problems(c, chosen, res.relation, spelled, res)
        return res

    def _author_problems(self, c: Citation, w: Work, relation: str, spelled: bool, res: Resolution) -> None:
        n = len(w.names)
        if spelled:
            res.problems.append(("author-spelling", f"'{c.author_text}' does not match the authors of {w.key} "
                                 f"exactly ({', '.join(w.display)})", f"did you mean {w.label(self.et_al_min)} "
                                 f"({w.key})? write '{self._written_as(c, w)}'"))
        if relation == "order":
            res.problems.append(("author-order", f"'{c.author_text}' names the authors of {w.key} in another order",
                                 f"write '{self._written_as(c, w)}'"))
        elif c.et_al and n < self.et_al_min:
            why = (f"'et al.' stands for {n - len(c.authors)} co-author{'s' if n - len(c.authors) != 1 else ''} "
                   f"of {w.key}, but the issue's style uses it from {self.et_al_min} authors"
                   if n > len(c.authors) else f"{w.key} has no other authors than {', '.join(w.display)}")
            written = c.author_text if "et al" in c.author_text else f"{c.author_text} et al."
            res.problems.append(("author-list", f"'{written}': {why}", f"write '{self._written_as(c, w)}'"))
        elif relation in ("list", "partial"):
            if len(c.authors) < n:
                missing = [d for d, names in zip(w.display, w.names)
                           if not any(f in names for a in c.authors for f in cited_forms(a))]
                why = f"{w.key} also has {' and '.join(missing) or 'other authors'} as author{'s' if len(missing) > 1 else ''}"
            else:
                extra = [a for a in c.authors if not any(f in names for names in w.names for f in cited_forms(a))]
                why = f"{', '.join(extra) or 'an author'} is not among the authors of {w.key} ({', '.join(w.display)})"
            res.problems.append(("author-list", f"'{c.author_text}': {why}", f"write '{self._written_as(c, w)}'"))
        elif relation == "exact" and not c.et_al and n >= self.et_al_min and len(c.authors) == n:
            res.problems.append(("author-list", f"'{c.author_text}': the issue's style abbreviates {n} authors with "
                                 f"'et al.' (from {self.et_al_min})", f"write '{self._written_as(c, w)}'"))

    def _written_as(self, c: Citation, w: Work, year: str | None = None) -> str:
        """The citation as it should stand: 'Keohane and Nye 1977', 'HIPPO 2015'."""
        y = year if year is not None else f"{c.year or ''}{c.suffix}"
        corporate_as = None
        if len(w.display) == 1 and w.corporate and w.corporate[0]:
            written = norm(c.author_text)
            corporate_as = c.author_text if written in w.aliases else w.display[0]
        return w.label(self.et_al_min, year=y, corporate_as=corporate_as)

    def _fuzzy(self, cited: list[list[str]]) -> list[Work]:
        """Entries whose first author's surname is close to the cited one ('Keohan' -> 'Keohane')."""
        first = cited[0][-1] if cited and cited[0] else ""
        if len(first) < 3:
            return []
        if first not in self._fuzzy_cache:
            near = process.extract(first, self._surname_list, scorer=fuzz.ratio, limit=8, score_cutoff=50)
            self._fuzzy_cache[first] = [s for s, _score, _i in near if s != first and close(first, s)]
        out: list[Work] = []
        for s in self._fuzzy_cache[first]:
            for w in self.by_form.get(s, []):
                if w.names and s in w.names[0] and w not in out:
                    out.append(w)
        return sorted(out, key=lambda w: w.order)

    def _crossref(self, c: Citation) -> str | None:
        if not self.issue_year or (c.year or "") not in (self.issue_year, "forthcoming", "in press"):
            return None
        cited = [set(cited_forms(a)) for a in c.authors]
        if not cited:
            return None
        for cid, people in self._contributors:
            if not people:
                continue
            if all(any(forms & p for p in people) for forms in cited):
                return cid
        return None

    def _nearest_year(self, c: Citation, works: list[Work]) -> Work | None:
        """The entry a wrong year most likely means: the one whose year is a typo of the year written (1948 for
        1984, 1990 for 1999) or nearest to it, within three years; None when two are equally near."""
        scored = [(d, w) for w in works for d in [_year_typo_distance(c.year, w.year)] if d is not None]
        if not scored:
            return None
        best = min(d for d, _w in scored)
        nearest = [w for d, w in scored if d == best]
        return nearest[0] if len(nearest) == 1 else None

    @staticmethod
    def _others_near(c: Citation, works: list[Work], chosen: Work) -> bool:
        """Another work of these authors within two years of the year written, besides the nearest one."""
        return any(w.work != chosen.work and _year_distance(c.year, w.year) <= 2 for w in works)

    def _no_single_year(self, c: Citation, keys: list[str], why: str = "") -> tuple[str, str, str]:
        """The year-mismatch finding of a citation whose year names none of its authors' works, and fits more
        than one: no entry is chosen, the candidates are listed."""
        return ("year-mismatch",
                f"no entry for {c.label()}: the bibliography has {_list_labels(self, keys)} by these authors, and "
                f"{why or 'the year does not tell which of them is meant'}",
                "write the year of the work meant: " + " or ".join(
                    f"'{self._written_as(c, self.by_key[k], year=self.by_key[k].year or 'n.d.')}' ({k})"
                    for k in keys[:3]))

    def _page_contradicts(self, c: Citation, key: str) -> bool:
        """A page locator outside the page range of the entry a wrong year was guessed to mean."""
        w = self.by_key.get(key)
        pages = page_numbers(c.locator) if c.locator else None
        return bool(w and w.pages and pages) and any(not (w.pages[0] <= p <= w.pages[1]) for p in pages)


def _not_a_surname(surname: str, given: str) -> bool:
    """'North Korea', 'South China', 'Jones Act': a place, a date or a document, not a surname read first."""
    return (surname.lower() in PLACE_WORDS
            or any(w.lower().strip(".,") in NOT_NAMES for w in (surname, *given.split())))


def _year_typo_distance(a: str | None, b: str | None) -> tuple[int, int] | None:
    """How likely year a is a slip for year b: (0, years apart) for a one-digit slip or two swapped digits,
    (1, years apart) within three years, None otherwise."""
    if a and len(year_parts(a)) > 1:  # '1960/1980': the nearer of the two
        found = [d for p in year_parts(a) for d in [_year_typo_distance(p, b)] if d is not None]
        return min(found) if found else None
    if not (a and b and a.isdigit() and b.isdigit()):
        return None
    d = abs(int(a) - int(b))
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1 or (len(diff) == 2 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]):
            return (0, d)
    return (1, d) if d <= 3 else None


_RANK = {"exact": 0, "etal": 0, "order": 1, "list": 2, "partial": 3}


def _distinct(works: Iterable[Work]) -> list[Work]:
    """One Work per work: duplicates of one work (two keys) count once, the first entry standing for it."""
    out: dict[str, Work] = {}
    for w in sorted(works, key=lambda w: w.order):
        out.setdefault(w.work, w)
    return list(out.values())


def _suffix_order(w: Work) -> tuple:
    title = re.sub(r"^(?:the|a|an)\s+", "", fold(w.title).strip())
    return (w.letter or "~", title, w.key)


def _year_distance(a: str | None, b: str | None) -> int:
    if a and b and a.isdigit() and b.isdigit():
        return abs(int(a) - int(b))
    if a and len(year_parts(a)) > 1:  # '1960/1980': the nearer of the two
        return min(_year_distance(p, b) for p in year_parts(a))
    return 99


def _page_range(pages: Any) -> tuple[int, int] | None:
    if not pages:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-‐‑–—]+\s*(\d+))?\s*", str(pages))
    if not m:
        return None
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else a
    return (a, b) if b >= a else None


def _short_title(title: str) -> str:
    t = re.split(r"[:.?]", title, maxsplit=1)[0].strip()
    return t if len(t) <= 50 else t[:47] + "…"


def _list_labels(r: Resolver, keys: list[str]) -> str:
    return ", ".join(f"{r.by_key[k].label(r.et_al_min)} ({k})" for k in keys[:4])
