"""Rules about reading manuscripts (D1xx)."""
from ..diagnostics.registry import rule

UNREADABLE = rule("D101", "unreadable-manuscript", "error", "A manuscript that cannot be read.",
                  why="A file that is damaged, encrypted or not what its name says cannot be checked or built.",
                  example="papers/jones.docx is a password-protected Word file",
                  instead="Save it again without a password, as .docx (not .doc).")
EMPTY = rule("D102", "empty-manuscript", "warning", "A manuscript with no text.")
UNSUPPORTED = rule("D103", "unsupported-format", "error",
                   "A manuscript in a format `issue` does not read (it reads .md, .markdown, .docx, .odt, .tex, .txt).",
                   example='file = "papers/jones.pages"', instead='file = "papers/jones.docx"')
RAW_MARKUP = rule("D104", "raw-markup-dropped", "warning",
                  "Raw HTML, LaTeX or Typst in a manuscript; it is dropped from every output.",
                  why="Manuscripts are untrusted: raw code could run scripts in the website or commands in the typesetter.",
                  example="<script>alert(1)</script>", instead="Write the content as text; ask the editors for a figure or table.")
TOO_LARGE = rule("D105", "manuscript-too-large", "error",
                 "A manuscript larger than the configured limit ([build] max_manuscript_mb, default 50).")
NO_REFERENCES = rule("D106", "no-reference-list", "info",
                     "A manuscript with no reference-list section (References, Bibliography, Works Cited).",
                     why="The author's own list helps the editors check what the shared bibliography should hold.")
UNCLOSED_MARKUP = rule("D107", "unclosed-markup", "warning",
                       "Markdown that opens bold, emphasis, code, a link or a footnote and never closes it.",
                       why="pandoc then prints the marker as text (a stray ** or ^[ in the published article), and "
                           "the words meant to be bold or in a note are not.",
                       example="ASEAN's **AHA Centre coordinated the response.",
                       instead="ASEAN's **AHA Centre** coordinated the response.")
