"""Storage rules: one current row per (agency, year), every version kept, nothing lost."""

import json
import random
import sqlite3

import pytest

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.report import parse_document
from gxcrawl.store.refresh import StoredPage, confirm_unchanged, failed_pages, stored_pages
from gxcrawl.store.reports import CHANGED, NEW, OLDER, UNCHANGED, store_report
from gxcrawl.store.runs import finish_run, last_run, record_failure, start_run
from gxcrawl.store.schema import open_database, open_readonly
from support.samples import random_report, render_html


def parsed(seed: int, agency="某局", year=2022, bump=0):
    sample = random_report(random.Random(seed), agency=agency, year=year)
    sample.figures["active.normative.issued"] += bump
    return parse_document(render_html(sample), "r.html")


def fetch(portal_id, published, url=None):
    return Fetch("henan", url or f"http://portal/view/{portal_id}", portal_id=portal_id, published=published)


def current(db):
    return {row["id"]: row for row in db.query("SELECT * FROM reports")}


def test_the_later_publication_wins_and_the_earlier_is_kept(tmp_path):
    db = open_database(tmp_path / "g.db")
    original, corrected = parsed(1), parsed(1, bump=1)
    assert store_report(db, corrected, fetch(20, "2023-03-01")) == NEW
    assert store_report(db, original, fetch(10, "2023-01-31")) == OLDER
    row = current(db)["henan/某局/2022"]
    assert (row["portal_id"], row["published"]) == (20, "2023-03-01")
    versions = list(db.query("SELECT portal_id, superseded, figures FROM report_versions ORDER BY portal_id"))
    assert [(v["portal_id"], v["superseded"]) for v in versions] == [(10, 1), (20, 0)]
    assert json.loads(versions[0]["figures"])["active.normative.issued"] == int(
        original.figures["active.normative.issued"]
    )


def test_on_the_same_date_the_higher_portal_id_wins(tmp_path):
    db = open_database(tmp_path / "g.db")
    assert store_report(db, parsed(1), fetch(10, "2023-01-31")) == NEW
    assert store_report(db, parsed(1, bump=2), fetch(11, "2023-01-31")) == CHANGED
    assert current(db)["henan/某局/2022"]["portal_id"] == 11
    value = next(
        db.query(
            "SELECT value FROM figures WHERE report_id = ? AND key = ?", ["henan/某局/2022", "active.normative.issued"]
        )
    )["value"]
    assert value == parsed(1, bump=2).figures["active.normative.issued"]


def test_unchanged_content_is_not_rewritten(tmp_path):
    db = open_database(tmp_path / "g.db")
    report = parsed(3)
    store_report(db, report, fetch(10, "2023-01-31"))
    again = fetch(10, "2023-01-31")
    again.fetched_at = "2099-01-01T00:00:00+00:00"
    assert store_report(db, report, again) == UNCHANGED
    row = current(db)["henan/某局/2022"]
    assert row["last_seen"] == "2099-01-01T00:00:00+00:00" and row["fetched_at"] != row["last_seen"]
    assert db["report_versions"].count == 1


def test_every_key_of_the_form_has_a_row_and_headlines_are_filled(tmp_path):
    db = open_database(tmp_path / "g.db")
    report = parsed(4)
    store_report(db, report, fetch(10, "2023-01-31"))
    assert db["figures"].count == len(report.figures) == 200
    row = current(db)["henan/某局/2022"]
    assert row["applications_total"] == report.figures["applications.total.total"]
    assert row["suit_total"] == report.figures["suit_direct.total"] + report.figures["suit_after_review.total"]
    assert row["checks_failed"] == 0 and json.loads(row["checks"])["R1"] == "ok"


