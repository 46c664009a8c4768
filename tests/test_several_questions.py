"""Several questions in one message: each answered on its own, in order, each with its source
and its own 👍 / 👎; the ones the documents do not answer are named, with whom to ask."""

from __future__ import annotations

import json

import pytest

from assistant.policy_qa import PolicyQA
from knowledge import KnowledgeBase
from knowledge.several_questions import clauses_each_asking, questions_in
from storage.repository import UnansweredLog
from tests.chat import TelegramUser

CADRE = 7301


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        ("收入线多少？排查多久？谁来查？", ["收入线多少？", "排查多久？", "谁来查？"]),
        (
            "几个问题：1.谁解读的 2.哪天印发的 3.电话多少",
            ["谁解读的", "哪天印发的", "电话多少"],
        ),
        ("Q1 方案啥时候发的 Q2 排查几类对象", ["方案啥时候发的", "排查几类对象"]),
        ("①排查多久②找谁问", ["排查多久", "找谁问"]),
        # two things asked about at once
        ("“两确保”和“三早”分别指什么？", ["“两确保”指什么", "“三早”指什么"]),
        ("监测对象和脱贫户各是什么意思", ["监测对象是什么意思", "脱贫户是什么意思"]),
        ("8.26 和 8.28 分别是啥日子", ["8.26是啥日子", "8.28是啥日子"]),
    ],
)
def test_numbered_questions_and_questions_each_closed_by_a_mark_are_told_apart(message, questions):
    assert questions_in(message) == questions


@pytest.mark.parametrize(
    "message",
    [
        # one question: a story and its question, a choice in two halves, a claim and "是真的吗"
        "我家孩子在外地上学，户口还在村里，这次排查算不算我家的人？",
        "排查是按户查？还是按人查？",
        "听说排查要跟残联共享信息？是真的吗？",
        # dates and amounts are not numbering
        "8.26 那天印发的是哪个文件，8.28 开的什么会",
        "人均9100.5元算不算，2.5万的收入怎么算",
    ],
)
def test_one_question_is_read_whole(message):
    assert questions_in(message) == []


def test_clauses_of_one_sentence_each_asking_of_their_own_are_told_apart():
    assert clauses_each_asking("排查要查哪几方面，咨询电话是多少") == [
        "排查要查哪几方面",
        "咨询电话是多少",
    ]
    # short clauses asking with words of their own are questions too ("why, and on what basis")
    assert clauses_each_asking("为什么要开展排查，依据是什么") == ["为什么要开展排查", "依据是什么"]
    assert clauses_each_asking("标准多少钱，有问题找谁") == ["标准多少钱", "有问题找谁"]
    # one clause asks nothing; one leans on the first (too short to name its own subject, or
    # pointing back at it)
    assert clauses_each_asking("我想问一下，排查要搞多久") == []
    assert clauses_each_asking("排查要搞多久，为啥") == []
    assert clauses_each_asking("“两确保”是哪两个，各自要做到什么程度") == []
    # two sentences are the other reader's
    assert clauses_each_asking("收入线多少？排查多久？") == []


def test_a_request_made_after_a_first_one_in_order_is_a_question_of_its_own(kb: KnowledgeBase):
    # "先……，再告诉我……": the second clause asks with a request, not a question word
    assert clauses_each_asking("先讲讲排查重点聚焦哪些人，然后告诉我咨询电话") == [
        "先讲讲排查重点聚焦哪些人",
        "告诉我咨询电话",
    ]
    answer = kb.ask("先讲讲排查重点聚焦哪些人，然后告诉我咨询电话")
    assert "contact" in [entry.id for entry in answer.entries]
    # a first clause that only asks to be told is not a question of its own
    assert clauses_each_asking("再告诉我咨询电话，排查搞多久") == []


def test_two_questions_parted_by_a_comma_are_each_answered(kb: KnowledgeBase):
    answer = kb.ask("这回排查查哪几块内容，收入线定的是多少")
    assert [entry.id for entry in answer.entries] == ["screening-contents", "monitoring-line"]
    # … however short each is
    answer = kb.ask("标准多少钱，有问题找谁？")
    assert [entry.id for entry in answer.entries] == ["monitoring-line", "contact"]


