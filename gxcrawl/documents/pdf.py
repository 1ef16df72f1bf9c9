"""PDF attachments: PDFium reads the pages, pdfplumber finds the tables.

Tables drawn with ruling lines become grids from their cells' boxes (a merged
cell's box covers several rows or columns, and is expanded like an HTML span);
text outside them becomes lines, with wide gaps between words kept as tabs so
that tables printed without ruling are rebuilt from word positions. Lines a
viewer printed on every page (the date and title at the top, page numbers at
the bottom) are dropped, and a table cut by a page break is joined again.
Pages that carry no text but an image are scans: they are read by OCR
(`scan.read_page`), their ruled tables becoming grids like those of text pages.
Every cell and line keeps its page and its box on it (in points), so that a
figure can be shown where it was printed.
"""

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from gxcrawl.cells import is_value
from gxcrawl.documents.model import Document, DocumentError, Grid, Paragraph, Printed, PrintedLine, enclosing
from gxcrawl.documents.text import text_blocks

#: Reports run to a dozen pages; a PDF much longer is rarely one report.
DEFAULT_MAX_PAGES = 60
#: A page with fewer characters than this but with an image is a scan.
MIN_TEXT_CHARS = 20
#: The share of the page height at the top and at the bottom where furniture lives.
MARGIN = 0.08
#: Points within which two table edges are the same edge.
EDGE_TOLERANCE = 2.0
#: Resolution scanned pages are rendered at for OCR: a scan's own (150 dpi is usual), enough for
#: the recognition model, whose lines are 48 pixels high.
OCR_DPI = 150
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*/\s*\d+)?(\s*(共|/)\s*\d+\s*页?)?[-—–\s]*$")


