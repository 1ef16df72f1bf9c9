"""Browsing with datasette (`gxcrawl browse`): metadata, facets, search, canned queries and the form, through
datasette's own test client on a database built from generated reports whose every figure is known."""

import asyncio
import html
import random
import re
import time
from collections import defaultdict
from decimal import Decimal
from urllib.parse import quote

import pytest
from datasette.utils import tilde_encode

from gxcrawl.browse.layout import show
from gxcrawl.browse.server import make_datasette
from gxcrawl.forms import figure_labels
from gxcrawl.model import Fetch
from gxcrawl.report import parse_document
from gxcrawl.store.reports import store_report
from gxcrawl.store.schema import open_database
from gxcrawl.store.summaries import SUMMARIES
from support.samples import random_report, render_html

#: (agency, region, year): two agencies over consecutive years, one of each form, and a short-named one.
REPORTS = [
    ("卫辉市商务局", "卫辉市", 2021),
    ("卫辉市商务局", "卫辉市", 2022),
    ("郑州市教育局", "郑州市", 2019),
    ("郑州市教育局", "郑州市", 2020),
    ("郑州市教育局", "郑州市", 2022),
    ("新乡市财政局", "新乡市", 2022),
    ("林业局", None, 2023),
]
CRAWLED = "2025-06-01T00:00:00+00:00"
INCONSISTENT = ("新乡市财政局", 2022)  # its total is off by one: R3 fails
CARRIED_ON = ("卫辉市商务局", 2022)  # its 上年结转 matches 2021's 结转下年度; 郑州's 2020 does not (R6)


def build(path) -> tuple[dict, dict]:
    """The database; the samples it was made from and the reports read from them, by (agency, year)."""
    samples = {}
    for index, (agency, region, year) in enumerate(REPORTS):
        sample = random_report(random.Random(index), agency=agency, year=year, form="2021" if year >= 2021 else "2019")
        samples[(agency, year)] = sample
    samples[INCONSISTENT].figures["applications.total.total"] += 1
    before = samples[(CARRIED_ON[0], CARRIED_ON[1] - 1)].figures["applications.carried_forward.total"]
    samples[CARRIED_ON].figures["applications.carried_over.total"] = before
    zhengzhou = samples[("郑州市教育局", 2019)].figures["applications.carried_forward.total"]
    samples[("郑州市教育局", 2020)].figures["applications.carried_over.total"] = zhengzhou + 2
    db = open_database(path)
    # A crawl of the portal that succeeded after the deadlines of the years that follow the reports'.
    db["crawl_runs"].insert({"spider": "henan", "started": CRAWLED, "ended": CRAWLED, "exit_status": 0})
    reports = {}
    for index, (agency, region, year) in enumerate(REPORTS):
        reports[(agency, year)] = parse_document(render_html(samples[(agency, year)]), "r.html")
        store_report(
            db,
            reports[(agency, year)],
            Fetch(
                "henan",
                f"http://portal/view/{index}",
                portal_id=index,
                published=f"{year + 1}-02-{index + 1:02d}",
                region=region,
            ),
        )
    db.close()
    return samples, reports


@pytest.fixture(scope="module")
def browse(tmp_path_factory):
    path = tmp_path_factory.mktemp("browse") / "g.db"
    samples, reports = build(path)
    datasette = make_datasette([path])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(datasette.invoke_startup())

    def get(url: str):
        response = loop.run_until_complete(datasette.client.get(url))
        assert response.status_code == 200, (url, response.status_code, response.text[:500])
        return response

    get.loop = loop
    get.raw = lambda url: loop.run_until_complete(datasette.client.get(url))
    yield get, samples, datasette, reports
    loop.close()


def rows(get, url: str) -> list[dict]:
    return get(url + ("&" if "?" in url else "?") + "_shape=array").json()


def total(sample, key):
    return sample.figures.get(key) or Decimal(0)


