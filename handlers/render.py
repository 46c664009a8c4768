"""Core replies → Telegram messages and keyboards; Telegram updates → core `Incoming`."""

from __future__ import annotations

from functools import partial

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)

from common.messages import Incoming, Reply
from handlers import texts


def display_name(user: User) -> str | None:
    """What staff call this user: the Telegram full name, else @username (None: neither)."""
    full = " ".join(user.full_name.split())
    if full:
        return full
    return f"@{user.username}" if user.username else None


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
        # Only a contact the user shares of themselves counts as their phone number.
        own = message.contact.user_id in (None, user.id)
        return sender(
            contact_phone=message.contact.phone_number if own else None,
            text="" if own else texts.FORWARDED_CONTACT,
        )
    text = message.text or ""
    if text.startswith("/") and text[1:].split():
        head, *args = text[1:].split()
        command = head.split("@", 1)[0].lower()
        return sender(text=text, command=command, args=tuple(args))
    return sender(text=text)


def reply_markup(reply: Reply):
    """The keyboard for one reply: inline buttons, a reply keyboard, or removal of one."""
    if reply.buttons:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                for row in reply.buttons
            ]
        )
    if reply.keyboard or reply.request_contact:
        rows: list[list[KeyboardButton]] = []
        if reply.request_contact:
            rows.append([KeyboardButton(reply.request_contact, request_contact=True)])
        rows.extend([KeyboardButton(label) for label in row] for row in reply.keyboard or [])
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram's size limit applies per message: cut long texts between lines (the core keeps
    each HTML tag within one line), and a line longer than the limit at the limit."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
