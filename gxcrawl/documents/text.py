"""Plain text and markdown: reports as they reach us copied, printed or converted.

Tab-separated lines and markdown pipe tables become grids; every other line a
paragraph. Lines a browser or PDF viewer printed onto every page (the date and
title at the top, the URL and page counter at the bottom, 「— 4 —」) are dropped
here, as they can fall between two rows of a table; so are the page numbers a
conversion left alone on their lines. A sentence wrapped between a figure and
its unit is joined again, and a markdown row with fewer cells than its table's
header is not read (which columns its figures fill is unknown). A portal's
text export (「标题:」 header) is read by `gxcrawl.documents.export`.
"""

import re
from itertools import islice

from gxcrawl.cells import is_value
from gxcrawl.documents.export import is_export, read_export
from gxcrawl.documents.model import Document, Grid, Paragraph, PrintedLine
from gxcrawl.documents.sniff import decode_text

#: Page furniture of browser and PDF prints.
PAGE_FURNITURE = re.compile(
    r"""^(
        \d{4}/\d{1,2}/\d{1,2}(\s+(上午|下午)?\d{1,2}:\d{2}(:\d{2})?)?\s+\S.*   # 2023/2/10 10:23 <page title>
      | (https?://|file:///)\S+(\s+\d+\s*/\s*\d+)?                          # <url> 2/5
      | 第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?                            # 第 2 页 共 5 页
      | [-—–―－]+\s*\d+\s*[-—–―－]+                                              # - 2 -, — 2 —
      | \d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(\s*[AP]M)?\s+\S.*             # 11/21/26, 10:54 PM <title>
      | \d+/\d+                                                             # 2/5
    )$""",
    re.VERBOSE,
)
_MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MARKDOWN_DECORATION = re.compile(r"^(#{1,6}\s+|[-*+]\s+|>\s*)")
#: A line of figures only (「- 1 - 3」): its leading dash is a figure, not a list bullet.
_FIGURES_ONLY = re.compile(r"^[-—–―/+.,\d\s０-９－＋，．]+$")
_EMPHASIS = re.compile(r"\*\*|__")
_UNIT_FIRST = re.compile(
    r"^\s*(件|条|个|篇|项|次|人次|人|家|期|场|万元|元|%|％|年|月|日)[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]"
)
_FIGURE_LAST = re.compile(r"[\u4e00-\u9fff，、]\s*\d+(\.\d+)?$")
_LONE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
#: Page numbers: at least this many, each this many lines after the last.
MIN_PAGES = 3
MIN_PAGE_LINES = 10


def read_text(data: bytes) -> Document:
    text = decode_text(data)
    if is_export(text):
        return read_export(text)
    warnings: list[str] = []
    return Document("text", text_blocks(page_numbers_dropped(text.splitlines()), warnings), warnings=warnings)


def text_blocks(lines: list[str] | list[PrintedLine], warnings: list[str] | None = None) -> list[Paragraph | Grid]:
    """Paragraphs and grids from lines of text (also used for other formats' text layers: a PDF's or a scan's
    lines keep where they were printed); what was read past goes to `warnings`."""
    blocks: list[Paragraph | Grid] = []
    grid: list[list[str | None]] = []
    printed: list | None = []
    items = list(unwrapped(lines))
    lines = [_text(item).rstrip("\r\n") for item in items]

    def grid_ends():
        nonlocal grid, printed
        if grid:
            blocks.append(Grid(grid, printed))
        grid, printed = [], []

    header = _MarkdownHeader()
    for index, (line, item) in enumerate(zip(lines, items)):
        if not line.strip() or PAGE_FURNITURE.match(line.strip()) or _MARKDOWN_RULE.match(line.strip()):
            continue
        cells = line_cells(line)
        if cells is not None:
            ruled = line.lstrip().startswith("|") and _ruled(lines, index)
            grid.append(header.fit(line, cells, ruled, warnings))
            located = isinstance(item, PrintedLine) and printed is not None
            printed = [*printed, item.located(grid[-1])] if located else None
            continue
        grid_ends()
        line = line.strip()
        if not line.startswith("#"):
            header.columns = None
        if not _FIGURES_ONLY.match(line):
            line = _EMPHASIS.sub("", _MARKDOWN_DECORATION.sub("", line))
        blocks.append(Paragraph(line, item if isinstance(item, PrintedLine) else None))
    grid_ends()
    return blocks


