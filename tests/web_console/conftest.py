"""The web console's tests (tests/web_console) share the suite's databases (tests/conftest.py's
`db`: a SQLite file, then a PostgreSQL schema) and, here, `console`: a `Console` on that
database with the cast of tests/web_console/support.py. They are grouped in a package of their
own as they load FastAPI, uvicorn and a browser, which the rest of the suite never needs.
"""

from __future__ import annotations

import pytest

from storage.database import Database
from tests.web_console.support import add_cast, make_console


@pytest.fixture
def console(db: Database):
    add_cast(db)
    return make_console(db)
