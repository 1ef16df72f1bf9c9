"""The Henan spider's callbacks on saved responses (tests/fixtures/henan), and the store pipeline built with
Scrapy's get_crawler: no server, no subprocess."""

import json

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from conftest import FIXTURES
from gxcrawl import lock
from gxcrawl.model import Fetch
from gxcrawl.recording import read
from pipelines.store import StorePipeline
from spiders.henan import HenanSpider
from spiders.items import FetchFailure, ReportItem

BASE = "https://nb.henan.gov.cn"


def new_spider() -> HenanSpider:
    crawler = get_crawler(HenanSpider)
    crawler.stats.open_spider()
    return HenanSpider.from_crawler(crawler)


@pytest.fixture
def spider():
    return new_spider()


def saved(name: str, url: str, cls=HtmlResponse, **cb_kwargs):
    return cls(
        url, body=(FIXTURES / "henan" / name).read_bytes(), encoding="utf-8", request=Request(url, cb_kwargs=cb_kwargs)
    )


def test_a_list_page_yields_its_reports_with_what_the_list_says_and_the_pages_after_it(spider):
    outputs = list(spider.parse_list(saved("list_page_1.html", f"{BASE}/zw/public-report?page=1"), page=1))
    reports = [r for r in outputs if r.callback == spider.parse_report_page]
    pages = [r.url for r in outputs if r.callback == spider.parse_list]
    assert len(reports) == 10 and pages == [f"{BASE}/zw/public-report?page={n}" for n in (2, 3)]
    first = reports[0]
    assert first.url == f"{BASE}/zw/public-report/view/33058"
    assert first.cb_kwargs["listing"] == {
        "title": "卫辉市商务局2021年政府信息公开工作年度报告",
        "agency": "卫辉市商务局",
        "region": "卫辉市",
        "year": "2021",
        "published": "2022-02-10",
    }
    assert spider.crawler.stats.get_value("gxcrawl/list_pages") == 3


def listed(outputs) -> list[tuple[str, str]]:
    return [(r.url, r.cb_kwargs["listing"]["title"]) for r in outputs if r.callback.__name__ == "parse_report_page"]


def test_the_json_list_yields_the_same_reports_as_the_page(spider):
    response = saved("list_api_page_1.json", f"{BASE}/zw/public-report/api/list?page=1&size=10", TextResponse)
    from_json = list(spider.parse_json_list(response, page=1))
    from_html = list(new_spider().parse_list(saved("list_page_1.html", f"{BASE}/zw/public-report?page=1"), page=1))
    assert len(listed(from_json)) == 10 and listed(from_json) == listed(from_html)
    assert [r.url for r in from_json if r.callback == spider.parse_list] == [
        f"{BASE}/zw/public-report?page={n}" for n in (2, 3)
    ]  # -(-24 // 10) pages, from the JSON's total
    assert json.loads(response.text)["total"] == 24


def test_a_report_page_becomes_an_item_with_the_page_s_metadata(spider):
    response = saved("view_33001.html", f"{BASE}/zw/public-report/view/33001")
    item = spider.report_item(response, {"title": "listed title", "agency": "listed agency", "year": "2019"})
    assert item.title == "安阳市林州市卫生健康委员会2020年政府信息公开工作年度报告"
    fetch = item.fetch
    assert (fetch.portal_id, fetch.agency, fetch.year, fetch.published) == (
        33001,
        "安阳市林州市卫生健康委员会",
        2020,
        "2021-02-18",
    )
    assert item.content_selectors == (".report-content",)


def test_the_store_pipeline_records_a_reading_and_a_failure(tmp_path):
    crawler = get_crawler(HenanSpider, {"GXCRAWL_DB": str(tmp_path / "g.db")})
    crawler.stats.open_spider()
    crawler.spider = HenanSpider.from_crawler(crawler)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider(crawler.spider)
    try:
        page = (FIXTURES / "henan" / "view_33001.html").read_bytes()
        documents = [{"url": f"{BASE}/zw/public-report/view/33001", "body": page, "content_type": "text/html"}]
        item = ReportItem(
            Fetch("henan", documents[0]["url"], portal_id=33001),
            documents=documents,
            content_selectors=(".report-content",),
        )
        item.report = read(documents, item.content_selectors)
        pipeline.process_item(item)
        pipeline.process_item(FetchFailure("henan", f"{BASE}/zw/public-report/view/9", "HTTP 503", status=503))
        [row] = pipeline.db.query("SELECT agency, year, checks_failed FROM reports")
        assert row == {"agency": "安阳市林州市卫生健康委员会", "year": 2020, "checks_failed": 0}
        [failure] = pipeline.db.query("SELECT url, status FROM failures")
        assert failure == {"url": f"{BASE}/zw/public-report/view/9", "status": 503}
        assert item.fetch.documents[0]["content_selectors"] == [".report-content"]  # archived, for reparse
        assert (tmp_path / "archive").is_dir()
    finally:
        pipeline.db.close()
        lock.release(pipeline.path)


def test_a_flood_of_failing_report_pages_stops_the_crawl():
    from scrapy.exceptions import CloseSpider
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    crawler = get_crawler(HenanSpider, {"GXCRAWL_BREAKER_MIN_FETCHES": 10, "GXCRAWL_BREAKER_FAILURE_SHARE": 0.5})
    crawler.stats.open_spider()
    spider = HenanSpider.from_crawler(crawler)
    requests = [spider.report_request(f"{BASE}/zw/public-report/view/{n}", {"title": "x"}) for n in range(12)]

    def fail(request):
        failure = Failure(HttpError(HtmlResponse(request.url, status=404, request=request), "Ignoring"))
        failure.request = request
        return list(spider.failed(failure))

    for request in requests[:6]:  # 6 of 12 fetched: not more than half
        [recorded] = fail(request)
        assert recorded.error == "the server answered HTTP 404 (Not Found)"
    with pytest.raises(CloseSpider) as stopped:
        fail(requests[6])
    assert stopped.value.reason == "too_many_failures"


def test_a_list_page_listing_too_many_reports_is_cut_and_the_walk_is_partial():
    crawler = get_crawler(HenanSpider, {"GXCRAWL_MAX_REPORTS_PER_LIST_PAGE": 4})
    crawler.stats.open_spider()
    spider = HenanSpider.from_crawler(crawler)
    outputs = list(spider.parse_list(saved("list_page_1.html", f"{BASE}/zw/public-report?page=1"), page=1))
    assert len(listed(outputs)) == 4
    assert spider.walk("finished") == "partial"
