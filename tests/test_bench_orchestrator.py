"""`make bench` runs every section in its own process and writes results.md and results.json;
each section's own smoke test is in tests/test_bench_*.py, this one checks the assembly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import SECTIONS

ROOT = Path(__file__).resolve().parent.parent


def test_every_section_has_a_module_and_a_smoke_test():
    for name in SECTIONS:
        assert (ROOT / "bench" / f"{name}.py").exists(), name
    tested: set[str] = set()
    for path in (ROOT / "tests").glob("test_bench_*.py"):
        for line in path.read_text("utf-8").splitlines():
            if line.startswith("from bench import "):
                tested.update(n.strip() for n in line.removeprefix("from bench import ").split(","))
    assert set(SECTIONS) <= tested


def _smoke_run_of_storage(out_dir: Path) -> dict:
    """`python -m bench --smoke --only storage` into `out_dir`: the results.json it wrote."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--only", "storage", "--out-dir", str(out_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((out_dir / "results.json").read_text("utf-8"))


def test_a_smoke_run_writes_both_result_files(tmp_path):
    results = _smoke_run_of_storage(tmp_path)
    assert results["machine"]["smoke"] is True and results["machine"]["cpus"]
    (section,) = results["sections"]
    assert section["key"] == "storage" and section["data"]
    markdown = (tmp_path / "results.md").read_text("utf-8")
    assert "smoke run" in markdown and f"## {section['title']}" in markdown


def test_a_run_of_some_sections_keeps_the_others_from_the_earlier_run(tmp_path):
    earlier = {
        "machine": {"commit": "abc1234", "started": "2026-12-01T10:00:00+00:00", "smoke": True},
        "sections": [
            {
                "key": "quality",
                "title": "Q&A quality",
                "markdown": "earlier quality table",
                "data": {"x": 1},
                "seconds": 9.0,
            },
            {
                "key": "storage",
                "title": "Storage",
                "markdown": "earlier storage table",
                "data": {"y": 2},
                "seconds": 8.0,
            },
        ],
    }
    (tmp_path / "results.json").write_text(json.dumps(earlier), "utf-8")
    results = _smoke_run_of_storage(tmp_path)
    quality, storage = results["sections"]
    assert quality["key"] == "quality" and quality["data"] == {"x": 1}
    assert quality["commit"] == "abc1234"
    assert storage["key"] == "storage" and storage["markdown"] != "earlier storage table"
    markdown = (tmp_path / "results.md").read_text("utf-8")
    assert "earlier quality table" in markdown and "earlier storage table" not in markdown
    assert "_From the run at commit abc1234, 2026-12-01T10:00:00+00:00._" in markdown
