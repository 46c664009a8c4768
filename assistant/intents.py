"""Telling a wish to report hardship apart from a policy question.

"我要申报", "想反映情况" or "我家里有困难 老公住院了" are not questions the knowledge base can
answer: the resident wants to tell someone. `ReportIntent.matches(text)` recognises them from
the phrase lists in `data/intents.yaml`; the router then offers the self-report in one tap.

    >>> intent = ReportIntent.load()
    >>> intent.matches("我家里有困难 老公住院了"), intent.matches("申报困难")
    (True, True)
    >>> intent.matches("住院了能报销多少？"), intent.matches("监测收入标准是多少")
    (False, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.text import normalize
from common.yamlfile import DataError, Problem, load_yaml

INTENTS_FILE = Path(__file__).resolve().parent / "data" / "intents.yaml"
LISTS = ("request", "hardship", "household", "question")


@dataclass(frozen=True)
class ReportIntent:
    request: tuple[str, ...]
    hardship: tuple[str, ...]
    household: tuple[str, ...]
    question: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = INTENTS_FILE) -> ReportIntent:
        raw = load_yaml(path)
        lists = {}
        for name in LISTS:
            words = raw.get(name) if isinstance(raw, dict) else None
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise DataError([Problem(path, 1, f"{name} 应为词语列表")])
            lists[name] = tuple(normalize(w).replace(" ", "") for w in words)
        return cls(**lists)

    def matches(self, text: str) -> bool:
        """A request to report, or a statement of hardship at home that is not a question."""
        folded = normalize(text).replace(" ", "")
        if not folded:
            return False
        if any(phrase in folded for phrase in self.request):
            return True
        if "?" in text or "？" in text or any(word in folded for word in self.question):
            return False
        return any(w in folded for w in self.hardship) and any(w in folded for w in self.household)
