"""Replicas of columns whose lists a script loads from an interface the spider was never told about.

One server, three columns, each after what real government sites do:

- `/trs/zfxxgknb/index.htm`: a TRS 「动静结合」 list. The first page is static: its
  first `prepage` records in the HTML, and an inline list configuration
  (`recordCount`, `prepage`, `quickMode: "动静结合"`, `maxStaticIndex: 1`, the
  column's `channelid`, `classsql=chnlid=…`, `sortfield`). Its pager's later
  pages are fetched by script, as JSONP, from the CMS's search service
  (`/was5/web/search?channelid=…&page=N&prepage=…&callback=…`), which answers
  `{"count": "20", "datas": [{"DOCTITLE", "DOCPUBURL", "DOCRELTIME"}…]}`;
- `/vue/ndbg.html`: an empty shell whose script POSTs a JSON body
  (`{"channelId", "pageNum", "pageSize"}`) to `/api/content/list` and gets
  `{"code": 200, "data": {"records": [{"title", "url", "publishTime"}…], "total"}}`;
- `/portal/nb/list.html`: an empty shell over `GET /api/articles?column=nb&offset=…&limit=…`
  answering `{"rows": [{"name", "link", "date"}…], "total"}`.

Every column also lists records that are not reports (notices, plans), as
real columns do; the figures of every report are known (support.samples).
`broken` makes every interface answer HTTP 500; `moved` moves them under
`/v2` (the old paths answer 404), as after a CMS upgrade.
"""

import html
import json
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from support.samples import AGENCIES, SampleReport, random_report, render_html
from support.serving import serve_in_thread, stop_server

COLUMNS = ("trs", "vue", "offset")
LIST_PATHS = {"trs": "/trs/zfxxgknb/index.htm", "vue": "/vue/ndbg.html", "offset": "/portal/nb/list.html"}
PER_PAGE = {"trs": 10, "vue": 8, "offset": 6}
SIZES = {"trs": 20, "vue": 19, "offset": 15}
NOT_REPORTS = ("关于做好{year}年政府信息公开工作年度报告编制发布工作的通知", "{year}年政务公开工作要点")


@dataclass
class Record:
    id: int
    title: str
    published: str
    sample: SampleReport | None = None

    def path(self, column: str) -> str:
        return {
            "trs": f"/trs/zfxxgknb/{self.published[:7].replace('-', '')}/"
            f"t{self.published.replace('-', '')}_{self.id}.htm",
            "vue": f"/vue/detail/{self.id}.html",
            "offset": f"/portal/nb/a/{self.id}",
        }[column]


