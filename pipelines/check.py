"""Count the consistency rules' outcomes, and check R6 against last year's stored report.

R6 (figures.md): this year's 上年结转 must equal last year's 结转下年度 for the
same agency. It is a warning, added to the report's warnings, never a reason
to drop anything.
"""

import sqlite3
from pathlib import Path

from gxcrawl.storage import previous_carried_forward
from spiders.items import ReportItem


class CheckPipeline:
    def __init__(self, stats, database: str):
        self.stats = stats
        self.database = database

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.get("GXCRAWL_DB", "output/gxcrawl.db"))

    def process_item(self, item):
        report = getattr(item, "report", None)
        if not isinstance(item, ReportItem) or report is None or report.error:
            return item
        for rule, outcome in report.checks.items():
            self.stats.inc_value(f"gxcrawl/checks/{rule}/{outcome}")
        if report.agency and report.year and Path(self.database).exists():
            with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
                last = previous_carried_forward(db, item.fetch.source, report.agency, report.year)
            this = report.figures.get("applications.carried_over.total")
            if last is not None and this is not None and last != this:
                report.warnings.append(f"R6: 上年结转 {this} ≠ {report.year - 1} 年报告的结转下年度 {last}")
                self.stats.inc_value("gxcrawl/checks/R6/failed")
        return item
