"""Stories found in review: each once broke or leaked something."""

from __future__ import annotations

from assistant.service import Assistant
from common.messages import Incoming
from dialogs.engine import DialogState
from storage.repository import StaffDirectory, StoredDraft, SubmissionStore, UnansweredLog
from tests.dialog_script import REPORT, VISIT, event_for
from tests.test_staff_review import say, shown, submit, tap

RESIDENT, CADRE, ADMIN = 31, 32, 33


def draft_of(assistant: Assistant, user: int) -> StoredDraft:
    """The user's stored draft, which the test expects to exist."""
    draft = assistant.drafts.load(user)
    assert draft is not None, f"user {user} has no draft"
    return draft


def answer(assistant: Assistant, user: int, items) -> None:
    """Answer scripted items as the user would: typing, commands, taps on the current buttons."""
    for item in items:
        state = DialogState.from_json(draft_of(assistant, user).state)
        event = event_for(assistant.engine, state, item)
        if event.command:
            say(assistant, user, "/" + event.command)
        elif event.action:
            tap(assistant, user, f"d:{state.draft_id}:{event.action}:{event.arg}")
        else:
            assert event.text is not None
            say(assistant, user, event.text)


def test_a_long_question_mid_dialog_is_not_sent_to_the_knowledge_base(assistant, monkeypatch):
    say(assistant, RESIDENT, "/report")
    answer(assistant, RESIDENT, REPORT[:2])
    asked = []
    monkeypatch.setattr(assistant.kb, "ask", lambda text: asked.append(text))
    replies = say(assistant, RESIDENT, "什么" + "鑫" * 4000)
    assert asked == [] and "内容太长" in shown(replies)


def test_a_description_ending_in_a_question_is_kept_and_the_question_answered(assistant):
    say(assistant, RESIDENT, "/report")
    answer(assistant, RESIDENT, REPORT[:16])
    assert assistant.drafts.load(RESIDENT).state["step"] == "description"
    replies = say(assistant, RESIDENT, "家里困难，监测线是多少？")
    assert "9100元" in shown(replies) and "联系人的姓名" in shown(replies)
    assert (
        assistant.drafts.load(RESIDENT).state["answers"]["description"]
        == "家里困难，监测线是多少？"
    )


def cadre_midway_through_a_visit(kb, db, steps: int) -> Assistant:
    """A registered cadre who has answered the first `steps` questions of /visit."""
    assistant = Assistant(kb, db)
    StaffDirectory(db).add(CADRE, "cadre", [], added_by=None)
    say(assistant, CADRE, "/visit")
    answer(assistant, CADRE, VISIT[:steps])
    return assistant


def test_next_household_does_not_throw_away_an_unfinished_visit(kb, db):
    assistant = cadre_midway_through_a_visit(kb, db, 5)
    replies = tap(assistant, CADRE, "visit:next")
    assert "未完成" in shown(replies)
    assert draft_of(assistant, CADRE).state["answers"]["head_name"] == "李四"


def test_a_cadre_removed_from_staff_cannot_go_on_with_a_visit(kb, db):
    assistant = cadre_midway_through_a_visit(kb, db, 2)
    StaffDirectory(db).remove(CADRE)
    assert "只对登记的村干部" in shown(say(assistant, CADRE, "狸桥镇"))


def test_an_assigned_cadre_can_open_the_household_they_must_verify(kb, db):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    StaffDirectory(db).add(CADRE, "cadre", [], added_by=ADMIN)
    reference = submit(db, user=RESIDENT, township="水阳镇", draft="as1")
    assert "没有找到" in shown(say(assistant, CADRE, f"/view {reference}"))
    say(assistant, ADMIN, f"/assign {reference} {CADRE}")
    assert "红星村" in shown(say(assistant, CADRE, f"/view {reference}"))
    assert reference in shown(say(assistant, CADRE, "/pending"))


def test_unanswered_questions_hide_long_numbers_and_belong_to_the_asker(assistant):
    say(assistant, RESIDENT, "我叫张三，身份证342501198001011234，电话13812345678，补贴咋领")
    ((stored, _),) = UnansweredLog(assistant.db).most_frequent()
    assert "342501198001011234" not in stored and "13812345678" not in stored
    assert "补贴咋领" in shown(say(assistant, RESIDENT, "/mydata"))
    say(assistant, RESIDENT, "/delete")
    tap(assistant, RESIDENT, "del:yes")
    assert UnansweredLog(assistant.db).count() == 0


def test_starting_a_dialog_twice_replaces_the_draft_without_error(assistant):
    assistant.drafts.replace(RESIDENT, "aaaa1111", "report", {"x": 1})
    assistant.drafts.replace(RESIDENT, "bbbb2222", "report", {"x": 2})
    assert assistant.drafts.load(RESIDENT).draft_id == "bbbb2222"


def test_a_submit_from_a_stale_state_is_retried_on_the_fresh_one(assistant, monkeypatch):
    say(assistant, RESIDENT, "/report")
    answer(assistant, RESIDENT, REPORT)
    draft = assistant.drafts.load(RESIDENT)
    real_load = assistant.drafts.load
    loads = []

    def stale_then_fresh(user_id):
        loads.append(user_id)
        if len(loads) == 1:  # another instance saved a newer version after we read this one
            assistant.drafts.save(user_id, draft.state, draft.version)
        return real_load(user_id) if len(loads) > 1 else draft

    monkeypatch.setattr(assistant.drafts, "load", stale_then_fresh)
    replies = assistant.handle(
        Incoming(user_id=RESIDENT, chat_id=RESIDENT, callback=f"d:{draft.draft_id}:submit")
    )
    (stored,) = SubmissionStore(assistant.db).of_user(RESIDENT)
    assert stored.reference is not None
    assert stored.reference in shown(replies) and len(loads) >= 2


def test_admins_get_a_clear_reply_for_odd_ids_and_pages(kb, db):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    for text in (
        "/staff add ² admin",
        "/staff add 99999999999999999999999 cadre",
        "/assign FP000001 ²",
        "/export " + "某" * 61,
        "/export 2024-09-30 2024-09-01",
        "/export 2024-01-01 2024-02-01 2024-03-01",
    ):
        replies = say(assistant, ADMIN, text)
        assert replies and "出了点问题" not in shown(replies)
    for data in ("pg:²", "pg:99999999999999999999999", "st:²:1", "st:99999999999999999999:1"):
        assert tap(assistant, ADMIN, data)
