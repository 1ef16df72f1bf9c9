"""Cron-driven refreshes, end to end against the replica: incremental, resumable, locked, monitored."""

import json
import os
import signal
import subprocess
import time
from datetime import date

import pytest

from test_crawl import FAST, ROOT, SCRAPY, assert_database_matches, crawl, rows, stored_figures

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


def report_pages(paths: list[str]) -> list[str]:
    return [path for path in paths if "/view/" in path]


def list_pages(paths: list[str]) -> list[str]:
    return [path for path in paths if path.startswith("/zw/public-report?")]


def last_run(db) -> dict:
    return rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]


def test_refreshes_fetch_only_what_is_new(serve, tmp_path):
    replica, url = serve(reports=45, corrected=False)
    db = tmp_path / "g.db"
    first = crawl(url, db)
    assert first.returncode == 0, first.stderr[-3000:]
    assert last_run(db)["walk"] == "complete"

    before = len(replica.requests)
    unchanged = crawl(url, db)
    assert unchanged.returncode == 0, unchanged.stderr[-3000:]
    requested = replica.requests[before:]
    assert report_pages(requested) == []
    assert list_pages(requested) == ["/zw/public-report?page=1"]
    run = last_run(db)
    assert (run["walk"], run["reports_listed"], run["list_pages"], run["report_pages"]) == ("stopped_early", 10, 5, 0)
    assert (run["exit_status"], run["reports_new"], run["reports_changed"]) == (0, 0, 0)

    added = replica.publish(5)
    before = len(replica.requests)
    refresh = crawl(url, db)
    assert refresh.returncode == 0, refresh.stderr[-3000:]
    assert sorted(report_pages(replica.requests[before:])) == sorted(f"/zw/public-report/view/{r.id}" for r in added)
    assert list_pages(replica.requests[before:]) == ["/zw/public-report?page=1", "/zw/public-report?page=2"]
    assert last_run(db)["reports_new"] == 5
    assert_database_matches(db, replica)
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 50

    before = len(replica.requests)
    everything = crawl(url, db, "-a", "refresh=all")
    assert everything.returncode == 0, everything.stderr[-3000:]
    assert len(set(report_pages(replica.requests[before:]))) == 50
    run = last_run(db)
    assert (run["walk"], run["reports_unchanged"], run["reports_new"]) == ("complete", 50, 0)
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 50


