"""Engine, sessions, pragmas, start-up migration with a backup first."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db import SCHEMA_HEAD, changes

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")


class DatabaseError(Exception):
    """A database problem with a message fit for the user (Russian)."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def backup_sqlite(db_file: Path, backups_dir: Path, reason: str = "") -> Path:
    """Copy the database into ``backups_dir`` with a dated name, using SQLite's online backup (WAL-safe)."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = f"-{reason}" if reason else ""
    target = backups_dir / f"{db_file.stem}-{stamp}{suffix}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = backups_dir / f"{db_file.stem}-{stamp}{suffix}-{n}.sqlite3"
    src = sqlite3.connect(str(db_file))
    try:
        dst = sqlite3.connect(str(target))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, backups_dir: Path | None = None) -> Path | None:
    """Bring the database to the newest schema. Backs a non-empty SQLite file up first.

    Returns the backup path when one was made. Refuses (``DatabaseError``) a database newer than this program.
    """
    rev = current_revision(engine)
    if rev == SCHEMA_HEAD:
        return None
    if rev is not None and rev not in KNOWN_REVISIONS:
        raise DatabaseError(
            f"База данных создана более новой версией программы (схема «{rev}»). "
            "Обновите МОЦ Desktop, чтобы работать с этим файлом."
        )
    backup = None
    db_file = sqlite_path(str(engine.url))
    if db_file and backups_dir and db_file.exists() and db_file.stat().st_size > 0 and rev is not None:
        backup = backup_sqlite(db_file, backups_dir, reason=f"before-{SCHEMA_HEAD}")
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
    return backup


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    changes.install()
    factory = sessionmaker(bind=engine, expire_on_commit=False, future=True)
    origin = installation_id(factory)
    factory.kw["info"] = {"origin": origin}
    return factory


def installation_id(factory: sessionmaker[Session]) -> str:
    """Stable identity of this installation (the ``origin`` of records made here)."""
    from moc_desktop.db.models import Setting, new_uuid

    with factory() as s:
        row = s.get(Setting, "installation_id")
        if row is None:
            row = Setting(key="installation_id", value=new_uuid())
            s.add(row)
            s.commit()
        return row.value


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    s = factory()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def open_database(url: str, backups_dir: Path | None) -> tuple[Engine, sessionmaker[Session]]:
    """Engine → migrate (after a backup) → session factory. Known SQLite failures become ``DatabaseError``."""
    engine = make_engine(url)
    try:
        migrate(engine, backups_dir)
    except DatabaseError:
        raise
    except Exception as exc:  # sqlite3/SQLAlchemy operational errors: corrupt, read-only, locked, not a db
        raise DatabaseError(explain_db_error(exc, url)) from exc
    return engine, make_session_factory(engine)


def explain_db_error(exc: BaseException, url: str) -> str:
    msg = str(exc).lower()
    where = sqlite_path(url) or url
    if "not a database" in msg or "malformed" in msg or "file is encrypted" in msg:
        return f"Файл «{where}» повреждён или не является базой МОЦ Desktop. Восстановите его из резервной копии."
    if "readonly" in msg or "read-only" in msg:
        return f"Файл базы «{where}» доступен только для чтения. Проверьте права доступа."
    if "locked" in msg or "busy" in msg:
        return f"База «{where}» занята другой программой. Закройте её и повторите."
    if "disk" in msg and "full" in msg:
        return "Недостаточно места на диске для работы с базой данных."
    if "unable to open" in msg:
        return f"Не удалось открыть базу «{where}». Проверьте путь и права доступа."
    return f"Ошибка базы данных «{where}»: {exc}"
