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
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from common.text import normalize
from knowledge.retrieval import Retriever


class LearnedSource(Protocol):
    """Where taught phrasings are kept (the database: storage.learning.LearnedPhrasings)."""

    def version(self) -> Hashable:
        """Changes whenever a phrasing is added or removed; cheap, asked for every question."""
        ...

    def phrasings(self) -> Iterable[tuple[str, str]]:
        """Every taught phrasing, as (entry id, phrasing)."""
        ...


def phrasing_key(text: str) -> str:
    """What makes two phrasings the same: normalised, without spaces."""
    return normalize(text).replace(" ", "")


@dataclass(frozen=True)
class Taught:
    """The retriever with the taught phrasings indexed, and those phrasings word for word."""

    retriever: Retriever
    exact: dict[str, str] = field(default_factory=dict)  # phrasing_key → entry id


class LearnedLayer:
    """The taught phrasings over one base retriever, rebuilt when the source's version
    changes. Shared by the threads of one process: one rebuilds, the others wait for it."""

    def __init__(self, base: Retriever, source: LearnedSource, known_ids: Iterable[str]):
        self.base = base
        self.source = source
        self.known_ids = frozenset(known_ids)
        self._lock = threading.Lock()
        self._version: Hashable = object()  # matches no version: the first question reads
        self._taught = Taught(base)

    def current(self) -> Taught:
        version = self.source.version()
        if version == self._version:
            return self._taught
        with self._lock:
            if version != self._version:
                self._taught = self._build(self.source.phrasings())
                self._version = version
            return self._taught

    def _build(self, phrasings: Iterable[tuple[str, str]]) -> Taught:
        extra: dict[str, list[str]] = {}
        exact: dict[str, str] = {}
        for entry_id, text in phrasings:
            if entry_id not in self.known_ids:  # an entry since removed from the YAML
                continue
            extra.setdefault(entry_id, []).append(text)
            key = phrasing_key(text)
            if key:
                exact[key] = entry_id
        if not extra:
            return Taught(self.base)
        return Taught(self.base.with_phrasings(extra), exact)
