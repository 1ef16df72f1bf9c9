from decimal import Decimal

import pytest

from gxcrawl.cells import Kind, as_json_number, is_value, read_cell


@pytest.mark.parametrize(
    "cell, value",
    [
        ("12", 12),
        ("１２", 12),
        ("1,234", 1234),
        ("1，234", 1234),
        (" 7 ", 7),
        ("1 234", 1234),
        ("0", 0),
        ("—", 0),
        ("-", 0),
        ("/", 0),
        ("－", 0),
        ("无", 0),
        ("——", 0),
        ("3件", 3),
    ],
)
def test_counts(cell, value):
    assert read_cell(cell) == (Decimal(value), None)


@pytest.mark.parametrize("cell", ["", "   ", "\u00a0", "\u3000"])
def test_an_empty_cell_is_null(cell):
    assert read_cell(cell).value is None
    assert read_cell(cell).problem is None


@pytest.mark.parametrize("cell, value", [("+3", 3), ("-11", -11), ("--253", -253), ("＋5", 5), ("0", 0), ("-", 0)])
def test_signed_changes(cell, value):
    assert read_cell(cell, Kind.SIGNED).value == value


@pytest.mark.parametrize(
    "cell, value",
    [
        ("103.3879", "103.3879"),
        ("103.3879万元", "103.3879"),
        ("251000元", "25.1"),
        ("0.0000", "0"),
        ("—", "0"),
    ],
)
def test_amounts_stay_exact_in_wan_yuan(cell, value):
    assert read_cell(cell, Kind.AMOUNT).value == Decimal(value)


def test_text_that_is_not_a_number_is_null_with_a_reason():
    reading = read_cell("详见附件")
    assert reading.value is None
    assert "not a number" in reading.problem


def test_fraction_in_a_count_column_is_kept_and_flagged():
    reading = read_cell("2.5")
    assert reading.value == Decimal("2.5")
    assert "not a whole number" in reading.problem


def test_is_value_tells_figures_from_labels():
    assert [is_value(cell) for cell in ["0", "—", "1,234", "+3", "规章", "", "本年(2023)制发件数", "2/5"]] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_json_numbers_keep_decimals_exact():
    assert as_json_number(Decimal("103.3879")) == 103.3879
    assert as_json_number(Decimal("25.1000")) == 25.1
    assert isinstance(as_json_number(Decimal("7")), int)
    assert as_json_number(None) is None


@pytest.mark.parametrize("cell, value", [("−3", -3), ("–3", -3), ("—3", -3), ("−", 0)])
def test_minus_signs_typed_as_dashes(cell, value):
    assert read_cell(cell, Kind.SIGNED).value == value


def test_wan_units():
    assert read_cell("1.2万", Kind.AMOUNT).value == Decimal("1.2")
    assert read_cell("3万", Kind.COUNT).value == 30000