def test_metadata_describes_every_table_and_column_in_chinese_and_english(browse):
    get, _, datasette, _ = browse
    metadata = get("/-/metadata.json").json()
    assert metadata["title"].startswith("政府信息公开工作年度报告") and metadata["license"] and metadata["source"]
    tables = metadata["databases"]["g"]["tables"]
    database = get("/g.json").json()
    visible = [table["name"] for table in database["tables"] if not table["hidden"]] + [
        view["name"] for view in database["views"]
    ]
    assert sorted(visible) == sorted(
        [
            "reports",
            "figures",
            "report_versions",
            "failures",
            "crawl_runs",
            "legacy_rows",
            "legacy_rows_current",
            "figure_labels",
            "figures_labelled",
            "list_interfaces",
            "figure_sources",
            "figure_sources_current",
            "corrections",
            "scorecards",
            "agency_aliases",
            "reports_wide",
            *SUMMARIES,
        ]
    )
    # The full-text indexes, and the reports the index of single characters has still to read, are the pages'.
    hidden = {table["name"] for table in database["tables"] if table["hidden"]}
    assert hidden >= {"reports_fts", "reports_chars", "reports_chars_pending"}
    for name in visible:
        columns = get(f"/g/{name}.json?_size=0").json()["columns"]
        described = tables[name]["columns"]
        assert set(columns) <= set(described), (name, set(columns) - set(described))
        for text in described.values():
            assert " · " in text and re.search(r"[\u4e00-\u9fff]", text), (name, text)


def test_reports_are_faceted_newest_first_and_labelled(browse):
    get, samples, *_ = browse
    page = get("/g/reports.json?_size=50").json()
    assert set(page["facet_results"]) == {"year", "region", "template", "format", "checks_failed"}
    years = {item["value"]: item["count"] for item in page["facet_results"]["year"]["results"]}
    assert years == {2019: 1, 2020: 1, 2021: 1, 2022: 3, 2023: 1}
    published = [row[page["columns"].index("published")] for row in page["rows"]]
    assert published == sorted(published, reverse=True)
    figures = get("/g/figures.json?_size=1&_labels=on").json()
    assert figures["rows"][0]["report_id"]["label"]  # figures link to their report, labelled by its title


def test_search_finds_short_and_long_chinese_queries(browse):
    get, samples, *_ = browse

    def agencies(query):
        return sorted(row["agency"] for row in rows(get, f"/g/reports.json?_search={query}&_col=agency"))

    assert agencies("卫辉") == ["卫辉市商务局", "卫辉市商务局"]  # 2 characters: LIKE
    assert agencies("郑州市教") == ["郑州市教育局"] * 3  # 4 characters: FTS5 trigram
    assert agencies("局") == sorted(agency for agency, _, _ in REPORTS)  # 1 character
    assert agencies("财政 新乡") == ["新乡市财政局"]  # every word must be there
    assert agencies("卫辉%") == []  # LIKE wildcards are literal
    page = get("/g/reports?_search=卫辉").text
    assert 'value="卫辉"' in page and "2 rows" in page


def test_canned_query_reports_failing_a_rule(browse):
    get, _, _, reports = browse
    failing = rows(get, "/g/failing_checks.json?rule=")
    expected = {
        (agency, year, rule)
        for (agency, year), report in reports.items()
        for rule, outcome in report.checks.items()
        if outcome == "failed"
    }
    assert {(row["agency"], row["year"], row["rule"]) for row in failing} == expected
    assert INCONSISTENT in {(agency, year) for agency, year, _ in expected}
    assert all(row["what_failed"].startswith(row["rule"]) for row in failing)
    assert rows(get, "/g/failing_checks.json?rule=R5") == [row for row in failing if row["rule"] == "R5"]


def test_canned_query_agencies_with_the_most_applications(browse):
    get, samples, *_ = browse
    expected = defaultdict(Decimal)
    for (agency, year), sample in samples.items():
        expected[agency] += total(sample, "applications.new.total")
    found = rows(get, "/g/top_agencies.json?year=")
    assert [(row["agency"], Decimal(str(row["applications_new"]))) for row in found] == sorted(
        expected.items(), key=lambda item: (-item[1], item[0])
    )
    only_2022 = rows(get, "/g/top_agencies.json?year=2022")
    assert {row["agency"] for row in only_2022} == {"卫辉市商务局", "郑州市教育局", "新乡市财政局"}


def test_canned_query_yearly_totals_per_region(browse):
    get, samples, *_ = browse
    expected = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for agency, region, year in REPORTS:
        sums = expected[(region or "（未知 · unknown）", year)]
        sums[0] += 1
        sums[1] += total(samples[(agency, year)], "applications.new.total")
        sums[2] += total(samples[(agency, year)], "review.total")
    found = {
        (row["region"], row["year"]): [
            row["reports"],
            Decimal(str(row["applications_new"])),
            Decimal(str(row["reviews"])),
        ]
        for row in rows(get, "/g/yearly_totals_by_region.json")
    }
    assert found == dict(expected)


