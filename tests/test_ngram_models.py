"""The two n-gram models: a verdict asked in words no rule knows, and a question whose words are
near an entry's though the documents do not answer it."""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path

import pytest

from bench.quality import WRITTEN_FROM
from common.yamlfile import DataError
from knowledge import KnowledgeBase, load_knowledge
from knowledge.base import ANSWER_THRESHOLD, ANSWERABLE_AT, DATA_DIR, GATE_BELOW
from knowledge.entry_model import ENTRY_MODEL, EntryModel
from knowledge.model_training import (
    OWN_PHRASINGS,
    SETS_DIR,
    TASKS,
    UNANSWERABLE,
    VERDICT,
    entry_examples,
    fit,
    question_sets,
)
from knowledge.ngram_model import UNANSWERABLE_MODEL, VERDICT_MODEL, NgramModel
from tests.chat import TelegramUser

RESIDENT = 7301

# Neither a `verdict` pattern nor the verdict shape reads these as asking for a verdict.
IN_WORDS_NO_RULE_KNOWS = [
    "老汉瘫在床上好几年了，屋里就靠我种几亩地，这个监测我家能不能搞一个",
    "老两口都七十多了没收入，这家能不能挂个号",
]


@cache
def _sets() -> list:
    return question_sets(SETS_DIR)


def _disputed() -> list[tuple[str, str, dict]]:
    """(set, part, case) of every question of the shipped sets marked `disputed`."""
    return [
        (name, part, case)
        for name, contents in _sets()
        for part, items in contents.items()
        for case in (items if isinstance(items, list) else ())
        if isinstance(case, dict) and "disputed" in case
    ]


def _without(data_dir: Path, *model_files: str) -> KnowledgeBase:
    for model_file in model_files:
        (data_dir / model_file).unlink()
    return load_knowledge(data_dir)


# --- the verdict model ----------------------------------------------------------------------


async def test_a_household_asking_in_words_no_rule_knows_gets_no_verdict_and_the_report_button(
    telegram, assistant
):
    user = TelegramUser(telegram, RESIDENT)
    seen = await user.say("老两口都七十多了没收入，这家能不能挂个号")
    assert "不能替您下结论" in seen.text and "9100元" in seen.text
    seen = await user.tap("开始申报困难")
    assert seen.text and assistant.dialogs.drafts.load(RESIDENT) is not None


@pytest.mark.parametrize("question", IN_WORDS_NO_RULE_KNOWS)
def test_the_model_reads_a_verdict_the_rules_alone_miss(kb: KnowledgeBase, data_copy, question):
    answer = kb.ask(question)
    assert answer.entry is not None and answer.entry.action == "report"
    # a knowledge folder without the model reads by the rules alone, which miss it
    rules_only = _without(data_copy, VERDICT_MODEL)
    assert rules_only.verdict_model is None
    answer = rules_only.ask(question)
    assert answer.entry is None or answer.entry.action != "report"


def test_whether_those_above_recognise_the_household_is_a_verdict_the_rules_read(data_copy):
    """认不认 (do they recognise us) asks to be included: the rules read it without the verdict
    model, which learned it only at the edge of its threshold."""
    rules_only = _without(data_copy, VERDICT_MODEL)
    answer = rules_only.ask("我男人出车祸瘫了，娃还小，我们家这样子上面认不认")
    assert answer.entry is not None and answer.entry.action == "report"


def test_what_the_rules_rule_out_stays_ruled_out_however_high_the_model_scores(kb):
    # asks whom to ask, not for a verdict (the verdict kind's `unless`)
    question = "我家能不能纳入监测，该找谁问"
    assert kb.verdict_model is not None and kb.verdict_model.finds(question)
    answer = kb.ask(question)
    assert answer.entry is not None and answer.entry.action != "report"


