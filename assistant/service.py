"""The router: one `Incoming` in, the replies out, for Telegram and the console alike.

- Each update is one unit of work (`Database.unit_of_work`): the update-id record, the draft
  and submission writes, the logs and the audit rows are committed together at the end, or
  not at all. When another instance changed the draft meanwhile (`DraftConflict`) the attempt
  is rolled back and the update applied again on fresh state.
- A redelivered update (same update id) is applied once: `handle` records the id in
  `processed_updates`; on the durable path (see `storage.inbox`) `process_stored` (an update
  stored before) and `process_received` (received and applied at once, flood control included)
  mark the inbox row done and write the replies to the outbox, claimed for the caller to send,
  in the same transaction.
- Commands and button taps are looked up in two explicit tables built in `Assistant.__init__`:
  `commands` (name → handler, with the description Telegram's command menu shows; each
  dialog's command comes from its YAML) and `buttons` (callback-data prefix → handler).
- Plain text goes to a staff member's pending status note, else to the dialog in progress,
  else to the policy Q&A; a shared contact goes to the dialog in progress. A message the bot
  cannot read (voice, sticker, photo … `Incoming.media`) goes to the dialog in progress, which
  keeps a photo where a step takes photos and otherwise asks the step again; outside a dialog
  it gets what the bot can do, with the menu.
- The desks do the work: `DialogDesk` (dialogs and drafts), `StaffDesk` (review),
  `ResidentRights` (/mydata, /delete), `PolicyQA` (questions), `AnswerFeedback` (👍 / 👎 and
  "不对" after an answer), `TeachingDesk` (/unanswered, /learned, /feedback).
"""

from __future__ import annotations

import html
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from assistant import texts, update_log
from assistant.answer_feedback import AnswerFeedback
from assistant.config import WebSettings
from assistant.dialog_desk import DialogDesk, DraftConflict
from assistant.flood import SERVE, FloodControl
from assistant.intents import ReportIntent
from assistant.policy_qa import Kind, PolicyQA, button_label
from assistant.resident_rights import ResidentRights
from assistant.staff_desk import StaffDesk
from assistant.teaching_desk import TeachingDesk
from assistant.web_signin import WebSignIn
from common.messages import Button, Incoming, Reply
from dialogs.engine import Event
from dialogs.spec import Catalog, load_catalog
from dialogs.validators import parse_money, parse_phone
from knowledge import KnowledgeBase
from review.access import Need, StaffAccess
from storage import crash_point
from storage.database import Database
from storage.inbox import Inbox, Outbox, Outgoing, Received
from storage.learning import LearnedPhrasings
from storage.redact import redact
from storage.repository import People, StaffDirectory, UnansweredLog, UpdateLog
from storage.update_reads import read_ahead

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3

Handler = Callable[[Incoming], list[Reply]]


class _AppliedElsewhere(Exception):
    """Another instance applied the same update first: roll this attempt back."""


@dataclass(frozen=True)
class Processed:
    """What `Assistant.process_received` did: flood control's verdict (SERVE, WARN, DROP)
    and, when served, the update's replies to send."""

    verdict: str
    items: list[Outgoing]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    menu: str | None = None  # description in Telegram's command menu; None: not listed


