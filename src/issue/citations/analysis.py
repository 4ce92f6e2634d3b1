"""The citation analysis of `issue check`: extract every citation of every manuscript, resolve it against the
shared bibliography, and report the C2xx findings. Records: every Citation (for --format json, the citation
report page, `issue refs cited`, and the cross-reference analysis that runs next)."""
from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter, defaultdict
from typing import Any

from ..diagnostics.core import Diagnostic, make
from ..manuscripts.document import Block, Document
from ..model import Location
from ..pipeline import AnalysisResult, Context
from . import markup, rules as R
from .model import Citation
from .prose import PAGE_UNIT, RUNNING_CUE, Context as GrammarContext, Found, ProseParser, page_numbers
from .resolve import Resolver, norm

LOCATOR_STYLES = (", 246", ": 246", ", p. 246")
UNUSED_LEVELS = ("error", "warning", "info", "off")
OPTION_KEYS = ("et_al_min", "locator_style", "aliases", "unused_entry")
PAGED_TYPES = {"article", "incollection", "inproceedings", "inbook", "chapter", "suppbook", "suppcollection",
               "suppperiodical", "conference"}


# -- options ----------------------------------------------------------------------------------------------------
def options(issue: Any) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The [citations] table with defaults, and M1xx findings for values out of range."""
    from ..project_rules import BAD_VALUE, UNKNOWN_KEY, WRONG_TYPE

    raw = dict(getattr(issue, "citations", None) or {})
    diags: list[Diagnostic] = []
    where = _manifest_location(issue)

    def bad(code: str, key: str, message: str, suggestion: str | None = None) -> None:
        diags.append(make(code, message, where(key), excerpt=f"{key} = {raw.get(key)!r}", suggestion=suggestion))

    out: dict[str, Any] = {"et_al_min": 4, "locator_style": ", 246", "aliases": {}, "unused_entry": "warning"}
    for key in raw:
        if key not in OPTION_KEYS:
            near = difflib.get_close_matches(key, OPTION_KEYS, n=1)
            bad(UNKNOWN_KEY.code, key, f"[citations] has no option '{key}'",
                f"did you mean '{near[0]}'?" if near else "options: " + ", ".join(OPTION_KEYS))
    v = raw.get("et_al_min", 4)
    if isinstance(v, bool) or not isinstance(v, int) or v < 2:
        bad(BAD_VALUE.code, "et_al_min", "[citations] et_al_min must be a whole number of authors, 2 or more",
            "et_al_min = 4   (Chicago author-date)")
    else:
        out["et_al_min"] = v
    v = raw.get("locator_style", ", 246")
    if v not in LOCATOR_STYLES:
        bad(BAD_VALUE.code, "locator_style", f"[citations] locator_style must be one of "
            + ", ".join(f'"{s}"' for s in LOCATOR_STYLES), 'locator_style = ", 246"   (Chicago author-date)')
    else:
        out["locator_style"] = v
    v = raw.get("unused_entry", "warning")
    if v not in UNUSED_LEVELS:
        bad(BAD_VALUE.code, "unused_entry", "[citations] unused_entry must be one of "
            + ", ".join(f'"{s}"' for s in UNUSED_LEVELS), 'unused_entry = "off"   (for a draft)')
    else:
        out["unused_entry"] = v
    v = raw.get("aliases", {})
    if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(t, str) for k, t in v.items()):
        bad(WRONG_TYPE.code, "aliases", "[citations] aliases must map names to entry keys or author names",
            'aliases = { "HIPPO" = "hippo2015uniting" }')
    else:
        out["aliases"] = v
    return out, diags


def _manifest_location(issue: Any):
    lines: list[str] = []
    try:
        lines = (issue.root / "issue.toml").read_text(encoding="utf-8").split("\n")
    except (OSError, AttributeError, UnicodeDecodeError):
        pass

    def where(key: str) -> Location:
        in_table = False
        for n, line in enumerate(lines, 1):
            s = line.strip()
            if s.startswith("["):
                in_table = s.startswith("[citations")
            if in_table and re.match(rf"{re.escape(key)}\s*=", s):
                return Location("issue.toml", line=n, column=line.find(key) + 1)
        return Location("issue.toml")

    return where


# -- extraction -------------------------------------------------------------------------------------------------
def _emphasis(doc: Document, block: Block) -> list[tuple[int, int]]:
    """The text ranges of a block that are in italics (titles), from the pandoc AST. Most words of a paragraph
    share the path of their container: whether that path passes through an Emph is decided once per container."""
    if doc.ast is None or not block.segments:
        return []
    out: list[tuple[int, int]] = []
    within: dict[tuple, bool] = {}  # a container's path -> whether an Emph lies on the way to it
    for seg in block.segments:
        if not seg.path:
            continue
        parent = seg.path[:-1]
        emph = within.get(parent)
        if emph is None:
            emph = within[parent] = _through_emph(doc.ast, parent)
        if emph:
            out.append((seg.start, seg.end))
    return out


def _through_emph(ast: Any, path: tuple) -> bool:
    node: Any = ast
    try:
        for step in path:
            node = node[step]
            if isinstance(node, dict) and node.get("t") == "Emph":
                return True
    except (KeyError, IndexError, TypeError):
        return False
    return False


def _masked(block: Block) -> str:
    """The block's text with markup citations blanked, so that prose parsing cannot read into them."""
    text = block.text
    if not block.cites:
        return text
    chars = list(text)
    for c in block.cites:
        for i in range(c.start, min(c.end, len(chars))):
            chars[i] = "\x00"
    return "".join(chars)


