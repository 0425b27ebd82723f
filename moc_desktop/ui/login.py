"""Signing in: the login dialog, the first administrator, a forced password change, opening the psychologist's
journal with the recovery key, the lock panel and the idle lock. Rules: ``services.auth``."""

from __future__ import annotations

import logging
import math
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from moc_desktop import APP_NAME
from moc_desktop.db.engine import session_scope
from moc_desktop.services import auth
from moc_desktop.services.auth import Principal
from moc_desktop.services.common import ValidationError
from moc_desktop.ui.forms import ERROR_STYLE, FieldErrors

log = logging.getLogger("moc_desktop.ui")


def password_edit(placeholder: str = "") -> QLineEdit:
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    if placeholder:
        e.setPlaceholderText(placeholder)
    return e


def _message_label() -> QLabel:
    lab = QLabel()
    lab.setObjectName("message")
    lab.setStyleSheet(ERROR_STYLE)
    lab.setWordWrap(True)
    lab.setVisible(False)
    return lab


class _Countdown(QObject):
    """Keeps a button disabled during a lockout, its text counting the seconds down («Войти (29 с)»)."""

    def __init__(self, button: QPushButton, parent: QObject):
        super().__init__(parent)
        self.button = button
        self.text = button.text()
        self.until = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)

    def start(self, seconds: int) -> None:
        self.until = time.monotonic() + seconds
        self.button.setEnabled(False)
        self.timer.start()
        self.tick()

    def remaining(self) -> int:
        return max(0, math.ceil(self.until - time.monotonic()))

    def tick(self) -> None:
        left = self.remaining()
        if left <= 0:
            self.timer.stop()
            self.button.setText(self.text)
            self.button.setEnabled(True)
        else:
            self.button.setText(f"{self.text} ({left} с)")


def _authenticate(factory, login: str, password: str) -> Principal:
    """``auth.authenticate`` in its own unit of work (a refusal is committed by the service itself)."""
    with session_scope(factory) as s:
        return auth.authenticate(s, login, password)


