"""Shared fixtures: the knowledge base (loaded once), databases on SQLite and PostgreSQL, and
an offline Telegram harness.

Every test that takes `db` runs twice: on a fresh SQLite file and on PostgreSQL (a private
schema on 127.0.0.1:5432, database `test`). Without a reachable PostgreSQL server the second run
is skipped with a message saying so. Set TEST_DATABASE_URL to point at another server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from assistant.service import Assistant
from knowledge import KnowledgeBase, load_knowledge
from storage.database import Database, make_engine, upgrade
from storage.models import Base

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _pg_engine():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # no server here: say so and skip
        admin.dispose()
        pytest.skip(
            f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); PostgreSQL runs skipped"
        )
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    return engine, admin, schema


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield Database(engine)
        engine.dispose()
    else:
        engine, admin, schema = _pg_engine()
        upgrade(engine)
        yield Database(engine)
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(database: Database) -> Database:
    """A migrated, empty database (tables emptied before each test)."""
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return database


@pytest.fixture
def assistant(kb: KnowledgeBase, db: Database) -> Assistant:
    return Assistant(kb, db)


TEST_TOKEN = "123456:TEST-token-for-offline-tests-only"


@pytest.fixture
async def telegram(assistant: Assistant):
    """A PTB Application on the test database whose Bot API is answered offline."""
    from assistant.config import Settings
    from bot import build_application
    from tests.telegram_fake import FakeBotApi, TelegramHarness

    api = FakeBotApi()
    settings = Settings(telegram_token=TEST_TOKEN, database_url="sqlite://")
    application = build_application(settings, assistant=assistant, request=api)
    await application.initialize()
    yield TelegramHarness(application, api)
    await application.shutdown()
