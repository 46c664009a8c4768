"""The web console under test: a `Console` on the test database, its app behind Starlette's
test client, and the people of the access matrix signed in the way staff sign in (a one-time
link from /web, opened and confirmed).

The cast: admin 1 (ADMIN_IDS), reviewer 11 of 水阳镇 (乡镇 A), reviewer 12 of 狸桥镇 (乡镇 B),
cadre 21, resident 100, and staff member 31 who signs in and is then removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.config import WebSettings
from assistant.web_signin import notice_texts
from dialogs.spec import load_catalog
from knowledge.base import entry_titles
from storage.database import Database
from storage.repository import People, StaffDirectory

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from web.console import Console

# FastAPI and the console are imported when a test first uses them, not when pytest collects
# the tests: the tests that run before these ones measure memory (bench) and should not carry
# libraries they never use.


ADMIN, REVIEWER_A, REVIEWER_B, CADRE, RESIDENT, REMOVED = 1, 11, 12, 21, 100, 31
TOWNSHIP_A, TOWNSHIP_B = "水阳镇", "狸桥镇"
CONTACT_PHONE = "0563-2222222"
BASE_URL = "http://testserver"


def make_console(db: Database, base_url: str = BASE_URL) -> Console:
    from web.console import Console, Notices

    return Console(
        db,
        load_catalog(),
        Notices(**notice_texts(CONTACT_PHONE)),
        WebSettings(base_url=base_url),
        frozenset({ADMIN}),
        entry_titles=entry_titles(),
    )


def add_cast(db: Database) -> None:
    """The staff rows and the names staff see."""
    staff = StaffDirectory(db)
    staff.add(REVIEWER_A, "reviewer", [TOWNSHIP_A], added_by=ADMIN)
    staff.add(REVIEWER_B, "reviewer", [TOWNSHIP_B], added_by=ADMIN)
    staff.add(CADRE, "cadre", [], added_by=ADMIN)
    staff.add(REMOVED, "reviewer", [TOWNSHIP_A], added_by=ADMIN)
    people = People(db)
    for user_id, name in (
        (ADMIN, "管理员老周"),
        (REVIEWER_A, "审核员王芳"),
        (REVIEWER_B, "审核员刘强"),
        (CADRE, "村干部陈明"),
        (RESIDENT, "居民张三"),
    ):
        people.remember(user_id, name, None)


@dataclass
class Browser:
    """A test client, signed in as `user_id` (or not: None), with its session's CSRF token."""

    client: TestClient
    user_id: int | None
    csrf: str = ""


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def link_for(console: Console, user_id: int, lifetime: timedelta = timedelta(minutes=10)) -> str:
    """The path of a sign-in link as /web would send it."""
    return f"/login/{console.tokens.issue(user_id, lifetime)}"


def sign_in(console: Console, user_id: int | None) -> Browser:
    from fastapi.testclient import TestClient

    from web.app import create_app

    client = TestClient(create_app(console), follow_redirects=False)
    if user_id is None:
        return Browser(client, None)
    link = link_for(console, user_id)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 303, response.text
    page = client.get("/queue")
    assert page.status_code == 200, page.text
    return Browser(client, user_id, csrf_of(page.text))
