"""`scrapy doctor URL`: what gxcrawl sees of an agency's column, before it goes into sources.yaml.

Reads the column's first list page as `scrapy crawl site` would, follows
nothing, writes no database, and prints the CMS family, the size the page
declares, its further list pages, its report links, the interface learnt in
the browser when a script loads the list, and a `sources.yaml` entry
(spiders/site/diagnosis.py). Exit status 0 when the page links to annual
reports and shows what it declares (or its interface was learnt), 1
otherwise.
"""

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from spiders.site.pagers import BY_NAME


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "URL [--cms NAME]"

    def short_desc(self) -> str:
        return "Say what gxcrawl sees of a column's list page: its CMS, declared size, pager and report links"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--cms", choices=sorted(BY_NAME), help="read the page as this CMS family's")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        # One page looked at: nothing is stored, judged or logged below warnings.
        self.settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        self.settings.set("SPIDERMON_ENABLED", False, priority="cmdline")
        self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give the address of one column's list page")
        crawler = self.crawler_process.create_crawler("site")
        self.crawler_process.crawl(crawler, url=args[0], cms=opts.cms, diagnose="1")
        self.crawler_process.start()
        spider = crawler.spider
        if spider.diagnosis is None:
            print(
                f"gxcrawl: {args[0]} could not be read ({spider.diagnosis_error or 'no answer'}); check the address "
                "and that the site answers from this machine"
            )
            self.exitcode = 1
            return
        print(spider.diagnosis.text())
        self.exitcode = 0 if spider.diagnosis.complete() else 1
