"""Stage three: labelled rows → the form and its figures.

Each labelled row is recognised as a row of the forms (`forms.recognise_row`),
the form is told from its labels (never from the year), and the row's cells are
aligned with the form's columns and read (`cells.read_cell`).

Alignment follows what flattening does to tables: surplus cells are empty
cells trailing the row, filler dashes after a single figure, or cells shifted
in from the label, so the figures are the last N cells. A row with too few
cells is not read, as which columns its figures fill is unknown, but for a
lone figure in a row that ends in its 总计 (layouts keep the total). Whatever
is left out is said in a warning. Each figure keeps its cell's text and place
(`Figures.sources`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from gxcrawl.cells import ALTERNATIVE, RUN, ZERO_MARKS, Kind, printable, read_cell
from gxcrawl.forms import (
    APPLICANT_COLUMNS,
    FORM_2019,
    FORM_2021,
    FORMS,
    GROUP_PARENTS,
    REVIEW,
    Form,
    recognise_row,
    review_heading,
)
from gxcrawl.normalize import squash
from gxcrawl.parser import ambiguity
from gxcrawl.parser.checks import REVIEW_EQUATIONS
from gxcrawl.parser.placement import Observed, best_guess, place, printed_label
from gxcrawl.parser.provenance import Place, Source
from gxcrawl.parser.rows import LabelledRow

REVIEW_WIDTH = len(REVIEW.rows) * len(REVIEW.columns)
REVIEW_COLUMNS = {column.key for column in REVIEW.columns}
#: A row matching nothing names the form row it is most like when it is at least this alike.
HINT_LIKENESS = 0.4
#: More than this many rows of one table with the same problem are summed up in one warning.
MAX_ROW_WARNINGS = 3


@dataclass
class Figures:
    form: Form
    values: dict[str, Decimal | None]
    warnings: list[str] = field(default_factory=list)
    #: Cells only the form's arithmetic can read (`gxcrawl.parser.ambiguity`).
    ambiguities: list[ambiguity.Ambiguity] = field(default_factory=list)
    #: Figures printed but not read with certainty: nothing is derived into them.
    unsettled: set[str] = field(default_factory=set)
    #: The cell each figure was read from (blank cells too), by key.
    sources: dict[str, Source] = field(default_factory=dict)
    #: For figures the form's arithmetic chose among several readings: the rule instances that decided.
    settled_by: dict[str, str] = field(default_factory=dict)
    #: A row printed more than once with different figures: each printing's (value, source), by key.
    contested_sources: dict[str, list[tuple[Decimal | None, Source]]] = field(default_factory=dict)

    @property
    def found(self) -> int:
        return sum(value is not None for value in self.values.values())


@dataclass
class _Match:
    table: str
    row: str
    source: LabelledRow
    #: Lines of figures alone that followed the row (`LabelledRow.continues`).
    continuations: list[LabelledRow] = field(default_factory=list)

    @property
    def filled(self) -> int:
        return sum(bool(cell) for cell in self.source.cells)

    def cells(self, width: int) -> tuple[list[str], list[Place | None], list[LabelledRow]]:
        """The row's cells with as many continuation lines as it takes to fill `width`, their places; the lines
        left over."""
        cells, places = list(self.source.cells), list(self.source.places)
        for index, line in enumerate(self.continuations):
            if len(trailing_empties_dropped(cells)) >= width:
                return cells, places, self.continuations[index:]
            cells.extend(line.cells)
            places.extend(line.places)
        return cells, places, []


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
    return FORMS[FORM_2021], (
        "the form could not be told from the labels (markers of the 2019 and 2021 forms: "
        f"{scores[FORM_2019]} and {scores[FORM_2021]}); read as the 2021 form"
    )


HYBRID_WARNING = (
    "table 三 prints （六）其他处理 as one row, the 2019 form's way, in a 2021-form report: its figures "
    "are under applications.other.*, the three sub-rows 1.–3. are null (the report does not say), "
    "and R4 sums the single row"
)


def printed_form(form: Form, matches: list[_Match]) -> Form:
    """`form` as the report printed it: table 三 may print （六）其他处理 the other form's way.

    The form is decided per table (figures.md, «Hybrid tables»): a 2021-form report whose
    table 三 has the single 2019 row and none of the three sub-rows keeps its template, with
    the 2019 form's table 三.
    """
    rows = {match.row for match in matches if match.table == "applications"}
    single_row = FORMS[FORM_2019]
    if form.name == FORM_2021 and not form.distinctive_rows & rows and single_row.distinctive_rows & rows:
        return form.printing(single_row.table("applications"))
    return form


@dataclass
class Alignment:
    cells: list[str | None]
    #: What was left out or padded, for a warning; None when the row fit.
    note: str | None = None
    #: Where in the row each of `cells` was (None for a padded cell).
    positions: list[int | None] = field(default_factory=list)

    def places(self, places: list[Place | None]) -> list[Place | None]:
        return [None if position is None else places[position] for position in self.positions]


def align(cells: list[str], width: int, ends_in_total: bool = False) -> Alignment:
    """The row's cells fitted to `width` columns (see the module's docstring)."""
    cells = trailing_empties_dropped(cells, width)
    if len(cells) < width:
        filled = [cell for cell in cells if cell]
        if ends_in_total and len(filled) == 1 and cells[-1]:
            return Alignment(
                [None] * (width - 1) + cells[-1:],
                f"has 1 figure for {width} columns; read as the last, its 总计, the others null",
                [None] * (width - 1) + [len(cells) - 1],
            )
        return Alignment(
            [None] * width,
            f"has {len(cells)} cells for {width} columns; which columns they fill is unknown, so none was read",
            [None] * width,
        )
    surplus = len(cells) - width
    if not surplus:
        return Alignment(cells, None, list(range(width)))
    head, tail = cells[:surplus], cells[width:]
    if any(_has_digit(cell) for cell in head) and all(_is_filler(cell) for cell in tail):
        return Alignment(cells[:width], None, list(range(width)))
    if any(_has_digit(cell) for cell in head) and "" in cells[surplus:]:
        # A figure would be dropped while a blank cell is kept: the surplus may be that blank.
        return Alignment(
            [None] * width,
            f"has {len(cells)} cells for {width} columns, blank ones among them; "
            "which are its figures is unknown, so none was read",
            [None] * width,
        )
    dropped = [cell for cell in head if cell]
    note = (
        f"has {len(cells)} cells for {width} columns; {dropped} before the figures were left out" if dropped else None
    )
    return Alignment(cells[surplus:], note, list(range(surplus, len(cells))))


def trailing_empties_dropped(cells: list[str], width: int = 0) -> list[str]:
    cells = list(cells)
    while len(cells) > width and cells and cells[-1] == "":
        cells.pop()
    return cells


def _has_digit(cell: str) -> bool:
    return any(ch.isdigit() for ch in cell)


def _is_filler(cell: str) -> bool:
    return not cell or squash(cell) in ZERO_MARKS


@dataclass
class _Collected:
    """The rows sorted by what the figures stage does with them."""

    #: Rows of tables 二 and 三 in document order: a `_Match` where the words name a form row.
    sequence: list = field(default_factory=list)
    #: Rows of table 四 named by their own label (a group, or transposed, a result).
    review_rows: list[_Match] = field(default_factory=list)
    #: Rows holding table 四's 15 figures, and its figures wrapped over unlabelled rows (with their places).
    whole_review: list[LabelledRow] = field(default_factory=list)
    loose_review: list[str] = field(default_factory=list)
    loose_places: list[Place | None] = field(default_factory=list)
    #: Rows of table 四 whose own label names nothing.
    unrecognised_review: list[LabelledRow] = field(default_factory=list)


def read_figures(rows: list[LabelledRow], table_text: str) -> Figures:
    collected = _collect(rows)
    matches = collected.review_rows + [item for item in collected.sequence if isinstance(item, _Match)]
    form, form_warning = detect_form(table_text, matches)
    printed = printed_form(form, matches)
    figures = Figures(printed, dict.fromkeys(form.keys) | dict.fromkeys(printed.keys))
    if form_warning:
        figures.warnings.append(form_warning)
    if printed is not form:
        figures.warnings.append(HYBRID_WARNING)
    matches += _placed(printed, collected.sequence, figures)
    chosen, contested = _choose(matches, figures)
    notes: dict[str, list[str]] = {}
    for key, match in chosen.items():
        if key not in contested:
            _read_match(printed, match, figures, notes)
    for candidates in contested.values():
        _read_contested(printed, candidates, figures)
    unrecognised = collected.unrecognised_review + [row for row in collected.sequence if isinstance(row, LabelledRow)]
    _warn_unrecognised(printed, unrecognised, figures)
    review_read = _read_review(collected.whole_review, collected.loose_review, collected.loose_places, figures)
    _warn_misfits(notes, figures)
    _warn_missing(printed, chosen, review_read, figures)
    settlement = ambiguity.settle(printed, figures.values, figures.ambiguities)
    figures.warnings.extend(settlement.warnings)
    figures.unsettled = settlement.unsettled
    figures.settled_by = settlement.settled_by
    for key, printings in figures.contested_sources.items():
        taken = [source for value, source in printings if value is not None and value == figures.values.get(key)]
        if taken:
            figures.sources[key] = taken[0]
    return figures


#: Headings of table 四's columns over a row of figures that make it table 四 when nothing else says so.
MIN_REVIEW_HEADINGS = 3


def _collect(rows: list[LabelledRow]) -> _Collected:
    collected = _Collected()
    sequence = collected.sequence
    for row in rows:
        figures = trailing_empties_dropped(row.cells)
        if row.table == "review" or (
            not row.own_label and len(figures) >= REVIEW_WIDTH and _under_review_headings(row)
        ):
            # Table 四 prints its 15 figures in one row under three header rows; other layouts
            # give each group (or, transposed, each result) a labelled row, or wrap the 15.
            # Held header text ends in 总计 too: only a row's own label names a group.
            found = recognise_row("review", row.own_label) if row.own_label else None
            if len(figures) >= REVIEW_WIDTH:
                collected.whole_review.append(row)
            elif found:
                collected.review_rows.append(_Match(*found, row))
            elif not row.own_label:
                collected.loose_review.extend(figures)
                collected.loose_places.extend(row.places[: len(figures)])
            else:
                collected.unrecognised_review.append(row)
            continue
        last = sequence[-1] if sequence else None
        if (
            row.continues
            and isinstance(last, _Match)
            and last.source.table == row.table
            and not _another_row(last, row)
        ):
            last.continuations.append(row)
            continue
        named = _named_rows(row)
        sequence.append(_Match(*named.pop(), row) if len(named) == 1 else row)
    return collected


def _named_rows(row: LabelledRow) -> set[tuple[str, str]]:
    """The form rows a row's words name: its label; for a line of figures without a label of its own,
    each line held above it alone (「3.其他」 names its row only at a label's end) and all of them
    together, as a converter may have put several rows' labels there. A heading held on a line of
    its own (「总计」 over the columns, 「（六）其他处理」 over its sub-rows) names no row."""
    found = recognise_row(row.table, row.label)
    if row.own_label:
        return {found} if found else set()
    lines = [line for line in row.held_lines if line not in HEADINGS]
    return {found for found in (found, *(recognise_row(row.table, line) for line in lines)) if found}


def _warn_unrecognised(form: Form, rows: list[LabelledRow], figures: Figures) -> None:
    for row in rows:
        guess = best_guess(form, row.table, row.own_label)
        hint = (
            f" (most like {printed_label(form.table(guess[0]), guess[1])!r}, {guess[2]:.0%} alike)"
            if guess and guess[2] >= HINT_LIKENESS
            else ""
        )
        figures.warnings.append(f"row {printable(row.source)!r} is not a row of the {form.name} form{hint}; ignored")


def _warn_misfits(notes: dict[str, list[str]], figures: Figures) -> None:
    """Rows that did not fit their columns, a few per table."""
    for table_number, lines in notes.items():
        if len(lines) > MAX_ROW_WARNINGS:
            lines = lines[:MAX_ROW_WARNINGS] + [
                f"table {table_number}: {len(lines) - MAX_ROW_WARNINGS} more rows did not fit their columns"
            ]
        figures.warnings.extend(lines)


#: Table 三's column and row-group headings, squashed: a line of its own held above a row, each
#: names no row (「总计」 over the columns, 「（六）其他处理」 over its three sub-rows).
HEADINGS = frozenset(
    squash(text)
    for text in (
        *(text for column in APPLICANT_COLUMNS for text in (column.label, column.group) if text),
        FORMS[FORM_2021].table("applications").columns_heading,
        *GROUP_PARENTS,
        *GROUP_PARENTS.values(),
    )
)


def _whole_line(row: LabelledRow) -> bool:
    """Whether a row fills every column of table 三: a row of its own even without a label."""
    return row.table == "applications" and sum(map(bool, row.cells)) == len(APPLICANT_COLUMNS)


def _another_row(last: _Match, line: LabelledRow) -> bool:
    """Whether a line of figures after a complete row of table 三 is a row of its own, whose label
    a converter put elsewhere, rather than the rest of that row."""
    return last.table == "applications" and last.filled >= len(APPLICANT_COLUMNS) and _whole_line(line)


def _placed(form: Form, sequence: list, figures: Figures) -> list[_Match]:
    """Unrecognised rows of `sequence` read as the form rows their place determines; taken out of it."""
    observed = [
        Observed(item.table, item.row, item.source.label)
        if isinstance(item, _Match)
        else Observed(item.table, None, item.own_label, not item.own_label, sum(map(bool, item.cells)))
        for item in sequence
    ]
    matches = []
    for placed in sorted(place(form, observed), key=lambda placed: -placed.index):
        matches.append(_Match(placed.table, placed.row, sequence.pop(placed.index)))
        figures.warnings.append(placed.warning)
    return matches[::-1]


def _choose(matches: list[_Match], figures: Figures) -> tuple[dict[tuple[str, str], _Match], dict]:
    """One match per row of the form: where a row appears twice, the fuller one; where two as full
    differ (an extra row labelled like the form's, 「合计」 for 「（七）总计」), every one of them, contested."""
    chosen: dict[tuple[str, str], _Match] = {}
    contested: dict[tuple[str, str], list[_Match]] = {}
    for match in matches:
        key = (match.table, match.row)
        kept = chosen.get(key)
        if kept is None:
            chosen[key] = match
            continue
        if [cell for cell in match.source.cells if cell] == [cell for cell in kept.source.cells if cell]:
            continue
        if match.filled == kept.filled:
            contested.setdefault(key, [kept]).append(match)
            continue
        better, other = (match, kept) if match.filled > kept.filled else (kept, match)
        chosen[key] = better
        figures.warnings.append(
            f"row {better.source.source!r} appears twice with different figures; the other, "
            f"{other.source.source!r}, has fewer and was ignored"
        )
    return chosen, contested


def _read_contested(form: Form, candidates: list[_Match], figures: Figures) -> None:
    """A row printed more than once, as fully and with different figures: each printing is a reading,
    and the form's arithmetic chooses between them (`gxcrawl.parser.ambiguity`), or none is read."""
    readings, keys = [], []
    for candidate in candidates:
        alone = Figures(form, {})
        keys = _read_match(form, candidate, alone, {}) or keys
        if not alone.ambiguities:
            readings.append(tuple(alone.values.get(key) for key in keys))
        for key, source in alone.sources.items():  # each printing's cells; the one the arithmetic takes stays
            figures.sources.setdefault(key, Source(" / ".join(c.source.source for c in candidates)))
            figures.contested_sources.setdefault(key, []).append((alone.values.get(key), source))
    source = " / ".join(candidate.source.source for candidate in candidates)
    figures.warnings.append(
        f"row {candidates[0].source.source!r} appears {len(candidates)} times with different "
        "figures; the form's arithmetic decides which is the row"
    )
    figures.ambiguities.append(ambiguity.Ambiguity(tuple(keys), readings, source))


def _read_match(form: Form, match: _Match, figures: Figures, notes: dict[str, list[str]]) -> list[str]:
    """Read a row into `figures`; returns the keys of its figures (none for a row of the other form)."""
    table = form.table(match.table)
    if match.table == "review" and match.row in REVIEW_COLUMNS:
        # Transposed: the row is a result, its columns the three groups.
        keys = [f"{group.key}.{match.row}" for group in REVIEW.rows]
        kinds = [column.kind for column in REVIEW.columns if column.key == match.row] * len(keys)
        label = match.source.own_label or match.row
    else:
        row = table.row(match.row)
        if row is None:
            figures.warnings.append(
                f"row {match.source.source!r} belongs to the other form than the "
                f"{form.name} form the report uses; ignored"
            )
            return []
        columns = table.columns_of(row)
        keys = [table.figure_key(row, column) for column in columns]
        kinds = [column.kind for column in columns]
        label = " ".join(filter(None, (row.group, row.label)))
    cells, places, left_over = match.cells(len(keys))
    for line in left_over:
        figures.warnings.append(f"row {line.source!r} is not a row of the {form.name} form; ignored")
    if any(cell.startswith(RUN) for cell in cells):
        _read_run(keys, cells, places, match.source.source, figures)
        return keys
    alignment = align(cells, len(keys), ends_in_total=keys[-1].endswith(".total"))
    if alignment.note:
        notes.setdefault(table.number, []).append(
            f"table {table.number} row {label!r} {alignment.note} ({match.source.source!r})"
        )
    _read_cells(keys, kinds, alignment.cells, alignment.places(places), match.source.source, figures)
    return keys


def _read_cells(keys, kinds, cells: list[str | None], places: list[Place | None], source: str, figures: Figures):
    """Each cell read into its figure, its source kept; cells with alternative readings left to the arithmetic."""
    for key, kind, cell, where in zip(keys, kinds, cells, places):
        if cell is None:
            continue
        if ALTERNATIVE in cell:
            figures.sources[key] = Source(printable(cell), where)
            figures.ambiguities.append(ambiguity.from_alternatives(key, cell, kind, source))
            continue
        figures.sources[key] = Source(cell, where)
        reading = read_cell(cell, kind)
        figures.values[key] = reading.value
        if reading.problem:
            figures.warnings.append(f"{key}: {reading.problem}")


def _read_run(keys: list[str], cells: list[str], places: list[Place | None], source: str, figures: Figures) -> None:
    """A row whose figures ran together into one cell with no separator: left to the arithmetic.

    Where the run stands among other cells, which columns it covers is unknown (a blank cell
    takes no room in it), so the row is not read."""
    filled = [cell for cell in cells if cell]
    if len(filled) != 1:
        figures.warnings.append(
            f"row {printable(source)!r}: some of its figures ran together with no "
            "separator, beside others, so which columns they fill is unknown; read as null"
        )
        return
    where = next((place for cell, place in zip(cells, places) if cell), None)
    figures.sources.update(dict.fromkeys(keys, Source(printable(filled[0]), where)))
    figures.ambiguities.append(ambiguity.from_run(tuple(keys), filled[0], source))


def _under_review_headings(row: LabelledRow) -> bool:
    """Whether a row of figures outside any recognised table stands under table 四's headings (复议 and 诉讼's
    结果): numbers alone never make table 四."""
    return sum(review_heading(heading) is not None for heading in row.headings or () if heading) >= MIN_REVIEW_HEADINGS


def _read_review(whole: list[LabelledRow], loose: list[str], loose_places: list, figures: Figures) -> bool:
    """Table 四 from a row of 15 figures, or from 15 figures wrapped over unlabelled rows."""
    if whole:
        cells, places = _review_cells(whole[0], figures)
    elif any(cell.startswith(RUN) for cell in loose):
        _read_run(REVIEW.keys(), loose, loose_places, "table 四", figures)
        return True
    elif len(loose) == REVIEW_WIDTH:
        cells, places = loose, loose_places
    else:
        if loose:
            figures.warnings.append(
                f"table 四 has {len(loose)} figures outside labelled rows, not the "
                f"{REVIEW_WIDTH} of the form; they were not read, as their places are unknown"
            )
        return False
    _read_cells(REVIEW.keys(), [Kind.COUNT] * REVIEW_WIDTH, [cell or "" for cell in cells], places, "table 四", figures)
    return True


def _review_cells(row: LabelledRow, figures: Figures) -> tuple[list[str | None], list[Place | None]]:
    """Table 四's 15 cells from its row of figures, and their places: by the headings over each cell where the
    grid has them (its header and data cells may span different columns, blanks among them), else in order."""
    in_order = align(row.cells, REVIEW_WIDTH)
    in_order_places = in_order.places(row.places)
    by_heading = _by_headings(row) if row.headings else None
    if by_heading is None:
        if in_order.note:
            figures.warnings.append(f"table 四 {in_order.note} ({row.source!r})")
        return in_order.cells, in_order_places
    headed = [None if index is None else row.cells[index] for index in by_heading]
    headed_places = [None if index is None else row.places[index] for index in by_heading]
    if headed == [cell or None for cell in in_order.cells]:
        if in_order.note:
            figures.warnings.append(f"table 四 {in_order.note} ({row.source!r})")
        return in_order.cells, in_order_places
    if in_order.note is None and not _r5_holds(headed) and _r5_holds(in_order.cells):
        figures.warnings.append(
            f"table 四's figures read by their column headings break R5 and read in order "
            f"satisfy it: R5 decided for the order ({row.source!r})"
        )
        return in_order.cells, in_order_places
    figures.warnings.append(
        f"table 四's figures were read by the headings over their columns, as the row does not "
        f"hold its 15 figures in the form's order ({row.source!r})"
    )
    return headed, headed_places


def _by_headings(row: LabelledRow) -> list[int | None] | None:
    """Where in a table 四 row each of its 15 figures is, by the headings over the cells; None unless every filled
    cell is named, once."""
    found: dict[str, int] = {}
    for index, (cell, heading) in enumerate(zip(row.cells, row.headings)):
        if not cell:
            continue
        key = review_heading(heading) if heading else None
        if key is None or key in found:
            return None
        found[key] = index
    return [found.get(key) for key in REVIEW.keys()]


def _r5_holds(cells: list[str | None]) -> bool:
    values = {key: read_cell(cell or "").value for key, cell in zip(REVIEW.keys(), cells)}
    return all(equation.holds(values) for equation in REVIEW_EQUATIONS)


def _warn_missing(form: Form, chosen, review_read: bool, figures: Figures) -> None:
    for table in form.tables:
        if table is REVIEW and (
            review_read or any(key == ("review", column) for key in chosen for column in REVIEW_COLUMNS)
        ):
            continue
        missing = [row for row in table.rows if (table.key, row.key) not in chosen]
        if len(missing) == len(table.rows):
            figures.warnings.append(f"table {table.number} was not found; its figures are null")
            continue
        for row in missing:
            label = " ".join(filter(None, (row.group, row.label)))
            figures.warnings.append(
                f"table {table.number} row {label!r} was not found or has no figures; its figures are null"
            )
