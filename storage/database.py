"""Engine creation, schema migration and the unit of work.

SQLite gets WAL journaling and a busy timeout so two bot processes can share one file;
PostgreSQL is used as is. `upgrade()` runs the alembic migrations to head and is called on
every start (and by `python bot.py db upgrade`); on SQLite it then refreshes the planner's
statistics (ANALYZE).

Personal data stays out of logs and out of other users' reach:
- every engine hides SQL parameters (`hide_parameters`), so a failing write logs no name,
  phone or income; PostgreSQL's "Failing row contains (…)" detail is dropped from errors, and
  result rows (which SQLAlchemy logs at DEBUG) are never logged;
- a new SQLite file is created 0600 in a folder created 0700, before the first connection
  (SQLite gives its -wal and -shm files the database file's permissions).

The unit of work: `with db.unit_of_work():` opens one transaction, and every repository call
made inside it (in this thread or task: a ContextVar holds it) joins that transaction instead
of committing its own. It commits when the block ends and rolls back everything when an
exception leaves it — the core wraps each update in one, so an update is applied entirely or
not at all. Outside a unit of work `db.session()` is one short transaction, as before.

Durable and relaxed commits: a commit normally reaches the disk before it returns (SQLite
synchronous=FULL, PostgreSQL synchronous_commit=on), one fsync each — milliseconds, the largest
cost of an update. A transaction opened with `durable=False` commits without waiting for the
disk (SQLite synchronous=NORMAL in WAL mode, PostgreSQL `SET LOCAL synchronous_commit TO OFF`):
a process crash loses nothing, a power loss or OS crash may lose the last such commits — never
a durable one, nor any commit before one (both logs are written in order and a durable commit
flushes everything before it). The durable update path (storage/inbox.py) relaxes only what it
can redo: an update is received durably (alone, or received and applied in one transaction);
applying a stored one and settling its replies are relaxed, so a power loss applies the update
again from the inbox and sends its replies again.

PostgreSQL connections are pinged before use only when they sat idle in the pool for
`PING_IF_IDLE` seconds (SQLAlchemy's `pool_pre_ping` would add a round trip to every
transaction); a connection that fails the ping is replaced.

Reads ahead: every plain message reads the same few rows first (the user's draft and staff
prompt, the taught-phrasing version, the last answer shown): `storage.update_reads` reads them
in one statement at the start of the unit of work and `read_ahead` keeps them in it; each
repository's read asks `read_before` first. They are dropped at the unit of work's first write
(any statement that is not a SELECT, or an ORM object waiting to be flushed), so a read after
it goes to the database as before.

Inside a unit of work an IntegrityError cannot be caught and carried on from (PostgreSQL aborts
the transaction): the repositories write with ON CONFLICT clauses instead. On SQLite the unit of
work holds the database's write lock from its first write to its commit, so the core does its
slow reading (retrieval, exports) before writing.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from storage import crash_point

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
    record.info["synchronous"] = "FULL"


def _set_durability(connection: Connection, durable: bool) -> None:
    """Make the connection's transaction commit durably (the default) or relaxed (see the
    module docstring). SQLite's level belongs to the connection, so it is set only when it
    changes."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        level = "FULL" if durable else "NORMAL"
        pooled = connection.connection
        if pooled.info.get("synchronous") != level:
            # On the driver's connection: a third of the cost through SQLAlchemy's execution
            # path, for a pragma that runs twice an update (apply durable, settle relaxed).
            driver = pooled.driver_connection
            assert driver is not None  # checked out: the session holds it
            driver.execute(f"PRAGMA synchronous={level}")
            pooled.info["synchronous"] = level
    elif dialect == "postgresql" and not durable:
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def _without_row_values(record: logging.LogRecord) -> bool:
    """SQLAlchemy logs result rows at DEBUG (names, phones, answers): never let them through."""
    return record.levelno > logging.DEBUG


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_without_row_values)


def drop_row_detail(error: BaseException | None) -> None:
    """PostgreSQL explains a refused row with "DETAIL: Failing row contains (…)", the row's
    values; keep only the first line of the message (what failed, on which column)."""
    if error is not None and error.args and isinstance(error.args[0], str):
        message = error.args[0]
        if "\nDETAIL:" in message:
            error.args = (message.split("\nDETAIL:")[0], *error.args[1:])


def _drop_row_detail(context: ExceptionContext) -> None:
    drop_row_detail(context.original_exception)
    drop_row_detail(context.sqlalchemy_exception)


