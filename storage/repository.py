"""Named queries; handlers and the core never compose SQL themselves.

Every method works alone (its own short transaction) and inside `Database.unit_of_work` (part
of the update's one transaction). So that a unit of work can carry on after a duplicate, writes
that may collide with another instance's use ON CONFLICT rather than catching IntegrityError."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock
from typing import Any, cast

from cachetools import TTLCache
from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage import crash_point
from storage.database import NOT_READ, Database
from storage.database import rows_changed as _changed
from storage.driver_sql import Prepared, bound
from storage.models import (
    OPEN_STATUSES,
    STATUS_NEW,
    AuditEntry,
    DeletionRequest,
    Draft,
    FloodMark,
    Person,
    ProcessedUpdate,
    StaffMember,
    StaffPrompt,
    StatusChange,
    Submission,
    UnansweredQuestion,
    utcnow,
)
from storage.redact import mask_numbers as mask_numbers  # where callers have always found it
from storage.redact import redact

# Stored question text is capped; a 10,000-character paste is kept only in part.
MAX_STORED_QUESTION = 1000

# How long the village step's list of a township's recorded villages is reused: a count over
# every submission of the township, which grows through the campaign, is not worth making at
# every village step for a list of suggestions (a village first recorded elsewhere just now
# is offered a minute later; typed, it is taken as typed meanwhile).
RECORDED_VILLAGES_FRESH_FOR = 60.0


def dialect_insert(db: Database):
    """The dialect's INSERT (both have ON CONFLICT … DO NOTHING / DO UPDATE)."""
    return postgresql_insert if db.backend == "postgresql" else sqlite_insert


_UNANSWERED = cast(Table, UnansweredQuestion.__table__)
_RECORD_UNANSWERED = Prepared(
    insert(_UNANSWERED).values(
        bound(_UNANSWERED, "text", "asked_at", "best_score", "best_entry_id", "user_id", "nearest")
    )
)


class UnansweredLog:
    """Questions the knowledge base could not answer, stored `redact`ed (phone- and ID-like
    numbers and person names masked), so staff improving the knowledge base never see who
    asked; the asker can see and delete theirs through /mydata and /delete."""

    def __init__(self, db: Database):
        self.db = db

    def record(
        self,
        text: str,
        best_score: float,
        best_entry_id: str | None,
        user_id: int | None,
        nearest: Sequence[str] = (),
    ) -> None:
        """`nearest`: the entries the bot found nearest, offered to staff to link it to."""
        values = {
            "text": redact(text[:MAX_STORED_QUESTION]),
            "asked_at": utcnow(),
            "best_score": best_score,
            "best_entry_id": best_entry_id,
            "user_id": user_id,
            "nearest": list(nearest),
        }
        with self.db.connection() as connection:  # every unanswered question: no ORM object
            _RECORD_UNANSWERED.run(connection, values)

    def most_frequent(self, limit: int = 20) -> list[tuple[str, int]]:
        with self.db.session() as session:
            rows = session.execute(
                select(UnansweredQuestion.text, func.count().label("n"))
                .group_by(UnansweredQuestion.text)
                .order_by(func.count().desc(), UnansweredQuestion.text)
                .limit(limit)
            )
            return [(text, n) for text, n in rows]

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(UnansweredQuestion)) or 0

    def of_user(self, user_id: int) -> list[str]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(UnansweredQuestion.text)
                    .where(UnansweredQuestion.user_id == user_id)
                    .order_by(UnansweredQuestion.id)
                )
            )


@dataclass(frozen=True)
class StoredDraft:
    draft_id: str
    dialog: str
    state: dict[str, Any]
    version: int


def stored_draft(row: Any) -> StoredDraft | None:
    """The draft in a row of the drafts' columns (None: no row, or a LEFT JOIN's empty one)."""
    if row is None or row.draft_id is None:
        return None
    return StoredDraft(row.draft_id, row.dialog, dict(row.state), row.version)


