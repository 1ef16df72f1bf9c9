"""Where each stored figure was read: one `figure_sources` row per figure of each stored version.

The rows are the report's `cells` (gxcrawl.parser.provenance.cell_json) laid out as columns; a reparse that reads a
version again writes them afresh, as they describe the parser's reading, not anything a person entered.
"""

import json

import sqlite_utils

COLUMNS = (
    "status",
    "raw",
    "table_number",
    "grid_row",
    "grid_column",
    "line",
    "position",
    "page",
    "box",
    "rule",
    "read_value",
    "correction_id",
    "failed_checks",
)


def source_rows(report) -> dict[str, dict]:
    """The `figure_sources` columns of each figure of a report (its `cells`, and the rule instances it fails in), by
    key."""
    rows = {}
    for key in report.cells.keys() | report.failing.keys():
        rows[key] = _row(report.cells.get(key, {}), report.figures.get(key))
        rows[key]["failed_checks"] = "; ".join(report.failing.get(key, ())) or None
    return rows


def _row(cell: dict, value) -> dict:
    table, grid_row, grid_column = cell.get("cell") or (None, None, None)
    line, position = cell.get("line") or (None, None)
    return {
        "status": status(cell, value),
        "raw": cell.get("raw"),
        "table_number": table,
        "grid_row": grid_row,
        "grid_column": grid_column,
        "line": line,
        "position": position,
        "page": cell.get("page"),
        "box": json.dumps(cell["box"]) if "box" in cell else None,
        "rule": cell.get("rule") or cell.get("settled_by") or None,
        "read_value": cell["corrected"]["read"] if "corrected" in cell else None,
        "correction_id": cell["corrected"]["id"] if "corrected" in cell else None,
    }


def status(cell: dict, value) -> str:
    """How the figure came to be: corrected by a person, derived from a blank cell, settled by the arithmetic among
    several readings, read from a blank cell, printed but not read (not a number, or readings the arithmetic did not
    settle: null, with a warning), or read (a legacy statistics table's figures, whose cells are not placed yet,
    among them)."""
    if "corrected" in cell:
        return "corrected"
    if cell.get("rule"):
        return "derived"
    if cell.get("settled_by"):
        return "settled"
    if cell.get("raw") == "":
        return "blank"
    return "unread" if value is None and cell.get("raw") else "read"


def store_sources(db: sqlite_utils.Database, version_id: int, report) -> bool:
    """Write the version's sources, replacing what an earlier reading of it wrote; whether anything changed."""
    rows = source_rows(report)
    stored = {
        row["key"]: {column: row[column] for column in COLUMNS}
        for row in db.query("SELECT * FROM figure_sources WHERE version_id = ?", [version_id])
    }
    if stored == rows:
        return False
    db.conn.execute("DELETE FROM figure_sources WHERE version_id = ?", [version_id])
    # Not sqlite-utils' insert_all: it looks rows up by rowid afterwards, which a WITHOUT ROWID table has not.
    db.conn.executemany(
        f"INSERT INTO figure_sources (version_id, key, {', '.join(COLUMNS)}) VALUES (?, ?{', ?' * len(COLUMNS)})",
        ([version_id, key, *(row[column] for column in COLUMNS)] for key, row in rows.items()),
    )
    return True


def read_from(documents: list[dict], file: str) -> str | None:
    """The sha256 of the document among a version's `documents` that the figures were read from (`Report.file`,
    the document's URL; an imported file, read by its name, is the only document)."""
    if len(documents) == 1:
        return documents[0].get("sha256")
    return next((document.get("sha256") for document in documents if document.get("url") == file), None)


def refresh_sources(db: sqlite_utils.Database, version: dict, document: str | None, report) -> None:
    """A version read again (a reparse, or the same report fetched again): its sources written afresh, when they
    describe the very document the version was read from. The same text fetched as other bytes (a PDF exported
    anew) places its cells elsewhere: the version keeps the sources of its own document."""
    documents = {entry.get("sha256") for entry in json.loads(version["documents"] or "[]")}
    if document is None or document not in documents or version["read_from"] not in (None, document):
        return
    db.conn.execute("UPDATE report_versions SET read_from = ? WHERE id = ?", [document, version["id"]])
    store_sources(db, version["id"], report)
