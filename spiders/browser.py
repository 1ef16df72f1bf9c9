"""A real browser, only where plain HTTP cannot go (scrapy-playwright).

Government portals put a JavaScript cookie challenge in front of their pages
(HTTP 412, or 200, with a tiny page whose script sets a cookie and reloads)
and render lists in the browser. `ChallengeMiddleware` sends a challenged
request through Chromium once, then copies the browser's cookies into
Scrapy's cookie jar and fetches the page again as plain HTTP, as every
following request is fetched; when the cookies expire, the browser solves
the challenge again. Stats count
browser pages (`gxcrawl/pages/browser`) against plain ones (`gxcrawl/pages/plain`).

The browser is launched on the first request that needs it: a crawl that
never meets a challenge or a script-rendered list never starts Chromium.
"""

import glob
import os
import time

from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.http import Response

from gxcrawl.chromium import CHROMIUM_FLAGS, find_chromium

#: What a challenge page's script does; a page doing both is a challenge, not a report.
CHALLENGE_MARKERS = ("document.cookie", "location.reload")
#: Challenge pages are tiny; a report page mentioning those words is not one.
MAX_CHALLENGE_BYTES = 8192
#: Milliseconds a rendered page may take to show what is waited for.
WAIT_FOR_TIMEOUT = 10_000
#: Browser solutions of one request's challenge before it is given up.
MAX_TRIES = 3
INSTALL_HINT = (
    "this page needs a real browser and none was found: apt-get install chromium "
    "(or: python -m playwright install chromium)"
)
#: Resources a browser page never needs here: they only cost time and memory.
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})


def is_challenge(response: Response) -> bool:
    """Whether a response is a cookie challenge rather than the page asked for."""
    if response.status not in (200, 412, 403, 503) or len(response.body) > MAX_CHALLENGE_BYTES:
        return False
    body = response.body.decode("utf-8", "replace")
    return all(marker in body for marker in CHALLENGE_MARKERS)


def playwright_has_chromium() -> bool:
    """Whether Playwright's own Chromium is installed (`python -m playwright install chromium`)."""
    browsers = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or os.path.expanduser("~/.cache/ms-playwright")
    return bool(glob.glob(os.path.join(browsers, "chromium-*")))


def launch_options() -> dict:
    """PLAYWRIGHT_LAUNCH_OPTIONS: headless, and Debian's Chromium where Playwright has none of its own."""
    options = {"headless": True, "args": list(CHROMIUM_FLAGS)}
    executable = None if playwright_has_chromium() else find_chromium()
    if executable:
        options["executable_path"] = executable
    return options


def browser_available() -> bool:
    return playwright_has_chromium() or find_chromium() is not None


async def browser_headers(*, browser_type_name, playwright_request, scrapy_request_data) -> dict:
    """PLAYWRIGHT_PROCESS_REQUEST_HEADERS: Scrapy's headers (our User-Agent), but the browser's own
    cookies, which the challenge's script has just set, not the jar's expired ones."""
    from scrapy_playwright.headers import use_scrapy_headers

    headers = await use_scrapy_headers(
        browser_type_name=browser_type_name,
        playwright_request=playwright_request,
        scrapy_request_data=scrapy_request_data,
    )
    if playwright_request.is_navigation_request():
        own = (await playwright_request.all_headers()).get("cookie")
        headers = {name: value for name, value in headers.items() if name.lower() != "cookie"}
        if own:
            headers["cookie"] = own
    return headers


