"""`gxcrawl ingest`: the single writer of a distributed crawl, draining the workers' items from Redis.

Workers (spiders/distributed.py) push one JSON message per report page, per
failure, per page found unchanged, and one per finished run, onto the list
`gxcrawl:items`. The ingest takes each with LMOVE into `gxcrawl:items:processing`,
stores it by the same rules as a crawl (archive, R6, versions, failures),
records its id in `ingested` in the same transaction, and only then removes
it from the processing list. So delivery is at least once and the effect
exactly once: an ingest killed after taking an item finds it in the
processing list when it starts again; one killed after committing finds its
id in `ingested` and only removes it.
"""

import base64
import json
import os
import signal
import socket
import uuid
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import redis

from gxcrawl import storage
from gxcrawl.archive import Archive
from gxcrawl.report import Report

ITEMS = "gxcrawl:items"
PROCESSING = "gxcrawl:items:processing"
REPORT, FAILURE, UNCHANGED, RUN = "report", "failure", "unchanged", "run"

INGESTED = """
CREATE TABLE IF NOT EXISTS ingested (
    id TEXT PRIMARY KEY,              -- a message from a distributed worker, stored once
    kind TEXT,
    ingested_at TEXT
);
"""


# --- Messages (what workers push) ------------------------------------------------------

def worker_id() -> str:
    """Who is working: host and process, unique among the workers of a crawl."""
    return f"{socket.gethostname()}:{os.getpid()}"


def report_message(fetch: storage.Fetch, report: Report, title: str | None, documents: list[dict],
                   content_selectors: tuple[str, ...] = (), attachment_errors: tuple[dict, ...] = ()) -> str:
    """A report page as read: `documents` are {url, body, content_type}, the page first."""
    return _message(REPORT, fetch=asdict(fetch), report=report.to_record(), title=title,
                    content_selectors=list(content_selectors), attachment_errors=list(attachment_errors),
                    documents=[{"url": d["url"], "content_type": d["content_type"],
                                "body": base64.b64encode(d["body"]).decode("ascii")} for d in documents])


def failure_message(fetch: storage.Fetch, error: str) -> str:
    return _message(FAILURE, fetch=asdict(fetch), error=error)


def unchanged_message(source: str, url: str, fetched_at: str) -> str:
    return _message(UNCHANGED, source=source, url=url, fetched_at=fetched_at)


def run_message(spider: str, worker: str, started: str, arguments: dict, outcome: dict) -> str:
    """A worker's finished run, for `crawl_runs`."""
    return _message(RUN, spider=spider, worker=worker, started=started, arguments=arguments, outcome=outcome)


def _message(kind: str, **fields) -> str:
    return json.dumps({"id": uuid.uuid4().hex, "kind": kind, **fields}, ensure_ascii=False)


def push(server: redis.Redis, message: str) -> None:
    server.lpush(ITEMS, message.encode("utf-8"))


# --- Storing them (the single writer) -----------------------------------------------------

class Ingest:
    def __init__(self, server: redis.Redis, db, archive: Archive):
        self.server = server
        self.db = db
        self.archive = archive
        self.db.conn.executescript(INGESTED)
        self.outcomes: Counter = Counter()
        self.stopping = False

    def run(self, once: bool = False, wait_seconds: float = 1.0) -> Counter:
        """Store items until stopped (SIGINT, SIGTERM), or with `once` until none is left."""
        # Taken by an ingest that died before removing them: stored or not, `ingested` tells.
        for data in self.server.lrange(PROCESSING, 0, -1)[::-1]:
            self.take(data)
        while not self.stopping:
            data = self.server.blmove(ITEMS, PROCESSING, wait_seconds, "RIGHT", "LEFT")
            if data is None:
                if once:
                    break
                continue
            self.take(data)
        return self.outcomes

    def stop(self, *_) -> None:
        self.stopping = True

    def take(self, data: bytes) -> None:
        message = json.loads(data)
        if self.store(message):
            self.outcomes[message["kind"] if message["kind"] != REPORT else message["outcome"]] += 1
        else:
            self.outcomes["already stored"] += 1
        self.server.lrem(PROCESSING, 1, data)

    def store(self, message: dict) -> bool:
        """Store one message in one transaction; False when it had been stored before."""
        if message["kind"] == REPORT:  # content-addressed, so writing twice is harmless
            for document in message["documents"]:
                document["sha256"] = self.archive.put(base64.b64decode(document["body"]))
        with self.db.atomic():
            if next(self.db.query("SELECT 1 FROM ingested WHERE id = ?", [message["id"]]), None):
                return False
            getattr(self, f"store_{message['kind']}")(message)
            self.db["ingested"].insert({"id": message["id"], "kind": message["kind"],
                                        "ingested_at": storage.now()})
        return True

    def store_report(self, message: dict) -> None:
        fetch = storage.Fetch(**message["fetch"])
        fetch.documents = [{"url": d["url"], "sha256": d["sha256"], "content_type": d["content_type"]}
                           for d in message["documents"]]
        fetch.documents[0]["content_selectors"] = message["content_selectors"]
        report = Report.from_record(message["report"])
        warning = None if report.error else storage.carried_over_warning(self.db, report)
        if warning and warning not in report.warnings:
            report.warnings.append(warning)
        stored = storage.store_reading(self.db, report, fetch, message["title"],
                                       tuple(message["attachment_errors"]))
        message["outcome"] = stored.outcome or "not read"

    def store_failure(self, message: dict) -> None:
        storage.record_failure(self.db, storage.Fetch(**message["fetch"]), message["error"])

    def store_unchanged(self, message: dict) -> None:
        storage.confirm_unchanged(self.db, message["source"], message["url"], message["fetched_at"])

    def store_run(self, message: dict) -> None:
        # A worker stores nothing itself: its reports' outcomes are counted in the ingest's own run.
        self.db["crawl_runs"].insert({"spider": message["spider"], "started": message["started"],
                                      "ended": storage.now(), "reports_new": None, "reports_changed": None,
                                      "reports_unchanged": None, "reports_older": None,
                                      "arguments": json.dumps({**message["arguments"], "worker": message["worker"]},
                                                              ensure_ascii=False),
                                      **message["outcome"]})


def ingest(redis_url: str, database: str | Path, archive_root: str | Path, once: bool = False) -> Counter:
    """Drain the workers' items into the database; the caller holds its writer lock."""
    server = redis.Redis.from_url(redis_url)
    server.ping()
    db = storage.open_database(database)
    run_id = storage.start_run(db, "ingest", {"redis": redis_url, "once": once})
    worker = Ingest(server, db, Archive(archive_root))
    previous = {sig: signal.signal(sig, worker.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        outcomes = worker.run(once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        counts = worker.outcomes
        storage.finish_run(db, run_id, finish_reason="stopped" if worker.stopping else "finished",
                           reports_new=counts[storage.NEW], reports_changed=counts[storage.CHANGED],
                           reports_unchanged=counts[storage.UNCHANGED] + counts[UNCHANGED],
                           reports_older=counts[storage.OLDER],
                           errors=counts[FAILURE] + counts["not read"], exit_status=0)
        db.close()
    return outcomes
