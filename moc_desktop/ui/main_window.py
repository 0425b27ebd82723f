"""Main window: navigation on the left (only built areas), a page per area, status bar with the database."""

from __future__ import annotations

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
from moc_desktop.db.engine import sqlite_path
from moc_desktop.services import settings
from moc_desktop.ui.pages import SchoolsPage, StaffPage


class MainWindow(QMainWindow):
    def __init__(self, factory, url: str, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.url = url
        self.resize(1280, 760)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        self.schools_page = SchoolsPage(factory)
        self.staff_page = StaffPage(factory)
        self.pages = {"Школы": self.schools_page, "Педагоги": self.staff_page}
        for i, (title, page) in enumerate(self.pages.items()):
            item = QListWidgetItem(title)
            item.setToolTip(f"{title} (Ctrl+{i + 1})")
            self.nav.addItem(item)
            self.stack.addWidget(page)
            page.status_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.schools_page.changed.connect(lambda: self._mark_stale(self.staff_page))
        self.staff_page.changed.connect(lambda: self._mark_stale(self.schools_page))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menu()
        db_file = sqlite_path(url)
        self.db_label = QLabel(f"База: {db_file or url}")
        self.statusBar().addPermanentWidget(self.db_label)
        self.update_title()
        self.nav.setCurrentRow(0)

    def _mark_stale(self, page) -> None:
        page.loaded = False
        if page.isVisible():
            page.reload()

    def update_title(self) -> None:
        with self.factory() as s:
            name = settings.get(s, "moc_name")
        self.setWindowTitle(f"{APP_NAME} — {name}" if name else APP_NAME)

    def _build_menu(self) -> None:
        m = self.menuBar().addMenu("&Файл")
        m.addAction(self._act("Настройки установки…", self.edit_settings, "Ctrl+,"))
        m.addAction(self._act("Создать демонстрационные данные…", self.make_demo))
        m.addSeparator()
        m.addAction(self._act("Выход", self.close, QKeySequence.StandardKey.Quit))
        go = self.menuBar().addMenu("&Разделы")
        for i, title in enumerate(self.pages):
            go.addAction(self._act(title, lambda _=False, r=i: self.nav.setCurrentRow(r), f"Ctrl+{i + 1}"))
        h = self.menuBar().addMenu("&Справка")
        h.addAction(self._act("Где хранятся данные", self.show_paths))
        h.addAction(self._act("О программе", self.about))

    def _act(self, text, slot, shortcut=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        return a

    def current_page(self):
        return self.stack.currentWidget()

    def edit_settings(self) -> None:
        from moc_desktop.ui.wizard import SettingsDialog

        if SettingsDialog(self.factory, self).exec():
            self.update_title()

    def make_demo(self) -> None:
        from moc_desktop.ui.wizard import run_demo_generation

        run_demo_generation(self, self.factory, "S", on_done=self.reload_all)

    def reload_all(self) -> None:
        for page in self.pages.values():
            page.loaded = False
        self.current_page().reload()

    def show_paths(self) -> None:
        p = config.paths()
        db_file = sqlite_path(self.url)
        QMessageBox.information(
            self,
            "Где хранятся данные",
            f"База данных: {db_file or self.url}\nРезервные копии: {p.backups_dir}\nЖурнал: {p.logs_dir}\n"
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
        if event.key() == Qt.Key.Key_Escape:
            self.current_page().search.clear()
        super().keyPressEvent(event)