def extract(ctx: Context, resolver: Resolver | None) -> list[tuple[Citation, Block, Found | None]]:
    """Every citation of every manuscript, in reading order, with its block and (prose) what the grammar found."""
    counter = [0]

    def next_group() -> int:
        counter[0] += 1
        return counter[0]

    known = resolver.known_surname if resolver is not None else (lambda w: False)
    max_year = int(ctx.issue.year) + 2 if ctx.issue.year else 2100

    asked: dict[tuple, bool] = {}

    def resolves(authors: list[str], year: str) -> bool:
        if resolver is None:
            return False
        if (tuple(authors), year) in asked:
            return asked[(tuple(authors), year)]
        probe = Citation(file="", contribution="", block=0, start=0, end=0, location=Location(""), text="",
                         form="narrative", authors=authors, year=year, author_text=" and ".join(authors))
        res = resolver.resolve(probe)
        asked[(tuple(authors), year)] = bool(res.key and res.year_ok)
        return asked[(tuple(authors), year)]

    out: list[tuple[Citation, Block, Found | None]] = []
    for cid, doc in _documents(ctx):
        for block in doc.blocks:
            if not block.is_body:
                continue
            is_key = resolver.by_key.__contains__ if resolver is not None else None  # '@fig-x': a key or a figure?
            out.extend((c, block, None) for c in markup.extract(doc, block, cid, next_group, is_key))
            text = _masked(block)
            note = block.kind == "note" or block.section == "notes"
            if "(" not in text and not note and not RUNNING_CUE.search(text):  # "cited in Smith 2001" needs none
                continue
            ranges = _emphasis(doc, block)
            starts = [r[0] for r in ranges]

            def emphasised(offset: int, ranges=ranges, starts=starts) -> bool:
                i = bisect.bisect_right(starts, offset) - 1
                return i >= 0 and ranges[i][0] <= offset < ranges[i][1]

            parser = ProseParser(GrammarContext(known_surname=known, emphasised=emphasised, resolves=resolves,
                                                max_year=max_year))
            groups: dict[int, int] = {}
            for f in parser.parse(text, note=note):
                if f.group not in groups:
                    groups[f.group] = next_group()
                out.append((_citation(doc, block, cid, f, groups[f.group]), block, f))
    rank = {c.id: i for i, c in enumerate(ctx.issue.contributions)}
    out.sort(key=lambda t: (rank.get(t[0].contribution, len(rank)), t[0].contribution, t[1].note is not None,
                            t[1].note or 0, t[1].index, t[0].start))
    return out


def _documents(ctx: Context) -> list[tuple[str, Document]]:
    order = [c.id for c in ctx.issue.contributions if c.id in ctx.documents]
    order += sorted(k for k in ctx.documents if k not in order)
    return [(cid, ctx.documents[cid]) for cid in order]


def _plain(text: str | None) -> str | None:
    return text.replace("\u00a0", " ") if text else text


