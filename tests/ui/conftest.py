from __future__ import annotations

import pytest

from moc_desktop.db.engine import session_scope
from moc_desktop.services import settings


@pytest.fixture
def configured(factory):
    with session_scope(factory) as s:
        for k in settings.REQUIRED:
            settings.set_value(s, k, settings.SETTINGS[k][1])
    return factory


@pytest.fixture
def window(qtbot, configured, db_url):
    from moc_desktop.ui.main_window import MainWindow

    w = MainWindow(configured, db_url)
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
