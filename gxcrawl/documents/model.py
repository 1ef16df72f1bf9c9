"""What every document reader produces: text blocks and cell grids.

The readers (HTML, text, and the attachment formats) know about file formats
and nothing about annual reports; the parser knows about annual reports and
nothing about file formats. This module is the whole of what they share.
"""

from dataclasses import dataclass, field


class DocumentError(Exception):
    """The document could not be read at all; the message says why and what to do."""


@dataclass
class Paragraph:
    """A line of running text: a paragraph, a heading, a line of a text file."""

    text: str


@dataclass
class Grid:
    """A table, with merged cells expanded.

    `rows[r][c]` is the text of the cell covering row r, column c. A cell that
    spans several rows is repeated down them (labels keep their group); a cell
    that spans several columns appears once, its other columns being None, so
    a figure is never counted twice.
    """

    rows: list[list[str | None]]


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
