"""防返贫监测帮扶助手 — the one entry point.

python bot.py start            Telegram bot if TELEGRAM_TOKEN is set, else the console chat
python bot.py run [--webhook]  the Telegram bot (long polling; --webhook: PTB's webhook server)
python bot.py chat [--as ID]   the console chat, on the same core and database (as user ID)
python bot.py ask "问题"        the reply a user would see (--json for the machine contract;
                               "-" reads one question per line from stdin)
python bot.py check [--knowledge DIR]  validate the knowledge and dialog YAML
python bot.py kb learned       what staff taught the bot (entry, phrasing, who, when)
python bot.py kb export-learned [--knowledge DIR]  write it into the entries' YAML (alternates:)
python bot.py kb clear-exported [--knowledge DIR]  drop the database copy the YAML now carries
python bot.py kb train-models [--sets DIR] [--report]  learn the verdict, unanswerable and
                               entry models from the question sets' development parts
                               (scikit-learn: a development dependency)
python bot.py doctor           check settings, database, data files, token and permissions
python bot.py db upgrade       apply database migrations
python bot.py export --format xlsx|csv --out FILE|DIR [--township 乡镇] [--since D] [--until D]
python bot.py backup FILE      a consistent copy of the SQLite database (PostgreSQL: pg_dump)
python bot.py web              the staff web console (uvicorn on WEB_HOST:WEB_PORT)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from assistant.config import ConfigError, load_settings
from common.yamlfile import DataError, Problem
from storage.database import SqliteFileError

log = logging.getLogger("bot")
CLI_OPERATOR = 0  # the actor id the audit log records for commands run on the server


def build_application(settings=None, **kwargs):
    """The configured python-telegram-bot `Application` (see handlers.telegram_app)."""
    from handlers.telegram_app import build_application as build

    return build(settings, **kwargs)


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.policy_qa import PolicyQA
    from handlers.console import render
    from knowledge import load_knowledge

    qa = PolicyQA(load_knowledge())
    questions = sys.stdin if args.question == "-" else [args.question]
    for line in questions:
        question = line.rstrip("\n") if args.question == "-" else line
        outcome = qa.respond(question)
        if args.json:
            print(json.dumps(PolicyQA.as_json(outcome), ensure_ascii=False), flush=True)
        else:
            print(render(outcome.replies)[0], flush=True)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.answer_feedback import Complaints
    from assistant.small_talk import SmallTalk
    from dialogs.spec import load_catalog
    from knowledge import load_knowledge

    data_dir = _knowledge_dir(args)
    problems: list[Problem] = []
    summary: list[str] = []
    loaded = []

    def entries() -> int:
        loaded.append(load_knowledge(data_dir))
        return len(loaded[0].entries)

    counters: tuple[tuple[str, Callable[[], int]], ...] = (
        ("知识条目", entries),
        ("不在范围的问题", lambda: len(loaded[0].set_aside) if loaded else 0),
        ("判断问法的模型字串", lambda: _model_grams(loaded)),
        ("对话", lambda: len(load_catalog().dialogs)),
        ("寒暄类别", lambda: len(SmallTalk.load().kinds)),
        ("“回答不对”的说法", lambda: len(Complaints.load().phrases)),
    )
    for what, count_loaded in counters:
        try:
            count = count_loaded()
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        summary.append(f"{count} 个{what}")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"检查未通过：{len(problems)} 个问题", file=sys.stderr)
        return 1
    print(f"检查通过：{'，'.join(summary)}")
    return 0


def _model_grams(loaded: list) -> int:
    if not loaded:
        return 0
    kb = loaded[0]
    models = (kb.verdict_model, kb.unanswerable_model, kb.entry_model)
    return sum(len(model.weights) for model in models if model is not None)


def _knowledge_dir(args: argparse.Namespace):
    """The knowledge YAML folder: --knowledge, else the project's own."""
    from pathlib import Path

    from knowledge.base import DATA_DIR

    given = getattr(args, "knowledge", None)
    return Path(given) if given else DATA_DIR