def _citation(doc: Document, block: Block, cid: str, f: Found, group: int) -> Citation:
    f.locator, f.prefix, f.postnote, f.original = _plain(f.locator), _plain(f.prefix), _plain(f.postnote), _plain(
        f.original)
    f.authors = [_plain(a) for a in f.authors]
    f.author_text = _plain(f.author_text) or ""
    c = Citation(file=doc.file, contribution=cid, block=block.index, start=f.start, end=f.end,
                 location=doc.location(block, f.start, f.end), text=block.text[f.start:f.end], form=f.form,
                 authors=f.authors, et_al=f.et_al, year=f.year, suffix=f.suffix, locator=f.locator,
                 locator_sep=f.locator_sep, prefix=f.prefix, postnote=f.postnote, group=group, original=f.original,
                 note_number=block.note if block.kind == "note" else None, author_text=f.author_text,
                 author_span=f.author_span)
    return c


# -- the analysis -----------------------------------------------------------------------------------------------
_NEW = object()


def resolver_for(ctx: Context, opts: dict[str, Any]) -> Resolver | None:
    """The Resolver of the context's bibliography (None when there is no .bib file at all)."""
    bib = ctx.bibliography
    if bib is not None and not getattr(bib, "entries", None) and not getattr(bib, "files", None):
        return None  # no .bib file at all (reported by the bibliography analysis): nothing to resolve against
    return Resolver(bib, opts, ctx.issue) if bib is not None else None


def analyse(ctx: Context, *, resolver: Any = _NEW, whole_issue: bool = True) -> AnalysisResult:
    """The citations of the manuscripts in `ctx`, resolved, with their findings.

    The incremental pipeline (issue.citations_by_document) calls it manuscript by manuscript with
    `whole_issue=False`, which leaves out the rules that need every manuscript (`inconsistent`, `unused`; it
    runs them itself on the whole issue), with a `resolver` built once (resolver_for: about half a second for
    10,000 entries)."""
    opts, diags = options(ctx.issue)
    if resolver is _NEW:
        resolver = resolver_for(ctx, opts)
    found = extract(ctx, resolver)
    problems: dict[int, list[tuple[str, str, str]]] = {}
    blocks: dict[int, Block] = {}
    kept: list[Citation] = []
    for c, block, f in found:
        blocks[id(c)] = block
        weak, continued = (f.weak, f.continued) if f is not None else (False, False)
        if resolver is None:
            if weak or continued:
                continue
            kept.append(c)
            continue
        res = resolver.resolve_key(c.written_key) if c.form == "markup" else resolver.resolve(c)
        if weak and not res.author_match and not res.crossref:
            continue  # "(March 2011)", "The Asian Financial Crisis (1997)": not a citation after all
        if continued and not (res.key and res.year_ok and not res.problems):
            continue  # "(1989)" after "Keohane (1984)": only when it means a Keohane 1989 that exists
        c.key, c.candidates, c.crossref = res.key, res.candidates, res.crossref
        problems[id(c)] = list(res.problems)
        kept.append(c)
    cites = kept
    docs = dict(_documents(ctx))
    if resolver is not None:
        _locator_ranges(cites, resolver, problems)
        _repeated(cites, resolver, problems)
        if whole_issue:
            _inconsistent(cites, resolver, problems)
    _locator_style(cites, opts["locator_style"], problems)
    for c in cites:
        doc = docs[c.contribution]
        block = blocks[id(c)]
        for name, message, suggestion in problems.get(id(c), []):
            code = _CODES[name]
            c.findings.append(code)
            diags.append(doc.diagnostic_at(code, message, block, c.start, c.end, suggestion=suggestion or None))
    if whole_issue and resolver is not None and opts["unused_entry"] != "off":
        diags.extend(_unused(ctx, cites, resolver, opts["unused_entry"]))
    return AnalysisResult(records=cites, diagnostics=diags, extra={"resolver": resolver, "options": opts,
                                                                    "cited": cited_table(cites)})


_CODES = {r.name: r.code for r in (R.UNDEFINED, R.SPELLING, R.ORDER, R.AUTHOR_LIST, R.YEAR, R.AMBIGUOUS, R.REPEATED,
                                   R.LOCATOR_RANGE, R.LOCATOR_STYLE, R.UNUSED, R.SECONDARY, R.INCONSISTENT)}


