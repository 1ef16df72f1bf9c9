"""Every page gxcrawl browse ships reads indexes and summary tables, never every report's row: a report's row holds
its text, so reading them all takes seconds at a million reports (bench/scale_bench.py times the pages). SQLite
plans a query from the schema alone (gxcrawl gathers no statistics), so an empty database shows the plans a full one
gets."""

import random
import re

import pytest
import yaml

from gxcrawl.archive import Archive
from gxcrawl.browse.server import METADATA, SETTINGS
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.store.runs import record_failure
from gxcrawl.store.schema import open_database
from gxcrawl.store.summaries import FACETED, SUMMARIES
from support.samples import random_report, render_html

#: Tables a page may read whole: the summaries (the gaps are a few of the reports: the agencies that missed a year),
#: and what people or crawls make a few of (runs, aliases, corrections).
SMALL = {
    *SUMMARIES,
    "crawl_runs",
    "agency_aliases",
    "corrections",
    "figure_labels",
}
METADATA_YAML = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
QUERIES = {name: query["sql"] for name, query in METADATA_YAML["databases"]["__DATABASE__"]["queries"].items()}
CHARTS = {
    name: re.sub(r"\[\[ AND (.*?) \]\]", r"AND \1", chart["query"])  # the charts' optional filter, given
    for name, chart in METADATA_YAML["plugins"]["datasette-dashboards"]["reports"]["charts"].items()
}
TABLES = METADATA_YAML["databases"]["__DATABASE__"]["tables"]
NOT_AN_ALIAS = {"WHERE", "ON", "LEFT", "CROSS", "JOIN", "INDEXED", "GROUP", "ORDER", "LIMIT", "UNION", "USING"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = open_database(tmp_path_factory.mktemp("plans") / "g.db")
    yield database
    database.close()


def plan(db, sql: str) -> list[str]:
    parameters = dict.fromkeys(re.findall(r"(?<!:):(\w+)", sql), "")
    return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, parameters)]


#: Indexes a plan may walk whole, looking each entry's row up: the failing reports' (a partial index: those alone,
#: in the order the failing-checks and review queries list them).
WALKED = {"reports_failing_by_year"}


def tables_by_alias(sql: str) -> dict[str, str]:
    names = {}
    for table, alias in re.findall(r"(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", sql, re.IGNORECASE):
        names[table] = table
        if alias and alias.upper() not in NOT_AN_ALIAS:
            names[alias] = table
    return names


def tables_read_whole(sql: str, steps: list[str]) -> set[str]:
    """The tables (by name, through the query's aliases) that a plan reads row by row: without an index, or walking
    a whole index and looking each row up (an index that holds what the query asks is read alone, and is fine); and
    the views it gathers whole."""
    names = tables_by_alias(sql)
    whole = set()
    for step in steps:
        scanned = re.fullmatch(r"SCAN (\w+)(?: USING INDEX (\w+))?( LEFT-JOIN)?", step)
        if scanned and scanned.group(2) not in WALKED:
            whole.add(names.get(scanned.group(1), scanned.group(1)))
        if step.startswith("MATERIALIZE"):
            whole.add(step.split()[1])
    return whole


@pytest.mark.parametrize("name", sorted({**{f"query {k}": 0 for k in QUERIES}, **{f"chart {k}": 0 for k in CHARTS}}))
def test_no_canned_query_or_chart_reads_every_report(db, name):
    kind, key = name.split(" ", 1)
    sql = (QUERIES if kind == "query" else CHARTS)[key].replace("__DATABASE__", "g")
    assert tables_read_whole(sql, plan(db, sql)) <= SMALL


def test_the_reports_and_scorecards_tables_sort_and_facet_from_indexes(db):
    for table, config in (("reports", TABLES["reports"]), ("scorecards", TABLES["scorecards"])):
        column = config.get("sort_desc")
        steps = plan(db, f"SELECT * FROM {table} ORDER BY {column} DESC LIMIT 51")
        # A page of rows walks the order's index and stops at the page's end: no sorting every row first.
        assert len(steps) == 1 and re.fullmatch(f"SCAN {table} USING INDEX \\w+", steps[0]), steps
        # Counted ahead by the writer, every one of them, the columns summary_facets counts.
        assert [facet["summarised"] for facet in config["facets"]] == list(FACETED[table])
        for facet in FACETED[table]:
            # Datasette's own facet query, over the whole table (a filtered page's is over its rows).
            steps = plan(
                db,
                f"SELECT {facet} AS value, count(*) AS count FROM (SELECT * FROM {table}) WHERE {facet} IS NOT NULL "
                f"GROUP BY {facet} ORDER BY count DESC, value LIMIT 31",
            )
            assert any(re.match(f"(SCAN|SEARCH) {table} USING COVERING INDEX", step) for step in steps), (facet, steps)


