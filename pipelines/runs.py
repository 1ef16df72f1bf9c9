"""A run's record from the crawl's stats, and its verdict: shared by the store and export pipelines."""

import json

from scrapy import signals

MONITORS_MISSING = (
    "the close-of-crawl monitors did not run: check that SPIDERMON_ENABLED is on and "
    "spiders.monitors.CloseMonitors is in SPIDERMON_SPIDER_CLOSE_MONITORS"
)


def count_item_errors(crawler) -> None:
    """Count exceptions raised in pipelines: Scrapy logs them and counts nothing, so the monitors would not know."""
    crawler.signals.connect(
        lambda **_: crawler.stats.inc_value("gxcrawl/item_errors"), signal=signals.item_error, weak=False
    )


def run_arguments(spider) -> dict:
    """What the run was asked to do, for `crawl_runs.arguments`."""
    arguments = {
        name: getattr(spider, name)
        for name in ("base_url", "year", "area", "max_pages")
        if getattr(spider, name, None) is not None
    }
    if getattr(spider, "ids", None) is not None:
        arguments["ids"] = f"{spider.ids[0]}-{spider.ids[-1]} ({len(spider.ids)} ids)" if spider.ids else ""
    refresh = getattr(spider, "refresh", None)
    if refresh is not None:
        arguments.update(refresh=refresh.mode, recheck_days=refresh.recheck_days, stop_early=refresh.stop_early)
    return arguments


def run_outcome(stats, reason: str) -> tuple[list[str], dict]:
    """The monitors' problems (spiders/monitors.py), and the run's `crawl_runs` columns; sets the exit status."""
    problems = stats.get_value("gxcrawl/problems")
    if problems is None:
        problems = [MONITORS_MISSING]
    status = 1 if problems else 0
    stats.set_value("gxcrawl/exit_status", status)
    return problems, {
        "finish_reason": reason,
        "pages": stats.get_value("response_received_count", 0),
        "requests": stats.get_value("downloader/request_count", 0),
        "report_pages": stats.get_value("gxcrawl/report_pages/requested", 0),
        "reports_listed": stats.get_value("gxcrawl/reports_listed", 0),
        "list_pages": stats.get_value("gxcrawl/list_pages"),
        "walk": stats.get_value("gxcrawl/walk"),
        "errors": stats.get_value("gxcrawl/failures", 0),
        "exit_status": status,
        "problems": json.dumps(problems, ensure_ascii=False),
    }


def announce(stats, logger, problems: list[str], summary: str) -> None:
    """Log the verdict; the crawl command repeats it as the log's last line, where `tail` finds it."""
    verdict = f"crawl failed: {'; '.join(problems)}. {summary}" if problems else f"crawl finished: {summary}"
    stats.set_value("gxcrawl/verdict", verdict)
    if problems:
        logger.error(verdict)
    else:
        logger.info(verdict)
