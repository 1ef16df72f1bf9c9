"""A report's figures laid out as the official form prints them: tables 二, 三 and 四, labelled as printed.

Built from the form's definition (`gxcrawl.forms`), never from a copy of it:
each table becomes rows of cells with their spans, ready for an HTML
template. Table 二 prints one block per article, each with its own columns;
table 三 nests its row headings three deep under 「申请人情况」's two-level
columns; table 四 prints its rows across, as column groups over one line.
A legacy report (before 2019) has no form: its 「政府信息公开情况统计表」 is
shown as it printed it, row by row (`statistics_table`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from gxcrawl.forms import FORMS, LEGACY_TABLE_HEADING, LEGACY_VALUE_COLUMN, SECTIONS, Row, Table, ancestors


@dataclass
class Cell:
    text: str
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    #: The figure's key, for value cells.
    key: str | None = None
    #: Where the figure came from (gxcrawl.browse.sources.annotate): read, blank, derived, settled or corrected;
    #: the same in words; its page's picture; the failed checks it is in.
    status: str | None = None
    note: str | None = None
    image: str | None = None
    failing: list[str] = field(default_factory=list)


@dataclass
class PrintedTable:
    heading: str
    rows: list[list[Cell]]


def printed_tables(template: str, figures: dict[str, object]) -> list[PrintedTable]:
    """The form `template`'s tables, filled with `figures` (key → number or None)."""
    headings = {section.key: section.heading for section in SECTIONS}
    layouts = []
    for table in FORMS[template].tables:
        if table.printed_across:
            rows = _across(table, figures)
        elif any(row.columns for row in table.rows):
            rows = _blocks(table, figures)
        else:
            rows = _grid(table, figures)
        layouts.append(PrintedTable(headings[table.key], rows))
    return layouts


#: The statistics table's columns as reports print them.
STATISTICS_COLUMNS = ("指标名称", "计量单位", LEGACY_VALUE_COLUMN, "历年累计")


def statistics_table(rows: list[dict]) -> PrintedTable:
    """A legacy report's statistics table from its `legacy_rows` (row, label, unit, value,
    cumulative, key), in the printed order; a row without figures or unit is a heading across,
    and the 历年累计 column is there when the table has it."""
    cumulative = any(row["cumulative"] is not None for row in rows)
    headers = STATISTICS_COLUMNS if cumulative else STATISTICS_COLUMNS[:-1]
    lines = [[Cell(text, header=True) for text in headers]]
    for row in sorted(rows, key=lambda row: row["row"]):
        if row["value"] is None and row["cumulative"] is None and not row["unit"]:
            lines.append([Cell(row["label"], header=True, colspan=len(headers))])
            continue
        cells = [
            Cell(row["label"], header=True),
            Cell(row["unit"] or "", header=True),
            Cell(show(row["value"]), key=row["key"]),
        ]
        lines.append(cells + [Cell(show(row["cumulative"]))] * cumulative)
    return PrintedTable(LEGACY_TABLE_HEADING, lines)


def show(value) -> str:
    """A figure as the form would print it; blank when the report did not give it."""
    if value is None:
        return ""
    number = Decimal(str(value))
    return f"{number:,}" if number == number.to_integral_value() else f"{number.normalize():,}"


def _value(table: Table, row: Row, column, figures) -> Cell:
    key = table.figure_key(row, column)
    return Cell(show(figures.get(key)), key=key)


def _blocks(table: Table, figures) -> list[list[Cell]]:
    """Table 二: per article (row group), its heading, its column labels, then its rows."""
    lines: list[list[Cell]] = []
    group = None
    for row in table.rows:
        columns = table.columns_of(row)
        if row.group != group:
            group = row.group
            lines.append([Cell(group, header=True, colspan=1 + len(columns))])
            lines.append([Cell("信息内容", header=True), *(Cell(column.label, header=True) for column in columns)])
        lines.append([Cell(row.label, header=True), *(_value(table, row, column, figures) for column in columns)])
    return lines


def _grid(table: Table, figures) -> list[list[Cell]]:
    """Table 三: nested row headings on the left, grouped column headings on top."""
    depth = 1 + max(len(ancestors(row)) for row in table.rows)
    grouped = any(column.group for column in table.columns)
    header_lines = 1 + grouped + bool(table.columns_heading)
    corner = Cell("", header=True, colspan=depth, rowspan=header_lines)
    lines: list[list[Cell]] = []
    if table.columns_heading:
        lines.append([corner, Cell(table.columns_heading, header=True, colspan=len(table.columns))])
    top, bottom = [], []
    group_cell = None
    for column in table.columns:
        if not column.group:
            top.append(Cell(column.label, header=True, rowspan=1 + grouped))
            group_cell = None
            continue
        if group_cell is not None and group_cell.text == column.group:
            group_cell.colspan += 1
        else:
            group_cell = Cell(column.group, header=True)
            top.append(group_cell)
        bottom.append(Cell(column.label, header=True))
    lines.append(([] if table.columns_heading else [corner]) + top)
    if grouped:
        lines.append(bottom)
    open_headings: list[Cell | None] = [None] * (depth - 1)
    for row in table.rows:
        chain = ancestors(row)
        line: list[Cell] = []
        for level in range(depth - 1):
            heading = chain[level] if level < len(chain) else None
            cell = open_headings[level]
            if heading is not None and cell is not None and cell.text == heading:
                cell.rowspan += 1
                continue
            open_headings[level] = None
            if heading is not None:
                open_headings[level] = Cell(heading, header=True)
                line.append(open_headings[level])
        line.append(Cell(row.label, header=True, colspan=depth - len(chain)))
        line.extend(_value(table, row, column, figures) for column in table.columns)
        lines.append(line)
    return lines


def _across(table: Table, figures) -> list[list[Cell]]:
    """Table 四: each row is a group of columns (grouped again under its heading), over one line of figures."""
    width = len(table.columns)
    top, middle, labels, values = [], [], [], []
    group_cell = None
    for row in table.rows:
        if not row.group:
            top.append(Cell(row.label, header=True, colspan=width, rowspan=2))
            group_cell = None
        elif group_cell is not None and group_cell.text == row.group:
            group_cell.colspan += width
            middle.append(Cell(row.label, header=True, colspan=width))
        else:
            group_cell = Cell(row.group, header=True, colspan=width)
            top.append(group_cell)
            middle.append(Cell(row.label, header=True, colspan=width))
        labels.extend(Cell(column.label, header=True) for column in table.columns)
        values.extend(_value(table, row, column, figures) for column in table.columns)
    return [top, middle, labels, values]
