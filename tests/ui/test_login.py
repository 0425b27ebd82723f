"""Signing in: login dialog, lockout, first administrator, automatic login, forced password change, journal key,
idle lock, switching the user."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import AuditLog
from moc_desktop.services import auth
from moc_desktop.services.common import ValidationError
from moc_desktop.ui.application import start_session
from moc_desktop.ui.login import (
    ChangePasswordDialog,
    CreateAdminDialog,
    JournalAccessDialog,
    LoginDialog,
    sign_in,
)
from moc_desktop.ui.main_window import MainWindow
from tests.ui.conftest import PASSWORD, on_modal, type_text


def _log_in(login: str, password: str = PASSWORD):
    def act(dlg: LoginDialog):
        QTest.keyClicks(dlg.login, login)
        QTest.keyClicks(dlg.password, password)
        dlg.login_button.click()

    return act


def _audit(factory, action: str) -> list[tuple[str, str]]:
    with factory() as s:
        return [(r.user_login, r.note) for r in s.scalars(select(AuditLog).where(AuditLog.action == action))]


def _new_window(qtbot, db_url) -> MainWindow:
    w = MainWindow(None, db_url)
    qtbot.addWidget(w)
    w.show()
    return w


def test_wrong_password_message_then_enter_logs_in(qtbot, configured, make_user):
    make_user("methodist", login="metodist")
    dlg = LoginDialog(configured)
    qtbot.addWidget(dlg)
    dlg.show()
    QTest.keyClicks(dlg.login, "metodist")
    QTest.keyClicks(dlg.password, "ne-tot-parol")
    dlg.login_button.click()
    assert dlg.message.isVisible()
    assert "Неверный логин или пароль" in dlg.message.text()
    assert dlg.findChild(QLabel, "lockout_hint").text().startswith("После 5 неверных паролей")
    assert dlg.result() != LoginDialog.DialogCode.Accepted
    assert dlg.password.text() == ""
    QTest.keyClicks(dlg.password, PASSWORD)
    QTest.keyClick(dlg.password, Qt.Key.Key_Return)  # Enter submits
    assert dlg.result() == LoginDialog.DialogCode.Accepted
    assert dlg.user.login == "metodist" and dlg.user.role == "methodist"
    assert ("metodist", "неверный пароль (попытка 1)") in _audit(configured, "login_failed")


def test_lockout_disables_the_button_with_a_countdown(qtbot, configured, make_user):
    make_user("methodist", login="metodist")
    dlg = LoginDialog(configured, login="metodist")
    qtbot.addWidget(dlg)
    dlg.show()
    for _ in range(auth.LOCKOUT_AFTER):
        QTest.keyClicks(dlg.password, "ne-tot-parol")
        dlg.login_button.click()
    assert "заблокирован" in dlg.message.text()
    assert not dlg.login_button.isEnabled()
    assert dlg.login_button.text().startswith("Войти (") and dlg.login_button.text().endswith(" с)")
    assert 28 <= dlg.countdown.remaining() <= 30
    QTest.keyClicks(dlg.password, PASSWORD)
    QTest.keyClick(dlg.password, Qt.Key.Key_Return)  # refused while locked: nothing happens
    assert dlg.result() != LoginDialog.DialogCode.Accepted
    dlg.countdown.until = 0  # the lockout time has passed for the dialog …
    dlg.countdown.tick()
    assert dlg.login_button.isEnabled() and dlg.login_button.text() == "Войти"
    dlg.submit()  # … but the service still refuses until the stored time
    assert "Слишком много неудачных попыток" in dlg.message.text()
    dlg.grab().save("/tmp/shots/login-locked.png")


def test_start_methodist_sees_no_admin_areas(qtbot, configured, db_url, make_user):
    make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    w = _new_window(qtbot, db_url)
    on_modal(LoginDialog, _log_in("metodist"))
    assert start_session(w, configured)
    assert w.user.login == "metodist"
    assert w.areas == [
        "Главная",
        "Школы",
        "Педагоги",
        "Диагностика",
        "Наставничество",
        "Психолог",
        "Документы",
    ]
    assert [w.nav.item(i).text() for i in range(w.nav.count())] == w.areas
    assert "Пользователи" not in w.pages and w.users_page is None and w.audit_page is None
    assert w.psych_page is w.pages["Психолог"]
    assert w.user_label.text() == "Пользователь: Методова О.И. (методист)"
    assert [a.shortcut().toString() for a in w.go_menu.actions()] == [f"Ctrl+{i}" for i in range(1, 8)]
    with configured() as s:  # the audit actor is the signed-in user from now on
        assert s.info["actor_login"] == "metodist"


def test_start_admin_sees_users_and_audit(qtbot, configured, db_url, make_user):
    make_user("admin", login="admin")
    w = _new_window(qtbot, db_url)
    on_modal(LoginDialog, _log_in("admin"))
    assert start_session(w, configured)
    assert w.areas[-2:] == ["Пользователи", "Журнал аудита"]
    assert w.go_menu.actions()[8].text() == "Журнал аудита"
    assert w.go_menu.actions()[8].shortcut().toString() == "Ctrl+9"
    w.go_menu.actions()[8].trigger()
    assert w.current_page() is w.audit_page
    w.go("Пользователи")
    assert w.current_page() is w.users_page


def test_cancel_on_login_ends_quietly(qtbot, configured, db_url, make_user):
    make_user("admin", login="admin")
    w = _new_window(qtbot, db_url)
    on_modal(LoginDialog, lambda d: d.exit_button.click())
    assert not start_session(w, configured)
    assert w.user is None and not w.pages


def test_first_run_creates_the_administrator(qtbot, configured, db_url):
    w = _new_window(qtbot, db_url)

    def act(dlg: CreateAdminDialog):
        dlg.grab().save("/tmp/shots/create-admin.png")
        dlg.login.setText("boss")
        type_text(dlg.full_name, "Петрова Анна Львовна")
        type_text(dlg.post, "директор")
        QTest.keyClicks(dlg.password, "sekretnyi-1")
        QTest.keyClicks(dlg.password2, "sekretnyi-2")
        dlg.create_button.click()
        assert dlg.errors.label("password2").text() == "Пароли не совпадают."
        dlg.password.setText("short")
        dlg.password2.setText("short")
        dlg.create_button.click()
        assert "не короче 8" in dlg.errors.label("password").text()
        dlg.password.setText("sekretnyi-1")
        dlg.password2.setText("sekretnyi-1")
        dlg.create_button.click()

    seen = on_modal(CreateAdminDialog, act)
    assert start_session(w, configured)
    assert seen and w.user.login == "boss" and w.user.role == "admin"
    assert "Пользователи" in w.areas
    with configured() as s:
        assert auth.has_admin(s)
        assert auth.get_user(s, "boss").full_name == "Петрова Анна Львовна"
    assert ("boss", "") in _audit(configured, "login")


def test_autologin_skips_the_dialog_but_never_for_a_psychologist(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    make_user("psychologist", login="psiholog")
    with session_scope(configured) as s:
        try:
            auth.set_autologin(s, admin, "psiholog")
            raise AssertionError("autologin for a psychologist must be refused")
        except ValidationError as exc:
            assert "психолога" in exc.errors["autologin"]
        auth.set_autologin(s, admin, "metodist")
    seen = on_modal(LoginDialog, lambda d: d.reject(), timeout_ms=300)
    user = sign_in(configured)
    assert user.login == "metodist"
    assert not seen
    assert ("metodist", "автоматический вход") in _audit(configured, "login")


def test_forced_password_change_after_reset(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    with session_scope(configured) as s:
        auth.reset_password(s, admin, "metodist", "vremennyi-1")

    def change(dlg: ChangePasswordDialog):
        QTest.keyClicks(dlg.old, "vremennyi-1")
        QTest.keyClicks(dlg.new, "moi-novyi-parol")
        QTest.keyClicks(dlg.new2, "moi-novyi-parol")
        dlg.save_button.click()

    on_modal(LoginDialog, _log_in("metodist", "vremennyi-1"))
    seen = on_modal(ChangePasswordDialog, change)
    user = sign_in(configured)
    assert seen and user.login == "metodist" and not user.must_change_password
    with session_scope(configured) as s:
        assert auth.authenticate(s, "metodist", "moi-novyi-parol").login == "metodist"


def test_refusing_the_forced_change_ends_the_sign_in(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    with session_scope(configured) as s:
        auth.reset_password(s, admin, "metodist", "vremennyi-1")
    on_modal(LoginDialog, _log_in("metodist", "vremennyi-1"))
    on_modal(ChangePasswordDialog, lambda d: d.reject())
    assert sign_in(configured) is None
    assert ("metodist", "отказ от смены временного пароля") in _audit(configured, "logout")


def test_second_psychologist_opens_the_journal_with_the_recovery_key(qtbot, configured, make_user):
    make_user("admin", login="admin")
    make_user("psychologist", login="psiholog")
    key = make_user.recovery_key
    with session_scope(configured) as s:
        auth.create_user(s, "psiholog2", "Вторая Вера Павловна", "psychologist", PASSWORD)

    def grant(dlg: JournalAccessDialog):
        QTest.keyClicks(dlg.password, PASSWORD)
        QTest.keyClicks(dlg.recovery, "AAAA-BBBB")
        dlg.open_button.click()
        assert "не подходит" in dlg.message.text()
        dlg.recovery.setText(key.lower())
        dlg.open_button.click()

    on_modal(LoginDialog, _log_in("psiholog2"))
    seen = on_modal(JournalAccessDialog, grant)
    user = sign_in(configured)
    assert seen and user.journal_key is not None
    with session_scope(configured) as s:  # from now on the password alone opens it
        assert auth.authenticate(s, "psiholog2", PASSWORD).journal_key == user.journal_key


def test_journal_access_can_wait(qtbot, configured, make_user):
    make_user("admin", login="admin")
    make_user("psychologist", login="psiholog")
    with session_scope(configured) as s:
        auth.create_user(s, "psiholog2", "Вторая Вера Павловна", "psychologist", PASSWORD)
    on_modal(LoginDialog, _log_in("psiholog2"))
    on_modal(JournalAccessDialog, lambda d: d.reject())  # «Позже»
    user = sign_in(configured)
    assert user.login == "psiholog2" and user.journal_key is None


def test_benchmark_start_needs_no_dialogs(qtbot, configured, db_url):
    w = _new_window(qtbot, db_url)
    assert start_session(w, configured, exit_after_show=True)
    assert w.user is None and "Школы" in w.pages and "Пользователи" not in w.pages
    assert not w.user_label.isVisible()


# --- idle lock ---------------------------------------------------------------------------------------------------


def test_idle_lock_hides_pages_and_the_right_password_unlocks(qtbot, window, configured):
    window.go("Школы")
    schools = window.schools_page
    window.idle.set_timeout_ms(60)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    panel = window.lock_panel
    assert window.central.currentWidget() is panel and not window.main_panel.isVisible()
    assert not window.nav.isEnabled()
    assert not any(a.isEnabled() for a in window.file_menu.actions() if not a.isSeparator())
    assert "Руководова Ирина Сергеевна" in panel.findChild(type(panel.message), "who").text()
    assert ("rukovoditel", "блокировка при бездействии") in _audit(configured, "logout")
    window.resize(1000, 600)
    window.grab().save("/tmp/shots/lock-panel.png")

    QTest.keyClicks(panel.password, "ne-tot-parol")
    QTest.keyClick(panel.password, Qt.Key.Key_Return)
    assert window.locked and "Неверный логин или пароль" in panel.message.text()

    window.idle.stop()
    QTest.keyClicks(panel.password, PASSWORD)
    panel.unlock_button.click()
    assert not window.locked and window.lock_panel is None
    assert window.central.currentWidget() is window.main_panel
    assert window.schools_page is schools and window.current_page() is schools  # same pages kept
    assert window.nav.isEnabled() and window.act_lock.isEnabled()


def test_unlock_lockout_rules_apply(qtbot, window):
    window.idle.lock_now()
    panel = window.lock_panel
    for _ in range(auth.LOCKOUT_AFTER):
        panel.password.setText("ne-tot-parol")
        panel.submit()
    assert not panel.unlock_button.isEnabled()
    assert "заблокирован" in panel.message.text()
    panel.password.setText(PASSWORD)
    panel.submit()
    assert window.locked


def test_ctrl_l_locks(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked


def test_idle_zero_never_locks(qtbot, window, configured, make_user):
    admin = make_user("admin", login="admin")
    with session_scope(configured) as s:
        auth.set_idle_minutes(s, admin, 0)
    window.attach(configured, window.user)
    assert window.idle.timeout_ms == 0 and not window.idle.timer.isActive()
    qtbot.wait(50)
    assert not window.locked


def test_psychologist_pages_destroyed_on_lock_and_rebuilt(qtbot, configured, db_url, make_user):
    psych = make_user("psychologist", login="psiholog")
    assert psych.journal_key is not None
    w = MainWindow(configured, db_url, user=psych)
    qtbot.addWidget(w)
    w.show()
    w.go("Психолог")
    old = w.psych_page
    w.idle.lock_now()
    assert w.user.journal_key is None and w.pages == {} and w.psych_page is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(old))  # deleted, not just hidden
    w.lock_panel.password.setText(PASSWORD)
    w.lock_panel.submit()
    assert not w.locked
    assert w.user.journal_key is not None
    assert w.psych_page is not None and w.psych_page is not old
    assert w.current_page() is w.psych_page


def test_switch_user_rebuilds_pages(qtbot, window, configured, make_user):
    make_user("admin", login="admin")
    old_pages = list(window.pages.values())
    on_modal(LoginDialog, _log_in("admin"))
    window.switch_user()
    assert window.user.login == "admin"
    assert "Пользователи" in window.areas and window.users_page is not None
    assert not set(window.pages.values()) & set(old_pages)
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(p) for p in old_pages))
    assert ("rukovoditel", "смена пользователя") in _audit(configured, "logout")
    assert window.user_label.text() == "Пользователь: Админова А.П. (администратор)"


def test_switch_user_from_the_lock_panel(qtbot, window, make_user):
    make_user("methodist", login="metodist")
    window.lock()
    on_modal(LoginDialog, _log_in("metodist"))
    window.lock_panel.switch_button.click()
    assert not window.locked and window.user.login == "metodist"
    assert window.central.currentWidget() is window.main_panel


def test_switch_user_cancelled_keeps_the_user(qtbot, window):
    pages = dict(window.pages)
    on_modal(LoginDialog, lambda d: d.reject())
    window.switch_user()
    assert window.user.login == "rukovoditel" and window.pages == pages


def test_change_password_from_the_menu(qtbot, window, configured):
    def change(dlg: ChangePasswordDialog):
        QTest.keyClicks(dlg.old, "ne-tot")
        QTest.keyClicks(dlg.new, "novyi-parol-1")
        QTest.keyClicks(dlg.new2, "novyi-parol-1")
        dlg.save_button.click()
        assert dlg.errors.label("old").text() == "Текущий пароль введён неверно."
        dlg.old.setText(PASSWORD)
        dlg.save_button.click()

    seen = on_modal(ChangePasswordDialog, change)
    window.act_password.trigger()
    assert seen and window.user.login == "rukovoditel"
    with session_scope(configured) as s:
        assert auth.authenticate(s, "rukovoditel", "novyi-parol-1").role == "head"


def test_close_writes_logout(qtbot, window, configured):
    window.close()
    assert ("rukovoditel", "выход из программы") in _audit(configured, "logout")
