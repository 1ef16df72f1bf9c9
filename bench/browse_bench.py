"""How fast `gxcrawl browse` answers on a large database: the canned queries, the charts, search, a report.

    python bench/browse_bench.py [--reports 30000]

Builds a database of N reports (a few hundred generated reports read by the
parser, stored under N agency-and-year identities, so every report has every
figure of its form: about 200 figure rows each) and times, through
datasette's own client, each canned query, each chart's query, searches of
two and four characters, the reports table with its facets, and one report's
page in the form's layout. Datasette stops a query after 5 s
(`sql_time_limit_ms`): target, every page under 5 s at 30,000 reports, a
year's worth for a large province.
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
        charts = datasette.metadata("plugins")["datasette-dashboards"]["reports"]["charts"]
        pages = {
            f"canned query {name}": f"/g/{name}.json?rule=&year="
            for name in datasette.metadata("queries", database="g")
        }
        pages.update(
            {
                f"chart {slug}": "/g.json?sql=" + quote(re.sub(r"\[\[.*?\]\]", "", chart["query"]))
                for slug, chart in charts.items()
            }
        )
        pages.update(
            {
                "reports, with facets": "/g/reports",
                "search, 2 characters (LIKE)": "/g/reports?_search=第1",
                "search, 4 characters (FTS5)": "/g/reports?_search=郑州市第",
                "a report as printed": "/g/reports/" + tilde_encode("henan/郑州市第0局/2019"),
            }
        )
        loop = asyncio.new_event_loop()
        print(f"{'page':<40} {'status':>6} {'seconds':>8}")
        for name, url in pages.items():
            started = time.perf_counter()
            response = loop.run_until_complete(datasette.client.get(url))
            print(f"{name:<40} {response.status_code:>6} {time.perf_counter() - started:>8.2f}")
        loop.close()
    print("target: every page answers (200) in under 5 s")


if __name__ == "__main__":
    main()
