"""Stage four: the consistency rules of figures.md on one report's figures.

Every rule is checked on every report. A rule holds for several columns or
rows at once: it has failed when any of them fails, is unknown when none fails
but some cannot be evaluated (a needed figure is null), and is ok otherwise.
R6 compares two years of one agency and belongs to storage, not here.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from gxcrawl.forms import APPLICANT_COLUMNS, REVIEW, Form, result_rows

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
RULES = {
    "R1": "新收 + 上年结转 = 总计 + 结转下年度 (every column of table 三)",
    "R3": "总计 column = sum of the six applicant columns (every row of table 三)",
    "R4": "（七）总计 = sum of the result rows (every column of table 三)",
    "R5": "总计 = 维持 + 纠正 + 其他 + 尚未审结 (each group of table 四)",
}


@dataclass
class CheckResult:
    outcomes: dict[str, str]
    #: One line per failed instance, saying where and by how much.
    failures: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(outcome == FAILED for outcome in self.outcomes.values())


def run_checks(form: Form, values: dict[str, Decimal | None]) -> CheckResult:
    failures: list[str] = []
    outcomes = {
        "R1": _rule("R1", _r1(values), failures),
        "R3": _rule("R3", _r3(form, values), failures),
        "R4": _rule("R4", _r4(form, values), failures),
        "R5": _rule("R5", _r5(values), failures),
    }
    return CheckResult(outcomes, failures)


def _rule(name, instances, failures) -> str:
    """Each instance is (where, left terms, right terms): sum(left) must equal sum(right)."""
    unknown = failed = False
    for where, left, right in instances:
        if any(value is None for value in (*left, *right)):
            unknown = True
        elif sum(left) != sum(right):
            failed = True
            failures.append(f"{name} {where}: {_terms(left)} ≠ {_terms(right)}")
    return FAILED if failed else UNKNOWN if unknown else OK


def _terms(values) -> str:
    total = sum(values)
    shown = " + ".join(str(value) for value in values)
    return shown if len(values) == 1 else f"{shown} = {total}" if len(values) <= 4 else str(total)


def _app(values, row, column):
    return values.get(f"applications.{row}.{column}")


def _r1(values):
    for column in APPLICANT_COLUMNS:
        c = column.key
        yield (f"column {c}", [_app(values, "new", c), _app(values, "carried_over", c)],
               [_app(values, "total", c), _app(values, "carried_forward", c)])


def _r3(form, values):
    applicants = [column.key for column in APPLICANT_COLUMNS if column.key != "total"]
    for row in form.table("applications").rows:
        yield (f"row {row.key}", [_app(values, row.key, "total")],
               [_app(values, row.key, c) for c in applicants])


def _r4(form, values):
    for column in APPLICANT_COLUMNS:
        c = column.key
        yield (f"column {c}", [_app(values, "total", c)],
               [_app(values, row, c) for row in result_rows(form.table("applications"))])


def _r5(values):
    parts = [column.key for column in REVIEW.columns if column.key != "total"]
    for group in REVIEW.rows:
        yield (f"{group.key}", [values.get(f"{group.key}.total")],
               [values.get(f"{group.key}.{part}") for part in parts])
