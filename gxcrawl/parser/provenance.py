"""Where each figure was read: the cell's place in its document and its text as printed.

A place is a table's grid position (its number among the document's tables,
then row and column, all counted from 1, merged cells expanded as the readers
expand them) or, for figures printed on a line of running text, the line's
number among the document's lines and the figure's position on it. PDFs and
scans add the page and the box the cell was printed in (`Printed`).

`cell_json` is how a figure's source is printed by `gxcrawl parse` and kept
by storage: only what is known, so that a report's JSON stays compact.
"""

from typing import NamedTuple

from gxcrawl.documents.model import Printed


class Place(NamedTuple):
    # A tuple, not a dataclass: one is made for every cell of every figure row, and this is the cheapest to make.
    table: int | None = None
    row: int | None = None
    column: int | None = None
    line: int | None = None
    printed: Printed | None = None


class Source(NamedTuple):
    #: The cell's text as printed, before reading: 「—」, 「/」, 「」, 「1,234」, 「103.3879万元」.
    raw: str
    place: Place | None = None


def cell_json(source: Source) -> dict:
    """A figure's source as JSON, only what is known: `raw`; `cell` [table, row, column] or `line` [line, position];
    `page` and `box` [x0, top, x1, bottom]. (A value the form's arithmetic derived or settled adds the rule that did:
    `rule`, `settled_by`.)"""
    raw, place = source
    if place is None:
        out = {"raw": raw}
    elif place.table is not None:
        out = {"raw": raw, "cell": [place.table, place.row, place.column]}
    elif place.line is not None:
        out = {"raw": raw, "line": [place.line, place.column]}
    else:
        out = {"raw": raw}
    if place is not None and place.printed is not None:
        out["page"] = place.printed.page
        if place.printed.box is not None:
            out["box"] = list(place.printed.box)
    return out
