"""The web console's tables: one-time sign-in links and signed-in sessions.

Both hold secrets, so neither is stored as issued: the row's key is the SHA-256 of the random
token (a leaked database or backup signs nobody in). Imported by `storage.models`, so the
tables are part of `Base.metadata` wherever the models are; created by migration 0009.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class SignInToken(Base):
    """A one-time sign-in link sent by /web: valid until `expires_at`, usable once."""

    __tablename__ = "web_signin_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_web_signin_tokens_expires_at", "expires_at"),)


class WebSession(Base):
    """A signed-in browser: ends when signed out, idle too long, or its staff member is
    removed. `csrf` is the token every form of this session must carry."""

    __tablename__ = "web_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_web_sessions_user_id", "user_id"),
        Index("ix_web_sessions_last_seen_at", "last_seen_at"),
    )