def test_a_short_word_is_searched_in_an_index_of_agency_and_title_in_the_tables_order(db):
    columns = TABLES["reports"]["plugins"]["gxcrawl"]["search_fallback"]
    found = " OR ".join(f"[{column}] LIKE :word ESCAPE '\\'" for column in columns)
    page = plan(db, f"SELECT * FROM reports WHERE ({found}) ORDER BY published DESC LIMIT 51")
    assert page == ["SCAN reports USING INDEX reports_recent"]
    assert plan(db, f"SELECT count(*) FROM reports WHERE ({found})") == [
        "SCAN reports USING COVERING INDEX reports_recent"
    ]
    # Narrowed to the few rows the character index found: those rows looked up, and sorted.
    page = plan(db, f"SELECT * FROM reports WHERE rowid IN (7, 9) AND ({found}) ORDER BY published DESC LIMIT 51")
    assert page == ["SEARCH reports USING INTEGER PRIMARY KEY (rowid=?)", "USE TEMP B-TREE FOR ORDER BY"]


def test_a_facet_over_a_searched_page_gives_up_before_the_page_takes_a_second():
    facets = max(len(TABLES[table]["facets"]) for table in ("reports", "scorecards"))
    assert facets * SETTINGS["facet_time_limit_ms"] < 1000


#: The columns that find one report, one version or one URL among a million: a search of a large table by an index
#: must name one of them (an index on the year alone holds tens of thousands of entries a value).
IDENTIFYING = {"rowid", "id", "agency", "report_id", "version_id", "url"}


def test_every_statement_the_writer_runs_for_a_report_finds_its_rows_by_their_identity(tmp_path):
    db = open_database(tmp_path / "g.db")
    archive = Archive(tmp_path / "archive")
    statements = set()
    db.conn.set_trace_callback(statements.add)
    for year, seed in ((2020, 1), (2021, 2), (2021, 3)):  # a report, the next year's (R6), and a new version
        sample = random_report(random.Random(seed), form="2021" if year >= 2021 else "2019", agency="卫辉市商务局")
        sample.year = year
        fetch = Fetch("henan", f"http://portal/{year}", published=f"{year + 1}-01-10", region="卫辉市")
        record(db, archive, fetch, [{"url": fetch.url, "body": render_html(sample)}])
    record_failure(db, Fetch("henan", "http://portal/broken"), "HTTP 500")
    db.conn.set_trace_callback(None)
    searched = 0
    # The trace gives each statement with its values in place, and a trigger's statements as a comment only (the
    # full-text index's, which FTS5 plans itself).
    for sql in statements:
        if not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", sql, re.IGNORECASE):
            continue
        names = tables_by_alias(sql)
        for step in (row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)):
            scanned = re.match(r"SCAN (\w+)", step)
            if scanned and re.search(r"VIRTUAL TABLE INDEX \d+:=$", step):  # FTS5 finding its row by its rowid
                searched += 1
            elif scanned:
                assert names.get(scanned[1], scanned[1]) in SMALL | {"CONSTANT", "sqlite_master"}, (sql, step)
            found = re.match(r"SEARCH (\w+) USING .*\((.*)\)", step)
            if found and names.get(found[1], found[1]) not in SMALL:
                searched += 1
                columns = {part.split("=")[0].split("<")[0].split(">")[0] for part in found.group(2).split(" AND ")}
                assert columns & IDENTIFYING, (sql, step)
    assert searched > 10  # the statements were seen
    db.close()


def test_every_statement_of_the_summaries_triggers_finds_its_rows_by_their_identity(db):
    from gxcrawl.store.summaries import SUMMARY_TRIGGERS

    checked = 0
    for triggers in SUMMARY_TRIGGERS.values():
        for body in triggers.values():
            # The row's values as literals: the plan is the one the trigger's statement gets.
            statements = re.sub(r"\b(?:NEW|OLD)\.\w+", "'x'", body.split(" BEGIN ", 1)[1].rsplit(" END", 1)[0])
            for sql in filter(str.strip, statements.split(";")):
                names = tables_by_alias(sql)
                for step in plan(db, sql):
                    scanned = re.match(r"SCAN (\w+)", step)
                    if scanned:  # the gaps are looked up too: they grow with the reports
                        assert names.get(scanned[1], scanned[1]) in SMALL - {"summary_gaps"} | {"CONSTANT"}, step
                checked += 1
    assert checked > 20
