"""`issue index` and the index's data outputs (JSON, CSV, the matrix as CSV and SVG)."""
from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest

from issue.concepts.export import matrix_csv, matrix_svg, write
from issue.concepts.index import Matrix

MANIFEST = """\
[issue]
title = "Cooperation in Asia"
journal = "Journal of Tests"
year = 2020
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "cook"
file = "papers/cook.md"
title = "Partners"
authors = [{ name = "Alistair Cook" }]

[[contributions]]
id = "jones"
file = "papers/jones.md"
title = "ASEAN"
authors = [{ name = "Catherine Jones" }]
"""

CONCEPTS = """\
[[concept]]
heading = "cooperation"
see_also = ["New York process", "humanitarian assistance and disaster relief"]
  [[concept.sub]]
  heading = "regional"

[[concept]]
heading = "New York process"

[[concept]]
heading = "Newark talks"

[[concept]]
heading = "humanitarian assistance and disaster relief"
acronyms = ["HADR"]

[[concept]]
heading = "co-operation"
see = "cooperation"
"""

COOK = """\
# Introduction

Regional cooperation in HADR is praised. The Newark talks & the New York process helped.

Cooperation of <militaries> persisted.

# Spill

HADR again, and "cooperation".
"""

JONES = """\
# Introduction

ASEAN cooperation and humanitarian assistance and disaster relief (HADR 2015 was a year).
"""


@pytest.fixture
def issue_root(make_issue):
    return make_issue({"papers/cook.md": COOK, "papers/jones.md": JONES, "concepts.toml": CONCEPTS,
                       "bibliography/refs.bib": ""}, manifest=MANIFEST)


def test_index_prints_a_back_of_book_index(issue_root, cli):
    result = cli(["index"], issue_root)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "C"
    assert "co-operation. See cooperation" in lines
    # paragraphs 3 and 5 of cook (4 is a heading), 2 of jones; "Regional cooperation" goes to its sub-entry
    assert "cooperation, cook 3, 5; jones 2" in lines
    i = lines.index("cooperation, cook 3, 5; jones 2")
    assert lines[i + 1] == "    regional, cook 2"
    assert lines[i + 2] == "    See also humanitarian assistance and disaster relief; New York process"
    assert "HADR (humanitarian assistance and disaster relief), cook 2, 5; jones 2" in lines  # "(HADR 2015" is a citation
    # word by word: "New York process" before "Newark talks"
    assert lines.index("New York process, cook 2") < lines.index("Newark talks, cook 2")


def test_letter_by_letter(issue_root, cli):
    lines = cli(["index", "--letter-by-letter"], issue_root).stdout.splitlines()
    assert lines.index("Newark talks, cook 2") < lines.index("New York process, cook 2")


def test_json_and_csv(issue_root, cli):
    data = json.loads(cli(["index", "--format", "json"], issue_root).stdout)
    assert data["sort"] == "word" and data["paged"] is False
    coop = next(e for e in data["entries"] if e["heading"] == "cooperation")
    assert coop["subs"][0]["heading"] == "regional" and coop["see_also"][0].startswith("humanitarian")
    assert coop["ranges"][0] == {"label": "3", "anchor": "idx-cook-5", "contribution": "cook", "blocks": [3, 3]}
    rows = list(csv.DictReader(io.StringIO(cli(["index", "--format", "csv"], issue_root).stdout)))
    assert {"heading": "cooperation", "sub": "regional", "locator": "2", "contribution": "cook"}.items() <= rows[
        [r["sub"] for r in rows].index("regional")].items()
    assert any(r["kind"] == "see" and r["see"] == "cooperation" for r in rows)


def test_matrix(issue_root, cli):
    out = cli(["index", "--matrix"], issue_root).stdout.splitlines()
    assert out[0].split() == ["concept", "cook", "jones", "total"]
    row = next(line for line in out if line.startswith("cooperation"))
    assert row.split() == ["cooperation", "3", "1", "4"]
    rows = list(csv.reader(io.StringIO(cli(["index", "--matrix", "--format", "csv"], issue_root).stdout)))
    assert rows[0] == ["concept", "cook", "jones", "total"] and ["cooperation", "3", "1", "4"] in rows


def test_findings_go_to_stderr_and_errors_set_the_exit_status(make_issue, cli):
    root = make_issue({"papers/cook.md": COOK, "papers/jones.md": JONES, "bibliography/refs.bib": "",
                       "concepts.toml": '[[concept]]\nheading = "cooperation"\nsee_also = ["nowhere"]\n'},
                      manifest=MANIFEST)
    result = cli(["index"], root)
    assert result.code == 1 and "I403" in result.stderr and "cooperation, cook" in result.stdout


