"""Store reports in SQLite with the gxcrawl library, and keep the crawl's record in `crawl_runs`.

Setting GXCRAWL_DB: the database file (default `output/gxcrawl.db`).

The crawl's exit status is decided here, when the spider closes: non-zero
when the site no longer matched the spider's profile, when the crawl did not
finish, or when it stored nothing at all.
"""

from scrapy import signals

from gxcrawl import storage
from spiders.items import FetchFailure, ReportItem


class StorePipeline:
    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.db = None
        self.run_id = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler, crawler.settings.get("GXCRAWL_DB", "output/gxcrawl.db"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.db = storage.open_database(self.path)
        arguments = {name: getattr(spider, name) for name in ("base_url", "year", "area", "max_pages")
                     if getattr(spider, name, None) is not None}
        if getattr(spider, "ids", None) is not None:
            arguments["ids"] = f"{spider.ids[0]}-{spider.ids[-1]} ({len(spider.ids)} ids)" if spider.ids else ""
        self.run_id = storage.start_run(self.db, spider.name, arguments)

    def process_item(self, item):
        stats = self.crawler.stats
        if isinstance(item, FetchFailure):
            storage.record_failure(self.db, storage.Fetch(item.source, item.url), item.error, run_id=self.run_id)
            stats.inc_value("gxcrawl/failures")
            return item
        if not isinstance(item, ReportItem):
            return item
        report, fetch = item.report, item.fetch
        problems = [f"attachment {error['url']} {error['error']}" for error in item.errors]
        for error, problem in zip(item.errors, problems):
            storage.record_failure(self.db, storage.Fetch(fetch.source, error["url"]), problem, title=item.title,
                                   run_id=self.run_id)
            stats.inc_value("gxcrawl/failures")
        error = report.error if report is not None else "the report was not parsed"
        if error is None and not ((report.agency or fetch.agency) and (report.year or fetch.year)):
            error = "neither the report nor the portal names its agency and year"
        if error:
            detail = "; ".join([error, *problems])
            storage.record_failure(self.db, fetch, detail, title=item.title, run_id=self.run_id)
            stats.inc_value("gxcrawl/failures")
            self.crawler.spider.logger.warning("could not read the report at %s: %s", fetch.url, detail)
            return item
        report.warnings.extend(problems)
        outcome = storage.store_report(self.db, report, fetch)
        stats.inc_value(f"gxcrawl/reports_{outcome}")
        return item

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        counts = {outcome: stats.get_value(f"gxcrawl/reports_{outcome}", 0)
                  for outcome in (storage.NEW, storage.CHANGED, storage.UNCHANGED, storage.OLDER)}
        problems = []
        if stats.get_value("gxcrawl/profile_mismatch"):
            problems.append("the portal no longer matches the spider's profile (see the errors above)")
        if stats.get_value("gxcrawl/lists_lost"):
            problems.append(f"{stats.get_value('gxcrawl/lists_lost')} list pages could not be fetched, so the reports "
                            "they list were not seen")
        exceptions = sum(value for key, value in stats.get_stats().items() if key.startswith("spider_exceptions/"))
        if exceptions:
            problems.append(f"the spider raised {exceptions} exceptions (see the errors above)")
        if reason != "finished":
            problems.append(f"the crawl ended early ({reason})")
        if not sum(counts.values()):
            problems.append("no report was stored")
        status = 1 if problems else 0
        stats.set_value("gxcrawl/exit_status", status)
        storage.finish_run(self.db, self.run_id, finish_reason=reason,
                           pages=stats.get_value("response_received_count", 0),
                           reports_new=counts["new"], reports_changed=counts["changed"],
                           reports_unchanged=counts["unchanged"], reports_older=counts["older"],
                           errors=stats.get_value("gxcrawl/failures", 0), exit_status=status)
        summary = (f"stored in {self.path}: {counts['new']} new, {counts['changed']} changed, "
                   f"{counts['unchanged']} unchanged reports; {stats.get_value('gxcrawl/failures', 0)} not read "
                   "(see the failures table)")
        if problems:
            spider.logger.error("crawl failed: %s. %s", "; ".join(problems), summary)
        else:
            spider.logger.info("crawl finished: %s", summary)
        self.db.close()
