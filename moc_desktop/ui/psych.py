"""«Психолог»: the psychologist's journal (entries, client codes, the classic journal of kinds of work) and the
aggregates that every role may see. What a user sees depends on the role: only the psychologist with the journal
key open sees entries; others see «Сводка» only. Rules and access checks: ``services.psych``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import auth
from moc_desktop.services.auth import Principal
from moc_desktop.services.common import current_school_year, format_date, previous_school_years
from moc_desktop.services.psych import clients as clients_svc
from moc_desktop.services.psych import journal
from moc_desktop.services.psych.reports import school_year_bounds
from moc_desktop.services.schools import school_choices
from moc_desktop.ui.forms import ERROR_STYLE, OptionalDateEdit
from moc_desktop.ui.list_page import ask_yes_no
from moc_desktop.ui.mentor_common import ro, table
from moc_desktop.ui.psych_dialogs import NO_SCHOOL, ClientDialog, ClientHistoryDialog, SessionDialog
from moc_desktop.ui.tasks import BackgroundTask

ALL = "__all__"
OVERDUE = QColor("#b00020")
CONFIDENTIAL_NOTE = "Записи журнала, коды и сведения о клиентах доступны только педагогу-психологу."
LOCKED_TEXT = (
    "Журнал педагога-психолога закрыт для этой учётной записи: ключ журнала ещё не связан с вашим паролем "
    "(учётная запись добавлена после первого психолога или пароль сброшен администратором).\n\n"
    "Откройте журнал ключом восстановления, который был выдан при создании журнала. После этого журнал будет "
    "открываться вашим паролем при входе."
)
CLIENT_HEADERS = ["Код", "Категория", "ФИО", "Дата рождения", "Класс", "Школа", "Контакты"]
KINDS_HEADERS = ["Дата", "Время", "Школа", "Категория", "Класс", "Код", "Форма", "Участников", "Мин"]
DEBOUNCE_MS = 250


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _date_edit(d: date) -> QDateEdit:
    e = QDateEdit(_qdate(d))
    e.setDisplayFormat("dd.MM.yyyy")
    e.setCalendarPopup(True)
    return e


def _school_name(name: str) -> str:
    return name or journal.NO_SCHOOL


# --- the lazy model of the journal ------------------------------------------------------------------------------


class JournalModel(QAbstractTableModel):
    """Journal entries page by page (:data:`PAGE` rows per query) from ``journal.list_sessions``; the total comes
    from ``count_sessions``. Sorting by a header re-queries with the matching ``journal.SORT_KEYS`` key."""

    PAGE = 200
    COLUMNS: tuple[tuple[str, str | None], ...] = (
        ("Дата", "held_on"),
        ("Время", None),
        ("Мин", "duration_min"),
        ("Школа", "school"),
        ("Категория", "client_category"),
        ("Класс", None),
        ("Код", "client_code"),
        ("Форма", "form"),
        ("Участников", None),
        ("Вид работы", "kind"),
        ("Повторная встреча", "follow_up_on"),
        ("Психолог", None),
    )

    def __init__(self, factory, user: Callable[[], Principal | None], parent=None):
        super().__init__(parent)
        self.factory = factory
        self.user = user
        self.flt = journal.JournalFilter()
        self.sort_key = "held_on"
        self.descending = True
        self.rows: list[journal.SessionRow] = []
        self.total = 0
        self.queries = 0  # full re-queries (count + first page) made so far
        self.today = date.today()

    # --- queries ----------------------------------------------------------------------------------------------
    def set_filter(self, flt: journal.JournalFilter) -> None:
        self.flt = flt
        self.requery()

    def requery(self) -> None:
        """Count and the first page again (after a filter, sort or data change)."""
        user = self.user()
        self.today = date.today()
        self.beginResetModel()
        try:
            with self.factory() as s:
                self.total = journal.count_sessions(s, user, self.flt)
                self.rows = self._page(s, user, 0)
        except Exception:
            self.rows, self.total = [], 0
            raise
        finally:
            self.endResetModel()
            self.queries += 1

    def _page(self, session, user, offset: int) -> list[journal.SessionRow]:
        return journal.list_sessions(
            session,
            user,
            self.flt,
            offset=offset,
            limit=self.PAGE,
            sort=self.sort_key,
            descending=self.descending,
        )

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or len(self.rows) >= self.total:
            return
        with self.factory() as s:
            more = self._page(s, self.user(), len(self.rows))
        if not more:  # deleted meanwhile: stop asking
            self.total = len(self.rows)
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    def sortable(self, column: int) -> bool:
        return 0 <= column < len(self.COLUMNS) and self.COLUMNS[column][1] is not None

    def sort_column(self) -> int:
        return next(i for i, (_t, k) in enumerate(self.COLUMNS) if k == self.sort_key)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by the column's key; columns without a key keep the current order."""
        if not self.sortable(column):
            return
        key, desc = self.COLUMNS[column][1], order == Qt.SortOrder.DescendingOrder
        if (key, desc) == (self.sort_key, self.descending):
            return
        self.sort_key, self.descending = key, desc
        self.requery()

    # --- access -----------------------------------------------------------------------------------------------
    def row_at(self, row: int) -> journal.SessionRow:
        return self.rows[row]

    def row_of_uuid(self, uuid: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.uuid == uuid), None)

    def is_overdue(self, r: journal.SessionRow) -> bool:
        return journal.is_follow_up_overdue(r.follow_up_on, self.today)

    # --- Qt model API -----------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def cell(self, r: journal.SessionRow, column: int) -> str:
        return (
            format_date(r.held_on),
            r.start_time,
            str(r.duration_min),
            _school_name(r.school_name),
            journal.CATEGORIES.get(r.client_category, r.client_category),
            r.client_class,
            r.client_code,
            journal.FORMS.get(r.form, r.form),
            str(r.group_size),
            journal.KINDS.get(r.kind, r.kind),
            format_date(r.follow_up_on),
            r.psychologist,
        )[column]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(r, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and self.is_overdue(r):
            return QBrush(OVERDUE)
        if role == Qt.ItemDataRole.ToolTipRole and self.is_overdue(r):
            return f"Повторная встреча {format_date(r.follow_up_on)} просрочена."
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section][0]
        return str(section + 1)


