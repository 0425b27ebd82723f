"""«Диагностика»: campaigns of the competence diagnostics «5 К» (seed 003) and, for the chosen campaign, its
cards, the progress of filling per school and rater, and the analytics (levels per competence, schools, the
self-assessment gap, dynamics between stages). Rules and numbers come from ``services.diagnostics``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import schools as schools_svc
from moc_desktop.services.common import ValidationError, format_date
from moc_desktop.services.diagnostics import analytics, cards, scoring
from moc_desktop.services.docs import charts
from moc_desktop.services.docs import orders as orders_svc
from moc_desktop.services.lists import Column
from moc_desktop.ui.diag_common import (
    ChartLabel,
    DiagRowsModel,
    level_color,
    level_html,
    level_item,
    pct_text,
    ro_item,
)
from moc_desktop.ui.list_page import ask_yes_no

ALL = "__all__"

CAMPAIGN_COLUMNS: tuple[Column, ...] = (
    Column("title", "Диагностика", width=48),
    Column("school_year", "Уч. год", width=12),
    Column("stage", "Этап", width=14),
    Column("date_from", "Начало", "date", 11),
    Column("date_to", "Окончание", "date", 11),
    Column("schools", "Школ", "int", 6),
    Column("cards", "Карт", "int", 7),
    Column("complete", "Заполнено", "int", 9),
)

CARD_COLUMNS: tuple[Column, ...] = (
    Column("fio", "ФИО", width=26),
    Column("school", "Школа", width=40),
    Column("raters", "Оценщики", width=10),
    Column("complete", "Заполнена", "bool", 9),
    Column("pct", "Итог, %", "float", 8),
    Column("level", "Уровень", width=17),
    Column("gap", "Разрыв, п.п.", "float", 11),
)

LEVEL_ORDER = (
    "critical",
    "sufficient",
    "optimal",
)  # low → high; the chart palette then gives green to optimal


def _table_view(model) -> QTableView:
    t = QTableView()
    t.setModel(model)
    t.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    t.setSortingEnabled(True)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setDefaultSectionSize(24)
    t.horizontalHeader().setStretchLastSection(True)
    for i, col in enumerate(model.columns):
        t.setColumnWidth(i, max(60, (col.width or 12) * 7, len(col.title) * 7 + 18))
    return t


def _table_widget(headers, name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(23)
    t.setAlternatingRowColors(True)
    return t


def _chart_label(title: str) -> str:
    """«Предметно-методологическая» may break after its hyphen on the chart."""
    return title.replace("-", "- ")


# --- panels of the chosen campaign ------------------------------------------------------------------------------


class _CampaignPanel(QWidget):
    """A tab of the chosen campaign: (re)loads when shown after the campaign changed or the data did."""

    def __init__(self, page: DiagnosticsPage):
        super().__init__()
        self.page = page
        self.factory = page.factory
        self.campaign_id: int | None = None
        self.stale = True

    def set_campaign(self, campaign_id: int | None) -> None:
        self.campaign_id = campaign_id
        self.mark_stale()

    def mark_stale(self) -> None:
        self.stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        if self.stale:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self.stale = False
        self.load()

    def load(self) -> None:
        raise NotImplementedError


class CardsPanel(_CampaignPanel):
    """The campaign's cards (thousands: ``RowsTableModel``), filters, and the deficits of the selected one."""

    def __init__(self, page):
        super().__init__(page)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_fill = self._action("Заполнить карту…", "Return", self.fill_current)
        self.act_new = self._action("Новая карта…", "Ctrl+Shift+N", self.new_card)
        self.act_delete = self._action("Удалить карту", QKeySequence.StandardKey.Delete, self.delete_current)

        self.search = QLineEdit()
        self.search.setObjectName("card_search")
        self.search.setPlaceholderText("Поиск: фамилия, школа… (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        focus = QAction(self)
        focus.setShortcut(QKeySequence.StandardKey.Find)
        focus.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        focus.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(focus)
        self.school = QComboBox()
        self.school.setObjectName("card_school")
        self.school.setMinimumContentsLength(22)
        self.school.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.level = QComboBox()
        self.level.setObjectName("card_level")
        self.level.addItem("Все уровни", ALL)
        for lv in scoring.LEVELS:
            self.level.addItem(scoring.LEVEL_TITLES[lv].capitalize(), lv)
        self.level.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.incomplete = QCheckBox("Только незаполненные")
        self.incomplete.toggled.connect(lambda _c: self.apply_filters())
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for w in (QLabel("Школа:"), self.school, QLabel("Уровень:"), self.level, self.incomplete):
            filters.addWidget(w)

        self.model = DiagRowsModel(CARD_COLUMNS, self)
        self.table = _table_view(self.model)
        self.table.setObjectName("cards")
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.fill_current())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self.show_deficits())
        self.count_label = QLabel()
        self.count_label.setObjectName("card_count")
        self.deficits = QLabel()
        self.deficits.setObjectName("card_deficits")
        self.deficits.setWordWrap(True)
        self.deficits.setTextFormat(Qt.TextFormat.RichText)

        lay = QVBoxLayout(self)
        lay.addWidget(self.toolbar)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count_label)
        lay.addWidget(self.deficits)

    def _action(self, text, shortcut, slot) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        act.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addAction(act)
        self.addAction(act)
        return act

    def load(self, keep_id: int | None = None) -> None:
        rows = []
        if self.campaign_id is not None:
            with self.factory() as s:
                rows = cards.list_cards(s, self.campaign_id)
        current = self.school.currentData()
        self.school.blockSignals(True)
        self.school.clear()
        self.school.addItem("Все школы", ALL)
        for sid, name in sorted({(r.school_id, r.school) for r in rows}, key=lambda x: x[1]):
            self.school.addItem(name or "(без школы)", sid)
        self.school.setCurrentIndex(max(self.school.findData(current), 0))
        self.school.blockSignals(False)
        self.model.set_rows(rows)
        self.model.set_filter(predicate=self.predicate())
        self._update_count()
        for a in (self.act_fill, self.act_new, self.act_delete):
            a.setEnabled(self.campaign_id is not None)
        if keep_id is not None:
            r = self.model.row_of_id(keep_id)
            if r is not None:
                self.table.selectRow(r)
                self.table.scrollTo(self.model.index(r, 0))
        self.show_deficits()

    def predicate(self):
        school, level, only_incomplete = (
            self.school.currentData(),
            self.level.currentData(),
            self.incomplete.isChecked(),
        )
        tests = []
        if school not in (None, ALL):
            tests.append(lambda r: r.school_id == school)
        if level not in (None, ALL):
            tests.append(lambda r: r.level_code == level)
        if only_incomplete:
            tests.append(lambda r: not r.complete)
        return (lambda r: all(t(r) for t in tests)) if tests else None

    def apply_filters(self) -> None:
        self.model.set_filter(predicate=self.predicate())
        self._update_count()

    def _on_search(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(f"Показано карт: {self.model.rowCount()} из {self.model.total_count()}")

    def current_row(self):
        i = self.table.currentIndex()
        if not i.isValid():
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            i = rows[0]
        return self.model.row_at(i.row())

    def show_deficits(self) -> None:
        row = self.current_row()
        if row is None:
            self.deficits.setText("Выберите карту, чтобы увидеть дефициты педагога.")
            return
        with self.factory() as s:
            card = cards.get_card(s, row.id)
            found = analytics.teacher_deficits(s, card) if card is not None else []
        self.deficits.setText(deficits_html(row.fio, found))

    def fill_current(self) -> None:
        row = self.current_row()
        if row is None:
            self.new_card()
            return
        self.page.open_card(row.id)

    def new_card(self) -> None:
        self.page.open_card(None)

    def delete_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if not self.page.confirm(self, "Удаление карты", f"Удалить карту педагога {row.fio}?"):
            return
        with session_scope(self.factory) as s:
            card = cards.get_card(s, row.id)
            if card is not None:
                cards.delete_card(s, card)
        self.page.data_changed()
        self.page.status_message.emit(f"Карта удалена: {row.fio}")


def deficits_html(fio: str, found: list[analytics.Deficit]) -> str:
    if not found:
        return f"<b>Дефициты</b> ({fio}): нет — ни один внешний оценщик не поставил 0."
    letters = {"self": "С", "shmo": "Ш", "deputy": "З"}

    def marks(d: analytics.Deficit) -> str:
        return ", ".join(f"{letters[r]} {'—' if v is None else v}" for r, v in d.scores.items())

    items = "; ".join(f"{d.code} {d.title} ({marks(d)})" for d in found)
    return f"<b>Дефициты</b> ({fio}, {len(found)}): {items}"


class ProgressPanel(_CampaignPanel):
    """How many cards each rater completed per school (``cards.progress``)."""

    HEADERS = (
        "Школа",
        "Карт",
        scoring.RATER_TITLES["self"],
        scoring.RATER_TITLES["shmo"],
        "Зам. директора по УВР",
        "Заполнено полностью",
        "Готово, %",
    )

    def __init__(self, page):
        super().__init__(page)
        self.table = _table_widget(self.HEADERS, "progress")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(self.HEADERS)):
            self.table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(
            "Оценщик считается выполнившим карту, когда оценил все критерии. Школы охвата без карт показаны "
            "с нулём; строка «Итого» — по всем школам."
        )
        note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.table, 1)

    def load(self) -> None:
        rows: list[cards.Progress] = []
        if self.campaign_id is not None:
            with self.factory() as s:
                camp = cards.get_campaign(s, self.campaign_id)
                rows = cards.progress(s, camp) if camp is not None else []
        self.table.setRowCount(len(rows) + (1 if rows else 0))
        done_bg = QColor("#e3f2e5")
        for i, p in enumerate(rows):
            self._put_row(
                i, p.school, p.teachers, [p.by_rater[r] for r in scoring.RATERS], p.complete, done_bg
            )
        if rows:
            total = [sum(p.by_rater[r] for p in rows) for r in scoring.RATERS]
            self._put_row(
                len(rows),
                "Итого",
                sum(p.teachers for p in rows),
                total,
                sum(p.complete for p in rows),
                done_bg,
                bold=True,
            )

    def _put_row(self, i, school, teachers, by_rater, complete, done_bg, bold=False) -> None:
        values = [school, str(teachers), *map(str, by_rater), str(complete)]
        share = None if not teachers else 100.0 * complete / teachers
        values.append(pct_text(share))
        for c, v in enumerate(values):
            item = ro_item(v, align_right=c > 0)
            if c in (2, 3, 4, 5) and teachers and int(v) == teachers:
                item.setBackground(done_bg)
            if bold:
                f = item.font()
                f.setBold(True)
                item.setFont(f)
            self.table.setItem(i, c, item)


