"""Word attachments: DOCX built with python-docx (merged cells merged), DOC converted from it."""

import io
import random
import zipfile

import pytest

from conftest import compare, needs
from gxcrawl.documents import doc as doc_reader
from gxcrawl.documents import docx as docx_reader
from gxcrawl.report import parse_document, read_here
from support.rendering import docx_to_doc, render_docx
from support.samples import CellStyle, random_report

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def samples():
    rng = random.Random("word")
    return {form: random_report(rng, form=form, busy=0.6) for form in ("2021", "2019")}


@pytest.mark.parametrize("form", ["2021", "2019"])
@pytest.mark.parametrize("flat", [False, True])
def test_docx_read_figure_by_figure(samples, form, flat):
    sample = samples[form]
    report = parse_document(render_docx(sample, CellStyle(zero="—", fullwidth=flat), flat=flat), "r.docx")
    assert report.error is None
    assert (report.format, report.agency, report.year, report.template) == ("docx", sample.agency, sample.year, form)
    assert compare(report, sample) == {}
    assert report.warnings == []
    assert report.sections["problems"] == sample.sections["problems"]


def test_merged_cells_are_expanded_like_html_spans(samples):
    document = docx_reader.read_docx(render_docx(samples["2021"]))
    grid = next(
        block
        for block in document.blocks
        if hasattr(block, "rows") and any("本年新收" in (cell or "") for row in block.rows for cell in row)
    )
    header = grid.rows[0]
    assert header[:3] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, None]
    assert header[3] == "申请人情况" and header[4:] == [None] * 6
    # The vertical merge of 三、本年度办理结果 is repeated down its rows.
    results = [row for row in grid.rows if row[0] == "三、本年度办理结果"]
    assert len(results) == 22


@pytest.fixture(scope="module")
def doc_file(samples):
    needs("soffice")
    return docx_to_doc(render_docx(samples["2021"]))


def test_doc_through_libreoffice(samples, doc_file):
    report = parse_document(doc_file, "r.doc")
    assert report.error is None
    assert (report.format, report.agency, report.template) == ("doc", samples["2021"].agency, "2021")
    assert compare(report, samples["2021"]) == {}


def test_doc_through_antiword_reads_what_antiword_keeps(samples, doc_file):
    needs("antiword")
    document = doc_reader.read_doc(doc_file, converter="antiword")
    from gxcrawl.report import Report, _parse

    report = _parse(document, Report(file="r.doc"))
    sample = samples["2021"]
    # antiword draws table 二 as |-rows but loses tables with vertical merges: their figures
    # are null, and the warnings say so.
    assert report.agency == sample.agency
    assert all(report.figures[key] == sample.figures[key] for key in sample.figures if key.startswith("active."))
    assert "table 三 was not found; its figures are null" in report.warnings


def test_doc_without_a_converter_names_the_package_to_install(monkeypatch, doc_file):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    report = read_here(doc_file, "r.doc")  # in this process, where the patch is
    assert "apt-get install libreoffice-writer-nogui" in report.error and "antiword" in report.error


def test_truncated_docx(samples):
    data = render_docx(samples["2021"])
    for cut in (len(data) // 2, len(data) - 100, 300):
        report = parse_document(data[:cut], "cut.docx")
        assert report.error and ("damaged" in report.error or "truncated" in report.error or "not a" in report.error)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * 5_000_000})
    report = parse_document(bomb, "bomb.docx")
    assert "zip bomb" in report.error
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED", 1_000_000)
    big = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(range(256)) * 8000})
    assert "over the 1 MB cap" in read_here(big, "big.docx").error  # in this process, where the patch is


def test_external_entities_and_links_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    from support.samples import random_report as make

    data = render_docx(make(random.Random(1)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode()
    xml = xml.replace(
        "<w:document", f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n<w:document', 1
    )
    xml = xml.replace("一、总体情况", "一、总体情况&leak;", 1)
    parts["word/document.xml"] = xml.encode()
    report = parse_document(_zip(parts), "xxe.docx")
    assert "TOP-SECRET" not in report.text
    page = (
        f'<!DOCTYPE html [<!ENTITY leak SYSTEM "{secret.as_uri()}">]><html><body><p>&leak;</p>'
        f'<iframe src="{secret.as_uri()}"></iframe><img src="{secret.as_uri()}"></body></html>'
    )
    assert "TOP-SECRET" not in parse_document(page.encode(), "xxe.html").text


def test_an_xml_part_too_big_to_read_is_refused_unread(monkeypatch):
    # Honestly compressed (random text: no zip bomb), under the unpacked cap, and still too much XML to read.
    monkeypatch.setattr(docx_reader, "MAX_XML_PART", 1_000_000)
    text = "".join(random.Random(5).choice("政府信息公开年度报告") for _ in range(400_000))
    body = f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>".encode()
    part = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})
    error = read_here(part, "big.docx").error  # in this process, where the patch is
    assert "word/document.xml unpacks to 1 MB of XML, over the 1 MB a report's part takes" in error
