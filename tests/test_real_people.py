"""The bot as new users really use it: residents who describe their trouble instead of asking,
staff who see only their own commands, a status note that is forgotten, odd characters, and
long emoji-heavy messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from assistant import texts
from assistant.service import Assistant
from handlers.render import split_message, telegram_length
from knowledge import KnowledgeBase
from storage.database import Database
from storage.models import StaffPrompt, UnansweredQuestion, utcnow
from storage.repository import StaffDirectory, UnansweredLog
from tests.chat import TelegramUser, answer, draft_of, say, shown, stored, tap, telegram_for
from tests.dialog_script import REPORT

RESIDENT, CADRE, REVIEWER, ADMIN = 2, 3, 4, 9


@pytest.fixture
def staffed(kb: KnowledgeBase, db: Database) -> Assistant:
    directory = StaffDirectory(db)
    directory.add(CADRE, "cadre", [], added_by=ADMIN)
    directory.add(REVIEWER, "reviewer", ["水阳镇"], added_by=ADMIN)
    return Assistant(kb, db, admin_ids=frozenset({ADMIN}))


# --- a resident who describes trouble -----------------------------------------------------


@pytest.mark.parametrize(
    "message", ["我家里有困难 老公住院了", "我要申报", "申报困难", "想反映情况", "我家房子漏雨"]
)
def test_a_resident_who_describes_trouble_is_offered_the_report_in_one_tap(
    assistant: Assistant, db: Database, message: str
):
    (offer,) = say(assistant, RESIDENT, message)
    assert offer.text == texts.REPORT_OFFER
    assert "没有把握" not in offer.text
    [(label, data)] = [(b.label, b.data) for row in offer.buttons for b in row]
    assert label == texts.REPORT_BUTTON
    opened = tap(assistant, RESIDENT, data)
    assert "开始之前" in shown(opened), "the tap starts the self-report at its first step"
    assert UnansweredLog(db).count() == 0, "a wish to report is not an unanswered question"


def test_a_question_about_hardship_is_still_answered_as_a_question(assistant: Assistant):
    replies = say(assistant, RESIDENT, "家里有人得了大病，开销一下子很大，能算哪类监测户")
    assert shown(replies) != texts.REPORT_OFFER


# --- /help shows each role its own commands ------------------------------------------------


def _help(assistant: Assistant, user: int) -> str:
    return shown(say(assistant, user, "/help"))


def test_help_shows_each_role_only_the_commands_it_may_use(staffed: Assistant):
    resident = _help(staffed, RESIDENT)
    assert "/report" in resident and "/mydata" in resident
    assert not {"/visit", "/pending", "/export", "/audit", "/staff"} & set(resident.split())
    cadre = _help(staffed, CADRE)
    assert "/visit" in cadre and "/pending" in cadre
    assert "/export" not in cadre and "/assign" not in cadre and "/audit" not in cadre
    reviewer = _help(staffed, REVIEWER)
    assert "/export" in reviewer and "/assign" in reviewer
    assert "/audit" not in reviewer and "/staff" not in reviewer
    admin = _help(staffed, ADMIN)
    assert "/audit" in admin and "/staff" in admin and "/export" in admin


# --- a status note that was chosen and forgotten -------------------------------------------


def _choose_checking(assistant: Assistant, make_submission) -> str:
    reference = make_submission(submitted_by=RESIDENT)
    submission = stored(assistant, reference)
    prompt = shown(tap(assistant, ADMIN, f"st:{submission.id}:1"))
    assert reference in prompt and "核实中" in prompt, "the prompt names record and status"
    return reference


def test_a_forgotten_status_note_does_not_swallow_the_next_visit(
    staffed: Assistant, make_submission
):
    reference = _choose_checking(staffed, make_submission)
    started = shown(say(staffed, ADMIN, "/visit"))
    assert texts.NOTE_PROMPT_DROPPED in started and "入户走访记录" in started
    after = shown(say(staffed, ADMIN, "同意"))
    assert "户主姓名" in after, "同意 answered the visit's consent step"
    record = stored(staffed, reference)
    assert record.status == "待核实", "the status did not change"
    assert draft_of(staffed, ADMIN).state["answers"]["consent"] is True


def test_a_status_note_typed_after_ten_minutes_changes_nothing(
    staffed: Assistant, db: Database, make_submission
):
    reference = _choose_checking(staffed, make_submission)
    with db.session() as session:
        session.execute(update(StaffPrompt).values(created_at=utcnow() - timedelta(minutes=11)))
    replies = say(staffed, ADMIN, "已电话联系，周三入户")
    assert "已等待超过 10 分钟" in shown(replies)
    assert stored(staffed, reference).status == "待核实"
    assert all(r.to_chat is None for r in replies), "the resident is not notified"
    with db.session() as session:
        assert session.scalars(select(StaffPrompt)).first() is None


def test_a_note_typed_in_time_still_changes_the_status(staffed: Assistant, make_submission):
    reference = _choose_checking(staffed, make_submission)
    replies = say(staffed, ADMIN, "已电话联系，周三入户")
    assert "待核实 → 核实中" in shown(replies)
    assert stored(staffed, reference).status == "核实中"


# --- odd characters --------------------------------------------------------------------------


def test_a_question_with_a_nul_byte_is_answered_and_logged_on_every_database(
    assistant: Assistant, db: Database
):
    say(assistant, RESIDENT, "彩票\x00中奖号码是多少")
    with db.session() as session:
        (logged,) = session.scalars(select(UnansweredQuestion.text)).all()
    assert logged == "彩票中奖号码是多少"


def test_a_nul_byte_typed_in_a_dialog_is_stored_without_it(assistant: Assistant):
    say(assistant, RESIDENT, "/report")
    answer(assistant, RESIDENT, REPORT.until("village"))
    say(assistant, RESIDENT, "红\x00星村")
    assert draft_of(assistant, RESIDENT).state["answers"]["village"] == "红星村"


# --- long messages full of emoji -------------------------------------------------------------


def test_long_text_is_split_by_telegrams_own_count_of_emoji():
    text = "\n".join(["😀" * 1500] * 3 + ["😀" * 3000])
    chunks = split_message(text)
    assert all(telegram_length(chunk) <= 4096 for chunk in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", ""), "nothing is lost"


async def test_mydata_full_of_emoji_arrives_in_full(assistant: Assistant):
    async with telegram_for(assistant) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        for _ in range(20):  # /mydata lists the last 20 unanswered questions, 100 chars each
            await resident.say("🙏" * 140 + "彩票号码")
        seen = await resident.say("/mydata")
    assert seen.texts, "sent, not refused by Telegram as too long"
    assert "出了点问题" not in seen.text
    assert all(telegram_length(t) <= 4096 for t in seen.texts)
    assert seen.text.count("🙏" * 100) == 20, "every question shown"


# --- what staff and residents see of estimates and names -----------------------------------


def test_staff_see_an_income_given_as_八万多_marked_as_an_estimate(
    staffed: Assistant, make_submission
):
    answers = {"annual_income": 80000, "_approximate": ["annual_income"]}
    reference = make_submission(township="水阳镇", answers=answers)
    record = shown(say(staffed, REVIEWER, f"/view {reference}"))
    assert "约 80,000" in record


def test_mydata_shows_the_name_staff_see_and_delete_removes_it(kb: KnowledgeBase, db: Database):
    from common.messages import Incoming

    assistant = Assistant(kb, db)
    named = Incoming(user_id=RESIDENT, chat_id=RESIDENT, text="你好", display_name="王小红")
    assistant.handle(named)
    assert "王小红" in shown(say(assistant, RESIDENT, "/mydata"))
    tap(assistant, RESIDENT, "del:yes")
    assert "王小红" not in shown(say(assistant, RESIDENT, "/mydata"))
    assistant.handle(named)  # writing again under the name stores it again
    assert "王小红" in shown(say(assistant, RESIDENT, "/mydata"))
