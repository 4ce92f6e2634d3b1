"""Incremental analysis: each manuscript's part of every per-document analysis is cached by content, a run
computes only the parts it lacks (in worker processes when there are many), then each analysis's issue-wide step.

What a cached value depends on is its key (cache.digest over):
  base         the code (cache.code_version), the manifest (the validated Issue), which contributions have a file
  fingerprint  base + the analysis's own inputs (PerDocument.fingerprint: the bibliography's content, the
               vocabulary's)
  part         fingerprint + the contribution's id and file + the manuscript's hash + the keys of the earlier
               analyses' parts of that manuscript (a citation found differently changes the cross-references)
  memo         fingerprint + every manuscript's part key in reading order: the analysis's whole result, used by
               `issue check` when nothing it depends on has changed (its records are read only if printed)
So a changed manuscript invalidates its own parts and every memo; a changed bibliography the citation parts
(and, through the chain, the later parts); a changed vocabulary the concept parts alone.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .cache import Store, code_version, digest, no_gc
from .pipeline import (ANALYSES, PER_DOCUMENT, PHASES, AnalysisResult, Context, DocumentPart, PerDocument,
                       ensure_bibliography, finish_reading, load_bibliography, read_one, read_options, read_pending,
                       register_read, resolve, start_reading, take_read)

# worker processes are used when at least this many manuscripts need reading or analysing (below it, forking
# and preparing each worker costs more than it saves); ISSUE_WORKERS=1 turns them off
MIN_PARALLEL = 8
# manuscripts per batch in a worker: each batch holds its manuscripts in memory at once (about 10 MB per 10,000
# words) and prepares the citation analysis once (about 0.6 s for 10,000 entries)
BATCH = 25


def base_key(ctx: Context) -> str:
    if "base" not in ctx.fingerprints:
        present = [(c.id, c.file, (ctx.root / c.file).is_file()) for c in ctx.issue.contributions]
        ctx.fingerprints["base"] = digest(code_version(), repr(ctx.issue), present, ctx.bibliography_files)
    return ctx.fingerprints["base"]


def bibliography_key(ctx: Context) -> str:
    """The bibliography's content hash (files, bytes, keymap), without parsing it."""
    if "bibliography" not in ctx.fingerprints:
        try:
            from .bibliography.load import fingerprint
        except ImportError:
            ctx.fingerprints["bibliography"] = ""
        else:
            ctx.fingerprints["bibliography"] = fingerprint(ctx.root, ctx.issue.bibliography,
                                                           files=ctx.bibliography_files, options=ctx.issue.bib)
    return ctx.fingerprints["bibliography"]


class LazyRecords(Sequence):
    """The records of an analysis taken from the cache: put together again from the manuscripts' parts only if
    something reads them (`--format json`); a text report needs the findings alone."""

    def __init__(self, joint: "Joint", name: str):
        self._joint, self._name, self._items = joint, name, None

    def _load(self) -> list:
        if self._items is None:
            self._items = list(self._joint.combined(self._name).records)
        return self._items

    def __getitem__(self, i):
        return self._load()[i]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self):
        return iter(self._load())


class PartRecords(Sequence):
    """A cached part's records, kept apart from the part and read on first use: the index step adds up the
    manuscripts' tallies and never reads their hundred thousand occurrences unless they are printed."""

    def __init__(self, joint: "Joint", name: str, cid: str, key: str):
        self._joint, self._name, self._cid, self._key, self._items = joint, name, cid, key, None

    def _load(self) -> list:
        if self._items is None:
            items = self._joint.store.get(self._name + "-records", self._key)
            if not isinstance(items, list):  # lost from the cache: computed again
                items = list(self._joint.recompute(self._name, self._cid).records)
            self._items = items
        return self._items

    def __getitem__(self, i):
        return self._load()[i]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self):
        return iter(self._load())


def store_part(store: Store, name: str, key: str, part: DocumentPart) -> None:
    store.put(name + "-records", key, list(part.records))
    store.put(name, key, (part.diagnostics, part.data))


