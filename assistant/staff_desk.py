"""Staff commands: /staff, /pending, /view, /assign, /export, /stats, /audit, and the
buttons on a record (view, page, status — which asks for the required note next — and
photos, sent again by the messenger's file id). /unanswered is the teaching desk's.

Every command and button goes through one guard (`requires`) that resolves the caller's role
and scope first. Non-staff get a polite refusal that reveals nothing; staff asking for a record
outside their scope get the same answer as for a reference that does not exist.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from assistant import texts
from common.messages import Button, Incoming, Reply, paging_row
from dialogs.spec import Catalog
from knowledge import KnowledgeBase
from review import texts as review_texts
from review.access import ROLE_NAMES, ROLES, Need, Role, StaffAccess, StaffRole
from review.export import (
    ExportArgumentError,
    ExportFilter,
    export_file_name,
    export_filter,
    export_submissions,
    period_words,
    scope_words,
)
from review.staffing import Refusal, add_staff, remove_staff
from review.workflow import (
    MAX_NOTE,
    TRANSITIONS,
    audit_line,
    audit_people,
    person,
    person_with_id,
    queue_line,
    record_text,
)
from storage.attachments import Attachments
from storage.database import Database
from storage.models import STATUSES, Submission, as_utc, utcnow
from storage.repository import (
    AuditLog,
    People,
    ReviewStore,
    StaffDirectory,
    StaffPrompts,
    SubmissionStore,
)

PAGE_SIZE = 10
# A status change waits this long for its note; later text is not taken as the note.
NOTE_LIFETIME = timedelta(minutes=10)
MAX_PAGE = 10_000
_REFERENCE = re.compile(r"^FP[0-9]{6,12}$", re.IGNORECASE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")
_ID = re.compile(r"^[0-9]{1,15}$")  # Telegram ids and page numbers: ASCII digits, bounded

REFUSALS = {
    Need.STAFF: texts.STAFF_ONLY,
    Need.REVIEW: texts.REVIEWERS_ONLY,
    Need.ADMIN: texts.ADMIN_ONLY,
}

GuardedCommand = Callable[["StaffDesk", StaffRole, Incoming], list[Reply]]
Handler = Callable[["StaffDesk", Incoming], list[Reply]]


def refusal(who: StaffRole, need: Need) -> str | None:
    """Why `who` may not do what needs `need` (None: allowed); non-staff learn nothing more."""
    if who.may(need):
        return None
    return REFUSALS[need] if who.is_staff else texts.STAFF_ONLY


def requires(need: Need) -> Callable[[GuardedCommand], Handler]:
    """The one permission guard: the command runs with the caller's `StaffRole`, or refuses."""

    def wrap(command: GuardedCommand) -> Handler:
        @functools.wraps(command)
        def guarded(desk: StaffDesk, incoming: Incoming) -> list[Reply]:
            who = desk.access.who(incoming.user_id)
            reason = refusal(who, need)
            if reason is not None:
                return [Reply(reason)]
            return command(desk, who, incoming)

        return guarded

    return wrap