class Assistant:
    def __init__(
        self,
        kb: KnowledgeBase,
        db: Database,
        catalog: Catalog | None = None,
        admin_ids: frozenset[int] = frozenset(),
        web_base_url: str = WebSettings.base_url,
    ):
        catalog = catalog or load_catalog()
        # Phrasings staff teach are answered at once, in this process and every other.
        kb = kb.learning_from(LearnedPhrasings(db))
        self.kb = kb
        self.db = db
        self.catalog = catalog
        handoff = catalog.handoff_dialog()
        self.qa = PolicyQA(
            kb,
            self.catalog.resident_dialog().name,
            handoff=(
                Button(handoff.handoff_button, f"menu:open:{handoff.name}")
                if handoff is not None and handoff.handoff_button
                else None
            ),
        )
        self.access = StaffAccess(StaffDirectory(db), admin_ids)
        self.feedback = AnswerFeedback(kb, db, self.qa)
        self.dialogs = DialogDesk(kb, db, catalog, self.access, self.qa, self.feedback.rated)
        self.desk = StaffDesk(kb, db, catalog, self.access)
        self.teaching = TeachingDesk(kb, db, self.access)
        self.web_signin = WebSignIn(db, self.access, web_base_url)
        self.people = People(db)
        self.rights = ResidentRights(db, catalog, self.people)
        self.unanswered = UnansweredLog(db)
        self.updates = UpdateLog(db)
        self.inbox = Inbox(db)
        self.outbox = Outbox(db)
        # The dialog desk's parts, for callers that inspect drafts and submissions.
        self.engine = self.dialogs.engine
        self.drafts = self.dialogs.drafts
        self.submissions = self.dialogs.submissions
        self.report_intent = ReportIntent.load()
        self.commands = {command.name: command for command in self._command_table()}
        self.buttons = self._button_table()

    def _command_table(self) -> list[Command]:
        """Every command, in the order of Telegram's menu."""
        menu = texts.COMMAND_MENU
        dialogs = list(self.catalog.dialogs.values())

        def dialog_commands(audience: str) -> list[Command]:
            return [
                Command(d.command, partial(self._open_command, d.name), d.menu)
                for d in dialogs
                if d.audience == audience
            ]

        return [
            Command("start", self.cmd_start, menu["start"]),
            *dialog_commands("anyone"),
            Command("status", self.cmd_status, menu["status"]),
            Command("help", self.cmd_help, menu["help"]),
            Command("back", self.dialogs.command, menu["back"]),
            Command("skip", self.dialogs.command, menu["skip"]),
            Command("cancel", self.cmd_cancel, menu["cancel"]),
            Command("mydata", self.rights.cmd_mydata, menu["mydata"]),
            Command("delete", self.rights.cmd_delete, menu["delete"]),
            *dialog_commands("staff"),
            Command("pending", self.desk.cmd_pending, menu["pending"]),
            Command("view", self.desk.cmd_view),
            Command("assign", self.desk.cmd_assign),
            Command("export", self.desk.cmd_export),
            Command("stats", self.desk.cmd_stats),
            Command("unanswered", self.teaching.cmd_unanswered),
            Command("learned", self.teaching.cmd_learned),
            Command("feedback", self.teaching.cmd_feedback),
            Command("audit", self.desk.cmd_audit),
            Command("staff", self.desk.cmd_staff),
            Command("web", self.web_signin.cmd_web, menu["web"]),
        ]

    def _button_table(self) -> dict[str, Handler]:
        """Callback-data prefix → handler (the part before the first ':')."""
        return {
            "kb": self._on_entry_button,
            "menu": self._on_menu_button,
            "d": self.dialogs.on_dialog_button,
            "resume": self.dialogs.on_resume_button,
            "next": self.dialogs.on_next_button,
            "visit": self._on_legacy_visit_button,
            "vw": self.desk.on_view_button,
            "ph": self.desk.on_photos_button,
            "pg": self.desk.on_page_button,
            "st": self.desk.on_status_button,
            "del": self.rights.on_button,
            "fb": self.feedback.on_vote_button,
            "tq": self.teaching.on_page_button,
            "tl": self.teaching.on_link_button,
            "tx": self.teaching.on_dismiss_button,
            "tu": self.teaching.on_unteach_button,
            "tr": self.teaching.on_restore_button,
        }

    def menu_commands(self) -> list[tuple[str, str]]:
        """(command, description) pairs for Telegram's command menu."""
        return [(c.name, c.menu) for c in self.commands.values() if c.menu is not None]

    # --- routing --------------------------------------------------------------------------

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Apply one update in one transaction and return the replies (the caller sends them).

        A known update id is ignored (no replies)."""
        update_id = incoming.update_id

        def load() -> Received | None:
            if update_id is not None and self.updates.seen(update_id):
                return None
            return Received(update_id or 0, incoming)

        def finish(_received: Received, _replies: list[Reply]) -> None:
            if update_id is not None and not self.updates.record(update_id):
                raise _AppliedElsewhere

        try:
            replies = self._exactly_once(load, finish)
        except _AppliedElsewhere:
            replies = None
        if replies is None:
            log.info("update %s already handled; ignored", update_id)
            return []
        return replies

    def warm_up(self) -> None:
        """Load what the first resident to type an amount or a phone number, or to ask what
        no entry answers, would otherwise wait for: the libraries those parsers import on
        first use (cn2an, phonenumbers) and the name tagger that masks unanswered questions
        for staff. Run once after start, beside the first updates."""
        parse_money("三万二")
        parse_phone("13812345678")
        redact("张伟问村里的路灯")

    def process_stored(self, update_id: int) -> list[Outgoing]:
        """Apply an update stored by `Inbox.receive`, once: in one transaction the update is
        applied, its inbox row marked done and its replies written to the outbox, claimed for
        the caller to send. Returns the update's replies still to send (also when it was
        applied before: a crash may have come between the commit and the sending; those are
        not claimed — `assistant.worker.deliver` claims them)."""

        def load() -> Received | None:
            return self.inbox.take(update_id)

        # Relaxed commit: the update is stored durably in the inbox, so a commit lost to a
        # power loss is applied again from there (storage.database).
        return self._apply_once(update_id, load, durable=False)

    def process_received(
        self,
        update_id: int,
        incoming: Incoming,
        origin: dict[str, Any] | None = None,
        flood: FloodControl | None = None,
    ) -> Processed:
        """Receive and apply an update in one durable transaction: flood control's verdict
        and count, the inbox row (written done), the update's writes and its replies (in the
        outbox, claimed for the caller) commit together. The update must not be acknowledged
        to the messenger before this returns (see `storage.inbox`). An update over the flood
        limit is neither applied nor stored (`Processed.verdict` says so); a redelivery of an
        update applied before returns its replies still to send."""
        verdict = SERVE

        def load() -> Received | None:
            # No "done already?" read first: a redelivery of an applied update is rare, and
            # `mark_done` in `finish` finds it (the attempt rolls back, its replies are sent
            # from the outbox) — one statement less for every other update. Only an update
            # flood control would hold back is looked up: a redelivery is no new message.
            nonlocal verdict
            if flood is not None:
                verdict = flood.verdict(incoming.user_id)
                if verdict != SERVE:
                    if self.inbox.is_done(update_id):
                        verdict = SERVE
                        return None
                    flood.count(incoming.user_id, verdict)  # the warning is counted
                    return None
            return Received(update_id, incoming, origin or {})

        def count() -> None:
            if flood is not None:
                flood.count(incoming.user_id, SERVE)

        items = self._apply_once(update_id, load, durable=True, before_finish=count)
        return Processed(verdict, items if verdict == SERVE else [])

    def _apply_once(
        self,
        update_id: int,
        load: Callable[[], Received | None],
        *,
        durable: bool,
        before_finish: Callable[[], None] | None = None,
    ) -> list[Outgoing]:
        stored: list[Outgoing] = []

        def finish(received: Received, replies: list[Reply]) -> None:
            if before_finish is not None:
                before_finish()
            added = self.outbox.add_done(
                self.inbox, update_id, received.incoming.chat_id, replies, received.origin
            )
            if added is None:
                raise _AppliedElsewhere
            stored[:] = added

        try:
            replies = self._exactly_once(load, finish, durable=durable)
        except _AppliedElsewhere:
            log.info("update %s applied by another instance", update_id)
        else:
            if replies is not None:
                discard_files(replies)  # their bytes are in the outbox now
                crash_point("committed")
                return stored  # just written, none sent yet: no need to read them back
        return self.outbox.pending(update_id)

    def _exactly_once(
        self,
        load: Callable[[], Received | None],
        finish: Callable[[Received, list[Reply]], None],
        *,
        durable: bool = True,
    ) -> list[Reply] | None:
        """`load` the update (None: already applied), answer it and `finish` (record it as
        applied), all in one unit of work; a `DraftConflict` rolls the attempt back and starts
        again, and after `MAX_ATTEMPTS` the user is asked to try again (the update recorded).
        `durable=False` commits without waiting for the disk (see `storage.database`)."""
        for attempt in range(MAX_ATTEMPTS + 1):
            try:
                with self.db.unit_of_work(durable=durable):
                    received = load()
                    if received is None:
                        return None
                    incoming = _without_nul(received.incoming)
                    if attempt < MAX_ATTEMPTS:
                        replies = self._answer(incoming)
                    else:
                        replies = [Reply(texts.BUSY)]
                    try:
                        finish(received, replies)
                    except BaseException:
                        discard_files(replies)
                        raise
            except DraftConflict:
                log.info("draft of user %s changed concurrently; retrying", incoming.user_id)
                continue
            return replies
        raise AssertionError("unreachable: the last attempt answers BUSY")

    @partial(update_log.logged, retried=DraftConflict)
    def _answer(self, incoming: Incoming) -> list[Reply]:
        replies = self._route(incoming)
        # Staff see names, not ids (written only when it changed). Written after the answer:
        # on SQLite the first write takes the database's write lock until the commit, so a
        # slow answer must not come after one.
        if incoming.display_name:
            self.people.remember(incoming.user_id, incoming.display_name, incoming.username)
        return replies

    def _route(self, incoming: Incoming) -> list[Reply]:
        # The rows most updates ask for first (a status note waiting? a draft? for a question,
        # the taught phrasings and the last answer) come in one statement (storage.update_reads).
        read_ahead(self.db, incoming.user_id)
        dropped = self._drop_forgotten_note(incoming)
        replies = self._dispatch(incoming)
        return [Reply(texts.NOTE_PROMPT_DROPPED), *replies] if dropped else replies

    def _drop_forgotten_note(self, incoming: Incoming) -> bool:
        """A status note waits for the staff member's next plain text only: any other command
        or button (a new /visit, say) gives it up, so a later answer is never taken as a note."""
        if incoming.command is not None:
            gives_up = incoming.command != "cancel"  # /cancel says so itself
        else:  # a status button asks for a new note itself
            gives_up = incoming.callback is not None and not incoming.callback.startswith("st:")
        return gives_up and self.desk.cancel_prompt(incoming.user_id)

    def _dispatch(self, incoming: Incoming) -> list[Reply]:
        if incoming.callback is not None:
            prefix = incoming.callback.partition(":")[0]
            on_button = self.buttons.get(prefix)
            return on_button(incoming) if on_button else [Reply(texts.BUTTON_EXPIRED)]
        if incoming.command is not None:
            command = self.commands.get(incoming.command)
            if command is None:
                name = html.escape(incoming.command)
                return [Reply(texts.UNKNOWN_COMMAND.format(command=name))]
            return command.handler(incoming)
        if incoming.text and incoming.media is None:
            note = self.desk.on_note(incoming)
            if note is not None:
                return note
        draft = self.drafts.load(incoming.user_id)
        if draft is not None and incoming.media is not None:
            update_log.note(update_log.DIALOG_STEP)
            return self.dialogs.on_media(incoming, draft)
        if draft is not None:
            event = Event(
                text=incoming.text,
                phone=incoming.contact_phone,
                phone_is_own=incoming.contact_is_own,
            )
            update_log.note(update_log.DIALOG_STEP)
            return self.dialogs.step(incoming, draft, event)
        if incoming.contact_phone is not None:
            return [Reply(texts.CONTACT_WITHOUT_DRAFT, buttons=self.menu_buttons())]
        if incoming.media is not None:
            return [Reply(self.dialogs.media_text(incoming.media), buttons=self.menu_buttons())]
        return self.answer_question(incoming)

    # --- commands -------------------------------------------------------------------------

    def cmd_start(self, incoming: Incoming) -> list[Reply]:
        """The introduction and a menu; `/start <dialog>` (a deep link) opens that dialog."""
        if incoming.args:
            dialog = self.catalog.by_command(incoming.args[0])
            if dialog is not None:
                return self.dialogs.open(incoming, dialog.name)
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            return [self.dialogs.resume_offer(draft)]
        return [Reply(self.qa.intro(), buttons=self.menu_buttons())]

    def cmd_help(self, incoming: Incoming) -> list[Reply]:
        """Help for the dialog in progress, or the general help (and the staff commands)."""
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            return self.dialogs.help(incoming.user_id, draft)
        replies = [Reply(self.qa.help())]
        who = self.access.who(incoming.user_id)
        if who.is_staff:
            parts = [texts.STAFF_HELP_HEADER, texts.STAFF_HELP_CADRE]
            if who.may(Need.REVIEW):
                parts.append(texts.STAFF_HELP_REVIEWER)
            if who.may(Need.ADMIN):
                parts.append(texts.STAFF_HELP_ADMIN)
            replies.append(Reply("\n".join(parts)))
        return replies

    def cmd_cancel(self, incoming: Incoming) -> list[Reply]:
        """/cancel: a pending status note first, else the dialog in progress."""
        if self.desk.cancel_prompt(incoming.user_id):
            return [Reply(texts.NOTE_PROMPT_CANCELLED)]
        return self.dialogs.command(incoming)

    def cmd_status(self, incoming: Incoming) -> list[Reply]:
        lines = self.dialogs.status_lines(incoming.user_id)
        if not lines:
            return [Reply(texts.STATUS_NONE)]
        return [Reply("\n".join([texts.STATUS_HEADER, *lines]))]

    def _open_command(self, name: str, incoming: Incoming) -> list[Reply]:
        return self.dialogs.open(incoming, name)

    # --- questions ------------------------------------------------------------------------

    def answer_question(self, incoming: Incoming) -> list[Reply]:
        if self.report_intent.matches(incoming.text):
            return [Reply(texts.REPORT_OFFER, buttons=[[self.qa.report_button]])]
        complaint = self.feedback.on_complaint(incoming)  # "不对" right after an answer
        if complaint is not None:
            return complaint
        outcome = self.qa.respond(incoming.text)
        if outcome.talk is not None:  # small talk: not a question, never logged as unanswered
            update_log.note(update_log.SMALL_TALK)
            if outcome.talk.menu:
                return [replace(reply, buttons=self.menu_buttons()) for reply in outcome.replies]
            return outcome.replies
        update_log.note(
            update_log.ABSTAINED if outcome.kind is Kind.ABSTAIN else update_log.ANSWERED
        )
        # 👍 / 👎 under an answer; an earlier answer this question rephrases noted as doubtful.
        # Before the unanswered question is written: its last answer is read ahead until then.
        replies = self.feedback.after_question(incoming, outcome)
        if outcome.answer is not None:
            # the question, or those of a message of several questions, no entry answered:
            # listed for staff to teach
            abstained = (
                [outcome.answer] if outcome.kind is Kind.ABSTAIN else outcome.answer.unanswered
            )
            for answer in abstained:
                best = [answer.best_entry_id] if answer.best_entry_id else []
                nearest = [s.entry_id for s in answer.suggestions] or best  # offered to staff
                asked = incoming.text if answer is outcome.answer else answer.question
                self.unanswered.record(
                    asked.strip(), answer.score, answer.best_entry_id, incoming.user_id, nearest
                )
        return replies

    # --- buttons --------------------------------------------------------------------------

    def menu_buttons(self) -> list[list[Button]]:
        return [
            [Button(texts.MENU_ASK, "menu:ask"), Button(texts.MENU_REPORT, "menu:report")],
            [Button(texts.MENU_STATUS, "menu:status"), Button(texts.MENU_CONTACT, "menu:contact")],
        ]

    def example_buttons(self) -> list[list[Button]]:
        return [
            [Button(button_label(entry.question), f"kb:{entry.id}")] for entry in self.kb.featured()
        ]

    def _on_entry_button(self, incoming: Incoming) -> list[Reply]:
        entry = self.kb.get((incoming.callback or "").partition(":")[2])
        if entry is None:
            return [Reply(texts.BUTTON_EXPIRED)]
        return [self.feedback.rated(incoming.user_id, entry, self.qa.entry_reply(entry))]

    def _on_menu_button(self, incoming: Incoming) -> list[Reply]:
        item = (incoming.callback or "").partition(":")[2]
        if item == "ask":
            return [Reply(texts.ASK_PROMPT, buttons=self.example_buttons())]
        if item == "contact":
            return [self.qa.contact_reply()]
        if item == "report":
            return self.dialogs.open(incoming, self.catalog.resident_dialog().name)
        if item.startswith("open:") and item[5:] in self.catalog.dialogs:
            return self.dialogs.open(incoming, item[5:])
        if item == "status":
            return self.cmd_status(incoming)
        return [Reply(texts.BUTTON_EXPIRED)]

    def _on_legacy_visit_button(self, incoming: Incoming) -> list[Reply]:
        """`visit:next` buttons sent before `next:<dialog>` existed still work."""
        if incoming.callback != "visit:next":
            return [Reply(texts.BUTTON_EXPIRED)]
        return self.dialogs.on_next_button(
            Incoming(incoming.user_id, incoming.chat_id, callback="next:visit")
        )


def discard_files(replies: list[Reply]) -> None:
    """Delete the files replies carry (an export in a temp folder of its own)."""
    for reply in replies:
        if reply.document is not None:
            shutil.rmtree(reply.document.parent, ignore_errors=True)


def _without_nul(incoming: Incoming) -> Incoming:
    """NUL characters removed from what the user typed: PostgreSQL refuses them in text."""
    if "\x00" not in incoming.text and not any("\x00" in a for a in incoming.args):
        return incoming
    return replace(
        incoming,
        text=incoming.text.replace("\x00", ""),
        args=tuple(a.replace("\x00", "") for a in incoming.args),
    )