@dataclass
class ScriptLists:
    seed: int = 14
    broken: bool = False
    moved: bool = False
    columns: dict[str, list[Record]] = field(default_factory=dict)
    #: (method, path) of every request served.
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        rng = random.Random(self.seed)
        number = 1000
        for number_of_column, column in enumerate(COLUMNS):
            records, seen = [], set()
            for index in range(SIZES[column]):
                number += rng.randint(1, 9)
                year = 2024 - (index + number_of_column) // len(AGENCIES) * 2 - index % 2
                published = f"{year + 1}-01-{10 + index % 18:02d}"
                if index % 7 == 3:
                    records.append(Record(number, NOT_REPORTS[index % 2].format(year=year), published))
                    continue
                agency = AGENCIES[(index + number_of_column * 5) % len(AGENCIES)]
                if (agency, year) in seen:  # one report per agency and year, as a real column has
                    continue
                seen.add((agency, year))
                sample = random_report(rng, form="2021" if year >= 2021 else "2019", agency=agency, year=year)
                records.append(Record(number, sample.title, published, sample))
            self.columns[column] = records
        self.lock = threading.Lock()
        self.server = None

    def reports(self, column: str) -> list[Record]:
        return [record for record in self.columns[column] if record.sample]

    @property
    def prefix(self) -> str:
        return "/v2" if self.moved else ""

    def serve(self) -> str:
        self.server, base = serve_in_thread(self, _Handler, "127.0.0.1", 0, "script-lists")
        return base

    def stop(self) -> None:
        stop_server(self.server)

    # --- The interfaces ---------------------------------------------------------------------

    def trs_search(self, query: dict, base: str) -> tuple[str, str]:
        records = self.columns["trs"]
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("prepage", ["10"])[0])
        found = [
            {
                "DOCID": str(r.id),
                "DOCTITLE": html.escape(r.title),
                "DOCPUBURL": base + r.path("trs"),
                "DOCRELTIME": f"{r.published} 09:30:00",
                "CHNLDESC": "政府信息公开年报",
            }
            for r in records[(page - 1) * per_page : page * per_page]
        ]
        data = json.dumps({"count": str(len(records)), "page": str(page), "datas": found}, ensure_ascii=False)
        return f"{query.get('callback', ['callback'])[0]}({data});", "application/javascript; charset=utf-8"

    def vue_list(self, body: dict) -> str:
        records = self.columns["vue"]
        page, size = int(body.get("pageNum", 1)), int(body.get("pageSize", 8))
        found = [
            {"id": r.id, "title": r.title, "url": r.path("vue"), "publishTime": r.published, "hits": 17}
            for r in records[(page - 1) * size : page * size]
        ]
        return json.dumps(
            {
                "code": 200,
                "msg": "操作成功",
                "data": {"records": found, "total": len(records), "size": size, "current": page},
            },
            ensure_ascii=False,
        )

    def offset_list(self, query: dict, base: str) -> str:
        records = self.columns["offset"]
        offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["6"])[0])
        found = [
            {"name": r.title, "link": base + r.path("offset"), "date": r.published, "views": 3}
            for r in records[offset : offset + limit]
        ]
        return json.dumps({"rows": found, "total": len(records)}, ensure_ascii=False)

    # --- The list pages ---------------------------------------------------------------------

    def trs_page(self) -> str:
        records, per_page = self.columns["trs"], PER_PAGE["trs"]
        items = "".join(
            f'<li><a href=".{r.path("trs")[len("/trs/zfxxgknb") :]}" target="_blank" '
            f'title="{html.escape(r.title)}">{html.escape(r.title)}</a><span>{r.published}</span></li>'
            for r in records[:per_page]
        )
        return _page(
            "政府信息公开年报",
            f"""<ul class="list" id="list">{items}</ul><div id="pagediv"></div>
<script>
var pageConfig = {{recordCount: '{len(records)}', prepage: {per_page}, quickMode: "动静结合", maxStaticIndex: 1,
  channelid: '12345', classsql: 'chnlid=12345', sortfield: '-docreltime',
  searchUrl: '{self.prefix}/was5/web/search'}};
var current = 1, pages = Math.ceil(pageConfig.recordCount / pageConfig.prepage);
function showPage(n) {{
  var name = 'jQuery1124' + Date.now() + '_' + n;
  window[name] = function (data) {{
    document.getElementById('list').innerHTML = data.datas.map(function (d) {{
      return '<li><a href="' + d.DOCPUBURL + '" title="' + d.DOCTITLE + '">' + d.DOCTITLE + '</a><span>' +
        d.DOCRELTIME.substring(0, 10) + '</span></li>'; }}).join('');
    current = n; pager();
  }};
  var s = document.createElement('script');
  s.src = pageConfig.searchUrl + '?channelid=' + pageConfig.channelid + '&classsql=' +
    encodeURIComponent(pageConfig.classsql) + '&sortfield=' + pageConfig.sortfield + '&prepage=' +
    pageConfig.prepage + '&page=' + n + '&callback=' + name + '&_=' + Date.now();
  document.head.appendChild(s);
}}
function pager() {{
  var h = '<span>共' + pageConfig.recordCount + '条</span> ';
  for (var i = 1; i <= pages; i++) h += i == current ? '<span class="cur">' + i + '</span> ' :
    '<a href="javascript:void(0)" onclick="showPage(' + i + ')">' + i + '</a> ';
  if (current < pages) h += '<a href="javascript:void(0)" onclick="showPage(' + (current + 1) + ')">下一页</a>';
  document.getElementById('pagediv').innerHTML = h;
}}
pager();
</script>""",
        )

    def vue_page(self) -> str:
        return _page(
            "年度报告",
            f"""<div id="app"><ul class="news-list"></ul>
<div class="el-pagination"><button type="button" class="btn-prev">上一页</button><span class="el-pager"></span>
<button type="button" class="btn-next">下一页</button></div></div>
<script>
var state = {{pageNum: 1, pageSize: {PER_PAGE["vue"]}, total: 0}};
function load() {{
  fetch('{self.prefix}/api/content/list', {{method: 'POST',
    headers: {{'Content-Type': 'application/json;charset=UTF-8'}},
    body: JSON.stringify({{channelId: 'ndbg', pageNum: state.pageNum, pageSize: state.pageSize}})}})
  .then(function (r) {{ return r.json(); }}).then(function (res) {{
    state.total = res.data.total;
    document.querySelector('.news-list').innerHTML = res.data.records.map(function (d) {{
      return '<li><a href="' + d.url + '">' + d.title + '</a><em>' + d.publishTime + '</em></li>'; }}).join('');
    document.querySelector('.el-pager').textContent = state.pageNum + ' / ' + Math.ceil(state.total / state.pageSize);
  }});
}}
document.querySelector('.btn-next').onclick = function () {{
  if (state.pageNum * state.pageSize < state.total) {{ state.pageNum++; load(); }} }};
document.querySelector('.btn-prev').onclick = function () {{ if (state.pageNum > 1) {{ state.pageNum--; load(); }} }};
load();
</script>""",
        )

    def offset_page(self) -> str:
        return _page(
            "政府信息公开年报",
            f"""<div class="main"><div id="articles"></div>
<div class="page"><a href="javascript:;" id="more">下一页</a></div></div>
<script>
var offset = 0, limit = {PER_PAGE["offset"]};
function load() {{
  var x = new XMLHttpRequest();
  x.open('GET', '{self.prefix}/api/articles?column=nb&offset=' + offset + '&limit=' + limit);
  x.onload = function () {{
    var data = JSON.parse(x.responseText);
    document.getElementById('articles').innerHTML = data.rows.map(function (d) {{
      return '<p><a href="' + d.link + '">' + d.name + '</a> ' + d.date + '</p>'; }}).join('');
  }};
  x.send();
}}
document.getElementById('more').onclick = function () {{ offset += limit; load(); }};
load();
</script>""",
        )

    def article(self, path: str) -> bytes | None:
        for column, records in self.columns.items():
            for record in records:
                if record.path(column) == path:
                    if record.sample:
                        return render_html(record.sample)
                    return _page(
                        record.title, f"<h1>{html.escape(record.title)}</h1><p>各单位：请按时完成。</p>"
                    ).encode()
        return None


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><div class="nav"><a href="/">首页</a></div>{body}</body></html>'
    )


