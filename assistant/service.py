"""The router: one `Incoming` in, the replies out, for Telegram and the console alike.

- A redelivered Telegram update (same update id) is ignored.
- Button taps go by the prefix of their data: `kb:` (an answer), `menu:` (the /start menu),
  `d:` (the current dialog; applied only to the tapping user's own draft with that id),
  `resume:` (continue or restart a draft), `visit:next` (the next household).
- Commands go to `cmd_<name>`; plain text and shared contacts go to the dialog in progress,
  if any, and otherwise to the policy Q&A. A question asked mid-dialog is answered, then the
  current step is asked again.
- Dialog state is stored after every accepted step, with a version check, so two bot
  instances or a restart continue the same dialog.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable

from assistant import texts
from assistant.policy_qa import MAX_QUESTION_CHARS, Kind, PolicyQA, button_label
from assistant.resident_rights import ResidentRights
from assistant.staff_desk import StaffDesk
from common.messages import Button, Incoming, Reply
from dialogs.engine import DialogEngine, DialogState, Event, Result, Turn
from dialogs.spec import Catalog, Dialog, load_catalog
from dialogs.triage import triage
from knowledge import KnowledgeBase
from storage.database import Database
from storage.models import to_local
from storage.repository import (
    DraftStore,
    NewSubmission,
    StaffDirectory,
    StaleDraft,
    StoredDraft,
    SubmissionStore,
    UnansweredLog,
    UpdateLog,
)

log = logging.getLogger(__name__)

# The commands shown in Telegram's menu, in order.
COMMANDS: list[tuple[str, str]] = [
    ("start", "主菜单"),
    ("report", "申报困难"),
    ("status", "查询申报进度"),
    ("help", "使用帮助"),
    ("back", "填写中：返回上一步"),
    ("skip", "填写中：跳过选填项"),
    ("cancel", "填写中：取消"),
    ("mydata", "查看我的信息"),
    ("delete", "删除我的信息"),
    ("visit", "干部：记录入户走访"),
    ("pending", "工作人员：待处理申报"),
]
STAFF_ROLES = {"admin", "reviewer", "cadre"}
DIALOG_COMMANDS = {"back", "skip", "cancel"}
_QUESTION_HINT = re.compile(r"[?？]|什么|怎么|多少|哪些|哪个|为什么|是不是|能不能|吗|呢")
MAX_ATTEMPTS = 3


class DraftConflict(Exception):
    """Another instance changed the draft between our read and our write."""


class Assistant:
    def __init__(
        self,
        kb: KnowledgeBase,
        db: Database,
        catalog: Catalog | None = None,
        admin_ids: frozenset[int] = frozenset(),
    ):
        self.kb = kb
        self.db = db
        self.qa = PolicyQA(kb)
        self.engine = DialogEngine(catalog or load_catalog())
        self.unanswered = UnansweredLog(db)
        self.drafts = DraftStore(db)
        self.submissions = SubmissionStore(db)
        self.updates = UpdateLog(db)
        self.staff = StaffDirectory(db, admin_ids)
        self.desk = StaffDesk(kb, db, self.engine.catalog, self.staff)
        self.rights = ResidentRights(db, self.engine.catalog)

    def handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.update_id is not None and not self.updates.first_time(incoming.update_id):
            log.info("update %s already handled; ignored", incoming.update_id)
            return []
        for _ in range(MAX_ATTEMPTS):
            try:
                return self._route(incoming)
            except DraftConflict:
                log.info("draft of user %s changed concurrently; retrying", incoming.user_id)
        return [Reply(texts.BUSY)]

    def _route(self, incoming: Incoming) -> list[Reply]:
        if incoming.callback is not None:
            return self._on_button(incoming)
        if incoming.command is not None:
            name = f"cmd_{incoming.command}"
            for owner in (self, self.desk, self.rights):
                handler: Callable[[Incoming], list[Reply]] | None = getattr(owner, name, None)
                if handler is not None:
                    return handler(incoming)
            return [Reply(texts.UNKNOWN_COMMAND.format(command=html.escape(incoming.command)))]
        if incoming.text and self.desk.pending_prompt(incoming.user_id):
            return self.desk.on_note(incoming)
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            return self._continue(
                incoming, draft, Event(text=incoming.text, phone=incoming.contact_phone)
            )
        if incoming.contact_phone is not None:
            return [Reply(texts.CONTACT_WITHOUT_DRAFT)]
        return self.answer_question(incoming)

    # --- commands -------------------------------------------------------------------------

    def cmd_start(self, incoming: Incoming) -> list[Reply]:
        """The introduction and a menu; `/start report` (deep link) opens the self-report."""
        if incoming.args[:1] == ("report",):
            return self._open_dialog(incoming, "report")
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            return [self._resume_offer(draft)]
        return [Reply(self.qa.intro(), buttons=self.menu_buttons())]

    def cmd_help(self, incoming: Incoming) -> list[Reply]:
        draft = self.drafts.load(incoming.user_id)
        if draft is None:
            replies = [Reply(self.qa.help())]
            if self.staff.get(incoming.user_id).is_staff:
                replies.append(Reply(texts.STAFF_HELP))
            return replies
        state = DialogState.from_json(draft.state)
        dialog = self.engine.dialog_of(state)
        step_help = ""
        if state.phase == "asking" and state.step:
            step = dialog.step(state.step)
            step_help = step.help or (f"例如：{step.example}" if step.example else "")
        text = texts.DIALOG_HELP.format(title=dialog.title, step_help=step_help)
        return [Reply(html.escape(text)), self.engine.prompt(state)]

    def cmd_report(self, incoming: Incoming) -> list[Reply]:
        return self._open_dialog(incoming, "report")

    def cmd_visit(self, incoming: Incoming) -> list[Reply]:
        return self._open_dialog(incoming, "visit")

    def cmd_back(self, incoming: Incoming) -> list[Reply]:
        return self._dialog_command(incoming, "back")

    def cmd_skip(self, incoming: Incoming) -> list[Reply]:
        return self._dialog_command(incoming, "skip")

    def cmd_cancel(self, incoming: Incoming) -> list[Reply]:
        if self.desk.cancel_prompt(incoming.user_id):
            return [Reply(texts.STAFF_PROMPT_CANCELLED)]
        return self._dialog_command(incoming, "cancel")

    def cmd_status(self, incoming: Incoming) -> list[Reply]:
        rows = self.submissions.of_user(incoming.user_id)
        if not rows:
            return [Reply(texts.STATUS_NONE)]
        lines = [texts.STATUS_HEADER]
        for row in rows[:20]:
            dialog = self.engine.catalog.dialogs.get(row.dialog)
            lines.append(
                texts.STATUS_LINE.format(
                    reference=html.escape(row.reference or ""),
                    title=html.escape(dialog.title if dialog else row.dialog),
                    created=to_local(row.created_at).strftime("%Y-%m-%d"),
                    status=html.escape(row.status),
                    updated=to_local(row.updated_at).strftime("%Y-%m-%d %H:%M"),
                )
            )
        return [Reply("\n".join(lines))]

    def menu_buttons(self) -> list[list[Button]]:
        return [
            [Button(texts.MENU_ASK, "menu:ask"), Button(texts.MENU_REPORT, "menu:report")],
            [Button(texts.MENU_STATUS, "menu:status"), Button(texts.MENU_CONTACT, "menu:contact")],
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

    # --- dialogs --------------------------------------------------------------------------

    def _may_open(self, dialog: Dialog, user_id: int) -> bool:
        return dialog.audience == "anyone" or self.staff.role_of(user_id) in STAFF_ROLES

    def _open_dialog(
        self, incoming: Incoming, name: str, prefill: dict | None = None
    ) -> list[Reply]:
        dialog = self.engine.catalog.dialogs[name]
        if not self._may_open(dialog, incoming.user_id):
            return [Reply(texts.STAFF_ONLY.format(command=html.escape(dialog.command)))]
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            return [self._resume_offer(draft, switch_to=None if draft.dialog == name else dialog)]
        return self._start_dialog(incoming.user_id, name, prefill)

    def _start_dialog(self, user_id: int, name: str, prefill: dict | None = None) -> list[Reply]:
        turn = self.engine.start(name, prefill)
        self.drafts.replace(user_id, turn.state.draft_id, name, turn.state.to_json())
        return turn.replies

    def _resume_offer(self, draft: StoredDraft, switch_to: Dialog | None = None) -> Reply:
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

    def _dialog_command(self, incoming: Incoming, command: str) -> list[Reply]:
        draft = self.drafts.load(incoming.user_id)
        if draft is None:
            return [Reply(texts.NO_DRAFT)]
        return self._continue(incoming, draft, Event(command=command))

    def _continue(self, incoming: Incoming, draft: StoredDraft, event: Event) -> list[Reply]:
        state = DialogState.from_json(draft.state)
        dialog = self.engine.dialog_of(state)
        if not self._may_open(dialog, incoming.user_id):  # a cadre removed from staff meanwhile
            return [Reply(texts.STAFF_ONLY.format(command=html.escape(dialog.command)))]
        turn = self.engine.handle(DialogState.from_json(draft.state), event)
        policy = self._policy_answer(state, turn, event.text)
        if policy is not None and (
            turn.result is Result.INVALID or self._step_kind(state) != "longtext"
        ):
            # A question instead of an answer: answer it, then ask the step again.
            return [policy, self.engine.prompt(state)]
        replies = self._apply(incoming.user_id, draft, turn)
        # A description that ends in a question is kept, and the question answered too.
        return [policy, *replies] if policy is not None else replies

    def _policy_answer(self, state: DialogState, turn: Turn, text: str | None) -> Reply | None:
        """The knowledge base's answer when the input is a question it answers confidently:
        input the step rejected, or a question typed where free text is expected."""
        if not text or len(text) > MAX_QUESTION_CHARS or not _QUESTION_HINT.search(text):
            return None
        free_text = turn.result is Result.CONTINUE and self._step_kind(state) in {
            "text",
            "longtext",
            "village",
        }
        if turn.result is not Result.INVALID and not free_text:
            return None
        answer = self.kb.ask(text)
        if answer.entry is None:
            return None
        reply = self.qa.entry_reply(answer.entry)
        reply.buttons = []  # follow-ups would lead away from the dialog
        reply.text += "\n\n" + texts.MID_DIALOG_ANSWER
        return reply

    def _step_kind(self, state: DialogState) -> str | None:
        if state.phase != "asking" or state.step is None:
            return None
        return self.engine.dialog_of(state).step(state.step).kind

    def _apply(self, user_id: int, draft: StoredDraft, turn: Turn) -> list[Reply]:
        """Store what the engine decided, and return what the user sees."""
        if turn.result is Result.INVALID:
            return turn.replies
        if turn.result is Result.CONTINUE:
            if self.drafts.save(user_id, turn.state.to_json(), draft.version) is None:
                raise DraftConflict
            return turn.replies
        if turn.result is Result.DECLINED:
            self.drafts.delete(user_id)
            command = self.engine.dialog_of(turn.state).command
            return [Reply(texts.DIALOG_DECLINED.format(command=command), remove_keyboard=True)]
        if turn.result is Result.CANCELLED:
            self.drafts.delete(user_id)
            return [Reply(texts.DIALOG_CANCELLED, remove_keyboard=True)]
        try:
            return self._submit(user_id, turn.state, draft.version)
        except StaleDraft as exc:
            raise DraftConflict from exc

    def _submit(self, user_id: int, state: DialogState, version: int) -> list[Reply]:
        dialog = self.engine.dialog_of(state)
        answers = self.engine.final_answers(state)
        params = self.kb.parameters
        line = params.monitoring_line().yuan_per_capita_per_year
        result = triage(answers, self.engine.catalog.triage, line, params.current_year)
        township = answers.get("township")
        if township == "其他":
            township = answers.get("township_other")
        reference, _ = self.submissions.submit(
            NewSubmission(
                dialog=dialog.name,
                draft_id=state.draft_id,
                submitted_by=user_id,
                answers=answers,
                township=township,
                village=answers.get("village"),
                contact_name=answers.get("contact_name") or answers.get("head_name"),
                phone=answers.get("phone"),
                household_size=answers.get("household_size"),
                annual_income=answers.get("annual_income"),
                per_capita_income=result.per_capita_income,
                priority=result.level,
                priority_reasons=list(result.reasons),
            ),
            draft_version=version,
        )
        reply = Reply(
            dialog.submitted.format(reference=html.escape(reference)), remove_keyboard=True
        )
        replies = [reply]
        if dialog.name == "visit":
            replies.append(Reply("继续走访？", buttons=[[Button(texts.VISIT_NEXT, "visit:next")]]))
        return replies

    # --- buttons --------------------------------------------------------------------------

    def _on_button(self, incoming: Incoming) -> list[Reply]:
        data = incoming.callback or ""
        prefix, _, rest = data.partition(":")
        if prefix == "kb":
            entry = self.kb.get(rest)
            if entry is not None:
                return [self.qa.entry_reply(entry)]
        elif prefix == "menu":
            return self._on_menu(incoming, rest)
        elif prefix == "d":
            return self._on_dialog_button(incoming, rest)
        elif prefix == "resume":
            return self._on_resume(incoming, rest)
        elif prefix in {"vw", "pg", "st"}:
            return self.desk.on_button(incoming, prefix, rest)
        elif prefix == "del":
            return self.rights.on_button(incoming, rest)
        elif data == "visit:next":
            latest = next(
                (s for s in self.submissions.of_user(incoming.user_id) if s.dialog == "visit"), None
            )
            prefill = {}
            if latest is not None:
                prefill = {
                    k: latest.answers[k]
                    for k in ("township", "township_other", "village")
                    if k in latest.answers
                }
            return self._open_dialog(incoming, "visit", prefill=prefill)
        return [Reply(texts.UNKNOWN_BUTTON)]

    def _on_menu(self, incoming: Incoming, item: str) -> list[Reply]:
        if item == "ask":
            return [Reply(texts.ASK_PROMPT, buttons=self.example_buttons())]
        if item == "contact":
            return [Reply(self.qa.contact_line())]
        if item == "report":
            return self._open_dialog(incoming, "report")
        if item == "status":
            return self.cmd_status(incoming)
        return [Reply(texts.UNKNOWN_BUTTON)]

    def _on_dialog_button(self, incoming: Incoming, rest: str) -> list[Reply]:
        draft_id, _, action_arg = rest.partition(":")
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
            return [Reply(texts.UNKNOWN_BUTTON)]
        return self._continue(incoming, draft, Event(action=action, arg=arg or None))

    def _on_resume(self, incoming: Incoming, rest: str) -> list[Reply]:
        action, _, tail = rest.partition(":")
        draft_id, _, target = tail.partition(":")
        draft = self.drafts.load(incoming.user_id)
        if draft is None or draft.draft_id != draft_id:
            return [Reply(texts.UNKNOWN_BUTTON)]
        if action == "go":
            return [self.engine.prompt(DialogState.from_json(draft.state))]
        if action == "new":
            if not self._may_open(self.engine.catalog.dialogs[draft.dialog], incoming.user_id):
                return [Reply(texts.STAFF_ONLY.format(command=html.escape(draft.dialog)))]
            return self._start_dialog(incoming.user_id, draft.dialog)
        if action == "switch" and target in self.engine.catalog.dialogs:
            dialog = self.engine.catalog.dialogs[target]
            if not self._may_open(dialog, incoming.user_id):
                return [Reply(texts.STAFF_ONLY.format(command=html.escape(dialog.command)))]
            return self._start_dialog(incoming.user_id, target)
        return [Reply(texts.UNKNOWN_BUTTON)]

    def example_buttons(self) -> list[list[Button]]:
        return [
            [Button(button_label(entry.question), f"kb:{entry.id}")] for entry in self.kb.featured()
        ]
