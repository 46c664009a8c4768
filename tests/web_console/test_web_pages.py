"""The web console's pages as staff use them: the queue with its filters, a record with its
status change and assignment (and the notifications they leave in the outbox), the export,
the statistics, the unanswered questions, the staff list and the audit log."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import openpyxl

from storage.inbox import Outbox
from storage.models import STATUS_CHECKING, STATUS_INCLUDED, STATUS_NEW
from storage.repository import AuditLog, ResidentData, UnansweredLog
from tests.web_console.support import (
    ADMIN,
    CADRE,
    CONTACT_PHONE,
    RESIDENT,
    REVIEWER_A,
    TOWNSHIP_A,
    TOWNSHIP_B,
    sign_in,
)


def references(html: str) -> list[str]:
    """The references listed in a queue page, in order."""
    return re.findall(r'<a href="/records/(FP\d+)">', html)


# --- the queue --------------------------------------------------------------------------------


def test_a_reviewer_sees_the_open_submissions_of_their_township_with_masked_phones(
    console, make_submission
):
    mine = make_submission(phone="13812345678")
    make_submission(township=TOWNSHIP_B, village="东风村", submitted_by=101)
    done = make_submission(status=STATUS_INCLUDED)
    page = sign_in(console, REVIEWER_A).client.get("/queue")
    assert page.status_code == 200
    assert references(page.text) == [mine]
    assert done not in page.text
    assert "138****5678" in page.text and "13812345678" not in page.text
    assert "共 1 条" in page.text


def test_the_queue_filters_live_in_the_url(console, make_submission):
    old = datetime(2024, 9, 2, 3, tzinfo=UTC)
    urgent = make_submission(village="红星村", created_at=old)
    calm = make_submission(village="永丰村", priority="一般", contact_name="王五")
    checking = make_submission(status=STATUS_CHECKING, phone="13900001111")
    visit = make_submission(dialog="visit", township=TOWNSHIP_A, submitted_by=CADRE)
    closed = make_submission(status=STATUS_INCLUDED)
    client = sign_in(console, ADMIN).client

    def listed(query: str) -> list[str]:
        response = client.get(f"/queue?{query}")
        assert response.status_code == 200, response.text
        return references(response.text)

    assert set(listed("")) == {urgent, calm, checking, visit}
    assert listed("village=永丰村") == [calm]
    assert listed("priority=一般") == [calm]
    assert listed(f"status={STATUS_CHECKING}") == [checking]
    assert set(listed("status=all")) == {urgent, calm, checking, visit, closed}
    assert listed("dialog=visit") == [visit]
    assert listed("since=2024-09-01&until=2024-09-03") == [urgent]
    assert listed("q=王五") == [calm]
    assert listed("q=0000111") == [checking]
    assert listed(f"q={calm.lower()}") == [calm]
    assert listed("sort=age")[0] == urgent
    assert set(listed(f"township={TOWNSHIP_B}")) == set()


def test_bad_filters_are_named_in_chinese_and_dropped(console, make_submission):
    make_submission()
    page = sign_in(console, REVIEWER_A).client.get(
        f"/queue?since=2024-13-01&priority=紧急&township={TOWNSHIP_B}"
    )
    assert page.status_code == 200
    assert "日期「2024-13-01」无效" in page.text
    assert "「紧急」不是可选的优先级" in page.text
    assert f"{TOWNSHIP_B}不在您的负责范围内" in page.text


def test_fifty_a_page_with_the_total_and_links_that_keep_the_filters(console, make_submission):
    made = [make_submission(priority="一般") for _ in range(53)]
    client = sign_in(console, ADMIN).client
    first = client.get("/queue?priority=一般")
    assert len(references(first.text)) == 50 and "共 53 条，第 1/2 页" in first.text
    next_link = re.search(r'href="(/queue\?[^"]+)">下一页', first.text)
    assert next_link
    second = client.get(next_link.group(1).replace("&amp;", "&"))
    assert "priority=" in next_link.group(1)
    assert len(references(second.text)) == 3
    assert set(references(first.text) + references(second.text)) == set(made)


def test_the_queue_sorts_by_priority_then_age_and_by_township(console, make_submission):
    now = datetime.now(UTC)
    late_urgent = make_submission(created_at=now - timedelta(days=1))
    early_calm = make_submission(priority="一般", created_at=now - timedelta(days=5))
    other_town = make_submission(
        township="孙埠镇", village="新村", created_at=now - timedelta(days=3)
    )
    client = sign_in(console, ADMIN).client
    by_priority = references(client.get("/queue").text)
    assert by_priority.index(late_urgent) < by_priority.index(early_calm)
    assert references(client.get("/queue?sort=age").text)[0] == early_calm
    assert references(client.get("/queue?sort=township").text)[0] == other_town
    assert references(client.get("/queue?status=all&sort=priority").text)[-1] == early_calm


# --- a record ---------------------------------------------------------------------------------


def test_a_record_shows_answers_reasons_history_and_a_deletion_request(console, make_submission):
    reference = make_submission(status=STATUS_CHECKING)
    ResidentData(console.db, ["report"]).delete(RESIDENT)
    page = sign_in(console, REVIEWER_A).client.get(f"/records/{reference}")
    assert page.status_code == 200
    text = page.text
    for seen in ("张三", "13812345678", "红星村", "因病、缺劳动力", "住房安全", "申请删除"):
        assert seen in text, seen
    assert "人均纯收入约 8000 元" in text
    headings = re.findall(r'<h3 class="answer-group">([^<]+)</h3>', text)
    assert headings[:3] == ["住址", "家庭人口", "收入"]
    assert headings[-1] == "联系方式" and "情况说明" in headings
    [entry] = [e for e in AuditLog(console.db).latest(5) if e.action == "view"]
    assert (entry.actor_id, entry.target) == (REVIEWER_A, reference)


def test_a_status_change_needs_a_note_and_notifies_the_resident_through_the_outbox(
    console, make_submission
):
    reference = make_submission()
    browser = sign_in(console, REVIEWER_A)
    url = f"/records/{reference}/status"
    empty = browser.client.post(url, data={"csrf_token": browser.csrf, "status": STATUS_CHECKING})
    assert empty.status_code == 400 and "请填写备注" in empty.text
    skipped = browser.client.post(
        url, data={"csrf_token": browser.csrf, "status": STATUS_INCLUDED, "note": "直接纳入"}
    )
    assert skipped.status_code == 400 and "不能改为「已纳入监测」" in skipped.text
    assert Outbox(console.db).pending() == []

    done = browser.client.post(
        url, data={"csrf_token": browser.csrf, "status": STATUS_CHECKING, "note": "已电话联系"}
    )
    assert done.status_code == 303
    page = browser.client.get(done.headers["location"])
    assert (
        "状态已更新" in page.text and "待核实 → 核实中" in page.text and "已电话联系" in page.text
    )
    [notice] = Outbox(console.db).pending()
    assert notice.target == RESIDENT and notice.chat_id == REVIEWER_A
    assert reference in notice.reply.text and "「核实中」" in notice.reply.text
    assert CONTACT_PHONE in notice.reply.text
    assert notice.reply.undelivered and "未能通知申报人" in notice.reply.undelivered
    [entry] = [e for e in AuditLog(console.db).latest(10) if e.action == "status"]
    assert entry.detail == f"{STATUS_NEW} → {STATUS_CHECKING}：已电话联系"


def test_a_visit_record_changes_status_without_telling_the_cadre_who_recorded_it(
    console, make_submission
):
    reference = make_submission(dialog="visit", township=TOWNSHIP_A, submitted_by=CADRE)
    browser = sign_in(console, ADMIN)
    response = browser.client.post(
        f"/records/{reference}/status",
        data={"csrf_token": browser.csrf, "status": STATUS_CHECKING, "note": "复核"},
    )
    assert response.status_code == 303
    assert Outbox(console.db).pending() == []


def test_assigning_a_cadre_by_name_tells_the_cadre_through_the_outbox(console, make_submission):
    reference = make_submission()
    browser = sign_in(console, REVIEWER_A)
    page = browser.client.get(f"/records/{reference}")
    assert f'<option value="{CADRE}"' in page.text and "村干部陈明" in page.text
    done = browser.client.post(
        f"/records/{reference}/assign",
        data={"csrf_token": browser.csrf, "cadre": str(CADRE), "note": "请周三前入户"},
    )
    assert done.status_code == 303
    page = browser.client.get(done.headers["location"])
    assert "指派干部" in page.text and "村干部陈明" in page.text
    [notice] = Outbox(console.db).pending()
    assert notice.target == CADRE and reference in notice.reply.text
    assert "请周三前入户" in notice.reply.text
    [entry] = [e for e in AuditLog(console.db).latest(10) if e.action == "assign"]
    assert entry.actor_id == REVIEWER_A and "村干部陈明" in (entry.detail or "")


def test_only_a_cadre_can_be_assigned(console, make_submission):
    reference = make_submission()
    browser = sign_in(console, ADMIN)
    response = browser.client.post(
        f"/records/{reference}/assign", data={"csrf_token": browser.csrf, "cadre": str(RESIDENT)}
    )
    assert response.status_code == 400 and "请从列表中选择一位村干部" in response.text
    assert Outbox(console.db).pending() == []


# --- user text is text ------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_user_text_is_escaped_in_every_field_of_every_page(console, make_submission, db):
    reference = make_submission(
        village=SCRIPT,
        contact_name=SCRIPT,
        phone=SCRIPT,
        answers={"description": SCRIPT, "causes": [SCRIPT]},
        priority_reasons=[SCRIPT],
    )
    from storage.repository import People

    People(db).remember(CADRE, SCRIPT, SCRIPT)
    UnansweredLog(db).record(SCRIPT, 0.1, SCRIPT, None)
    browser = sign_in(console, ADMIN)
    browser.client.post(
        f"/records/{reference}/status",
        data={"csrf_token": browser.csrf, "status": STATUS_CHECKING, "note": SCRIPT},
    )
    browser.client.post(
        f"/records/{reference}/assign",
        data={"csrf_token": browser.csrf, "cadre": str(CADRE), "note": SCRIPT},
    )
    AuditLog(db).record(ADMIN, SCRIPT, SCRIPT, SCRIPT)
    for path in (
        f"/queue?status=all&q={SCRIPT}",
        "/queue?status=all",
        f"/records/{reference}",
        "/stats",
        "/unanswered",
        "/staff",
        "/audit",
    ):
        page = browser.client.get(path)
        assert page.status_code == 200, path
        assert "<script>" not in page.text, path
    assert "&lt;script&gt;" in browser.client.get(f"/records/{reference}").text


# --- export, statistics -----------------------------------------------------------------------


def test_the_export_holds_the_filtered_scope_and_says_so_in_its_name(console, make_submission):
    mine = make_submission(priority="一般", contact_name="王五")
    make_submission()  # 优先核实: filtered out
    make_submission(township=TOWNSHIP_B, village="东风村", priority="一般")  # out of scope
    response = sign_in(console, REVIEWER_A).client.get("/export?priority=一般")
    assert response.status_code == 200
    name = unquote(response.headers["content-disposition"].split("''")[-1])
    assert name.startswith(
        f"防返贫申报_{TOWNSHIP_A}_全部时间_待处理-一般_导出于"
    ) and name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook["困难申报"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [mine]
    [entry] = [e for e in AuditLog(console.db).latest(5) if e.action == "export"]
    assert entry.actor_id == REVIEWER_A and entry.target == TOWNSHIP_A
    assert entry.detail and entry.detail.startswith("1 条")


def test_statistics_show_the_chart_and_the_counts_of_the_scope(console, make_submission):
    make_submission()
    make_submission(status=STATUS_CHECKING)
    make_submission(township=TOWNSHIP_B, village="东风村")
    client = sign_in(console, REVIEWER_A).client
    page = client.get("/stats")
    assert page.status_code == 200
    assert "共 2 份申报" in page.text and TOWNSHIP_B not in page.text.split("统计图")[-1]
    chart = client.get("/stats/chart.png")
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")


# --- unanswered, staff, audit -----------------------------------------------------------------


def test_unanswered_questions_most_frequent_first_without_who_asked(console, db, make_submission):
    make_submission(submitted_by=RESIDENT)  # a resident of 乡镇 A
    log = UnansweredLog(db)
    for _ in range(3):
        log.record("大病救助怎么报销？电话13812345678", 0.2, "apply-monitoring", RESIDENT)
    log.record("低保多少钱", 0.1, None, RESIDENT, ["monitoring-line"])
    page = sign_in(console, REVIEWER_A).client.get("/unanswered")
    assert page.status_code == 200
    assert page.text.index("大病救助") < page.text.index("低保多少钱")
    assert "13812345678" not in page.text and "居民张三" not in page.text
    assert "2024年防止返贫监测范围（收入标准）是多少？" in page.text, "the nearest entry's title"
    assert 'value="monitoring-line"' in page.text and ">monitoring-line<" not in page.text


def test_admins_add_and_remove_staff_and_read_the_audit_log_by_name(console):
    browser = sign_in(console, ADMIN)
    added = browser.client.post(
        "/staff/add",
        data={
            "csrf_token": browser.csrf,
            "user_id": "41",
            "role": "reviewer",
            "townships": [TOWNSHIP_B],
        },
    )
    assert added.status_code == 200 and "已添加 41（审核员）" in added.text
    member = console.directory.get(41)
    assert member is not None and member.townships == [TOWNSHIP_B]
    refused = browser.client.post(
        "/staff/add", data={"csrf_token": browser.csrf, "user_id": "42", "role": "reviewer"}
    )
    assert refused.status_code == 400 and "至少要负责一个乡镇" in refused.text
    removed = browser.client.post(
        "/staff/remove", data={"csrf_token": browser.csrf, "user_id": str(CADRE)}
    )
    assert "已移除 村干部陈明（21）" in removed.text
    assert console.directory.get(CADRE) is None
    audit = browser.client.get("/audit")
    assert "管理员老周" in audit.text and "添加工作人员" in audit.text
    assert "移除工作人员" in audit.text and "村干部陈明（21）" in audit.text


def test_a_page_past_the_end_shows_the_last_page(console, make_submission):
    made = make_submission()
    page = sign_in(console, ADMIN).client.get("/queue?page=40")
    assert references(page.text) == [made] and "第 1/1 页" in page.text


def test_pages_with_personal_data_are_never_cached(console, make_submission):
    reference = make_submission()
    client = sign_in(console, REVIEWER_A).client
    for path in ("/queue", f"/records/{reference}", "/export", "/stats/chart.png"):
        response = client.get(path)
        assert response.headers["cache-control"] == "private, no-store", path
        assert response.headers["x-content-type-options"] == "nosniff", path
