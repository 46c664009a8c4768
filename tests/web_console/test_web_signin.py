"""Signing in to the web console: /web in the bot, the one-time link, the session cookie, its
idle expiry, signing out, CSRF, and a removed staff member losing every session at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from assistant.service import Assistant
from storage.console_models import SignInToken, WebSession
from storage.console_store import digest
from storage.models import utcnow
from tests.chat import say
from tests.web_console.support import (
    ADMIN,
    REMOVED,
    RESIDENT,
    REVIEWER_A,
    add_cast,
    link_for,
    make_console,
    sign_in,
)


def test_staff_get_a_one_time_link_from_the_bot_and_residents_do_not(assistant, db):
    add_cast(db)
    [reply] = say(assistant, REVIEWER_A, "/web")
    assert "/login/" in reply.text and "10 分钟" in reply.text
    token = reply.text.split("/login/")[1].split()[0]
    with db.session() as session:
        stored = session.scalars(select(SignInToken)).all()
    assert [row.token_hash for row in stored] == [digest(token)], "stored hashed, never as sent"
    assert [row.user_id for row in stored] == [REVIEWER_A]

    [refusal] = say(assistant, RESIDENT, "/web")
    assert "/login/" not in refusal.text and "工作人员" in refusal.text


def test_the_link_signs_in_once_and_sets_a_safe_cookie(console):
    browser = sign_in(console, None)
    link = link_for(console, REVIEWER_A)
    page = browser.client.get(link)
    assert page.status_code == 200 and "进入工作台" in page.text
    response = browser.client.post(link)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = response.headers["set-cookie"]
    assert "fp_console=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here
    assert browser.client.get("/queue").status_code == 200

    again = sign_in(console, None)
    second = again.client.post(link)
    assert second.status_code == 400 and "已经用过" in second.text
    assert again.client.get("/queue").status_code == 303


def test_the_cookie_is_secure_when_the_console_is_reached_over_https(db):
    add_cast(db)
    console = make_console(db, base_url="https://fp.example.cn/console")
    browser = sign_in(console, None)
    response = browser.client.post(link_for(console, ADMIN))
    assert "Secure" in response.headers["set-cookie"]
    assert response.headers["location"] == "/console/queue"
    assert "Path=/console" in response.headers["set-cookie"]


def test_an_expired_link_signs_nobody_in(console):
    browser = sign_in(console, None)
    link = link_for(console, REVIEWER_A, lifetime=timedelta(minutes=10))
    with console.db.session() as session:
        session.execute(update(SignInToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = browser.client.post(link)
    assert response.status_code == 400 and "过期" in response.text
    assert browser.client.get("/queue").status_code == 303


def test_a_made_up_link_signs_nobody_in(console):
    browser = sign_in(console, None)
    assert browser.client.post("/login/not-a-token").status_code == 400


def test_a_session_idle_for_eight_hours_is_over(console):
    browser = sign_in(console, REVIEWER_A)
    with console.db.session() as session:
        session.execute(
            update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=8, minutes=1))
        )
    response = browser.client.get("/queue")
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    with console.db.session() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_a_session_used_within_eight_hours_goes_on(console):
    browser = sign_in(console, REVIEWER_A)
    with console.db.session() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=7)))
    assert browser.client.get("/queue").status_code == 200
    assert browser.client.get("/queue").status_code == 200  # the use above renewed it


def test_signing_out_ends_the_session(console):
    browser = sign_in(console, REVIEWER_A)
    response = browser.client.post("/logout", data={"csrf_token": browser.csrf})
    assert response.status_code == 303 and response.headers["location"] == "/signin?out=1"
    assert browser.client.get("/queue").status_code == 303
    with console.db.session() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_a_form_without_the_session_csrf_token_is_refused_and_changes_nothing(console):
    browser = sign_in(console, REVIEWER_A)
    other = sign_in(console, ADMIN)
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": other.csrf}):
        response = browser.client.post("/logout", data=data)
        assert response.status_code == 403 and "安全校验" in response.text
    assert browser.client.get("/queue").status_code == 200, "still signed in"


def test_a_removed_staff_member_loses_every_session_at_once(console, kb):
    first, second = sign_in(console, REMOVED), sign_in(console, REMOVED)
    bot = Assistant(kb, console.db, admin_ids=frozenset({ADMIN}))
    say(bot, ADMIN, f"/staff remove {REMOVED}")
    with console.db.session() as session:
        assert session.scalars(select(WebSession).where(WebSession.user_id == REMOVED)).all() == []
    for browser in (first, second):
        response = browser.client.get("/queue")
        assert response.status_code == 303 and response.headers["location"] == "/signin"


def test_a_session_of_someone_no_longer_staff_is_ended_on_their_next_request(console):
    browser = sign_in(console, REMOVED)
    console.directory.remove(REMOVED)  # removed behind the console's back: the row is checked
    assert browser.client.get("/queue").status_code == 303
    with console.db.session() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_the_sign_in_page_explains_web(console):
    page = sign_in(console, None).client.get("/signin")
    assert page.status_code == 200 and "/web" in page.text and "一次" in page.text


def test_staff_help_names_web(assistant, db):
    add_cast(db)
    replies = say(assistant, REVIEWER_A, "/help")
    assert any("/web 登录网页工作台" in reply.text for reply in replies)
