"""How distributed crawling scales: 1, 2 and 4 workers on one queue, each capped as a polite worker is.

    python bench/distributed_bench.py [--reports 600] [--latency 0.2] [--concurrency 4]

Starts redis-server on a free port and the replica of the Henan portal with
an added latency on every report page (a slow government server), then runs
1, 2 and 4 workers (`scrapy crawl henan` with GXCRAWL_REDIS_URL) at once,
each limited to `--concurrency` requests at a time, and watches the items
arrive in Redis. Prints reports/min from launch to the last item, and over
the middle of the crawl (10% to 90% of the items, without the start-up of
Scrapy and Chromium's driver), with the speed-up over one worker. Target: 2
workers at least 1.8× one worker.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and the replicas (tests/support)

from gxcrawl import ingest  # noqa: E402
from support.henan_replica import Replica, ReplicaOptions  # noqa: E402
from support.serving import henan_crawl, start_redis  # noqa: E402


def crawl(workers: int, reports: int, latency: float, concurrency: int, work: Path) -> dict:
    server, url = start_redis(work)
    client = redis.Redis.from_url(url)
    replica = Replica(ReplicaOptions(reports=reports, corrected=False, latency=latency))
    base = replica.serve()
    command = henan_crawl(
        base,
        work / "none.db",
        "-s",
        f"GXCRAWL_REDIS_URL={url}",
        "-s",
        "GXCRAWL_WORKER_IDLE_SECONDS=2",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        f"CONCURRENT_REQUESTS={concurrency}",
        "-s",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s",
        "LOG_LEVEL=WARNING",
    )
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    marks = {}
    while len(marks) < 3:
        arrived = client.llen(ingest.ITEMS)
        for share in (0.1, 0.9, 1.0):
            if share not in marks and arrived >= share * reports:
                marks[share] = time.perf_counter() - started
        time.sleep(0.05)
    statuses = [process.wait() for process in processes]
    replica.stop()
    server.kill()
    server.wait()
    if any(statuses):
        raise SystemExit(f"a worker failed (exit statuses {statuses})")
    return {
        "total": reports / marks[1.0] * 60,
        "middle": 0.8 * reports / (marks[0.9] - marks[0.1]) * 60,
        "seconds": marks[1.0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=600)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds each report page takes")
    parser.add_argument("--concurrency", type=int, default=4, help="requests at a time, per worker")
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        raise SystemExit("needs redis-server (apt-get install redis-server)")
    with tempfile.TemporaryDirectory(prefix="gxcrawl-bench-") as folder:
        runs = {n: crawl(n, args.reports, args.latency, args.concurrency, Path(folder)) for n in (1, 2, 4)}
    print(
        f"{args.reports} reports, {args.latency * 1000:.0f} ms a report page, {args.concurrency} requests at a "
        "time per worker"
    )
    print(f"{'workers':>7} {'seconds':>8} {'reports/min':>12} {'speed-up':>9} {'middle r/min':>13} {'speed-up':>9}")
    for n, run in runs.items():
        print(
            f"{n:>7} {run['seconds']:>8.1f} {run['total']:>12.0f} {run['total'] / runs[1]['total']:>9.2f} "
            f"{run['middle']:>13.0f} {run['middle'] / runs[1]['middle']:>9.2f}"
        )
    print("target: 2 workers at least 1.80 × one worker")


if __name__ == "__main__":
    main()
