"""Editing a copy of the project's YAML in a test: the text replaced must be there, so a test
never passes because its edit silently missed."""

from __future__ import annotations

from pathlib import Path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), "utf-8")
