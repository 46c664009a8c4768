"""Shared fixtures: the knowledge base (loaded once), databases on SQLite and PostgreSQL, a
submission factory, an offline Telegram harness and the command line run in this process.

Every test that takes `db` runs twice: on a fresh SQLite file and on PostgreSQL (a private
schema on 127.0.0.1:5432, database `test`). Without a reachable PostgreSQL server the second run
is skipped with a message saying so. Set TEST_DATABASE_URL to point at another server.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from assistant.service import Assistant
from dialogs.spec import DATA_DIR as DIALOG_DATA_DIR
from knowledge import KnowledgeBase, load_knowledge
from knowledge.base import DATA_DIR as KNOWLEDGE_DATA_DIR
from storage.database import Database, make_engine, upgrade
from storage.models import Base, Submission
from storage.repository import NewSubmission, SubmissionStore
from tests.chat import telegram_for
from tests.dialog_script import REPORT_ANSWERS, VISIT_ANSWERS

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def no_file_left_in_the_temp_folder(tmp_path_factory) -> Iterator[None]:
    """An /export through the core writes its workbook to the temp folder, and the adapter that
    sends it deletes it; a test without an adapter must delete it too (`tests.chat.discard`).
    Each test gets a temp folder of its own, so nothing piles up in the system's (shared with
    other runs), and a test that leaves an export behind fails, naming it."""
    folder = tmp_path_factory.mktemp("tempfile")
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved
    left = sorted(path.name for path in folder.glob("export-*"))
    shutil.rmtree(folder, ignore_errors=True)
    assert not left, f"exports left in the temp folder (delete Reply.document's folder): {left}"


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


@pytest.fixture
async def telegram(assistant: Assistant):
    """A PTB Application on the test database whose Bot API is answered offline."""
    async with telegram_for(assistant) as harness:
        yield harness


# --- submissions ----------------------------------------------------------------------------

_drafts = itertools.count(1)
# Columns that are also answers: setting one sets both, as the bot stores them.
ANSWER_COLUMNS = ("township", "village", "contact_name", "phone", "household_size", "annual_income")
DEFAULT_PRIORITY_REASONS = (
    "人均纯收入约 8000 元，低于 2024 年监测范围 9100 元",
    "存在“三保障”或饮水安全问题：住房安全",
)


def store_submission(
    db: Database,
    *,
    dialog: str = "report",
    answers: dict[str, Any] | None = None,
    submitted_by: int = 100,
    priority: str = "优先核实",
    priority_reasons: list[str] | tuple[str, ...] = DEFAULT_PRIORITY_REASONS,
    per_capita_income: int | None = None,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
    status: str | None = None,
    assigned_to: int | None = None,
    **columns: Any,
) -> str:
    """Store a submission through `SubmissionStore.submit` and return its reference.

    By default it is the household of the scripted dialog (REPORT_ANSWERS, or VISIT_ANSWERS for
    `dialog="visit"`): 4 people in 水阳镇红星村 living on 32,000 元, 优先核实, 待核实, submitted
    by user 100 just now. `answers` are merged into the scripted ones; a column that is also
    an answer (township, village, contact_name, phone, household_size, annual_income) sets
    both. `created_at` (which also sets `updated_at`), `status` and `assigned_to` are written
    after submitting, as time and staff would."""
    unknown = set(columns) - set(ANSWER_COLUMNS)
    if unknown:
        raise TypeError(f"store_submission() got unknown fields {sorted(unknown)}")
    scripted = VISIT_ANSWERS if dialog == "visit" else REPORT_ANSWERS
    answers = {**scripted, **(answers or {}), **columns}
    income, size = answers.get("annual_income"), answers.get("household_size")
    if per_capita_income is None and income is not None and size:
        per_capita_income = income // size
    reference, created = SubmissionStore(db).submit(
        NewSubmission(
            dialog=dialog,
            draft_id=f"t{next(_drafts):08d}",
            submitted_by=submitted_by,
            answers=answers,
            township=answers.get("township"),
            village=answers.get("village"),
            contact_name=answers.get("contact_name"),
            phone=answers.get("phone"),
            household_size=size,
            annual_income=income,
            per_capita_income=per_capita_income,
            priority=priority,
            priority_reasons=list(priority_reasons),
        )
    )
    assert created
    later: dict[str, Any] = {}
    if created_at is not None:
        later.update(created_at=created_at, updated_at=created_at)
    if updated_at is not None:
        later["updated_at"] = updated_at
    if status is not None:
        later["status"] = status
    if assigned_to is not None:
        later["assigned_to"] = assigned_to
    if later:
        with db.session() as session:
            session.execute(
                update(Submission).where(Submission.reference == reference).values(**later)
            )
    return reference


@pytest.fixture
def make_submission(db: Database) -> Callable[..., str]:
    """`make_submission(**overrides)`: store a submission in the test database (see
    `store_submission` for the defaults) and return its reference."""
    return partial(store_submission, db)


# --- the command line, in this process -------------------------------------------------------


@dataclass
class Ran:
    """What `python bot.py ARGS` did: exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def bot_cli(monkeypatch, capsys) -> Callable[..., Ran]:
    """`bot_cli("export", "--out", ..., env={"DATABASE_URL": ...})` runs `bot.main` in this
    process (no interpreter start-up) with only the given settings: no token, no database URL
    and no `.env` unless the test passes them."""
    import assistant.config
    import bot

    monkeypatch.setattr(assistant.config, "load_dotenv", lambda *_a, **_k: False, raising=False)
    monkeypatch.setattr(assistant.config, "DOTENV_PATH", assistant.config.PROJECT_ROOT / "absent")

    def run(*args: str, env: dict[str, str] | None = None) -> Ran:
        for variable in ("TELEGRAM_TOKEN", "DATABASE_URL", "TELEGRAM_BASE_URL", "ADMIN_IDS"):
            monkeypatch.delenv(variable, raising=False)
        for variable, value in (env or {}).items():
            monkeypatch.setenv(variable, value)
        capsys.readouterr()
        try:
            code = bot.main(list(args))
        except SystemExit as exit_:  # argparse refuses bad arguments this way
            code = exit_.code if isinstance(exit_.code, int) else 2
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the knowledge folder (knowledge/data) to edit."""
    target = tmp_path / "data"
    shutil.copytree(KNOWLEDGE_DATA_DIR, target)
    return target


@pytest.fixture
def dialog_data(tmp_path: Path) -> Path:
    """A copy of the dialogs' YAML (dialogs/data) to edit."""
    shutil.copytree(DIALOG_DATA_DIR, tmp_path / "dialogs")
    return tmp_path / "dialogs"
