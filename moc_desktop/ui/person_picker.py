"""A searchable person picker (editable combo with completion) that also accepts free text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter


class PersonPicker(QComboBox):
    """Choose a person from the registry or type a name that is not there. ``value()`` → reference dict."""

    def __init__(self, choices: list[tuple[int, str]], parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("", None)
        for pid, name in choices:
            self.addItem(name, pid)
        comp = QCompleter(self.model(), self)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(comp)
        self.setMinimumContentsLength(24)

    def set_value(self, ref: dict | None) -> None:
        ref = ref or {}
        if ref.get("person_id") is not None:
            i = self.findData(ref["person_id"])
            if i >= 0:
                self.setCurrentIndex(i)
                return
        self.setCurrentIndex(0)
        self.setEditText(ref.get("name", ""))

    def value(self) -> dict:
        text = self.currentText().strip()
        if not text:
            return {}
        i = self.findText(text, Qt.MatchFlag.MatchExactly)
        if i > 0:
            return {"person_id": self.itemData(i)}
        return {"name": text}
