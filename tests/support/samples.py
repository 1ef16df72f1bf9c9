"""Synthetic annual reports, rendered in the layouts real portals publish.

The offline replica of a portal, the tests and the benchmarks all need
reports whose every figure is known. `random_report` makes one (consistent
with the rules of figures.md unless asked otherwise); `render_html` and
`render_text` lay it out as pages and prints seen in the wild:

- html `official`: one table per section of the form, merged cells exactly as
  the official template merges them;
- html `word`: pasted from Word: `MsoNormal` paragraphs and spans, `&nbsp;`,
  `<o:p>`, labels broken with `<br>`, table 二 cut into one table per article;
- html `flat`: no merged cells at all; group labels only on a group's first
  row, table 四 as one row per group;
- text `tabs`: a table copied as tab-separated text, merged cells blank;
- text `spaces`: a PDF's text layer: single spaces, long labels wrapped with
  their figures on the next line.
"""

import html
import random
from dataclasses import dataclass, field
from decimal import Decimal

from gxcrawl.cells import Kind
from gxcrawl.forms import APPLICANT_COLUMNS, FORM_2021, FORMS, RESULT_ROWS, RESULTS, REVIEW, SECTIONS, Table

HTML_LAYOUTS = ("official", "word", "flat")
TEXT_LAYOUTS = ("tabs", "spaces")


@dataclass
class SampleReport:
    agency: str
    year: int
    form: str
    figures: dict[str, Decimal | None]
    sections: dict[str, str] = field(default_factory=dict)
    title_suffix: str = ""

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告{self.title_suffix}"


@dataclass
class CellStyle:
    """How figures are written: 「0」 or 「—」 for none, full-width digits, 「1,234」."""

    zero: str = "0"
    fullwidth: bool = False
    thousands: bool = False

    def write(self, value: Decimal | None, kind: Kind = Kind.COUNT) -> str:
        if value is None:
            return ""
        if value == 0 and kind is not Kind.AMOUNT:
            return self.zero
        if kind is Kind.AMOUNT:
            text = format(value.normalize(), "f") if value else "0"
        elif self.thousands:
            text = f"{int(value):,}"
        else:
            text = str(int(value))
        if kind is Kind.SIGNED and value > 0:
            text = "+" + text
        if self.fullwidth:
            text = text.translate(_FULLWIDTH)
        return text


_FULLWIDTH = str.maketrans("0123456789,.+-", "０１２３４５６７８９，．＋－")

AGENCIES = (
    "新乡市卫滨区人民政府办公室",
    "卫辉市商务局",
    "郑州市大数据局",
    "开封市教育局",
    "洛阳市交通运输局",
    "安阳市林州市卫生健康委员会",
    "南阳市生态环境局",
    "信阳市光山县人民政府",
    "周口市市场监督管理局",
    "焦作市自然资源和规划局",
    "濮阳市财政局",
    "许昌市禹州市人民政府办公室",
)

DEFAULT_SECTIONS = {
    "overview": "{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，不断深化政务公开，"
    "主动公开各类政府信息{items}条。\n（一）主动公开\n围绕中心工作，及时公开政策文件和工作动态。\n"
    "（二）依申请公开\n规范办理流程，按时答复申请人。",
    "problems": "（一）存在的主要问题\n一是公开内容不够丰富；二是政策解读形式单一。\n"
    "（二）改进情况\n进一步加强培训，丰富公开形式，提升公开质量。",
    "other": "{year}年度，本机关未收取信息处理费。",
}


# --- Figures ---------------------------------------------------------------------------


