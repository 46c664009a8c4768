"""Named queries of the web console: one-time sign-in links, sessions, and the queue search.

Sign-in: `SignInTokens.issue` (the bot's /web) stores the SHA-256 of a random token and returns
the token for the link; `redeem` marks it used in one conditional UPDATE — unused and unexpired
— so of two browsers opening the same link at once exactly one gets the user id.

Sessions: `WebSessions.start` stores the SHA-256 of a random session id (the cookie) with a
CSRF token; `find` returns the row while it has been used within the idle limit (and deletes it
once it has not); `end` signs one out, `end_all` every browser of a user (a removed staff
member). Everything is in the database, so any number of web processes share it.

The queue search (`SubmissionSearch.page`) serves what `ReviewStore.pending` does not: closed
statuses and the age and township orders.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import SQLColumnExpression, delete, select, update
from sqlalchemy.sql.elements import ColumnElement

from storage.console_models import SignInToken, WebSession
from storage.database import Database
from storage.models import Submission, as_utc, utcnow
from storage.repository import QUEUE_COUNT_CAP, QueuePage, _changed, _count_upto


def digest(token: str) -> str:
    """How a token is stored: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SignInTokens:
    def __init__(self, db: Database):
        self.db = db

    def issue(self, user_id: int, lifetime: timedelta, now: datetime | None = None) -> str:
        """A new one-time token for `user_id` (stored hashed); expired ones are swept here."""
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.execute(delete(SignInToken).where(SignInToken.expires_at < now))
            session.add(
                SignInToken(
                    token_hash=digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return token

    def redeem(self, token: str, now: datetime | None = None) -> int | None:
        """The user the token was issued to, once: None when unknown, used or expired."""
        now = now or utcnow()
        hashed = digest(token)
        with self.db.session() as session:
            result = session.execute(
                update(SignInToken)
                .where(
                    SignInToken.token_hash == hashed,
                    SignInToken.used_at.is_(None),
                    SignInToken.expires_at > now,
                )
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            if _changed(result) != 1:
                return None
            return session.scalar(
                select(SignInToken.user_id).where(SignInToken.token_hash == hashed)
            )


@dataclass(frozen=True)
class OpenSession:
    user_id: int
    csrf: str


# A session's last use is written at most this often (not on every page view).
TOUCH_EVERY = timedelta(minutes=1)


# A session not used for this long is over (signed out by itself).
SESSION_IDLE = timedelta(hours=8)


class WebSessions:
    def __init__(self, db: Database, idle: timedelta = SESSION_IDLE):
        self.db = db
        self.idle = idle

    def start(self, user_id: int, now: datetime | None = None) -> tuple[str, str]:
        """A new session: (the session id for the cookie, its CSRF token)."""
        now = now or utcnow()
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.execute(delete(WebSession).where(WebSession.last_seen_at < now - self.idle))
            session.add(
                WebSession(
                    session_hash=digest(session_id),
                    user_id=user_id,
                    csrf=csrf,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return session_id, csrf

    def find(self, session_id: str, now: datetime | None = None) -> OpenSession | None:
        """The live session with this id (its last use noted), else None."""
        now = now or utcnow()
        hashed = digest(session_id)
        with self.db.session() as session:
            row = session.get(WebSession, hashed, populate_existing=True)
            if row is None:
                return None
            seen = as_utc(row.last_seen_at)
            if seen <= now - self.idle:
                session.delete(row)
                return None
            if now - seen >= TOUCH_EVERY:
                row.last_seen_at = now
            return OpenSession(row.user_id, row.csrf)

    def end(self, session_id: str) -> None:
        with self.db.session() as session:
            session.execute(delete(WebSession).where(WebSession.session_hash == digest(session_id)))

    def end_all(self, user_id: int) -> int:
        """Sign the user out everywhere; how many sessions ended."""
        with self.db.session() as session:
            return _changed(
                session.execute(delete(WebSession).where(WebSession.user_id == user_id))
            )


class SubmissionSearch:
    """Submissions matching a condition in a given order, a page at a time."""

    def __init__(self, db: Database):
        self.db = db

    def page(
        self,
        where: ColumnElement[bool],
        order_by: Sequence[SQLColumnExpression[Any]],
        offset: int,
        limit: int,
    ) -> QueuePage:
        """One page of the submissions matching `where` in `order_by` order; the total is
        counted up to `QUEUE_COUNT_CAP`, as for /pending."""
        with self.db.session() as session:
            counted = _count_upto(session, where, QUEUE_COUNT_CAP + 1)
            rows = list(
                session.scalars(
                    select(Submission).where(where).order_by(*order_by).offset(offset).limit(limit)
                )
            )
            return QueuePage(rows, min(counted, QUEUE_COUNT_CAP), counted > QUEUE_COUNT_CAP)
