"""«Пользователи» (administrator): accounts, roles, password reset, lockouts, automatic login, idle lock; the
recovery key of the psychologist's journal shown once. Rules: ``services.auth``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from moc_desktop import APP_NAME
from moc_desktop.db.engine import session_scope
from moc_desktop.services import auth
from moc_desktop.services.auth import Principal
from moc_desktop.services.common import ValidationError, fold, format_date
from moc_desktop.services.lists import Column
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import ERROR_STYLE, FieldErrors
from moc_desktop.ui.list_page import ask_yes_no
from moc_desktop.ui.login import password_edit
from moc_desktop.ui.table_model import RowsTableModel

RECOVERY_EXPLANATION = (
    "Ключ восстановления журнала психолога показывается один раз. Распечатайте или запишите его и храните в "
    "сейфе: без него записи журнала нельзя восстановить при утере пароля."
)
AUTOLOGIN_WARNING = (
    "Автоматический вход открывает программу без пароля. Включайте его только на компьютере, за которым "
    "работает один человек: на общем компьютере это небезопасно. Для психолога автоматический вход недоступен."
)
USER_COLUMNS: tuple[Column, ...] = (
    Column("login", "Логин", width=14),
    Column("full_name", "ФИО", width=30),
    Column("post", "Должность", width=24),
    Column("role_title", "Роль", width=18),
    Column("active", "Активна", "bool", 8),
    Column("locked_until", "Заблокирована до", "datetime", 20),
    Column("last_login_at", "Последний вход", "datetime", 20),
)


def local_time(utc: datetime | None) -> str:
    """Stored UTC (naive) → «дд.мм.гггг чч:мм» in local time."""
    if utc is None:
        return ""
    local = utc.replace(tzinfo=UTC).astimezone()
    return f"{format_date(local.date())} {local:%H:%M}"


@dataclass(frozen=True)
class UserRow:
    id: int
    login: str
    full_name: str
    post: str
    role: str
    role_title: str
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None

    @property
    def search_key(self) -> str:
        return fold(f"{self.login} {self.full_name} {self.post} {self.role_title}")


def load_user_rows(session) -> list[UserRow]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return [
        UserRow(
            id=u.id,
            login=u.login,
            full_name=u.full_name,
            post=u.post,
            role=u.role,
            role_title=auth.ROLES.get(u.role, u.role),
            active=u.active,
            locked_until=u.locked_until if u.locked_until and u.locked_until > now else None,
            last_login_at=u.last_login_at,
        )
        for u in auth.list_users(session)
    ]


class UsersModel(RowsTableModel):
    """Rows of :class:`UserRow`; «datetime» columns shown as local «дд.мм.гггг чч:мм»."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            col = self.columns[index.column()]
            if col.kind == "datetime":
                return local_time(getattr(self.row_at(index.row()), col.key))
        return super().data(index, role)


