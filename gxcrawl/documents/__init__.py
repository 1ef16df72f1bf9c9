"""Stage one: a document's bytes → text blocks and cell grids (`Document`).

`read_document` decides the format from the content and hands the bytes to
that format's reader.
"""

from gxcrawl.documents.html import read_html
from gxcrawl.documents.model import Block, Document, DocumentError, Grid, Paragraph
from gxcrawl.documents.sniff import sniff
from gxcrawl.documents.text import read_text

__all__ = ["Block", "Document", "DocumentError", "Grid", "Paragraph", "read_document", "sniff"]

#: What to tell the user about what gxcrawl recognises but does not read.
UNREADABLE = {
    "zip": "a ZIP archive that is not a Word document; unpack it and parse the report inside",
    "binary": "binary data, not a report in any format gxcrawl reads (HTML, text, PDF, DOCX, DOC, images)",
}


def read_document(data: bytes, *, content_type: str | None = None,
                  content_selectors: tuple[str, ...] = ()) -> Document:
    """Read a document of any supported format; DocumentError says why one cannot be read."""
    if not data.strip():
        raise DocumentError("the document is empty")
    kind = sniff(data)
    if kind == "html":
        return read_html(data, content_type, content_selectors)
    if kind == "text":
        return read_text(data)
    if kind == "pdf":
        from gxcrawl.documents.pdf import read_pdf
        return read_pdf(data)
    if kind == "image":
        from gxcrawl.documents.ocr import read_image
        return read_image(data)
    raise DocumentError(f"the document is {UNREADABLE[kind]}")
