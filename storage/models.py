"""The schema, as typed SQLAlchemy 2.x models. Migrations in `migrations/versions` create it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Float, Index, Integer, String, Text
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