def test_derived_values_are_stored_beside_the_printed_blank(tmp_path):
    db = open_database(tmp_path / "g.db")
    sample = random_report(random.Random(5), agency="某局", year=2022)
    total = sample.figures["applications.new.total"]
    sample.figures["applications.new.total"] = None
    report = parse_document(render_html(sample), "r.html")
    store_report(db, report, fetch(10, "2023-01-31"))
    row = next(db.query("SELECT value, derived, derived_rule FROM figures WHERE key = 'applications.new.total'"))
    assert (
        row["value"] is None
        and row["derived"] == total
        and row["derived_rule"] == report.derived_rules["applications.new.total"]
    )
    version = json.loads(next(db.query("SELECT derived FROM report_versions"))["derived"])
    assert version["applications.new.total"] == [total, report.derived_rules["applications.new.total"]]
    printed = next(db.query("SELECT derived FROM figures WHERE key = 'applications.new.natural_person'"))
    assert printed["derived"] is None


def test_a_reading_whose_derived_values_changed_is_a_new_version(tmp_path):
    """As after a parser improvement and `gxcrawl reparse`: the same figures, new derived values."""
    import dataclasses

    db = open_database(tmp_path / "g.db")
    sample = random_report(random.Random(6), agency="某局", year=2022)
    sample.figures["applications.new.total"] = None
    report = parse_document(render_html(sample), "r.html")
    assert report.derived
    before = dataclasses.replace(report, derived={}, derived_rules={})  # read by a parser without `derived`
    assert store_report(db, before, fetch(10, "2023-01-31")) == NEW
    assert store_report(db, before, fetch(10, "2023-01-31")) == UNCHANGED
    assert store_report(db, report, fetch(10, "2023-01-31")) == CHANGED
    assert [row["superseded"] for row in db.query("SELECT superseded FROM report_versions ORDER BY id")] == [1, 0]
    assert store_report(db, report, fetch(10, "2023-01-31")) == UNCHANGED


def test_full_text_search_in_chinese(tmp_path):
    db = open_database(tmp_path / "g.db")
    store_report(db, parsed(5, agency="新乡市卫滨区教育局"), fetch(10, "2023-01-31"))
    store_report(db, parsed(6, agency="开封市财政局"), fetch(11, "2023-01-31"))
    found = list(
        db.query(
            "SELECT reports.agency FROM reports JOIN reports_fts ON reports.rowid = reports_fts.rowid "
            "WHERE reports_fts MATCH ?",
            ['"卫滨区"'],
        )
    )
    assert [row["agency"] for row in found] == ["新乡市卫滨区教育局"]


def test_failures_and_runs_are_recorded(tmp_path):
    db = open_database(tmp_path / "g.db")
    run = start_run(db, "henan", {"year": "2022"})
    record_failure(db, fetch(12, None), "the PDF is encrypted", run_id=run)
    finish_run(db, run, finish_reason="finished", errors=1, exit_status=0)
    assert next(db.query("SELECT error FROM failures"))["error"] == "the PDF is encrypted"
    row = next(db.query("SELECT * FROM crawl_runs"))
    assert (row["spider"], row["errors"], row["finish_reason"]) == ("henan", 1, "finished")
    assert db.journal_mode == "wal"


def test_archive_is_content_addressed(tmp_path):
    archive = Archive(tmp_path / "archive")
    first = archive.put(b"report")
    assert archive.put(b"report") == first
    assert archive.get(first) == b"report"
    assert archive.path(first).parent.name == first[:2]
    assert len(list((tmp_path / "archive").rglob("*"))) == 2


# Half-way (the version written, not the report's row) and at the last step (the row and figures written).
@pytest.mark.parametrize("step", ["gxcrawl.store.reports.store_sources", "gxcrawl.store.reports.refresh_agency"])
def test_a_report_is_stored_whole_or_not_at_all(tmp_path, monkeypatch, step):
    db = open_database(tmp_path / "g.db")
    store_report(db, parsed(7), fetch(10, "2023-01-31"))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(step, broken)
    try:
        store_report(db, parsed(7, bump=1), fetch(20, "2023-03-01"))
    except OSError:
        pass
    monkeypatch.undo()
    assert db["report_versions"].count == 1
    assert store_report(db, parsed(7, bump=1), fetch(20, "2023-03-01")) == CHANGED
    assert current(db)["henan/某局/2022"]["portal_id"] == 20


