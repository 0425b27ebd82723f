"""Form helpers: validation messages shown next to the field, date and number inputs that allow «empty»."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

ERROR_STYLE = "color: #b00020;"


class FieldErrors:
    """Russian messages under the fields of one or more QFormLayouts, keyed by field name."""

    def __init__(self):
        self._labels: dict[str, QLabel] = {}
        self._widgets: dict[str, QWidget] = {}

    def add_row(self, form: QFormLayout, field: str, label: str, widget: QWidget) -> QWidget:
        form.addRow(label, widget)
        err = QLabel()
        err.setObjectName(f"error_{field}")
        err.setStyleSheet(ERROR_STYLE)
        err.setWordWrap(True)
        err.setVisible(False)
        form.addRow("", err)
        self._labels[field] = err
        self._widgets[field] = widget
        return widget

    def add_label(self, field: str, label: QLabel, widget: QWidget | None = None) -> None:
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.setVisible(False)
        self._labels[field] = label
        if widget is not None:
            self._widgets[field] = widget

    def clear(self) -> None:
        for lab in self._labels.values():
            lab.clear()
            lab.setVisible(False)
        for w in self._widgets.values():
            w.setStyleSheet("")

    def show(self, errors: dict[str, str]) -> list[str]:
        """Show messages; returns the fields that had no place on the form (caller shows them elsewhere)."""
        self.clear()
        unplaced = []
        for field, msg in errors.items():
            lab = self._labels.get(field) or self._labels.get(field.split("[")[0])
            if lab is None:
                unplaced.append(f"{msg}")
                continue
            if "[" in field:  # «statuses[2].order_date» → «Строка 3: …»
                msg = f"Строка {int(field.split('[')[1].split(']')[0]) + 1}: {msg}"
            lab.setText((lab.text() + "\n" if lab.text() else "") + msg)
            lab.setVisible(True)
            w = self._widgets.get(field)
            if w is not None:
                w.setStyleSheet("border: 1px solid #b00020;")
        return unplaced

    def label(self, field: str) -> QLabel:
        return self._labels[field]

    def widget(self, field: str) -> QWidget | None:
        return self._widgets.get(field)


class OptionalDateEdit(QDateEdit):
    """A date input that may be empty (shown blank at its minimum). Format dd.MM.yyyy."""

    EMPTY = QDate(1900, 1, 1)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDisplayFormat("dd.MM.yyyy")
        self.setCalendarPopup(True)
        self.setMinimumDate(self.EMPTY)
        self.setSpecialValueText(" ")
        self.setDate(self.EMPTY)

    def value(self) -> date | None:
        d = self.date()
        return None if d == self.EMPTY else date(d.year(), d.month(), d.day())

    def set_value(self, d: date | None) -> None:
        self.setDate(self.EMPTY if d is None else QDate(d.year, d.month, d.day))


class OptionalSpin(QSpinBox):
    """An integer input that may be empty (shown blank at -1)."""

    def __init__(self, maximum: int, parent=None):
        super().__init__(parent)
        self.setRange(-1, maximum)
        self.setSpecialValueText(" ")
        self.setValue(-1)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)

    def value_or_none(self) -> int | None:
        v = self.value()
        return None if v < 0 else v

    def set_value(self, v: int | None) -> None:
        self.setValue(-1 if v is None else v)


def editable_combo(items, current: str = "") -> QComboBox:
    c = QComboBox()
    c.setEditable(True)
    c.addItems(list(items))
    c.setCurrentText(current)
    return c


def line(text: str = "", placeholder: str = "") -> QLineEdit:
    e = QLineEdit(text)
    if placeholder:
        e.setPlaceholderText(placeholder)
    return e