class AnalyticsPanel(_CampaignPanel):
    """Levels per competence in a scope (municipality, a group of schools, a school), schools, the gap, dynamics."""

    COMP_HEADERS = (
        "Компетенция",
        "Карт",
        "Средний %",
        "Уровень",
        "Оптимальный",
        "доля, %",
        "Достаточный",
        "доля, %",
        "Критический",
        "доля, %",
    )
    GAP_HEADERS = (
        "ФИО",
        "Школа",
        "Самооценка, %",
        "Внешняя оценка, %",
        "Разрыв, п.п.",
        "Критерии: себе 2, внешняя 0",
    )
    TRANSITION_HEADERS = ("До \\ после", *(scoring.LEVEL_TITLES[lv] for lv in scoring.LEVELS))

    def __init__(self, page):
        super().__init__(page)
        self.scope = QComboBox()
        self.scope.setObjectName("scope")
        self.scope.setMinimumContentsLength(26)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh_scope())
        self.other = QComboBox()
        self.other.setObjectName("other")
        self.other.setMinimumContentsLength(30)
        self.other.currentIndexChanged.connect(lambda _i: self.show_dynamics())
        top = QHBoxLayout()
        top.addWidget(QLabel("Охват:"))
        top.addWidget(self.scope)
        top.addSpacing(16)
        top.addWidget(QLabel("Сравнить с диагностикой:"))
        top.addWidget(self.other)
        top.addStretch(1)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)

        self.inner = QTabWidget()
        # competences: table + chart
        self.comp_table = _table_widget(self.COMP_HEADERS, "competences")
        self.comp_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.comp_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(self.COMP_HEADERS)):
            self.comp_table.horizontalHeader().setSectionResizeMode(
                c, QHeaderView.ResizeMode.ResizeToContents
            )
        self.levels_chart = ChartLabel()
        self.levels_chart.setObjectName("levels_chart")
        comp_page = QWidget()
        cl = QVBoxLayout(comp_page)
        cl.addWidget(self.comp_table)
        cl.addWidget(self.levels_chart, 1)
        self.inner.addTab(comp_page, "Уровни по компетенциям")
        # schools
        school_page = QWidget()
        scl = QVBoxLayout(school_page)
        self.school_legend = QLabel()
        self.school_legend.setWordWrap(True)
        scl.addWidget(self.school_legend)
        self.school_table = _table_widget((), "by_school")
        scl.addWidget(self.school_table, 1)
        self.inner.addTab(school_page, "По школам")
        # gap
        gap_page = QWidget()
        gl = QVBoxLayout(gap_page)
        gap_note = QLabel(
            f"Педагоги, у которых самооценка выше средней оценки руководителя ШМО и заместителя директора на "
            f"{analytics.GAP_SIGNAL:.0f} п.п. и более. Двойной щелчок — открыть карту."
        )
        gap_note.setWordWrap(True)
        gl.addWidget(gap_note)
        self.gap_table = _table_widget(self.GAP_HEADERS, "gap")
        self.gap_table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        for c in (2, 3, 4):
            self.gap_table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.gap_table.setColumnWidth(0, 170)
        self.gap_table.setColumnWidth(1, 220)
        self.gap_table.cellDoubleClicked.connect(self._open_gap_card)
        gl.addWidget(self.gap_table, 1)
        self.inner.addTab(gap_page, "Завышенная самооценка")
        # dynamics
        dyn_page = QWidget()
        dl = QVBoxLayout(dyn_page)
        self.dyn_label = QLabel()
        self.dyn_label.setObjectName("dynamics")
        self.dyn_label.setWordWrap(True)
        dl.addWidget(self.dyn_label)
        self.transitions = _table_widget(self.TRANSITION_HEADERS, "transitions")
        self.transitions.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.transitions.setRowCount(len(scoring.LEVELS))
        self.transitions.setMaximumHeight(23 * 3 + 34)
        self.transitions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        dl.addWidget(self.transitions)
        self.dyn_chart = ChartLabel()
        self.dyn_chart.setObjectName("dynamics_chart")
        dl.addWidget(self.dyn_chart, 1)
        self.inner.addTab(dyn_page, "Динамика")

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary_label)
        lay.addWidget(self.inner, 1)
        self.titles: dict[int, str] = {}
        self.school_year = ""
        self.campaign_rows: list[cards.CampaignRow] = []
        self._loaded_for: int | None = None

    # --- loading ----------------------------------------------------------------------------------------------
    def load(self) -> None:
        """Scope choices (the campaign's schools), the other campaigns, then everything of the scope."""
        scope, other = self.scope.currentData(), self.other.currentData()
        self.scope.blockSignals(True)
        self.other.blockSignals(True)
        self.scope.clear()
        self.other.clear()
        self.other.addItem("не выбрано", None)
        if self.campaign_id is not None:
            with self.factory() as s:
                camp = cards.get_campaign(s, self.campaign_id)
                self.titles = analytics.competence_titles(s, camp)
                self.school_year = camp.school_year
                names = dict(schools_svc.school_choices(s))
                sids = cards.campaign_school_ids(camp)
                self.campaign_rows = cards.list_campaigns(s)
            self.scope.addItem("Муниципалитет (все школы)", "all")
            self.scope.addItem(analytics.GROUPS["shnor"], "shnor")
            self.scope.addItem(analytics.GROUPS["low"], "low")
            for sid in sorted(sids, key=lambda x: names.get(x, "")):
                if sid in names:
                    self.scope.addItem(names[sid], f"school:{sid}")
            me = next((r for r in self.campaign_rows if r.id == self.campaign_id), None)
            others = [r for r in self.campaign_rows if r.id != self.campaign_id]
            others.sort(key=lambda r: (r.school_year != self.school_year, r.school_year, r.stage_code))
            for r in others:
                self.other.addItem(f"{r.title} ({r.stage}, {r.school_year})", r.id)
            i = self.scope.findData(scope)
            self.scope.setCurrentIndex(max(i, 0))
            j = self.other.findData(other) if self.campaign_id == self._loaded_for else -1
            if j < 0 and me is not None:  # by default the other stage of the same school year
                j = next((k + 1 for k, r in enumerate(others) if r.school_year == me.school_year), 0)
            self.other.setCurrentIndex(max(j, 0))
        self.scope.blockSignals(False)
        self.other.blockSignals(False)
        self._loaded_for = self.campaign_id
        self.refresh_scope()

    def scope_ids(self, session) -> list[int] | None:
        data = self.scope.currentData()
        if not data:
            return None
        if data.startswith("school:"):
            return analytics.group_school_ids(session, "chosen", self.school_year, [int(data.split(":")[1])])
        return analytics.group_school_ids(session, data, self.school_year)

    def refresh_scope(self) -> None:
        if self.campaign_id is None:
            self.summary_label.setText("Выберите диагностику в списке.")
            self.comp_table.setRowCount(0)
            self.levels_chart.set_png(None)
            return
        with self.factory() as s:
            ids = self.scope_ids(s)
            summ = analytics.summary(s, self.campaign_id, ids, self.scope.currentText())
            by_school = analytics.summary_by_school(s, self.campaign_id)
            gaps = analytics.gap_signals(s, self.campaign_id)
            if ids is not None:
                in_scope = {r.id for r in cards.list_cards(s, self.campaign_id) if r.school_id in set(ids)}
                gaps = [g for g in gaps if g.card_id in in_scope]
        self.current_summary = summ
        self.show_summary(summ)
        self.show_competences(summ)
        self.show_schools(by_school)
        self.show_gaps(gaps)
        self.show_dynamics()

    # --- parts ----------------------------------------------------------------------------------------------------
    def show_summary(self, summ: analytics.Summary) -> None:
        t = summ.total
        parts = [
            f"<b>{summ.title}</b>: карт {summ.cards}, заполнено полностью {summ.complete}.",
            f"Средний процент по карте: {level_html(t.mean, scoring.level(t.mean))}.",
        ]
        if summ.self_mean is not None or summ.external_mean is not None:
            parts.append(
                f"Самооценка {pct_text(summ.self_mean)}, внешняя оценка {pct_text(summ.external_mean)}"
                + (f" (разрыв {pct_text(summ.gap, sign=True)} п.п.)" if summ.gap is not None else "")
                + f"; карт с завышенной самооценкой: {summ.gap_signals}."
            )
        self.summary_label.setText(" ".join(parts))

    def show_competences(self, summ: analytics.Summary) -> None:
        rows = [(f"{n}. {self.titles.get(n, '')}", st) for n, st in summ.competences.items()]
        rows.append(("Карта в целом", summ.total))
        self.comp_table.setRowCount(len(rows))
        for i, (title, st) in enumerate(rows):
            lv = scoring.level(st.mean)
            cells = [
                ro_item(title),
                ro_item(str(st.n), True),
                ro_item(pct_text(st.mean), True),
                level_item(lv),
            ]
            for level in scoring.LEVELS:
                cells.append(ro_item(str(st.levels[level]), True))
                cells.append(ro_item(pct_text(st.share(level)) if st.n else "—", True))
            for c, item in enumerate(cells):
                if i == len(rows) - 1:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.comp_table.setItem(i, c, item)
        self.comp_table.setFixedHeight(
            23 * len(rows) + self.comp_table.horizontalHeader().sizeHint().height() + 4
        )
        cats = [_chart_label(self.titles.get(n, str(n))) for n in summ.competences] + ["Карта в целом"]
        stats = [*summ.competences.values(), summ.total]
        series = {scoring.LEVEL_TITLES[lv].capitalize(): [st.share(lv) for st in stats] for lv in LEVEL_ORDER}
        self.levels_chart.set_png(
            charts.bar_chart(
                cats,
                series,
                f"Доля педагогов по уровням, % — {summ.title}",
                percent=True,
                width_px=1400,
                height_px=560,
                colors=[scoring.LEVEL_COLORS[lv] for lv in LEVEL_ORDER],
            )
        )

    def show_schools(self, by_school) -> None:
        comp = list(self.titles)
        headers = [
            "Школа",
            "Карт",
            "Заполнено",
            "Средний %",
            "Уровень",
            *(f"К{n}, %" for n in comp),
            "Самооц., %",
            "Внешн., %",
            "Разрыв",
        ]
        t = self.school_table
        t.setColumnCount(len(headers))
        t.setHorizontalHeaderLabels(headers)
        for k, n in enumerate(comp):
            t.horizontalHeaderItem(5 + k).setToolTip(f"{n}. {self.titles[n]} компетенция")
        self.school_legend.setText(
            "Средний процент по компетенциям: "
            + "; ".join(f"К{n} — {self.titles[n].lower()}" for n in comp)
            + ". Самооценка и внешняя оценка (ШМО, зам. по УВР) — средний процент; разрыв — их разность, п.п."
        )
        t.setRowCount(len(by_school))
        for i, (_sid, name, summ) in enumerate(by_school):
            mean = summ.total.mean
            cells = [
                ro_item(name),
                ro_item(str(summ.cards), True),
                ro_item(str(summ.complete), True),
                ro_item(pct_text(mean), True),
                level_item(scoring.level(mean), bold=False),
            ]
            for n in comp:
                m = summ.competences[n].mean
                item = ro_item(pct_text(m), True)
                lv = scoring.level(m)
                if lv:
                    item.setForeground(level_color(lv, text=True))
                cells.append(item)
            cells += [
                ro_item(pct_text(summ.self_mean), True),
                ro_item(pct_text(summ.external_mean), True),
                ro_item(pct_text(summ.gap, sign=True), True),
            ]
            for c, item in enumerate(cells):
                t.setItem(i, c, item)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        t.setColumnWidth(0, 200)

    def show_gaps(self, gaps: list[analytics.GapSignal]) -> None:
        self.gaps = gaps
        self.gap_table.setRowCount(len(gaps))
        for i, g in enumerate(gaps):
            values = [
                ro_item(g.fio),
                ro_item(g.school),
                ro_item(pct_text(g.self_pct), True),
                ro_item(pct_text(g.external_pct), True),
                ro_item(pct_text(g.self_pct - g.external_pct, sign=True), True),
                ro_item(", ".join(g.criteria) or "—", tooltip=", ".join(g.criteria)),
            ]
            for c, item in enumerate(values):
                item.setData(Qt.ItemDataRole.UserRole, g.card_id)
                self.gap_table.setItem(i, c, item)
        self.inner.setTabText(2, f"Завышенная самооценка ({len(gaps)})")

    def _open_gap_card(self, row: int, _col: int) -> None:
        item = self.gap_table.item(row, 0)
        if item is not None:
            self.page.open_card(item.data(Qt.ItemDataRole.UserRole))

    def show_dynamics(self) -> None:
        other = self.other.currentData()
        for r in range(len(scoring.LEVELS)):
            self.transitions.setItem(r, 0, ro_item(scoring.LEVEL_TITLES[scoring.LEVELS[r]]))
            for c in range(1, len(scoring.LEVELS) + 1):
                self.transitions.setItem(r, c, ro_item("", True))
        if self.campaign_id is None or other is None:
            self.dyn_label.setText(
                "Выберите в поле «Сравнить с диагностикой» другой этап (например, входную для итоговой): "
                "сравниваются педагоги, у которых есть карты в обеих диагностиках."
            )
            self.dyn_chart.set_png(None)
            return
        rows = {r.id: r for r in self.campaign_rows}
        me, them = rows.get(self.campaign_id), rows.get(other)
        if me is None or them is None:
            return

        def order(r):
            return (r.school_year, cards.STAGE_ORDER.index(r.stage_code), r.id)

        before, after = sorted((me, them), key=order)
        with self.factory() as s:
            dyn = analytics.dynamics(s, before.id, after.id, self.scope_ids(s))
        same = sum(dyn.transitions.values()) - dyn.improved - dyn.worsened
        self.dyn_label.setText(
            f"«{before.title}» ({before.stage}, {before.school_year}) → «{after.title}» ({after.stage}, "
            f"{after.school_year}). Педагогов в обеих диагностиках: {dyn.pairs}. Уровень карты повысился у "
            f"{dyn.improved}, понизился у {dyn.worsened}, не изменился у {same}. Средний процент: "
            f"{pct_text(dyn.before.total.mean)} → {pct_text(dyn.after.total.mean)}."
        )
        for r, a in enumerate(scoring.LEVELS):
            for c, b in enumerate(scoring.LEVELS, start=1):
                self.transitions.item(r, c).setText(str(dyn.transitions.get((a, b), 0)))
        cats = [_chart_label(self.titles.get(n, str(n))) for n in dyn.before.competences] + ["Карта в целом"]
        series = {
            f"до: {before.stage}": [st.mean for st in dyn.before.competences.values()]
            + [dyn.before.total.mean],
            f"после: {after.stage}": [st.mean for st in dyn.after.competences.values()]
            + [dyn.after.total.mean],
        }
        self.dyn_chart.set_png(
            charts.bar_chart(
                cats,
                series,
                f"Средний процент до и после — {self.scope.currentText()}",
                percent=True,
                width_px=1400,
                height_px=560,
            )
        )


