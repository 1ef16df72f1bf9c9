"""Hostile sites (issue 16): what a crawl fetches, and that no listed report is lost without a word.

A column on 127.0.0.1 lists reports whose pages redirect off the portal (to
another loopback port, to another host), loop, or link an attachment on
another port of the same host. Another server on a second port counts every
request it gets: it must get none.
"""

import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support.samples import random_report, render_html
from test_crawl import rows
from test_site import crawl_site

pytestmark = pytest.mark.e2e


class _Bystander(BaseHTTPRequestHandler):
    """A service on another loopback port (an admin console, a metadata endpoint): never to be reached."""

    hits: list[str] = []

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write("<html><body>内部服务</body></html>".encode())


class _Column(BaseHTTPRequestHandler):
    bystander: int
    reports: list

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        titles = [report.title for report in self.reports]
        if self.path == "/ndbg/index.html":
            items = "".join(
                f'<li><a href="/ndbg/t2024_{n}.html" title="{t}">{t}</a></li>' for n, t in enumerate(titles)
            )
            return self.send(200, f"<html><head><meta charset='utf-8'></head><body><ul>{items}</ul></body></html>")
        redirects = {
            "/ndbg/t2024_0.html": f"http://127.0.0.1:{self.bystander}/admin",  # another port of this host
            "/ndbg/t2024_1.html": "/ndbg/t2024_2.html",  # 1 → 2 → 1: a loop
            "/ndbg/t2024_2.html": "/ndbg/t2024_1.html",
            "/ndbg/t2024_3.html": "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata address
        }
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if self.path == "/ndbg/t2024_5.html":  # a page that refreshes itself to the other port
            refresh = f"0;url=http://127.0.0.1:{self.bystander}/admin"
            return self.send(200, f'<html><head><meta http-equiv="refresh" content="{refresh}"></head></html>')
        if self.path == "/ndbg/t2024_4.html":  # a report whose attachment sits on the other port
            page = (
                render_html(self.reports[4])
                .decode()
                .replace("</body>", f'<a href="http://127.0.0.1:{self.bystander}/files/report.pdf">附件.pdf</a></body>')
            )
            return self.send(200, page)
        self.send(404, "<html><body>404</body></html>")

    def send(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def hostile_column():
    rng = random.Random(16)
    reports = [random_report(rng, agency=f"某县{name}局", year=2022) for name in "甲乙丙丁戊己"]
    bystander = serve(type("Bystander", (_Bystander,), {"hits": []}))
    column = serve(type("Column", (_Column,), {"bystander": bystander.server_address[1], "reports": reports}))
    yield f"http://127.0.0.1:{column.server_address[1]}/ndbg/index.html", bystander.RequestHandlerClass.hits, reports
    for server in (column, bystander):
        server.shutdown()
        server.server_close()


def test_nothing_off_the_portal_is_fetched_and_every_listed_report_is_accounted_for(hostile_column, tmp_path):
    url, bystander_hits, reports = hostile_column
    db = tmp_path / "g.db"
    result = crawl_site(db, "-a", f"url={url}", "-s", "RETRY_ENABLED=0", "-s", "GXCRAWL_MAX_ERRORS=10")
    assert bystander_hits == []  # neither the redirect nor the attachment reached the other port
    failures = {row["url"].rsplit("/", 1)[-1]: row["error"] for row in rows(db, "SELECT url, error FROM failures")}
    assert "redirected off the portal to http://127.0.0.1:" in failures["t2024_0.html"]
    assert "redirected off the portal to http://169.254.169.254/latest/meta-data/" in failures["t2024_3.html"]
    assert "redirect loop" in failures["t2024_1.html"] or "redirect loop" in failures["t2024_2.html"]
    assert "redirected off the portal to http://127.0.0.1:" in failures["t2024_5.html"]  # by <meta> refresh
    # The one readable report is stored; every other listed one is a failure row with its reason.
    assert [row["agency"] for row in rows(db, "SELECT agency FROM reports")] == [reports[4].agency]
    assert result.returncode == 0 or "few errors" not in result.stderr


class _FakeIds(BaseHTTPRequestHandler):
    """A list page linking a thousand reports that do not exist."""

    asked: list[str] = []

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.asked.append(self.path)
        if self.path == "/ndbg/index.html":
            items = "".join(
                f'<li><a href="/ndbg/t2024_{n}.html" title="某县{n}局2023年政府信息公开工作年度报告">x</a></li>'
                for n in range(1000)
            )
            body, status = f"<html><head><meta charset='utf-8'></head><body><ul>{items}</ul></body></html>", 200
        else:
            body, status = "<html><body>404</body></html>", 404
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_a_flood_of_failures_stops_the_crawl_early_with_a_clear_verdict(tmp_path):
    handler = type("FakeIds", (_FakeIds,), {"asked": []})
    server = serve(handler)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ndbg/index.html"
        result = crawl_site(
            tmp_path / "g.db", "-a", f"url={url}", "-s", "RETRY_ENABLED=0", "-s", "GXCRAWL_BREAKER_MIN_FETCHES=50"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert "stopping the crawl" in result.stderr and "too_many_failures" in result.stderr
    # 500 listed links followed at most (GXCRAWL_MAX_REPORTS_PER_LIST_PAGE), and far fewer fetched before the stop.
    assert len(handler.asked) < 300
    assert "more than GXCRAWL_MAX_REPORTS_PER_LIST_PAGE (500)" in result.stderr
