"""Record each reading with the gxcrawl library, and keep the crawl's record in `crawl_runs`.

Settings: GXCRAWL_DB, the database file (default `output/gxcrawl.db`); GXCRAWL_ARCHIVE, the archive's
folder (default: `archive/` beside the database), where every document's raw bytes are kept.

Each report is recorded by `gxcrawl.recording.record`, as `import`, `reparse`
and `ingest` record theirs: its documents archived, rule R6 checked against
last year's stored report, the report stored (or why it could not be).

The pipeline holds the database's writer lock (`gxcrawl.lock`) from the
start of the crawl to its end: a second crawl, import or reparse of the same
database refuses to start meanwhile. When the spider closes, the exit status
is the close-of-crawl monitors' verdict (spiders/monitors.py): non-zero when
any failed. The run, its counts and the monitors' messages go to `crawl_runs`.
"""

from scrapy import signals

from gxcrawl import lock
from gxcrawl.archive import Archive, beside
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.store.interfaces import keep_interface, retire_interface
from gxcrawl.store.refresh import confirm_unchanged
from gxcrawl.store.reports import CHANGED, NEW, OLDER, UNCHANGED, Stored
from gxcrawl.store.runs import finish_run, record_failure, start_run
from gxcrawl.store.schema import open_database
from pipelines.runs import announce, count_item_errors, run_arguments, run_outcome
from spiders.items import FetchFailure, InterfaceLearnt, InterfaceRetired, PageUnchanged, ReportItem


class StorePipeline:
    def __init__(self, crawler, path: str, archive: str | None = None):
        self.crawler = crawler
        self.path = path
        self.archive = Archive(archive or beside(path))
        self.db = None
        self.run_id = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(crawler, settings.get("GXCRAWL_DB", "output/gxcrawl.db"), settings.get("GXCRAWL_ARCHIVE"))
        # Taken before anything is written; a busy database stops the crawl before it starts.
        lock.acquire(pipeline.path)
        # Connected after the Spidermon extension's handler (extensions are built before pipelines),
        # so the monitors' verdict is in the stats when this one runs.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        count_item_errors(crawler)
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.db = open_database(self.path)
        self.run_id = start_run(self.db, spider.name, run_arguments(spider), scope=getattr(spider, "scope", None))

    def process_item(self, item):
        stats = self.crawler.stats
        if isinstance(item, PageUnchanged):
            confirm_unchanged(self.db, item.source, item.url)
            stats.inc_value(f"gxcrawl/reports_{UNCHANGED}")
            return item
        if isinstance(item, FetchFailure):
            self.record_failure(item.fetch or Fetch(item.source, item.url), item.error, item.title, item.status)
            return item
        if isinstance(item, InterfaceLearnt):
            keep_interface(self.db, item.list_url, item.interface, item.description, self.run_id)
            return item
        if isinstance(item, InterfaceRetired):
            retire_interface(self.db, item.list_url, item.why)
            return item
        if not isinstance(item, ReportItem):
            return item
        stored = record(
            self.db,
            self.archive,
            item.fetch,
            item.documents,
            report=item.report,
            title=item.title,
            content_selectors=item.content_selectors,
            attachment_errors=tuple(item.errors),
            run_id=self.run_id,
        )
        if stored.r6_warning:
            self.crawler.stats.inc_value("gxcrawl/checks/R6/failed")
        self.count(stored)
        if stored.problem:
            self.crawler.spider.logger.warning("could not read the report at %s: %s", item.fetch.url, stored.problem)
        return item

    def count(self, stored: Stored) -> None:
        stats = self.crawler.stats
        if stored.outcome:
            stats.inc_value(f"gxcrawl/reports_{stored.outcome}")
        stats.inc_value("gxcrawl/failures", stored.failures)
        # Failed before too: the monitors judge a run by what newly went wrong.
        stats.inc_value("gxcrawl/failures/repeated", stored.repeated)

    def record_failure(self, fetch: Fetch, error: str, title: str | None = None, status: int | None = None) -> None:
        repeated = record_failure(self.db, fetch, error, title=title, run_id=self.run_id, status=status)
        self.count(Stored(failures=1, repeated=int(repeated)))

    def spider_closed(self, spider, reason):
        try:
            self.finish(spider, reason)
        finally:
            self.db.close()
            lock.release(self.path)

    def finish(self, spider, reason):
        stats = self.crawler.stats
        counts = {
            outcome: stats.get_value(f"gxcrawl/reports_{outcome}", 0) for outcome in (NEW, CHANGED, UNCHANGED, OLDER)
        }
        problems, outcome = run_outcome(stats, reason)
        finish_run(
            self.db,
            self.run_id,
            reports_new=counts["new"],
            reports_changed=counts["changed"],
            reports_unchanged=counts["unchanged"],
            reports_older=counts["older"],
            **outcome,
        )
        summary = (
            f"stored in {self.path}: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged reports; {stats.get_value('gxcrawl/failures', 0)} not read "
            f"(see the failures table); run {self.run_id} in crawl_runs"
        )
        announce(stats, spider.logger, problems, summary)
