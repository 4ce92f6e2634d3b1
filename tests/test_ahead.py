"""pandoc started ahead (manuscripts.ahead): a large issue's manuscripts converted while the bibliography loads
must read exactly as if the reader had run pandoc itself, and leave nothing behind."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scripts import load_script

REPO = Path(__file__).resolve().parent.parent
generate = load_script("bench_generate", REPO / "benchmarks" / "generate.py")


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """Twelve contributions in Markdown, Word and LaTeX (enough for the worker processes), one of them broken."""
    root = tmp_path_factory.mktemp("ahead") / "issue"
    generate.generate(root, contributions=12, words=600, entries_n=80)
    tex = sorted((root / "papers").glob("*.tex"))[0]
    tex.write_text(tex.read_text(encoding="utf-8") + "\n\\begin{itemize}\n\\item never closed\n", encoding="utf-8")
    return root


def _check(cli, root: Path, monkeypatch, workers: str) -> tuple[int, dict]:
    shutil.rmtree(root / "build", ignore_errors=True)
    monkeypatch.setenv("ISSUE_WORKERS", workers)
    result = cli(["check", "--format", "json"], root)
    return result.code, json.loads(result.stdout)


def test_manuscripts_read_ahead_give_the_same_findings_and_leave_no_file(cli, large, monkeypatch):
    from issue.manuscripts import ahead

    made: list[int] = []
    untaken: list[int] = []
    real_close = ahead.Ahead.close

    def close(self):
        made.append(len(self._made))
        untaken.append(sum(p.exists() for p in self._made))
        real_close(self)

    monkeypatch.setattr(ahead.Ahead, "close", close)
    slow_start = ahead.Ahead.start
    # let the conversions ahead finish before the workers start, so that the readers take every one of them
    monkeypatch.setattr(ahead.Ahead, "start", lambda self: slow_start(self).join() or self)
    alone = _check(cli, large, monkeypatch, "1")  # one process: nothing is converted ahead
    assert made == []
    together = _check(cli, large, monkeypatch, "2")
    assert made and made[0] >= 2, "the manuscripts the workers reach last were converted ahead"
    assert together == alone
    assert untaken == [0], "the readers took every file made ahead"
    assert not list((large / "build" / ".cache" / "pandoc").glob("*"))


def test_a_manuscript_the_reader_refuses_is_not_converted_ahead(tmp_path):
    from issue.manuscripts import ahead

    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "big.md").write_text("word " * 300_000, encoding="utf-8")  # 1.5 MB
    (tmp_path / "papers" / "latin1.md").write_bytes("Caf\xe9 society".encode("latin-1"))
    (tmp_path / "papers" / "fine.md").write_text("Regional cooperation (Keohane 1984).\n", encoding="utf-8")
    cache = tmp_path / "cache"
    job = ahead.Ahead(tmp_path, ["papers/big.md", "papers/latin1.md", "papers/fine.md"], cache, max_mb=1,
                      timeout=30).start()
    job.join()
    assert len(list((cache / ahead.FOLDER).glob("*.json"))) == 1
    from issue.manuscripts.readers import read_manuscript

    doc = read_manuscript(tmp_path, "papers/fine.md", cache_dir=cache)
    assert "Keohane 1984" in doc.blocks[0].text
    assert not list((cache / ahead.FOLDER).glob("*.json")), "taken by the reader"
