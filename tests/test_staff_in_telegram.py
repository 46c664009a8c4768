"""Staff work over Telegram (offline): files, charts and notifications reach the right chats."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from assistant.service import Assistant
from storage.repository import StaffDirectory, SubmissionStore
from tests.chat import telegram_for

ADMIN, REVIEWER, RESIDENT, CADRE = 9001, 9002, 9003, 9004


@pytest.fixture
async def telegram(kb, db):
    """The bot over Telegram (offline) with user 9001 as its administrator."""
    async with telegram_for(Assistant(kb, db, admin_ids=frozenset({ADMIN}))) as harness:
        yield harness


async def test_a_reviewer_changes_a_status_and_the_resident_is_told_in_their_own_chat(
    telegram, db, make_submission
):
    StaffDirectory(db).add(REVIEWER, "reviewer", ["水阳镇"], added_by=ADMIN)
    reference = make_submission(submitted_by=RESIDENT)
    await telegram.send(RESIDENT, "/status")  # residents have a chat with the bot
    record = await telegram.send(REVIEWER, f"/view {reference}")
    ((_, data),) = record.buttons()
    await telegram.tap(REVIEWER, data)
    done = await telegram.send(REVIEWER, "已电话联系，安排入户")
    to_resident = [m for m in done.method("sendMessage") if m["chat_id"] == RESIDENT]
    assert len(to_resident) == 1 and "核实中" in to_resident[0]["text"]
    assert [m for m in done.method("sendMessage") if m["chat_id"] == REVIEWER]


async def test_export_arrives_as_an_xlsx_document_and_stats_as_a_png(telegram, db, make_submission):
    make_submission(submitted_by=RESIDENT)
    exported = await telegram.send(ADMIN, "/export")
    (document,) = exported.method("sendDocument")
    assert document["chat_id"] == ADMIN and "已导出 1 条" in document["caption"]
    assert not list(Path(tempfile.gettempdir()).glob("export-*")), "sent, then deleted"
    stats = await telegram.send(ADMIN, "/stats")
    (photo,) = stats.method("sendPhoto")
    assert "共 1 份" in photo["caption"]


async def test_a_stranger_gets_neither_files_nor_charts(telegram, db, make_submission):
    make_submission(submitted_by=RESIDENT)
    for command in (
        "/export",
        "/stats",
        f"/view {SubmissionStore(db).of_user(RESIDENT)[0].reference}",
    ):
        seen = await telegram.send(RESIDENT + 1, command)
        assert not seen.method("sendDocument") and not seen.method("sendPhoto")
        assert "只对登记的村干部和工作人员开放" in seen.text


async def test_a_record_longer_than_telegrams_limit_arrives_in_several_messages(
    telegram, make_submission
):
    from handlers.render import TELEGRAM_LIMIT, split_message

    for _ in range(30):
        make_submission(submitted_by=RESIDENT, contact_name="名" * 20)
    seen = await telegram.send(RESIDENT, "/mydata")
    texts = [m["text"] for m in seen.method("sendMessage")]
    assert len(texts) > 1 and all(len(t) <= TELEGRAM_LIMIT for t in texts)
    assert "/delete" in texts[-1]
    assert split_message("甲\n" * 5000)[0].count("\n") < 5000


async def test_the_history_shows_the_reviewer_by_their_telegram_name(telegram, db, make_submission):
    StaffDirectory(db).add(REVIEWER, "reviewer", ["水阳镇"], added_by=ADMIN)
    telegram.profile(REVIEWER, first_name="王", last_name="芳")
    telegram.profile(ADMIN, first_name=" ", username="zhang_zr")
    reference = make_submission(submitted_by=RESIDENT)
    record = await telegram.send(REVIEWER, f"/view {reference}")
    await telegram.tap(REVIEWER, record.buttons()[0][1])
    await telegram.send(REVIEWER, "已电话联系")
    again = await telegram.send(ADMIN, f"/view {reference}")
    assert "核实中（王 芳）：已电话联系" in again.text
    audit = await telegram.send(ADMIN, "/audit")
    assert f"@zhang_zr 查看 {reference}" in audit.text


async def test_assigning_a_cadre_who_never_opened_the_bot_tells_the_reviewer_they_were_not_told(
    telegram, db, make_submission
):
    StaffDirectory(db).add(CADRE, "cadre", [], added_by=ADMIN)
    reference = make_submission(submitted_by=RESIDENT)
    seen = await telegram.send(ADMIN, f"/assign {reference} {CADRE} 请入户")
    to_admin = [m["text"] for m in seen.method("sendMessage") if m["chat_id"] == ADMIN]
    assert f"已将 <b>{reference}</b> 指派给 {CADRE}" in to_admin[0]
    assert "未能通知" in to_admin[1] and "还没有打开过本助手" in to_admin[1]
    assert "出了点问题" not in seen.text

    await telegram.send(CADRE, "/start")  # once the cadre has opened the bot, they are told
    seen = await telegram.send(ADMIN, f"/assign {reference} {CADRE}")
    assert [m for m in seen.method("sendMessage") if m["chat_id"] == CADRE]
    assert "未能通知" not in seen.text


async def test_a_resident_who_cannot_be_told_of_a_status_change_is_reported_to_the_reviewer(
    telegram, db, make_submission
):
    reference = make_submission(submitted_by=RESIDENT)  # stored by another instance, say
    record = await telegram.send(ADMIN, f"/view {reference}")
    await telegram.tap(ADMIN, record.buttons()[0][1])
    done = await telegram.send(ADMIN, "已电话联系")
    assert "待核实 → 核实中" in done.text and "未能通知申报人" in done.text
    assert "出了点问题" not in done.text


async def test_a_reviewer_sees_that_a_report_was_filed_by_a_son_working_away(
    telegram, db, make_submission
):
    StaffDirectory(db).add(REVIEWER, "reviewer", ["水阳镇"], added_by=ADMIN)
    reference = make_submission(
        submitted_by=RESIDENT,
        answers={"reporter": "替家人或亲戚报", "reporter_relation": "儿子，在苏州打工"},
    )
    record = await telegram.send(REVIEWER, f"/view {reference}")
    assert "填报人" in record.text and "替家人或亲戚报" in record.text
    assert "儿子，在苏州打工" in record.text
