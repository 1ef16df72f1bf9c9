"""Stage three: labelled rows → the form and its figures.

Each labelled row is recognised as a row of the forms (`forms.ROW_PATTERNS`),
the form is told from its labels (never from the year), and the row's cells are
aligned with the form's columns and read (`cells.read_cell`).

Alignment follows what flattening does to tables: surplus cells are empty
cells trailing the row or cells shifted in from the label, so the figures are
the last N cells; a row with too few cells is read from the right, the
rightmost column (a total) being the one layouts keep.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from gxcrawl.cells import read_cell
from gxcrawl.forms import FORM_2019, FORM_2021, FORMS, REVIEW, ROW_PATTERNS, Form, Table
from gxcrawl.parser.rows import LabelledRow

_PATTERNS = {table: tuple((key, re.compile(pattern)) for key, pattern in rows)
             for table, rows in ROW_PATTERNS.items()}
REVIEW_WIDTH = len(REVIEW.rows) * len(REVIEW.columns)


@dataclass
class Figures:
    form: Form
    values: dict[str, Decimal | None]
    warnings: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(value is not None for value in self.values.values())


@dataclass
class _Match:
    table: str
    row: str
    source: LabelledRow


def recognise(row: LabelledRow) -> _Match | None:
    """Which row of the forms a labelled row is: the pattern matching last in its label wins."""
    found = classify(row.table, row.label)
    return _Match(found[0], found[1], row) if found else None


@lru_cache(maxsize=1 << 14)
def classify(table: str | None, label: str) -> tuple[str, str] | None:
    """(table, row key) of a squashed label, looking in `table` or, if None, in every table."""
    best, best_rank = None, (-1, -1)
    for candidate in (table,) if table else tuple(_PATTERNS):
        for key, pattern in _PATTERNS[candidate]:
            for found in pattern.finditer(label):
                rank = (found.end(), found.end() - found.start())
                if rank > best_rank:
                    best, best_rank = (candidate, key), rank
    return best


def detect_form(table_text: str, matches: list[_Match]) -> tuple[Form, str | None]:
    """The form whose markers the labels carry; 2021 with a warning when they carry none."""
    scores = {}
    for name, form in FORMS.items():
        markers = {found.group() for found in form.markers.finditer(table_text)}
        rows = {match.row for match in matches if match.table == "applications" and match.row in form.distinctive_rows}
        scores[name] = len(markers) + len(rows)
    if scores[FORM_2019] > scores[FORM_2021]:
        return FORMS[FORM_2019], None
    if scores[FORM_2021] > scores[FORM_2019]:
        return FORMS[FORM_2021], None
    return FORMS[FORM_2021], ("the form could not be told from the labels (markers of the 2019 and 2021 forms: "
                              f"{scores[FORM_2019]} and {scores[FORM_2021]}); read as the 2021 form")


def align(cells: list[str], width: int) -> tuple[list[str | None], bool]:
    """The last `width` cells, trailing empties dropped first; None pads a short row on the left."""
    cells = list(cells)
    while len(cells) > width and cells[-1] == "":
        cells.pop()
    if len(cells) >= width:
        return cells[len(cells) - width:], False
    return [None] * (width - len(cells)) + cells, True


def read_figures(rows: list[LabelledRow], table_text: str) -> Figures:
    matches = []
    unrecognised = []
    review_cells: list[str] = []
    for row in rows:
        match = recognise(row)
        if row.table == "review" or (match is None and len(_figures_of(row.cells)) >= REVIEW_WIDTH):
            # Table 四 prints its 15 figures in one row under three header rows;
            # some layouts give each group a labelled row instead.
            if match is None or len(_figures_of(row.cells)) >= REVIEW_WIDTH:
                review_cells.extend(_figures_of(row.cells))
                continue
        if match is None:
            unrecognised.append(row)
        else:
            matches.append(match)
    form, form_warning = detect_form(table_text, matches)
    figures = Figures(form, dict.fromkeys(form.keys))
    if form_warning:
        figures.warnings.append(form_warning)
    seen: dict[tuple[str, str], LabelledRow] = {}
    for match in matches:
        table = form.table(match.table)
        row = table.row(match.row)
        if row is None:
            figures.warnings.append(f"row {match.source.source!r} belongs to the other form than the "
                                    f"{form.name} form the report uses; ignored")
            continue
        if (match.table, match.row) in seen:
            if _read_row(table, row, match.source, figures, dry_run=True) != \
                    _read_row(table, row, seen[match.table, match.row], figures, dry_run=True):
                figures.warnings.append(f"table {table.number} row {row.label!r} appears twice with different "
                                        f"figures; the first was kept ({match.source.source!r} ignored)")
            continue
        seen[match.table, match.row] = match.source
        _read_row(table, row, match.source, figures)
    for row in unrecognised:
        figures.warnings.append(f"row {row.source!r} is not a row of the {form.name} form; ignored")
    _read_review(review_cells, figures)
    _warn_missing(form, seen, bool(review_cells), figures)
    return figures


def _figures_of(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _read_row(table: Table, row, source: LabelledRow, figures: Figures, dry_run: bool = False):
    columns = table.columns_of(row)
    cells, short = align(source.cells, len(columns))
    readings = [(table.figure_key(row, column), None if cell is None else read_cell(cell, column.kind))
                for column, cell in zip(columns, cells)]
    if dry_run:
        return [reading.value if reading else None for _, reading in readings]
    if short:
        figures.warnings.append(f"table {table.number} row {row.label!r} has {len(source.cells)} cells for "
                                f"{len(columns)} columns ({source.source!r}); the missing ones on the left are null")
    for key, reading in readings:
        if reading is None:
            continue
        figures.values[key] = reading.value
        if reading.problem:
            figures.warnings.append(f"{key}: {reading.problem}")
    return None


def _read_review(cells: list[str], figures: Figures) -> None:
    if not cells:
        return
    if len(cells) < REVIEW_WIDTH:
        figures.warnings.append(f"table 四 has {len(cells)} figures for {REVIEW_WIDTH}; "
                                "it was read from the left and the rest is null")
    cells = cells[-REVIEW_WIDTH:] if len(cells) > REVIEW_WIDTH else cells
    keys = REVIEW.keys()
    for key, cell in zip(keys, cells):
        reading = read_cell(cell)
        figures.values[key] = reading.value
        if reading.problem:
            figures.warnings.append(f"{key}: {reading.problem}")


def _warn_missing(form: Form, seen, review_read: bool, figures: Figures) -> None:
    for table in form.tables:
        if table is REVIEW and review_read:
            continue
        missing = [row for row in table.rows if (table.key, row.key) not in seen]
        if len(missing) == len(table.rows):
            figures.warnings.append(f"table {table.number} was not found; its figures are null")
            continue
        for row in missing:
            label = " ".join(filter(None, (row.group, row.label)))
            figures.warnings.append(f"table {table.number} row {label!r} was not found or has no figures; "
                                    "its figures are null")
