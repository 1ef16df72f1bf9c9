"""Reports before 2019: the 「政府信息公开情况统计表」 and the `legacy` form (figures.md).

A report of 2008–2018 predates both official forms. Most end with a statistics
table of indicators (指标名称 / 计量单位 / 本年度 or the year / 历年累计) whose rows
vary by province and year. This stage finds that table, in a grid or in lines
of text, keeps every row as printed (label, unit, this year's value, the
cumulative value, each number in the row's own unit), reads the indicators of
`forms.LEGACY_INDICATORS` under their keys and checks rule L1.

A row is read under a key only when nothing else claims it: a row matching two
indicators, or an indicator matched by two rows, leaves the figure null with a
warning. A report of 2018 or earlier without any table is a legacy report with
no figures, never an error.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from gxcrawl.cells import Kind, is_value, read_cell
from gxcrawl.documents.model import Document, Grid, Paragraph
from gxcrawl.forms import (
    FORM_LEGACY,
    LAST_LEGACY_YEAR,
    LEGACY_COLUMNS,
    LEGACY_HEADER_WORDS,
    LEGACY_INDICATORS,
    LEGACY_KEYS,
    LEGACY_TABLE_HEADING,
    LEGACY_UNIT_IN_LABEL,
    LEGACY_UNITS,
    LEGACY_YEAR_HEADER,
    WAN_YUAN,
    YUAN,
    legacy_matches,
)
from gxcrawl.normalize import readable, squash
from gxcrawl.parser.checks import FAILED, OK, UNKNOWN, CheckResult
from gxcrawl.parser.figures import Figures, read_figures
from gxcrawl.parser.rows import read_rows

RULES = {"L1": "对申请的答复总数 ≥ 同意公开 + 同意部分公开 + 不同意公开 (legacy reports)"}
#: A report with this many figures of the forms holds their tables: it is not looked at as a legacy one.
MANY_FORM_FIGURES = 20
#: How far into a grid the header row is looked for (a title row may come first).
HEADER_ROWS = 4
#: A line of text without figures longer than this is prose: the table printed as text has ended.
MAX_HEADING_LINE = 40
#: Headers that number the rows and say nothing else.
ROW_NUMBER_HEADERS = frozenset({"序号", "编号"})
_KINDS = {indicator.key: indicator.kind for indicator in LEGACY_INDICATORS}


@dataclass
class StatisticsTable:
    #: One dict per printed row: row, label, unit, value, cumulative, key.
    rows: list[dict]
    #: Each row's own label, squashed (without the group cells before it): what indicators match.
    own_labels: list[str] = field(default_factory=list)
    #: The document blocks the table was read from.
    blocks: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_legacy(document: Document, figures: Figures, report) -> bool:
    """Fill `report` in as a legacy report when it is one; whether it is.

    It is one when it holds the statistics table and none of the forms' tables,
    or when its title names a year up to 2018 and it holds none of the forms' tables.
    """
    if figures.found >= MANY_FORM_FIGURES:
        return False  # the forms' tables are there: no statistics table reads as so many of their rows
    table = find_statistics_table(document, report.year)
    if table is None:
        if figures.found or report.year is None or report.year > LAST_LEGACY_YEAR:
            return False
        report.warnings.append(
            f"no {LEGACY_TABLE_HEADING} was found whose header names an indicator column "
            f"beside 计量单位 or 历年累计: a report of {report.year}, before the official forms, "
            "with no figures (a table with another header is not read: see LEGACY_COLUMNS in "
            "gxcrawl/forms.py)"
        )
    elif figures.found and _forms_tables_outside(document, table):
        return False
    report.template = FORM_LEGACY
    report.figures = dict.fromkeys(LEGACY_KEYS)
    if table is not None:
        report.legacy_rows = table.rows
        report.warnings.extend(table.warnings)
        report.figures.update(read_indicators(table.rows, table.own_labels, report.warnings))
    if report.agency is None:
        report.warnings.append(
            "no title naming the agency was found; agency and year are null"
            if report.year is None
            else f"the title {report.title!r} names no agency"
        )
    checks = check_l1(report.figures)
    report.checks, report.check_failures, report.failing = checks.outcomes, checks.failures, checks.failing
    return True


def _forms_tables_outside(document: Document, table: StatisticsTable) -> bool:
    """Whether the document holds figures of the forms outside the statistics table (whose
    labels, 「同意部分公开答复数」 among them, can look like rows of the forms)."""
    rest = Document(
        document.format, [block for block in document.blocks if not any(block is taken for taken in table.blocks)]
    )
    layout = read_rows(rest)
    return read_figures(layout.rows, layout.table_text).found > 0


# --- Finding and reading the table ------------------------------------------------------


@dataclass
class _Columns:
    label: list[int]
    unit: int | None = None
    value: int | None = None
    cumulative: int | None = None
    ignored: list[str] = field(default_factory=list)


def find_statistics_table(document: Document, year: int | None) -> StatisticsTable | None:
    """The document's statistics table(s), every row as printed; None when it has none."""
    found = StatisticsTable([])
    blocks = document.blocks
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if isinstance(block, Grid):
            _read_grid(block, year, found)
            index += 1
        else:
            index = _read_lines(blocks, index, year, found)
    return found if found.blocks else None


