"""Who is asking: the session cookie → the session row → the staff row, on every request.

`viewer` (a FastAPI dependency) finds the live session for the cookie and asks
`review.access.StaffAccess` for the user's role *now*: a staff member removed since signing in
has every session ended and is treated as signed out. `requires(need)` adds the role check of
a page; `posted(need)` is the same for a form, after checking the session's CSRF token (a form
without it, or with another session's, is refused with 403 before anything is read or changed).

The refusals are exceptions the app turns into pages (web.app): `SignInRequired` → redirect to
the page that explains /web; `NotFound` → 404 (also for a record outside the scope, exactly as
for one that does not exist); `Forbidden` → 403; `CsrfFailed` → 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from review.access import Need, StaffRole
from web.console import Console

COOKIE = "fp_console"
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    pass


class NotFound(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfFailed(Exception):
    pass


@dataclass(frozen=True)
class Viewer:
    who: StaffRole
    session_id: str
    csrf: str

    @property
    def user_id(self) -> int:
        return self.who.user_id

    def may(self, need: Need) -> bool:
        return self.who.may(need)


def console_of(request: Request) -> Console:
    console = request.app.state.console
    assert isinstance(console, Console)
    return console


def viewer(request: Request) -> Viewer:
    console = console_of(request)
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100:
        raise SignInRequired
    found = console.sessions.find(session_id)
    if found is None:
        raise SignInRequired
    who = console.access.who(found.user_id)
    if not who.is_staff:  # removed since signing in
        console.sessions.end_all(found.user_id)
        raise SignInRequired
    return Viewer(who, session_id, found.csrf)


def requires(need: Need) -> Callable[..., Viewer]:
    def dependency(seen: Annotated[Viewer, Depends(viewer)]) -> Viewer:
        if not seen.may(need):
            raise Forbidden
        return seen

    return dependency


@dataclass(frozen=True)
class Posted:
    """A form sent by a signed-in viewer with the right CSRF token."""

    viewer: Viewer
    form: FormData

    def get(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def get_all(self, name: str) -> list[str]:
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str) and v.strip()]


def posted(need: Need) -> Callable[..., Awaitable[Posted]]:
    async def dependency(request: Request, seen: Annotated[Viewer, Depends(viewer)]) -> Posted:
        form = await request.form()
        token = form.get(CSRF_FIELD)
        if not isinstance(token, str) or not hmac.compare_digest(
            token.encode("utf-8"), seen.csrf.encode("utf-8")
        ):
            raise CsrfFailed
        if not seen.may(need):
            raise Forbidden
        return Posted(seen, form)

    return dependency


# What a route asks for, as parameter types: `seen: Staff`, `sent: ReviewForm` …
Staff = Annotated[Viewer, Depends(requires(Need.STAFF))]
Reviewer = Annotated[Viewer, Depends(requires(Need.REVIEW))]
Admin = Annotated[Viewer, Depends(requires(Need.ADMIN))]
StaffForm = Annotated[Posted, Depends(posted(Need.STAFF))]
ReviewForm = Annotated[Posted, Depends(posted(Need.REVIEW))]
AdminForm = Annotated[Posted, Depends(posted(Need.ADMIN))]
