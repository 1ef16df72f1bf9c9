"""Reports before 2019: the 「政府信息公开情况统计表」 read as the `legacy` form, stored with every row as
printed, and shown in datasette. The pages are built here in the shapes real legacy tables take (a year
or 本年度 as the header, with or without 历年累计, 其中 sub-rows, headings, merged label cells, extra
columns, 元 or 万元, a table printed as lines of text); the real pages of ../shared are read when present."""

import asyncio
import html
import json
import random
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from datasette.utils import tilde_encode

from conftest import ROOT, missing, needs
from gxcrawl import ingest
from gxcrawl.archive import Archive
from gxcrawl.browse.server import make_datasette
from gxcrawl.forms import LEGACY_KEYS, figure_labels
from gxcrawl.model import Fetch
from gxcrawl.report import Report, parse_document, parse_documents
from gxcrawl.store.reports import CHANGED, HEADLINES, NEW, OLDER, UNCHANGED, store_report
from gxcrawl.store.runs import record_failure
from gxcrawl.store.schema import open_database
from support.samples import page_html, random_report, render_html

REALWORLD = ROOT.parent / "shared" / "realworld" / "docs"
PROSE = (
    "<p>一、概述</p><p>本年度，我局认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。</p>"
    "<p>二、主动公开政府信息情况</p><p>本年度主动公开政府信息若干条，主要通过门户网站公开。</p>"
    "<p>三、主要问题和改进措施</p><p>个别单位信息更新不够及时，下一步将加强督查。</p>"
)


