"""Chinese text normalisation for retrieval.

`normalize` folds what people type into one form: NFKC (full-width → half-width), 繁 → 简
through OpenCC, lower case, control characters and punctuation (and emoji) to spaces.
`as_dates` writes a day of the month typed as 8.26, 8-26 or 8月26号 as the entries write it
(8月26日). `HomophoneFixer` repairs typos from pinyin input methods: a run of characters that
sounds like a known term but is not itself a word (坚测对象 → 监测对象, 三保帐 → 三保障) is
replaced by the term.
Readings are compared with the common southern "fuzzy" merges (zh/z, ch/c, sh/s, n/l, -ng/-n),
since many rural users type by ear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from common.text import is_cjk

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@lru_cache(maxsize=8192)
def fuzzy_reading(char: str) -> str:
    """The tone-less pinyin of one character with fuzzy initials and finals merged."""
    reading = lazy_pinyin(char, style=Style.NORMAL)[0]
    for long, short in _FUZZY_INITIALS:
        if reading.startswith(long):
            reading = short + reading[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if reading.endswith(long):
            reading = reading[: -len(long)] + short
            break
    return reading


def _reading(word: str) -> tuple[str, ...]:
    return tuple(fuzzy_reading(char) for char in word)


# A day of the month written as people type it: 8.26, 8-26, 8/26, 8月26号, 8月26 (a dotted one
# with a two-digit day, or a 号 after it: 3.5 is a number)
_DATE_TYPED = re.compile(
    r"(?<![\d.])(1[0-2]|0?[1-9])"
    r"(?:月(3[01]|[12]\d|0?[1-9])(?:号|日)?|[-/](3[01]|[12]\d|0?[1-9])(?:号|日)?"
    r"|\.(3[01]|[12]\d)(?:号|日)?|\.(0?[1-9])(?:号|日))"
    r"(?![\d.%万千百亿元块亩斤倍岁])"
)


def as_dates(text: str) -> str:
    """`text` with every day of the month written one way, as the entries write it (8月26日),
    so that "8.26", "8月26号" and the issue date are one word."""
    if not any(c.isdigit() for c in text):
        return text
    return _DATE_TYPED.sub(
        lambda m: f"{int(m.group(1))}月{int(next(g for g in m.groups()[1:] if g))}日", text
    )


_DIGITS = frozenset("零一二三四五六七八九十两")
_MAGNITUDES = frozenset("十百千万亿块元")


def _holds_a_number(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds a digit said in words that a magnitude follows (九千)."""
    return any(
        text[k] in _DIGITS and k + 1 < len(text) and text[k + 1] in _MAGNITUDES
        for k in range(start, end)
    )


class HomophoneFixer:
    """Replace sound-alike typos of known terms.

    `terms` are the vocabulary worth repairing towards (the knowledge base's words);
    `is_word(text)` says whether a run is a real word, which is then left alone;
    `is_common_word(text)` (default: `is_word`) whether a pair of characters is a word common
    enough that a run it overlaps is that word's half, not a typo (孩子出了 is not 孩支出).
    """

    def __init__(self, terms: Iterable[str], is_word, is_common_word=None):
        self._by_reading: dict[tuple[str, ...], str] = {}
        # Shortest first, then in code order, so the same terms give the same repairs in every
        # process (set order changes with hash randomisation).
        known = sorted(
            {t for t in terms if 2 <= len(t) <= 6 and is_cjk(t)}, key=lambda t: (len(t), t)
        )
        for term in known:
            self._by_reading.setdefault(_reading(term), term)
        # Every known term is right as typed, also one that sounds like another (防贫险 is
        # not a typo of 返贫线): only the first of those is repaired towards.
        self._terms = set(known)
        self._is_word = is_word
        self._is_common_word = is_common_word or is_word
        self._lengths = sorted({len(reading) for reading in self._by_reading}, reverse=True)
        self._first_readings = {reading[0] for reading in self._by_reading}

    def _straddles(self, text: str, start: int, end: int) -> bool:
        before = start > 0 and self._is_word(text[start - 1 : start + 1])
        after = end < len(text) and self._is_word(text[end - 1 : end + 1])
        return before and after

    def fix(self, text: str) -> str:
        """Return `text` with sound-alike runs replaced by the known term."""
        readings = [fuzzy_reading(char) if is_cjk(char) else "" for char in text]
        out: list[str] = []
        i = 0
        while i < len(text):
            consumed = False
            # Only a run starting with the sound of some term's first character can match.
            if readings[i] in self._first_readings:
                for length in self._lengths:
                    reading = tuple(readings[i : i + length])
                    if len(reading) < length or "" in reading:
                        continue
                    window = text[i : i + length]
                    if window in self._terms:  # already right: keep it whole
                        out.append(window)
                        i += length
                        consumed = True
                        break
                    term = self._by_reading.get(reading)
                    if term is None or self._is_word(window):
                        continue
                    # A two-character term shares many readings with unrelated words; demand
                    # that one character is already right (坚测 → 监测, but not 事业 → 失业).
                    if length == 2 and not (window[0] == term[0] or window[1] == term[1]):
                        continue
                    # Nor where one of its characters makes a common word with its neighbour
                    # outside it: "对相关" is 对 + 相关, not a typo of 对象; "孩子出了" is 孩子 +
                    # 出了, not 支出 (a rare pair, 做派 in 做派查, does not stop 排查).
                    following, preceding = text[i + 1 : i + 3], text[max(i - 1, 0) : i + 1]
                    if length == 2 and any(
                        len(pair) == 2 and self._is_common_word(pair)
                        for pair in (following, preceding)
                    ):
                        continue
                    # A longer one whose last character makes a common word with the next is
                    # that word's start: "那个关于" is 那个 + 关于, not 哪个管 + 于.
                    if length > 2 and self._is_common_word(text[i + length - 1 : i + length + 1]):
                        continue
                    # A run that cuts through real words on either side is two words, not a
                    # typo: "会上除了" holds 上除 (≈ 删除) between 会上 and 除了.
                    if self._straddles(text, i, i + length):
                        continue
                    # Nor one holding a digit of a number said in words: "刚好九千一百" is
                    # 刚好 + 九千, not 好久.
                    if _holds_a_number(text, i, i + length):
                        continue
                    out.append(term)
                    i += length
                    consumed = True
                    break
            if not consumed:
                out.append(text[i])
                i += 1
        return "".join(out)
