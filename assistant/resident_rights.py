"""A resident's rights over their data: /mydata shows what is stored, /delete removes it.

The rule: the draft and every report still 待核实 (not yet taken up by staff) are deleted at
once; a report already under review (核实中 or decided) is kept, and a deletion request is
recorded on it for staff to handle, because cadres may already be acting on it. Photos go with
the record they were sent with (a deleted report's by the database's cascade, the draft's here).
Which records
are a resident's own is declared per dialog (`subject: self`); a cadre's visit records are
about another household and are not the cadre's data.
"""

from __future__ import annotations

import html
from typing import Any

from assistant import texts
from common.messages import Button, Incoming, Reply
from dialogs.engine import DialogState, format_answer
from dialogs.render import answers_with_estimates
from dialogs.spec import Catalog
from storage.attachments import Attachments
from storage.database import Database
from storage.learning import AnswerLog
from storage.models import to_local
from storage.repository import DraftStore, People, ResidentData, UnansweredLog


class ResidentRights:
    def __init__(self, db: Database, catalog: Catalog, people: People):
        self.catalog = catalog
        self.people = people
        self.data = ResidentData(db, catalog.about_submitter())
        self.drafts = DraftStore(db)
        self.unanswered = UnansweredLog(db)
        self.attachments = Attachments(db)
        self.answers = AnswerLog(db)  # questions answered (for 👍 / 👎) and doubtful ones

    def _answers(self, dialog_name: str, answers: dict[str, Any]) -> list[str]:
        dialog = self.catalog.dialogs.get(dialog_name)
        if dialog is None:
            return []
        return [
            texts.MYDATA_ANSWER.format(
                label=html.escape(step.label),
                value=html.escape(format_answer(step, answers)),
            )
            for step in dialog.steps
            if step.key in answers and step.kind != "consent"
        ]

    def cmd_mydata(self, incoming: Incoming) -> list[Reply]:
        """Everything stored about the caller: draft, own reports, unanswered questions."""
        lines = [texts.MYDATA_HEADER, texts.MYDATA_USER_ID.format(user_id=incoming.user_id)]
        name = self.people.names([incoming.user_id]).get(incoming.user_id)
        if name is not None:
            lines.append(texts.MYDATA_NAME.format(name=html.escape(name)))
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            state = DialogState.from_json(draft.state)
            dialog = self.catalog.dialogs.get(draft.dialog)
            title = dialog.title if dialog is not None else draft.dialog
            lines.append(texts.MYDATA_DRAFT.format(title=html.escape(title)))
            lines.extend(self._answers(draft.dialog, answers_with_estimates(state)))
            photos = self.attachments.count_in_draft(incoming.user_id, draft.draft_id)
            if photos:
                lines.append(texts.MYDATA_PHOTOS.format(count=photos))
        reports = self.data.reports(incoming.user_id)
        photos_of = self.attachments.count_of([report.id for report in reports])
        for report in reports:
            lines.append(
                texts.MYDATA_REPORT.format(
                    reference=html.escape(report.reference or ""),
                    created=to_local(report.created_at),
                    status=html.escape(report.status),
                )
            )
            lines.extend(self._answers(report.dialog, report.answers))
            if photos_of.get(report.id):
                lines.append(texts.MYDATA_PHOTOS.format(count=photos_of[report.id]))
        questions = self.unanswered.of_user(incoming.user_id)
        unanswered = set(questions)
        questions += [q for q in self.answers.questions_of(incoming.user_id) if q not in unanswered]
        if questions:
            lines.append(texts.MYDATA_QUESTIONS)
            lines.extend(f"  {html.escape(q[:100])}" for q in questions[-20:])
        if draft is None and not reports and not questions:
            lines.append(texts.MYDATA_NOTHING)
        else:
            lines.append(texts.MYDATA_DELETE_HINT)
        return [Reply("\n".join(lines))]

    def cmd_delete(self, incoming: Incoming) -> list[Reply]:
        """The deletion rule, and a confirmation."""
        buttons = [[Button(texts.DELETE_YES, "del:yes"), Button(texts.DELETE_NO, "del:no")]]
        return [Reply(texts.DELETE_RULE + "\n\n" + texts.DELETE_CONFIRM, buttons=buttons)]

    def on_button(self, incoming: Incoming) -> list[Reply]:
        """The answer to the confirmation: delete by the rule, and say what happened."""
        if (incoming.callback or "") != "del:yes":
            return [Reply(texts.DELETE_KEPT, edit=True)]
        had_draft, deleted, requested = self.data.delete(incoming.user_id)
        self.attachments.drop_unsubmitted(incoming.user_id)  # the draft's photos
        self.answers.forget_user(incoming.user_id)
        self.people.forget(incoming.user_id)
        lines = []
        if had_draft:
            lines.append(texts.DELETED_DRAFT)
        if deleted:
            lines.append(texts.DELETED_REPORTS.format(references=html.escape("、".join(deleted))))
        if requested:
            references = html.escape("、".join(requested))
            lines.append(texts.DELETION_REQUESTED.format(references=references))
        if not lines:
            lines.append(texts.NOTHING_TO_DELETE)
        return [Reply("\n".join(lines), edit=True)]
