"""`gxcrawl import`: reports on disk (HTML, PDF, DOCX, DOC, text, scans) into the database, as a crawl would.

Each file is read with the same parser, its bytes kept in the archive, and
stored with `source` = `files` by the same rules as crawled reports: one
report per agency and year (a file of a report some spider found becomes a
version of it), unchanged content not rewritten, a file that cannot be read
recorded in `failures` with the reason.
"""

from collections import Counter
from pathlib import Path

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.report import Report, max_bytes_setting, parse_document, parse_file

SOURCE = "files"
UNREADABLE = "unreadable"


def expand_paths(paths: list[str], follow_links: bool = False):
    """Each path, with a directory standing for the files inside it (not hidden ones, nor those in hidden
    folders such as .git), in name order. A symbolic link inside a directory that leads out of it is left
    out unless `follow_links`: importing a folder never reads /etc/hostname because a link points there."""
    for path in paths:
        if Path(path).is_dir():
            root = Path(path).resolve()
            yield from sorted(
                str(found)
                for found in Path(path).rglob("*")
                if found.is_file()
                and not any(part.startswith(".") for part in found.relative_to(path).parts)
                and (follow_links or found.resolve().is_relative_to(root))
            )
        else:
            yield path


def read_file(path: str, limit: int) -> tuple[bytes | None, Report]:
    """The file's bytes (None when they cannot be read, or it is too large) and the report read from them."""
    try:
        if Path(path).is_file() and Path(path).stat().st_size <= limit:
            data = Path(path).read_bytes()
            return data, parse_document(data, name=str(path))
    except OSError:
        pass
    return None, parse_file(path, max_bytes=limit)  # which says why it cannot be read


def import_files(
    db, archive: Archive, paths: list[str], max_bytes: int | None = None, follow_links: bool = False
) -> Counter:
    """Store every file under `paths`; returns how many were new, changed, unchanged, older or unreadable."""
    limit = max_bytes_setting() if max_bytes is None else max_bytes
    outcomes: Counter = Counter()
    for path in expand_paths(paths, follow_links):
        fetch = Fetch(SOURCE, Path(path).resolve().as_uri())
        data, report = read_file(path, limit)
        documents = [] if data is None else [{"url": fetch.url, "body": data, "content_type": None}]
        # Read here by the file's name (its extension tells the format), recorded as every reading is.
        stored = record(db, archive, fetch, documents, report=report, title=report.title)
        outcomes[stored.outcome or UNREADABLE] += 1
    return outcomes
