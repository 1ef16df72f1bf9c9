"""How the site spider tells a column's pagination and its report links, on realistic page fragments."""

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from spiders.site.pagers import BY_NAME, pager_of
from spiders.titles import names_a_report


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


def further(response, hint=None) -> list[str]:
    return [listed.url for listed in pager_of(response, hint).further(response)]


@pytest.mark.parametrize(
    "script",
    [
        'createPageHTML(3, 0, "index", "shtml");',
        'createPageHTML(3, 1, "index", "shtml");',  # 1-based first page
        'var countPage = 3;var currentPage = 0;createPageHTML(countPage, currentPage, "index", "shtml");',
        "createPageHTML('page_div', 3, 1, 'index', 'shtml', 70);",
    ],
)
def test_trs_pagers_in_their_forms(script):
    response = page("http://x.gov.cn/ndbg/index.shtml", f"<script>{script}</script>")
    assert pager_of(response).name == "trs"
    assert further(response) == ["http://x.gov.cn/ndbg/index_1.shtml", "http://x.gov.cn/ndbg/index_2.shtml"]


def test_a_hint_that_does_not_fit_finds_nothing_rather_than_failing():
    assert further(page("http://x.gov.cn/ndbg/index.html", "<p>no pager</p>"), "trs") == []


def test_index_sequences_stay_in_their_column():
    response = page(
        "http://x.gov.cn/ndbg/index.html",
        '<a href="index_2.html">2</a><a href="index_3.html">3</a>'
        '<a href="/other/index_3.html">another column</a><a href="sub/index_2.html">sub</a>',
    )
    assert further(response) == ["http://x.gov.cn/ndbg/index_2.html", "http://x.gov.cn/ndbg/index_3.html"]
    lone = page("http://x.gov.cn/ndbg/index.html", '<a href="/other/index_3.html">another column</a>')
    assert pager_of(lone).name == "single"


def test_next_links():
    response = page(
        "http://x.gov.cn/list.html", '<a href="javascript:;">下一页</a><a href="list.html?page=2">下一页</a>'
    )
    assert further(response) == ["http://x.gov.cn/list.html?page=2"]


HANWEB = (
    "<div id='1'><script type='text/xml'><datastore><recordset>"
    + "".join(f"<record><![CDATA[<li><a href='/art/{n}.html'>r{n}</a></li>]]></record>" for n in range(3))
    + "</recordset></datastore></script></div><script>$('#1').jpage({perPage: 3, proxyUrl: "
    "'/module/web/jpage/dataproxy.jsp', param: {columnid: 77, unitid: '5'}});</script>"
)


def test_a_hanweb_column_of_unstated_size_is_read_while_answers_come_full():
    response = page("http://x.gov.cn/col/col77/index.html", HANWEB)
    [first] = pager_of(response).further(response)
    assert first.url == "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=12&perpage=3"
    assert first.formdata["columnid"] == "77"
    body = "&".join(f"{key}={value}" for key, value in first.formdata.items())

    def answer(count: int) -> XmlResponse:
        records = "".join(f"<record><![CDATA[<a href='/art/{n}.html'>r</a>]]></record>" for n in range(count))
        return XmlResponse(
            first.url,
            body=f"<datastore><recordset>{records}</recordset></datastore>".encode(),
            encoding="utf-8",
            request=Request(first.url, method="POST", body=body),
        )

    [second] = further(answer(9), "hanweb")
    assert second == "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=21&perpage=3"
    assert further(answer(4), "hanweb") == []  # a short answer is the last
    assert len(BY_NAME["hanweb"].link_blocks(answer(4))) == 4


@pytest.mark.parametrize(
    "title",
    [
        "卫辉市商务局2023年政府信息公开工作年度报告",
        "2023年度政府信息公开工作年度报告",
        "某局关于2023年政府信息公开工作年度报告",
        "卫辉市政府信息公开工作年度报告（2023年）",
        "某局2023年政府信息公开年报",
        "某县2023年政务公开工作年度报告",
    ],
)
def test_titles_of_reports(title):
    assert names_a_report(title)


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
        "一图读懂：2023年政府信息公开工作年度报告",
        "2024年政务公开工作要点",
        "政府信息公开工作年度报告格式模板",
    ],
)
def test_titles_that_are_not_reports(title):
    assert not names_a_report(title)


def test_what_a_list_page_declares_of_its_size():
    from spiders.site.pagers import Declared, declared

    trs = declared("var pageConfig = {recordCount: '20', prepage: 10, quickMode: \"动静结合\", maxStaticIndex: 1};")
    assert trs == Declared(records=20, per_page=10) and trs.page_count == 2
    assert declared("<div>共 13 条 共2页</div>") == Declared(records=13, pages=2)
    assert declared("<datastore><totalrecord>8</totalrecord></datastore>").records == 8
    assert declared("$('#1234').jpage({perPage: 5, totalRecord: 8})") == Declared(records=8, per_page=5)
    assert declared("<ul><li>2023年报告</li></ul>") == Declared()


def test_a_column_walk_falls_short_of_what_its_list_declares():
    from spiders.site import ColumnWalk
    from spiders.site.pagers import Declared, is_entry

    assert is_entry("http://x.gov.cn/zfxxgknb/202001/t20200120_80576.htm")
    assert not is_entry("http://x.gov.cn/xxgk/") and not is_entry("http://x.gov.cn/zfxxgknb/index_2.htm")
    walk = ColumnWalk()
    walk.note(Declared(records=20, per_page=10))
    walk.entries.update(f"http://x/t{n:04d}_1.htm" for n in range(10))
    assert walk.shortfall() == "declares 20 records and the walk saw 10 in 1 list pages"
    walk.entries.update(f"http://x/t{n:04d}_2.htm" for n in range(10))
    assert walk.shortfall() is None
    pages_only = ColumnWalk()
    pages_only.note(Declared(pages=3))
    assert pages_only.shortfall() == "declares 3 list pages and the walk read 1"
