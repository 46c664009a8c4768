"""Signing in inside Telegram, as a Mini App.

GET /miniapp is the page the `web_app` button opens: Telegram puts the signed `initData` in
the page's URL fragment (#tgWebAppData=…), which a few lines of script copy into a form and
send (without script, the page says to use /web instead). POST /miniapp checks it
(web.miniapp: Telegram's HMAC, at most 1 hour old) and, for staff, starts a session as the
one-time link does; the signed data is the proof the form carries, as the link's token is.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from storage.models import utcnow
from web import texts
from web.auth import console_of
from web.miniapp import verified_user
from web.render import page
from web.routes_signin import start_session

router = APIRouter()


@router.get("/miniapp")
def miniapp_page(request: Request) -> Response:
    return page(request, "miniapp.html", texts.PAGE_SIGNIN)


@router.post("/miniapp")
async def miniapp_signin(request: Request) -> Response:
    console = console_of(request)
    form = await request.form()
    init_data = form.get("init_data")
    token = console.bot_token
    user_id = (
        verified_user(init_data, token, utcnow()) if isinstance(init_data, str) and token else None
    )
    if user_id is None or not console.access.who(user_id).is_staff:
        return page(
            request,
            "signin.html",
            texts.PAGE_SIGNIN,
            message=texts.MINIAPP_INVALID,
            status_code=400,
        )
    return start_session(request, user_id)
