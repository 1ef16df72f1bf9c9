"""Watch a list page in Chromium, as a person would use it, to learn the interface its script loads
the list from (spiders/interface.py reads what is seen here).

`ListLearner` is mixed into a spider. `learning_request` renders a list page
with scrapy-playwright, the browser's answers recorded from the first one
(`record_traffic`, a page event handler); the callback hands the response to
`watch`, which waits for the page to settle, clicks its next-page control
(「下一页」, 「>」…), waits again, and reads what the page fetched (XHR, fetch
and script answers: JSON, JSONP, XML) into `Exchange`s for `learn`. The page
is closed whatever happens. The spider then walks the learnt interface with
plain HTTP (`interface_request`, `Interface.pages_after`): the browser is
used once per column, not once per page.
"""

import asyncio
import re
import time

import scrapy

from spiders.browser import INSTALL_HINT, browser_available
from spiders.interface import Answer, Exchange, Interface, Learning, learn

#: The text of a pager's control to the next page (「»」 is usually the last page's).
NEXT_CONTROL = re.compile(r"^\s*(下一页|下页|后一页|next|›|>)\s*$", re.I)
#: Elements a next-page control is made of.
CONTROL_ELEMENTS = "a, button, span, li, div[role=button]"
#: The page has settled when it has fetched nothing new for this long (seconds)…
QUIET_SECONDS = 1.0
#: … or this long has passed.
SETTLE_SECONDS = 10.0
#: Milliseconds a click on the next-page control may take.
CLICK_TIMEOUT = 5_000
#: What is read of the page's traffic: the kinds of request a list is loaded by, how many, how big.
RECORDED_TYPES = frozenset({"xhr", "fetch", "script", "other"})
MAX_EXCHANGES = 200
MAX_ANSWER_BYTES = 5 * 1024 * 1024
#: Most pages of a learnt interface walked when its answers give no total.
MAX_INTERFACE_PAGES = 1000


class ListLearner:
    """A spider that can learn a list's script interface in the browser."""

    def learning_request(self, url: str, callback, cb_kwargs: dict, errback) -> scrapy.Request:
        """The list page rendered in Chromium, its traffic recorded, the page handed to the callback."""
        return scrapy.Request(
            url,
            callback=callback,
            cb_kwargs=cb_kwargs,
            errback=errback,
            dont_filter=True,
            meta={
                "playwright": True,
                "playwright_include_page": True,
                "playwright_page_event_handlers": {"response": "record_traffic"},
            },
        )

    def interface_request(self, interface: str, page: int, list_url: str, errback, **context) -> scrapy.Request:
        """Page `page` of a learnt interface (its JSON), asked for with plain HTTP as the page's script asked;
        the spider's `parse_interface` reads it."""
        learnt = Interface.from_json(interface)
        method, url, body = learnt.request(page)
        headers = {"Referer": list_url, "X-Requested-With": "XMLHttpRequest"}
        if body is not None:
            headers["Content-Type"] = learnt.content_type or (
                "application/json" if body.lstrip()[:1] in ("[", "{") else "application/x-www-form-urlencoded"
            )
        return scrapy.Request(
            url,
            method=method,
            body=body,
            headers=headers,
            callback=self.parse_interface,
            errback=errback,
            dont_filter=True,
            cb_kwargs={"interface": interface, "page": page, **context},
        )

    @staticmethod
    def read_interface(response, interface: str, list_url: str) -> tuple[Interface, Answer, str | None]:
        """An interface page's answer, and what is wrong with it (None when it holds records)."""
        learnt = Interface.from_json(interface)
        try:
            answer = learnt.read(response.text, list_url)
        except ValueError as error:
            return learnt, Answer([]), str(error)
        return learnt, answer, None if answer.records else "its answer holds no records"

    @staticmethod
    def can_learn() -> Learning | None:
        """None when a browser is at hand; else the learning that could not be."""
        return None if browser_available() else Learning(why_not=INSTALL_HINT)

    async def record_traffic(self, response) -> None:
        """Page event handler: every answer the page gets, kept with its page."""
        self._recorded(response.frame.page).append(response)

    def _recorded(self, page) -> list:
        """The answers recorded for a rendered page (a mixin has no __init__ to make the store in)."""
        return self.__dict__.setdefault("_traffic", {}).setdefault(id(page), [])

    async def watch(self, response) -> Learning:
        """What the rendered list page (a scrapy-playwright response) fetched, on loading and on going to its
        next page, learnt from; the page is closed."""
        page = response.meta["playwright_page"]
        recorded = self._recorded(page)
        clicked = False
        try:
            await _settle(recorded)
            loaded = len(recorded)
            clicked = await _click_next(page)
            if clicked:
                await _settle(recorded)
            readable = [
                (index, answer)
                for index, answer in enumerate(recorded)
                if answer.request.resource_type in RECORDED_TYPES
            ]
            exchanges = [await _exchange(answer, index >= loaded) for index, answer in readable[-MAX_EXCHANGES:]]
        finally:
            await self.close_page(response)
        learning = learn([exchange for exchange in exchanges if exchange is not None], response.url)
        if learning.interface is None and not clicked:
            learning.why_not += "; the page has no next-page control (「下一页」) to click"
        return learning

    async def rendered(self, response):
        """The rendered page's response once its scripts have settled: what they filled in, not the bare shell."""
        page = response.meta["playwright_page"]
        await _settle(self._recorded(page))
        return response.replace(body=(await page.content()).encode("utf-8"), encoding="utf-8")

    def discard_page(self, failure) -> None:
        """After a rendering failed (an HTTP error reaches the errback with its page open): close the page,
        forget its traffic."""
        page = failure.request.meta.get("playwright_page")
        if page is not None:
            self.__dict__.get("_traffic", {}).pop(id(page), None)
            if not page.is_closed():
                asyncio.ensure_future(page.close())

    async def close_page(self, response) -> None:
        """Close the rendered page, and forget its traffic."""
        page = response.meta["playwright_page"]
        self.__dict__.get("_traffic", {}).pop(id(page), None)
        if not page.is_closed():
            await page.close()


async def _settle(recorded: list) -> None:
    """Wait until the page has fetched nothing new for QUIET_SECONDS (at most SETTLE_SECONDS)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    count, quiet_since = len(recorded), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        if len(recorded) != count:
            count, quiet_since = len(recorded), time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            return


async def _click_next(page) -> bool:
    """Click the pager's next-page control, the innermost visible one; False when there is none."""
    controls = page.locator(CONTROL_ELEMENTS).filter(has_text=NEXT_CONTROL)
    for index in reversed(range(min(await controls.count(), 20))):
        control = controls.nth(index)
        try:
            if await control.is_visible():
                await control.click(timeout=CLICK_TIMEOUT)
                return True
        except Exception:  # Playwright raises its own Error and TimeoutError: try the next candidate
            continue
    return False


async def _exchange(answer, after_click: bool) -> Exchange | None:
    """A recorded answer as an Exchange; None for what cannot hold a list."""
    request = answer.request
    try:
        body = await answer.body()
    except Exception:  # a redirect, or an answer the browser dropped: nothing to read
        return None
    if len(body) > MAX_ANSWER_BYTES:
        return None
    content_type = answer.headers.get("content-type", "")
    charset = re.search(r"charset=([\w-]+)", content_type)
    try:
        text = body.decode(charset.group(1) if charset else "utf-8")
    except (LookupError, UnicodeDecodeError):
        text = body.decode("gb18030", "replace")
    return Exchange(
        request.method,
        request.url,
        request.post_data,
        request.headers.get("content-type"),
        answer.status,
        text,
        after_click,
    )
