"""Offline replicas of agency websites on the common CMS families, for `scrapy crawl site`.

One server holds four columns of annual reports, each paginated as its
family does (spiders/site/pagers.py):

- `/trs/ndbg/index.shtml`: TRS WCM, pages written by `createPageHTML(n, i, "index", "shtml")`,
  articles in `.TRS_Editor`, the date in `<meta name="PubDate">`, one report only as a DOCX attachment;
- `/hanweb/col/col1234/index.html`: Hanweb, the first records in an inline `<datastore>`,
  the others from POST `/module/web/jpage/dataproxy.jsp`, articles in `#zoom`;
- `/next/list.html`: plain 「下一页」 links, articles in `.article-content`;
- `/seq/index.html`: an `index_N.html` sequence, articles with no container at all.

Every list also links to pages that are not reports (a notice about the
reports, a work plan). Every report's figures are known (support.samples).

    PYTHONPATH=tests python -m support.site_replica --reports 12
"""

import argparse
import html
import random
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from support.samples import AGENCIES, SampleReport, random_report, render_html
from support.serving import serve_in_thread, stop_server, wait_until_interrupted

FAMILIES = ("trs", "hanweb", "next", "seq")
LIST_PATHS = {
    "trs": "/trs/ndbg/index.shtml",
    "hanweb": "/hanweb/col/col1234/index.html",
    "next": "/next/list.html",
    "seq": "/seq/index.html",
}
#: Titles of the same kind of report as agencies word them.
TITLES = (
    "{agency}{year}年政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作报告",
    "{agency}{year}年政府信息公开年报",
)
NOT_REPORTS = ("关于做好{year}年政府信息公开工作年度报告编制发布工作的通知", "{year}年政务公开工作要点")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class ColumnReport:
    id: int
    family: str
    sample: SampleReport
    title: str
    published: str
    attachment: bool = False

    @property
    def path(self) -> str:
        day = self.published.replace("-", "")
        return {
            "trs": f"/trs/ndbg/{day[:6]}/t{day}_{self.id}.shtml",
            "hanweb": f"/art/{self.published.replace('-0', '/').replace('-', '/')}/art_1234_{self.id}.html",
            "next": f"/next/content/{self.id}.html",
            "seq": f"/seq/art/{self.id}.html",
        }[self.family]


