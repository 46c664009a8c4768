"""Each fact lives in one place, and the tools guard it: renaming an answer key in the dialog
YAML is caught by `bot.py check`, new dialogs bring their own command, layers import one way,
and two races another bot instance can cause no longer crash."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from assistant import texts
from assistant.service import Assistant
from common.messages import Incoming, Reply
from common.yamlfile import DataError
from dialogs.spec import load_catalog
from knowledge import KnowledgeBase
from knowledge.base import DATA_DIR as KNOWLEDGE_DIR
from knowledge.base import load_knowledge
from storage.database import Database
from storage.repository import NewSubmission, ResidentData, StaffDirectory, SubmissionStore
from tests.yaml_edit import replace_in

ROOT = Path(__file__).resolve().parent.parent


def _problems(load, data_dir: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load(data_dir)
    return [str(p) for p in caught.value.problems]


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# --- renaming an answer key -------------------------------------------------------------------


def test_renaming_an_expense_key_makes_check_name_the_triage_line_that_uses_it(dialog_data):
    replace_in(dialog_data / "blocks.yaml", "key: medical_expense", "key: medical_cost")
    problems = _problems(load_catalog, dialog_data)
    triage = dialog_data / "triage.yaml"
    expected = (
        f"{triage}:{_line_of(triage, 'expenses:')}: 引用的回答 medical_expense 在任何对话中都不存在"
    )
    assert problems == [expected]


def test_renaming_a_guarantee_or_a_rule_key_names_each_place(dialog_data):
    replace_in(dialog_data / "blocks.yaml", "key: unsafe_water", "key: water_problem")
    replace_in(dialog_data / "visit.yaml", "key: no_labor", "key: no_workers")
    problems = "\n".join(_problems(load_catalog, dialog_data))
    triage = dialog_data / "triage.yaml"
    assert f"{triage}:{_line_of(triage, 'guarantees:')}: 引用的回答 unsafe_water" in problems
    assert f"{triage}:{_line_of(triage, '[no_labor]')}: 引用的回答 no_labor" in problems


def test_a_rule_on_a_choice_that_does_not_exist_is_named(dialog_data):
    replace_in(
        dialog_data / "visit.yaml", "choices: [稳定, 不稳定，有返贫风险]", "choices: [稳定, 不稳定]"
    )
    problems = "\n".join(_problems(load_catalog, dialog_data))
    assert "不稳定，有返贫风险 不是回答 risk_stable 的选项" in problems


def test_a_key_of_the_wrong_kind_is_named(dialog_data):
    # household_size typed as free text: triage could not divide by it.
    replace_in(
        dialog_data / "blocks.yaml", "kind: integer\n      min: 1", "kind: text\n      min: 1"
    )
    problems = "\n".join(_problems(load_catalog, dialog_data))
    assert "回答 household_size 的类型是 text，这里需要 integer" in problems


def test_an_unknown_submission_column_and_a_kept_key_that_does_not_exist_are_named(dialog_data):
    replace_in(dialog_data / "blocks.yaml", "column: village", "column: hamlet")
    replace_in(
        dialog_data / "visit.yaml", "keep: [township, township_other, village]", "keep: [town]"
    )
    problems = "\n".join(_problems(load_catalog, dialog_data))
    assert "步骤 village 的 column 未知：hamlet" in problems
    assert "after_submit.keep 引用了不存在的步骤：town" in problems


# --- every problem in every file --------------------------------------------------------------


def test_a_broken_places_file_does_not_hide_an_unknown_kind_in_a_dialog(dialog_data):
    (dialog_data / "places.yaml").write_text("townships: [ {name: 水阳镇\n", "utf-8")
    replace_in(dialog_data / "report.yaml", "kind: longtext", "kind: essay")
    problems = "\n".join(_problems(load_catalog, dialog_data))
    assert "places.yaml" in problems and "YAML 语法错误" in problems
    assert "类型未知：essay" in problems


def test_a_broken_blocks_file_does_not_hide_a_broken_triage_file(dialog_data):
    (dialog_data / "blocks.yaml").write_text("blocks: [\n", "utf-8")
    replace_in(dialog_data / "triage.yaml", "default: 一般", "default: 最高")
    problems = "\n".join(_problems(load_catalog, dialog_data))
    assert "blocks.yaml" in problems and "default 必须是 levels 之一" in problems


def test_a_bad_current_year_does_not_hide_a_yaml_error_in_an_entry_file(tmp_path):
    data = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, data)
    replace_in(data / "parameters.yaml", "current_year: 2024", "current_year: 今年")
    (data / "entries" / "broken.yaml").write_text("entries:\n  - id: [\n", "utf-8")
    problems = "\n".join(_problems(load_knowledge, data))
    assert "current_year 应为年份数字" in problems
    assert "broken.yaml" in problems and "YAML 语法错误" in problems


# --- commands built from the catalog ----------------------------------------------------------


def test_a_dialog_added_in_yaml_brings_its_own_command_and_menu_entry(
    kb: KnowledgeBase, db: Database, dialog_data: Path
):
    survey = (dialog_data / "report.yaml").read_text("utf-8")
    survey = survey.replace("name: report", "name: survey").replace(
        "command: report", "command: survey"
    )
    survey = survey.replace("menu: 申报困难", "menu: 满意度调查").replace(
        "title: 困难申报", "title: 满意度调查"
    )
    (dialog_data / "survey.yaml").write_text(survey, "utf-8")
    assistant = Assistant(kb, db, load_catalog(dialog_data))
    assert ("survey", "满意度调查") in assistant.menu_commands()
    replies = assistant.handle(Incoming(user_id=5, chat_id=5, command="survey"))
    assert "满意度调查" in replies[0].text and "第 1 步" in replies[0].text


def test_telegram_menu_lists_the_yaml_commands_in_their_place(assistant: Assistant):
    names = [name for name, _ in assistant.menu_commands()]
    assert names == [
        "start", "report", "status", "help", "back", "skip", "cancel", "mydata", "delete",
        "visit", "pending", "web",
    ]  # fmt: skip


def test_a_deep_link_names_a_dialog_by_its_command(assistant: Assistant):
    replies = assistant.handle(Incoming(user_id=8, chat_id=8, command="start", args=("report",)))
    assert "困难申报" in replies[0].text


# --- races with another bot instance ----------------------------------------------------------


def _report(db: Database, user: int = 2) -> str:
    reference, _ = SubmissionStore(db).submit(
        NewSubmission(
            dialog="report",
            draft_id=f"race{user}",
            submitted_by=user,
            answers={"township": "水阳镇"},
            township="水阳镇",
            village="红星村",
            contact_name="张三",
            phone="13812345678",
            household_size=4,
            annual_income=32000,
            per_capita_income=8000,
            priority="优先核实",
            priority_reasons=[],
        )
    )
    return reference


def _say(assistant: Assistant, user: int, text: str) -> list[Reply]:
    if text.startswith("/"):
        head, *args = text[1:].split()
        incoming = Incoming(user_id=user, chat_id=user, text=text, command=head, args=tuple(args))
    else:
        incoming = Incoming(user_id=user, chat_id=user, text=text)
    return assistant.handle(incoming)


def test_a_note_typed_after_another_instance_cleared_the_prompt_is_a_question_again(
    kb: KnowledgeBase, db: Database, monkeypatch
):
    assistant = Assistant(kb, db, admin_ids=frozenset({9}))
    reference = _report(db)
    _say(assistant, 9, f"/view {reference}")
    submission = assistant.submissions.by_reference(reference)
    assert submission is not None
    assistant.handle(Incoming(user_id=9, chat_id=9, callback=f"st:{submission.id}:1"))
    # The other instance takes the note between this one's check and its read.
    original_get = assistant.desk.prompts.get
    monkeypatch.setattr(
        assistant.desk.prompts,
        "get",
        lambda user_id: assistant.desk.prompts.clear(user_id) and None,
    )
    replies = _say(assistant, 9, "监测收入标准是多少？")
    monkeypatch.setattr(assistant.desk.prompts, "get", original_get)
    assert "9100" in replies[0].text  # answered as the question it is, no crash
    unchanged = assistant.submissions.by_reference(reference)
    assert unchanged is not None and unchanged.status == "待核实"


def test_assigning_a_record_the_resident_deleted_meanwhile_says_it_is_gone(
    kb: KnowledgeBase, db: Database, monkeypatch
):
    assistant = Assistant(kb, db, admin_ids=frozenset({9}))
    StaffDirectory(db).add(30, "cadre", [], added_by=9)
    reference = _report(db, user=2)
    found = assistant.desk._find  # the record is found, then deleted before the assignment

    def found_then_deleted(who, ref):
        submission = found(who, ref)
        ResidentData(db, ("report",)).delete(2)
        return submission

    monkeypatch.setattr(assistant.desk, "_find", found_then_deleted)
    replies = _say(assistant, 9, f"/assign {reference} 30 请核实")
    assert [r.text for r in replies] == [texts.NOT_FOUND]
    assert all(r.to_chat is None for r in replies), "the cadre is not sent a dead assignment"


# --- layers -----------------------------------------------------------------------------------

# A package may import only the packages listed for it (and itself, and libraries).
ALLOWED = {
    "common": set(),
    "knowledge": {"common"},
    "dialogs": {"common"},
    "storage": {"common"},
    "review": {"common", "dialogs", "storage"},
    "assistant": {"common", "knowledge", "dialogs", "storage", "review"},
    "handlers": {"common", "assistant"},
    # the staff web console: on review and storage like the bot's desks, beside assistant (of
    # which it reads the settings only: test_the_web_console_reads_only_the_settings_of_the_bot)
    "web": {"common", "dialogs", "storage", "review", "assistant"},
}
PROJECT = {*ALLOWED, "bot", "tests"}


def _imported(path: Path) -> set[str]:
    """The top-level names of every module `path` imports (absolute imports only)."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_the_layers_below_them(package: str):
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in (_imported(path) & PROJECT) - ALLOWED[package] - {package}
    }
    assert not wrong


def test_the_web_console_reads_only_the_settings_of_the_bot():
    wrong: set[str] = set()
    for path in (ROOT / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            wrong.update(
                f"{path.relative_to(ROOT)} imports {name}"
                for name in names
                if name.split(".")[0] == "assistant" and name != "assistant.config"
            )
    assert not wrong


def test_only_the_adapters_and_the_entry_point_import_telegram():
    core = [p for name in ALLOWED if name != "handlers" for p in (ROOT / name).rglob("*.py")]
    assert not [p for p in core if "telegram" in _imported(p)]
