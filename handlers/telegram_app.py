"""The Telegram bot: one PTB `Application` whose handlers all funnel into `Assistant.handle`.

`build_application()` wires settings, knowledge base and database; `bot.py run` starts long
polling or the webhook server on it. The core is synchronous (SQLAlchemy), so each update runs
in one of the core's two worker threads (`assistant.core_threads`); updates of different users
run side by side (`update_processor`).
Outgoing requests go through `DeliveryLimiter`: Telegram's flood limits, retries, and a log line
for a message that could not be delivered.

Every update goes through `handle_durably` (flood control → receive → apply → send, see
`storage.inbox`): stored in the inbox before Telegram is answered (`StoringQueue`), applied once,
its replies sent from the outbox; called directly (`process_update` without the queue) it is
received and applied in one transaction. On start `recover_durably` applies and sends whatever a
crash left behind, and from then on every `SWEEP_EVERY` seconds `sweep_forever` does the same for
updates stuck in the inbox and replies due in the outbox (a dead sender's, a failed attempt's,
a notification written by the web console), whichever instance gets to them first.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from contextlib import suppress
from functools import partial
from typing import Any

from telegram import Bot, BotCommand, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from assistant.config import ConfigError, Settings, load_settings
from assistant.core_threads import in_core
from assistant.flood import DROP, WARN, FloodControl
from assistant.service import Assistant
from assistant.worker import (
    Outgoing,
    PermanentFailure,
    deliver,
    recover_and_deliver,
    settle_waiting,
    sweep,
)
from common.messages import Incoming, Reply
from handlers import texts
from handlers.render import markup_data, split_message, to_incoming
from handlers.update_processor import PerUserUpdateProcessor

log = logging.getLogger(__name__)


def assistant_of(context: ContextTypes.DEFAULT_TYPE) -> Assistant:
    return context.application.bot_data["assistant"]


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every message, command and button tap: ask the core, then show its replies."""
    if update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE:
        await refuse_group(update)
        return
    await handle_durably(context.application, update)


# --- durable handling: inbox → core → outbox (storage/inbox.py has the whole flow) -----------


class StoringQueue(asyncio.Queue):
    """PTB's update queue, storing every update of a private chat in the inbox before `put`
    returns. Long polling asks Telegram for the next batch (which acknowledges this one) and
    the webhook server answers 200 only after `put`, so an update is stored before Telegram
    counts it as delivered. Flood control is applied here, before storing and in the same
    transaction, so the excess is never stored; its verdict waits in `verdicts` for
    `handle_durably` (the same process)."""

    def __init__(self) -> None:
        super().__init__()
        self.application: Application | None = None  # set once the application is built
        self.verdicts: dict[int, str] = {}

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.application is not None:
            await self._receive(self.application, item)
        await super().put(item)

    async def _receive(self, application: Application, update: Update) -> None:
        chat = update.effective_chat
        incoming = to_incoming(update)
        if incoming is None or chat is None or chat.type != ChatType.PRIVATE:
            return  # never processed: nothing to store
        assistant: Assistant = application.bot_data["assistant"]
        flood: FloodControl = application.bot_data["flood"]
        origin = origin_of(update)
        verdict = await in_core(
            admit_and_receive, assistant, flood, update.update_id, incoming, origin
        )
        if len(self.verdicts) > MAX_PENDING_VERDICTS:  # updates that never reached a handler
            self.verdicts.clear()
        self.verdicts[update.update_id] = verdict


MAX_PENDING_VERDICTS = 10_000


def admit_and_receive(
    assistant: Assistant,
    flood: FloodControl,
    update_id: int,
    incoming: Incoming,
    origin: dict[str, Any],
) -> str:
    """Flood control's verdict and, when served, the update stored: one durable transaction."""
    with assistant.db.unit_of_work(durable=True, crash_at=None):
        verdict = flood.admit(incoming.user_id)
        if verdict not in (WARN, DROP):
            assistant.inbox.receive(update_id, incoming, origin)
    return verdict


