"""End to end: the real `scrapy crawl henan` against the replica of the portal, on a free port.

Each test starts the replica in a mode, runs the spider as a user would (a
subprocess in the project root), and reads the database it left, figure by figure.
"""

import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT, needs
from support.henan_replica import ATTACHMENT_FORMATS, Replica

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

SCRAPY = [sys.executable, "-m", "scrapy"]
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def crawl(url: str, db: Path, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SCRAPY, "crawl", "henan", "-a", f"base_url={url}", "-s", f"GXCRAWL_DB={db}", *FAST, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rows(db: Path, sql: str, *parameters) -> list[dict]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, parameters)]
    finally:
        connection.close()


def stored_figures(db: Path, report_id: str) -> dict:
    return {
        row["key"]: None if row["value"] is None else Decimal(str(row["value"]))
        for row in rows(db, "SELECT key, value FROM figures WHERE report_id = ?", report_id)
    }


def assert_database_matches(db: Path, replica: Replica, ocr_formats=("image",)) -> None:
    current = replica.current()
    reports = {row["id"]: row for row in rows(db, "SELECT * FROM reports")}
    assert len(reports) == len(current)
    for (agency, year), expected in current.items():
        key = f"henan/{agency}/{year}"
        row = reports[key]
        assert (row["portal_id"], row["published"], row["title"]) == (expected.id, expected.published, expected.title)
        assert row["region"] == expected.area_name
        assert row["format"] == {"txt": "text"}.get(expected.format, expected.format)
        figures = stored_figures(db, key)
        assert set(figures) == set(expected.sample.figures)
        if expected.format in ocr_formats:  # OCR may leave a figure unread; never a wrong one
            assert {k: (v, figures[k]) for k, v in expected.sample.figures.items() if figures[k] not in (v, None)} == {}
        else:
            assert {k: (v, figures[k]) for k, v in expected.sample.figures.items() if figures[k] != v} == {}, key


