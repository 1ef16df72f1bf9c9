"""Downloader middlewares of the gxcrawl spiders."""

import asyncio
import random

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from spiders.reports import on_portal


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS), with a pause before each.

    A portal answering 503 or dropping connections is usually overloaded: the
    n-th retry of a request waits RETRY_BACKOFF_BASE × 2ⁿ⁻¹ seconds (with
    jitter, at most RETRY_BACKOFF_MAX) while other requests go on.
    """

    def __init__(self, settings):
        super().__init__(settings)
        #: Seconds before the first retry (default 1).
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        #: The longest pause, in seconds (default 60).
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is not response:
            await self._pause(result)
        return result

    async def process_exception(self, request, exception, spider=None):
        result = super().process_exception(request, exception)
        if result is not None:
            await self._pause(result)
        return result

    async def _pause(self, retry) -> None:
        times = retry.meta.get("retry_times", 1)
        delay = min(self.backoff_max, self.backoff_base * 2 ** (times - 1)) * random.uniform(0.8, 1.2)
        await asyncio.sleep(delay)


class _HeldToThePortal:
    """A redirect's target held to the crawl's portal (spiders/reports.py `Portal`), loops named.

    A redirect off the portal (another host, another port of the same host, a
    metadata address) is not followed, and a redirect back to an address of
    its own chain is a loop: either fails the request with that reason, which
    its errback records, rather than the request being fetched, or dropped by
    the duplicate filter without a word. A redirect to a page listed too is
    fetched again (the dedupe pipeline drops the second reading), not filtered.
    """

    def _redirect(self, redirected, request, reason):
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise IgnoreRequest(f"redirect loop: {' → '.join([*chain, redirected.url])}")
        portals = getattr(self.crawler.spider, "portals", ())
        if portals and not on_portal(redirected.url, portals):
            raise IgnoreRequest(f"redirected off the portal to {redirected.url}; not followed")
        followed = super()._redirect(redirected, request, reason)
        followed.dont_filter = True
        return followed


class PortalRedirectMiddleware(_HeldToThePortal, RedirectMiddleware):
    """Scrapy's HTTP redirects (301, 302…), held to the portal."""


class PortalMetaRefreshMiddleware(_HeldToThePortal, MetaRefreshMiddleware):
    """Scrapy's `<meta http-equiv="refresh">` redirects, held to the portal."""
