"""The web console's tests (tests/web_console): their own databases.

`web_database` and `db` are tests/conftest.py's `database` and `db` — a SQLite file, then a
PostgreSQL schema (skipped, saying so, without a server), emptied before each test — under
another name, so that pytest groups these tests apart and runs them after the rest of the
suite (they load FastAPI, uvicorn and a browser, which the rest never needs).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from storage.database import Database, make_engine, upgrade
from storage.models import Base


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_database(request, tmp_path_factory) -> Iterator[Database]:
    """A migrated database for the web tests: a SQLite file, then a PostgreSQL schema (skipped,
    saying so, without a server), as tests/conftest.py's `database`."""
    from tests.conftest import _pg_engine

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")
        upgrade(engine)
        yield Database(engine)
        engine.dispose()
        return
    engine, admin, schema = _pg_engine()
    upgrade(engine)
    yield Database(engine)
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(web_database: Database) -> Database:
    """The web tests' database, emptied before each test (conftest's `db`, for these tests)."""
    with web_database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return web_database
