"""A PDF page's characters, ruling and images, read by PDFium, for pdfplumber's table finder.

pdfplumber reads pages through pdfminer, whose pure-Python interpretation of
content streams costs about a tenth of a second per page of a report (CJK font
subsets, hundreds of ruling rectangles). PDFium (pypdfium2, which pdfplumber
itself depends on) reads the same in about a hundredth. This module gives
pdfplumber's `TableFinder` what it looks at, a page's `edges` and `bbox`, and
gives the PDF reader characters and words in pdfplumber's shape (x0, x1,
top, bottom, text; top-left origin, in points), on the page as it is shown:
its crop box, turned by its /Rotate, as PDFium renders it.
"""

from functools import cached_property

import pypdfium2
import pypdfium2.raw as pdfium_c

#: Characters closer than this (points) on a line belong to one word.
WORD_GAP = 3.0
#: The most pixels a page is rendered to (40 MP: an A0 sheet at 150 dpi is 35 MP).
MAX_RENDER_PIXELS = 40_000_000
#: A path thinner than this (points) is a ruling line.
THIN = 3.0


class PdfiumPage:
    def __init__(self, page: pypdfium2.PdfPage, page_number: int):
        self.page = page
        self.page_number = page_number
        self.width = page.get_width()
        self.height = page.get_height()
        self.bbox = (0, 0, self.width, self.height)

    @cached_property
    def _frame(self) -> tuple[float, float, float, float, int]:
        left, bottom, right, top = self.page.get_cropbox()
        return left, top, right - left, top - bottom, self.page.get_rotation() % 360

    def shown(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """A box of the page's own space (PDF's: bottom-left origin, before /Rotate) as the page is shown: x0, top,
        x1, bottom from the top-left corner of its crop box, turned clockwise by its /Rotate."""
        origin_x, origin_top, width, height, rotation = self._frame
        x0, x1, y0, y1 = left - origin_x, right - origin_x, origin_top - top, origin_top - bottom
        if rotation == 90:
            return height - y1, x0, height - y0, x1
        if rotation == 180:
            return width - x1, height - y1, width - x0, height - y0
        if rotation == 270:
            return y0, width - x1, y1, width - x0
        return x0, y0, x1, y1

    @cached_property
    def chars(self) -> list[dict]:
        textpage = self.page.get_textpage()
        try:
            chars = []
            for index in range(textpage.count_chars()):
                if pdfium_c.FPDFText_IsGenerated(textpage.raw, index):
                    continue
                text = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
                if not text.strip() and text != " ":
                    continue
                x0, top, x1, bottom = self.shown(*textpage.get_charbox(index, loose=True))
                chars.append({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom})
            return chars
        finally:
            textpage.close()

    @cached_property
    def edges(self) -> list[dict]:
        """Ruling as pdfplumber's edges: a thin path is one line, a larger one the four sides of a box."""
        edges = []
        for path in self.page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=8):
            left, top, right, bottom = self.shown(*path.get_bounds())
            if right - left < THIN and bottom - top >= THIN:
                edges.append(_edge("v", (left + right) / 2, (left + right) / 2, top, bottom))
            elif bottom - top < THIN and right - left >= THIN:
                edges.append(_edge("h", left, right, (top + bottom) / 2, (top + bottom) / 2))
            elif right - left >= THIN:
                edges += [
                    _edge("h", left, right, top, top),
                    _edge("h", left, right, bottom, bottom),
                    _edge("v", left, left, top, bottom),
                    _edge("v", right, right, top, bottom),
                ]
        return edges

    @cached_property
    def images(self) -> int:
        return sum(1 for _ in self.page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=8))

    def extract_words(self) -> list[dict]:
        """Characters joined into words: split at spaces and at gaps wider than WORD_GAP."""
        lines: list[list[dict]] = []
        for char in sorted(self.chars, key=lambda ch: ch["top"]):
            if lines and char["top"] - lines[-1][0]["top"] < 0.5 * (char["bottom"] - char["top"]):
                lines[-1].append(char)
            else:
                lines.append([char])
        words: list[dict] = []
        for line in lines:
            current: list[dict] = []
            for char in sorted(line, key=lambda ch: ch["x0"]):
                if current and (char["text"] == " " or char["x0"] - current[-1]["x1"] > WORD_GAP):
                    words.append(_word(current))
                    current = []
                if char["text"] != " ":
                    current.append(char)
            if current:
                words.append(_word(current))
        return words

    def find_tables(self, settings: dict | None = None):
        from pdfplumber.table import TableFinder

        return TableFinder(self, settings or {}).tables

    def render(self, dpi: float):
        """The page as a PIL image, for OCR, at `dpi` or less: never more than MAX_RENDER_PIXELS, however large
        the page says it is (a 20000×20000 pt page, a /UserUnit of 75). Returns (image, dots per inch used)."""
        width, height = self.page.get_size()  # in points, the page's UserUnit applied
        pixels = max(width * height, 1) * (dpi / 72) ** 2
        if pixels > MAX_RENDER_PIXELS:
            dpi *= (MAX_RENDER_PIXELS / pixels) ** 0.5
        return self.page.render(scale=dpi / 72).to_pil(), dpi


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "object_type": "line",
    }


def _word(chars: list[dict]) -> dict:
    return {
        "text": "".join(ch["text"] for ch in chars),
        "x0": chars[0]["x0"],
        "x1": chars[-1]["x1"],
        "top": min(ch["top"] for ch in chars),
        "bottom": max(ch["bottom"] for ch in chars),
    }
