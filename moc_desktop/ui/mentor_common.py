"""Small helpers shared by the «Наставничество» widgets: read-only cells, date cells, reference lists."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from moc_desktop.services.common import format_date, parse_date


def form_choices(session) -> list[tuple[str, str]]:
    """Mentoring forms (code, title) from the reference table, in its order."""
    from moc_desktop.services.mentoring import pairs

    return pairs.forms(session)


def ro(text, data=None) -> QTableWidgetItem:
    it = QTableWidgetItem("" if text is None else str(text))
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        it.setData(Qt.ItemDataRole.UserRole, data)
    return it


def table(headers: list[str], editable: bool = False) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if not editable:
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().setVisible(False)
    return t


def cell(t: QTableWidget, row: int, col: int) -> str:
    it = t.item(row, col)
    return it.text().strip() if it is not None else ""


def date_cell(t: QTableWidget, row: int, col: int) -> date | None | str:
    """The date typed in a cell; the raw text when it is not a date (the service then reports it)."""
    raw = cell(t, row, col)
    try:
        return parse_date(raw)
    except ValueError:
        return raw


def date_text(value) -> str:
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and value:
        try:
            return format_date(parse_date(value))
        except ValueError:
            return value
    return ""
