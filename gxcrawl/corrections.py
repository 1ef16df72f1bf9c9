"""Corrections: a person's fix of a figure the parser misread, kept so that it stays fixed.

A correction (table `corrections`) names a report, a figure key, the value the
parser read and the cell's text as printed then, the corrected value, and the
content hash of the version it was made against. It is applied on top of every
reading of the report (crawl, import, reparse, ingest: `gxcrawl.recording`):

- to a reading of the same content, always;
- to a reading of changed content (a new version of the report), only where
  the corrected cell still reads as it did (same text, same value): what was
  wrong then is wrong now. Where it reads otherwise, the correction is not
  applied and is flagged for a person's review (`review`, `review_since`),
  with the figure as now read; it is never applied to a changed cell, and
  never dropped.

An applied correction replaces the figure, the report's derived values and
checks are computed again with it, and the figure's source says `corrected`
and keeps what was read. Nothing is deleted: a newer correction of the same
figure replaces an older one, which stays in the table.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlite_utils

from gxcrawl.cells import as_json_number
from gxcrawl.forms import FORM_LEGACY
from gxcrawl.model import now
from gxcrawl.parser.legacy import check_l1
from gxcrawl.report import Report, derive_and_check, printed_form

#: What a person writes for «the report does not give this figure».
BLANK_WORDS = frozenset({"", "null", "none", "blank"})


class CorrectionError(ValueError):
    """A correction that cannot be recorded; the message says why and what to do."""


@dataclass
class Correction:
    id: int
    report_id: str
    key: str
    read_value: Decimal | None
    read_raw: str | None
    value: Decimal | None
    content_sha256: str | None
    reason: str


@dataclass
class Review:
    """A correction that no longer fits the reading, and why."""

    correction: Correction
    why: str


def parse_value(text: str) -> Decimal | None:
    """A corrected value as a person types it: a number (「1,234」, 「103.38」), or null/none/blank for none given."""
    if text.strip().lower() in BLANK_WORDS:
        return None
    try:
        return Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise CorrectionError(f"{text!r} is not a number; write the figure (1234, 103.38) or 'null'") from None


def add_correction(
    db: sqlite_utils.Database, report_id: str, key: str, value: Decimal | None, reason: str, by: str | None = None
) -> int:
    """Record a correction of the report's current reading; its id."""
    if not reason.strip():
        raise CorrectionError("a correction needs a reason (--reason): what the document shows, and where")
    report = next(db.query("SELECT content_sha256 FROM reports WHERE id = ?", [report_id]), None)
    if report is None:
        raise CorrectionError(f"no report {report_id!r}; the report's id is its reports.id, as the browser shows it")
    figure = next(
        db.query(
            "SELECT f.value, s.raw, s.status, s.read_value FROM figures f LEFT JOIN figure_sources_current s "
            "ON s.report_id = f.report_id AND s.key = f.key WHERE f.report_id = ? AND f.key = ?",
            [report_id, key],
        ),
        None,
    )
    if figure is None:
        raise CorrectionError(f"report {report_id!r} has no figure {key!r}; its keys are in the figures table")
    read_value = figure["read_value"] if figure["status"] == "corrected" else figure["value"]
    return (
        db["corrections"]
        .insert(
            {
                "report_id": report_id,
                "key": key,
                "read_value": read_value,
                "read_raw": figure["raw"],
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
    """The rows of a corrections CSV: report_id, key, value, reason and optionally by."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"report_id", "key", "value", "reason"} - set(rows[0] if rows else ())
    if missing:
        raise CorrectionError(f"{path} lacks the columns {', '.join(sorted(missing))} (report_id,key,value,reason,by)")
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
            _decimal(row["value"]),
            row["content_sha256"],
            row["reason"],
        )
        for row in rows
    ]


def apply_corrections(report: Report, corrections: list[Correction]) -> list[Review]:
    """Apply to `report` the corrections that fit it (see the module's docstring); those that no longer do."""
    applied, reviews = [], []
    for correction in corrections:
        if correction.key not in report.figures:
            reviews.append(Review(correction, f"the report is now read as the {report.template} form, without it"))
            continue
        cell = report.cells.get(correction.key, {})
        reading = report.figures[correction.key]
        same_document = report.content_sha256 == correction.content_sha256
        if not same_document and (cell.get("raw"), reading) != (correction.read_raw, correction.read_value):
            reviews.append(
                Review(
                    correction,
                    f"a new version of the report reads {correction.key} as {_shown(reading)} from "
                    f"{cell.get('raw')!r}, where the correction was made against {_shown(correction.read_value)} "
                    f"from {correction.read_raw!r}",
                )
            )
            continue
        report.figures[correction.key] = correction.value
        report.cells[correction.key] = {
            **{name: value for name, value in cell.items() if name != "settled_by"},
            "corrected": {"id": correction.id, "read": as_json_number(reading)},
        }
        report.unsettled = [key for key in report.unsettled if key != correction.key]
        applied.append(
            f"{correction.key} corrected by a person from {_shown(reading)} to {_shown(correction.value)} "
            f"(correction {correction.id}: {correction.reason})"
        )
    if applied:
        _check_again(report)
        report.warnings.extend(applied)
    report.warnings.extend(
        f"correction {review.correction.id} of {review.correction.key} was not applied and awaits review: {review.why}"
        for review in reviews
    )
    return reviews


def flag_for_review(db: sqlite_utils.Database, reviews: list[Review]) -> None:
    """Mark corrections that no longer fit the report's current reading, once, with why."""
    for review in reviews:
        db.conn.execute(
            "UPDATE corrections SET review = ?, review_since = ? WHERE id = ? AND review IS NULL",
            [review.why, now(), review.correction.id],
        )


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
