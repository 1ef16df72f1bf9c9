"""Where each figure was read: the cell's place in its document and its text as printed.

A place is a table's grid position (its number among the document's tables,
then row and column, all counted from 1, merged cells expanded as the readers
expand them) or, for figures printed on a line of running text, the line's
number among the document's lines and the figure's position on it. PDFs and
scans add the page and the box the cell was printed in (`Printed`).

`cell_json` is how a figure's source is printed by `gxcrawl parse` and kept
by storage: only what is known, so that a report's JSON stays compact.
"""

from dataclasses import dataclass

from gxcrawl.documents.model import Printed


@dataclass(frozen=True)
class Place:
    table: int | None = None
    row: int | None = None
    column: int | None = None
    line: int | None = None
    printed: Printed | None = None


@dataclass(frozen=True)
class Source:
    #: The cell's text as printed, before reading: 「—」, 「/」, 「」, 「1,234」, 「103.3879万元」.
    raw: str
    place: Place | None = None


def cell_json(source: Source | None, rule: str | None = None) -> dict:
    """A figure's source as JSON, only what is known: `raw`; `cell` [table, row, column] or `line` [line, position];
    `page` and `box` [x0, top, x1, bottom]; for a value the form's arithmetic derived from a blank cell, its `rule`."""
    out: dict = {}
    if source is not None:
        out["raw"] = source.raw
        place = source.place or Place()
        if place.table is not None:
            out["cell"] = [place.table, place.row, place.column]
        elif place.line is not None:
            out["line"] = [place.line, place.column]
        if place.printed is not None:
            out["page"] = place.printed.page
            if place.printed.box is not None:
                out["box"] = list(place.printed.box)
    if rule:
        out["rule"] = rule
    return out
