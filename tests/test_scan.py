"""Scanned PDFs (page images, no text layer) read by their ruling: tables cell by cell.

A figure must be read right or left null with a warning; never wrong. The
synthetic scans are generated reports printed by Chromium and rendered at
150 dpi in grey; the real one is ../shared/realworld/docs/szfgs2024.pdf
rendered the same way by pdftoppm, whose own text layer is the reference.
"""

import io
import random
import subprocess

import numpy
import pytest

from conftest import ROOT, missing, needs
from gxcrawl.cells import ALTERNATIVE, UNREADABLE
from gxcrawl.documents import read_document
from gxcrawl.documents.model import Grid
from gxcrawl.documents.ocr import figure_cell
from gxcrawl.documents.recognise import Reading, _decoded
from gxcrawl.documents.ruled import find_tables, ruling
from gxcrawl.forms import FORMS
from gxcrawl.report import parse_document
from support.rendering import print_page, print_pdf, scan_pdf
from support.samples import random_report

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

REAL = ROOT.parent / "shared" / "realworld" / "docs" / "szfgs2024.pdf"


@pytest.fixture(scope="module", params=["2019", "2021"])
def scanned(request):
    needs("chromium")
    sample = random_report(random.Random(f"scan-{request.param}"), form=request.param, busy=0.9)
    return sample, scan_pdf(print_pdf(print_page(sample)), dpi=150)


def test_a_scanned_report_reads_every_figure_or_says_why(scanned):
    sample, pdf = scanned
    report = parse_document(pdf, "scan.pdf")
    assert report.error is None
    assert (report.format, report.agency, report.year, report.template) == (
        "image",
        sample.agency,
        sample.year,
        sample.form,
    )
    assert compare_read(report, sample) == {}, "OCR must leave a figure null rather than guess it"
    assert any(value is not None and value >= 10 for value in sample.figures.values())
    read = sum(report.figures.get(key) == value for key, value in sample.figures.items())
    assert read >= 0.99 * len(sample.figures)
    assert read == len(sample.figures) or report.warnings


def test_a_page_scanned_askew_on_grey_noisy_paper_is_read_or_left_null(scanned):
    import pypdfium2
    from PIL import Image

    sample, pdf = scanned
    document = pypdfium2.PdfDocument(pdf)
    noise = numpy.random.default_rng(0)
    pages = []
    for index in range(len(document)):
        page = numpy.asarray(document[index].render(scale=150 / 72).to_pil().convert("L"), dtype=float)
        page = page * 0.85 + 20 + noise.normal(0, 12, page.shape)  # grey paper, sensor noise
        out = io.BytesIO()
        Image.fromarray(numpy.clip(page, 0, 255).astype(numpy.uint8)).rotate(1.5, fillcolor=235).save(
            out, "JPEG", quality=40
        )
        pages.append(Image.open(io.BytesIO(out.getvalue())))
    document.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    report = parse_document(out.getvalue(), "askew.pdf")
    assert compare_read(report, sample) == {}
    assert sum(report.figures.get(key) == value for key, value in sample.figures.items()) >= 0.99 * len(sample.figures)


def compare_read(report, sample) -> dict:
    """Figures read (not null) and different from the sample's."""
    return {
        key: (value, report.figures.get(key))
        for key, value in sample.figures.items()
        if report.figures.get(key) not in (value, None)
    }


def test_a_scanned_form_comes_out_in_the_grid_shape_of_its_tables(scanned):
    sample, pdf = scanned
    grids = [block for block in read_document(pdf).blocks if isinstance(block, Grid)]
    applications = FORMS[sample.form].table("applications")
    figure_rows = [
        row
        for grid in grids
        for row in grid.rows
        if len(row) == 10 and all(cell and cell.isdigit() for cell in row[3:])
    ]
    # Table 三: its rows of 7 figures, the last row alone on its page joined to the rest.
    assert len(figure_rows) == len(applications.rows)
    review = [grid for grid in grids if len(grid.rows[0]) == 15]
    assert len(review) == 1 and len(review[0].rows) == 4 and all(review[0].rows[3])


