"""Bad inputs never crash `issue`: every case of tests/data/bad/cases.toml gives its diagnostic, named with the file
and the place, the right exit status, no traceback, and leaves the previous build/ untouched when a build fails.

Each case starts from a copy of the clean issue tests/data/bad/base, built once, so that a failed build can be
compared with the build/ it must leave alone. `issue check` runs in-process (fast); `issue build` as a real process.
The last test prints how many cases were tried and how many behaved.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from badinputs import BAD, BASE, GENERATORS, Outcome, apply, cases, check_in_process, fresh, judge, prepare_base

CASES = cases()
KINDS = {"bib", "manifest", "manuscript", "template"}


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["known"])] if case.get("known") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A folder shared by the pytest-xdist workers of one run (each worker's basetemp is inside it)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "bad-inputs"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def built_base(tmp_path_factory):
    return prepare_base(tmp_path_factory.mktemp("bad-base"))


def run_case(case: dict, built_base, tmp: Path, shared: Path) -> Outcome:
    base, before = built_base
    root, outside = fresh(base, tmp)
    apply(case, root, outside)
    outcome = judge(case, root, before)
    record = shared / f"{case['name']}.json"
    tmp_record = record.with_suffix(f".{os.getpid()}.tmp")
    tmp_record.write_text(json.dumps({"problems": outcome.problems}))
    os.replace(tmp_record, record)
    return outcome


# -- the corpus itself ------------------------------------------------------------------------------------------
def test_the_corpus_is_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 60
    for c in CASES:
        assert c["kind"] in KINDS, c["name"]
        assert c.get("files") or c.get("make"), c["name"]
        for src in c.get("files", {}).values():
            assert (BAD / src).is_file(), f"{c['name']}: {src} is missing"
        assert c.get("make") is None or c["make"] in GENERATORS, c["name"]
        assert isinstance(c["check"], int), c["name"]
        assert c.get("codes") or c.get("absent") or c["check"] == 0, f"{c['name']}: expects nothing at all"
    # the issue names each of these; each must be in the corpus
    about = " ".join(f"{c['name']} {c.get('about', '')}" for c in CASES).lower()
    for topic in ("unbalanced", "missing-comma", "duplicate-key", "undefined-string", "latin1", "invalid-utf8",
                  "bom", "crlf", "2mb-single-line", "circular-crossref", "manifest-unclosed", "wrong", "unknown",
                  "missing-file", "etc-passwd", "symlink-out", "duplicate-id", "manuscript-empty", "garbage-docx",
                  "zip-bomb", "password", "1mb-paragraph", "unclosed-markup", "script", "latex-input", "raw-typst",
                  "include-syntax", "template-syntax-error", "template-undefined", "template-include-etc-passwd"):
        if topic == "wrong":
            assert any(c["name"] in ("manifest-year-string", "manifest-authors-string") for c in CASES)
            continue
        assert topic in about, f"no case for {topic}"
    by_kind = {k: sum(c["kind"] == k for c in CASES) for k in KINDS}
    assert all(n >= 3 for n in by_kind.values()), by_kind


def test_the_clean_issue_checks_without_findings(tmp_path):
    import shutil

    shutil.copytree(BASE, tmp_path / "issue")
    r = check_in_process(tmp_path / "issue")
    assert r.status == 0, r.out
    assert r.diagnostics() == [], r.out


# -- every case -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case, built_base, tmp_path, shared):
    outcome = run_case(case, built_base, tmp_path, shared)
    assert outcome.behaved, (f"{case['name']} ({case.get('about', '')}):\n  " + "\n  ".join(outcome.problems)
                             + f"\n--- check:\n{outcome.check.out[-3000:] if outcome.check else ''}"
                             + (f"\n--- build:\n{outcome.build.out[-3000:]}" if outcome.build else ""))


def test_bad_inputs_summary(built_base, tmp_path_factory, shared):
    """How many cases were tried and how many behaved; the cases' own tests say why one did not. Cases already run
    by test_bad_input in this session are not run again."""
    behaved, misbehaved = 0, {}
    for case in CASES:
        record = shared / f"{case['name']}.json"
        if record.exists():
            problems = json.loads(record.read_text())["problems"]
        else:
            problems = run_case(case, built_base, tmp_path_factory.mktemp(case["name"]), shared).problems
        if problems:
            misbehaved[case["name"]] = problems
        else:
            behaved += 1
    known = {c["name"] for c in CASES if c.get("known")}
    lines = [f"bad inputs: {len(CASES)} tried, {behaved} behaved"]
    for name, problems in sorted(misbehaved.items()):
        lines.append(f"  {'known ' if name in known else ''}failure {name}: {'; '.join(problems)}")
    report = "\n".join(lines)
    print(report)
    assert set(misbehaved) <= known, report


# -- limits: sizes and timeouts, end to end ---------------------------------------------------------------------
def _limited(tmp_path: Path, build: str, files: dict[str, str | bytes] | None = None) -> Path:
    import shutil

    root = tmp_path / "issue"
    shutil.copytree(BASE, root)
    for rel, data in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data.encode() if isinstance(data, str) else data)
    with (root / "issue.toml").open("a") as f:
        f.write("\n[build]\n" + build + "\n")
    return root


def test_a_pandoc_run_out_of_time_says_which_setting_to_raise(tmp_path):
    root = _limited(tmp_path, "pandoc_timeout = 0.001")
    r = check_in_process(root)
    assert r.status == 1, r.out
    assert "papers/paper.md: error[D101" in r.out
    assert "pandoc took longer than 0.001 s ([build] pandoc_timeout)" in r.out
    assert "raise [build] pandoc_timeout" in r.out


def test_a_manuscript_over_the_size_limit_names_the_limit_and_the_setting(tmp_path):
    root = _limited(tmp_path, "max_manuscript_mb = 0.001", {"papers/paper.md": (BASE / "papers" / "paper.md")
                                                            .read_text() + "\n" + "Padding text. " * 200})
    r = check_in_process(root)
    assert r.status == 1, r.out
    assert "papers/paper.md: error[D105" in r.out and "0.001 MB" in r.out
    assert "max_manuscript_mb" in r.out


def test_a_slow_typesetter_run_is_stopped_by_its_timeout(tmp_path):
    from issue.render.templates import PACKAGE_TEMPLATES

    pytest.importorskip("issue.render.pdf", reason="no PDF writer in this tree")
    # about ten seconds of Typst arithmetic, at the end of the default book template
    slow = (PACKAGE_TEMPLATES / "typst" / "issue.typ").read_text() + \
        "\n#{ let x = 0; for i in range(5000) { for j in range(5000) { x += 1 } } }\n"
    root = _limited(tmp_path, "typst_timeout = 1", {"templates/typst/issue.typ": slow})
    from badinputs import issue as run_issue

    r = run_issue(root, "build", "--quiet", "--format", "pdf")
    assert r.status == 1, r.out
    assert "T102" in r.out and "typst_timeout" in r.out


# -- near misses: what the rules behind the corpus must not report ----------------------------------------------
def _findings(tmp_path: Path, name: str, text: str) -> list:
    from issue.manuscripts import read_manuscript
    from issue.manuscripts.checks import document_findings

    (tmp_path / name).write_text(text, encoding="utf-8")
    return document_findings(read_manuscript(tmp_path, name))


def test_closed_markup_and_markers_inside_code_are_not_unclosed(tmp_path):
    text = ("# Introduction\n\nASEAN's **AHA Centre** coordinated *the* response^[A closed note.] [in a link](x.html)"
            " with `a ** b` and `` ` `` in code, $a*b$ in maths, and a note.[^1]\n\n[^1]: Defined here.\n")
    assert [d for d in _findings(tmp_path, "ok.md", text) if d.code == "D107"] == []
    bad = _findings(tmp_path, "bad.md", "# Introduction\n\nASEAN's **AHA Centre coordinated it.[^2]\n")
    assert [(d.code, d.location.line, d.location.column) for d in bad if d.code == "D107"] == [("D107", 3, 9)]


def test_include_syntax_shown_in_a_code_block_or_a_comment_is_not_reported(tmp_path):
    md = "# Introduction\n\nThe filter reads:\n\n```markdown\n!include chapter2.md\n```\n\nText.\n"
    assert [d for d in _findings(tmp_path, "ok.md", md) if d.code == "D104"] == []
    tex = ("\\documentclass{article}\n\\begin{document}\nText \\% of it.\n% \\input{draft}\n"
           "\\includegraphics{map}\n\\end{document}\n")
    assert [d for d in _findings(tmp_path, "ok.tex", tex) if d.code == "D104"] == []


def test_pandoc_errors_are_one_line_with_their_place():
    from issue.pandoc import error_of

    e = error_of('Error at "stdin" (line 6, column 2):\nunexpected end of input\nexpecting \\end{itemize}\n ^\n', 64)
    assert (str(e), e.line, e.column) == ("unexpected end of input; expecting \\end{itemize}", 6, 2)
    e = error_of('Error parsing YAML metadata at "stdin" (line 1, column 1):\nYAML parse exception at line 2, '
                 "column 6,\nwhile parsing a flow sequence:\ndid not find expected ',' or ']'\n", 64)
    assert (e.line, e.column) == (3, 6) and "YAML" in str(e) and "did not find expected" in str(e)
    assert str(error_of("", 83)) == "pandoc failed with status 83"


@pytest.mark.parametrize("limits", ["pandoc_timeout = 30", "pandoc_timeout = 0.5\nmax_manuscript_mb = 200"])
def test_sensible_limits_are_accepted(tmp_path, limits):
    root = _limited(tmp_path, limits)
    r = check_in_process(root)
    assert r.status == 0 and r.diagnostics() == [], r.out
