"""Main window: navigation on the left (only built areas), a page per area, status bar with the database.

Built in two steps so it can appear before the database layer is imported: the frame (``__init__``), then the
pages (``attach(factory)``). Given a factory at construction, it attaches at once.
"""

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

AREAS = ("Главная", "Школы", "Педагоги", "Диагностика", "Наставничество", "Документы")


class MainWindow(QMainWindow):
    def __init__(self, factory=None, url: str = "", parent=None):
        super().__init__(parent)
        self.factory = None
        self.url = url
        self.pages: dict[str, QWidget] = {}
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 760)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        for i, title in enumerate(AREAS):
            item = QListWidgetItem(title)
            item.setToolTip(f"{title} (Ctrl+{i + 1})")
            self.nav.addItem(item)
            placeholder = QLabel("Загрузка…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(placeholder)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menu()
        self.db_label = QLabel(f"База: {self._db_display()}")
        self.statusBar().addPermanentWidget(self.db_label)
        self.nav.setCurrentRow(0)
        if factory is not None:
            self.attach(factory)

    def _db_display(self) -> str:
        from moc_desktop.db.quick import sqlite_file_of

        return str(sqlite_file_of(self.url) or self.url)

    def attach(self, factory) -> None:
        """Create the pages over the session factory (imports the database layer)."""
        from moc_desktop.ui.diagnostics import DiagnosticsPage
        from moc_desktop.ui.documents import DocumentsPage, HomePage
        from moc_desktop.ui.mentoring import MentoringPage
        from moc_desktop.ui.pages import SchoolsPage, StaffPage

        self.factory = factory
        self.home_page = HomePage(factory)
        self.schools_page = SchoolsPage(factory)
        self.staff_page = StaffPage(factory)
        self.diagnostics_page = DiagnosticsPage(factory)
        self.mentoring_page = MentoringPage(factory)
        self.documents_page = DocumentsPage(factory)
        self.pages = {
            "Главная": self.home_page,
            "Школы": self.schools_page,
            "Педагоги": self.staff_page,
            "Диагностика": self.diagnostics_page,
            "Наставничество": self.mentoring_page,
            "Документы": self.documents_page,
        }
        current = self.nav.currentRow()
        for i, page in enumerate(self.pages.values()):
            old = self.stack.widget(i)
            self.stack.insertWidget(i, page)
            self.stack.removeWidget(old)
            old.deleteLater()
            if hasattr(page, "status_message"):
                page.status_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.schools_page.changed.connect(lambda: self._mark_stale(self.staff_page))
        self.staff_page.changed.connect(lambda: self._mark_stale(self.schools_page))
        self.documents_page.changed.connect(lambda: self._mark_stale(self.home_page))
        for registry in (self.schools_page, self.staff_page):
            registry.changed.connect(lambda: self._mark_stale(self.diagnostics_page))
            registry.changed.connect(lambda: self._mark_stale(self.mentoring_page))
        self.stack.setCurrentIndex(max(current, 0))
        self.update_title()

    def _mark_stale(self, page) -> None:
        page.loaded = False
        if page.isVisible():
            page.reload()

    def update_title(self) -> None:
        from moc_desktop.services import settings

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
        for i, title in enumerate(AREAS):
            go.addAction(self._act(title, lambda _=False, r=i: self.nav.setCurrentRow(r), f"Ctrl+{i + 1}"))
        h = self.menuBar().addMenu("&Справка")
        h.addAction(self._act("Где хранятся данные", self.show_paths))
        h.addAction(self._act("О программе", self.about))

    def _act(self, text, slot, shortcut=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _checked=False: slot())
        return a

    def current_page(self):
        return self.stack.currentWidget()

    def go(self, area: str) -> None:
        """Show an area by its navigation title («Школы», «Педагоги» …)."""
        self.nav.setCurrentRow(AREAS.index(area))

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
