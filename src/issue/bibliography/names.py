"""Name lists of author/editor fields: BibTeX's von/last/jr/first rules via bibtexparser's splitter.

bibtexparser implements BibTeX's own algorithm (the one `bibtex` uses for {vv~}{ll}{, jj}{, ff}), including
protected braces; this module decodes the parts to Unicode, recognises corporate names in double braces and
"and others", and notes problems a citation would trip on.
"""
from __future__ import annotations

import re

from bibtexparser.middlewares.names import (InvalidNameError, parse_single_name_into_parts,
                                            split_multiple_persons_names)

from .latex import decode
from .model import Name

# words that make an unbraced multi-word "name" look like an organisation
_ORG_WORDS = {
    "nations", "organization", "organisation", "council", "department", "ministry", "office", "bank", "institute",
    "agency", "commission", "secretariat", "group", "committee", "fund", "programme", "program", "association",
    "union", "forum", "centre", "center", "foundation", "government", "bureau", "assembly", "parliament",
    "international", "watch", "crisis", "red", "cross", "service", "services", "corporation", "society",
    "authority", "network", "alliance", "federation", "board", "unit", "affairs", "defence", "defense",
}


_WORDS = re.compile(r"[A-Za-z]+")


def parse_names(latex: str) -> tuple[list[Name], bool, list[str]]:
    """(names, 'and others' present, problems) of an author or editor field written in LaTeX."""
    names: list[Name] = []
    problems: list[str] = []
    others = False
    text = latex.strip()
    if not text:
        return names, others, problems
    for part in split_multiple_persons_names(text):
        part = part.strip()
        if not part:
            problems.append("an empty name between two 'and's")
            continue
        if part.lower() == "others":
            others = True
            continue
        if part.startswith("{") and part.endswith("}") and _one_group(part):
            names.append(Name(last=decode(part[1:-1]), corporate=True, raw=part))
            continue
        try:
            parts = parse_single_name_into_parts(part, strict=True)
        except InvalidNameError as exc:
            problems.append(_explain(part, exc.reason))
            names.append(Name(last=decode(part), raw=part))
            continue
        name = Name(first=decode(" ".join(parts.first)), von=decode(" ".join(parts.von)),
                    last=decode(" ".join(parts.last)), jr=decode(" ".join(parts.jr)), raw=part)
        if not name.last:
            problems.append(f"the name '{decode(part)}' has no last name")
        elif _looks_corporate(part):
            problems.append(f"'{decode(part)}' looks like an organisation but is split into first and last name "
                            f"({name.last}, {name.first}); write it in double braces: {{{{{part}}}}}")
        names.append(name)
    return names, others, problems


def _one_group(text: str) -> bool:
    """Whether the opening brace at 0 closes at the very end ({United Nations}, not {A} and {B})."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return depth == 0


def _looks_corporate(part: str) -> bool:
    if "," in part or "{" in part:
        return False
    words = _WORDS.findall(part)
    if len(words) < 2 or _ORG_WORDS.isdisjoint(w.lower() for w in words[1:]):
        return False
    return sum(w[0].isupper() for w in words) >= 2


def _explain(part: str, reason: str) -> str:
    if "comma" in reason.lower() and part.rstrip().endswith(","):
        return f"the name '{decode(part)}' ends with a comma; delete it (or add the missing name after 'and')"
    if "comma" in reason.lower():
        return (f"'{decode(part)}' has too many commas for one name; separate names with 'and' "
                f"(Last, First and Last, First)")
    return f"the name '{decode(part)}' cannot be split: {reason}"
