"""What every gxcrawl spider does with report pages, whatever site it walks: `ReportSpider`.

A spider subclasses it, finds report pages its own way, and hands them to
`report_request`. The base class applies the refresh policy (spiders/refresh.py),
answers rechecks that come back 304, fetches every attachment a page links
to, and records what could not be fetched. Spider arguments `refresh`,
`recheck_days` and `stop_early` are read by `RefreshPolicy`.
"""

import re
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlparse

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as network
from twisted.web._newclient import ResponseNeverReceived
from w3lib.url import safe_url_string

from gxcrawl.model import Fetch
from spiders.items import FetchFailure, PageUnchanged, ReportItem
from spiders.refresh import RefreshPolicy

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


class ReportSpider(scrapy.Spider):
    #: What `reports.source` says of reports this spider finds.
    source: str = ""
    #: Whether the site's lists show the newest reports first (an ordered walk may then stop early).
    newest_first: bool = False
    #: What the crawl may fetch (set by each spider from its portal or columns); redirects are held to it too.
    portals: tuple = ()

    def __init__(
        self, refresh: str | None = None, recheck_days: str | None = None, stop_early: str | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.refresh = RefreshPolicy.from_arguments(refresh, recheck_days, stop_early, newest_first=self.newest_first)
        self.requested: set[str] = set()  # report pages asked for: a page listed twice is fetched once

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        #: Largest attachment downloaded, in bytes (GXCRAWL_MAX_ATTACHMENT_BYTES, default 50 MB).
        spider.max_attachment = crawler.settings.getint("GXCRAWL_MAX_ATTACHMENT_BYTES", 50 * 1024 * 1024)
        # After the pipelines opened: the store pipeline holds the writer lock and has upgraded the database.
        crawler.signals.connect(spider.load_refresh, signal=signals.spider_opened)
        return spider

    @property
    def distributed(self) -> bool:
        """Whether this is one worker of a distributed crawl (spiders/distributed.py: its add-on says so)."""
        return self.settings.getbool("GXCRAWL_DISTRIBUTED")

    @property
    def scope(self) -> str | None:
        """The list a crawl walks, to compare runs over the same one; None when there is no single list."""
        return None

    def load_refresh(self) -> None:
        """Read what earlier runs stored, when the spider opens."""
        if self.distributed:
            # Workers share the lists: no one of them sees them in order, so none may stop a walk.
            self.refresh.stop_early = False
        self.refresh.load(self.settings.get("GXCRAWL_DB", "output/gxcrawl.db"), self.source, self.name, self.scope)
        self.refresh.record_in(self.crawler.stats)
        if self.refresh.walks_sequentially:
            self.logger.info(
                "refresh: %d reports stored before; walking the lists newest first, up to the first "
                "page that holds only reports seen before (-a refresh=all walks everything)",
                len(self.refresh.stored),
            )
        elif self.refresh.stored:
            self.logger.info(
                "refresh: %d reports stored before are %s",
                len(self.refresh.stored),
                "fetched again (refresh=all)" if self.refresh.mode == "all" else "not fetched again",
            )

    # --- Report pages -----------------------------------------------------------------

    def report_request(self, url: str, listing: dict) -> scrapy.Request | None:
        """The request for a report page, or None when the refresh policy says it is not needed."""
        stats = self.crawler.stats
        headers = self.refresh.headers_for(url)
        if headers is None:
            stats.inc_value("gxcrawl/report_pages/stored_before")
            return None
        if url in self.requested:
            return None
        self.requested.add(url)
        stats.inc_value("gxcrawl/report_pages/requested")
        if url in self.refresh.stored:
            stats.inc_value("gxcrawl/report_pages/rechecked")
        # A 304 answers a conditional recheck: the callback, not the error handler, takes it.
        return scrapy.Request(
            url,
            callback=self.parse_report_page,
            cb_kwargs={"listing": listing},
            errback=self.failed,
            headers=headers,
            meta={"handle_httpstatus_list": [304]} if headers else {},
        )

    def parse_report_page(self, response, listing: dict):
        if response.status == 304:
            self.crawler.stats.inc_value("gxcrawl/report_pages/not_modified")
            yield PageUnchanged(self.source, response.url)
            return
        item = self.report_item(response, listing)
        if item is None:
            return
        # Attachments are always fetched: whether the page itself holds the report (or only
        # 「详见附件」) is for the parser to tell, and the archive keeps both.
        yield from self.next_attachment(item, list(item.fetch.attachments))

    def report_item(self, response, listing: dict) -> ReportItem | None:
        """The item of a report page: what the site says of the report. None for a page that is no report."""
        raise NotImplementedError

    def fetch_of(self, response, **known) -> Fetch:
        """The Fetch of a report page, with its HTTP validators; `known` is what the site says of it."""
        return Fetch(
            source=self.source,
            url=response.url,
            etag=header(response, b"ETag"),
            last_modified=header(response, b"Last-Modified"),
            **known,
        )

    def next_attachment(self, item: ReportItem, remaining: list[str]):
        if not remaining:
            yield item
            return
        url = remaining.pop(0)
        yield scrapy.Request(
            url,
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            cb_kwargs={"item": item, "remaining": remaining},
            meta={"download_maxsize": self.max_attachment},
            dont_filter=True,
        )

    def parse_attachment(self, response, item: ReportItem, remaining: list[str]):
        item.documents.append(document(response))
        yield from self.next_attachment(item, remaining)

    def attachment_failed(self, failure):
        request = failure.request
        item, remaining = request.cb_kwargs["item"], request.cb_kwargs["remaining"]
        item.errors.append({"url": request.url, "error": f"could not be downloaded: {failure_reason(failure)}"})
        self.crawler.stats.inc_value("gxcrawl/attachment_errors")
        yield from self.next_attachment(item, remaining)

    # --- Trouble ----------------------------------------------------------------------

    def on_portal(self, url: str) -> bool:
        return on_portal(url, self.portals)

    def is_list(self, request) -> bool:
        """Whether a request is for a list page: losing one loses the reports it lists."""
        return False

    def listed(self, url: str, listing: dict) -> Fetch:
        """What a list said of the report at `url` (agency, year, region, date), before its page is read."""
        raise NotImplementedError

    def failed(self, failure):
        request = failure.request
        status = http_status(failure)
        message = failure_reason(failure)
        if self.is_list(request):
            self.crawler.stats.inc_value("gxcrawl/lists_lost")
        listing = request.cb_kwargs.get("listing")
        fetch = self.listed(request.url, listing) if listing is not None else None
        title = listing.get("title") if listing else None
        self.logger.error(
            "could not fetch %s%s after retries: %s",
            request.url,
            f" ({title or 'untitled'}, {fetch.agency or 'agency unknown'}, {fetch.year or 'year unknown'})"
            if fetch
            else "",
            message,
        )
        yield FetchFailure(source=self.source, url=request.url, error=message, fetch=fetch, title=title, status=status)
        if listing is not None:
            self.crawler.stats.inc_value("gxcrawl/report_pages/failed")
            self.check_breaker()

    def check_breaker(self) -> None:
        """Stop the crawl when most report pages fail: a list of fake ids, or a site gone wrong, must not take
        hours to end in a failed verdict. After GXCRAWL_BREAKER_MIN_FETCHES report pages (default 100), more
        than GXCRAWL_BREAKER_FAILURE_SHARE of them failing (default 0.5) stops it, exit status 1."""
        settings, stats = self.crawler.settings, self.crawler.stats
        fetched = stats.get_value("gxcrawl/report_pages/requested", 0)
        failed = stats.get_value("gxcrawl/report_pages/failed", 0)
        share = settings.getfloat("GXCRAWL_BREAKER_FAILURE_SHARE", 0.5)
        if fetched >= settings.getint("GXCRAWL_BREAKER_MIN_FETCHES", 100) and failed > share * fetched:
            self.logger.error(
                "%d of the %d report pages asked for so far failed, more than GXCRAWL_BREAKER_FAILURE_SHARE "
                "(%g): stopping the crawl; the failures table says why they failed",
                failed,
                fetched,
                share,
            )
            raise CloseSpider("too_many_failures")

    def bounded(self, listed: list, where: str) -> list:
        """The first GXCRAWL_MAX_REPORTS_PER_LIST_PAGE reports a list page (or an interface's page) lists
        (default 500); a page listing more is cut, said, and the walk is partial."""
        most = self.crawler.settings.getint("GXCRAWL_MAX_REPORTS_PER_LIST_PAGE", 500)
        if len(listed) <= most:
            return listed
        self.logger.error(
            "%s lists %d report links, more than GXCRAWL_MAX_REPORTS_PER_LIST_PAGE (%d): only the first %d are "
            "followed, and the walk is partial",
            where,
            len(listed),
            most,
            most,
        )
        self.crawler.stats.inc_value("gxcrawl/lists_cut")
        return listed[:most]

    def closed(self, reason: str) -> None:
        # Runs before the monitors and the store pipeline (it is connected to spider_closed first).
        # A worker of a distributed crawl walks part of the lists, whichever the queue gave it.
        self.crawler.stats.set_value("gxcrawl/walk", "distributed" if self.distributed else self.walk(reason))

    def walk(self, reason: str) -> str:
        """How the lists were walked: complete, stopped_early, partial (or ids)."""
        stats = self.crawler.stats
        lost = stats.get_value("gxcrawl/lists_lost") or stats.get_value("gxcrawl/lists_cut")
        return "partial" if lost or reason != "finished" else "complete"


#: The ports of the web itself: a portal on one of them may link its subdomains on the other (http ↔ https).
WEB_PORTS = (80, 443)


@dataclass(frozen=True)
class Portal:
    """What a crawl may fetch: a portal's host (and its subdomains: www.x.gov.cn, files.x.gov.cn), on the
    portal's own port. A host is compared with its port, so that another service of the same machine (an
    admin console on :18999) is not the portal; a private, loopback or metadata address (127.0.0.1,
    169.254.169.254) is thereby never fetched unless the portal itself is one, and then only on its port."""

    domain: str
    port: int

    @classmethod
    def of(cls, url: str) -> "Portal":
        parsed = urlparse(url)
        return cls((parsed.hostname or "").removeprefix("www."), _port(parsed))

    def holds(self, url: str) -> bool:
        if "\\" in url or "@" in urlparse(url).netloc:
            return False  # a backslash or userinfo: browsers and Scrapy read such an address's host differently
        try:
            parsed = urlparse(safe_url_string(url))  # the address as a Request will fetch it
        except ValueError:  # a port that is not a number
            return False
        host = (parsed.hostname or "").rstrip(".")
        if parsed.scheme not in ("http", "https") or not (host == self.domain or host.endswith(f".{self.domain}")):
            return False
        port = _port(parsed)
        return port == self.port or (port in WEB_PORTS and self.port in WEB_PORTS)


def _port(parsed) -> int:
    try:
        return parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        return -1


def on_portal(url: str, portals) -> bool:
    """Whether `url` is an http(s) address on one of `portals`: no other site, no other port of the same
    host, no local file is ever fetched. Redirects are held to the same rule (spiders/middlewares.py)."""
    return any(portal.holds(url) for portal in portals)


def failure_reason(failure) -> str:
    """Why a request failed, in words a user can act on."""
    status = http_status(failure)
    if status:
        return f"the server answered HTTP {status} {_reason(status)}"
    request, message = failure.request, failure.getErrorMessage()
    if failure.check(IgnoreRequest) and message:
        return message  # redirected off the portal, a redirect loop, robots.txt: said by whoever refused it
    if failure.check(defer.CancelledError) or "cancel" in failure.type.__name__.lower():
        limit = request.meta.get("download_maxsize")
        return "the download was cancelled" + (
            f": larger than the {limit:,}-byte limit (GXCRAWL_MAX_ATTACHMENT_BYTES "
            "for attachments, DOWNLOAD_MAXSIZE for pages)"
            if limit
            else " (larger than DOWNLOAD_MAXSIZE, or the crawl was stopping)"
        )
    if failure.check(network.TimeoutError, defer.TimeoutError, network.TCPTimedOutError):
        return "the server did not answer in time (DOWNLOAD_TIMEOUT), after retries"
    if failure.check(network.DNSLookupError):
        return f"the host name {urlparse(request.url).hostname} could not be resolved"
    if failure.check(network.ConnectionRefusedError):
        return "the server refused the connection, after retries"
    if failure.check(ResponseNeverReceived, network.ConnectionLost):
        return "the connection was lost before the whole answer came, after retries"
    return message or failure.type.__name__


def http_status(failure) -> int | None:
    """The HTTP status a failed request was last answered with; None when no answer came."""
    return failure.value.response.status if failure.check(HttpError) else None


def document(response) -> dict:
    return {
        "url": response.url,
        "body": response.body,
        "content_type": response.headers.get("Content-Type", b"").decode("latin-1") or None,
    }


def _reason(status: int) -> str:
    try:
        return f"({HTTPStatus(status).phrase})"
    except ValueError:
        return ""


def header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def iso_date(text: str | None) -> str | None:
    found = _DATE.search(text or "")
    return f"{found.group(1)}-{int(found.group(2)):02d}-{int(found.group(3)):02d}" if found else None
