"""Rules about in-text citations (C2xx)."""
from __future__ import annotations

from ..diagnostics.registry import rule

UNDEFINED = rule(
    "C201", "undefined-citation", "error",
    "A citation that no bibliography entry matches; the closest entries are suggested.",
    why="The reader cannot find the work, and the reference list will lack it. Often a misspelt key, an entry that "
        "was never added to the shared .bib, or a work the author meant to remove.",
    example="(Smith 2001)   with no entry by Smith dated 2001\n[@keohan1984]",
    instead="add the entry to the bibliography, or correct the citation: (Keohane 1984) / [@keohane1984after]")
SPELLING = rule(
    "C202", "author-spelling", "warning",
    "An author's name that matches an entry only approximately (a typo, or a misremembered spelling).",
    why="The reference list spells the name one way and the text another; readers and indexers notice.",
    example="(Keohan 1984)", instead="(Keohane 1984)")
ORDER = rule(
    "C203", "author-order", "warning",
    "The authors of an entry named in another order than the entry's.",
    why="Author order is part of the reference: 'Nye and Keohane 1977' is found under N in the list, not under K.",
    example="(Nye and Keohane 1977)", instead="(Keohane and Nye 1977)")
AUTHOR_LIST = rule(
    "C204", "author-list", "warning",
    "A co-author missing or extra, or 'et al.' used against the issue's style ([citations] et_al_min, default 4 "
    "as in Chicago author-date).",
    why="Chicago author-date names up to three authors and shortens four or more to 'et al.'; dropping a co-author "
        "of a two-author work takes credit away from them.",
    example="(Breslin et al. 2015)   for a work by Breslin and Wilson",
    instead="(Breslin and Wilson 2015)")
YEAR = rule(
    "C205", "year-mismatch", "warning",
    "The authors match an entry whose year is different (or the same work is cited with two different years).",
    why="The year is how the reader finds the work in the list; a wrong year sends them to another work or none.",
    example="(Keohane 1948)   for keohane1984after", instead="(Keohane 1984)")
AMBIGUOUS = rule(
    "C206", "ambiguous-citation", "error",
    "Two or more entries have the cited authors and year, so the text needs a/b suffixes to tell them apart.",
    why="'(Acharya 2009)' could be either of Acharya's 2009 books; the style adds 2009a and 2009b to the entries "
        "(in title order) and the text must use them.",
    example="(Acharya 2009)", instead="(Acharya 2009a) or (Acharya 2009b)")
REPEATED = rule(
    "C207", "repeated-citation", "warning",
    "The same work cited twice in one group of citations.",
    why="'(Keohane 1984; Keohane 1984, 12)' is a slip: merge the two, with both locators if they differ.",
    example="(Keohane 1984, 12; Waltz 1979; Keohane 1984, 30)", instead="(Keohane 1984, 12, 30; Waltz 1979)")
LOCATOR_RANGE = rule(
    "C208", "locator-out-of-range", "warning",
    "A page locator outside the page range of the cited article or chapter.",
    why="Page 900 of an article on pp. 685-708 is a typo or the wrong work; readers cannot find the passage.",
    example="(Grieco 1988, 900)   for an article on pp. 485-507", instead="(Grieco 1988, 490)")
LOCATOR_STYLE = rule(
    "C209", "locator-style", "info",
    "A page locator written against the issue's house style ([citations] locator_style: \", 246\" (Chicago, the "
    "default), \": 246\" or \", p. 246\").",
    why="One issue, one style: copy-editors otherwise correct every locator by hand.",
    example="(Keohane 1984: 12)   in an issue with locator_style = \", 246\"", instead="(Keohane 1984, 12)")
UNUSED = rule(
    "C210", "unused-entry", "warning",
    "A bibliography entry that no manuscript of the issue cites ([citations] unused_entry = \"error\", "
    "\"warning\", \"info\" or \"off\").",
    why="The reference list of an author-date article lists only works cited; an uncited entry is a citation that "
        "was deleted, or one that is missing from the text.",
    example="@book{waltz1959man, ...}   cited nowhere", instead="cite it, or delete it from the .bib")
SECONDARY = rule(
    "C211", "secondary-source-missing", "error",
    "A 'cited in' / 'quoted in' citation whose source (the work actually read) is not in the bibliography.",
    why="In 'Carr cited in Wight 1991', Wight 1991 is the reference the reader needs; Carr's own work need not be "
        "listed.",
    example="(Carr cited in Wight 1991, 23)   with no entry for Wight 1991",
    instead="add Wight 1991 to the bibliography")
INCONSISTENT = rule(
    "C212", "inconsistent-citation", "warning",
    "One work cited under different keys or in different forms across the issue (\"HIPPO 2015\" in one paper, "
    "\"United Nations 2015\" in another; two .bib keys for one book).",
    why="Readers of an issue should find a work cited the same way in every paper, and it should appear once in "
        "the reference lists.",
    example="Cook: (HIPPO 2015)   Newby: (United Nations High-Level Independent Panel on Peace Operations 2015)",
    instead="agree on one form (an alias in issue.toml maps both to one entry) and one key")
