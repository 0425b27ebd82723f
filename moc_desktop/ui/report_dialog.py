"""«Аналитическая справка»: the report builder.

Top — the report's title, period, school year, date and author; left — its sections (add one of a kind from the
menu, remove, move up or down); right — the selected section's heading, text and parameters. «Просмотр…» shows
the document as it will print, «Сохранить .docx…» / «Сохранить PDF…» write it. The last report is remembered
(settings key ``report.last_spec``) and comes back the next time, dated today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import schools as schools_svc
from moc_desktop.services.common import current_school_year
from moc_desktop.services.docs import render, reports
from moc_desktop.services.docs.model import Document
from moc_desktop.ui.forms import OptionalDateEdit

AS_REPORT = "как в справке"


def _period(year: str) -> str:
    return f"за {year} учебный год"


class ReportDialog(QDialog):
    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.setWindowTitle("Аналитическая справка")
        self.resize(1100, 720)
        with factory() as s:
            self.years = sorted(
                set(schools_svc.school_years_in_use(s)) | {current_school_year()}, reverse=True
            )
            spec = reports.load_last_spec(s) or reports.default_spec(s)
        spec.date = date.today()  # a report is dated the day it is made
        self.sections: list[reports.SectionSpec] = []
        self._loading = False
        self.last_preview = None
        self.last_saved: Path | None = None
        self.choose_path: Callable[[str], str] = self._ask_path
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)

        lay = QVBoxLayout(self)
        lay.addWidget(self._build_header())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._build_list())
        split.addWidget(self._build_editor())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setSizes([360, 720])
        lay.addWidget(split, 1)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        lay.addLayout(self._build_buttons())
        self.set_spec(spec)

    # --- layout -----------------------------------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        box = QGroupBox("Справка")
        form = QFormLayout(box)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("title")
        form.addRow("Заголовок", self.title_edit)
        self.subtitle_edit = QLineEdit()
        self.subtitle_edit.setObjectName("subtitle")
        self.subtitle_edit.setPlaceholderText(_period(current_school_year()))
        form.addRow("Период", self.subtitle_edit)
        row = QHBoxLayout()
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("school_year")
        for y in self.years:
            self.year_combo.addItem(f"{y} уч. год", y)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        self._year = ""
        self.date_edit = OptionalDateEdit()
        self.date_edit.setObjectName("date")
        row.addWidget(self.year_combo)
        row.addSpacing(16)
        row.addWidget(QLabel("Дата:"))
        row.addWidget(self.date_edit)
        row.addStretch(1)
        form.addRow("Учебный год", row)
        author = QHBoxLayout()
        self.author_post = QLineEdit()
        self.author_post.setObjectName("author_post")
        self.author_post.setPlaceholderText("должность (например, «Директор»)")
        self.author_name = QLineEdit()
        self.author_name.setObjectName("author_name")
        self.author_name.setPlaceholderText("фамилия, имя, отчество")
        author.addWidget(self.author_post, 3)
        author.addWidget(self.author_name, 2)
        form.addRow("Подпись", author)
        return box

    def _build_list(self) -> QWidget:
        box = QGroupBox("Разделы")
        v = QVBoxLayout(box)
        self.section_list = QListWidget()
        self.section_list.setObjectName("sections")
        self.section_list.setWordWrap(True)
        self.section_list.currentRowChanged.connect(self._show_section)
        v.addWidget(self.section_list, 1)
        row = QHBoxLayout()
        self.add_button = QToolButton()
        self.add_button.setText("Добавить раздел")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self.add_button)
        for kind in reports.SECTION_KINDS.values():
            act = self.add_menu.addAction(kind.title)
            act.setToolTip(kind.hint)
            act.triggered.connect(lambda _c=False, code=kind.code: self.add_section(code))
        self.add_menu.setToolTipsVisible(True)
        self.add_button.setMenu(self.add_menu)
        row.addWidget(self.add_button)
        self.remove_button = QPushButton("Удалить")
        self.remove_button.clicked.connect(lambda _c=False: self.remove_section())
        self.up_button = QPushButton("Выше")
        self.up_button.clicked.connect(lambda _c=False: self.move_section(-1))
        self.down_button = QPushButton("Ниже")
        self.down_button.clicked.connect(lambda _c=False: self.move_section(1))
        for b in (self.remove_button, self.up_button, self.down_button):
            row.addWidget(b)
        row.addStretch(1)
        v.addLayout(row)
        return box

    def _build_editor(self) -> QWidget:
        self.editor = QGroupBox("Раздел")
        form = QFormLayout(self.editor)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("kind")
        self.kind_label.setWordWrap(True)
        form.addRow("Вид", self.kind_label)
        self.section_title = QLineEdit()
        self.section_title.setObjectName("section_title")
        self.section_title.textChanged.connect(self._title_changed)
        form.addRow("Заголовок раздела", self.section_title)
        self.text_label = QLabel("Вступительный текст")
        self.section_text = QPlainTextEdit()
        self.section_text.setObjectName("section_text")
        self.section_text.textChanged.connect(self._text_changed)
        form.addRow(self.text_label, self.section_text)
        self.params_box = QWidget()
        self.params_form = QFormLayout(self.params_box)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.params_box)
        self.param_widgets: dict[str, QWidget] = {}
        return self.editor

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, name, slot in (
            ("Просмотр…", "preview", self.preview),
            ("Сохранить .docx…", "save_docx", lambda: self.save(".docx")),
            ("Сохранить PDF…", "save_pdf", lambda: self.save(".pdf")),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(lambda _c=False, s=slot: s())
            row.addWidget(b)
        reset = QPushButton("Начать заново")
        reset.setToolTip("Разделы и тексты по умолчанию")
        reset.clicked.connect(lambda _c=False: self.reset())
        row.addWidget(reset)
        row.addStretch(1)
        close = QPushButton("Закрыть")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        return row

    # --- the spec ------------------------------------------------------------------------------------------------
    def set_spec(self, spec: reports.ReportSpec) -> None:
        self._loading = True
        try:
            self.title_edit.setText(spec.title)
            self.subtitle_edit.setText(spec.subtitle)
            year = spec.school_year or current_school_year()
            if self.year_combo.findData(year) < 0:
                self.year_combo.addItem(f"{year} уч. год", year)
            self.year_combo.setCurrentIndex(self.year_combo.findData(year))
            self._year = year
            self.date_edit.set_value(spec.date)
            self.author_post.setText(spec.author_post)
            self.author_name.setText(spec.author_name)
            self.sections = [
                reports.SectionSpec(s.kind, s.title, s.intro_text, dict(s.params)) for s in spec.sections
            ]
        finally:
            self._loading = False
        self._fill_list(0 if self.sections else -1)

    def spec(self) -> reports.ReportSpec:
        return reports.ReportSpec(
            title=self.title_edit.text().strip(),
            subtitle=self.subtitle_edit.text().strip(),
            school_year=self.year_combo.currentData() or current_school_year(),
            date=self.date_edit.value(),
            author_post=self.author_post.text().strip(),
            author_name=self.author_name.text().strip(),
            sections=[
                reports.SectionSpec(s.kind, s.title, s.intro_text, dict(s.params)) for s in self.sections
            ],
        )

    def reset(self) -> None:
        with self.factory() as s:
            self.set_spec(reports.default_spec(s))
        self.status.setText("Разделы и тексты — по умолчанию.")

    def _year_changed(self, _i: int) -> None:
        year = self.year_combo.currentData()
        if self._loading or not year:
            return
        if self.subtitle_edit.text().strip() in ("", _period(self._year)):
            self.subtitle_edit.setText(_period(year))
        self._year = year
        self._show_section(self.current_index())  # «как в справке (год)» follows the report's year

    # --- sections ------------------------------------------------------------------------------------------------
    def _item_text(self, i: int) -> str:
        s = self.sections[i]
        kind = reports.SECTION_KINDS.get(s.kind)
        heading = s.title.strip() or (kind.default_heading if kind else s.kind)
        return f"{i + 1}. {heading}"

    def _fill_list(self, select: int) -> None:
        self.section_list.blockSignals(True)
        self.section_list.clear()
        for i, s in enumerate(self.sections):
            item = QListWidgetItem(self._item_text(i))
            kind = reports.SECTION_KINDS.get(s.kind)
            item.setToolTip(kind.title if kind else f"Вид раздела «{s.kind}» недоступен в этой версии")
            self.section_list.addItem(item)
        self.section_list.blockSignals(False)
        self.section_list.setCurrentRow(select)
        self._show_section(select)

    def current_index(self) -> int:
        i = self.section_list.currentRow()
        return i if 0 <= i < len(self.sections) else -1

    def add_section(self, kind_code: str) -> int:
        """Add a section of ``kind_code`` after the selected one (at the end when none is); returns its index."""
        at = self.current_index() + 1 if self.current_index() >= 0 else len(self.sections)
        self.sections.insert(at, reports.new_section(kind_code))
        self._fill_list(at)
        return at

    def remove_section(self) -> None:
        i = self.current_index()
        if i < 0:
            return
        del self.sections[i]
        self._fill_list(min(i, len(self.sections) - 1))

    def move_section(self, delta: int) -> None:
        i = self.current_index()
        j = i + delta
        if i < 0 or not 0 <= j < len(self.sections):
            return
        self.sections[i], self.sections[j] = self.sections[j], self.sections[i]
        self._fill_list(j)

    def _show_section(self, i: int) -> None:
        valid = 0 <= i < len(self.sections)
        self.editor.setEnabled(valid)
        self.remove_button.setEnabled(valid)
        self.up_button.setEnabled(valid and i > 0)
        self.down_button.setEnabled(valid and i < len(self.sections) - 1)
        self._loading = True
        try:
            if not valid:
                self.kind_label.clear()
                self.section_title.clear()
                self.section_text.clear()
                self._build_params(None)
                return
            s = self.sections[i]
            kind = reports.SECTION_KINDS.get(s.kind)
            self.kind_label.setText(
                (kind.title + (f" — {kind.hint}" if kind.hint else ""))
                if kind
                else f"«{s.kind}» (недоступен в этой версии: будут напечатаны заголовок и текст)"
            )
            self.section_title.setText(s.title)
            self.section_title.setPlaceholderText(kind.default_heading if kind else "")
            self.section_text.setPlainText(s.intro_text)
            is_text = s.kind == "text"
            self.text_label.setText("Текст раздела" if is_text else "Вступительный текст")
            self.section_text.setPlaceholderText(
                "Каждый абзац — с новой строки."
                if is_text
                else "Текст перед таблицами (необязательно); каждый абзац — с новой строки."
            )
            self._build_params(s)
        finally:
            self._loading = False

    def _title_changed(self, text: str) -> None:
        i = self.current_index()
        if self._loading or i < 0:
            return
        self.sections[i].title = text
        self.section_list.item(i).setText(self._item_text(i))

    def _text_changed(self) -> None:
        i = self.current_index()
        if self._loading or i < 0:
            return
        self.sections[i].intro_text = self.section_text.toPlainText()

    # --- parameters ----------------------------------------------------------------------------------------------
    def _build_params(self, section: reports.SectionSpec | None) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_widgets = {}
        kind = reports.SECTION_KINDS.get(section.kind) if section else None
        if kind is None:
            self.params_box.setVisible(False)
            return
        self.params_box.setVisible(bool(kind.params))
        for p in kind.params:
            value = section.params.get(p.name, p.default)
            w = self._param_widget(section, p, value)
            w.setObjectName(f"param_{p.name}")
            self.param_widgets[p.name] = w
            self.params_form.addRow(p.label, w)

    def _param_widget(self, section: reports.SectionSpec, p: reports.Param, value) -> QWidget:
        def store(v) -> None:
            if not self._loading:
                section.params[p.name] = v

        if p.kind == "bool":
            w = QCheckBox()
            w.setChecked(bool(value))
            w.toggled.connect(lambda on: store(bool(on)))
            return w
        combo = QComboBox()
        if p.kind == "school_year":
            combo.addItem(f"{AS_REPORT} ({self.year_combo.currentData()})", "")
            years = list(self.years)
            if value and value not in years:
                years.append(value)
            for y in years:
                combo.addItem(f"{y} уч. год", y)
        else:
            for code, label in p.choices:
                combo.addItem(label, code)
        combo.setCurrentIndex(max(combo.findData(value), 0))
        combo.currentIndexChanged.connect(lambda _i, c=combo: store(c.currentData()))
        return combo

    # --- document ------------------------------------------------------------------------------------------------
    def build_document(self) -> Document | None:
        spec = self.spec()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.factory() as s:
                return reports.build_report(s, spec)
        except Exception as exc:  # a report is best effort: tell the user, keep the dialog
            self.warn("Аналитическая справка", f"Не удалось составить справку: {exc}")
            return None
        finally:
            QApplication.restoreOverrideCursor()

    def preview(self):
        """Open the preview of the report (not modal); returns the preview dialog."""
        from moc_desktop.ui.preview import PreviewDialog

        doc = self.build_document()
        if doc is None:
            return None
        self.remember()
        self.last_preview = PreviewDialog(doc, "report", self)
        self.last_preview.open()
        return self.last_preview

    def _ask_path(self, suffix: str) -> str:
        filt = "Документ Word (*.docx)" if suffix == ".docx" else "PDF (*.pdf)"
        stem = "".join(ch if ch not in '\\/:*?"<>|' else "_" for ch in reports.file_stem(self.spec()))
        path, _ = QFileDialog.getSaveFileName(
            self, "Сохранить справку", str(Path.home() / f"{stem}{suffix}"), filt
        )
        return path

    def save(self, suffix: str, path: str | Path | None = None) -> Path | None:
        """Write the report to ``path`` (asked for when None) as .docx or .pdf; returns the file written."""
        path = path or self.choose_path(suffix)
        if not path:
            return None
        out = Path(path)
        if out.suffix.lower() != suffix:
            out = out.with_name(out.name + suffix)
        doc = self.build_document()
        if doc is None:
            return None
        try:
            result = render.write(doc, "report", out)
        except render.RenderError as exc:
            self.warn("Сохранение", str(exc))
            return None
        self.remember()
        self.last_saved = result.path
        note = f"Сохранено: {result.path}"
        if result.warnings:
            note += "\n" + "\n".join(result.warnings)
            self.warn("Шаблон", "\n".join(result.warnings))
        self.status.setText(note)
        return result.path

    def remember(self) -> None:
        """Keep the current report for the next time (settings ``report.last_spec``)."""
        try:
            with session_scope(self.factory) as s:
                reports.remember_spec(s, self.spec())
        except Exception as exc:  # remembering is a convenience; never lose the dialog over it
            self.status.setText(f"Не удалось запомнить справку: {exc}")

    def done(self, result: int) -> None:
        self.remember()
        super().done(result)
