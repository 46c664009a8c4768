"""The schema, as typed SQLAlchemy 2.x models. Migrations in `migrations/versions` create it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    status: Mapped[str] = mapped_column(String(20), default="待核实")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