def test_a_verdicts_words_in_a_message_nothing_like_a_household_asking_are_no_verdict(
    kb: KnowledgeBase, data_copy
):
    question = (
        "我们村地势低，每年夏天都淹。村里想申请修一条排涝沟，需要多少钱？"
        "向水利局申请的流程是什么？排查的时候能不能顺便报上去？"
    )
    rules_only = _without(data_copy, VERDICT_MODEL).ask(question)
    assert rules_only.entry is not None and rules_only.entry.action == "report"
    answer = kb.ask(question)
    assert answer.entry is None or answer.entry.action != "report"


def test_a_word_or_two_says_too_little_for_the_model(kb):
    # alone, the model would take "能吗" for a verdict asked; a word or two is not read by it
    assert kb.verdict_model is not None and kb.verdict_model.probability("能吗") > 0.9
    assert kb.ask("能吗").entry is None


def test_in_scope_questions_the_guidance_answers_are_not_taught_as_no_verdict(kb):
    asked = "我们家四口人去年一共收入三万块，能不能被纳入监测？"  # expects the 9100 line
    assert (asked, False) in {(e.text, e.found) for e in VERDICT.examples(_sets())}
    assert asked not in {e.text for e in VERDICT.examples(_sets(), kb)}


def test_a_label_the_knowledge_base_disputes_is_scored_as_written_but_not_taught(kb):
    """A writer who saw only the interpretation put "四个不摘是哪四个" out of scope; an entry
    citing the national document answers it. Marked `disputed`, no model learns it either way."""
    sets = [
        (
            "qa_story",
            {
                "out_of_scope": [
                    {"q": "四个不摘是哪四个啊", "split": "dev", "disputed": "条目答它"},
                    {"q": "排查补贴一户多少钱", "split": "dev"},
                ],
                "in_scope": [{"q": "排查搞多久", "expect": [["一个月"]], "split": "dev"}],
            },
        )
    ]
    for task in TASKS:
        assert [e.text for e in task.examples(sets, kb) if e.set_name == "qa_story"] in (
            ["排查补贴一户多少钱", "排查搞多久"],
            ["排查搞多久", "排查补贴一户多少钱"],
        )
    taught = [e for e in entry_examples(sets, kb) if e.set_name == "qa_story"]
    assert {(e.text, e.entry_id) for e in taught} == {
        ("排查补贴一户多少钱", None),
        ("排查搞多久", "screening-duration"),
    }
    # no model learns the shipped sets' disputed questions as unanswerable (another set may
    # hold the same words in scope, as the entry that answers them)
    disputed = {case["q"] for _name, _part, case in _disputed()}
    taught_none = {e.text for e in entry_examples(_sets(), kb) if e.entry_id is None}
    taught_unanswerable = {e.text for e in UNANSWERABLE.examples(_sets(), kb) if e.found}
    assert disputed and not disputed & (taught_none | taught_unanswerable)


def test_every_disputed_label_names_the_entry_that_answers_it_from_another_document(kb):
    """`disputed` is for a development question its writer put out of scope that an entry
    citing another document than the interpretation answers: the note names that entry (in
    brackets), and that entry's answer is what the question asks about."""
    marked = _disputed()
    assert marked
    for name, part, case in marked:
        assert part == "out_of_scope" and case.get("split") != "test", (name, case["q"])
        named = re.search(r"（([a-z0-9-]+)）$", str(case["disputed"]))
        assert named, (name, case["disputed"])
        entry = kb.get(named.group(1))
        assert entry is not None, (name, named.group(1))
        assert entry.source.document.key != WRITTEN_FROM, (name, entry.id)
        # the question is about what the entry explains (四个不摘, 三保障, 自主申报 …): the
        # rules rank it among the first
        _, ranked = kb.retriever.rank(case["q"])
        assert entry.id in [r.entry_id for r in ranked[:3]], (name, case["q"], entry.id)


# --- the unanswerable model -----------------------------------------------------------------


