"""School partnership editor: schools and period, the agreement, the joint roadmap, the log of interactions."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
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
from moc_desktop.services.common import ValidationError, format_date, parse_date
from moc_desktop.services.docs.common import from_iso, iso
from moc_desktop.services.mentoring import partnerships as svc
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalDateEdit, editable_combo, line

ROADMAP_COLS = ("Что", "Когда", "Кто", "Ожидаемый результат", "Статус")
EVENT_COLS = ("Дата", "Форма", "Тема", "Участников", "Результат")
ROADMAP_STATUS_TITLES = {"planned": "запланировано", "done": "выполнено", "cancelled": "отменено"}


def _cell(t: QTableWidget, r: int, c: int) -> str:
    it = t.item(r, c)
    return it.text().strip() if it else ""


def _rows_table(cols, parent_layout, add_text: str) -> QTableWidget:
    t = QTableWidget(0, len(cols))
    t.setHorizontalHeaderLabels(cols)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    parent_layout.addWidget(t, 1)
    row = QHBoxLayout()
    add = QPushButton(add_text)
    add.clicked.connect(lambda: t.insertRow(t.rowCount()))
    rm = QPushButton("Удалить строку")
    rm.clicked.connect(lambda: t.removeRow(t.currentRow()))
    row.addWidget(add)
    row.addWidget(rm)
    row.addStretch(1)
    parent_layout.addLayout(row)
    return t


class PartnershipDialog(EditorDialog):
    def __init__(self, factory, partnership_id: int | None, parent=None):
        super().__init__("Новое партнёрство школ" if partnership_id is None else "Партнёрство школ", parent)
        self.resize(980, 640)
        self.factory = factory
        self.partnership_id = partnership_id
        with factory() as s:
            choices = schools_svc.school_choices(s)
            p = svc.get_partnership(s, partnership_id) if partnership_id else None
            d = svc.partnership_data(p) if p else svc.new_partnership_data()
            events = svc.list_events(s, partnership_id) if partnership_id else []
            self._events = [(e.id, e.date, e.format, e.topic, e.participants, e.result) for e in events]
        page = QWidget()
        form = QFormLayout(page)
        self.mentor = self._school_combo(choices, d["mentor_school_id"])
        self.mentee = self._school_combo(choices, d["mentee_school_id"])
        self.errors.add_row(form, "mentor_school_id", "Школа-«наставник»*", self.mentor)
        self.errors.add_row(form, "mentee_school_id", "Школа с низкими результатами*", self.mentee)
        self.date_from, self.date_to = OptionalDateEdit(), OptionalDateEdit()
        self.date_from.set_value(d["date_from"])
        self.date_to.set_value(d["date_to"])
        self.errors.add_row(form, "date_from", "Начало", self.date_from)
        self.errors.add_row(form, "date_to", "Окончание", self.date_to)
        self.kind = editable_combo(svc.AGREEMENT_KINDS, d["agreement_kind"])
        self.number = line(d["agreement_number"])
        self.agreement_date = OptionalDateEdit()
        self.agreement_date.set_value(d["agreement_date"])
        self.file = line(d["agreement_file"], "путь к скану соглашения")
        pick = QPushButton("Выбрать файл…")
        pick.clicked.connect(self._pick_file)
        file_row = QWidget()
        fr = QHBoxLayout(file_row)
        fr.setContentsMargins(0, 0, 0, 0)
        fr.addWidget(self.file, 1)
        fr.addWidget(pick)
        self.errors.add_row(form, "agreement_kind", "Документ", self.kind)
        self.errors.add_row(form, "agreement_number", "Номер", self.number)
        self.errors.add_row(form, "agreement_date", "Дата", self.agreement_date)
        form.addRow("Файл", file_row)
        self.status = QComboBox()
        for code, title in svc.STATUSES.items():
            self.status.addItem(title, code)
        self.status.setCurrentIndex(max(self.status.findData(d["status"]), 0))
        form.addRow("Статус", self.status)
        self.note = line(d["note"])
        form.addRow("Примечание", self.note)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        form.addRow("", self.warning)
        self.tabs.addTab(page, "Партнёрство")
        for f in (
            "mentor_school_id",
            "mentee_school_id",
            "date_from",
            "date_to",
            "agreement_kind",
            "agreement_number",
            "agreement_date",
        ):
            self.field_tab[f] = 0

        rm_page = QWidget()
        rl = QVBoxLayout(rm_page)
        rl.addWidget(QLabel("Совместная дорожная карта: что, когда, кто, ожидаемый результат."))
        self.roadmap = _rows_table(ROADMAP_COLS, rl, "Добавить мероприятие")
        for item in d["roadmap"]:
            r = self.roadmap.rowCount()
            self.roadmap.insertRow(r)
            when = item.get("when", "")
            when_text = format_date(from_iso(when)) or when if isinstance(when, str) else format_date(when)
            values = (
                item.get("what", ""),
                when_text,
                item.get("who", ""),
                item.get("expected", ""),
                ROADMAP_STATUS_TITLES.get(item.get("status", "planned"), "запланировано"),
            )
            for c, v in enumerate(values):
                self.roadmap.setItem(r, c, QTableWidgetItem(v))
        err = QLabel()
        rl.addWidget(err)
        self.errors.add_label("roadmap", err, self.roadmap)
        self.field_tab["roadmap"] = 1
        self.tabs.addTab(rm_page, "Дорожная карта")

        ev_page = QWidget()
        el = QVBoxLayout(ev_page)
        el.addWidget(QLabel("Журнал взаимодействия. Формы: " + ", ".join(svc.EVENT_FORMATS) + "."))
        self.events = _rows_table(EVENT_COLS, el, "Добавить мероприятие")
        for _eid, dt, fmt, topic, n, result in self._events:
            r = self.events.rowCount()
            self.events.insertRow(r)
            for c, v in enumerate((format_date(dt), fmt, topic, "" if n is None else str(n), result)):
                self.events.setItem(r, c, QTableWidgetItem(v))
        err2 = QLabel()
        el.addWidget(err2)
        self.errors.add_label("events", err2, self.events)
        self.field_tab["events"] = 2
        self.tabs.addTab(ev_page, "Взаимодействие")
        self.take_snapshot()

    @staticmethod
    def _school_combo(choices, current) -> QComboBox:
        c = QComboBox()
        c.addItem("— выберите школу —", None)
        for sid, name in choices:
            c.addItem(name, sid)
        c.setCurrentIndex(max(c.findData(current), 0))
        return c

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Скан соглашения", "", "Документы (*.pdf *.docx *.jpg *.png);;Все файлы (*)"
        )
        if path:
            self.file.setText(path)

    def data(self) -> tuple[dict, list[dict], dict]:
        errors: dict[str, str] = {}
        status_codes = {v: k for k, v in ROADMAP_STATUS_TITLES.items()}
        roadmap = []
        for r in range(self.roadmap.rowCount()):
            what = _cell(self.roadmap, r, 0)
            if not what:
                continue
            when = _cell(self.roadmap, r, 1)
            try:
                when_value = iso(parse_date(when)) or ""
            except ValueError:
                when_value = when  # free text («в течение года»)
            roadmap.append(
                {
                    "what": what,
                    "when": when_value,
                    "who": _cell(self.roadmap, r, 2),
                    "expected": _cell(self.roadmap, r, 3),
                    "status": status_codes.get(_cell(self.roadmap, r, 4), "planned"),
                }
            )
        events = []
        for r in range(self.events.rowCount()):
            if not any(_cell(self.events, r, c) for c in range(len(EVENT_COLS))):
                continue
            try:
                dt = parse_date(_cell(self.events, r, 0))
            except ValueError as exc:
                errors["events"] = f"Строка {r + 1}: {exc}"
                dt = None
            n = _cell(self.events, r, 3)
            events.append(
                {
                    "date": dt,
                    "format": _cell(self.events, r, 1),
                    "topic": _cell(self.events, r, 2),
                    "participants": int(n) if n.isdigit() else None,
                    "result": _cell(self.events, r, 4),
                }
            )
        data = {
            "mentor_school_id": self.mentor.currentData(),
            "mentee_school_id": self.mentee.currentData(),
            "date_from": self.date_from.value(),
            "date_to": self.date_to.value(),
            "order_id": None,
            "agreement_kind": self.kind.currentText(),
            "agreement_number": self.number.text(),
            "agreement_date": self.agreement_date.value(),
            "agreement_file": self.file.text(),
            "status": self.status.currentData(),
            "roadmap": roadmap,
            "note": self.note.text(),
        }
        return data, events, errors

    def collect_snapshot(self):
        return repr(self.data()[:2])

    def write(self) -> None:
        data, events, errors = self.data()
        for i, e in enumerate(events):
            for k, msg in svc.validate_event(e).items():
                errors.setdefault("events", f"Строка {i + 1}: {msg}")
                del k
        if errors:
            raise ValidationError(errors)
        with session_scope(self.factory) as s:
            p = svc.get_partnership(s, self.partnership_id) if self.partnership_id else None
            p = svc.save_partnership(s, data, p)
            for old in svc.list_events(s, p.id):  # the log is edited as a whole
                svc.delete_event(s, old)
            for e in events:
                svc.save_event(s, p, e)
            self.partnership_id = p.id
