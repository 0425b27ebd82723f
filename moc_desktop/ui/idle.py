"""The idle lock: Qt only, no database — the main window creates it before the database layer is imported."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleLock(QObject):
    """Locks ``window`` (``window.lock(reason)``) after ``timeout_ms`` without keyboard or mouse input.

    An application event filter notes the last input; a timer checks every 15 s (more often for short test
    timeouts). ``set_minutes(0)`` switches it off."""

    CHECK_MS = 15_000

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.timeout_ms = 0
        self.last_input = time.monotonic()
        self._filtering = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)

    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(minutes * 60_000)

    def set_timeout_ms(self, ms: int) -> None:
        self.timeout_ms = max(0, int(ms))
        self.last_input = time.monotonic()
        app = QApplication.instance()
        if self.timeout_ms == 0:
            self.timer.stop()
            if self._filtering and app is not None:
                app.removeEventFilter(self)
                self._filtering = False
            return
        if not self._filtering and app is not None:
            app.installEventFilter(self)
            self._filtering = True
        self.timer.start(min(self.CHECK_MS, max(20, self.timeout_ms // 4)))

    def stop(self) -> None:
        self.set_timeout_ms(0)

    def eventFilter(self, _obj, event) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.last_input = time.monotonic()
        return False

    def poke(self) -> None:
        self.last_input = time.monotonic()

    def idle_ms(self) -> int:
        return int((time.monotonic() - self.last_input) * 1000)

    def check(self) -> None:
        if self.timeout_ms and self.idle_ms() >= self.timeout_ms:
            self.lock_now("блокировка при бездействии")

    def lock_now(self, reason: str = "блокировка при бездействии") -> None:
        self.window.lock(reason)
