"""Portal text exports (「标题:」 header, cells run together) and PDF→markdown conversions."""

import random

import pytest

from gxcrawl.cells import RUN, run_together
from gxcrawl.documents import Paragraph, read_document
from gxcrawl.documents.export import is_export, row_cells
from gxcrawl.documents.text import page_numbers_dropped, read_text
from gxcrawl.forms import FORM_2019, FORM_2021, FORMS
from gxcrawl.parser.rows import read_rows
from gxcrawl.report import parse_document
from support.conversions import render_converted, render_export
from support.samples import random_report

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

SEEDS = range(12)
FORMS_AND_SEEDS = [(form, seed) for form in (FORM_2019, FORM_2021) for seed in SEEDS]


def sample(form: str, seed: int):
    rng = random.Random(seed)
    return random_report(rng, form=form), rng


def wrong_figures(report, sample_report) -> dict:
    """Figures read with a value other than the sample's: never allowed (null is)."""
    return {
        key: (value, report.figures.get(key))
        for key, value in sample_report.figures.items()
        if report.figures.get(key) is not None and report.figures[key] != value
    }


def unexplained_nulls(report, sample_report) -> list[str]:
    """Figures the sample has that were read as null with no warning naming them, their row, or
    their table's rows as a whole (「table 三: 4 more rows did not fit their columns」)."""
    said = "\n".join(report.warnings)
    form = FORMS[report.template]
    unexplained = []
    for table in form.tables:
        whole_table = (f"table {table.number}: ", f"table {table.number} has ", f"table {table.number} was not found")
        for row in table.rows:
            keys = [table.figure_key(row, column) for column in table.columns_of(row)]
            missed = [key for key in keys if report.figures.get(key) is None and sample_report.figures[key] is not None]
            if (
                missed
                and row.label not in said
                and not any(key in said for key in keys)
                and not any(phrase in said for phrase in whole_table)
            ):
                unexplained += missed
    return unexplained


# --- The export: recognised, read where the layout settles it, never guessed ----------------------


@pytest.mark.parametrize(
    "figures, width, cells",
    [
        ("000", 3, ["0", "0", "0"]),  # 规章000: leading zeros are figures of their own
        ("0001", 4, list("0001")),  # as many digits as columns, none could be 「01」
        ("0 1 0", 3, ["0", "1", "0"]),  # one character a piece: no room for a vanished blank
        ("7000007", 7, [run_together("7000007")]),  # 「70」 could be one figure beside a blank cell
        ("23 0 00 0 023", 7, [run_together("230000023")]),  # seven pieces, but 「23」 could be two figures
        ("512", 3, [run_together("512")]),  # 5 1 2, or 51 and 2 beside a blank cell
        ("4529", 1, ["4529"]),  # a single figure under a single column
        ("18651.06", 1, ["18651.06"]),
        ("898989", 3, [run_together("898989")]),  # 89|89|89 or 8|9|8989 …: only arithmetic can say
        ("230 000023", 7, [run_together("230000023")]),
        ("13575394432.52元", 2, [run_together("13575394432.52元")]),  # the point ends the amount, not where it starts
        ("396-5181", 3, [run_together("396-5181")]),
        ("1", 3, [run_together("1")]),  # blank cells vanished: which column is unknown
        ("0 0 0", None, ["0", "0", "0"]),
        ("12", None, [run_together("12")]),
    ],
)
def test_row_cells_split_only_what_the_layout_settles(figures, width, cells):
    assert row_cells(figures, width) == cells


def test_an_export_is_recognised_by_its_header_and_body_marker():
    report, rng = sample(FORM_2021, 1)
    text = render_export(report, rng)
    assert is_export(text)
    assert not is_export(text.replace("==================== 正文 ====================", ""))
    assert not is_export("一、总体情况\n标题: x\n正文\n")


@pytest.mark.parametrize("form, seed", FORMS_AND_SEEDS)
def test_export_identity_sections_and_no_wrong_figure(form, seed):
    report, rng = sample(form, seed)
    parsed = parse_document(render_export(report, rng).encode("utf-8"), "export.txt")
    assert parsed.error is None
    assert (parsed.format, parsed.agency, parsed.year, parsed.template) == ("text", report.agency, report.year, form)
    assert wrong_figures(parsed, report) == {}
    assert unexplained_nulls(parsed, report) == []
    for key in ("overview", "problems", "other"):
        assert parsed.sections[key].replace(" ", "") == report.sections[key].replace("\n", "")


@pytest.mark.parametrize("form, seed", FORMS_AND_SEEDS[::3])
def test_an_export_body_broken_over_lines_anywhere_reads_no_wrong_figure(form, seed):
    report, rng = sample(form, seed)
    header, body = render_export(report, rng).split("正文 ====================\n")
    breaks = sorted(rng.sample(range(1, len(body) - 1), 40))
    pieces = [body[start:stop] for start, stop in zip([0] + breaks, breaks + [len(body)])]
    parsed = parse_document((header + "正文 ====================\n" + "\n".join(pieces)).encode("utf-8"))
    assert (parsed.agency, parsed.year, parsed.template) == (report.agency, report.year, form)
    assert wrong_figures(parsed, report) == {}
    assert unexplained_nulls(parsed, report) == []


