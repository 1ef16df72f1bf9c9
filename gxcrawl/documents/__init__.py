"""Stage one: a document's bytes → text blocks and cell grids (`Document`).

`read_document` decides the format from the content and hands the bytes to
that format's reader.
"""

from gxcrawl.documents.html import read_html
from gxcrawl.documents.model import Block, Document, DocumentError, Grid, Paragraph
from gxcrawl.documents.sniff import sniff
from gxcrawl.documents.text import read_text

__all__ = ["Block", "Document", "DocumentError", "Grid", "Paragraph", "read_document", "sniff"]

#: What to tell the user about formats gxcrawl recognises but does not read.
UNREADABLE = {
    "pdf": "a PDF; gxcrawl does not read PDF attachments yet",
    "docx": "a Word (DOCX) file; gxcrawl does not read Word attachments yet",
    "doc": "a Word 97-2003 (DOC) file; gxcrawl does not read Word attachments yet",
    "image": "an image; gxcrawl does not read scanned reports yet",
    "zip": "a ZIP archive that is not a Word document; unpack it and parse the report inside",
    "binary": "binary data, not a report in any format gxcrawl reads (HTML, text)",
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
    raise DocumentError(f"the document is {UNREADABLE[kind]}")
