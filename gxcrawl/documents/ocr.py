"""Scanned reports: text boxes from OCR rebuilt into lines and cells.

RapidOCR (PaddleOCR's models on ONNX Runtime, shipped inside the package, run
offline) finds text boxes and reads them. Boxes are grouped into lines by
their vertical centres and, within a line, separated by a tab where the gap
is wide, so that a table's row reaches the parser as cells. A box that looks
like a figure but was read with low confidence becomes the «unreadable» cell
(`cells.UNREADABLE`): its figure is null with a warning, never a guess.
"""

import io
import re
import threading
import warnings
from functools import lru_cache

from gxcrawl.cells import UNREADABLE
from gxcrawl.documents.model import Document, DocumentError
from gxcrawl.documents.text import text_blocks

#: Below this confidence a box that looks like a figure is not trusted.
MIN_FIGURE_CONFIDENCE = 0.8
#: Images are scaled down to this many pixels on their longer side.
MAX_SIDE = 4000
#: Images larger than this (pixels) are refused: a decompression bomb, not a scan.
MAX_PIXELS = 80_000_000
_FIGURE_LIKE = re.compile(r"^[\d\s,.，．+\-—–/０-９]+[万元件]*$")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as error:
        raise DocumentError("reading scanned reports needs the OCR engine: pip install rapidocr-onnxruntime") from error
    return RapidOCR()


def read_image(data: bytes) -> Document:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # the size is checked below, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
        if image.width * image.height > MAX_PIXELS:
            raise DocumentError(f"the image is too large to be a scanned page ({image.width}×{image.height} "
                                f"pixels, over the {MAX_PIXELS:,} cap)")
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise DocumentError(f"the image could not be decoded ({error})") from error
    lines, problems = ocr_lines(image)
    if not lines:
        raise DocumentError("OCR found no text in the image")
    return Document("image", text_blocks(text for _, _, text in lines), warnings=problems)


def ocr_lines(image) -> tuple[list[tuple[float, float, str]], list[str]]:
    """(top, bottom, text) lines of an image, cells separated by tabs, and warnings."""
    import numpy

    image = image.convert("RGB")
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    with _lock:  # one engine, not thread-safe
        result, _ = _engine()(numpy.asarray(image)[:, :, ::-1], use_cls=False)
    boxes = []
    problems = []
    for points, text, confidence in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        text = text.strip()
        if _FIGURE_LIKE.match(text) and float(confidence) < MIN_FIGURE_CONFIDENCE:
            problems.append(f"OCR read a figure as {text!r} with confidence {float(confidence):.2f}; "
                            "it is treated as unreadable")
            text = UNREADABLE
        boxes.append((min(xs), min(ys), max(xs), max(ys), text))
    return _lines(boxes), problems


def _lines(boxes) -> list[tuple[float, float, str]]:
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
        lines.append((min(b[1] for b in row), max(b[3] for b in row), text))
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
    full = [[(box[0] + box[2]) / 2 for box in row if _is_figure(box[4])]
            for row, count in zip(block, counts) if count == widest]
    columns = [sorted(row[i] for row in full)[len(full) // 2] for i in range(widest)]
    for row, count in zip(block, counts):
        if not widest - 2 <= count < widest:
            continue
        taken = {min(range(widest), key=lambda i: abs(columns[i] - (box[0] + box[2]) / 2))
                 for box in row if _is_figure(box[4])}
        top, bottom = min(b[1] for b in row), max(b[3] for b in row)
        for i in set(range(widest)) - taken:
            row.append((columns[i] - median / 4, top, columns[i] + median / 4, bottom, UNREADABLE))
        row.sort(key=lambda b: b[0])


def _is_figure(text: str) -> bool:
    return text == UNREADABLE or _FIGURE_LIKE.match(text) is not None


def _centre(row) -> float:
    return sum((b[1] + b[3]) / 2 for b in row) / len(row)
