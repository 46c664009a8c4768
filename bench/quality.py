"""Q&A quality: our retriever against two baselines, on the project set and the blind set.

Flow:
1. Load the real knowledge base once and the question sets: tests/data/qa_questions.yaml (the
   project set; its categories are the `# ---------- X ----------` comments in the file) and,
   when present, tests/data/qa_blind.yaml (items carry `class` and `split`; reported per split,
   dev and test, and per class; its `eligibility:` questions are only counted as answered or
   abstained, the assistant layer handles them) and the later blind batches,
   tests/data/qa_blind2.yaml, qa_blind3.yaml … (`LATER_BATCHES`; the same format; the test
   halves of the second to eleventh were only scored until their misses were read, those of the
   twelfth on are kept unread: `LaterBatch.unread_test`, their misses counted by category, their
   questions left out of the report).
2. Every question goes to three systems, each giving a best entry with a score (answer when the
   score reaches the system's threshold) and a ranked list:
   - ours: `kb.ask(q)` (threshold `knowledge.base.ANSWER_THRESHOLD`) and, for the ranking,
     `kb.retriever.rank(q)` of the question as `ask` reads it (pinyin written in Chinese);
   - fuzz: rapidfuzz `fuzz.WRatio` between the `common.text.normalize`d question and every
     phrasing (question and alternates) of every entry; the entry of the best phrasing
     (`process.extractOne`), ranking by each entry's best phrasing;
   - bm25: `bm25s` over one document per entry (question + alternates + answer), documents and
     questions segmented by our own analyzer (`kb.retriever.analyzer.terms`).
   The baselines have no threshold of their own: each is reported at its best single threshold,
   the one maximising correct in-scope answers + correct abstentions (fuzz: 0..100; bm25: every
   score seen). On the project set that threshold is tuned on the set itself (flattering the
   baselines: ours was not tuned per question); on the blind set it is tuned on the dev split
   and applied to both splits.
3. Judging is the one in tests/test_retrieval_accuracy.py: an answer is correct when it
   contains, for every `expect` group, at least one of the group's strings. Top-1 accuracy =
   correct answers / in-scope questions; abstention accuracy = abstentions / out-of-scope
   questions; MRR@5 = mean over in-scope questions of 1/rank of the first of the top five
   ranked entries whose answer is correct (0 if none), whatever the threshold.
4. For ours also: the misses by category (what it answered or that it abstained, its best entry
   and score), and the distribution of its top score per outcome, to show the margin around
   the threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from rapidfuzz import fuzz, process

from bench.report import Section, median, percentile, section_main, table
from common.text import normalize
from knowledge import KnowledgeBase, load_knowledge
from knowledge.base import ANSWER_THRESHOLD
from knowledge.expectations import met

ROOT = Path(__file__).resolve().parent.parent
PROJECT_SET = ROOT / "tests" / "data" / "qa_questions.yaml"
BLIND_SET = ROOT / "tests" / "data" / "qa_blind.yaml"
# The document the blind batches were written from: an unanswerable question answered by an
# entry citing another document (national policy, the assistant's own guide) may have been
# answered rightly from what the writer never saw ("四个不摘是哪四个").
WRITTEN_FROM = "xuanzhou-2024-interpretation"
TOP_K = 5


class LaterBatch(NamedTuple):
    key: str  # in results.json
    path: Path
    title: str
    # Its test half is kept unread: the report gives the misses' count, not their questions.
    unread_test: bool = False


def _later(number: int, title: str, *, unread_test: bool = False) -> LaterBatch:
    path = ROOT / "tests" / "data" / f"qa_blind{number}.yaml"
    return LaterBatch(f"blind{number}", path, title, unread_test)


def _numbered_from(first: int) -> list[int]:
    """The numbers of the blind batch files from `first` on (qa_blind13.yaml …), in order: a
    new batch is reported as soon as its file is there."""
    named = (re.fullmatch(r"qa_blind(\d+)\.yaml", p.name) for p in BLIND_SET.parent.iterdir())
    return sorted(n for m in named if m and (n := int(m.group(1))) >= first)


# The blind batches written after the first, each reported when its file is there.
LATER_BATCHES = (
    _later(2, "Second blind batch (all of it development)"),
    _later(3, "Third blind batch (scored once as a test set, then development)"),
    _later(4, "Fourth blind batch (scored once as a test set, then development)"),
    _later(5, "Fifth blind batch (scored once as a test set, misses since read)"),
    _later(6, "Sixth blind batch (dev half tuned on, test half's misses since read)"),
    _later(7, "Seventh blind batch (dev half tuned on; test half scored, misses since read)"),
    _later(8, "Eighth blind batch (dev half tuned on; test half scored, misses since read)"),
    _later(9, "Ninth blind batch (dev half tuned on; test half scored, misses since read)"),
    _later(10, "Tenth blind batch (dev half tuned on; test half scored, misses since read)"),
    _later(11, "Eleventh blind batch (dev half tuned on; test half scored, misses since read)"),
    _later(
        12,
        "Twelfth blind batch (dev half tuned on for eligibility; test half only scored)",
        unread_test=True,
    ),
    *(
        _later(
            number,
            f"Blind batch {number} (dev half tuned on; test half only scored)",
            unread_test=True,
        )
        for number in _numbered_from(13)
    ),
)
SYSTEMS = ("ours", "fuzz", "bm25")
SMOKE_IN_SCOPE = 12
SMOKE_OUT_OF_SCOPE = 6
_CATEGORY = re.compile(r"^\s*#\s*-{3,}\s*(.+?)\s*-{3,}\s*$")
_OUT_CATEGORY = re.compile(r"^\s+#\s*(.+?)\s*$")


@dataclass(frozen=True)
class Question:
    q: str
    expect: tuple[tuple[str, ...], ...] | None  # None: out of scope (must abstain)
    category: str
    split: str = "all"

    @property
    def in_scope(self) -> bool:
        return self.expect is not None


@dataclass
class QuestionSet:
    name: str
    questions: list[Question]
    eligibility: list[Question] = field(default_factory=list)


def _project_categories(path: Path) -> tuple[list[str], list[str]]:
    """The category comment above each in-scope item and each out-of-scope item, in order."""
    in_cats: list[str] = []
    out_cats: list[str] = []
    part = ""
    current = "—"
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("in_scope:"):
            part, current = "in", "—"
        elif line.startswith("out_of_scope:"):
            part, current = "out", "—"
        elif re.match(r"^[a-z_]+:", line):  # another part of the file (small_talk …)
            part = ""
        elif match := (_CATEGORY if part == "in" else _OUT_CATEGORY).match(line):
            current = match.group(1)
        elif line.lstrip().startswith("- "):
            if part == "in" and line.lstrip().startswith("- q:"):
                in_cats.append(current)
            elif part == "out":
                out_cats.append(current)
    return in_cats, out_cats


def _expect(raw: Any) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(a) for a in group) for group in raw)


def load_project_set(path: Path = PROJECT_SET) -> QuestionSet:
    raw = yaml.safe_load(path.read_text("utf-8"))
    in_cats, out_cats = _project_categories(path)
    if len(in_cats) != len(raw["in_scope"]):
        in_cats = ["—"] * len(raw["in_scope"])
    if len(out_cats) != len(raw["out_of_scope"]):
        out_cats = ["—"] * len(raw["out_of_scope"])
    questions = [
        Question(str(case["q"]), _expect(case["expect"]), category)
        for case, category in zip(raw["in_scope"], in_cats, strict=True)
    ]
    questions += [
        Question(str(q), None, category)
        for q, category in zip(raw["out_of_scope"], out_cats, strict=True)
    ]
    return QuestionSet("project", questions)


def load_blind_set(path: Path = BLIND_SET) -> QuestionSet:
    raw = yaml.safe_load(path.read_text("utf-8"))
    questions = [
        Question(
            str(case["q"]),
            _expect(case["expect"]),
            str(case.get("class", "—")),
            str(case.get("split", "dev")),
        )
        for case in raw.get("in_scope") or []
    ]
    for case in raw.get("out_of_scope") or []:
        if isinstance(case, dict):
            questions.append(
                Question(
                    str(case["q"]),
                    None,
                    str(case.get("class", "—")),
                    str(case.get("split", "dev")),
                )
            )
        else:
            questions.append(Question(str(case), None, "—", "dev"))
    eligibility = [
        Question(str(case["q"]), None, "eligibility", str(case.get("split", "dev")))
        for case in raw.get("eligibility") or []
    ]
    return QuestionSet("blind", questions, eligibility)


def _smoke_subset(questions: list[Question]) -> list[Question]:
    """A spread-out handful: every n-th in-scope and out-of-scope question."""
    inside = [q for q in questions if q.in_scope]
    outside = [q for q in questions if not q.in_scope]
    step_in = max(1, len(inside) // SMOKE_IN_SCOPE)
    step_out = max(1, len(outside) // SMOKE_OUT_OF_SCOPE)
    return inside[::step_in][:SMOKE_IN_SCOPE] + outside[::step_out][:SMOKE_OUT_OF_SCOPE]


@dataclass(frozen=True)
class Outcome:
    """One system on one question: its best entry and score, and its ranked entries."""

    best: str | None
    score: float
    ranked: tuple[str, ...]
    # ours: the entries whose answers it gave (several for a message of several questions)
    answered_by: tuple[str, ...] = ()


class FuzzBaseline:
    """rapidfuzz WRatio against every phrasing of every entry."""

    def __init__(self, kb: KnowledgeBase):
        self.choices: list[str] = []
        self.owners: list[str] = []
        for entry in kb.entries.values():
            for phrasing in (entry.question, *entry.alternates):
                self.choices.append(normalize(phrasing))
                self.owners.append(entry.id)

    def best(self, question: str) -> tuple[str | None, float]:
        found = process.extractOne(normalize(question), self.choices, scorer=fuzz.WRatio)
        if found is None:
            return None, 0.0
        return self.owners[found[2]], float(found[1])

    def outcome(self, question: str) -> Outcome:
        best, score = self.best(question)
        found = process.extract(normalize(question), self.choices, scorer=fuzz.WRatio, limit=None)
        ranked = list(dict.fromkeys(self.owners[index] for _, _, index in found))
        return Outcome(best, score, tuple(ranked[:TOP_K]))


class Bm25Baseline:
    """bm25s over one document per entry, segmented by our analyzer."""

    def __init__(self, kb: KnowledgeBase):
        import bm25s  # here, so that bench/latency.py's children do not pay for it

        self.terms: Callable[[str], list[str]] = lambda text: [
            term.text for term in kb.retriever.analyzer.terms(text)
        ]
        self.ids = list(kb.entries)
        corpus = [
            self.terms(" ".join([entry.question, *entry.alternates, entry.answer]))
            for entry in kb.entries.values()
        ]
        self.index = bm25s.BM25()
        self.index.index(corpus, show_progress=False)
        self.vocabulary = {word for document in corpus for word in document}

    def outcome(self, question: str) -> Outcome:
        words = [w for w in self.terms(question) if w in self.vocabulary]
        if not words:
            return Outcome(None, 0.0, ())
        scores = [float(s) for s in self.index.get_scores(words)]
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:TOP_K]
        ranked = tuple(self.ids[i] for i in order if scores[i] > 0)
        best = self.ids[order[0]] if scores[order[0]] > 0 else None
        return Outcome(best, scores[order[0]], ranked)


def ours(kb: KnowledgeBase, question: str) -> tuple[Outcome, bool]:
    """Our outcome, and whether `kb.ask` answered."""
    answer = kb.ask(question)
    # ranked as `ask` reads it: words typed in pinyin written in Chinese first
    _, ranked = kb.retriever.rank(kb.retriever.analyzer.from_pinyin(question))
    outcome = Outcome(
        answer.best_entry_id,
        answer.score,
        tuple(r.entry_id for r in ranked[:TOP_K]),
        tuple(e.id for e in answer.entries),
    )
    return outcome, answer.entry is not None


@dataclass
class Judged:
    """Every system's outcome on every question of a set (ours with whether it answered)."""

    questions: list[Question]
    outcomes: dict[str, list[Outcome]]
    ours_answered: list[bool]
    eligibility: list[Question]
    eligibility_outcomes: dict[str, list[Outcome]]
    eligibility_ours_answered: list[bool]


