"""The cross-reference map (analysis extra, text table, SVG), page references, and the JSON of `issue check`."""
from __future__ import annotations

from lxml import etree

from issue.crossrefs import page_reference
from issue.crossrefs.map import map_svg, map_table, write_map
from issue.model import Contribution, Person
from test_crossrefs_extract import MANIFEST, paper, run

INTRO = paper("""\
Cook and Yogendran (this issue) begin with the widest circle of actors. Hirono (this issue) turns to China, and
the papers by Hirono, Newby and Jones in this issue show where cooperation stops. Mulloy (this issue) closes the
issue with Japan (see also Newby, this issue).""")
MULLOY = paper("Japan's partners are not allies (Newby, this issue); China decides otherwise (Hirono, this issue).")


def test_map_counts_references_between_contributions(make_issue):
    _, result = run(make_issue, {"introduction": INTRO, "mulloy": MULLOY})
    assert result.extra == {
        "introduction": {"cook": 1, "hirono": 2, "newby": 2, "jones": 1, "mulloy": 1},
        "cook": {}, "hirono": {}, "newby": {}, "jones": {},
        "mulloy": {"hirono": 1, "newby": 1},
    }


def test_self_references_and_unknown_names_are_not_edges(make_issue):
    _, result = run(make_issue, {"newby": paper("As I show (Newby, this issue), unlike Sato (this issue).")})
    assert result.extra["newby"] == {}


def test_text_table(make_issue):
    ctx, result = run(make_issue, {"introduction": INTRO, "mulloy": MULLOY})
    table = map_table(ctx.issue, result.extra).splitlines()
    header = table[2].split()
    assert header[-7:] == ["introduction", "cook", "hirono", "newby", "jones", "mulloy", "total"]
    rows = {line.split()[0]: line.split()[1:] for line in table[3:9]}
    assert rows["introduction"] == ["·", "1", "2", "2", "1", "1", "7"]
    assert rows["mulloy"] == ["0", "0", "1", "1", "0", "·", "2"]
    assert table[9].split()[-6:] == ["0", "1", "3", "3", "1", "1"]  # "referred to" per column


def test_svg_is_well_formed_accessible_and_byte_identical(make_issue, tmp_path):
    ctx, result = run(make_issue, {"introduction": INTRO, "mulloy": MULLOY})
    svg = map_svg(ctx.issue, result.extra)
    assert svg == map_svg(ctx.issue, result.extra)
    root = etree.fromstring(svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert "Cooperation and Coordination" in root.find("s:title", ns).text
    assert "introduction refers to hirono 2 times" in root.find("s:desc", ns).text
    edges = root.findall("s:g[@class='edge']", ns)
    assert {(e.get("data-from"), e.get("data-to")) for e in edges} == {
        ("introduction", t) for t in ("cook", "hirono", "newby", "jones", "mulloy")} | {("mulloy", "hirono"),
                                                                                        ("mulloy", "newby")}
    assert len(root.findall("s:g[@class='node']", ns)) == 6
    first = [p.read_bytes() for p in write_map(ctx.issue, result.extra, tmp_path / "a")]
    second = [p.read_bytes() for p in write_map(ctx.issue, result.extra, tmp_path / "b")]
    assert first == second


def test_svg_escapes_names_and_titles(make_issue):
    manifest = MANIFEST.replace('title = "Cooperation and Coordination in a Context of Animosity?"',
                                'title = "Cooperation <script>alert(1)</script> & Co"', 1).replace(
        'name = "Garren Mulloy"', 'name = "Garren <b>Mulloy</b>"')
    ctx, result = run(make_issue, {}, manifest=manifest)
    svg = map_svg(ctx.issue, result.extra)
    assert "<script>" not in svg and "<b>" not in svg
    etree.fromstring(svg.encode())  # still well-formed


def test_page_reference():
    jones = Contribution(id="jones", file="papers/jones.md", title="T", authors=[Person("Catherine Jones")],
                         pages="89-107")
    assert page_reference(jones) == "Jones, this issue, 89–107"
    assert page_reference(jones, pages="90--108") == "Jones, this issue, 90–108"  # the typeset pages win
    assert page_reference(jones, house_form="this volume") == "Jones, this volume, 89–107"
    cook = Contribution(id="cook", file="papers/cook.docx", title="T",
                        authors=[Person("Alistair D. B. Cook"), Person("Sangeetha Yogendran")])
    assert page_reference(cook) == "Cook and Yogendran, this issue"
    many = Contribution(id="m", file="m.md", title="T", authors=[Person(n) for n in ("A One", "B Two", "C Three",
                                                                                   "D Four")], pages=5)
    assert page_reference(many) == "One et al., this issue, 5"


def test_check_json_carries_the_crossrefs_array(make_issue, cli):
    root = make_issue({f"papers/{cid}.md": paper("Nothing to see.") for cid in
                       ("introduction", "cook", "hirono", "newby", "jones")}
                      | {"papers/mulloy.md": MULLOY}, manifest=MANIFEST)
    result = cli(["check", "--format", "json"], root)
    records = result.json()["crossrefs"]
    assert [(r["text"], r["targets"], r["form"]) for r in records] == [
        ("Newby, this issue", ["newby"], "this issue"), ("Hirono, this issue", ["hirono"], "this issue")]
    first = records[0]
    assert first["file"] == "papers/mulloy.md" and first["contribution"] == "mulloy"
    assert {"block", "start", "end", "line", "column", "names", "status", "links"} <= set(first)
    line = (root / "papers/mulloy.md").read_text().splitlines()[first["line"] - 1]
    assert line[first["column"] - 1:].startswith("Newby, this issue")
    unreferenced = [d for d in result.json()["diagnostics"] if d["code"] == "X305"]
    assert len(unreferenced) == 5  # the introduction here mentions nobody


def test_build_writes_the_map_beside_the_check_report(make_issue, cli):
    files = {f"papers/{cid}.md": paper("Nothing to see.") for cid in ("cook", "hirono", "newby", "jones")}
    root = make_issue(files | {"papers/introduction.md": INTRO, "papers/mulloy.md": MULLOY}, manifest=MANIFEST)
    assert cli(["build", "--format", "report"], root).code == 0
    svg = (root / "build/report/crossrefs.svg").read_bytes()
    table = (root / "build/report/crossrefs.txt").read_text()
    assert b'data-from="mulloy" data-to="newby"' in svg
    assert table.splitlines()[3].split() == ["introduction", "·", "1", "2", "2", "1", "1", "7"]
    assert cli(["build", "--format", "report"], root).code == 0
    assert (root / "build/report/crossrefs.svg").read_bytes() == svg  # byte-identical on re-run


def test_a_manuscript_outside_an_issue_folder_gets_no_unknown_contribution(tmp_path, cli):
    (tmp_path / "draft.md").write_text(paper("Japan's partners are not allies (Newby, this issue)."), encoding="utf-8")
    (tmp_path / "refs.bib").write_text("@book{capie2015, author = {Capie, David}, title = {HADR}, year = {2015}}\n",
                                       encoding="utf-8")
    result = cli(["check", "draft.md", "--bibliography", "refs.bib", "--format", "json"], tmp_path)
    assert [r["text"] for r in result.json()["crossrefs"]] == ["Newby, this issue"]
    assert not [d for d in result.json()["diagnostics"] if d["code"].startswith("X")]
