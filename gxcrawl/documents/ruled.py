"""Ruled tables in a page image: ruling lines found, the grid of cells rebuilt.

A scanned form is a grid drawn with lines. Lines are what morphology finds
best: opening the binarised page with a long thin kernel keeps the strokes
longer than any glyph. Each cluster of crossing lines is one table; its rows
and columns are the distinct positions of its horizontal and vertical lines,
and two neighbouring grid cells belong to one merged cell where the line
between them is not drawn. Knows nothing of OCR or of reports.
"""

from dataclasses import dataclass

import cv2
import numpy

#: Grey levels darker than this are ink (scans are grey, shading of header rows is lighter).
INK = 160
#: A faint line is this much darker (grey levels) than the mean of the block around it (pixels).
FAINT_CONTRAST = 20
FAINT_BLOCK = 15
#: A ruling line is at least this long, as a share of the page's width (longer than any glyph).
MIN_LINE = 0.025
#: Pixels (at the page's resolution, as a share of its width) within which two lines are one.
MERGE = 0.004
#: The share of a grid cell's side a line must cover for the cells on its two sides to be apart.
DRAWN = 0.6
#: Lines at least this long (a share of the page's width) tell how the page is turned.
SKEW_LINE = 0.25
#: A table has at least this many columns (a framed paragraph is no table; a table's last row,
#: alone on the next page, is one).
MIN_COLUMNS = 2
#: A table is at least this wide, as a share of the page's width.
MIN_TABLE = 0.15


@dataclass
class Cell:
    """One cell of a table, merged cells whole: its grid span and its box in pixels."""

    row: int
    column: int
    rows: int
    columns: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1, inside the ruling


@dataclass
class Table:
    box: tuple[int, int, int, int]
    #: The x positions of the column edges and the y positions of the row edges, in pixels.
    xs: list[int]
    ys: list[int]
    cells: list[Cell]


def ink(gray: numpy.ndarray) -> numpy.ndarray:
    """The page's ink as 255 on 0: darker than INK, or no lighter than Otsu's threshold (ink and
    paper apart) where that is darker, as on a dark scan."""
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return numpy.where(gray <= min(INK - 1, otsu), 255, 0).astype(numpy.uint8)