def test_reparse_stores_a_failure_that_can_now_be_read_with_the_portals_details(tmp_path):
    from gxcrawl.reparse import reparse

    db_path = tmp_path / "g.db"
    db = open_database(db_path)
    archive = Archive(tmp_path / "archive")
    sample = random_report(random.Random(8), agency="某局", year=2022)
    digest = archive.put(render_html(sample))
    failed = Fetch(
        "henan",
        "http://portal/view/20",
        portal_id=20,
        published="2023-03-02",
        region="某区",
        agency="某局",
        year=2022,
        documents=[{"url": "http://portal/view/20", "sha256": digest, "content_type": "text/html"}],
    )
    record_failure(db, failed, "an older parser could not read it")
    db.close()
    assert reparse(str(db_path), str(tmp_path / "archive")) == {"new": 1}
    row = next(open_database(db_path).query("SELECT * FROM reports"))
    assert (row["portal_id"], row["published"], row["region"]) == (20, "2023-03-02", "某区")


def test_what_a_refresh_needs_to_know(tmp_path):
    db = open_database(tmp_path / "g.db")
    first = fetch(10, "2023-01-31")
    first.etag, first.last_modified = '"abc"', "Tue, 31 Jan 2023 00:00:00 GMT"
    first.fetched_at, first.documents = "2026-01-01T00:00:00+00:00", [{"url": "page"}, {"url": "a.pdf"}]
    store_report(db, parsed(1), first)
    record_failure(db, fetch(11, "2023-02-01"), "the PDF is encrypted")
    record_failure(db, Fetch("other", "http://elsewhere/1"), "404")
    assert stored_pages(db, "henan") == {
        "http://portal/view/10": StoredPage(
            "http://portal/view/10",
            "2023-01-31",
            '"abc"',
            "Tue, 31 Jan 2023 00:00:00 GMT",
            attachments=1,
            first_stored="2026-01-01T00:00:00+00:00",
        )
    }
    assert stored_pages(db, "hena") == {}
    assert set(failed_pages(db, "henan")) == {"http://portal/view/11"}
    # Fetched again with the same content: the version keeps its row, with the page's new validators.
    again = fetch(10, "2023-01-31")
    again.etag, again.documents = '"def"', first.documents
    assert store_report(db, parsed(1), again) == UNCHANGED
    page = stored_pages(db, "henan")["http://portal/view/10"]
    assert (page.etag, page.first_stored) == ('"def"', "2026-01-01T00:00:00+00:00")
    assert record_failure(db, fetch(11, "2023-02-01"), "still encrypted")  # it had failed before
    assert not record_failure(db, fetch(12, "2023-02-01"), "a new failure")
    assert confirm_unchanged(db, "henan", "http://portal/view/10", "2099-01-01T00:00:00+00:00")
    assert current(db)["henan/某局/2022"]["last_seen"] == "2099-01-01T00:00:00+00:00"
    assert not confirm_unchanged(db, "henan", "http://portal/view/99")


def test_a_correction_taken_back_is_current_again(tmp_path):
    db = open_database(tmp_path / "g.db")
    original, corrected = parsed(1), parsed(1, bump=3)
    assert store_report(db, original, fetch(10, "2023-01-31")) == NEW
    assert store_report(db, corrected, fetch(10, "2023-01-31")) == CHANGED
    assert store_report(db, original, fetch(10, "2023-01-31")) == CHANGED
    assert current(db)["henan/某局/2022"]["content_sha256"] == original.content_sha256
    versions = list(db.query("SELECT content_sha256, superseded FROM report_versions ORDER BY id"))
    assert [(v["content_sha256"], v["superseded"]) for v in versions] == [
        (original.content_sha256, 1),
        (corrected.content_sha256, 1),
        (original.content_sha256, 0),
    ]
    # Seen once more, it is unchanged; an older publication of it stays history.
    assert store_report(db, original, fetch(10, "2023-01-31")) == UNCHANGED
    assert store_report(db, corrected, fetch(9, "2023-01-01")) == OLDER
    assert store_report(db, corrected, fetch(9, "2023-01-01")) == UNCHANGED
    assert db["report_versions"].count == 4


