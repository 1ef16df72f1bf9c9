"""The two official forms of the annual report, as data.

Everything the parser knows about the forms lives here: the six sections and
how their headings are recognised, the rows and columns of tables 二, 三 and 四
with their printed labels and canonical keys (../shared/spec/figures.md), the
patterns that recognise a row from its label however a layout mangled it, and
the markers that tell the 2019 form (国办公开办函〔2019〕60号) from the 2021
form (国办公开办函〔2021〕30号).

Patterns are matched against *squashed* label text (NFKC, no whitespace, see
`gxcrawl.normalize.squash`), so they are written with ASCII brackets and no
spaces.
"""

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from gxcrawl.cells import Kind
from gxcrawl.normalize import squash, tidy

FORM_2019 = "2019"
FORM_2021 = "2021"


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    #: Distinctive words of the heading; real headings vary around them.
    pattern: re.Pattern
    #: Looser words, trusted only after the section's own number (「二、主动公开情况」).
    numbered_pattern: re.Pattern
    #: Whether the section is prose (its text is kept) rather than a table.
    prose: bool


SECTIONS = (
    Section("overview", "一、总体情况", re.compile(r"总体情况|总体概况"), re.compile(r"基本情况|概述|概况"), True),
    Section("active", "二、主动公开政府信息情况", re.compile(r"主动公开政府信息"), re.compile(r"主动公开"), False),
    Section(
        "applications",
        "三、收到和处理政府信息公开申请情况",
        re.compile(r"收到和处理政府信息公开申请|收到和处理.*申请情况"),
        re.compile(r"依申请公开|收到.*申请|处理.*申请"),
        False,
    ),
    Section(
        "review",
        "四、政府信息公开行政复议、行政诉讼情况",
        re.compile(r"行政复议.*行政诉讼|复议.*诉讼情况"),
        re.compile(r"行政复议|行政诉讼"),
        False,
    ),
    Section(
        "problems",
        "五、存在的主要问题及改进情况",
        re.compile(r"存在的?主要问题|主要问题(及|和|与)改进|问题(及|和)改进"),
        re.compile(r"问题|不足|改进"),
        True,
    ),
    Section("other", "六、其他需要报告的事项", re.compile(r"其他需要?报告"), re.compile(r"其他.*事项"), True),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)

#: A heading's number: 「一、」 「1、」 「第一部分」 (「（一）」 numbers sub-headings).
_NUMBERING = re.compile(
    r"^(第(?P<part>[一二三四五六])部分|(?P<chinese>[一二三四五六七八九十]{1,2})\s*[、.,:]"
    r"|(?P<arabic>\d{1,2})\s*[、.,:]|(?P<spaced>[一二三四五六])\s)\s*"
)
_CHINESE_NUMBERS = {numeral: index for index, numeral in enumerate("一二三四五六七八九十", 1)}
#: What a heading without a number never holds: figures, sentence punctuation.
_SENTENCE_LIKE = re.compile(r"[\d。,;:!?]")
MAX_HEADING = 40
MAX_BARE_HEADING = 16


def heading_section(text: str) -> str | None:
    """The section a line heads, if it is a section heading.

    A numbered heading must carry its section's own number (二 for 主动公开…), so
    that a numbered sub-heading of 总体情况 such as 「2.依申请公开情况」 is not one.
    """
    return None if len(text) > 2 * MAX_HEADING else _heading_section(text)


@lru_cache(maxsize=1 << 12)  # table rows repeat from report to report
def _heading_section(text: str) -> str | None:
    line = tidy(text)
    numbered = _NUMBERING.match(line)
    rest = squash(line[numbered.end() :] if numbered else line)
    if not rest or len(rest) > (MAX_HEADING if numbered else MAX_BARE_HEADING) or rest[0] in "(（":
        return None
    if not numbered and _SENTENCE_LIKE.search(rest):
        return None
    number = _heading_number(numbered) if numbered else None
    for index, section in enumerate(SECTIONS, 1):
        if number not in (None, index):
            continue
        if section.pattern.search(rest) or (number == index and section.numbered_pattern.search(rest)):
            return section.key
    return None


