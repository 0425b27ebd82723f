"""Entry of a diagnostic card (seed 003, Приложение 3): the 16 × 3 grid grouped by the five competences, typed
from the keyboard, with live totals, percents and levels; the тезаурус as help. Scoring is ``scoring``'s."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import staff as staff_svc
from moc_desktop.services.common import ValidationError
from moc_desktop.services.diagnostics import analytics, cards, scoring
from moc_desktop.ui.diag_common import RATER_SHORT, level_html, level_item, level_text, pct_text, ro_item
from moc_desktop.ui.dialogs import EditorDialog

TOTALS = (
    ("maximum", "Максимальный балл"),
    ("achieved", "Итоговый балл"),
    ("percent", "Процент"),
    ("level", "Уровень"),
)
RATER_LETTERS = {"self": "С", "shmo": "Ш", "deputy": "З"}  # as in the cards list («Оценщики»)
SCORE_TINTS = {2: "#e3f2e5", 1: "#fff4d6", 0: "#fbe3e3"}  # light tints of the level colours
SECTION_BG = "#e8eaf6"
TOTAL_BG = "#f1f1f1"
INK = "#000000"
HINT = (
    "0, 1, 2 — оценка, курсор переходит ниже (после последнего критерия — к следующему оценщику); «-» — пусто и "
    "ниже; Delete, Backspace — очистить; стрелки, Tab — перемещение. Пусто — не ноль: максимальный балл "
    "оценщика уменьшается."
)


class ScoreGrid(QTableWidget):
    """The card grid: section rows per competence, a row per criterion, a column per rater, totals at the end.

    Only the score cells can be current; values are set by typing (no editor)."""

    scores_changed = Signal()
    competence_changed = Signal(int)

    FIRST = 2  # column of the first rater

    def __init__(self, tpl: cards.Template, parent=None):
        self.tpl = tpl
        self.kinds: list[tuple[str, object]] = []
        for comp in tpl.competences:
            self.kinds.append(("section", comp))
            self.kinds += [("criterion", c) for c in tpl.criteria if c.competence == comp.number]
        self.kinds += [("total", key) for key, _title in TOTALS]
        super().__init__(len(self.kinds), self.FIRST + len(scoring.RATERS), parent)
        self.setObjectName("score_grid")
        self.values: dict[str, dict[str, int | None]] = {
            r: {code: None for code in tpl.codes} for r in scoring.RATERS
        }
        self.score_rows: list[int] = []
        self.row_code: dict[int, str] = {}
        self.row_comp: dict[int, int] = {}
        self.section_row: dict[int, int] = {}
        self.total_row: dict[str, int] = {}
        self._build()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(0, 38)
        for j in range(len(scoring.RATERS)):
            header.setSectionResizeMode(self.FIRST + j, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(self.FIRST + j, 116)
        self.currentCellChanged.connect(self._on_current)

    # --- building ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        for c, title in enumerate(("№", "Критерий")):
            self.setHorizontalHeaderItem(c, QTableWidgetItem(title))
        for j, r in enumerate(scoring.RATERS):
            item = QTableWidgetItem(RATER_SHORT[r])
            item.setToolTip(scoring.RATER_TITLES[r])
            self.setHorizontalHeaderItem(self.FIRST + j, item)
        bold = QFont(self.font())
        bold.setBold(True)
        for row, (kind, obj) in enumerate(self.kinds):
            if kind == "section":
                self.section_row[obj.number] = row
                tip = obj.definition or obj.title
                title = self._fixed(f"{obj.number}. {obj.title}", SECTION_BG, tip)
                title.setFont(bold)
                self.setItem(row, 0, title)
                self.setSpan(row, 0, 1, 2)
                for j in range(len(scoring.RATERS)):
                    cell = self._fixed(
                        "", SECTION_BG, "Баллы оценщика по компетенции: набрано/максимум · процент"
                    )
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.setItem(row, self.FIRST + j, cell)
            elif kind == "criterion":
                self.score_rows.append(row)
                self.row_code[row] = obj.code
                self.row_comp[row] = obj.competence
                definition = self.tpl.competence(obj.competence).definition
                self.setItem(row, 0, self._fixed(obj.code, "", definition))
                self.setItem(row, 1, self._fixed(obj.title, "", f"{obj.title}\n\n{definition}"))
                for j, r in enumerate(scoring.RATERS):
                    item = QTableWidgetItem("")
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setFont(bold)
                    item.setToolTip(f"{scoring.RATER_TITLES[r]}: 0, 1, 2 или пусто")
                    self.setItem(row, self.FIRST + j, item)
            else:
                self.total_row[obj] = row
                label = self._fixed(dict(TOTALS)[obj], TOTAL_BG)
                label.setFont(bold)
                self.setItem(row, 0, label)
                self.setSpan(row, 0, 1, 2)
                for j in range(len(scoring.RATERS)):
                    cell = self._fixed("", TOTAL_BG)
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    cell.setFont(bold)
                    self.setItem(row, self.FIRST + j, cell)

    @staticmethod
    def _fixed(text: str, bg: str, tooltip: str = "") -> QTableWidgetItem:
        """A cell that cannot become current (so the cursor stays on the scores) but looks normal."""
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setForeground(QColor(INK))
        if bg:
            item.setBackground(QColor(bg))
        if tooltip:
            item.setToolTip(tooltip)
        return item

    # --- values -----------------------------------------------------------------------------------------------
    def cell_of(self, rater: str, code: str) -> tuple[int, int]:
        row = next(r for r, c in self.row_code.items() if c == code)
        return row, self.FIRST + scoring.RATERS.index(rater)

    def value(self, rater: str, code: str) -> int | None:
        return self.values[rater][code]

    def scores(self) -> dict[str, dict[str, int | None]]:
        return {r: dict(v) for r, v in self.values.items()}

    def set_scores(self, scores: scoring.Scores | None) -> None:
        for r in scoring.RATERS:
            given = (scores or {}).get(r) or {}
            for code in self.tpl.codes:
                self._put(r, code, given.get(code))
        self.scores_changed.emit()

    def is_empty(self) -> bool:
        return all(v is None for r in self.values.values() for v in r.values())

    def _put(self, rater: str, code: str, v: int | None) -> None:
        self.values[rater][code] = v
        row, col = self.cell_of(rater, code)
        item = self.item(row, col)
        item.setText("" if v is None else str(v))
        item.setBackground(QColor(SCORE_TINTS[v]) if v is not None else QColor("#ffffff"))

    def set_cell(self, row: int, col: int, v: int | None) -> None:
        if row not in self.row_code or not self._is_rater_col(col):
            return
        rater = scoring.RATERS[col - self.FIRST]
        if self.values[rater][self.row_code[row]] == v:
            return
        self._put(rater, self.row_code[row], v)
        self.scores_changed.emit()

    def show_result(self, result: scoring.CardScore) -> None:
        """Per-competence subtotals on the section rows and the totals rows (from ``scoring.score_card``)."""
        for j, r in enumerate(scoring.RATERS):
            col = self.FIRST + j
            parts = result.raters[r]
            for number, row in self.section_row.items():
                p = parts[number]
                self.item(row, col).setText(
                    f"{p.achieved}/{p.maximum} · {pct_text(p.percent)}" if p.maximum else "—"
                )
            total = parts["total"]
            self.item(self.total_row["maximum"], col).setText(str(total.maximum))
            self.item(self.total_row["achieved"], col).setText(str(total.achieved))
            self.item(self.total_row["percent"], col).setText(pct_text(total.percent))
            lv = level_item(total.level, None if total.level else "—", bold=False)
            lv.setFlags(Qt.ItemFlag.NoItemFlags)
            if total.level is None:
                lv.setBackground(QColor(TOTAL_BG))
                lv.setForeground(QColor(INK))
            self.setItem(self.total_row["level"], col, lv)

    # --- keyboard ---------------------------------------------------------------------------------------------
    def _is_rater_col(self, col: int) -> bool:
        return self.FIRST <= col < self.FIRST + len(scoring.RATERS)

    def _pos(self) -> tuple[int, int]:
        """(index in score_rows, rater index) of the current cell; the first cell when elsewhere."""
        row, col = self.currentRow(), self.currentColumn()
        if row not in self.row_code or not self._is_rater_col(col):
            return 0, 0
        return self.score_rows.index(row), col - self.FIRST

    def go(self, i: int, j: int) -> None:
        i = min(max(i, 0), len(self.score_rows) - 1)
        j = min(max(j, 0), len(scoring.RATERS) - 1)
        self.setCurrentCell(self.score_rows[i], self.FIRST + j)

    def start(self) -> None:
        """Put the cursor on the first score cell (when it is not on one)."""
        if self.currentRow() not in self.row_code or not self._is_rater_col(self.currentColumn()):
            self.go(0, 0)

    def _type(self, v: int | None) -> None:
        i, j = self._pos()
        self.set_cell(self.score_rows[i], self.FIRST + j, v)
        if i + 1 < len(self.score_rows):
            self.go(i + 1, j)
        elif j + 1 < len(scoring.RATERS):  # the column is done: on to the next rater
            self.go(0, j + 1)
        else:
            self.go(i, j)

    def keyPressEvent(self, e) -> None:
        key, text = e.key(), e.text()
        mods = e.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if mods or key == Qt.Key.Key_Escape:
            e.ignore()  # shortcuts and Esc belong to the dialog
            return
        e.accept()
        K = Qt.Key
        digit = {K.Key_0: 0, K.Key_1: 1, K.Key_2: 2}.get(key)
        if digit is None and text in ("0", "1", "2"):
            digit = int(text)
        i, j = self._pos()
        n = len(self.score_rows)
        if digit is not None:
            self._type(digit)
        elif key == K.Key_Minus or text == "-":
            self._type(None)
        elif key in (K.Key_Delete, K.Key_Backspace):
            self.set_cell(self.score_rows[i], self.FIRST + j, None)
            self.go(i, j)
        elif key in (K.Key_Down, K.Key_Return, K.Key_Enter):
            self.go(i + 1, j)
        elif key == K.Key_Up:
            self.go(i - 1, j)
        elif key == K.Key_Left:
            self.go(i, j - 1)
        elif key == K.Key_Right:
            self.go(i, j + 1)
        elif key == K.Key_Tab:
            last = len(scoring.RATERS) - 1
            self.go(i + 1, 0) if j == last and i + 1 < n else self.go(i, min(j + 1, last))
        elif key == K.Key_Backtab:
            last = len(scoring.RATERS) - 1
            self.go(i - 1, last) if j == 0 and i > 0 else self.go(i, max(j - 1, 0))
        elif key in (K.Key_Home, K.Key_PageUp):
            self.go(0, j)
        elif key in (K.Key_End, K.Key_PageDown):
            self.go(n - 1, j)
        # any other key: nothing

    def mousePressEvent(self, e) -> None:
        """A click on a criterion's title puts the cursor on its first score."""
        index = self.indexAt(e.position().toPoint())
        if index.isValid() and index.row() in self.row_code and not self._is_rater_col(index.column()):
            self.setCurrentCell(index.row(), self.FIRST + max(self._pos()[1], 0))
            self.setFocus()
            return
        super().mousePressEvent(e)

    def focusInEvent(self, e) -> None:
        super().focusInEvent(e)
        self.start()

    def _on_current(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        if row in self.row_comp:
            self.competence_changed.emit(self.row_comp[row])


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _teacher_label(r: staff_svc.StaffRow) -> str:
    return f"{r.fio} — {r.school}" if r.school else r.fio


class CardDialog(EditorDialog):
    """A teacher's card in a campaign: new (choose the teacher) or existing (``card_id``)."""

    RESULT_COLS = ("Итог", "Уровень", "Разрыв")

    def __init__(
        self,
        factory,
        campaign_id: int,
        card_id: int | None = None,
        parent=None,
        person_id: int | None = None,
    ):
        super().__init__("Диагностическая карта", parent)
        self.resize(1280, 840)
        self.factory = factory
        self.campaign_id = campaign_id
        self.card_id = card_id
        self.saved_deficits: list[analytics.Deficit] = []
        self.saved_result: scoring.CardScore | None = None
        with factory() as s:
            camp = cards.get_campaign(s, campaign_id)
            if camp is None:
                raise ValidationError({"campaign": "Диагностика не найдена."})
            self.campaign_text = (
                f"«{camp.title}», {cards.STAGES[camp.stage]} диагностика, {camp.school_year} уч. год"
            )
            school_ids = set(cards.campaign_school_ids(camp))
            card = cards.get_card(s, card_id) if card_id else None
            if card is not None and card.deleted_at is not None:
                card = None
            current_pid = card.person_id if card else person_id
            self.teachers = [
                r
                for r in staff_svc.list_staff(s)
                if not school_ids or r.school_id in school_ids or r.id == current_pid
            ]
            self.teachers.sort(key=lambda r: (r.school, r.fio))
            self.existing = {r.person_id: r.id for r in cards.list_cards(s, campaign_id)}
            self.tpl = cards.template(s, card.template_version if card else camp.template_version)
            scores = cards.card_scores(card, self.tpl) if card else None
            note = card.note if card else ""
        self.comp_titles = {c.number: c.short for c in self.tpl.competences}
        self._build_card_tab()
        self._build_thesaurus_tab()
        self.note.setText(note)
        if current_pid is not None:
            self.teacher.setCurrentIndex(max(self.teacher.findData(current_pid), 0))
        self.teacher.setEnabled(card is None)
        self._show_teacher()
        if scores is None and current_pid in self.existing:
            self._load_card(self.existing[current_pid])
        else:
            self.grid.set_scores(scores)
        self.take_snapshot()
        self.teacher.currentIndexChanged.connect(lambda _i: self._on_teacher())
        self.grid.setFocus()
        self.grid.go(0, 0)

    # --- layout -------------------------------------------------------------------------------------------------
    def _build_card_tab(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        head = QLabel(
            f"<b>Диагностика:</b> {html.escape(self.campaign_text)}. Версия карты: {self.tpl.version}."
        )
        head.setObjectName("campaign")
        lay.addWidget(head)

        self.teacher = QComboBox()
        self.teacher.setObjectName("teacher")
        self.teacher.setEditable(True)
        self.teacher.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.teacher.addItem("", None)
        for r in self.teachers:
            self.teacher.addItem(_teacher_label(r), r.id)
        completer = QCompleter(self.teacher.model(), self.teacher)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.teacher.setCompleter(completer)
        self.teacher.lineEdit().setPlaceholderText("Начните вводить фамилию…")
        self.post = self._ro_line("post")
        self.contacts = self._ro_line("contacts")
        self.school = self._ro_line("school")
        left, right = QFormLayout(), QFormLayout()
        self.errors.add_row(left, "person", "ФИО участника*", self.teacher)
        left.addRow("Должность", self.post)
        right.addRow("Контактные данные", self.contacts)
        right.addRow("Сокращенное наименование ОО", self.school)
        self.existing_label = QLabel()
        self.existing_label.setObjectName("existing")
        self.existing_label.setStyleSheet("color: #555;")
        right.addRow("", self.existing_label)
        header = QHBoxLayout()
        header.addLayout(left, 1)
        header.addLayout(right, 1)
        lay.addLayout(header)

        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #444;")
        lay.addWidget(hint)

        self.grid = ScoreGrid(self.tpl)
        self.grid.scores_changed.connect(self.recompute)
        self.grid.competence_changed.connect(self._show_help)
        grid_box = QWidget()
        gl = QVBoxLayout(grid_box)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.addWidget(self.grid, 1)
        err = QLabel()
        gl.addWidget(err)
        self.errors.add_label("scores", err, self.grid)

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(_wrapped("<b>Результат</b> (уровень — по среднему проценту оценщиков)"))
        self.results = QTableWidget(len(self.tpl.competences) + 1, len(self.RESULT_COLS))
        self.results.setObjectName("results")
        self.results.setHorizontalHeaderLabels(self.RESULT_COLS)
        self.results.setVerticalHeaderLabels(
            [f"{c.number}. {c.short}" for c in self.tpl.competences] + ["Карта в целом"]
        )
        for i, c in enumerate(self.tpl.competences):
            self.results.verticalHeaderItem(i).setToolTip(c.definition)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.verticalHeader().setDefaultSectionSize(22)
        rh = self.results.horizontalHeader()
        rh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.horizontalHeaderItem(0).setToolTip("Среднее процентов оценщиков, оценивших компетенцию")
        self.results.horizontalHeaderItem(2).setToolTip(
            "Самооценка минус средняя внешняя оценка (ШМО, зам. по УВР), п.п."
        )
        self.results.setFixedHeight(22 * (len(self.tpl.competences) + 1) + rh.sizeHint().height() + 6)
        sl.addWidget(self.results)
        self.total_label = QLabel()
        self.total_label.setObjectName("total")
        self.total_label.setTextFormat(Qt.TextFormat.RichText)
        sl.addWidget(self.total_label)
        self.gap_label = QLabel()
        self.gap_label.setObjectName("gap")
        self.gap_label.setWordWrap(True)
        sl.addWidget(self.gap_label)
        sl.addWidget(
            _wrapped(
                "<b>Дефициты</b> — внешний оценщик поставил 0 (С — самооценка, Ш — ШМО, З — зам. по УВР):"
            )
        )
        self.deficits = QListWidget()
        self.deficits.setObjectName("deficits")
        self.deficits.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.deficits.setMaximumHeight(84)
        self.deficits.setWordWrap(True)
        sl.addWidget(self.deficits)
        sl.addWidget(QLabel("<b>Справка: тезаурус компетенции</b>"))
        self.help = QTextBrowser()
        self.help.setObjectName("help")
        self.help.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        sl.addWidget(self.help, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(grid_box)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([780, 480])
        lay.addWidget(split, 1)

        note_row = QFormLayout()
        self.note = QLineEdit()
        self.note.setObjectName("note")
        note_row.addRow("Примечание", self.note)
        lay.addLayout(note_row)
        self.field_tab.update({"person": 0, "scores": 0})
        self.tabs.addTab(page, "Карта")

    def _ro_line(self, name: str) -> QLineEdit:
        e = QLineEdit()
        e.setObjectName(name)
        e.setReadOnly(True)
        e.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        e.setStyleSheet("background: #f4f4f4;")
        return e

    def _build_thesaurus_tab(self) -> None:
        view = QTextBrowser()
        view.setObjectName("thesaurus")
        parts = [f"<h3>{html.escape(self.tpl.title)}</h3>"]
        if self.tpl.instruction:
            parts.append(f"<p>{html.escape(self.tpl.instruction)}</p>")
        parts.append(
            "<p>2 — оптимальный, 1 — достаточный, 0 — критический уровень. Уровень карты и компетенции: "
            f"ОПТИМАЛЬНЫЙ — от {scoring.OPTIMAL_FROM:.0f} %, ДОСТАТОЧНЫЙ — от {scoring.SUFFICIENT_FROM:.0f} до "
            f"{scoring.OPTIMAL_FROM:.0f} %, КРИТИЧЕСКИЙ — ниже {scoring.SUFFICIENT_FROM:.0f} %.</p>"
        )
        for c in self.tpl.competences:
            crit = "".join(
                f"<li>{html.escape(k.code)} {html.escape(k.title)}</li>"
                for k in self.tpl.criteria
                if k.competence == c.number
            )
            parts.append(
                f"<h4>{c.number}. {html.escape(c.title)}</h4><p>{html.escape(c.definition)}</p><ul>{crit}</ul>"
            )
        view.setHtml("".join(parts))
        self.tabs.addTab(view, "Тезаурус")

    # --- behaviour ------------------------------------------------------------------------------------------------
    def person_id(self) -> int | None:
        i = self.teacher.findText(self.teacher.currentText().strip(), Qt.MatchFlag.MatchExactly)
        return self.teacher.itemData(i) if i > 0 else None

    def _teacher_row(self) -> staff_svc.StaffRow | None:
        pid = self.person_id()
        return next((r for r in self.teachers if r.id == pid), None)

    def _show_teacher(self) -> None:
        r = self._teacher_row()
        self.post.setText(r.positions if r else "")
        self.contacts.setText("; ".join(x for x in (r.phone, r.email) if x) if r else "")
        self.school.setText(r.school if r else "")
        pid = r.id if r else None
        if self.card_id is None and pid in self.existing:
            self.existing_label.setVisible(True)
            self.existing_label.setText(
                "У педагога уже есть карта в этой диагностике: сохранение её обновит."
            )
        else:
            self.existing_label.clear()
            self.existing_label.setVisible(False)

    def _on_teacher(self) -> None:
        self._show_teacher()
        pid = self.person_id()
        if self.card_id is None and pid in self.existing:
            if self.grid.is_empty() or self.confirm(
                self,
                "Карта уже есть",
                "У педагога уже есть карта в этой диагностике. Открыть её? Введённые оценки будут заменены.",
            ):
                self._load_card(self.existing[pid])

    def _load_card(self, card_id: int) -> None:
        with self.factory() as s:
            card = cards.get_card(s, card_id)
            self.grid.set_scores(cards.card_scores(card, self.tpl))
            if not self.note.text().strip():
                self.note.setText(card.note)

    def _show_help(self, number: int) -> None:
        c = self.tpl.competence(number)
        crit = "".join(
            f"<li>{html.escape(k.code)} {html.escape(k.title)}</li>"
            for k in self.tpl.criteria
            if k.competence == number
        )
        self.help.setHtml(
            f"<p><b>{number}. {html.escape(c.title)}</b></p><p>{html.escape(c.definition)}</p><ul>{crit}</ul>"
        )

    def recompute(self) -> None:
        """Totals, percents, levels and deficits of what is typed (``scoring.score_card``)."""
        result = scoring.score_card(self.grid.scores(), self.tpl.pairs)
        self.card_result = result
        self.grid.show_result(result)
        keys = [c.number for c in self.tpl.competences] + ["total"]
        for i, key in enumerate(keys):
            comb = result.combined[key]
            item = ro_item(pct_text(comb.percent), True)
            f = item.font()
            f.setBold(True)
            item.setFont(f)
            self.results.setItem(i, 0, item)
            self.results.setItem(
                i, 1, level_item(comb.level, level_text(comb.level).capitalize() or "—", bold=False)
            )
            self.results.setItem(i, 2, ro_item(pct_text(result.gap.get(key), sign=True), True))
        total = result.combined["total"]
        self.total_label.setText(
            f"<span style='font-size:14pt'><b>Итог по карте:</b> {level_html(total.percent, total.level)}</span>"
        )
        gap = result.gap.get("total")
        if gap is None:
            self.gap_label.setText("Разрыв самооценки и внешней оценки: нет данных.")
        else:
            warn = gap >= analytics.GAP_SIGNAL
            text = f"Самооценка минус внешняя оценка: {pct_text(gap, sign=True)} п.п."
            self.gap_label.setText(
                f"<span style='color:#c62828'><b>{text}</b> — самооценка завышена.</span>" if warn else text
            )
        self.deficits.clear()
        by_code = {c.code: c for c in self.tpl.criteria}
        scores = self.grid.scores()
        for code in result.deficits:
            marks = ", ".join(
                f"{RATER_LETTERS[r]} {'—' if scores[r][code] is None else scores[r][code]}"
                for r in scoring.RATERS
            )
            item = QListWidgetItem(f"{code} {by_code[code].title} ({marks})")
            item.setToolTip(
                "\n".join(f"{scoring.RATER_TITLES[r]}: {scores[r][code]}" for r in scoring.RATERS).replace(
                    "None", "—"
                )
            )
            self.deficits.addItem(item)
        if not result.deficits:
            self.deficits.addItem("нет")

    def collect_snapshot(self):
        scores = self.grid.scores()
        return (
            self.person_id(),
            tuple(scores[r][c] for r in scoring.RATERS for c in self.tpl.codes),
            self.note.text().strip(),
        )

    def write(self) -> None:
        pid = self.person_id()
        if pid is None:
            raise ValidationError({"person": "Выберите педагога из списка."})
        with session_scope(self.factory) as s:
            camp = cards.get_campaign(s, self.campaign_id)
            card = cards.save_card(s, camp, pid, self.grid.scores(), self.note.text())
            self.card_id = card.id
            self.saved_deficits = analytics.teacher_deficits(s, card)
            self.saved_result = scoring.score_card(self.grid.scores(), self.tpl.pairs)
        self.saved_fio = self._teacher_row().fio if self._teacher_row() else ""
