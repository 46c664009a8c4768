"""Policy questions in chat: decide what kind of message it is and compose the reply.

Greetings and thanks get a friendly reply; empty, symbol-only and over-long messages get a
specific hint; everything else goes to the knowledge base, which answers (with its source and
related questions as buttons) or abstains (with "您是不是想问…" suggestions when there are
any, and the contact phone). Wherever the contact is offered because the bot cannot help — an
abstention, a request for a person (转人工), 📞 联系咨询 — the hand-over button (请村干部联系我,
`handoff`) comes with it. No storage here: the caller decides whether to log an abstention.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from assistant import texts
from assistant.small_talk import SmallTalk, TalkKind
from common.messages import Button, Reply
from common.text import normalize
from knowledge import Answer, Entry, KnowledgeBase

MAX_QUESTION_CHARS = 300
_BUTTON_LABEL_CHARS = 30

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Kind(StrEnum):
    ANSWER = "answer"
    ABSTAIN = "abstain"
    SMALL_TALK = "small_talk"
    EMPTY = "empty"
    NO_WORDS = "no_words"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    question: str
    answer: Answer | None
    replies: list[Reply]
    talk: TalkKind | None = None  # the kind of small talk, for SMALL_TALK


def button_label(text: str) -> str:
    return text if len(text) <= _BUTTON_LABEL_CHARS else text[: _BUTTON_LABEL_CHARS - 1] + "…"


class PolicyQA:
    def __init__(
        self,
        kb: KnowledgeBase,
        report_command: str = "report",
        small_talk: SmallTalk | None = None,
        handoff: Button | None = None,
    ):
        self.kb = kb
        self.small_talk = small_talk or SmallTalk.load()
        # An entry whose `action` is "report" offers this dialog's button.
        self.report_button = Button(texts.REPORT_BUTTON, f"menu:open:{report_command}")
        # Offered with the contact when the bot cannot help (a call-back request).
        self.handoff_rows = [[handoff]] if handoff is not None else []

    def placeholders(self) -> dict[str, str]:
        """What replies may name: {bot_name}, {office}, {phone}."""
        return {
            "bot_name": texts.BOT_NAME,
            "office": self.kb.parameters.contact_office,
            "phone": self.kb.parameters.contact_phone,
        }

    def _fill(self, template: str) -> str:
        return template.format(**self.placeholders())

    def intro(self) -> str:
        return self._fill(texts.INTRO)

    def help(self) -> str:
        return self._fill(texts.HELP)

    def contact_line(self) -> str:
        return self._fill(texts.CONTACT_LINE)

    def contact_reply(self) -> Reply:
        """📞 联系咨询: the office and phone, and the hand-over button."""
        return Reply(self.contact_line(), buttons=list(self.handoff_rows))

    def error_text(self) -> str:
        return self._fill(texts.ERROR)

    def entry_reply(self, entry: Entry) -> Reply:
        """An entry's answer with its source, and its related questions as buttons."""
        text = (
            f"<b>{html.escape(entry.question)}</b>\n{html.escape(entry.answer)}\n\n"
            + texts.ANSWER_SOURCE.format(source=html.escape(entry.cited()))
        )
        buttons = [[self.report_button]] if entry.action == "report" else []
        for related_id in entry.related:
            related = self.kb.get(related_id)
            if related is not None:
                buttons.append([Button(button_label(related.question), f"kb:{related.id}")])
        return Reply(text, buttons=buttons)

    def unanswered_reply(self, questions: Sequence[str]) -> Reply:
        """The questions of a message that no entry answers, after the answers to the others,
        and whom to ask instead."""
        asked = "、".join(f"“{html.escape(q)}”" for q in questions)
        lines = [texts.UNANSWERED_PARTS.format(questions=asked), self._fill(texts.ABSTAIN_CONTACT)]
        return Reply("\n".join(lines), buttons=list(self.handoff_rows))

    def abstain_reply(self, answer: Answer) -> Reply:
        opening = texts.UNSTATED.format(what=answer.unstated) if answer.unstated else texts.ABSTAIN
        reply = self.suggesting(opening, [(s.entry_id, s.question) for s in answer.suggestions])
        reply.buttons += self.handoff_rows
        return reply

    def suggesting(self, opening: str, suggestions: Sequence[tuple[str, str]]) -> Reply:
        """`opening`, then the questions (entry id, question) it may have meant as buttons
        ("您是不是想问…") and the contact for anything else; the contact alone without any."""
        buttons = [
            [Button(button_label(question), f"kb:{entry_id}")] for entry_id, question in suggestions
        ]
        lines = [opening]
        if buttons:
            lines += [texts.SUGGEST, self._fill(texts.ABSTAIN_CONTACT_ELSE)]
        else:
            lines.append(self._fill(texts.ABSTAIN_CONTACT))
        return Reply("\n".join(lines), buttons=buttons)

    def respond(self, raw_text: str) -> Outcome:
        """Classify `raw_text` and build the reply a user sees."""
        text = _CONTROL.sub(" ", raw_text).strip()
        if not text:
            return Outcome(Kind.EMPTY, raw_text, None, [Reply(texts.EMPTY_INPUT)])
        if len(text) > MAX_QUESTION_CHARS:
            message = texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS)
            return Outcome(Kind.TOO_LONG, raw_text, None, [Reply(message)])
        talk = self.small_talk.kind_of(text)
        if (
            talk is not None
        ):  # "你好", "谢谢", "👍", "转人工": not a question for the knowledge base
            kind = self.small_talk.kinds[talk]
            reply = Reply(kind.reply.format(intro=self.intro(), **self.placeholders()))
            if kind.contact:  # 转人工: the office and phone, and the hand-over button
                reply.buttons = list(self.handoff_rows)
            return Outcome(Kind.SMALL_TALK, raw_text, None, [reply], kind)
        folded = normalize(text).replace(" ", "")
        if not folded:
            return Outcome(Kind.NO_WORDS, raw_text, None, [Reply(texts.NO_WORDS)])
        answer = self.kb.ask(text)
        if answer.entry is not None:
            replies = [self.entry_reply(entry) for entry in answer.entries]
            if answer.unanswered:  # a message of several questions, some not answered
                replies.append(self.unanswered_reply([a.question for a in answer.unanswered]))
            return Outcome(Kind.ANSWER, raw_text, answer, replies)
        return Outcome(Kind.ABSTAIN, raw_text, answer, [self.abstain_reply(answer)])

    @staticmethod
    def as_json(outcome: Outcome) -> dict:
        """The `bot.py ask --json` contract."""
        answer = outcome.answer
        entry = answer.entry if answer else None
        entries = answer.entries if answer else ()
        return {
            "question": outcome.question,
            # a message of several questions: every answer, in order
            "answer": "\n\n".join(e.answer for e in entries) if entries else None,
            "entry_id": entry.id if entry else None,
            "entry_ids": [e.id for e in entries],
            "score": float(answer.score) if answer else 0.0,
            "suggestions": [
                {"entry_id": s.entry_id, "question": s.question}
                for s in (answer.suggestions if answer else ())
            ],
            "source": "；".join(dict.fromkeys(e.cited() for e in entries)) if entries else None,
        }