def _heading_number(numbered: re.Match) -> int:
    numeral = numbered["part"] or numbered["chinese"] or numbered["spaced"]
    return _CHINESE_NUMBERS.get(numeral, 0) if numeral else int(numbered["arabic"])


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.COUNT
    #: The printed heading over several columns (「法人或其他组织」).
    group: str = ""


@dataclass(frozen=True)
class Row:
    key: str
    #: The row's label as the official form prints it.
    label: str
    #: The printed heading of the row's group (「第二十条第（一）项」, 「（三）不予公开」).
    group: str = ""
    #: Table 二's rows each carry their own columns; other tables share theirs.
    columns: tuple[Column, ...] = ()


@dataclass(frozen=True)
class Table:
    key: str
    #: The table's number in the form, for messages: 二, 三, 四.
    number: str
    #: Prefix of the figure keys: 「active.」 + row + 「.」 + column.
    prefix: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()
    #: The printed heading over all the value columns (「申请人情况」).
    columns_heading: str = ""
    #: The form prints this table's rows across, as column groups over one line of figures (table 四).
    printed_across: bool = False

    def columns_of(self, row: Row) -> tuple[Column, ...]:
        return row.columns or self.columns

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows if row.key == key), None)

    def figure_key(self, row: Row, column: Column) -> str:
        return f"{self.prefix}{row.key}.{column.key}"

    def keys(self) -> list[str]:
        return [self.figure_key(row, column) for row in self.rows for column in self.columns_of(row)]


@dataclass(frozen=True)
class Form:
    name: str
    document: str
    tables: tuple[Table, ...]
    #: Words found only in this form's labels (figures.md, «Which form»).
    markers: re.Pattern
    #: Rows of table 三 found only in this form.
    distinctive_rows: frozenset[str] = field(default_factory=frozenset)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def printing(self, table: Table) -> "Form":
        """This form with one table printed another form's way (figures.md, «Hybrid tables»):
        same name and markers, that table's rows and keys in place of the form's own."""
        tables = tuple(table if own.key == table.key else own for own in self.tables)
        return dataclasses.replace(self, tables=tables)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for table in self.tables for key in table.keys())


# --- Table 二: 主动公开政府信息情况 -------------------------------------------------

ARTICLE_1 = "第二十条第（一）项"
ARTICLE_5 = "第二十条第（五）项"
ARTICLE_6 = "第二十条第（六）项"
ARTICLE_8 = "第二十条第（八）项"
ARTICLE_9 = "第二十条第（九）项"

_ISSUED_2021 = (
    Column("issued", "本年制发件数"),
    Column("repealed", "本年废止件数"),
    Column("in_force", "现行有效件数"),
)
_DECISIONS_2021 = (Column("decisions", "本年处理决定数量"),)
_DOCUMENTS_2019 = (
    Column("made", "本年新制作数量"),
    Column("published", "本年新公开数量"),
    Column("total_public", "对外公开总数量"),
)
_ITEMS_2019 = (
    Column("prev_items", "上一年项目数量"),
    Column("change", "本年增/减", Kind.SIGNED),
    Column("decisions", "处理决定数量"),
)

ACTIVE_2021 = Table(
    "active",
    "二",
    "active.",
    (
        Row("regulation", "规章", ARTICLE_1, _ISSUED_2021),
        Row("normative", "行政规范性文件", ARTICLE_1, _ISSUED_2021),
        Row("licensing", "行政许可", ARTICLE_5, _DECISIONS_2021),
        Row("penalty", "行政处罚", ARTICLE_6, _DECISIONS_2021),
        Row("coercion", "行政强制", ARTICLE_6, _DECISIONS_2021),
        Row("fees", "行政事业性收费", ARTICLE_8, (Column("amount", "本年收费金额（单位：万元）", Kind.AMOUNT),)),
    ),
)

ACTIVE_2019 = Table(
    "active",
    "二",
    "active.",
    (
        Row("regulation", "规章", ARTICLE_1, _DOCUMENTS_2019),
        Row("normative", "规范性文件", ARTICLE_1, _DOCUMENTS_2019),
        Row("licensing", "行政许可", ARTICLE_5, _ITEMS_2019),
        Row("other_services", "其他对外管理服务事项", ARTICLE_5, _ITEMS_2019),
        Row("penalty", "行政处罚", ARTICLE_6, _ITEMS_2019),
        Row("coercion", "行政强制", ARTICLE_6, _ITEMS_2019),
        Row("fees", "行政事业性收费", ARTICLE_8, _ITEMS_2019[:2]),
        Row(
            "procurement",
            "政府集中采购",
            ARTICLE_9,
            (Column("items", "采购项目数量"), Column("amount", "采购总金额", Kind.AMOUNT)),
        ),
    ),
)

