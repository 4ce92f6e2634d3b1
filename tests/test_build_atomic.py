"""build/ is replaced atomically, builds are serialised by a lock, and two builds are byte-identical."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("issue"))


def snapshot(build: Path) -> dict[str, str]:
    """Every output file under build/ with its hash (the cache is not an output)."""
    out = {}
    for p in sorted(build.rglob("*")):
        rel = p.relative_to(build).as_posix()
        if p.is_file() and not rel.startswith(".cache/"):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def scaffold(tmp_path: Path) -> Path:
    subprocess.run([EXE, "init", str(tmp_path / "issue")], check=True, capture_output=True)
    return tmp_path / "issue"


def build(root: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, "build", "--quiet"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, **env})


def test_two_builds_of_the_same_inputs_are_byte_identical(scaffold):
    assert build(scaffold).returncode == 0
    first = snapshot(scaffold / "build")
    assert first
    assert build(scaffold).returncode == 0
    assert snapshot(scaffold / "build") == first


def test_killed_build_leaves_the_old_or_the_new_tree(scaffold, tmp_path):
    import shutil

    assert build(scaffold).returncode == 0
    old = snapshot(scaffold / "build")
    saved_old = tmp_path / "old-build"
    shutil.copytree(scaffold / "build", saved_old)
    paper = scaffold / "papers" / "smith.md"
    paper.write_text(paper.read_text().replace("low-hanging fruit", "easiest field") + "\n<script>x()</script>\n")
    copy = tmp_path / "copy"
    shutil.copytree(scaffold, copy)
    assert build(copy).returncode == 0
    new = snapshot(copy / "build")
    assert new != old
    rng = random.Random(20200101)
    seen = set()
    for _ in range(10):
        shutil.rmtree(scaffold / "build")
        shutil.copytree(saved_old, scaffold / "build")
        proc = subprocess.Popen([EXE, "build", "--quiet"], cwd=scaffold, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = snapshot(scaffold / "build")
        assert now in (old, new), "build/ is neither the old nor the new complete tree"
        seen.add("old" if now == old else "new")
    print(f"killed builds left the old tree or the new one: {sorted(seen)}")
    # a later build cleans up what a killed one left behind, and finishes the new tree
    assert build(scaffold).returncode == 0
    assert not list(scaffold.glob(".issue-build-*"))
    assert snapshot(scaffold / "build") == new


def test_a_second_build_waits_for_the_lock_and_says_so(scaffold):
    from filelock import FileLock

    with FileLock(str(scaffold / ".issue-build.lock")):
        p = build(scaffold, ISSUE_LOCK_TIMEOUT="0.5")
    assert p.returncode == 1
    assert "another `issue build` is running" in p.stderr
    assert "Traceback" not in p.stderr
