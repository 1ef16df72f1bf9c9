"""The close-of-crawl monitors' verdict on a crawl's stats (spiders/monitors.py), through Spidermon's runner."""

import scrapy
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

from spiders.monitors import CloseMonitors

HEALTHY = {
    "finish_reason": "finished",
    "gxcrawl/walk": "complete",
    "gxcrawl/reports_listed": 100,
    "gxcrawl/list_pages": 10,
    "gxcrawl/report_pages/requested": 100,
    "gxcrawl/failures": 0,
}
LAST_RUN = {
    "gxcrawl/last_good_run": "#3 of 2026-11-20",
    "gxcrawl/last_good_run/list_pages": 10,
    "gxcrawl/last_good_run/reports_listed": 100,
    "gxcrawl/last_good_run/walk": "complete",
}


def verdict(stats: dict, **settings) -> list[str]:
    crawler = get_crawler(scrapy.Spider, settings)
    spider = scrapy.Spider("henan")
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    SpiderMonitorRunner(spider=spider).run(
        CloseMonitors(crawler=crawler),
        stats=crawler.stats.get_stats(),
        crawler=crawler,
        spider=spider,
        stats_history=[],
        job=None,
    )
    return crawler.stats.get_value("gxcrawl/problems")


def test_a_healthy_crawl_passes():
    assert verdict(HEALTHY) == []
    assert verdict({**HEALTHY, **LAST_RUN}) == []


def test_a_crawl_that_ended_early_fails():
    [problem] = verdict({**HEALTHY, "finish_reason": "shutdown"})
    assert "ended early (shutdown)" in problem and "run the same command again" in problem


def test_the_site_no_longer_matching_lost_lists_and_exceptions_fail():
    problems = verdict(
        {**HEALTHY, "gxcrawl/profile_mismatch": 2, "gxcrawl/lists_lost": 1, "spider_exceptions/KeyError": 3}
    )
    assert len(problems) == 3
    assert any("no longer matches the spider's profile (2 times" in p for p in problems)
    assert any("1 list pages could not be fetched" in p for p in problems)
    assert any("raised 3 exceptions" in p for p in problems)


def test_lists_showing_nothing_fail_unless_ids_were_enumerated():
    [problem] = verdict({**HEALTHY, "gxcrawl/reports_listed": 0})
    assert "showed no report at all" in problem
    assert verdict({**HEALTHY, "gxcrawl/reports_listed": 0, "gxcrawl/walk": "ids"}) == []


def test_errors_over_the_threshold_fail():
    assert verdict({**HEALTHY, "gxcrawl/report_pages/requested": 10, "gxcrawl/failures": 5}) == []
    [problem] = verdict({**HEALTHY, "gxcrawl/report_pages/requested": 10, "gxcrawl/failures": 6})
    assert problem.startswith("reports/few errors: 6 documents could not be fetched or read, more than the 5")
    assert verdict({**HEALTHY, "gxcrawl/report_pages/requested": 400, "gxcrawl/failures": 20}) == []
    assert len(verdict({**HEALTHY, "gxcrawl/report_pages/requested": 400, "gxcrawl/failures": 21})) == 1
    assert (
        verdict({**HEALTHY, "gxcrawl/report_pages/requested": 400, "gxcrawl/failures": 21}, GXCRAWL_MAX_ERROR_RATE=0.1)
        == []
    )


def test_far_fewer_reports_than_the_last_successful_run_fail():
    [problem] = verdict({**HEALTHY, **LAST_RUN, "gxcrawl/list_pages": 4, "gxcrawl/reports_listed": 40})
    assert "lists 4 pages of reports, against 10 in run #3" in problem
    [problem] = verdict({**HEALTHY, **LAST_RUN, "gxcrawl/reports_listed": 40})
    assert "lists 40 reports, against 100" in problem
    # A walk that stopped early lists few reports by design; the page count still tells.
    assert verdict({**HEALTHY, **LAST_RUN, "gxcrawl/walk": "stopped_early", "gxcrawl/reports_listed": 10}) == []
    assert verdict({**HEALTHY, **LAST_RUN, "gxcrawl/reports_listed": 40}, GXCRAWL_MIN_LISTED_RATIO=0.3) == []


def test_pipeline_errors_fail_the_crawl():
    [problem] = verdict({**HEALTHY, "gxcrawl/item_errors": 2})
    assert "2 reports could not be archived, parsed or stored" in problem


def test_documents_that_had_failed_before_are_not_counted_again():
    stats = {**HEALTHY, "gxcrawl/report_pages/requested": 10, "gxcrawl/failures": 9}
    assert len(verdict(stats)) == 1
    assert verdict({**stats, "gxcrawl/failures/repeated": 4}) == []


def test_the_expected_finish_reasons_are_spidermon_s_setting():
    stopped = {**HEALTHY, "finish_reason": "closespider_pagecount"}
    assert any("ended early (closespider_pagecount)" in problem for problem in verdict(stopped))
    assert verdict(stopped, SPIDERMON_EXPECTED_FINISH_REASONS=["finished", "closespider_pagecount"]) == []