# --- Table 三: 收到和处理政府信息公开申请情况 -------------------------------------------

LEGAL_PERSONS = "法人或其他组织"
APPLICANT_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("business", "商业企业", group=LEGAL_PERSONS),
    Column("research", "科研机构", group=LEGAL_PERSONS),
    Column("nonprofit", "社会公益组织", group=LEGAL_PERSONS),
    Column("legal_service", "法律服务机构", group=LEGAL_PERSONS),
    Column("other_org", "其他", group=LEGAL_PERSONS),
    Column("total", "总计"),
)

RESULTS = "三、本年度办理结果"
DENIED = "（三）不予公开"
UNAVAILABLE = "（四）无法提供"
UNPROCESSED = "（五）不予处理"
OTHER = "（六）其他处理"
#: Row groups printed inside another: 「（三）不予公开」 is part of 「三、本年度办理结果」.
GROUP_PARENTS = {DENIED: RESULTS, UNAVAILABLE: RESULTS, UNPROCESSED: RESULTS, OTHER: RESULTS}

_HEAD_ROWS = (
    Row("new", "一、本年新收政府信息公开申请数量"),
    Row("carried_over", "二、上年结转政府信息公开申请数量"),
    Row("granted", "（一）予以公开", RESULTS),
    Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", RESULTS),
    Row("denied_state_secret", "1.属于国家秘密", DENIED),
    Row("denied_prohibited", "2.其他法律行政法规禁止公开", DENIED),
    Row("denied_three_safeties", "3.危及“三安全一稳定”", DENIED),
    Row("denied_third_party", "4.保护第三方合法权益", DENIED),
    Row("denied_internal", "5.属于三类内部事务信息", DENIED),
    Row("denied_process", "6.属于四类过程性信息", DENIED),
    Row("denied_enforcement_file", "7.属于行政执法案卷", DENIED),
    Row("denied_query", "8.属于行政查询事项", DENIED),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", UNAVAILABLE),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", UNAVAILABLE),
    Row("unavailable_unclear", "3.补正后申请内容仍不明确", UNAVAILABLE),
    Row("unprocessed_petition", "1.信访举报投诉类申请", UNPROCESSED),
    Row("unprocessed_duplicate", "2.重复申请", UNPROCESSED),
    Row("unprocessed_publication", "3.要求提供公开出版物", UNPROCESSED),
    Row("unprocessed_excessive", "4.无正当理由大量反复申请", UNPROCESSED),
    Row("unprocessed_confirm", "5.要求行政机关确认或重新出具已获取信息", UNPROCESSED),
)
_TAIL_ROWS = (
    Row("total", "（七）总计", RESULTS),
    Row("carried_forward", "四、结转下年度继续办理"),
)
OTHER_ROWS_2021 = (
    Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", OTHER),
    Row("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", OTHER),
    Row("other_other", "3.其他", OTHER),
)
OTHER_ROW_2019 = Row("other", "（六）其他处理", RESULTS)

APPLICATIONS_2021 = Table(
    "applications", "三", "applications.", _HEAD_ROWS + OTHER_ROWS_2021 + _TAIL_ROWS, APPLICANT_COLUMNS, "申请人情况"
)
APPLICATIONS_2019 = Table(
    "applications", "三", "applications.", _HEAD_ROWS + (OTHER_ROW_2019,) + _TAIL_ROWS, APPLICANT_COLUMNS, "申请人情况"
)


def result_rows(table: Table) -> tuple[str, ...]:
    """The rows of table 三 whose sum is the total (rule R4): all but 新收, 上年结转, 总计, 结转下年度."""
    return tuple(row.key for row in table.rows[2:-2])


RESULT_ROWS = {FORM_2021: result_rows(APPLICATIONS_2021), FORM_2019: result_rows(APPLICATIONS_2019)}

# --- Table 四: 行政复议、行政诉讼 ------------------------------------------------------

