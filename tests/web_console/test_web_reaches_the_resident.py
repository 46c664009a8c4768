"""A status change made in the web console reaches the resident through the bot: the console
writes the notification into the outbox in the same unit of work as the change, and the next
sweep of a bot process sends it — to the resident, once — and tells the reviewer in the bot
when the resident cannot be reached."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application

from assistant.config import FloodSettings, Settings
from assistant.service import Assistant
from handlers.telegram_app import sweep_durably
from storage.models import STATUS_CHECKING
from tests.chat import TEST_TOKEN
from tests.telegram_fake import FakeBotApi
from tests.web_console.support import RESIDENT, REVIEWER_A, sign_in


@asynccontextmanager
async def bot_process(assistant: Assistant, api: FakeBotApi) -> AsyncIterator[Application]:
    from bot import build_application

    settings = Settings(telegram_token=TEST_TOKEN, flood=FloodSettings(limit=0))
    application = build_application(settings, assistant=assistant, request=api)
    await application.initialize()
    try:
        yield application
    finally:
        await application.shutdown()


def _texts_to(api: FakeBotApi, chat: int) -> list[str]:
    return [
        str(p["text"])
        for name, p in api.calls
        if name == "sendMessage" and int(str(p["chat_id"])) == chat
    ]


def change_status(console, reference: str) -> None:
    browser = sign_in(console, REVIEWER_A)
    done = browser.client.post(
        f"/records/{reference}/status",
        data={"csrf_token": browser.csrf, "status": STATUS_CHECKING, "note": "已电话联系"},
    )
    assert done.status_code == 303, done.text


async def test_a_reviewers_status_change_in_the_browser_reaches_the_resident_in_telegram(
    console, make_submission, kb, db
):
    reference = make_submission()
    resident = RESIDENT  # make_submission's submitter
    change_status(console, reference)

    api = FakeBotApi()
    api.open_chat(resident)
    async with bot_process(Assistant(kb, db), api) as app:
        await sweep_durably(app)
        await sweep_durably(app)  # a second sweep sends nothing again
    [told] = _texts_to(api, resident)
    assert reference in told and "「核实中」" in told
    assert _texts_to(api, REVIEWER_A) == []


async def test_a_resident_who_blocked_the_bot_leaves_the_reviewer_a_notice_in_telegram(
    console, make_submission, kb, db
):
    reference = make_submission()
    change_status(console, reference)

    api = FakeBotApi()  # the resident's chat was never opened: Telegram refuses it
    api.open_chat(REVIEWER_A)
    async with bot_process(Assistant(kb, db), api) as app:
        await sweep_durably(app)
    [notice] = _texts_to(api, REVIEWER_A)
    assert "未能通知申报人" in notice
