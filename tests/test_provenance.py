"""Provenance: every figure names the cell it was read from, and the cell there says what the figure was read from.

Each reader is checked against the document itself, not against the parser: the grid the HTML reader built,
python-docx's own table, PDFium's text inside the box, and for a scan the box of the same cell in the text-layer
PDF it was scanned from.
"""

import io
import json
import random
from decimal import Decimal

import pytest

from conftest import needs
from gxcrawl.cells import Kind, read_cell
from gxcrawl.documents import Grid, Paragraph, read_document
from gxcrawl.documents.model import PrintedLine
from gxcrawl.report import parse_document
from support.samples import CellStyle, random_report, render_html, render_text

STYLE = CellStyle(zero="—", thousands=True)


def sample(seed: str, form: str = "2021"):
    return random_report(random.Random(seed), form=form, busy=0.8)


def kind_of(key: str) -> Kind:
    return Kind.AMOUNT if key.endswith(".amount") else Kind.SIGNED if key.endswith(".change") else Kind.COUNT


def assert_raw_reads_as_figure(report):
    """Every figure read from a cell is what its raw text reads as; a blank cell's figure is null."""
    checked = 0
    for key, cell in report.cells.items():
        if "raw" not in cell or "rule" in cell or "settled_by" in cell:
            continue
        assert read_cell(cell["raw"], kind_of(key)).value == report.figures[key], (key, cell)
        checked += 1
    return checked


def grid_cells(document):
    return [block for block in document.blocks if isinstance(block, Grid)]


def test_html_figures_name_their_grid_cell_and_its_text_as_printed():
    report_sample = sample("html")
    page = render_html(report_sample, style=STYLE)
    report = parse_document(page, "r.html")
    grids = grid_cells(read_document(page))
    assert set(report.cells) >= {key for key, value in report.figures.items() if value is not None}
    for key, cell in report.cells.items():
        table, row, column = cell["cell"]
        assert grids[table - 1].rows[row - 1][column - 1] == cell["raw"], key
        assert "page" not in cell and "box" not in cell
    assert assert_raw_reads_as_figure(report) == len(report.cells)
    zeros = [key for key, value in report_sample.figures.items() if value == 0 and kind_of(key) is Kind.COUNT]
    assert zeros and all(report.cells[key]["raw"] == "—" for key in zeros)  # the dash as printed, read as 0
    thousands = [key for key, value in report_sample.figures.items() if value is not None and value >= 1000]
    assert all("," in report.cells[key]["raw"] for key in thousands)


def test_a_blank_cell_is_placed_and_a_derived_value_carries_its_rule():
    report_sample = sample("blank")
    report_sample.figures["applications.new.total"] = None  # printed blank; R3 settles it
    report = parse_document(render_html(report_sample), "r.html")
    cell = report.cells["applications.new.total"]
    assert cell["raw"] == "" and cell["cell"] and report.figures["applications.new.total"] is None
    assert cell["rule"] == report.derived_rules["applications.new.total"] and cell["rule"].startswith("R")


def test_text_figures_name_their_line_and_position():
    report_sample = sample("text")
    text = render_text(report_sample, layout="spaces").encode()
    report = parse_document(text, "r.txt")
    lines = [block for block in read_document(text).blocks if isinstance(block, Paragraph)]
    placed = [cell for cell in report.cells.values() if "line" in cell]
    assert placed
    for cell in placed:
        line, position = cell["line"]
        assert lines[line - 1].text.split()[position - 1] == cell["raw"]
    assert assert_raw_reads_as_figure(report) >= len(placed)


def test_a_printed_line_finds_each_figure_among_its_words():
    words = [("规章", (10, 100, 40, 112)), ("1,234", (60, 100, 90, 112)), ("—", (120, 100, 130, 112))]
    line = PrintedLine("规章 1,234\t— 5", 2, [*words, ("5", (150, 100, 156, 112))])
    located = line.located(["规章", "1,234", "—", "5"])
    assert [where.box for where in located] == [
        (10, 100, 40, 112),
        (60, 100, 90, 112),
        (120, 100, 130, 112),
        (150, 100, 156, 112),
    ]
    assert {where.page for where in located} == {2}
    # A figure split into two words by a gap is boxed whole.
    split = PrintedLine("1 234", 1, [("1", (0, 0, 5, 10)), ("234", (8, 0, 20, 10))])
    assert split.located(["1234"])[0].box == (0, 0, 20, 10)
    # A label holding the figure's digits: the figure is the one at the line's end, full-width brackets or not.
    label = PrintedLine(
        "（2）收到申请 2",
        1,
        [("（", (0, 0, 5, 10)), ("2", (5, 0, 10, 10)), ("）收到申请", (10, 0, 60, 10)), ("2", (80, 0, 85, 10))],
    )
    assert [where.box for where in label.located(["(2)收到申请", "2"])] == [(0, 0, 60, 10), (80, 0, 85, 10)]
    # A part the words do not spell leaves it, and every part left of it, on the page without a box.
    other = PrintedLine("规章 1,234 — 7", 2, words)
    assert [where.box for where in other.located(["规章", "1,234", "—", "7"])] == [None] * 4


