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
