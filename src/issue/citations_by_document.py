"""The citation analysis in two steps, each manuscript then the issue.

issue.citations.analysis.analyse(ctx) reads the whole issue at once. To cache its results manuscript by
manuscript (pipeline.PerDocument), this module runs its per-manuscript step (`analyse(..., whole_issue=False)`)
on a context that holds only some of the manuscripts (one that changed; or a worker's share of a new issue), with
one Resolver built per run (before the workers fork, so that they share it); cuts the results by manuscript; and
then does, on every manuscript's citations, what needs the whole issue:

- inconsistent-citation: one work cited under two keys, or named two ways by different contributions;
- unused-entry: entries no manuscript cites (analyse leaves them out while the context lacks a manuscript);
- the [citations] options' own findings (once, not once per batch);
- group numbers, made unique across the issue in reading order.

Each manuscript's part also keeps a summary of its resolved citations (key, work, how the authors are named), so
that the issue-wide step reads the records only of manuscripts whose citations may be inconsistent.

It uses these names of issue.citations.analysis: analyse, options, resolver_for, cited_table, inconsistent,
unused, CODES, signature, and issue.citations.rules INCONSISTENT, LOCATOR_STYLE, UNUSED; and it knows that
analyse finds inconsistencies after the per-citation problems and before the locator style.
tests/test_incremental.py checks, on whole issues, that the result equals analyse(ctx) (group numbers aside), so
a change in citations/ that this module does not follow fails there.
"""
from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from .pipeline import AnalysisResult, Context, DocumentPart, PerDocument, ensure_bibliography


def _analysis():
    from .citations import analysis, rules

    return analysis, rules


def fingerprint(ctx: Context) -> Any:
    from .incremental import bibliography_key

    return bibliography_key(ctx)


class State:
    """The options and their findings; the resolver, built once per run (and before the workers fork, so that
    each inherits it instead of building its own for every batch).

    The resolver is also kept in the cache by the bibliography's content (with the manifest, the options and the
    code): read back with the bibliography inside it in about 0.2 s, where loading the bibliography and building
    the resolver take 0.7 s for 10,000 entries, most of a run after one manuscript changed."""

    def __init__(self, ctx: Context):
        analysis, _ = _analysis()
        self.options, self.option_diagnostics = analysis.options(ctx.issue)
        self._store = ctx.store() if ctx.cache_dir is not None else None
        self._key = _resolver_key(ctx, self.options)
        self._unsaved = False
        self.resolver: Any = self._cached_resolver(ctx)
        if self.resolver is None:
            ensure_bibliography(ctx)
            self.resolver = analysis.resolver_for(ctx, self.options)
            self._unsaved = self.resolver is not None

    def _cached_resolver(self, ctx: Context) -> Any:
        if self._store is None:
            return None
        from .citations.resolve import Resolver

        hit = self._store.get("resolver", self._key)
        if not isinstance(hit, Resolver) or hit.bib is None:
            return None
        if ctx.bibliography is None and not ctx.bibliography_loaded:
            ctx.bibliography, ctx.bibliography_loaded = hit.bib, True  # the same content, read once
        return hit

    def persist(self) -> None:
        """Keep a resolver built in this run for the next (before it is used: its memo of answers stays out).
        The pipeline calls it while the workers run, or after this process's analyses."""
        if self._unsaved and self._store is not None:
            self._unsaved = False
            self._store.put("resolver", self._key, self.resolver)


def _resolver_key(ctx: Context, options: dict) -> str:
    from .cache import digest
    from .incremental import base_key, bibliography_key

    return digest("resolver", base_key(ctx), bibliography_key(ctx), repr(sorted(options.items())))


def prepare(ctx: Context) -> State:
    return State(ctx)


