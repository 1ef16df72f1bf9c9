"""`gxcrawl ingest`: the single writer of a distributed crawl, draining the workers' items from Redis.

Workers (spiders/distributed.py) push one JSON message per report page, per
failure, per page found unchanged, per list interface learnt or retired, and
one per finished run, onto the list
`gxcrawl:items`. The ingest takes each with LMOVE into `gxcrawl:items:processing`,
stores it by the same rules as a crawl (archive, R6, versions, failures),
records its id in `ingested` in the same transaction, and only then removes
it from the processing list. So delivery is at least once and the effect
exactly once: an ingest killed after taking an item finds it in the
processing list when it starts again; one killed after committing finds its
id in `ingested` and only removes it.
"""

import base64
import hashlib
import json
import os
import signal
import socket
import uuid
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import redis

from gxcrawl.archive import Archive
from gxcrawl.keys import DEAD_LETTERS, ITEMS, PROCESSING
from gxcrawl.model import Fetch, now
from gxcrawl.recording import record
from gxcrawl.report import Report
from gxcrawl.store.interfaces import keep_interface, retire_interface
from gxcrawl.store.refresh import confirm_unchanged
from gxcrawl.store.reports import CHANGED, NEW, OLDER, UNCHANGED
from gxcrawl.store.runs import finish_run, record_failure, start_run
from gxcrawl.store.schema import open_database

REPORT, FAILURE, NOT_MODIFIED, RUN = "report", "failure", "not_modified", "run"
INTERFACE, INTERFACE_RETIRED = "interface", "interface_retired"

INGESTED = """
CREATE TABLE IF NOT EXISTS ingested (
    id TEXT PRIMARY KEY,              -- a message from a distributed worker, stored once
    kind TEXT,
    ingested_at TEXT
);
"""


# --- Messages (what workers push) ------------------------------------------------------

_PROCESS_TOKEN = uuid.uuid4().hex[:8]


def worker_id() -> str:
    """Who is working: host, process and a token of this process's own, as containers reuse both."""
    return f"{socket.gethostname()}:{os.getpid()}:{_PROCESS_TOKEN}"


def report_message(
    fetch: Fetch,
    report: Report,
    title: str | None,
    documents: list[dict],
    content_selectors: tuple[str, ...] = (),
    attachment_errors: tuple[dict, ...] = (),
    crawl: str = "",
) -> str:
    """A report page as read: `documents` are {url, body, content_type}, the page first."""
    return _message(
        REPORT,
        crawl,
        fetch=asdict(fetch),
        report=report.to_record(),
        title=title,
        content_selectors=list(content_selectors),
        attachment_errors=list(attachment_errors),
        documents=[
            {"url": d["url"], "content_type": d["content_type"], "body": base64.b64encode(d["body"]).decode("ascii")}
            for d in documents
        ],
    )


def failure_message(
    fetch: Fetch, error: str, crawl: str = "", title: str | None = None, status: int | None = None
) -> str:
    return _message(FAILURE, crawl, fetch=asdict(fetch), error=error, title=title, status=status)


def not_modified_message(source: str, url: str, fetched_at: str, crawl: str = "") -> str:
    return _message(NOT_MODIFIED, crawl, source=source, url=url, fetched_at=fetched_at)


def interface_message(list_url: str, interface: str, description: str, crawl: str = "") -> str:
    """A list's interface, learnt by a worker (keep_interface)."""
    return _message(INTERFACE, crawl, url=list_url, interface=interface, description=description)


def interface_retired_message(list_url: str, why: str, crawl: str = "") -> str:
    return _message(INTERFACE_RETIRED, crawl, url=list_url, why=why)


def run_message(spider: str, worker: str, started: str, arguments: dict, outcome: dict) -> str:
    """A worker's finished run, for `crawl_runs`."""
    return _message(
        RUN, worker + started, spider=spider, worker=worker, started=started, arguments=arguments, outcome=outcome
    )


