"""The pipeline: load (manifest, manuscripts, bibliography) -> analyse (citations, cross-references, concepts).

`issue check` stops after `analyse`; `issue build` goes on to render (build.py). Each analysis is registered in
ANALYSES and receives the Context; it returns its records (for `--format json` and the outputs) and findings.

An analysis that works document by document also names, in PER_DOCUMENT, a `PerDocument` (its per-manuscript
step and its issue-wide step). The pipeline then caches each manuscript's part by content under build/.cache and
recomputes only the issue-wide rules, so that a run after one manuscript changed analyses that manuscript alone
(incremental.py). Manuscripts known to the cache are read (unpickled) only when something asks for them.
"""
from __future__ import annotations

import importlib
import os
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

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
# name -> "module:object": the analysis in two steps, per manuscript and issue-wide (see PerDocument)
PER_DOCUMENT: dict[str, str] = {
    "citations": "issue.citations_by_document:PER_DOCUMENT",
    "crossrefs": "issue.crossrefs.analysis:PER_DOCUMENT",
    "concepts": "issue.concepts.analysis:PER_DOCUMENT",
}
# the phase each step is timed under (`issue check --timings`, benchmarks/run.py)
PHASES = {"bibliography": "bibliography", "citations": "citations", "crossrefs": "cross-references",
          "concepts": "index"}


@dataclass
class AnalysisResult:
    records: Any = field(default_factory=list)  # a sequence of records, each with .to_json()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # anything else later stages want (maps, tables)


@dataclass
class DocumentPart:
    """What one analysis found in one manuscript: cached by the manuscript's content."""

    records: list[Any] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # anything the issue-wide step needs


@dataclass
class PerDocument:
    """An analysis in two steps. `documents` sees only the manuscripts it is given (and, for each, the parts the
    earlier per-document analyses found in it); `combine` puts the parts of every manuscript together and adds
    the rules that need the whole issue. analyse(ctx) must equal combine(ctx, state, documents(ctx, state, all)).

    fingerprint(ctx): what the parts depend on besides the manuscript, the manifest and the code (the
                      bibliography's content, the vocabulary's); any repr-able value.
    prepare(ctx):     the state both steps share (a compiled vocabulary, a name index), built once per run.
    documents(ctx, state, items): items are (contribution id, Document, {earlier analysis: DocumentPart});
                      returns {contribution id: DocumentPart}.
    combine(ctx, state, parts): parts in reading order {contribution id: DocumentPart} -> AnalysisResult.
    """

    fingerprint: Callable[["Context"], Any]
    prepare: Callable[["Context"], Any]
    documents: Callable[["Context", Any, list[tuple[str, Document, dict[str, DocumentPart]]]], dict[str, DocumentPart]]
    combine: Callable[["Context", Any, dict[str, DocumentPart]], AnalysisResult]


@dataclass
class DocumentInfo:
    """What the pipeline keeps of a manuscript without reading it again: its identity, inline exemptions and
    the findings about the manuscript as read (D1xx)."""

    file: str
    format: str
    sha256: str
    exemptions: list[tuple[int, list[str]]] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def paragraph_based(self) -> bool:
        return self.format in ("docx", "odt")


# manuscripts the cache can give again that are held in memory at once (about 10 MB each per 10,000 words): the
# writers of a large issue go through them one by one, and holding all 200 took gigabytes
HELD = 25


