"""The SQLite database every crawl leaves behind (../shared/spec/storage.md).

Plain functions over a `sqlite_utils.Database`:

- `open_database(path)` creates or upgrades the layout, in WAL mode so that
  datasette can browse while a crawl writes;
- `store_report(db, report, fetch)` keeps one current row per (source, agency,
  year): the later publication wins, on a tie the higher portal id. Every
  distinct version ever seen stays in `report_versions` (a legacy report's
  statistics table in `legacy_rows`, by version); unchanged content is
  not rewritten. One transaction per report: a crash leaves either the whole report or none of it.
- `record_failure` keeps documents that could not be read, with the reason;
- `start_run` / `finish_run` write `crawl_runs`; `last_run` finds the run a
  new one compares itself with;
- `keep_interface`, `retire_interface` and `list_interfaces` keep what was
  learnt of a column's script-loaded list between runs;
- `stored_pages`, `failed_pages` and `confirm_unchanged` are what a refresh
  reads and writes to fetch only what is new or due for a recheck;
- the raw documents are kept content-addressed by `archive` (see
  `gxcrawl.archive`), so that `reparse` can read them again.

Nothing once stored is deleted or silently overwritten.
"""

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import sqlite_utils

from gxcrawl.cells import as_json_number
from gxcrawl.forms import figure_labels
from gxcrawl.report import Report

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
CREATE INDEX IF NOT EXISTS reports_identity ON reports(agency, year);
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
CREATE VIEW IF NOT EXISTS figures_labelled AS
    SELECT f.report_id, r.agency, r.year, r.region, r.template, l.table_number, f.key, l.label, f.value
    FROM figures f JOIN reports r ON r.id = f.report_id
    LEFT JOIN figure_labels l ON l.template = r.template AND l.key = f.key;
"""
#: Columns added since the first layout: `open_database` adds them to older databases.
ADDED_COLUMNS = {
    "figures": {"derived": float, "derived_rule": str},
    "failures": {"status": int},
    "report_versions": {"etag": str, "last_modified": str, "source": str, "derived": str},
    "crawl_runs": {"scope": str, "walk": str, "reports_listed": int, "list_pages": int, "report_pages": int,
                   "requests": int, "problems": str},
}
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
_FIGURE_LABELS = list(figure_labels())


@dataclass
class Fetch:
    """What the crawler knows of a report besides its documents."""

    source: str
    url: str
    portal_id: int | None = None
    published: str | None = None
    region: str | None = None
    area_code: str | None = None
    #: Agency and year as the portal lists them, when the report's title says nothing.
    agency: str | None = None
    year: int | None = None
    attachments: list[str] = field(default_factory=list)
    #: {url, sha256, content_type} of each document read, the page first.
    documents: list[dict] = field(default_factory=list)
    #: The page's ETag and Last-Modified headers, sent back when the page is rechecked.
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str = field(default_factory=lambda: now())


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_database(path: str | Path) -> sqlite_utils.Database:
    """The database at `path`, created or upgraded, in WAL mode with full-text search."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.conn.executescript(SCHEMA)
    for table, columns in ADDED_COLUMNS.items():
        for column, kind in columns.items():
            if column not in db[table].columns_dict:
                db[table].add_column(column, kind)
    if not db["reports"].detect_fts():
        db["reports"].enable_fts(["agency", "title", "text"], tokenize="trigram", create_triggers=True)
    with db.atomic():  # reference data, kept in step with the forms' definition
        db["figure_labels"].upsert_all(_FIGURE_LABELS, pk=("template", "key"))
    return db


def report_id(source: str, agency: str, year: int) -> str:
    return f"{source}/{agency}/{year}"


def identity_key(db: sqlite_utils.Database, source: str, agency: str, year: int) -> str:
    """The report id of (agency, year): the one already stored, whichever spider found it first, else a new one.

    One agency's report of one year is one report however many sites publish it: what another
    spider or an import finds of it becomes a version of the same report.
    """
    found = next(db.query("SELECT id FROM reports WHERE agency = ? AND year = ? ORDER BY source = ? DESC LIMIT 1",
                          [agency, year, source]), None)
    return found["id"] if found else report_id(source, agency, year)


