"""What the form's arithmetic settles: blank cells (derive), cells read several ways (ambiguity)."""

import random
from decimal import Decimal

from gxcrawl.cells import alternatives, run_together
from gxcrawl.forms import APPLICANT_COLUMNS, FORMS
from gxcrawl.parser.ambiguity import Ambiguity, settle, splits
from gxcrawl.parser.derive import derive
from gxcrawl.parser.figures import read_figures
from gxcrawl.parser.rows import LabelledRow
from gxcrawl.report import parse_document
from support.samples import random_report, render_text

FORM = FORMS["2021"]
COLUMNS = [column.key for column in APPLICANT_COLUMNS]


def figures_of(seed: int):
    sample = random_report(random.Random(seed), busy=0.6)
    return dict(sample.figures)


def row(label, cells, table="applications"):
    return LabelledRow(table, label, list(cells), label + " " + " ".join(cells))


# --- derive ---------------------------------------------------------------------------------


def test_a_blank_total_is_the_sum_of_its_columns():
    values = figures_of(1)
    expected = values["applications.new.total"]
    values["applications.new.total"] = None
    value, rule = derive(FORM, values)["applications.new.total"]
    assert value == expected and rule in ("R3 row new", "R1 column total")


def test_blank_columns_beside_a_total_equal_to_one_column_are_zero():
    values = figures_of(2)
    for column in COLUMNS[1:6]:
        values[f"applications.granted.{column}"] = None
    values["applications.granted.natural_person"] = values["applications.granted.total"]
    # R4 would otherwise fix them from the other rows: break it, so only R3's sign argument is left.
    values["applications.total.business"] = None
    derived = derive(FORM, values)
    assert {key: derived[key] for key in derived if key.startswith("applications.granted.")} == {
        f"applications.granted.{c}": (Decimal(0), "R3 row granted") for c in COLUMNS[1:6]
    }


def test_nothing_is_derived_from_a_blank_or_into_a_negative_count():
    values = figures_of(3)
    values["applications.new.total"] = None
    values["applications.new.business"] = None
    values["applications.total.business"] = None
    values["applications.total.total"] = None
    derived = derive(FORM, values)
    # new.business and new.total are both blank in R3's row: R3 settles neither (R1/R4 may, from printed ones).
    assert not any(rule == "R3 row new" for _, rule in derived.values())
    values = {key: None for key in FORM.keys}
    values.update(
        {
            "review.total": Decimal(2),
            "review.upheld": Decimal(3),
            "review.corrected": Decimal(0),
            "review.other": Decimal(0),
        }
    )
    assert "review.pending" not in derive(FORM, values)  # 2 - 3 would be a negative count


def test_printed_figures_are_never_overwritten():
    values = figures_of(4)
    before = dict(values)
    values["applications.new.total"] = Decimal(999)  # an inconsistent report
    derived = derive(FORM, values)
    assert "applications.new.total" not in derived and values["applications.new.total"] == 999
    assert set(derived) <= {key for key, value in before.items() if value is None}


def test_derived_values_reach_the_report_and_its_checks():
    sample = random_report(random.Random(5), busy=0.6)
    sample.figures["applications.carried_forward.total"] = None
    report = parse_document(render_text(sample, "tabs").encode(), "blank.txt")
    assert report.figures["applications.carried_forward.total"] is None
    assert report.derived["applications.carried_forward.total"] is not None
    assert report.derived_rules["applications.carried_forward.total"] in ("R1 column total", "R3 row carried_forward")
    assert report.checks["R1"] == "ok" and report.checks["R3"] == "ok"
    assert any(warning.startswith("cells left blank (or unreadable) settled by") for warning in report.warnings)


# --- ambiguity --------------------------------------------------------------------------------


def test_splits_never_write_a_number_with_a_leading_zero():
    assert list(splits("100", 2)) == [(10, 0)]  # never 1 and 「00」
    assert sorted(splits("1234", 2)) == [(1, 234), (12, 34), (123, 4)]
    assert list(splits("05", 2)) == [(0, 5)]
    assert list(splits("12", 3)) == []


def with_run(sample, row_key: str) -> bytes:
    """The sample's text with one row of table 三 printed as its digits run together."""
    lines = render_text(sample, "tabs").splitlines()
    label = FORM.table("applications").row(row_key).label
    at = next(index for index, line in enumerate(lines) if label in line)
    cells = lines[at].split("\t")
    values = [sample.figures[f"applications.{row_key}.{c}"] for c in COLUMNS]
    digits = "".join("" if value is None else str(value) for value in values)  # a blank takes no room
    lines[at] = "\t".join(cells[:-7] + [run_together(digits)])
    return "\n".join(lines).encode()


