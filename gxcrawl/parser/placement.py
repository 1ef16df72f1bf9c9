"""Rows whose label matched no row of the form, placed by where they stand.

The form's rows come in a fixed order, so a row whose label was garbled
(「2.其他法律行政止公开」 for 「2.其他法律行政法规禁止公开」) is still known by its
place: it stands between two recognised rows, in the gap where the form has
rows that were not found. A gap holding as many unrecognised rows as the form
has missing rows there is read in order, provided each label is still like
the row it stands for (an extra row such as 「其他主动公开文件」 never is); any
other unrecognised row is left out, and the warning names its best guess.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from gxcrawl.forms import Form, Table
from gxcrawl.normalize import squash

#: How much of a form row's printed label a garbled label must still carry, in order.
MIN_LIKENESS = 0.6
#: Labels are compared on at most this many characters (their ends, where a row's own words are).
MAX_COMPARED = 60


@dataclass(frozen=True)
class Observed:
    """One row as the figures stage saw it: its table, the form row its label named (or None), its label."""

    table: str | None
    row: str | None
    label: str


@dataclass(frozen=True)
class Placed:
    #: Index of the unrecognised row in the sequence.
    index: int
    table: str
    row: str
    warning: str


def printed_label(table: Table, key: str) -> str:
    row = table.row(key)
    return squash(f"{row.group}{row.label}")


def row_likeness(label: str, table: Table, key: str) -> float:
    """How like a form row a label is, with or without the row's group (layouts print it or not)."""
    return max(likeness(label, printed_label(table, key)), likeness(label, squash(table.row(key).label)))


@lru_cache(maxsize=1 << 12)
def likeness(label: str, printed: str) -> float:
    """The share of `printed` found, in order, in `label` (extra words in `label` cost nothing)."""
    label, printed = label[-MAX_COMPARED:], printed[-MAX_COMPARED:]
    if not printed:
        return 0.0
    matcher = SequenceMatcher(None, printed, label, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(printed)


def best_guess(form: Form, table: str | None, label: str) -> tuple[str, str, float] | None:
    """(table, row, likeness) of the form row `label` is most like."""
    tables = [form.table(table)] if table else [t for t in form.tables if not t.printed_across]
    guesses = [(t.key, row.key, row_likeness(label, t, row.key)) for t in tables for row in t.rows]
    return max(guesses, key=lambda guess: guess[2], default=None)


def place(form: Form, sequence: list[Observed]) -> list[Placed]:
    """Places for the unrecognised rows of `sequence` (document order) that their position determines."""
    placed = []
    found = {(item.table, item.row) for item in sequence if item.row}
    for table in form.tables:
        if table.printed_across:
            continue
        order = {row.key: position for position, row in enumerate(table.rows)}
        for gap in _gaps(sequence, table.key, order):
            before, after, members = gap
            missing = [row.key for row in table.rows[before + 1:after] if (table.key, row.key) not in found]
            if len(missing) != len(members):
                continue
            for index, key in zip(members, missing):
                label = sequence[index].label
                share = row_likeness(label, table, key)
                if share < MIN_LIKENESS:
                    continue
                placed.append(Placed(index, table.key, key, (
                    f"table {table.number}: the label {label!r} matches no row of the form; it stands where the "
                    f"form has {printed_label(table, key)!r} ({share:.0%} alike) and was read as that row")))
    return placed


def _gaps(sequence: list[Observed], table: str, order: dict[str, int]):
    """(position before, position after, unrecognised indexes) for each run of unrecognised rows
    between two recognised rows of `table` (or before the first, after the last)."""
    before, members = -1, []
    for index, item in enumerate(sequence):
        if item.row is None:
            if item.table in (table, None):
                members.append(index)
            continue
        if item.table != table:  # another table's row: what was held is not this table's
            members = []
            continue
        position = order.get(item.row)
        if position is None:
            continue
        if members and position > before:
            yield before, position, members
        before, members = max(before, position), []
    if members and before >= 0:
        yield before, len(order), members
