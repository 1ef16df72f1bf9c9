"""A list's script interface, learnt from what a browser saw the page fetch (issue 14).

Many columns show only their first records in the page's HTML; a script asks
the CMS's search or list interface for the rest (TRS 「动静结合」 lists, Hanweb's
proxy, Vue or React front ends over JSON). `learn` reads the exchanges a
rendered list page made (spiders/learning.py records them: the page loading,
then a click on its next-page control) and finds:

- the answer that holds the list: an array of records (objects, or HTML
  fragments with a link) whose titles name annual reports and that carry a
  URL, in JSON, JSONP or XML; where in it the records, their fields and the
  list's total are;
- the request that returned it, and which of its parameters is the page: the
  one that changed between the page as loaded and after the click (so a tab's
  `columnId` loaded beside the list is not taken for it), else the best-named
  one (page/pageNo/pageIndex/current/curpage…, or an offset: start/offset/
  startrecord…), in the query, a form body or a JSON body.

The result, an `Interface`, says how to ask for page N (`request`) and how to
read an answer (`read`); it is kept between runs as JSON (`as_json`). Nothing
here knows Scrapy or a site: only what the recorded traffic shows. Answers
are read within bounds: at most MAX_RECORDS records, MAX_DEPTH levels deep.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qsl, urljoin, urlparse

from lxml import etree
from parsel import Selector

from spiders.titles import link_title, names_a_report

#: A page parameter's names, best first: page numbers, then offsets into the list.
PAGE_NAMES = (
    "page",
    "pageno",
    "pagenum",
    "pageindex",
    "pagenumber",
    "currentpage",
    "curpage",
    "cur_page",
    "page_no",
    "page_index",
    "pn",
    "current",
    "p",
)
OFFSET_NAMES = ("start", "offset", "startrecord", "startrow", "skip", "from", "begin", "first")
#: An offset's inclusive end, moved with it (Hanweb's `startrecord=1&endrecord=30`).
END_NAMES = ("endrecord", "endrow", "end")
#: A page size's names: an offset moves by it.
SIZE_NAMES = frozenset(
    {"size", "pagesize", "page_size", "limit", "rows", "perpage", "prepage", "length", "pagecount", "num", "ps"}
)
#: Names of a list's total number of records, most telling first: `count` is often the page's own.
TOTAL_NAMES = (
    "total",
    "totalcount",
    "totalrecord",
    "totalrecords",
    "recordcount",
    "totalnum",
    "totalsize",
    "totalelements",
    "total_count",
    "totalrow",
    "totalrows",
    "allcount",
    "count",
)
#: Names a record's own title and address go by, preferred where two fields qualify alike.
TITLE_NAMES = ("title", "doctitle", "name", "subject", "bt")
URL_NAMES = ("url", "link", "href", "docpuburl", "detailurl", "puburl", "linkurl", "path")
#: Parameters that change between requests for no reason of the list's: cache busters and JSONP callbacks.
VOLATILE_NAMES = frozenset(
    {"_", "_t", "t", "ts", "timestamp", "rnd", "random", "r", "callback", "jsoncallback", "cb", "nocache", "v"}
)
_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_DATE = re.compile(r"^(19|20)\d{2}[-/.年]\d{1,2}")
_URL = re.compile(r"^(https?://|/|\./|\.\./)|\.(s?html?|jsp|aspx?|php)(\?|$)", re.I)
#: An article's address rather than a file's: a report record links its page before its PDF.
_FILE = re.compile(r"\.(pdf|docx?|wps|xlsx?|zip|rar|jpe?g|png)(\?|$)", re.I)
#: Most records an answer is read for, and how deep into it: a list's page, not a dump of the site.
MAX_RECORDS = 2000
MAX_DEPTH = 32


@dataclass(frozen=True)
class Exchange:
    """One request a rendered list page made, and its answer."""

    method: str
    url: str
    #: The request's body (a form or JSON), as sent, and its Content-Type.
    body: str | None
    request_type: str | None
    status: int
    text: str
    #: Whether it was made after the click to the next page (else while the page loaded).
    after_click: bool = False


@dataclass(frozen=True)
class Record:
    title: str
    url: str
    published: str | None = None


@dataclass(frozen=True)
class Answer:
    records: list[Record]
    total: int | None = None
    #: Items the answer's list held, those without a title or address included: whether the page was full.
    size: int = 0


@dataclass(frozen=True)
class Fields:
    """Where an answer keeps its records, and which of their fields are the title, address, date; where the
    list's total is."""

    #: A dotted path into the answer's data ("" for the whole), or "links" (records that are HTML links).
    records: str
    #: What the answer is: "json", "jsonp" or "xml".
    kind: str = "json"
    title: str | None = None
    url: str | None = None
    date: str | None = None
    total: str | None = None


