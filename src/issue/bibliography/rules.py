"""Rules about the shared bibliography (B1xx)."""
from ..diagnostics.registry import rule

SYNTAX = rule(
    "B101", "bib-syntax", "error", "A .bib entry that BibTeX cannot read (unclosed brace, missing comma, no key).",
    why="An entry that cannot be read cannot be cited; loading goes on with the next entry, so each broken "
        "entry is reported on its own.",
    example="@article{smith2017,\n  title = {Peacekeeping in Asia,\n  year = {2017}\n}",
    instead="@article{smith2017,\n  title = {Peacekeeping in Asia},\n  year = {2017}\n}")
ENCODING = rule(
    "B102", "bib-encoding", "warning", "A .bib file that is not UTF-8 (it is read as Latin-1/Windows-1252).",
    why="Other tools (biber, pandoc, Zotero) read .bib files as UTF-8; a Latin-1 'é' becomes garbage there.",
    example="% Encoding: ISO8859_1 (JabRef)", instead="Save the file as UTF-8 (JabRef: Library properties > Encoding).")
FILE = rule(
    "B103", "bibliography-file", "error",
    "A bibliography file that is missing, unreadable, or outside the issue folder; or a glob that matches nothing.",
    example='[issue]\nbibliography = ["bibliograpy/*.bib"]', instead='[issue]\nbibliography = ["bibliography/*.bib"]')
DUPLICATE_KEY = rule(
    "B104", "duplicate-key", "error", "Two entries with one key (also when the keys differ only in case).",
    why="A citation can only point to one of them; BibTeX and biber silently use the first, and keys that differ "
        "only in case clash in BibTeX and on case-insensitive file systems.",
    example="@book{paris2004, ...}\n@book{Paris2004, ...}",
    instead="Keep one entry, or give the second its own key (paris2004b).")
DUPLICATE_ENTRY = rule(
    "B105", "duplicate-entry", "warning",
    "One work under two keys: the same DOI, the same first author, year and title, or a near-identical title.",
    why="Two authors cite the same book under different keys; the reference list then shows it twice, perhaps "
        "with different details. Editions, volumes and parts that differ are not reported; pairs the editor "
        "declares distinct are listed in issue.toml.",
    example="@book{keohane1984, title = {After Hegemony}, ...}\n@book{Keohane:AH, title = {After hegemony}, ...}",
    instead='Merge them (issue refs merge), or declare them distinct:\n[bibliography]\n'
            'distinct = [["keohane1984", "Keohane:AH"]]')
MISSING_FIELD = rule(
    "B106", "missing-field", "error",
    "A field the entry type requires in the BibTeX/biblatex data model (an @article with no journal).",
    why="Without author, title, year or the journal/book it appeared in, the reference cannot be formatted "
        "or found.",
    example="@article{smith2017, author = {Smith, Ann}, title = {Peace}, year = {2017}}",
    instead="@article{smith2017, author = {Smith, Ann}, title = {Peace}, journal = {International "
            "Peacekeeping}, year = {2017}}")
INVALID_IDENTIFIER = rule(
    "B107", "invalid-identifier", "warning", "A DOI, ISBN, ISSN or URL with the wrong form or check digit.",
    why="Wrong identifiers produce dead links in the website and wrong metadata in Crossref deposits.",
    example="doi = {https://doi.org/10.1080/10357718.2019.1693501}",
    instead="doi = {10.1080/10357718.2019.1693501}")
FIELD_FORMAT = rule(
    "B108", "field-format", "warning",
    "A value written in a way styles mishandle: page ranges with one hyphen, malformed or future years and "
    "dates, titles in capitals, unbalanced braces, unprotected acronyms, name lists that do not split.",
    why="A CSL style lower-cases titles ('Nato'), and a name list with commas instead of 'and' cites the "
        "wrong surname.",
    example="title = {The UN and NATO in East Asia},\npages = {685-708},\nauthor = {Medie, Peace A., Kang, Alice J.}",
    instead="title = {The {UN} and {NATO} in East Asia},\npages = {685--708},\n"
            "author = {Medie, Peace A. and Kang, Alice J.}")
MISSING_CROSSREF = rule(
    "B109", "missing-crossref", "error", "A crossref or xdata field that names an entry that does not exist.",
    why="The entry inherits its book title, editors and publisher from that entry; without it they are missing.",
    example="@incollection{jones2019, crossref = {smith2019handbok}, ...}",
    instead="@incollection{jones2019, crossref = {smith2019handbook}, ...}")
UNDEFINED_STRING = rule(
    "B110", "undefined-string", "warning", "A value that uses an @string macro that is not defined.",
    why="BibTeX replaces an undefined macro with nothing; the journal name disappears.",
    example="journal = ajia,", instead='@string{ajia = {Australian Journal of International Affairs}}\n...\njournal = ajia,')
UNKNOWN_TYPE = rule(
    "B111", "unknown-entry-type", "info",
    "An entry type that neither BibTeX nor biblatex defines (@url, @manuscript); styles treat it as @misc.",
    example="@url{un2019, ...}", instead="@online{un2019, ...}")
MERGE_CONFLICT = rule(
    "B112", "merge-conflict", "warning",
    "`issue refs merge`: two files describe one work with different values for a field, or use one key for "
    "two different works.",
    why="The merged entry keeps the first file's value; the editor decides which is right. Nothing is dropped "
        "silently: every other value is listed, and in a comment above the merged entry.",
    example="jones.bib: year = {2017}; smith.bib: year = {2018}")
