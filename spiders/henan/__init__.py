"""`scrapy crawl henan`: the annual reports of Henan's disclosure portal.

Navigation only: list pages (server-rendered links, else the JSON list
endpoint, else the page rendered in Chromium), pagination to the last page,
the report pages, and their attachments when a page holds no report itself.
Everything specific to the portal's markup and paths is in `profile.HENAN`.
Parsing and storage are the pipelines' job.

When the live portal no longer matches the profile (the list selectors find
nothing even in the browser, the JSON endpoint 404s or answers another
shape), the spider falls back to learning the list from what the rendered
page fetches (spiders/learning.py), walks what it learns, and says loudly
which part of the profile broke: the crawl stores what it finds and fails,
so that someone updates profile.py.

Spider arguments (`-a name=value`):

- `base_url`: another host serving the same paths (a local replica);
- `year`, `area`: filters of the portal's list (report year; 6-digit division code);
- `ids`: enumerate view ids instead of walking the lists, e.g. `33900-34100` or `33923,33925`;
- `max_pages`: stop after this many list pages;
- `json_list=off`: behave as if the portal had no JSON list endpoint (lists are then
  rendered in the browser when their HTML holds no links);
- `refresh`, `recheck_days`, `stop_early`: what a crawl over an existing database
  fetches again (see spiders/refresh.py). By default only reports not stored yet.
"""

import dataclasses
import json
import re
from urllib.parse import urlencode, urlparse

import scrapy

from gxcrawl.model import Fetch
from spiders.henan.profile import HENAN, PortalProfile
from spiders.items import ReportItem
from spiders.learning import MAX_INTERFACE_PAGES, ListLearner
from spiders.reports import Portal, ReportSpider, document, http_status, iso_date
from spiders.titles import names_a_report

_TOTAL_PAGES = re.compile(r"(\d+)")


