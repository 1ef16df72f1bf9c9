"""Synthetic reports as other tools export and convert them, for tests of those readers.

- `render_export`: a portal archive's text export: 「标题:」 / 「发布机构:」 header
  lines, a 「正文」 marker, then the whole body on one line, headings run into
  their text and every table cell into the next with no separator, a space
  kept here and there (as the export keeps the spaces cells ended with);
- `render_converted`: a PDF→markdown conversion: the title and the prose
  wrapped at a fixed width (figures spaced off, their units on the next line),
  page footers 「— 4 —」 between any two lines, markdown tables, table 三's
  header cells scattered over lines, and pairs of rows whose labels went above
  and whose figures stayed below, each on a line of its own.
"""

import random

from gxcrawl.forms import APPLICANT_COLUMNS, FORMS, RESULTS, REVIEW, SECTIONS
from support.samples import CellStyle, SampleReport

EXPORT_HEADER = (
    "标题: {title}\n发布时间: {year_after}-03-10 15:35\n文号: \n发布机构: {publisher}\n"
    "栏目: 政府信息公开年报\n原文链接: https://www.example.gov.cn/zwgk/t{year_after}0310_1.htm\n"
    "==================== 正文 ====================\n"
)
RECKONING = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _cells(report: SampleReport, style: CellStyle, table, row) -> list[str]:
    return [style.write(report.figures[table.figure_key(row, column)], column.kind) for column in table.columns_of(row)]


def _active_rows(report: SampleReport, style: CellStyle):
    """Table 二's rows as (the article heading first printed over the row, or None; label; cells)."""
    table = FORMS[report.form].table("active")
    article = None
    for row in table.rows:
        heading = row.group if row.group != article else None
        article = row.group
        yield heading, row, _cells(report, style, table, row)


def _applications_labels(form: str):
    """Table 三's rows with the label an export prints: a group's heading before its first row."""
    table = FORMS[form].table("applications")
    started: set[str] = set()
    for row in table.rows:
        parents = [
            group
            for group in (RESULTS if row.group and row.group != RESULTS else None, row.group)
            if group and group not in started
        ]
        started.update(parents)
        yield table, row, "".join(parents) + row.label


# --- The portal's text export ----------------------------------------------------------------


def render_export(report: SampleReport, rng: random.Random, publisher: str | None = None, spaces: float = 0.1) -> str:
    """The report as the archive's text export; `spaces` is how often a space follows a cell."""
    style = CellStyle()

    def run(cells: list[str]) -> str:
        return "".join(cell + (" " if rng.random() < spaces else "") for cell in cells)

    body = [
        f"本报告根据《中华人民共和国政府信息公开条例》编制，数据统计期限为{report.year}年1月1日至{report.year}年12月31日。"
    ]
    for section in SECTIONS:
        body.append(section.heading + (" " if rng.random() < 0.5 else ""))
        if section.prose:
            body.append("".join(report.sections.get(section.key, "").splitlines()))
        elif section.key == "active":
            for heading, row, cells in _active_rows(report, style):
                if heading:
                    body.append(heading + "信息内容" + "".join(column.label for column in row.columns))
                body.append(row.label + run(cells))
        elif section.key == "applications":
            body.append(
                RECKONING
                + "申请人情况自然人法人或其他组织总计"
                + "".join(column.label for column in APPLICANT_COLUMNS[1:-1])
            )
            body.extend(
                label + run(_cells(report, style, table, row))
                for table, row, label in _applications_labels(report.form)
            )
        else:
            body.append(
                "行政复议行政诉讼"
                + "".join(column.label for column in REVIEW.columns)
                + "".join(group.label for group in REVIEW.rows[1:])
                + "".join(column.label for column in REVIEW.columns) * 2
            )
            body.append(run([style.write(report.figures[key]) for key in REVIEW.keys()]))
    header = EXPORT_HEADER.format(
        title=report.title, year_after=report.year + 1, publisher=report.agency if publisher is None else publisher
    )
    return header + "".join(body) + "\n"


# --- A PDF→markdown conversion ---------------------------------------------------------------


def _wrapped(text: str, width: int, spaced: bool = True) -> list[str]:
    """Text broken every `width` characters, never inside a figure; figures in prose spaced off as a
    PDF's text layer spaces them (「申请 34 件」)."""
    pieces, line = [], ""
    for token in _spaced_tokens(text) if spaced else text:
        if len(line) + len(token) > width and line:
            pieces.append(line)
            line = ""
        line += token
    return pieces + [line] if line else pieces


def _spaced_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for char in text:
        if char.isdigit() and tokens and tokens[-1][-1:].isdigit():
            tokens[-1] += char
        elif char.isdigit():
            tokens.append(f" {char}")
        elif tokens and tokens[-1][-1:].isdigit():
            tokens.append(f" {char}")
        else:
            tokens.append(char)
    return tokens


def _markdown_row(cells: list[str]) -> list[str]:
    return ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def render_converted(
    report: SampleReport, rng: random.Random, width: int = 24, scattered: int = 2, footer_every: int = 25
) -> str:
    """The report as a PDF→markdown conversion; `scattered` pairs of table 三 rows lose their labels
    above their figures."""
    style = CellStyle()
    title = report.title
    lines = ["正文", title[:-4], title[-4:]]
    for section in SECTIONS:
        lines.append(section.heading)
        if section.prose:
            for paragraph in report.sections.get(section.key, "").splitlines():
                lines.extend(_wrapped(paragraph, width))
        elif section.key == "active":
            for heading, row, cells in _active_rows(report, style):
                if heading:
                    lines += [heading, "## 表二：主动公开政府信息情况"]
                    lines += _markdown_row(["信息内容"] + [column.label for column in row.columns])
                lines.append(_markdown_row([row.label] + cells)[0])
        elif section.key == "applications":
            lines += [
                "申请人情况",
                RECKONING[:14],
                RECKONING[14:],
                "自然人总计",
                "商业企科研机社会公法律服",
                "其他",
                "## 表三：收到和处理政府信息公开申请情况",
            ]
            lines += _applications_lines(report, style, rng, scattered)
        else:
            lines += ["行政复议行政诉讼", "未经复议直接起诉复议后起诉", "结果结果其他尚未", "总计", "维持纠正结果审结"]
            lines += _markdown_row([style.write(report.figures[key]) for key in REVIEW.keys()])
    return "\n".join(_with_footers(lines, footer_every)) + "\n"


def _applications_lines(report: SampleReport, style: CellStyle, rng: random.Random, scattered: int) -> list[str]:
    rows = list(_applications_labels(report.form))
    # Pairs of rows between rows that keep their labels, apart from each other.
    starts = sorted(rng.sample(range(1, len(rows) - 2, 3), scattered))
    lines: list[str] = []
    index = 0
    while index < len(rows):
        table, row, label = rows[index]
        if index in starts:
            pair = rows[index : index + 2]
            for _, _, held in pair:
                lines += _wrapped(held, 10, spaced=False)
            for table, row, _ in pair:
                lines += _markdown_row(_cells(report, style, table, row))
            index += 2
            continue
        lines.append(_markdown_row([label] + _cells(report, style, table, row))[0])
        index += 1
    return lines


def _with_footers(lines: list[str], every: int) -> list[str]:
    out = []
    for index, line in enumerate(lines, 1):
        out.append(line)
        if index % every == 0:
            out.append(f"— {index // every} —" if index // every % 2 else f"- {index // every} -")
    return out
