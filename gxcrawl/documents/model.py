"""What every document reader produces: text blocks and cell grids.

The readers (HTML, text, and the attachment formats) know about file formats
and nothing about annual reports; the parser knows about annual reports and
nothing about file formats. This module is the whole of what they share.
"""

import math
from dataclasses import dataclass, field
from typing import NamedTuple

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

    def located(self, parts: list[str]) -> list["Printed"]:
        """Where each of `parts` (the line's cells or tokens, in order) was printed: the box around the words it
        is made of, or the page alone where no run of the line's words spells it."""
        found, word = [], 0
        for part in parts:
            span = self._spelling("".join(part.split()), word)
            if span is None:
                found.append(Printed(self.page))
                continue
            found.append(Printed(self.page, enclosing([box for _, box in self.words[span[0] : span[1]]])))
            word = span[1]
        return found

    def _spelling(self, wanted: str, start: int) -> tuple[int, int] | None:
        """The first run of words from `start` on whose text, spaces aside, is `wanted`."""
        for first in range(start, len(self.words) if wanted else start):
            spelt = ""
            for last in range(first, len(self.words)):
                spelt += "".join(self.words[last][0].split())
                if spelt == wanted:
                    return first, last + 1
                if not wanted.startswith(spelt):
                    break
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
