"""Word 97-2003 (DOC) attachments, through a converter from Debian's packages.

LibreOffice (headless) converts the file to DOCX, which keeps tables and merged
cells; antiword, when LibreOffice is absent, gives text with tables drawn as
`|`-separated rows. Either runs on a private copy in a temporary directory,
with a time limit, and reads nothing else.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gxcrawl.documents.model import Document, DocumentError
from gxcrawl.documents.text import text_blocks

#: Seconds a converter may take for one document.
CONVERT_TIMEOUT = 120
LIBREOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = (
    "reading DOC files needs LibreOffice or antiword: "
    "apt-get install libreoffice-writer-nogui (or: apt-get install antiword)"
)


def read_doc(data: bytes, converter: str | None = None) -> Document:
    """Read a DOC file with `converter` (libreoffice or antiword), or the best one installed."""
    choice = converter or available_converter()
    if choice is None:
        raise DocumentError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="gxcrawl-doc-") as work:
        source = Path(work) / "report.doc"
        source.write_bytes(data)
        if choice == "libreoffice":
            return _with_libreoffice(source, Path(work))
        return _with_antiword(source)


def available_converter() -> str | None:
    if any(shutil.which(name) for name in LIBREOFFICE_NAMES):
        return "libreoffice"
    if shutil.which("antiword"):
        return "antiword"
    return None


def _run(command: list[str], what: str, **options) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False, **options)
    except FileNotFoundError as error:
        raise DocumentError(INSTALL_HINT) from error
    except subprocess.TimeoutExpired as error:
        raise DocumentError(f"{what} took more than {CONVERT_TIMEOUT} s on this DOC file; it was stopped") from error


def _with_libreoffice(source: Path, work: Path) -> Document:
    from gxcrawl.documents.docx import read_docx

    office = next(shutil.which(name) for name in LIBREOFFICE_NAMES if shutil.which(name))
    # A profile of its own, so that conversions never wait on a user's running LibreOffice.
    profile = (work / "profile").as_uri()
    result = _run(
        [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(work),
            str(source),
        ],
        "LibreOffice",
        env={**os.environ, "HOME": str(work)},
    )
    converted = work / "report.docx"
    if not converted.exists():
        message = result.stderr.decode("utf-8", "replace").strip() or result.stdout.decode("utf-8", "replace").strip()
        raise DocumentError(f"LibreOffice could not convert this DOC file: {message[-300:] or 'no output'}")
    return read_docx(converted.read_bytes(), format="doc")


def _with_antiword(source: Path) -> Document:
    result = _run(["antiword", "-m", "UTF-8.txt", "-w", "0", str(source)], "antiword")
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise DocumentError(f"antiword could not read this DOC file: {message[-300:] or 'no output'}")
    return Document("doc", text_blocks(result.stdout.decode("utf-8", "replace").splitlines()))
