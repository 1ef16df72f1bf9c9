"""Columns whose lists a script loads (tests/support/script_lists.py): learnt in Chromium, walked with plain HTTP,
kept between runs, learnt again when they move, and a walk called partial when they cannot be learnt."""

import json
import re

import pytest

from conftest import needs
from support.script_lists import LIST_PATHS, ScriptLists
from test_crawl import rows, stored_figures
from test_site import crawl_site, doctor

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


@pytest.fixture
def lists():
    needs("chromium")
    replica = ScriptLists()
    base = replica.serve()
    yield replica, base
    replica.stop()


def stat(result, name: str) -> int:
    found = re.search(rf"'gxcrawl/{name}': (\d+)", result.stderr)
    return int(found.group(1)) if found else 0


def assert_column_stored(db, replica: ScriptLists, column: str) -> None:
    stored = {(row["agency"], row["year"]): row["id"] for row in rows(db, "SELECT id, agency, year FROM reports")}
    reports = replica.reports(column)
    assert set(stored) == {(r.sample.agency, r.sample.year) for r in reports}
    for report in reports:
        figures = stored_figures(db, stored[(report.sample.agency, report.sample.year)])
        assert {k: (v, figures[k]) for k, v in report.sample.figures.items() if figures[k] != v} == {}


@pytest.mark.parametrize(
    "column, shape",
    [
        ("trs", "the page number is 'page' in the query"),  # JSONP from a TRS search service, after a static page
        ("vue", "the page number is 'pageNum' in the JSON body"),  # POST JSON, data.records and data.total
        ("offset", "the offset is 'offset' in the query (0, 6"),  # offset/limit, rows and total
    ],
)
def test_a_script_loaded_list_is_learnt_once_and_walked_whole_with_plain_http(lists, tmp_path, column, shape):
    replica, base = lists
    db, url = tmp_path / "g.db", base + LIST_PATHS[column]
    result = crawl_site(db, "-a", f"url={url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_column_stored(db, replica, column)
    [run] = rows(db, "SELECT walk, reports_listed FROM crawl_runs")
    assert run["walk"] == "complete"
    # The browser renders the list page once; every page of the interface and every report is plain HTTP.
    assert stat(result, "pages/browser") == 1
    assert not [path for _, path in replica.requests if "/detail/" in path and "notice" in path]
    [kept] = rows(db, "SELECT list_url, description, retired_at FROM list_interfaces")
    assert kept["list_url"] == url and shape in kept["description"] and kept["retired_at"] is None
    assert not rows(db, "SELECT url FROM failures")  # the notices it lists are not fetched as reports


def test_a_kept_interface_is_walked_without_the_browser_and_learnt_again_when_it_moves(lists, tmp_path):
    replica, base = lists
    db, url = tmp_path / "g.db", base + LIST_PATHS["vue"]
    assert crawl_site(db, "-a", f"url={url}").returncode == 0

    again = crawl_site(db, "-a", f"url={url}", "-a", "refresh=all")
    assert again.returncode == 0, again.stderr[-3000:]
    assert stat(again, "pages/browser") == 0 and stat(again, "reports_unchanged") == len(replica.reports("vue"))

    replica.moved = True  # a CMS upgrade: the interface now answers under /v2, its old address 404s
    moved = crawl_site(db, "-a", f"url={url}", "-a", "refresh=all")
    assert moved.returncode == 0, moved.stderr[-3000:]
    assert "the interface learnt before no longer works" in moved.stderr and stat(moved, "pages/browser") == 1
    kept = rows(db, "SELECT interface, retired_at, retired_why FROM list_interfaces ORDER BY id")
    assert len(kept) == 2 and "HTTP 404" in kept[0]["retired_why"] and kept[1]["retired_at"] is None
    assert json.loads(kept[1]["interface"])["url"].endswith("/v2/api/content/list")
    assert rows(db, "SELECT walk FROM crawl_runs ORDER BY id DESC LIMIT 1") == [{"walk": "complete"}]


@pytest.mark.parametrize("shortfall, exit_status", [("fail", 1), ("warn", 0)])
def test_a_list_whose_interface_is_broken_is_partial_and_says_why(lists, tmp_path, shortfall, exit_status):
    replica, base = lists
    replica.broken = True
    db = tmp_path / "g.db"
    result = crawl_site(db, "-a", f"url={base + LIST_PATHS['trs']}", "-s", f"GXCRAWL_SHORTFALL={shortfall}")
    assert result.returncode == exit_status, result.stderr[-3000:]
    [run] = rows(db, "SELECT walk, problems FROM crawl_runs")
    assert run["walk"] == "partial"
    assert "declares 20 records and the walk saw 10 in 1 list pages" in result.stderr
    assert "the page's script asked for its list and was refused" in result.stderr and "HTTP 500" in result.stderr
    assert ("declares 20 records" in run["problems"]) == (shortfall == "fail")
    # What the static page showed is stored all the same.
    assert len(rows(db, "SELECT id FROM reports")) == sum(
        1 for r in replica.reports("trs")[:10] if r in replica.columns["trs"][:10]
    )
    assert not rows(db, "SELECT id FROM list_interfaces")


def test_a_shell_list_whose_interface_is_broken_is_partial_not_complete(lists, tmp_path):
    replica, base = lists
    replica.broken = True
    db = tmp_path / "g.db"
    result = crawl_site(db, "-a", f"url={base + LIST_PATHS['offset']}")
    assert result.returncode == 1
    assert rows(db, "SELECT walk FROM crawl_runs") == [{"walk": "partial"}]
    assert (
        "shows no entry in its HTML; the interface its script loads the list from could not be learnt" in result.stderr
    )


def test_doctor_shows_the_learnt_interface_and_why_a_broken_one_could_not_be(lists):
    replica, base = lists
    result = doctor(base + LIST_PATHS["vue"])
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "interface    POST " in result.stdout and "'pageNum' in the JSON body" in result.stdout
    assert "records at 'data.records'" in result.stdout and "of the 19 it declares" in result.stdout

    replica.broken = True
    broken = doctor(base + LIST_PATHS["trs"])
    assert broken.returncode == 1
    assert "declared     20 records, 10 a page, 2 pages" in broken.stdout
    assert "interface    none learnt: the page's script asked for its list and was refused" in broken.stdout