class HenanSpider(ListLearner, ReportSpider):
    name = "henan"
    profile: PortalProfile = HENAN
    source = HENAN.source
    newest_first = HENAN.list_newest_first

    def __init__(
        self,
        base_url: str | None = None,
        year: str | None = None,
        area: str | None = None,
        ids: str | None = None,
        max_pages: str | None = None,
        json_list: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.stopped_at: int | None = None  # the list page where an ordered walk stopped
        self.walk_cut = False  # max_pages left list pages unwalked
        if json_list == "off":
            self.profile = dataclasses.replace(self.profile, json_list_path=None)
        self.base_url = (base_url or self.profile.base_url).rstrip("/")
        # Only the portal itself is crawled, on its own port; redirects are held to it too.
        self.allowed_domains = [urlparse(self.base_url).hostname]
        self.portals = (Portal.of(self.base_url),)
        self.year = year
        self.area = area
        self.ids = parse_ids(ids) if ids else None
        self.max_pages = int(max_pages) if max_pages is not None else None
        if self.max_pages is not None and self.max_pages < 1:
            raise ValueError("max_pages must be 1 or more (leave it out for all pages)")

    @property
    def scope(self) -> str | None:
        """The list this crawl walks (its URL without the page number); None when it enumerates ids."""
        return None if self.ids is not None else self.list_url(None)

    async def start(self):
        if self.ids is not None:
            for portal_id in self.ids:
                request = self.report_request(self.report_url(portal_id), {})
                if request is not None:
                    yield request
            return
        yield self.list_request(1)
        # Reports that could not be fetched or read before, wherever they are listed: an ordered walk
        # may stop before their list page.
        for url in self.refresh.failed:
            if portal_id_of(url, self.profile) is not None and self.on_portal(url):
                self.crawler.stats.inc_value("gxcrawl/report_pages/failed_before")
                request = self.report_request(url, {})
                if request is not None:
                    yield request

    # --- Lists ------------------------------------------------------------------------

    def list_url(self, page: int | None) -> str:
        query = {
            **({"page": page} if page else {}),
            **({"year": self.year} if self.year else {}),
            **({"area": self.area} if self.area else {}),
        }
        return f"{self.base_url}{self.profile.list_path}?{urlencode(query)}"

    def list_request(self, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.list_url(page), callback=self.parse_list, cb_kwargs={"page": page}, errback=self.failed
        )

    def parse_list(self, response, page: int):
        items = response.css(self.profile.list_item)
        links = [(item, item.css(self.profile.list_link)) for item in items]
        links = [(item, link) for item, link in links if link]
        if not links:
            if response.meta.get("playwright"):
                self.mismatch(
                    f"list page {page} of {response.url} yielded 0 report links, even rendered in the "
                    f"browser: the selectors {self.profile.list_item!r} / {self.profile.list_link!r} "
                    "no longer match"
                )
            elif self.profile.json_list_path and not response.meta.get("gxcrawl_json_failed"):
                self.logger.info(
                    "list page %d (%s) has no report links; asking the JSON list endpoint", page, response.url
                )
                yield self.json_request(page)
            else:
                self.logger.info(
                    "list page %d (%s) has no report links; rendering it in the browser", page, response.url
                )
                yield self.browser_list_request(page)
            return
        listed = []
        for item, link in links:
            url = response.urljoin(link.attrib["href"])
            if not self.on_portal(url):
                self.logger.warning("list page %d links off the portal to %s; not followed", page, url)
                continue
            listed.append(
                (
                    url,
                    {
                        "title": link.attrib.get("title") or link.css("::text").get(),
                        "agency": item.css(self.profile.list_agency).get(),
                        "region": item.css(self.profile.list_area).get(),
                        "year": item.css(self.profile.list_year).get(),
                        "published": item.css(self.profile.list_date).get(),
                    },
                )
            )
        yield from self.listed_reports(listed)
        total = _TOTAL_PAGES.search(response.css(self.profile.pager_total).get() or "")
        # With no page count shown, the pager's 下一页 says whether there is more.
        has_next = bool(response.css(self.profile.pager_next).get())
        for next_page in self.list_pages_after(
            page, int(total.group(1)) if total else None, has_next, [url for url, _ in listed]
        ):
            yield self.list_request(next_page)

    def listed_reports(self, listed: list[tuple[str, dict]]):
        """Requests for the listed reports that this crawl fetches (see spiders/refresh.py)."""
        self.crawler.stats.inc_value("gxcrawl/reports_listed", len(listed))
        listed = self.bounded(listed, "a list page of the portal")
        for url, listing in listed:
            request = self.report_request(url, listing)
            if request is not None:
                yield request

    def list_pages_after(self, page: int, declared: int | None, has_next: bool, urls: list[str]) -> list[int]:
        """The list pages to ask for once `page` is read; `declared` is the page count the portal shows."""
        if page == 1 and declared is not None:
            self.crawler.stats.set_value("gxcrawl/list_pages", declared)
        last = declared if declared is not None else page + 1 if has_next else page
        if self.max_pages and last > self.max_pages:
            last, self.walk_cut = self.max_pages, True
        if page >= last:
            return []
        if self.refresh.walks_sequentially:
            if self.refresh.only_seen_before(urls):
                self.stopped_at = page
                self.logger.info(
                    "list page %d holds only reports seen before: the pages after it were walked by "
                    "earlier runs, so the walk stops here (-a stop_early=off walks them all)",
                    page,
                )
                return []
            return [page + 1]
        if declared is None:
            return [page + 1]
        return list(range(2, last + 1)) if page == 1 else []

    def json_request(self, page: int) -> scrapy.Request:
        query = {
            "page": page,
            "size": self.profile.page_size,
            **({"year": self.year} if self.year else {}),
            **({"area": self.area} if self.area else {}),
        }
        return scrapy.Request(
            f"{self.base_url}{self.profile.json_list_path}?{urlencode(query)}",
            callback=self.parse_json_list,
            cb_kwargs={"page": page},
            errback=self.json_failed,
        )

    def json_failed(self, failure):
        page = failure.request.cb_kwargs["page"]
        status = http_status(failure)
        self.logger.warning(
            "the profile's JSON list endpoint (json_list_path %r) failed at %s (%s); rendering "
            "list page %d in the browser",
            self.profile.json_list_path,
            failure.request.url,
            f"HTTP {status}" if status else failure.getErrorMessage(),
            page,
        )
        yield self.browser_list_request(page)

    def browser_list_request(self, page: int) -> scrapy.Request:
        """The list page rendered by Chromium, its traffic recorded: the last way to its links."""
        return self.learning_request(
            self.list_url(page), self.parse_rendered_list, {"page": page}, self.browser_list_failed
        )

    def browser_list_failed(self, failure):
        self.discard_page(failure)
        page = failure.request.cb_kwargs["page"]
        self.mismatch(
            f"list page {page} of {self.list_url(page)} yielded 0 report links, with no JSON list and "
            f"even rendered in the browser ({failure.getErrorMessage()[:120]}): the selectors "
            f"{self.profile.list_item!r} / {self.profile.list_link!r} no longer match"
        )
        self.crawler.stats.inc_value("gxcrawl/lists_lost")

    async def parse_rendered_list(self, response, page: int):
        """A list page as the browser shows it: read by the profile's selectors; when they find nothing on the
        first page, the list is learnt from what the page fetched (spiders/learning.py) and walked so."""
        shown = await self.rendered(response)
        if shown.css(self.profile.list_item).css(self.profile.list_link) or page > 1:
            await self.close_page(response)
            for output in self.parse_list(shown, page):
                yield output
            return
        learning = await self.watch(response)
        if learning.interface is None:
            self.mismatch(
                f"list page 1 of {response.url} yielded 0 report links, even rendered in the browser: the "
                f"selectors {self.profile.list_item!r} / {self.profile.list_link!r} no longer match, and "
                f"the list could not be learnt from what the page fetched ({learning.why_not})"
            )
            return
        interface = learning.interface
        self.mismatch(
            f"list page 1 of {response.url} yielded 0 report links, even rendered in the browser: the "
            f"selectors {self.profile.list_item!r} / {self.profile.list_link!r} no longer match. The "
            f"list was learnt from what the page fetched instead, and is walked so: {interface.describe()}"
        )
        self.crawler.stats.set_value("gxcrawl/profile_fallback", interface.describe())
        yield self.interface_request(interface.as_json(), 1, self.list_url(1), self.failed)

    def parse_interface(self, response, interface: str, page: int):
        learnt, answer, problem = self.read_interface(response, interface, self.list_url(1))
        if problem:
            self.logger.error(
                "page %d of the learnt list interface (%s) could not be read: %s", page, response.url, problem
            )
            self.crawler.stats.inc_value("gxcrawl/lists_lost")
            return
        listed = [
            (record.url, {"title": record.title, "published": record.published})
            for record in answer.records
            if names_a_report(record.title) and self.on_portal(record.url)
        ]
        brought_new = any(url not in self.requested for url, _ in listed)
        yield from self.listed_reports(listed)
        last = learnt.last_page(answer.total)
        if page == 1 and last is not None:
            self.crawler.stats.set_value("gxcrawl/list_pages", last)
        most = min(self.max_pages or MAX_INTERFACE_PAGES, MAX_INTERFACE_PAGES)
        further = learnt.pages_after(page, answer, brought_new, most)
        if self.max_pages and (last or 0) > self.max_pages or (not further and brought_new and page == most):
            self.walk_cut = True
        for number in further:
            yield self.interface_request(interface, number, self.list_url(1), self.failed)

    def parse_json_list(self, response, page: int):
        try:
            data = json.loads(response.text)
            records = data["records"]
        except (ValueError, KeyError, TypeError) as error:
            self.logger.warning(
                "the profile's JSON list at %s is not the expected {records: [...]} (%s); rendering "
                "list page %d in the browser",
                response.url,
                error,
                page,
            )
            yield self.browser_list_request(page)
            return
        if not records and page == 1:
            if data.get("total") == 0:
                self.logger.warning("the portal lists no reports for these filters (%s)", response.url)
            else:
                self.mismatch(
                    f"list page 1 of {self.list_url(1)} has no report links and the JSON list at "
                    f"{response.url} no records: the portal's lists no longer match the profile"
                )
            return
        listed = [
            (
                self.report_url(record["id"]),
                {
                    "title": record.get("title"),
                    "agency": record.get("agency"),
                    "region": record.get("areaName"),
                    "area_code": record.get("areaCode"),
                    "year": record.get("year"),
                    "published": record.get("publishDate"),
                },
            )
            for record in records
        ]
        yield from self.listed_reports(listed)
        size = int(data.get("size") or self.profile.page_size)
        declared = -(-int(data.get("total") or 0) // size)
        for next_page in self.list_pages_after(page, declared, False, [url for url, _ in listed]):
            yield self.list_request(next_page)

    # --- Reports ----------------------------------------------------------------------

    def report_url(self, portal_id: int) -> str:
        return self.base_url + self.profile.view_path.format(id=portal_id)

    def listed(self, url: str, listing: dict) -> Fetch:
        return Fetch(
            self.source,
            url,
            portal_id=portal_id_of(url, self.profile),
            agency=listing.get("agency"),
            region=listing.get("region"),
            area_code=listing.get("area_code"),
            year=_int(listing.get("year")),
            published=iso_date(listing.get("published")),
        )

    def report_item(self, response, listing: dict) -> ReportItem | None:
        title = " ".join(response.css(self.profile.report_title).css("::text").getall()).strip()
        if not title:
            if self.ids is not None and not response.css(self.profile.report_content):
                return None  # enumerating ids meets pages that are not reports
            self.mismatch(
                f"report page {response.url} has no title: the selector {self.profile.report_title!r} no longer matches"
            )
        fetch = self.fetch_of(
            response,
            portal_id=portal_id_of(response.url, self.profile),
            agency=_after_colon(response.css(self.profile.meta_agency).get()) or listing.get("agency"),
            region=_after_colon(response.css(self.profile.meta_area).get()) or listing.get("region"),
            area_code=listing.get("area_code"),
            year=_int(_after_colon(response.css(self.profile.meta_year).get()) or listing.get("year")),
            published=iso_date(_after_colon(response.css(self.profile.meta_date).get()) or listing.get("published")),
            attachments=[
                url
                for url in map(response.urljoin, response.css(self.profile.attachment_links).getall())
                if self.on_portal(url)
            ],
        )
        return ReportItem(
            fetch,
            title=title or listing.get("title"),
            documents=[document(response)],
            content_selectors=(self.profile.report_content,),
        )

    def walk(self, reason: str) -> str:
        if self.ids is not None:
            return "ids"
        if self.stopped_at is not None:
            return "stopped_early"
        return "partial" if self.walk_cut else super().walk(reason)

    # --- Trouble ----------------------------------------------------------------------

    def is_list(self, request) -> bool:
        return request.callback in (self.parse_list, self.parse_json_list, self.parse_interface)

    def failed(self, failure):
        if self.ids is not None and http_status(failure) == 404:
            self.logger.debug("no report at %s", failure.request.url)  # enumerated ids have gaps
            return
        yield from super().failed(failure)

    def mismatch(self, message: str) -> None:
        """The site no longer matches the profile: say where, and make the crawl fail."""
        self.logger.error("%s. Update spiders/henan/profile.py to the portal's current markup.", message)
        self.crawler.stats.inc_value("gxcrawl/profile_mismatch")


def parse_ids(text: str) -> list[int]:
    ids: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return ids


def portal_id_of(url: str, profile: PortalProfile = HENAN) -> int | None:
    """The view id in a report page's address, read by the profile's `view_path`."""
    pattern = re.escape(profile.view_path).replace(re.escape("{id}"), r"(\d+)")
    found = re.search(pattern, url)
    return int(found.group(1)) if found else None


def _after_colon(text: str | None) -> str | None:
    if not text:
        return None
    return re.split(r"[:：]", text, maxsplit=1)[-1].strip() or None


def _int(value) -> int | None:
    try:
        return int(str(value).strip()[:4])
    except (TypeError, ValueError):
        return None