def cmd_kb(args: argparse.Namespace) -> int:
    """What staff taught the bot: list it, write it into the YAML, drop the database copy."""
    from assistant.learned_export import clear_exported, export_learned
    from knowledge.base import entry_titles
    from knowledge.set_aside_file import SET_ASIDE_FILE
    from storage.database import open_database
    from storage.learning import LearnedPhrasings
    from storage.models import to_local
    from storage.repository import People

    data_dir = _knowledge_dir(args)
    if args.action == "train-models":
        return _train_models(args, data_dir)
    db = open_database(load_settings().database_url)
    titles = entry_titles(data_dir)
    try:
        if args.action == "learned":
            taught = LearnedPhrasings(db).listed()
            if not taught:
                print("还没有教过机器人新的问法。")
                return 0
            names = People(db).names([t.added_by for t in taught])
            print(f"教给机器人的问法（{len(taught)} 条，最新在前）：")
            for t in taught:
                who = names.get(t.added_by) or str(t.added_by)
                state = "已写入 YAML" if t.exported_at is not None else "未写入 YAML"
                title = titles.get(t.entry_id, "条目已不存在")
                print(
                    f"  {t.entry_id}（{title}）← {t.text}"
                    f"  {who} {to_local(t.added_at):%Y-%m-%d %H:%M} {state}"
                )
            return 0
        if args.action == "export-learned":
            return _print_exported(export_learned(db, data_dir), data_dir)
        cleared = clear_exported(db, data_dir)
        print(f"已从数据库清除 {len(cleared.cleared)} 条已写入 YAML 的问法。")
        if cleared.set_aside:
            count = len(cleared.set_aside)
            print(f"已从数据库清除 {count} 个 {SET_ASIDE_FILE} 已列出的不在范围的问题。")
        for kept, got in cleared.kept:
            why = f"YAML 检索答的是 {got}" if got else "YAML 里还没有它，或只按 YAML 检索不回答"
            print(f"  保留：{kept.entry_id} ← {kept.text}（{why}）")
        return 0
    finally:
        db.engine.dispose()


def _train_models(args: argparse.Namespace, data_dir) -> int:
    from pathlib import Path

    from knowledge.model_training import SETS_DIR, train

    try:
        for line in train(data_dir, Path(args.sets) if args.sets else SETS_DIR, args.report):
            print(line)
    except ModuleNotFoundError as exc:
        package = (exc.name or "sklearn").partition(".")[0]
        print(f"需要开发依赖 {package}：make .venv/.installed 会装好它。", file=sys.stderr)
        return 1
    return 0


def _print_exported(exported, data_dir) -> int:
    from knowledge.set_aside_file import SET_ASIDE_FILE

    written = exported.written
    if exported.problems:
        for problem in exported.problems:
            print(problem, file=sys.stderr)
        print(
            f"写入后检查未通过：{len(exported.problems)} 个问题，文件已恢复原样，数据库未改动。",
            file=sys.stderr,
        )
        return 1
    if not exported.marked and not written.unknown and not exported.set_aside:
        print("没有需要写入的问法或不在范围的问题（都已写入过）。")
        return 0
    print("写入以后检查通过。")
    if exported.set_aside:
        where = data_dir / SET_ASIDE_FILE
        print(f"已把 {len(exported.set_aside)} 个不在范围的问题写入 {where}：")
        for question in exported.set_aside:
            print(f"  🚫 {question}")
    if exported.marked or written.unknown:
        added = sum(len(texts) for texts in written.added.values())
        print(f"已把 {added} 条问法写入 {data_dir} 的知识条目（alternates:）：")
    for entry_id, texts in written.added.items():
        print(f"  {written.files[entry_id].name} {entry_id} ← {'、'.join(texts)}")
    for entry_id, texts in written.present.items():
        print(f"  {entry_id} 已有：{'、'.join(texts)}")
    for entry_id in written.unknown:
        print(f"  条目 {entry_id} 已不存在，它的问法没有写入（仍留在数据库中）", file=sys.stderr)
    for taught, got in exported.answered_otherwise:
        print(
            f"  注意：只按 YAML 检索，「{taught.text}」答的是 {got or '无（不回答）'}，"
            f"不是 {taught.entry_id}：请检查该条目的 keywords / answers",
            file=sys.stderr,
        )
    print(
        f"数据库中 {len(exported.marked)} 条问法标为已写入（运行中的机器人继续使用数据库里的问法和"
        "不在范围的问题）。新版本的 YAML 发布、机器人重启以后，运行 python bot.py kb clear-exported"
        " 清除数据库副本。"
    )
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """The console chat, as the console operator (id 0) or, with --as, as any user: staff
    commands answer whoever ADMIN_IDS or the staff table makes that id."""
    from assistant.bootstrap import build_assistant
    from handlers.console import CONSOLE_USER_ID, run_console

    settings = load_settings()
    logging.getLogger("assistant.updates").setLevel(logging.WARNING)  # the chat is on screen
    user_id = getattr(args, "as_user", None)
    user_id = CONSOLE_USER_ID if user_id is None else user_id
    print(
        f"控制台对话（数据库：{_describe(settings.database_url)}；用户 ID：{user_id}）。"
        "输入问题，Ctrl-D 退出。"
    )
    run_console(
        build_assistant(settings).handle, stdin=sys.stdin, stdout=sys.stdout, user_id=user_id
    )
    return 0


