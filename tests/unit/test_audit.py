"""The audit log: written by real edits, read back filtered and labelled, exported; administrator only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import AuditLog, Base, OrderDoc, PsychSession
from moc_desktop.services import audit, auth, schools, staff, vault
from moc_desktop.services.audit import AuditFilter
from moc_desktop.services.auth import AccessDenied

PASSWORD = "parol-12345"


@pytest.fixture
def admin(factory):
    with session_scope(factory) as s:
        auth.create_user(s, "admin", "Смирнова Ольга Викторовна", "admin", PASSWORD)
    with session_scope(factory) as s:
        return auth.authenticate(s, "admin", PASSWORD)


@pytest.fixture
def methodist(factory):
    with session_scope(factory) as s:
        auth.create_user(s, "metod", "Кузнецов Павел Андреевич", "methodist", PASSWORD)
    with session_scope(factory) as s:
        return auth.authenticate(s, "metod", PASSWORD)


def _school(factory, who, name="МБОУ СОШ № 1", **extra):
    auth.bind_actor(factory, who)
    with session_scope(factory) as s:
        return schools.save_school(s, {"short_name": name, **extra}).id


def _rows(factory, user, **flt):
    with factory() as s:
        return audit.query(s, user, AuditFilter(**flt))


def test_edits_through_services_are_logged_with_actor_field_and_values(factory, admin, methodist):
    school_id = _school(factory, methodist, settlement="Луговое")
    with session_scope(factory) as s:
        school = schools.get_school(s, school_id)
        schools.save_school(s, {"settlement": "Заречное", "phone": "8 (800) 100-20-30"}, school)

    rows = _rows(factory, admin, entity="school")
    create = [r for r in rows if r.action == "create"]
    assert len(create) == 1 and create[0].user_login == "metod"
    assert create[0].user_name == "Кузнецов Павел Андреевич"
    assert create[0].action_title == "создание" and create[0].entity_title == "Школа"
    assert create[0].record_label == "МБОУ СОШ № 1"
    upd = {r.field: r for r in rows if r.action == "update"}
    assert set(upd) == {"settlement", "phone"}
    assert (upd["settlement"].old_value, upd["settlement"].new_value) == ("Луговое", "Заречное")
    assert upd["settlement"].field_title == "Населённый пункт"
    assert upd["phone"].old_value == "" and upd["phone"].new_value == "8 (800) 100-20-30"
    assert all(r.user_login == "metod" for r in rows)
    # newest first
    assert [r.seq for r in rows] == sorted((r.seq for r in rows), reverse=True)
    # time shown in local time, close to now
    assert abs(rows[0].at - datetime.now()) < timedelta(minutes=5)

    with session_scope(factory) as s:
        schools.soft_delete_school(s, schools.get_school(s, school_id))
    deleted = _rows(factory, admin, entity="school", action="delete")
    assert len(deleted) == 1 and deleted[0].field == "deleted_at" and deleted[0].action_title == "удаление"


def test_person_label_and_field_titles(factory, admin):
    auth.bind_actor(factory, admin)
    with session_scope(factory) as s:
        p = staff.save_person(s, {"last_name": "Иванова", "first_name": "Анна", "middle_name": "Петровна"})
        uuid = p.uuid
    with session_scope(factory) as s:
        staff.save_person(s, {"category": "первая"}, staff.get_person(s, p.id))
    rows = _rows(factory, admin, entity="person", action="update")
    assert [(r.field_title, r.new_value, r.record_label) for r in rows] == [
        ("Квалификационная категория", "первая", "Иванова А.П.")
    ]
    with factory() as s:
        assert audit.describe(s, "person", uuid) == "Иванова А.П."


def test_confidential_columns_are_logged_as_changed_only(factory, admin):
    with session_scope(factory) as s:
        auth.create_user(s, "psy", "Петрова Анна Сергеевна", "psychologist", PASSWORD)
    with session_scope(factory) as s:
        psy = auth.authenticate(s, "psy", PASSWORD)
    auth.bind_actor(factory, psy)
    with session_scope(factory) as s:
        auth.change_password(s, psy, PASSWORD, "novyi-parol-987")
    pw = [r for r in _rows(factory, admin, entity="app_user", action="update") if r.field == "password_hash"]
    assert len(pw) == 1
    assert (pw[0].old_value, pw[0].new_value, pw[0].note) == ("", "", "изменено")
    assert pw[0].field_title == "Пароль" and pw[0].user_login == "psy"

    cipher = vault.FieldCipher(psy.journal_key)
    uuid = "11111111-2222-3333-4444-555555555555"
    with session_scope(factory) as s:
        entry = PsychSession(
            uuid=uuid,
            held_on=date(2026, 10, 1),
            client_category="pupil",
            client_code="О-0001",
            kind="consultation",
        )
        entry.request_enc = cipher.encrypt("Тревожность перед экзаменом", uuid, "request")
        s.add(entry)
    with session_scope(factory) as s:
        entry = s.scalar(select(PsychSession).where(PsychSession.uuid == uuid))
        entry.request_enc = cipher.encrypt("Конфликт с одноклассниками", uuid, "request")
    rows = _rows(factory, admin, entity="psych_session")
    assert {r.action for r in rows} == {"create", "update"}
    upd = next(r for r in rows if r.action == "update")
    assert (upd.field, upd.old_value, upd.new_value, upd.note) == ("request_enc", "", "", "изменено")
    assert all(r.record_label == "запись журнала" for r in rows)
    assert upd.entity_title == "Запись журнала психолога"
    # nothing of the content or the client's code leaks through labels or the text search
    assert not _rows(factory, admin, text="Конфликт")
    with factory() as s:
        assert audit.describe(s, "psych_session", uuid) == "запись журнала"
        assert audit.describe(s, "psych_client", "x") == "запись журнала"


def test_demo_style_session_writes_no_audit(factory, admin):
    with factory() as s:
        before = audit.count(s, admin)
    with session_scope(factory) as s:
        s.info["audit"] = False
        schools.save_school(s, {"short_name": "МБОУ ООШ № 9"})
    with factory() as s:
        assert audit.count(s, admin) == before


def test_filters_count_and_paging(factory, admin, methodist):
    _school(factory, methodist, "МБОУ СОШ № 1")
    lyceum = _school(factory, admin, "МБОУ Лицей № 2")
    with session_scope(factory) as s:
        schools.save_school(s, {"settlement": "Заречное"}, schools.get_school(s, lyceum))
    with factory() as s:
        total = audit.count(s, admin)
        assert total == len(audit.query(s, admin, AuditFilter(), limit=10_000))
        # by user
        mine = audit.query(s, admin, AuditFilter(user_login="metod"))
        assert mine and all(r.user_login == "metod" for r in mine)
        assert audit.count(s, admin, AuditFilter(user_login="metod")) == len(mine)
        # by action: the two logins of the fixtures (plus none else)
        logins = audit.query(s, admin, AuditFilter(action="login"))
        assert {r.user_login for r in logins} == {"admin", "metod"}
        assert all(r.action_title == "вход" for r in logins)
        # by entity
        assert {
            r.record_label for r in audit.query(s, admin, AuditFilter(entity="school", action="create"))
        } == {
            "МБОУ СОШ № 1",
            "МБОУ Лицей № 2",
        }
        # text: case-insensitive, Cyrillic, over values
        hits = audit.query(s, admin, AuditFilter(text="лицей"))  # by the record's name
        assert [(r.action, r.record_label) for r in hits] == [
            ("update", "МБОУ Лицей № 2"),
            ("create", "МБОУ Лицей № 2"),
        ]
        assert audit.count(s, admin, AuditFilter(text="ЛИЦЕЙ")) == 2
        hits = audit.query(s, admin, AuditFilter(text="заречн"))  # by a value
        assert [(r.field, r.new_value) for r in hits] == [("settlement", "Заречное")]
        assert audit.count(s, admin, AuditFilter(text="100%_")) == 0
        # period (local days, both ends included)
        today = date.today()
        assert audit.count(s, admin, AuditFilter(date_from=today, date_to=today)) == total
        assert audit.count(s, admin, AuditFilter(date_to=today - timedelta(days=1))) == 0
        assert audit.count(s, admin, AuditFilter(date_from=today + timedelta(days=1))) == 0
        # paging: pages join up into the whole list, newest first
        page1 = audit.query(s, admin, AuditFilter(), offset=0, limit=3)
        page2 = audit.query(s, admin, AuditFilter(), offset=3, limit=3)
        whole = audit.query(s, admin, AuditFilter(), limit=6)
        assert [r.seq for r in page1 + page2] == [r.seq for r in whole]
        assert len(page1) == 3
        # users for the filter combo
        assert audit.users_in_log(s, admin) == [
            ("metod", "Кузнецов Павел Андреевич"),
            ("admin", "Смирнова Ольга Викторовна"),
        ]


def test_period_filter_uses_stored_utc(factory, admin):
    with session_scope(factory) as s:
        s.execute(update(AuditLog).values(at=datetime(2025, 3, 10, 12, 0)))
    with factory() as s:
        n = audit.count(s, admin)
        assert n > 0
        assert audit.count(s, admin, AuditFilter(date_from=date(2025, 3, 10), date_to=date(2025, 3, 10))) == n
        assert audit.count(s, admin, AuditFilter(date_from=date(2025, 3, 11))) == 0
        assert audit.query(s, admin)[0].at == audit.to_local(datetime(2025, 3, 10, 12, 0))


def test_describe_labels(factory, admin):
    auth.bind_actor(factory, admin)
    with session_scope(factory) as s:
        school = schools.save_school(s, {"short_name": "МАОУ Гимназия № 5"})
        order = OrderDoc(number=12, suffix="-од", date=date(2025, 9, 1), title="О проведении")
        draft = OrderDoc(title="Проект")
        s.add_all([order, draft])
        s.flush()
        keys = school.uuid, order.uuid, draft.uuid
    with factory() as s:
        admin_uuid = auth.get_user(s, "admin").uuid
        assert audit.describe(s, "school", keys[0]) == "МАОУ Гимназия № 5"
        assert audit.describe(s, "order_doc", keys[1]) == "№ 12-од от 01.09.2025"
        assert audit.describe(s, "order_doc", keys[2]) == "проект"
        assert audit.describe(s, "app_user", admin_uuid) == "admin"
        assert audit.describe(s, "app_user", "nobody") == "nobody"  # a refused login of an unknown account
        assert audit.describe(s, "school", "no-such-uuid") == ""
        assert audit.describe(s, "settings", "auth.idle_minutes") == "auth.idle_minutes"


def test_titles_cover_every_table_and_action():
    assert set(Base.metadata.tables) <= set(audit.ENTITIES)
    assert audit.ENTITIES["order_doc"] == "Приказ"
    assert audit.ENTITIES["psych_client"] == "Код клиента психолога"
    for code in ("create", "update", "delete", "restore", "open", "login", "login_failed", "logout", "lock"):
        assert code in audit.ACTIONS
    assert audit.field_title("school", "short_name") == "Краткое наименование"
    assert audit.field_title("person", "last_name") == "Фамилия"
    assert audit.field_title("school", "deleted_at") == "Удалено"
    assert audit.field_title("school", "zzz") == "zzz"
    assert audit.field_title("school", "") == ""


def test_export_xlsx(factory, admin, tmp_path):
    _school(factory, admin, "МБОУ СОШ № 1", settlement="Луговое")
    flt = AuditFilter(entity="school")
    with session_scope(factory) as s:
        n = audit.count(s, admin, flt)
        path = audit.export_xlsx(s, admin, flt, tmp_path / "audit.xlsx")
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Дата и время",
        "Пользователь",
        "Действие",
        "Объект",
        "Запись",
        "Поле",
        "Было",
        "Стало",
        "Примечание",
    )
    assert len(rows) == n + 1
    assert isinstance(rows[1][0], datetime)
    assert ("Смирнова Ольга Викторовна (admin)", "создание", "Школа", "МБОУ СОШ № 1") in [
        r[1:5] for r in rows
    ]
    with factory() as s:
        exp = audit.query(s, admin, AuditFilter(action="export"))
    assert len(exp) == 1 and exp[0].note == f"Выгружен журнал аудита: {n} записей"
    assert exp[0].user_login == "admin" and exp[0].action_title == "выгрузка"


def test_methodist_is_refused(factory, methodist, tmp_path):
    with factory() as s:
        for call in (
            lambda: audit.count(s, methodist, AuditFilter()),
            lambda: audit.query(s, methodist, AuditFilter()),
            lambda: audit.users_in_log(s, methodist),
            lambda: audit.export_xlsx(s, methodist, AuditFilter(), tmp_path / "x.xlsx"),
            lambda: audit.count(s, None, AuditFilter()),
        ):
            with pytest.raises(AccessDenied):
                call()
    assert not (tmp_path / "x.xlsx").exists()