def _header(cells: list[str | None], year: int | None) -> _Columns | None:
    """The columns a header row names, when it is the statistics table's header."""
    if not any(cell and LEGACY_HEADER_WORDS.search(cell) for cell in cells):
        return None
    columns = _Columns([])
    years = {}
    for index, cell in enumerate(cells):
        text = squash(cell or "")
        if not text:
            continue
        kind = next((column.key for column in LEGACY_COLUMNS if column.pattern.search(text)), None)
        printed_year = LEGACY_YEAR_HEADER.match(text)
        if kind == "label":
            columns.label.append(index)
            # A header over several columns (「指标名称」 over a group and its rows) covers them all.
            spanned = index + 1
            while spanned < len(cells) and cells[spanned] is None:
                columns.label.append(spanned)
                spanned += 1
        elif kind in ("unit", "value", "cumulative") and getattr(columns, kind) is None:
            setattr(columns, kind, index)
        elif printed_year:
            years[index] = int(printed_year.group(1))
        elif text not in ROW_NUMBER_HEADERS:
            columns.ignored.append(text)
    if columns.value is None and years:
        # The report's year; with no title, the one year the table names. A year other than the
        # report's is another year's figures: not this year's.
        this_year = [index for index, printed in years.items() if printed == year or year is None]
        columns.value = this_year[0] if len(this_year) == 1 else None
        columns.ignored.extend(
            f"{printed}年" + ("" if year is None else f" (the report is of {year})")
            for index, printed in years.items()
            if index != columns.value
        )
    has_figures = columns.value is not None or columns.cumulative is not None
    # A header of 「项目 / 数量」 alone is any table's; the statistics table names its unit or its sums.
    names_unit_or_sums = columns.unit is not None or columns.cumulative is not None
    return columns if columns.label and has_figures and names_unit_or_sums else None


def _read_grid(grid: Grid, year: int | None, found: StatisticsTable) -> None:
    for position, cells in enumerate(grid.rows[:HEADER_ROWS]):
        columns = _header(cells, year)
        if columns is not None:
            break
    else:
        return
    found.blocks.append(grid)
    _warn_ignored(columns, found)
    last_label = max(columns.label)
    for cells in grid.rows[position + 1 :]:
        labels = _distinct(
            [cells[index] for index in range(columns.label[0], last_label + 1) if index < len(cells) and cells[index]]
        )
        value, cumulative = _cell(cells, columns.value), _cell(cells, columns.cumulative)
        if not (labels or value or cumulative) or _header(cells, year):  # blank, or the header again
            continue
        _add_row(
            found, " ".join(labels), squash(labels[-1]) if labels else "", _cell(cells, columns.unit), value, cumulative
        )


def _read_lines(blocks: list, index: int, year: int | None, found: StatisticsTable) -> int:
    """A table printed as lines of text (a PDF's text layer): a header line, then rows of
    label, unit and figures, up to the first line of prose; returns where reading stopped."""
    header = blocks[index]
    columns = _header(header.text.split(), year)
    if columns is None:
        return index + 1
    order = sorted(place for place in (columns.value, columns.cumulative) if place is not None)
    lines = []
    index += 1
    while index < len(blocks) and isinstance(blocks[index], Paragraph):
        tokens = blocks[index].text.split()
        start = len(tokens)
        while start and is_value(tokens[start - 1]):
            start -= 1
        label, figures = tokens[:start], tokens[start:]
        unit = label.pop() if len(label) > 1 and LEGACY_UNITS.match(squash(label[-1])) else None
        text = " ".join(label)
        if not text or (not figures and (len(squash(text)) > MAX_HEADING_LINE or "。" in text)):
            break
        lines.append((blocks[index], text, unit, figures))
        index += 1
    while lines and not lines[-1][3]:  # page footers and headings after the table's last row
        lines.pop()
    if not lines:
        return index
    found.blocks.append(header)
    _warn_ignored(columns, found)
    for block, text, unit, figures in lines:
        found.blocks.append(block)
        cells = dict.fromkeys(order)
        if len(figures) == len(order):
            cells = dict(zip(order, figures))
        elif figures:
            found.warnings.append(
                f"row {block.text.strip()!r} of the {LEGACY_TABLE_HEADING} has "
                f"{len(figures)} figures for {len(order)} columns; they were not read, as "
                "their places are unknown"
            )
        _add_row(found, text, squash(text), unit, cells.get(columns.value), cells.get(columns.cumulative))
    return index


def _warn_ignored(columns: _Columns, found: StatisticsTable) -> None:
    if columns.ignored:
        found.warnings.append(
            f"the {LEGACY_TABLE_HEADING}'s columns {columns.ignored} are not kept; "
            "its rows keep their label, unit, this year's value and the cumulative value"
        )


