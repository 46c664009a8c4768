"""Taught phrasings in the knowledge base (knowledge.learned), without a database: indexed like
the entries' own, read again only when the source's version changes, the YAML's knowledge base
left as it is."""

from __future__ import annotations

from collections.abc import Hashable

from knowledge import KnowledgeBase

HOUSE = "住的房子是危房怎么办"


class Source:
    """A `LearnedSource` in memory that counts how often its phrasings are read."""

    def __init__(self) -> None:
        self.taught: list[tuple[str, str]] = []
        self.reads = 0

    def version(self) -> Hashable:
        return len(self.taught)

    def phrasings(self) -> list[tuple[str, str]]:
        self.reads += 1
        return list(self.taught)

    def set_aside(self) -> list[str]:
        return []


def test_a_taught_phrasing_is_answered_and_so_are_its_near_variants(kb: KnowledgeBase):
    source = Source()
    taught = kb.learning_from(source)
    assert taught.ask(HOUSE).entry is None
    source.taught.append(("three-guarantees", HOUSE))
    answer = taught.ask(HOUSE)
    assert answer.entry is not None and answer.entry.id == "three-guarantees"
    variant = taught.ask("我住的房子是危房该怎么办呢")  # not word for word: through the index
    assert variant.entry is not None and variant.entry.id == "three-guarantees"


def test_the_yaml_knowledge_base_is_left_as_it_is(kb: KnowledgeBase):
    forms = kb.retriever.index.form_count
    source = Source()
    source.taught.append(("three-guarantees", HOUSE))
    kb.learning_from(source).ask(HOUSE)
    assert kb.ask(HOUSE).entry is None and kb.retriever.index.form_count == forms
    assert kb.learned is None


def test_the_phrasings_are_read_again_only_when_the_version_changes(kb: KnowledgeBase):
    source = Source()
    taught = kb.learning_from(source)
    for _ in range(3):
        taught.ask("监测收入标准是多少？")
    assert source.reads == 1
    source.taught.append(("three-guarantees", HOUSE))
    taught.ask(HOUSE)
    taught.ask(HOUSE)
    assert source.reads == 2


def test_a_phrasing_of_an_entry_no_longer_in_the_yaml_is_ignored(kb: KnowledgeBase):
    source = Source()
    source.taught.append(("an-entry-since-removed", HOUSE))
    assert kb.learning_from(source).ask(HOUSE).entry is None


def test_an_answer_names_the_entries_ranked_next(kb: KnowledgeBase):
    answer = kb.ask("监测收入标准是多少？")
    assert answer.entry is not None
    assert answer.runners_up and answer.entry.id not in answer.runners_up


def test_a_taught_phrasing_typed_in_pinyin_is_answered_as_taught(kb: KnowledgeBase):
    source = Source()
    taught = kb.learning_from(source)
    assert taught.ask("dibao zenme shenqing").entry is None
    source.taught.append(("contact", "低保怎么申请"))
    answer = taught.ask("dibao zenme shenqing")
    assert answer.entry is not None and answer.entry.id == "contact"


class SetAsideSource(Source):
    """Questions set aside, besides the taught phrasings."""

    def __init__(self, *set_aside: str) -> None:
        super().__init__()
        self.aside = list(set_aside)

    def version(self) -> Hashable:
        return (len(self.taught), len(self.aside))

    def set_aside(self) -> list[str]:
        return list(self.aside)


EXAM = "参加集中排查的工作人员培训完要不要考试？"


def test_a_question_set_aside_is_abstained_on_in_nearly_the_same_words(kb: KnowledgeBase):
    assert kb.ask(EXAM).entry is not None, "answered before it is set aside"
    source = SetAsideSource()
    taught = kb.learning_from(source)
    source.aside.append(EXAM)
    for asked in (
        EXAM,
        "参加集中排查的工作人员，培训完了要不要考试",
        "參加集中排查的工作人員培訓完要不要考試",
    ):
        answer = taught.ask(asked)
        assert answer.entry is None, asked
        assert answer.suggestions, "the nearest questions are offered as ever"
    assert taught.ask("排查的工作人员要不要培训？").entry is not None, "another question"


def test_a_question_set_aside_holds_no_other_year_or_figure(kb: KnowledgeBase):
    line_2023 = "2023年安徽省的防止返贫监测范围是多少元？"
    taught = kb.learning_from(SetAsideSource(line_2023))
    assert taught.ask(line_2023).entry is None
    answer = taught.ask("2024年安徽省的防止返贫监测范围是多少元？")
    assert answer.entry is not None and "9100" in answer.entry.answer


def test_an_eligibility_question_gets_its_guidance_even_if_set_aside(kb: KnowledgeBase):
    """Guidance is the one reply to "can my household get in": never a verdict, never silence."""
    own = "我家四口人一年收入两万八，能进监测吗"
    taught = kb.learning_from(SetAsideSource(own))
    answer = taught.ask(own)
    assert answer.entry is not None and answer.entry.action == "report"
