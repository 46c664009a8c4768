"""The storage and export benchmark sections run (smoke sizes), the CLI export stays light, and
migration 0007's queue indexes exist on both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from bench import export, storage
from storage.models import Submission
from storage.repository import ReviewStore

QUEUE_INDEXES = {
    "ix_submissions_queue": ["priority", "created_at", "id", "status"],
    "ix_submissions_township_queue": ["township", "priority", "created_at", "id", "status"],
    "ix_submissions_assigned_to": ["assigned_to"],
}


def test_the_storage_section_times_every_operation_and_explains_its_queries():
    section = storage.run(True)
    backends = section.data["backends"]
    assert backends[0]["backend"] == "SQLite" and len(backends) in (1, 2)
    for backend in backends:
        assert backend["rows"] == storage.SMOKE_ROWS
        operations = [r["operation"] for r in backend["results"]]
        assert any(o.startswith("/pending") for o in operations)
        assert any(o.startswith("/view") for o in operations)
        assert any(o.startswith("/status") for o in operations)
        assert any(o.startswith("village choices") for o in operations)
        for result in backend["results"]:
            assert 0 < result["p50_ms"] <= result["p95_ms"] < 5_000, result
            assert result["plans"] and all(plan for _, plan in result["plans"]), result
    plans = " ".join(p for b in backends for r in b["results"] for _, p in r["plans"])
    assert "ix_submissions_township_queue" in plans
    assert "ix_submissions_township_village" in plans  # the village step counts by index
    assert "p95 ms" in section.markdown


def test_the_export_section_reports_time_and_memory_and_no_heavy_module():
    section = export.run(True)
    sizes = section.data["sizes"]
    assert [s["rows"] for s in sizes] == list(export.SMOKE_SIZES)
    for size in sizes:
        assert size["seconds"] > 0 and size["bytes"] > 0
        assert 0 < section.data["baseline"]["peak_mib"] <= size["peak_mib"] < 1024
    assert section.data["heavy_modules_loaded"] == []


def test_the_queue_indexes_exist_after_upgrading_to_head(db):
    indexes = {
        ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("submissions")
    }
    for name, columns in QUEUE_INDEXES.items():
        assert indexes.get(name) == columns, name


def test_a_queue_longer_than_the_cap_says_more_and_pages_across_priority_levels(
    db, make_submission, monkeypatch
):
    """Counted up to the cap; rows of one level continue on the next page into the next level."""
    monkeypatch.setattr("storage.repository.QUEUE_COUNT_CAP", 3)
    urgent = [make_submission(submitted_by=10 + i, priority="优先核实") for i in range(2)]
    plain = [make_submission(submitted_by=20 + i, priority="一般") for i in range(3)]
    review = ReviewStore(db)
    levels = ("优先核实", "重点关注", "一般")
    first = review.pending(Submission.id.is_not(None), levels, 0, 3)
    assert (first.total, first.more) == (3, True)
    second = review.pending(Submission.id.is_not(None), levels, 3, 3)
    assert [r.reference for r in first.rows + second.rows] == urgent + plain
