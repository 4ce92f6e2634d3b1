"""The analysis cache under build/.cache: values stored by the hash of everything they were computed from.

Values are read back with safe_pickle (only the package's own classes and plain containers), so a hostile
file in a folder someone sent is refused, not run. A key is a sha256 over the inputs (a manuscript's content, the bibliography's, the manifest, the vocabulary) and
over the code itself (`code_version()`: every module of the package, so an edited rule never serves an old
answer). A value that cannot be read (missing, truncated, from another Python) is a miss; a value that cannot be
written only costs time. Writes are atomic (temporary file, then rename), so concurrent runs see a whole value
or none.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from . import safe_pickle

ROOT = "analyses"
# how many values of one kind are kept: the newest (by use), enough for every contribution of a large issue in
# two states (before and after an edit); older ones are removed when a value is written
KEEP = 1200


def digest(*parts: Any) -> str:
    """sha256 of the parts: bytes as they are, anything else by its repr (deterministic for our inputs:
    dataclasses of str, int, list and dict, in the manifest's order)."""
    h = hashlib.sha256()
    for p in parts:
        b = p if isinstance(p, bytes) else repr(p).encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


# code that cannot change what an analysis finds: the outputs, the command line, the starter issue
NOT_ANALYSIS = ("render/", "scaffold/", "cli.py", "build.py")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A fingerprint of the code the analyses run: the version and each module's path, size and modification
    time (outputs and commands left out: editing a template does not make the findings stale)."""
    from . import __version__

    here = Path(__file__).resolve().parent
    parts: list[Any] = [__version__]
    for p in sorted(here.rglob("*.py")):
        if p.relative_to(here).as_posix().startswith(NOT_ANALYSIS):
            continue
        try:
            st = p.stat()
        except OSError:
            continue
        parts.append((p.relative_to(here).as_posix(), st.st_size, st.st_mtime_ns))
    return digest(*parts)


def write_atomically(path: Path, data: bytes) -> bool:
    """`data` into `path`, whole or not at all (a temporary file renamed); whether it was written (a cache that
    cannot be written only costs time)."""
    try:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except FileNotFoundError:  # the folder is made once, not asked for before every write (slow on some disks)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Unpickling tens of thousands of small live objects makes the cyclic collector run again and again for
    nothing; switched off for that time. Afterwards what was read is frozen (gc.freeze): it stays alive for the
    run, and a full collection over half a million cached records would take a second each time it came."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


class Store:
    """Pickled values by kind and key, in `folder` (None: a store that keeps nothing)."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) / ROOT if folder is not None else None
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any | None:
        if self.folder is None:
            return None
        path = self._path(kind, key)
        try:
            with no_gc(), path.open("rb") as fh:
                value = safe_pickle.load(fh)  # a cache that came with someone else's folder is not trusted
        except Exception:  # noqa: BLE001 - any unreadable value (truncated, old classes) is only a miss
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept by the pruning below
        return value

    def touch(self, kind: str, key: str) -> None:
        """Mark a value as used (it goes with another that was just read), so that pruning keeps it."""
        if self.folder is not None:
            with contextlib.suppress(OSError):
                os.utime(self._path(kind, key))

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.folder is None:
            return
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return  # a cache that cannot be written only costs time
        if write_atomically(self._path(kind, key), data):
            prune(self.folder / kind)


def prune(folder: Path) -> None:
    """Keep at most KEEP values of a kind, the newest: past KEEP, the oldest are removed down to nine tenths
    of it. The folder is listed once per process and then counted as values are written (listing it on every
    write cost a large issue's cold run a second)."""
    count = _COUNTS.get(folder)
    if count is not None and count < KEEP:
        _COUNTS[folder] = count + 1
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    if len(entries) <= KEEP:
        _COUNTS[folder] = len(entries)
        return
    keep = KEEP - KEEP // 10
    _COUNTS[folder] = keep

    def mtime(e: os.DirEntry) -> float:
        try:
            return e.stat().st_mtime
        except OSError:
            return 0.0

    for e in sorted(entries, key=mtime)[: len(entries) - keep]:
        with contextlib.suppress(OSError):
            os.unlink(e.path)


# values in each folder, as far as this process knows (another process writing beside it only delays a pruning)
_COUNTS: dict[Path, int] = {}