class UsersPage(QWidget):
    changed = Signal()
    status_message = Signal(str)
    idle_minutes_changed = Signal(int)

    def __init__(self, factory, current_user: Callable[[], Principal | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.current_user = current_user
        self.loaded = False
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        #: How a new recovery key is shown (tests replace it to avoid a modal dialog).
        self.show_recovery_key: Callable[[str], None] = lambda key: RecoveryKeyDialog(key, self).exec()
        lay = QVBoxLayout(self)
        self.denied = QLabel("Управление пользователями доступно только администратору.")
        self.denied.setObjectName("denied")
        self.denied.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.denied)
        self.body = QWidget()
        lay.addWidget(self.body, 1)

        self.add_button = QPushButton("Добавить…")
        self.edit_button = QPushButton("Изменить…")
        self.reset_button = QPushButton("Сбросить пароль…")
        self.unlock_button = QPushButton("Разблокировать")
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button.clicked.connect(lambda: self.edit_current())
        self.reset_button.clicked.connect(lambda: self.reset_current())
        self.unlock_button.clicked.connect(lambda: self.unlock_current())
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Поиск по логину, ФИО, должности, роли…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        top = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.reset_button, self.unlock_button):
            top.addWidget(b)
        top.addWidget(self.search, 1)

        self.model = UsersModel(USER_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, col in enumerate(USER_COLUMNS):
            self.table.setColumnWidth(i, max(70, (col.width or 12) * 7, len(col.title) * 7 + 18))
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.count_label = QLabel()
        self.count_label.setObjectName("count")

        box = QGroupBox("Вход в программу")
        form = QFormLayout(box)
        self.autologin = QComboBox()
        self.autologin.setObjectName("autologin")
        self.autologin.setMinimumWidth(320)
        self.autologin.setMaximumWidth(480)
        self.autologin.activated.connect(lambda _i: self.apply_autologin())
        form.addRow("Автоматический вход:", self.autologin)
        self.autologin_warning = QLabel(AUTOLOGIN_WARNING)
        self.autologin_warning.setWordWrap(True)
        self.autologin_warning.setStyleSheet("color: #8a5a00;")
        form.addRow("", self.autologin_warning)
        self.idle = QSpinBox()
        self.idle.setObjectName("idle")
        self.idle.setRange(0, 24 * 60)
        self.idle.setSpecialValueText("не блокировать")
        self.idle.setSuffix(" мин")
        self.idle.setMaximumWidth(180)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(600)
        self._idle_timer.timeout.connect(self.apply_idle)
        self.idle.valueChanged.connect(lambda _v: self._idle_timer.start())
        form.addRow("Блокировать при бездействии, мин:", self.idle)
        self.settings_error = QLabel()
        self.settings_error.setStyleSheet(ERROR_STYLE)
        self.settings_error.setVisible(False)
        form.addRow("", self.settings_error)

        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(top)
        body.addWidget(self.table, 1)
        body.addWidget(self.count_label)
        body.addWidget(box)
        allowed = self._admin() is not None
        self.denied.setVisible(not allowed)
        self.body.setVisible(allowed)

    def _admin(self) -> Principal | None:
        user = self.current_user()
        return user if user is not None and user.can("users.manage") else None

    # --- loading ------------------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        if not self.loaded:
            self.reload()
        super().showEvent(event)

    def reload(self, keep_login: str | None = None) -> None:
        self.loaded = True
        if self._admin() is None:
            return
        with self.factory() as s:
            rows = load_user_rows(s)
            chosen = auth.autologin_login(s)
            minutes = auth.idle_minutes(s)
        self.model.set_rows(rows)
        self._update_count()
        self.autologin.clear()
        self.autologin.addItem("— нет —", "")
        for r in rows:
            if r.active and r.role != "psychologist":
                self.autologin.addItem(f"{r.full_name} ({r.login})", r.login)
        self.autologin.setCurrentIndex(max(self.autologin.findData(chosen), 0))
        self.idle.blockSignals(True)
        self.idle.setValue(minutes)
        self.idle.blockSignals(False)
        if keep_login:
            self.select_login(keep_login)

    def _on_search(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(f"Показано: {self.model.rowCount()} из {self.model.total_count()}")

    def select_login(self, login: str) -> None:
        for r in range(self.model.rowCount()):
            if self.model.row_at(r).login == login:
                self.table.selectRow(r)
                return

    def current_row(self) -> UserRow | None:
        idx = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            idx = rows[0]
        return self.model.row_at(idx.row()) if idx.isValid() else None

    # --- actions ------------------------------------------------------------------------------------------------
    def open_editor(self, login: str | None) -> UserDialog | None:
        """The add/edit dialog, run modally; the dialog when saved, else ``None``."""
        dlg = UserDialog(self.factory, self._admin(), login, self)
        return dlg if dlg.exec() else None

    def add(self) -> None:
        if self._admin() is None:
            return
        dlg = self.open_editor(None)
        if dlg is None:
            return
        self.reload(keep_login=dlg.saved_login)
        self.changed.emit()
        self.status_message.emit(f"Пользователь «{dlg.saved_login}» добавлен.")
        if dlg.recovery_key:
            self.show_recovery_key(dlg.recovery_key)

    def edit_current(self) -> None:
        row = self.current_row()
        if row is None or self._admin() is None:
            return
        if self.open_editor(row.login) is not None:
            self.reload(keep_login=row.login)
            self.changed.emit()
            self.status_message.emit(f"Пользователь «{row.login}» изменён.")

    def reset_current(self) -> None:
        row = self.current_row()
        if row is None or self._admin() is None:
            return
        dlg = ResetPasswordDialog(self.factory, self._admin(), row.login, row.role, self)
        if dlg.exec():
            self.reload(keep_login=row.login)
            self.status_message.emit(
                f"Пароль пользователя «{row.login}» сброшен; при входе его нужно сменить."
            )

    def unlock_current(self) -> None:
        row = self.current_row()
        admin = self._admin()
        if row is None or admin is None:
            return
        with session_scope(self.factory) as s:
            auth.unlock_account(s, admin, row.login)
        self.reload(keep_login=row.login)
        self.status_message.emit(f"Учётная запись «{row.login}» разблокирована.")

    def _settings_problem(self, exc: ValidationError | None) -> None:
        self.settings_error.setText("\n".join(exc.errors.values()) if exc else "")
        self.settings_error.setVisible(exc is not None)

    def apply_autologin(self) -> None:
        admin = self._admin()
        if admin is None:
            return
        login = self.autologin.currentData() or None
        try:
            with session_scope(self.factory) as s:
                auth.set_autologin(s, admin, login)
        except ValidationError as exc:
            self._settings_problem(exc)
            return
        self._settings_problem(None)
        self.status_message.emit(
            f"Автоматический вход: {login}." if login else "Автоматический вход выключен."
        )

    def apply_idle(self) -> None:
        admin = self._admin()
        if admin is None:
            return
        self._idle_timer.stop()
        minutes = self.idle.value()
        try:
            with session_scope(self.factory) as s:
                auth.set_idle_minutes(s, admin, minutes)
        except ValidationError as exc:
            self._settings_problem(exc)
            return
        self._settings_problem(None)
        self.idle_minutes_changed.emit(minutes)
        self.status_message.emit(
            f"Блокировка при бездействии: {minutes} мин."
            if minutes
            else "Блокировка при бездействии выключена."
        )


class UserDialog(EditorDialog):
    """Add (``login`` None) or edit an account. After saving: ``saved_login``; ``recovery_key`` when this account
    created the psychologist's journal (show it once)."""

    def __init__(self, factory, admin: Principal | None, login: str | None, parent: QWidget | None = None):
        super().__init__("Новый пользователь" if login is None else "Пользователь", parent)
        self.factory = factory
        self.admin = admin
        self.editing = login
        self.saved_login: str | None = None
        self.recovery_key: str | None = None
        self.resize(560, 460 if login is None else 360)
        page = QWidget()
        form = QFormLayout(page)
        self.login = QLineEdit(login or "")
        self.login.setPlaceholderText("латинскими буквами, например ivanova")
        self.login.setReadOnly(login is not None)
        self.full_name = QLineEdit()
        self.post = QLineEdit()
        self.role = QComboBox()
        for code, title in auth.ROLES.items():
            self.role.addItem(title, code)
        self.active = QCheckBox("Учётная запись активна")
        self.active.setChecked(True)
        rows = [
            ("login", "Логин*", self.login),
            ("full_name", "ФИО*", self.full_name),
            ("post", "Должность", self.post),
            ("role", "Роль*", self.role),
            ("active", "", self.active),
        ]
        self.password = self.password2 = self.must_change = None
        if login is None:
            self.password = password_edit(f"не короче {auth.MIN_PASSWORD} символов")
            self.password2 = password_edit()
            self.must_change = QCheckBox("Потребовать смену пароля при первом входе")
            self.must_change.setChecked(True)
            rows += [
                ("password", "Пароль*", self.password),
                ("password2", "Повтор пароля*", self.password2),
                ("must_change", "", self.must_change),
            ]
        for field, label, w in rows:
            w.setObjectName(field)
            self.errors.add_row(form, field, label, w)
        self.role_note = QLabel()
        self.role_note.setWordWrap(True)
        form.addRow("", self.role_note)
        self.role.currentIndexChanged.connect(lambda _i: self._role_note())
        self.tabs.addTab(page, "Учётная запись")
        self.tabs.tabBar().hide()
        if login is not None:
            with factory() as s:
                user = auth.get_user(s, login)
                if user is not None:
                    self.full_name.setText(user.full_name)
                    self.post.setText(user.post)
                    self.role.setCurrentIndex(max(self.role.findData(user.role), 0))
                    self.active.setChecked(user.active)
        self._role_note()
        self.take_snapshot()

    def _role_note(self) -> None:
        if self.role.currentData() == "psychologist":
            text = (
                "Педагог-психолог ведёт зашифрованный журнал. Для первой такой учётной записи программа "
                "покажет ключ восстановления журнала — сохраните его."
            )
        elif self.role.currentData() == "admin":
            text = "Администратор управляет пользователями и видит журнал аудита; журнал психолога ему недоступен."
        else:
            text = ""
        self.role_note.setText(text)
        self.role_note.setVisible(bool(text))

    def collect_snapshot(self):
        return (
            self.login.text(),
            self.full_name.text(),
            self.post.text(),
            self.role.currentData(),
            self.active.isChecked(),
            self.password.text() if self.password else "",
        )

    def write(self) -> None:
        role = self.role.currentData()
        with session_scope(self.factory) as s:
            if self.editing is None:
                if self.password.text() != self.password2.text():
                    raise ValidationError({"password2": "Пароли не совпадают."})
                new = auth.create_user(
                    s,
                    self.login.text(),
                    self.full_name.text(),
                    role,
                    self.password.text(),
                    post=self.post.text(),
                    must_change_password=self.must_change.isChecked(),
                )
                self.saved_login = new.user.login
                self.recovery_key = new.recovery_key
                if not self.active.isChecked():
                    auth.update_user(
                        s, self.admin, new.user.login, full_name=new.user.full_name, post=new.user.post,
                        role=role, active=False,
                    )  # fmt: skip
            else:
                auth.update_user(
                    s,
                    self.admin,
                    self.editing,
                    full_name=self.full_name.text(),
                    post=self.post.text(),
                    role=role,
                    active=self.active.isChecked(),
                )
                self.saved_login = self.editing


class ResetPasswordDialog(QDialog):
    """The administrator gives a temporary password (to be changed at the next login); lifts a lockout."""

    def __init__(self, factory, admin: Principal, login: str, role: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.admin = admin
        self.target = login
        self.setWindowTitle("Сброс пароля")
        text = (
            f"Новый временный пароль для «{login}». При следующем входе пользователь должен будет сменить его; "
            "временная блокировка входа снимается."
        )
        if role == "psychologist":
            text += (
                "\n\nВнимание: после сброса педагог-психолог не сможет открыть журнал своим паролем — один раз "
                "понадобится ключ восстановления журнала."
            )
        note = QLabel(text)
        note.setWordWrap(True)
        self.errors = FieldErrors()
        form = QFormLayout()
        self.password = password_edit(f"не короче {auth.MIN_PASSWORD} символов")
        self.password2 = password_edit()
        self.password.setObjectName("password")
        self.password2.setObjectName("password2")
        self.errors.add_row(form, "password", "Временный пароль", self.password)
        self.errors.add_row(form, "password2", "Повтор пароля", self.password2)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Сбросить пароль", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def save(self) -> None:
        try:
            if self.password.text() != self.password2.text():
                raise ValidationError({"password2": "Пароли не совпадают."})
            with session_scope(self.factory) as s:
                auth.reset_password(s, self.admin, self.target, self.password.text())
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        self.accept()


class RecoveryKeyDialog(QDialog):
    """The journal's recovery key, shown once: print, save, copy; «Закрыть» only after the person confirms."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setWindowTitle("Ключ восстановления журнала психолога")
        self.key_label = QLabel(key)
        self.key_label.setObjectName("key")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSizeF(max(font.pointSizeF(), 9) * 1.8)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setStyleSheet("padding: 12px; border: 1px solid #999; background: #fffbe6;")
        explanation = QLabel(RECOVERY_EXPLANATION)
        explanation.setWordWrap(True)
        self.print_button = QPushButton("Печать…")
        self.save_button = QPushButton("Сохранить в файл…")
        self.copy_button = QPushButton("Копировать")
        self.print_button.clicked.connect(lambda: self.print_key())
        self.save_button.clicked.connect(lambda: self.save_to_file())
        self.copy_button.clicked.connect(self.copy)
        self.saved = QCheckBox("Я сохранил(а) ключ восстановления")
        self.close_button = QPushButton("Закрыть")
        self.close_button.setEnabled(False)
        self.saved.toggled.connect(self.close_button.setEnabled)
        self.close_button.clicked.connect(self.accept)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        for b in (self.print_button, self.save_button, self.copy_button):
            row.addWidget(b)
        row.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.saved)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.key_label)
        lay.addWidget(explanation)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addLayout(bottom)
        self.setMinimumWidth(620)

    def sheet_text(self) -> str:
        return (
            f"{APP_NAME}\nКлюч восстановления журнала педагога-психолога\n"
            f"Выдан: {format_date(datetime.now().date())}\n\n{self.key}\n\n{RECOVERY_EXPLANATION}\n"
        )

    def _sheet_html(self) -> str:
        from html import escape

        return (
            f"<h2>{escape(APP_NAME)}</h2><p>Ключ восстановления журнала педагога-психолога<br>"
            f"Выдан: {format_date(datetime.now().date())}</p>"
            "<p style='font-family: monospace; font-size: 16pt; font-weight: bold; white-space: pre'>"
            f"{escape(self.key)}</p>"
            f"<p>{escape(RECOVERY_EXPLANATION)}</p>"
        )

    def print_key(self, pdf_path: str | Path | None = None) -> bool:
        """Print the key sheet: the system print dialog, or straight into a PDF file when ``pdf_path`` is given."""
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if pdf_path is not None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(pdf_path))
        elif QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return False
        doc = QTextDocument()
        doc.setHtml(self._sheet_html())
        doc.print_(printer)
        self.status.setText("Ключ отправлен на печать.")
        return True

    def save_to_file(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Сохранить ключ восстановления",
                str(Path.home() / "Ключ восстановления журнала.txt"),
                "Текст (*.txt)",
            )
            if not path:
                return None
        out = Path(path)
        try:
            out.write_text(self.sheet_text(), encoding="utf-8")
        except OSError as exc:
            QMessageBox.warning(self, "Сохранение", f"Не удалось сохранить файл: {exc}")
            return None
        self.status.setText(f"Сохранено: {out}. Перенесите файл на съёмный носитель и удалите с компьютера.")
        return out

    def copy(self) -> None:
        QApplication.clipboard().setText(self.key)
        self.status.setText("Ключ скопирован в буфер обмена.")

    def reject(self) -> None:  # Esc / window close: only after the key is saved
        if self.saved.isChecked():
            super().reject()

    def closeEvent(self, event) -> None:
        if self.saved.isChecked():
            super().closeEvent(event)
        else:
            event.ignore()