class _Handler(BaseHTTPRequestHandler):
    replica: ScriptLists

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.answer("GET", b"")

    def do_POST(self):
        self.answer("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def answer(self, method: str, body: bytes) -> None:
        replica = self.replica
        url = urlparse(self.path)
        with replica.lock:
            replica.requests.append((method, self.path))
        base = f"http://{self.headers['Host']}"
        query = parse_qs(url.query)
        pages = {
            LIST_PATHS["trs"]: replica.trs_page,
            LIST_PATHS["vue"]: replica.vue_page,
            LIST_PATHS["offset"]: replica.offset_page,
        }
        if url.path in pages:
            return self.send(pages[url.path]().encode(), "text/html; charset=utf-8")
        interfaces = {
            "/was5/web/search": lambda: replica.trs_search(query, base),
            "/api/content/list": lambda: (replica.vue_list(json.loads(body or b"{}")), "application/json"),
            "/api/articles": lambda: (replica.offset_list(query, base), "application/json"),
        }
        path = url.path[len(replica.prefix) :] if url.path.startswith(replica.prefix) else None
        if path in interfaces:
            if replica.broken:
                return self.send(b'{"code":500,"msg":"system error"}', "application/json", 500)
            text, content_type = interfaces[path]()
            return self.send(text.encode(), content_type)
        page = replica.article(url.path)
        if page is not None:
            return self.send(page, "text/html; charset=utf-8")
        self.send(b"<html><body>404</body></html>", "text/html", 404)

    def send(self, data: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