_DRAFTS = cast(Table, Draft.__table__)
# On the table, not the mapped class: read for every update, and a Core statement skips the
# ORM's per-statement work (about half the cost of a one-row read).
DRAFT_COLUMNS = ("draft_id", "dialog", "state", "version")  # what `stored_draft` reads
_LOAD_DRAFT = Prepared(
    select(*(_DRAFTS.c[name] for name in DRAFT_COLUMNS)).where(
        _DRAFTS.c.user_id == bindparam("user_id", type_=_DRAFTS.c.user_id.type)
    )
)
DRAFT_READ = "draft"  # (DRAFT_READ, user id): the draft read ahead (storage.update_reads)
_SAVE_DRAFT = Prepared(
    update(_DRAFTS)
    .where(
        _DRAFTS.c.user_id == bindparam("user", type_=_DRAFTS.c.user_id.type),
        _DRAFTS.c.version == bindparam("seen", type_=_DRAFTS.c.version.type),
    )
    .values(
        state=bindparam("new_state", type_=_DRAFTS.c.state.type),
        version=_DRAFTS.c.version + 1,
        updated_at=bindparam("now", type_=_DRAFTS.c.updated_at.type),
    )
)


class DraftStore:
    """The one dialog in progress per user, with a version for optimistic concurrency."""

    def __init__(self, db: Database):
        self.db = db

    def load(self, user_id: int) -> StoredDraft | None:
        ahead = self.db.read_before((DRAFT_READ, user_id))
        if ahead is not NOT_READ:
            return cast(StoredDraft | None, ahead)
        with self.db.connection() as connection:
            # Columns, not an ORM object: fresh from the database even when the unit of work
            # read it before an upsert, and the statement is built once (read every update).
            return stored_draft(_LOAD_DRAFT.run(connection, {"user_id": user_id}).first())

    def replace(self, user_id: int, draft_id: str, dialog: str, state: dict[str, Any]) -> None:
        """Start a new draft for the user at version 1 (any older draft is discarded).

        An upsert, so two instances starting a dialog for the same user at once do not collide."""
        values = {
            "user_id": user_id,
            "draft_id": draft_id,
            "dialog": dialog,
            "state": state,
            "version": 1,
            "updated_at": utcnow(),
        }
        with self.db.connection() as connection:
            upsert = dialect_insert(self.db)(Draft)
            connection.execute(
                upsert.values(**values).on_conflict_do_update(
                    index_elements=[Draft.user_id],
                    set_={k: v for k, v in values.items() if k != "user_id"},
                )
            )

    def save(self, user_id: int, state: dict[str, Any], version: int) -> int | None:
        """Store the new state if nobody else changed the draft since `version`; the new version."""
        values = {"user": user_id, "seen": version, "new_state": state, "now": utcnow()}
        with self.db.connection() as connection:
            changed = _SAVE_DRAFT.run(connection, values).rowcount
            crash_point("draft_saved")
            return version + 1 if changed == 1 else None

    def delete(self, user_id: int) -> None:
        with self.db.connection() as connection:
            connection.execute(delete(Draft).where(Draft.user_id == user_id))


@dataclass(frozen=True)
class NewSubmission:
    dialog: str
    draft_id: str
    submitted_by: int
    answers: dict[str, Any]
    township: str | None
    village: str | None
    contact_name: str | None
    phone: str | None
    household_size: int | None
    annual_income: int | None
    per_capita_income: int | None
    priority: str
    priority_reasons: list[str]


class StaleDraft(Exception):
    """The draft changed (or went) since it was read."""


def reference_for(submission_id: int) -> str:
    return f"FP{submission_id:06d}"


class SubmissionStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic):
        self.db = db
        # township → `villages_of` it, for `recorded_villages` (dialog steps in worker threads)
        self._villages: TTLCache[str, tuple[str, ...]] = TTLCache(
            maxsize=1024, ttl=RECORDED_VILLAGES_FRESH_FOR, timer=clock
        )
        self._villages_lock = Lock()

    def submit(self, new: NewSubmission, draft_version: int | None = None) -> tuple[str, bool]:
        """Store the submission and drop its draft, once per draft: (reference, newly created).

        With `draft_version`, the draft must still be at that version (else `StaleDraft`): the
        state being submitted is the one the user confirmed."""
        existing = self.reference_of_draft(new.draft_id)
        if existing is not None:
            return existing, False
        with self.db.connection() as connection:
            submission_id = connection.scalar(
                dialect_insert(self.db)(Submission)
                .values(**new.__dict__, status=STATUS_NEW)
                .on_conflict_do_nothing(index_elements=[Submission.draft_id])
                .returning(Submission.id)
            )
            if submission_id is None:  # another instance submitted the same draft a moment ago
                existing = self.reference_of_draft(new.draft_id)
                assert existing is not None, "a submission without a reference"
                return existing, False
            reference = reference_for(submission_id)
            connection.execute(
                update(Submission).where(Submission.id == submission_id).values(reference=reference)
            )
            condition = [Draft.user_id == new.submitted_by, Draft.draft_id == new.draft_id]
            if draft_version is not None:
                condition.append(Draft.version == draft_version)
            if (
                _changed(connection.execute(delete(Draft).where(*condition))) != 1
                and draft_version is not None
            ):
                raise StaleDraft
            return reference, True

    def villages_of(self, township: str, limit: int = 30) -> list[str]:
        """The villages already recorded in `township`, the most often recorded first."""
        with self.db.connection() as connection:
            rows = connection.execute(
                select(Submission.village, func.count().label("n"))
                .where(Submission.township == township, Submission.village.is_not(None))
                .group_by(Submission.village)
                .order_by(func.count().desc(), Submission.village)
                .limit(limit)
            )
            return [village for village, _ in rows if village]

    def recorded_villages(self, township: str) -> tuple[str, ...]:
        """`villages_of(township)` as read at most `RECORDED_VILLAGES_FRESH_FOR` seconds ago
        by this store: the dialog's village step asks at every prompt and every answer."""
        with self._villages_lock:
            known = self._villages.get(township)
        if known is None:
            known = tuple(self.villages_of(township))
            with self._villages_lock:
                self._villages[township] = known
        return known

    def reference_of_draft(self, draft_id: str, submitted_by: int | None = None) -> str | None:
        condition = [Submission.draft_id == draft_id]
        if submitted_by is not None:  # a user may only learn the reference of their own draft
            condition.append(Submission.submitted_by == submitted_by)
        with self.db.connection() as connection:
            return connection.scalar(select(Submission.reference).where(*condition))

    def of_user(self, user_id: int) -> list[Submission]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Submission)
                    .where(Submission.submitted_by == user_id)
                    .order_by(Submission.created_at.desc(), Submission.id.desc())
                )
            )

    def by_reference(self, reference: str) -> Submission | None:
        with self.db.session() as session:
            return session.scalar(select(Submission).where(Submission.reference == reference))

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Submission)) or 0


# Processed update ids are kept this long: far beyond any redelivery by Telegram.
UPDATE_MEMORY = timedelta(days=2)


class UpdateLog:
    """Remembers handled update ids so a redelivered update is ignored (for updates handled
    straight through `Assistant.handle`; the inbox's done flag does this for stored ones).

    `seen` before the work, `record` in the same unit of work at its end: when `record` finds
    the id taken, another instance handled the update meanwhile and the caller rolls back."""

    def __init__(self, db: Database):
        self.db = db

    def seen(self, update_id: int) -> bool:
        with self.db.session() as session:
            return session.get(ProcessedUpdate, update_id) is not None

    def record(self, update_id: int) -> bool:
        """Mark the update handled; False if it already was."""
        with self.db.session() as session:
            stored = session.scalar(
                dialect_insert(self.db)(ProcessedUpdate)
                .values(update_id=update_id, processed_at=utcnow())
                .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
                .returning(ProcessedUpdate.update_id)
            )
            if update_id % 500 == 0:
                session.execute(
                    delete(ProcessedUpdate).where(
                        ProcessedUpdate.processed_at < utcnow() - UPDATE_MEMORY
                    )
                )
            return stored is not None