def random_report(
    rng: random.Random, form: str = FORM_2021, agency: str | None = None, year: int | None = None, busy: float = 0.3
) -> SampleReport:
    """A report whose figures satisfy R1, R3, R4 and R5; `busy` is how often a cell is non-zero."""
    definition = FORMS[form]
    figures: dict[str, Decimal | None] = dict.fromkeys(definition.keys)

    def small(scale: int = 6) -> int:
        return rng.randint(1, scale) if rng.random() < busy else 0

    active = definition.table("active")
    for row in active.rows:
        for column in row.columns:
            key = active.figure_key(row, column)
            if column.kind is Kind.AMOUNT:
                figures[key] = Decimal(rng.randint(0, 2_000_000)) / 10000 if rng.random() < busy else Decimal(0)
            elif column.kind is Kind.SIGNED:
                figures[key] = Decimal(rng.randint(-30, 30))
            else:
                figures[key] = Decimal(small(3000) if rng.random() < 0.1 else small(40))

    applicants = [column.key for column in APPLICANT_COLUMNS if column.key != "total"]
    results = RESULT_ROWS[form]
    for column in applicants:
        app = f"applications.{{}}.{column}"
        for row in results:
            figures[app.format(row)] = Decimal(small(8 if column == "natural_person" else 2))
        total = sum(figures[app.format(row)] for row in results)
        forward = Decimal(small(3))
        carried = Decimal(rng.randint(0, int(total + forward))) if rng.random() < busy else Decimal(0)
        figures[app.format("total")] = total
        figures[app.format("carried_forward")] = forward
        figures[app.format("carried_over")] = carried
        figures[app.format("new")] = total + forward - carried
    for row in definition.table("applications").rows:
        figures[f"applications.{row.key}.total"] = sum(figures[f"applications.{row.key}.{c}"] for c in applicants)

    for group in REVIEW.rows:
        parts = [Decimal(small(3)) for _ in REVIEW.columns[:-1]]
        for column, value in zip(REVIEW.columns, parts):
            figures[f"{group.key}.{column.key}"] = value
        figures[f"{group.key}.total"] = sum(parts)

    agency = agency or rng.choice(AGENCIES)
    year = year or rng.randint(2019, 2024)
    items = rng.randint(10, 3000)
    sections = {key: text.format(year=year, agency=agency, items=items) for key, text in DEFAULT_SECTIONS.items()}
    return SampleReport(agency, year, form, figures, sections)


# --- Tables as merged-cell layouts ---------------------------------------------------------


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    #: Whether the cell holds a figure (rendered centred, with the figure style).
    figure: bool = False


Layout = list[list[Cell]]


def _values(report: SampleReport, style: CellStyle, table: Table, row, span_last: int = 1) -> list[Cell]:
    columns = table.columns_of(row)
    cells = [
        Cell(style.write(report.figures[table.figure_key(row, column)], column.kind), figure=True) for column in columns
    ]
    cells[-1].colspan = span_last
    return cells


def active_tables(report: SampleReport, style: CellStyle, flat: bool = False) -> list[Layout]:
    """Table 二, one layout per article of 第二十条 (the official form prints them as one table)."""
    table = FORMS[report.form].table("active")
    articles: dict[str, list] = {}
    for row in table.rows:
        articles.setdefault(row.group, []).append(row)
    layouts = []
    for article, rows in articles.items():
        columns = table.columns_of(rows[0])
        pad = 4 - len(columns)
        if flat:
            layout = [[Cell("条款"), Cell("信息内容")] + [Cell(c.label) for c in columns] + [Cell("")] * pad]
            layout += [
                [Cell(article), Cell(row.label)] + _values(report, style, table, row) + [Cell("")] * pad for row in rows
            ]
        else:
            layout = [
                [Cell(article, colspan=4)],
                [Cell("信息内容")] + [Cell(c.label) for c in columns[:-1]] + [Cell(columns[-1].label, colspan=1 + pad)],
            ]
            layout += [[Cell(row.label)] + _values(report, style, table, row, 1 + pad) for row in rows]
        layouts.append(layout)
    return layouts