# --- the page ---------------------------------------------------------------------------------------------------


class DiagnosticsPage(QWidget):
    changed = Signal()
    status_message = Signal(str)

    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.loaded = False
        self.campaign_id: int | None = None
        self.confirm = ask_yes_no

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.campaign_model = DiagRowsModel(CAMPAIGN_COLUMNS, self)
        self.campaigns = _table_view(self.campaign_model)
        self.campaigns.setObjectName("campaigns")
        self.campaigns.horizontalHeader().setStretchLastSection(False)
        self.campaigns.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.act_new = self._action("Новая диагностика…", QKeySequence.StandardKey.New, self.add_campaign)
        self.act_edit = self._action("Изменить…", "F2", self.edit_campaign)
        self.act_delete = self._action("Удалить", QKeySequence.StandardKey.Delete, self.delete_campaign)
        self.act_open = self._action("Открыть", "Return", self.open_selected)
        self.campaigns.doubleClicked.connect(lambda _i: self.open_selected())
        self.campaigns.selectionModel().currentRowChanged.connect(
            lambda c, _p: self._on_campaign_row(c.row())
        )

        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.cards_panel = CardsPanel(self)
        self.progress_panel = ProgressPanel(self)
        self.analytics_panel = AnalyticsPanel(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.cards_panel, "Карты")
        self.tabs.addTab(self.progress_panel, "Ход заполнения")
        self.tabs.addTab(self.analytics_panel, "Аналитика")
        self.search = self.cards_panel.search

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.toolbar)
        tl.addWidget(self.campaigns, 1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.heading)
        bl.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([140, 600])
        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter)

    def _action(self, text, shortcut, slot) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        act.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addAction(act)
        self.campaigns.addAction(act)
        return act

    # --- loading ------------------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        if not self.loaded:
            self.reload()
        super().showEvent(event)

    def reload(self, keep_id: int | None = None) -> None:
        """Campaigns list (keeps the chosen campaign) and the tabs of the chosen campaign."""
        keep = keep_id if keep_id is not None else self.campaign_id
        with self.factory() as s:
            rows = cards.list_campaigns(s)
        self.campaigns.selectionModel().blockSignals(True)
        self.campaign_model.set_rows(rows)
        self.campaigns.selectionModel().blockSignals(False)
        self.loaded = True
        r = self.campaign_model.row_of_id(keep) if keep is not None else None
        if r is None and rows:
            r = 0
        if r is None:
            self.set_campaign(None, force=True)
            return
        self.campaigns.selectionModel().blockSignals(True)
        self.campaigns.selectRow(r)
        self.campaigns.selectionModel().blockSignals(False)
        self.set_campaign(self.campaign_model.row_at(r).id, force=True)

    def _on_campaign_row(self, row: int) -> None:
        if row >= 0:
            self.set_campaign(self.campaign_model.row_at(row).id)

    def set_campaign(self, campaign_id: int | None, force: bool = False) -> None:
        if campaign_id == self.campaign_id and not force:
            return
        self.campaign_id = campaign_id
        self._show_heading()
        for p in (self.cards_panel, self.progress_panel, self.analytics_panel):
            p.set_campaign(campaign_id)
        for a in (self.act_edit, self.act_delete, self.act_open):
            a.setEnabled(campaign_id is not None)

    def _show_heading(self) -> None:
        if self.campaign_id is None:
            self.heading.setText("Диагностик пока нет. «Новая диагностика…» — создать первую.")
            return
        with self.factory() as s:
            c = cards.get_campaign(s, self.campaign_id)
            if c is None:
                self.heading.clear()
                return
            basis = c.basis
            if c.order_id is not None:
                o = orders_svc.get_order(s, c.order_id)
                if o is not None:
                    basis = f"приказ № {orders_svc.number_label(o)} от {format_date(o.date)} «{o.title}»"
            dates = " – ".join(format_date(d) for d in (c.date_from, c.date_to) if d)
            text = (
                f"<b>{c.title}</b> — {cards.STAGES[c.stage]} диагностика, {c.school_year} уч. год"
                + (f"; сроки: {dates}" if dates else "")
                + (f"; основание: {basis}" if basis else "")
                + f"; школ: {len(cards.campaign_school_ids(c))}."
            )
        self.heading.setText(text)

    # --- campaigns ------------------------------------------------------------------------------------------------
    def selected_campaign(self):
        i = self.campaigns.currentIndex()
        return self.campaign_model.row_at(i.row()) if i.isValid() else None

    def make_campaign_dialog(self, campaign_id: int | None):
        from moc_desktop.ui.diag_campaign_dialog import CampaignDialog

        return CampaignDialog(self.factory, campaign_id, self)

    def add_campaign(self) -> None:
        dlg = self.make_campaign_dialog(None)
        if dlg.exec():
            self.reload(keep_id=dlg.campaign_id)
            self.changed.emit()
            self.status_message.emit("Диагностика создана.")

    def edit_campaign(self) -> None:
        row = self.selected_campaign()
        if row is None:
            return
        dlg = self.make_campaign_dialog(row.id)
        if dlg.exec():
            self.reload(keep_id=row.id)
            self.changed.emit()

    def delete_campaign(self) -> None:
        row = self.selected_campaign()
        if row is None:
            return
        text = f"Удалить диагностику «{row.title}»?"
        if row.cards:
            text += f"\nВ ней карт: {row.cards}; они останутся в базе, но диагностика исчезнет из списков."
        if not self.confirm(self, "Удаление", text):
            return
        with session_scope(self.factory) as s:
            c = cards.get_campaign(s, row.id)
            if c is not None:
                cards.delete_campaign(s, c)
        self.campaign_id = None
        self.reload()
        self.changed.emit()
        self.status_message.emit(f"Диагностика удалена: {row.title}")

    def open_selected(self) -> None:
        row = self.selected_campaign()
        if row is None:
            return
        self.set_campaign(row.id)
        self.tabs.setCurrentWidget(self.cards_panel)
        self.cards_panel.table.setFocus()

    # --- cards ----------------------------------------------------------------------------------------------------
    def make_card_dialog(self, card_id: int | None, person_id: int | None = None):
        from moc_desktop.ui.diag_card_dialog import CardDialog

        return CardDialog(self.factory, self.campaign_id, card_id, self, person_id=person_id)

    def open_card(self, card_id: int | None) -> None:
        if self.campaign_id is None:
            return
        try:
            dlg = self.make_card_dialog(card_id)
        except ValidationError as exc:
            QMessageBox.warning(self, "Карта", "\n".join(exc.errors.values()))
            return
        if dlg.exec():
            self.card_saved(dlg)

    def card_saved(self, dlg) -> None:
        """After the card dialog saved: lists and totals reload, the status bar tells the result."""
        self.data_changed(keep_card=dlg.card_id)
        total = dlg.saved_result.combined["total"] if dlg.saved_result else None
        level = scoring.LEVEL_TITLES.get(total.level, "") if total and total.level else ""
        self.status_message.emit(
            f"Карта сохранена: {dlg.saved_fio} — {pct_text(total.percent if total else None)}"
            + (f" ({level})" if level else "")
            + f"; дефицитов: {len(dlg.saved_deficits)}"
        )

    def data_changed(self, keep_card: int | None = None) -> None:
        """Cards changed: campaign counts, cards list (keeping the card), progress and analytics reload."""
        with self.factory() as s:
            rows = cards.list_campaigns(s)
        self.campaigns.selectionModel().blockSignals(True)
        self.campaign_model.set_rows(rows)
        r = self.campaign_model.row_of_id(self.campaign_id) if self.campaign_id is not None else None
        if r is not None:
            self.campaigns.selectRow(r)
        self.campaigns.selectionModel().blockSignals(False)
        self.cards_panel.stale = False
        self.cards_panel.load(keep_id=keep_card)
        self.progress_panel.mark_stale()
        self.analytics_panel.mark_stale()
        self.changed.emit()
