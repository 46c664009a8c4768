"""Load time, memory and answer latency at 100 / 1,000 / 10,000 entries, against rapidfuzz.

Flow:
1. The parent loads the real knowledge base once and, for each size, writes a generated base of
   that many entries into a temporary directory (bench/kbgen.py: the real entries and variants
   of them, as YAML laid out like knowledge/data).
2. For each size a fresh child process (`python -m bench.latency --child JOB OUT`) imports the
   project (its peak RSS then is the "imported" figure), then times `load_knowledge(dir)`
   (parsing, validation and index building, nothing cached from an earlier size) and reads its
   peak RSS right after (VmHWM: see `_peak_rss_mib` for why not `resource.getrusage`).
3. The child asks the project's question set (tests/data/qa_questions.yaml, in scope and out
   of scope interleaved in a fixed order) through `kb.ask(q)`, timing each call, for a few
   rounds at the small sizes and once at the largest; it stops at a time budget (at 10,000
   entries ~90 s), so a slow retriever is measured on a prefix of the questions, which the
   report says. The same questions and rounds then go to baseline (b): rapidfuzz
   `process.extractOne` with `fuzz.WRatio` over every phrasing of every entry of that base
   (normalised once beforehand; each call normalises the question).
4. Each question's first answer is judged: in scope, correct when a *real* entry answered and
   its answer meets the expect groups (`knowledge.expectations.met`; a variant answering is
   wrong); out of scope, correct when it abstained.
5. The parent reports p50/p99 per size, the ratio ours / rapidfuzz, the growth 100 → 10,000,
   and accuracy per size, also on the prefix of questions every size asked.

Smoke mode: sizes 60 and 120, a handful of questions, one round.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bench.kbgen import build_base
from bench.quality import PROJECT_SET, Question, load_project_set
from bench.report import Section, median, percentile, section_main, table
from common.text import normalize
from knowledge import load_knowledge
from knowledge.expectations import met

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plan:
    size: int
    rounds: int
    budget_s: float  # for ours' questions; the baseline gets the same questions


FULL_PLAN = (
    Plan(100, 3, 30.0),
    Plan(1_000, 2, 40.0),
    Plan(10_000, 1, 90.0),
)
SMOKE_PLAN = (Plan(60, 1, 10.0), Plan(120, 1, 10.0))
SMOKE_QUESTIONS = 8


def interleaved(questions: list[Question]) -> list[Question]:
    """In-scope and out-of-scope questions evenly mixed, so any prefix holds both in
    proportion."""
    inside = [q for q in questions if q.in_scope]
    outside = [q for q in questions if not q.in_scope]
    keyed = [((i + 0.5) / len(inside), 0, q) for i, q in enumerate(inside)]
    keyed += [((j + 0.5) / len(outside), 1, q) for j, q in enumerate(outside)]
    return [q for _, _, q in sorted(keyed, key=lambda item: (item[0], item[1]))]


def _peak_rss_mib() -> float:
    """This process's peak RSS since it started, in MiB.

    On Linux `getrusage(RUSAGE_SELF).ru_maxrss` is no good in a child: it starts at the
    parent's RSS at fork time (the high-water mark survives fork and exec), so a small base
    would report the parent's size. The kernel's high-water mark of this process image,
    VmHWM in /proc/self/status, starts afresh at exec; `getrusage` is the fallback elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux, bytes on macOS; only the fallback here.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Run as `python -c` in a fresh process: the time `load_knowledge` takes with the index cached.
_CACHED_LOAD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from knowledge import load_knowledge\n"
    "started = time.perf_counter()\n"
    "load_knowledge(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    "print(time.perf_counter() - started)\n"
)