# -- rules on more than one citation ----------------------------------------------------------------------------
def _locator_ranges(cites: list[Citation], resolver: Resolver, problems: dict) -> None:
    for c in cites:
        if not c.key or not c.locator:
            continue
        w = resolver.by_key.get(c.key)
        if w is None or w.pages is None or str(getattr(w.entry, "type", "")).lower() not in PAGED_TYPES:
            continue
        pages = page_numbers(c.locator)
        if not pages:
            continue
        lo, hi = w.pages
        outside = [p for p in pages if not lo <= p <= hi]
        if outside:
            problems.setdefault(id(c), []).append((
                "locator-out-of-range", f"page {outside[0]} is outside {c.key}, which runs from page {lo} to {hi}",
                f"check the page against the {w.entry.type} (pp. {lo}–{hi})"))


def _repeated(cites: list[Citation], resolver: Resolver, problems: dict) -> None:
    groups: dict[int, list[Citation]] = defaultdict(list)
    for c in cites:
        if c.key:
            groups[c.group].append(c)
    for items in groups.values():
        seen: dict[str, Citation] = {}
        for c in items:
            work = resolver.by_key[c.key].work if c.key in resolver.by_key else c.key
            if work in seen:
                first = seen[work]
                locs = ", ".join(x for x in (first.locator, c.locator) if x)
                problems.setdefault(id(c), []).append((
                    "repeated-citation", f"{c.key} is cited twice in one group (first as '{first.text}')",
                    f"cite it once: '{first.label()}{', ' + locs if locs else ''}'"))
            else:
                seen[work] = c


def _signature(c: Citation) -> str:
    """How a prose citation names its authors, given names and '&' versus 'and' aside: 'keohane|nye'."""
    return "|".join(norm(a.split()[-1]) for a in c.authors if a.split()) + ("+etal" if c.et_al else "")


def _inconsistent(cites: list[Citation], resolver: Resolver, problems: dict) -> None:
    """One work under two keys (markup), or named two ways (prose), by different contributions."""
    by_work: dict[str, list[Citation]] = defaultdict(list)
    for c in cites:
        if c.key and c.key in resolver.by_key:
            by_work[resolver.by_key[c.key].work].append(c)
    for work, items in by_work.items():
        keys = Counter(c.key for c in items)
        if len(keys) > 1:
            main = max(keys, key=lambda k: (keys[k], -min(i for i, c in enumerate(items) if c.key == k)))
            where = sorted({c.contribution for c in items if c.key == main})
            for c in items:
                if c.key != main:
                    problems.setdefault(id(c), []).append((
                        "inconsistent-citation", f"{c.key} and {main} are one work; {main} is the key used in "
                        + ", ".join(where), f"cite it as {main} (and merge the two entries: issue refs merge)"))
        prose = [c for c in items if c.form != "markup" and not problems.get(id(c))]
        forms: dict[str, list[Citation]] = defaultdict(list)
        for c in prose:
            forms[_signature(c)].append(c)
        if len(forms) < 2:
            continue
        by_contribution: dict[str, set[str]] = defaultdict(set)
        for sig, cs in forms.items():
            for c in cs:
                by_contribution[c.contribution].add(sig)
        if len(by_contribution) < 2:
            continue  # one author's own habit ('United Nations (HIPPO) 2015', then 'HIPPO 2015')
        main = max(forms, key=lambda s: (len({c.contribution for c in forms[s]}), len(forms[s]),
                                         -cites.index(forms[s][0])))
        example = forms[main][0]
        for cid, sigs in sorted(by_contribution.items()):
            if main in sigs:
                continue
            first = next(c for c in prose if c.contribution == cid)
            problems.setdefault(id(first), []).append((
                "inconsistent-citation", f"{first.key} is cited here as '{first.text}' but as '{example.text}' in "
                + ", ".join(sorted({c.contribution for c in forms[main]})),
                f"cite one work one way across the issue: '{example.label()}' (or map the names with "
                "[citations] aliases)"))


