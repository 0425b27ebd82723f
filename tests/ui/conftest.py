from __future__ import annotations

import pytest

from moc_desktop.db.engine import session_scope
from moc_desktop.services import auth, settings

PASSWORD = "parol-12345"


@pytest.fixture
def configured(factory):
    with session_scope(factory) as s:
        for k in settings.REQUIRED:
            settings.set_value(s, k, settings.SETTINGS[k][1])
    return factory


class UserMaker:
    """``make_user(role, login=None, password=PASSWORD) -> Principal``: an account created and signed in.
    ``recovery_key`` keeps the journal's recovery key when the first psychologist was made."""

    def __init__(self, factory):
        self.factory = factory
        self.recovery_key: str | None = None
        self._n = 0

    def __call__(self, role: str, login: str | None = None, password: str = PASSWORD, **kw) -> auth.Principal:
        self._n += 1
        login = login or f"{role}{self._n}"
        names = {
            "admin": "Админова Алла Петровна",
            "head": "Руководова Ирина Сергеевна",
            "methodist": "Методова Ольга Ивановна",
            "psychologist": "Психологова Мария Андреевна",
        }
        with session_scope(self.factory) as s:
            new = auth.create_user(
                s, login, kw.pop("full_name", names.get(role, login)), role, password, **kw
            )
            if new.recovery_key:
                self.recovery_key = new.recovery_key
        with session_scope(self.factory) as s:
            return auth.authenticate(s, login, password)


@pytest.fixture
def make_user(configured):
    return UserMaker(configured)


@pytest.fixture
def window(qtbot, configured, db_url, make_user):
    from moc_desktop.ui.main_window import MainWindow

    user = make_user("head", login="rukovoditel")
    w = MainWindow(configured, db_url, user=user)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def type_text(widget, text: str) -> None:
    """Type ``text`` key by key as a user would. (QTest.keyClicks asserts on non-ASCII characters.)"""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            )
        QApplication.processEvents()


def on_modal(cls, action, timeout_ms: int = 5000) -> list:
    """When a modal dialog of ``cls`` becomes active (``exec()`` running), call ``action(dialog)``. If the action
    fails, the dialog is rejected so no ``exec()`` stays open. Returns a list that receives the dialog."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen: list = []
    tries = [timeout_ms // 20]

    def poll():
        w = QApplication.activeModalWidget()
        if isinstance(w, cls) and w.isVisible():
            seen.append(w)
            try:
                action(w)
            except BaseException:
                w.reject()
                raise
            return
        tries[0] -= 1
        if tries[0] > 0:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen
