"""The pipeline: load (manifest, manuscripts, bibliography) -> analyse (citations, cross-references, concepts).

`issue check` stops after `analyse`; `issue build` goes on to render (build.py). Each analysis is registered in
ANALYSES and receives the Context; it returns its records (for `--format json` and the outputs) and findings.
"""
from __future__ import annotations

import importlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .diagnostics.core import Diagnostic, Exemptions, Findings
from .manuscripts import Document, ReadError, read_manuscript
from .model import Issue

# name -> "module:function"; run in this order (later analyses may read earlier results)
ANALYSES: list[tuple[str, str]] = [
    ("bibliography", "issue.bibliography.analysis:analyse"),
    ("citations", "issue.citations.analysis:analyse"),
    ("crossrefs", "issue.crossrefs.analysis:analyse"),
    ("concepts", "issue.concepts.analysis:analyse"),
]


@dataclass
class AnalysisResult:
    records: list[Any] = field(default_factory=list)  # each with .to_json()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # anything else later stages want (maps, tables)


@dataclass
class Context:
    issue: Issue
    documents: dict[str, Document] = field(default_factory=dict)  # contribution id -> Document
    bibliography: Any = None  # issue.bibliography.Bibliography, once loaded
    diagnostics: list[Diagnostic] = field(default_factory=list)
    results: dict[str, AnalysisResult] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    cache_dir: Path | None = None
    bibliography_files: list[str] | None = None  # explicit .bib files (outside an issue folder)

    @property
    def root(self) -> Path:
        return self.issue.root

    def timed(self, phase: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - t0

    def document_of(self, contribution_id: str) -> Document | None:
        return self.documents.get(contribution_id)


def load_manuscripts(ctx: Context) -> None:
    """Read every contribution's manuscript once, in parallel (pandoc runs as separate processes)."""
    build = ctx.issue.build or {}
    max_mb = float(build.get("max_manuscript_mb", 50))
    timeout = float(build.get("pandoc_timeout", 60))
    todo = [c for c in ctx.issue.contributions if (ctx.root / c.file).is_file()]

    def one(c):
        try:
            return c.id, read_manuscript(ctx.root, c.file, max_mb=max_mb, timeout=timeout, cache_dir=ctx.cache_dir), None
        except ReadError as exc:
            return c.id, None, exc.diagnostic

    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 2))) as pool:
        for cid, doc, diag in pool.map(one, todo):
            if doc is not None:
                ctx.documents[cid] = doc
            if diag is not None:
                ctx.diagnostics.append(diag)
    from .manuscripts.checks import document_findings

    for cid, doc in ctx.documents.items():
        ctx.diagnostics.extend(document_findings(doc))


def load_bibliography(ctx: Context) -> None:
    try:
        from .bibliography import load_bibliography as load
    except ImportError:
        return
    bib, diags = load(ctx.root, ctx.issue.bibliography, files=ctx.bibliography_files, cache_dir=ctx.cache_dir,
                      options=ctx.issue.bib)
    ctx.bibliography = bib
    ctx.diagnostics.extend(diags)


def _resolve(target: str) -> Callable[[Context], AnalysisResult] | None:
    module, _, func = target.partition(":")
    try:
        return getattr(importlib.import_module(module), func)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None  # that analysis is not part of this build
        raise


def analyse(ctx: Context, only: set[str] | None = None) -> None:
    for name, target in ANALYSES:
        if only is not None and name not in only:
            continue
        fn = _resolve(target)
        if fn is None:
            continue
        result = ctx.timed(name, lambda: fn(ctx))
        ctx.results[name] = result
        ctx.diagnostics.extend(result.diagnostics)


def run_checks(ctx: Context) -> None:
    ctx.timed("parse", lambda: load_manuscripts(ctx))
    ctx.timed("load-bibliography", lambda: load_bibliography(ctx))
    analyse(ctx)


def findings(ctx: Context, files: set[str] | None = None) -> Findings:
    """The run's diagnostics after [check] configuration and inline exemptions, optionally for some files only."""
    ex = Exemptions()
    for doc in ctx.documents.values():
        for where, codes in doc.exemptions:
            if doc.paragraph_based:
                ex.add(doc.file, paragraph=where, codes=codes)
            else:
                ex.add(doc.file, line=where, codes=codes)
    diags = ctx.diagnostics
    if files is not None:
        diags = [d for d in diags if d.location.file in files]
    return Findings(list(diags)).configured(ctx.issue.check or {}, ex)


def json_extra(ctx: Context, files: set[str] | None = None) -> dict[str, Any]:
    """The analyses' records for `--format json`: citations, crossrefs, concepts."""
    out: dict[str, Any] = {}
    for name, result in ctx.results.items():
        if name == "bibliography":
            continue
        recs = [r.to_json() for r in result.records]
        if files is not None:
            recs = [r for r in recs if r.get("file") in files]
        out[name] = recs
    return out
