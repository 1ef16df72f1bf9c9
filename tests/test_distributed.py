"""Distributed crawls on scrapy-redis, with a real redis-server on a free port: workers, kills, the single writer."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, needs
from gxcrawl import ingest, keys
from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.report import parse_document
from gxcrawl.store.schema import open_database
from support.samples import random_report, render_html
from support.serving import start_redis
from test_crawl import FAST, SCRAPY, assert_database_matches, rows

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

INGEST = [sys.executable, "-m", "gxcrawl", "ingest"]


@pytest.fixture
def redis_url(tmp_path):
    needs("redis-server")
    server, url = start_redis(tmp_path)
    yield url
    server.kill()
    server.wait()


def worker(url: str, redis_url: str, db, *arguments: str, spider: str = "henan") -> subprocess.Popen:
    """A worker of a distributed crawl of `url` (the Henan replica's base, or a column for the site spider)."""
    return subprocess.Popen(
        [
            *SCRAPY,
            "crawl",
            spider,
            "-a",
            f"base_url={url}" if spider == "henan" else f"url={url}",
            "-s",
            f"GXCRAWL_DB={db}",
            "-s",
            f"GXCRAWL_REDIS_URL={redis_url}",
            "-s",
            "GXCRAWL_WORKER_IDLE_SECONDS=3",
            "-s",
            "GXCRAWL_WORKER_DEAD_SECONDS=3",
            "-s",
            "CONCURRENT_REQUESTS=4",
            *FAST,
            *arguments,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen) -> str:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return err


def stat(log: str, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else 0


def run_ingest(redis_url: str, db, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*INGEST, "--redis", redis_url, "--db", str(db), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_two_workers_store_every_report_exactly_once(serve, redis_url, tmp_path):
    replica, url = serve(reports=60, corrected=False, latency=0.25)
    db = tmp_path / "g.db"
    first, second = worker(url, redis_url, db), worker(url, redis_url, db)
    logs = [finish(first), finish(second)]
    # Both worked; the start requests were seeded by one of them only.
    exported = [stat(log, "gxcrawl/exported") for log in logs]
    assert min(exported) >= 5 and sum(exported) == 60, exported
    assert sum("this crawl was seeded by worker" in log for log in logs) == 1
    assert replica.requests.count("/zw/public-report?page=1") == 1
    assert not db.exists()  # workers write no database
    done = run_ingest(redis_url, db, "--once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "60 new, 2 run"
    assert_database_matches(db, replica)
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 60
    runs = rows(db, "SELECT spider, exit_status, walk FROM crawl_runs WHERE spider = 'henan'")
    assert len(runs) == 2 and all(run["exit_status"] == 0 for run in runs)

    # The crawl is over and its marks are cleared: the next run (cron's) starts afresh. Its workers can
    # read the database: they walk every list page (none sees them in order) and fetch only what is new.
    added = replica.publish(25)
    before = len(replica.requests)
    for process in [worker(url, redis_url, db), worker(url, redis_url, db)]:
        finish(process)
    assert replica.requests.count("/zw/public-report?page=1") == 2
    fetched = {path for path in replica.requests[before:] if "/view/" in path}
    assert fetched == {f"/zw/public-report/view/{report.id}" for report in added}
    assert run_ingest(redis_url, db, "--once").stdout.strip() == "25 new, 2 run"
    assert_database_matches(db, replica)


def test_a_worker_killed_midcrawl_loses_nothing(serve, redis_url, tmp_path):
    import redis

    replica, url = serve(reports=40, corrected=False, latency=0.3)
    db = tmp_path / "g.db"
    doomed, survivor = worker(url, redis_url, db), worker(url, redis_url, db)
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 120
    claims = f"{keys.Keys('henan').claims_prefix}*:{doomed.pid}:*"
    while not any(client.llen(key) for key in client.scan_iter(match=claims)):
        assert time.monotonic() < deadline, "the doomed worker never claimed a request"
        time.sleep(0.05)
    time.sleep(1)
    os.killpg(doomed.pid, signal.SIGKILL)  # claims in hand, no chance to give them back
    doomed.wait(timeout=30)
    log = finish(survivor)
    assert stat(log, "gxcrawl/distributed/recovered") >= 1
    done = run_ingest(redis_url, db, "--once")
    assert done.returncode == 0, done.stderr
    assert_database_matches(db, replica)
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 40


def report_messages(count: int) -> list[str]:
    messages = []
    for index in range(count):
        sample = random_report(random.Random(index), agency=f"某局{index}", year=2022)
        report = parse_document(render_html(sample), "r.html")
        body = render_html(sample)
        fetch = Fetch(
            "henan",
            f"http://portal/view/{index}",
            portal_id=index,
            published="2023-02-01",
            agency=sample.agency,
            year=sample.year,
        )
        messages.append(
            ingest.report_message(
                fetch, report, report.title, [{"url": fetch.url, "body": body, "content_type": "text/html"}]
            )
        )
    return messages


def test_an_ingest_killed_between_taking_and_committing_loses_and_doubles_nothing(redis_url, tmp_path):
    import redis

    client = redis.Redis.from_url(redis_url)
    db = tmp_path / "g.db"
    messages = report_messages(120)
    # One that cannot be stored, first in line: it is set aside, and the others are not held up.
    poison = json.loads(messages[0])
    poison["id"], poison["report"]["figures"]["active.regulation.issued"] = "poison", "not a number"
    ingest.push(client, json.dumps(poison, ensure_ascii=False))
    for message in messages:
        ingest.push(client, message)
    # Taken and never committed: as an ingest killed right after LMOVE leaves it.
    client.lmove(keys.ITEMS, keys.PROCESSING, "RIGHT", "LEFT")
    # Committed and never removed: as one killed between its commit and LREM.
    taken = client.lmove(keys.ITEMS, keys.PROCESSING, "RIGHT", "LEFT")
    writer = ingest.Ingest(client, open_database(db), Archive(tmp_path / "archive"))
    assert writer.store(json.loads(taken))
    writer.db.close()

    # And a real kill, wherever it lands.
    process = subprocess.Popen(
        [*INGEST, "--redis", redis_url, "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while rows(db, "SELECT COUNT(*) AS n FROM ingested")[0]["n"] < 40:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.kill()
    process.wait()
    run_ingest(redis_url, db, "--once")  # exits 1 if the item set aside was met in this run
    assert rows(db, "SELECT COUNT(*) AS n FROM reports")[0]["n"] == 120
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 120
    assert rows(db, "SELECT COUNT(*) AS n FROM ingested")[0]["n"] == 120
    assert client.llen(keys.ITEMS) == client.llen(keys.PROCESSING) == 0
    assert client.llen(keys.DEAD_LETTERS) == 1
    [rejected] = rows(db, "SELECT url, error FROM failures WHERE source = 'ingest'")
    assert rejected["url"] == "http://portal/view/0" and "could not be ingested" in rejected["error"]


def test_a_busy_database_or_no_redis_is_refused(redis_url, tmp_path):
    from gxcrawl import lock

    missing = subprocess.run(
        [*INGEST, "--db", str(tmp_path / "g.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "GXCRAWL_REDIS_URL": "", "REDIS_URL": ""},
    )
    assert missing.returncode == 2 and "--redis" in missing.stderr
    with lock.writing(tmp_path / "g.db"):
        busy = run_ingest(redis_url, tmp_path / "g.db", "--once")
    assert busy.returncode == 75 and "is being written by" in busy.stderr


def test_a_worker_learns_a_script_loaded_list_and_the_ingest_keeps_its_interface(redis_url, tmp_path):
    from support.script_lists import LIST_PATHS, ScriptLists

    needs("chromium")
    replica = ScriptLists()
    base = replica.serve()
    db, url = tmp_path / "g.db", base + LIST_PATHS["vue"]
    try:
        finish(worker(url, redis_url, db, spider="site"))
    finally:
        replica.stop()
    assert run_ingest(redis_url, db, "--once").returncode == 0
    stored = {(row["agency"], row["year"]) for row in rows(db, "SELECT agency, year FROM reports")}
    assert stored == {(r.sample.agency, r.sample.year) for r in replica.reports("vue")}
    [kept] = rows(db, "SELECT list_url, description, retired_at FROM list_interfaces")
    assert kept["list_url"] == url and "'pageNum' in the JSON body" in kept["description"]
