"""Parse each report page, or the attachments it points to, with the gxcrawl library."""

from gxcrawl.report import parse_documents
from spiders.items import ReportItem


class ParsePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if isinstance(item, ReportItem):
            documents = [(document["url"], document["body"], document["content_type"]) for document in item.documents]
            item.report = parse_documents(documents, item.content_selectors)
            self.stats.inc_value(f"gxcrawl/parsed/{item.report.format or 'unreadable'}")
        return item