class Documents(MutableMapping):
    """contribution id -> Document, in reading order. A manuscript the cache knows is read only when asked for,
    and let go again (the least recently used first) when more than HELD such manuscripts are in memory."""

    def __init__(self, items: dict[str, Document] | None = None):
        self._docs: dict[str, Document | None] = {}
        self._loaders: dict[str, Callable[[], Document]] = {}
        self._info: dict[str, DocumentInfo] = {}
        self._held: OrderedDict[str, None] = OrderedDict()  # manuscripts in memory that can be read again
        self._cached: set[str] = set()  # ... from the cache
        for k, v in (items or {}).items():
            self[k] = v

    def __getitem__(self, cid: str) -> Document:
        doc = self._docs[cid]
        if doc is None:
            doc = self._loaders[cid]()
            self._docs[cid] = doc
        if cid in self._cached:
            self._hold(cid)
        return doc

    def __setitem__(self, cid: str, doc: Document) -> None:
        self._docs[cid] = doc
        if cid in self._cached:
            self._hold(cid)

    def _hold(self, cid: str) -> None:
        self._held[cid] = None
        self._held.move_to_end(cid)
        while len(self._held) > HELD:
            old, _ = self._held.popitem(last=False)
            self._docs[old] = None

    def __delitem__(self, cid: str) -> None:
        del self._docs[cid]
        self._loaders.pop(cid, None)
        self._info.pop(cid, None)
        self._held.pop(cid, None)
        self._cached.discard(cid)

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, cid: object) -> bool:
        return cid in self._docs

    def add_lazy(self, cid: str, info: DocumentInfo, loader: Callable[[], Document], cached: bool = True) -> None:
        """A manuscript to read when asked for. `cached`: its loader reads it from the cache once it has been read
        (else it is held in memory: reading it again would run pandoc)."""
        self._docs[cid] = None
        self._loaders[cid] = loader
        self._info[cid] = info
        if cached:
            self._cached.add(cid)

    def set_info(self, cid: str, info: DocumentInfo) -> None:
        self._info[cid] = info

    def info(self, cid: str) -> DocumentInfo | None:
        if cid in self._info:
            return self._info[cid]
        doc = self._docs.get(cid)
        return DocumentInfo(doc.file, doc.format, doc.sha256, list(doc.exemptions)) if doc is not None else None

    def is_loaded(self, cid: str) -> bool:
        return self._docs.get(cid) is not None

    def unload(self, cid: str) -> None:
        """Let a manuscript that can be read again from the cache go (a worker between batches)."""
        if cid in self._loaders and cid in self._docs:
            self._docs[cid] = None
            self._held.pop(cid, None)


