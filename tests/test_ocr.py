"""Scanned reports: a Chromium screenshot of a generated report, read by OCR.

OCR may fail to read a figure; it must then say so and leave it null. It must
never put a wrong number in its place.
"""

import io
import random

import pytest

from conftest import needs
from gxcrawl.report import parse_document
from support.rendering import print_page, screenshot_png
from support.samples import random_report

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scan():
    needs("chromium")
    sample = random_report(random.Random("scan"), busy=0.6)
    return sample, screenshot_png(print_page(sample), width=900, height=2400, scale=1.5)


def check_reading(report, sample):
    wrong = {
        key: (value, report.figures.get(key))
        for key, value in sample.figures.items()
        if report.figures.get(key) not in (value, None)
    }
    assert wrong == {}, "OCR must leave a figure null rather than guess it"
    read = sum(report.figures.get(key) == value for key, value in sample.figures.items())
    assert read >= 0.85 * len(sample.figures)
    unread = len(sample.figures) - read
    assert unread == 0 or any("OCR" in w or "not found" in w or "cells for" in w for w in report.warnings)


def test_scanned_image(scan):
    sample, png = scan
    report = parse_document(png, "scan.png")
    assert report.error is None
    assert (report.format, report.agency, report.year, report.template) == ("image", sample.agency, sample.year, "2021")
    check_reading(report, sample)


def test_scanned_pdf(scan):
    from PIL import Image

    sample, png = scan
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "PDF", resolution=150)
    report = parse_document(out.getvalue(), "scan.pdf")
    assert report.error is None
    assert (report.format, report.agency) == ("image", sample.agency)
    check_reading(report, sample)


def test_an_image_of_a_cat_is_not_a_report():
    from PIL import Image, ImageDraw

    rng = random.Random("cat")
    image = Image.new("RGB", (640, 480), (200, 170, 120))
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y, r = rng.randrange(640), rng.randrange(480), rng.randrange(4, 40)
        draw.ellipse((x, y, x + r, y + r), fill=(rng.randrange(90, 160), rng.randrange(60, 120), rng.randrange(30, 80)))
    out = io.BytesIO()
    image.save(out, "JPEG")
    report = parse_document(out.getvalue(), "cat.jpg")
    assert report.error and ("no text" in report.error or "not an annual report" in report.error)


def test_a_decompression_bomb_is_refused():
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    report = parse_document(out.getvalue(), "bomb.png")
    assert "too large" in report.error
