"""Person editor: tabs «Основные», «Квалификация», «Курсы ПК», «История мест работы»."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import schools as schools_svc
from moc_desktop.services import staff as svc
from moc_desktop.services.common import ValidationError, format_date, parse_date
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalDateEdit, OptionalSpin, editable_combo, line

YOUNG_STATES = (("по стажу (менее 3 лет)", None), ("да", True), ("нет", False))


class PersonDialog(EditorDialog):
    COURSE_COLS = ("Название курса", "Часов", "Начало", "Окончание", "Организация")

    def __init__(self, factory, person_id: int | None, parent=None, default_school: int | None = None):
        super().__init__("Новый педагог" if person_id is None else "Педагог", parent)
        self.factory = factory
        self.person_id = person_id
        with factory() as s:
            self.school_choices = schools_svc.school_choices(s)
            p = svc.get_person(s, person_id) if person_id else None
            self._build_general(p, default_school)
            self._build_qualification(p)
            self._build_courses(p)
            self._build_history(p, s)
            self._build_documents(p)
            if p is not None:
                self.setWindowTitle(f"Педагог — {p.last_name} {p.first_name} {p.middle_name}".strip())
        self.take_snapshot()

    def _build_general(self, p, default_school) -> None:
        page = QWidget()
        form = QFormLayout(page)
        get = (lambda f: getattr(p, f)) if p else (lambda f: None)
        self.w = {}
        for f in ("last_name", "first_name", "middle_name"):
            star = "*" if f != "middle_name" else ""
            self.w[f] = self.errors.add_row(form, f, svc.PERSON_FIELDS[f] + star, line(get(f) or ""))
        by = OptionalSpin(2100)
        by.setMinimum(-1)
        by.set_value(get("birth_year"))
        self.w["birth_year"] = self.errors.add_row(form, "birth_year", svc.PERSON_FIELDS["birth_year"], by)
        school = QComboBox()
        school.setObjectName("school_id")
        school.addItem("— не указана —", None)
        for sid, name in self.school_choices:
            school.addItem(name, sid)
        current = get("school_id") if p else default_school
        school.setCurrentIndex(max(school.findData(current), 0))
        self.w["school_id"] = self.errors.add_row(form, "school_id", svc.PERSON_FIELDS["school_id"], school)
        self.w["positions"] = self.errors.add_row(
            form,
            "positions",
            "Должность (через «;»)",
            editable_combo(svc.POSITIONS, get("positions") or ("" if p else "учитель")),
        )
        self.w["subjects"] = self.errors.add_row(
            form,
            "subjects",
            "Предметы (через «;»)",
            editable_combo(("",) + svc.SUBJECTS, get("subjects") or ""),
        )
        self.w["phone"] = self.errors.add_row(
            form, "phone", svc.PERSON_FIELDS["phone"], line(get("phone") or "")
        )
        self.w["email"] = self.errors.add_row(
            form, "email", svc.PERSON_FIELDS["email"], line(get("email") or "")
        )
        self.w["note"] = self.errors.add_row(form, "note", svc.PERSON_FIELDS["note"], line(get("note") or ""))
        for f in (
            "last_name",
            "first_name",
            "middle_name",
            "birth_year",
            "school_id",
            "positions",
            "subjects",
            "phone",
            "email",
            "note",
        ):
            self.field_tab[f] = 0
        self.tabs.addTab(page, "Основные")

    def _build_qualification(self, p) -> None:
        page = QWidget()
        form = QFormLayout(page)
        get = (lambda f: getattr(p, f)) if p else (lambda f: None)
        edu = QComboBox()
        edu.addItem("", "")
        for e in svc.EDUCATION_LEVELS:
            edu.addItem(e, e)
        edu.setCurrentIndex(max(edu.findData(get("education") or ""), 0))
        self.w["education"] = self.errors.add_row(form, "education", svc.PERSON_FIELDS["education"], edu)
        cat = QComboBox()
        cat.addItem("", "")
        for c in svc.CATEGORIES:
            cat.addItem(c, c)
        cat.setCurrentIndex(max(cat.findData(get("category") or ""), 0))
        self.w["category"] = self.errors.add_row(form, "category", svc.PERSON_FIELDS["category"], cat)
        cd = OptionalDateEdit()
        cd.set_value(get("category_date"))
        self.w["category_date"] = self.errors.add_row(
            form, "category_date", svc.PERSON_FIELDS["category_date"], cd
        )
        exp = OptionalSpin(70)
        exp.set_value(get("experience_years"))
        self.w["experience_years"] = self.errors.add_row(
            form, "experience_years", svc.PERSON_FIELDS["experience_years"], exp
        )
        young = QComboBox()
        for text, val in YOUNG_STATES:
            young.addItem(text, val)
        young.setCurrentIndex([v for _, v in YOUNG_STATES].index(get("young_specialist")))
        self.w["young_specialist"] = self.errors.add_row(
            form, "young_specialist", svc.PERSON_FIELDS["young_specialist"], young
        )
        self.young_now = QLabel()
        form.addRow("", self.young_now)
        exp.valueChanged.connect(self._update_young)
        young.currentIndexChanged.connect(self._update_young)
        self._update_young()
        for f in ("education", "category", "category_date", "experience_years", "young_specialist"):
            self.field_tab[f] = 1
        self.tabs.addTab(page, "Квалификация")

    def _update_young(self) -> None:
        yes = svc.is_young_specialist(
            self.w["experience_years"].value_or_none(), self.w["young_specialist"].currentData()
        )
        self.young_now.setText("Сейчас: молодой специалист" if yes else "Сейчас: не молодой специалист")

    def _build_courses(self, p) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.courses = QTableWidget(0, len(self.COURSE_COLS))
        self.courses.setObjectName("courses")
        self.courses.setHorizontalHeaderLabels(self.COURSE_COLS)
        self.courses.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.courses.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        lay.addWidget(self.courses, 1)
        btns = QHBoxLayout()
        add = QPushButton("Добавить курс")
        add.clicked.connect(lambda: self.add_course_row({}))
        rm = QPushButton("Удалить строку")
        rm.clicked.connect(lambda: self.courses.removeRow(self.courses.currentRow()))
        btns.addWidget(add)
        btns.addWidget(rm)
        btns.addStretch(1)
        lay.addLayout(btns)
        self.recent_label = QLabel()
        lay.addWidget(self.recent_label)
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("courses", err, self.courses)
        self.field_tab["courses"] = 2
        if p is not None:
            for c in p.courses:
                if c.deleted_at is None:
                    self.add_course_row(
                        {
                            "id": c.id,
                            "title": c.title,
                            "hours": c.hours,
                            "date_from": c.date_from,
                            "date_to": c.date_to,
                            "provider": c.provider,
                        }
                    )
        self.courses.itemChanged.connect(lambda _i: self._update_recent())
        self._update_recent()
        self.tabs.addTab(page, "Курсы ПК")

    def add_course_row(self, row: dict) -> None:
        t = self.courses
        r = t.rowCount()
        t.insertRow(r)
        title = QTableWidgetItem(row.get("title", ""))
        title.setData(256, row.get("id"))
        t.setItem(r, 0, title)
        t.setItem(r, 1, QTableWidgetItem("" if row.get("hours") is None else str(row["hours"])))
        t.setItem(r, 2, QTableWidgetItem(format_date(row.get("date_from"))))
        t.setItem(r, 3, QTableWidgetItem(format_date(row.get("date_to"))))
        t.setItem(r, 4, QTableWidgetItem(row.get("provider", "")))

    def course_rows(self) -> list[dict]:
        t = self.courses
        out, errors = [], {}
        for r in range(t.rowCount()):
            text = lambda c, r=r: (t.item(r, c).text() if t.item(r, c) else "").strip()  # noqa: E731
            row = {
                "id": t.item(r, 0).data(256) if t.item(r, 0) else None,
                "title": text(0),
                "hours": text(1),
                "provider": text(4),
            }
            for key, c in (("date_from", 2), ("date_to", 3)):
                try:
                    row[key] = parse_date(text(c))
                except ValueError as exc:
                    errors[f"courses[{r}].{key}"] = str(exc)
                    row[key] = None
            if not any((row["title"], row["hours"], row["provider"], row["date_from"], row["date_to"])):
                continue  # an empty row added by mistake
            out.append(row)
        if errors:
            raise ValidationError(errors)
        return out

    def _update_recent(self) -> None:
        try:
            ends = [r["date_to"] for r in self.course_rows()]
        except ValidationError:
            ends = []
        ok = svc.has_recent_courses(ends, date.today())
        self.recent_label.setText("КПК за последние 3 года: есть" if ok else "КПК за последние 3 года: нет")

    def _build_history(self, p, session) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        t = QTableWidget(0, 4)
        t.setObjectName("history")
        t.setHorizontalHeaderLabels(("Школа", "Должность", "С", "По"))
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        names = dict(self.school_choices)
        if p is not None:
            for m in p.moves:
                if m.deleted_at is not None:
                    continue
                r = t.rowCount()
                t.insertRow(r)
                t.setItem(
                    r, 0, QTableWidgetItem(names.get(m.school_id, "(школа удалена)") if m.school_id else "—")
                )
                t.setItem(r, 1, QTableWidgetItem(m.position))
                t.setItem(r, 2, QTableWidgetItem(format_date(m.date_from)))
                t.setItem(r, 3, QTableWidgetItem(format_date(m.date_to) or "по н.в."))
        lay.addWidget(
            QLabel("Места работы ведутся автоматически: при смене школы закрывается прежняя запись.")
        )
        lay.addWidget(t, 1)
        self.history = t
        self.tabs.addTab(page, "История")

    def _build_documents(self, p) -> None:
        """Gender and case forms for orders («назначить Пожарницкую Наталью Анатольевну»)."""
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(
            QLabel(
                "Как имя и должность пишутся в приказах. Пустое поле — форма подбирается автоматически "
                "(подсказка в поле); впишите свою, если программа ошибается."
            )
        )
        get = (lambda f: getattr(p, f)) if p else (lambda f: "")
        gender = QComboBox()
        gender.setObjectName("gender")
        for code, title in svc.GENDERS.items():
            gender.addItem(title, code)
        gender.setCurrentIndex(max(gender.findData(get("gender") or ""), 0))
        self.w["gender"] = self.errors.add_row(form, "gender", svc.DOC_FIELDS["gender"], gender)
        for f in ("doc_post", "name_gen", "name_dat", "name_acc", "post_gen", "post_dat", "post_acc"):
            self.w[f] = self.errors.add_row(form, f, svc.DOC_FIELDS[f], line(get(f) or ""))
        self.field_tab.update({f: 4 for f in svc.DOC_FIELDS})
        for f in ("last_name", "first_name", "middle_name", "doc_post", "positions"):
            sig = self.w[f].editTextChanged if f == "positions" else self.w[f].textChanged
            sig.connect(lambda _t: self._suggest_forms())
        gender.currentIndexChanged.connect(lambda _i: self._suggest_forms())
        self.tabs.addTab(page, "Для документов")
        self._suggest_forms()

    def _suggest_forms(self) -> None:
        from moc_desktop.services.docs import grammar

        w = self.w
        last, first, middle = w["last_name"].text(), w["first_name"].text(), w["middle_name"].text()
        gender = w["gender"].currentData()
        positions = svc.split_list(w["positions"].currentText())
        post = w["doc_post"].text() or (positions[0] if positions else "")
        for case in ("gen", "dat", "acc"):
            try:
                name = grammar.decline_name(last, first, middle, gender, case) if last and gender else ""
                post_form = grammar.decline_post(post, case) if post else ""
            except ValueError:
                name = post_form = ""
            w[f"name_{case}"].setPlaceholderText(name or "укажите пол — и форма подберётся")
            w[f"post_{case}"].setPlaceholderText(post_form)

    # --- data ---------------------------------------------------------------------------------------------------
    def person_data(self) -> dict:
        w = self.w
        return {
            "gender": w["gender"].currentData(),
            **{
                f: w[f].text()
                for f in ("doc_post", "name_gen", "name_dat", "name_acc", "post_gen", "post_dat", "post_acc")
            },
            "last_name": w["last_name"].text(),
            "first_name": w["first_name"].text(),
            "middle_name": w["middle_name"].text(),
            "birth_year": w["birth_year"].value_or_none(),
            "school_id": w["school_id"].currentData(),
            "positions": w["positions"].currentText(),
            "subjects": w["subjects"].currentText(),
            "education": w["education"].currentData(),
            "category": w["category"].currentData(),
            "category_date": w["category_date"].value(),
            "experience_years": w["experience_years"].value_or_none(),
            "young_specialist": w["young_specialist"].currentData(),
            "phone": w["phone"].text(),
            "email": w["email"].text(),
            "note": w["note"].text(),
        }

    def collect_snapshot(self):
        rows = [
            [(self.courses.item(r, c).text() if self.courses.item(r, c) else "") for c in range(5)]
            for r in range(self.courses.rowCount())
        ]
        return (self.person_data(), rows)

    def write(self) -> None:
        data = self.person_data()
        errors = svc.validate_person(data)
        try:
            courses = self.course_rows()
        except ValidationError as exc:
            errors.update(exc.errors)
            courses = []
        if errors:
            raise ValidationError(errors)
        with session_scope(self.factory) as s:
            p = svc.get_person(s, self.person_id) if self.person_id else None
            dup = svc.find_person(
                s, data["last_name"], data["first_name"], data["middle_name"], data["birth_year"]
            )
            if dup is not None and (p is None or dup.id != p.id):
                raise ValidationError(
                    {"last_name": "Педагог с такими ФИО и годом рождения уже есть в реестре."}
                )
            p = svc.save_person(s, data, p)
            svc.set_courses(s, p, courses)
            self.person_id = p.id
