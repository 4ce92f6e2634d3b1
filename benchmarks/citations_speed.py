"""How fast citations are extracted and resolved (the citation analysis alone, manuscripts already read).

1. The demo issue (this repository), warm: the documents and the bibliography are loaded once, then the
   citation analysis runs several times; budget 0.5 s.
2. One million words of synthetic prose against a synthetic bibliography of 10,000 entries, generated here
   deterministically (the same text and entries on every run); budget 10 s.

    python benchmarks/citations_speed.py
    python benchmarks/citations_speed.py --words 200000 --entries 2000 --repeat 3
    python benchmarks/citations_speed.py --profile          # where the time goes (pyinstrument)
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from issue.bibliography import load_text  # noqa: E402
from issue.citations.analysis import analyse  # noqa: E402
from issue.manuscripts.document import Block, Document  # noqa: E402
from issue.model import Contribution, Issue, Person  # noqa: E402
from issue.pipeline import Context, load_bibliography, load_manuscripts  # noqa: E402

DEMO_BUDGET, BIG_BUDGET = 0.5, 10.0

SYLLABLES = ["ka", "mo", "ri", "ten", "vo", "lan", "ber", "shi", "da", "nor", "el", "ha", "gu", "pet", "son",
             "mar", "til", "as", "wen", "dro", "ku", "lis", "fa", "ro", "zan", "bel", "ot", "min", "ger", "qu"]
FILLER = ("states that distrust one another still coordinate their militaries when a disaster strikes and the "
          "costs of inaction are visible to their publics while the institutions of the region remain thin and "
          "the habits formed in earlier emergencies carry cooperation into the next crisis").split()
FALSE_FRIENDS = ["(UNHCR)", "(1)", "(a)", "In March 2011", "its 2019 report", "(1939-45)", "(Jones, this issue)",
                 "Resolution 1325 (2000)", "(local name Bayanihan)", "the Asian Financial Crisis (1997)"]


def timed(fn, repeat: int) -> list[float]:
    """CPU seconds of each run (the machine may be shared: CPU time is steadier than wall time)."""
    out = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        out.append(time.process_time() - t)
    return out


# -- 1. the demo issue ------------------------------------------------------------------------------------------
def demo(repeat: int) -> tuple[float, int]:
    from issue.project import load_issue

    issue, _ = load_issue(REPO)
    ctx = Context(issue=issue, cache_dir=None)
    load_manuscripts(ctx)
    load_bibliography(ctx)
    analyse(ctx)  # cold: imports, lemminflect's tables
    times = timed(lambda: analyse(ctx), repeat)
    return statistics.median(times), len(analyse(ctx).records)


# -- 2. synthetic: a million words, ten thousand entries -----------------------------------------------------
def surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def synthetic_bib(entries: int, rng: random.Random) -> tuple[str, list[tuple[list[str], str, str]]]:
    """A .bib of `entries` works by about entries/3 authors, and the (authors, year, key) it holds."""
    people = sorted({surname(rng) for _ in range(entries // 3)})
    works, lines = [], []
    for i in range(entries):
        names = rng.sample(people, rng.choice([1, 1, 1, 2, 2, 3, 4]))
        year = str(rng.randint(1950, 2019))
        key = f"{names[0].lower()}{year}w{i}"
        first = rng.randint(1, 600)
        lines.append(f"@article{{{key},\n  author = {{{' and '.join(n + ', A.' for n in names)}}},\n"
                     f"  title = {{Work number {i} on cooperation}},\n  journal = {{Journal {i % 40}}},\n"
                     f"  year = {{{year}}},\n  pages = {{{first}--{first + rng.randint(10, 30)}}}\n}}\n")
        works.append((names, year, key))
    return "\n".join(lines), works


def cite_text(rng: random.Random, works) -> str:
    """One citation group in one of the forms authors use, sometimes with a slip."""
    names, year, _key = rng.choice(works)
    who = names[0] + " et al." if len(names) >= 4 else " and ".join(names)
    roll = rng.random()
    if roll < 0.05:
        who = who[:-1] + "e"  # a misspelling
    elif roll < 0.08:
        year = str(int(year) + 1)  # a wrong year
    loc = rng.choice(["", ", 12", ": 45", ", p. 7", ", pp. 3-5", ", ch. 2"])
    form = rng.random()
    if form < 0.5:
        other_names, other_year, _ = rng.choice(works)
        return f"({rng.choice(['', 'see ', 'e.g. '])}{who} {year}{loc}; {other_names[0]} {other_year})"
    if form < 0.85:
        return f"{who} ({year}{loc})"
    return f"(Carr cited in {who} {year}{loc})"


def synthetic_docs(words: int, works, rng: random.Random, per_doc: int = 50_000) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    made = 0
    n = 0
    while made < words:
        n += 1
        blocks, count = [], 0
        while count < min(per_doc, words - made):
            parts = []
            for _ in range(rng.randint(6, 10)):  # a paragraph of sentences, a citation about every 45 words
                sentence = rng.sample(FILLER, rng.randint(18, 30))
                at = rng.randint(3, len(sentence) - 1)
                sentence.insert(at, cite_text(rng, works) if rng.random() < 0.8 else rng.choice(FALSE_FRIENDS))
                joined = " ".join(sentence)
                parts.append(joined[0].upper() + joined[1:] + ".")
            text = " ".join(parts)
            count += len(text.split())
            blocks.append(Block(index=len(blocks) + 1, kind="para", section="body", text=text, line=len(blocks) + 1))
        docs[f"p{n}"] = Document(file=f"papers/p{n}.txt", format="text", blocks=blocks)
        made += count
    return docs


def big(words: int, entries: int, repeat: int, profile: bool) -> tuple[float, int, int]:
    rng = random.Random(20200101)
    bibtext, works = synthetic_bib(entries, rng)
    bib, _ = load_text(bibtext, "bibliography/synthetic.bib")
    docs = synthetic_docs(words, works, rng)
    issue = Issue(root=Path("/nonexistent-synthetic-issue"), title="Synthetic", year=2020,
                  contributions=[Contribution(id=cid, file=d.file, title=cid, authors=[Person("Ann Author")])
                                 for cid, d in docs.items()])
    ctx = Context(issue=issue, documents=docs, bibliography=bib)
    if profile:
        from pyinstrument import Profiler

        p = Profiler()
        p.start()
        analyse(ctx)
        p.stop()
        print(p.output_text(unicode=True, color=False, show_all=False)[:6000])
    times = timed(lambda: analyse(ctx), repeat)
    n = sum(len(b.text.split()) for d in docs.values() for b in d.blocks)
    return min(times), len(analyse(ctx).records), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    t, n = demo(max(args.repeat, 5))
    print(f"demo issue, warm:        {t:7.3f} s (CPU) for {n} citations   (budget {DEMO_BUDGET} s: {t / DEMO_BUDGET:.2f}x)")
    t, n, w = big(args.words, args.entries, args.repeat, args.profile)
    budget = BIG_BUDGET * args.words / 1_000_000
    print(f"{w:,} words, {args.entries:,} entries: {t:7.3f} s (CPU) for {n:,} citations "
          f"({t / w * 1e6:.2f} s per million words; budget {budget:.1f} s: {t / budget:.2f}x)")


if __name__ == "__main__":
    main()
