"""lemminflect's English lexicon, looked up word by word instead of loaded whole.

lemminflect (the library that tells a dictionary word from a surname and inflects the vocabulary's terms) reads
its two lookup tables, 80,000 and 110,000 lines, into dictionaries on first use, and imports numpy for its
out-of-vocabulary model: 0.4 s of every cold run, for the few hundred words a run asks about. Both tables are
sorted by word, so here a word's lines are found by binary search in the decompressed file (both decompress in
about 15 ms) and read in lemminflect's own format, with its overrides and capitalisation applied as its
getAllLemmas and getAllInflections do. The tests compare the answers with lemminflect's own over its whole
lemma table. Whatever this module does not cover (the out-of-vocabulary rules' model, the modal and auxiliary
verbs lemminflect hard-codes, a lemminflect whose files are not where 0.2.3 keeps them) is asked of lemminflect.
"""
from __future__ import annotations

import gzip
import importlib.util
import os
import re
import threading
from functools import lru_cache
from typing import Callable

# lemminflect's reader of the inflection table replaces these lemmas' forms with hard-coded ones
# (InflectionLUCodec.updateForAuxMod): they are asked of lemminflect
_HARD_CODED = frozenset({"can", "may", "will", "shall", "must", "ought", "dare", "be"})
# the table's columns after the category, as Penn tags (InflectionLUCodec.penn_dict); the base form's tags
_INFLECTED = {"noun": ("NNS",), "adj": ("JJR", "JJS"), "adv": ("RBR", "RBS"), "verb": ("VBD", "VBN", "VBG", "VBZ")}
_BASE = {"noun": ("NN",), "adj": ("JJ",), "adv": ("RB",), "verb": ("VB", "VBP"), "aux": ("VB",), "modal": ("VB",)}
_VERB_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD")
_UPOS_TAGS = {"VERB": _VERB_TAGS, "AUX": _VERB_TAGS, "ADJ": ("JJ", "JJR", "JJS"), "ADV": ("RB", "RBR", "RBS"),
              "NOUN": ("NN", "NNS", "NNP", "NNPS")}
_UPOS = ("NOUN", "VERB", "ADJ", "ADV", "AUX")


class _Table:
    """One sorted lookup table (word,category,...), decompressed once, searched by word."""

    def __init__(self, path: str):
        self.path = path
        self._data: bytes | None = None
        self._lock = threading.Lock()

    def data(self) -> bytes:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    with open(self.path, "rb") as f:
                        self._data = gzip.decompress(f.read())
        return self._data

    def lines(self, word: str) -> list[str]:
        """The table's lines for `word`, in file order."""
        data = self.data()
        key = word.encode("utf-8")
        lo, hi = 0, len(data)
        while lo < hi:  # the first line whose word is not below `key`
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", 0, mid) + 1
            comma = data.find(b",", start)
            if data[start:comma] < key:
                end = data.find(b"\n", mid)
                lo = len(data) if end < 0 else end + 1
            else:
                hi = start
        out = []
        at = lo
        prefix = key + b","
        while data.startswith(prefix, at):
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end
            out.append(data[at:end].decode("utf-8").strip())
            at = end + 1
        return out


