"""The inbox and the outbox: nothing a user sends is lost, nothing is applied twice.

One update's way through (the adapter drives it; `assistant.worker` sends and sweeps):

1. receive and apply, one of two ways:
   a. through the update queue (production: `handlers.telegram_app.StoringQueue`) —
      `Inbox.receive(update_id, incoming)` stores the update (the `Incoming` as JSON), with
      flood control's count, in a durable transaction before the adapter acknowledges it to
      Telegram; then `Assistant.process_stored(update_id)` applies it in one more (relaxed)
      transaction: loads the stored `Incoming`, applies it (drafts, submissions, logs …),
      marks the inbox row done and writes the replies to the outbox.
   b. in one transaction — `Assistant.process_received(update_id, incoming)`: flood control,
      the inbox row (written done: `Inbox.mark_done` is an upsert), the update's writes and the
      outbox rows commit together, durably. Used when `process_update` is called without the
      queue (tests, benchmarks); the update must not be acknowledged before it returns.
   Either way a redelivered update finds its row done and is not applied again (two
   instances racing: one commits, the other rolls back and sends what is still pending).
   Marking the row done and writing the replies is `Outbox.add_done`: on PostgreSQL one
   statement (the upsert as a CTE the outbox insert reads), a round trip less per update.
2. send — the outbox rows are written already claimed (`claimed_at` = the commit's time) by
   the transaction that applied the update, so the sender that applied it sends them without
   a claim transaction (`Outbox.adopt`), in `id` order per chat, and settles the whole round —
   sent, failed for good, or to try again later — in one transaction (`Outbox.settle`).
3. sweep — on start and every few seconds every instance (`assistant.worker.sweep`): renews
   the claims it holds, applies updates received more than `STUCK_AFTER` ago and not applied,
   and claims (`Outbox.due`) and sends the replies due: never claimed (a notification written
   by a process that does not send, such as the web console: `Outbox.add(None, chat, …)`), a
   lapsed claim (`CLAIM_LEASE`: its sender died), or a failed attempt whose next time has come
   (`RETRY_DELAYS`, then given up and logged). Any number of instances may sweep at once: on
   PostgreSQL the claim skips rows another sweep has locked (`FOR UPDATE SKIP LOCKED`), on
   SQLite one writer runs at a time and the claim re-checks its condition.

Transactions per update: (a) 2 (receive, durable, flood count included; apply, relaxed);
(b) 1 (receive + apply, durable); and a share of one settle: a round that only sent leaves its
"sent" marks waiting, written `assistant.worker.SETTLE_AFTER` later with every other round's
of that moment (`Outbox.sent_later`). Settle commits relaxed (`storage.database`): what a power
loss takes from it is sent again. A claim of a redelivered update's replies is one more
transaction.

Why not one transaction on the queue path too: the acknowledgement. The webhook answers 200 once
`update_queue.put` returns and long polling acknowledges a batch by asking for the next offset,
so `put` must return only once the update is durable. Applying inside `put` would make the
webhook's `put` wait for the whole apply (fine: each request is its own task) but would
serialise long polling, whose loop `put`s a batch one update at a time; the alternative — `put`
hands the update over and the next getUpdates waits until every update of the batch is
committed — needs a hook before PTB's getUpdates and a fallback that stores the updates still in
flight when applying one takes long (an export), or Telegram's redelivery of a batch would wait
for it. That is where the next gain on the queue path lies; until then it keeps the separate,
durable receive, and the crash tests that kill a webhook process at "received" rely on it.

Crashes: during 1a's receive nothing is stored and Telegram redelivers; after it the update is
applied by the restart's (or any instance's) sweep; during an apply everything rolls back (1b:
Telegram redelivers; 1a: the sweep applies it again); after the apply's commit its replies wait
for their claim to lapse and are sent by a sweep; between a send and the settle (at most
`SETTLE_AFTER` after it; a stop writes the waiting marks first) those replies are sent
again. Delivery is at least once, processing exactly once.

Attachments (an /export workbook, a /stats chart) are stored as bytes in the outbox row, not as
a file path: they are committed atomically with the rest, any instance sharing the PostgreSQL
database can send them (a path names one machine's disk, and /tmp may not survive a reboot),
and nothing is left to clean up beside the row. They are a few MB at most (Telegram takes 50 MB
from bots), and dropped once sent.

Contents are personal data: an inbox row keeps its `Incoming` only until it is done, an outbox
row its reply only until it is sent or failed; the bare rows are kept `UPDATE_MEMORY` (to
recognise a redelivery), then deleted. Logs name an update or a chat by its id, never a text.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Connection,
    LargeBinary,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from common.messages import Button, Incoming, Reply
from storage import crash_point
from storage.database import Database
from storage.driver_sql import Prepared, bound
from storage.models import InboxEntry, OutboxEntry, utcnow
from storage.repository import UPDATE_MEMORY, _changed

INBOX = cast(Table, InboxEntry.__table__)
OUTBOX = cast(Table, OutboxEntry.__table__)

# A claimed reply not settled within this time is free to send again (its sender died). The
# sender renews the claims of replies still in its hands (`Outbox.renew`, each sweep), so a
# slow send (Telegram's 429 waits, network retries) is not sent a second time meanwhile.
CLAIM_LEASE = timedelta(seconds=20)
# Waits after the 1st, 2nd … failed attempt to send a reply (the network, Telegram's 5xx);
# after the last one the reply is failed for good. Each attempt is itself retried a few
# times within seconds by the adapter (handlers.telegram_app.DeliveryLimiter).
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
)
# An update received and not applied within this time is applied by the sweep (its handler
# died, or applying it failed); one that failed this often is given up (and logged).
STUCK_AFTER = timedelta(seconds=60)
MAX_APPLY_ATTEMPTS = 5
MAX_ERROR = 200


# --- messages as JSON -----------------------------------------------------------------------


def incoming_to_json(incoming: Incoming) -> dict[str, Any]:
    data = dataclasses.asdict(incoming)
    data["args"] = list(incoming.args)
    return data


def incoming_from_json(data: dict[str, Any]) -> Incoming:
    known = {f.name for f in dataclasses.fields(Incoming)}
    values = {k: v for k, v in data.items() if k in known}  # a field since removed is ignored
    values["args"] = tuple(values.get("args") or ())
    return Incoming(**values)


def reply_to_json(reply: Reply) -> tuple[dict[str, Any], bytes | None]:
    """The reply as JSON, and the bytes of its document or photo (the file is read here)."""
    data = {
        "text": reply.text,
        "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons],
        "keyboard": reply.keyboard,
        "request_contact": reply.request_contact,
        "remove_keyboard": reply.remove_keyboard,
        "edit": reply.edit,
        "to_chat": reply.to_chat,
        "undelivered": reply.undelivered,
        "filename": reply.filename,
        "photo_id": reply.photo_id,
        "kind": "document" if reply.document else "photo" if reply.photo is not None else "text",
        "toast": reply.toast,
    }
    if reply.document is not None:
        data["filename"] = reply.filename or reply.document.name
        return data, Path(reply.document).read_bytes()
    return data, reply.photo


def reply_from_json(data: dict[str, Any], attachment: bytes | None) -> Reply:
    """The stored reply; a document's bytes are on `Outgoing.document`, not in the reply."""
    return Reply(
        text=data["text"],
        buttons=[[Button(label, value) for label, value in row] for row in data["buttons"]],
        keyboard=data["keyboard"],
        request_contact=data["request_contact"],
        remove_keyboard=data["remove_keyboard"],
        edit=data["edit"],
        to_chat=data["to_chat"],
        undelivered=data["undelivered"],
        filename=data["filename"],
        photo=attachment if data["kind"] == "photo" else None,
        photo_id=data.get("photo_id"),  # rows written before it existed have none
        toast=bool(data.get("toast")),  # replies stored before toasts existed have none
    )