def judge_all(kb: KnowledgeBase, questions: list[Question], eligibility: list[Question]) -> Judged:
    fuzz_baseline = FuzzBaseline(kb)
    bm25_baseline = Bm25Baseline(kb)

    def run_all(items: list[Question]) -> tuple[dict[str, list[Outcome]], list[bool]]:
        outcomes: dict[str, list[Outcome]] = {name: [] for name in SYSTEMS}
        answered: list[bool] = []
        for item in items:
            outcome, did_answer = ours(kb, item.q)
            outcomes["ours"].append(outcome)
            answered.append(did_answer)
            outcomes["fuzz"].append(fuzz_baseline.outcome(item.q))
            outcomes["bm25"].append(bm25_baseline.outcome(item.q))
        return outcomes, answered

    outcomes, answered = run_all(questions)
    e_outcomes, e_answered = run_all(eligibility)
    return Judged(questions, outcomes, answered, eligibility, e_outcomes, e_answered)


def _right_answer(kb: KnowledgeBase, outcome: Outcome, question: Question) -> bool:
    """Whether what the system answered holds what was asked: its best entry's answer, or
    ours' answers together (a message of several questions)."""
    if not outcome.answered_by:
        return _right_entry(kb, outcome.best, question)
    said = "\n".join(kb.entries[e].answer for e in outcome.answered_by)
    return question.expect is not None and met(said, question.expect)