def _add_row(
    found: StatisticsTable, label: str, own_label: str, unit: str | None, value: str | None, cumulative: str | None
) -> None:
    unit = squash(unit or "") or None
    number = len(found.rows) + 1
    readings = {}
    for column, cell in (("value", value), ("cumulative", cumulative)):
        reading, problem = _read_in_unit(cell, money_unit(unit, own_label))
        readings[column] = reading
        if problem:
            found.warnings.append(f"{LEGACY_TABLE_HEADING} row {number} {label!r}: {problem}")
    found.rows.append({"row": number, "label": readable(label), "unit": unit, **readings, "key": None})
    found.own_labels.append(own_label)


def money_unit(unit: str | None, own_label: str) -> str | None:
    """元 or 万元 when a row counts money, by its unit column or else its label; None otherwise."""
    if unit in (YUAN, WAN_YUAN):
        return unit
    named = LEGACY_UNIT_IN_LABEL.search(own_label) if unit is None else None
    return named.group(1) if named else None


def _read_in_unit(cell: str | None, money: str | None) -> tuple[Decimal | None, str | None]:
    """A cell's number in its row's unit: money (`money`, 元 or 万元) read as an amount, a unit
    glued onto the cell winning; everything else as a count."""
    if not cell:
        return None, None
    if money is None:
        return read_cell(cell, Kind.COUNT)
    bare = squash(cell)
    reading = read_cell(bare if bare[-1:] == YUAN else bare + money, Kind.AMOUNT)  # in 万元
    if reading.value is None or money == WAN_YUAN:
        return reading
    return reading.value * 10000, reading.problem


def _cell(cells: list[str | None], index: int | None) -> str | None:
    return cells[index] if index is not None and index < len(cells) else None


def _distinct(texts: list[str]) -> list[str]:
    """Label cells left to right, a cell spanning several rows or columns once."""
    kept: list[str] = []
    for text in texts:
        if not kept or squash(kept[-1]) != squash(text):
            kept.append(text)
    return kept


# --- Indicators and rule L1 --------------------------------------------------------------


def read_indicators(rows: list[dict], own_labels: list[str], warnings: list[str]) -> dict[str, Decimal | None]:
    """The indicators' values, this year's, from the rows that carry figures; sets each row's `key`.

    For each indicator the best tier of its patterns that any row matches decides; a row
    claimed by two indicators, or an indicator claimed by two rows, gives null and a warning.
    """
    matches = {
        row["row"]: legacy_matches(own_label)
        for row, own_label in zip(rows, own_labels)
        if row["value"] is not None or row["cumulative"] is not None
    }
    claims: dict[str, list[dict]] = {}
    for key in LEGACY_KEYS:
        tiers = [found[key] for found in matches.values() if key in found]
        if tiers:
            claims[key] = [row for row in rows if matches.get(row["row"], {}).get(key) == min(tiers)]
    values: dict[str, Decimal | None] = {}
    for key, claimed in claims.items():
        if len(claimed) > 1:
            warnings.append(
                f"{key}: rows {[row['label'] for row in claimed]} of the {LEGACY_TABLE_HEADING} "
                "each read as this indicator; it is null, as which one it is cannot be told"
            )
            continue
        row = claimed[0]
        rivals = [
            other for other, rows_of in claims.items() if other != key and any(claimant is row for claimant in rows_of)
        ]
        if rivals:
            warnings.append(
                f"{key}: row {row['label']!r} of the {LEGACY_TABLE_HEADING} reads as {key} and "
                f"{', '.join(rivals)}; it is null, as which one it is cannot be told"
            )
            continue
        row["key"] = key
        values[key] = row["value"]
        money = money_unit(row["unit"], own_labels[row["row"] - 1])
        if _KINDS[key] is Kind.AMOUNT and money is None and row["value"] is not None:
            warnings.append(f"{key}: row {row['label']!r} does not say whether it counts 元 or 万元; it is null")
            values[key] = None
        elif money == YUAN and row["value"] is not None:
            values[key] = row["value"] / 10000  # every amount is in 万元 (figures.md)
        if row["value"] is None:
            warnings.append(f"{key}: row {row['label']!r} gives no figure for this year; it is null")
    return values


L1_PARTS = ("legacy.granted", "legacy.partial", "legacy.refused")


def check_l1(values: dict[str, Decimal | None]) -> CheckResult:
    """Rule L1: the replies are at least the granted, partial and refused ones (they may also
    count other answers: 「不属于本行政机关公开」, 「信息不存在」…)."""
    answered = values.get("legacy.answered")
    parts = [values.get(key) for key in L1_PARTS]
    if answered is None or any(part is None for part in parts):
        return CheckResult({"L1": UNKNOWN})
    if answered >= sum(parts):
        return CheckResult({"L1": OK})
    shown = " + ".join(str(part) for part in parts)
    return CheckResult(
        {"L1": FAILED},
        [f"L1: 答复总数 {answered} < 同意公开 + 部分公开 + 不同意公开 = {shown} = {sum(parts)}"],
        dict.fromkeys(("legacy.answered", *L1_PARTS), ["L1"]),
    )
