"""What the crawler knows of a report besides its documents: the record every spider, import and ingest
hands to storage. It imports nothing heavy, so that a spider's items do not pull in the parser."""

from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass
class Fetch:
    """What the crawler knows of a report besides its documents."""

    source: str
    url: str
    portal_id: int | None = None
    published: str | None = None
    region: str | None = None
    area_code: str | None = None
    #: Agency and year as the portal lists them, when the report's title says nothing.
    agency: str | None = None
    year: int | None = None
    attachments: list[str] = field(default_factory=list)
    #: {url, sha256, content_type} of each document read, the page first.
    documents: list[dict] = field(default_factory=list)
    #: The page's ETag and Last-Modified headers, sent back when the page is rechecked.
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str = field(default_factory=lambda: now())


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
