"""`make bench`: how fast `issue check` and `issue build` are, how they scale, how much memory they take, and how
they compare with bare pandoc on the same content.

For each size (contributions / words / entries) it generates a synthetic issue (generate.py), then times
`issue check` and `issue build --format html` cold (no cache), warm (nothing changed) and after one manuscript
changed, each with the time of every phase (load, parse, bibliography, citations, cross-references, index,
render, write: the hidden --timings flag), the CPU time, and the peak memory of the whole process tree (the sum
of the proportional set sizes of the command and its workers and pandoc processes, sampled every 50 ms). On the
same manuscripts it runs bare `pandoc --citeproc` to HTML one by one, two at a time (both cores). It also times
the demo issue (this repository's papers), loading the real 5,072-entry corpus bibliography, and checking the
corpora's manuscripts. Prints tables, the cost per 1,000 words at each size, the ratios to pandoc; writes
build/bench/run.json.

The code measured is a snapshot of src/issue taken when the run starts, so that edits in the working tree during
a run neither change what is measured nor make the cache look stale.

    python benchmarks/run.py                       # sizes 6, 50, 200, the demo and the corpora
    python benchmarks/run.py --sizes 6 --no-pandoc # quick
    python benchmarks/run.py --keep /tmp/bench     # keep the generated issues
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

# contributions -> (words per contribution, bibliography entries)
SIZES = {6: (10_000, 150), 50: (10_000, 2_000), 200: (10_000, 10_000)}
TARGETS = {"check_cold": 20.0, "check_warm": 1.5, "check_changed": 3.0, "peak_mb": 1536, "scaling": 1.3,
           "demo_cold": 1.5, "demo_warm": 0.5}
CORPORA = REPO.parent / "shared" / "corpora"
BOOT = "import sys; sys.argv[0] = 'issue'; from issue.cli import main_entry; main_entry()"
PHASES = ["load", "parse", "bibliography", "citations", "cross-references", "index", "render", "write"]


class Runner:
    """Runs `issue` from the snapshot of the code."""

    def __init__(self, code: Path):
        self.env = {**os.environ, "PYTHONPATH": str(code), "NO_COLOR": "1"}
        self.env.pop("ISSUE_NO_CACHE", None)

    def issue(self, args: list[str], cwd: Path) -> dict:
        return measure([sys.executable, "-c", BOOT, *args], cwd, self.env)

    def python(self, code: str, cwd: Path) -> dict:
        return measure([sys.executable, "-c", code], cwd, self.env)


def measure(cmd: list[str], cwd: Path, env: dict) -> dict:
    """Wall time, CPU time (user + system, the command and every process it waited for), peak memory of the
    process tree, exit status, and the phase timings the command printed."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    import threading

    out: dict[str, bytes] = {}

    def drain(name, stream):
        out[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s)) for n, s in (("out", p.stdout), ("err", p.stderr))]
    for r in readers:
        r.start()
    while True:
        try:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            break
        peak = max(peak, tree_pss_kb(p.pid))
        # every 50 ms, then every 250 ms after the first 2 s: reading the proportional set sizes makes the kernel
        # walk each process's memory, and at 50 ms through a 20 s run that took a tenth of this 2-core machine
        time.sleep(0.05 if time.perf_counter() - t0 < 2 else 0.25)
    wall = time.perf_counter() - t0
    for r in readers:
        r.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    err = out.get("err", b"").decode("utf-8", "replace")
    timings = {}
    for line in err.splitlines():
        if line.startswith("TIMINGS "):
            timings = json.loads(line[8:])
    return {"wall": round(wall, 3), "cpu": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(peak / 1024, 1), "code": p.returncode, "timings": timings,
            "load": round(os.getloadavg()[0], 2),  # the machine is shared: beside every timing
            "stdout": out.get("out", b"").decode("utf-8", "replace"),
            "err": err[-600:] if p.returncode not in (0, 1) else ""}


