"""Rules about cross-references between the contributions of the issue (X3xx)."""
from __future__ import annotations

from ..diagnostics.registry import rule

UNKNOWN = rule(
    "X301", "unknown-contribution", "error",
    "A cross-reference names someone who does not contribute to the issue.",
    why="A reader who looks for 'Smith, this issue' finds no such paper; often a typo, a withdrawn paper, or a "
        "paper of another issue.",
    example="(Smith, this issue)",
    instead="(Hirono, this issue)   or, for a paper published elsewhere, an author-date citation: (Smith 2019)")
AMBIGUOUS = rule(
    "X302", "ambiguous-contribution", "error",
    "A cross-reference could mean more than one contribution (two contributors share a surname, or one person "
    "wrote two contributions).",
    why="The website links each cross-reference to one paper and print gives its pages; with two candidates neither "
        "can be done, and the reader cannot tell either.",
    example="(Jones, this issue)   where Catherine Jones and Lee Jones both contribute",
    instead="(Catherine Jones, this issue)")
COAUTHOR_OMITTED = rule(
    "X303", "coauthor-omitted", "info",
    "A co-authored contribution named by one of its authors only.",
    why="Co-authors share the credit; 'Cook, this issue' for a paper by Cook and Yogendran leaves one of them out.",
    example="(Cook, this issue)",
    instead="(Cook and Yogendran, this issue)")
SELF_REFERENCE = rule(
    "X304", "self-reference", "warning",
    "A contribution refers to itself as if it were another paper of the issue.",
    why="'Newby, this issue' in Newby's own paper is usually a pasted sentence or a paragraph moved from another "
        "paper; the author means 'this article' or 'above'.",
    example="(Newby, this issue)   in Newby's paper",
    instead="as I argue above   or   (see section 3)")
UNREFERENCED = rule(
    "X305", "unreferenced-contribution", "warning",
    "The introduction never mentions one of the issue's contributions.",
    why="The editors' introduction is the issue's map; a paper it does not mention is easy to miss.",
    example="(the introduction's overview names four of the five papers)",
    instead="Newby (this issue) shows how ...")
STYLE = rule(
    "X306", "crossref-style", "info",
    "Cross-references in the issue use different forms ('this issue', 'this volume', 'this collection').",
    why="One form throughout reads as one publication; set the house form in issue.toml: "
        "[crossrefs] house_form = \"this issue\" (by default the form most used in the issue).",
    example="(Mulloy, this volume)   while the other papers write 'this issue'",
    instead="(Mulloy, this issue)")
CITATION_OF_CONTRIBUTION = rule(
    "X307", "citation-of-contribution", "warning",
    "An author-date citation of a paper of this issue, which is not in the bibliography.",
    why="'(Hirono 2020)' sends the reader to a reference list where the paper is not; within the issue it is a "
        "cross-reference, which the website links and print gives with its pages.",
    example="(Hirono 2020)   in the issue of 2020",
    instead="(Hirono, this issue)")
