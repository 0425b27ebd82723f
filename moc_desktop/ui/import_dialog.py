"""Import from Excel/CSV: preview in the background → column mapping for unknown headers → errors per row →
«Импортировать» (only when no errors) or «Импортировать только верные строки». All-or-nothing in the service."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
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
    QWidget,
)

from moc_desktop.services import imports
from moc_desktop.ui.tasks import BackgroundTask

KIND_TITLES = {"schools": "школ", "staff": "педагогов"}
FILE_FILTER = "Таблицы (*.xlsx *.xlsm *.xls *.csv);;Все файлы (*)"


class ImportDialog(QDialog):
    def __init__(self, factory, kind: str, parent: QWidget | None = None, path: str | None = None):
        super().__init__(parent)
        self.factory = factory
        self.kind = kind
        self.path = Path(path) if path else None
        self.preview: imports.ImportPreview | None = None
        self.result_obj = None
        self.error_message = ""
        self.task: BackgroundTask | None = None
        self.setWindowTitle(f"Импорт {KIND_TITLES[kind]} из Excel")
        self.resize(860, 620)

        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        choose = QPushButton("Выбрать файл…")
        choose.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(choose)

        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setObjectName("mapping")
        self.mapping_table.setHorizontalHeaderLabels(("Столбец в файле", "Поле"))
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.recheck = QPushButton("Проверить с этим сопоставлением")
        self.recheck.clicked.connect(lambda: self.start_preview(self.chosen_mapping()))

        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.errors_table = QTableWidget(0, 3)
        self.errors_table.setObjectName("errors")
        self.errors_table.setHorizontalHeaderLabels(("Строка", "Столбец", "Причина"))
        self.errors_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.errors_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        self.btn_import = QPushButton("Импортировать")
        self.btn_import.setObjectName("import")
        self.btn_valid = QPushButton("Импортировать только верные строки")
        self.btn_valid.setObjectName("import_valid")
        self.btn_cancel = QPushButton("Отмена")
        self.btn_import.clicked.connect(lambda: self.start_apply(False))
        self.btn_valid.clicked.connect(lambda: self.start_apply(True))
        self.btn_cancel.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        for b in (self.btn_import, self.btn_valid, self.btn_cancel):
            bottom.addWidget(b)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(
            QLabel(
                "<b>Сопоставление столбцов</b> (нераспознанные выделены — выберите поле или «не загружать»)"
            )
        )
        lay.addWidget(self.mapping_table, 2)
        lay.addWidget(self.recheck, 0, Qt.AlignmentFlag.AlignRight)
        lay.addWidget(self.summary)
        lay.addWidget(QLabel("<b>Ошибки по строкам</b>"))
        lay.addWidget(self.errors_table, 3)
        lay.addLayout(bottom)
        self._set_buttons()

    # --- flow ---------------------------------------------------------------------------------------------------
    def run(self) -> None:
        """Open (window-modal, not blocking) and start with the given file or ask for one."""
        self.open()
        if self.path is None:
            self.choose_file()
        else:
            self.start_preview()

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Файл для импорта", str(Path.home()), FILE_FILTER)
        if path:
            self.path = Path(path)
            self.start_preview()

    def start_preview(self, mapping: dict[int, str | None] | None = None) -> None:
        if self.path is None:
            return
        self.file_label.setText(f"Файл: {self.path}")
        self.preview = None
        self.error_message = ""
        self._set_buttons()
        path, kind, factory = self.path, self.kind, self.factory

        def work(progress, cancelled):
            with factory() as s:
                return imports.preview_import(
                    s, path, kind, mapping=mapping, progress=progress, cancel=cancelled
                )

        self.task = BackgroundTask(self, "Проверка файла…", work, self._show_preview, self._failed).start()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, imports.ImportCancelled):
            self.error_message = "Импорт отменён. База не изменена."
        elif isinstance(exc, imports.ImportFileError | imports.ImportRefused):
            self.error_message = str(exc)
        else:
            raise exc
        self.summary.setText(self.error_message)
        self._set_buttons()

    def _show_preview(self, preview) -> None:
        self.preview = preview
        fields = imports.KNOWN_FIELDS[self.kind]
        t = self.mapping_table
        t.setRowCount(0)
        for col, header in enumerate(preview.headers):
            if not str(header).strip():
                continue
            r = t.rowCount()
            t.insertRow(r)
            item = QTableWidgetItem(str(header))
            item.setData(256, col)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(r, 0, item)
            combo = QComboBox()
            combo.addItem("— не загружать —", None)
            for f, label in fields.items():
                combo.addItem(label, f)
            field = preview.mapping.get(col)
            combo.setCurrentIndex(max(combo.findData(field), 0))
            if field is None:
                item.setBackground(Qt.GlobalColor.yellow)
            t.setCellWidget(r, 1, combo)
        e = self.errors_table
        e.setRowCount(0)
        for err in preview.errors:
            r = e.rowCount()
            e.insertRow(r)
            e.setItem(r, 0, QTableWidgetItem(str(err.row)))
            e.setItem(r, 1, QTableWidgetItem(err.column))
            e.setItem(r, 2, QTableWidgetItem(err.message))
        valid = len(preview.valid)
        text = (
            f"Строка заголовков: {preview.header_row}. Строк с данными: {preview.rows_total}; верных: {valid}; "
            f"с ошибками: {len({e.row for e in preview.errors})} (ошибок: {len(preview.errors)}). "
            f"Будет добавлено: {preview.to_create}, обновлено: {preview.to_update}."
        )
        if preview.errors:
            text += (
                "\nФайл с ошибками не загружается целиком: исправьте его или загрузите только верные строки."
            )
        self.summary.setText(text)
        self._set_buttons()

    def chosen_mapping(self) -> dict[int, str | None]:
        out = {}
        for r in range(self.mapping_table.rowCount()):
            col = self.mapping_table.item(r, 0).data(256)
            out[col] = self.mapping_table.cellWidget(r, 1).currentData()
        return out

    def _set_buttons(self) -> None:
        p = self.preview
        self.btn_import.setEnabled(p is not None and not p.errors and bool(p.valid))
        self.btn_valid.setEnabled(p is not None and bool(p.errors) and bool(p.valid))
        self.recheck.setEnabled(p is not None)

    def start_apply(self, valid_only: bool) -> None:
        if self.preview is None:
            return
        preview, factory, kind = self.preview, self.factory, self.kind
        # choices that differ from what the built-in synonyms would pick are remembered for the next file
        auto = imports.match_headers(preview.headers, kind)
        remembered = {
            str(preview.headers[col]): field
            for col, field in self.chosen_mapping().items()
            if auto.get(col) != field
        }

        def work(progress, cancelled):
            from moc_desktop.db.engine import session_scope

            with session_scope(factory) as s:
                if remembered:
                    imports.remember_mapping(s, kind, remembered)
                return imports.apply_import(
                    s, preview, valid_only=valid_only, progress=progress, cancel=cancelled
                )

        self.task = BackgroundTask(self, "Импорт…", work, self._applied, self._failed).start()

    def _applied(self, result) -> None:
        self.result_obj = result
        msg = result.summary()
        self.summary.setText("Импорт выполнен. " + msg)
        parent = self.parentWidget()
        if parent is not None and hasattr(parent, "status_message"):
            parent.status_message.emit("Импорт выполнен. " + msg)
        self.accept()

    def reject(self) -> None:
        if self.task is not None and not self.task.finished:
            self.task.cancel_event.set()
            return
        super().reject()

    @staticmethod
    def info(parent, text: str) -> None:
        QMessageBox.information(parent, "Импорт", text)