def documents(ctx: Context, state: State, items: list[tuple[str, Any, dict[str, DocumentPart]]]
              ) -> dict[str, DocumentPart]:
    """analyse() on a context holding these manuscripts only, its results cut by manuscript."""
    analysis, rules = _analysis()
    ensure_bibliography(ctx)
    from .pipeline import Documents

    sub = Context(issue=ctx.issue, documents=Documents({cid: doc for cid, doc, _ in items}),
                  bibliography=ctx.bibliography, cache_dir=ctx.cache_dir, bibliography_files=ctx.bibliography_files,
                  bibliography_loaded=True)
    result = analysis.analyse(sub, resolver=state.resolver, whole_issue=False)
    issue_wide = {rules.INCONSISTENT.code, rules.UNUSED.code}
    of_file = {doc.file: cid for cid, doc, _ in items}
    out = {cid: DocumentPart(data={"nocite": _nocite_meta(doc)}) for cid, doc, _ in items}
    for c in result.records:
        if c.contribution in out:
            if rules.INCONSISTENT.code in c.findings:
                c.findings = [f for f in c.findings if f != rules.INCONSISTENT.code]
            out[c.contribution].records.append(c)
    for d in result.diagnostics:
        cid = of_file.get(d.location.file)
        if cid is not None and d.code not in issue_wide:
            out[cid].diagnostics.append(d)
    resolver = state.resolver
    for part in out.values():
        part.data["cited"] = summarise(part.records, resolver) if resolver is not None else None
    return out


def _nocite_meta(doc: Any) -> Any:
    ast = getattr(doc, "ast", None)
    meta = ast.get("meta", {}) if isinstance(ast, dict) else {}
    return meta.get("nocite") if isinstance(meta, dict) else None


def combine(ctx: Context, state: State, parts: dict[str, DocumentPart]) -> AnalysisResult:
    """Every manuscript's citations in reading order, and the rules that need the whole issue. The records of a
    manuscript are read only when its citations take part in an inconsistency, or when records are printed."""
    analysis, rules = _analysis()
    opts = state.options
    diags = list(state.option_diagnostics)
    for part in parts.values():
        diags.extend(part.diagnostics)
    cites = Cites(parts)
    bib = ensure_bibliography(ctx)
    if bib is not None and not getattr(bib, "entries", None) and not getattr(bib, "files", None):
        bib = None
    resolver = None
    if bib is not None:
        resolver = state.resolver
        summaries = {cid: p.data.get("cited") for cid, p in parts.items()}
        if any(v is None for v in summaries.values()):  # parts made without summaries: read every citation
            summaries = {cid: summarise(p.records, resolver) for cid, p in parts.items()}
        suspects = _suspect_works(summaries)
        if suspects:  # only the citations of works cited two ways can be inconsistent
            involved = [c for cid, part in parts.items() for i, work in _works(summaries[cid]) if work in suspects
                        for c in (part.records[i],)]
            diags.extend(_inconsistencies(ctx, involved, resolver, analysis, rules))
        if opts["unused_entry"] != "off":
            stub = SimpleNamespace(issue=ctx.issue, root=ctx.root, bibliography=ctx.bibliography,
                                   documents={cid: _Meta(p.data.get("nocite")) for cid, p in parts.items()})
            keys = sorted({row[1] for rows in summaries.values() for row in rows})
            diags.extend(analysis.unused(stub, [SimpleNamespace(key=k) for k in keys], resolver,
                                          opts["unused_entry"]))
    extra = {"resolver": resolver, "options": opts}
    if not ctx.lean:  # the per-contribution table is for the outputs and `issue refs cited`
        extra["cited"] = analysis.cited_table(cites)
    return AnalysisResult(records=cites, diagnostics=diags, extra=extra)


def summarise(records: Any, resolver: Any) -> list[tuple]:
    """What the issue-wide rules need of a manuscript's resolved citations: (position, key, work, form,
    how the authors are named, whether it has a finding of its own already)."""
    analysis, rules = _analysis()
    later = {rules.LOCATOR_STYLE.code, rules.INCONSISTENT.code}
    out = []
    for i, c in enumerate(records):
        if not c.key:
            continue
        w = resolver.by_key.get(c.key) if resolver is not None and c.key in resolver.by_key else None
        out.append((i, c.key, w.work if w is not None else None, c.form,
                    analysis.signature(c) if c.form != "markup" else "",
                    any(f not in later for f in c.findings)))
    return out