def run(ctx: Context, only: set[str] | None = None, memo: bool = False) -> None:
    ahead = _ahead(ctx)
    try:
        _run(ctx, only, memo, ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _run(ctx: Context, only: set[str] | None, memo: bool, ahead: Any) -> None:
    store = ctx.store()
    chosen = [(name, target) for name, target in ANALYSES if (only is None or name in only) and _present(target)]
    per_doc: list[tuple[str, PerDocument]] = []
    for name, _ in chosen:
        if name in PER_DOCUMENT:
            per = resolve(PER_DOCUMENT[name])
            if per is not None:
                per_doc.append((name, per))
    per_names = {n for n, _ in per_doc}
    joint: Joint | None = None
    for name, target in chosen:
        # an analysis done document by document is imported only if something must be computed
        fn = resolve(target) if name not in per_names else True
        if fn is None:
            continue
        phase = PHASES.get(name, name)
        if name == "bibliography":
            ctx.timed(phase, lambda: _bibliography(ctx, fn, store, memo))
            if ctx.after_bibliography is not None and ctx.bibliography is not None:
                ctx.after_bibliography(ctx)
        elif name in per_names:
            if joint is None:
                joint = Joint(ctx, per_doc, store, memo, ahead)
                joint.start()
            result = joint.result(name)
            ctx.results[name] = result
            ctx.diagnostics.extend(result.diagnostics)
        else:  # an analysis of the whole issue: every manuscript read, the bibliography loaded
            ctx.timed("parse", lambda: read_pending(ctx))
            ensure_bibliography(ctx)
            result = ctx.timed(phase, lambda: fn(ctx))
            ctx.results[name] = result
            ctx.diagnostics.extend(result.diagnostics)
    if ctx.pending:
        ctx.timed("parse", lambda: read_pending(ctx))


def _workers() -> int:
    return int(os.environ.get("ISSUE_WORKERS", "0") or 0) or (os.cpu_count() or 1)


def _parallel(ctx: Context, items: int, workers: int) -> bool:
    return (workers > 1 and items >= MIN_PARALLEL and ctx.cache_dir is not None
            and "fork" in multiprocessing.get_all_start_methods())


def _ahead(ctx: Context) -> Any:
    """pandoc on the manuscripts the workers will reach last, while this process loads the bibliography and
    prepares the analyses (manuscripts.ahead): the tails of the last batches, in turn, so that the workers'
    shares stay even."""
    workers = _workers()
    if not _parallel(ctx, len(ctx.pending), workers):
        return None
    from .manuscripts.ahead import Ahead

    last = _batches(list(ctx.pending), workers)[-workers:]
    order = [b[-1 - k] for k in range(max(len(b) for b in last)) for b in last if k < len(b)]
    max_mb, timeout = read_options(ctx)
    return Ahead(ctx.root, [c.file for c in order], ctx.cache_dir, max_mb=max_mb, timeout=timeout).start()


def _present(target: str) -> bool:
    """Whether an analysis's module is part of this build, without importing it."""
    import importlib.util

    try:
        return importlib.util.find_spec(target.partition(":")[0]) is not None
    except ModuleNotFoundError:
        return False


# -- the bibliography: one step for the whole issue --------------------------------------------------------------------
def _bibliography(ctx: Context, fn, store: Store, memo: bool) -> None:
    key = digest("bibliography", base_key(ctx), bibliography_key(ctx))
    if memo and not ctx.bibliography_loaded:
        hit = store.get("memo", key)
        if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[1], AnalysisResult):
            load_diags, result = hit
            ctx.diagnostics.extend(load_diags)
            ctx.results["bibliography"] = result
            ctx.diagnostics.extend(result.diagnostics)
            return
    before = len(ctx.diagnostics)
    if not ctx.bibliography_loaded:
        load_bibliography(ctx)
    load_diags = ctx.diagnostics[before:]
    result = fn(ctx)
    ctx.results["bibliography"] = result
    ctx.diagnostics.extend(result.diagnostics)
    store.put("memo", key, (list(load_diags), AnalysisResult([], result.diagnostics, {})))


# -- the per-document analyses, together ----------------------------------------------------------------------------
@dataclass
class Item:
    """One manuscript's work: read it (when new), and compute the parts it lacks."""

    cid: str
    read: bool
    needs: list[str]
    keys: dict[str, str]
    sha: str = ""  # the manuscript's hash when the keys were made
    earlier: dict[str, DocumentPart] = field(default_factory=dict)


