"""R6 across years: this year's 上年结转 against last year's stored 结转下年度 (pipelines/check.py)."""

import random
from decimal import Decimal

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from gxcrawl.model import Fetch
from gxcrawl.report import parse_document
from gxcrawl.store.reports import store_report
from gxcrawl.store.schema import open_database
from pipelines.check import CheckPipeline
from spiders.items import ReportItem
from support.samples import random_report, render_html


def report(year: int, **figures):
    sample = random_report(random.Random(year), agency="某局", year=year)
    sample.figures.update(figures)
    return parse_document(render_html(sample), "r.html")


def test_r6_compares_with_last_years_stored_report(tmp_path):
    database = tmp_path / "g.db"
    db = open_database(database)
    store_report(db, report(2021, **{"applications.carried_forward.total": Decimal(4)}),
                         Fetch("henan", "http://p/view/1"))
    db.close()
    pipeline = CheckPipeline(MemoryStatsCollector(get_crawler()), str(database))
    matching = pipeline.process_item(ReportItem(Fetch("henan", "http://p/view/2"),
                                                report=report(2022, **{"applications.carried_over.total": Decimal(4)})))
    differing = pipeline.process_item(ReportItem(Fetch("henan", "http://p/view/3"),
                                                 report=report(2022, **{"applications.carried_over.total": Decimal(3)})))
    pipeline.close_spider()
    assert not [w for w in matching.report.warnings if w.startswith("R6")]
    assert [w for w in differing.report.warnings if w.startswith("R6")] == ["R6: 上年结转 3 ≠ 2021 年报告的结转下年度 4"]
    assert pipeline.stats.get_value("gxcrawl/checks/R6/failed") == 1


def test_r6_waits_for_a_database(tmp_path):
    pipeline = CheckPipeline(MemoryStatsCollector(get_crawler()), str(tmp_path / "none.db"))
    item = pipeline.process_item(ReportItem(Fetch("henan", "http://p/view/2"), report=report(2022)))
    assert not [w for w in item.report.warnings if w.startswith("R6")]
