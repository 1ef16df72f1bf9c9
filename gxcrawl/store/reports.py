"""Reports and their versions: one current row per (agency, year), every distinct version kept.

- `store_report(db, report, fetch)` keeps one current row per (source, agency,
  year): the later publication wins, on a tie the higher portal id. Every
  distinct version ever seen stays in `report_versions` (a legacy report's
  statistics table in `legacy_rows`, where each figure was read in
  `figure_sources`, by version); the summary tables move with the current
  row (gxcrawl.store.summaries); unchanged content is
  not rewritten. One transaction per report: a crash leaves either the whole report or none of it.
- `store_reading` stores a reading, or records why it could not be stored;
- `carried_over_warning` is rule R6, against last year's stored report.

Nothing once stored is deleted or silently overwritten.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from gxcrawl.cells import as_json_number
from gxcrawl.model import Fetch
from gxcrawl.report import Report
from gxcrawl.store.characters import index_characters
from gxcrawl.store.rows import write_row
from gxcrawl.store.runs import record_failure
from gxcrawl.store.scorecards import agency_names, score_with_neighbour
from gxcrawl.store.sources import read_from, refresh_sources, store_sources
from gxcrawl.store.summaries import apply_change, contribution, refresh_agency

#: The headline columns of `reports` and the figure each shows.
HEADLINES = {
    "applications_new": "applications.new.total",
    "applications_total": "applications.total.total",
    "granted": "applications.granted.total",
    "review_total": "review.total",
    "suit_total": ("suit_direct.total", "suit_after_review.total"),
    "fees": "active.fees.amount",
}

NEW, CHANGED, UNCHANGED, OLDER = "new", "changed", "unchanged", "older"


def report_id(source: str, agency: str, year: int) -> str:
    return f"{source}/{agency}/{year}"


def identity_key(db: sqlite_utils.Database, source: str, agency: str, year: int) -> str:
    """The report id of (agency, year): the one already stored, whichever spider found it first, else a new one.

    One agency's report of one year is one report however many sites publish it: what another
    spider or an import finds of it becomes a version of the same report.
    """
    found = next(
        db.query(
            # Named: the planner, without statistics, would rather read every report of the year from
            # reports_by_year, which holds the columns asked; at a million reports that is most of a store's time.
            "SELECT id FROM reports INDEXED BY reports_by_agency WHERE agency = ? AND year = ? "
            "ORDER BY source = ? DESC LIMIT 1",
            [agency, year, source],
        ),
        None,
    )
    return found["id"] if found else report_id(source, agency, year)


def store_report(db: sqlite_utils.Database, report: Report, fetch: Fetch, run_id: int | None = None) -> str:
    """Store one parsed report; returns new, changed, unchanged, or older (kept as history only).

    A version is the report's normalised text, its figures and its URL: a version
    seen before only updates `last_seen`.
    """
    agency = report.agency or fetch.agency
    year = report.year or fetch.year
    if not agency or not year:
        raise ValueError("a report needs an agency and a year to be stored")
    figures = {k: as_json_number(v) for k, v in report.figures.items()}
    figures_json = json.dumps(figures, ensure_ascii=False, sort_keys=True)
    # A reading whose derived values changed (a parser improvement, then reparse) is a new version.
    derived_json = (
        json.dumps(
            {key: [as_json_number(value), report.derived_rules.get(key)] for key, value in report.derived.items()},
            ensure_ascii=False,
            sort_keys=True,
        )
        if report.derived
        else None
    )
    # The corrections applied are part of a reading: the same figures read anew, or corrected by another correction,
    # are another version (a correction taken back is a new version, not the old one reinstated).
    corrections = sorted(cell["corrected"]["id"] for cell in report.cells.values() if "corrected" in cell)
    corrections_json = json.dumps(corrections) if corrections else None
    with db.atomic():
        key = identity_key(db, fetch.source, agency, year)
        current = next(db.query("SELECT * FROM reports WHERE id = ?", [key]), None)
        seen = next(
            db.query(
                "SELECT id, superseded, documents, read_from FROM report_versions WHERE report_id = ? "
                "AND content_sha256 = ? AND url IS ? AND figures = ? AND derived IS ? AND corrections IS ? "
                "ORDER BY id DESC",
                [key, report.content_sha256, fetch.url, figures_json, derived_json, corrections_json],
            ),
            None,
        )
        # A superseded version seen again as the newest (a correction taken back) is current once more.
        reinstated = (
            seen
            and seen["superseded"]
            and current is not None
            and current["content_sha256"] != report.content_sha256
            and _is_newer(fetch, current)
        )
        if seen and not reinstated:
            db.conn.execute("UPDATE reports SET last_seen = ? WHERE id = ?", [fetch.fetched_at, key])
            db.conn.execute(
                "UPDATE report_versions SET etag = ?, last_modified = ? WHERE id = ?",
                [fetch.etag, fetch.last_modified, seen["id"]],
            )
            refresh_sources(db, seen, read_from(fetch.documents, report.file), report)
            return UNCHANGED
        newer = current is None or _is_newer(fetch, current)
        before = contribution(db, key) if newer else None
        version = write_row(
            db,
            "report_versions",
            {
                "report_id": key,
                "url": fetch.url,
                "portal_id": fetch.portal_id,
                "title": report.title,
                "published": fetch.published,
                "content_sha256": report.content_sha256,
                "fetched_at": fetch.fetched_at,
                "superseded": 0 if newer else 1,
                "template": report.template,
                "checks": json.dumps(report.checks),
                "figures": figures_json,
                "derived": derived_json,
                "documents": json.dumps(fetch.documents, ensure_ascii=False),
                "read_from": read_from(fetch.documents, report.file),
                "corrections": corrections_json,
                "etag": fetch.etag,
                "last_modified": fetch.last_modified,
                "source": fetch.source,
                "run_id": run_id,
            },
        )
        db.conn.executemany(
            "INSERT INTO legacy_rows (version_id, report_id, row, label, unit, value, cumulative, key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    version,
                    key,
                    row["row"],
                    row["label"],
                    row["unit"],
                    as_json_number(row["value"]),
                    as_json_number(row["cumulative"]),
                    row["key"],
                )
                for row in report.legacy_rows
            ),
        )
        store_sources(db, version, report)
        if not newer:
            return OLDER
        db.conn.execute(
            "UPDATE report_versions SET superseded = 1 WHERE report_id = ? AND id != "
            "(SELECT MAX(id) FROM report_versions WHERE report_id = ?)",
            [key, key],
        )
        row = _report_row(key, report, fetch, agency, year, figures)
        row["first_seen"] = current["first_seen"] if current else fetch.fetched_at
        for column in ("region", "area_code"):  # what one source knows and another does not is kept
            row[column] = row[column] or (current[column] if current else None)
        write_row(db, "reports", row, key="id")
        index_characters(db, key)
        # One statement a figure, not sqlite-utils' upsert_all (an insert and an update each): half the writer's time.
        db.conn.executemany(
            "INSERT INTO figures (report_id, key, value, derived, derived_rule) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (report_id, key) DO UPDATE SET value = excluded.value, derived = excluded.derived, "
            "derived_rule = excluded.derived_rule",
            (
                (key, k, v, as_json_number(report.derived.get(k)), report.derived_rules.get(k))
                for k, v in figures.items()
            ),
        )
        stale = set(_figure_keys(db, key)) - set(figures)
        if stale:  # re-read as the other form; the old figures stay in report_versions
            db.conn.execute(
                f"DELETE FROM figures WHERE report_id = ? AND key IN ({','.join('?' * len(stale))})", [key, *stale]
            )
        score_with_neighbour(db, key, agency, year)
        apply_change(db, before, contribution(db, key))
        refresh_agency(db, agency)
        return CHANGED if current else NEW


@dataclass
class Stored:
    """What became of one fetched report: its storage outcome, or the failure recorded instead."""

    outcome: str | None = None
    #: Failures recorded (attachments that could not be fetched, a report that could not be read)…
    failures: int = 0
    #: …and how many of those documents had failed before too.
    repeated: int = 0
    #: Why the report could not be stored, when it could not.
    problem: str | None = None
    #: Rule R6's warning, when last year's stored report disagrees (gxcrawl.recording).
    r6_warning: str | None = None


def store_reading(
    db: sqlite_utils.Database,
    report: Report | None,
    fetch: Fetch,
    title: str | None = None,
    attachment_errors: tuple[dict, ...] = (),
    run_id: int | None = None,
) -> Stored:
    """Store what was read from a report page and its attachments, or record why it could not be.

    Attachments that could not be downloaded (`{url, error}`) are failures of their own, and
    warnings of the report when it is stored anyway.
    """
    stored = Stored()

    def failed(failed_fetch: Fetch, error: str) -> None:
        stored.failures += 1
        stored.repeated += record_failure(db, failed_fetch, error, title=title, run_id=run_id)

    problems = [f"attachment {error['url']} {error['error']}" for error in attachment_errors]
    for error, problem in zip(attachment_errors, problems):
        failed(Fetch(fetch.source, error["url"]), problem)
    stored.problem = unstorable(report, fetch)
    if stored.problem:
        stored.problem = "; ".join([stored.problem, *problems])
        failed(fetch, stored.problem)
        return stored
    report.warnings.extend(problems)
    stored.outcome = store_report(db, report, fetch, run_id)
    return stored


def unstorable(report: Report | None, fetch: Fetch) -> str | None:
    """Why a reading cannot be stored (it could not be read, or nothing names its agency and year), or None."""
    if report is None:
        return "the report was not parsed"
    if report.error:
        return report.error
    if not ((report.agency or fetch.agency) and (report.year or fetch.year)):
        return "neither the report nor the portal names its agency and year"
    return None


def carried_over_warning(db: sqlite_utils.Database, report: Report) -> str | None:
    """Rule R6: this year's 上年结转 against last year's stored 结转下年度 of the same agency, as a warning."""
    if not (report.agency and report.year):
        return None
    last = previous_carried_forward(db.conn, report.agency, report.year)
    this = report.figures.get("applications.carried_over.total")
    if last is None or this is None or last == this:
        return None
    return f"R6: 上年结转 {this} ≠ {report.year - 1} 年报告的结转下年度 {last}"


def previous_carried_forward(connection, agency: str, year: int):
    """Last year's 结转下年度 total for an agency, under its current name or one linked to it (rule R6), or None;
    works on a plain sqlite3 connection."""
    names = agency_names(connection, agency)
    row = connection.execute(
        "SELECT f.value FROM reports r JOIN figures f ON f.report_id = r.id AND f.key = ? "
        f"WHERE r.agency IN ({', '.join('?' * len(names))}) AND r.year = ? ORDER BY r.id LIMIT 1",
        ["applications.carried_forward.total", *names, year - 1],
    ).fetchone()
    return None if row is None or row[0] is None else Decimal(str(row[0]))


def _figure_keys(db, key: str) -> list[str]:
    return [row["key"] for row in db.query("SELECT key FROM figures WHERE report_id = ?", [key])]


def _is_newer(fetch: Fetch, current: dict) -> bool:
    """The later publication date wins; on a tie (or no dates) the higher portal id, then the later fetch."""
    mine = (fetch.published or "", fetch.portal_id or 0)
    theirs = (current["published"] or "", current["portal_id"] or 0)
    return mine >= theirs


def _report_row(key: str, report: Report, fetch: Fetch, agency: str, year: int, figures: dict) -> dict:
    row = {
        "id": key,
        "source": fetch.source,
        "agency": agency,
        "year": year,
        "title": report.title,
        "region": fetch.region,
        "area_code": fetch.area_code,
        "published": fetch.published,
        "url": fetch.url,
        "portal_id": fetch.portal_id,
        "attachments": json.dumps(fetch.attachments, ensure_ascii=False),
        "template": report.template,
        "format": report.format,
        "checks": json.dumps(report.checks),
        "checks_failed": sum(outcome == "failed" for outcome in report.checks.values()),
        "check_failures": json.dumps(report.check_failures, ensure_ascii=False),
        "figures_found": report.figures_found,
        "warnings": json.dumps(report.warnings, ensure_ascii=False),
        "overview": report.sections.get("overview"),
        "problems": report.sections.get("problems"),
        "other_matters": report.sections.get("other"),
        "text": report.text,
        "content_sha256": report.content_sha256,
        "last_seen": fetch.fetched_at,
        "fetched_at": fetch.fetched_at,
    }
    for column, source in HEADLINES.items():
        keys = source if isinstance(source, tuple) else (source,)
        values = [figures.get(k) for k in keys]
        row[column] = None if any(v is None for v in values) else sum(Decimal(str(v)) for v in values)
        row[column] = as_json_number(row[column])
    return row