# --- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """An update stored in the inbox and not yet applied."""

    update_id: int
    incoming: Incoming
    origin: dict[str, Any] = field(default_factory=dict)
    received_at: datetime | None = None
    attempts: int = 0


class Inbox:
    """Updates as received, each applied once (its `done_at` set in the applying transaction)."""

    def __init__(self, db: Database):
        self.db = db

    def receive(
        self, update_id: int, incoming: Incoming, origin: dict[str, Any] | None = None
    ) -> bool:
        """Store the update before it is acknowledged; False if it was stored before (a
        redelivery). `origin`: what the adapter needs later to answer it (the id of the message
        whose button was tapped …), opaque to the core. A durable commit (unless inside a unit
        of work, whose commit it then is): everything after it can be redone from this row."""
        values = {
            "update_id": update_id,
            "incoming": incoming_to_json(incoming),
            "origin": origin or {},
            "now": utcnow(),
        }
        with self.db.connection(durable=True) as connection:
            stored = _prepared(self.db.backend).receive.run(connection, values).scalar()
            self.forget_old_now_and_then(connection, update_id)
        self.db.after_commit(partial(crash_point, "received"))
        return stored is not None

    def forget_old_now_and_then(self, connection: Connection, update_id: int) -> None:
        """Beside storing an update or marking it done, every 500th: rows done or sent long
        ago deleted (no redelivery comes that late)."""
        if update_id % 500 != 0:
            return
        before = utcnow() - UPDATE_MEMORY
        connection.execute(delete(INBOX).where(INBOX.c.done_at < before))
        connection.execute(
            delete(OUTBOX).where(or_(OUTBOX.c.sent_at < before, OUTBOX.c.failed_at < before))
        )

    def take(self, update_id: int) -> Received | None:
        """The stored update if it is not applied yet (None: done, or never received)."""
        with self.db.session() as session:
            row = session.execute(_TAKE, {"update_id": update_id}).first()
            if row is None or row.incoming is None:
                return None
            return _received(row)

    def is_done(self, update_id: int) -> bool:
        """Applied already (a redelivery of an update applied before)."""
        with self.db.session() as session:
            return session.scalar(_DONE_AT, {"update_id": update_id}) is not None

    def mark_done(self, update_id: int) -> bool:
        """In the unit of work that applied it: done, its content dropped — the row written
        now if the update was applied without being stored first (the adapter's one-
        transaction path). False when it was done already (another instance applied it: the
        caller rolls back its own attempt). One statement: an upsert that changes only a row
        not done; on PostgreSQL it waits for a concurrent applier's commit and then sees it."""
        values = {"update_id": update_id, "now": utcnow()}
        with self.db.connection() as connection:
            done = _prepared(self.db.backend).mark_done.run(connection, values).scalar()
            self.forget_old_now_and_then(connection, update_id)
            return done is not None

    def waiting(self, older_than: timedelta | None = None) -> list[Received]:
        """Updates received and not applied (received at least `older_than` ago), oldest
        first; those given up after `MAX_APPLY_ATTEMPTS` failures are left out."""
        condition: list[ColumnElement[bool]] = [
            INBOX.c.done_at.is_(None),
            INBOX.c.attempts < MAX_APPLY_ATTEMPTS,
        ]
        if older_than is not None:
            condition.append(INBOX.c.received_at <= utcnow() - older_than)
        with self.db.session() as session:
            rows = session.execute(
                select(INBOX).where(*condition).order_by(INBOX.c.received_at, INBOX.c.update_id)
            )
            return [_received(row) for row in rows if row.incoming is not None]

    def failed(self, update_id: int) -> int:
        """Applying the update failed once more: how often it has failed now."""
        with self.db.session() as session:
            attempts = session.scalar(
                update(INBOX)
                .where(INBOX.c.update_id == update_id)
                .values(attempts=INBOX.c.attempts + 1)
                .returning(INBOX.c.attempts)
            )
            return attempts or 0


