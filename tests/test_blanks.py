"""Blank cells that mean 0: printed blanks stay null in `figures`, the arithmetic settles them in `derived`."""

import random
from decimal import Decimal

import pytest

from gxcrawl.forms import APPLICANT_COLUMNS, FORMS, result_rows
from gxcrawl.report import parse_document
from support.samples import random_report, render_html, render_text

LEGAL_PERSONS = [column.key for column in APPLICANT_COLUMNS if column.group]


def only_natural_persons(form: str, seed: int):
    """A consistent report whose applicants are all natural persons."""
    sample = random_report(random.Random(seed), form=form, busy=0.7)
    for row in FORMS[form].table("applications").rows:
        for column in LEGAL_PERSONS:
            sample.figures[f"applications.{row.key}.{column}"] = Decimal(0)
        sample.figures[f"applications.{row.key}.total"] = sample.figures[f"applications.{row.key}.natural_person"]
    return sample


RENDERERS = {
    "html": lambda sample: render_html(sample, "official"),
    "text": lambda sample: render_text(sample, "tabs").encode(),
}


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize("form", ["2019", "2021"])
def test_all_five_legal_person_columns_left_blank(form, render):
    sample = only_natural_persons(form, 71)
    zeros = {
        f"applications.{row.key}.{column}" for row in FORMS[form].table("applications").rows for column in LEGAL_PERSONS
    }
    printed = dict(sample.figures)
    sample.figures.update(dict.fromkeys(zeros))  # printed blank
    report = parse_document(RENDERERS[render](sample), f"blank.{render}")
    assert report.figures == sample.figures  # blanks stay null: the report does not say
    assert report.derived == {key: printed[key] for key in zeros} == dict.fromkeys(zeros, 0)
    assert all(report.derived_rules[key].startswith("R3 row ") for key in zeros)
    assert report.checks == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}


def test_the_total_of_every_result_row_left_blank():
    sample = random_report(random.Random(72), busy=0.7)
    blank = {f"applications.{row}.total" for row in result_rows(FORMS["2021"].table("applications"))}
    printed = dict(sample.figures)
    sample.figures.update(dict.fromkeys(blank))
    report = parse_document(render_text(sample, "tabs").encode(), "totals.txt")
    assert report.figures == sample.figures
    assert report.derived == {key: printed[key] for key in blank}
    assert report.checks["R3"] == "ok" and report.checks["R4"] == "ok"


def test_nothing_is_derived_where_the_arithmetic_leaves_a_choice():
    sample = random_report(random.Random(73), busy=0.9)
    # Two blanks in one row whose total is not yet met: 3 + 0 or 0 + 3 or 1 + 2 …
    sample.figures["applications.new.natural_person"] += 3
    sample.figures["applications.new.total"] += 3
    sample.figures["applications.carried_forward.natural_person"] += 3
    sample.figures["applications.carried_forward.total"] += 3
    sample.figures["applications.new.business"] = sample.figures["applications.new.research"] = None
    sample.figures["applications.carried_over.business"] = sample.figures["applications.carried_over.research"] = None
    report = parse_document(render_text(sample, "tabs").encode(), "choice.txt")
    assert not {"applications.new.business", "applications.new.research"} & set(report.derived)
    assert report.checks["R3"] == "unknown"
