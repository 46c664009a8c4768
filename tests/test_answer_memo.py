"""A question asked again in the same words is answered from memory (knowledge.answer_memo):
the same answer, without reading it again, until staff teach a phrasing."""

from __future__ import annotations

import pickle
from collections.abc import Hashable

import pytest

from knowledge import KnowledgeBase
from knowledge.answer_memo import AnswerMemo

LINE = "今年的监测收入标准是多少？"
HOUSE = "住的房子漏雨塌了一半咋整"


class Source:
    """Taught phrasings in memory (a `LearnedSource`)."""

    def __init__(self) -> None:
        self.taught: list[tuple[str, str]] = []

    def version(self) -> Hashable:
        return len(self.taught)

    def phrasings(self) -> list[tuple[str, str]]:
        return list(self.taught)

    def set_aside(self) -> list[str]:
        return []


@pytest.fixture
def readings(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the knowledge base actually reads (not answered from memory)."""
    read: list[str] = []
    original = KnowledgeBase._read

    def counted(self: KnowledgeBase, question: str, taught: object) -> object:
        read.append(question)
        return original(self, question, taught)  # type: ignore[arg-type]

    monkeypatch.setattr(KnowledgeBase, "_read", counted)
    return read


def test_a_question_asked_again_in_the_same_words_is_read_once(
    kb: KnowledgeBase, readings: list[str]
):
    fresh = kb.learning_from(Source())
    first = fresh.ask(LINE)
    again = fresh.ask(LINE)
    assert first.entry is not None and "9100" in first.entry.answer
    assert again is first
    assert readings == [LINE]
    # other words are another question: read, and answered for themselves
    other = fresh.ask("监测线是多少钱")
    assert readings == [LINE, "监测线是多少钱"]
    assert other.entry is not None and other.entry.id == first.entry.id


def test_a_phrasing_staff_teach_is_answered_at_once_though_asked_before(
    kb: KnowledgeBase, readings: list[str]
):
    source = Source()
    fresh = kb.learning_from(source)
    assert fresh.ask(HOUSE).entry is None  # nobody has taught it yet
    source.taught.append(("three-guarantees", HOUSE))
    answer = fresh.ask(HOUSE)
    assert answer.entry is not None and answer.entry.id == "three-guarantees"
    assert readings == [HOUSE, HOUSE]


def test_the_memo_keeps_the_questions_asked_last():
    memo: AnswerMemo[str] = AnswerMemo(kept=2)
    basis = object()
    memo.get(basis, "甲", lambda: "a")
    memo.get(basis, "乙", lambda: "b")
    memo.get(basis, "甲", lambda: "not read again")  # 甲 is now the latest
    memo.get(basis, "丙", lambda: "c")  # 乙 goes
    assert len(memo) == 2
    assert memo.get(basis, "甲", lambda: "read again") == "a"
    assert memo.get(basis, "乙", lambda: "read again") == "read again"


def test_answers_read_under_other_taught_phrasings_are_not_given():
    memo: AnswerMemo[str] = AnswerMemo()
    before, after = object(), object()
    memo.get(before, "甲", lambda: "old")
    assert memo.get(after, "甲", lambda: "new") == "new"
    assert len(memo) == 1


def test_the_cached_knowledge_base_starts_with_an_empty_memo(kb: KnowledgeBase):
    kb.ask(LINE)
    copy = pickle.loads(pickle.dumps(kb))
    assert len(copy._memo) == 0
    answer = copy.ask(LINE)
    assert answer.entry is not None and answer.entry.id == kb.ask(LINE).entry.id  # type: ignore[union-attr]