def _received(row: Any) -> Received:
    assert row.incoming is not None
    return Received(
        row.update_id,
        incoming_from_json(row.incoming),
        row.origin or {},
        row.received_at,
        row.attempts,
    )


# --- the outbox -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One stored reply to send."""

    id: int
    update_id: int | None
    chat_id: int  # the chat the update came from (a notification's sender is told there)
    reply: Reply
    document: bytes | None  # the file of a document reply, named `reply.filename`
    origin: dict[str, Any]
    attempts: int = 0  # earlier attempts that failed on the way

    @property
    def target(self) -> int:
        """The chat this reply goes to."""
        return self.reply.to_chat if self.reply.to_chat is not None else self.chat_id


@dataclass
class Settlement:
    """How one round of sending ended, written back in one transaction (`Outbox.settle`)."""

    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # refused for good, or given up
    retry: dict[int, datetime] = field(default_factory=dict)  # failed on the way: try then
    held: dict[int, datetime | None] = field(default_factory=dict)  # not tried: after an
    # earlier reply to the same chat (kept in order), free again at that time

    def __bool__(self) -> bool:
        return bool(self.sent or self.failed or self.retry or self.held)


def retry_delay(attempts: int) -> timedelta | None:
    """The wait before the next attempt after `attempts` failed ones; None: give up."""
    return RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None


