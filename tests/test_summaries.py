"""The summary tables the writer keeps equal the queries they stand for, whatever happens to the reports."""

import random

import pytest

from gxcrawl.archive import Archive
from gxcrawl.cli import main
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.store.schema import open_database
from gxcrawl.store.summaries import (
    AGENCIES_QUERY,
    FACETS_QUERY,
    GAPS_QUERY,
    OUTCOMES_QUERY,
    SCORED,
    SCORES_QUERY,
    SUMMED,
    TOTALS_QUERY,
)
from support.samples import random_report, render_html


def kept(db) -> tuple[set, ...]:
    totals = {
        (row["source"], row["region"], row["year"], row["reports"])
        + tuple(round(row[column], 4) if row[f"{column}_given"] else None for column in SUMMED)
        for row in db.query("SELECT * FROM summary_totals")
    }
    outcomes = {
        tuple(row.values())
        for row in db.query("SELECT source, region, year, outcome, applications, reports FROM summary_outcomes")
    }
    agencies = {tuple(row) for row in db.execute("SELECT * FROM summary_agencies")}
    parts = ", ".join(name for part in SCORED for name in (part, f"{part}_known"))
    scores = {tuple(row) for row in db.execute(f"SELECT region, year, reports, {parts} FROM summary_scores")}
    gaps = {tuple(row) for row in db.execute("SELECT * FROM summary_gaps")}
    facets = {tuple(row) for row in db.execute("SELECT * FROM summary_facets")}
    return totals, outcomes, agencies, scores, gaps, facets


def computed(db) -> tuple[set, ...]:
    totals = set()
    for row in db.execute(TOTALS_QUERY):
        source, region, year, reports, *sums = row
        pairs = list(zip(sums[::2], sums[1::2]))
        totals.add((source, region, year, reports, *(round(total, 4) if given else None for total, given in pairs)))
    return (
        totals,
        {tuple(row) for row in db.execute(OUTCOMES_QUERY)},
        {tuple(row) for row in db.execute(AGENCIES_QUERY.format(where=""))},
        {tuple(row) for row in db.execute(SCORES_QUERY)},
        {tuple(row) for row in db.execute(GAPS_QUERY.format(where="", indexed=""))},
        {tuple(row) for row in db.execute(FACETS_QUERY)},
    )


@pytest.fixture
def writer(tmp_path):
    db_path = tmp_path / "g.db"
    db = open_database(db_path)
    archive = Archive(tmp_path / "archive")

    def store(agency, year, seed, region="卫辉市", published=None, url=None, changes=None, body=None):
        sample = random_report(random.Random(seed), form="2021" if year >= 2021 else "2019", agency=agency, year=year)
        sample.figures.update(changes or {})
        url = url or f"http://portal/{agency}/{year}"
        fetch = Fetch("henan", url, published=published or f"{year + 1}-01-10", region=region, agency=agency, year=year)
        return record(db, archive, fetch, [{"url": url, "body": body or render_html(sample)}]).outcome

    yield db, store, db_path
    db.close()


def test_summaries_follow_inserts_new_versions_older_versions_and_unchanged_ones(writer):
    db, store, _ = writer
    steps = [
        lambda: store("卫辉市商务局", 2021, 1),
        lambda: store("卫辉市商务局", 2022, 2),
        lambda: store("郑州市教育局", 2022, 3, region=None),
        lambda: store("郑州市教育局", 2020, 4, region="郑州市"),
        # A new version: other figures, published later, under another address.
        lambda: store("卫辉市商务局", 2022, 5, published="2023-03-01", url="http://portal/v2"),
        # An older version seen late: history only, the summaries stay.
        lambda: store("卫辉市商务局", 2022, 6, published="2023-01-02", url="http://portal/v0"),
        # The same report again: unchanged.
        lambda: store("卫辉市商务局", 2021, 1),
        # Fees in 万元 with decimals, summed exactly enough.
        lambda: store(
            "新乡市财政局", 2022, 7, changes={"active.fees.amount": __import__("decimal").Decimal("103.3879")}
        ),
        # A document that cannot be read is a failure, kept; read later, it is a report and the failure stays.
        lambda: store("新乡市财政局", 2023, 8, body=b"%PDF-1.4 cut short"),
        lambda: store("新乡市财政局", 2023, 8),
    ]
    outcomes = []
    for step in steps:
        outcomes.append(step())
        assert kept(db) == computed(db)
    assert outcomes == ["new", "new", "new", "new", "changed", "older", "unchanged", "new", None, "new"]
    assert db.execute("SELECT count(*) FROM failures").fetchone()[0] == 1
    assert db.execute("SELECT sum(reports) FROM summary_totals").fetchone()[0] == 6
    assert db.execute(
        "SELECT reports, first_year, last_year FROM summary_agencies WHERE agency = '卫辉市商务局'"
    ).fetchone() == (2, 2021, 2022)
    # The scores moved with the regrading of 2022's report against 2021's, and with the new version.
    assert db.execute("SELECT sum(reports) FROM summary_scores").fetchone()[0] == 6


