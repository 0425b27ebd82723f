"""Register numbers of documents: counted per calendar year (orders) or per body and year (protocols), without
gaps or duplicates — also when two windows or two programs register at the same moment.

Rule (DOMAIN «Documents», seed 003 «№ 448-од»): the next number is one more than the largest issued in that
register and year; a number is issued when the document is registered (signed), never for a draft, and a
cancelled document keeps its number, so the register has no holes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from moc_desktop.db.models import DocCounter


def next_number(issued: Iterable[int | None]) -> int:
    """One more than the largest number already issued (1 for an empty register)."""
    return max((n for n in issued if n is not None), default=0) + 1


def format_number(number: int | None, suffix: str = "") -> str:
    """«№ 448-од» (number plus the register suffix); an unregistered draft has «№ ___»."""
    return f"№ {number}{suffix}" if number is not None else "№ ___"


def allocate(session: Session, scope: str, year: int, issued_max_query=None) -> int:
    """Take the next number of ``scope``/``year`` inside the caller's transaction.

    Must be the transaction's first write: the UPDATE of the counter row takes SQLite's write lock at once, so a
    concurrent registration waits (busy timeout) and then sees the new value; PostgreSQL locks the row likewise.
    ``issued_max_query`` (a SELECT of the largest number present in the documents table, run after the lock is
    held) keeps the counter ahead of documents that arrived otherwise (imports, sync)."""
    bumped = session.execute(
        update(DocCounter)
        .where(DocCounter.scope == scope, DocCounter.year == year)
        .values(last=DocCounter.last + 1)
    ).rowcount
    if not bumped:
        session.execute(insert(DocCounter).values(scope=scope, year=year, last=1))
    last = session.scalar(select(DocCounter.last).where(DocCounter.scope == scope, DocCounter.year == year))
    issued_max = session.scalar(issued_max_query) if issued_max_query is not None else None
    n = max(last, (issued_max or 0) + 1)
    if n != last:
        session.execute(
            update(DocCounter).where(DocCounter.scope == scope, DocCounter.year == year).values(last=n)
        )
    return n


def max_query(column, *where):
    """SELECT max(column) WHERE … — for ``allocate``."""
    return select(func.max(column)).where(*where)
