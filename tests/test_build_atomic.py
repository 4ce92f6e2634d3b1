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
        # a killed process cannot remove its temporary folders: keep them in tmp_path, not the machine's /tmp
        scratch = tmp_path / "tmp"
        scratch.mkdir(exist_ok=True)
        proc = subprocess.Popen([EXE, "build", "--quiet"], cwd=scaffold, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(scratch)})
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


# -- reproducible: every output, from any folder, SOURCE_DATE_EPOCH honoured ------------------------------------
# where each writer puts its output (a writer that is present must have written something)
OUTPUT_OF = {"report": "report/", "html": "html/", "pdf": "pdf/", "epub": "epub/", "docx": "docx/", "jats": "jats/",
             "crossref": "crossref.xml"}
EPOCH_2020 = "1577836800"  # 2020-01-01T00:00:00Z


def _texts(path: Path) -> list[tuple[str, str]]:
    """The text of an output and, for a zip (EPUB, DOCX), of each member; for a PDF, its metadata."""
    import io
    import zipfile

    data = path.read_bytes()
    out = [(path.name, data.decode("utf-8", "replace"))]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            out += [(f"{path.name}:{n}", z.read(n).decode("utf-8", "replace")) for n in z.namelist()]
            out += [(f"{path.name}:{i.filename} (zip date)", "%04d-%02d-%02d" % i.date_time[:3]) for i in z.infolist()]
    elif data[:5] == b"%PDF-":
        from pypdf import PdfReader

        out.append((f"{path.name} (metadata)", str(PdfReader(io.BytesIO(data)).metadata)))
    return out


def test_every_output_is_byte_identical_from_another_folder_without_the_cache(scaffold, tmp_path):
    import shutil

    from issue.render import available

    other = tmp_path / "elsewhere" / "a-different-name"
    shutil.copytree(scaffold, other)
    assert build(scaffold, ISSUE_NO_CACHE="1", SOURCE_DATE_EPOCH=EPOCH_2020).returncode == 0
    assert build(other, ISSUE_NO_CACHE="1", SOURCE_DATE_EPOCH=EPOCH_2020).returncode == 0
    first, second = snapshot(scaffold / "build"), snapshot(other / "build")
    for writer in available():
        assert any(name.startswith(OUTPUT_OF.get(writer, writer)) for name in first), f"no output from {writer}"
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_source_date_epoch_is_honoured_and_no_output_carries_todays_date(scaffold, tmp_path):
    import datetime as dt
    import shutil

    later = tmp_path / "later"
    shutil.copytree(scaffold, later)
    assert build(scaffold, SOURCE_DATE_EPOCH=EPOCH_2020).returncode == 0
    assert build(later, SOURCE_DATE_EPOCH=str(int(EPOCH_2020) + 366 * 86400)).returncode == 0  # 2021-01-01
    today = dt.date.today().isoformat()
    dated: dict[str, set[str]] = {}
    for p in sorted((scaffold / "build").rglob("*")):
        rel = p.relative_to(scaffold / "build").as_posix()
        if not p.is_file() or rel.startswith(".cache/"):
            continue
        for name, text in _texts(p):
            assert today not in text or today.startswith("2020-01-01"), f"{name} carries today's date"
            if "2020-01-01" in text:
                dated.setdefault(rel.split("/")[0], set()).add(name)
    # the dates a reader sees (the pages' build date, EPUB and DOCX modification dates) come from SOURCE_DATE_EPOCH
    for folder in ("epub", "docx", "html"):
        if (scaffold / "build" / folder).is_dir():
            assert folder in dated, f"no output of {folder}/ shows the SOURCE_DATE_EPOCH date"
    first, second = snapshot(scaffold / "build"), snapshot(later / "build")
    changed = {name.split("/")[0] for name in first if first[name] != second.get(name)}
    assert changed and changed <= {"epub", "docx", "html", "report", "pdf", "jats", "crossref.xml"}


