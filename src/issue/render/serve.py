"""`issue serve`: build the website, serve build/html on localhost, rebuild when an input changes."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import click

WATCH_IGNORE = {"build", ".git", ".venv", "__pycache__", "node_modules"}


def _rebuild(project: str | None, formats: str) -> int:
    from ..cli import run

    return run(([] if project is None else ["--project", project]) + ["build", "--format", formats, "--quiet"])


def _relevant(root: Path, changes) -> bool:
    for _, path in changes:
        rel = Path(path).resolve()
        try:
            parts = rel.relative_to(root).parts
        except ValueError:
            continue
        if parts and parts[0] not in WATCH_IGNORE and not parts[0].startswith(".issue-build") \
                and not parts[-1].startswith(".") and not parts[-1].endswith("~"):
            return True
    return False


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # quiet: one line per page is noise in a terminal
        pass


@click.command()
@click.option("--port", "-p", default=8000, show_default=True, help="The port on localhost.")
@click.option("--format", "formats", default="html", show_default=True, metavar="LIST",
              help="Outputs to rebuild on each change (the site is build/html).")
@click.option("--no-watch", is_flag=True, help="Serve without rebuilding on changes.")
@click.pass_context
def serve(ctx: click.Context, port: int, formats: str, no_watch: bool) -> None:
    """Build the website, serve it on http://127.0.0.1:PORT/ and rebuild when a manuscript, the bibliography,
    the manifest or a template changes. Stop with Ctrl-C.

    \b
    Examples:
      issue serve
      issue serve --port 8080
    """
    from ..cli import UsageProblem, open_project

    project = (ctx.obj or {}).get("project")
    issue, _ = open_project(project)
    root = issue.root.resolve()
    code = _rebuild(str(root), formats)
    site = root / "build" / "html"
    if not (site / "index.html").is_file():
        raise UsageProblem(f"no website in {site} (the build failed; see the messages above)")
    # The handler serves by path, so it follows build/ when a rebuild swaps the folder.
    handler = functools.partial(_Handler, directory=str(site))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UsageProblem(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; try --port")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    click.echo(f"serving {site} on http://127.0.0.1:{server.server_address[1]}/"
               + ("" if code == 0 else " (the build reported errors)"), err=True)
    try:
        if no_watch:
            thread.join()
            return
        from watchfiles import watch

        for changes in watch(root, debounce=300, step=100):
            if _relevant(root, changes):
                click.echo("change detected: rebuilding", err=True)
                status = _rebuild(str(root), formats)
                click.echo("rebuilt" if status == 0 else f"rebuilt with errors (status {status})", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