class Joint:
    def __init__(self, ctx: Context, per_doc: list[tuple[str, PerDocument]], store: Store, memo: bool,
                 ahead: Any = None):
        self.ctx, self.per_doc, self.store, self.memo, self.ahead = ctx, per_doc, store, memo, ahead
        self.names = [n for n, _ in per_doc]
        self.states: dict[str, Any] = {}
        self.parts: dict[str, dict[str, DocumentPart]] = {n: {} for n in self.names}
        self.memos: dict[str, AnalysisResult] = {}
        self.fps: dict[str, str] = {}
        self.lost: set[tuple[str, str]] = set()  # (analysis, contribution) whose cached records could not be read
        self.raced = False  # a manuscript changed during the run: its results are not kept

    # keys
    def fingerprint(self, name: str, per: PerDocument) -> str:
        if name not in self.fps:
            self.fps[name] = digest(name, base_key(self.ctx), per.fingerprint(self.ctx))
        return self.fps[name]

    def keys_of(self, cid: str) -> dict[str, str]:
        info = self.ctx.documents.info(cid)
        c = self.ctx.issue.contribution(cid)
        out: dict[str, str] = {}
        chain: list[str] = []
        for name, per in self.per_doc:
            k = digest(self.fingerprint(name, per), cid, info.file if info else c.file if c else "",
                       info.sha256 if info else "", chain)
            out[name] = k
            chain.append(k)
        return out

    def memo_key(self, name: str, keys: dict[str, dict[str, str]]) -> str:
        cids = list(self.ctx.documents)
        fp = self.fingerprint(name, dict(self.per_doc)[name])
        return digest("memo", fp, [(cid, keys[cid][name]) for cid in cids])

    def state(self, name: str, persist: bool = True) -> Any:
        """The analysis's shared state, prepared once. A state may keep what it built in the cache for the next
        run (its `persist()`): at once, or, when workers are about to fork, while they run (`persisting`)."""
        if name not in self.states:
            per = dict(self.per_doc)[name]
            t0 = time.perf_counter()
            self.states[name] = per.prepare(self.ctx)
            if persist:
                _persist(self.states[name])
            self.ctx.add_time(PHASES.get(name, name), time.perf_counter() - t0)
        return self.states[name]

    def persisting(self):
        """A thread that lets the states write what they built to the cache while the workers run (this process
        only waits for them meanwhile)."""
        import threading

        return threading.Thread(target=lambda: [_persist(st) for st in list(self.states.values())],
                                name="issue-persist")

    def start(self) -> None:
        """Take whole results from the cache where nothing changed; get every part the others need."""
        ctx = self.ctx
        t0 = time.perf_counter()
        self.keys = {cid: self.keys_of(cid) for cid in ctx.documents}
        if self.memo and not ctx.pending:
            for name in self.names:
                hit = self.store.get("memo", self.memo_key(name, self.keys))
                if isinstance(hit, list):
                    self.memos[name] = AnalysisResult(LazyRecords(self, name), hit, {})
        with no_gc():  # tens of thousands of cached records, all alive: the collector would only walk them
            items = self.plan({n for n in self.names if n not in self.memos})
        ctx.add_time("load", time.perf_counter() - t0)
        self.work(items)

    def plan(self, wanted: set[str]) -> list[Item]:
        """Load the parts of the `wanted` analyses for every manuscript, and of the earlier analyses for any
        manuscript whose part must be computed; list that work (and the manuscripts still to be read)."""
        cids = list(self.ctx.documents)
        missing: dict[str, set[str]] = {n: set() for n in self.names}
        for name in self.names:
            if name not in wanted:
                continue
            for cid in cids:
                if cid in self.parts[name]:
                    continue
                part = self.cached_part(name, cid)
                if part is not None:
                    self.parts[name][cid] = part
                else:
                    missing[name].add(cid)
        # a part computed for a manuscript needs that manuscript's parts of the earlier analyses
        for i in range(len(self.names) - 1, -1, -1):
            for cid in list(missing[self.names[i]]):
                for earlier in self.names[:i]:
                    if cid in self.parts[earlier] or cid in missing[earlier]:
                        continue
                    part = self.cached_part(earlier, cid)
                    if part is not None:
                        self.parts[earlier][cid] = part
                    else:
                        missing[earlier].add(cid)
        pending = {c.id for c in self.ctx.pending}
        items = []
        for cid in cids:
            needs = [n for n in self.names if cid in missing[n]]
            if cid in pending or needs:
                earlier = {n: self.parts[n][cid] for n in self.names if cid in self.parts[n]}
                info = self.ctx.documents.info(cid)
                items.append(Item(cid, cid in pending, needs, self.keys[cid], info.sha256 if info else "", earlier))
        return items

    def cached_part(self, name: str, cid: str) -> DocumentPart | None:
        if (name, cid) in self.lost:
            return None
        key = self.keys[cid][name]
        value = self.store.get(name, key)
        if not (isinstance(value, tuple) and len(value) == 2):
            return None
        self.store.touch(name + "-records", key)
        return DocumentPart(PartRecords(self, name, cid, key), value[0], value[1])

    def recompute(self, name: str, cid: str) -> DocumentPart:
        """A part whose records were lost from the cache, computed again."""
        self.lost.add((name, cid))
        self.parts[name].pop(cid, None)
        self.work(self.plan({name}))
        return self.parts[name][cid]

    def work(self, items: list[Item]) -> None:
        ctx = self.ctx
        if not items:
            return
        needed = [n for n in self.names if any(n in it.needs for it in items)]
        # the bibliography is loaded by the citation analysis's state when it needs it (citations_by_document:
        # it may come inside the cached resolver, read once instead of twice)
        workers = _workers()
        parallel = _parallel(ctx, len(items), workers)
        if parallel:
            if self.ahead is not None:
                self.ahead.stop()  # the workers read the rest
            for name in needed:  # before the workers fork, so that each inherits them
                self.state(name, persist=False)
            self._in_workers(items, workers)
        else:
            self._here(items, needed)

    def _here(self, items: list[Item], needed: list[str]) -> None:
        """Here, in this process: pandoc reads the new manuscripts (its own processes, in the background) while
        this thread prepares the analyses (a vocabulary to compile, a resolver to build), then analyses each
        manuscript as soon as it is read."""
        ctx = self.ctx
        start_reading(ctx)
        try:
            for name in needed:
                self.state(name)
            waiting = {c.id for c in ctx.pending}
            by_id = {it.cid: it for it in items}
            self._compute([it for it in items if it.cid not in waiting])
            for cid in take_read(ctx):
                if cid in by_id:
                    self._compute([by_id[cid]])
        finally:
            finish_reading(ctx)

    def _compute(self, items: list[Item]) -> None:
        ctx = self.ctx
        items = [it for it in items if it.cid in ctx.documents]
        if not items:
            return
        out, times = compute(ctx, self.per_doc, self.states, items, self.store)
        self.raced = self.raced or bool(times.pop("raced", 0))
        for phase, seconds in times.items():
            ctx.add_time(phase, seconds)
        self._merge(out)

    def _in_workers(self, items: list[Item], workers: int) -> None:
        global _JOB
        ctx = self.ctx
        # the earlier parts stay here: the workers inherit them (fork), they are not sent
        batches = _batches([Item(it.cid, it.read, it.needs, it.keys, it.sha) for it in items], workers)
        by_id = {c.id: c for c in ctx.pending}
        _JOB = (ctx, self.per_doc, self.states, self.store, self)
        t0 = time.perf_counter()
        writer = None
        try:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = pool.map(_child, batches)
                writer = self.persisting()  # after the fork: the workers do not inherit the thread
                writer.start()
                results = list(futures)
        finally:
            _JOB = None
            if writer is not None:
                writer.join()
        wall = time.perf_counter() - t0
        spent: dict[str, float] = {}
        for reads, out, times in results:
            for cid, (info, diag) in reads.items():
                register_read(ctx, by_id[cid], None, info, diag)
            # the workers send the parts without their records, which they left in the cache
            self._merge({name: {cid: DocumentPart(PartRecords(self, name, cid, self.keys[cid][name]),
                                                  part.diagnostics, part.data) for cid, part in parts.items()}
                         for name, parts in out.items()})
            self.raced = self.raced or bool(times.pop("raced", 0))
            for phase, seconds in times.items():
                spent[phase] = spent.get(phase, 0.0) + seconds
        done = {cid for r, _, _ in results for cid in r}
        ctx.pending = [c for c in ctx.pending if c.id not in done]
        total = sum(spent.values()) or 1.0
        for phase, seconds in spent.items():  # the wall time of the parallel stretch, shared as the work was
            ctx.add_time(phase, wall * seconds / total)

    def _merge(self, out: dict[str, dict[str, DocumentPart]]) -> None:
        for name, parts in out.items():
            self.parts[name].update(parts)

    # the issue-wide step
    def result(self, name: str) -> AnalysisResult:
        if name in self.memos:
            return self.memos[name]
        t0 = time.perf_counter()
        with no_gc():
            result = self.combined(name)
        self.ctx.add_time(PHASES.get(name, name), time.perf_counter() - t0)
        if self.memo and not self.raced:  # the findings alone: records are put together again from the parts
            self.store.put("memo", self.memo_key(name, {cid: self.keys_of(cid) for cid in self.ctx.documents}),
                           list(result.diagnostics))
        return result

    def combined(self, name: str) -> AnalysisResult:
        ctx = self.ctx
        if any(cid not in self.parts[name] for cid in ctx.documents):
            self.work(self.plan({name}))
        state = self.state(name)  # first: the citation state may bring the bibliography with its resolver
        if name == "citations":
            ensure_bibliography(ctx)
        per = dict(self.per_doc)[name]
        cids = [cid for cid in ctx.documents if cid in self.parts[name]]
        return per.combine(ctx, state, {cid: self.parts[name][cid] for cid in cids})