ALLOWED_UPDATES = ["message", "callback_query"]


class StartupError(Exception):
    """Start-up failed for a reason the message names in one line (exit status 2)."""


@contextmanager
def telegram_start_up() -> Iterator[None]:
    """Telegram refusing the token, or out of reach, as one line — PTB would log a traceback
    that ends in the token itself."""
    from telegram.error import InvalidToken, NetworkError

    from handlers import texts

    def not_for_the_log(record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InvalidToken | NetworkError)

    ptb_log = logging.getLogger("telegram.ext")
    ptb_log.addFilter(not_for_the_log)
    try:
        yield
    except InvalidToken as exc:
        raise StartupError(texts.TOKEN_REJECTED) from exc
    except NetworkError as exc:
        error = type(exc).__name__
        raise StartupError(texts.TELEGRAM_UNREACHABLE.format(error=error)) from exc
    finally:
        ptb_log.removeFilter(not_for_the_log)


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if getattr(args, "webhook", False):  # `start` has no --webhook
        return run_webhook(settings)
    application = build_application(settings)
    print("Telegram 机器人已启动（长轮询），Ctrl-C 停止。")
    with telegram_start_up():
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def run_webhook(settings) -> int:
    """PTB's webhook server on WEBHOOK_LISTEN:WEBHOOK_PORT, at the path of WEBHOOK_URL (so
    nginx can pass the path through unchanged). setWebhook registers WEBHOOK_URL with the
    secret; a request without it is answered 403 and never reaches the bot. Several processes
    may run this on different ports behind one URL: each sets the same webhook, and none
    deletes it when it stops."""
    from urllib.parse import urlsplit

    from assistant.config import require_webhook

    hook = require_webhook(settings)
    assert hook.url is not None and hook.secret is not None
    application = build_application(settings)
    print(f"Telegram 机器人已启动（webhook，监听 {hook.listen}:{hook.port}），Ctrl-C 停止。")
    with telegram_start_up():
        application.run_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path=urlsplit(hook.url).path.lstrip("/"),
            webhook_url=hook.url,
            secret_token=hook.secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.telegram_token:
        return cmd_run(args)
    print(
        "未设置 TELEGRAM_TOKEN，启动本地控制台对话。"
        "要启动 Telegram 机器人，请在 .env 中设置 TELEGRAM_TOKEN 后再运行 make run。"
    )
    return cmd_chat(args)


def build_web_app(settings):
    """The staff web console on the configured database (see web.app)."""
    from assistant.web_signin import notice_texts
    from dialogs.spec import load_catalog
    from knowledge.base import DATA_DIR, entry_titles
    from knowledge.params import load_parameters
    from storage.database import open_database
    from web.app import create_app
    from web.console import Console, Notices

    phone = load_parameters(DATA_DIR / "parameters.yaml").contact_phone
    console = Console(
        open_database(settings.database_url),
        load_catalog(),
        Notices(**notice_texts(phone)),
        settings.web,
        settings.admin_ids,
        settings.telegram_token,
        entry_titles(DATA_DIR),
    )
    return create_app(console)