async def handle_durably(application: Application, update: Update) -> None:
    """Apply the update once in a worker thread and send its replies from the outbox.

    Through the `StoringQueue` (production) the update is stored already: apply it
    (`process_stored`, one relaxed transaction). Called directly (`process_update` without
    the queue: tests, benchmarks) flood control, receiving and applying are one durable
    transaction (`process_received`). Either way its replies are written claimed, sent, and
    settled in one more transaction (see `storage.inbox`)."""
    incoming = to_incoming(update)
    if incoming is None:
        return
    queue = application.update_queue
    verdict = (
        queue.verdicts.pop(update.update_id, None) if isinstance(queue, StoringQueue) else None
    )
    assistant: Assistant = application.bot_data["assistant"]
    if verdict is None:  # not through the queue (process_update called directly)
        flood: FloodControl = application.bot_data["flood"]
        origin = origin_of(update)
        try:
            processed = await in_core(
                assistant.process_received, update.update_id, incoming, origin, flood
            )
        except Exception:  # kept for the sweep to try again, like an update the queue stored
            await in_core(assistant.inbox.receive, update.update_id, incoming, origin)
            raise
        verdict, items = processed.verdict, processed.items
    elif verdict not in (WARN, DROP):
        items = await in_core(assistant.process_stored, update.update_id)
    if verdict in (WARN, DROP):
        await slow_down(update, application.bot, incoming, warn=verdict == WARN)
        return
    if update.callback_query is not None:  # the spinner stops, with the core's notice if any
        await update.callback_query.answer(
            next((i.reply.text for i in items if i.reply.toast), None)
        )
    await deliver(assistant.outbox, items, partial(send_stored, application.bot))


async def recover_durably(application: Application) -> int:
    """On start: apply the updates a crash left in the inbox and send the replies it left in
    the outbox; how many replies were sent."""
    assistant: Assistant = application.bot_data["assistant"]
    return await recover_and_deliver(assistant, partial(send_stored, application.bot))


# How often every instance sweeps the inbox and the outbox (`assistant.worker.sweep`).
SWEEP_EVERY = 5.0


async def sweep_durably(application: Application) -> int:
    """One sweep: updates stuck in the inbox, replies due in the outbox; replies sent."""
    assistant: Assistant = application.bot_data["assistant"]
    send = partial(send_stored, application.bot)
    return await sweep(assistant, send)


async def sweep_forever(application: Application, every: float = SWEEP_EVERY) -> None:
    """Sweep every `every` seconds until cancelled; a failing sweep is logged and the next
    one comes as usual."""
    while True:
        await asyncio.sleep(every)
        try:
            await sweep_durably(application)
        except Exception:
            log.exception("sweeping the inbox and outbox failed")


def origin_of(update: Update) -> dict[str, Any]:
    """What sending needs later beside the `Incoming`: the message whose button was tapped."""
    query = update.callback_query
    if query is not None and query.message is not None:
        return {"message_id": query.message.message_id}
    return {}


