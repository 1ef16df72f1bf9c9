"""A scanned page read: ruled tables cell by cell, the rest line by line.

Tables are found from their ruling (`ruled`) and become grids exactly as a
text-layer PDF's tables do (merged cells repeated down their rows, None
across their columns, the columns' left edges kept to join a table cut by a
page break). Each cell is cut into its lines of text by the blank rows between
them and each line read by the recognition model alone: no detection inside
a table, the costliest step of OCR. Text outside the tables is found by the
detection model and rebuilt into lines (`ocr.ocr_lines`), which also serves
forms printed without ruling.
"""

from collections.abc import Callable

import numpy

from gxcrawl.cells import UNREADABLE
from gxcrawl.documents.model import Grid, Printed, enclosing
from gxcrawl.documents.ocr import figure_cell, is_figure_like, ocr_lines, read_crops
from gxcrawl.documents.recognise import Reading
from gxcrawl.documents.ruled import Table, find_tables, ink, ruling, skew

#: Pages are read at most this many pixels wide (about 150 dpi on A4): more costs time, not accuracy.
MAX_WIDTH = 1300
#: Pages turned by less than this (degrees) are read as they are: a table's lines stay within a pixel.
MIN_SKEW = 0.05
#: Pixels (odd) of a ruling line's fringe removed with it.
FRINGE = 5
#: Lines within a cell closer than this share of a line's height are one line (the strokes of 三).
LINE_GAP = 0.25
#: A run of ink rows no taller than this share of a line's height joins its neighbour.
JOIN_HEIGHT = 1.3
#: Blank margin around a line's ink, as a share of its height, as the detection model would leave.
PAD = 0.2
#: Specks smaller than this many pixels are noise, not text.
MIN_INK = 4


