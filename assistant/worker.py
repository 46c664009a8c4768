"""Sending the outbox, and picking up what was left undone. The whole flow is in
`storage.inbox`:

receive and apply (`Assistant.process_received`, or `Inbox.receive` then
`Assistant.process_stored`: applied, marked done and replies stored — claimed for this sender —
in one transaction) → send (`deliver`, here) — and `sweep`, on start and every few seconds,
finishes whatever was left: updates received but not applied (a handler that died, an apply
that failed) are applied, replies not sent (a sender that died, the network down, a
notification written by the web console) are sent, by whichever instance claims them first.

`deliver` sends each reply through the adapter's `send`, in `id` order per chat, then writes
back the whole round in one transaction (`Outbox.settle`): sent, failed, or to try again. A
round that only sent leaves its "sent" marks waiting (`Outbox.sent_later`) and writes them
`SETTLE_AFTER` later, with every other round's of that moment: one transaction for many
updates when busy, none on the update's own way (`settle_waiting` writes them at once, on
stop and before each sweep). A
reply is sent by whoever holds its claim: written claimed by the applying transaction (taken
up with `Outbox.adopt`), claimed now (`Outbox.claim_all`, one transaction: a redelivered
update's replies), or claimed by the sweep (`Outbox.due`). When `send` raises
`PermanentFailure` (the chat blocked the bot, the message is malformed) the reply is failed and
logged with its chat id — never its text. Any other exception (the network) schedules another
attempt after a growing delay (`storage.inbox.RETRY_DELAYS`) and holds back that chat's later
replies of the round until then, so their order is kept; after the last attempt the reply is
given up and logged at ERROR, again with the chat id only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from assistant.core_threads import in_core
from assistant.service import Assistant
from storage import crash_point
from storage.inbox import (
    MAX_APPLY_ATTEMPTS,
    STUCK_AFTER,
    Outbox,
    Outgoing,
    Settlement,
    retry_delay,
)
from storage.models import utcnow

__all__ = [
    "Outgoing",
    "PermanentFailure",
    "deliver",
    "recover_and_deliver",
    "settle_waiting",
    "sweep",
]

log = logging.getLogger(__name__)

Send = Callable[[Outgoing], Awaitable[None]]

# Replies claimed by one sweep at a time (it goes on until none is due).
SWEEP_BATCH = 100
# How long a round's "sent" marks wait to be written with later rounds'. A crash in this
# window sends those replies again (the claim lapses first: `storage.inbox.CLAIM_LEASE`).
SETTLE_AFTER = 0.05

# Per outbox: the task that will write its waiting marks (asleep until `SETTLE_AFTER`), and
# the write under way, which `settle_waiting` waits for (its marks are no longer waiting, but
# not written either).
_settling: WeakKeyDictionary[Outbox, asyncio.Task[None]] = WeakKeyDictionary()
_writing: WeakKeyDictionary[Outbox, asyncio.Future[None]] = WeakKeyDictionary()


class PermanentFailure(Exception):
    """The messenger refused the reply for good: sending it again would fail again."""


async def deliver(
    outbox: Outbox, items: Sequence[Outgoing], send: Send, *, claimed: bool = False
) -> int:
    """Send stored replies, then settle them in one transaction; how many were sent.
    `claimed`: the caller holds every claim (`Outbox.due`); else the replies this process
    wrote claimed are adopted and the rest claimed here (those another sender holds are left
    to it, with their chat's later replies)."""
    if not items:
        return 0
    if claimed:
        mine = {item.id for item in items}
    else:
        ids = [item.id for item in items]
        mine = outbox.adopt(ids)
        rest = [i for i in ids if i not in mine]
        if rest:
            mine |= await in_core(outbox.claim_all, rest)
    settlement = Settlement()
    held: dict[int, datetime | None] = {}  # chat → when its next reply may go (None: any time)
    sent = 0
    for item in items:
        if item.id not in mine:
            held.setdefault(item.target, None)  # being sent by someone else, or done already
            continue
        if item.target in held:
            settlement.held[item.id] = held[item.target]
            continue
        try:
            await send(item)
        except PermanentFailure as exc:
            log.warning("reply %s to chat %s refused for good: %s", item.id, item.target, exc)
            settlement.failed[item.id] = str(exc)
            continue
        except Exception as exc:
            _failed_on_the_way(item, exc, settlement, held)
            continue
        crash_point("sent")
        settlement.sent.append(item.id)
        sent += 1
    if settlement.failed or settlement.retry or settlement.held:
        await in_core(outbox.settle, settlement)  # with the marks waiting
    elif settlement.sent:
        outbox.sent_later(settlement.sent)
        _settle_soon(outbox)
    return sent


def _settle_soon(outbox: Outbox) -> None:
    """Write the outbox's waiting "sent" marks `SETTLE_AFTER` from now, unless a write is
    scheduled already (on this event loop: a test's loop may have closed with one pending)."""
    task = _settling.get(outbox)
    if task is not None and _on_this_loop(task):
        return
    _settling[outbox] = asyncio.create_task(_settle_later(outbox))


async def _settle_later(outbox: Outbox) -> None:
    await asyncio.sleep(SETTLE_AFTER)
    _settling.pop(outbox, None)  # marks noted from now on schedule a write of their own
    try:
        await _write_waiting(outbox)
    except Exception as exc:  # kept waiting: the next settle or sweep writes them
        log.warning(
            "writing %d sent marks failed (%s); kept for the next try",
            outbox.waiting,
            type(exc).__name__,
        )


async def settle_waiting(outbox: Outbox) -> None:
    """Write the waiting "sent" marks now (on stop, before a sweep); a write already under
    way is waited for, so every mark noted so far is written when this returns."""
    task = _settling.pop(outbox, None)
    if task is not None and _on_this_loop(task):
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    await _write_waiting(outbox)


async def _write_waiting(outbox: Outbox) -> None:
    """One write at a time per outbox: after the one under way, the marks still waiting."""
    while (under_way := _writing.get(outbox)) is not None and _on_this_loop(under_way):
        await asyncio.wait([under_way])  # its failure is its writer's to report
    if not outbox.waiting:
        return
    write = asyncio.ensure_future(in_core(outbox.settle))
    _writing[outbox] = write
    await write


def _on_this_loop(future: asyncio.Future) -> bool:
    return not future.done() and future.get_loop() is asyncio.get_running_loop()


def _failed_on_the_way(
    item: Outgoing, exc: Exception, settlement: Settlement, held: dict[int, datetime | None]
) -> None:
    """Schedule the next attempt (and hold back the chat's later replies), or give up."""
    attempts = item.attempts + 1
    delay = retry_delay(attempts)
    if delay is None:
        log.error(
            "reply %s to chat %s not delivered after %d attempts (%s); given up",
            item.id,
            item.target,
            attempts,
            type(exc).__name__,
        )
        settlement.failed[item.id] = f"given up after {attempts} attempts: {type(exc).__name__}"
        return
    when = utcnow() + delay
    log.warning(
        "reply %s to chat %s not sent (%s); attempt %d failed, next in %d s",
        item.id,
        item.target,
        type(exc).__name__,
        attempts,
        delay.total_seconds(),
    )
    settlement.retry[item.id] = when
    held[item.target] = when


async def sweep(
    assistant: Assistant, send: Send, *, stuck_after: timedelta | None = STUCK_AFTER
) -> int:
    """Finish what was left undone: renew this process's claims, apply the updates received
    at least `stuck_after` ago and not applied (None: all of them, on start), then send every
    reply due, claimed batch by batch; how many replies were sent."""
    outbox = assistant.outbox
    await settle_waiting(outbox)
    await in_core(outbox.renew)
    waiting = await in_core(assistant.inbox.waiting, stuck_after)
    sent = 0
    for received in waiting:
        try:
            items = await in_core(assistant.process_stored, received.update_id)
        except Exception:  # stays in the inbox for the next sweep; the others go on
            attempts = await in_core(assistant.inbox.failed, received.update_id)
            level = logging.ERROR if attempts >= MAX_APPLY_ATTEMPTS else logging.WARNING
            log.log(
                level,
                "stored update %s failed again (%d of %d attempts)",
                received.update_id,
                attempts,
                MAX_APPLY_ATTEMPTS,
                exc_info=True,
            )
            continue
        sent += await deliver(outbox, items, send)
    while True:
        await settle_waiting(outbox)  # what was just sent is not due again
        due = await in_core(outbox.due, SWEEP_BATCH)
        sent += await deliver(outbox, due, send, claimed=True)
        if len(due) < SWEEP_BATCH:
            return sent


async def recover_and_deliver(assistant: Assistant, send: Send) -> int:
    """What a start does: apply every update received and not done, oldest first, then send
    every reply due; how many replies were sent."""
    return await sweep(assistant, send, stuck_after=None)