def test_server_rendered_lists_gbk_pages_and_a_corrected_report(serve, tmp_path):
    replica, url = serve(reports=30, gbk_every=3, corrected=True)
    db = tmp_path / "gxcrawl.db"
    result = crawl(url, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_database_matches(db, replica)
    corrected = replica.reports[-1]
    key = f"henan/{corrected.sample.agency}/{corrected.sample.year}"
    versions = rows(
        db, "SELECT portal_id, superseded, title FROM report_versions WHERE report_id = ? ORDER BY portal_id", key
    )
    assert [(v["portal_id"], v["superseded"]) for v in versions] == [(replica.reports[0].id, 1), (corrected.id, 0)]
    assert json.loads(
        rows(db, "SELECT figures FROM report_versions WHERE portal_id = ?", replica.reports[0].id)[0]["figures"]
    )["active.normative.issued"] == int(replica.reports[0].sample.figures["active.normative.issued"])
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    # The two versions arrive in either order: the second is «changed» or «older».
    assert (run["finish_reason"], run["exit_status"], run["reports_new"]) == ("finished", 0, 30)
    assert run["reports_changed"] + run["reports_older"] == 1
    assert run["pages"] >= 31 + 3
    archived = list((tmp_path / "archive").rglob("*"))
    assert len([path for path in archived if path.is_file()]) == 31


def test_lists_without_links_fall_back_to_the_json_endpoint(serve, tmp_path):
    replica, url = serve(reports=23, list_links=False, corrected=False)
    result = crawl(url, tmp_path / "g.db")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "asking the JSON list endpoint" in result.stderr
    assert_database_matches(tmp_path / "g.db", replica)


def test_transient_faults_are_retried(serve, tmp_path):
    replica, url = serve(reports=14, faults=True, stall_seconds=4, corrected=False)
    result = crawl(url, tmp_path / "g.db", "-s", "DOWNLOAD_TIMEOUT=2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_database_matches(tmp_path / "g.db", replica)
    retried = [path for path, count in replica.attempts.items() if count > 1]
    assert len(retried) >= 14


def test_attachment_only_reports_in_every_format(serve, tmp_path):
    needs("chromium", "soffice")
    replica, url = serve(reports=12, attachment_formats=ATTACHMENT_FORMATS, corrected=False, gbk_every=0)
    result = crawl(url, tmp_path / "g.db", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_database_matches(tmp_path / "g.db", replica)
    formats = {row["format"] for row in rows(tmp_path / "g.db", "SELECT format FROM reports")}
    assert formats == {"html", "pdf", "docx", "doc", "text", "image"}


def test_a_portal_whose_markup_changed_fails_loudly(serve, tmp_path):
    replica, url = serve(reports=12, markup_changed=True)
    result = crawl(url, tmp_path / "g.db")
    assert result.returncode != 0
    assert "list page 1 of" in result.stderr and "no longer match" in result.stderr
    assert "spiders/henan/profile.py" in result.stderr
    run = rows(tmp_path / "g.db", "SELECT * FROM crawl_runs")[0]
    assert run["exit_status"] == 1 and run["reports_new"] == 0


def test_enumerating_ids_then_walking_the_lists(serve, tmp_path):
    replica, url = serve(reports=10, corrected=False)
    db = tmp_path / "g.db"
    ids = f"{replica.reports[0].id}-{replica.reports[-1].id}"
    first = crawl(url, db, "-a", f"ids={ids}")
    assert first.returncode == 0, first.stderr[-3000:]
    assert_database_matches(db, replica)
    second = crawl(url, db, "-a", "refresh=all")
    assert second.returncode == 0, second.stderr[-3000:]
    runs = rows(db, "SELECT reports_new, reports_unchanged, walk FROM crawl_runs ORDER BY id")
    assert runs == [
        {"reports_new": 10, "reports_unchanged": 0, "walk": "ids"},
        {"reports_new": 0, "reports_unchanged": 10, "walk": "complete"},
    ]
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 10
    assert rows(db, "SELECT COUNT(*) AS n FROM failures")[0]["n"] == 0  # the gaps between ids are no errors


def test_reparse_reads_the_archive_without_the_network(serve, tmp_path):
    replica, url = serve(reports=8, corrected=False)
    db = tmp_path / "g.db"
    assert crawl(url, db).returncode == 0
    replica.stop()
    before = rows(db, "SELECT * FROM figures ORDER BY report_id, key")
    result = subprocess.run(
        [sys.executable, "-m", "gxcrawl", "reparse", "--db", str(db)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "8 unchanged"
    assert rows(db, "SELECT * FROM figures ORDER BY report_id, key") == before


def test_a_list_page_lost_for_good_fails_the_crawl(serve, tmp_path):
    replica, url = serve(reports=25, corrected=False, always_failing=("/zw/public-report?page=2",))
    result = crawl(url, tmp_path / "g.db", "-s", "RETRY_TIMES=1")
    assert result.returncode != 0
    assert "1 list pages could not be fetched" in result.stderr
    stored = rows(tmp_path / "g.db", "SELECT COUNT(*) AS n FROM reports")[0]["n"]
    assert stored == 15
    assert rows(tmp_path / "g.db", "SELECT exit_status FROM crawl_runs")[0]["exit_status"] == 1


def test_links_off_the_portal_and_to_local_files_are_not_followed(serve, tmp_path):
    replica, url = serve(reports=6, corrected=False, hostile_links=True)
    result = crawl(url, tmp_path / "g.db")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "links off the portal" in result.stderr
    assert not [path for path in replica.requests if "secret" in path or "99999" in path]
    archived = b"".join(path.read_bytes() for path in (tmp_path / "archive").rglob("*") if path.is_file())
    hostname = Path("/etc/hostname").read_bytes() if Path("/etc/hostname").exists() else b"\0never\0"
    assert archived.count(hostname) == 0 or len(hostname) < 4
    assert rows(tmp_path / "g.db", "SELECT COUNT(*) AS n FROM failures")[0]["n"] == 0


def test_year_and_area_filters(serve, tmp_path):
    replica, url = serve(reports=40, corrected=False)
    year, area = 2022, "410700"
    result = crawl(url, tmp_path / "g.db", "-a", f"year={year}", "-a", f"area={area}")
    expected = {
        (r.sample.agency, r.sample.year)
        for r in replica.reports
        if r.sample.year == year and r.area_code.startswith("4107")
    }
    stored = {(row["agency"], row["year"]) for row in rows(tmp_path / "g.db", "SELECT agency, year FROM reports")}
    assert stored == expected and result.returncode == (0 if expected else 1)


def test_the_demo_crawls_a_replica_and_says_how_to_browse(tmp_path):
    db = tmp_path / "demo.db"
    # As `make demo` runs it: from the checkout, the demo and its replica found in tests/.
    result = subprocess.run(
        [sys.executable, "-m", "support.demo", "--db", str(db), "--reports", "8"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests")},
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "replica of the Henan portal" in result.stdout and f"gxcrawl browse {db}" in result.stdout
    assert rows(db, "SELECT COUNT(*) AS n FROM reports")[0]["n"] == 8
