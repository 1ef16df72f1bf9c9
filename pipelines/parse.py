"""Parse each report page, or the attachments it points to, with the gxcrawl library."""

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
            item.report = read(item.documents, item.content_selectors)
            self.stats.inc_value(f"gxcrawl/parsed/{item.report.format or 'unreadable'}")
        return item
