"""Property-based tests (hypothesis) of the three parsers that read what authors type.

- the citation extractor (issue.citations): never raises; every citation's span lies inside its paragraph and is
  exactly the paragraph's text there; the year and the authors it reports are written in the paragraph;
  extracting twice gives the same result;
- the BibTeX loader (issue.bibliography): any byte string gives entries or diagnostics, never an exception, and
  every diagnostic points inside the file; a well-formed file loads whole; damage to one entry does not spread
  to the entries before it, and an entry that is lost is reported;
- the index sorter (issue.concepts.index): a total order that does not depend on the order of its input.

benchmarks/fuzz.py runs the same properties with many more examples (see benchmarks/FUZZING.md).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from issue.model import Issue

EXAMPLES = int(os.environ.get("ISSUE_PROPERTY_EXAMPLES", "150"))
PROPS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies: text shaped like what authors write -------------------------------------------------------------
SURNAMES = ["Keohane", "Nye", "Mitrany", "Acharya", "Ba", "van der Pijl", "O'Neill", "Søderbaum", "Wæver",
            "Bueno de Mesquita", "UNHCR", "World Bank", "Haacke", "Capie", "Kang", "Zürn", "Lee", "de Coning"]
YEARS = ["1984", "1966", "2004a", "2004b", "n.d.", "forthcoming", "in press", "2019", "1977", "2020"]
GLUE = ["(", ")", ";", ",", " and ", " & ", " et al.", "see ", "e.g., ", "cf. ", "p. ", "pp. ", ":", ".", "\n",
        "[", "]", "'s", " quoted in ", "51", "12–15", "ch. 3", "para. 4", "—", "“", "”", "\u00a0", "ibid.", "¹", " "]
WORDS = ["cooperation", "is", "not", "harmony", "As", "argues", "The", "regional", "order", "In", "his", "book",
         "disaster", "relief", "Peace", "Keeping", "Asia", "ASEAN", "UN", "after", "hegemony", "Ibid"]
TOKEN = st.one_of(st.sampled_from(SURNAMES), st.sampled_from(YEARS), st.sampled_from(GLUE), st.sampled_from(WORDS),
                  st.text(max_size=4))
PROSE = st.lists(TOKEN, max_size=60).map(lambda ts: "".join(t if t in GLUE else t + " " for t in ts))

BIB_FOR_PROSE = """
@book{keohane1984, author = {Keohane, Robert O.}, title = {After Hegemony}, publisher = {Princeton UP}, year = {1984}}
@book{keohane1977, author = {Keohane, Robert O. and Nye, Joseph S.}, title = {Power and Interdependence},
  publisher = {Little, Brown}, year = {1977}}
@book{mitrany1966, author = {Mitrany, David}, title = {A Working Peace System}, publisher = {Quadrangle}, year = {1966}}
@book{acharya2004a, author = {Acharya, Amitav}, title = {How Ideas Spread}, publisher = {P}, year = {2004}}
@book{acharya2004b, author = {Acharya, Amitav}, title = {Whose Ideas Matter}, publisher = {P}, year = {2004}}
@report{unhcr2019, author = {{UNHCR}}, title = {Global Trends}, institution = {UNHCR}, year = {2019}}
@article{haacke2009, author = {Haacke, Jürgen}, title = {The ASEAN Regional Forum}, journal = {J}, year = {2009}}
"""


@pytest.fixture(scope="module")
def grammar_context():
    """The grammar's view of a real bibliography (surnames it knows, author-year pairs that resolve)."""
    prose = pytest.importorskip("issue.citations.prose", reason="the citation extractor is not in this tree")
    from issue.bibliography import load_text
    from issue.citations.resolve import Resolver

    bib, _ = load_text(BIB_FOR_PROSE)
    resolver = Resolver(bib, {}, Issue(root=Path("/nonexistent-issue"), title="", year=2020))

    def resolves(authors, year):
        from issue.citations.model import Citation
        from issue.model import Location

        probe = Citation(file="", contribution="", block=0, start=0, end=0, location=Location(""), text="",
                         form="narrative", authors=authors, year=year, author_text=" and ".join(authors))
        r = resolver.resolve(probe)
        return bool(r.key and r.year_ok)

    return prose, lambda: prose.Context(known_surname=resolver.known_surname, resolves=resolves, max_year=2022)


