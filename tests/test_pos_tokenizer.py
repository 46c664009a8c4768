"""jieba's part-of-speech tokenizer, faster (knowledge.pos_tokenizer): the same words and
tags as jieba's own, the same Viterbi result to the last bit, each unknown run guessed once."""

from __future__ import annotations

import random
import re
from pathlib import Path

import jieba
import pytest
import yaml
from jieba import posseg
from jieba.posseg import POSTokenizer
from jieba.posseg.viterbi import viterbi as jiebas_viterbi

from knowledge.pos_tokenizer import RememberingPOSTokenizer, viterbi

DATA = Path(__file__).parent / "data"

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


def _runs_people_typed() -> list[str]:
    """Runs of Han characters from the project's questions, and shuffles of their characters."""
    texts = []
    for path in sorted(DATA.glob("qa_blind1*.yaml")):
        for part in yaml.safe_load(path.read_text("utf-8")).values():
            texts += [str(case["q"]) for case in part]
    runs = {
        han[i : i + size]
        for text in texts
        for han in re.findall(r"[\u4e00-\u9fff]+", text)
        for size in (2, 3, 5)
        for i in range(0, max(1, len(han) - size + 1), 7)
    }
    chars = sorted(set("".join(runs)))
    shuffled = random.Random(7)
    made = ["".join(shuffled.choices(chars, k=shuffled.randint(1, 9))) for _ in range(200)]
    return shuffled.sample(sorted(runs), 1200) + made


def test_the_faster_viterbi_finds_what_jiebas_finds_to_the_last_bit():
    tables = (posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)
    runs = _runs_people_typed()
    assert len(runs) > 1000
    for run in runs:
        assert viterbi(run, *tables) == jiebas_viterbi(run, *tables), run
