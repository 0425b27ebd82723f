"""Dialogs of the «Психолог» area: a journal entry, a client code card, a client's history.

Everything goes through ``services.psych`` with the signed-in :class:`Principal`; confidential texts are shown only
inside these dialogs (the list never holds them)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QRegularExpression, Qt
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services.auth import Principal
from moc_desktop.services.common import format_date
from moc_desktop.services.psych import clients as clients_svc
from moc_desktop.services.psych import journal
from moc_desktop.services.schools import school_choices
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalDateEdit

NO_SCHOOL = "— МОЦ / без школы —"
TEXT_FIELDS = (
    ("request", "Запрос"),
    ("result", "Результат"),
    ("recommendations", "Рекомендации"),
    ("notes", "Примечание"),
)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def school_combo(factory, current: int | None = None):
    """A combo of the schools of the registry, first item «— МОЦ / без школы —» (data None)."""
    from PySide6.QtWidgets import QComboBox

    c = QComboBox()
    c.addItem(NO_SCHOOL, None)
    with factory() as s:
        for sid, name in school_choices(s):
            c.addItem(name, sid)
    c.setCurrentIndex(max(c.findData(current), 0) if current is not None else 0)
    return c


def dict_combo(items: dict[str, str], current: str | None = None):
    from PySide6.QtWidgets import QComboBox

    c = QComboBox()
    for code, title in items.items():
        c.addItem(title, code)
    if current is not None:
        c.setCurrentIndex(max(c.findData(current), 0))
    return c


def _text_edit(text: str = "") -> QPlainTextEdit:
    e = QPlainTextEdit(text)
    e.setTabChangesFocus(True)
    e.setMinimumHeight(70)
    return e


class SessionDialog(EditorDialog):
    """One journal entry. A new entry (``uuid`` None) or an existing one: it is read through
    ``journal.open_session``, which writes the «open» audit row."""

    def __init__(
        self,
        factory,
        user: Principal,
        uuid: str | None = None,
        parent: QWidget | None = None,
        known_codes: list[str] | None = None,
        data: journal.SessionData | None = None,
    ):
        super().__init__("Запись журнала" if uuid else "Новая запись журнала", parent)
        self.factory = factory
        self.user = user
        self.uuid = uuid
        if uuid is not None and data is None:
            with session_scope(factory) as s:
                data = journal.open_session(s, user, uuid)
        if data is None:
            data = journal.SessionData(held_on=date.today(), kind="consultation", client_category="pupil")
        self.data = data
        self._build(known_codes or [])
        self._fill(data)
        self.take_snapshot()
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.save)

    # --- layout ---------------------------------------------------------------------------------------------
    def _build(self, codes: list[str]) -> None:
        facts = QWidget()
        form = QFormLayout(facts)
        form.setContentsMargins(0, 0, 0, 0)
        e = self.errors
        self.held_on = QDateEdit()
        self.held_on.setDisplayFormat("dd.MM.yyyy")
        self.held_on.setCalendarPopup(True)
        e.add_row(form, "held_on", "Дата:", self.held_on)
        self.start_time = QLineEdit()
        self.start_time.setPlaceholderText("ЧЧ:ММ")
        self.start_time.setMaxLength(5)
        self.start_time.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^\d{0,2}(:\d{0,2})?$"), self.start_time)
        )
        e.add_row(form, "start_time", "Время:", self.start_time)
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSuffix(" мин")
        e.add_row(form, "duration_min", "Длительность:", self.duration)
        self.school = school_combo(self.factory)
        e.add_row(form, "school_id", "Школа:", self.school)
        self.category = dict_combo(journal.CATEGORIES)
        self.category.currentIndexChanged.connect(self._sync_enabled)
        e.add_row(form, "client_category", "Категория:", self.category)
        self.client_class = QLineEdit()
        self.client_class.setPlaceholderText("например, 7Б")
        self.client_class.setMaxLength(10)
        e.add_row(form, "client_class", "Класс:", self.client_class)
        code_row = QWidget()
        h = QHBoxLayout(code_row)
        h.setContentsMargins(0, 0, 0, 0)
        self.code = QLineEdit()
        self.code.setMaxLength(32)
        self.code.setPlaceholderText("код клиента, например О-0001")
        completer = QCompleter(sorted(set(codes)), self.code)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.code.setCompleter(completer)
        self.new_code_button = QPushButton("Новый код")
        self.new_code_button.clicked.connect(self.new_code)
        h.addWidget(self.code, 1)
        h.addWidget(self.new_code_button)
        e.add_row(form, "client_code", "Код:", code_row)
        self.form = dict_combo(journal.FORMS)
        self.form.currentIndexChanged.connect(self._sync_enabled)
        e.add_row(form, "form", "Форма:", self.form)
        self.group_size = QSpinBox()
        self.group_size.setRange(1, 500)
        e.add_row(form, "group_size", "Участников:", self.group_size)
        self.kind = dict_combo(journal.KINDS)
        e.add_row(form, "kind", "Вид работы:", self.kind)
        self.follow_up = OptionalDateEdit()
        e.add_row(form, "follow_up_on", "Повторная встреча:", self.follow_up)
        texts = QWidget()
        tform = QFormLayout(texts)
        tform.setContentsMargins(0, 0, 0, 0)
        self.texts: dict[str, QPlainTextEdit] = {}
        for field, label in TEXT_FIELDS:
            self.texts[field] = _text_edit()
            e.add_row(tform, field, f"{label}:", self.texts[field])
        page = QWidget()
        h2 = QHBoxLayout(page)
        h2.addWidget(facts, 2)
        h2.addWidget(texts, 3)
        self.tabs.addTab(page, "Запись")
        self.tabs.tabBar().setVisible(False)
        self.resize(1040, 620)

    def _fill(self, d: journal.SessionData) -> None:
        self.held_on.setDate(_qdate(d.held_on))
        self.start_time.setText(d.start_time)
        self.duration.setValue(d.duration_min)
        self.school.setCurrentIndex(max(self.school.findData(d.school_id), 0) if d.school_id else 0)
        self.category.setCurrentIndex(max(self.category.findData(d.client_category), 0))
        self.client_class.setText(d.client_class)
        self.code.setText(d.client_code)
        self.form.setCurrentIndex(max(self.form.findData(d.form), 0))
        self.group_size.setValue(d.group_size)
        self.kind.setCurrentIndex(max(self.kind.findData(d.kind), 0))
        self.follow_up.set_value(d.follow_up_on)
        for field, _label in TEXT_FIELDS:
            self.texts[field].setPlainText(getattr(d, field))
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        self.client_class.setEnabled(self.category.currentData() == "pupil")
        self.group_size.setEnabled(self.form.currentData() == "group")

    # --- behaviour ------------------------------------------------------------------------------------------
    def new_code(self) -> None:
        with self.factory() as s:
            self.code.setText(clients_svc.next_code(s, self.category.currentData()))

    def collect(self) -> journal.SessionData:
        pupil = self.category.currentData() == "pupil"
        group = self.form.currentData() == "group"
        return journal.SessionData(
            uuid=self.uuid,
            held_on=_pydate(self.held_on.date()),
            start_time=self.start_time.text().strip(),
            duration_min=self.duration.value(),
            school_id=self.school.currentData(),
            client_category=self.category.currentData(),
            client_class=self.client_class.text().strip() if pupil else "",
            client_code=self.code.text().strip(),
            form=self.form.currentData(),
            group_size=self.group_size.value() if group else 1,
            kind=self.kind.currentData(),
            request=self.texts["request"].toPlainText().strip(),
            result=self.texts["result"].toPlainText().strip(),
            recommendations=self.texts["recommendations"].toPlainText().strip(),
            notes=self.texts["notes"].toPlainText().strip(),
            follow_up_on=self.follow_up.value(),
        )

    def collect_snapshot(self):
        return self.collect()

    def write(self) -> None:
        with session_scope(self.factory) as s:
            self.uuid = journal.save_session(s, self.user, self.collect())


class ClientDialog(EditorDialog):
    """A line of the code table: code ↔ person (optional; stored encrypted)."""

    def __init__(
        self,
        factory,
        user: Principal,
        code: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__("Клиент" if code else "Новый клиент", parent)
        self.resize(620, 560)
        self.factory = factory
        self.user = user
        if code is not None:
            with session_scope(factory) as s:
                data = clients_svc.open_client(s, user, code)
        else:
            data = clients_svc.ClientData(code="")
        self.data = data
        w = QWidget()
        form = QFormLayout(w)
        e = self.errors
        self.category = dict_combo(journal.CATEGORIES, data.category)
        e.add_row(form, "category", "Категория:", self.category)
        code_row = QWidget()
        h = QHBoxLayout(code_row)
        h.setContentsMargins(0, 0, 0, 0)
        self.code = QLineEdit(data.code)
        self.code.setMaxLength(32)
        self.next_button = QPushButton("Следующий код")
        self.next_button.clicked.connect(self.next_code)
        h.addWidget(self.code, 1)
        h.addWidget(self.next_button)
        e.add_row(form, "code", "Код:", code_row)
        self.full_name = QLineEdit(data.full_name)
        e.add_row(form, "full_name", "ФИО:", self.full_name)
        self.birth_date = OptionalDateEdit()
        self.birth_date.set_value(data.birth_date)
        e.add_row(form, "birth_date", "Дата рождения:", self.birth_date)
        self.class_name = QLineEdit(data.class_name)
        self.class_name.setMaxLength(10)
        e.add_row(form, "class_name", "Класс:", self.class_name)
        self.school = school_combo(factory, data.school_id)
        e.add_row(form, "school_id", "Школа:", self.school)
        self.contacts = QLineEdit(data.contacts)
        e.add_row(form, "contacts", "Контакты:", self.contacts)
        self.note = _text_edit(data.note)
        e.add_row(form, "note", "Примечание:", self.note)
        self.tabs.addTab(w, "Клиент")
        self.tabs.tabBar().setVisible(False)
        if code is None:
            self.next_code()
        self.take_snapshot()
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.save)

    def next_code(self) -> None:
        with self.factory() as s:
            self.code.setText(clients_svc.next_code(s, self.category.currentData()))

    def collect(self) -> clients_svc.ClientData:
        return clients_svc.ClientData(
            code=self.code.text().strip(),
            category=self.category.currentData(),
            school_id=self.school.currentData(),
            full_name=" ".join(self.full_name.text().split()),
            birth_date=self.birth_date.value(),
            class_name=self.class_name.text().strip(),
            contacts=self.contacts.text().strip(),
            note=self.note.toPlainText().strip(),
            uuid=self.data.uuid,
        )

    def collect_snapshot(self):
        return self.collect()

    def write(self) -> None:
        with session_scope(self.factory) as s:
            clients_svc.save_client(s, self.user, self.collect())


def history_html(entries: list[journal.SessionData]) -> str:
    """The history of one code as HTML: each entry (oldest first) with its facts and texts."""
    parts = []
    for i, d in enumerate(entries):
        facts = ", ".join(
            x
            for x in (
                format_date(d.held_on) + (f" {d.start_time}" if d.start_time else ""),
                journal.KINDS.get(d.kind, d.kind),
                journal.FORMS.get(d.form, d.form),
                d.school_name or "МОЦ / без школы",
                d.client_class,
                d.psychologist,
            )
            if x
        )
        body = [f'<a name="e{i}"></a><h3>{i + 1}. {html.escape(facts)}</h3>']
        for field, label in TEXT_FIELDS:
            text = getattr(d, field)
            if text:
                body.append(f"<p><b>{label}:</b><br>{html.escape(text).replace(chr(10), '<br>')}</p>")
        if d.follow_up_on:
            body.append(f"<p><b>Повторная встреча:</b> {format_date(d.follow_up_on)}</p>")
        parts.append("".join(body))
    return "<hr>".join(parts) or "<p>Записей с этим кодом нет.</p>"


class ClientHistoryDialog(QDialog):
    """All entries of one client code (``journal.client_history``), oldest first, read-only."""

    def __init__(
        self,
        factory,
        user: Principal,
        code: str,
        parent: QWidget | None = None,
        open_entry: Callable[[str], object] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"История клиента {code}")
        self.resize(900, 640)
        self.factory, self.user, self.code = factory, user, code
        self.open_entry = open_entry
        with session_scope(factory) as s:
            self.entries = journal.client_history(s, user, code)
        self.header = QLabel(f"Код {code}: записей — {len(self.entries)}.")
        self.list = QListWidget()
        for i, d in enumerate(self.entries):
            it = QListWidgetItem(f"{format_date(d.held_on)} — {journal.KINDS.get(d.kind, d.kind)}")
            it.setData(Qt.ItemDataRole.UserRole, i)
            self.list.addItem(it)
        self.list.currentRowChanged.connect(self._scroll_to)
        self.list.itemDoubleClicked.connect(lambda _it: self.open_selected())
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setHtml(history_html(self.entries))
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.text)
        split.setStretchFactor(1, 3)
        split.setSizes([240, 640])
        self.open_button = QPushButton("Открыть запись…")
        self.open_button.clicked.connect(self.open_selected)
        self.open_button.setEnabled(bool(self.entries) and open_entry is not None)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Закрыть")
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.open_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(self.header)
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        if self.entries:
            self.list.setCurrentRow(0)

    def _scroll_to(self, row: int) -> None:
        if row >= 0:
            self.text.scrollToAnchor(f"e{row}")

    def selected(self) -> journal.SessionData | None:
        r = self.list.currentRow()
        return self.entries[r] if 0 <= r < len(self.entries) else None

    def open_selected(self) -> None:
        d = self.selected()
        if d is not None and d.uuid and self.open_entry is not None:
            self.open_entry(d.uuid)
