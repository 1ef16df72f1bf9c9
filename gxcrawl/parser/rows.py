"""Stage two: text blocks and cell grids → labelled rows and the report's sections.

Walks a document in order, following the six section headings, and turns
every line or grid row that carries figures into a `LabelledRow`: which table
it belongs to, its label, and the cells that follow the label. Labels wrapped
over several lines (「（三）不予公\\n开」, 「…其政府信\\n息公开申请」) are joined:
lines without figures are held and prefixed to the next row that has some.
The text of the prose sections (总体情况, 存在的主要问题, 其他需要报告的事项) is kept.
Every cell keeps its place in the document (`provenance.Place`).
"""

import re
from dataclasses import dataclass, field

from gxcrawl.cells import is_value
from gxcrawl.documents.model import Document, Grid, Paragraph, PrintedLine
from gxcrawl.forms import MAX_HEADING, SECTION_KEYS, TABLE_MARKERS, heading_section, recognise_row
from gxcrawl.normalize import readable, squash, tidy
from gxcrawl.parser.identity import is_title_line, read_title
from gxcrawl.parser.provenance import Place

#: How much label text is held for the next row with figures.
MAX_PENDING = 200
#: How many paragraphs at the top are looked at for a title wrapped over two lines.
OPENING_LINES = 40


@dataclass
class LabelledRow:
    #: active, applications or review; None where no heading or marker told.
    table: str | None
    #: The squashed label: the lines held before the row, then the row's own.
    label: str
    #: The cells after the label, as read ('' for an empty cell).
    cells: list[str]
    #: The row as the document printed it, for messages.
    source: str
    #: How much of `label` was held from the lines before the row.
    held: int = 0
    #: A line of figures alone right after another row: the rest of that row's
    #: figures when a converter put each cell on a line of its own.
    continues: bool = False
    #: For a row of a grid whose columns have headings (table 四): the grid's rows above it
    #: that have no figures, and the row itself as the grid holds it (see `headings`).
    header_rows: list[list[str | None]] | None = None
    grid_row: list[str | None] | None = None
    #: The lines held before the row, each as read (their joined text is the start of `label`).
    held_lines: list[str] = field(default_factory=list)
    #: Where each of `cells` is in the document, parallel to it.
    places: list[Place | None] = field(default_factory=list)

    def __post_init__(self):
        self.places = self.places or [None] * len(self.cells)

    @property
    def headings(self) -> list[str | None] | None:
        """The squashed heading texts over each cell of `cells`, outermost first (None where a cell
        spans columns with different headings); None outside a grid with headings."""
        if self.header_rows is None:
            return None
        return column_headings(self.header_rows, self.grid_row)[-len(self.cells) :]

    @property
    def own_label(self) -> str:
        return self.label[self.held :]


@dataclass
class Layout:
    rows: list[LabelledRow] = field(default_factory=list)
    #: Text of the prose sections, by section key.
    sections: dict[str, str] = field(default_factory=dict)
    #: Lines that look like the report's title, in document order.
    title_lines: list[str] = field(default_factory=list)
    #: Squashed text of everything outside the prose sections: where form markers are looked for.
    table_text: str = ""


def read_rows(document: Document) -> Layout:
    return _RowReader().read(document)


def split_label(text: str) -> tuple[str, list[str]]:
    """A line of running text as label and the figures that end it: 「规章 0 0 0」."""
    tokens = text.split()
    start = len(tokens)
    while start and is_value(tokens[start - 1]):
        start -= 1
    return " ".join(tokens[:start]), tokens[start:]


def label_and_figures(cells: list[str]) -> tuple[str, list[str]]:
    """A grid row as label (every cell up to the last non-figure) and the cells after it."""
    last_label = -1
    for index, cell in enumerate(cells):
        if cell and not is_value(cell):
            last_label = index
    return "".join(cells[: last_label + 1]), cells[last_label + 1 :]