def _right_entry(kb: KnowledgeBase, entry_id: str | None, question: Question) -> bool:
    return (
        entry_id is not None
        and question.expect is not None
        and met(kb.entries[entry_id].answer, question.expect)
    )


def best_threshold(
    kb: KnowledgeBase,
    questions: list[Question],
    outcomes: list[Outcome],
    candidates: Sequence[float],
) -> tuple[float, tuple[float, float]]:
    """The lowest candidate threshold maximising correct answers + correct abstentions, and
    the range of candidates that do equally well."""

    def total(threshold: float) -> int:
        good = 0
        for question, outcome in zip(questions, outcomes, strict=True):
            answered = outcome.best is not None and outcome.score >= threshold
            if question.in_scope:
                good += answered and _right_answer(kb, outcome, question)
            else:
                good += not answered
        return good

    scored = [(total(t), t) for t in candidates]
    top = max(score for score, _ in scored)
    tied = [t for score, t in scored if score == top]
    return tied[0], (tied[0], tied[-1])


def _bm25_candidates(outcomes: list[Outcome]) -> list[float]:
    return sorted({0.0, *(o.score for o in outcomes), float("inf")})


@dataclass
class Figures:
    n_in: int
    n_out: int
    correct_in: int
    correct_out: int
    mrr: float
    threshold: float | None = None
    tied: tuple[float, float] | None = None

    @property
    def top1(self) -> float:
        return self.correct_in / self.n_in if self.n_in else 0.0

    @property
    def abstention(self) -> float:
        return self.correct_out / self.n_out if self.n_out else 0.0

    def as_data(self) -> dict[str, Any]:
        """JSON-able (an infinite threshold, "never answer", becomes null)."""

        def finite(value: float | None) -> float | None:
            return value if value is not None and value != float("inf") else None

        return {
            "threshold": finite(self.threshold),
            "threshold_tied": [finite(t) for t in self.tied] if self.tied else None,
            "correct_in": self.correct_in,
            "correct_out": self.correct_out,
            "top1": self.top1,
            "abstention": self.abstention,
            "mrr": self.mrr,
        }


