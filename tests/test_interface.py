"""Learning a list's script interface from recorded traffic (spiders/interface.py), without a browser."""

import functools
import json

import pytest

from spiders.interface import Exchange, Interface, find_records, learn, parse_answer

LIST = "http://www.example.gov.cn/col/ndbg/index.html"
TITLE = "某县{}局{}年政府信息公开工作年度报告"


def records(page: int, size: int = 3, total: int = 7) -> list[dict]:
    first = (page - 1) * size
    return [
        {
            "DOCTITLE": TITLE.format(chr(0x7532 + n), 2015 + n),
            "DOCPUBURL": f"/col/ndbg/t2024_{n}.html",
            "CHNLDESC": "政府信息公开年报",
            "DOCRELTIME": "2024-01-02 10:00:00",
        }
        for n in range(first, min(first + size, total))
    ]


def exchange(
    url: str, data, body: str | None = None, after_click: bool = False, status: int = 200, wrap: str | None = None
) -> Exchange:
    text = json.dumps(data, ensure_ascii=False)
    return Exchange(
        "POST" if body else "GET",
        url,
        body,
        "application/json",
        status,
        f"{wrap}({text});" if wrap else text,
        after_click,
    )


def test_records_are_found_with_their_own_title_not_the_column_name_every_record_repeats():
    shape = find_records(json.dumps({"count": "7", "datas": records(1)}, ensure_ascii=False), LIST)
    assert (shape.fields.records, shape.fields.title, shape.fields.url, shape.fields.total) == (
        "datas",
        "DOCTITLE",
        "DOCPUBURL",
        "count",
    )
    assert shape.answer.total == 7
    assert shape.answer.records[0].url == "http://www.example.gov.cn/col/ndbg/t2024_0.html"


def test_an_answer_without_report_titles_or_without_addresses_holds_no_list():
    assert find_records(json.dumps({"rows": [{"name": "2024年政务公开工作要点", "link": "/a/1.html"}]}), LIST) is None
    assert find_records(json.dumps({"rows": [{"name": TITLE.format("甲", 2023), "id": 3}]}), LIST) is None
    assert parse_answer("<!DOCTYPE html><html><body>404</body></html>") == (None, None)


def test_jsonp_and_xml_answers_are_read():
    jsonp = find_records(f"jQuery123_456({json.dumps({'total': 7, 'datas': records(1)}, ensure_ascii=False)});", LIST)
    assert jsonp.fields.kind == "jsonp" and len(jsonp.reports) == 3
    xml = (
        "<?xml version='1.0' encoding='utf-8'?><result><totalcount>7</totalcount><list>"
        + "".join(f"<item><title>{TITLE.format(n, 2020)}</title><url>/a/{n}.html</url></item>" for n in "甲乙")
        + "</list></result>"
    )
    shape = find_records(xml, LIST)
    assert (shape.fields.kind, shape.fields.records, shape.answer.total) == ("xml", "result.list.item", 7)
    hanweb = (
        "<datastore><totalrecord>9</totalrecord><recordset>"
        + "".join(
            f"<record><![CDATA[<li><a href='/art/{n}.html' title='{TITLE.format(n, 2021)}'>x</a></li>]]></record>"
            for n in "甲乙"
        )
        + "</recordset></datastore>"
    )
    links = find_records(hanweb, LIST)
    assert links.fields.records == "links" and [r.url for r in links.reports] == [
        "http://www.example.gov.cn/art/甲.html",
        "http://www.example.gov.cn/art/乙.html",
    ]


def test_the_parameter_that_changed_between_two_pages_is_the_page_and_cache_busters_are_not():
    first = exchange(
        "http://x.gov.cn/search?page=1&prepage=3&_=1700000000001&callback=cb1",
        {"count": 7, "datas": records(1)},
        wrap="cb1",
    )
    second = exchange(
        "http://x.gov.cn/search?page=2&prepage=3&_=1700000000002&callback=cb2",
        {"count": 7, "datas": records(2)},
        after_click=True,
        wrap="cb2",
    )
    learning = learn([first, second], LIST)
    interface = learning.interface
    assert (interface.page_in, interface.page_key, interface.page_one, interface.step) == ("query", "page", 1, 1)
    assert interface.last_page(7) == 3 and learning.total == 7 and len(learning.seen) == 6
    method, url, body = interface.request(3)
    assert (method, body) == ("GET", None) and "page=3&prepage=3" in url


def test_a_static_first_page_and_one_scripted_page_learn_the_page_from_its_name():
    # TRS 「动静结合」: page 1 is in the HTML, only page 2 is fetched, after the click.
    second = exchange(
        "http://x.gov.cn/was5/web/search?channelid=1&page=2&prepage=3",
        {"count": "7", "datas": records(2)},
        after_click=True,
    )
    interface = learn([second], LIST).interface
    assert (interface.page_key, interface.page_one, interface.step) == ("page", 1, 1)
    assert "page=1" in interface.request(1)[1]