@dataclass
class Context:
    issue: Issue
    documents: MutableMapping = field(default_factory=Documents)  # contribution id -> Document
    bibliography: Any = None  # issue.bibliography.Bibliography, once loaded
    diagnostics: list[Diagnostic] = field(default_factory=list)
    results: dict[str, AnalysisResult] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    cache_dir: Path | None = None
    bibliography_files: list[str] | None = None  # explicit .bib files (outside an issue folder)
    # set by the pipeline
    fingerprints: dict[str, str] = field(default_factory=dict, repr=False)  # input -> content hash
    pending: list[Any] = field(default_factory=list, repr=False)  # contributions whose manuscript is not read yet
    reading: Any = field(default=None, repr=False)  # a Reading of some of them, under way
    bibliography_loaded: bool = field(default=False, repr=False)
    # `issue check`: nothing renders after the analyses, so the tables only outputs read are not made
    lean: bool = field(default=False, repr=False)
    # set by the PDF writer for the later writers of the build: render.pages.Pagination (print pages)
    pagination: Any = field(default=None, repr=False)
    # `issue build`: called once the bibliography is loaded, to start the writers' work that needs nothing else
    # (render.html.prefetch); what it started, by key, for the writers to take
    after_bibliography: Callable[["Context"], None] | None = field(default=None, repr=False)
    started: dict[str, Any] = field(default_factory=dict, repr=False)
    # what the writers work out once per run from the results (render.context.records_by_contribution)
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.documents, Documents):
            self.documents = Documents(dict(self.documents))

    @property
    def root(self) -> Path:
        return self.issue.root

    def timed(self, phase: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            self.add_time(phase, time.perf_counter() - t0)

    def add_time(self, phase: str, seconds: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + seconds

    def document_of(self, contribution_id: str) -> Document | None:
        return self.documents.get(contribution_id)

    def store(self):
        from .cache import Store

        return Store(self.cache_dir)


def pandoc_timeout(ctx: Context) -> float:
    """[build] pandoc_timeout: the seconds any one pandoc run may take."""
    return float((ctx.issue.build or {}).get("pandoc_timeout", 60))


def read_options(ctx: Context) -> tuple[float, float]:
    return float((ctx.issue.build or {}).get("max_manuscript_mb", 50)), pandoc_timeout(ctx)


def document_info(doc: Document) -> DocumentInfo:
    from .manuscripts.checks import document_findings

    return DocumentInfo(doc.file, doc.format, doc.sha256, list(doc.exemptions), document_findings(doc))


def info_key(sha: str, rel: str) -> str:
    from .cache import code_version, digest

    return digest("info", code_version(), sha, rel)


def identify_manuscripts(ctx: Context) -> None:
    """Hash every manuscript; one the cache has seen is registered without being read (its findings and
    exemptions come from the cache); the others wait in ctx.pending for `read_pending`."""
    from .manuscripts.readers import identify

    max_mb, _ = read_options(ctx)
    store = ctx.store()
    for c in ctx.issue.contributions:
        if c.unusable or not (ctx.root / c.file).is_file():  # missing or outside the folder: reported, never read
            continue
        try:
            sha = identify(ctx.root, c.file, max_mb=max_mb)
        except ReadError as exc:
            ctx.diagnostics.append(exc.diagnostic)
            continue
        info = store.get("info", info_key(sha, c.file))
        if isinstance(info, DocumentInfo):
            ctx.documents.add_lazy(c.id, info, _loader(ctx, c.file), cached=ctx.cache_dir is not None)
            ctx.diagnostics.extend(info.findings)
        else:
            ctx.documents.add_lazy(c.id, DocumentInfo(c.file, "", sha), _loader(ctx, c.file),
                                   cached=ctx.cache_dir is not None)
            ctx.pending.append(c)


def _loader(ctx: Context, rel: str) -> Callable[[], Document]:
    max_mb, timeout = read_options(ctx)
    return lambda: read_manuscript(ctx.root, rel, max_mb=max_mb, timeout=timeout, cache_dir=ctx.cache_dir)


def read_one(ctx: Context, c: Any) -> tuple[Document | None, DocumentInfo | None, Diagnostic | None]:
    """Read one manuscript (pandoc), with its findings; records them in the cache."""
    max_mb, timeout = read_options(ctx)
    try:
        doc = read_manuscript(ctx.root, c.file, max_mb=max_mb, timeout=timeout, cache_dir=ctx.cache_dir)
    except ReadError as exc:
        return None, None, exc.diagnostic
    info = document_info(doc)
    ctx.store().put("info", info_key(doc.sha256, c.file), info)
    return doc, info, None


def register_read(ctx: Context, c: Any, doc: Document | None, info: DocumentInfo | None,
                  diag: Diagnostic | None) -> None:
    """Put a manuscript read by `read_one` (here or in a worker) in its place."""
    if diag is not None:
        ctx.diagnostics.append(diag)
        if c.id in ctx.documents:
            del ctx.documents[c.id]
        return
    if doc is not None:
        ctx.documents[c.id] = doc
    if info is not None:
        ctx.documents.set_info(c.id, info)
        ctx.diagnostics.extend(info.findings)


class Reading:
    """Manuscripts being read in a background thread: pandoc runs as separate processes, two at a time, while
    this process goes on (importing the analyses, loading the bibliography, preparing the vocabulary). What was
    read is put in its place by `take_read`, in this thread and in reading order, each manuscript as soon as it
    and those before it are read."""

    def __init__(self, ctx: Context, todo: list[Any]):
        import queue
        import threading

        self.todo = todo
        self.ready: queue.Queue = queue.Queue()  # (contribution, read_one's result), in order; None at the end
        self.failure: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(ctx,), name="issue-read", daemon=True)

    def _run(self, ctx: Context) -> None:
        t0 = time.perf_counter()
        try:
            with ThreadPoolExecutor(max_workers=max(1, min(len(self.todo), os.cpu_count() or 2))) as pool:
                for c, result in zip(self.todo, pool.map(lambda c: read_one(ctx, c), self.todo)):
                    self.ready.put((c, result))
        except BaseException as exc:  # noqa: BLE001 - raised again by take_read, in the main thread
            self.failure.append(exc)
        finally:
            ctx.add_time("parse", time.perf_counter() - t0)
            self.ready.put(None)


def start_reading(ctx: Context) -> None:
    """Start reading the manuscripts in ctx.pending in the background (each stays pending until taken)."""
    if ctx.reading is None and ctx.pending:
        ctx.reading = Reading(ctx, list(ctx.pending))
        ctx.reading.thread.start()


def take_read(ctx: Context) -> Iterator[str]:
    """Put each manuscript of the background reading in its place as soon as it is read, in reading order;
    yields the contribution ids (a manuscript that could not be read is reported, not yielded)."""
    reading = ctx.reading
    if reading is None:
        return
    while (got := reading.ready.get()) is not None:
        c, (doc, info, diag) = got
        ctx.pending = [p for p in ctx.pending if p.id != c.id]
        register_read(ctx, c, doc, info, diag)
        if diag is None:
            yield c.id
    ctx.reading = None  # (a consumer that stops early leaves the rest to the next `take_read`)
    reading.thread.join()
    if reading.failure:
        raise reading.failure[0]


def finish_reading(ctx: Context) -> None:
    """Wait for the background reading, and put what it read in place."""
    for _ in take_read(ctx):
        pass


def read_pending(ctx: Context) -> None:
    """Read the manuscripts in ctx.pending (in parallel: pandoc runs as separate processes)."""
    start_reading(ctx)
    finish_reading(ctx)


def load_manuscripts(ctx: Context) -> None:
    """Every contribution's manuscript: from the cache when it has not changed, else read now."""
    identify_manuscripts(ctx)
    read_pending(ctx)


def load_bibliography(ctx: Context) -> None:
    ctx.bibliography_loaded = True
    try:
        from .bibliography import load_bibliography as load
    except ImportError:
        return
    bib, diags = load(ctx.root, ctx.issue.bibliography, files=ctx.bibliography_files, cache_dir=ctx.cache_dir,
                      options=ctx.issue.bib)
    ctx.bibliography = bib
    ctx.diagnostics.extend(diags)


def ensure_bibliography(ctx: Context) -> Any:
    """The bibliography, loaded on first use (a run whose analyses all come from the cache never needs it)."""
    if not ctx.bibliography_loaded and ctx.bibliography is None:
        diags_before = len(ctx.diagnostics)
        load_bibliography(ctx)
        del ctx.diagnostics[diags_before:]  # reported by the bibliography step, from its cache or fresh
    ctx.bibliography_loaded = True
    return ctx.bibliography


def resolve(target: str) -> Any:
    module, _, func = target.partition(":")
    try:
        return getattr(importlib.import_module(module), func)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None  # that analysis is not part of this build
        raise



def analyse(ctx: Context, only: set[str] | None = None, memo: bool = False) -> None:
    """Run the analyses (those in `only`), document by document where they can, with the cache."""
    from .incremental import run

    run(ctx, only=only, memo=memo)


def run_checks(ctx: Context, memo: bool = False) -> None:
    """Load and analyse. With `memo` (`issue check`), an analysis whose inputs have not changed at all is taken
    whole from the cache, its records read only if asked for; `issue build` recomputes the issue-wide step."""
    ctx.lean = ctx.lean or memo
    ctx.timed("load", lambda: identify_manuscripts(ctx))
    analyse(ctx, memo=memo)


def findings(ctx: Context, files: set[str] | None = None) -> Findings:
    """The run's diagnostics after [check] configuration and inline exemptions, optionally for some files only."""
    ex = Exemptions()
    docs = ctx.documents
    for cid in docs:
        info = docs.info(cid) if isinstance(docs, Documents) else None
        if info is None:
            doc = docs[cid]
            info = DocumentInfo(doc.file, doc.format, doc.sha256, list(doc.exemptions))
        for where, codes in info.exemptions:
            if info.paragraph_based:
                ex.add(info.file, paragraph=where, codes=codes)
            else:
                ex.add(info.file, line=where, codes=codes)
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