def test_a_correction_moves_the_summaries_and_a_rebuild_finds_them_equal(writer):
    db, store, db_path = writer
    store("卫辉市商务局", 2022, 2)
    report_id = db.execute("SELECT id FROM reports").fetchone()[0]
    granted = db.execute("SELECT value FROM figures WHERE key = 'applications.granted.total'").fetchone()[0]
    db.close()
    assert (
        main(
            [
                "correct",
                report_id,
                "applications.granted.total",
                str(granted + 4),
                "--reason",
                "r",
                "--db",
                str(db_path),
            ]
        )
        == 0
    )
    db = open_database(db_path)
    assert kept(db) == computed(db)
    assert db.execute("SELECT granted FROM summary_totals").fetchone()[0] == granted + 4
    db.conn.execute("UPDATE summary_totals SET reports = 99")  # a hand edit: the rebuild puts it right
    db.conn.commit()
    db.close()
    assert main(["rebuild-summaries", "--db", str(db_path)]) == 0
    db = open_database(db_path)
    assert kept(db) == computed(db)
    db.close()


def test_a_database_made_before_the_summaries_gets_them_computed_once(writer):
    db, store, db_path = writer
    store("卫辉市商务局", 2022, 2)
    db.conn.executescript("DROP TABLE summary_agencies; DROP TABLE summary_scores;")
    db.close()
    db = open_database(db_path)
    assert kept(db) == computed(db) and all(kept(db))
    db.close()


def test_an_upgrade_cut_short_leaves_no_empty_summaries_behind(writer, monkeypatch):
    from gxcrawl.store import schema

    db, store, db_path = writer
    store("卫辉市商务局", 2022, 2)
    db.conn.executescript("DROP TABLE summary_totals; DROP TABLE summary_outcomes;")
    db.close()

    def interrupted(db, tables):
        raise KeyboardInterrupt

    monkeypatch.setattr(schema, "rebuild_summaries", interrupted)
    with pytest.raises(KeyboardInterrupt):
        open_database(db_path)
    monkeypatch.undo()
    db = open_database(db_path)  # the next open finds no summaries, and makes them
    assert kept(db) == computed(db) and kept(db)[0]
    db.close()


def test_labels_that_changed_between_releases_have_the_summaries_summed_again(writer):
    db, store, db_path = writer
    store("卫辉市商务局", 2022, 2)
    # As a database written by a release whose labels put a result row under another outcome.
    db.conn.execute("UPDATE figure_labels SET outcome = '（五）不予处理' WHERE outcome = '（六）其他处理'")
    db.conn.execute("DELETE FROM summary_outcomes")
    db.conn.commit()
    db.close()
    db = open_database(db_path)
    assert kept(db) == computed(db)
    assert "（六）其他处理" in {row[3] for row in db.execute("SELECT * FROM summary_outcomes")}
    db.close()


def test_the_yearly_totals_chart_says_nothing_for_a_figure_no_report_gives(writer):
    import yaml

    from gxcrawl.browse.server import METADATA

    db, store, _ = writer
    store("卫辉市商务局", 2022, 2, changes={"review.total": None})
    chart = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["plugins"]["datasette-dashboards"]["reports"]
    sql = chart["charts"]["yearly-totals"]["query"].replace("[[ AND region = :region ]]", "")
    values = {measure: value for _, measure, value in db.execute(sql)}
    assert values["行政复议 · reviews"] is None and values["本年新收申请 · new applications"] is not None


