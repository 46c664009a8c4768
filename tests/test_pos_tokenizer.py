"""jieba's part-of-speech tokenizer with its HMM's guesses remembered
(knowledge.pos_tokenizer): the same words and tags as jieba's own, each unknown run guessed
once."""

from __future__ import annotations

import jieba
import pytest
from jieba.posseg import POSTokenizer

from knowledge.pos_tokenizer import RememberingPOSTokenizer

SAID = [
    "俺们这回排查那个线是好多钱啊",
    "我在合肥上班，户口还在村里，这次排查查不查我家",
    "月能领多少钱，找谁问，开的会是哪天",
    "郎溪县那边的网格员啥时候上门",
]


@pytest.fixture(scope="module")
def dictionary() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def test_the_words_and_tags_are_jiebas_own(dictionary: jieba.Tokenizer):
    plain = POSTokenizer(dictionary)
    remembering = RememberingPOSTokenizer(dictionary)
    for _ in range(2):  # guessed, then remembered
        for text in SAID:
            expected = [(p.word, p.flag) for p in plain.lcut(text, HMM=True)]
            assert [(p.word, p.flag) for p in remembering.lcut(text, HMM=True)] == expected


def test_a_run_seen_before_is_not_guessed_again(
    dictionary: jieba.Tokenizer, monkeypatch: pytest.MonkeyPatch
):
    guessed: list[str] = []
    original = POSTokenizer._POSTokenizer__cut_detail

    def counted(self: POSTokenizer, sentence: str) -> object:
        guessed.append(sentence)
        return original(self, sentence)

    monkeypatch.setattr(POSTokenizer, "_POSTokenizer__cut_detail", counted)
    remembering = RememberingPOSTokenizer(dictionary)
    remembering.lcut(SAID[0], HMM=True)
    first = len(guessed)
    assert first > 0
    remembering.lcut(SAID[0], HMM=True)
    assert len(guessed) == first
