"""Shared fixtures: the repository's demo issue, a scratch issue folder, and the CLI."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the repository")
    return CORPORA


MINIMAL_TOML = """\
[issue]
title = "Test Issue"
journal = "Journal of Tests"
year = 2020
bibliography = ["bibliography/*.bib"]

[[contributions]]
id = "paper"
file = "papers/paper.md"
title = "A Paper"
authors = [{ name = "Ann Author" }]
"""


@pytest.fixture
def make_issue(tmp_path: Path):
    """Write an issue folder from {relative path: text}; issue.toml defaults to a one-paper manifest."""

    def make(files: dict[str, str | bytes] | None = None, manifest: str | None = MINIMAL_TOML) -> Path:
        root = tmp_path / "issue"
        root.mkdir(exist_ok=True)
        if manifest is not None:
            (root / "issue.toml").write_text(textwrap.dedent(manifest), encoding="utf-8")
        for rel, content in (files or {}).items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(textwrap.dedent(content), encoding="utf-8")
        return root

    return make


class CliResult:
    def __init__(self, code: int, stdout: str, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `issue ARGS` in-process in a folder: returns exit code, stdout and stderr."""
    from issue.cli import run

    def invoke(args: list[str], cwd: Path) -> CliResult:
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("NO_COLOR", "1")
        capsys.readouterr()
        code = run(args)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return invoke