# --- «Сводка» ---------------------------------------------------------------------------------------------------


class SummaryView(QWidget):
    """Aggregates of a period (``reports.summary``) and the annual reports (.docx / .xlsx); no entries, no codes."""

    def __init__(self, page: PsychPage, note: bool):
        super().__init__(page)
        self.page = page
        self.task: BackgroundTask | None = None
        self.summary = None
        v = QVBoxLayout(self)
        if note:
            self.note = QLabel(CONFIDENTIAL_NOTE)
            self.note.setObjectName("confidential_note")
            self.note.setWordWrap(True)
            self.note.setStyleSheet("color: #555; font-style: italic;")
            v.addWidget(self.note)
        row = QHBoxLayout()
        row.addWidget(QLabel("Учебный год:"))
        self.year = QComboBox()
        current = current_school_year()
        for y in reversed(previous_school_years(current, 6)):
            self.year.addItem(y)
        row.addWidget(self.year)
        start, end = school_year_bounds(current)
        row.addWidget(QLabel("  Период: с"))
        self.date_from = _date_edit(start)
        row.addWidget(self.date_from)
        row.addWidget(QLabel("по"))
        self.date_to = _date_edit(end)
        row.addWidget(self.date_to)
        row.addStretch(1)
        self.docx_button = QPushButton("Отчёт за год (Word)…")
        self.docx_button.clicked.connect(lambda: self.report("docx"))
        self.xlsx_button = QPushButton("Отчёт за год (Excel)…")
        self.xlsx_button.clicked.connect(lambda: self.report("xlsx"))
        row.addWidget(self.docx_button)
        row.addWidget(self.xlsx_button)
        v.addLayout(row)
        self.totals = QLabel()
        self.totals.setObjectName("summary_totals")
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.totals.font()
        f.setPointSizeF(f.pointSizeF() * 1.1)
        self.totals.setFont(f)
        v.addWidget(self.totals)
        grid = QGridLayout()
        self.by_kind = table(["Вид работы", "Записей"])
        self.by_category = table(["Категория", "Записей"])
        self.by_form = table(["Форма", "Записей"])
        self.by_school = table(["Школа", "Записей", "Детей"])
        self.by_month = table(["Месяц", "Записей"])
        for i, (title, t) in enumerate(
            (
                ("По видам работы", self.by_kind),
                ("По категориям клиентов", self.by_category),
                ("По формам работы", self.by_form),
                ("По школам", self.by_school),
                ("По месяцам", self.by_month),
            )
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(t)
            grid.addWidget(box, i // 3, i % 3)
        v.addLayout(grid, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.reload)
        self.year.currentTextChanged.connect(self._year_changed)
        self.date_from.dateChanged.connect(lambda _d: self._timer.start())
        self.date_to.dateChanged.connect(lambda _d: self._timer.start())

    def _year_changed(self, year: str) -> None:
        start, end = school_year_bounds(year)
        for e, d in ((self.date_from, start), (self.date_to, end)):
            e.blockSignals(True)
            e.setDate(_qdate(d))
            e.blockSignals(False)
        self._timer.start()

    def period(self) -> tuple[date, date]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date())

    def reload(self) -> None:
        from moc_desktop.services.psych import reports

        self._timer.stop()
        date_from, date_to = self.period()
        try:
            with self.page.factory() as s:
                sm = reports.summary(s, self.page.user(), date_from, date_to)
        except auth.AuthError as exc:
            self.totals.setText(str(exc))
            return
        self.summary = sm
        hours = f"{sm.hours:.1f}".replace(".", ",")
        self.totals.setText(
            f"За период {format_date(sm.date_from)} – {format_date(sm.date_to)}: записей — {sm.sessions}, "
            f"часов работы — {hours}, участников — {sm.participants}; обследовано и проконсультировано "
            f"обучающихся — {sm.children_served}."
        )
        self._fill(self.by_kind, [(journal.KINDS.get(k, k), n) for k, n in sm.by_kind.items()])
        self._fill(self.by_category, [(journal.CATEGORIES.get(k, k), n) for k, n in sm.by_category.items()])
        self._fill(self.by_form, [(journal.FORMS.get(k, k), n) for k, n in sm.by_form.items()])
        self._fill(self.by_school, [(name, n, kids) for name, n, kids in sm.by_school])
        self._fill(self.by_month, list(sm.by_month))

    @staticmethod
    def _fill(t, rows: list[tuple]) -> None:
        t.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                it = ro(value)
                if c:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(r, c, it)
        t.resizeColumnsToContents()

    def report(self, kind: str, path: str | None = None) -> BackgroundTask | None:
        """The annual report of the chosen school year, written off the GUI thread."""
        from moc_desktop.services.psych import reports

        year = self.year.currentText()
        if path is None:
            title = "Отчёт за год (Word)" if kind == "docx" else "Отчёт за год (Excel)"
            filt = "Документ Word (*.docx)" if kind == "docx" else "Книга Excel (*.xlsx)"
            suggested = f"Отчёт педагога-психолога {year.replace('/', '-')}.{kind}"
            path = self.page.choose_save_path(title, suggested, filt)
            if not path:
                return None
        if not path.lower().endswith(f".{kind}"):
            path += f".{kind}"
        write = reports.write_annual_report_docx if kind == "docx" else reports.write_annual_report_xlsx
        factory, user = self.page.factory, self.page.user()

        def work(progress, cancelled):
            progress(0.1, "Подсчёт…")
            with session_scope(factory) as s:
                return write(s, user, year, Path(path))

        self.task = BackgroundTask(
            self, "Формирование отчёта…", work, self._report_done, self._report_failed, cancellable=False
        ).start()
        return self.task

    def _report_done(self, out) -> None:
        self.page.status_message.emit(f"Отчёт сохранён: {out}")

    def _report_failed(self, exc: BaseException) -> None:
        from moc_desktop.services.docs.render import RenderError
        from moc_desktop.services.xlsx_export import ExportError

        if isinstance(exc, auth.AuthError | RenderError | ExportError | OSError):
            self.page.warn(self, "Отчёт", f"Отчёт не сохранён: {exc}")
            return
        raise exc


# --- the page ---------------------------------------------------------------------------------------------------


class JournalAccessDialog(QDialog):
    """Password + recovery key → ``auth.grant_journal_access`` (through ``unlock``, which returns an error)."""

    def __init__(self, unlock: Callable[[str, str], str | None], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Открыть журнал ключом восстановления")
        self.unlock = unlock
        form = QFormLayout(self)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.key = QLineEdit()
        self.key.setPlaceholderText("ключ восстановления журнала")
        self.key.setMinimumWidth(380)
        form.addRow("Ваш пароль:", self.password)
        form.addRow("Ключ восстановления:", self.key)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Открыть журнал")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
        buttons.accepted.connect(self.try_unlock)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def try_unlock(self) -> None:
        err = self.unlock(self.password.text(), self.key.text())
        if err:
            self.error.setText(err)
            self.error.setVisible(True)
            return
        self.accept()


class PsychPage(QWidget):
    """The «Психолог» area. ``current_user`` gives the signed-in principal; after the journal is opened with the
    recovery key the new principal is passed to ``on_user_changed`` and used here from then on."""

    status_message = Signal(str)
    changed = Signal()

    def __init__(
        self,
        factory,
        current_user: Callable[[], Principal | None],
        parent=None,
        on_user_changed: Callable[[Principal], None] | None = None,
    ):
        super().__init__(parent)
        self.factory = factory
        self.current_user = current_user
        self.on_user_changed = on_user_changed
        self.loaded = False
        self.mode = ""  # "" | "anonymous" | "summary" | "locked" | "journal"
        self._built_for: tuple | None = None
        self._granted: Principal | None = None
        # replaceable in tests
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.warn: Callable[[QWidget, str, str], None] = lambda p, t, m: QMessageBox.warning(p, t, m)
        self.info: Callable[[QWidget, str, str], None] = lambda p, t, m: QMessageBox.information(p, t, m)
        self.ask_valid_only: Callable[[QWidget, str, str], bool] = _ask_valid_only
        self.run_dialog: Callable[[QDialog], object] = lambda d: d.exec()
        self.choose_save_path: Callable[[str, str, str], str] = self._ask_save_path
        self.choose_open_path: Callable[[str], str] = self._ask_open_path
        self.last_dialog: QDialog | None = None
        self.import_task: BackgroundTask | None = None
        self.tabs: QTabWidget | None = None
        self.summary_view: SummaryView | None = None
        self.content: QWidget | None = None
        self._stale: set[QWidget] = set()
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)

    # --- who is working ---------------------------------------------------------------------------------------
    def user(self) -> Principal | None:
        u = self.current_user()
        g = self._granted
        if g is not None and u is not None and u.user_id == g.user_id and u.journal_key is None:
            return g
        return u

    def _mode_for(self, user: Principal | None) -> str:
        if user is None:
            return "anonymous"
        if not user.can("psych.journal"):
            return "summary"
        if user.journal_key is None:
            return "locked"
        return "journal"

    # --- building ---------------------------------------------------------------------------------------------
    def reload(self) -> None:
        user = self.user()
        mode = self._mode_for(user)
        key = (mode, user.user_id if user else None)
        if key != self._built_for:
            self._build(mode)
            self._built_for = key
        if mode == "journal":
            self._fill_schools()
            self._stale = {self.journal_tab, self.kinds_tab, self.clients_tab, self.summary_view}
            self._refresh_current()
        elif mode == "summary":
            self.summary_view.reload()
        self.loaded = True

    def showEvent(self, event) -> None:
        if not self.loaded:
            self.reload()
        super().showEvent(event)

    def _build(self, mode: str) -> None:
        if self.content is not None:
            self._lay.removeWidget(self.content)
            self.content.deleteLater()
        self.mode = mode
        self.tabs = None
        self.summary_view = None
        if mode == "anonymous":
            self.content = QLabel("Войдите в программу, чтобы открыть раздел «Психолог».")
        elif mode == "locked":
            self.content = self._build_locked()
        else:
            self.tabs = QTabWidget()
            self.tabs.setObjectName("psych_tabs")
            if mode == "journal":
                self._build_journal()
                self._build_kinds()
                self._build_clients()
            self.summary_view = SummaryView(self, note=mode == "summary")
            self.tabs.addTab(self.summary_view, "Сводка")
            self.tabs.currentChanged.connect(lambda _i: self._refresh_current())
            self.content = self.tabs
        self._lay.addWidget(self.content)
        self.content.show()

    def _refresh_current(self) -> None:
        w = self.tabs.currentWidget() if self.tabs is not None else None
        if w is None or w not in self._stale:
            return
        self._stale.discard(w)
        if w is self.journal_tab:
            self.apply_filter()
        elif w is self.kinds_tab:
            self.reload_kinds()
        elif w is self.clients_tab:
            self.reload_clients()
        elif w is self.summary_view:
            self.summary_view.reload()

    def _mark_changed(self) -> None:
        """Data changed: the other tabs reload when shown."""
        if self.mode == "journal":
            self._stale |= {self.kinds_tab, self.clients_tab, self.summary_view}
            self._stale.discard(self.tabs.currentWidget())
        self.changed.emit()

    # --- the locked journal -----------------------------------------------------------------------------------
    def _build_locked(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addStretch(1)
        box = QGroupBox("Журнал закрыт")
        b = QVBoxLayout(box)
        self.locked_label = QLabel(LOCKED_TEXT)
        self.locked_label.setObjectName("locked_text")
        self.locked_label.setWordWrap(True)
        b.addWidget(self.locked_label)
        self.unlock_button = QPushButton("Открыть журнал ключом восстановления…")
        self.unlock_button.clicked.connect(self.ask_unlock)
        b.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.setMaximumWidth(720)
        h = QHBoxLayout()
        h.addStretch(1)
        h.addWidget(box)
        h.addStretch(1)
        v.addLayout(h)
        v.addStretch(2)
        return w

    def unlock_dialog(self) -> JournalAccessDialog:
        self.last_dialog = JournalAccessDialog(self.unlock, self)
        return self.last_dialog

    def ask_unlock(self) -> None:
        self.run_dialog(self.unlock_dialog())

    def unlock(self, password: str, recovery_key: str) -> str | None:
        """Open the journal with the recovery key; ``None`` on success, else the Russian reason."""
        user = self.user()
        if user is None:
            return "Войдите в программу."
        if not password or not recovery_key.strip():
            return "Введите пароль и ключ восстановления."
        try:
            with session_scope(self.factory) as s:
                new = auth.grant_journal_access(s, user, password, recovery_key)
        except auth.AuthError as exc:
            return str(exc)
        self._granted = new
        if self.on_user_changed is not None:
            self.on_user_changed(new)
        self.reload()
        self.status_message.emit("Журнал открыт. Теперь он открывается вашим паролем.")
        return None

    # --- «Журнал» ---------------------------------------------------------------------------------------------
    def _build_journal(self) -> None:
        w = QWidget()
        self.journal_tab = w
        v = QVBoxLayout(w)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_add = self._action(w, "Добавить…", ["Ins"], self.add_entry)
        # Enter and Del act on the table only (not while typing in a filter)
        self.act_open = self._action(None, "Открыть…", ["Return", "Enter"], self.open_entry)
        self.act_delete = self._action(
            None, "Удалить", [QKeySequence.StandardKey.Delete], self.delete_selected
        )
        self.toolbar.addSeparator()
        self.act_history = self._action(w, "История клиента…", [], self.show_history)
        self.toolbar.addSeparator()
        self.act_import = self._action(w, "Загрузить из Excel…", [], self.import_journal)
        self.act_template = self._action(w, "Шаблон Excel…", [], self.save_template)
        v.addWidget(self.toolbar)

        f1 = QHBoxLayout()
        f1.addWidget(QLabel("Период: с"))
        self.f_from = OptionalDateEdit()
        f1.addWidget(self.f_from)
        f1.addWidget(QLabel("по"))
        self.f_to = OptionalDateEdit()
        f1.addWidget(self.f_to)
        f1.addWidget(QLabel("  Школа:"))
        self.f_school = QComboBox()
        self.f_school.setMinimumWidth(160)
        f1.addWidget(self.f_school, 1)
        f1.addWidget(QLabel("  Вид работы:"))
        self.f_kind = QComboBox()
        self.f_kind.addItem("все", ALL)
        for code, title in journal.KINDS.items():
            self.f_kind.addItem(title, code)
        f1.addWidget(self.f_kind, 1)
        v.addLayout(f1)
        f2 = QHBoxLayout()
        f2.addWidget(QLabel("Категория:"))
        self.f_category = QComboBox()
        self.f_category.addItem("все", ALL)
        for code, title in journal.CATEGORIES.items():
            self.f_category.addItem(title, code)
        f2.addWidget(self.f_category)
        f2.addWidget(QLabel("  Код:"))
        self.f_code = QLineEdit()
        self.f_code.setObjectName("code_filter")
        self.f_code.setPlaceholderText("начало кода, например О-00")
        self.f_code.setClearButtonEnabled(True)
        self.f_code.setMinimumWidth(200)
        f2.addWidget(self.f_code)
        self.f_overdue = QCheckBox("Только просроченные повторные встречи")
        f2.addWidget(self.f_overdue)
        f2.addStretch(1)
        v.addLayout(f2)

        self.model = JournalModel(self.factory, self.user, self)
        self.table = QTableView()
        self.table.setObjectName("journal_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        for i, width in enumerate((84, 52, 44, 190, 140, 52, 70, 120, 90, 220, 130, 120)):
            self.table.setColumnWidth(i, width)
        self.table.doubleClicked.connect(lambda _i: self.open_entry())
        self.table.addActions([self.act_open, self.act_delete])
        v.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        v.addWidget(self.count_label)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        for sig in (
            self.f_from.dateChanged,
            self.f_to.dateChanged,
            self.f_school.currentIndexChanged,
            self.f_kind.currentIndexChanged,
            self.f_category.currentIndexChanged,
            self.f_code.textChanged,
            self.f_overdue.toggled,
        ):
            sig.connect(lambda *_a: self._filter_timer.start())
        self._fill_schools()
        self.tabs.addTab(w, "Журнал")

    def _action(self, owner: QWidget | None, text: str, keys: list, slot) -> QAction:
        act = QAction(text, self)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shown = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(f"{text} ({shown})")
        act.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addAction(act)
        if owner is not None:
            owner.addAction(act)
        return act

    def _fill_schools(self) -> None:
        with self.factory() as s:
            schools = school_choices(s)
        self.f_school.blockSignals(True)
        current = self.f_school.currentData()
        self.f_school.clear()
        self.f_school.addItem("все", ALL)
        for sid, name in schools:
            self.f_school.addItem(name, sid)
        self.f_school.setCurrentIndex(max(self.f_school.findData(current), 0))
        self.f_school.blockSignals(False)

    def _sort_indicator_changed(self, column: int, _order) -> None:
        if not self.model.sortable(column):  # keep the indicator on the column the rows are sorted by
            header = self.table.horizontalHeader()
            order = Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column(), order)
            header.blockSignals(False)
            header.viewport().update()
        self._update_count()

    def current_filter(self) -> journal.JournalFilter:
        school = self.f_school.currentData()
        kind = self.f_kind.currentData()
        cat = self.f_category.currentData()
        return journal.JournalFilter(
            date_from=self.f_from.value(),
            date_to=self.f_to.value(),
            school_id=None if school == ALL else school,
            kind=None if kind == ALL else kind,
            client_category=None if cat == ALL else cat,
            code=self.f_code.text().strip(),
            overdue_follow_up=self.f_overdue.isChecked(),
        )

    def apply_filter(self) -> None:
        """Re-query the journal with the filters (debounced from the filter widgets)."""
        self._filter_timer.stop()
        self._stale.discard(self.journal_tab)
        try:
            self.model.set_filter(self.current_filter())
        except auth.AuthError as exc:
            self.count_label.setText(str(exc))
            return
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(f"Найдено: {self.model.total}")

    def refresh_journal(self, keep_uuid: str | None = None) -> None:
        self.apply_filter()
        if keep_uuid:
            self.select_uuid(keep_uuid)

    def select_uuid(self, uuid: str) -> None:
        r = self.model.row_of_uuid(uuid)
        if r is not None:
            self.table.selectRow(r)
            self.table.scrollTo(self.model.index(r, 0))

    def selected_row(self) -> journal.SessionRow | None:
        idx = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            idx = rows[0]
        return self.model.row_at(idx.row()) if idx.isValid() and idx.row() < self.model.rowCount() else None

    def known_codes(self) -> list[str]:
        codes = {r.client_code for r in self.model.rows if r.client_code} if self.mode == "journal" else set()
        try:
            with self.factory() as s:
                codes |= {c.code for c in clients_svc.list_clients(s, self.user())}
        except auth.AuthError:
            pass
        return sorted(codes)

    def session_dialog(self, uuid: str | None = None) -> SessionDialog | None:
        """The entry dialog, not shown (``add_entry``/``open_entry`` show it); ``None`` if it cannot be opened."""
        try:
            dlg = SessionDialog(self.factory, self.user(), uuid, self, known_codes=self.known_codes())
        except (LookupError, auth.AuthError) as exc:
            self.warn(self, "Журнал", str(exc))
            return None
        dlg.accepted.connect(lambda d=dlg: self._entry_saved(d.uuid))
        self.last_dialog = dlg
        return dlg

    def _entry_saved(self, uuid: str | None) -> None:
        if self.mode != "journal":
            return
        self.refresh_journal(uuid)
        self._mark_changed()
        self.status_message.emit("Запись журнала сохранена.")

    def add_entry(self) -> None:
        dlg = self.session_dialog()
        if dlg is not None:
            self.run_dialog(dlg)

    def open_entry(self, uuid: str | None = None) -> SessionDialog | None:
        if uuid is None:
            row = self.selected_row()
            if row is None:
                return None
            uuid = row.uuid
        dlg = self.session_dialog(uuid)
        if dlg is not None:
            self.run_dialog(dlg)
        return dlg

    def delete_selected(self) -> bool:
        row = self.selected_row()
        if row is None:
            return False
        if not self.confirm(self, "Удаление записи", f"Удалить запись журнала ({journal.describe(row)})?"):
            return False
        try:
            with session_scope(self.factory) as s:
                journal.delete_session(s, self.user(), row.uuid)
        except (LookupError, auth.AuthError) as exc:
            self.warn(self, "Удаление записи", str(exc))
            return False
        self.refresh_journal()
        self._mark_changed()
        self.status_message.emit(f"Запись удалена: {journal.describe(row)}.")
        return True

    def history_dialog(self, code: str) -> ClientHistoryDialog | None:
        try:
            dlg = ClientHistoryDialog(self.factory, self.user(), code, self, open_entry=self.open_entry)
        except auth.AuthError as exc:
            self.warn(self, "История клиента", str(exc))
            return None
        self.last_dialog = dlg
        return dlg

    def show_history(self, code: str | None = None) -> ClientHistoryDialog | None:
        if code is None:
            row = self.selected_row()
            if row is None or not row.client_code:
                self.warn(self, "История клиента", "Выберите в журнале запись с кодом клиента.")
                return None
            code = row.client_code
        dlg = self.history_dialog(code)
        if dlg is not None:
            self.run_dialog(dlg)
        return dlg

    # --- Excel ------------------------------------------------------------------------------------------------
    def _ask_save_path(self, caption: str, suggested: str, filt: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, caption, str(Path.home() / suggested), filt)
        return path

    def _ask_open_path(self, caption: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, caption, str(Path.home()), "Таблицы (*.xlsx *.xls *.csv)")
        return path

    def save_template(self, path: str | None = None) -> Path | None:
        from moc_desktop.services.psych import files

        if path is None:
            path = self.choose_save_path(
                "Шаблон журнала", "Шаблон журнала педагога-психолога.xlsx", "Книга Excel (*.xlsx)"
            )
            if not path:
                return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        from moc_desktop.services.xlsx_export import ExportError

        try:
            with self.factory() as s:
                out = files.write_template(Path(path), s)
        except (ExportError, OSError) as exc:
            self.warn(self, "Шаблон", f"Файл не сохранён: {exc}")
            return None
        self.status_message.emit(f"Шаблон сохранён: {out}")
        return out

    def import_journal(self, path: str | None = None, valid_only: bool = False) -> BackgroundTask | None:
        """Load a paper/Excel journal off the GUI thread. All or nothing: a file with bad rows is refused with the
        list of rows, and the user may then load the valid rows only."""
        from moc_desktop.services.psych import files

        if path is None:
            path = self.choose_open_path("Загрузить журнал из Excel")
            if not path:
                return None
        factory, user = self.factory, self.user()

        def work(progress, cancelled):
            progress(0.05, "Чтение файла…")
            with session_scope(factory) as s:
                return files.import_journal(s, user, Path(path), valid_only=valid_only)

        self.import_task = BackgroundTask(
            self,
            "Загрузка журнала…",
            work,
            self._imported,
            lambda exc: self._import_failed(exc, path, valid_only),
            cancellable=False,
        ).start()
        return self.import_task

    def _imported(self, result) -> None:
        self.last_import = result
        self.refresh_journal()
        self._mark_changed()
        text = f"Журнал загружен. {result.summary()}"
        skipped = getattr(result, "skipped", 0)
        if result.errors:
            rows = "\n".join(str(e) for e in result.errors[:30])
            text += f"\n\nНе загружены строки с ошибками:\n{rows}"
        elif skipped:
            text += f"\nПропущено строк: {skipped}."
        self.status_message.emit(f"Журнал загружен. {result.summary()}")
        self.info(self, "Загрузка журнала", text)

    def _import_failed(self, exc: BaseException, path: str, valid_only: bool) -> None:
        from moc_desktop.services import imports

        self.last_import = exc
        if isinstance(exc, imports.ImportRefused):
            rows = "\n".join(str(e) for e in exc.errors[:30])
            more = f"\n… и ещё ошибок: {len(exc.errors) - 30}" if len(exc.errors) > 30 else ""
            text = f"В файле есть ошибки — журнал не изменён:\n{rows}{more}"
            if not valid_only and self.ask_valid_only(self, "Загрузка журнала", text):
                self.import_journal(path, valid_only=True)
                return
            self.warn(self, "Загрузка журнала", text)
        elif isinstance(exc, imports.ImportFileError | auth.AuthError):
            self.warn(self, "Загрузка журнала", str(exc))
        else:
            raise exc

    # --- «Журнал учёта видов работы» --------------------------------------------------------------------------
    def _build_kinds(self) -> None:
        w = QWidget()
        self.kinds_tab = w
        v = QVBoxLayout(w)
        row = QHBoxLayout()
        start, end = school_year_bounds(current_school_year())
        row.addWidget(QLabel("Период: с"))
        self.k_from = _date_edit(start)
        row.addWidget(self.k_from)
        row.addWidget(QLabel("по"))
        self.k_to = _date_edit(end)
        row.addWidget(self.k_to)
        row.addStretch(1)
        self.kinds_total = QLabel()
        row.addWidget(self.kinds_total)
        v.addLayout(row)
        self.kinds_tree = QTreeWidget()
        self.kinds_tree.setObjectName("kinds_tree")
        self.kinds_tree.setHeaderLabels(KINDS_HEADERS)
        self.kinds_tree.setAlternatingRowColors(True)
        self.kinds_tree.setUniformRowHeights(True)
        for i, width in enumerate((150, 52, 190, 170, 56, 80, 120, 90, 44)):
            self.kinds_tree.setColumnWidth(i, width)
        self.kinds_tree.itemDoubleClicked.connect(self._kind_item_opened)
        v.addWidget(self.kinds_tree, 1)
        self._kinds_timer = QTimer(self)
        self._kinds_timer.setSingleShot(True)
        self._kinds_timer.setInterval(DEBOUNCE_MS)
        self._kinds_timer.timeout.connect(self.reload_kinds)
        self.k_from.dateChanged.connect(lambda _d: self._kinds_timer.start())
        self.k_to.dateChanged.connect(lambda _d: self._kinds_timer.start())
        self.tabs.addTab(w, "Журнал учёта видов работы")

    def reload_kinds(self) -> None:
        self._kinds_timer.stop()
        self._stale.discard(self.kinds_tab)
        try:
            with self.factory() as s:
                groups = journal.work_kinds_journal(
                    s, self.user(), _pydate(self.k_from.date()), _pydate(self.k_to.date())
                )
        except auth.AuthError as exc:
            self.kinds_total.setText(str(exc))
            return
        t = self.kinds_tree
        t.setUpdatesEnabled(False)
        t.clear()
        bold = t.font()
        bold.setBold(True)
        total = 0
        for kind, rows in groups:
            total += len(rows)
            top = QTreeWidgetItem([f"{journal.KINDS.get(kind, kind)} — {len(rows)}"])
            top.setFont(0, bold)
            top.setFirstColumnSpanned(True)
            t.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for r in rows:
                it = QTreeWidgetItem(
                    [
                        format_date(r.held_on),
                        r.start_time,
                        _school_name(r.school_name),
                        journal.CATEGORIES.get(r.client_category, r.client_category),
                        r.client_class,
                        r.client_code,
                        journal.FORMS.get(r.form, r.form),
                        str(r.group_size),
                        str(r.duration_min),
                    ]
                )
                it.setData(0, Qt.ItemDataRole.UserRole, r.uuid)
                top.addChild(it)
            top.setExpanded(True)
        t.setUpdatesEnabled(True)
        self.kinds_total.setText(f"Всего записей: {total}")

    def _kind_item_opened(self, item: QTreeWidgetItem, _col: int) -> None:
        uuid = item.data(0, Qt.ItemDataRole.UserRole)
        if uuid:
            self.open_entry(uuid)

    # --- «Клиенты» --------------------------------------------------------------------------------------------
    def _build_clients(self) -> None:
        w = QWidget()
        self.clients_tab = w
        v = QVBoxLayout(w)
        bar = QHBoxLayout()
        self.client_buttons = {}
        for text, slot in (
            ("Добавить…", lambda: self.edit_client(None)),
            ("Изменить…", self.edit_selected_client),
            ("Удалить", self.delete_selected_client),
            ("История…", self.client_history),
        ):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, f=slot: f())
            bar.addWidget(b)
            self.client_buttons[text] = b
        bar.addStretch(1)
        self.clients_count = QLabel()
        bar.addWidget(self.clients_count)
        v.addLayout(bar)
        v.addWidget(
            QLabel("Таблица кодов — соответствие кода клиента и человека. Хранится в зашифрованном виде.")
        )
        self.clients = table(CLIENT_HEADERS)
        self.clients.setObjectName("clients_table")
        self.clients.doubleClicked.connect(lambda _i: self.edit_selected_client())
        v.addWidget(self.clients, 1)
        self.tabs.addTab(w, "Клиенты")

    def reload_clients(self) -> None:
        self._stale.discard(self.clients_tab)
        try:
            with self.factory() as s:
                rows = clients_svc.list_clients(s, self.user())
                schools = dict(school_choices(s))
        except auth.AuthError as exc:
            self.clients_count.setText(str(exc))
            return
        self.clients.setSortingEnabled(False)
        self.clients.setRowCount(len(rows))
        for r, c in enumerate(rows):
            school = schools.get(c.school_id, "") if c.school_id else ""
            values = (
                c.code,
                journal.CATEGORIES.get(c.category, c.category),
                c.full_name,
                format_date(c.birth_date),
                c.class_name,
                school,
                c.contacts,
            )
            for col, text in enumerate(values):
                self.clients.setItem(r, col, ro(text, c.code if col == 0 else None))
        self.clients.resizeColumnsToContents()
        self.clients_count.setText(f"Клиентов: {len(rows)}")

    def selected_client(self) -> str | None:
        r = self.clients.currentRow()
        it = self.clients.item(r, 0) if r >= 0 else None
        return it.data(Qt.ItemDataRole.UserRole) if it is not None else None

    def client_dialog(self, code: str | None = None) -> ClientDialog | None:
        try:
            dlg = ClientDialog(self.factory, self.user(), code, self)
        except (LookupError, auth.AuthError) as exc:
            self.warn(self, "Клиент", str(exc))
            return None
        dlg.accepted.connect(self._client_saved)
        self.last_dialog = dlg
        return dlg

    def _client_saved(self) -> None:
        self.reload_clients()
        self.changed.emit()
        self.status_message.emit("Клиент сохранён.")

    def edit_client(self, code: str | None) -> None:
        dlg = self.client_dialog(code)
        if dlg is not None:
            self.run_dialog(dlg)

    def edit_selected_client(self) -> None:
        code = self.selected_client()
        if code:
            self.edit_client(code)

    def delete_selected_client(self) -> bool:
        code = self.selected_client()
        if not code:
            return False
        if not self.confirm(
            self,
            "Удаление клиента",
            f"Удалить клиента {code} из таблицы кодов? Записи журнала с этим кодом останутся.",
        ):
            return False
        try:
            with session_scope(self.factory) as s:
                clients_svc.delete_client(s, self.user(), code)
        except (LookupError, auth.AuthError) as exc:
            self.warn(self, "Удаление клиента", str(exc))
            return False
        self.reload_clients()
        self.status_message.emit(f"Клиент {code} удалён из таблицы кодов.")
        return True

    def client_history(self) -> ClientHistoryDialog | None:
        code = self.selected_client()
        if not code:
            self.warn(self, "История клиента", "Выберите клиента в таблице.")
            return None
        return self.show_history(code)


def _ask_valid_only(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    yes = box.addButton("Загрузить только верные строки", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Отмена", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes


__all__ = ["NO_SCHOOL", "JournalModel", "PsychPage", "SummaryView"]
