"""Scanned reports: images read by OCR, and text outside ruled tables rebuilt into lines.

An image is one scanned page (`scan.read_page`). Outside ruled tables,
RapidOCR's detection model finds the text boxes (on the page scaled down:
boxes need less resolution than characters) and the recognition model reads
them at full resolution (`recognise`). Boxes are grouped into lines by their
vertical centres and, within a line, separated by a tab where the gap is
wide, so that a table printed without ruling reaches the parser as cells. A
figure read without confidence becomes the «unreadable» cell
(`cells.UNREADABLE`): its figure is null with a warning, never a guess; one
with an unsure character becomes its alternative readings
(`cells.alternatives`), for the form's arithmetic to choose from.
"""

import io
import re
import warnings

import numpy

from gxcrawl.cells import UNREADABLE, alternatives
from gxcrawl.documents.model import Document, DocumentError, PrintedLine
from gxcrawl.documents.pdf import page_blocks
from gxcrawl.documents.recognise import Reading, engine, lock, read_lines

#: Below this probability that a figure is one of its readings (`Reading.covered`) it is not trusted.
MIN_FIGURE_CONFIDENCE = 0.8
#: Images larger than this (pixels) are refused: a decompression bomb, not a scan.
MAX_PIXELS = 80_000_000
#: Text boxes are detected on the page scaled to this width (the detection model's own size).
DETECTION_WIDTH = 736
#: Lines wider than this many times their height are prose: read narrowed (recognise.read_lines).
PROSE_RATIO = 5
PROSE_SQUEEZE = 0.5
#: Lines narrower than this many times their height, read as no figure, are read again this much wider.
SHORT = 2
WIDER = 1.25
#: Lines taller than this many times the page's usual line are headings, read at full width.
TALL = 1.3
#: What a figure is written with: a line read as one is read again among these only.
FIGURE_CHARACTERS = "0123456789０１２３４５６７８９ ,.，．+-—–/万元件"
_FIGURE_LIKE = re.compile(r"^[\d\s,.，．+\-—–/０-９]+[万元件]*$")


