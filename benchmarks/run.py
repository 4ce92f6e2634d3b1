"""`make bench`: how fast `issue check` and `issue build` are, how they scale, and beside bare pandoc.

For each size (contributions / words / entries) it generates a synthetic issue (generate.py), then times
`issue check` and `issue build --format html` cold (empty cache), warm (nothing changed) and after one manuscript
changed, with the time of each phase and the peak memory; and, on the same manuscripts, bare
`pandoc --citeproc` converting them one by one. Prints a table and the cost per 1,000 words; writes
build/bench/run.json.

    python benchmarks/run.py                  # sizes 6, 50, 200
    python benchmarks/run.py --sizes 6        # the small one only
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

SIZES = {6: (10_000, 150), 50: (10_000, 2_000), 200: (10_000, 10_000)}
ISSUE = str(Path(sys.executable).with_name("issue"))

# Runs a command and prints its own children's peak RSS: resource limits are per process tree.
MEASURE = r"""
import resource, subprocess, sys, time, json
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
timings = {}
for line in p.stderr.splitlines():
    if line.startswith("TIMINGS "):
        timings = json.loads(line[8:])
print(json.dumps({"wall": wall, "rss_mb": rss / 1024, "code": p.returncode, "timings": timings,
                  "err": p.stderr[-400:] if p.returncode not in (0, 1) else ""}))
"""


def measure(cmd: list[str], cwd: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], cwd=cwd, capture_output=True, text=True)
    return json.loads(out.stdout)


def words_of(root: Path) -> int:
    n = 0
    for p in (root / "papers").iterdir():
        if p.suffix in (".md", ".tex"):
            n += len(p.read_text(encoding="utf-8").split())
        elif p.suffix == ".docx":
            import zipfile
            import re

            xml = zipfile.ZipFile(p).read("word/document.xml").decode("utf-8")
            n += len(re.sub(r"<[^>]+>", " ", xml).split())
    return n


def touch_one(root: Path) -> None:
    p = sorted((root / "papers").glob("*.md"))[0]
    p.write_text(p.read_text(encoding="utf-8") + "\nOne more sentence about cooperation.\n", encoding="utf-8")


def bench_size(n: int, words: int, entries: int, work: Path, pandoc_too: bool) -> dict:
    root = work / f"issue-{n}"
    t0 = time.perf_counter()
    generate(root, n, words, entries)
    gen = time.perf_counter() - t0
    total_words = words_of(root)
    row: dict = {"contributions": n, "words": total_words, "entries": entries, "generate_s": round(gen, 2)}
    check = [ISSUE, "check", "--timings"]
    shutil.rmtree(root / "build", ignore_errors=True)
    row["check_cold"] = measure(check, root)
    row["check_warm"] = measure(check, root)
    touch_one(root)
    row["check_changed"] = measure(check, root)
    build = [ISSUE, "build", "--quiet", "--format", "html"]
    shutil.rmtree(root / "build", ignore_errors=True)
    row["build_cold"] = measure(build, root)
    row["build_warm"] = measure(build, root)
    touch_one(root)
    row["build_changed"] = measure(build, root)
    if pandoc_too:
        row["pandoc"] = bare_pandoc(root)
    return row


def bare_pandoc(root: Path) -> dict:
    """pandoc --citeproc on each manuscript, one by one: the engine under Quarto and most of our peers."""
    from issue.pandoc import pandoc_path

    bib = str(root / "bibliography" / "synthetic.bib")
    out = Path(tempfile.mkdtemp())
    t = time.perf_counter()
    for p in sorted((root / "papers").iterdir()):
        subprocess.run([pandoc_path(), str(p), "--citeproc", "--bibliography", bib, "-s", "-o",
                        str(out / (p.stem + ".html"))], capture_output=True)
    wall = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": wall}


def fmt_row(r: dict) -> list[str]:
    kw = r["words"] / 1000
    cells = [f"{r['contributions']}", f"{r['words']:,}", f"{r['entries']:,}"]
    for k in ("check_cold", "check_warm", "check_changed", "build_cold", "build_warm", "build_changed"):
        cells.append(f"{r[k]['wall']:.2f}")
    cells.append(f"{max(r[k]['rss_mb'] for k in r if isinstance(r[k], dict) and 'rss_mb' in r[k]):.0f}")
    cells.append(f"{r['check_cold']['wall'] / kw * 1000:.1f}")
    if "pandoc" in r:
        cells.append(f"{r['pandoc']['wall']:.2f}")
        cells.append(f"{r['build_cold']['wall'] / r['pandoc']['wall']:.2f}")
    else:
        cells += ["-", "-"]
    return cells


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="6,50,200", help="contributions per synthetic issue, comma-separated")
    ap.add_argument("--no-pandoc", action="store_true", help="skip the bare pandoc comparison")
    ap.add_argument("--keep", type=Path, help="generate the issues here and keep them")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="issue-bench-"))
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        words, entries = SIZES.get(n, (10_000, n * 50))
        print(f"size {n}: generating and timing...", file=sys.stderr, flush=True)
        rows.append(bench_size(n, words, entries, work, not args.no_pandoc))
    head = ["contribs", "words", "entries", "check cold", "warm", "changed", "build cold", "warm", "changed",
            "peak MB", "check ms/1k words", "pandoc", "build/pandoc"]
    table = [head] + [fmt_row(r) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    if len(rows) > 1:
        base = rows[0]["check_cold"]["wall"] / rows[0]["words"]
        for r in rows[1:]:
            print(f"cost per 1,000 words at {r['contributions']} contributions: "
                  f"{r['check_cold']['wall'] / r['words'] / base:.2f} x that at {rows[0]['contributions']}")
    print("phases of the largest cold check (s):", json.dumps(rows[-1]["check_cold"]["timings"]))
    out = REPO / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"wrote {out / 'run.json'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