def tree_pss_kb(root: int) -> int:
    """The summed proportional set size of a process and its descendants (shared pages counted once)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo += [int(x) for x in f.read().split()]
        except OSError:
            continue
    return total


def snapshot(work: Path) -> Path:
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    shutil.copytree(REPO / "src" / "issue", code / "issue", ignore=shutil.ignore_patterns("__pycache__"))
    return code


def words_of(root: Path) -> int:
    import re
    import zipfile

    n = 0
    for p in (root / "papers").iterdir():
        if p.suffix in (".md", ".tex"):
            n += len(p.read_text(encoding="utf-8").split())
        elif p.suffix == ".docx":
            xml = zipfile.ZipFile(p).read("word/document.xml").decode("utf-8")
            n += len(re.sub(r"<[^>]+>", " ", xml).split())
    return n


EDIT = "\nOne more sentence about regional cooperation and its limits (Keohane 1984).\n"


def touch_one(root: Path) -> None:
    """An author's edit: one sentence more in one Markdown manuscript."""
    p = sorted((root / "papers").glob("*.md"))[0]
    p.write_text(p.read_text(encoding="utf-8") + EDIT, encoding="utf-8")


def cold_warm_changed(run: Runner, root: Path, args: list[str], prefix: str, row: dict) -> None:
    shutil.rmtree(root / "build", ignore_errors=True)
    row[f"{prefix}_cold"] = run.issue(args, root)
    row[f"{prefix}_warm"] = run.issue(args, root)
    touch_one(root)
    row[f"{prefix}_changed"] = run.issue(args, root)
    for k in ("cold", "warm", "changed"):
        row[f"{prefix}_{k}"].pop("stdout", None)


def bench_size(run: Runner, n: int, words: int, entries: int, work: Path, pandoc_too: bool, build: bool) -> dict:
    root = work / f"issue-{n}"
    t0 = time.perf_counter()
    generate(root, n, words, entries)
    row: dict = {"contributions": n, "words": words_of(root), "entries": entries,
                 "generate_s": round(time.perf_counter() - t0, 2)}
    cold_warm_changed(run, root, ["check", "--timings"], "check", row)
    if build:
        cold_warm_changed(run, root, ["build", "--quiet", "--timings", "--format", "html"], "build", row)
    if pandoc_too:
        row["pandoc"] = bare_pandoc(root)
    return row


def bare_pandoc(root: Path) -> dict:
    """pandoc --citeproc to standalone HTML, each manuscript on its own, two at a time (both cores): what Quarto
    and most of our peers run for each chapter."""
    from issue.pandoc import pandoc_path

    bib = str(next((root / "bibliography").glob("*.bib")))
    out = Path(tempfile.mkdtemp())
    papers = sorted(p for p in (root / "papers").iterdir() if p.suffix in (".md", ".docx", ".tex"))

    def one(p: Path) -> float:
        t = time.perf_counter()
        subprocess.run([pandoc_path(), str(p), "--citeproc", "--bibliography", bib, "-s", "-o",
                        str(out / (p.stem + ".html"))], capture_output=True)
        return time.perf_counter() - t

    before = os.times()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        each = list(pool.map(one, papers))
    wall = time.perf_counter() - t0
    after = os.times()
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": round(wall, 3), "cpu": round(after.children_user - before.children_user
                                                  + after.children_system - before.children_system, 3),
            "serial": round(sum(each), 3), "manuscripts": len(papers)}


def bench_demo(run: Runner, work: Path) -> dict:
    """The demo issue (this repository's papers, bibliography and vocabulary), copied so that the repository's
    own build/ is left alone."""
    root = work / "demo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for name in ("issue.toml", "concepts.toml"):
        if (REPO / name).is_file():
            shutil.copy(REPO / name, root / name)
    for folder in ("papers", "bibliography"):
        shutil.copytree(REPO / folder, root / folder)
    row: dict = {"words": words_of(root)}
    cold_warm_changed(run, root, ["check", "--timings"], "check", row)
    cold_warm_changed(run, root, ["build", "--quiet", "--timings", "--format", "html"], "build", row)
    return row


BIB_LOAD = """
import json, sys, time, tempfile
from pathlib import Path
from issue.bibliography import load_bibliography
bib = Path(sys.argv[1]); cache = Path(tempfile.mkdtemp())
t = time.perf_counter(); b, d = load_bibliography(bib.parent, [bib.name], cache_dir=cache); cold = time.perf_counter() - t
t = time.perf_counter(); b, d = load_bibliography(bib.parent, [bib.name], cache_dir=cache); warm = time.perf_counter() - t
print(json.dumps({"entries": len(b.entries), "findings": len(d), "cold": round(cold, 3), "cached": round(warm, 3)}))
"""


