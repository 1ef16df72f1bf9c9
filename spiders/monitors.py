"""Close-of-crawl monitors (Spidermon): can this crawl's result be trusted?

They run when the spider closes, on the crawl's stats. A failed monitor
makes `scrapy crawl` exit non-zero, for cron to alert on, and its message is
kept in `crawl_runs.problems` (pipelines/store.py writes both). Thresholds are
settings, read here:

- SPIDERMON_EXPECTED_FINISH_REASONS (Spidermon's own; default `finished`):
  a crawl that ended for another reason failed, and is told to run again;

- GXCRAWL_MAX_ERROR_RATE (default 0.05) and GXCRAWL_MAX_ERRORS (default 5):
  the crawl fails when more documents could not be fetched or read than this
  share of the report pages it fetched, or than this count if that is more.
  Documents that had failed before too are not counted: every run tries them
  again, and a few that stay broken must not fail every run;
- GXCRAWL_MIN_LISTED_RATIO (default 0.5): the crawl fails when the portal
  lists fewer than this share of the reports (or list pages) that the last
  successful run over the same list saw;
- GXCRAWL_SHORTFALL (default `fail`; `warn`): what a walk that saw fewer
  records or list pages than a list declares (「recordCount: '20'」, 「共2页」)
  does to the crawl. The walk is `partial` either way.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning
from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.core.actions import Action

WALKS = ("complete", "stopped_early", "partial", "distributed")


def crawl_total(stats, name: str, default=0):
    """The whole crawl's count: across all workers in a distributed crawl (spiders/distributed.py)."""
    return stats.get(f"gxcrawl/crawl/{name[len('gxcrawl/') :]}", stats.get(name, default))


# Spidermon's runner still logs through Spider.log(); the warning would end every cron log.
warnings.filterwarnings("ignore", r"Spider\.log\(\) is deprecated", ScrapyDeprecationWarning)


@monitors.name("crawl")
class CrawlMonitor(BaseScrapyMonitor):
    @monitors.name("finished")
    def test_finished(self):
        reason = self.stats.get("finish_reason")
        if reason not in self.crawler.settings.getlist("SPIDERMON_EXPECTED_FINISH_REASONS", ["finished"]):
            self.fail(
                f"the crawl ended early ({reason}); run the same command again: it fetches only what is still missing"
            )

    @monitors.name("site matches the profile")
    def test_profile(self):
        mismatches = crawl_total(self.stats, "gxcrawl/profile_mismatch")
        fallback = self.stats.get("gxcrawl/profile_fallback")
        if mismatches:
            self.fail(
                f"the site no longer matches the spider's profile ({mismatches} times; the errors above say "
                "where)"
                + (
                    f"; the spider fell back to the list interface it learnt in the browser "
                    f"({fallback}) and stored what it found there: update the profile"
                    if fallback
                    else ""
                )
            )

    @monitors.name("every list page read")
    def test_lists(self):
        lost = crawl_total(self.stats, "gxcrawl/lists_lost")
        if lost:
            self.fail(f"{lost} list pages could not be fetched, so the reports they list were not seen")

    @monitors.name("no exceptions")
    def test_exceptions(self):
        raised = sum(value for key, value in self.stats.items() if key.startswith("spider_exceptions/"))
        if raised:
            self.fail(f"the spider raised {raised} exceptions (see the tracebacks above)")
        broken = crawl_total(self.stats, "gxcrawl/item_errors")
        if broken:
            self.fail(
                f"{broken} reports could not be archived, parsed or stored: a pipeline raised an exception "
                "(see «Error processing» above; a full disk, say)"
            )


@monitors.name("reports")
class ReportsMonitor(BaseScrapyMonitor):
    @monitors.name("lists show reports")
    def test_listed(self):
        if self.stats.get("gxcrawl/walk") not in WALKS:
            self.skipTest("the crawl enumerated ids instead of walking lists")
        if not crawl_total(self.stats, "gxcrawl/reports_listed"):
            self.fail("the portal's lists showed no report at all")

    @monitors.name("lists seen whole")
    def test_declared(self):
        shortfalls = self.stats.get("gxcrawl/shortfalls")
        if not shortfalls:
            return
        message = (
            f"the walk saw less than the lists declare: {'; '.join(shortfalls)}. `scrapy doctor <list URL>` "
            "shows what such a list holds and how its script loads the rest"
        )
        if self.crawler.settings.get("GXCRAWL_SHORTFALL", "fail") == "warn":
            self.skipTest(f"{message} (GXCRAWL_SHORTFALL=warn)")
        self.fail(message)

    @monitors.name("few errors")
    def test_errors(self):
        settings = self.crawler.settings
        repeated = crawl_total(self.stats, "gxcrawl/failures/repeated")
        errors = crawl_total(self.stats, "gxcrawl/failures") - repeated
        fetched = crawl_total(self.stats, "gxcrawl/report_pages/requested")
        rate = settings.getfloat("GXCRAWL_MAX_ERROR_RATE", 0.05)
        allowed = max(settings.getint("GXCRAWL_MAX_ERRORS", 5), int(rate * fetched))
        if errors > allowed:
            self.fail(
                f"{errors} documents could not be fetched or read, more than the {allowed} allowed "
                f"({rate:.0%} of {fetched} report pages fetched, GXCRAWL_MAX_ERROR_RATE, or "
                f"GXCRAWL_MAX_ERRORS; {repeated} more had failed before and are not counted); the failures "
                "table says which and why"
            )

    @monitors.name("as many reports as last time")
    def test_compared_with_last_run(self):
        last = self.stats.get("gxcrawl/last_good_run")
        if not last:
            self.skipTest("no earlier successful run over the same list")
        ratio = self.crawler.settings.getfloat("GXCRAWL_MIN_LISTED_RATIO", 0.5)
        pages = crawl_total(self.stats, "gxcrawl/list_pages", None)
        last_pages = self.stats.get("gxcrawl/last_good_run/list_pages")
        if pages is not None and last_pages and pages < ratio * last_pages:
            self.fail(
                f"the portal lists {pages} pages of reports, against {last_pages} in run {last} "
                f"(below GXCRAWL_MIN_LISTED_RATIO = {ratio})"
            )
        listed = crawl_total(self.stats, "gxcrawl/reports_listed")
        last_listed = self.stats.get("gxcrawl/last_good_run/reports_listed")
        both_complete = self.stats.get("gxcrawl/walk") == "complete" == self.stats.get("gxcrawl/last_good_run/walk")
        if both_complete and last_listed and listed < ratio * last_listed:
            self.fail(
                f"the portal lists {listed} reports, against {last_listed} in run {last} "
                f"(below GXCRAWL_MIN_LISTED_RATIO = {ratio})"
            )


class RecordVerdict(Action):
    """Leave the monitors' verdict in the stats, for the store pipeline to act on and record."""

    def run_action(self):
        problems = [
            f"{result.monitor.name}: {result.reason or _last_line(result.error)}"
            for result in self.result.monitors_failed_results
        ]
        self.data.crawler.stats.set_value("gxcrawl/problems", problems)


class CloseMonitors(MonitorSuite):
    monitors = [CrawlMonitor, ReportsMonitor]
    monitors_finished_actions = [RecordVerdict]


def _last_line(text: str | None) -> str:
    """A monitor that broke (rather than failed): the exception's own message."""
    return (text or "the monitor broke").strip().splitlines()[-1]
