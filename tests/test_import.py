"""`gxcrawl import`: a directory of report files, one of each format and a broken one, into the database."""

import random
import subprocess
import sys

import pytest

from conftest import ROOT, needs
from support.samples import random_report, render_html, render_text
from test_crawl import rows, stored_figures

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

IMPORT = [sys.executable, "-m", "gxcrawl", "import"]


def test_a_directory_of_every_format(tmp_path):
    needs("chromium", "soffice")
    from support import rendering

    folder = tmp_path / "reports"
    folder.mkdir()
    samples = {}
    makers = {
        "html": lambda s: render_html(s),
        "txt": lambda s: render_text(s, "tabs").encode(),
        "docx": rendering.render_docx,
        "doc": lambda s: rendering.docx_to_doc(rendering.render_docx(s)),
        "pdf": lambda s: rendering.print_pdf(rendering.print_page(s)),
    }
    for index, (extension, make) in enumerate(makers.items()):
        sample = random_report(random.Random(index), agency=f"某市第{index}局", year=2022)
        (folder / f"report-{index}.{extension}").write_bytes(make(sample))
        samples[f"files/{sample.agency}/{sample.year}"] = sample
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%truncated")
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "objects" / "ab12").write_bytes(b"not a report, and hidden")
    db = tmp_path / "g.db"

    first = subprocess.run(
        [*IMPORT, str(folder), "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert first.returncode == 1  # one file could not be read
    assert first.stdout.strip() == "5 new, 0 changed, 0 unchanged, 1 unreadable"
    assert "failures table" in first.stderr
    reports = {row["id"]: row for row in rows(db, "SELECT * FROM reports")}
    assert set(reports) == set(samples)
    assert {row["format"] for row in reports.values()} == {"html", "text", "docx", "doc", "pdf"}
    for key, sample in samples.items():
        figures = stored_figures(db, key)
        assert {k: (v, figures[k]) for k, v in sample.figures.items() if figures[k] != v} == {}, key
    [failure] = rows(db, "SELECT url, error FROM failures")
    assert failure["url"].endswith("/broken.pdf") and failure["error"]
    assert len(list((tmp_path / "archive").rglob("*"))) >= 6

    again = subprocess.run(
        [*IMPORT, str(folder), "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert again.stdout.strip() == "0 new, 0 changed, 5 unchanged, 1 unreadable"
    assert rows(db, "SELECT COUNT(*) AS n FROM report_versions")[0]["n"] == 5


def test_missing_paths_are_refused(tmp_path):
    result = subprocess.run(
        [*IMPORT, str(tmp_path / "nowhere"), "--db", str(tmp_path / "g.db")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2 and "no such file or directory" in result.stderr
    assert not (tmp_path / "g.db").exists()
