"""What a refresh reads and writes: the pages stored before, those that failed, and pages found unchanged."""

from dataclasses import dataclass

import sqlite_utils

from gxcrawl.model import now


@dataclass(frozen=True)
class StoredPage:
    """A page a report was stored from: when the portal published it, its HTTP validators of the latest
    version, how many attachments that version was read with, and when the page was first stored."""

    url: str
    published: str | None
    etag: str | None
    last_modified: str | None
    attachments: int = 0
    first_stored: str | None = None


def stored_pages(db: sqlite_utils.Database, source: str) -> dict[str, StoredPage]:
    """Every page of `source` a report version was stored from, by URL."""
    prefix = f"{source}/"
    # Versions stored before `source` was recorded are told by their report's id.
    rows = db.query(
        "SELECT url, published, etag, last_modified, "
        "MAX(coalesce(json_array_length(documents), 1) - 1, 0) AS attachments, fetched_at "
        "FROM report_versions WHERE (source = ? OR (source IS NULL AND substr(report_id, 1, ?) = ?)) "
        "AND url IS NOT NULL ORDER BY id",
        [source, len(prefix), prefix],
    )
    pages: dict[str, StoredPage] = {}
    for row in rows:
        fetched = row.pop("fetched_at")
        earlier = pages.get(row["url"])
        pages[row["url"]] = StoredPage(**row, first_stored=earlier.first_stored if earlier else fetched)
    return pages


def failed_pages(db: sqlite_utils.Database, source: str) -> dict[str, str]:
    """URLs of `source` that could not be fetched or read at some point, with when that first happened."""
    return {
        row["url"]: row["first"]
        for row in db.query(
            "SELECT url, MIN(fetched_at) AS first FROM failures WHERE source = ? GROUP BY url", [source]
        )
    }


def confirm_unchanged(db: sqlite_utils.Database, source: str, url: str, fetched_at: str | None = None) -> bool:
    """The portal said a stored page has not changed (HTTP 304): only `last_seen` moves.

    Returns False when the current version of no report comes from that page (it was superseded).
    """
    with db.atomic():
        cursor = db.conn.execute(
            "UPDATE reports SET last_seen = ? WHERE id IN (SELECT report_id FROM report_versions WHERE url = ? "
            "AND (source = ? OR (source IS NULL AND substr(report_id, 1, ?) = ?)) AND superseded = 0)",
            [fetched_at or now(), url, source, len(source) + 1, f"{source}/"],
        )
    return cursor.rowcount > 0
