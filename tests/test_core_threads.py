"""The core's work runs in a small pool of its own (assistant/core_threads.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from contextvars import ContextVar

import pytest

from assistant.core_threads import CORE_WORKERS, in_core

_asker: ContextVar[str] = ContextVar("asker", default="nobody")


def _where() -> tuple[str, str]:
    time.sleep(0.01)  # long enough for the calls to overlap
    return threading.current_thread().name, _asker.get()


async def test_updates_fed_at_once_share_two_core_threads_and_keep_the_callers_context():
    _asker.set("resident 7101")
    seen = await asyncio.gather(*(in_core(_where) for _ in range(8)))
    threads = {name for name, _ in seen}
    assert CORE_WORKERS == 2 and len(threads) <= CORE_WORKERS
    assert all(name.startswith("core") for name in threads)
    assert {asker for _, asker in seen} == {"resident 7101"}


async def test_a_failure_in_the_core_reaches_the_caller():
    def broken() -> None:
        raise ValueError("the draft is gone")

    with pytest.raises(ValueError, match="draft"):
        await in_core(broken)
