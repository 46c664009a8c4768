"""The inbox and the outbox on their own: receiving is idempotent, processing stores the
replies (files as bytes) with the update marked done, sending marks them, recovery lists
what is left, and contents are dropped once they are no longer needed."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from assistant.worker import SETTLE_AFTER
from common.messages import Button, Incoming, Reply
from storage.inbox import Inbox, Outbox, recover, reply_from_json, reply_to_json
from storage.models import InboxEntry, OutboxEntry, UnansweredQuestion

RESIDENT = 7101


def test_a_reply_survives_its_json_with_every_field():
    reply = Reply(
        "<b>选</b>",
        buttons=[[Button("是", "d:x:yes")]],
        keyboard=[["水阳镇"]],
        request_contact="分享手机号",
        remove_keyboard=True,
        edit=True,
        to_chat=5,
        undelivered="未通知",
        photo=b"\x89PNG",
    )
    data, attachment = reply_to_json(reply)
    assert reply_from_json(data, attachment) == reply


def test_receiving_twice_stores_once_and_processing_applies_once(assistant):
    incoming = Incoming(RESIDENT, RESIDENT, text="/report", command="report", update_id=501)
    assert assistant.inbox.receive(501, incoming)
    assert not assistant.inbox.receive(501, incoming), "a redelivery"
    assert [r.update_id for r in recover(assistant.db).to_process] == [501]
    items = assistant.process_stored(501)
    assert items and "开始之前" in items[0].reply.text
    assert assistant.process_stored(501) == items, "not applied again; still to send"
    recovery = recover(assistant.db)
    assert recovery.to_process == [] and [i.id for i in recovery.to_send] == [i.id for i in items]
    with assistant.db.session() as session:
        row = session.get(InboxEntry, 501)
        assert row is not None and row.done_at is not None and row.incoming is None


def test_replies_are_written_claimed_and_sending_marks_each_and_drops_its_text(assistant):
    assistant.inbox.receive(502, Incoming(RESIDENT, RESIDENT, text="/start", update_id=502))
    (item, *_) = assistant.process_stored(502)
    other_instance = Outbox(assistant.db)
    assert not other_instance.claim(item.id), "claimed by the transaction that wrote it"
    outbox = assistant.outbox
    assert outbox.adopt([item.id]) == {item.id}, "the applying process sends it"
    assert outbox.adopt([item.id]) == set(), "one sender at a time"
    outbox.mark_sent(item.id)
    assert item.id not in [i.id for i in outbox.pending()]
    with assistant.db.session() as session:
        row = session.get(OutboxEntry, item.id)
        assert row is not None and row.sent_at is not None and row.reply is None


def test_a_reply_refused_for_good_is_failed_not_retried(assistant):
    outbox = Outbox(assistant.db)
    outbox.add(None, RESIDENT, [Reply("你好")])
    (item,) = outbox.pending()
    outbox.mark_failed(item.id, "Forbidden: bot was blocked by the user")
    assert outbox.pending() == [] and not outbox.claim(item.id)


def test_a_document_is_stored_as_bytes_and_its_temp_file_deleted(db):
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    path = folder / "申报.xlsx"
    path.write_bytes(b"PK workbook")
    outbox = Outbox(db)
    outbox.add(1, RESIDENT, [Reply("导出 1 条", document=path, filename="申报.xlsx")])
    (item,) = outbox.pending()
    assert item.document == b"PK workbook" and item.reply.filename == "申报.xlsx"
    folder_left = folder.exists()
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    assert folder_left, "the outbox reads the file; the caller deletes it after the commit"


def test_inbox_rows_come_back_oldest_first(db):
    inbox = Inbox(db)
    for update_id in (12, 10, 11):
        inbox.receive(update_id, Incoming(RESIDENT, RESIDENT, text=str(update_id)))
    assert [r.incoming.text for r in inbox.waiting()] == ["12", "10", "11"]


async def test_through_telegram_an_update_takes_one_transaction_and_its_reply_is_marked_sent_soon(
    telegram, db
):
    """The update's inbox row, the unanswered-question log and the outbox row commit together;
    the reply's "sent" mark is written a moment later, in a transaction of its own."""
    from tests.test_unit_of_work import counted

    with counted(db) as traffic:
        seen = await telegram.send(RESIDENT, "村里的路灯坏了找谁修？")
    assert seen.texts, "answered"
    assert traffic.commits == 1 and traffic.transactions == 1
    with counted(db) as traffic:
        for _ in range(100):  # ~SETTLE_AFTER; however slow this machine is, at most 5 s
            await asyncio.sleep(SETTLE_AFTER)
            if traffic.commits:
                break
    assert traffic.commits == 1, "the waiting mark written"
    with db.session() as session:
        (inbox,) = session.scalars(select(InboxEntry)).all()
        (outbox,) = session.scalars(select(OutboxEntry)).all()
        logged = session.scalar(select(func.count()).select_from(UnansweredQuestion))
    assert inbox.done_at is not None and outbox.update_id == inbox.update_id
    assert outbox.sent_at is not None and logged == 1


