"""Summary tables the writer keeps up to date, so that the totals pages read a few hundred rows, not millions.

- `summary_totals`: per source, region and year, how many current reports and
  the sums of their headline figures (the yearly totals query and chart);
- `summary_outcomes`: per source, region and year, the applications answered
  in each of table 三's result categories (the outcomes query and chart);
- `summary_agencies`: per agency, its reports, years and summed headline
  figures (the agencies with the most applications);
- `summary_scores`: per region and year, how many scorecards say on time,
  complete and consistent, of how many that can tell, and the scores' sum
  (the scorecards by region, and the dashboard's shares);
- `summary_gaps`: each report whose agency, under any of its names, has no
  report of the year after (who did not publish, its counts and its chart,
  which add what changes with the day: the deadline, and a crawl since);
- `summary_facets`: per faceted column of the reports and scorecards tables
  (`FACETED`), how many rows hold each value (the facets of those tables'
  unfiltered pages, `gxcrawl.browse.facets`).

The writer applies each report's change in the transaction that stores it,
so a crash leaves the summaries and the reports in step: the totals, outcomes
and scores as a difference (`apply_change`, `apply_score_change`: what the
report contributed before, taken away; what it contributes now, added), an
agency's row computed again from its own reports (`refresh_agency`, a few
rows). The gaps and the facets are kept by triggers (`SUMMARY_TRIGGERS`), in
the same transaction, whoever writes: an agency's gaps computed again from
its reports under all its names when one of them or a link between names
changes, the facets' counts moved with each row. `rebuild_summaries`
computes them all from scratch, with the very queries they replace
(`TOTALS_QUERY`, `OUTCOMES_QUERY`, `AGENCIES_QUERY`, `SCORES_QUERY`,
`GAPS_QUERY`, `FACETS_QUERY`): `gxcrawl rebuild-summaries`, and the tests'
reference.
"""

from decimal import Decimal

import sqlite_utils

from gxcrawl.store.definitions import make_triggers

#: The reports table's headline columns summed per source, region and year. A report whose portal does not say its
#: region counts under '' (a key cannot be NULL); the queries call it unknown.
SUMMED = ("applications_new", "applications_total", "granted", "review_total", "suit_total", "fees")

#: The summary tables, by name.
SUMMARIES = (
    "summary_totals",
    "summary_outcomes",
    "summary_agencies",
    "summary_scores",
    "summary_gaps",
    "summary_facets",
)

#: The columns browse facets the reports and scorecards tables by (their `facets` in metadata.yaml), by table.
FACETED = {
    "reports": ("year", "region", "template", "format", "checks_failed"),
    "scorecards": (
        "year",
        "region",
        "on_time",
        "narrative",
        "rules_failed_count",
        "sections_missing_count",
        "copied_band",
        "score_band",
    ),
}


#: What `summary_scores` keeps per region and year, by the scorecards' expression it sums: a scorecard that cannot
#: tell (NULL) is left out of both the sum and the count (`<part>_known`), as avg() leaves it out.
SCORED = {
    "on_time": "on_time",
    "complete": "sections_missing_count = 0",
    "consistent": "rules_failed_count = 0",
    "score": "score",
}

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
    "CREATE TABLE IF NOT EXISTS summary_agencies (agency TEXT PRIMARY KEY, region TEXT, reports INTEGER NOT NULL, "
    "applications_new NUMERIC, applications_total NUMERIC, granted NUMERIC, first_year INTEGER, last_year INTEGER)",
    "CREATE TABLE IF NOT EXISTS summary_scores (region TEXT NOT NULL, year INTEGER NOT NULL, reports INTEGER NOT NULL, "
    + ", ".join(f"{part} NUMERIC NOT NULL DEFAULT 0, {part}_known INTEGER NOT NULL DEFAULT 0" for part in SCORED)
    + ", PRIMARY KEY (region, year))",
    "CREATE TABLE IF NOT EXISTS summary_gaps (report_id TEXT PRIMARY KEY, source TEXT NOT NULL, region TEXT, "
    "agency TEXT NOT NULL, year INTEGER NOT NULL)",
    # Who did not publish, in its order.
    "CREATE INDEX IF NOT EXISTS summary_gaps_order ON summary_gaps(year DESC, source, region, agency)",
    # A value of any type, as the column holds it; NULL is no facet's value.
    "CREATE TABLE IF NOT EXISTS summary_facets (table_name TEXT NOT NULL, column_name TEXT NOT NULL, value NOT NULL, "
    "rows INTEGER NOT NULL, PRIMARY KEY (table_name, column_name, value))",
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