@pytest.fixture(scope="module")
def real_scan(tmp_path_factory) -> bytes:
    if not REAL.exists():
        missing(f"the shared real documents are not at {REAL.parent}")
    needs("pdftoppm")
    from PIL import Image

    folder = tmp_path_factory.mktemp("szfgs")
    subprocess.run(["pdftoppm", "-r", "150", "-gray", str(REAL), str(folder / "page")], check=True, timeout=120)
    pages = [Image.open(path) for path in sorted(folder.glob("page-*.pgm"))]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()


def test_a_real_scanned_report_reads_as_its_text_layer(real_scan):
    reference = parse_document(REAL.read_bytes(), REAL.name)
    report = parse_document(real_scan, "szfgs2024-scanned.pdf")
    assert report.format == "image"
    assert (report.agency, report.year) == (reference.agency, reference.year)
    expected = {key: value for key, value in reference.figures.items() if value is not None}
    assert len(expected) == 200
    different = {
        key: (value, report.figures.get(key))
        for key, value in expected.items()
        if report.figures.get(key) not in (value, None)
    }
    assert different == {}
    read = sum(report.figures.get(key) == value for key, value in expected.items())
    assert read >= 0.995 * len(expected)


# --- The parts, on drawn images and made-up model outputs ----------------------------------------


def test_ruling_gives_rows_columns_and_merged_cells():
    import cv2

    page = numpy.full((600, 800), 255, numpy.uint8)
    xs, ys = [100, 300, 450, 600, 700], [100, 160, 220, 280, 340]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in (xs[0], xs[-1]):
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    for x in xs[1:-1]:  # the first row is one cell over the last three columns
        cv2.line(page, (x, ys[1] if x != xs[1] else ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(page, (xs[0], ys[2]), (xs[1], ys[2]), 255, 4)  # the first column's rows 1 and 2 merged
    cv2.line(page, (xs[0], ys[2] - 2), (xs[0], ys[2] + 2), 0, 2)
    tables = find_tables(*ruling(page))
    assert len(tables) == 1
    table = tables[0]
    assert (len(table.ys) - 1, len(table.xs) - 1) == (4, 4)
    spans = {(cell.row, cell.column): (cell.rows, cell.columns) for cell in table.cells}
    assert spans[(0, 1)] == (1, 3)
    assert spans[(1, 0)] == (2, 1)
    assert spans[(3, 3)] == (1, 1)
    assert len(table.cells) == 16 - 2 - 1


def test_a_title_in_bold_is_not_a_table():
    import cv2

    page = numpy.full((400, 1000), 255, numpy.uint8)
    cv2.putText(page, "H", (400, 200), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 12)
    assert find_tables(*ruling(page)) == []


def _probabilities(steps: list[dict[int, float]], classes: int = 12) -> numpy.ndarray:
    out = numpy.zeros((len(steps), classes), numpy.float32)
    for row, step in enumerate(steps):
        for index, p in step.items():
            out[row, index] = p
    return out


# Class 0 is CTC's blank; the others stand for these characters.
CHARACTERS = ["blank", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", " "]


def test_an_unsure_digit_gives_its_second_reading_as_an_alternative():
    sure_1, unsure_3_or_8 = {2: 0.99, 0: 0.01}, {4: 0.6, 9: 0.4}
    reading = _decoded(_probabilities([sure_1, {0: 1.0}, unsure_3_or_8, {0: 1.0}]), CHARACTERS)
    assert (reading.text, reading.alternatives) == ("13", ["18"])
    assert figure_cell(reading) == (f"13{ALTERNATIVE}18", None)


def test_a_sure_figure_is_itself_and_a_doubtful_one_unreadable():
    sure = _decoded(_probabilities([{2: 0.99, 0: 0.01}, {0: 1.0}, {5: 0.98, 0: 0.02}]), CHARACTERS)
    assert (sure.text, sure.alternatives, figure_cell(sure)) == ("14", [], ("14", None))
    doubtful = [{0: 1.0}, {2: 0.5, 3: 0.5}, {0: 1.0}, {4: 0.5, 5: 0.5}, {0: 1.0}, {6: 0.5, 7: 0.5}]
    reading = _decoded(_probabilities(doubtful), CHARACTERS)
    assert reading.doubtful
    cell, problem = figure_cell(reading)
    assert cell == UNREADABLE and "unreadable" in problem


def test_text_is_never_made_a_figure():
    assert figure_cell(Reading("信息内容", ["信息内", "信息内容1"], 0.4)) == ("信息内容", None)
