"""Corrections: a person's fix of a figure the parser misread, kept so that it stays fixed.

A correction (table `corrections`) names a report, a figure key, what the
parser read then (the value, the cell's text as printed and its place), the
corrected value, and the content hash of the version it was made against. It
is applied on top of every reading of the report (crawl, import, reparse,
ingest: `gxcrawl.recording`) where the corrected cell still reads as it did:
the same text, the same value, in the same place. What was wrong then is
wrong now. Where it reads otherwise (a new version of the report, or the
parser now reads the cell another way), the correction is not applied and is
flagged for a person's review (`review`, `review_since`), with the figure as
now read; it is never applied to a changed cell, and never dropped. A flagged
correction that fits a later reading again applies again, and its flag is
cleared.

An applied correction replaces the figure, the report's derived values and
checks are computed again with it, and the figure's source says `corrected`
and keeps what was read. Nothing is deleted: a newer correction of the same
figure replaces an older one, which stays in the table.
"""

import csv
import json
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from gxcrawl.cells import as_json_number, read_cell
from gxcrawl.forms import FIGURE_KINDS, FORM_LEGACY
from gxcrawl.model import now
from gxcrawl.parser.legacy import check_l1
from gxcrawl.report import Report, derive_and_check, printed_form

#: What a person writes for «the report does not give this figure».
BLANK_WORDS = frozenset({"null", "none", "blank"})


class CorrectionError(ValueError):
    """A correction that cannot be recorded; the message says why and what to do."""


@dataclass
class Correction:
    id: int
    report_id: str
    key: str
    read_value: Decimal | None
    read_raw: str | None
    #: Where the cell was then (`place_of`).
    read_place: str | None
    value: Decimal | None
    content_sha256: str | None
    reason: str


@dataclass
class Review:
    """A correction that no longer fits the reading, and why."""

    correction: Correction
    why: str


def parse_value(text: str, key: str) -> Decimal | None:
    """A corrected value as the document prints it, read as the parser reads a cell of that figure (「1,234」,
    「—」, 「103.38」 in 万元, 「12000元」), or null/none/blank for «the report does not give it»."""
    if text.strip().lower() in BLANK_WORDS:
        return None
    kind = FIGURE_KINDS.get(key)
    if kind is None:
        raise CorrectionError(f"{key!r} is not a figure key of the forms (see the figure_labels table)")
    reading = read_cell(text, kind)
    if reading.value is None or reading.problem:
        problem = reading.problem or f"cell {text.strip()!r} is empty"
        raise CorrectionError(
            f"{problem.removesuffix('; read as null')}; write the figure as printed (1234, 103.38) or null"
        )
    return reading.value


def add_correction(
    db: sqlite_utils.Database, report_id: str, key: str, value: Decimal | None, reason: str, by: str | None = None
) -> int:
    """Record a correction of the report's current reading; its id."""
    if not reason.strip():
        raise CorrectionError("a correction needs a reason (--reason): what the document shows, and where")
    report = next(db.query("SELECT content_sha256, template FROM reports WHERE id = ?", [report_id]), None)
    if report is None:
        raise CorrectionError(f"no report {report_id!r}; the report's id is its reports.id, as the browser shows it")
    printed = next(db.query("SELECT value FROM figures WHERE report_id = ? AND key = ?", [report_id, key]), None)
    if printed is None:
        raise CorrectionError(f"report {report_id!r} has no figure {key!r}; its keys are in the figures table")
    # Asked by itself: joined to the figures, the view would first gather every version's sources (minutes at scale).
    source = next(
        db.query("SELECT * FROM figure_sources_current WHERE report_id = ? AND key = ?", [report_id, key]), None
    )
    figure = {**(source or dict.fromkeys(db["figure_sources_current"].columns_dict)), "value": printed["value"]}
    placed = next(db.query("SELECT 1 FROM figure_sources_current WHERE report_id = ? LIMIT 1", [report_id]), None)
    if not placed and report["template"] != FORM_LEGACY:  # a legacy table's figures are not placed yet
        raise CorrectionError(
            "the report was stored by a gxcrawl that did not keep where figures were read: run `gxcrawl reparse` "
            "first, so that the correction names the cell it corrects"
        )
    read_value = figure["read_value"] if figure["status"] == "corrected" else figure["value"]
    return (
        db["corrections"]
        .insert(
            {
                "report_id": report_id,
                "key": key,
                "read_value": read_value,
                "read_raw": figure["raw"],
                "read_place": stored_place(figure),
                "value": as_json_number(value),
                "content_sha256": report["content_sha256"],
                "reason": reason.strip(),
                "made_by": by,
                "made_at": now(),
            }
        )
        .last_pk
    )


