"""A report's scorecard: published on time, complete, consistent, not copied; and a score from them.

What transparency researchers grade agencies on, each part from what the
report itself and the agency's previous report say:

- **on time**: the Regulations (《政府信息公开条例》第五十条) want the report by
  31 January of the following year. First published that day or earlier is on
  time (a corrected re-publication later does not make it late); later, so
  many days late; no publication date (an imported file), or one before the
  year it reports on ended (a portal's wrong date), unknown.
- **complete**: which of the six sections and of tables 二, 三 and 四 the report
  has (a prose section by its text, a table by any figure read from it: a
  table the parser could not read counts as missing, and the report's warnings
  say why), and the share of the form's cells it gives (printed, not derived).
  A report before 2019 has no form: its completeness is not graded.
- **consistent**: the rules that failed among R1, R3, R4, R5 (L1 before 2019),
  R6 (this year's 上年结转 against last year's 结转下年度, both as printed) and
  R7: what the prose states (「共收到政府信息公开申请N件」, 「办结N件」,
  「结转下年度N件」, 「行政复议N件」, 「行政诉讼N件」) against the tables; a
  mismatch names both numbers. The first such statement of each kind counts,
  in a sentence that names no other year, not qualified (「按期办结」,
  「较上年」), and for 办结 not about reviews or lawsuits.
- **not copied**: the share of the prose (sections 一, 五 and 六) that repeats,
  sentence for sentence, the agency's report of the year before, its numbers
  aside (a text copied with this year's year and figures put in counts as
  copied). The sentences every report must carry (「本报告中所列数据的统计期限自…」)
  are not counted.

The score is out of 100, 25 for each part: on time 25, late 25 less one point
for every four days late (none after 100 days); complete 12.5 for the share of
the six sections present and 12.5 for the share of cells given; consistent 25
less 5 for each rule failed; not copied 25 times the share that is not copied.
A part that cannot be graded (no date, no previous report, before 2019, no
rule that could be evaluated) is left out and the others scaled to 100, so
that the score depends only on what is known; it is the same for every
version with the same text, figures and first date. SCORING names these rules:
a scorecard records the version it was graded by.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from gxcrawl.forms import FORM_LEGACY, FORMS
from gxcrawl.normalize import squash

#: The rules a scorecard is graded by: changed whenever the grading changes, so that scores of two versions of the
#: rules are never compared unawares.
SCORING = 1
#: The sections whose text the reports table keeps.
PROSE_SECTIONS = ("overview", "problems", "other")
SECTION_HEADINGS = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
PART = 25
#: A late report loses a point for each this many days.
DAYS_PER_POINT = 4
POINTS_PER_FAILED_RULE = 5
#: Sentences shorter than this (characters, spaces aside) are formulae every report shares: not counted as copied.
MIN_SENTENCE = 8
_SENTENCE_END = re.compile(r"[。；;！!？?\n]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_COUNT = r"(\d+)\s*(?:件|起|宗)"
_YEAR = re.compile(r"(20\d\d|19\d\d)年")
#: Words before a stated figure that make it another figure than the table's: part of it, or another year's.
_QUALIFIED = re.compile(r"(按期|按时|延期|逾期|超期|上年|上一年|去年|较|同比|比|其中)[^，,；;]{0,6}$")
#: Sentences every report carries, copied or not.
BOILERPLATE = (re.compile(r"统计期限|电子版|如对本.*?报告有(任何)?疑问|联系(地址|电话)|邮政编码|本报告由.*?编制"),)


@dataclass(frozen=True)
class Statement:
    """A figure the prose states, and the tables' figures it must equal (any one of the sums)."""

    name: str
    pattern: re.Pattern
    #: Each a sum of figure keys; the statement agrees when it equals one of them.
    sums: tuple[tuple[str, ...], ...]
    #: A sentence naming one of these is about something else (办结 of a review).
    elsewhere: re.Pattern | None = None


#: R7: what reports state in their prose, and where the form has it.
STATEMENTS = (
    Statement(
        "收到申请",
        re.compile(
            r"(?:共|总共|累计)?(?:收到|受理)(?:各类|各种)?(?:政府信息公开|依申请公开)?(?:申请|信息公开申请)(?:共|共计|合计)?"
            + _COUNT
        ),
        (("applications.new.total",), ("applications.new.total", "applications.carried_over.total")),
    ),
    Statement(
        "办结",
        re.compile(r"(?:已|共|全部)?办结(?:申请)?(?:共|共计)?" + _COUNT),
        (("applications.total.total",),),
        re.compile(r"复议|诉讼"),
    ),
    Statement(
        "结转下年度",
        re.compile(r"结转(?:至|到)?下(?:一)?年度?(?:继续办理)?(?:的申请)?(?:共)?" + _COUNT),
        (("applications.carried_forward.total",),),
    ),
    Statement(
        "行政复议",
        re.compile(r"(?:被申请|提起|发生|收到)?行政复议(?:案件|申请)?(?:共|共计)?" + _COUNT),
        (("review.total",),),
    ),
    Statement(
        "行政诉讼",
        re.compile(r"(?:被提起|提起|发生)?行政诉讼(?:案件)?(?:共|共计)?" + _COUNT),
        (("suit_direct.total", "suit_after_review.total"),),
    ),
)


