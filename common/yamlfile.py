"""YAML loading that remembers where each mapping stands, so data errors can name file and line.

`load_yaml(path)` returns plain Python data whose dicts are `LineDict`s: `d.line` is the 1-based
line of the mapping, `d.key_line(key)` the line of one key. Both knowledge and dialog
validation report errors as `file:line: message` through `DataError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A dict that knows the source line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# libyaml's parser when PyYAML was built with it (about ten times faster on large entry files).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Problem:
    """One error found in a data file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DataError(Exception):
    """Data files are invalid; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_yaml(path: Path) -> Any:
    """Parse one YAML file, raising `DataError` with the file and line on a syntax error."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LineLoader)
    except FileNotFoundError as exc:
        raise DataError([Problem(path, 0, "文件不存在")]) from exc
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()  # the offset in `exc` is within one chunk of the stream
        try:
            raw.decode("utf-8")
            line = 0
        except UnicodeDecodeError as whole:
            line = raw[: whole.start].count(b"\n") + 1
        raise DataError([Problem(path, line, "不是 UTF-8 编码：请用 UTF-8 另存")]) from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DataError([Problem(path, line, f"YAML 语法错误：{exc.problem}")]) from exc
