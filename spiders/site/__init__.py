"""`scrapy crawl site`: the annual reports of any agency's 「政府信息公开年报」 column.

    scrapy crawl site -a url=http://www.example.gov.cn/col/col1234/index.html [-a region=卫辉市] [-a cms=hanweb]
    scrapy crawl site -a sources=sources.yaml

Most agencies publish their reports in a column of their own website, on one
of a few CMS families. This spider walks such a column's list (its
pagination told from the page: spiders/site/pagers.py), follows the links
whose title names an annual report (「…年政府信息公开工作年度报告」 and its
variants; notices about reports are not reports), and reads each report page
and its attachments with the same parser as every spider. Reports land in the
same database, as versions of what other spiders found of the same agency
and year.

A sources file lists many columns (see sources.yaml):

    - name: 卫辉市人民政府
      url: http://www.weihui.gov.cn/xxgk/ndbg/index.html
      region: 卫辉市
      agency: 卫辉市人民政府      # optional: when the reports' titles do not name it
      cms: trs                    # optional: hanweb, trs, next, index or single; guessed when left out

Spider arguments: `url` (one column; with `region`, `agency`, `cms`), or
`sources` (a YAML file); and the refresh arguments of every spider
(spiders/refresh.py).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import scrapy
import yaml

from gxcrawl.model import Fetch
from gxcrawl.store.interfaces import list_interfaces
from gxcrawl.store.schema import open_readonly
from spiders.interface import Learning
from spiders.items import InterfaceLearnt, InterfaceRetired, ReportItem
from spiders.learning import MAX_INTERFACE_PAGES, ListLearner
from spiders.reports import Portal, ReportSpider, document, failure_reason, http_status, iso_date
from spiders.site.diagnosis import Diagnosis
from spiders.site.pagers import BY_NAME, Declared, declared, is_entry, pager_of
from spiders.titles import link_title, names_a_report

#: What a kept interface answers when it is gone for good: it is then retired and the list learnt again.
GONE = (404, 410)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PUBLISHED = re.compile(r"(?:发布|发文|成文|公开)(?:时间|日期)\s*[:：]\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2})")
#: Where the common CMS families put an article's body; else the parser finds the block holding the tables.
CONTENT_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    ".article-content",
    ".Custom_UnionStyle",
    "#UCAP-CONTENT",
    ".pages_content",
    ".view-content",
    ".article",
    "#content",
)
#: An attachment: its address (path or query: `downfile.jsp?filename=a.pdf`) or its link text ends so.
ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|txt|jpe?g|png)(\s*$|&)", re.I)


@dataclass(frozen=True)
class Site:
    """One column of annual reports."""

    #: The site's owner, as the sources file names it: the agency of reports whose titles name none.
    name: str | None
    url: str
    region: str | None = None
    agency: str | None = None
    cms: str | None = None

    @property
    def label(self) -> str:
        return self.name or urlparse(self.url).hostname


def load_sources(path: str | Path) -> list[Site]:
    """The columns listed in a sources file, checked: a clear message for a bad entry."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of sources (- name: …, url: …)")
    sites = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("url"):
            raise ValueError(f"{path}: source {number} has no url")
        unknown = set(entry) - {"name", "url", "region", "agency", "cms"}
        if unknown:
            raise ValueError(f"{path}: source {number} has unknown fields {sorted(unknown)}")
        sites.append(site(entry["url"], entry.get("name"), entry.get("region"), entry.get("agency"), entry.get("cms")))
    return sites


def site(
    url: str, name: str | None = None, region: str | None = None, agency: str | None = None, cms: str | None = None
) -> Site:
    if urlparse(url).scheme not in ("http", "https"):
        raise ValueError(f"{url}: a column's list page is an http(s) address")
    if cms and cms not in BY_NAME:
        raise ValueError(f"cms {cms!r} is none of {', '.join(BY_NAME)}")
    return Site(name, url, region, agency, cms)