def read_pdf(data: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> Document:
    import pypdfium2

    from gxcrawl.documents.pdfpage import PdfiumPage

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise DocumentError("the PDF is encrypted and cannot be read without its password") from error
        raise DocumentError(f"the PDF is damaged and cannot be read ({error})") from error
    warnings: list[str] = []
    try:
        count = len(pdf)
        if not count:
            raise DocumentError("the PDF has no pages")
        if count > max_pages:
            warnings.append(f"the PDF has {count} pages; only the first {max_pages} were read")
        read, scanned = [], 0
        for number in range(1, min(count, max_pages) + 1):
            try:
                page = PdfiumPage(pdf[number - 1], number)
                if len(page.chars) < MIN_TEXT_CHARS and page.images:
                    scanned += 1
                    read.append(_scanned_page(page, warnings))
                else:
                    read.append(_page_items(page))
            except (DocumentError, MemoryError):  # over the reading budget (gxcrawl.budget): the whole document is
                raise
            except Exception as error:  # one damaged page must not lose the others
                warnings.append(f"page {number} could not be read ({type(error).__name__}: {error}); skipped")
    finally:
        pdf.close()
    if not read:
        raise DocumentError("no page of the PDF could be read")
    fmt = "image" if scanned and scanned >= len(read) / 2 else "pdf"
    return Document(fmt, page_blocks(_drop_furniture(read)), warnings=warnings)


# --- One page: (top, bottom, line or grid) in reading order ---------------------------------


@dataclass
class PdfGrid(Grid):
    """A grid with the x positions of its columns' left edges, to join it across pages."""

    edges: list[float] = field(default_factory=list)


def _page_items(page) -> list[tuple[float, float, PrintedLine | Grid]]:
    tables = page.find_tables(_closing_lines(page))
    items: list[tuple[float, float, PrintedLine | Grid]] = []
    for table in tables:
        rows, edges, printed = table_grid(page, table)
        items.append((table.bbox[1], table.bbox[3], PdfGrid(rows, printed, edges)))
    boxes = [table.bbox for table in tables]
    words = [word for word in page.extract_words() if not any(_inside(word, box) for box in boxes)]
    items.extend(word_lines(words, page.page_number))
    items.sort(key=lambda item: item[0])
    return [(top / page.height, bottom / page.height, payload) for top, bottom, payload in items]


def _closing_lines(page) -> dict:
    """Table settings that close tables cut by a page break: the cut rows have no border
    where the page ends, and would otherwise be left out of the table."""
    verticals = [edge for edge in page.edges if edge["orientation"] == "v"]
    if not verticals:
        return {}
    return {
        "explicit_horizontal_lines": [min(edge["top"] for edge in verticals), max(edge["bottom"] for edge in verticals)]
    }


def _inside(word, box) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def word_lines(words: list[dict], page_number: int) -> list[tuple[float, float, PrintedLine]]:
    """Words grouped into lines by position; a gap wider than two characters is a tab."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= max(2.0, 0.4 * word["bottom"] - 0.4 * word["top"]):
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        height = max(w["bottom"] - w["top"] for w in line) or 10.0
        text = line[0]["text"]
        for previous, word in zip(line, line[1:]):
            gap = word["x0"] - previous["x1"]
            text += ("\t" if gap > 2 * height else " " if gap > 0.2 * height else "") + word["text"]
        printed = [(word["text"], (word["x0"], word["top"], word["x1"], word["bottom"])) for word in line]
        out.append(
            (min(w["top"] for w in line), max(w["bottom"] for w in line), PrintedLine(text, page_number, printed))
        )
    return out


def table_grid(page, table) -> tuple[list[list[str | None]], list[float], list[list[Printed | None]]]:
    """A ruled table as a grid, each cell's box deciding its row and column spans,
    the left edges of its columns, and where each cell was printed."""
    cells = table.cells
    xs = _edges([x for box in cells for x in (box[0], box[2])])
    ys = _edges([y for box in cells for y in (box[1], box[3])])
    rows, columns = len(ys) - 1, len(xs) - 1
    owner: list[list[int | None]] = [[None] * columns for _ in range(rows)]
    spans = []
    for index, (x0, top, x1, bottom) in enumerate(cells):
        c0, c1 = _index(xs, x0), max(_index(xs, x1), _index(xs, x0) + 1)
        r0, r1 = _index(ys, top), max(_index(ys, bottom), _index(ys, top) + 1)
        spans.append((r0, c0))
        for r in range(r0, min(r1, rows)):
            for c in range(c0, min(c1, columns)):
                owner[r][c] = index
    texts: list[list[dict]] = [[] for _ in cells]
    # Not page.crop(): it clips the characters overlapping the table's edge, moving their centres inside.
    for char in (char for char in page.chars if _inside(char, table.bbox)):
        r = bisect.bisect_right(ys, (char["top"] + char["bottom"]) / 2) - 1
        c = bisect.bisect_right(xs, (char["x0"] + char["x1"]) / 2) - 1
        if 0 <= r < rows and 0 <= c < columns and owner[r][c] is not None:
            texts[owner[r][c]].append(char)
    text_of = [_cell_text(chars) for chars in texts]
    grid: list[list[str | None]] = []
    for r in range(rows):
        row: list[str | None] = []
        for c in range(columns):
            index = owner[r][c]
            if index is None:
                row.append("")
            elif spans[index][1] != c:
                row.append(None)
            else:
                row.append(text_of[index])
        grid.append(row)
    printed = [
        [None if index is None else Printed(page.page_number, enclosing([cells[index]])) for index in line]
        for line in owner
    ]
    return grid, xs[:-1], printed


def _edges(values: list[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > EDGE_TOLERANCE:
            edges.append(value)
    return edges


def _index(edges: list[float], value: float) -> int:
    position = bisect.bisect_left(edges, value - EDGE_TOLERANCE)
    return min(position, len(edges) - 1)


def _cell_text(chars: list[dict]) -> str:
    """A cell's characters line by line: digits and CJK of one line sit on slightly different tops."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda ch: ch["top"]):
        if lines and char["top"] - lines[-1][0]["top"] < 0.5 * (char["bottom"] - char["top"]):
            lines[-1].append(char)
        else:
            lines.append([char])
    return "".join(ch["text"] for line in lines for ch in sorted(line, key=lambda ch: ch["x0"])).strip()


def _scanned_page(page, warnings: list[str]) -> list[tuple[float, float, str | Grid]]:
    import numpy

    from gxcrawl.documents.scan import read_page

    image, dpi = page.render(OCR_DPI)
    items, problems = read_page(
        numpy.asarray(image.convert("L")),
        page.page_number,
        72 / dpi,
        lambda rows, printed, edges: PdfGrid(rows, printed, edges),
    )
    warnings.extend(f"page {page.page_number}: {problem}" for problem in problems)
    return items


# --- All pages ------------------------------------------------------------------------


def _drop_furniture(pages: list[list[tuple[float, float, PrintedLine | Grid]]]) -> list[list[PrintedLine | Grid]]:
    """Each page's items without the lines repeated in the margins of most pages and page numbers."""

    def margin_key(item):
        top, bottom, payload = item
        if isinstance(payload, PrintedLine) and (top < MARGIN or bottom > 1 - MARGIN):
            return re.sub(r"\d+", "#", payload.text.strip())
        return None

    counts = Counter(key for page in pages for key in {margin_key(item) for item in page} if key)
    repeated = {key for key, count in counts.items() if len(pages) >= 2 and count >= max(2, len(pages) / 2)}
    kept = []
    for page in pages:
        kept.append(
            [
                payload
                for item in page
                if not ((key := margin_key(item)) and (key in repeated or _PAGE_NUMBER.match(item[2].text)))
                for payload in (item[2],)
            ]
        )
    return kept


def _join(grid: Grid, continued: Grid) -> None:
    """Append a table's continuation, its columns placed under the first part's by position
    (a merged column may not be drawn again); a row the page break cut in two is made whole."""
    rows, printed = _reindexed(grid, continued)
    if grid.printed is None or printed is None:
        grid.printed = printed = None
    if (
        rows
        and grid.rows
        and len(grid.rows[-1]) == len(rows[0])
        and all(_halves(a, b) for a, b in zip(grid.rows[-1], rows[0]))
    ):
        if printed is not None:  # a cut cell is where its text is: the top half's, unless only the bottom has some
            grid.printed[-1] = [
                top if (a or not b) else bottom
                for a, b, top, bottom in zip(grid.rows[-1], rows[0], grid.printed[-1], printed[0])
            ]
            printed = printed[1:]
        grid.rows[-1] = [
            None if a is None and b is None else (a or "") + (b or "") for a, b in zip(grid.rows[-1], rows[0])
        ]
        rows = rows[1:]
    grid.rows.extend(rows)
    if printed is not None:
        grid.printed.extend(printed)


def _reindexed(grid: Grid, continued: Grid) -> tuple[list[list[str | None]], list[list[Printed | None]] | None]:
    """The continuation's rows, and where their cells were printed, under the first part's columns."""
    edges = getattr(grid, "edges", None)
    their = getattr(continued, "edges", None)
    if not edges or not their:
        return continued.rows, continued.printed
    places = [min(range(len(edges)), key=lambda i: abs(edges[i] - x)) for x in their]
    if any(abs(edges[place] - x) > 3 * EDGE_TOLERANCE for place, x in zip(places, their)) or len(set(places)) != len(
        places
    ):
        return continued.rows, continued.printed

    def placed(row: list, blank):
        line = [blank] * len(edges)
        for place, cell in zip(places, row):
            line[place] = cell
        return line

    printed = None if continued.printed is None else [placed(row, None) for row in continued.printed]
    return [placed(row, "") for row in continued.rows], printed


def _halves(top: str | None, bottom: str | None) -> bool:
    """Whether two cells can be the halves of one cut cell: one empty, or both pieces of a label."""
    if not top or not bottom:
        return True
    return not (is_value(top) or is_value(bottom))


def page_blocks(pages: list[list[PrintedLine | Grid]]) -> list[Paragraph | Grid]:
    """Paragraphs and grids of all pages; a grid cut by a page break is joined again."""
    blocks: list[Paragraph | Grid] = []
    for page in pages:
        first = True
        lines: list[PrintedLine] = []
        for payload in page + [None]:
            if isinstance(payload, PrintedLine):
                lines.append(payload)
                continue
            if lines:
                blocks.extend(text_blocks(lines))
                lines = []
                first = False
            if payload is None:
                continue
            if first and blocks and isinstance(blocks[-1], Grid):
                _join(blocks[-1], payload)
            else:
                blocks.append(payload)
            first = False
    return blocks
