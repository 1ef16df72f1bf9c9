"""`gxcrawl export`: the reports as one wide table in CSV, XLSX or Parquet, with a data dictionary.

One row per report and one column per figure key (printed values; blank
cells empty), after the report's identity, scorecard and checks: the rows of the
`reports_wide` view (gxcrawl.store.wide), read a batch at a time in order and
written as they are read, so that memory stays flat however many reports
there are.

- CSV (UTF-8 with a byte-order mark, which Excel needs to see UTF-8): a second
  header row holds each column's Chinese label;
- XLSX (openpyxl's write-only workbook): the same two header rows, and a
  `dictionary` sheet;
- Parquet (pyarrow, row groups of ROW_GROUP reports): each column's label and
  description as field metadata; counts are integers, amounts (万元) exact
  decimals. A count the report printed as no whole number (read with a
  warning) cannot be an integer: it is written empty, and said.

`--template` keeps that form's figures only. Text that XLSX cannot hold
(control characters a page carried in its title) is written without them.

CSV and Parquet get the dictionary beside them as `<name>.dictionary.csv`:
each column, its label, its table and kind, from the forms' definition.
"""

import csv
import sqlite3
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from gxcrawl.cells import Kind
from gxcrawl.forms import FIGURE_KINDS, FORM_LEGACY, FORMS, LEGACY_INDICATORS, figure_labels
from gxcrawl.store.wide import CHECKS, FIGURE_KEYS, HEADS, IDENTITY, SCORECARD

FORMATS = ("csv", "xlsx", "parquet")
#: Reports read and written at a time.
BATCH = 1000
#: Reports to a Parquet row group. The file's footer, held until the end, describes each column of each row group
#: (about 150 KB a group of this table): groups of a batch made the export's memory grow with the reports (143 MB at
#: 100,000, 300 MB at a million).
ROW_GROUP = 10 * BATCH
#: What the columns before the figures hold.
DESCRIPTIONS = {
    "id": ("报告编号", "The report's id (reports.id): <source>/<agency>/<year>"),
    "source": ("来源", "The spider or importer that found it first"),
    "agency": ("发布机关", "The agency, as its report's title names it"),
    "region": ("所属地区", "The region, where the portal says"),
    "area_code": ("行政区划代码", "The region's code, where the portal says"),
    "year": ("报告年度", "The year the report covers"),
    "published": ("发布日期", "When it was published"),
    "template": ("格式版本", "Official form: 2019, 2021 or legacy (before 2019)"),
    "format": ("文件格式", "What the figures were read from: html, pdf, docx, doc, text, image"),
    "url": ("网址", "The report's page"),
    "title": ("标题", "The title as published"),
    "score": ("得分", "The scorecard's score out of 100 (see the README's «Scorecards»)"),
    "on_time": ("按时发布", "1 when published by 31 January of the following year, 0 when later, empty when unknown"),
    "days_late": ("迟发天数", "Days after 31 January of the following year"),
    "sections_missing": ("缺少的部分", "The six sections the report lacks (JSON)"),
    "cells_given": ("填报比例", "Share of the form's cells the report gives"),
    "rules_failed": ("未通过的规则", "Consistency rules failed, R1–R7 and L1 (JSON)"),
    "narrative": ("正文与表格一致", "R7: the prose's figures against the tables: ok, failed or unknown"),
    "copied_share": ("与上年重复比例", "Share of the prose repeated from the agency's previous report"),
    "checks": ("一致性检查", "Rule → ok / failed / unknown (JSON)"),
    "checks_failed": ("未通过检查数", "How many of R1, R3, R4, R5 (L1) failed"),
    "figures_found": ("已读数字数", "How many of the form's figures were read"),
}
KIND_WORDS = {
    Kind.COUNT: "件数 · count",
    Kind.SIGNED: "增减 · signed change",
    Kind.AMOUNT: "万元 · amount in 10,000 yuan",
}


def dictionary() -> list[dict]:
    """Every column of the export: its name, Chinese label, description, table and kind."""
    labels: dict[str, dict] = {}
    for label in figure_labels():
        labels.setdefault(label["key"], label)  # the 2019 form's labels first, as figure_labels gives them
    rows = [
        {"column": column, "label": label, "description": description, "table": "", "kind": ""}
        for column, (label, description) in DESCRIPTIONS.items()
    ]
    for key in FIGURE_KEYS:
        label = labels.get(key, {})
        rows.append(
            {
                "column": key,
                "label": label.get("label", key),
                "description": f"{label.get('section', '')}: {label.get('label', key)}",
                "table": label.get("table_number") or "",
                "kind": KIND_WORDS[FIGURE_KINDS[key]],
            }
        )
    return rows


COLUMNS = (*IDENTITY, *SCORECARD, *CHECKS, *FIGURE_KEYS)


def columns_of(template: str | None) -> tuple[str, ...]:
    """The export's columns: every figure key, or those of one form."""
    if template is None:
        return COLUMNS
    keys = [indicator.key for indicator in LEGACY_INDICATORS] if template == FORM_LEGACY else FORMS[template].keys
    return (*IDENTITY, *SCORECARD, *CHECKS, *(key for key in FIGURE_KEYS if key in set(keys)))


