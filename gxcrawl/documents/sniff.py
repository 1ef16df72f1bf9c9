"""Deciding what a document is from its bytes, not its name.

Portals serve PDFs as `application/octet-stream`, name Word files `.pdf`, and
save HTML pages as `.txt`; the first bytes are what can be trusted.
"""

import re

_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*"
    rb"<(!doctype\s+html|html|head|body|meta|link|style|script|title|div|table|p|h1)\b",
    re.I | re.S,
)
_HTML_INSIDE = re.compile(rb"<(html|body|table|div|p)\b[^>]*>", re.I)
_HTML_ROOT = re.compile(rb"<(html|body)\b", re.I)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in b"\t\n\r\f\x1b")


def sniff(data: bytes) -> str:
    """The document's format: pdf, docx, zip, doc, image, html, text or binary."""
    head = data[:8192]
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in head else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if (
        head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*"))
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
    ):
        return "image"
    if not looks_like_text(head):
        return "binary"
    body = head
    for bom in _BOMS:
        if body.startswith(bom):
            body = decode_text(head).encode("utf-8", "replace")
            break
    if _HTML_START.match(body) or len(_HTML_INSIDE.findall(body)) >= 3 or _HTML_ROOT.search(data[:65536]):
        return "html"
    return "text"


def looks_like_text(head: bytes) -> bool:
    """Whether the bytes can be text: no NULs (UTF-16 aside), few control characters."""
    if head.startswith(_BOMS[1:]):
        return True
    if b"\x00" in head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls <= len(head) // 100


def decode_text(data: bytes) -> str:
    """Text of unknown encoding: a BOM if any, else UTF-8, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode(guess_encoding(data), "replace")


def guess_encoding(data: bytes) -> str:
    """utf-8 when the bytes are valid UTF-8 (a cut-off last character allowed), else gb18030."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    return "gb18030"
