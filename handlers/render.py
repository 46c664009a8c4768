"""Core replies → Telegram messages and keyboards; Telegram updates → core `Incoming`."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from common.messages import Incoming, Reply
from handlers import texts


def to_incoming(update: Update) -> Incoming | None:
    """What the user did, or None for updates the bot ignores (edits, channel posts …)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    if update.callback_query is not None:
        return Incoming(
            user_id=user.id,
            chat_id=chat.id,
            callback=update.callback_query.data or "",
            update_id=update.update_id,
        )
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        # Only a contact the user shares of themselves counts as their phone number.
        own = message.contact.user_id in (None, user.id)
        return Incoming(
            user_id=user.id,
            chat_id=chat.id,
            contact_phone=message.contact.phone_number if own else None,
            text="" if own else texts.FORWARDED_CONTACT,
            update_id=update.update_id,
        )
    text = message.text or ""
    if text.startswith("/") and text[1:].split():
        head, *args = text[1:].split()
        command = head.split("@", 1)[0].lower()
        return Incoming(
            user_id=user.id,
            chat_id=chat.id,
            text=text,
            command=command,
            args=tuple(args),
            update_id=update.update_id,
        )
    return Incoming(user_id=user.id, chat_id=chat.id, text=text, update_id=update.update_id)


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
