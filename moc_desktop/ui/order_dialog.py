"""Order editor: «Реквизиты», «Основание», «Пункты», «Контроль и исполнитель», «Приложения», «Ознакомление»."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services.common import ValidationError, format_date, parse_date
from moc_desktop.services.docs import orders as svc
from moc_desktop.services.docs.common import from_iso, iso
from moc_desktop.ui.dialogs import EditorDialog
from moc_desktop.ui.forms import OptionalDateEdit, line
from moc_desktop.ui.person_picker import PersonPicker

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _text(table: QTableWidget, r: int, c: int) -> str:
    it = table.item(r, c)
    return it.text().strip() if it else ""


def _date_cell(text: str, where: str, errors: dict) -> str | None:
    try:
        return iso(parse_date(text))
    except ValueError as exc:
        errors[where] = str(exc)
        return None


class OrderDialog(EditorDialog):
    ITEM_COLS = ("Текст пункта", "Ответственный", "Срок", "Исполнено", "Прил. №")

    def __init__(self, factory, order_id: int | None, parent=None, data: dict | None = None):
        super().__init__("Новый приказ" if order_id is None else "Приказ", parent)
        self.resize(1040, 700)
        self.factory = factory
        self.order_id = order_id
        with factory() as s:
            self.people = svc.person_choices(s)
            order = svc.get_order(s, order_id) if order_id else None
            self.status = order.status if order else "draft"
            d = svc.order_data(order) if order else (data or svc.new_order_data(s))
            self.number_label = svc.number_label(order) if order else "проект"
        self.template = d.get("template", "")
        self._build_requisites(d)
        self._build_basis(d)
        self._build_items(d)
        self._build_control(d)
        self._build_appendices(d)
        self._build_ack(d)
        if self.status != "draft":
            self._lock_signed()
        self.take_snapshot()

    # --- tabs -------------------------------------------------------------------------------------------------
    def _build_requisites(self, d: dict) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Номер:", QLabel(f"{self.number_label} ({svc.STATUSES[self.status].lower()})"))
        self.date = OptionalDateEdit()
        self.date.set_value(d.get("date"))
        self.errors.add_row(form, "date", "Дата", self.date)
        self.title_edit = QPlainTextEdit(d.get("title", ""))
        self.title_edit.setObjectName("title")
        self.title_edit.setMaximumHeight(70)
        self.title_edit.setPlaceholderText("Об организации наставничества")
        self.errors.add_row(form, "title", "Заголовок*", self.title_edit)
        self.sign_post = line(d.get("signatory_post", ""))
        self.sign_name = line(d.get("signatory_name", ""), "И.О. Фамилия")
        self.errors.add_row(form, "signatory_post", "Должность подписывающего", self.sign_post)
        self.errors.add_row(form, "signatory_name", "Подписывающий", self.sign_name)
        self.qr = QCheckBox("QR-код с номером, датой и организацией (ГОСТ Р 7.0.97-2025)")
        self.qr.setChecked(bool(d.get("qr")))
        form.addRow("", self.qr)
        self.approvals = QTableWidget(0, 5)
        self.approvals.setObjectName("approvals")
        self.approvals.setHorizontalHeaderLabels(
            ("Гриф", "Должность", "И.О. Фамилия", "Дата (пусто — от руки)", "Ссылка")
        )
        self.approvals.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.approvals.setMaximumHeight(120)
        for a in d.get("approvals", []):
            self.add_approval(a)
        row = QHBoxLayout()
        add = QPushButton("Добавить гриф")
        add.clicked.connect(lambda: self.add_approval({}))
        rm = QPushButton("Удалить гриф")
        rm.clicked.connect(lambda: self.approvals.removeRow(self.approvals.currentRow()))
        row.addWidget(add)
        row.addWidget(rm)
        row.addStretch(1)
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.approvals)
        v.addLayout(row)
        form.addRow("Грифы УТВЕРЖДАЮ / СОГЛАСОВАНО", box)
        for f in ("date", "title", "signatory_post", "signatory_name"):
            self.field_tab[f] = 0
        self.tabs.addTab(page, "Реквизиты")

    def add_approval(self, a: dict) -> None:
        r = self.approvals.rowCount()
        self.approvals.insertRow(r)
        kind = QComboBox()
        kind.addItems(svc.APPROVAL_KINDS)
        kind.setCurrentText(a.get("kind", "УТВЕРЖДАЮ"))
        self.approvals.setCellWidget(r, 0, kind)
        post = a.get("post") or "\n".join(a.get("post_lines") or [])
        for c, v in enumerate(
            (post, a.get("name", ""), a.get("date_text", ""), a.get("reference", "")), start=1
        ):
            self.approvals.setItem(r, c, QTableWidgetItem(v))

    def approvals_data(self) -> list[dict]:
        out = []
        for r in range(self.approvals.rowCount()):
            a = {"kind": self.approvals.cellWidget(r, 0).currentText()}
            for c, key in enumerate(("post", "name", "date_text", "reference"), start=1):
                a[key] = _text(self.approvals, r, c)
            if a["post"] or a["name"]:
                out.append(a)
        return out

    def _build_basis(self, d: dict) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(QLabel("Документы-основания (на них ссылается преамбула):"))
        self.basis = QTableWidget(0, 5)
        self.basis.setObjectName("basis")
        self.basis.setHorizontalHeaderLabels(("Вид", "Кем издан", "Дата", "Номер", "Название"))
        self.basis.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for b in d.get("basis", []):
            self._add_basis(b)
        lay.addWidget(self.basis, 1)
        row = QHBoxLayout()
        add = QPushButton("Добавить основание")
        add.clicked.connect(lambda: self._add_basis({}))
        rm = QPushButton("Удалить строку")
        rm.clicked.connect(lambda: self.basis.removeRow(self.basis.currentRow()))
        row.addWidget(add)
        row.addWidget(rm)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(
            QLabel(
                "Преамбула («На основании … в соответствии с … в целях …,»). {основания} — список оснований:"
            )
        )
        self.preamble = QPlainTextEdit(d.get("preamble", ""))
        self.preamble.setObjectName("preamble")
        lay.addWidget(self.preamble, 1)
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("basis", err, self.basis)
        self.field_tab["basis"] = 1
        self.tabs.addTab(page, "Основание")

    def _add_basis(self, b: dict) -> None:
        r = self.basis.rowCount()
        self.basis.insertRow(r)
        d = from_iso(b.get("date"))
        for c, v in enumerate(
            (b.get("kind", ""), b.get("issuer", ""), format_date(d), b.get("number", ""), b.get("title", ""))
        ):
            self.basis.setItem(r, c, QTableWidgetItem(v))

    def _build_items(self, d: dict) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.items = QTreeWidget()
        self.items.setObjectName("items")
        self.items.setColumnCount(len(self.ITEM_COLS))
        self.items.setHeaderLabels(self.ITEM_COLS)
        self.items.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.setColumnWidth(1, 230)
        for c, w in ((2, 95), (3, 95), (4, 60)):
            self.items.setColumnWidth(c, w)
        self.items.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        for it in d.get("items", []):
            top = self.add_item(it)
            for ch in it.get("children") or []:
                self.add_item(ch, parent=top)
        self.items.expandAll()
        lay.addWidget(self.items, 1)
        row = QHBoxLayout()
        for text, slot in (
            ("Добавить пункт", lambda: self.add_item({})),
            ("Добавить подпункт", self._add_sub),
            ("Вверх", lambda: self._move(-1)),
            ("Вниз", lambda: self._move(1)),
            ("Удалить", self._remove_item),
        ):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, s=slot: s())
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(
            QLabel(
                "Пункт со сроком и ответственным попадает в контроль исполнения (страница «Главная»). "
                "Последним пунктом программа добавит фразу о контроле исполнения."
            )
        )
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("items", err, self.items)
        self.field_tab["items"] = 2
        self.tabs.addTab(page, "Пункты")

    def add_item(self, it: dict, parent: QTreeWidgetItem | None = None) -> QTreeWidgetItem:
        node = QTreeWidgetItem(["", "", "", "", ""])
        node.setFlags(node.flags() | Qt.ItemFlag.ItemIsEditable)
        node.setText(0, it.get("text", ""))
        node.setText(2, format_date(from_iso(it.get("deadline"))))
        node.setText(3, format_date(from_iso(it.get("done_on"))))
        node.setText(4, "" if it.get("appendix") is None else str(int(it["appendix"]) + 1))
        if parent is None:
            self.items.addTopLevelItem(node)
        else:
            parent.addChild(node)
            parent.setExpanded(True)
        picker = PersonPicker(self.people)
        picker.set_value(it.get("responsible"))
        self.items.setItemWidget(node, 1, picker)
        return node

    def _add_sub(self) -> None:
        cur = self.items.currentItem()
        if cur is None:
            return
        parent = cur.parent() or cur
        self.add_item({}, parent=parent)

    def _remove_item(self) -> None:
        cur = self.items.currentItem()
        if cur is None:
            return
        (cur.parent() or self.items.invisibleRootItem()).removeChild(cur)

    def _move(self, delta: int) -> None:
        cur = self.items.currentItem()
        if cur is None:
            return
        data = self._node_data(cur, {})
        children = [self._node_data(cur.child(i), {}) for i in range(cur.childCount())]
        holder = cur.parent() or self.items.invisibleRootItem()
        i = holder.indexOfChild(cur)
        j = i + delta
        if not 0 <= j < holder.childCount():
            return
        holder.removeChild(cur)
        node = QTreeWidgetItem(["", "", "", "", ""])
        holder.insertChild(j, node)
        self._fill_node(node, data)
        for ch in children:
            sub = QTreeWidgetItem(["", "", "", "", ""])
            node.addChild(sub)
            self._fill_node(sub, ch)
        node.setExpanded(True)
        self.items.setCurrentItem(node)

    def _fill_node(self, node: QTreeWidgetItem, it: dict) -> None:
        node.setFlags(node.flags() | Qt.ItemFlag.ItemIsEditable)
        node.setText(0, it.get("text", ""))
        node.setText(2, format_date(from_iso(it.get("deadline"))))
        node.setText(3, format_date(from_iso(it.get("done_on"))))
        node.setText(4, "" if it.get("appendix") is None else str(int(it["appendix"]) + 1))
        picker = PersonPicker(self.people)
        picker.set_value(it.get("responsible"))
        self.items.setItemWidget(node, 1, picker)

    def _node_data(self, node: QTreeWidgetItem, errors: dict, where: str = "items") -> dict:
        it: dict = {"text": node.text(0).strip()}
        picker = self.items.itemWidget(node, 1)
        resp = picker.value() if picker else {}
        if resp:
            it["responsible"] = resp
        for key, col in (("deadline", 2), ("done_on", 3)):
            v = _date_cell(node.text(col), where, errors)
            if v:
                it[key] = v
        ap = node.text(4).strip()
        if ap:
            if ap.isdigit() and int(ap) >= 1:
                it["appendix"] = int(ap) - 1
            else:
                errors[where] = f"Номер приложения «{ap}» — не число."
        return it

    def items_data(self, errors: dict) -> list[dict]:
        out = []
        for i in range(self.items.topLevelItemCount()):
            top = self.items.topLevelItem(i)
            it = self._node_data(top, errors)
            kids = [self._node_data(top.child(j), errors) for j in range(top.childCount())]
            if kids:
                it["children"] = kids
            out.append(it)
        return out

    def _build_control(self, d: dict) -> None:
        page = QWidget()
        form = QFormLayout(page)
        control = d.get("control") or {}
        self.ctrl_self = QRadioButton("«Контроль исполнения приказа оставляю за собой.»")
        self.ctrl_assign = QRadioButton("«Контроль исполнения приказа возложить на …»")
        (self.ctrl_assign if control.get("mode") == "assign" else self.ctrl_self).setChecked(True)
        self.ctrl_person = PersonPicker(self.people)
        self.ctrl_person.set_value(control)
        self.ctrl_post = line(control.get("post", ""), "должность, если отличается от карточки")
        form.addRow(self.ctrl_self)
        form.addRow(self.ctrl_assign)
        self.errors.add_row(form, "control", "На кого", self.ctrl_person)
        form.addRow("Должность", self.ctrl_post)
        form.addRow(QLabel("<b>Исполнитель</b> (отметка внизу последней страницы)"))
        ex = d.get("executor") or {}
        self.ex_person = PersonPicker(self.people)
        self.ex_person.set_value(ex)
        self.ex_post = line(ex.get("post", ""))
        self.ex_phone = line(ex.get("phone", ""))
        self.ex_email = line(ex.get("email", ""))
        form.addRow("Исполнитель", self.ex_person)
        form.addRow("Должность", self.ex_post)
        form.addRow("Телефон", self.ex_phone)
        form.addRow("Эл. почта", self.ex_email)
        self.field_tab["control"] = 3
        self.tabs.addTab(page, "Контроль и исполнитель")

    def _build_appendices(self, d: dict) -> None:
        page = QWidget()
        lay = QHBoxLayout(page)
        left = QVBoxLayout()
        self.ap_list = QListWidget()
        self.ap_list.setObjectName("appendices")
        left.addWidget(self.ap_list, 1)
        add = QPushButton("Добавить приложение")
        add.clicked.connect(
            lambda: self._add_appendix(
                {"title": "Новое приложение", "headers": ["№ п/п", "Наименование"], "rows": []}
            )
        )
        rm = QPushButton("Удалить приложение")
        rm.clicked.connect(self._remove_appendix)
        left.addWidget(add)
        left.addWidget(rm)
        lay.addLayout(left, 1)
        right = QVBoxLayout()
        form = QFormLayout()
        self.ap_title = QLineEdit()
        self.ap_headers = QLineEdit()
        self.ap_headers.setPlaceholderText("Столбцы через «;»")
        form.addRow("Заголовок", self.ap_title)
        form.addRow("Столбцы таблицы", self.ap_headers)
        right.addLayout(form)
        right.addWidget(QLabel("Текст (если нужен):"))
        self.ap_text = QPlainTextEdit()
        self.ap_text.setMaximumHeight(80)
        right.addWidget(self.ap_text)
        self.ap_table = QTableWidget(0, 0)
        right.addWidget(self.ap_table, 1)
        rows = QHBoxLayout()
        addr = QPushButton("Добавить строку")
        addr.clicked.connect(lambda: self.ap_table.insertRow(self.ap_table.rowCount()))
        rmr = QPushButton("Удалить строку")
        rmr.clicked.connect(lambda: self.ap_table.removeRow(self.ap_table.currentRow()))
        rows.addWidget(addr)
        rows.addWidget(rmr)
        rows.addStretch(1)
        right.addLayout(rows)
        lay.addLayout(right, 3)
        self.appendices: list[dict] = []
        self._shown_ap = -1
        for a in d.get("appendices", []):
            self._add_appendix(a)
        self.ap_list.currentRowChanged.connect(self._show_appendix)
        self.ap_headers.editingFinished.connect(self._apply_headers)
        if self.appendices:
            self.ap_list.setCurrentRow(0)
            self._show_appendix(0)
        self.tabs.addTab(page, "Приложения")

    def _add_appendix(self, a: dict) -> None:
        self._store_appendix()
        self.appendices.append(dict(a))
        self.ap_list.addItem(f"Приложение {len(self.appendices)}")
        self.ap_list.setCurrentRow(len(self.appendices) - 1)

    def _remove_appendix(self) -> None:
        i = self.ap_list.currentRow()
        if i < 0:
            return
        self._shown_ap = -1
        del self.appendices[i]
        self.ap_list.takeItem(i)
        for k in range(self.ap_list.count()):
            self.ap_list.item(k).setText(f"Приложение {k + 1}")

    def _apply_headers(self) -> None:
        headers = [h.strip() for h in self.ap_headers.text().split(";") if h.strip()]
        self.ap_table.setColumnCount(len(headers))
        self.ap_table.setHorizontalHeaderLabels(headers)

    def _show_appendix(self, i: int) -> None:
        self._store_appendix()
        self._shown_ap = i
        if i < 0 or i >= len(self.appendices):
            return
        a = self.appendices[i]
        self.ap_title.setText(a.get("title", ""))
        self.ap_text.setPlainText(a.get("text", ""))
        headers = a.get("headers") or []
        self.ap_headers.setText("; ".join(headers))
        self.ap_table.setColumnCount(len(headers))
        self.ap_table.setHorizontalHeaderLabels(headers)
        self.ap_table.setRowCount(0)
        for r in a.get("rows", []):
            k = self.ap_table.rowCount()
            self.ap_table.insertRow(k)
            for c, v in enumerate(r[: len(headers)]):
                self.ap_table.setItem(k, c, QTableWidgetItem(str(v)))

    def _store_appendix(self) -> None:
        i = self._shown_ap
        if i < 0 or i >= len(self.appendices):
            return
        headers = [h.strip() for h in self.ap_headers.text().split(";") if h.strip()]
        rows = []
        for r in range(self.ap_table.rowCount()):
            row = [_text(self.ap_table, r, c) for c in range(len(headers))]
            if any(row):
                rows.append(row)
        self.appendices[i].update(
            {
                "title": self.ap_title.text().strip(),
                "text": self.ap_text.toPlainText().strip(),
                "headers": headers,
                "rows": rows,
            }
        )

    def _build_ack(self, d: dict) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(
            QLabel("Лист ознакомления: кого ознакомить с приказом (печатается отдельной страницей).")
        )
        self.ack = QTableWidget(0, 3)
        self.ack.setObjectName("acquaintance")
        self.ack.setHorizontalHeaderLabels(("ФИО", "Должность", "Дата ознакомления"))
        self.ack.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.ack.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for a in d.get("acquaintance", []):
            self._add_ack(a)
        lay.addWidget(self.ack, 1)
        row = QHBoxLayout()
        add = QPushButton("Добавить")
        add.clicked.connect(lambda: self._add_ack({}))
        rm = QPushButton("Удалить строку")
        rm.clicked.connect(lambda: self.ack.removeRow(self.ack.currentRow()))
        row.addWidget(add)
        row.addWidget(rm)
        row.addStretch(1)
        lay.addLayout(row)
        err = QLabel()
        lay.addWidget(err)
        self.errors.add_label("acquaintance", err, self.ack)
        self.field_tab["acquaintance"] = 5
        self.tabs.addTab(page, "Ознакомление")

    def _add_ack(self, a: dict) -> None:
        r = self.ack.rowCount()
        self.ack.insertRow(r)
        for c, v in enumerate(
            (a.get("name", ""), a.get("post", ""), format_date(from_iso(a.get("signed_on"))))
        ):
            self.ack.setItem(r, c, QTableWidgetItem(v))

    def _lock_signed(self) -> None:
        """A registered order changes only in execution marks and acquaintance."""
        for w in (
            self.date,
            self.title_edit,
            self.sign_post,
            self.sign_name,
            self.qr,
            self.basis,
            self.preamble,
            self.ctrl_self,
            self.ctrl_assign,
            self.ctrl_person,
            self.ctrl_post,
            self.ex_person,
            self.ex_post,
            self.ex_phone,
            self.ex_email,
            self.ap_title,
            self.ap_headers,
            self.ap_text,
            self.ap_table,
        ):
            w.setEnabled(False)
        self.tabs.setTabText(2, "Пункты (отметки об исполнении)")

    # --- data -------------------------------------------------------------------------------------------------
    def order_data(self, errors: dict | None = None) -> dict:
        errors = {} if errors is None else errors
        self._store_appendix()
        basis = []
        for r in range(self.basis.rowCount()):
            b = {
                "kind": _text(self.basis, r, 0),
                "issuer": _text(self.basis, r, 1),
                "number": _text(self.basis, r, 3),
                "title": _text(self.basis, r, 4),
            }
            d = _date_cell(_text(self.basis, r, 2), "basis", errors)
            if d:
                b["date"] = d
            if any(b.values()):
                basis.append(b)
        ack = []
        for r in range(self.ack.rowCount()):
            a = {"name": _text(self.ack, r, 0), "post": _text(self.ack, r, 1)}
            d = _date_cell(_text(self.ack, r, 2), "acquaintance", errors)
            if d:
                a["signed_on"] = d
            if a["name"]:
                ack.append(a)
        control = {"mode": "assign" if self.ctrl_assign.isChecked() else "self"}
        if control["mode"] == "assign":
            control.update(self.ctrl_person.value())
            if self.ctrl_post.text().strip():
                control["post"] = self.ctrl_post.text().strip()
        executor = self.ex_person.value()
        for k, w in (("post", self.ex_post), ("phone", self.ex_phone), ("email", self.ex_email)):
            if w.text().strip():
                executor[k] = w.text().strip()
        return {
            "title": " ".join(self.title_edit.toPlainText().split()),
            "date": self.date.value(),
            "basis": basis,
            "preamble": self.preamble.toPlainText().strip(),
            "items": self.items_data(errors),
            "control": control,
            "signatory_post": self.sign_post.text(),
            "signatory_name": self.sign_name.text(),
            "executor": executor,
            "appendices": [dict(a) for a in self.appendices],
            "acquaintance": ack,
            "approvals": self.approvals_data(),
            "qr": self.qr.isChecked(),
            "template": self.template,
        }

    def collect_snapshot(self):
        return repr(self.order_data({}))

    def write(self) -> None:
        errors: dict = {}
        data = self.order_data(errors)
        if errors:
            raise ValidationError(errors)
        with session_scope(self.factory) as s:
            order = svc.get_order(s, self.order_id) if self.order_id else None
            order = svc.save_order(s, data, order)
            self.order_id = order.id