def figures(
    kb: KnowledgeBase,
    questions: list[Question],
    outcomes: list[Outcome],
    answered: Sequence[bool],
) -> Figures:
    correct_in = correct_out = 0
    reciprocal = 0.0
    for question, outcome, did_answer in zip(questions, outcomes, answered, strict=True):
        if question.in_scope:
            correct_in += did_answer and _right_answer(kb, outcome, question)
            for rank, entry_id in enumerate(outcome.ranked[:TOP_K], start=1):
                if _right_entry(kb, entry_id, question):
                    reciprocal += 1 / rank
                    break
        else:
            correct_out += not did_answer
    n_in = sum(q.in_scope for q in questions)
    return Figures(
        n_in,
        len(questions) - n_in,
        correct_in,
        correct_out,
        reciprocal / n_in if n_in else 0.0,
    )


def _answered_at(outcomes: list[Outcome], threshold: float) -> list[bool]:
    return [o.best is not None and o.score >= threshold for o in outcomes]


def _fmt_threshold(value: float | None) -> str:
    if value is None:
        return "—"
    return "∞" if value == float("inf") else f"{value:.2f}".rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _distribution(values: list[float]) -> list[object]:
    if not values:
        return [0, "—", "—", "—", "—", "—"]
    return [
        len(values),
        f"{min(values):.3f}",
        f"{percentile(values, 0.1):.3f}",
        f"{median(values):.3f}",
        f"{percentile(values, 0.9):.3f}",
        f"{max(values):.3f}",
    ]


