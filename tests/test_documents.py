"""Stage one: bytes → paragraphs and grids."""

import pytest
from lxml import html as lxml_html

from gxcrawl.documents import DocumentError, Grid, Paragraph, read_document, sniff
from gxcrawl.documents.html import expand_table, read_html
from gxcrawl.documents.text import read_text


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"PK\x03\x04....[Content_Types].xml word/document.xml", "docx"),
        (b"PK\x03\x04 other", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "doc"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (b"\xff\xd8\xff\xe0JFIF", "image"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("<meta charset=gbk><p>报告</p>".encode("gbk"), "html"),
        ("一、总体情况\n规章\t0\t0\t0\n".encode("gb18030"), "text"),
        (bytes(range(256)) * 4, "binary"),
        ("\ufeff一、总体情况".encode("utf-16"), "text"),
    ],
)
def test_sniff_by_content(data, kind):
    assert sniff(data) == kind


def test_a_name_does_not_decide_the_format():
    with pytest.raises(DocumentError, match="PDF"):
        read_document(b"%PDF-1.4 pretending to be text")


def test_empty_and_binary_documents_are_refused_with_a_reason():
    with pytest.raises(DocumentError, match="empty"):
        read_document(b"  \n ")
    with pytest.raises(DocumentError, match="binary data"):
        read_document(bytes(range(256)) * 16)


def grid(markup: str):
    return expand_table(lxml_html.fromstring(markup))


def test_rowspan_repeats_down_and_colspan_appears_once():
    rows = grid("""<table>
      <tr><td rowspan="3">三、办理结果</td><td colspan="2">（一）予以公开</td><td>1</td></tr>
      <tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>2</td></tr>
      <tr><td>2.其他</td><td>3</td></tr>
      <tr><td colspan="3">（七）总计</td><td>6</td></tr></table>""")
    assert rows == [
        ["三、办理结果", "（一）予以公开", None, "1"],
        ["三、办理结果", "（三）不予公开", "1.属于国家秘密", "2"],
        ["三、办理结果", "（三）不予公开", "2.其他", "3"],
        ["（七）总计", None, None, "6"],
    ]


def test_spans_beyond_the_table_and_short_rows_are_contained():
    rows = grid("""<table><tr><td rowspan="99999">a</td><td colspan="100000">b</td></tr>
                   <tr><td>c</td></tr></table>""")
    assert len(rows) == 2
    assert rows[1][0] == "a" and rows[1][1] == "c"
    assert len(rows[0]) <= 65


def test_cell_text_joins_lines_and_drops_word_markup():
    rows = grid("""<table><tr>
                   <td><p class=MsoNormal><span>社会公益<br>组织</span><span lang=EN-US><o:p></o:p></span></p></td>
                   <td><p class=MsoNormal><span lang=EN-US>&nbsp;<o:p></o:p></span></p></td></tr></table>""")
    assert rows == [["社会公益组织", ""]]


def test_report_block_found_by_its_tables_when_no_selector_matches():
    page = """<html><head><title>某局2022年政府信息公开工作年度报告_某市政府</title></head><body>
      <div id="nav"><p>首页 政务公开</p></div>
      <div id="article"><p>一、总体情况</p><p>正文。</p>
        <table><tr><td>一、本年新收政府信息公开申请数量</td><td>1</td></tr></table></div>
      <div id="footer"><table><tr><td>网站标识码</td><td>123</td></tr></table></div></body></html>"""
    document = read_html(page.encode(), content_selectors=(".report-content",))
    texts = [block.text for block in document.blocks if isinstance(block, Paragraph)]
    assert texts == ["一、总体情况", "正文。"]
    assert [block.rows for block in document.blocks if isinstance(block, Grid)] == [
        [["一、本年新收政府信息公开申请数量", "1"]]
    ]
    assert document.titles[0] == "某局2022年政府信息公开工作年度报告"


def test_a_layout_table_around_the_report_is_walked_into():
    page = """<html><body><table><tr><td><p>一、总体情况</p>
      <table><tr><td>规章</td><td>0</td></tr></table></td></tr></table></body></html>"""
    document = read_html(page.encode())
    assert [type(block).__name__ for block in document.blocks] == ["Paragraph", "Grid"]


