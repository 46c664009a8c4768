"""Two readings of a message learned from people's questions, where rules written for their
words keep missing new ones.

The rules (question kinds, the verdict shape, the checks of `KnowledgeBase._ask_one`) know the
ways of asking that the project's question sets showed; every new batch written by people who
never saw them found more. Two models read a message by its characters instead:

- `verdict_model.tsv`: whether it asks "can my household be included?" ("我们家这样子上面认不
  认", "这家能不能挂个号"). Read as well as the rules: a message it scores at or above its
  threshold asks for a verdict unless the rules rule that out (papers to bring, whom to call:
  `Asked.not_verdict`) or it asks for another programme.
- `unanswerable_model.tsv`: whether it asks something the documents do not answer ("9100元是按
  人均算还是按总收入算", "当了监测户能享受啥补贴") though its words are near an entry's. Two
  uses (knowledge.base): a retrieved answer below `GATE_BELOW` to a message it scores at or
  above its threshold is withheld — the bot says it does not know and offers the entry among
  its suggestions — unless the rules know the kind asked for (an amount, a phone number) and
  the entry tells it; and a message it scores below `ANSWERABLE_BELOW` (all but sure the
  documents answer it) is answered by its first entry from `ANSWERABLE_AT`, a little below
  the usual line. A confident answer is never withheld, nor a verdict.

Each is a logistic regression over the TF-IDF weights of the character 1-, 2- and 3-grams of
the normalised message (繁→简, full-width folded, spaces dropped), learned from the questions of
the project's sets that are not held out for testing (knowledge.model_training; `python bot.py
kb train-models`). A model is a plain file: a first line of JSON (the intercept, the threshold,
what it was learned from), then one line per n-gram: the n-gram, its inverse document
frequency, its weight. Scoring it needs no machine-learning library:

    x = (1 + ln count(g)) · idf(g) for every known n-gram g of the message, scaled to unit length
    p = 1 / (1 + e^-(intercept + Σ weight(g) · x(g)))
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from common.text import normalize

VERDICT_MODEL = "verdict_model.tsv"
UNANSWERABLE_MODEL = "unanswerable_model.tsv"
LONGEST_GRAM = 3
# A shorter message ("吗", "行不") says too little for a model; the rules read it alone.
SHORTEST = 3


def grams(text: str) -> list[str]:
    """The character 1- to 3-grams of the normalised message, spaces dropped (what a model
    reads; the trainer reads the same)."""
    said = normalize(text).replace(" ", "")
    return [said[i : i + n] for n in range(1, LONGEST_GRAM + 1) for i in range(len(said) - n + 1)]


class ModelFileError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class NgramModel:
    weights: dict[str, tuple[float, float]]  # n-gram → (idf, weight)
    intercept: float
    threshold: float
    learned_from: str = ""

    def probability(self, text: str) -> float:
        """How likely the message is of the kind this model was learned to find."""
        counts = Counter(g for g in grams(text) if g in self.weights)
        if not counts:
            return 1 / (1 + math.exp(-self.intercept))
        values = {g: (1 + math.log(n)) * self.weights[g][0] for g, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        z = self.intercept + sum(self.weights[g][1] * v / norm for g, v in values.items())
        return 1 / (1 + math.exp(-z))

    def finds(self, text: str) -> bool:
        """Whether the message is of that kind, at the model's threshold."""
        return self.long_enough(text) and self.probability(text) >= self.threshold

    @staticmethod
    def long_enough(text: str) -> bool:
        """Whether the message says enough for a model to read (SHORTEST characters)."""
        return len(normalize(text).replace(" ", "")) >= SHORTEST

    def dumps(self) -> str:
        head = {
            "intercept": self.intercept,
            "threshold": self.threshold,
            "learned_from": self.learned_from,
        }
        lines = [json.dumps(head, ensure_ascii=False)]
        lines += [f"{g}\t{idf:.5g}\t{w:.5g}" for g, (idf, w) in sorted(self.weights.items())]
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, text: str) -> NgramModel:
        """Read the file's text; ModelFileError (with the line) when it is not such a file."""
        first, *rest = text.splitlines() or [""]
        try:
            head = json.loads(first)
            intercept, threshold = float(head["intercept"]), float(head["threshold"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(1, f"第一行应为模型参数（JSON）：{exc}") from None
        if not 0 < threshold < 1:
            raise ModelFileError(1, f"threshold 应在 0 和 1 之间，而不是 {threshold}")
        weights: dict[str, tuple[float, float]] = {}
        for number, line in enumerate(rest, start=2):
            gram, _, values = line.partition("\t")
            idf, _, weight = values.partition("\t")
            try:
                weights[gram] = (float(idf), float(weight))
            except ValueError:
                raise ModelFileError(number, f"应为“字串<Tab>idf<Tab>权重”：{line!r}") from None
            if not gram or len(gram) > LONGEST_GRAM:
                raise ModelFileError(number, f"字串应为 1 到 {LONGEST_GRAM} 个字：{gram!r}")
        return cls(weights, intercept, threshold, str(head.get("learned_from", "")))

    @classmethod
    def load(cls, path: Path) -> NgramModel | None:
        """The model in `path`, or None when the knowledge folder has none (the rules alone)."""
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        return cls.loads(text)


class ModelScores:
    """What the two models score one message, each probability computed once, when first
    needed (a question may consult a model at several of its checks)."""

    def __init__(self, text: str, verdict: NgramModel | None, unanswerable: NgramModel | None):
        self.text = text
        self._verdict = verdict
        self._unanswerable = unanswerable

    @cached_property
    def long_enough(self) -> bool:
        return NgramModel.long_enough(self.text)

    @cached_property
    def verdict(self) -> float | None:
        """The verdict model's probability (None: no model)."""
        return None if self._verdict is None else self._verdict.probability(self.text)

    @cached_property
    def unanswerable(self) -> float | None:
        """The unanswerable model's probability (None: no model)."""
        model = self._unanswerable
        return None if model is None else model.probability(self.text)

    def asks_verdict(self) -> bool:
        """The verdict model finds the message (`NgramModel.finds`)."""
        return self._finds(self._verdict, self.verdict)

    def no_verdict(self, below: float) -> bool:
        """The verdict model gives the message less than `below`."""
        return self.long_enough and self.verdict is not None and self.verdict < below

    def surely_answerable(self, below: float) -> bool:
        """The unanswerable model gives the message less than `below` (however short)."""
        return self.unanswerable is not None and self.unanswerable < below

    def finds_unanswerable(self) -> bool:
        """The unanswerable model finds the message (`NgramModel.finds`)."""
        return self._finds(self._unanswerable, self.unanswerable)

    def _finds(self, model: NgramModel | None, probability: float | None) -> bool:
        if model is None or probability is None:
            return False
        return self.long_enough and probability >= model.threshold