@dataclass
class Thresholds:
    fuzz: tuple[float, tuple[float, float]]
    bm25: tuple[float, tuple[float, float]]


def tune(kb: KnowledgeBase, questions: list[Question], judged: Judged) -> Thresholds:
    index = [judged.questions.index(q) for q in questions]
    fuzz_outcomes = [judged.outcomes["fuzz"][i] for i in index]
    bm25_outcomes = [judged.outcomes["bm25"][i] for i in index]
    return Thresholds(
        best_threshold(kb, questions, fuzz_outcomes, [float(t) for t in range(101)]),
        best_threshold(kb, questions, bm25_outcomes, _bm25_candidates(bm25_outcomes)),
    )


def report_split(
    kb: KnowledgeBase,
    label: str,
    questions: list[Question],
    judged: Judged,
    thresholds: Thresholds,
    tuned_on: str,
    *,
    list_misses: bool = True,
) -> tuple[str, dict[str, Any]]:
    """Markdown and data for one set (or one split of the blind set); without `list_misses`
    the misses are counted by category but their questions are left out (a test half kept
    unread stays unread for whoever reads the report)."""
    index = [judged.questions.index(q) for q in questions]
    outs = {name: [judged.outcomes[name][i] for i in index] for name in SYSTEMS}
    ours_answered = [judged.ours_answered[i] for i in index]
    answered = {
        "ours": ours_answered,
        "fuzz": _answered_at(outs["fuzz"], thresholds.fuzz[0]),
        "bm25": _answered_at(outs["bm25"], thresholds.bm25[0]),
    }
    figs = {name: figures(kb, questions, outs[name], answered[name]) for name in SYSTEMS}
    figs["ours"].threshold = ANSWER_THRESHOLD
    figs["fuzz"].threshold, figs["fuzz"].tied = thresholds.fuzz
    figs["bm25"].threshold, figs["bm25"].tied = thresholds.bm25
    names = {
        "ours": "ours (`kb.ask`)",
        "fuzz": "rapidfuzz WRatio `extractOne`",
        "bm25": "BM25 (`bm25s`, our segmentation)",
    }
    n_in, n_out = figs["ours"].n_in, figs["ours"].n_out
    rows = []
    for name in SYSTEMS:
        f = figs[name]
        tied = (
            f" (as good: {_fmt_threshold(f.tied[0])}–{_fmt_threshold(f.tied[1])})"
            if f.tied and f.tied[0] != f.tied[1]
            else ""
        )
        rows.append(
            [
                names[name],
                _fmt_threshold(f.threshold) + tied,
                f"{f.correct_in}/{n_in} = {_pct(f.top1)}",
                f"{f.correct_out}/{n_out} = {_pct(f.abstention)}",
                f"{f.mrr:.3f}",
                f"{f.correct_in + f.correct_out}/{n_in + n_out}",
            ]
        )
    md = [
        f"**{label}** — {n_in} in scope, {n_out} out of scope; baseline thresholds tuned on "
        f"{tuned_on}.",
        "",
        table(
            [
                "system",
                "threshold",
                "top-1 in scope",
                "abstention",
                f"MRR@{TOP_K}",
                "correct overall",
            ],
            rows,
        ),
        "",
    ]

    # Per category and scope (a blind set has "dialect" both in and out of scope): correct / n
    # for each system.
    kinds_seen = list(dict.fromkeys((q.category, q.in_scope) for q in questions))
    both = {c for c, _ in kinds_seen if (c, True) in kinds_seen and (c, False) in kinds_seen}
    cat_rows = []
    cat_data: dict[str, dict[str, int]] = {}
    for category, in_scope in kinds_seen:
        members = [
            i for i, q in enumerate(questions) if q.category == category and q.in_scope == in_scope
        ]
        scope = "in" if in_scope else "out"
        counts: dict[str, int] = {"n": len(members)}
        for name in SYSTEMS:
            counts[name] = sum(
                (
                    answered[name][i] and _right_answer(kb, outs[name][i], questions[i])
                    if questions[i].in_scope
                    else not answered[name][i]
                )
                for i in members
            )
        cat_data[f"{category} ({scope})" if category in both else category] = counts
        cat_rows.append([category, scope, counts["n"], *(f"{counts[name]}" for name in SYSTEMS)])
    md += [
        "Correct per category (in scope: answered correctly; out: abstained):",
        "",
        table(["category", "scope", "n", *SYSTEMS], cat_rows),
        "",
    ]

    # Ours: score distribution per outcome.
    groups: dict[str, list[float]] = {
        "in scope, answered correctly": [],
        "in scope, answered wrongly": [],
        "in scope, abstained": [],
        "out of scope, abstained (correct)": [],
        "out of scope, answered (wrong)": [],
    }
    misses: list[dict[str, Any]] = []
    for question, outcome, did_answer in zip(questions, outs["ours"], ours_answered, strict=True):
        right = did_answer and _right_answer(kb, outcome, question)
        if question.in_scope:
            key = (
                "in scope, answered correctly"
                if right
                else "in scope, answered wrongly"
                if did_answer
                else "in scope, abstained"
            )
        else:
            key = (
                "out of scope, answered (wrong)"
                if did_answer
                else "out of scope, abstained (correct)"
            )
        groups[key].append(outcome.score)
        if (question.in_scope and not right) or (not question.in_scope and did_answer):
            misses.append(
                {
                    "category": question.category,
                    "q": question.q,
                    "in_scope": question.in_scope,
                    "answered": outcome.best if did_answer else None,
                    "best_entry": outcome.best,
                    "score": outcome.score,
                }
            )
    md += [
        f"Ours: top score per outcome (answer threshold {ANSWER_THRESHOLD}):",
        "",
        table(
            ["outcome", "n", "min", "p10", "median", "p90", "max"],
            [[key, *_distribution(values)] for key, values in groups.items()],
        ),
        "",
    ]
    answered_out = [m for m in misses if not m["in_scope"]]
    elsewhere = sum(_cites_elsewhere(kb, m["answered"]) for m in answered_out)
    if answered_out:
        md += [
            f"Ours: of the {len(answered_out)} out-of-scope questions answered, {elsewhere} by "
            f"an entry citing another document than the one the set was written from "
            f"(`{WRITTEN_FROM}`); the other {len(answered_out) - elsewhere} by the plan's own "
            "entries.",
            "",
        ]
    if misses and not list_misses:
        by_category: dict[str, int] = {}
        for m in misses:
            by_category[m["category"]] = by_category.get(m["category"], 0) + 1
        md += [
            f"Ours: {len(misses)} misses (their questions left out: this test half is kept "
            "unread):",
            "",
            table(["category", "misses"], [[c, n] for c, n in by_category.items()]),
            "",
        ]
        misses = [{"category": m["category"], "in_scope": m["in_scope"]} for m in misses]
    elif misses:
        md += [
            f"Ours: misses ({len(misses)}):",
            "",
            table(
                ["category", "question", "answered", "best entry", "score"],
                [
                    [
                        m["category"],
                        m["q"].replace("|", "\\|"),
                        m["answered"] or "abstained",
                        m["best_entry"] or "—",
                        f"{m['score']:.3f}",
                    ]
                    for m in misses
                ],
            ),
            "",
        ]
    else:
        md += ["Ours: no misses.", ""]

    data = {
        "n_in": n_in,
        "n_out": n_out,
        "systems": {name: figs[name].as_data() for name in SYSTEMS},
        "categories": cat_data,
        "score_distribution": {
            key: {
                "n": len(values),
                "min": min(values, default=0.0),
                "p10": percentile(values, 0.1),
                "median": median(values),
                "p90": percentile(values, 0.9),
                "max": max(values, default=0.0),
            }
            for key, values in groups.items()
        },
        "misses": misses,
        "out_answered_citing_elsewhere": elsewhere,
    }
    return "\n".join(md), data


