"""`issue build`: checks, then render into a staging folder that replaces build/ in one atomic step.

The staging folder is swapped with build/ by renameat2(RENAME_EXCHANGE) on Linux, so build/ is at every moment
either the old complete tree or the new one; elsewhere two renames are used. A lock serialises concurrent builds.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .diagnostics.core import Diagnostic
from .pipeline import Context

BUILD = "build"
CACHE = ".cache"
KEPT = (CACHE, "bench")  # not outputs of the build: they move into the new tree
LOCK = ".issue-build.lock"
STAGING_PREFIX = ".issue-build-"


# findings that leave a hole in an output (a page whose template fails): the build stops, build/ stays as it was
ABORTING = {"T101"}


class BuildLocked(Exception):
    pass


class BuildFailed(Exception):
    """An output could not be written whole; the staging folder was removed and build/ left as it was."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics if d.code in ABORTING))
        self.diagnostics = diagnostics


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 with RENAME_EXCHANGE). False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    rc = renameat2(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE)
    return rc == 0


def swap_into_place(staging: Path, target: Path) -> None:
    """Make `staging` the new `target`; the old tree is removed afterwards."""
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old tree
        return
    if target.exists():
        old = target.with_name(target.name + ".old-" + str(os.getpid()))
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def clean_leftovers(root: Path) -> None:
    """Staging folders left by a build that was killed."""
    for p in root.glob(STAGING_PREFIX + "*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def lock(root: Path):
    from filelock import FileLock, Timeout

    lk = FileLock(str(root / LOCK), timeout=float(os.environ.get("ISSUE_LOCK_TIMEOUT", "60")))

    class _Ctx:
        def __enter__(self):
            try:
                lk.acquire()
            except Timeout:
                raise BuildLocked(f"another `issue build` is running in {root} (lock {LOCK}); waited "
                                  f"{lk.timeout:.0f} s")
            return lk

        def __exit__(self, *exc):
            lk.release()

    return _Ctx()


def build(ctx: Context, formats: list[str] | None, progress: Callable[[str], None] | None = None) -> list[Diagnostic]:
    """Render every output into a staging folder, then swap it for build/. Returns render diagnostics."""
    root = ctx.root
    target = root / BUILD
    clean_leftovers(root)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    diags: list[Diagnostic] = []
    try:
        from .render import render_all

        diags = ctx.timed("render", lambda: render_all(ctx, staging, formats, progress=progress))
        if any(d.code in ABORTING and d.severity.value == "error" for d in diags):
            raise BuildFailed(diags)
        if formats:
            _carry_over(target, staging)
        ctx.timed("write", lambda: _put_in_place(staging, target))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return diags


def _carry_over(target: Path, staging: Path) -> None:
    """`--format pdf` rebuilds the PDF, not the whole tree: the other outputs of the previous build are kept.

    They are hard-linked (copied where links are not possible) so that the old tree stays whole until the swap.
    """
    if not target.is_dir():
        return
    for old in sorted(target.iterdir()):
        if old.name in KEPT or (staging / old.name).exists():
            continue
        if old.is_dir():
            shutil.copytree(old, staging / old.name, copy_function=_link_or_copy, symlinks=True)
        elif old.is_file():
            _link_or_copy(str(old), str(staging / old.name))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _put_in_place(staging: Path, target: Path) -> None:
    for name in KEPT:  # the cache and benchmark figures move with the tree
        old = target / name
        if old.is_dir() and not (staging / name).exists():
            os.replace(old, staging / name)
    _fsync_tree(staging)
    swap_into_place(staging, target)


def _fsync_tree(folder: Path) -> None:
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
                os.fsync(fd)
                os.close(fd)
            except OSError:
                pass
