"""The access matrix: every route of the web console for each kind of visitor — anonymous, a
resident, a cadre, the reviewers of 乡镇 A and of 乡镇 B, an admin, a removed staff member.

Signed-out visitors (anonymous, a resident's session, a removed staff member's) are sent to
the page that explains how to sign in, and nothing is changed. Staff get their role's pages;
other pages are 403. A record outside one's scope is 404, the very page of a record that does
not exist, for reading and for changing alike. No queue, export or chart shows a record
outside the scope.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
import pytest

from storage.inbox import Outbox
from storage.models import STATUS_CHECKING, STATUS_NEW
from storage.repository import AuditLog
from tests.web_console.support import (
    ADMIN,
    CADRE,
    REMOVED,
    RESIDENT,
    REVIEWER_A,
    REVIEWER_B,
    TOWNSHIP_A,
    TOWNSHIP_B,
    Browser,
    sign_in,
)

SIGNED_OUT = ("anonymous", "resident", "removed")
REVIEWERS = ("reviewer_a", "reviewer_b", "admin")
SEES_RECORD_A = ("reviewer_a", "admin")
PERSONAS = ("anonymous", "resident", "cadre", "reviewer_a", "reviewer_b", "admin", "removed")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {ref}: the record of 乡镇 A
    need: str  # staff, review, admin
    ok: int
    form: tuple[tuple[str, str], ...] = ()
    scoped: bool = False  # about the record of 乡镇 A

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = (
    Route("GET", "/", "staff", 303),
    Route("GET", "/queue", "staff", 200),
    Route("GET", "/queue?status=all&q={ref}", "staff", 200),
    Route("GET", "/records/{ref}", "staff", 200, scoped=True),
    Route(
        "POST",
        "/records/{ref}/status",
        "review",
        303,
        (("status", STATUS_CHECKING), ("note", "已电话联系")),
        scoped=True,
    ),
    Route("POST", "/records/{ref}/assign", "review", 303, (("cadre", str(CADRE)),), scoped=True),
    Route("GET", "/export", "review", 200),
    Route("GET", "/stats", "staff", 200),
    Route("GET", "/stats/chart.png", "staff", 200),
    Route("GET", "/unanswered", "review", 200),
    Route("GET", "/staff", "admin", 200),
    Route("POST", "/staff/add", "admin", 200, (("user_id", "98"), ("role", "cadre"))),
    Route("POST", "/staff/remove", "admin", 200, (("user_id", "99"),)),
    Route("GET", "/audit", "admin", 200),
    Route("POST", "/logout", "staff", 303),
)


def expected(persona: str, route: Route) -> int:
    if persona in SIGNED_OUT:
        return 303
    if route.need == "admin" and persona != "admin":
        return 403
    if route.need == "review" and persona not in REVIEWERS:
        return 403
    if route.scoped and persona not in SEES_RECORD_A:
        return 404
    return route.ok


@pytest.fixture
def record_a(make_submission) -> str:
    """A resident's report from 乡镇 A; and one from 乡镇 B beside it."""
    make_submission(township=TOWNSHIP_B, village="东风村", submitted_by=101, contact_name="赵六")
    return make_submission(submitted_by=RESIDENT, contact_name="张三")


def visitor(console, persona: str) -> Browser:
    from web.auth import COOKIE

    if persona == "resident":  # a session of someone who is not staff (never issued a link)
        browser = sign_in(console, None)
        session_id, csrf = console.sessions.start(RESIDENT)
        browser.client.cookies.set(COOKIE, session_id)
        return Browser(browser.client, RESIDENT, csrf)
    if persona == "removed":
        browser = sign_in(console, REMOVED)
        console.directory.remove(REMOVED)
        return browser
    user = {
        "anonymous": None,
        "cadre": CADRE,
        "reviewer_a": REVIEWER_A,
        "reviewer_b": REVIEWER_B,
        "admin": ADMIN,
    }[persona]
    return sign_in(console, user)


