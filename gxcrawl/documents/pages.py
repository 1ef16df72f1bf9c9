"""A page of a PDF or a scanned image as a picture, with a figure's box drawn on it.

What lets a person compare a number with what the agency printed: the page
rendered by PDFium (a scan: the image itself), no wider than SHOWN_WIDTH,
and the cell's box (`gxcrawl.documents.model.Printed`, in points; in the
image's own pixels for a scan) drawn in red.
"""

import io

from gxcrawl.documents.model import Box, DocumentError
from gxcrawl.documents.sniff import sniff

#: Pages are shown at most this many pixels wide: a page's figures stay legible, the picture small.
SHOWN_WIDTH = 1200
#: The box's line, in pixels, and colour.
BOX_LINE = 3
BOX_COLOUR = (220, 0, 0)


def page_picture(data: bytes, page: int) -> tuple[bytes, float]:
    """The PNG of page `page` (from 1) of a PDF or a scanned image, and its pixels per unit of the boxes."""
    kind = sniff(data)
    if kind == "pdf":
        return _pdf_page(data, page)
    if kind == "image":
        if page != 1:
            raise DocumentError(f"a scanned image has one page, not page {page}")
        return _image(data)
    raise DocumentError("only PDFs and scanned images have pages to show; open the document itself")


def with_box(png: bytes, scale: float, box: Box) -> bytes:
    """The picture with `box` (in the units `page_picture` measured its scale in) drawn on it."""
    from PIL import Image, ImageDraw

    picture = Image.open(io.BytesIO(png)).convert("RGB")
    x0, top, x1, bottom = (value * scale for value in box)
    ImageDraw.Draw(picture).rectangle((x0 - 2, top - 2, x1 + 2, bottom + 2), outline=BOX_COLOUR, width=BOX_LINE)
    return _png(picture)


def _pdf_page(data: bytes, page: int) -> tuple[bytes, float]:
    import pypdfium2

    from gxcrawl.documents.pdfpage import PdfiumPage

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise DocumentError(f"the PDF cannot be opened ({error})") from error
    try:
        if not 1 <= page <= len(pdf):
            raise DocumentError(f"the PDF has {len(pdf)} pages, not page {page}")
        shown = PdfiumPage(pdf[page - 1], page)
        image, dpi = shown.render(72 * SHOWN_WIDTH / max(shown.width, 1))
        return _png(image), dpi / 72
    finally:
        pdf.close()


def _image(data: bytes) -> tuple[bytes, float]:
    from PIL import Image, UnidentifiedImageError

    from gxcrawl.documents.ocr import MAX_PIXELS

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise DocumentError(f"the image is too large to show ({image.width}×{image.height} pixels)")
        width = image.width
        image.draft("RGB", (SHOWN_WIDTH, SHOWN_WIDTH * image.height // max(width, 1)))
        image = image.convert("RGB")
        image.thumbnail((SHOWN_WIDTH, SHOWN_WIDTH * image.height // max(image.width, 1)))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise DocumentError(f"the image cannot be decoded ({error})") from error
    return _png(image), image.width / width


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
