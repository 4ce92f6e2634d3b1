"""How accurately `issue check` extracts and resolves citations, measured against a hand-annotated gold set.

Runs `issue check --format json` on tests/data/citations (ten manuscripts in ten authors' habits, 448 citations
annotated by hand in gold.json; see its README.md), matches each extracted citation to the annotation at the
same place, and prints:

  * precision and recall of extraction (a citation counts as found when its span overlaps the annotated one in
    the same paragraph; each annotation matches at most one extracted citation and vice versa, so the span
    convention does not decide the score);
  * accuracy of resolution: of the citations found, the share whose key equals the annotated key (an
    unresolvable citation is annotated null, and must come out null);
  * the same per form (parenthetical, narrative, secondary, markup), how often the other fields agree, which
    false friends were reported, and with --verbose every miss, false positive and wrong key;
  * on ../shared/corpora (when present): whether the only undefined citations of the cautioning-canary
    manuscript are the keys missing from its bibliography.

    python benchmarks/citation_accuracy.py
    python benchmarks/citation_accuracy.py --verbose          # list every miss, false positive, wrong key
    python benchmarks/citation_accuracy.py --min 0.97         # exit 1 when a figure is below 0.97
    python benchmarks/citation_accuracy.py --predictions out.json --json   # score a saved `issue check` output
    python benchmarks/citation_accuracy.py --gold tests/data/citations_heldout   # the held-out set instead

Exit status: 0 (also when figures are low) unless --min is given and a figure is below it (1); 2 when the
check cannot be run or its output cannot be read.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOLD_DIR = REPO / "tests" / "data" / "citations"
CANARY = REPO.parent / "shared" / "corpora" / "andrewheiss_cautioning-canary" / "manuscript"
TARGET = 0.97
FORMS = ("parenthetical", "narrative", "secondary", "markup")

# One character for one character, so that offsets survive: typographic quotes, dashes and spaces that pandoc
# produces (or an author types) compare equal to their plain forms.
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u202f": " ", "–": "-",
                        "—": "-", "\u2009": " "})


def plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_PLAIN)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", plain(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class CannotRun(Exception):
    pass


# ------------------------------------------------------------------------------------------------------ input
def load_gold(folder: Path = GOLD_DIR) -> list[dict[str, Any]]:
    try:
        return json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CannotRun(f"cannot read {folder / 'gold.json'}: {exc}")


def load_false_friends(folder: Path = GOLD_DIR) -> list[dict[str, Any]]:
    try:
        return json.loads((folder / "false_friends.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def issue_command() -> list[str]:
    """The `issue` command of the running interpreter: the console script beside it, else the module."""
    script = Path(sys.executable).with_name("issue")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from issue.cli import main_entry; main_entry()"]


def run_issue(args: list[str], cwd: Path, timeout: float = 600) -> dict[str, Any]:
    """`issue ARGS --format json` in cwd, parsed. Exit status 0 or 1 (findings) is a successful run."""
    env = {**os.environ, "NO_COLOR": "1", "ISSUE_NO_CACHE": "1"}  # no build/.cache inside the test data
    try:
        proc = subprocess.run([*issue_command(), *args, "--format", "json"], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CannotRun(f"cannot run issue check: {exc}")
    if proc.returncode not in (0, 1):
        raise CannotRun(f"issue check exited with status {proc.returncode}: {proc.stderr.strip()[-800:]}")
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise CannotRun(f"issue check did not print JSON ({exc}): {proc.stdout[:300]!r}")


def citations_of(output: Any) -> list[dict[str, Any]]:
    if isinstance(output, list):
        return output
    if isinstance(output, dict) and isinstance(output.get("citations"), list):
        return output["citations"]
    raise CannotRun("the output has no `citations` array (is the citations analysis installed?)")


# ---------------------------------------------------------------------------------------------------- spans
@dataclass(frozen=True, order=True)
class Span:
    block: int  # position of the block in Document.blocks
    start: int
    end: int


class Places:
    """Where a citation stands, in the plain text of the paragraphs of its manuscript.

    Gold and predictions are both turned into (block, start, end) of the document model that `issue` reads,
    so that they can be compared whatever line/column or paragraph convention each uses.
    """

    def __init__(self, root: Path):
        self.root = root
        self.docs: dict[str, Any] = {}

    def doc(self, file: str):
        if file not in self.docs:
            try:
                self.docs[file] = _reader()(self.root, file)
            except Exception:  # an unreadable file: its citations are matched by text alone
                self.docs[file] = None
        return self.docs[file]

    @staticmethod
    def candidates(doc, line: int | None, paragraph: int | None) -> list[int]:
        out = []
        for i, b in enumerate(doc.blocks):
            if paragraph is not None and doc.paragraph_based:
                host = b.host if b.kind == "note" and b.host else b.index
                if host == paragraph:
                    out.append(i)
            elif line is not None and (b.line == line or any(s.line == line for s in b.segments)):
                out.append(i)
        return out

    @staticmethod
    def occurrences(doc, blocks: list[int], text: str, line: int | None) -> list[Span]:
        needle = plain(text)
        found = []
        if not needle:
            return found
        for i in blocks:
            b = doc.blocks[i]
            hay = plain(b.text)
            at = hay.find(needle)
            while at >= 0:
                if line is None or doc.paragraph_based or b.source_position(at)[0] == line:
                    found.append(Span(i, at, at + len(needle)))
                at = hay.find(needle, at + 1)
        return found

    def gold_span(self, g: dict[str, Any]) -> Span | None:
        doc = self.doc(g["file"])
        if doc is None:
            return None
        line, para = g.get("line"), g.get("paragraph")
        spans = self.occurrences(doc, self.candidates(doc, line, para), g["text"], line)
        if not spans:
            return None
        return spans[min(len(spans), max(1, int(g.get("occurrence", 1)))) - 1]

    def pred_span(self, p: dict[str, Any]) -> Span | None:
        doc = self.doc(str(p.get("file", "")))
        if doc is None:
            return None
        line, para = _int(p.get("line")), _int(p.get("paragraph"))
        blocks = self.candidates(doc, line, para)
        text = str(p.get("text") or "")
        start, end = _int(p.get("start")), _int(p.get("end"))
        if start is not None and end is not None and end >= start:
            hinted = [i for i in blocks if _is_block(doc.blocks[i], p)] + blocks
            for i in hinted:  # the record's own offsets, when they point at its text
                if plain(doc.blocks[i].text[start:end]) == plain(text) or not text:
                    return Span(i, start, end)
        spans = self.occurrences(doc, blocks, text, line)
        if not spans:
            spans = self.occurrences(doc, blocks, text, None)
        if not spans:
            return None
        column = _int(p.get("column"))
        if column is None or doc.paragraph_based:
            return spans[0]
        return min(spans, key=lambda s: abs((doc.blocks[s.block].source_position(s.start)[1] or 0) - column))


def _reader():
    """The document reader of `issue` (its foundation, not the citation parser under test)."""
    try:
        from issue.manuscripts.readers import read_manuscript
    except ImportError:
        sys.path.insert(0, str(REPO / "src"))
        from issue.manuscripts.readers import read_manuscript
    return read_manuscript


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_block(block, p: dict[str, Any]) -> bool:
    if p.get("note") is not None:
        return block.kind == "note" and block.note == p.get("note")
    return block.index == p.get("block") and block.kind != "note"


# ------------------------------------------------------------------------------------------------- matching
def _overlap(a: Span, b: Span) -> int:
    if a.block != b.block:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def norm_key(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def match(gold: list[dict], preds: list[dict], places: Places) -> tuple[list[tuple[int, int]], dict]:
    """One-to-one pairs (gold index, prediction index), by overlapping spans; ties go to the pair that agrees
    on the key (a multi-key \\citep whose records all cover the whole command)."""
    gspans = [places.gold_span(g) for g in gold]
    pspans = [places.pred_span(p) for p in preds]
    by_file: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(preds):
        by_file[str(p.get("file", ""))].append(j)
    pairs = []
    for i, g in enumerate(gold):
        for j in by_file.get(g["file"], []):
            gs, ps = gspans[i], pspans[j]
            if gs is not None and ps is not None:
                ov = _overlap(gs, ps)
                if ov <= 0:
                    continue
                score = ov / max(gs.end - gs.start, ps.end - ps.start, 1)
            else:  # no span on one side: same line and one text inside the other
                same_place = (g.get("line") is not None and g.get("line") == preds[j].get("line")) or (
                    g.get("paragraph") is not None and g.get("paragraph") == preds[j].get("paragraph"))
                a, b = plain(g["text"]), plain(str(preds[j].get("text") or ""))
                if not (same_place and a and b and (a in b or b in a)):
                    continue
                score = min(len(a), len(b)) / max(len(a), len(b))
            agree = norm_key(preds[j].get("key")) == g.get("key")
            pairs.append((score + (0.5 if agree else 0.0), i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g, used_p, matched = set(), set(), []
    for _, i, j in pairs:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            matched.append((i, j))
    unplaced = {"gold": [i for i, s in enumerate(gspans) if s is None],
                "predictions": [j for j, s in enumerate(pspans) if s is None]}
    return sorted(matched), unplaced


# -------------------------------------------------------------------------------------------------- fields
def _surnames(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"\s*(?:,|;|&|\band\b)\s*", value)
    if not isinstance(value, list):
        return []
    out = []
    for a in value:
        s = fold(str(a)).strip().rstrip(".")
        if s and s not in ("et al", "et al."):
            out.append(re.sub(r"[’']s$", "", s))
    return out


def _loc(value: Any) -> str:
    s = fold(str(value or "")).replace("~", " ").replace("--", "-")
    s = re.sub(r"^(pp?|pages?)\.?\s*", "", s.strip().lstrip(",:").strip())
    return re.sub(r"\s+", "", s)


def _prefix(value: Any) -> str:
    s = re.sub(r"[\s,.]+", " ", fold(str(value or ""))).strip()
    return re.sub(r"\b(?:cited|quoted) in$", "", s).strip()  # a secondary citation's marker is its form


def _same_authors(gold: Any, predicted: Any) -> bool:
    """Surnames agree; a given name written before one ('Robert Keohane') does not count against it."""
    a, b = _surnames(gold), _surnames(predicted)
    return len(a) == len(b) and all(x == y or y.endswith(" " + x) or x.endswith(" " + y) for x, y in zip(a, b))


FIELDS = {
    "authors": lambda g, p: _same_authors(g["authors"], p.get("authors")),
    "year": lambda g, p: fold(str(g["year"])) == fold(str(p.get("year") or "")),
    "suffix": lambda g, p: (g["suffix"] or "") == (p.get("suffix") or ""),
    "locator": lambda g, p: _loc(g["locator"]) == _loc(p.get("locator")),
    "prefix": lambda g, p: _prefix(g["prefix"]) == _prefix(p.get("prefix")),
    "form": lambda g, p: g["form"] == p.get("form"),
}


# -------------------------------------------------------------------------------------------------- scoring
@dataclass
class Score:
    gold: int
    predicted: int
    found: int
    resolved: int
    precision: float
    recall: float
    resolution: float
    by_form: dict[str, dict[str, Any]] = field(default_factory=dict)
    fields: dict[str, float] = field(default_factory=dict)
    false_friends: dict[str, int] = field(default_factory=dict)
    misses: list[dict] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)
    wrong_keys: list[dict] = field(default_factory=list)
    unplaced: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("misses", "false_positives", "wrong_keys")}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def score(gold: list[dict], preds: list[dict], places: Places, friends: list[dict] | None = None) -> Score:
    files = {g["file"] for g in gold}
    preds = [p for p in preds if p.get("file") in files]
    matched, unplaced = match(gold, preds, places)
    pred_of = dict(matched)
    matched_p = {j for _, j in matched}
    right = [(i, j) for i, j in matched if norm_key(preds[j].get("key")) == gold[i].get("key")]
    s = Score(gold=len(gold), predicted=len(preds), found=len(matched), resolved=len(right),
              precision=_ratio(len(matched), len(preds)), recall=_ratio(len(matched), len(gold)),
              resolution=_ratio(len(right), len(matched)),
              unplaced={k: len(v) for k, v in unplaced.items()})
    right_g = {i for i, _ in right}
    for form in FORMS:
        idx = [i for i, g in enumerate(gold) if g["form"] == form]
        found = [i for i in idx if i in pred_of]
        ok = [i for i in found if i in right_g]
        s.by_form[form] = {"gold": len(idx), "found": len(found), "recall": _ratio(len(found), len(idx)),
                           "resolution": _ratio(len(ok), len(found))}
    prose = [(i, j) for i, j in matched if gold[i]["form"] != "markup"]
    for name, agree in FIELDS.items():
        pool = matched if name in ("form", "prefix", "locator") else prose
        s.fields[name] = _ratio(sum(1 for i, j in pool if agree(gold[i], preds[j])), len(pool))
    fspans = [(f, places.gold_span(f)) for f in (friends or [])]
    for j, p in enumerate(preds):
        if j in matched_p:
            continue
        ps = places.pred_span(p)
        kind = next((f["kind"] for f, fs in fspans if f["file"] == p.get("file") and fs is not None
                     and ps is not None and _overlap(fs, ps) > 0), None)
        if kind:
            s.false_friends[kind] = s.false_friends.get(kind, 0) + 1
        s.false_positives.append({**_where(p), "text": p.get("text"), "form": p.get("form"),
                                  "key": p.get("key"), "false_friend": kind})
    for i, g in enumerate(gold):
        if i not in pred_of:
            s.misses.append({**_where(g), "text": g["text"], "form": g["form"], "key": g["key"]})
        elif i not in right_g:
            p = preds[pred_of[i]]
            s.wrong_keys.append({**_where(g), "text": g["text"], "expected": g["key"], "got": norm_key(p.get("key")),
                                 "extracted": p.get("text")})
    return s


def _where(r: dict) -> dict:
    out = {"file": r.get("file")}
    for k in ("line", "paragraph"):
        if r.get(k) is not None:
            out[k] = r[k]
    return out


def _label(r: dict) -> str:
    if r.get("paragraph") is not None:
        return f"{r['file']}:¶{r['paragraph']}"
    return f"{r['file']}:{r.get('line', '?')}"


# --------------------------------------------------------------------------------------------- the canary
def canary_check(folder: Path = CANARY) -> dict[str, Any] | None:
    """The cautioning-canary manuscript checked on its own: its undefined citations, beside the keys its text
    cites (as pandoc reads them) that its bibliography lacks."""
    if not (folder / "manuscript.Rmd").is_file():
        return None
    import bibtexparser
    import pypandoc

    keys = {e.key for e in bibtexparser.parse_file(str(folder / "bibliography.bib")).entries}
    ast = json.loads(pypandoc.convert_file(str(folder / "manuscript.Rmd"), "json", format="markdown"))
    cited: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                cited.update(c["citationId"] for c in node["c"][0])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(ast["blocks"])
    expected = sorted(cited - keys)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(folder / "manuscript.Rmd", Path(tmp) / "manuscript.md")
        shutil.copy(folder / "bibliography.bib", Path(tmp) / "bibliography.bib")
        out = run_issue(["check", "manuscript.md", "--bibliography", "bibliography.bib"], Path(tmp))
    undefined = [c for c in citations_of(out) if norm_key(c.get("key")) is None]
    written = sorted({str(c.get("written_key") or c.get("text")) for c in undefined})
    return {"expected": expected, "undefined": written, "count": len(undefined),
            "citations": len(citations_of(out)), "ok": written == expected}


# ---------------------------------------------------------------------------------------------------- report
def report(s: Score, verbose: bool, out=None) -> None:
    w = (out or sys.stdout).write
    w(f"gold set: {s.gold} citations; extracted: {s.predicted}; matched: {s.found}\n")
    w(f"  precision  {s.precision:6.3f}   ({s.found}/{s.predicted})\n")
    w(f"  recall     {s.recall:6.3f}   ({s.found}/{s.gold})\n")
    w(f"  resolution {s.resolution:6.3f}   ({s.resolved}/{s.found} matched citations with the annotated key)\n")
    w(f"  end to end {_ratio(s.resolved, s.gold):6.3f}   ({s.resolved}/{s.gold} found and resolved right)\n\n")
    w(f"  {'form':<14}{'gold':>6}{'found':>7}{'recall':>8}{'resolution':>12}\n")
    for form, f in s.by_form.items():
        w(f"  {form:<14}{f['gold']:>6}{f['found']:>7}{f['recall']:>8.3f}{f['resolution']:>12.3f}\n")
    w("\n  fields agreeing on matched citations: "
      + ", ".join(f"{k} {v:.3f}" for k, v in s.fields.items()) + "\n")
    if s.false_friends:
        w("  false friends reported as citations: "
          + ", ".join(f"{k} {v}" for k, v in sorted(s.false_friends.items())) + "\n")
    if any(s.unplaced.values()):
        w(f"  could not be placed in the text: {s.unplaced['gold']} gold, {s.unplaced['predictions']} extracted "
          "(matched by line and text instead)\n")
    w(f"  {len(s.misses)} missed, {len(s.false_positives)} false positives, {len(s.wrong_keys)} wrong keys"
      + ("" if verbose else " (--verbose lists them)") + "\n")
    if verbose:
        for m in s.misses:
            w(f"\nMISS   {_label(m)}  {m['text']!r}  [{m['form']}, {m['key']}]")
        for fp in s.false_positives:
            tag = f" (false friend: {fp['false_friend']})" if fp["false_friend"] else ""
            w(f"\nFALSE  {_label(fp)}  {fp['text']!r}  [{fp['form']}, {fp['key']}]{tag}")
        for k in s.wrong_keys:
            w(f"\nKEY    {_label(k)}  {k['text']!r}: expected {k['expected']}, got {k['got']}")
        w("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: python benchmarks/citation_accuracy.py --verbose --min 0.97")
    ap.add_argument("--gold", "--issue", dest="issue", type=Path, default=GOLD_DIR, metavar="DIR",
                    help="the gold-set issue folder, e.g. tests/data/citations_heldout (default: %(default)s)")
    ap.add_argument("--predictions", type=Path, help="score this saved `issue check --format json` output instead")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss, false positive and wrong key")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--min", type=float, default=None, metavar="X",
                    help=f"exit 1 when precision, recall or resolution is below X (the target is {TARGET})")
    ap.add_argument("--no-corpus", action="store_true", help="skip the ../shared/corpora canary check")
    args = ap.parse_args(argv)
    try:
        gold = load_gold(args.issue)
        if args.predictions:
            try:
                output = json.loads(args.predictions.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CannotRun(f"cannot read {args.predictions}: {exc}")
        else:
            output = run_issue(["check"], args.issue)
        s = score(gold, citations_of(output), Places(args.issue), load_false_friends(args.issue))
        canary = None if (args.no_corpus or args.predictions) else canary_check()
    except CannotRun as exc:
        print(f"citation_accuracy: {exc}", file=sys.stderr)
        return 2
    if args.json:
        data = s.summary()
        if args.verbose:
            data.update(misses=s.misses, false_positives=s.false_positives, wrong_keys=s.wrong_keys)
        data["canary"] = canary
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        report(s, args.verbose)
        if canary is not None:
            verdict = "as expected" if canary["ok"] else "NOT as expected"
            print(f"\ncautioning-canary: {canary['count']} undefined of {canary['citations']} citations: "
                  f"{', '.join(canary['undefined']) or 'none'} ({verdict}; missing from its bibliography: "
                  f"{', '.join(canary['expected'])})")
    if args.min is not None and min(s.precision, s.recall, s.resolution) < args.min:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
