"""`gxcrawl export`: each format read back (csv, openpyxl, pyarrow) and compared with the database."""

import csv
import json
from decimal import Decimal

import pytest

from gxcrawl.cli import main
from gxcrawl.export import COLUMNS, dictionary, read_wide
from gxcrawl.forms import FIGURE_KINDS, FORMS
from gxcrawl.store.schema import open_database
from test_browse import REPORTS, build


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "g.db"
    build(path)
    return path


def stored(path) -> dict[str, dict]:
    """Every report's figures (printed values) and scorecard, by report id, as the database holds them."""
    db = open_database(path)
    try:
        reports = {row["id"]: dict(row) for row in db.query("SELECT id, agency, year, template FROM reports")}
        for row in db.query("SELECT report_id, key, value FROM figures"):
            reports[row["report_id"]][row["key"]] = row["value"]
        for row in db.query("SELECT report_id, score, rules_failed FROM scorecards"):
            reports[row["report_id"]].update(score=row["score"], rules_failed=row["rules_failed"])
        return reports
    finally:
        db.close()


def same(exported, expected) -> bool:
    if expected is None:
        return exported in (None, "")
    return Decimal(str(exported)) == Decimal(str(expected))


def check(rows: list[dict], path) -> None:
    reports = stored(path)
    assert [row["id"] for row in rows] == sorted(reports, key=lambda report_id: (reports[report_id]["year"], report_id))
    for row in rows:
        report = reports[row["id"]]
        assert (row["agency"], int(row["year"])) == (report["agency"], report["year"])
        assert same(row["score"], report["score"]) and row["rules_failed"] == report["rules_failed"]
        for key in FIGURE_KINDS:
            assert same(row[key], report.get(key)), (row["id"], key)


def test_csv_has_a_row_per_report_a_column_per_figure_and_the_labels_below_the_names(database, tmp_path, capsys):
    out = tmp_path / "reports.csv"
    assert main(["export", str(out), "--db", str(database)]) == 0
    assert f"{len(REPORTS)} reports written" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert tuple(lines[0]) == COLUMNS
    labels = dict(zip(lines[0], lines[1]))
    assert labels["year"] == "报告年度" and "行政复议" in labels["review.total"]
    check([dict(zip(lines[0], line)) for line in lines[2:]], database)
    with out.with_suffix(".dictionary.csv").open(encoding="utf-8-sig", newline="") as handle:
        terms = list(csv.DictReader(handle))
    assert [term["column"] for term in terms] == list(COLUMNS)
    assert {term["kind"] for term in terms if term["column"] == "active.fees.amount"} == {
        "万元 · amount in 10,000 yuan"
    }