def cmd_web(_args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    app = build_web_app(settings)
    web = settings.web
    print(f"网页工作台已启动：{web.base_url}（监听 {web.host}:{web.port}），Ctrl-C 停止。")
    uvicorn.run(app, host=web.host, port=web.port, proxy_headers=True, log_level="warning")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from storage.database import make_engine, upgrade

    settings = load_settings()
    upgrade(make_engine(settings.database_url))
    print(f"数据库已升级到最新版本：{_describe(settings.database_url)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export submissions (all of them: the operator runs this on the server) to xlsx or CSV.
    `--out` names the file, or a folder where the file is named by scope, dates and time."""
    from pathlib import Path

    from dialogs.spec import load_catalog
    from review.access import Scope
    from review.export import ExportArgumentError, export_file_name, export_filter

    catalog = load_catalog()
    try:
        filters = export_filter(
            Scope(everything=True), catalog, args.township, args.since, args.until
        )
    except ExportArgumentError as exc:
        print(f"参数错误：--{exc.argument} {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.is_dir():
        out = out / export_file_name(filters, args.format)
    if not out.parent.is_dir():
        print(f"参数错误：--out 所在的目录不存在：{out.parent}", file=sys.stderr)
        return 2

    from tqdm import tqdm  # the heavy imports only once the arguments are known to be good

    from review.export import count_submissions, export_submissions
    from storage.database import open_database
    from storage.repository import AuditLog

    settings = load_settings()
    db = open_database(settings.database_url)
    try:
        total = count_submissions(db, filters)
        with tqdm(total=total, unit="条", desc="导出", file=sys.stderr) as bar:
            exported = export_submissions(
                db,
                catalog,
                filters,
                out,
                args.format,
                progress=lambda done: bar.update(done - bar.n),
            )
    except OSError as exc:
        print(f"导出失败：无法写入 {out}（{exc.strerror or exc}）", file=sys.stderr)
        return 1
    count = exported.count
    AuditLog(db).record(CLI_OPERATOR, "export", args.township, f"{count} 条，命令行导出到 {out}")
    db.engine.dispose()
    if len(exported.files) == 1:
        print(f"已导出 {count} 条记录到 {exported.files[0]}")
    else:
        print(f"已导出 {count} 条记录到：")
        for path in exported.files:
            print(f"  {path}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """SQLite: a consistent copy made while the bot runs. PostgreSQL: the pg_dump command."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(load_settings().database_url)
    target = Path(args.file)
    if url.get_backend_name() != "sqlite":
        print(pg_dump_command(url, target))
        return 0
    if not url.database or url.database == ":memory:" or not Path(url.database).is_file():
        print(f"备份失败：SQLite 数据库文件不存在：{url.database}", file=sys.stderr)
        return 1
    if target.exists():
        print(f"备份失败：{target} 已存在，请换一个文件名", file=sys.stderr)
        return 2
    if not target.parent.is_dir():
        print(f"备份失败：目录不存在：{target.parent}", file=sys.stderr)
        return 2
    backup_sqlite(Path(url.database), target)
    print(f"已备份 {url.database} 到 {target}")
    return 0


def backup_sqlite(source, target) -> None:
    """Copy the live database with SQLite's online backup API: one step, under a read lock,
    so the copy is one consistent moment even while the bot writes (WAL lets it go on). The
    copy holds personal data: it is created readable by its owner only (0600)."""
    import os
    import sqlite3
    from contextlib import closing

    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def pg_dump_command(url, target) -> str:
    """The pg_dump line for this database (its password belongs in ~/.pgpass, not here)."""
    import shlex

    parts = ["pg_dump", "--format=custom", f"--file={target}"]
    if url.host:
        parts.append(f"--host={url.host}")
    if url.port:
        parts.append(f"--port={url.port}")
    if url.username:
        parts.append(f"--username={url.username}")
    parts.append(url.database or "")
    command = " ".join(shlex.quote(str(part)) for part in parts)
    return f"PostgreSQL 请用 pg_dump 备份（密码放在 ~/.pgpass 中）：\n{command}"


def cmd_doctor(_args: argparse.Namespace) -> int:
    """One line per check, ✅ or ❌ (in words that say what to do); 1 when any check fails."""
    checks: list[tuple[bool, str]] = []
    try:
        settings = load_settings()
        checks.append((True, "配置：环境变量与 .env 均有效"))
    except ConfigError as exc:
        checks.append((False, f"配置：{exc}"))
        settings = None
    if settings is not None:
        checks.extend(_doctor_database(settings.database_url))
    checks.extend(_doctor_data())
    if settings is not None:
        checks.append(_doctor_telegram(settings.telegram_token, settings.telegram_base_url))
    for ok, line in checks:
        print(f"{'✅' if ok else '❌'} {line}")
    return 0 if all(ok for ok, _ in checks) else 1


def _doctor_database(url: str) -> list[tuple[bool, str]]:
    """Connection, migration head and (SQLite) who may read the file and its folder."""
    import os
    import stat
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from storage.database import MIGRATIONS_DIR

    parsed = make_url(url)
    checks: list[tuple[bool, str]] = []
    sqlite_file = Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" else None
    if sqlite_file is not None and not sqlite_file.is_file():
        return [(False, f"数据库：文件 {sqlite_file} 不存在：请运行 python bot.py db upgrade")]
    engine = create_engine(url, hide_parameters=True)  # not make_engine: it would create files
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        checks.append((True, f"数据库连接：{_describe(url)}"))
        head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
        if current == head:
            checks.append((True, f"数据库结构：已是最新版本（{head}）"))
        else:
            checks.append(
                (
                    False,
                    f"数据库结构：当前版本 {current or '无'}，最新 {head}："
                    "请运行 python bot.py db upgrade",
                )
            )
    except OperationalError as exc:
        checks.append((False, f"数据库连接：{_database_problem(exc)}"))
    finally:
        engine.dispose()
    if sqlite_file is not None:
        for path, fix in ((sqlite_file, "chmod 600"), (sqlite_file.parent, "chmod 700")):
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o077:
                checks.append(
                    (False, f"文件权限：{path} 为 {mode:04o}，其他用户可读：请运行 {fix} {path}")
                )
            else:
                checks.append((True, f"文件权限：{path} 仅本人可读写（{mode:04o}）"))
    return checks


def _doctor_data() -> list[tuple[bool, str]]:
    from dialogs.spec import load_catalog
    from knowledge import load_knowledge

    checks: list[tuple[bool, str]] = []
    loaders: tuple[tuple[str, str, Callable[[], int]], ...] = (
        ("知识库", "个知识条目", lambda: len(load_knowledge().entries)),
        ("对话", "个对话", lambda: len(load_catalog().dialogs)),
    )
    for what, unit, count_loaded in loaders:
        try:
            checks.append((True, f"{what}：{count_loaded()} {unit}"))
        except DataError as exc:
            more = f"（共 {len(exc.problems)} 个问题，运行 python bot.py check 查看全部）"
            checks.append((False, f"{what}：{exc.problems[0]}{more}"))
    return checks


def _doctor_telegram(token: str | None, base_url: str | None) -> tuple[bool, str]:
    """getMe, quickly; the token itself is never printed."""
    import httpx

    if token is None:
        return True, "Telegram 令牌：未设置（跳过）"
    try:
        response = httpx.get(
            f"{base_url or 'https://api.telegram.org/bot'}{token}/getMe", timeout=5
        )
    except httpx.HTTPError as exc:
        return False, f"Telegram 令牌：无法连接 Telegram（{type(exc).__name__}）：请检查网络"
    if response.status_code == 401:
        from handlers import texts

        return False, f"Telegram 令牌：{texts.TOKEN_REJECTED}"
    if response.status_code != 200:
        return False, f"Telegram 令牌：Telegram 回复 HTTP {response.status_code}"
    username = response.json().get("result", {}).get("username", "?")
    return True, f"Telegram 令牌：有效（@{username}）"


def _user_id(text: str) -> int:
    if not text.isdigit() or len(text) > 15:
        raise argparse.ArgumentTypeError(f"用户 ID 应为数字：{text}")
    return int(text)


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _sqlite_problem(exc: SqliteFileError) -> str:
    from handlers import texts

    template = {"folder": texts.SQLITE_IS_FOLDER, "read_only": texts.SQLITE_READ_ONLY}
    return template.get(exc.reason, texts.SQLITE_UNUSABLE).format(path=exc.path)


def _database_problem(exc: OperationalError) -> str:
    """One line naming the database and what to check (never the password)."""
    from sqlalchemy.engine import make_url

    from handlers import texts

    url = make_url(load_settings().database_url)
    if url.get_backend_name() == "sqlite":
        return f"无法打开 SQLite 数据库文件 {url.database}：请检查该目录是否存在、是否可写。"
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
    if f'database "{url.database}" does not exist' in reason:
        return texts.POSTGRES_NO_DATABASE.format(where=where, database=url.database)
    return (
        f"无法连接 {where} 上的 PostgreSQL 数据库“{url.database}”（{reason[:120]}）。"
        "请检查数据库服务是否在运行、DATABASE_URL 的主机、端口、用户名和库名是否正确。"
    )


def main(argv: list[str] | None = None) -> int:
    from handlers.cli_parser import COMMAND, ChineseArgumentParser

    parser = ChineseArgumentParser(prog="bot.py", description="防返贫监测帮扶助手")
    sub = parser.add_subparsers(dest="command", required=True, title="命令", metavar=COMMAND)
    sub.add_parser("start", help="有令牌时启动 Telegram 机器人，否则启动控制台对话").set_defaults(
        func=cmd_start
    )
    run = sub.add_parser("run", help="启动 Telegram 机器人（默认长轮询）")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="以 webhook 方式运行（需要 WEBHOOK_URL 和 WEBHOOK_SECRET）",
    )
    run.set_defaults(func=cmd_run)
    chat = sub.add_parser("chat", help="控制台对话")
    chat.add_argument(
        "--as",
        dest="as_user",
        type=_user_id,
        metavar="用户ID",
        help="以这个 Telegram 用户 ID 的身份对话（默认 0：控制台操作员）",
    )
    chat.set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="回答一个问题（- 表示从标准输入逐行读取）")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="输出 JSON")
    ask.set_defaults(func=cmd_ask)
    check = sub.add_parser("check", help="检查知识库与对话 YAML")
    check.add_argument("--knowledge", metavar="DIR", help="检查这个知识库目录（默认本项目的）")
    check.set_defaults(func=cmd_check)
    kb = sub.add_parser("kb", help="工作人员教给机器人的问法：列出、写入 YAML、清除数据库副本")
    kb.add_argument(
        "action", choices=["learned", "export-learned", "clear-exported", "train-models"]
    )
    kb.add_argument("--knowledge", metavar="DIR", help="知识库目录（默认本项目的 knowledge/data）")
    kb.add_argument("--sets", metavar="DIR", help="train-models：问题集目录（默认 tests/data）")
    kb.add_argument(
        "--report", action="store_true", help="train-models：逐个留出问题集，列出各阈值的效果"
    )
    kb.set_defaults(func=cmd_kb)
    sub.add_parser(
        "doctor", help="检查配置、数据库、数据文件、Telegram 令牌与文件权限"
    ).set_defaults(func=cmd_doctor)
    db = sub.add_parser("db", help="数据库管理")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(func=cmd_db)
    export = sub.add_parser("export", help="导出申报记录与状态记录（Excel 或 CSV）")
    export.add_argument("--format", choices=["xlsx", "csv"], required=True, help="文件格式")
    export.add_argument(
        "--out",
        required=True,
        metavar="FILE|DIR",
        help="输出文件路径；给出目录时按范围、日期和导出时间命名（CSV：每个对话一个文件加状态记录）",
    )
    export.add_argument("--township", metavar="乡镇", help="只导出这个乡镇（街道）")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="提交日期不早于（含当天）")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="提交日期不晚于（含当天）")
    export.set_defaults(func=cmd_export)
    backup = sub.add_parser(
        "backup", help="备份数据库（SQLite 在线复制；PostgreSQL 给出 pg_dump 命令）"
    )
    backup.add_argument("file", metavar="FILE", help="备份文件（不能已存在）")
    backup.set_defaults(func=cmd_backup)
    sub.add_parser(
        "web", help="启动工作人员网页工作台（WEB_HOST、WEB_PORT、WEB_BASE_URL）"
    ).set_defaults(func=cmd_web)

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.command in {"run", "start"} else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("httpx", "alembic"):  # their INFO lines say nothing an operator needs
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(
            f"数据文件错误：{exc.problems[0]}（运行 python bot.py check 查看全部）", file=sys.stderr
        )
        return 2
    except OperationalError as exc:
        print(f"数据库错误：{_database_problem(exc)}", file=sys.stderr)
        return 2
    except SqliteFileError as exc:
        print(f"数据库错误：{_sqlite_problem(exc)}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
