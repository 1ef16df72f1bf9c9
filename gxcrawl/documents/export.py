"""A portal archive's text export: 「标题: …」 header lines, a 「正文」 marker, then the body.

The export flattens each page to its text: the headings run into the paragraphs
(「一、总体情况2024年，…」) and every table cell into the next with no separator
(「规章000行政规范性文件6233440」). What the layout still determines is read
here, nothing more:

- the title, publisher and date from the header lines;
- the six sections, split at their headings;
- the table rows, split where a label stands between two numbers, at table
  二's and 四's header words, and at spaces the export kept;
- each row's cells where they are certain: pieces of one character each, as
  many as the columns (a blank cell takes no room in the export, so a longer
  piece could be two figures beside a vanished blank), digits as many as the
  columns that no blank could explain (「0001」: no figure is written 「01」), a
  single figure under a single column.

Any other row becomes its label and one cell of digits run together
(`cells.run_together`), which only the form's arithmetic may split. This is
the one reader that knows the form: the column counts are what the header
words say, and splitting needs them.
"""

import re
from dataclasses import dataclass

from gxcrawl.cells import run_together
from gxcrawl.documents.model import Document, Paragraph
from gxcrawl.forms import APPLICANT_COLUMNS, FORMS, MAX_HEADING, REVIEW, SECTIONS, Section, heading_section
from gxcrawl.normalize import nfkc, squash

#: 「标题: …」, 「发布机构：…」: the export's header lines, before the body marker.
_HEADER_LINE = re.compile(r"^\s*(?P<name>[\u4e00-\u9fff]{2,6})\s*[:：]\s*(?P<value>.*?)\s*$")
_BODY_MARKER = re.compile(r"^\s*[=＝\-—]*\s*正\s*文\s*[:：]?\s*[=＝\-—]*\s*$")
TITLE, PUBLISHER = "标题", "发布机构"
#: How many lines the header may take before the body marker.
MAX_HEADER_LINES = 20

#: One figure character: a digit that does not number the next label (the 「2」 of
#: 「…00000042.其他法律…」), a decimal point between digits, a sign or a dash (a «none»
#: mark), a space between figures.
_FIGURE_CHAR = r"(?:\d(?![.、．][^\d\s])|(?<=\d)\.(?=\d)|[-+—–－−]|(?<=[\d\-+—–－−])[ \t\u3000]+(?=[\d\-+—–－−]))"
_FIGURES = re.compile(rf"(?=[\d\-+—–－−]){_FIGURE_CHAR}+(?:万元|元)?")
_DIGITS_ONLY = re.compile(r"^\d+$")
#: Where a numbered heading may start (「四、」), when a section's is not printed as the form prints it.
_NUMBERED_HEADING = re.compile(r"[一二三四五六][、.．]")


def _label_pattern(label: str) -> str:
    """A label as printed, spaces allowed between its characters, either width of its punctuation."""
    return r"\s*".join(
        f"[{re.escape(char)}{re.escape(nfkc(char))}]" if nfkc(char) != char else re.escape(char)
        for char in label
        if not char.isspace()
    )


_HEADINGS = {section.key: re.compile(_label_pattern(section.heading)) for section in SECTIONS}


def is_export(text: str) -> bool:
    """Whether text is such an export: a 「标题:」 line first, the body marker among the header lines."""
    lines = text.lstrip("\ufeff").splitlines()[: MAX_HEADER_LINES + 1]
    first = next((line for line in lines if line.strip()), "")
    header = _HEADER_LINE.match(first)
    return bool(header and header["name"] == TITLE and any(_BODY_MARKER.match(line) for line in lines))


def read_export(text: str) -> Document:
    lines = text.lstrip("\ufeff").splitlines()
    marker = next(index for index, line in enumerate(lines) if _BODY_MARKER.match(line))
    header = {match["name"]: match["value"] for match in map(_HEADER_LINE.match, lines[:marker]) if match}
    # A line break may fall inside a cell (a <br>): it is no boundary between figures.
    body = "".join(line.strip() for line in lines[marker + 1 :])
    title = header.get(TITLE, "")
    publisher = header.get(PUBLISHER, "")
    document = Document("text", body_blocks(body), titles=[title] if title else [])
    if title and publisher and not title.startswith(publisher):
        # A title that names no agency: the publisher named in the header is the next best.
        document.fallback_titles.append(publisher + title)
    return document


def body_blocks(body: str) -> list[Paragraph]:
    """The body as paragraphs: the text before the first heading, then each heading and its section."""
    starts = section_starts(body)
    if not starts:
        return [Paragraph(body.strip())]
    blocks = [Paragraph(body[: starts[0][1]].strip())]
    for index, (section, start, end) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else len(body)
        blocks.append(Paragraph(body[start:end].strip()))
        text = body[end:stop].strip()
        if not text:
            continue
        if section.prose:
            blocks.append(Paragraph(text))
        else:
            blocks.extend(table_blocks(section.key, text))
    return [block for block in blocks if block.text]


