"""The psychologist's journal: encryption at rest, roles, audit, validation, paging, client codes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import AuditLog, PsychClient, PsychSession
from moc_desktop.services import auth, schools
from moc_desktop.services.auth import AccessDenied
from moc_desktop.services.common import ValidationError
from moc_desktop.services.psych import clients, files, journal, reports
from moc_desktop.services.psych.journal import JournalFilter, SessionData

SECRET = "Тревожность перед экзаменом ОГЭ-777"
NAME = "Воронцова Алиса Игоревна"
PASSWORD = "psy-secret-1"


def make_user(factory, login: str, role: str, full_name: str) -> auth.Principal:
    with session_scope(factory) as s:
        auth.create_user(s, login, full_name, role, PASSWORD)
    with session_scope(factory) as s:
        return auth.authenticate(s, login, PASSWORD)


@pytest.fixture
def psy(factory):
    return make_user(factory, "psy", "psychologist", "Иванова Мария Петровна")


def entry(**kw) -> SessionData:
    base = dict(
        held_on=date(2025, 10, 1),
        kind="consultation",
        client_category="pupil",
        client_class="7Б",
        client_code="О-0001",
    )
    return SessionData(**{**base, **kw})


def audit_rows(session, **where) -> list[AuditLog]:
    q = select(AuditLog).order_by(AuditLog.seq)
    for k, v in where.items():
        q = q.where(getattr(AuditLog, k) == v)
    return list(session.scalars(q))


# --- encryption at rest -------------------------------------------------------------------------------------------


def test_confidential_text_is_not_in_the_database_file(db, db_url, psy):
    engine, factory = db
    with session_scope(factory) as s:
        uid = journal.save_session(s, psy, entry(request=SECRET, notes="Заметка " + SECRET))
        clients.save_client(
            s, psy, clients.ClientData(code="О-0001", full_name=NAME, contacts="8 900 000-00-00")
        )
    engine.dispose()
    path = Path(db_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert len(raw) > 10_000
    assert SECRET.encode() not in raw
    assert "ОГЭ-777".encode() not in raw
    assert NAME.encode() not in raw
    assert "Воронцова".encode() not in raw
    with session_scope(factory) as s:
        got = journal.open_session(s, psy, uid)
        assert got.request == SECRET and got.notes == "Заметка " + SECRET
        assert clients.open_client(s, psy, "о-0001").full_name == NAME


def test_ciphertext_is_bound_to_its_record(factory, psy):
    with session_scope(factory) as s:
        a = journal.save_session(s, psy, entry(request=SECRET))
        b = journal.save_session(s, psy, entry(client_code="О-0002", request="другое"))
    with session_scope(factory) as s:
        ra, rb = (s.scalar(select(PsychSession).where(PsychSession.uuid == u)) for u in (a, b))
        rb.request_enc = ra.request_enc
    with session_scope(factory) as s:
        with pytest.raises(journal.JournalError, match="повреждена"):
            journal.open_session(s, psy, b)
        assert journal.open_session(s, psy, a).request == SECRET
        # the same ciphertext in another field of the same record does not open either
        ra = s.scalar(select(PsychSession).where(PsychSession.uuid == a))
        ra.result_enc = ra.request_enc
        with pytest.raises(journal.JournalError):
            journal.open_session(s, psy, a)


# --- roles --------------------------------------------------------------------------------------------------------


def test_other_roles_see_only_aggregates(factory, psy, tmp_path):
    with session_scope(factory) as s:
        uid = journal.save_session(s, psy, entry(request=SECRET))
    files.write_template(tmp_path / "t.xlsx")
    others = [
        make_user(factory, "meth", "methodist", "Петрова Анна Сергеевна"),
        make_user(factory, "boss", "head", "Сидорова Ольга Ивановна"),
        make_user(factory, "root", "admin", "Админов Админ"),
    ]
    flt = JournalFilter()
    calls = [
        lambda s, u: journal.list_sessions(s, u, flt),
        lambda s, u: journal.count_sessions(s, u, flt),
        lambda s, u: journal.open_session(s, u, uid),
        lambda s, u: journal.save_session(s, u, entry()),
        lambda s, u: journal.delete_session(s, u, uid),
        lambda s, u: journal.client_history(s, u, "О-0001"),
        lambda s, u: journal.work_kinds_journal(s, u, date(2025, 9, 1), date(2026, 8, 31)),
        lambda s, u: clients.list_clients(s, u),
        lambda s, u: clients.save_client(s, u, clients.ClientData(code="О-0009")),
        lambda s, u: clients.open_client(s, u, "О-0001"),
        lambda s, u: clients.delete_client(s, u, "О-0001"),
        lambda s, u: files.import_journal(s, u, tmp_path / "t.xlsx"),
    ]
    for user in others:
        with session_scope(factory) as s:
            for call in calls:
                with pytest.raises(AccessDenied, match="Недостаточно прав"):
                    call(s, user)
            got = reports.summary(s, user, date(2025, 9, 1), date(2026, 8, 31))
            assert got.sessions == 1 and got.children_served == 1
            assert got.by_kind["consultation"] == 1
    with session_scope(factory) as s:
        assert len(journal.list_sessions(s, psy, flt)) == 1  # nothing was changed by the refused calls


def test_psychologist_without_key_is_refused(factory, psy):
    locked = psy.without_key()
    with session_scope(factory) as s:
        for call in (
            lambda: journal.list_sessions(s, locked, JournalFilter()),
            lambda: journal.save_session(s, locked, entry()),
            lambda: clients.list_clients(s, locked),
        ):
            with pytest.raises(AccessDenied, match="Журнал не открыт"):
                call()
        with pytest.raises(AccessDenied, match="Войдите"):
            journal.list_sessions(s, None, JournalFilter())


# --- audit --------------------------------------------------------------------------------------------------------


def test_audit_of_open_and_edit(factory, psy):
    factory.kw.setdefault("info", {})
    auth.bind_actor(factory, psy)
    with session_scope(factory) as s:
        uid = journal.save_session(s, psy, entry(request="первый запрос", result="итог"))
    with session_scope(factory) as s:
        data = journal.open_session(s, psy, uid)
        data.request = SECRET
        data.duration_min = 60
        journal.save_session(s, psy, data)
    with session_scope(factory) as s:
        opened = audit_rows(s, action="open", entity="psych_session", record_uuid=uid)
        assert len(opened) == 1 and opened[0].user_login == "psy"
        updates = {
            r.field: r for r in audit_rows(s, action="update", entity="psych_session", record_uuid=uid)
        }
        assert set(updates) == {"request_enc", "duration_min"}  # «result» unchanged: no row, same ciphertext
        enc = updates["request_enc"]
        assert enc.note == "изменено" and enc.old_value is None and enc.new_value is None
        assert (updates["duration_min"].old_value, updates["duration_min"].new_value) == ("45", "60")
        every = " ".join(f"{r.old_value} {r.new_value} {r.note}" for r in audit_rows(s))
        assert "первый запрос" not in every and SECRET not in every
        journal.client_history(s, psy, "о-0001")
        hist = audit_rows(s, action="open", entity="psych_client", record_uuid="О-0001")
        assert len(hist) == 1
        journal.delete_session(s, psy, uid)
    with session_scope(factory) as s:
        assert audit_rows(s, action="delete", entity="psych_session", record_uuid=uid)
        with pytest.raises(LookupError, match="не найдена"):
            journal.open_session(s, psy, uid)
        with pytest.raises(LookupError):
            journal.open_session(s, psy, "no-such-uuid")
        assert journal.count_sessions(s, psy, JournalFilter()) == 0


# --- validation ---------------------------------------------------------------------------------------------------

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, None),
        ({"held_on": TODAY}, None),
        ({"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ({"kind": "walk"}, "kind"),
        ({"client_category": "student"}, "client_category"),
        ({"form": "pair"}, "form"),
        ({"client_class": ""}, "client_class"),
        ({"client_category": "parent", "client_class": ""}, None),
        ({"client_code": "  "}, "client_code"),
        ({"form": "group", "client_code": "", "group_size": 12}, None),
        ({"form": "group", "group_size": 1}, "group_size"),
        ({"form": "individual", "group_size": 3}, "group_size"),
        ({"duration_min": 4}, "duration_min"),
        ({"duration_min": 5}, None),
        ({"duration_min": 480}, None),
        ({"duration_min": 481}, "duration_min"),
        ({"start_time": "09:30"}, None),
        ({"start_time": "9:30"}, "start_time"),
        ({"start_time": "24:00"}, "start_time"),
        ({"follow_up_on": date(2025, 9, 30)}, "follow_up_on"),
        ({"follow_up_on": date(2025, 10, 1)}, None),
        ({"follow_up_on": TODAY + timedelta(days=30)}, None),  # a planned follow-up may be in the future
    ],
)
def test_validate_session(changes, field):
    errors = journal.validate_session(replace(entry(), **changes), today=TODAY)
    if field is None:
        assert errors == {}
    else:
        assert list(errors) == [field]
        assert re.search("[а-я]", errors[field]) and not re.search("[A-Za-z]", errors[field])


def test_save_refuses_invalid_data(factory, psy):
    with session_scope(factory) as s:
        with pytest.raises(ValidationError) as exc:
            journal.save_session(s, psy, entry(held_on=date.today() + timedelta(days=2), client_class=""))
        assert set(exc.value.errors) == {"held_on", "client_class"}
        assert journal.count_sessions(s, psy, JournalFilter()) == 0


# --- list, paging, sort, filter -----------------------------------------------------------------------------------


@pytest.fixture
def filled(factory, psy):
    with session_scope(factory) as s:
        a = schools.save_school(s, {"short_name": "МКОУ «Андринская СОШ»"})
        b = schools.save_school(s, {"short_name": "МБОУ «Шеркальская СОШ»"})
        s.flush()
        ids = {"a": a.id, "b": b.id}
        kinds = list(journal.KINDS)
        for i in range(30):
            journal.save_session(
                s,
                psy,
                entry(
                    held_on=date(2025, 9, 1) + timedelta(days=i),
                    kind=kinds[i % len(kinds)],
                    school_id=(a.id, b.id, None)[i % 3],
                    client_code=f"О-{i % 10 + 1:04d}" if i % 5 else f"Р-{i:04d}",
                    client_category="pupil" if i % 5 else "parent",
                    duration_min=30 + i,
                    follow_up_on=date(2025, 12, 1) if i % 4 == 0 else None,
                ),
            )
    return ids


def test_list_sessions_pages_sorts_and_filters(factory, psy, filled):
    with session_scope(factory) as s:
        flt = JournalFilter()
        assert journal.count_sessions(s, psy, flt) == 30
        pages = [journal.list_sessions(s, psy, flt, offset=o, limit=7) for o in range(0, 35, 7)]
        rows = [r for p in pages for r in p]
        assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
        assert len({r.uuid for r in rows}) == 30
        assert [r.held_on for r in rows] == sorted((r.held_on for r in rows), reverse=True)
        assert rows[0].psychologist == "Иванова М.П."
        assert not hasattr(rows[0], "request")
        asc = journal.list_sessions(s, psy, flt, sort="duration_min", descending=False, limit=3)
        assert [r.duration_min for r in asc] == [30, 31, 32]
        by_school = journal.list_sessions(s, psy, flt, sort="school", descending=False, limit=100)
        names = [r.school_name for r in by_school]
        assert names[:10] == [""] * 10 and names[10] == "МБОУ «Шеркальская СОШ»"
        for key in journal.SORT_KEYS:
            assert len(journal.list_sessions(s, psy, flt, sort=key, limit=100)) == 30
        with pytest.raises(ValueError):
            journal.list_sessions(s, psy, flt, sort="request")

        def n(**kw) -> int:
            f = JournalFilter(**kw)
            got = journal.list_sessions(s, psy, f, limit=1000)
            assert len(got) == journal.count_sessions(s, psy, f)
            return len(got)

        assert n(date_from=date(2025, 9, 10), date_to=date(2025, 9, 19)) == 10
        assert n(school_id=filled["a"]) == 10
        assert n(kind="consultation") == 5
        assert n(client_category="parent") == 6
        assert n(code="о-000") == 21  # case-insensitive prefix, Cyrillic included (О-0010 is not)
        assert n(code="О-0002") == 3
        assert n(code="о-0") == 24
        assert n(code="Р-") == 6
        assert n(code="%") == 0
        assert n(psychologist_id=psy.user_id) == 30
        assert n(psychologist_id=psy.user_id + 100) == 0
        assert n(overdue_follow_up=True) == (8 if date.today() > date(2025, 12, 1) else 0)


def test_history_and_work_kinds_journal(factory, psy, filled):
    with session_scope(factory) as s:
        hist = journal.client_history(s, psy, "о-0002")
        assert [h.held_on for h in hist] == sorted(h.held_on for h in hist)
        assert len(hist) == 3 and all(h.client_code == "О-0002" for h in hist)
        groups = journal.work_kinds_journal(s, psy, date(2025, 9, 1), date(2025, 9, 30))
        assert [k for k, _rows in groups] == list(journal.KINDS)
        assert sum(len(rows) for _k, rows in groups) == 30
        for _k, rows in groups:
            assert [r.held_on for r in rows] == sorted(r.held_on for r in rows)
        only_oct = journal.work_kinds_journal(s, psy, date(2025, 10, 1), date(2025, 10, 31))
        assert only_oct == []


# --- the code table -------------------------------------------------------------------------------------------


def test_clients_codes_and_cards(factory, psy):
    with session_scope(factory) as s:
        assert clients.next_code(s, "pupil") == "О-0001"
        assert clients.next_code(s, "admin") == "А-0001"
        journal.save_session(s, psy, entry(client_code="О-0007"))
        assert clients.next_code(s, "pupil") == "О-0008"  # numbers used in the journal count
        uid = clients.save_client(
            s,
            psy,
            clients.ClientData(code="о-0012", full_name=NAME, birth_date=date(2012, 5, 3), class_name="7Б"),
        )
        assert clients.next_code(s, "pupil") == "О-0013"
        assert clients.next_code(s, "parent") == "Р-0001"
        with pytest.raises(ValidationError) as exc:
            clients.save_client(s, psy, clients.ClientData(code="О-0012"))
        assert "занят" in exc.value.errors["code"]
        card = clients.open_client(s, psy, "О-0012")
        assert (card.full_name, card.birth_date, card.class_name, card.uuid) == (
            NAME,
            date(2012, 5, 3),
            "7Б",
            uid,
        )
        card.contacts = "мама: 8 900 123-45-67"
        clients.save_client(s, psy, card)
        listed = clients.list_clients(s, psy)
        assert [c.code for c in listed] == ["О-0012"] and listed[0].contacts.startswith("мама")
        row = s.scalar(select(PsychClient))
        assert NAME.encode() not in row.secret
        clients.delete_client(s, psy, "О-0012")
        assert clients.list_clients(s, psy) == []
        with pytest.raises(LookupError):
            clients.open_client(s, psy, "О-0012")
        assert clients.next_code(s, "pupil") == "О-0013"  # a deleted client's number is not given again
        with pytest.raises(ValidationError):
            clients.next_code(s, "alien")


@pytest.mark.parametrize(
    ("follow_up", "overdue"),
    [(None, False), (date(2025, 11, 30), True), (date(2025, 12, 1), False), (date(2025, 12, 2), False)],
)
def test_follow_up_is_overdue_only_after_its_date(follow_up, overdue):
    assert journal.is_follow_up_overdue(follow_up, today=date(2025, 12, 1)) is overdue
