"""Recall and precision of the concept matcher on the hand-annotated sample (tests/data/index).

    .venv/bin/python benchmarks/index_quality.py            # figures
    .venv/bin/python benchmarks/index_quality.py --verbose  # and every miss and false match, in context

The sample's manuscripts are written, without their marks, into a scratch issue folder with the vocabulary they
were marked against (tests/data/index/concepts.toml, a frozen copy of the demo's) and the sample's bibliography, and the real pipeline runs on them (readers, citation checker,
matcher). The marks ([[surface|heading]] or [[surface|heading>sub]], see tests/data/index/README.md) give the
gold spans: a copy with each mark replaced by private-use sentinels around its surface is read by the same reader,
so that gold offsets are offsets in the very block text the matcher reads.

Strict: same block, same span, same heading. Lenient: overlapping spans, same heading. Targets (strict):
recall >= 0.95, precision >= 0.98.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "data" / "index"
MARK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")
OPEN, CLOSE = "\ue000", "\ue001"
TARGET_RECALL, TARGET_PRECISION = 0.95, 0.98

sys.path.insert(0, str(REPO / "src"))


@dataclass(frozen=True)
class Span:
    contribution: str
    block: int
    note: int | None
    start: int
    end: int
    heading: str
    sub: str | None = None
    negative: bool = False  # marked NONE: a false friend that must not be matched

    def overlaps(self, other: "Span") -> bool:
        return (self.contribution, self.block, self.note) == (other.contribution, other.block, other.note) and \
            self.start < other.end and other.start < self.end


def _manifest(ids: list[str]) -> str:
    parts = ['[issue]\ntitle = "Annotated sample"\njournal = "Journal of Samples"\nyear = 2024\n'
             'bibliography = ["bibliography/*.bib"]\n']
    for cid in ids:
        parts.append(f'[[contributions]]\nid = "{cid}"\nfile = "papers/{cid}.md"\ntitle = "{cid}"\n'
                     f'authors = [{{ name = "A. Author" }}]\n')
    return "\n".join(parts)


def _issue_folder(root: Path, texts: dict[str, str], vocabulary: Path) -> None:
    (root / "papers").mkdir(parents=True)
    (root / "bibliography").mkdir()
    for cid, text in texts.items():
        (root / "papers" / f"{cid}.md").write_text(text, encoding="utf-8")
    shutil.copy(SAMPLE / "sample.bib", root / "bibliography" / "sample.bib")
    shutil.copy(vocabulary, root / "concepts.toml")
    (root / "issue.toml").write_text(_manifest(list(texts)), encoding="utf-8")


def load_gold(folder: Path = SAMPLE / "annotated") -> tuple[dict[str, str], list[Span]]:
    """The clean manuscripts (marks removed) and the gold spans, located in the reader's block text."""
    from issue.manuscripts import read_manuscript

    clean: dict[str, str] = {}
    gold: list[Span] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "papers").mkdir()
        for path in sorted(folder.glob("*.md")):
            cid = path.stem
            source = path.read_text(encoding="utf-8")
            labels = [m.group(2).strip() for m in MARK.finditer(source)]
            clean[cid] = MARK.sub(lambda m: m.group(1), source)
            (root / "papers" / f"{cid}.md").write_text(MARK.sub(lambda m: OPEN + m.group(1) + CLOSE, source),
                                                       encoding="utf-8")
            (root / "papers" / f"{cid}.clean.md").write_text(clean[cid], encoding="utf-8")
            marked = read_manuscript(root, f"papers/{cid}.md")
            plain = read_manuscript(root, f"papers/{cid}.clean.md")
            assert len(marked.blocks) == len(plain.blocks), f"{cid}: the marks changed the blocks"
            n = 0
            for mb, pb in zip(marked.blocks, plain.blocks):
                text, out, spans, start = mb.text, [], [], None
                for ch in text:
                    if ch == OPEN:
                        start = sum(len(x) for x in out)
                    elif ch == CLOSE:
                        spans.append((start, sum(len(x) for x in out)))
                    else:
                        out.append(ch)
                assert "".join(out) == pb.text, f"{cid} block {pb.index}: the marks changed the text"
                for s, e in spans:
                    label = labels[n]
                    n += 1
                    heading, _, sub = label.partition(">")
                    note = pb.note if pb.kind == "note" else None
                    gold.append(Span(cid, pb.index, note, s, e, heading.strip(), sub.strip() or None,
                                     heading.strip() == "NONE"))
            assert n == len(labels), f"{cid}: {len(labels) - n} marks not found in the body (in the metadata?)"
    return clean, gold


