"""The command-line export at 10,000 and 100,000 submissions: time, and peak memory.

The flow of `run()`:

1. For each size a temporary SQLite database is filled in batches (not part of the figures),
   with reports and visits whose answers look like the real dialogs' (tests.dialog_script).
2. `python bot.py export --format xlsx` runs on it in a fresh process, as an operator runs it;
   the process reports its own peak RSS (VmHWM). The same command on an empty database gives the
   baseline: what the interpreter and the imports cost before any row, so "growth" is what the
   rows themselves cost. The export streams rows into xlsxwriter's constant_memory mode, so the
   peak should stay flat as the rows grow tenfold.
3. `heavy_modules_loaded` runs the export in a child that reports which of the heavy libraries
   the bot needs elsewhere (jieba, pypinyin, matplotlib …) it imported: none should be.

Full: 10,000 and 100,000 rows; smoke: 500 and 2,000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Section, section_main, table

ROOT = Path(__file__).resolve().parent.parent
TOWNSHIPS = ("水阳镇", "狸桥镇", "孙埠镇", "水东镇", "溪口镇")
# Libraries the bot uses for dialogs, retrieval and charts; an export needs none of them.
HEAVY = ("jieba", "pypinyin", "cn2an", "rapidfuzz", "phonenumbers", "matplotlib", "knowledge")
FULL_SIZES, SMOKE_SIZES = (10_000, 100_000), (500, 2_000)


def fill(url: str, rows: int, batch: int = 5000) -> None:
    from sqlalchemy import insert, select

    from storage.database import open_database
    from storage.models import StatusChange, Submission
    from tests.dialog_script import REPORT_ANSWERS, VISIT_ANSWERS

    # A visit with a note, so the export has a long free-text cell to write.
    visit_answers = dict(VISIT_ANSWERS, visit_note="户主外出务工，与其妻子交谈")
    db = open_database(url)
    base = datetime(2024, 6, 1, tzinfo=UTC)
    for start in range(0, rows, batch):
        chunk = []
        for i in range(start, min(start + batch, rows)):
            visit = i % 4 == 0
            answers = dict(
                visit_answers if visit else REPORT_ANSWERS,
                township=TOWNSHIPS[i % len(TOWNSHIPS)],
                description=None if visit else f"家中第{i % 7 + 1}口人长期患病，需要定期治疗。",
            )
            size = 1 + i % 6
            chunk.append(
                {
                    "reference": f"FP{i + 1:06d}",
                    "dialog": "visit" if visit else "report",
                    "draft_id": f"bench{i:010d}",
                    "submitted_by": 10_000 + i % 300,
                    "township": answers["township"],
                    "village": answers["village"],
                    "contact_name": answers["contact_name"],
                    "phone": answers["phone"],
                    "household_size": size,
                    "annual_income": 9_000 + i % 40_000,
                    "per_capita_income": (9_000 + i % 40_000) // size,
                    "priority": "优先核实" if i % 5 else "一般",
                    "priority_reasons": ["人均纯收入低于监测线"] if i % 5 else [],
                    "answers": answers,
                    "status": "核实中" if i % 10 == 0 else "待核实",
                    "assigned_to": None,
                    "created_at": base + timedelta(seconds=30 * i),
                    "updated_at": base + timedelta(seconds=30 * i),
                }
            )
        with db.session() as session:
            session.execute(insert(Submission), chunk)
            ids = session.scalars(
                select(Submission.id)
                .where(Submission.status == "核实中", Submission.id > start)
                .where(Submission.id <= start + batch)
            ).all()
            if ids:
                session.execute(
                    insert(StatusChange),
                    [
                        {
                            "submission_id": sid,
                            "changed_by": 777,
                            "changed_at": base + timedelta(days=1),
                            "from_status": "待核实",
                            "to_status": "核实中",
                            "note": "已电话联系",
                        }
                        for sid in ids
                    ],
                )
    db.engine.dispose()


def export_command(url: str, out: Path) -> tuple[list[str], dict[str, str]]:
    """The operator's command line, and its environment."""
    env = dict(os.environ, DATABASE_URL=url)
    return [sys.executable, "bot.py", "export", "--format", "xlsx", "--out", str(out)], env