def child(job_path: Path, out_path: Path) -> None:
    """Runs in a fresh process: load one generated base, time it, ask the questions."""
    job = json.loads(job_path.read_text("utf-8"))
    rss_imported = _peak_rss_mib()  # the project is imported: this module imports it

    cache = Path(job["dir"]) / ".index-cache"
    t0 = time.perf_counter()
    kb = load_knowledge(Path(job["dir"]), cache)  # nothing cached yet: builds, then stores
    load_s = time.perf_counter() - t0
    rss_loaded = _peak_rss_mib()
    # The next start of the bot: a fresh process that finds the index on disk.
    timed = subprocess.run(
        [sys.executable, "-c", _CACHED_LOAD, job["dir"], str(cache)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    cached_load_s = float(timed.stdout.split()[-1])

    questions: list[dict[str, Any]] = job["questions"]
    real_ids = set(job["real_ids"])
    budget = float(job["budget_s"])

    ours_ms: list[float] = []
    judged: list[dict[str, Any]] = []
    started = time.perf_counter()
    asked = len(questions)
    out_of_time = False
    for round_number in range(int(job["rounds"])):
        for index, case in enumerate(questions):
            if time.perf_counter() - started > budget:
                asked = index if round_number == 0 else asked
                out_of_time = True
                break
            kb.retriever.analyzer.forget_texts()  # each question timed as a new one
            kb.forget_answers()
            t0 = time.perf_counter()
            answer = kb.ask(case["q"])
            ours_ms.append((time.perf_counter() - t0) * 1000)
            if round_number == 0:
                entry = answer.entry
                variant = entry is not None and entry.id not in real_ids
                if case["expect"] is None:
                    correct = entry is None
                else:
                    correct = (
                        entry is not None and not variant and met(entry.answer, case["expect"])
                    )
                judged.append(
                    {
                        "q": case["q"],
                        "correct": correct,
                        "variant": entry.id if variant and entry is not None else None,
                        "score": answer.score,
                        "in_scope": case["expect"] is not None,
                    }
                )
        if out_of_time:
            break

    # Where a variant answered: how close the best real entry came (outside the timing).
    for item in judged:
        if item["variant"]:
            _, ranked = kb.retriever.rank(item["q"])
            item["real_score"] = next((r.score for r in ranked if r.entry_id in real_ids), 0.0)

    t0 = time.perf_counter()
    choices = [
        normalize(phrasing)
        for entry in kb.entries.values()
        for phrasing in (entry.question, *entry.alternates)
    ]
    fuzz_build_s = time.perf_counter() - t0
    fuzz_ms: list[float] = []
    for count in _rounds_done(len(ours_ms), asked):
        for case in questions[:count]:
            t0 = time.perf_counter()
            process.extractOne(normalize(case["q"]), choices, scorer=fuzz.WRatio)
            fuzz_ms.append((time.perf_counter() - t0) * 1000)

    out_path.write_text(
        json.dumps(
            {
                "entries": len(kb.entries),
                "phrasings": len(choices),
                "load_s": load_s,
                "cached_load_s": cached_load_s,
                "fuzz_build_s": fuzz_build_s,
                "rss_imported_mib": rss_imported,
                "rss_loaded_mib": rss_loaded,
                "asked": asked,
                "ours_ms": ours_ms,
                "fuzz_ms": fuzz_ms,
                "judged": judged,
            }
        ),
        "utf-8",
    )


def _rounds_done(calls: int, asked: int) -> list[int]:
    """How many questions each round asked, given `calls` timed calls of rounds of `asked`."""
    if asked == 0:
        return []
    full, rest = divmod(calls, asked)
    return [asked] * full + ([rest] if rest else [])


def measure(plan: Plan, directory: Path, questions: list[Question], real_ids: list[str]) -> dict:
    """Run one size in a child process and return what it measured."""
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.json"
        out = Path(tmp) / "out.json"
        job.write_text(
            json.dumps(
                {
                    "dir": str(directory),
                    "questions": [
                        {"q": q.q, "expect": [list(g) for g in q.expect] if q.expect else None}
                        for q in questions
                    ],
                    "real_ids": real_ids,
                    "rounds": plan.rounds,
                    "budget_s": plan.budget_s,
                },
                ensure_ascii=False,
            ),
            "utf-8",
        )
        subprocess.run(
            [sys.executable, "-m", "bench.latency", "--child", str(job), str(out)],
            cwd=ROOT,
            check=True,
        )
        return json.loads(out.read_text("utf-8"))


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _rate(good: int, total: int) -> str:
    return f"{good}/{total} = {good / total:.1%}" if total else "—"


def run(smoke: bool) -> Section:
    real = load_knowledge()
    real_ids = sorted(real.entries)
    questions = interleaved(load_project_set(PROJECT_SET).questions)
    if smoke:
        questions = questions[:SMOKE_QUESTIONS]
    plans = SMOKE_PLAN if smoke else FULL_PLAN

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-kb-") as tmp:
        for plan in plans:
            directory = Path(tmp) / f"kb-{plan.size}"
            t0 = time.perf_counter()
            generated = build_base(plan.size, directory, real)
            generate_s = time.perf_counter() - t0
            print(f"latency: {plan.size} entries …", file=sys.stderr, flush=True)
            result = measure(plan, directory, questions, real_ids)
            result.update(
                size=plan.size,
                rounds=plan.rounds,
                budget_s=plan.budget_s,
                generate_s=generate_s,
                variants=generated.variant_count,
            )
            results.append(result)
            shutil.rmtree(directory)

    rows = []
    for r in results:
        ours, base = r["ours_ms"], r["fuzz_ms"]
        r["ours_p50_ms"], r["ours_p99_ms"] = median(ours), percentile(ours, 0.99)
        r["fuzz_p50_ms"], r["fuzz_p99_ms"] = median(base), percentile(base, 0.99)
        r["ratio_p50"] = r["ours_p50_ms"] / r["fuzz_p50_ms"] if r["fuzz_p50_ms"] else 0.0
        r["ratio_p99"] = r["ours_p99_ms"] / r["fuzz_p99_ms"] if r["fuzz_p99_ms"] else 0.0
        asked = f"{r['asked']}/{len(questions)}, {len(ours)} calls"
        rows.append(
            [
                f"{r['size']:,}",
                f"{r['generate_s']:.1f}",
                f"{r['load_s']:.2f}",
                f"{r['cached_load_s']:.2f}",
                f"{r['rss_imported_mib']:.0f} → {r['rss_loaded_mib']:.0f}",
                asked,
                _ms(r["ours_p50_ms"]),
                _ms(r["ours_p99_ms"]),
                _ms(r["fuzz_p50_ms"]),
                _ms(r["fuzz_p99_ms"]),
                f"{r['ratio_p50']:.1f}× / {r['ratio_p99']:.1f}×",
            ]
        )
    first, last = results[0], results[-1]

    def growth(key: str) -> float:
        return last[key] / first[key] if first[key] else 0.0

    grow = {
        "load": growth("load_s"),
        "ours_p50": growth("ours_p50_ms"),
        "ours_p99": growth("ours_p99_ms"),
        "fuzz_p50": growth("fuzz_p50_ms"),
        "fuzz_p99": growth("fuzz_p99_ms"),
    }
    capped = [r for r in results if r["asked"] < len(questions)]

    md = [
        "Generated bases (bench/kbgen.py: the real entries plus variants with another place, "
        "year, programme or aspect). Each size is loaded by a fresh process (first start: parse, "
        "validate, build the index and store it; next start: another fresh process that reads "
        "the stored index); latency is one "
        "`kb.ask(q)` over the project question set (in and out of scope), against rapidfuzz "
        "`process.extractOne(WRatio)` over every phrasing of the same base.",
        "",
        table(
            [
                "entries",
                "generate (s)",
                "load, first start (s)",
                "load, next start (s)",
                "peak RSS imported → loaded (MiB)",
                "questions asked",
                "ours p50 (ms)",
                "ours p99 (ms)",
                "rapidfuzz p50 (ms)",
                "rapidfuzz p99 (ms)",
                "ours / rapidfuzz p50 / p99",
            ],
            rows,
        ),
        "",
        f"Growth {first['size']:,} → {last['size']:,} entries: load ×{grow['load']:.1f}; "
        f"ours p50 ×{grow['ours_p50']:.1f}, p99 ×{grow['ours_p99']:.1f}; rapidfuzz p50 "
        f"×{grow['fuzz_p50']:.1f}, p99 ×{grow['fuzz_p99']:.1f}.",
        "",
    ]
    if capped:
        md += [
            "Time budget: at "
            + ", ".join(
                f"{r['size']:,} entries only the first {r['asked']} of {len(questions)} "
                f"questions were asked (budget {r['budget_s']:.0f} s)"
                for r in capped
            )
            + "; the questions are in a fixed interleaved order, so that prefix has in- and "
            "out-of-scope questions in proportion.",
            "",
        ]

    common = min(r["asked"] for r in results)
    acc_rows = []
    for r in results:
        judged = r["judged"]
        inside = [j for j in judged if j["in_scope"]]
        outside = [j for j in judged if not j["in_scope"]]
        prefix = judged[:common]
        p_in = [j for j in prefix if j["in_scope"]]
        p_out = [j for j in prefix if not j["in_scope"]]
        r["accuracy"] = {
            "in_scope": [sum(j["correct"] for j in inside), len(inside)],
            "out_of_scope": [sum(j["correct"] for j in outside), len(outside)],
            "variant_answered_in": sum(bool(j["variant"]) for j in inside),
            "variant_answered_out": sum(bool(j["variant"]) for j in outside),
            "variant_answers": [
                [j["q"], j["variant"], j["score"], j["real_score"]] for j in judged if j["variant"]
            ],
            "common_prefix": common,
            "common_in_scope": [sum(j["correct"] for j in p_in), len(p_in)],
            "common_out_of_scope": [sum(j["correct"] for j in p_out), len(p_out)],
        }
        a = r["accuracy"]
        acc_rows.append(
            [
                f"{r['size']:,}",
                _rate(*a["in_scope"]),
                _rate(*a["out_of_scope"]),
                f"{a['variant_answered_in']} / {a['variant_answered_out']}",
                _rate(*a["common_in_scope"]),
                _rate(*a["common_out_of_scope"]),
            ]
        )
    md += [
        "Ours' accuracy on the project set as the base grows (a variant answering is wrong):",
        "",
        table(
            [
                "entries",
                "in scope correct",
                "out of scope abstained",
                "answered by a variant (in / out of scope)",
                f"in scope, first {common} questions",
                f"out of scope, first {common} questions",
            ],
            acc_rows,
        ),
        "",
    ]
    stolen = {
        q: (r["size"], variant, score, real_score)
        for r in results
        for q, variant, score, real_score in r["accuracy"]["variant_answers"]
    }
    if stolen:
        ties = sum(score == real_score for _, _, score, real_score in stolen.values())
        md += [
            "Questions a variant answered (at the largest size where it happened; the best real "
            "entry's score beside the variant's — on a tie the retriever keeps the entries' "
            "load order, and the generated files load before the real ones, so a tie goes to "
            f"the variant; {ties} of {len(stolen)} are ties):",
            "",
            table(
                ["question", "entries", "answered by", "its score", "best real entry's score"],
                [
                    [q, f"{size:,}", f"`{variant}`", f"{score:.3f}", f"{real_score:.3f}"]
                    for q, (size, variant, score, real_score) in stolen.items()
                ],
            ),
            "",
        ]
    data = {
        "questions": len(questions),
        "sizes": [
            {k: v for k, v in r.items() if k not in ("ours_ms", "fuzz_ms", "judged")}
            for r in results
        ],
        "growth": grow,
    }
    return Section("latency", "Retrieval latency and load time by size", "\n".join(md), data)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        section_main(run)