@dataclass(frozen=True)
class Interface:
    """How to ask a list's interface for page N, and how to read its answer."""

    method: str
    #: The request as the page made it, body and Content-Type included.
    url: str
    body: str | None
    content_type: str | None
    #: Where the page parameter is: "query", "form" or "json" (a JSON body, `page_key` a dotted path).
    page_in: str
    page_key: str
    #: The page parameter's value for page 1, and what it moves by from one page to the next.
    page_one: int
    step: int
    #: How its answers are read.
    fields: Fields
    #: Items on a full page.
    per_page: int | None = None
    #: An offset's inclusive end that moves with it, when the request has one.
    end_key: str | None = None

    def request(self, page: int) -> tuple[str, str, str | None]:
        """(method, url, body) of page `page` (1, 2, …); the rest of the request as the page sent it."""
        value = self.page_one + (page - 1) * self.step
        values = {self.page_key: value, **({self.end_key: value + self.step - 1} if self.end_key else {})}
        url, body = self.url, self.body
        if self.page_in == "query":
            parsed = urlparse(url)
            url = parsed._replace(query=_with_values(parsed.query, values)).geturl()
        elif self.page_in == "form":
            body = _with_values(body or "", values)
        else:
            data = json.loads(body)
            for key, number in values.items():
                _set_path(data, key, number)
            body = json.dumps(data, ensure_ascii=False)
        return self.method, url, body

    def read(self, text: str, base_url: str) -> Answer:
        """The records of an answer, their addresses resolved against the list page `base_url`."""
        data, _ = parse_answer(text)
        if data is None:
            raise ValueError("the answer is not JSON, JSONP or XML")
        return read_records(data, text, self.fields, base_url)

    def last_page(self, total: int | None) -> int | None:
        if total is None or not self.per_page:
            return None
        return max(1, -(-total // self.per_page))

    def pages_after(self, page: int, answer: Answer, brought_new: bool, most: int) -> list[int]:
        """The pages to ask for once `page` is read: from page 1, every page to the total the answer gives;
        with no total, the next while pages bring records not seen before (at most `most`)."""
        last = self.last_page(answer.total)
        if last is not None:
            return list(range(2, min(last, most) + 1)) if page == 1 else []
        return [page + 1] if answer.size and brought_new and page < most else []

    def describe(self) -> str:
        """One line for a person: what is asked, which parameter is the page, where the records are."""
        method, url, body = self.request(1)
        where = {"query": "in the query", "form": "in the form body", "json": "in the JSON body"}[self.page_in]
        kind = "offset" if self.page_key.split(".")[-1].lower() in OFFSET_NAMES else "page number"
        fields = ", ".join(
            f"{name} {value!r}"
            for name, value in (("title", self.fields.title), ("url", self.fields.url), ("date", self.fields.date))
            if value
        )
        return (
            f"{method} {url}"
            + (f" with body {body}" if body else "")
            + f"; the {kind} is {self.page_key!r} {where} ({self.page_one}, {self.page_one + self.step}, …); "
            f"records at {self.fields.records or 'the top'!r} of the {self.fields.kind} answer"
            + (f" ({fields})" if fields else "")
            + (f", total at {self.fields.total!r}" if self.fields.total else "")
        )

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Interface":
        data = json.loads(text)
        return cls(**{**data, "fields": Fields(**data["fields"])})


@dataclass
class Learning:
    """What learning found: the interface, or why there is none."""

    interface: Interface | None = None
    why_not: str | None = None
    #: The records of the answers the browser saw, by URL: what the page itself showed through its script.
    seen: dict[str, Record] = field(default_factory=dict)
    total: int | None = None


def learn(exchanges: list[Exchange], list_url: str) -> Learning:
    """The interface a rendered list page's exchanges show, or why they show none."""
    found = []
    for order, exchange in enumerate(exchanges):
        shape = find_records(exchange.text, list_url) if exchange.status == 200 else None
        if shape is not None:
            found.append((order, exchange, shape))
    if not found:
        return Learning(why_not=_why_nothing(exchanges))
    # The list's endpoint: the one that answered with the most report records; on a tie, the one the click
    # went to, then the first asked.
    endpoints: dict[tuple[str, str], list] = {}
    for order, exchange, shape in found:
        endpoints.setdefault(_endpoint(exchange), []).append((order, exchange, shape))
    answers = [
        (exchange, shape)
        for _, exchange, shape in max(
            endpoints.values(),
            key=lambda group: (
                sum(len(shape.reports) for _, _, shape in group),
                any(exchange.after_click for _, exchange, _ in group),
                -group[0][0],
            ),
        )
    ]
    seen = {record.url: record for _, shape in answers for record in shape.answer.records}
    total = max((shape.answer.total for _, shape in answers if shape.answer.total is not None), default=None)
    page = _page_parameter(answers)
    if isinstance(page, str):
        return Learning(why_not=page, seen=seen, total=total)
    exchange, shape = answers[0]
    page_in, page_key, page_one, step = page
    parameters = _parameters(exchange)
    end_key = (
        next(
            (name for (where, name) in parameters if where == page_in and name.split(".")[-1].lower() in END_NAMES),
            None,
        )
        if step > 1
        else None
    )
    per_page = max(shape.answer.size for _, shape in answers)
    interface = Interface(
        exchange.method,
        exchange.url,
        exchange.body,
        exchange.request_type,
        page_in,
        page_key,
        page_one,
        step,
        shape.fields,
        max(per_page, _size_of(exchange) or 0) if step == 1 else step,
        end_key,
    )
    return Learning(interface, seen=seen, total=total)


# --- Reading an answer ------------------------------------------------------------------


def parse_answer(text: str) -> tuple[object, str | None]:
    """An answer's data and kind: JSON, JSONP's JSON, or XML as nested dicts; (None, None) for anything else."""
    stripped = text.strip().lstrip("\ufeff")
    try:
        if stripped[:1] in ("[", "{"):
            return json.loads(stripped), "json"
        wrapped = _JSONP.match(stripped)
        if wrapped and wrapped.group(1)[:1] in ("[", "{"):
            return json.loads(wrapped.group(1)), "jsonp"
        if stripped.startswith("<") and not re.match(r"<(!doctype\s+)?html", stripped, re.I):
            root = etree.fromstring(
                stripped.encode("utf-8"),
                etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False),
            )
            return (None, None) if root is None else ({root.tag: _xml_data(root)}, "xml")
    except (ValueError, RecursionError, etree.XMLSyntaxError):
        pass
    return None, None


@dataclass(frozen=True)
class Shape:
    """Where an answer keeps its records, and what they are."""

    fields: Fields
    answer: Answer

    @property
    def reports(self) -> list[Record]:
        return [record for record in self.answer.records if names_a_report(record.title)]


def find_records(text: str, base_url: str) -> Shape | None:
    """The list of report records an answer holds, and where; None when it holds none."""
    data, kind = parse_answer(text)
    if data is None:
        return None
    best = None
    for path, items, parents in _arrays(data):
        dicts = [item for item in items[:MAX_RECORDS] if isinstance(item, dict)]
        if dicts:
            title_field = _field(dicts, names_a_report, TITLE_NAMES, shorter=True)
            url_field = _field(
                dicts, lambda value: bool(_URL.search(value)) and " " not in value, URL_NAMES, article=True
            )
            if title_field is None or url_field is None:
                continue
            date_field = _field(dicts, lambda value: bool(_DATE.match(value)), ())
            fields = Fields(path, kind, title_field, url_field, date_field, _total_field(parents, path, len(items)))
        elif any(isinstance(item, str) and "<a" in item for item in items):
            fields = Fields("links", kind)
        else:
            continue
        shape = Shape(fields, read_records(data, text, fields, base_url))
        if shape.reports and (best is None or len(shape.reports) > len(best.reports)):
            best = shape
    return best


def _arrays(data, path: str = "", parents: tuple = (), depth: int = 0):
    """Every array in the data: (its dotted path, the array, the objects above it, nearest first)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, list):
        yield path, data, parents
        for index, item in enumerate(data[:3]):  # arrays of arrays: a few suffice to find the shape
            if isinstance(item, (dict, list)):
                yield from _arrays(item, f"{path}.{index}".lstrip("."), parents, depth + 1)
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                yield from _arrays(value, f"{path}.{key}".lstrip("."), ((path, data), *parents), depth + 1)


def _field(
    records: list[dict], test, names: tuple[str, ...], shorter: bool = False, article: bool = False
) -> str | None:
    """The key whose string values pass `test` with the most distinct values: a record's own title, not the
    column's name every record repeats. A key named as such fields are (`title`, `url`) goes first when it is
    nearly as varied; on a tie, an article's address before a file's, the shorter text (a title before a summary
    that repeats it)."""
    values: dict[str, list[str]] = {}
    for record in records:
        for key, value in record.items():
            if isinstance(value, str) and test(value.strip()):
                values.setdefault(key, []).append(value.strip())
    if not values:
        return None

    most = max(len(set(texts)) for texts in values.values())

    def rank(key: str):
        texts = values[key]
        distinct = len(set(texts))
        return (
            2 * distinct >= most and key.lower() in names,
            distinct,
            article and not any(_FILE.search(text) for text in texts),
            -sum(map(len, texts)) if shorter else 0,
        )

    return max(values, key=rank)


def _total_field(parents: tuple, array_path: str, items: int) -> str | None:
    """The list's total beside the records or above them, by the most telling name; never a count smaller than
    the records themselves (the page's own count)."""
    found = []
    for depth, (path, data) in enumerate(parents):
        for key, value in data.items():
            number = _int(value)
            full = f"{path}.{key}".lstrip(".")
            if key.lower() in TOTAL_NAMES and number is not None and number >= items and full != array_path:
                found.append((TOTAL_NAMES.index(key.lower()), depth, full))
    return min(found)[2] if found else None


def _total_in(data, depth: int = 0) -> int | None:
    """A total anywhere in the data (answers whose records are links), by the most telling name."""
    found = []

    def walk(value, level):
        if level > MAX_DEPTH or not isinstance(value, dict):
            return
        for key, inner in value.items():
            if key.lower() in TOTAL_NAMES and _int(inner) is not None:
                found.append((TOTAL_NAMES.index(key.lower()), _int(inner)))
            walk(inner, level + 1)

    walk(data, depth)
    return min(found)[1] if found else None


def read_records(data, text: str, fields: Fields, base_url: str) -> Answer:
    """The records of an answer's data (`text` the answer itself, for records that are HTML links)."""
    if fields.records == "links":
        records = _links(text, data, base_url)
        return Answer(records, _total_in(data), len(records))
    items = _get_path(data, fields.records)
    if not isinstance(items, list):
        raise ValueError(f"the answer has no list of records at {fields.records or 'its top'!r}")
    records = []
    for item in items[:MAX_RECORDS]:
        if not isinstance(item, dict):
            continue
        title, url = item.get(fields.title), item.get(fields.url)
        date = item.get(fields.date) if fields.date else None
        if isinstance(title, str) and isinstance(url, str) and url.strip():
            published = date if isinstance(date, str) else None
            records.append(Record(_text(title), urljoin(base_url, url.strip()), published))
    total = _int(_get_path(data, fields.total)) if fields.total else None
    return Answer(records, total, len(items))


def _links(text: str, data, base_url: str) -> list[Record]:
    """The links of an answer whose records are HTML: fragments in a JSON array, Hanweb's CDATA records."""
    if isinstance(data, list) or (isinstance(data, dict) and not text.lstrip().startswith("<")):
        fragments = [item for _, items, _ in _arrays(data) for item in items if isinstance(item, str)]
        markup = "".join(fragments)
    else:
        markup = text.replace("<![CDATA[", "").replace("]]>", "")
    records = []
    for link in Selector(text=markup, type="html").css("a[href]")[:MAX_RECORDS]:
        title = link_title(link)
        if title:
            records.append(Record(_text(title), urljoin(base_url, link.attrib["href"].strip())))
    return records


def _text(value: str) -> str:
    """A title as shown: answers often carry it with markup (<em> around a search word)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip()


def _xml_data(element, depth: int = 0):
    """An XML element as data: its text, or its children by tag, repeated tags as lists."""
    children = [child for child in element if isinstance(child.tag, str)] if depth < MAX_DEPTH else []
    if not children:
        return (element.text or "").strip()
    tags = [child.tag for child in children]
    data: dict = {}
    for child in children:
        if tags.count(child.tag) > 1:
            data.setdefault(child.tag, []).append(_xml_data(child, depth + 1))
        else:
            data[child.tag] = _xml_data(child, depth + 1)
    return data


# --- Learning the page parameter --------------------------------------------------------


def _endpoint(exchange: Exchange) -> tuple[str, str]:
    parsed = urlparse(exchange.url)
    return exchange.method, f"{parsed.scheme}://{parsed.netloc}{parsed.path}"


def _parameters(exchange: Exchange) -> dict[tuple[str, str], str]:
    """Every parameter of a request: (where, name) → value; JSON bodies flattened to dotted paths."""
    found = {("query", name): value for name, value in parse_qsl(urlparse(exchange.url).query, keep_blank_values=True)}
    body = exchange.body or ""
    if body.strip()[:1] in ("[", "{"):
        try:
            found.update({("json", path): value for path, value in _flatten(json.loads(body))})
        except (ValueError, RecursionError):
            pass
    elif body:
        found.update({("form", name): value for name, value in parse_qsl(body, keep_blank_values=True)})
    return found


def _flatten(data, path: str = "", depth: int = 0):
    if depth > MAX_DEPTH:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, f"{path}.{key}".lstrip("."), depth + 1)
    elif not isinstance(data, list):
        yield path, data


def _name_rank(name: str) -> int | None:
    """How likely a parameter's name is a page's: its place among page then offset names; None for neither."""
    short = name.split(".")[-1].lower()
    names = PAGE_NAMES + OFFSET_NAMES
    return names.index(short) if short in names else None


def _page_parameter(answers: list[tuple[Exchange, Shape]]):
    """(where, name, value for page 1, step) of the page parameter, or why it could not be told.

    The click's own request against one of the page as loaded: the one parameter that changed between them,
    while the records moved on. Else the best-named parameter of the first request."""
    loaded = [(exchange, shape) for exchange, shape in answers if not exchange.after_click]
    clicked = [(exchange, shape) for exchange, shape in answers if exchange.after_click]
    candidates = []
    for later, later_shape in clicked:
        for earlier, earlier_shape in loaded:
            before, after = _parameters(earlier), _parameters(later)
            changed = [
                key
                for key in before
                if key in after
                and key[1].split(".")[-1].lower() not in VOLATILE_NAMES | set(END_NAMES)
                and _int(before[key]) is not None
                and _int(after[key]) is not None
                and _int(before[key]) < _int(after[key])
            ]
            moved_on = {r.url for r in later_shape.answer.records} != {r.url for r in earlier_shape.answer.records}
            if len(changed) == 1 and moved_on:
                key = changed[0]
                rank = _name_rank(key[1])
                candidates.append((rank is None, rank or 0, key, _int(before[key]), _int(after[key])))
    if candidates:
        _, _, (where, name), low, high = min(candidates)
        return where, name, low, high - low
    first, shape = answers[0]
    named = sorted(
        (rank, where, name, _int(value))
        for (where, name), value in _parameters(first).items()
        if (rank := _name_rank(name)) is not None and _int(value) is not None
    )
    for rank, where, name, number in named:
        if name.split(".")[-1].lower() in PAGE_NAMES:
            page_one = number - 1 if first.after_click else number
            if page_one >= 0:
                return where, name, page_one, 1
        else:
            step = _size_of(first) or shape.answer.size
            page_one = number - step if first.after_click else number
            if step and page_one >= 0:
                return where, name, page_one, step
    return (
        f"the list's answers came from {first.method} {first.url} but no parameter of it is a page number or "
        "an offset that changed between the pages"
    )


def _size_of(exchange: Exchange) -> int | None:
    for (_, name), value in _parameters(exchange).items():
        if name.split(".")[-1].lower() in SIZE_NAMES and _int(value):
            return _int(value)
    return None


def _why_nothing(exchanges: list[Exchange]) -> str:
    if not exchanges:
        return "the page, rendered, fetched nothing a list could come from (no XHR, fetch or script request)"
    failed = [exchange for exchange in exchanges if exchange.status != 200]
    shown = "; ".join(f"{exchange.method} {exchange.url} answered HTTP {exchange.status}" for exchange in failed[:3])
    if failed:
        return f"the page's script asked for its list and was refused: {shown}"
    return (
        f"none of the {len(exchanges)} answers the page fetched holds records whose titles name annual reports "
        "with their addresses"
    )


# --- Paths and values -------------------------------------------------------------------


def _get_path(data, path: str | None):
    if not path:
        return data
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def _set_path(data: dict, path: str, value: int) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value if not isinstance(data.get(last), str) else str(value)


def _with_values(encoded: str, values: dict[str, int]) -> str:
    """A query or form with some parameters' values replaced, everything else left byte for byte as sent
    (a GBK-encoded search word stays GBK)."""

    def replace(match):
        name = match.group(2)
        return f"{match.group(1)}{name}={values[name]}" if name in values else match.group(0)

    return re.sub(r"(^|&)([^=&]+)=([^&]*)", replace, encoded)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