def test_text_reader_drops_print_furniture_and_keeps_tab_rows_as_grids():
    text = (
        "二、主动公开政府信息情况\n"
        "规章\t0\t0\t0\n"
        "2023/2/10 新乡市卫滨区人民政府办公室2022年政府信息公开工作年度报告\n"
        "https://nb.henan.gov.cn/zw/public-report/view/33923 2/5\n"
        "第 3 页 共 5 页\n"
        "行政规范性文件\t2\t0\t2\n"
        "## 五、存在的主要问题及改进情况\n"
        "- 1、时间节点把握不准。\n"
        "- 1 - 3\n"
    )
    document = read_text(text.encode("gb18030"))
    assert [getattr(block, "text", None) or block.rows for block in document.blocks] == [
        "二、主动公开政府信息情况",
        [["规章", "0", "0", "0"], ["行政规范性文件", "2", "0", "2"]],
        "五、存在的主要问题及改进情况",
        "1、时间节点把握不准。",
        "- 1 - 3",
    ]


def test_xhtml_with_a_long_head_is_html():
    page = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html><head>'
        + b"<meta name='x'>" * 2000
        + "</head><body><p>一、总体情况</p></body></html>".encode()
    )
    assert sniff(page) == "html"
    assert sniff(b"<link rel=stylesheet href=a.css><p>x</p>") == "html"


def test_deeply_nested_pages_are_read_to_the_end():
    page = (
        "<html><body>"
        + "<font>" * 1200
        + "<p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table>"
        + "</font>" * 1200
        + "</body></html>"
    )
    document = read_html(page.encode())
    assert [type(block).__name__ for block in document.blocks] == ["Paragraph", "Grid"]


def test_title_styled_outside_the_report_block_is_a_fallback():
    page = """<html><head><title>某市人民政府</title></head><body>
      <div class="art-title">某局2022年政府信息公开工作年度报告</div>
      <ul class="related"><li><div class="title">某局2021年政府信息公开工作年度报告</div></li></ul>
      <div id="zoom"><p>一、总体情况</p>
      <table><tr><td>一、本年新收政府信息公开申请数量</td><td>1</td></tr></table></div>
      </body></html>"""
    document = read_html(page.encode())
    assert document.fallback_titles == ["某局2022年政府信息公开工作年度报告"]


def test_a_tab_indented_paragraph_is_running_text():
    document = read_text("\t本年新收政府信息公开申请12件，均按时答复。\n规章\t0\t0\t0\n".encode())
    assert isinstance(document.blocks[0], Paragraph) and isinstance(document.blocks[1], Grid)


def test_a_gbk_page_declared_utf8_is_read_as_gbk():
    import random

    from gxcrawl.report import parse_document
    from support.samples import random_report, render_html

    sample = random_report(random.Random(16), agency="某县教育局", year=2022)
    page = render_html(sample).decode("utf-8")
    wrong = page.encode("gbk", "xmlcharrefreplace")  # bytes in GBK, declared UTF-8 in <meta> and in HTTP
    report = parse_document(wrong, "http://p/view/1", content_type="text/html; charset=utf-8")
    assert (report.agency, report.year, report.error) == ("某县教育局", 2022, None)
    assert report.figures == sample.figures


def test_a_page_in_no_encoding_that_fits_is_refused_saying_so():
    noise = bytes(range(0x80, 0x100)) * 40
    with pytest.raises(DocumentError, match="the page's encoding could not be determined: it is declared utf-8"):
        read_html(
            b"<html><head><meta charset='utf-8'></head><body><p>" + noise + b"</p></body></html>",
            "text/html; charset=utf-8",
        )


def test_a_report_behind_thousands_of_unclosed_wrappers_is_read_and_the_nesting_said():
    import random

    from gxcrawl.report import parse_document
    from support.samples import random_report, render_html

    sample = random_report(random.Random(3), agency="某县教育局", year=2022)
    deep = render_html(sample).decode().replace("<body>", "<body>" + "<div>" * 3000, 1).encode()
    report = parse_document(deep, "deep.html")
    assert report.error is None and report.figures == sample.figures
    assert any("deeper than the HTML parser goes (2048 levels)" in warning for warning in report.warnings)


def test_a_utf8_page_with_replacement_characters_of_its_own_is_read_as_utf8():
    own = "\ufffd" * 6  # characters the page itself holds, not failures to decode it
    page = f"<html><head><meta charset='utf-8'></head><body><p>某局年度报告 {own}</p></body></html>"
    document = read_html(page.encode("utf-8"), "text/html; charset=utf-8")
    assert "某局年度报告" in document.blocks[0].text
