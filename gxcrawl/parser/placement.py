"""Rows the words do not name, placed by where they stand.

The form's rows come in a fixed order, so a row is known by its place too: it
stands between two recognised rows, in the gap where the form has rows that
were not found. Two kinds of row get there:
 - a row whose label was garbled (「2.其他法律行政止公开」 for
   「2.其他法律行政法规禁止公开」): it is read as the missing row only while
   its label is still like that row (an extra row such as 「其他主动公开文件」
   never is);
 - a line of figures without a label of its own, as PDF→markdown converters
   leave them, with the labels of wrapped rows scattered above (「5.属于三类
   内部事务信息」 「1.本机关不掌握相关政府信息」 over one line): it is read as
   the missing row only when it fills that row's every column.
A gap holding as many such rows as the form has missing rows there is read in
order; any other such row is left out, and the warning names its best guess.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from gxcrawl.forms import Form, Table
from gxcrawl.normalize import squash

#: How much of a form row's printed label (without its group) a garbled label of its own must
#: still carry, in order, per table: table 二 has no arithmetic to catch a wrong place, so more.
MIN_LIKENESS = {"active": 0.8, "applications": 0.6}
#: Labels are compared on at most this many characters (their ends, where a row's own words are).
MAX_COMPARED = 60


@dataclass(frozen=True)
class Observed:
    """One row as the figures stage saw it: its table, the form row its label named (or None), its own label."""

    table: str | None
    row: str | None
    label: str
    #: A line of figures with no label of its own, and how many of its cells are filled.
    unlabelled: bool = False
    filled: int = 0


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
    """How like a form row's own printed label (「2.其他法律行政法规禁止公开」) a row's own label is;
    the group's words (「（三）不予公开」, 「第二十条第（一）项」) earn nothing, as held header text has them."""
    return likeness(label, squash(table.row(key).label))


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
            missing = [row.key for row in table.rows[before + 1 : after] if (table.key, row.key) not in found]
            if len(missing) != len(members):
                continue
            for index, key in zip(members, missing):
                warning = _fits(sequence[index], table, key)
                if warning:
                    placed.append(Placed(index, table.key, key, warning))
    return placed


def _fits(item: Observed, table: Table, key: str) -> str | None:
    """The warning saying why `item` is read as the form's row `key`, or None when it may not be."""
    printed = printed_label(table, key)
    if item.unlabelled:
        if item.filled != len(table.columns_of(table.row(key))):
            return None
        return (
            f"table {table.number}: a line of figures without a label of its own stands where the form has "
            f"{printed!r} and fills its columns; it was read as that row"
        )
    share = row_likeness(item.label, table, key)
    if share < MIN_LIKENESS[table.key]:
        return None
    return (
        f"table {table.number}: the label {item.label!r} matches no row of the form; it stands where the "
        f"form has {printed!r} ({share:.0%} alike) and was read as that row"
    )


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
