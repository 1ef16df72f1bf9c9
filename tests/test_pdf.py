"""PDF attachments: printed by Chromium from generated reports, read back figure by figure."""

import io
import random

import pytest

from conftest import compare, needs
from gxcrawl.documents import Grid, read_document
from gxcrawl.documents.pdf import DEFAULT_MAX_PAGES
from gxcrawl.report import parse_document
from support.rendering import print_page, print_pdf
from support.samples import CellStyle, random_report

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def samples():
    rng = random.Random("pdf")
    return {form: random_report(rng, form=form, busy=0.6) for form in ("2021", "2019")}


@pytest.fixture(scope="module")
def pdfs(samples):
    needs("chromium")
    return {
        (form, layout): print_pdf(
            print_page(sample, layout, CellStyle(zero="—", thousands=True), ruled=layout != "flat"), furniture=furniture
        )
        for form, sample in samples.items()
        for layout, furniture in (("official", True), ("flat", False), ("word", False))
    }


@pytest.mark.parametrize("form", ["2021", "2019"])
@pytest.mark.parametrize("layout", ["official", "flat", "word"])
def test_printed_reports_read_figure_by_figure(pdfs, samples, form, layout):
    report = parse_document(pdfs[form, layout], f"{form}-{layout}.pdf")
    sample = samples[form]
    assert report.error is None
    assert (report.format, report.agency, report.year, report.template) == ("pdf", sample.agency, sample.year, form)
    assert compare(report, sample) == {}
    assert report.checks == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}
    assert report.warnings == []
    assert report.sections["other"] == sample.sections["other"]


def test_tables_cut_by_a_page_break_are_joined(pdfs):
    document = read_document(pdfs["2021", "official"])
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdfs["2021", "official"])) as pdf:
        assert len(pdf.pages) >= 2
    grids = [block for block in document.blocks if isinstance(block, Grid)]
    applications = [grid for grid in grids if any("本年新收" in (cell or "") for row in grid.rows for cell in row)]
    assert len(applications) == 1
    labels = "".join(cell or "" for row in applications[0].rows for cell in row)
    assert "结转下年度继续办理" in labels  # the table's last row, on the next page


def test_print_furniture_is_dropped(pdfs):
    text = read_document(pdfs["2021", "official"]).text()
    assert "file://" not in text and " PM " not in text and " AM " not in text


def test_encrypted_pdf(pdfs):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfs["2021", "flat"])))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    report = parse_document(out.getvalue(), "locked.pdf")
    assert "encrypted" in report.error


def test_damaged_pdfs_get_an_error_or_a_partial_reading(pdfs):
    data = pdfs["2021", "flat"]
    assert "damaged" in parse_document(b"%PDF-1.7\n" + bytes(range(256)) * 40, "junk.pdf").error
    for cut in (len(data) // 3, len(data) // 2, len(data) - 200):
        report = parse_document(data[:cut], f"cut-{cut}.pdf")
        assert report.error is None or "bug" not in report.error


def test_a_pdf_of_hundreds_of_pages_is_read_up_to_the_cap(pdfs):
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdfs["2021", "flat"]))
    writer = PdfWriter()
    for _ in range(300 // len(reader.pages) + 1):
        for page in reader.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    report = parse_document(out.getvalue(), "long.pdf")
    assert any(f"only the first {DEFAULT_MAX_PAGES} were read" in warning for warning in report.warnings)
    assert report.figures_found > 0


def test_pdfs_exported_from_word_by_libreoffice(samples):
    needs("soffice")
    from support.rendering import docx_to_pdf, render_docx

    for sample, pdf in zip(samples.values(), docx_to_pdf([render_docx(s) for s in samples.values()])):
        report = parse_document(pdf, "word.pdf")
        assert (report.format, report.agency, report.template) == ("pdf", sample.agency, sample.form)
        assert compare(report, sample) == {}
        assert report.warnings == []
