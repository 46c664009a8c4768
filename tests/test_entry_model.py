"""The entry model: which entry answers a message, or that none does, read by its characters
where the rules keep missing people's ways of asking (knowledge.entry_model)."""

from __future__ import annotations

import copy
import math
from functools import cache
from pathlib import Path

import pytest
import yaml

from common.yamlfile import DataError
from knowledge import KnowledgeBase, load_knowledge
from knowledge.base import DATA_DIR
from knowledge.entry_model import ENTRY_MODEL, KEPT_WEIGHT, EntryModel
from knowledge.model_training import (
    ENTRY_ANSWER_AT,
    ENTRY_UNANSWERED_AT,
    OWN_PHRASINGS,
    SETS_DIR,
    entry_examples,
    fit_entries,
    question_sets,
)


@cache
def _sets() -> list:
    return question_sets(SETS_DIR)


def _rules_only(data_dir: Path) -> KnowledgeBase:
    (data_dir / ENTRY_MODEL).unlink()
    return load_knowledge(data_dir)


# --- what it changes for the people asking -------------------------------------------------


def test_a_question_the_rules_alone_miss_is_answered(kb, data_copy):
    # who drafted the plan (起草), not when it was issued (下发)
    question, fact = "防返贫排查方案哪个单位起的草", "信息中心"
    answer = kb.ask(question)
    assert answer.entry is not None and fact in answer.entry.answer
    rules_only = _rules_only(data_copy).ask(question)
    assert rules_only.entry is None or fact not in rules_only.entry.answer


def test_a_question_with_the_entrys_nouns_the_documents_do_not_answer_is_not_answered(
    kb, data_copy
):
    question = "监测对象在全国信息系统里被标识以后，能享受哪些具体政策？"
    assert _rules_only(data_copy).ask(question).entry is not None
    answer = kb.ask(question)
    assert answer.entry is None and answer.suggestions  # the bot says so, with suggestions


def test_an_unstated_fact_stays_unanswered_whatever_entry_the_model_names(kb):
    """The model may name the entry the words are near; the rules' checks of what is asked
    (a count, of the plan's pages) still apply to it."""
    question = "8月26号印发的方案一共多少页"
    reading = kb.entry_model.reading(question)
    assert reading is not None and reading.entry_id == "plan-issue-date"
    answer = kb.ask(question)
    assert answer.entry is None and answer.unstated  # "文件没有写明…"


def test_a_confident_rules_answer_is_not_overruled_by_a_doubtful_model(kb):
    question = "这次排查主要查哪些人"
    reading = kb.entry_model.reading(question)
    assert reading is not None and reading.entry_id != "target-groups"
    answer = kb.ask(question)
    assert answer.entry is not None and answer.entry.id == "target-groups"


def test_an_entrys_own_phrasing_is_answered_by_it_whatever_the_model_reads(kb, data_copy):
    path = data_copy / "entries" / "terms.yaml"
    raw = yaml.safe_load(path.read_text("utf-8"))
    entry = next(e for e in raw["entries"] if e["id"] == "three-guarantees")
    entry["alternates"].append("住的房子是危房怎么办")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    kb = load_knowledge(data_copy)
    reading = kb.entry_model.reading("住的房子是危房怎么办")
    assert reading is not None and reading.entry_id is None  # the model says none
    answer = kb.ask("住的房子是危房怎么办")
    assert answer.entry is not None and answer.entry.id == "three-guarantees"


