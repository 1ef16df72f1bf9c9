"""Cells read more than one way, settled by the form's arithmetic.

Two readers leave such cells (see `gxcrawl.cells`): OCR unsure between
readings of a figure (`ALTERNATIVE`), and text exports whose cells ran
together with no separator (`RUN`: 「1000001」 for the seven cells of a row).
Each becomes an `Ambiguity`: the figures it covers and every reading of them.

Ambiguities that share a rule instance are settled together: every
combination of their readings is tried against the rules that can be
evaluated, so that a reading is never taken because the rule that would
refute it waited on another ambiguity. A combination is taken only when it is
the one left, and each of its readings is confirmed: by a rule instance that
holds with it, and, for a reading of several figures (a run), by two, as one
sum is easily met by a wrong cut when a blank cell dropped out of the run.
Otherwise the figures stay null, and the warning says why; they are
`unsettled`, and nothing is derived from or into them.
"""

from collections import ChainMap
from dataclasses import dataclass, field
from decimal import Decimal

from gxcrawl.cells import ALTERNATIVE, RUN, Kind, printable, read_cell
from gxcrawl.forms import Form
from gxcrawl.parser.checks import Equation, equations

#: Runs longer than this are not split: their readings are too many to tell apart.
MAX_RUN_DIGITS = 28
#: Ambiguities settled together are given up on past this many readings tried.
MAX_COMBINATIONS = 200_000
#: How many readings a warning lists.
SHOWN = 4


@dataclass
class Ambiguity:
    #: The figures the cell covers, in column order.
    keys: tuple[str, ...]
    #: Every reading of them, likeliest first.
    readings: list[tuple[Decimal, ...]]
    #: The row as printed, for messages.
    source: str

    @property
    def confirmations_needed(self) -> int:
        return 1 if len(self.keys) == 1 else 2


def from_alternatives(key: str, cell: str, kind: Kind, source: str) -> Ambiguity:
    """An OCR cell with several readings; readings that are not figures are dropped."""
    values = [read_cell(text, kind).value for text in cell.split(ALTERNATIVE)]
    return Ambiguity((key,), [(value,) for value in dict.fromkeys(values) if value is not None], source)


def from_run(keys: tuple[str, ...], cell: str, source: str) -> Ambiguity:
    """Digits of several cells run together: every way to cut them into one whole number per key."""
    digits = cell.lstrip(RUN)
    readings = list(splits(digits, len(keys))) if digits.isdigit() and len(digits) <= MAX_RUN_DIGITS else []
    return Ambiguity(keys, readings, source)


def splits(digits: str, parts: int):
    """Each way to cut `digits` into `parts` numbers, none written with a leading zero (「05」)."""
    if parts == 1:
        if digits and (digits == "0" or not digits.startswith("0")):
            yield (Decimal(digits),)
        return
    first_lengths = [1] if digits.startswith("0") else range(1, len(digits) - parts + 2)
    for length in first_lengths:
        for rest in splits(digits[length:], parts - 1):
            yield (Decimal(digits[:length]), *rest)


@dataclass
class Settlement:
    warnings: list[str]
    #: Figures printed but left null: nothing may be derived into them.
    unsettled: set[str]
    #: Figures whose reading the rules chose: the rule instances that hold with it.
    settled_by: dict[str, str] = field(default_factory=dict)


def settle(form: Form, values: dict[str, Decimal | None], ambiguities: list[Ambiguity]) -> Settlement:
    """Put the readings the rules settle into `values`; say what decided, or why nothing did."""
    settlement = Settlement([], set())
    for group in _groups(form, ambiguities):
        _settle_group(form, values, group, settlement)
    return settlement


def _groups(form: Form, ambiguities: list[Ambiguity]) -> list[list[Ambiguity]]:
    """Ambiguities joined, directly or through others, by a rule instance they share."""
    groups: list[tuple[set[Equation], list[Ambiguity]]] = []
    for ambiguity in ambiguities:
        instances = set(_relevant(form, ambiguity))
        joined = [group for group in groups if group[0] & instances]
        merged = (
            instances.union(*(group[0] for group in joined)),
            [member for group in joined for member in group[1]] + [ambiguity],
        )
        groups = [group for group in groups if group not in joined] + [merged]
    return [members for _, members in groups]


