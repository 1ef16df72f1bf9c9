"""The database's layout (../shared/spec/storage.md) and how a database is opened: created or upgraded,
in WAL mode so that datasette can browse while a crawl writes, with full-text search on reports."""

import sqlite3
from pathlib import Path

import sqlite_utils

from gxcrawl import lock
from gxcrawl.forms import figure_labels
from gxcrawl.store.characters import ensure_character_index
from gxcrawl.store.summaries import SUMMARIES, SUMMARY_TABLES, ensure_triggers, rebuild_summaries
from gxcrawl.store.wide import ensure_wide_view

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,              -- <source>/<agency>/<year>
    source TEXT NOT NULL,
    agency TEXT NOT NULL,
    year INTEGER NOT NULL,
    title TEXT,
    region TEXT,
    area_code TEXT,
    published TEXT,
    url TEXT,
    portal_id INTEGER,
    attachments TEXT,                 -- JSON list of document URLs
    template TEXT,
    format TEXT,
    checks TEXT,                      -- JSON rule -> ok / failed / unknown
    checks_failed INTEGER,
    check_failures TEXT,              -- JSON list of what failed, and by how much
    figures_found INTEGER,
    applications_new NUMERIC,
    applications_total NUMERIC,
    granted NUMERIC,
    review_total NUMERIC,
    suit_total NUMERIC,
    fees NUMERIC,                     -- 万元
    warnings TEXT,                    -- JSON list
    overview TEXT,
    problems TEXT,
    other_matters TEXT,
    text TEXT,
    content_sha256 TEXT,
    first_seen TEXT,
    last_seen TEXT,
    fetched_at TEXT
);
-- An agency's reports over the years, whichever spider found them (identity, rule R6, the R6 query).
-- An agency's reports by year (its history, the year before and after), with the id: read from the index alone.
CREATE INDEX IF NOT EXISTS reports_by_agency ON reports(agency, year, id);
CREATE TABLE IF NOT EXISTS figures (
    report_id TEXT NOT NULL REFERENCES reports(id),
    key TEXT NOT NULL,
    value NUMERIC,                    -- as printed; NULL for a blank cell
    derived NUMERIC,                  -- a blank cell's value as the form's arithmetic settles it
    derived_rule TEXT,                -- the rule instance that settled it: 「R3 row new」
    PRIMARY KEY (report_id, key)
);
CREATE TABLE IF NOT EXISTS report_versions (
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL,
    url TEXT,
    portal_id INTEGER,
    title TEXT,
    published TEXT,
    content_sha256 TEXT,
    fetched_at TEXT,
    superseded INTEGER NOT NULL DEFAULT 0,
    template TEXT,
    checks TEXT,
    figures TEXT,                     -- JSON key -> value
    derived TEXT,                     -- JSON key -> [value, rule] for blank cells the arithmetic settles
    documents TEXT,                   -- JSON list of {url, sha256, content_type}
    read_from TEXT,                   -- the sha256 of the document among them the figures were read from
    corrections TEXT,                 -- JSON list of the corrections applied to this reading (corrections.id)
    etag TEXT,                        -- the page's validators, for conditional rechecks
    last_modified TEXT,
    source TEXT                       -- the spider or importer that found this version
);
CREATE INDEX IF NOT EXISTS report_versions_report ON report_versions(report_id);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    source TEXT,
    url TEXT,
    portal_id INTEGER,
    title TEXT,
    error TEXT,
    published TEXT,
    region TEXT,
    area_code TEXT,
    agency TEXT,
    year INTEGER,
    attachments TEXT,
    documents TEXT,
    fetched_at TEXT,
    run_id INTEGER,
    status INTEGER                    -- the HTTP status of the last answer, when one came
);
-- Whether a URL failed before (record_failure, by source and URL) and when it first did (refresh), from the index.
CREATE INDEX IF NOT EXISTS failures_by_url ON failures(source, url, fetched_at);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    spider TEXT,
    started TEXT,
    ended TEXT,
    finish_reason TEXT,
    pages INTEGER,
    reports_new INTEGER DEFAULT 0,
    reports_changed INTEGER DEFAULT 0,
    reports_unchanged INTEGER DEFAULT 0,
    reports_older INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0,
    exit_status INTEGER,
    arguments TEXT,
    scope TEXT,                       -- the list walked (its URL without the page), NULL for other runs
    walk TEXT,                        -- complete, stopped_early, partial, or ids
    reports_listed INTEGER,           -- report links the lists showed
    list_pages INTEGER,               -- list pages the portal said it had
    report_pages INTEGER,             -- report pages fetched
    requests INTEGER,
    problems TEXT                     -- JSON list: why the run failed, from the close-of-crawl monitors
);
-- Reference: every figure key of both forms with its printed labels (gxcrawl.forms.figure_labels).
CREATE TABLE IF NOT EXISTS figure_labels (
    template TEXT NOT NULL,
    key TEXT NOT NULL,
    table_number TEXT,
    section TEXT,
    row_key TEXT,
    row_group TEXT,
    row_label TEXT,
    column_key TEXT,
    column_group TEXT,
    column_label TEXT,
    label TEXT,
    outcome TEXT,                     -- table 三's result category, for totals by outcome
    PRIMARY KEY (template, key)
);
-- A legacy report's statistics table (reports before 2019), every row as printed, for every stored version.
CREATE TABLE IF NOT EXISTS legacy_rows (
    version_id INTEGER NOT NULL REFERENCES report_versions(id),
    report_id TEXT NOT NULL,
    row INTEGER NOT NULL,             -- 1, 2, … in the printed order
    label TEXT,
    unit TEXT,                        -- as printed: 条, 件, 万元, 元…
    value NUMERIC,                    -- this year's, in the row's unit
    cumulative NUMERIC,               -- 历年累计, in the row's unit
    key TEXT,                         -- the legacy.* figure the row is read as, if any
    PRIMARY KEY (version_id, row)
);
CREATE INDEX IF NOT EXISTS legacy_rows_report ON legacy_rows(report_id);
CREATE VIEW IF NOT EXISTS legacy_rows_current AS
    SELECT l.report_id, l.row, l.label, l.unit, l.value, l.cumulative, l.key, l.version_id
    FROM legacy_rows l JOIN report_versions v ON v.id = l.version_id WHERE v.superseded = 0;
