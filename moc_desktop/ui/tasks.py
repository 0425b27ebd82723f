"""Background work with progress and cancel (QThreadPool + QRunnable, signals back to the GUI thread).

The worker function receives ``progress(fraction, message)`` and ``cancelled() -> bool``; it never touches Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Signals(QObject):
    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn, signals: _Signals, cancel_event: threading.Event):
        super().__init__()
        self.fn, self.signals, self.cancel_event = fn, signals, cancel_event

    def run(self) -> None:
        try:
            result = self.fn(
                lambda f, m="": self.signals.progress.emit(float(f), m), self.cancel_event.is_set
            )
        except BaseException as exc:  # delivered to the GUI thread, shown there
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class BackgroundTask:
    """Run ``fn(progress, cancelled)`` off the GUI thread with a cancellable progress dialog."""

    _running: set[BackgroundTask] = set()

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        fn: Callable,
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
        cancellable: bool = True,
    ):
        self.signals = _Signals()
        self.cancel_event = threading.Event()
        self.dialog = QProgressDialog(title, "Отмена" if cancellable else None, 0, 1000, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel_event.set)
        self.signals.progress.connect(self._on_progress)
        self.signals.done.connect(lambda r: self._finish(on_done, r))
        self.signals.failed.connect(lambda e: self._finish(on_error, e))
        self._job = _Job(fn, self.signals, self.cancel_event)
        self._job.setAutoDelete(False)
        self.finished = False

    def start(self) -> BackgroundTask:
        BackgroundTask._running.add(self)
        QThreadPool.globalInstance().start(self._job)
        return self

    def _on_progress(self, fraction: float, message: str) -> None:
        self.dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if message:
            self.dialog.setLabelText(message)

    def _finish(self, callback, value) -> None:
        self.finished = True
        self.dialog.close()
        BackgroundTask._running.discard(self)
        callback(value)
