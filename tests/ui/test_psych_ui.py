"""The «Психолог» page: what each role sees, the journal (lazy list, dialog, filters, delete, history, Excel import),
the code table, the locked journal opened with the recovery key, the aggregates and annual reports."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QTableView
from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import AuditLog
from moc_desktop.services import auth, schools
from moc_desktop.services.psych import clients as clients_svc
from moc_desktop.services.psych import journal
from moc_desktop.ui.psych import CONFIDENTIAL_NOTE, PsychPage
from moc_desktop.ui.psych_dialogs import SessionDialog
from tests.ui.conftest import type_text

PASSWORD = "parol-12345"
TODAY = date.today()


@pytest.fixture
def env(configured):
    """Two schools, a psychologist (with the journal key) and a methodist, signed in once."""
    with session_scope(configured) as s:
        created = auth.create_user(s, "psy", "Иванова Мария Петровна", "psychologist", PASSWORD)
        recovery = created.recovery_key
        auth.create_user(s, "metod", "Кузнецов Павел Андреевич", "methodist", PASSWORD)
        a = schools.save_school(s, {"short_name": "МКОУ «Шеркальская СОШ»"}).id
        b = schools.save_school(s, {"short_name": "МБОУ «Андринская СОШ»"}).id
    with session_scope(configured) as s:
        psy = auth.authenticate(s, "psy", PASSWORD)
    with session_scope(configured) as s:
        metod = auth.authenticate(s, "metod", PASSWORD)
    auth.bind_actor(configured, psy)
    assert psy.journal_key is not None
    return {"factory": configured, "psy": psy, "metod": metod, "schools": [a, b], "recovery": recovery}


def entry(i: int, school_id: int | None = None, **kw) -> journal.SessionData:
    kinds = list(journal.KINDS)
    base = {
        "held_on": TODAY - timedelta(days=i % 300),
        "kind": kinds[i % len(kinds)],
        "client_category": "pupil",
        "client_class": "7Б",
        "client_code": f"О-{i % 50 + 1:04d}",
        "school_id": school_id,
        "duration_min": 45,
    }
    base.update(kw)
    return journal.SessionData(**base)


def seed(factory, user, entries: list[journal.SessionData]) -> list[str]:
    with session_scope(factory) as s:
        s.info["audit"] = False  # a fast fixture; the audit of saving is tested in the unit tests
        return [journal.save_session(s, user, d) for d in entries]


def make_page(qtbot, factory, user):
    holder = {"user": user, "changed": []}

    def changed(u):
        holder["user"] = u
        holder["changed"].append(u)

    page = PsychPage(factory, lambda: holder["user"], on_user_changed=changed)
    page.holder = holder
    page.warnings = []
    page.warn = lambda _p, title, text: page.warnings.append((title, text))
    page.messages = []
    page.info = lambda _p, title, text: page.messages.append((title, text))
    page.run_dialog = lambda d: None  # tests drive the dialogs themselves
    qtbot.addWidget(page)
    page.resize(1400, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


def save_button(dlg):
    return dlg.buttons.button(QDialogButtonBox.StandardButton.Save)


# --- roles ------------------------------------------------------------------------------------------------------


def test_methodist_sees_only_the_summary(qtbot, env, tmp_path):
    seed(env["factory"], env["psy"], [entry(i, env["schools"][i % 2]) for i in range(6)])
    page = make_page(qtbot, env["factory"], env["metod"])
    assert page.loaded and page.mode == "summary"
    assert page.tabs.count() == 1 and page.tabs.tabText(0) == "Сводка"
    assert page.findChild(QTableView, "journal_table") is None
    assert page.findChild(QTableView, "clients_table") is None
    assert not hasattr(page, "model")
    assert page.summary_view.note.text() == CONFIDENTIAL_NOTE
    sv = page.summary_view
    sv.date_from.setDate(sv.date_from.date().addYears(-2))
    sv.date_to.setDate(sv.date_to.date().addYears(1))
    sv.reload()
    assert "записей — 6" in sv.totals.text()
    kinds = {sv.by_kind.item(r, 0).text(): sv.by_kind.item(r, 1).text() for r in range(sv.by_kind.rowCount())}
    assert sum(int(n) for n in kinds.values()) == 6
    schools_shown = {sv.by_school.item(r, 0).text() for r in range(sv.by_school.rowCount())}
    assert "МКОУ «Шеркальская СОШ»" in schools_shown
    texts = " ".join(w.text() for w in page.findChildren(type(sv.totals)))
    assert "О-0001" not in texts  # no codes anywhere
    buttons = {sv.docx_button.text(), sv.xlsx_button.text()}
    assert buttons == {"Отчёт за год (Word)…", "Отчёт за год (Excel)…"}

    year = sv.year.currentText()
    sv.year.setCurrentIndex(0)
    task = sv.report("docx", str(tmp_path / "report.docx"))
    qtbot.waitUntil(lambda: task.finished, timeout=15000)
    doc = Document(str(tmp_path / "report.docx"))
    body = "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "педагога-психолога" in body and year in body
    assert "О-0001" not in body
    task = sv.report("xlsx", str(tmp_path / "report.xlsx"))
    qtbot.waitUntil(lambda: task.finished, timeout=15000)
    wb = load_workbook(tmp_path / "report.xlsx")
    assert "По видам работы" in wb.sheetnames
    assert page.warnings == []


# --- the journal --------------------------------------------------------------------------------------------------


def test_psychologist_adds_an_entry_through_the_dialog(qtbot, env):
    page = make_page(qtbot, env["factory"], env["psy"])
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Журнал",
        "Журнал учёта видов работы",
        "Клиенты",
        "Сводка",
    ]
    assert page.model.rowCount() == 0 and page.count_label.text() == "Найдено: 0"
    dlg = page.session_dialog()
    qtbot.addWidget(dlg)
    assert dlg.held_on.date().toPython() == TODAY
    assert dlg.category.currentData() == "pupil" and dlg.client_class.isEnabled()
    assert not dlg.group_size.isEnabled()
    dlg.school.setCurrentIndex(dlg.school.findData(env["schools"][0]))
    type_text(dlg.client_class, "7Б")
    dlg.new_code_button.click()
    assert dlg.code.text() == "О-0001"
    dlg.kind.setCurrentIndex(dlg.kind.findData("diagnostics"))
    type_text(dlg.start_time, "10:30")
    type_text(dlg.texts["request"], "Тревожность перед экзаменом")
    type_text(dlg.texts["recommendations"], "Упражнения на дыхание")
    save_button(dlg).click()
    assert dlg.result() == dlg.DialogCode.Accepted, dlg.general_error.text()
    assert page.model.rowCount() == 1
    assert page.count_label.text() == "Найдено: 1"
    m = page.model
    cells = [m.data(m.index(0, c)) for c in range(m.columnCount())]
    assert cells[0] == TODAY.strftime("%d.%m.%Y")
    assert cells[1:4] == ["10:30", "45", "МКОУ «Шеркальская СОШ»"]
    assert cells[5:7] == ["7Б", "О-0001"] and cells[9] == "диагностика" and cells[11] == "Иванова М.П."
    with session_scope(env["factory"]) as s:
        data = journal.open_session(s, env["psy"], dlg.uuid)
    assert data.request == "Тревожность перед экзаменом" and data.recommendations == "Упражнения на дыхание"


def test_pupil_without_class_shows_the_message_next_to_the_field(qtbot, env):
    page = make_page(qtbot, env["factory"], env["psy"])
    dlg = page.session_dialog()
    qtbot.addWidget(dlg)
    type_text(dlg.code, "О-0005")
    save_button(dlg).click()
    label = dlg.errors.label("client_class")
    assert not label.isHidden() and "класс" in label.text()
    assert dlg.result() != dlg.DialogCode.Accepted
    assert page.model.rowCount() == 0
    # a group: the class field stays, the group size becomes editable; individual needs a code
    dlg.form.setCurrentIndex(dlg.form.findData("group"))
    assert dlg.group_size.isEnabled()
    dlg.category.setCurrentIndex(dlg.category.findData("teacher"))
    assert not dlg.client_class.isEnabled()
    # Cancel after changes asks first
    asked, rejected = [], []
    dlg.rejected.connect(lambda: rejected.append(1))
    dlg.confirm = lambda *_a: asked.append(1) or False
    dlg.reject()
    assert asked and not rejected
    dlg.confirm = lambda *_a: True
    dlg.reject()
    assert rejected


def test_opening_an_entry_writes_an_audit_row(qtbot, env):
    [uuid] = seed(env["factory"], env["psy"], [entry(1, request="Конфликт с одноклассниками")])
    page = make_page(qtbot, env["factory"], env["psy"])
    page.table.selectRow(0)
    dlg = page.open_entry()
    qtbot.addWidget(dlg)
    assert dlg.texts["request"].toPlainText() == "Конфликт с одноклассниками"
    with env["factory"]() as s:
        rows = s.scalars(
            select(AuditLog).where(AuditLog.action == "open", AuditLog.record_uuid == uuid)
        ).all()
    assert len(rows) == 1 and rows[0].user_login == "psy"
    # editing through the dialog keeps one entry
    dlg.duration.setValue(60)
    save_button(dlg).click()
    assert page.model.rowCount() == 1 and page.model.data(page.model.index(0, 2)) == "60"


def test_lazy_model_fetches_pages_and_sorts_and_filters_in_sql(qtbot, env):
    a, b = env["schools"]
    seed(env["factory"], env["psy"], [entry(i, (a, b, None)[i % 3]) for i in range(1000)])
    page = make_page(qtbot, env["factory"], env["psy"])
    m = page.model
    assert page.count_label.text() == "Найдено: 1000"
    assert m.total == 1000
    assert m.rowCount() >= m.PAGE and m.rowCount() < 1000
    before = m.rowCount()
    assert m.canFetchMore()
    m.fetchMore()
    assert m.rowCount() == before + m.PAGE
    while m.canFetchMore():
        m.fetchMore()
    assert m.rowCount() == 1000 and not m.canFetchMore()
    dates = [r.held_on for r in m.rows]
    assert dates == sorted(dates, reverse=True)

    queries = m.queries
    page.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.AscendingOrder)  # «Школа»
    assert m.queries == queries + 1 and m.sort_key == "school" and not m.descending
    assert m.rowCount() < 1000  # re-queried: the first page again
    names = [r.school_name for r in m.rows]
    assert names == sorted(names) and names[0] == ""
    page.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)  # «Время»: not sortable
    assert m.queries == queries + 1
    assert page.table.horizontalHeader().sortIndicatorSection() == 3

    page.f_kind.setCurrentIndex(page.f_kind.findData("diagnostics"))
    expected = sum(1 for i in range(1000) if list(journal.KINDS)[i % 7] == "diagnostics")
    qtbot.waitUntil(lambda: m.total == expected, timeout=2000)
    assert page.count_label.text() == f"Найдено: {expected}"
    assert {r.kind for r in m.rows} == {"diagnostics"}
    type_text(page.f_code, "О-0001")
    qtbot.waitUntil(lambda: m.total < expected, timeout=2000)
    assert {r.client_code for r in m.rows} == {"О-0001"}


def test_overdue_follow_up_is_red_and_filtered(qtbot, env):
    seed(
        env["factory"],
        env["psy"],
        [
            entry(10, follow_up_on=TODAY - timedelta(days=3)),
            entry(11, follow_up_on=TODAY + timedelta(days=3)),
            entry(12),
        ],
    )
    page = make_page(qtbot, env["factory"], env["psy"])
    m = page.model
    red = [
        r for r in range(m.rowCount()) if m.data(m.index(r, 0), Qt.ItemDataRole.ForegroundRole) is not None
    ]
    assert len(red) == 1 and m.row_at(red[0]).follow_up_on == TODAY - timedelta(days=3)
    page.f_overdue.setChecked(True)
    page.apply_filter()
    assert m.total == 1 and page.count_label.text() == "Найдено: 1"


def test_delete_asks_and_removes(qtbot, env):
    seed(env["factory"], env["psy"], [entry(1), entry(2)])
    page = make_page(qtbot, env["factory"], env["psy"])
    page.table.selectRow(0)
    asked = []
    page.confirm = lambda _p, _t, text: asked.append(text) or False
    assert page.delete_selected() is False
    assert page.model.total == 2
    page.confirm = lambda _p, _t, text: asked.append(text) or True
    assert page.delete_selected() is True
    assert len(asked) == 2 and "Удалить запись журнала" in asked[0]
    assert page.model.total == 1 and page.count_label.text() == "Найдено: 1"


def test_history_dialog_shows_the_texts(qtbot, env):
    seed(
        env["factory"],
        env["psy"],
        [
            entry(5, client_code="О-0007", request="Первичный запрос: адаптация в 5 классе"),
            entry(40, client_code="О-0007", result="Итог первой встречи: снижена тревожность"),
            entry(3, client_code="О-0008", request="Чужой запрос"),
        ],
    )
    page = make_page(qtbot, env["factory"], env["psy"])
    dlg = page.show_history("О-0007")
    qtbot.addWidget(dlg)
    text = dlg.text.toPlainText()
    assert dlg.list.count() == 2
    first, second = text.index("Итог первой встречи"), text.index("Первичный запрос")
    assert first < second  # oldest first (40 days ago before 5 days ago)
    assert "Чужой запрос" not in text
    opened = []
    dlg.open_entry = opened.append
    dlg.list.setCurrentRow(1)
    dlg.open_button.click()
    assert opened == [dlg.entries[1].uuid]


def test_excel_import_of_a_filled_template(qtbot, env, tmp_path):
    page = make_page(qtbot, env["factory"], env["psy"])
    path = page.save_template(str(tmp_path / "шаблон.xlsx"))
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    day = (TODAY - timedelta(days=7)).strftime("%d.%m.%Y")

    def row(**values):
        return [values.get(h, "") for h in headers]

    common = {"Дата": day, "Категория": "педагог", "Форма": "индивидуальная", "Вид работы": "консультация"}
    for i in range(3):
        ws.append(row(**common, **{"Код клиента": f"П-00{i + 1:02d}", "Запрос": f"Выгорание {i}"}))
    wb.save(path)
    task = page.import_journal(str(path))
    qtbot.waitUntil(lambda: task.finished, timeout=15000)
    assert page.warnings == [], page.warnings
    assert page.model.total == 3
    assert "Добавлено: 3" in page.messages[-1][1]

    # a bad row: refused with the row errors, then «only valid rows» on request
    ws.append(row(**{**common, "Вид работы": "гадание"}, **{"Код клиента": "П-0100"}))
    ws.append(row(**common, **{"Код клиента": "П-0101"}))
    wb.save(path)
    asked = []
    page.ask_valid_only = lambda _p, _t, text: asked.append(text) or True
    task = page.import_journal(str(path))
    qtbot.waitUntil(lambda: page.import_task is not task and page.import_task.finished, timeout=15000)
    assert asked and "гадание" in asked[0]
    assert page.model.total == 4  # the valid new row; the first three are duplicates
    assert "Добавлено: 1" in page.messages[-1][1]


def test_work_kinds_journal_groups_by_kind(qtbot, env):
    seed(env["factory"], env["psy"], [entry(i) for i in range(10)])
    page = make_page(qtbot, env["factory"], env["psy"])
    page.k_from.setDate(page.k_from.date().addYears(-1))
    page.tabs.setCurrentWidget(page.kinds_tab)
    page.reload_kinds()
    tree = page.kinds_tree
    groups = {
        tree.topLevelItem(i).text(0): tree.topLevelItem(i).childCount()
        for i in range(tree.topLevelItemCount())
    }
    assert sum(groups.values()) == 10
    assert groups["консультация — 2"] == 2
    assert page.kinds_total.text() == "Всего записей: 10"


def test_clients_tab_adds_and_deletes_a_code(qtbot, env):
    page = make_page(qtbot, env["factory"], env["psy"])
    page.tabs.setCurrentWidget(page.clients_tab)
    assert page.clients.rowCount() == 0
    dlg = page.client_dialog()
    qtbot.addWidget(dlg)
    assert dlg.code.text() == "О-0001"
    dlg.category.setCurrentIndex(dlg.category.findData("parent"))
    dlg.next_button.click()
    assert dlg.code.text() == "Р-0001"
    type_text(dlg.full_name, "Сидорова Анна Ивановна")
    type_text(dlg.contacts, "8 900 000-00-00")
    save_button(dlg).click()
    assert page.clients.rowCount() == 1
    assert (
        page.clients.item(0, 0).text() == "Р-0001"
        and page.clients.item(0, 2).text() == "Сидорова Анна Ивановна"
    )
    page.clients.selectRow(0)
    page.confirm = lambda *_a: True
    assert page.delete_selected_client()
    assert page.clients.rowCount() == 0
    with env["factory"]() as s:
        assert clients_svc.list_clients(s, env["psy"]) == []


# --- the locked journal -------------------------------------------------------------------------------------------


def test_locked_psychologist_opens_the_journal_with_the_recovery_key(qtbot, env):
    f = env["factory"]
    with session_scope(f) as s:
        auth.create_user(s, "psy2", "Орлова Елена Сергеевна", "psychologist", PASSWORD)
    with session_scope(f) as s:
        psy2 = auth.authenticate(s, "psy2", PASSWORD)
    assert psy2.journal_key is None
    seed(f, env["psy"], [entry(1)])
    page = make_page(qtbot, f, psy2)
    assert page.mode == "locked" and page.tabs is None
    assert page.unlock_button.text() == "Открыть журнал ключом восстановления…"
    assert "закрыт" in page.locked_label.text()
    dlg = page.unlock_dialog()
    qtbot.addWidget(dlg)
    dlg.password.setText(PASSWORD)
    dlg.key.setText("AAAA-BBBB-CCCC")
    dlg.try_unlock()
    assert not dlg.error.isHidden() and page.mode == "locked"
    dlg.key.setText(env["recovery"])
    dlg.try_unlock()
    assert dlg.result() == dlg.DialogCode.Accepted
    [new] = page.holder["changed"]
    assert new.login == "psy2" and new.journal_key is not None
    assert page.mode == "journal" and page.tabs.tabText(0) == "Журнал"
    assert page.model.total == 1


# --- pictures -----------------------------------------------------------------------------------------------------


def test_render_pictures(qtbot, env, tmp_path):
    a, b = env["schools"]
    entries = [entry(i, (a, b, None)[i % 3]) for i in range(60)]
    for d in entries[::9]:
        d.follow_up_on = d.held_on + timedelta(days=14)
    entries[1].request = "Трудности адаптации после перевода в новую школу, конфликты с одноклассниками."
    entries[1].result = "Проведена беседа, диагностика тревожности (шкала Филлипса): повышенный уровень."
    entries[
        1
    ].recommendations = "Классному руководителю — включить в групповую работу; родителям — консультация."
    seed(env["factory"], env["psy"], entries)
    out = Path(os.environ.get("MOC_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = make_page(qtbot, env["factory"], env["psy"])
    qtbot.wait(50)
    assert page.grab().save(str(out / "psych_journal.png"))
    dlg = page.session_dialog(page.model.row_at(1).uuid)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.grab().save(str(out / "psych_session_dialog.png"))
    dlg.close()
    page.tabs.setCurrentWidget(page.kinds_tab)
    qtbot.wait(50)
    assert page.grab().save(str(out / "psych_kinds.png"))
    page.tabs.setCurrentWidget(page.summary_view)
    qtbot.wait(50)
    assert page.grab().save(str(out / "psych_summary.png"))
    metod = make_page(qtbot, env["factory"], env["metod"])
    qtbot.wait(50)
    assert metod.grab().save(str(out / "psych_methodist.png"))
    assert isinstance(dlg, SessionDialog)
