"""Normalising what people type, shared by retrieval and the dialog validators.

`normalize` folds what people type into one form: NFKC (full-width → half-width), 繁 → 简
through OpenCC, the southern 冇 ("没有": 冇水吃, 有冇讲) as 没, 滴 typed for 的 (打工滴) as
的 and a few Cantonese words as their Mandarin ones (乜嘢 → 什么, 佢哋 → 他们, 嘅 → 的), lower
case, control characters and punctuation (and emoji) to spaces; spaces typed beside single Han
characters are dropped, those between longer runs kept (a clause break).
`clean_text` only removes control characters and collapses whitespace (optionally NFKC), for
text that is parsed or stored as typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# A space beside a lone Han character ("监 测 线", "是 哪个部门") is typing, not a break; one
# between two runs of them ("能纳入不 我家5口人") parts clauses, as a comma would.
_SPACE_IN_HAN = re.compile(
    rf"(?<=(?<!\w)[{_HAN}])\s+(?=[{_HAN}])|(?<=[{_HAN}])\s+(?=[{_HAN}](?!\w))"
)
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# 冇 is 没有 in the south's dialects: "有冇" asks 有没有, else it reads as 没 (冇水吃, 冇录对).
_MOU = re.compile("有冇|冇")
# Cantonese words for the Mandarin ones the question kinds and the entries know ("乜嘢叫两确保",
# "佢哋讲嘅"): only words Mandarin text never holds — not 点解 (重点解决), 入面 (收入面临) or
# 边个 (旁边个体户), however Cantonese they are.
_CANTONESE = {
    "乜嘢": "什么",
    "咩嘢": "什么",
    "啥物事": "什么",
    "我哋": "我们",
    "佢哋": "他们",
    "佢": "他",
    "喺": "在",
    "嘅": "的",
    "咗": "了",
    "嗰": "那",
    "攞": "领",  # take, get (攞低保)
    # Wu: 啥个 (what), 辰光 (time), 迭趟 (this time)
    "啥个": "什么",
    "辰光": "时候",
    "迭趟": "这趟",
}
_CANTONESE_WORD = re.compile("|".join(_CANTONESE))
# Cantonese words Mandarin text also holds, read as Cantonese only where Mandarin would not have
# them: 边个 (who) and 边度 (where) not after a word ending in 边 (旁边个体户, 河边度过), 唔 (not)
# before a word except 唔该 (thanks), 系咪 / 系唔系 (is it), 今次 (this time).
_GUARDED_CANTONESE = re.compile(
    "(?<![旁那这左右两哪里外身东西南北一半周岸])(?:边个(?!体)|边度(?!过))|系唔系|系咪|今次|唔系|唔(?=[\u4e00-\u9fff])(?!该)"
)
_GUARDED_MANDARIN = {
    "边个": "哪个",
    "边度": "哪里",
    "系唔系": "是不是",
    "系咪": "是不是",
    "今次": "这次",
    "唔系": "不是",
    "唔": "不",
}
# 咩 before a word asks "what" ("做到咩程度", "系咩职位"); closing a sentence it asks "…吗"
_MEH = re.compile("咩(?=[\u4e00-\u9fff])")
# 滴 typed for 的 ("打工滴", "养滴鸭子", "啥滴"), not in 水滴, 点滴, 滴灌, 滴水
_DI = re.compile("(?<=[\u4e00-\u9fff])(?<![水点一几])滴(?![水灌答管眼滴])")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# One message is normalised a dozen times on its way (small talk, the answer log, retrieval,
# question kinds): four distinct texts for a question; the rest are cache hits.
@lru_cache(maxsize=1024)
def normalize(text: str) -> str:
    """Fold width, script and case; keep letters, digits and Han characters, separated by spaces.

    >>> normalize("俺们村冬天冇水吃，有冇讲？")
    '俺们村冬天没水吃 有没有讲'
    >>> normalize("出去打工滴不稳当，滴灌的水滴")
    '出去打工的不稳当 滴灌的水滴'
    >>> normalize("排查帮扶实效要做到咩程度？唔系咩")
    '排查帮扶实效要做到什么程度 不是咩'
    >>> normalize("边个部门负责？今次要做到唔漏一人系咪真㗎，旁边个体户")
    '哪个部门负责 这次要做到不漏一人是不是真㗎 旁边个体户'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE_IN_HAN.sub("", text)
    text = _t2s().convert(text).lower()
    if "冇" in text:
        text = _MOU.sub(lambda m: "有没有" if m.group() == "有冇" else "没", text)
    if "滴" in text:
        text = _DI.sub("的", text)
    text = _CANTONESE_WORD.sub(lambda m: _CANTONESE[m.group()], text)
    text = _GUARDED_CANTONESE.sub(lambda m: _GUARDED_MANDARIN[m.group()], text)
    if "咩" in text:
        text = _MEH.sub("什么", text)
    return _NOT_WORD.sub(" ", text).strip()


def is_cjk(text: str) -> bool:
    return bool(_CJK.match(text))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(raw: str, *, fold: bool = True) -> str:
    """Control characters removed, whitespace collapsed; with `fold`, also NFKC (full-width
    digits and letters to half-width) — for parsing, not for text that is stored as typed,
    where Chinese punctuation (，？) must stay."""
    text = unicodedata.normalize("NFKC", raw) if fold else raw
    text = _CONTROL.sub("", text)
    return re.sub(r"\s+", " ", text).strip()
