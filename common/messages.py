"""What flows between the adapters and the core: one `Incoming`, a list of `Reply`.

Reply text is Telegram-flavoured HTML (only <b>, <i>, <code>); every piece of user-typed text in
it is escaped with `html.escape` by the core. The console adapter strips the tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Media(StrEnum):
    """What a message held instead of text (`Incoming.media`): the adapter names it, the core
    decides the reply (a photo may be kept where a dialog step takes photos)."""

    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"  # a round video message
    STICKER = "sticker"
    PHOTO = "photo"
    DOCUMENT = "document"
    LOCATION = "location"  # a location or a venue
    OTHER = "other"  # anything else without text: an animation, a poll, a dice …


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: typed text, a command, a button tap, a shared contact, or a
    message the bot cannot read as text (`media`; a photo's caption is its `text`)."""

    user_id: int
    chat_id: int
    text: str = ""
    command: str | None = None  # without the slash, lower case: "start", "help" …
    args: tuple[str, ...] = ()
    callback: str | None = None  # data of a tapped inline button
    contact_phone: str | None = None  # from a shared contact card
    contact_is_own: bool = True  # the card is the sender's own ("share my phone number")
    update_id: int | None = None
    media: str | None = None  # a `Media` value: voice, sticker, photo …
    # A photo as the messenger keeps it (the file itself is never downloaded): its id for
    # sending it again, its id that stays the same across bots and sends, its size in bytes.
    file_id: str | None = None
    file_unique_id: str | None = None
    file_size: int | None = None
    # Who the user is on Telegram (full name, else @username) and their @username: staff are
    # shown names instead of ids. Personal data: never logged.
    display_name: str | None = None
    username: str | None = None


# A button whose data is WEB_APP + an https URL opens that page inside Telegram as a Mini App
# (the staff web console) instead of sending data back.
WEB_APP = "webapp:"


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data, at most 64 bytes (or WEB_APP + URL)


def paging_row(page: int, pages: int, previous: str, following: str, prefix: str) -> list[Button]:
    """The ⬅️ / ➡️ buttons of page `page` (from 0) of `pages`, their data `prefix:page`; none
    on a single page."""
    row = []
    if page > 0:
        row.append(Button(previous, f"{prefix}:{page - 1}"))
    if page + 1 < pages:
        row.append(Button(following, f"{prefix}:{page + 1}"))
    return row


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)  # inline keyboard rows
    keyboard: list[list[str]] | None = None  # reply keyboard (choices typed by tapping)
    request_contact: str | None = None  # label of a "share my phone number" key
    remove_keyboard: bool = False
    edit: bool = False  # replace the message whose button was tapped, instead of sending anew
    to_chat: int | None = None  # send to this chat instead (a notification to a resident)
    # With `to_chat`: what the acting user is told if the notification cannot be delivered
    # (the other person never opened the bot, or blocked it).
    undelivered: str | None = None
    document: Path | None = None  # a file to send (the adapter deletes it afterwards)
    filename: str | None = None
    photo: bytes | None = None  # a PNG to send, `text` as its caption
    # A photo the messenger already holds, sent again by its file id; `text` as its caption.
    photo_id: str | None = None
    # A brief notice on the tapped button (Telegram's callback answer), not a message.
    toast: bool = False

    def options(self) -> list[tuple[str, str | None]]:
        """Every choice offered, as (label, callback data or None for typed text)."""
        found: list[tuple[str, str | None]] = [
            (b.label, b.data) for row in self.buttons for b in row
        ]
        for row in self.keyboard or []:
            found.extend((label, None) for label in row)
        return found