def compute(ctx: Context, per_doc: list[tuple[str, PerDocument]], states: dict[str, Any], items: list[Item],
            store: Store) -> tuple[dict[str, dict[str, DocumentPart]], dict[str, float]]:
    """The parts `items` lack, analysis by analysis (each analysis sees the earlier ones' parts)."""
    out: dict[str, dict[str, DocumentPart]] = {n: {} for n, _ in per_doc}
    times: dict[str, float] = {}
    have: dict[str, dict[str, DocumentPart]] = {it.cid: dict(it.earlier) for it in items}
    t0 = time.perf_counter()
    docs = {it.cid: ctx.documents[it.cid] for it in items if it.needs}
    times["parse"] = time.perf_counter() - t0
    for name, per in per_doc:
        todo = [(it.cid, docs[it.cid], have[it.cid]) for it in items if name in it.needs]
        if not todo:
            continue
        t0 = time.perf_counter()
        parts = per.documents(ctx, states[name], todo)
        times[PHASES.get(name, name)] = time.perf_counter() - t0
        keys = {it.cid: it.keys for it in items}
        shas = {it.cid: it.sha for it in items}
        for cid, part in parts.items():
            if docs[cid].sha256 == shas[cid]:
                store_part(store, name, keys[cid][name], part)
            else:  # the file changed while this run read it: its part is not kept under the old content's key
                times["raced"] = 1.0
            have[cid][name] = part
            out[name][cid] = part
    return out, times


