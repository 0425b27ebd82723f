"""Start-up fast path: is an SQLite file already at the newest schema? Standard library only (no SQLAlchemy), so
the window can appear before the heavier database layer is imported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from moc_desktop.db import SCHEMA_HEAD


def sqlite_file_of(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.endswith(":memory:") or "?" in url:
        return None
    return Path(url[len(prefix) :])


def is_current(url: str) -> bool:
    """True only for an existing SQLite file whose ``alembic_version`` is ``SCHEMA_HEAD``; anything else (new,
    older, newer, damaged, not SQLite) goes through the full open with migration and its messages."""
    path = sqlite_file_of(url)
    if path is None or not path.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == SCHEMA_HEAD
