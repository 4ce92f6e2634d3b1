"""`issue init`: a small working issue folder (two papers, a bibliography, a vocabulary) to start from."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def scaffold(target: Path) -> list[Path]:
    files = resources.files(__package__) / "files"
    written: list[Path] = []

    def copy(node, dest: Path) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            out = dest / child.name.replace("dot-", ".", 1)
            if child.is_dir():
                copy(child, out)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(child.read_bytes())
                written.append(out)

    target.mkdir(parents=True, exist_ok=True)
    copy(files, target)
    return written
