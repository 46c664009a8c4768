"""Pages from Jinja2 templates (web/templates), autoescaped: every value filled into a page is
HTML-escaped unless a template says otherwise (none does for user text).

`page()` adds what every page needs: the console's base path for links (`url('/queue')`), the
viewer with their role's menu, and the CSRF token the forms carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from review.access import ROLE_NAMES, Need
from web import texts
from web.auth import CSRF_FIELD, Viewer, console_of

TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def base_path(request: Request) -> str:
    """The path the console is served under (WEB_BASE_URL's path: nginx strips it)."""
    return urlsplit(console_of(request).settings.base_url).path.rstrip("/")


def url(request: Request, path: str) -> str:
    return f"{base_path(request)}{path}"


def menu(seen: Viewer | None) -> list[tuple[str, str]]:
    """(path, title) of the pages the viewer's role may open, in menu order."""
    if seen is None:
        return []
    items = [("/queue", texts.PAGE_QUEUE), ("/stats", texts.PAGE_STATS)]
    if seen.may(Need.REVIEW):
        items.append(("/unanswered", texts.PAGE_UNANSWERED))
    if seen.may(Need.ADMIN):
        items += [("/staff", texts.PAGE_STAFF), ("/audit", texts.PAGE_AUDIT)]
    return items


def page(
    request: Request,
    template: str,
    title: str,
    seen: Viewer | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    role = ROLE_NAMES.get(seen.who.role) if seen is not None and seen.who.role else None
    html = environment.get_template(template).render(
        title=title,
        console_title=texts.CONSOLE_TITLE,
        viewer=seen,
        role_name=role,
        menu=menu(seen),
        csrf_field=CSRF_FIELD,
        csrf=seen.csrf if seen is not None else "",
        url=lambda path: url(request, path),
        current=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def redirect(request: Request, path: str) -> RedirectResponse:
    """303: after a form, the browser GETs the page (reloading it does not post again)."""
    return RedirectResponse(url(request, path), status_code=303)
