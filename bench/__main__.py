"""Run every benchmark section and write bench/results.md and bench/results.json.

python -m bench [--smoke] [--out-dir DIR] [--only NAME ...]

With `--only`, the sections run replace theirs in the results already in DIR (a smoke run's
only a smoke run's); the others are kept as they were, each saying the commit and time of the
run it comes from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# In the order they appear in the results.
SECTIONS = ("quality", "latency", "updates", "dialogs", "storage", "export")


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI), no timing claims")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args(argv)

    started = datetime.now(UTC)
    sections: list[dict] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in [s for s in SECTIONS if s in args.only]:
            out = Path(tmp) / f"{name}.json"
            command = [sys.executable, "-m", f"bench.{name}", "--out", str(out)]
            if args.smoke:
                command.append("--smoke")
            print(f"bench: {name} …", flush=True)
            t0 = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT)
            seconds = time.perf_counter() - t0
            if done.returncode != 0 or not out.exists():
                failed.append(name)
                sections.append(
                    {
                        "key": name,
                        "title": name,
                        "markdown": f"**failed** (exit code {done.returncode})",
                        "data": {},
                        "seconds": round(seconds, 1),
                    }
                )
                continue
            section = json.loads(out.read_text("utf-8"))
            section["seconds"] = round(seconds, 1)
            sections.append(section)
            print(f"bench: {name} done in {seconds:.0f} s", flush=True)

    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": _commit(),
        "started": started.isoformat(timespec="seconds"),
        "smoke": args.smoke,
    }
    for section in sections:
        section["commit"], section["started"] = machine["commit"], machine["started"]
    sections = _with_earlier(sections, args.out_dir / "results.json", args.smoke)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "results.json").write_text(
        json.dumps({"machine": machine, "sections": sections}, ensure_ascii=False, indent=2),
        "utf-8",
    )
    lines = [
        "# Benchmark results",
        "",
        f"Commit {machine['commit']}, {machine['started']}, {machine['cpus']} CPUs, "
        f"Python {machine['python']}"
        + (" — **smoke run: tiny sizes, figures mean nothing**" if args.smoke else "")
        + ". How to read them: bench/README.md.",
        "",
    ]
    for section in sections:
        lines += [f"## {section['title']}", ""]
        if section["commit"] != machine["commit"] or section["started"] != machine["started"]:
            lines += [f"_From the run at commit {section['commit']}, {section['started']}._", ""]
        lines += [section["markdown"].strip(), "", f"_{section['seconds']} s_", ""]
    (args.out_dir / "results.md").write_text("\n".join(lines), "utf-8")
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _with_earlier(sections: list[dict], path: Path, smoke: bool) -> list[dict]:
    """`sections` and, in the order of SECTIONS, those of the earlier results at `path` that
    were not run now (a smoke run and a full run are never mixed)."""
    try:
        earlier = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return sections
    if earlier.get("machine", {}).get("smoke") != smoke:
        return sections
    by_key = {}
    for section in earlier.get("sections", []):
        section.setdefault("commit", earlier["machine"].get("commit", "unknown"))
        section.setdefault("started", earlier["machine"].get("started", "unknown"))
        by_key[section["key"]] = section
    by_key.update({section["key"]: section for section in sections})
    return [by_key[name] for name in SECTIONS if name in by_key]


if __name__ == "__main__":
    raise SystemExit(main())
