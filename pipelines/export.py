"""Distributed workers: push each report, failure, learnt list interface and the run's record to Redis for
`gxcrawl ingest`.

It takes the place of the archive and store pipelines when GXCRAWL_REDIS_URL
is set (spiders/distributed.py): a worker writes no database and keeps no
archive; each message carries the parsed report and the raw documents it was
read from (gxcrawl/ingest.py says how they are stored, once each). The exit
status is the close-of-crawl monitors' verdict, as for a local crawl.
"""

from scrapy import signals
from scrapy_redis.connection import get_redis_from_settings

from gxcrawl import ingest
from gxcrawl.keys import Keys
from gxcrawl.model import Fetch, now
from gxcrawl.store.reports import unstorable
from pipelines.runs import announce, count_item_errors, run_arguments, run_outcome
from spiders.items import FetchFailure, InterfaceLearnt, InterfaceRetired, PageUnchanged, ReportItem


class ExportPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.started = now()
        self.crawl = ""  # the seed mark's value: what the same item sent twice has in common

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        count_item_errors(crawler)
        return pipeline

    def process_item(self, item):
        spider = self.crawler.spider
        self.crawl = self.crawl or (self.server.get(Keys(spider.name).seeded) or b"").decode()
        if isinstance(item, FetchFailure):
            message = ingest.failure_message(
                item.fetch or Fetch(item.source, item.url), item.error, self.crawl, item.title, item.status
            )
            self.count_failures([item.url])
        elif isinstance(item, PageUnchanged):
            message = ingest.not_modified_message(item.source, item.url, now(), self.crawl)
        elif isinstance(item, InterfaceLearnt):
            message = ingest.interface_message(item.list_url, item.interface, item.description, self.crawl)
        elif isinstance(item, InterfaceRetired):
            message = ingest.interface_retired_message(item.list_url, item.why, self.crawl)
        elif isinstance(item, ReportItem):
            message = ingest.report_message(
                item.fetch,
                item.report,
                item.title,
                item.documents,
                item.content_selectors,
                tuple(item.errors),
                self.crawl,
            )
            unreadable = unstorable(item.report, item.fetch)
            self.count_failures([error["url"] for error in item.errors] + ([item.fetch.url] if unreadable else []))
        else:
            return item
        ingest.push(self.server, message)
        self.crawler.stats.inc_value("gxcrawl/exported")
        return item

    def count_failures(self, urls: list[str]) -> None:
        """Failures for the monitors; those of pages that had failed before too (when this worker can read
        the database) are not new."""
        stats = self.crawler.stats
        known = getattr(getattr(self.crawler.spider, "refresh", None), "failed", {})
        stats.inc_value("gxcrawl/failures", len(urls))
        stats.inc_value("gxcrawl/failures/repeated", sum(url in known for url in urls))

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        problems, outcome = run_outcome(stats, reason)
        outcome["scope"] = getattr(spider, "scope", None)
        ingest.push(
            self.server,
            ingest.run_message(spider.name, ingest.worker_id(), self.started, run_arguments(spider), outcome),
        )
        announce(
            stats,
            spider.logger,
            problems,
            f"{stats.get_value('gxcrawl/exported', 0)} items sent to Redis for `gxcrawl ingest`; "
            f"{stats.get_value('gxcrawl/failures', 0)} documents not read",
        )
