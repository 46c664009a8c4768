"""Named queries of teaching the bot (tables in `storage.learning_models`).

- `LearnedPhrasings`: the phrasings staff taught. `version()`, `phrasings()` and `set_aside()`
  (the questions dismissed) are what the knowledge base asks at question time
  (knowledge.learned.LearnedSource); `add`, `listed`, `unexported`, `mark_exported`, `remove`
  serve staff and `bot.py kb`.
- `TeachingQueue`: the questions waiting for staff — unanswered, and answered but doubtful —
  grouped by their (redacted) text, most asked first, within the caller's reach (`Askers`:
  everyone, or the residents of some townships); and what a decision does to them: linked or
  dismissed, every row of that text leaves both lists.
- `AnswerLog`: the answers residents were shown (what 👍 / 👎 and a following "不对" refer
  to), their votes, and the doubtful ones; the counts per entry for staff.

A resident's rows here go with /delete (`forget_user`) and are listed by /mydata
(`questions_of`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    SQLColumnExpression,
    Table,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    null,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from storage.database import NOT_READ, Database
from storage.driver_sql import Prepared, bound
from storage.learning_models import (
    REASONS,
    THUMBS_DOWN,
    AnswerVote,
    DismissedQuestion,
    DoubtfulAnswer,
    GivenAnswer,
    LearnedPhrasing,
)
from storage.models import Submission, UnansweredQuestion, as_utc, utcnow
from storage.redact import redact
from storage.repository import MAX_STORED_QUESTION, _changed, dialect_insert

# Given answers are kept this long: their 👍 / 👎 buttons work until then.
GIVEN_MEMORY = timedelta(days=3)
UNANSWERED, DOUBTFUL = "u", "d"  # the two lists (in callback data: keep them one letter)


def text_key(text: str) -> str:
    """The key of a stored question text: its SHA-256 (hex)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Askers:
    """Whose questions a staff member may read: everyone's (`townships` None: admins) or
    those of the residents of some townships — whoever submitted a record there (a report,
    or a cadre's visit). Someone who never submitted belongs to no township: admins only."""

    townships: frozenset[str] | None = None

    def condition(self, user_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
        if self.townships is None:
            return true()
        residents = select(Submission.submitted_by).where(
            Submission.township.in_(sorted(self.townships))
        )
        return user_id.in_(residents)


EVERYONE = Askers()


# --- what was taught ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Taught:
    id: int
    entry_id: str
    text: str
    origin: str
    added_by: int
    added_at: datetime
    exported_at: datetime | None


def _taught(row: LearnedPhrasing) -> Taught:
    return Taught(
        row.id, row.entry_id, row.text, row.origin, row.added_by, row.added_at, row.exported_at
    )


# Read before every question (each process re-indexes when it changes): built once, on the
# table (a Core statement skips the ORM's per-statement work).
_LEARNED = cast(Table, LearnedPhrasing.__table__)
# (labelled: storage.update_reads reads it as a one-row table beside the user's rows)
_DISMISSED = cast(Table, DismissedQuestion.__table__)
# (a question set aside may be restored: their count and the latest time they were set aside
# change with every one added or restored)
VERSION = select(
    func.count(_LEARNED.c.id).label("taught"),
    func.max(_LEARNED.c.id).label("highest_taught"),
    select(func.count()).select_from(_DISMISSED).scalar_subquery().label("set_aside"),
    select(func.max(_DISMISSED.c.dismissed_at)).scalar_subquery().label("latest_set_aside"),
)
VERSION_READ = "learned_version"  # read ahead (storage.update_reads)
_READ_VERSION = Prepared(VERSION)


class LearnedPhrasings:
    def __init__(self, db: Database):
        self.db = db

    def version(self) -> tuple[int, int, int, object]:
        """(how many, the highest id, how many questions set aside, the latest time one was):
        changes with every phrasing added or removed and every question set aside or
        restored."""
        ahead = self.db.read_before(VERSION_READ)
        if ahead is not NOT_READ:
            return cast(tuple[int, int, int, object], ahead)
        with self.db.connection() as connection:
            count, highest, set_aside, latest = _READ_VERSION.run(connection).one()
        return count or 0, highest or 0, set_aside or 0, latest

    def phrasings(self) -> list[tuple[str, str]]:
        """Every taught phrasing as (entry id, text), oldest first."""
        with self.db.session() as session:
            rows = session.execute(
                select(LearnedPhrasing.entry_id, LearnedPhrasing.text).order_by(LearnedPhrasing.id)
            )
            return [(entry_id, text) for entry_id, text in rows]

    def set_aside(self) -> list[str]:
        """Every question staff set aside as one the documents do not answer (`TeachingQueue.
        dismiss`): the bot abstains on them."""
        with self.db.session() as session:
            return list(session.scalars(select(_DISMISSED.c.text)))

    def add(self, text: str, entry_id: str, origin: str, actor: int) -> None:
        """Teach `text` as a phrasing of `entry_id`; taught before (to this or another entry),
        it is taught anew (a new row, so the version changes). Two staff members teaching the
        same text at once: the first to commit stands (ON CONFLICT, as the repositories write)."""
        key = text_key(text)
        with self.db.session() as session:
            session.execute(delete(LearnedPhrasing).where(LearnedPhrasing.text_key == key))
            session.execute(
                dialect_insert(self.db)(LearnedPhrasing)
                .values(
                    entry_id=entry_id,
                    text=text,
                    text_key=key,
                    origin=origin,
                    added_by=actor,
                    added_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=[LearnedPhrasing.text_key])
            )

    def listed(self, limit: int | None = None) -> list[Taught]:
        """The taught phrasings, newest first."""
        with self.db.session() as session:
            query = select(LearnedPhrasing).order_by(LearnedPhrasing.id.desc()).limit(limit)
            return [_taught(row) for row in session.scalars(query)]

    def get(self, phrasing_id: int) -> Taught | None:
        with self.db.session() as session:
            row = session.get(LearnedPhrasing, phrasing_id)
            return None if row is None else _taught(row)

    def unexported(self) -> list[Taught]:
        with self.db.session() as session:
            rows = session.scalars(
                select(LearnedPhrasing)
                .where(LearnedPhrasing.exported_at.is_(None))
                .order_by(LearnedPhrasing.id)
            )
            return [_taught(row) for row in rows]

    def mark_exported(self, ids: Sequence[int], when: datetime | None = None) -> None:
        with self.db.session() as session:
            for row in session.scalars(select(LearnedPhrasing).where(LearnedPhrasing.id.in_(ids))):
                row.exported_at = when or utcnow()

    def remove(self, ids: Sequence[int]) -> int:
        with self.db.session() as session:
            return _changed(
                session.execute(delete(LearnedPhrasing).where(LearnedPhrasing.id.in_(ids)))
            )


# --- the questions waiting for staff ----------------------------------------------------------


@dataclass(frozen=True)
class QuestionGroup:
    """One question as staff see it: every row of the same text in one list, counted."""

    kind: str  # UNANSWERED or DOUBTFUL
    row_id: int  # its first row: the handle a button or form names it by
    text: str
    count: int
    nearest: tuple[str, ...]  # entry ids, nearest first
    entry_id: str | None = None  # DOUBTFUL: the entry the bot answered with
    reasons: dict[str, int] = field(default_factory=dict)  # DOUBTFUL: why, how often


@dataclass(frozen=True)
class Dismissed:
    text: str
    dismissed_by: int
    dismissed_at: datetime

    @property
    def key(self) -> str:
        """What names it in a form (`TeachingQueue.restore`)."""
        return text_key(self.text)


def _dismissed(row: DismissedQuestion) -> Dismissed:
    return Dismissed(row.text, row.dismissed_by, row.dismissed_at)


class TeachingQueue:
    def __init__(self, db: Database):
        self.db = db

    def _unanswered_groups(self, askers: Askers):
        return (
            select(
                func.min(UnansweredQuestion.id).label("row_id"),
                UnansweredQuestion.text,
                func.count().label("n"),
            )
            .where(
                askers.condition(UnansweredQuestion.user_id),
                ~exists().where(DismissedQuestion.text == UnansweredQuestion.text),
            )
            .group_by(UnansweredQuestion.text)
        )

    def _doubtful_groups(self, askers: Askers):
        def counted(reason: str):
            return func.sum(case((DoubtfulAnswer.reason == reason, 1), else_=0))

        return (
            select(
                func.min(DoubtfulAnswer.id).label("row_id"),
                DoubtfulAnswer.question,
                DoubtfulAnswer.entry_id,
                func.count().label("n"),
                *(counted(reason).label(reason) for reason in REASONS),
            )
            .where(
                askers.condition(DoubtfulAnswer.user_id),
                ~exists().where(DismissedQuestion.text == DoubtfulAnswer.question),
            )
            .group_by(DoubtfulAnswer.question, DoubtfulAnswer.entry_id)
        )

    def counts(self, askers: Askers) -> tuple[int, int]:
        """How many unanswered and how many doubtful questions `askers` reach."""
        with self.db.session() as session:
            unanswered = session.scalar(
                select(func.count()).select_from(self._unanswered_groups(askers).subquery())
            )
            doubtful = session.scalar(
                select(func.count()).select_from(self._doubtful_groups(askers).subquery())
            )
        return unanswered or 0, doubtful or 0

    def unanswered(self, askers: Askers, offset: int = 0, limit: int = 20) -> list[QuestionGroup]:
        """The unanswered questions, most asked first."""
        groups = self._unanswered_groups(askers).subquery()
        with self.db.session() as session:
            rows = session.execute(
                select(groups.c.row_id, groups.c.text, groups.c.n)
                .order_by(groups.c.n.desc(), groups.c.text)
                .offset(offset)
                .limit(limit)
            ).all()
            nearest = self._nearest(session, UnansweredQuestion, [r.row_id for r in rows])
        return [
            QuestionGroup(UNANSWERED, r.row_id, r.text, r.n, nearest.get(r.row_id, ()))
            for r in rows
        ]

    def doubtful(self, askers: Askers, offset: int = 0, limit: int = 20) -> list[QuestionGroup]:
        """The answers that looked wrong, most often first."""
        groups = self._doubtful_groups(askers).subquery()
        with self.db.session() as session:
            rows = session.execute(
                select(groups)
                .order_by(groups.c.n.desc(), groups.c.question, groups.c.entry_id)
                .offset(offset)
                .limit(limit)
            ).all()
            nearest = self._nearest(session, DoubtfulAnswer, [r.row_id for r in rows])
        return [self._doubtful_group(r, nearest) for r in rows]

    @staticmethod
    def _nearest(session, table, ids: list[int]) -> dict[int, tuple[str, ...]]:
        """The entries nearest to these rows' questions; for an unanswered question stored
        before they were kept (migration 0010), the nearest one it was stored with."""
        if not ids:
            return {}
        best = table.best_entry_id if table is UnansweredQuestion else null()
        found = session.execute(select(table.id, table.nearest, best).where(table.id.in_(ids)))
        return {
            row_id: tuple(str(e) for e in near) if near else ((first,) if first else ())
            for row_id, near, first in found
        }

    def group(self, kind: str, row_id: int, askers: Askers) -> QuestionGroup | None:
        """The question one of whose rows is `row_id`, as the lists show it, if `askers` reach
        it and nobody decided on it meanwhile; else None."""
        with self.db.session() as session:
            if kind == UNANSWERED:
                text = session.scalar(
                    select(UnansweredQuestion.text).where(UnansweredQuestion.id == row_id)
                )
                if text is None:
                    return None
                groups = self._unanswered_groups(askers).where(UnansweredQuestion.text == text)
                row = session.execute(groups).first()
                if row is None:
                    return None
                nearest = self._nearest(session, UnansweredQuestion, [row.row_id])
                return QuestionGroup(
                    UNANSWERED, row.row_id, row.text, row.n, nearest.get(row.row_id, ())
                )
            if kind != DOUBTFUL:
                return None
            found = session.execute(
                select(DoubtfulAnswer.question, DoubtfulAnswer.entry_id).where(
                    DoubtfulAnswer.id == row_id
                )
            ).first()
            if found is None:
                return None
            groups = self._doubtful_groups(askers).where(
                DoubtfulAnswer.question == found.question,
                DoubtfulAnswer.entry_id == found.entry_id,
            )
            row = session.execute(groups).first()
            if row is None:
                return None
            return self._doubtful_group(row, self._nearest(session, DoubtfulAnswer, [row.row_id]))

    @staticmethod
    def _doubtful_group(row, nearest: dict[int, tuple[str, ...]]) -> QuestionGroup:
        return QuestionGroup(
            DOUBTFUL,
            row.row_id,
            row.question,
            row.n,
            nearest.get(row.row_id, ()),
            row.entry_id,
            {reason: int(getattr(row, reason) or 0) for reason in REASONS},
        )

    def settle(self, text: str) -> int:
        """Every unanswered and doubtful row of this text leaves the lists (a decision was
        made on it); how many rows."""
        with self.db.session() as session:
            gone = _changed(
                session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.text == text))
            )
            gone += _changed(
                session.execute(delete(DoubtfulAnswer).where(DoubtfulAnswer.question == text))
            )
        return gone

    def dismiss(self, text: str, actor: int) -> None:
        """Out of scope: this text leaves the lists now and whenever it is asked again."""
        values = {
            "text_key": text_key(text),
            "text": text,
            "dismissed_by": actor,
            "dismissed_at": utcnow(),
        }
        with self.db.session() as session:
            session.execute(
                dialect_insert(self.db)(DismissedQuestion)
                .values(**values)
                .on_conflict_do_nothing(index_elements=[DismissedQuestion.text_key])
            )
        self.settle(text)

    def restore(self, key: str) -> bool:
        """Take back a question set aside (by its `Dismissed.key`): the bot may answer it
        again, and lists it again when it cannot. False when no question is set aside so."""
        with self.db.session() as session:
            return bool(
                _changed(
                    session.execute(
                        delete(DismissedQuestion).where(DismissedQuestion.text_key == key)
                    )
                )
            )

    def key_starting(self, prefix: str) -> str | None:
        """The key of the one question set aside whose key starts with `prefix` (letters and
        digits only: a button holds half a key), or None (none, or more than one)."""
        with self.db.session() as session:
            keys = session.scalars(
                select(DismissedQuestion.text_key)
                .where(DismissedQuestion.text_key.startswith(prefix, autoescape=True))
                .limit(2)
            ).all()
        return keys[0] if len(keys) == 1 else None

    def set_aside_by(self, key: str) -> Dismissed | None:
        """The question set aside with this `Dismissed.key`, if any."""
        with self.db.session() as session:
            row = session.get(DismissedQuestion, key)
            return None if row is None else _dismissed(row)

    def dismissed(self, limit: int | None = 50) -> list[Dismissed]:
        with self.db.session() as session:
            rows = session.scalars(
                select(DismissedQuestion)
                .order_by(DismissedQuestion.dismissed_at.desc())
                .limit(limit)
            )
            return [_dismissed(row) for row in rows]