-- How a column's list answers when a script loads it (learnt in the browser, walked with plain HTTP), kept
-- so the next run starts from it: one current row per list page, earlier ones retired with the reason.
CREATE TABLE IF NOT EXISTS list_interfaces (
    id INTEGER PRIMARY KEY,
    list_url TEXT NOT NULL,           -- the column's list page
    interface TEXT NOT NULL,          -- JSON: the request, its page parameter, where the records are
    description TEXT,                 -- the same, in words
    learnt_at TEXT NOT NULL,
    run_id INTEGER,
    retired_at TEXT,                  -- when it stopped working or was replaced; NULL while it is current
    retired_why TEXT
);
CREATE INDEX IF NOT EXISTS list_interfaces_list ON list_interfaces(list_url);
-- Where each figure of each stored version was read (gxcrawl.parser.provenance): the cell's text as printed and its
-- place in the document the figures were read from (report_versions.read_from); refreshed when a reparse reads the
-- same version again.
CREATE TABLE IF NOT EXISTS figure_sources (
    version_id INTEGER NOT NULL REFERENCES report_versions(id),
    key TEXT NOT NULL,
    status TEXT NOT NULL,             -- read, blank, unread (printed, not read: null), settled, derived or corrected
    raw TEXT,                         -- the cell as printed: 「—」, 「1,234」, 「103.3879万元」; '' for a blank cell
    table_number INTEGER,             -- the cell's table among the document's tables, from 1
    grid_row INTEGER,                 -- its row and column in that table's grid, merged cells expanded, from 1
    grid_column INTEGER,
    line INTEGER,                     -- or, for a figure on a line of running text, that line, from 1,
    position INTEGER,                 -- and the figure's position on it, from 1
    page INTEGER,                     -- PDFs and scans: the page, from 1,
    box TEXT,                         -- and its box, JSON [x0, top, x1, bottom], in points (an image: pixels)
    rule TEXT,                        -- derived: the rule instance that settled the blank cell; settled: the rules
    read_value NUMERIC,               -- corrected: the value as read, before the correction
    correction_id INTEGER,            -- corrected: the correction applied (corrections.id)
    failed_checks TEXT,               -- the rule instances the figure fails in, 「R5 review; R1 column total」
    PRIMARY KEY (version_id, key)
) WITHOUT ROWID;
-- Corrections a person made to a figure the parser misread; applied on top of every reading of the report
-- (gxcrawl.corrections). Never deleted: a later correction of the same figure replaces an earlier one.
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL,
    key TEXT NOT NULL,
    read_value NUMERIC,               -- the figure as the parser read it when the correction was made
    read_raw TEXT,                    -- the cell as printed then
    read_place TEXT,                  -- and its place then, JSON: cell [table, row, column] or line, and page
    value NUMERIC,                    -- the corrected value (NULL: the report does not give it)
    content_sha256 TEXT,              -- the content of the version it was made against
    reason TEXT NOT NULL,
    made_by TEXT,
    made_at TEXT NOT NULL,
    review TEXT,                      -- why it needs a person's look: the cell now reads otherwise; NULL while it holds
    review_since TEXT
);
CREATE INDEX IF NOT EXISTS corrections_report ON corrections(report_id, key);
CREATE VIEW IF NOT EXISTS figure_sources_current AS
    SELECT v.report_id, s.key, f.value, s.status, s.raw, s.table_number, s.grid_row, s.grid_column, s.line,
        s.position, s.page, s.box, s.rule, s.read_value, s.correction_id, s.failed_checks, v.read_from, s.version_id
    FROM report_versions v JOIN figure_sources s ON s.version_id = v.id
    LEFT JOIN figures f ON f.report_id = v.report_id AND f.key = s.key
    WHERE v.superseded = 0;
