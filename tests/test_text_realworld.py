"""The real text exports and conversions of ../shared/realworld, read at run time (skipped when absent).

The figures asserted here were read by hand from the documents; those of the
80576 export are the same report as the 80576 page, whose figures are in
expected.json (`pingtan2019`).
"""

import json
from pathlib import Path

import pytest

from conftest import REALWORLD, missing
from gxcrawl.report import parse_file

APPLICANTS = ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org", "total")
ZEROS = (0,) * 7


@pytest.fixture(scope="module")
def docs() -> Path:
    if not (REALWORLD / "docs").is_dir():
        missing(f"the shared real reports are not at {REALWORLD}; set GXCRAWL_REALWORLD")
    return REALWORLD / "docs"


def parse(docs: Path, prefix: str):
    [path] = [path for path in docs.iterdir() if path.name.startswith(prefix)]
    return parse_file(path)


def row(report, key: str) -> tuple:
    return tuple(report.figures[f"applications.{key}.{column}"] for column in APPLICANTS)


def test_every_document_is_identified_and_the_letter_refused(docs):
    for path in sorted(docs.iterdir()):
        report = parse_file(path)
        if path.name.startswith("80787_"):
            assert report.error and report.error.startswith("not an annual report"), path.name
        elif path.suffix in (".txt", ".md"):
            assert report.error is None, (path.name, report.error)
            assert report.agency and report.year and report.template, path.name


def test_the_2019_export_never_disagrees_with_its_page(docs):
    expected = json.loads((REALWORLD / "expected.json").read_text(encoding="utf-8"))["pingtan2019"]
    report = parse(docs, "80576_平潭综合实验区2019年度政府信息公开工作年度报告.txt")
    assert (report.format, report.agency, report.year, report.template) == ("text", "平潭综合实验区", 2019, "2019")
    wrong = {
        key: (value, report.figures[key])
        for key, value in expected["figures"].items()
        if report.figures[key] is not None and report.figures[key] != pytest.approx(value)
    }
    assert wrong == {}
    # Rows whose digits are their columns, and rows the kept spaces cut in seven, are read whole.
    assert row(report, "granted") == (7, 0, 0, 0, 0, 0, 7)
    assert row(report, "unavailable_unclear") == (5, 0, 0, 0, 0, 0, 5)
    assert row(report, "total") == (23, 0, 0, 0, 0, 0, 23)
    assert row(report, "other") == ZEROS
    assert [report.figures[f"active.regulation.{key}"] for key in ("made", "published", "total_public")] == [0, 0, 0]
    assert report.figures["review.total"] == 0 and report.figures["suit_after_review.total"] == 0
    # Digits run together under several columns of table 二, which has no rules: null, with a warning.
    for key in ("active.normative.made", "active.licensing.prev_items"):
        assert report.figures[key] is None
        assert any(warning.startswith(key) and "no rule" in warning for warning in report.warnings)
    # 「230000023」 in table 三: of its four cuts only 23 0 0 0 0 0 23 satisfies R3, and the page agrees.
    assert row(report, "new") == (23, 0, 0, 0, 0, 0, 23)
    assert any(
        warning.startswith("applications.new.natural_person") and "R3 row new" in warning for warning in report.warnings
    )
    assert report.sections["overview"].startswith("2019年，在省政府办公厅")
    assert report.sections["other"] == "无其他需要报告的事项"