#: One agency's row of `summary_agencies`, as the agencies query sums it (`WHERE agency = ?` for one).
AGENCIES_QUERY = (
    "SELECT agency, max(region), count(*), sum(applications_new), sum(applications_total), sum(granted), min(year), "
    "max(year) FROM reports {where} GROUP BY agency"
)
SCORES_QUERY = (
    "SELECT coalesce(region, '') AS region, year, count(*), "
    + ", ".join(f"total({expression}), count({expression})" for expression in SCORED.values())
    + " FROM scorecards GROUP BY coalesce(region, ''), year"
)


#: Each report (`prev`) whose agency, by its current name (`agency_aliases`) or any name linked to it, has no report
#: of the next year: its id, source, region, current name and year. `{where}` narrows it to some agencies' reports,
#: `{indexed}` names the index that finds them.
GAPS_QUERY = """SELECT prev.id, prev.source, prev.region, coalesce(a.agency, prev.agency), prev.year
FROM reports prev {indexed} LEFT JOIN agency_aliases a ON a.alias = prev.agency
WHERE {where} NOT EXISTS (SELECT 1 FROM reports cur INDEXED BY reports_by_agency
                    WHERE cur.agency = coalesce(a.agency, prev.agency) AND cur.year = prev.year + 1)
  AND NOT EXISTS (SELECT 1 FROM agency_aliases other CROSS JOIN reports cur INDEXED BY reports_by_agency
                  ON cur.agency = other.alias AND cur.year = prev.year + 1
                  WHERE other.agency = coalesce(a.agency, prev.agency))"""

#: Every faceted column's values counted, as `summary_facets` holds them.
FACETS_QUERY = " UNION ALL ".join(
    f"SELECT '{table}', '{column}', {column}, count(*) FROM {table} WHERE {column} IS NOT NULL GROUP BY {column}"
    for table, columns in FACETED.items()
    for column in columns
)


def _names(agency: str) -> str:
    """SQL for every name the agency reporting as `agency` (an expression) has reported under: what it leads to
    (`agency_aliases`) and the names linked to that."""
    current = f"coalesce((SELECT agency FROM agency_aliases WHERE alias = {agency}), {agency})"
    return f"SELECT {current} UNION SELECT alias FROM agency_aliases WHERE agency = {current}"


def _gaps_of(*agencies: str) -> str:
    """Statements computing again the rows of `summary_gaps` of every report printed under any name of the agencies
    (expressions). Each agency's reports are found by name, whatever statistics the planner may have gathered."""
    names = " UNION ".join(_names(agency) for agency in agencies)
    narrowed = GAPS_QUERY.format(where=f"prev.agency IN ({names}) AND", indexed="INDEXED BY reports_by_agency")
    return (
        "DELETE FROM summary_gaps WHERE report_id IN "
        f"(SELECT id FROM reports INDEXED BY reports_by_agency WHERE agency IN ({names})); "
        f"INSERT INTO summary_gaps {narrowed};"
    )


def _changed(columns: tuple[str, ...]) -> str:
    """A trigger's condition: an update that changed one of `columns` (an upsert sets them all)."""
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def _facets_moved(table: str, row: str, sign: int, changed_only: bool = False) -> str:
    """Statements adding `sign` to the counts of the faceted values of `row` (NEW or OLD) of `table`; with
    `changed_only`, of the columns an update changed. A count taken to nothing is deleted by its key."""
    statements = []
    for column in FACETED[table]:
        condition = f"{row}.{column} IS NOT NULL" + (f" AND OLD.{column} IS NOT NEW.{column}" if changed_only else "")
        statements.append(
            f"INSERT INTO summary_facets (table_name, column_name, value, rows) SELECT '{table}', '{column}', "
            f"{row}.{column}, {sign} WHERE {condition} ON CONFLICT DO UPDATE SET rows = rows + {sign};"
        )
        if sign < 0:
            statements.append(
                f"DELETE FROM summary_facets WHERE table_name = '{table}' AND column_name = '{column}' "
                f"AND value = {row}.{column} AND rows = 0;"
            )
    return " ".join(statements)


