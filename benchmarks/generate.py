"""A deterministic generator of synthetic issues of any size, for the benchmarks.

    python benchmarks/generate.py OUT_DIR --contributions 50 --words 10000 --entries 2000

writes OUT_DIR/issue.toml, OUT_DIR/bibliography/synthetic.bib, OUT_DIR/papers/*.{md,docx,tex} and
OUT_DIR/concepts.toml: N contributions of W words of plausible prose, citations at a realistic density (about one
per 45 words) in the varied author-date forms and in [@key] / \\citep form, cross-references between the
contributions, and occurrences of the vocabulary's concepts. The same arguments give the same files.
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SYLLABLES = ["ka", "mo", "ri", "ten", "vo", "lan", "ber", "shi", "da", "nor", "el", "ha", "gu", "pet", "son",
             "mar", "til", "as", "wen", "dro", "ku", "lis", "fa", "ro", "zan", "bel", "ot", "min", "ger", "qu"]
GIVEN = ["Anna", "David", "Mely", "Paul", "Hikaru", "Amitav", "Sarah", "Robert", "Miwa", "Lee", "Shaun", "Joanne",
         "Kei", "Evan", "Yuki", "Jürgen", "Stéphanie", "Cedric", "Ole", "Barry"]
JOURNALS = ["International Organization", "The Pacific Review", "International Peacekeeping", "Disasters",
            "Australian Journal of International Affairs", "Contemporary Southeast Asia", "World Politics",
            "Review of International Studies", "Asian Security", "International Affairs"]
TOPICS = ["regional cooperation", "disaster relief", "humanitarian assistance", "peacekeeping operations",
          "civil-military relations", "functional cooperation", "confidence building", "non-traditional security",
          "collective security", "multilateral diplomacy", "soft regionalism", "the ASEAN Regional Forum"]
CONCEPTS = ["cooperation", "co-operation", "coordination", "partnership", "collaboration", "functionalism",
            "neofunctionalism", "spill-over", "HADR", "sovereignty", "ASEAN", "peacekeeping", "regionalisation",
            "regionalization", "alliance", "anarchy", "free rider", "epistemic community", "collective defence",
            "preventive diplomacy", "low-hanging fruit", "civil-military relations", "humanitarian assistance"]
VERBS = ["argues", "shows", "suggests", "contends", "observes", "finds", "notes", "claims"]
OPENERS = ["In the literature on {t}, {c} is rarely treated as a matter of trust alone.",
           "Much of the debate about {t} turns on whether {c} can outlast the crisis that produced it.",
           "States that distrust one another still practise {c} when the costs of inaction are visible.",
           "The record of {t} in East Asia is uneven, and the reasons for that unevenness matter.",
           "Scholars of {t} disagree on how far {c} spreads from one field to the next.",
           "Where institutions are thin, {c} depends on habits formed in earlier emergencies.",
           "Military forces bring logistics and discipline to {t}, but they also bring suspicion.",
           "A functional account of {t} expects {c} to deepen as practical benefits accumulate."]


def surname(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        if name not in used:
            used.add(name)
            return name


def make_entries(rng: random.Random, n: int) -> list[dict]:
    used: set[str] = set()
    entries = []
    authors_pool = [surname(rng, used) for _ in range(max(20, n // 2))]
    for i in range(n):
        k = rng.choices((1, 2, 3, 4), weights=(55, 25, 12, 8))[0]
        authors = rng.sample(authors_pool, k)
        year = rng.randint(1950, 2019)
        kind = rng.choices(("article", "book", "incollection"), weights=(60, 25, 15))[0]
        first_page = rng.randint(1, 600)
        entries.append({"key": f"{authors[0].lower()}{year}{i}", "authors": authors, "year": year, "type": kind,
                        "title": f"{rng.choice(TOPICS).capitalize()} and the politics of {rng.choice(CONCEPTS)}",
                        "journal": rng.choice(JOURNALS), "pages": (first_page, first_page + rng.randint(10, 30)),
                        "given": [rng.choice(GIVEN) for _ in authors]})
    # a/b suffixes need unique author+year: keep the first of each
    seen: set[tuple] = set()
    unique = []
    for e in entries:
        sig = (tuple(e["authors"]), e["year"])
        if sig not in seen:
            seen.add(sig)
            unique.append(e)
    return unique


def bibtex(entries: list[dict]) -> str:
    out = ["@string{io = {International Organization}}", ""]
    for e in entries:
        names = " and ".join(f"{last}, {given}" for last, given in zip(e["authors"], e["given"]))
        fields = [f"  author = {{{names}}}", f"  title = {{{e['title']}}}", f"  year = {{{e['year']}}}"]
        if e["type"] == "article":
            fields.append(f"  journal = {{{e['journal']}}}")
            fields.append(f"  pages = {{{e['pages'][0]}--{e['pages'][1]}}}")
        elif e["type"] == "book":
            fields.append("  publisher = {Routledge}")
        else:
            fields.append(f"  booktitle = {{Handbook of {e['title'].split(' and ')[0]}}}")
            fields.append("  publisher = {Palgrave Macmillan}")
            fields.append(f"  pages = {{{e['pages'][0]}--{e['pages'][1]}}}")
        out.append(f"@{e['type']}{{{e['key']},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(out)


def in_text(e: dict) -> str:
    a = e["authors"]
    if len(a) == 1:
        return a[0]
    if len(a) == 2:
        return f"{a[0]} and {a[1]}"
    if len(a) == 3:
        return f"{a[0]}, {a[1]} and {a[2]}"
    return f"{a[0]} et al."


def citation(rng: random.Random, e: dict, markup: str | None) -> str:
    if markup == "md":
        return rng.choice([f"[@{e['key']}]", f"[@{e['key']}, p. {e['pages'][0] + 2}]", f"[see @{e['key']}]"])
    if markup == "tex":
        return rng.choice([f"\\citep{{{e['key']}}}", f"\\citep[{e['pages'][0] + 1}]{{{e['key']}}}"])
    page = e["pages"][0] + rng.randint(0, 9)
    forms = [f"({in_text(e)} {e['year']})", f"({in_text(e)} {e['year']}, {page})",
             f"({in_text(e)}, {e['year']}: {page})", f"{in_text(e)} ({e['year']}) {rng.choice(VERBS)} that",
             f"(see {in_text(e)} {e['year']}, pp. {page}-{page + 2})", f"(e.g. {in_text(e)} {e['year']})"]
    return rng.choice(forms)


def paragraph(rng: random.Random, entries: list[dict], markup: str | None, others: list[str], words: int) -> str:
    sentences: list[str] = []
    count = 0
    while count < words:
        t, c = rng.choice(TOPICS), rng.choice(CONCEPTS)
        s = rng.choice(OPENERS).format(t=t, c=c)
        if rng.random() < 0.55:
            e = rng.choice(entries)
            cite = citation(rng, e, markup)
            s = s[:-1] + " " + cite + "." if not cite.endswith("that") else cite + " " + s[0].lower() + s[1:]
        if others and rng.random() < 0.03:
            s += f" {rng.choice(others)} (this issue) makes a related point."
        sentences.append(s)
        count += len(s.split())
    return " ".join(sentences)


def generate(out: Path, contributions: int, words: int, entries_n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "papers").mkdir(parents=True)
    (out / "bibliography").mkdir()
    entries = make_entries(rng, entries_n)
    (out / "bibliography" / "synthetic.bib").write_text(bibtex(entries), encoding="utf-8")
    used: set[str] = set()
    authors = [surname(rng, used) + "-" + str(i) for i in range(contributions)]
    authors = [a.split("-")[0] + chr(ord("a") + i % 26) for i, a in enumerate(authors)]
    manifest = ['[issue]', 'title = "A Synthetic Issue"', 'journal = "Journal of Benchmarks"', "year = 2020",
                'bibliography = ["bibliography/*.bib"]', "", "[check]", 'severity = { "unused-entry" = "off" }', ""]
    docx_sources = []
    for i in range(contributions):
        fmt = ("md", "md", "docx", "tex", "md")[i % 5]
        markup = {"md": "md" if i % 2 else None, "docx": None, "tex": "tex"}[fmt]
        cid = f"paper{i + 1:03d}"
        others = [a for j, a in enumerate(authors) if j != i]
        body = []
        n_par = max(1, words // 180)
        for p in range(n_par):
            if p % 6 == 0:
                body.append(("h", f"Section {p // 6 + 1}: {rng.choice(TOPICS).capitalize()}"))
            body.append(("p", paragraph(rng, entries, markup, others, words // n_par)))
        title = f"{rng.choice(TOPICS).capitalize()} in East Asia: case {i + 1}"
        if fmt == "tex":
            text = ["\\documentclass{article}", f"\\title{{{title}}}", "\\begin{document}", "\\maketitle"]
            for kind, t in body:
                text.append(f"\\section{{{t}}}" if kind == "h" else t.replace("%", "\\%") + "\n")
            text.append("\\end{document}")
            (out / "papers" / f"{cid}.tex").write_text("\n".join(text), encoding="utf-8")
        else:
            text = ["---", f'title: "{title}"', "---", ""]
            for kind, t in body:
                text.append(f"# {t}\n" if kind == "h" else t + "\n")
            text.append("# References\n\nAs listed in the shared bibliography.\n")
            md = "\n".join(text)
            target = out / "papers" / f"{cid}.md"
            target.write_text(md, encoding="utf-8")
            if fmt == "docx":
                docx_sources.append(target)
        manifest += ["[[contributions]]", f'id = "{cid}"', f'file = "papers/{cid}.{fmt}"', f'title = "{title}"',
                     f'authors = [{{ name = "{rng.choice(GIVEN)} {authors[i]}" }}]', ""]
    (out / "issue.toml").write_text("\n".join(manifest), encoding="utf-8")
    (out / "concepts.toml").write_text(
        "\n".join(f'[[concept]]\nheading = "{c}"\n' for c in sorted(set(CONCEPTS) - {"co-operation", "regionalization"})),
        encoding="utf-8")
    _to_docx(docx_sources)


def _to_docx(sources: list[Path]) -> None:
    """Convert the Markdown of the .docx contributions with pandoc, in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    import pypandoc

    def one(src: Path) -> None:
        pypandoc.convert_file(str(src), "docx", outputfile=str(src.with_suffix(".docx")))
        src.unlink()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, sources))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--contributions", type=int, default=6)
    ap.add_argument("--words", type=int, default=10000, help="words per contribution")
    ap.add_argument("--entries", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generate(args.out, args.contributions, args.words, args.entries, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
