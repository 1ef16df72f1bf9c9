"""`scrapy crawl` with an exit status cron can trust.

Scrapy's own command exits 0 unless the spider could not start. This one
exits with the close-of-crawl monitors' verdict, as the store pipeline left
it in `gxcrawl/exit_status` (spiders/monitors.py), and refuses to start at
all, with status 75 (EX_TEMPFAIL), while another process writes the same
database (gxcrawl.lock).
"""

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from gxcrawl import lock
from spiders.distributed import redis_url


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("running 'scrapy crawl' needs exactly one spider name")
        crawler = self._create_crawler(args[0])
        # A distributed worker writes no database: `gxcrawl ingest` does, and takes the lock.
        database = None if redis_url(crawler.settings) else crawler.settings.get("GXCRAWL_DB", "output/gxcrawl.db")
        try:
            if database:
                lock.acquire(database)
        except lock.DatabaseBusy as busy:
            print(f"gxcrawl: {busy}", file=sys.stderr)
            self.exitcode = lock.BUSY_EXIT_STATUS
            return
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if database:
                lock.release(database)
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.exitcode = crawler.stats.get_value("gxcrawl/exit_status", 1)
        verdict = crawler.stats.get_value("gxcrawl/verdict")
        if verdict:
            print(f"gxcrawl: {verdict}", file=sys.stderr)
