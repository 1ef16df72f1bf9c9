"""How fast `scrapy crawl henan` runs, next to what Scrapy itself manages on this machine.

    python bench/crawl_bench.py [--reports 2000]

Serves the replica of the Henan portal on localhost, crawls it with
throttling off (the real parsing and storage included), then runs `scrapy
bench` (Scrapy alone, following links on a local server, no processing) for
the same machine's baseline. Prints pages/min and reports/min, the ratio to
`scrapy bench`, and peak memory for half and for all of the reports, so
that memory growing with the crawl shows. Target: at least half of `scrapy
bench`'s pages/min, and memory that does not grow with the number of reports.
The same is measured for a portal behind a cookie challenge and for one whose
lists are rendered in the browser (hundreds of browser pages).
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and the replicas (tests/support)

from support.henan_replica import Replica, ReplicaOptions  # noqa: E402
from support.serving import UNTHROTTLED, henan_crawl  # noqa: E402

PEAK_RSS = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print('peak RSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, 'KB', file=sys.stderr); "
    "sys.exit(code)"
)
#: At full speed, logging what the crawl counted.
MEASURED = [*UNTHROTTLED, "-s", "LOG_LEVEL=INFO"]


MODES = {
    "plain": ({}, []),
    "challenge": ({"challenge": True}, []),
    "browser lists": ({"browser_lists": True}, ["-a", "json_list=off"]),
}


def crawl(reports: int, work: Path, mode: str = "plain") -> dict:
    options, arguments = MODES[mode]
    replica = Replica(ReplicaOptions(reports=reports, gbk_every=7, corrected=True, **options))
    url = replica.serve()
    database = work / f"bench-{mode.replace(' ', '-')}-{reports}.db"
    started = time.perf_counter()
    # Scrapy's memusage/max is sampled once a minute; a wrapper reads the crawl's true peak RSS.
    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *henan_crawl(url, database, *arguments, *MEASURED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    replica.stop()
    if result.returncode:
        raise SystemExit(f"the crawl of {reports} reports failed:\n{result.stderr[-2000:]}")
    stats = result.stderr
    pages = int(re.search(r"'response_received_count': (\d+)", stats).group(1))
    items = int(re.search(r"'item_scraped_count': (\d+)", stats).group(1))
    memory = int(re.search(r"peak RSS (\d+) KB", stats).group(1)) * 1024
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", stats).group(1))
    browser = re.search(r"'gxcrawl/pages/browser': (\d+)", stats)
    return {
        "pages": pages,
        "items": items,
        "elapsed": elapsed,
        "wall": seconds,
        "memory": memory / 2**20,
        "browser": int(browser.group(1)) if browser else 0,
    }


def scrapy_bench(work: Path) -> float:
    """`scrapy bench`'s pages/min, run outside the project so that only Scrapy's defaults apply."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", "CLOSESPIDER_TIMEOUT=15", "-s", "LOG_LEVEL=INFO"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    pages = int(re.search(r"'response_received_count': (\d+)", result.stderr).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", result.stderr).group(1))
    return pages / elapsed * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument(
        "--modes",
        default="plain,challenge,browser lists",
        help="replica modes to crawl: plain, challenge, browser lists",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gxcrawl-bench-") as folder:
        work = Path(folder)
        baseline = scrapy_bench(work)
        runs = [
            (mode, n, crawl(n, work, mode)) for mode in args.modes.split(",") for n in (args.reports // 2, args.reports)
        ]
    print(
        f"{'run':<30} {'pages':>6} {'browser':>7} {'reports':>7} {'pages/min':>10} {'reports/min':>11} "
        f"{'vs bench':>9} {'peak MB':>8}"
    )
    print(f"{'scrapy bench':<30} {'':>6} {'':>7} {'':>7} {baseline:>10.0f} {'':>11} {'1.00':>9} {'':>8}")
    for mode, reports, run in runs:
        rate = run["pages"] / run["elapsed"] * 60
        print(
            f"{f'henan, {mode} ({reports})':<30} {run['pages']:>6} {run['browser']:>7} {run['items']:>7} "
            f"{rate:>10.0f} {run['items'] / run['elapsed'] * 60:>11.0f} {rate / baseline:>9.2f} "
            f"{run['memory']:>8.0f}"
        )
    for mode in args.modes.split(","):
        (_, small_n, small), (_, large_n, large) = [(m, n, r) for m, n, r in runs if m == mode]
        print(
            f"{mode}: peak memory {small['memory']:.0f} MB for {small_n} reports, {large['memory']:.0f} MB for "
            f"{large_n} ({'flat' if large['memory'] < small['memory'] * 1.15 else 'GROWS'})"
        )
    print("target: the plain crawl ≥ 0.50 of scrapy bench's pages/min, memory flat")


if __name__ == "__main__":
    main()
