"""Sample reports in the attachment formats: DOCX, DOC, PDF and scans.

For the offline replicas, the tests, the demo and the benchmarks (not shipped): `samples` lays a
report out; this module produces the files a portal would attach. DOCX is built
with python-docx, merged cells merged; DOC is that DOCX converted by
LibreOffice; PDF is printed and PNG photographed by headless Chromium, the way
agencies print pages (so Chinese glyphs need fonts-noto-cjk installed).
"""

import html
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gxcrawl.chromium import CHROMIUM_FLAGS, find_chromium
from gxcrawl.forms import SECTIONS
from support.samples import (
    CellStyle,
    Layout,
    SampleReport,
    active_tables,
    applications_table,
    render_html,
    review_table,
)

PRINT_CSS = """body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 12pt; }
table { border-collapse: collapse; margin: 6pt 0; } td { padding: 2pt 4pt; text-align: center; }"""
RULED_CSS = "td { border: 1px solid #000; }"


class RenderingUnavailable(RuntimeError):
    """A tool a format needs (Chromium, LibreOffice) is not installed; the message says which."""


def place(layout: Layout) -> list[tuple[int, int, object]]:
    """(row, column, cell) of each cell of a merged-cell layout, as a table grid places them."""
    placed = []
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(layout):
        column = 0
        for cell in cells:
            while (r, column) in taken:
                column += 1
            placed.append((r, column, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, column + dc))
            column += cell.colspan
    return placed


# --- DOCX and DOC ---------------------------------------------------------------------


def render_docx(report: SampleReport, style: CellStyle | None = None, flat: bool = False) -> bytes:
    """The report as a Word file: headings, paragraphs, and tables with merged cells."""
    import docx

    style = style or CellStyle()
    document = docx.Document()
    document.add_paragraph(report.title)
    for section in SECTIONS:
        document.add_paragraph(section.heading)
        if section.prose:
            for line in report.sections.get(section.key, "").splitlines():
                document.add_paragraph(line)
        elif section.key == "active":
            for layout in active_tables(report, style, flat):
                _docx_table(document, layout)
        elif section.key == "applications":
            _docx_table(document, applications_table(report, style, flat))
        else:
            _docx_table(document, review_table(report, style, flat))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_table(document, layout: Layout) -> None:
    placed = place(layout)
    rows = max(r + cell.rowspan for r, _, cell in placed)
    columns = max(c + cell.colspan for _, c, cell in placed)
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    for r, c, cell in placed:
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        target.text = cell.text


def docx_to_doc(data: bytes) -> bytes:
    """A DOCX converted to Word 97-2003 by LibreOffice."""
    return convert_docx([data], "doc:MS Word 97", "doc")[0]


def docx_to_pdf(documents: list[bytes]) -> list[bytes]:
    """DOCX files exported to PDF by LibreOffice, as agencies export from Word or WPS."""
    return convert_docx(documents, "pdf", "pdf")


def convert_docx(documents: list[bytes], target: str, extension: str) -> list[bytes]:
    """DOCX files converted by one LibreOffice run (it starts slowly)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise RenderingUnavailable(
            f"making {extension.upper()} files from Word needs LibreOffice: apt-get install libreoffice-writer-nogui"
        )
    with tempfile.TemporaryDirectory(prefix="gxcrawl-render-") as work:
        sources = []
        for index, data in enumerate(documents):
            sources.append(Path(work) / f"report{index}.docx")
            sources[-1].write_bytes(data)
        subprocess.run(
            [
                office,
                f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                work,
                *map(str, sources),
            ],
            capture_output=True,
            timeout=180 + 10 * len(sources),
            check=False,
            env={**os.environ, "HOME": work},
        )
        converted = [source.with_suffix(f".{extension}") for source in sources]
        if not all(path.exists() for path in converted):
            raise RenderingUnavailable(f"LibreOffice did not convert the DOCX files to {extension.upper()}")
        return [path.read_bytes() for path in converted]


def scan_pdf(pdf: bytes, dpi: int = 150) -> bytes:
    """A PDF as a scanner would return it: every page an image, no text."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [document[index].render(scale=dpi / 72).to_pil().convert("L") for index in range(len(document))]
    finally:
        document.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


# --- PDF and PNG through Chromium ----------------------------------------------------------


def print_page(
    report: SampleReport, layout: str = "official", style: CellStyle | None = None, ruled: bool = True
) -> bytes:
    """A print-ready page of the report only, as an attachment would hold it."""
    content = render_html(report, layout, style, page=False).decode("utf-8")
    css = PRINT_CSS + (RULED_CSS if ruled else "")
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>'
        f"<style>{css}</style></head><body><h2>{html.escape(report.title)}</h2>{content}</body></html>"
    ).encode("utf-8")


def chromium_executable() -> str:
    found = find_chromium()
    if found:
        return found
    raise RenderingUnavailable(
        "printing PDFs and taking screenshots needs Chromium: apt-get install chromium fonts-noto-cjk"
    )


def print_pdf(page: bytes, furniture: bool = False) -> bytes:
    """The page printed to PDF by Chromium; `furniture` keeps the date, title, URL and page numbers."""
    options = [] if furniture else ["--no-pdf-header-footer"]
    return _chromium(page, "report.pdf", lambda path: [*options, f"--print-to-pdf={path}"])


def screenshot_png(page: bytes, width: int = 1000, height: int = 2600, scale: float = 1.0) -> bytes:
    """A photograph of the page, the way scanned reports reach portals."""
    return _chromium(
        page,
        "report.png",
        lambda path: [
            f"--window-size={width},{height}",
            f"--force-device-scale-factor={scale}",
            f"--screenshot={path}",
        ],
    )


def _chromium(page: bytes, output: str, options) -> bytes:
    browser = chromium_executable()
    with tempfile.TemporaryDirectory(prefix="gxcrawl-render-") as work:
        source = Path(work) / "page.html"
        source.write_bytes(page)
        target = Path(work) / output
        subprocess.run(
            [
                browser,
                "--headless",
                "--hide-scrollbars",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={work}/profile",
                *options(target),
                source.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if not target.exists():
            raise RenderingUnavailable(f"Chromium ({browser}) produced no {output}")
        return target.read_bytes()