def _cites_elsewhere(kb: KnowledgeBase, entry_id: str | None) -> bool:
    entry = kb.get(entry_id) if entry_id else None
    return entry is not None and entry.source.document.key != WRITTEN_FROM


def unread_summary(data: dict[str, Any], later: Sequence[LaterBatch]) -> tuple[str, dict]:
    """The unread test halves together: ours' correct answers and abstentions, and how many
    of the questions wrongly answered were answered from another document."""
    halves = [
        data[b.key]["test"]
        for b in later
        if b.unread_test and data.get(b.key) and "test" in data[b.key]
    ]
    total = {
        "batches": len(halves),
        "n_in": sum(h["n_in"] for h in halves),
        "n_out": sum(h["n_out"] for h in halves),
        "correct_in": sum(h["systems"]["ours"]["correct_in"] for h in halves),
        "correct_out": sum(h["systems"]["ours"]["correct_out"] for h in halves),
        "out_answered_citing_elsewhere": sum(h["out_answered_citing_elsewhere"] for h in halves),
    }
    if not halves:
        return "", total
    ours = Figures(total["n_in"], total["n_out"], total["correct_in"], total["correct_out"], 0.0)
    elsewhere = total["out_answered_citing_elsewhere"]
    # were every answer from another document right, these abstentions would count too
    generous = replace(ours, correct_out=ours.correct_out + elsewhere)
    md = (
        f"**The {len(halves)} unread test halves together** (ours): in scope answered "
        f"correctly {ours.correct_in}/{ours.n_in} = {_pct(ours.top1)}; out of scope abstained "
        f"{ours.correct_out}/{ours.n_out} = {_pct(ours.abstention)}. Of the "
        f"{ours.n_out - ours.correct_out} out-of-scope questions answered, {elsewhere} were "
        f"answered by an entry citing another document than `{WRITTEN_FROM}` (national policy, "
        f"the assistant's own guide): were those all right answers, abstention would be "
        f"{_pct(generous.abstention)}."
    )
    return md, total


