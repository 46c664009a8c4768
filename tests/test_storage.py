"""Storage: migrations, SQLite WAL, and the unanswered-questions log on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.database import make_engine, open_database
from storage.models import Base
from storage.repository import MAX_STORED_QUESTION, UnansweredLog


def test_migrations_create_every_table_and_column_of_the_models(db):
    inspector = inspect(db.engine)
    assert set(inspector.get_table_names()) == {"alembic_version", *Base.metadata.tables}
    for name, table in Base.metadata.tables.items():
        columns = {c["name"]: c for c in inspector.get_columns(name)}
        assert set(columns) == set(table.columns.keys()), name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, f"{name}.{column.name}"


def test_the_migrated_schema_is_exactly_what_the_models_declare(db):
    """Alembic's autogenerate finds nothing to do: models and migrations agree (types, indexes,
    unique constraints, foreign keys), so no model change ships without its migration."""
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_upgrading_twice_is_harmless(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    open_database(url)
    open_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1


def test_unanswered_questions_are_counted_most_frequent_first(db):
    log = UnansweredLog(db)
    for question in ["补贴多少", "补贴多少", "怎么办证", "补贴多少"]:
        log.record(question, 0.1, None, 7)
    assert log.most_frequent() == [("补贴多少", 3), ("怎么办证", 1)]


def test_a_very_long_question_is_stored_truncated_not_rejected(db):
    log = UnansweredLog(db)
    log.record("长" * 10_000, 0.0, None, None)
    ((stored, _),) = log.most_frequent()
    assert len(stored) == MAX_STORED_QUESTION


def test_a_draft_saved_from_a_stale_version_is_refused(db):
    from storage.repository import DraftStore

    drafts = DraftStore(db)
    drafts.replace(42, "abcd1234", "report", {"step": "consent"})
    version = 1
    newer = drafts.save(42, {"step": "township"}, version)
    assert newer == version + 1
    assert drafts.save(42, {"step": "village"}, version) is None, "another instance got there first"
    stored = drafts.load(42)
    assert stored is not None and stored.state == {"step": "township"}


def test_a_conflicting_write_is_retried_on_fresh_state(assistant, monkeypatch):
    from common.messages import Incoming

    assistant.handle(Incoming(user_id=43, chat_id=43, command="report", text="/report"))
    real_save = assistant.drafts.save
    calls = []

    def flaky(user_id, state, version):
        calls.append(version)
        if len(calls) == 1:  # the first write loses the race
            return None
        return real_save(user_id, state, version)

    monkeypatch.setattr(assistant.drafts, "save", flaky)
    replies = assistant.handle(Incoming(user_id=43, chat_id=43, text="同意"))
    assert len(calls) == 2 and "乡镇" in replies[0].text
    assert assistant.drafts.load(43).state["step"] == "township"
