"""The demo issue's PDF: `issue build --format pdf` warm (target <= 2 s), beside the HTML build and beside bare
pandoc-to-Typst-to-PDF on the same manuscripts (pandoc --citeproc to Typst for each, then one Typst compile).

    python benchmarks/pdf_build.py            # 3 runs each, the best is printed
    python benchmarks/pdf_build.py --runs 5

Works on a copy of the demo issue in a temporary folder; prints a table and writes build/bench/pdf.json.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from html_build import copy_issue  # the same copy of the issue as the website benchmark (this folder is on the path)

REPO = Path(__file__).resolve().parent.parent
ISSUE = str(Path(sys.executable).with_name("issue"))


def timed(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - t


def bare(root: Path) -> float:
    """pandoc --citeproc -> Typst for each manuscript, then one Typst compile of them all (no front matter, no
    index, no checks): the floor for the same content."""
    import pypandoc
    import typst

    pandoc = pypandoc.get_pandoc_path()
    from issue.render import csl
    from issue.project import load_issue

    issue, _ = load_issue(root)
    style = csl.resolve(issue)[0].path
    bib = root / "bibliography" / "issue.bib"
    t = time.perf_counter()
    bodies = []
    for c in issue.contributions:
        out = subprocess.run([pandoc, "--sandbox", str(root / c.file), "-t", "typst", "--citeproc", "--csl", str(style),
                              "--bibliography", str(bib)], capture_output=True, text=True)
        bodies.append(out.stdout)
    source = "#set page(width: 156mm, height: 234mm)\n#set text(font: \"Libertinus Serif\", size: 10pt)\n" + \
        "\n#pagebreak()\n".join(bodies)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.typ").write_text(source, encoding="utf-8")
        try:
            typst.compile(str(Path(tmp) / "bare.typ"), output=str(Path(tmp) / "bare.pdf"), root=tmp,
                          ignore_system_fonts=True)
        except Exception as exc:  # labels repeated across papers: the trap the writer avoids
            print(f"  (bare Typst compile failed: {str(exc).splitlines()[0][:100]})")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="issue-pdf-bench-") as tmp:
        root = copy_issue(REPO, Path(tmp))
        cold = timed([ISSUE, "build", "--format", "pdf", "-q"], root)
        warm = min(timed([ISSUE, "build", "--format", "pdf", "-q"], root) for _ in range(args.runs))
        html_cold = timed([ISSUE, "build", "--format", "html", "-q"], root)
        html_warm = min(timed([ISSUE, "build", "--format", "html", "-q"], root) for _ in range(args.runs))
        check = min(timed([ISSUE, "check"], root) for _ in range(args.runs))
        floor = min(bare(root) for _ in range(args.runs))
        pages = 0
        try:
            import pypdf

            pages = len(pypdf.PdfReader(str(root / "build" / "pdf" / "issue.pdf")).pages)
        except Exception:
            pass
    figures = {"pdf_cold_s": cold, "pdf_warm_s": warm, "html_cold_s": html_cold, "html_warm_s": html_warm,
               "check_s": check, "bare_pandoc_typst_s": floor, "pages": pages}
    print(f"demo issue, {pages} pages (best of {args.runs})")
    print(f"  issue build --format pdf   cold {cold:6.2f} s   warm {warm:6.2f} s   (target warm <= 2 s)")
    print(f"  issue build --format html  cold {html_cold:6.2f} s   warm {html_warm:6.2f} s")
    print(f"  issue check                     {check:6.2f} s   (part of every build)")
    print(f"  bare pandoc -> Typst -> PDF     {floor:6.2f} s   (no checks, front matter or index)")
    print(f"  pdf warm / bare = {warm / floor:.2f}; pdf cold / bare = {cold / floor:.2f}")
    out = REPO / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pdf.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
