"""Hand-made pages (tests/fixtures/html) with the quirks of real portals."""

from gxcrawl.report import parse_document


def parse(html_fixture, name, **options):
    return parse_document(html_fixture(name), name, **options)


def test_word_pasted_gbk_page_without_a_report_container(html_fixture):
    report = parse(html_fixture, "word_pasted_gbk.html")
    assert report.error is None
    assert report.format == "html"
    assert (report.agency, report.year, report.template) == ("濮阳市华龙区人民政府办公室", 2023, "2021")
    f = report.figures
    # 「本年(2023)制发件数」 and 「规范性文件」 for 行政规范性文件; full-width digits; thousands separators.
    assert (f["active.normative.issued"], f["active.normative.repealed"], f["active.normative.in_force"]) == (
        12,
        3,
        1024,
    )
    assert f["active.licensing.decisions"] == 2345
    assert f["active.penalty.decisions"] == 0  # 「—」
    assert f["active.coercion.decisions"] is None  # an empty cell: the report says nothing
    assert str(f["active.fees.amount"]) == "103.3879"  # 「103.3879万元」, exact
    # Labels split by <br> inside cells, 「其他法律法规禁止公开」, 「三类内容事务信息」.
    assert f["applications.denied_third_party.natural_person"] == 1
    assert f["applications.other_no_correction.total"] == 0
    assert f["applications.other_other.natural_person"] == 1
    assert f["applications.unavailable_not_held.other_org"] == 1
    assert [
        f[f"applications.new.{c}"]
        for c in ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org", "total")
    ] == [20, 3, 0, 1, 0, 1, 25]
    assert f["applications.denied_query.total"] is None
    assert (f["review.upheld"], f["review.pending"], f["review.total"]) == (1, 1, 2)
    assert (f["suit_direct.corrected"], f["suit_after_review.total"]) == (1, 0)
    assert report.figures_found == 200 - 1 - 7
    # The blank 8.属于行政查询事项 row is settled by R4 in every column: 0, in `derived`.
    assert report.derived == {
        f"applications.denied_query.{c}": 0
        for c in ("natural_person", "business", "research", "nonprofit", "legal_service", "other_org", "total")
    }
    assert report.derived_rules["applications.denied_query.total"] == "R4 column total"
    assert report.checks == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}
    assert any("其他主动公开文件" in warning and "ignored" in warning for warning in report.warnings)
    # The page's navigation, script, related links and footer stay out of the sections.
    assert report.sections["overview"].startswith("2023年，华龙区人民政府办公室")
    assert "网站标识码" not in report.text and "2099" not in report.text
    assert report.sections["problems"].endswith("规范基层公开。")


def test_gbk_page_with_charset_only_in_the_http_header_or_nowhere(html_fixture):
    data = html_fixture("word_pasted_gbk.html").replace(
        b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', b""
    )
    for content_type in ("text/html; charset=GBK", None):
        report = parse_document(data, "no-meta.html", content_type=content_type)
        assert report.agency == "濮阳市华龙区人民政府办公室", content_type
        assert report.figures["applications.new.total"] == 25


def test_the_http_charset_wins_over_a_wrong_meta(html_fixture):
    data = html_fixture("word_pasted_gbk.html").replace(b"charset=gb2312", b"charset=utf-8")
    report = parse_document(data, "lying-meta.html", content_type="text/html; charset=gbk")
    assert report.agency == "濮阳市华龙区人民政府办公室"


def test_portal_page_2019_form_with_procurement_and_signed_changes(html_fixture):
    report = parse(html_fixture, "portal_2019_procurement.html", content_selectors=(".report-content",))
    assert (report.agency, report.year, report.template) == ("新乡市卫辉市人民政府", 2019, "2019")
    f = report.figures
    assert len(f) == 198
    assert (f["active.licensing.prev_items"], f["active.licensing.change"], f["active.licensing.decisions"]) == (
        120,
        3,
        356,
    )
    assert f["active.other_services.change"] == -11
    assert f["active.penalty.change"] == -253  # 「--253」
    assert f["active.fees.change"] == -1
    assert f["active.procurement.items"] == 12
    assert str(f["active.procurement.amount"]) == "25.1"  # 「251000元」 in 万元
    assert f["applications.other.natural_person"] == 1 and "applications.other_other.total" not in f
    assert report.checks == {"R1": "ok", "R3": "ok", "R4": "ok", "R5": "ok"}
    assert report.warnings == []


def test_one_label_column_vertical_review_table_and_a_missing_row(html_fixture):
    report = parse(html_fixture, "single_label_column_missing_row.html")
    assert (report.agency, report.year) == ("开封市祥符区教育局", 2022)  # the year before the agency
    f = report.figures
    assert all(
        f[f"applications.unavailable_needs_creation.{c}"] is None for c in ("natural_person", "business", "total")
    )
    assert [w for w in report.warnings if "没有现成信息需要另行制作" in w]
    # The missing row's figures are settled by R4 in `derived` (with one warning), never in `figures`.
    assert report.derived["applications.unavailable_needs_creation.total"] == 0
    assert len(report.warnings) == 2 and report.warnings[1].startswith("cells left blank (or unreadable) settled by R4")
    assert (f["applications.granted.natural_person"], f["applications.granted.business"]) == (4, 1)
    assert f["applications.unavailable_not_held.total"] == 2
    assert (f["active.licensing.decisions"], f["active.penalty.decisions"]) == (31, 8)
    assert f["active.fees.amount"] == 0
    assert (f["review.upheld"], f["review.total"], f["suit_direct.other"], f["suit_after_review.total"]) == (1, 1, 1, 0)
    assert report.checks["R1"] == "ok" and report.checks["R4"] == "ok"


def test_an_inconsistent_report_is_kept_with_its_failures(html_fixture):
    report = parse(html_fixture, "inconsistent.html")
    assert report.error is None
    assert report.checks == {"R1": "failed", "R3": "ok", "R4": "ok", "R5": "failed"}
    assert "R1 column natural_person: 10 + 0 = 10 ≠ 8 + 1 = 9" in report.check_failures
    assert "R5 review: 3 ≠ 1 + 1 + 0 + 0 = 2" in report.check_failures
    assert report.figures["applications.new.total"] == 10


def test_a_page_that_is_not_an_annual_report(html_fixture):
    report = parse(html_fixture, "not_a_report.html")
    assert report.error.startswith("not an annual report")
    assert report.figures == {}
