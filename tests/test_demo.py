"""The demo issue: its planted mistakes are each reported, and nothing else reaches error level."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from issue.manuscripts import read_manuscript
from issue.project import load_issue

REPO = Path(__file__).resolve().parent.parent

# (file, code, where: line or ¶paragraph, the offending text) — the mistakes the demo keeps on purpose
PLANTED = [
    ("papers/cook.docx", "C202", ("paragraph", 16), "Vittolo"),                 # misspelt author
    ("papers/newby.docx", "C205", ("paragraph", 24), "Capie, 2014"),            # wrong year
    ("papers/hirono.tex", "C201", ("line", 143), "fung2019china"),              # no entry in the bibliography
    ("bibliography/issue.bib", "B105", ("line", 1024), "Mitrany1966"),          # one work entered twice
    ("papers/mulloy.md", "X301", ("line", 40), "Sato"),                         # not a contributor of this issue
]


@pytest.fixture(scope="module")
def report() -> dict:
    exe = Path(sys.executable).with_name("issue")
    p = subprocess.run([str(exe), "check", "--format", "json"], cwd=REPO, capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "ISSUE_NO_CACHE": "1"})
    assert p.returncode == 1, p.stderr  # the demo keeps its planted errors
    assert "Traceback" not in p.stderr
    return json.loads(p.stdout)


@pytest.mark.parametrize("file,code,where,text", PLANTED, ids=[p[1] for p in PLANTED])
def test_each_planted_mistake_is_reported_at_its_place(report, file, code, where, text):
    hits = [d for d in report["diagnostics"] if d["file"] == file and d["code"] == code
            and d.get(where[0]) == where[1]]
    assert hits, f"{code} not reported at {file} {where}"
    assert any(text in (d.get("excerpt", "") + d["message"]) for d in hits)


def test_nothing_else_reaches_error_level(report):
    planted = {(f, c) for f, c, _, _ in PLANTED}
    errors = [(d["file"], d["code"], d["message"]) for d in report["diagnostics"] if d["severity"] == "error"]
    assert [e for e in errors if (e[0], e[1]) not in planted] == []


def test_lee_jones_is_a_citation_not_a_cross_reference(report):
    lee = [c for c in report["citations"] if c["file"] == "papers/jones.md" and "Lee Jones" in c["text"]]
    assert lee and all(c["key"] == "jones2015societies" for c in lee)
    assert not [x for x in report["crossrefs"] if "Lee Jones" in x["text"]]


def test_every_paper_is_cross_referenced_by_the_introduction(report):
    from_intro = {t for x in report["crossrefs"] if x["contribution"] == "introduction" for t in x["targets"]}
    assert from_intro >= {"cook", "hirono", "newby", "jones", "mulloy"}


def test_the_manuscripts_come_in_the_formats_authors_send():
    issue, diags = load_issue(REPO)
    assert diags == []
    formats = sorted(Path(c.file).suffix for c in issue.contributions)
    assert formats.count(".docx") >= 2 and ".tex" in formats and ".md" in formats
    for c in issue.contributions:
        assert c.abstract and c.abstract != "TODO" and 120 <= len(c.abstract.split()) <= 200, c.id
        assert 4 <= len(c.keywords) <= 6, c.id


@pytest.mark.parametrize("cid", ["introduction", "cook", "hirono", "newby", "jones", "mulloy"])
def test_each_manuscript_loads_with_its_parts(cid):
    issue, _ = load_issue(REPO)
    c = issue.contribution(cid)
    doc = read_manuscript(REPO, c.file)
    body_words = sum(len(b.text.split()) for b in doc.blocks if b.section in ("body", "notes"))
    assert 1500 <= body_words <= 3000, body_words
    assert doc.title
    assert any(b.section == "references" for b in doc.blocks)
    assert any(b.kind == "heading" and b.section == "body" for b in doc.blocks)


def test_at_least_two_papers_have_footnotes():
    issue, _ = load_issue(REPO)
    with_notes = [c.id for c in issue.contributions
                  if any(b.kind == "note" for b in read_manuscript(REPO, c.file).blocks)]
    assert len(with_notes) >= 2
