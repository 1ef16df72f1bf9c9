"""Stage two: labelled rows and sections."""

from gxcrawl.documents.model import Document, Grid, Paragraph
from gxcrawl.parser.rows import heading_section, label_and_figures, read_rows, split_label


def test_headings_by_their_distinctive_words():
    assert heading_section("一、总体情况") == "overview"
    assert heading_section("1、总体情况") == "overview"
    assert heading_section("## 四、因政府信息公开工作被申请行政复议、提起行政诉讼情况".lstrip("# ")) == "review"
    assert heading_section("五、政府信息公开工作存在的主要问题及改进情况") == "problems"
    assert heading_section("存在的主要问题和改进措施") == "problems"
    assert heading_section("六、其他需要报告的事项") == "other"
    # A sub-heading, a sentence naming the sections, a table row: not headings.
    assert heading_section("（一）主动公开情况") is None
    assert heading_section("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等六部分组成") is None
    assert heading_section("1.属于国家秘密") is None
    # Numbered headings must carry their own section's number.
    assert heading_section("2.依申请公开情况") is None
    assert heading_section("三、依申请公开情况") == "applications"
    assert heading_section("二、主动公开情况") == "active"
    assert heading_section("一、概述") == "overview"
    assert heading_section("五、存在的不足及改进措施") == "problems"
    assert heading_section("六、其他事项") == "other"
    assert heading_section("主动公开情况") is None


def test_split_label_takes_the_figures_off_the_end():
    assert split_label("4.保护第三方合法权益 1 0 0 0 0 0 1") == (
        "4.保护第三方合法权益",
        ["1", "0", "0", "0", "0", "0", "1"],
    )
    assert split_label("行政事业性收费 —") == ("行政事业性收费", ["—"])
    assert split_label("信息内容 本年(2023)制发件数 本年废止件数") == ("信息内容 本年(2023)制发件数 本年废止件数", [])
    assert split_label("0 0 0") == ("", ["0", "0", "0"])


def test_label_and_figures_keeps_empty_cells_after_the_label():
    assert label_and_figures(["", "(三) 不予公开", "1. 属于国家秘密", "0", "", "2"]) == (
        "(三) 不予公开1. 属于国家秘密",
        ["0", "", "2"],
    )
    assert label_and_figures(["序号", "1", "规章", "0"]) == ("序号1规章", ["0"])


def test_wrapped_labels_are_joined_with_the_figures_that_follow():
    document = Document(
        "text",
        [
            Paragraph("三、收到和处理政府信息公开申请情况"),
            Paragraph("（六）其他处"),
            Paragraph("理"),
            Paragraph("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信"),
            Paragraph("息公开申请"),
            Paragraph("0 0 0 0 0 0 0"),
            Paragraph("3.其他 0 0 0 0 0 0 1"),
        ],
    )
    rows = read_rows(document).rows
    assert [(row.table, row.label) for row in rows] == [
        ("applications", "(六)其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("applications", "3.其他"),
    ]
    assert rows[1].cells[-1] == "1"


def test_prose_sections_and_title_lines():
    layout = read_rows(
        Document(
            "text",
            [
                Paragraph("一、总体情况"),
                Paragraph("某局2022年政府信息公开工作年度报告"),
                Paragraph("2022年，某局主动公开信息 223"),
                Paragraph("二、主动公开政府信息情况"),
                Grid([["规章", "0", "0", "0"]]),
                Paragraph("五、存在的主要问题及改进情况"),
                Paragraph("问题一。"),
                Paragraph("六、其他需要报告的事项"),
                Paragraph("无"),
            ],
        )
    )
    assert layout.sections == {"overview": "2022年，某局主动公开信息 223", "problems": "问题一。", "other": "无"}
    assert layout.title_lines == ["某局2022年政府信息公开工作年度报告"]
    assert [(row.table, row.label, row.cells) for row in layout.rows] == [("active", "规章", ["0", "0", "0"])]


def test_a_table_marker_switches_the_table_when_a_heading_is_missing():
    layout = read_rows(
        Document(
            "text",
            [
                Paragraph("二、主动公开政府信息情况"),
                Paragraph("规章 0 0 0"),
                Paragraph("行政复议 行政诉讼"),
                Paragraph("结果维持 结果纠正 其他结果 尚未审结 总计"),
                Paragraph(" ".join(["0"] * 15)),
            ],
        )
    )
    assert [row.table for row in layout.rows] == ["active", "review"]


def test_a_table_row_in_prose_ends_the_prose_when_its_heading_was_missed():
    layout = read_rows(
        Document(
            "text",
            [
                Paragraph("一、总体情况"),
                Paragraph("正文。"),
                Paragraph("二、主动公开工作开展情况"),  # not the heading's words
                Paragraph("规章 1 0 16"),
                Paragraph("行政规范性文件 2 0 9"),
                Paragraph("五、存在的主要问题及改进情况"),
                Paragraph("问题。"),
            ],
        )
    )
    assert layout.sections["overview"] == "正文。"
    assert [(row.table, row.label, row.cells) for row in layout.rows] == [
        ("active", "规章", ["1", "0", "16"]),
        ("active", "行政规范性文件", ["2", "0", "9"]),
    ]


def test_a_summary_table_in_the_overview_stays_prose():
    layout = read_rows(
        Document(
            "html",
            [
                Paragraph("一、总体情况"),
                Grid([["主动公开信息内容", "条数"], ["政策文件", "3"]]),
                Paragraph("二、主动公开政府信息情况"),
                Grid(
                    [
                        ["第二十条第（一）项"],
                        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                        ["规章", "1", "0", "16"],
                    ]
                ),
            ],
        )
    )
    assert "政策文件 3" in layout.sections["overview"]
    assert [(row.table, row.own_label) for row in layout.rows] == [("active", "规章")]


def test_title_over_two_lines():
    for lines in (["某局2022年政府信息公开工作年度报", "告"], ["某局", "2022年政府信息公开工作年度报告"]):
        layout = read_rows(Document("pdf", [Paragraph(line) for line in lines]))
        assert "某局2022年政府信息公开工作年度报告" in layout.title_lines, lines