# -- the citation extractor -------------------------------------------------------------------------------------
def _check_found(text: str, found) -> None:
    for f in found:
        assert 0 <= f.start < f.end <= len(text), (f, len(text))
        span = text[f.start:f.end]
        year = re.sub(r"[a-z]$", "", f.year) if f.year and f.year[:1].isdigit() else f.year
        assert year and year.split()[0] in span, (f.year, span)
        if f.author_span is not None:
            a, b = f.author_span
            assert 0 <= a <= b <= len(text), (f.author_span, len(text))
        for author in f.authors:
            last = author.split()[-1].strip(".,")
            assert last in text, (author, text)


@PROPS
@given(text=PROSE, note=st.booleans())
def test_the_prose_grammar_never_raises_and_its_spans_are_the_text(grammar_context, text, note):
    prose, make_context = grammar_context
    found = prose.ProseParser(make_context()).parse(text, note=note)
    _check_found(text, found)
    again = prose.ProseParser(make_context()).parse(text, note=note)
    assert again == found
    assert [(f.start, f.end) for f in found] == sorted((f.start, f.end) for f in found)


@PROPS
@given(text=st.text(max_size=300), note=st.booleans())
def test_the_prose_grammar_survives_any_text(grammar_context, text, note):
    prose, make_context = grammar_context
    _check_found(text, prose.ProseParser(make_context()).parse(text, note=note))


def _extract_all(documents: dict, bib_text: str = BIB_FOR_PROSE):
    analysis = pytest.importorskip("issue.citations.analysis", reason="the citation analysis is not in this tree")
    from issue.bibliography import load_text
    from issue.model import Contribution
    from issue.pipeline import Context

    issue = Issue(root=Path("/nonexistent-issue"), title="", year=2020,
                  contributions=[Contribution(id=cid, file=d.file, title=cid) for cid, d in documents.items()])
    ctx = Context(issue=issue, documents=dict(documents))
    ctx.bibliography, _ = load_text(bib_text)
    result = analysis.analyse(ctx)
    return [(c, next(b for b in documents[c.contribution].blocks if b.index == c.block and
                     (b.note == c.note_number if c.note_number else b.kind != "note")))
            for c in result.records]


def _check_citations(pairs, doc) -> None:
    lines = doc.source_lines or []
    for c, block in pairs:
        assert 0 <= c.start < c.end <= len(block.text), (c.start, c.end, len(block.text))
        assert c.text == block.text[c.start:c.end]
        if c.location.line is not None:
            assert 1 <= c.location.line <= len(lines), (c.location, len(lines))
            assert 1 <= (c.location.column or 1) <= len(lines[c.location.line - 1]) + 1


PARAGRAPHS = st.lists(PROSE, min_size=1, max_size=5).map(lambda ps: "\n\n".join(p.strip() or "x" for p in ps))


@PROPS
@given(text=PARAGRAPHS)
def test_every_citation_of_a_plain_text_manuscript_is_inside_its_paragraph(text):
    from issue.manuscripts.readers import read_text

    doc = read_text("papers/a.txt", text)
    first = _extract_all({"a": doc})
    _check_citations(first, doc)
    second = _extract_all({"a": read_text("papers/a.txt", text)})
    assert [c.to_json() for c, _ in second] == [c.to_json() for c, _ in first]


MARKUP = st.lists(st.one_of(PROSE, st.sampled_from(["[@keohane1984]", "[see @mitrany1966, 12; @haacke2009]",
                                                   "@keohane1977 [ch. 2]", "[-@acharya2004a, p. 5]", "[@nokey]",
                                                   "^[A note citing Keohane (1984, 51).]", "*After Hegemony*",
                                                   "**bold", "\\cite{x}", "<span>x</span>", "`(Nye 1977)`"])),
                  min_size=1, max_size=12).map(" ".join)