def _works(rows: list[tuple]) -> list[tuple[int, Any]]:
    return [(row[0], row[2]) for row in rows if row[2] is not None]


def _suspect_works(summaries: dict[str, list[tuple]]) -> set:
    """Works cited under two keys, or named two ways (prose citations without a finding) by two contributions:
    the only ones _inconsistent can report (a superset of them)."""
    keys: dict[Any, set] = {}
    signatures: dict[Any, set] = {}
    where: dict[Any, set] = {}
    for cid, rows in summaries.items():
        for _, key, work, form, signature, problem in rows:
            if work is None:
                continue
            keys.setdefault(work, set()).add(key)
            if form != "markup" and not problem:
                signatures.setdefault(work, set()).add(signature)
                where.setdefault(work, set()).add(cid)
    return ({w for w, k in keys.items() if len(k) > 1}
            | {w for w, s in signatures.items() if len(s) > 1 and len(where[w]) > 1})


class Cites(Sequence):
    """The issue's citations in reading order, each manuscript's records read when first needed; group numbers
    made unique across the issue as they are put together."""

    def __init__(self, parts: dict[str, DocumentPart]):
        self._parts, self._items = parts, None

    def _all(self) -> list:
        if self._items is None:
            items, group = [], 0
            for part in self._parts.values():
                renumber: dict[int, int] = {}
                for c in part.records:
                    if c.group not in renumber:
                        group += 1
                        renumber[c.group] = group
                    c.group = renumber[c.group]
                    items.append(c)
            self._items = items
        return self._items

    def __getitem__(self, i):
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        return iter(self._all())


class _Meta:
    """A manuscript as _unused reads it: its `nocite` metadata alone."""

    def __init__(self, nocite: Any):
        self.ast = {"meta": {"nocite": nocite}} if nocite is not None else None


def _inconsistencies(ctx: Context, cites: list, resolver: Any, analysis: Any, rules: Any) -> list:
    """inconsistent-citation on the whole issue, as analyse finds it: after the per-citation problems (which
    exempt a citation from the naming check), before the locator style."""
    later = {rules.LOCATOR_STYLE.code, rules.INCONSISTENT.code}
    problems: dict[int, list] = {}
    for c in cites:
        if rules.INCONSISTENT.code in c.findings:  # found again here (the same records may be combined twice)
            c.findings = [f for f in c.findings if f != rules.INCONSISTENT.code]
        earlier = [f for f in c.findings if f not in later]
        if earlier:
            problems[id(c)] = [(f, "", "") for f in earlier]
    before = {k: len(v) for k, v in problems.items()}
    analysis.inconsistent(cites, resolver, problems)
    out = []
    docs = ctx.documents
    for c in cites:
        new = problems.get(id(c), [])[before.get(id(c), 0):]
        for name, message, suggestion in new:
            code = analysis.CODES[name]
            at = c.findings.index(rules.LOCATOR_STYLE.code) if rules.LOCATOR_STYLE.code in c.findings else None
            if at is None:
                c.findings.append(code)
            else:
                c.findings.insert(at, code)
            doc = docs.get(c.contribution)
            block = _block_of(doc, c) if doc is not None else None
            if block is None:
                continue
            out.append(doc.diagnostic_at(code, message, block, c.start, c.end, suggestion=suggestion or None))
    return out


def _block_of(doc: Any, c: Any) -> Any:
    for b in doc.blocks:
        if b.index == c.block and b.is_body and (b.note if b.kind == "note" else None) == c.note_number:
            return b
    return None


PER_DOCUMENT = PerDocument(fingerprint=fingerprint, prepare=prepare, documents=documents, combine=combine)
