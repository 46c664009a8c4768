"""Storage at district scale: the staff queries on a million submissions, SQLite and PostgreSQL.

The flow of `run()`:

1. For each backend — a temporary SQLite file, and a database `bench_storage` created on the
   PostgreSQL server of the tests (skipped, and said so, when none is reachable) — the real
   migrations create the schema, then `fill` writes N generated submissions: ~16 townships
   (places.yaml), 200 villages, 300,000 distinct submitters, submitted over 30 days, priorities
   and statuses in the triage and workflow vocabulary (older records decided more often), and
   1–2 status-history rows for every record past 待核实. Rows go in through the driver in big
   batches (sqlite3 executemany, PostgreSQL COPY, then VACUUM ANALYZE as autovacuum would);
   the database is then opened as the bot opens it on start (on SQLite that runs ANALYZE).
   The fill is not part of the figures.
2. Each operation runs through the code the bot runs (`StaffDesk` for /pending and /view,
   `ReviewStore.pending` for a filtered page, `SubmissionStore.of_user` as /status calls it,
   `SubmissionStore.villages_of` as the report's village step and the web console list a
   township's recorded villages) REPEATS times against random targets; p50 and p95 in ms.
3. The SQL of one run of each operation is captured with an engine event and explained:
   PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)` (plan nodes, buffers, time), SQLite
   `EXPLAIN QUERY PLAN`. Writes (the audit row of /view) are timed but not explained.

Full: 1,000,000 submissions; smoke: 2,000.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, and_, event, text
from sqlalchemy.engine import make_url

from bench.report import Section, median, percentile, section_main, table
from storage.models import Submission

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "bench_storage"
FULL_ROWS, SMOKE_ROWS = 1_000_000, 2_000
SUBMITTERS = 300_000
VILLAGES = 200
REPEATS, SMOKE_REPEATS = 50, 5
BATCH = 50_000
START = datetime(2026, 11, 1, tzinfo=UTC)
ADMIN, REVIEWER_ALL, REVIEWER_ONE = 1, 2, 3
# Priorities of the triage levels (优先核实, 重点关注, 一般) and decided statuses, by share.
PRIORITY_SHARES = (0.15, 0.35, 0.50)
DECIDED = ("已纳入监测", "不符合条件", "已转办")

# The generator's tuples follow the table's own column order.
COLUMNS = [column.name for column in Submission.__table__.columns]
HISTORY_COLUMNS = ["submission_id", "changed_by", "changed_at", "from_status", "to_status", "note"]


def _generate(
    rows: int, townships: list[str], levels: tuple[str, ...], seed: int = 7
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Batches of (submission rows, status-history rows) as tuples in COLUMNS order."""
    rng = random.Random(seed)
    villages = [
        (townships[v % len(townships)], f"{v // len(townships) + 1}号村") for v in range(VILLAGES)
    ]
    answers = [
        json.dumps({"township": t, "village": v, "contact_name": "王某", "phone": "13800000000"})
        for t, v in villages
    ]
    reasons = json.dumps(["人均纯收入低于监测线"], ensure_ascii=False)
    span = 30 * 24 * 3600
    for start in range(0, rows, BATCH):
        batch: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        for i in range(start, min(start + BATCH, rows)):
            sid = i + 1
            age = 1 - i / rows  # 1 for the oldest record, 0 for the newest
            created = START + timedelta(seconds=int(span * (1 - age)) + rng.randrange(60))
            v = rng.randrange(VILLAGES)
            roll = rng.random()
            priority = (
                levels[0]
                if roll < PRIORITY_SHARES[0]
                else levels[1]
                if roll < PRIORITY_SHARES[0] + PRIORITY_SHARES[1]
                else levels[2]
            )
            roll = rng.random()
            if roll < 0.55 * age:
                status = DECIDED[rng.randrange(3)]
            elif roll < 0.55 * age + 0.25:
                status = "核实中"
            else:
                status = "待核实"
            size = 1 + sid % 6
            income = 6_000 + rng.randrange(60_000)
            batch.append(
                (
                    sid,
                    f"FP{sid:06d}",
                    "visit" if sid % 4 == 0 else "report",
                    f"b{sid:012d}",
                    100_000 + rng.randrange(SUBMITTERS),
                    villages[v][0],
                    villages[v][1],
                    "王某",
                    "138****0000",
                    size,
                    income,
                    income // size,
                    priority,
                    reasons if priority != levels[-1] else "[]",
                    answers[v],
                    status,
                    None if status == "待核实" else 5_000 + v,
                    created,
                    created,
                )
            )
            if status != "待核实":
                changed = created + timedelta(hours=2)
                history.append((sid, 9, changed, "待核实", "核实中", "已电话联系"))
                if status != "核实中":
                    history.append((sid, 9, changed + timedelta(days=1), "核实中", status, "核实"))
        yield batch, history