REVIEW = Table(
    "review",
    "四",
    "",
    (
        Row("review", "行政复议"),
        Row("suit_direct", "未经复议直接起诉", "行政诉讼"),
        Row("suit_after_review", "复议后起诉", "行政诉讼"),
    ),
    (
        Column("upheld", "结果维持"),
        Column("corrected", "结果纠正"),
        Column("other", "其他结果"),
        Column("pending", "尚未审结"),
        Column("total", "总计"),
    ),
    printed_across=True,
)

#: Table 四's column headings, read from the heading texts over a cell (the last match wins,
#: as the words nearest the figures are the most specific): group, then result.
REVIEW_HEADING_GROUPS = (
    ("review", r"行政复议"),
    ("suit_direct", r"直接起诉|未经复议"),
    ("suit_after_review", r"复议后起诉"),
)
REVIEW_HEADING_RESULTS = (
    ("upheld", r"维持"),
    ("corrected", r"纠正"),
    ("other", r"其他"),
    ("pending", r"未审结|审理中"),
    ("total", r"总计|合计"),
)


@lru_cache(maxsize=1 << 10)
def review_heading(heading: str) -> str | None:
    """The table 四 key the headings over a cell name (「行政诉讼未经复议直接起诉结果纠正」 → suit_direct.corrected)."""
    group, result = _last_match(_REVIEW_GROUPS, heading), _last_match(_REVIEW_RESULTS, heading)
    return f"{group}.{result}" if group and result else None


def _last_match(patterns, text: str) -> str | None:
    found = [(match.end(), key) for key, pattern in patterns for match in pattern.finditer(text)]
    return max(found)[1] if found else None


_REVIEW_GROUPS = tuple((key, re.compile(pattern)) for key, pattern in REVIEW_HEADING_GROUPS)
_REVIEW_RESULTS = tuple((key, re.compile(pattern)) for key, pattern in REVIEW_HEADING_RESULTS)

# --- Recognising rows ----------------------------------------------------------------

#: Row key → pattern over the squashed label, per table, for both forms;
#: patterns anchored with $ only match a label's end (see `recognise_row`).
ROW_PATTERNS = {
    "active": (
        ("regulation", r"规章"),
        ("normative", r"规范性文件"),
        ("licensing", r"行政许可"),
        ("other_services", r"对外管理服务"),
        ("penalty", r"行政处罚"),
        ("coercion", r"行政强制"),
        ("fees", r"事业性收费"),
        ("procurement", r"集中采购|采购项目"),
    ),
    "applications": (
        ("new", r"本年新收|新收政府信息"),
        ("carried_over", r"上年结转|上年度结转"),
        ("granted", r"予以公开"),
        ("partial", r"部分公开"),
        ("denied_state_secret", r"国家秘密"),
        ("denied_prohibited", r"禁止公开"),
        ("denied_three_safeties", r"三安全|一稳定|危及"),
        ("denied_third_party", r"第三方"),
        ("denied_internal", r"内部事务|内容事务|三类内"),
        ("denied_process", r"过程性"),
        ("denied_enforcement_file", r"执法案卷"),
        ("denied_query", r"查询事项"),
        ("unavailable_not_held", r"不掌握"),
        ("unavailable_needs_creation", r"另行制作|没有现成"),
        ("unavailable_unclear", r"仍不明确|补正后"),
        ("unprocessed_petition", r"信访|举报投诉"),
        ("unprocessed_duplicate", r"重复申请"),
        ("unprocessed_publication", r"出版物"),
        ("unprocessed_excessive", r"大量反复|反复申请"),
        ("unprocessed_confirm", r"重新出具|确认或"),
        ("other_no_correction", r"不补正"),
        ("other_unpaid_fee", r"缴纳费用|收费通知"),
        ("other_other", r"(\d[.、)]?|\(\d\))其他(情形)?$|^其他$|其他处理.*其他$"),
        ("other", r"其他处理$"),
        ("total", r"总计$|合计$"),
        ("carried_forward", r"结转下一?年|下年度继续"),
    ),
    "review": (
        ("review", r"行政复议\)?$"),
        ("suit_direct", r"直接起诉\)?$"),
        ("suit_after_review", r"复议后起诉\)?$"),
        # A transposed table 四: one row per result, one column per group.
        ("upheld", r"结果维持$"),
        ("corrected", r"结果纠正$"),
        ("other", r"其他结果$"),
        ("pending", r"尚未审结$"),
        ("total", r"总计$|合计$"),
    ),
}


