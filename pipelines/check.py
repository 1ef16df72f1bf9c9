"""Count the consistency rules' outcomes of each report read (`gxcrawl/checks/<rule>/<outcome>`).

Rule R6, against last year's stored report, is checked where the report is
recorded (gxcrawl.recording), by the crawl as by every other writer.
"""

from spiders.items import ReportItem


class CheckPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        report = getattr(item, "report", None)
        if isinstance(item, ReportItem) and report is not None and not report.error:
            for rule, outcome in report.checks.items():
                self.stats.inc_value(f"gxcrawl/checks/{rule}/{outcome}")
        return item
