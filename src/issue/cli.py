"""The `issue` command: click commands only; options in, pipeline called, report out."""
from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import reporters
from .diagnostics.core import Diagnostic
from .model import Contribution, Issue
from .project import ManifestError, find_root, load_issue

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

# Command groups that live with their domain; each module exposes a click command of the given name.
COMMAND_MODULES = [
    ("issue.bibliography.commands", "refs"),
    ("issue.concepts.commands", "index"),
    ("issue.render.serve", "serve"),
]


class UsageProblem(click.ClickException):
    exit_code = EXIT_USAGE


def _echo_diags(diags: list[Diagnostic], fmt: str, extra: dict | None = None, colour: bool | None = None) -> None:
    reporters.write(diags, fmt, sys.stdout, extra=extra, colour=colour)


def open_project(project: str | None, require: bool = True) -> tuple[Issue, list[Diagnostic]] | None:
    """The issue folder from --project or from issue.toml in this folder or a parent; exits 2 when unusable."""
    import time

    t0 = time.perf_counter()
    root = Path(project).resolve() if project else find_root()
    if project and not root.is_dir():
        raise UsageProblem(f"--project {project}: no such folder")
    if project and (root / "issue.toml").is_dir():
        raise UsageProblem(f"{root / 'issue.toml'} is a folder; the manifest must be a file")
    if root is None:
        if not require:
            return None
        raise UsageProblem("no issue.toml here or in any parent folder; run `issue init DIR` or pass --project DIR")
    try:
        return load_issue(root)
    except ManifestError as exc:
        raise _ManifestExit(exc.diagnostics)
    finally:
        current = click.get_current_context(silent=True)
        if current is not None and isinstance(current.find_root().obj, dict):
            current.find_root().obj["manifest_seconds"] = time.perf_counter() - t0  # the "load" phase


class _ManifestExit(Exception):
    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics


def _context(issue: Issue, bibliography_files: list[str] | None = None):
    from .pipeline import Context

    cache = issue.root / "build" / ".cache"
    if os.environ.get("ISSUE_NO_CACHE"):
        cache = None
    return Context(issue=issue, cache_dir=cache, bibliography_files=bibliography_files)


def _adhoc_issue(paths: list[str]) -> Issue:
    """An issue made of the named manuscripts, for an author working outside an issue folder."""
    root = Path.cwd().resolve()
    contributions = []
    for i, p in enumerate(paths):
        rel = Path(p).resolve()
        if not rel.is_relative_to(root):
            raise UsageProblem(f"{p} is outside the current folder; run `issue check` from a folder that holds it")
        stem = "".join(ch if ch.isalnum() else "-" for ch in rel.stem.lower()).strip("-") or f"paper-{i + 1}"
        contributions.append(Contribution(id=stem, file=rel.relative_to(root).as_posix(), title=rel.stem))
    # an author's own .bib holds far more than one paper cites: unused entries are not findings here
    return Issue(root=root, title="", contributions=contributions, bibliography=[],
                 citations={"unused_entry": "off"})


