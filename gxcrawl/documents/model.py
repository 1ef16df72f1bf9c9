"""What every document reader produces: text blocks and cell grids.

The readers (HTML, text, and the attachment formats) know about file formats
and nothing about annual reports; the parser knows about annual reports and
nothing about file formats. This module is the whole of what they share.
"""

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from gxcrawl.normalize import tidy

#: A box on a page: x0, top, x1, bottom from the page's top-left corner, in points for PDFs (pixels of the
#: image as published for a scanned image).
Box = tuple[float, float, float, float]


class Printed(NamedTuple):
    """Where a text was printed on a page (PDFs and scans): what lets a person find it on the page image."""

    page: int
    box: Box | None = None


@dataclass
class PrintedLine:
    """A line of a page as a PDF or a scan printed it: its text, its page, and its words each with its box."""

    text: str
    page: int
    words: list[tuple[str, Box]] = field(default_factory=list)

    def located(self, parts: list[str]) -> list[Printed]:
        """Where each of `parts` (the line's cells or tokens, in order) was printed: the box around the words it is
        made of. They are matched from the line's end, where the figures are, word for word: the first part from
        the right that the words do not spell, and every part left of it, get the page alone, as a label can hold
        the same digits as a figure (「（2）收到申请 2」)."""
        found = [Printed(self.page)] * len(parts)
        spelt = [_bare(text) for text, _ in self.words]
        end = len(spelt)
        for index in range(len(parts) - 1, -1, -1):
            wanted = _bare(parts[index])
            if not wanted:
                continue
            first = _spelling_back(spelt, wanted, end)
            if first is None:
                break
            found[index] = Printed(self.page, enclosing([box for _, box in self.words[first:end]]))
            end = first
        return found


def _bare(text: str) -> str:
    """Text as a line's parts and words are compared: normalised as the parser reads it, without spaces."""
    return "".join(tidy(text).split())


def _spelling_back(words: list[str], wanted: str, end: int) -> int | None:
    """Where the run of words that ends at `end` and spells `wanted` starts, if one does."""
    spelt = ""
    for first in range(end - 1, -1, -1):
        spelt = words[first] + spelt
        if spelt == wanted:
            return first
        if not wanted.endswith(spelt):
            return None
    return None


def enclosing(boxes: list[Box]) -> Box:
    """The box around `boxes`, to the whole point outwards: finer than a person compares a figure with its page."""
    return (
        math.floor(min(box[0] for box in boxes)),
        math.floor(min(box[1] for box in boxes)),
        math.ceil(max(box[2] for box in boxes)),
        math.ceil(max(box[3] for box in boxes)),
    )


class DocumentError(Exception):
    """The document could not be read at all; the message says why and what to do."""


@dataclass
class Paragraph:
    """A line of running text: a paragraph, a heading, a line of a text file."""

    text: str
    #: Where a PDF or a scan printed it: its page and words (None for other formats).
    printed: PrintedLine | None = None


@dataclass
class Grid:
    """A table, with merged cells expanded.

    `rows[r][c]` is the text of the cell covering row r, column c. A cell that
    spans several rows is repeated down them (labels keep their group); a cell
    that spans several columns appears once, its other columns being None, so
    a figure is never counted twice.
    """

    rows: list[list[str | None]]
    #: PDFs and scans: where each cell was printed, parallel to `rows` (None where not known).
    printed: list[list[Printed | None]] | None = None


Block = Paragraph | Grid


@dataclass
class Document:
    #: html, text, pdf, docx, doc, image: what the report was read from.
    format: str
    blocks: list[Block]
    #: Titles the container declared (HTML <h1>, <title>), best first.
    titles: list[str] = field(default_factory=list)
    #: Weaker title candidates, tried after the report's own title line.
    fallback_titles: list[str] = field(default_factory=list)
    #: Problems the reader met but read past (a table it could not expand, …).
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The document's text, grids row by row, for hashing and search."""
        lines = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.extend("\t".join(cell or "" for cell in row) for row in block.rows)
        return "\n".join(lines)
