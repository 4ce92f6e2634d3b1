"""The faster tokenizer and pre-test of crossrefs/extract.py give what the plain versions they replaced gave."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from issue.crossrefs import extract as X

# pieces of prose where references, initials, possessives and the letters re.I folds (İ ı ſ K) all turn up
PIECES = ["this", "This", "THIS", "present", "the", "special", "issue", "ıssue", "iſſue", "Issue", "volume", "book",
          "booK", "section", "symposium", "collection", "paper", "papers", "Papers", "article", "essay", "pieces",
          "by", "BY", "Jones", "Jones’", "Jones'", "Jones's", "Newby’s", "A.", "A", "D.", "B", ".", ",", "(", ")",
          "’", "'", "s", "et", "al.", "and", "in", "In", "Hirono", "Cook", "é", "Éric", "2015", "2015a", "van", "der",
          "-", "—", ";", ":"]
SEPARATORS = st.sampled_from(["", " ", " ", "  ", "\n", "\u00a0"])
TEXTS = st.lists(st.tuples(st.sampled_from(PIECES), SEPARATORS), max_size=25).map(
    lambda parts: "".join(p + s for p, s in parts))


def old_tokenize(text: str) -> list[tuple]:
    tokens: list[list] = []  # [kind, text, start, end, possessive]
    for m in X._TOKEN.finditer(text):
        kind = m.lastgroup
        word = m.group()
        start, end = m.start(), m.end()
        if kind == "punct" and word == "." and tokens and tokens[-1][3] == start:
            prev = tokens[-1]
            if prev[0] == "word" and len(prev[1]) == 1 and prev[1].isupper():
                prev[0], prev[1], prev[3] = "initial", prev[1] + ".", end
                continue
        if kind == "punct" and word in X._APOSTROPHES and tokens and tokens[-1][3] == start:
            prev = tokens[-1]
            if prev[0] == "word" and prev[1].endswith("s") and prev[1][0].isupper() and not prev[4]:
                nxt = X._TOKEN.match(text, end + 1) if end < len(text) and text[end] == " " else None
                if nxt and X.fold(nxt.group()) in X.NOUNS:
                    prev[4], prev[3] = True, end
                    continue
        tok = [kind, word, start, end, False]
        if kind == "word":
            pm = X._POSSESSIVE.match(word)
            if pm:
                tok[1], tok[4] = pm.group(1), True
        tokens.append(tok)
    return [(k, t, s, e, p, X._fold(t)) for k, t, s, e, p in tokens]


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_tokenize_as_before(text):
    assert [(t.kind, t.text, t.start, t.end, t.possessive, t.folded) for t in X.tokenize(text)] == old_tokenize(text)


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_worth_a_look_as_the_regex(text):
    assert X.worth_a_look(text) == bool(X._WORTH_A_LOOK.search(text))
