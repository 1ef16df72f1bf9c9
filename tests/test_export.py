"""`gxcrawl export`: each format read back (csv, openpyxl, pyarrow) and compared with the database."""

import csv
import json
from decimal import Decimal

import pytest

from gxcrawl.cli import main
from gxcrawl.export import COLUMNS, dictionary
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


@pytest.mark.parametrize("template", [None, "2021", "legacy"])
def test_the_export_reads_the_views_rows_a_batch_at_a_time(database, monkeypatch, template):
    from gxcrawl import export

    monkeypatch.setattr(export, "BATCH", 3)  # batches end mid-year and mid-form
    columns = export.columns_of(template)
    db = open_database(database)
    try:
        where = "" if template is None else f"WHERE template = '{template}'"
        selected = ", ".join(f"[{column}]" for column in columns)
        view = [tuple(row) for row in db.execute(f"SELECT {selected} FROM reports_wide {where} ORDER BY year, id")]
    finally:
        db.close()
    assert len(view) > 3 or template == "legacy"
    assert list(export.read_wide(str(database), columns, template=template)) == view
