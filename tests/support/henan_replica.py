"""An offline replica of the Henan portal model (../shared/spec/portal-model.md).

It serves generated reports (support.samples) whose every figure is known,
with the paths and markup of the model, and on demand the obstacles real
portals put up: lists with no links (JSON only), transient faults on first
attempts (503, a connection reset mid-body, a stalled response), GBK pages
declared only in `<meta>`, a corrected re-publication, attachment-only
reports in every format, and changed markup. Between two crawls it can
change as portals do: publish new reports (`publish`), correct one quietly
under the same address (`correct_silently`), or list nothing at all. Report
pages carry ETag and Last-Modified and answer conditional requests with 304.

    PYTHONPATH=tests python -m support.henan_replica --reports 40 --port 8000

The tests, the demo and the benchmarks start it in-process (`Replica.serve`).
"""

import argparse
import html
import json
import random
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlparse

from support.samples import AGENCIES, CellStyle, SampleReport, page_html, random_report, render_html, render_text
from support.serving import serve_in_thread, stop_server, wait_until_interrupted

#: Division codes of the sample agencies' areas.
AREAS = {
    "新乡市": ("410700", "新乡市"),
    "卫辉市": ("410781", "卫辉市"),
    "郑州市": ("410100", "郑州市"),
    "开封市": ("410200", "开封市"),
    "洛阳市": ("410300", "洛阳市"),
    "安阳市": ("410500", "安阳市"),
    "南阳市": ("411300", "南阳市"),
    "信阳市": ("411500", "信阳市"),
    "周口市": ("411600", "周口市"),
    "焦作市": ("410800", "焦作市"),
    "濮阳市": ("410900", "濮阳市"),
    "许昌市": ("411000", "许昌市"),
}
ATTACHMENT_FORMATS = ("pdf", "docx", "doc", "txt", "image")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "txt": "text/plain; charset=utf-8",
    "image": "image/png",
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "doc": "doc", "txt": "txt", "image": "png"}
FAULTS = ("503", "reset", "stall")


@dataclass
class ReplicaOptions:
    reports: int = 40
    seed: int = 1
    #: Server-rendered links on list pages; False sends lists without links (JSON endpoint only).
    list_links: bool = True
    json_endpoint: bool = True
    #: Each path fails once (503, a reset mid-body, or a stall) before it answers.
    faults: bool = False
    stall_seconds: float = 6.0
    #: Every n-th report page is GBK, its charset declared only in <meta>; 0 for none.
    gbk_every: int = 5
    #: Add a corrected re-publication of one report, with a later id and date.
    corrected: bool = True
    #: One attachment-only report per format listed.
    attachment_formats: tuple[str, ...] = ()
    #: List pages with other class names, as after a redesign of the portal.
    markup_changed: bool = False
    #: A redesign the profile does not know: list pages are an empty shell (other markup) whose script POSTs
    #: a JSON body to a new search interface (`/zw/public-report/api/v2/search`, answering
    #: `{"code": 0, "data": {"records": [...], "total": N}}`); the old JSON list answers 404.
    redesigned: bool = False
    #: Paths (with their query) that answer 503 every time.
    always_failing: tuple[str, ...] = ()
    #: Links a crawler must not follow: off the portal, and to local files.
    hostile_links: bool = False
    #: List pages sent as an empty shell that a script fills from the JSON endpoint.
    browser_lists: bool = False
    #: A JavaScript cookie challenge in front of every path: 412 and a script that sets a cookie and reloads.
    challenge: bool = False
    #: Seconds a solved challenge's cookie stays valid.
    challenge_ttl: float = 3600.0
    #: Lists that show no report at all, as after a botched migration of the portal.
    lists_nothing: bool = False
    #: Seconds each report page takes to answer.
    latency: float = 0.0
    page_size: int = 10