def test_an_entry_added_after_the_model_was_learned_is_the_rules_to_answer(data_copy):
    path = data_copy / "entries" / "terms.yaml"
    raw = yaml.safe_load(path.read_text("utf-8"))
    raw["entries"].append(
        {
            "id": "autumn-harvest-survey",
            "question": "秋粮收购价格调查什么时候开始？",
            "alternates": ["秋粮收购调查哪天开始"],
            "keywords": ["秋粮收购"],
            "tags": ["秋粮"],
            "answers": [],
            "answer": "秋粮收购价格调查于10月8日开始。",
            "source": raw["entries"][0]["source"],
        }
    )
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    kb = load_knowledge(data_copy)
    assert kb.entry_model is not None and not kb.entry_model.knows("autumn-harvest-survey")
    # a model sure that no entry answers anything: it overrules the rules for the entries it
    # knows, never for the one it does not
    kb.entry_model = EntryModel((None, "three-guarantees"), (6.0, 0.0), {}, 0.3, 0.5)
    answer = kb.ask("秋粮收购价格调查是咋回事")
    assert answer.entry is not None and answer.entry.id == "autumn-harvest-survey"
    assert kb.ask("三保障是咋回事").entry is None


# --- learned from the development parts, kept as a file ------------------------------------


@cache
def _learned() -> EntryModel:
    return fit_entries(entry_examples(_sets(), load_knowledge()))


def test_the_model_file_is_what_the_development_questions_teach():
    """Edit a question set or an entry's phrasings and this fails until `python bot.py kb
    train-models` is run."""
    shipped = EntryModel.load(DATA_DIR / ENTRY_MODEL)
    learned = _learned()
    assert shipped is not None, "python bot.py kb train-models"
    assert shipped.classes == learned.classes, "python bot.py kb train-models"
    assert shipped.weights.keys() == learned.weights.keys(), "python bot.py kb train-models"
    assert shipped.learned_from == learned.learned_from
    assert (shipped.answer_at, shipped.unanswered_at) == (ENTRY_ANSWER_AT, ENTRY_UNANSWERED_AT)
    for kept_b, fitted_b in zip(shipped.intercepts, learned.intercepts, strict=True):
        assert math.isclose(kept_b, fitted_b, rel_tol=1e-3, abs_tol=1e-3)
    for gram, (idf, pairs) in learned.weights.items():
        kept_idf, kept_pairs = shipped.weights[gram]
        assert math.isclose(kept_idf, idf, rel_tol=1e-3), gram
        kept = dict(kept_pairs)
        for index, weight in pairs:  # (a weight near the cut may fall either side of it)
            assert math.isclose(kept.get(index, 0.0), weight, abs_tol=2e-3), gram


def test_each_in_scope_question_is_learned_as_an_entry_whose_answer_meets_it(kb):
    from knowledge.expectations import met

    expected = {}
    for _name, contents in _sets():
        for case in contents.get("in_scope") or []:
            expected[case["q"]] = case["expect"]
    examples = [e for e in entry_examples(_sets(), kb) if e.set_name != OWN_PHRASINGS]
    answered = [e for e in examples if e.entry_id is not None]
    assert len(answered) > 3000 and len(examples) - len(answered) > 2000
    for example in answered[::7]:
        assert met(kb.entries[example.entry_id].answer, expected[example.text]), example


