"""The `reports_wide` view: one row per report, one column per figure key, with its identity, scorecard and checks.

What a spreadsheet or a dataframe wants, as SQL, so that datasette's own CSV
and JSON export serve it as `gxcrawl export` does. Each figure is looked up by
the figures table's primary key, so a page of the view costs its rows alone.
The view is made from the forms' definition (`FIGURE_KINDS`); `open_database`
makes it again when the forms gain a key.
"""

from gxcrawl.forms import FIGURE_KINDS
from gxcrawl.store.definitions import make_again

#: The columns before the figures: the report's identity, its scorecard, its checks.
IDENTITY = ("id", "source", "agency", "region", "area_code", "year", "published", "template", "format", "url", "title")
SCORECARD = (
    "score",
    "on_time",
    "days_late",
    "sections_missing",
    "cells_given",
    "rules_failed",
    "narrative",
    "copied_share",
)
CHECKS = ("checks", "checks_failed", "figures_found")
FIGURE_KEYS = tuple(FIGURE_KINDS)
#: The columns before the figures, as read from `reports r LEFT JOIN scorecards s` (the view, and the export).
HEADS = (*(f"r.{column}" for column in IDENTITY), *(f"s.{column}" for column in SCORECARD), *(f"r.{c}" for c in CHECKS))


def wide_view_sql() -> str:
    figures = ",\n    ".join(
        f"(SELECT value FROM figures f WHERE f.report_id = r.id AND f.key = '{key}') AS [{key}]" for key in FIGURE_KEYS
    )
    columns = ", ".join(HEADS)
    return (
        "CREATE VIEW reports_wide AS\n  SELECT "
        f"{columns},\n    {figures}\n  FROM reports r LEFT JOIN scorecards s ON s.report_id = r.id"
    )


def ensure_wide_view(connection) -> None:
    """Make the view, or make it again when the forms' keys changed since it was made."""
    make_again(connection, "view", "reports_wide", wide_view_sql())
