"""`issue check` and `issue refs cited` on citations, in every manuscript format, inside and outside an issue."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from issue import pandoc

BIB = (Path(__file__).parent / "data" / "citations_unit" / "refs.bib").read_text(encoding="utf-8")

MANIFEST = """\
[issue]
title = "Cooperation amid Animosity"
year = 2020
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "jones"
file = "papers/jones.md"
title = "UN-ASEAN partnering for peace?"
authors = [{ name = "Catherine Jones" }]

[[contributions]]
id = "hirono"
file = "papers/hirono.tex"
title = "China's decision-making"
authors = [{ name = "Miwa Hirono" }]

[[contributions]]
id = "cook"
file = "papers/cook.docx"
title = "Humanitarian civil-military partnerships"
authors = [{ name = "Alistair D. B. Cook" }, { name = "Sangeetha Yogendran" }]

[citations]
unused_entry = "off"
"""

JONES = """\
---
title: UN-ASEAN partnering for peace?
---

# Introduction

Institutions lengthen the shadow of the future (Keohane 1984, 12; see also Waltz 1979: 88), and
[see @wendt1999social, p. 246; @grieco1988anarchy] disagree; @martel2017 [553] does not.

As Jones (2020) notes in her introduction, partnership is rare.

# References

Keohane, Robert O. 1984. *After Hegemony*. Princeton: Princeton University Press.
"""

HIRONO = r"""\documentclass{article}
\begin{document}
\section{Introduction}
Decision units matter \citep[see][p.~52]{hermann2001how} and \citet{keohane1984after} defined cooperation;
\textcite[246]{wendt1999social} and \parencite{waltz1979theory} agree.\footnote{See \cite{grieco1988anarchy}.}
\end{document}
"""

COOK = """\
# Introduction

Disaster response is crowded (Keohane, 1984, p. 12). Volunteers matter (Wight, 1991).