def test_two_builds_started_together_are_serialised(scaffold):
    assert build(scaffold).returncode == 0
    reference = snapshot(scaffold / "build")
    shutil_rm(scaffold / "build")
    procs = [subprocess.Popen([EXE, "build", "--quiet"], cwd=scaffold, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert all("Traceback" not in out + err for out, err in results)
    assert not list(scaffold.glob(".issue-build-*"))
    assert snapshot(scaffold / "build") == reference


def shutil_rm(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


# -- nothing changed: build/ is left as it is, the findings are those of the last build -------------------------
def build_cmd(root: Path, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, "build", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **env})


def outputs_state(build: Path) -> dict[str, tuple[int, int]]:
    """Each output file's inode and modification time: a file written again changes them."""
    return {p.relative_to(build).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(build.rglob("*"))
            if p.is_file() and not p.relative_to(build).as_posix().startswith(".cache/")}


def build_again(root: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, tuple[int, int]]]:
    """`issue build` of inputs just built, with the outputs' state before it. The package's code is an input too,
    and in a shared working tree someone may save a module meanwhile: the build then builds again (rightly), and
    the one after it is tried, twice at most."""
    for attempt in range(3):
        before = outputs_state(root / "build")
        p = build_cmd(root, *args)
        if "build/ is up to date" in p.stderr or attempt == 2:
            return p, before


def test_an_unchanged_issue_is_not_built_again_and_its_findings_are_reported_again(scaffold):
    paper = scaffold / "papers" / "smith.md"
    paper.write_text(paper.read_text().replace("low-hanging fruit", "low-hanging fruit [@nosuchwork2019]", 1))
    first = build_cmd(scaffold, "--format", "html")
    assert first.returncode == 0, first.stderr
    assert "nosuchwork2019" in first.stderr
    second, before = build_again(scaffold, "--format", "html")
    assert second.returncode == first.returncode
    assert "build/ is up to date" in second.stderr
    finding = [line for line in first.stderr.splitlines() if "nosuchwork2019" in line]
    assert finding and all(line in second.stderr.splitlines() for line in finding)
    assert outputs_state(scaffold / "build") == before  # not one file written again
    # --strict on the same inputs stops on the same error, from the stamp, and leaves build/ alone
    strict = build_cmd(scaffold, "--format", "html", "--strict")
    assert strict.returncode == 1
    assert "--strict: errors found" in strict.stderr and "nosuchwork2019" in strict.stderr
    assert outputs_state(scaffold / "build") == before


@pytest.mark.parametrize("change", ["manuscript", "template", "new bibliography file", "deleted output", "epoch",
                                    "formats"])
def test_any_change_to_what_the_build_is_made_from_builds_again(scaffold, change):
    assert build_cmd(scaffold, "--format", "html", "--quiet").returncode == 0
    site = scaffold / "build" / "html"
    env, args = {}, ["--format", "html", "--quiet"]
    if change == "manuscript":
        paper = scaffold / "papers" / "smith.md"
        paper.write_text(paper.read_text().replace("low-hanging fruit", "easiest field"))
    elif change == "template":
        (scaffold / "templates" / "html").mkdir(parents=True, exist_ok=True)
        (scaffold / "templates" / "html" / "landing.html").write_text(
            '{% extends "default/landing.html" %}{% block main %}<p>Overridden landing page</p>{% endblock %}')
    elif change == "new bibliography file":
        (scaffold / "bibliography" / "more.bib").write_text(
            "@book{quetzal2001,\n  author = {Quetzalcoatl, Ximena},\n  title = {Relief Without Rivals},\n"
            "  publisher = {Example Press},\n  year = {2001},\n}\n")
    elif change == "deleted output":
        (site / "index.html").unlink()
    elif change == "epoch":
        env["SOURCE_DATE_EPOCH"] = "1577836800"
    elif change == "formats":
        args = ["--format", "report", "--quiet"]
    before = outputs_state(scaffold / "build")
    again = build_cmd(scaffold, *args, **env)
    assert again.returncode == 0, again.stderr
    assert "up to date" not in again.stderr
    after = outputs_state(scaffold / "build")
    assert after != before
    assert (site / "index.html").is_file()
    page = (site / "index.html").read_text()
    if change == "manuscript":
        assert "easiest field" in (site / "smith.html").read_text()
    elif change == "template":
        assert "Overridden landing page" in page
    elif change == "new bibliography file":
        assert "Quetzalcoatl" in (site / "bibliography.html").read_text()
    elif change == "epoch":
        assert "2020-01-01" in page
    elif change == "formats":  # the website is kept from the build before (carried over, hard-linked)
        assert after["html/index.html"] == before["html/index.html"]
        assert after["report/check.json"] != before["report/check.json"]


def test_an_up_to_date_build_imports_neither_the_pipeline_nor_the_writers(scaffold):
    assert build_cmd(scaffold, "--format", "html", "--quiet").returncode == 0
    probe = ("import sys\nfrom issue.cli import run\ncode = run(['build', '--format', 'html', '--quiet'])\n"
             "heavy = sorted(m for m in sys.modules if m.startswith(('issue.pipeline', 'issue.render', 'jinja2',"
             " 'issue.citations', 'issue.concepts', 'issue.bibliography', 'pypandoc')))\n"
             "print(code, heavy)\n")
    for _ in range(3):  # a module saved meanwhile by someone else is a changed input: see build_again
        p = subprocess.run([sys.executable, "-c", probe], cwd=scaffold, capture_output=True, text=True,
                           env={**os.environ, "NO_COLOR": "1"})
        if p.stdout.strip() == "0 []":
            break
    assert p.stdout.strip() == "0 []", p.stdout + p.stderr
