"""How fast gxcrawl parses reports, per input kind, on one core.

    python bench/parse_bench.py [--reports N] [--kinds html,text,pdf,docx,image]

Generates reports with known figures (gxcrawl.samples) in every input kind:
HTML and text in each of their layouts, DOCX built with python-docx, PDF
exported from it by LibreOffice or printed by headless Chromium, and scans
(PDFs of page images at 150 dpi); those rows need `libreoffice-writer-nogui`,
`chromium` and `fonts-noto-cjk`. Each kind is then parsed
in a fresh process pinned to one core, which reports documents per second
(seconds per page for scans), its peak resident memory, and how many
figures were misread (wrong, not merely unread). Targets: 200 HTML, 500
text, 10 PDF and 50 DOCX reports/s; OCR under 5 s per page.
"""

import argparse
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gxcrawl.samples import CellStyle, random_report, render_html, render_text

TARGETS = {"html": (200, "reports/s"), "text": (500, "reports/s"), "pdf": (10, "reports/s"),
           "docx": (50, "reports/s"), "image": (5, "s/page")}


def renderers(kind: str):
    """(row name, share of the N reports, function rendering a list of reports) for one kind."""
    def each(render):
        return lambda samples: [render(sample) for sample in samples]

    if kind == "html":
        return [("html official", 1, each(lambda r: render_html(r, "official"))),
                ("html word", 1, each(lambda r: render_html(r, "word", CellStyle(zero="—")))),
                ("html flat", 1, each(lambda r: render_html(r, "flat")))]
    if kind == "text":
        return [("text tabs", 1, each(lambda r: render_text(r, "tabs").encode())),
                ("text spaces", 1, each(lambda r: render_text(r, "spaces").encode()))]
    from gxcrawl import rendering
    if kind == "docx":
        return [("docx", 1, each(rendering.render_docx))]
    if kind == "pdf":
        return [("pdf from Word", 0.1, lambda samples: rendering.docx_to_pdf([rendering.render_docx(s) for s in samples])),
                ("pdf printed", 0.1, each(lambda r: rendering.print_pdf(rendering.print_page(r)))),
                ("pdf unruled", 0.1, each(lambda r: rendering.print_pdf(rendering.print_page(r, "flat", ruled=False))))]
    if kind == "image":
        return [("scan (OCR)", 0.01, each(lambda r: rendering.scan_pdf(rendering.print_pdf(rendering.print_page(r)))))]
    raise SystemExit(f"unknown kind {kind!r}")


def generate(kind: str, reports: int, folder: Path) -> list[tuple[str, Path]]:
    rng = random.Random(2024)
    rows = []
    for name, share, render in renderers(kind):
        count = max(2, int(reports * share))
        samples = [random_report(rng, form=rng.choice(("2019", "2021")), busy=0.4) for _ in range(count)]
        target = folder / name.replace(" ", "_").replace("(", "").replace(")", "")
        target.mkdir()
        for index, data in enumerate(render(samples)):
            (target / f"{index}.doc").write_bytes(data)
        (target / "expected.pickle").write_bytes(pickle.dumps([s.figures for s in samples]))
        rows.append((name, target))
    return rows


def parse_folder(folder: Path) -> dict:
    """Run in a child process: parse every document of `folder` on one core."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from gxcrawl.report import parse_document

    expected = pickle.loads((folder / "expected.pickle").read_bytes())
    documents = [(folder / f"{index}.doc").read_bytes() for index in range(len(expected))]
    pages = sum(_pages(data) for data in documents)
    parse_document(documents[0], "warm-up")  # imports and the OCR engine's models, not timed
    started = time.perf_counter()
    reports = [parse_document(data, str(index)) for index, data in enumerate(documents)]
    seconds = time.perf_counter() - started
    misread = sum(report.figures.get(key) not in (value, None)
                  for report, figures in zip(reports, expected) for key, value in figures.items())
    unread = sum(report.figures.get(key) is None and value is not None
                 for report, figures in zip(reports, expected) for key, value in figures.items())
    return {"documents": len(documents), "pages": pages, "seconds": seconds, "misread": misread,
            "unread": unread, "figures": sum(len(f) for f in expected),
            "kb": sum(map(len, documents)) / len(documents) / 1024,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _pages(data: bytes) -> int:
    if data.startswith(b"%PDF"):
        import io

        import pdfplumber
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="HTML, text and DOCX reports per layout (default 300)")
    parser.add_argument("--kinds", default="html,text,docx,pdf,image", help="comma-separated kinds to measure")
    parser.add_argument("--parse-folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_folder:
        print(json.dumps(parse_folder(args.parse_folder)))
        return
    print(f"{'kind':<14} {'docs':>5} {'pages':>5} {'KB/doc':>7} {'speed':>9} {'target':>12} {'peak RSS MB':>11} "
          f"{'unread':>7} {'misread':>7}  ok")
    with tempfile.TemporaryDirectory(prefix="gxcrawl-bench-") as work:
        for kind in args.kinds.split(","):
            folder = Path(work, kind)
            folder.mkdir()
            for name, target in generate(kind, args.reports, folder):
                result = json.loads(subprocess.run([sys.executable, __file__, "--parse-folder", str(target)],
                                                   capture_output=True, text=True, check=True).stdout)
                goal, unit = TARGETS[kind]
                if unit == "s/page":
                    speed = result["seconds"] / result["pages"]
                    ok = speed <= goal
                else:
                    speed = result["documents"] / result["seconds"]
                    ok = speed >= goal
                print(f"{name:<14} {result['documents']:>5} {result['pages']:>5} {result['kb']:>7.1f} "
                      f"{speed:>9.2f} {f'{goal} {unit}':>12} {result['rss_mb']:>11.0f} "
                      f"{result['unread']:>7} {result['misread']:>7}  {'yes' if ok and not result['misread'] else 'NO'}",
                      flush=True)


if __name__ == "__main__":
    main()