def test_an_offset_in_a_json_body_moves_by_the_page_size():
    body = json.dumps({"query": {"column": "nb"}, "paging": {"offset": 0, "limit": 3}})
    clicked = json.dumps({"query": {"column": "nb"}, "paging": {"offset": 3, "limit": 3}})
    answer = {"data": {"rows": [{"name": r["DOCTITLE"], "link": r["DOCPUBURL"]} for r in records(1)], "total": 7}}
    interface = learn(
        [
            exchange("http://x.gov.cn/api", answer, body),
            exchange("http://x.gov.cn/api", answer, clicked, after_click=True),
        ],
        LIST,
    ).interface
    assert (interface.page_in, interface.page_key, interface.page_one, interface.step, interface.per_page) == (
        "json",
        "paging.offset",
        0,
        3,
        3,
    )
    assert json.loads(interface.request(3)[2])["paging"] == {"offset": 6, "limit": 3}
    assert interface.content_type == "application/json"
    assert Interface.from_json(interface.as_json()) == interface


def test_a_form_body_page_is_rewritten_in_the_form():
    body = "columnid=12&pageIndex=2&pageSize=3"
    interface = learn(
        [exchange("http://x.gov.cn/list.do", {"total": 7, "list": records(2)}, body, after_click=True)], LIST
    ).interface
    assert (interface.page_in, interface.page_key, interface.page_one) == ("form", "pageIndex", 1)
    assert interface.request(3)[2] == "columnid=12&pageIndex=3&pageSize=3"
    last = interface.read(json.dumps({"total": 7, "list": records(3)}, ensure_ascii=False), LIST)
    assert [record.title for record in last.records] == [records(3)[0]["DOCTITLE"]] and last.total == 7


@pytest.mark.parametrize(
    "exchanges, why",
    [
        ([], "fetched nothing a list could come from"),
        (
            [exchange("http://x.gov.cn/api?page=2", {"msg": "error"}, status=500)],
            "was refused: GET http://x.gov.cn/api?page=2 answered HTTP 500",
        ),
        ([exchange("http://x.gov.cn/stats.json", {"visits": 3})], "none of the 1 answers"),
        ([exchange("http://x.gov.cn/api?column=3", {"datas": records(1)})], "no parameter of it is a page number"),
    ],
)
def test_why_nothing_was_learnt_is_said(exchanges, why):
    learning = learn(exchanges, LIST)
    assert learning.interface is None and why in learning.why_not


def test_an_answer_that_is_not_the_interface_s_is_refused_when_read():
    interface = learn([exchange("http://x.gov.cn/api?page=1", {"total": 7, "datas": records(1)})], LIST).interface
    with pytest.raises(ValueError, match="not JSON, JSONP or XML"):
        interface.read("<html><body>系统维护中</body></html>", LIST)
    with pytest.raises(ValueError, match="no list of records at 'datas'"):
        interface.read(json.dumps({"code": 1, "msg": "参数错误"}), LIST)


def page(number: int, size: int = 10, total: int = 95) -> list[dict]:
    first = (number - 1) * size
    return [
        {
            "title": TITLE.format(chr(0x4E00 + n), 2015 + n % 9),
            "url": f"/art/{n}.html",
            "fileUrl": f"/u/cms/{n}.pdf",
            "summary": f"{n}号：本报告为{TITLE.format(chr(0x4E00 + n), 2015 + n % 9)}…",
            "pubDate": "2024-01-02",
        }
        for n in range(first, min(first + size, total))
    ]


def test_the_total_is_the_list_s_not_the_page_s_own_count():
    # {"count": 10, "total": 95}: count is this page's; taking it would end the walk after page 1.
    answer = {"code": 0, "count": 10, "total": 95, "data": page(1)}
    interface = learn([exchange("http://x.gov.cn/api?pageNo=1&pageSize=10", answer)], LIST).interface
    assert interface.fields.total == "total" and interface.last_page(95) == 10
    only_count = find_records(json.dumps({"count": 10, "data": page(1)}, ensure_ascii=False), LIST)
    assert only_count.fields.total == "count"  # as many as its records: could be the total of a one-page list
    assert find_records(json.dumps({"count": 3, "data": page(1)}, ensure_ascii=False), LIST).fields.total is None


def test_with_no_total_the_walk_goes_on_while_pages_bring_new_records():
    # A record without an address (an external link) makes page 1 look short; the walk goes on all the same.
    first = page(1)
    first[4]["url"] = None
    interface = learn([exchange("http://x.gov.cn/api?pageNo=1&pageSize=10", {"data": first})], LIST).interface
    answer = interface.read(json.dumps({"data": first}, ensure_ascii=False), LIST)
    assert (len(answer.records), answer.size) == (9, 10)
    assert interface.pages_after(1, answer, brought_new=True, most=1000) == [2]
    assert interface.pages_after(7, answer, brought_new=False, most=1000) == []
    assert interface.pages_after(1000, answer, brought_new=True, most=1000) == []