def test_canned_query_outcomes_by_year(browse):
    get, samples, *_ = browse
    outcomes = {
        (label["template"], label["key"]): label["outcome"]
        for label in figure_labels()
        if label["outcome"] and label["column_key"] == "total"
    }
    expected = defaultdict(Decimal)
    for (agency, year), sample in samples.items():
        for key, value in sample.figures.items():
            if (sample.form, key) in outcomes and value is not None:
                expected[(year, outcomes[(sample.form, key)])] += value
    found = rows(get, "/g/outcomes_by_year.json")
    assert {(row["year"], row["outcome"]): Decimal(str(row["applications"])) for row in found} == dict(expected)
    assert {row["outcome"] for row in found} >= {"（一）予以公开", "（三）不予公开", "（五）不予处理"}
    for year in {row["year"] for row in found}:
        assert abs(sum(row["share_percent"] for row in found if row["year"] == year) - 100) < 0.5


def test_canned_query_r6_mismatches(browse):
    get, samples, *_ = browse
    found = rows(get, "/g/r6_mismatches.json")
    assert [(row["agency"], row["previous_year"], row["year"], row["difference"]) for row in found] == [
        ("郑州市教育局", 2019, 2020, 2)
    ]


def test_a_reports_page_shows_its_figures_in_the_forms_layout(browse):
    get, samples, *_ = browse
    for agency, year in (("卫辉市商务局", 2022), ("郑州市教育局", 2019)):
        sample = samples[(agency, year)]
        page = get("/g/reports/" + tilde_encode(f"henan/{agency}/{year}")).text
        assert page.count("<h3>") == 3 and "三、收到和处理政府信息公开申请情况" in page and "法人或其他组织" in page
        cells = dict(re.findall(r'<td data-key="([^"]+)"[^>]*>([^<]*)</td>', page))
        assert set(cells) == set(sample.figures)
        assert {key: html.unescape(text) for key, text in cells.items()} == {
            key: show(value) for key, value in sample.figures.items()
        }


def test_the_dashboard_and_its_charts_are_defined(browse):
    get, _, datasette, _ = browse
    page = get("/-/dashboards/reports").text
    assert "年报概览" in page and "chart-yearly-totals" in page and "chart-outcome-shares" in page
    charts = datasette.metadata("plugins")["datasette-dashboards"]["reports"]["charts"]
    for slug, chart in charts.items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"])  # the dashboard's optional filters, left out
        assert get(f"/g.json?_shape=array&sql={quote(sql)}").json(), slug


