"""Small helpers on personal names shared by the manifest, citations and cross-references."""
from __future__ import annotations

import unicodedata

PARTICLES = {"de", "van", "von", "der", "den", "du", "da", "di", "del", "della", "la", "le", "ter", "ten", "bin", "al"}


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: 'Stéphanie' -> 'stephanie'."""
    if text.isascii():  # nothing to decompose (most names; this is asked hundreds of thousands of times)
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def surname_of(name: str) -> str:
    """The surname of a display name: 'Alistair D. B. Cook' -> 'Cook', 'Cedric de Coning' -> 'de Coning',
    'Jones, Catherine' -> 'Jones'."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    if not parts:
        return ""
    # keep lower-case particles that precede the last word ("de Coning", "van der Pijl")
    i = len(parts) - 1
    while i > 0 and parts[i - 1] in PARTICLES:
        i -= 1
    return " ".join(parts[i:])
