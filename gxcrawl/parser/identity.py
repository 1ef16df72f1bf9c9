"""Who published a report and which year it covers, from its title.

figures.md, «Identity»: the agency is the publishing body as named in the
title (the title wins over the body text), NFKC-normalised and without
whitespace; the year is the year the title names, not the year of publication.
"""

import re
from typing import NamedTuple

from gxcrawl.normalize import readable, squash

_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" "9")
_TITLE = re.compile(
    r"""^(?P<before>.*?)
        (?P<year>(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})\s*年度?
        (?P<after>.*?)
        (?:政府信息|政务)公开(?:工作)?(?:年度)?(?:工作)?报告
        (?P<suffix>\([^()]{0,10}\))?[》"'\]]*$""",
    re.VERBOSE,
)
_AGENCY_NOISE = re.compile(r"^[《\"'(\[]+|[》\"')\]]+$|关于$|的$|^关于")
_SENTENCE = re.compile(r"[。,;:!?]")
MAX_TITLE = 80


class Identity(NamedTuple):
    title: str
    agency: str | None
    year: int | None


def is_title_line(text: str) -> bool:
    """Whether a line reads like a report's title rather than a sentence about it."""
    line = squash(text)
    if len(line) > MAX_TITLE or "报告" not in line:
        return False
    match = _TITLE.match(line)
    return match is not None and not _SENTENCE.search(match["before"])


def read_title(title: str) -> Identity | None:
    """Agency and year from a title such as 「卫辉市商务局2022年政府信息公开工作年度报告」."""
    line = squash(title)
    match = _TITLE.match(line)
    if match is None:
        return None
    year = int(match["year"].translate(_CHINESE_DIGITS))
    agency = match["before"] or match["after"]
    for _ in range(3):
        agency = _AGENCY_NOISE.sub("", agency)
    return Identity(readable(title), agency or None, year)


def find_identity(candidates: list[str]) -> Identity | None:
    """The first candidate that reads as a report title naming its agency, else the first with a year."""
    readings = [reading for reading in map(read_title, candidates) if reading]
    return next((reading for reading in readings if reading.agency), readings[0] if readings else None)
