"""Real reports as their agencies published them (../shared/realworld): every expected field, no silent error.

The same comparison as ../shared/tools/check_realworld.py, inside the suite: each figure the
report prints is read as printed, each blank cell is null, and nothing is wrong or invented.
"""

import json

import pytest

from gxcrawl.report import parse_file
from test_seeds import read_as_expected


def expected_reports(realworld_dir):
    return json.loads((realworld_dir / "expected.json").read_text(encoding="utf-8"))


def test_every_expected_field_of_every_real_report(realworld_dir):
    for name, expected in expected_reports(realworld_dir).items():
        read_as_expected(realworld_dir / "docs" / expected["file"], expected, name)


@pytest.mark.parametrize("name", ["hzq2023", "hzq2024"])
def test_a_hybrid_table_keeps_its_single_other_row(realworld_dir, name):
    """2021-form reports printing （六）其他处理 as one row: figures.md, «Hybrid tables»."""
    expected = expected_reports(realworld_dir)[name]
    report = parse_file(realworld_dir / "docs" / expected["file"])
    printed = expected["notes"]["printed_other_single_row"]
    assert [
        report.figures[f"applications.other.{c}"]
        for c in ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org", "total")
    ] == printed
    assert any("as one row" in warning for warning in report.warnings)
    # R4 sums the single row: it holds; the typo'd 「2.其他法律行政止公开」 row was placed, not lost.
    assert report.checks["R3"] == "ok" and report.checks["R4"] == "ok"
    assert any("其他法律行政止公开" in warning and "read as that row" in warning for warning in report.warnings)