def _sqlite_time(moment: datetime) -> str:
    """How SQLAlchemy stores a DateTime in SQLite: naive UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def fill(engine: Engine, rows: int, townships: list[str], levels: tuple[str, ...]) -> None:
    """Write the generated rows straight through the driver (the schema is already there)."""
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" * len(COLUMNS))
            history_marks = ", ".join("?" * len(HISTORY_COLUMNS))
            for batch, history in _generate(rows, townships, levels):
                driver.executemany(
                    f"INSERT INTO submissions ({', '.join(COLUMNS)}) VALUES ({marks})",
                    [(*r[:-2], _sqlite_time(r[-2]), _sqlite_time(r[-1])) for r in batch],
                )
                driver.executemany(
                    f"INSERT INTO status_history ({', '.join(HISTORY_COLUMNS)})"
                    f" VALUES ({history_marks})",
                    [(*h[:2], _sqlite_time(h[2]), *h[3:]) for h in history],
                )
            driver.commit()
            return
        with driver.cursor() as cursor:
            for batch, history in _generate(rows, townships, levels):
                with cursor.copy(f"COPY submissions ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                with cursor.copy(
                    f"COPY status_history ({', '.join(HISTORY_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in history:
                        copy.write_row(row)
            cursor.execute("SELECT setval('submissions_id_seq', (SELECT max(id) FROM submissions))")
        driver.commit()
        with driver.cursor() as cursor:  # what autovacuum does soon after a bulk load
            driver.autocommit = True
            cursor.execute("VACUUM ANALYZE submissions")
            cursor.execute("VACUUM ANALYZE status_history")
    finally:
        raw.close()


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (with their parameters) run on `engine` inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


_PG_NODE = re.compile(r"^\s*(?:->\s*)?([A-Z][A-Za-z ]+?)(?: using (\w+))?(?: on \w+)?\s+\(cost")


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    """One line: the plan of `statement` (PostgreSQL: as run, with buffers and time)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "; ".join(str(row[-1]) for row in plan)
        lines = [
            row[0]
            for row in conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            ).all()
        ]
    nodes = []
    for line in lines:
        match = _PG_NODE.match(line)
        if match:
            nodes.append(match.group(1) + (f" {match.group(2)}" if match.group(2) else ""))
    buffers = next((line.strip() for line in lines if "Buffers:" in line), "")
    took = next((line.split(":")[1].strip() for line in lines if "Execution Time" in line), "")
    return f"{' › '.join(nodes)} ({buffers.removeprefix('Buffers: ')}; {took})"


def _short(statement: str) -> str:
    """The statement's gist for the report: what it selects from, with which condition."""
    flat = " ".join(statement.split())
    flat = re.sub(r"SELECT .*? FROM", "SELECT … FROM", flat, count=1)
    return flat[:160] + ("…" if len(flat) > 160 else "")


