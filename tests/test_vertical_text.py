"""「三、本年度办理结果」 set vertically in its merged cell: its characters scattered into the rows beside it."""

import itertools
import random
import re

import pytest

from conftest import needs
from gxcrawl.cells import is_value
from gxcrawl.report import parse_document
from support.samples import random_report, render_text

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


def scattered(text: str, where: str) -> str:
    """The report's text with the heading's characters one per result row: after the row's label
    (a PDF line builder puts a character by its height), or on lines of their own."""
    characters = itertools.cycle("三、本年度办理结果")
    lines, inside = [], False
    for line in text.replace("三、本年度办理结果\t", "\t").splitlines():
        inside = (inside or "（一）予以公开" in line) and not line.startswith("四、结转")
        if inside and where == "after the label":
            cells = line.split("\t")
            last_label = max(index for index, cell in enumerate(cells) if cell and not is_value(cell))
            cells.insert(last_label + 1, next(characters))
            line = "\t".join(cells)
        elif inside:
            lines.append(next(characters))
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("form", ["2019", "2021"])
@pytest.mark.parametrize("where", ["after the label", "on lines of their own"])
def test_scattered_heading_characters_lose_no_row(form, where):
    sample = random_report(random.Random(61), form=form, busy=0.6)
    report = parse_document(scattered(render_text(sample, "tabs"), where).encode(), "vertical.txt")
    assert report.figures == sample.figures
    assert not [warning for warning in report.warnings if "row" in warning]


def test_a_printed_pdf_with_the_heading_set_vertically():
    needs("chromium")
    from support.rendering import print_page, print_pdf

    sample = random_report(random.Random(62), busy=0.6)
    page = print_page(sample, ruled=False).decode()
    page = page.replace("<style>", "<style>td.vertical { writing-mode: vertical-rl; }", 1)
    page, count = re.subn(r"<td([^>]*)>(\s*三、本年度办理结果)", r'<td class="vertical"\1>\2', page)
    assert count == 1
    report = parse_document(print_pdf(page.encode()), "vertical.pdf")
    assert report.figures == sample.figures