def test_silent_corrections_within_recheck_days_become_new_versions(serve, tmp_path):
    replica, url = serve(reports=12, corrected=False, attachment_formats=("docx",))
    db = tmp_path / "g.db"
    assert crawl(url, db).returncode == 0
    by_date = sorted(replica.reports, key=lambda r: r.published)
    quiet = by_date[len(by_date) // 2]
    # A report read from its attachment: the page's 304 would not tell that the DOCX changed.
    attached = next(r for r in replica.reports if r.format == "docx")
    earliest = min(quiet.published, attached.published)
    for report in (quiet, attached):
        replica.correct_silently(report.id)
    days = (date.today() - date.fromisoformat(earliest)).days
    due = [r for r in replica.reports if r.published >= earliest]

    result = crawl(url, db, "-a", f"recheck_days={days}")
    assert result.returncode == 0, result.stderr[-3000:]
    run = last_run(db)
    assert (run["reports_changed"], run["reports_unchanged"], run["report_pages"]) == (2, len(due) - 2, len(due))
    assert replica.not_modified == len(due) - 2  # conditional requests, answered 304
    for report in (quiet, attached):
        key = f"henan/{report.sample.agency}/{report.sample.year}"
        versions = rows(db, "SELECT superseded FROM report_versions WHERE report_id = ? ORDER BY id", key)
        assert [v["superseded"] for v in versions] == [1, 0]
        assert stored_figures(db, key)["active.penalty.decisions"] == report.sample.figures["active.penalty.decisions"]
    assert_database_matches(db, replica)


def test_reports_that_failed_are_fetched_again_though_the_walk_stops_early(serve, tmp_path):
    replica, url = serve(reports=45, corrected=False)
    db = tmp_path / "g.db"
    broken = sorted(replica.reports, key=lambda r: r.id)[3]  # listed on the last page
    path = f"/zw/public-report/view/{broken.id}"
    replica.options.always_failing = (path,)
    first = crawl(url, db, "-s", "RETRY_TIMES=1")
    assert first.returncode == 0, first.stderr[-3000:]  # one failure is within the allowed errors
    assert rows(db, "SELECT url FROM failures") == [{"url": url + path}]
    # The failure names the report as the list gave it, and the HTTP status it got.
    [failure] = rows(db, "SELECT title, agency, year, status, error FROM failures")
    assert (failure["title"], failure["agency"], failure["year"], failure["status"]) == (
        broken.title,
        broken.sample.agency,
        broken.sample.year,
        503,
    )
    assert "HTTP 503 (Service Unavailable)" in failure["error"]
    assert broken.title in first.stderr
    replica.options.always_failing = ()
    second = crawl(url, db)
    assert second.returncode == 0, second.stderr[-3000:]
    assert last_run(db)["walk"] == "stopped_early"
    assert_database_matches(db, replica)


def test_reports_stored_by_another_kind_of_run_do_not_stop_the_walk(serve, tmp_path):
    replica, url = serve(reports=30, corrected=False)
    db = tmp_path / "g.db"
    assert crawl(url, db).returncode == 0
    added = sorted(replica.publish(15), key=lambda r: r.id)
    newest = f"{added[5].id}-{added[-1].id}"
    assert crawl(url, db, "-a", f"ids={newest}").returncode == 0  # the ten newest, by hand
    refresh = crawl(url, db)
    assert refresh.returncode == 0, refresh.stderr[-3000:]
    assert_database_matches(db, replica)


def test_a_failing_pipeline_fails_the_crawl(serve, tmp_path):
    replica, url = serve(reports=6, corrected=False)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("the archive cannot be written under a file")
    result = crawl(url, tmp_path / "g.db", "-s", f"GXCRAWL_ARCHIVE={blocked}")
    assert result.returncode == 1
    assert "reports could not be archived, parsed or stored" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("gxcrawl: crawl failed:")


def test_a_crawl_killed_halfway_resumes_without_refetching_or_duplicates(serve, tmp_path):
    replica, url = serve(reports=40, corrected=False, latency=0.5)
    db = tmp_path / "g.db"
    command = [*SCRAPY, "crawl", "henan", "-a", f"base_url={url}", "-s", f"GXCRAWL_DB={db}", *FAST]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        # The crawl makes the file a moment before its tables: counted once the reports table is there.
        made = db.exists() and rows(db, "SELECT count(*) AS n FROM sqlite_master WHERE name = 'reports'")[0]["n"]
        if made and rows(db, "SELECT COUNT(*) AS n FROM reports")[0]["n"] >= 12:
            break
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)  # no chance to clean up: as a power cut
    process.wait(timeout=30)
    stored = {row["url"] for row in rows(db, "SELECT url FROM reports")}
    assert 12 <= len(stored) < 40

    before = len(replica.requests)
    resumed = crawl(url, db)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    refetched = {url + path for path in report_pages(replica.requests[before:])}
    assert refetched & stored == set()
    assert len(refetched) == 40 - len(stored)
    assert_database_matches(db, replica)
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 40
    runs = rows(db, "SELECT finish_reason, exit_status, walk FROM crawl_runs ORDER BY id")
    # The killed run is marked; the resumed one walked every list page again, as the last run did not finish.
    assert runs == [
        {"finish_reason": "interrupted", "exit_status": None, "walk": None},
        {"finish_reason": "finished", "exit_status": 0, "walk": "complete"},
    ]
    # What the killed run stored is counted, from the versions it wrote.
    counts = rows(db, "SELECT reports_new, reports_changed FROM crawl_runs ORDER BY id")
    assert counts == [
        {"reports_new": len(stored), "reports_changed": 0},
        {"reports_new": 40 - len(stored), "reports_changed": 0},
    ]


def test_a_second_crawl_of_the_same_database_refuses_to_start(serve, tmp_path):
    replica, url = serve(reports=20, corrected=False, latency=0.3)
    db = tmp_path / "g.db"
    command = [*SCRAPY, "crawl", "henan", "-a", f"base_url={url}", "-s", f"GXCRAWL_DB={db}", *FAST]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not report_pages(replica.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    second = crawl(url, db)
    assert second.returncode == 75
    assert "is being written by process" in second.stderr and "flock -n" in second.stderr
    assert time.monotonic() - started < 20
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-3000:]
    assert_database_matches(db, replica)
    assert len(rows(db, "SELECT * FROM crawl_runs")) == 1


def test_a_portal_that_suddenly_lists_nothing_fails_the_run(serve, tmp_path):
    replica, url = serve(reports=15, corrected=False)
    db = tmp_path / "g.db"
    assert crawl(url, db).returncode == 0
    replica.options.lists_nothing = True
    result = crawl(url, db)
    assert result.returncode == 1
    assert "crawl failed" in result.stderr and "showed no report at all" in result.stderr
    run = last_run(db)
    assert (run["finish_reason"], run["exit_status"], run["reports_listed"]) == ("finished", 1, 0)
    assert any("showed no report at all" in problem for problem in json.loads(run["problems"]))
    assert rows(db, "SELECT COUNT(*) AS n FROM reports")[0]["n"] == 15  # nothing stored is touched
