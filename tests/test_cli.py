"""The command line: help with examples, version, init -> check -> build, explain, exit statuses."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from issue.cli import main
from issue.diagnostics.registry import all_rules


def test_version(cli, tmp_path):
    r = cli(["--version"], tmp_path)
    assert r.code == 0 and r.stdout.startswith("issue, version ")


def test_every_command_has_help_with_an_example(cli, tmp_path):
    for name, command in main.commands.items():
        r = cli([name, "--help"], tmp_path)
        assert r.code == 0, name
        assert "Example" in r.stdout, f"`issue {name} --help` has no example"


def test_init_scaffold_passes_check_and_builds(cli, tmp_path):
    r = cli(["init", "new-issue"], tmp_path)
    assert r.code == 0
    root = tmp_path / "new-issue"
    assert (root / "issue.toml").is_file() and (root / "papers").is_dir()
    r = cli(["check"], root)
    assert r.code == 0, r.stdout
    assert "0 errors" in r.stdout
    r = cli(["build"], root)
    assert r.code == 0, r.stderr
    assert (root / "build" / "report" / "check.json").is_file()


def test_init_refuses_a_folder_that_is_not_empty(cli, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    r = cli(["init", "x"], tmp_path)
    assert r.code == 2
    assert (tmp_path / "x" / "notes.txt").read_text() == "mine"


def test_explain_by_code_and_by_name(cli, tmp_path):
    r = cli(["explain", "M106"], tmp_path)
    assert r.code == 0 and "missing-file" in r.stdout and "Example" in r.stdout
    assert cli(["explain", "missing-file"], tmp_path).stdout == r.stdout
    assert cli(["explain", "Z999"], tmp_path).code == 2


def test_every_rule_is_documented_and_unique():
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for r in rules:
        assert r.summary and r.severity in ("error", "warning", "info"), r.code
        assert r.name == r.name.lower() and " " not in r.name


def test_check_a_named_manuscript_reports_only_that_file(cli, make_issue):
    manifest = """\
    [issue]
    title = "T"
    [[contributions]]
    id = "a"
    file = "papers/a.md"
    title = "A"
    [[contributions]]
    id = "b"
    file = "papers/b.md"
    title = "B"
    """
    root = make_issue({"papers/a.md": "# Intro\n\nText.\n", "papers/b.md": ""}, manifest=manifest)
    everything = cli(["check", "--format", "json"], root).json()
    assert {d["file"] for d in everything["diagnostics"]} >= {"papers/a.md", "papers/b.md"}
    one = cli(["check", "papers/a.md", "--format", "json"], root).json()
    assert {d["file"] for d in one["diagnostics"]} == {"papers/a.md"}


def test_inline_marker_exempts_a_line(cli, make_issue):
    root = make_issue({"papers/paper.md": "# Intro\n\nText.\n\n<script>alert(1)</script> <!-- issue: ignore D104 -->\n"})
    diags = cli(["check", "--format", "json"], root).json()["diagnostics"]
    assert "D104" not in [d["code"] for d in diags]
    root2 = make_issue({"papers/paper.md": "# Intro\n\nText.\n\n<script>alert(1)</script>\n"})
    assert "D104" in [d["code"] for d in cli(["check", "--format", "json"], root2).json()["diagnostics"]]


def test_build_stops_on_an_unreadable_manuscript_and_keeps_build(cli, make_issue):
    root = make_issue({"papers/paper.md": "# Intro\n\nText.\n"})
    assert cli(["build"], root).code == 0
    before = sorted(p.relative_to(root).as_posix() for p in (root / "build").rglob("*"))
    (root / "papers" / "paper.md").write_bytes(b"\xff\xfe bad bytes")
    r = cli(["build"], root)
    assert r.code == 1
    assert "papers/paper.md" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.relative_to(root).as_posix() for p in (root / "build").rglob("*")) == before


def test_github_format_from_the_command_line(cli, make_issue):
    root = make_issue({"papers/paper.md": ""})
    r = cli(["check", "--format", "github"], root)
    assert "::warning file=papers/paper.md,title=D102 empty-manuscript::the manuscript has no text" in r.stdout.splitlines()


def test_a_real_subprocess_run_honours_no_color(tmp_path):
    exe = Path(sys.executable).with_name("issue")
    subprocess.run([str(exe), "init", str(tmp_path / "x")], check=True, capture_output=True)
    env = {**os.environ, "NO_COLOR": "1"}
    p = subprocess.run([str(exe), "check", "--color"], cwd=tmp_path / "x", capture_output=True, text=True, env=env)
    assert p.returncode == 0
    p = subprocess.run([str(exe), "check"], cwd=tmp_path / "x", capture_output=True, text=True, env=env)
    assert "\x1b[" not in p.stdout


def test_a_manuscript_linked_from_outside_is_reported_and_never_read(cli, make_issue, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret\n\nroot:x:0:0 secret line (Smith 2001).\n")
    root = make_issue({})
    (root / "papers").mkdir(exist_ok=True)
    os.symlink(outside, root / "papers" / "paper.md")
    r = cli(["check", "--format", "json"], root)
    assert r.code == 2
    assert "secret line" not in r.stdout
    assert "M107" in [d["code"] for d in r.json()["diagnostics"] if d["file"] == "issue.toml"]
    cache = root / "build" / ".cache"
    assert not cache.exists() or not any(b"secret line" in p.read_bytes() for p in cache.rglob("*") if p.is_file())


def test_the_exemption_comment_itself_is_not_reported(cli, make_issue):
    root = make_issue({"papers/paper.md": "# Intro\n\nText (Nobody 1999). <!-- issue: ignore C201 -->\n"})
    codes = [d["code"] for d in cli(["check", "--format", "json"], root).json()["diagnostics"]]
    assert "D104" not in codes and "C201" not in codes


def test_building_one_format_keeps_the_other_outputs(cli, tmp_path):
    assert cli(["init", "x"], tmp_path).code == 0
    root = tmp_path / "x"
    assert cli(["build", "--quiet"], root).code == 0
    before = sorted(p.name for p in (root / "build").iterdir())
    assert cli(["build", "--quiet", "--format", "html"], root).code == 0
    assert sorted(p.name for p in (root / "build").iterdir()) == before
    assert cli(["build", "--format", ",,"], root).code == 2


def test_an_author_outside_an_issue_folder_is_not_told_about_unused_entries(cli, tmp_path):
    (tmp_path / "paper.md").write_text("# Intro\n\nCooperation persists (Keohane 1984, 51).\n\n# References\n\nKeohane.\n")
    (tmp_path / "refs.bib").write_text(
        "@book{keohane1984after, author={Keohane, Robert O.}, title={After Hegemony}, year={1984},"
        " publisher={Princeton University Press}}\n"
        "@book{waltz1979theory, author={Waltz, Kenneth N.}, title={Theory of International Politics}, year={1979},"
        " publisher={Addison-Wesley}}\n")
    r = cli(["check", "paper.md", "--bibliography", "refs.bib", "--format", "json"], tmp_path)
    assert r.code == 0
    assert "C210" not in [d["code"] for d in r.json()["diagnostics"]]
    assert [c["key"] for c in r.json()["citations"]] == ["keohane1984after"]


def test_init_into_a_place_that_cannot_be_written_is_a_usage_error(cli, tmp_path):
    (tmp_path / "file").write_text("x")
    r = cli(["init", str(tmp_path / "file" / "sub")], tmp_path)
    assert r.code == 2 and "Traceback" not in r.stderr