def applications_table(report: SampleReport, style: CellStyle, flat: bool = False) -> Layout:
    table = FORMS[report.form].table("applications")
    labels = [c.label for c in APPLICANT_COLUMNS]
    if flat:
        layout = [
            [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), Cell(""), Cell("")]
            + [Cell(label) for label in labels]
        ]
    else:
        layout = [
            [
                Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
                Cell("申请人情况", colspan=7),
            ],
            [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
            [Cell(label) for label in labels[1:-1]],
        ]
    subgroups: dict[str, int] = {}
    for row in table.rows:
        if row.group.startswith("（"):
            subgroups[row.group] = subgroups.get(row.group, 0) + 1
    results_span = sum(1 for row in table.rows if row.group == RESULTS or row.group in subgroups)
    started: set[str] = set()
    for row in table.rows:
        values = _values(report, style, table, row)
        in_results = row.group == RESULTS or row.group in subgroups
        first_result = in_results and RESULTS not in started
        first_of_group = row.group not in started
        started.update((RESULTS, row.group) if in_results else (row.group,))
        if flat:
            outer = RESULTS if first_result else ""
            if row.group in subgroups:
                labels = [outer, row.group if first_of_group else "", row.label]
            else:
                labels = [outer, row.label, ""] if in_results else [row.label, "", ""]
            layout.append([Cell(label) for label in labels] + values)
            continue
        cells: list[Cell] = []
        if first_result:
            cells.append(Cell(RESULTS, rowspan=results_span))
        if row.group in subgroups:
            if first_of_group:
                cells.append(Cell(row.group, rowspan=subgroups[row.group]))
            cells.append(Cell(row.label))
        else:
            cells.append(Cell(row.label, colspan=2 if in_results else 3))
        layout.append(cells + values)
    return layout


def review_table(report: SampleReport, style: CellStyle, flat: bool = False) -> Layout:
    labels = [c.label for c in REVIEW.columns]
    if flat:
        layout = [[Cell("类别")] + [Cell(label) for label in labels]]
        for group in REVIEW.rows:
            name = f"{group.group}（{group.label}）" if group.group else group.label
            layout.append(
                [Cell(name)]
                + [Cell(style.write(report.figures[f"{group.key}.{c.key}"]), figure=True) for c in REVIEW.columns]
            )
        return layout
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell(label, rowspan=2) for label in labels]
        + [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(label) for label in labels] * 2,
        [Cell(style.write(report.figures[key]), figure=True) for key in REVIEW.keys()],
    ]


# --- HTML ------------------------------------------------------------------------------


def render_html(
    report: SampleReport,
    layout: str = "official",
    style: CellStyle | None = None,
    encoding: str = "utf-8",
    page: bool = True,
) -> bytes:
    """The report as an HTML page (or only the report's block, with page=False)."""
    if layout not in HTML_LAYOUTS:
        raise ValueError(f"unknown HTML layout {layout!r}; one of {HTML_LAYOUTS}")
    style = style or CellStyle()
    word = layout == "word"
    flat = layout == "flat"
    parts = []
    for section in SECTIONS:
        parts.append(_paragraph(section.heading, word, heading=True))
        if section.prose:
            parts.extend(_paragraph(line, word) for line in report.sections.get(section.key, "").splitlines())
        elif section.key == "active":
            tables = active_tables(report, style, flat)
            if word:
                parts.extend(_html_table(table, word) for table in tables)
            else:
                parts.append(_html_table([row for table in tables for row in table], word))
        elif section.key == "applications":
            parts.append(_html_table(applications_table(report, style, flat), word))
        else:
            parts.append(_html_table(review_table(report, style, flat), word))
    content = "\n".join(parts)
    if not page:
        return content.encode(encoding)
    return page_html(report.title, content, encoding).encode(encoding, "xmlcharrefreplace")


def page_html(title: str, content: str, encoding: str = "utf-8", meta: str = "", files: str = "") -> str:
    """A government page around a report: navigation, the report block, a footer."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={encoding}">
<title>{html.escape(title)}_河南省人民政府门户网站</title>
<script>var _hmt = _hmt || []; var keywords = "<table><tr><td>本年新收</td></tr></table>";</script>
<style>.report-content td {{ border: 1px solid #000; }}</style>
</head><body>
<div class="header"><a href="/">首页</a> <a href="/zw/">政务公开</a> <a href="/zw/public-report">年度报告</a></div>
<div class="crumbs">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开工作年度报告</div>
<div class="report">
<h1 class="report-title">{html.escape(title)}</h1>
<div class="report-meta">{meta}</div>
<div class="report-content">
{content}
</div>
{files}
</div>
<div class="share">分享到：微信 微博</div>
<div class="footer">主办：河南省人民政府办公厅 <table><tr><td>网站标识码</td><td>4100000031</td></tr></table></div>
</body></html>
"""