@dataclass
class ColumnWalk:
    """One column's walk: the largest size its list pages declared, the pages read, the entries seen."""

    records: int | None = None
    pages: int | None = None
    pages_read: int = 0
    entries: set[str] = field(default_factory=set)
    #: Why the interface a script loads the list from could not be learnt, when it was tried and could not.
    unlearnt: str | None = None

    def note(self, size: Declared) -> None:
        self.pages_read += 1
        self.records = max(filter(None, (self.records, size.records)), default=None)
        self.pages = max(filter(None, (self.pages, size.page_count)), default=None)

    def shortfall(self) -> str | None:
        """What the walk missed of what the list declared, or None.

        Records are compared where the list declares them (pages fetched in batches, as Hanweb's
        proxy does, make page counts differ); pages where it declares only those."""
        why = (
            f"; the interface its script loads the list from could not be learnt: {self.unlearnt}"
            if self.unlearnt
            else ""
        )
        if self.records is not None and len(self.entries) < self.records:
            return (
                f"declares {self.records} records and the walk saw {len(self.entries)} "
                f"in {self.pages_read} list pages{why}"
            )
        if self.records is None and self.pages is not None and self.pages_read < self.pages:
            return f"declares {self.pages} list pages and the walk read {self.pages_read}{why}"
        if self.unlearnt and not self.entries:
            return f"shows no entry in its HTML{why}"
        return None

    def needs_learning(self, further: bool) -> bool:
        """After a column's first list page: it shows less than it declares and points to no further page
        that could make up the difference, or it shows no entry at all (a page a script fills)."""
        return not further and (self.shortfall() is not None or not self.entries)


