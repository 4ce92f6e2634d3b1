""""How to cite": the issue and each contribution as CSL-JSON (to be rendered in the issue's style), BibTeX and RIS.

These records describe the issue itself, from the manifest, not entries of the shared bibliography. BibTeX is
written with pybtex; RIS is a line format of a dozen tags, written here.
"""
from __future__ import annotations

from typing import Any

from .context import ContributionView, IssueMeta, IssueModel, PersonView

ISSUE_ID = "this-issue"


def _name(p: PersonView) -> dict[str, str]:
    given = p.name[: len(p.name) - len(p.surname)].strip().rstrip(",") if p.name.endswith(p.surname) else ""
    return {"family": p.surname, "given": given} if given else {"literal": p.name}


def _full_title(meta: IssueMeta) -> str:
    """Title and subtitle: "Animosity? East Asia ..." after a question mark, "Title: Subtitle" otherwise."""
    if not meta.subtitle:
        return meta.title
    return f"{meta.title} {meta.subtitle}" if meta.title.rstrip().endswith(("?", "!")) else f"{meta.title}: {meta.subtitle}"


def _is_journal(meta: IssueMeta) -> bool:
    return bool(meta.journal)


def csl_issue(model: IssueModel) -> dict[str, Any]:
    meta = model.issue
    item: dict[str, Any] = {"id": ISSUE_ID, "title": _full_title(meta)}
    if model.editors:
        item["editor"] = [_name(e) for e in model.editors]
    if meta.year:
        item["issued"] = {"date-parts": [[meta.year]]}
    if _is_journal(meta):
        # a special issue is cited as the issue of its journal, edited by its guest editors
        item.update({"type": "periodical", "container-title": meta.journal})
        if meta.volume:
            item["volume"] = meta.volume
        if meta.number:
            item["issue"] = meta.number
    else:
        item.update({"type": "book", "collection-title": meta.series} if meta.series else {"type": "book"})
    for key, value in (("publisher", meta.publisher), ("publisher-place", meta.place), ("DOI", meta.doi),
                       ("ISSN", meta.issn), ("ISBN", meta.isbn), ("URL", meta.url)):
        if value:
            item[key] = value
    return item


def csl_contribution(model: IssueModel, c: ContributionView) -> dict[str, Any]:
    meta = model.issue
    item: dict[str, Any] = {"id": f"{ISSUE_ID}-{c.id}", "title": c.title}
    if c.authors:
        item["author"] = [_name(a) for a in c.authors]
    if meta.year:
        item["issued"] = {"date-parts": [[meta.year]]}
    if _is_journal(meta):
        item.update({"type": "article-journal", "container-title": meta.journal})
        if meta.volume:
            item["volume"] = meta.volume
        if meta.number:
            item["issue"] = meta.number
    else:
        item.update({"type": "chapter", "container-title": meta.title})
        if model.editors:
            item["editor"] = [_name(e) for e in model.editors]
        if meta.publisher:
            item["publisher"] = meta.publisher
        if meta.place:
            item["publisher-place"] = meta.place
    if c.pages:
        item["page"] = f"{c.first_page}–{c.last_page}" if c.first_page != c.last_page else c.first_page
    if c.doi:
        item["DOI"] = c.doi
    return item


def bibtex(model: IssueModel, c: ContributionView | None = None) -> str:
    """A BibTeX record of the issue (c=None) or of one contribution.

    Written here rather than with pybtex: a dozen known fields, and pybtex's import and writer cost a tenth of
    a second on every build, which is a third of the budget of a build with nothing changed."""
    meta = model.issue
    fields: list[tuple[str, str]] = []
    if c is None:
        key = _bib_key(model.editors, meta.year, meta.title)
        kind = "book"  # BibTeX has no type for an issue of a journal: an edited book in the journal's series
        fields.append(("editor", " and ".join(e.name for e in model.editors)))
        fields.append(("title", _full_title(meta)))
        if meta.journal:
            fields.append(("series", meta.journal))
    else:
        key = _bib_key(c.authors, meta.year, c.title)
        kind = "article" if meta.journal else "incollection"
        fields.append(("author", " and ".join(a.name for a in c.authors)))
        fields.append(("title", c.title))
        if meta.journal:
            fields.append(("journal", meta.journal))
        else:
            fields.append(("booktitle", meta.title))
            fields.append(("editor", " and ".join(e.name for e in model.editors)))
        if c.pages:
            fields.append(("pages", f"{c.first_page}--{c.last_page}" if c.first_page != c.last_page else c.first_page or ""))
        if c.doi:
            fields.append(("doi", c.doi))
    for name, value in (("volume", meta.volume), ("number", meta.number), ("year", str(meta.year) if meta.year else None),
                        ("publisher", meta.publisher), ("address", meta.place),
                        ("issn", meta.issn), ("isbn", meta.isbn)):
        if value:
            fields.append((name, value))
    if c is None and meta.doi:
        fields.append(("doi", meta.doi))
    body = ",\n".join(f"  {name:<9} = {{{_tex(value, name)}}}" for name, value in fields if value)
    return f"@{kind}{{{key},\n{body}\n}}\n"


_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex(value: str, name: str) -> str:
    """A field value safe inside braces: LaTeX's special characters escaped (not in DOIs, which are verbatim)."""
    value = " ".join(str(value).split())
    if name == "doi":
        return value.replace("{", "").replace("}", "")
    return "".join(_TEX.get(ch, ch) for ch in value)


STOP_WORDS = {"a", "an", "the", "of", "on", "in", "and", "to", "for"}


def _bib_key(people: list[PersonView], year: int | None, title: str) -> str:
    """Better BibTeX's habit: surname, year, first significant word of the title ("cook2020conceptualising")."""
    from ..names import fold

    def word(text: str) -> str:
        return "".join(ch for ch in fold(text) if ch.isalnum())

    surname = word(people[0].surname) if people else ""
    first = next((word(w) for w in title.split() if word(w) and word(w) not in STOP_WORDS), "")
    return f"{surname}{year or ''}{first}" or "issue"


def ris(model: IssueModel, c: ContributionView | None = None) -> str:
    """An RIS record of the issue (c=None) or of one contribution."""
    meta = model.issue
    lines: list[tuple[str, str]] = []
    if c is None:
        lines.append(("TY", "EDBOOK" if not meta.journal else "JFULL"))
        lines += [("ED", e.name) for e in model.editors]
        lines.append(("TI", _full_title(meta)))
        if meta.journal:
            lines.append(("T2", meta.journal))
        if meta.doi:
            lines.append(("DO", meta.doi))
    else:
        lines.append(("TY", "JOUR" if meta.journal else "CHAP"))
        lines += [("AU", a.name) for a in c.authors]
        lines.append(("TI", c.title))
        lines.append(("T2", meta.journal or meta.title))
        if not meta.journal:
            lines += [("ED", e.name) for e in model.editors]
        if c.first_page:
            lines.append(("SP", c.first_page))
        if c.last_page and c.last_page != c.first_page:
            lines.append(("EP", c.last_page))
        if c.doi:
            lines.append(("DO", c.doi))
        lines += [("KW", k) for k in c.keywords]
    for tag, value in (("VL", meta.volume), ("IS", meta.number), ("PY", str(meta.year) if meta.year else None),
                       ("PB", meta.publisher), ("CY", meta.place), ("SN", meta.issn or meta.isbn)):
        if value:
            lines.append((tag, value))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)