def _text(line: str | PrintedLine) -> str:
    return line.text if isinstance(line, PrintedLine) else line


def _ruled(lines: list[str], index: int) -> bool:
    """Whether a markdown table line is a header: the next line is the table's rule."""
    following = next((line for line in islice(lines, index + 1, None) if line.strip()), "")
    return bool(_MARKDOWN_RULE.match(following.strip()))


class _MarkdownHeader:
    """The columns a markdown table's header promises, for the rows a converter split off from it.

    A converter that cuts one table into several (a 「## 表二」 heading between, each piece with its
    own rule) can also drop an empty or multi-line cell from a row: 「| 规章 | 22 | 235 |」 under a
    header of three columns of figures. Which columns such a row's figures fill is unknown.
    """

    def __init__(self):
        self.columns: int | None = None

    def fit(self, line: str, cells: list[str], ruled: bool, warnings: list[str] | None) -> list[str]:
        if not line.lstrip().startswith("|"):
            return cells  # a tab-separated row: no markdown header promises its columns
        figures = [cell for cell in cells if cell and is_value(cell)]
        if ruled and not figures:
            # The first column names the rows (信息内容, 类别) unless it is a figure's: count the fewer.
            self.columns = sum(bool(cell) for cell in cells) - 1
            return cells
        labels = [index for index, cell in enumerate(cells) if cell and not is_value(cell)]
        slots = len(cells) - (labels[-1] + 1 if labels else 0)  # the cells after the label, blank ones too
        if not self.columns or not figures or slots >= self.columns:
            return cells
        if warnings is not None:
            warnings.append(
                f"the table row {line.strip()!r} has {slots} cells for the {self.columns} "
                "columns of its table's header; which columns its figures fill is unknown, so they "
                "were not read (check the original document)"
            )
        return [cell for cell in cells if not (cell and is_value(cell))]


def unwrapped(lines):
    """Lines with a sentence wrapped between a figure and its unit joined again: 「…不予公开答复 2」
    「件，无法提供的…」. A figure at a line's end would otherwise read as a row of a table."""
    held = None
    for raw in lines:
        line = raw.rstrip("\r\n") if isinstance(raw, str) else raw
        if (
            held is not None
            and _UNIT_FIRST.match(_text(line))
            and _FIGURE_LAST.search(_text(held))
            and line_cells(_text(held)) is None
        ):
            held = _joined(held, line)
            continue
        if held is not None:
            yield held
        held = line
    if held is not None:
        yield held


def _joined(held: str | PrintedLine, line: str | PrintedLine) -> str | PrintedLine:
    if isinstance(held, PrintedLine):
        return PrintedLine(held.text + line.text.strip(), held.page, held.words + line.words)
    return held + line.strip()


def page_numbers_dropped(lines: list[str]) -> list[str]:
    """Lines without the page numbers a conversion left on lines of their own: numbers alone on a
    line that count up one by one through the document, far apart. A lone figure is kept."""
    lone = [(index, int(line)) for index, line in enumerate(lines) if _LONE_NUMBER.match(line)]
    pages: set[int] = set()
    run: list[int] = []
    for (index, number), following in zip(lone, lone[1:] + [(None, None)]):
        run.append(index)
        next_index, next_number = following
        if next_number == number + 1 and next_index - index >= MIN_PAGE_LINES:
            continue
        if len(run) >= MIN_PAGES:
            pages.update(run)
        run = []
    return [line for index, line in enumerate(lines) if index not in pages]


def line_cells(line: str) -> list[str | None] | None:
    """The cells of a tab-separated or markdown-table line; None for running text
    (a paragraph indented with a tab has one cell: it is running text)."""
    stripped = line.strip()
    if "\t" in line:
        cells = [cell.strip() for cell in line.split("\t")]
    elif stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        cells = [cell.strip() for cell in stripped[1:-1].split("|")]
    else:
        return None
    return cells if sum(bool(cell) for cell in cells) >= 2 else None