def predict(clean: dict[str, str], vocabulary: Path) -> tuple[list[Span], object]:
    from issue.pipeline import Context, run_checks
    from issue.project import load_issue

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample"
        _issue_folder(root, clean, vocabulary)
        issue, _ = load_issue(root)
        ctx = Context(issue=issue, cache_dir=None)
        run_checks(ctx)
        result = ctx.results.get("concepts")
        records = result.records if result else []
        return [Span(o.contribution, o.block, o.note, o.start, o.end, o.concept, o.sub) for o in records], ctx


@dataclass
class Score:
    gold: int
    predicted: int
    strict_hits: int
    strict_correct: int
    lenient_hits: int
    lenient_correct: int
    sub_right: int
    false_friends: int
    false_friends_matched: int
    misses: list[Span]
    wrong: list[Span]

    @property
    def recall(self) -> float:
        return self.strict_hits / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.strict_correct / self.predicted if self.predicted else 1.0

    @property
    def lenient_recall(self) -> float:
        return self.lenient_hits / self.gold if self.gold else 1.0

    @property
    def lenient_precision(self) -> float:
        return self.lenient_correct / self.predicted if self.predicted else 1.0


def score(gold: list[Span], predicted: list[Span]) -> Score:
    positives = [g for g in gold if not g.negative]
    negatives = [g for g in gold if g.negative]
    exact = {(p.contribution, p.block, p.note, p.start, p.end, p.heading): p for p in predicted}
    strict_hits, sub_right, misses = 0, 0, []
    for g in positives:
        p = exact.get((g.contribution, g.block, g.note, g.start, g.end, g.heading))
        if p is None:
            misses.append(g)
            continue
        strict_hits += 1
        sub_right += p.sub == g.sub
    gold_keys = {(g.contribution, g.block, g.note, g.start, g.end, g.heading) for g in positives}
    strict_correct = sum(1 for p in predicted
                         if (p.contribution, p.block, p.note, p.start, p.end, p.heading) in gold_keys)
    wrong = [p for p in predicted if (p.contribution, p.block, p.note, p.start, p.end, p.heading) not in gold_keys]
    lenient_hits = sum(1 for g in positives if any(p.heading == g.heading and p.overlaps(g) for p in predicted))
    lenient_correct = sum(1 for p in predicted if any(p.heading == g.heading and p.overlaps(g) for g in positives))
    matched_friends = sum(1 for n in negatives if any(p.overlaps(n) for p in predicted))
    return Score(len(positives), len(predicted), strict_hits, strict_correct, lenient_hits, lenient_correct,
                 sub_right, len(negatives), matched_friends, misses, wrong)


def _context(ctx, s: Span) -> str:
    doc = ctx.documents.get(s.contribution)
    for b in doc.blocks if doc else []:
        if b.index == s.block and (b.note if b.kind == "note" else None) == s.note:
            t = b.text
            return (t[max(0, s.start - 45):s.start] + "[" + t[s.start:s.end] + "]" + t[s.end:s.end + 45]).replace(
                "\n", " ")
    return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vocabulary", type=Path, default=SAMPLE / "concepts.toml",
                    help="The vocabulary the sample was marked against (default: its frozen copy of the demo's).")
    ap.add_argument("--verbose", "-v", action="store_true", help="List every miss and false match in context.")
    args = ap.parse_args(argv)
    clean, gold = load_gold()
    predicted, ctx = predict(clean, args.vocabulary)
    s = score(gold, predicted)
    words = sum(len(MARK.sub(lambda m: m.group(1), t).split()) for t in clean.values())
    print(f"sample: {len(clean)} manuscripts, {words} words, {s.gold} marked occurrences, "
          f"{s.false_friends} marked false friends")
    print(f"matcher: {s.predicted} occurrences found")
    print(f"strict  (same span, same heading):  recall {s.recall:.3f}  precision {s.precision:.3f}")
    print(f"lenient (overlap, same heading):    recall {s.lenient_recall:.3f}  precision {s.lenient_precision:.3f}")
    print(f"sub-entries right among strict hits: {s.sub_right}/{s.strict_hits}")
    print(f"false friends matched: {s.false_friends_matched}/{s.false_friends}")
    ok = s.recall >= TARGET_RECALL and s.precision >= TARGET_PRECISION
    print(f"targets recall >= {TARGET_RECALL}, precision >= {TARGET_PRECISION}: {'met' if ok else 'NOT met'}")
    if args.verbose or not ok:
        for g in s.misses:
            print(f"  missed {g.contribution} ¶{g.block}{f' n{g.note}' if g.note else ''} {g.heading}: "
                  f"{_context(ctx, g)}")
        for p in s.wrong:
            print(f"  wrong  {p.contribution} ¶{p.block}{f' n{p.note}' if p.note else ''} {p.heading}: "
                  f"{_context(ctx, p)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