def _overrides(path: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """lemminflect's overrides file (word,tag,form per line), as its OverridesCodec reads it."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] == "#":
                continue
            word, pos, form = line.split(",")
            out.setdefault(word, {})[pos] = (form,)
    return out


@lru_cache(maxsize=1)
def _resources() -> dict[str, object] | None:
    """lemminflect's data files, found without importing lemminflect (which imports numpy)."""
    spec = importlib.util.find_spec("lemminflect")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        res = os.path.join(folder, "resources")
        files = {n: os.path.join(res, n) for n in ("lemma_lu.csv.gz", "infl_lu.csv.gz", "lemma_overrides.csv",
                                                   "infl_overrides.csv")}
        if all(os.path.isfile(p) for p in files.values()):
            return {"lemmas": _Table(files["lemma_lu.csv.gz"]), "inflections": _Table(files["infl_lu.csv.gz"]),
                    "lemma_overrides": _overrides(files["lemma_overrides.csv"]),
                    "infl_overrides": _overrides(files["infl_overrides.csv"])}
    return None


def _caps(word: str) -> Callable[[str], str]:
    """lemminflect's capitalisation rule: answers take the capitalisation of the word asked."""
    if word.isupper():
        return str.upper
    if word and word[0].isupper():
        return str.capitalize
    return str.lower


def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """The lemmas of `word` by part of speech, as lemminflect.getAllLemmas(word) gives them:
    "alliances" -> {"NOUN": ("alliance",)}, "Keohane" -> {}."""
    res = _resources()
    if res is None:
        from lemminflect import getAllLemmas

        return getAllLemmas(word)
    return dict(_lemmas(word))


@lru_cache(maxsize=65536)
def _lemmas(word: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    res = _resources()
    low = word.lower()
    found: dict[str, tuple[str, ...]] = {}
    for line in res["lemmas"].lines(low):  # type: ignore[union-attr]
        _, category, forms = line.split(",")
        upos = category.upper()
        found[upos if upos != "MODAL" else "AUX"] = tuple(forms.split("/"))
    found.update(res["lemma_overrides"].get(low, {}))  # type: ignore[union-attr]
    caps = _caps(word)
    return tuple((u, tuple(caps(f) for f in forms)) for u, forms in found.items())


def inflections(lemma: str, upos: str | None = None) -> dict[str, tuple[str, ...]]:
    """The inflected forms of `lemma` by Penn tag, as lemminflect.getAllInflections(lemma, upos) gives them:
    ("alliance", "NOUN") -> {"NN": ("alliance",), "NNS": ("alliances",)}."""
    res = _resources()
    if res is None or lemma.lower() in _HARD_CODED or (upos is not None and upos not in _UPOS):
        from lemminflect import getAllInflections

        return getAllInflections(lemma, upos=upos)
    return dict(_inflections(lemma, upos))


@lru_cache(maxsize=16384)
def _inflections(lemma: str, upos: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    res = _resources()
    low = lemma.lower()
    forms: dict[str, tuple[str, ...]] = {}
    for line in res["inflections"].lines(low):  # type: ignore[union-attr]
        parts = line.split(",")
        word, category, columns = parts[0], parts[1], parts[2:]
        for tag, column in zip(_INFLECTED.get(category, ()), columns):
            spellings = tuple(column.split("/"))
            if len(spellings) > 1 or spellings[0]:
                forms[tag] = spellings
        for tag in _BASE.get(category, ()):
            forms[tag] = (word,)
    forms.update(res["infl_overrides"].get(low, {}))  # type: ignore[union-attr]
    if upos is not None:
        forms = {t: f for t, f in forms.items() if t in _UPOS_TAGS[upos]}
    caps = _caps(lemma)
    return tuple((t, tuple(caps(f) for f in spellings)) for t, spellings in forms.items())


# lemminflect's rules for a noun it does not know: its model only chooses between the regular plural and the Latin
# and Greek ones, which exist for these endings alone (InflectionRules.buildGrecNoun falls back to the regular rule
# for any other); and for "-tion" and "-sion" the model chooses the regular plural (13,819 such words made by
# prefixing lexicon words, tests/test_lexicon.py). Every other question goes to lemminflect.
_LATIN_GREEK = re.compile(r"(?:us|ma|a|um|on|sis|is|men|ex|x)$")
_REGULAR_ANYWAY = re.compile(r"[ts]ion$")


def inflections_oov(lemma: str, upos: str) -> dict[str, tuple[str, ...]]:
    """Forms of a word the lexicon does not know, by lemminflect's out-of-vocabulary rules:
    ("regionalisation", "NOUN") -> {"NN": ("regionalisation",), "NNS": ("regionalisations",)}."""
    low = lemma.lower()
    if upos == "NOUN" and (not _LATIN_GREEK.search(low) or _REGULAR_ANYWAY.search(low)):
        caps = _caps(lemma)
        return {"NN": (caps(lemma),), "NNS": (caps(_regular_plural(low)),)}
    from lemminflect import getAllInflectionsOOV

    return getAllInflectionsOOV(lemma, upos)


def _regular_plural(noun: str) -> str:
    """lemminflect's regular noun rule (InflectionRules.buildRegNoun)."""
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(?:[szx]|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"
