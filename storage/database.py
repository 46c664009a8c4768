"""Engine creation, schema migration and the unit of work.

SQLite gets WAL journaling and a busy timeout so two bot processes can share one file;
PostgreSQL is used as is. `upgrade()` runs the alembic migrations to head and is called on
every start (and by `python bot.py db upgrade`).

The unit of work: `with db.unit_of_work():` opens one transaction, and every repository call
made inside it (in this thread or task: a ContextVar holds it) joins that transaction instead
of committing its own. It commits when the block ends and rolls back everything when an
exception leaves it — the core wraps each update in one, so an update is applied entirely or
not at all. Outside a unit of work `db.session()` is one short transaction, as before.

Inside a unit of work an IntegrityError cannot be caught and carried on from (PostgreSQL aborts
the transaction): the repositories write with ON CONFLICT clauses instead. On SQLite the unit of
work holds the database's write lock from its first write to its commit, so the core does its
slow reading (retrieval, exports) before writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage import crash_point

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the alembic migrations up to `revision` on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@dataclass
class _UnitOfWork:
    engine: Engine
    session: Session
    after_commit: list[Callable[[], None]] = field(default_factory=list)


# The unit of work open in this thread (or asyncio task), if any.
_current: ContextVar[_UnitOfWork | None] = ContextVar("unit_of_work", default=None)


class Database:
    """The engine and a session factory; `with db.session() as s:` is one transaction, or a
    part of the unit of work open around it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _ambient(self) -> _UnitOfWork | None:
        work = _current.get()
        return work if work is not None and work.engine is self.engine else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The unit of work's session when one is open (committed by it, not here), else a
        transaction of its own, committed when the block ends."""
        work = self._ambient()
        if work is not None:
            yield work.session
            return
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for every repository call inside the block: committed at its end,
        rolled back if an exception leaves it. Inside another unit of work: joins it."""
        if self._ambient() is not None:
            with self.session() as session:
                yield session
            return
        with self._sessions.begin() as session:
            work = _UnitOfWork(self.engine, session)
            token = _current.set(work)
            try:
                yield session
                crash_point("before_commit")
            finally:
                _current.reset(token)
        for callback in work.after_commit:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once what was written so far is committed: at the end of the unit of
        work (never, if it rolls back), or now outside one (each call commits on its own)."""
        work = self._ambient()
        if work is None:
            callback()
        else:
            work.after_commit.append(callback)

    @property
    def in_unit_of_work(self) -> bool:
        return self._ambient() is not None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def open_database(url: str, *, migrate: bool = True) -> Database:
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Database(engine)
