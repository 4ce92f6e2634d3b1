"""Manuscripts: one document model for every input format (see document.py), read by readers.py."""
from .document import Block, Document, MarkupCite, Segment
from .readers import ReadError, read_manuscript

__all__ = ["Block", "Document", "MarkupCite", "Segment", "ReadError", "read_manuscript"]
