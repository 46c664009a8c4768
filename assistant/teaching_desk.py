"""Teaching the bot in the chat, for reviewers and admins: /unanswered, /learned, /feedback.

/unanswered shows the questions waiting, one at a time — the ones the bot could not answer
(most asked first), then the answers that looked wrong (a "不对", a rephrasing, a 👎) — each
with the entries the bot found nearest as buttons: a tap teaches the question to that entry
(every bot process answers it at once), 🚫 不在范围 sets it aside, ⬅️ / ➡️ leave it and move on.
The message is edited in place, so a reviewer works down the list in one message.

Buttons: `tq:<position>` shows a position; `tl:<list><row>:<option>:<position>` links the
question (its list, u or d, and one of its rows) to its option-th entry; `tx:<list><row>:
<position>` dismisses it. Whose questions one sees, and what a decision does: review.teaching.

/learned lists what was taught and set aside, numbered, with a ↩️ button for each one the
viewer may take back (review.teaching: admins any, a reviewer their own; a phrasing only until
it is exported into the YAML): `tu:<phrasing id>` takes back a phrasing, `tr:<the first 32
characters of the question's key>` a question set aside (the whole key would not fit in
Telegram's 64 bytes). The list is then shown again in the same message.
"""

from __future__ import annotations

import html
import re

from assistant import texts
from assistant.policy_qa import button_label
from assistant.staff_desk import refusal
from common.messages import Button, Incoming, Reply, paging_row
from knowledge import KnowledgeBase
from review import teaching
from review.access import Need, StaffAccess, StaffRole
from review.workflow import person
from storage.database import Database
from storage.learning import DOUBTFUL, AnswerLog, LearnedPhrasings, QuestionGroup, TeachingQueue
from storage.models import to_local
from storage.redact import redact
from storage.repository import People

LISTED = 20
SHOWN_TEXT = 200
_POSITION = re.compile(r"^[0-9]{1,5}$")
_QUESTION = re.compile(r"^([ud])([0-9]{1,12})$")
_PHRASING = re.compile(r"^[0-9]{1,12}$")
_KEY_SHOWN = 32  # of a question set aside's 64-character key, in a button
_KEY_PREFIX = re.compile(r"^[0-9a-zA-Z]{32}$")
UNDO_PER_ROW = 4


