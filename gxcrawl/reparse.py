"""`gxcrawl reparse`: read the archived documents again, after a parser improvement.

Every version in `report_versions` and every entry of `failures` is parsed
again from the archive, without touching the network, and stored through the
same rules as a crawl: a version whose figures did not change stays as it is;
one that did becomes a new version (current if it was current); a document
that could not be read before and can now is stored.
"""

import json
import multiprocessing
import os
from array import array
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.recording import read, record
from gxcrawl.report import Report
from gxcrawl.store.reports import unstorable
from gxcrawl.store.schema import open_database

#: A version with what its report knows of it, as `reread` takes it (without the figures it is read again for).
VERSIONS = (
    # A version's own source: a report's versions may come from several spiders and imports.
    "SELECT v.id, v.report_id, v.url, v.portal_id, v.published, v.documents, v.etag, v.last_modified, "
    "coalesce(v.source, r.source) AS source, r.region, r.area_code, r.agency, r.year, r.attachments "
    "FROM report_versions v JOIN reports r ON r.id = v.report_id"
)
FAILURES = "SELECT * FROM failures"
#: Documents handed to the readers at a time: the reparse holds two batches and the ids, however many there are.
BATCH = 64
MISSING = "missing from the archive"


def reparse(db_path: str, archive_root: str, jobs: int = 1) -> Counter:
    """Read every stored version and failure again, in `jobs` reading processes (0: one per core), and store each
    through the one writer, in the order they were published."""
    db = open_database(db_path)
    archive = Archive(archive_root)
    outcomes: Counter = Counter()
    # Ids alone, eight bytes a version: the rows are fetched a batch at a time.
    versions = array(
        "q", (row[0] for row in db.execute("SELECT id FROM report_versions ORDER BY published, portal_id, id"))
    )
    failures = array("q", (row[0] for row in db.execute("SELECT id FROM failures WHERE documents != '[]' ORDER BY id")))
    batches = [
        (sql, ids[start : start + BATCH])
        for sql, ids in ((VERSIONS + " WHERE v.id = ?", versions), (FAILURES + " WHERE id = ?", failures))
        for start in range(0, len(ids), BATCH)
    ]
    jobs = jobs or len(os.sched_getaffinity(0))
    if jobs == 1:
        for batch in batches:
            for row in _rows(db, batch):
                outcomes[reread(db, archive, row)] += 1
    else:
        # Not multiprocessing.Pool: its processes are daemons, and a reading process starts the reader child that
        # keeps each document within its budgets (gxcrawl.budget).
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("forkserver")) as pool:
            try:
                pending: list = []
                for batch in [*batches, None]:
                    # The next batch is read by the pool while the writer stores this one.
                    submitted = [pool.submit(_reading, archive_root, row) for row in _rows(db, batch)] if batch else []
                    for future in pending:
                        outcomes[_store(db, archive, *future.result())] += 1
                    pending = submitted
            except BaseException:
                pool.shutdown(cancel_futures=True)  # Ctrl-C or an error: the readings not begun are not waited for
                raise
    db.close()
    return outcomes


def _rows(db, batch: tuple[str, array]) -> list[dict]:
    sql, ids = batch
    return [dict(next(db.query(sql, [key]))) for key in ids]


def _reading(archive_root: str, row: dict) -> tuple[dict, Report | None]:
    """In a reading process: a row's documents read from the archive by the parser (None when they are missing)."""
    documents = _documents(Archive(archive_root), row)
    if documents is None:
        return row, None
    return row, read(documents, _selectors(row))


def reread(db, archive: Archive, row: dict) -> str:
    """Read a stored version (or a failure) again from the archive and record it; what became of it."""
    documents = _documents(archive, row)
    return _store(db, archive, row, None if documents is None else read(documents, _selectors(row)))


def _documents(archive: Archive, row: dict) -> list[dict] | None:
    try:
        return [
            {"url": d["url"], "body": archive.get(d["sha256"]), "content_type": d.get("content_type")}
            for d in json.loads(row["documents"] or "[]")
        ]
    except (OSError, KeyError, TypeError):
        return None


def _selectors(row: dict) -> tuple[str, ...]:
    documents = json.loads(row["documents"] or "[]")
    return tuple(documents[0].get("content_selectors") or ()) if documents else ()


def _store(db, archive: Archive, row: dict, report: Report | None) -> str:
    """Record a reading of a stored version or failure (None: its documents are missing from the archive)."""
    data = _documents(archive, row)
    if report is None or data is None:
        return MISSING
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
        documents=json.loads(row["documents"] or "[]"),
        etag=row.get("etag"),
        last_modified=row.get("last_modified"),
    )
    # A failure row carries the portal's details itself; a version takes them from its report.
    if unstorable(report, fetch):  # a stored version the parser cannot read now is left as it was
        return "still unreadable" if "error" in row else "now unreadable"
    return record(db, archive, fetch, data, report=report, content_selectors=_selectors(row)).outcome


def reread_current(db, archive: Archive, report_id: str) -> str:
    """Read a report's current version again (after a correction of it); what became of it."""
    row = next(db.query(f"{VERSIONS} WHERE v.report_id = ? AND v.superseded = 0", [report_id]), None)
    return reread(db, archive, row) if row else MISSING
