"""pandoc started ahead (manuscripts.ahead): a large issue's manuscripts converted while the bibliography loads
must read exactly as if the reader had run pandoc itself, and the reader must not run pandoc on them again."""
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


def test_manuscripts_read_ahead_give_the_same_findings_and_are_not_read_again(cli, large, monkeypatch, tmp_path):
    from issue import pandoc
    from issue.manuscripts import ahead
    from issue.manuscripts.readers import pandoc_output_path

    made: list[Path] = []
    real_close = ahead.Ahead.close
    monkeypatch.setattr(ahead.Ahead, "close", lambda self: made.extend(self.made) or real_close(self))
    slow_start = ahead.Ahead.start
    # let the conversions ahead finish before the workers start, so that the readers find every one of them
    monkeypatch.setattr(ahead.Ahead, "start", lambda self: slow_start(self).join() or self)
    log = tmp_path / "read-by-the-readers.txt"  # written by the forked workers too
    real_run = pandoc.run

    def run(args, input=None, **kwargs):
        if args[-2:] == ["-t", "json"]:
            with log.open("a", encoding="utf-8") as fh:
                fh.write(f"{pandoc_output_path(large / 'build' / '.cache', args, input)}\n")
        return real_run(args, input=input, **kwargs)

    monkeypatch.setattr(pandoc, "run", run)
    alone = _check(cli, large, monkeypatch, "1")  # one process: nothing is converted ahead
    assert made == []
    log.unlink()
    together = _check(cli, large, monkeypatch, "2")
    assert len(made) >= 2, "the manuscripts the workers reach last were converted ahead"
    assert together == alone
    read_again = set(log.read_text(encoding="utf-8").split()) if log.exists() else set()
    assert not read_again & {str(p) for p in made}, "the readers used what was converted ahead"


def test_a_manuscript_the_reader_refuses_is_not_converted_ahead(tmp_path, monkeypatch):
    from issue import pandoc
    from issue.manuscripts import ahead
    from issue.manuscripts.readers import PANDOC_CACHE, read_manuscript

    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "big.md").write_text("word " * 300_000, encoding="utf-8")  # 1.5 MB
    (tmp_path / "papers" / "latin1.md").write_bytes("Caf\xe9 society".encode("latin-1"))
    (tmp_path / "papers" / "fine.md").write_text("Regional cooperation (Keohane 1984).\n", encoding="utf-8")
    cache = tmp_path / "cache"
    job = ahead.Ahead(tmp_path, ["papers/big.md", "papers/latin1.md", "papers/fine.md"], cache, max_mb=1,
                      timeout=30).start()
    job.join()
    assert len(list((cache / PANDOC_CACHE).glob("*.json"))) == 1

    def no_pandoc(*args, **kwargs):
        raise AssertionError("pandoc ran again")

    monkeypatch.setattr(pandoc, "run", no_pandoc)
    doc = read_manuscript(tmp_path, "papers/fine.md", cache_dir=cache)
    assert "Keohane 1984" in doc.blocks[0].text