class Outbox:
    """Replies written with the update that produced them, sent after the commit.

    Claims in this process: `written` holds the ids written claimed (`add(claimed=True)`,
    committed) that no sender has taken up yet (`adopt`); `in_flight` those a sender holds and
    has not settled. The sweep renews the claims in flight (`renew`), so another instance never
    takes a reply this one is still sending, and a redelivery's sender never sends what another
    sender here holds.

    A round that only sent may leave its "sent" marks `waiting` (`sent_later`): the next
    `settle` of any round writes them with its own, so a busy sender writes them in one
    transaction for many rounds, not one each. They stay in flight (claimed, renewed) until
    written, so no one else sends them meanwhile; a crash before that sends them again, as a
    crash between a send and its settle always did."""

    def __init__(self, db: Database, lease: timedelta = CLAIM_LEASE):
        self.db = db
        self.lease = lease
        self.written: set[int] = set()
        self.in_flight: set[int] = set()
        self._waiting: list[int] = []  # sent, the mark not written yet
        self._waiting_lock = threading.Lock()  # senders settle in worker threads

    def add(
        self,
        update_id: int | None,
        chat_id: int,
        replies: Sequence[Reply],
        origin: dict[str, Any] | None = None,
        *,
        claimed: bool = False,
    ) -> list[Outgoing]:
        """One row per reply, in order (in the unit of work that produced them); the rows as
        `pending` would read them back. `claimed`: written already claimed by the caller,
        which sends them right after the commit (no claim transaction of their own); should
        it die first, they are free again once the lease lapses. Without an update (a
        notification written by a process that does not send, such as the web console) any
        bot instance's sweep sends them."""
        if not replies:
            return []
        origin = origin or {}
        rows = _rows(update_id, chat_id, replies, origin, utcnow(), claimed=claimed)
        with self.db.connection() as connection:
            ids = [_ADD.run(connection, row).scalar_one() for row in rows]
        return self._added(ids, rows, claimed=claimed)

    def _added(
        self, ids: list[int], rows: list[dict[str, Any]], *, claimed: bool
    ) -> list[Outgoing]:
        """The rows written under `ids`, as `pending` would read them back; claimed ones ours
        once committed (a rolled-back id may be used again by SQLite)."""
        if claimed:
            self.db.after_commit(lambda: self.written.update(ids))
        return [
            _outgoing_of(
                outbox_id,
                row["update_id"],
                row["chat_id"],
                row["reply"],
                row["attachment"],
                row["origin"],
                0,
            )
            for outbox_id, row in zip(ids, rows, strict=True)
        ]

    def add_done(
        self,
        inbox: Inbox,
        update_id: int,
        chat_id: int,
        replies: Sequence[Reply],
        origin: dict[str, Any] | None = None,
    ) -> list[Outgoing] | None:
        """In the unit of work that applied the update: the update marked done in `inbox`
        (`Inbox.mark_done`) and its replies added claimed (`add`), or None — nothing written —
        when it was done already (another instance applied it). On PostgreSQL one statement
        does both (the inbox upsert as a CTE the outbox insert reads: a round trip less per
        update); SQLite, in process, runs the two."""
        if not replies or self.db.backend != "postgresql":
            if not inbox.mark_done(update_id):
                return None
            return self.add(update_id, chat_id, replies, origin, claimed=True)
        origin = origin or {}
        now = utcnow()
        rows = _rows(update_id, chat_id, replies, origin, now, claimed=True)
        params: dict[str, Any] = {
            "update_id": update_id,
            "chat_id": chat_id,
            "origin": origin,
            "now": now,
        }
        for i, row in enumerate(rows):
            params.update({f"reply_{i}": row["reply"], f"attachment_{i}": row["attachment"]})
        with self.db.connection() as connection:
            ids = sorted(_done_and_added(len(rows)).run(connection, params).scalars())
            inbox.forget_old_now_and_then(connection, update_id)
        if not ids:
            return None
        return self._added(ids, rows, claimed=True)

    def pending(self, update_id: int | None = None) -> list[Outgoing]:
        """Replies not sent and not failed (of one update, or all), oldest first."""
        condition: list[ColumnElement[bool]] = [_pending()]
        if update_id is not None:
            condition.append(OUTBOX.c.update_id == update_id)
        with self.db.session() as session:
            rows = session.execute(select(OUTBOX).where(*condition).order_by(OUTBOX.c.id))
            return [_outgoing(row) for row in rows if row.reply is not None]

    def _claimable(self, now: datetime) -> ColumnElement[bool]:
        return and_(
            _pending(),
            or_(OUTBOX.c.claimed_at.is_(None), OUTBOX.c.claimed_at <= now - self.lease),
        )

    def claim(self, outbox_id: int) -> bool:
        """Take the reply for sending; False if it is sent, failed, or another sender holds it
        (a claim not settled within the lease lapses)."""
        return outbox_id in self.claim_all([outbox_id])

    def adopt(self, ids: Sequence[int]) -> set[int]:
        """Take up replies this process wrote claimed (`add(claimed=True)`): the ids among
        `ids` that were, now in this sender's hands (each is adopted once)."""
        mine = self.written.intersection(ids)
        self.written -= mine
        self.in_flight |= mine
        return mine

    def claim_all(self, ids: Sequence[int]) -> set[int]:
        """Take these replies for sending, in one transaction; the ids taken."""
        if not ids:
            return set()
        now = utcnow()
        values = {"ids": list(ids), "now": now, "lapsed": now - self.lease}
        with self.db.session(durable=False) as session:  # lost: the reply is sent again
            taken = set(session.scalars(_CLAIM, values))
        self.in_flight |= taken
        return taken

    def due(self, limit: int = 100) -> list[Outgoing]:
        """Claim the replies due for sending — never claimed, or their claim lapsed, and their
        next attempt's time come — oldest first, at most `limit`. Any number of instances may
        sweep at once: PostgreSQL skips the rows another sweep has locked (`FOR UPDATE SKIP
        LOCKED`), SQLite runs one writer at a time and the claim re-checks its condition."""
        now = utcnow()
        condition = and_(
            self._claimable(now),
            or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now),
        )
        chosen = select(OUTBOX.c.id).where(condition).order_by(OUTBOX.c.id).limit(limit)
        if self.db.backend == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        with self.db.session(durable=False) as session:
            rows = session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(chosen.scalar_subquery()), condition)
                .values(claimed_at=now)
                .returning(*OUTBOX.c)
            ).all()
        items = sorted((_outgoing(row) for row in rows if row.reply is not None), key=_by_id)
        claimed = {item.id for item in items}
        self.written -= claimed  # a lapsed claim of ours: the sweep sends it, not a late adopt
        self.in_flight |= claimed
        return items

    def renew(self) -> int:
        """Renew the claims of the replies this process is sending; how many. (Replies written
        claimed and never taken up — their sender failed between the commit and sending —
        are not renewed: their claim lapses and a sweep sends them.)"""
        ids = list(self.in_flight)
        if not ids:
            return 0
        with self.db.session(durable=False) as session:
            result = session.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(ids), _pending()).values(claimed_at=utcnow())
            )
            return _changed(result)

    def sent_later(self, ids: Sequence[int]) -> None:
        """Replies sent whose "sent" mark the next `settle` writes (still in flight till then)."""
        with self._waiting_lock:
            self._waiting.extend(ids)

    @property
    def waiting(self) -> int:
        """How many "sent" marks wait for the next `settle`."""
        return len(self._waiting)

    def settle(self, settlement: Settlement | None = None) -> None:
        """Write back one round of sending, with the "sent" marks waiting, in one transaction
        (relaxed: a lost "sent" sends the reply again — at least once, as after a crash).
        Without a settlement: only the marks waiting."""
        settlement = settlement or Settlement()
        with self._waiting_lock:
            waiting, self._waiting = self._waiting, []
        try:
            self._write(settlement, [*waiting, *settlement.sent])
        except BaseException:
            with self._waiting_lock:  # written with the next settle
                self._waiting[:0] = waiting
            raise
        settled = {*waiting, *settlement.sent, *settlement.failed}
        settled |= {*settlement.retry, *settlement.held}
        self.in_flight -= settled
        self.written -= settled

    def _write(self, settlement: Settlement, sent: list[int]) -> None:
        now = utcnow()
        dropped = {"reply": None, "attachment": None, "origin": None}
        with self.db.connection(durable=False) as connection:
            if sent:
                connection.execute(_SENT, {"ids": sent, "now": now})
            for outbox_id, error in settlement.failed.items():
                connection.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == outbox_id)
                    .values(failed_at=now, error=error[:MAX_ERROR], **dropped)
                )
            for outbox_id, when in settlement.retry.items():
                connection.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == outbox_id)
                    .values(claimed_at=None, attempts=OUTBOX.c.attempts + 1, next_attempt_at=when)
                )
            for outbox_id, free_at in settlement.held.items():
                connection.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == outbox_id)
                    .values(claimed_at=None, next_attempt_at=free_at)
                )

    def release(self, outbox_id: int) -> None:
        """Give a claimed reply back (the next sweep sends it)."""
        self.settle(Settlement(held={outbox_id: None}))

    def mark_sent(self, outbox_id: int) -> None:
        self.settle(Settlement(sent=[outbox_id]))

    def mark_failed(self, outbox_id: int, error: str) -> None:
        """Refused for good (the chat is gone, the message malformed): never retried."""
        self.settle(Settlement(failed={outbox_id: error}))


