"""Chinese typed as pinyin, without an input method ("paicha shijian duochang", "姚局 dianhua").

Users on a borrowed phone, or without a Chinese keyboard, spell words out in tone-less pinyin.
`PinyinSpelling` is built from the words worth recognising (the knowledge base's vocabulary,
its synonyms and the common question words of its question kinds) and turns each Latin word
that is wholly a sequence of those words' spellings back into Chinese ("paicha" → 排查,
"qixiang" → 气象, "peixunhui" → 培训会). A Latin word that is not entirely such spellings
("list", "draft", "ok") is left as it is, so English words keep their own meaning.

Where two words share a spelling (shijian: 时间, 事件, 实践) the commoner one in jieba's
dictionary wins; a Latin word is read as the fewest words that spell it. Only the question words
are spelled in every reading of their characters (多长: duochang and duozhang); other words in
their commonest reading, and filler words (我们, 莫得) not at all, so that fewer English words
("women", "mode") happen to spell one. Full-width letters (ｐａｉｃｈａ) are read as ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from itertools import islice, product

from pypinyin import Style, lazy_pinyin, pinyin

from common.text import is_cjk

_LATIN_WORD = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+")
# Latin words one space apart: pinyin typed syllable by syllable ("jian ce fan wei").
_LATIN_RUN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+(?:[ 　][A-Za-zＡ-Ｚａ-ｚ]+)*")
# A Latin word that could be pinyin: tone-less syllables run together (a run of Latin words
# most of which could not is English, and is left as typed).
_SYLLABLES = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ui|ao|ou|iu|ie|ve|ue|er|an|en|in"
    r"|un|vn|ia|ua|uo|a|o|e|i|u|v)"
    r"|(?:ang|eng|ai|ei|ao|ou|an|en|er|a|o|e))+"
)
# Lone syllables read only among words already read as pinyin: the little words of a question
# ("shi", "neng", "ma"), each in its commonest sense.
_FUNCTION_SYLLABLES = {
    "wo": "我",
    "ta": "他",
    "jia": "家",
    "shi": "是",
    "bu": "不",
    "mei": "没",
    "you": "有",
    "neng": "能",
    "hui": "会",
    "yao": "要",
    "suan": "算",
    "zai": "在",
    "de": "的",
    "le": "了",
    "ma": "吗",
    "ne": "呢",
    "ba": "吧",
    "a": "啊",
    "ya": "呀",
}
# How many space-separated Latin words one known word may span.
_WORDS_JOINED = 4
# Two syllables at least: a lone syllable ("an", "ma") is too often English or noise.
_SHORTEST_WORD = 2
_LONGEST_WORD = 6
_MOST_SPELLINGS = 8
# Question words, which the knowledge base's own words need not hold, spelled out as often.
_QUESTION_WORDS = (
    "什么 什么时候 时间 多长 多久 几天 几号 哪天 哪里 哪儿 哪个 怎么 怎么办 为什么 多少 "
    "电话 号码 地址 谁 能不能 可以 要不要 是不是 有没有 举措 措施 部门 单位"
)
QUESTION_WORDS = tuple(_QUESTION_WORDS.split())


def spellings(word: str, every_reading: bool = False) -> list[str]:
    """The tone-less pinyin of `word`, syllables run together (ü as v, as typed): its
    commonest reading, and with `every_reading` also those with another reading of a
    character (多长 is duochang as well as duozhang), a few at most."""
    common = "".join(lazy_pinyin(word, style=Style.NORMAL, v_to_u=False))
    if not every_reading:
        return [common]
    readings = pinyin(word, style=Style.NORMAL, heteronym=True, v_to_u=False)
    spelled = ["".join(choice) for choice in islice(product(*readings), _MOST_SPELLINGS)]
    return list(dict.fromkeys([common, *spelled]))


class PinyinSpelling:
    """`words`: the words to recognise; `frequency(word)`: how common a word is, to choose
    between words spelled alike; `every_reading`: those spelled in all their readings."""

    def __init__(
        self,
        words: Iterable[str],
        frequency: Callable[[str], int],
        every_reading: Iterable[str] = QUESTION_WORDS,
    ):
        spelled_all = set(every_reading)
        candidates = {
            w
            for w in (*words, *spelled_all)
            if _SHORTEST_WORD <= len(w) <= _LONGEST_WORD and is_cjk(w)
        }
        self._by_spelling: dict[str, str] = {}
        # Commonest first, then in code order, so every process makes the same choice.
        for word in sorted(candidates, key=lambda w: (-frequency(w), w)):
            for spelled in spellings(word, every_reading=word in spelled_all):
                self._by_spelling.setdefault(spelled, word)
        self._longest = max(map(len, self._by_spelling), default=0)

    def __len__(self) -> int:
        return len(self._by_spelling)

    def read(self, text: str) -> str:
        """`text` with every Latin word that spells known words replaced by them; words typed
        apart that spell one known word together ("jiance fanwei" → 监测范围) are joined."""
        if not self._by_spelling or not _LATIN_WORD.search(text):
            return text
        return _LATIN_RUN.sub(self._replace_run, text)

    def _replace_run(self, match: re.Match[str]) -> str:
        """A run of Latin words, as the fewest words left in Latin, then the fewest pieces."""
        typed = match.group(0).replace("　", " ").split(" ")
        latin = [unicodedata.normalize("NFKC", word).lower() for word in typed]
        n = len(typed)
        if sum(1 for word in latin if _SYLLABLES.fullmatch(word)) * 2 < n:
            return match.group(0)  # mostly English ("screening in Xuanzhou"): as typed
        # best[i]: (Latin words left, pieces, pieces as written) for typed[i:]
        best: list[tuple[int, int, list[str]]] = [(0, 0, [])] * (n + 1)
        for i in range(n - 1, -1, -1):
            left, pieces, written = best[i + 1]
            choice = (left + 1, pieces + 1, [typed[i], *written])
            for j in range(i + 1, min(n, i + _WORDS_JOINED) + 1):
                word = self._word("".join(latin[i:j]))
                if word is not None:
                    left, pieces, written = best[j]
                    choice = min(choice, (left, pieces + 1, [word, *written]))
            best[i] = choice
        left, _, written = best[0]
        if left < n:  # pinyin: its lone function syllables too ("neng 进入监测 ma" → 能…吗)
            written = [_FUNCTION_SYLLABLES.get(word.lower(), word) for word in written]
        return " ".join(written)

    def _word(self, latin: str) -> str | None:
        """The known words `latin` spells, fewest first; None if it spells none wholly."""
        n = len(latin)
        # best[i]: the fewest words spelling latin[i:], as a list, or None
        best: list[list[str] | None] = [None] * (n + 1)
        best[n] = []
        for i in range(n - 1, -1, -1):
            for j in range(min(n, i + self._longest), i, -1):
                word = self._by_spelling.get(latin[i:j])
                rest = best[j]
                if word is None or rest is None:
                    continue
                shortest = best[i]
                if shortest is None or len(rest) + 1 < len(shortest):
                    best[i] = [word, *rest]
        found = best[0]
        return "".join(found) if found else None
