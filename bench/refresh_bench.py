"""What a cron refresh costs the portal, next to a full crawl.

    python bench/refresh_bench.py [--reports 2000]

Serves the replica of the Henan portal on localhost and crawls it into a
fresh database, then refreshes it as cron would (the same command): once
with the portal unchanged, once after 1% new reports were published,
once walking every list page (`-a stop_early=off`), and once with `-a refresh=all`. Prints the requests the
portal received in each run (robots.txt, list pages, report pages, attachments) and their share of
the full crawl's. Target: an unchanged refresh costs under 5% of a full
crawl's requests.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and the replicas (tests/support)

from support.henan_replica import Replica, ReplicaOptions  # noqa: E402
from support.serving import UNTHROTTLED, henan_crawl  # noqa: E402


def crawl(url: str, database: Path, *arguments: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        henan_crawl(url, database, *UNTHROTTLED, *arguments),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"the crawl {' '.join(arguments)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def kinds(paths: list[str]) -> dict[str, int]:
    counted = {"lists": 0, "reports": 0, "other": 0}
    for path in paths:
        kind = "lists" if path.startswith("/zw/public-report?") else "reports" if "/view/" in path else "other"
        counted[kind] += 1
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    replica = Replica(ReplicaOptions(reports=args.reports, corrected=False))
    url = replica.serve()
    runs = []
    with tempfile.TemporaryDirectory(prefix="gxcrawl-bench-") as folder:
        database = Path(folder) / "refresh.db"
        steps = [
            ("full crawl", lambda: None, ()),
            ("refresh, portal unchanged", lambda: None, ()),
            (f"refresh, {args.reports // 100} new (1%)", lambda: replica.publish(args.reports // 100), ()),
            ("refresh, stop_early=off", lambda: None, ("-a", "stop_early=off")),
            ("refresh=all", lambda: None, ("-a", "refresh=all")),
        ]
        for name, change, arguments in steps:
            change()
            before = len(replica.requests)
            seconds = crawl(url, database, *arguments)
            runs.append((name, kinds(replica.requests[before:]), len(replica.requests) - before, seconds))
    replica.stop()
    full = runs[0][2]
    print(f"{'run':<30} {'requests':>8} {'lists':>6} {'reports':>7} {'other':>6} {'of full':>8} {'seconds':>8}")
    for name, counted, total, seconds in runs:
        print(
            f"{name:<30} {total:>8} {counted['lists']:>6} {counted['reports']:>7} {counted['other']:>6} "
            f"{total / full:>8.1%} {seconds:>8.1f}"
        )
    print("target: an unchanged refresh under 5.0% of a full crawl's requests")


if __name__ == "__main__":
    main()