#: Characters of the merged label cells the forms print vertically (「三、本年度办理结果」 down the
#: result rows): a PDF's text puts them one by one into the rows beside them.
VERTICAL_CHARACTERS = frozenset(squash(RESULTS + "申请人情况" + LEGAL_PERSONS))
#: How many such characters can end up after one row's own label.
MAX_SCATTERED = 2


@lru_cache(maxsize=1 << 12)
def recognise_row(table: str | None, label: str) -> tuple[str, str] | None:
    """(table, row key) of a squashed label, looking in `table` or, if None, in every table.

    A label often carries its group too (「三、本年度办理结果(三)不予公开1.属于国家秘密」)
    or header text that ran into it, so the pattern matching *last* wins. A label that
    matches nothing is tried again without the characters of a vertical heading that a
    PDF's text scattered after it (「(七)总计果」).
    """
    found = _recognise(table, label)
    for cut in range(1, MAX_SCATTERED + 1):
        if found or len(label) <= cut or not VERTICAL_CHARACTERS.issuperset(label[-cut:]):
            break
        found = _recognise(table, label[:-cut])
    return found


def _recognise(table: str | None, label: str) -> tuple[str, str] | None:
    best, best_rank = None, (-1, -1)
    for candidate in (table,) if table else tuple(_ROW_REGEXES):
        for key, pattern in _ROW_REGEXES[candidate]:
            for found in pattern.finditer(label):
                rank = (found.end(), found.end() - found.start())
                if rank > best_rank:
                    best, best_rank = (candidate, key), rank
    return best


_ROW_REGEXES = {
    table: tuple((key, re.compile(pattern)) for key, pattern in rows) for table, rows in ROW_PATTERNS.items()
}

#: Words that make a row of text belong to a table when no heading said so.
TABLE_MARKERS = {
    "active": re.compile(r"第二十条|本年制发件数|本年新制作数量|处理决定数量"),
    "applications": re.compile(r"申请人情况|本年新收|勾稽关系"),
    "review": re.compile(r"结果维持|结果纠正|尚未审结"),
}

FORMS = {
    FORM_2021: Form(
        FORM_2021,
        "国办公开办函〔2021〕30号",
        (ACTIVE_2021, APPLICATIONS_2021, REVIEW),
        re.compile(r"本年(\(\d{4}年?\))?度?制发件数|本年(\(\d{4}年?\))?度?废止件数|本年收费金额|现行有效件数"),
        frozenset({"other_no_correction", "other_unpaid_fee", "other_other"}),
    ),
    FORM_2019: Form(
        FORM_2019,
        "国办公开办函〔2019〕60号",
        (ACTIVE_2019, APPLICATIONS_2019, REVIEW),
        re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|第二十条第\(九\)项|政府集中采购"),
        frozenset({"other"}),
    ),
}


def ancestors(row: Row) -> tuple[str, ...]:
    """The printed headings a row stands under, outermost first: (「三、本年度办理结果」, 「（三）不予公开」)."""
    if not row.group:
        return ()
    return (GROUP_PARENTS[row.group], row.group) if row.group in GROUP_PARENTS else (row.group,)


_NUMBERED_HEADING = re.compile(r"（[一二三四五六七八九十]）[^（]*")


def figure_labels():
    """Every figure of both forms and of the legacy table with its printed labels, one dict each (the
    `figure_labels` table).

    `outcome` names the result category (「（三）不予公开」, 「（一）予以公开」…) of table 三's result
    rows, for totals by outcome.
    """
    sections = {section.key: section.heading for section in SECTIONS}
    for form in FORMS.values():
        for table in form.tables:
            for row in table.rows:
                outcome = None
                if table.key == "applications" and row.key in RESULT_ROWS[form.name]:
                    # 「（二）部分公开」 without its printed proviso 「（区分处理的，…）」
                    outcome = _NUMBERED_HEADING.match(row.group if row.group in GROUP_PARENTS else row.label).group(0)
                for column in table.columns_of(row):
                    printed = [*ancestors(row), row.label, column.group, column.label]
                    yield {
                        "template": form.name,
                        "key": table.figure_key(row, column),
                        "table_number": table.number,
                        "row_key": row.key,
                        "column_key": column.key,
                        "section": sections[table.key],
                        "row_group": " ".join(ancestors(row)) or None,
                        "row_label": row.label,
                        "column_group": column.group or None,
                        "column_label": column.label,
                        "label": " · ".join(part for part in printed if part),
                        "outcome": outcome,
                    }
    yield from legacy_figure_labels()


