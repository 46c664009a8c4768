"""set_aside.yaml: the questions the documents do not answer, kept with the knowledge base.

Staff set a question aside in the chat or the web console (🚫 不在范围, knowledge.learned); it
lives in the database until `bot.py kb export-learned` appends it here, so a fresh database, a
new server or next year's campaign starts with it too. The knowledge base abstains on every
question listed (word for word or nearly: `knowledge.learned.SetAside`), as it does on those
still in the database.

The file is a list of strings under `set_aside:`. `load_set_aside` checks it as `bot.py check`
does: every item a question, none listed twice (as `SetAside` compares them), none an entry's
own phrasing (that entry would then never answer it). A missing file lists nothing.
`append_set_aside` adds questions at the end as a text edit, so comments and layout stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.yamlfile import DataError, Problem
from knowledge.learned import alike_key, phrasing_key

SET_ASIDE_FILE = "set_aside.yaml"
KEY = "set_aside"

HEADER = (
    "# 文件没有回答的问题：工作人员标为“🚫 不在范围”以后，\n"
    "# 由 python bot.py kb export-learned 写入。\n"
    "# 问到这些问题（字面相同或几乎相同，数字、年份也相同）时，机器人不拿条目作答，\n"
    "# 只给“您是不是想问…”和咨询电话。删去一条，机器人就又可以回答它；\n"
    "# 改完运行 python bot.py check。\n"
    f"{KEY}:\n"
)


def load_set_aside(path: Path, phrasings: dict[str, str] | None = None) -> list[str]:
    """The questions listed in `path` (none if it does not exist); `phrasings`: every entry's
    question and alternates by `phrasing_key` → entry id, none of which may be listed."""
    if not path.exists():
        return []
    try:
        document = yaml.compose(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise DataError([Problem(path, line, f"YAML 格式错误：{exc}")]) from exc
    items = _items(path, document)
    problems: list[Problem] = []
    questions: list[str] = []
    seen: dict[str, int] = {}
    for node in items:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            problems.append(Problem(path, line, f"{KEY} 的每一项应是一个问题（一行文字）"))
            continue
        question = str(node.value).strip()
        key = alike_key(question)
        if key in seen:
            problems.append(Problem(path, line, f"「{question}」与第 {seen[key]} 行重复"))
            continue
        seen[key] = line
        entry_id = (phrasings or {}).get(phrasing_key(question))
        if entry_id is not None:
            problems.append(
                Problem(path, line, f"「{question}」是条目 {entry_id} 自己的问法，不能标为不在范围")
            )
            continue
        questions.append(question)
    if problems:
        raise DataError(problems)
    return questions


def _items(path: Path, document: yaml.Node | None) -> list[yaml.Node]:
    if document is None:
        return []
    if not isinstance(document, yaml.MappingNode):
        raise DataError([Problem(path, 1, f"文件应以 {KEY}: 开头，下面列出问题")])
    for key, value in document.value:
        if key.value != KEY:
            raise DataError([Problem(path, key.start_mark.line + 1, f"未知的键：{key.value}")])
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            return []  # `set_aside:` with nothing under it yet
        if not isinstance(value, yaml.SequenceNode):
            raise DataError([Problem(path, value.start_mark.line + 1, f"{KEY} 应是一个列表")])
        return list(value.value)
    return []


@dataclass(frozen=True)
class Appended:
    """What `append_set_aside` wrote, and the file as it was (None: it did not exist)."""

    path: Path
    added: list[str]
    before: str | None

    def restore(self) -> None:
        if self.before is None:
            self.path.unlink(missing_ok=True)
        else:
            self.path.write_text(self.before, "utf-8")


def append_set_aside(path: Path, questions: Iterable[str]) -> Appended:
    """Add the `questions` not listed yet at the end of the file (created with its header if
    missing); an empty `set_aside:` (or `set_aside: []`) becomes the list's start."""
    before = path.read_text("utf-8") if path.exists() else None
    listed = {alike_key(q) for q in load_set_aside(path)} if before is not None else set()
    added: list[str] = []
    for question in questions:
        key = alike_key(question)
        if key and key not in listed:
            listed.add(key)
            added.append(question.strip())
    if not added:
        return Appended(path, [], before)
    text = before if before is not None else HEADER
    text = text.replace(f"{KEY}: []", f"{KEY}:", 1)
    if not text.endswith("\n"):
        text += "\n"
    # a JSON string is a YAML double-quoted scalar: quotes, colons and 「」 need no more thought
    text += "".join(f"  - {json.dumps(q, ensure_ascii=False)}\n" for q in added)
    path.write_text(text, "utf-8")
    return Appended(path, added, before)
