"""«Наставничество»: teacher pairs (status changes by the service's rules), the mentor suggestion for a mentee
(from the diagnostics «5 К» deficits), school partnerships and a summary. Rules: ``services.mentoring``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services.common import ValidationError, format_date
from moc_desktop.services.docs import orders as orders_svc
from moc_desktop.services.mentoring import matching
from moc_desktop.services.mentoring import pairs as pairs_svc
from moc_desktop.services.mentoring import partnerships as partners_svc
from moc_desktop.ui.list_page import ask_yes_no
from moc_desktop.ui.mentor_common import form_choices, ro, table
from moc_desktop.ui.mentor_pair_dialog import PairDialog
from moc_desktop.ui.person_picker import PersonPicker

ALL = "__all__"
PAIR_HEADERS = ["Наставник", "Наставляемые", "Форма", "Статус", "Начало", "Окончание", "Нагрузка"]
SUGGEST_HEADERS = ["Балл", "Наставник", "Школа", "Закрывает дефициты", "Почему", "Предупреждения"]
PARTNER_HEADERS = ["Школа-наставник", "Поддерживаемая школа", "Соглашение", "Период", "Статус", "Мероприятий"]


def _pct(cov) -> str:
    share = cov.share
    return f"{cov.covered} из {cov.total} ({share * 100:.0f} %)" if share is not None else "нет данных"


class MentoringPage(QWidget):
    changed = Signal()
    status_message = Signal(str)

    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.loaded = False
        self.warn: Callable[[QWidget, str, str], None] = lambda p, t, m: QMessageBox.warning(p, t, m)
        self.ask: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.ask_reason: Callable[[QWidget, str, str], str | None] = _ask_reason
        self.last_dialog: PairDialog | None = None
        self.tabs = QTabWidget()
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        self._build_pairs()
        self._build_suggest()
        self._build_partners()
        self._build_summary()

    # --- «Пары» --------------------------------------------------------------------------------------------
    def _build_pairs(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        bar = QToolBar()
        self.actions = {}
        for text, slot in (
            ("Новая пара…", self.new_pair),
            ("Изменить", self.edit_pair),
            ("Запустить", lambda: self.change_status("active")),
            ("Завершить…", lambda: self.change_status("completed")),
            ("Прекратить…", lambda: self.change_status("terminated")),
        ):
            self.actions[text] = bar.addAction(text, slot)
        bar.addSeparator()
        self.actions["Импорт из Excel…"] = bar.addAction("Импорт из Excel…", lambda: self.import_pairs())
        self.actions["Экспорт в Excel…"] = bar.addAction("Экспорт в Excel…", lambda: self.export_pairs())
        bar.addSeparator()
        bar.addWidget(QLabel(" Статус: "))
        self.status_filter = QComboBox()
        self.status_filter.addItem("все", ALL)
        for code, title in pairs_svc.STATUSES.items():
            self.status_filter.addItem(title, code)
        self.status_filter.currentIndexChanged.connect(self.reload_pairs)
        bar.addWidget(self.status_filter)
        v.addWidget(bar)
        self.pairs = table(PAIR_HEADERS)
        self.pairs.doubleClicked.connect(lambda _i: self.edit_pair())
        v.addWidget(self.pairs)
        self.tabs.addTab(w, "Пары")

    def reload_pairs(self) -> None:
        status = self.status_filter.currentData()
        with self.factory() as s:
            names = dict(orders_svc.person_choices(s))
            forms = dict(form_choices(s))
            limit = pairs_svc.max_mentees(s)
            rows = []
            for p in pairs_svc.list_pairs(s, *(() if status == ALL else (status,))):
                d = pairs_svc.pair_data(p)
                rows.append(
                    (
                        p.id,
                        names.get(d["mentor_id"], ""),
                        ", ".join(names.get(m, str(m)) for m in d["mentee_ids"]),
                        forms.get(d["form_code"], d["form_code"]),
                        pairs_svc.STATUSES.get(p.status, p.status),
                        format_date(d["date_from"]),
                        format_date(d["date_to"]),
                        f"{pairs_svc.mentor_load(s, d['mentor_id'])} из {limit}",
                    )
                )
        self.pairs.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row[1:]):
                self.pairs.setItem(r, c, ro(text, row[0] if c == 0 else None))
        self.pairs.resizeColumnsToContents()

    def selected_pair(self) -> int | None:
        r = self.pairs.currentRow()
        it = self.pairs.item(r, 0) if r >= 0 else None
        return it.data(Qt.ItemDataRole.UserRole) if it is not None else None

    def select_pair(self, pair_id: int) -> None:
        for r in range(self.pairs.rowCount()):
            if self.pairs.item(r, 0).data(Qt.ItemDataRole.UserRole) == pair_id:
                self.pairs.selectRow(r)
                return

    def pair_dialog(self, pair_id: int | None = None, data: dict | None = None) -> PairDialog:
        """The dialog, not shown (tests drive it; ``_run`` shows it)."""
        self.last_dialog = PairDialog(self.factory, pair_id, data, self)
        self.last_dialog.accepted.connect(lambda d=self.last_dialog: self._saved(d.pair_id))
        return self.last_dialog

    def _saved(self, pair_id) -> None:
        self.reload_pairs()
        self.reload_summary()
        if pair_id is not None:
            self.select_pair(pair_id)
        self.changed.emit()
        self.status_message.emit("Пара наставничества сохранена.")

    def new_pair(self) -> None:
        self.pair_dialog().exec()

    def edit_pair(self) -> None:
        pid = self.selected_pair()
        if pid is not None:
            self.pair_dialog(pid).exec()

    def change_status(self, new: str) -> None:
        pid = self.selected_pair()
        if pid is None:
            self.warn(self, "Наставничество", "Выберите пару в списке.")
            return
        with self.factory() as s:
            old = pairs_svc.get_pair(s, pid).status
        why = pairs_svc.can_transition(old, new)
        if why:
            self.warn(self, "Статус пары", why)
            return
        reason = ""
        if new in pairs_svc.NEEDS_REASON:
            reason = self.ask_reason(self, "Прекращение наставничества", "Причина прекращения:")
            if reason is None:
                return
        try:
            with session_scope(self.factory) as s:
                pairs_svc.set_status(s, pairs_svc.get_pair(s, pid), new, reason)
        except ValidationError as exc:
            self.warn(self, "Статус пары", "\n".join(exc.errors.values()))
            return
        self._saved(pid)

    # --- «Подбор наставника» --------------------------------------------------------------------------------
    def _build_suggest(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        row = QHBoxLayout()
        row.addWidget(QLabel("Наставляемый:"))
        self.mentee_picker = PersonPicker([])
        row.addWidget(self.mentee_picker, 1)
        self.suggest_button = QPushButton("Подобрать")
        self.suggest_button.clicked.connect(self.run_suggest)
        row.addWidget(self.suggest_button)
        v.addLayout(row)
        self.deficits_label = QLabel()
        self.deficits_label.setWordWrap(True)
        self.deficits_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.deficits_label)
        self.suggestions = table(SUGGEST_HEADERS)
        v.addWidget(self.suggestions, 1)
        self.create_button = QPushButton("Создать пару с выбранным")
        self.create_button.clicked.connect(lambda: self.pair_from_suggestion().exec())
        self.create_button.setEnabled(False)
        v.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        self.tabs.addTab(w, "Подбор наставника")
        self.mentee_id: int | None = None

    def _refresh_people(self) -> None:
        with self.factory() as s:
            people = orders_svc.person_choices(s)
        current = self.mentee_picker.value()
        self.mentee_picker.clear()
        self.mentee_picker.addItem("", None)
        for pid, name in people:
            self.mentee_picker.addItem(name, pid)
        self.mentee_picker.set_value(current)

    def run_suggest(self) -> None:
        pid = self.mentee_picker.value().get("person_id")
        self.suggestions.setRowCount(0)
        self.create_button.setEnabled(False)
        self.mentee_id = None
        if pid is None:
            self.deficits_label.setText("Выберите наставляемого из реестра педагогов.")
            return
        try:
            with self.factory() as s:
                res = matching.suggest(s, pid)
        except matching.MatchingError as exc:
            self.deficits_label.setText(str(exc))
            return
        self.mentee_id = pid
        if res.deficits:
            items = "; ".join(f"{d.code} — {d.title}" for d in res.deficits)
            self.deficits_label.setText(f"Дефициты {res.mentee.name}: {items}")
        else:
            self.deficits_label.setText(f"У {res.mentee.name} нет дефицитов по последней карте.")
        self.suggestions.setRowCount(len(res.suggestions))
        for r, sg in enumerate(res.suggestions):
            c = sg.candidate
            for col, text in enumerate(
                (
                    f"{sg.score:.1f}",
                    c.name,
                    c.school,
                    ", ".join(sg.covers),
                    "; ".join(sg.reasons),
                    "; ".join(sg.warnings),
                )
            ):
                self.suggestions.setItem(r, col, ro(text, c.id if col == 0 else None))
        self.suggestions.resizeColumnsToContents()
        if res.suggestions:
            self.suggestions.selectRow(0)
            self.create_button.setEnabled(True)
        else:
            self.deficits_label.setText(self.deficits_label.text() + "\nПодходящих наставников с картой нет.")

    def pair_from_suggestion(self) -> PairDialog:
        """The pair dialog pre-filled with the chosen mentor and the mentee (nothing is saved until «Сохранить»)."""
        r = max(self.suggestions.currentRow(), 0)
        mentor = self.suggestions.item(r, 0).data(Qt.ItemDataRole.UserRole)
        data = pairs_svc.new_pair_data()
        data.update({"mentor_id": mentor, "mentee_ids": [self.mentee_id]})
        with self.factory() as s:
            data["plan"] = pairs_svc.plan_from_deficits(s, self.mentee_id)
        return self.pair_dialog(None, data)

    def export_pairs(self, path: str | None = None) -> None:
        from moc_desktop.services.mentoring import files
        from moc_desktop.services.xlsx_export import ExportError

        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Экспорт пар", "Пары наставничества.xlsx", "Книга Excel (*.xlsx)"
            )
            if not path:
                return
        try:
            with self.factory() as s:
                out = files.export_pairs(s, path)
        except ExportError as exc:
            self.warn(self, "Экспорт", str(exc))
            return
        self.status_message.emit(f"Сохранено: {out}")

    def import_pairs(self, path: str | None = None, valid_only: bool | None = None) -> object | None:
        """All or nothing: a file with bad rows is refused with the list of rows, unless the user chooses to
        import the valid rows only. New pairs come in as drafts."""
        from moc_desktop.db.engine import session_scope
        from moc_desktop.services import imports
        from moc_desktop.services.mentoring import files

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Импорт пар", "", "Таблицы (*.xlsx *.xls *.csv)")
            if not path:
                return None
        try:
            with session_scope(self.factory) as s:
                result = files.import_pairs(s, path, valid_only=bool(valid_only))
        except imports.ImportFileError as exc:
            self.warn(self, "Импорт", str(exc))
            return None
        except imports.ImportRefused as exc:
            rows = "\n".join(str(e) for e in exc.errors[:30])
            if valid_only is None and self.ask(
                self,
                "Импорт",
                f"В файле ошибки — база не изменена:\n{rows}\n\nЗагрузить только верные строки?",
            ):
                return self.import_pairs(path, valid_only=True)
            self.warn(self, "Импорт", f"Импорт отклонён, база не изменена:\n{rows}")
            return exc
        self.reload_pairs()
        self.status_message.emit(f"Импорт пар: {result.summary()}")
        return result

    # --- «Школы-партнёры» ------------------------------------------------------------------------------------
    def _build_partners(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        bar = QToolBar()
        bar.addAction("Новое партнёрство…", lambda: self.edit_partnership(None))
        bar.addAction("Изменить", self.edit_selected_partnership)
        bar.addSeparator()
        bar.addAction("Список партнёров (.docx)…", lambda: self.export_partners("docx"))
        bar.addAction("Список партнёров (.xlsx)…", lambda: self.export_partners("xlsx"))
        v.addWidget(bar)
        self.partners = table(PARTNER_HEADERS)
        self.partners.doubleClicked.connect(lambda _i: self.edit_selected_partnership())
        v.addWidget(self.partners)
        self.tabs.addTab(w, "Школы-партнёры")

    def partnership_dialog(self, partnership_id: int | None):
        from moc_desktop.ui.mentor_partnership_dialog import PartnershipDialog

        return PartnershipDialog(self.factory, partnership_id, self)

    def edit_partnership(self, partnership_id: int | None) -> None:
        if self.partnership_dialog(partnership_id).exec():
            self.reload_partners()

    def edit_selected_partnership(self) -> None:
        r = self.partners.currentRow()
        if r >= 0 and self.partners.item(r, 0) is not None:
            self.edit_partnership(self.partners.item(r, 0).data(Qt.ItemDataRole.UserRole))

    def reload_partners(self) -> None:
        with self.factory() as s:
            rows = partners_svc.list_partnerships(s)
        self.partners.setRowCount(len(rows))
        for r, p in enumerate(rows):
            period = " – ".join(x for x in (format_date(p.date_from), format_date(p.date_to)) if x)
            for c, text in enumerate(
                (p.mentor_school, p.mentee_school, p.agreement, period, p.status, p.events)
            ):
                self.partners.setItem(r, c, ro(text, p.id if c == 0 else None))
        self.partners.resizeColumnsToContents()

    def export_partners(self, kind: str, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Список партнёров", f"Список партнёров.{kind}", f"*.{kind}"
            )
            if not path:
                return
        with self.factory() as s:
            out = (partners_svc.partners_docx if kind == "docx" else partners_svc.partners_xlsx)(s, path)
        self.status_message.emit(f"Сохранено: {out}")

    # --- «Сводка» ------------------------------------------------------------------------------------------
    def _build_summary(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        v.addWidget(self.coverage_label)
        v.addWidget(QLabel("Пары по статусам и формам"))
        self.by_status = table(["Форма", *pairs_svc.STATUSES.values()])
        v.addWidget(self.by_status)
        v.addWidget(QLabel("Просроченные задачи планов"))
        self.overdue = table(["Наставник", "Наставляемые", "Задача", "Срок", "Критерий"])
        v.addWidget(self.overdue)
        v.addWidget(QLabel(f"Действующие пары без встреч {pairs_svc.SILENCE_DAYS} дней"))
        self.silent = table(["Наставник", "Наставляемые", "Последняя встреча"])
        v.addWidget(self.silent)
        self.tabs.addTab(w, "Сводка")

    def reload_summary(self) -> None:
        with self.factory() as s:
            forms = dict(form_choices(s))
            counts = pairs_svc.pairs_by_status_form(s)
            overdue = pairs_svc.overdue_tasks(s)
            silent = pairs_svc.silent_pairs(s)
            young = pairs_svc.young_coverage(s)
            shnor = partners_svc.shnor_coverage(s)
        self.coverage_label.setText(
            f"Молодые специалисты с наставником: {_pct(young)} (цель — 100 %).\n"
            f"Школы ШНОР со школой-партнёром: {_pct(shnor)} (цель — 100 %)."
        )
        used = sorted({f for _st, f in counts}, key=lambda f: list(forms).index(f) if f in forms else 99)
        self.by_status.setRowCount(len(used))
        for r, f in enumerate(used):
            self.by_status.setItem(r, 0, ro(forms.get(f, f)))
            for c, st in enumerate(pairs_svc.STATUSES, start=1):
                self.by_status.setItem(r, c, ro(counts.get((st, f), 0)))
        self.overdue.setRowCount(len(overdue))
        for r, t in enumerate(overdue):
            for c, text in enumerate((t.mentor, t.mentees, t.task, format_date(t.deadline), t.criterion)):
                self.overdue.setItem(r, c, ro(text))
        self.silent.setRowCount(len(silent))
        for r, p in enumerate(silent):
            last = format_date(p.last_meeting) if p.last_meeting else "встреч не было"
            for c, text in enumerate((p.mentor, p.mentees, last)):
                self.silent.setItem(r, c, ro(text))
        for t in (self.by_status, self.overdue, self.silent):
            t.resizeColumnsToContents()

    # --- page ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.reload_pairs()
        self._refresh_people()
        self.reload_partners()
        self.reload_summary()
        self.loaded = True

    def showEvent(self, event) -> None:
        if not self.loaded:
            self.reload()
        super().showEvent(event)


def _ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None