def store_report(db: sqlite_utils.Database, report: Report, fetch: Fetch) -> str:
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
    derived_json = json.dumps({key: [as_json_number(value), report.derived_rules.get(key)]
                               for key, value in report.derived.items()},
                              ensure_ascii=False, sort_keys=True) if report.derived else None
    with db.atomic():
        key = identity_key(db, fetch.source, agency, year)
        current = next(db.query("SELECT * FROM reports WHERE id = ?", [key]), None)
        seen = next(db.query("SELECT id, superseded FROM report_versions WHERE report_id = ? AND content_sha256 = ? "
                             "AND url IS ? AND figures = ? AND derived IS ? ORDER BY id DESC",
                             [key, report.content_sha256, fetch.url, figures_json, derived_json]), None)
        # A superseded version seen again as the newest (a correction taken back) is current once more.
        reinstated = seen and seen["superseded"] and current is not None \
            and current["content_sha256"] != report.content_sha256 and _is_newer(fetch, current)
        if seen and not reinstated:
            db.conn.execute("UPDATE reports SET last_seen = ? WHERE id = ?", [fetch.fetched_at, key])
            db.conn.execute("UPDATE report_versions SET etag = ?, last_modified = ? WHERE id = ?",
                            [fetch.etag, fetch.last_modified, seen["id"]])
            return UNCHANGED
        newer = current is None or _is_newer(fetch, current)
        version = db["report_versions"].insert({
            "report_id": key, "url": fetch.url, "portal_id": fetch.portal_id, "title": report.title,
            "published": fetch.published, "content_sha256": report.content_sha256,
            "fetched_at": fetch.fetched_at, "superseded": 0 if newer else 1, "template": report.template,
            "checks": json.dumps(report.checks), "figures": figures_json,
            "derived": derived_json,
            "documents": json.dumps(fetch.documents, ensure_ascii=False),
            "etag": fetch.etag, "last_modified": fetch.last_modified, "source": fetch.source,
        }).last_pk
        db["legacy_rows"].insert_all(({"version_id": version, "report_id": key, "row": row["row"],
                                       "label": row["label"], "unit": row["unit"], "value": as_json_number(row["value"]),
                                       "cumulative": as_json_number(row["cumulative"]), "key": row["key"]}
                                      for row in report.legacy_rows), pk=("version_id", "row"))
        if not newer:
            return OLDER
        db.conn.execute("UPDATE report_versions SET superseded = 1 WHERE report_id = ? AND id != "
                        "(SELECT MAX(id) FROM report_versions WHERE report_id = ?)", [key, key])
        row = _report_row(key, report, fetch, agency, year, figures)
        row["first_seen"] = current["first_seen"] if current else fetch.fetched_at
        for column in ("region", "area_code"):  # what one source knows and another does not is kept
            row[column] = row[column] or (current[column] if current else None)
        db["reports"].upsert(row, pk="id")
        db["figures"].upsert_all(({"report_id": key, "key": k, "value": v,
                                   "derived": as_json_number(report.derived.get(k)),
                                   "derived_rule": report.derived_rules.get(k)} for k, v in figures.items()),
                                 pk=("report_id", "key"))
        stale = set(_figure_keys(db, key)) - set(figures)
        if stale:  # re-read as the other form; the old figures stay in report_versions
            db.conn.execute(f"DELETE FROM figures WHERE report_id = ? AND key IN ({','.join('?' * len(stale))})",
                            [key, *stale])
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


def store_reading(db: sqlite_utils.Database, report: Report | None, fetch: Fetch, title: str | None = None,
                  attachment_errors: tuple[dict, ...] = (), run_id: int | None = None) -> Stored:
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
    stored.outcome = store_report(db, report, fetch)
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


def _figure_keys(db, key: str) -> list[str]:
    return [row["key"] for row in db.query("SELECT key FROM figures WHERE report_id = ?", [key])]


def _is_newer(fetch: Fetch, current: dict) -> bool:
    """The later publication date wins; on a tie (or no dates) the higher portal id, then the later fetch."""
    mine = (fetch.published or "", fetch.portal_id or 0)
    theirs = (current["published"] or "", current["portal_id"] or 0)
    return mine >= theirs


