"""The repository's demo issue copied into a test's folder (the repository itself is never built in)."""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_PARTS = ("issue.toml", "papers", "bibliography", "concepts.toml", "templates")


def copy_demo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in DEMO_PARTS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.is_file():
            shutil.copy(src, root / name)
    return root
