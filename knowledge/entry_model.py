"""A third learned reading: which entry answers a message, or that none does.

The retriever and its rules (knowledge.base) choose an entry by the words a message shares with
the entries' phrasings and passages, and decide by rule what a message asks. People's questions
keep finding ways of asking the rules never met: a dialect word, a story around the question, the
same nouns asking for a fact no entry states. `entry_model.tsv` reads the message by its
characters instead, learned from every question of the project's sets not held out for testing
(knowledge.model_training): each in-scope question as its entry's, each out-of-scope question as
answered by none, and every entry's own phrasings. Learned without one set at a time, it chose as
well as the rules on the sets it had not seen, and differently enough that together they do
better than either (bench/README.md).

How knowledge.base uses it (`KnowledgeBase._entry_reading`), for each question of a message:
- the model finds that no entry answers (`unanswered_at` or more, and more the surer the rules
  are of their first entry): the bot abstains, with the rules' entries as suggestions — unless
  a phone number, a date or a duration is asked and the rules' entry tells it;
- the model finds an entry (`answer_at` or more — one of fifty classes at 0.3 is a clear first
  — and more the surer the rules are of another): that entry is the only candidate, whatever
  its score, and the rules' checks of what is asked (an amount of what, a place, a day of which
  event) still apply to it; failing them, the rules' own choice stands;
- else the rules' choice stands.
It is not consulted for a verdict on one's own household, an entry's own phrasing or a taught
one asked word for word (or a near variant of a taught one: staff said what it asks), a
question staff set aside, two questions read together, or another county's question (where it
may still say that no entry answers); and it keeps to the entries it was learned with (an
entry added since is the rules' alone until `bot.py kb train-models` is run — a test fails
until then).

It is a multinomial logistic regression over the same features as knowledge.ngram_model's (the
TF-IDF weights of the character 1- to 3-grams of the normalised message, scaled to unit length).
The file: a first line of JSON (the classes — entry ids, null for "none" — their intercepts, the
two thresholds, what it was learned from), then one line per n-gram: the n-gram, its inverse
document frequency, and its weights as `class:weight` pairs, those smaller than `KEPT_WEIGHT`
left out (seven of every eight; the choices changed on 5 of 10,000 questions). Every n-gram keeps
its line, weights or not: it still counts in the message's length.

    z(c) = intercept(c) + Σ weight(g, c) · x(g);   p(c) = e^z(c) / Σ e^z
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from knowledge.ngram_model import LONGEST_GRAM, ModelFileError, NgramModel, grams

ENTRY_MODEL = "entry_model.tsv"
# Weights smaller than this are not written (see the module's docstring).
KEPT_WEIGHT = 0.05


@dataclass(frozen=True)
class Reading:
    """The model's first class for a message: an entry id, or None (no entry answers)."""

    entry_id: str | None
    probability: float


@dataclass(frozen=True)
class EntryModel:
    classes: tuple[str | None, ...]  # entry ids; None: no entry answers
    intercepts: tuple[float, ...]
    # n-gram → (idf, ((class index, weight), …))
    weights: dict[str, tuple[float, tuple[tuple[int, float], ...]]]
    answer_at: float
    unanswered_at: float
    learned_from: str = ""

    def reading(self, text: str) -> Reading | None:
        """The first class and its probability; None when the message is too short to read
        (`NgramModel.long_enough`)."""
        if not NgramModel.long_enough(text):
            return None
        rows, idf, matrix = self._dense
        counts = Counter(rows[g] for g in grams(text) if g in rows)
        z = np.array(self.intercepts)
        if counts:
            found = np.fromiter(counts, dtype=np.intp, count=len(counts))
            x = (1 + np.log(np.fromiter(counts.values(), dtype=float))) * idf[found]
            z += (x / np.linalg.norm(x)) @ matrix[found]
        exps = np.exp(z - z.max())
        first = int(z.argmax())
        return Reading(self.classes[first], float(exps[first] / exps.sum()))

    @cached_property
    def _dense(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """Each n-gram's row, the idf by row, and the weights as a rows × classes matrix (a
        message's few hundred rows are then summed at once)."""
        rows = {gram: row for row, gram in enumerate(self.weights)}
        idf = np.array([idf for idf, _ in self.weights.values()])
        matrix = np.zeros((len(rows), len(self.classes)))
        for row, (_, pairs) in enumerate(self.weights.values()):
            for index, weight in pairs:
                matrix[row, index] = weight
        return rows, idf, matrix

    def knows(self, entry_id: str) -> bool:
        return entry_id in self.classes

    def dumps(self) -> str:
        head = {
            "classes": list(self.classes),
            "intercepts": list(self.intercepts),
            "answer_at": self.answer_at,
            "unanswered_at": self.unanswered_at,
            "learned_from": self.learned_from,
        }
        lines = [json.dumps(head, ensure_ascii=False)]
        for gram, (idf, pairs) in sorted(self.weights.items()):
            said = " ".join(f"{index}:{weight:.4g}" for index, weight in pairs)
            lines.append(f"{gram}\t{idf:.5g}\t{said}")
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, text: str) -> EntryModel:
        """Read the file's text; ModelFileError (with the line) when it is not such a file."""
        first, *rest = text.splitlines() or [""]
        try:
            head = json.loads(first)
            classes = tuple(None if c is None else str(c) for c in head["classes"])
            intercepts = tuple(float(b) for b in head["intercepts"])
            answer_at, unanswered_at = float(head["answer_at"]), float(head["unanswered_at"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(1, f"第一行应为模型参数（JSON）：{exc}") from None
        if len(classes) != len(intercepts) or len(classes) < 2:
            raise ModelFileError(1, "classes 与 intercepts 应一样多，且至少两类")
        for name, value in (("answer_at", answer_at), ("unanswered_at", unanswered_at)):
            if not 0 < value < 1:
                raise ModelFileError(1, f"{name} 应在 0 和 1 之间，而不是 {value}")
        weights: dict[str, tuple[float, tuple[tuple[int, float], ...]]] = {}
        for number, line in enumerate(rest, start=2):
            gram, _, values = line.partition("\t")
            idf, _, said = values.partition("\t")
            try:
                pairs = tuple(
                    (int(index), float(weight))
                    for index, _, weight in (p.partition(":") for p in said.split())
                )
                weights[gram] = (float(idf), pairs)
            except ValueError:
                raise ModelFileError(
                    number, f"应为“字串<Tab>idf<Tab>类:权重 …”：{line!r}"
                ) from None
            if not gram or len(gram) > LONGEST_GRAM:
                raise ModelFileError(number, f"字串应为 1 到 {LONGEST_GRAM} 个字：{gram!r}")
            if any(not 0 <= index < len(classes) for index, _ in pairs):
                raise ModelFileError(number, f"类的序号应在 0 到 {len(classes) - 1} 之间")
        return cls(
            classes,
            intercepts,
            weights,
            answer_at,
            unanswered_at,
            str(head.get("learned_from", "")),
        )

    @classmethod
    def load(cls, path: Path) -> EntryModel | None:
        """The model in `path`, or None when the knowledge folder has none (the rules alone)."""
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        return cls.loads(text)