def test_a_question_near_an_entry_the_documents_do_not_answer_is_not_answered_with_it(
    kb: KnowledgeBase, data_copy
):
    question = "我是网格员，排查的时候碰到一户人家养了条大狼狗不让进门，被咬了能算工伤吗"
    # (the entry model, which also finds that no entry answers it, left out too)
    rules_only = _without(data_copy, UNANSWERABLE_MODEL, ENTRY_MODEL)
    answered = rules_only.ask(question)
    assert answered.entry is not None and answered.entry.id == "term-sudden-hardship"
    answer = kb.ask(question)
    assert answer.entry is None


async def test_a_cadre_whose_question_is_withheld_is_told_so_with_suggestions(telegram):
    user = TelegramUser(telegram, RESIDENT)
    seen = await user.say(
        "我是网格员，排查的时候碰到一户人家养了条大狼狗不让进门，被咬了能算工伤吗"
    )
    assert "没有把握回答" in seen.text and "0563-2701280" in seen.text


def test_a_confident_answer_is_never_withheld(kb, monkeypatch):
    """However sure the unanswerable model is, an answer the rules are confident of (GATE_BELOW
    or more) stands. (A model that finds every message: the shipped one, learned again, may no
    longer find any one question the rules answer that surely.)"""
    monkeypatch.setattr(kb, "unanswerable_model", NgramModel({}, 10.0, 0.6, "finds all"))
    kb.forget_answers()  # (answers remembered with the shipped model)
    try:
        question = "四个不摘具体是哪四个"
        assert kb.unanswerable_model.finds(question)
        answer = kb.ask(question)
        assert answer.entry is not None and answer.entry.id == "four-not-removing"
        assert answer.score >= GATE_BELOW
        # below GATE_BELOW the same model withholds the answer
        assert kb.ask("三保障具体是哪三项").entry is None
    finally:
        monkeypatch.undo()
        kb.forget_answers()


def test_a_question_the_model_is_sure_the_documents_answer_is_answered_a_little_below_the_line(
    kb: KnowledgeBase, data_copy
):
    question = "“回头看”是全部都看还是有重点地看？"
    rules_only = _without(data_copy, UNANSWERABLE_MODEL, ENTRY_MODEL)
    abstained = rules_only.ask(question)
    assert abstained.entry is None and abstained.best_entry_id == "look-back"
    assert ANSWERABLE_AT <= abstained.score < ANSWER_THRESHOLD
    answer = kb.ask(question)
    assert answer.entry is not None and answer.entry.id == "look-back"


def test_every_entrys_own_phrasings_are_learned_as_answerable(kb):
    own = {e.text for e in UNANSWERABLE.examples(_sets(), kb) if not e.found}
    for entry in kb.entries.values():
        assert {entry.question, *entry.alternates} <= own


# --- both: learned from the development parts, kept as files ---------------------------------


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.file)
def test_the_model_file_is_what_the_development_questions_teach(kb, task):
    """Edit a question set or an entry's phrasings and this fails until `python bot.py kb
    train-models` is run."""
    shipped = NgramModel.load(DATA_DIR / task.file)
    assert shipped is not None
    learned = fit(task.examples(_sets(), kb), task.threshold)
    assert shipped.weights.keys() == learned.weights.keys(), "python bot.py kb train-models"
    assert shipped.learned_from == learned.learned_from
    assert shipped.threshold == learned.threshold
    assert math.isclose(shipped.intercept, learned.intercept, rel_tol=1e-3)
    for gram, (idf, weight) in learned.weights.items():
        kept_idf, kept_weight = shipped.weights[gram]
        assert math.isclose(kept_idf, idf, rel_tol=1e-3), gram
        assert math.isclose(kept_weight, weight, rel_tol=1e-3, abs_tol=1e-3), gram


# each model's examples (the entry model's too: knowledge.entry_model)
EXAMPLES = {task.file: task.examples for task in TASKS} | {ENTRY_MODEL: entry_examples}


