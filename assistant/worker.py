"""Sending the outbox, and picking up after a crash. The whole flow is in `storage.inbox`:

receive (`Inbox.receive`, before Telegram is answered) → process (`Assistant.process_stored`:
applied, marked done and replies stored in one transaction) → send (`deliver`, here) — and on
start, `recover_and_deliver` finishes whatever a crash left: updates received but not applied
are applied, replies stored but not sent are sent.

`deliver` sends each stored reply through the adapter's `send`, in `id` order per chat: claim it
(another instance sending the same reply backs off), send, mark it sent. When `send` raises
`PermanentFailure` (the chat blocked the bot, the message is malformed) the reply is marked
failed and logged with its chat id — never its text. Any other exception (the network) leaves
it pending for the next sweep and holds back that chat's later replies, so their order is kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from assistant.service import Assistant
from storage import crash_point
from storage.inbox import Outbox, Outgoing, recover

__all__ = ["Outgoing", "PermanentFailure", "deliver", "recover_and_deliver"]

log = logging.getLogger(__name__)

Send = Callable[[Outgoing], Awaitable[None]]


class PermanentFailure(Exception):
    """The messenger refused the reply for good: sending it again would fail again."""


async def deliver(outbox: Outbox, items: Sequence[Outgoing], send: Send) -> int:
    """Send stored replies, each marked sent or failed once tried; how many were sent."""
    sent = 0
    held: set[int] = set()  # chats whose next reply waits for an earlier one
    for item in items:
        if item.target in held:
            continue
        if not await asyncio.to_thread(outbox.claim, item.id):
            held.add(item.target)  # being sent by someone else, or done already
            continue
        try:
            await send(item)
        except PermanentFailure as exc:
            log.warning("reply %s to chat %s refused for good: %s", item.id, item.target, exc)
            await asyncio.to_thread(outbox.mark_failed, item.id, str(exc))
            continue
        except Exception as exc:
            log.warning(
                "reply %s to chat %s not sent (%s); kept for the next sweep",
                item.id,
                item.target,
                type(exc).__name__,
            )
            await asyncio.to_thread(outbox.release, item.id)
            held.add(item.target)
            continue
        crash_point("sent")
        await asyncio.to_thread(outbox.mark_sent, item.id)
        sent += 1
    return sent


async def recover_and_deliver(assistant: Assistant, send: Send) -> int:
    """What a start (and every sweep) does: apply the updates received but not done, oldest
    first, then send every reply not sent; how many replies were sent."""
    recovery = await asyncio.to_thread(recover, assistant.db)
    for received in recovery.to_process:
        try:
            await asyncio.to_thread(assistant.process_stored, received.update_id)
        except Exception:  # stays in the inbox for the next sweep; the others go on
            log.exception("stored update %s failed again", received.update_id)
    pending = await asyncio.to_thread(assistant.outbox.pending)
    return await deliver(assistant.outbox, pending, send)