def read_page(
    gray: numpy.ndarray,
    page_number: int = 1,
    points_per_pixel: float = 1.0,
    make_grid: Callable[[list, list, list[float]], Grid] = lambda rows, printed, _: Grid(rows, printed),
) -> tuple[list, list[str]]:
    """(top, bottom, line or grid) of a grey page image, tops and bottoms as shares of its
    height, in reading order; and warnings. Grids are made by `make_grid(rows, printed, column_edges)`,
    the edges in points (`points_per_pixel` converts), for joining tables across pages. Where each
    cell and word was printed is in points too (in the image's own pixels for a scanned image), in the
    page as straightened: within a few points of the page as published, as scans turn by a degree or so."""
    import cv2

    if gray.shape[1] > MAX_WIDTH:
        scale = MAX_WIDTH / gray.shape[1]
        gray = cv2.resize(gray, (MAX_WIDTH, int(gray.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        points_per_pixel /= scale
    gray, binary, horizontal, vertical = _straightened(gray)
    # The ruling widened by its grey, anti-aliased fringe: what is left of a line beside a cell's
    # text would read as a dash (a minus) or a 1.
    drawn = cv2.dilate(horizontal | vertical, numpy.ones((FRINGE, FRINGE), numpy.uint8))
    text_ink = binary & ~drawn
    clean = numpy.where(drawn > 0, 255, gray).astype(numpy.uint8)
    warnings: list[str] = []
    items: list = []
    outside = gray.copy()  # not `clean`: long strokes of a bold title pass for ruling
    for table in find_tables(horizontal, vertical):
        rows, problems = _table_rows(table, text_ink, clean)
        warnings.extend(problems)
        edges = [x * points_per_pixel for x in table.xs[:-1]]
        items.append(
            (table.box[1], table.box[3], make_grid(rows, _printed(table, page_number, points_per_pixel), edges))
        )
        x0, y0, x1, y1 = table.box
        outside[y0 : y1 + 1, x0 : x1 + 1] = 255
    lines, problems = ocr_lines(outside, page_number, points_per_pixel)
    warnings.extend(problems)
    items.extend(lines)
    items.sort(key=lambda item: item[0])
    height = gray.shape[0] or 1
    return [(top / height, bottom / height, payload) for top, bottom, payload in items], warnings


def _straightened(gray: numpy.ndarray) -> tuple[numpy.ndarray, ...]:
    """The page turned back where it was scanned askew: (grey, ink, horizontal and vertical ruling)."""
    import cv2

    binary = ink(gray)
    horizontal, vertical = ruling(gray)
    angle = skew(horizontal)
    if abs(angle) <= MIN_SKEW:
        return gray, binary, horizontal, vertical
    turn = cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), angle, 1.0)
    gray = cv2.warpAffine(gray, turn, (gray.shape[1], gray.shape[0]), flags=cv2.INTER_LINEAR, borderValue=255)
    binary = ink(gray)
    return (gray, binary, *ruling(gray))


def _table_rows(table: Table, text_ink: numpy.ndarray, clean: numpy.ndarray) -> tuple[list, list[str]]:
    """The table's grid of cell texts, each cell's lines read; and warnings."""
    inset = max(2, (table.xs[-1] - table.xs[0]) // 300)
    cell_lines = []
    for cell in table.cells:
        x0, y0, x1, y1 = cell.box
        box = (x0 + inset, y0 + inset, x1 - inset, y1 - inset)
        cell_lines.append((box, _runs(text_ink[box[1] : box[3], box[0] : box[2]])))
    heights = sorted(bottom - top for _, runs in cell_lines for top, bottom in runs)
    line_height = heights[3 * len(heights) // 4] if heights else 0
    crops, owners = [], []
    for index, (box, runs) in enumerate(cell_lines):
        for top, bottom in _joined(runs, line_height):
            crop = _line_crop(text_ink, clean, box, top, bottom)
            if crop is not None:
                crops.append(crop)
                owners.append(index)
    readings = read_crops(crops)
    parts: list[list[Reading]] = [[] for _ in table.cells]
    for owner, reading in zip(owners, readings):
        parts[owner].append(reading)
    warnings: list[str] = []
    texts = []
    for lines in parts:
        text, problem = figure_cell(lines[0]) if len(lines) == 1 else _lines_cell(lines)
        if problem:
            warnings.append(problem)
        texts.append(text)
    return _grid(table, texts), warnings


def _lines_cell(lines: list[Reading]) -> tuple[str, str | None]:
    """A cell of several lines: a label, wrapped. Figures are printed on one line: one that seems
    wrapped is more likely a speck above a figure (「.」 over 「7」) than a figure."""
    text = "".join(line.text for line in lines).strip()
    if is_figure_like(text):
        return UNREADABLE, (
            f"OCR read a figure as {text!r} over {len(lines)} lines of its cell; it is treated as unreadable"
        )
    return text, None


def _runs(ink: numpy.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) of the runs of rows holding ink."""
    counts = (ink > 0).sum(axis=1)
    rows = numpy.flatnonzero(counts > 0)
    runs: list[list[int]] = []
    for row in rows:
        if runs and row - runs[-1][1] <= 2:
            runs[-1][1] = row + 1
        else:
            runs.append([row, row + 1])
    return [(top, bottom) for top, bottom in runs if counts[top:bottom].sum() >= MIN_INK]


def _joined(runs: list[tuple[int, int]], line_height: int) -> list[tuple[int, int]]:
    """Runs joined into lines of text: a character's separate strokes (三, 二) are one line."""
    lines: list[list[int]] = []
    for top, bottom in runs:
        if lines and (
            top - lines[-1][1] < LINE_GAP * line_height or bottom - lines[-1][0] <= JOIN_HEIGHT * line_height
        ):
            lines[-1][1] = bottom
        else:
            lines.append([top, bottom])
    return [(top, bottom) for top, bottom in lines]


def _line_crop(text_ink, clean, box, top, bottom) -> numpy.ndarray | None:
    """One line of a cell cut out with a margin, as the detection model would have cut it."""
    x0, y0, x1, y1 = box
    columns = numpy.flatnonzero(text_ink[y0 + top : y0 + bottom, x0:x1].any(axis=0))
    if not len(columns):
        return None
    height = bottom - top
    pad = max(2, int(PAD * height))
    left, right = x0 + columns[0], x0 + columns[-1] + 1
    return clean[max(0, y0 + top - pad) : y0 + bottom + pad, max(0, left - 2 * pad) : right + 2 * pad]


def _printed(table: Table, page_number: int, points_per_pixel: float) -> list[list[Printed | None]]:
    """Where each position of the table's grid was printed: the box of the cell covering it, in points."""
    printed: list[list[Printed | None]] = [[None] * (len(table.xs) - 1) for _ in range(len(table.ys) - 1)]
    for cell in table.cells:
        where = Printed(page_number, enclosing([tuple(value * points_per_pixel for value in cell.box)]))
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.column, cell.column + cell.columns):
                printed[r][c] = where
    return printed


def _grid(table: Table, texts: list[str]) -> list[list[str | None]]:
    """The table as a grid: a merged cell's text repeated down its rows, None across its columns."""
    rows, columns = len(table.ys) - 1, len(table.xs) - 1
    grid: list[list[str | None]] = [[""] * columns for _ in range(rows)]
    for cell, text in zip(table.cells, texts):
        for r in range(cell.row, cell.row + cell.rows):
            grid[r][cell.column] = text
            for c in range(cell.column + 1, cell.column + cell.columns):
                grid[r][c] = None
    return grid