# --- answers given, votes and doubts --------------------------------------------------------


@dataclass(frozen=True)
class Given:
    id: int
    user_id: int
    entry_id: str
    question: str | None
    nearest: tuple[str, ...]
    given_at: datetime


@dataclass(frozen=True)
class EntryFeedback:
    entry_id: str
    up: int = 0
    down: int = 0
    doubted: int = 0  # "不对" or a rephrasing right after the answer


def given_answer(row: Any) -> Given:
    return Given(
        row.id,
        row.user_id,
        row.entry_id,
        row.question,
        tuple(row.nearest or ()),
        row.given_at,
    )


GIVEN = cast(Table, GivenAnswer.__table__)
FORGET_EVERY = 500
_GIVE = Prepared(
    insert(GIVEN)
    .values(bound(GIVEN, "user_id", "entry_id", "question", "nearest", "given_at"))
    .returning(GIVEN.c.id)
)
# In the order of the (user_id, given_at) index: its last entry, no sort of the user's answers.
LATEST_READ = "latest_answer"  # (LATEST_READ, user id): the last answer, read ahead
_LATEST = Prepared(
    select(GIVEN)
    .where(
        GIVEN.c.user_id == bindparam("user_id", type_=GIVEN.c.user_id.type),
        GIVEN.c.given_at >= bindparam("since", type_=GIVEN.c.given_at.type),
    )
    .order_by(GIVEN.c.given_at.desc())
    .limit(1)
)