def _message(kind: str, crawl: str, **fields) -> str:
    """A message whose id is the same when the same thing is sent again in the same crawl (a request done
    twice, after its worker was taken for dead), so that the ingest stores it once."""
    content = (
        fields.get("report", {}).get("content_sha256")
        or fields.get("error")
        or fields.get("fetched_at")
        or fields.get("interface")
        or fields.get("why")
    )
    url = fields.get("fetch", {}).get("url") or fields.get("url") or ""
    identity = json.dumps([crawl, kind, url, content], ensure_ascii=False) if crawl else uuid.uuid4().hex
    return json.dumps(
        {"id": hashlib.sha256(identity.encode()).hexdigest()[:32], "kind": kind, **fields}, ensure_ascii=False
    )


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
        try:
            message = json.loads(data)
            stored = self.store(message)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop every one behind it
            self.reject(data, error)
            return
        if stored:
            self.outcomes[message["kind"] if message["kind"] != REPORT else message["outcome"]] += 1
        else:
            self.outcomes["already stored"] += 1
        self.server.lrem(PROCESSING, 1, data)

    def reject(self, data: bytes, error: Exception) -> None:
        """Set a message that cannot be stored aside, with the reason in `failures`."""
        try:
            url = json.loads(data).get("fetch", {}).get("url") or "(a message of a distributed crawl)"
        except ValueError:
            url = "(a message of a distributed crawl that is not JSON)"
        reason = (
            f"could not be ingested ({type(error).__name__}: {error}); the message is kept in Redis, in {DEAD_LETTERS}"
        )
        record_failure(self.db, Fetch("ingest", url), reason)
        pipe = self.server.pipeline()
        pipe.rpush(DEAD_LETTERS, data)
        pipe.lrem(PROCESSING, 1, data)
        pipe.execute()
        self.outcomes["rejected"] += 1

    def store(self, message: dict) -> bool:
        """Store one message in one transaction; False when it had been stored before."""
        with self.db.atomic():
            if next(self.db.query("SELECT 1 FROM ingested WHERE id = ?", [message["id"]]), None):
                return False
            getattr(self, f"store_{message['kind']}")(message)
            self.db["ingested"].insert({"id": message["id"], "kind": message["kind"], "ingested_at": now()})
        return True

    def store_report(self, message: dict) -> None:
        documents = [
            {"url": d["url"], "body": base64.b64decode(d["body"]), "content_type": d["content_type"]}
            for d in message["documents"]
        ]
        # Read by the worker; archived (content-addressed: twice is harmless), checked and stored here.
        stored = record(
            self.db,
            self.archive,
            Fetch(**message["fetch"]),
            documents,
            report=Report.from_record(message["report"]),
            title=message["title"],
            content_selectors=tuple(message["content_selectors"]),
            attachment_errors=tuple(message["attachment_errors"]),
        )
        message["outcome"] = stored.outcome or "not read"

    def store_failure(self, message: dict) -> None:
        record_failure(
            self.db,
            Fetch(**message["fetch"]),
            message["error"],
            title=message.get("title"),
            status=message.get("status"),
        )

    def store_not_modified(self, message: dict) -> None:
        confirm_unchanged(self.db, message["source"], message["url"], message["fetched_at"])

    def store_interface(self, message: dict) -> None:
        keep_interface(self.db, message["url"], message["interface"], message["description"])

    def store_interface_retired(self, message: dict) -> None:
        retire_interface(self.db, message["url"], message["why"])

    def store_run(self, message: dict) -> None:
        # A worker stores nothing itself: its reports' outcomes are counted in the ingest's own run.
        self.db["crawl_runs"].insert(
            {
                "spider": message["spider"],
                "started": message["started"],
                "ended": now(),
                "reports_new": None,
                "reports_changed": None,
                "reports_unchanged": None,
                "reports_older": None,
                "arguments": json.dumps({**message["arguments"], "worker": message["worker"]}, ensure_ascii=False),
                **message["outcome"],
            }
        )


def ingest(redis_url: str, database: str | Path, archive_root: str | Path, once: bool = False) -> Counter:
    """Drain the workers' items into the database; the caller holds its writer lock."""
    server = redis.Redis.from_url(redis_url)
    server.ping()
    db = open_database(database)
    run_id = start_run(db, "ingest", {"redis": redis_url, "once": once})
    worker = Ingest(server, db, Archive(archive_root))
    previous = {sig: signal.signal(sig, worker.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        outcomes = worker.run(once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        counts = worker.outcomes
        finish_run(
            db,
            run_id,
            finish_reason="stopped" if worker.stopping else "finished",
            reports_new=counts[NEW],
            reports_changed=counts[CHANGED],
            reports_unchanged=counts[UNCHANGED] + counts[NOT_MODIFIED],
            reports_older=counts[OLDER],
            errors=counts[FAILURE] + counts["not read"] + counts["rejected"],
            exit_status=1 if counts["rejected"] else 0,
        )
        db.close()
    return outcomes