def report_eligibility(
    split: str, judged: Judged, thresholds: Thresholds
) -> tuple[list[object], dict[str, int]]:
    index = [i for i, q in enumerate(judged.eligibility) if q.split == split]
    ours_answered = sum(judged.eligibility_ours_answered[i] for i in index)
    fuzz_answered = sum(
        _answered_at([judged.eligibility_outcomes["fuzz"][i] for i in index], thresholds.fuzz[0])
    )
    bm25_answered = sum(
        _answered_at([judged.eligibility_outcomes["bm25"][i] for i in index], thresholds.bm25[0])
    )
    counts = {
        "n": len(index),
        "ours_answered": ours_answered,
        "fuzz_answered": fuzz_answered,
        "bm25_answered": bm25_answered,
    }
    row: list[object] = [
        split,
        len(index),
        f"{ours_answered} / {len(index) - ours_answered}",
        f"{fuzz_answered} / {len(index) - fuzz_answered}",
        f"{bm25_answered} / {len(index) - bm25_answered}",
    ]
    return row, counts


def run(
    smoke: bool, blind: Path = BLIND_SET, later: Sequence[LaterBatch] = LATER_BATCHES
) -> Section:
    kb = load_knowledge()
    md: list[str] = [
        f"Ours against rapidfuzz and BM25 on the real knowledge base ({len(kb.entries)} "
        "entries). Correct = the answer contains one string of every `expect` group "
        "(tests/test_retrieval_accuracy.py). Baselines at their best single threshold "
        "(maximising correct answers + correct abstentions).",
        "",
    ]
    data: dict[str, Any] = {"entries": len(kb.entries), "answer_threshold": ANSWER_THRESHOLD}
    if not any(e.source.document.key == WRITTEN_FROM for e in kb.entries.values()):
        raise ValueError(f"no entry cites {WRITTEN_FROM}: WRITTEN_FROM names no document in use")

    project = load_project_set()
    questions = _smoke_subset(project.questions) if smoke else project.questions
    judged = judge_all(kb, questions, [])
    thresholds = tune(kb, questions, judged)
    text, data["project"] = report_split(
        kb,
        "Project set (tests/data/qa_questions.yaml)",
        questions,
        judged,
        thresholds,
        "this set",
    )
    md += ["### Project set", "", text]

    blind_md, data["blind"] = _blind_report(kb, blind, "Blind set", smoke)
    md += blind_md
    for key, path, title, unread_test in later:
        if path.exists():
            batch_md, data[key] = _blind_report(kb, path, title, smoke, unread_test)
            md += batch_md
    summary, data["unread_test_halves"] = unread_summary(data, later)
    if summary:
        md += ["### The unread test halves", "", summary, ""]
    return Section("quality", "Q&A quality", "\n".join(md), data)