@pytest.mark.parametrize("form, seed", FORMS_AND_SEEDS)
def test_export_rows_whose_digits_are_their_columns_are_read(form, seed):
    """A row of table 三 printed with one digit a cell is read whole, whatever its neighbours hold."""
    report, rng = sample(form, seed)
    parsed = parse_document(render_export(report, rng, spaces=0).encode("utf-8"))
    table = FORMS[form].table("applications")
    for row in table.rows:
        keys = [table.figure_key(row, column) for column in table.columns]
        if all(report.figures[key] < 10 for key in keys):
            assert [parsed.figures[key] for key in keys] == [report.figures[key] for key in keys], row.key


def test_export_blocks_are_headings_headers_and_rows_of_label_and_cells():
    report, rng = sample(FORM_2019, 3)
    document = read_text(render_export(report, rng).encode("utf-8"))
    texts = [block.text for block in document.blocks]
    assert all(isinstance(block, Paragraph) for block in document.blocks)
    assert document.titles == [report.title]
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert heading in texts
    assert "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量" in texts
    rows = [text.split("\t") for text in texts if "\t" in text]
    assert all(
        not cell or cell.startswith(RUN) or cell[0].isdigit() or cell[0] in "+-" for row in rows for cell in row[1:]
    )
    assert all(len(row) == 2 for row in rows if any(cell.startswith(RUN) for cell in row[1:]))


def test_the_publisher_names_the_agency_when_the_title_does_not():
    report, rng = sample(FORM_2021, 4)
    text = render_export(report, rng, publisher="某市某局").replace(f"标题: {report.agency}", "标题: ")
    parsed = parse_document(text.encode("utf-8"))
    assert (parsed.agency, parsed.year) == ("某市某局", report.year)


def test_an_export_whose_body_holds_no_table_is_still_a_report():
    text = (
        "标题: 某县某局2023年政府信息公开工作年度报告\n发布机构: 某县某局\n===== 正文 =====\n"
        "某县某局2023年政府信息公开工作年度报告详见附件。\n"
    )
    parsed = parse_document(text.encode("utf-8"))
    assert (parsed.agency, parsed.year) == ("某县某局", 2023)
    assert parsed.error and "not an annual report" not in parsed.error


# --- Markdown conversions ----------------------------------------------------------------------


@pytest.mark.parametrize("form, seed", FORMS_AND_SEEDS)
def test_converted_markdown_is_read_whole(form, seed):
    """Footers dropped, wrapped prose joined, lines of figures placed by the form's order."""
    report, rng = sample(form, seed)
    parsed = parse_document(render_converted(report, rng).encode("utf-8"), "converted.md")
    assert parsed.error is None
    assert (parsed.agency, parsed.year, parsed.template) == (report.agency, report.year, form)
    assert wrong_figures(parsed, report) == {}
    assert parsed.figures == report.figures
    assert set(parsed.checks.values()) == {"ok"}
    assert "信息" in parsed.sections["overview"] and parsed.sections["other"]


def test_labels_held_over_lines_of_figures_they_cannot_be_told_apart_are_not_guessed():
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "| 三、本年度办理结果（一）予以公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "5.属于三类内部事务信息",
        "1.本机关不掌握相关政府信息",
        "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    parsed = parse_document("\n".join(lines).encode("utf-8"))
    assert parsed.figures["applications.granted.total"] == 1
    assert parsed.figures["applications.denied_internal.total"] is None
    assert parsed.figures["applications.unavailable_not_held.total"] is None
    assert any("2 0 0 0 0 0 2" in warning for warning in parsed.warnings)


def test_a_markdown_row_short_of_its_headers_columns_is_not_read():
    lines = [
        "二、主动公开政府信息情况",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "|---|---|---|---|",
        "## 表二：主动公开政府信息情况",
        "| 规章 | 22 | 235 |",
        "|---|---|---|",
        "| 行政规范性文件 | 3 |  | 40 |",
    ]
    parsed = parse_document("\n".join(lines).encode("utf-8"))
    assert [parsed.figures[f"active.regulation.{key}"] for key in ("issued", "repealed", "in_force")] == [None] * 3
    # A blank cell keeps its place: that row's figures have theirs.
    assert [parsed.figures[f"active.normative.{key}"] for key in ("issued", "repealed", "in_force")] == [3, None, 40]
    assert any("| 规章 | 22 | 235 |" in warning for warning in parsed.warnings)


def test_a_sentence_wrapped_before_its_unit_is_not_a_row():
    lines = [
        "一、总体情况",
        "所有办结的申请中同意公开答复 9 件，不予公开答复 2",
        "件，无法提供的 10 件。",
        "二、主动公开政府信息情况",
    ]
    layout = read_rows(read_document("\n".join(lines).encode("utf-8")))
    assert layout.rows == []
    assert "不予公开答复 2件，无法提供的 10 件。" in layout.sections["overview"]


@pytest.mark.parametrize("footer", ["— 4 —", "- 4 -", "－4－", "–  12  –"])
def test_page_footers_are_dropped(footer):
    document = read_text(f"一、总体情况\n{footer}\n二、主动公开政府信息情况\n".encode("utf-8"))
    assert [block.text for block in document.blocks] == ["一、总体情况", "二、主动公开政府信息情况"]


def test_lone_page_numbers_are_dropped_but_lone_figures_kept():
    lines = []
    for page in range(1, 5):
        lines += [f"第{page}页的文字"] * 12 + [str(page)]
    lines += ["（二）部分公开", "7"]
    kept = page_numbers_dropped(lines)
    assert [line for line in kept if line.isdigit()] == ["7"]
    assert len(kept) == len(lines) - 4
