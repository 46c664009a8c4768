"""Scoring a question against the knowledge base.

`Analyzer.terms(text)` is the pipeline shared by questions and entries: normalise → repair
homophone typos → map synonyms to their canonical term → segment with jieba (domain terms
added to its dictionary) → drop stop words.

`Retriever.rank(text)` scores every entry in [0, 1] from two signals:
- coverage: how much of the question (weighted by IDF) the entry's vocabulary explains. Words
  the knowledge base has never seen weigh heavily, which is what keeps "怎么申请签证" from
  matching "如何申请纳入监测";
- closeness to the entry's nearest phrasing (weighted token overlap, or rapidfuzz's character
  ratio for short questions).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import jieba
from jieba.posseg import POSTokenizer
from rapidfuzz import fuzz

from common.text import is_cjk, normalize
from knowledge.text import HomophoneFixer

jieba.setLogLevel(logging.WARNING)

_NUMBERISH = re.compile(r"^[0-9.零〇一二两三四五六七八九十百千万亿]+[块元口人个岁年月号w]*$")
_YEAR = re.compile(r"^(19|20)\d\d年?$")

# Weights of terms the knowledge base has never seen (other unknown words weigh like the
# rarest known word).
UNKNOWN_LIGHT_WEIGHT = 0.2
UNKNOWN_CHAR_WEIGHT = 0.6
KNOWN_CHAR_CAP = 1.0
# Credit for a question word that is part of a known word (排查 ~ 集中排查) or one typo away.
PART_CREDIT = 0.8
TYPO_CREDIT = 0.7
# Credit for a question term found only in an entry's answer text, not its questions.
ANSWER_ONLY_CREDIT = 0.6
COVERAGE_SHARE = 0.6
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
_LOCAL_PLACE_SUFFIXES = ("镇", "乡", "村", "街道", "社区", "组")
# Domain words added to jieba's dictionary get this frequency and tag.
_DOMAIN_FREQ = 50000
_DOMAIN_POS = "nz"
# A run rarer than this in jieba's dictionary may still be a typo of a domain term (检测线).
_REAL_WORD_FREQ = 20


class Analyzer:
    """Turns text into canonical terms; the same steps for questions and entries."""

    def __init__(
        self,
        synonym_groups: Sequence[Sequence[str]],
        stopwords: Iterable[str],
        other_programmes: Iterable[str] = (),
        programme_asks: Iterable[str] = (),
    ):
        self.canonical: dict[str, str] = {}
        for group in synonym_groups:
            head = _fold(str(group[0]))
            for variant in group:
                self.canonical[_fold(str(variant))] = head
        self.canonical.pop("", None)
        self._longest_variant = max(map(len, self.canonical), default=0)
        self.stopwords = {_fold(word) for word in stopwords}
        self.other_programmes = {self.canonical.get(_fold(w), _fold(w)) for w in other_programmes}
        self.programme_asks = {self.canonical.get(_fold(w), _fold(w)) for w in programme_asks}
        # The canonical terms of this knowledge base's own topic (集中排查, 监测对象 …).
        self.topic_terms = set(self.canonical.values()) - self.other_programmes
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._pos = POSTokenizer(self._jieba)
        for term in set(self.canonical.values()) | self.other_programmes:
            self.add_word(term)
        self._fixer: HomophoneFixer | None = None

    def add_word(self, word: str) -> None:
        if len(word) >= 2:
            self._jieba.add_word(word, freq=_DOMAIN_FREQ, tag=_DOMAIN_POS)

    def is_word(self, text: str) -> bool:
        return self._jieba.FREQ.get(text, 0) >= _REAL_WORD_FREQ

    def learn_vocabulary(self, terms: Iterable[str]) -> None:
        """Enable typo repair towards these terms (the knowledge base's own words)."""
        self._fixer = HomophoneFixer(
            [t for t in terms if is_cjk(t)] + list(self.canonical), self.is_word
        )

    def canonicalize(self, chunk: str) -> str:
        """Replace synonym variants by their canonical term.

        Where variants overlap (防返贫监测 | 监测范围 in 防返贫监测范围) the cover that spans the
        most characters wins, found by dynamic programming over the chunk.
        """
        n = len(chunk)
        # best[i] = (characters covered in chunk[i:], -pieces, pieces)
        best: list[tuple[int, int, list[str]]] = [(0, 0, [])] * (n + 1)
        for i in range(n - 1, -1, -1):
            covered, neg_pieces, pieces = best[i + 1]
            choice = (covered, neg_pieces - 1, [chunk[i], *pieces])
            for j in range(i + 2, min(n, i + self._longest_variant) + 1):
                head = self.canonical.get(chunk[i:j])
                if head is not None and not _inside_latin_word(chunk, i, j):
                    covered, neg_pieces, pieces = best[j]
                    option = (covered + j - i, neg_pieces - 1, [" ", head, " ", *pieces])
                    if option[:2] > choice[:2]:
                        choice = option
            best[i] = choice
        return "".join(best[0][2])

    def terms(self, text: str) -> list[Term]:
        """Canonical content terms of `text`, in order, with their part of speech."""
        chunks = normalize(text).split()
        if self._fixer is not None:
            chunks = [self._fixer.fix(chunk) for chunk in chunks]
        result: list[Term] = []
        # Variants may span a space ("monitoring line"), so synonyms see the whole text.
        for piece in self.canonicalize(" ".join(chunks)).split():
            for pair in self._pos.lcut(piece, HMM=True):
                word = pair.word.strip()
                if word and word not in self.stopwords:
                    pos = _DOMAIN_POS if word in self.canonical else pair.flag
                    result.append(Term(word, pos))
        return result


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a longer Latin word ("draft" in "drafts")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    latin = text[start].isascii() and text[start].isalpha()
    return latin and (
        (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())
    )


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
    bag: set[str] = field(default_factory=set)
    answer_bag: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Ranked:
    entry_id: str
    score: float


class Retriever:
    """Ranks entries for a question; build it with the entries' phrasings and answers."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self.entries: list[IndexedEntry] = []
        self.idf: dict[str, float] = {}
        self.unknown_weight = 1.0
        self.vocabulary: set[str] = set()

    def _words(self, text: str) -> list[str]:
        return [term.text for term in self.analyzer.terms(text)]

    def build(self, documents: Iterable[tuple[str, list[str], list[str], str]]) -> None:
        """`documents`: (entry id, phrasings, keywords, answer text) for every entry."""
        docs = list(documents)
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
            forms = [f for f in (self._words(p) for p in phrasings) if f]
            indexed = IndexedEntry(entry_id, forms, ["".join(f) for f in forms])
            for form in forms:
                indexed.bag.update(form)
            for word in keywords:
                indexed.bag.update(self._words(word))
            indexed.answer_bag = set(self._words(answer)) - indexed.bag
            self.entries.append(indexed)

        count = len(self.entries) or 1
        df: dict[str, int] = {}
        for entry in self.entries:
            for word in entry.bag | entry.answer_bag:
                df[word] = df.get(word, 0) + 1
        self.idf = {word: math.log(1 + count / n) for word, n in df.items()}
        self.unknown_weight = math.log(1 + count)
        self.vocabulary = set(df)

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
        return self.unknown_weight

    def _is_foreign(self, term: Term) -> bool:
        if term.text in self.vocabulary:
            return False
        if _YEAR.match(term.text):
            return True
        return term.pos == "ns" and not term.text.endswith(_LOCAL_PLACE_SUFFIXES)

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

    def _soft_matches(self, word: str) -> dict[str, float]:
        """Vocabulary words that `word` counts as, with the credit each gives."""
        matches = {word: 1.0} if word in self.vocabulary else {}
        if len(word) >= 2:
            for known in self.vocabulary:
                if known == word or len(known) < 2:
                    continue
                if word in known or known in word:
                    matches[known] = max(matches.get(known, 0.0), PART_CREDIT)
                elif len(word) >= 3 and len(known) >= 3 and fuzz.ratio(word, known) >= 80:
                    matches[known] = max(matches.get(known, 0.0), TYPO_CREDIT)
        return matches

    def rank(self, text: str) -> tuple[list[Term], list[Ranked]]:
        """The question's terms and every entry with a score, best first."""
        terms = list(dict.fromkeys(self.analyzer.terms(text)))
        words = [t.text for t in terms]
        # A lone character ("村") or bare numbers ("3.5") are not a question.
        if sum(len(w) for w in words if not _NUMBERISH.match(w)) < 2:
            return terms, []
        weights = {t.text: self.weight(t) for t in terms}
        pos_of = {t.text: t.pos for t in terms}
        total = sum(weights.values())
        matches = {w: self._soft_matches(w) for w in words}
        query_text = "".join(words)
        penalty = _FOREIGN_PENALTY ** sum(1 for t in terms if self._is_foreign(t))
        if self._asks_about_another_programme(terms):
            penalty *= OTHER_PROGRAMME_FACTOR

        def credit(word: str, vocabulary: set[str] | list[str]) -> float:
            return max((c for k, c in matches[word].items() if k in vocabulary), default=0.0)

        ranked = []
        for entry in self.entries:
            covered = 0.0
            matched: list[str] = []
            for word in words:
                got = credit(word, entry.bag)
                if got < ANSWER_ONLY_CREDIT and credit(word, entry.answer_bag) > 0:
                    got = ANSWER_ONLY_CREDIT
                covered += weights[word] * got
                if got > 0:
                    matched.append(word)
            coverage = covered / total
            # One everyday word in common ("很多", "可能") is no evidence; a domain term or two
            # words are.
            anchored = len(matched) >= 2 or any(pos_of[w] == _DOMAIN_POS for w in matched)

            closeness = 0.0
            for form, form_text in zip(entry.forms, entry.form_texts, strict=True):
                shared = sum(weights[w] * credit(w, form) for w in words)
                extra = sum(
                    self.idf.get(u, self.unknown_weight)
                    for u in form
                    if not any(u in matches[w] for w in words)
                )
                overlap = shared / (total + extra)
                chars = fuzz.ratio(query_text, form_text) / 100
                closeness = max(closeness, overlap, chars)
            score = COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * closeness
            score *= penalty if anchored else penalty * UNANCHORED_FACTOR
            ranked.append(Ranked(entry.entry_id, round(score, 4)))
        ranked.sort(key=lambda r: r.score, reverse=True)
        return terms, ranked
