"""Table 三's rows of figures whose label a conversion put somewhere else.

PDF→markdown converters keep the order of a table's lines of figures but
scatter the labels of wrapped rows: several labels end up together above one
line of figures (「5.属于三类内部事务信息」 「1.本机关不掌握相关政府信息」 over
「| 1 | 0 | … | 1 |」), or a line of figures has no label at all. Taking the
last label held would misplace figures silently. What the layout does
determine is the order: between two rows whose own label names them, the
lines of figures that name no single row are, in order, the form's rows
missing between those two, when there are exactly as many lines as missing
rows. Otherwise such lines are left unlabelled (read past with a warning).
"""

import re

from gxcrawl.forms import APPLICANT_COLUMNS, FORMS, ROW_PATTERNS, recognise_row
from gxcrawl.normalize import squash

TABLE = "applications"
WIDTH = len(APPLICANT_COLUMNS)
_PATTERNS = tuple((key, re.compile(pattern)) for key, pattern in ROW_PATTERNS[TABLE])
#: Each form's rows of table 三 in printed order, with their printed labels.
_ORDERS = {name: [(row.key, squash(row.label)) for row in form.table(TABLE).rows] for name, form in FORMS.items()}


def named_rows(label: str) -> set[str]:
    """Every row of table 三 that some words of a squashed label name."""
    return {key for key, pattern in _PATTERNS if pattern.search(label)}


def place_orphans(rows, table_text: str) -> None:
    """Label table 三's lines of figures that name no single row, by the form's order (see above).

    The order is the form's whose markers `table_text` (the squashed labels) carries, or, when it
    carries both or neither, the one both forms agree on.
    """
    marked = [name for name, form in FORMS.items() if form.markers.search(table_text)]
    orders = [_ORDERS[marked[0]]] if len(marked) == 1 else list(_ORDERS.values())
    anchors: list[tuple[int, str]] = []
    orphans: list[int] = []
    for index, row in enumerate(rows):
        if row.table != TABLE:
            continue
        key = _own_key(row)
        if key is not None:
            anchors.append((index, key))
        elif sum(bool(cell) for cell in row.cells) == WIDTH:
            orphans.append(index)
    anchored = {key for _, key in anchors}
    placed: set[int] = set()
    for (start, first), (stop, last) in zip(anchors, anchors[1:]):
        lines = [index for index in orphans if start < index < stop]
        missing = _missing_between(first, last, anchored, orders)
        if lines and missing is not None and len(missing) == len(lines):
            for index, (_, label) in zip(lines, missing):
                rows[index].label, rows[index].held, rows[index].continues = label, 0, False
                placed.add(index)
    for index in orphans:
        if index not in placed and not rows[index].own_label and len(held_names(rows[index])) > 1:
            # Several labels held over one line of figures: whose figures they are is unknown.
            rows[index].label, rows[index].held = "", 0


def _own_key(row) -> str | None:
    """The row the line names: by its own label, else by the held text when that names one row only."""
    if row.own_label:
        found = recognise_row(TABLE, row.own_label)
        return found[1] if found else None
    held = held_names(row)
    return next(iter(held)) if len(held) == 1 else None


def held_names(row) -> set[str]:
    """The rows the lines held before a row name: each line alone (「3.其他」 names its row only at a
    label's end) and all of them together (a label wrapped over two lines)."""
    alone = {found[1] for found in (recognise_row(TABLE, line) for line in row.held_lines) if found}
    return alone | named_rows(row.label)


def _missing_between(first: str, last: str, anchored: set[str], orders) -> list[tuple[str, str]] | None:
    """The rows between two in the forms' order that no line names; None when the orders disagree."""
    gaps = []
    for order in orders:
        keys = [key for key, _ in order]
        if first not in keys or last not in keys or keys.index(first) >= keys.index(last):
            continue
        between = order[keys.index(first) + 1:keys.index(last)]
        gaps.append([(key, label) for key, label in between if key not in anchored])
    return gaps[0] if gaps and all(gap == gaps[0] for gap in gaps) else None
