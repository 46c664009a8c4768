"""Staff commands: /staff, /pending, /view, /assign, /export, /stats, /unanswered, /audit,
and the status buttons on a record (which ask for the required note next).

Every command resolves the caller's role and scope first. Non-staff get a polite refusal that
reveals nothing; staff asking for a record outside their scope get the same answer as for a
reference that does not exist.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

from common.messages import Button, Incoming, Reply
from dialogs.spec import Catalog
from knowledge import KnowledgeBase
from review.access import ROLE_NAMES, ROLES, StaffRole
from review.workflow import MAX_NOTE, TRANSITIONS, queue_line, record_text
from storage.database import Database
from storage.models import STATUSES, to_local
from storage.repository import (
    AuditLog,
    ReviewStore,
    StaffDirectory,
    StaffPrompts,
    SubmissionStore,
    UnansweredLog,
)

PAGE_SIZE = 10
NOT_STAFF = "抱歉，这个命令仅限工作人员使用。如需开通，请联系管理员。"
ADMIN_ONLY = "抱歉，这个命令仅限管理员使用。"
REVIEWERS_ONLY = "抱歉，只有管理员和审核员可以这样操作。"
NOT_FOUND = "没有找到这条记录，或您没有查看权限。"
NOTE_PROMPT = "请输入把 <b>{reference}</b> 改为「{status}」的备注（必填，{limit} 字以内），或发送 /cancel 放弃："
NOTIFY = (
    "您提交的申报（编号 {reference}）有新进展，当前状态：「{status}」。\n"
    "如有疑问，可联系村（社区）干部或拨打 {phone}。发送 /status 查看全部记录。"
)
_REFERENCE = re.compile(r"^FP[0-9]{6,12}$", re.IGNORECASE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")
_ID = re.compile(r"^[0-9]{1,15}$")  # Telegram ids and page numbers: ASCII digits, bounded
MAX_PAGE = 10_000
CAN_CHANGE = {"admin", "reviewer"}


class StaffDesk:
    def __init__(self, kb: KnowledgeBase, db: Database, catalog: Catalog, staff: StaffDirectory):
        self.kb = kb
        self.db = db
        self.catalog = catalog
        self.staff = staff
        self.review = ReviewStore(db)
        self.submissions = SubmissionStore(db)
        self.audit = AuditLog(db)
        self.prompts = StaffPrompts(db)
        self.unanswered = UnansweredLog(db)

    # --- access ---------------------------------------------------------------------------

    def _find(self, who: StaffRole, reference: str):
        """The submission if it exists and the caller may see it; else None (same either way)."""
        if not _REFERENCE.match(reference or ""):
            return None
        submission = self.submissions.by_reference(reference.upper())
        if submission is None or not who.scope.allows(submission):
            return None
        return submission

    # --- /staff ---------------------------------------------------------------------------

    def cmd_staff(self, incoming: Incoming) -> list[Reply]:
        who = self.staff.get(incoming.user_id)
        if who.role != "admin":
            return [Reply(ADMIN_ONLY if who.is_staff else NOT_STAFF)]
        action, *rest = incoming.args or ("list",)
        if action == "list":
            return [Reply(self._staff_list())]
        if action == "add" and len(rest) >= 2 and _ID.match(rest[0]):
            return [Reply(self._staff_add(incoming.user_id, int(rest[0]), rest[1], rest[2:]))]
        if action == "remove" and len(rest) == 1 and _ID.match(rest[0]):
            removed = self.staff.remove(int(rest[0]))
            self.audit.record(incoming.user_id, "staff_remove", rest[0])
            return [
                Reply(
                    f"已移除 {rest[0]} 的工作人员身份。"
                    if removed
                    else f"{rest[0]} 不是登记的工作人员。"
                )
            ]
        return [
            Reply(
                "用法：\n/staff list\n/staff add 用户ID 角色 [乡镇…]（角色：admin 管理员 / reviewer 审核员 / cadre 村干部；审核员需指定乡镇）\n/staff remove 用户ID"
            )
        ]

    def _staff_add(self, actor: int, user_id: int, role: str, townships: list[str]) -> str:
        if role not in ROLES:
            return f"角色「{html.escape(role)}」无效，应为 admin、reviewer 或 cadre。"
        known = set(self.catalog.township_names())
        unknown = [t for t in townships if t not in known]
        if unknown:
            return (
                f"没有这些乡镇（街道）：{html.escape('、'.join(unknown))}。请使用全称，如“水阳镇”。"
            )
        if role == "reviewer" and not townships:
            return (
                "审核员需要指定负责的乡镇（街道），例如：/staff add 123456 reviewer 水阳镇 狸桥镇"
            )
        self.staff.add(user_id, role, townships, added_by=actor)
        self.audit.record(actor, "staff_add", str(user_id), f"{role} {' '.join(townships)}")
        scope = f"，负责：{'、'.join(townships)}" if townships else ""
        return f"已将 {user_id} 设为{ROLE_NAMES[role]}{html.escape(scope)}。"

    def _staff_list(self) -> str:
        lines = ["<b>工作人员</b>"]
        lines.extend(f"• {uid}：管理员（ADMIN_IDS）" for uid in sorted(self.staff.admin_ids))
        for member in self.staff.members():
            towns = f"（{'、'.join(member.townships)}）" if member.townships else ""
            lines.append(
                f"• {member.user_id}：{ROLE_NAMES.get(member.role, member.role)}{html.escape(towns)}"
            )
        return "\n".join(lines) if len(lines) > 1 else "还没有登记的工作人员。"

    # --- queue and records ----------------------------------------------------------------

    def cmd_pending(self, incoming: Incoming) -> list[Reply]:
        return self._pending_page(incoming.user_id, 0, edit=False)

    def _pending_page(self, user_id: int, page: int, edit: bool) -> list[Reply]:
        who = self.staff.get(user_id)
        if not who.is_staff:
            return [Reply(NOT_STAFF)]
        rows, total = self.review.pending(who.scope.where(), page * PAGE_SIZE, PAGE_SIZE)
        if total == 0:
            return [Reply("您负责的范围内没有待处理的申报。", edit=edit)]
        pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
        lines = [f"<b>待处理申报</b>（共 {total} 份，第 {page + 1}/{pages} 页）"]
        lines.extend(queue_line(row) for row in rows)
        buttons = [[Button(f"查看 {row.reference}", f"vw:{row.reference}")] for row in rows]
        nav = []
        if page > 0:
            nav.append(Button("⬅️ 上一页", f"pg:{page - 1}"))
        if page + 1 < pages:
            nav.append(Button("下一页 ➡️", f"pg:{page + 1}"))
        if nav:
            buttons.append(nav)
        return [Reply("\n".join(lines), buttons=buttons, edit=edit)]

    def cmd_view(self, incoming: Incoming) -> list[Reply]:
        who = self.staff.get(incoming.user_id)
        if not who.is_staff:
            return [Reply(NOT_STAFF)]
        if not incoming.args:
            return [Reply("用法：/view 编号，例如 /view FP000123")]
        return self._view(who, incoming.args[0])

    def _view(self, who: StaffRole, reference: str) -> list[Reply]:
        submission = self._find(who, reference)
        if submission is None:
            return [Reply(NOT_FOUND)]
        self.audit.record(who.user_id, "view", submission.reference)
        text = record_text(
            submission,
            self.catalog,
            self.review.history(submission.id),
            self.review.deletion_requested(submission.id),
        )
        buttons = []
        if who.role in CAN_CHANGE:
            buttons = [
                [Button(f"→ {status}", f"st:{submission.id}:{STATUSES.index(status)}")]
                for status in TRANSITIONS.get(submission.status, ())
            ]
        return [Reply(text, buttons=buttons)]

    # --- status changes -------------------------------------------------------------------

    def on_status_button(
        self, incoming: Incoming, submission_id: str, status_index: str
    ) -> list[Reply]:
        who = self.staff.get(incoming.user_id)
        if who.role not in CAN_CHANGE:
            return [Reply(REVIEWERS_ONLY if who.is_staff else NOT_STAFF)]
        submission = self.review.get(int(submission_id)) if _ID.match(submission_id) else None
        if submission is None or not who.scope.allows(submission):
            return [Reply(NOT_FOUND)]
        try:
            status = STATUSES[int(status_index)]
        except (ValueError, IndexError):
            return [Reply("这个按钮已失效。")]
        if status not in TRANSITIONS.get(submission.status, ()):
            return [
                Reply(
                    f"{html.escape(submission.reference)} 当前是「{submission.status}」，不能改为「{status}」。"
                )
            ]
        self.prompts.set(incoming.user_id, submission.id, "status", status)
        return [
            Reply(
                NOTE_PROMPT.format(
                    reference=html.escape(submission.reference), status=status, limit=MAX_NOTE
                )
            )
        ]

    def pending_prompt(self, user_id: int) -> bool:
        return self.prompts.get(user_id) is not None

    def cancel_prompt(self, user_id: int) -> bool:
        return self.prompts.clear(user_id)

    def on_note(self, incoming: Incoming) -> list[Reply]:
        """The note typed after choosing a new status: apply the change and tell the resident."""
        prompt = self.prompts.get(incoming.user_id)
        who = self.staff.get(incoming.user_id)
        note = re.sub(r"\s+", " ", incoming.text or "").strip()
        if not note:
            return [Reply("备注不能为空，请说明本次变更的情况，或发送 /cancel 放弃。")]
        if len(note) > MAX_NOTE:
            return [Reply(f"备注太长（{len(note)} 字），请控制在 {MAX_NOTE} 字以内。")]
        submission = self.review.get(prompt.submission_id)
        self.prompts.clear(incoming.user_id)
        if submission is None or who.role not in CAN_CHANGE or not who.scope.allows(submission):
            return [Reply(NOT_FOUND)]
        before = submission.status
        if prompt.value not in TRANSITIONS.get(before, ()) or not self.review.change_status(
            submission.id, incoming.user_id, before, prompt.value, note
        ):
            return [
                Reply(
                    f"{html.escape(submission.reference)} 的状态刚被他人修改，请重新 /view 查看。"
                )
            ]
        replies = [
            Reply(f"已更新 <b>{html.escape(submission.reference)}</b>：{before} → {prompt.value}。")
        ]
        if submission.dialog == "report":
            replies.append(
                Reply(
                    NOTIFY.format(
                        reference=submission.reference,
                        status=prompt.value,
                        phone=self.kb.parameters.contact_phone,
                    ),
                    to_chat=submission.submitted_by,
                )
            )
        return replies

    def cmd_assign(self, incoming: Incoming) -> list[Reply]:
        who = self.staff.get(incoming.user_id)
        if who.role not in CAN_CHANGE:
            return [Reply(REVIEWERS_ONLY if who.is_staff else NOT_STAFF)]
        if len(incoming.args) < 2 or not _ID.match(incoming.args[1]):
            return [
                Reply(
                    "用法：/assign 编号 干部用户ID [备注]，例如 /assign FP000123 123456 请本周入户核实"
                )
            ]
        submission = self._find(who, incoming.args[0])
        if submission is None:
            return [Reply(NOT_FOUND)]
        cadre = self.staff.get(int(incoming.args[1]))
        if cadre.role != "cadre":
            return [Reply(f"{incoming.args[1]} 不是登记的村干部，请先用 /staff add 登记。")]
        note = " ".join(incoming.args[2:]) or "指派入户核实"
        self.review.assign(submission.id, incoming.user_id, cadre.user_id, note[:MAX_NOTE])
        return [
            Reply(f"已将 <b>{html.escape(submission.reference)}</b> 指派给 {cadre.user_id}。"),
            Reply(
                f"您被指派核实申报 <b>{html.escape(submission.reference)}</b>：{html.escape(note)}",
                to_chat=cadre.user_id,
            ),
        ]

    # --- lists ----------------------------------------------------------------------------

    def cmd_unanswered(self, incoming: Incoming) -> list[Reply]:
        who = self.staff.get(incoming.user_id)
        if who.role not in CAN_CHANGE:
            return [Reply(REVIEWERS_ONLY if who.is_staff else NOT_STAFF)]
        rows = self.unanswered.most_frequent(20)
        if not rows:
            return [Reply("还没有答不上来的问题。")]
        lines = ["<b>知识库答不上来的问题</b>（按次数）"]
        lines.extend(f"• {html.escape(text[:80])} —— {count} 次" for text, count in rows)
        return [Reply("\n".join(lines))]

    def cmd_audit(self, incoming: Incoming) -> list[Reply]:
        who = self.staff.get(incoming.user_id)
        if who.role != "admin":
            return [Reply(ADMIN_ONLY if who.is_staff else NOT_STAFF)]
        entries = self.audit.latest(20)
        if not entries:
            return [Reply("审计日志为空。")]
        lines = ["<b>最近的操作记录</b>"]
        lines.extend(
            f"• {to_local(entry.at):%m-%d %H:%M} {entry.actor_id} {html.escape(entry.action)} "
            f"{html.escape(entry.target or '')} {html.escape((entry.detail or '')[:60])}"
            for entry in entries
        )
        return [Reply("\n".join(lines))]

    # --- export and statistics ------------------------------------------------------------

    def cmd_export(self, incoming: Incoming) -> list[Reply]:
        from review.export import ExportFilter, export_submissions

        who = self.staff.get(incoming.user_id)
        if who.role not in CAN_CHANGE:
            return [Reply(REVIEWERS_ONLY if who.is_staff else NOT_STAFF)]
        township, dates = None, []
        usage = (
            "用法：/export [乡镇] [起始日期] [结束日期]，例如 /export 水阳镇 2024-09-01 2024-09-30"
        )
        for arg in incoming.args:
            if _DATE.match(arg):
                try:
                    dates.append(date.fromisoformat("-".join(p.zfill(2) for p in arg.split("-"))))
                except ValueError:
                    return [Reply(f"日期「{html.escape(arg)}」无效，请写成 2024-09-01 这样。")]
            elif township is None and not dates:
                township = arg
            else:
                return [Reply(usage)]
        if len(dates) > 2:
            return [Reply(usage)]
        if township is not None and township not in self.catalog.township_names():
            return [
                Reply(
                    f"没有「{html.escape(township[:30])}」这个乡镇（街道），请使用全称，如“水阳镇”。"
                )
            ]
        if (
            township is not None
            and not who.scope.everything
            and township not in who.scope.townships
        ):
            return [Reply(f"您不负责「{html.escape(township)}」，无法导出。")]
        since = dates[0] if dates else None
        until = dates[1] if len(dates) > 1 else None
        if since and until and since > until:
            return [Reply("起始日期晚于结束日期，请检查。")]
        folder = Path(tempfile.mkdtemp(prefix="export-"))
        path = folder / f"防返贫申报_{date.today():%Y%m%d}.xlsx"
        try:
            count = export_submissions(
                self.db, self.catalog, ExportFilter(who.scope, township, since, until), path, "xlsx"
            )
            self.audit.record(
                incoming.user_id, "export", township, f"{count} 条 {since or ''}~{until or ''}"
            )
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)  # never leave personal data behind in /tmp
            raise
        return [Reply(f"已导出 {count} 条记录。", document=path, filename=path.name)]

    def cmd_stats(self, incoming: Incoming) -> list[Reply]:
        from review.charts import collect_stats, render_chart, summary_text

        who = self.staff.get(incoming.user_id)
        if not who.is_staff:
            return [Reply(NOT_STAFF)]
        stats = collect_stats(self.db, who.scope)
        return [Reply(html.escape(summary_text(stats)), photo=render_chart(stats))]

    # --- buttons --------------------------------------------------------------------------

    def on_button(self, incoming: Incoming, prefix: str, rest: str) -> list[Reply]:
        if prefix == "vw":
            who = self.staff.get(incoming.user_id)
            return self._view(who, rest) if who.is_staff else [Reply(NOT_STAFF)]
        if prefix == "pg" and _ID.match(rest) and int(rest) < MAX_PAGE:
            return self._pending_page(incoming.user_id, int(rest), edit=True)
        if prefix == "st":
            submission_id, _, status_index = rest.partition(":")
            return self.on_status_button(incoming, submission_id, status_index)
        return [Reply("这个按钮已失效。")]
