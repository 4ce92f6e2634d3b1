"""The shared bibliography: load the issue's .bib files, check them (B1xx), merge, format and export them."""
from .load import load_bibliography, load_text
from .model import Bibliography, Entry, Name

__all__ = ["load_bibliography", "load_text", "Bibliography", "Entry", "Name"]
