"""A report's page shows where each figure was read; `gxcrawl browse` serves the archived documents and their pages.

Through datasette's own test client, on a database whose reports were recorded (archived, read, stored) from
generated documents.
"""

import asyncio
import io
import os
import random
import re
from html import unescape

import pytest
from datasette.utils import tilde_encode

from conftest import needs
from gxcrawl.archive import Archive, beside
from gxcrawl.browse.server import make_datasette
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.store.schema import open_database
from support.samples import random_report, render_html

BLANK = "applications.new.total"  # printed blank: R3 derives it
OFF = "applications.granted.total"  # printed one too many: R3 and R4 fail on it


def recorded(path, documents: dict[str, list[dict]]) -> None:
    """Record each report's documents (by page URL) into the database at `path`, with its archive beside it."""
    db = open_database(path)
    try:
        for index, (url, files) in enumerate(documents.items()):
            record(db, Archive(beside(path)), Fetch("henan", url, portal_id=index), files)
    finally:
        db.close()


def client(path):
    datasette = make_datasette([path])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(datasette.invoke_startup())

    def get(url: str, status: int = 200):
        response = loop.run_until_complete(datasette.client.get(url))
        assert response.status_code == status, (url, response.status_code, response.text[:300])
        return response

    get.raw = lambda url: loop.run_until_complete(datasette.client.get(url))
    return get, loop


@pytest.fixture(scope="module")
def html_reports(tmp_path_factory):
    path = tmp_path_factory.mktemp("sources") / "g.db"
    sample = random_report(random.Random("sources"), agency="卫辉市商务局", year=2022, form="2021", busy=0.8)
    sample.figures[BLANK] = None
    page = render_html(sample)
    sample.figures[OFF] += 1
    sample.agency = "新乡市财政局"
    broken = render_html(sample)
    recorded(
        path,
        {
            "http://portal/view/1": [{"url": "http://portal/view/1", "body": page, "content_type": "text/html"}],
            "http://portal/view/2": [{"url": "http://portal/view/2", "body": broken}],
        },
    )
    get, loop = client(path)
    yield get, path
    loop.close()


def form_cells(page: str) -> dict[str, dict]:
    """The value cells of a report's page: key → its class, title and text."""
    cells = {}
    for match in re.finditer(
        r'<td data-key="([^"]+)" title="([^"]*)"(?: data-image="[^"]*")?(?: class="([^"]*)")?>([^<]*)</td>', page
    ):
        key, title, classes, text = match.groups()
        cells[key] = {"title": unescape(title), "classes": set((classes or "").split()), "text": text}
    return cells


def report_page(get, report_id: str) -> str:
    return get("/g/reports/" + tilde_encode(report_id)).text


def test_each_cell_says_where_it_was_read_and_how(html_reports):
    get, _ = html_reports
    cells = form_cells(report_page(get, "henan/卫辉市商务局/2022"))
    granted = cells["applications.granted.natural_person"]
    assert granted["classes"] == {"read"}
    assert "印刷为 · printed as 「" in granted["title"] and "表 · table 2, 行 · row" in granted["title"]
    blank = cells[BLANK]
    assert "derived" in blank["classes"] and blank["text"]  # the derived value is shown, marked as derived
    assert "规则 · rule R" in blank["title"] and "「」" in blank["title"]
    assert not any("failing" in cell["classes"] for cell in cells.values())


def test_cells_of_a_failed_check_are_marked_with_its_message(html_reports):
    get, _ = html_reports
    cells = form_cells(report_page(get, "henan/新乡市财政局/2022"))
    off = cells[OFF]
    assert "failing" in off["classes"]
    assert "未通过 · fails R3 row granted: " in off["title"] and "≠" in off["title"]
    assert "未通过 · fails R4 column total: " in off["title"]


def test_the_archived_documents_are_linked_and_served_read_only(html_reports):
    get, path = html_reports
    page = report_page(get, "henan/卫辉市商务局/2022")
    link = re.search(r'<a href="(/-/gxcrawl/g/documents/([0-9a-f]{64}))">http://portal/view/1</a> \(数字读自此件', page)
    assert link
    response = get(link.group(1))
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("sandbox")  # the agency's scripts never run here
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == Archive(beside(path)).get(link.group(2))


def test_nothing_outside_the_archive_is_served(html_reports, tmp_path):
    get, path = html_reports
    archive = beside(path)
    outside = tmp_path / "secret"
    outside.write_text("not for the browser")
    planted = "ab" * 32
    (archive / planted[:2]).mkdir(exist_ok=True)
    os.symlink(outside, archive / planted[:2] / planted)
    for url in (
        f"/-/gxcrawl/g/documents/{planted}",  # a link inside the archive to a file outside it
        f"/-/gxcrawl/g/documents/{'0' * 64}",
        f"/-/gxcrawl/other/documents/{'0' * 64}",
        f"/-/gxcrawl/g/pages/{planted}/1.png",
    ):
        get(url, 404)
    # A path that names no hash is no route of gxcrawl's: datasette answers it as any unknown page, with no file.
    assert "SQLite format" not in get.raw("/-/gxcrawl/g/documents/..%2F..%2Fg.db").text


