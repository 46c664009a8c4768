"""Crash tests: a bot process killed (SIGKILL, as a power cut) at each point between receiving
an answer midway through /report and sending the next question; a restart (recover, process,
send) then leaves the answer stored once, the draft one version further, and the next question
sent once — twice only when the kill came between sending it and marking it sent.

Both ways of receiving are tried: stored first, then applied (the update queue's way), and
received and applied in one transaction (`process_received`), where an update killed before
its commit is not stored at all — it was never acknowledged, so Telegram delivers it again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import text

from assistant.service import Assistant
from assistant.worker import deliver, recover_and_deliver
from common.messages import Incoming
from storage import CRASH_AT
from storage.inbox import Outbox, Outgoing
from tests.chat import ROOT, answer, draft_of, say
from tests.dialog_script import REPORT

# kill point → how often the user sees the next question in the end
KILL_POINTS = {
    "received": 1,  # stored in the inbox, nothing applied
    "draft_saved": 1,  # the draft row written, the unit of work not committed
    "before_commit": 1,  # every write done, not committed
    "committed": 1,  # applied and replies in the outbox, nothing sent
    "sent": 2,  # sent, not marked sent: sent again (at least once)
}
FIRST_USER = 8100
SCRIPT = (sys.executable, "-m", "tests.crash_script")


def _url_and_schema(assistant: Assistant) -> tuple[str, str]:
    engine = assistant.db.engine
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url, "-"
    with engine.connect() as conn:
        return url, str(conn.execute(text("select current_schema()")).scalar())


async def test_a_crash_at_any_point_loses_no_answer_and_applies_none_twice(assistant, kb, tmp_path):
    await _crash_everywhere(assistant, kb, tmp_path, "stored", KILL_POINTS, FIRST_USER)


# The one-transaction path has no "received" point: nothing is stored before the commit.
ONE_TRANSACTION_KILL_POINTS = {p: n for p, n in KILL_POINTS.items() if p != "received"}


async def test_a_crash_in_the_one_transaction_path_loses_nothing_once_telegram_redelivers(
    assistant, kb, tmp_path
):
    await _crash_everywhere(
        assistant, kb, tmp_path, "one-transaction", ONE_TRANSACTION_KILL_POINTS, FIRST_USER + 50
    )


async def _crash_everywhere(assistant, kb, tmp_path, path: str, points: dict[str, int], first):
    url, schema = _url_and_schema(assistant)
    users = {point: first + i for i, point in enumerate(points)}
    control = first + len(users)
    for user in [*users.values(), control]:  # each one is asked for the village
        say(assistant, user, "/report")
        answer(assistant, user, REPORT.until("village"))
    before = {user: draft_of(assistant, user).version for user in users.values()}
    expected = say(assistant, control, "红星村")[0].text  # the next question

    log = tmp_path / "sent.jsonl"
    processes = {
        point: subprocess.Popen(
            [*SCRIPT, url, schema, str(user), str(90_000 + user), "红星村", str(log), path],
            cwd=ROOT,
            env={**os.environ, CRASH_AT: point},
        )
        for point, user in users.items()
    }
    for point, process in processes.items():
        assert process.wait(timeout=120) == -signal.SIGKILL, f"{point}: the process was not killed"

    async def fake_send(item: Outgoing) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"chat": item.target, "text": item.reply.text}) + "\n")

    restarted = Assistant(kb, assistant.db)
    restarted.outbox = Outbox(assistant.db, lease=timedelta(0))  # as after the lease ran out
    if path == "one-transaction":  # never acknowledged: Telegram sends each update again
        for user in users.values():
            incoming = Incoming(user, user, text="红星村", update_id=90_000 + user)
            processed = restarted.process_received(90_000 + user, incoming)
            await deliver(restarted.outbox, processed.items, fake_send)
    await recover_and_deliver(restarted, fake_send)

    sent = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for point, user in users.items():
        draft = draft_of(restarted, user)
        assert draft.state["answers"]["village"] == "红星村", point
        assert draft.version == before[user] + 1, (
            f"{point}: applied {draft.version - before[user]}x"
        )
        seen = [m["text"] for m in sent if m["chat"] == user]
        assert seen == [expected] * points[point], f"{point}: the user saw {seen}"
    again = await recover_and_deliver(restarted, fake_send)
    assert again == 0, "a second restart finds nothing left to do"
