"""The project's scripts (benchmarks, a gold set's build.py) loaded as modules, for the tests that use them."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_script(name: str, path: Path) -> ModuleType:
    """The script at `path` as module `name`, registered in sys.modules (dataclasses look their module up
    there); a module already loaded under that name is reused."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