def _pending() -> ColumnElement[bool]:
    # The condition of the partial index ix_outbox_pending, term for term.
    return and_(OUTBOX.c.sent_at.is_(None), OUTBOX.c.failed_at.is_(None))


# --- the statements of every update, built once ------------------------------------------------
# Building a statement costs SQLAlchemy more than running it on SQLite (~0.1 ms of Python for a
# one-row lookup, more for an upsert): the ones each update runs are built here, with bound
# parameters, and only executed per update.

_TAKE = select(INBOX).where(INBOX.c.update_id == bindparam("update_id"), INBOX.c.done_at.is_(None))
_DONE_AT = select(INBOX.c.done_at).where(INBOX.c.update_id == bindparam("update_id"))
_ROW_COLUMNS = (
    "update_id",
    "chat_id",
    "reply",
    "attachment",
    "origin",
    "created_at",
    "claimed_at",
    "attempts",
)  # what `_rows` gives
_ADD = Prepared(insert(OUTBOX).values(bound(OUTBOX, *_ROW_COLUMNS)).returning(OUTBOX.c.id))
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_NOW = bindparam("now", type_=OUTBOX.c.created_at.type)
_CLAIM = (
    update(OUTBOX)
    .where(
        OUTBOX.c.id.in_(_IDS),
        _pending(),
        or_(
            OUTBOX.c.claimed_at.is_(None),
            OUTBOX.c.claimed_at <= bindparam("lapsed", type_=OUTBOX.c.claimed_at.type),
        ),
    )
    .values(claimed_at=_NOW)
    .returning(OUTBOX.c.id)
)
_SENT = (
    update(OUTBOX)
    .where(OUTBOX.c.id.in_(_IDS))
    .values(sent_at=_NOW, reply=None, attachment=None, origin=None)
)


