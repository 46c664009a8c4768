"""An update is in the inbox before Telegram counts it as delivered: long polling asks for the
next offset (the acknowledgement) only after the update queue has stored the batch, and the
webhook server answers 200 only after the same `put`. Updates that will never be processed —
a group's, a flood's excess — are not stored."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from assistant.config import FloodSettings, Settings
from assistant.service import Assistant
from bot import build_application
from storage.database import Database
from storage.models import InboxEntry
from tests.chat import TEST_TOKEN
from tests.telegram_fake import FakeBotApi

RESIDENT = 8101


def _message(update_id: int, text: str, chat_type: str = "private", user: int = RESIDENT):
    chat = {"id": user if chat_type == "private" else -100, "type": chat_type}
    sender = {"id": user, "is_bot": False, "first_name": "村民"}
    message = {"message_id": update_id, "date": 1_700_000_000, "chat": chat, "from": sender}
    return {"update_id": update_id, "message": {**message, "text": text}}


def _stored(db: Database) -> set[int]:
    with db.session() as session:
        return set(session.scalars(select(InboxEntry.update_id)))


class PollingApi(FakeBotApi):
    """A Bot API whose getUpdates hands out one batch, then notes what the inbox held when the
    bot acknowledged it by asking for the next offset."""

    def __init__(self, batch: list[dict[str, Any]], db: Database):
        super().__init__()
        self.batch: list[dict[str, Any]] | None = batch
        self.db = db
        self.stored_when_acknowledged: set[int] | None = None
        self.acknowledged = asyncio.Event()

    async def do_request(self, url: str, method: str, request_data=None, *args, **kwargs):
        if url.rsplit("/", 1)[-1] != "getUpdates":
            return await super().do_request(url, method, request_data, *args, **kwargs)
        params = dict(request_data.parameters) if request_data else {}
        if self.batch is not None:
            batch, self.batch = self.batch, None
            return 200, json.dumps({"ok": True, "result": batch}).encode()
        if params.get("offset") and self.stored_when_acknowledged is None:
            self.stored_when_acknowledged = await asyncio.to_thread(_stored, self.db)
            self.acknowledged.set()
        await asyncio.sleep(0.05)
        return 200, json.dumps({"ok": True, "result": []}).encode()


def _application(assistant: Assistant, api: FakeBotApi, flood_limit: int = 0):
    settings = Settings(
        telegram_token=TEST_TOKEN,
        database_url="sqlite://",
        flood=FloodSettings(limit=flood_limit),
    )
    return build_application(settings, assistant=assistant, request=api)


async def test_long_polling_acknowledges_a_batch_only_once_it_is_stored(
    assistant: Assistant, db: Database
):
    batch = [_message(501, "/start"), _message(502, "监测收入标准是多少"), _message(503, "你好")]
    api = PollingApi(batch, db)
    application = _application(assistant, api)
    await application.initialize()
    try:  # only the updater runs: nothing processes the queue, so only the queue stores
        await application.updater.start_polling(poll_interval=0, timeout=0)
        await asyncio.wait_for(api.acknowledged.wait(), timeout=10)
        await application.updater.stop()
    finally:
        await application.shutdown()
    assert api.stored_when_acknowledged == {501, 502, 503}


async def test_a_group_message_and_a_floods_excess_are_not_stored(
    assistant: Assistant, db: Database
):
    application = _application(assistant, FakeBotApi(), flood_limit=3)
    await application.initialize()
    try:
        await application.update_queue.put(
            _update(application, _message(600, "/start", chat_type="group"))
        )
        for update_id in range(601, 606):
            await application.update_queue.put(
                _update(application, _message(update_id, f"问题{update_id}"))
            )
    finally:
        await application.shutdown()
    assert _stored(db) == {601, 602, 603}, "three within the limit; the group and excess not"


def _update(application, payload: dict[str, Any]):
    from telegram import Update

    return Update.de_json(payload, application.bot)
