"""`issue refs`: merge the authors' .bib files, format, export, show and search the shared bibliography.

Only `refs merge` and `refs format --write` write .bib files; both write through a temporary file and a rename,
and `format --write` keeps the old file as FILE.bib.bak.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


# -- shared helpers ---------------------------------------------------------------------------------------------
def _usage(message: str) -> click.ClickException:
    from ..cli import UsageProblem

    return UsageProblem(message)


def _issue(ctx: click.Context):
    """The issue (root, bibliography globs, [bibliography] options), or the current folder outside an issue."""
    from ..cli import open_project
    from ..model import Issue

    project = (ctx.find_root().obj or {}).get("project")
    opened = open_project(project, require=False)
    if opened is None:
        return Issue(root=Path.cwd().resolve(), title="", bibliography=[])
    return opened[0]


def _inside(issue, path: str, *, must_exist: bool = True) -> str:
    """`path` (as typed, relative to the current folder) as a path relative to the issue folder."""
    full = Path(path).resolve()
    root = issue.root.resolve()
    if not full.is_relative_to(root):
        raise _usage(f"{path} is outside the issue folder {root}; `issue` reads and writes only inside it")
    if must_exist and not full.is_file():
        raise _usage(f"{path}: no such file")
    return full.relative_to(root).as_posix()


def _cache(issue) -> Path | None:
    """build/.cache of an issue folder; outside one, nothing is written."""
    if os.environ.get("ISSUE_NO_CACHE") or not (issue.root / "issue.toml").is_file():
        return None
    return issue.root / "build" / ".cache"


def _load(ctx: click.Context, bibs: tuple[str, ...] = ()):
    from . import load_bibliography

    issue = _issue(ctx)
    files = [_inside(issue, b) for b in bibs] or None
    if files is None and not issue.bibliography:
        raise _usage("no bibliography: run inside an issue folder, or name a file with --bib FILE.bib")
    bib, diags = load_bibliography(issue.root, issue.bibliography, files=files, cache_dir=_cache(issue),
                                   options=issue.bib)
    return issue, bib, diags


def _report(diags, stream=None, only_errors: bool = False) -> None:
    from ..diagnostics import reporters

    shown = [d for d in diags if d.severity.value == "error"] if only_errors else list(diags)
    if shown:
        shown.sort(key=lambda d: d.sort_key())
        reporters.write(shown, "text", stream or sys.stderr)


_BIB_OPTION = click.option("--bib", "-b", "bibs", multiple=True, type=click.Path(),
                           help="A .bib file to use instead of the issue's bibliography (repeatable).")


@click.group("refs")
def refs() -> None:
    """Work on the shared bibliography: merge authors' files, format, export, show, search.

    The checks themselves (duplicate keys and works, missing fields, identifiers, formats) run in
    `issue check`; settings live in issue.toml under [bibliography].

    \b
    Examples:
      issue refs merge contrib/jones.bib contrib/lee.bib -o bibliography/shared.bib
      issue refs format --check
      issue refs export --to csl-json -o build/references.json
      issue refs show keohane1984after
      issue refs search "after hegemony"
    """


# -- merge ------------------------------------------------------------------------------------------------------
@refs.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", required=True, type=click.Path(), help="The shared .bib file to write.")
@click.option("--keymap", type=click.Path(), default=None,
              help="Where to write the key map (old key -> shared key). Default: OUTPUT with .keys.toml.")
@click.option("--dry-run", is_flag=True, help="Report what would be merged; write nothing.")
@click.pass_context
def merge(ctx: click.Context, files: tuple[str, ...], output: str, keymap: str | None, dry_run: bool) -> None:
    """Merge authors' .bib files into one shared bibliography, with a key map.

    Entries for one work (same DOI, or same first author, year and title, or a near-identical title;
    editions, volumes and parts kept apart) become one entry under the first file's key. Where files
    disagree on a field, the first file's value is kept and every other value is reported and noted in a
    comment above the entry. The key map lets manuscripts keep citing the keys their authors used: add
    `keymap = "bibliography/shared.keys.toml"` to [bibliography] in issue.toml. OUTPUT may be one of the
    inputs (it is read before it is written; the old file is kept as OUTPUT.bak).

    \b
    Examples:
      issue refs merge bibliography/shared.bib contrib/*.bib -o bibliography/shared.bib
      issue refs merge a.bib b.bib c.bib -o shared.bib --dry-run
    """
    from .format import write_atomic
    from .merge import keymap_text, merge_files

    issue = _issue(ctx)
    rels = [_inside(issue, f) for f in files]
    out_rel = _inside(issue, output, must_exist=False)
    if not out_rel.lower().endswith(".bib"):
        raise _usage(f"{output}: the merged bibliography must be a .bib file")
    map_rel = _inside(issue, keymap, must_exist=False) if keymap else out_rel[:-4] + ".keys.toml"
    result = merge_files(issue.root, rels, issue.bib)
    _report(result.diagnostics)
    if result.blocked:
        click.echo("nothing written: fix the syntax errors above first (a broken entry would be lost)", err=True)
        ctx.exit(EXIT_ERRORS)
    conflicts = sum(1 for d in result.diagnostics if d.name == "merge-conflict")
    summary = (f"{result.entries_in} entries from {len(rels)} files -> {result.entries_out} entries "
               f"({result.entries_in - result.entries_out} joined), {conflicts} conflict"
               f"{'s' if conflicts != 1 else ''}, {len(result.keymap)} keys mapped")
    if dry_run:
        click.echo(f"dry run: {summary}; nothing written", err=True)
        return
    out_path = issue.root / out_rel
    out_path.parent.mkdir(parents=True, exist_ok=True)
    backup = write_atomic(out_path, result.text)
    (issue.root / map_rel).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(issue.root / map_rel, keymap_text(result.keymap, out_rel, map_rel), backup=False)
    click.echo(f"wrote {out_rel}" + (f" (old file kept as {backup.name})" if backup else "") +
               f" and {map_rel}: {summary}", err=True)
    if (issue.bib or {}).get("keymap") != map_rel and result.keymap:
        click.echo(f"so that manuscripts can keep their authors' keys, add to issue.toml:\n"
                   f"  [bibliography]\n  keymap = \"{map_rel}\"", err=True)


# -- format -----------------------------------------------------------------------------------------------------
@refs.command("format")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if a file is not in the layout; write nothing.")
@click.option("--write", is_flag=True, help="Rewrite the files (the old file is kept as FILE.bib.bak).")
@click.pass_context
def format_cmd(ctx: click.Context, files: tuple[str, ...], check_only: bool, write: bool) -> None:
    """Put every entry in one layout; show the change as a diff (writes only with --write).

    The layout: lower-case types and fields, fields in a fixed order, two-space indentation with
    aligned '=', braces around values, `--` in page ranges. Values are otherwise kept exactly as
    written (LaTeX, @string macros, comments). Without FILES, the issue's bibliography files.

    \b
    Examples:
      issue refs format                          # the diff
      issue refs format --check                  # in CI
      issue refs format --write bibliography/issue.bib
    """
    from .format import diff, format_text, write_atomic
    from .load import _decode_file, _select_files

    if check_only and write:
        raise _usage("--check and --write exclude each other")
    issue = _issue(ctx)
    sink: list = []
    rels = [_inside(issue, f) for f in files] or _select_files(issue.root.resolve(), issue.bibliography, None, sink)
    if not rels:
        raise _usage("no .bib files: name them, or run inside an issue folder")
    changed, blocked = [], []
    for rel in rels:
        path = issue.root / rel
        diags: list = []
        old = _decode_file(rel, path.read_bytes(), diags)
        if old is None:
            _report(diags)
            blocked.append(rel)
            continue
        new, failed = format_text(old)
        if failed:
            from .load import parse_files

            _, load_diags = parse_files([(rel, path.read_bytes())])
            _report([d for d in load_diags if d.name == "bib-syntax"])
            blocked.append(rel)
            continue
        original = path.read_bytes()
        if new.encode("utf-8") == original:
            continue
        changed.append(rel)
        if check_only:
            click.echo(f"would reformat {rel}")
        elif write:
            backup = write_atomic(path, new)
            note = " (converted to UTF-8)" if diags else ""
            click.echo(f"formatted {rel}{note}; the old file is {backup.name}", err=True)
        else:
            click.echo(diff(old, new, rel), nl=False)
    if blocked:
        click.echo(f"not formatted (cannot be read cleanly): {', '.join(blocked)}", err=True)
    if not changed and not blocked:
        click.echo("all files are in the layout", err=True)
    if blocked or (check_only and changed):
        ctx.exit(EXIT_ERRORS)


# -- export -----------------------------------------------------------------------------------------------------
@refs.command()
@click.option("--to", "fmt", type=click.Choice(["csl-json", "ris", "bibtex", "biblatex"]), default="csl-json",
              show_default=True, help="The output format.")
@click.option("--output", "-o", type=click.Path(), default=None,
              help="A file inside the issue folder (default: standard output). Not a .bib file: "
                   "only `refs merge` and `refs format --write` write those.")
@_BIB_OPTION
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, bibs: tuple[str, ...]) -> None:
    """Export the bibliography, sorted by key; the same bibliography gives the same bytes.

    csl-json is what pandoc --citeproc reads; ris goes to Zotero, EndNote and Mendeley; bibtex uses the
    classic types and fields (journal, address, year), biblatex the modern ones (journaltitle,
    location, date, @thesis).

    \b
    Examples:
      issue refs export --to csl-json -o build/references.json
      issue refs export --to ris > issue.ris
      issue refs export --to biblatex -b bibliography/shared.bib > shared-biblatex.bib
    """
    from .export import FORMATS
    from .format import write_atomic

    issue, bib, diags = _load(ctx, bibs)
    _report(diags, only_errors=True)
    text = FORMATS[fmt](bib)
    if output is None:
        click.echo(text, nl=False)
        return
    rel = _inside(issue, output, must_exist=False)
    if rel.lower().endswith((".bib", ".bibtex", ".biblatex")):
        raise _usage(f"{output}: export does not write .bib files; print to standard output, or use "
                     "`issue refs merge` / `issue refs format --write`")
    if rel in bib.files:
        raise _usage(f"{output} is one of the bibliography's own files")
    (issue.root / rel).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(issue.root / rel, text, backup=False)
    click.echo(f"wrote {rel}: {len([e for e in bib.entries.values() if e.type not in ('xdata', 'set')])} "
               f"entries as {fmt}", err=True)


# -- show and search --------------------------------------------------------------------------------------------
def _reference(entry) -> str:
    """A one-paragraph rendering for the terminal (not a citation style)."""
    names = entry.authors or entry.editors
    who = "; ".join(n.inverted() for n in names) + (" et al." if entry.others.get("author") else "")
    if not entry.authors and entry.editors:
        who += " (ed.)" if len(entry.editors) == 1 else " (eds)"
    parts = [who or "[no author]", f"({entry.year or 'n.d.'})", (entry.title or "[no title]") + "."]
    container = entry.container
    if container:
        parts.append(("In " if entry.type.startswith("in") else "") + container + ".")
    extra = ", ".join(x for x in (
        f"vol. {entry.fields['volume']}" if entry.fields.get("volume") else "",
        f"no. {entry.fields['number']}" if entry.fields.get("number") else "",
        f"pp. {entry.pages}" if entry.pages else "",
        entry.get("publisher") or "", entry.get("location") or "",
    ) if x)
    if extra:
        parts.append(extra + ".")
    if entry.doi:
        parts.append(f"https://doi.org/{entry.doi}")
    return " ".join(parts)


@refs.command()
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csl-json", "bibtex"]), default="text",
              show_default=True)
@_BIB_OPTION
@click.pass_context
def show(ctx: click.Context, key: str, fmt: str, bibs: tuple[str, ...]) -> None:
    """Show one entry: where it is, what it says, what it inherits, and its findings.

    KEY may be an old key from the key map or an `ids` alias; case is ignored when nothing matches exactly.

    \b
    Examples:
      issue refs show keohane1984after
      issue refs show Keohane:AH --format csl-json
    """
    import difflib

    from .checks import check_bibliography
    from .export import csl_item
    from .format import format_entry, literal

    issue, bib, diags = _load(ctx, bibs)
    entry = bib.get(key)
    if entry is None:
        close = difflib.get_close_matches(key, list(bib.entries), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        click.echo(f"no entry with the key '{key}'{hint}", err=True)
        ctx.exit(EXIT_ERRORS)
    mine = [d for d in diags + check_bibliography(bib, issue.bib) if d.data.get("key") == entry.key]
    if fmt == "csl-json":
        click.echo(json.dumps(csl_item(entry), ensure_ascii=False, indent=2))
        return
    if fmt == "bibtex":
        click.echo(format_entry(entry.type, entry.key, [(n, literal(v)) for n, v in entry.raw_fields.items()]))
        return
    if fmt == "json":
        click.echo(json.dumps({
            "key": entry.key, "type": entry.type, **entry.location.to_json(), "fields": entry.fields,
            "authors": [n.__dict__ for n in entry.authors], "editors": [n.__dict__ for n in entry.editors],
            "year": entry.year, "inherited": entry.inherited, "aliases": entry.aliases,
            "diagnostics": [d.to_json() for d in mine]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{entry.key}  @{entry.type}  {entry.location.label()}")
    if entry.key != key:
        click.echo(f"  (found for '{key}')")
    click.echo("  " + _reference(entry))
    width = max((len(n) for n in entry.fields), default=0)
    for name, value in entry.fields.items():
        note = f"   (from {entry.inherited[name]})" if name in entry.inherited else ""
        shown = value if len(value) <= 200 else value[:200] + "…"
        click.echo(f"  {name.ljust(width)}  {shown}{note}")
    if entry.aliases:
        click.echo(f"  also cited as: {', '.join(entry.aliases)}")
    if mine:
        click.echo("")
        _report(mine, sys.stdout)


def _haystack(entry) -> str:
    from ..names import fold

    names = " ".join(n.display() for n in entry.authors + entry.editors)
    text = " ".join(x for x in (entry.key, names, entry.year or "", entry.title or "", entry.container or "",
                                entry.doi or "") if x)
    return " ".join(re.sub(r"[^\w\s./:-]", " ", fold(text)).split())


@refs.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(1))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_BIB_OPTION
@click.pass_context
def search(ctx: click.Context, text: tuple[str, ...], limit: int, fmt: str, bibs: tuple[str, ...]) -> None:
    """Find entries by words of their authors, title, year, journal, key or DOI (accents and case ignored).

    Entries holding every word come first; near misses (typos) follow.

    \b
    Examples:
      issue refs search keohane 1984
      issue refs search "after hegemony"
      issue refs search de coning --format json
    """
    from rapidfuzz import fuzz, process

    from ..names import fold

    _issue_, bib, _ = _load(ctx, bibs)
    query = fold(" ".join(text)).strip()
    words = query.split()
    scored = []
    for order, entry in enumerate(bib.entries.values()):
        hay = _haystack(entry)
        if all(w in hay for w in words):
            score = 200 + fuzz.partial_ratio(query, hay)
        else:
            # every word near some word of the entry (typos: 'peacekeping handbok')
            tokens = hay.split()
            best = [process.extractOne(w, tokens, scorer=fuzz.ratio)[1] for w in words]
            if min(best) < 75:
                continue
            score = sum(best) / len(best)
        scored.append((-score, order, entry))
    scored.sort(key=lambda t: (t[0], t[1]))
    hits = [e for _, _, e in scored[:limit]]
    if fmt == "json":
        click.echo(json.dumps([{"key": e.key, "label": e.label(), "title": e.title, "year": e.year,
                                **e.location.to_json()} for e in hits], ensure_ascii=False, indent=2))
    else:
        for e in hits:
            click.echo(f"{e.key}  {e.label()}  {(e.title or '')[:70]}  ({e.location.label()})")
    if not hits:
        click.echo(f"no entry matches '{' '.join(text)}'", err=True)
        ctx.exit(EXIT_ERRORS)


# `issue refs cited` belongs to the citation checker; attach it when that module is present
try:
    from ..citations.commands import cited

    refs.add_command(cited)
except ImportError:
    pass
