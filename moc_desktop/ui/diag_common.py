"""Small presentation helpers shared by the diagnostics widgets: percent text, level text and colours, a table
model that shows percents with one decimal and colours the level column."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QTableWidgetItem

from moc_desktop.services.diagnostics import scoring
from moc_desktop.services.docs.charts import format_number
from moc_desktop.ui.table_model import RowsTableModel

#: short rater titles for narrow columns (the full titles are the column tooltips)
RATER_SHORT = {"self": "Самооценка", "shmo": "Руководитель\nШМО", "deputy": "Зам. директора\nпо УВР"}


def pct_text(v: float | None, sign: bool = False) -> str:
    """«78,1 %»; «—» for no value; ``sign``: «+12,5» for a difference in percentage points."""
    if v is None:
        return "—"
    text = format_number(v, percent=True)
    if sign:
        return ("+" if v > 0 else "") + text
    return f"{text} %"


def level_text(level: str | None) -> str:
    return scoring.LEVEL_TITLES.get(level, "") if level else ""


def level_color(level: str | None, text: bool = False) -> QColor | None:
    """The level's colour; ``text``: a darker shade readable as text on white (the yellow of «достаточный»)."""
    if not level:
        return None
    c = QColor(scoring.LEVEL_COLORS[level])
    return c.darker(135) if text and level == "sufficient" else c


def level_item(level: str | None, text: str | None = None, bold: bool = True) -> QTableWidgetItem:
    """A read-only cell with the level on its colour (white text; black on the yellow of «достаточный»)."""
    item = QTableWidgetItem(level_text(level) if text is None else text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    color = level_color(level)
    if color is not None:
        item.setBackground(color)
        item.setForeground(QColor("#ffffff") if level != "sufficient" else QColor("#000000"))
        f = item.font()
        f.setBold(bold)
        item.setFont(f)
    return item


def ro_item(text: str, align_right: bool = False, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def level_html(pct: float | None, level: str | None) -> str:
    """«78,1 % — <colored>ДОСТАТОЧНЫЙ</colored>» as rich text."""
    if pct is None:
        return "нет оценок"
    return (
        f"{pct_text(pct)} — <span style='color:{scoring.LEVEL_COLORS[level]}; font-weight:bold'>"
        f"{level_text(level)}</span>"
    )


class DiagRowsModel(RowsTableModel):
    """``RowsTableModel`` where float columns are percents («78,1») and a ``level`` column is coloured by the
    row's ``level_code``."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid():
            col = self.columns[index.column()]
            if col.kind == "float" and role == Qt.ItemDataRole.DisplayRole and col.key != "gap":
                row = self.row_at(index.row())
                v = getattr(row, col.key)
                return "" if v is None else format_number(v, percent=True)
            if col.key == "gap" and role == Qt.ItemDataRole.DisplayRole:
                return pct_text(self.row_at(index.row()).gap, sign=True).replace("—", "")
            if col.key == "level" and role == Qt.ItemDataRole.ForegroundRole:
                return level_color(getattr(self.row_at(index.row()), "level_code", None), text=True)
        return super().data(index, role)


class ChartLabel(QLabel):
    """Shows a PNG chart (``charts.bar_chart``) as large as the label allows, keeping its proportions."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_png(self, data: bytes | None) -> None:
        self._pixmap = QPixmap()
        if data:
            self._pixmap.loadFromData(data, "PNG")
        self._rescale()

    def has_chart(self) -> bool:
        return not self._pixmap.isNull()

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 120)

    def sizeHint(self) -> QSize:
        if self._pixmap.isNull():
            return QSize(640, 240)
        return QSize(760, round(760 * self._pixmap.height() / self._pixmap.width()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap.isNull():
            self.clear()
            return
        self.setPixmap(
            self._pixmap.scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