@settings(max_examples=max(10, EXAMPLES // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=MARKUP)
def test_every_citation_of_a_markdown_manuscript_is_inside_its_paragraph(tmp_path_factory, text):
    """Through pandoc (fewer examples: each runs pandoc)."""
    from issue.manuscripts import ReadError, read_manuscript

    folder = tmp_path_factory.mktemp("md")
    (folder / "a.md").write_text("# Introduction\n\n" + text + "\n", encoding="utf-8")
    try:
        doc = read_manuscript(folder, "a.md")
    except ReadError:
        return  # reported as a diagnostic: fine
    pairs = _extract_all({"a": doc})
    _check_citations(pairs, doc)
    for c, block in pairs:
        if c.form == "markup":
            assert c.written_key and c.written_key in block.text[c.start:c.end] + c.written_key


# -- the BibTeX loader ------------------------------------------------------------------------------------------
def _parse(blob: bytes):
    from issue.bibliography.load import parse_files

    return parse_files([("refs.bib", blob)])


def _check_locations(blob: bytes, diags) -> None:
    lines = blob.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    for d in diags:
        assert d.location.file == "refs.bib", d
        if d.location.line is not None:
            assert 1 <= d.location.line <= lines, (d.location, lines, d.message)


BIB_PIECES = st.sampled_from(["@article{", "@book{", "@string{", "@comment{", "@preamble{", "k1,", "k2,", "title = ",
                              "author = ", "{", "}", '"', "#", ",", "=", "\n", "\r\n", "\\'e", "\\", "$", "~", "é",
                              "crossref = {k1}", "crossref = {k2}", "xdata = {k1}", "month = jan", "year = 2020",
                              "@", "%", "\ufeff", "\x00", "\t"])


@PROPS
@given(blob=st.one_of(st.binary(max_size=400),
                      st.lists(BIB_PIECES, max_size=60).map("".join).map(lambda s: s.encode("utf-8")),
                      st.lists(BIB_PIECES, max_size=60).map("".join).map(lambda s: s.encode("latin-1", "replace"))))
def test_any_bytes_give_entries_or_diagnostics_pointing_inside_the_file(blob):
    bib, diags = _parse(blob)
    _check_locations(blob, diags)
    for key, entry in bib.entries.items():
        assert key and entry.key == key


KEY = st.from_regex(r"[a-z][a-z0-9]{2,8}[0-9]{4}", fullmatch=True)
WORD = st.sampled_from(["Peace", "Keeping", "Regional", "Order", "Asia", "Disaster", "Relief", "Cooperation",
                        "Norms", "Power", "Humanitarian", "Security"])
ENTRY = st.fixed_dictionaries({
    "type": st.sampled_from(["article", "book", "incollection", "misc", "report"]),
    "title": st.lists(WORD, min_size=1, max_size=6).map(" ".join),
    "author": st.lists(st.sampled_from(["Keohane, Robert O.", "Nye, Joseph", "Acharya, Amitav", "Ba, Alice D.",
                                        "Søderbaum, Fredrik"]), min_size=1, max_size=3).map(" and ".join),
    "year": st.integers(1900, 2024).map(str),
    "quote": st.booleans(),
})


def _render(entries: list[tuple[str, dict]], newline: str) -> tuple[str, list[tuple[int, int]]]:
    """A .bib file, and where each entry's text starts and ends in it."""
    parts, spans, pos = [], [], 0
    for key, e in entries:
        o, c = ('"', '"') if e["quote"] else ("{", "}")
        text = (f"@{e['type']}{{{key},{newline}  title = {o}{e['title']}{c},{newline}  author = {{{e['author']}}},"
                f"{newline}  year = {e['year']}{newline}}}{newline}{newline}")
        spans.append((pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "".join(parts), spans


ENTRIES = st.lists(st.tuples(KEY, ENTRY), min_size=1, max_size=6, unique_by=lambda t: t[0].lower())


@PROPS
@given(entries=ENTRIES, newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_a_well_formed_file_loads_whole(entries, newline, bom):
    text, _ = _render(entries, newline)
    blob = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    bib, diags = _parse(blob)
    assert not [d for d in diags if d.code in ("B101", "B102", "B103")], [d.message for d in diags]
    for key, e in entries:
        assert key in bib.entries
        assert bib.entries[key].fields["title"] == e["title"]
        assert bib.entries[key].fields["year"] == e["year"]


@PROPS
@given(entries=ENTRIES, data=st.data())
def test_damage_stays_where_it_is_and_a_lost_entry_is_reported(entries, data):
    text, spans = _render(entries, "\n")
    at = data.draw(st.integers(0, len(text) - 1), label="at")
    kind = data.draw(st.sampled_from(["delete", "open", "close", "quote", "comma"]), label="damage")
    assume(not (kind == "delete" and text[at] in "@\n "))  # a deleted '@' makes an entry a comment, as in BibTeX
    # damage to an entry's "@type{key," is test_damage_to_an_entry_type_is_reported's (a known failure)
    assume(not any(start <= at < text.index(",", start) + 1 for start, _ in spans))
    damaged = text[:at] + {"delete": "", "open": "{", "close": "}", "quote": '"', "comma": ","}[kind] \
        + text[at + (kind == "delete"):]
    bib, diags = _parse(damaged.encode("utf-8"))
    _check_locations(damaged.encode("utf-8"), diags)
    loaded = {k.lower() for k in bib.entries}
    for (key, e), (start, end) in zip(entries, spans):
        if end <= at:  # wholly before the damage: intact
            assert key.lower() in loaded, f"{key} (before the damage at {at}) was lost"
            assert bib.entries[key].fields["title"] == e["title"]
    lost = [key for key, _ in entries if key.lower() not in loaded]
    if lost:
        assert diags, f"{lost} lost without a diagnostic ({kind} at {at}: {damaged[max(0, at - 20):at + 20]!r})"


@pytest.mark.parametrize("damaged", ["@ar}ticle{fung2016,", "@article,{fung2016,", "@articlefung2016,",
                                     '@"article{fung2016,'])
def test_damage_to_an_entry_type_is_reported(damaged):
    bib, diags = _parse((damaged + "\n  title = {What Explains China},\n  year = 2016\n}\n").encode())
    assert "fung2016" in bib.entries or diags


# -- the index sorter -------------------------------------------------------------------------------------------
HEADING = st.one_of(
    st.text(max_size=16),
    st.lists(st.sampled_from(["the", "The", "a", "An", "in", "of", "peace", "Peace", "peace-keeping", "peacekeeping",
                              "New", "York", "Newark", "(UN)", "UN", "Asia,", "East", "Ōsaka", "Zürich", "zurich",
                              "1992", "19th", "“quoted”", "St.", "São", "d'Estaing", "-", "–", ",", "/", "ß", "ss"]),
             min_size=1, max_size=5).map(" ".join),
)
MODES = st.sampled_from(["word", "letter"])


@pytest.fixture(scope="module")
def index_module():
    return pytest.importorskip("issue.concepts.index", reason="the concept index is not in this tree")


@PROPS
@given(words=st.lists(HEADING, min_size=3, max_size=3), mode=MODES, sub=st.booleans())
def test_the_index_sort_key_is_a_total_order(index_module, words, mode, sub):
    a, b, c = (index_module.sort_key(w, mode, sub=sub) for w in words)
    assert (a < b) + (a == b) + (b < a) == 1  # exactly one: comparable, never a TypeError
    assert (a == b) == (words[0] == words[1])  # antisymmetric on the headings themselves
    if a <= b and b <= c:
        assert a <= c
    assert index_module.letter_of(a) == "#" or re.fullmatch("[A-Z]", index_module.letter_of(a))


@PROPS
@given(headings=st.lists(HEADING, max_size=12), mode=MODES, data=st.data())
def test_sorting_headings_does_not_depend_on_their_order(index_module, headings, mode, data):
    shuffled = data.draw(st.permutations(headings), label="shuffled")
    key = lambda h: index_module.sort_key(h, mode)  # noqa: E731
    assert sorted(shuffled, key=key) == sorted(headings, key=key)


@settings(max_examples=max(20, EXAMPLES // 3), deadline=None)
@given(headings=st.lists(st.lists(st.sampled_from(["peace", "keeping", "regional", "order", "the", "UN", "Asia",
                                                   "disaster", "relief", "norms", "Ōsaka", "1992"]),
                                  min_size=1, max_size=3).map(" ".join), min_size=1, max_size=8, unique=True),
       mode=MODES, data=st.data())
def test_the_built_index_is_in_sort_order_whatever_the_vocabulary_order(index_module, headings, mode, data):
    from issue.concepts.vocabulary import parse_vocabulary
    from issue.model import Location

    match = pytest.importorskip("issue.concepts.match")
    shuffled = data.draw(st.permutations(headings), label="shuffled")

    def index_of(order):
        toml = "".join(f'[[concept]]\nheading = "{h}"\n\n' for h in order)
        vocab, _ = parse_vocabulary(toml)
        occurrences = [match.Occurrence(file="papers/a.md", contribution="a", block=i + 1, start=0, end=len(h),
                                        surface=h, form=h, concept=h, heading=h, sub=None, acronym=False,
                                        location=Location("papers/a.md", line=i + 1), anchor=f"idx-a-{i + 1}-0",
                                        note=None)
                       for i, h in enumerate(sorted(headings))]
        return index_module.build_index(vocab, occurrences, ["a"], sort=mode)

    first, second = index_of(headings), index_of(shuffled)
    assert [e.heading for e in first.entries] == [e.heading for e in second.entries]
    keys = [(e.sort_key, e.kind) for e in first.entries]
    assert keys == sorted(keys)
