"""Fresh migrated SQLite database per test; Qt offscreen before any QApplication; data folder in tmp_path."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from moc_desktop.db.engine import open_database  # noqa: E402


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MOC_DESKTOP_HOME", str(home))
    return home


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def db(db_url, tmp_path):
    """(engine, session factory) on a fresh migrated file."""
    engine, factory = open_database(db_url, tmp_path / "backups")
    yield engine, factory
    engine.dispose()


@pytest.fixture
def factory(db):
    return db[1]


@pytest.fixture
def session(factory):
    with factory() as s:
        yield s


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch):
    """Argon2 at low costs inside the test process. Hash strings and wrapped keys carry their own costs, so what a
    test writes still opens with the production costs (CLI tests run the real ones in a subprocess)."""
    from argon2 import PasswordHasher

    from moc_desktop.services import auth, vault

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(vault, "KDF_TIME_COST", 1)
    monkeypatch.setattr(vault, "KDF_MEMORY_KIB", 1024)
    monkeypatch.setattr(vault, "KDF_PARALLELISM", 1)
