"""Rules about rendering and building (T1xx)."""
from ..diagnostics.registry import rule

TEMPLATE_ERROR = rule("T101", "template-error", "error",
                      "A template that cannot be rendered: a syntax error, an undefined variable, a forbidden file.",
                      why="The build stops rather than write a page with a hole in it.",
                      example="{{ contributions.jnoes.title }}", instead="{{ contributions.jones.title }}")
WRITER_ERROR = rule("T102", "output-failed", "error", "An output (PDF, EPUB, ...) could not be written.")
BUILD_LOCKED = rule("T103", "build-locked", "error", "Another `issue build` is running on this issue folder.")