def test_docx_figures_name_the_word_tables_cell():
    import docx

    from support.rendering import render_docx

    data = render_docx(sample("docx"), STYLE)
    report = parse_document(data, "r.docx")
    tables = docx.Document(io.BytesIO(data)).tables
    assert report.cells
    for key, cell in report.cells.items():
        table, row, column = cell["cell"]
        assert tables[table - 1].rows[row - 1].cells[column - 1].text == cell["raw"], key
    assert assert_raw_reads_as_figure(report) == len(report.cells)


@pytest.fixture(scope="module")
def printed():
    needs("chromium")
    from support.rendering import print_page, print_pdf

    report_sample = sample("pdf")
    return report_sample, print_pdf(print_page(report_sample, "official", STYLE))


def text_in(pdf: bytes, page_number: int, box) -> str:
    """What PDFium finds inside a box (top-left origin, points) of a page: the reference for a cell's box."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[page_number - 1]
        height = page.get_height()
        x0, top, x1, bottom = box
        textpage = page.get_textpage()
        return textpage.get_text_bounded(left=x0, bottom=height - bottom, right=x1, top=height - top)
    finally:
        document.close()


@pytest.mark.e2e
def test_pdf_figures_name_their_page_and_box_and_the_box_holds_the_figure(printed):
    report_sample, pdf = printed
    report = parse_document(pdf, "r.pdf")
    read = [key for key, value in report.figures.items() if value is not None]
    assert len(read) == len(report_sample.figures)
    pages = {cell["page"] for cell in report.cells.values()}
    assert len(pages) >= 2  # tables run over pages: each figure names its own
    for key in read:
        cell = report.cells[key]
        assert "".join(text_in(pdf, cell["page"], cell["box"]).split()) == "".join(cell["raw"].split()), key
    assert assert_raw_reads_as_figure(report) == len(report.cells)


@pytest.mark.e2e
def test_a_scans_figures_are_boxed_where_the_page_printed_them(printed):
    from support.rendering import scan_pdf

    report_sample, pdf = printed
    text_layer = parse_document(pdf, "r.pdf")
    scanned = parse_document(scan_pdf(pdf, dpi=150), "scan.pdf")
    assert scanned.format == "image"
    compared = 0
    for key, cell in scanned.cells.items():
        if "box" not in cell:  # a figure derived where OCR found no cell (a dash lost with the ruling) is not placed
            continue
        reference = text_layer.cells[key]
        assert cell["page"] == reference["page"], key
        assert overlap(cell["box"], reference["box"]) > 0.8, (key, cell["box"], reference["box"])
        compared += 1
    assert compared >= 0.95 * len(report_sample.figures)


@pytest.mark.e2e
def test_a_scanned_images_boxes_are_in_its_own_pixels(printed):
    """A page photographed at 200 dpi, wider than OCR reads it: boxes in the image's pixels, not the reduced ones."""
    import pypdfium2

    _, pdf = printed
    text_layer = parse_document(pdf, "r.pdf")
    document = pypdfium2.PdfDocument(pdf)
    picture = io.BytesIO()
    document[0].render(scale=200 / 72).to_pil().convert("L").save(picture, "PNG")
    document.close()
    scanned = parse_document(picture.getvalue(), "page.png")
    assert scanned.format == "image"
    boxed = [key for key, cell in scanned.cells.items() if "box" in cell]
    assert len(boxed) >= 10
    for key in boxed:
        expected = [value * 200 / 72 for value in text_layer.cells[key]["box"]]
        assert scanned.cells[key]["page"] == 1
        assert overlap(scanned.cells[key]["box"], expected) > 0.8, (key, scanned.cells[key]["box"], expected)