async def test_a_busy_bot_marks_many_updates_replies_sent_in_one_transaction(
    telegram, db, monkeypatch
):
    """Ten residents ask at once: ten updates, ten transactions, and one more for all their
    "sent" marks."""
    from assistant import worker
    from tests.test_unit_of_work import counted

    monkeypatch.setattr(worker, "SETTLE_AFTER", 60.0)  # however slow this machine is
    residents = range(RESIDENT, RESIDENT + 10)
    for resident in residents:
        telegram.api.open_chat(resident)
    with counted(db) as traffic:
        seen = await asyncio.gather(
            *(telegram.send(resident, "这次排查什么时候开始？") for resident in residents)
        )
        assert all(s.texts for s in seen)
        assert traffic.commits == 10
        await worker.settle_waiting(telegram.app.bot_data["assistant"].outbox)
    assert traffic.commits == 11
    with db.session() as session:
        unsent = session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
        )
    assert unsent == 0


async def test_a_stop_during_a_slow_write_of_the_sent_marks_waits_for_it(telegram, db):
    """The marks a write already took are not waiting any more, but not written either: a
    stop in that moment waits for the write, so nothing is left to send again."""
    import threading

    from assistant import worker

    assistant = telegram.app.bot_data["assistant"]
    outbox = assistant.outbox
    writing, release = threading.Event(), threading.Event()
    write = outbox._write  # the database write, after the settle took the waiting marks

    def slow_write(*args):
        writing.set()
        release.wait(5)
        write(*args)

    outbox._write = slow_write
    await telegram.send(RESIDENT, "这次排查什么时候开始？")
    await asyncio.to_thread(writing.wait, 5)  # the timed write has taken the mark
    assert outbox.waiting == 0
    stopping = asyncio.create_task(worker.settle_waiting(outbox))
    await asyncio.sleep(SETTLE_AFTER)
    assert not stopping.done(), "the stop waits for the write under way"
    release.set()
    await stopping
    assert outbox.pending() == []


async def test_a_bot_stopping_writes_the_sent_marks_still_waiting(telegram, db):
    """Stopped right after a reply went out, the bot writes its "sent" mark first: a restart
    does not send the answer again."""
    from handlers.telegram_app import on_stop

    await telegram.send(RESIDENT, "这次排查什么时候开始？")
    assistant = telegram.app.bot_data["assistant"]
    assert assistant.outbox.waiting == 1
    await on_stop(telegram.app)
    assert assistant.outbox.waiting == 0
    assert assistant.outbox.pending() == []


def test_an_update_is_marked_done_with_its_replies_once_and_in_order(db):
    """`Outbox.add_done` (one statement on PostgreSQL): the update done, its replies claimed in
    reply order with their files; a second instance applying it too adds nothing."""
    inbox, outbox = Inbox(db), Outbox(db)
    replies = [Reply("第一条"), Reply("统计图", photo=b"\x89PNG"), Reply("三")]
    with db.unit_of_work():
        added = outbox.add_done(inbox, 701, RESIDENT, replies, {"message_id": 9})
    assert added is not None
    assert [i.reply.text for i in added] == ["第一条", "统计图", "三"]
    assert [i.id for i in added] == sorted(i.id for i in added)
    assert added[1].reply.photo == b"\x89PNG" and added[0].reply.photo is None
    assert all(i.origin == {"message_id": 9} for i in added)
    assert not Outbox(db).claim(added[0].id), "written claimed for this sender"
    assert outbox.pending(701) == added, "stored as returned, the chart's bytes too"
    with db.unit_of_work():
        assert outbox.add_done(inbox, 701, RESIDENT, [Reply("again")]) is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 3
        row = session.get(InboxEntry, 701)
        assert row is not None and row.done_at is not None
    with db.unit_of_work():
        assert outbox.add_done(inbox, 702, RESIDENT, []) == [], "done, nothing to send"
    with db.unit_of_work():
        assert outbox.add_done(inbox, 702, RESIDENT, []) is None
