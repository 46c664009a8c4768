"""Staff see people by name, not by Telegram id: in the history, the assignment, the staff list
and the audit log (whose actions read in Chinese). Names come from what people write to the bot;
someone who never wrote is shown by id."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from assistant.service import Assistant
from storage.models import Person
from storage.repository import People, StaffDirectory
from tests.chat import discard, say, shown, stored, tap

RESIDENT, CADRE, REVIEWER, ADMIN, SILENT_CADRE = 21, 22, 23, 24, 25


@pytest.fixture
def office(kb, db, make_submission):
    """A report in 水阳镇; a reviewer (王芳), a cadre (李村干) and an admin (张主任) who have all
    written to the bot, and a cadre who never has."""
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    staff = StaffDirectory(db)
    staff.add(CADRE, "cadre", [], added_by=ADMIN)
    staff.add(SILENT_CADRE, "cadre", [], added_by=ADMIN)
    staff.add(REVIEWER, "reviewer", ["水阳镇"], added_by=ADMIN)
    for user, name in ((CADRE, "李村干"), (REVIEWER, "王芳"), (ADMIN, "张主任")):
        say(assistant, user, "/help", name=name)
    return assistant, make_submission(submitted_by=RESIDENT)


def test_the_history_names_the_reviewer_who_changed_the_status(office):
    assistant, report = office
    tap(assistant, REVIEWER, f"st:{stored(assistant, report).id}:1", name="王芳")
    say(assistant, REVIEWER, "已电话联系", name="王芳")
    record = shown(say(assistant, ADMIN, f"/view {report}", name="张主任"))
    assert "核实中（王芳）：已电话联系" in record
    assert f"（{REVIEWER}）" not in record


def test_an_assignment_names_the_cadre_in_the_reply_the_record_and_the_history(office):
    assistant, report = office
    replies = say(assistant, REVIEWER, f"/assign {report} {CADRE} 请入户", name="王芳")
    assert f"已将 <b>{report}</b> 指派给 李村干" in shown(replies)
    record = shown(say(assistant, ADMIN, f"/view {report}"))
    assert f"指派干部：李村干（{CADRE}）" in record
    assert "待核实（王芳）：指派给 李村干" in record


def test_a_cadre_who_never_wrote_to_the_bot_is_shown_by_id(office):
    assistant, report = office
    replies = say(assistant, REVIEWER, f"/assign {report} {SILENT_CADRE}")
    assert f"指派给 {SILENT_CADRE}" in shown(replies)


def test_the_staff_list_shows_name_and_id(office):
    assistant, _ = office
    text = shown(say(assistant, ADMIN, "/staff list"))
    assert f"王芳（{REVIEWER}）：审核员（水阳镇）" in text
    assert f"李村干（{CADRE}）：村干部" in text
    assert f"• {SILENT_CADRE}：村干部" in text
    assert f"张主任（{ADMIN}）：管理员" in text


def test_the_audit_log_reads_in_chinese_with_the_actor_by_name(office):
    assistant, report = office
    say(assistant, REVIEWER, f"/view {report}")
    say(assistant, REVIEWER, f"/assign {report} {CADRE}")
    say(assistant, ADMIN, "/staff add 77 cadre")
    say(assistant, ADMIN, "/staff remove 77")
    text = shown(say(assistant, ADMIN, "/audit"))
    assert f"王芳 查看 {report}" in text
    assert f"王芳 指派 {report}" in text
    assert "张主任 添加工作人员 77" in text and "张主任 移除工作人员 77" in text
    discard(say(assistant, REVIEWER, "/export 水阳镇 2024-09-01"))
    assert "王芳 导出 水阳镇 1 条，2024-09-01 起" in shown(say(assistant, ADMIN, "/audit"))
    for code in ("view", "assign", "staff_add", "staff_remove"):
        assert f" {code} " not in text


def test_every_audit_action_has_chinese_words():
    from review.texts import AUDIT_ACTIONS

    assert set(AUDIT_ACTIONS) == {
        "export",
        "staff_add",
        "staff_remove",
        "view",
        "status",
        "assign",
        "delete_request",
        "photos",
        "teach_link",
        "teach_dismiss",
        "teach_restore",
        "teach_unlink",
        "teach_export",
    }


def test_names_are_personal_data_and_never_logged(office, caplog):
    assistant, report = office
    caplog.set_level(logging.DEBUG)
    say(assistant, REVIEWER, f"/assign {report} {CADRE}", name="王芳")
    say(assistant, CADRE, "/pending", name="李村干改名")
    assert "王芳" not in caplog.text and "李村干" not in caplog.text


def test_a_name_is_written_once_and_again_only_when_it_changes(db):
    people = People(db)
    people.remember(31, "赵六", "zhao6")
    with db.session() as session:
        first = session.scalar(select(Person.updated_at).where(Person.user_id == 31))
    People(db).remember(31, "赵六", "zhao6")  # a fresh process: no cache, still no write
    with db.session() as session:
        assert session.scalar(select(Person.updated_at).where(Person.user_id == 31)) == first
    People(db).remember(31, "赵小六", None)
    assert people.names([31, 32]) == {31: "赵小六"}


def test_a_name_known_to_the_cache_costs_no_database_write(db, monkeypatch):
    people = People(db)
    people.remember(33, "钱七", None)
    monkeypatch.setattr(db, "session", lambda: pytest.fail("wrote again"))
    people.remember(33, "钱七", None)
