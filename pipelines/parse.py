"""Parse each report page, or the attachments it points to, with the gxcrawl library, and count what came of
it: `gxcrawl/parsed/<format>` and each consistency rule's outcome, `gxcrawl/checks/<rule>/<outcome>`.

Rule R6, against last year's stored report, is checked where the report is recorded (gxcrawl.recording),
by the crawl as by every other writer.
"""

from gxcrawl.recording import read
from spiders.items import ReportItem


class ParsePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if isinstance(item, ReportItem):
            report = item.report = read(item.documents, item.content_selectors)
            self.stats.inc_value(f"gxcrawl/parsed/{report.format or 'unreadable'}")
            for rule, outcome in ({} if report.error else report.checks).items():
                self.stats.inc_value(f"gxcrawl/checks/{rule}/{outcome}")
        return item
