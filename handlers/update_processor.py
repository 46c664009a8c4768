"""Nobody waits for somebody else: updates of different users are processed concurrently,
each user's own updates one after another, in the order Telegram sent them.

PTB's own processor takes its semaphore before anything else, so eight queued updates of one
user (waiting for that user's lock) would hold every slot and stall everybody. Here the order
is the other way round: first the user's lock, then one of `workers` slots. `workers` bounds the
updates inside the core at once — each holds a database connection in its worker thread — so
it must not exceed the SQLAlchemy pool (5 + 10 overflow by default).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

WORKERS = 8
# How many updates may wait (for their user's turn or a slot) before PTB stops taking more
# from its queue; waiting costs nothing but memory.
WAITING = 256


def user_key(update: object) -> int | None:
    """Whose turn an update waits for: its user, else its chat (channel posts), else nobody."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, workers: int = WORKERS, waiting: int = WAITING):
        super().__init__(max(waiting, workers))
        self._workers = asyncio.Semaphore(workers)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}  # updates using or waiting for each user's lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = user_key(update)
        if key is None:
            async with self._workers:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock, self._workers:  # asyncio.Lock wakes waiters first come first served
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:  # nobody else queued for this user: forget the lock
                del self._holders[key], self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