class StaffDirectory:
    """The staff table: who holds which role, for which townships. Roles and scopes are built
    from these rows in `review.access`."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, user_id: int) -> StaffMember | None:
        with self.db.session() as session:
            return session.get(StaffMember, user_id)

    def add(self, user_id: int, role: str, townships: list[str], added_by: int | None) -> None:
        with self.db.session() as session:
            session.merge(
                StaffMember(user_id=user_id, role=role, townships=townships, added_by=added_by)
            )

    def remove(self, user_id: int) -> bool:
        with self.db.session() as session:
            result = session.execute(delete(StaffMember).where(StaffMember.user_id == user_id))
            return bool(_changed(result))

    def members(self) -> list[StaffMember]:
        with self.db.session() as session:
            return list(
                session.scalars(select(StaffMember).order_by(StaffMember.role, StaffMember.user_id))
            )


MAX_NAME = 128
MAX_USERNAME = 40
NAME_CACHE_SIZE = 10_000


class People:
    """The names users go by on Telegram, so staff see 王芳 rather than 6012345678.

    `remember` is called for every message, so it writes only when the name is new or changed:
    a small in-process cache of (user id, name, username) already stored skips the database
    entirely, and on a cache miss one upsert whose WHERE leaves an unchanged row alone. The
    cache only saves writes (another instance may hold a different one); it never decides what
    is shown. Names are personal data: never logged."""

    def __init__(self, db: Database):
        self.db = db
        self._stored: set[tuple[int, str, str | None]] = set()

    def remember(self, user_id: int, name: str, username: str | None) -> None:
        key = (user_id, name[:MAX_NAME], username and username[:MAX_USERNAME])
        if key in self._stored:
            return
        _, name, username = key
        upsert = dialect_insert(self.db)(Person)
        stmt = upsert.values(user_id=user_id, name=name, username=username, updated_at=utcnow())
        changed = or_(
            Person.name != stmt.excluded.name,
            Person.username.is_distinct_from(stmt.excluded.username),
        )
        with self.db.connection() as connection:
            connection.execute(
                stmt.on_conflict_do_update(
                    index_elements=[Person.user_id],
                    set_={
                        "name": stmt.excluded.name,
                        "username": stmt.excluded.username,
                        "updated_at": stmt.excluded.updated_at,
                    },
                    where=changed,
                )
            )
        # Cached once committed: a unit of work that rolls back leaves no row behind.
        self.db.after_commit(lambda: self._cache(key))

    def _cache(self, key: tuple[int, str, str | None]) -> None:
        if len(self._stored) >= NAME_CACHE_SIZE:
            self._stored.clear()
        self._stored.add(key)

    def forget(self, user_id: int) -> None:
        """Drop the cache entry after the stored name was deleted, so it is stored anew only
        if the user writes again."""
        self._stored = {key for key in self._stored if key[0] != user_id}

    def names(self, user_ids: Iterable[int | None]) -> dict[int, str]:
        """user id → name, for those of `user_ids` whose name is known."""
        wanted = {uid for uid in user_ids if uid is not None}
        if not wanted:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(Person.user_id, Person.name).where(Person.user_id.in_(sorted(wanted)))
            )
            return {user_id: name for user_id, name in rows}


# /pending counts the queue up to this many (and says "more than" beyond): counting every open
# submission of a district on each page would cost more than the page itself.
QUEUE_COUNT_CAP = 10_000


@dataclass(frozen=True)
class QueuePage:
    rows: list[Submission]
    total: int  # the open submissions matching, or QUEUE_COUNT_CAP when `more`
    more: bool  # there are more than `total`


def _open() -> ColumnElement[bool]:
    """status IN ('待核实', '核实中') with the values written into the SQL, as the partial
    queue indexes say it (storage.models.OPEN_CONDITION): SQLite uses them only then."""
    return Submission.status.in_(
        bindparam("open_statuses", list(OPEN_STATUSES), expanding=True, literal_execute=True)
    )


def _count_upto(session: Session, condition: ColumnElement[bool], cap: int) -> int:
    """How many submissions match `condition`, counting no further than `cap`."""
    matching = select(Submission.id).where(condition).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(matching)) or 0


class ReviewStore:
    """The staff side of submissions: the queue, status changes with history, assignment."""

    def __init__(self, db: Database):
        self.db = db

    def pending(
        self, where: ColumnElement[bool], levels: Sequence[str], offset: int, limit: int
    ) -> QueuePage:
        """Open submissions matching `where`, most urgent of `levels` first, then oldest.

        One priority level at a time (then any level not in `levels`), each read in (created_at,
        id) order from the queue indexes, so no query sorts the whole queue: a page costs what
        lies before it, not what the table holds. The total is counted up to `QUEUE_COUNT_CAP`."""
        condition = and_(where, _open())
        buckets = [Submission.priority == level for level in levels]
        buckets.append(Submission.priority.not_in(levels))
        with self.db.session() as session:
            counted = _count_upto(session, condition, QUEUE_COUNT_CAP + 1)
            rows: list[Submission] = []
            skip = offset
            for bucket in buckets:
                if len(rows) >= limit or skip >= counted:
                    break
                found = session.scalars(
                    select(Submission)
                    .where(condition, bucket)
                    .order_by(Submission.created_at, Submission.id)
                    .offset(skip)
                    .limit(limit - len(rows))
                ).all()
                rows.extend(found)
                if found:
                    skip = 0
                elif skip:  # the whole level lies before this page: how much of it (< skip)
                    skip -= _count_upto(session, and_(condition, bucket), skip)
            return QueuePage(rows, min(counted, QUEUE_COUNT_CAP), counted > QUEUE_COUNT_CAP)

    def get(self, submission_id: int) -> Submission | None:
        with self.db.session() as session:
            return session.get(Submission, submission_id)

    def history(self, submission_id: int) -> list[StatusChange]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(StatusChange)
                    .where(StatusChange.submission_id == submission_id)
                    .order_by(StatusChange.changed_at, StatusChange.id)
                )
            )

    def change_status(
        self, submission_id: int, actor: int, expected: str, to_status: str, note: str
    ) -> bool:
        """Move the submission from `expected` to `to_status`, with a history and an audit row,
        in one transaction. False when someone else changed the status first."""
        with self.db.session() as session:
            now = utcnow()
            result = session.execute(
                update(Submission)
                .where(Submission.id == submission_id, Submission.status == expected)
                .values(status=to_status, updated_at=now)
            )
            if _changed(result) != 1:
                return False
            reference = session.scalar(
                select(Submission.reference).where(Submission.id == submission_id)
            )
            session.add(
                StatusChange(
                    submission_id=submission_id,
                    changed_by=actor,
                    changed_at=now,
                    from_status=expected,
                    to_status=to_status,
                    note=note,
                )
            )
            session.add(
                AuditEntry(
                    actor_id=actor,
                    action="status",
                    target=reference,
                    detail=f"{expected} → {to_status}：{note}",
                )
            )
            return True

    def assign(self, submission_id: int, actor: int, cadre_id: int, note: str) -> bool:
        """Record the assignment with a history and an audit row, both saying `note` (whom the
        caller assigned, and why); False when the submission is gone (the resident deleted it
        meanwhile)."""
        with self.db.session() as session:
            row = session.get(Submission, submission_id)
            if row is None:
                return False
            now = utcnow()
            row.assigned_to = cadre_id
            row.updated_at = now
            session.add(
                StatusChange(
                    submission_id=submission_id,
                    changed_by=actor,
                    changed_at=now,
                    from_status=row.status,
                    to_status=row.status,
                    note=note,
                )
            )
            session.add(
                AuditEntry(
                    actor_id=actor,
                    action="assign",
                    target=row.reference,
                    detail=note,
                )
            )
            return True

    def deletion_requested(self, submission_id: int) -> bool:
        with self.db.session() as session:
            return bool(
                session.scalar(
                    select(func.count())
                    .select_from(DeletionRequest)
                    .where(DeletionRequest.submission_id == submission_id)
                )
            )


class AuditLog:
    def __init__(self, db: Database):
        self.db = db

    def record(
        self, actor_id: int, action: str, target: str | None, detail: str | None = None
    ) -> None:
        with self.db.session() as session:
            session.add(
                AuditEntry(
                    actor_id=actor_id,
                    action=action[:30],
                    target=target and target[:60],
                    detail=detail,
                )
            )

    def latest(self, limit: int = 20) -> list[AuditEntry]:
        with self.db.session() as session:
            return list(
                session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
            )


_PROMPTS = cast(Table, StaffPrompt.__table__)
PROMPT_READ = "staff_prompt"  # (PROMPT_READ, user id): read ahead (storage.update_reads)
_GET_PROMPT = Prepared(
    select(*_PROMPTS.columns).where(
        _PROMPTS.c.user_id == bindparam("user_id", type_=_PROMPTS.c.user_id.type)
    )
)


def staff_prompt(row: Any) -> StaffPrompt | None:
    """The prompt in a row of the prompts' columns (None: no row, or a LEFT JOIN's empty one)."""
    if row is None or row.submission_id is None:
        return None
    return StaffPrompt(
        user_id=row.user_id,
        submission_id=row.submission_id,
        action=row.action,
        value=row.value,
        created_at=row.created_at,
    )


class StaffPrompts:
    """What a staff member was asked to type next (the note of a status change)."""

    def __init__(self, db: Database):
        self.db = db

    def set(self, user_id: int, submission_id: int, action: str, value: str) -> None:
        with self.db.session() as session:
            session.execute(delete(StaffPrompt).where(StaffPrompt.user_id == user_id))
            session.add(
                StaffPrompt(
                    user_id=user_id, submission_id=submission_id, action=action, value=value
                )
            )

    def get(self, user_id: int) -> StaffPrompt | None:
        # Read for every plain text anybody types (is it a staff member's note?): a statement
        # built once, and an object made only for the rare staff member with a prompt.
        ahead = self.db.read_before((PROMPT_READ, user_id))
        if ahead is not NOT_READ:
            return cast(StaffPrompt | None, ahead)
        with self.db.connection() as connection:
            row = _GET_PROMPT.run(connection, {"user_id": user_id}).first()
        return staff_prompt(row)

    def clear(self, user_id: int) -> bool:
        with self.db.session() as session:
            return (
                _changed(session.execute(delete(StaffPrompt).where(StaffPrompt.user_id == user_id)))
                > 0
            )


class ResidentData:
    """What is stored about one resident, and deleting it by the rule in /delete.

    `own_dialogs` names the dialogs whose records are about their submitter (self-reports);
    records a cadre made of someone else's household are not the submitter's data."""

    def __init__(self, db: Database, own_dialogs: Sequence[str]):
        self.db = db
        self.own_dialogs = tuple(own_dialogs)

    def reports(self, user_id: int) -> list[Submission]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Submission)
                    .where(
                        Submission.submitted_by == user_id,
                        Submission.dialog.in_(self.own_dialogs),
                    )
                    .order_by(Submission.id)
                )
            )

    def delete(self, user_id: int) -> tuple[bool, list[str], list[str]]:
        """Drop the draft and the reports still 待核实; request deletion of the rest.
        Returns (draft deleted, references deleted, references with a deletion request)."""
        deleted: list[str] = []
        requested: list[str] = []
        with self.db.session() as session:
            had_draft = _changed(session.execute(delete(Draft).where(Draft.user_id == user_id))) > 0
            session.execute(delete(Person).where(Person.user_id == user_id))
            session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.user_id == user_id))
            rows = session.scalars(
                select(Submission).where(
                    Submission.submitted_by == user_id, Submission.dialog.in_(self.own_dialogs)
                )
            )
            for row in rows:
                reference = row.reference or reference_for(row.id)
                if row.status == STATUS_NEW:
                    deleted.append(reference)
                    session.delete(row)
                    continue
                already = session.scalar(
                    select(func.count())
                    .select_from(DeletionRequest)
                    .where(DeletionRequest.submission_id == row.id)
                )
                if not already:
                    session.add(DeletionRequest(submission_id=row.id, requested_by=user_id))
                requested.append(reference)
            if deleted or requested:
                session.add(
                    AuditEntry(
                        actor_id=user_id,
                        action="delete_request",
                        target=None,
                        detail=(
                            f"删除：{'、'.join(deleted) or '无'}；"
                            f"申请删除：{'、'.join(requested) or '无'}"
                        ),
                    )
                )
        return had_draft, deleted, requested


class FloodLog:
    """Each user's recent updates, for flood control (`assistant.flood`): in the database so
    that every bot process behind one webhook counts the same user's updates together."""

    SERVE, WARN, DROP = "serve", "warn", "drop"

    def __init__(self, db: Database):
        self.db = db

    def admit(self, user_id: int, now: datetime, limit: int, window: timedelta) -> str:
        """SERVE (and count) the update, WARN once when the user went over `limit` updates
        within `window`, or DROP it. Marks older than the window are deleted on the way."""
        with self.db.session():  # one transaction for both (or the unit of work's)
            verdict = self.verdict(user_id, now, limit, window)
            if verdict != self.DROP:
                self.count(user_id, now, verdict, window)
        return verdict

    def verdict(self, user_id: int, now: datetime, limit: int, window: timedelta) -> str:
        """What `admit` would answer, without counting (reads only: inside a unit of work on
        SQLite it takes no write lock, so the update can be answered before `count`)."""
        with self.db.session() as session:
            kinds = session.scalars(
                select(FloodMark.kind).where(
                    FloodMark.user_id == user_id, FloodMark.at > now - window
                )
            ).all()
        if kinds.count("msg") < limit:
            return self.SERVE
        return self.WARN if "warn" not in kinds else self.DROP

    def count(self, user_id: int, now: datetime, verdict: str, window: timedelta) -> None:
        """Count an update served (or the one warning given); older marks are deleted."""
        with self.db.session() as session:
            session.execute(
                delete(FloodMark).where(FloodMark.user_id == user_id, FloodMark.at <= now - window)
            )
            session.execute(
                insert(FloodMark).values(
                    user_id=user_id, at=now, kind="msg" if verdict == self.SERVE else "warn"
                )
            )
