"""Rows found by their place in the form when their label is garbled (gxcrawl.parser.placement)."""

import random

import pytest

from gxcrawl.forms import FORMS
from gxcrawl.parser.placement import Observed, likeness, place
from gxcrawl.report import parse_document
from support.samples import random_report, render_html, render_text

FORM = FORMS["2021"]


def test_likeness_counts_the_form_label_found_in_order():
    assert likeness("2.其他法律行政止公开", "2.其他法律行政法规禁止公开") > 0.75
    assert likeness("(三)不予公开结果2.其他法律行政止公开", "(三)不予公开2.其他法律行政法规禁止公开") > 0.8
    assert likeness("其他主动公开文件", "第二十条第(五)项行政许可") < 0.3


def test_a_garbled_row_between_two_found_rows_is_placed():
    sequence = [
        Observed("applications", "denied_state_secret", "1.属于国家秘密"),
        Observed("applications", None, "2.其他法律行政止公开"),
        Observed("applications", "denied_three_safeties", "3.危及三安全一稳定"),
    ]
    [placed] = place(FORM, sequence)
    assert (placed.index, placed.row) == (1, "denied_prohibited")
    assert "2.其他法律行政止公开" in placed.warning and "read as that row" in placed.warning


def test_a_row_unlike_the_gap_is_not_placed():
    sequence = [
        Observed("active", "normative", "行政规范性文件"),
        Observed("active", None, "其他主动公开文件"),
        Observed("active", "penalty", "行政处罚"),
    ]
    assert place(FORM, sequence) == []  # 行政许可 is missing, but 其他主动公开文件 is not it


def test_two_garbled_rows_for_one_gap_are_not_placed():
    sequence = [
        Observed("applications", "denied_state_secret", "1.属于国家秘密"),
        Observed("applications", None, "2.其他法律行政止公开"),
        Observed("applications", None, "2.其他法律公开"),
        Observed("applications", "denied_three_safeties", "3.危及三安全一稳定"),
    ]
    assert place(FORM, sequence) == []


@pytest.mark.parametrize("render", [lambda s: render_html(s, "official"), lambda s: render_text(s, "tabs").encode()])
def test_a_report_with_typos_in_its_labels_reads_every_row(render):
    sample = random_report(random.Random(21), busy=0.6)
    page = render(sample)
    for right, typo in (
        ("其他法律行政法规禁止公开", "其他法律行政止公开"),
        ("信访举报投诉类申请", "信方举报头诉申请"),
        ("要求提供公开出版物", "要求提供公开出版"),
    ):
        assert right.encode() in page
        page = page.replace(right.encode(), typo.encode())
    report = parse_document(page, "typos")
    assert report.figures == sample.figures
    placed = [warning for warning in report.warnings if "read as that row" in warning]
    assert len(placed) == 3 and any("其他法律行政止公开" in warning for warning in placed)


def test_an_extra_row_is_named_with_its_best_guess():
    sample = random_report(random.Random(22), busy=0.6)
    lines = render_text(sample, "tabs").splitlines()
    at = next(index for index, line in enumerate(lines) if line.startswith("行政许可"))
    lines.insert(at + 1, "行政确认\t7")
    report = parse_document("\n".join(lines).encode(), "extra.txt")
    assert report.figures == sample.figures  # nothing was missing: the extra row took no row's place
    [warning] = [warning for warning in report.warnings if "行政确认" in warning]
    assert "most like" in warning and "ignored" in warning


@pytest.mark.parametrize("form", ["2019", "2021"])
@pytest.mark.parametrize(
    "missing, extra", [("规章", "其他主动公开文件"), ("行政许可", "小计"), ("1.属于国家秘密", "合计")]
)
def test_an_extra_row_never_takes_a_missing_rows_place(form, missing, extra):
    """Held header text carries the form's group words (「第二十条第（一）项」): they earn nothing."""
    sample = random_report(random.Random(23), form=form, busy=0.9)
    text = render_text(sample, "tabs")
    lines = text.splitlines()
    at = next(
        index
        for index, line in enumerate(lines)
        if line.split("\t")[-8 if "国家秘密" in missing else 0 :] and missing in line
    )
    lines[at] = lines[at].replace(missing, extra)
    report = parse_document("\n".join(lines).encode(), "extra.txt")
    wrong = {
        key: (value, report.figures[key])
        for key, value in sample.figures.items()
        if report.figures[key] is not None and report.figures[key] != value
    }
    assert wrong == {}
    assert not any("read as that row" in warning for warning in report.warnings)


def test_labels_held_apart_from_their_figures_are_not_given_to_the_first_line():
    """A flattened table whose label column came out before all its lines of figures: the labels held
    name many rows, so no line of figures is taken for the last label's row."""
    sample = random_report(random.Random(5), busy=0.6)
    lines = render_text(sample, "tabs").splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("一、本年新收"))
    end = next(index for index, line in enumerate(lines) if line.startswith("四、结转下年度"))
    labels = [
        "".join(cell for cell in line.split("\t") if cell and not cell.isdigit()) for line in lines[start : end + 1]
    ]
    figures = ["\t".join(cell for cell in line.split("\t") if cell.isdigit()) for line in lines[start : end + 1]]
    report = parse_document("\n".join(lines[:start] + labels + figures + lines[end + 1 :]).encode(), "apart.txt")
    wrong = {key: value for key, value in report.figures.items() if value is not None and value != sample.figures[key]}
    assert wrong == {} and not [key for key in report.derived if key.startswith("applications.")]


def test_a_conversion_with_blank_cells_reads_nothing_wrong():
    """PDF→markdown conversions put the labels of two rows above their lines of figures; with a blank cell
    a line does not fill its row, and the joined labels must not name the last row alone."""
    from support.conversions import render_converted

    for seed in range(12):
        rng = random.Random(seed)
        sample = random_report(rng, busy=0.5)
        for key in rng.sample(sorted(sample.figures), 6):
            sample.figures[key] = None
        report = parse_document(render_converted(sample, random.Random(seed)).encode(), "converted.md")
        wrong = {
            key: value for key, value in report.figures.items() if value is not None and value != sample.figures[key]
        }
        assert wrong == {}, seed
        derived_wrong = {
            key: value
            for key, value in report.derived.items()
            if sample.figures[key] is not None and value != sample.figures[key]
        }
        assert derived_wrong == {}, seed
