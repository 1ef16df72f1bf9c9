"""Generated reports in every layout and both forms read back figure for figure."""

import random

import pytest

from gxcrawl.forms import FORM_2019, FORM_2021, FORMS
from gxcrawl.report import parse_document
from support.samples import HTML_LAYOUTS, TEXT_LAYOUTS, CellStyle, random_report, render_html, render_text

STYLES = [CellStyle(), CellStyle(zero="—"), CellStyle(zero="-", fullwidth=True), CellStyle(zero="/", thousands=True)]
CASES = [
    (form, kind, layout)
    for form in (FORM_2021, FORM_2019)
    for kind, layouts in (("html", HTML_LAYOUTS), ("text", TEXT_LAYOUTS))
    for layout in layouts
]


def render(report, kind, layout, style):
    return render_html(report, layout, style) if kind == "html" else render_text(report, layout, style).encode()


@pytest.mark.parametrize("form, kind, layout", CASES)
def test_round_trip(form, kind, layout):
    rng = random.Random(f"{form}-{kind}-{layout}")
    for index in range(12):
        sample = random_report(rng, form=form, busy=0.5)
        style = STYLES[index % len(STYLES)]
        report = parse_document(render(sample, kind, layout, style), f"{layout}-{index}")
        assert report.error is None
        assert (report.agency, report.year, report.template, report.format) == (sample.agency, sample.year, form, kind)
        assert list(report.figures) == list(FORMS[form].keys)
        wrong = {k: (v, report.figures[k]) for k, v in sample.figures.items() if report.figures[k] != v}
        assert wrong == {}
        assert report.checks == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}
        assert report.warnings == []
        assert report.sections["other"] == sample.sections["other"]


@pytest.mark.parametrize("layout", HTML_LAYOUTS)
def test_gbk_pages(layout):
    sample = random_report(random.Random(7), busy=0.6)
    report = parse_document(render_html(sample, layout, encoding="gbk"), "gbk.html")
    assert report.agency == sample.agency
    assert report.figures == sample.figures


def test_null_cells_stay_null_in_tab_separated_text():
    sample = random_report(random.Random(3), busy=0.6)
    blanked = ("applications.granted.business", "applications.total.total", "review.pending", "active.fees.amount")
    printed = {key: sample.figures[key] for key in blanked}
    for key in blanked:
        sample.figures[key] = None
    report = parse_document(render_text(sample, "tabs").encode(), "nulls.txt")
    assert report.figures == sample.figures
    # The blank counts are settled by the form's arithmetic, in `derived`; table 二's amount is not.
    assert report.derived == {key: value for key, value in printed.items() if key != "active.fees.amount"}
    assert report.derived_rules["review.pending"] == "R5 review"
    assert report.checks["R3"] == "ok" and report.checks["R5"] == "ok"


def test_markdown_pipe_tables():
    sample = random_report(random.Random(11), busy=0.6)
    lines = []
    for line in render_text(sample, "tabs").splitlines():
        if "\t" in line:
            lines.append("| " + " | ".join(line.split("\t")) + " |")
            if not lines[-2].startswith("|"):
                lines.append("|" + "---|" * (line.count("\t") + 1))
        else:
            lines.append(f"## {line}" if line.endswith("情况") or line.endswith("事项") else line)
    report = parse_document("\n".join(lines).encode(), "report.md")
    assert report.figures == sample.figures
    assert report.sections["other"] == sample.sections["other"]


def test_gbk_text():
    sample = random_report(random.Random(12), form=FORM_2019, busy=0.6)
    report = parse_document(render_text(sample, "spaces").encode("gbk"), "gbk.txt")
    assert (report.agency, report.template) == (sample.agency, FORM_2019)
    assert report.figures == sample.figures


def test_xhtml_with_an_xml_declaration():
    sample = random_report(random.Random(13))
    page = b'<?xml version="1.0" encoding="gb2312"?>\n' + render_html(sample, "official", encoding="gb2312")
    report = parse_document(page, "x.xhtml")
    assert report.agency == sample.agency and report.figures == sample.figures


@pytest.mark.parametrize("kind", ["html", "text"])
def test_truncated_and_corrupted_documents_never_raise(kind):
    rng = random.Random(kind)
    sample = random_report(rng, busy=0.6)
    data = render_html(sample, "word") if kind == "html" else render_text(sample, "tabs").encode()
    for cut in sorted(rng.sample(range(1, len(data)), 25)):
        report = parse_document(data[:cut], f"cut-{cut}")
        assert report.error is None or "bug" not in report.error
        assert report.error is not None or report.figures_found > 0
    for _ in range(10):
        damaged = bytearray(data)
        for position in rng.sample(range(len(damaged)), 200):
            damaged[position] = rng.randrange(256)
        report = parse_document(bytes(damaged), "damaged")
        assert report.error is None or "bug" not in report.error


def test_truncated_page_keeps_what_it_has_and_says_what_is_missing():
    sample = random_report(random.Random(14), busy=0.6)
    data = render_html(sample, "official")
    report = parse_document(data[: data.index("四、政府信息公开行政复议".encode())], "cut.html")
    assert report.error is None
    assert report.figures["applications.total.total"] == sample.figures["applications.total.total"]
    assert report.figures["review.total"] is None
    assert "table 四 was not found; its figures are null" in report.warnings


def test_one_cell_per_line():
    sample = random_report(random.Random(15), busy=0.6)
    lines = []
    for line in render_text(sample, "tabs").splitlines():
        lines.extend(cell for cell in line.split("\t") if cell) if "\t" in line else lines.append(line)
    report = parse_document("\n".join(lines).encode(), "cells.txt")
    assert report.figures == sample.figures
