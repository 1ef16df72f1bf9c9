"""R6 across years where a reading is recorded (gxcrawl/recording.py), and the rules' counts
(pipelines/parse.py)."""

import random
from decimal import Decimal

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.report import parse_document
from gxcrawl.store.reports import store_report
from gxcrawl.store.schema import open_database
from pipelines.parse import ParsePipeline
from spiders.items import ReportItem
from support.samples import random_report, render_html


def report(year: int, **figures):
    sample = random_report(random.Random(year), agency="某局", year=year)
    sample.figures.update(figures)
    return parse_document(render_html(sample), "r.html")


def test_r6_compares_with_last_years_stored_report(tmp_path):
    db, archive = open_database(tmp_path / "g.db"), Archive(tmp_path / "archive")
    store_report(
        db, report(2021, **{"applications.carried_forward.total": Decimal(4)}), Fetch("henan", "http://p/view/1")
    )
    matching = report(2022, **{"applications.carried_over.total": Decimal(4)})
    differing = report(2022, **{"applications.carried_over.total": Decimal(3)})
    assert record(db, archive, Fetch("henan", "http://p/view/2"), [], report=matching).r6_warning is None
    stored = record(db, archive, Fetch("henan", "http://p/view/3", published="2023-02-01"), [], report=differing)
    assert not [w for w in matching.warnings if w.startswith("R6")]
    assert [w for w in differing.warnings if w.startswith("R6")] == ["R6: 上年结转 3 ≠ 2021 年报告的结转下年度 4"]
    assert stored.r6_warning == "R6: 上年结转 3 ≠ 2021 年报告的结转下年度 4"


def test_r6_waits_for_last_years_report(tmp_path):
    db, archive = open_database(tmp_path / "g.db"), Archive(tmp_path / "archive")
    reading = report(2022)
    assert record(db, archive, Fetch("henan", "http://p/view/2"), [], report=reading).r6_warning is None
    assert not [w for w in reading.warnings if w.startswith("R6")]


def test_the_parse_pipeline_counts_each_rule_s_outcome():
    sample = random_report(random.Random(2022), agency="某局", year=2022)
    pipeline = ParsePipeline(MemoryStatsCollector(get_crawler()))
    page = {"url": "http://p/view/2", "body": render_html(sample), "content_type": "text/html"}
    item = pipeline.process_item(ReportItem(Fetch("henan", "http://p/view/2"), documents=[page]))
    assert item.report.figures == sample.figures and pipeline.stats.get_value("gxcrawl/parsed/html") == 1
    assert {
        rule: pipeline.stats.get_value(f"gxcrawl/checks/{rule}/{outcome}")
        for rule, outcome in item.report.checks.items()
    } == {rule: 1 for rule in item.report.checks}
