"""A way to a person, and messages a text bot cannot read, through Telegram (offline).

"转人工" (and 📞 联系咨询, and a question the bot cannot answer) offers 请村干部联系我: a short
call-back request — consent first, as in the report — that reaches the staff queue marked
回电请求. Voice messages, stickers, locations … get what the bot can do, with the menu, and
never move a dialog on. A photo sent at the report's 情况说明 is kept with the record for staff
by Telegram's file id (never downloaded), shown in /view, sent again on request, and deleted
with the record.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assistant.service import Assistant
from common.messages import Reply
from common.yamlfile import DataError
from dialogs.spec import load_catalog
from handlers.console import render
from review.access import Scope
from review.export import ExportFilter, export_submissions
from storage.attachments import Attachment
from storage.database import Database
from storage.repository import StaffDirectory, UnansweredLog
from tests.chat import TelegramUser, draft_of
from tests.dialog_script import REPORT
from tests.telegram_fake import TelegramHarness
from tests.yaml_edit import replace_in

RESIDENT = 6201
REVIEWER = 6301  # reviewer of 水阳镇
OTHER_REVIEWER = 6302  # reviewer of 狸桥镇
HANDOFF = "请村干部联系我"
CALLBACK = [
    "同意",
    "张大姐",
    "13812345678",
    ("cmd", "skip"),  # when to call: any time
    "水阳镇",
    "红星村",
    "想问问孩子上学的补助怎么申请",
]
BILL, HOUSE = "AgACAgUAAxkBAAIB-bill", "AgACAgUAAxkBAAIB-house"


def photos_stored(db: Database) -> list[str]:
    """The file ids of every photo kept, in the order they were sent."""
    with db.session() as session:
        return list(session.scalars(select(Attachment.file_id).order_by(Attachment.id)))


def menu_labels(seen) -> list[str]:
    return [label for label, _ in seen.buttons()]


@pytest.fixture
def reviewer(db: Database) -> int:
    StaffDirectory(db).add(REVIEWER, "reviewer", ["水阳镇"], added_by=None)
    return REVIEWER


# --- a way to a person --------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["转人工", "有人吗", "我要打电话"])
async def test_asking_for_a_person_offers_a_call_back_beside_the_phone(telegram, said):
    seen = await telegram.send(RESIDENT, said)
    assert "0563-2701280" in seen.text
    assert any(label.endswith(HANDOFF) for label in menu_labels(seen))


async def test_the_contact_button_and_a_question_the_bot_cannot_answer_offer_it_too(telegram):
    contact = await telegram.tap(RESIDENT, "menu:contact")
    assert "0563-2701280" in contact.text
    assert any(label.endswith(HANDOFF) for label in menu_labels(contact))
    unknown = await telegram.send(RESIDENT, "明天会下雨吗")
    assert "没有把握" in unknown.text
    assert any(label.endswith(HANDOFF) for label in menu_labels(unknown))


async def test_a_call_back_request_with_consent_reaches_the_queue_marked_as_one(
    telegram, assistant, reviewer
):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("转人工")
    consent = await resident.tap(HANDOFF)
    assert "打电话之前" in consent.text and "/delete" in consent.text
    assert consent.keyboard() == ["同意", "不同意"]
    summary = await resident.answer(CALLBACK)
    assert "请核对" in summary.text and "张大姐" in summary.text
    done = await resident.tap("✅ 确认提交")

    (request,) = assistant.submissions.of_user(RESIDENT)
    assert request.reference in done.text and "回电请求" in done.text
    assert "/status" in done.text and "重点关注" not in done.text, "residents never see triage"
    assert (request.dialog, request.contact_name, request.phone) == (
        "callback",
        "张大姐",
        "13812345678",
    )
    assert request.township == "水阳镇" and request.priority == "重点关注"
    assert request.answers["callback_reason"] == "想问问孩子上学的补助怎么申请"

    staff = TelegramUser(telegram, reviewer)
    pending = await staff.say("/pending")
    assert f"回电请求 · {request.reference} · 水阳镇红星村 · 重点关注" in pending.text
    assert "138****5678" in pending.text
    view = await staff.say(f"/view {request.reference}")
    assert f"{request.reference}</b> · 回电请求" in view.text
    assert "居民请求村干部回电" in view.text
    assert "事由：想问问孩子上学的补助怎么申请" in view.text
    assert "13812345678" in view.text

    status = await resident.say("/status")
    assert request.reference in status.text and "回电请求" in status.text


async def test_refusing_consent_to_a_call_back_stores_nothing(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("有人吗")
    await resident.tap(HANDOFF)
    seen = await resident.say("不同意")
    assert "没有保存" in seen.text
    assert assistant.drafts.load(RESIDENT) is None
    assert assistant.submissions.count() == 0


async def test_the_call_back_is_its_own_sheet_of_the_export(telegram, assistant, db, tmp_path):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("转人工")
    await resident.tap(HANDOFF)
    await resident.answer(CALLBACK)
    await resident.tap("✅ 确认提交")
    (request,) = assistant.submissions.of_user(RESIDENT)

    out = tmp_path / "export.xlsx"
    export_submissions(db, assistant.catalog, ExportFilter(Scope(everything=True)), out, "xlsx")
    book = load_workbook(out, read_only=True)
    try:
        assert book.sheetnames == ["困难申报", "入户走访记录", "回电请求", "状态记录"]
        header, *rows = book["回电请求"].iter_rows(values_only=True)
    finally:
        book.close()
    (row,) = [dict(zip(header, row, strict=True)) for row in rows]
    assert row["编号"] == request.reference and row["联系电话"] == "13812345678"
    assert row["优先级"] == "重点关注" and row["事由"] == "想问问孩子上学的补助怎么申请"


# --- messages a text bot cannot read --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("voice", "暂时听不了语音，请打字，或点下面的按钮"),
        ("audio", "暂时听不了音频"),
        ("video", "暂时看不了视频"),
        ("video_note", "暂时看不了视频消息"),
        ("sticker", "只看得懂文字"),
        ("document", "暂时打不开文件"),
        ("location", "用不上定位"),
        ("venue", "用不上定位"),
        ("animation", "这种消息我暂时看不懂"),
        ("dice", "这种消息我暂时看不懂"),
    ],
)
async def test_a_message_without_text_gets_what_the_bot_can_do_with_the_menu(
    telegram, db, kind, said
):
    seen = await telegram.send_media(RESIDENT, kind)
    assert said in seen.text
    assert "📝 申报困难" in menu_labels(seen) and "📞 联系咨询" in menu_labels(seen)
    assert UnansweredLog(db).most_frequent() == []


async def test_a_contact_card_outside_a_dialog_gets_the_menu(telegram):
    seen = await telegram.share_contact(RESIDENT, "+8613912345678")
    assert "收到了您的号码" in seen.text and "📝 申报困难" in menu_labels(seen)


def test_the_console_says_where_a_photo_sent_again_is_seen():
    text, _ = render([Reply("<b>FP000001</b> · 照片 1/1", photo_id=BILL)])
    assert "FP000001 · 照片 1/1" in text and "请在 Telegram 中查看" in text
    assert BILL not in text


async def test_a_photo_outside_a_report_is_not_kept_and_the_reply_says_where_photos_go(
    telegram, db
):
    seen = await telegram.send_photo(RESIDENT, BILL, caption="这个能报销吗")
    assert "暂时看不懂图片" in seen.text and "“情况说明”这一步" in seen.text
    assert "📝 申报困难" in menu_labels(seen)
    assert photos_stored(db) == []


async def test_a_sticker_or_a_voice_message_mid_dialog_shows_the_same_step_again(
    telegram, assistant
):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.say("同意")
    before = draft_of(assistant, RESIDENT)
    sticker = await telegram.send_sticker(RESIDENT)
    assert "只看得懂文字，请打字回答下面这一项" in sticker.text
    assert "您家在哪个乡镇" in sticker.texts[-1] and "水阳镇" in sticker.keyboard()
    voice = await telegram.send_voice(RESIDENT)
    assert "暂时听不了语音" in voice.text and "您家在哪个乡镇" in voice.texts[-1]
    assert draft_of(assistant, RESIDENT) == before, "the dialog neither broke nor moved on"
    village = await resident.say("水阳镇")
    assert "哪个村" in village.text


async def test_a_voice_message_at_the_summary_shows_the_summary_again(telegram, assistant):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT)
    seen = await telegram.send_voice(RESIDENT)
    assert "暂时听不了语音" in seen.text and "请核对" in seen.texts[-1]
    done = await resident.tap("✅ 确认提交")
    assert "已收到您的申报" in done.text


# --- photos with a report ---------------------------------------------------------------------


async def reach_the_description(telegram: TelegramHarness) -> TelegramUser:
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    asked = await resident.answer(REPORT.until("description"))
    assert "发照片" in asked.text
    return resident


async def test_photos_at_the_description_are_kept_with_the_report_shown_and_sent_to_staff(
    telegram, assistant, db, reviewer
):
    resident = await reach_the_description(telegram)
    first = await telegram.send_photo(RESIDENT, BILL, size=182_734)
    assert "收到第 1 张照片" in first.text and "/skip" in first.text
    second = await telegram.send_photo(RESIDENT, HOUSE)
    assert "收到第 2 张照片" in second.text
    assert draft_of(assistant, RESIDENT).state["step"] == "description"
    await resident.answer(REPORT.from_step("description"))
    done = await resident.tap("✅ 确认提交")
    (report,) = assistant.submissions.of_user(RESIDENT)
    assert report.reference in done.text and "2 张照片" in done.text
    assert photos_stored(db) == [BILL, HOUSE], "the largest size, by its file id"
    mydata = await resident.say("/mydata")
    assert "附照片：2 张" in mydata.text

    staff = TelegramUser(telegram, reviewer)
    view = await staff.say(f"/view {report.reference}")
    assert "附有照片 2 张" in view.text
    shown = await staff.tap("📷 查看照片（2 张）")
    sent = shown.method("sendPhoto")
    assert [p["photo"] for p in sent] == [BILL, HOUSE]
    assert [p["chat_id"] for p in sent] == [reviewer, reviewer]
    assert f"{report.reference}</b> · 照片 1/2" in sent[0]["caption"]
    StaffDirectory(db).add(OTHER_REVIEWER, "reviewer", ["狸桥镇"], added_by=None)
    forged = await telegram.tap(OTHER_REVIEWER, f"ph:{report.reference}")
    assert "没有找到这条记录" in forged.text and not forged.method("sendPhoto")

    await resident.say("/delete")
    deleted = await resident.tap("确认删除")
    assert report.reference in deleted.text
    assert assistant.submissions.count() == 0
    assert photos_stored(db) == [], "deleted with the record"


async def test_a_photo_with_a_caption_answers_the_description_too(telegram, assistant, db):
    await reach_the_description(telegram)
    seen = await telegram.send_photo(RESIDENT, BILL, caption="去年住院的发票")
    assert "收到第 1 张照片" in seen.text and "替别人家报的" in seen.texts[-1]
    assert draft_of(assistant, RESIDENT).state["answers"]["description"] == "去年住院的发票"
    assert photos_stored(db) == [BILL]


async def test_at_most_five_photos_and_the_same_photo_once(telegram, db):
    await reach_the_description(telegram)
    await telegram.send_photo(RESIDENT, BILL)
    again = await telegram.send_photo(RESIDENT, BILL)
    assert "已经收到过了" in again.text
    for number in range(2, 6):
        seen = await telegram.send_photo(RESIDENT, f"photo-{number}")
        assert f"收到第 {number} 张照片" in seen.text
    sixth = await telegram.send_photo(RESIDENT, "photo-6")
    assert "最多只能附 5 张照片，这张没有保存" in sixth.text
    assert len(photos_stored(db)) == 5


async def test_a_photo_at_another_step_is_not_kept_and_the_step_is_asked_again(
    telegram, assistant, db
):
    resident = TelegramUser(telegram, RESIDENT)
    await resident.say("/report")
    await resident.answer(REPORT.until("household_size"))
    seen = await telegram.send_photo(RESIDENT, BILL)
    assert "暂时看不懂图片" in seen.text and "“情况说明”这一步" in seen.text
    assert "几口人" in seen.texts[-1]
    assert draft_of(assistant, RESIDENT).state["step"] == "household_size"
    assert photos_stored(db) == []


async def test_a_cancelled_or_restarted_report_drops_its_photos(telegram, assistant, db):
    resident = await reach_the_description(telegram)
    await telegram.send_photo(RESIDENT, BILL)
    await resident.say("/cancel")
    await resident.tap("确认取消")
    assert assistant.drafts.load(RESIDENT) is None and photos_stored(db) == []

    resident = await reach_the_description(telegram)
    await telegram.send_photo(RESIDENT, HOUSE)
    await resident.say("/start")
    await resident.tap("🔄 重新开始")
    assert photos_stored(db) == []


async def test_a_kept_photo_shows_in_mydata_and_delete_drops_it_with_the_draft(telegram, db):
    resident = await reach_the_description(telegram)
    await telegram.send_photo(RESIDENT, BILL)
    mydata = await resident.say("/mydata")
    assert "未提交的草稿" in mydata.text and "附照片：1 张" in mydata.text
    await resident.say("/delete")
    await resident.tap("确认删除")
    assert photos_stored(db) == []


# --- declared in the YAML, checked by `bot.py check` ------------------------------------------


def test_a_triage_rule_naming_a_dialog_that_does_not_exist_is_named(dialog_data):
    replace_in(dialog_data / "triage.yaml", "dialog_in: [callback]", "dialog_in: [call_me]")
    with pytest.raises(DataError) as caught:
        load_catalog(dialog_data)
    assert "规则引用的对话 call_me 不存在" in str(caught.value)


def test_photos_on_a_step_that_is_not_free_text_are_named(dialog_data):
    replace_in(
        dialog_data / "report.yaml",
        "    label: 同意提供信息\n    kind: consent\n",
        "    label: 同意提供信息\n    kind: consent\n    photos: 3\n",
    )
    with pytest.raises(DataError) as caught:
        load_catalog(dialog_data)
    assert "步骤 consent 不是文字题，不能收照片（photos）" in str(caught.value)


def test_the_call_back_is_offered_not_listed_in_the_command_menu(assistant: Assistant):
    catalog = assistant.catalog
    assert catalog.resident_dialog().name == "report"
    handoff = catalog.handoff_dialog()
    assert handoff is not None and handoff.name == "callback"
    assert "callback" not in [name for name, _ in assistant.menu_commands()]
