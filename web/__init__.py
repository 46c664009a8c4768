"""The staff web console: the review workbench in a browser, on the same core as the bot.

A request's way through:
1. `web.auth.viewer` reads the session cookie, finds the session row (storage.console_store)
   and asks `review.access.StaffAccess` — the bot's own rules — for the user's role and scope
   now (a removed staff member is signed out on the spot). Forms are checked for the
   session's CSRF token first (`web.auth.posted`).
2. A route (web.routes_*: one module per page) reads through the same stores and functions as
   the chat commands (`storage.repository`, `review.workflow`, `review.export`,
   `review.charts`), always within the viewer's scope, and writes the audit log as they do.
3. A status change or an assignment writes the notification to the outbox in the same
   transaction; the bot process sends it.
4. `web.render.page` fills a Jinja2 template (autoescaped) under web/templates.

Sign-in needs no password: /web in the bot sends a one-time link (assistant.web_signin).
Sessions and links live in the database, so any number of web processes can serve behind a
proxy. `python bot.py web` runs it with uvicorn (`web.app.create_app`). The console imports
review, storage, dialogs, common and assistant.config — never telegram.
"""
