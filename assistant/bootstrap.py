"""Assembling the core from settings: knowledge base + migrated database → `Assistant`."""

from __future__ import annotations

from assistant.config import Settings
from assistant.service import Assistant
from knowledge import load_knowledge
from storage.database import open_database


def build_assistant(settings: Settings) -> Assistant:
    return Assistant(
        load_knowledge(cache_dir=settings.knowledge_cache),
        open_database(settings.database_url),
        admin_ids=settings.admin_ids,
        web_base_url=settings.web.base_url,
    )