def _settle_group(form: Form, values, group: list[Ambiguity], settlement: Settlement) -> None:
    relevant = sorted({equation for ambiguity in group for equation in _relevant(form, ambiguity)}, key=str)
    keys = [key for ambiguity in group for key in ambiguity.keys]
    search = _Search(form, values, group) if relevant and all(a.readings for a in group) else None
    if search is None or search.exhausted:
        for ambiguity in group:
            settlement.warnings.append(
                f"{_describe(ambiguity)}: {_unsettled_reason(ambiguity, relevant)}; read as null"
            )
        settlement.unsettled.update(keys)
        return
    left, ruled_out = search.left, search.ruled_out
    per_member = [list(dict.fromkeys(combination[index] for combination in left)) for index in range(len(group))]
    # What the rules determine: the members every combination left reads the same way.
    determined = ChainMap(
        {
            key: value
            for ambiguity, readings in zip(group, per_member)
            if len(readings) == 1
            for key, value in zip(ambiguity.keys, readings[0])
        },
        values,
    )
    for ambiguity, readings in zip(group, per_member):
        confirming = {str(equation) for equation in _relevant(form, ambiguity) if equation.holds(determined)}
        if len(readings) == 1 and len(confirming) >= ambiguity.confirmations_needed:
            values.update(zip(ambiguity.keys, readings[0]))
            settlement.settled_by.update(dict.fromkeys(ambiguity.keys, _named(confirming)))
            settlement.warnings.append(
                f"{_describe(ambiguity)}: only {_shown(readings[0])} satisfies the rules "
                f"that can be evaluated ({_named(confirming)} hold with it); it was taken"
            )
            continue
        settlement.unsettled.update(ambiguity.keys)
        if not readings:
            reason = f"no reading satisfies {_named(ruled_out)}"
        elif len(readings) > 1:
            shown = "; ".join(_shown(reading) for reading in readings[:SHOWN])
            reason = f"{len(readings)} readings satisfy the rules that can be evaluated (such as {shown})"
        elif not confirming:
            reason = f"only {_shown(readings[0])} is left, but no rule that holds with it confirms it"
        else:
            reason = (
                f"only {_shown(readings[0])} is left, but only {_named(confirming)} holds with it, too little "
                "to confirm a reading of several figures"
            )
        settlement.warnings.append(f"{_describe(ambiguity)}: {reason}; read as null")


class _Search:
    """Every combination of the group's readings that breaks no rule instance that can be evaluated,
    found depth first: an instance is checked as soon as all its figures are known."""

    def __init__(self, form: Form, values, group: list[Ambiguity]):
        self.group = group
        self.instances = [_relevant(form, ambiguity) for ambiguity in group]
        self.left: list[tuple] = []
        self.ruled_out: set[str] = set()
        self.visits = 0
        self.exhausted = False
        self._extend(ChainMap({}, values), ())

    def _extend(self, trial: ChainMap, chosen: tuple) -> None:
        depth = len(chosen)
        if depth == len(self.group):
            self.left.append(chosen)
            return
        ambiguity = self.group[depth]
        for reading in ambiguity.readings:
            self.visits += 1
            if self.visits > MAX_COMBINATIONS:
                self.exhausted = True
                return
            trial.maps[0].update(zip(ambiguity.keys, reading))
            broken = [str(equation) for equation in self.instances[depth] if equation.holds(trial) is False]
            if broken:
                self.ruled_out.update(broken)
            else:
                self._extend(trial, (*chosen, reading))
            if self.exhausted:
                return
        for key in ambiguity.keys:
            trial.maps[0].pop(key, None)


def _relevant(form: Form, ambiguity: Ambiguity) -> list[Equation]:
    covered = set(ambiguity.keys)
    return [equation for equation in equations(form) if covered & set(equation.keys)]


def _unsettled_reason(ambiguity: Ambiguity, relevant: list) -> str:
    if not ambiguity.readings:
        return "no reading of it is a figure"
    if not relevant:
        shown = "; ".join(_shown(reading) for reading in ambiguity.readings[:SHOWN])
        return f"no rule of the form checks these figures, so nothing tells its readings apart (such as {shown})"
    return f"it and the cells it shares rules with can be read in over {MAX_COMBINATIONS:,} ways, too many to try"


def _describe(ambiguity: Ambiguity) -> str:
    keys = ambiguity.keys[0] if len(ambiguity.keys) == 1 else f"{ambiguity.keys[0]} … {ambiguity.keys[-1]}"
    return f"{keys} (row {printable(ambiguity.source)!r}) can be read {len(ambiguity.readings)} ways"


def _named(instances: set[str]) -> str:
    """Rule instances for a message: 「R3 row new」, or 「R1 in 7 places」 where a rule holds in many."""
    by_rule: dict[str, list[str]] = {}
    for instance in sorted(instances):
        by_rule.setdefault(instance.split()[0], []).append(instance)
    return ", ".join(
        found[0] if len(found) == 1 else f"{rule} in {len(found)} places" for rule, found in by_rule.items()
    )


def _shown(reading: tuple) -> str:
    return " ".join(str(value) for value in reading)
