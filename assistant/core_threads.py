"""The worker threads the core runs in, away from the event loop.

Answering an update is mostly Python work (retrieval, the dialog engine, SQLAlchemy) that holds
the GIL. Run in `asyncio.to_thread`'s default pool (up to six threads on two cores), updates fed
at once — as the webhook hands on Telegram's concurrent requests — spent their time handing the
GIL back and forth with each other and with the event loop: ~210 updates/s on SQLite, against
~300 one at a time (`bench/updates.py`, "fed at once"). The core's work now runs in a pool of
its own of `CORE_WORKERS` threads: measured fed at once, one thread ~315/s, two ~270/s, six
~250/s. Two, not one, so that a slow update (a reviewer's /export of a whole township, a chart)
holds up one thread while the other goes on serving everyone else.

`in_core(function, *args)` is `asyncio.to_thread` on that pool: the caller's context variables
go with the call, as they do with `to_thread`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

CORE_WORKERS = 2

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Shared by every event loop of the process (tests run many): made on first use.
_pool: ThreadPoolExecutor | None = None


def _core_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=CORE_WORKERS, thread_name_prefix="core")
    return _pool


async def in_core(function: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """`function(*args, **kwargs)` in one of the core's threads, awaited."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await loop.run_in_executor(_core_pool(), call)
