"""One bot process for the crash tests: receive one update, process it, send its replies —
and die wherever `FANPIN_CRASH_AT` says (see `storage.crash_point`).

    python -m tests.crash_script DB_URL SCHEMA|- USER UPDATE_ID TEXT SENT_LOG [PATH]

PATH `stored` (default): stored first (`Inbox.receive`), then applied (`process_stored`), as
through the update queue; `one-transaction`: received and applied in one transaction
(`process_received`). Replies "sent" are appended to SENT_LOG, one JSON line each
({"chat": …, "text": …}).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from assistant.service import Assistant
from assistant.worker import deliver, settle_waiting
from common.messages import Incoming
from knowledge import load_knowledge
from storage.database import Database, make_engine
from storage.inbox import Outgoing


def database(url: str, schema: str) -> Database:
    if schema == "-":
        return Database(make_engine(url))
    return Database(make_engine(url, connect_args={"options": f"-csearch_path={schema}"}))


def fake_sender(log: Path):
    async def send(item: Outgoing) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"chat": item.target, "text": item.reply.text}) + "\n")

    return send


async def main(
    url: str, schema: str, user: str, update_id: str, text: str, log: str, path: str = "stored"
) -> None:
    assistant = Assistant(load_knowledge(), database(url, schema))
    incoming = Incoming(int(user), int(user), text=text, update_id=int(update_id))
    if path == "one-transaction":
        items = assistant.process_received(int(update_id), incoming).items
    else:
        assistant.inbox.receive(int(update_id), incoming)
        items = assistant.process_stored(int(update_id))
    await deliver(assistant.outbox, items, fake_sender(Path(log)))
    await settle_waiting(assistant.outbox)  # a stop that is no crash writes them


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:8]))
