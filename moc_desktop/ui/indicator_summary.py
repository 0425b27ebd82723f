"""«Сводка показателей»: mean / max / min of each indicator across schools in a school year (as the region
reports, seed 001), with export to Excel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from moc_desktop.services import schools as svc
from moc_desktop.services.common import current_school_year

GROUPS = {"monitoring": "Мониторинг (доли и количества)", "staff_quality": "Качество кадрового состава, %"}
HEADERS = ("Показатель", "Школ с данными", "Среднее", "Максимальное", "Минимальное")


def fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}".rstrip("0").rstrip(".").replace(".", ",") if v != int(v) else str(int(v))


class IndicatorSummaryDialog(QDialog):
    def __init__(self, factory, parent=None, school_year: str | None = None):
        super().__init__(parent)
        self.factory = factory
        self.setWindowTitle("Сводка показателей по школам")
        self.resize(980, 560)
        self.year = QComboBox()
        with factory() as s:
            years = set(svc.school_years_in_use(s)) | {current_school_year()}
        for y in sorted(years, reverse=True):
            self.year.addItem(f"{y} уч. год", y)
        self.year.setCurrentIndex(max(self.year.findData(school_year or current_school_year()), 0))
        self.group = QComboBox()
        for code, title in GROUPS.items():
            self.group.addItem(title, code)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("summary")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        export = QPushButton("Экспорт в Excel…")
        export.clicked.connect(self.export)
        close = QPushButton("Закрыть")
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        for w in (QLabel("Учебный год:"), self.year, QLabel("Группа:"), self.group):
            top.addWidget(w)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(export)
        bottom.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        self.group.currentIndexChanged.connect(lambda _i: self.refresh())
        self.rows: list[svc.IndicatorSummary] = []
        self.refresh()

    def refresh(self) -> None:
        with self.factory() as s:
            self.rows = svc.indicator_summary(s, self.year.currentData(), self.group.currentData())
        self.table.setRowCount(len(self.rows))
        for r, x in enumerate(self.rows):
            for c, v in enumerate((x.title, str(x.n), fmt(x.mean), fmt(x.maximum), fmt(x.minimum))):
                self.table.setItem(r, c, QTableWidgetItem(v))
        self.table.resizeRowsToContents()

    def export(self, path: str | None = None) -> None:
        from moc_desktop.services import xlsx_export

        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Экспорт в Excel", str(Path.home() / "Сводка показателей.xlsx"), "Книга Excel (*.xlsx)"
            )
        if not path:
            return
        cols = [(HEADERS[0], 70, "text"), (HEADERS[1], 10, "int"), *[(h, 12, "float") for h in HEADERS[2:]]]
        data = [[x.title, x.n, x.mean, x.maximum, x.minimum] for x in self.rows]
        title = f"Сводка показателей {self.year.currentData()}"
        try:
            xlsx_export.export_rows(Path(path), title, cols, data)
        except xlsx_export.ExportError as exc:
            QMessageBox.warning(self, "Экспорт", str(exc))
