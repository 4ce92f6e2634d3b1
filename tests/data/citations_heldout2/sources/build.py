"""Rebuild the second held-out gold set's generated files from their hand-written sources.

    .venv/bin/python tests/data/citations_heldout2/sources/build.py

1. papers/harrow_civilisation.docx and papers/park_peacekeeping.docx from their Markdown twins in sources/, with
   pandoc and SOURCE_DATE_EPOCH fixed so that each .docx is the same bytes on every run;
2. gold.json and false_friends.json from sources/annotations.txt, the hand annotation. The annotation gives each
   citation's text and fields; this script only finds where the text stands (the line, or the .docx paragraph, and
   which occurrence), with the document reader of `issue` and the benchmark's own placing, so that the benchmark
   finds each annotation exactly where it was meant. It never runs the citation parser.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent
REPO = GOLD.parents[2]
SOURCE_DATE_EPOCH = "1577836800"  # 2020-01-01: the .docx carries this date, not the day it was built
DOCX = {"sources/harrow_civilisation.md": "papers/harrow_civilisation.docx",
        "sources/park_peacekeeping.md": "papers/park_peacekeeping.docx"}
FORMS = {"P": "parenthetical", "N": "narrative", "S": "secondary", "M": "markup"}


def scorer():
    spec = importlib.util.spec_from_file_location("citation_accuracy", REPO / "benchmarks" / "citation_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("citation_accuracy", module)
    spec.loader.exec_module(module)
    return module


def make_docx() -> None:
    import pypandoc

    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    for src, out in DOCX.items():
        pypandoc.convert_file(str(GOLD / src), "docx", format="markdown", outputfile=str(GOLD / out))


def parse_annotations(path: Path) -> dict[str, list[dict]]:
    files: dict[str, list[dict]] = {}
    current = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            current = files.setdefault(line[3:].strip(), [])
            continue
        if line.startswith("!! "):
            text, kind = (p.strip() for p in line[3:].rsplit("|", 1))
            nth = 1
            m = re.match(r"(.*?)\s+@(\d+)$", kind)
            if m:
                kind, nth = m.group(1), int(m.group(2))
            current.append({"friend": True, "text": text, "kind": kind, "nth": nth, "src": n})
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 7:
            raise SystemExit(f"annotations.txt:{n}: expected 7 fields, got {len(parts)}")
        text, authors, year, locator, prefix, form, key = parts
        m = re.fullmatch(r"(\d{4})([a-z])", year)
        current.append({"friend": False, "text": text, "src": n,
                        "authors": [a.strip() for a in authors.split(";") if a.strip()],
                        "year": m.group(1) if m else year, "suffix": m.group(2) if m else "",
                        "locator": locator, "prefix": prefix, "form": FORMS[form],
                        "key": None if key == "-" else key})
    return files


def on_source_line(acc, doc, line: int, text: str) -> bool:
    """The first word of the text is on that line of the source file: an independent check of the reader's
    line numbers (a reader that loses its place would otherwise put wrong lines into the gold set)."""
    word = re.search(r"\w+", acc.plain(text))
    return word is not None and word.group(0) in acc.plain(doc.source_lines[line - 1])


def place(acc, places, file: str, doc, block_i: int, start: int, end: int) -> dict:
    """line or paragraph, and occurrence, such that the benchmark places the text at exactly this span."""
    block = doc.blocks[block_i]
    text = block.text[start:end]
    if doc.paragraph_based:
        where = {"paragraph": block.host if block.kind == "note" and block.host else block.index}
        line = None
    else:
        line = block.source_position(start)[0]
        where = {"line": line}
    if line is not None and not on_source_line(acc, doc, line, text):
        raise SystemExit(f"{file}:{line}: {text!r} is not on that line of the source (the reader misplaced it)")
    spans = acc.Places.occurrences(doc, places.candidates(doc, line, where.get("paragraph")), text, line)
    target = acc.Span(block_i, start, end)
    if target not in spans:
        raise SystemExit(f"{file}: {text!r} cannot be placed by line/paragraph")
    return {"text": text, "occurrence": spans.index(target) + 1, **where}


def build() -> None:
    acc = scorer()
    places = acc.Places(GOLD)
    gold, friends = [], []
    for file, items in parse_annotations(HERE / "annotations.txt").items():
        doc = places.doc(file)
        if doc is None:
            raise SystemExit(f"{file}: cannot be read")
        body = [i for i, b in enumerate(doc.blocks) if b.is_body]
        hay = {i: acc.plain(doc.blocks[i].text) for i in body}
        cursor = (0, 0)  # (position in body, offset in that block)
        spans = []
        for item in items:
            if item["friend"]:
                continue
            needle = acc.plain(item["text"])
            found = None
            for k in range(cursor[0], len(body)):
                at = hay[body[k]].find(needle, cursor[1] if k == cursor[0] else 0)
                if at >= 0:
                    found = (k, at)
                    break
            if found is None:
                raise SystemExit(f"annotations.txt:{item['src']}: {item['text']!r} not found in {file} after "
                                 "the previous annotation")
            k, at = found
            cursor = (k, at + len(needle))
            bi = body[k]
            spans.append((bi, at, at + len(needle)))
            rec = {"file": file, **place(acc, places, file, doc, bi, at, at + len(needle))}
            rec.update({f: item[f] for f in ("authors", "year", "suffix", "locator", "prefix", "form", "key")})
            # field order as in the first gold set
            gold.append({k2: rec[k2] for k2 in ("file", "text", "occurrence", "line", "paragraph", "authors", "year",
                                                 "suffix", "locator", "prefix", "form", "key") if k2 in rec})
        for item in items:
            if not item["friend"]:
                continue
            needle = acc.plain(item["text"])
            hits = [(i, m.start()) for i in body for m in re.finditer(re.escape(needle), hay[i])]
            hits = [(i, at) for i, at in hits if not any(i == b and at < e and at + len(needle) > s
                                                          for b, s, e in spans)]
            if len(hits) < item["nth"]:
                raise SystemExit(f"annotations.txt:{item['src']}: false friend {item['text']!r} not found in {file}")
            i, at = hits[item["nth"] - 1]
            rec = {"file": file, **place(acc, places, file, doc, i, at, at + len(needle)), "kind": item["kind"]}
            friends.append({k2: rec[k2] for k2 in ("file", "text", "occurrence", "line", "paragraph", "kind")
                            if k2 in rec})
    for name, rows in (("gold.json", gold), ("false_friends.json", friends)):
        text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"
        (GOLD / name).write_text(text, encoding="utf-8")
    print(f"{len(gold)} citations, {len(friends)} false friends in {len({g['file'] for g in gold})} manuscripts")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    make_docx()
    build()
