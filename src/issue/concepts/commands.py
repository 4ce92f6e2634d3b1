"""`issue index`: print the concept index, the concepts-by-contributions matrix, or headings to add."""
from __future__ import annotations

import csv
import io
import json
import sys

import click


def _run(project: str | None, letter: bool):
    """Open the issue, read the manuscripts, find the citations (their spans are not indexed), index."""
    from ..cli import UsageProblem, _context, open_project
    from ..pipeline import analyse, load_bibliography, load_manuscripts
    from .vocabulary import load_vocabulary, settings_of

    issue, _manifest = open_project(project)
    settings, _ = settings_of(issue)
    if letter:
        settings.sort = "letter"
        issue.raw = {**issue.raw, "index": {**issue.raw.get("index", {}), "sort": "letter"}}
    vocab, _ = load_vocabulary(issue.root, issue, settings)
    run = _context(issue)
    run.timed("parse", lambda: load_manuscripts(run))
    run.timed("load-bibliography", lambda: load_bibliography(run))
    analyse(run, only={"bibliography", "citations", "concepts"})
    return run, vocab, UsageProblem


@click.command("index")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text (as printed in a book), json (the index model), csv (one row per locator).")
@click.option("--letter-by-letter", "letter", is_flag=True,
              help="Sort letter by letter (Newark before New York) instead of word by word.")
@click.option("--matrix", is_flag=True, help="Print the concepts-by-contributions table instead of the index.")
@click.option("--suggest", is_flag=True,
              help="Propose headings missing from the vocabulary: keyphrases found in several contributions.")
@click.option("--min-contributions", default=2, show_default=True, type=click.IntRange(1),
              help="With --suggest: in how many contributions a phrase must occur.")
@click.option("--top", default=30, show_default=True, type=click.IntRange(1), help="With --suggest: how many.")
@click.pass_context
def index(ctx: click.Context, fmt: str, letter: bool, matrix: bool, suggest: bool, min_contributions: int,
          top: int) -> None:
    """Print the issue's concept index, built from concepts.toml and the manuscripts.

    Without page numbers (they come from the PDF build) a locator is a contribution and a paragraph:
    "cook 3–5, 9" means paragraphs 3 to 5 and 9 of the contribution `cook`. The index's findings
    (I4xx) are printed on stderr.

    \b
    Examples:
      issue index                          # the index, word-by-word
      issue index --letter-by-letter
      issue index --format csv > index.csv
      issue index --matrix                 # which paper uses which concept how often
      issue index --suggest                # headings the vocabulary lacks
    """
    from ..diagnostics import reporters
    from ..pipeline import findings
    from .export import index_csv, index_json, matrix_csv
    from .index import render_text

    run, vocab, usage = _run((ctx.obj or {}).get("project"), letter)
    if suggest:
        from .suggest import suggest as propose

        ideas = propose(run, vocab, min_contributions=min_contributions, top=top)
        _print_suggestions(ideas, fmt)
        return
    if vocab is None:
        raise usage("no index vocabulary: create concepts.toml in the issue folder (one [[concept]] per heading; "
                    "`issue init` writes an example), or set [index] vocabulary in issue.toml")
    result = run.results.get("concepts")
    mine = [d for d in findings(run).items if d.code.startswith("I")]
    if mine:
        reporters.write(mine, "text", sys.stderr)
    if result is None or "index" not in result.extra:
        ctx.exit(1)
    idx, table = result.extra["index"], result.extra["matrix"]
    if matrix:
        if fmt == "json":
            click.echo(json.dumps(table.to_json(), ensure_ascii=False, indent=2))
        elif fmt == "csv":
            click.echo(matrix_csv(table), nl=False)
        else:
            click.echo(_matrix_text(table), nl=False)
    elif fmt == "json":
        click.echo(index_json(idx), nl=False)
    elif fmt == "csv":
        click.echo(index_csv(idx), nl=False)
    else:
        click.echo(render_text(idx), nl=False)
    if any(d.severity.value == "error" for d in mine):
        ctx.exit(1)


def _matrix_text(table) -> str:
    width = max([len(c) for c in table.concepts] + [7])
    cols = [max(len(c), 4) for c in table.contributions]
    lines = ["concept".ljust(width) + "  " + "  ".join(c.rjust(w) for c, w in zip(table.contributions, cols))
             + "  total"]
    for concept in table.concepts:
        row = table.row(concept)
        lines.append(concept.ljust(width) + "  " + "  ".join(str(n or ".").rjust(w) for n, w in zip(row, cols))
                     + f"  {sum(row):5d}")
    return "\n".join(lines) + "\n"


def _print_suggestions(ideas, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([s.to_json() for s in ideas], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["phrase", "contributions", "total", "score", "extends"])
        for s in ideas:
            w.writerow([s.phrase, " ".join(f"{k}:{v}" for k, v in s.contributions.items()), s.total,
                        f"{s.score:.6f}", s.extends or ""])
        click.echo(buf.getvalue(), nl=False)
        return
    if not ideas:
        click.echo("no suggestions: every keyphrase found in two or more contributions is in the vocabulary")
        return
    click.echo("Headings the vocabulary lacks (keyphrases found in several contributions), most shared first:\n")
    for n, s in enumerate(ideas, 1):
        where = ", ".join(f"{k} {v}" for k, v in s.contributions.items())
        hint = f"   → a sub-entry of '{s.extends}'" if s.extends else ""
        click.echo(f"{n:3d}. {s.phrase}  ({s.total}×: {where}){hint}")
    click.echo("\nAdd one with:\n\n[[concept]]\nheading = \"" + ideas[0].phrase + "\"")
