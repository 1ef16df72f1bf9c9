"""Table 四 laid out unlike the official form, read by the headings over each figure's column."""

import random
import re

from gxcrawl.forms import REVIEW
from gxcrawl.report import parse_document
from support.samples import CellStyle, random_report, render_html

RESULTS = [column.label for column in REVIEW.columns]


def with_review_table(sample, table: str) -> bytes:
    page = render_html(sample, "official").decode()
    tables = [match for match in re.finditer(r"<table.*?</table>", page, re.S) if "结果维持" in match.group()]
    assert tables, "the official layout prints table 四 as a table"
    found = tables[-1]
    return (page[: found.start()] + table + page[found.end() :]).encode()


def cells(texts, colspan=1) -> str:
    return "".join(f'<td colspan="{colspan}">{text}</td>' for text in texts)


def headers(result_span: int) -> str:
    group = 5 * result_span
    return (
        f'<tr><td colspan="{group}" rowspan="2">行政复议</td><td colspan="{2 * group}">行政诉讼</td></tr>'
        f'<tr><td colspan="{group}">未经复议直接起诉</td><td colspan="{group}">复议后起诉</td></tr>'
        f"<tr>{cells(RESULTS * 3, result_span)}</tr>"
    )


def written(sample, key) -> str:
    return CellStyle().write(sample.figures[key])


def test_header_cells_twice_as_wide_as_the_data_cells():
    """Each result heading spans two grid columns; the figure sits in the first, a blank cell in the second."""
    sample = random_report(random.Random(31), busy=0.9)
    data = "".join(cells([written(sample, key), ""]) for key in REVIEW.keys())
    report = parse_document(with_review_table(sample, f"<table>{headers(2)}<tr>{data}</tr></table>"), "wide.html")
    assert {key: report.figures[key] for key in REVIEW.keys()} == {key: sample.figures[key] for key in REVIEW.keys()}
    assert any("headings over their columns" in warning for warning in report.warnings)
    assert report.checks["R5"] == "ok"


def test_blank_cells_among_the_fifteen_stay_null_in_their_own_columns():
    sample = random_report(random.Random(32), busy=0.9)
    blank = {"review.other", "suit_direct.pending"}
    data = cells("" if key in blank else written(sample, key) for key in REVIEW.keys())
    report = parse_document(with_review_table(sample, f"<table>{headers(1)}<tr>{data}</tr></table>"), "blank.html")
    for key in REVIEW.keys():
        assert report.figures[key] == (None if key in blank else sample.figures[key]), key


def test_a_figure_spanning_two_result_columns_is_read_in_order():
    """The first figure spans 结果维持 and 结果纠正: its heading names neither, so the headings cannot place
    the row; its 15 figures in the form's order are read in order."""
    sample = random_report(random.Random(33), busy=0.9)
    keys = REVIEW.keys()
    data = f'<td colspan="2">{written(sample, keys[0])}</td>' + cells(written(sample, key) for key in keys[1:])
    table = f"<table>{headers(1)}<tr>{data}</tr></table>"
    report = parse_document(with_review_table(sample, table), "order.html")
    assert {key: report.figures[key] for key in keys} == {key: sample.figures[key] for key in keys}
    assert not any("headings" in warning for warning in report.warnings)


def test_an_extra_blank_cell_among_the_figures_drops_none_of_them():
    """16 cells for 15 columns, one of them blank: dropping the first figure would shift the rest, and
    R5 would then fill the gap in `derived`. Which cell is extra is unknown: none is read."""
    sample = random_report(random.Random(34), busy=0.9)
    texts = [written(sample, key) for key in REVIEW.keys()]
    texts.insert(3, "")
    report = parse_document(
        with_review_table(sample, f"<table>{headers(1)}<tr>{cells(texts)}</tr></table>"), "extra.html"
    )
    assert all(report.figures[key] is None for key in REVIEW.keys())
    assert not set(report.derived) & set(REVIEW.keys())
    assert any("which are its figures is unknown" in warning for warning in report.warnings)


def test_numbers_alone_never_make_table_four():
    # A report's title over a table of a thousand figures with no label or heading of the form.
    from gxcrawl.report import parse_document

    rows = "".join("<tr>" + "<td>1</td>" * 40 + "</tr>" for _ in range(25))
    page = (
        "<html><head><meta charset='utf-8'><title>某县人民政府2023年政府信息公开工作年度报告</title></head><body>"
        f"<h1>某县人民政府2023年政府信息公开工作年度报告</h1><table>{rows}</table></body></html>"
    ).encode()
    report = parse_document(page, "numbers.html")
    assert report.figures_found == 0 and "none of the form's tables was found" in report.error