def _locator_style(cites: list[Citation], style: str, problems: dict) -> None:
    want_sep = style[0]
    want_space = style[1:2] == " "
    want_p = "p." in style
    for c in cites:
        if c.form == "markup" or not c.locator or page_numbers(c.locator) is None:
            continue
        sep = c.locator_sep
        has_p = bool(PAGE_UNIT.match(c.locator))
        if sep.strip() == want_sep and has_p == want_p and (sep.endswith(" ") or not want_space):
            continue
        nums = PAGE_UNIT.sub("", c.locator)
        plural = bool(re.search(r"[-–—,]", nums))
        new_loc = (("pp. " if plural else "p. ") + nums) if want_p else nums
        new_sep = want_sep + (" " if want_space else "")
        old = (c.locator_sep or "") + c.locator
        written = c.text.replace("\u00a0", " ")
        at = written.rfind(old)
        fixed = written[:at] + new_sep + new_loc + written[at + len(old):] if at >= 0 else None
        problems.setdefault(id(c), []).append((
            "locator-style", f"the locator '{old.strip()}' is not in the issue's style ('{style}')",
            f"write '{fixed}'" if fixed else f"write the locator as '{new_sep}{new_loc}'"))


def _unused(ctx: Context, cites: list[Citation], resolver: Resolver, level: str) -> list[Diagnostic]:
    """Entries no manuscript cites. Not reported while a manuscript could not be read (its citations are
    unknown) or when the check was limited to some files (the others' citations are unknown)."""
    wanted = {c.id for c in ctx.issue.contributions if (ctx.root / c.file).is_file()}
    if wanted - set(ctx.documents):
        return []
    used_works = {resolver.by_key[c.key].work for c in cites if c.key in resolver.by_key}
    nocite_all, nocite = _nocite(ctx)
    if nocite_all:
        return []
    used_works |= {resolver.by_key[k].work for k in nocite if k in resolver.by_key}
    # a cited chapter uses its book (crossref/xdata parents)
    for w in list(resolver.works):
        if w.work in used_works:
            for parent in getattr(w.entry, "parents", None) or []:
                if parent in resolver.by_key:
                    used_works.add(resolver.by_key[parent].work)
    out = []
    for w in resolver.works:
        if w.work in used_works or str(getattr(w.entry, "type", "")).lower() in ("xdata", "set"):
            continue
        loc = getattr(w.entry, "location", None) or Location("")
        context = None
        bib = ctx.bibliography
        if hasattr(bib, "line"):
            context = bib.line(loc.file, loc.line)
        out.append(make(R.UNUSED.code, f"no manuscript cites {w.key} ({w.label(resolver.et_al_min)})", loc,
                        excerpt=w.key, context=context, context_start=(context.find(w.key) if context else None),
                        suggestion="cite it, or delete it from the bibliography "
                                   "([citations] unused_entry = \"off\" while drafting)",
                        severity=level))
    return out


def _nocite(ctx: Context) -> tuple[bool, set[str]]:
    """Keys listed in a Markdown manuscript's `nocite:` metadata ('@*' means every entry)."""
    keys: set[str] = set()
    for doc in ctx.documents.values():
        meta = (doc.ast or {}).get("meta", {}) if isinstance(doc.ast, dict) else {}
        if "nocite" not in meta:
            continue
        text = repr(meta["nocite"])
        if "'*'" in text or "@*" in text:
            return True, keys
        keys.update(re.findall(r"'citationId': '([^']+)'", text))
    return False, keys


# -- what each contribution cites (for `issue refs cited` and the outputs) --------------------------------------
def cited_table(cites: list[Citation]) -> dict[str, dict[str, dict[str, Any]]]:
    """contribution id -> key (or '?label' when unresolved) -> {count, locators, label, status}."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for c in cites:
        key = c.key or ("→" + c.crossref if c.crossref else "?" + c.label())
        row = out.setdefault(c.contribution, {}).setdefault(
            key, {"count": 0, "locators": [], "label": c.label(), "status": c.status})
        row["count"] += 1
        if c.locator and c.locator not in row["locators"]:
            row["locators"].append(c.locator)
        if c.status in ("finding", "unresolved") and row["status"] == "resolved":
            row["status"] = c.status
    return out


# the issue-wide step's names, for the incremental pipeline (issue.citations_by_document)
CODES = _CODES
signature = _signature
inconsistent = _inconsistent
unused = _unused
