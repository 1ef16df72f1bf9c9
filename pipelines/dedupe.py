"""Drop a report fetched twice in one crawl (listed on two pages, say); count (agency, year) repeats.

Which of two versions of one (agency, year) is current is decided by storage,
across crawls as within one: the later publication, then the higher portal id.
"""

from scrapy.exceptions import DropItem

from spiders.items import ReportItem


class DedupePipeline:
    def __init__(self, stats):
        self.stats = stats
        self.seen: set[tuple[str, str]] = set()
        self.identities: set[tuple[str, int]] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        report = getattr(item, "report", None)
        if not isinstance(item, ReportItem) or report is None:
            return item
        key = (item.fetch.url, report.content_sha256 or "")
        if key in self.seen:
            raise DropItem(f"{item.fetch.url} was already read in this crawl")
        self.seen.add(key)
        identity = (report.agency or item.fetch.agency, report.year or item.fetch.year)
        if identity in self.identities:
            self.stats.inc_value("gxcrawl/versions_in_crawl")
        self.identities.add(identity)
        return item
