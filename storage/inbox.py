"""The inbox and the outbox: nothing a user sends is lost, nothing is applied twice.

One update's way through (the adapter drives it; `assistant.worker` sends):

1. receive — `Inbox.receive(update_id, incoming)` stores the update (the `Incoming` as JSON)
   in a transaction of its own, before the adapter acknowledges it to Telegram. A redelivered
   update finds its row and changes nothing.
2. process — `Assistant.process_stored(update_id)`: one unit of work loads the stored
   `Incoming`, applies it (drafts, submissions, logs …), marks the inbox row done and writes
   the replies to the outbox, one row per `Reply`; all of it is committed, or none. A row
   already done is not applied again (two instances racing: one commits, the other rolls back).
3. send — for each pending reply, in `id` order per chat: `Outbox.claim` (so a second instance
   does not send it too), send, `mark_sent`; a permanent refusal is `mark_failed`, a passing
   failure leaves it pending for the next sweep.
4. recover — on start (and now and then), `recover(db)` lists the updates received but not
   done (process them) and the replies not sent (send them), oldest first.

Transactions per update: 1 (receive, a durable commit: Telegram's acknowledgement relies on
it) + 1 (process; its outbox rows are returned from that transaction, not read back) + 2 per
reply (claim, mark sent). The last three commit relaxed (`storage.database`): what a power loss
takes from them is redone from the inbox row, like a crash. Claim and mark-sent stay separate
transactions: a claim committed with the apply would keep the replies of a crashed process
from the restart's recovery until the lease ran out.

A crash after 1 processes the update on restart; during 2 rolls everything back and processes
it again; after 2 sends the stored replies; between a send and its `mark_sent` sends that one
reply again. Delivery is at least once, processing exactly once.

Attachments (an /export workbook, a /stats chart) are stored as bytes in the outbox row, not as
a file path: they are committed atomically with the rest, any instance sharing the PostgreSQL
database can send them (a path names one machine's disk, and /tmp may not survive a reboot),
and nothing is left to clean up beside the row. They are a few MB at most (Telegram takes 50 MB
from bots), and dropped once sent.

Contents are personal data: an inbox row keeps its `Incoming` only until it is done, an outbox
row its reply only until it is sent or failed; the bare rows are kept `UPDATE_MEMORY` (to
recognise a redelivery), then deleted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from common.messages import Button, Incoming, Reply
from storage import crash_point
from storage.database import Database
from storage.models import InboxEntry, OutboxEntry, utcnow
from storage.repository import UPDATE_MEMORY, _changed, dialect_insert

# A claimed reply not marked sent within this time is free to send again (its sender died).
CLAIM_LEASE = timedelta(minutes=2)
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
        "kind": "document" if reply.document else "photo" if reply.photo is not None else "text",
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
    )


# --- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """An update stored in the inbox and not yet applied."""

    update_id: int
    incoming: Incoming
    origin: dict[str, Any] = field(default_factory=dict)
    received_at: datetime | None = None


class Inbox:
    """Updates as received, each applied once (its `done_at` set in the applying transaction)."""

    def __init__(self, db: Database):
        self.db = db

    def receive(
        self, update_id: int, incoming: Incoming, origin: dict[str, Any] | None = None
    ) -> bool:
        """Store the update before it is acknowledged; False if it was stored before (a
        redelivery). `origin`: what the adapter needs later to answer it (the id of the message
        whose button was tapped …), opaque to the core. A durable commit: everything after it
        can be redone from this row (see `storage.database`)."""
        with self.db.session(durable=True) as session:
            stored = session.scalar(
                dialect_insert(self.db)(InboxEntry)
                .values(
                    update_id=update_id,
                    incoming=incoming_to_json(incoming),
                    origin=origin or {},
                    received_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=[InboxEntry.update_id])
                .returning(InboxEntry.update_id)
            )
            if update_id % 500 == 0:
                self._forget_old(session)
        crash_point("received")
        return stored is not None

    def _forget_old(self, session) -> None:
        """Rows done or sent long ago: no redelivery comes that late."""
        before = utcnow() - UPDATE_MEMORY
        session.execute(delete(InboxEntry).where(InboxEntry.done_at < before))
        session.execute(
            delete(OutboxEntry).where(
                or_(OutboxEntry.sent_at < before, OutboxEntry.failed_at < before)
            )
        )

    def take(self, update_id: int) -> Received | None:
        """The stored update if it is not applied yet (None: done, or never received)."""
        with self.db.session() as session:
            row = session.get(InboxEntry, update_id, populate_existing=True)
            if row is None or row.done_at is not None or row.incoming is None:
                return None
            return _received(row)

    def mark_done(self, update_id: int) -> bool:
        """In the unit of work that applied it: done, its content dropped. False when another
        instance marked it first (the caller then rolls back its own attempt)."""
        with self.db.session() as session:
            result = session.execute(
                update(InboxEntry)
                .where(InboxEntry.update_id == update_id, InboxEntry.done_at.is_(None))
                .values(done_at=utcnow(), incoming=None, origin=None)
                .execution_options(synchronize_session=False)
            )
            return _changed(result) == 1

    def waiting(self) -> list[Received]:
        """Updates received and not applied, oldest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(InboxEntry)
                .where(InboxEntry.done_at.is_(None))
                .order_by(InboxEntry.received_at, InboxEntry.update_id)
            )
            return [_received(row) for row in rows if row.incoming is not None]