def _facet_triggers(table: str) -> dict[str, str]:
    """The triggers moving the facets' counts of `table` with each row made, changed and deleted."""
    columns = FACETED[table]
    moved = f"{_facets_moved(table, 'OLD', -1, changed_only=True)} {_facets_moved(table, 'NEW', 1, changed_only=True)}"
    return {
        f"summary_facets_{table}_made": f"AFTER INSERT ON {table} BEGIN {_facets_moved(table, 'NEW', 1)} END",
        f"summary_facets_{table}_moved": f"AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"WHEN {_changed(columns)} BEGIN {moved} END",
        f"summary_facets_{table}_gone": f"AFTER DELETE ON {table} BEGIN {_facets_moved(table, 'OLD', -1)} END",
    }


#: What moves a report from one agency's gaps to another's.
GAP_COLUMNS = ("id", "agency", "year", "source", "region")

#: What keeps `summary_gaps` and `summary_facets`, by the summary: triggers, so that they follow every writer that
#: fires them (an older gxcrawl, a hand edit). `open_database` makes them again when their text changed.
SUMMARY_TRIGGERS = {
    "summary_gaps": {
        "summary_gaps_report_made": f"AFTER INSERT ON reports BEGIN {_gaps_of('NEW.agency')} END",
        # A report gone, or under another id, takes its own row along.
        "summary_gaps_report_moved": f"AFTER UPDATE OF {', '.join(GAP_COLUMNS)} ON reports "
        f"WHEN {_changed(GAP_COLUMNS)} "
        f"BEGIN DELETE FROM summary_gaps WHERE report_id = OLD.id; {_gaps_of('OLD.agency', 'NEW.agency')} END",
        "summary_gaps_report_gone": "AFTER DELETE ON reports "
        f"BEGIN DELETE FROM summary_gaps WHERE report_id = OLD.id; {_gaps_of('OLD.agency')} END",
        "summary_gaps_link_made": f"AFTER INSERT ON agency_aliases BEGIN {_gaps_of('NEW.alias', 'NEW.agency')} END",
        "summary_gaps_link_moved": "AFTER UPDATE ON agency_aliases "
        f"BEGIN {_gaps_of('OLD.alias', 'OLD.agency', 'NEW.alias', 'NEW.agency')} END",
        "summary_gaps_link_gone": f"AFTER DELETE ON agency_aliases BEGIN {_gaps_of('OLD.alias', 'OLD.agency')} END",
    },
    "summary_facets": {name: sql for table in FACETED for name, sql in _facet_triggers(table).items()},
}


def ensure_triggers(connection) -> set[str]:
    """Make the summaries' triggers, or make them again where their text changed; the summaries whose triggers were
    (re)made, which must be computed afresh."""
    return {summary for summary, triggers in SUMMARY_TRIGGERS.items() if make_triggers(connection, triggers)}


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
        sums = {}
        for column in SUMMED:
            given = figures[column] is not None
            sums |= {column: Decimal(str(figures[column])) if given else 0, f"{column}_given": int(given)}
        _add(db, "summary_totals", dict(zip(("source", "region", "year"), place)), sign, sums)
        for outcome, applications in outcomes.items():
            keys = dict(zip(("source", "region", "year", "outcome"), (*place, outcome)))
            _add(db, "summary_outcomes", keys, sign, {"applications": applications})
    db.conn.execute("DELETE FROM summary_totals WHERE reports = 0")
    db.conn.execute("DELETE FROM summary_outcomes WHERE reports = 0")


def score_contribution(db: sqlite_utils.Database, report_id: str) -> tuple[tuple | None, dict]:
    """What a report's scorecard adds to `summary_scores`: its (region, year) and each part's value, None where the
    scorecard cannot tell; (None, {}) when it has no scorecard."""
    row = db.execute(
        f"SELECT coalesce(region, ''), year, {', '.join(SCORED.values())} FROM scorecards WHERE report_id = ?",
        [report_id],
    ).fetchone()
    return (None, {}) if row is None else (tuple(row[:2]), dict(zip(SCORED, row[2:])))