# === Reports before 2019: the `legacy` form ==========================================
#
# figures.md, «Reports before 2019»: reports for 2008–2018 predate both forms and end
# with a 「政府信息公开情况统计表」 of indicators (指标名称 / 计量单位 / 本年度 or the year /
# 历年累计) whose rows vary by province and year. Every row is kept as printed; the
# indicators below are read under stable keys, this year's value. A row is recognised
# by its squashed label; an indicator's patterns are tiers, most specific first, and the
# first tier that matches any row decides (the national table of 2015–2018 prints both
# 「申请办结数」 and 「申请答复数」: the replies, of which granted/partial/refused are parts,
# are the answered count).

FORM_LEGACY = "legacy"
#: The last year whose report predates the forms: a report of that year or earlier without
#: any of the forms' tables is a legacy report, with or without a statistics table.
LAST_LEGACY_YEAR = 2018
LEGACY_TABLE_HEADING = "政府信息公开情况统计表"
#: A row of the legacy table read under a key: where the table has it, this year's value.
LEGACY_VALUE_COLUMN = "本年度"
#: A row's own numbering and lead-in: 「四、」, 「（二）」, 「3.」, 「其中：」.
_NUMBERED = r"^(其中:)?([一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[、.])?(其中:)?"
_COUNTED = r"(案件)?(数量?|总数|件数|次数)$"


def _exactly(words: str) -> str:
    """A label that is `words` and a count, after its numbering."""
    return f"{_NUMBERED}({words}){_COUNTED}"


@dataclass(frozen=True)
class LegacyIndicator:
    key: str
    #: The row's label as reports usually print it (figures.md gives the variants).
    label: str
    #: Tiers of patterns over the squashed label, most specific first.
    patterns: tuple[str, ...]
    kind: Kind = Kind.COUNT
    #: Printed as a 「其中：」 sub-row of another indicator (the answers' kinds). Other indicators
    #: are never read from a sub-row, which counts part of its parent (「其中：网上主动公开信息数」).
    part: bool = False


LEGACY_INDICATORS = (
    LegacyIndicator("legacy.proactive", "主动公开政府信息数", (r"主动公开(政府)?信息(总)?条?数|主动公开文件(总)?数",)),
    LegacyIndicator(
        "legacy.applications",
        "收到申请数",
        (
            r"收到(的)?(政府)?(信息公开)?申请(总)?数|受理依申请公开(政府)?信息(总)?数|申请总数"
            r"|^(\([一二三四五六七八九十]\)|[一二三四五六七八九十\d]+[、.])?依申请公开(政府)?信息(总)?数",
        ),
    ),
    LegacyIndicator(
        "legacy.answered", "对申请的答复总数", (r"对申请的?答复(总)?数|申请答复(总)?数", r"申请办结(总)?数")
    ),
    LegacyIndicator("legacy.granted", "同意公开答复数", (r"(?<![不部分])同意公开(答复)?数",), part=True),
    LegacyIndicator("legacy.partial", "同意部分公开答复数", (r"部分公开(答复)?数",), part=True),
    LegacyIndicator(
        "legacy.refused",
        "不同意公开答复数",
        (r"不同意公开(答复)?(总)?数|不予公开(答复)?(总)?数|否决公开(答复)?(总)?数",),
        part=True,
    ),
    LegacyIndicator("legacy.review", "行政复议数", (_exactly(r"(因政府信息公开(申请)?)?(提起|申请)?行政复议"),)),
    LegacyIndicator("legacy.suit", "行政诉讼数", (_exactly(r"(因政府信息公开(申请)?)?(提起)?行政诉讼"),)),
    # Combined rows (「行政复议、行政诉讼数」, 「接受行政诉讼、举报数」) count two things at once: none is read.
    LegacyIndicator("legacy.complaints", "举报投诉数", (_exactly(r"举报投诉|投诉举报|行政申诉|申诉举报|举报"),)),
    LegacyIndicator(
        "legacy.fees",
        "依申请公开信息收取的费用",
        (r"依申请公开(政府)?信息收取的?费用|依申请公开收费|收费金额|收取(的)?费用$",),
        Kind.AMOUNT,
    ),
)
LEGACY_KEYS = tuple(indicator.key for indicator in LEGACY_INDICATORS)
#: A sub-row (「其中：网上主动公开信息数」) counts part of the row above it: never a headline indicator.
LEGACY_SUB_ROW = re.compile(r"^(其中|含)[:：,，]?")
_LEGACY_REGEXES = tuple((indicator.key, tuple(map(re.compile, indicator.patterns))) for indicator in LEGACY_INDICATORS)


