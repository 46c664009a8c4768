"""Masking what a resident types before it is stored for staff to read.

- `mask_numbers`: every phone-like or ID-card-like run — however it is written: grouped with
  spaces, dashes or dots (138-0013-8000, 138 0013 8000), with a country code (+86 …), with an
  ID card's final X, in full-width digits or in Chinese digits (一三八零零…, 幺三八…) — becomes
  ＊. A run counts when it holds six digits or more, so years (2024), the monitoring line
  (9100) and amounts in words (三万二) stay readable.
- `mask_names`: person names, as jieba's part-of-speech tagger finds them (`nr`, `nrt`,
  `nrfg`), become 某某. The tagger misses some names and takes a few words for names; words a
  resident uses for family members (老公, 老伴 …) are kept, as they say nothing about who asks.
  The tagger is rjieba's (jieba-rs, the same dictionary and HMM as jieba's posseg, in Rust):
  every answered question is redacted before it is noted, and jieba's pure-Python posseg took
  about 0.6 ms a question — a fifth of the CPU an answered question costs — against 5 µs.
- `redact`: both, numbers first (so the tagger never sees the digits).
"""

from __future__ import annotations

import re
from functools import cache
from types import ModuleType

MASK = "＊"
NAME_MASK = "某某"
MIN_DIGITS = 6

_DIGIT = "0-9０-９零〇一二三四五六七八九幺两"
_SEPARATOR = r"[ \t\u3000\-‐‑–—－.·]"
# A digit, then digits each preceded by at most one separator; an optional +, and an ID card's
# final X when it follows a digit directly or after one separator.
_NUMBER_LIKE = re.compile(
    rf"(?:[+＋](?=[{_DIGIT}]))?[{_DIGIT}](?:{_SEPARATOR}?[{_DIGIT}])*"
    rf"(?:{_SEPARATOR}?[xXｘＸ](?![A-Za-z]))?"
)
_DIGITS = re.compile(rf"[{_DIGIT}]")

# Tagged nr by jieba, but words for family members rather than names.
_NOT_NAMES = frozenset({"老公", "老婆", "老伴", "老汉", "媳妇", "儿媳", "女婿", "外婆", "姥姥"})


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(_DIGITS.findall(run)) < MIN_DIGITS:
        return run
    return MASK * len(run)


def mask_numbers(text: str) -> str:
    """Phone-like and ID-like runs masked.

    >>> mask_numbers("电话 +86 138 0013 8000，2024年")
    '电话 ＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊，2024年'
    >>> mask_numbers("幺三八零零幺三八零零零")
    '＊＊＊＊＊＊＊＊＊＊＊'
    """
    return _NUMBER_LIKE.sub(_mask_run, text)


@cache
def _tagger() -> ModuleType:
    """rjieba, imported on first use: its dictionary takes a fraction of a second and MBs,
    which processes that never mask a name (the CLI export) should not pay."""
    import rjieba

    return rjieba


def mask_names(text: str) -> str:
    """Person names replaced by 某某.

    >>> mask_names("我叫张伟，狗咬了李秀英")
    '我叫某某，狗咬了某某'
    """
    return "".join(
        NAME_MASK if flag.startswith("nr") and word not in _NOT_NAMES else word
        for word, flag in _tagger().tag(text)
    )


def redact(text: str) -> str:
    """What staff may read of a question a resident typed: numbers and names masked."""
    return mask_names(mask_numbers(text))
