"""Find the issue folder and load issue.toml into a validated Issue, with precise diagnostics."""
from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from . import project_rules as R
from .diagnostics.core import Diagnostic, make
from .identifiers import doi_problem, isbn_problem, issn_problem, orcid_problem, url_problem
from .model import Contribution, Issue, Location, Person

MANIFEST = "issue.toml"

ISSUE_KEYS = {
    "title": str, "subtitle": str, "journal": str, "series": str, "volume": (str, int), "number": (str, int),
    "year": int, "publisher": str, "place": str, "issn": str, "eissn": str, "isbn": str, "doi": str,
    "license": str, "language": str, "style": str, "bibliography": list, "url": str, "date": str,
    "edition": (str, int), "short_title": str,
}
PERSON_KEYS = {"name": str, "affiliation": str, "orcid": str, "email": str, "bio": str, "url": str}
CONTRIBUTION_KEYS = {
    "id": str, "file": str, "kind": str, "title": str, "short_title": str, "subtitle": str, "authors": list,
    "abstract": str, "keywords": list, "doi": str, "pages": (str, int),
}
TOP_LEVEL = {"issue", "editors", "contributions", "check", "citations", "bibliography", "crossrefs", "index",
             "build"}
KINDS = {"introduction", "article", "research-article", "review", "review-article", "book-review", "editorial",
         "commentary", "chapter", "conclusion", "afterword", "foreword", "preface", "correction", "other"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# limits on untrusted input, with what they measure (the defaults live where they are used)
BUILD_LIMITS = {"max_manuscript_mb": "megabytes", "pandoc_timeout": "seconds", "typst_timeout": "seconds"}
BIBLIOGRAPHY_LIMITS = {"max_mb": "megabytes"}
LIMIT_EXAMPLES = {"max_manuscript_mb": "50", "pandoc_timeout": "60", "typst_timeout": "120", "max_mb": "50"}


class ManifestError(Exception):
    """The manifest cannot be used: carries the diagnostics that say why (exit status 2)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` that holds issue.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MANIFEST).is_file():
            return folder
    return None


class KeyLines:
    """Line numbers of keys in the TOML source.

    tomllib returns plain dicts without positions, so this small scanner records where each table and key
    starts; it is enough for pointing a user at a line, not a TOML parser.
    """

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
    KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        counts: dict[str, int] = {}
        table: tuple = ()
        for n, line in enumerate(text.splitlines(), 1):
            m = self.HEADER.match(line)
            if m and not self.KEY.match(line):
                name = m.group(2).strip()
                if m.group(1) == "[[":
                    idx = counts.get(name, 0)
                    counts[name] = idx + 1
                    table = (*name.split("."), idx)
                    self.lines.setdefault(tuple(name.split(".")), n)  # the array itself starts at its first table
                else:
                    table = tuple(name.split("."))
                self.lines.setdefault(table, n)
                continue
            k = self.KEY.match(line)
            if k:
                self.lines.setdefault((*table, k.group(1).strip('"')), n)

    def line(self, *path: Any) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


class _Validator:
    def __init__(self, root: Path, text: str):
        self.root = root
        self.text = text
        self.lines = KeyLines(text)
        self.src_lines = text.splitlines()
        self.diags: list[Diagnostic] = []

    def loc(self, *path: Any) -> Location:
        return Location(MANIFEST, line=self.lines.line(*path) or 1, column=1)

    def report(self, code: str, message: str, *path: Any, excerpt: str | None = None, suggestion: str | None = None) -> None:
        loc = self.loc(*path)
        context = self.src_lines[loc.line - 1] if loc.line and loc.line <= len(self.src_lines) else None
        start = context.find(excerpt) if (context and excerpt) else None
        if start is not None and start >= 0:
            loc = Location(MANIFEST, line=loc.line, column=start + 1, end_line=loc.line,
                           end_column=start + 1 + len(excerpt))
        self.diags.append(make(code, message, loc, excerpt=excerpt, suggestion=suggestion, context=context,
                               context_start=start if start is not None and start >= 0 else None))

    # -- generic checks -------------------------------------------------------------------------------------
    def known_keys(self, table: dict, allowed: dict | set, *path: Any) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                where = ".".join(str(p) for p in path if not isinstance(p, int)) or "the top level"
                self.report(R.UNKNOWN_KEY.code, f"unknown key '{key}' in {where}", *path, key, excerpt=key,
                            suggestion=f"did you mean '{close[0]}'?" if close else
                            f"known keys: {', '.join(sorted(allowed))}")

    def typed(self, table: dict, spec: dict, *path: Any) -> dict:
        out = {}
        for key, value in table.items():
            want = spec.get(key)
            if want is None:
                continue
            if isinstance(value, bool) or not isinstance(value, want):
                names = " or ".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
                self.report(R.WRONG_TYPE.code, f"'{key}' should be {_a(_type_word(names))}, not {_describe(value)}",
                            *path, key, excerpt=key)
                continue
            out[key] = str(value) if want == (str, int) else value
        return out

    def required(self, table: dict, keys: list[str], what: str, *path: Any) -> bool:
        ok = True
        for key in keys:
            if key not in table:
                self.report(R.MISSING_FIELD.code, f"{what} has no '{key}'", *path,
                            suggestion=f"add {key} = \"...\"")
                ok = False
        return ok

    def path_inside(self, rel: str, *path: Any, must_exist: bool = True) -> str | None:
        """A manifest path, checked to stay inside the issue folder (also through symlinks)."""
        candidate = Path(rel)
        if candidate.is_absolute() or ".." in candidate.parts:
            self.report(R.OUTSIDE.code, f"'{rel}' leaves the issue folder", *path, excerpt=rel,
                        suggestion="give a path relative to the issue folder, below it")
            return None
        full = self.root / candidate
        try:
            resolved = full.resolve()
        except OSError:
            resolved = full
        if full.exists() and not resolved.is_relative_to(self.root.resolve()):
            self.report(R.OUTSIDE.code, f"'{rel}' is a link to a place outside the issue folder", *path,
                        excerpt=rel, suggestion="copy the file into the issue folder instead of linking to it")
            return None
        if must_exist and full.is_dir():
            self.report(R.MISSING_FILE.code, f"'{rel}' is a folder, not a manuscript file", *path, excerpt=rel,
                        suggestion="name the file inside it, e.g. 'papers/jones.docx'")
            return None
        if must_exist and not full.is_file():
            near = _nearby_file(self.root, candidate)
            self.report(R.MISSING_FILE.code, f"'{rel}' does not exist", *path, excerpt=rel,
                        suggestion=f"did you mean '{near}'?" if near else None)
            return None
        return candidate.as_posix()

    def identifiers(self, table: dict, *path: Any) -> None:
        checks = {"orcid": (R.BAD_ORCID, orcid_problem), "issn": (R.BAD_ISSN, issn_problem),
                  "eissn": (R.BAD_ISSN, issn_problem), "isbn": (R.BAD_ISBN, isbn_problem),
                  "doi": (R.BAD_DOI, doi_problem), "url": (R.BAD_VALUE, url_problem)}
        for key, (r, problem) in checks.items():
            value = table.get(key)
            if isinstance(value, str) and value and (why := problem(value)):
                self.report(r.code, f"{key} '{value}' is not valid: {why}", *path, key, excerpt=value)

    # -- the manifest ---------------------------------------------------------------------------------------
    def person(self, raw: Any, *path: Any) -> Person | None:
        if not isinstance(raw, dict):
            self.report(R.WRONG_TYPE.code, f"a person should be a table with a name, not {_describe(raw)}", *path)
            return None
        self.known_keys(raw, PERSON_KEYS, *path)
        data = self.typed(raw, PERSON_KEYS, *path)
        if not self.required(data, ["name"], "a person", *path):
            return None
        self.identifiers(data, *path)
        return Person(**data)

    def issue(self, raw: dict) -> Issue | None:
        self.known_keys(raw, TOP_LEVEL)
        meta_raw = raw.get("issue")
        if not isinstance(meta_raw, dict):
            self.report(R.MISSING_FIELD.code, "the manifest has no [issue] table", suggestion='add [issue] with title = "..."')
            return None
        self.known_keys(meta_raw, ISSUE_KEYS, "issue")
        meta = self.typed(meta_raw, ISSUE_KEYS, "issue")
        self.required(meta, ["title"], "[issue]", "issue")
        self.identifiers(meta, "issue")
        if "journal" in meta and "series" in meta:
            self.report(R.BAD_VALUE.code, "give either journal or series, not both", "issue", "series")
        globs = []
        for pattern in meta.pop("bibliography", ["bibliography/*.bib"]):
            if not isinstance(pattern, str):
                self.report(R.WRONG_TYPE.code, "bibliography entries should be strings (glob patterns)", "issue", "bibliography")
            elif Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                self.report(R.OUTSIDE.code, f"'{pattern}' leaves the issue folder", "issue", "bibliography", excerpt=pattern)
            else:
                globs.append(pattern)
        editors = []
        raw_editors = raw.get("editors", [])
        if not isinstance(raw_editors, list):
            self.report(R.WRONG_TYPE.code, "editors should be an array of tables ([[editors]])", "editors")
            raw_editors = []
        for i, e in enumerate(raw_editors):
            p = self.person(e, "editors", i)
            if p:
                editors.append(p)
        contributions = self.contributions(raw.get("contributions", []))
        if "title" not in meta:
            meta["title"] = ""
        if "year" in meta_raw and "year" in meta and not (1000 <= meta["year"] <= 9999):
            self.report(R.BAD_VALUE.code, f"year {meta['year']} is not a four-digit year", "issue", "year")
        tables = {k: raw.get(k, {}) for k in ("check", "citations", "bibliography", "build")}
        for k, v in tables.items():
            if not isinstance(v, dict):
                self.report(R.WRONG_TYPE.code, f"[{k}] should be a table", k)
                tables[k] = {}
        self.check_table(tables["check"])
        self.limits(tables["build"], "build", BUILD_LIMITS)
        self.limits(tables["bibliography"], "bibliography", BIBLIOGRAPHY_LIMITS)
        meta.pop("date", None)
        meta.pop("edition", None)
        meta.pop("eissn", None)
        return Issue(root=self.root, bibliography=globs, editors=editors, contributions=contributions,
                     check=tables["check"], citations=tables["citations"], bib=tables["bibliography"],
                     build=tables["build"], raw=raw, **meta)

    def limits(self, table: dict, name: str, spec: dict[str, str]) -> None:
        """Size limits and timeouts must be positive numbers; a wrong one is reported and dropped, so that the
        default applies and nothing later trips over it."""
        for key, what in spec.items():
            if key not in table:
                continue
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.report(R.WRONG_TYPE.code, f"'{key}' should be a number ({what}), not {_describe(value)}",
                            name, key, excerpt=key, suggestion=f"{key} = {LIMIT_EXAMPLES[key]}")
                del table[key]
            elif not value > 0 or value == float("inf"):
                self.report(R.BAD_VALUE.code, f"'{key}' should be more than 0 ({what}), not {value}", name, key,
                            excerpt=key, suggestion=f"{key} = {LIMIT_EXAMPLES[key]}")
                del table[key]

    def check_table(self, check: dict) -> None:
        """[check]: `ignore` lists codes or names; `severity` maps a code or name to error|warning|info|ignore."""
        from .diagnostics.registry import all_rules

        known = {r.code for r in all_rules()} | {r.name for r in all_rules()}
        self.known_keys(check, {"ignore": list, "severity": dict}, "check")
        ignore = check.get("ignore", [])
        severity = check.get("severity", {})
        if not isinstance(ignore, list):
            self.report(R.WRONG_TYPE.code, "'ignore' should be an array of codes or names", "check", "ignore")
            ignore = []
        if not isinstance(severity, dict):
            self.report(R.WRONG_TYPE.code, "'severity' should be a table: { code-or-name = level }", "check", "severity")
            severity = {}
        for code in [*ignore, *severity]:
            if isinstance(code, str) and code not in known and code.upper() not in known:
                close = difflib.get_close_matches(code, sorted(known), n=1)
                self.report(R.BAD_VALUE.code, f"no diagnostic '{code}'", "check", excerpt=code,
                            suggestion=f"did you mean '{close[0]}'?" if close else "`issue rules` lists them all")
        for code, level in severity.items():
            if level not in ("error", "warning", "info", "ignore", "off"):
                self.report(R.BAD_VALUE.code, f"severity '{level}' for {code} is not error, warning, info or ignore",
                            "check", "severity", excerpt=str(level))

    def contributions(self, raw: Any) -> list[Contribution]:
        if not isinstance(raw, list):
            self.report(R.WRONG_TYPE.code, "contributions should be an array of tables ([[contributions]])", "contributions")
            return []
        out: list[Contribution] = []
        seen: dict[str, int] = {}
        for i, c in enumerate(raw):
            path = ("contributions", i)
            if not isinstance(c, dict):
                self.report(R.WRONG_TYPE.code, "each contribution should be a table", *path)
                continue
            self.known_keys(c, CONTRIBUTION_KEYS, *path)
            data = self.typed(c, CONTRIBUTION_KEYS, *path)
            if not self.required(data, ["id", "file", "title"], f"contribution {i + 1}", *path):
                continue
            cid = data["id"]
            if not ID_RE.match(cid):
                self.report(R.BAD_VALUE.code, f"id '{cid}' should be lower-case letters, digits, '-' or '_'", *path, "id",
                            excerpt=cid, suggestion=f"id = \"{re.sub(r'[^a-z0-9_-]+', '-', cid.lower()).strip('-')}\"")
            if cid in seen:
                self.report(R.DUPLICATE_ID.code, f"contribution id '{cid}' is used twice (first at line "
                            f"{self.lines.line('contributions', seen[cid], 'id')})", *path, "id", excerpt=cid)
                continue
            seen[cid] = i
            kind = data.get("kind", "article")
            if kind not in KINDS:
                close = difflib.get_close_matches(kind, sorted(KINDS), n=1)
                self.report(R.BAD_VALUE.code, f"kind '{kind}' is not one of the known kinds", *path, "kind", excerpt=kind,
                            suggestion=f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(sorted(KINDS))}")
            file = self.path_inside(data["file"], *path, "file")
            self.identifiers(data, *path)
            authors = []
            for j, a in enumerate(data.get("authors", [])):
                p = self.person(a, *path, "authors")
                if p:
                    authors.append(p)
            keywords = [k for k in data.get("keywords", []) if isinstance(k, str)]
            unusable = file is None  # missing, or outside the issue folder: never read
            out.append(Contribution(id=cid, file=file or data["file"], title=data["title"], kind=kind, authors=authors,
                                    abstract=data.get("abstract"), keywords=keywords, doi=data.get("doi"),
                                    pages=data.get("pages"), short_title=data.get("short_title"), unusable=unusable))
        return out


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"{type(value).__name__} {value!r}"


def _type_word(names: str) -> str:
    return names.replace("str", "string").replace("int", "whole number").replace("list", "array").replace("dict", "table")


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _nearby_file(root: Path, rel: Path) -> str | None:
    folder = root / rel.parent
    if not folder.is_dir():
        return None
    names = [p.name for p in folder.iterdir() if p.is_file()]
    close = difflib.get_close_matches(rel.name, names, n=1, cutoff=0.6)
    return (rel.parent / close[0]).as_posix() if close else None


def load_issue(root: Path) -> tuple[Issue, list[Diagnostic]]:
    """Read and validate root/issue.toml. Raises ManifestError when it cannot be used at all."""
    path = root / MANIFEST
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise ManifestError([make(R.NO_MANIFEST.code, f"no {MANIFEST} in {root}", Location(MANIFEST),
                                  suggestion="run `issue init DIR` to start an issue, or pass --project DIR")])
    except UnicodeDecodeError as exc:
        raise ManifestError([make(R.TOML_SYNTAX.code, f"issue.toml is not UTF-8 (byte {exc.start})", Location(MANIFEST),
                                  suggestion="save issue.toml as UTF-8")])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        lines = text.splitlines()
        context = lines[line - 1] if line and line <= len(lines) else None
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        excerpt = context[col - 1:].strip() or context if context and col else None
        raise ManifestError([make(R.TOML_SYNTAX.code, f"TOML syntax: {message}", Location(MANIFEST, line=line, column=col),
                                  excerpt=excerpt, context=context,
                                  context_start=(col - 1) if context and col and col - 1 < len(context) else None)])
    v = _Validator(root.resolve(), text)
    issue = v.issue(raw)
    if issue is None:
        raise ManifestError(v.diags)
    return issue, v.diags
