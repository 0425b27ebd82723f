"""Protocol editor: «Заседание», «Присутствовали», «Повестка и решения»."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services.docs import orders as orders_svc
from moc_desktop.services.docs import protocols as svc
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalDateEdit, OptionalSpin, editable_combo, line
from moc_desktop.ui.person_picker import PersonPicker


def _lines(text: str) -> list[str]:
    return [t.strip() for t in text.splitlines() if t.strip()]


def _speeches_to_text(items: list[dict]) -> str:
    return "\n".join(f"{s.get('who', '')} — {s.get('text', '')}".strip(" —") for s in items or [])


def _text_to_speeches(text: str) -> list[dict]:
    out = []
    for line_ in _lines(text):
        who, sep, rest = line_.partition(" — ")
        out.append({"who": who.strip(), "text": rest.strip()} if sep else {"who": "", "text": line_})
    return out


class ProtocolDialog(EditorDialog):
    def __init__(self, factory, protocol_id: int | None, parent=None):
        super().__init__("Новый протокол" if protocol_id is None else "Протокол", parent)
        self.resize(1000, 680)
        self.factory = factory
        self.protocol_id = protocol_id
        with factory() as s:
            self.people = orders_svc.person_choices(s)
            p = svc.get_protocol(s, protocol_id) if protocol_id else None
            d = svc.protocol_data(p) if p else svc.new_protocol_data(s)
            self.status = p.status if p else "draft"
            self.number = p.number if p else None
        self._build_meeting(d)
        self._build_attendees(d)
        self._build_agenda(d)
        self.take_snapshot()

    def _build_meeting(self, d: dict) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Номер:", QLabel(str(self.number) if self.number else "будет присвоен при оформлении"))
        self.body = editable_combo(svc.BODIES, d.get("body", ""))
        self.body.setObjectName("body")
        self.errors.add_row(form, "body", "Орган*", self.body)
        self.date = OptionalDateEdit()
        self.date.set_value(d.get("date"))
        self.errors.add_row(form, "date", "Дата*", self.date)
        self.place = line(d.get("place", ""))
        form.addRow("Место проведения", self.place)
        self.topic = line(d.get("title", ""), "тема заседания (необязательно)")
        form.addRow("Тема", self.topic)
        self.chair = PersonPicker(self.people)
        self.chair.set_value(d.get("chair"))
        self.errors.add_row(form, "chair", "Председатель*", self.chair)
        self.secretary = PersonPicker(self.people)
        self.secretary.set_value(d.get("secretary"))
        self.errors.add_row(form, "secretary", "Секретарь*", self.secretary)
        self.members_total = OptionalSpin(500)
        self.members_total.set_value(d.get("members_total"))
        self.errors.add_row(form, "members_total", "Членов органа (для кворума)", self.members_total)
        for f in ("body", "date", "chair", "secretary", "members_total"):
            self.field_tab[f] = 0
        self.tabs.addTab(page, "Заседание")

    def _build_attendees(self, d: dict) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.attendees = QTableWidget(0, 2)
        self.attendees.setObjectName("attendees")
        self.attendees.setHorizontalHeaderLabels(("ФИО", "Должность (если отличается)"))
        self.attendees.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.attendees.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for a in d.get("attendees", []):
            self.add_attendee(a)
        lay.addWidget(self.attendees, 1)
        row = QHBoxLayout()
        add = QPushButton("Добавить")
        add.clicked.connect(lambda: self.add_attendee({}))
        rm = QPushButton("Удалить строку")
        rm.clicked.connect(lambda: self.attendees.removeRow(self.attendees.currentRow()))
        row.addWidget(add)
        row.addWidget(rm)
        row.addStretch(1)
        lay.addLayout(row)
        self.quorum_label = QLabel()
        self.quorum_label.setObjectName("quorum")
        lay.addWidget(self.quorum_label)
        self.members_total.valueChanged.connect(lambda _v: self._update_quorum())
        self.attendees.model().rowsInserted.connect(lambda *_a: self._update_quorum())
        self.attendees.model().rowsRemoved.connect(lambda *_a: self._update_quorum())
        self._update_quorum()
        self.tabs.addTab(page, "Присутствовали")

    def add_attendee(self, a: dict) -> None:
        r = self.attendees.rowCount()
        self.attendees.insertRow(r)
        picker = PersonPicker(self.people)
        picker.set_value(a)
        self.attendees.setCellWidget(r, 0, picker)
        self.attendees.setItem(r, 1, QTableWidgetItem(a.get("post", "")))

    def attendees_data(self) -> list[dict]:
        out = []
        for r in range(self.attendees.rowCount()):
            ref = self.attendees.cellWidget(r, 0).value()
            post = self.attendees.item(r, 1).text().strip() if self.attendees.item(r, 1) else ""
            if post:
                ref["post"] = post
            if ref:
                out.append(ref)
        return out

    def _update_quorum(self) -> None:
        present = self.attendees.rowCount()
        q = svc.quorum(present, self.members_total.value_or_none())
        if q is None:
            self.quorum_label.setText(
                f"Присутствуют: {present}. Укажите число членов органа, чтобы проверить кворум."
            )
        else:
            has, share = q
            self.quorum_label.setText(
                f"Присутствуют {present} из {self.members_total.value()} ({share * 100:.0f} %): "
                + ("кворум имеется." if has else "кворума НЕТ.")
            )

    def _build_agenda(self, d: dict) -> None:
        page = QWidget()
        lay = QHBoxLayout(page)
        left = QVBoxLayout()
        self.agenda_list = QListWidget()
        self.agenda_list.setObjectName("agenda")
        left.addWidget(QLabel("Повестка дня"))
        left.addWidget(self.agenda_list, 1)
        add = QPushButton("Добавить вопрос")
        add.clicked.connect(lambda: self.add_question({"title": "Новый вопрос"}))
        rm = QPushButton("Удалить вопрос")
        rm.clicked.connect(self._remove_question)
        left.addWidget(add)
        left.addWidget(rm)
        err = QLabel()
        left.addWidget(err)
        self.errors.add_label("agenda", err, self.agenda_list)
        self.field_tab["agenda"] = 2
        lay.addLayout(left, 1)
        form_w = QWidget()
        form = QFormLayout(form_w)
        self.q_title = QLineEdit()
        self.q_speaker = PersonPicker(self.people)
        self.q_listened = QPlainTextEdit()
        self.q_listened.setPlaceholderText(
            "Иванова М.П. — о результатах диагностики …  (по строке на выступающего)"
        )
        self.q_spoke = QPlainTextEdit()
        self.q_decided = QPlainTextEdit()
        self.q_decided.setPlaceholderText("По одному решению в строке")
        self.q_voted = QCheckBox("Проводилось голосование")
        self.q_for, self.q_against, self.q_abst = QSpinBox(), QSpinBox(), QSpinBox()
        for sp in (self.q_for, self.q_against, self.q_abst):
            sp.setRange(0, 500)
        votes = QHBoxLayout()
        for label, sp in (("за", self.q_for), ("против", self.q_against), ("воздержались", self.q_abst)):
            votes.addWidget(QLabel(label))
            votes.addWidget(sp)
        votes_w = QWidget()
        votes_w.setLayout(votes)
        form.addRow("Вопрос", self.q_title)
        form.addRow("Докладчик", self.q_speaker)
        form.addRow("СЛУШАЛИ", self.q_listened)
        form.addRow("ВЫСТУПИЛИ", self.q_spoke)
        form.addRow("ПОСТАНОВИЛИ", self.q_decided)
        form.addRow(self.q_voted)
        form.addRow("Голосовали", votes_w)
        lay.addWidget(form_w, 3)
        self.questions: list[dict] = []
        self._shown = -1
        for a in d.get("agenda", []):
            self.add_question(a)
        self.agenda_list.currentRowChanged.connect(self._show_question)
        if self.questions:
            self.agenda_list.setCurrentRow(0)
        self.tabs.addTab(page, "Повестка и решения")

    def add_question(self, a: dict) -> None:
        self._store_question()
        self.questions.append(dict(a))
        self.agenda_list.addItem(f"{len(self.questions)}. {a.get('title', '')}")
        self.agenda_list.setCurrentRow(len(self.questions) - 1)

    def _remove_question(self) -> None:
        i = self.agenda_list.currentRow()
        if i < 0:
            return
        self._shown = -1
        del self.questions[i]
        self.agenda_list.takeItem(i)
        self._renumber()

    def _renumber(self) -> None:
        for k, q in enumerate(self.questions):
            self.agenda_list.item(k).setText(f"{k + 1}. {q.get('title', '')}")

    def _show_question(self, i: int) -> None:
        self._store_question()
        self._shown = i
        if i < 0 or i >= len(self.questions):
            return
        q = self.questions[i]
        self.q_title.setText(q.get("title", ""))
        self.q_speaker.set_value(q.get("speaker"))
        self.q_listened.setPlainText(_speeches_to_text(q.get("listened") or []))
        self.q_spoke.setPlainText(_speeches_to_text(q.get("spoke") or []))
        self.q_decided.setPlainText("\n".join(q.get("decided") or []))
        v = q.get("votes")
        self.q_voted.setChecked(bool(v))
        self.q_for.setValue(int((v or {}).get("for") or 0))
        self.q_against.setValue(int((v or {}).get("against") or 0))
        self.q_abst.setValue(int((v or {}).get("abstained") or 0))

    def _store_question(self) -> None:
        i = self._shown
        if i < 0 or i >= len(self.questions):
            return
        q = self.questions[i]
        q.update(
            {
                "title": self.q_title.text().strip(),
                "speaker": self.q_speaker.value(),
                "listened": _text_to_speeches(self.q_listened.toPlainText()),
                "spoke": _text_to_speeches(self.q_spoke.toPlainText()),
                "decided": _lines(self.q_decided.toPlainText()),
                "votes": {
                    "for": self.q_for.value(),
                    "against": self.q_against.value(),
                    "abstained": self.q_abst.value(),
                }
                if self.q_voted.isChecked()
                else None,
            }
        )
        self._renumber()

    def protocol_data(self) -> dict:
        self._store_question()
        return {
            "body": self.body.currentText().strip(),
            "date": self.date.value(),
            "place": self.place.text(),
            "title": self.topic.text(),
            "chair": self.chair.value(),
            "secretary": self.secretary.value(),
            "members_total": self.members_total.value_or_none(),
            "attendees": self.attendees_data(),
            "agenda": [dict(q) for q in self.questions],
        }

    def collect_snapshot(self):
        return repr(self.protocol_data())

    def write(self) -> None:
        data = self.protocol_data()
        with session_scope(self.factory) as s:
            p = svc.get_protocol(s, self.protocol_id) if self.protocol_id else None
            p = svc.save_protocol(s, data, p)
            self.protocol_id = p.id