def test_a_report_moved_to_another_region_and_an_agency_renamed_move_the_summaries(writer):
    from gxcrawl.store.scorecards import link_agency

    db, store, _ = writer
    store("卫辉市商务局", 2021, 1)
    store("卫辉市商务局", 2022, 2)
    store("卫辉县商务局", 2020, 3)
    # A new version whose portal files it under another region.
    store("卫辉市商务局", 2022, 5, region="新乡市", published="2023-03-01", url="http://portal/v2")
    assert kept(db) == computed(db)
    assert {row[0] for row in db.execute("SELECT region FROM summary_scores")} == {"卫辉市", "新乡市"}

    def gaps():
        return set(db.execute("SELECT agency, year, region FROM summary_gaps"))

    assert gaps() == {("卫辉县商务局", 2020, "卫辉市"), ("卫辉市商务局", 2022, "新乡市")}
    with db.atomic():  # the county's report of 2020 is followed by the city's of 2021: no gap
        link_agency(db, "卫辉县商务局", "卫辉市商务局")
    assert kept(db) == computed(db)
    assert gaps() == {("卫辉市商务局", 2022, "新乡市")}
    with db.atomic():  # linked elsewhere, its gap is back, under the name it now leads to
        link_agency(db, "卫辉县商务局", "新乡市商务局", replace=True)
    assert kept(db) == computed(db)
    assert gaps() == {("新乡市商务局", 2020, "卫辉市"), ("卫辉市商务局", 2022, "新乡市")}
    store("新乡市商务局", 2021, 6)  # a report under the name it leads to closes it
    assert kept(db) == computed(db)
    assert gaps() == {("新乡市商务局", 2021, "卫辉市"), ("卫辉市商务局", 2022, "新乡市")}


#: The queries the summary-backed pages replaced, over every report and scorecard: the reference they must equal.
SCORECARDS_BY_REGION_BEFORE = """
SELECT coalesce(region, '（未知 · unknown）') AS region, year, count(*) AS reports,
  round(100.0 * avg(on_time), 1), round(100.0 * avg(sections_missing_count = 0), 1),
  round(100.0 * avg(rules_failed_count = 0), 1), round(avg(score), 1)
FROM scorecards GROUP BY 1, year ORDER BY 1, year"""
TOP_AGENCIES_BEFORE = """
SELECT agency, max(region) AS region, count(*) AS reports, sum(applications_new) AS applications_new,
  sum(applications_total), sum(granted), min(year), max(year)
FROM reports WHERE (:year = '' OR year = CAST(:year AS INTEGER))
GROUP BY agency ORDER BY applications_new DESC, agency LIMIT 100"""

#: Who did not publish before its summary: every report read, the agency's next year looked for under all its names.
MISSING_BEFORE = """(prev.year + 2) || '-01-31' < date('now')
  AND EXISTS (SELECT 1 FROM crawl_runs run WHERE run.spider = prev.source AND run.exit_status = 0
              AND run.ended > (prev.year + 2) || '-01-31')
  AND NOT EXISTS (SELECT 1 FROM reports cur INDEXED BY reports_by_agency
                  WHERE cur.agency = coalesce(a.agency, prev.agency) AND cur.year = prev.year + 1)
  AND NOT EXISTS (SELECT 1 FROM agency_aliases other CROSS JOIN reports cur INDEXED BY reports_by_agency
                  ON cur.agency = other.alias AND cur.year = prev.year + 1
                  WHERE other.agency = coalesce(a.agency, prev.agency))"""
DID_NOT_PUBLISH_BEFORE = f"""
SELECT prev.source, prev.region, coalesce(a.agency, prev.agency) AS agency, prev.year + 1 AS missing_year,
  prev.year AS last_year, prev.id AS last_report
FROM reports prev LEFT JOIN agency_aliases a ON a.alias = prev.agency
WHERE {MISSING_BEFORE}
  AND (:region = '' OR prev.region = :region) AND (:year = '' OR prev.year + 1 = CAST(:year AS INTEGER))
ORDER BY prev.year DESC, prev.source, prev.region, agency"""
DID_NOT_PUBLISH_COUNTS_BEFORE = f"""
SELECT prev.source, coalesce(prev.region, '（未知 · unknown）') AS region, prev.year + 1 AS year,
  count(*) AS did_not_publish,
  (SELECT count(*) FROM reports c WHERE c.year = prev.year + 1 AND c.source = prev.source
   AND c.region IS prev.region) AS published
FROM reports prev LEFT JOIN agency_aliases a ON a.alias = prev.agency
WHERE {MISSING_BEFORE}
GROUP BY prev.source, prev.region, prev.year ORDER BY year DESC, did_not_publish DESC"""
DID_NOT_PUBLISH_CHART_BEFORE = f"""
SELECT prev.year + 1 AS year, coalesce(prev.region, '（未知 · unknown）') AS region, count(*) AS agencies
FROM reports prev LEFT JOIN agency_aliases a ON a.alias = prev.agency
WHERE {MISSING_BEFORE} [[ AND prev.region = :region ]]
GROUP BY 1, 2"""