async def send_stored(bot: Bot, item: Outgoing) -> None:
    """One stored reply as a message, an edit, a file, a chart or a notification to another
    chat; Telegram refusing it for good (blocked, chat not found, malformed) is a
    `PermanentFailure`."""
    reply, chat_id = item.reply, item.chat_id
    html = ParseMode.HTML
    try:
        if reply.toast:  # shown on the tapped button already (`handle_durably`), or too late
            return
        if reply.to_chat is not None:
            await notify(bot, reply, chat_id)
            return
        if item.document is not None:
            await bot.send_document(
                chat_id, item.document, filename=reply.filename, caption=reply.text, parse_mode=html
            )
            return
        # a chart's bytes, or a photo Telegram holds, sent again by its file id
        photo = reply.photo if reply.photo is not None else reply.photo_id
        if photo is not None:
            await bot.send_photo(chat_id, photo, caption=reply.text, parse_mode=html)
            return
        message_id = item.origin.get("message_id")
        markup = markup_data(reply)
        if reply.edit and message_id is not None:
            edit = {"chat_id": chat_id, "message_id": message_id, "text": reply.text}
            try:
                await call_api(bot, "editMessageText", {**edit, "reply_markup": markup})
            except BadRequest as exc:  # "message is not modified" after a double tap
                if "not modified" not in str(exc).lower():
                    raise
            return
        *head, last = split_message(reply.text)
        for chunk in head:
            await call_api(bot, "sendMessage", {"chat_id": chat_id, "text": chunk})
        await call_api(
            bot, "sendMessage", {"chat_id": chat_id, "text": last, "reply_markup": markup}
        )
    except (Forbidden, BadRequest) as exc:
        raise PermanentFailure(exc.message) from exc


# Replies and edits, the requests nearly every update makes, go out as plain Bot API calls
# (`do_api_request`, keyboards as `markup_data`): `send_message` would build keyboard objects
# only to serialise them, and parse Telegram's answer into a `Message` nobody reads — about
# 0.18 ms of an update's 2–3 ms. Requests still pass the rate limiter and raise PTB's errors;
# PTB's nudge towards `send_message` is silenced for these two methods only.
warnings.filterwarnings(
    "ignore", r"Please use 'Bot\.(sendMessage|editMessageText)'", PTBUserWarning
)


async def call_api(bot: Bot, method: str, params: dict[str, Any]) -> None:
    """One Bot API request with the text as HTML; parameters that are None are left out."""
    await bot.do_api_request(method, api_kwargs={**params, "parse_mode": ParseMode.HTML})


async def notify(bot: Bot, reply: Reply, chat_id: int) -> None:
    """A notification to another chat. What it reports is recorded already, so a chat Telegram
    refuses — blocked (Forbidden) or never opened (BadRequest "chat not found") — is not an
    error: the acting user (`chat_id`) is told the other person was not notified."""
    assert reply.to_chat is not None
    try:
        await bot.send_message(reply.to_chat, reply.text, parse_mode=ParseMode.HTML)
    except (Forbidden, BadRequest) as exc:
        log.info("could not notify chat %s: %s", reply.to_chat, exc.message)
        text = reply.undelivered or texts.NOT_NOTIFIED
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)


async def slow_down(update: Update, bot: Bot, incoming: Incoming, *, warn: bool) -> None:
    """Over the flood limit: the core never sees the update; the first one over is told to
    slow down, the rest get nothing (a tap only its spinner stopped)."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.SLOW_DOWN if warn else None)
    elif warn:
        await bot.send_message(incoming.chat_id, texts.SLOW_DOWN)


async def refuse_group(update: Update) -> None:
    """Personal data must not reach a group: answer only a command there, pointing to a
    private chat."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.PRIVATE_ONLY)
    elif update.message is not None and (update.message.text or "").startswith("/"):
        await update.message.reply_text(texts.PRIVATE_ONLY)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with the update id; tell the user, without a traceback."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        text = assistant_of(context).qa.error_text()
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except Exception:  # the network may be what failed; the log already has it
            log.warning("could not tell chat %s about the error", update.effective_chat.id)


# Waits before the 2nd, 3rd and 4th attempt of a request that failed on the network (timeout,
# connection reset, Telegram's 5xx). A timed-out message may have arrived after all, so a retry
# can show it twice; that is better than losing an answer or a notification.
NETWORK_RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0, 10.0)
# How often a request that Telegram refused with 429 is retried, after the wait it names.
FLOOD_RETRIES = 3