def abort_request(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are not loaded."""
    return request.resource_type in BLOCKED_RESOURCES


def _without_cookies(request):
    """The request's headers less the Cookie header the cookie middleware added: the jar's
    cookies (or the browser's own) are to be sent, not the expired ones of the first attempt."""
    headers = request.headers.copy()
    headers.pop(b"Cookie", None)
    return headers


def render_in_browser(request, wait_for: str | None = None, **meta):
    """The request again, to be fetched by Chromium; `wait_for` is a CSS selector to wait for."""
    from scrapy_playwright.page import PageMethod

    methods = [PageMethod("wait_for_selector", wait_for, timeout=WAIT_FOR_TIMEOUT)] if wait_for else []
    return request.replace(
        dont_filter=True, meta={**request.meta, "playwright": True, "playwright_page_methods": methods, **meta}
    )


class ChallengeMiddleware:
    """Solve cookie challenges in the browser once, then go on with plain HTTP."""

    def __init__(self, crawler):
        self.crawler = crawler
        #: When the browser last brought back a fresh cookie (time.monotonic()).
        self.solved_at = float("-inf")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        kind = "browser" if request.meta.get("playwright") else "plain"
        self.crawler.stats.inc_value(f"gxcrawl/pages/{kind}")
        request.meta["gxcrawl_sent_at"] = time.monotonic()

    async def process_response(self, request, response, spider=None):
        if request.meta.get("gxcrawl_challenge"):
            return await self._solved(request, response)
        if request.meta.get("playwright") or not is_challenge(response):
            return response
        self.crawler.stats.inc_value("gxcrawl/challenges")
        if request.meta.get("gxcrawl_sent_at", float("inf")) < self.solved_at:
            # Sent with the cookie that expired, before the browser brought a fresh one: retry plainly.
            return request.replace(headers=_without_cookies(request), dont_filter=True)
        tries = request.meta.get("gxcrawl_challenge_tries", 0)
        if tries >= MAX_TRIES:
            self.crawler.spider.logger.error(
                "%s is still behind the cookie challenge after %d solutions in the browser; giving up on it",
                request.url,
                tries,
            )
            return response
        if not browser_available():
            self.crawler.spider.logger.error(
                "%s is behind a JavaScript cookie challenge; %s", request.url, INSTALL_HINT
            )
            return response
        self.crawler.spider.logger.info("%s is behind a cookie challenge: solving it in the browser", request.url)
        return render_in_browser(
            request.replace(headers=_without_cookies(request)),
            gxcrawl_challenge=True,
            playwright_include_page=True,
            playwright_page_methods=[],
            gxcrawl_challenge_tries=tries + 1,
        )

    async def process_exception(self, request, exception, spider=None):
        """A browser request that failed must not leave its page open."""
        page = request.meta.get("playwright_page")
        if page is not None and not page.is_closed():
            await page.close()

    async def _solved(self, request, response):
        """Keep the cookies the challenge set, and fetch the page again as plain HTTP with them."""
        page = response.meta.get("playwright_page")
        jar = self._jar(request)
        known = {(cookie.name, cookie.value) for cookie in jar.jar} if jar is not None else set()
        try:
            cookies = []
            if page is not None:
                # The challenge's script sets a new cookie (the browser may still hold the expired one).
                for _ in range(40):  # up to 10 s
                    cookies = await page.context.cookies()
                    if any((cookie["name"], cookie["value"]) not in known for cookie in cookies):
                        break
                    await page.wait_for_timeout(250)
            self._keep_cookies(request, cookies)
            self.solved_at = time.monotonic()
        finally:
            if page is not None:
                await page.close()
        meta = {
            key: value
            for key, value in request.meta.items()
            if not key.startswith("playwright") and key != "gxcrawl_challenge"
        }
        return request.replace(meta=meta, headers=_without_cookies(request), dont_filter=True)

    def _jar(self, request):
        """Scrapy's cookie jar that this request's cookies come from."""
        cookies = next(
            (m for m in self.crawler.engine.downloader.middleware.middlewares if isinstance(m, CookiesMiddleware)), None
        )
        return None if cookies is None else cookies.jars[request.meta.get("cookiejar")]

    def _keep_cookies(self, request, cookies: list[dict]) -> None:
        """The browser's cookies into Scrapy's jar, so that plain requests pass the challenge too."""
        jar = self._jar(request)
        if jar is None or not cookies:
            return
        # Host-only cookies: the browser got them from this very host.
        headers = {"Set-Cookie": [f"{c['name']}={c['value']}; Path={c.get('path') or '/'}" for c in cookies]}
        jar.extract_cookies(Response(url=request.url, headers=headers, request=request), request)
