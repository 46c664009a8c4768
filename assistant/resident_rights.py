"""A resident's rights over their data: /mydata shows what is stored, /delete removes it.

The rule: the draft and every report still 待核实 (not yet taken up by staff) are deleted at
once; a report already under review (核实中 or decided) is kept, and a deletion request is
recorded on it for staff to handle, because cadres may already be acting on it.
"""

from __future__ import annotations

import html

from common.messages import Button, Incoming, Reply
from dialogs.engine import DialogState, format_value
from dialogs.spec import Catalog
from storage.models import to_local
from storage.repository import DraftStore, ResidentData, UnansweredLog

DELETE_RULE = (
    "<b>删除规则</b>\n"
    "• 未提交的草稿、还在「待核实」的申报、您问过但没能回答的问题：立即删除。\n"
    "• 已进入核实（核实中或已有结论）的申报：先保留，记录您的删除申请，由工作人员按规定处理，"
    "因为干部可能已在跟进。"
)


class ResidentRights:
    def __init__(self, db, catalog: Catalog):
        self.catalog = catalog
        self.data = ResidentData(db)
        self.drafts = DraftStore(db)
        self.unanswered = UnansweredLog(db)

    def _answers(self, dialog_name: str, answers: dict) -> list[str]:
        dialog = self.catalog.dialogs.get(dialog_name)
        if dialog is None:
            return []
        return [
            f"  {html.escape(step.label)}：{html.escape(format_value(step, answers[step.key]))}"
            for step in dialog.steps
            if step.key in answers and step.kind != "consent"
        ]

    def cmd_mydata(self, incoming: Incoming) -> list[Reply]:
        lines = ["<b>我们保存的您的信息</b>", f"Telegram 用户 ID：{incoming.user_id}"]
        draft = self.drafts.load(incoming.user_id)
        if draft is not None:
            state = DialogState.from_json(draft.state)
            title = self.catalog.dialogs[draft.dialog].title
            lines.append(f"\n<b>未提交的草稿</b>（{html.escape(title)}）")
            lines.extend(self._answers(draft.dialog, state.answers))
        reports = self.data.reports(incoming.user_id)
        for report in reports:
            lines.append(
                f"\n<b>{html.escape(report.reference)}</b>（{to_local(report.created_at):%Y-%m-%d} 提交，状态：{html.escape(report.status)}）"
            )
            lines.extend(self._answers(report.dialog, report.answers))
        questions = self.unanswered.of_user(incoming.user_id)
        if questions:
            lines.append("\n<b>您问过、我们没能回答的问题</b>（用于改进知识库）")
            lines.extend(f"  {html.escape(q[:100])}" for q in questions[-20:])
        if draft is None and not reports and not questions:
            lines.append("目前没有保存您的任何申报或草稿。")
        else:
            lines.append("\n发送 /delete 可删除这些信息。")
        return [Reply("\n".join(lines))]

    def cmd_delete(self, incoming: Incoming) -> list[Reply]:
        return [
            Reply(
                DELETE_RULE + "\n\n确定要删除吗？",
                buttons=[[Button("确认删除", "del:yes"), Button("不删除", "del:no")]],
            )
        ]

    def on_button(self, incoming: Incoming, answer: str) -> list[Reply]:
        if answer != "yes":
            return [Reply("好的，没有删除任何信息。", edit=True)]
        had_draft, deleted, requested = self.data.delete(incoming.user_id)
        lines = []
        if had_draft:
            lines.append("已删除未提交的草稿。")
        if deleted:
            lines.append(f"已删除申报：{html.escape('、'.join(deleted))}。")
        if requested:
            lines.append(
                f"申报 {html.escape('、'.join(requested))} 已在核实中或已有结论，已记录您的删除申请，工作人员会按规定处理。"
            )
        if not lines:
            lines.append("没有需要删除的信息。")
        return [Reply("\n".join(lines), edit=True)]
