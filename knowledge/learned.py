"""Phrasings staff taught the bot, answered at once by every bot process, without a restart.

A reviewer links a question the bot could not answer to an entry (`/unanswered` in the chat,
the web console's 未答问题 page). The phrasing lives in the database until `bot.py kb
export-learned` writes it into the entry's YAML (`alternates:`), so the knowledge package
never reads it itself: it is given a `LearnedSource` (the assistant wires in the database's).

`KnowledgeBase.learning_from(source)` returns a knowledge base whose every question first asks
`source.version()` — one cheap query, a count and the highest id — and, when that changed
(in this process or any other), reads the phrasings and indexes them like the entries' own
(`Retriever.with_phrasings`): once per change per process, a few milliseconds for this
knowledge base. Until a phrasing is taught the base retriever is used as it is.

A taught phrasing asked word for word (after normalising: width, 繁→简, punctuation) is
answered with its entry whatever the scores say: staff decided what it asks.

A question staff set aside as one the documents do not answer (🚫 不在范围 on a question the
bot could not answer, or on an answer that looked wrong) is abstained on from then on: asked
word for word, or in nearly the same words (`SetAside`) — so a wrong answer staff caught is not
given again to the next resident who asks the same thing. `bot.py kb export-learned` writes them
into set_aside.yaml (knowledge.set_aside_file), whose questions every `LearnedLayer` holds too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz, process

from common.text import normalize
from knowledge.retrieval import Retriever

# How alike (rapidfuzz ratio of the normalised texts, 0–100) a question must be to one set aside
# to be abstained on too. Measured on the project's blind question sets, a question set aside
# standing in for each out-of-scope one written by one author: at 95 a near rewording of
# a question set aside is caught, an answerable question by another author never was; at 90
# "2023年…多少元" caught "2024年…多少元", hence also `_FIGURES`.
SET_ASIDE_ALIKE = 95
# Numbers and years that must be the same in both: one digit apart is another question.
_FIGURES = re.compile(r"[0-9]+|[今去明前后]年")
_NOT_WORDS = re.compile(r"[\W_]+")


class LearnedSource(Protocol):
    """Where taught phrasings are kept (the database: storage.learning.LearnedPhrasings)."""

    def version(self) -> Hashable:
        """Changes whenever a phrasing is added or removed; cheap, asked for every question."""
        ...

    def phrasings(self) -> Iterable[tuple[str, str]]:
        """Every taught phrasing, as (entry id, phrasing)."""
        ...

    def set_aside(self) -> Iterable[str]:
        """Every question staff set aside as one the documents do not answer."""
        ...


def phrasing_key(text: str) -> str:
    """What makes two phrasings the same: normalised, without spaces."""
    return normalize(text).replace(" ", "")


class SetAside:
    """The questions set aside, to be known again word for word or nearly so."""

    def __init__(self, questions: Iterable[str]):
        by_text = {alike_key(q): q for q in questions}
        by_text.pop("", None)
        self._texts = list(by_text)
        self._figures = [_FIGURES.findall(text) for text in self._texts]

    def holds(self, question: str) -> bool:
        """Whether `question` is one set aside, in the same or nearly the same words (and the
        same numbers and years)."""
        if not self._texts:
            return False
        text = alike_key(question)
        figures = _FIGURES.findall(text)
        found = process.extract(
            text, self._texts, scorer=fuzz.ratio, score_cutoff=SET_ASIDE_ALIKE, limit=None
        )
        return any(self._figures[index] == figures for _, _, index in found)


def alike_key(text: str) -> str:
    """A question as compared with those set aside: normalised, punctuation and spaces out."""
    return _NOT_WORDS.sub("", normalize(text))


@dataclass(frozen=True)
class Taught:
    """The retriever with the taught phrasings indexed, those phrasings word for word, and the
    questions set aside."""

    retriever: Retriever
    exact: dict[str, str] = field(default_factory=dict)  # phrasing_key → entry id
    set_aside: SetAside = field(default_factory=lambda: SetAside(()))


class LearnedLayer:
    """The taught phrasings over one base retriever, rebuilt when the source's version
    changes. Shared by the threads of one process: one rebuilds, the others wait for it."""

    def __init__(
        self,
        base: Retriever,
        source: LearnedSource,
        known_ids: Iterable[str],
        set_aside: Iterable[str] = (),
    ):
        self.base = base
        self.source = source
        self.known_ids = frozenset(known_ids)
        self.listed_aside = tuple(set_aside)  # the YAML's (knowledge.set_aside_file)
        self._lock = threading.Lock()
        self._version: Hashable = object()  # matches no version: the first question reads
        self._taught = Taught(base, set_aside=SetAside(self.listed_aside))

    def current(self) -> Taught:
        version = self.source.version()
        if version == self._version:
            return self._taught
        with self._lock:
            if version != self._version:
                self._taught = self._build(self.source.phrasings(), self.source.set_aside())
                self._version = version
            return self._taught

    def _build(self, phrasings: Iterable[tuple[str, str]], set_aside: Iterable[str]) -> Taught:
        extra: dict[str, list[str]] = {}
        exact: dict[str, str] = {}
        for entry_id, text in phrasings:
            if entry_id not in self.known_ids:  # an entry since removed from the YAML
                continue
            extra.setdefault(entry_id, []).append(text)
            key = phrasing_key(text)
            if key:
                exact[key] = entry_id
        aside = SetAside((*self.listed_aside, *set_aside))
        if not extra:
            return Taught(self.base, set_aside=aside)
        return Taught(self.base.with_phrasings(extra), exact, aside)
