"""Rules about the manifest, issue.toml (M1xx)."""
from .diagnostics.registry import rule

TOML_SYNTAX = rule("M101", "manifest-syntax", "error", "issue.toml is not valid TOML.",
                   why="Nothing can be checked or built until the manifest can be read.",
                   example='title = "Cooperation', instead='title = "Cooperation"')
UNKNOWN_KEY = rule("M102", "unknown-manifest-key", "error", "A key the manifest does not know (often a typo).",
                   why="A misspelt key is silently ignored by most tools; here it is reported with the nearest known key.",
                   example='[issue]\ntitel = "..."', instead='[issue]\ntitle = "..."')
WRONG_TYPE = rule("M103", "wrong-type", "error", "A manifest value of the wrong type.",
                  example='year = "twenty twenty"', instead="year = 2020")
MISSING_FIELD = rule("M104", "missing-manifest-field", "error", "A required manifest field is missing.",
                     example='[[contributions]]\nid = "jones"', instead='[[contributions]]\nid = "jones"\nfile = "papers/jones.docx"\ntitle = "..."')
DUPLICATE_ID = rule("M105", "duplicate-contribution-id", "error", "Two contributions share one id.",
                    why="Ids name output files, URLs and cross-reference targets; they must be unique.")
MISSING_FILE = rule("M106", "missing-file", "error", "A file named in the manifest does not exist.",
                    example='file = "papers/jnoes.docx"', instead='file = "papers/jones.docx"')
OUTSIDE = rule("M107", "path-outside-issue", "error",
               "A path leaves the issue folder (through '..', an absolute path or a symlink).",
               why="Manifests travel between people; `issue` never reads or writes outside the issue folder.",
               example='file = "../../etc/passwd"', instead='file = "papers/jones.md"')
BAD_ORCID = rule("M108", "invalid-orcid", "error", "An ORCID iD with the wrong form or check digit.",
                 example='orcid = "0000-0002-1825-0098"', instead='orcid = "0000-0002-1825-0097"')
BAD_ISSN = rule("M109", "invalid-issn", "error", "An ISSN with the wrong form or check digit.",
                example='issn = "1035-7717"', instead='issn = "1035-7718"')
BAD_ISBN = rule("M110", "invalid-isbn", "error", "An ISBN-10 or ISBN-13 with the wrong form or check digit.",
                example='isbn = "978-0-691-02228-5"', instead='isbn = "978-0-691-02228-4"')
BAD_DOI = rule("M111", "invalid-doi", "error", "A DOI that is not of the form 10.NNNN/suffix.",
               example='doi = "10.1080 10357718.2019.1693501"', instead='doi = "10.1080/10357718.2019.1693501"')
BAD_VALUE = rule("M112", "invalid-value", "error", "A manifest value outside the values allowed for its key.",
                 example='kind = "artcle"', instead='kind = "article"')
NO_MANIFEST = rule("M113", "no-manifest", "error", "No issue.toml in this folder or its parents.",
                   instead="Run `issue init DIR` to start an issue, or pass --project DIR.")
