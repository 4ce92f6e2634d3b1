"""Rules about rendering and building (T1xx)."""
from ..diagnostics.registry import rule

TEMPLATE_ERROR = rule("T101", "template-error", "error",
                      "A template that cannot be rendered: a syntax error, an undefined variable, a forbidden file.",
                      why="The build stops rather than write a page with a hole in it.",
                      example="{{ contributions.jnoes.title }}", instead="{{ contributions.jones.title }}")
WRITER_ERROR = rule("T102", "output-failed", "error", "An output (PDF, EPUB, ...) could not be written.")
BUILD_LOCKED = rule("T103", "build-locked", "error", "Another `issue build` is running on this issue folder.")
UNKNOWN_STYLE = rule("T104", "unknown-csl-style", "error",
                     "The issue's citation style is neither a style of the offline CSL collection nor a .csl file in the "
                     "issue folder.",
                     why="Citations and reference lists are rendered in this style; without it they fall back to "
                         "chicago-author-date.",
                     example='style = "chicago-autor-date"', instead='style = "chicago-author-date"')
TEMPLATE_IN_MANUSCRIPT = rule("T105", "manuscript-expression-error", "error",
                              "A template expression in an editors' manuscript ({{ ... }}) that cannot be rendered.",
                              why="The introduction's expressions keep it in step with the manifest; a wrong name "
                                  "would print nothing useful.",
                              example="{{ contributions.jnoes.title }}", instead="{{ contributions.jones.title }}")
PAGES_DIFFER = rule("T106", "typeset-pages-differ", "info",
                    "A contribution's pages in the typeset PDF are not the `pages` that issue.toml gives it.",
                    why="The PDF opens each contribution on the first page issue.toml gives, and the website, JATS "
                        "and Crossref print issue.toml's pages; when the typeset text is longer or shorter, the "
                        "last pages differ.",
                    example='pages = "35-53"   # the PDF typesets it on pp. 35-42',
                    instead='pages = "35-42"   # accepted from build/pages.toml after `issue build --paginate`')
