"""Summary tables the writer keeps up to date, so that the totals pages read a few hundred rows, not millions.

- `summary_totals`: per source, region and year, how many current reports and
  the sums of their headline figures (the yearly totals query and chart);
- `summary_outcomes`: per source, region and year, the applications answered
  in each of table 三's result categories (the outcomes query and chart).

The writer applies each report's change as a difference in the transaction
that stores it (`apply_change`: what the report contributed before, taken
away; what it contributes now, added), so a crash leaves the summaries and the
reports in step. `rebuild_summaries` computes them from scratch, with the very
queries they replace (`TOTALS_QUERY`, `OUTCOMES_QUERY`): `gxcrawl
rebuild-summaries`, and the tests' reference.
"""

from decimal import Decimal

import sqlite_utils

#: The reports table's headline columns summed per source, region and year. A report whose portal does not say its
#: region counts under '' (a key cannot be NULL); the queries call it unknown.
SUMMED = ("applications_new", "applications_total", "granted", "review_total", "suit_total", "fees")

#: Each headline column is kept as its sum over the reports that give it (`<column>`) and how many give it
#: (`<column>_given`): a total no report gives is unknown, not 0.
SUMMARY_TABLES = (
    "CREATE TABLE IF NOT EXISTS summary_totals (source TEXT NOT NULL, region TEXT NOT NULL, year INTEGER NOT NULL, "
    "reports INTEGER NOT NULL, "
    + ", ".join(f"{column} NUMERIC NOT NULL DEFAULT 0, {column}_given INTEGER NOT NULL DEFAULT 0" for column in SUMMED)
    + ", PRIMARY KEY (source, region, year))",
    "CREATE TABLE IF NOT EXISTS summary_outcomes (source TEXT NOT NULL, region TEXT NOT NULL, year INTEGER NOT NULL, "
    "outcome TEXT NOT NULL, applications NUMERIC NOT NULL, reports INTEGER NOT NULL, "
    "PRIMARY KEY (source, region, year, outcome))",
)
TOTALS_QUERY = (
    "SELECT source, coalesce(region, '') AS region, year, count(*) AS reports, "
    + ", ".join(f"total({column}), count({column})" for column in SUMMED)
    + " FROM reports GROUP BY source, coalesce(region, ''), year"
)
OUTCOMES_QUERY = (
    "SELECT r.source, coalesce(r.region, '') AS region, r.year, l.outcome, sum(f.value) AS applications, "
    "count(DISTINCT r.id) AS reports FROM reports r "
    "CROSS JOIN figure_labels l ON l.template = r.template AND l.outcome IS NOT NULL AND l.column_key = 'total' "
    "CROSS JOIN figures f ON f.report_id = r.id AND f.key = l.key AND f.value IS NOT NULL "
    "GROUP BY r.source, coalesce(r.region, ''), r.year, l.outcome"
)


def contribution(db: sqlite_utils.Database, report_id: str) -> tuple[tuple | None, dict, dict[str, Decimal]]:
    """What a stored report adds to the summaries now: its (source, region, year), its headline figures, and its
    answered applications per outcome; (None, {}, {}) when it is not stored."""
    row = db.execute(
        f"SELECT source, coalesce(region, ''), year, template, {', '.join(SUMMED)} FROM reports WHERE id = ?",
        [report_id],
    ).fetchone()
    if row is None:
        return None, {}, {}
    outcomes: dict[str, Decimal] = {}
    for outcome, value in db.execute(
        "SELECT l.outcome, f.value FROM figure_labels l JOIN figures f ON f.report_id = ? AND f.key = l.key "
        "WHERE l.template = ? AND l.outcome IS NOT NULL AND l.column_key = 'total'",
        [report_id, row[3]],
    ):
        if value is not None:
            outcomes[outcome] = outcomes.get(outcome, Decimal(0)) + Decimal(str(value))
    return tuple(row[:3]), dict(zip(SUMMED, row[4:])), outcomes


def apply_change(db: sqlite_utils.Database, before: tuple, after: tuple) -> None:
    """Move the summaries from a report's contribution `before` to `after` (each from `contribution`)."""
    for sign, (place, figures, outcomes) in ((-1, before), (1, after)):
        if place is None:
            continue
        _add_totals(db, place, sign, figures)
        for outcome, applications in outcomes.items():
            db.conn.execute(
                "INSERT INTO summary_outcomes (source, region, year, outcome, applications, reports) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET applications = applications + "
                "excluded.applications, reports = reports + excluded.reports",
                [*place, outcome, _number(sign * applications), sign],
            )
    db.conn.execute("DELETE FROM summary_totals WHERE reports = 0")
    db.conn.execute("DELETE FROM summary_outcomes WHERE reports = 0")


def _add_totals(db, place: tuple, sign: int, figures: dict) -> None:
    values = []
    for column in SUMMED:
        given = figures[column] is not None
        values += [sign * Decimal(str(figures[column])) if given else 0, sign * given]
    columns = [name for column in SUMMED for name in (column, f"{column}_given")]
    db.conn.execute(
        f"INSERT INTO summary_totals (source, region, year, reports, {', '.join(columns)}) "
        f"VALUES (?, ?, ?, ?, {', '.join('?' * len(columns))}) ON CONFLICT DO UPDATE SET reports = reports + "
        "excluded.reports, " + ", ".join(f"{name} = {name} + excluded.{name}" for name in columns),
        [*place, sign, *(_number(value) for value in values)],
    )


def _number(value: Decimal | int):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def rebuild_summaries(db: sqlite_utils.Database) -> None:
    """Compute the summaries from scratch, with the queries they replace."""
    with db.atomic():
        db.conn.execute("DELETE FROM summary_totals")
        db.conn.execute("DELETE FROM summary_outcomes")
        columns = ", ".join(name for column in SUMMED for name in (column, f"{column}_given"))
        db.conn.execute(f"INSERT INTO summary_totals (source, region, year, reports, {columns}) {TOTALS_QUERY}")
        db.conn.execute(
            f"INSERT INTO summary_outcomes (source, region, year, outcome, applications, reports) {OUTCOMES_QUERY}"
        )


def summaries_match(connection) -> bool:
    """Whether the summaries count the reports there are: a cheap sign that nothing wrote reports around the writer
    (a hand edit, an older gxcrawl). Works on a plain connection."""
    summed = connection.execute("SELECT coalesce(sum(reports), 0) FROM summary_totals").fetchone()[0]
    return summed == connection.execute("SELECT count(*) FROM reports").fetchone()[0]
