"""`gxcrawl reparse`: read the archived documents again, after a parser improvement.

Every version in `report_versions` and every entry of `failures` is parsed
again from the archive, without touching the network, and stored through the
same rules as a crawl: a version whose figures did not change stays as it is;
one that did becomes a new version (current if it was current); a document
that could not be read before and can now is stored.
"""

import json
from collections import Counter

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.recording import read, record
from gxcrawl.store.reports import unstorable
from gxcrawl.store.schema import open_database

#: A version with what its report knows of it, as `reread` takes it.
VERSIONS = (
    # A version's own source: a report's versions may come from several spiders and imports.
    "SELECT v.*, coalesce(v.source, r.source) AS source, r.region, r.area_code, r.agency, r.year, "
    "r.attachments FROM report_versions v JOIN reports r ON r.id = v.report_id"
)


def reparse(db_path: str, archive_root: str) -> Counter:
    db = open_database(db_path)
    archive = Archive(archive_root)
    outcomes: Counter = Counter()
    versions = list(db.query(f"{VERSIONS} ORDER BY v.published, v.portal_id, v.id"))
    failures = list(db.query("SELECT * FROM failures WHERE documents != '[]' ORDER BY id"))
    for row in versions + failures:
        outcomes[reread(db, archive, row)] += 1
    db.close()
    return outcomes


def reread(db, archive: Archive, row: dict) -> str:
    """Read a stored version (or a failure) again from the archive and record it; what became of it."""
    documents = json.loads(row["documents"] or "[]")
    try:
        data = [
            {"url": d["url"], "body": archive.get(d["sha256"]), "content_type": d.get("content_type")}
            for d in documents
        ]
    except (OSError, KeyError, TypeError):
        return MISSING
    selectors = tuple(documents[0].get("content_selectors") or ()) if documents else ()
    report = read(data, selectors)
    fetch = Fetch(
        source=row["source"],
        url=row["url"],
        portal_id=row["portal_id"],
        published=row.get("published"),
        region=row.get("region"),
        area_code=row.get("area_code"),
        agency=row.get("agency"),
        year=row.get("year"),
        attachments=json.loads(row.get("attachments") or "[]"),
        documents=documents,
        etag=row.get("etag"),
        last_modified=row.get("last_modified"),
    )
    # A failure row carries the portal's details itself; a version takes them from its report.
    if unstorable(report, fetch):  # a stored version the parser cannot read now is left as it was
        return "still unreadable" if "error" in row else "now unreadable"
    return record(db, archive, fetch, data, report=report, content_selectors=selectors).outcome


def reread_current(db, archive: Archive, report_id: str) -> str:
    """Read a report's current version again (after a correction of it); what became of it."""
    row = next(db.query(f"{VERSIONS} WHERE v.report_id = ? AND v.superseded = 0", [report_id]), None)
    return reread(db, archive, row) if row else MISSING


MISSING = "missing from the archive"
