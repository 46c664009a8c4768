"""The tables of teaching the bot: what staff taught or set aside, the answers residents were
given, their 👍 / 👎, and the answers that looked wrong.

Imported by `storage.models`, so the tables are part of `Base.metadata` wherever the models are;
created by migration 0010. Question texts are stored `redact`ed (as the unanswered log's), so
nothing here says who asked except the `user_id` kept for /mydata, /delete and the reviewers'
scope (never shown in a list).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

# Why an answer is doubtful (DoubtfulAnswer.reason).
COMPLAINED, REPHRASED, THUMBS_DOWN = "complaint", "rephrased", "thumbs_down"
REASONS = (COMPLAINED, REPHRASED, THUMBS_DOWN)


class LearnedPhrasing(Base):
    """A question staff linked to a knowledge entry: answered with it from then on, by every
    bot process, until `bot.py kb export-learned` writes it into the entry's YAML
    (`exported_at`) and `bot.py kb clear-exported` removes it once the YAML carries it.

    Ids are never reused (SQLite AUTOINCREMENT), so (count, highest id) changes with every
    phrasing added or removed: the bot's cheap check for something new."""

    __tablename__ = "learned_phrasings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    # SHA-256 of the text: one entry per phrasing (a text column is too long to index).
    text_key: Mapped[str] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(12))  # "unanswered" or "doubtful"
    added_by: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = ({"sqlite_autoincrement": True},)


class DismissedQuestion(Base):
    """A question staff marked out of scope: it leaves the lists (asked again, it stays out)
    and is never taught; the bot abstains on it (and on near rewordings of it) from then on,
    until an admin or whoever set it aside restores it (`TeachingQueue.restore`)."""

    __tablename__ = "dismissed_questions"

    text_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    dismissed_by: Mapped[int] = mapped_column(BigInteger)
    dismissed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GivenAnswer(Base):
    """A policy answer a resident was shown: what their 👍 / 👎 buttons point to, and what a
    following "不对" or rephrasing is about. Kept `GIVEN_MEMORY` (storage.learning)."""

    __tablename__ = "given_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[str] = mapped_column(String(80))
    question: Mapped[str | None] = mapped_column(Text)  # None: a tapped question button
    nearest: Mapped[list] = mapped_column(JSON, default=list)  # the runners-up' entry ids
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_given_answers_user_at", "user_id", "given_at"),
        Index("ix_given_answers_given_at", "given_at"),
    )


class AnswerVote(Base):
    """A resident's 👍 (+1) or 👎 (-1) on one answer: one per answer, a second tap changes it.
    No text and no user: the counts per entry outlive the answer they were given on."""

    __tablename__ = "answer_votes"

    answer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    vote: Mapped[int] = mapped_column(SmallInteger)
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DoubtfulAnswer(Base):
    """A question that was answered, and then the answer looked wrong: a "不对" right after
    it, an immediate rephrasing, or a 👎. Listed beside the unanswered questions."""

    __tablename__ = "doubtful_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[str] = mapped_column(String(80))  # the entry the bot answered with
    nearest: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    answer_id: Mapped[int | None] = mapped_column(Integer, unique=True)  # one per answer
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