def _paragraph(text: str, word: bool, heading: bool = False) -> str:
    text = html.escape(text)
    if not word:
        return f"<p><strong>{text}</strong></p>" if heading else f"<p>{text}</p>"
    style = "font-size:16.0pt;font-family:黑体" if heading else "font-size:16.0pt;font-family:仿宋_GB2312"
    return (
        f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">'
        f'<span style="{style}">{text}<span lang="EN-US"><o:p></o:p></span></span></p>'
    )


def _html_table(layout: Layout, word: bool) -> str:
    rows = []
    for cells in layout:
        rows.append("<tr>" + "".join(_html_cell(cell, word) for cell in cells) + "</tr>")
    attributes = (
        ' class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse"'
        if word
        else ' border="1"'
    )
    return f"<table{attributes}><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _html_cell(cell: Cell, word: bool) -> str:
    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )
    if not word:
        return f"<td{spans}>{html.escape(cell.text)}</td>"
    if not cell.text:
        inner = '<span lang="EN-US">&nbsp;<o:p></o:p></span>'
    elif cell.figure:
        inner = f'<span lang="EN-US" style="font-size:10.5pt">{html.escape(cell.text)}<o:p></o:p></span>'
    else:
        inner = (
            f'<span style="font-size:10.5pt;font-family:宋体">{_wrap(cell.text)}</span>'
            '<span lang="EN-US"><o:p></o:p></span>'
        )
    return (
        f'<td width="64" valign="center"{spans} style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">'
        f'<p class="MsoNormal" align="center" style="text-align:center">{inner}</p></td>'
    )


def _wrap(label: str, width: int = 10) -> str:
    """A long label broken with <br> as narrow Word cells break it."""
    pieces = [html.escape(label[start : start + width]) for start in range(0, len(label), width)]
    return "<br>".join(pieces)


# --- Text ----------------------------------------------------------------------------


def render_text(report: SampleReport, layout: str = "tabs", style: CellStyle | None = None) -> str:
    """The report as text: tab-separated tables (`tabs`) or a PDF's text layer (`spaces`)."""
    if layout not in TEXT_LAYOUTS:
        raise ValueError(f"unknown text layout {layout!r}; one of {TEXT_LAYOUTS}")
    style = style or CellStyle()
    lines = [report.title, ""]
    for section in SECTIONS:
        lines.append(section.heading)
        if section.prose:
            lines.extend(report.sections.get(section.key, "").splitlines())
            continue
        if section.key == "active":
            tables = [row for table in active_tables(report, style) for row in table]
        elif section.key == "applications":
            tables = applications_table(report, style)
        else:
            tables = review_table(report, style)
        for cells in _unmerge(tables):
            lines.extend(_tab_line(cells) if layout == "tabs" else _space_lines(cells))
        lines.append("")
    return "\n".join(lines) + "\n"


def _unmerge(layout: Layout) -> list[list[tuple[str, bool]]]:
    """A merged-cell layout as copied to text from Word: one cell per merged
    cell in its first row, one empty cell in each further row it covers."""
    grid: list[list[tuple[str, bool]]] = []
    # (row, column) → (width of the merged cell covering it there, whether it holds a figure)
    covered: dict[tuple[int, int], tuple[int, bool]] = {}
    for r, cells in enumerate(layout):
        row: list[tuple[str, bool]] = []
        column = 0
        pending = iter(cells)
        cell = next(pending, None)
        while cell is not None or (r, column) in covered:
            if (r, column) in covered:
                width, figure = covered[r, column]
                row.append(("", figure))
                column += width
                continue
            for dr in range(1, cell.rowspan):
                covered[r + dr, column] = (cell.colspan, cell.figure)
            row.append((cell.text, cell.figure))
            column += cell.colspan
            cell = next(pending, None)
        grid.append(row)
    return grid


def _tab_line(cells: list[tuple[str, bool]]) -> list[str]:
    return ["\t".join(text for text, _ in cells)]


def _space_lines(cells: list[tuple[str, bool]], width: int = 30) -> list[str]:
    label = "".join(text for text, figure in cells if not figure)
    figures = " ".join(text for text, figure in cells if figure and text)
    if len(label) > width and figures:
        return [label[:width], label[width:], figures]
    return [" ".join(filter(None, (label, figures)))]
