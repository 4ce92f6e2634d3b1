"""The faster helpers of concepts/match.py give what the plain versions they replaced gave."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from issue.concepts import match as M

# characters that matter to the helpers: letters of several scripts and cases, digits, '_', '-', apostrophes,
# spaces of every kind, a soft hyphen, letters whose folding is more than one character
ALPHABET = st.sampled_from(list("aAbZzé É1_-.'’‘ʼ‐‑\u00a0\u2009\u202f\u2007\u200a\t\n(),ßﬁſK\u00adΣσς"))
TEXTS = st.text(alphabet=ALPHABET, max_size=60)


def old_left_word(text: str, start: int) -> str:
    m = re.search(r"([A-Za-z][\w\-]*)\s+$", text[max(0, start - 40):start])
    return m.group(1) if m else ""


def old_fold_text(text: str):
    table = {ord(ch): M._fold_char(ch) for ch in set(text) if ord(ch) > 127 or ch == "\t"}
    folded = text.translate(table).lower()
    if all(len(v) == 1 for v in table.values()) and len(folded) == len(text):
        return folded, None
    pieces = [table.get(ord(ch), ch).lower() if ord(ch) > 127 or ch == "\t" else ch.lower() for ch in text]
    back: list[int] = []
    for i, p in enumerate(pieces):
        back.extend([i] * len(p))
    back.append(len(text))
    return "".join(pieces), back


@settings(max_examples=2000, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=70))
def test_left_word_as_the_regex(text, start):
    assert M._left_word(text, start) == old_left_word(text, start)


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_fold_text_as_translate(text):
    assert M.fold_text(text) == old_fold_text(text)
    assert M._plain_case(text) == text.translate(M._PLAIN)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from([ord(c) for c in "abcéÉ\t"]), st.text(alphabet="abcéÉ\t", max_size=2)),
       TEXTS)
def test_translate_whatever_the_table(table, text):
    assert M._translate(text, table) == text.translate(table)