@dataclass(frozen=True)
class _Upserts:
    receive: Any  # store a received update unless it is stored already
    mark_done: Any  # write the update done, or mark its row done unless it is already


@cache
def _statements(backend: str) -> _Upserts:
    insert_ = postgresql_insert if backend == "postgresql" else sqlite_insert
    now = bindparam("now", type_=INBOX.c.received_at.type)
    receive = (
        insert_(INBOX)
        .values(
            update_id=bindparam("update_id"),
            incoming=bindparam("incoming", type_=INBOX.c.incoming.type),
            origin=bindparam("origin", type_=INBOX.c.origin.type),
            received_at=now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=[INBOX.c.update_id])
        .returning(INBOX.c.update_id)
    )
    done = insert_(INBOX).values(
        update_id=bindparam("update_id"),
        incoming=None,
        origin=None,
        received_at=now,
        done_at=now,
        attempts=0,
    )
    mark_done = done.on_conflict_do_update(
        index_elements=[INBOX.c.update_id],
        set_={"done_at": done.excluded.done_at, "incoming": None, "origin": None},
        where=INBOX.c.done_at.is_(None),
    ).returning(INBOX.c.update_id)
    return _Upserts(receive, mark_done)


def _rows(
    update_id: int | None,
    chat_id: int,
    replies: Sequence[Reply],
    origin: dict[str, Any],
    now: datetime,
    *,
    claimed: bool,
) -> list[dict[str, Any]]:
    """The outbox rows of `replies`, in order."""
    rows = []
    for reply in replies:
        data, attachment = reply_to_json(reply)
        rows.append(
            {
                "update_id": update_id,
                "chat_id": chat_id,
                "reply": data,
                "attachment": attachment,
                "origin": origin,
                "created_at": now,
                "claimed_at": now if claimed else None,
                "attempts": 0,
            }
        )
    return rows


