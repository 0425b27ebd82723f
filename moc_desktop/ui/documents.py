"""«Документы»: the order register, protocols, templates; «Главная»: controlled tasks."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from moc_desktop import config
from moc_desktop.db.engine import session_scope
from moc_desktop.services.common import ValidationError, format_date
from moc_desktop.services.docs import orders as orders_svc
from moc_desktop.services.docs import protocols as protocols_svc
from moc_desktop.services.docs import render, templates, typical
from moc_desktop.ui.list_page import ListPage

ALL = "__all__"


def _year_combo(combo: QComboBox, years: set[int]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("Все годы", ALL)
    for y in sorted(years | {date.today().year}, reverse=True):
        combo.addItem(f"{y} год", y)
    i = combo.findData(current if current is not None else date.today().year)
    combo.setCurrentIndex(max(i, 0))
    combo.blockSignals(False)


class _DocListPage(ListPage):
    importable = False
    doc_kind = ""  # order | protocol

    def __init__(self, factory, parent=None):
        super().__init__(factory, parent)
        self.year = QComboBox()
        self.year.setObjectName("year")
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.status.addItem("Все", ALL)
        for code, title in self.statuses().items():
            self.status.addItem(title, code)
        for w in (QLabel("Год:"), self.year, QLabel("Статус:"), self.status):
            self.filters.addWidget(w)
        self.year.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filters())
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        keys = [c.key for c in self.model.columns]
        header.setSectionResizeMode(keys.index("title"), QHeaderView.ResizeMode.Stretch)
        self.toolbar.addSeparator()
        self.act_sign = self._action(self.sign_text(), "Ctrl+R", self.sign_selected)
        self.act_preview = self._action("Просмотр и печать…", "Ctrl+P", self.preview_selected)

    def statuses(self) -> dict[str, str]:
        raise NotImplementedError

    def sign_text(self) -> str:
        raise NotImplementedError

    def predicate(self):
        year, status = self.year.currentData(), self.status.currentData()
        tests = []
        if year not in (None, ALL):
            tests.append(
                lambda r: (
                    (r.date.year if r.date else None) == year or (r.status_code == "draft" and r.date is None)
                )
            )
        if status not in (None, ALL):
            tests.append(lambda r: r.status_code == status)
        return (lambda r: all(t(r) for t in tests)) if tests else None

    def before_reload(self, session) -> None:
        pass

    def after_rows(self, rows) -> None:
        _year_combo(self.year, {r.date.year for r in rows if r.date})

    def reload(self, keep_id=None) -> None:
        with self.factory() as s:
            rows = self.load_rows(s)
        self.after_rows(rows)
        self.model.set_rows(rows)
        self.model.set_filter(predicate=self.predicate())
        self.loaded = True
        self._update_count()
        if keep_id is not None:
            self.select_id(keep_id)

    def preview_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        from moc_desktop.ui.preview import PreviewDialog

        with self.factory() as s:
            try:
                doc = render.build(s, self.doc_kind, rows[0].id)
            except render.RenderError as exc:
                QMessageBox.warning(self, "Просмотр", str(exc))
                return
        self.last_preview = PreviewDialog(doc, self.doc_kind, self)
        self.last_preview.open()

    def sign_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        row = rows[0]
        if row.status_code != "draft":
            QMessageBox.information(self, "Регистрация", "Документ уже зарегистрирован.")
            return
        if not self.confirm(self, "Регистрация", self.sign_question(row)):
            return
        try:
            obj = self.do_sign(row.id)
        except ValidationError as exc:
            QMessageBox.warning(self, "Регистрация", "\n".join(exc.errors.values()))
            return
        self.reload(keep_id=row.id)
        self.changed.emit()
        self.status_message.emit(self.signed_message(obj))


class OrdersPage(_DocListPage):
    kind = "orders"
    doc_kind = "order"
    noun_plural = "приказы"

    def __init__(self, factory, parent=None):
        super().__init__(factory, parent)
        self.act_cancel = self._action("Отменить приказ…", None, self.cancel_selected)
        self.typical_button = QToolButton()
        self.typical_button.setText("Типовой приказ ▾")
        self.typical_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.typical_button)
        for name in typical.TYPICAL:
            menu.addAction(name, lambda n=name: self.add_typical(n))
        self.typical_button.setMenu(menu)
        self.toolbar.insertWidget(self.act_edit, self.typical_button)

    def statuses(self):
        return orders_svc.STATUSES

    def sign_text(self):
        return "Зарегистрировать"

    def load_rows(self, session):
        return orders_svc.list_orders(session)

    def open_editor(self, row_id, data=None):
        from moc_desktop.ui.order_dialog import OrderDialog

        return bool(OrderDialog(self.factory, row_id, self, data=data).exec())

    def add_typical(self, name: str) -> None:
        with self.factory() as s:
            data = typical.TYPICAL[name](s)
        if self.open_editor(None, data):
            self.reload()
            self.changed.emit()

    def describe(self, rows):
        return (
            f"Удалить проект приказа «{rows[0].title}»?"
            if len(rows) == 1
            else f"Удалить проекты ({len(rows)})?"
        )

    def delete_rows(self, session, rows):
        for r in rows:
            o = orders_svc.get_order(session, r.id)
            if o is not None:
                try:
                    orders_svc.delete_draft(session, o)
                except ValidationError as exc:
                    raise ValidationError(exc.errors) from None

    def delete_selected(self) -> None:
        if any(r.status_code != "draft" for r in self.selected_rows()):
            QMessageBox.information(
                self, "Удаление", "Удалить можно только проект. Подписанный приказ отменяют."
            )
            return
        super().delete_selected()

    def sign_question(self, row) -> str:
        return (
            f"Зарегистрировать приказ «{row.title}»?\nЕму будет присвоен следующий номер в журнале "
            "текущего года; после регистрации текст не изменяется."
        )

    def do_sign(self, row_id):
        return orders_svc.sign_order(self.factory, row_id)

    def signed_message(self, obj) -> str:
        return f"Приказ зарегистрирован: № {obj.number}{obj.suffix} от {format_date(obj.date)}"

    def cancel_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        note, ok = QInputDialog.getText(
            self, "Отмена приказа", "Основание отмены (например, приказ № … от …):"
        )
        if not ok:
            return
        try:
            with session_scope(self.factory) as s:
                orders_svc.cancel_order(s, orders_svc.get_order(s, rows[0].id), note)
        except ValidationError as exc:
            QMessageBox.warning(self, "Отмена приказа", "\n".join(exc.errors.values()))
            return
        self.reload(keep_id=rows[0].id)


class ProtocolsPage(_DocListPage):
    kind = "protocols"
    doc_kind = "protocol"
    noun_plural = "протоколы"

    def statuses(self):
        return protocols_svc.STATUSES

    def sign_text(self):
        return "Оформить (присвоить номер)"

    def load_rows(self, session):
        return protocols_svc.list_protocols(session)

    def open_editor(self, row_id):
        from moc_desktop.ui.protocol_dialog import ProtocolDialog

        return bool(ProtocolDialog(self.factory, row_id, self).exec())

    def describe(self, rows):
        return "Удалить проект протокола?" if len(rows) == 1 else f"Удалить проекты ({len(rows)})?"

    def delete_rows(self, session, rows):
        for r in rows:
            p = protocols_svc.get_protocol(session, r.id)
            if p is not None:
                protocols_svc.delete_draft(session, p)

    def delete_selected(self) -> None:
        if any(r.status_code != "draft" for r in self.selected_rows()):
            QMessageBox.information(self, "Удаление", "Оформленный протокол не удаляется.")
            return
        super().delete_selected()

    def sign_question(self, row) -> str:
        return f"Оформить протокол ({row.body})? Ему будет присвоен следующий номер этого органа в году заседания."

    def do_sign(self, row_id):
        return protocols_svc.sign_protocol(self.factory, row_id)

    def signed_message(self, obj) -> str:
        return f"Протокол оформлен: № {obj.number} от {format_date(obj.date)}"


class TemplatesPanel(QWidget):
    """Built-in and user-edited templates: copy for editing in Word, reset, open the folder."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.open_url = lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.table = QTableWidget(len(templates.KINDS), 2)
        self.table.setObjectName("templates")
        self.table.setHorizontalHeaderLabels(("Документ", "Используется"))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Шаблон задаёт поля страницы, шрифт, нумерацию страниц и расположение реквизитов. «Изменить» "
            "копирует встроенный шаблон в папку данных и открывает его в Word; программа будет использовать "
            "вашу копию. Поля в фигурных скобках не удаляйте."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        for text, slot in (
            ("Изменить в Word…", self.edit),
            ("Вернуть встроенный", self.reset),
            ("Открыть папку шаблонов", lambda: self.open_url(config.paths().templates_dir)),
        ):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, s=slot: s())
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        help_text = "<b>Поля шаблона:</b><br>" + "<br>".join(
            f"<code>{{{{ {k} }}}}</code> — {v}" for k, v in templates.PLACEHOLDERS.items()
        )
        info = QLabel(help_text)
        info.setWordWrap(True)
        lay.addWidget(info)
        lay.addStretch(1)
        self.refresh()

    def kind_at(self, row: int) -> str:
        return list(templates.KINDS)[row]

    def refresh(self) -> None:
        for r, (kind, title) in enumerate(templates.KINDS.items()):
            self.table.setItem(r, 0, QTableWidgetItem(title))
            path, is_user = templates.active_template(kind)
            self.table.setItem(r, 1, QTableWidgetItem(f"ваш: {path}" if is_user else "встроенный"))

    def edit(self) -> None:
        r = max(self.table.currentRow(), 0)
        path = templates.copy_for_editing(self.kind_at(r))
        self.refresh()
        self.open_url(path)

    def reset(self) -> None:
        r = max(self.table.currentRow(), 0)
        bak = templates.reset_to_builtin(self.kind_at(r))
        self.refresh()
        if bak:
            QMessageBox.information(
                self, "Шаблоны", f"Используется встроенный шаблон. Ваша копия сохранена: {bak}"
            )


