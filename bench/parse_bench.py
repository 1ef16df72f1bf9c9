"""How fast gxcrawl parses reports, per input kind, on one core.

    python bench/parse_bench.py [--reports N] [--kinds html,text,pdf,docx,image,real]

Generates reports with known figures (support.samples) in every input kind:
HTML and text in each of their layouts, DOCX built with python-docx, PDF
exported from it by LibreOffice or printed by headless Chromium, and scans
(PDFs of page images at 150 dpi in grey); those rows need `libreoffice-writer-nogui`,
`chromium` and `fonts-noto-cjk`. The `real` kind reads the real reports of
../shared/realworld that have expected figures (by format), and
szfgs2024.pdf scanned: rendered at 150 dpi in grey by pdftoppm
(`poppler-utils`) into a PDF of page images, its own text layer's reading
being the expected figures. Each row is then parsed in a fresh process pinned
to one core, which reports documents per second (seconds per page for
scans), its peak resident memory, how many figures were unread (null
where a value was expected) and misread (wrong), and the size of a report's
JSON as `gxcrawl parse` prints it: its mean, and the largest ratio of the
whole to the same without `cells`, the figures' sources (issue 17: at most
~3×). Targets: 200 HTML, 500 text, 10 PDF and 50 DOCX reports/s; scans at
most 1 s per page.
"""

import argparse
import io
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the sample reports (tests/support)

from support.samples import CellStyle, random_report, render_html, render_text  # noqa: E402

TARGETS = {
    "html": (200, "reports/s"),
    "text": (500, "reports/s"),
    "pdf": (10, "reports/s"),
    "docx": (50, "reports/s"),
    "image": (1, "s/page"),
}
REALWORLD = Path(__file__).resolve().parent.parent.parent / "shared" / "realworld"
#: The real text-layer PDF that is also read scanned, its text layer giving the expected figures.
SCANNED_REAL = "szfgs2024.pdf"


def renderers(kind: str):
    """(row name, share of the N reports, function rendering a list of reports) for one kind."""

    def each(render):
        return lambda samples: [render(sample) for sample in samples]

    if kind == "html":
        return [
            ("html official", 1, each(lambda r: render_html(r, "official"))),
            ("html word", 1, each(lambda r: render_html(r, "word", CellStyle(zero="—")))),
            ("html flat", 1, each(lambda r: render_html(r, "flat"))),
        ]
    if kind == "text":
        return [
            ("text tabs", 1, each(lambda r: render_text(r, "tabs").encode())),
            ("text spaces", 1, each(lambda r: render_text(r, "spaces").encode())),
        ]
    from support import rendering

    if kind == "docx":
        return [("docx", 1, each(rendering.render_docx))]
    if kind == "pdf":
        return [
            ("pdf from Word", 0.1, lambda samples: rendering.docx_to_pdf([rendering.render_docx(s) for s in samples])),
            ("pdf printed", 0.1, each(lambda r: rendering.print_pdf(rendering.print_page(r)))),
            ("pdf unruled", 0.1, each(lambda r: rendering.print_pdf(rendering.print_page(r, "flat", ruled=False)))),
        ]
    if kind == "image":
        return [("scan (OCR)", 0.01, each(lambda r: rendering.scan_pdf(rendering.print_pdf(rendering.print_page(r)))))]
    raise SystemExit(f"unknown kind {kind!r}")


def generate(kind: str, reports: int, folder: Path) -> list[tuple[str, str, Path]]:
    """(row name, target kind, folder of documents and their expected figures) for one kind."""
    if kind == "real":
        return real_documents(folder)
    rng = random.Random(2024)
    rows = []
    for name, share, render in renderers(kind):
        count = max(2, int(reports * share))
        samples = [random_report(rng, form=rng.choice(("2019", "2021")), busy=0.4) for _ in range(count)]
        rows.append((name, kind, _row_folder(folder, name, render(samples), [s.figures for s in samples])))
    return rows


