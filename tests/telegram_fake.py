"""An offline Telegram: a request layer that answers the Bot API locally and records every call.

`TelegramHarness` drives a real PTB `Application` through `process_update` and returns what
the user would see: the messages sent (text and buttons), edits and callback answers.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

# Telegram numbers updates for the bot, not per process: every harness draws from one counter.
_UPDATE_IDS = itertools.count(1)

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "助手", "username": "fanpin_test_bot"}


TEXT_LIMIT = 4096  # per message, in UTF-16 code units, as Telegram counts


def _telegram_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Telegram's answer when the bot writes to someone who never opened a chat with it.
CHAT_NOT_FOUND = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}


class FakeBotApi(BaseRequest):
    """Answers Bot API methods like Telegram would, without a network.

    Like Telegram, it sends messages only to chats that were opened: the chat of every user who
    wrote to the bot through the harness (or `open_chat`), and groups; to any other private
    chat, sendMessage answers 400 "chat not found"."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1000)
        self.open_chats: set[int] = set()

    def _is_open(self, chat_id: int) -> bool:
        return chat_id < 0 or chat_id in self.open_chats  # groups have negative ids

    def open_chat(self, chat_id: int) -> None:
        """The user `chat_id` has started the bot at some time (another instance saw it)."""
        self.open_chats.add(chat_id)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 1.0

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 1))
        message = {
            "message_id": int(params.get("message_id") or next(self._ids)),
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "document" in params:
            message["document"] = {"file_id": "doc", "file_unique_id": "doc"}
        if "photo" in params:
            message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        return message

    async def do_request(  # the fake ignores the timeouts
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        too_long = _telegram_length(str(params.get("text", ""))) > TEXT_LIMIT
        if name in {"sendMessage", "editMessageText"} and too_long:
            error = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message is too long",
            }
            return 400, json.dumps(error).encode()
        if name == "sendMessage" and not self._is_open(int(str(params.get("chat_id")))):
            return 400, json.dumps(CHAT_NOT_FOUND).encode()
        if name == "getMe":
            result: Any = BOT_USER
        elif name in {
            "sendMessage",
            "editMessageText",
            "sendDocument",
            "sendPhoto",
            "editMessageReplyMarkup",
        }:
            result = self._message(params)
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


@dataclass
class Seen:
    """What one user action made the bot do."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [p for n, p in self.calls if n in {"sendMessage", "editMessageText"}]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def _markups(self) -> list[dict[str, Any]]:
        found = []
        for message in self.messages:
            markup = message.get("reply_markup") or {}
            found.append(json.loads(markup) if isinstance(markup, str) else markup)
        return found

    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons (label, callback data) of every message, in order."""
        return [
            (b["text"], b.get("callback_data"))
            for markup in self._markups()
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def keyboard(self) -> list[str]:
        """Reply-keyboard keys of every message, in order."""
        return [
            b["text"] if isinstance(b, dict) else b
            for markup in self._markups()
            for row in markup.get("keyboard", [])
            for b in row
        ]

    def method(self, name: str) -> list[dict[str, Any]]:
        return [p for n, p in self.calls if n == name]


# What a message of each kind without text holds, as Telegram sends it (`send_media`).
MEDIA: dict[str, Any] = {
    "voice": {"file_id": "v", "file_unique_id": "v", "duration": 4, "mime_type": "audio/ogg"},
    "audio": {"file_id": "a", "file_unique_id": "a", "duration": 180},
    "video": {"file_id": "vd", "file_unique_id": "vd", "width": 1, "height": 1, "duration": 9},
    "video_note": {"file_id": "vn", "file_unique_id": "vn", "length": 240, "duration": 5},
    "sticker": {
        "file_id": "s",
        "file_unique_id": "s",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    },
    "document": {"file_id": "d", "file_unique_id": "d", "file_name": "申请表.docx"},
    "animation": {"file_id": "g", "file_unique_id": "g", "width": 1, "height": 1, "duration": 2},
    "location": {"latitude": 30.95, "longitude": 118.75},
    "venue": {
        "location": {"latitude": 30.95, "longitude": 118.75},
        "title": "水阳镇人民政府",
        "address": "水阳镇",
    },
    "dice": {"emoji": "🎲", "value": 3},
}


class TelegramHarness:
    def __init__(self, application: Application, api: FakeBotApi):
        self.app = application
        self.api = api
        self._update_ids = _UPDATE_IDS
        self._message_ids = itertools.count(1)
        self.profiles: dict[int, dict[str, Any]] = {}

    def profile(self, user_id: int, **names: Any) -> None:
        """Set the user's Telegram names: first_name, last_name, username."""
        self.profiles[user_id] = names

    def _user(self, user_id: int) -> dict[str, Any]:
        names = self.profiles.get(user_id, {"first_name": "村民"})
        return {"id": user_id, "is_bot": False, "language_code": "zh-hans", **names}

    async def _process(self, payload: dict[str, Any]) -> Seen:
        before = len(self.api.calls)
        sent = payload.get("message") or payload.get("callback_query") or {}
        self.api.open_chat(sent["from"]["id"])
        update = Update.de_json(payload, self.app.bot)
        await self.app.process_update(update)
        return Seen(self.api.calls[before:])

    def _message_payload(self, user_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private"},
            "from": self._user(user_id),
            **content,
        }
        return {"update_id": next(self._update_ids), "message": message}

    async def send(self, user_id: int, text: str, *, update_id: int | None = None) -> Seen:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        payload = self._message_payload(user_id, **content)
        if update_id is not None:
            payload["update_id"] = update_id
        return await self._process(payload)

    async def share_contact(
        self, user_id: int, phone: str, owner: int | None = None, *, card: bool = False
    ) -> Seen:
        """The user shares a contact: their own (default), another Telegram user's (`owner`),
        or a phone-book card with no Telegram user behind it (`card=True`)."""
        contact: dict[str, Any] = {"phone_number": phone, "first_name": "村民"}
        if not card:
            contact["user_id"] = owner or user_id
        return await self._process(self._message_payload(user_id, contact=contact))

    async def send_sticker(self, user_id: int) -> Seen:
        return await self.send_media(user_id, "sticker")

    async def send_media(self, user_id: int, kind: str, caption: str | None = None) -> Seen:
        """A message without text as Telegram delivers it: `kind` is one of `MEDIA` (voice,
        audio, video, video_note, sticker, document, location, venue, animation, dice);
        photos have `send_photo`."""
        content: dict[str, Any] = {kind: MEDIA[kind]}
        if kind == "animation":  # Telegram sends an animation as a document too
            content["document"] = MEDIA["document"]
        if caption is not None:
            content["caption"] = caption
        return await self._process(self._message_payload(user_id, **content))

    async def send_voice(self, user_id: int) -> Seen:
        return await self.send_media(user_id, "voice")

    async def send_photo(
        self,
        user_id: int,
        file_id: str = "AgACAgUAAxkBAAIBpGZ-photo-1",
        *,
        unique_id: str | None = None,
        size: int = 182_734,
        caption: str | None = None,
    ) -> Seen:
        """A photo as Telegram sends it: the same picture in several sizes, the largest last
        (`file_id`, `unique_id` and `size` are the largest one's). Nothing is downloaded."""
        unique = unique_id or f"u-{file_id}"
        sizes = [
            {"file_id": f"{file_id}-s", "file_unique_id": f"{unique}-s", "width": 90,
             "height": 67, "file_size": 1_203},
            {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 960,
             "file_size": size},
        ]  # fmt: skip
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return await self._process(self._message_payload(user_id, **content))

    async def tap(
        self, user_id: int, data: str, message_id: int = 1, *, update_id: int | None = None
    ) -> Seen:
        payload = {
            "update_id": update_id if update_id is not None else next(self._update_ids),
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": self._user(user_id),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": 1_700_000_000,
                    "chat": {"id": user_id, "type": "private"},
                    "from": BOT_USER,
                    "text": "…",
                },
            },
        }
        return await self._process(payload)