Partnership is a theme of the review (HIPPO, 2015).
"""


@pytest.fixture
def demo(make_issue):
    root = make_issue({"papers/jones.md": JONES, "papers/hirono.tex": HIRONO, "bibliography/refs.bib": BIB},
                      MANIFEST)
    docx = pandoc.run(["-f", "markdown", "-t", "docx", "-o", "-"], input=COOK.encode("utf-8"))
    (root / "papers" / "cook.docx").write_bytes(docx)
    return root


def test_check_json_lists_every_citation_with_its_fields(cli, demo):
    r = cli(["check", "--format", "json"], demo)
    assert r.code == 1  # hermann2001how is not in the bibliography
    cites = r.json()["citations"]
    jones = [c for c in cites if c["contribution"] == "jones"]
    first = jones[0]
    assert {k: first[k] for k in ("file", "line", "column", "text", "form", "authors", "year", "suffix", "locator",
                                  "prefix", "key")} == {
        "file": "papers/jones.md", "line": 7, "column": 49, "text": "Keohane 1984, 12", "form": "parenthetical",
        "authors": ["Keohane"], "year": "1984", "suffix": "", "locator": "12", "prefix": None,
        "key": "keohane1984after"}
    assert [(c["form"], c["key"], c["locator"], c["prefix"]) for c in jones[1:5]] == [
        ("parenthetical", "waltz1979theory", "88", "see also"),
        ("markup", "wendt1999social", "p. 246", "see"),
        ("markup", "grieco1988anarchy", None, None),
        ("markup", None, "553", None),
    ]
    assert jones[1]["group"] == jones[0]["group"] != jones[2]["group"] == jones[3]["group"]
    crossref = jones[5]
    assert (crossref["text"], crossref["key"], crossref["crossref"], crossref["status"]) == (
        "Jones (2020)", None, "jones", "crossref")
    assert len(jones) == 6  # nothing from the reference list


def test_latex_cite_family_with_pre_and_post_notes(cli, demo):
    cites = [c for c in cli(["check", "--format", "json"], demo).json()["citations"] if c["contribution"] == "hirono"]
    got = [(c["text"], c["written_key"], c["mode"], c["prefix"], c["locator"], c.get("note")) for c in cites]
    assert got == [
        (r"\citep[see][p.~52]{hermann2001how}", "hermann2001how", "NormalCitation", "see", "p. 52", None),
        (r"\citet{keohane1984after}", "keohane1984after", "AuthorInText", None, None, None),
        (r"\textcite[246]{wendt1999social}", "wendt1999social", "AuthorInText", None, "246", None),
        (r"\parencite{waltz1979theory}", "waltz1979theory", "NormalCitation", None, None, None),
        (r"\cite{grieco1988anarchy}", "grieco1988anarchy", "NormalCitation", None, None, 1),
    ]
    assert all(c["line"] in (4, 5) for c in cites)


def test_docx_citations_have_paragraph_locations(cli, demo):
    r = cli(["check", "--format", "json"], demo).json()
    cites = [c for c in r["citations"] if c["contribution"] == "cook"]
    assert [(c["text"].replace("\u00a0", " "), c["key"], c["paragraph"]) for c in cites] == [
        ("Keohane, 1984, p. 12", "keohane1984after", 2), ("Wight, 1991", "wight1991international", 2),
        ("HIPPO, 2015", "hippo2015uniting", 3)]
    style = [d for d in r["diagnostics"] if d["code"] == "C209" and d["file"] == "papers/cook.docx"]
    assert [(d["file"], d["paragraph"], d["excerpt"].replace("\u00a0", " ")) for d in style] == [
        ("papers/cook.docx", 2, "Keohane, 1984, p. 12")]
    text = cli(["check"], demo).stdout
    assert "papers/cook.docx:¶2:" in text and "help: write 'Keohane, 1984, 12'" in text


def test_check_one_manuscript_outside_an_issue_folder(cli, tmp_path):
    (tmp_path / "paper.md").write_text("Anarchy is what states make of it (Wendt 1990; Keohane 1984).\n",
                                       encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    r = cli(["check", "paper.md", "--bibliography", "refs.bib", "--format", "json"], tmp_path)
    out = r.json()
    assert [c["key"] for c in out["citations"]] == ["wendt1999social", "keohane1984after"]
    year = [d for d in out["diagnostics"] if d["code"] == "C205"]
    assert [(d["file"], d["line"], d["column"], d["suggestion"]) for d in year] == [
        ("paper.md", 1, 36, "write 'Wendt 1999'")]
    assert r.code == 0  # a warning, not an error


def test_refs_cited_lists_works_and_locators(cli, demo):
    r = cli(["refs", "cited", "--contribution", "jones"], demo)
    assert r.code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("jones  papers/jones.md  (6 citations, 4 works)")
    keohane = next(line for line in lines if "keohane1984after" in line)
    assert "Keohane 1984" in keohane and "1×" in keohane and "at 12" in keohane
    assert any(line.strip().startswith("? ") and "@martel2017" in line for line in lines)
    assert any("→ Jones (2020)" in line for line in lines)
    data = cli(["refs", "cited", "--format", "json"], demo).json()
    assert [c["id"] for c in data["contributions"]] == ["jones", "hirono", "cook"]
    hirono = data["contributions"][1]
    assert {w["key"]: w["locators"] for w in hirono["works"]}["wendt1999social"] == ["246"]
    assert [u["text"] for u in hirono["unresolved"]] == [r"\citep[see][p.~52]{hermann2001how}"]


def test_refs_cited_unknown_contribution_is_a_usage_error(cli, demo):
    r = cli(["refs", "cited", "--contribution", "smith"], demo)
    assert r.code == 2 and "jones, hirono, cook" in r.stderr


def test_cautioning_canary_only_the_two_missing_keys_are_undefined(cli, corpora, tmp_path):
    src = corpora / "andrewheiss_cautioning-canary" / "manuscript"
    if not (src / "manuscript.Rmd").is_file():
        pytest.skip("the cautioning-canary manuscript is not in ../shared/corpora")
    root = tmp_path / "canary"
    (root / "papers").mkdir(parents=True)
    (root / "bibliography").mkdir()
    shutil.copy(src / "manuscript.Rmd", root / "papers" / "manuscript.md")  # R Markdown reads as Markdown
    shutil.copy(src / "bibliography.bib", root / "bibliography" / "bibliography.bib")
    (root / "issue.toml").write_text(textwrap.dedent("""\
        [issue]
        title = "NGO Repression as a Predictor of Worsening Human Rights Abuses"
        year = 2022
        bibliography = ["bibliography/*.bib"]

        [[contributions]]
        id = "canary"
        file = "papers/manuscript.md"
        title = "NGO Repression"
        authors = [{ name = "Suparna Chaudhry" }, { name = "Andrew Heiss" }]
        """), encoding="utf-8")
    out = cli(["check", "--format", "json"], root).json()
    undefined = {d["excerpt"] for d in out["diagnostics"] if d["code"] == "C201"}
    assert undefined == {"@vdem-10", "@citekey"}
    cites = out["citations"]
    assert len(cites) > 60 and all(c["form"] == "markup" for c in cites)  # no prose false positives
    assert {c["written_key"] for c in cites if c["key"] is None} == {"vdem-10", "citekey"}
