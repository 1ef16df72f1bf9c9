"""How fast `gxcrawl browse` answers on a large database: the canned queries, the charts, search, a report.

    python bench/browse_bench.py [--reports 30000]

Builds a database of N reports (a few hundred generated reports read by the
parser, stored under N agency-and-year identities, so every report has every
figure of its form: about 200 figure rows each) and times, through
datasette's own client, each canned query, each chart's query, searches of
two and four characters, the reports table with its facets, and one report's
page in the form's layout. Datasette stops a query after 5 s
(`sql_time_limit_ms`): target, every page under 2 s at 30,000 reports, a
year's worth for a large province. Then it times `gxcrawl export` in each
format, and one year's export against every year's, with the export
process's peak memory.
"""

import argparse
import asyncio
import dataclasses
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from gxcrawl.model import Fetch  # noqa: E402
from gxcrawl.store.reports import store_report  # noqa: E402
from gxcrawl.store.schema import open_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and the replicas (tests/support)

import measure  # noqa: E402
from datasette.utils import tilde_encode  # noqa: E402

from gxcrawl.browse.server import make_datasette  # noqa: E402
from gxcrawl.report import parse_document  # noqa: E402
from support.samples import random_report, render_html  # noqa: E402

REGIONS = ("郑州市", "开封市", "洛阳市", "新乡市", "卫辉市", "安阳市", "南阳市", "信阳市")


def build(path: Path, count: int) -> None:
    rng = random.Random(7)
    readings = [
        parse_document(
            render_html(random_report(rng, year=2019 + index % 5, form="2021" if index % 5 >= 2 else "2019")), "r.html"
        )
        for index in range(200)
    ]
    db = open_database(path)
    for index in range(count):
        reading = readings[index % len(readings)]
        agency = f"{REGIONS[index % len(REGIONS)]}第{index // 5}局"
        report = dataclasses.replace(reading, agency=agency, year=2019 + index % 5)
        store_report(
            db,
            report,
            Fetch(
                "henan",
                f"http://portal/view/{index}",
                portal_id=index,
                published=f"{report.year + 1}-02-01",
                region=REGIONS[index % len(REGIONS)],
            ),
        )
    db.close()


def pages(datasette, agency: str, earlier: str, later: str) -> dict[str, str]:
    """Every page and canned query gxcrawl browse ships, by name: its URL (an agency's history and a comparison of
    the reports given)."""
    charts = datasette.metadata("plugins")["datasette-dashboards"]["reports"]["charts"]
    found = {
        f"canned query {name}": f"/g/{name}.json?rule=&year=&agency=&region="
        for name in datasette.metadata("queries", database="g")
    }
    found.update(
        {
            f"chart {slug}": "/g.json?sql=" + quote(re.sub(r"\[\[.*?\]\]", "", chart["query"]))
            for slug, chart in charts.items()
        }
    )
    found.update(
        {
            "reports, with facets": "/g/reports",
            "search, 1 character (LIKE)": "/g/reports?_search=局",
            "search, 1 character no report has": "/g/reports?_search=豫",
            "search, 2 characters (LIKE)": "/g/reports?_search=第1",
            "search, 4 characters (FTS5)": "/g/reports?_search=郑州市第",
            "a report as printed": "/g/reports/" + tilde_encode(earlier),
            "scorecards, with facets": "/g/scorecards",
            "reports_wide, a page of 50": "/g/reports_wide?_size=50",
            "an agency's history": "/-/gxcrawl/g/agency?name=" + quote(agency),
            "two years compared": f"/-/gxcrawl/g/compare?a={quote(earlier)}&b={quote(later)}",
        }
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=30000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gxcrawl-bench-") as folder:
        path = Path(folder) / "g.db"
        started = time.perf_counter()
        build(path, args.reports)
        print(f"built {args.reports} reports in {time.perf_counter() - started:.0f} s")
        datasette = make_datasette([path])
        urls = pages(datasette, "郑州市第0局", "henan/郑州市第0局/2019", "henan/开封市第0局/2020")
        loop = asyncio.new_event_loop()
        print(f"{'page':<40} {'status':>6} {'seconds':>8}")
        for name, url in urls.items():
            started = time.perf_counter()
            response = loop.run_until_complete(datasette.client.get(url))
            print(f"{name:<40} {response.status_code:>6} {time.perf_counter() - started:>8.2f}")
        loop.close()
        print(f"\n{'export':<40} {'reports':>8} {'seconds':>8} {'peak MB':>8}")
        for name, arguments in EXPORTS.items():
            reports, seconds, peak = export(path, Path(folder), arguments)
            print(f"{name:<40} {reports:>8} {seconds:>8.1f} {peak:>8.0f}")
    print("targets: every page answers (200) in under 2 s; an export's memory does not grow with its reports")


#: Exports timed: one year's reports, and all of them (memory flat: the same peak for five times the reports).
EXPORTS = {
    "csv, one year": ["--format", "csv", "--year", "2021"],
    "csv, every year": ["--format", "csv"],
    "xlsx, every year": ["--format", "xlsx"],
    "parquet, every year": ["--format", "parquet"],
}


def export(path: Path, folder: Path, arguments: list[str]) -> tuple[int, float, float]:
    """(reports written, seconds, the export process's peak memory in MB) of `gxcrawl export` in its own process."""
    out = folder / f"export.{arguments[1]}"
    said, seconds, peak = measure.run(
        [sys.executable, "-m", "gxcrawl", "export", str(out), "--db", str(path), *arguments]
    )
    return int(said.split()[0]), seconds, peak


if __name__ == "__main__":
    main()
