"""The website build against bare pandoc, side by side in one run.

    .venv/bin/python benchmarks/html_build.py [ISSUE_FOLDER] [--repeat N]

Prints, for the demo issue (the repository) or the given folder, copied to a scratch folder, side by side:
  bare     pandoc converting each manuscript one by one to HTML with --citeproc (the same style and .bib files)
  cold     `issue build --format html` with no build/ at all (checks included, as a user runs it)
  warm     the same again with nothing changed
each as wall time and CPU time (the process and its children: pandoc), with the HTML writer's own time from the
hidden --timings flag, the ratio cold / bare (target <= 1.3) and the warm wall time (target <= 0.3 s), and the
load average before and after (the machine may be shared: wall times grow with the load, CPU times less).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))


def copy_issue(src: Path, dest: Path) -> Path:
    target = dest / "issue"
    shutil.copytree(src, target, ignore=shutil.ignore_patterns("build", ".venv", ".git", "node_modules", "tests",
                                                               "src", "benchmarks", ".issue-build*", "*.egg-info"))
    return target


def bare_pandoc(root: Path) -> float:
    from issue.pandoc import pandoc_path
    from issue.project import load_issue
    from issue.render import csl

    issue, _ = load_issue(root)
    style = csl.resolve(issue)[0].path
    bibs = sorted(p for pattern in issue.bibliography for p in glob.glob(str(root / pattern)))
    out = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    for c in issue.contributions:
        args = [pandoc_path(), str(root / c.file), "--citeproc", "--csl", str(style), "-t", "html5", "-s",
                "--metadata", f"title={c.title}", "-o", str(out / f"{c.id}.html")]
        for b in bibs:
            args += ["--bibliography", b]
        subprocess.run(args, check=True, capture_output=True)
    elapsed = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    return elapsed


def issue_build(root: Path) -> tuple[float, float, float]:
    """(wall, CPU with children, the HTML writer's time) of `issue build --format html` in a fresh process."""
    exe = Path(sys.executable).with_name("issue")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), "--project", str(root), "build", "--format", "html", "--quiet", "--timings"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"issue build failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    timings = {}
    for line in proc.stderr.splitlines():
        if line.startswith("TIMINGS "):
            timings = json.loads(line[len("TIMINGS "):])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, float(timings.get("render-html", 0.0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(REPO))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_issue(Path(args.folder).resolve(), Path(tmp))
        load_before = os.getloadavg()
        bare, bare_cpu, cold, warm = [], [], [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            bare.append(bare_pandoc(root))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            bare_cpu.append((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
            shutil.rmtree(root / "build", ignore_errors=True)
            cold.append(issue_build(root))
            warm.append(issue_build(root))
        load_after = os.getloadavg()
        med = statistics.median
        n = len(__import__("issue.project", fromlist=["load_issue"]).load_issue(root)[0].contributions)
        print(f"issue: {args.folder} ({n} manuscripts), median of {args.repeat} runs; load average "
              f"{load_before[0]:.2f} before, {load_after[0]:.2f} after")
        print(f"  {'':40} {'wall':>8} {'CPU':>8}")
        print(f"  {'bare pandoc, one by one, --citeproc':40} {med(bare):7.2f}s {med(bare_cpu):7.2f}s")
        print(f"  {'issue build --format html, cold':40} {med(w for w, _, _ in cold):7.2f}s "
              f"{med(c for _, c, _ in cold):7.2f}s  (HTML writer {med(r for _, _, r in cold):.2f} s)")
        print(f"  {'issue build --format html, warm':40} {med(w for w, _, _ in warm):7.2f}s "
              f"{med(c for _, c, _ in warm):7.2f}s")
        ratio = med(w for w, _, _ in cold) / med(bare)
        print(f"  cold / bare: {ratio:.2f} (target <= 1.3); warm: {med(w for w, _, _ in warm):.2f} s (target <= 0.3 s)")
        # each repetition's own ratio (bare and cold ran one after the other): the spread the machine's load gives
        each = sorted(c[0] / b for b, c in zip(bare, cold))
        print(f"  cold / bare, run by run: lowest {each[0]:.2f}, median {med(each):.2f}, highest {each[-1]:.2f}")


if __name__ == "__main__":
    main()
