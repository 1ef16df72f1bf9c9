"""How long `gxcrawl reparse` takes for N archived documents, reading in one process and in one per core.

    python bench/reparse_bench.py [--reports 10000]

Generates N reports (HTML, in the portal's three layouts), imports them (which
archives them), then reparses the database twice from copies of it: with
`--jobs 1` and `--jobs 0` (a reading process per core). The writer is one
process either way; the table gives the time, documents per second and the
writer's peak memory in each run (the reading processes are each bounded by
the reading budget).
"""

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import measure  # noqa: E402

from support.samples import random_report, render_html  # noqa: E402

LAYOUTS = ("official", "word", "flat")


def gxcrawl(*arguments: str) -> tuple[float, float]:
    """`gxcrawl ARGUMENTS` run to its end: (seconds, the command's own peak memory in MB)."""
    _, seconds, peak = measure.run([sys.executable, "-m", "gxcrawl", *arguments])
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(10)
    with tempfile.TemporaryDirectory(prefix="gxcrawl-reparse-") as work:
        files = Path(work, "files")
        files.mkdir()
        for index in range(args.reports):
            sample = random_report(rng, agency=f"某市第{index}局", year=2019 + index % 6)
            (files / f"{index}.html").write_bytes(render_html(sample, LAYOUTS[index % len(LAYOUTS)]))
        first = Path(work, "one", "g.db")
        imported, _ = gxcrawl("import", str(files), "--db", str(first))
        print(f"{args.reports} documents imported in {imported:.0f} s")
        print(f"{'reparse':<24} {'seconds':>8} {'documents/s':>12} {'peak MB':>8}")
        for name, jobs in (("--jobs 1", "1"), ("--jobs 0 (every core)", "0")):
            copy = Path(work, f"copy{jobs}")
            shutil.copytree(first.parent, copy)
            seconds, peak = gxcrawl("reparse", "--db", str(copy / "g.db"), "--jobs", jobs)
            print(f"{name:<24} {seconds:>8.1f} {args.reports / seconds:>12.0f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
