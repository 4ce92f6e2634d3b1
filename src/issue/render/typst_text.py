"""Escaping for Typst: what the front-matter templates use to put the manifest's text into Typst markup.

Typst gives meaning to many characters in markup (# starts code, * strong, _ emphasis, < > labels, @ references,
$ maths, = headings, - and + lists, / term lists and comments, ~ non-breaking space, \\ escapes). Every one of them
is escaped with a backslash, which Typst accepts before any character, so that a title such as "Q&A #1: *not*
code" prints as written and can never run code. No library escapes Typst, so it is written here.
"""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

# characters with a meaning in Typst markup; quotes stay (Typst turns them into typographic quotes)
_SPECIAL = re.compile(r"([\\#$*_`<>@\[\]=\-+/~.:])")
_SPACE = re.compile(r"\s+")


class TypstCode(str):
    """Typst produced by the writer itself (pandoc's output, rendered templates): inserted as it is."""

    def __html__(self) -> str:  # so that Jinja's Markup-aware code treats it as safe
        return str(self)


def escape(value: Any) -> TypstCode:
    """Text -> Typst markup that prints exactly that text (line breaks become spaces)."""
    if isinstance(value, TypstCode):
        return value
    if value is None:
        return TypstCode("")
    text = _SPACE.sub(" ", str(value))
    return TypstCode(_SPECIAL.sub(r"\\\1", text))


def string(value: Any) -> TypstCode:
    """Text -> a Typst string literal ("..."), for arguments in code: document(title: ...), metadata(...)."""
    text = "" if value is None else _SPACE.sub(" ", str(value))
    return TypstCode('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def label(ident: str) -> TypstCode:
    """A Typst label for an id made of safe characters (see print_prep.safe_id)."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]*", ident or ""):
        raise ValueError(f"not a safe label: {ident!r}")
    return TypstCode(f"<{ident}>")


def finalize(value: Any) -> Any:
    """The environment's finalize: whatever a template prints is escaped unless it is TypstCode already."""
    if isinstance(value, (TypstCode, Markup)):
        return str(value)
    return escape(value)


def register(env) -> None:
    """Add the Typst filters to a template environment: `{{ x | typst }}` (markup), `{{ x | typst_str }}` (a
    string literal) and `{{ id | typst_label }}`. Writer-made Typst reaches templates as TypstCode values; there
    is deliberately no filter that turns text into code."""
    env.filters["typst"] = escape
    env.filters["typst_str"] = string
    env.filters["typst_label"] = label