def read_image(data: bytes) -> Document:
    from PIL import Image, UnidentifiedImageError

    from gxcrawl.documents.scan import MAX_WIDTH, read_page

    try:
        with warnings.catch_warnings():  # the size is checked below, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
        if image.width * image.height > MAX_PIXELS:
            raise DocumentError(
                f"the image is too large to be a scanned page ({image.width}×{image.height} "
                f"pixels, over the {MAX_PIXELS:,} cap)"
            )
        # Decoded no larger than OCR reads it (MAX_WIDTH): a JPEG decodes straight to a smaller grey image, any
        # other is reduced before the page reader copies it (an 8900×8900 scan once took 1.3 GB).
        published_width = image.width
        image.draft("L", (MAX_WIDTH, max(1, MAX_WIDTH * image.height // max(image.width, 1))))
        gray = image.convert("L")
        if gray.width // MAX_WIDTH > 1:
            gray = gray.reduce(gray.width // MAX_WIDTH)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise DocumentError(f"the image could not be decoded ({error})") from error
    # Boxes in the image's own pixels, however much smaller it was decoded.
    items, problems = read_page(numpy.asarray(gray), 1, published_width / gray.width)
    if not items:
        raise DocumentError("OCR found no text in the image")
    return Document("image", page_blocks([[payload for _, _, payload in items]]), warnings=problems)


def ocr_lines(
    gray: numpy.ndarray, page_number: int = 1, points_per_pixel: float = 1.0
) -> tuple[list[tuple[float, float, PrintedLine]], list[str]]:
    """(top, bottom, line) lines of a grey image, cells separated by tabs, each word's box in points
    (`points_per_pixel` converts), and warnings."""
    import cv2

    scale = min(1.0, DETECTION_WIDTH / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    with lock():
        found, _ = engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    boxes = []
    for points in [] if found is None else found:
        xs = [p[0] / scale for p in points]
        ys = [p[1] / scale for p in points]
        boxes.append((max(0, int(min(xs))), max(0, int(min(ys))), int(max(xs)) + 1, int(max(ys)) + 1))
    readings = read_crops([gray[y0:y1, x0:x1] for x0, y0, x1, y1 in boxes])
    placed = []
    problems = []
    for box, reading in zip(boxes, readings):
        if not reading.text.strip():
            continue
        text, problem = figure_cell(reading)
        if problem:
            problems.append(problem)
        placed.append((*box, text))
    return _lines(placed, page_number, points_per_pixel), problems


def read_crops(crops: list[numpy.ndarray]) -> list[Reading]:
    """Each crop (one line of text) read; prose narrowed first, which reads as well in less time."""
    readings: list[Reading] = [Reading("", [])] * len(crops)
    heights = sorted(crop.shape[0] for crop in crops)
    usual = heights[len(heights) // 2] if heights else 0
    # Titles and headings are few and bold: narrowed, their strokes run together.
    prose = [PROSE_RATIO * crop.shape[0] < crop.shape[1] and crop.shape[0] <= TALL * usual for crop in crops]
    for squeeze, wanted in ((PROSE_SQUEEZE, True), (1.0, False)):
        chosen = [i for i, flag in enumerate(prose) if flag == wanted and min(crops[i].shape) > 1]
        for i, reading in zip(
            chosen, read_lines([crops[i] for i in chosen], squeeze, is_figure_like, FIGURE_CHARACTERS)
        ):
            readings[i] = reading
    # A lone character is read with no context, and now and then as a letter (「N」 for 「2」);
    # at another width it reads as it is. A label stays a label at any width.
    again = [
        i
        for i, crop in enumerate(crops)
        if crop.shape[1] < SHORT * crop.shape[0] and not is_figure_like(readings[i].text.strip())
    ]
    for i, reading in zip(again, read_lines([crops[i] for i in again], WIDER, is_figure_like, FIGURE_CHARACTERS)):
        if is_figure_like(reading.text.strip()):
            readings[i] = reading
    return readings


def figure_cell(reading: Reading) -> tuple[str, str | None]:
    """The cell a reading makes, and why it is not plain text: a figure read without confidence
    is unreadable, one with unsure characters is its alternative readings."""
    text = reading.text.strip()
    if not _FIGURE_LIKE.match(text):
        return text, None
    if reading.doubtful or reading.covered < MIN_FIGURE_CONFIDENCE:
        return UNREADABLE, (
            f"OCR read a figure as {text!r} with confidence {reading.covered:.2f}; it is treated as unreadable"
        )
    others = [other.strip() for other in reading.alternatives if _FIGURE_LIKE.match(other.strip())]
    if others:
        return alternatives([text, *others]), None
    return text, None


def _lines(boxes, page_number: int, points_per_pixel: float) -> list[tuple[float, float, PrintedLine]]:
    """Boxes grouped into lines by their vertical centres, cells by gaps and columns."""
    if not boxes:
        return []
    heights = sorted(box[3] - box[1] for box in boxes)
    median = heights[len(heights) // 2] or 10.0
    rows: list[list[tuple]] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        centre = (box[1] + box[3]) / 2
        if rows and abs(centre - _centre(rows[-1])) <= 0.5 * median:
            rows[-1].append(box)
        else:
            rows.append([box])
    for row in rows:
        row.sort(key=lambda b: b[0])
    _fill_missed_figures(rows, median)
    lines = []
    for row in rows:
        text = row[0][4]
        for previous, box in zip(row, row[1:]):
            # Figures in neighbouring columns can stand closer than words of a label.
            apart = box[0] - previous[2] > 0.8 * median or _is_figure(box[4]) or _is_figure(previous[4])
            text += ("\t" if apart else "") + box[4]
        words = [(box[4], tuple(value * points_per_pixel for value in box[:4])) for box in row]
        lines.append((min(b[1] for b in row), max(b[3] for b in row), PrintedLine(text, page_number, words)))
    return lines


def _fill_missed_figures(rows: list[list[tuple]], median: float) -> None:
    """Where OCR missed a figure in a row of a wide table, put the unreadable cell in its column.

    Without it the row's other figures would move one column to the left.
    The columns are those of the table's fullest rows: a block of rows with
    figures, a few rows without them (headers, wrapped labels) allowed between.
    """
    block: list[list[tuple]] = []
    quiet = 0
    for row in rows + [None]:
        if row is not None and any(_is_figure(box[4]) for box in row):
            block.append(row)
            quiet = 0
            continue
        quiet += 1
        if row is not None and quiet <= MAX_QUIET_ROWS:
            continue
        _fill_block(block, median)
        block = []


MAX_QUIET_ROWS = 4
#: Only tables this wide (table 三: 7, table 四: 15) have columns to fill; table 二's rows differ in width.
MIN_COLUMNS_TO_FILL = 5


def _fill_block(block: list[list[tuple]], median: float) -> None:
    counts = [sum(_is_figure(box[4]) for box in row) for row in block]
    if not counts or max(counts) < MIN_COLUMNS_TO_FILL:
        return
    widest = max(counts)
    full = [
        [(box[0] + box[2]) / 2 for box in row if _is_figure(box[4])]
        for row, count in zip(block, counts)
        if count == widest
    ]
    columns = [sorted(row[i] for row in full)[len(full) // 2] for i in range(widest)]
    for row, count in zip(block, counts):
        if not widest - 2 <= count < widest:
            continue
        taken = {
            min(range(widest), key=lambda i: abs(columns[i] - (box[0] + box[2]) / 2))
            for box in row
            if _is_figure(box[4])
        }
        top, bottom = min(b[1] for b in row), max(b[3] for b in row)
        for i in set(range(widest)) - taken:
            row.append((columns[i] - median / 4, top, columns[i] + median / 4, bottom, UNREADABLE))
        row.sort(key=lambda b: b[0])


#: Letters the recognition model reads where a figure is printed (「o」 for 「0」, 「l」 for 「1」):
#: a line of them is read again as a figure.
LOOKALIKES = str.maketrans("oO〇○lI|", "0000111")


def is_figure_like(text: str) -> bool:
    """Whether a reading looks like a figure, letters that pass for digits included."""
    return _FIGURE_LIKE.match(text.translate(LOOKALIKES)) is not None


def _is_figure(text: str) -> bool:
    return text == UNREADABLE or _FIGURE_LIKE.match(text) is not None


def _centre(row) -> float:
    return sum((b[1] + b[3]) / 2 for b in row) / len(row)
