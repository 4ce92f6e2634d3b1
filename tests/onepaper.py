"""One paper checked against a bibliography through the whole pipeline (what `issue check` runs): the scaffolding
the tests of citation forms share."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from issue.pipeline import Context, findings, run_checks
from issue.project import load_issue


def checked(root: Path) -> Context:
    """The issue folder `root` loaded and checked; returns the context with its results and findings."""
    issue, diags = load_issue(root)
    ctx = Context(issue=issue)
    ctx.diagnostics.extend(diags)
    run_checks(ctx)
    return ctx


def paper_checker(tmp_path_factory, manifest: str, bibs: dict[str, str], paper: str,
                  prefix: str) -> Callable[..., Context]:
    """A function that writes an issue of one paper (`paper`: its path in the manifest) made of the Markdown
    paragraphs it is given, under an introduction heading, with the .bib files `bibs` (name -> text), and checks
    it. Each call gets a folder of its own."""
    counter = [0]

    def run(*paragraphs: str) -> Context:
        counter[0] += 1
        root = tmp_path_factory.mktemp(f"{prefix}{counter[0]}")
        (root / "issue.toml").write_text(manifest, encoding="utf-8")
        (root / "bibliography").mkdir()
        for name, text in bibs.items():
            (root / "bibliography" / name).write_text(text, encoding="utf-8")
        (root / paper).parent.mkdir(parents=True, exist_ok=True)
        body = "# Introduction\n\n" + "\n\n".join(paragraphs) + "\n"
        (root / paper).write_text(body, encoding="utf-8")
        return checked(root)

    return run


def codes(ctx: Context, code: str) -> list:
    """The findings of one code, after the issue's [check] configuration."""
    return [d for d in findings(ctx).items if d.code == code]
