"""What a crawl fetches when the database already holds reports: the refresh policy of every spider.

Spider arguments read here (`-a name=value`, any gxcrawl spider):

- `refresh=new` (the default): fetch only the report pages not stored yet;
  `refresh=all`: fetch every page again, and walk every list page;
- `recheck_days=N`: also fetch again the stored reports published in the
  last N days (agencies correct reports quietly), as conditional requests
  (If-None-Match / If-Modified-Since) when the portal gave validators;
- `stop_early=off`: walk every list page even when a whole page holds only
  reports seen before. Stopping early needs a list ordered newest first and
  a previous run over the same list that finished cleanly, and a page counts
  as seen only when all its reports were seen by that run or before it (a
  report stored meanwhile by an `ids` run, say, does not vouch for the pages
  after it). After a crash or a failed run the next one walks everything
  again, fetching only what is missing, so nothing older than the stopping
  point is left unseen.

Report pages that could not be fetched or read before are tried again by
every run that walks the lists, wherever they are listed.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from gxcrawl.store.refresh import StoredPage, failed_pages, stored_pages
from gxcrawl.store.runs import last_run
from gxcrawl.store.schema import open_readonly

NEW, ALL = "new", "all"


@dataclass
class RefreshPolicy:
    mode: str = NEW
    recheck_days: int | None = None
    stop_early: bool = True
    #: Report pages stored before, by URL.
    stored: dict[str, StoredPage] = field(default_factory=dict)
    #: Pages that could not be fetched or read before (URL → when that first happened): fetched again.
    failed: dict[str, str] = field(default_factory=dict)
    #: The last run over the same list, and the last that succeeded.
    last_run: dict | None = None
    last_good_run: dict | None = None

    @classmethod
    def from_arguments(
        cls,
        refresh: str | None = None,
        recheck_days: str | None = None,
        stop_early: str | None = None,
        newest_first: bool = True,
    ) -> "RefreshPolicy":
        """The policy the spider arguments ask for; `newest_first` is whether the site's lists are so ordered."""
        mode = refresh or NEW
        if mode not in (NEW, ALL):
            raise ValueError(f"refresh must be {NEW!r} or {ALL!r}, not {refresh!r}")
        days = int(recheck_days) if recheck_days is not None else None
        if days is not None and days < 0:
            raise ValueError("recheck_days must be 0 or more")
        if stop_early not in (None, "on", "off"):
            raise ValueError(f"stop_early must be 'on' or 'off', not {stop_early!r}")
        return cls(mode=mode, recheck_days=days, stop_early=stop_early != "off" and mode == NEW and newest_first)

    def load(self, database: str, source: str, spider: str, scope: str | None) -> None:
        """Read what earlier runs stored; a missing database is an empty one."""
        db = open_readonly(database)
        if db is None:
            return
        try:
            self.stored = stored_pages(db, source)
            self.failed = {url: first for url, first in failed_pages(db, source).items() if url not in self.stored}
            self.last_run = last_run(db, spider, scope)
            self.last_good_run = last_run(db, spider, scope, succeeded=True)
        finally:
            db.close()

    def record_in(self, stats) -> None:
        """Put the last successful run's figures in the crawl's stats, for the close-of-crawl monitors."""
        last = self.last_good_run
        if last:
            stats.set_value("gxcrawl/last_good_run", f"#{last['id']} of {last['started']}")
            for name in ("list_pages", "reports_listed", "walk"):
                stats.set_value(f"gxcrawl/last_good_run/{name}", last[name])

    @property
    def walks_sequentially(self) -> bool:
        """Whether list pages are walked one after the other, so that the walk can stop early."""
        last = self.last_run
        return (
            self.stop_early
            and last is not None
            and last["exit_status"] == 0
            and last["walk"] in ("complete", "stopped_early")
        )

    def headers_for(self, url: str) -> dict[str, str] | None:
        """Headers of the request for a report page, or None when the page need not be fetched."""
        page = self.stored.get(url)
        if page is None or self.mode == ALL:
            return {}
        if not self.due_for_recheck(page):
            return None
        headers: dict[str, str] = {}
        if page.attachments:  # the page's validators say nothing of its attachments: fetch them all again
            return headers
        if page.etag:
            headers["If-None-Match"] = page.etag
        if page.last_modified:
            headers["If-Modified-Since"] = page.last_modified
        return headers

    def due_for_recheck(self, page: StoredPage) -> bool:
        if self.recheck_days is None or not page.published:
            return False
        return page.published >= (date.today() - timedelta(days=self.recheck_days)).isoformat()

    def only_seen_before(self, urls: list[str]) -> bool:
        """A list page whose reports the last walk had all seen, none due for a recheck: where an ordered
        walk ends, as the pages after it were walked then."""
        return all(
            self.seen_by_last_walk(url) and (url not in self.stored or self.headers_for(url) is None) for url in urls
        )

    def seen_by_last_walk(self, url: str) -> bool:
        first = self.stored[url].first_stored if url in self.stored else self.failed.get(url)
        ended = (self.last_run or {}).get("ended")
        return first is not None and ended is not None and first <= ended