def call(browser: Browser, route: Route, reference: str):
    path = route.path.format(ref=reference)
    if route.method == "GET":
        return browser.client.get(path)
    data = {"csrf_token": browser.csrf, **dict(route.form)}
    return browser.client.post(path, data=data)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_answers_each_visitor_as_their_role_and_scope_allow(console, record_a, persona):
    browser = visitor(console, persona)
    missing = {
        route.method: call(browser, route, "FP999999")
        for route in ROUTES
        if (route.scoped and route.method == "GET") or route.path.endswith("/status")
    }
    wrong = []
    for route in ROUTES:
        response = call(browser, route, record_a)
        want = expected(persona, route)
        if response.status_code != want:
            wrong.append(f"{route}: {response.status_code}, expected {want}")
        elif want == 303 and persona in SIGNED_OUT:
            if response.headers["location"] != "/signin":
                wrong.append(f"{route}: redirected to {response.headers['location']}")
        elif want == 404:
            twin = missing["GET" if route.method == "GET" else "POST"]
            if (twin.status_code, twin.text) != (404, response.text):
                wrong.append(f"{route}: out of scope differs from a missing record")
    assert not wrong, "\n".join(wrong)
    submission = console.submissions.by_reference(record_a)
    assert submission is not None
    changed = submission.status != STATUS_NEW or submission.assigned_to is not None
    assert changed == (persona in SEES_RECORD_A)
    notified = {outgoing.target for outgoing in Outbox(console.db).pending()}
    assert notified == ({RESIDENT, CADRE} if persona in SEES_RECORD_A else set())


def test_signed_out_visitors_land_on_the_page_that_explains_how_to_sign_in(console):
    browser = sign_in(console, None)
    response = browser.client.get("/queue", follow_redirects=True)
    assert response.status_code == 200 and "/web" in response.text and "登录" in response.text


def test_nothing_outside_the_scope_shows_in_the_queue_the_export_or_the_statistics(
    console, record_a
):
    browser = sign_in(console, REVIEWER_B)
    for path in (
        f"/queue?status=all&q={record_a}",
        "/queue?status=all&q=张三",
        f"/queue?status=all&township={TOWNSHIP_A}",
        "/queue?status=all&sort=township",
    ):
        results = browser.client.get(path).text.split('class="summary"')[1]  # past the form
        assert ("共 0 条" in results) == ("q=" in path), path  # else 乡镇 B's own report
        assert record_a not in results and "张三" not in results, path
    export = browser.client.get(f"/export?status=all&township={TOWNSHIP_A}")
    assert export.status_code in (200, 303)
    export = browser.client.get("/export?status=all")
    workbook = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    }
    assert record_a not in cells and "张三" not in cells and "赵六" in cells
    stats = browser.client.get("/stats")
    assert "共 1 份申报" in stats.text and TOWNSHIP_A not in stats.text.split("</form>")[-1]
    chart_b = browser.client.get(f"/stats/chart.png?township={TOWNSHIP_A}")
    assert chart_b.status_code == 200


def test_a_cadre_sees_the_households_they_recorded_or_were_assigned(console, make_submission):
    own = make_submission(dialog="visit", township=TOWNSHIP_A, submitted_by=CADRE)
    assigned = make_submission(submitted_by=RESIDENT, assigned_to=CADRE)
    other = make_submission(submitted_by=RESIDENT)
    browser = sign_in(console, CADRE)
    page = browser.client.get("/queue?status=all").text
    assert own in page and assigned in page and other not in page
    assert browser.client.get(f"/records/{assigned}").status_code == 200
    assert browser.client.get(f"/records/{other}").status_code == 404


def test_every_record_view_is_in_the_audit_log_and_refusals_are_not(console, record_a):
    sign_in(console, REVIEWER_B).client.get(f"/records/{record_a}")
    sign_in(console, REVIEWER_A).client.get(f"/records/{record_a}")
    views = [(e.actor_id, e.target) for e in AuditLog(console.db).latest(20) if e.action == "view"]
    assert views == [(REVIEWER_A, record_a)]


@pytest.mark.parametrize("token", ["", "forged", "another session's"])
def test_no_form_changes_anything_without_its_sessions_csrf_token(console, record_a, token):
    admin, other = sign_in(console, ADMIN), sign_in(console, ADMIN)
    sent = {"": None, "forged": "x" * 43, "another session's": other.csrf}[token]
    for route in ROUTES:
        if route.method != "POST":
            continue
        data = dict(route.form) | ({"csrf_token": sent} if sent is not None else {})
        response = admin.client.post(route.path.format(ref=record_a), data=data)
        assert response.status_code == 403 and "安全校验" in response.text, route
    submission = console.submissions.by_reference(record_a)
    assert submission is not None
    assert (submission.status, submission.assigned_to) == (STATUS_NEW, None)
    assert Outbox(console.db).pending() == []
    assert console.directory.get(98) is None
    assert [e for e in AuditLog(console.db).latest(50) if e.action != "view"] == []
    assert admin.client.get("/queue").status_code == 200, "not signed out either"
