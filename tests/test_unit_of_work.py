"""One transaction per update: every repository joins the unit of work open around it, a
conflict rolls back everything its attempt wrote, and a redelivered update is applied once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event, func, select

from assistant import texts
from assistant.dialog_desk import DraftConflict
from common.messages import Incoming, Reply
from storage.database import Database
from storage.inbox import Outbox, Settlement
from storage.models import AuditEntry, Draft, Person, ProcessedUpdate, UnansweredQuestion
from storage.repository import (
    AuditLog,
    DraftStore,
    NewSubmission,
    People,
    ResidentData,
    ReviewStore,
    StaffDirectory,
    StaffPrompts,
    SubmissionStore,
    UnansweredLog,
    UpdateLog,
)
from tests.chat import draft_of, say

RESIDENT = 7001


@dataclass
class Traffic:
    transactions: int = 0
    commits: int = 0
    statements: int = 0


@contextmanager
def counted(db: Database) -> Iterator[Traffic]:
    """Transactions begun, commits and SQL statements on `db` inside the block."""
    traffic = Traffic()

    def began(_conn) -> None:
        traffic.transactions += 1

    def committed(_conn) -> None:
        traffic.commits += 1

    def executed(*_args) -> None:
        traffic.statements += 1

    hooks = [("begin", began), ("commit", committed), ("before_cursor_execute", executed)]
    for name, hook in hooks:
        event.listen(db.engine, name, hook)
    try:
        yield traffic
    finally:
        for name, hook in hooks:
            event.remove(db.engine, name, hook)


def count(db: Database, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def step(assistant, text: str, update_id: int):
    return assistant.handle(
        Incoming(RESIDENT, RESIDENT, text=text, update_id=update_id, display_name="张三")
    )


def test_a_dialog_step_is_one_transaction(assistant):
    """Before the unit of work a step took 4-5 transactions (update id, staff check, draft
    read, draft write …); now everything an update does is committed once."""
    say(assistant, RESIDENT, "/report")
    for index, text in enumerate(["同意", "水阳镇", "监测线多少"]):
        with counted(assistant.db) as traffic:
            replies = step(assistant, text, 900 + index)
        assert replies and "⚠️" not in replies[0].text
        assert (traffic.transactions, traffic.commits) == (1, 1), (text, traffic)
        # a question answered mid-dialog also notes the answer for its 👍 / 👎 and checks for
        # newly taught phrasings
        limit = 10 if text == "监测线多少" else 8
        assert traffic.statements <= limit, (text, traffic)


def test_a_conflict_rolls_back_everything_the_attempt_wrote(assistant, monkeypatch):
    """The first attempt writes the draft and then loses the race: its write is undone with
    the rest, and the retry applies the answer once (the version moves by one)."""
    say(assistant, RESIDENT, "/report")
    before = draft_of(assistant, RESIDENT).version
    real_save = DraftStore.save
    calls = []

    def written_then_lost(self, user_id, state, version):
        calls.append(version)
        stored = real_save(self, user_id, state, version)
        return None if len(calls) == 1 else stored

    monkeypatch.setattr(DraftStore, "save", written_then_lost)
    replies = step(assistant, "同意", 901)
    assert calls == [before, before], "the retry starts again from the version first read"
    assert "乡镇" in replies[0].text
    assert draft_of(assistant, RESIDENT).version == before + 1
    assert count(assistant.db, ProcessedUpdate) == 1
    assert count(assistant.db, Person) == 1


def test_a_conflict_every_time_answers_busy_and_records_the_update_once(assistant, monkeypatch):
    say(assistant, RESIDENT, "/report")
    before = draft_of(assistant, RESIDENT)
    monkeypatch.setattr(DraftStore, "save", lambda *_a: None)
    replies = step(assistant, "同意", 902)
    assert replies[0].text == texts.BUSY
    assert draft_of(assistant, RESIDENT) == before
    assert count(assistant.db, ProcessedUpdate) == 1
    assert step(assistant, "同意", 902) == [], "the update was answered (busy): not again"


def test_a_redelivered_update_is_applied_once(assistant):
    say(assistant, RESIDENT, "/report")
    version = draft_of(assistant, RESIDENT).version
    assert step(assistant, "同意", 903)
    assert step(assistant, "同意", 903) == []
    assert draft_of(assistant, RESIDENT).version == version + 1


def test_a_name_written_in_a_rolled_back_unit_of_work_is_written_again(db):
    people = People(db)
    with pytest.raises(DraftConflict), db.unit_of_work():
        people.remember(5, "王芳", None)
        raise DraftConflict
    assert count(db, Person) == 0
    people.remember(5, "王芳", None)  # not skipped by the cache: the first write never happened
    assert people.names([5]) == {5: "王芳"}


def _every_repository_call(db: Database) -> None:
    """A write through each repository, and reads that must see them (in the same
    transaction when run inside a unit of work)."""
    drafts, submissions = DraftStore(db), SubmissionStore(db)
    drafts.replace(11, "d0000011", "report", {"step": "consent"})
    assert drafts.save(11, {"step": "township"}, 1) == 2
    assert drafts.save(11, {"step": "village"}, 1) is None
    draft = drafts.load(11)
    assert draft is not None and draft.state == {"step": "township"}
    drafts.replace(11, "d0000011", "report", {"step": "consent"})
    draft = drafts.load(11)
    assert draft is not None and draft.version == 1, "a reread after the upsert sees the new row"
    reference, created = submissions.submit(
        NewSubmission(
            dialog="report",
            draft_id="d0000011",
            submitted_by=11,
            answers={"township": "水阳镇"},
            township="水阳镇",
            village=None,
            contact_name=None,
            phone=None,
            household_size=None,
            annual_income=None,
            per_capita_income=None,
            priority="一般",
            priority_reasons=[],
        ),
        draft_version=1,
    )
    assert created and drafts.load(11) is None
    assert submissions.submit(_same(submissions, reference)) == (reference, False)
    staff = StaffDirectory(db)
    staff.add(12, "reviewer", ["水阳镇"], None)
    member = staff.get(12)
    assert member is not None and member.role == "reviewer"
    People(db).remember(11, "李四", None)
    UnansweredLog(db).record("天上有几颗星", 0.1, None, 11)
    AuditLog(db).record(12, "view", reference)
    row = submissions.by_reference(reference)
    assert row is not None
    review = ReviewStore(db)
    assert review.change_status(row.id, 12, "待核实", "核实中", "上门")
    assert not review.change_status(row.id, 12, "待核实", "核实中", "上门")
    prompts = StaffPrompts(db)
    prompts.set(12, row.id, "status", "已纳入监测")
    prompt = prompts.get(12)
    assert prompt is not None and prompt.value == "已纳入监测"
    assert prompts.clear(12)
    updates = UpdateLog(db)
    assert not updates.seen(5) and updates.record(5) and not updates.record(5)
    drafts.replace(13, "d0000013", "report", {})
    drafts.delete(13)
    assert ResidentData(db, ["report"]).delete(11) == (False, [], [reference])


def _same(submissions: SubmissionStore, reference: str) -> NewSubmission:
    row = submissions.by_reference(reference)
    fields = NewSubmission.__dataclass_fields__
    return NewSubmission(**{name: getattr(row, name) for name in fields})


def _stored(db: Database) -> tuple[int, ...]:
    from storage.models import StaffMember, StatusChange, Submission

    models = (Draft, Submission, StaffMember, Person, UnansweredQuestion, AuditEntry)
    return tuple(count(db, m) for m in (*models, StatusChange, ProcessedUpdate))


def test_every_repository_works_outside_a_unit_of_work(db):
    _every_repository_call(db)
    assert _stored(db) == (0, 1, 1, 0, 0, 3, 1, 1)


def test_every_repository_works_inside_a_unit_of_work_committed_once(db):
    with counted(db) as traffic, db.unit_of_work():
        _every_repository_call(db)
    assert (traffic.transactions, traffic.commits) == (1, 1)
    assert _stored(db) == (0, 1, 1, 0, 0, 3, 1, 1)


def test_a_unit_of_work_that_fails_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), db.unit_of_work():
        _every_repository_call(db)
        raise RuntimeError("crash")
    assert _stored(db) == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_bare_connection_commits_on_its_own_or_joins_the_unit_of_work_open_around_it(db):
    # Settling sent replies runs on `Database.connection` (Core statements, no ORM session):
    # alone it is one transaction of its own; inside a unit of work it is that transaction.
    outbox = Outbox(db)
    with db.unit_of_work():
        sent = outbox.add(1, RESIDENT, [Reply("您好")], claimed=True)
    with counted(db) as traffic:
        outbox.settle(Settlement(sent=[item.id for item in sent]))
    assert (traffic.transactions, traffic.commits) == (1, 1)
    assert outbox.pending() == []

    again = outbox.add(2, RESIDENT, [Reply("您好")], claimed=True)
    with pytest.raises(RuntimeError), db.unit_of_work():
        outbox.settle(Settlement(sent=[item.id for item in again]))
        raise RuntimeError("crash")
    assert [item.id for item in outbox.pending()] == [item.id for item in again]
