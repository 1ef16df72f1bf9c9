"""Stage three: rows recognised, the form told, cells aligned."""

from gxcrawl.forms import FORMS, recognise_row
from gxcrawl.parser.figures import align, detect_form, read_figures
from gxcrawl.parser.rows import LabelledRow


def row(label, cells=("0",) * 7, table="applications", held=0):
    return LabelledRow(table, label, list(cells), label, held)


def test_the_label_that_matches_last_wins():
    def key(label, table="applications"):
        found = recognise_row(table, label)
        return found and found[1]

    assert key("三、本年度办理结果(三)不予公开1.属于国家秘密") == "denied_state_secret"
    assert key("(六)其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请") == "other_no_correction"
    assert key("(六)其他处理3.其他") == "other_other"
    assert key("(六)其他处理(3)其他") == "other_other"
    assert key("其他") == "other_other"
    assert key("(六)其他处理") == "other"
    assert (
        key(
            "申请人情况自然人法人或其他组织总计商业企业科研机构社会组织法律服务机构其他一、本年新收政府信息公开申请数量"
        )
        == "new"
    )
    assert key("5.属于三类内容事务信息") == "denied_internal"
    assert key("四、结转下年度继续办理") == "carried_forward"
    assert key("规范性文件", "active") == "normative"
    assert key("其他主动公开文件", "active") is None
    assert recognise_row(None, "行政许可") == ("active", "licensing")


def test_the_form_is_told_by_labels_not_by_year():
    assert detect_form("信息内容本年新制作数量本年新公开数量对外公开总数量", [])[0].name == "2019"
    assert detect_form("信息内容本年(2023)制发件数本年度废止件数现行有效件数", [])[0].name == "2021"
    form, warning = detect_form("", [])
    assert form.name == "2021" and "could not be told" in warning


def test_align_fits_cells_to_columns():
    assert align(["", "0", "1", "2", ""], 3).cells == ["0", "1", "2"]
    shifted = align(["9", "0", "1", "2"], 3)
    assert shifted.cells == ["0", "1", "2"] and "['9']" in shifted.note
    # Too few cells: which columns they fill is unknown (blank cells vanish when a table is flattened),
    # but for a lone figure in a row that ends in its 总计, which layouts keep.
    short = align(["", "", "2"], 7)
    assert short.cells == [None] * 7 and "3 cells for 7 columns" in short.note
    assert align(["", "", "2"], 7, ends_in_total=True).cells == [None] * 6 + ["2"]
    assert align(["1", "2"], 7, ends_in_total=True).cells == [None] * 7
    assert align(["3", "5"], 3).cells == [None] * 3
    assert align(["1", "", ""], 1).cells == ["1"]
    # A single figure followed by filler dashes, as agencies fill unused cells.
    assert align(["57", "/", "/"], 1) == align(["57"], 1)
    assert align(["", "", "57"], 1).cells == ["57"]


def test_review_table_from_one_row_of_fifteen_or_more():
    figures = read_figures([row("", [str(n) for n in range(16)], table="review")], "本年制发件数")
    assert figures.values["review.upheld"] == 1
    assert figures.values["suit_after_review.total"] == 15


def test_review_table_transposed():
    rows = [
        row(label, cells, table="review", held=0)
        for label, cells in (
            ("结果维持", ["1", "0", "2"]),
            ("结果纠正", ["0", "1", "0"]),
            ("其他结果", ["0", "0", "0"]),
            ("尚未审结", ["1", "0", "0"]),
            ("总计", ["2", "1", "2"]),
        )
    ]
    figures = read_figures(rows, "本年制发件数")
    assert (figures.values["review.upheld"], figures.values["review.total"]) == (1, 2)
    assert (figures.values["suit_direct.corrected"], figures.values["suit_after_review.upheld"]) == (1, 2)
    assert not [w for w in figures.warnings if "四" in w]


def test_loose_figures_of_table_four_are_read_only_when_they_are_fifteen():
    rows = [row("", ["1"] * 5, table="review"), row("", ["0"] * 5, table="review"), row("", ["2"] * 5, table="review")]
    assert read_figures(rows, "").values["suit_after_review.total"] == 2
    figures = read_figures(rows[:2] + [row("", ["2"] * 4, table="review")], "")
    assert figures.values["review.upheld"] is None
    assert any("14 figures outside labelled rows" in w for w in figures.warnings)


def test_a_labelled_stray_row_in_table_four_is_not_read_as_figures():
    rows = [row("", [str(n) for n in range(15)], table="review"), row("网站标识码", ["4100000031"], table="review")]
    figures = read_figures(rows, "")
    assert figures.values["review.upheld"] == 0 and figures.values["suit_after_review.total"] == 14
    assert any("网站标识码" in w for w in figures.warnings)


def test_a_2021_report_printing_other_as_one_row_keeps_its_form_and_the_row():
    """figures.md, «Hybrid tables»: the single row under applications.other.*, the sub-rows null."""
    figures = read_figures([row("(六)其他处理", ["2", "0", "0", "0", "0", "1", "3"])], "本年制发件数本年废止件数")
    assert figures.form.name == "2021"
    assert figures.values["applications.other.total"] == 3
    assert figures.values["applications.other_other.total"] is None
    assert set(FORMS["2021"].keys) < set(figures.values)
    assert any("as one row" in warning for warning in figures.warnings)


def test_a_2021_table_with_the_three_sub_rows_is_not_hybrid():
    rows = [row("(六)其他处理1.申请人无正当理由逾期不补正", ["1"] * 7), row("3.其他", ["0"] * 7)]
    figures = read_figures(rows, "本年制发件数")
    assert "applications.other.total" not in figures.values
    assert figures.values["applications.other_no_correction.total"] == 1


def test_a_repeated_row_keeps_the_fuller_one_and_says_so():
    figures = read_figures([row("规章", ["3"], table="active"), row("规章", ["1", "0", "16"], table="active")], "")
    assert figures.values["active.regulation.in_force"] == 16
    assert any("appears twice" in warning for warning in figures.warnings)
    # Two as full and different: the arithmetic chooses; here neither satisfies R3, so neither is read.
    figures = read_figures([row("一、本年新收", ["1"] * 7), row("一、本年新收", ["2"] * 7)], "")
    assert figures.values["applications.new.total"] is None
    assert any("appears 2 times" in warning for warning in figures.warnings)
    assert any("no reading satisfies R3 row new" in warning for warning in figures.warnings)
    # Printings with a blank cell: readings with a null figure, which no rule can confirm.
    figures = read_figures(
        [
            row("一、本年新收", ["1", "", "0", "0", "0", "0", "1"]),
            row("一、本年新收", ["2", "", "0", "0", "0", "0", "2"]),
        ],
        "",
    )
    assert figures.values["applications.new.total"] is None
    assert figures.unsettled >= {"applications.new.total"}