def test_the_command_writes_metadata_for_a_datasette_of_ones_own_and_explains_a_missing_database(tmp_path):
    import json
    import subprocess
    import sys

    written = tmp_path / "metadata.json"
    done = subprocess.run(
        [sys.executable, "-m", "gxcrawl", "browse", "output/demo.db", "--write-metadata", str(written)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    metadata = json.loads(written.read_text(encoding="utf-8"))
    assert set(metadata["databases"]) == {"demo"}
    assert metadata["plugins"]["datasette-dashboards"]["reports"]["charts"]["outcome-shares"]["db"] == "demo"
    missing = subprocess.run(
        [sys.executable, "-m", "gxcrawl", "browse", str(tmp_path / "none.db")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "no database at" in missing.stderr and "make demo" in missing.stderr


def test_a_new_search_replaces_a_short_one_carried_by_the_form(browse):
    get, *_ = browse

    def agencies(query):
        return sorted(row["agency"] for row in rows(get, f"/g/reports.json?{query}&_col=agency"))

    assert agencies("_search=郑州市教&_like=卫辉") == ["郑州市教育局"] * 3
    assert agencies("_search=新乡&_like=卫辉") == ["新乡市财政局"]
    assert len(agencies("_search=&_like=卫辉")) == len(REPORTS)  # an emptied search box clears it


def test_databases_get_the_metadata_under_the_names_datasette_gives_them(tmp_path):
    from gxcrawl.browse.server import database_names, metadata_for

    paths = []
    for name in ("a/gx.db", "b/gx.db", "2024.db", "demo.v2.db"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        open_database(path).close()
        paths.append(path)
    names = database_names(paths)
    assert names == ["gx", "gx_2", "2024", "demo.v2"]
    metadata = metadata_for(names)
    assert list(metadata["databases"]) == names
    assert metadata["databases"]["2024"]["tables"]["reports"]["facets"]
    assert metadata["plugins"]["datasette-dashboards"]["reports"]["charts"]["report-count"]["db"] == "gx"
    datasette = make_datasette(paths)
    loop = asyncio.new_event_loop()
    try:
        for name in names:
            route = tilde_encode(name)
            response = loop.run_until_complete(datasette.client.get(f"/{route}/top_agencies.json?year="))
            assert response.status_code == 200, (name, response.text[:300])
    finally:
        loop.close()


def test_browse_leaves_other_sqlite_files_as_they_are(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    make_datasette([other])
    connection = sqlite3.connect(other)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    assert (tables, mode) == ({"t"}, "delete")
    assert not (tmp_path / "other.db.lock").exists()


def test_a_query_making_a_huge_value_is_refused_at_once(browse):
    get, _, datasette, _ = browse
    started = time.monotonic()
    response = get.loop.run_until_complete(datasette.client.get("/g.json?sql=select+zeroblob(300000000)"))
    assert response.status_code == 400 and "too big" in response.text
    assert time.monotonic() - started < 5
    assert get("/g.json?sql=select+length(zeroblob(1000))").json()["rows"] == [[1000]]


def test_databases_are_read_only_and_immutable_on_request(browse, tmp_path):
    get, _, datasette, _ = browse
    # Datasette's own read connections are read-only: no SQL may write.
    refused = get.loop.run_until_complete(datasette.client.get("/g.json?sql=update+reports+set+year=1"))
    assert refused.status_code == 400
    immutable = make_datasette([datasette.databases["g"].path], immutable=True)
    [database] = [db for name, db in immutable.databases.items() if not name.startswith("_")]
    assert database.is_mutable is False


def next_link(page: str) -> str:
    return re.search(r'href="(?:http://localhost)?([^"]*_next=[^"]*)"', page)[1].replace("&amp;", "&")


def test_a_short_search_found_in_few_rows_by_the_character_index_is_narrowed_to_them(browse, monkeypatch):
    from gxcrawl.browse import plugin

    get, *_ = browse
    monkeypatch.setattr(plugin, "FEW", 2)

    def searched(query):
        answer = get(f"/g/reports.json?_search={query}&_col=agency&_shape=objects").json()
        return sorted(row["agency"] for row in answer["rows"]), "rowid IN (" in answer["query"]["sql"]

    # Found in few: narrowed, and LIKE still decides (「-商」 is 商 to the index, but in no name).
    assert searched("卫辉") == (["卫辉市商务局"] * 2, True)
    assert searched("豫") == ([], True)
    assert searched("-商") == ([], True)
    assert searched("财政 新乡") == (["新乡市财政局"], True)
    # Found in more, or a word the index drops whole: LIKE alone, over the rows in the page's order.
    assert searched("局") == (sorted(agency for agency, _, _ in REPORTS), False)
    assert searched("郑州") == (["郑州市教育局"] * 3, False)
    assert searched("-") == ([], False)


def test_a_search_of_a_table_too_large_to_count_says_its_matches_are_not_counted(browse, monkeypatch):
    get, _, datasette, _ = browse
    config = datasette._metadata_local["databases"]["g"]["tables"]["reports"]["plugins"]["gxcrawl"]

    def counted(url):
        return get(url.replace("/g/reports?", "/g/reports.json?")).json()["filtered_table_rows_count"]

    assert counted("/g/reports?_search=卫辉") == 2  # a few reports: counted
    monkeypatch.setitem(config, "count_searches_up_to", len(REPORTS) - 1)
    for query, found in (("卫辉", 2), ("郑州市教", 3)):  # LIKE, then FTS5
        page = get(f"/g/reports?_search={query}&_size=1").text
        assert "not counted" in page and counted(f"/g/reports?_search={query}") is None, query
        assert len(rows(get, f"/g/reports.json?_search={query}")) == found
        # The next page, and a new search from its form, which carry the suppression along, still say it once.
        following = next_link(page)
        assert following.count("_nocount") == 1 and "not counted" in get(following).text
        again = get(f"{following}&_search={query}").text
        assert next_link(again).count("_nocount") == 1 and again.count("not counted") == page.count("not counted")
        assert counted(f"{following}&_search=") == len(REPORTS)  # the search box emptied: counted again
    assert counted("/g/reports?_nocount=1&_search=郑州市教") is None
    assert "not counted" not in get("/g/reports?_nocount=1").text  # no search: nothing to say
    monkeypatch.delitem(config, "search_fallback")  # the limit holds without the short words' fallback too
    assert counted("/g/reports?_search=郑州市教") is None
    monkeypatch.setitem(config, "count_searches_up_to", len(REPORTS))
    assert counted("/g/reports?_search=郑州市教") == 3


def test_the_wide_view_is_not_counted_once_the_reports_are_too_many(browse, monkeypatch):
    get, _, datasette, _ = browse
    config = datasette._metadata_local["databases"]["g"]["tables"]["reports_wide"]["plugins"]["gxcrawl"]
    assert config == {"count_up_to": 100000, "count_rows_of": "reports"}  # the reports' searches' limit

    def counted(url):
        return get(url.replace("/g/reports_wide?", "/g/reports_wide.json?")).json()["filtered_table_rows_count"]

    assert counted("/g/reports_wide?_size=2") == len(REPORTS)
    monkeypatch.setitem(config, "count_up_to", len(REPORTS) - 1)
    page = get("/g/reports_wide?_size=2").text
    assert "not counted: over 6 rows" in page and counted("/g/reports_wide?_size=2") is None
    following = next_link(page)  # the next page carries it once, and says it
    assert following.count("_nocount") == 1 and "not counted" in get(following).text
    assert len(rows(get, "/g/reports_wide.json?_size=max")) == len(REPORTS)  # every row is still there
    monkeypatch.setitem(config, "count_rows_of", "agency_aliases")  # the limit is of the table it names
    assert counted("/g/reports_wide?_size=2") == len(REPORTS)


def test_the_facets_of_a_whole_table_are_read_from_the_counts_the_writer_keeps(browse):
    import sqlite3

    get, _, datasette, _ = browse

    def facets(url):
        page, _, query = url.partition("?")
        answer = get(f"{page}.json?{query}&_shape=objects").json()
        return {
            (facet["name"], facet["type"]): {item["value"]: item["count"] for item in facet["results"]}
            for facet in answer["facet_results"].values()
        }

    for table in ("reports", "scorecards"):
        # The same counts as datasette's own facet, which counts the rows (asked for by the page's address).
        whole = facets(f"/g/{table}?_facet=region&_facet=year")
        for column in ("region", "year"):
            assert whole[(column, "summarised")] == whole[(column, "column")], (table, column)
        assert sum(whole[("year", "summarised")].values()) == len(REPORTS)
    # Filtered, searched, by hand or a later page: a facet counts the page's rows, as datasette's own does.
    assert facets("/g/reports?region=卫辉市")[("year", "summarised")] == {2021: 1, 2022: 1}
    assert facets("/g/reports?_search=郑州市教")[("region", "summarised")] == {"郑州市": 3}
    assert facets("/g/reports?_where=year%3D2021%20--%20from%20reports")[("year", "summarised")] == {2021: 1}
    later = next_link(get("/g/reports?_size=3").text).replace("/g/reports?", "/g/reports?_facet=year&")
    assert facets(later)[("year", "summarised")] == facets(later)[("year", "column")]
    # A column the writer does not count, asked for by address: counted.
    asked = facets("/g/reports?_facet_summarised=agency&_facet=agency")
    assert asked[("agency", "summarised")] == asked[("agency", "column")] and len(asked[("agency", "column")]) == 4
    # The whole table's are the summary's: a count moved there shows there, and not in datasette's own.
    path = datasette.get_database("g").path
    before = facets("/g/reports")[("year", "summarised")][2022]
    moved = (
        "UPDATE summary_facets SET rows = rows + ? WHERE table_name = 'reports' AND column_name = 'year' AND value = ?"
    )
    with sqlite3.connect(path) as connection:
        connection.execute(moved, [100, 2022])
    try:
        after = facets("/g/reports?_facet=year")
        assert after[("year", "summarised")][2022] == before + 100 and after[("year", "column")][2022] == before
    finally:
        with sqlite3.connect(path) as connection:
            connection.execute(moved, [-100, 2022])