def bench_corpora(run: Runner, work: Path) -> dict:
    """The real corpus: master.bib (5,072 entries) loaded cold and from the cache, and each corpus manuscript
    checked against its own .bib (copied, the R Markdown read as Markdown), cold and warm."""
    if not CORPORA.is_dir():
        return {"skipped": f"{CORPORA} is absent"}
    out: dict = {}
    master = CORPORA / "s7minhas_whistle" / "master.bib"
    if master.is_file():
        r = run.python(BIB_LOAD.replace("sys.argv[1]", repr(str(master))), work)
        out["master_bib"] = json.loads(r["stdout"]) if r["code"] == 0 else {"error": r["err"]}
        out["master_bib"]["process_wall"], out["master_bib"]["peak_mb"] = r["wall"], r["peak_mb"]
    for folder, manuscript, bib in (("andrewheiss_cautioning-canary", "manuscript/manuscript.Rmd",
                                     "manuscript/bibliography.bib"),
                                    ("jsks_ma-thesis", "paper.Rmd", "library.bib")):
        src = CORPORA / folder
        if not (src / manuscript).is_file():
            continue
        dest = work / "corpora" / folder
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        shutil.copy(src / manuscript, dest / "paper.md")
        shutil.copy(src / bib, dest / "refs.bib")
        args = ["check", "paper.md", "--bibliography", "refs.bib", "--timings"]
        cold = run.issue(args, dest)
        warm = run.issue(args, dest)
        summary = next((ln for ln in cold["stdout"].splitlines()[::-1] if ln.startswith("found ")), "")
        for r in (cold, warm):
            r.pop("stdout", None)
        out[folder] = {"words": len((dest / "paper.md").read_text(encoding="utf-8").split()), "cold": cold,
                       "warm": warm, "found": summary}
    return out


# -- printing ------------------------------------------------------------------------------------------------------
def table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in [head] + rows)


def peak(r: dict) -> float:
    return max(v["peak_mb"] for v in r.values() if isinstance(v, dict) and "peak_mb" in v)


def report(rows: list[dict], demo: dict | None, corpora: dict | None, machine: dict) -> str:
    lines = [f"machine: {machine['cpus']} cores, load average {machine['load_before']} before and "
             f"{machine['load_after']} after; Python {machine['python']}; {machine['pandoc']}", ""]
    head = ["contribs", "words", "entries", "check cold", "warm", "changed", "build cold", "warm", "changed",
            "peak MB", "ms/1k words", "cpu ms/1k", "pandoc", "check/pandoc", "build/pandoc"]
    body = []
    for r in rows:
        kw = r["words"] / 1000
        cells = [f"{r['contributions']}", f"{r['words']:,}", f"{r['entries']:,}"]
        cells += [f"{r[k]['wall']:.2f}" if k in r else "-" for k in ("check_cold", "check_warm", "check_changed",
                                                                       "build_cold", "build_warm", "build_changed")]
        cells += [f"{peak(r):.0f}", f"{r['check_cold']['wall'] / kw * 1000:.1f}",
                  f"{r['check_cold']['cpu'] / kw * 1000:.1f}"]
        if "pandoc" in r:
            p = r["pandoc"]["wall"]
            cells += [f"{p:.2f}", f"{r['check_cold']['wall'] / p:.2f}",
                      f"{r['build_cold']['wall'] / p:.2f}" if "build_cold" in r else "-"]
        else:
            cells += ["-", "-", "-"]
        body.append(cells)
    lines += ["seconds (wall clock); peak MB: the whole process tree; ms/1k words: cold check, wall clock and CPU "
              "time (the command, its workers and pandoc)", table(head, body), ""]
    if len(rows) > 1:
        base = rows[0]["check_cold"]["wall"] / rows[0]["words"]
        base_cpu = rows[0]["check_cold"]["cpu"] / rows[0]["words"]
        for r in rows[1:]:
            lines.append(f"cost per 1,000 words at {r['contributions']} contributions: "
                         f"{r['check_cold']['wall'] / r['words'] / base:.2f} x that at {rows[0]['contributions']} "
                         f"(CPU time: {r['check_cold']['cpu'] / r['words'] / base_cpu:.2f} x)")
        lines.append("")
    head = ["run"] + PHASES + ["sum", "wall", "cpu", "load"]
    body = []
    for r in rows + ([dict(demo, contributions="demo")] if demo else []):
        for k in ("check_cold", "check_warm", "check_changed", "build_cold", "build_warm", "build_changed"):
            if k not in r:
                continue
            t = r[k]["timings"]
            cells = [f"{r['contributions']} {k.replace('_', ' ')}"]
            cells += [f"{t.get(p, 0.0):.2f}" if p in t else "-" for p in PHASES]
            cells += [f"{sum(v for key, v in t.items() if key in PHASES):.2f}", f"{r[k]['wall']:.2f}",
                      f"{r[k]['cpu']:.2f}", f"{r[k].get('load', 0):.1f}"]
            body.append(cells)
    lines += ["phases (seconds; the parallel stretch is shared out in proportion to the workers' time; wall also "
              "counts starting Python)", table(head, body), ""]
    if demo:
        lines.append(f"demo issue ({demo['words']:,} words): check cold {demo['check_cold']['wall']:.2f} s, warm "
                     f"{demo['check_warm']['wall']:.2f} s, one manuscript changed {demo['check_changed']['wall']:.2f} s; "
                     f"build --format html cold {demo['build_cold']['wall']:.2f} s, warm {demo['build_warm']['wall']:.2f} s")
    if corpora and "skipped" not in corpora:
        m = corpora.get("master_bib")
        if m and "entries" in m:
            lines.append(f"master.bib: {m['entries']:,} entries, {m['findings']:,} findings; loaded cold in "
                         f"{m['cold']:.2f} s, from the cache in {m['cached']:.2f} s")
        for name, c in corpora.items():
            if name == "master_bib":
                continue
            lines.append(f"{name} ({c['words']:,} words): issue check cold {c['cold']['wall']:.2f} s, warm "
                         f"{c['warm']['wall']:.2f} s; {c['found']}")
    lines.append("")
    lines += targets(rows, demo)
    return "\n".join(lines)


