"""A cadre or resident asks policy questions in Telegram: driven offline through
`Application.process_update`, asserting what the user sees."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.telegram_app import register_commands
from storage.repository import UnansweredLog

RESIDENT = 5001


async def test_start_introduces_the_bot_and_offers_a_menu(telegram):
    seen = await telegram.send(RESIDENT, "/start")
    assert "防返贫监测帮扶助手" in seen.text
    assert "0563-2701280" in seen.text
    labels = [label for label, _ in seen.buttons()]
    assert "❓ 政策问答" in labels


async def test_the_command_menu_is_registered_at_start_up(telegram):
    await register_commands(telegram.app)
    (call,) = telegram.api.calls[-1:]
    assert call[0] == "setMyCommands"
    commands = {c["command"] for c in call[1]["commands"]}
    assert {"start", "help"} <= commands


async def test_asking_the_monitoring_line_gets_9100_with_its_source_and_follow_ups(telegram):
    seen = await telegram.send(RESIDENT, "监测收入标准是多少？")
    (message,) = seen.messages
    assert "9100元" in message["text"]
    assert "来源" in message["text"] and "宣州区农业农村局" in message["text"]
    assert message["parse_mode"] == "HTML"
    *follow_ups, (_, up), (_, down) = seen.buttons()
    assert follow_ups and all(data.startswith("kb:") for _, data in follow_ups)
    assert up.startswith("fb:") and down.startswith("fb:"), "then 👍 / 👎"


async def test_tapping_a_follow_up_button_answers_that_question(telegram, kb):
    first = await telegram.send(RESIDENT, "监测收入标准是多少？")
    _label, data = first.buttons()[0]
    seen = await telegram.tap(RESIDENT, data)
    entry = kb.get(data.removeprefix("kb:"))
    assert entry.answer.splitlines()[0][:20] in seen.text
    assert seen.method("answerCallbackQuery"), "the button's spinner is stopped"


async def test_an_unanswerable_question_gets_suggestions_and_the_phone_and_is_logged(telegram, db):
    seen = await telegram.send(RESIDENT, "排查结束以后监测对象什么时候能拿到补贴")
    # a date the nearest entries do not tell: said so
    assert "您问的是具体日期，本助手收录的政策文件里没有写明" in seen.text
    assert "0563-2701280" in seen.text
    suggestions = [data for _, data in seen.buttons() if data.startswith("kb:")]
    assert 1 <= len(suggestions) <= 3
    assert seen.buttons()[-1] == ("📞 请村干部联系我", "menu:open:callback")
    assert UnansweredLog(db).most_frequent() == [("排查结束以后监测对象什么时候能拿到补贴", 1)]


async def test_an_out_of_scope_question_is_not_answered(telegram):
    seen = await telegram.send(RESIDENT, "明天会下雨吗")
    assert "没有把握" in seen.text
    assert "9100" not in seen.text


async def test_greeting_and_help_introduce_what_the_bot_can_do(telegram):
    hello = await telegram.send(RESIDENT, "你好")
    assert "政策问答" in hello.text and "申报困难" in hello.text
    help_ = await telegram.send(RESIDENT, "/help")
    assert "/start" in help_.text


async def test_an_unknown_command_is_named_in_the_reply(telegram):
    seen = await telegram.send(RESIDENT, "/fly")
    assert "/fly" in seen.text and "/help" in seen.text


async def test_a_sticker_gets_a_request_for_text(telegram):
    seen = await telegram.send_sticker(RESIDENT)
    assert "文字" in seen.text


async def test_a_stale_button_gets_a_clear_reply(telegram):
    seen = await telegram.tap(RESIDENT, "kb:no-such-entry")
    assert "失效" in seen.text


@pytest.mark.parametrize(
    ("text", "expected", "logged"),
    [
        ("", "没有收到文字", False),
        ("     ", "没有收到文字", False),
        ("😀😀😀", "只有符号或表情", False),
        ("问" * 10_000, "太长", False),
        ("\x00\x07监测线\x1b多少", "9100", False),
        ("<b>监测线</b>多少", "9100", False),
        ("'; DROP TABLE unanswered_questions; --", "没有把握", True),
    ],
)
async def test_bad_input_gets_a_clear_reply_and_nothing_breaks(
    telegram, db, text, expected, logged
):
    seen = await telegram.send(RESIDENT, text)
    assert expected in seen.text
    # The bot still works, and its log of unanswered questions holds just what it could not
    # answer, stored as text (the table is still there to be read).
    again = await telegram.send(RESIDENT, "监测线多少")
    assert "9100" in again.text
    assert UnansweredLog(db).most_frequent() == ([(text, 1)] if logged else [])


async def test_user_text_is_escaped_when_echoed_as_html(telegram):
    seen = await telegram.send(RESIDENT, "/<b>x</b>")
    assert "<b>x</b>" not in seen.text


async def test_a_failure_inside_the_core_is_reported_without_a_traceback(telegram, monkeypatch):
    assistant = telegram.app.bot_data["assistant"]

    def explode(_incoming):
        raise RuntimeError("database is down")

    monkeypatch.setattr(assistant, "answer_question", explode)
    seen = await telegram.send(RESIDENT, "监测线多少")
    assert "出了点问题" in seen.text
    assert "Traceback" not in seen.text and "RuntimeError" not in seen.text


async def test_in_a_group_chat_the_bot_only_points_to_a_private_chat(telegram):
    from telegram import Update

    payload: dict[str, Any] = {
        "update_id": 777001,
        "message": {
            "message_id": 5,
            "date": 1_700_000_000,
            "chat": {"id": -100123, "type": "supergroup", "title": "村民群"},
            "from": {"id": RESIDENT, "is_bot": False, "first_name": "村民"},
            "text": "/mydata",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    before = len(telegram.api.calls)
    await telegram.app.process_update(Update.de_json(payload, telegram.app.bot))
    calls = telegram.api.calls[before:]
    assert [name for name, _ in calls] == ["sendMessage"]
    assert "私聊" in calls[0][1]["text"]
    payload["update_id"] += 1
    payload["message"]["text"] = "监测线多少"
    payload["message"].pop("entities")
    before = len(telegram.api.calls)
    await telegram.app.process_update(Update.de_json(payload, telegram.app.bot))
    assert telegram.api.calls[before:] == [], "plain group chatter is ignored"


async def test_a_lone_slash_is_treated_as_text_without_words(telegram):
    seen = await telegram.send(RESIDENT, "/")
    assert "只有符号或表情" in seen.text and "出了点问题" not in seen.text
