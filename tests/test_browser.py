"""Pages that need a browser: cookie challenges and script-rendered lists, with a real Chromium.

Each crawl must leave exactly the database a plain crawl of the same portal leaves.
"""

import re

import pytest
from scrapy.http import HtmlResponse

from conftest import needs
from spiders.browser import is_challenge, launch_options
from test_crawl import assert_database_matches, crawl, rows
from test_site import doctor

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


def database(db) -> tuple:
    reports = rows(
        db, "SELECT id, portal_id, published, title, template, format, checks, figures_found FROM reports ORDER BY id"
    )
    figures = rows(db, "SELECT report_id, key, value FROM figures ORDER BY report_id, key")
    return reports, figures


def stat(result, name: str) -> int:
    found = re.search(rf"'gxcrawl/{name}': (\d+)", result.stderr)
    return int(found.group(1)) if found else 0


@pytest.fixture
def plain_database(serve, tmp_path):
    _, url = serve(reports=24, seed=5, corrected=True)
    result = crawl(url, tmp_path / "plain.db")
    assert result.returncode == 0, result.stderr[-2000:]
    return database(tmp_path / "plain.db")


@pytest.mark.parametrize("mode", ["challenge", "browser lists", "both"])
def test_browser_crawls_store_what_a_plain_crawl_stores(serve, tmp_path, plain_database, mode):
    needs("chromium")
    options = {"challenge": mode in ("challenge", "both"), "browser_lists": mode in ("browser lists", "both")}
    replica, url = serve(reports=24, seed=5, corrected=True, **options)
    arguments = ["-a", "json_list=off"] if options["browser_lists"] else []
    result = crawl(url, tmp_path / "browser.db", *arguments)
    assert result.returncode == 0, result.stderr[-3000:]
    assert database(tmp_path / "browser.db") == plain_database
    browser, plain = stat(result, "pages/browser"), stat(result, "pages/plain")
    if mode == "challenge":
        # One page through the browser; with its cookies every other page passes as plain HTTP.
        assert browser == 1 and plain >= 27 and replica.challenges <= 3
    if options["browser_lists"]:
        assert browser >= 3  # the three list pages
        assert "rendering it in the browser" in result.stderr


def test_expired_cookies_send_the_browser_again(serve, tmp_path):
    needs("chromium")
    replica, url = serve(reports=10, corrected=False, challenge=True, challenge_ttl=5.0)
    result = crawl(url, tmp_path / "g.db", "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert stat(result, "pages/browser") >= 2  # solved again after the cookie expired
    assert stat(result, "pages/plain") > stat(result, "pages/browser")
    assert rows(tmp_path / "g.db", "SELECT COUNT(*) AS n FROM reports")[0]["n"] == 10


def test_challenges_are_recognised_by_status_and_content():
    page = b"<html><script>document.cookie='x=1; path=/';location.reload();</script></html>"
    assert is_challenge(HtmlResponse("http://x/", status=412, body=page))
    assert is_challenge(HtmlResponse("http://x/", status=200, body=page))
    assert not is_challenge(HtmlResponse("http://x/", status=200, body=b"<html><p>report</p></html>"))
    long_report = page + b"<p>" + "正文".encode() * 5000 + b"</p>"
    assert not is_challenge(HtmlResponse("http://x/", status=200, body=long_report))


def test_system_chromium_is_used_when_playwright_has_none(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.setattr(
        "support.rendering.shutil.which", lambda name: "/usr/bin/chromium" if name == "chromium" else None
    )
    assert launch_options()["executable_path"] == "/usr/bin/chromium"
    (tmp_path / "chromium-1234").mkdir()
    assert "executable_path" not in launch_options()


def test_a_redesigned_portal_is_crawled_by_what_the_browser_learns_and_the_profile_is_called_out(serve, tmp_path):
    needs("chromium")
    # The list is now an empty shell of other markup whose script POSTs to a new search interface; the
    # profile's JSON list answers 404. The report pages are as before.
    replica, url = serve(reports=24, seed=5, corrected=True, redesigned=True)
    db = tmp_path / "g.db"
    result = crawl(url, db)
    assert result.returncode == 1, result.stderr[-3000:]  # stored, but the profile must be updated
    assert_database_matches(db, replica)
    # Which part of the profile broke, and what was learnt instead.
    assert "the profile's JSON list endpoint (json_list_path '/zw/public-report/api/list') failed" in result.stderr
    assert "HTTP 404" in result.stderr
    assert "the selectors 'ul.report-list > li' / \"a[href*='/view/']\" no longer match" in result.stderr
    assert "'pageNo' in the JSON body" in result.stderr and "records at 'data.records'" in result.stderr
    [run] = rows(db, "SELECT walk, problems, reports_listed FROM crawl_runs")
    assert run["walk"] == "complete" and run["reports_listed"] == len(replica.reports)
    assert "update the profile" in run["problems"]
    # Chromium renders list page 1 once; the interface's pages are plain HTTP, and no other list page is asked for.
    assert stat(result, "pages/browser") == 1
    assert [path for path in replica.requests if path.startswith("/zw/public-report?")] == [
        "/zw/public-report?page=1"
    ] * 2
    # What a person fixing the profile runs: doctor shows the new interface.
    diagnosis = doctor(url + "/zw/public-report")
    assert diagnosis.returncode == 0 and "interface    POST " in diagnosis.stdout
    assert "/zw/public-report/api/v2/search" in diagnosis.stdout and "(title 'reportTitle'" in diagnosis.stdout
