"""A list's script interface, learnt from what a browser saw the page fetch (issue 14).

Many columns show only their first records in the page's HTML; a script asks
the CMS's search or list interface for the rest (TRS 「动静结合」 lists, Hanweb's
proxy, Vue or React front ends over JSON). `learn` reads the exchanges a
rendered list page made (spiders/learning.py records them: the page loading,
then a click on its next-page control) and finds:

- the answer that holds the list: an array of records (objects, or HTML
  fragments with a link) whose titles name annual reports and that carry a
  URL, in JSON, JSONP or XML; where in it the records, their fields and the
  total are;
- the request that returned it, and which of its parameters is the page
  (page/pageNo/pageIndex/current/curpage…, or an offset: start/offset/
  startrecord…), in the query, a form body or a JSON body: the one that
  changed between the two pages, else the one named so.

The result, an `Interface`, says how to ask for page N (`request`) and how to
read an answer (`read`); it is kept between runs as JSON (`as_json`). Nothing
here knows Scrapy or a site: only what the recorded traffic shows.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlunparse

from lxml import etree
from parsel import Selector

from spiders.titles import names_a_report

#: A page parameter's names, lower-cased: page numbers, and offsets into the list.
PAGE_NAMES = frozenset({"page", "pageno", "pagenum", "pageindex", "pagenumber", "current", "currentpage", "curpage",
                        "cur_page", "page_no", "page_index", "pn", "p"})
OFFSET_NAMES = frozenset({"start", "offset", "startrecord", "from", "skip", "begin", "startrow", "first"})
#: A page size's names: an offset moves by it.
SIZE_NAMES = frozenset({"size", "pagesize", "page_size", "limit", "rows", "perpage", "prepage", "length", "count",
                        "pagecount", "num", "ps"})
#: Names of a list's total number of records.
TOTAL_NAMES = frozenset({"total", "totalcount", "totalrecord", "totalrecords", "recordcount", "totalnum",
                         "totalsize", "totalelements", "total_count", "totalrow", "totalrows", "count", "allcount"})
#: Parameters that change between requests for no reason of the list's: cache busters and JSONP callbacks.
VOLATILE_NAMES = frozenset({"_", "t", "ts", "timestamp", "rnd", "random", "r", "callback", "jsoncallback", "cb",
                            "nocache", "v"})
_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_DATE = re.compile(r"^(19|20)\d{2}[-/.年]\d{1,2}")
_URL = re.compile(r"^(https?://|/|\./|\.\./)|\.(s?html?|jsp|aspx?|php)(\?|$)", re.I)
#: Most records an answer is read for; an answer is a list's page, not a dump of the site.
MAX_RECORDS = 2000


@dataclass(frozen=True)
class Exchange:
    """One request a rendered list page made, and its answer."""

    method: str
    url: str
    #: The request's body (a form or JSON), as sent.
    body: str | None
    content_type: str
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


@dataclass(frozen=True)
class Interface:
    """How to ask a list's interface for page N, and how to read its answer."""

    method: str
    #: The request as the page made it (for page `first_page`'s value of the page parameter).
    url: str
    body: str | None
    #: Where the page parameter is: "query", "form" or "json" (a JSON body, `page_key` a dotted path).
    page_in: str
    page_key: str
    #: The page parameter's value for page 1, and what it moves by from one page to the next.
    page_one: int
    step: int
    #: Where the records are in the answer: a dotted path into its data ("" for the whole), or "links".
    records: str
    title_field: str | None = None
    url_field: str | None = None
    date_field: str | None = None
    total_field: str | None = None
    #: Records on a full page.
    per_page: int | None = None
    #: What the answer is: "json", "jsonp" or "xml".
    kind: str = "json"

    def request(self, page: int) -> tuple[str, str, str | None]:
        """(method, url, body) of page `page` (1, 2, …)."""
        value = self.page_one + (page - 1) * self.step
        url, body = self.url, self.body
        if self.page_in == "query":
            url = _with_parameter(url, self.page_key, value)
        elif self.page_in == "form":
            body = urlencode([(name, str(value) if name == self.page_key else current)
                              for name, current in parse_qsl(body or "", keep_blank_values=True)])
        else:
            data = json.loads(body)
            _set_path(data, self.page_key, value)
            body = json.dumps(data, ensure_ascii=False)
        return self.method, url, body

    @property
    def content_type(self) -> str | None:
        return {"form": "application/x-www-form-urlencoded", "json": "application/json"}.get(self.page_in) \
            if self.body is not None else None

    def read(self, text: str, base_url: str) -> Answer:
        """The records of an answer, their addresses resolved against the list page `base_url`."""
        data = parse_answer(text)
        if data is None:
            raise ValueError("the answer is not JSON, JSONP or XML")
        if self.records == "links":
            return Answer(_links(text, base_url), _total_in(data))
        items = _get_path(data, self.records)
        if not isinstance(items, list):
            raise ValueError(f"the answer has no list of records at {self.records or 'its top'!r}")
        records = _records(items[:MAX_RECORDS], self.title_field, self.url_field, self.date_field, base_url)
        total = _int(_get_path(data, self.total_field)) if self.total_field else None
        return Answer(records, total)

    def last_page(self, total: int | None) -> int | None:
        if total is None or not self.per_page:
            return None
        return max(1, -(-total // self.per_page))

    def pages_after(self, page: int, answer: Answer, brought_new: bool, most: int) -> list[int]:
        """The pages to ask for once `page` is read: from page 1, every page to the total the answer gives;
        with no total, the next while pages come full and bring records not seen before (at most `most`)."""
        last = self.last_page(answer.total)
        if last is not None:
            return list(range(2, min(last, most) + 1)) if page == 1 else []
        full = self.per_page is not None and len(answer.records) >= self.per_page
        return [page + 1] if full and brought_new and page < most else []

    def describe(self) -> str:
        """One line for a person: what is asked, which parameter is the page, where the records are."""
        method, url, body = self.request(1)
        where = {"query": "in the query", "form": "in the form body", "json": "in the JSON body"}[self.page_in]
        kind = "offset" if self.step > 1 else "page number"
        fields = ", ".join(f"{name} {value!r}" for name, value in (("title", self.title_field),
                                                                   ("url", self.url_field),
                                                                   ("date", self.date_field)) if value)
        return (f"{method} {url}" + (f" with body {body}" if body else "") +
                f"; the {kind} is {self.page_key!r} {where} ({self.page_one}, {self.page_one + self.step}, …); "
                f"records at {self.records or 'the top'!r} of the {self.kind} answer" +
                (f" ({fields})" if fields else "") + (f", total at {self.total_field!r}" if self.total_field else ""))

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Interface":
        return cls(**json.loads(text))


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
    for exchange in exchanges:
        if exchange.status != 200:
            continue
        shape = find_records(exchange.text, list_url)
        if shape is not None:
            found.append((exchange, shape))
    if not found:
        return Learning(why_not=_why_nothing(exchanges))
    # The endpoint that answered with the most report records is the list's.
    endpoint = max({_endpoint(exchange) for exchange, _ in found},
                   key=lambda key: sum(len(shape.reports) for exchange, shape in found if _endpoint(exchange) == key))
    answers = [(exchange, shape) for exchange, shape in found if _endpoint(exchange) == endpoint]
    seen = {record.url: record for _, shape in answers for record in shape.answer.records}
    total = max((shape.answer.total for _, shape in answers if shape.answer.total is not None), default=None)
    page = _page_parameter(answers)
    if isinstance(page, str):
        return Learning(why_not=page, seen=seen, total=total)
    exchange, shape = answers[0]
    page_in, page_key, page_one, step = page
    per_page = max(len(shape.answer.records) for _, shape in answers)
    size = _size_of(exchange)
    interface = Interface(exchange.method, exchange.url, exchange.body, page_in, page_key, page_one, step,
                          shape.path, shape.title_field, shape.url_field, shape.date_field, shape.total_field,
                          max(per_page, size or 0) if step == 1 else step, shape.kind)
    return Learning(interface, seen=seen, total=total)


# --- Reading an answer ------------------------------------------------------------------

def parse_answer(text: str):
    """An answer's data: JSON, JSONP's JSON, or XML as nested dicts; None for anything else."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        return None
    if stripped[0] in "[{":
        try:
            return json.loads(stripped)
        except ValueError:
            return None
    wrapped = _JSONP.match(stripped)
    if wrapped and wrapped.group(1)[:1] in "[{":
        try:
            return json.loads(wrapped.group(1))
        except ValueError:
            return None
    if stripped.startswith("<") and not re.match(r"<(!doctype\s+)?html", stripped, re.I):
        try:
            root = etree.fromstring(stripped.encode("utf-8"), etree.XMLParser(recover=True, resolve_entities=False,
                                                                              no_network=True, huge_tree=False))
        except (etree.XMLSyntaxError, ValueError):
            return None
        return None if root is None else {root.tag: _xml_data(root)}
    return None


@dataclass(frozen=True)
class Shape:
    """Where an answer keeps its records, and what they are."""

    path: str
    kind: str
    answer: Answer
    title_field: str | None = None
    url_field: str | None = None
    date_field: str | None = None
    total_field: str | None = None

    @property
    def reports(self) -> list[Record]:
        return [record for record in self.answer.records if names_a_report(record.title)]


def find_records(text: str, base_url: str) -> Shape | None:
    """The list of report records an answer holds, and where; None when it holds none."""
    data = parse_answer(text)
    if data is None:
        return None
    kind = "json" if text.strip().lstrip("\ufeff")[:1] in "[{" else "xml" if text.strip().startswith("<") else "jsonp"
    best = None
    for path, items, parents in _arrays(data):
        dicts = [item for item in items[:MAX_RECORDS] if isinstance(item, dict)]
        if dicts:
            title_field = _field(dicts, names_a_report)
            url_field = _field(dicts, lambda value: bool(_URL.search(value)) and " " not in value.strip())
            if title_field is None or url_field is None:
                continue
            date_field = _field(dicts, lambda value: bool(_DATE.match(value)))
            total_field = _total_field(parents, path)
            records = _records(dicts, title_field, url_field, date_field, base_url)
            shape = Shape(path, kind, Answer(records, _int(_get_path(data, total_field)) if total_field else None),
                          title_field, url_field, date_field, total_field)
        elif any(isinstance(item, str) and "<a" in item for item in items):
            records = _links(text, base_url)
            shape = Shape("links", kind, Answer(records, _total_in(data)))
        else:
            continue
        if shape.reports and (best is None or len(shape.reports) > len(best.reports)):
            best = shape
    return best


def _arrays(data, path: str = "", parents: tuple = ()):
    """Every array in the data: (its dotted path, the array, the objects above it, nearest first)."""
    if isinstance(data, list):
        yield path, data, parents
        for index, item in enumerate(data[:3]):  # arrays of arrays: a few suffice to find the shape
            if isinstance(item, (dict, list)):
                yield from _arrays(item, f"{path}.{index}".lstrip("."), parents)
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                yield from _arrays(value, f"{path}.{key}".lstrip("."), ((path, data), *parents))


def _field(records: list[dict], test) -> str | None:
    """The key whose string values pass `test` with the most distinct values (at least one): a record's own
    title, not the column's name that every record repeats."""
    values: dict[str, set] = {}
    for record in records:
        for key, value in record.items():
            if isinstance(value, str) and test(value.strip()):
                values.setdefault(key, set()).add(value.strip())
    return max(values, key=lambda key: len(values[key])) if values else None


def _total_field(parents: tuple, array_path: str) -> str | None:
    """The total beside the records, or in an object above them: its dotted path."""
    for path, data in parents:
        for key, value in data.items():
            if key.lower() in TOTAL_NAMES and _int(value) is not None and f"{path}.{key}".lstrip(".") != array_path:
                return f"{path}.{key}".lstrip(".")
    return None


def _total_in(data) -> int | None:
    """A total anywhere in the data (XML answers, whose records are links)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key.lower() in TOTAL_NAMES and _int(value) is not None:
                return _int(value)
            found = _total_in(value)
            if found is not None:
                return found
    return None


def _records(items: list, title_field: str, url_field: str, date_field: str | None, base_url: str) -> list[Record]:
    records = []
    for item in items:
        if not isinstance(item, dict):
            continue
        title, url = item.get(title_field), item.get(url_field)
        if isinstance(title, str) and isinstance(url, str) and url.strip():
            date = item.get(date_field) if date_field else None
            records.append(Record(_text(title), urljoin(base_url, url.strip()), date if isinstance(date, str) else None))
    return records


def _links(text: str, base_url: str) -> list[Record]:
    """The links of an answer whose records are HTML (Hanweb's CDATA records, XML lists of <a>)."""
    markup = text.replace("<![CDATA[", "").replace("]]>", "")
    records = []
    for link in Selector(text=markup).css("a[href]")[:MAX_RECORDS]:
        title = (link.attrib.get("title") or " ".join(link.css("::text").getall())).strip()
        if title:
            records.append(Record(_text(title), urljoin(base_url, link.attrib["href"].strip())))
    return records


def _text(value: str) -> str:
    """A title as shown: answers often carry it with markup (<em> around a search word)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip()


def _xml_data(element):
    """An XML element as data: its text, or its children by tag, repeated tags as lists."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip()
    tags = [child.tag for child in children]
    data: dict = {}
    for child in children:
        if tags.count(child.tag) > 1:
            data.setdefault(child.tag, []).append(_xml_data(child))
        else:
            data[child.tag] = _xml_data(child)
    return data


# --- Learning the page parameter --------------------------------------------------------

def _endpoint(exchange: Exchange) -> tuple[str, str]:
    parsed = urlparse(exchange.url)
    return exchange.method, f"{parsed.scheme}://{parsed.netloc}{parsed.path}"


def _parameters(exchange: Exchange) -> dict[tuple[str, str], str]:
    """Every parameter of a request: (where, name) → value; JSON bodies flattened to dotted paths."""
    found = {("query", name): value for name, value in parse_qsl(urlparse(exchange.url).query, keep_blank_values=True)}
    body = exchange.body or ""
    if body.strip()[:1] in "[{":
        try:
            found.update({("json", path): value for path, value in _flatten(json.loads(body))})
        except ValueError:
            pass
    elif body:
        found.update({("form", name): value for name, value in parse_qsl(body, keep_blank_values=True)})
    return found


def _flatten(data, path: str = ""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, f"{path}.{key}".lstrip("."))
    elif not isinstance(data, list):
        yield path, data


def _page_parameter(answers: list[tuple[Exchange, Shape]]):
    """(where, name, value for page 1, step) of the page parameter, or why it could not be told."""
    first, _ = answers[0]
    parameters = _parameters(first)
    for exchange, _ in answers[1:]:
        other = _parameters(exchange)
        changed = [key for key in parameters if key in other and key[1].split(".")[-1].lower() not in VOLATILE_NAMES
                   and _int(parameters[key]) is not None and _int(other[key]) is not None
                   and _int(parameters[key]) != _int(other[key])]
        if len(changed) == 1:
            where, name = changed[0]
            values = sorted((_int(parameters[changed[0]]), _int(other[changed[0]])))
            step = values[1] - values[0]
            low = values[0]
            earlier_page = 1 if not (first.after_click and exchange.after_click) else 2
            return where, name, low - (earlier_page - 1) * step, step
    for (where, name), value in parameters.items():
        number = _int(value)
        short = name.split(".")[-1].lower()
        if number is None:
            continue
        if short in PAGE_NAMES:
            return where, name, number - 1 if first.after_click else number, 1
        if short in OFFSET_NAMES:
            step = _size_of(first) or len(answers[0][1].answer.records)
            if not step:
                break
            return where, name, number - step if first.after_click else number, step
    return (f"the list's answers came from {first.method} {first.url} but no parameter of it is a page number or "
            "an offset that changed between the pages")


def _size_of(exchange: Exchange) -> int | None:
    for (where, name), value in _parameters(exchange).items():
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
    return (f"none of the {len(exchanges)} answers the page fetched holds records whose titles name annual reports "
            "with their addresses")


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


def _with_parameter(url: str, name: str, value: int) -> str:
    parsed = urlparse(url)
    query = [(key, str(value) if key == name else current)
             for key, current in parse_qsl(parsed.query, keep_blank_values=True)]
    return urlunparse(parsed._replace(query=urlencode(query)))


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None