def test_the_2024_export(docs):
    report = parse(docs, "97791_")
    assert (report.agency, report.year, report.template) == ("平潭综合实验区", 2024, "2021")
    figures = report.figures
    assert [figures[f"active.regulation.{key}"] for key in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert (
        figures["active.licensing.decisions"],
        figures["active.penalty.decisions"],
        figures["active.coercion.decisions"],
    ) == (4529, 1100, 65)
    assert str(figures["active.fees.amount"]) == "18651.06"
    assert row(report, "denied_state_secret") == (4, 0, 0, 0, 0, 0, 4)
    assert row(report, "denied_third_party") == (3, 0, 0, 0, 0, 0, 3)
    assert row(report, "unprocessed_duplicate") == (1, 0, 0, 0, 0, 0, 1)
    assert row(report, "other_no_correction") == (1, 0, 0, 0, 0, 0, 1)
    assert row(report, "other_other") == (1, 1, 0, 0, 0, 0, 2)
    assert row(report, "carried_forward") == ZEROS
    # Rows whose digits ran together, each cut the one way R3 admits; R1 and R4 agree with the cuts.
    assert row(report, "new") == row(report, "total") == (217, 1, 0, 0, 0, 0, 218)
    for key, count in (("granted", 71), ("partial", 29), ("denied_internal", 32), ("unavailable_not_held", 75)):
        assert row(report, key) == (count, 0, 0, 0, 0, 0, count), key
    assert [figures[f"review.{key}"] for key in ("upheld", "corrected", "other", "pending", "total")] == [2, 1, 3, 1, 7]
    assert set(report.checks.values()) == {"ok"}
    assert figures["active.normative.issued"] is None
    assert report.sections["other"] == "2024年，无收取信息处理费情况。"


def test_the_kewei_conversion_places_its_lines_of_figures(docs):
    report = parse(docs, "kewei-2024-source.md")
    assert (report.agency, report.year, report.template) == ("上海市科委", 2024, "2021")
    assert row(report, "partial") == ZEROS
    assert row(report, "denied_prohibited") == ZEROS
    assert row(report, "denied_internal") == (1, 0, 0, 0, 0, 0, 1)
    assert row(report, "denied_process") == (1, 0, 0, 0, 0, 0, 1)
    assert row(report, "unavailable_not_held") == (4, 0, 0, 0, 0, 0, 4)
    assert row(report, "unavailable_needs_creation") == (6, 0, 0, 0, 0, 0, 6)
    assert row(report, "unavailable_unclear") == ZEROS
    assert row(report, "unprocessed_excessive") == ZEROS
    assert row(report, "unprocessed_confirm") == ZEROS
    assert row(report, "other_no_correction") == (8, 2, 0, 0, 0, 0, 10)
    assert row(report, "other_unpaid_fee") == ZEROS
    assert row(report, "other_other") == (4, 0, 0, 0, 0, 0, 4)
    assert row(report, "total") == (33, 2, 0, 0, 0, 0, 35)
    assert row(report, "carried_forward") == (1, 0, 0, 0, 0, 0, None)
    assert [report.figures[f"active.normative.{key}"] for key in ("issued", "repealed", "in_force")] == [13, 0, 55]
    assert report.checks["R4"] == "ok"


def test_the_shanghai_conversion(docs):
    report = parse(docs, "shanghai-office-sample-source.md")
    assert (report.agency, report.year, report.template) == ("上海市人民政府办公厅", 2025, "2021")
    assert row(report, "unprocessed_confirm") == ZEROS
    # Its label's first line went elsewhere: the row is not read, and R4 settles it in `derived`.
    assert row(report, "other_no_correction") == (None,) * 7
    assert [report.derived[f"applications.other_no_correction.{c}"] for c in APPLICANTS] == [40, 1, 0, 0, 2, 0, 43]
    assert row(report, "other_unpaid_fee") == ZEROS
    # 「| 规章 | 22 | 235 |」 under three columns: which two is unknown.
    assert [report.figures[f"active.regulation.{key}"] for key in ("issued", "repealed", "in_force")] == [None] * 3
    assert any("| 规章 | 22 | 235 |" in warning for warning in report.warnings)
    assert set(report.checks.values()) == {"ok"}
    assert not any("— 5 —" in warning for warning in report.warnings)


def test_the_ocr_conversion(docs):
    report = parse(docs, "沭阳县人民政府2025")
    assert (report.year, report.template) == (2025, "2021")
    assert set(report.checks.values()) == {"ok"}
