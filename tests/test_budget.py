"""Hostile documents are read within a memory and a time budget (gxcrawl/budget.py), and refused saying which.

Each is read by `gxcrawl parse` as a user would, with small budgets; the
command must answer within the time budget (plus starting up), refuse the
document naming the budget and its setting, and go on to the next document.
"""

import subprocess
import sys
import time

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e

BUDGETS = {"GXCRAWL_READ_MEMORY_MB": "300", "GXCRAWL_READ_SECONDS": "20"}


def huge_page_pdf(points: int = 20000, pages: int = 1, user_unit: int = 1) -> bytes:
    """A PDF of a few hundred bytes whose pages are `points`×`points` pt (in units of `user_unit` pt), each
    covered by a 1×1 image."""
    content = f"q {points} 0 0 {points} 0 0 cm /Im0 Do Q".encode()
    unit = f"/UserUnit {user_unit}" if user_unit != 1 else ""
    kids = " ".join(f"{6 + n} 0 R" for n in range(pages))
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        f"<</Type/Pages/Kids[{kids}]/Count {pages}>>".encode(),
        b"<<>>",  # unused
        b"<</Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8/Length 1>>"
        b"stream\n\x80\nendstream",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
    ] + [
        f"<</Type/Page/Parent 2 0 R{unit}/MediaBox[0 0 {points} {points}]/Resources<</XObject<</Im0 4 0 R>>>>"
        "/Contents 5 0 R>>".encode()
        for _ in range(pages)
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def spanning_table(cells: int = 300, rowspan: int = 100_000) -> bytes:
    row = "".join(f'<td rowspan="{rowspan}">{n}</td>' for n in range(cells))
    return (
        f"<html><head><meta charset='utf-8'><title>某局2023年政府信息公开工作年度报告</title></head><body>"
        f"<table>{''.join(f'<tr>{row}</tr>' for _ in range(cells))}</table></body></html>"
    ).encode()


def parse(*paths, env=BUDGETS) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "gxcrawl", "parse", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, **env},
    )
    return result, time.monotonic() - started


def test_a_document_over_the_budget_is_refused_naming_it_and_the_next_one_is_read(tmp_path):
    hostile = tmp_path / "sixty-pages.pdf"
    hostile.write_bytes(huge_page_pdf(14400, pages=60))  # 60 image pages to render and read: minutes of OCR
    fine = ROOT / "tests" / "fixtures" / "henan" / "view_33001.html"
    result, seconds = parse(hostile, fine, env={"GXCRAWL_READ_SECONDS": "8"})
    assert result.returncode == 1 and seconds < 8 + 30  # the time budget, and starting Python and OCR
    [refused] = [line for line in result.stderr.splitlines() if line.startswith("gxcrawl:")]
    assert "sixty-pages.pdf" in refused and "took longer than 8 s, the budget of one document" in refused
    assert "GXCRAWL_READ_SECONDS" in refused
    assert "安阳市林州市卫生健康委员会" in result.stdout  # the next document, read by a fresh reader


def test_a_table_expanding_past_the_cell_cap_is_refused_at_once(tmp_path):
    hostile = tmp_path / "spans.html"
    hostile.write_bytes(spanning_table())  # 300 cells a row, each spanning every row below: 27 million cells
    result, seconds = parse(hostile)
    assert result.returncode == 1 and seconds < 20
    assert "expands to more than 1,000,000 cells by its row and column spans" in result.stderr


@pytest.mark.parametrize("points, user_unit", [(20000, 1), (14400, 1), (267, 75)])
def test_a_page_of_any_size_is_rendered_to_a_bounded_number_of_pixels(tmp_path, points, user_unit):
    # 665 bytes once took 8.9 GB and 24 s (/UserUnit 75: 4.6 GB): the page is now rendered at most MAX_RENDER_PIXELS.
    hostile = tmp_path / "huge-page.pdf"
    hostile.write_bytes(huge_page_pdf(points, user_unit=user_unit))
    result, seconds = parse(hostile, env={"GXCRAWL_READ_SECONDS": "20"})  # the default memory: OCR takes 0.5 GB
    assert result.returncode == 1 and seconds < 30
    assert "not an annual report" in result.stderr  # read, and found to hold nothing: not killed by a budget


def test_a_huge_scan_is_decoded_no_larger_than_ocr_reads_it(tmp_path):
    from PIL import Image

    scan = tmp_path / "scan.jpg"
    Image.new("RGB", (8900, 8900), "white").save(scan, quality=50)  # 80 MP, just under the cap; 1.3 GB once
    result, seconds = parse(scan, env={"GXCRAWL_READ_MEMORY_MB": "800", "GXCRAWL_READ_SECONDS": "30"})
    assert result.returncode == 1 and seconds < 40
    assert "OCR found no text in the image" in result.stderr  # read whole, within 800 MB with the OCR engine


def slow(seconds: float, answer: str) -> str:
    time.sleep(seconds)
    return answer


def test_an_answer_that_comes_too_late_is_never_taken_for_the_next_document(monkeypatch):
    from gxcrawl.budget import BudgetExceeded, Reader

    reader = Reader()
    try:
        monkeypatch.setenv("GXCRAWL_READ_SECONDS", "0.5")
        with pytest.raises(BudgetExceeded, match="took longer than 0.5 s"):
            reader.call(slow, 1.5, "the first document's")
        monkeypatch.setenv("GXCRAWL_READ_SECONDS", "30")
        assert reader.call(slow, 0, "the second document's") == "the second document's"
        time.sleep(1.5)  # the first answer, had its child lived, would be waiting now
        assert reader.call(slow, 0, "the third document's") == "the third document's"
    finally:
        reader.stop()
