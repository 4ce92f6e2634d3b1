"""build/report/: the findings of the checks, as JSON and as text, beside the other outputs."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics.reporters import format_json, format_text
from ..pipeline import Context, findings, json_extra


def write(ctx: Context, out: Path) -> list:
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    found = findings(ctx).items
    (folder / "check.json").write_text(format_json(found, json_extra(ctx)), encoding="utf-8")
    (folder / "check.txt").write_text(format_text(found, colour=False), encoding="utf-8")
    if "crossrefs" in ctx.results:  # the cross-reference map: crossrefs.txt (a table) and crossrefs.svg
        from ..crossrefs.map import write_map

        write_map(ctx.issue, ctx.results["crossrefs"].extra, folder)
    return []