def test_runs_that_never_finished_are_marked_interrupted_and_skipped_as_references(tmp_path):
    db = open_database(tmp_path / "g.db")
    good = start_run(db, "henan", scope="http://portal/list")
    finish_run(db, good, finish_reason="finished", exit_status=0, walk="complete")
    failed = start_run(db, "henan", scope="http://portal/list")
    finish_run(db, failed, finish_reason="finished", exit_status=1, walk="complete")
    start_run(db, "henan", scope="http://portal/list")  # killed: never finished
    assert last_run(db, "henan", "http://portal/list")["id"] == failed
    start_run(db, "henan", scope="http://portal/list?year=2022")
    runs = list(db.query("SELECT id, finish_reason FROM crawl_runs ORDER BY id"))
    assert [run["finish_reason"] for run in runs] == ["finished", "finished", "interrupted", None]
    assert last_run(db, "henan", "http://portal/list")["id"] == runs[2]["id"]
    assert last_run(db, "henan", "http://portal/list", succeeded=True)["id"] == good
    assert last_run(db, "henan", "http://portal/list?year=2022") is None
    assert last_run(db, "other", "http://portal/list") is None


def test_an_older_database_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE report_versions (id INTEGER PRIMARY KEY, report_id TEXT NOT NULL, url TEXT);"
        "CREATE TABLE figures (report_id TEXT NOT NULL, key TEXT NOT NULL, value NUMERIC, "
        "PRIMARY KEY (report_id, key));"
        "CREATE TABLE crawl_runs (id INTEGER PRIMARY KEY, spider TEXT, started TEXT);"
        "INSERT INTO crawl_runs (spider, started) VALUES ('henan', '2025-01-01');"
        # The scorecards as first made, before their bands for the facets.
        "CREATE TABLE scorecards (report_id TEXT PRIMARY KEY, agency TEXT, region TEXT, year INTEGER, "
        "on_time INTEGER, narrative TEXT, rules_failed_count INTEGER, sections_missing_count INTEGER, score INTEGER);"
    )
    old.close()
    db = open_database(path)
    assert {"copied_band", "score_band"} <= set(db["scorecards"].columns_dict)
    assert {"scorecards_score_band", "crawl_runs_succeeded"} <= {index.name for index in db["scorecards"].indexes} | {
        index.name for index in db["crawl_runs"].indexes
    }
    assert {"etag", "last_modified", "derived"} <= set(db["report_versions"].columns_dict)
    assert {"derived", "derived_rule"} <= set(db["figures"].columns_dict)
    assert {"scope", "walk", "reports_listed", "problems"} <= set(db["crawl_runs"].columns_dict)
    assert db["crawl_runs"].count == 1


def test_open_readonly_refuses_writes_and_accepts_a_missing_database(tmp_path):
    assert open_readonly(tmp_path / "none.db") is None
    open_database(tmp_path / "g.db").close()
    db = open_readonly(tmp_path / "g.db")
    with pytest.raises(sqlite3.OperationalError):
        db.execute("INSERT INTO crawl_runs (spider) VALUES ('x')")


def test_one_agencys_report_of_one_year_is_one_report_whichever_spider_found_it(tmp_path):
    db = open_database(tmp_path / "g.db")
    assert store_report(db, parsed(1), fetch(10, "2023-01-31")) == NEW
    db.conn.execute("UPDATE reports SET region = '卫辉市', area_code = '410781'")
    elsewhere = Fetch("site", "http://agency.example/xxgk/ndbg/1.html", published="2023-02-15")
    assert store_report(db, parsed(1, bump=1), elsewhere) == CHANGED
    [row] = current(db).values()
    assert (row["id"], row["source"], row["url"]) == ("henan/某局/2022", "site", elsewhere.url)
    assert (row["region"], row["area_code"]) == ("卫辉市", "410781")  # what the portal knew is kept
    assert confirm_unchanged(db, "site", elsewhere.url)
    assert not confirm_unchanged(db, "henan", "http://portal/view/10")  # no longer the current version
    assert [v["source"] for v in db.query("SELECT source FROM report_versions ORDER BY id")] == ["henan", "site"]
    assert set(stored_pages(db, "site")) == {elsewhere.url}
    assert set(stored_pages(db, "henan")) == {"http://portal/view/10"}
