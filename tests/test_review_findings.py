"""Stories found in review: each once broke or leaked something."""

from __future__ import annotations

from assistant.service import Assistant
from common.messages import Incoming
from storage.repository import StaffDirectory, SubmissionStore, UnansweredLog
from tests.chat import answer, draft_of, say, shown, tap
from tests.dialog_script import REPORT, VISIT

RESIDENT, CADRE, ADMIN = 31, 32, 33


def test_a_long_question_mid_dialog_is_not_sent_to_the_knowledge_base(assistant, monkeypatch):
    say(assistant, RESIDENT, "/report")
    answer(assistant, RESIDENT, REPORT.until("village"))
    asked = []
    monkeypatch.setattr(assistant.kb, "ask", lambda text: asked.append(text))
    replies = say(assistant, RESIDENT, "什么" + "鑫" * 4000)
    assert asked == [] and "内容太长" in shown(replies)


def test_a_description_ending_in_a_question_is_kept_and_the_question_answered(assistant):
    say(assistant, RESIDENT, "/report")
    answer(assistant, RESIDENT, REPORT.until("description"))
    replies = say(assistant, RESIDENT, "家里困难，监测线是多少？")
    assert "9100元" in shown(replies) and "替别人家报的" in shown(replies)
    assert (
        draft_of(assistant, RESIDENT).state["answers"]["description"] == "家里困难，监测线是多少？"
    )


def cadre_midway_through_a_visit(kb, db, step: str) -> Assistant:
    """A registered cadre whose /visit has reached the question `step`."""
    assistant = Assistant(kb, db)
    StaffDirectory(db).add(CADRE, "cadre", [], added_by=None)
    say(assistant, CADRE, "/visit")
    answer(assistant, CADRE, VISIT.until(step))
    assert draft_of(assistant, CADRE).state["step"] == step
    return assistant


def test_next_household_does_not_throw_away_an_unfinished_visit(kb, db):
    assistant = cadre_midway_through_a_visit(kb, db, "annual_income")
    replies = tap(assistant, CADRE, "visit:next")
    assert "未完成" in shown(replies)
    assert draft_of(assistant, CADRE).state["answers"]["head_name"] == "李四"


def test_a_cadre_removed_from_staff_cannot_go_on_with_a_visit(kb, db):
    assistant = cadre_midway_through_a_visit(kb, db, "township")
    StaffDirectory(db).remove(CADRE)
    assert "只对登记的村干部" in shown(say(assistant, CADRE, "狸桥镇"))


def test_an_assigned_cadre_can_open_the_household_they_must_verify(kb, db, make_submission):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    StaffDirectory(db).add(CADRE, "cadre", [], added_by=ADMIN)
    reference = make_submission(submitted_by=RESIDENT)
    assert "没有找到" in shown(say(assistant, CADRE, f"/view {reference}"))
    say(assistant, ADMIN, f"/assign {reference} {CADRE}")
    assert "红星村" in shown(say(assistant, CADRE, f"/view {reference}"))
    assert reference in shown(say(assistant, CADRE, "/pending"))


def test_unanswered_questions_hide_long_numbers_and_belong_to_the_asker(assistant):
    say(
        assistant,
        RESIDENT,
        "我叫张三，身份证342501198001011234，电话13812345678，村里路灯坏了找谁修",
    )
    ((stored, _),) = UnansweredLog(assistant.db).most_frequent()
    assert "342501198001011234" not in stored and "13812345678" not in stored
    assert "村里路灯坏了找谁修" in shown(say(assistant, RESIDENT, "/mydata"))
    say(assistant, RESIDENT, "/delete")
    tap(assistant, RESIDENT, "del:yes")
    assert UnansweredLog(assistant.db).count() == 0


def test_starting_a_dialog_twice_replaces_the_draft_without_error(assistant):
    assistant.drafts.replace(RESIDENT, "aaaa1111", "report", {"x": 1})
    assistant.drafts.replace(RESIDENT, "bbbb2222", "report", {"x": 2})
    assert draft_of(assistant, RESIDENT).draft_id == "bbbb2222"


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


# (what an admin sends, what they are told): never a crash, always what to do instead
ODD_COMMANDS = [
    ("/staff add ² admin", "用法：\n/staff list"),
    ("/staff add 99999999999999999999999 cadre", "用法：\n/staff list"),
    ("/assign FP000001 ²", "用法：/assign 编号 干部用户ID"),
    ("/export " + "某" * 61, "这个乡镇（街道），请使用全称"),
    ("/export 2024-09-30 2024-09-01", "起始日期晚于结束日期"),
    ("/export 2024-01-01 2024-02-01 2024-03-01", "用法：/export [乡镇] [起始日期] [结束日期]"),
]
# (a button an admin's client sends, what they are told)
ODD_BUTTONS = [
    ("pg:²", "这个按钮已失效"),
    ("pg:99999999999999999999999", "这个按钮已失效"),
    ("st:²:1", "没有找到这条记录"),
    ("st:99999999999999999999:1", "没有找到这条记录"),
]


def test_admins_get_a_clear_reply_for_odd_ids_and_pages(kb, db):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    for text, expected in ODD_COMMANDS:
        replies = say(assistant, ADMIN, text)
        assert expected in shown(replies), text
        assert "出了点问题" not in shown(replies)
    for data, expected in ODD_BUTTONS:
        replies = tap(assistant, ADMIN, data)
        assert expected in shown(replies), data
    assert StaffDirectory(db).members() == [], "nobody was added"
