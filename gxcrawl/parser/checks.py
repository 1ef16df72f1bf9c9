"""Stage four: the consistency rules of figures.md on one report's figures.

Every rule is checked on every report. A rule holds for several columns or
rows at once: it has failed when any of them fails, is unknown when none fails
but some cannot be evaluated (a needed figure is null), and is ok otherwise.
R6 compares two years of one agency and belongs to storage, not here.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

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
    #: The figures of each failed instance: key → the instances it failed in (「R5 review」).
    failing: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(outcome == FAILED for outcome in self.outcomes.values())


def run_checks(form: Form, values: dict[str, Decimal | None]) -> CheckResult:
    failures: list[str] = []
    by_rule: dict[str, list[Equation]] = {rule: [] for rule in RULES}
    for equation in equations(form):
        by_rule[equation.rule].append(equation)
    failing: dict[str, list[str]] = {}
    outcomes = {rule: _outcome(instances, values, failures, failing) for rule, instances in by_rule.items()}
    return CheckResult(outcomes, failures, failing)


@dataclass(frozen=True)
class Equation:
    """One instance of a rule: the figures `left` add up to the figures `right`."""

    rule: str
    #: Where in the form, for messages: 「column business」, 「row granted」, 「review」.
    where: str
    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.left + self.right

    def holds(self, values) -> bool | None:
        """Whether it holds for `values`; None when a figure it needs is null."""
        balance = 0
        for keys, sign in ((self.left, 1), (self.right, -1)):
            for key in keys:
                value = values.get(key)
                if value is None:
                    return None
                balance += sign * value
        return balance == 0

    def __str__(self) -> str:
        return f"{self.rule} {self.where}"


@lru_cache(maxsize=8)
def equations(form: Form) -> tuple[Equation, ...]:
    """Every instance of R1, R3, R4 and R5 on the form as the report printed it."""
    applications = form.table("applications")
    applicants = [column.key for column in APPLICANT_COLUMNS if column.key != "total"]
    found = []
    for column in APPLICANT_COLUMNS:
        c = column.key
        found.append(
            Equation(
                "R1",
                f"column {c}",
                (_app("new", c), _app("carried_over", c)),
                (_app("total", c), _app("carried_forward", c)),
            )
        )
    for row in applications.rows:
        found.append(
            Equation("R3", f"row {row.key}", (_app(row.key, "total"),), tuple(_app(row.key, c) for c in applicants))
        )
    for column in APPLICANT_COLUMNS:
        found.append(
            Equation(
                "R4",
                f"column {column.key}",
                (_app("total", column.key),),
                tuple(_app(row, column.key) for row in result_rows(applications)),
            )
        )
    return (*found, *REVIEW_EQUATIONS)


def _review_equations() -> tuple[Equation, ...]:
    parts = [column.key for column in REVIEW.columns if column.key != "total"]
    return tuple(
        Equation("R5", group.key, (f"{group.key}.total",), tuple(f"{group.key}.{part}" for part in parts))
        for group in REVIEW.rows
    )


#: Rule R5 on table 四, the same in both forms.
REVIEW_EQUATIONS = _review_equations()


def _outcome(instances: list[Equation], values, failures: list[str], failing: dict[str, list[str]]) -> str:
    """Failed when any instance fails, unknown when none fails but some cannot be evaluated."""
    unknown = failed = False
    for equation in instances:
        holds = equation.holds(values)
        if holds is None:
            unknown = True
        elif not holds:
            failed = True
            for key in equation.keys:
                failing.setdefault(key, []).append(str(equation))
            failures.append(
                f"{equation}: {_terms([values[key] for key in equation.left])} ≠ "
                f"{_terms([values[key] for key in equation.right])}"
            )
    return FAILED if failed else UNKNOWN if unknown else OK


def _terms(values) -> str:
    total = sum(values)
    shown = " + ".join(str(value) for value in values)
    return shown if len(values) == 1 else f"{shown} = {total}" if len(values) <= 4 else str(total)


def _app(row: str, column: str) -> str:
    return f"applications.{row}.{column}"
