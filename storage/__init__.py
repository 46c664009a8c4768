"""Storage: SQLAlchemy models, engine set-up, alembic migrations and the named queries.

`open_database(url)` creates the engine (SQLite in WAL mode, or PostgreSQL), applies the
migrations and returns a `Database`; everything else reads and writes through the
repositories in `storage.repository` and `storage.inbox`. Each repository call is one short
transaction of its own, or part of the unit of work open around it (`Database.unit_of_work`:
one transaction per update). `crash_point` marks where the crash tests kill the process.
"""

from __future__ import annotations

import os
import signal

# The crash tests set this to a crash point's name; the process then kills itself there.
CRASH_AT = "FANPIN_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, as a power cut would, when the environment names this point (tests only).

    A no-op in production: the variable is never set there. Points: `received` (the update is
    in the inbox), `draft_saved` (the draft row is written, the unit of work not committed),
    `before_commit` (every write of the unit of work done), `committed` (processed, replies
    in the outbox, nothing sent), `sent` (one reply sent, not yet marked sent)."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
