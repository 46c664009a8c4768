"""The router: one `Incoming` in, the replies out, for Telegram and the console alike.

Commands go to their handler method (`cmd_<name>`), button taps to the handler named by the
prefix of their data (`kb:<entry id>`, `menu:<item>`), and plain text to the policy Q&A.
Questions the knowledge base cannot answer are logged for staff.
"""

from __future__ import annotations

import html
import logging

from assistant import texts
from assistant.messages import Button, Incoming, Reply
from assistant.policy_qa import Kind, PolicyQA, button_label
from knowledge import KnowledgeBase
from storage.database import Database
from storage.repository import UnansweredLog

log = logging.getLogger(__name__)

# The commands shown in Telegram's menu, in order.
COMMANDS: list[tuple[str, str]] = [
    ("start", "主菜单"),
    ("help", "使用帮助"),
]


class Assistant:
    def __init__(self, kb: KnowledgeBase, db: Database):
        self.kb = kb
        self.db = db
        self.qa = PolicyQA(kb)
        self.unanswered = UnansweredLog(db)

    def handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.callback is not None:
            return self._on_button(incoming)
        if incoming.command is not None:
            handler = getattr(self, f"cmd_{incoming.command}", None)
            if handler is None:
                return [Reply(texts.UNKNOWN_COMMAND.format(command=html.escape(incoming.command)))]
            return handler(incoming)
        return self.answer_question(incoming)

    # --- commands -------------------------------------------------------------------------

    def cmd_start(self, incoming: Incoming) -> list[Reply]:
        """The introduction and a menu of what to do."""
        return [Reply(self.qa.intro(), buttons=self.menu_buttons())]

    def cmd_help(self, incoming: Incoming) -> list[Reply]:
        return [Reply(self.qa.help())]

    def menu_buttons(self) -> list[list[Button]]:
        return [
            [Button(texts.MENU_ASK, "menu:ask")],
            [Button(texts.MENU_CONTACT, "menu:contact")],
        ]

    # --- questions ------------------------------------------------------------------------

    def answer_question(self, incoming: Incoming) -> list[Reply]:
        outcome = self.qa.respond(incoming.text)
        if outcome.kind is Kind.ABSTAIN and outcome.answer is not None:
            answer = outcome.answer
            self.unanswered.record(
                incoming.text.strip(), answer.score, answer.best_entry_id, incoming.user_id
            )
        return outcome.replies

    # --- buttons --------------------------------------------------------------------------

    def _on_button(self, incoming: Incoming) -> list[Reply]:
        prefix, _, value = (incoming.callback or "").partition(":")
        if prefix == "kb":
            entry = self.kb.get(value)
            if entry is not None:
                return [self.qa.entry_reply(entry)]
        elif prefix == "menu":
            if value == "ask":
                return [Reply(texts.ASK_PROMPT, buttons=self.example_buttons())]
            if value == "contact":
                return [Reply(self.qa.contact_line())]
        return [Reply(texts.UNKNOWN_BUTTON)]

    def example_buttons(self) -> list[list[Button]]:
        return [
            [Button(button_label(entry.question), f"kb:{entry.id}")]
            for entry in self.kb.featured()
        ]
