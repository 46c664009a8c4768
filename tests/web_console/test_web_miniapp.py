"""Signing in as a Telegram Mini App: `initData` is checked as Telegram specifies — the HMAC
with the key derived from "WebAppData" and the bot token, and `auth_date` at most 1 hour old."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.web_console.support import (
    ADMIN,
    RESIDENT,
    REVIEWER_A,
    add_cast,
    make_console,
    sign_in,
)
from web.miniapp import sign, verified_user

TOKEN = "123456789:AAH-test-token-for-the-mini-app-check"
NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)


def init_data(user_id: int, signed_at: datetime, token: str = TOKEN, **extra: str) -> str:
    """initData as Telegram builds it: fields, then the hash over them."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "王芳"}, ensure_ascii=False),
        "auth_date": str(int(signed_at.timestamp())),
        **extra,
    }
    fields["hash"] = sign(fields, token)
    return urlencode(fields)


def test_the_signature_is_computed_as_telegram_documents_it():
    # The data-check-string and key derivation, spelled out independently of web.miniapp.
    import hashlib
    import hmac

    fields = {"auth_date": "1700000000", "user": '{"id":7}', "query_id": "Q"}
    check = 'auth_date=1700000000\nquery_id=Q\nuser={"id":7}'
    key = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    assert sign(fields, TOKEN) == hmac.new(key, check.encode(), hashlib.sha256).hexdigest()


def test_valid_init_data_names_its_user():
    assert verified_user(init_data(REVIEWER_A, NOW - timedelta(minutes=5)), TOKEN, NOW) == 11


def test_a_wrong_hash_is_refused():
    good = init_data(REVIEWER_A, NOW)
    forged = good.replace("%22id%22%3A+11", "%22id%22%3A+1")  # someone else's id, same hash
    assert forged != good
    assert verified_user(forged, TOKEN, NOW) is None
    assert verified_user(init_data(REVIEWER_A, NOW, token="9:other-bots-token"), TOKEN, NOW) is None
    assert verified_user(init_data(REVIEWER_A, NOW) + "&hash=00", TOKEN, NOW) is None
    assert verified_user("", TOKEN, NOW) is None


def test_stale_init_data_is_refused():
    assert verified_user(init_data(REVIEWER_A, NOW - timedelta(minutes=59)), TOKEN, NOW) == 11
    assert verified_user(init_data(REVIEWER_A, NOW - timedelta(minutes=61)), TOKEN, NOW) is None
    assert verified_user(init_data(REVIEWER_A, NOW + timedelta(minutes=5)), TOKEN, NOW) is None


@pytest.fixture
def console(db):
    add_cast(db)
    console = make_console(db)
    console.bot_token = TOKEN
    return console


def test_staff_inside_telegram_are_signed_in_by_their_init_data(console):
    browser = sign_in(console, None)
    assert "tgWebAppData" in browser.client.get("/miniapp").text
    now = datetime.fromtimestamp(time.time(), tz=UTC)
    response = browser.client.post("/miniapp", data={"init_data": init_data(ADMIN, now)})
    assert response.status_code == 303 and "HttpOnly" in response.headers["set-cookie"]
    assert browser.client.get("/queue").status_code == 200


def test_residents_stale_or_forged_init_data_sign_nobody_in(console):
    now = datetime.fromtimestamp(time.time(), tz=UTC)
    for data in (
        init_data(RESIDENT, now),
        init_data(ADMIN, now - timedelta(hours=2)),
        init_data(ADMIN, now, token="9:other-bots-token"),
    ):
        browser = sign_in(console, None)
        response = browser.client.post("/miniapp", data={"init_data": data})
        assert response.status_code == 400 and "1 小时" in response.text
        assert browser.client.get("/queue").status_code == 303
