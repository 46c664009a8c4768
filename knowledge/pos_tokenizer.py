"""jieba's part-of-speech tokenizer, remembering what its HMM made of each unknown run.

Where the dictionary holds no word, jieba's `posseg` guesses words and their parts of speech
with a hidden Markov model over every state each character may take: a Viterbi search in pure
Python, about a third of the time a long question never asked before takes to read. The runs
it guesses are short (three characters on average: "我是", "开的", "能领", "月能领") and recur
from question to question, and the guess depends on the run alone, so each run's guess is kept
(up to `KEPT` of them) and given again: the same words and tags, without the search.
"""

from __future__ import annotations

from collections.abc import Iterator

from jieba.posseg import POSTokenizer, pair

# Distinct runs kept: a campaign's questions repeat far fewer; ~100 bytes each.
KEPT = 20_000


class RememberingPOSTokenizer(POSTokenizer):
    """`POSTokenizer` whose HMM guess for a run is computed once."""

    def __init__(self, tokenizer: object = None):
        super().__init__(tokenizer)
        self._guessed: dict[str, tuple[pair, ...]] = {}

    # jieba's name for its private method (`__cut_detail` in `POSTokenizer`), which its
    # `__cut_DAG` calls for every run of characters the dictionary does not hold.
    def _POSTokenizer__cut_detail(self, sentence: str) -> Iterator[pair]:
        known = self._guessed.get(sentence)
        if known is None:
            known = tuple(super()._POSTokenizer__cut_detail(sentence))
            if len(self._guessed) >= KEPT:
                self._guessed.clear()
            self._guessed[sentence] = known
        return iter(known)