def test_a_page_picture_of_a_web_page_is_refused_with_a_reason(html_reports):
    get, path = html_reports
    sha = re.search(r"/documents/([0-9a-f]{64})", report_page(get, "henan/卫辉市商务局/2022")).group(1)
    response = get(f"/-/gxcrawl/g/pages/{sha}/1.png", 422)
    assert "only PDFs and scanned images have pages to show" in response.text


@pytest.fixture(scope="module")
def pdf_report(tmp_path_factory):
    needs("chromium")
    from support.rendering import print_page, print_pdf

    path = tmp_path_factory.mktemp("pdf") / "g.db"
    sample = random_report(random.Random("browse-pdf"), agency="郑州市教育局", year=2022, form="2021", busy=0.8)
    pdf = print_pdf(print_page(sample))
    recorded(
        path,
        {
            "http://portal/view/3": [
                {"url": "http://portal/view/3", "body": "<html><body><p>详见附件</p></body></html>".encode()},
                {"url": "http://portal/files/3.pdf", "body": pdf, "content_type": "application/pdf"},
            ]
        },
    )
    get, loop = client(path)
    yield get, sample
    loop.close()


def red_box(png: bytes) -> tuple[int, int, int, int]:
    """The bounds of the red pixels drawn on a picture."""
    import numpy
    from PIL import Image

    pixels = numpy.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = (pixels[:, :, 0] > 180) & (pixels[:, :, 1] < 60) & (pixels[:, :, 2] < 60)
    ys, xs = numpy.nonzero(red)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.mark.e2e
def test_a_pdf_cell_links_to_its_page_with_its_box_drawn(pdf_report):
    get, sample = pdf_report
    page = report_page(get, "henan/郑州市教育局/2022")
    documents = re.findall(r'<a href="/-/gxcrawl/g/documents/[0-9a-f]{64}">([^<]+)</a>( \(数字读自此件)?', page)
    assert documents == [("http://portal/files/3.pdf", " (数字读自此件"), ("http://portal/view/3", "")]
    image = unescape(re.search(r'<td data-key="review.total"[^>]*data-image="([^"]+)"', page).group(1))
    box = [float(value) for value in re.search(r"box=([\d.,]+)", image).group(1).split(",")]
    response = get(image)
    assert response.headers["content-type"] == "image/png"
    x0, top, x1, bottom = red_box(response.content)
    import pypdfium2
    from PIL import Image

    pdf = get(re.search(r'<a href="([^"]+)">http://portal/files/3.pdf', page).group(1)).content
    page_width = pypdfium2.PdfDocument(pdf)[0].get_width()
    scale = Image.open(io.BytesIO(response.content)).width / page_width
    # The box is drawn 2 pixels outside the cell's, with a line 3 pixels wide.
    assert abs(x0 - box[0] * scale) < 4 and abs(x1 - box[2] * scale) < 4
    assert abs(top - box[1] * scale) < 4 and abs(bottom - box[3] * scale) < 4
    assert get(image.split("?")[0]).content != response.content  # the same page without the box: no red


def test_a_scanned_images_page_is_the_image_and_its_box_is_in_its_own_pixels():
    from PIL import Image

    from gxcrawl.documents.model import DocumentError
    from gxcrawl.documents.pages import SHOWN_WIDTH, page_picture, with_box

    scan = io.BytesIO()
    Image.new("L", (2400, 3400), 255).save(scan, "PNG")
    png, scale = page_picture(scan.getvalue(), 1)
    assert Image.open(io.BytesIO(png)).width == SHOWN_WIDTH and scale == SHOWN_WIDTH / 2400
    assert red_box(with_box(png, scale, (600, 1000, 1200, 1100))) == (298, 498, 602, 552)
    with pytest.raises(DocumentError, match="one page"):
        page_picture(scan.getvalue(), 2)
    with pytest.raises(DocumentError, match="only PDFs and scanned images"):
        page_picture(b"<html>a page</html>", 1)


def test_cells_without_a_stored_source_are_not_called_derived():
    """A database stored before sources were kept: its figures are shown as they are, not as derived ones."""
    from gxcrawl.browse.layout import printed_tables
    from gxcrawl.browse.sources import annotate

    tables = printed_tables("2021", {"review.total": 3})
    annotate(tables, {"review.total": None, "review.upheld": None, "review.pending": 2}, {}, [], lambda _: None)
    cells = {cell.key: cell for table in tables for line in table.rows for cell in line if cell.key}
    assert (cells["review.total"].status, cells["review.total"].note) == (None, None)
    assert cells["review.upheld"].status is None and "not found in the report" in cells["review.upheld"].note
    assert (cells["review.pending"].status, cells["review.pending"].text) == ("derived", "2")


def test_documents_follow_the_databases_permissions(html_reports):
    get, path = html_reports
    sha = re.search(r"/documents/([0-9a-f]{64})", report_page(get, "henan/卫辉市商务局/2022")).group(1)
    datasette = make_datasette([path])
    datasette._metadata_local["databases"]["g"]["allow"] = {"id": "the-archivist"}
    loop = asyncio.new_event_loop()
    try:
        denied = loop.run_until_complete(datasette.client.get(f"/-/gxcrawl/g/documents/{sha}"))
        assert denied.status_code == 403
        cookies = {"ds_actor": datasette.sign({"a": {"id": "the-archivist"}}, "actor")}
        granted = loop.run_until_complete(datasette.client.get(f"/-/gxcrawl/g/documents/{sha}", cookies=cookies))
        assert granted.status_code == 200
    finally:
        loop.close()