class DeliveryLimiter(AIORateLimiter):
    """PTB's rate limiter (30 messages a second overall, 20 a minute per group; a 429 waits for
    its retry_after and is retried), plus bounded retries of network failures. A request that
    finally fails is logged with its method and chat id — never its text — and the error goes
    on to the update's error handler, which tells the user something went wrong."""

    def __init__(self) -> None:
        super().__init__(max_retries=FLOOD_RETRIES)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        delays = iter(NETWORK_RETRY_DELAYS)
        attempt = 1
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # our request was wrong: trying again changes nothing
                raise
            except NetworkError as exc:
                delay = next(delays, None)
                if delay is None:
                    _undelivered(endpoint, data, attempt, exc)
                    raise
                log.warning(
                    "%s to chat %s failed (%s); retry %d in %.0f s",
                    endpoint,
                    data.get("chat_id"),
                    type(exc).__name__,
                    attempt,
                    delay,
                )
                attempt += 1
                await asyncio.sleep(delay)
            except RetryAfter as exc:
                _undelivered(endpoint, data, attempt + FLOOD_RETRIES, exc)
                raise


def _undelivered(endpoint: str, data: dict, attempts: int, exc: Exception) -> None:
    log.error(
        "%s to chat %s not delivered after %d attempts: %s",
        endpoint,
        data.get("chat_id"),
        attempts,
        type(exc).__name__,
    )


async def register_commands(application: Application) -> None:
    commands = application.bot_data["assistant"].menu_commands()
    await application.bot.set_my_commands([BotCommand(name, desc) for name, desc in commands])


async def on_start(application: Application) -> None:
    """Before the first update: the command menu, what a crash left undone, and the sweep
    that from now on finishes what is left (stopped by `on_stop`); the parsers loaded on first
    use are loaded meanwhile (`warm_up`)."""
    await register_commands(application)
    await recover_durably(application)
    application.bot_data["sweeper"] = asyncio.create_task(sweep_forever(application))
    application.bot_data["warming"] = asyncio.create_task(warm_up(application))


async def warm_up(application: Application) -> None:
    """`Assistant.warm_up` in a core thread, while the other serves the first updates."""
    assistant: Assistant = application.bot_data["assistant"]
    try:
        await in_core(assistant.warm_up)
    except Exception:  # the first user to need it loads it then, as before
        log.exception("warming up the parsers failed")


async def on_stop(application: Application) -> None:
    """The sweep stopped, and the "sent" marks still waiting written (else a restart would
    send those replies again)."""
    sweeper: asyncio.Task | None = application.bot_data.pop("sweeper", None)
    if sweeper is not None:
        sweeper.cancel()
        with suppress(asyncio.CancelledError):
            await sweeper
    warming: asyncio.Task | None = application.bot_data.pop("warming", None)
    if warming is not None:  # a thread cannot be stopped halfway through an import
        await warming
    await settle_waiting(application.bot_data["assistant"].outbox)


def build_application(
    settings: Settings | None = None,
    *,
    assistant: Assistant | None = None,
    request: BaseRequest | None = None,
    limit_rate: bool = True,
) -> Application:
    """The configured PTB application. `request` replaces the HTTP layer (tests);
    `limit_rate=False` leaves out `DeliveryLimiter` (benchmarks measure the bot, not
    Telegram's 30 messages a second)."""
    settings = settings or load_settings()
    if not settings.telegram_token:
        raise ConfigError(texts.NO_TOKEN)
    if assistant is None:
        from assistant.bootstrap import build_assistant

        assistant = build_assistant(settings)

    queue = StoringQueue()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .update_queue(queue)
        .post_init(on_start)
        .post_stop(on_stop)
        .concurrent_updates(PerUserUpdateProcessor())
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: Application = (
        builder.rate_limiter(DeliveryLimiter()).build() if limit_rate else builder.build()
    )
    queue.application = application
    application.bot_data["assistant"] = assistant
    application.bot_data["flood"] = FloodControl(assistant.db, settings.flood)
    application.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, on_update))
    application.add_handler(CallbackQueryHandler(on_update))
    application.add_error_handler(on_error)
    return application
