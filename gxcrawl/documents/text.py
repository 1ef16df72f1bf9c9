"""Plain text and markdown: reports as they reach us copied, printed or converted.

Tab-separated lines and markdown pipe tables become grids; every other line a
paragraph. Lines a browser or PDF viewer printed onto every page (the date and
title at the top, the URL and page counter at the bottom) are dropped here, as
they can fall between two rows of a table.
"""

import re

from gxcrawl.documents.export import is_export, read_export
from gxcrawl.documents.model import Document, Grid, Paragraph
from gxcrawl.documents.sniff import decode_text

#: Page furniture of browser and PDF prints.
PAGE_FURNITURE = re.compile(
    r"""^(
        \d{4}/\d{1,2}/\d{1,2}(\s+(上午|下午)?\d{1,2}:\d{2}(:\d{2})?)?\s+\S.*   # 2023/2/10 10:23 <page title>
      | (https?://|file:///)\S+(\s+\d+\s*/\s*\d+)?                          # <url> 2/5
      | 第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?                            # 第 2 页 共 5 页
      | -\s*\d+\s*-                                                         # - 2 -
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


def read_text(data: bytes) -> Document:
    text = decode_text(data)
    if is_export(text):
        return read_export(text)
    return Document("text", text_blocks(text.splitlines()))


def text_blocks(lines) -> list[Paragraph | Grid]:
    """Paragraphs and grids from lines of text (also used for other formats' text layers)."""
    blocks: list[Paragraph | Grid] = []
    grid: list[list[str | None]] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip() or PAGE_FURNITURE.match(line.strip()) or _MARKDOWN_RULE.match(line.strip()):
            continue
        cells = line_cells(line)
        if cells is not None:
            grid.append(cells)
            continue
        if grid:
            blocks.append(Grid(grid))
            grid = []
        line = line.strip()
        if not _FIGURES_ONLY.match(line):
            line = _EMPHASIS.sub("", _MARKDOWN_DECORATION.sub("", line))
        blocks.append(Paragraph(line))
    if grid:
        blocks.append(Grid(grid))
    return blocks


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
