"""Stage three: rows recognised, the form told, cells aligned."""

from gxcrawl.forms import FORMS
from gxcrawl.parser.figures import align, detect_form, read_figures, recognise
from gxcrawl.parser.rows import LabelledRow


def row(label, cells=("0",) * 7, table="applications"):
    return LabelledRow(table, label, list(cells), label)


def test_the_label_that_matches_last_wins():
    assert recognise(row("三、本年度办理结果(三)不予公开1.属于国家秘密")).row == "denied_state_secret"
    assert recognise(row("(六)其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")).row == "other_no_correction"
    assert recognise(row("(六)其他处理3.其他")).row == "other_other"
    assert recognise(row("(六)其他处理")).row == "other"
    assert recognise(row("申请人情况自然人法人或其他组织总计商业企业科研机构社会组织法律服务机构其他一、本年新收政府信息公开申请数量")).row == "new"
    assert recognise(row("5.属于三类内容事务信息")).row == "denied_internal"
    assert recognise(row("四、结转下年度继续办理")).row == "carried_forward"
    assert recognise(row("规范性文件", table="active")).row == "normative"
    assert recognise(row("其他主动公开文件", table="active")) is None


def test_the_form_is_told_by_labels_not_by_year():
    assert detect_form("信息内容本年新制作数量本年新公开数量对外公开总数量", [])[0].name == "2019"
    assert detect_form("信息内容本年(2023)制发件数本年度废止件数现行有效件数", [])[0].name == "2021"
    form, warning = detect_form("", [])
    assert form.name == "2021" and "could not be told" in warning


def test_align_drops_trailing_empties_then_keeps_the_last_cells():
    assert align(["", "0", "1", "2", ""], 3) == (["0", "1", "2"], False)
    assert align(["9", "9", "0", "1", "2"], 3) == (["0", "1", "2"], False)
    assert align(["", "", "2"], 7) == ([None] * 4 + ["", "", "2"], True)
    assert align(["1", "", ""], 1) == (["1"], False)


def test_review_table_from_one_row_of_fifteen_or_more():
    figures = read_figures([row("", [str(n) for n in range(16)], table="review")], "本年制发件数")
    assert figures.values["review.upheld"] == 1
    assert figures.values["suit_after_review.total"] == 15


def test_a_row_of_the_other_form_is_reported():
    figures = read_figures([row("(六)其他处理")], "本年制发件数本年废止件数")
    assert figures.form.name == "2021"
    assert any("other form" in warning for warning in figures.warnings)
    assert all(key in FORMS["2021"].keys for key in figures.values)


def test_a_repeated_row_with_other_figures_keeps_the_first_and_says_so():
    figures = read_figures([row("一、本年新收", ["1"] * 7), row("一、本年新收", ["2"] * 7)], "")
    assert figures.values["applications.new.total"] == 1
    assert any("appears twice" in warning for warning in figures.warnings)
