"""National scale: build databases of 100,000 reports and more straight through the storage layer, then time the
writer, the file and every page and canned query `gxcrawl browse` ships.

    python bench/scale_bench.py [--reports 100000 1000000] [--keep DIR] [--reuse [--add N]] [--no-exports | --no-pages]

A few dozen generated reports of both forms and the legacy table are read by
the parser once; each stored report is one of them under its own identity
(agency, region, year 2008–2025: legacy before 2019), through `record` as a
crawl stores it (sources, scorecards, summaries, all in the report's
transaction). Every tenth report gets a second, later version with other
figures, every fiftieth listed report is a failure. The table then gives, per
size: the writer's reports per second on one core, the file's size per report,
the time of every page (browse_bench's list: each canned query, each chart,
searches, the reports and scorecards tables, a report, an agency's history, a
comparison) and of the exports, with their peak memory. Targets (issue 19):
every page under 1 s, the writer at 200 reports/s or more, memory flat.
"""

import argparse
import asyncio
import dataclasses
import os
import random
import re
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # the project, the samples, browse_bench

import measure  # noqa: E402
from browse_bench import EXPORTS, REGIONS, export, pages  # noqa: E402

from gxcrawl.archive import Archive  # noqa: E402
from gxcrawl.browse.server import make_datasette  # noqa: E402
from gxcrawl.model import Fetch  # noqa: E402
from gxcrawl.recording import record  # noqa: E402
from gxcrawl.report import read_here  # noqa: E402
from gxcrawl.store.runs import finish_run, record_failure, start_run  # noqa: E402
from gxcrawl.store.schema import open_database  # noqa: E402
from support.samples import random_report, render_html  # noqa: E402
from test_legacy import fujian  # noqa: E402

FIRST_YEAR, LAST_YEAR = 2008, 2025
#: The total a tenth of the generated reports misprint (rule R1 fails).
INCONSISTENT = "applications.total.total"


def readings() -> dict[str, list]:
    """A pool of readings per form, each read once by the parser; one in ten prints a total that does not add up,
    so a tenth of the reports fail a check, as real ones do."""
    rng = random.Random(19)
    pool = {}
    for form in ("2019", "2021"):
        pool[form] = []
        for index in range(20):
            sample = random_report(rng, form=form, busy=0.5)
            if index % 10 == 9 and sample.figures[INCONSISTENT] is not None:
                sample.figures[INCONSISTENT] += 7
            pool[form].append(read_here(render_html(sample), "r.html"))
    pool["legacy"] = [read_here(fujian(year), "r.html") for year in (2014, 2015, 2016)]
    return pool