def legacy_matches(label: str) -> dict[str, int]:
    """The indicators a squashed label matches, each with the tier (0 first) of its pattern that does."""
    sub_row = LEGACY_SUB_ROW.match(label) is not None
    found = {}
    for (key, tiers), indicator in zip(_LEGACY_REGEXES, LEGACY_INDICATORS):
        if sub_row and not indicator.part:
            continue
        tier = next((index for index, pattern in enumerate(tiers) if pattern.search(label)), None)
        if tier is not None:
            found[key] = tier
    return found


@dataclass(frozen=True)
class LegacyColumn:
    key: str
    #: Over the squashed header cell.
    pattern: re.Pattern


#: The columns of the statistics table, by their header; a header naming a year (「2016年度」)
#: is this year's column when the year is the report's.
LEGACY_COLUMNS = (
    LegacyColumn("label", re.compile(r"^(统计)?指标(名称)?$|^项目(名称)?$|^名称$|^统计项目$|^内容$")),
    LegacyColumn("unit", re.compile(r"^(计量)?单位$")),
    LegacyColumn("cumulative", re.compile(r"^(历年|历史)?累计(数|数量)?(\(.*\))?$")),
    LegacyColumn("value", re.compile(r"^本年度?(数|数量|数值|统计数)?$|^数量$|^数值$|^统计数$|^本年度?累计$")),
)
#: Words without which no line is the table's header (its label column's): most lines are passed over at once.
LEGACY_HEADER_WORDS = re.compile(r"指标|项目|名称|内容")
#: A header cell naming the year it counts: 「2016年度」, 「2016年」.
LEGACY_YEAR_HEADER = re.compile(r"^((?:19|20)\d{2})年度?(数|数量|数值)?$")
#: Units the table prints; money in 元 becomes 万元 under the `legacy.fees` key.
LEGACY_UNITS = re.compile(r"^(条|件|个|项|次|人次|人|万元|元|份|期|场|批|家|篇|名|天|日|%)$")
YUAN = "元"
WAN_YUAN = "万元"
#: A money unit named in a row's label when the table has no unit column: 「收取的费用（万元）」.
LEGACY_UNIT_IN_LABEL = re.compile(r"\((?:单位:)?(万元|元)\)$")


def legacy_figure_labels():
    """The legacy indicators as rows of the `figure_labels` table."""
    for indicator in LEGACY_INDICATORS:
        yield {
            "template": FORM_LEGACY,
            "key": indicator.key,
            "table_number": None,
            "row_key": indicator.key.removeprefix("legacy."),
            "column_key": "this_year",
            "section": LEGACY_TABLE_HEADING,
            "row_group": None,
            "row_label": indicator.label,
            "column_group": None,
            "column_label": LEGACY_VALUE_COLUMN,
            "label": f"{indicator.label} · {LEGACY_VALUE_COLUMN}",
            "outcome": None,
        }


def _figure_kinds() -> dict[str, Kind]:
    kinds = {indicator.key: indicator.kind for indicator in LEGACY_INDICATORS}
    for form in FORMS.values():
        for table in form.tables:
            for row in table.rows:
                kinds.update((table.figure_key(row, column), column.kind) for column in table.columns_of(row))
    return kinds


#: How each figure of both forms and the legacy table is read: a count, a signed change or an amount.
FIGURE_KINDS = _figure_kinds()