def section_starts(body: str) -> list[tuple[Section, int, int]]:
    """(section, start, end of heading) of each heading found, in the form's order."""
    found = []
    position = 0
    for section in SECTIONS:
        match = _HEADINGS[section.key].search(body, position)
        if match:
            found.append((section, match.start(), match.end()))
            position = match.end()
            continue
        for numbered in _NUMBERED_HEADING.finditer(body, position):
            end = _shortest_heading(body, numbered.start(), section.key)
            if end is not None:
                found.append((section, numbered.start(), end))
                position = end
                break
    return found


def _shortest_heading(body: str, start: int, key: str) -> int | None:
    """Where a numbered heading of section `key` starting at `start` ends, if one does: its text runs
    into what follows, so the shortest prefix that heads the section (never across a figure) is taken."""
    window = body[start : start + MAX_HEADING]
    digit = re.search(r"\d", window)
    window = window[: digit.start()] if digit else window
    for end in range(3, len(window) + 1):
        if heading_section(window[:end]) == key:
            return start + end
    return None


# --- Tables ---------------------------------------------------------------------------


def _columns_pattern(labels) -> re.Pattern:
    # Longest first, so that 「本年处理决定数量」 is one column and not 「处理决定数量」 inside it.
    return re.compile("|".join(_label_pattern(label) for label in sorted(set(labels), key=len, reverse=True)))


_ACTIVE_COLUMNS = _columns_pattern(
    column.label for form in FORMS.values() for row in form.table("active").rows for column in row.columns
)
_APPLICANT_HEADER = _columns_pattern(
    [column.label for column in APPLICANT_COLUMNS]
    + [column.group for column in APPLICANT_COLUMNS if column.group]
    + ["申请人情况"]
)
_REVIEW_HEADER = _columns_pattern(
    [column.label for column in REVIEW.columns] + [row.label for row in REVIEW.rows] + ["行政诉讼"]
)


@dataclass(frozen=True)
class TableShape:
    #: Words that show a piece of text holds the table's header.
    header_marker: re.Pattern
    #: The header's words; the header ends at the last of them.
    header_words: re.Pattern
    #: Columns of every row, when the form fixes them (table 二's depend on its header).
    width: int | None


SHAPES = {
    "active": TableShape(re.compile(r"信息内容|第二十条"), _ACTIVE_COLUMNS, None),
    "applications": TableShape(re.compile(r"申请人情况|勾稽关系"), _APPLICANT_HEADER, len(APPLICANT_COLUMNS)),
    "review": TableShape(re.compile(r"结果维持|尚未审结"), _REVIEW_HEADER, len(REVIEW.rows) * len(REVIEW.columns)),
}


def table_blocks(table: str, text: str) -> list[Paragraph]:
    """A table's text as paragraphs: header text alone, each row as its label and cells, tab-separated.

    Header words switch the shape too: a table whose heading was not found runs into the one before.
    """
    shape = SHAPES[table]
    width = shape.width
    blocks = []
    position = 0
    for figures in _FIGURES.finditer(text):
        label = text[position : figures.start()].strip()
        position = figures.end()
        marked = next((key for key, candidate in SHAPES.items() if candidate.header_marker.search(squash(label))), None)
        if marked:
            shape = SHAPES[marked]
            header, label = _split_header(label, shape.header_words)
            blocks.append(Paragraph(header))
            width = shape.width if shape.width else (len(shape.header_words.findall(header)) or None)
        blocks.append(Paragraph("\t".join(filter(None, [label, *row_cells(figures.group(), width)]))))
    rest = text[position:].strip()
    if rest:
        blocks.append(Paragraph(rest))
    return blocks


def _split_header(text: str, words: re.Pattern) -> tuple[str, str]:
    """Header text and the row label that ran into it: the header ends with its last word."""
    last = None
    for last in words.finditer(text):
        pass
    end = last.end() if last else 0
    return text[:end].strip(), text[end:].strip()


def row_cells(figures: str, width: int | None) -> list[str]:
    """A row's figures as its cells where the layout settles them, else one run of all its digits.

    `width` is the row's number of columns, None when the header did not say.
    """
    pieces = []
    for token in figures.split():
        while len(token) > 1 and token[0] == "0" and token[1].isdigit():
            pieces.append("0")
            token = token[1:]
        pieces.append(token)
    # A blank cell takes no room in the export, so a row's pieces are its cells only where no piece
    # could hold two figures: each one character, or one piece for a single column.
    if all(len(piece) == 1 for piece in pieces) and len(pieces) == (width or len(pieces)):
        return pieces
    if width == 1 and len(pieces) == 1:
        return pieces
    joined = "".join(pieces)
    if joined.isdigit() and len(joined) == width and not joined[:-1].strip("0"):
        return list(joined)  # 「0001」: no figure is written 「00」 or 「01」, so no blank vanished
    # Otherwise only the arithmetic can say which figure fills which column.
    return [run_together(joined)]
