"""Who published a report and which year it covers, from its title.

figures.md, «Identity»: the agency is the publishing body as named in the
title (the title wins over the body text), NFKC-normalised and without
whitespace; the year is the year the title names, not the year of publication.

Titles come wrapped in noise: breadcrumbs (「首页>政务公开>…」), quotes and
book-title marks, a correction mark before or after (「（更正）」, 「【更正版】」,
「-更正版」, 「（修订版，2023年2月10日发布）」), a file extension.
"""

import re
from typing import NamedTuple

from gxcrawl.normalize import readable, squash

_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_BREADCRUMBS = re.compile(r"^.*[>»›]")
_EXTENSION = re.compile(r"\.(pdf|docx?|wps|html?|shtml|txt)$", re.I)
_LEADING_NOISE = re.compile(r"^(?:[《\"'(\[]*(?:更正版?|修订版?|转载|最新)[》\"')\]]*|[《\"'(\[]+)")
_TRAILING_NOISE = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|[-—]+(?:更正|修订)版?|[》\"'\])])+$")
_TITLE = re.compile(
    r"""^(?P<before>.*)
        (?<!\d)(?P<year>(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})(?!\d)\s*年度?
        (?P<after>.*?)
        (?:政府信息|政务|信息)公开(?:工作)?的?(?:年度)?(?:工作)?(?:报告|年报)$""",
    re.VERBOSE,
)
_REPORT_WORD = re.compile(r"报告|報告|年报")
_TRAILING_YEAR = re.compile(r"\(((?:19|20)\d{2})年?度?\)$")
_AGENCY_NOISE = re.compile(r"^关于|关于$|的$")
_SENTENCE = re.compile(r"[。,;:!?]")
MAX_TITLE = 80


class Identity(NamedTuple):
    title: str
    agency: str | None
    year: int | None


def _match(text: str) -> re.Match | None:
    if not _REPORT_WORD.search(text):  # most lines, quickly
        return None
    line = _EXTENSION.sub("", _BREADCRUMBS.sub("", squash(text)))
    if len(line) > MAX_TITLE or not _REPORT_WORD.search(line):
        return None
    # 「…年度报告（2023年）」: the year in brackets at the end names the year.
    trailing_year = _TRAILING_YEAR.search(line)
    for _ in range(3):
        line = _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", line))
    if trailing_year and not _TITLE.match(line):
        line = f"{trailing_year.group(1)}年{line}"
    return _TITLE.match(line)


def is_title_line(text: str) -> bool:
    """Whether a line reads like a report's title rather than a sentence about it."""
    match = _match(text)
    return match is not None and not _SENTENCE.search(match["before"])


def read_title(title: str) -> Identity | None:
    """Agency and year from a title such as 「卫辉市商务局2022年政府信息公开工作年度报告」."""
    match = _match(title)
    if match is None:
        return None
    year = int(match["year"].translate(_CHINESE_DIGITS))
    agency = _AGENCY_NOISE.sub("", match["before"]) or _AGENCY_NOISE.sub("", match["after"])
    return Identity(readable(title), agency or None, year)


def find_identity(candidates: list[str]) -> Identity | None:
    """The first candidate that reads as a report title naming its agency, else the first with a year."""
    readings = [reading for reading in map(read_title, candidates) if reading]
    return next((reading for reading in readings if reading.agency), readings[0] if readings else None)
