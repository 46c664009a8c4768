"""The built knowledge base kept on disk between starts.

Building the retriever segments every phrasing and answer with jieba, which takes seconds for a
large knowledge base. `load_knowledge(cache_dir=…)` therefore looks for a pickle named by
`content_key(data_dir)`: a hash of every YAML file under the data folder (and the learned
models' TSV files), of this package's source files and of the library versions that shape the
index. Any edit to an entry, a synonym, a model or the retrieval code gives a new key, so a stale
index is never used; the previous file is removed when the new one is written. A file that
cannot be read (truncated, written by another version) is ignored and rebuilt.

The folder is created 0700 and the file 0600: a pickle runs code when loaded, so only this
account may write it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import jieba
import numpy as np

log = logging.getLogger(__name__)

# Raise when the pickled classes change in a way the source hash would not show.
CACHE_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent


def content_key(data_dir: Path) -> str:
    digest = hashlib.sha256()
    parts = [
        f"format {CACHE_FORMAT}",
        f"python {sys.version_info[:2]}",
        f"jieba {jieba.__version__}",
        f"numpy {np.__version__}",
    ]
    for part in parts:
        digest.update(part.encode())
    for folder, pattern in ((data_dir, "*.yaml"), (data_dir, "*.tsv"), (_PACKAGE, "*.py")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"knowledge-{key}.pickle"


def load(cache_dir: Path, key: str) -> Any | None:
    path = _path(cache_dir, key)
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # any unreadable file is simply rebuilt
        log.warning("知识库索引缓存无法读取，将重新建立：%s（%s）", path, type(exc).__name__)
        return None


def store(cache_dir: Path, key: str, built: Any) -> None:
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".knowledge-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:  # mkstemp creates it 0600
            pickle.dump(built, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, _path(cache_dir, key))
        for old in cache_dir.glob("knowledge-*.pickle"):
            if old != _path(cache_dir, key):
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only folder only costs the next start its time
        log.warning("知识库索引缓存无法写入 %s：%s", cache_dir, exc)
