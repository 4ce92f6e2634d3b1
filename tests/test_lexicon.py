"""The lexicon looked up word by word must answer exactly as lemminflect does, without loading it."""
from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

from issue import lexicon

lemminflect = pytest.importorskip("lemminflect")


def _words(path: str) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return sorted({line.split(",", 1)[0] for line in f if line.strip()})


@pytest.fixture(scope="module")
def table_words() -> list[str]:
    return sorted(set(_words(lemminflect.config.lemma_lu_fn)) | set(_words(lemminflect.config.inflection_lu_fn)))


def test_lemmas_agree_with_lemminflect_over_its_whole_table(table_words):
    assert len(table_words) > 60_000
    asked = table_words + ["Keohane", "ASEAN", "Alliances", "peacekeeping", "xyzzy", "", "zzzz", "'d"]
    differ = [w for w in asked if lexicon.lemmas(w) != lemminflect.getAllLemmas(w)]
    assert not differ, differ[:10]


@pytest.mark.parametrize("upos", [None, "NOUN", "VERB", "ADJ"])
def test_inflections_agree_with_lemminflect(table_words, upos):
    # every 5th word of the tables, and words that take their capitalisation from the question
    asked = table_words[::5] + [w.capitalize() for w in table_words[::97]] + [w.upper() for w in table_words[::89]]
    asked += ["be", "can", "will", "alliance", "cooperate", "partnership", "crisis", "datum"]
    differ = [w for w in asked if lexicon.inflections(w, upos) != lemminflect.getAllInflections(w, upos)]
    assert not differ, differ[:10]


def test_answers_do_not_load_lemminflect():
    """A cold run asks a few hundred words: lemminflect (its whole tables, and numpy) is not imported for them."""
    code = ("import sys; from issue import lexicon; "
            "assert lexicon.lemmas('alliances') == {'NOUN': ('alliance',)}; "
            "assert 'cooperated' in lexicon.inflections('cooperate', 'VERB')['VBD']; "
            "assert lexicon.inflections_oov('regionalisation', 'NOUN')['NNS'] == ('regionalisations',); "
            "print('lemminflect' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_words_outside_the_lexicon_get_lemminflects_rules():
    assert lexicon.lemmas("multilateralisation") == {}
    assert lexicon.inflections_oov("multilateralisation", "NOUN")["NNS"] == ("multilateralisations",)
    assert lexicon.inflections_oov("neostimulus", "NOUN") == lemminflect.getAllInflectionsOOV("neostimulus", "NOUN")


def test_plurals_of_unknown_nouns_agree_with_lemminflects_model(table_words):
    """Nouns the lexicon lacks ("regionalisation", "HADR") get lemminflect's plural; its model is loaded only for
    the Latin and Greek endings where it can choose another plural than the regular one."""
    known = set(table_words)
    made = [pre + w for w in table_words if w.islower() and w.endswith(("tion", "sion", "ism", "ist", "ity", "ance"))
            for pre in ("re", "neo", "multi", "pseudo") if pre + w not in known]
    made += ["HADR", "Asean", "spillover", "peacebuilding", "hub", "coalition", "stimulus", "schema", "crisis"]
    assert len(made) > 10_000
    differ = [w for w in made if lexicon.inflections_oov(w, "NOUN") != lemminflect.getAllInflectionsOOV(w, "NOUN")]
    assert not differ, differ[:10]
