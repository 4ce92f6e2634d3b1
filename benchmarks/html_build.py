"""The website build against bare pandoc, side by side in one run.

    .venv/bin/python benchmarks/html_build.py [ISSUE_FOLDER] [--repeat N]

Prints, for the demo issue (the repository) or the given folder, copied to a scratch folder:
  bare     pandoc converting each manuscript one by one to HTML with --citeproc (the same style and .bib files)
  cold     `issue build --format html` with no cache (checks included, as a user runs it)
  warm     the same again with nothing changed
  render   the HTML writer's own time inside the cold and warm builds
and the ratios the issue sets as targets: cold <= 1.3 x bare, warm <= 0.3 s.
"""
from __future__ import annotations

import argparse
import glob
import os
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


def issue_build(root: Path) -> tuple[float, float]:
    """(wall time of `issue build --format html`, the HTML writer's time) in a fresh process."""
    env = {**os.environ, "ISSUE_TIMINGS": str(root / "timings.txt")}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(root)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"issue build failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    render = float((root / "timings.txt").read_text().strip() or 0)
    return wall, render


# the CLI's build, with the writer's timing written out (the timing is what ctx.timed records)
RUNNER = """
import os, sys
from issue import cli
from issue.pipeline import Context
seen = {}
orig = Context.timed
def timed(self, phase, fn):
    try:
        return orig(self, phase, fn)
    finally:
        seen.update(self.timings)
Context.timed = timed
code = cli.run(["--project", sys.argv[1], "build", "--format", "html", "--quiet"])
open(os.environ["ISSUE_TIMINGS"], "w").write(str(seen.get("render-html", 0.0)))
sys.exit(code)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(REPO))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_issue(Path(args.folder).resolve(), Path(tmp))
        bare, cold, cold_render, warm, warm_render = [], [], [], [], []
        for _ in range(args.repeat):
            bare.append(bare_pandoc(root))
            shutil.rmtree(root / "build", ignore_errors=True)
            wall, render = issue_build(root)
            cold.append(wall)
            cold_render.append(render)
            wall, render = issue_build(root)
            warm.append(wall)
            warm_render.append(render)
        med = statistics.median
        n = len(__import__("issue.project", fromlist=["load_issue"]).load_issue(root)[0].contributions)
        print(f"issue: {args.folder} ({n} manuscripts), median of {args.repeat} runs")
        print(f"  bare pandoc, one by one, --citeproc : {med(bare):6.2f} s")
        print(f"  issue build --format html, cold      : {med(cold):6.2f} s  (HTML writer {med(cold_render):.2f} s)"
              f"  ratio {med(cold) / med(bare):.2f} (target <= 1.3)")
        print(f"  issue build --format html, warm      : {med(warm):6.2f} s  (HTML writer {med(warm_render):.2f} s)"
              f"  (target <= 0.3 s)")


if __name__ == "__main__":
    main()