def test_a_run_is_cut_where_the_rules_leave_one_cut_and_confirm_it_twice():
    sample = random_report(random.Random(7), busy=0.7)
    report = parse_document(with_run(sample, "new"), "run.txt")
    assert [report.figures[f"applications.new.{c}"] for c in COLUMNS] == [
        sample.figures[f"applications.new.{c}"] for c in COLUMNS
    ]
    [warning] = [w for w in report.warnings if w.startswith("applications.new.natural_person")]
    assert "it was taken" in warning and "R3 row new" in warning and "R1" in warning


def test_a_run_confirmed_by_its_own_row_alone_is_not_cut():
    # 12 3 0 0 0 0 15 printed 「12300001 5」: 「1230000 15」 is the one cut R3 admits, but with nothing
    # else known R3 alone confirms it, and one sum is easily met by a wrong cut.
    figures = read_figures([row("一、本年新收政府信息公开申请数量", [run_together("123000015")])], "本年制发件数")
    assert all(figures.values[f"applications.new.{c}"] is None for c in COLUMNS)
    assert figures.unsettled == {f"applications.new.{c}" for c in COLUMNS}
    assert any("too little to confirm" in warning for warning in figures.warnings)


def test_a_run_that_lost_a_blank_cell_is_not_cut_wrongly():
    """A blank cell (meaning 0) takes no room in a run: its digits are one figure short of the row."""
    for seed in range(20):
        sample = random_report(random.Random(100 + seed), busy=0.7)
        sample.figures["applications.new.research"] = None
        report = parse_document(with_run(sample, "new"), "blank-run.txt")
        for column in COLUMNS:
            value = report.figures[f"applications.new.{column}"]
            assert value is None or value == sample.figures[f"applications.new.{column}"], seed
        assert not set(report.derived) & {f"applications.new.{c}" for c in COLUMNS}, seed


def test_a_run_the_arithmetic_cannot_settle_stays_null_with_a_warning():
    # 「1111112」: seven digits in seven cells is one cut, and R3 refutes it.
    figures = read_figures([row("一、本年新收政府信息公开申请数量", [run_together("1111112")])], "本年制发件数")
    assert all(figures.values[f"applications.new.{c}"] is None for c in COLUMNS)
    assert any("no reading satisfies R3 row new" in warning for warning in figures.warnings)
    # Table 二 has no arithmetic: a run there is never cut, however few its cuts.
    figures = read_figures([row("规章", [run_together("000")], table="active")], "本年制发件数")
    assert figures.values["active.regulation.issued"] is None
    assert any(
        "active.regulation.issued … active.regulation.in_force" in w and "no rule" in w for w in figures.warnings
    )


def test_a_run_beside_other_cells_is_not_read():
    figures = read_figures([row("一、本年新收政府信息公开申请数量", ["4", run_together("10000"), "5"])], "本年制发件数")
    assert all(figures.values[f"applications.new.{c}"] is None for c in COLUMNS)
    assert any("beside others" in warning for warning in figures.warnings)


def test_ocr_alternatives_are_chosen_by_the_arithmetic():
    cells = ["3", alternatives(["8", "6"]), "0", "0", "0", "0", "9"]
    figures = read_figures([row("一、本年新收政府信息公开申请数量", cells)], "本年制发件数")
    assert figures.values["applications.new.business"] == 6
    cells[1] = alternatives(["8", "3"])  # neither adds up: null
    figures = read_figures([row("一、本年新收政府信息公开申请数量", cells)], "本年制发件数")
    assert figures.values["applications.new.business"] is None


def test_cells_sharing_a_rule_are_settled_together():
    values = figures_of(6)
    new, carried = values["applications.new.business"], values["applications.carried_over.business"]
    values["applications.new.business"] = values["applications.carried_over.business"] = None
    values["applications.carried_over.total"] = None  # R3 alone cannot settle carried_over.business
    ambiguities = [
        Ambiguity(("applications.carried_over.business",), [(carried + 1,), (carried,)], "carried"),
        Ambiguity(("applications.new.business",), [(new + 2,), (new,)], "new"),
    ]
    settlement = settle(FORM, values, ambiguities)
    # R3 of the new row settles new.business, and R1 of the business column then carried_over.business.
    assert (values["applications.new.business"], values["applications.carried_over.business"]) == (new, carried)
    assert "R1 column business" in settlement.warnings[0] and "R3 row new" in settlement.warnings[1]
    assert not settlement.unsettled


def test_cells_the_rules_leave_two_ways_settle_neither():
    values = {key: Decimal(0) for key in FORM.keys}
    values.update({"review.total": None, "review.upheld": None, "review.corrected": Decimal(1)})
    ambiguities = [
        Ambiguity(("review.total",), [(Decimal(7),), (Decimal(6),)], "total"),
        Ambiguity(("review.upheld",), [(Decimal(6),), (Decimal(5),)], "upheld"),
    ]
    settlement = settle(FORM, values, ambiguities)
    assert values["review.upheld"] is None and values["review.total"] is None
    assert settlement.unsettled == {"review.total", "review.upheld"}
    assert all("2 readings satisfy" in warning for warning in settlement.warnings)