def has_wide_view(db_path: str) -> bool:
    connection = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        return bool(connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'reports_wide'").fetchone())
    finally:
        connection.close()


def read_wide(
    db_path: str, columns: tuple[str, ...], year: int | None = None, template: str | None = None
) -> Iterator[tuple]:
    """The rows of `reports_wide`, filtered, in order of year and id, read from a read-only connection.

    Read a batch of reports at a time: their own columns and scorecards, then their figures, one index range per
    report, placed by key. The view itself looks each cell up apart: twenty times slower (4,900 reports in 8.5 s
    against 0.4 s). Only the batch is held; the order comes from SQLite's sorter, which spills to disk.
    """
    connection = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        connection.execute("BEGIN")  # one snapshot for every batch's reads, whatever a crawl commits meanwhile
        where, params = [], []
        if year is not None:
            where.append("year = ?")
            params.append(year)
        if template is not None:
            where.append("template = ?")
            params.append(template)
        ordered = connection.execute(
            f"SELECT id FROM reports {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY year, id", params
        )
        keys = columns[len(HEADS) :]
        place = {key: index for index, key in enumerate(keys)}
        while batch := [row[0] for row in ordered.fetchmany(BATCH)]:
            marks = ",".join("?" * len(batch))
            rows = {
                row[0]: row
                for row in connection.execute(
                    f"SELECT {', '.join(HEADS)} FROM reports r LEFT JOIN scorecards s ON s.report_id = r.id "
                    f"WHERE r.id IN ({marks})",
                    batch,
                )
            }
            figures = {report_id: [None] * len(keys) for report_id in batch}
            for report_id, key, value in connection.execute(
                f"SELECT report_id, key, value FROM figures WHERE report_id IN ({marks})", batch
            ):
                if key in place:
                    figures[report_id][place[key]] = value
            for report_id in batch:
                yield (*rows[report_id], *figures[report_id])
    finally:
        connection.close()


def export(db_path: str, out: str, format: str, year: int | None = None, template: str | None = None) -> int:
    """Write the export; how many reports it holds."""
    columns = columns_of(template)
    rows = read_wide(db_path, columns, year, template)
    writer = {"csv": _csv, "xlsx": _xlsx, "parquet": _parquet}[format]
    count = writer(Path(out), columns, rows)
    if format != "xlsx":
        _dictionary_csv(Path(out).with_suffix(".dictionary.csv"), columns)
    return count


def _labels(columns: tuple[str, ...]) -> list[str]:
    labels = {row["column"]: row["label"] for row in dictionary()}
    return [labels[column] for column in columns]


def _csv(out: Path, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    count = 0
    with out.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow(_labels(columns))
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _dictionary_csv(out: Path, columns: tuple[str, ...]) -> None:
    with out.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, ["column", "label", "description", "table", "kind"])
        writer.writeheader()
        writer.writerows(entry for entry in dictionary() if entry["column"] in set(columns))


#: Excel opens no sheet longer than this: a national export continues on sheets "reports 2", "reports 3", …
SHEET_ROWS = 1_048_576


def _xlsx(out: Path, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    book = Workbook(write_only=True)
    sheet, room, count = None, 0, 0
    for row in rows:
        if room == 0:
            sheet, room = _reports_sheet(book, columns), SHEET_ROWS - 2
        sheet.append([cell(value) for value in row])
        room -= 1
        count += 1
    if sheet is None:
        _reports_sheet(book, columns)
    terms = book.create_sheet("dictionary")
    terms.append(["column", "label", "description", "table", "kind"])
    for entry in dictionary():
        if entry["column"] in set(columns):
            terms.append([entry["column"], entry["label"], entry["description"], entry["table"], entry["kind"]])
    book.save(out)
    return count


def _reports_sheet(book, columns: tuple[str, ...]):
    """The next sheet of reports, "reports", "reports 2", …, under the columns' names and labels."""
    number = len(book.sheetnames) + 1
    sheet = book.create_sheet("reports" if number == 1 else f"reports {number}")
    sheet.append(list(columns))
    sheet.append(_labels(columns))
    return sheet


#: Amounts in 万元 as printed run to four decimals (103.3879); eighteen digits in all leave room for any total.
AMOUNT = (18, 6)


def _parquet(out: Path, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    described = {entry["column"]: entry for entry in dictionary()}
    fields = []
    for column in columns:
        kind = FIGURE_KINDS.get(column)
        if kind is Kind.AMOUNT:
            kind_type = pa.decimal128(*AMOUNT)
        elif column in ("cells_given", "copied_share"):
            kind_type = pa.float64()
        elif kind is not None or column in ("year", "score", "on_time", "days_late", "checks_failed", "figures_found"):
            kind_type = pa.int64()
        else:
            kind_type = pa.string()
        entry = described[column]
        metadata = {"label": entry["label"], "description": entry["description"], "kind": entry["kind"]}
        fields.append(pa.field(column, kind_type, metadata=metadata))
    schema = pa.schema(fields)
    count, group = 0, []
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                group.append(_table(schema, batch))
                count += len(batch)
                batch = []
                if len(group) * BATCH >= ROW_GROUP:
                    _write_group(writer, group)
                    group = []
        if batch or not count:
            group.append(_table(schema, batch))
            count += len(batch)
        if group:
            _write_group(writer, group)
    return count


def _write_group(writer, tables: list) -> None:
    """Write batches' tables as one row group."""
    import pyarrow as pa

    table = pa.concat_tables(tables)
    writer.write_table(table, row_group_size=max(table.num_rows, 1))


def _table(schema, rows: list[tuple]):
    import pyarrow as pa

    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    arrays = [
        pa.array([_plain(value, field, row[0]) for value, row in zip(values, rows)], type=field.type)
        for values, field in zip(columns, schema)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _plain(value, field, report_id: str):
    """A value as its column's type holds it (SQLite gives integral amounts as integers, counts as floats); a count
    that is no whole number is left empty, and said."""
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_decimal(field.type):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-AMOUNT[1]))
    if field.type == pa.int64():
        number = Decimal(str(value))
        if number != number.to_integral_value():
            print(f"gxcrawl: {report_id} {field.name} is {number}, not a whole count; written empty", file=sys.stderr)
            return None
        return int(number)
    if field.type == pa.float64():
        return float(value)
    return str(value)
