"""Text normalisation shared by every stage of the parser.

Reports reach us through PDF text layers, Word exports and browser prints, so
the same label arrives as 「⾏政许可」 (Kangxi radical), 「（一）」 or 「(一)」,
「商业 企业」 or 「商业\\n企业」. Everything is compared after these functions.
"""

import re
import unicodedata
from functools import lru_cache

_WHITESPACE = re.compile(r"\s+")
#: Simplified forms printed as CJK Radicals Supplement characters, which NFKC
#: leaves alone (unlike the Kangxi radicals): 「人⺠」, 「首⻚」, 「⻓期」.
RADICAL_LOOKALIKES = dict(
    zip(
        "⺁⺇⺊⺌⺗⺝⺟⺠⺮⺶⺸⺻⻂⻄⻅⻆⻉⻊⻋⻌⻍⻏⻓⻔⻖⻘⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳",
        "厂几卜小心月母民竹羊羊聿衣西见角贝足车辶辶阝长门阝青页风飞食马骨鬼鱼鸟麦黄齐齿龙龟",
    )
)
# NFKC leaves these apart from their everyday forms.
_LOOKALIKES = str.maketrans(
    {
        **RADICAL_LOOKALIKES,
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "〔": "[",
        "〕": "]",
        "【": "[",
        "】": "]",
        "\u00a0": " ",
        "\u3000": " ",
        "\u200b": "",
        "\ufeff": "",
    }
)


#: Reports repeat the same labels and cells («0», «规章») thousands of times:
#: normalising each distinct short string once is most of the parser's speed.
#: Longer strings (prose) are rarely seen twice and would only fill the caches.
CACHED_LENGTH = 48


def nfkc(text: str) -> str:
    """Unicode NFKC, with the look-alike punctuation NFKC keeps folded too."""
    return _cached_nfkc(text) if len(text) <= CACHED_LENGTH else _nfkc(text)


def squash(text: str) -> str:
    """NFKC text with every whitespace removed: the form labels are compared in."""
    return _cached_squash(text) if len(text) <= CACHED_LENGTH else _WHITESPACE.sub("", _nfkc(text))


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)


@lru_cache(maxsize=1 << 12)
def _cached_nfkc(text: str) -> str:
    return _nfkc(text)


@lru_cache(maxsize=1 << 12)
def _cached_squash(text: str) -> str:
    return _WHITESPACE.sub("", _nfkc(text))


def tidy(text: str) -> str:
    """NFKC text with runs of whitespace made single spaces and ends trimmed."""
    return _WHITESPACE.sub(" ", nfkc(text)).strip()


def readable(text: str) -> str:
    """Text for people: look-alike ideographs (Kangxi radicals, compatibility
    ideographs) mapped back, whitespace tidied, Chinese punctuation kept."""
    if text.isascii():  # most table cells: figures
        return " ".join(text.split())
    return _WHITESPACE.sub(" ", _IDEOGRAPH_LOOKALIKE.sub(_nfkc_match, text)).strip()


# Kangxi radicals, CJK radicals supplement, CJK compatibility ideographs.
_IDEOGRAPH_LOOKALIKE = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\u00a0\u3000]")


def _nfkc_match(match: re.Match) -> str:
    char = match.group()
    return RADICAL_LOOKALIKES.get(char) or unicodedata.normalize("NFKC", char)