class SqliteFileError(Exception):
    """The SQLite path cannot hold the database: `reason` is "folder" (the path is a folder),
    "read_only" (the file or its folder is not writable) or "unusable" (cannot be created)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def create_sqlite_file(path: Path) -> None:
    """An empty database file readable by its owner only (in a folder only they can enter),
    unless it exists already; `SqliteFileError` when the path cannot be a database. Checked
    here because SQLite opens a read-only file without complaint and fails at the first write."""
    if path.is_dir():
        raise SqliteFileError(path, "folder")
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except PermissionError as exc:
        raise SqliteFileError(path, "read_only") from exc
    except OSError as exc:
        raise SqliteFileError(path, "unusable") from exc
    # The -wal and -shm files are created beside the database: the folder must be writable too.
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise SqliteFileError(path, "read_only")


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            create_sqlite_file(Path(parsed.database))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "handle_error", _drop_row_detail)
    return engine


# A pooled connection idle this long is pinged before use (the server may have restarted or
# dropped it). SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip per
# transaction, a tenth of a millisecond or more, for connections used a moment ago.
PING_IF_IDLE = 10.0


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    checked_in = record.info.get("checked_in")
    if checked_in is not None and time.monotonic() - checked_in < PING_IF_IDLE:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # out of the transaction the ping began (read-only exports)
    except Exception as exc:  # the pool drops this connection and tries another
        raise DisconnectionError() from exc


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in"] = time.monotonic()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the alembic migrations up to `revision` on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if engine.dialect.name == "sqlite":
        # SQLite plans from statistics only ANALYZE gathers (PostgreSQL's autovacuum keeps its
        # own): without them it sorts a reviewer's whole queue instead of reading it in index
        # order (bench/storage.py). Under a second for a million submissions; fresh each start.
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


@dataclass
class _UnitOfWork:
    """One transaction on one connection. The ORM session is made only when a repository
    asks for one (`orm`): most updates run Core statements alone, and a session's begin,
    commit and close cost more than the statements (about 0.2 ms an update on SQLite)."""

    engine: Engine
    connection: Connection
    session: Session | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    reads: dict[Hashable, object] = field(default_factory=dict)  # read ahead, until a write

    def orm(self) -> Session:
        if self.session is None:
            # Joins the connection's transaction; its commit is the unit of work's.
            self.session = Session(
                bind=self.connection,
                expire_on_commit=False,
                join_transaction_mode="rollback_only",
            )
        return self.session

    def unflushed(self) -> bool:
        session = self.session
        return session is not None and bool(session.new or session.dirty or session.deleted)

    def core(self) -> Connection:
        """The connection, with the session's pending objects written first, so a Core
        statement sees what an ORM call before it added."""
        if self.unflushed():
            assert self.session is not None
            self.session.flush()
        return self.connection


# The unit of work open in this thread (or asyncio task), if any.
_current: ContextVar[_UnitOfWork | None] = ContextVar("unit_of_work", default=None)

# What `read_before` returns for a value not read ahead (None is a value: "no draft").
NOT_READ: Any = object()


def _forget_reads_on_write(_conn, _cursor, statement: str, *_args: object) -> None:
    """A statement that may write ends the unit of work's reads ahead (see the docstring)."""
    work = _current.get()
    if work is not None and work.reads and statement.lstrip()[:6].upper() != "SELECT":
        work.reads.clear()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (its result is a CursorResult at run time)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


class Database:
    """The engine and a session factory; `with db.session() as s:` is one transaction, or a
    part of the unit of work open around it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        if not event.contains(engine, "before_cursor_execute", _forget_reads_on_write):
            event.listen(engine, "before_cursor_execute", _forget_reads_on_write)

    def _ambient(self) -> _UnitOfWork | None:
        work = _current.get()
        return work if work is not None and work.engine is self.engine else None

    @contextmanager
    def session(self, *, durable: bool = True) -> Iterator[Session]:
        """The unit of work's session when one is open (committed by it, not here), else a
        transaction of its own, committed when the block ends (`durable=False`: a relaxed
        commit, see the module docstring)."""
        work = self._ambient()
        if work is not None:
            yield work.orm()
            return
        with self._sessions.begin() as session:
            if not durable or self.backend == "sqlite":
                _set_durability(session.connection(), durable)
            yield session

    @contextmanager
    def connection(self, *, durable: bool = True) -> Iterator[Connection]:
        """Like `session`, for Core statements only: a transaction on a bare connection, without
        an ORM session's bookkeeping (settling an update's sent replies on SQLite: 0.34 → 0.28
        ms); inside a unit of work, its connection."""
        work = self._ambient()
        if work is not None:
            yield work.core()
            return
        with self.engine.begin() as connection:
            if not durable or self.backend == "sqlite":
                _set_durability(connection, durable)
            yield connection

    @contextmanager
    def unit_of_work(
        self, *, durable: bool = True, crash_at: str | None = "before_commit"
    ) -> Iterator[None]:
        """One transaction for every repository call inside the block: committed at its end,
        rolled back if an exception leaves it. Inside another unit of work: joins it.
        `durable=False`: a relaxed commit, for work that can be redone (see the module
        docstring). `crash_at`: the crash point just before the commit (crash tests; None for
        none: storing an update is not applying it)."""
        if self._ambient() is not None:
            yield
            return
        with self.engine.connect() as connection:
            work = _UnitOfWork(self.engine, connection)
            try:
                with connection.begin():
                    if not durable or self.backend == "sqlite":
                        _set_durability(connection, durable)
                    token = _current.set(work)
                    try:
                        yield
                        if work.session is not None:
                            work.session.flush()
                        if crash_at is not None:
                            crash_point(crash_at)
                    finally:
                        _current.reset(token)
            finally:
                if work.session is not None:
                    work.session.close()
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

    def in_unit_of_work(self) -> bool:
        return self._ambient() is not None

    def read_ahead(self, reads: dict[Hashable, object]) -> None:
        """Keep `reads` (key → value read) for the unit of work open, until its first write;
        outside one, nothing (a read there is a transaction of its own anyway)."""
        work = self._ambient()
        if work is not None:
            work.reads.update(reads)

    def read_before(self, key: Hashable) -> Any:
        """The value read ahead under `key` in this unit of work, or `NOT_READ`."""
        work = self._ambient()
        if work is None or not work.reads:
            return NOT_READ
        if work.unflushed():  # a write not flushed yet
            work.reads.clear()
            return NOT_READ
        return work.reads.get(key, NOT_READ)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def open_database(url: str, *, migrate: bool = True) -> Database:
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Database(engine)
