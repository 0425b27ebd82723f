"""Accounts, login with lockout, journal keys of psychologists, permissions and login settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import AuditLog, PsychKey, utcnow
from moc_desktop.services import auth
from moc_desktop.services.auth import AccessDenied, AuthError, LoginRefused
from moc_desktop.services.common import ValidationError

PASSWORD = "parol-12345"


def _create(factory, login, role, password=PASSWORD, name="Тестовый Пользователь", **kw):
    with session_scope(factory) as s:
        return auth.create_user(s, login, name, role, password, **kw).recovery_key


def _login(factory, login, password=PASSWORD, now=None):
    with session_scope(factory) as s:
        return auth.authenticate(s, login, password, now=now)


def _refused(factory, login, password, now=None) -> LoginRefused:
    with pytest.raises(LoginRefused) as info:
        _login(factory, login, password, now)
    return info.value


@pytest.fixture
def admin(factory):
    _create(factory, "admin", "admin", name="Смирнова Ольга Викторовна")
    return _login(factory, "admin")


# --- accounts --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["Иванов", "a b", "x", "-dash", "user@mail", ""])
def test_create_user_rejects_bad_login(factory, login):
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.create_user(s, login, "Иванов Иван", "methodist", PASSWORD)
    assert set(info.value.errors) == {"login"}
    assert "латинских" in info.value.errors["login"]


def test_create_user_validation(factory):
    _create(factory, "Metod.1", "methodist")
    with factory() as s:
        assert auth.get_user(s, "METOD.1").login == "metod.1"  # stored lower-case
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.create_user(s, "metod.1", "Другой", "methodist", PASSWORD)
    assert info.value.errors["login"] == "Пользователь «metod.1» уже есть."
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.create_user(s, "newbie", "  ", "boss", "short")
    assert set(info.value.errors) == {"full_name", "role", "password"}
    assert "не короче 8" in info.value.errors["password"]
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.create_user(s, "longlogin", "Петров Пётр", "methodist", "LongLogin")
    assert "не должен совпадать с логином" in info.value.errors["password"]
    assert auth.password_problems(" padded-pass ") == [
        "Пароль не должен начинаться или заканчиваться пробелом."
    ]
    assert auth.password_problems("good-password", "user") == []


def test_first_admin_and_users(factory):
    with factory() as s:
        assert not auth.has_users(s) and not auth.has_admin(s)
    _create(factory, "metod", "methodist", name="  Кузнецов   Павел  ")
    with factory() as s:
        assert auth.has_users(s) and not auth.has_admin(s)
        assert auth.get_user(s, "metod").full_name == "Кузнецов Павел"
    _create(factory, "admin", "admin")
    with factory() as s:
        assert auth.has_admin(s)
        assert [u.login for u in auth.list_users(s)] == ["metod", "admin"]  # by name


# --- login -----------------------------------------------------------------------------------------------------


def test_authenticate_ok_wrong_unknown_inactive(factory, admin):
    assert admin.login == "admin" and admin.role == "admin" and admin.journal_key is None
    assert admin.display == "Смирнова Ольга Викторовна (администратор)"
    assert _login(factory, " ADMIN ").user_id == admin.user_id
    wrong = _refused(factory, "admin", "not-the-password")
    unknown = _refused(factory, "ghost", PASSWORD)
    assert str(unknown) == "Неверный логин или пароль."
    # the same words: a refusal does not tell which logins exist
    assert str(wrong) == str(unknown)
    assert wrong.retry_after == unknown.retry_after == 0

    _create(factory, "metod", "methodist")
    with session_scope(factory) as s:
        auth.update_user(s, admin, "metod", full_name="Кузнецов П.", post="", role="methodist", active=False)
    assert str(_refused(factory, "metod", PASSWORD)) == "Неверный логин или пароль."

    with factory() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action.in_(("login", "login_failed")))).all()
    assert [(r.action, r.user_login) for r in rows] == [
        ("login", "admin"),
        ("login", "admin"),
        ("login_failed", "admin"),
        ("login_failed", "ghost"),
        ("login_failed", "metod"),
    ]


def test_lockout_doubles_up_to_fifteen_minutes_and_success_resets(factory):
    _create(factory, "metod", "methodist")
    t = utcnow()
    for _ in range(auth.LOCKOUT_AFTER - 1):
        assert _refused(factory, "metod", "wrong-pass", t).retry_after == 0
    fifth = _refused(factory, "metod", "wrong-pass", t)
    assert fifth.retry_after == 30 and "30 с" in str(fifth)
    # locked: even the right password is refused until the time passes
    locked = _refused(factory, "metod", PASSWORD, t + timedelta(seconds=10))
    assert 0 < locked.retry_after <= 21 and "Повторите вход через" in str(locked)
    # the next wrong password after the lock doubles the delay
    t += timedelta(seconds=31)
    assert _refused(factory, "metod", "wrong-pass", t).retry_after == 60
    t += timedelta(seconds=61)
    assert _refused(factory, "metod", "wrong-pass", t).retry_after == 120
    delays = []
    for _ in range(4):
        t += timedelta(minutes=16)
        delays.append(_refused(factory, "metod", "wrong-pass", t).retry_after)
    assert delays == [240, 480, 900, 900]
    t += timedelta(minutes=16)
    assert _login(factory, "metod", PASSWORD, t).login == "metod"
    with factory() as s:
        user = auth.get_user(s, "metod")
        assert user.failed_attempts == 0 and user.locked_until is None
    # after the reset, a single wrong password does not lock
    assert _refused(factory, "metod", "wrong-pass", t).retry_after == 0


def test_failures_are_kept_when_the_callers_transaction_rolls_back(factory):
    _create(factory, "metod", "methodist")
    with pytest.raises(LoginRefused), session_scope(factory) as s:
        auth.authenticate(s, "metod", "wrong-pass")
    with factory() as s:
        assert auth.get_user(s, "metod").failed_attempts == 1
        notes = s.scalars(select(AuditLog.note).where(AuditLog.action == "login_failed")).all()
    assert notes == ["неверный пароль (попытка 1)"]


def test_unlock_account(factory, admin):
    _create(factory, "metod", "methodist")
    t = utcnow()
    for _ in range(auth.LOCKOUT_AFTER):
        _refused(factory, "metod", "wrong-pass", t)
    with session_scope(factory) as s:
        auth.unlock_account(s, admin, "metod")
    assert _login(factory, "metod", PASSWORD, t).login == "metod"


# --- journal keys ----------------------------------------------------------------------------------------------


def test_psychologists_and_the_journal_key(factory, admin):
    recovery = _create(factory, "psy1", "psychologist", name="Петрова Анна")
    assert recovery and len(recovery.split("-")) == 8
    psy1 = _login(factory, "psy1")
    assert psy1.journal_key is not None and len(psy1.journal_key) == 32
    assert "journal_key" not in repr(psy1) and psy1.journal_key.hex() not in repr(psy1)
    with factory() as s:
        assert not auth.needs_journal_access(s, psy1)

    assert _create(factory, "psy2", "psychologist", name="Сидорова Мария") is None
    psy2 = _login(factory, "psy2")
    assert psy2.journal_key is None
    with factory() as s:
        assert auth.needs_journal_access(s, psy2)
    with session_scope(factory) as s, pytest.raises(AuthError, match="Ключ восстановления не подходит"):
        auth.grant_journal_access(s, psy2, PASSWORD, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    with session_scope(factory) as s, pytest.raises(AuthError, match="Неверный пароль"):
        auth.grant_journal_access(s, psy2, "wrong-pass", recovery)
    with session_scope(factory) as s:
        psy2 = auth.grant_journal_access(s, psy2, PASSWORD, recovery.lower().replace("-", " "))
    assert psy2.journal_key == psy1.journal_key
    assert _login(factory, "psy2").journal_key == psy1.journal_key

    # a psychologist created with the recovery key at hand gets access at once
    _create(factory, "psy3", "psychologist", recovery_key=recovery)
    assert _login(factory, "psy3").journal_key == psy1.journal_key

    # nobody else may use the journal's access
    with session_scope(factory) as s, pytest.raises(AccessDenied):
        auth.grant_journal_access(s, admin, PASSWORD, recovery)


def test_change_password_keeps_the_journal_key(factory):
    _create(factory, "psy", "psychologist")
    psy = _login(factory, "psy")
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.change_password(s, psy, "wrong-pass", "novyi-parol-987")
    assert set(info.value.errors) == {"old"}
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.change_password(s, psy, PASSWORD, PASSWORD)
    assert "отличаться" in info.value.errors["new"]
    with session_scope(factory) as s:
        changed = auth.change_password(s, psy, PASSWORD, "novyi-parol-987")
    assert changed.journal_key == psy.journal_key
    assert _login(factory, "psy", "novyi-parol-987").journal_key == psy.journal_key
    _refused(factory, "psy", PASSWORD)


def test_reset_password_drops_the_key_and_asks_for_a_new_password(factory, admin):
    recovery = _create(factory, "psy", "psychologist")
    key = _login(factory, "psy").journal_key
    with session_scope(factory) as s, pytest.raises(ValidationError):
        auth.reset_password(s, admin, "psy", "short")
    with session_scope(factory) as s:
        auth.reset_password(s, admin, "psy", "vremennyi-1")
    psy = _login(factory, "psy", "vremennyi-1")
    assert psy.must_change_password and psy.journal_key is None
    with factory() as s:
        assert auth.needs_journal_access(s, psy)
    with session_scope(factory) as s:
        psy = auth.grant_journal_access(s, psy, "vremennyi-1", recovery)
    assert psy.journal_key == key
    with session_scope(factory) as s:
        psy = auth.change_password(s, psy, "vremennyi-1", "svoi-parol-2")
    assert not psy.must_change_password
    again = _login(factory, "psy", "svoi-parol-2")
    assert again.journal_key == key and not again.must_change_password


def test_new_recovery_key_replaces_the_old_one(factory):
    old = _create(factory, "psy", "psychologist")
    psy = _login(factory, "psy")
    with session_scope(factory) as s:
        new = auth.new_recovery_key(s, psy)
    assert new != old
    _create(factory, "psy2", "psychologist")
    psy2 = _login(factory, "psy2")
    with session_scope(factory) as s, pytest.raises(AuthError):
        auth.grant_journal_access(s, psy2, PASSWORD, old)
    with session_scope(factory) as s:
        assert auth.grant_journal_access(s, psy2, PASSWORD, new).journal_key == psy.journal_key
    with session_scope(factory) as s, pytest.raises(AccessDenied):
        auth.new_recovery_key(s, psy.without_key())


def test_update_user(factory, admin):
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.update_user(s, admin, "admin", full_name="Смирнова О.В.", post="", role="methodist", active=True)
    assert "Нельзя снять с себя роль администратора" in info.value.errors["role"]
    with session_scope(factory) as s, pytest.raises(ValidationError):
        auth.update_user(s, admin, "admin", full_name="Смирнова О.В.", post="", role="admin", active=False)

    _create(factory, "psy", "psychologist")
    psy_id = _login(factory, "psy").user_id
    with session_scope(factory) as s:
        user = auth.update_user(
            s, admin, "psy", full_name="Петрова  Анна", post="методист", role="methodist", active=True
        )
        assert (user.full_name, user.post, user.role) == ("Петрова Анна", "методист", "methodist")
    with factory() as s:
        assert s.scalar(select(PsychKey).where(PsychKey.user_id == psy_id)) is None
        assert s.scalar(select(PsychKey).where(PsychKey.kind == "recovery")) is not None  # the journal stays
    with session_scope(factory) as s, pytest.raises(AuthError, match="не найден"):
        auth.update_user(s, admin, "nobody", full_name="X", post="", role="methodist", active=True)
    methodist = _login(factory, "psy")
    with session_scope(factory) as s, pytest.raises(AccessDenied):
        auth.update_user(s, methodist, "admin", full_name="X", post="", role="admin", active=True)


# --- permissions -----------------------------------------------------------------------------------------------


def test_require_messages(factory, admin):
    assert auth.require(admin, "audit.view") is admin
    with pytest.raises(AccessDenied) as info:
        auth.require(None, "audit.view")
    assert str(info.value) == "Войдите в программу: раздел «журнал аудита» открывается только после входа."
    methodist = auth.Principal(user_id=5, login="m", full_name="М", role="methodist")
    with pytest.raises(AccessDenied) as info:
        auth.require(methodist, "users.manage")
    assert (
        str(info.value) == "Недостаточно прав: управление пользователями — только для роли «администратор»."
    )
    with pytest.raises(AccessDenied, match="«педагог-психолог»"):
        auth.require(admin, "psych.journal")
    for role in auth.ROLES:
        p = auth.Principal(user_id=1, login="x", full_name="", role=role)
        assert p.can("psych.aggregates")
        assert p.can("psych.journal") == (role == "psychologist")
        assert p.can("audit.view") == p.can("users.manage") == (role == "admin")


def test_role_code():
    assert auth.role_code("Педагог-психолог") == "psychologist"
    assert auth.role_code("методист") == "methodist"
    assert auth.role_code(" admin ") == "admin"
    assert auth.role_code("Администратор") == "admin"
    assert auth.role_code("руководитель") == "head"
    with pytest.raises(ValidationError) as info:
        auth.role_code("директор")
    assert "Неизвестная роль «директор»" in info.value.errors["role"]


# --- login settings --------------------------------------------------------------------------------------------


def test_autologin(factory, admin):
    _create(factory, "psy", "psychologist")
    _create(factory, "metod", "methodist", name="Кузнецов Павел")
    with factory() as s:
        assert auth.autologin(s) is None
    with session_scope(factory) as s, pytest.raises(ValidationError) as info:
        auth.set_autologin(s, admin, "psy")
    assert "недоступен для учётной записи психолога" in info.value.errors["autologin"]
    with session_scope(factory) as s:
        auth.set_autologin(s, admin, "METOD")
    with session_scope(factory) as s:
        assert auth.autologin_login(s) == "metod"
        who = auth.autologin(s)
    assert who.login == "metod" and who.journal_key is None
    with factory() as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()
    assert (last.action, last.user_login, last.note) == ("login", "metod", "автоматический вход")
    # a disabled account is not entered automatically
    with session_scope(factory) as s:
        auth.update_user(
            s, admin, "metod", full_name="Кузнецов Павел", post="", role="methodist", active=False
        )
    with factory() as s:
        assert auth.autologin(s) is None
    with session_scope(factory) as s:
        auth.set_autologin(s, admin, None)
    with factory() as s:
        assert auth.autologin_login(s) == "" and auth.autologin(s) is None
    methodist = auth.Principal(user_id=99, login="m", full_name="", role="methodist")
    with session_scope(factory) as s, pytest.raises(AccessDenied):
        auth.set_autologin(s, methodist, "metod")


def test_idle_minutes_bounds(factory, admin):
    with factory() as s:
        assert auth.idle_minutes(s) == auth.DEFAULT_IDLE_MINUTES == 15
    for ok in (0, 1440, 30):
        with session_scope(factory) as s:
            auth.set_idle_minutes(s, admin, ok)
        with factory() as s:
            assert auth.idle_minutes(s) == ok
    for bad in (-1, 1441):
        with session_scope(factory) as s, pytest.raises(ValidationError):
            auth.set_idle_minutes(s, admin, bad)


def test_bind_actor_and_log_out(factory, admin):
    auth.bind_actor(factory, admin)
    with session_scope(factory) as s:
        auth.log_out(s, admin, "блокировка по бездействию")
    auth.bind_actor(factory, None)
    with factory() as s:
        assert s.info["actor_login"] == ""
        last = s.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()
    assert (last.action, last.user_login, last.user_name) == ("logout", "admin", "Смирнова Ольга Викторовна")
    assert last.note == "блокировка по бездействию"
