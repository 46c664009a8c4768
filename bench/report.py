"""What a benchmark section reports, and the command line every section shares.

A section returns a `Section`: a title, its Markdown (tables and a few sentences), and its
figures as JSON-able data. `section_main` runs a section as `python -m bench.NAME [--smoke]
[--out FILE]` and writes the section as JSON to FILE (or prints the Markdown).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Section:
    key: str
    title: str
    markdown: str
    data: dict[str, Any] = field(default_factory=dict)


def section_main(run: Callable[[bool], Section]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to prove it runs")
    parser.add_argument("--out", type=Path, help="write the section as JSON here")
    args = parser.parse_args()
    section = run(args.smoke)
    if args.out is None:
        print(f"## {section.title}\n\n{section.markdown}")
    else:
        args.out.write_text(json.dumps(asdict(section), ensure_ascii=False, indent=2), "utf-8")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0
