"""Run the pandoc that pypandoc-binary bundles: one place for the binary, the sandbox and the timeout."""
from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

DEFAULT_TIMEOUT = 60.0


class PandocError(Exception):
    """pandoc failed or ran out of time. `line` and `column` locate the problem in the input when pandoc says where
    (a LaTeX or YAML syntax error); `timed_out` is true when the timeout ended it."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, timed_out: bool = False):
        super().__init__(message)
        self.line, self.column, self.timed_out = line, column, timed_out


_AT = re.compile(r"\(line (\d+), column (\d+)\)")
_YAML_AT = re.compile(r"YAML parse exception at line (\d+), column (\d+)")


def error_of(stderr: str, status: int) -> PandocError:
    """pandoc's error in one line, with its place: pandoc writes several lines (`Error at "stdin" (line 6,
    column 2):`, the reason, what it expected, a caret), and the last of them alone says nothing."""
    lines = [ln.strip() for ln in stderr.splitlines()]
    lines = [ln for ln in lines if ln and not set(ln) <= {"^", " "} and not ln.startswith("[WARNING]")]
    if not lines:
        return PandocError(f"pandoc failed with status {status}")
    line = column = None
    m = _AT.search(stderr)
    if m:
        line, column = int(m.group(1)), int(m.group(2))
        y = _YAML_AT.search(stderr)
        if y:  # the YAML block starts at `line`; the YAML parser counts from the block's first line
            line, column = line + int(y.group(1)), int(y.group(2))
    head = _AT.sub("", re.sub(r'^Error (?:parsing YAML metadata )?at\b(?: "[^"]*")?', "", lines[0])).strip(" :,")
    if lines[0].startswith("Error parsing YAML metadata"):
        head = "in the YAML metadata block"
    rest = [ln.strip(" :,") for ln in lines[1:] if not _YAML_AT.match(ln)]
    reason = "; ".join(x for x in [head, *rest] if x)
    return PandocError(" ".join(reason.split())[:400], line, column)


@functools.lru_cache(maxsize=1)
def pandoc_path() -> str:
    if not os.environ.get("PYPANDOC_PANDOC"):  # pypandoc-binary's own copy (importing pypandoc: 0.1 s a run)
        from . import installed_path

        binary = installed_path("pypandoc", "files", "pandoc")
        if binary is not None and binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.lru_cache(maxsize=1)
def pandoc_version() -> str:
    import pypandoc

    return pypandoc.get_pandoc_version()


_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "SOURCE_DATE_EPOCH", "TMPDIR")  # what pandoc is given


def command(args: list[str], source_date_epoch: int | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of pandoc ARGS: --sandbox (no file or network access beyond its inputs),
    and only the variables pandoc needs."""
    cmd = [pandoc_path(), *runtime_options(), "--sandbox", *args]
    env = {k: v for k, v in os.environ.items() if k in _ENVIRONMENT}
    if source_date_epoch is not None and "SOURCE_DATE_EPOCH" not in env:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    return cmd, env


@functools.lru_cache(maxsize=1)
def runtime_options() -> tuple[str, ...]:
    """GHC runtime options for the bundled pandoc, which is built with a 64 MB first heap and a 1 MB old
    generation. Touching 64 MB for every run cost much of its time in the kernel, and with a 1 MB old generation
    reading a 10,000-word manuscript collected the whole heap four times, though under 2 MB of it is alive. With a
    4 MB heap and nursery and a 16 MB old generation, reading takes a third less CPU than with the defaults (80
    against 124 ms per manuscript) and citeproc a sixth less (benchmarks/README.md); the output is the same.
    Left out for another pandoc (PYPANDOC_PANDOC), which may refuse runtime options."""
    if os.environ.get("PYPANDOC_PANDOC"):
        return ()
    return ("+RTS", "-A4m", "-H4m", "-O16m", "-RTS")


@functools.lru_cache(maxsize=1)
def identity() -> str:
    """Which pandoc runs, without running it (its version costs a process start): part of the keys of what is
    kept of its output."""
    binary = pandoc_path()
    try:
        st = os.stat(binary)
    except OSError:
        return pandoc_version()
    return f"{binary}:{st.st_size}:{st.st_mtime_ns}"


def run(args: list[str], input: bytes | None = None, timeout: float | None = None, cwd: str | None = None,
        source_date_epoch: int | None = None, yielding: bool = False) -> bytes:
    """pandoc ARGS (see `command`); returns stdout. `source_date_epoch` fixes the dates pandoc stamps into EPUB and
    DOCX files (else SOURCE_DATE_EPOCH or now). `yielding`: work that others wait for less (a website's pages,
    beside its citations and this process's own work) runs at a lower priority, so that the machine's cores go
    first to what the build waits for."""
    cmd, env = command(args, source_date_epoch)
    with _buffer() as out:
        started = time.monotonic()
        with _start(cmd, env, input, out, cwd, yielding) as proc:
            err = _finish(proc, started, timeout)
        if proc.returncode != 0:
            raise error_of(err.decode("utf-8", "replace"), proc.returncode)
        out.seek(0)
        return out.read()


def run_into(args: list[str], input: bytes, target: Path, timeout: float | None = None,
             yielding: bool = False) -> bool:
    """pandoc ARGS with its output written into the file `target`, whole or not at all; whether it succeeded."""
    cmd, env = command(args)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        started = time.monotonic()
        with os.fdopen(fd, "wb") as out, _start(cmd, env, input, out, None, yielding) as proc:
            _finish(proc, started, timeout)
        if proc.returncode == 0:
            os.replace(tmp, target)
        return proc.returncode == 0
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


# pandoc's input and output go through files, not pipes. Through a pipe, the thread that started pandoc must copy
# every 4 KB across, and each time it waits for the interpreter's lock: while this process's main thread works (a
# build reads and converts in threads beside it), pandoc sat idle for much of its run, waiting for its input or
# for room to write (a 10,000-word manuscript took 120 ms instead of 65). A file is read and written by the kernel.
# Only pandoc's messages (stderr) come through a pipe, whose end tells when pandoc has finished.
def _buffer() -> IO[bytes]:
    """An anonymous file: in memory where the system has them (Linux), else a temporary file."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.fdopen(os.memfd_create("issue-pandoc", os.MFD_CLOEXEC), "w+b")
    return tempfile.TemporaryFile()


def _start(cmd: list[str], env: dict[str, str], input: bytes | None, stdout: Any, cwd: str | None,
           yielding: bool) -> subprocess.Popen:
    with _buffer() as stdin:
        if input:
            stdin.write(input)
            stdin.flush()
            stdin.seek(0)
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, env=env)
    if yielding and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, proc.pid, YIELDING_NICENESS)
    return proc


def _finish(proc: subprocess.Popen, started: float, timeout: float | None) -> bytes:
    """Wait for pandoc, at most `timeout` seconds from `started` (pandoc has its input from its start, so it may
    have finished before this thread comes to wait); its messages."""
    limit = timeout or DEFAULT_TIMEOUT
    try:
        err = proc.communicate(timeout=max(0.0, limit - (time.monotonic() - started)))[1]
        if time.monotonic() - started <= limit:
            return err
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
    raise PandocError(f"pandoc took longer than {limit:g} s ([build] pandoc_timeout)", timed_out=True)


YIELDING_NICENESS = 5
