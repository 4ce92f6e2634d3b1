"""pandoc started ahead: manuscripts converted to pandoc's JSON before the run reads them.

A large issue is read by worker processes, which can only start once the bibliography is loaded and the analyses
are prepared (they inherit both): seconds in which one core works and the other would wait. `Ahead` uses that
core: a thread runs pandoc on the manuscripts the workers will reach last, one at a time, each into the readers'
cache of pandoc's output (readers.pandoc_output_path), where the reader finds it instead of running pandoc.
pandoc runs exactly as the reader would run it (the same arguments and input, `--sandbox`, the same time limit),
and a manuscript the reader would refuse (too large, a zip bomb, not UTF-8) is left to the reader, which reports
it.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from .. import pandoc


class Ahead:
    """Convert the manuscripts `rels` (in this order) ahead, one at a time, until `stop`."""

    def __init__(self, root: Path, rels: list[str], cache_dir: Path, *, max_mb: float, timeout: float):
        self.root, self.rels, self.cache_dir, self.max_mb, self.timeout = root, rels, cache_dir, max_mb, timeout
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="issue-ahead", daemon=True)
        self.made: list[Path] = []

    def start(self) -> "Ahead":
        self._thread.start()
        return self

    def stop(self) -> None:
        """No more manuscripts are started; the one under way finishes (the reader uses it if it comes in time)."""
        self._stopped.set()

    def join(self) -> None:
        """Wait until every manuscript given is converted (or `stop` was called)."""
        self._thread.join()

    def close(self) -> None:
        """Once the run has read everything."""
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        for rel in self.rels:
            if self._stopped.is_set():
                return
            with contextlib.suppress(Exception):  # whatever goes wrong here, the reader does it again and says why
                self._convert(rel)

    def _convert(self, rel: str) -> None:
        from .readers import check_zip, manuscript_bytes, pandoc_output_path, pandoc_request

        fmt, data, _ = manuscript_bytes(self.root, rel, None, self.max_mb)
        if fmt in ("docx", "odt"):
            check_zip(rel, data, self.max_mb, fmt)
        request = pandoc_request(rel, fmt, data)
        if request is None:
            return
        args, given = request
        target = pandoc_output_path(self.cache_dir, args, given)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if pandoc.run_into(args, given, target, timeout=self.timeout, yielding=True):
            self.made.append(target)