class AnswerLog:
    def __init__(self, db: Database):
        self.db = db

    def give(
        self, user_id: int, entry_id: str, question: str | None, nearest: Sequence[str] = ()
    ) -> int:
        """Note an answer shown to `user_id` (the question stored redacted); its id. Every
        `FORGET_EVERY`th answer also deletes those older than `GIVEN_MEMORY` (an index range):
        one statement per answer, not two. Core statements: this runs for every answer."""
        now = utcnow()
        values = {
            "user_id": user_id,
            "entry_id": entry_id,
            "question": redact(question[:MAX_STORED_QUESTION]) if question else None,
            "nearest": list(nearest),
            "given_at": now,
        }
        with self.db.connection() as connection:
            answer_id = int(_GIVE.run(connection, values).scalar_one())
            if answer_id % FORGET_EVERY == 0:
                connection.execute(delete(GIVEN).where(GIVEN.c.given_at < now - GIVEN_MEMORY))
            return answer_id

    def get(self, answer_id: int) -> Given | None:
        with self.db.session() as session:
            row = session.get(GivenAnswer, answer_id)
            return given_answer(row) if row is not None else None

    def latest(self, user_id: int, since: datetime) -> Given | None:
        """The last answer shown to the user since `since`."""
        ahead = self.db.read_before((LATEST_READ, user_id))
        if ahead is not NOT_READ:  # the last one of all, read ahead: is it recent enough?
            last = cast(Given | None, ahead)
            return last if last is not None and as_utc(last.given_at) >= since else None
        with self.db.connection() as connection:
            row = _LATEST.run(connection, {"user_id": user_id, "since": since}).first()
            return given_answer(row) if row is not None else None

    def vote(self, answer: Given, vote: int) -> int | None:
        """Record 👍 (+1) or 👎 (-1) on the answer; the vote it replaces (None: the first)."""
        with self.db.session() as session:
            before = session.scalar(
                select(AnswerVote.vote).where(AnswerVote.answer_id == answer.id)
            )
            upsert = dialect_insert(self.db)(AnswerVote).values(
                answer_id=answer.id, entry_id=answer.entry_id, vote=vote, voted_at=utcnow()
            )
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[AnswerVote.answer_id],
                    set_={"vote": upsert.excluded.vote, "voted_at": upsert.excluded.voted_at},
                )
            )
        return before

    def doubt(self, answer: Given, reason: str) -> bool:
        """The answer looked wrong: listed for staff (once per answer); False when it was
        listed already, or had no typed question to list."""
        if not answer.question:
            return False
        with self.db.session() as session:
            stored = session.scalar(
                dialect_insert(self.db)(DoubtfulAnswer)
                .values(
                    question=answer.question,
                    entry_id=answer.entry_id,
                    nearest=list(answer.nearest),
                    reason=reason,
                    user_id=answer.user_id,
                    answer_id=answer.id,
                    at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=[DoubtfulAnswer.answer_id])
                .returning(DoubtfulAnswer.id)
            )
        return stored is not None

    def undoubt_vote(self, answer_id: int) -> None:
        """A 👎 taken back (changed to 👍): the answer leaves the doubtful list, unless a
        "不对" put it there."""
        with self.db.session() as session:
            session.execute(
                delete(DoubtfulAnswer).where(
                    DoubtfulAnswer.answer_id == answer_id, DoubtfulAnswer.reason == THUMBS_DOWN
                )
            )

    def per_entry(self) -> list[EntryFeedback]:
        """👍, 👎 and other doubts per entry (entries with any), in no particular order."""
        with self.db.session() as session:
            votes = session.execute(
                select(
                    AnswerVote.entry_id,
                    func.sum(case((AnswerVote.vote > 0, 1), else_=0)),
                    func.sum(case((AnswerVote.vote < 0, 1), else_=0)),
                ).group_by(AnswerVote.entry_id)
            ).all()
            doubts = session.execute(
                select(DoubtfulAnswer.entry_id, func.count())
                .where(DoubtfulAnswer.reason != THUMBS_DOWN)
                .group_by(DoubtfulAnswer.entry_id)
            ).all()
        found: dict[str, EntryFeedback] = {}
        for entry_id, up, down in votes:
            found[entry_id] = EntryFeedback(entry_id, int(up or 0), int(down or 0))
        for entry_id, doubted in doubts:
            known = found.get(entry_id, EntryFeedback(entry_id))
            found[entry_id] = EntryFeedback(entry_id, known.up, known.down, int(doubted))
        return list(found.values())

    # --- a resident's rights --------------------------------------------------------------

    def questions_of(self, user_id: int) -> list[str]:
        """The user's questions held here (answers shown, doubtful ones), oldest first."""
        with self.db.session() as session:
            given = session.scalars(
                select(GivenAnswer.question)
                .where(GivenAnswer.user_id == user_id, GivenAnswer.question.is_not(None))
                .order_by(GivenAnswer.id)
            ).all()
            doubted = session.scalars(
                select(DoubtfulAnswer.question)
                .where(DoubtfulAnswer.user_id == user_id)
                .order_by(DoubtfulAnswer.id)
            ).all()
        return [q for q in dict.fromkeys([*given, *doubted]) if q]

    def forget_user(self, user_id: int) -> None:
        """/delete: the user's answers and doubtful questions (the votes hold neither text
        nor user and stay counted)."""
        with self.db.session() as session:
            session.execute(delete(GivenAnswer).where(GivenAnswer.user_id == user_id))
            session.execute(delete(DoubtfulAnswer).where(DoubtfulAnswer.user_id == user_id))
