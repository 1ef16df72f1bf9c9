"""The crawl's record: documents that could not be read (`failures`) and the runs (`crawl_runs`)."""

import json

import sqlite_utils

from gxcrawl.model import Fetch, now


def record_failure(
    db: sqlite_utils.Database,
    fetch: Fetch,
    error: str,
    title: str | None = None,
    run_id: int | None = None,
    status: int | None = None,
) -> bool:
    """Keep a document that could not be read, and why (its raw bytes are in the archive); returns
    whether the same URL had failed before."""
    with db.atomic():
        before = (
            next(
                db.query("SELECT 1 FROM failures WHERE source IS ? AND url = ? LIMIT 1", [fetch.source, fetch.url]),
                None,
            )
            is not None
        )
        db["failures"].insert(
            {
                "source": fetch.source,
                "url": fetch.url,
                "portal_id": fetch.portal_id,
                "title": title,
                "error": error,
                "run_id": run_id,
                "published": fetch.published,
                "region": fetch.region,
                "area_code": fetch.area_code,
                "agency": fetch.agency,
                "year": fetch.year,
                "attachments": json.dumps(fetch.attachments, ensure_ascii=False),
                "documents": json.dumps(fetch.documents, ensure_ascii=False),
                "fetched_at": fetch.fetched_at,
                "status": status,
            },
            alter=True,
        )  # databases made before these columns existed gain them
    return before


def start_run(db: sqlite_utils.Database, spider: str, arguments: dict | None = None, scope: str | None = None) -> int:
    """Record a run's start; returns its id.

    Earlier runs that never finished (killed, or the machine went down) are
    marked `interrupted`: the caller holds the writer lock (`gxcrawl.lock`),
    so none of them is still running. What they stored is counted from the
    versions they wrote: a report's first version is new, a later one changed.
    """
    with db.atomic():
        db.conn.execute(
            "UPDATE crawl_runs SET finish_reason = 'interrupted', "
            "reports_new = (SELECT COUNT(*) FROM report_versions v WHERE v.run_id = crawl_runs.id AND NOT EXISTS "
            "(SELECT 1 FROM report_versions e WHERE e.report_id = v.report_id AND e.id < v.id)), "
            "reports_changed = (SELECT COUNT(*) FROM report_versions v WHERE v.run_id = crawl_runs.id AND EXISTS "
            "(SELECT 1 FROM report_versions e WHERE e.report_id = v.report_id AND e.id < v.id)) "
            "WHERE ended IS NULL AND finish_reason IS NULL"
        )
        return (
            db["crawl_runs"]
            .insert(
                {
                    "spider": spider,
                    "started": now(),
                    "scope": scope,
                    "arguments": json.dumps(arguments or {}, ensure_ascii=False),
                }
            )
            .last_pk
        )


def finish_run(db: sqlite_utils.Database, run_id: int, **outcome) -> None:
    with db.atomic():
        db["crawl_runs"].update(run_id, {"ended": now(), **outcome})


def last_run(db: sqlite_utils.Database, spider: str, scope: str | None, succeeded: bool = False) -> dict | None:
    """The latest earlier run of `spider` over `scope` that ended (or was interrupted); with
    `succeeded`, the latest that finished with exit status 0."""
    condition = "AND exit_status = 0 AND finish_reason = 'finished'" if succeeded else ""
    return next(
        db.query(
            f"SELECT * FROM crawl_runs WHERE spider = ? AND scope IS ? AND finish_reason IS NOT NULL "
            f"{condition} ORDER BY id DESC LIMIT 1",
            [spider, scope],
        ),
        None,
    )
