"""Blank cells the form's arithmetic determines.

Agencies leave cells blank where they mean 0: all five 法人或其他组织 columns,
or the 总计 of every result row. A blank stays null among the figures (the
report does not say), but where a rule settles it, its value is *derived*:
 - one figure of a rule's instance blank: the rule gives it (R3 fixes a blank
   total from its six columns; R1, R4, R5 likewise), unless that would make a
   count negative;
 - several blanks on one side of an instance whose known figures already
   balance: each is 0, as counts are never negative (a total equal to one
   column makes the others 0).
Derived values build on printed and derived ones, never on a blank; a printed
figure is never overwritten. Each carries the rule instance that fixed it.
"""

from decimal import Decimal

from gxcrawl.forms import Form
from gxcrawl.parser.checks import Equation, equations


def derive(
    form: Form, values: dict[str, Decimal | None], unsettled: frozenset[str] = frozenset()
) -> dict[str, tuple[Decimal, str]]:
    """Blank figure → (value, the rule instance that fixed it), for every blank the rules settle.

    `unsettled` figures are not blank but printed and not read with certainty (digits the
    rules could not cut): an instance involving one is left alone."""
    blank = {key for key, value in values.items() if value is None}
    derived: dict[str, tuple[Decimal, str]] = {}
    open_equations = [
        equation
        for equation in equations(form)
        if not blank.isdisjoint(equation.keys) and unsettled.isdisjoint(equation.keys)
    ]
    known = dict(values)
    progress = True
    while progress:
        progress = False
        for equation in open_equations:
            for key, value in _settled(equation, known).items():
                known[key] = value
                derived[key] = (value, str(equation))
                progress = True
    return derived


def _settled(equation: Equation, known: dict) -> dict[str, Decimal]:
    blank = [key for key in equation.keys if known.get(key) is None]
    if not blank:
        return {}
    balance = sum(known[key] for key in equation.left if known[key] is not None) - sum(
        known[key] for key in equation.right if known[key] is not None
    )
    on_left = [key for key in blank if key in equation.left]
    on_right = [key for key in blank if key in equation.right]
    if len(blank) == 1:
        value = -balance if on_left else balance
        return {blank[0]: value} if value >= 0 else {}
    if balance == 0 and not (on_left and on_right):
        return dict.fromkeys(blank, Decimal(0))
    return {}


def derivation_warnings(derived: dict[str, tuple[Decimal, str]]) -> list[str]:
    """One warning per rule that fixed blank cells, naming each figure and the instance that fixed it."""
    by_rule: dict[str, list[str]] = {}
    for key, (value, instance) in derived.items():
        rule, _, where = instance.partition(" ")
        by_rule.setdefault(rule, []).append(f"{key} = {value} ({where})")
    return [
        f"cells left blank (or unreadable) settled by {rule}: {', '.join(found)}; in `derived`, the figures "
        "keep them null"
        for rule, found in by_rule.items()
    ]