def ruling(gray: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(horizontal, vertical) masks of the page's ruling lines. Lines are looked for in what is
    darker than its surroundings, not only in ink: a thin line on a grey, noisy scan is faint."""
    binary = ink(gray) | cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, FAINT_BLOCK, FAINT_CONTRAST
    )
    length = max(8, int(MIN_LINE * binary.shape[1]))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return horizontal, vertical


def skew(horizontal: numpy.ndarray) -> float:
    """The angle (degrees, counter-clockwise) a page is turned by, from its long horizontal
    lines; 0 where it has none. Scanners and cameras turn pages by a degree or so, which
    breaks a table's rows into steps."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal)
    angles, weights = [], []
    for label in range(1, count):
        if stats[label][2] < SKEW_LINE * horizontal.shape[1]:
            continue
        ys, xs = numpy.nonzero(labels == label)
        slope = numpy.polyfit(xs, ys, 1)[0]
        angles.append(numpy.degrees(numpy.arctan(slope)))
        weights.append(stats[label][2])
    if not angles:
        return 0.0
    order = numpy.argsort(angles)
    middle = numpy.searchsorted(numpy.cumsum(numpy.array(weights)[order]), sum(weights) / 2)
    return float(numpy.array(angles)[order][middle])


def find_tables(horizontal: numpy.ndarray, vertical: numpy.ndarray) -> list[Table]:
    """The ruled tables of a page, top to bottom, from its ruling (`ruling`)."""
    joined = cv2.dilate(horizontal | vertical, numpy.ones((5, 5), numpy.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    width = horizontal.shape[1]
    merge = max(2, int(MERGE * width))
    tables = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if w < MIN_TABLE * width:  # a bold glyph of a title, not a table
            continue
        box = (x, y, x + w, y + h)
        table = _table(horizontal[y : y + h, x : x + w], vertical[y : y + h, x : x + w], merge)
        if table is not None:
            tables.append(_moved(table, x, y, box))
    return sorted(tables, key=lambda table: table.box[1])


def _table(horizontal: numpy.ndarray, vertical: numpy.ndarray, merge: int) -> Table | None:
    ys = _positions(horizontal, axis=1, merge=merge)
    xs = _positions(vertical, axis=0, merge=merge)
    if not xs or not ys:
        return None
    # A table cut by a page break has no line where the page ends: its vertical lines close it.
    rows_with_verticals = numpy.flatnonzero(vertical.any(axis=1))
    ys = _closed(ys, int(rows_with_verticals[0]), int(rows_with_verticals[-1]), merge)
    columns_with_horizontals = numpy.flatnonzero(horizontal.any(axis=0))
    xs = _closed(xs, int(columns_with_horizontals[0]), int(columns_with_horizontals[-1]), merge)
    if len(xs) < MIN_COLUMNS + 1 or len(ys) < 2:
        return None
    return Table((0, 0, 0, 0), xs, ys, _cells(horizontal, vertical, xs, ys, merge))


def _positions(mask: numpy.ndarray, axis: int, merge: int) -> list[int]:
    """The positions of the lines of a mask across `axis`: runs of rows (columns) holding line pixels."""
    length = mask.shape[axis]
    profile = (mask > 0).sum(axis=axis)
    # A line is long; glyph strokes that survive the opening are short.
    present = numpy.flatnonzero(profile >= max(8, 0.05 * length))
    positions: list[list[int]] = []
    for value in present:
        if positions and value - positions[-1][-1] <= merge:
            positions[-1].append(int(value))
        else:
            positions.append([int(value)])
    return [(run[0] + run[-1]) // 2 for run in positions]


def _closed(positions: list[int], first: int, last: int, merge: int) -> list[int]:
    if not positions or positions[0] - first > 2 * merge:
        positions = [first] + positions
    if positions[-1] < last - 2 * merge:
        positions = positions + [last]
    return positions


def _cells(horizontal, vertical, xs, ys, merge) -> list[Cell]:
    rows, columns = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * columns))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a, b):
        parent[root(a)] = root(b)

    for r in range(rows):
        for c in range(columns):
            if c + 1 < columns and not _drawn(
                vertical[ys[r] + merge : ys[r + 1] - merge, xs[c + 1] - merge : xs[c + 1] + merge + 1], axis=0
            ):
                union(r * columns + c, r * columns + c + 1)
            if r + 1 < rows and not _drawn(
                horizontal[ys[r + 1] - merge : ys[r + 1] + merge + 1, xs[c] + merge : xs[c + 1] - merge], axis=1
            ):
                union(r * columns + c, (r + 1) * columns + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(columns):
            groups.setdefault(root(r * columns + c), []).append((r, c))
    cells = []
    for members in groups.values():
        r0, c0 = min(r for r, _ in members), min(c for _, c in members)
        r1, c1 = max(r for r, _ in members) + 1, max(c for _, c in members) + 1
        cells.append(Cell(r0, c0, r1 - r0, c1 - c0, (xs[c0], ys[r0], xs[c1], ys[r1])))
    return sorted(cells, key=lambda cell: (cell.row, cell.column))


def _drawn(strip: numpy.ndarray, axis: int) -> bool:
    """Whether a line runs along most of a strip (axis 0: a vertical line, 1: horizontal)."""
    if strip.size == 0:
        return True
    covered = (strip > 0).any(axis=1 - axis)
    return covered.mean() >= DRAWN


def _moved(table: Table, x: int, y: int, box) -> Table:
    cells = [
        Cell(
            cell.row,
            cell.column,
            cell.rows,
            cell.columns,
            (cell.box[0] + x, cell.box[1] + y, cell.box[2] + x, cell.box[3] + y),
        )
        for cell in table.cells
    ]
    return Table(box, [value + x for value in table.xs], [value + y for value in table.ys], cells)
