"""Loading .bib files: dialects, @string, crossref/xdata, LaTeX, names, encodings, syntax errors, cache, corpora."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from issue.bibliography import Bibliography, Entry, Name, load_bibliography
from issue.bibliography.latex import decode, decode_spans
from issue.bibliography.load import load_text

DATA = Path(__file__).resolve().parent / "data" / "bib"


def load(*files: str, root: Path = DATA, **kw):
    return load_bibliography(root, [], files=list(files), **kw)


def codes(diags) -> list[str]:
    return [d.name for d in diags]


# -- the contract other engineers use -----------------------------------------------------------------------
def test_zotero_better_bibtex_biblatex_fields():
    bib, diags = load("zotero_bbt.bib")
    assert diags == []
    assert isinstance(bib, Bibliography) and bib.files == ["zotero_bbt.bib"]
    e = bib.entries["deconingUnitedNationsPeace2017"]
    assert isinstance(e, Entry) and e.type == "article"
    # biblatex date and journaltitle
    assert e.year == "2017" and e.month == 3
    assert e.get("journal") == "International Peacekeeping" == e.container
    # double braces are Zotero's case protection: removed in fields, remembered as protected spans
    assert e.title == "The United Nations and African Union in Peace Operations: Partnership or Rivalry?"
    spans = e.protected["title"]
    assert [e.title[a:b] for a, b in spans] == ["United Nations", "African Union"]
    assert e.raw_fields["title"].startswith("The {{United Nations}}")
    assert e.pages == "179–205" and e.doi == "10.1080/13533312.2016.1249932"
    # the particle is a von part; matching uses the folded last name
    first = e.authors[0]
    assert (first.first, first.von, first.last) == ("Cedric", "de", "Coning")
    assert first.display() == "Cedric de Coning" and first.folded_last == "coning"
    assert first.folded_full_last == "de coning"
    assert e.authors[1].last == "Gelot" and e.authors[1].first == "Linnéa"
    assert e.location.file == "zotero_bbt.bib" and e.location.line == 1 and e.location.column == 1
    assert e.field_location("pages").line == 9


def test_corporate_authors_shortauthor_and_others():
    bib, _ = load("zotero_bbt.bib")
    un = bib.entries["unitednations2015UniteOurStrengths"]
    assert un.authors == [Name(last="United Nations", corporate=True, raw="{United Nations}")]
    assert un.authors[0].display() == "United Nations" and un.shortauthor == "UN"
    assert un.year == "2015" and un.month == 6
    book = bib.entries["martel2017EastAsianHumanitarian"]
    assert [a.last for a in book.authors] == ["Martel", "Nunn", "Sørensen"]
    assert book.authors[1].jr == "Jr." and book.others == {"author": True}  # "and others" is not a person
    assert book.editors[0].display() == "Martin Luther King Jr."
    assert book.shorthand == "EAHADR"
    assert book.title == "East Asian Humanitarian Assistance and Disaster Relief"
    assert book.fields["subtitle"] == "Coordination in a Crowded Field"


def test_jabref_strings_month_macros_and_accents():
    bib, diags = load("jabref.bib")
    assert diags == []
    e = bib.entries["Jalkebro2020"]
    assert e.authors[0].last == "Jälkebro"
    assert e.fields["journal"] == "Australian Journal of International Affairs"  # @string
    assert e.expression("journal") == "ajia" and e.expressions["month"] == "jan # {~2}"
    assert e.fields["month"] == "January\u00a02"  # month macro # literal, ~ is a no-break space
    assert e.month == 1
    s = bib.entries["Sotomayor2015"]
    assert [a.last for a in s.authors] == ["Sotomayor", "Müller-Wille", "Álvarez"]
    assert s.authors[2].first == "José"
    assert s.title == "Peacekeeping in Latin America"
    assert bib.entries["Fung2016"].fields["month"] == "July"


def test_bibdesk_crossref_and_xdata_inheritance():
    bib, diags = load("bibdesk.bib")
    assert diags == []
    chapter = bib.entries["Capie:2020"]
    # crossref from an @book: the book's title becomes the chapter's booktitle, editors and publisher carry over
    assert chapter.fields["booktitle"] == "Routledge Handbook of Peacekeeping"
    assert chapter.title == "Southeast Asia and Peacekeeping"
    assert [n.last for n in chapter.editors] == ["Williams", "Bellamy"]
    assert chapter.year == "2020" and chapter.fields["publisher"] == "Routledge"
    assert chapter.inherited["booktitle"] == "Williams:Handbook"
    assert "booktitle" not in chapter.raw_fields  # raw_fields are the entry's own
    assert chapter.field_location("booktitle") == chapter.location
    # xdata: shared fields
    article = bib.entries["Haacke:2009"]
    assert article.fields["issn"] == "0951-2748" and article.inherited["issn"] == "pr:common"
    assert article.fields["journal"] == "The Pacific Review"
    # base64 blobs stay verbatim
    assert chapter.fields["bdsk-file-1"].startswith("YnBsaXN0MDDSAQ")


def test_get_is_case_insensitive_and_follows_aliases():
    bib, _ = load_text("@book{Keohane1984,\n  title = {After Hegemony},\n  ids = {keohane:AH, KeohaneAH},\n"
                       "  author = {Keohane, Robert O.},\n  year = {1984}\n}\n")
    assert bib.get("Keohane1984").title == "After Hegemony"
    assert bib.get("keohane1984") is bib.entries["Keohane1984"]
    assert bib.get("keohane:AH") is bib.entries["Keohane1984"]
    assert bib.get("KEOHANEAH") is bib.entries["Keohane1984"]
    assert bib.get("nye1977") is None
    assert "keohane1984" in bib and len(bib) == 1


def test_keymap_option_resolves_old_keys(tmp_path):
    (tmp_path / "bibliography").mkdir()
    (tmp_path / "bibliography" / "shared.bib").write_text(
        "@book{keohane1984after,\n  title = {After Hegemony},\n  author = {Keohane, Robert O.},\n"
        "  year = {1984}\n}\n", encoding="utf-8")
    (tmp_path / "bibliography" / "shared.keys.toml").write_text('[keys]\n"Keohane:AH" = "keohane1984after"\n',
                                                                encoding="utf-8")
    bib, diags = load_bibliography(tmp_path, ["bibliography/*.bib"],
                                   options={"keymap": "bibliography/shared.keys.toml"})
    assert diags == []
    assert bib.get("Keohane:AH").key == "keohane1984after"
    _, diags = load_bibliography(tmp_path, ["bibliography/*.bib"], options={"keymap": "bibliography/none.toml"})
    assert codes(diags) == ["bibliography-file"]


# -- LaTeX --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("latex, text", [
    (r"Erd{\H o}s and R{\'e}nyi", "Erdős and Rényi"),
    (r"Hegre, H{\aa}vard", "Hegre, Håvard"),
    (r"\c{C}elik, \v{S}ime\v{c}ka and Ar{\i}, Bar{\i}\c{s}", "Çelik, Šimečka and Arı, Barış"),
    (r"Acad{\'\i}a", "Acadía"),
    (r"1946--1953 --- a war", "1946–1953 — a war"),
    (r"Taylor \& Francis, 50\,\%", "Taylor & Francis, 50\u2009%"),
    (r"\emph{The} \textit{Peace}: \mkbibquote{Asia}", "The Peace: “Asia”"),
    (r"Copyright {\copyright} 1980", "Copyright © 1980"),
    (r"$\alpha$-stable", "α-stable"),  # math goes to pylatexenc
    (r"\unknownmacro{x} y", "x y"),
])
def test_latex_to_unicode(latex, text):
    assert decode(latex) == text


def test_protected_spans_are_the_braced_words_not_accents():
    text, spans = decode_spans(r"The {NATO} and {ASEAN} in {\"U}nal's \textit{Peace in {East Asia}}")
    assert text == "The NATO and ASEAN in Ünal's Peace in East Asia"
    assert [text[a:b] for a, b in spans] == ["NATO", "ASEAN", "East Asia"]


# -- encodings and syntax -----------------------------------------------------------------------------------
def test_bom_and_crlf_are_fine(tmp_path):
    text = (DATA / "jabref.bib").read_text(encoding="utf-8")
    (tmp_path / "win.bib").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    bib, diags = load("win.bib", root=tmp_path)
    plain, _ = load("jabref.bib")
    assert diags == []
    assert {k: e.fields for k, e in bib.entries.items()} == {k: e.fields for k, e in plain.entries.items()}
    assert bib.entries["Jalkebro2020"].location.line == plain.entries["Jalkebro2020"].location.line


def test_latin1_file_is_reported_and_loaded():
    bib, diags = load("latin1_jabref.bib")
    assert codes(diags) == ["bib-encoding"]
    d = diags[0]
    assert d.location.line == 5 and "not UTF-8" in d.message and "0xF3" in d.message
    assert d.severity.value == "warning" and "UTF-8" in d.suggestion
    e = bib.entries["Hernandez2018"]
    assert e.title == "Cooperación militar y asistencia humanitaria en el Pacífico"
    assert [(a.first, a.last) for a in e.authors] == [("María José", "Hernández"), ("Jürgen", "Müller")]
    assert bib.entries["Francois2011"].authors[0].display() == "Étienne François"


def test_one_broken_entry_never_hides_the_rest():
    bib, diags = load("broken.bib")
    assert list(bib.entries) == ["Acharya2014", "Ba2009", "Emmers2003", "Goh2008", "Haacke2019"]
    syntax = [d for d in diags if d.name == "bib-syntax"]
    by_line = {d.location.line: d for d in syntax}
    # the unclosed entry: reported at its '@' with its key; the next entry still loads
    assert by_line[12].severity.value == "error" and "'Ba2009'" in by_line[12].message
    assert by_line[12].location.column == 1 and by_line[12].data == {"key": "Ba2009"}
    assert bib.entries["Ba2009"].recovered
    assert bib.entries["Emmers2003"].title == "Cooperative Security and the Balance of Power in ASEAN and the ARF"
    # the missing comma: both fields are read, the error points at the field after the gap
    assert "comma is missing" in by_line[29].message and by_line[29].excerpt == "journal"
    goh = bib.entries["Goh2008"]
    assert goh.fields["journal"] == "International Security" and goh.year == "2008"
    assert goh.title == "Great Powers and Hierarchical Order in Southeast Asia"
    # the entry without a key
    assert "no key" in by_line[33].message
    assert bib.entries["Haacke2019"].authors[0].last == "Haacke"


def test_undefined_string_and_concatenation():
    bib, diags = load_text('@string{un = "United Nations"}\n@string{doc = un # { Document }}\n'
                           "@misc{a,\n  title = doc # {A/70/95},\n  publisher = unpress,\n  year = 2015\n}\n")
    e = bib.entries["a"]
    assert e.title == "United Nations Document A/70/95" and e.year == "2015"
    assert codes(diags) == ["undefined-string"]
    assert diags[0].location.line == 5 and diags[0].excerpt == "unpress"


def test_duplicate_keys_keep_the_first_and_report_the_second():
    bib, diags = load_text("@book{paris2004,\n  title = {At War's End},\n  year = {2004}\n}\n\n"
                           "@book{paris2004,\n  title = {Something Else},\n  year = {2004}\n}\n\n"
                           "@book{Paris2004,\n  title = {Third},\n  year = {2004}\n}\n")
    assert bib.entries["paris2004"].title == "At War's End"
    assert [e.title for e in bib.shadowed] == ["Something Else"]
    assert codes(diags) == ["duplicate-key", "duplicate-key"]
    assert diags[0].location.line == 6 and "refs.bib:1:1" in diags[0].message
    assert "case" in diags[1].message and diags[1].location.line == 11
    assert diags[0].severity.value == "error"


def test_repeated_field_uses_the_first_value():
    bib, diags = load_text("@article{a,\n  year = {2001},\n  title = {T},\n  year = {2002}\n}\n")
    assert bib.entries["a"].year == "2001"
    assert codes(diags) == ["bib-syntax"] and diags[0].location.line == 4
    assert diags[0].severity.value == "warning"


# -- files and the cache ------------------------------------------------------------------------------------
def test_globs_stay_inside_the_issue_folder(tmp_path):
    root = tmp_path / "issue"
    (root / "bibliography").mkdir(parents=True)
    shutil.copy(DATA / "jabref.bib", root / "bibliography" / "a.bib")
    outside = tmp_path / "secret.bib"
    outside.write_text("@book{secret,\n  title = {Secret}\n}\n", encoding="utf-8")
    (root / "bibliography" / "link.bib").symlink_to(outside)
    bib, diags = load_bibliography(root, ["bibliography/*.bib", "../*.bib", "nothing/*.bib"])
    assert bib.files == ["bibliography/a.bib"] and "secret" not in bib.entries
    messages = [d.message for d in diags]
    assert any("link.bib" in m and "outside" in m for m in messages)
    assert any("'../*.bib' leaves the issue folder" in m for m in messages)
    assert any("no file matches" in m and "nothing/*.bib" in m for m in messages)
    bib, diags = load_bibliography(root, [], files=["../secret.bib", "bibliography/missing.bib"])
    assert not bib.entries and codes(diags) == ["bibliography-file", "bibliography-file"]


def test_cache_returns_the_same_bibliography_and_sees_changes(tmp_path):
    root = tmp_path / "issue"
    (root / "bibliography").mkdir(parents=True)
    target = root / "bibliography" / "refs.bib"
    shutil.copy(DATA / "broken.bib", target)
    cache = tmp_path / "cache"
    first, d1 = load_bibliography(root, ["bibliography/*.bib"], cache_dir=cache)
    assert list((cache / "bibliography").glob("*.pickle"))
    again, d2 = load_bibliography(root, ["bibliography/*.bib"], cache_dir=cache)
    assert again is not first
    assert {k: e.fields for k, e in again.entries.items()} == {k: e.fields for k, e in first.entries.items()}
    assert [d.to_json() for d in d2] == [d.to_json() for d in d1]
    assert again.line("bibliography/refs.bib", 3) == "@article{Acharya2014,"
    target.write_text(target.read_text(encoding="utf-8").replace("Hedging", "Balancing"), encoding="utf-8")
    changed, _ = load_bibliography(root, ["bibliography/*.bib"], cache_dir=cache)
    assert "Balancing" in changed.entries["Haacke2019"].title


# -- the real corpora ---------------------------------------------------------------------------------------
def test_all_corpora_load_without_crashing(corpora):
    files = sorted(p.relative_to(corpora).as_posix() for p in corpora.rglob("*.bib"))
    assert files
    for rel in files:
        bib, diags = load_bibliography(corpora, [], files=[rel])
        assert bib.entries, rel
        assert all(d.location.file == rel for d in diags)
        for entry in bib.entries.values():
            assert "\\" not in (entry.title or "") or "$" in entry.raw_fields.get("title", ""), entry.key


def test_master_bib_duplicate_keys_are_reported(corpora):
    bib, diags = load_bibliography(corpora, [], files=["s7minhas_whistle/master.bib"])
    dup = [d for d in diags if d.name == "duplicate-key"]
    assert len(bib.entries) + len(bib.shadowed) == 5073  # every @entry of the file, kept or shadowed
    assert {d.data["key"] for d in dup} >= {"paris:2004", "trejo:2009", "zuckerman:2016"}
    assert len(dup) == len(bib.shadowed) == 10
    paris = next(d for d in dup if d.data["key"] == "paris:2004")
    assert paris.location.line == 5568 and paris.excerpt == "paris:2004"
    assert bib.entries["paris:2004"].location.line < paris.location.line
    # LaTeX accents became Unicode
    ari = next(e for e in bib.entries.values() if any(a.last == "Hegre" and a.first == "Håvard" for a in e.authors))
    assert ari is not None


def test_bibdesk_export_with_dates_and_blobs(corpora):
    bib, diags = load_bibliography(corpora, [], files=["andrewheiss_cautioning-canary/manuscript/bibliography.bib"])
    assert diags == [] and len(bib.entries) == 129
    e = bib.entries["FadelWarrick:2011"]
    assert e.year == "2011" and e.month == 12 and e.title.startswith("Egyptian Security Forces Raid Offices of U.S.")
    assert [a.last for a in e.authors] == ["Fadel", "Warrick"]


# -- bad input never gives a traceback ------------------------------------------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from(["@article{", "@string{", "@comment{", "@preamble{", "key,", "title = ", "{", "}", '"',
                           "#", ",", "=", "\n", "\\'", "\\", "$", "author = {A and B, C, D}", "crossref = {key}",
                           "xdata = {key}", "ids = {key}", "date = {2015-03}", "-- ", "~", "é", "\r\n", "@"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_loads_formats_and_checks_without_an_exception(text):
    from issue.bibliography.checks import check_bibliography
    from issue.bibliography.export import FORMATS
    from issue.bibliography.format import format_text

    bib, diags = load_text(text)
    check_bibliography(bib)
    format_text(text)
    for export in FORMATS.values():
        export(bib)
    assert all(d.location.file == "refs.bib" for d in diags)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_without_an_exception(blob):
    from issue.bibliography.load import parse_files

    parse_files([("refs.bib", blob)])
