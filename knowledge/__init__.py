"""Policy knowledge: parameters, the Q&A entries, and Chinese-aware retrieval over them.

Flow: `load_knowledge()` reads `data/parameters.yaml`, `data/synonyms.yaml` and
`data/entries/*.yaml`, validates them, renders each answer's placeholders from the parameters,
and builds a `Retriever` over an inverted index (`term_index`), kept on disk between starts
(`index_cache`). `Retriever.rank(text)` normalises the question (full-width, 繁→简, punctuation,
homophone typos), segments it, maps synonyms to canonical terms and scores the entries that
share a word with it; `KnowledgeBase.ask(text)` reads what kind of answer is wanted
(`question_kind`) and turns the ranking into an `Answer` or an abstention with suggestions.
`KnowledgeBase.learning_from(source)` also answers the phrasings staff taught while the bot
runs (`learned`: read from the source whenever its version changes, indexed like the entries'
own); `alternates` writes them into the entries' YAML.
"""

from knowledge.base import Answer, Entry, KnowledgeBase, Suggestion, load_knowledge

__all__ = ["Answer", "Entry", "KnowledgeBase", "Suggestion", "load_knowledge"]
