"""The "updates" and "dialogs" benchmark sections run (smoke sizes, in this process) and their
counts add up: no report lost, duplicated or mixed up between residents, SQL statements and
transactions per update reported, receiving and applying an update is one transaction and
sending its replies one more. No timing is
asserted: smoke figures mean nothing."""

from __future__ import annotations

import pytest

from bench import dialogs, updates


@pytest.fixture(scope="module")
def updates_section():
    return updates.run(smoke=True)


def test_the_apply_step_is_one_transaction_and_the_counts_are_reported(updates_section):
    data = updates_section.data
    assert data["echo"] > 0 and data["echo_in_thread"] > 0
    # the floor is run before each database's rows and after the last; the fastest divides
    floors = data["echo_in_thread_runs"]
    assert len(floors) >= 2 and data["echo_in_thread"] == max(floors)
    assert "sqlite" in data["backends"], "SQLite always runs"
    for backend, paths in data["backends"].items():
        for path in ("question", "dialog step"):
            figures = paths[path]
            assert figures["updates_per_s"] > 0, (backend, path)
            assert figures["statements_per_update"] > 0, (backend, path)
            assert figures["transactions_per_update"] >= 1, (backend, path)
            assert figures["apply_transactions_per_update"] == 1, (backend, path, figures)
            steps = figures["by_phase"]
            assert steps["receive + apply"]["transactions"] == 1, (backend, path, steps)
            assert "receive" not in steps, "received in the applying transaction"
            assert "read replies back" not in steps, "the apply step returns what it stored"
            # Replies are written claimed; their "sent" marks are written for many updates at
            # once: less than one more transaction per update.
            assert 0 < steps["send (claim, settle)"]["transactions"] < 1, (backend, path, steps)
    markdown = updates_section.markdown
    assert "300 messages/s" in markdown and "echo in a worker thread" in markdown


def test_concurrent_dialogs_on_two_instances_lose_duplicate_and_mix_up_nothing():
    section = dialogs.run(smoke=True)
    assert "sqlite" in section.data
    for backend, figures in section.data.items():
        assert figures["residents"] == 20
        assert figures["updates"] == 20 * len(updates.report_items())
        counts = {
            name: figures[name]
            for name in (
                "lost",
                "duplicated",
                "wrong",
                "inbox_not_applied",
                "outbox_not_sent",
                "extra_replies",
                "missing_replies",
            )
        }
        assert set(counts.values()) == {0}, (backend, counts, section.markdown)
        assert figures["statements_per_update"] > 0 and figures["transactions_per_update"] > 0
