"""build/crossref.xml: a Crossref deposit (metadata schema 5.3.1) for the issue and its articles.

The journal (title, ISSNs), the issue (guest editors, the special issue's title, date, volume, number, and its DOI
when it has one) and every article that has a DOI: titles, authors with affiliations and ORCID iDs, abstract,
date, pages, DOI and landing page (its page under [build] base_url), and its citation list, structured from the
shared bibliography (journal, author, volume, issue, first page, year, DOI, ISBN, titles) with the reference as
typeset in the issue's style as the unstructured fallback. An article without a DOI cannot be deposited; it is
named in a comment at the end of the file.

[build.crossref] in issue.toml gives the depositor: depositor = "...", email = "...", registrant = "..."
(defaults: the publisher, the first editor's e-mail).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics.core import Diagnostic
from ..pipeline import Context
from . import html, pages as pages_file, print_prep, templates
from .print_prep import digest

SCHEMA_VERSION = "5.3.1"


@dataclass
class Person:
    given: str
    surname: str
    affiliation: str | None
    orcid_url: str | None


@dataclass
class Citation:
    key: str
    fields: list[tuple[str, str]]


@dataclass
class ArticleDeposit:
    contribution: Any
    resource: str
    pages: tuple[str, str] | None
    citations: list[Citation] = field(default_factory=list)


def person(p: Any) -> Person:
    given = p.name[: len(p.name) - len(p.surname)].strip().rstrip(",") if p.surname and p.name.endswith(p.surname) else ""
    return Person(given, p.surname or p.name, p.affiliation, p.orcid_url)


def _first_author(item: dict[str, Any]) -> str | None:
    for role in ("author", "editor"):
        names = item.get(role) or []
        if names and isinstance(names[0], dict):
            return names[0].get("family") or names[0].get("literal")
    return None


def _plain(text: Any) -> str:
    """CSL-JSON text without the HTML-like markup it may carry (<i>, <span class="nocase">)."""
    return " ".join(re.sub(r"<[^>]+>", "", str(text)).split())


def citation(n: int, item: dict[str, Any], typeset: str | None) -> Citation:
    """A structured Crossref citation from a CSL-JSON item, in the order the schema's sequence requires."""
    kind = item.get("type", "")
    year = None
    parts = (item.get("issued") or {}).get("date-parts") or []
    if parts and parts[0] and str(parts[0][0]).isdigit() and 1400 <= int(parts[0][0]) <= 2200:
        year = str(parts[0][0])
    first_page = str(item.get("page", "")).replace("–", "-").split("-")[0].strip() or None
    journal = kind in ("article-journal", "article-magazine", "article-newspaper", "article")
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Any) -> None:
        if value:
            fields.append((name, _plain(value)))

    if journal:
        add("journal_title", item.get("container-title"))
    add("author", _first_author(item))
    if journal:
        add("volume", item.get("volume"))
        add("issue", item.get("issue"))
        add("first_page", first_page)
    add("cYear", year)
    add("doi", item.get("DOI"))
    if not journal:
        isbn = str(item.get("ISBN", "")).split()[0] if item.get("ISBN") else None
        add("isbn", isbn)
        add("volume_title", item.get("container-title") if kind == "chapter" else item.get("title"))
    if journal or kind == "chapter":
        add("article_title", item.get("title"))
    add("unstructured_citation", typeset)
    return Citation(f"ref{n}", fields)


def _typeset_entries(source: print_prep.PrintSource) -> dict[str, str]:
    """The contribution's reference list as typeset in the issue's style: key -> plain text."""
    out: dict[str, str] = {}
    prefix = print_prep.article_id(source.contribution.id) + ".ref-"

    def visit(node: dict[str, Any]) -> None:
        if node.get("t") == "Div" and node["c"][0][0].startswith(prefix):
            out[node["c"][0][0][len(prefix):]] = print_prep.splice.stringify(node["c"][1])

    print_prep.walk(source.ast.get("blocks", []), visit)
    return out


def depositor(ctx: Context, model: Any) -> dict[str, str]:
    table = (ctx.issue.build or {}).get("crossref") or {}
    table = table if isinstance(table, dict) else {}
    email = next((p.email for p in model.editors if p.email), None)
    name = str(table.get("depositor") or model.issue.publisher or (model.editors[0].name if model.editors else "issue"))
    return {"name": name, "email": str(table.get("email") or email or ""),
            "registrant": str(table.get("registrant") or model.issue.publisher or name)}


def write(ctx: Context, out: Path) -> list[Diagnostic]:
    issue = print_prep.prepare(ctx)
    diags = print_prep.diagnostics_once(ctx, issue)
    model = issue.model
    base = print_prep.base_url(ctx)
    page_ranges = pages_file.print_pages(ctx, model)
    articles: list[ArticleDeposit] = []
    not_deposited: list[str] = []
    for c in model.contributions:
        if not c.doi:
            not_deposited.append(f"{c.id} (no DOI in issue.toml)")
            continue
        if not base:
            not_deposited.append(f"{c.id} (no landing page: set [build] base_url in issue.toml)")
            continue
        source = issue.source(c.id)
        typeset = _typeset_entries(source) if source else {}
        cites = [citation(n + 1, item, typeset.get(str(item.get("id"))))
                 for n, item in enumerate(source.items if source else [])]
        articles.append(ArticleDeposit(c, f"{base}/{html.page_of(c.id)}", page_ranges.get(c.id), cites))
    who = depositor(ctx, model)
    if not who["email"]:  # the deposit is still written, for review; Crossref will refuse it until this is set
        not_deposited.append('anything yet: the depositor has no e-mail address ([build.crossref] email = "...")')
    stamp = print_prep.stamp_of(ctx)
    context = {**model.as_context(), "version": SCHEMA_VERSION, "articles": articles,
               "not_deposited": not_deposited, "depositor": who,
               "editors": [person(e) for e in model.editors],
               "lang": (model.issue.language or "en").split("-")[0],
               "timestamp": re.sub(r"\D", "", stamp)[:14],
               "resource_of_issue": f"{base}/index.html" if base else None}
    context["articles"] = [_with_people(a) for a in articles]
    context["batch_id"] = "issue-" + digest(model.issue.title, str(model.issue.volume), str(model.issue.number),
                                            *(a.contribution.doi for a in articles))[:20]
    env = templates.environment(ctx.root, "crossref", cache_dir=ctx.cache_dir)
    try:
        xml = templates.render(env, "deposit.xml", context)
    except templates.TemplateProblem as exc:
        return diags + [exc.diagnostic]
    (out / "crossref.xml").write_text(xml, encoding="utf-8", newline="\n")
    return diags


class _PeopleView:
    """A contribution whose authors are Crossref persons (given name and surname apart)."""

    def __init__(self, c: Any):
        self._c = c
        self.authors = [person(a) for a in c.authors]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._c, name)


def _with_people(a: ArticleDeposit) -> ArticleDeposit:
    return ArticleDeposit(_PeopleView(a.contribution), a.resource, a.pages, a.citations)
