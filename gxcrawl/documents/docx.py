"""Word (DOCX) attachments, with python-docx.

Paragraphs and tables are read in document order. Merged cells are expanded
like HTML spans: a horizontal merge (`gridSpan`) appears once with its other
columns None, a vertical merge (`vMerge`) is repeated down the rows it covers.
Page headers and footers live in other parts of the package and are not read.

A DOCX is a ZIP archive: before anything is unpacked, its entries are checked
against caps, so that a small file cannot unpack into gigabytes (a zip bomb).
"""

import io
import zipfile

from lxml import etree

from gxcrawl.documents.model import Document, DocumentError, Grid, Paragraph
from gxcrawl.documents.text import text_blocks

#: The most a DOCX may unpack to, in bytes; reports unpack to a few MB.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ENTRIES = 10_000
#: A larger entry compressed more than this many times over is a bomb.
MAX_RATIO = 150
#: The most an XML part may unpack to: a report's document.xml is a few MB; 190 MB of XML takes minutes and
#: gigabytes to read, however honestly it is compressed.
MAX_XML_PART = 32 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = {"w": _W[1:-1]}
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr", namespaces=_NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc", namespaces=_NS)
_GRID_BEFORE = etree.XPath("./w:trPr/w:gridBefore/@w:val", namespaces=_NS)
_GRID_SPAN = etree.XPath("./w:tcPr/w:gridSpan/@w:val", namespaces=_NS)
_V_MERGE = etree.XPath("./w:tcPr/w:vMerge", namespaces=_NS)


def read_docx(data: bytes, format: str = "docx") -> Document:
    check_archive(data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise DocumentError(f"the Word file is damaged or not a Word document ({error})") from error
    except MemoryError:
        raise  # over the reading budget (gxcrawl.budget)
    except Exception as error:  # lxml and python-docx raise many types for broken XML
        raise DocumentError(f"the Word file's XML is damaged ({type(error).__name__}: {error})") from error
    blocks: list[Paragraph | Grid] = []
    _read_body(body, blocks)
    return Document(format, blocks)


def check_archive(data: bytes) -> None:
    """Refuse a ZIP that is damaged, truncated, or unpacks to more than the caps."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise DocumentError(f"the Word file is damaged or truncated ({error})") from error
    if len(entries) > MAX_ENTRIES:
        raise DocumentError(f"the Word file holds {len(entries)} parts, more than the {MAX_ENTRIES} a document has")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED:
        raise DocumentError(
            f"the Word file would unpack to {unpacked / 1e6:.0f} MB, over the "
            f"{MAX_UNPACKED / 1e6:.0f} MB cap (a zip bomb?)"
        )
    for entry in entries:
        if entry.filename.endswith(".xml") and entry.file_size > MAX_XML_PART:
            raise DocumentError(
                f"the Word file's part {entry.filename} unpacks to {entry.file_size / 1e6:.0f} MB of XML, over the "
                f"{MAX_XML_PART / 1e6:.0f} MB a report's part takes; it was not read"
            )
        if entry.file_size > 1_000_000 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise DocumentError(
                f"the Word file's part {entry.filename} is compressed "
                f"{entry.file_size // max(entry.compress_size, 1)} times over (a zip bomb?)"
            )
    if "word/document.xml" not in archive.namelist():
        raise DocumentError("the ZIP archive has no word/document.xml: it is not a Word document")


def _read_body(element, blocks: list[Paragraph | Grid]) -> None:
    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            blocks.extend(text_blocks(_paragraph_text(child).split("\n")))
        elif child.tag == f"{_W}tbl":
            blocks.append(Grid(table_grid(child)))
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            _read_body(child, blocks)


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def table_grid(table) -> list[list[str | None]]:
    grid: list[list[str | None]] = []
    for tr in _ROWS(table):
        row: list[str | None] = [""] * _int(_GRID_BEFORE(tr))
        for tc in _CELLS(tr):
            span = max(1, _int(_GRID_SPAN(tc)))
            merge = _V_MERGE(tc)
            column = len(row)
            if merge and merge[0].get(f"{_W}val") != "restart" and grid and column < len(grid[-1]):
                text = grid[-1][column]  # continues the cell above
            else:
                text = "".join(_paragraph_text(p) for p in tc.iter(f"{_W}p")).replace("\n", "").replace("\t", " ")
            row.append(text)
            row.extend([None] * (span - 1))
        grid.append(row)
    return grid


def _int(values) -> int:
    try:
        return int(values[0]) if values else 0
    except ValueError:
        return 0
