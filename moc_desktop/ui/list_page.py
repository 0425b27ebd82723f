"""A registry list page: toolbar, search box, filters, sortable table, count; the base of Schools and Staff."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.services import lists
from moc_desktop.ui.table_model import RowsTableModel


def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton("Да", QMessageBox.ButtonRole.YesRole)
    box.addButton("Нет", QMessageBox.ButtonRole.NoRole)
    box.exec()
    return box.clickedButton() is yes


class ListPage(QWidget):
    kind = ""  # "schools" | "staff" | "orders" | "protocols"
    noun_plural = ""
    importable = True  # show «Импорт из Excel» and «Шаблон для импорта»
    changed = Signal()  # data changed here: other pages may reload
    status_message = Signal(str)

    def __init__(self, factory, parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.choose_save_path: Callable[[str, str], str] = self._ask_save_path
        self.loaded = False
        self.model = RowsTableModel(lists.columns_for(self.kind), self)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_add = self._action("Добавить", QKeySequence.StandardKey.New, self.add)
        self.act_edit = self._action("Изменить", "Return", self.edit_current)
        self.act_delete = self._action("Удалить", QKeySequence.StandardKey.Delete, self.delete_selected)
        self.toolbar.addSeparator()
        if self.importable:
            self.act_import = self._action("Импорт из Excel…", "Ctrl+I", self.import_file)
        self.act_export = self._action("Экспорт в Excel…", "Ctrl+E", self.export_visible)
        if self.importable:
            self.act_template = self._action("Шаблон для импорта…", None, self.save_template)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Поиск… (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        focus = QAction(self)
        focus.setShortcut(QKeySequence.StandardKey.Find)
        focus.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(focus)

        self.filters = QHBoxLayout()  # search row; pages add their filters here or in ``filters2``
        self.filters.addWidget(self.search, 3)
        self.filters2 = QHBoxLayout()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # service order first
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, col in enumerate(self.model.columns):
            self.table.setColumnWidth(i, max(60, (col.width or 12) * 7, len(col.title) * 7 + 18))
        self.table.doubleClicked.connect(lambda _i: self.edit_current())

        self.count_label = QLabel()
        self.count_label.setObjectName("count")

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(self.filters)
        layout.addLayout(self.filters2)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def _action(self, text: str, shortcut, slot) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setToolTip(
                f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        act.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addAction(act)
        self.addAction(act)
        return act

    # --- to implement -------------------------------------------------------------------------------------------
    def load_rows(self, session) -> list:
        raise NotImplementedError

    def predicate(self):
        """Filter from the page's combo boxes (None = everything)."""
        return None

    def open_editor(self, row_id: int | None) -> bool:
        raise NotImplementedError

    def delete_rows(self, session, rows: list) -> None:
        raise NotImplementedError

    def describe(self, rows: list) -> str:
        raise NotImplementedError

    # --- behaviour ----------------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # lazy: a page loads when first shown
        if not self.loaded:
            self.reload()
        super().showEvent(event)

    def reload(self, keep_id: int | None = None) -> None:
        with self.factory() as s:
            self.before_reload(s)
            rows = self.load_rows(s)
        self.model.set_rows(rows)
        self.model.set_filter(predicate=self.predicate())
        self.loaded = True
        self._update_count()
        if keep_id is not None:
            self.select_id(keep_id)

    def before_reload(self, session) -> None:
        """Refresh filter choices (schools, years) before the rows load."""

    def apply_filters(self) -> None:
        self.model.set_filter(predicate=self.predicate())
        self._update_count()

    def _on_search(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        self.count_label.setText(f"Показано: {shown} из {total}")

    def selected_rows(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return [self.model.row_at(r) for r in rows]

    def select_id(self, row_id: int) -> None:
        r = self.model.row_of_id(row_id)
        if r is not None:
            self.table.selectRow(r)
            self.table.scrollTo(self.model.index(r, 0))

    def add(self) -> None:
        if self.open_editor(None):
            self.reload()
            self.changed.emit()

    def edit_current(self) -> None:
        rows = self.selected_rows()
        if rows and self.open_editor(rows[0].id):
            self.reload(keep_id=rows[0].id)
            self.changed.emit()

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        if not self.confirm(self, "Удаление", self.describe(rows)):
            return
        from moc_desktop.db.engine import session_scope

        with session_scope(self.factory) as s:
            self.delete_rows(s, rows)
        self.reload()
        self.changed.emit()
        self.status_message.emit(f"Удалено записей: {len(rows)}")

    def _ask_save_path(self, caption: str, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, caption, str(Path.home() / suggested), "Книга Excel (*.xlsx)"
        )
        return path

    def export_visible(self) -> None:
        path = self.choose_save_path("Экспорт в Excel", f"{lists.LIST_TITLES[self.kind]}.xlsx")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        from moc_desktop.services.xlsx_export import ExportError

        try:
            n = lists.export_rows(self.kind, self.model.visible_rows(), Path(path))
        except ExportError as exc:
            QMessageBox.warning(self, "Экспорт", str(exc))
            return
        self.status_message.emit(f"Выгружено строк: {n} → {path}")

    def save_template(self) -> None:
        from moc_desktop.services import xlsx_export

        path = self.choose_save_path("Шаблон для импорта", f"Шаблон — {lists.LIST_TITLES[self.kind]}.xlsx")
        if not path:
            return
        try:
            xlsx_export.write_template(self.kind, Path(path))
        except xlsx_export.ExportError as exc:
            QMessageBox.warning(self, "Шаблон", str(exc))
            return
        self.status_message.emit(f"Шаблон сохранён: {path}")

    def import_file(self, path: str | None = None) -> None:
        """Open the import dialog (not blocking); the list reloads when the import is applied."""
        from moc_desktop.ui.import_dialog import ImportDialog

        dlg = ImportDialog(self.factory, self.kind, self, path=path)
        self.last_import_dialog = dlg
        dlg.accepted.connect(self._after_import)
        dlg.run()

    def _after_import(self) -> None:
        self.reload()
        self.changed.emit()
