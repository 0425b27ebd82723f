"""Main window: navigation on the left (the areas the user's role may see), a page per area, status bar with the
user and the database; locking, switching the user and changing the password from the «Файл» menu.

Built in two steps so it can appear before the database layer is imported: the frame (``__init__``), then the
pages (``attach(factory, user)``). Given a factory at construction, it attaches at once. Pages receive the factory
and ``current_user`` (a callable returning the :class:`Principal` or ``None``), never the window.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from moc_desktop import APP_NAME, __version__, config

log = logging.getLogger("moc_desktop.ui")

AREAS = (
    "Главная",
    "Школы",
    "Педагоги",
    "Диагностика",
    "Наставничество",
    "Психолог",
    "Документы",
    "Пользователи",
    "Журнал аудита",
)
#: Areas shown only to a role holding the permission (the services refuse the others anyway).
AREA_PERMISSIONS = {"Пользователи": "users.manage", "Журнал аудита": "audit.view"}
#: Area → attribute of the window holding its page.
PAGE_ATTRS = {
    "Главная": "home_page",
    "Школы": "schools_page",
    "Педагоги": "staff_page",
    "Диагностика": "diagnostics_page",
    "Наставничество": "mentoring_page",
    "Психолог": "psych_page",
    "Документы": "documents_page",
    "Пользователи": "users_page",
    "Журнал аудита": "audit_page",
}


def visible_areas(user) -> list[str]:
    """The navigation of ``user`` (a Principal or ``None``) in the order of :data:`AREAS`."""
    return [
        a for a in AREAS if a not in AREA_PERMISSIONS or (user is not None and user.can(AREA_PERMISSIONS[a]))
    ]


def short_name(user) -> str:
    """«Фамилия И.О. (роль)» for the status bar."""
    from moc_desktop.services.docs.common import initials_name

    name = initials_name(user.full_name, initials_first=False) if user.full_name else user.login
    return f"{name} ({user.role_title})"


class MainWindow(QMainWindow):
    def __init__(self, factory=None, url: str = "", parent=None, user=None):
        super().__init__(parent)
        from moc_desktop.ui.idle import IdleLock

        self.factory = None
        self.url = url
        self.user = user
        self.locked = False
        self.lock_panel = None
        self.pages: dict[str, QWidget] = {}
        for attr in PAGE_ATTRS.values():
            setattr(self, attr, None)
        self.areas = visible_areas(user)
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 760)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.main_panel = QWidget()
        row = QHBoxLayout(self.main_panel)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.central = QStackedWidget()
        self.central.addWidget(self.main_panel)
        self.setCentralWidget(self.central)

        self._build_menu()
        self.user_label = QLabel()
        self.user_label.setObjectName("user_label")
        self.db_label = QLabel(f"База: {self._db_display()}")
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.db_label)
        self.idle = IdleLock(self)
        self._fill_navigation({a: None for a in self.areas})
        self._update_user_ui()
        if factory is not None:
            self.attach(factory, user)

    def _db_display(self) -> str:
        from moc_desktop.db.quick import sqlite_file_of

        return str(sqlite_file_of(self.url) or self.url)

    def current_user(self):
        """The signed-in Principal (``None`` before sign-in or in the benchmark start)."""
        return self.user

    # --- pages --------------------------------------------------------------------------------------------------
    def attach(self, factory, user=None) -> None:
        """Create the pages for ``user`` over the session factory (imports the database layer). Called again on
        a user switch: the old pages are deleted."""
        from moc_desktop.services import auth
        from moc_desktop.ui.audit import AuditPage
        from moc_desktop.ui.diagnostics import DiagnosticsPage
        from moc_desktop.ui.documents import DocumentsPage, HomePage
        from moc_desktop.ui.mentoring import MentoringPage
        from moc_desktop.ui.pages import SchoolsPage, StaffPage
        from moc_desktop.ui.psych import PsychPage
        from moc_desktop.ui.users import UsersPage

        current = self.current_area()
        self._clear_pages()
        self.factory = factory
        self.user = user
        auth.bind_actor(factory, user)
        self.areas = visible_areas(user)
        builders = {
            "Главная": lambda: HomePage(factory),
            "Школы": lambda: SchoolsPage(factory),
            "Педагоги": lambda: StaffPage(factory),
            "Диагностика": lambda: DiagnosticsPage(factory),
            "Наставничество": lambda: MentoringPage(factory),
            "Психолог": lambda: PsychPage(factory, self.current_user, on_user_changed=self._user_changed),
            "Документы": lambda: DocumentsPage(factory),
            "Пользователи": lambda: UsersPage(factory, self.current_user),
            "Журнал аудита": lambda: AuditPage(factory, self.current_user),
        }
        pages = {area: builders[area]() for area in self.areas}
        self._fill_navigation(pages)
        for area, page in pages.items():
            setattr(self, PAGE_ATTRS[area], page)
            if hasattr(page, "status_message"):
                page.status_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.pages = pages
        self.schools_page.changed.connect(lambda: self._mark_stale(self.staff_page))
        self.staff_page.changed.connect(lambda: self._mark_stale(self.schools_page))
        self.documents_page.changed.connect(lambda: self._mark_stale(self.home_page))
        for registry in (self.schools_page, self.staff_page):
            registry.changed.connect(lambda: self._mark_stale(self.diagnostics_page))
            registry.changed.connect(lambda: self._mark_stale(self.mentoring_page))
        if self.users_page is not None:
            self.users_page.idle_minutes_changed.connect(self.idle.set_minutes)
        self.nav.setCurrentRow(self.areas.index(current) if current in self.areas else 0)
        self._update_user_ui()
        self.update_title()
        self._configure_idle()

    def _clear_pages(self) -> None:
        """Delete every page (nothing decrypted may stay in widgets after a lock or a user switch)."""
        while self.stack.count():
            w = self.stack.widget(0)
            self.stack.removeWidget(w)
            w.hide()
            w.deleteLater()
        self.pages = {}
        for attr in PAGE_ATTRS.values():
            setattr(self, attr, None)

    def _fill_navigation(self, pages: dict) -> None:
        """Navigation items, pages (or «Загрузка…» placeholders) and the «Разделы» menu for these areas."""
        self.nav.blockSignals(True)
        self.nav.clear()
        while self.stack.count():
            w = self.stack.widget(0)
            self.stack.removeWidget(w)
            w.deleteLater()
        for i, (area, page) in enumerate(pages.items()):
            item = QListWidgetItem(area)
            item.setToolTip(f"{area} (Ctrl+{i + 1})" if i < 9 else area)
            self.nav.addItem(item)
            if page is None:
                page = QLabel("Загрузка…")
                page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(page)
        self.nav.blockSignals(False)
        self.go_menu.clear()
        for i, area in enumerate(pages):
            self.go_menu.addAction(
                self._act(
                    area, lambda _=False, r=i: self.nav.setCurrentRow(r), f"Ctrl+{i + 1}" if i < 9 else None
                )
            )
        self.nav.setCurrentRow(0)
        self.stack.setCurrentIndex(0)

    def current_area(self) -> str | None:
        item = self.nav.currentItem()
        return item.text() if item is not None else None

    def _mark_stale(self, page) -> None:
        if page is None:
            return
        page.loaded = False
        if page.isVisible():
            page.reload()

    def _user_changed(self, user) -> None:
        """A page obtained a new Principal for the same person (e.g. the journal opened with the recovery key)."""
        from moc_desktop.services import auth

        self.user = user
        if self.factory is not None:
            auth.bind_actor(self.factory, user)
        self._update_user_ui()

    def _update_user_ui(self) -> None:
        self.user_label.setText(f"Пользователь: {short_name(self.user)}" if self.user else "")
        self.user_label.setVisible(self.user is not None)
        signed_in = self.user is not None and self.factory is not None
        for act in (self.act_password, self.act_lock, self.act_switch):
            act.setEnabled(signed_in and not self.locked)

    def _configure_idle(self) -> None:
        if self.user is None or self.factory is None:
            self.idle.stop()
            return
        from moc_desktop.services import auth

        with self.factory() as s:
            self.idle.set_minutes(auth.idle_minutes(s))

    def update_title(self) -> None:
        from moc_desktop.services import settings

        with self.factory() as s:
            name = settings.get(s, "moc_name")
        self.setWindowTitle(f"{APP_NAME} — {name}" if name else APP_NAME)

    # --- menu ---------------------------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        m = self.menuBar().addMenu("&Файл")
        self.act_password = self._act("Сменить пароль…", self.change_password)
        self.act_lock = self._act("Заблокировать", lambda: self.lock("заблокировано пользователем"), "Ctrl+L")
        self.act_switch = self._act("Сменить пользователя…", self.switch_user)
        for a in (self.act_password, self.act_lock, self.act_switch):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self._act("Настройки установки…", self.edit_settings, "Ctrl+,"))
        m.addAction(self._act("Создать демонстрационные данные…", self.make_demo))
        m.addSeparator()
        m.addAction(self._act("Выход", self.close, QKeySequence.StandardKey.Quit))
        self.file_menu = m
        self.go_menu = self.menuBar().addMenu("&Разделы")
        h = self.menuBar().addMenu("&Справка")
        h.addAction(self._act("Где хранятся данные", self.show_paths))
        h.addAction(self._act("О программе", self.about))
        self.help_menu = h

    def _act(self, text, slot, shortcut=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _checked=False: slot())
        return a

    def _menu_actions(self) -> list[QAction]:
        menus = (self.file_menu, self.go_menu, self.help_menu)
        return [m.menuAction() for m in menus] + [a for m in menus for a in m.actions()]

    def current_page(self):
        return self.stack.currentWidget()

    def go(self, area: str) -> None:
        """Show an area by its navigation title («Школы», «Педагоги» …); ValueError if the role cannot see it."""
        self.nav.setCurrentRow(self.areas.index(area))

    # --- users: password, lock, switch -------------------------------------------------------------------------
    def change_password(self) -> None:
        if self.user is None or self.factory is None:
            return
        from moc_desktop.ui.login import ChangePasswordDialog

        dlg = ChangePasswordDialog(self.factory, self.user, self)
        if dlg.exec():
            self.user = dlg.user
            self.statusBar().showMessage("Пароль изменён.", 8000)

    def lock(self, reason: str = "заблокировано пользователем") -> None:
        """Hide everything behind the lock panel; a psychologist's pages are destroyed and the journal key
        dropped. Writes the logout audit row."""
        if self.user is None or self.factory is None or self.locked:
            return
        from moc_desktop.ui.login import LockPanel, log_out

        log_out(self.factory, self.user, reason)
        if self.user.role == "psychologist" or self.user.journal_key is not None:
            self._clear_pages()
            self.user = self.user.without_key()
        self.locked = True
        self.idle.timer.stop()
        self.lock_panel = LockPanel(self.factory, self.user)
        self.lock_panel.unlocked.connect(self._unlocked)
        self.lock_panel.switch_requested.connect(self.switch_user)
        self.central.addWidget(self.lock_panel)
        self.central.setCurrentWidget(self.lock_panel)
        self.nav.setEnabled(False)
        for a in self._menu_actions():
            a.setEnabled(False)
        self._update_user_ui()
        self.lock_panel.password.setFocus()

    def _remove_lock_panel(self) -> None:
        self.locked = False
        for a in self._menu_actions():
            a.setEnabled(True)
        self.nav.setEnabled(True)
        if self.lock_panel is not None:
            self.central.removeWidget(self.lock_panel)
            self.lock_panel.hide()
            self.lock_panel.deleteLater()
            self.lock_panel = None
        self.central.setCurrentWidget(self.main_panel)

    def _unlocked(self, user) -> None:
        from moc_desktop.services import auth

        self._remove_lock_panel()
        if not self.pages:
            self.attach(self.factory, user)  # a psychologist's pages were destroyed on lock
        else:
            self.user = user
            auth.bind_actor(self.factory, user)
            self._update_user_ui()
            self._configure_idle()

    def switch_user(self) -> None:
        """Login dialog → on success the pages are rebuilt for the new user (the old ones deleted)."""
        if self.factory is None:
            return
        from moc_desktop.services import auth
        from moc_desktop.ui.login import LoginDialog, finish_sign_in, log_out

        dlg = LoginDialog(self.factory, self)
        if not dlg.exec():
            return
        new = finish_sign_in(self.factory, dlg.user, self)
        if new is None:
            auth.bind_actor(self.factory, self.user)
            return
        if not self.locked:
            log_out(self.factory, self.user, "смена пользователя")
        self._remove_lock_panel()
        self.attach(self.factory, new)

    def closeEvent(self, event) -> None:
        if self.user is not None and self.factory is not None and not self.locked:
            from moc_desktop.ui.login import log_out

            try:
                log_out(self.factory, self.user, "выход из программы")
            except Exception:  # noqa: BLE001 — closing must not fail because of the audit row
                log.exception("Не удалось записать выход из программы")
        self.idle.stop()
        super().closeEvent(event)

    # --- other menu items ---------------------------------------------------------------------------------------
    def edit_settings(self) -> None:
        if self.factory is None:
            return
        from moc_desktop.ui.wizard import SettingsDialog

        if SettingsDialog(self.factory, self).exec():
            self.update_title()

    def make_demo(self) -> None:
        if self.factory is None:
            return
        from moc_desktop.ui.wizard import run_demo_generation

        run_demo_generation(self, self.factory, "S", on_done=self.reload_all)

    def reload_all(self) -> None:
        for page in self.pages.values():
            page.loaded = False
        if hasattr(self.current_page(), "reload"):
            self.current_page().reload()

    def show_paths(self) -> None:
        p = config.paths()
        QMessageBox.information(
            self,
            "Где хранятся данные",
            f"База данных: {self._db_display()}\nРезервные копии: {p.backups_dir}\nЖурнал: {p.logs_dir}\n"
            f"Свои шаблоны документов: {p.templates_dir}",
        )

    def about(self) -> None:
        QMessageBox.about(
            self,
            "О программе",
            f"<b>{APP_NAME}</b> {__version__}<br>Рабочее место муниципального образовательного (методического) "
            "центра: реестр школ и педагогов, статусы ШНОР/ШНСУ, показатели, импорт и экспорт Excel.",
        )

    def keyPressEvent(self, event) -> None:
        page = self.current_page()
        if event.key() == Qt.Key.Key_Escape and hasattr(page, "search"):
            page.search.clear()
        super().keyPressEvent(event)
