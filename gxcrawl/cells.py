"""Reading one table cell into a figure (figures.md, «Reading a cell»).

A cell is read according to the kind of column it sits in: a count, a signed
change (2019 form 「本年增/减」), or an amount in 万元. Values are Decimals so
that amounts stay exact; counts come back as integral Decimals.
"""

import enum
import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from gxcrawl.normalize import squash


class Kind(enum.Enum):
    COUNT = "count"
    SIGNED = "signed"
    AMOUNT = "amount"


class Reading(NamedTuple):
    value: Decimal | None
    #: Why the cell could not be read as written, for the report's warnings.
    problem: str | None = None


#: A cell whose figure could not be read (OCR without confidence): null, with a warning.
UNREADABLE = "\ufffd"
#: Separates a cell's alternative readings (OCR unsure between 「18」 and 「13」), as
#: `alternatives(...)` writes them: the form's arithmetic chooses one (gxcrawl.parser.ambiguity),
#: or the figure is null with a warning.
ALTERNATIVE = "\ue000"
#: Starts a cell that holds the figures of several cells run together with no separator
#: (「898989」 in a portal's text export), as `run_together(...)` writes it: split only where
#: the form's arithmetic admits exactly one split.
RUN = "\ue001"

#: Cells that mean «none» in the forms: a dash, a slash, 无.
ZERO_MARKS = frozenset({"-", "--", "—", "——", "–", "―", "─", "−", "/", "无", "×"})
#: Minus signs typed as dashes: 「−3」, 「–3」, 「—3」 are -3.
_MINUS = re.compile(r"^[−–—―─]+(?=\d)")

_NUMBER = re.compile(
    r"""^(?P<sign>[+-]*)
        (?P<digits>\d{1,3}(?:,\d{3})+|\d+)
        (?P<fraction>\.\d+)?
        (?P<unit>万元|万|元|件|个|项|条|次|宗|人次|人)?$""",
    re.VERBOSE,
)
_YUAN_PER_WAN = Decimal(10000)


def alternatives(readings: list[str]) -> str:
    """One cell that is one of `readings`, the likeliest first."""
    return ALTERNATIVE.join(readings)


def run_together(digits: str) -> str:
    """One cell holding several cells' digits with no separator between them."""
    return RUN + digits


def printable(text: str) -> str:
    """Text holding such cells as a person reads it: 「18 or 13」, the run's digits as printed."""
    return text.replace(RUN, "").replace(ALTERNATIVE, " or ")


def is_ambiguous(text: str) -> bool:
    """Whether a cell is alternatives or a run: only the arithmetic can read it."""
    return ALTERNATIVE in text or text.startswith(RUN)


def _cell(text: str) -> str:
    return _MINUS.sub("-", squash(text))


#: No figure is written longer than this; longer cells are text (and not worth caching).
MAX_FIGURE_LENGTH = 40


def is_value(text: str) -> bool:
    """Whether a non-empty cell holds a figure (a number or a «none» mark)."""
    return len(text) <= MAX_FIGURE_LENGTH and _is_value(text)


@lru_cache(maxsize=1 << 12)
def _is_value(text: str) -> bool:
    cell = _cell(text)
    return bool(cell) and (
        cell in ZERO_MARKS or cell == UNREADABLE or is_ambiguous(cell) or _NUMBER.match(cell) is not None
    )


def read_cell(text: str, kind: Kind = Kind.COUNT) -> Reading:
    if len(text) > MAX_FIGURE_LENGTH:
        return Reading(None, f"cell {text.strip()[:MAX_FIGURE_LENGTH]!r}… is not a number; read as null")
    return _read_cell(text, kind)


@lru_cache(maxsize=1 << 12)
def _read_cell(text: str, kind: Kind) -> Reading:
    cell = _cell(text)
    if not cell:
        return Reading(None)
    if cell in ZERO_MARKS:
        return Reading(Decimal(0))
    if cell == UNREADABLE:
        return Reading(None, "the figure could not be read with confidence (OCR); read as null")
    if is_ambiguous(cell):
        return Reading(
            None,
            f"cell {printable(cell)!r} could be read more than one way and the form's arithmetic "
            "does not settle it; read as null",
        )
    match = _NUMBER.match(cell)
    if match is None:
        return Reading(None, f"cell {text.strip()!r} is not a number; read as null")
    value = Decimal(match["digits"].replace(",", "") + (match["fraction"] or ""))
    if "-" in match["sign"]:
        value = -value
    if kind is Kind.AMOUNT:
        if match["unit"] == "元":
            value = value / _YUAN_PER_WAN
        return Reading(value)
    if match["unit"] == "万":
        value = value * _YUAN_PER_WAN
    if value != value.to_integral_value():
        return Reading(value, f"cell {text.strip()!r} is not a whole number")
    if kind is Kind.COUNT and value < 0:
        return Reading(value, f"cell {text.strip()!r} is a negative count")
    return Reading(value)


def as_json_number(value: Decimal | None) -> int | float | None:
    """A Decimal as the plainest JSON number that keeps it exact."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)