class _RowReader:
    def __init__(self):
        self.layout = Layout()
        self.section: str | None = None
        self.table: str | None = None
        self.pending: list[str] = []
        self.prose: dict[str, list[str]] = {}
        self.table_text: list[str] = []
        self.opening: list[str] = []
        self.after_row = False
        #: How many tables and lines of text the document has shown so far: a cell's place counts them.
        self.tables = 0
        self.lines = 0

    def read(self, document: Document) -> Layout:
        for block in document.blocks:
            if isinstance(block, Paragraph):
                self.lines += 1
                self.paragraph(block.text, block.printed)
            else:
                self.tables += 1
                self.grid(block)
        self.layout.sections = {key: "\n".join(lines) for key, lines in self.prose.items()}
        self.layout.table_text = "".join(self.table_text)
        self.layout.title_lines.extend(_wrapped_titles(self.opening))
        return self.layout

    def in_prose(self) -> bool:
        return self.section is not None and self.section not in TABLE_MARKERS

    def enter(self, section: str) -> None:
        self.section = section
        self.table = section if section in TABLE_MARKERS else None
        self.pending = []
        self.after_row = False

    def paragraph(self, text: str, printed: PrintedLine | None = None) -> None:
        if len(self.opening) < OPENING_LINES:
            self.opening.append(text)
        section = heading_section(text)
        if section and (self.section is None or SECTION_KEYS.index(section) > SECTION_KEYS.index(self.section)):
            self.enter(section)
            return
        if is_title_line(text):
            self.layout.title_lines.append(readable(text))
            return
        label, values = split_label(tidy(text))
        if self.in_prose():
            # A row of a table whose heading was not recognised ends the prose.
            found = recognise_row(None, squash(label)) if values and label else None
            if found is None:
                self.prose.setdefault(self.section, []).append(readable(text))
                return
            self.enter(found[0])
        self.row(label, values, text, places=self.line_places(text, len(values), printed))

    def line_places(self, text: str, count: int, printed: PrintedLine | None) -> list[Place]:
        """The places of the last `count` tokens of the current line: the line, the token's position on it, and
        where it was printed."""
        tokens = tidy(text).split()
        located = printed.located(tokens) if printed else [None] * len(tokens)
        first = len(tokens) - count
        return [
            Place(line=self.lines, column=first + index + 1, printed=located[first + index]) for index in range(count)
        ]

    def grid(self, grid: Grid) -> None:
        text = "".join(squash(cell) for row in grid.rows for cell in row if cell)
        kind = self.marked_table(text)
        if self.in_prose():
            if kind is None:
                for row in grid.rows:
                    self.prose.setdefault(self.section, []).append(readable(" ".join(cell for cell in row if cell)))
                return
            self.enter(kind)
        elif kind:
            self.table = kind
        headed = HEADED_GRID.search(text)
        header_rows: list[list[str | None]] = []
        under_header = False
        for number, row in enumerate(grid.rows, 1):
            cells = [cell for cell in row if cell is not None]
            if len([cell for cell in cells if cell]) == 1 and heading_section(next(filter(None, cells))):
                self.paragraph(next(filter(None, cells)))
                continue
            label, values = label_and_figures(cells)
            if headed and not any(values):
                # Rows without figures after rows with figures start the next table's header.
                header_rows = [*header_rows, row] if not under_header else [row]
            under_header = headed and any(values)
            headings = (header_rows, row) if headed and any(values) else (None, None)
            self.row(label, values, "\t".join(cells), headings, self.grid_places(grid, number, len(values)))

    def grid_places(self, grid: Grid, number: int, count: int) -> list[Place]:
        """The places of the last `count` cells of the grid's row `number`."""
        if not count:
            return []
        row = grid.rows[number - 1]
        printed = grid.printed[number - 1] if grid.printed and len(grid.printed) >= number else None
        columns = [column for column, cell in enumerate(row) if cell is not None][-count:]
        if printed is None:
            return [Place(self.tables, number, column + 1) for column in columns]
        return [
            Place(self.tables, number, column + 1, None, printed[column] if column < len(printed) else None)
            for column in columns
        ]

    def row(
        self, label: str, values: list[str], source: str, headings: tuple = (None, None), places: list | None = None
    ) -> None:
        label = squash(label)
        self.table_text.append(label)
        if not any(values):
            self.table = self.marked_table(label) or self.table
            self.pending.append(label)
            # The oldest lines go first, whole: the lines held stay lines, each naming at most its row.
            while len(self.pending) > 1 and sum(map(len, self.pending)) > MAX_PENDING:
                self.pending.pop(0)
            self.pending[-1] = self.pending[-1][-MAX_PENDING:]
            self.after_row = False
            return
        held = "".join(self.pending)
        continues = self.after_row and not held and not label
        self.layout.rows.append(
            LabelledRow(
                self.table,
                held + label,
                values,
                tidy(source),
                len(held),
                continues,
                *headings,
                list(self.pending),
                places or [],
            )
        )
        self.pending = []
        self.after_row = True

    @staticmethod
    def marked_table(text: str) -> str | None:
        for key, marker in TABLE_MARKERS.items():
            if marker.search(text):
                return key
        return None


#: Grids whose value cells are read by the headings over their columns (table 四's results).
HEADED_GRID = re.compile(r"结果维持|结果纠正|尚未审结")


def column_headings(header_rows: list[list[str | None]], row: list[str | None]) -> list[str | None]:
    """The headings over each cell of `row` (a grid row, None where a cell spans on), from the
    header rows above it: a cell's heading is what every header row prints over all its columns."""
    spans = []
    for start, cell in enumerate(row):
        if cell is not None:
            spans.append([start])
        elif spans:
            spans[-1].append(start)
    headings = []
    for columns in spans:
        over = {"".join(_header_over(header, column) for header in header_rows) for column in columns}
        headings.append(over.pop() if len(over) == 1 else None)
    return headings


def _header_over(header: list[str | None], column: int) -> str:
    """The text of the header cell covering `column` (a spanning cell is None after its first column)."""
    if column >= len(header):  # the header row is narrower: nothing is printed over this column
        return ""
    for index in range(column, -1, -1):
        if header[index] is not None:
            return squash(header[index])
    return ""


def _wrapped_titles(opening: list[str]) -> list[str]:
    """Titles printed over two lines: 「…年度报」 「告」, or 「某局」 「2022年…年度报告」."""
    found = []
    for first, second in zip(opening, opening[1:]):
        if is_title_line(first) or len(squash(first)) > MAX_HEADING or heading_section(first):
            continue
        alone = read_title(second) if is_title_line(second) else None
        if (alone is None or alone.agency is None) and is_title_line(first + second):
            found.append(readable(first + second))
    return found
