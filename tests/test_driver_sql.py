"""The statements every update runs go straight to the driver's cursor (storage.driver_sql):
what they write reads back the same through SQLAlchemy and the other way round, on SQLite and
PostgreSQL; a failure is SQLAlchemy's error without the row's values; the unit of work's
listeners still see every statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError, NoResultFound

from storage.database import Database
from storage.driver_sql import Prepared, bound
from storage.learning import GIVEN
from storage.models import Draft, as_utc
from storage.repository import DraftStore
from storage.update_reads import read_ahead

RESIDENT = 7301
WHEN = datetime(2024, 6, 3, 8, 30, 15, 120000, tzinfo=UTC)
STATE = {"step": "income", "answers": {"township": "水东镇", "household_size": 4}, "empty": []}

_NOTE = Prepared(
    insert(GIVEN)
    .values(bound(GIVEN, "user_id", "entry_id", "question", "nearest", "given_at"))
    .returning(GIVEN.c.id)
)
_READ_NOTE = Prepared(
    select(GIVEN.c.entry_id, GIVEN.c.nearest, GIVEN.c.given_at).where(
        GIVEN.c.user_id == bound(GIVEN, "user_id")["user_id"]
    )
)


def _note(db: Database, entry_id: str = "monitoring-line") -> int:
    values = {
        "user_id": RESIDENT,
        "entry_id": entry_id,
        "question": "监测线是多少",
        "nearest": ["key-groups", "income-formula"],
        "given_at": WHEN,
    }
    with db.connection() as connection:
        return int(_NOTE.run(connection, values).scalar_one())


def test_a_row_written_on_the_driver_reads_back_the_same_through_sqlalchemy(db):
    answer_id = _note(db)
    with db.connection() as connection:
        row = connection.execute(select(GIVEN).where(GIVEN.c.id == answer_id)).one()
    assert row.entry_id == "monitoring-line"
    assert row.nearest == ["key-groups", "income-formula"]  # JSON, as SQLAlchemy stores it
    assert as_utc(row.given_at) == WHEN  # the time, microseconds and all


def test_a_row_written_through_sqlalchemy_reads_back_the_same_on_the_driver(db):
    with db.connection() as connection:
        connection.execute(
            insert(GIVEN).values(
                user_id=RESIDENT, entry_id="contacts", question=None, nearest=[], given_at=WHEN
            )
        )
        row = _READ_NOTE.run(connection, {"user_id": RESIDENT}).one()
    assert row.entry_id == "contacts"
    assert row.nearest == []
    assert isinstance(row.given_at, datetime) and as_utc(row.given_at) == WHEN


def test_a_draft_saved_on_the_driver_keeps_its_state_and_counts_its_version(db):
    drafts = DraftStore(db)
    drafts.replace(RESIDENT, "d-1", "report", {"step": "consent"})
    assert drafts.save(RESIDENT, STATE, 1) == 2
    assert drafts.save(RESIDENT, {"step": "late"}, 1) is None  # someone saved version 2 first
    with db.session() as session:
        stored = session.scalar(select(Draft).where(Draft.user_id == RESIDENT))
    assert stored is not None and stored.state == STATE and stored.version == 2
    loaded = drafts.load(RESIDENT)
    assert loaded is not None and loaded.state == STATE and loaded.version == 2


def test_one_row_asked_for_and_none_there_is_sqlalchemys_error(db):
    with db.connection() as connection, pytest.raises(NoResultFound):
        _READ_NOTE.run(connection, {"user_id": RESIDENT}).one()


def test_a_refused_row_is_sqlalchemys_integrity_error_without_the_values(db):
    answer_id = _note(db)
    duplicate = Prepared(
        insert(GIVEN)
        .values(bound(GIVEN, "id", "user_id", "entry_id", "question", "nearest", "given_at"))
        .returning(GIVEN.c.id)
    )
    values = {
        "id": answer_id,
        "user_id": RESIDENT,
        "entry_id": "secret-entry",
        "question": "张三 13812345678",
        "nearest": [],
        "given_at": WHEN,
    }
    with pytest.raises(IntegrityError) as raised, db.connection() as connection:
        duplicate.run(connection, values)
    message = str(raised.value)
    assert "13812345678" not in message and "张三" not in message
    assert "Failing row contains" not in message


def test_a_statement_needing_python_side_defaults_is_refused_when_first_run(db):
    without_time = Prepared(insert(GIVEN).values(bound(GIVEN, "user_id", "entry_id")))
    with pytest.raises(ValueError, match="given_at"), db.connection() as connection:
        without_time.run(connection, {"user_id": RESIDENT, "entry_id": "contacts"})


def test_the_unit_of_work_still_sees_each_statement_and_forgets_its_reads_at_a_write(db):
    drafts = DraftStore(db)
    drafts.replace(RESIDENT, "d-1", "report", {"step": "consent"})
    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        seen.append(sql.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        with db.unit_of_work():
            read_ahead(db, RESIDENT)
            assert drafts.save(RESIDENT, STATE, 1) == 2
            loaded = drafts.load(RESIDENT)  # after the write: read again, not the read ahead
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
    assert seen == ["SELECT", "UPDATE", "SELECT"]
    assert loaded is not None and loaded.version == 2 and loaded.state == STATE
