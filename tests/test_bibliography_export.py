"""`issue refs export`: CSL-JSON for pandoc's citeproc, RIS, BibTeX, biblatex; sorted and repeatable."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from issue.bibliography import load_bibliography
from issue.bibliography.export import to_bibtex, to_csl_json, to_ris
from issue.bibliography.load import load_text
from issue.pandoc import run as pandoc

DATA = Path(__file__).resolve().parent / "data" / "bib"
FIXTURES = ["zotero_bbt.bib", "jabref.bib", "bibdesk.bib", "latin1_jabref.bib"]


@pytest.fixture(scope="module")
def bib():
    bib, _ = load_bibliography(DATA, [], files=FIXTURES)
    return bib


def items_by_id(bib):
    return {item["id"]: item for item in to_csl_json(bib)}


def test_csl_json_types_and_fields(bib):
    items = items_by_id(bib)
    assert [i["id"] for i in to_csl_json(bib)] == sorted(items, key=str.casefold)
    article = items["deconingUnitedNationsPeace2017"]
    assert article["type"] == "article-journal"
    assert article["author"][0] == {"family": "Coning", "given": "Cedric", "non-dropping-particle": "de"}
    assert article["container-title"] == "International Peacekeeping"
    assert article["issued"] == {"date-parts": [[2017, 3]]}
    assert article["page"] == "179–205" and article["volume"] == "24" and article["issue"] == "2"
    assert article["DOI"] == "10.1080/13533312.2016.1249932" and article["ISSN"] == "1353-3312"
    assert article["title"] == ('The <span class="nocase">United Nations</span> and <span class="nocase">African '
                                'Union</span> in Peace Operations: Partnership or Rivalry?')
    report = items["unitednations2015UniteOurStrengths"]
    assert report["type"] == "report" and report["author"] == [{"literal": "United Nations"}]
    assert report["publisher"] == "United Nations" and report["publisher-place"] == "New York"
    assert report["number"] == "A/70/95–S/2015/446" and report["issued"] == {"date-parts": [[2015, 6, 16]]}
    assert report["accessed"] == {"date-parts": [[2019, 5, 2]]}
    book = items["martel2017EastAsianHumanitarian"]
    assert book["type"] == "book" and book["edition"] == "2" and book["ISBN"] == "978-0-19-921848-6"
    assert book["title"].endswith(": Coordination in a Crowded Field")
    assert book["author"][1] == {"family": "Nunn", "given": "Samuel", "suffix": "Jr."}
    assert book["editor"] == [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}]
    chapter = items["Capie:2020"]  # crossref inherited
    assert chapter["type"] == "chapter" and chapter["container-title"] == "Routledge Handbook of Peacekeeping"
    assert chapter["publisher"] == "Routledge" and chapter["page"] == "215–232"
    assert items["Sotomayor2015"]["publisher-place"] == "Oxford"
    assert items["ocha2020AsiaPacific"]["type"] == "webpage"
    assert items["Jalkebro2020"]["issued"] == {"date-parts": [[2020, 1]]}
    assert "pr:common" not in items  # @xdata is not a work


def test_pandoc_citeproc_reads_the_csl_json(bib, tmp_path):
    (tmp_path / "refs.json").write_text(json.dumps(to_csl_json(bib), ensure_ascii=False), encoding="utf-8")
    text = ("See [@deconingUnitedNationsPeace2017, 180; @unitednations2015UniteOurStrengths; @Capie:2020; "
            "@Hernandez2018].\n")
    out = pandoc(["--citeproc", "--bibliography", "refs.json", "-f", "markdown", "-t", "plain", "--wrap=none"],
                 input=text.encode(), cwd=str(tmp_path)).decode()
    assert "(de Coning et al. 2017, 180; United Nations 2015; Capie 2020; Hernández and Müller 2018)" in out
    assert "“Southeast Asia and Peacekeeping.” In Routledge Handbook of Peacekeeping, edited by Paul D. " \
           "Williams and Alex J. Bellamy" in out
    assert "https://doi.org/10.1080/13533312.2016.1249932" in out


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_export_then_load_keeps_every_field(bib, dialect):
    text = to_bibtex(bib, dialect)
    again, diags = load_text(text, "export.bib")
    assert [d.name for d in diags] == []
    for key, entry in bib.entries.items():
        if entry.type == "xdata" and dialect == "bibtex":
            assert key not in again.entries  # BibTeX has no @xdata: its fields are written into the entries
            continue
        other = again.entries[key]
        assert [n.__dict__ for n in other.authors] == [n.__dict__ for n in entry.authors], key
        for name, value in entry.fields.items():
            if name == "month":
                assert other.month == entry.month
                continue
            if name == "xdata" and dialect == "bibtex":
                continue  # written out: the inherited fields are checked like the others
            assert other.get(name) == value or (name == "pages" and other.pages == entry.pages), (key, name)
        assert other.year == entry.year and other.title == entry.title


def test_bibtex_and_biblatex_spellings(bib):
    bibtex = load_text(to_bibtex(bib, "bibtex"))[0]
    biblatex = load_text(to_bibtex(bib, "biblatex"))[0]
    zot = "deconingUnitedNationsPeace2017"
    assert bibtex.entries[zot].raw_fields["journal"] == "International Peacekeeping"
    assert bibtex.entries[zot].raw_fields["year"] == "2017" and bibtex.entries[zot].expressions["month"] == "mar"
    assert "journaltitle" not in bibtex.entries[zot].raw_fields
    assert bibtex.entries["unitednations2015UniteOurStrengths"].type == "techreport"
    assert bibtex.entries["ocha2020AsiaPacific"].type == "misc"
    assert bibtex.entries["Haacke:2009"].raw_fields["issn"] == "0951-2748"  # from @xdata
    assert biblatex.entries["Fung2016"].raw_fields["journaltitle"].startswith("United States Institute")
    assert biblatex.entries["Sotomayor2015"].raw_fields["location"] == "Oxford"
    assert biblatex.entries["Fung2016"].raw_fields["month"] == "7"
    assert biblatex.entries["pr:common"].type == "xdata"


def test_ris_records(bib):
    ris = to_ris(bib)
    record = ris.split("TY  - JOUR\nID  - deconingUnitedNationsPeace2017\n", 1)[1].split("ER  -", 1)[0]
    assert "AU  - de Coning, Cedric\n" in record and "T2  - International Peacekeeping\n" in record
    assert "SP  - 179\nEP  - 205\n" in record and "DA  - 2017/03//\n" in record
    assert "TY  - CHAP\nID  - Capie:2020\n" in ris and "AU  - United Nations\n" in ris
    assert ris.count("ER  -") == len([e for e in bib.entries.values() if e.type != "xdata"])


def _issue(tmp_path: Path) -> Path:
    root = tmp_path / "issue"
    (root / "bibliography").mkdir(parents=True)
    (root / "issue.toml").write_text('[issue]\ntitle = "T"\nbibliography = ["bibliography/*.bib"]\n',
                                     encoding="utf-8")
    for name in FIXTURES[:3]:
        shutil.copy(DATA / name, root / "bibliography" / name)
    return root


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex", "biblatex"])
def test_cli_export_is_byte_identical_when_repeated(tmp_path, cli, fmt):
    root = _issue(tmp_path)
    first = cli(["refs", "export", "--to", fmt], root)
    assert first.code == 0 and first.stdout
    (root / "bibliography" / "zotero_bbt.bib").touch()
    assert cli(["refs", "export", "--to", fmt], root).stdout == first.stdout


def test_cli_export_to_a_file_inside_the_issue(tmp_path, cli):
    root = _issue(tmp_path)
    result = cli(["refs", "export", "-o", "build/refs.json"], root)
    assert result.code == 0 and "12 entries as csl-json" in result.stderr
    items = json.loads((root / "build" / "refs.json").read_text(encoding="utf-8"))
    assert len(items) == 12
    assert cli(["refs", "export", "--to", "bibtex", "-o", "out.bib"], root).code == 2
    assert not (root / "out.bib").exists()
    assert cli(["refs", "export", "-o", str(tmp_path / "outside.json")], root).code == 2
