"""`gxcrawl browse` in a real browser: Chromium, driven by Playwright, against the command's own server.

Screenshots of every step are kept as test artefacts in $GXCRAWL_ARTIFACTS (default
output/test-artifacts/browse), to look at when a step fails.
"""

import os
import random
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from datasette.utils import tilde_encode

from conftest import ROOT, needs
from gxcrawl.browse.layout import show
from gxcrawl.chromium import CHROMIUM_FLAGS, find_chromium
from support.samples import random_report
from support.serving import free_port
from test_browse import REPORTS, build
from test_browse_sources import recorded, red_box

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("GXCRAWL_ARTIFACTS", ROOT / "output" / "test-artifacts")) / "browse"


@contextmanager
def serving(database):
    """`gxcrawl browse DATABASE` on a free port, as a user starts it; its address."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gxcrawl", "browse", str(database), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gxcrawl browse did not start: {process.stdout.read()[-2000:]}")
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    database = tmp_path / "g.db"
    samples, _ = build(database)
    with serving(database) as base:
        yield base, samples


def test_a_researcher_browses_the_reports(server):
    needs("chromium")
    from playwright.sync_api import sync_playwright

    base, samples = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside = []

    def local_only(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:  # nothing may reach the internet: a chart library from a CDN would show here
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_FLAGS))
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.route("**/*", local_only)

        page.goto(f"{base}/g/reports")
        assert "年度报告 · Reports" in page.content()
        assert page.locator("table.rows-and-columns tbody tr").count() == len(REPORTS)
        page.screenshot(path=ARTIFACTS / "1-reports.png", full_page=True)

        page.locator("#facet-year a", has_text="2022").first.click()
        page.wait_for_url("**year=2022**")
        assert page.locator("table.rows-and-columns tbody tr").count() == 3
        assert "3 rows where year = 2022" in page.inner_text("h3")
        page.screenshot(path=ARTIFACTS / "2-year-facet.png", full_page=True)

        page.goto(f"{base}/g/reports")
        page.fill("input[name=_search]", "卫辉")
        page.press("input[name=_search]", "Enter")
        # Too short for the trigram index: the server answers with LIKE (and says so in the URL).
        page.wait_for_url(re.compile(r"_(search|like)="))
        assert page.input_value("input[name=_search]") == "卫辉"
        agencies = page.locator("table.rows-and-columns tbody td.col-agency").all_inner_texts()
        assert agencies == ["卫辉市商务局", "卫辉市商务局"]
        page.screenshot(path=ARTIFACTS / "3-search.png", full_page=True)
        # A second search, long enough for the index, replaces the short one.
        page.fill("input[name=_search]", "郑州市教")
        page.press("input[name=_search]", "Enter")
        page.wait_for_url(re.compile(r"_search=%E9%83%91"))
        assert page.locator("table.rows-and-columns tbody td.col-agency").all_inner_texts() == ["郑州市教育局"] * 3
        assert page.input_value("input[name=_search]") == "郑州市教"
        page.fill("input[name=_search]", "卫辉")
        page.press("input[name=_search]", "Enter")
        page.wait_for_url(re.compile(r"_like="))

        page.locator("table.rows-and-columns tbody td.col-id a").first.click()
        page.wait_for_selector("section.gxcrawl-form")
        heading = page.inner_text("h1")
        agency, year = "卫辉市商务局", int(heading.rsplit("/", 1)[-1])
        sample = samples[(agency, year)]
        assert page.locator("section.gxcrawl-form table").count() == 3
        for key in ("applications.new.total", "applications.granted.natural_person", "review.total"):
            assert page.inner_text(f'td[data-key="{key}"]') == show(sample.figures[key]), key
        assert page.locator("section.gxcrawl-form th", has_text="法人或其他组织").count() == 1
        page.locator("section.gxcrawl-form").screenshot(path=ARTIFACTS / "4-report-as-printed.png")

        page.goto(f"{base}/-/dashboards/reports")
        page.wait_for_selector("#chart-outcome-shares svg .mark-rect path")
        page.wait_for_selector("#chart-yearly-totals svg .mark-rect path")
        page.wait_for_function("document.querySelector('#chart-report-count').innerText.includes('7')")
        years = len({year for _, _, year in REPORTS})
        # A bar per year and outcome, stacked to 100%; a bar per year and measure, side by side.
        assert page.locator("#chart-outcome-shares .mark-rect path").count() >= years * 3
        assert page.locator("#chart-yearly-totals .mark-rect path").count() >= years * 3
        legend = page.inner_text("#chart-outcome-shares")
        assert "（一）予以公开" in legend and "（三）不予公开" in legend
        page.screenshot(path=ARTIFACTS / "5-charts.png", full_page=True)
        browser.close()
    assert outside == []


def test_a_reader_checks_a_figure_against_the_printed_page(tmp_path):
    """A click on a cell of a PDF report shows the page as printed, the figure's cell boxed in red."""
    needs("chromium")
    from playwright.sync_api import sync_playwright

    from support.rendering import print_page, print_pdf

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sample = random_report(random.Random("click"), agency="郑州市教育局", year=2022, form="2021", busy=0.8)
    database = tmp_path / "g.db"
    url = "http://portal/files/7.pdf"
    recorded(database, {url: [{"url": url, "body": print_pdf(print_page(sample)), "content_type": "application/pdf"}]})
    with serving(database) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_FLAGS))
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(f"{base}/g/reports/" + tilde_encode("henan/郑州市教育局/2022"))
        cell = page.locator('td[data-key="review.total"]')
        assert cell.inner_text() == show(sample.figures["review.total"])
        assert page.locator("#gxcrawl-source").is_hidden()
        cell.click()
        picture = page.locator("#gxcrawl-source-image")
        picture.wait_for(state="visible")
        page.wait_for_function("document.getElementById('gxcrawl-source-image').naturalWidth > 0")
        note = page.inner_text("#gxcrawl-source-note")
        assert f"印刷为 · printed as 「{show(sample.figures['review.total'])}」" in note and "第 " in note
        assert "chosen" in cell.get_attribute("class")
        page.screenshot(path=ARTIFACTS / "6-figure-on-its-page.png", full_page=False)
        source = base + picture.evaluate("image => image.dataset.source")
        shown = picture.evaluate("image => [image.naturalWidth, image.naturalHeight]")
        browser.close()
        png = urllib.request.urlopen(source).read()
    box = [float(value) for value in re.search(r"box=([\d.,]+)", source).group(1).split(",")]
    x0, top, x1, bottom = red_box(png)
    assert shown[0] > 1000 and x0 < x1 and top < bottom
    scale = shown[0] / 612  # Chromium prints on US Letter: 612 points wide
    assert abs(x0 - box[0] * scale) < 4 and abs(bottom - box[3] * scale) < 4


