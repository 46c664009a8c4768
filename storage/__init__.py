"""Storage: SQLAlchemy models, engine set-up, alembic migrations and the named queries.

`open_database(url)` creates the engine (SQLite in WAL mode, or PostgreSQL), applies the
migrations and returns a `Database`; everything else reads and writes through the
repositories in `storage.repository`, one short transaction per call.
"""