def table_html(rows: list[list[str]], header: list[str] | None = None, spans: dict | None = None) -> str:
    """A table; `spans` maps (row, column) of `rows` to (rowspan, colspan) for merged cells (the cells
    they cover are left out of `rows`, as HTML does)."""
    spans = spans or {}
    lines = [] if header is None else ["<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in header) + "</tr>"]
    for r, cells in enumerate(rows):
        tds = []
        for c, cell in enumerate(cells):
            rowspan, colspan = spans.get((r, c), (1, 1))
            tds.append(f'<td rowspan="{rowspan}" colspan="{colspan}">{html.escape(cell)}</td>')
        lines.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>" + "".join(lines) + "</table>"


def legacy_page(title: str, table: str = "", heading: str = "七、政府信息公开情况统计表") -> bytes:
    content = PROSE + (f"<p>{heading}</p>{table}" if table else "")
    return page_html(title, content).encode("utf-8")


# --- The shapes ---------------------------------------------------------------------------

#: The Fujian table of 2008–2018: the year as header, 历年累计, 其中 sub-rows, fees in 元.
FUJIAN_ROWS = [
    ["主动公开文件数", "条", "3460", "85376"],
    ["其中：1、政府网站公开数", "条", "3460", "85376"],
    ["2、政府公报公开数", "条", "0", "0"],
    ["受理依申请公开信息总数", "条", "12", "140"],
    ["其中：1、当面申请数", "条", "5", "60"],
    ["2、网上申请数", "条", "7", "80"],
    ["对申请的答复总数", "条", "12", "139"],
    ["其中：1、同意公开答复数", "条", "8", "100"],
    ["2、同意部分公开答复数", "条", "2", "20"],
    ["3、不予公开答复数", "条", "1", "9"],
    ["4、其他类型答复数", "条", "1", "10"],
    ["依申请公开信息收取的费用", "元", "2500", "12000"],
    ["政府信息公开收费减免金额", "元", "300", "800"],
    ["接受行政诉讼、举报数", "件", "3", "7"],
    ["行政复议数", "件", "2", "5"],
    ["行政诉讼数", "件", "1", "2"],
]


def fujian(year: int = 2016, rows=FUJIAN_ROWS) -> bytes:
    return legacy_page(
        f"某县人民政府{year}年度政府信息公开工作年度报告",
        table_html(rows, ["指标名称", "计量单位", f"{year}年度", "历年累计"]),
    )


#: The national table of 2015–2018: 本年度 only, headings, 申请办结数 beside 申请答复数, 万元.
NATIONAL_ROWS = [
    ["一、主动公开情况", "", ""],
    ["（一）主动公开政府信息数", "条", "1,205"],
    ["其中：主动公开规范性文件数", "条", "36"],
    ["二、依申请公开情况", "", ""],
    ["（一）收到申请数", "件", "40"],
    ["1.当面申请数", "件", "15"],
    ["（二）申请办结数", "件", "38"],
    ["（三）申请答复数", "件", "37"],
    ["1.属于已主动公开范围数", "件", "6"],
    ["2.同意公开答复数", "件", "20"],
    ["3.同意部分公开答复数", "件", "4"],
    ["4.不同意公开答复数", "件", "5"],
    ["其中：涉及国家秘密", "件", "1"],
    ["5.不属于本行政机关公开数", "件", "2"],
    ["三、行政复议数量", "件", "3"],
    ["（一）维持具体行政行为数", "件", "2"],
    ["四、行政诉讼数量", "件", "1"],
    ["五、举报投诉数量", "件", "—"],
    ["六、依申请公开信息收取的费用", "万元", "0.0350"],
    ["七、机构建设和保障经费情况", "", ""],
    ["（三）从事政府信息公开工作人员数", "人", "12"],
    ["九、政府信息公开会议和培训情况", "", ""],
    ["（三）接受培训人员数", "人次", "310"],
]


def national(year: int = 2017, rows=NATIONAL_ROWS) -> bytes:
    return legacy_page(
        f"某市教育局{year}年政府信息公开工作年度报告",
        table_html(rows, ["指标名称", "单位", "本年度"]),
        heading="附表：政府信息公开情况统计表",
    )


def test_the_fujian_table_every_row_as_printed_and_the_indicators():
    report = parse_document(fujian(), "fujian.html")
    assert report.error is None and report.template == "legacy"
    assert (report.agency, report.year) == ("某县人民政府", 2016)
    assert len(report.legacy_rows) == len(FUJIAN_ROWS)
    assert [(row["label"], row["unit"], row["value"], row["cumulative"]) for row in report.legacy_rows] == [
        (label, unit, Decimal(value), Decimal(total)) for label, unit, value, total in FUJIAN_ROWS
    ]
    assert report.figures == {
        "legacy.proactive": 3460,
        "legacy.applications": 12,
        "legacy.answered": 12,
        "legacy.granted": 8,
        "legacy.partial": 2,
        "legacy.refused": 1,
        "legacy.review": 2,
        "legacy.suit": 1,
        # 「接受行政诉讼、举报数」 counts two things at once: neither is read from it.
        "legacy.complaints": None,
        "legacy.fees": Decimal("0.25"),
    }  # 2500 元; 「收费减免金额」 is a waiver, not a fee
    keys = {row["label"]: row["key"] for row in report.legacy_rows if row["key"]}
    assert keys["依申请公开信息收取的费用"] == "legacy.fees" and "政府信息公开收费减免金额" not in keys
    assert report.checks == {"L1": "ok"} and report.check_failures == []
    assert report.figures_found == 9


def test_the_national_table_with_headings_and_no_cumulative_column():
    report = parse_document(national(), "national.html")
    assert report.template == "legacy" and report.error is None
    rows = {row["label"]: row for row in report.legacy_rows}
    assert len(report.legacy_rows) == len(NATIONAL_ROWS)
    assert rows["一、主动公开情况"]["value"] is None and rows["一、主动公开情况"]["unit"] is None
    assert all(row["cumulative"] is None for row in report.legacy_rows)
    assert rows["五、举报投诉数量"]["value"] == 0  # 「—」
    assert rows["（三）接受培训人员数"]["unit"] == "人次"
    assert report.figures == {
        "legacy.proactive": 1205,
        "legacy.applications": 40,
        "legacy.answered": 37,  # 申请答复数, of which granted/partial/refused are parts, before 申请办结数
        "legacy.granted": 20,
        "legacy.partial": 4,
        "legacy.refused": 5,
        "legacy.review": 3,
        "legacy.suit": 1,
        "legacy.complaints": 0,
        "legacy.fees": Decimal("0.0350"),
    }
    assert report.checks == {"L1": "ok"}


def test_merged_label_cells_extra_columns_and_the_report_years_column():
    header = ["序号", "指标名称", "", "计量单位", "2011年", "2012年", "备注"]
    rows = [
        ["1", "依申请公开", "收到申请数", "件", "9", "14", ""],
        ["2", "申请答复数", "件", "8", "13", "含上年结转"],
        ["3", "同意公开答复数", "件", "5", "9", ""],
        ["4", "同意部分公开答复数", "件", "1", "2", ""],
        ["5", "不同意公开答复数", "件", "1", "1", ""],
        ["6", "其他", "行政复议数", "件", "0", "1", ""],
    ]
    # 「依申请公开」 spans the four rows of applications; 「其他」 stands alone; row 2–5's labels span two columns.
    spans = {(0, 1): (5, 1), **{(r, 1): (1, 1) for r in range(1, 5)}}
    table = table_html(rows, header, spans).replace("<td>指标名称</td><td></td>", '<td colspan="2">指标名称</td>')
    report = parse_document(legacy_page("某区司法局2012年度政府信息公开工作年度报告", table), "merged.html")
    assert report.template == "legacy", report.warnings
    printed = [(row["label"], row["unit"], row["value"], row["cumulative"]) for row in report.legacy_rows]
    assert printed[0] == ("依申请公开 收到申请数", "件", 14, None)  # the 2012 column, the report's year
    assert printed[-1] == ("其他 行政复议数", "件", 1, None)
    assert report.figures["legacy.applications"] == 14 and report.figures["legacy.answered"] == 13
    assert report.figures["legacy.granted"] == 9 and report.figures["legacy.review"] == 1
    assert any("2011年" in warning and "备注" in warning for warning in report.warnings)  # columns not kept


def test_a_column_of_another_year_is_not_this_years_and_a_repeated_header_is_no_row():
    rows = [
        ["主动公开政府信息数", "条", "10", "100"],
        ["指标名称", "计量单位", "2015年度", "历年累计"],
        ["行政复议数", "件", "1", "4"],
    ]
    page = legacy_page(
        "某县人民政府2016年度政府信息公开工作年度报告",
        table_html(rows, ["指标名称", "计量单位", "2015年度", "历年累计"]),
    )
    report = parse_document(page, "other-year.html")
    assert report.template == "legacy"
    assert [(row["label"], row["value"], row["cumulative"]) for row in report.legacy_rows] == [
        ("主动公开政府信息数", None, 100),
        ("行政复议数", None, 4),
    ]
    assert report.figures["legacy.proactive"] is None and report.figures["legacy.review"] is None
    assert any("2015年 (the report is of 2016)" in warning for warning in report.warnings)


def test_a_money_row_keeps_its_unit_and_the_fee_is_in_wan_yuan():
    rows = [["主动公开政府信息数", "条", "10", "100"], ["依申请公开信息收取的费用", "万元", "2500元", "1.5"]]
    report = parse_document(fujian(2014, rows), "fee.html")
    fee = report.legacy_rows[1]
    assert (fee["unit"], fee["value"], fee["cumulative"]) == ("万元", Decimal("0.25"), Decimal("1.5"))
    assert report.figures["legacy.fees"] == Decimal("0.25")


@pytest.mark.parametrize(
    "label, unit, cell, printed, fees",
    [
        ("依申请公开信息收取的费用", "元", "2500", Decimal(2500), Decimal("0.25")),
        ("依申请公开信息收取的费用", "元", "0.3万元", Decimal(3000), Decimal("0.3")),
        ("依申请公开信息收取的费用（万元）", "", "0.0120", Decimal("0.0120"), Decimal("0.0120")),
        ("依申请公开信息收取的费用（单位：元）", "", "120", Decimal(120), Decimal("0.012")),
        ("依申请公开信息收取的费用", "", "120", Decimal(120), None),  # 元 or 万元? not said
    ],
)
def test_the_fees_unit_from_the_unit_column_the_cell_or_the_label(label, unit, cell, printed, fees):
    report = parse_document(
        fujian(2014, [["主动公开政府信息数", "条", "10", "100"], [label, unit, cell, ""]]), "f.html"
    )
    assert report.legacy_rows[1]["value"] == printed and report.figures["legacy.fees"] == fees
    assert (fees is None) == any("元 or 万元" in warning for warning in report.warnings)


def test_a_table_printed_as_lines_of_text():
    text = "\n".join(
        [
            "某县民政局2013年政府信息公开工作年度报告",
            "一、概述",
            "2013年，我局政府信息公开工作稳步推进，全年主动公开政府信息156条。",
            "政府信息公开情况统计表",
            "指标名称 计量单位 本年度 历年累计",
            "一、主动公开情况",
            "主动公开政府信息数 条 156 1,020",
            "收到申请数 件 4 31",
            "对申请的答复总数 件 4 30",
            "同意公开答复数 件 2 20",
            "不同意公开答复数 件 1 6",
            "行政复议数 件 0",
            "附件：",
        ]
    )
    report = parse_document(text.encode("utf-8"), "text.txt")
    assert report.template == "legacy", report.error
    assert [row["label"] for row in report.legacy_rows][:2] == ["一、主动公开情况", "主动公开政府信息数"]
    assert report.legacy_rows[-1]["label"] == "行政复议数"  # 「附件：」 after the last row is not a row
    assert report.figures["legacy.proactive"] == 156 and report.legacy_rows[1]["cumulative"] == 1020
    # One figure for two columns: which one it is cannot be told.
    assert report.figures["legacy.review"] is None
    assert any("行政复议数" in warning and "1 figures for 2 columns" in warning for warning in report.warnings)
    assert report.figures["legacy.partial"] is None and report.checks == {"L1": "unknown"}


def test_a_printed_pdf_reads_as_its_page():
    needs("chromium")
    from support import rendering

    for page in (fujian(), national()):
        html_report, pdf_report = parse_document(page, "p.html"), parse_document(rendering.print_pdf(page), "p.pdf")
        assert (pdf_report.format, pdf_report.template) == ("pdf", "legacy")
        assert pdf_report.figures == html_report.figures
        assert [(row["unit"], row["value"], row["cumulative"]) for row in pdf_report.legacy_rows] == [
            (row["unit"], row["value"], row["cumulative"]) for row in html_report.legacy_rows
        ]


def test_a_report_before_2019_without_the_table_has_no_figures_and_no_error():
    report = parse_document(legacy_page("某乡人民政府2011年政府信息公开工作年度报告"), "plain.html")
    assert report.error is None and report.template == "legacy"
    assert (report.agency, report.year) == ("某乡人民政府", 2011)
    assert report.figures == dict.fromkeys(LEGACY_KEYS) and report.legacy_rows == []
    assert report.checks == {"L1": "unknown"}
    assert any("政府信息公开情况统计表" in warning for warning in report.warnings)
    assert report.sections["overview"]


def test_a_later_report_is_never_legacy_by_its_year_and_a_letter_is_no_report():
    later = parse_document(legacy_page("某乡人民政府2020年政府信息公开工作年度报告"), "later.html")
    assert later.error and later.template is None
    letter = page_html(
        "关于2014年政府信息公开工作要点落实情况的函",
        "<p>各乡镇、区直各单位：</p><p>现将2014年政府信息公开工作要点落实情况函告如下。</p>",
    )
    refused = parse_document(letter.encode("utf-8"), "letter.html")
    assert refused.error.startswith("not an annual report") and refused.template is None


def test_the_forms_reports_stay_on_their_form():
    for year, form in ((2019, "2019"), (2022, "2021")):
        report = parse_document(render_html(random_report(random.Random(year), year=year, form=form)), "r.html")
        assert report.template == form and report.legacy_rows == []


def test_an_indicator_claimed_twice_or_a_row_claiming_two_is_null_with_a_warning():
    rows = [
        ["同意公开答复数", "件", "3", "9"],
        ["同意公开数", "件", "4", "9"],
        ["不予公开答复数及部分公开数", "件", "2", "5"],
        ["行政诉讼数", "件", "1", "1"],
    ]
    report = parse_document(fujian(2015, rows), "twice.html")
    assert report.figures["legacy.granted"] is None
    assert report.figures["legacy.refused"] is None and report.figures["legacy.partial"] is None
    assert report.figures["legacy.suit"] == 1
    assert any(warning.startswith("legacy.granted: rows") for warning in report.warnings)
    assert any(warning.startswith("legacy.refused: row") and "legacy.partial" in warning for warning in report.warnings)
    assert all(row["key"] is None for row in report.legacy_rows[:3])


@pytest.mark.parametrize("answered, outcome", [("11", "ok"), ("10", "ok"), ("9", "failed"), ("", "unknown")])
def test_rule_l1(answered, outcome):
    rows = [
        ["对申请的答复总数", "件", answered, ""],
        ["同意公开答复数", "件", "6", ""],
        ["同意部分公开答复数", "件", "3", ""],
        ["不同意公开答复数", "件", "1", ""],
    ]
    report = parse_document(fujian(2016, rows), "l1.html")
    assert report.checks == {"L1": outcome}
    assert report.check_failures == (
        ["L1: 答复总数 9 < 同意公开 + 部分公开 + 不同意公开 = 6 + 3 + 1 = 10"] if outcome == "failed" else []
    )


def test_the_report_as_a_record_and_as_json():
    report = parse_document(national(), "national.html")
    assert Report.from_record(json.loads(json.dumps(report.to_record()))) == report
    printed = report.to_json()
    assert printed["template"] == "legacy" and printed["figures"]["legacy.fees"] == 0.035
    assert printed["legacy_rows"][1] == {
        "row": 2,
        "label": "（一）主动公开政府信息数",
        "unit": "条",
        "value": 1205,
        "cumulative": None,
        "key": "legacy.proactive",
    }


def test_a_page_without_the_table_takes_it_from_its_attachment():
    page = legacy_page("某县人民政府2016年度政府信息公开工作年度报告")
    report = parse_documents([("page.html", page, "text/html"), ("a.html", fujian(), "text/html")])
    assert report.file == "a.html" and report.figures["legacy.proactive"] == 3460
    alone = parse_documents([("page.html", page, "text/html"), ("b.html", b"<html>x</html>", "text/html")])
    assert alone.file == "page.html" and alone.error is None and alone.template == "legacy"


# --- Storage ------------------------------------------------------------------------------


def stored_rows(db, view="legacy_rows", **where):
    clause = " AND ".join(f"{column} = ?" for column in where) or "1"
    return list(db.query(f"SELECT * FROM {view} WHERE {clause} ORDER BY version_id, row", list(where.values())))


def test_storage_keeps_every_versions_rows_and_the_current_ones(tmp_path):
    db = open_database(tmp_path / "g.db")
    first = parse_document(fujian(), "v1.html")
    corrected_rows = [row if row[0] != "行政复议数" else ["行政复议数", "件", "3", "6"] for row in FUJIAN_ROWS]
    corrected = parse_document(fujian(rows=corrected_rows), "v2.html")
    assert store_report(db, first, Fetch("files", "http://x/1", published="2017-01-18")) == NEW
    assert store_report(db, first, Fetch("files", "http://x/1", published="2017-01-18")) == UNCHANGED
    assert store_report(db, corrected, Fetch("files", "http://x/2", published="2017-02-01")) == CHANGED
    earlier = parse_document(fujian(rows=FUJIAN_ROWS[:5]), "v0.html")
    assert store_report(db, earlier, Fetch("files", "http://x/0", published="2017-01-02")) == OLDER
    key = "files/某县人民政府/2016"
    report = next(db.query("SELECT * FROM reports WHERE id = ?", [key]))
    assert report["template"] == "legacy" and json.loads(report["checks"]) == {"L1": "ok"}
    assert report["checks_failed"] == 0 and report["figures_found"] == 9
    assert all(report[column] is None for column in HEADLINES)  # the forms' headlines mean nothing here
    figures = {row["key"]: row["value"] for row in db.query("SELECT * FROM figures WHERE report_id = ?", [key])}
    assert set(figures) == set(LEGACY_KEYS) and figures["legacy.review"] == 3 and figures["legacy.fees"] == 0.25
    versions = {row["url"]: row for row in db.query("SELECT * FROM report_versions WHERE report_id = ?", [key])}
    assert {url: row["superseded"] for url, row in versions.items()} == {
        "http://x/1": 1,
        "http://x/2": 0,
        "http://x/0": 1,
    }
    everything = stored_rows(db, report_id=key)
    assert len(everything) == 2 * len(FUJIAN_ROWS) + 5
    by_version = {
        url: [(row["label"], row["value"]) for row in everything if row["version_id"] == version["id"]]
        for url, version in versions.items()
    }
    assert ("行政复议数", 2) in by_version["http://x/1"] and ("行政复议数", 3) in by_version["http://x/2"]
    current = stored_rows(db, "legacy_rows_current", report_id=key)
    assert [(row["label"], row["unit"], row["value"], row["cumulative"], row["key"]) for row in current] == [
        (row["label"], row["unit"], row["value"], row["cumulative"], row["key"]) for row in corrected.legacy_rows
    ]
    labels = {row["key"]: row["label"] for row in db.query("SELECT * FROM figures_labelled WHERE report_id = ?", [key])}
    assert labels["legacy.review"] == "行政复议数 · 本年度"


def test_a_database_made_before_legacy_reports_gains_their_table(tmp_path):
    path = tmp_path / "old.db"
    db = open_database(path)
    db.conn.executescript("DROP VIEW legacy_rows_current; DROP TABLE legacy_rows;")
    db.close()
    db = open_database(path)
    assert "legacy_rows" in db.table_names() and "legacy_rows_current" in db.view_names()
    store_report(db, parse_document(national(), "n.html"), Fetch("files", "http://x/n"))
    assert len(stored_rows(db, "legacy_rows_current")) == len(NATIONAL_ROWS)


def test_ingest_and_reparse_store_legacy_reports(tmp_path):
    from gxcrawl.reparse import reparse

    path = tmp_path / "g.db"
    db = open_database(path)
    archive = Archive(tmp_path / "archive")
    page = fujian()
    report = parse_document(page, "http://portal/1")
    fetch = Fetch("site", "http://portal/1", published="2017-01-18")
    message = ingest.report_message(
        fetch, report, report.title, [{"url": fetch.url, "body": page, "content_type": "text/html"}]
    )
    assert ingest.Ingest(None, db, archive).store(json.loads(message))
    assert len(stored_rows(db, "legacy_rows_current", report_id="site/某县人民政府/2016")) == len(FUJIAN_ROWS)
    # A legacy page an older parser could not read, kept as a failure: reparse stores it now.
    later = national()
    failed = Fetch(
        "site",
        "http://portal/2",
        published="2018-01-10",
        documents=[{"url": "http://portal/2", "sha256": archive.put(later), "content_type": "text/html"}],
    )
    record_failure(db, failed, "none of the form's tables was found")
    db.close()
    assert reparse(str(path), str(tmp_path / "archive"))["new"] == 1
    db = open_database(path)
    assert len(stored_rows(db, "legacy_rows_current", report_id="site/某市教育局/2017")) == len(NATIONAL_ROWS)


def test_reparse_replaces_a_legacy_page_once_misread_as_the_2021_form(tmp_path):
    from gxcrawl.reparse import reparse

    path = tmp_path / "g.db"
    db = open_database(path)
    page = fujian()
    digest = Archive(tmp_path / "archive").put(page)
    misread = parse_document(page, "http://portal/1")
    misread.template, misread.legacy_rows, misread.checks = "2021", [], {"R1": "unknown"}
    misread.figures = {"applications.partial.other_org": Decimal(0), "applications.partial.total": Decimal(0)}
    fetch = Fetch(
        "site",
        "http://portal/1",
        published="2017-01-18",
        documents=[{"url": "http://portal/1", "sha256": digest, "content_type": "text/html"}],
    )
    store_report(db, misread, fetch)
    db.close()
    assert reparse(str(path), str(tmp_path / "archive")) == {"changed": 1}
    db = open_database(path)
    key = "site/某县人民政府/2016"
    assert next(db.query("SELECT template FROM reports WHERE id = ?", [key]))["template"] == "legacy"
    assert {row["key"] for row in db.query("SELECT key FROM figures WHERE report_id = ?", [key])} == set(LEGACY_KEYS)
    versions = list(db.query("SELECT template, superseded FROM report_versions WHERE report_id = ? ORDER BY id", [key]))
    assert versions == [{"template": "2021", "superseded": 1}, {"template": "legacy", "superseded": 0}]
    assert len(stored_rows(db, "legacy_rows_current", report_id=key)) == len(FUJIAN_ROWS)


def test_gxcrawl_import_stores_a_folder_of_legacy_reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "2016.html").write_bytes(fujian())
    (folder / "2011.html").write_bytes(legacy_page("某乡人民政府2011年政府信息公开工作年度报告"))
    db = tmp_path / "g.db"
    result = subprocess.run(
        [sys.executable, "-m", "gxcrawl", "import", str(folder), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 new, 0 changed, 0 unchanged, 0 unreadable"
    stored = open_database(db)
    templates = {row["id"]: (row["template"], row["figures_found"]) for row in stored.query("SELECT * FROM reports")}
    assert templates == {"files/某县人民政府/2016": ("legacy", 9), "files/某乡人民政府/2011": ("legacy", 0)}


def test_a_crawl_of_a_column_with_reports_before_2019_stores_them_and_succeeds(tmp_path):
    from support.site_replica import LIST_PATHS, SiteReplica
    from test_site import crawl_site

    class ColumnWithLegacyReports(SiteReplica):
        def report_page(self, report):
            if report.id in self.legacy_pages:
                body = self.legacy_pages[report.id].decode()
                content = body[body.index('<div class="report-content">') : body.index('<div class="share">')]
                return (
                    f"<html><head><meta charset='utf-8'><title>{report.title}</title></head><body>"
                    f"<h1>{report.title}</h1><div class='info'>发布时间：{report.published}</div>"
                    f"<div class='article-content'>{content}</div></body></html>"
                )
            return super().report_page(report)

    replica = ColumnWithLegacyReports(reports=4)
    replica.legacy_pages = {}
    column = replica.columns["next"]
    for report, year, page in ((column[0], 2016, fujian), (column[1], 2017, national)):
        report.title = f"{report.sample.agency}{year}年度政府信息公开工作年度报告"
        body = (
            page(year)
            .decode()
            .replace("某县人民政府", report.sample.agency)
            .replace("某市教育局", report.sample.agency)
        )
        replica.legacy_pages[report.id] = body.encode()
    base = replica.serve()
    try:
        db = tmp_path / "g.db"
        result = crawl_site(db, "-a", f"url={base}{LIST_PATHS['next']}", "-a", "cms=next")
    finally:
        replica.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    stored = open_database(db)
    templates = {(row["agency"], row["year"]): row["template"] for row in stored.query("SELECT * FROM reports")}
    assert len(templates) == 4 and list(templates.values()).count("legacy") == 2
    assert templates[(column[0].sample.agency, 2016)] == "legacy"
    assert len(stored_rows(stored, "legacy_rows_current")) == len(FUJIAN_ROWS) + len(NATIONAL_ROWS)
    assert stored["failures"].count == 0


# --- Browsing -----------------------------------------------------------------------------


def printed_rows(page: str) -> list[list[tuple[str, str, str]]]:
    """The first table of `page` as (tag, attributes, text) per cell, line by line."""
    table = page[page.index("<table>") : page.index("</table>")]
    return [
        [
            (tag, attributes, html.unescape(text.strip()))
            for tag, attributes, text in re.findall(r"<(th|td)([^>]*)>(.*?)</t[hd]>", line, re.S)
        ]
        for line in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_a_legacy_reports_page_shows_its_table_as_printed(tmp_path):
    path = tmp_path / "g.db"
    db = open_database(path)
    store_report(db, parse_document(national(), "n.html"), Fetch("files", "http://x/n"))
    store_report(db, parse_document(fujian(), "f.html"), Fetch("files", "http://x/f"))
    store_report(
        db,
        parse_document(legacy_page("某乡人民政府2011年政府信息公开工作年度报告"), "p.html"),
        Fetch("files", "http://x/p"),
    )
    store_report(
        db,
        parse_document(render_html(random_report(random.Random(1), agency="某局", year=2022)), "r.html"),
        Fetch("files", "http://x/r"),
    )
    db.close()
    datasette = make_datasette([path])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(datasette.invoke_startup())

    def get(url):
        response = loop.run_until_complete(datasette.client.get(url))
        assert response.status_code == 200, (url, response.text[:300])
        return response

    try:
        page = get("/g/reports/" + tilde_encode("files/某市教育局/2017")).text
        assert "2019 年以前的统计表" in page
        printed = printed_rows(page[page.index('class="gxcrawl-form"') :])
        assert printed[0] == [("th", "", "指标名称"), ("th", "", "计量单位"), ("th", "", "本年度")]  # no 历年累计
        assert printed[1] == [("th", ' colspan="3"', "一、主动公开情况")]
        assert printed[2] == [
            ("th", "", "（一）主动公开政府信息数"),
            ("th", "", "条"),
            ("td", ' data-key="legacy.proactive" title="legacy.proactive"', "1,205"),
        ]
        assert ["（三）申请答复数", "件", "37"] in [[text for _, _, text in line] for line in printed]
        assert ["（三）接受培训人员数", "人次", "310"] in [[text for _, _, text in line] for line in printed]
        assert ["六、依申请公开信息收取的费用", "万元", "0.035"] in [[text for _, _, text in line] for line in printed]
        assert len(printed) == 1 + len(NATIONAL_ROWS)
        fujian_page = get("/g/reports/" + tilde_encode("files/某县人民政府/2016")).text
        printed = printed_rows(fujian_page[fujian_page.index('class="gxcrawl-form"') :])
        assert [[text for _, _, text in line] for line in printed] == [
            ["指标名称", "计量单位", "本年度", "历年累计"]
        ] + [[label, unit, f"{int(value):,}", f"{int(total):,}"] for label, unit, value, total in FUJIAN_ROWS]
        plain = get("/g/reports/" + tilde_encode("files/某乡人民政府/2011")).text
        assert 'class="gxcrawl-form"' not in plain  # no table: nothing to lay out
        assert 'class="gxcrawl-form"' in get("/g/reports/" + tilde_encode("files/某局/2022")).text
        facets = get("/g/reports.json?_facet=template").json()["facet_results"]["template"]["results"]
        assert {item["value"]: item["count"] for item in facets} == {"legacy": 3, "2021": 1}
        labels = get("/g/figure_labels.json?template=legacy&_shape=array").json()
        assert {row["key"] for row in labels} == set(LEGACY_KEYS)
        current = get("/g/legacy_rows_current.json?_shape=array&_size=100&report_id=files/某市教育局/2017").json()
        assert len(current) == len(NATIONAL_ROWS)
    finally:
        loop.close()


def test_figure_labels_name_the_legacy_keys():
    legacy = [row for row in figure_labels() if row["template"] == "legacy"]
    assert [row["key"] for row in legacy] == list(LEGACY_KEYS)
    assert {row["key"]: row["row_label"] for row in legacy}["legacy.answered"] == "对申请的答复总数"


# --- The real pages -----------------------------------------------------------------------


def realworld(prefix: str) -> Path:
    if not REALWORLD.is_dir():
        missing(f"the real reports are not at {REALWORLD} (../shared/realworld beside the checkout)")
    return next(REALWORLD.glob(f"{prefix}_*"))


@pytest.mark.parametrize(
    "prefix, year, proactive, cumulative, rows",
    [
        ("80485", 2016, 3460, 85376, 16),  # read by hand from the page's 统计表
        ("80529", 2018, 2069, 12106, 15),
    ],
)
def test_the_real_legacy_pages(prefix, year, proactive, cumulative, rows):
    path = realworld(prefix)
    report = parse_document(path.read_bytes(), path.name)
    assert report.error is None and report.template == "legacy"
    assert (report.agency, report.year) == ("平潭综合实验区", year)
    assert len(report.legacy_rows) == rows
    first = report.legacy_rows[0]
    assert (first["label"], first["unit"], first["value"], first["cumulative"]) == (
        "主动公开文件数",
        "条",
        proactive,
        cumulative,
    )
    assert report.figures["legacy.proactive"] == proactive
    for key in (
        "legacy.applications",
        "legacy.answered",
        "legacy.granted",
        "legacy.partial",
        "legacy.refused",
        "legacy.review",
        "legacy.suit",
    ):
        assert report.figures[key] == 0, key
    assert report.figures["legacy.complaints"] is None and report.figures["legacy.fees"] is None
    assert report.checks == {"L1": "ok"}
    assert not any(key.startswith(("applications.", "active.", "review.")) for key in report.figures)


def test_the_real_letter_is_still_no_report():
    path = realworld("80787")
    report = parse_document(path.read_bytes(), path.name)
    assert report.error.startswith("not an annual report") and report.template is None


def test_a_sub_row_never_takes_its_parents_indicator():
    """「其中：…」 counts part of the row above: read it as the indicator and the figure is wrong."""
    rows = [
        ["主动公开政府信息条数", "条", "3460", "85376"],
        ["其中：网上主动公开信息数", "条", "3000", "80000"],
        ["依申请公开收费", "元", "2500", "12000"],
        ["其中：检索费收费金额", "元", "300", "800"],
    ]
    report = parse_document(fujian(2016, rows), "sub-rows.html")
    assert report.figures["legacy.proactive"] == 3460 and report.figures["legacy.fees"] == Decimal("0.25")
    sub_rows = [row for row in report.legacy_rows if row["label"].startswith("其中")]
    assert [row["key"] for row in sub_rows] == [None, None] and [row["value"] for row in sub_rows] == [3000, 300]


def test_a_corrected_legacy_figure_is_stored_and_marked_on_its_page(tmp_path):
    from datasette.utils import tilde_encode

    from gxcrawl.browse.server import make_datasette
    from gxcrawl.cli import main

    page = tmp_path / "fujian.html"
    page.write_bytes(fujian())
    db_path = str(tmp_path / "g.db")
    assert main(["import", str(page), "--db", db_path]) == 0
    db = open_database(db_path)
    report_id, review = db.execute(
        "SELECT r.id, f.value FROM reports r JOIN figures f ON f.report_id = r.id AND f.key = 'legacy.review'"
    ).fetchone()
    db.close()
    assert (
        main(["correct", report_id, "legacy.review", str(review + 1), "--reason", "统计表行政复议数", "--db", db_path])
        == 0
    )
    db = open_database(db_path)
    assert db.execute("SELECT value FROM figures WHERE key = 'legacy.review'").fetchone()[0] == review + 1
    db.close()
    datasette = make_datasette([db_path])
    loop = asyncio.new_event_loop()
    try:
        shown = loop.run_until_complete(datasette.client.get("/g/reports/" + tilde_encode(report_id))).text
    finally:
        loop.close()
    cell = re.search(r'<td data-key="legacy.review" title="([^"]*)" class="([^"]*)">([^<]*)</td>', shown)
    assert cell and cell.group(2) == "corrected" and cell.group(3) == str(review)  # the table as printed
    assert f"更正为 · corrected to {review + 1}" in html.unescape(cell.group(1))
