"""Base of editor dialogs: OK/Cancel in Russian, «discard changes?» on Cancel, errors next to fields."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from moc_desktop.services.common import ValidationError
from moc_desktop.ui.forms import ERROR_STYLE, FieldErrors
from moc_desktop.ui.list_page import ask_yes_no


class EditorDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 600)
        self.errors = FieldErrors()
        self.tabs = QTabWidget()
        self.general_error = QLabel()
        self.general_error.setObjectName("general_error")
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Сохранить")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.general_error)
        lay.addWidget(self.buttons)
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self._snapshot = None
        self.field_tab: dict[
            str, int
        ] = {}  # field (prefix) → tab index, to show the tab with the first error

    def take_snapshot(self) -> None:
        self._snapshot = self.collect_snapshot()

    def collect_snapshot(self):
        """Everything the user can change, comparable with ==."""
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return self._snapshot is not None and self.collect_snapshot() != self._snapshot

    def reject(self) -> None:
        if self.is_dirty() and not self.confirm(
            self, "Несохранённые изменения", "Закрыть без сохранения? Изменения будут потеряны."
        ):
            return
        super().reject()

    def save(self) -> None:
        try:
            self.write()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        self._snapshot = None
        self.accept()

    def write(self) -> None:
        raise NotImplementedError

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = self.errors.show(errors)
        self.general_error.setText("\n".join(unplaced) or "Исправьте отмеченные поля.")
        self.general_error.setVisible(True)
        first = next(iter(errors))
        prefix = first.split("[")[0].split(".")[0]
        if prefix in self.field_tab:
            self.tabs.setCurrentIndex(self.field_tab[prefix])
