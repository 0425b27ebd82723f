"""«Журнал аудита» page: who changed what and when (administrator only).

Filters (period, user, action, object, text) narrow the log in SQL; the table pulls pages of 500 rows as it is
scrolled (``canFetchMore``/``fetchMore``), so a log of hundreds of thousands of rows opens at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.services import audit
from moc_desktop.services.audit import AuditFilter, AuditRow
from moc_desktop.services.auth import AccessDenied, Principal
from moc_desktop.ui.forms import OptionalDateEdit

REFUSAL = "Журнал аудита доступен только администратору."
SEARCH_DELAY_MS = 250
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Дата и время", 150),
    ("Пользователь", 230),
    ("Действие", 120),
    ("Объект", 150),
    ("Запись", 180),
    ("Поле", 150),
    ("Было", 160),
    ("Стало", 160),
    ("Примечание", 200),
)


def _cells(r: AuditRow) -> tuple[str, ...]:
    """The row as the table shows it: the export's cells with the time as text."""
    return (r.at.strftime("%d.%m.%Y %H:%M:%S"), *audit.export_row(r)[1:])


class AuditTableModel(QAbstractTableModel):
    """Rows of the log, fetched lazily page by page through ``fetch(offset, limit)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[AuditRow] = []
        self._cells: list[tuple[str, ...]] = []
        self.total = 0
        self.fetch: Callable[[int, int], list[AuditRow]] | None = None

    def reset(self, total: int, fetch: Callable[[int, int], list[AuditRow]] | None) -> None:
        self.beginResetModel()
        self.total, self.fetch = total, fetch
        self.rows, self._cells = [], []
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent) -> bool:
        return not parent.isValid() and self.fetch is not None and len(self.rows) < self.total

    def fetchMore(self, parent) -> None:
        if not self.canFetchMore(parent):
            return
        page = self.fetch(len(self.rows), audit.PAGE_SIZE)
        if not page:
            self.total = len(self.rows)  # the log shrank meanwhile
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
        self.rows.extend(page)
        self._cells.extend(_cells(r) for r in page)
        self.endInsertRows()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._cells[index.row()][index.column()]
            return text if len(text) <= 200 else text[:199] + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._cells[index.row()][index.column()]
            if index.column() == 4:
                return self.rows[index.row()].record_uuid or None
            return text if len(text) > 20 else None
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None


class AuditPage(QWidget):
    """The audit log viewer. ``current_user()`` is asked on every reload: the page follows logins and locks."""

    status_message = Signal(str)

    def __init__(self, factory, current_user: Callable[[], Principal | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.current_user = current_user
        self.loaded = False
        self.choose_save_path: Callable[[str, str], str] = self._ask_save_path

        title = QLabel("Журнал аудита")
        title.setStyleSheet("font-size: 16px; font-weight: 600;")

        self.date_from = OptionalDateEdit()
        self.date_from.setObjectName("date_from")
        self.date_to = OptionalDateEdit()
        self.date_to.setObjectName("date_to")
        self.user = QComboBox()
        self.user.setObjectName("user")
        self.user.setMinimumContentsLength(16)
        self.action = QComboBox()
        self.action.setObjectName("action")
        self.action.addItem("Все действия", "")
        for code, text in audit.ACTIONS.items():
            self.action.addItem(text, code)
        self.entity = QComboBox()
        self.entity.setObjectName("entity")
        for combo in (self.user, self.action, self.entity):  # long titles must not widen the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.entity.addItem("Все объекты", "")
        for code, text in sorted(audit.ENTITIES.items(), key=lambda kv: kv[1]):
            self.entity.addItem(text, code)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Поиск по записи, полю, значениям, примечанию…")
        self.search.setClearButtonEnabled(True)
        self.reset_button = QPushButton("Сбросить")
        self.reset_button.setObjectName("reset")
        self.export_button = QPushButton("Выгрузить в Excel…")
        self.export_button.setObjectName("export")

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        for combo in (self.user, self.action, self.entity):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.reset_button.clicked.connect(self.reset_filters)
        self.export_button.clicked.connect(lambda _c=False: self.export())

        row1 = QHBoxLayout()
        for w in (
            QLabel("Период: с"),
            self.date_from,
            QLabel("по"),
            self.date_to,
            QLabel("Пользователь:"),
            self.user,
        ):
            row1.addWidget(w)
        row1.addWidget(QLabel("Действие:"))
        row1.addWidget(self.action)
        row1.addWidget(QLabel("Объект:"))
        row1.addWidget(self.entity)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        row2.addWidget(self.search, 1)
        row2.addWidget(self.reset_button)
        row2.addWidget(self.export_button)

        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, (_t, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(i, width)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(row1)
        inner.addLayout(row2)
        inner.addWidget(self.table, 1)
        inner.addWidget(self.count_label)

        self.refusal = QLabel(REFUSAL)
        self.refusal.setObjectName("refusal")
        self.refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal.setWordWrap(True)

        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.refusal)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.stack, 1)

    # --- state -----------------------------------------------------------------------------------------------
    @property
    def allowed(self) -> bool:
        user = self.current_user()
        return user is not None and user.can("audit.view")

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
            user_login=self.user.currentData() or "",
            action=self.action.currentData() or "",
            entity=self.entity.currentData() or "",
            text=self.search.text().strip(),
        )

    def showEvent(self, event) -> None:  # lazy: loads when first shown
        if not self.loaded:
            self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        """Refresh the user list and the rows (also after a login or logout)."""
        self.loaded = True
        if not self.allowed:
            self._refuse()
            return
        try:
            with self.factory() as s:
                users = audit.users_in_log(s, self.current_user())
        except AccessDenied:
            self._refuse()
            return
        current = self.user.currentData()
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem("Все пользователи", "")
        for login, name in users:
            self.user.addItem(f"{name} ({login})" if name else login, login)
        self.user.setCurrentIndex(max(self.user.findData(current), 0))
        self.user.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Re-run the query with the current filters; the first page loads, the rest as the table scrolls."""
        self._debounce.stop()
        user = self.current_user()
        if not self.allowed:
            self._refuse()
            return
        flt = self.current_filter()
        try:
            with self.factory() as s:
                total = audit.count(s, user, flt)
        except AccessDenied:
            self._refuse()
            return
        self.stack.setCurrentIndex(0)

        def fetch(offset: int, limit: int) -> list[AuditRow]:
            with self.factory() as s:
                return audit.query(s, user, flt, offset=offset, limit=limit)

        self.model.reset(total, fetch)
        self.count_label.setText(f"Найдено: {total}")

    def _refuse(self) -> None:
        self.model.reset(0, None)
        self.count_label.setText("")
        self.stack.setCurrentIndex(1)

    def reset_filters(self) -> None:
        widgets = (self.date_from, self.date_to, self.user, self.action, self.entity, self.search)
        for w in widgets:
            w.blockSignals(True)
        self.date_from.set_value(None)
        self.date_to.set_value(None)
        for combo in (self.user, self.action, self.entity):
            combo.setCurrentIndex(0)
        self.search.clear()
        for w in widgets:
            w.blockSignals(False)
        self.refresh()

    # --- export ----------------------------------------------------------------------------------------------
    def _ask_save_path(self, caption: str, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, caption, str(Path.home() / suggested), "Книга Excel (*.xlsx)"
        )
        return path

    def export(self, path: str | None = None) -> Path | None:
        """Export the rows matching the filters (all of them, not only those scrolled to)."""
        if not self.allowed:
            return None
        path = path or self.choose_save_path("Выгрузка журнала аудита", "Журнал аудита.xlsx")
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        from moc_desktop.db.engine import session_scope
        from moc_desktop.services.xlsx_export import ExportError

        try:
            with session_scope(self.factory) as s:
                out = audit.export_xlsx(s, self.current_user(), self.current_filter(), Path(path))
        except (ExportError, AccessDenied) as exc:
            QMessageBox.warning(self, "Выгрузка", str(exc))
            return None
        self.status_message.emit(f"Журнал аудита выгружен: {out}")
        self.refresh()  # the export itself is a new row of the log
        return out