@dataclass
class Scorecard:
    #: 1 on time, 0 late, None when the publication date is unknown.
    on_time: int | None = None
    days_late: int | None = None
    #: The six sections' keys the report lacks, and the form's tables among them; None before 2019.
    sections_missing: list[str] | None = None
    cells_given: float | None = None
    #: The rules that failed (R1, R3, R4, R5, L1, R6, R7), and how many could be evaluated (ok or failed).
    rules_failed: list[str] = field(default_factory=list)
    rules_evaluated: int = 0
    narrative: str = "unknown"
    narrative_failures: list[str] = field(default_factory=list)
    #: Share of the prose repeated from the year before; None without the previous year's report.
    copied_share: float | None = None
    score: int | None = None


def deadline(year: int) -> date:
    return date(year + 1, 1, 31)


def timeliness(year: int, published: str | None) -> tuple[int | None, int | None]:
    """(on time, days late) of a report of `year` first published on `published` (ISO date or time)."""
    if not published:
        return None, None
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return None, None
    if day.year <= year:  # before the year it reports on ended: the portal's date is wrong, not the agency early
        return None, None
    late = (day - deadline(year)).days
    return (1, 0) if late <= 0 else (0, late)


def missing_sections(template: str, prose: dict[str, str | None], figures: dict) -> list[str] | None:
    """The six sections the report lacks: a prose section by its text, a table by its figures."""
    if template == FORM_LEGACY:
        return None
    missing = [key for key in PROSE_SECTIONS if not (prose.get(key) or "").strip()]
    for table in FORMS[template].tables:
        if not any(figures.get(key) is not None for key in table.keys()):
            missing.append(table.key)
    order = list(SECTION_HEADINGS)
    return sorted(missing, key=order.index)


def narrative(prose: str, year: int, figures: dict[str, Decimal | None]) -> tuple[str, list[str]]:
    """R7: the figures the prose states against the tables; (ok / failed / unknown, the mismatches)."""
    sentences = [sentence for sentence in _SENTENCE_END.split(squash(prose)) if not _other_year(sentence, year)]
    failures, compared = [], False
    for statement in STATEMENTS:
        match = _first_statement(statement, sentences)
        known = [value for value in (_sum(figures, keys) for keys in statement.sums) if value is not None]
        if match is None or not known:
            continue
        compared = True
        if Decimal(match.group(1)) not in known:
            failures.append(f"R7 {statement.name}: the text says {match.group(0)!r}, the table {known[0]}")
    return ("failed" if failures else "ok" if compared else "unknown"), failures


def _first_statement(statement: Statement, sentences: list[str]) -> re.Match | None:
    """The first plain statement of the figure: not qualified by the words before it, not about another matter."""
    for sentence in sentences:
        if statement.elsewhere and statement.elsewhere.search(sentence):
            continue
        for match in statement.pattern.finditer(sentence):
            if not _QUALIFIED.search(sentence[: match.start()]):
                return match
    return None


def _other_year(sentence: str, year: int) -> bool:
    return any(int(found) != year for found in _YEAR.findall(sentence))


def _sum(figures: dict, keys: tuple[str, ...]) -> Decimal | None:
    values = [figures.get(key) for key in keys]
    return None if any(value is None for value in values) else sum(values, Decimal(0))


def copied_share(prose: str, previous_prose: str | None) -> float | None:
    """The share of `prose` (by characters) in sentences the previous year's report has too, the numbers aside."""
    if previous_prose is None:
        return None
    sentences, before = _sentences(prose), set(_sentences(previous_prose))
    if not sentences or not before:
        return None
    total = sum(len(sentence) for sentence in sentences)
    return round(sum(len(sentence) for sentence in sentences if sentence in before) / total, 3)


def _sentences(prose: str) -> list[str]:
    """The prose's sentences without spaces, every number written alike: a sentence copied with this year's figures
    put in is the same sentence."""
    text = _NUMBER.sub("#", squash(prose))
    return [
        sentence
        for sentence in _SENTENCE_END.split(text)
        if len(sentence) >= MIN_SENTENCE and not any(pattern.search(sentence) for pattern in BOILERPLATE)
    ]


def score(card: Scorecard) -> int | None:
    """The score out of 100 from the parts that can be graded (see the module's docstring)."""
    points, possible = 0.0, 0
    if card.on_time is not None:
        points += PART if card.on_time else max(0.0, PART - card.days_late / DAYS_PER_POINT)
        possible += PART
    if card.sections_missing is not None and card.cells_given is not None:
        points += PART / 2 * (1 - len(card.sections_missing) / len(SECTION_HEADINGS)) + PART / 2 * card.cells_given
        possible += PART
    if card.rules_evaluated:
        points += max(0, PART - POINTS_PER_FAILED_RULE * len(card.rules_failed))
        possible += PART
    if card.copied_share is not None:
        points += PART * (1 - card.copied_share)
        possible += PART
    return round(100 * points / possible) if possible else None


def band(share: float | None) -> str | None:
    """A share put in one of four bands, for a facet: 「0–25%」 … 「75–100%」."""
    if share is None:
        return None
    quarter = min(3, int(4 * share))
    return f"{25 * quarter}–{25 * (quarter + 1)}%"
