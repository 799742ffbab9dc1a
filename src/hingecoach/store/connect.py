"""Opening the store: the data-access layer (:mod:`~hingecoach.store.db`) and the schema
migrations that use it (:mod:`~hingecoach.store.migrations`) meet here, so neither imports the
other's importer."""

from __future__ import annotations

from hingecoach.store import migrations
from hingecoach.store.db import Database


def open_db(url: str | None = None, migrate: bool = True) -> Database:
    """Open the store (``HINGECOACH_DB`` or the user data dir by default), bringing its schema
    up to date. This is the entry point for the CLI, the web app and ``hinge analyze --log``."""
    db = Database(url)
    if migrate:
        migrations.migrate(db)
    return db