def _blind_report(
    kb: KnowledgeBase, path: Path, title: str, smoke: bool, unread_test: bool = False
) -> tuple[list[str], dict[str, Any] | None]:
    """Markdown and data for a blind set: each split, thresholds tuned on its dev split;
    `unread_test`: the test split's misses are counted, their questions left out."""
    md: list[str] = []
    data: dict[str, Any] | None = None
    if path.exists():
        blind_set = load_blind_set(path)
        questions = blind_set.questions
        eligibility = blind_set.eligibility
        if smoke:
            questions = [
                q
                for s in ("dev", "test")
                for q in _smoke_subset([q for q in questions if q.split == s])
            ]
            eligibility = eligibility[:4]
        judged = judge_all(kb, questions, eligibility)
        dev = [q for q in questions if q.split == "dev"]
        thresholds = tune(kb, dev or questions, judged)
        data = {}
        md += [f"### {title} (tests/data/{path.name})", ""]
        for split in ("dev", "test"):
            members = [q for q in questions if q.split == split]
            if not members:
                continue
            text, data[split] = report_split(
                kb,
                f"Blind set, {split} split",
                members,
                judged,
                thresholds,
                "the dev split",
                list_misses=not (unread_test and split == "test"),
            )
            md += [f"#### {split}", "", text]
        if eligibility:
            rows = []
            data["eligibility"] = {}
            for split in ("dev", "test"):
                row, counts = report_eligibility(split, judged, thresholds)
                if counts["n"]:
                    rows.append(row)
                    data["eligibility"][split] = counts
            md += [
                "Eligibility questions (the assistant layer handles them; here only whether "
                "each system answered from the knowledge base or abstained):",
                "",
                table(["split", "n", "ours answered / abstained", "fuzz", "bm25"], rows),
                "",
            ]
    else:
        md += [f"_tests/data/{path.name} is not there yet: blind set not run._", ""]
    return md, data


if __name__ == "__main__":
    section_main(run)