def test_the_model_scores_what_scikit_learn_would():
    """Scoring the file by hand gives scikit-learn's probabilities, but for the weights below
    `KEPT_WEIGHT` left out of the file (the bot runs without scikit-learn)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from knowledge.ngram_model import grams

    train = entry_examples(_sets(), load_knowledge())[::9]
    model = fit_entries(train)
    vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True, min_df=2)
    features = vectorizer.fit_transform([e.text for e in train])
    reference = LogisticRegression(C=10.0, max_iter=3000)
    reference.fit(features, [e.entry_id or "" for e in train])
    for text in ("排查要搞多长时间", "监测标准是多少钱", "低保多久复查一次", "找谁咨询"):
        probabilities = reference.predict_proba(vectorizer.transform([text]))[0]
        first = int(probabilities.argmax())
        reading = model.reading(text)
        assert reading is not None
        assert reading.entry_id == (reference.classes_[first] or None), text
        assert math.isclose(reading.probability, probabilities[first], abs_tol=0.02), text
    again = EntryModel.loads(model.dumps()).reading("排查要搞多长时间")
    before = model.reading("排查要搞多长时间")
    assert again is not None and before is not None and again.entry_id == before.entry_id
    assert math.isclose(again.probability, before.probability, abs_tol=1e-3)
    assert KEPT_WEIGHT < 0.1


def test_a_broken_model_file_is_named_with_its_line(data_copy):
    path = data_copy / ENTRY_MODEL
    lines = path.read_text("utf-8").splitlines()
    lines[3] = lines[3].split("\t")[0] + "\t1.5\t999:0.3"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(DataError) as caught:
        load_knowledge(data_copy)
    problems = [str(p) for p in caught.value.problems]
    assert any(f"{ENTRY_MODEL}:4:" in p and "类的序号" in p for p in problems), problems
    path.write_text('{"classes": ["a", null], "intercepts": [0]}\n', "utf-8")
    with pytest.raises(DataError) as caught:
        load_knowledge(data_copy)
    assert any(f"{ENTRY_MODEL}:1:" in str(p) for p in caught.value.problems)


def test_a_knowledge_folder_without_the_model_answers_by_the_rules_alone(data_copy):
    kb = _rules_only(data_copy)
    assert kb.entry_model is None
    answer = kb.ask("排查要集中多长时间")
    assert answer.entry is not None and "一个月" in answer.entry.answer


def test_a_phone_number_a_date_or_a_duration_the_rules_entry_tells_is_not_overruled(kb):
    """Asked for a number, a day or how long, when the rules' entry tells it, even a model sure
    that no entry answers leaves the answer be — for other kinds it abstains."""
    known = tuple(kb.entries)
    sure_of_none = EntryModel((None, *known), (6.0, *(0.0 for _ in known)), {}, 0.3, 0.5)
    kb = copy.copy(kb)
    kb.entry_model = sure_of_none
    kb.forget_answers()
    for question, entry in (
        ("0563后面号码多少", "contact"),
        ("这个文件几月几号出来的啊", "plan-issue-date"),
        ("排查要集中搞多长时间", "screening-duration"),
    ):
        answer = kb.ask(question)
        assert answer.entry is not None and answer.entry.id == entry, question
    assert kb.ask("三保障是咋回事").entry is None


def test_a_maintainer_sees_what_the_entry_model_does_for_sets_it_did_not_learn(
    data_copy, tmp_path, capsys
):
    """`bot.py kb train-models --report`: each set asked with a model learned without it, and
    by the rules alone."""
    import bot

    sets = tmp_path / "sets"
    sets.mkdir()
    month, line, phone = [["一个月"]], [["9100"]], [["0563-2701280"]]
    written = {
        "qa_first": {
            "in_scope": [
                {"q": "排查要集中搞多长时间", "expect": month},
                {"q": "监测标准是多少钱", "expect": line},
                {"q": "政策咨询电话是多少", "expect": phone},
            ],
            "out_of_scope": ["低保多久复查一次", "明天会下雨吗"],
            "eligibility": [{"q": "我家四口人收入两万，能纳入监测吗"}],
        },
        "qa_second": {
            "in_scope": [
                {"q": "这回排查要搞多久", "expect": month},
                {"q": "今年的监测线定的多少", "expect": line},
                {"q": "有问题打哪个电话", "expect": phone},
            ],
            "out_of_scope": ["残疾证怎么办", "排查补贴每人发多少"],
            "eligibility": [{"q": "俺家能进监测不"}],
        },
    }
    for name, content in written.items():
        (sets / f"{name}.yaml").write_text(yaml.safe_dump(content, allow_unicode=True), "utf-8")
    code = bot.main(
        ["kb", "train-models", "--report", "--sets", str(sets), "--knowledge", str(data_copy)]
    )
    said = capsys.readouterr().out
    assert code == 0, said
    assert f"{ENTRY_MODEL}（每次留出一个问题集学习，整条问答流程作答）" in said
    assert "加上留出学的模型：范围内答对" in said and "/6，范围外不乱答" in said and "/4" in said
    assert "只用规则：范围内答对" in said
