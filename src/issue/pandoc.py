"""Run the pandoc that pypandoc-binary bundles: one place for the binary, the sandbox and the timeout."""
from __future__ import annotations

import functools
import os
import subprocess

DEFAULT_TIMEOUT = 60.0


class PandocError(Exception):
    pass


@functools.lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.lru_cache(maxsize=1)
def pandoc_version() -> str:
    import pypandoc

    return pypandoc.get_pandoc_version()


def run(args: list[str], input: bytes | None = None, timeout: float | None = None, cwd: str | None = None,
        source_date_epoch: int | None = None) -> bytes:
    """pandoc ARGS with --sandbox (no file or network access beyond its inputs); returns stdout.
    `source_date_epoch` fixes the dates pandoc stamps into EPUB and DOCX files (else SOURCE_DATE_EPOCH or now)."""
    cmd = [pandoc_path(), "--sandbox", *args]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "SOURCE_DATE_EPOCH", "TMPDIR")}
    if source_date_epoch is not None and "SOURCE_DATE_EPOCH" not in env:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout or DEFAULT_TIMEOUT, cwd=cwd, env=env)
    except subprocess.TimeoutExpired:
        raise PandocError(f"pandoc took longer than {timeout or DEFAULT_TIMEOUT:.0f} s")
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PandocError(message[-1] if message else f"pandoc failed with status {proc.returncode}")
    return proc.stdout