def test_an_agencys_history_and_two_of_its_years_compared(server):
    needs("chromium")
    from playwright.sync_api import sync_playwright

    base, samples = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_FLAGS))
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(f"{base}/g/reports?agency=卫辉市商务局")
        page.locator("table.rows-and-columns td.col-agency a").first.click()
        page.wait_for_url("**/-/gxcrawl/g/agency?name=*")
        assert page.inner_text("h1") == "卫辉市商务局"
        assert page.locator("table.gxcrawl-history tr[class^=year-]").count() == 2
        # The chart: a point for each headline figure in each year, drawn by the browser.
        assert page.locator("svg.gxcrawl-chart circle.point").count() == 2 * 5
        box = page.locator("svg.gxcrawl-chart").first.bounding_box()
        assert box and box["width"] > 500 and box["height"] > 200
        page.screenshot(path=ARTIFACTS / "7-agency-history.png", full_page=True)

        page.locator("form.gxcrawl-compare-form input[type=submit]").click()
        page.wait_for_url("**/-/gxcrawl/g/compare?*")
        before, after = samples[("卫辉市商务局", 2021)].figures, samples[("卫辉市商务局", 2022)].figures
        changed = sum(before[key] != after[key] for key in after)
        assert page.locator("section.gxcrawl-form td.changed").count() == changed
        cell = page.locator('td[data-key="review.total"]')
        assert cell.inner_text() == f"{show(before['review.total'])} → {show(after['review.total'])}"
        highlighted = page.locator("section.gxcrawl-form td.changed").first
        assert highlighted.evaluate("cell => getComputedStyle(cell).backgroundColor") == "rgb(255, 241, 168)"
        page.screenshot(path=ARTIFACTS / "8-two-years-compared.png", full_page=True)
        browser.close()