class DocumentsPage(QWidget):
    changed = Signal()
    status_message = Signal(str)

    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.orders = OrdersPage(factory)
        self.protocols = ProtocolsPage(factory)
        self.templates = TemplatesPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.orders, "Приказы")
        self.tabs.addTab(self.protocols, "Протоколы")
        self.tabs.addTab(self.templates, "Шаблоны")
        self.report_button = QPushButton("Аналитическая справка…")
        self.report_button.setObjectName("report")
        self.report_button.clicked.connect(self.open_report)
        self.tabs.setCornerWidget(self.report_button)
        self.factory = factory
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        for p in (self.orders, self.protocols):
            p.status_message.connect(self.status_message)
            p.changed.connect(self.changed)
        self.search = self.orders.search
        self.loaded = False

    def open_report(self):
        """The analytical report builder (sections from data, preview, .docx/PDF)."""
        from moc_desktop.ui.report_dialog import ReportDialog

        self.report_dialog = ReportDialog(self.factory, self)
        self.report_dialog.open()
        return self.report_dialog

    def reload(self) -> None:
        for p in (self.orders, self.protocols):
            p.loaded = False
        current = self.tabs.currentWidget()
        if hasattr(current, "reload") and current.isVisible():
            current.reload()
        self.loaded = True


class HomePage(QWidget):
    """«Главная»: controlled items of orders — overdue first (red), then by deadline."""

    COLS = ("Срок", "Приказ", "Пункт", "Содержание", "Ответственный")

    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.loaded = False
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.table = QTableWidget(0, len(self.COLS))
        self.table.setObjectName("tasks")
        self.table.setHorizontalHeaderLabels(self.COLS)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setColumnWidth(1, 190)
        self.table.setColumnWidth(4, 200)
        self.table.setSortingEnabled(False)
        lay = QVBoxLayout(self)
        title = QLabel("<h3>Контроль исполнения приказов</h3>")
        lay.addWidget(title)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        self.tasks: list[orders_svc.Task] = []

    def showEvent(self, event) -> None:
        if not self.loaded:
            self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        with self.factory() as s:
            self.tasks = orders_svc.controlled_tasks(s)
        self.table.setRowCount(len(self.tasks))
        red = QBrush(QColor("#b00020"))
        for r, t in enumerate(self.tasks):
            values = (format_date(t.deadline), t.order_label, t.item_number, t.text, t.responsible)
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if t.overdue:
                    item.setForeground(red)
                    if c == 0:
                        item.setToolTip("Срок истёк")
                item.setData(Qt.ItemDataRole.UserRole, t.order_id)
                self.table.setItem(r, c, item)
        overdue = sum(t.overdue for t in self.tasks)
        self.summary.setText(
            f"На контроле пунктов: {len(self.tasks)}; просрочено: {overdue}."
            if self.tasks
            else "Нет пунктов приказов на контроле."
        )
        self.loaded = True
