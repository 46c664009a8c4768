"""The answers given lately, so a question asked again word for word is not read again.

During the screening many people ask the same short questions ("监测线是多少", "怎么申报") in
the same words. Reading a question is pure: its answer depends only on its text and on the
phrasings staff have taught so far (`knowledge.learned.Taught`). So `KnowledgeBase.ask` keeps
the last `KEPT` answers for the taught phrasings they were read with, and a question seen
before under the same taught phrasings gets the same `Answer` (a frozen value) back. When a
phrasing is taught (in this process or any other: the taught version is read for every
question) the memo starts over, so a taught phrasing is answered at once as before.

The memo is per process and in memory only; the texts it holds are never written anywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")

# Distinct question texts kept: the campaign's common questions many times over, a few MB.
KEPT = 4096


class AnswerMemo(Generic[V]):
    """The last `kept` values by text, valid for one `basis` (any object, by identity) at a
    time. Shared by the core's threads."""

    def __init__(self, kept: int = KEPT):
        self.kept = kept
        self._lock = threading.Lock()
        self._basis: object = object()
        self._values: OrderedDict[str, V] = OrderedDict()

    def get(self, basis: object, text: str, compute: Callable[[], V]) -> V:
        """The value kept for `text` under `basis`, else `compute()`, kept."""
        with self._lock:
            if basis is self._basis:
                found = self._values.get(text)
                if found is not None:
                    self._values.move_to_end(text)
                    return found
        value = compute()  # outside the lock: the other thread reads meanwhile
        with self._lock:
            if basis is not self._basis:  # taught phrasings changed: the old answers go
                self._basis = basis
                self._values.clear()
            self._values[text] = value
            if len(self._values) > self.kept:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)

    # Pickled with the knowledge base (knowledge.index_cache): empty, the lock made anew.
    def __getstate__(self) -> dict[str, int]:
        return {"kept": self.kept}

    def __setstate__(self, state: dict[str, int]) -> None:
        self.__init__(state["kept"])  # type: ignore[misc]
