"""How the common government CMS families paginate a column's list, told from the page itself.

Each family is one `Pager`: how to recognise it, where its list's links are,
and which further list pages it points to. `PAGERS` is tried in order; a
source's `cms` hint names one and skips the guessing.

- `hanweb`: 大汉 (Hanweb) columns: the first records sit in a
  `<datastore>` in the page, the rest come from a POST to
  `/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`
  with the column's `columnid` and `unitid`, as `<record><![CDATA[…]]></record>`;
- `trs`: TRS WCM pages whose pager is written by
  `createPageHTML(pages, current, "index", "shtml")`: `index.shtml`,
  `index_1.shtml` … `index_<pages-1>.shtml`;
- `next`: a 「下一页」 link;
- `index`: links to an `index_N.html` sequence.
"""

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlparse

import scrapy
from parsel import Selector

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
#: createPageHTML(pages, current, "index", "shtml"), its numbers written out or in variables
#: (`var countPage = 5`), and the variant with a container id first: createPageHTML('page_div', 5, 1, …).
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,"
    r"\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]"
)
_INDEX_PAGE = re.compile(r"(^|/)index_\d+\.s?html?$")
_NEXT = re.compile(r"^\s*(下一页|下页|后一页)\s*[>»›]*\s*$")

#: What a list page says of its size: in its script's list configuration (TRS 「recordCount: '20'」,
#: Hanweb 「totalRecord: 13」, 「pageCount」 …), in its pager text (「共20条」 「共2页」), or as a JSON total.
_DECLARED_RECORDS = re.compile(
    r"""["']?(?:recordCount|totalRecord|totalRecords|totalCount|recordTotal|record_count)["']?"""
    r"""\s*[:=]\s*["']?(\d+)|共\s*(\d+)\s*条|<totalrecord>(\d+)</totalrecord>""",
    re.I,
)
_DECLARED_PAGES = re.compile(
    r"""["']?(?:pageCount|totalPage|totalPages|countPage|pageTotal|page_count)["']?"""
    r"""\s*[:=]\s*["']?(\d+)|共\s*(\d+)\s*页""",
    re.I,
)
_PER_PAGE = re.compile(r"""["']?(?:prepage|perPage|pageSize|page_size)["']?\s*[:=]\s*["']?(\d+)""", re.I)

#: Requests per Hanweb proxy call: the CMS's own pages ask for three pages of records at a time.
HANWEB_PAGES_PER_CALL = 3


@dataclass(frozen=True)
class ListPage:
    """A further page of a list: its address, and the form to POST when it is asked for so."""

    url: str
    formdata: dict | None = None


