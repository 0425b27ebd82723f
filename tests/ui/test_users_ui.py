"""«Пользователи»: the accounts table, add / edit / reset / unlock, the recovery key, login settings."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from moc_desktop.db.engine import session_scope
from moc_desktop.services import auth
from moc_desktop.ui.main_window import MainWindow
from moc_desktop.ui.users import RecoveryKeyDialog, ResetPasswordDialog, UserDialog, UsersPage
from tests.ui.conftest import PASSWORD, on_modal, type_text


def _page(qtbot, factory, user) -> UsersPage:
    page = UsersPage(factory, lambda: user)
    qtbot.addWidget(page)
    page.resize(1100, 640)
    page.show()
    return page


def _logins(page: UsersPage) -> list[str]:
    return [r.login for r in page.model.visible_rows()]


def _fill_new(login: str, name: str, role_title: str, password: str = PASSWORD, password2: str | None = None):
    def act(dlg: UserDialog):
        QTest.keyClicks(dlg.login, login)
        type_text(dlg.full_name, name)
        dlg.role.setCurrentIndex(dlg.role.findText(role_title))
        QTest.keyClicks(dlg.password, password)
        QTest.keyClicks(dlg.password2, password if password2 is None else password2)
        dlg.save()

    return act


def test_table_lists_accounts_sorts_and_searches(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    make_user("head", login="rukovoditel")
    page = _page(qtbot, configured, admin)
    assert not page.denied.isVisible()
    assert [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(7)] == [
        "Логин", "ФИО", "Должность", "Роль", "Активна", "Заблокирована до", "Последний вход",
    ]  # fmt: skip
    assert sorted(_logins(page)) == ["admin", "metodist", "rukovoditel"]
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _logins(page) == ["rukovoditel", "metodist", "admin"]
    row = page.model.row_at(0)
    assert row.role_title == "руководитель МОЦ"
    assert page.model.index(0, 6).data()  # last login shown «дд.мм.гггг чч:мм»
    type_text(page.search, "метод")
    assert _logins(page) == ["metodist"]
    assert page.count_label.text() == "Показано: 1 из 3"


def test_add_user_through_the_dialog(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    page = _page(qtbot, configured, admin)

    def act(dlg: UserDialog):
        _fill_new("ivanova", "Иванова Нина Петровна", "методист", password2="drugoi-parol")(dlg)
        assert dlg.errors.label("password2").text() == "Пароли не совпадают."
        dlg.password2.setText(PASSWORD)
        dlg.login.setText("Admin")
        dlg.save()
        assert "уже есть" in dlg.errors.label("login").text()
        dlg.login.setText("ivanova")
        type_text(dlg.post, "методист по математике")
        dlg.grab().save("/tmp/shots/user-dialog.png")
        dlg.save()

    seen = on_modal(UserDialog, act)
    page.add_button.click()
    assert seen and "ivanova" in _logins(page)
    assert page.current_row().login == "ivanova"
    with configured() as s:
        u = auth.get_user(s, "ivanova")
        assert (u.full_name, u.post, u.role, u.active) == (
            "Иванова Нина Петровна", "методист по математике", "methodist", True,
        )  # fmt: skip
        assert u.must_change_password  # the initial password is changed at the first login
    with session_scope(configured) as s:
        assert auth.authenticate(s, "ivanova", PASSWORD).role == "methodist"


def test_first_psychologist_gets_a_recovery_key_that_opens_the_journal(
    qtbot, configured, make_user, tmp_path
):
    admin = make_user("admin", login="admin")
    page = _page(qtbot, configured, admin)
    shown: dict = {}

    def key_dialog(dlg: RecoveryKeyDialog):
        shown["key"] = dlg.key_label.text()
        dlg.resize(700, 300)
        dlg.grab().save("/tmp/shots/recovery-key.png")
        assert "показывается один раз" in dlg.findChildren(type(dlg.status))[1].text()
        assert not dlg.close_button.isEnabled()
        dlg.reject()  # Esc does not close before the key is saved
        assert dlg.isVisible()
        assert dlg.print_key(tmp_path / "key.pdf")
        shown["pdf"] = tmp_path / "key.pdf"
        saved = dlg.save_to_file(tmp_path / "key.txt")
        shown["txt"] = saved.read_text(encoding="utf-8")
        dlg.copy_button.click()
        shown["clip"] = QApplication.clipboard().text()
        dlg.saved.setChecked(True)
        assert dlg.close_button.isEnabled()
        dlg.close_button.click()

    on_modal(UserDialog, _fill_new("psiholog", "Психологова Мария Андреевна", "педагог-психолог"))
    seen = on_modal(RecoveryKeyDialog, key_dialog)
    page.add()
    assert seen and seen[0].result() == RecoveryKeyDialog.DialogCode.Accepted
    key = shown["key"]
    assert len(key) == 39 and key.count("-") == 7
    assert key in shown["txt"] and "Распечатайте или запишите" in shown["txt"]
    assert shown["clip"] == key
    pdf_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "key.pdf").pages)
    assert key in pdf_text.splitlines()

    # a second psychologist has no access until the recovery key from the dialog is given
    on_modal(UserDialog, _fill_new("psiholog2", "Вторая Вера Павловна", "педагог-психолог"))
    recovery = on_modal(RecoveryKeyDialog, lambda d: d.reject(), timeout_ms=300)
    page.add()
    assert not recovery  # the key is shown only once
    with session_scope(configured) as s:
        second = auth.authenticate(s, "psiholog2", PASSWORD)
        assert second.journal_key is None and auth.needs_journal_access(s, second)
        opened = auth.grant_journal_access(s, second, PASSWORD, key)
    with session_scope(configured) as s:
        first = auth.authenticate(s, "psiholog", PASSWORD)
    assert opened.journal_key == first.journal_key


def test_edit_user_and_admin_cannot_demote_self(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    page = _page(qtbot, configured, admin)
    page.select_login("metodist")

    def edit(dlg: UserDialog):
        assert dlg.login.isReadOnly() and dlg.login.text() == "metodist"
        assert dlg.password is None
        dlg.role.setCurrentIndex(dlg.role.findData("head"))
        dlg.active.setChecked(False)
        dlg.save()

    on_modal(UserDialog, edit)
    page.edit_button.click()
    with configured() as s:
        u = auth.get_user(s, "metodist")
        assert (u.role, u.active) == ("head", False)
    assert page.model.row_at(page.model.row_of_id(u.id) or 0).role_title == "руководитель МОЦ"

    page.select_login("admin")
    messages = []

    def demote(dlg: UserDialog):
        dlg.role.setCurrentIndex(dlg.role.findData("methodist"))
        dlg.save()
        messages.append(dlg.errors.label("role").text())
        dlg.confirm = lambda *_a: True
        dlg.reject()

    on_modal(UserDialog, demote)
    page.edit_current()
    assert "Нельзя снять с себя роль администратора" in messages[0]
    with configured() as s:
        assert auth.get_user(s, "admin").role == "admin"


def test_reset_password(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("psychologist", login="psiholog")
    page = _page(qtbot, configured, admin)
    page.select_login("psiholog")

    def reset(dlg: ResetPasswordDialog):
        assert "ключ восстановления" in dlg.findChildren(type(dlg.errors.label("password")))[0].text()
        QTest.keyClicks(dlg.password, "vremennyi-1")
        QTest.keyClicks(dlg.password2, "vremennyi-1")
        dlg.save_button.click()

    seen = on_modal(ResetPasswordDialog, reset)
    page.reset_button.click()
    assert seen and seen[0].result() == ResetPasswordDialog.DialogCode.Accepted
    with session_scope(configured) as s:
        user = auth.authenticate(s, "psiholog", "vremennyi-1")
        assert user.must_change_password and user.journal_key is None
        assert auth.needs_journal_access(s, user)


def test_unlock_a_locked_account(qtbot, configured, make_user):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    for _ in range(auth.LOCKOUT_AFTER):
        try:
            with session_scope(configured) as s:
                auth.authenticate(s, "metodist", "ne-tot-parol")
        except auth.LoginRefused:
            pass
    page = _page(qtbot, configured, admin)
    page.select_login("metodist")
    r = page.table.currentIndex().row()
    assert page.model.index(r, 5).data()  # «Заблокирована до» filled
    page.grab().save("/tmp/shots/users-page.png")
    page.unlock_button.click()
    r = page.table.currentIndex().row()
    assert page.model.row_at(r).login == "metodist" and page.model.index(r, 5).data() == ""
    with session_scope(configured) as s:
        assert auth.authenticate(s, "metodist", PASSWORD).login == "metodist"


def test_autologin_excludes_psychologists_and_idle_minutes_reach_the_window(
    qtbot, configured, db_url, make_user
):
    admin = make_user("admin", login="admin")
    make_user("methodist", login="metodist")
    make_user("psychologist", login="psiholog")
    w = MainWindow(configured, db_url, user=admin)
    qtbot.addWidget(w)
    w.show()
    w.go("Пользователи")
    page = w.users_page
    choices = [page.autologin.itemData(i) for i in range(page.autologin.count())]
    assert page.autologin.itemText(0) == "— нет —"
    assert choices == ["", "admin", "metodist"]  # no psychologist
    assert "небезопасно" in page.autologin_warning.text()
    page.autologin.setCurrentIndex(choices.index("metodist"))
    page.apply_autologin()
    with configured() as s:
        assert auth.autologin_login(s) == "metodist"
    page.autologin.setCurrentIndex(0)
    page.apply_autologin()
    with configured() as s:
        assert auth.autologin_login(s) == ""

    assert page.idle.value() == auth.DEFAULT_IDLE_MINUTES
    page.idle.setValue(5)
    qtbot.waitUntil(lambda: w.idle.timeout_ms == 5 * 60_000, timeout=3000)  # debounced, then applied
    with configured() as s:
        assert auth.idle_minutes(s) == 5
    page.idle.setValue(0)
    page.apply_idle()
    assert w.idle.timeout_ms == 0 and not w.idle.timer.isActive()


def test_page_refuses_a_methodist(qtbot, configured, make_user):
    methodist = make_user("methodist", login="metodist")
    page = _page(qtbot, configured, methodist)
    assert page.denied.isVisible() and not page.body.isVisible()
    assert page.model.rowCount() == 0
