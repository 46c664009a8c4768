"""Policy knowledge: parameters, the Q&A entries, and Chinese-aware retrieval over them.

Flow: `load_knowledge()` reads `data/parameters.yaml`, `data/synonyms.yaml` and
`data/entries/*.yaml`, validates them, renders each answer's placeholders from the parameters,
and builds a `Retriever`. `Retriever.search(text)` normalises the question (full-width, 繁→简,
punctuation, homophone typos), segments it, maps synonyms to canonical terms and scores every
entry; `KnowledgeBase.ask(text)` turns that into an `Answer` or an abstention with suggestions.
"""

from knowledge.base import Answer, Entry, KnowledgeBase, Suggestion, load_knowledge

__all__ = ["Answer", "Entry", "KnowledgeBase", "Suggestion", "load_knowledge"]
