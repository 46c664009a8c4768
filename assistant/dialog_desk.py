"""The guided dialogs (resident self-report, cadre visit …) between the user and the database.

- `open` starts a dialog by name, or offers to resume a draft in progress; staff-only dialogs
  are refused to everyone else.
- `step` passes one input (text, a shared contact, a command, a button) to the engine, then
  stores what it decided: the new draft state (with a version check, so two bot instances or a
  restart continue the same dialog), nothing on a rejected answer, a deleted draft on
  cancel/decline, or a submission — whose columns, triage and follow-up come from the YAML.
- A question typed instead of an answer is answered from the knowledge base, then the current
  step is asked again.
- A message without text (`on_media`) never moves the dialog on: a photo at a step that takes
  photos (`photos:` in the YAML, the report's 情况说明) is kept for staff, up to that many
  (`storage.attachments`: with the draft, then with the submission made from it; dropped with
  a draft that is cancelled, declined or started anew); anything else is answered with what
  the bot can read, and the step asked again.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from typing import Any

from assistant import texts
from assistant.policy_qa import MAX_QUESTION_CHARS, PolicyQA
from common.messages import Button, Incoming, Media, Reply
from dialogs import texts as dialog_texts
from dialogs.engine import DialogEngine, DialogState, Event, Result, Turn
from dialogs.spec import Catalog, Dialog, Step
from dialogs.triage import triage
from knowledge import KnowledgeBase
from knowledge.base import Entry
from review.access import StaffAccess
from storage.attachments import Attachments
from storage.database import Database
from storage.models import to_local
from storage.repository import DraftStore, NewSubmission, StaleDraft, StoredDraft, SubmissionStore

log = logging.getLogger(__name__)

_QUESTION_HINT = re.compile(r"[?？]|什么|怎么|多少|哪些|哪个|为什么|是不是|能不能|吗|呢")
FREE_TEXT_KINDS = {"text", "longtext", "village"}


def _cannot(media: str) -> str:
    """What the bot cannot do with this kind of message (voice: 暂时听不了语音)."""
    return texts.MEDIA_CANNOT.get(media, texts.MEDIA_CANNOT[Media.OTHER])


def _carrying_on(reply: Reply) -> Reply:
    """The question asked again after a policy answer, saying that the form goes on."""
    reply.text = texts.MID_DIALOG_ANSWER + "\n" + reply.text
    return reply


class DraftConflict(Exception):
    """Another instance changed the draft between our read and our write."""


class DialogDesk:
    def __init__(
        self,
        kb: KnowledgeBase,
        db: Database,
        catalog: Catalog,
        access: StaffAccess,
        qa: PolicyQA,
        rate: Callable[[int, Entry, Reply, str], Reply] | None = None,
    ):
        self.kb = kb
        self.qa = qa
        self.access = access
        self.catalog = catalog
        self.drafts = DraftStore(db)
        self.submissions = SubmissionStore(db)
        self.attachments = Attachments(db)
        self.engine = DialogEngine(catalog, villages_of=self.submissions.recorded_villages)
        # Puts 👍 / 👎 under an answer given mid-dialog (the answer feedback's `rated`).
        self.rate = rate

    # --- opening and resuming -------------------------------------------------------------

    def may_open(self, dialog: Dialog, user_id: int) -> bool:
        return dialog.audience == "anyone" or self.access.who(user_id).is_staff

    def open(
        self, incoming: Incoming, name: str, prefill: dict[str, Any] | None = None
    ) -> list[Reply]:
        """Start the dialog `name`, or offer to resume (or give up) the draft in progress."""
        dialog = self.catalog.dialogs[name]
        if not self.may_open(dialog, incoming.user_id):
            return [Reply(texts.STAFF_ONLY)]
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            return [self.resume_offer(draft, switch_to=None if draft.dialog == name else dialog)]
        return self._start(incoming.user_id, name, prefill)

    def _start(self, user_id: int, name: str, prefill: dict[str, Any] | None = None) -> list[Reply]:
        turn = self.engine.start(name, prefill)
        self.attachments.drop_unsubmitted(user_id)  # the photos of a draft given up for this one
        self.drafts.replace(user_id, turn.state.draft_id, name, turn.state.to_json())
        return turn.replies

    def resume_offer(self, draft: StoredDraft, switch_to: Dialog | None = None) -> Reply:
        state = DialogState.from_json(draft.state)
        dialog = self.engine.dialog_of(state)
        count = len([k for k in state.answers if k not in state.prefilled])
        buttons = [[Button(texts.RESUME_CONTINUE, f"resume:go:{draft.draft_id}")]]
        if switch_to is None:
            buttons.append([Button(texts.RESUME_RESTART, f"resume:new:{draft.draft_id}")])
        else:
            label = texts.RESUME_SWITCH.format(title=switch_to.title)
            buttons.append([Button(label, f"resume:switch:{draft.draft_id}:{switch_to.name}")])
        text = texts.RESUME_OFFER.format(title=html.escape(dialog.title), count=count)
        return Reply(text, buttons=buttons)

    def help(self, user_id: int, draft: StoredDraft) -> list[Reply]:
        """/help inside a dialog: the current step's help, the commands, the step again."""
        state, changed = self._fitted(user_id, draft)
        dialog = self.engine.dialog_of(state)
        step_help = ""
        step = self.engine.current_step(state)
        if step is not None:
            example = texts.STEP_EXAMPLE.format(example=step.example) if step.example else ""
            step_help = step.help or example
        text = texts.DIALOG_HELP.format(title=dialog.title, step_help=step_help)
        changed_note = [Reply(dialog_texts.DIALOG_CHANGED)] if changed else []
        return [Reply(html.escape(text)), *changed_note, self.engine.prompt(state)]

    def _fitted(self, user_id: int, draft: StoredDraft) -> tuple[DialogState, bool]:
        """The draft's state fitted to the dialog's YAML as it is now, stored when it had to
        change (so the next answer goes to the step now shown); and whether it changed."""
        state, changed = self.engine.repaired(DialogState.from_json(draft.state))
        if changed and self.drafts.save(user_id, state.to_json(), draft.version) is None:
            raise DraftConflict
        return state, changed

    # --- input ----------------------------------------------------------------------------

    def command(self, incoming: Incoming) -> list[Reply]:
        """/back, /skip or /cancel for the draft in progress."""
        draft = self.drafts.load(incoming.user_id)
        if draft is None:
            return [Reply(texts.NO_DRAFT)]
        return self.step(incoming, draft, Event(command=incoming.command))

    def step(self, incoming: Incoming, draft: StoredDraft, event: Event) -> list[Reply]:
        """One input for the draft: the engine decides, then its decision is stored."""
        state = DialogState.from_json(draft.state)
        dialog = self.engine.dialog_of(state)
        if not self.may_open(dialog, incoming.user_id):  # a cadre removed from staff meanwhile
            return [Reply(texts.STAFF_ONLY)]
        turn = self.engine.handle(state, event)  # the engine never changes `state`
        if self.engine.repaired(state)[1]:  # the YAML changed under the draft: says so first
            return self._apply(incoming.user_id, draft, turn)
        policy = self._policy_answer(incoming.user_id, state, turn, event.text)
        if policy is not None and (
            turn.result is Result.INVALID or self._step_kind(state) != "longtext"
        ):
            # A question instead of an answer: answer it, then ask the step again.
            return [policy, _carrying_on(self.engine.prompt(state))]
        replies = self._apply(incoming.user_id, draft, turn)
        # A description that ends in a question is kept, and the question answered too.
        if policy is None or not replies:
            return replies
        return [policy, _carrying_on(replies[0]), *replies[1:]]

    def _policy_answer(
        self, user_id: int, state: DialogState, turn: Turn, text: str | None
    ) -> Reply | None:
        """The knowledge base's answer when the input is a question it answers confidently:
        input the step rejected, or a question typed where free text is expected."""
        if not text or len(text) > MAX_QUESTION_CHARS or not _QUESTION_HINT.search(text):
            return None
        free_text = turn.result is Result.CONTINUE and self._step_kind(state) in FREE_TEXT_KINDS
        if turn.result is not Result.INVALID and not free_text:
            return None
        answer = self.kb.ask(text)
        if answer.entry is None:
            return None
        reply = self.qa.entry_reply(answer.entry)
        reply.buttons = []  # follow-ups would lead away from the dialog; a vote does not
        if self.rate is not None:
            reply = self.rate(user_id, answer.entry, reply, text)
        return reply

    def _step_kind(self, state: DialogState) -> str | None:
        step = self.engine.current_step(state)
        return step.kind if step is not None else None

    def _apply(self, user_id: int, draft: StoredDraft, turn: Turn) -> list[Reply]:
        """Store what the engine decided, and return what the user sees."""
        if turn.result is Result.INVALID:
            return turn.replies
        if turn.result is Result.CONTINUE:
            if self.drafts.save(user_id, turn.state.to_json(), draft.version) is None:
                raise DraftConflict
            return turn.replies
        if turn.result is Result.DECLINED:
            self._discard(user_id)
            command = self.engine.dialog_of(turn.state).command
            return [Reply(texts.DIALOG_DECLINED.format(command=command), remove_keyboard=True)]
        if turn.result is Result.CANCELLED:
            self._discard(user_id)
            return [Reply(texts.DIALOG_CANCELLED, remove_keyboard=True)]
        try:
            return self._submit(user_id, turn.state, draft.version)
        except StaleDraft as exc:
            raise DraftConflict from exc

    def _discard(self, user_id: int) -> None:
        """The draft given up, with the photos kept for it."""
        self.drafts.delete(user_id)
        self.attachments.drop_unsubmitted(user_id)

    def _submit(self, user_id: int, state: DialogState, version: int) -> list[Reply]:
        dialog = self.engine.dialog_of(state)
        answers = self.engine.final_answers(state)
        params = self.kb.parameters
        line = params.monitoring_line().yuan_per_capita_per_year
        result = triage(answers, self.catalog.triage, line, params.current_year, dialog.name)
        reference, _ = self.submissions.submit(
            NewSubmission(
                dialog=dialog.name,
                draft_id=state.draft_id,
                submitted_by=user_id,
                answers=answers,
                **dialog.columns(answers),
                per_capita_income=result.per_capita_income,
                priority=result.level,
                priority_reasons=list(result.reasons),
            ),
            draft_version=version,
        )
        text = dialog.submitted.format(reference=html.escape(reference))
        photos = self.attachments.attach_to_submission(user_id, state.draft_id)
        if photos:
            text += "\n" + texts.PHOTOS_SUBMITTED.format(count=photos)
        replies = [Reply(text, remove_keyboard=True)]
        follow_up = dialog.after_submit
        if follow_up is not None:
            button = Button(follow_up.button, f"next:{dialog.name}")
            replies.append(Reply(html.escape(follow_up.prompt), buttons=[[button]]))
        return replies

    # --- messages without text ---------------------------------------------------------------

    def on_media(self, incoming: Incoming, draft: StoredDraft) -> list[Reply]:
        """A voice message, sticker, photo … during the dialog. A photo at a step that takes
        photos is kept for staff (its caption, if any, is the step's answer); anything else
        gets what the bot can read, and the step (or summary) is asked again, unchanged."""
        state = DialogState.from_json(draft.state)
        if not self.may_open(self.engine.dialog_of(state), incoming.user_id):
            return [Reply(texts.STAFF_ONLY)]
        step = self.engine.current_step(state)
        fits = not self.engine.repaired(state)[1]  # else the step is shown anew first
        if (
            fits
            and incoming.media == Media.PHOTO
            and incoming.file_id
            and step is not None
            and step.photos
        ):
            return self._keep_photo(incoming, draft, state, step)
        state, changed = self._fitted(incoming.user_id, draft)
        changed_note = [Reply(dialog_texts.DIALOG_CHANGED)] if changed else []
        text = texts.MEDIA_IN_DIALOG.format(cannot=_cannot(incoming.media or Media.OTHER))
        if incoming.media == Media.PHOTO:
            text += self._photo_hint(self.engine.dialog_of(state))
        return [Reply(text), *changed_note, self.engine.prompt(state)]

    def media_text(self, media: str) -> str:
        """What the bot says to a message without text outside a dialog (the caller adds the
        menu): what it cannot do, what it can, and for a photo where one may be sent."""
        text = texts.MEDIA_REPLY.format(cannot=_cannot(media))
        if media == Media.PHOTO:
            text += self._photo_hint(self.catalog.resident_dialog())
        return text

    def _photo_hint(self, dialog: Dialog) -> str:
        """Where this dialog takes photos ("" when it takes none)."""
        step = next((s for s in dialog.steps if s.photos), None)
        if step is None:
            return ""
        return texts.PHOTO_WHERE.format(
            title=html.escape(dialog.title), label=html.escape(step.label), limit=step.photos
        )

    def _keep_photo(
        self, incoming: Incoming, draft: StoredDraft, state: DialogState, step: Step
    ) -> list[Reply]:
        """Keep the photo with the draft (up to the step's limit); a caption answers the step."""
        user_id = incoming.user_id
        count = self.attachments.count_in_draft(user_id, state.draft_id)
        if count >= step.photos:
            kept, more = Reply(texts.PHOTOS_FULL.format(limit=step.photos)), ""
        else:
            # The draft's version moves with its photos: another instance cancelling the draft
            # or keeping a photo meanwhile makes this attempt start again on fresh state.
            version = self.drafts.save(user_id, draft.state, draft.version)
            if version is None:
                raise DraftConflict
            draft = StoredDraft(draft.draft_id, draft.dialog, draft.state, version)
            added = self.attachments.add(
                user_id,
                state.draft_id,
                step.key,
                str(incoming.file_id),
                incoming.file_unique_id or str(incoming.file_id),
                incoming.file_size,
            )
            title = html.escape(self.engine.dialog_of(state).title)
            kept = Reply(
                texts.PHOTO_KEPT.format(count=count + 1, title=title)
                if added
                else texts.PHOTO_AGAIN
            )
            more = texts.PHOTO_MORE_OPTIONAL if step.optional else texts.PHOTO_MORE
        caption = incoming.text.strip()
        if caption:  # the caption is the step's answer, as if typed
            return [kept, *self.step(incoming, draft, Event(text=caption))]
        kept.text += more.format(limit=step.photos)
        return [kept]

    # --- buttons --------------------------------------------------------------------------

    def on_dialog_button(self, incoming: Incoming) -> list[Reply]:
        """`d:<draft id>:<action>[:<arg>]`, applied only to the tapping user's own draft."""
        draft_id, _, action_arg = (incoming.callback or "").partition(":")[2].partition(":")
        action, _, arg = action_arg.partition(":")
        draft = self.drafts.load(incoming.user_id)
        if draft is None or draft.draft_id != draft_id:
            reference = (
                self.submissions.reference_of_draft(draft_id, incoming.user_id)
                if action == "submit"
                else None
            )
            if reference is not None:
                return [Reply(texts.ALREADY_SUBMITTED.format(reference=html.escape(reference)))]
            return [Reply(texts.BUTTON_EXPIRED)]
        return self.step(incoming, draft, Event(action=action, arg=arg or None))

    def on_resume_button(self, incoming: Incoming) -> list[Reply]:
        """`resume:go|new:<draft id>` or `resume:switch:<draft id>:<dialog>`."""
        action, _, tail = (incoming.callback or "").partition(":")[2].partition(":")
        draft_id, _, target = tail.partition(":")
        draft = self.drafts.load(incoming.user_id)
        if draft is None or draft.draft_id != draft_id:
            return [Reply(texts.BUTTON_EXPIRED)]
        if action == "go":
            state, changed = self._fitted(incoming.user_id, draft)
            changed_note = [Reply(dialog_texts.DIALOG_CHANGED)] if changed else []
            return [*changed_note, self.engine.prompt(state)]
        name = draft.dialog if action == "new" else target if action == "switch" else None
        dialog = self.catalog.dialogs.get(name) if name else None
        if dialog is None:
            return [Reply(texts.BUTTON_EXPIRED)]
        if not self.may_open(dialog, incoming.user_id):
            return [Reply(texts.STAFF_ONLY)]
        return self._start(incoming.user_id, dialog.name)

    def on_next_button(self, incoming: Incoming) -> list[Reply]:
        """`next:<dialog>` after a submission: the same dialog again, keeping the answers its
        `after_submit.keep` names from the user's latest submission of it."""
        name = (incoming.callback or "").partition(":")[2]
        dialog = self.catalog.dialogs.get(name)
        if dialog is None or dialog.after_submit is None:
            return [Reply(texts.BUTTON_EXPIRED)]
        own = self.submissions.of_user(incoming.user_id)
        latest = next((s for s in own if s.dialog == name), None)
        keep = dialog.after_submit.keep
        prefill = {k: latest.answers[k] for k in keep if k in latest.answers} if latest else {}
        return self.open(incoming, name, prefill=prefill)

    # --- status ---------------------------------------------------------------------------

    def status_lines(self, user_id: int) -> list[str]:
        """The user's own submissions, newest first, as /status shows them."""
        lines = []
        for row in self.submissions.of_user(user_id)[:20]:
            dialog = self.catalog.dialogs.get(row.dialog)
            lines.append(
                texts.STATUS_LINE.format(
                    reference=html.escape(row.reference or ""),
                    title=html.escape(dialog.title if dialog else row.dialog),
                    created=f"{to_local(row.created_at):%Y-%m-%d}",
                    status=html.escape(row.status),
                    updated=f"{to_local(row.updated_at):%Y-%m-%d %H:%M}",
                )
            )
        return lines