def test_without_a_vocabulary_index_says_what_to_do(make_issue, cli):
    root = make_issue({"papers/cook.md": COOK, "papers/jones.md": JONES, "bibliography/refs.bib": ""},
                      manifest=MANIFEST)
    result = cli(["index"], root)
    assert result.code == 2 and "concepts.toml" in result.stderr


def test_help_has_an_example(cli, tmp_path):
    result = cli(["index", "--help"], tmp_path)
    assert result.code == 0 and "issue index --suggest" in result.stdout


def test_suggest_proposes_shared_noun_phrases(make_issue, cli):
    shared = ("Maritime security dominates the agenda. Maritime security cooperation among coast guards grows, "
              "and the coast guards train together. The region's maritime security depends on coast guards. ")
    cook = "# Body\n\n" + shared * 3 + "Mitrany (1966) argued that functional ties matter.\n"
    jones = "# Body\n\n" + shared * 2 + "Mitrany (1966) argued so as well; ASEAN cooperation is thin.\n"
    root = make_issue({"papers/cook.md": cook, "papers/jones.md": jones, "bibliography/refs.bib":
                       "@book{mitrany1966, author={Mitrany, David}, title={A Working Peace System}, year={1966}, "
                       "publisher={Quadrangle}}\n",
                       "concepts.toml": '[[concept]]\nheading = "cooperation"\n'}, manifest=MANIFEST)
    result = cli(["index", "--suggest", "--format", "json"], root)
    assert result.code == 0, result.stderr
    ideas = json.loads(result.stdout)
    phrases = [i["phrase"] for i in ideas]
    assert "maritime security" in [p.lower() for p in phrases]
    assert "coast guards" in [p.lower() for p in phrases]
    assert not any("mitrany" in p.lower() for p in phrases)  # a cited author, not a concept
    assert not any(p.lower() == "cooperation" for p in phrases)  # already in the vocabulary
    first = ideas[0]
    assert set(first["contributions"]) == {"cook", "jones"}
    text = cli(["index", "--suggest"], root).stdout
    assert "[[concept]]" in text


def test_suggest_needs_two_contributions(make_issue, cli):
    cook = "# Body\n\n" + "Maritime security dominates the agenda of maritime security experts. " * 4
    root = make_issue({"papers/cook.md": cook, "papers/jones.md": "# Body\n\nNothing in common here at all.\n",
                       "bibliography/refs.bib": "", "concepts.toml": '[[concept]]\nheading = "cooperation"\n'},
                      manifest=MANIFEST)
    ideas = json.loads(cli(["index", "--suggest", "--format", "json"], root).stdout)
    assert ideas == []
    ideas = json.loads(cli(["index", "--suggest", "--format", "json", "--min-contributions", "1"], root).stdout)
    assert any(i["phrase"].lower() == "maritime security" for i in ideas)


def test_build_writes_the_data_deterministically(issue_root, tmp_path):
    from issue.pipeline import Context, run_checks
    from issue.project import load_issue

    issue, _ = load_issue(issue_root)
    outs = []
    for n in range(2):
        ctx = Context(issue=issue, cache_dir=None)
        run_checks(ctx)
        out = tmp_path / f"build{n}"
        assert write(ctx, out) == []
        outs.append({p.name: p.read_bytes() for p in sorted((out / "index").iterdir())})
    assert outs[0] == outs[1]
    assert set(outs[0]) == {"index.json", "index.csv", "index.txt", "matrix.csv", "matrix.svg"}


def test_svg_heat_map_escapes_and_shades():
    m = Matrix(["<script>alert(1)</script>", "cooperation"], ["cook", "jones"],
               {"cooperation": {"cook": 9, "jones": 1}, "<script>alert(1)</script>": {"cook": 1}})
    svg = matrix_svg(m, {"cook": "Cook & Yogendran"})
    root = ElementTree.fromstring(svg)  # well-formed
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Cook &amp; Yogendran" in svg
    fills = [r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")][1:]
    # darker for more: the cell with 9 is the darkest, an empty cell is white
    assert fills[2] == "#08306b" and fills[1] == "#ffffff"
    assert matrix_svg(m) == matrix_svg(m)


def test_csv_exports_are_plain(issue_root):
    m = Matrix(["cooperation"], ["cook"], {"cooperation": {"cook": 2}})
    assert matrix_csv(m) == "concept,cook,total\ncooperation,2,2\n"
