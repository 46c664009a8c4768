"""Staff review: who sees what (an access matrix over every staff command), the queue, the
status workflow with its required note, history, audit and the resident's notification, and
residents' /mydata and /delete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.service import Assistant
from common.messages import Reply
from storage.models import AuditEntry, DeletionRequest, StatusChange
from storage.repository import StaffDirectory, SubmissionStore
from tests.chat import discard, say, shown, stored, tap

STRANGER, RESIDENT, CADRE, REVIEWER_A, REVIEWER_B, ADMIN = 1, 2, 3, 4, 5, 6
PERSONAS = {
    "stranger": STRANGER,
    "resident": RESIDENT,
    "cadre": CADRE,
    "reviewer of 水阳镇": REVIEWER_A,
    "reviewer of 狸桥镇": REVIEWER_B,
    "admin": ADMIN,
}


@pytest.fixture
def world(kb, db, make_submission):
    """A resident's report in 水阳镇, a cadre's visit in 狸桥镇, and the staff around them."""
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    staff = StaffDirectory(db)
    staff.add(CADRE, "cadre", [], added_by=ADMIN)
    staff.add(REVIEWER_A, "reviewer", ["水阳镇"], added_by=ADMIN)
    staff.add(REVIEWER_B, "reviewer", ["狸桥镇"], added_by=ADMIN)
    report = make_submission(submitted_by=RESIDENT, contact_name="<b>王小明</b>")
    visit = make_submission(
        dialog="visit",
        submitted_by=CADRE,
        phone="13900001111",
        priority="一般",
        priority_reasons=[],
    )
    return assistant, report, visit


def carries_data(replies: list[Reply], report: str, visit: str) -> bool:
    text = shown(replies)
    return (
        report in text
        or visit in text
        or "王小明" in text
        or "李四" in text
        or "5678" in text
        or any(r.document or r.photo for r in replies)
    )


# What someone is told when a command is not for them (never a word about the record itself).
NOT_STAFF = "只对登记的村干部和工作人员开放"
REVIEWERS_ONLY = "只有管理员和审核员可以这样操作"
ADMINS_ONLY = "仅限管理员使用"
NOT_FOUND = "没有找到这条记录，或您没有查看权限"  # also for a record outside one's scope

# persona → (sees the 水阳镇 report, sees the 狸桥镇 visit) in /pending, or the refusal
PENDING = {
    "stranger": NOT_STAFF,
    "resident": NOT_STAFF,
    "cadre": (False, True),
    "reviewer of 水阳镇": (True, False),
    "reviewer of 狸桥镇": (False, True),
    "admin": (True, True),
}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_pending_shows_each_persona_only_their_scope(world, persona):
    assistant, report, visit = world
    replies = say(assistant, PERSONAS[persona], "/pending")
    expected = PENDING[persona]
    if isinstance(expected, str):
        assert expected in shown(replies)
        assert not carries_data(replies, report, visit)
        return
    sees_report, sees_visit = expected
    assert "待处理申报" in shown(replies)
    assert (report in shown(replies)) is sees_report
    assert (visit in shown(replies)) is sees_visit


# persona → what /view of the 水阳镇 report shows them
VIEW = {
    "stranger": NOT_STAFF,
    "resident": NOT_STAFF,
    "cadre": NOT_FOUND,
    "reviewer of 水阳镇": None,  # the record
    "reviewer of 狸桥镇": NOT_FOUND,
    "admin": None,
}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_view_reveals_a_record_only_inside_the_scope(world, persona):
    assistant, report, visit = world
    replies = say(assistant, PERSONAS[persona], f"/view {report}")
    refusal = VIEW[persona]
    if refusal is None:
        assert report in shown(replies) and "困难申报" in shown(replies)
        assert "&lt;b&gt;王小明&lt;/b&gt;" in shown(replies), "user text is escaped"
        assert "<b>王小明</b>" not in shown(replies)
        assert "低于 2024 年监测范围" in shown(replies)
        text = shown(replies)
        # answers under the dialog's headings, in its order: where, who, income … contact
        assert text.index("【住址】") < text.index("【收入】") < text.index("【联系方式】")
        assert text.index("【收入】") < text.index("【支出】") < text.index("【情况说明】")
    else:
        assert refusal in shown(replies)
        assert not carries_data(replies, report, visit)


@pytest.mark.parametrize("persona", ["cadre", "reviewer of 狸桥镇"])
def test_staff_cannot_tell_an_out_of_scope_record_from_a_missing_one(world, persona):
    assistant, report, _ = world
    outside = shown(say(assistant, PERSONAS[persona], f"/view {report}"))
    missing = shown(say(assistant, PERSONAS[persona], "/view FP999999"))
    assert outside == missing


# command → persona → the refusal they get (personas not listed get data)
REFUSED = {
    "/export": {"stranger": NOT_STAFF, "resident": NOT_STAFF, "cadre": REVIEWERS_ONLY},
    "/stats": {"stranger": NOT_STAFF, "resident": NOT_STAFF},
    "/unanswered": {"stranger": NOT_STAFF, "resident": NOT_STAFF, "cadre": REVIEWERS_ONLY},
    "/audit": {
        "stranger": NOT_STAFF,
        "resident": NOT_STAFF,
        "cadre": ADMINS_ONLY,
        "reviewer of 水阳镇": ADMINS_ONLY,
        "reviewer of 狸桥镇": ADMINS_ONLY,
    },
    "/staff list": {
        "stranger": NOT_STAFF,
        "resident": NOT_STAFF,
        "cadre": ADMINS_ONLY,
        "reviewer of 水阳镇": ADMINS_ONLY,
        "reviewer of 狸桥镇": ADMINS_ONLY,
    },
}
# command → what someone allowed to use it is shown
GRANTED = {
    "/export": lambda replies: any(r.document for r in replies),
    "/stats": lambda replies: any(r.photo for r in replies),
    "/unanswered": lambda replies: "补贴什么时候发" in shown(replies),
    "/audit": lambda replies: f"{ADMIN} 查看 FP" in shown(replies),
    "/staff list": lambda replies: str(REVIEWER_A) in shown(replies),
}


@pytest.mark.parametrize("command", list(REFUSED))
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_staff_command_gives_data_only_to_the_roles_it_is_for(world, command, persona):
    assistant, report, visit = world
    for asker in (RESIDENT, CADRE):  # something for /unanswered: residents of both townships
        say(assistant, asker, "补贴什么时候发")
    say(assistant, ADMIN, f"/view {report}")  # something for /audit
    replies = discard(say(assistant, PERSONAS[persona], command))
    text = shown(replies)
    refusal = REFUSED[command].get(persona)
    if refusal is None:
        assert "抱歉" not in text and GRANTED[command](replies), text
    else:
        assert refusal in text
        assert not carries_data(replies, report, visit)
        assert "补贴什么时候发" not in text and str(REVIEWER_A) not in text


# persona → the refusal they get for /assign on the 水阳镇 report (None: they may assign)
ASSIGN = {
    "stranger": NOT_STAFF,
    "resident": NOT_STAFF,
    "cadre": REVIEWERS_ONLY,
    "reviewer of 水阳镇": None,
    "reviewer of 狸桥镇": NOT_FOUND,
    "admin": None,
}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_only_reviewers_in_scope_and_admins_can_assign_a_cadre(world, persona):
    assistant, report, visit = world
    replies = say(assistant, PERSONAS[persona], f"/assign {report} {CADRE} 请入户")
    refusal = ASSIGN[persona]
    assigned_to = stored(assistant, report).assigned_to
    if refusal is None:
        assert f"已将 <b>{report}</b> 指派给 {CADRE}" in shown(replies)
        (notice,) = [r for r in replies if r.to_chat == CADRE]
        assert report in notice.text and "请入户" in notice.text
        assert assigned_to == CADRE
    else:
        assert refusal in shown(replies)
        assert not carries_data(replies, report, visit)
        assert not any(r.to_chat for r in replies), "nobody else is told anything"
        assert assigned_to is None


# persona → the refusal they get when tapping → 核实中 on the 水阳镇 report (None: asked a note)
STATUS_BUTTON = ASSIGN


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_status_buttons_work_only_for_reviewers_in_scope_and_admins(world, persona):
    assistant, report, visit = world
    submission = stored(assistant, report)
    replies = tap(assistant, PERSONAS[persona], f"st:{submission.id}:1")
    refusal = STATUS_BUTTON[persona]
    if refusal is None:
        assert "改为「核实中」的备注" in shown(replies)
    else:
        assert refusal in shown(replies) and "备注" not in shown(replies)
        assert not carries_data(replies, report, visit)
        # What they type next is not taken as a note.
        say(assistant, PERSONAS[persona], "改成核实中")
        assert stored(assistant, report).status == "待核实"


def test_a_status_change_needs_a_note_and_leaves_history_audit_and_a_notification(world):
    assistant, report, _ = world
    record = say(assistant, REVIEWER_A, f"/view {report}")
    labels = [b.label for row in record[0].buttons for b in row]
    assert labels == ["→ 核实中"]
    asked = tap(assistant, REVIEWER_A, record[0].buttons[0][0].data)
    assert "备注" in shown(asked)
    empty = say(assistant, REVIEWER_A, "   ")
    assert "不能为空" in shown(empty)

    done = say(assistant, REVIEWER_A, "已安排村干部周三入户")
    assert "待核实 → 核实中" in shown(done)
    (notice,) = [r for r in done if r.to_chat == RESIDENT]
    assert report in notice.text and "核实中" in notice.text
    assert "周三" not in notice.text, "staff notes stay internal"

    with assistant.db.session() as session:
        (change,) = session.scalars(select(StatusChange)).all()
        assert (change.from_status, change.to_status, change.changed_by, change.note) == (
            "待核实",
            "核实中",
            REVIEWER_A,
            "已安排村干部周三入户",
        )
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["view", "status"]

    status = say(assistant, RESIDENT, "/status")
    assert "核实中" in shown(status)

    again = say(assistant, REVIEWER_A, f"/view {report}")
    assert "已安排村干部周三入户" in shown(again)
    assert [b.label for row in again[0].buttons for b in row] == [
        "→ 已纳入监测",
        "→ 不符合条件",
        "→ 已转办",
    ]


def test_an_unknown_jump_in_the_workflow_is_refused(world):
    assistant, report, _ = world
    submission = stored(assistant, report)
    replies = tap(assistant, ADMIN, f"st:{submission.id}:2")  # 待核实 → 已纳入监测 skips 核实中
    assert "不能改为" in shown(replies)


def test_cancel_drops_a_pending_status_change(world):
    assistant, report, _ = world
    submission = stored(assistant, report)
    tap(assistant, ADMIN, f"st:{submission.id}:1")
    assert "已放弃" in shown(say(assistant, ADMIN, "/cancel"))
    assert stored(assistant, report).status == "待核实"


def test_the_queue_is_paged_highest_priority_first(kb, db, make_submission):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    for i in range(12):
        make_submission(submitted_by=100 + i, priority="一般")
    urgent = make_submission(submitted_by=200, priority="优先核实")
    first = say(assistant, ADMIN, "/pending")
    lines = first[0].text.splitlines()
    assert "共 13 份" in lines[0] and urgent in lines[1]
    assert "138****5678" in lines[1]
    nav = [b for row in first[0].buttons for b in row if b.data.startswith("pg:")]
    assert [b.data for b in nav] == ["pg:1"]
    second = tap(assistant, ADMIN, "pg:1")
    assert second[0].edit and "第 2/2 页" in second[0].text


def test_admins_add_and_remove_staff_and_reviewers_need_townships(world):
    assistant, _, _ = world
    assert "需要指定" in shown(say(assistant, ADMIN, "/staff add 77 reviewer"))
    assert "没有这些乡镇" in shown(say(assistant, ADMIN, "/staff add 77 reviewer 火星镇"))
    assert "审核员" in shown(say(assistant, ADMIN, "/staff add 77 reviewer 水阳镇"))
    assert "77" in shown(say(assistant, ADMIN, "/staff list"))
    assert "已移除" in shown(say(assistant, ADMIN, "/staff remove 77"))


def test_assigning_a_cadre_is_recorded_and_the_cadre_is_told(world):
    assistant, report, _ = world
    replies = say(assistant, REVIEWER_A, f"/assign {report} {CADRE} 请本周入户")
    assert any(r.to_chat == CADRE for r in replies)
    assert "指派干部：3" in shown(say(assistant, ADMIN, f"/view {report}"))


def test_a_resident_sees_what_is_stored_about_them(world):
    assistant, report, _ = world
    text = shown(say(assistant, RESIDENT, "/mydata"))
    assert report in text and "13812345678" in text and "&lt;b&gt;王小明" in text


def test_delete_removes_reports_not_yet_under_review_and_requests_the_rest(world, make_submission):
    assistant, report, _ = world
    second = make_submission(submitted_by=RESIDENT)
    sub = stored(assistant, second)
    tap(assistant, ADMIN, f"st:{sub.id}:1")
    say(assistant, ADMIN, "开始核实")
    explained = say(assistant, RESIDENT, "/delete")
    assert "删除规则" in shown(explained) and "待核实" in shown(explained)
    result = shown(tap(assistant, RESIDENT, "del:yes"))
    assert report in result and "已删除" in result
    assert second in result and "删除申请" in result
    assert SubmissionStore(assistant.db).by_reference(report) is None
    assert SubmissionStore(assistant.db).by_reference(second) is not None
    with assistant.db.session() as session:
        assert session.scalar(select(DeletionRequest.submission_id)) == sub.id
    assert "申请删除" in shown(say(assistant, ADMIN, f"/view {second}"))


def test_masked_phones_keep_only_the_last_four_digits():
    from review.workflow import mask_phone

    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0563-1234567") == "0563-***4567"
    assert mask_phone(None) == "无电话"


def test_a_forged_page_past_the_last_shows_the_last_page(kb, db, make_submission):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    for i in range(12):
        make_submission(submitted_by=100 + i)
    replies = tap(assistant, ADMIN, "pg:7")
    assert "第 2/2 页" in shown(replies) and "第 8/2 页" not in shown(replies)
    assert [b.data for row in replies[0].buttons for b in row if b.data.startswith("pg:")] == [
        "pg:0"
    ]
