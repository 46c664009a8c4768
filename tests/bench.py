"""Export benchmark: rows per second and peak memory, 10,000 vs 100,000 submissions to xlsx.

    make bench          (python -m tests.bench [--rows 10000 100000] [--format xlsx|csv])

For each size a temporary SQLite database is filled (in batches, so filling it does not weigh on
the figures) and exported by a fresh child process, which reports its own peak RSS
(`resource.getrusage`) before and after the export. The export streams rows from the database
into xlsxwriter's constant_memory mode, so the peak should stay flat as the rows grow tenfold.
Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.dialog_script import REPORT_ANSWERS, VISIT_ANSWERS

ROOT = Path(__file__).resolve().parent.parent
TOWNSHIPS = ("水阳镇", "狸桥镇", "孙埠镇", "水东镇", "溪口镇")
# A visit with a note, so the export has a long free-text cell to write.
VISIT_ANSWERS = dict(VISIT_ANSWERS, visit_note="户主外出务工，与其妻子交谈")


def fill(url: str, rows: int, batch: int = 5000) -> None:
    from sqlalchemy import insert, select

    from storage.database import open_database
    from storage.models import StatusChange, Submission

    db = open_database(url)
    base = datetime(2024, 6, 1, tzinfo=UTC)
    for start in range(0, rows, batch):
        chunk = []
        for i in range(start, min(start + batch, rows)):
            visit = i % 4 == 0
            answers = dict(
                VISIT_ANSWERS if visit else REPORT_ANSWERS,
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
                    "priority": "高" if i % 5 else "一般",
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


def peak_rss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def current_rss_mib() -> float | None:
    """The resident set right now (Linux only), to see memory during the export itself."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    import resource

    return pages * resource.getpagesize() / 2**20


def child(url: str, out: Path, fmt: str) -> None:
    """Run in a fresh process: export and report the figures as one JSON line."""
    from dialogs.spec import load_catalog
    from review.access import Scope
    from review.export import ExportFilter, export_submissions
    from storage.database import open_database

    db = open_database(url, migrate=False)
    catalog = load_catalog()
    before = peak_rss_mib()
    samples: list[float] = []

    def sample(_done: int) -> None:
        rss = current_rss_mib()
        if rss is not None:
            samples.append(rss)

    started = time.perf_counter()
    filters = ExportFilter(Scope(everything=True))
    rows = export_submissions(db, catalog, filters, out, fmt, sample).count
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "rss_before": before,
                "rss_peak": peak_rss_mib(),
                "rss_during": max(samples, default=None),
                "bytes": out.stat().st_size,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--child", nargs=2, metavar=("URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), args.format)
        return 0

    results = []
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        for rows in args.rows:
            url = f"sqlite:///{Path(tmp) / f'bench{rows}.db'}"
            print(f"准备 {rows:,} 条记录的 SQLite 数据库…", file=sys.stderr, flush=True)
            fill(url, rows)
            out = Path(tmp) / f"export{rows}.{args.format}"
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.bench",
                    "--format",
                    args.format,
                    "--child",
                    url,
                    str(out),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)

    mode = "xlsxwriter constant_memory" if args.format == "xlsx" else "csv 逐行写入"
    print(f"导出 {args.format}（SQLite，{mode}），每个规模一个新进程：")
    print("（导出前的 RSS 主要来自导入的模块：SQLAlchemy、xlsxwriter、OpenCC）")
    print(
        f"{'行数':>9} {'耗时 s':>8} {'行/秒':>8} {'导出前峰值 MiB':>14} {'导出后峰值 MiB':>14}"
        f" {'增长 MiB':>9} {'导出中最大 RSS MiB':>18} {'文件 MiB':>9}"
    )
    for r in results:
        during = "—" if r["rss_during"] is None else f"{r['rss_during']:.1f}"
        print(
            f"{r['rows']:>10,} {r['seconds']:>9.1f} {r['rows'] / r['seconds']:>10,.0f}"
            f" {r['rss_before']:>19.1f} {r['rss_peak']:>19.1f}"
            f" {r['rss_peak'] - r['rss_before']:>11.1f}"
            f" {during:>26} {r['bytes'] / 2**20:>10.1f}"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(
            f"行数 ×{large['rows'] / max(small['rows'], 1):.0f}，"
            f"峰值内存 {small['rss_peak']:.1f} → "
            f"{large['rss_peak']:.1f} MiB（{large['rss_peak'] - small['rss_peak']:+.1f} MiB）"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