def test_what_happened_on_two_days_is_answered_day_by_day(kb: KnowledgeBase):
    answer = kb.ask("8月26日和8月28日分别发生了什么事？")
    assert [entry.id for entry in answer.entries] == ["plan-issue-date", "plan-preparation"]


@pytest.mark.parametrize(
    "message",
    [
        # a second question that says it is another (另外, 顺便): it leans on nothing, and
        # 另外 there is no "another number"
        "我在村里管报账，刚接手这块。排查要集中搞多长时间？另外有事该打哪个电话问？",
        # after the last question mark, one more that says so
        "排查要集中搞多长时间？顺便把咨询电话发我一下",
    ],
)
def test_a_question_said_to_be_another_is_answered_on_its_own(kb: KnowledgeBase, message):
    answer = kb.ask(message)
    # how long (the plan's overview tells it too), then the number
    assert len(answer.entries) == 2 and answer.entries[1].id == "contact"
    assert "一个月" in answer.entries[0].answer


def test_each_question_of_a_message_is_answered_by_its_own_entry(kb: KnowledgeBase):
    answer = kb.ask("收入线多少？排查多久？谁来查？")
    said = "\n".join(entry.answer for entry in answer.entries)
    for fact in ("9100元", "一个月", "网格员"):
        assert fact in said
    assert len(answer.entries) == len(set(e.id for e in answer.entries)) >= 2
    assert answer.parts[0] == "收入线多少？"


def test_a_follow_up_that_only_makes_sense_with_the_first_question_is_not_answered_alone(
    kb: KnowledgeBase,
):
    # "收入要超过多少" is about risk removal here, not about the monitoring line
    answer = kb.ask("监测对象风险消除是怎么回事？那收入要超过多少才行？")
    assert all(e.id != "monitoring-line" for e in answer.entries)


async def test_a_cadre_asking_three_things_at_once_gets_three_answers_and_the_unstated_one_named(
    telegram, db
):
    user = TelegramUser(telegram, CADRE)
    seen = await user.say("Q1 排查多久 Q2 明年的监测标准是多少 Q3 找谁问")
    texts = seen.texts
    assert len(texts) == 3, texts
    assert "一个月" in texts[0] and "📄 来源" in texts[0]
    assert "0563-2701280" in texts[1] and "📄 来源" in texts[1]
    # the question no entry answers, named, and whom to ask
    assert "“明年的监测标准是多少”" in texts[2] and "没有找到答案" in texts[2]
    assert "0563-2701280" in texts[2]
    # each answer has its own 👍 / 👎
    votes = [data for label, data in seen.buttons() if data and data.startswith("fb:")]
    assert len({data.split(":")[1] for data in votes}) == 2
    # the unanswered question is listed for staff to teach, as asked
    assert UnansweredLog(db).most_frequent() == [("明年的监测标准是多少", 1)]


def test_the_machine_contract_gives_every_answer_of_a_message(kb: KnowledgeBase):
    qa = PolicyQA(kb)
    outcome = qa.respond("谁起草的？谁解读的？有问题打哪个电话？")
    shown = PolicyQA.as_json(outcome)
    json.dumps(shown, ensure_ascii=False)
    assert shown["entry_id"] == shown["entry_ids"][0] and len(shown["entry_ids"]) >= 2
    for fact in ("信息中心", "姚红艳", "0563-2701280"):
        assert fact in shown["answer"]


def test_a_household_asking_about_its_own_case_among_other_questions_gets_the_guidance_first(
    kb: KnowledgeBase,
):
    answer = kb.ask("我家四口人，男人瘫在床上，一年收入一万出头，算哪类户？能进监测不？")
    assert answer.entry is not None and answer.entry.action == "report"


def test_a_household_whose_other_question_is_not_answered_still_gets_the_guidance(
    kb: KnowledgeBase,
):
    answer = kb.ask("我家老二在外打工不寄钱回来，他的收入算不算？我家能进监测不？")
    assert answer.entry is not None and answer.entry.action == "report"


def test_whether_the_screening_covers_people_like_us_is_no_verdict_even_asked_second(
    kb: KnowledgeBase,
):
    answer = kb.ask("排查是不是所有农村户口的都查？我们这种户口在村里人在外地的也算吗？")
    assert all(entry.action != "report" for entry in answer.entries)
