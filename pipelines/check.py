"""Count the consistency rules' outcomes, and check R6 against last year's stored report.

R6 (figures.md): this year's 上年结转 must equal last year's 结转下年度 for the
same agency. It is a warning, added to the report's warnings, never a reason
to drop anything.
"""

from gxcrawl.store.reports import carried_over_warning
from gxcrawl.store.schema import open_readonly
from spiders.items import ReportItem


class CheckPipeline:
    def __init__(self, stats, database: str):
        self.stats = stats
        self.database = database
        self.db = None  # read-only; opened once the store pipeline has created the database

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.get("GXCRAWL_DB", "output/gxcrawl.db"))

    def process_item(self, item):
        report = getattr(item, "report", None)
        if not isinstance(item, ReportItem) or report is None or report.error:
            return item
        for rule, outcome in report.checks.items():
            self.stats.inc_value(f"gxcrawl/checks/{rule}/{outcome}")
        self.db = self.db or open_readonly(self.database)
        warning = carried_over_warning(self.db, report) if self.db else None
        if warning:
            report.warnings.append(warning)
            self.stats.inc_value("gxcrawl/checks/R6/failed")
        return item

    def close_spider(self, spider=None):
        if self.db is not None:
            self.db.close()
