from gxcrawl.parser.identity import find_identity, is_title_line, read_title


def test_agency_and_year_from_titles():
    cases = {
        "新乡市卫滨区人民政府办公室2022年政府信息公开工作年度报告": ("新乡市卫滨区人民政府办公室", 2022),
        "卫辉市商务局2022年度政府信息公开工作年度报告": ("卫辉市商务局", 2022),
        "2022年开封市祥符区教育局政府信息公开工作年度报告": ("开封市祥符区教育局", 2022),
        "郑州市大数据局关于2022年政府信息公开工作年度报告": ("郑州市大数据局", 2022),
        "卫辉市 政务和⼤数据管理局 2022年政府信息公开⼯作年度报告": ("卫辉市政务和大数据管理局", 2022),
        "新乡市卫滨区人民政府办公室2022年政府信息公开工作年度报告（更正版）": ("新乡市卫滨区人民政府办公室", 2022),
        "某县人民政府二〇二一年政府信息公开工作年度报告": ("某县人民政府", 2021),
        "《某局2020年政府信息公开工作年度报告》": ("某局", 2020),
    }
    for title, (agency, year) in cases.items():
        identity = read_title(title)
        assert (identity.agency, identity.year) == (agency, year), title


def test_sentences_about_the_report_are_not_titles():
    assert is_title_line("某局2022年政府信息公开工作年度报告")
    assert not is_title_line("根据《条例》要求，现公布某局2022年政府信息公开工作年度报告。本报")
    assert not is_title_line("某局2022年政府信息公开工作年度报告由六部分组成")
    assert read_title("年度工作总结") is None


def test_the_first_title_naming_an_agency_wins():
    identity = find_identity(["2022年政府信息公开工作年度报告", "某局2022年政府信息公开工作年度报告"])
    assert identity.agency == "某局"


def test_titles_wrapped_in_noise():
    cases = {
        "《2022年某区教育局政府信息公开工作年度报告》": ("某区教育局", 2022),
        "关于2022年某区教育局政府信息公开工作年度报告": ("某区教育局", 2022),
        "（更正）2022年某区教育局政府信息公开工作年度报告": ("某区教育局", 2022),
        "[更正]某区教育局2022年政府信息公开工作年度报告": ("某区教育局", 2022),
        "某区教育局2022年政府信息公开工作年度报告(更正版)(2023年3月1日)": ("某区教育局", 2022),
        "某区教育局2022年政府信息公开工作年度报告【更正版】": ("某区教育局", 2022),
        "某区教育局2022年政府信息公开工作年度报告-更正版": ("某区教育局", 2022),
        "某区教育局关于2022年度政府信息公开工作的年度报告": ("某区教育局", 2022),
        "首页>政务公开>某区教育局2022年政府信息公开工作年度报告": ("某区教育局", 2022),
        "某区教育局2022年政府信息公开工作年度报告.pdf": ("某区教育局", 2022),
        "中共某市委2035年规划办公室2022年政府信息公开工作年度报告": ("中共某市委2035年规划办公室", 2022),
        "某市12345热线服务中心2022年政府信息公开工作年度报告": ("某市12345热线服务中心", 2022),
    }
    for title, expected in cases.items():
        identity = read_title(title)
        assert identity and (identity.agency, identity.year) == expected, title
    assert read_title("某局关于2022年政府信息公开工作年度报告的通知") is None