def test_the_pages_that_read_the_summaries_answer_as_the_queries_over_every_report_did(writer):
    import yaml

    from gxcrawl.browse.server import METADATA

    db, store, _ = writer
    for seed, (agency, year, region) in enumerate(
        [
            ("卫辉市商务局", 2021, "卫辉市"),
            ("卫辉市商务局", 2022, "卫辉市"),
            ("郑州市教育局", 2022, None),
            ("郑州市教育局", 2023, None),
            ("新乡市财政局", 2022, "新乡市"),
        ]
    ):
        store(agency, year, seed, region=region, published=f"{year + 1}-0{1 + seed % 3}-20")
    # One late, one 2019-form report whose completeness cannot be told of a missing section: a mix of NULLs.
    store("新乡市财政局", 2019, 9, region="新乡市", changes={"review.total": None})
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    queries = metadata["databases"]["__DATABASE__"]["queries"]
    assert (
        db.execute(queries["scorecards_by_region"]["sql"]).fetchall()
        == db.execute(SCORECARDS_BY_REGION_BEFORE).fetchall()
    )
    for year in ("", "2022", "2030"):
        assert (
            db.execute(queries["top_agencies"]["sql"], {"year": year}).fetchall()
            == db.execute(TOP_AGENCIES_BEFORE, {"year": year}).fetchall()
        )
    chart = metadata["plugins"]["datasette-dashboards"]["reports"]["charts"]["scorecard-shares"]["query"]
    for region in (None, "新乡市"):
        sql = chart.replace("[[ AND region = :region ]]", "" if region is None else "AND region = :region")
        before = sql.replace("1.0 * sum(on_time) / sum(on_time_known)", "avg(on_time)")
        before = before.replace("1.0 * sum(complete) / sum(complete_known)", "avg(sections_missing_count = 0)")
        before = before.replace("1.0 * sum(consistent) / sum(consistent_known)", "avg(rules_failed_count = 0)")
        before = before.replace("summary_scores", "scorecards")
        assert before != sql
        assert db.execute(sql, {"region": region}).fetchall() == db.execute(before, {"region": region}).fetchall()


def test_who_did_not_publish_answers_as_the_query_over_every_report_did(writer):
    import yaml

    from gxcrawl.browse.server import METADATA
    from gxcrawl.store.runs import finish_run, start_run
    from gxcrawl.store.scorecards import link_agency
    from gxcrawl.store.summaries import rebuild_summaries

    db, store, _ = writer
    for seed, (agency, year, region) in enumerate(
        [
            ("卫辉市商务局", 2019, "卫辉市"),
            ("卫辉市商务局", 2021, "卫辉市"),  # 2020 missing
            ("卫辉县商务局", 2019, "卫辉市"),  # its old name: 2020 missing under either
            ("卫辉县商务局", 2020, "卫辉市"),  # …but not once linked
            ("郑州市教育局", 2020, None),  # no region: counted as unknown
            ("新乡市财政局", 2021, "新乡市"),
            ("新乡市财政局", 2022, "新乡市"),
            ("新乡市财政局", 2023, "新乡市"),
            ("洛阳市财政局", 2030, "洛阳市"),  # its deadline has not passed
        ]
    ):
        store(agency, year, seed, region=region)
    with db.atomic():
        link_agency(db, "卫辉县商务局", "卫辉市商务局")
    store("郑州市教育局", 2021, 20, region="郑州市", url="http://portal/other")  # under a region of its own
    run = start_run(db, "henan")
    finish_run(db, run, exit_status=0, finish_reason="finished")
    other = start_run(db, "other")  # a source never crawled to the end lists no one
    finish_run(db, other, exit_status=1, finish_reason="shutdown")
    db.conn.execute("UPDATE reports SET source = 'other' WHERE agency = '郑州市教育局' AND year = 2021")
    rebuild_summaries(db)
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    queries = metadata["databases"]["__DATABASE__"]["queries"]
    for region, year in (("", ""), ("卫辉市", ""), ("", "2020"), ("新乡市", "2024")):
        parameters = {"region": region, "year": year}
        now = db.execute(queries["did_not_publish"]["sql"], parameters).fetchall()
        assert now == db.execute(DID_NOT_PUBLISH_BEFORE, parameters).fetchall()
    assert {(row[2], row[3]) for row in db.execute(queries["did_not_publish"]["sql"], {"region": "", "year": ""})} == {
        ("卫辉市商务局", 2022),
        ("新乡市财政局", 2024),
    }
    counts = db.execute(queries["did_not_publish_counts"]["sql"]).fetchall()
    assert counts == db.execute(DID_NOT_PUBLISH_COUNTS_BEFORE).fetchall() and counts
    chart = metadata["plugins"]["datasette-dashboards"]["reports"]["charts"]["did-not-publish"]["query"]
    for region in (None, "卫辉市"):
        wanted = "" if region is None else "AND {}.region = :region"
        sql = chart.replace("[[ AND g.region = :region ]]", wanted.format("g"))
        before = DID_NOT_PUBLISH_CHART_BEFORE.replace("[[ AND prev.region = :region ]]", wanted.format("prev"))
        assert sorted(db.execute(sql, {"region": region})) == sorted(db.execute(before, {"region": region}))


