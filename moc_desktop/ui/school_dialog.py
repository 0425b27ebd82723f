"""School editor: tabs «Основные», «Статусы», «Показатели», «ИОР», «SWOT»."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import schools as svc
from moc_desktop.services.common import (
    ValidationError,
    current_school_year,
    format_date,
    parse_date,
    previous_school_years,
)
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalSpin, editable_combo, line


def _num(text: str) -> float | None:
    t = text.strip().replace(",", ".").replace(" ", "")
    if not t:
        return None
    return float(t)


def _fmt_num(v: float | None) -> str:
    if v is None:
        return ""
    return (f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))).replace(".", ",")


class SchoolDialog(EditorDialog):
    STATUS_COLS = ("Учебный год", "Статус", "Уточнение", "Приказ №", "Дата приказа", "Примечание")

    def __init__(self, factory, school_id: int | None, parent=None, school_year: str | None = None):
        super().__init__("Новая школа" if school_id is None else "Школа", parent)
        self.factory = factory
        self.school_id = school_id
        self.resize(980, 640)
        self.year = school_year or current_school_year()
        with factory() as s:
            self.kinds = svc.status_kinds(s)
            self.indicators = svc.indicator_kinds(s)
            school = svc.get_school(s, school_id) if school_id else None
            self._build_general(school)
            self._build_statuses(school)
            self._build_indicators(school)
            self._build_ior(school)
            self._build_swot(school)
            if school is not None:
                self.setWindowTitle(f"Школа — {school.short_name}")
        self.take_snapshot()

    # --- tabs ---------------------------------------------------------------------------------------------------
    def _build_general(self, school) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.fields = {}
        get = (lambda f: getattr(school, f)) if school else (lambda f: None)
        for f in ("short_name", "full_name", "honorific", "settlement", "address"):
            self.fields[f] = self.errors.add_row(
                form, f, svc.SCHOOL_FIELDS[f] + ("*" if f == "short_name" else ""), line(get(f) or "")
            )
        self.fields["short_name"].setPlaceholderText("МКОУ «Шеркальская СОШ»")
        self.fields["director_post"] = self.errors.add_row(
            form,
            "director_post",
            svc.SCHOOL_FIELDS["director_post"],
            editable_combo(svc.DIRECTOR_POSTS, get("director_post") or "директор"),
        )
        for f in ("director_name", "phone", "email", "website"):
            self.fields[f] = self.errors.add_row(form, f, svc.SCHOOL_FIELDS[f], line(get(f) or ""))
        row = QHBoxLayout()
        for f in svc.INT_FIELDS:
            sp = OptionalSpin(10000)
            sp.set_value(get(f))
            sp.setObjectName(f)
            self.fields[f] = sp
            row.addWidget(QLabel(svc.SCHOOL_FIELDS[f].replace("Обучающихся ", "")))
            row.addWidget(sp)
        box = QWidget()
        box.setLayout(row)
        self.errors.add_row(form, "pupils_noo", "Контингент", box)
        for f in svc.BOOL_FIELDS:
            cb = QCheckBox(svc.SCHOOL_FIELDS[f])
            cb.setChecked(bool(get(f)))
            self.fields[f] = cb
            form.addRow("", cb)
        self.fields["note"] = QPlainTextEdit(get("note") or "")
        self.fields["note"].setMaximumHeight(70)
        form.addRow(svc.SCHOOL_FIELDS["note"], self.fields["note"])
        self.field_tab.update({f: 0 for f in svc.SCHOOL_FIELDS})
        self.tabs.addTab(page, "Основные")

    def _build_statuses(self, school) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(QLabel("Статус школы в каждом учебном году и приказ, которым он установлен."))
        self.status_table = QTableWidget(0, len(self.STATUS_COLS))
        self.status_table.setObjectName("statuses")
        self.status_table.setHorizontalHeaderLabels(self.STATUS_COLS)
        self.status_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.status_table.horizontalHeader().setStretchLastSection(True)
        self.status_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for i, w in enumerate((90, 130, 330, 80, 95)):
            self.status_table.setColumnWidth(i, w)
        lay.addWidget(self.status_table, 1)
        btns = QHBoxLayout()
        add = QPushButton("Добавить статус")
        add.clicked.connect(lambda: self.add_status_row({"school_year": self.year}))
        rm = QPushButton("Удалить строку")
        rm.clicked.connect(lambda: self.status_table.removeRow(self.status_table.currentRow()))
        btns.addWidget(add)
        btns.addWidget(rm)
        btns.addStretch(1)
        lay.addLayout(btns)
        err = QLabel()
        err.setObjectName("error_statuses")
        lay.addWidget(err)
        self.errors.add_label("statuses", err, self.status_table)
        self.field_tab["statuses"] = 1
        if school is not None:
            for st in sorted(
                (x for x in school.statuses if x.deleted_at is None),
                key=lambda x: (x.school_year, x.status_code),
            ):
                self.add_status_row(
                    {
                        "id": st.id,
                        "school_year": st.school_year,
                        "status_code": st.status_code,
                        "sub_label": st.sub_label,
                        "order_number": st.order_number,
                        "order_date": st.order_date,
                        "note": st.note,
                    }
                )
        self.tabs.addTab(page, "Статусы")

    def add_status_row(self, row: dict) -> None:
        t = self.status_table
        r = t.rowCount()
        t.insertRow(r)
        year = QTableWidgetItem(row.get("school_year", ""))
        year.setData(256, row.get("id"))
        t.setItem(r, 0, year)
        combo = QComboBox()
        for k in self.kinds:
            combo.addItem(k.short, k.code)
        combo.setCurrentIndex(max(combo.findData(row.get("status_code")), 0))
        t.setCellWidget(r, 1, combo)
        sub = editable_combo(("",) + svc.SHNOR_SUB_LABELS, row.get("sub_label", ""))
        t.setCellWidget(r, 2, sub)
        t.setItem(r, 3, QTableWidgetItem(row.get("order_number", "")))
        t.setItem(r, 4, QTableWidgetItem(format_date(row.get("order_date"))))
        t.setItem(r, 5, QTableWidgetItem(row.get("note", "")))

    def status_rows(self) -> list[dict]:
        t = self.status_table
        out = []
        for r in range(t.rowCount()):
            text = lambda c, r=r: (t.item(r, c).text() if t.item(r, c) else "").strip()  # noqa: E731
            try:
                d = parse_date(text(4))
            except ValueError:
                d = text(4)  # validation reports it
            out.append(
                {
                    "id": t.item(r, 0).data(256) if t.item(r, 0) else None,
                    "school_year": text(0),
                    "status_code": t.cellWidget(r, 1).currentData(),
                    "sub_label": t.cellWidget(r, 2).currentText(),
                    "order_number": text(3),
                    "order_date": d,
                    "note": text(5),
                }
            )
        return out

    def _build_indicators(self, school) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addWidget(QLabel("Учебный год:"))
        self.ind_year = QComboBox()
        years = previous_school_years(current_school_year(), 5)
        if school is not None:
            years = sorted(set(years) | {r.school_year for r in school.indicators})
        for y in reversed(years):
            self.ind_year.addItem(y, y)
        self.ind_year.setCurrentIndex(max(self.ind_year.findData(self.year), 0))
        top.addWidget(self.ind_year)
        top.addStretch(1)
        lay.addLayout(top)
        self.ind_table = QTableWidget(len(self.indicators), 2)
        self.ind_table.setObjectName("indicators")
        self.ind_table.setHorizontalHeaderLabels(("Показатель", "Значение"))
        self.ind_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.ind_table.setColumnWidth(1, 110)
        group_names = {"monitoring": "мониторинг", "staff_quality": "кадры, %"}
        for i, k in enumerate(self.indicators):
            it = QTableWidgetItem(f"{k.title} ({group_names.get(k.group, k.group)})")
            it.setFlags(it.flags() & ~it.flags().ItemIsEditable)
            self.ind_table.setItem(i, 0, it)
            self.ind_table.setItem(i, 1, QTableWidgetItem(""))
        self.ind_table.resizeRowsToContents()
        lay.addWidget(self.ind_table, 1)
        hint = QLabel("Доли — от 0 до 1 (0,379); проценты — от 0 до 100; наличие — 1 или 0.")
        lay.addWidget(hint)
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("indicators", err, self.ind_table)
        self.field_tab["indicators"] = 2
        # values of every year are kept while switching the year combo
        self.ind_values: dict[str, dict[str, float | None]] = {}
        if school is not None:
            for r in school.indicators:
                if r.deleted_at is None:
                    self.ind_values.setdefault(r.school_year, {})[r.indicator_code] = r.value
        self._shown_year = self.ind_year.currentData()
        self._fill_indicator_table()
        self.ind_year.currentIndexChanged.connect(self._switch_indicator_year)
        self.tabs.addTab(page, "Показатели")

    def _fill_indicator_table(self) -> None:
        vals = self.ind_values.get(self._shown_year, {})
        for i, k in enumerate(self.indicators):
            self.ind_table.item(i, 1).setText(_fmt_num(vals.get(k.code)))

    def _read_indicator_table(self) -> dict[str, float | None]:
        out = {}
        errors = {}
        for i, k in enumerate(self.indicators):
            text = self.ind_table.item(i, 1).text()
            try:
                out[k.code] = _num(text)
            except ValueError:
                errors["indicators"] = f"«{text}» в строке «{k.title[:40]}…» — не число."
        if errors:
            raise ValidationError(errors)
        return out

    def _switch_indicator_year(self) -> None:
        try:
            self.ind_values[self._shown_year] = self._read_indicator_table()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            self.ind_year.blockSignals(True)
            self.ind_year.setCurrentIndex(self.ind_year.findData(self._shown_year))
            self.ind_year.blockSignals(False)
            return
        self._shown_year = self.ind_year.currentData()
        self._fill_indicator_table()

    def _build_ior(self, school) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(
            QLabel("Индекс образовательных результатов (ИОР) по годам — значения, данные регионом.")
        )
        self.ior_table = QTableWidget(0, 2)
        self.ior_table.setObjectName("ior")
        self.ior_table.setHorizontalHeaderLabels(("Год", "ИОР"))
        lay.addWidget(self.ior_table, 1)
        series = sorted((r.year, r.value) for r in school.ior if r.deleted_at is None) if school else []
        last = current_school_year()[:4]
        years = {y for y, _ in series} | {int(last) - 2, int(last) - 1, int(last)}
        vals = dict(series)
        for y in sorted(years):
            r = self.ior_table.rowCount()
            self.ior_table.insertRow(r)
            self.ior_table.setItem(r, 0, QTableWidgetItem(str(y)))
            self.ior_table.setItem(r, 1, QTableWidgetItem(_fmt_num(vals.get(y))))
        self.ior_mean = QLabel()
        self.ior_mean.setObjectName("ior_mean")
        lay.addWidget(self.ior_mean)
        add = QPushButton("Добавить год")
        add.clicked.connect(self._add_ior_year)
        lay.addWidget(add)
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("ior", err, self.ior_table)
        self.field_tab["ior"] = 3
        self.ior_table.itemChanged.connect(lambda _i: self._update_ior_mean())
        self._update_ior_mean()
        self.tabs.addTab(page, "ИОР")

    def _add_ior_year(self) -> None:
        r = self.ior_table.rowCount()
        prev = int(self.ior_table.item(r - 1, 0).text()) + 1 if r else int(current_school_year()[:4])
        self.ior_table.insertRow(r)
        self.ior_table.setItem(r, 0, QTableWidgetItem(str(prev)))
        self.ior_table.setItem(r, 1, QTableWidgetItem(""))

    def ior_series(self) -> dict[int, float]:
        out = {}
        for r in range(self.ior_table.rowCount()):
            y = (self.ior_table.item(r, 0).text() if self.ior_table.item(r, 0) else "").strip()
            v = (self.ior_table.item(r, 1).text() if self.ior_table.item(r, 1) else "").strip()
            if not v:
                continue
            try:
                out[int(y)] = _num(v)
            except ValueError:
                raise ValidationError(
                    {"ior": f"Строка {r + 1}: год и ИОР должны быть числами («{y}», «{v}»)."}
                ) from None
        return out

    def _update_ior_mean(self) -> None:
        try:
            series = sorted(self.ior_series().items())[-3:]
        except ValidationError:
            self.ior_mean.setText("")
            return
        mean = svc.ior_mean([v for _, v in series])
        if mean is None:
            self.ior_mean.setText("Среднее значение: —")
        else:
            years = f"{series[0][0]}–{series[-1][0]}" if len(series) > 1 else str(series[0][0])
            self.ior_mean.setText(f"Среднее значение ИОР {years}: {_fmt_num(mean)}")

    def _build_swot(self, school) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(QLabel(f"SWOT-анализ за {self.year} учебный год: одно утверждение в строке."))
        grid = QHBoxLayout()
        self.swot_edits: dict[str, QPlainTextEdit] = {}
        current = svc.swot_of(school, self.year) if school else {q: [] for q in svc.SWOT_QUADRANTS}
        col1, col2 = QVBoxLayout(), QVBoxLayout()
        for i, (q, title) in enumerate(svc.SWOT_QUADRANTS.items()):
            col = col1 if i % 2 == 0 else col2
            col.addWidget(QLabel(f"<b>{title}</b>"))
            ed = QPlainTextEdit("\n".join(current[q]))
            ed.setObjectName(f"swot_{q}")
            self.swot_edits[q] = ed
            col.addWidget(ed)
        grid.addLayout(col1)
        grid.addLayout(col2)
        lay.addLayout(grid, 1)
        self.tabs.addTab(page, "SWOT")

    # --- data ---------------------------------------------------------------------------------------------------
    def general_data(self) -> dict:
        data = {}
        for f, w in self.fields.items():
            if f in svc.INT_FIELDS:
                data[f] = w.value_or_none()
            elif f in svc.BOOL_FIELDS:
                data[f] = w.isChecked()
            elif f == "note":
                data[f] = w.toPlainText()
            elif f == "director_post":
                data[f] = w.currentText()
            else:
                data[f] = w.text()
        return data

    def collect_snapshot(self):
        try:
            ind = self._read_indicator_table()
        except ValidationError:
            ind = None
        try:
            ior = self.ior_series()
        except ValidationError:
            ior = None
        return (
            self.general_data(),
            [{k: v for k, v in r.items() if k != "id"} for r in self.status_rows()],
            ind,
            ior,
            {q: e.toPlainText() for q, e in self.swot_edits.items()},
        )

    def write(self) -> None:
        data = self.general_data()
        errors = svc.validate_school(data)
        try:
            ior = self.ior_series()
        except ValidationError as exc:
            errors.update(exc.errors)
            ior = {}
        try:
            self.ind_values[self._shown_year] = self._read_indicator_table()
        except ValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        with session_scope(self.factory) as s:
            school = svc.get_school(s, self.school_id) if self.school_id else None
            school = svc.save_school(s, data, school)
            svc.set_statuses(s, school, self.status_rows())
            svc.set_ior(s, school, ior)
            for year, values in self.ind_values.items():
                try:
                    svc.set_indicators(s, school, year, values)
                except ValidationError as exc:
                    titles = {k.code: k.title for k in self.indicators}
                    raise ValidationError(
                        {
                            "indicators": "; ".join(
                                f"{year}, «{titles.get(c, c)[:50]}»: {m}" for c, m in exc.errors.items()
                            )
                        }
                    ) from None
            svc.set_swot(
                s, school, self.year, {q: e.toPlainText().splitlines() for q, e in self.swot_edits.items()}
            )
            self.school_id = school.id
