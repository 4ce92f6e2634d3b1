"""`issue build`: checks, then render into a staging folder that replaces build/ in one atomic step.

The staging folder is swapped with build/ by renameat2(RENAME_EXCHANGE) on Linux, so build/ is at every moment
either the old complete tree or the new one; elsewhere two renames are used. A lock serialises concurrent builds.

A build that succeeded leaves a stamp in build/.cache: the hashes of its inputs (the manifest, every file it names,
the manuscripts' folders, templates/, the vocabulary, the style), the code, what was asked for, the outputs it
left in build/ and the findings it printed. When the stamp still holds, `issue build` prints those findings and
leaves build/ as it is (it would be identical) without importing the pipeline, the analyses or the writers.
This module imports nothing heavy, so that the command can ask it first.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .diagnostics.core import Diagnostic

if TYPE_CHECKING:
    from .model import Issue
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
    import ctypes
    import ctypes.util

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
    """Every file of the new tree on disk before the swap. In threads: the filesystem commits concurrent fsyncs
    together, one after another costs a journal commit each (0.27 s for the demo's 32 pages, 0.02 s so)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [os.path.join(dirpath, name) for dirpath, _, files in os.walk(folder) for name in files]
    if len(paths) < 4:
        for p in paths:
            _fsync(p)
        return
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(_fsync, paths))


def _fsync(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the stamp of the last build ---------------------------------------------------------------------------------
STAMP = "build-stamp.pickle"
STAMP_VERSION = 1
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)  # what the outputs depend on besides the files
SKIP_FOLDERS = {BUILD, ".git", ".venv", "venv", "node_modules", "__pycache__"}


def request_of(formats: list[str] | None, paginate: bool) -> tuple:
    """What was asked for: the outputs (None: every writer) and --paginate."""
    return (tuple(formats) if formats is not None else None, bool(paginate))


def stamp_enabled() -> bool:
    return not os.environ.get("ISSUE_NO_CACHE")


def code_fingerprint() -> tuple:
    """The package (every module, template and asset: path, size, modification time) and the pandoc binary."""
    import importlib.util

    from . import __version__

    here = Path(__file__).resolve().parent
    parts: list[Any] = [__version__]
    for dirpath, dirs, files in os.walk(here):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".tmp")):
                continue
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            parts.append((os.path.relpath(os.path.join(dirpath, name), here), st.st_size, st.st_mtime_ns))
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "files" / "pandoc"
        if binary.is_file():
            st = binary.stat()
            parts.append((str(binary), st.st_size, st.st_mtime_ns))
    return tuple(parts)


