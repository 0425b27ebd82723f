"""Schools and Staff pages."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel

from moc_desktop.services import schools as schools_svc
from moc_desktop.services import staff as staff_svc
from moc_desktop.services.common import current_school_year
from moc_desktop.ui.list_page import ListPage

ALL = "__all__"
NONE = "__none__"


def _status_combo(session, combo: QComboBox) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("Все статусы", ALL)
    for k in schools_svc.status_kinds(session):
        combo.addItem(k.short, k.code)
    combo.addItem("Без статуса", NONE)
    i = combo.findData(current)
    combo.setCurrentIndex(max(i, 0))
    combo.blockSignals(False)


def _year_combo(session, combo: QComboBox) -> None:
    current = combo.currentData() or current_school_year()
    years = set(schools_svc.school_years_in_use(session)) | {current_school_year()}
    combo.blockSignals(True)
    combo.clear()
    for y in sorted(years, reverse=True):
        combo.addItem(f"{y} уч. год", y)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.blockSignals(False)


def _status_predicate(code, codes_of):
    if code in (None, ALL):
        return None
    if code == NONE:
        return lambda r: not codes_of(r)
    return lambda r: code in codes_of(r)


class SchoolsPage(ListPage):
    kind = "schools"
    noun_plural = "школы"

    def __init__(self, factory, parent=None):
        super().__init__(factory, parent)
        self.year = QComboBox()
        self.year.setObjectName("year")
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.filters.addWidget(QLabel("Учебный год:"))
        self.filters.addWidget(self.year)
        self.filters.addWidget(QLabel("Статус:"))
        self.filters.addWidget(self.status)
        self.year.currentIndexChanged.connect(lambda _i: self.reload())
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.toolbar.addSeparator()
        self.act_summary = self._action("Сводка показателей…", None, self.show_summary)

    def show_summary(self) -> None:
        from moc_desktop.ui.indicator_summary import IndicatorSummaryDialog

        IndicatorSummaryDialog(self.factory, self, self.year.currentData()).exec()

    def before_reload(self, session) -> None:
        _year_combo(session, self.year)
        _status_combo(session, self.status)

    def load_rows(self, session):
        return schools_svc.list_schools(session, self.year.currentData())

    def predicate(self):
        return _status_predicate(self.status.currentData(), lambda r: r.status_codes)

    def open_editor(self, row_id):
        from moc_desktop.ui.school_dialog import SchoolDialog

        dlg = SchoolDialog(self.factory, row_id, self, school_year=self.year.currentData())
        return bool(dlg.exec())

    def describe(self, rows):
        if len(rows) == 1:
            return f"Удалить школу «{rows[0].short_name}»?\nЗапись будет помечена удалённой; педагоги останутся в реестре."
        return f"Удалить выбранные школы ({len(rows)})?"

    def delete_rows(self, session, rows):
        for r in rows:
            school = schools_svc.get_school(session, r.id)
            if school is not None:
                schools_svc.soft_delete_school(session, school)


class StaffPage(ListPage):
    kind = "staff"
    noun_plural = "педагоги"

    def __init__(self, factory, parent=None):
        super().__init__(factory, parent)
        self._school_codes: dict[int, frozenset[str]] = {}
        self.school = QComboBox()
        self.school.setObjectName("school")
        self.school.setMinimumContentsLength(18)
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.status.setToolTip("Статус школы в текущем учебном году")
        self.category = QComboBox()
        self.category.setObjectName("category")
        self.category.addItem("Все категории", ALL)
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for c in staff_svc.CATEGORIES:
            self.category.addItem(c, c)
        self.young = QCheckBox("Молодые специалисты")
        self.no_courses = QCheckBox("Без КПК за 3 года")
        for w in (QLabel("Школа:"), self.school):
            self.filters.addWidget(w)
        for w in (
            QLabel("Статус школы:"),
            self.status,
            QLabel("Категория:"),
            self.category,
            self.young,
            self.no_courses,
        ):
            self.filters2.addWidget(w)
        self.filters2.addStretch(1)
        for combo in (self.school, self.status, self.category):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.young.toggled.connect(lambda _b: self.apply_filters())
        self.no_courses.toggled.connect(lambda _b: self.apply_filters())

    def before_reload(self, session) -> None:
        current = self.school.currentData()
        self.school.blockSignals(True)
        self.school.clear()
        self.school.addItem("Все школы", ALL)
        for sid, name in schools_svc.school_choices(session):
            self.school.addItem(name, sid)
        self.school.addItem("Без школы", NONE)
        self.school.setCurrentIndex(max(self.school.findData(current), 0))
        self.school.blockSignals(False)
        _status_combo(session, self.status)
        self._school_codes = {
            r.id: r.status_codes for r in schools_svc.list_schools(session, current_school_year())
        }

    def load_rows(self, session):
        return staff_svc.list_staff(session)

    def predicate(self):
        tests = []
        sid = self.school.currentData()
        if sid == NONE:
            tests.append(lambda r: r.school_id is None)
        elif sid not in (None, ALL):
            tests.append(lambda r: r.school_id == sid)
        codes = self._school_codes
        st = _status_predicate(self.status.currentData(), lambda r: codes.get(r.school_id, frozenset()))
        if st is not None:
            tests.append(st)
        cat = self.category.currentData()
        if cat not in (None, ALL):
            tests.append(lambda r: r.category == cat)
        if self.young.isChecked():
            tests.append(lambda r: r.young)
        if self.no_courses.isChecked():
            tests.append(lambda r: not r.recent_courses)
        if not tests:
            return None
        return lambda r: all(t(r) for t in tests)

    def open_editor(self, row_id):
        from moc_desktop.ui.person_dialog import PersonDialog

        default_school = self.school.currentData()
        dlg = PersonDialog(
            self.factory,
            row_id,
            self,
            default_school=default_school if isinstance(default_school, int) else None,
        )
        return bool(dlg.exec())

    def describe(self, rows):
        if len(rows) == 1:
            return f"Удалить педагога «{rows[0].full_name}»?\nЗапись будет помечена удалённой."
        return f"Удалить выбранных педагогов ({len(rows)})?"

    def delete_rows(self, session, rows):
        for r in rows:
            p = staff_svc.get_person(session, r.id)
            if p is not None:
                staff_svc.soft_delete_person(session, p)
