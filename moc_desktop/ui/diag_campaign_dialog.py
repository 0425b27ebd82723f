"""Editor of a diagnostic campaign: title, school year, stage, dates, basis (an order of the register or text),
the schools covered (their teachers get cards)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import schools as schools_svc
from moc_desktop.services.common import current_school_year, fold, format_date, previous_school_years
from moc_desktop.services.diagnostics import analytics, cards
from moc_desktop.services.docs import orders as orders_svc
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalDateEdit, editable_combo, line


class CampaignDialog(EditorDialog):
    def __init__(self, factory, campaign_id: int | None = None, parent=None):
        super().__init__("Новая диагностика" if campaign_id is None else "Диагностика", parent)
        self.resize(860, 620)
        self.factory = factory
        self.campaign_id = campaign_id
        with factory() as s:
            camp = cards.get_campaign(s, campaign_id) if campaign_id else None
            version = camp.template_version if camp else None
            self.tpl = cards.template(s, version)
            self.orders = [o for o in orders_svc.list_orders(s) if o.status_code == "signed"]
            self.schools = schools_svc.list_schools(s)
            d = {
                "title": camp.title if camp else "",
                "school_year": camp.school_year if camp else current_school_year(),
                "stage": camp.stage if camp else "entry",
                "date_from": camp.date_from if camp else None,
                "date_to": camp.date_to if camp else None,
                "order_id": camp.order_id if camp else None,
                "basis": camp.basis if camp else "",
                "school_ids": cards.campaign_school_ids(camp) if camp else [],
                "note": camp.note if camp else "",
            }
            if camp is not None:
                self.setWindowTitle(f"Диагностика — {camp.title}")
        self._build_general(d)
        self._build_schools(d)
        self.take_snapshot()

    # --- tabs -------------------------------------------------------------------------------------------------
    def _build_general(self, d: dict) -> None:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        self.title_edit = line(d["title"], "Входная диагностика профессиональных компетенций педагогов")
        self.title_edit.setObjectName("title")
        self.errors.add_row(form, "title", "Название*", self.title_edit)
        cur = current_school_year()
        nxt = cur.split("/")[1]
        years = [*previous_school_years(cur, 3), f"{nxt}/{int(nxt) + 1}"]
        self.year = editable_combo(sorted(set(years) | {d["school_year"]}, reverse=True), d["school_year"])
        self.year.setObjectName("school_year")
        self.errors.add_row(form, "school_year", "Учебный год*", self.year)
        self.stage = QComboBox()
        self.stage.setObjectName("stage")
        for code in cards.STAGE_ORDER:
            self.stage.addItem(f"{cards.STAGES[code]} диагностика", code)
        self.stage.setCurrentIndex(max(self.stage.findData(d["stage"]), 0))
        self.errors.add_row(form, "stage", "Этап*", self.stage)
        self.date_from = OptionalDateEdit()
        self.date_from.set_value(d["date_from"])
        self.date_to = OptionalDateEdit()
        self.date_to.set_value(d["date_to"])
        dates = QHBoxLayout()
        dates.addWidget(QLabel("с"))
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("по"))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        box = QWidget()
        box.setLayout(dates)
        dates.setContentsMargins(0, 0, 0, 0)
        self.errors.add_row(form, "date_to", "Сроки проведения", box)

        self.by_order = QRadioButton("Приказ из журнала")
        self.by_text = QRadioButton("Другое основание (текстом)")
        group = QButtonGroup(self)
        group.addButton(self.by_order)
        group.addButton(self.by_text)
        self.order = QComboBox()
        self.order.setObjectName("order")
        self.order.addItem("", None)
        for o in self.orders:
            self.order.addItem(f"№ {o.number_text} от {format_date(o.date)} «{o.title}»", o.id)
        self.order.setMinimumContentsLength(40)
        self.order.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        if d["order_id"] is not None and self.order.findData(d["order_id"]) < 0:
            self.order.addItem("(приказ не найден среди подписанных)", d["order_id"])
        self.order.setCurrentIndex(max(self.order.findData(d["order_id"]), 0))
        self.basis = QLineEdit(d["basis"])
        self.basis.setObjectName("basis")
        self.basis.setPlaceholderText("например, план работы МОЦ на учебный год, п. 3.2")
        (
            self.by_order if d["order_id"] is not None or (self.orders and not d["basis"]) else self.by_text
        ).setChecked(True)
        self.by_order.toggled.connect(self._basis_mode)
        form.addRow(QLabel("<b>Основание проведения</b>"))
        form.addRow(self.by_order, self.order)
        form.addRow(self.by_text, self.basis)
        if not self.orders:
            self.order.setToolTip("В журнале нет подписанных приказов.")
        self._basis_mode()
        self.note = QPlainTextEdit(d["note"])
        self.note.setObjectName("note")
        self.note.setMaximumHeight(80)
        form.addRow("Примечание", self.note)
        form.addRow(
            "Версия карты",
            QLabel(f"{self.tpl.version}: {self.tpl.title}" if self.tpl.title else str(self.tpl.version)),
        )
        for f in ("title", "school_year", "stage", "date_to"):
            self.field_tab[f] = 0
        self.tabs.addTab(page, "Основное")

    def _basis_mode(self) -> None:
        self.order.setEnabled(self.by_order.isChecked())
        self.basis.setEnabled(not self.by_order.isChecked())

    def _build_schools(self, d: dict) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(
            QLabel(
                "Отметьте школы, педагоги которых проходят диагностику (карты заполняют на педагогов этих школ). "
                "Статусы — за учебный год диагностики."
            )
        )
        row = QHBoxLayout()
        self.school_filter = QLineEdit()
        self.school_filter.setPlaceholderText("Поиск школы…")
        self.school_filter.setClearButtonEnabled(True)
        self.school_filter.textChanged.connect(self._filter_schools)
        row.addWidget(self.school_filter, 1)
        for text, group in (
            ("Все", "all"),
            ("Школы ШНОР", "shnor"),
            ("ШНОР и ШНСУ", "low"),
            ("Снять отметки", None),
        ):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, g=group: self.check_group(g))
            row.addWidget(b)
        lay.addLayout(row)
        self.school_list = QListWidget()
        self.school_list.setObjectName("schools")
        chosen = set(d["school_ids"])
        for sr in self.schools:
            text = (
                sr.short_name
                + (f" ({sr.statuses})" if sr.statuses else "")
                + f" — педагогов: {sr.staff_count}"
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, sr.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if sr.id in chosen else Qt.CheckState.Unchecked)
            self.school_list.addItem(item)
        self.school_list.itemChanged.connect(lambda _i: self._update_count())
        lay.addWidget(self.school_list, 1)
        self.covered = QLabel()
        self.covered.setObjectName("covered")
        lay.addWidget(self.covered)
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("school_ids", err, self.school_list)
        self.field_tab["school_ids"] = 1
        self._update_count()
        self.tabs.addTab(page, "Школы и педагоги")

    def _filter_schools(self, text: str) -> None:
        terms = fold(text).split()
        for i in range(self.school_list.count()):
            item = self.school_list.item(i)
            key = fold(item.text())
            item.setHidden(not all(t in key for t in terms))

    def check_group(self, group: str | None) -> None:
        """Check the schools of a group in the campaign's school year (``analytics.group_school_ids``); None
        clears the marks."""
        if group is None:
            ids: set[int] = set()
        elif group == "all":
            ids = {sr.id for sr in self.schools}
        else:
            with self.factory() as s:
                ids = set(analytics.group_school_ids(s, group, self.year.currentText().strip()) or [])
        self.school_list.blockSignals(True)
        for i in range(self.school_list.count()):
            item = self.school_list.item(i)
            sid = item.data(Qt.ItemDataRole.UserRole)
            item.setCheckState(Qt.CheckState.Checked if sid in ids else Qt.CheckState.Unchecked)
        self.school_list.blockSignals(False)
        self._update_count()

    def school_ids(self) -> list[int]:
        out = []
        for i in range(self.school_list.count()):
            item = self.school_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def _update_count(self) -> None:
        ids = set(self.school_ids())
        teachers = sum(sr.staff_count for sr in self.schools if sr.id in ids)
        self.covered.setText(f"Отмечено школ: {len(ids)}; педагогов в них: {teachers}.")

    # --- data -------------------------------------------------------------------------------------------------
    def data(self) -> dict:
        by_order = self.by_order.isChecked()
        return {
            "title": self.title_edit.text(),
            "school_year": self.year.currentText().strip(),
            "stage": self.stage.currentData(),
            "date_from": self.date_from.value(),
            "date_to": self.date_to.value(),
            "order_id": self.order.currentData() if by_order else None,
            "basis": "" if by_order else self.basis.text(),
            "school_ids": self.school_ids(),
            "note": self.note.toPlainText(),
            "template_version": self.tpl.version,
        }

    def collect_snapshot(self):
        return repr(self.data())

    def write(self) -> None:
        with session_scope(self.factory) as s:
            camp = cards.get_campaign(s, self.campaign_id) if self.campaign_id else None
            camp = cards.save_campaign(s, self.data(), camp)
            self.campaign_id = camp.id
