"""`issue refs merge`: three authors' conflicting files -> one shared bibliography and a key map."""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from issue.bibliography.load import load_text, parse_files
from issue.bibliography.merge import merge_files

DATA = Path(__file__).resolve().parent / "data" / "bib"
AUTHORS = ["merge/jones.bib", "merge/lee.bib", "merge/park.bib"]


@pytest.fixture(scope="module")
def merged():
    return merge_files(DATA, AUTHORS)


def test_identical_works_become_one_entry_under_the_first_files_key(merged):
    bib, diags = load_text(merged.text, "shared.bib")
    assert [d.name for d in diags] == []
    assert merged.entries_in == 14 and merged.entries_out == len(bib.entries) == 9
    keohane = bib.entries["keohane1984after"]
    assert keohane.title == "After Hegemony: Cooperation and Discord in the World Political Economy"
    # a field only one file had is kept
    assert keohane.fields["isbn"] == "978-0-691-12248-9"
    assert sorted(keohane.aliases) == ["Keohane1984", "Keohane:AH"]
    for old in ("Keohane:AH", "Keohane1984"):
        assert bib.get(old) is keohane
    acharya = bib.entries["acharya2004ideas"]
    assert acharya.doi == "10.1017/S0020818304582024" and acharya.year == "2004"


def test_editions_stay_apart(merged):
    bib, _ = load_text(merged.text)
    assert bib.entries["bellamy2010understanding"].fields["edition"] == "2"
    assert [a.last for a in bib.entries["Bellamy:Understanding1"].authors] == ["Bellamy", "Williams", "Griffin"]


def test_conflicts_are_reported_field_by_field_and_kept_in_comments(merged):
    conflicts = [d for d in merged.diagnostics if d.name == "merge-conflict"]
    fields = sorted((d.data.get("key"), d.data.get("field"), d.data.get("other")) for d in conflicts if d.data)
    assert fields == [("acharya2004ideas", "title", "How Ideas Spread"), ("acharya2004ideas", "year", "2005"),
                      ("keohane1984after", "address", "Princeton"), ("keohane1984after", "title", "After Hegemony")]
    year = next(d for d in conflicts if d.data.get("field") == "year")
    assert year.location.file == "merge/park.bib" and year.location.line == 11
    assert "{2004}" in year.message and "kept" in year.message
    # differences of case, braces, hyphens and DOI case are not conflicts
    assert not any(d.data.get("field") in ("pages", "doi", "author") for d in conflicts if d.data)
    # nothing is dropped silently: every other value is in the file, above the entry
    assert "% conflict, kept the first file's value; year: merge/park.bib (Acharya2004) has {2005}" in merged.text
    assert "address: merge/lee.bib (Keohane:AH) has {Princeton}" in merged.text


def _meaning(entry, name: str):
    """What a field says, independent of how it is written (names by parts, pages by numbers, case)."""
    if name in ("author", "editor"):
        return [(n.last, n.first.replace(".", "")[:1]) for n in (entry.authors if name == "author" else entry.editors)]
    if name == "pages":
        return entry.pages
    value = entry.fields.get(name) or entry.get(name) or ""
    return value.casefold().rstrip(".")


def test_every_field_of_every_input_survives(merged):
    """Each field of each author's entry is in the shared entry with the same meaning, or its value is
    written in a conflict comment above that entry."""
    shared, _ = load_text(merged.text)
    checked = 0
    for rel in AUTHORS:
        bib, _ = parse_files([(rel, (DATA / rel).read_bytes())])
        for entry in bib.entries.values():
            target = shared.entries[merged.key_of[(rel, entry.key)]]
            for name, value in entry.raw_fields.items():
                if name == "crossref":
                    continue
                checked += 1
                assert target.get(name) is not None, (entry.key, name)
                if _meaning(target, name) != _meaning(entry, name):
                    assert f"{name}: {rel} ({entry.key}) has {{{value}}}" in merged.text, (entry.key, name)
    assert checked == 83


