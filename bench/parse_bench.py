"""How fast gxcrawl parses reports, per input kind, on one core.

    python bench/parse_bench.py [--reports N]

Generates N reports per kind (gxcrawl.samples: both forms, every layout),
parses them in this process and prints reports per second and the peak memory
the parsing allocated (tracemalloc, measured in a separate pass so that it does
not slow the timed one). Targets (issue 2): 200 HTML and 500 text reports/s.
"""

import argparse
import random
import resource
import time
import tracemalloc

from gxcrawl.report import parse_document
from gxcrawl.samples import CellStyle, random_report, render_html, render_text

KINDS = {
    "html official": lambda r: render_html(r, "official"),
    "html word": lambda r: render_html(r, "word", CellStyle(zero="—")),
    "html flat": lambda r: render_html(r, "flat"),
    "text tabs": lambda r: render_text(r, "tabs").encode(),
    "text spaces": lambda r: render_text(r, "spaces").encode(),
}
TARGETS = {"html": 200, "text": 500}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="reports per kind (default 300)")
    args = parser.parse_args()
    rng = random.Random(2024)
    samples = [random_report(rng, form=rng.choice(("2019", "2021")), busy=0.4) for _ in range(args.reports)]
    print(f"{'kind':<14} {'reports':>7} {'KB/report':>9} {'reports/s':>10} {'target':>7} {'py peak MB':>10}  ok")
    for kind, render in KINDS.items():
        documents = [render(sample) for sample in samples]
        started = time.perf_counter()
        reports = [parse_document(data, kind) for data in documents]
        elapsed = time.perf_counter() - started
        wrong = sum(report.figures != sample.figures for report, sample in zip(reports, samples))
        tracemalloc.start()
        for data in documents[:50]:
            parse_document(data, kind)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        rate = len(documents) / elapsed
        target = TARGETS[kind.split()[0]]
        size = sum(map(len, documents)) / len(documents) / 1024
        print(f"{kind:<14} {len(documents):>7} {size:>9.1f} {rate:>10.0f} {target:>7} {peak:>10.1f}  "
              f"{'yes' if rate >= target and not wrong else 'NO'}{f' ({wrong} misread)' if wrong else ''}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