class LoginDialog(QDialog):
    """Login and password; a refusal is shown in red under the fields; during a lockout «Войти» counts down.
    ``user`` holds the :class:`Principal` after acceptance."""

    def __init__(self, factory, parent: QWidget | None = None, login: str = ""):
        super().__init__(parent)
        self.factory = factory
        self.user: Principal | None = None
        self.setWindowTitle(f"Вход — {APP_NAME}")
        from moc_desktop.services import settings

        with factory() as s:
            moc_name = settings.get(s, "moc_name")
        heading = QLabel(f"<b>{APP_NAME}</b>" + (f"<br>{moc_name}" if moc_name else ""))
        heading.setWordWrap(True)
        self.login = QLineEdit(login)
        self.login.setObjectName("login")
        self.login.setPlaceholderText("латинскими буквами")
        self.password = password_edit()
        self.password.setObjectName("password")
        self.message = _message_label()
        form = QFormLayout()
        form.addRow("Логин:", self.login)
        form.addRow("Пароль:", self.password)
        self.buttons = QDialogButtonBox()
        self.login_button = self.buttons.addButton("Войти", QDialogButtonBox.ButtonRole.AcceptRole)
        self.exit_button = self.buttons.addButton("Выход", QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.countdown = _Countdown(self.login_button, self)
        hint = QLabel(
            f"После {auth.LOCKOUT_AFTER} неверных паролей подряд вход временно блокируется "
            f"(от {auth.LOCKOUT_FIRST_SECONDS} с, каждый следующий раз вдвое дольше)."
        )
        hint.setObjectName("lockout_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(hint)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(380)
        (self.password if login else self.login).setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def submit(self) -> None:
        if not self.login_button.isEnabled():
            return
        if not self.login.text().strip():
            self.show_message("Введите логин.")
            self.login.setFocus()
            return
        try:
            user = _authenticate(self.factory, self.login.text(), self.password.text())
        except auth.LoginRefused as exc:
            self.show_message(str(exc))
            self.password.clear()
            self.password.setFocus()
            if exc.retry_after:
                self.countdown.start(exc.retry_after)
            return
        self.user = user
        self.password.clear()
        self.accept()


class CreateAdminDialog(QDialog):
    """First run with no administrator: create one and log in as it (``user`` after acceptance)."""

    def __init__(self, factory, parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.user: Principal | None = None
        self.setWindowTitle("Создание администратора")
        intro = QLabel(
            "В программе ещё нет администратора. Создайте его учётную запись: администратор добавляет "
            "пользователей, назначает роли и видит журнал аудита."
        )
        intro.setWordWrap(True)
        self.errors = FieldErrors()
        form = QFormLayout()
        self.login = QLineEdit("admin")
        self.full_name = QLineEdit()
        self.post = QLineEdit()
        self.password = password_edit(f"не короче {auth.MIN_PASSWORD} символов")
        self.password2 = password_edit()
        for field, label, w in (
            ("login", "Логин*", self.login),
            ("full_name", "ФИО*", self.full_name),
            ("post", "Должность", self.post),
            ("password", "Пароль*", self.password),
            ("password2", "Повтор пароля*", self.password2),
        ):
            w.setObjectName(field)
            self.errors.add_row(form, field, label, w)
        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton("Создать и войти", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Выход", QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def save(self) -> None:
        password = self.password.text()
        try:
            if password != self.password2.text():
                raise ValidationError({"password2": "Пароли не совпадают."})
            with session_scope(self.factory) as s:
                s.info.update(actor_login=self.login.text().strip().lower(), actor_name=self.full_name.text())
                auth.create_user(
                    s, self.login.text(), self.full_name.text(), "admin", password, post=self.post.text()
                )
                self.user = auth.authenticate(s, self.login.text(), password)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        self.accept()


class ChangePasswordDialog(QDialog):
    """Current, new and repeated password → ``auth.change_password``; ``user`` is the returned Principal.
    ``forced``: the administrator gave a temporary password — the person must set their own to go on."""

    def __init__(self, factory, user: Principal, parent: QWidget | None = None, forced: bool = False):
        super().__init__(parent)
        self.factory = factory
        self.user = user
        self.setWindowTitle("Смена пароля")
        lay = QVBoxLayout(self)
        if forced:
            note = QLabel(
                "Вы вошли с временным паролем, который выдал администратор. Задайте свой пароль, "
                "чтобы продолжить работу."
            )
            note.setWordWrap(True)
            lay.addWidget(note)
        self.errors = FieldErrors()
        form = QFormLayout()
        self.old = password_edit()
        self.new = password_edit(f"не короче {auth.MIN_PASSWORD} символов")
        self.new2 = password_edit()
        for field, label, w in (
            ("old", "Текущий пароль", self.old),
            ("new", "Новый пароль", self.new),
            ("new2", "Повтор нового пароля", self.new2),
        ):
            w.setObjectName(field)
            self.errors.add_row(form, field, label, w)
        lay.addLayout(form)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Сменить пароль", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Выход" if forced else "Отмена", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def save(self) -> None:
        try:
            if self.new.text() != self.new2.text():
                raise ValidationError({"new2": "Пароли не совпадают."})
            with session_scope(self.factory) as s:
                self.user = auth.change_password(s, self.user, self.old.text(), self.new.text())
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        self.accept()


class JournalAccessDialog(QDialog):
    """A psychologist whose account cannot open the journal yet: password + recovery key →
    ``auth.grant_journal_access``. «Позже» leaves the journal closed."""

    def __init__(self, factory, user: Principal, parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.user = user
        self.setWindowTitle("Доступ к журналу психолога")
        note = QLabel(
            "Журнал педагога-психолога зашифрован. Эта учётная запись ещё не может его открыть (она добавлена "
            "после первой или пароль был сброшен). Введите свой пароль и ключ восстановления, который выдан "
            "при создании журнала; это нужно сделать один раз."
        )
        note.setWordWrap(True)
        self.password = password_edit()
        self.password.setObjectName("password")
        self.recovery = QLineEdit()
        self.recovery.setObjectName("recovery_key")
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.recovery.setFont(QFont("monospace"))
        self.message = _message_label()
        form = QFormLayout()
        form.addRow("Пароль:", self.password)
        form.addRow("Ключ восстановления:", self.recovery)
        self.buttons = QDialogButtonBox()
        self.open_button = self.buttons.addButton("Открыть журнал", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Позже", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def save(self) -> None:
        try:
            with session_scope(self.factory) as s:
                self.user = auth.grant_journal_access(
                    s, self.user, self.password.text(), self.recovery.text()
                )
        except auth.AuthError as exc:
            self.message.setText(str(exc))
            self.message.setVisible(True)
            return
        self.accept()


def finish_sign_in(factory, user: Principal, parent: QWidget | None = None) -> Principal | None:
    """After the password was accepted: a forced password change (refusing it ends the sign-in → ``None``), then
    the offer to open the psychologist's journal with the recovery key. Binds the audit actor to the user."""
    auth.bind_actor(factory, user)
    if user.must_change_password:
        dlg = ChangePasswordDialog(factory, user, parent, forced=True)
        if not dlg.exec():
            with session_scope(factory) as s:
                auth.log_out(s, user, "отказ от смены временного пароля")
            auth.bind_actor(factory, None)
            return None
        user = dlg.user
    with factory() as s:
        needs_key = auth.needs_journal_access(s, user)
    if needs_key:
        dlg = JournalAccessDialog(factory, user, parent)
        if dlg.exec():
            user = dlg.user
    return user


def sign_in(factory, parent: QWidget | None = None) -> Principal | None:
    """Start-up: create the first administrator, or the automatic login, or the login dialog; then
    :func:`finish_sign_in`. ``None`` — the person chose «Выход»."""
    with factory() as s:
        has_admin = auth.has_admin(s)
    if not has_admin:
        dlg = CreateAdminDialog(factory, parent)
        if not dlg.exec():
            return None
        user = dlg.user
    else:
        with session_scope(factory) as s:
            user = auth.autologin(s)
        if user is None:
            dlg = LoginDialog(factory, parent)
            if not dlg.exec():
                return None
            user = dlg.user
    return finish_sign_in(factory, user, parent)


def log_out(factory, user: Principal | None, reason: str) -> None:
    """Write the logout (or lock) audit row on behalf of ``user``."""
    if user is None or factory is None:
        return
    with session_scope(factory) as s:
        s.info.update(actor_login=user.login, actor_name=user.full_name)
        auth.log_out(s, user, reason)


class LockPanel(QWidget):
    """Shown instead of the window's content while locked: the same login must enter the password again."""

    unlocked = Signal(object)  # Principal
    switch_requested = Signal()

    def __init__(self, factory, user: Principal, parent: QWidget | None = None):
        super().__init__(parent)
        self.factory = factory
        self.user = user
        self.setObjectName("lock_panel")
        title = QLabel("Программа заблокирована")
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.6)
        f.setBold(True)
        title.setFont(f)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        who = QLabel(
            f"Пользователь: {user.full_name or user.login}\nРоль: {user.role_title}\n\n"
            "Введите пароль, чтобы продолжить работу."
        )
        who.setObjectName("who")
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        who.setWordWrap(True)
        self.password = password_edit("пароль")
        self.password.setObjectName("password")
        self.password.returnPressed.connect(self.submit)
        self.message = _message_label()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unlock_button = QPushButton("Разблокировать")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton("Сменить пользователя")
        self.switch_button.clicked.connect(self.switch_requested.emit)
        self.countdown = _Countdown(self.unlock_button, self)
        box = QWidget()
        box.setMinimumWidth(420)
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(who)
        inner.addSpacing(8)
        inner.addWidget(self.password)
        inner.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_button)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        try:
            user = _authenticate(self.factory, self.user.login, self.password.text())
        except auth.LoginRefused as exc:
            self.message.setText(str(exc))
            self.message.setVisible(True)
            self.password.clear()
            self.password.setFocus()
            if exc.retry_after:
                self.countdown.start(exc.retry_after)
            return
        self.password.clear()
        self.unlocked.emit(user)