def test_xlsx_the_same_with_a_dictionary_sheet(database, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "reports.xlsx"
    assert main(["export", str(out), "--db", str(database), "--year", "2022"]) == 0
    book = load_workbook(out)
    lines = [list(line) for line in book["reports"].iter_rows(values_only=True)]
    assert tuple(lines[0]) == COLUMNS and lines[1][COLUMNS.index("year")] == "报告年度"
    rows = [dict(zip(lines[0], line)) for line in lines[2:]]
    assert {row["year"] for row in rows} == {2022} and len(rows) == sum(year == 2022 for *_, year in REPORTS)
    reports = stored(database)
    for row in rows:
        for key in FIGURE_KINDS:
            assert same(row[key], reports[row["id"]].get(key)), key
    terms = list(book["dictionary"].iter_rows(values_only=True))
    assert len(terms) == len(dictionary()) + 1


@pytest.mark.parametrize(
    "sheet_rows, year, sheets",
    [
        (4, None, [2, 2, 2, 1]),  # two header rows and two reports a sheet: seven reports
        (9, None, [7]),  # seven reports fill one sheet exactly: no empty second one
        (4, 2022, [2, 1]),
        (4, 1999, [0]),  # no report: one sheet, its header rows alone
    ],
)
def test_xlsx_goes_on_to_another_sheet_where_excel_would_stop(
    database, tmp_path, monkeypatch, sheet_rows, year, sheets
):
    from openpyxl import load_workbook

    from gxcrawl import export

    monkeypatch.setattr(export, "SHEET_ROWS", sheet_rows)
    out = tmp_path / "reports.xlsx"
    assert main(["export", str(out), "--db", str(database), *(["--year", str(year)] if year else [])]) == 0
    book = load_workbook(out)
    names = [name for name in book.sheetnames if name != "dictionary"]
    assert names == ["reports"] + [f"reports {number}" for number in range(2, len(sheets) + 1)]
    ids = []
    for name, count in zip(names, sheets):
        lines = list(book[name].iter_rows(values_only=True))
        assert tuple(lines[0]) == COLUMNS and lines[1][COLUMNS.index("year")] == "报告年度"
        assert len(lines) - 2 == count
        ids += [line[COLUMNS.index("id")] for line in lines[2:]]
    assert ids == [row[0] for row in read_wide(database, ("id",), year=year)]


def test_parquet_with_types_and_labels_as_column_metadata(database, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "reports.parquet"
    assert main(["export", str(out), "--db", str(database), "--template", "2021"]) == 0
    table = pq.read_table(out)
    assert str(table.schema.field("review.total").type) == "int64"
    assert str(table.schema.field("active.fees.amount").type) == "decimal128(18, 6)"
    assert "active.regulation.made" not in table.schema.names  # the 2019 form's figures are not the 2021 form's
    label = table.schema.field("review.total").metadata[b"label"].decode()
    assert "行政复议" in label
    rows = table.to_pylist()
    reports = stored(database)
    assert {row["id"] for row in rows} == {rid for rid, report in reports.items() if report["template"] == "2021"}
    for row in rows:
        for key in FORMS["2021"].keys:
            assert same(row[key], reports[row["id"]].get(key)), key


def test_the_wide_view_serves_datasettes_own_export(database):
    db = open_database(database)
    try:
        view = {row["id"]: row for row in db.query("SELECT * FROM reports_wide")}
    finally:
        db.close()
    check([view[report_id] for report_id in sorted(view, key=lambda rid: (view[rid]["year"], rid))], database)


def test_an_export_without_a_format_it_knows_is_refused(database, tmp_path, capsys):
    assert main(["export", str(tmp_path / "reports.txt"), "--db", str(database)]) == 2
    assert "say which format" in capsys.readouterr().err
    assert json.dumps(COLUMNS)  # the columns are plain names


def test_xlsx_writes_text_with_control_characters_without_them(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "g.db"
    build(path)
    db = open_database(path)
    db.conn.execute("UPDATE reports SET title = title || char(7) || '（转载）'")
    db.conn.commit()
    db.close()
    out = tmp_path / "reports.xlsx"
    assert main(["export", str(out), "--db", str(path)]) == 0
    titles = [
        row[COLUMNS.index("title")] for row in load_workbook(out)["reports"].iter_rows(min_row=3, values_only=True)
    ]
    assert titles and all(title.endswith("（转载）") and "\x07" not in title for title in titles)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Both forms and legacy reports over several years, one report without a scorecard (stored by a gxcrawl that
    did not grade): what the batched reading must read as the view does."""
    import random

    from gxcrawl.archive import Archive
    from gxcrawl.model import Fetch
    from gxcrawl.recording import record
    from support.samples import random_report, render_html
    from test_legacy import fujian

    folder = tmp_path_factory.mktemp("mixed")
    db = open_database(folder / "g.db")
    archive = Archive(folder / "archive")
    pages = [(f"某市第{index}局", 2019 + index % 4, None) for index in range(7)]
    pages += [("某县人民政府", year, fujian(year)) for year in (2014, 2015, 2016)]
    for index, (agency, year, page) in enumerate(pages):
        if page is None:
            form = "2021" if year >= 2021 else "2019"
            page = render_html(random_report(random.Random(index), form=form, agency=agency, year=year))
        url = f"http://portal/{index}"
        record(db, archive, Fetch("henan", url, published=f"{year + 1}-01-10"), [{"url": url, "body": page}])
    db.conn.execute("DELETE FROM scorecards WHERE report_id = (SELECT min(id) FROM reports WHERE year = 2020)")
    db.conn.commit()
    db.close()
    return folder / "g.db"


@pytest.mark.parametrize(
    "template, year", [(None, None), ("2021", None), ("legacy", None), (None, 2020), ("2019", 2020)]
)
def test_the_export_reads_the_views_rows_a_batch_at_a_time(mixed, monkeypatch, template, year):
    from gxcrawl import export

    monkeypatch.setattr(export, "BATCH", 3)  # batches end mid-year and mid-form
    columns = export.columns_of(template)
    where = " AND ".join(
        condition
        for condition, wanted in ((f"template = '{template}'", template), (f"year = {year}", year))
        if wanted is not None
    )
    db = open_database(mixed)
    try:
        selected = ", ".join(f"[{column}]" for column in columns)
        view = [
            tuple(row)
            for row in db.execute(
                f"SELECT {selected} FROM reports_wide {'WHERE ' + where if where else ''} ORDER BY year, id"
            )
        ]
        ungraded = "SELECT count(*) FROM reports WHERE id NOT IN (SELECT report_id FROM scorecards)"
        assert db.execute(ungraded).fetchone()[0] == 1
    finally:
        db.close()
    expected = {(None, None): 10, ("2021", None): 3, ("legacy", None): 3, (None, 2020): 2, ("2019", 2020): 2}
    assert len(view) == expected[template, year]
    assert list(export.read_wide(str(mixed), columns, year=year, template=template)) == view


@pytest.mark.parametrize("batch, row_group, groups", [(3, 6, [6, 4]), (2, 10, [10]), (5, 5, [5, 5]), (3, 4, [6, 4])])
def test_parquet_writes_row_groups_of_several_batches(mixed, tmp_path, monkeypatch, batch, row_group, groups):
    import pyarrow.parquet as pq

    from gxcrawl import export

    monkeypatch.setattr(export, "BATCH", batch)
    monkeypatch.setattr(export, "ROW_GROUP", row_group)
    out = tmp_path / "reports.parquet"
    assert main(["export", str(out), "--db", str(mixed), "--format", "parquet"]) == 0
    parquet = pq.ParquetFile(out)
    assert [parquet.metadata.row_group(index).num_rows for index in range(parquet.num_row_groups)] == groups
    assert parquet.read(columns=["id"]).column("id").to_pylist() == [row[0] for row in read_wide(mixed, ("id",))]


def test_an_empty_parquet_export_has_the_columns_and_no_rows(database, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "reports.parquet"
    assert main(["export", str(out), "--db", str(database), "--format", "parquet", "--year", "1999"]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 0 and "review.total" in table.schema.names
