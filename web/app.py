"""The app factory: the routes of every page, the static CSS, and the refusal pages.

`create_app(console)` returns the FastAPI app serving one `web.console.Console`; it holds no
state of its own beyond it, so several workers or processes can serve the same database.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from web import (
    routes_admin,
    routes_miniapp,
    routes_queue,
    routes_record,
    routes_signin,
    routes_stats,
    routes_teaching,
    texts,
)
from web.auth import CsrfFailed, Forbidden, NotFound, SignInRequired
from web.console import Console
from web.render import page, redirect

STATIC = Path(__file__).resolve().parent / "static"


def create_app(console: Console) -> FastAPI:
    app = FastAPI(title=texts.CONSOLE_TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console

    @app.middleware("http")
    async def private_pages(request: Request, call_next) -> Response:
        """Pages hold personal data: no cache keeps them, no browser guesses their type."""
        response = await call_next(request)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        routes_signin,
        routes_miniapp,
        routes_queue,
        routes_record,
        routes_stats,
        routes_teaching,
        routes_admin,
    ):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    def sign_in_first(request: Request, _exc: SignInRequired) -> Response:
        return redirect(request, "/signin")

    @app.exception_handler(NotFound)
    def not_found(request: Request, _exc: NotFound) -> Response:
        return page(
            request, "message.html", texts.PAGE_NOT_FOUND, message=texts.NOT_FOUND, status_code=404
        )

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, _exc: Forbidden) -> Response:
        return page(
            request, "message.html", texts.PAGE_FORBIDDEN, message=texts.FORBIDDEN, status_code=403
        )

    @app.exception_handler(CsrfFailed)
    def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return page(
            request,
            "message.html",
            texts.PAGE_FORBIDDEN,
            message=texts.CSRF_FAILED,
            status_code=403,
        )

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        message = texts.PAGE_MISSING if exc.status_code == 404 else str(exc.detail)
        return page(
            request,
            "message.html",
            texts.PAGE_NOT_FOUND,
            message=message,
            status_code=exc.status_code,
        )

    return app