def _report_row(key: str, report: Report, fetch: Fetch, agency: str, year: int, figures: dict) -> dict:
    row = {
        "id": key, "source": fetch.source, "agency": agency, "year": year, "title": report.title,
        "region": fetch.region, "area_code": fetch.area_code, "published": fetch.published, "url": fetch.url,
        "portal_id": fetch.portal_id, "attachments": json.dumps(fetch.attachments, ensure_ascii=False),
        "template": report.template, "format": report.format, "checks": json.dumps(report.checks),
        "checks_failed": sum(outcome == "failed" for outcome in report.checks.values()),
        "check_failures": json.dumps(report.check_failures, ensure_ascii=False),
        "figures_found": report.figures_found,
        "warnings": json.dumps(report.warnings, ensure_ascii=False),
        "overview": report.sections.get("overview"), "problems": report.sections.get("problems"),
        "other_matters": report.sections.get("other"), "text": report.text,
        "content_sha256": report.content_sha256, "last_seen": fetch.fetched_at, "fetched_at": fetch.fetched_at,
    }
    for column, source in HEADLINES.items():
        keys = source if isinstance(source, tuple) else (source,)
        values = [figures.get(k) for k in keys]
        row[column] = None if any(v is None for v in values) else sum(Decimal(str(v)) for v in values)
        row[column] = as_json_number(row[column])
    return row


def record_failure(db: sqlite_utils.Database, fetch: Fetch, error: str, title: str | None = None,
                   run_id: int | None = None, status: int | None = None) -> bool:
    """Keep a document that could not be read, and why (its raw bytes are in the archive); returns
    whether the same URL had failed before."""
    with db.atomic():
        before = next(db.query("SELECT 1 FROM failures WHERE source IS ? AND url = ? LIMIT 1",
                               [fetch.source, fetch.url]), None) is not None
        db["failures"].insert({
            "source": fetch.source, "url": fetch.url, "portal_id": fetch.portal_id, "title": title,
            "error": error, "run_id": run_id, "published": fetch.published, "region": fetch.region,
            "area_code": fetch.area_code, "agency": fetch.agency, "year": fetch.year,
            "attachments": json.dumps(fetch.attachments, ensure_ascii=False),
            "documents": json.dumps(fetch.documents, ensure_ascii=False), "fetched_at": fetch.fetched_at,
            "status": status},
            alter=True)  # databases made before these columns existed gain them
    return before


def start_run(db: sqlite_utils.Database, spider: str, arguments: dict | None = None, scope: str | None = None) -> int:
    """Record a run's start; returns its id.

    Earlier runs that never finished (killed, or the machine went down) are
    marked `interrupted`: the caller holds the writer lock (`gxcrawl.lock`),
    so none of them is still running.
    """
    with db.atomic():
        db.conn.execute("UPDATE crawl_runs SET finish_reason = 'interrupted' "
                        "WHERE ended IS NULL AND finish_reason IS NULL")
        return db["crawl_runs"].insert({"spider": spider, "started": now(), "scope": scope,
                                        "arguments": json.dumps(arguments or {}, ensure_ascii=False)}).last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, **outcome) -> None:
    with db.atomic():
        db["crawl_runs"].update(run_id, {"ended": now(), **outcome})


def last_run(db: sqlite_utils.Database, spider: str, scope: str | None, succeeded: bool = False) -> dict | None:
    """The latest earlier run of `spider` over `scope` that ended (or was interrupted); with
    `succeeded`, the latest that finished with exit status 0."""
    condition = "AND exit_status = 0 AND finish_reason = 'finished'" if succeeded else ""
    return next(db.query(f"SELECT * FROM crawl_runs WHERE spider = ? AND scope IS ? AND finish_reason IS NOT NULL "
                         f"{condition} ORDER BY id DESC LIMIT 1", [spider, scope]), None)