def test_one_key_for_two_works_is_renamed_and_reported(merged):
    bib, _ = load_text(merged.text)
    assert bib.entries["smith2017"].authors[0].first == "Sheila A."
    assert bib.entries["smith2017b"].title == "Disaster Relief Diplomacy in Northeast Asia"
    clash = next(d for d in merged.diagnostics if "two different works" in d.message)
    assert clash.location.file == "merge/lee.bib" and "smith2017b" in clash.suggestion
    assert "smith2017" not in merged.keymap  # an old key that is also a shared key is not remapped


def test_key_map_and_crossref_order(merged):
    assert merged.keymap == {"Acharya2004": "acharya2004ideas", "Acharya:2004": "acharya2004ideas",
                             "Capie2020": "capie2020southeast", "Keohane1984": "keohane1984after",
                             "Keohane:AH": "keohane1984after"}
    bib, _ = load_text(merged.text)
    chapter = bib.entries["capie2020southeast"]
    assert chapter.raw_fields["crossref"] == "williams2020handbook"
    keys = list(bib.entries)
    assert keys.index("williams2020handbook") > keys.index("capie2020southeast")  # BibTeX reads parents last
    assert keys[-1] == "williams2020handbook"


def test_merge_is_deterministic():
    assert merge_files(DATA, AUTHORS).text == merge_files(DATA, AUTHORS).text


def test_cli_merge_writes_the_shared_file_and_key_map(tmp_path, cli):
    root = tmp_path / "issue"
    (root / "contrib").mkdir(parents=True)
    (root / "issue.toml").write_text('[issue]\ntitle = "T"\nbibliography = ["bibliography/*.bib"]\n',
                                     encoding="utf-8")
    for rel in AUTHORS:
        shutil.copy(DATA / rel, root / "contrib" / Path(rel).name)
    result = cli(["refs", "merge", "contrib/jones.bib", "contrib/lee.bib", "contrib/park.bib",
                  "-o", "bibliography/shared.bib"], root)
    assert result.code == 0, result.stderr
    assert "14 entries from 3 files -> 9 entries (5 joined), 5 conflicts, 5 keys mapped" in result.stderr
    assert 'keymap = "bibliography/shared.keys.toml"' in result.stderr
    keys = tomllib.loads((root / "bibliography" / "shared.keys.toml").read_text(encoding="utf-8"))["keys"]
    assert keys["Keohane:AH"] == "keohane1984after"
    shared = (root / "bibliography" / "shared.bib").read_text(encoding="utf-8")
    assert "@book{keohane1984after," in shared and "merge-conflict" in result.stdout + result.stderr
    # merging again into the same file: it is read first, and the old file is kept
    result = cli(["refs", "merge", "bibliography/shared.bib", "contrib/park.bib", "-o", "bibliography/shared.bib"],
                 root)
    assert result.code == 0, result.stderr
    assert (root / "bibliography" / "shared.bib.bak").read_text(encoding="utf-8") == shared
    again, _ = load_text((root / "bibliography" / "shared.bib").read_text(encoding="utf-8"))
    assert len(again.entries) == 9


def test_cli_merge_refuses_broken_inputs_and_paths_outside(tmp_path, cli):
    root = tmp_path / "issue"
    root.mkdir()
    (root / "issue.toml").write_text('[issue]\ntitle = "T"\n', encoding="utf-8")
    shutil.copy(DATA / "broken.bib", root / "broken.bib")
    shutil.copy(DATA / "merge" / "jones.bib", root / "jones.bib")
    result = cli(["refs", "merge", "jones.bib", "broken.bib", "-o", "shared.bib"], root)
    assert result.code == 1 and not (root / "shared.bib").exists()
    assert "bib-syntax" in result.stderr and "nothing written" in result.stderr
    result = cli(["refs", "merge", "jones.bib", "-o", str(tmp_path / "elsewhere.bib")], root)
    assert result.code == 2 and "outside the issue folder" in result.stderr
    assert not (tmp_path / "elsewhere.bib").exists()
