"""Table model over a list of light row objects (services' ``*Row`` dataclasses).

Filtering and sorting happen in the model over precomputed keys (a plain list comprehension per keystroke), which
keeps a 6 000-row list responsive; the view itself only paints visible rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from moc_desktop.services.common import fold, format_date
from moc_desktop.services.lists import Column

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def display(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "да" if value else ""
    if isinstance(value, date):
        return format_date(value)
    if kind == "float":
        return f"{value:.3f}".replace(".", ",")
    return str(value)


class RowsTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self._all: list = []
        self._keys: list[str] = []
        self._visible: list[int] = []
        self._terms: list[str] = []
        self._predicate: Callable[[object], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._natural: list = []
        self._natural_keys: list[str] = []

    # --- data in ------------------------------------------------------------------------------------------------
    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._keys = [self._key_of(r) for r in self._all]
        self._natural, self._natural_keys = list(self._all), list(self._keys)
        if self._sort is not None:
            self._sort_all(*self._sort)
        self._visible = self._compute_visible()
        self.endResetModel()

    def _key_of(self, row) -> str:
        key = getattr(row, "search_key", None)
        if key is not None:
            return key
        return fold(" ".join(str(getattr(row, c.key) or "") for c in self.columns if c.kind == "text"))

    def set_filter(self, text: str | None = None, predicate: Callable[[object], bool] | None = ...) -> None:
        """Search text (every word must occur) and/or a predicate (``...`` keeps the current one)."""
        if text is not None:
            self._terms = fold(text).split()
        if predicate is not ...:
            self._predicate = predicate
        self.beginResetModel()
        self._visible = self._compute_visible()
        self.endResetModel()

    def _compute_visible(self) -> list[int]:
        terms, pred, keys, rows = self._terms, self._predicate, self._keys, self._all
        if not terms and pred is None:
            return list(range(len(rows)))
        if pred is None:
            return [i for i, k in enumerate(keys) if all(t in k for t in terms)]
        return [i for i, k in enumerate(keys) if all(t in k for t in terms) and pred(rows[i])]

    # --- access -------------------------------------------------------------------------------------------------
    def row_at(self, row: int):
        return self._all[self._visible[row]]

    def visible_rows(self) -> list:
        return [self._all[i] for i in self._visible]

    def total_count(self) -> int:
        return len(self._all)

    def row_of_id(self, row_id: int) -> int | None:
        for pos, i in enumerate(self._visible):
            if getattr(self._all[i], "id", None) == row_id:
                return pos
        return None

    # --- Qt model API -------------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        row = self._all[self._visible[index.row()]]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(getattr(row, col.key), col.kind)
        if role == Qt.ItemDataRole.ToolTipRole and col.kind == "text":
            return getattr(row, col.key) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in ("int", "float"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind == "bool":
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return getattr(row, col.key)
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; column -1 (no sort indicator) restores the order the service gave."""
        self.layoutAboutToBeChanged.emit()
        if column < 0 or column >= len(self.columns):
            self._sort = None
            self._all, self._keys = list(self._natural), list(self._natural_keys)
        else:
            self._sort = (column, order)
            self._sort_all(column, order)
        self._visible = self._compute_visible()
        self.layoutChanged.emit()

    def _sort_all(self, column: int, order) -> None:
        key = self.columns[column].key
        kind = self.columns[column].kind

        def sort_key(i: int):
            v = getattr(self._all[i], key)
            if v is None or v == "":
                return (1, 0) if kind in ("int", "float", "bool", "date") else (1, "")
            return (0, fold(v) if isinstance(v, str) else v)

        idx = sorted(range(len(self._all)), key=sort_key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._all = [self._all[i] for i in idx]
        self._keys = [self._keys[i] for i in idx]
