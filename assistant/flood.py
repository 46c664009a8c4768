"""Flood control: a user who sends more than FLOOD_LIMIT updates within FLOOD_WINDOW seconds
is told once to slow down, and the excess is neither processed nor stored.

The counts live in the database (`storage.repository.FloodLog`), not in process memory: behind
a webhook, nginx spreads one user's updates over several bot processes, and a per-process count
would let through the limit times the number of processes. Two processes checking the same user
at the same instant may each let one more update through; that is close enough for its purpose
(keeping one user from hogging the workers and the database), so no lock is taken.

`admit` checks and counts in one transaction of its own (or the unit of work's). The adapter's
one-transaction path (`Assistant.process_received`) splits it: `verdict` reads before the
update is answered, `count` writes with the rest at the end, so on SQLite the database's write
lock is not held while the answer is worked out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from assistant.config import FloodSettings
from storage.database import Database
from storage.models import utcnow
from storage.repository import FloodLog

SERVE, WARN, DROP = FloodLog.SERVE, FloodLog.WARN, FloodLog.DROP


class FloodControl:
    def __init__(
        self,
        db: Database,
        settings: FloodSettings,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.log = FloodLog(db)
        self.limit = settings.limit
        self.window = timedelta(seconds=settings.window)
        self.clock = clock  # tests move time forward instead of sleeping

    def admit(self, user_id: int) -> str:
        """SERVE this update, WARN (the first update over the limit) or DROP it silently."""
        if self.limit <= 0:
            return SERVE
        return self.log.admit(user_id, self.clock(), self.limit, self.window)

    def verdict(self, user_id: int) -> str:
        """What `admit` would say, without counting the update (reads only)."""
        if self.limit <= 0:
            return SERVE
        return self.log.verdict(user_id, self.clock(), self.limit, self.window)

    def count(self, user_id: int, verdict: str) -> None:
        """Count an update served, or the warning given (`verdict` SERVE or WARN)."""
        if self.limit > 0 and verdict != DROP:
            self.log.count(user_id, self.clock(), verdict, self.window)
