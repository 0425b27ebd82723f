"""The psychologist's data never enters the change log (the outbox a sync package is built from)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import (
    CONFIDENTIAL_TABLES,
    SYNCED_MODELS,
    AppUser,
    Base,
    ChangeLog,
    PsychClient,
    PsychSession,
    Synced,
)
from moc_desktop.services import auth, vault


def test_confidential_tables_are_not_synchronised():
    synced = {m.__tablename__ for m in SYNCED_MODELS}
    assert CONFIDENTIAL_TABLES.isdisjoint(synced)
    for table in CONFIDENTIAL_TABLES:
        model = next(m.class_ for m in Base.registry.mappers if m.class_.__tablename__ == table)
        assert not issubclass(model, Synced), table
    # users and their password hashes are installation-local too
    assert not issubclass(AppUser, Synced)


def test_every_text_column_of_the_journal_is_encrypted_or_countable():
    """Free text of a session lives only in *_enc columns (LargeBinary, marked confidential)."""
    for column in PsychSession.__table__.columns:
        if column.name.endswith("_enc"):
            assert column.info.get("confidential") is True
    assert PsychClient.__table__.c.secret.info.get("confidential") is True


def test_journal_writes_leave_no_trace_in_the_change_log(factory):
    with session_scope(factory) as s:
        auth.create_user(s, "psy", "Петрова Анна Сергеевна", "psychologist", "parol-12345")
    with session_scope(factory) as s:
        user = auth.authenticate(s, "psy", "parol-12345")
    assert user.journal_key is not None
    cipher = vault.FieldCipher(user.journal_key)
    with session_scope(factory) as s:
        before = s.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()).limit(1)) or 0
        entry = PsychSession(
            uuid="11111111-2222-3333-4444-555555555555",
            held_on=date(2026, 10, 1),
            client_category="pupil",
            client_class="7Б",
            client_code="О-0001",
            kind="consultation",
        )
        entry.request_enc = cipher.encrypt("Конфликт с одноклассниками", entry.uuid, "request")
        s.add(entry)
        s.add(
            PsychClient(code="О-0001", secret=cipher.encrypt('{"full_name": "Иванов Иван"}', "c1", "secret"))
        )
    with factory() as s:
        rows = s.scalars(select(ChangeLog).where(ChangeLog.seq > before)).all()
        assert [r.table_name for r in rows if r.table_name in CONFIDENTIAL_TABLES] == []
        stored = s.scalar(select(PsychSession.request_enc))
        assert "Конфликт".encode() not in stored
        assert (
            cipher.decrypt(stored, "11111111-2222-3333-4444-555555555555", "request")
            == "Конфликт с одноклассниками"
        )
