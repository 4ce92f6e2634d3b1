"""pandoc started ahead: manuscripts converted to pandoc's JSON before the run reads them.

A large issue is read by worker processes, which can only start once the bibliography is loaded and the analyses
are prepared (they inherit both): seconds in which one core works and the other would wait. `Ahead` uses that
core: a thread runs pandoc on the manuscripts the workers will reach last, one at a time, each into a file under
build/.cache/pandoc named by the manuscript's content hash and the pandoc that made it. The reader (`take`) uses
such a file instead of running pandoc, and removes it. pandoc runs exactly as the reader would run it (the same
arguments and input, `--sandbox`, the same time limit), and a manuscript the reader would refuse (too large, a
zip bomb, not UTF-8) is left to the reader, which reports it.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from .. import pandoc
from ..cache import digest

FOLDER = "pandoc"


def _path(cache_dir: Path, sha: str) -> Path:
    return cache_dir / FOLDER / f"{digest(sha, pandoc.identity())}.json"


def take(cache_dir: Path | None, sha: str) -> bytes | None:
    """pandoc's JSON of the manuscript with this content hash, if it was made ahead (the file is removed)."""
    if cache_dir is None:
        return None
    path = _path(cache_dir, sha)
    try:
        out = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        path.unlink()
    return out


class Ahead:
    """Convert the manuscripts `rels` (in this order) ahead, one at a time, until `stop`."""

    def __init__(self, root: Path, rels: list[str], cache_dir: Path, *, max_mb: float, timeout: float):
        self.root, self.rels, self.cache_dir, self.max_mb, self.timeout = root, rels, cache_dir, max_mb, timeout
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="issue-ahead", daemon=True)
        self._made: list[Path] = []

    def start(self) -> "Ahead":
        self._thread.start()
        return self

    def stop(self) -> None:
        """No more manuscripts are started; the one under way finishes (its file is used if it comes in time)."""
        self._stopped.set()

    def join(self) -> None:
        """Wait until every manuscript given is converted (or `stop` was called)."""
        self._thread.join()

    def close(self) -> None:
        """Once the run has read everything: the files no reader took (it came first) are removed."""
        self._stopped.set()
        self._thread.join()
        for path in self._made:
            with contextlib.suppress(OSError):
                path.unlink()

    def _run(self) -> None:
        for rel in self.rels:
            if self._stopped.is_set():
                return
            with contextlib.suppress(Exception):  # whatever goes wrong here, the reader does it again and says why
                self._convert(rel)

    def _convert(self, rel: str) -> None:
        from .readers import manuscript_bytes, check_zip, pandoc_request

        fmt, data, sha = manuscript_bytes(self.root, rel, None, self.max_mb)
        target = _path(self.cache_dir, sha)
        if target.exists():
            return
        if fmt in ("docx", "odt"):
            check_zip(rel, data, self.max_mb, fmt)
        request = pandoc_request(rel, fmt, data)
        if request is None:
            return
        args, given = request
        target.parent.mkdir(parents=True, exist_ok=True)
        if pandoc.run_into(args, given, target, timeout=self.timeout, yielding=True):
            self._made.append(target)