def keep_interface(db: sqlite_utils.Database, list_url: str, interface: str, description: str,
                   run_id: int | None = None) -> None:
    """Keep the interface learnt for a list; one learnt before that differs is retired, not overwritten."""
    with db.atomic():
        current = list_interfaces(db).get(list_url)
        if current == interface:
            return
        if current is not None:
            _retire(db, list_url, f"replaced by the interface learnt in run {run_id}")
        db["list_interfaces"].insert({"list_url": list_url, "interface": interface, "description": description,
                                      "learnt_at": now(), "run_id": run_id})


def retire_interface(db: sqlite_utils.Database, list_url: str, why: str) -> None:
    """The list's current interface stopped working: it stays, marked with when and why."""
    with db.atomic():
        _retire(db, list_url, why)


def _retire(db: sqlite_utils.Database, list_url: str, why: str) -> None:
    db.conn.execute("UPDATE list_interfaces SET retired_at = ?, retired_why = ? "
                    "WHERE list_url = ? AND retired_at IS NULL", [now(), why, list_url])


def list_interfaces(db: sqlite_utils.Database) -> dict[str, str]:
    """The current interface of every list that has one: list URL → its JSON."""
    if "list_interfaces" not in db.table_names():
        return {}
    return {row["list_url"]: row["interface"] for row in
            db.query("SELECT list_url, interface FROM list_interfaces WHERE retired_at IS NULL ORDER BY id")}


@dataclass(frozen=True)
class StoredPage:
    """A page a report was stored from: when the portal published it, its HTTP validators of the latest
    version, how many attachments that version was read with, and when the page was first stored."""

    url: str
    published: str | None
    etag: str | None
    last_modified: str | None
    attachments: int = 0
    first_stored: str | None = None


def stored_pages(db: sqlite_utils.Database, source: str) -> dict[str, StoredPage]:
    """Every page of `source` a report version was stored from, by URL."""
    prefix = f"{source}/"
    # Versions stored before `source` was recorded are told by their report's id.
    rows = db.query("SELECT url, published, etag, last_modified, "
                    "MAX(coalesce(json_array_length(documents), 1) - 1, 0) AS attachments, fetched_at "
                    "FROM report_versions WHERE (source = ? OR (source IS NULL AND substr(report_id, 1, ?) = ?)) "
                    "AND url IS NOT NULL ORDER BY id", [source, len(prefix), prefix])
    pages: dict[str, StoredPage] = {}
    for row in rows:
        fetched = row.pop("fetched_at")
        earlier = pages.get(row["url"])
        pages[row["url"]] = StoredPage(**row, first_stored=earlier.first_stored if earlier else fetched)
    return pages


def failed_pages(db: sqlite_utils.Database, source: str) -> dict[str, str]:
    """URLs of `source` that could not be fetched or read at some point, with when that first happened."""
    return {row["url"]: row["first"] for row in
            db.query("SELECT url, MIN(fetched_at) AS first FROM failures WHERE source = ? GROUP BY url", [source])}


def confirm_unchanged(db: sqlite_utils.Database, source: str, url: str, fetched_at: str | None = None) -> bool:
    """The portal said a stored page has not changed (HTTP 304): only `last_seen` moves.

    Returns False when the current version of no report comes from that page (it was superseded).
    """
    with db.atomic():
        cursor = db.conn.execute(
            "UPDATE reports SET last_seen = ? WHERE id IN (SELECT report_id FROM report_versions WHERE url = ? "
            "AND (source = ? OR (source IS NULL AND substr(report_id, 1, ?) = ?)) AND superseded = 0)",
            [fetched_at or now(), url, source, len(source) + 1, f"{source}/"])
    return cursor.rowcount > 0


def open_readonly(path: str | Path) -> sqlite_utils.Database | None:
    """The database at `path` opened read-only, or None when there is none yet."""
    if not Path(path).exists():
        return None
    return sqlite_utils.Database(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True))


def previous_carried_forward(connection, agency: str, year: int):
    """Last year's 结转下年度 total for an agency (rule R6), or None; works on a plain sqlite3 connection."""
    row = connection.execute("SELECT f.value FROM reports r JOIN figures f ON f.report_id = r.id AND f.key = ? "
                             "WHERE r.agency = ? AND r.year = ?",
                             ["applications.carried_forward.total", agency, year - 1]).fetchone()
    return None if row is None or row[0] is None else Decimal(str(row[0]))
