"""Core replies → Telegram messages and keyboards; Telegram updates → core `Incoming`."""

from __future__ import annotations

from functools import partial

from telegram import Message, Update, User

from common.messages import WEB_APP, Button, Incoming, Media, Reply


def display_name(user: User) -> str | None:
    """What staff call this user: the Telegram full name, else @username (None: neither)."""
    full = " ".join(user.full_name.split())
    if full:
        return full
    return f"@{user.username}" if user.username else None


def media_of(message: Message) -> Media | None:
    """The kind of a message without text, as the core names it (None: text, or nothing the
    core is told about). An animation also carries a document: it is asked first."""
    if message.text is not None:
        return None
    kinds = (
        (message.voice, Media.VOICE),
        (message.audio, Media.AUDIO),
        (message.video_note, Media.VIDEO_NOTE),
        (message.video, Media.VIDEO),
        (message.sticker, Media.STICKER),
        (message.photo, Media.PHOTO),
        (message.animation, Media.OTHER),
        (message.document, Media.DOCUMENT),
        (message.location or message.venue, Media.LOCATION),
        (message.poll or message.dice or message.game or message.story, Media.OTHER),
    )
    return next((media for content, media in kinds if content), None)


def to_incoming(update: Update) -> Incoming | None:
    """What the user did, or None for updates the bot ignores (edits, channel posts …)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    sender = partial(
        Incoming,
        user_id=user.id,
        chat_id=chat.id,
        update_id=update.update_id,
        display_name=display_name(user),
        username=user.username,
    )
    if update.callback_query is not None:
        return sender(callback=update.callback_query.data or "")
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        # Only a contact the user shares of themselves counts as their phone number; a card
        # without a user id is someone's phone-book entry, not the sender's own number.
        own = message.contact.user_id == user.id
        return sender(
            contact_phone=message.contact.phone_number,
            contact_is_own=own,
        )
    media = media_of(message)
    if media is not None:
        # A photo comes in several sizes, the largest last: staff are sent that one by its id.
        photo = message.photo[-1] if media == Media.PHOTO else None
        return sender(
            text=message.caption or "",
            media=media,
            file_id=photo.file_id if photo else None,
            file_unique_id=photo.file_unique_id if photo else None,
            file_size=photo.file_size if photo else None,
        )
    text = message.text or ""
    if text.startswith("/") and text[1:].split():
        head, *args = text[1:].split()
        command = head.split("@", 1)[0].lower()
        return sender(text=text, command=command, args=tuple(args))
    return sender(text=text)


def button_data(button: Button) -> dict[str, object]:
    """An inline button as the Bot API takes it: sending its data back, or (WEB_APP + URL)
    opening the URL as a Mini App."""
    if button.data.startswith(WEB_APP):
        return {"text": button.label, "web_app": {"url": button.data[len(WEB_APP) :]}}
    return {"text": button.label, "callback_data": button.data}


def markup_data(reply: Reply) -> dict[str, object] | None:
    """The keyboard for one reply as the Bot API takes it (`reply_markup`): inline buttons, a
    reply keyboard, or removal of one; None for none. Plain data, not PTB's keyboard objects:
    replies go out through `Bot.do_api_request` (see `handlers.telegram_app.send_stored`)."""
    if reply.buttons:
        return {"inline_keyboard": [[button_data(b) for b in row] for row in reply.buttons]}
    if reply.keyboard or reply.request_contact:
        rows: list[list[dict[str, object]]] = []
        if reply.request_contact:
            rows.append([{"text": reply.request_contact, "request_contact": True}])
        rows.extend([{"text": label} for label in row] for row in reply.keyboard or [])
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    if reply.remove_keyboard:
        return {"remove_keyboard": True}
    return None


TELEGRAM_LIMIT = 4096


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of `line` within `limit` units, and the rest (never halving a char)."""
    units = 0
    for index, char in enumerate(line):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return line[:index], line[index:]
    return line, ""


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram's size limit applies per message, in UTF-16 code units: cut long texts between
    lines (the core keeps each HTML tag within one line), and a line longer than the limit at
    the limit."""
    if telegram_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while telegram_length(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            head, line = _cut(line, limit)
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if telegram_length(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