def measure(backend: str, url: str, rows: int, repeats: int) -> dict[str, Any]:
    """Fill one database and time every operation on it."""
    from assistant.staff_desk import StaffDesk
    from common.messages import Incoming
    from dialogs.spec import load_catalog
    from knowledge import KnowledgeBase
    from review.access import Scope, StaffAccess
    from storage.database import open_database
    from storage.repository import ReviewStore, StaffDirectory, SubmissionStore

    catalog = load_catalog()
    townships = catalog.township_names()
    levels = catalog.triage.levels
    db = open_database(url)
    started = time.perf_counter()
    fill(db.engine, rows, townships, levels)
    db.engine.dispose()
    db = open_database(url)  # as the bot restarts on it: SQLite's statistics are gathered anew
    directory = StaffDirectory(db)
    directory.add(REVIEWER_ALL, "reviewer", townships, None)
    directory.add(REVIEWER_ONE, "reviewer", townships[:1], None)
    fill_seconds = time.perf_counter() - started

    access = StaffAccess(directory, frozenset({ADMIN}))
    # The knowledge base only answers /status notes' phone number: not needed for these.
    desk = StaffDesk(cast(KnowledgeBase, None), db, catalog, access)
    review, submissions = ReviewStore(db), SubmissionStore(db)
    rng = random.Random(11)

    def command(user: int, name: str, *args: str) -> Incoming:
        return Incoming(user_id=user, chat_id=user, command=name, args=args)

    def filtered(page: int) -> Callable[[], object]:
        township = rng.choice(townships)
        where = and_(Scope(townships=frozenset({township})).where(), Submission.status == "核实中")
        return lambda: review.pending(where, levels, page * 10, 10)

    def view() -> Callable[[], object]:
        reference = f"FP{rng.randrange(1, rows + 1):06d}"
        return lambda: desk.cmd_view(command(ADMIN, "view", reference))

    def status() -> Callable[[], object]:
        user = 100_000 + rng.randrange(SUBMITTERS)
        return lambda: submissions.of_user(user)[:20]  # as DialogDesk.status_lines

    def villages() -> Callable[[], object]:
        township = rng.choice(townships)
        return lambda: submissions.villages_of(township)

    later = max(1, min(50, rows // 400))  # a page well inside a filtered queue
    operations: dict[str, Callable[[], Callable[[], object]]] = {
        "/pending, reviewer of every township": lambda: (
            lambda: desk.cmd_pending(command(REVIEWER_ALL, "pending"))
        ),
        "/pending, reviewer of one township": lambda: (
            lambda: desk.cmd_pending(command(REVIEWER_ONE, "pending"))
        ),
        "/pending page 2, admin": lambda: (
            lambda: desk.on_page_button(Incoming(user_id=ADMIN, chat_id=ADMIN, callback="pg:1"))
        ),
        "filtered: 乡镇 + 核实中, page 1": lambda: filtered(0),
        f"filtered: 乡镇 + 核实中, page {later + 1}": lambda: filtered(later),
        "/view one record (+ history)": view,
        "/status of one resident": status,
        "village choices of one township (/report's village step)": lambda: villages(),
    }
    results = []
    for name, target in operations.items():
        target()()  # warm: the first run pays for the connection and the plan cache
        times = []
        for _ in range(repeats):
            call = target()
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        with captured(db.engine) as statements:
            target()()
        plans = [
            (_short(sql), explain(db.engine, sql, params))
            for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT")
        ]
        results.append(
            {
                "operation": name,
                "p50_ms": round(median(times), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "plans": plans,
            }
        )
    db.engine.dispose()
    return {"backend": backend, "rows": rows, "fill_s": round(fill_seconds, 1), "results": results}


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database `bench_storage` on the test server (dropped after), or None."""
    from storage.database import make_engine

    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}"))
            conn.execute(text(f"CREATE DATABASE {PG_BENCH_DB}"))
    except Exception:  # no server: the section says so
        admin.dispose()
        yield None
        return
    try:
        yield make_url(PG_URL).set(database=PG_BENCH_DB).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)"))
        admin.dispose()


def run(smoke: bool) -> Section:
    rows = SMOKE_ROWS if smoke else FULL_ROWS
    repeats = SMOKE_REPEATS if smoke else REPEATS
    backends = []
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        backends.append(measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", rows, repeats))
    with postgres_database() as url:
        if url is not None:
            backends.append(measure("PostgreSQL", url, rows, repeats))
    lines = [
        f"{rows:,} generated submissions; each operation {repeats}× on random targets, through "
        "the bot's own code. Budget: 50 ms p95.",
        "",
        table(
            ["backend", "operation", "p50 ms", "p95 ms"],
            [
                (b["backend"], r["operation"], r["p50_ms"], r["p95_ms"])
                for b in backends
                for r in b["results"]
            ],
        ),
    ]
    if len(backends) == 1:
        lines += ["", "PostgreSQL not reachable: SQLite only."]
    for b in backends:
        lines += ["", f"**{b['backend']} plans** (fill {b['fill_s']} s, not in the figures):", ""]
        for r in b["results"]:
            lines.append(f"- {r['operation']}:")
            lines += [f"  - `{sql}` → {plan}" for sql, plan in r["plans"]]
    return Section("storage", "Storage at district scale", "\n".join(lines), {"backends": backends})


if __name__ == "__main__":
    section_main(run)