def _file_fact(path: Path) -> tuple | None:
    try:
        st = path.stat()
        if not path.is_file():
            return ("not a file",)
        return (st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return None


def _inside(root: Path, path: Path) -> bool:
    """Nothing outside the issue folder is read, not even through a link."""
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


def _same_file(path: Path, fact: tuple | None) -> bool:
    """Unchanged: absent as before, or the same size and either the same time or the same content."""
    try:
        st = path.stat()
    except OSError:
        return fact is None
    if fact is None or len(fact) != 3 or not path.is_file() or st.st_size != fact[0]:
        return False
    if st.st_mtime_ns == fact[1]:
        return True
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == fact[2]
    except OSError:
        return False


def _tree_files(root: Path, folder: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_FOLDERS and not d.startswith("."))
        out += [os.path.relpath(os.path.join(dirpath, f), root) for f in sorted(files) if not f.startswith(".")]
    return out


def _listing(root: Path, rel: str) -> list[str]:
    """The files of a folder of the issue (none when it is missing or leads out of the folder)."""
    folder = root / rel
    return _tree_files(root, folder) if folder.is_dir() and _inside(root, folder) else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def input_facts(issue: "Issue", extra_files: list[Path] = ()) -> dict[str, Any]:
    """The state of everything a build reads, taken before it reads anything (a file saved during the build then
    makes the stamp stale): the manifest and every file or pattern it names, the folders of the manuscripts (their
    images), templates/, the vocabulary, `extra_files` (the style), the environment and the code."""
    root = issue.root.resolve()
    files: set[str] = {"issue.toml", "concepts.toml"}
    globs: dict[str, list[str]] = {}
    trees: set[str] = {"templates"}
    for s in _strings(issue.raw):
        if len(s) > 500 or "\n" in s or "\0" in s or s.startswith(("/", "~")) or ".." in Path(s).parts:
            continue
        try:
            if any(ch in s for ch in "*?["):
                globs[s] = sorted(p.relative_to(root).as_posix() for p in root.glob(s))
            elif (root / s).is_file():
                files.add(s)
        except (ValueError, NotImplementedError, OSError):
            continue
    for c in issue.contributions:
        files.add(c.file)
        parent = Path(c.file).parent
        if parent.parts and parent.parts[0] not in SKIP_FOLDERS and ".." not in parent.parts:
            trees.add(parent.as_posix())
    tree_listing = {t: _listing(root, t) for t in sorted(trees)}
    for listing in list(tree_listing.values()) + list(globs.values()):
        files.update(listing)
    facts = {rel: _file_fact(root / rel) if _inside(root, root / rel) else ("outside",) for rel in sorted(files)}
    for p in extra_files:
        facts[str(Path(p).resolve())] = _file_fact(Path(p))
    return {"version": STAMP_VERSION, "code": code_fingerprint(),
            "environment": {k: os.environ.get(k) for k in ENVIRONMENT},
            "files": facts, "globs": globs, "trees": tree_listing}


def _outputs(target: Path) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirs, files in os.walk(target):
        if Path(dirpath) == target:
            dirs[:] = [d for d in dirs if d not in KEPT]
        for name in files:
            p = os.path.join(dirpath, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            out[os.path.relpath(p, target)] = (st.st_size, st.st_mtime_ns)
    return out


def write_stamp(root: Path, request: tuple, facts: dict[str, Any], found: list[Diagnostic],
                render: list[Diagnostic]) -> None:
    """After a build that replaced build/: what it was made from, what it holds and what it reported."""
    import pickle

    target = root / BUILD
    folder = target / CACHE
    value = {"request": request, "facts": facts, "outputs": _outputs(target), "found": list(found),
             "render": list(render)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / STAMP)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        forget_stamp(root)  # a stamp that cannot be written only costs time next run


def forget_stamp(root: Path) -> None:
    try:
        os.unlink(root / BUILD / CACHE / STAMP)
    except OSError:
        pass


def up_to_date(root: Path, request: tuple) -> tuple[list[Diagnostic], list[Diagnostic]] | None:
    """(findings, render findings) of the last build when nothing it was made from has changed and build/ is as
    it left it; else None."""
    from . import safe_pickle

    root = root.resolve()
    if any(root.glob(STAGING_PREFIX + "*")):
        return None  # a killed build left its staging folder: the next build (under the lock) removes it
    try:
        with open(root / BUILD / CACHE / STAMP, "rb") as fh:
            stamp = safe_pickle.load(fh)  # a stamp that came with someone else's folder is not trusted
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: no stamp
        return None
    try:
        facts = stamp["facts"]
        if stamp["request"] != request or facts["version"] != STAMP_VERSION:
            return None
        if facts["environment"] != {k: os.environ.get(k) for k in ENVIRONMENT}:
            return None
        for pattern, matches in facts["globs"].items():
            if sorted(p.relative_to(root).as_posix() for p in root.glob(pattern)) != matches:
                return None
        for t, listing in facts["trees"].items():
            if _listing(root, t) != listing:
                return None
        for rel, fact in facts["files"].items():
            if fact == ("outside",):  # a link out of the folder is never read: it must still lead out
                if _inside(root, root / rel):
                    return None
            elif not _same_file(root / rel, fact):
                return None
        if _outputs(root / BUILD) != stamp["outputs"] or facts["code"] != code_fingerprint():
            return None
        return list(stamp["found"]), list(stamp["render"])
    except Exception:  # noqa: BLE001 - a stamp of another shape: no stamp
        return None
