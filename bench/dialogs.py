"""1,000 residents' /report dialogs at once, through two bot instances sharing one database.

    python -m bench.dialogs [--smoke]

Each resident sends /report, the scripted answers of `tests.dialog_script.REPORT` (with their
own household size, income, contact name and phone, so a mix-up shows) and taps the confirm
button: 22 updates. The updates are interleaved round robin — resident 1's first update,
resident 2's first, …, then everybody's second — and each round is fed at once, every update a
task going through the instance's `PerUserUpdateProcessor` as PTB's `concurrent_updates` does
(many updates in flight, each user's in order). Consecutive updates go to alternate instances:
two `Application`s, each with its own `Assistant` and engine on the same database, as two bot
processes behind one webhook would be. A resident's next update is built from the replies to
the previous one (the buttons to tap carry the draft id).

Checked afterwards, on SQLite (a temp file) and PostgreSQL (a private schema; skipped with a note
when unreachable):

- lost: every resident has a submission, the inbox holds no update not applied and the outbox
  no reply not sent;
- duplicated: no resident has two submissions, and each received exactly as many messages as
  one resident alone does (a reference run first): no reply was sent twice;
- wrong: each submission's answers (and its phone/household/income columns) are what that
  resident typed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from telegram import Update

from assistant.service import Assistant
from assistant.worker import settle_waiting
from bench.report import Section, section_main, table
from bench.updates import (
    BenchApi,
    BenchDatabase,
    Bot,
    Feeder,
    SqlCounter,
    bench_database,
    no_flood_limit,
    pg_unreachable_note,
    report_items,
)
from knowledge import KnowledgeBase, load_knowledge
from storage.models import InboxEntry, OutboxEntry, Submission
from tests.dialog_script import REPORT_ANSWERS

FIRST_RESIDENT = 100_000


def typed(index: int) -> dict[str, str]:
    """What resident `index` types instead of the scripted household size, income, name and
    phone (scripted text → their text)."""
    return {
        "四口人": str(1 + index % 9),
        "三万二": str(20_000 + index),
        "张三": f"居民{index}",
        "13812345678": f"139{index:08d}",
    }


def expected(index: int) -> dict[str, Any]:
    return {
        **REPORT_ANSWERS,
        "household_size": 1 + index % 9,
        "annual_income": 20_000 + index,
        "contact_name": f"居民{index}",
        "phone": f"139{index:08d}",
    }


@dataclass
class Outcome:
    backend: str
    residents: int
    updates: int = 0
    seconds: float = 0.0
    lost: int = 0
    duplicated: int = 0
    wrong: int = 0
    unapplied: int = 0
    unsent: int = 0
    extra_replies: int = 0
    missing_replies: int = 0
    statements: int = 0
    transactions: int = 0
    rollbacks: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


async def _one_resident_alone(kb: KnowledgeBase, bench: BenchDatabase) -> int:
    """Messages one resident receives for the whole dialog, alone and one update at a time."""
    assistant = Assistant(kb, bench.open())
    api = BenchApi()
    user = FIRST_RESIDENT - 1
    api.open_chat(user)
    feeder = Feeder()
    async with Bot(assistant, api) as bot:
        no_flood_limit(bot)
        for item in report_items(typed(0)):
            await bot.process(feeder.report_item(user, item))
            feeder.remember(user, api.take(user))
    return api.replies[user]


async def run_backend(kb: KnowledgeBase, bench: BenchDatabase, residents: int) -> Outcome:
    outcome = Outcome(bench.backend, residents)
    per_resident = await _one_resident_alone(kb, bench)
    databases = [bench.open(), bench.open()]
    apis = [BenchApi(), BenchApi()]
    bots = [Bot(Assistant(kb, db), api) for db, api in zip(databases, apis, strict=True)]
    counters = [SqlCounter(db) for db in databases]
    users = [FIRST_RESIDENT + i for i in range(residents)]
    for api in apis:
        for user in users:
            api.open_chat(user)
    scripts = [report_items(typed(i)) for i in range(residents)]
    feeder = Feeder()
    async with bots[0], bots[1]:
        for bot in bots:
            no_flood_limit(bot)
        sent = 0
        for step in range(len(scripts[0])):
            tasks = []
            started = time.perf_counter()
            for index, user in enumerate(users):
                bot = bots[sent % 2]
                sent += 1
                update = Update.de_json(feeder.report_item(user, scripts[index][step]), bot.app.bot)
                processor = bot.app.update_processor
                tasks.append(processor.process_update(update, bot.app.process_update(update)))
            await asyncio.gather(*tasks)
            for bot in bots:  # each step's "sent" marks count too
                await settle_waiting(bot.assistant.outbox)
            outcome.seconds += time.perf_counter() - started
            for user in users:  # the replies, from whichever instance sent them
                feeder.remember(user, apis[0].take(user) + apis[1].take(user))
        outcome.updates = sent
    for counter in counters:
        total = counter.total()
        counter.stop()
        outcome.statements += total.statements
        outcome.transactions += total.transactions
        outcome.rollbacks += total.rollbacks
    _check(outcome, databases[0], users, per_resident, apis)
    return outcome


def _check(
    outcome: Outcome, db: Any, users: list[int], per_resident: int, apis: list[BenchApi]
) -> None:
    with db.session() as session:
        rows = session.scalars(select(Submission).where(Submission.submitted_by.in_(users)))
        by_user: dict[int, list[Submission]] = {}
        for row in rows:
            by_user.setdefault(row.submitted_by, []).append(row)
        outcome.unapplied = session.scalar(
            select(func.count()).select_from(InboxEntry).where(InboxEntry.done_at.is_(None))
        )
        outcome.unsent = session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.sent_at.is_(None))
        )
    for index, user in enumerate(users):
        stored = by_user.get(user, [])
        if not stored:
            outcome.lost += 1
            continue
        if len(stored) > 1:
            outcome.duplicated += len(stored) - 1
        want = expected(index)
        row = stored[0]
        columns = (row.phone, row.household_size, row.annual_income, row.contact_name)
        if row.answers != want or columns != (
            want["phone"],
            want["household_size"],
            want["annual_income"],
            want["contact_name"],
        ):
            outcome.wrong += 1
            if len(outcome.problems) < 3:
                outcome.problems.append(f"resident {index}: {row.answers} ≠ {want}")
        received = apis[0].replies[user] + apis[1].replies[user]
        outcome.extra_replies += max(0, received - per_resident)
        outcome.missing_replies += max(0, per_resident - received)
    outcome.lost += outcome.unapplied  # an update never applied is lost too


def run(smoke: bool) -> Section:
    return asyncio.run(_run(smoke))


def _one_backend(backend: str, residents: int) -> Outcome | None:
    """One database's run, in a process of its own (None: PostgreSQL is unreachable)."""
    kb = load_knowledge()
    with bench_database(backend) as bench:
        if bench is None:
            return None
        return asyncio.run(run_backend(kb, bench, residents))


