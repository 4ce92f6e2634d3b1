"""How fast the shared bibliography loads: ../shared/corpora/s7minhas_whistle/master.bib (5,072 entries).

    python benchmarks/bib_load.py              # best of 3 runs each
    python benchmarks/bib_load.py --runs 5 --bib path/to/other.bib

Prints the load time cold (empty cache: parse, decode LaTeX, split names, inherit), from the cache (the same
files again), in a fresh process (imports included), and, for information, the B1xx checks, `refs format`
and the CSL-JSON export on the same file. Targets: cold <= 2 s, cached <= 0.3 s.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "corpora" / "s7minhas_whistle" / "master.bib"
TARGETS = {"cold": 2.0, "cached": 0.3}


CPU: dict[str, float] = {}  # label -> CPU seconds of the fastest run (steadier than wall time on a busy machine)


def best(fn, runs: int, label: str = "") -> tuple[float, object]:
    """The fastest of `runs` calls (wall clock). Results stay alive until all runs are done, so that freeing the
    previous result (200,000 objects) is not counted in the next run."""
    times, cpu, results = [], [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        results.append(fn())
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[label] = min(cpu)
    return min(times), results[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bib", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.bib.is_file():
        print(f"{args.bib} not found (the corpora live in ../shared/corpora)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO / "src"))
    from issue.bibliography import load_bibliography
    from issue.bibliography.checks import check_bibliography
    from issue.bibliography.export import csl_json_text
    from issue.bibliography.format import format_text

    root, name = args.bib.parent.resolve(), args.bib.name
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        def cold():
            cache = Path(tempfile.mkdtemp(dir=tmp))  # a new, empty cache each run
            return load_bibliography(root, [], files=[name], cache_dir=cache)

        cold_s, (bib, diags) = best(cold, args.runs, "load, cold")
        cache = Path(tmp) / "warm"
        load_bibliography(root, [], files=[name], cache_dir=cache)
        cached_s, _ = best(lambda: load_bibliography(root, [], files=[name], cache_dir=cache), args.runs,
                           "load, from the cache")
        rows += [("load, cold", cold_s, TARGETS["cold"]), ("load, from the cache", cached_s, TARGETS["cached"])]

        code = ("import sys,time; t=time.perf_counter(); sys.path.insert(0, sys.argv[3]);"
                "from issue.bibliography import load_bibliography; from pathlib import Path;"
                "load_bibliography(Path(sys.argv[1]), [], files=[sys.argv[2]]);"
                "print(time.perf_counter()-t)")
        fresh = min(float(subprocess.run([sys.executable, "-c", code, str(root), name, str(REPO / "src")],
                                         capture_output=True, text=True, check=True).stdout)
                    for _ in range(args.runs))
        rows.append(("load in a fresh process (imports included)", fresh, None))

    checks_s, findings = best(lambda: check_bibliography(bib), args.runs, "B1xx checks (not part of loading)")
    text = args.bib.read_text(encoding="utf-8", errors="replace")
    format_s, _ = best(lambda: format_text(text), 1, "refs format")
    export_s, _ = best(lambda: csl_json_text(bib), args.runs, "export CSL-JSON")
    rows += [("B1xx checks (not part of loading)", checks_s, None), ("refs format", format_s, None),
             ("export CSL-JSON", export_s, None)]

    print(f"{args.bib.name}: {len(bib.entries)} entries (+{len(bib.shadowed)} with a key already taken), "
          f"{len(diags)} loading findings, {len(findings)} check findings; best of {args.runs}")
    print(f"  {'':<46} {'wall':>9} {'cpu':>9}")
    for label, seconds, target in rows:
        verdict = ""
        if target:
            verdict = f"  target <= {target:.1f} s: {'ok' if seconds <= target else 'SLOW'} ({seconds / target:.0%})"
        cpu = f"{CPU[label]:7.3f} s" if label in CPU else " " * 9
        print(f"  {label:<46} {seconds:7.3f} s {cpu}{verdict}")
    print(f"  cache speed-up: {cold_s / cached_s:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
