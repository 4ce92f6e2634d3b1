"""The shared bibliography: load the issue's .bib files, check them (B1xx), merge, format and export them.

The names below are imported on first use (PEP 562), so that reading the rule declarations (bibliography.rules,
which every run does) does not load the BibTeX parser.
"""
from __future__ import annotations

from typing import Any

_LAZY = {"load_bibliography": ".load", "load_text": ".load", "Bibliography": ".model", "Entry": ".model",
         "Name": ".model"}

__all__ = ["load_bibliography", "load_text", "Bibliography", "Entry", "Name"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