@dataclass(frozen=True)
class Declared:
    """What a list page declares about its column's size; None for what it does not say."""

    records: int | None = None
    pages: int | None = None
    per_page: int | None = None

    @property
    def page_count(self) -> int | None:
        """The pages it declares, or those its records take at its page size."""
        if self.pages:
            return self.pages
        if self.records is not None and self.per_page:
            return -(-self.records // self.per_page)
        return None


#: An article's address: an id or a date in its path (「t20240115_501.shtml」, 「art_1234_501.html」), as
#: navigation links (「/」, 「/xxgk/」) have none. A list's entries are counted by it.
_ARTICLE_PATH = re.compile(r"\d{3,}")


def is_entry(url: str) -> bool:
    """Whether a link of a list leads to one of its entries (an article), not to navigation or a list page."""
    path = urlparse(url).path
    return bool(_ARTICLE_PATH.search(path)) and not _INDEX_PAGE.search(path)


def declared(text: str) -> Declared:
    """The size a list page (or a list interface's answer) declares, the largest where it says it twice."""

    def largest(pattern):
        found = [int(next(filter(None, match.groups()))) for match in pattern.finditer(text)]
        return max(found, default=None)

    return Declared(largest(_DECLARED_RECORDS), largest(_DECLARED_PAGES), largest(_PER_PAGE))


@dataclass(frozen=True)
class Pager:
    name: str
    #: Whether a list page is of this family.
    detect: Callable[[scrapy.http.TextResponse], bool]
    #: The parts of a list page (or proxy answer) that hold its links.
    link_blocks: Callable[[scrapy.http.TextResponse], list[Selector]]
    #: The further list pages it points to.
    further: Callable[[scrapy.http.TextResponse], list[ListPage]]


def _whole(response) -> list[Selector]:
    return [response.selector]


# --- Hanweb -----------------------------------------------------------------------------


def _hanweb_detect(response) -> bool:
    return "dataproxy.jsp" in response.text or "<datastore>" in response.text


def _hanweb_records(response) -> list[Selector]:
    """The records; a page that only mentions the proxy (a widget beside a plain list) is read whole."""
    return [Selector(text=fragment) for fragment in _RECORD.findall(response.text)] or [response.selector]


def _number(pattern: str, text: str, default: int | None = None) -> int | None:
    found = re.search(pattern, text, re.I)
    return int(found.group(1)) if found else default


def _hanweb_further(response) -> list[ListPage]:
    text = response.text
    if "dataproxy.jsp" in response.url:
        return _hanweb_next_batch(response)
    column = _number(r"columnid\W{1,4}(\d+)", text)
    if column is None:
        return []
    per_page = _number(r"perpage\W{1,4}(\d+)", text, 15)
    total = _number(r"totalrecord\W{1,4}(\d+)", text)
    proxy = re.search(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", text)
    form = {
        "col": "1",
        "appid": "1",
        "webid": str(_number(r"webid\W{1,4}(\d+)", text, 1)),
        "path": "/",
        "columnid": str(column),
        "sourceContentType": "1",
        "unitid": str(_number(r"unitid\W{1,4}(\d+)", text, 0)),
        "webname": "",
        "permissiontype": "0",
    }
    batch = per_page * HANWEB_PAGES_PER_CALL
    first = len(_RECORD.findall(text)) + 1
    path = response.urljoin(proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp")
    if total is None:  # not stated: one batch, then more while the answers come full (_hanweb_next_batch)
        return [ListPage(f"{path}?startrecord={first}&endrecord={first + batch - 1}&perpage={per_page}", form)]
    return [
        ListPage(f"{path}?startrecord={start}&endrecord={min(start + batch - 1, total)}&perpage={per_page}", form)
        for start in range(first, total + 1, batch)
    ]


def _hanweb_next_batch(response) -> list[ListPage]:
    """After a full answer to a column whose size was not stated, the next batch."""
    if _number(r"<totalrecord>(\d+)</totalrecord>", response.text) is not None:
        return []  # the list page knew the size and asked for every batch
    query = parse_qs(urlparse(response.url).query)
    start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
    if len(_RECORD.findall(response.text)) < end - start + 1:
        return []
    size = end - start + 1
    form = {key: values[0] for key, values in parse_qs(response.request.body.decode(), keep_blank_values=True).items()}
    url = response.url.split("?")[0]
    return [ListPage(f"{url}?startrecord={end + 1}&endrecord={end + size}&perpage={query['perpage'][0]}", form)]


# --- TRS ---------------------------------------------------------------------------------


def _trs_detect(response) -> bool:
    return bool(_CREATE_PAGE.search(response.text))


def _trs_further(response) -> list[ListPage]:
    found = _CREATE_PAGE.search(response.text)
    pages = _value(found.group(1), response.text) if found else None
    if not pages:
        return []
    # Every page, from whichever page: the duplicate filter drops those already asked for.
    return [ListPage(response.urljoin(f"{found.group(3)}_{page}.{found.group(4)}")) for page in range(1, pages)]


def _value(token: str, text: str) -> int | None:
    """A number written out, or the number a script variable of that name is set to."""
    if token.isdigit():
        return int(token)
    found = re.search(rf"\b{re.escape(token)}\s*=\s*['\"]?(\d+)", text)
    return int(found.group(1)) if found else None


# --- A 「下一页」 link, or an index_N.html sequence ------------------------------------------


def _next_link(response) -> str | None:
    for link in response.css("a[href]"):
        href = link.attrib["href"].strip()
        if _NEXT.match("".join(link.css("::text").getall())) and not href.lower().startswith(("javascript", "#")):
            return response.urljoin(href)
    return None


def _next_further(response) -> list[ListPage]:
    url = _next_link(response)
    return [ListPage(url)] if url else []


def _index_pages(response) -> list[str]:
    """Links to pages of this list only: `index_N` beside the page itself (not another column's)."""
    folder = response.url.split("?")[0].rsplit("/", 1)[0] + "/"
    pages = (response.urljoin(href) for href in response.css("a::attr(href)").getall() if _INDEX_PAGE.search(href))
    return [url for url in pages if url.startswith(folder) and "/" not in url[len(folder) :]]


def _index_further(response) -> list[ListPage]:
    return [ListPage(url) for url in _index_pages(response)]


PAGERS = (
    Pager("hanweb", _hanweb_detect, _hanweb_records, _hanweb_further),
    Pager("trs", _trs_detect, _whole, _trs_further),
    Pager("next", lambda response: _next_link(response) is not None, _whole, _next_further),
    Pager("index", lambda response: bool(_index_pages(response)), _whole, _index_further),
)
#: A list of one page: no pager at all.
SINGLE = Pager("single", lambda response: True, _whole, lambda response: [])
BY_NAME = {pager.name: pager for pager in (*PAGERS, SINGLE)}


def pager_of(response, hint: str | None = None) -> Pager:
    """The family of a list page: the hint's, else the first that recognises it."""
    if hint:
        return BY_NAME[hint]
    return next((pager for pager in PAGERS if pager.detect(response)), SINGLE)
