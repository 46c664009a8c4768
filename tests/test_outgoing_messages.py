"""Outgoing messages: Telegram's flood limits are respected, a refusal with retry_after or a
network failure is retried a bounded number of times, and a message that never gets through
is logged with its chat id (never its text) instead of vanishing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from assistant.config import FloodSettings, Settings
from handlers import telegram_app
from tests.chat import TEST_TOKEN
from tests.telegram_fake import FakeBotApi, TelegramHarness

RESIDENT = 8201

TOO_MANY = (
    429,
    {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    },
)
BAD_GATEWAY = (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})


class FlakyBotApi(FakeBotApi):
    """The offline Bot API, answering sendMessage with `failures` first (or always, with
    `always`); `delivered` holds the messages that got through."""

    def __init__(self, failures=(), always=None) -> None:
        super().__init__()
        self.failures = list(failures)
        self.always = always
        self.delivered: list[dict] = []

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        if url.endswith("/sendMessage"):
            failure = self.always or (self.failures.pop(0) if self.failures else None)
            if failure is not None:
                params = dict(request_data.parameters) if request_data else {}
                self.calls.append(("sendMessage", params))
                status, body = failure
                return status, json.dumps(body).encode()
        status, body = await super().do_request(url, method, request_data, *args, **kwargs)
        if url.endswith("/sendMessage") and status == 200:
            self.delivered.append(self.calls[-1][1])
        return status, body


def _attempts(api: FakeBotApi) -> list[dict]:
    """Every sendMessage the bot tried, delivered or not."""
    return [params for name, params in api.calls if name == "sendMessage"]


@asynccontextmanager
async def bot_on(assistant, api: FlakyBotApi) -> AsyncIterator[TelegramHarness]:
    from bot import build_application

    settings = Settings(telegram_token=TEST_TOKEN, flood=FloodSettings(limit=0))
    application = build_application(settings, assistant=assistant, request=api)
    await application.initialize()
    try:
        yield TelegramHarness(application, api)
    finally:
        await application.shutdown()


@pytest.fixture(autouse=True)
def no_waiting_between_network_retries(monkeypatch):
    monkeypatch.setattr(telegram_app, "NETWORK_RETRY_DELAYS", (0.0, 0.0, 0.0))


async def test_a_reply_telegram_holds_back_with_retry_after_is_delivered_once(assistant):
    api = FlakyBotApi([TOO_MANY])
    async with bot_on(assistant, api) as telegram:
        await telegram.send(RESIDENT, "/start")
    assert len(api.delivered) == 1
    assert api.delivered[0]["chat_id"] == RESIDENT


async def test_a_reply_that_meets_a_bad_gateway_twice_is_delivered_on_the_third_try(assistant):
    api = FlakyBotApi([BAD_GATEWAY, BAD_GATEWAY])
    async with bot_on(assistant, api) as telegram:
        await telegram.send(RESIDENT, "/start")
    assert len(api.delivered) == 1
    assert len(_attempts(api)) == 3


async def test_a_reply_that_never_gets_through_is_logged_with_the_chat_id_not_its_text(
    assistant, caplog
):
    api = FlakyBotApi(always=BAD_GATEWAY)
    with caplog.at_level(logging.INFO):
        async with bot_on(assistant, api) as telegram:
            await telegram.send(RESIDENT, "/start")
    assert api.delivered == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("sendMessage" in line and str(RESIDENT) in line for line in errors), errors
    attempted = {p["text"] for p in _attempts(api)}
    assert attempted and not any(text in caplog.text for text in attempted)
    assert len(_attempts(api)) <= 2 * (len(telegram_app.NETWORK_RETRY_DELAYS) + 1)