def targets(rows: list[dict], demo: dict | None) -> list[str]:
    out = ["targets (this 2-core machine):"]

    def say(what: str, value: float, limit: float, unit: str = " s") -> None:
        out.append(f"  {what}: {value:.2f}{unit} (target <= {limit:g}{unit}) {'met' if value <= limit else 'NOT met'}")

    big = next((r for r in rows if r["contributions"] == 200), None)
    if big:
        say("200 contributions, check cold", big["check_cold"]["wall"], TARGETS["check_cold"])
        say("200 contributions, check warm", big["check_warm"]["wall"], TARGETS["check_warm"])
        say("200 contributions, check after one change", big["check_changed"]["wall"], TARGETS["check_changed"])
        say("200 contributions, peak memory of check", max(big[k]["peak_mb"] for k in
                                                           ("check_cold", "check_warm", "check_changed")),
            TARGETS["peak_mb"], " MB")
        small = next((r for r in rows if r["contributions"] == 6), None)
        if small:
            say("cost per 1,000 words at 200 / at 6", (big["check_cold"]["wall"] / big["words"])
                / (small["check_cold"]["wall"] / small["words"]), TARGETS["scaling"], " x")
    if demo:
        say("demo, check cold", demo["check_cold"]["wall"], TARGETS["demo_cold"])
        say("demo, check warm", demo["check_warm"]["wall"], TARGETS["demo_warm"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="6,50,200", help="contributions per synthetic issue, comma-separated")
    ap.add_argument("--no-pandoc", action="store_true", help="skip the bare pandoc comparison")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo issue and the corpora")
    ap.add_argument("--no-build", action="store_true", help="time `issue check` only")
    ap.add_argument("--keep", type=Path, help="generate the issues here and keep them")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="issue-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    run = Runner(snapshot(work))
    from issue.pandoc import pandoc_path

    machine = {"cpus": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2), "python": platform.python_version(),
               "pandoc": subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True).stdout.split("\n")[0]}
    rows = []
    for n in (int(s) for s in args.sizes.split(",") if s):
        words, entries = SIZES.get(n, (10_000, n * 50))
        print(f"size {n}: generating and timing...", file=sys.stderr, flush=True)
        rows.append(bench_size(run, n, words, entries, work, not args.no_pandoc, not args.no_build))
    demo = corpora = None
    if not args.no_demo:
        print("the demo issue and the corpora...", file=sys.stderr, flush=True)
        demo = bench_demo(run, work)
        corpora = bench_corpora(run, work)
    machine["load_after"] = round(os.getloadavg()[0], 2)
    text = report(rows, demo, corpora, machine)
    print(text)
    out = REPO / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").write_text(json.dumps({"machine": machine, "sizes": rows, "demo": demo, "corpora": corpora},
                                             indent=2), encoding="utf-8")
    (out / "run.txt").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {out / 'run.json'} and run.txt")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