def build(path: Path, count: int, first: int = 0) -> float:
    """Store `count` reports, numbered from `first`; the seconds the writer took (the readings' preparation
    aside)."""
    pool = readings()
    db = open_database(path)
    archive = Archive(path.parent / "archive")
    # One crawl of the portal, over when the database is timed: the agencies missing a year are listed as not
    # publishing (a fiftieth of the reports are failures, so their agencies miss that year).
    run = start_run(db, "henan")
    seconds = 0.0
    years = LAST_YEAR - FIRST_YEAR + 1
    for index in range(first, first + count):
        year = FIRST_YEAR + index % years
        form = "legacy" if year < 2019 else ("2021" if year >= 2021 else "2019")
        region = REGIONS[(index // years) % len(REGIONS)]
        agency = f"{region}第{index // years}局"
        reading = pool[form][index % len(pool[form])]
        report = dataclasses.replace(reading, agency=agency, year=year, warnings=[], cells=dict(reading.cells))
        url = f"http://portal/view/{index}"
        started = time.perf_counter()
        if index % 50 == 49:
            record_failure(db, Fetch("henan", url, agency=agency, year=year), "HTTP 500 (generated failure)")
        else:
            record(
                db,
                archive,
                Fetch("henan", url, portal_id=index, published=f"{year + 1}-01-20", region=region),
                [],
                report=report,
            )
            if index % 10 == 0:
                again = dataclasses.replace(report, figures={**report.figures}, content_sha256=f"v2-{index}")
                key = next(iter(again.figures))
                again.figures[key] = (again.figures[key] or Decimal(0)) + 1
                record(
                    db,
                    archive,
                    Fetch("henan", url + "?v2", portal_id=index, published=f"{year + 1}-03-01", region=region),
                    [],
                    report=again,
                )
        seconds += time.perf_counter() - started
        if (index + 1 - first) % PROGRESS == 0:
            print(f"  {index + 1 - first:,} written, {(index + 1 - first) / seconds:.0f} reports/s so far", flush=True)
    finish_run(db, run, exit_status=0, finish_reason="finished")
    db.close()
    return seconds


def write(path: Path, count: int, first: int, what: str) -> None:
    """Time the writer storing `count` reports numbered from `first`, in a process of its own, so that its memory
    is its own."""
    said, _, peak = measure.run([sys.executable, __file__, "--write", str(path), str(count), str(first)])
    *progress, seconds = said.splitlines()
    print("\n".join(progress))
    seconds = float(seconds)
    print(
        f"\n{what}: written in {seconds:.0f} s, {count / seconds:.0f} reports/s, the writer's peak memory {peak:.0f} MB"
    )


def peak_memory() -> float:
    """This process's peak memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: The writer's speed is said every so many reports: a build of a million takes over an hour.
PROGRESS = 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[100_000])
    parser.add_argument("--keep", type=Path, default=None, help="build the databases here and keep them")
    parser.add_argument("--no-exports", action="store_true", help="time the pages only (an export of 1 M takes long)")
    parser.add_argument("--no-pages", action="store_true", help="time the exports only")
    parser.add_argument(
        "--reuse", action="store_true", help="time a database --keep already holds instead of building it again"
    )
    parser.add_argument(
        "--add",
        type=int,
        metavar="N",
        help="with --reuse: time the writer adding N more reports to the database (its speed at that size)",
    )
    parser.add_argument("--write", nargs=3, metavar=("PATH", "COUNT", "FIRST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:  # the writer's process: its progress, then the seconds it took
        print(build(Path(args.write[0]), int(args.write[1]), int(args.write[2])), flush=True)
        return
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # the writer on one core, as a crawl's is
    for count in args.reports:
        folder = args.keep or Path(tempfile.mkdtemp(prefix="gxcrawl-scale-"))
        path = folder / str(count) / "g.db"  # datasette names it g, as the pages' URLs do
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = count
        if args.reuse and path.exists():
            db = open_database(path)  # what an upgrade adds (indexes, summaries) is made here, not timed
            after = db.execute("SELECT max(portal_id) FROM reports").fetchone()[0] + 1  # numbers no report has
            db.close()
            print(f"\n{count:,} reports: the database {path} is reused, not written again")
            if args.add:
                write(path, args.add, after, f"{args.add:,} reports more, numbered from {after:,}")
                stored += args.add
        else:
            write(path, count, 0, f"{count:,} reports")
        size = path.stat().st_size
        print(f"{size / 1e9:.2f} GB, {size / stored / 1024:.1f} KB a report")
        if not args.no_pages:
            time_pages(path)
        print(f"{'export':<40} {'reports':>8} {'seconds':>8} {'peak MB':>8}")
        for name, arguments in {} if args.no_exports else EXPORTS.items():
            reports, took, peak = export(path, folder, arguments)
            print(f"{name:<40} {reports:>8} {took:>8.1f} {peak:>8.0f}")
    print("targets: every page under 1 s; the writer at 200 reports/s or more; memory flat")


def time_pages(path: Path) -> None:
    """Print the time of every page, asked twice, and browsing's peak memory."""
    datasette = make_datasette([path])
    loop = asyncio.new_event_loop()
    # Each page twice: first as a visitor meets it, after the pages before have warmed or evicted the system's
    # cache of the file, then again at once.
    print(f"{'page':<40} {'status':>6} {'first s':>8} {'again s':>8}")
    for name, url in pages(datasette, "郑州市第0局", "henan/郑州市第0局/2019", "henan/郑州市第0局/2020").items():
        took, gave_up = [], []
        for attempt in ("first", "again"):
            started = time.perf_counter()
            response = loop.run_until_complete(datasette.client.get(url))
            took.append(time.perf_counter() - started)
            timed_out = re.search(r"These facets timed out: ([^<]*)", response.text)
            gave_up += [f"{attempt}: facets timed out: {timed_out[1]}"] if timed_out else []
        said = f"  ({'; '.join(gave_up)})" if gave_up else ""
        print(f"{name:<40} {response.status_code:>6} {took[0]:>8.2f} {took[1]:>8.2f}{said}")
    loop.close()
    print(f"browsing's peak memory (every page above, one process): {peak_memory():.0f} MB")


if __name__ == "__main__":
    main()
