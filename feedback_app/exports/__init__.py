"""The Excel synthesis: a pure builder fed with query results (no Flask objects inside)."""

from feedback_app.exports.data import (
    FilterSummary,
    IdeaGroupRow,
    ItemRow,
    RegionFigures,
    Synthesis,
    ThemeCount,
    WorkbookData,
)
from feedback_app.exports.workbook import BuildResult, build_workbook

__all__ = [
    "BuildResult",
    "FilterSummary",
    "IdeaGroupRow",
    "ItemRow",
    "RegionFigures",
    "Synthesis",
    "ThemeCount",
    "WorkbookData",
    "build_workbook",
]
