"""Stage one: a document's bytes → text blocks and cell grids (`Document`).

`read_document` decides the format from the content and hands the bytes to
that format's reader. Heavy libraries (pdfplumber, python-docx, the OCR
engine) are imported only when a document needs them.
"""

from gxcrawl.documents.doc import read_doc
from gxcrawl.documents.docx import read_docx
from gxcrawl.documents.html import read_html
from gxcrawl.documents.model import Block, Document, DocumentError, Grid, Paragraph
from gxcrawl.documents.pdf import read_pdf
from gxcrawl.documents.sniff import sniff
from gxcrawl.documents.text import read_text

__all__ = ["Block", "Document", "DocumentError", "Grid", "Paragraph", "read_document", "sniff"]

READERS = {
    "html": lambda data, content_type, content_selectors: read_html(data, content_type, content_selectors),
    "text": lambda data, *_: read_text(data),
    "pdf": lambda data, *_: read_pdf(data),
    "docx": lambda data, *_: read_docx(data),
    "doc": lambda data, *_: read_doc(data),
    "image": lambda data, *_: _read_image(data),
}
#: What to tell the user about what gxcrawl recognises but does not read.
UNREADABLE = {
    "zip": "a ZIP archive that is not a Word document; unpack it and parse the report inside",
    "binary": "binary data, not a report in any format gxcrawl reads (HTML, text, PDF, DOCX, DOC, images)",
}


def _read_image(data: bytes) -> Document:
    from gxcrawl.documents.ocr import read_image  # NumPy, OpenCV and the OCR engine: only for scans

    return read_image(data)


def read_document(data: bytes, *, content_type: str | None = None, content_selectors: tuple[str, ...] = ()) -> Document:
    """Read a document of any supported format; DocumentError says why one cannot be read."""
    if not data.strip():
        raise DocumentError("the document is empty")
    kind = sniff(data)
    if kind in UNREADABLE:
        raise DocumentError(f"the document is {UNREADABLE[kind]}")
    return READERS[kind](data, content_type, content_selectors)
