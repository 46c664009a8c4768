"""Retrieval benchmark: knowledge-base load time and per-question latency over the project's
question set (tests/data/qa_questions.yaml), repeated to steady the figures.

    make bench          (python -m tests.bench_retrieval [--rounds 5])
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import yaml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from knowledge import load_knowledge

    kb = load_knowledge()
    loaded = time.perf_counter() - started
    data = yaml.safe_load((Path(__file__).parent / "data" / "qa_questions.yaml").read_text("utf-8"))
    questions = [c["q"] for c in data["in_scope"]] + list(data["out_of_scope"])

    timings = []
    for _ in range(args.rounds):
        for question in questions:
            t0 = time.perf_counter()
            kb.ask(question)
            timings.append(time.perf_counter() - t0)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(
        f"knowledge base: {len(kb.entries)} entries loaded in {loaded:.2f} s (jieba, OpenCC, index)"
    )
    print(
        f"questions: {len(timings)} asked; mean {statistics.mean(timings) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms, "
        f"{len(timings) / sum(timings):.0f} questions/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