def _persist(state: Any) -> None:
    persist = getattr(state, "persist", None)
    if persist is not None:
        persist()


def _batches(items: list[Item], workers: int) -> list[list[Item]]:
    n = max(workers, -(-len(items) // BATCH))
    n = -(-n // workers) * workers  # a whole number of rounds, so that the workers finish together
    size = -(-len(items) // n)
    return [items[i:i + size] for i in range(0, len(items), size)]


_JOB: tuple | None = None  # what the forked workers inherit: (ctx, per_doc, states, store, joint)


def _child(batch: list[Item]):
    ctx, per_doc, states, store, joint = _JOB
    for it in batch:
        it.earlier = {n: joint.parts[n][it.cid] for n in joint.names if it.cid in joint.parts[n]}
    reads: dict[str, tuple] = {}
    times: dict[str, float] = {"parse": 0.0}
    ok: list[Item] = []
    by_id = {c.id: c for c in ctx.pending}
    for it in batch:
        if it.read:
            t0 = time.perf_counter()
            doc, info, diag = read_one(ctx, by_id[it.cid])
            times["parse"] += time.perf_counter() - t0
            reads[it.cid] = (info, diag)
            if doc is None:
                continue
            ctx.documents[it.cid] = doc
        ok.append(it)
    out, more = compute(ctx, per_doc, states, ok, store)
    for phase, seconds in more.items():
        times[phase] = times.get(phase, 0.0) + seconds
    for it in batch:  # free the batch's manuscripts before the next batch comes
        ctx.documents.unload(it.cid)
    light = {name: {cid: DocumentPart([], p.diagnostics, p.data) for cid, p in parts.items()}
             for name, parts in out.items()}
    return reads, light, times
