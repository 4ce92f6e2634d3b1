"""A long fuzzing run of the parsers that read what authors type: hypothesis, with far more examples than the
test suite, over the same properties as tests/test_properties.py, plus the manuscript readers.

Targets (each checks its properties on every input, not only that nothing raises):
  prose       the citation grammar (issue.citations.prose) on author-shaped prose and on any text
  extract     the whole citation analysis on plain-text manuscripts (spans inside their paragraph, stable)
  bib-bytes   the BibTeX loader and its checks on any bytes and on BibTeX-shaped pieces
  bib-damage  one character of a well-formed .bib damaged: the entries before it survive, a loss is reported
  index       the index sort key (a total order, for every mode) and the built index's order
  readers     the plain-text reader on any text; every reader on random bytes (.txt, .md, .docx, .odt)
  pandoc      Markdown and LaTeX snippets through pandoc (slow: fewer inputs)

    python benchmarks/fuzz.py                       # every target, the default number of inputs
    python benchmarks/fuzz.py --scale 0.1           # a tenth of that (a quick look)
    python benchmarks/fuzz.py --only bib-bytes --scale 5 --seed 7

Prints, for each target, the inputs tried, the time, and what was found (the first failure hypothesis shrank,
with its input); writes build/bench/fuzz.json. The results of a long run are in benchmarks/FUZZING.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))  # the strategies and checks of test_properties.py

from hypothesis import HealthCheck, Phase, given, seed as hseed, settings, strategies as st  # noqa: E402

import test_properties as P  # noqa: E402

DEFAULT = {"prose": 20_000, "extract": 3_000, "bib-bytes": 20_000, "bib-damage": 5_000, "index": 20_000,
           "readers": 3_000, "pandoc": 300}


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> None:
        self.n += 1


# -- targets: each returns a function of (counter) that runs the hypothesis search ------------------------------
def t_prose(count: Counter, s):
    from issue.bibliography import load_text
    from issue.citations import prose
    from issue.citations.resolve import Resolver
    from issue.model import Issue

    bib, _ = load_text(P.BIB_FOR_PROSE)
    resolver = Resolver(bib, {}, Issue(root=Path("/nonexistent-issue"), title="", year=2020))

    @s
    @given(text=st.one_of(P.PROSE, st.text(max_size=400)), note=st.booleans())
    def run(text, note):
        count()
        ctx = prose.Context(known_surname=resolver.known_surname, max_year=2022)
        found = prose.ProseParser(ctx).parse(text, note=note)
        P._check_found(text, found)
        assert prose.ProseParser(ctx).parse(text, note=note) == found

    run()


def t_extract(count: Counter, s):
    from issue.manuscripts.readers import read_text

    @s
    @given(text=P.PARAGRAPHS)
    def run(text):
        count()
        doc = read_text("papers/a.txt", text)
        first = P._extract_all({"a": doc})
        P._check_citations(first, doc)
        again = P._extract_all({"a": read_text("papers/a.txt", text)})
        assert [c.to_json() for c, _ in again] == [c.to_json() for c, _ in first]

    run()


def t_bib_bytes(count: Counter, s):
    from issue.bibliography.checks import check_bibliography

    pieces = st.lists(P.BIB_PIECES, max_size=80).map("".join)

    @s
    @given(blob=st.one_of(st.binary(max_size=2000), pieces.map(lambda t: t.encode("utf-8")),
                          pieces.map(lambda t: t.encode("utf-16")), pieces.map(lambda t: t.encode("cp1252", "replace"))))
    def run(blob):
        count()
        bib, diags = P._parse(blob)
        P._check_locations(blob, diags)
        check_bibliography(bib)

    run()


def t_bib_damage(count: Counter, s):
    @s
    @given(entries=P.ENTRIES, data=st.data())
    def run(entries, data):
        count()
        P.test_damage_stays_where_it_is_and_a_lost_entry_is_reported.hypothesis.inner_test(entries, data)

    run()


def t_index(count: Counter, s):
    from issue.concepts import index

    @s
    @given(words=st.lists(P.HEADING, min_size=3, max_size=3), mode=P.MODES, sub=st.booleans(),
           more=st.lists(P.HEADING, max_size=10), data=st.data())
    def run(words, mode, sub, more, data):
        count()
        P.test_the_index_sort_key_is_a_total_order.hypothesis.inner_test(index, words, mode, sub)
        P.test_sorting_headings_does_not_depend_on_their_order.hypothesis.inner_test(index, more, mode, data)

    run()


def t_readers(count: Counter, s):
    from issue.manuscripts import ReadError, read_manuscript
    from issue.manuscripts.checks import document_findings
    from issue.manuscripts.readers import read_text

    folder = Path(tempfile.mkdtemp(prefix="issue-fuzz-"))

    @s
    @given(text=st.text(max_size=600), blob=st.binary(max_size=1500),
           suffix=st.sampled_from([".txt", ".md", ".docx", ".odt", ".tex"]))
    def run(text, blob, suffix):
        count()
        doc = read_text("papers/a.txt", text)
        document_findings(doc)
        for b in doc.blocks:
            for seg in b.segments:
                assert 0 <= seg.start <= seg.end <= len(b.text)
        (folder / f"a{suffix}").write_bytes(blob)
        try:
            document_findings(read_manuscript(folder, f"a{suffix}", timeout=20))
        except ReadError as exc:
            assert exc.diagnostic.location.file == f"a{suffix}"

    run()


SNIPPETS = st.sampled_from([
    "**", "*", "_", "`", "[", "]", "(", ")", "^[", "[^1]", "[^1]: note", "@key", "[@key]", "<div>", "</div>",
    "<script>x</script>", "```", "```{=typst}\n#read(\"/etc/passwd\")\n```", "\\input{/etc/passwd}", "$x$", "$$",
    "\\begin{itemize}", "\\end{itemize}", "\\item", "\\section{A}", "\\footnote{", "}", "{", "> ", "- ", "1. ", "#",
    "# Heading", "---", "\n", "\n\n", "|a|b|\n|-|-|\n", "<!--", "-->", "{{ x }}", "Keohane (1984, 51)", "é", "\t",
    ":::", "::: {.note}", "![x](/etc/passwd)", "&amp;", "\\", "~", "%", "\\verb|x|", "\\newcommand{\\x}{\\x}\\x",
])


def t_pandoc(count: Counter, s):
    from issue.manuscripts import ReadError, read_manuscript
    from issue.manuscripts.checks import document_findings

    folder = Path(tempfile.mkdtemp(prefix="issue-fuzz-pandoc-"))

    @s
    @given(parts=st.lists(st.one_of(SNIPPETS, st.text(max_size=8)), max_size=40),
           suffix=st.sampled_from([".md", ".tex"]))
    def run(parts, suffix):
        count()
        text = " ".join(parts)
        if suffix == ".tex":
            text = "\\documentclass{article}\n\\begin{document}\n" + text + "\n\\end{document}\n"
        (folder / f"a{suffix}").write_text(text, encoding="utf-8")
        try:
            doc = read_manuscript(folder, f"a{suffix}", timeout=20)
        except ReadError as exc:
            d = exc.diagnostic
            assert d.location.file == f"a{suffix}" and d.message
            lines = text.count("\n") + 1
            assert d.location.line is None or 1 <= d.location.line <= lines, (d.location, lines)
            return
        document_findings(doc)
        pairs = P._extract_all({"a": doc})
        P._check_citations(pairs, doc)

    run()


TARGETS = {"prose": t_prose, "extract": t_extract, "bib-bytes": t_bib_bytes, "bib-damage": t_bib_damage,
           "index": t_index, "readers": t_readers, "pandoc": t_pandoc}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=sorted(TARGETS), help="run this target (repeatable)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every target's number of inputs")
    ap.add_argument("--seed", type=int, default=20200101, help="hypothesis seed (the same seed, the same inputs)")
    args = ap.parse_args()
    results = []
    for name in args.only or list(TARGETS):
        n = max(10, int(DEFAULT[name] * args.scale))
        chosen = settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                          phases=[Phase.generate, Phase.shrink])

        def s(test, chosen=chosen):  # the settings and the seed, on each target's @given test
            return hseed(args.seed)(chosen(test))
        count = Counter()
        t0 = time.perf_counter()
        found = None
        try:
            TARGETS[name](count, s)
        except Exception as exc:  # the property failed: hypothesis has shrunk it to a small input
            found = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            notes = getattr(exc, "__notes__", [])
            if notes:
                found += "\n" + "\n".join(notes)
        elapsed = time.perf_counter() - t0
        results.append({"target": name, "inputs": count.n, "seconds": round(elapsed, 1), "found": found})
        print(f"{name:<11} {count.n:>7} inputs {elapsed:>7.1f} s  {'FOUND: ' + found.splitlines()[0] if found else 'nothing found'}",
              flush=True)
        if found:
            print("    " + found.replace("\n", "\n    ")[:3000], flush=True)
    total = sum(r["inputs"] for r in results)
    print(f"total: {total} inputs, {sum(r['seconds'] for r in results):.0f} s, "
          f"{sum(1 for r in results if r['found'])} target(s) with a finding")
    out = REPO / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz.json").write_text(json.dumps({"seed": args.seed, "scale": args.scale, "results": results}, indent=2))


if __name__ == "__main__":
    main()