def test_a_tab_loaded_beside_the_list_is_not_taken_for_the_page():
    # Two tabs (市直部门 columnId=101, 乡镇 columnId=104) load from the same endpoint; then 下一页 is clicked.
    tabs = [
        exchange(f"http://x.gov.cn/api?columnId={column}&pageNo=1&pageSize=10", {"total": 95, "data": page(1)})
        for column in (101, 104)
    ]
    clicked = exchange(
        "http://x.gov.cn/api?columnId=101&pageNo=2&pageSize=10", {"total": 95, "data": page(2)}, after_click=True
    )
    interface = learn([*tabs, clicked], LIST).interface
    assert (interface.page_key, interface.page_one, interface.step) == ("pageNo", 1, 1)
    assert interface.request(3)[1].endswith("columnId=101&pageNo=3&pageSize=10")


@pytest.mark.parametrize(
    "query, key, page_one",
    [
        ("menuId=7&current=1&pageNo=2", "pageNo", 1),  # a menu's `current` is not the page
        ("from=1&pageNo=2&rows=10", "pageNo", 1),  # nor an unrelated `from`
        ("p=1&pageNo=2", "pageNo", 1),
        ("channel=3&start=10&limit=10", "start", 0),  # an offset, after the click
    ],
)
def test_the_best_named_parameter_is_the_page(query, key, page_one):
    clicked = exchange(f"http://x.gov.cn/api?{query}", {"total": 95, "data": page(2)}, after_click=True)
    interface = learn([clicked], LIST).interface
    assert (interface.page_key, interface.page_one) == (key, page_one)


def test_a_hanweb_range_moves_its_end_with_its_start():
    loaded = exchange(
        "http://x.gov.cn/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10", {"total": 95, "data": page(1, 30)}
    )
    clicked = exchange(
        "http://x.gov.cn/dataproxy.jsp?startrecord=31&endrecord=60&perpage=10",
        {"total": 95, "data": page(2, 30)},
        after_click=True,
    )
    interface = learn([loaded, clicked], LIST).interface
    assert (interface.page_key, interface.step, interface.end_key) == ("startrecord", 30, "endrecord")
    assert interface.request(4)[1].endswith("startrecord=91&endrecord=120&perpage=10")


def test_the_article_s_address_and_own_title_are_taken_not_a_file_or_a_summary():
    shape = find_records(json.dumps({"total": 95, "data": page(1)}, ensure_ascii=False), LIST)
    assert (shape.fields.title, shape.fields.url) == ("title", "url")


def test_the_rest_of_the_request_is_sent_as_the_page_sent_it():
    # A GBK search word stays GBK; a JSON body whose page is in the query keeps its Content-Type.
    gbk = learn(
        [
            exchange(
                "http://x.gov.cn/was5/web/search?searchword=%C4%EA%B1%A8&page=2",
                {"total": 95, "data": page(2)},
                after_click=True,
            )
        ],
        LIST,
    ).interface
    assert gbk.request(5)[1] == "http://x.gov.cn/was5/web/search?searchword=%C4%EA%B1%A8&page=5"
    posted = Exchange(
        "POST",
        "http://x.gov.cn/api/page?current=2&size=10",
        '{"columnId": "5"}',
        "application/json;charset=UTF-8",
        200,
        json.dumps({"data": {"records": page(2), "total": 95}}, ensure_ascii=False),
        True,
    )
    interface = learn([posted], LIST).interface
    assert (interface.page_in, interface.page_key, interface.content_type) == (
        "query",
        "current",
        "application/json;charset=UTF-8",
    )
    assert interface.request(1) == ("POST", "http://x.gov.cn/api/page?current=1&size=10", '{"columnId": "5"}')


def test_html_fragments_in_json_and_hostile_answers_are_read_within_bounds():
    fragments = [f"<li><a href='/art/{n}.html' title='{TITLE.format(n, 2020)}'>x</a></li>" for n in "甲乙"]
    shape = find_records(json.dumps(fragments, ensure_ascii=False), LIST)
    assert shape.fields.records == "links" and [r.url for r in shape.reports] == [
        "http://www.example.gov.cn/art/甲.html",
        "http://www.example.gov.cn/art/乙.html",
    ]
    deep = "[" * 100_000 + "]" * 100_000
    assert parse_answer(deep) == (None, None) and find_records(deep, LIST) is None
    nested = json.dumps(functools.reduce(lambda inner, _: {"a": inner}, range(500), {"data": page(1)}))
    assert find_records(nested, LIST) is None  # deeper than MAX_DEPTH: not read, and no crash
