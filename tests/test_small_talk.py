"""Small talk and asking for a person, through Telegram: kind short replies, never "没有把握回答",
never logged as an unanswered question; a request for a person gets the office and phone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.policy_qa import Kind, PolicyQA
from assistant.small_talk import SMALL_TALK_FILE, SmallTalk
from common.yamlfile import DataError
from storage.repository import UnansweredLog

RESIDENT = 5301
PROJECT_SET = Path(__file__).parent / "data" / "qa_questions.yaml"
SMALL_TALK = yaml.safe_load(PROJECT_SET.read_text("utf-8"))["small_talk"]


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("你好", "您好"),
        ("在吗？", "您好"),
        ("谢谢你啊", "不客气"),
        ("好的，谢谢！", "不客气"),
        ("好的", "好的"),
        ("👍", "好的"),
        ("再见", "再见"),
        # typed in pinyin, or English words apart
        ("ni hao", "您好"),
        ("xiexie", "不客气"),
        ("Thank you!", "不客气"),
        ("zaijian", "再见"),
    ],
)
async def test_a_villager_making_small_talk_gets_a_kind_short_reply(telegram, db, said, reply):
    seen = await telegram.send(RESIDENT, said)
    assert reply in seen.text
    assert "没有把握" not in seen.text
    assert UnansweredLog(db).most_frequent() == []


async def test_a_greeting_comes_with_the_menu(telegram):
    seen = await telegram.send(RESIDENT, "您好")
    labels = [label for label, _ in seen.buttons()]
    assert any("申报" in label for label in labels)


@pytest.mark.parametrize("said", ["转人工", "有人吗", "我要打电话", "找个人问"])
async def test_asking_for_a_person_gets_the_office_and_phone_at_once(telegram, db, said):
    seen = await telegram.send(RESIDENT, said)
    assert "0563-2701280" in seen.text and "农业农村局" in seen.text
    assert UnansweredLog(db).most_frequent() == []


async def test_a_greeting_with_a_question_gets_the_answer(telegram):
    seen = await telegram.send(RESIDENT, "你好，今年的监测收入标准是多少")
    assert "9100" in seen.text


def test_a_phrase_written_under_two_kinds_is_named(tmp_path: Path):
    copy = tmp_path / "small_talk.yaml"
    shutil.copy(SMALL_TALK_FILE, copy)
    copy.write_text(
        copy.read_text("utf-8").replace("phrases: [再见,", "phrases: [谢谢, 再见,", 1), "utf-8"
    )
    with pytest.raises(DataError) as raised:
        SmallTalk.load(copy)
    assert "同时写在 thanks 和 bye 里" in str(raised.value)


def test_a_reply_with_an_unknown_placeholder_is_named(tmp_path: Path):
    copy = tmp_path / "small_talk.yaml"
    copy.write_text(
        SMALL_TALK_FILE.read_text("utf-8").replace("不客气！", "不客气{name}！", 1), "utf-8"
    )
    with pytest.raises(DataError) as raised:
        SmallTalk.load(copy)
    assert "thanks 的 reply 用了未知的占位符：name" in str(raised.value)


@pytest.mark.parametrize("case", SMALL_TALK, ids=[c["q"] for c in SMALL_TALK])
def test_the_project_sets_small_talk_is_recognised_and_answered_kindly(kb, case):
    outcome = PolicyQA(kb).respond(case["q"])
    assert outcome.kind is Kind.SMALL_TALK and outcome.talk is not None
    assert outcome.talk.name == case["kind"]
    assert "没有把握" not in outcome.replies[0].text
    if case["kind"] == "handoff":
        assert "0563-2701280" in outcome.replies[0].text
