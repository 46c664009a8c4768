"""Nobody waits for somebody else: while one user's slow questions are being answered, another
user is served at once; each user's own messages are still answered in the order sent.

Updates go through PTB's update queue, as in production (the harness's `send` bypasses it).
"""

from __future__ import annotations

import asyncio
import time

from telegram import Update

from common.messages import Reply
from handlers.update_processor import PerUserUpdateProcessor, user_key
from tests.telegram_fake import TelegramHarness

SLOW, QUICK = 7101, 7102


async def _enqueue(telegram: TelegramHarness, user_id: int, text: str) -> None:
    payload = telegram._message_payload(user_id, text=text)
    telegram.api.open_chat(user_id)
    await telegram.app.update_queue.put(Update.de_json(payload, telegram.app.bot))


async def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_quick_question_is_answered_while_another_users_slow_ones_are_in_flight(
    telegram: TelegramHarness, assistant, monkeypatch
):
    answer = assistant.answer_question

    def slow_for_one_user(incoming):
        if incoming.user_id != SLOW:
            return answer(incoming)
        time.sleep(0.5)  # in the worker thread, as a slow database or retrieval would be
        return [Reply(f"回答：{incoming.text}")]

    monkeypatch.setattr(assistant, "answer_question", slow_for_one_user)

    def sent_to(chat: int) -> list[str]:
        return [
            p["text"] for n, p in telegram.api.calls if n == "sendMessage" and p["chat_id"] == chat
        ]

    await telegram.app.start()
    try:
        for question in ("第一问", "第二问", "第三问"):
            await _enqueue(telegram, SLOW, question)
        await asyncio.sleep(0.05)  # the slow user's first update is in the core
        await _enqueue(telegram, QUICK, "/start")
        await _until(lambda: len(sent_to(SLOW)) == 3 and sent_to(QUICK))
    finally:
        await telegram.app.stop()

    order = [p["chat_id"] for n, p in telegram.api.calls if n == "sendMessage"]
    assert order.index(QUICK) < order.index(SLOW), "the quick user waited for the slow one"
    assert sent_to(SLOW) == ["回答：第一问", "回答：第二问", "回答：第三问"]


async def test_one_users_queued_updates_do_not_hold_every_worker():
    """Eight updates of one user wait for their turn without taking the workers from others."""
    processor = PerUserUpdateProcessor(workers=2)
    done: list[str] = []
    release = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        if wait:
            await release.wait()
        done.append(name)

    def update(user_id: int, update_id: int) -> Update:
        user = {"id": user_id, "is_bot": False, "first_name": "x"}
        message = {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}}
        return Update.de_json({"update_id": update_id, "message": {**message, "from": user}}, None)

    busy = [
        asyncio.create_task(processor.process_update(update(1, i), work(f"a{i}", wait=True)))
        for i in range(8)
    ]
    other = asyncio.create_task(processor.process_update(update(2, 99), work("b")))
    await asyncio.wait_for(other, 2)
    assert done == ["b"]
    release.set()
    await asyncio.gather(*busy)
    assert done == ["b", *[f"a{i}" for i in range(8)]]
    assert user_key(update(3, 1)) == 3
