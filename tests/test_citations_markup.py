"""Markup citations: pandoc [@key] forms and the LaTeX \\cite family, from the document model pandoc builds."""
from __future__ import annotations

import pytest

from issue.citations.markup import extract, split_suffix
from issue.manuscripts import read_manuscript


def citations(tmp_path, name: str, text: str):
    (tmp_path / name).write_text(text, encoding="utf-8")
    doc = read_manuscript(tmp_path, name)
    counter = iter(range(1, 1000))
    out = []
    for block in doc.blocks:
        if block.is_body:
            out.extend(extract(doc, block, "paper", lambda: next(counter)))
    return out


@pytest.mark.parametrize("suffix, locator, postnote", [
    (", p.\u00a033", "p. 33", None), ("33", "33", None), (", pp. 3-5, 9", "pp. 3-5, 9", None),
    (", ch. 4", "ch. 4", None), (", 246, emphasis added", "246", "emphasis added"),
    (", for a critique", None, "for a critique"), ("", None, None), ("p.~52", "p. 52", None),
])
def test_split_suffix(suffix, locator, postnote):
    assert split_suffix(suffix) == (locator, postnote)


def test_pandoc_forms(tmp_path):
    text = ("Partnership needs more than words [see @hippo2015uniting, p. 10; @yamashita2012peacekeeping, pp. 9-12], "
            "as @paris2004wars [p. 7] argues and as his book [-@paris2004wars, p. 248] shows; "
            "compare [@fung2019china, ch. 4].\n")
    cites = citations(tmp_path, "paper.md", text)
    got = [(c.text, c.written_key, c.mode, c.prefix, c.locator, c.group) for c in cites]
    assert got == [
        ("see @hippo2015uniting, p. 10", "hippo2015uniting", "NormalCitation", "see", "p. 10", 1),
        ("@yamashita2012peacekeeping, pp. 9-12", "yamashita2012peacekeeping", "NormalCitation", None, "pp. 9-12", 1),
        ("@paris2004wars [p. 7]", "paris2004wars", "AuthorInText", None, "p. 7", 2),
        ("[-@paris2004wars, p. 248]", "paris2004wars", "SuppressAuthor", None, "p. 248", 3),
        ("[@fung2019china, ch. 4]", "fung2019china", "NormalCitation", None, "ch. 4", 4),
    ]
    assert all(c.form == "markup" and c.location.line == 1 for c in cites)
    assert cites[0].location.column == 36


def test_latex_several_keys_in_one_command(tmp_path):
    text = ("\\documentclass{article}\\begin{document}\n"
            "Decision units matter \\citep[see][ch.~3]{hermann2001how,hermann1989who} and \\citet*{keohane1977power}."
            "\n\\end{document}\n")
    cites = citations(tmp_path, "paper.tex", text)
    got = [(c.text, c.written_key, c.prefix, c.locator, c.group) for c in cites]
    assert got == [("hermann2001how", "hermann2001how", "see", None, 1),
                   ("hermann1989who", "hermann1989who", None, "ch. 3", 1),
                   ("\\citet*{keohane1977power}", "keohane1977power", None, None, 2)]


def test_footnote_citations_record_their_note(tmp_path):
    text = "Institutions matter.[^1]\n\n[^1]: On this see [@keohane1984after, 51].\n"
    [c] = citations(tmp_path, "paper.md", text)
    assert (c.written_key, c.locator, c.note_number, c.prefix) == ("keohane1984after", "51", 1, None)
