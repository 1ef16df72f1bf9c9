"""2021-form reports printing （六）其他处理 as one row, the 2019 way (figures.md, «Hybrid tables»)."""

import random

import pytest

from gxcrawl.forms import APPLICANT_COLUMNS, OTHER_ROWS_2021
from gxcrawl.report import parse_document
from support.samples import CellStyle, random_report, render_text

COLUMNS = [column.key for column in APPLICANT_COLUMNS]
SUB_ROWS = [row.key for row in OTHER_ROWS_2021]


def hybrid(seed: int):
    """A 2021-form report's text with the three （六） sub-rows printed as their sum, in one row."""
    sample = random_report(random.Random(seed), busy=0.7)
    single = {c: sum(sample.figures[f"applications.{row}.{c}"] for row in SUB_ROWS) for c in COLUMNS}
    lines = render_text(sample, "tabs").splitlines()
    first = next(index for index, line in enumerate(lines) if "（六）其他处理" in line)
    style = CellStyle()
    lines[first : first + 3] = ["\t（六）其他处理\t\t" + "\t".join(style.write(single[c]) for c in COLUMNS)]
    return sample, single, "\n".join(lines).encode()


@pytest.mark.parametrize("seed", [81, 82, 83])
def test_the_single_row_is_kept_and_the_sub_rows_are_null(seed):
    sample, single, text = hybrid(seed)
    report = parse_document(text, "hybrid.txt")
    assert report.template == "2021"
    assert {c: report.figures[f"applications.other.{c}"] for c in COLUMNS} == single
    assert all(report.figures[f"applications.{row}.{c}"] is None for row in SUB_ROWS for c in COLUMNS)
    assert not set(report.derived) & {f"applications.{row}.{c}" for row in SUB_ROWS for c in COLUMNS}
    others = {key: value for key, value in sample.figures.items() if not key.startswith("applications.other_")}
    assert {key: report.figures[key] for key in others} == others
    # R4 sums the single row; R3 is checked on the rows the table printed.
    assert report.checks == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}
    assert sum("as one row" in warning for warning in report.warnings) == 1
    assert not [warning for warning in report.warnings if "not found" in warning or "other form" in warning]


def test_a_wrong_single_row_fails_r4():
    _, _, text = hybrid(84)
    wrong = text.decode().replace("（六）其他处理\t\t", "（六）其他处理\t\t9")  # 「3」 printed 「93」
    assert parse_document(wrong.encode(), "hybrid.txt").checks["R4"] == "failed"