class SiteSpider(ListLearner, ReportSpider):
    name = "site"
    source = "site"

    def __init__(
        self,
        url: str | None = None,
        sources: str | None = None,
        region: str | None = None,
        agency: str | None = None,
        cms: str | None = None,
        diagnose: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        #: `scrapy doctor`: read the first list page, say what it shows (`diagnosis`), follow nothing.
        self.diagnose = bool(diagnose)
        self.diagnosis: Diagnosis | None = None
        self.diagnosis_error: str | None = None
        if bool(url) == bool(sources):
            raise ValueError("give either -a url=<a column's list page> or -a sources=<a sources file>")
        self.sites = load_sources(sources) if sources else [site(url, region=region, agency=agency, cms=cms)]
        #: What each column's lists declared of their size, and what the walk saw of them.
        self.walked = {each.url: ColumnWalk() for each in self.sites}
        #: The interfaces learnt by earlier runs, by list page (JSON): walked before learning anything again.
        self.interfaces: dict[str, str] = {}
        # Only the columns' own sites (and their subdomains: www.x.gov.cn, files.x.gov.cn) are crawled;
        # Scrapy's offsite filter applies this to redirects too.
        self.allowed_domains = sorted({urlparse(each.url).hostname.removeprefix("www.") for each in self.sites})
        self.portals = tuple(dict.fromkeys(Portal.of(each.url) for each in self.sites))

    async def start(self):
        for each in self.sites:
            yield self.list_request(each.url, each).replace(meta={"gxcrawl_column_start": True})

    def parse_list(self, response, site: Site):
        pager = pager_of(response, site.cms)
        size = declared(response.text)
        walk = self.walked[site.url]
        walk.note(size)
        listed = {}
        for block in pager.link_blocks(response):
            for link in block.css("a[href]"):
                title = link_title(link)
                url = response.urljoin(link.attrib["href"].strip())
                if self.on_portal(url) and is_entry(url):
                    walk.entries.add(url)
                if names_a_report(title) and self.on_portal(url):
                    listed[url] = title
        further = pager.further(response)
        # The column's own first page decides whether its list is loaded by a script from an interface.
        first = response.meta.get("gxcrawl_column_start", False)
        learn = first and site.url not in self.interfaces and walk.needs_learning(bool(further))
        if self.diagnose:
            self.diagnosis = Diagnosis(
                response.url,
                response.status,
                (response.css("title::text").get() or "").strip(),
                pager.name,
                size,
                [page.url for page in further],
                [(title, url) for url, title in listed.items()],
                len(walk.entries),
                walk.shortfall(),
            )
            if learn:
                yield from self.learn_list(site)
            return
        self.crawler.stats.inc_value("gxcrawl/reports_listed", len(listed))
        self.crawler.stats.inc_value(f"gxcrawl/pagers/{pager.name}")
        if not listed and not learn:
            self.logger.info(
                "%s (%s, a %s list) links to no annual report on its site", response.url, site.label, pager.name
            )
        for url, title in self.bounded(list(listed.items()), response.url):
            request = self.report_request(url, {"title": title, "site": site})
            if request is not None:
                yield request
        for page in further:
            yield self.list_request(page.url, site, page.formdata)
        if first and site.url in self.interfaces:
            yield self.interface_request(
                self.interfaces[site.url], 1, site.url, self.interface_failed, site=site, kept=True, fresh=False
            )
        elif learn:
            yield from self.learn_list(site)

    # --- Lists a script loads: their interface, learnt in the browser (spiders/learning.py) -----------

    def learn_list(
        self, site: Site, why: str = "it shows less than it declares, or nothing, and points to no further page"
    ):
        cannot = self.can_learn()
        if cannot is not None:
            yield from self.learnt(cannot, site)
            return
        self.logger.info(
            "%s (%s): %s; rendering it in the browser to learn the interface its script loads the list from",
            site.url,
            site.label,
            why,
        )
        yield self.learning_request(site.url, self.parse_rendered_list, {"site": site}, self.rendering_failed)

    async def parse_rendered_list(self, response, site: Site):
        for output in self.learnt(await self.watch(response), site):
            yield output

    def rendering_failed(self, failure):
        self.discard_page(failure)
        site = failure.request.cb_kwargs["site"]
        yield from self.learnt(
            Learning(why_not=f"the browser could not render the page ({failure.getErrorMessage()})"), site
        )

    def learnt(self, learning: Learning, site: Site):
        walk = self.walked[site.url]
        if self.diagnose:
            self.diagnosis.learning = learning
            return
        if learning.interface is None:
            walk.unlearnt = learning.why_not
            self.logger.warning(
                "%s (%s): the interface its script loads the list from could not be learnt: %s",
                site.url,
                site.label,
                learning.why_not,
            )
            return
        interface = learning.interface
        self.logger.info(
            "%s (%s): learnt the interface its script loads the list from: %s",
            site.url,
            site.label,
            interface.describe(),
        )
        yield self.interface_request(
            interface.as_json(), 1, site.url, self.interface_failed, site=site, kept=False, fresh=True
        )

    def parse_interface(self, response, site: Site, interface: str, page: int, kept: bool, fresh: bool):
        learnt, answer, problem = self.read_interface(response, interface, site.url)
        if kept and page == 1 and problem:
            yield from self.relearn(site, f"{response.url} answered, but {problem}")
            return
        if fresh and problem:
            self.not_replayable(site, response.url, problem)
            return
        if fresh:  # it works without the browser: kept for the next run
            self.crawler.stats.inc_value("gxcrawl/interfaces_learnt")
            yield InterfaceLearnt(site.url, interface, learnt.describe())
        if problem:
            self.logger.error(
                "page %d of the interface of %s (%s) could not be read: %s", page, site.url, site.label, problem
            )
            self.crawler.stats.inc_value("gxcrawl/lists_lost")
            return
        walk = self.walked[site.url]
        walk.note(Declared(records=answer.total))
        new = [record for record in answer.records if record.url not in walk.entries]
        reports = []
        for record in answer.records:
            if self.on_portal(record.url):
                walk.entries.add(record.url)
                if names_a_report(record.title):
                    reports.append(record)
        for record in self.bounded(reports, response.url):
            request = self.report_request(record.url, {"title": record.title, "site": site})
            if request is not None:
                yield request
        self.crawler.stats.inc_value("gxcrawl/reports_listed", len(reports))
        self.crawler.stats.inc_value("gxcrawl/pagers/interface")
        for number in learnt.pages_after(page, answer, bool(new), MAX_INTERFACE_PAGES):
            yield self.interface_request(
                interface, number, site.url, self.interface_failed, site=site, kept=False, fresh=False
            )

    def interface_failed(self, failure):
        request, status = failure.request, http_status(failure)
        first = request.cb_kwargs["page"] == 1
        if request.cb_kwargs["kept"] and first and status in GONE:
            yield from self.relearn(request.cb_kwargs["site"], f"{request.url} answered HTTP {status}")
            return
        if request.cb_kwargs["fresh"] and first:
            self.not_replayable(request.cb_kwargs["site"], request.url, failure_reason(failure))
        # A server error or a timeout may pass: a kept interface stays kept, and the walk is partial.
        yield from self.failed(failure)

    def not_replayable(self, site: Site, url: str, problem: str) -> None:
        """The interface the browser saw answers plain HTTP otherwise: not kept, and the walk is partial."""
        why = f"the interface learnt in the browser does not answer plain HTTP as it answered it ({url}: {problem})"
        self.walked[site.url].unlearnt = why
        self.logger.warning("%s (%s): %s", site.url, site.label, why)

    def relearn(self, site: Site, why: str):
        """The interface kept from an earlier run no longer works: retire it, and learn the list again."""
        self.logger.warning(
            "%s (%s): the interface learnt before no longer works (%s); learning it again", site.url, site.label, why
        )
        del self.interfaces[site.url]
        yield InterfaceRetired(site.url, why)
        yield from self.learn_list(site, "the interface learnt before no longer works")

    def list_request(self, url: str, site: Site, formdata: dict | None = None) -> scrapy.Request:
        if formdata is not None:
            return scrapy.FormRequest(
                url, formdata=formdata, callback=self.parse_list, cb_kwargs={"site": site}, errback=self.failed
            )
        return scrapy.Request(url, callback=self.parse_list, cb_kwargs={"site": site}, errback=self.failed)

    def load_refresh(self) -> None:
        super().load_refresh()
        db = None if self.diagnose else open_readonly(self.settings.get("GXCRAWL_DB", "output/gxcrawl.db"))
        if db is not None:
            self.interfaces = {url: interface for url, interface in list_interfaces(db).items() if url in self.walked}
            db.close()

    def listed(self, url: str, listing: dict) -> Fetch:
        site: Site = listing["site"]
        year = _YEAR.search(listing.get("title") or "")
        return Fetch(
            self.source,
            url,
            agency=site.agency or site.name,
            region=site.region,
            year=int(year.group(1)) if year else None,
        )

    def report_item(self, response, listing: dict) -> ReportItem:
        title = listing.get("title") or (response.css("h1::text").get() or response.css("title::text").get() or "")
        published = response.css("meta[name=PubDate]::attr(content)").get() or next(
            iter(_PUBLISHED.findall(" ".join(response.css("body ::text").getall()))), None
        )
        known = self.listed(response.url, {**listing, "title": title})
        fetch = self.fetch_of(
            response,
            agency=known.agency,
            region=known.region,
            year=known.year,
            published=iso_date(published),
            attachments=self.attachments_of(response),
        )
        return ReportItem(
            fetch, title=title.strip() or None, documents=[document(response)], content_selectors=CONTENT_SELECTORS
        )

    def attachments_of(self, response) -> list[str]:
        found = []
        for link in response.css("a[href]"):
            url = response.urljoin(link.attrib["href"].strip())
            parsed = urlparse(url)
            text = " ".join(link.css("::text").getall()).strip()
            if self.on_portal(url) and any(ATTACHMENT.search(part) for part in (parsed.path, parsed.query, text)):
                found.append(url)
        return list(dict.fromkeys(found))

    def is_list(self, request) -> bool:
        return request.callback in (self.parse_list, self.parse_interface)

    def failed(self, failure):
        if self.diagnose:
            self.diagnosis_error = failure.getErrorMessage() or failure.type.__name__
        yield from super().failed(failure)

    def closed(self, reason: str) -> None:
        # A worker of a distributed crawl sees only the list pages the queue gave it; a diagnosis, one.
        shortfalls = (
            []
            if self.distributed or self.diagnose
            else [
                f"{each.label} ({each.url}) {shortfall}"
                for each in self.sites
                if (shortfall := self.walked[each.url].shortfall())
            ]
        )
        for shortfall in shortfalls:
            self.logger.warning("the walk saw less than the list declares: %s", shortfall)
        self.crawler.stats.set_value("gxcrawl/shortfalls", shortfalls)
        super().closed(reason)

    def walk(self, reason: str) -> str:
        return "partial" if self.crawler.stats.get_value("gxcrawl/shortfalls") else super().walk(reason)