class TeachingDesk:
    def __init__(self, kb: KnowledgeBase, db: Database, access: StaffAccess):
        self.kb = kb
        self.db = db
        self.access = access
        self.people = People(db)
        self.learned = LearnedPhrasings(db)
        self.queue = TeachingQueue(db)
        self.answers = AnswerLog(db)

    def _reviewer(self, incoming: Incoming) -> StaffRole | Reply:
        who = self.access.who(incoming.user_id)
        reason = refusal(who, Need.REVIEW)
        return who if reason is None else Reply(reason)

    def _title(self, entry_id: str | None) -> str:
        """The entry's question (plain text), or a note that it no longer exists."""
        entry = self.kb.get(entry_id or "")
        if entry is None:
            return texts.UNKNOWN_ENTRY.format(entry_id=entry_id)
        return entry.question

    # --- /unanswered --------------------------------------------------------------------

    def cmd_unanswered(self, incoming: Incoming) -> list[Reply]:
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        return [self._card(who, 0, edit=False)]

    def on_page_button(self, incoming: Incoming) -> list[Reply]:
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        position = _arg(incoming)
        if not _POSITION.match(position):
            return [Reply(texts.BUTTON_EXPIRED)]
        return [self._card(who, int(position), edit=True)]

    def on_link_button(self, incoming: Incoming) -> list[Reply]:
        """`tl:<list><row>:<option>:<position>`: teach the question to that entry."""
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        question, option, position = [*_arg(incoming).split(":"), "", ""][:3]
        found = _QUESTION.match(question)
        if found is None or not _POSITION.match(option) or not _POSITION.match(position):
            return [Reply(texts.BUTTON_EXPIRED)]
        kind, row_id = found.group(1), int(found.group(2))
        # the option as the card showed it (the stored nearest entries do not change)
        group = self.queue.group(kind, row_id, teaching.askers_of(who))
        offered = teaching.options(group) if group is not None else []
        entry_id = offered[int(option)] if int(option) < len(offered) else ""
        linked = teaching.link(self.db, who, kind, row_id, entry_id, self.kb.entries)
        if linked is None:
            return [self._card(who, int(position), edit=True, done=texts.TEACH_GONE)]
        done = texts.TEACH_LINKED.format(
            text=_shown(linked.text), title=html.escape(self._title(entry_id))
        )
        return [self._card(who, int(position), edit=True, done=done)]

    def on_dismiss_button(self, incoming: Incoming) -> list[Reply]:
        """`tx:<list><row>:<position>`: the question is out of scope."""
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        question, position = [*_arg(incoming).split(":"), ""][:2]
        found = _QUESTION.match(question)
        if found is None or not _POSITION.match(position):
            return [Reply(texts.BUTTON_EXPIRED)]
        dismissed = teaching.dismiss(self.db, who, found.group(1), int(found.group(2)))
        done = (
            texts.TEACH_GONE
            if dismissed is None
            else texts.TEACH_DISMISSED.format(text=_shown(dismissed.text))
        )
        return [self._card(who, int(position), edit=True, done=done)]

    def _card(self, who: StaffRole, position: int, *, edit: bool, done: str = "") -> Reply:
        """The question at `position` (the last one if the list got shorter) with its
        buttons; `done`: what the last tap did, said first."""
        unanswered, doubtful = teaching.waiting_count(self.db, who)
        total = unanswered + doubtful
        position = min(position, total - 1)
        found = teaching.waiting(self.db, who, position, 1) if total else []
        lead = [done] if done else []
        if not found:
            return Reply("\n\n".join([*lead, texts.UNANSWERED_EMPTY]), edit=edit)
        group = found[0]
        lines = [
            *lead,
            texts.UNANSWERED_SUMMARY.format(unanswered=unanswered, doubtful=doubtful),
            texts.UNANSWERED_CARD.format(
                title=texts.DOUBTFUL_TITLE if group.kind == DOUBTFUL else texts.UNANSWERED_TITLE,
                position=position + 1,
                total=total,
                counted=self._counted(group),
                text=_shown(group.text),
            ),
        ]
        if group.kind == DOUBTFUL:
            lines.append(
                texts.DOUBTFUL_GIVEN.format(title=html.escape(self._title(group.entry_id)))
            )
        handle = f"{group.kind}{group.row_id}"
        buttons = []
        for number, entry_id in enumerate(teaching.options(group)):
            if self.kb.get(entry_id) is None:
                continue
            label = texts.TEACH_CONFIRM if entry_id == group.entry_id else texts.TEACH_LINK
            buttons.append(
                [
                    Button(
                        button_label(label.format(title=self._title(entry_id))),
                        f"tl:{handle}:{number}:{position}",
                    )
                ]
            )
        lines.append(texts.TEACH_HOW if buttons else texts.TEACH_NO_NEAREST)
        buttons.append([Button(texts.TEACH_DISMISS, f"tx:{handle}:{position}")])
        nav = paging_row(position, total, texts.TEACH_PREVIOUS, texts.TEACH_NEXT, "tq")
        if nav:
            buttons.append(nav)
        return Reply("\n".join(lines), buttons=buttons, edit=edit)

    @staticmethod
    def _counted(group: QuestionGroup) -> str:
        if group.kind != DOUBTFUL:
            return texts.UNANSWERED_COUNTED.format(count=group.count)
        reasons = texts.DOUBTFUL_REASON_SEPARATOR.join(
            texts.DOUBTFUL_REASONS[reason].format(n=n) for reason, n in group.reasons.items() if n
        )
        return reasons

    # --- /learned and /feedback -----------------------------------------------------------

    def cmd_learned(self, incoming: Incoming) -> list[Reply]:
        """What staff taught (newest first) and set aside, with who and when."""
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        return [self._learned(who, edit=False)]

    def on_unteach_button(self, incoming: Incoming) -> list[Reply]:
        """`tu:<phrasing id>`: take back a taught phrasing."""
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        phrasing = _arg(incoming)
        if not _PHRASING.match(phrasing):
            return [Reply(texts.BUTTON_EXPIRED)]
        taken = teaching.unteach(self.db, who, int(phrasing))
        done = (
            texts.LEARNED_GONE
            if taken is None
            else texts.LEARNED_UNTAUGHT.format(
                text=_shown(taken.text), title=html.escape(self._title(taken.entry_id))
            )
        )
        return [self._learned(who, edit=True, done=done)]

    def on_restore_button(self, incoming: Incoming) -> list[Reply]:
        """`tr:<key prefix>`: take back a question set aside."""
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        prefix = _arg(incoming)
        if not _KEY_PREFIX.match(prefix):
            return [Reply(texts.BUTTON_EXPIRED)]
        key = self.queue.key_starting(prefix)
        taken = teaching.restore(self.db, who, key) if key is not None else None
        done = (
            texts.LEARNED_GONE
            if taken is None
            else texts.LEARNED_RESTORED.format(text=_shown(taken.text))
        )
        return [self._learned(who, edit=True, done=done)]

    def _learned(self, who: StaffRole, *, edit: bool, done: str = "") -> Reply:
        taught = self.learned.listed(LISTED)
        dismissed = self.queue.dismissed(LISTED // 2)
        lead = [done] if done else []
        if not taught and not dismissed:
            return Reply("\n\n".join([*lead, texts.LEARNED_EMPTY]), edit=edit)
        names = self.people.names(
            [t.added_by for t in taught] + [d.dismissed_by for d in dismissed]
        )
        lines = [*lead, texts.LEARNED_HEADER if taught else texts.LEARNED_EMPTY]
        undo: list[Button] = []
        for number, t in enumerate(taught, start=1):
            lines.append(
                texts.LEARNED_LINE.format(
                    number=number,
                    text=_shown(t.text),
                    title=html.escape(self._title(t.entry_id)),
                    who=html.escape(person(t.added_by, names)),
                    at=to_local(t.added_at),
                    exported=texts.LEARNED_EXPORTED if t.exported_at is not None else "",
                )
            )
            if teaching.may_unteach(who, t):
                undo.append(Button(texts.LEARNED_UNDO.format(number=number), f"tu:{t.id}"))
        if dismissed:
            lines.append(texts.DISMISSED_HEADER)
        for number, d in enumerate(dismissed, start=len(taught) + 1):
            lines.append(
                texts.DISMISSED_LINE.format(
                    number=number,
                    text=_shown(d.text),
                    who=html.escape(person(d.dismissed_by, names)),
                    at=to_local(d.dismissed_at),
                )
            )
            if teaching.may_restore(who, d):
                undo.append(
                    Button(texts.LEARNED_UNDO.format(number=number), f"tr:{d.key[:_KEY_SHOWN]}")
                )
        if undo:
            lines.append(texts.LEARNED_UNDO_HOW)
        rows = [undo[i : i + UNDO_PER_ROW] for i in range(0, len(undo), UNDO_PER_ROW)]
        return Reply("\n".join(lines), buttons=rows, edit=edit)

    def cmd_feedback(self, incoming: Incoming) -> list[Reply]:
        """👍 / 👎 and other doubts per entry, the entries that most need work first."""
        who = self._reviewer(incoming)
        if isinstance(who, Reply):
            return [who]
        counted = sorted(
            self.answers.per_entry(),
            key=lambda f: (-(f.down + f.doubted), f.up, self._title(f.entry_id)),
        )
        if not counted:
            return [Reply(texts.FEEDBACK_EMPTY)]
        lines = [texts.FEEDBACK_HEADER]
        lines += [
            texts.FEEDBACK_LINE.format(
                title=html.escape(self._title(f.entry_id)), down=f.down, doubted=f.doubted, up=f.up
            )
            for f in counted[:LISTED]
        ]
        return [Reply("\n".join(lines))]


def _arg(incoming: Incoming) -> str:
    return (incoming.callback or "").partition(":")[2]


def _shown(text: str) -> str:
    """A stored question as staff see it: redacted again (rows from before names were masked),
    shortened, HTML-escaped."""
    return html.escape(redact(text)[:SHOWN_TEXT])
