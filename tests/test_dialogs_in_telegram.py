"""Residents and cadres fill in the dialogs over Telegram (offline, through process_update):
what they see, what gets stored, and that restarts, second instances and double taps are safe."""

from __future__ import annotations

from assistant.service import Assistant
from storage.repository import StaffDirectory
from tests.chat import TelegramUser, draft_of, telegram_for
from tests.dialog_script import REPORT, REPORT_ANSWERS, VISIT

RESIDENT = 6001
NEIGHBOUR = 6002
CADRE = 6100


def twin_of(assistant: Assistant) -> Assistant:
    """The core of another bot process on the same database (and, for the test, the same
    knowledge base)."""
    return Assistant(
        assistant.kb, assistant.db, assistant.engine.catalog, assistant.access.admin_ids
    )


async def test_a_resident_reports_hardship_step_by_step_and_gets_a_reference(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    first = await resident.say("/report")
    assert "开始之前" in first.text and "/delete" in first.text
    assert first.keyboard() == ["同意", "不同意"]
    summary = await resident.answer(REPORT)
    assert "请核对" in summary.text and "张三" in summary.text
    done = await resident.tap("✅ 确认提交")
    (stored,) = assistant.submissions.of_user(RESIDENT)
    assert stored.reference.startswith("FP")
    assert stored.reference in done.text and "/status" in done.text and "核实" in done.text
    assert "优先核实" not in done.text, "residents never see the triage"

    assert stored.answers == REPORT_ANSWERS
    assert (stored.township, stored.village, stored.phone) == ("水阳镇", "红星村", "13812345678")
    assert stored.per_capita_income == 8000
    assert stored.priority == "优先核实"
    assert any("低于 2024 年监测范围 9100 元" in r for r in stored.priority_reasons)
    assert assistant.drafts.load(RESIDENT) is None

    status = await resident.say("/status")
    assert stored.reference in status.text and "待核实" in status.text


async def test_choices_come_as_a_reply_keyboard_and_causes_as_toggles_edited_in_place(telegram):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    township = await resident.say("同意")
    assert "水阳镇" in township.keyboard() and "其他" in township.keyboard()
    await resident.answer(REPORT.between("township", "causes"))
    tick = await resident.tap("因病")
    assert tick.method("editMessageText") and not tick.method("sendMessage")
    assert "✅ 因病" in [label for label, _ in tick.buttons()]


async def test_the_phone_can_be_shared_with_one_tap(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    asked = await resident.answer(REPORT.until("phone"))
    markup = asked.messages[-1]["reply_markup"]
    assert markup["keyboard"][0][0]["request_contact"] is True
    shared = await telegram.share_contact(RESIDENT, "+8613912345678")
    assert "方便接电话" in shared.text
    draft = assistant.drafts.load(RESIDENT)
    assert draft.state["answers"]["phone"] == "13912345678"


async def test_someone_elses_contact_is_not_taken_as_the_residents_phone(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT.until("phone"))
    for shared in (
        await telegram.share_contact(RESIDENT, "+8613912345678", owner=999),
        await telegram.share_contact(RESIDENT, "+8613912345678", card=True),  # phone book
    ):
        assert "这是别人的联系人名片" in shared.text and "号码位数不够" not in shared.text
        assert "联系电话" in shared.text or "电话" in shared.texts[-1]  # the step, asked again
    assert "phone" not in draft_of(assistant, RESIDENT).state["answers"]


async def test_tapping_submit_twice_makes_one_submission(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT)
    await resident.tap("✅ 确认提交")
    again = await resident.tap("✅ 确认提交")
    (stored,) = assistant.submissions.of_user(RESIDENT)
    assert "已经提交过了" in again.text and stored.reference in again.text


async def test_the_same_update_delivered_twice_is_applied_once(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT.until("household_size"))
    first = await telegram.send(RESIDENT, "4", update_id=90001)
    second = await telegram.send(RESIDENT, "4", update_id=90001)
    assert "全家一共挣了多少钱" in first.text
    assert second.calls == []
    assert assistant.drafts.load(RESIDENT).state["history"].count("household_size") == 1


async def test_after_a_restart_start_offers_to_continue_at_the_same_step(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT.until("medical_expense"))

    async with telegram_for(twin_of(assistant)) as restarted:
        back = TelegramUser(restarted, RESIDENT)
        offer = await back.say("/start")
        assert "未完成的《困难申报》" in offer.text
        resumed = await back.tap("▶️ 继续填写")
        assert "看病吃药" in resumed.text
        rest = await back.answer(REPORT.from_step("medical_expense"))
        assert "请核对" in rest.text and "32,000" in rest.text


async def test_two_instances_alternating_updates_complete_one_dialog(telegram, assistant):
    async with telegram_for(twin_of(assistant)) as other:
        resident = TelegramUser([telegram, other], RESIDENT)
        await resident.say("/report")
        await resident.answer(REPORT)
        await resident.tap("✅ 确认提交")
    assert telegram.api.calls and other.api.calls, "both instances served the dialog"
    (stored,) = assistant.submissions.of_user(RESIDENT)
    assert stored.answers == REPORT_ANSWERS


async def test_a_button_cannot_be_used_on_another_users_draft(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT)
    submit = resident.button("✅ 确认提交")
    before = assistant.drafts.load(RESIDENT)
    forged = await telegram.tap(NEIGHBOUR, submit)
    assert "失效" in forged.text
    assert assistant.submissions.count() == 0
    assert assistant.drafts.load(RESIDENT) == before


async def test_cancel_asks_first_then_discards_the_draft(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT.until("annual_income"))
    asked = await resident.say("/cancel")
    assert "确定要取消" in asked.text
    done = await resident.tap("确认取消")
    assert "已删除" in done.text
    assert assistant.drafts.load(RESIDENT) is None


async def test_declining_consent_stores_nothing(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    seen = await resident.say("不同意")
    assert "没有保存" in seen.text
    assert assistant.drafts.load(RESIDENT) is None and assistant.submissions.count() == 0


async def test_the_deep_link_opens_the_self_report(telegram):
    seen = await telegram.send(RESIDENT, "/start report")
    assert "开始之前" in seen.text


async def test_help_and_status_mid_dialog_keep_the_draft(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT.until("annual_income"))
    help_ = await resident.say("/help")
    assert "正在填写《困难申报》" in help_.text and "全家一共挣了多少钱" in help_.text
    await resident.say("/status")
    assert assistant.drafts.load(RESIDENT).state["step"] == "annual_income"


async def test_visit_is_refused_to_residents(telegram, assistant):
    seen = await telegram.send(RESIDENT, "/visit")
    assert "只对登记的村干部和工作人员开放" in seen.text
    assert assistant.drafts.load(RESIDENT) is None


async def test_a_cadre_records_a_visit_then_starts_the_next_household_in_the_same_village(
    telegram, assistant, db
):
    StaffDirectory(db).add(CADRE, "cadre", ["狸桥镇"], added_by=None)
    cadre = TelegramUser(telegram, CADRE)
    await cadre.say("/visit")
    summary = await cadre.answer(VISIT)
    assert "回头看" in summary.text and "不稳定，有返贫风险" in summary.text
    done = await cadre.tap("✅ 确认提交")
    assert "走访记录已保存" in done.text
    (stored,) = assistant.submissions.of_user(CADRE)
    assert stored.dialog == "visit" and stored.contact_name == "李四"
    assert stored.priority == "优先核实"  # unsafe water
    assert "已标注风险消除但回头看不稳定" in stored.priority_reasons

    await cadre.tap("➕ 记录本村下一户")
    await cadre.say("同意")
    next_step = await cadre.say("王五")
    assert "几口人" in next_step.text, "township and village are carried over"
    assert assistant.drafts.load(CADRE).state["answers"]["village"] == "东风村"


async def test_a_forged_submit_button_does_not_reveal_another_residents_reference(
    telegram, assistant
):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT)
    submit_data = resident.button("✅ 确认提交")
    await resident.tap("✅ 确认提交")
    (stored,) = assistant.submissions.of_user(RESIDENT)
    forged = await telegram.tap(NEIGHBOUR, submit_data)
    assert stored.reference not in forged.text and "失效" in forged.text
