"""The inverted index behind retrieval: which entries hold a word, and which known words a
question word counts as.

Built once from every entry's words (`bags`: its phrasings and keywords; `answer_bags`: words
only its answer has). At question time:

- `soft_matches(word)` gives the vocabulary words the question word counts as, with a credit:
  itself (1.0), a known word it is part of or that is part of it (排查 ~ 集中排查, PART_CREDIT),
  or one typo away (rapidfuzz ratio ≥ 80 between words of three characters or more,
  TYPO_CREDIT). Substrings and character bigrams are indexed, so this looks at a handful of
  candidates instead of the whole vocabulary. A ratio of 80 needs a longest common
  subsequence of 0.4·(m+n) characters, which two words without a common character pair never
  reach once m+n ≥ 6 — so the bigram candidates miss no typo.
- `bag_postings[word]` / `answer_postings[word]` are numpy arrays of entry positions, so the
  retriever scores the coverage of every entry at once, in C.
- `form_postings[word]`: the same over every phrasing of every entry (phrasings numbered
  entry by entry; `form_starts[e]` is entry e's first, `form_entry[f]` phrasing f's entry),
  with how often the phrasing has the word, so the word overlap with each phrasing is computed
  at once too.
- `common_characters(text)` bounds, for every entry at once, how many characters of `text` any
  one of its phrasings can share in order (the longest common subsequence behind rapidfuzz's
  ratio): the retriever uses it to skip entries that cannot reach the best scores.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from rapidfuzz import fuzz

PART_CREDIT = 0.8
TYPO_CREDIT = 0.7
TYPO_RATIO = 80
# Soft matches are remembered per word; past this many the memory starts afresh.
_CACHE_LIMIT = 50_000
# Each thread's two per-phrasing arrays, kept between questions (see `form_scratch`).
_scratch = threading.local()
# Positions are numpy's own index type: an index array of any other type is converted on every
# use (an int32 one made indexing twice as slow).
POSITION = np.intp


def _bigrams(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


class FormScratch:
    """Two per-phrasing arrays for one question: `shared` (the question's weight each phrasing
    holds) and `matched` (the IDF of the words it holds). `touched`, once set, lists every
    position either was written at, so clearing them is cheap."""

    def __init__(self, shared: np.ndarray, matched: np.ndarray):
        self.shared = shared
        self.matched = matched
        self.touched: np.ndarray | None = None

    def clear(self) -> None:
        if self.touched is None:
            self.shared.fill(0.0)
            self.matched.fill(0.0)
        else:
            self.shared[self.touched] = 0.0
            self.matched[self.touched] = 0.0
            self.touched = None


class TermIndex:
    def __init__(
        self,
        bags: Sequence[set[str]],
        answer_bags: Sequence[set[str]],
        forms: Sequence[Sequence[Sequence[str]]],
        form_texts: Sequence[Sequence[str]],
    ):
        self.size = len(bags)
        form_positions: dict[str, dict[int, int]] = defaultdict(dict)
        starts = []
        numbered = 0
        for entry_forms in forms:
            starts.append(numbered)
            for form in entry_forms:
                for word, times in Counter(form).items():
                    form_positions[word][numbered] = times
                numbered += 1
        self.form_count = numbered
        self.form_starts = np.asarray(starts, dtype=np.int64)
        self.form_counts = np.diff(np.append(self.form_starts, numbered))
        self.form_entry = np.repeat(np.arange(self.size, dtype=POSITION), self.form_counts)
        self.form_texts = np.array([text for texts in form_texts for text in texts], dtype=object)
        self.form_lengths = np.fromiter(map(len, self.form_texts), dtype=np.int64)
        self.form_postings = {
            word: (
                np.fromiter(held.keys(), dtype=POSITION, count=len(held)),
                np.fromiter(held.values(), dtype=np.float64, count=len(held)),
            )
            for word, held in form_positions.items()
        }
        # character → (entries whose phrasings have it, the most times one phrasing has it)
        counts: dict[str, dict[int, int]] = defaultdict(dict)
        for position, texts in enumerate(form_texts):
            for text in texts:
                for char, times in Counter(text).items():
                    held = counts[char]
                    if times > held.get(position, 0):
                        held[position] = times
        self._char_postings = {
            char: (
                np.fromiter(held.keys(), dtype=POSITION, count=len(held)),
                np.fromiter(held.values(), dtype=np.int64, count=len(held)),
            )
            for char, held in counts.items()
        }
        self.bag_postings = _postings(bags)
        self.answer_postings = _postings(answer_bags)
        self.vocabulary = frozenset(self.bag_postings) | frozenset(self.answer_postings)
        # substring (2+ characters) → longer known words containing it
        containing: dict[str, set[str]] = defaultdict(set)
        # bigram → known words of 3+ characters having it
        by_bigram: dict[str, set[str]] = defaultdict(set)
        for known in self.vocabulary:
            if len(known) < 2:
                continue
            for start in range(len(known)):
                for end in range(start + 2, len(known) + 1):
                    if end - start < len(known):
                        containing[known[start:end]].add(known)
            if len(known) >= 3:
                for bigram in _bigrams(known):
                    by_bigram[bigram].add(known)
        self._containing = {k: tuple(v) for k, v in containing.items()}
        self._by_bigram = {k: tuple(v) for k, v in by_bigram.items()}
        self._soft: dict[str, dict[str, float]] = {}

    def forms_of(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The phrasing numbers of these entries, one entry after another, and where each
        entry's run starts in that list."""
        counts = self.form_counts[positions]
        runs = np.cumsum(counts) - counts
        numbers = np.repeat(self.form_starts[positions] - runs, counts) + np.arange(counts.sum())
        return numbers, runs

    @contextmanager
    def form_scratch(self) -> Iterator[FormScratch]:
        """This thread's per-phrasing arrays, zeroed, and zeroed again after use.

        A large base has ~20 phrasings per entry, so fresh arrays per question would be a few
        MB of new pages for the kernel to map and zero each time: at 10,000 entries that, not
        the arithmetic, was much of a question's cost."""
        scratch = getattr(_scratch, "arrays", None)
        if scratch is None or len(scratch.shared) != self.form_count:
            scratch = FormScratch(np.zeros(self.form_count), np.zeros(self.form_count))
        _scratch.arrays = None  # a nested use in this thread gets its own
        try:
            yield scratch
        finally:
            scratch.clear()
            _scratch.arrays = scratch

    def common_characters(self, text: str) -> np.ndarray:
        """For each entry, an upper bound on the characters of `text` that one of its
        phrasings shares (counting repeats)."""
        once: list[np.ndarray] = []  # the holders of characters `text` has once
        repeated: list[tuple[np.ndarray, np.ndarray]] = []
        for char, times in Counter(text).items():
            postings = self._char_postings.get(char)
            if postings is not None:
                holders, most = postings
                if times == 1:
                    once.append(holders)  # every holder has it at least once
                else:
                    repeated.append((holders, np.minimum(most, times)))
        # one count of every holder at once: most characters of a question are there once
        shared = np.bincount(np.concatenate(once) if once else [], minlength=self.size)
        for holders, shares in repeated:
            np.add.at(shared, holders, shares)
        return shared

    def soft_matches(self, word: str) -> dict[str, float]:
        """Known words that `word` counts as, with the credit each gives."""
        cached = self._soft.get(word)
        if cached is not None:
            return cached
        matches = {word: 1.0} if word in self.vocabulary else {}
        if len(word) >= 2:
            for known in self._containing.get(word, ()):
                matches[known] = max(matches.get(known, 0.0), PART_CREDIT)
            for start in range(len(word)):
                for end in range(start + 2, len(word) + 1):
                    part = word[start:end]
                    if end - start < len(word) and part in self.vocabulary:
                        matches[part] = max(matches.get(part, 0.0), PART_CREDIT)
            if len(word) >= 3:
                seen: set[str] = set()
                for bigram in _bigrams(word):
                    for known in self._by_bigram.get(bigram, ()):
                        if known in seen or known in matches:
                            continue
                        seen.add(known)
                        if fuzz.ratio(word, known) >= TYPO_RATIO:
                            matches[known] = TYPO_CREDIT
        if len(self._soft) >= _CACHE_LIMIT:
            self._soft.clear()
        self._soft[word] = matches
        return matches


def _postings(bags: Sequence[set[str]]) -> dict[str, np.ndarray]:
    positions: dict[str, list[int]] = defaultdict(list)
    for position, bag in enumerate(bags):
        for word in bag:
            positions[word].append(position)
    return {word: np.asarray(found, dtype=POSITION) for word, found in positions.items()}
