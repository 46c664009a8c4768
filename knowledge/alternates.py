"""Writing taught phrasings into the entries' YAML (`alternates:`), keeping the rest as it is.

`bot.py kb export-learned` carries what staff taught the bot into the reviewed YAML, so the next
release answers it from there. The files are edited as text, not dumped again: comments, key
order, quoting and blank lines stay as the author wrote them. Where each entry's `alternates:`
list stands is read from PyYAML's node positions; a phrasing is added as one more item of the
list, in the list's own style — a line `- 问法` under the last item of a block list, `, "问法"`
before the `]` of a flow list — quoted only when it must be (JSON quoting, which YAML reads),
with `{` `}` doubled (alternates are templates over the policy parameters).

A phrasing the entry already has (its question or an alternate, compared as retrieval compares
them: normalised, without spaces) is not added again. The caller checks the result with
`load_knowledge` and puts the files back if it fails (`restore`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.learned import phrasing_key


@dataclass
class Written:
    """What `add_alternates` did: per entry the phrasings added and those it had already;
    the entry ids found in no file; the files changed, with their text before."""

    added: dict[str, list[str]] = field(default_factory=dict)
    present: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    before: dict[Path, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # entry id → its file


def restore(written: Written) -> None:
    """Put every changed file back as it was."""
    for path, text in written.before.items():
        path.write_text(text, "utf-8")


def add_alternates(data_dir: Path, additions: Mapping[str, Sequence[str]]) -> Written:
    """Add the phrasings (entry id → phrasings) to the entries' `alternates:` in
    `data_dir/entries/*.yaml`."""
    written = Written()
    wanted = {entry_id: list(texts) for entry_id, texts in additions.items() if texts}
    for path in sorted((data_dir / "entries").glob("*.yaml")):
        original = text = path.read_text("utf-8")
        lists = _alternates_lists(text)
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement), by position
        for entry_id, node in lists.items():
            if entry_id not in wanted:
                continue
            written.files[entry_id] = path
            known = {phrasing_key(_unescaped(v)) for v in _values(node.alternates)}
            known.add(phrasing_key(node.question))
            new: list[str] = []
            for phrasing in wanted.pop(entry_id):
                clean = " ".join(phrasing.split())
                key = phrasing_key(clean)
                if not key or key in known:
                    written.present.setdefault(entry_id, []).append(phrasing)
                    continue
                known.add(key)
                new.append(clean)
            if new:
                edits.append(_insertion(text, node.alternates, new))
                written.added[entry_id] = new
        if edits:
            for start, end, replacement in sorted(edits, reverse=True):
                text = text[:start] + replacement + text[end:]
            written.before[path] = original
            path.write_text(text, "utf-8")
    written.unknown = sorted(wanted)
    return written


@dataclass(frozen=True)
class _EntryNodes:
    question: str
    alternates: yaml.Node


def _alternates_lists(text: str) -> dict[str, _EntryNodes]:
    """Entry id → its question and the node of its `alternates:` value, in one file."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    found: dict[str, _EntryNodes] = {}
    if not isinstance(root, yaml.MappingNode):
        return found
    entries = _value(root, "entries")
    if not isinstance(entries, yaml.SequenceNode):
        return found
    for item in entries.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        entry_id, question, alternates = (_value(item, k) for k in ("id", "question", "alternates"))
        if isinstance(entry_id, yaml.ScalarNode) and alternates is not None:
            asked = question.value if isinstance(question, yaml.ScalarNode) else ""
            found[str(entry_id.value)] = _EntryNodes(asked, alternates)
    return found


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _values(node: yaml.Node) -> list[str]:
    if isinstance(node, yaml.SequenceNode):
        return [str(item.value) for item in node.value if isinstance(item, yaml.ScalarNode)]
    return [str(node.value)] if isinstance(node, yaml.ScalarNode) else []


def _unescaped(template: str) -> str:
    return template.replace("{{", "{").replace("}}", "}")


def _escaped(phrasing: str) -> str:
    return phrasing.replace("{", "{{").replace("}", "}}")


def _block_item(phrasing: str) -> str:
    """The phrasing as a block list item's scalar: plain when YAML reads it back as it is."""
    value = _escaped(phrasing)
    try:
        plain = yaml.safe_load(f"- {value}") == [value]
    except yaml.YAMLError:
        plain = False
    return value if plain and "#" not in value else json.dumps(value, ensure_ascii=False)


def _insertion(text: str, node: yaml.Node, phrasings: list[str]) -> tuple[int, int, str]:
    """Where and what to write so that `node` (an alternates value) also holds `phrasings`."""
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        closing = node.end_mark.index - 1  # the "]"
        quoted = ", ".join(json.dumps(_escaped(p), ensure_ascii=False) for p in phrasings)
        head = text[node.start_mark.index + 1 : closing].strip()
        return closing, closing, (f", {quoted}" if head else quoted)
    if isinstance(node, yaml.SequenceNode) and node.value:
        indent = " " * node.start_mark.column  # the column of its "- "
        last = node.value[-1].end_mark
        # after the last item's line (a comment on it included); a block scalar ends at the
        # start of the line after its text
        end = last.index if last.column == 0 else _line_end(text, last.index)
        lines = "".join(f"{indent}- {_block_item(p)}\n" for p in phrasings)
        if end == len(text) and not text.endswith("\n"):
            lines = "\n" + lines
        return end, end, lines
    # a single phrasing written as a scalar, or an empty list: becomes a flow list
    values = [*_values(node), *(_escaped(p) for p in phrasings)]
    listed = ", ".join(json.dumps(v, ensure_ascii=False) for v in values)
    return node.start_mark.index, node.end_mark.index, f"[{listed}]"


def _line_end(text: str, index: int) -> int:
    """The index just past the newline that ends the line holding `index`."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1
