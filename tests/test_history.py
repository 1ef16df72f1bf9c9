"""An agency's history, the comparison of two years, who did not publish, and the scorecards' queries: through
datasette's own test client on the browsing tests' database (generated reports whose every figure is known)."""

import html
import re
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from gxcrawl.browse.layout import show
from gxcrawl.scorecard import deadline
from test_browse import CRAWLED, REPORTS, browse, rows  # noqa: F401 - the module's fixture

CARRIED_ON_WRONG = ("郑州市教育局", 2020)  # its 上年结转 is 2 more than 2019's 结转下年度


def test_an_agencys_page_shows_every_year_its_figures_scorecards_and_r6(browse):  # noqa: F811
    get, samples, _, _ = browse
    page = get("/-/gxcrawl/g/agency?name=" + quote("郑州市教育局")).text
    years = [year for agency, _, year in REPORTS if agency == "郑州市教育局"]
    assert re.findall(r'<tr class="year-(\d+)">', page) == [str(year) for year in years]
    for year in years:
        row = re.search(rf'<tr class="year-{year}">(.*?)</tr>', page, re.S).group(1)
        sample = samples[("郑州市教育局", year)]
        assert 'href="/g/reports/henan~2F' in row
        numbers = re.findall(r'<td class="number">([^<]*)</td>', row)
        assert show(sample.figures["applications.new.total"]).replace(",", "") in numbers
        assert re.search(r'<td class="number score">\d+</td>', row)
        assert "days late" in row  # published in February: late
    r6 = {
        year: re.search(rf'<tr class="year-{year}">.*?<td class="r6 (ok|failed|unknown)">', page, re.S).group(1)
        for year in years
    }
    assert r6 == {2019: "unknown", 2020: "failed", 2022: "unknown"}  # 2022's previous report is 2020's, not 2021's
    # The chart: a point per year for each headline figure, and one per year for the score.
    assert page.count('<circle class="point"') == 5 * len(years)
    assert "<svg" in page and "本年新收申请 · new applications" in page


def test_an_agency_that_never_published_is_said_plainly(browse):  # noqa: F811
    get, *_ = browse
    response = get.raw("/-/gxcrawl/g/agency?name=" + quote("不存在的局"))
    assert response.status_code == 404 and "没有这个机关的报告" in response.text


def test_two_years_compared_in_the_forms_layout_with_the_differences_highlighted(browse):  # noqa: F811
    get, samples, _, _ = browse
    a, b = "henan/卫辉市商务局/2021", "henan/卫辉市商务局/2022"
    page = get(f"/-/gxcrawl/g/compare?a={quote(b)}&b={quote(a)}").text  # in either order: earlier first
    assert "卫辉市商务局: 2021 → 2022" in page
    before, after = samples[("卫辉市商务局", 2021)].figures, samples[("卫辉市商务局", 2022)].figures
    cells = re.findall(
        r'<td data-key="([^"]+)" class="(changed|same)" title="[^"]*"><span class="before">([^<]*)</span> → '
        r'<span class="after">([^<]*)</span></td>',
        page,
    )
    assert len(cells) == len(after)
    for key, status, shown_before, shown_after in cells:
        assert (html.unescape(shown_before), html.unescape(shown_after)) == (show(before[key]), show(after[key])), key
        assert status == ("changed" if before[key] != after[key] else "same"), key
    changed = sum(before[key] != after[key] for key in after)
    assert f"{changed} cells differ" in page and changed


def test_years_of_two_forms_compared_mark_what_the_earlier_form_lacks_and_list_what_the_later_lacks(browse):  # noqa: F811
    get, samples, _, _ = browse
    page = get(
        "/-/gxcrawl/g/compare?a=" + quote("henan/郑州市教育局/2020") + "&b=" + quote("henan/郑州市教育局/2022")
    ).text
    before, after = samples[("郑州市教育局", 2020)].figures, samples[("郑州市教育局", 2022)].figures
    absent = re.findall(r'<td data-key="([^"]+)" class="absent"', page)
    assert set(absent) == set(after) - set(before) and absent
    changed = sum(before[key] != after[key] for key in after if key in before)
    assert f"{changed} cells differ" in page
    listed = set(re.findall(r'<tr data-key="([^"]+)">', page))
    assert listed == set(before) - set(after) and listed


def test_a_comparison_of_reports_that_do_not_exist_is_refused(browse):  # noqa: F811
    get, *_ = browse
    response = get.raw("/-/gxcrawl/g/compare?a=nothing&b=henan/卫辉市商务局/2022")
    assert response.status_code == 404 and "no report 'nothing'" in response.text


def expected_missing() -> set[tuple[str, int]]:
    """The years after an agency's reports that it has none for, whose deadline passed before the last crawl."""
    published = {(agency, year) for agency, _, year in REPORTS}
    crawled = date.fromisoformat(CRAWLED[:10])
    return {
        (agency, year + 1)
        for agency, year in published
        if (agency, year + 1) not in published and deadline(year + 1) < min(crawled, date.today())
    }


def test_who_did_not_publish_once_the_deadline_passed(browse):  # noqa: F811
    get, *_ = browse
    missing = rows(get, "/g/did_not_publish.json?region=&year=")
    assert {(row["agency"], row["missing_year"]) for row in missing} == expected_missing()
    one_year = rows(get, "/g/did_not_publish.json?region=&year=2023")
    assert {row["missing_year"] for row in one_year} == {2023}
    counts = rows(get, "/g/did_not_publish_counts.json")
    assert sum(row["did_not_publish"] for row in counts) == len(expected_missing())


def test_the_scorecards_summary_by_region_and_year(browse):  # noqa: F811
    get, *_ = browse
    summary = rows(get, "/g/scorecards_by_region.json")
    assert sum(row["reports"] for row in summary) == len(REPORTS)
    # Every report was published in February of the following year: none on time.
    assert {row["on_time_percent"] for row in summary} == {0.0}
    cards = rows(get, "/g/scorecards.json?_size=max")
    assert {card["report_id"] for card in cards} == {f"henan/{agency}/{year}" for agency, _, year in REPORTS}
    inconsistent = next(card for card in cards if card["report_id"] == "henan/新乡市财政局/2022")
    assert "R3" in inconsistent["rules_failed"]
    assert all(Decimal(str(card["score"])) <= 100 for card in cards)


def test_the_reports_table_opens_on_its_rows(browse):  # noqa: F811
    get, *_ = browse
    page = get("/g/reports").text
    assert page.index('<details class="gxcrawl-columns">') < page.index('<table class="rows-and-columns">')
    assert "dl.column-descriptions { display: none; }" in page
    # Agencies link to their history.
    assert 'href="/-/gxcrawl/g/agency?name=' in page


def test_a_database_made_before_scorecards_is_upgraded_and_graded_when_browsed(tmp_path, capsys):
    from gxcrawl.browse.server import make_datasette
    from gxcrawl.store.schema import open_database
    from test_browse import build

    path = tmp_path / "old.db"
    build(path)
    db = open_database(path)
    db.conn.executescript("DROP VIEW reports_wide; DROP TABLE scorecards; DROP TABLE agency_aliases;")
    db.close()
    make_datasette([path])
    assert f"{len(REPORTS)} reports were graded now" in capsys.readouterr().err
    db = open_database(path)
    assert db.execute("SELECT count(*) FROM scorecards").fetchone()[0] == len(REPORTS)
    assert "reports_wide" in db.view_names()
    db.close()
