"""Storage: migrations, SQLite WAL, and the unanswered-questions log on both backends."""

from __future__ import annotations

from sqlalchemy import inspect, text

from storage.database import make_engine, open_database
from storage.repository import MAX_STORED_QUESTION, UnansweredLog


def test_migrations_create_the_schema(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {"alembic_version", "unanswered_questions"} <= tables


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