def overlap(a, b) -> float:
    """Intersection over union of two boxes."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_the_report_json_stays_compact():
    report = parse_document(render_html(sample("size")), "r.html")
    printed = {"ensure_ascii": False, "separators": (",", ":")}  # as `gxcrawl parse` prints it
    whole = json.dumps(report.to_json(), **printed)
    without = json.dumps({k: v for k, v in report.to_json().items() if k != "cells"}, **printed)
    assert len(whole) <= 3 * len(without)


def test_a_reading_crossing_the_process_boundary_keeps_its_sources():
    from gxcrawl.report import Report

    report = parse_document(render_html(sample("record")), "r.html")
    again = Report.from_record(json.loads(json.dumps(report.to_record(), ensure_ascii=False)))
    assert again.cells == report.cells and again.unsettled == report.unsettled
    assert again.figures == report.figures and isinstance(next(iter(again.figures.values())), (Decimal, type(None)))


def test_storage_keeps_the_sources_of_every_version_and_a_reparse_writes_them_afresh(tmp_path):
    from gxcrawl.cli import main
    from gxcrawl.store.schema import open_database

    report_sample = sample("stored")
    page = tmp_path / "r.html"
    page.write_bytes(render_html(report_sample, style=STYLE))
    db_path = str(tmp_path / "g.db")
    assert main(["import", str(page), "--db", db_path]) == 0
    report = parse_document(page.read_bytes(), str(page))
    db = open_database(db_path)
    stored = {row["key"]: row for row in db.query("SELECT * FROM figure_sources_current")}
    assert set(stored) == set(report.cells)
    for key, cell in report.cells.items():
        row = stored[key]
        assert [row["table_number"], row["grid_row"], row["grid_column"]] == cell["cell"] and row["raw"] == cell["raw"]
        assert row["status"] == ("blank" if cell["raw"] == "" else "derived" if "rule" in cell else "read")
    version = db.execute("SELECT id, read_from, documents FROM report_versions").fetchone()
    assert json.loads(version[2])[0]["sha256"] == version[1]  # the document the figures point into
    # What an older parser wrote is replaced by what this one reads; the version itself stays as it was.
    db.conn.execute("UPDATE figure_sources SET raw = 'misplaced', grid_row = 99")
    db.conn.execute("DELETE FROM figure_sources WHERE key = 'review.total'")
    db.conn.commit()
    db.close()
    assert main(["reparse", "--db", db_path]) == 0
    db = open_database(db_path)
    again = {row["key"]: row for row in db.query("SELECT * FROM figure_sources_current")}
    assert again == stored
    assert db.execute("SELECT count(*) FROM report_versions").fetchone()[0] == 1
    db.close()


def one_word_pdf(page_entries: str, mediabox: str) -> bytes:
    """A one-page PDF printing 「12345」 at (100, 700) in its own space, its page dictionary given extra entries."""
    content = b"BT /F1 24 Tf 100 700 Td (12345) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox {mediabox} {page_entries} "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, 2)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    table = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table))
    return out.getvalue()


@pytest.mark.parametrize(
    ("entries", "mediabox"),
    [
        ("", "[0 0 612 792]"),
        ("/Rotate 90", "[0 0 612 792]"),
        ("/Rotate 270", "[0 0 612 792]"),
        ("", "[0 100 612 892]"),
        ("/Rotate 180 /CropBox [50 50 562 742]", "[0 0 612 792]"),
    ],
)
def test_boxes_are_on_the_page_as_it_is_shown_turned_and_cropped(entries, mediabox):
    import numpy
    import pypdfium2
    from PIL import Image

    from gxcrawl.documents.pages import page_picture
    from gxcrawl.documents.pdfpage import PdfiumPage

    data = one_word_pdf(entries, mediabox)
    document = pypdfium2.PdfDocument(data)
    chars = PdfiumPage(document[0], 1).chars
    document.close()
    box = enclosing_chars(chars)
    png, scale = page_picture(data, 1)
    ink = numpy.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128
    ys, xs = numpy.nonzero(ink)
    printed = (xs.min() / scale, ys.min() / scale, xs.max() / scale, ys.max() / scale)
    assert all(abs(a - b) < 8 for a, b in zip(box, printed)), (box, printed)


def enclosing_chars(chars) -> tuple:
    return (
        min(char["x0"] for char in chars),
        min(char["top"] for char in chars),
        max(char["x1"] for char in chars),
        max(char["bottom"] for char in chars),
    )


def test_a_printed_cell_that_was_not_read_is_stored_as_unread():
    from gxcrawl.report import Report
    from gxcrawl.store.sources import source_rows

    report = Report("r.html", figures={"review.total": None, "review.upheld": None})
    report.cells = {"review.total": {"raw": "不详", "cell": [3, 4, 5]}, "review.upheld": {"raw": "", "cell": [3, 4, 1]}}
    rows = source_rows(report)
    assert (rows["review.total"]["status"], rows["review.upheld"]["status"]) == ("unread", "blank")


def test_the_same_text_fetched_as_other_bytes_keeps_the_sources_of_its_own_document(tmp_path):
    from gxcrawl.archive import Archive
    from gxcrawl.model import Fetch
    from gxcrawl.recording import record
    from gxcrawl.store.schema import open_database

    page = render_html(sample("bytes"))
    again = page.replace(b"</body>", b"<!-- exported anew --></body>")
    db = open_database(tmp_path / "g.db")
    archive = Archive(tmp_path / "archive")
    url = "http://portal/view/9"
    assert record(db, archive, Fetch("henan", url), [{"url": url, "body": page}]).outcome == "new"
    first = db.execute("SELECT read_from FROM report_versions").fetchone()[0]
    sources = list(db.query("SELECT * FROM figure_sources"))
    assert record(db, archive, Fetch("henan", url), [{"url": url, "body": again}]).outcome == "unchanged"
    assert db.execute("SELECT read_from FROM report_versions").fetchone()[0] == first == archive.put(page)
    assert list(db.query("SELECT * FROM figure_sources")) == sources
    db.close()