def read_corrections_file(path: str) -> list[dict]:
    """The rows of a corrections CSV (UTF-8): report_id, key, value, reason and optionally by."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            columns = set(reader.fieldnames or ())
    except UnicodeDecodeError:
        raise CorrectionError(f"{path} is not UTF-8 text; save it as CSV UTF-8") from None
    except csv.Error as error:
        raise CorrectionError(f"{path} is not a readable CSV ({error})") from None
    missing = {"report_id", "key", "value", "reason"} - columns
    if missing:
        raise CorrectionError(f"{path} lacks the columns {', '.join(sorted(missing))} (report_id,key,value,reason,by)")
    if not rows:
        raise CorrectionError(f"{path} has no corrections under its header")
    return rows


def current_corrections(db: sqlite_utils.Database, report_id: str) -> list[Correction]:
    """The latest correction of each figure of a report."""
    rows = db.query(
        "SELECT * FROM corrections WHERE id IN (SELECT max(id) FROM corrections WHERE report_id = ? GROUP BY key)",
        [report_id],
    )
    return [
        Correction(
            row["id"],
            row["report_id"],
            row["key"],
            _decimal(row["read_value"]),
            row["read_raw"],
            row["read_place"],
            _decimal(row["value"]),
            row["content_sha256"],
            row["reason"],
        )
        for row in rows
    ]


def apply_corrections(report: Report, corrections: list[Correction]) -> tuple[list[Correction], list[Review]]:
    """Apply to `report` the corrections that fit it (see the module's docstring); those applied, and those that no
    longer fit."""
    applied, reviews, said = [], [], []
    for correction in corrections:
        if correction.key not in report.figures:
            reviews.append(Review(correction, f"the report is now read as the {report.template} form, without it"))
            continue
        cell = report.cells.get(correction.key, {})
        reading = report.figures[correction.key]
        then = (correction.read_raw, correction.read_value, correction.read_place)
        if (cell.get("raw"), reading, place_of(cell)) != then:
            reviews.append(
                Review(
                    correction,
                    f"the report now reads {correction.key} as {_shown(reading)} from {cell.get('raw')!r} "
                    f"{_where(place_of(cell))}, where the correction was made against "
                    f"{_shown(correction.read_value)} from {correction.read_raw!r} {_where(correction.read_place)}",
                )
            )
            continue
        report.figures[correction.key] = correction.value
        report.cells[correction.key] = {
            **{name: value for name, value in cell.items() if name != "settled_by"},
            "corrected": {"id": correction.id, "read": as_json_number(reading)},
        }
        report.unsettled = [key for key in report.unsettled if key != correction.key]
        applied.append(correction)
        said.append(
            f"{correction.key} corrected by a person from {_shown(reading)} to {_shown(correction.value)} "
            f"(correction {correction.id}: {correction.reason})"
        )
    if applied:
        _check_again(report)
        report.warnings.extend(said)
    report.warnings.extend(
        f"correction {review.correction.id} of {review.correction.key} was not applied and awaits review: {review.why}"
        for review in reviews
    )
    return applied, reviews


def place_of(cell: dict) -> str | None:
    """A cell's place (its table, row and column, or line and position; its page) as one comparable text."""
    place = {name: cell[name] for name in ("cell", "line", "page") if name in cell}
    return json.dumps(place, sort_keys=True) if place else None


def stored_place(row: dict) -> str | None:
    """`place_of` a figure_sources row."""
    cell = {}
    if row.get("table_number") is not None:
        cell["cell"] = [row["table_number"], row["grid_row"], row["grid_column"]]
    elif row.get("line") is not None:
        cell["line"] = [row["line"], row["position"]]
    if row.get("page") is not None:
        cell["page"] = row["page"]
    return place_of(cell)


def flag_for_review(db: sqlite_utils.Database, applied: list[Correction], reviews: list[Review]) -> None:
    """Mark the corrections that no longer fit the report's current reading, once, with why; clear the flag of those
    that fit it again."""
    for review in reviews:
        db.conn.execute(
            "UPDATE corrections SET review = ?, review_since = ? WHERE id = ? AND review IS NULL",
            [review.why, now(), review.correction.id],
        )
    for correction in applied:
        db.conn.execute("UPDATE corrections SET review = NULL, review_since = NULL WHERE id = ?", [correction.id])


def _check_again(report: Report) -> None:
    """The report's derived values and checks with its corrected figures; each figure's source names the rule that
    derives it now."""
    if report.template == FORM_LEGACY:
        checks = check_l1(report.figures)
        report.checks, report.check_failures, report.failing = checks.outcomes, checks.failures, checks.failing
        return
    derive_and_check(report, printed_form(report.template, report.figures))
    for key in list(report.cells):
        cell = {name: value for name, value in report.cells[key].items() if name != "rule"}
        if key in report.derived_rules:
            cell["rule"] = report.derived_rules[key]
        report.cells[key] = cell
    for key, rule in report.derived_rules.items():
        report.cells.setdefault(key, {"rule": rule})
    report.cells = {key: cell for key, cell in report.cells.items() if cell}


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _shown(value: Decimal | None) -> str:
    return "blank" if value is None else str(value)


def _where(place: str | None) -> str:
    return f"at {place}" if place else "(not placed)"