def _received(row: InboxEntry) -> Received:
    assert row.incoming is not None
    return Received(
        row.update_id, incoming_from_json(row.incoming), row.origin or {}, row.received_at
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

    @property
    def target(self) -> int:
        """The chat this reply goes to."""
        return self.reply.to_chat if self.reply.to_chat is not None else self.chat_id


class Outbox:
    """Replies written with the update that produced them, sent after the commit."""

    def __init__(self, db: Database, lease: timedelta = CLAIM_LEASE):
        self.db = db
        self.lease = lease

    def add(
        self,
        update_id: int | None,
        chat_id: int,
        replies: Sequence[Reply],
        origin: dict[str, Any] | None = None,
    ) -> list[Outgoing]:
        """One row per reply, in order (in the unit of work that produced them); the rows as
        `pending` would read them back."""
        with self.db.session() as session:
            rows = []
            for reply in replies:
                data, attachment = reply_to_json(reply)
                rows.append(
                    OutboxEntry(
                        update_id=update_id,
                        chat_id=chat_id,
                        reply=data,
                        attachment=attachment,
                        origin=origin or {},
                    )
                )
            session.add_all(rows)
            session.flush()
            return [_outgoing(row) for row in rows]

    def pending(self, update_id: int | None = None) -> list[Outgoing]:
        """Replies not sent and not failed (of one update, or all), oldest first."""
        condition: list[ColumnElement[bool]] = [
            OutboxEntry.sent_at.is_(None),
            OutboxEntry.failed_at.is_(None),
        ]
        if update_id is not None:
            condition.append(OutboxEntry.update_id == update_id)
        with self.db.session() as session:
            rows = session.scalars(select(OutboxEntry).where(*condition).order_by(OutboxEntry.id))
            return [_outgoing(row) for row in rows if row.reply is not None]

    def claim(self, outbox_id: int) -> bool:
        """Take the reply for sending; False if it is sent, failed, or another sender holds it
        (a claim not followed by `mark_sent` within the lease lapses)."""
        now = utcnow()
        with self.db.session(durable=False) as session:  # lost: the reply is sent again
            result = session.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.id == outbox_id,
                    OutboxEntry.sent_at.is_(None),
                    OutboxEntry.failed_at.is_(None),
                    or_(
                        OutboxEntry.claimed_at.is_(None),
                        OutboxEntry.claimed_at <= now - self.lease,
                    ),
                )
                .values(claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            return _changed(result) == 1

    def release(self, outbox_id: int) -> None:
        """Give a claimed reply back (sending failed for now; the next sweep retries it)."""
        self._set(outbox_id, claimed_at=None)

    def mark_sent(self, outbox_id: int) -> None:
        self._set(outbox_id, sent_at=utcnow(), reply=None, attachment=None, origin=None)

    def mark_failed(self, outbox_id: int, error: str) -> None:
        """Refused for good (the chat is gone, the message malformed): never retried."""
        self._set(
            outbox_id,
            failed_at=utcnow(),
            error=error[:MAX_ERROR],
            reply=None,
            attachment=None,
            origin=None,
        )

    def _set(self, outbox_id: int, **values: Any) -> None:
        # Relaxed: a lost "sent" sends the reply again (at least once, as after a crash).
        with self.db.session(durable=False) as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id == outbox_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )


def _outgoing(row: OutboxEntry) -> Outgoing:
    assert row.reply is not None
    reply = reply_from_json(row.reply, row.attachment)
    document = row.attachment if row.reply["kind"] == "document" else None
    return Outgoing(row.id, row.update_id, row.chat_id, reply, document, row.origin or {})


# --- recovery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """What a crash (or a stop) left undone."""

    to_process: list[Received]  # received, not applied: process these first
    to_send: list[Outgoing]  # applied, replies not sent


def recover(db: Database) -> Recovery:
    """Updates received but not done and replies not sent, each oldest first."""
    return Recovery(Inbox(db).waiting(), Outbox(db).pending())