class StaffDesk:
    def __init__(self, kb: KnowledgeBase, db: Database, catalog: Catalog, access: StaffAccess):
        self.kb = kb
        self.db = db
        self.catalog = catalog
        self.access = access
        self.directory: StaffDirectory = access.directory
        self.review = ReviewStore(db)
        self.submissions = SubmissionStore(db)
        self.audit = AuditLog(db)
        self.prompts = StaffPrompts(db)
        self.people = People(db)
        self.attachments = Attachments(db)

    def _label(self, user_id: int) -> str:
        """王芳（6012345678） for someone whose name is known, else the id; HTML-escaped."""
        return html.escape(person_with_id(user_id, self.people.names([user_id])))

    def _find(self, who: StaffRole, reference: str) -> Submission | None:
        """The submission if it exists and the caller may see it; else None (same either way)."""
        if not _REFERENCE.match(reference or ""):
            return None
        submission = self.submissions.by_reference(reference.upper())
        if submission is None or not who.scope.allows(submission):
            return None
        return submission

    # --- /staff ---------------------------------------------------------------------------

    @requires(Need.ADMIN)
    def cmd_staff(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        action, *rest = incoming.args or ("list",)
        if action == "list":
            return [Reply(self._staff_list())]
        if action == "add" and len(rest) >= 2 and _ID.match(rest[0]):
            return [Reply(self._staff_add(who.user_id, int(rest[0]), rest[1], rest[2:]))]
        if action == "remove" and len(rest) == 1 and _ID.match(rest[0]):
            removed = remove_staff(self.db, who.user_id, int(rest[0]))  # web sessions end too
            text = texts.STAFF_REMOVED if removed else texts.STAFF_NOT_MEMBER
            return [Reply(text.format(user_id=self._label(int(rest[0]))))]
        return [Reply(texts.STAFF_USAGE)]

    def _staff_add(self, actor: int, user_id: int, role: str, townships: list[str]) -> str:
        refused = add_staff(self.db, actor, user_id, role, townships, self.catalog.township_names())
        if refused is not None:
            if refused.why is Refusal.UNKNOWN_ROLE:
                return texts.STAFF_BAD_ROLE.format(role=html.escape(role))
            if refused.why is Refusal.UNKNOWN_TOWNSHIPS:
                unknown = html.escape("、".join(refused.unknown))
                return texts.STAFF_UNKNOWN_TOWNSHIPS.format(townships=unknown)
            return texts.STAFF_REVIEWER_NEEDS_TOWNSHIP
        scope = texts.STAFF_SCOPE.format(townships="、".join(townships)) if townships else ""
        return texts.STAFF_ADDED.format(
            user_id=self._label(user_id), role=ROLE_NAMES[Role(role)], scope=html.escape(scope)
        )

    def _staff_list(self) -> str:
        members = self.directory.members()
        names = self.people.names([*self.access.admin_ids, *(m.user_id for m in members)])

        def label(user_id: int) -> str:
            return html.escape(person_with_id(user_id, names))

        lines = [texts.STAFF_LIST_HEADER]
        lines.extend(
            texts.STAFF_LIST_ADMIN_ID.format(user_id=label(uid))
            for uid in sorted(self.access.admin_ids)
        )
        for member in members:
            towns = f"（{'、'.join(member.townships)}）" if member.townships else ""
            role = (
                ROLE_NAMES.get(Role(member.role), member.role)
                if member.role in ROLES
                else member.role
            )
            lines.append(
                texts.STAFF_LIST_LINE.format(
                    user_id=label(member.user_id),
                    role=html.escape(role),
                    townships=html.escape(towns),
                )
            )
        return "\n".join(lines) if len(lines) > 1 else texts.STAFF_LIST_EMPTY

    # --- queue and records ----------------------------------------------------------------

    @requires(Need.STAFF)
    def cmd_pending(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        return self._pending_page(who, 0, edit=False)

    @requires(Need.STAFF)
    def on_page_button(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        page = _button_arg(incoming)
        if not _ID.match(page) or int(page) >= MAX_PAGE:
            return [Reply(texts.BUTTON_EXPIRED)]
        return self._pending_page(who, int(page), edit=True)

    def _pending_page(self, who: StaffRole, page: int, edit: bool) -> list[Reply]:
        levels = self.catalog.triage.levels
        queue = self.review.pending(who.scope.where(), levels, page * PAGE_SIZE, PAGE_SIZE)
        if queue.total == 0:
            return [Reply(texts.PENDING_EMPTY, edit=edit)]
        pages = (queue.total + PAGE_SIZE - 1) // PAGE_SIZE
        if page >= pages:  # a forged page, or the queue shrank since the button was sent
            page = pages - 1
            queue = self.review.pending(who.scope.where(), levels, page * PAGE_SIZE, PAGE_SIZE)
            pages = max((queue.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        rows = queue.rows
        header = texts.PENDING_HEADER_MANY if queue.more else texts.PENDING_HEADER
        lines = [header.format(total=queue.total, page=page + 1, pages=pages)]
        marks = {name: d.queue_label for name, d in self.catalog.dialogs.items()}
        lines.extend(queue_line(row, marks.get(row.dialog)) for row in rows)
        buttons = [
            [Button(texts.PENDING_VIEW.format(reference=row.reference), f"vw:{row.reference}")]
            for row in rows
        ]
        nav = paging_row(page, pages, texts.PAGE_PREVIOUS, texts.PAGE_NEXT, "pg")
        if nav:
            buttons.append(nav)
        return [Reply("\n".join(lines), buttons=buttons, edit=edit)]

    @requires(Need.STAFF)
    def cmd_view(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        if not incoming.args:
            return [Reply(texts.VIEW_USAGE)]
        return self._view(who, incoming.args[0])

    @requires(Need.STAFF)
    def on_view_button(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        return self._view(who, _button_arg(incoming))

    def _view(self, who: StaffRole, reference: str) -> list[Reply]:
        submission = self._find(who, reference)
        if submission is None:
            return [Reply(texts.NOT_FOUND)]
        self.audit.record(who.user_id, "view", submission.reference)
        history = self.review.history(submission.id)
        people = [submission.assigned_to, *(change.changed_by for change in history)]
        photos = self.attachments.count_of([submission.id]).get(submission.id, 0)
        text = record_text(
            submission,
            self.catalog,
            history,
            self.review.deletion_requested(submission.id),
            self.people.names(people),
            photos,
        )
        buttons = []
        if photos:
            label = texts.VIEW_PHOTOS.format(count=photos)
            buttons.append([Button(label, f"ph:{submission.reference}")])
        if who.may(Need.REVIEW):
            buttons += [
                [
                    Button(
                        texts.STATUS_BUTTON.format(status=status),
                        f"st:{submission.id}:{STATUSES.index(status)}",
                    )
                ]
                for status in TRANSITIONS.get(submission.status, ())
            ]
        return [Reply(text, buttons=buttons)]

    @requires(Need.STAFF)
    def on_photos_button(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        """`ph:<reference>`: the record's photos, each sent again by its file id (never
        downloaded); who looked is written to the audit log, as for /view."""
        submission = self._find(who, _button_arg(incoming))
        if submission is None:
            return [Reply(texts.NOT_FOUND)]
        photos = self.attachments.of_submission(submission.id)
        if not photos:
            return [Reply(texts.PHOTOS_NONE)]
        detail = texts.PHOTOS_AUDITED.format(count=len(photos))
        self.audit.record(who.user_id, "photos", submission.reference, detail)
        reference = html.escape(submission.reference or "")
        return [
            Reply(
                texts.PHOTO_CAPTION.format(reference=reference, number=number, total=len(photos)),
                photo_id=photo.file_id,
            )
            for number, photo in enumerate(photos, 1)
        ]

    # --- status changes -------------------------------------------------------------------

    @requires(Need.REVIEW)
    def on_status_button(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        submission_id, _, status_index = _button_arg(incoming).partition(":")
        submission = self.review.get(int(submission_id)) if _ID.match(submission_id) else None
        if submission is None or not who.scope.allows(submission):
            return [Reply(texts.NOT_FOUND)]
        if not _ID.match(status_index) or int(status_index) >= len(STATUSES):
            return [Reply(texts.BUTTON_EXPIRED)]
        status = STATUSES[int(status_index)]
        if status not in TRANSITIONS.get(submission.status, ()):
            return [
                Reply(
                    texts.STATUS_NOT_ALLOWED.format(
                        reference=html.escape(submission.reference or ""),
                        current=submission.status,
                        status=status,
                    )
                )
            ]
        self.prompts.set(who.user_id, submission.id, "status", status)
        reference = html.escape(submission.reference or "")
        return [Reply(texts.NOTE_PROMPT.format(reference=reference, status=status, limit=MAX_NOTE))]

    def cancel_prompt(self, user_id: int) -> bool:
        # Asked for nearly every command and button: a read (one of the update's reads ahead),
        # and a write only for the staff member with a note waiting.
        return self.prompts.get(user_id) is not None and self.prompts.clear(user_id)

    def on_note(self, incoming: Incoming) -> list[Reply] | None:
        """The note typed after choosing a new status: apply the change and tell the resident.
        None when there is no prompt (any more: another instance may just have cleared it)."""
        prompt = self.prompts.get(incoming.user_id)
        if prompt is None:
            return None
        if as_utc(prompt.created_at) < utcnow() - NOTE_LIFETIME:
            self.prompts.clear(incoming.user_id)
            return [Reply(texts.NOTE_PROMPT_EXPIRED.format(minutes=NOTE_LIFETIME.seconds // 60))]
        note = re.sub(r"\s+", " ", incoming.text or "").strip()
        if not note:
            return [Reply(texts.NOTE_EMPTY)]
        if len(note) > MAX_NOTE:
            return [Reply(texts.NOTE_TOO_LONG.format(length=len(note), limit=MAX_NOTE))]
        self.prompts.clear(incoming.user_id)
        who = self.access.who(incoming.user_id)
        submission = self.review.get(prompt.submission_id)
        if submission is None or not who.may(Need.REVIEW) or not who.scope.allows(submission):
            return [Reply(texts.NOT_FOUND)]
        reference = html.escape(submission.reference or "")
        before = submission.status
        if prompt.value not in TRANSITIONS.get(before, ()) or not self.review.change_status(
            submission.id, incoming.user_id, before, prompt.value, note
        ):
            return [Reply(texts.STATUS_CHANGED_MEANWHILE.format(reference=reference))]
        replies = [
            Reply(
                texts.STATUS_CHANGED.format(reference=reference, before=before, after=prompt.value)
            )
        ]
        dialog = self.catalog.dialogs.get(submission.dialog)
        if dialog is not None and dialog.about_submitter:
            notice = texts.NOTIFY_STATUS.format(
                reference=reference, status=prompt.value, phone=self.kb.parameters.contact_phone
            )
            replies.append(
                Reply(
                    notice,
                    to_chat=submission.submitted_by,
                    undelivered=texts.STATUS_NOT_NOTIFIED,
                )
            )
        return replies

    @requires(Need.REVIEW)
    def cmd_assign(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        if len(incoming.args) < 2 or not _ID.match(incoming.args[1]):
            return [Reply(texts.ASSIGN_USAGE)]
        submission = self._find(who, incoming.args[0])
        if submission is None:
            return [Reply(texts.NOT_FOUND)]
        cadre = self.access.who(int(incoming.args[1]))
        if cadre.role != Role.CADRE:
            return [Reply(texts.ASSIGN_NOT_CADRE.format(user_id=self._label(cadre.user_id)))]
        note = " ".join(incoming.args[2:]) or texts.ASSIGN_DEFAULT_NOTE
        names = self.people.names([cadre.user_id])
        recorded = review_texts.ASSIGNMENT_NOTE.format(
            cadre=person_with_id(cadre.user_id, names), note=note[:MAX_NOTE]
        )
        if not self.review.assign(submission.id, who.user_id, cadre.user_id, recorded):
            return [Reply(texts.NOT_FOUND)]  # deleted by the resident since it was found
        reference = html.escape(submission.reference or "")
        cadre_name = html.escape(person(cadre.user_id, names))
        return [
            Reply(texts.ASSIGNED.format(reference=reference, cadre=cadre_name)),
            Reply(
                texts.NOTIFY_ASSIGNED.format(reference=reference, note=html.escape(note)),
                to_chat=cadre.user_id,
                undelivered=texts.ASSIGN_NOT_NOTIFIED.format(cadre=cadre_name),
            ),
        ]

    # --- lists ----------------------------------------------------------------------------

    @requires(Need.ADMIN)
    def cmd_audit(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        entries = self.audit.latest(20)
        if not entries:
            return [Reply(texts.AUDIT_EMPTY)]
        names = self.people.names(audit_people(entries))
        lines = [texts.AUDIT_HEADER]
        lines.extend(audit_line(entry, names) for entry in entries)
        return [Reply("\n".join(lines))]

    # --- export and statistics ------------------------------------------------------------

    def _selection(
        self, who: StaffRole, args: tuple[str, ...], usage: str
    ) -> ExportFilter | list[Reply]:
        """`[乡镇] [起始日期] [结束日期]` within the caller's scope (as for /export and /stats),
        or the reply saying what is wrong: usage, a bad date, a township that does not exist
        or is not theirs."""
        township, dates = _export_args(args)
        if dates is None:
            return [Reply(usage)]
        try:
            filters = export_filter(who.scope, self.catalog, township, *dates)
        except ExportArgumentError as exc:
            return [Reply(html.escape(str(exc)))]
        if township is not None and not who.scope.covers_township(township):
            return [Reply(texts.OUT_OF_SCOPE.format(township=html.escape(township)))]
        return filters

    @requires(Need.REVIEW)
    def cmd_export(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        filters = self._selection(who, incoming.args, texts.EXPORT_USAGE)
        if isinstance(filters, list):
            return filters
        folder = Path(tempfile.mkdtemp(prefix="export-"))
        path = folder / export_file_name(filters, "xlsx")
        try:
            count = export_submissions(self.db, self.catalog, filters, path, "xlsx").count
            detail = texts.EXPORT_AUDITED.format(count=count, period=period_words(filters))
            self.audit.record(who.user_id, "export", scope_words(filters), detail)
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)  # never leave personal data behind in /tmp
            raise
        return [Reply(texts.EXPORTED.format(count=count), document=path, filename=path.name)]

    @requires(Need.STAFF)
    def cmd_stats(self, who: StaffRole, incoming: Incoming) -> list[Reply]:
        from review.charts import (  # matplotlib: slow
            chart_file_name,
            chart_heading,
            collect_stats,
            render_chart,
            summary_text,
        )

        filters = self._selection(who, incoming.args, texts.STATS_USAGE)
        if isinstance(filters, list):
            return filters
        stats = collect_stats(self.db, filters, self.catalog.triage)
        heading = chart_heading(filters)
        caption = texts.STATS_CAPTION.format(
            heading=heading, summary=summary_text(stats, self.catalog.triage.levels)
        )
        return [
            Reply(
                html.escape(caption),
                photo=render_chart(stats, heading),
                filename=chart_file_name(filters),
            )
        ]


def _button_arg(incoming: Incoming) -> str:
    """What follows the prefix in a tapped button's data (`vw:FP000001` → `FP000001`)."""
    return (incoming.callback or "").partition(":")[2]


def _export_args(args: tuple[str, ...]) -> tuple[str | None, list[str | None] | None]:
    """/export or /stats [乡镇] [起始日期] [结束日期] as (township, [since, until]); None
    dates: usage."""
    township: str | None = None
    dates: list[str] = []
    for arg in args:
        if _DATE.match(arg):
            dates.append(arg)
        elif township is None and not dates:
            township = arg
        else:
            return township, None
    if len(dates) > 2:
        return township, None
    return township, [*dates, None, None][:2]
