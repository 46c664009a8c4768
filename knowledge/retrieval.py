"""Scoring a question against the knowledge base.

`Analyzer.terms(text)` is the pipeline shared by questions and entries: normalise → repair
homophone typos → map synonyms to their canonical term → segment with jieba (domain terms
added to its dictionary) → drop stop words.

`Retriever.rank(text)` scores every entry in [0, 1] from two signals:
- coverage: how much of the question (weighted by IDF) the entry's vocabulary explains. Words
  the knowledge base has never seen weigh heavily, which is what keeps "怎么申请签证" from
  matching "如何申请纳入监测";
- closeness to the entry's nearest phrasing (weighted token overlap, or rapidfuzz's character
  ratio for short questions). Each clause of the answer counts as a phrasing too, worth a
  little less (`PASSAGE_WORTH`): a question about one fact of a long answer is close to the
  clause that states it even when no phrasing asks about that fact.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

import jieba
import numpy as np
from rapidfuzz import fuzz, process

from common.text import is_cjk, normalize
from knowledge.pinyin_input import QUESTION_WORDS, PinyinSpelling
from knowledge.pos_tokenizer import RememberingPOSTokenizer
from knowledge.term_index import POSITION, TermIndex
from knowledge.text import HomophoneFixer, as_dates

jieba.setLogLevel(logging.WARNING)

_NUMBERISH = re.compile(r"^[0-9.零〇一二两三四五六七八九十百千万亿]+[块元口人个岁年月号w]*$")
_YEAR = re.compile(r"^(19|20)\d\d年?$")
# Another county, district or city: its own name and 县, 区, 市 or 旗.
_COUNTY = re.compile(r"^[\u4e00-\u9fff]{2,4}(县|区|市|旗)$")

# Weights of terms the knowledge base has never seen (other unknown words weigh like the
# rarest known word).
UNKNOWN_LIGHT_WEIGHT = 0.2
UNKNOWN_CHAR_WEIGHT = 0.6
UNKNOWN_GUESS_WEIGHT = 2.0
KNOWN_CHAR_CAP = 1.0
# Credit for a question term found only in an entry's answer text, not its questions.
ANSWER_ONLY_CREDIT = 0.6
COVERAGE_SHARE = 0.6
# A clause of an entry's answer counts as a phrasing of it, worth this much of one: a question
# about one fact of a long answer ("要把什么摆在重要位置") is close to the clause stating it.
PASSAGE_WORTH = 0.9
_PASSAGE_MIN_WORDS = 3
_CLAUSES = re.compile(r"[。；;！？!?，,：:\n]+")
# The A-not-A question form (考不考虑, 稳不稳, 提没提): asks whether A, so it is read as A.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])([不没])\1")
UNANCHORED_FACTOR = 0.5
# A question asking how to get another programme (低保怎么申请, 医保怎么报销) with no word of this
# knowledge base's own topic (排查, 监测 …) is about that programme, which entries only mention.
OTHER_PROGRAMME_FACTOR = 0.4


class Term(NamedTuple):
    text: str
    pos: str  # jieba part-of-speech flag: n, v, ns (place), m (numeral), t (time) …


# Parts of speech that carry little topic meaning when the word itself is unknown.
_LIGHT_POS = frozenset(
    {
        "m",
        "mq",
        "q",
        "t",
        "r",
        "d",
        "p",
        "c",
        "u",
        "uj",
        "ul",
        "uz",
        "uv",
        "ud",
        "ug",
        "y",
        "e",
        "o",
        "f",
        "zg",
        "x",
        "eng",
    }
)
# Unknown place names outside the district, and unknown years, mean the question is about
# somewhere or some time this knowledge base does not cover.
_FOREIGN_PENALTY = 0.6
# Another county or city by name ("郎溪县的方案…") asks about its own plan, not this one.
_COUNTY_PENALTY = 0.4
_LOCAL_PLACE_SUFFIXES = ("镇", "乡", "村", "街道", "社区", "组")
# Domain words added to jieba's dictionary get this frequency and tag.
_DOMAIN_FREQ = 50000
_DOMAIN_POS = "nz"
# Candidates sorted by their bound up front (the rest are sorted only if scoring reaches them).
_SORTED_HEAD = 256
# Above this many entries sharing a word with the question, those that cannot reach the best
# few are left out before their phrasings are looked at (`Retriever.rank`).
_PRUNE_ABOVE = 64
# Candidates scored in the first batch (then twice as many each time).
_FIRST_BATCH = 32
# Scores are rounded to 4 decimals: a bound this far below the cut-off may still tie with it.
_ROUNDING_MARGIN = 1e-4
# Skip comparing a phrasing that could not lift its entry into the top scores found so far
# (exact: off only to test that).
_SKIP_BELOW_TOP = True
# Skip comparing a phrasing whose length alone keeps it below its entry's word overlap (exact:
# it cannot change a score; off only to test that).
_SKIP_SHORT_REACH = True
# Pieces of text whose segmentation is remembered (a few MB at most).
_SEGMENT_MEMORY = 200_000
# Whole questions read, remembered (each a text and its terms: far fewer than the pieces).
_READ_MEMORY = 10_000
# jieba's tags of function words: prepositions, pronouns, numerals, adverbs, conjunctions,
# particles, locatives and measure words.
_FUNCTION_TAGS = frozenset("prmdcufq")
# A word at least this common in jieba's dictionary (相关, 孩子, 地方, 标准) is what a pair of
# characters is, when reading a typo or an A-not-A question across it.
_COMMON_WORD_FREQ = 2000
# A run rarer than this in jieba's dictionary may still be a typo of a domain term (检测线).
_REAL_WORD_FREQ = 20
# Phrasings listed twice (`_written`) rather than found by a scan of all: at most 1/this of them.
_REPEATS_SHARE = 16
# Positions held by the remembered `WordHits` (a few tens of MB at most; past this many the
# memory starts afresh).
_HITS_MEMORY = 2_000_000


class Analyzer:
    """Turns text into canonical terms; the same steps for questions and entries."""

    def __init__(
        self,
        synonym_groups: Sequence[Sequence[str]],
        stopwords: Iterable[str],
        other_programmes: Iterable[str] = (),
        programme_asks: Iterable[str] = (),
        other_places: Iterable[str] = (),
        keep_whole: Iterable[str] = (),
    ):
        self.canonical: dict[str, str] = {}
        for group in synonym_groups:
            head = _fold(str(group[0]))
            for variant in group:
                self.canonical[_fold(str(variant))] = head
        self.canonical.pop("", None)
        self._longest_variant = max(map(len, self.canonical), default=0)
        self._variant_starts = {variant[:2] for variant in self.canonical if len(variant) >= 2}
        self.stopwords = {_fold(word) for word in stopwords}
        self.other_programmes = {self.canonical.get(_fold(w), _fold(w)) for w in other_programmes}
        self.programme_asks = {self.canonical.get(_fold(w), _fold(w)) for w in programme_asks}
        # Other counties named without 县/区 (郎溪, 旌德): another place, like 郎溪县.
        self.other_places = {_fold(w) for w in other_places}
        # The canonical terms of this knowledge base's own topic (集中排查, 监测对象 …).
        self.topic_terms = set(self.canonical.values()) - self.other_programmes
        self._segments: dict[str, tuple[Term, ...]] = {}
        # Whole texts already read: a question is read again by the kinds of question and by
        # the rephrasing check of the next one (the previous question's text).
        self._read: dict[str, tuple[Term, ...]] = {}
        self._added: dict[str, None] = {}  # words added to jieba's dictionary, in order
        self._open_dictionary()
        for term in set(self.canonical.values()) | self.other_programmes | self.other_places:
            self.add_word(term)
        # Question words jieba glues to what follows ("哪天开的": 哪 + 天开), kept whole.
        for word in sorted({_fold(w) for w in keep_whole}):
            self.add_word(word)
        # Dialect fillers jieba does not know ("一哈", "啷个") must come out whole to be dropped,
        # not glued to their neighbours by its HMM ("发一", "哈撒").
        for word in sorted(self.stopwords):
            if is_cjk(word) and not self.is_word(word):
                self.add_word(word)
        self._fixer: HomophoneFixer | None = None
        self._pinyin: PinyinSpelling | None = None
        # The synonym variants the knowledge base's own texts use, while it is built
        # (`note_variants`): spelled in pinyin too (方案 "fangan" as well as 工作方案).
        self._variants_seen: set[str] | None = None

    def _open_dictionary(self) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._pos = RememberingPOSTokenizer(self._jieba)
        for word in self._added:
            self._jieba.add_word(word, freq=_DOMAIN_FREQ, tag=_DOMAIN_POS)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without jieba's dictionary (it holds a lock, and jieba reloads it from its
        own cache faster than pickle would), nor the remembered segmentations."""
        state = self.__dict__.copy()
        del state["_jieba"], state["_pos"]
        state["_segments"] = {}
        state["_read"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._open_dictionary()

    def add_word(self, word: str) -> None:
        # Once per word: jieba adds a word's frequency to its total on every call, and the total
        # weighs every segmentation, so a word added twice here but once when the dictionary is
        # reopened from the cache (`_open_dictionary`) would segment differently after a restart.
        if len(word) >= 2 and word not in self._added:
            self._added[word] = None
            self._jieba.add_word(word, freq=_DOMAIN_FREQ, tag=_DOMAIN_POS)
            self._segments.clear()
            self._read.clear()

    def words(self, text: str) -> set[str]:
        """jieba's words of `text` as they are (stop words kept, no synonyms)."""
        return {w for chunk in normalize(text).split() for w in self._jieba.lcut(chunk, HMM=True)}

    def _trim_particles(self, word: str) -> str:
        """`word` without the one-character stop words at its ends (not of a Latin word: "is"
        is no "i" glued to "s")."""
        if word.isascii():
            return word
        start, end = 0, len(word)
        while start < end and word[start] in self.stopwords:
            start += 1
        while end > start and word[end - 1] in self.stopwords:
            end -= 1
        return word[start:end]

    @cached_property
    def _programme_names(self) -> re.Pattern[str] | None:
        names = {v for v, c in self.canonical.items() if c in self.other_programmes}
        names |= self.other_programmes
        if not names:
            return None
        return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))

    def without_programmes(self, text: str) -> str:
        """`text` normalised, the other programmes' names (低保, 吃低保, 残疾人补贴) left out."""
        text = normalize(text)
        return self._programme_names.sub("", text) if self._programme_names else text

    def is_word(self, text: str) -> bool:
        return self._jieba.FREQ.get(text, 0) >= _REAL_WORD_FREQ

    def learn_vocabulary(self, terms: Iterable[str]) -> None:
        """Enable typo repair towards these terms (the knowledge base's own words).

        Only towards content words: a run that sounds like a function word the entries happen
        to hold (除了, 所有, 现在, 三个) is far more often another phrase (出了, 说有, 想在, 上个)
        than a typo of it, and repairing it would put a word the user never meant into the
        question."""
        tags = self._pos.word_tag_tab
        self._read.clear()
        self._fixer = HomophoneFixer(
            [t for t in terms if is_cjk(t) and tags.get(t, "n")[0] not in _FUNCTION_TAGS]
            + list(self.canonical),
            self.is_word,
            self._is_common_word,
        )

    def _is_common_word(self, text: str) -> bool:
        return self._jieba.FREQ.get(text, 0) >= _COMMON_WORD_FREQ

    def note_variants(self) -> None:
        """Note from now on the synonym variants read (`variants_noted`)."""
        self._variants_seen = set()

    def variants_noted(self) -> set[str]:
        """The synonym variants read since `note_variants`; noting stops."""
        seen, self._variants_seen = self._variants_seen or set(), None
        return seen

    def learn_spellings(self, vocabulary: Iterable[str], variants: Iterable[str] = ()) -> None:
        """Recognise these words (the knowledge base's, its synonyms' canonical terms, the
        `variants` its own texts use and the common question words) when typed in pinyin; not
        the filler words, nor every variant of a synonym (掺合 would make "change" 参与)."""
        self._pinyin = PinyinSpelling(
            [*vocabulary, *self.canonical.values(), *sorted(variants)],
            lambda word: self._jieba.FREQ.get(word, 0),
            QUESTION_WORDS,
        )

    def from_pinyin(self, text: str) -> str:
        """`text` with words typed in pinyin ("paicha shijian") written in Chinese (see
        knowledge.pinyin_input); as it is before the vocabulary is learnt."""
        return self._pinyin.read(text) if self._pinyin is not None else text

    def canonicalize(self, chunk: str) -> str:
        """Replace synonym variants by their canonical term.

        Where variants overlap (防返贫监测 | 监测范围 in 防返贫监测范围) the cover that spans the
        most characters wins, found by dynamic programming over the chunk.
        """
        n = len(chunk)
        # From position i on: characters covered, -pieces, and the first step (None: keep
        # chunk[i]; (j, head): replace chunk[i:j] by head).
        covered = [0] * (n + 1)
        fewer_pieces = [0] * (n + 1)
        step: list[tuple[int, str] | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            best = (covered[i + 1], fewer_pieces[i + 1] - 1)
            best_step = None
            if chunk[i : i + 2] in self._variant_starts:
                for j in range(i + 2, min(n, i + self._longest_variant) + 1):
                    head = self.canonical.get(chunk[i:j])
                    if head is not None and not _inside_latin_word(chunk, i, j):
                        option = (covered[j] + j - i, fewer_pieces[j] - 1)
                        if option > best:
                            best, best_step = option, (j, head)
            covered[i], fewer_pieces[i] = best
            step[i] = best_step
        out: list[str] = []
        i = 0
        while i < n:
            taken = step[i]
            if taken is None:
                out.append(chunk[i])
                i += 1
            else:
                out += (" ", taken[1], " ")
                if self._variants_seen is not None:
                    self._variants_seen.add(chunk[i : taken[0]])
                i = taken[0]
        return "".join(out)

    def forget_texts(self) -> None:
        """Forget the whole texts read (their pieces' segmentation is kept): the latency bench
        times every question as one never asked before."""
        self._read.clear()

    def terms(self, text: str) -> list[Term]:
        """Canonical content terms of `text`, in order, with their part of speech."""
        known = self._read.get(text)
        if known is None:
            known = tuple(self._read_terms(text))
            if len(self._read) >= _READ_MEMORY:
                self._read.clear()
            self._read[text] = known
        return list(known)

    def _read_terms(self, text: str) -> list[Term]:
        chunks = [self._plain_form(chunk) for chunk in normalize(as_dates(text)).split()]
        chunks = [self._without_filler(chunk) for chunk in chunks]
        if self._fixer is not None:
            chunks = [self._fixer.fix(chunk) for chunk in chunks]
        result: list[Term] = []
        # Variants may span a space ("monitoring line"), so synonyms see the whole text.
        for piece in self.canonicalize(" ".join(chunks)).split():
            result.extend(self._segment(piece))
        return result

    def _without_filler(self, chunk: str) -> str:
        """`chunk` without a "那个" / "这个" said while searching for the word it splits
        ("监测那个线" → 监测线), or a word of degree said inside a phrase ("价钱一直起不来" →
        价钱起不来): removed only where a synonym's variant spans it."""
        for filler in _FILLERS.finditer(chunk):
            start, end = filler.span()
            for before in range(min(start, _FILLER_REACH), 0, -1):
                for after in range(min(len(chunk) - end, _FILLER_REACH), 0, -1):
                    if chunk[start - before : start] + chunk[end : end + after] in self.canonical:
                        return self._without_filler(chunk[:start] + chunk[end:])
        return chunk

    def _plain_form(self, chunk: str) -> str:
        """`chunk` with its A-not-A questions of two-character verbs read as the verb ("这次排查
        考不考虑灾害" → "…考虑灾害"), so it is found whole instead of as jieba's 查考 + 考虑.

        Not a negation that only looks alike: in "地方不方便", "标准不准确", "工作不作为" the
        first 方 / 准 / 作 belongs to the word before it. A one-character form is read as its
        verb too (稳不稳 → 稳, 中不中 → 中) unless jieba knows it as a word of its own (好不好,
        动不动, 时不时); those listed as stop words (有没有, 包不包括) are dropped as they are."""

        def plain(match: re.Match[str]) -> str:
            asked, start, end = match.group(0), match.start(), match.end()
            after = chunk[end : end + 1]
            verb = match.group(1) + after
            if (
                match.group(1) in "不没"
                or asked in self.stopwords
                or asked + after in self.stopwords
                or (start > 0 and self._is_common_word(chunk[start - 1 : start + 1]))
                or (not (len(verb) == 2 and self.is_word(verb)) and self.is_word(asked))
            ):
                return asked
            return match.group(1)

        return _A_NOT_A.sub(plain, chunk) if "不" in chunk or "没" in chunk else chunk

    def _segment(self, piece: str) -> tuple[Term, ...]:
        """jieba's words of one piece, without stop words. Pieces recur across phrasings and
        questions (what lies between two domain terms), and jieba's HMM is the slow part of
        loading, so each piece is segmented once."""
        known = self._segments.get(piece)
        if known is not None:
            return known
        terms = []
        for pair in self._pos.lcut(piece, HMM=True):
            word = pair.word.strip()
            if len(word) > 1 and not self.is_word(word):
                # a word jieba's HMM guessed may have glued a particle on ("局嘛", "哈撒"), or
                # a modal verb on the verb it governs ("要查", "能领"): the verb is the word
                word = self._trim_particles(word)
                if len(word) == 2 and word[0] in _MODALS:
                    word = word[1]
                elif len(word) == 2 and word[1] in _MODALS:
                    word = word[0]  # a modal glued onto the noun before it ("的村会采取")
            if word and word not in self.stopwords:
                terms.append(Term(word, _DOMAIN_POS if word in self.canonical else pair.flag))
        if len(self._segments) >= _SEGMENT_MEMORY:
            self._segments.clear()
        self._segments[piece] = segmented = tuple(terms)
        return segmented


# "监测那个线": a filler said mid-word, and how many characters a side the word may reach;
# an adverb of degree in a phrase said whole elsewhere ("价钱一直起不来", "价钱贼低")
_FILLERS = re.compile("那个|这个|一直|一点|越来越|特别|非常|实在|老是|太|贼|很|忒|蛮|挺")
_FILLER_REACH = 4
# Modal verbs jieba's HMM glues onto a one-character verb after them
_MODALS = frozenset("要得该能会想可需应")


def _written(held: Sequence[np.ndarray], shared: np.ndarray) -> np.ndarray:
    """The positions of `shared` that the phrasings in `held` were added at: every weight and
    credit is positive, so these are the ones not 0. Few enough are listed with repeats (a
    phrasing's overlap is the same each time and its entry takes the best), which spares
    scanning every phrasing."""
    if len(held) <= 1:
        return held[0] if held else np.empty(0, dtype=POSITION)
    sizes = [len(forms) for forms in held]
    if sum(sizes) - max(sizes) <= len(shared) // _REPEATS_SHARE:
        return np.concatenate(held)
    return np.flatnonzero(shared != 0)  # a bool scan: ~4× faster than a float one


def _keep_best(best: np.ndarray, owner: np.ndarray, items: np.ndarray, values: np.ndarray) -> None:
    """best[owner[i]] = the largest of `values` over the `items` i it owns (`items`: phrasing
    numbers, numbered entry by entry, so sorted they come in runs per entry). A maximum per run
    (`reduceat`) is ~3× faster than `np.maximum.at` over the ~20,000 phrasings a question
    touches in a 10,000-entry base."""
    if not len(items):
        return
    if (items[1:] < items[:-1]).any():  # listed with repeats, unordered (`_written`)
        order = np.argsort(items, kind="stable")
        items, values = items.take(order), values.take(order)
    owners = owner.take(items)
    starts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
    best[owners.take(starts)] = np.maximum.reduceat(values, starts)


def _by_bound(positions: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """`positions` (distinct) ordered by their `bound`, highest first, then by position."""
    ascending = np.sort(positions)
    return ascending[np.argsort(-bound[ascending], kind="stable")]


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a longer Latin word ("draft" in "drafts")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    latin = text[start].isascii() and text[start].isalpha()
    return latin and (
        (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())
    )


# Where the asker (or their family) works, studies or lives: "在合肥上班", "在芜湖打工"
_LIVED_IN = re.compile(
    "在([\u4e00-\u9fff]{2,4}?(?:市|县|区)?)(?:那边|这边)?"
    # "在合肥工地上做木工", "在杭州厂里上班": the workplace between the place and the work
    "(?:的?(?:工地|建筑工地|厂里|厂子|工厂|饭店|餐馆|公司|超市|医院|学校|单位|大学)(?:上|里)?)?"
    # … or is treated, or looks after someone there: "人在合肥租房子陪着治病", "在芜湖住院"
    "(?:上班|打工|务工|工作|做工|做事|干活|读书|上学|住|生活|带孙|做生意|开店|做|干|读"
    "|租|陪|看病|治病|住院|化疗|透析|养病|照顾|带娃)"
)


@lru_cache(maxsize=1024)  # the whole message's, asked by every reading of it
def _places_lived_in(text: str) -> frozenset[str]:
    """The places `text` says someone works or lives in: the story's, not the question's."""
    if "在" not in text:
        return frozenset()
    places = {m.group(1) for m in _LIVED_IN.finditer(normalize(text).replace(" ", ""))}
    return frozenset(places | {p.rstrip("市县区") for p in places})


def _fold(text: str) -> str:
    """A synonym or keyword as it appears in normalised text (inner spaces only between Latin
    words)."""
    folded = normalize(text)
    return folded if re.fullmatch(r"[0-9a-z ]+", folded) else folded.replace(" ", "")


@dataclass
class IndexedEntry:
    entry_id: str
    forms: list[list[str]]
    form_texts: list[str]
    # each form's worth: 1 for a phrasing, PASSAGE_WORTH for a clause of the answer
    form_worth: list[float] = field(default_factory=list)
    bag: set[str] = field(default_factory=set)
    answer_bag: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Ranked:
    entry_id: str
    score: float


class WordHits(NamedTuple):
    """Where one question word counts, with its credit (the best among the known words it
    counts as): the same for every question it is in, so it is worked out once."""

    # entries holding it in their phrasings, keywords or answer (ascending), and the credit
    entries: np.ndarray
    entry_credit: np.ndarray
    # phrasings holding it (ascending), and the credit: one number when a single known word
    # is held, else one per phrasing
    forms: np.ndarray
    form_credit: np.ndarray | float

    @property
    def size(self) -> int:
        return len(self.entries) + len(self.forms)


class Retriever:
    """Ranks entries for a question; build it with the entries' phrasings and answers."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self.entries: list[IndexedEntry] = []
        self.idf: dict[str, float] = {}
        self.unknown_weight = 1.0
        self.index = TermIndex([], [], [], [])
        self._words_of: dict[str, set[str]] = {}
        # Each keyword's words → the entries declaring it (a topic: 工作指南 → work-guide)
        self.keyword_owners: dict[str, tuple[str, ...]] = {}
        # Σ IDF of each phrasing's words (with repeats), phrasings numbered as in the index
        self.form_weights = np.zeros(0)
        self.form_worth = np.zeros(0)
        self._forget_words()

    def _forget_words(self) -> None:
        """Drop what was worked out per word (`_word_hits`, `_form_idf`)."""
        self._hits: dict[str, WordHits] = {}
        self._hits_size = 0
        self._idf_postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __getstate__(self) -> dict[str, object]:
        """Pickled without what is worked out per word as questions come."""
        state = self.__dict__.copy()
        for name in ("_hits", "_hits_size", "_idf_postings"):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._forget_words()

    def _words(self, text: str) -> list[str]:
        return [term.text for term in self.analyzer.terms(text)]

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word of every entry."""
        return self.index.vocabulary

    def words_of(self, entry_id: str) -> set[str]:
        """The words of an entry: its phrasings, keywords and answer."""
        return self._words_of.get(entry_id, set())

    def build(self, documents: Iterable[tuple[str, list[str], list[str], str]]) -> None:
        """`documents`: (entry id, phrasings, keywords, answer text) for every entry."""
        docs = list(documents)
        self.analyzer.note_variants()
        for _, _, keywords, _ in docs:
            for word in keywords:
                self.analyzer.add_word(_fold(word))
        # First pass without typo repair, to learn the vocabulary that repair aims at: the
        # phrasings' words and the keywords (so 群众主体相结合 keeps 群众主体 whole instead of
        # "repairing" 体相 into 体现).
        self.analyzer.learn_vocabulary(
            [word for _, phrasings, _, _ in docs for p in phrasings for word in self._words(p)]
            + [word for _, _, keywords, _ in docs for k in keywords for word in self._words(k)]
        )
        self.entries = []
        for entry_id, phrasings, keywords, answer in docs:
            # An entry with no usable phrasing keeps one empty form (closeness 0), so every
            # entry owns at least one slot in the index's phrasing arrays.
            forms = [f for f in (self._words(p) for p in phrasings) if f] or [[]]
            indexed = IndexedEntry(entry_id, forms, ["".join(f) for f in forms])
            for form in forms:
                indexed.bag.update(form)
            for word in keywords:
                terms = self.analyzer.terms(word)
                indexed.bag.update(t.text for t in terms)
                for term in terms:
                    # a topic is a thing: not the verb or adverb inside a longer keyword
                    # (开展 in 每年至少开展一次集中排查)
                    if len(terms) > 1 and not term.pos.startswith("n"):
                        continue
                    owners = self.keyword_owners.get(term.text, ())
                    if entry_id not in owners:
                        self.keyword_owners[term.text] = (*owners, entry_id)
            indexed.answer_bag = set(self._words(answer)) - indexed.bag
            indexed.form_worth = [1.0] * len(forms)
            if PASSAGE_WORTH > 0:
                for clause in _CLAUSES.split(answer):
                    words = self._words(clause)
                    if len(words) >= _PASSAGE_MIN_WORDS:
                        # word overlap only: a clause's characters would loosen the bound on
                        # the character ratio for every entry (at 10,000 entries answering took
                        # 60 % longer), and a question is rarely a near copy of a clause
                        indexed.forms.append(words)
                        indexed.form_texts.append("")
                        indexed.form_worth.append(PASSAGE_WORTH)
            self.entries.append(indexed)
        self._index_entries()
        self.analyzer.learn_spellings(self.index.vocabulary, self.analyzer.variants_noted())

    def with_phrasings(self, extra: Mapping[str, Sequence[str]]) -> Retriever:
        """A retriever whose entries also have the phrasings in `extra` (entry id → phrasings
        staff taught the bot), indexed as the entries' own are: their words join the entry's
        vocabulary, the weights are counted again, and each is a phrasing closeness is
        measured against. This retriever is left as it is (other threads may be ranking with
        it); the analyzer is shared, so nothing is segmented twice. Ids not in the index are
        ignored."""
        known = {e.entry_id for e in self.entries}
        added = {
            entry_id: [f for f in (self._words(p) for p in phrasings) if f]
            for entry_id, phrasings in extra.items()
            if entry_id in known
        }
        copy = Retriever(self.analyzer)
        copy.keyword_owners = self.keyword_owners
        for entry in self.entries:
            new_forms = added.get(entry.entry_id, [])
            forms, texts, worth = list(entry.forms), list(entry.form_texts), list(entry.form_worth)
            if new_forms and forms and forms[0] == []:
                # an entry without a usable phrasing had one empty form: taught ones replace it
                del forms[0], texts[0], worth[0]
            forms += new_forms
            texts += ["".join(f) for f in new_forms]
            worth += [1.0] * len(new_forms)
            bag = entry.bag.union(*new_forms)
            copy.entries.append(
                IndexedEntry(entry.entry_id, forms, texts, worth, bag, entry.answer_bag - bag)
            )
        copy._index_entries()
        return copy

    def _index_entries(self) -> None:
        """The weights and the index over `self.entries`."""
        count = len(self.entries) or 1
        df: dict[str, int] = {}
        for entry in self.entries:
            for word in entry.bag | entry.answer_bag:
                df[word] = df.get(word, 0) + 1
        self.idf = {word: math.log(1 + count / n) for word, n in df.items()}
        self.unknown_weight = math.log(1 + count)
        self._words_of = {e.entry_id: e.bag | e.answer_bag for e in self.entries}
        self.form_weights = np.asarray(
            [sum(self.idf[u] for u in form) for e in self.entries for form in e.forms]
        )
        self.form_worth = np.asarray([w for e in self.entries for w in e.form_worth])
        self.index = TermIndex(
            [e.bag for e in self.entries],
            [e.answer_bag for e in self.entries],
            [e.forms for e in self.entries],
            [e.form_texts for e in self.entries],
        )
        self._forget_words()

    def weight(self, term: Term) -> float:
        """How much a question term matters: IDF when known; for unknown terms, by kind."""
        if term.text in self.idf:
            # A single character is weak evidence however rare it is in the entries ("叫").
            return (
                min(self.idf[term.text], KNOWN_CHAR_CAP)
                if len(term.text) == 1
                else self.idf[term.text]
            )
        if _YEAR.match(
            term.text
        ):  # a year we hold nothing about must not borrow this year's answer
            return self.unknown_weight
        if _NUMBERISH.match(term.text) or term.pos in _LIGHT_POS:
            return UNKNOWN_LIGHT_WEIGHT
        if len(term.text) == 1:
            return UNKNOWN_CHAR_WEIGHT
        # A run jieba's dictionary does not hold is its HMM's guess at a word ("只算", "批下来",
        # "发一哈"): weak evidence of a topic the knowledge base lacks, unlike a real word it
        # lacks ("公示", "会议室").
        if not self.analyzer.is_word(term.text):
            return UNKNOWN_GUESS_WEIGHT
        return self.unknown_weight

    def _is_foreign(self, term: Term) -> bool:
        if term.text in self.analyzer.other_places:
            return True
        if term.text in self.vocabulary:
            return False
        if _YEAR.match(term.text):
            return True
        # (镇里, 镇上: "in the township", not a place's name)
        if term.text.endswith(_LOCAL_PLACE_SUFFIXES) or (
            term.text[:-1].endswith(_LOCAL_PLACE_SUFFIXES) and term.text[-1] in "里上"
        ):
            return False
        # jieba tags many county names as a person's (郎溪县/nr): the suffix tells (贫困县 is
        # a common noun, n).
        return term.pos == "ns" or (term.pos.startswith("nr") and bool(_COUNTY.match(term.text)))

    def _asks_about_another_programme(self, terms: list[Term]) -> bool:
        """低保怎么申请: a programme this knowledge base only mentions, a word asking how to get
        it, and no domain term of our own (排查, 监测对象 …) to tie it to the screening."""
        programmes = self.analyzer.other_programmes
        asks = self.analyzer.programme_asks
        words = {t.text for t in terms}
        if not (words & programmes and words & asks):
            return False
        own = self.analyzer.topic_terms
        return not any(
            t.text not in programmes
            and t.text not in asks
            and (t.pos == _DOMAIN_POS or (len(t.text) >= 2 and any(t.text in o for o in own)))
            for t in terms
        )

    def foreign_counties(self, terms: Iterable[Term], text: str = "") -> list[Term]:
        """The terms naming another county or district (郎溪县) than the entries' own (a city
        the asker works in, 上海, is story, not the subject; so is one `text` says they work
        or live in: "我在合肥上班")."""
        lived_in = _places_lived_in(text)
        return [
            t
            for t in terms
            if self._is_county(t) and self._is_foreign(t) and t.text not in lived_in
        ]

    def _is_county(self, term: Term) -> bool:
        return bool(_COUNTY.match(term.text)) or term.text in self.analyzer.other_places

    def _word_hits(self, word: str) -> WordHits:
        """Where `word` counts, with its credit (see `WordHits`); remembered."""
        remembered = self._hits.get(word)
        if remembered is not None:
            return remembered
        matches = self.index.soft_matches(word)
        got = np.zeros(self.index.size)
        in_answer = np.zeros(self.index.size, dtype=bool)
        for known, credit in matches.items():
            holders = self.index.bag_postings.get(known)
            if holders is not None:
                got[holders] = np.maximum(got[holders], credit)
            holders = self.index.answer_postings.get(known)
            if holders is not None:
                in_answer[holders] = True
        got[in_answer & (got < ANSWER_ONLY_CREDIT)] = ANSWER_ONLY_CREDIT
        entries = np.flatnonzero(got)  # every credit is positive
        forms, form_credit = self._form_credit(matches)
        hits = WordHits(entries, got[entries], forms, form_credit)
        if self._hits_size + hits.size > _HITS_MEMORY:
            self._hits, self._hits_size = {}, 0
        self._hits[word] = hits
        self._hits_size += hits.size
        return hits

    def _form_credit(self, matches: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray | float]:
        """The phrasings holding one of the known words in `matches`, and the credit: a
        phrasing holding several gets the best."""
        holding = [
            (found[0], credit)
            for known, credit in matches.items()
            if (found := self.index.form_postings.get(known)) is not None
        ]
        if not holding:
            return np.empty(0, dtype=POSITION), 0.0
        if len(holding) == 1:
            return holding[0]
        forms = np.concatenate([found for found, _ in holding])
        credits = np.concatenate([np.full(len(found), c) for found, c in holding])
        order = np.lexsort((-credits, forms))
        forms, credits = forms[order], credits[order]
        first = np.ones(len(forms), dtype=bool)
        first[1:] = forms[1:] != forms[:-1]
        return forms[first], credits[first]

    def _form_idf(self, known: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The phrasings holding the known word, and its IDF × how often each has it;
        remembered (at most once per word of the vocabulary)."""
        found = self._idf_postings.get(known)
        if found is None:
            postings = self.index.form_postings.get(known)
            if postings is None:
                return None
            found = self._idf_postings[known] = (postings[0], self.idf[known] * postings[1])
        return found

    def _best_overlaps(
        self,
        words: Sequence[str],
        hits: Sequence[WordHits],
        weights: Mapping[str, float],
        matches: Mapping[str, Mapping[str, float]],
        total: float,
        only: np.ndarray | None = None,
    ) -> np.ndarray:
        """Each entry's best word overlap with one of its phrasings: the question words the
        phrasing holds (weighted, with their credit) over the question's weight plus that of
        the phrasing's other words. `only`: the entries to compute it for (a mask; the rest
        get 0), None for all."""
        best_overlap = np.zeros(self.index.size)
        owner = self.index.form_entry

        def kept(forms: np.ndarray, credit: np.ndarray | float) -> tuple[np.ndarray, Any]:
            if only is None or not len(forms):
                return forms, credit
            mask = only.take(owner.take(forms))
            return forms[mask], credit[mask] if isinstance(credit, np.ndarray) else credit

        with self.index.form_scratch() as scratch:
            shared, matched_weight = scratch.shared, scratch.matched
            # (np.add.at, here and below: in numpy 2 twice as fast as `shared[forms] += …`)
            held_forms = []
            for word, held in zip(words, hits, strict=True):
                forms, credit = kept(held.forms, held.form_credit)
                if len(forms):
                    np.add.at(shared, forms, weights[word] * credit)
                    held_forms.append(forms)
            for known in sorted({known for word in words for known in matches[word]}):
                found = self._form_idf(known)
                if found is not None:
                    forms, weight = kept(*found)
                    np.add.at(matched_weight, forms, weight)
            # Only the phrasings holding a question word have an overlap: computed on those
            # alone, so a large base's many other phrasings cost nothing here.
            touched = _written(held_forms, shared)
            scratch.touched = touched
            overlap = self.form_worth.take(touched)
            overlap *= shared.take(touched)
            rest = self.form_weights.take(touched)  # the weight of the phrasing's other words
            rest -= matched_weight.take(touched)
            rest += total
            overlap /= rest
            _keep_best(best_overlap, self.index.form_entry, touched, overlap)
        return best_overlap

    def rank(
        self, text: str, limit: int = 10, context: Sequence[Term] = ()
    ) -> tuple[list[Term], list[Ranked]]:
        """The question's terms and the `limit` best entries with their scores, best first.

        The index scores every entry's coverage at once, and bounds what its closeness to its
        phrasings could add; the closeness itself, which costs more, is computed best bound
        first and stops once no entry left could reach the `limit` best scores (branch and
        bound, so the top `limit` are exactly what scoring every entry would give). `limit`
        None scores every entry that shares a word with the question. `context`: other
        counties named in the message a clause was taken from (郎溪县 in the story still
        counts against "那边的咨询电话是多少").
        """
        terms = list(dict.fromkeys(self.analyzer.terms(text)))
        words = [t.text for t in terms]
        # A lone character ("村") or bare numbers ("3.5") are not a question; a figure the
        # entries state is ("9100是什么").
        said = sum(len(w) for w in words if not _NUMBERISH.match(w) or w in self.index.vocabulary)
        if said < 2 or not self.entries:
            return terms, []
        weights = {t.text: self.weight(t) for t in terms}
        pos_of = {t.text: t.pos for t in terms}
        total = sum(weights.values())
        matches = {w: self.index.soft_matches(w) for w in words}
        own = {t.text for t in terms}
        lived_in = _places_lived_in(text)
        penalty = math.prod(
            _COUNTY_PENALTY if self._is_county(t) else _FOREIGN_PENALTY
            for t in (*terms, *(c for c in context if c.text not in own))
            if self._is_foreign(t) and t.text not in lived_in
        )
        if self._asks_about_another_programme(terms):
            penalty *= OTHER_PROGRAMME_FACTOR

        size = self.index.size
        hits = [self._word_hits(word) for word in words]
        covered = np.zeros(size)
        matched_words = np.zeros(size, dtype=np.int64)  # (add.at is slow on int32 + 1)
        domain_matched = np.zeros(size, dtype=bool)
        for word, held in zip(words, hits, strict=True):
            # (entries without the word would add weight × 0: nothing)
            np.add.at(covered, held.entries, weights[word] * held.entry_credit)
            np.add.at(matched_words, held.entries, 1)
            if pos_of[word] == _DOMAIN_POS:
                domain_matched[held.entries] = True
        coverage = covered / total
        # One everyday word in common ("很多", "可能") is no evidence; a domain term or two
        # words are.
        factor = np.where(
            (matched_words >= 2) | domain_matched, penalty, penalty * UNANCHORED_FACTOR
        )
        # An entry sharing no word scores at most 0.5·0.4·(character ratio) < the suggestion
        # floor unless identical, which it cannot be without a shared word.
        candidates = np.flatnonzero(matched_words)
        # What each candidate could score at best, before the character ratio is computed:
        # 2·L/(m+n) with L ≤ the characters it can share (c) is at most 2c/(m+c).
        query_text = "".join(words)
        common = self.index.common_characters(query_text)[candidates]
        chars_bound = 2 * common / (len(query_text) + common)
        pruned = None
        if limit is not None and len(candidates) > _PRUNE_ABOVE:
            # A phrasing's word overlap is at most its entry's coverage (its words are among
            # the entry's, with no more credit, over no less than the question's weight), so
            # an entry scores between factor·share·coverage and factor·(share·coverage +
            # (1 − share)·max(coverage, chars_bound)): one whose most is below the `limit`-th
            # least cannot be among the best, and its phrasings are not looked at (in a large
            # base, most of those sharing a word).
            low = factor[candidates] * COVERAGE_SHARE * coverage[candidates]
            high = factor[candidates] * (
                COVERAGE_SHARE * coverage[candidates]
                + (1 - COVERAGE_SHARE) * np.maximum(coverage[candidates], chars_bound)
            )
            kth_low = np.partition(low, len(low) - limit)[len(low) - limit]
            kept = high + _ROUNDING_MARGIN >= kth_low
            candidates, chars_bound = candidates[kept], chars_bound[kept]
            pruned = np.zeros(size, dtype=bool)
            pruned[candidates] = True
        best_overlap = self._best_overlaps(words, hits, weights, matches, total, pruned)
        bound = factor[candidates] * (
            COVERAGE_SHARE * coverage[candidates]
            + (1 - COVERAGE_SHARE) * np.maximum(best_overlap[candidates], chars_bound)
        )
        # Usually only the best bounds are scored: sort those, and the rest only if reached.
        head = min(len(bound), _SORTED_HEAD)
        if head < len(bound):
            split = np.argpartition(-bound, head - 1)
            top, rest = split[:head], split[head:]
        else:
            top, rest = np.arange(len(bound)), np.empty(0, dtype=np.intp)
        order = _by_bound(top, bound)

        # Score the candidates in batches, best bound first, until the next one's bound is
        # below the `limit`-th score found.
        scored_positions: list[np.ndarray] = []
        scored: list[np.ndarray] = []
        start, batch = 0, _FIRST_BATCH
        kth: float | None = None  # the `limit`-th best score so far (once there are that many)
        while start < len(order) or len(rest):
            if start >= len(order):
                order = np.concatenate([order, _by_bound(rest, bound)])
                rest = rest[:0]
            positions = candidates[order[start : start + batch]]
            numbers, runs = self.index.forms_of(positions)
            # A phrasing of n characters shares at most min(m, n) in order with the question's
            # m: one that could not beat its entry's word overlap even so is not compared.
            lengths = self.index.form_lengths.take(numbers)
            worth = self.form_worth.take(numbers)
            reach = 2 * np.minimum(len(query_text), lengths) / (len(query_text) + lengths) * worth
            owner = self.index.form_entry.take(numbers)
            compared = reach + 1e-9 > best_overlap.take(owner)
            if kth is not None and _SKIP_BELOW_TOP:
                # Once `limit` scores are known, a phrasing that could not lift its entry to
                # the `limit`-th of them is not compared either: whatever its ratio, that
                # entry stays out of the top (the margin covers the scores' rounding).
                could = factor.take(owner) * (
                    COVERAGE_SHARE * coverage.take(owner) + (1 - COVERAGE_SHARE) * reach
                )
                compared &= could + _ROUNDING_MARGIN >= kth
            if not _SKIP_SHORT_REACH:
                compared[:] = True
            chars = np.zeros(len(numbers))
            if compared.any():
                picked = numbers[compared]
                ratios = process.cdist(
                    [query_text],
                    self.index.form_texts.take(picked).tolist(),
                    scorer=fuzz.ratio,
                    dtype=np.float64,
                )[0]
                ratios *= self.form_worth.take(picked)
                chars[compared] = ratios
            closeness = np.maximum(best_overlap[positions], np.maximum.reduceat(chars, runs) / 100)
            scores = COVERAGE_SHARE * coverage[positions] + (1 - COVERAGE_SHARE) * closeness
            scored_positions.append(positions)
            scored.append(np.round(scores * factor[positions], 4))
            start += len(positions)
            batch *= 2
            if limit is None or (start >= len(order) and not len(rest)):
                continue
            so_far = np.concatenate(scored)
            if len(so_far) >= limit:
                kth = float(np.partition(so_far, len(so_far) - limit)[len(so_far) - limit])
                upcoming = bound[order[start]] if start < len(order) else bound[rest].max()
                if upcoming + _ROUNDING_MARGIN < kth:
                    break
        if not scored:
            return terms, []
        all_positions = np.concatenate(scored_positions)
        all_scores = np.concatenate(scored)
        # Equal scores go to the entry whose phrasing shares more of the question's words and
        # adds fewer of its own (a near copy that adds a county name loses to the original),
        # then to the entry loaded first.
        best = np.lexsort((all_positions, -best_overlap[all_positions], -all_scores))[:limit]
        return terms, [
            Ranked(self.entries[p].entry_id, float(all_scores[i]))
            for i, p in zip(best.tolist(), all_positions[best].tolist(), strict=True)
        ]
