"""Cells read more than one way, settled by the form's arithmetic.

Two readers leave such cells (see `gxcrawl.cells`): OCR unsure between
readings of a figure (`ALTERNATIVE`), and text exports whose cells ran
together with no separator (`RUN`: 「1000001」 for the seven cells of a row).
Each becomes an `Ambiguity`: the figures it covers and every reading of them.
A reading that breaks a rule whose other figures are known is ruled out; the
one reading left is taken when a rule holds with it, and a warning says which
rules decided. When no reading or several are left, or no rule can be
evaluated (table 二 has none), the figures stay null and the warning says why.
"""

from dataclasses import dataclass
from decimal import Decimal

from gxcrawl.cells import ALTERNATIVE, RUN, Kind, read_cell
from gxcrawl.forms import Form
from gxcrawl.parser.checks import equations

#: Runs longer than this are not split: their readings are too many to tell apart.
MAX_RUN_DIGITS = 28
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


def alternatives(key: str, cell: str, kind: Kind, source: str) -> Ambiguity:
    """An OCR cell with several readings; readings that are not figures are dropped."""
    values = [read_cell(text, kind).value for text in cell.split(ALTERNATIVE)]
    return Ambiguity((key,), [(value,) for value in dict.fromkeys(values) if value is not None], source)


def run(keys: tuple[str, ...], cell: str, source: str) -> Ambiguity:
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


def settle(form: Form, values: dict[str, Decimal | None], ambiguities: list[Ambiguity]) -> list[str]:
    """Put the one reading the rules leave into `values`; the warnings say what decided, or why not."""
    warnings = []
    pending = list(ambiguities)
    progress = True
    while pending and progress:
        progress = False
        for ambiguity in list(pending):
            survivors, ruled_out = _survivors(form, values, ambiguity)
            confirming = _holding(form, values, ambiguity, survivors[0]) if len(survivors) == 1 else set()
            if confirming:
                values.update(zip(ambiguity.keys, survivors[0]))
                warnings.append(f"{_describe(ambiguity)}: one reading, {_shown(survivors[0])}, satisfies "
                                f"{_named(confirming | ruled_out)}; it was taken")
            elif ruled_out and not survivors:
                warnings.append(f"{_describe(ambiguity)}: no reading satisfies {_named(ruled_out)}; read as null")
            else:
                continue
            pending.remove(ambiguity)
            progress = True
    for ambiguity in pending:
        survivors, _ = _survivors(form, values, ambiguity)
        if not ambiguity.readings:
            reason = "no reading of it is a figure"
        elif not _relevant(form, ambiguity):
            reason = "no rule of the form checks these figures, so nothing tells the readings apart"
        else:
            reason = f"{len(survivors)} readings satisfy the form's rules as far as they can be evaluated"
        shown = "; ".join(_shown(reading) for reading in survivors[:SHOWN])
        warnings.append(f"{_describe(ambiguity)}: {reason}{f' (such as {shown})' if shown else ''}; read as null")
    return warnings


def _relevant(form: Form, ambiguity: Ambiguity) -> list:
    covered = set(ambiguity.keys)
    return [equation for equation in equations(form) if covered & set(equation.keys)]


def _survivors(form: Form, values, ambiguity: Ambiguity) -> tuple[list[tuple], set[str]]:
    """The readings no evaluable rule rules out, and the rules that ruled any out."""
    relevant = _relevant(form, ambiguity)
    survivors, deciding = [], set()
    for reading in ambiguity.readings:
        values.update(zip(ambiguity.keys, reading))
        broken = [equation for equation in relevant if equation.holds(values) is False]
        if broken:
            deciding.update(str(equation) for equation in broken)
        else:
            survivors.append(reading)
    values.update(dict.fromkeys(ambiguity.keys))
    return survivors, deciding


def _holding(form: Form, values, ambiguity: Ambiguity, reading: tuple) -> set[str]:
    """The rules that, evaluated with `reading`, hold: a reading is only taken when one confirms it,
    as a cut that merely fits the digits would be wrong whenever a blank cell dropped out of the run."""
    values.update(zip(ambiguity.keys, reading))
    holding = {str(equation) for equation in _relevant(form, ambiguity) if equation.holds(values)}
    values.update(dict.fromkeys(ambiguity.keys))
    return holding


def _describe(ambiguity: Ambiguity) -> str:
    keys = ambiguity.keys[0] if len(ambiguity.keys) == 1 else f"{ambiguity.keys[0]} … {ambiguity.keys[-1]}"
    printed = ambiguity.source.replace(RUN, "").replace(ALTERNATIVE, " or ")
    return f"{keys} (row {printed!r}) can be read {len(ambiguity.readings)} ways"


def _named(instances: set[str]) -> str:
    """Rule instances for a message: 「R3 row new」, or 「R1 (7 columns)」 where a rule holds in many places."""
    by_rule: dict[str, list[str]] = {}
    for instance in sorted(instances):
        by_rule.setdefault(instance.split()[0], []).append(instance)
    return ", ".join(found[0] if len(found) == 1 else f"{rule} in {len(found)} places"
                     for rule, found in by_rule.items())


def _shown(reading: tuple) -> str:
    return " ".join(str(value) for value in reading)
