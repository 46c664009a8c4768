"""What every page works with: the database and its stores, the dialog catalog, the access
rules (`review.access.StaffAccess`, the bot's own), the settings, the words of the
notifications the bot sends (`Notices`, given by the entry point: the console does not import
the bot's texts), and the knowledge entries' titles by id (`entry_titles`, given by the entry
point too: the console does not load the knowledge base)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.config import WebSettings
from dialogs.spec import Catalog
from review.access import StaffAccess
from storage.attachments import Attachments
from storage.console_store import SignInTokens, SubmissionSearch, WebSessions
from storage.database import Database
from storage.inbox import Outbox
from storage.repository import (
    AuditLog,
    People,
    ReviewStore,
    StaffDirectory,
    SubmissionStore,
    UnansweredLog,
)


@dataclass(frozen=True)
class Notices:
    """The notifications of a status change and an assignment, worded as the chat commands
    word them (assistant.texts): templates with {reference} {status} {phone} / {note}, and
    what the acting staff member is told when one cannot be delivered ({cadre})."""

    status: str
    status_undelivered: str
    assigned: str
    assigned_undelivered: str
    contact_phone: str


class Console:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        notices: Notices,
        settings: WebSettings | None = None,
        admin_ids: frozenset[int] = frozenset(),
        bot_token: str | None = None,
        entry_titles: Mapping[str, str] | None = None,
    ):
        self.db = db
        self.catalog = catalog
        self.notices = notices
        self.bot_token = bot_token  # checks a Mini App's initData (web.miniapp)
        self.settings = settings or WebSettings()
        self.directory = StaffDirectory(db)
        self.access = StaffAccess(self.directory, admin_ids)
        self.tokens = SignInTokens(db)
        self.sessions = WebSessions(db)
        self.review = ReviewStore(db)
        self.search = SubmissionSearch(db)
        self.submissions = SubmissionStore(db)
        self.audit = AuditLog(db)
        self.people = People(db)
        self.unanswered = UnansweredLog(db)
        self.outbox = Outbox(db)
        self.attachments = Attachments(db)
        self.entry_titles = dict(entry_titles or {})  # entry id → its question, in YAML order
