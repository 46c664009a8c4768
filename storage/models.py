"""The schema, as typed SQLAlchemy 2.x models. Migrations in `migrations/versions` create it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import overload

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The values of Submission.status, in workflow order (review.workflow says which moves are allowed).
STATUS_NEW, STATUS_CHECKING = "待核实", "核实中"
STATUS_INCLUDED, STATUS_NOT_ELIGIBLE, STATUS_REFERRED = "已纳入监测", "不符合条件", "已转办"
STATUSES = (STATUS_NEW, STATUS_CHECKING, STATUS_INCLUDED, STATUS_NOT_ELIGIBLE, STATUS_REFERRED)
OPEN_STATUSES = (STATUS_NEW, STATUS_CHECKING)
# The condition of the partial indexes that serve the /pending queue. SQLite uses a partial index
# only when the query's WHERE holds this very term, so `ReviewStore.pending` renders its status
# condition with literal values (not bound parameters), in this order.
OPEN_CONDITION = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


def _open_queue_index(name: str, *leading: str) -> Index:
    """A partial index over the open submissions in queue order (priority, age), after the
    `leading` columns a filter fixes; status last, so a filter on it is read from the index."""
    where = text(OPEN_CONDITION)
    return Index(
        name,
        *leading,
        "priority",
        "created_at",
        "id",
        "status",
        sqlite_where=where,
        postgresql_where=where,
    )


# The conditions of the partial indexes the inbox and outbox sweeps read (storage/inbox.py).
INBOX_WAITING = "done_at IS NULL"
OUTBOX_PENDING = "sent_at IS NULL AND failed_at IS NULL"

# Timestamps are stored in UTC and shown to people in China Standard Time.
LOCAL_TZ = timezone(timedelta(hours=8), "北京时间")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite returns the UTC moment it stored, naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@overload
def to_local(moment: datetime) -> datetime: ...
@overload
def to_local(moment: None) -> None: ...
def to_local(moment: datetime | None) -> datetime | None:
    """A stored timestamp as naive local time to the minute (SQLite returns naive UTC)."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)


class Base(DeclarativeBase):
    pass


class UnansweredQuestion(Base):
    """A question the knowledge base could not answer confidently, kept for staff to improve it."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    best_score: Mapped[float] = mapped_column(Float)
    best_entry_id: Mapped[str | None] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    # The entries the bot found nearest (ids, best first), offered to staff to link it to.
    nearest: Mapped[list | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_unanswered_asked_at", "asked_at"),)


class Draft(Base):
    """A dialog in progress: one per user, rewritten after every accepted step."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    draft_id: Mapped[str] = mapped_column(String(16))
    dialog: Mapped[str] = mapped_column(String(40))
    state: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Submission(Base):
    """A submitted dialog: a resident's self-report or a cadre's visit record."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    dialog: Mapped[str] = mapped_column(String(40))
    draft_id: Mapped[str] = mapped_column(String(16), unique=True)  # one submission per draft
    submitted_by: Mapped[int] = mapped_column(BigInteger, index=True)
    township: Mapped[str | None] = mapped_column(String(40), index=True)
    village: Mapped[str | None] = mapped_column(String(60))
    contact_name: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(30))
    household_size: Mapped[int | None] = mapped_column(Integer)
    annual_income: Mapped[int | None] = mapped_column(BigInteger)
    per_capita_income: Mapped[int | None] = mapped_column(BigInteger)
    priority: Mapped[str] = mapped_column(String(20))
    priority_reasons: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=STATUS_NEW, index=True)
    assigned_to: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # The /pending queue, one priority level at a time in (created_at, id) order: for everyone,
    # and for one township. Open submissions only (a fraction of the table); status last, so a
    # filter on it is read from the index.
    __table_args__ = (
        _open_queue_index("ix_submissions_queue"),
        _open_queue_index("ix_submissions_township_queue", "township"),
        Index("ix_submissions_assigned_to", "assigned_to"),  # a cadre's queue
        Index("ix_submissions_township_village", "township", "village"),  # villages_of
    )


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so a redelivered update is not applied twice."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffMember(Base):
    """A user with a staff role: admin, reviewer (scoped to townships) or cadre."""

    __tablename__ = "staff"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(20))
    townships: Mapped[list] = mapped_column(JSON, default=list)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Person(Base):
    """The name a user goes by on Telegram (full name, else @username), so that staff see 王芳
    rather than 6012345678. Written when someone writes to the bot under a new or changed
    name; personal data, never logged."""

    __tablename__ = "people"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(130))
    username: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatusChange(Base):
    """One step of a submission's status workflow (or an assignment): never overwritten."""

    __tablename__ = "status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    changed_by: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who viewed, exported or changed what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(30))
    target: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(Text)


class DeletionRequest(Base):
    """A resident asked to delete a submission that is already under review."""

    __tablename__ = "deletion_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffPrompt(Base):
    """A staff member's pending input (the note for a status change they just chose)."""

    __tablename__ = "staff_prompts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FloodMark(Base):
    """One update a user sent ("msg") or the one slow-down message they got ("warn"), kept
    for the flood-control window only (assistant.flood)."""

    __tablename__ = "flood_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(4))

    __table_args__ = (Index("ix_flood_marks_user_at", "user_id", "at"),)


class InboxEntry(Base):
    """An update as received, stored before Telegram is told it arrived; `done_at` is set in
    the transaction that applied it (and the content then dropped: only the id is kept, so a
    redelivery is recognised)."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    incoming: Mapped[dict | None] = mapped_column(JSON)  # the `Incoming`, as JSON
    origin: Mapped[dict | None] = mapped_column(JSON)  # what the adapter needs to answer it
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Failed attempts to apply it (an update that keeps failing is given up after a few).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    __table_args__ = (
        Index("ix_inbox_received_at", "received_at"),
        # The sweep's question: which updates are received and not applied?
        Index(
            "ix_inbox_waiting",
            "received_at",
            sqlite_where=text(INBOX_WAITING),
            postgresql_where=text(INBOX_WAITING),
        ),
    )


class OutboxEntry(Base):
    """One reply to send, written in the transaction that produced it; sent in `id` order per
    chat. Once sent (or failed for good) its content is dropped."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    update_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # the chat the update came from
    reply: Mapped[dict | None] = mapped_column(JSON)  # the `Reply`, as JSON
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)  # a document's or photo's bytes
    origin: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(200))
    # Sending attempts that failed on the way (network); the next is not tried before
    # `next_attempt_at` (None: at once).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # The sweep's question: which replies are neither sent nor failed? (in id order)
        Index(
            "ix_outbox_pending",
            "id",
            sqlite_where=text(OUTBOX_PENDING),
            postgresql_where=text(OUTBOX_PENDING),
        ),
    )


# --- the web console; photos sent with a dialog ---------------------------------------------------
# Their tables live in modules of their own; imported here so that `Base.metadata` holds them
# wherever the models are imported (migrations, tests, `compare_metadata`). Plain imports:
# they also work when such a module is imported first (and imports this one).
import storage.attachments  # noqa: E402
import storage.console_models  # noqa: E402, F401

# The same for the tables of teaching the bot (storage.learning).
import storage.learning_models as learning_models  # noqa: E402, F401