def apply_score_change(db: sqlite_utils.Database, before: tuple, after: tuple) -> None:
    """Move `summary_scores` from a scorecard's contribution `before` to `after` (each from `score_contribution`)."""
    for sign, (place, parts) in ((-1, before), (1, after)):
        if place is None:
            continue
        sums = {}
        for part, value in parts.items():
            sums |= {part: value or 0, f"{part}_known": int(value is not None)}
        _add(db, "summary_scores", dict(zip(("region", "year"), place)), sign, sums)
    db.conn.execute("DELETE FROM summary_scores WHERE reports = 0")


def refresh_agency(db: sqlite_utils.Database, agency: str) -> None:
    """Compute the agency's row of `summary_agencies` again from its reports (one per year: a few rows)."""
    db.conn.execute("DELETE FROM summary_agencies WHERE agency = ?", [agency])
    db.conn.execute(f"INSERT INTO summary_agencies {AGENCIES_QUERY.format(where='WHERE agency = ?')}", [agency])


def _add(db, table: str, keys: dict, sign: int, sums: dict) -> None:
    """Add `sign` reports and `sign` times each of `sums` to the row of `table` that `keys` names (made if new)."""
    columns = [*keys, "reports", *sums]
    db.conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        "ON CONFLICT DO UPDATE SET " + ", ".join(f"{name} = {name} + excluded.{name}" for name in ["reports", *sums]),
        [*keys.values(), sign, *(_number(sign * Decimal(str(value))) for value in sums.values())],
    )


def _number(value: Decimal | int):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def rebuild_summaries(db: sqlite_utils.Database, tables: tuple[str, ...] = SUMMARIES) -> None:
    """Compute the summaries (or those of `tables`) from scratch, with the queries they replace."""
    totals = ", ".join(name for column in SUMMED for name in (column, f"{column}_given"))
    parts = ", ".join(name for part in SCORED for name in (part, f"{part}_known"))
    rebuilds = {
        "summary_totals": f"INSERT INTO summary_totals (source, region, year, reports, {totals}) {TOTALS_QUERY}",
        "summary_outcomes": "INSERT INTO summary_outcomes (source, region, year, outcome, applications, reports) "
        + OUTCOMES_QUERY,
        "summary_agencies": f"INSERT INTO summary_agencies {AGENCIES_QUERY.format(where='')}",
        "summary_scores": f"INSERT INTO summary_scores (region, year, reports, {parts}) {SCORES_QUERY}",
        "summary_gaps": f"INSERT INTO summary_gaps {GAPS_QUERY.format(where='', indexed='')}",
        "summary_facets": f"INSERT INTO summary_facets {FACETS_QUERY}",
    }
    with db.atomic():
        for table in tables:
            db.conn.execute(f"DELETE FROM {table}")
            db.conn.execute(rebuilds[table])


def summaries_match(connection) -> bool:
    """Whether the summaries agree with the reports and scorecards there are: a cheap sign that nothing wrote them
    around the writer (a hand edit, or an older gxcrawl, which keeps some summaries and not others). The counts,
    and the sums two places both hold; the scorecards' rows are small, and read once. Works on a plain connection."""

    def one(sql: str) -> tuple:
        return tuple(connection.execute(sql).fetchone())

    headlines = ", ".join(
        f"round(total({column}), 4)" for column in ("applications_new", "applications_total", "granted")
    )
    totals = one(f"SELECT total(reports), {headlines} FROM summary_totals")
    parts = "round(total(on_time), 4), round(total(score), 4)"
    scorecards = one(f"SELECT count(*), {parts} FROM scorecards")
    # Every report and scorecard has a year: each table's year facet counts them all.
    years = dict(
        connection.execute(
            "SELECT table_name, total(rows) FROM summary_facets WHERE column_name = 'year' GROUP BY table_name"
        ).fetchall()
    )
    return (
        totals[0] == one("SELECT count(*) FROM reports")[0] == years.get("reports", 0)
        and totals == one(f"SELECT total(reports), {headlines} FROM summary_agencies")
        and scorecards == one(f"SELECT total(reports), {parts} FROM summary_scores")
        and scorecards[0] == years.get("scorecards", 0)
    )