async def _run(smoke: bool) -> Section:
    residents = 20 if smoke else 1000
    outcomes: list[Outcome] = []
    notes: list[str] = []
    # The two databases run side by side, one process each (one per core), so the section fits
    # the bench's time; within each, the updates are interleaved and concurrent as described.
    with ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        futures = [pool.submit(_one_backend, b, residents) for b in ("sqlite", "postgresql")]
        for future in futures:
            outcome = future.result()
            if outcome is None:
                notes.append(pg_unreachable_note())
            else:
                outcomes.append(outcome)
    rows = [
        [
            o.backend,
            o.residents,
            o.updates,
            f"{o.seconds:.1f}",
            f"{o.rate:,.0f}",
            o.lost,
            o.duplicated,
            o.wrong,
            f"{o.extra_replies} / {o.missing_replies}",
            f"{o.statements / o.updates:.1f} in {o.transactions / o.updates:.1f}",
            o.rollbacks,
        ]
        for o in outcomes
    ]
    problems = [p for o in outcomes for p in o.problems]
    markdown = "\n\n".join(
        [
            table(
                [
                    "database",
                    "residents",
                    "updates",
                    "seconds",
                    "updates/s",
                    "lost",
                    "duplicated",
                    "wrong",
                    "replies extra / missing",
                    "SQL statements in transactions / update",
                    "rollbacks",
                ],
                rows,
            ),
            "Two Applications on one database, updates alternating between them, each round "
            "of the round robin (one update per resident) fed at once through "
            "`PerUserUpdateProcessor`; Bot API offline, no DeliveryLimiter, flood control off. "
            "Rollbacks include the attempts a `DraftConflict` started again.",
            *notes,
            *(f"Problem: {p}" for p in problems),
        ]
    )
    data = {
        o.backend: {
            "residents": o.residents,
            "updates": o.updates,
            "seconds": round(o.seconds, 2),
            "updates_per_s": round(o.rate, 1),
            "lost": o.lost,
            "duplicated": o.duplicated,
            "wrong": o.wrong,
            "inbox_not_applied": o.unapplied,
            "outbox_not_sent": o.unsent,
            "extra_replies": o.extra_replies,
            "missing_replies": o.missing_replies,
            "statements_per_update": round(o.statements / o.updates, 2),
            "transactions_per_update": round(o.transactions / o.updates, 2),
            "rollbacks": o.rollbacks,
        }
        for o in outcomes
    }
    return Section("dialogs", "Concurrent /report dialogs, two instances", markdown, data)


if __name__ == "__main__":
    section_main(run)
