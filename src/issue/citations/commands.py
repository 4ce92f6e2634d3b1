"""`issue refs cited`: what each contribution cites, how often, and with which locators."""
from __future__ import annotations

import json
from typing import Any

import click


def cited_report(ctx: Any, only: str | None = None) -> list[dict[str, Any]]:
    """Per contribution (in manifest order): the works it cites (key, label, count, locators, places), the
    citations that resolve to nothing, and those that name a contribution of this issue."""
    result = ctx.results.get("citations")
    cites = list(getattr(result, "records", []) or [])
    resolver = (getattr(result, "extra", {}) or {}).get("resolver")
    out = []
    for c in ctx.issue.contributions:
        if only and c.id != only:
            continue
        doc = ctx.documents.get(c.id)
        mine = [x for x in cites if x.contribution == c.id]
        works: dict[str, dict[str, Any]] = {}
        unresolved, crossrefs = [], []
        for x in mine:
            where = x.location.label()
            if x.key:
                w = resolver.by_key.get(x.key) if resolver is not None else None
                row = works.setdefault(x.key, {"key": x.key, "label": resolver.label(x.key) if w else x.label(),
                                               "count": 0, "locators": [], "places": [], "findings": []})
                row["count"] += 1
                if x.locator and x.locator not in row["locators"]:
                    row["locators"].append(x.locator)
                row["places"].append(where)
                row["findings"] += [f for f in x.findings if f not in row["findings"]]
            elif x.crossref:
                crossrefs.append({"text": x.text, "contribution": x.crossref, "place": where})
            else:
                unresolved.append({"text": x.text, "label": x.label(), "place": where, "findings": list(x.findings),
                                   "candidates": list(x.candidates)})
        out.append({"id": c.id, "file": c.file, "title": c.title, "read": doc is not None, "citations": len(mine),
                    "works": sorted(works.values(), key=lambda r: (r["label"].casefold(), r["key"])),
                    "unresolved": unresolved, "crossrefs": crossrefs})
    return out


def _text(report: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for r in report:
        head = f"{r['id']}  {r['file']}"
        if not r["read"]:
            lines += [head, "  (the manuscript could not be read; `issue check` says why)", ""]
            continue
        lines.append(f"{head}  ({r['citations']} citation{'s' if r['citations'] != 1 else ''}, "
                     f"{len(r['works'])} work{'s' if len(r['works']) != 1 else ''})")
        kw = max((len(w["key"]) for w in r["works"]), default=0)
        lw = min(40, max((len(w["label"]) for w in r["works"]), default=0))
        for w in r["works"]:
            locs = ", ".join(w["locators"])
            flag = f"  [{' '.join(w['findings'])}]" if w["findings"] else ""
            label = w["label"] if len(w["label"]) <= lw else w["label"][: lw - 1] + "…"
            lines.append(f"  {w['key']:<{kw}}  {label:<{lw}}  {w['count']:>2}×"
                         + (f"  at {locs}" if locs else "") + flag)
        for u in r["unresolved"]:
            lines.append(f"  ? {u['text']}  ({u['place']}, not in the bibliography)")
        for x in r["crossrefs"]:
            lines.append(f"  → {x['text']}  ({x['place']}, the contribution '{x['contribution']}' of this issue)")
        lines.append("")
    return "\n".join(lines)


@click.command("cited")
@click.option("--contribution", "-c", "contribution", metavar="ID", help="Only this contribution (its id in issue.toml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def cited(ctx: click.Context, contribution: str | None, fmt: str) -> None:
    """List what each contribution cites: each work with its key, how often, and the locators used; then the
    citations that match no entry and those that name a paper of this issue.

    \b
    Examples:
      issue refs cited
      issue refs cited --contribution jones
      issue refs cited --format json > cited.json
    """
    from ..cli import UsageProblem, _context, open_project
    from ..manuscripts import ReadError, read_manuscript
    from ..pipeline import analyse, load_bibliography, load_manuscripts

    project = (ctx.find_root().obj or {}).get("project")
    issue, _diags = open_project(project)
    ids = [c.id for c in issue.contributions]
    if contribution and contribution not in ids:
        raise UsageProblem(f"no contribution '{contribution}' in issue.toml; the ids are: {', '.join(ids)}")
    run = _context(issue)
    if contribution:
        c = issue.contribution(contribution)
        try:
            run.documents[c.id] = read_manuscript(issue.root, c.file, cache_dir=run.cache_dir)
        except ReadError as exc:
            raise click.ClickException(f"{c.file}: {exc.diagnostic.message}")
        except OSError as exc:
            raise click.ClickException(f"{c.file}: {exc}")
    else:
        load_manuscripts(run)
    load_bibliography(run)
    analyse(run, only={"bibliography", "citations"})
    report = cited_report(run, contribution)
    if fmt == "json":
        click.echo(json.dumps({"contributions": report}, ensure_ascii=False, indent=2))
    else:
        click.echo(_text(report).rstrip("\n"))