@cache
def _prepared(backend: str) -> _Upserts:
    """`_statements`, run on the driver's cursor (every update runs one of them)."""
    statements = _statements(backend)
    return _Upserts(Prepared(statements.receive), Prepared(statements.mark_done))


@cache
def _done_and_added(count: int) -> Prepared:
    """PostgreSQL: the update marked done (`_statements(...).mark_done`, as a CTE) and, only if
    it was, its `count` replies inserted claimed — their ids returned. The rows come from a
    UNION ALL in reply order, so the sequence numbers them in that order."""
    done = _statements("postgresql").mark_done.cte("done")
    now = bindparam("now", type_=OUTBOX.c.created_at.type)
    rows = [
        select(
            done.c.update_id,
            bindparam("chat_id", type_=OUTBOX.c.chat_id.type),
            bindparam(f"reply_{i}", type_=OUTBOX.c.reply.type),
            # (a bytea NULL must say so: a bare NULL in a UNION reads as text)
            sql_cast(bindparam(f"attachment_{i}", type_=OUTBOX.c.attachment.type), LargeBinary),
            bindparam("origin", type_=OUTBOX.c.origin.type),
            now,
            now,
            literal(0),
        )
        for i in range(count)
    ]
    columns = ["update_id", "chat_id", "reply", "attachment", "origin", "created_at"]
    columns += ["claimed_at", "attempts"]
    source = rows[0] if count == 1 else union_all(*rows)
    return Prepared(insert(OUTBOX).from_select(columns, source).returning(OUTBOX.c.id))


def _by_id(item: Outgoing) -> int:
    return item.id


def _outgoing(row: Any) -> Outgoing:
    assert row.reply is not None
    return _outgoing_of(
        row.id, row.update_id, row.chat_id, row.reply, row.attachment, row.origin, row.attempts
    )


def _outgoing_of(
    outbox_id: int,
    update_id: int | None,
    chat_id: int,
    data: dict[str, Any],
    attachment: bytes | None,
    origin: dict[str, Any] | None,
    attempts: int,
) -> Outgoing:
    reply = reply_from_json(data, attachment)
    document = attachment if data["kind"] == "document" else None
    return Outgoing(outbox_id, update_id, chat_id, reply, document, origin or {}, attempts)


# --- recovery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """What a crash (or a stop) left undone."""

    to_process: list[Received]  # received, not applied: process these first
    to_send: list[Outgoing]  # applied, replies not sent


def recover(db: Database) -> Recovery:
    """Updates received but not done and replies not sent, each oldest first."""
    return Recovery(Inbox(db).waiting(), Outbox(db).pending())
