"""`bot.py kb export-learned` and `kb clear-exported`: from the database into the reviewed YAML.

The YAML stays the source of truth. What staff taught lives in the database (answered at once
by every bot process) until an operator runs, on the server:

1. `kb export-learned` — every phrasing not yet exported is written into its entry's
   `alternates:` (knowledge.alternates: comments and layout kept), the knowledge base is loaded
   from the result and checked as `bot.py check` would (on any problem the files are put back
   and nothing is marked), and the rows are marked exported — not deleted: the running bots
   loaded the YAML at start, so until they run the new release they still need the rows.
   Phrasings the YAML alone would answer otherwise (the question asks for a date the entry does
   not state, say; staff's word-for-word link overrode that) are named, to fix in the entry.
2. review the change, release it, restart the bots;
3. `kb clear-exported` — deletes the exported rows whose phrasing the YAML now carries and
   answers with the same entry; any other is kept and named.

Questions staff set aside as ones the documents do not answer (🚫 不在范围) go the same way, into
knowledge/data/set_aside.yaml (knowledge.set_aside_file): `export-learned` appends those the
file does not list yet (so it is checked with the rest, and put back with it), and
`clear-exported` deletes the database rows of those the file lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.yamlfile import DataError, Problem
from knowledge.alternates import Written, add_alternates, restore
from knowledge.base import KnowledgeBase, load_knowledge
from knowledge.learned import alike_key, phrasing_key
from knowledge.set_aside_file import SET_ASIDE_FILE, Appended, append_set_aside, load_set_aside
from storage.database import Database
from storage.learning import Dismissed, LearnedPhrasings, Taught, TeachingQueue
from storage.repository import AuditLog

CLI_OPERATOR = 0  # the actor the audit log records for commands run on the server


@dataclass
class Exported:
    written: Written = field(default_factory=Written)
    marked: list[Taught] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the check failed: nothing kept
    # (phrasing, what the YAML alone answers it with: an entry id or None)
    answered_otherwise: list[tuple[Taught, str | None]] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)  # written into set_aside.yaml


def _answered_with(kb: KnowledgeBase, taught: Taught) -> str | None:
    answer = kb.ask(taught.text)
    return answer.entry.id if answer.entry is not None else None


def export_learned(db: Database, data_dir: Path) -> Exported:
    phrasings = LearnedPhrasings(db)
    pending = phrasings.unexported()
    result = Exported()
    aside: Appended | None = None
    if pending:
        additions: dict[str, list[str]] = {}
        for taught in pending:
            additions.setdefault(taught.entry_id, []).append(taught.text)
        result.written = add_alternates(data_dir, additions)
    try:
        aside = append_set_aside(data_dir / SET_ASIDE_FILE, phrasings.set_aside())
        if not pending and not aside.added:
            return result
        kb = load_knowledge(data_dir)
    except DataError as exc:
        restore(result.written)
        if aside is not None:
            aside.restore()
        result.problems = exc.problems
        return result
    result.set_aside = aside.added
    unknown = set(result.written.unknown)
    result.marked = [t for t in pending if t.entry_id not in unknown]
    phrasings.mark_exported([t.id for t in result.marked])
    result.answered_otherwise = [
        (t, got) for t in result.marked if (got := _answered_with(kb, t)) != t.entry_id
    ]
    added = sum(len(texts) for texts in result.written.added.values())
    AuditLog(db).record(
        CLI_OPERATOR,
        "teach_export",
        None,
        f"{added} 条问法、{len(result.set_aside)} 个不在范围的问题写入 {data_dir}",
    )
    return result


@dataclass
class Cleared:
    cleared: list[Taught] = field(default_factory=list)
    kept: list[tuple[Taught, str | None]] = field(default_factory=list)  # and what YAML answers
    set_aside: list[Dismissed] = field(default_factory=list)  # set_aside.yaml lists them


def clear_exported(db: Database, data_dir: Path) -> Cleared:
    """Delete the exported phrasings the YAML in `data_dir` carries (as a phrasing of the same
    entry) and answers with that entry; keep the others."""
    phrasings = LearnedPhrasings(db)
    kb = load_knowledge(data_dir)
    result = Cleared()
    for taught in phrasings.listed():
        if taught.exported_at is None:
            continue
        entry = kb.get(taught.entry_id)
        carried = entry is not None and phrasing_key(taught.text) in {
            phrasing_key(p) for p in (entry.question, *entry.alternates)
        }
        got = _answered_with(kb, taught)
        if carried and got == taught.entry_id:
            result.cleared.append(taught)
        else:
            result.kept.append((taught, got))
    phrasings.remove([t.id for t in result.cleared])
    listed = {alike_key(q) for q in load_set_aside(data_dir / SET_ASIDE_FILE)}
    queue = TeachingQueue(db)
    for dismissed in queue.dismissed(limit=None):
        if alike_key(dismissed.text) in listed and queue.restore(dismissed.key):
            result.set_aside.append(dismissed)
    return result