@dataclass
class PortalReport:
    id: int
    sample: SampleReport
    area_code: str
    area_name: str
    published: str
    format: str = "html"
    gbk: bool = False
    #: When the page last changed (seconds since the epoch): its Last-Modified header.
    modified: float = 0.0

    def __post_init__(self):
        self.modified = self.modified or _timestamp(self.published)

    @property
    def title(self) -> str:
        return self.sample.title


@dataclass
class Replica:
    options: ReplicaOptions = field(default_factory=ReplicaOptions)

    def __post_init__(self):
        self.reports = build_reports(self.options)
        self.by_id = {report.id: report for report in self.reports}
        self.attempts: dict[str, int] = {}
        self.attachments: dict[int, bytes] = {}
        self.challenges = 0
        self.not_modified = 0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- What a correct crawl must store ---------------------------------------------

    def current(self) -> dict[tuple[str, int], PortalReport]:
        """(agency, year) → the report that must be current: the later date, then the higher id."""
        best: dict[tuple[str, int], PortalReport] = {}
        for report in self.reports:
            key = (report.sample.agency, report.sample.year)
            if key not in best or (report.published, report.id) > (best[key].published, best[key].id):
                best[key] = report
        return best

    # --- Changes between crawls -------------------------------------------------------

    def publish(self, count: int) -> list["PortalReport"]:
        """Publish `count` new reports, newer than every other: they head the lists."""
        rng = random.Random(f"{self.options.seed}/{len(self.reports)}")
        seen = {(report.sample.agency, report.sample.year) for report in self.reports}
        latest = max(date.fromisoformat(report.published) for report in self.reports) if self.reports else None
        added = _new_reports(rng, count, len(self.reports), max(self.by_id, default=33000) + 1, seen, self.options)
        for report in added:
            if latest:
                report.published = (latest + timedelta(days=1)).isoformat()
                report.modified = _timestamp(report.published)
        with self.lock:
            self.reports.extend(added)
            self.by_id.update((report.id, report) for report in added)
        return added

    def correct_silently(self, portal_id: int) -> "PortalReport":
        """Change a report's figures under the same address, title and date, as agencies do quietly."""
        report = self.by_id[portal_id]
        figures = dict(report.sample.figures)
        figures["active.penalty.decisions"] = (figures["active.penalty.decisions"] or Decimal(0)) + 7
        with self.lock:
            report.sample = replace(report.sample, figures=figures)
            report.modified = max(time.time(), report.modified + 1)
            self.attachments.pop(portal_id, None)
        return report

    # --- Serving ----------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving in a background thread; returns the base URL."""
        self.server, url = serve_in_thread(self, _Handler, host, port, "replica")
        return url

    def stop(self) -> None:
        stop_server(self.server)

    def new_token(self) -> str:
        """A clearance token: when it was issued, signed with this replica's secret."""
        issued = str(int(time.time() * 1000))
        return f"{issued}.{zlib.crc32(f'{issued}/{self.options.seed}/gxcrawl'.encode()):x}"

    def cleared(self, cookie_header: str) -> bool:
        for part in cookie_header.split(";"):
            name, _, token = part.strip().partition("=")
            issued, _, signature = token.partition(".")
            if (
                name == "gxcrawl_clearance"
                and issued.isdigit()
                and signature == f"{zlib.crc32(f'{issued}/{self.options.seed}/gxcrawl'.encode()):x}"
            ):
                return time.time() - int(issued) / 1000 < self.options.challenge_ttl
        return False

    def first_attempt(self, path: str) -> bool:
        with self.lock:
            self.requests.append(path)
            self.attempts[path] = self.attempts.get(path, 0) + 1
            return self.attempts[path] == 1

    # --- Pages ------------------------------------------------------------------------

    def listed(self, query: dict) -> list[PortalReport]:
        year = query.get("year", [None])[0]
        area = query.get("area", [None])[0]
        if self.options.lists_nothing:
            return []
        prefix = area or ""
        while prefix.endswith("00"):  # 410000 is Henan, 410700 新乡市, 410703 卫滨区
            prefix = prefix[:-2]
        found = [r for r in self.reports if (not year or str(r.sample.year) == year) and r.area_code.startswith(prefix)]
        return sorted(found, key=lambda r: r.id, reverse=True)

    def list_page(self, query: dict) -> str:
        page = max(1, int(query.get("page", ["1"])[0]))
        found = self.listed(query)
        size = self.options.page_size
        pages = max(1, -(-len(found) // size))
        items = found[(page - 1) * size : page * size]
        if self.options.redesigned:
            return _list_page_html(
                '<div id="root"><div class="report-cards"></div><nav class="pagination">'
                '<button class="page-next" type="button">下一页</button></nav></div>'
                + _REDESIGNED_SCRIPT.replace("PAGE_SIZE", str(size))
            )
        if self.options.markup_changed:
            body = (
                "<div class='reports'>"
                + "".join(
                    f"<div class='item'><span onclick=\"go({r.id})\">{html.escape(r.title)}</span></div>" for r in items
                )
                + "</div>"
            )
            return _list_page_html(body)
        hostile = (
            '<li><a href="http://127.0.0.2:9/zw/public-report/view/99999" title="外站">外站</a></li>'
            if self.options.hostile_links and page == 1
            else ""
        )
        rows = (
            ""
            if not self.options.list_links
            else hostile
            + "".join(
                f'<li><a href="/zw/public-report/view/{r.id}" title="{html.escape(r.title)}">'
                f"{html.escape(r.title[:20])}…</a>"
                f'<span class="agency">{html.escape(r.sample.agency)}</span><span class="area">{r.area_name}</span>'
                f'<span class="year">{r.sample.year}</span><span class="date">{r.published}</span></li>'
                for r in items
            )
        )
        extra = "&".join(f"{k}={quote(v[0])}" for k, v in query.items() if k in ("year", "area"))
        extra = f"&{extra}" if extra else ""
        pager = f'<span class="total">共{pages}页</span>'
        if page > 1:
            pager += f'<a class="prev" href="?page={page - 1}{extra}">上一页</a>'
        if page < pages:
            pager += f'<a class="next" href="?page={page + 1}{extra}">下一页</a>'
        if self.options.browser_lists:
            return _list_page_html(
                '<div id="app"><ul class="report-list"></ul><div class="pager"></div></div>'
                + _LIST_SCRIPT.replace("PAGE", str(page)).replace("EXTRA", extra)
            )
        body = f'<div id="app"><ul class="report-list">{rows}</ul><div class="pager">{pager}</div></div>'
        return _list_page_html(body)

    def list_json(self, query: dict) -> str:
        page = max(1, int(query.get("page", ["1"])[0]))
        size = max(1, min(100, int(query.get("size", [str(self.options.page_size)])[0])))
        found = self.listed(query)
        records = [
            {
                "id": r.id,
                "title": r.title,
                "agency": r.sample.agency,
                "areaCode": r.area_code,
                "areaName": r.area_name,
                "year": r.sample.year,
                "publishDate": r.published,
            }
            for r in found[(page - 1) * size : page * size]
        ]
        return json.dumps(
            {"code": 0, "total": len(found), "page": page, "size": size, "records": records}, ensure_ascii=False
        )

    def search_json(self, body: dict) -> str:
        """The redesigned portal's search interface: POST {"pageNo", "pageSize", "keyword"}."""
        page, size = max(1, int(body.get("pageNo", 1))), max(1, min(50, int(body.get("pageSize", 10))))
        found = self.listed({})
        records = [
            {
                "reportId": r.id,
                "reportTitle": r.title,
                "detailUrl": f"/zw/public-report/view/{r.id}",
                "orgName": r.sample.agency,
                "reportYear": str(r.sample.year),
                "releaseDate": r.published,
            }
            for r in found[(page - 1) * size : page * size]
        ]
        return json.dumps(
            {
                "code": 0,
                "message": "success",
                "data": {"records": records, "total": len(found), "pageNo": page, "pageSize": size},
            },
            ensure_ascii=False,
        )

    def report_page(self, report: PortalReport) -> bytes:
        encoding = "gbk" if report.gbk else "utf-8"
        if report.format == "html":
            content = render_html(
                report.sample,
                ("official", "word", "flat")[report.id % 3],
                CellStyle(zero="—" if report.id % 2 else "0"),
                page=False,
            ).decode()
            files = ""
        else:
            name = f"{report.title}.{EXTENSIONS[report.format]}"
            content = '<p class="MsoNormal"><span>详见附件。</span></p>'
            files = (
                f'<div class="report-files"><a href="/zw/public-report/file/{report.id}/{quote(name)}">'
                f"{html.escape(name)}</a></div>"
            )
        if self.options.hostile_links:
            files = (
                files.replace(
                    "</div>",
                    '<a href="file:///etc/hostname">hostname</a>'
                    '<a href="http://127.0.0.2:9/secret.pdf">secret.pdf</a></div>',
                )
                if files
                else '<div class="report-files"><a href="file:///etc/hostname">hostname</a></div>'
            )
        meta = (
            f'<span class="agency">发布机关：{html.escape(report.sample.agency)}</span>'
            f'<span class="area">所属地区：{report.area_name}</span>'
            f'<span class="year">报告年度：{report.sample.year}</span>'
            f'<span class="date">发布日期：{report.published}</span>'
        )
        return page_html(report.title, content, encoding, meta, files).encode(encoding, "xmlcharrefreplace")

    def attachment(self, report: PortalReport) -> bytes:
        """The report's attachment, made on first request (Chromium and LibreOffice are slow)."""
        with self.lock:
            if report.id not in self.attachments:
                self.attachments[report.id] = render_attachment(report.format, report.sample)
            return self.attachments[report.id]


# What a browser-rendered list page runs: the list from the JSON endpoint, in the server's markup.
_LIST_SCRIPT = """<script>
fetch('/zw/public-report/api/list?page=PAGE&size=10EXTRA').then(r => r.json()).then(data => {
  const list = document.querySelector('ul.report-list');
  for (const r of data.records) {
    const li = document.createElement('li');
    li.innerHTML = '<a href="/zw/public-report/view/' + r.id + '"></a><span class="agency"></span>' +
      '<span class="area"></span><span class="year"></span><span class="date"></span>';
    li.querySelector('a').title = r.title; li.querySelector('a').textContent = r.title;
    li.querySelector('.agency').textContent = r.agency; li.querySelector('.area').textContent = r.areaName;
    li.querySelector('.year').textContent = r.year; li.querySelector('.date').textContent = r.publishDate;
    list.appendChild(li);
  }
  const pages = Math.max(1, Math.ceil(data.total / data.size));
  let pager = '<span class="total">共' + pages + '页</span>';
  if (PAGE < pages) pager += '<a class="next" href="?page=' + (PAGE + 1) + 'EXTRA">下一页</a>';
  document.querySelector('.pager').innerHTML = pager;
});
</script>"""
# What a redesigned list page runs: cards from the new search interface, and a 下一页 button.
_REDESIGNED_SCRIPT = """<script>
var pageNo = 1, total = 0;
function load() {
  fetch('/zw/public-report/api/v2/search', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({keyword: '', pageNo: pageNo, pageSize: PAGE_SIZE})})
  .then(r => r.json()).then(res => {
    total = res.data.total;
    document.querySelector('.report-cards').innerHTML = res.data.records.map(r =>
      '<div class="card"><a href="' + r.detailUrl + '">' + r.reportTitle + '</a><i>' + r.releaseDate + '</i></div>'
    ).join('');
  });
}
document.querySelector('.page-next').onclick = () => { if (pageNo * PAGE_SIZE < total) { pageNo++; load(); } };
load();
</script>"""
_CHALLENGE = (
    "<html><head><title>安全验证</title></head><body><script>"
    "document.cookie='gxcrawl_clearance=TOKEN; path=/';location.reload();</script></body></html>"
)


def _list_page_html(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>政府信息公开工作年度报告_河南省人民政府门户网站</title></head><body>"
        '<div class="header"><a href="/">首页</a> <a href="/zw/">政务公开</a></div>'
        f'{body}<div class="footer">主办：河南省人民政府办公厅</div></body></html>'
    )


def render_attachment(fmt: str, sample: SampleReport) -> bytes:
    from support import rendering

    if fmt == "txt":
        return render_text(sample, "tabs").encode("utf-8")
    if fmt == "docx":
        return rendering.render_docx(sample)
    if fmt == "doc":
        return rendering.docx_to_doc(rendering.render_docx(sample))
    if fmt == "pdf":
        return rendering.print_pdf(rendering.print_page(sample))
    if fmt == "image":
        return rendering.screenshot_png(rendering.print_page(sample), width=900, height=2400, scale=1.5)
    raise ValueError(fmt)


class _Handler(BaseHTTPRequestHandler):
    replica: Replica
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the tests' output stays readable
        pass

    def do_GET(self):
        url = urlparse(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        first = self.replica.first_attempt(self.path)
        if self.replica.options.faults and first and path != "/robots.txt" and self._fault(path):
            return
        if self.path in self.replica.options.always_failing:
            return self._send(b"<html><body>503</body></html>", "text/html", 503)
        if self.replica.options.challenge and not self.replica.cleared(self.headers.get("Cookie", "")):
            with self.replica.lock:
                self.replica.challenges += 1
            return self._send(_CHALLENGE.replace("TOKEN", self.replica.new_token()).encode(), "text/html", 412)
        if path == "/robots.txt":
            return self._send(b"User-agent: *\nDisallow: /admin/\n", "text/plain")
        if path == "/zw/public-report":
            return self._send(self.replica.list_page(query).encode(), "text/html; charset=utf-8")
        if path == "/zw/public-report/api/list":
            if (
                not self.replica.options.json_endpoint
                or self.replica.options.markup_changed
                or self.replica.options.redesigned
            ):
                return self._send(b"not found", "text/plain", 404)
            return self._send(self.replica.list_json(query).encode(), "application/json; charset=utf-8")
        parts = path.strip("/").split("/")
        if len(parts) >= 4 and parts[:3] == ["zw", "public-report", "view"] and parts[3].isdigit():
            report = self.replica.by_id.get(int(parts[3]))
            if report:
                time.sleep(self.replica.options.latency)
                return self._send_report(report)
        if len(parts) >= 5 and parts[:3] == ["zw", "public-report", "file"] and parts[3].isdigit():
            report = self.replica.by_id.get(int(parts[3]))
            if report and report.format != "html":
                return self._send(self.replica.attachment(report), CONTENT_TYPES[report.format])
        return self._send("<html><body><h1>404 页面不存在</h1></body></html>".encode(), "text/html; charset=utf-8", 404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if urlparse(self.path).path == "/zw/public-report/api/v2/search" and self.replica.options.redesigned:
            try:
                query = json.loads(body or b"{}")
            except ValueError:
                return self._send(b'{"code": 400, "message": "bad request"}', "application/json", 400)
            return self._send(self.replica.search_json(query).encode(), "application/json; charset=utf-8")
        return self._send(b"not found", "text/plain", 404)

    def _fault(self, path: str) -> bool:
        kind = FAULTS[zlib.crc32(path.encode()) % len(FAULTS)]
        if kind == "503":
            self._send(b"<html><body>503 Service Temporarily Unavailable</body></html>", "text/html", 503)
        elif kind == "reset":
            body = self.replica.list_page({}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        else:
            time.sleep(self.replica.options.stall_seconds)
            self._send(b"<html><body>late</body></html>", "text/html", 503)
        return True

    def _send_report(self, report: PortalReport) -> None:
        body = self.replica.report_page(report)
        validators = {"ETag": f'"{zlib.crc32(body):08x}"', "Last-Modified": formatdate(report.modified, usegmt=True)}
        if self._not_modified(validators["ETag"], report.modified):
            with self.replica.lock:
                self.replica.not_modified += 1
            return self._send(b"", "text/html", 304, validators)
        # GBK pages declare their charset only in <meta>.
        self._send(body, "text/html" if report.gbk else "text/html; charset=utf-8", headers=validators)

    def _not_modified(self, etag: str, modified: float) -> bool:
        if "If-None-Match" in self.headers:
            return etag in [tag.strip() for tag in self.headers["If-None-Match"].split(",")]
        try:
            since = parsedate_to_datetime(self.headers.get("If-Modified-Since", ""))
        except (TypeError, ValueError):
            return False
        return int(modified) <= since.timestamp()

    def _send(self, body: bytes, content_type: str, status: int = 200, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def build_reports(options: ReplicaOptions) -> list[PortalReport]:
    rng = random.Random(options.seed)
    reports = _new_reports(rng, options.reports, 0, 33001, set(), options)
    next_id = reports[-1].id + 1 if reports else 33001
    for fmt, report in zip(options.attachment_formats, reports[1::2]):
        report.format = fmt
        report.gbk = False
    if options.corrected and reports:
        original = reports[0]
        figures = dict(original.sample.figures)
        figures["active.normative.issued"] = (figures["active.normative.issued"] or Decimal(0)) + 1
        corrected = SampleReport(
            original.sample.agency,
            original.sample.year,
            original.sample.form,
            figures,
            original.sample.sections,
            title_suffix="（更正版）",
        )
        published = date.fromisoformat(original.published) + timedelta(days=30)
        reports.append(
            PortalReport(next_id + 5, corrected, original.area_code, original.area_name, published.isoformat())
        )
    return reports


def _timestamp(iso_date: str) -> float:
    return datetime.fromisoformat(iso_date).replace(tzinfo=timezone.utc).timestamp()


def _new_reports(
    rng: random.Random, count: int, first_index: int, next_id: int, seen: set[tuple[str, int]], options: ReplicaOptions
) -> list[PortalReport]:
    """`count` reports of agencies and years not in `seen`, with ids from `next_id` up."""
    reports: list[PortalReport] = []
    for index in range(first_index, first_index + count):
        while True:
            agency, year = rng.choice(AGENCIES), rng.randint(2019, 2023)
            if (agency, year) not in seen or len(seen) >= len(AGENCIES) * 5:
                break
        while (agency, year) in seen:  # more reports asked for than the sample agencies have years
            agency = f"{agency}第{index}分局"
        seen.add((agency, year))
        sample = random_report(rng, form="2021" if year >= 2021 else "2019", agency=agency, year=year)
        area_code, area_name = next(
            (code for prefix, code in AREAS.items() if agency.startswith(prefix)), ("410000", "河南省")
        )
        published = date(year + 1, 1, 10) + timedelta(days=rng.randint(0, 60))
        reports.append(
            PortalReport(
                next_id,
                sample,
                area_code,
                area_name,
                published.isoformat(),
                gbk=bool(options.gbk_every) and index % options.gbk_every == 2,
            )
        )
        next_id += rng.randint(1, 4)
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve an offline replica of the Henan disclosure portal.")
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--attachments", action="store_true", help="one attachment-only report per format")
    parser.add_argument("--faults", action="store_true", help="fail each path once before answering")
    args = parser.parse_args()
    replica = Replica(
        ReplicaOptions(
            reports=args.reports, faults=args.faults, attachment_formats=ATTACHMENT_FORMATS if args.attachments else ()
        )
    )
    print(
        f"replica of the Henan portal with {len(replica.reports)} reports at {replica.serve(port=args.port)}"
        "/zw/public-report (Ctrl-C stops it)"
    )
    wait_until_interrupted(replica)


if __name__ == "__main__":
    main()
