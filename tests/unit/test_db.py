"""Migrations, sync columns, change log, backups, refusal of a newer schema."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from moc_desktop.db import SCHEMA_HEAD
from moc_desktop.db.engine import (
    DatabaseError,
    alembic_config,
    backup_sqlite,
    current_revision,
    make_engine,
    migrate,
    open_database,
)
from moc_desktop.db.models import ChangeLog, RefIndicator, RefSchoolStatus, School

DATA = Path(__file__).resolve().parent.parent / "data"


def test_schema_head_constant_matches_alembic(db):
    engine, _ = db
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert script.get_current_head() == SCHEMA_HEAD


def test_migration_from_empty_file(tmp_path):
    f = tmp_path / "empty.sqlite3"
    f.touch()
    engine, factory = open_database(f"sqlite:///{f}", tmp_path / "b")
    assert current_revision(engine) == SCHEMA_HEAD
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(RefSchoolStatus)) == 8
        assert s.scalar(select(func.count()).select_from(RefIndicator)) == 23
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").iterdir())  # nothing to back up


def test_sqlite_pragmas(db):
    engine, _ = db
    with engine.connect() as c:
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_backup_copy_is_a_readable_dated_database(tmp_path):
    f = tmp_path / "old.sqlite3"
    engine, factory = open_database(f"sqlite:///{f}", None)
    with factory() as s:
        s.add(School(short_name="МКОУ «Старая СОШ»"))
        s.commit()
    b = backup_sqlite(f, tmp_path / "backups", reason="before-0002")
    engine.dispose()
    con = sqlite3.connect(b)
    assert con.execute("select short_name from school").fetchone()[0] == "МКОУ «Старая СОШ»"
    con.close()
    assert b.name.startswith("old-") and b.name.endswith("-before-0002.sqlite3")


@pytest.mark.parametrize("fixture", sorted(p.name for p in DATA.glob("schema-*.sqlite3")))
def test_each_released_schema_migrates_to_head(fixture, tmp_path):
    """One committed database per released schema revision (tests/data), each migrated to head with a backup."""
    f = tmp_path / fixture
    shutil.copy(DATA / fixture, f)
    engine, factory = open_database(f"sqlite:///{f}", tmp_path / "backups")
    assert current_revision(engine) == SCHEMA_HEAD
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(School)) >= 1
    old = fixture.removeprefix("schema-").removesuffix(".sqlite3")
    if old != SCHEMA_HEAD:  # an upgrade happened: the file was copied first
        (backup,) = (tmp_path / "backups").glob(f"{f.stem}-*-before-{SCHEMA_HEAD}.sqlite3")
        con = sqlite3.connect(backup)
        assert con.execute("select version_num from alembic_version").fetchone()[0] == old
        con.close()
    engine.dispose()


def test_newer_database_refused(tmp_path):
    f = tmp_path / "new.sqlite3"
    engine, _ = open_database(f"sqlite:///{f}", None)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="более новой версией"):
        migrate(make_engine(f"sqlite:///{f}"), tmp_path)


def test_corrupt_file_gives_russian_message(tmp_path):
    f = tmp_path / "bad.sqlite3"
    f.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseError, match="повреждён"):
        open_database(f"sqlite:///{f}", tmp_path)


def test_change_log_written_in_same_transaction(factory):
    with factory() as s:
        school = School(short_name="МБОУ «Тестовая СОШ»")
        s.add(school)
        s.commit()
        assert school.uuid and school.version == 1 and school.origin
        school.phone = "8 (34678) 2-11-11"
        s.commit()
        assert school.version == 2
        school.phone = "8 (34678) 2-11-11"  # no real change → no new version
        s.commit()
        assert school.version == 2
        log = s.scalars(select(ChangeLog).order_by(ChangeLog.seq)).all()
        assert [(e.op, e.version) for e in log] == [("insert", 1), ("update", 2)]
        assert {e.record_uuid for e in log} == {school.uuid}


def test_rollback_leaves_no_change_log(factory):
    with factory() as s:
        s.add(School(short_name="X"))
        s.flush()
        s.rollback()
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == 0
        assert s.scalar(select(func.count()).select_from(School)) == 0