# Runs bot.py's main in the child, then writes the child's own peak RSS (VmHWM, KiB) to the file
# named last on its command line. Not `os.wait4`'s ru_maxrss: on Linux a child's maxrss starts at
# the peak of the process it was spawned from (exec keeps the larger), so under a test runner of
# 1 GB it would say 1 GB whatever the export used.
_MEASURE = """
import sys, runpy
peak_file = sys.argv.pop()
sys.argv = sys.argv[1:]
try:
    runpy.run_path("bot.py", run_name="__main__")
except SystemExit as exit:
    if exit.code:
        raise
finally:
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next((l.split()[1] for l in status if l.startswith("VmHWM:")), "0"))
"""


def run_export(url: str, out: Path) -> dict[str, float]:
    """Run the CLI export in a fresh process: seconds and that process's peak RSS (MiB)."""
    command, env = export_command(url, out)
    peak_file = out.with_suffix(".peak")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command[1:], str(peak_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        errors = done.stderr.decode()[-500:]
        raise RuntimeError(f"bot.py export failed ({done.returncode}): {errors}")
    kib = int(peak_file.read_text() or 0)
    peak_file.unlink()
    return {"seconds": seconds, "peak_mib": kib / 1024, "bytes": out.stat().st_size}


# Runs bot.py's main in the child, then prints which heavy modules it imported.
_PROBE = """
import json, sys, runpy
sys.argv = sys.argv[1:]
try:
    runpy.run_path("bot.py", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = json.loads({heavy!r})
print(json.dumps([m for m in heavy if m in sys.modules]))
"""


def heavy_modules_loaded(url: str, out: Path) -> list[str]:
    """The heavy libraries (HEAVY) that the CLI export imports; [] is right."""
    command, env = export_command(url, out)
    probe = _PROBE.format(heavy=json.dumps(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", probe, *command[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(smoke: bool) -> Section:
    sizes = SMOKE_SIZES if smoke else FULL_SIZES
    results = []
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        empty = f"sqlite:///{Path(tmp) / 'empty.db'}"
        fill(empty, 0)
        baseline = run_export(empty, Path(tmp) / "empty.xlsx")
        heavy = heavy_modules_loaded(empty, Path(tmp) / "probe.xlsx")
        for rows in sizes:
            url = f"sqlite:///{Path(tmp) / f'bench{rows}.db'}"
            fill(url, rows)
            result = run_export(url, Path(tmp) / f"export{rows}.xlsx")
            results.append({"rows": rows, **result})
    body = [
        "`python bot.py export --format xlsx` (SQLite, xlsxwriter constant_memory) in a fresh "
        "process per size; peak RSS of that process (its VmHWM). Baseline: the same command "
        f"on an empty database, {baseline['peak_mib']:.1f} MiB in {baseline['seconds']:.2f} s "
        "(interpreter and imports).",
        "",
        table(
            ["rows", "seconds", "rows/s", "peak MiB", "growth over baseline MiB", "file MiB"],
            [
                (
                    f"{r['rows']:,}",
                    f"{r['seconds']:.1f}",
                    f"{r['rows'] / r['seconds']:,.0f}",
                    f"{r['peak_mib']:.1f}",
                    f"{r['peak_mib'] - baseline['peak_mib']:+.1f}",
                    f"{r['bytes'] / 2**20:.1f}",
                )
                for r in results
            ],
        ),
        "",
        "Heavy modules the export imported: "
        + (", ".join(heavy) if heavy else f"none (checked: {', '.join(HEAVY)})")
        + ".",
    ]
    data = {"baseline": baseline, "sizes": results, "heavy_modules_loaded": heavy}
    return Section("export", "Command-line export", "\n".join(body), data)


if __name__ == "__main__":
    section_main(run)