@pytest.mark.parametrize("model_file", list(EXAMPLES))
def test_no_question_held_out_for_testing_is_learned_from(kb, model_file):
    # (an entry's own phrasing is the knowledge base's, whichever set also holds it)
    examples = EXAMPLES[model_file](_sets(), kb)
    learned = {e.text for e in examples if e.set_name != OWN_PHRASINGS}
    held_out, developed = set(), set()
    for _name, contents in _sets():
        for items in contents.values():
            for case in items if isinstance(items, list) else ():
                if isinstance(case, dict) and case.get("split") == "test":
                    held_out.add(case["q"])
                else:
                    developed.add(case["q"] if isinstance(case, dict) else case)
    assert len(held_out) > 1000
    assert not (learned & (held_out - developed))


def test_a_broken_model_file_is_named_with_its_line(data_copy):
    path = data_copy / VERDICT_MODEL
    lines = path.read_text("utf-8").splitlines()
    lines[4] = lines[4].split("\t")[0] + "\t很多\t0.1"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    (data_copy / UNANSWERABLE_MODEL).write_text('{"intercept": 0, "threshold": 1.5}\n', "utf-8")
    with pytest.raises(DataError) as caught:
        load_knowledge(data_copy)
    problems = [str(p) for p in caught.value.problems]
    assert any(f"{VERDICT_MODEL}:5:" in p and "idf" in p for p in problems), problems
    assert any(f"{UNANSWERABLE_MODEL}:1:" in p and "threshold" in p for p in problems), problems


def test_the_model_scores_what_scikit_learn_would():
    """Scoring the file by hand gives scikit-learn's probability (the bot runs without it)."""
    train = VERDICT.examples(_sets())[::15]  # a few hundred, of both kinds
    assert any(e.found for e in train) and not all(e.found for e in train)
    model = fit(train, 0.5)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from knowledge.ngram_model import grams

    vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True, min_df=2)
    features = vectorizer.fit_transform([e.text for e in train])
    reference = LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")
    reference.fit(features, [e.found for e in train])
    for text in ("我家四口人一年收入两万八，能进监测吗", "排查什么时候开始", "俺家中不中"):
        expected = reference.predict_proba(vectorizer.transform([text]))[0, 1]
        assert math.isclose(model.probability(text), expected, rel_tol=1e-6), text
    again = NgramModel.loads(model.dumps())
    assert math.isclose(again.probability("能进不"), model.probability("能进不"), rel_tol=1e-3)


def test_a_maintainer_learns_the_models_again_from_the_command_line(data_copy, capsys):
    import bot

    shipped = {task.file: (data_copy / task.file).read_text("utf-8") for task in TASKS}
    for task in TASKS:
        (data_copy / task.file).unlink()
    (data_copy / ENTRY_MODEL).unlink()
    assert bot.main(["kb", "train-models", "--knowledge", str(data_copy)]) == 0
    said = capsys.readouterr().out
    assert f"已写入 {data_copy / ENTRY_MODEL}" in said
    learned_entries = EntryModel.load(data_copy / ENTRY_MODEL)
    kept_entries = EntryModel.load(DATA_DIR / ENTRY_MODEL)
    assert learned_entries is not None and kept_entries is not None
    assert learned_entries.classes == kept_entries.classes
    assert learned_entries.weights.keys() == kept_entries.weights.keys()
    for task in TASKS:
        assert f"已写入 {data_copy / task.file}" in said
        learned = NgramModel.loads((data_copy / task.file).read_text("utf-8"))
        kept = NgramModel.loads(shipped[task.file])
        assert learned.weights.keys() == kept.weights.keys()
        assert learned.threshold == kept.threshold


def test_learning_the_models_without_scikit_learn_says_what_to_install(
    data_copy, capsys, monkeypatch
):
    import sys

    import bot

    for name in ("sklearn", "sklearn.feature_extraction.text", "sklearn.linear_model"):
        monkeypatch.setitem(sys.modules, name, None)
    before = (data_copy / VERDICT_MODEL).read_text("utf-8")
    assert bot.main(["kb", "train-models", "--knowledge", str(data_copy)]) == 1
    assert "需要开发依赖 sklearn" in capsys.readouterr().err
    assert (data_copy / VERDICT_MODEL).read_text("utf-8") == before