def real_documents(folder: Path) -> list[tuple[str, str, Path]]:
    """The real reports with expected figures, by format, and szfgs2024.pdf scanned."""
    from gxcrawl.documents import sniff
    from gxcrawl.report import parse_document

    if not (REALWORLD / "expected.json").exists():
        print(f"(no real documents: {REALWORLD} is absent)")
        return []
    by_format: dict[str, tuple[list[bytes], list[dict]]] = {}
    for entry in json.loads((REALWORLD / "expected.json").read_text()).values():
        data = (REALWORLD / "docs" / entry["file"]).read_bytes()
        documents, expected = by_format.setdefault(sniff(data), ([], []))
        documents.append(data)
        expected.append(
            {key: None if value is None else Decimal(str(value)) for key, value in entry["figures"].items()}
        )
    rows = [
        (f"real {kind}", kind, _row_folder(folder, f"real {kind}", documents, expected))
        for kind, (documents, expected) in sorted(by_format.items())
    ]
    original = (REALWORLD / "docs" / SCANNED_REAL).read_bytes()
    reference = parse_document(original, SCANNED_REAL).figures
    rows.append(("real scan", "image", _row_folder(folder, "real scan", [_scanned(original, folder)], [reference])))
    return rows


def _scanned(pdf: bytes, folder: Path) -> bytes:
    """A PDF as pdftoppm renders it at 150 dpi in grey, made a PDF of page images (no text)."""
    from PIL import Image

    work = folder / "pdftoppm"
    work.mkdir()
    (work / "original.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", str(work / "original.pdf"), str(work / "page")], check=True, timeout=300
    )
    pages = [Image.open(path) for path in sorted(work.glob("page-*.pgm"))]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()


def _row_folder(folder: Path, name: str, documents: list[bytes], expected: list[dict]) -> Path:
    target = folder / name.replace(" ", "_").replace("(", "").replace(")", "")
    target.mkdir()
    for index, data in enumerate(documents):
        (target / f"{index}.doc").write_bytes(data)
    (target / "expected.pickle").write_bytes(pickle.dumps(expected))
    return target


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
    misread = sum(
        report.figures.get(key) not in (value, None)
        for report, figures in zip(reports, expected)
        for key, value in figures.items()
    )
    unread = sum(
        report.figures.get(key) is None and value is not None
        for report, figures in zip(reports, expected)
        for key, value in figures.items()
    )
    printed = {"ensure_ascii": False, "separators": (",", ":")}  # as `gxcrawl parse` prints a report
    sizes = [len(json.dumps(report.to_json(), **printed).encode()) for report in reports]
    bare = [
        len(json.dumps({k: v for k, v in report.to_json().items() if k != "cells"}, **printed).encode())
        for report in reports
    ]
    return {
        "json_kb": sum(sizes) / len(sizes) / 1024,
        "json_ratio": max(whole / without for whole, without in zip(sizes, bare)),
        "documents": len(documents),
        "pages": pages,
        "seconds": seconds,
        "misread": misread,
        "unread": unread,
        "figures": sum(len(f) for f in expected),
        "kb": sum(map(len, documents)) / len(documents) / 1024,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _pages(data: bytes) -> int:
    if data.startswith(b"%PDF"):
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="HTML, text and DOCX reports per layout (default 300)")
    parser.add_argument("--kinds", default="html,text,docx,pdf,image,real", help="comma-separated kinds to measure")
    parser.add_argument("--parse-folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_folder:
        print(json.dumps(parse_folder(args.parse_folder)))
        return
    print(
        f"{'kind':<14} {'docs':>5} {'pages':>5} {'KB/doc':>7} {'speed':>9} {'target':>12} {'peak RSS MB':>11} "
        f"{'unread':>7} {'misread':>7} {'JSON KB':>7} {'×cells':>6}  ok"
    )
    with tempfile.TemporaryDirectory(prefix="gxcrawl-bench-") as work:
        for kind in args.kinds.split(","):
            folder = Path(work, kind)
            folder.mkdir()
            for name, target_kind, target in generate(kind, args.reports, folder):
                result = json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--parse-folder", str(target)],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                goal, unit = TARGETS[target_kind]
                if unit == "s/page":
                    speed = result["seconds"] / result["pages"]
                    ok = speed <= goal
                else:
                    speed = result["documents"] / result["seconds"]
                    ok = speed >= goal
                print(
                    f"{name:<14} {result['documents']:>5} {result['pages']:>5} {result['kb']:>7.1f} "
                    f"{speed:>9.2f} {f'{goal} {unit}':>12} {result['rss_mb']:>11.0f} "
                    f"{result['unread']:>7} {result['misread']:>7} {result['json_kb']:>7.1f} "
                    f"{result['json_ratio']:>6.2f}  {'yes' if ok and not result['misread'] else 'NO'}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
