"""Signing in and out.

- GET /signin: how to sign in (send /web to the bot); where every signed-out request lands.
- GET /login/<token>: the link from /web shows one button; POST /login/<token> redeems the
  token (once, within its 10 minutes) and starts a session. Opening the link does not use it
  up by itself, so the preview a chat app fetches of a link cannot spend it; the unguessable
  one-time token in the URL is what the sign-in form carries instead of a CSRF token (there is
  no session yet).
- POST /logout: ends the session (with the session's CSRF token).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web import texts
from web.auth import COOKIE, StaffForm, console_of
from web.render import base_path, page, redirect

router = APIRouter()
MAX_TOKEN = 100


@router.get("/signin")
def signin(request: Request, out: str = "") -> Response:
    message = texts.SIGNED_OUT if out else ""
    return page(request, "signin.html", texts.PAGE_SIGNIN, message=message)


@router.get("/login/{token}")
def login_form(request: Request, token: str) -> Response:
    return page(request, "login.html", texts.PAGE_SIGNIN, token=token[:MAX_TOKEN])


@router.post("/login/{token}")
def login(request: Request, token: str) -> Response:
    console = console_of(request)
    user_id = console.tokens.redeem(token) if len(token) <= MAX_TOKEN else None
    if user_id is None or not console.access.who(user_id).is_staff:
        return page(
            request, "signin.html", texts.PAGE_SIGNIN, message=texts.LINK_INVALID, status_code=400
        )
    return start_session(request, user_id)


def start_session(request: Request, user_id: int) -> Response:
    """Sign `user_id` in: a new session (ending the browser's old one), its cookie, the queue."""
    console = console_of(request)
    old = request.cookies.get(COOKIE)
    if old and len(old) <= MAX_TOKEN:
        console.sessions.end(old)
    session_id, _csrf = console.sessions.start(user_id)
    response = redirect(request, "/queue")
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=console.settings.secure,
        path=base_path(request) or "/",
    )
    return response


@router.post("/logout")
def logout(request: Request, sent: StaffForm) -> Response:
    console_of(request).sessions.end(sent.viewer.session_id)
    response = redirect(request, "/signin?out=1")
    response.delete_cookie(COOKIE, path=base_path(request) or "/")
    return response
