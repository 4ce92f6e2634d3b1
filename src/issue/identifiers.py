"""Check digits and syntax of the identifiers editors type: ORCID, ISSN, ISBN-10/13, DOI, URL.

Written by hand because each is a few lines of arithmetic; the libraries that do it pull in far more.
"""
from __future__ import annotations

import re

DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s]+$")
ORCID_RE = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def normalise_doi(doi: str) -> str:
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    return doi


def doi_problem(doi: str) -> str | None:
    if not DOI_RE.match(normalise_doi(doi)):
        return "a DOI starts with '10.', a registrant number of 4-9 digits, '/', then a suffix without spaces"
    return None


def orcid_problem(orcid: str) -> str | None:
    m = ORCID_RE.match(orcid.strip())
    if not m:
        return "an ORCID iD has the form 0000-0002-1825-0097"
    digits = m.group(1).replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        return f"the check digit should be {expected}"
    return None


def issn_problem(issn: str) -> str | None:
    s = issn.strip().upper().replace("-", "")
    if not re.fullmatch(r"\d{7}[\dX]", s):
        return "an ISSN has eight characters, e.g. 1035-7718"
    total = sum(int(ch) * w for ch, w in zip(s[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if s[-1] != expected:
        return f"the check digit should be {expected}"
    return None


def isbn_problem(isbn: str) -> str | None:
    s = isbn.strip().upper().replace("-", "").replace(" ", "")
    if re.fullmatch(r"\d{9}[\dX]", s):
        total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(s))
        if total % 11:
            expected = (11 - sum((10 - i) * int(ch) for i, ch in enumerate(s[:9])) % 11) % 11
            return f"the ISBN-10 check digit should be {'X' if expected == 10 else expected}"
        return None
    if re.fullmatch(r"\d{13}", s):
        total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(s[:12]))
        expected = (10 - total % 10) % 10
        if int(s[-1]) != expected:
            return f"the ISBN-13 check digit should be {expected}"
        return None
    return "an ISBN has 10 or 13 digits"


def url_problem(url: str) -> str | None:
    return None if URL_RE.match(url.strip()) else "a URL starts with http:// or https:// and has no spaces"
