"""`scrapy crawl site` against replicas of the common CMS families (tests/support/site_replica.py), end to end."""

import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from support.samples import render_text
from support.site_replica import LIST_PATHS, SiteReplica
from test_crawl import FAST, SCRAPY, rows, stored_figures

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


@pytest.fixture
def site():
    replica = SiteReplica(reports=7)
    base = replica.serve()
    yield replica, base
    replica.stop()


def crawl_site(db, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SCRAPY, "crawl", "site", "-s", f"GXCRAWL_DB={db}", *FAST, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def write_sources(path, base: str) -> None:
    path.write_text(
        "".join(
            f"- name: {family} 站\n  url: {base}{LIST_PATHS[family]}\n  region: {family}市\n"
            + ("  cms: hanweb\n" if family == "hanweb" else "")
            for family in LIST_PATHS
        ),
        encoding="utf-8",
    )


def assert_stored(db, replica: SiteReplica) -> None:
    reports = {(row["agency"], row["year"]): row for row in rows(db, "SELECT * FROM reports")}
    assert set(reports) == {(r.sample.agency, r.sample.year) for r in replica.all_reports()}
    for report in replica.all_reports():
        row = reports[(report.sample.agency, report.sample.year)]
        assert (row["published"], row["region"]) == (report.published, f"{report.family}市")
        figures = stored_figures(db, row["id"])
        assert {k: (v, figures[k]) for k, v in report.sample.figures.items() if figures[k] != v} == {}, report.path


def test_every_cms_family_from_a_sources_file(site, tmp_path):
    replica, base = site
    sources, db = tmp_path / "sources.yaml", tmp_path / "g.db"
    write_sources(sources, base)
    result = crawl_site(db, "-a", f"sources={sources}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_stored(db, replica)
    for pager in ("trs", "hanweb", "next", "index"):
        assert f"'gxcrawl/pagers/{pager}'" in result.stderr, pager
    assert {row["format"] for row in rows(db, "SELECT format FROM reports")} == {"html", "docx"}
    assert not [path for _, path in replica.requests if path.startswith("/notice/")]  # not reports
    assert ("POST", next(path for method, path in replica.requests if "dataproxy.jsp" in path)) in replica.requests

    before = len(replica.requests)
    again = crawl_site(db, "-a", f"sources={sources}")
    assert again.returncode == 0, again.stderr[-3000:]
    assert not [path for _, path in replica.requests[before:] if path in replica.by_path]  # nothing new: no report


def test_one_column_by_its_address_with_a_hint(site, tmp_path):
    replica, base = site
    db = tmp_path / "g.db"
    result = crawl_site(db, "-a", f"url={base}{LIST_PATHS['next']}", "-a", "region=next市", "-a", "cms=next")
    assert result.returncode == 0, result.stderr[-3000:]
    column = replica.columns["next"]
    assert {(row["agency"], row["region"]) for row in rows(db, "SELECT agency, region FROM reports")} == {
        (report.sample.agency, "next市") for report in column
    }


def test_a_report_imported_and_crawled_is_one_report(site, tmp_path):
    replica, base = site
    db = tmp_path / "g.db"
    report = replica.columns["seq"][0]
    text = tmp_path / "report.txt"
    text.write_text(render_text(report.sample, "tabs"), encoding="utf-8")
    imported = subprocess.run(
        [sys.executable, "-m", "gxcrawl", "import", str(text), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stderr
    result = crawl_site(db, "-a", f"url={base}{LIST_PATHS['seq']}")
    assert result.returncode == 0, result.stderr[-3000:]
    key = f"files/{report.sample.agency}/{report.sample.year}"
    [row] = rows(db, "SELECT * FROM reports WHERE agency = ? AND year = ?", report.sample.agency, report.sample.year)
    assert (row["id"], row["source"], row["url"]) == (key, "site", base + report.path)
    versions = rows(db, "SELECT source FROM report_versions WHERE report_id = ? ORDER BY id", key)
    assert [version["source"] for version in versions] == ["files", "site"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("- name: x\n", "source 1 has no url"),
        ("- url: ftp://x/\n", "is an http(s) address"),
        ("- url: http://x/\n  cms: joomla\n", "cms 'joomla' is none of"),
    ],
)
def test_a_bad_sources_file_is_refused_clearly(tmp_path, content, message):
    sources = tmp_path / "sources.yaml"
    sources.write_text(content, encoding="utf-8")
    result = crawl_site(tmp_path / "g.db", "-a", f"sources={sources}")
    assert result.returncode != 0 and message in result.stderr


def doctor(url: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SCRAPY, "doctor", url, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_doctor_says_what_a_column_shows_and_gives_its_sources_entry(site, tmp_path):
    replica, base = site
    db = tmp_path / "g.db"
    result = doctor(base + LIST_PATHS["hanweb"], "-s", f"GXCRAWL_DB={db}")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "CMS family   hanweb" in result.stdout and "declared     8 records, 5 a page" in result.stdout
    first = replica.columns["hanweb"][0]
    assert f"{first.title}  {base}{first.path}" in result.stdout
    entry = yaml.safe_load(result.stdout.split("sources.yaml entry", 1)[1].split("\n", 1)[1])
    assert entry == [{"name": "政府信息公开年报", "url": base + LIST_PATHS["hanweb"], "cms": "hanweb"}]
    assert not db.exists()  # one page looked at: nothing stored


def test_doctor_on_an_address_that_does_not_answer(site):
    _, base = site
    result = doctor(base + "/no/such/list.html")
    assert result.returncode == 1 and "could not be read" in result.stdout