@dataclass
class SiteReplica:
    reports: int = 12
    per_page: int = 5
    seed: int = 3
    columns: dict[str, list[ColumnReport]] = field(default_factory=dict)

    def __post_init__(self):
        rng = random.Random(self.seed)
        seen: set[tuple[str, int]] = set()
        number = 500
        for family in FAMILIES:
            column = []
            for index in range(self.reports):
                while (agency := rng.choice(AGENCIES), year := rng.randint(2019, 2023)) in seen:
                    pass
                seen.add((agency, year))
                sample = random_report(rng, form="2021" if year >= 2021 else "2019", agency=agency, year=year)
                published = (date(year + 1, 1, 15) + timedelta(days=rng.randint(0, 40))).isoformat()
                number += rng.randint(1, 9)
                column.append(
                    ColumnReport(
                        number,
                        family,
                        sample,
                        TITLES[index % 3].format(agency=agency, year=year),
                        published,
                        attachment=family == "trs" and index == 1,
                    )
                )
            self.columns[family] = sorted(column, key=lambda report: report.published, reverse=True)
        self.by_path = {report.path: report for column in self.columns.values() for report in column}
        self.attachments: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def all_reports(self) -> list[ColumnReport]:
        return [report for column in self.columns.values() for report in column]

    # --- Serving ----------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving in a background thread; returns the base URL."""
        self.server, url = serve_in_thread(self, _Handler, host, port, "site-replica")
        return url

    def stop(self) -> None:
        stop_server(self.server)

    # --- Lists ------------------------------------------------------------------------

    def pages(self, family: str) -> list[list[ColumnReport]]:
        column = self.columns[family]
        return [column[start : start + self.per_page] for start in range(0, len(column), self.per_page)] or [[]]

    def items(self, reports: list[ColumnReport], year: int) -> list[str]:
        """List entries: the reports, and a page that is not one."""
        entries = [
            f'<li><a href="{report.path}" title="{html.escape(report.title)}">{html.escape(report.title[:24])}'
            f"</a><span>{report.published}</span></li>"
            for report in reports
        ]
        notice = NOT_REPORTS[year % 2].format(year=year)
        entries.insert(len(entries) // 2, f'<li><a href="/notice/{year}.html">{notice}</a></li>')
        return entries

    def trs_list(self, page: int) -> str:
        pages = self.pages("trs")
        body = "<ul class='list'>" + "".join(self.items(pages[page], 2024 - page)) + "</ul>"
        return _page(
            "年度报告",
            body + f'<div class="page"><script>createPageHTML({len(pages)}, {page}, "index", "shtml");</script></div>',
        )

    def hanweb_list(self) -> str:
        column = self.columns["hanweb"]
        first = self.items(column[: self.per_page], 2024)
        records = "".join(f"<record><![CDATA[{entry}]]></record>" for entry in first)
        body = (
            f'<div id="1234"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<recordset>{records}</recordset></datastore></script></div>"
            "<script>$('#1234').jpage({dataStore: dataStore, perPage: "
            f"{self.per_page}, totalRecord: "
            f"{len(column) + 1}, proxyUrl: '/module/web/jpage/dataproxy.jsp', param: {{col: 1, appid: 1, "
            "webid: 1, path: '/', columnid: 1234, sourceContentType: 1, unitid: '5678', webname: '某市政府', "
            "permissiontype: 0}});</script>"
        )
        return _page("政府信息公开年报", body)

    def hanweb_proxy(self, query: dict, form: dict) -> str:
        if form.get("columnid") != ["1234"]:
            return '<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>0</totalrecord></datastore>'
        entries = self.items(self.columns["hanweb"], 2024)
        start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
        records = "".join(f"<record><![CDATA[{entry}]]></record>" for entry in entries[start - 1 : end])
        return (
            f'<?xml version="1.0" encoding="utf-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<totalrecord>{len(entries)}</totalrecord><recordset>{records}</recordset></datastore>"
        )

    def next_list(self, page: int) -> str:
        pages = self.pages("next")
        pager = f'<a href="list.html?page={page + 1}">下一页</a>' if page + 1 < len(pages) else "<span>下一页</span>"
        return _page("年报", "<ul>" + "".join(self.items(pages[page], 2023)) + f"</ul><div>{pager}</div>")

    def seq_list(self, page: int) -> str:
        pages = self.pages("seq")
        pager = " ".join(
            f'<a href="{"index.html" if n == 0 else f"index_{n + 1}.html"}">{n + 1}</a>' for n in range(len(pages))
        )
        return _page("年度报告", "<ul>" + "".join(self.items(pages[page], 2022)) + f"</ul><div>{pager}</div>")

    # --- Reports ----------------------------------------------------------------------

    def report_page(self, report: ColumnReport) -> str:
        if report.attachment:
            content = (
                '<p>详见附件。</p><p>附件：<a href="/trs/ndbg/files/report_%d.docx">年度报告.docx</a></p>' % report.id
            )
        else:
            content = render_html(report.sample, ("official", "word", "flat")[report.id % 3], page=False).decode()
        container = {
            "trs": '<div class="TRS_Editor">{}</div>',
            "hanweb": '<div id="zoom">{}</div>',
            "next": '<div class="article-content">{}</div>',
            "seq": "{}",
        }[report.family]
        meta = f'<meta name="PubDate" content="{report.published} 09:30">' if report.family == "trs" else ""
        dated = "" if meta else f"<div class='info'>发布时间：{report.published}　来源：本机关</div>"
        return _page(report.title, f"<h1>{html.escape(report.title)}</h1>{dated}{container.format(content)}", meta)

    def attachment(self, report_id: int) -> bytes:
        from support.rendering import render_docx

        report = next(r for r in self.all_reports() if r.id == report_id)
        with self.lock:
            if report_id not in self.attachments:
                self.attachments[report_id] = render_docx(report.sample)
            return self.attachments[report_id]


def _page(title: str, body: str, meta: str = "") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{meta}<title>{html.escape(title)}</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/xxgk/">政府信息公开</a></div>'
        f"{body}<div class='footer'>主办单位：某某市人民政府办公室</div></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    replica: SiteReplica
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.answer("GET", {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.answer("POST", parse_qs(self.rfile.read(length).decode("utf-8")))

    def answer(self, method: str, form: dict):
        url = urlparse(self.path)
        path, query = url.path, parse_qs(url.query)
        replica = self.replica
        with replica.lock:
            replica.requests.append((method, self.path))
        page = int(query.get("page", ["0"])[0])
        pages = {
            "/trs/ndbg/index.shtml": lambda: replica.trs_list(0),
            "/hanweb/col/col1234/index.html": replica.hanweb_list,
            "/next/list.html": lambda: replica.next_list(page),
            "/seq/index.html": lambda: replica.seq_list(0),
        }
        for number in range(1, len(replica.pages("trs"))):
            pages[f"/trs/ndbg/index_{number}.shtml"] = lambda number=number: replica.trs_list(number)
        for number in range(1, len(replica.pages("seq"))):
            pages[f"/seq/index_{number + 1}.html"] = lambda number=number: replica.seq_list(number)
        if path == "/robots.txt":
            return self.send(b"User-agent: *\nDisallow:\n", "text/plain")
        if path == "/module/web/jpage/dataproxy.jsp" and method == "POST":
            return self.send(replica.hanweb_proxy(query, form).encode(), "text/xml; charset=utf-8")
        if path in pages:
            return self.send(pages[path]().encode(), "text/html; charset=utf-8")
        if path in replica.by_path:
            return self.send(replica.report_page(replica.by_path[path]).encode(), "text/html; charset=utf-8")
        if path.startswith("/trs/ndbg/files/report_"):
            return self.send(replica.attachment(int(path.rsplit("_", 1)[1].split(".")[0])), DOCX)
        if path.startswith("/notice/"):
            return self.send(_page("通知", "<p>各单位：请按时发布年度报告。</p>").encode(), "text/html; charset=utf-8")
        self.send("<html><body>404</body></html>".encode(), "text/html", 404)

    def send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve offline replicas of agency sites on common CMS families.")
    parser.add_argument("--reports", type=int, default=12, help="reports per column")
    parser.add_argument("--port", type=int, default=8010)
    args = parser.parse_args()
    replica = SiteReplica(reports=args.reports)
    base = replica.serve(port=args.port)
    for family, path in LIST_PATHS.items():
        print(f"{family:7} {base}{path}")
    wait_until_interrupted(replica)


if __name__ == "__main__":
    main()