def test_browse_can_tell_summaries_an_older_gxcrawl_left_behind(writer):
    from gxcrawl.store.summaries import summaries_match

    db, store, _ = writer
    store("卫辉市商务局", 2021, 1)
    store("卫辉市商务局", 2022, 2)
    assert summaries_match(db.conn)
    # An older gxcrawl storing a new version keeps the yearly totals, and knows nothing of the agencies' summary.
    db.conn.execute("UPDATE reports SET applications_new = applications_new + 5 WHERE year = 2022")
    db.conn.execute("UPDATE summary_totals SET applications_new = applications_new + 5 WHERE year = 2022")
    assert not summaries_match(db.conn)
    db.conn.execute("UPDATE summary_agencies SET applications_new = applications_new + 5")
    assert summaries_match(db.conn)
    # …or regrading a report, the scorecards' summary.
    db.conn.execute("UPDATE scorecards SET score = score - 10 WHERE year = 2022")
    assert not summaries_match(db.conn)
    db.conn.execute("UPDATE scorecards SET score = score + 10 WHERE year = 2022")
    assert summaries_match(db.conn)
    # …or storing a report, the facets' counts (as a release before them would).
    db.conn.execute("UPDATE summary_facets SET rows = rows - 1 WHERE column_name = 'year' AND value = 2021")
    assert not summaries_match(db.conn)


def test_a_summary_whose_triggers_changed_is_computed_afresh(writer):
    from gxcrawl.store.summaries import SUMMARY_TRIGGERS

    db, store, db_path = writer
    store("卫辉市商务局", 2021, 1)
    store("卫辉市商务局", 2023, 2)
    # As a database written by a release whose facets and gaps were other ones: its triggers differ.
    for name in ("summary_facets_reports_made", "summary_gaps_report_made"):
        db.conn.execute(f"DROP TRIGGER {name}")
        db.conn.execute(f"CREATE TRIGGER {name} AFTER INSERT ON reports BEGIN SELECT 1; END")
    db.conn.execute("DELETE FROM summary_facets")
    db.conn.execute("DELETE FROM summary_gaps")
    db.conn.commit()
    db.close()
    db = open_database(db_path)
    assert kept(db) == computed(db) and kept(db)[4] and kept(db)[5]
    triggers = {row[0]: row[1] for row in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    for made in SUMMARY_TRIGGERS.values():
        assert all(triggers[name] == f"CREATE TRIGGER {name} {body}" for name, body in made.items())
    db.close()


def test_a_report_deleted_or_given_another_id_by_hand_takes_its_gap_along(writer):
    db, store, _ = writer
    store("卫辉市商务局", 2021, 1)
    store("卫辉市商务局", 2023, 2)
    store("郑州市教育局", 2021, 3)
    assert len(kept(db)[4]) == 3
    db.conn.execute("UPDATE reports SET id = 'henan/卫辉市商务局/2021b' WHERE id = 'henan/卫辉市商务局/2021'")
    assert kept(db)[4:] == computed(db)[4:]
    db.conn.execute("DELETE FROM reports WHERE agency = '郑州市教育局'")
    assert kept(db)[4:] == computed(db)[4:] and len(kept(db)[4]) == 2