-- Each current report's scorecard (gxcrawl.scorecard): on time, complete, consistent, not copied, and its score.
CREATE TABLE IF NOT EXISTS scorecards (
    report_id TEXT PRIMARY KEY REFERENCES reports(id),
    agency TEXT,                      -- its current name (agency_aliases)
    region TEXT,
    year INTEGER,
    template TEXT,
    published TEXT,
    on_time INTEGER,                  -- 1 by 31 January of the following year, 0 later, NULL unknown
    days_late INTEGER,
    sections_missing TEXT,            -- JSON list of the six sections' keys it lacks; NULL before 2019
    sections_missing_count INTEGER,
    cells_given REAL,                 -- share of the form's cells given (printed)
    rules_failed TEXT,                -- JSON list: R1, R3, R4, R5, L1, R6, R7
    rules_failed_count INTEGER,
    narrative TEXT,                   -- R7: ok, failed or unknown
    narrative_failures TEXT,          -- JSON list of the prose's figures that disagree with the tables
    copied_share REAL,                -- share of the prose repeated from the previous year's report
    copied_band TEXT,                 -- the same in quarters, for a facet: 0–25%, …, 75–100%
    score INTEGER,                    -- out of 100
    score_band TEXT,                  -- the score in quarters, for a facet
    scoring INTEGER,                  -- the version of the grading rules (gxcrawl.scorecard.SCORING)
    scored_at TEXT
);
CREATE INDEX IF NOT EXISTS scorecards_agency ON scorecards(agency, year);
-- A report's row holds its text, so a page that reads every row reads the whole file: the pages read indexes.
-- The reports failing a check, in the order the failing-checks and review queries list them.
CREATE INDEX IF NOT EXISTS reports_failing_by_year ON reports(year DESC, agency) WHERE checks_failed > 0;
-- Who did not publish (in its order), the reports of one source, region and year counted, and one year's agencies
-- with the most applications: all read from this index alone.
CREATE INDEX IF NOT EXISTS reports_by_year
    ON reports(year DESC, source, region, agency, id, applications_new, applications_total, granted);
-- The reports table's order (newest first), and the short-word search over agency and title in that order.
CREATE INDEX IF NOT EXISTS reports_recent ON reports(published, agency, title);
-- The reports table's facets (year is reports_by_year's).
CREATE INDEX IF NOT EXISTS reports_region ON reports(region);
CREATE INDEX IF NOT EXISTS reports_template ON reports(template);
CREATE INDEX IF NOT EXISTS reports_format ON reports(format);
CREATE INDEX IF NOT EXISTS reports_checks_failed ON reports(checks_failed);
-- The scorecards table's order and facets.
CREATE INDEX IF NOT EXISTS scorecards_year ON scorecards(year);
CREATE INDEX IF NOT EXISTS scorecards_region ON scorecards(region);
CREATE INDEX IF NOT EXISTS scorecards_on_time ON scorecards(on_time);
CREATE INDEX IF NOT EXISTS scorecards_narrative ON scorecards(narrative);
CREATE INDEX IF NOT EXISTS scorecards_rules_failed ON scorecards(rules_failed_count);
CREATE INDEX IF NOT EXISTS scorecards_sections_missing ON scorecards(sections_missing_count);
-- An agency renamed between years: its old names, linked by hand to the current one, so its history is whole.
CREATE TABLE IF NOT EXISTS agency_aliases (
    alias TEXT PRIMARY KEY,           -- the name as older reports print it
    agency TEXT NOT NULL,             -- the name it is known by now
    note TEXT,
    linked_at TEXT
);
CREATE INDEX IF NOT EXISTS agency_aliases_agency ON agency_aliases(agency);
CREATE VIEW IF NOT EXISTS figures_labelled AS
    SELECT f.report_id, r.agency, r.year, r.region, r.template, l.table_number, f.key, l.label, f.value
    FROM figures f JOIN reports r ON r.id = f.report_id
    LEFT JOIN figure_labels l ON l.template = r.template AND l.key = f.key;
