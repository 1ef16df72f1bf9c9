from decimal import Decimal

from gxcrawl.forms import FORMS
from gxcrawl.parser.checks import run_checks

FORM = FORMS["2021"]


def zeros():
    return {key: Decimal(0) for key in FORM.keys}


def test_all_zero_report_is_consistent():
    assert run_checks(FORM, zeros()).outcomes == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}


def test_each_rule_fails_on_its_own_inconsistency():
    values = zeros()
    values["applications.new.business"] = Decimal(2)  # R1 (business column), R3 (new row)
    result = run_checks(FORM, values)
    assert result.outcomes == {"R1": "failed", "R3": "failed", "R4": "ok", "R5": "ok"}
    values = zeros()
    values["applications.granted.total"] = Decimal(1)  # R3 (granted row), R4 (total column)
    assert run_checks(FORM, values).outcomes == {"R1": "ok", "R3": "failed", "R4": "failed", "R5": "ok"}
    values = zeros()
    values["suit_direct.pending"] = Decimal(1)
    result = run_checks(FORM, values)
    assert result.outcomes["R5"] == "failed"
    assert result.failures == ["R5 suit_direct: 0 ≠ 0 + 0 + 0 + 1 = 1"]


def test_a_null_makes_a_rule_unknown_not_failed():
    values = zeros()
    values["applications.carried_forward.research"] = None
    assert run_checks(FORM, values).outcomes["R1"] == "unknown"
    values["applications.new.total"] = Decimal(5)
    assert run_checks(FORM, values).outcomes["R1"] == "failed"


def test_r4_uses_the_2019_form_other_row():
    form = FORMS["2019"]
    values = {key: Decimal(0) for key in form.keys}
    values["applications.other.natural_person"] = Decimal(1)
    values["applications.other.total"] = Decimal(1)
    values["applications.total.natural_person"] = Decimal(1)
    values["applications.total.total"] = Decimal(1)
    values["applications.new.natural_person"] = Decimal(1)
    values["applications.new.total"] = Decimal(1)
    assert run_checks(form, values).outcomes == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}
