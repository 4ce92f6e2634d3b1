"""The bibliography analysis of `issue check`: the B1xx findings on the loaded bibliography."""
from __future__ import annotations

from ..pipeline import AnalysisResult, Context
from .checks import check_bibliography


def analyse(ctx: Context) -> AnalysisResult:
    if ctx.bibliography is None:
        return AnalysisResult()
    return AnalysisResult(records=[], diagnostics=check_bibliography(ctx.bibliography, ctx.issue.bib or {}))
