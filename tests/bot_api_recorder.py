"""A Bot API on 127.0.0.1 for tests that run the bot as a real process: it answers every
method the way Telegram would (JSON that PTB parses) and records the calls.

    with BotApiRecorder() as api:
        env["TELEGRAM_BASE_URL"] = api.base_url
        ...
        api.wait_for("sendMessage")
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.telegram_fake import BOT_USER

# Methods whose answer is a Message; every other method answers True (getMe: the bot).
_MESSAGE_METHODS = {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}


def _form(raw: bytes, content_type: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A request body as Telegram reads it: url-encoded fields, or multipart/form-data with
    uploaded files (PTB sends documents and photos that way)."""
    if not content_type.startswith("multipart/form-data"):
        body = raw.decode("utf-8", "replace")
        return (dict(parse_qsl(body)) if body else {}), {}
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            files[str(name)] = data
        else:
            fields[str(name)] = data.decode("utf-8", "replace")
    return fields, files


class BotApiRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: list[tuple[str, str, bytes]] = []  # (method, field, bytes) of uploads
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                content_type = self.headers.get("Content-Type") or ""
                params, files = _form(raw, content_type)
                method = self.path.rsplit("/", 1)[-1]
                answer = json.dumps({"ok": True, "result": recorder._result(method, params)})
                with recorder._lock:
                    recorder.calls.append((method, params))
                    recorder.files.extend((method, name, data) for name, data in files.items())
                data = answer.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *_args: Any) -> None:  # quiet
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_BASE_URL should be (PTB appends the token and the method)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def _result(self, method: str, params: dict[str, str]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            time.sleep(0.2)  # a long poll that found nothing
            return []
        if method in _MESSAGE_METHODS:
            chat_id = int(params.get("chat_id", "1"))
            return {
                "message_id": next(self._ids),
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        return True

    def method(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [params for method, params in self.calls if method == name]

    def wait_for(self, name: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The calls of method `name`, once there is one (or [] after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.method(name)
            if found:
                return found
            time.sleep(0.05)
        return []

    def __enter__(self) -> BotApiRecorder:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
