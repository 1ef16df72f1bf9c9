"""`scrapy crawl` with an exit status cron can trust.

Scrapy's own command exits 0 unless the spider could not start. This one
exits with the status the store pipeline decided (`gxcrawl/exit_status`):
non-zero when the site no longer matched the profile, the crawl ended early,
or nothing was stored.
"""

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("running 'scrapy crawl' needs exactly one spider name")
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        else:
            self.exitcode = crawler.stats.get_value("gxcrawl/exit_status", 1)
