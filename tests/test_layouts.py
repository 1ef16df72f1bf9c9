"""Generated reports in every layout and both forms read back figure for figure."""

import random

import pytest

from gxcrawl.forms import FORM_2019, FORM_2021, FORMS
from gxcrawl.report import parse_document
from gxcrawl.samples import HTML_LAYOUTS, TEXT_LAYOUTS, CellStyle, random_report, render_html, render_text

STYLES = [CellStyle(), CellStyle(zero="—"), CellStyle(zero="-", fullwidth=True), CellStyle(zero="/", thousands=True)]
CASES = [(form, kind, layout) for form in (FORM_2021, FORM_2019)
         for kind, layouts in (("html", HTML_LAYOUTS), ("text", TEXT_LAYOUTS)) for layout in layouts]


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
    for key in ("applications.granted.business", "applications.total.total", "review.pending", "active.fees.amount"):
        sample.figures[key] = None
    report = parse_document(render_text(sample, "tabs").encode(), "nulls.txt")
    assert report.figures == sample.figures
    assert report.checks["R3"] == "unknown" and report.checks["R5"] == "unknown"
