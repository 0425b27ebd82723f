"""Dialog of a mentoring pair: form, mentor (with the live load warning), mentees, period, goal, the individual
plan (filled from the mentee's deficits on request), meetings and the final evaluation. Rules:
``services.mentoring.pairs``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services.common import ValidationError, parse_date
from moc_desktop.services.docs import orders as orders_svc
from moc_desktop.services.mentoring import pairs as pairs_svc
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import ERROR_STYLE
from moc_desktop.ui.mentor_common import cell, date_cell, date_text, form_choices, table
from moc_desktop.ui.person_picker import PersonPicker

PLAN_HEADERS = ["Задача", "Срок", "Статус", "Критерий результата"]
MEETING_HEADERS = ["Дата", "Мин.", "Форма", "Тема", "Заметки", "Оценка (1–5)"]
STATUS_CHOICES = (("planned", "Запланировано"), ("done", "Выполнено"))


class PairDialog(EditorDialog):
    """``pair_id`` None → a new pair from ``data`` (``new_pair_data`` form, possibly pre-filled)."""

    def __init__(self, factory, pair_id: int | None = None, data: dict | None = None, parent=None):
        super().__init__("Пара наставничества", parent)
        self.factory = factory
        self.pair_id = pair_id
        self.status = "draft"
        self.deleted_meetings: list[int] = []
        with factory() as s:
            self.people = orders_svc.person_choices(s)
            self.forms = form_choices(s)
            self.limit = pairs_svc.max_mentees(s)
            if pair_id is not None:
                pair = pairs_svc.get_pair(s, pair_id)
                data = pairs_svc.pair_data(pair)
                self.status = pair.status
                meetings = [
                    (m.id, m.date, m.duration_min, m.form, m.topic, m.notes, m.rating)
                    for m in pairs_svc.list_meetings(s, pair_id)
                ]
            else:
                meetings = []
        self.data = data or pairs_svc.new_pair_data()
        self.names = dict(self.people)
        self._build()
        self._fill(self.data, meetings)
        self.take_snapshot()

    # --- layout -------------------------------------------------------------------------------------------
    def _build(self) -> None:
        main = QWidget()
        f = QFormLayout(main)
        self.form = QComboBox()
        self.form.addItem("", "")
        for code, title in self.forms:
            self.form.addItem(title, code)
        f.addRow("Форма наставничества", self.form)
        self.mentor = PersonPicker(self.people)
        self.mentor.currentIndexChanged.connect(self.update_warning)
        f.addRow("Наставник", self.mentor)
        self.warning = QLabel()
        self.warning.setObjectName("load_warning")
        self.warning.setStyleSheet(ERROR_STYLE)
        self.warning.setWordWrap(True)
        f.addRow("", self.warning)
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        self.mentees = QListWidget()
        self.mentees.setMaximumHeight(90)
        v.addWidget(self.mentees)
        row = QHBoxLayout()
        self.mentee_picker = PersonPicker(self.people)
        add = QPushButton("Добавить")
        add.clicked.connect(self.add_mentee)
        rm = QPushButton("Убрать")
        rm.clicked.connect(lambda: self.mentees.takeItem(self.mentees.currentRow()))
        row.addWidget(self.mentee_picker, 1)
        row.addWidget(add)
        row.addWidget(rm)
        v.addLayout(row)
        f.addRow("Наставляемые", box)
        self.date_from = QLineEdit()
        self.date_to = QLineEdit()
        for w in (self.date_from, self.date_to):
            w.setPlaceholderText("дд.мм.гггг")
        f.addRow("Начало", self.date_from)
        f.addRow("Окончание", self.date_to)
        self.goal = QPlainTextEdit()
        self.goal.setMaximumHeight(70)
        f.addRow("Цель", self.goal)
        self.status_label = QLabel(pairs_svc.STATUSES.get(self.status, self.status))
        f.addRow("Статус", self.status_label)
        self.tabs.addTab(main, "Пара")
        for key in ("form_code", "mentor_id", "mentee_ids", "date_from", "date_to"):
            self.field_tab[key] = 0

        plan = QWidget()
        v = QVBoxLayout(plan)
        self.plan = table(PLAN_HEADERS, editable=True)
        v.addWidget(self.plan)
        row = QHBoxLayout()
        for text, slot in (
            ("Добавить задачу", lambda: self.add_task({})),
            ("Удалить задачу", lambda: self.plan.removeRow(self.plan.currentRow())),
            ("Заполнить из дефицитов", self.fill_from_deficits),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        v.addLayout(row)
        self.plan_note = QLabel()
        v.addWidget(self.plan_note)
        self.tabs.addTab(plan, "План развития")
        self.field_tab["plan"] = 1

        meet = QWidget()
        v = QVBoxLayout(meet)
        self.meetings = table(MEETING_HEADERS, editable=True)
        v.addWidget(self.meetings)
        row = QHBoxLayout()
        add_m = QPushButton("Добавить встречу")
        add_m.clicked.connect(lambda: self.add_meeting((None, None, None, "", "", "", None)))
        rm_m = QPushButton("Удалить встречу")
        rm_m.clicked.connect(self.remove_meeting)
        row.addWidget(add_m)
        row.addWidget(rm_m)
        row.addStretch(1)
        v.addLayout(row)
        if self.status == "draft":
            v.addWidget(QLabel("Встречи записывают после запуска пары."))
            add_m.setEnabled(False)
        self.tabs.addTab(meet, "Встречи")
        self.field_tab["meetings"] = 2

        ev = QWidget()
        v = QVBoxLayout(ev)
        self.evaluation = QPlainTextEdit()
        v.addWidget(QLabel("Итоговая оценка результатов наставничества"))
        v.addWidget(self.evaluation)
        self.tabs.addTab(ev, "Итог")

    def _fill(self, d: dict, meetings: list[tuple]) -> None:
        i = self.form.findData(d.get("form_code") or "")
        self.form.setCurrentIndex(max(i, 0))
        self.mentor.set_value({"person_id": d.get("mentor_id")} if d.get("mentor_id") else None)
        for mid in d.get("mentee_ids") or []:
            self._add_mentee_item(int(mid))
        self.date_from.setText(date_text(d.get("date_from")))
        self.date_to.setText(date_text(d.get("date_to")))
        self.goal.setPlainText(d.get("goal") or "")
        for t in d.get("plan") or []:
            self.add_task(t)
        for m in meetings:
            self.add_meeting(m)
        self.evaluation.setPlainText(d.get("evaluation") or "")
        self.update_warning()

    # --- mentees / warning -----------------------------------------------------------------------------------
    def _add_mentee_item(self, pid: int) -> None:
        it = QListWidgetItem(self.names.get(pid, str(pid)))
        it.setData(256, pid)
        self.mentees.addItem(it)

    def add_mentee(self) -> None:
        pid = self.mentee_picker.value().get("person_id")
        if pid is not None and pid not in self.mentee_ids():
            self._add_mentee_item(pid)
            self.mentee_picker.setCurrentIndex(0)
            self.update_warning()

    def mentee_ids(self) -> list[int]:
        return [self.mentees.item(i).data(256) for i in range(self.mentees.count())]

    def update_warning(self) -> None:
        pid = self.mentor.value().get("person_id")
        text = ""
        text_ok = ""
        if pid is not None:
            with self.factory() as s:
                current = set(pairs_svc.active_mentees(s, pid))
                if self.pair_id is not None and self.status == "active":
                    text = pairs_svc.load_warning(len(current), self.limit) or ""
                else:
                    text = pairs_svc.load_warning(len(current | set(self.mentee_ids())), self.limit) or ""
                if not text:
                    text_ok = f"Нагрузка наставника: {pairs_svc.mentor_load(s, pid)} из {self.limit}."
        self.warning.setStyleSheet(ERROR_STYLE if text else "")
        self.warning.setText(text or text_ok)

    # --- plan --------------------------------------------------------------------------------------------
    def add_task(self, t: dict) -> None:
        r = self.plan.rowCount()
        self.plan.insertRow(r)
        self.plan.setItem(r, 0, QTableWidgetItem(t.get("task") or ""))
        self.plan.setItem(r, 1, QTableWidgetItem(date_text(t.get("deadline"))))
        combo = QComboBox()
        for code, title in STATUS_CHOICES:
            combo.addItem(title, code)
        combo.setCurrentIndex(1 if t.get("status") == "done" else 0)
        self.plan.setCellWidget(r, 2, combo)
        self.plan.setItem(r, 3, QTableWidgetItem(t.get("criterion") or ""))

    def plan_tasks(self) -> list[dict]:
        return [
            {
                "task": cell(self.plan, r, 0),
                "deadline": date_cell(self.plan, r, 1),
                "status": self.plan.cellWidget(r, 2).currentData(),
                "criterion": cell(self.plan, r, 3),
            }
            for r in range(self.plan.rowCount())
        ]

    def fill_from_deficits(self) -> None:
        ids = self.mentee_ids()
        if not ids:
            self.plan_note.setText("Сначала добавьте наставляемого.")
            return
        added = 0
        with self.factory() as s:
            for mid in ids:
                for t in pairs_svc.plan_from_deficits(s, mid, parse_date(self.date_to.text() or None)):
                    self.add_task(t)
                    added += 1
        self.plan_note.setText(
            f"Добавлено задач по дефицитам: {added}."
            if added
            else "Дефицитов не найдено: нет диагностической карты или нулевых оценок."
        )

    # --- meetings ------------------------------------------------------------------------------------------
    def add_meeting(self, m: tuple) -> None:
        mid, d, dur, form, topic, notes, rating = m
        r = self.meetings.rowCount()
        self.meetings.insertRow(r)
        first = QTableWidgetItem(date_text(d))
        first.setData(256, mid)
        self.meetings.setItem(r, 0, first)
        self.meetings.setItem(r, 1, QTableWidgetItem("" if dur is None else str(dur)))
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItems(["", *pairs_svc.MEETING_FORMS])
        combo.setCurrentText(form or "")
        self.meetings.setCellWidget(r, 2, combo)
        self.meetings.setItem(r, 3, QTableWidgetItem(topic or ""))
        self.meetings.setItem(r, 4, QTableWidgetItem(notes or ""))
        self.meetings.setItem(r, 5, QTableWidgetItem("" if rating is None else str(rating)))

    def remove_meeting(self) -> None:
        r = self.meetings.currentRow()
        if r < 0:
            return
        mid = self.meetings.item(r, 0).data(256)
        if mid is not None:
            self.deleted_meetings.append(mid)
        self.meetings.removeRow(r)

    def meeting_rows(self) -> list[tuple[int | None, dict]]:
        out = []
        for r in range(self.meetings.rowCount()):
            d = date_cell(self.meetings, r, 0)
            out.append(
                (
                    self.meetings.item(r, 0).data(256),
                    {
                        "date": d,
                        "duration_min": _int_or_text(cell(self.meetings, r, 1)),
                        "form": self.meetings.cellWidget(r, 2).currentText(),
                        "topic": cell(self.meetings, r, 3),
                        "notes": cell(self.meetings, r, 4),
                        "rating": _int_or_text(cell(self.meetings, r, 5)),
                    },
                )
            )
        return out

    # --- save ----------------------------------------------------------------------------------------------
    def collect(self) -> dict:
        errors = {}
        dates = {}
        for key, w in (("date_from", self.date_from), ("date_to", self.date_to)):
            try:
                dates[key] = parse_date(w.text() or None)
            except ValueError as exc:
                errors[key] = str(exc)
        if errors:
            raise ValidationError(errors)
        return {
            "form_code": self.form.currentData() or "",
            "mentor_id": self.mentor.value().get("person_id"),
            "mentee_ids": self.mentee_ids(),
            **dates,
            "goal": self.goal.toPlainText(),
            "plan": self.plan_tasks(),
            "evaluation": self.evaluation.toPlainText(),
            "order_id": self.data.get("order_id"),
        }

    def collect_snapshot(self):
        try:
            data = self.collect()
        except ValidationError:
            data = {"invalid": True}
        return (repr(data), repr(self.meeting_rows()), tuple(self.deleted_meetings))

    def write(self) -> None:
        data = self.collect()
        with session_scope(self.factory) as s:
            pair = pairs_svc.get_pair(s, self.pair_id) if self.pair_id is not None else None
            pair = pairs_svc.save_pair(s, data, pair)
            existing = {m.id: m for m in pairs_svc.list_meetings(s, pair.id)}
            for mid in self.deleted_meetings:
                if mid in existing:
                    pairs_svc.delete_meeting(s, existing[mid])
            for i, (mid, m) in enumerate(self.meeting_rows()):
                try:
                    pairs_svc.save_meeting(s, pair, m, existing.get(mid) if mid is not None else None)
                except ValidationError as exc:
                    raise ValidationError(
                        {f"meetings[{i}]": f"Встреча {i + 1}: {msg}" for msg in exc.errors.values()}
                    ) from exc
            self.pair_id = pair.id


def _int_or_text(text: str):
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text