class _Commands(click.Group):
    """The command group; the domain groups of COMMAND_MODULES are imported only when named (`issue check` does
    not pay for the web server's imports). `main.commands` still lists them all, importing them then."""

    def __init__(self, *args, **kwargs):
        self._own: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, click.Command]:
        for module, name in COMMAND_MODULES:
            self._domain(name)
        return self._own

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._own = dict(value or {})

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._own[name or cmd.name] = cmd

    def _domain(self, name: str) -> click.Command | None:
        if name not in self._own:
            for module, attr in COMMAND_MODULES:
                if attr != name:
                    continue
                try:
                    mod = importlib.import_module(module)
                except ModuleNotFoundError as exc:
                    if exc.name and module.startswith(exc.name):
                        return None
                    raise
                self._own[name] = getattr(mod, attr)
        return self._own.get(name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._own.get(cmd_name) or self._domain(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="issue")
@click.option("--project", "-C", type=click.Path(file_okay=False), envvar="ISSUE_PROJECT",
              help="The issue folder (default: the nearest folder with issue.toml).")
@click.pass_context
def main(ctx: click.Context, project: str | None) -> None:
    """Check and build an edited special issue or an edited book.

    \b
    Examples:
      issue check                       # every manuscript, the bibliography, the manifest
      issue check papers/jones.docx     # one manuscript, as its author would before submitting
      issue build                       # checks, then build/ (HTML, PDF, EPUB, ...)
      issue explain C201                # what a diagnostic means and how to fix it
    """
    ctx.obj = {"project": project}


def _relative_files(issue: Issue, paths: tuple[str, ...]) -> set[str] | None:
    if not paths:
        return None
    out = set()
    for p in paths:
        full = Path(p).resolve()
        if not full.exists():
            raise UsageProblem(f"{p}: no such file")
        if not full.is_relative_to(issue.root.resolve()):
            raise UsageProblem(f"{p} is outside the issue folder {issue.root}")
        out.add(full.relative_to(issue.root.resolve()).as_posix())
    return out


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text (compiler style), json (every field and the extracted records), github (annotations).")
@click.option("--bibliography", "-b", "bibs", multiple=True, type=click.Path(),
              help="A .bib file to check against (repeatable); for a manuscript outside an issue folder.")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output (default: on a terminal, unless NO_COLOR is set).")
@click.option("--strict", is_flag=True, help="Warnings count as errors for the exit status.")
@click.option("--timings", is_flag=True, hidden=True, help="Print the time of each phase to stderr as JSON (benchmarks).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], fmt: str, bibs: tuple[str, ...], colour: bool | None,
          strict: bool, timings: bool) -> None:
    """Check the manifest, the manuscripts and the bibliography; report every finding.

    Exit status: 0 no errors, 1 errors found, 2 usage or configuration error.

    \b
    Examples:
      issue check
      issue check papers/jones.docx --format json
      issue check paper.docx --bibliography refs.bib      # outside an issue folder
      issue check --format github                         # in a GitHub workflow
    """
    from .pipeline import findings, json_extra, run_checks

    try:
        opened = open_project(ctx.obj["project"], require=not (paths and bibs))
    except _ManifestExit as exc:
        _echo_diags(exc.diagnostics, fmt, colour=colour)
        ctx.exit(EXIT_USAGE)
    if opened is None:
        issue, manifest_diags = _adhoc_issue(list(paths)), []
        files = None
    else:
        issue, manifest_diags = opened
        files = _relative_files(issue, paths)
    bib_files = None
    if bibs:
        bib_files = []
        for b in bibs:
            full = Path(b).resolve()
            if not full.is_file():
                raise UsageProblem(f"{b}: no such file")
            if not full.is_relative_to(issue.root.resolve()):
                raise UsageProblem(f"{b} is outside the folder {issue.root}")
            bib_files.append(full.relative_to(issue.root.resolve()).as_posix())
    run = _context(issue, bib_files)
    run.add_time("load", ctx.obj.get("manifest_seconds", 0.0))
    run.diagnostics.extend(manifest_diags)
    run_checks(run, memo=True)
    found = findings(run, files).items
    run.timed("write", lambda: _echo_diags(found, fmt, extra=json_extra(run, files) if fmt == "json" else None,
                                           colour=colour))
    if timings:
        _print_timings(run)
    if any(d.code.startswith("M") and d.severity.value == "error" for d in found):
        ctx.exit(EXIT_USAGE)
    bad = any(d.severity.value == "error" or (strict and d.severity.value == "warning") for d in found)
    ctx.exit(EXIT_ERRORS if bad else EXIT_OK)


@main.command()
@click.option("--format", "formats", default=None, metavar="LIST",
              help="Outputs to write, comma-separated: html,pdf,epub,docx,jats,crossref (default: all).")
@click.option("--strict", is_flag=True, help="Stop on any error-level finding (for CI).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--paginate", is_flag=True, help="Write each contribution's typeset page range to build/pages.toml "
              "(typesets the PDF even when --format leaves it out).")
@click.option("--color/--no-color", "colour", default=None)
@click.option("--timings", is_flag=True, hidden=True, help="Print the time of each phase to stderr as JSON (benchmarks).")
@click.pass_context
def build(ctx: click.Context, formats: str | None, strict: bool, quiet: bool, paginate: bool, colour: bool | None,
          timings: bool) -> None:
    """Run the checks, then write the issue into build/ (replaced atomically).

    The build goes on past unresolved citations and cross-references, which are marked in the output; it stops
    when an input cannot be read or the manifest is invalid, and with --strict on any error. When nothing it is
    made from has changed since the last build (manuscripts, bibliography, manifest, templates, style, vocabulary),
    it prints that build's findings and leaves build/ as it is.

    \b
    Examples:
      issue build
      issue build --format html          # the website only
      issue build --strict               # in CI: fail on any error
      issue build --paginate             # also propose the typeset pages: build/pages.toml
    """
    import time

    from . import build as building  # light: the stamp of the last build is checked before anything heavy loads

    t0 = time.perf_counter()
    chosen = None
    if formats:
        chosen = [f.strip() for f in formats.split(",") if f.strip()]
    request = building.request_of(chosen, paginate)
    root = _root_of(ctx.obj["project"])
    if root is not None and building.stamp_enabled():
        hit = building.up_to_date(root, request)
        if hit is not None:  # nothing changed: the findings of the last build, and build/ as it is
            found, render_diags = hit
            t1 = time.perf_counter()
            _gate(found, strict, quiet, colour)
            if timings:
                click.echo("TIMINGS " + json.dumps({"load": round(t1 - t0, 4),
                                                    "write": round(time.perf_counter() - t1, 4)}), err=True)
            _built(ctx, root, render_diags, quiet, colour, up_to_date=True)
            return

    from .pipeline import findings, run_checks
    from .render import available

    opened = open_project(ctx.obj["project"])
    issue, manifest_diags = opened
    if chosen is not None:
        if not chosen:
            raise UsageProblem(f"--format names no output; available: {', '.join(available())}")
        unknown = [f for f in chosen if f not in available(chosen)]
        if unknown:
            raise UsageProblem(f"unknown output {', '.join(unknown)}; available: {', '.join(available())}")
        chosen = list(chosen)
    if paginate:
        issue.build = {**(issue.build or {}), "paginate": True}
        if chosen is not None and "pdf" not in chosen:
            chosen.append("pdf")  # the pages exist only once the issue is typeset
    run = _context(issue)
    run.add_time("load", ctx.obj.get("manifest_seconds", 0.0))
    run.diagnostics.extend(manifest_diags)
    if "html" in (chosen if chosen is not None else available()):
        from .render.html import prefetch

        run.after_bibliography = prefetch  # the bibliography's citeproc runs, while the checks run
    try:
        with building.lock(issue.root):
            if building.stamp_enabled():
                building.clean_leftovers(issue.root)
                hit = building.up_to_date(issue.root, request)  # another build, waited for, has just made it
                if hit is not None:
                    _gate(hit[0], strict, quiet, colour)
                    if timings:
                        _print_timings(run)
                    _built(ctx, issue.root, hit[1], quiet, colour, up_to_date=True)
                    return
                facts = run.timed("load", lambda: building.input_facts(issue, _style_files(issue)))
            run_checks(run)
            found = findings(run).items
            _gate(found, strict, quiet, colour)
            with _progress(quiet, len(chosen or available())) as progress:
                render_diags = building.build(run, chosen, progress=progress)
            if building.stamp_enabled():
                if any(d.severity.value == "error" for d in render_diags):  # a writer's trouble may pass (a
                    building.forget_stamp(issue.root)  # timeout): the next build tries again
                else:
                    building.write_stamp(issue.root, request, facts, found, render_diags)
    except building.BuildLocked as exc:
        raise click.ClickException(str(exc))
    except building.BuildFailed as exc:
        reporters.write(exc.diagnostics, "text", sys.stderr, colour=colour)
        raise click.ClickException("an output could not be written whole; nothing was built (build/ is unchanged)")
    finally:
        for started in run.started.values():  # work started ahead that no writer took (the build stopped)
            started.cancel()
    if timings:
        _print_timings(run)
    _built(ctx, issue.root, render_diags, quiet, colour)


def _root_of(project: str | None) -> Path | None:
    """The issue folder, without reading the manifest (None when there is none: open_project says why)."""
    root = Path(project).resolve() if project else find_root()
    return root if root is not None and (root / "issue.toml").is_file() else None


def _style_files(issue: Issue) -> list[Path]:
    """The CSL file the outputs are rendered in, when it comes from the package's collection (a style inside the
    issue folder is named in the manifest, and so already in the stamp)."""
    try:
        from .render import csl

        return [csl.resolve(issue)[0].path]
    except Exception:  # noqa: BLE001 - a style that cannot be resolved is reported by the writers
        return []


def _gate(found: list[Diagnostic], strict: bool, quiet: bool, colour: bool | None) -> None:
    """The checks' findings, and whether the build may go on."""
    shown = [d for d in found if d.severity.value == "error"] if quiet else found
    if shown and not quiet:
        reporters.write(shown, "text", sys.stderr, colour=colour)
    elif shown:  # the summary counts what was found, not only what --quiet shows
        colours = reporters.use_colour(sys.stderr, colour)
        sys.stderr.write(reporters.format_text(shown, colour=colours, summary=False))
        hidden = len(found) - len(shown)
        sys.stderr.write(f"found {len(shown)} error{'s' if len(shown) != 1 else ''}"
                         + (f" ({hidden} warnings and infos not shown: --quiet)\n" if hidden else "\n"))
    if any(d.code.startswith("M") and d.severity.value == "error" for d in found):
        raise UsageProblem("the manifest has errors; nothing was built (build/ is unchanged)")
    unreadable = [d for d in found if d.code in ("D101", "D103", "D105") and d.severity.value == "error"]
    if unreadable:
        raise click.ClickException("a manuscript cannot be read; nothing was built (build/ is unchanged)")
    if strict and any(d.severity.value == "error" for d in found):
        raise click.ClickException("--strict: errors found; nothing was built (build/ is unchanged)")


def _built(ctx: click.Context, root: Path, render_diags: list[Diagnostic], quiet: bool, colour: bool | None,
           up_to_date: bool = False) -> None:
    if render_diags:
        reporters.write(render_diags, "text", sys.stderr, colour=colour)
        if any(d.severity.value == "error" for d in render_diags):
            ctx.exit(EXIT_ERRORS)
    if not quiet:
        if up_to_date:
            click.echo("nothing has changed since the last build; build/ is up to date", err=True)
        click.echo(f"built {root / 'build'}", err=True)


def _print_timings(run) -> None:
    """`--timings`: the seconds of each phase on stderr, as one JSON line (benchmarks/run.py reads it)."""
    click.echo("TIMINGS " + json.dumps({k: round(v, 4) for k, v in sorted(run.timings.items())}), err=True)


def _progress(quiet: bool, outputs: int):
    """A progress bar over the outputs on a terminal; a line per output otherwise; nothing with --quiet."""
    import contextlib

    if quiet:
        return contextlib.nullcontext(None)
    if not sys.stderr.isatty():
        return contextlib.nullcontext(lambda name: click.echo(f"writing {name}", err=True))

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      console=Console(stderr=True), transient=True) as p:
            task = p.add_task("building", total=outputs + 1)  # the report is always written

            def step(name: str) -> None:
                p.update(task, description=f"writing {name}", advance=1)

            yield step

    return bar()


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
def init(directory: str, force: bool) -> None:
    """Start a new issue folder with a small working example.

    \b
    Example:
      issue init my-issue && cd my-issue && issue check && issue build
    """
    from .scaffold import scaffold

    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise UsageProblem(f"{directory} is a file, not a folder")
    if target.exists() and any(target.iterdir()) and not force:
        raise UsageProblem(f"{directory} is not empty (use --force to write into it)")
    try:
        written = scaffold(target)
    except OSError as exc:
        raise UsageProblem(f"cannot write {exc.filename or directory}: {exc.strerror}")
    for p in written:
        click.echo(f"created {p}")
    click.echo(f"\nNext: cd {directory} && issue check && issue build")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain one diagnostic, by code or name, with an example.

    \b
    Examples:
      issue explain C201
      issue explain undefined-citation
    """
    from .diagnostics.registry import get_rule

    try:
        r = get_rule(code)
    except KeyError:
        raise UsageProblem(f"no diagnostic {code!r}; `issue rules` lists them all")
    click.echo(r.explanation())


@main.command()
@click.option("--markdown", is_flag=True, help="As a Markdown table (for the README).")
def rules(markdown: bool) -> None:
    """List every diagnostic: code, name, default severity, summary.

    \b
    Example:
      issue rules | grep citation
    """
    from .diagnostics.registry import all_rules

    if markdown:
        click.echo("| code | name | severity | what it reports |\n|---|---|---|---|")
        for r in all_rules():
            click.echo(f"| {r.code} | `{r.name}` | {r.severity} | {r.summary} |")
        return
    for r in all_rules():
        click.echo(f"{r.code}  {r.name:<28} {r.severity:<8} {r.summary}")




def run(argv: list[str] | None = None) -> int:
    """Entry point: manifest problems and bad input exit with a message, never a traceback."""
    try:
        rv = main.main(args=argv, prog_name="issue", standalone_mode=False)
        return rv if isinstance(rv, int) else EXIT_OK
    except _ManifestExit as exc:
        reporters.write(exc.diagnostics, "text", sys.stderr)
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code if isinstance(exc, UsageProblem) or exc.exit_code == 2 else EXIT_ERRORS
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in issue itself: say so plainly
        if os.environ.get("ISSUE_DEBUG"):
            raise
        click.echo(f"issue: internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in issue, not in your files; set ISSUE_DEBUG=1 for the traceback.", err=True)
        return 3


def main_entry() -> None:
    _tune_interpreter()
    sys.exit(run())


def _tune_interpreter() -> None:
    """Two settings of the interpreter for a program like this one (forked workers inherit both):

    - The cyclic collector's defaults (a young collection every 700 new objects) suit programs whose objects die
      young. Ours keep what they make: a manuscript is tens of thousands of blocks, segments and records that all
      live on, and the default collections went through them again and again, about 2 of the 40 CPU-seconds of a
      200-contribution check.
    - The threads that start pandoc (reading ahead, converting pages) need the interpreter's lock for a moment
      at each step while the main thread computes, and by default wait up to 5 ms for it each time: starting
      one pandoc took 25 ms. With 1 ms it takes 5, and a 200-contribution check is half a second shorter
      (benchmarks/README.md)."""
    import gc

    gc.set_threshold(50_000, 20, 10)
    sys.setswitchinterval(0.001)