"""

#: Indexes on columns an older database gains (ADDED_COLUMNS): made once it has them.
LATE_INDEXES = (
    # Whether a source was crawled successfully after a year's deadline: asked of every report by who did not publish.
    "CREATE INDEX IF NOT EXISTS crawl_runs_succeeded ON crawl_runs(spider, ended) WHERE exit_status = 0",
    "CREATE INDEX IF NOT EXISTS scorecards_copied_band ON scorecards(copied_band)",
    "CREATE INDEX IF NOT EXISTS scorecards_score_band ON scorecards(score_band)",
)

#: Indexes an earlier layout made that others replace: dropped from older databases.
RETIRED_INDEXES = ("reports_failing", "reports_year", "reports_identity")

#: Columns added since the first layout: `open_database` adds them to older databases.
ADDED_COLUMNS = {
    "figures": {"derived": float, "derived_rule": str},
    "failures": {"status": int},
    "report_versions": {
        "etag": str,
        "last_modified": str,
        "source": str,
        "derived": str,
        "run_id": int,
        "read_from": str,
        "corrections": str,
    },
    "scorecards": {"copied_band": str, "score_band": str},
    "crawl_runs": {
        "ended": str,
        "exit_status": int,
        "scope": str,
        "walk": str,
        "reports_listed": int,
        "list_pages": int,
        "report_pages": int,
        "requests": int,
        "problems": str,
    },
}

_FIGURE_LABELS = list(figure_labels())


def open_database(path: str | Path) -> sqlite_utils.Database:
    """The database at `path`, created or upgraded, in WAL mode with full-text search."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    tables = set(db.table_names())
    unsummarised = tuple(table for table in SUMMARIES if table not in tables)
    for index in RETIRED_INDEXES:
        db.conn.execute(f"DROP INDEX IF EXISTS {index}")
    db.conn.executescript(SCHEMA)
    lock.bind_identity(path)  # a writer that has just made the file holds it by its identity too
    for table, columns in ADDED_COLUMNS.items():
        for column, kind in columns.items():
            if column not in db[table].columns_dict:
                db[table].add_column(column, kind)
    for statement in LATE_INDEXES:
        db.conn.execute(statement)
    ensure_wide_view(db.conn)
    if not db["reports"].detect_fts():
        db["reports"].enable_fts(["agency", "title", "text"], tokenize="trigram", create_triggers=True)
    with db.atomic():  # reference data, kept in step with the forms' definition
        relabelled = _labels_changed(db)
        if relabelled:
            db["figure_labels"].upsert_all(_FIGURE_LABELS, pk=("template", "key"))
        if unsummarised:
            # A database made before some summaries: made and computed in one transaction, so that an upgrade cut
            # short leaves no empty summaries behind; then kept by the writer.
            for statement in SUMMARY_TABLES:
                db.conn.execute(statement)
        ensure_character_index(db, tables)
        retriggered = ensure_triggers(db.conn)
        # When an outcome's rows changed, what was summed under them is summed again; a summary whose triggers
        # changed (a new release) is computed afresh by the new definition.
        stale = (
            SUMMARIES if relabelled else tuple(table for table in SUMMARIES if table in {*unsummarised, *retriggered})
        )
        if stale:
            rebuild_summaries(db, stale)
    return db


def _labels_changed(db: sqlite_utils.Database) -> bool:
    """Whether the stored figure labels differ from the forms' definition (a new release, a new database)."""
    stored = {tuple(row[column] for column in _LABEL_COLUMNS) for row in db.query("SELECT * FROM figure_labels")}
    return stored != {tuple(label[column] for column in _LABEL_COLUMNS) for label in _FIGURE_LABELS}


_LABEL_COLUMNS = tuple(_FIGURE_LABELS[0])


def open_readonly(path: str | Path) -> sqlite_utils.Database | None:
    """The database at `path` opened read-only, or None when there is none yet."""
    if not Path(path).exists():
        return None
    return sqlite_utils.Database(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True))
