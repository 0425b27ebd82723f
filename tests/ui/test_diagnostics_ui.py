"""«Диагностика» through the real window: campaign dialog, keyboard entry of a card, totals and levels live,
save, cards list, progress, analytics (mean %, scope, gap, dynamics)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import DiagCard
from moc_desktop.services import schools, staff
from moc_desktop.services.common import current_school_year
from moc_desktop.services.diagnostics import cards, scoring
from moc_desktop.services.docs import orders
from moc_desktop.ui.diag_campaign_dialog import CampaignDialog
from moc_desktop.ui.diag_card_dialog import CardDialog
from tests.ui.conftest import type_text

SY = current_school_year()


def _seed(factory) -> dict:
    """Two schools (the first ШНОР), three teachers (two in the first), a signed order."""
    with session_scope(factory) as s:
        a = schools.save_school(s, {"short_name": "МКОУ «Шеркальская СОШ»"})
        b = schools.save_school(s, {"short_name": "МБОУ «Кедровская ООШ»"})
        schools.set_statuses(s, a, [{"school_year": SY, "status_code": "shnor"}])
        people = []
        for ln, fn, mn, sc in (
            ("Иванова", "Мария", "Петровна", a),
            ("Ерёмина", "Ольга", "Сергеевна", a),
            ("Смирнов", "Алексей", "Иванович", b),
        ):
            p = staff.save_person(
                s,
                {
                    "last_name": ln,
                    "first_name": fn,
                    "middle_name": mn,
                    "school_id": sc.id,
                    "positions": "учитель математики",
                    "phone": "8 900 123-45-67",
                    "email": "teacher@mail.ru",
                },
            )
            people.append(p.id)
        data = orders.new_order_data(s)
        data.update({"title": "О проведении диагностики", "items": [{"text": "Провести диагностику."}]})
        order = orders.save_order(s, data)
        ids = {"a": a.id, "b": b.id, "people": people, "order": order.id}
    orders.sign_order(factory, ids["order"])
    return ids


def _campaign(factory, ids, stage="entry", title="Входная диагностика") -> int:
    with session_scope(factory) as s:
        c = cards.save_campaign(
            s, {"title": title, "school_year": SY, "stage": stage, "school_ids": [ids["a"], ids["b"]]}
        )
        return c.id


def _uniform(tpl, values: dict[str, int | None]) -> dict:
    """Every criterion scored ``values[rater]`` by that rater."""
    return {r: {code: values.get(r) for code in tpl.codes} for r in scoring.RATERS}


def test_area_in_navigation(window):
    items = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert items.index("Диагностика") == items.index("Педагоги") + 1
    window.go("Диагностика")
    assert window.current_page() is window.diagnostics_page
    assert "Диагностик пока нет" in window.diagnostics_page.heading.text()


def test_campaign_dialog_validates_and_saves(qtbot, configured):
    ids = _seed(configured)
    dlg = CampaignDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.save()  # no title
    assert dlg.result() == 0
    assert dlg.errors.label("title").text() == "Укажите название диагностики."
    type_text(dlg.title_edit, "Входная диагностика компетенций")
    dlg.stage.setCurrentIndex(dlg.stage.findData("final"))
    dlg.check_group("shnor")  # the ШНОР schools of the year
    assert dlg.school_ids() == [ids["a"]]
    assert dlg.covered.text() == "Отмечено школ: 1; педагогов в них: 2."
    assert dlg.order.count() == 2  # «» + the one signed order
    dlg.by_order.setChecked(True)
    dlg.order.setCurrentIndex(dlg.order.findData(ids["order"]))
    assert dlg.is_dirty()
    dlg.save()
    assert dlg.result() == 1 and dlg.campaign_id is not None
    with configured() as s:
        c = cards.get_campaign(s, dlg.campaign_id)
        assert (c.title, c.stage, c.school_year, c.order_id) == (
            "Входная диагностика компетенций",
            "final",
            SY,
            ids["order"],
        )
        assert cards.campaign_school_ids(c) == [ids["a"]]


def test_card_entry_by_keyboard_live_totals_and_save(qtbot, configured):
    ids = _seed(configured)
    cid = _campaign(configured, ids)
    dlg = CardDialog(configured, cid)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    # teachers of the campaign's schools; header from the registry, read-only
    assert dlg.teacher.count() == 4
    dlg.teacher.setCurrentIndex(dlg.teacher.findData(ids["people"][0]))
    assert dlg.post.text() == "учитель математики" and dlg.post.isReadOnly()
    assert dlg.school.text() == "МКОУ «Шеркальская СОШ»" and dlg.school.isReadOnly()
    assert "teacher@mail.ru" in dlg.contacts.text()

    grid, tpl = dlg.grid, dlg.tpl
    codes = tpl.codes
    grid.setFocus()
    grid.go(0, 0)
    QTest.keyClick(grid, Qt.Key.Key_2)
    assert grid.value("self", codes[0]) == 2
    assert grid.item(*grid.cell_of("self", codes[0])).text() == "2"
    assert (grid.currentRow(), grid.currentColumn()) == grid.cell_of("self", codes[1])  # moved down
    # the rest of the self column: 1 on the second criterion, «-» (blank) on the third, 2 elsewhere
    QTest.keyClick(grid, Qt.Key.Key_1)
    QTest.keyClick(grid, Qt.Key.Key_Minus)
    assert grid.value("self", codes[2]) is None
    assert grid.item(*grid.cell_of("self", codes[2])).text() == ""
    for _ in codes[3:]:
        QTest.keyClick(grid, Qt.Key.Key_2)
    # after the last criterion the cursor jumps to the next rater's first cell
    assert (grid.currentRow(), grid.currentColumn()) == grid.cell_of("shmo", codes[0])
    # any other key does nothing
    QTest.keyClick(grid, Qt.Key.Key_7)
    QTest.keyClick(grid, Qt.Key.Key_A)
    assert grid.value("shmo", codes[0]) is None
    assert (grid.currentRow(), grid.currentColumn()) == grid.cell_of("shmo", codes[0])

    col = grid.cell_of("self", codes[0])[1]
    maximum = grid.item(grid.total_row["maximum"], col).text()
    achieved = grid.item(grid.total_row["achieved"], col).text()
    assert maximum == "30"  # one blank: the maximum shrinks by 2 (not counted as 0)
    assert achieved == str(2 + 1 + 2 * 13) == "29"
    assert grid.item(grid.total_row["percent"], col).text() == "96,7 %"
    assert grid.item(grid.total_row["level"], col).text() == "ОПТИМАЛЬНЫЙ"
    sec = grid.item(grid.section_row[1], col).text()
    assert sec.startswith("7/8")  # competence 1: 2 + 1 + blank + 2 + 2 of 4 scored criteria
    assert "96,7 %" in dlg.total_label.text() and "ОПТИМАЛЬНЫЙ" in dlg.total_label.text()

    # deputy: Tab to the third column, 0 on the first criterion → a deficit; totals update live
    QTest.keyClick(grid, Qt.Key.Key_Tab)
    assert grid.currentColumn() == grid.cell_of("deputy", codes[0])[1]
    QTest.keyClick(grid, Qt.Key.Key_0)
    assert grid.value("deputy", codes[0]) == 0
    dcol = grid.cell_of("deputy", codes[0])[1]
    assert grid.item(grid.total_row["maximum"], dcol).text() == "2"
    assert grid.item(grid.total_row["percent"], dcol).text() == "0 %"
    assert grid.item(grid.total_row["level"], dcol).text() == "КРИТИЧЕСКИЙ"
    # combined: mean of self 96,7 % and deputy 0 % = 48,3 % → critical
    assert "48,3 %" in dlg.total_label.text() and "КРИТИЧЕСКИЙ" in dlg.total_label.text()
    assert dlg.deficits.item(0).text().startswith(f"{codes[0]} ")
    # Backspace clears in place, arrows move
    QTest.keyClick(grid, Qt.Key.Key_Up)
    assert grid.currentRow() == grid.cell_of("deputy", codes[0])[0]
    QTest.keyClick(grid, Qt.Key.Key_Backspace)
    assert grid.value("deputy", codes[0]) is None
    assert grid.item(grid.total_row["maximum"], dcol).text() == "0"
    assert dlg.deficits.item(0).text() == "нет"
    QTest.keyClick(grid, Qt.Key.Key_0)

    # help: the тезаурус of the competence of the current row, also as the section row tooltip
    assert tpl.competence(1).definition[:40] in dlg.help.toPlainText()
    assert grid.item(grid.section_row[2], 0).toolTip() == tpl.competence(2).definition
    grid.go(len(codes) - 1, 0)
    assert tpl.competence(5).definition[:40] in dlg.help.toPlainText()

    typed = grid.scores()
    assert dlg.is_dirty()
    dlg.save()
    assert dlg.result() == 1
    with configured() as s:
        card = s.get(DiagCard, dlg.card_id)
        assert cards.card_scores(card, tpl) == typed
        assert card.complete is False and card.raters == "SD"
    assert [d.code for d in dlg.saved_deficits] == [codes[0]]


def test_card_dialog_asks_before_discarding(qtbot, configured):
    ids = _seed(configured)
    cid = _campaign(configured, ids)
    with session_scope(configured) as s:
        camp = cards.get_campaign(s, cid)
        card = cards.save_card(s, camp, ids["people"][2], _uniform(cards.template(s), {"self": 1}))
        card_id = card.id
    dlg = CardDialog(configured, cid, card_id)
    qtbot.addWidget(dlg)
    assert not dlg.teacher.isEnabled() and dlg.school.text() == "МБОУ «Кедровская ООШ»"
    assert not dlg.is_dirty()
    asked = []
    dlg.confirm = lambda *_a: asked.append(1) or False
    dlg.grid.go(0, 1)
    QTest.keyClick(dlg.grid, Qt.Key.Key_2)
    dlg.reject()
    assert asked and dlg.result() == 0  # still open: the user said «Нет»
    dlg.confirm = lambda *_a: True
    dlg.reject()
    with configured() as s:  # nothing was written
        assert (
            cards.card_scores(s.get(DiagCard, card_id), cards.template(s))["shmo"][dlg.tpl.codes[0]] is None
        )


def test_new_card_for_teacher_with_a_card_opens_it(qtbot, configured):
    ids = _seed(configured)
    cid = _campaign(configured, ids)
    with session_scope(configured) as s:
        camp = cards.get_campaign(s, cid)
        cards.save_card(s, camp, ids["people"][1], _uniform(cards.template(s), {"self": 2, "shmo": 1}))
    dlg = CardDialog(configured, cid)
    qtbot.addWidget(dlg)
    dlg.teacher.setCurrentIndex(dlg.teacher.findData(ids["people"][1]))
    assert dlg.grid.value("shmo", dlg.tpl.codes[0]) == 1
    assert "уже есть карта" in dlg.existing_label.text()


def test_page_cards_progress_and_analytics(qtbot, window, configured):
    ids = _seed(configured)
    cid = _campaign(configured, ids)
    with session_scope(configured) as s:
        camp = cards.get_campaign(s, cid)
        tpl = cards.template(s)
        p1, p2, p3 = ids["people"]
        # 100 %, 50 % and 75 % (self 50 %, ШМО 100 %, no deputy → the mean of the raters present)
        cards.save_card(s, camp, p1, _uniform(tpl, {"self": 2, "shmo": 2, "deputy": 2}))
        cards.save_card(s, camp, p2, _uniform(tpl, {"self": 1, "shmo": 1, "deputy": 1}))
        cards.save_card(s, camp, p3, _uniform(tpl, {"self": 1, "shmo": 2}))
        # another stage: self 2 where the external raters gave 0 → a large gap
        other = cards.save_campaign(s, {"title": "Итоговая диагностика", "school_year": SY, "stage": "final"})
        cards.save_card(s, other, p1, _uniform(tpl, {"self": 2, "shmo": 2, "deputy": 2}))
        cards.save_card(s, other, p2, _uniform(tpl, {"self": 2, "shmo": 0, "deputy": 0}))
        other_id = other.id
    window.go("Диагностика")
    page = window.diagnostics_page
    page.reload(keep_id=cid)
    assert page.campaign_id == cid
    assert "Входная диагностика" in page.heading.text()

    # cards: a RowsTableModel; the deficits of the selected card
    panel = page.cards_panel
    assert panel.model.rowCount() == 3
    fios = [panel.model.row_at(r).fio for r in range(3)]
    assert fios == ["Смирнов А.И.", "Ерёмина О.С.", "Иванова М.П."]
    panel.table.selectRow(0)
    assert "Дефициты" in panel.deficits.text() and "нет" in panel.deficits.text()
    type_text(panel.search, "ерём")
    assert panel.model.rowCount() == 1
    panel.search.clear()
    panel.incomplete.setChecked(True)
    assert panel.model.rowCount() == 1 and panel.model.row_at(0).fio == "Смирнов А.И."
    panel.incomplete.setChecked(False)

    # progress per school and rater
    page.tabs.setCurrentWidget(page.progress_panel)
    t = page.progress_panel.table
    assert t.rowCount() == 3  # two schools + «Итого»
    rows = {t.item(r, 0).text(): [t.item(r, c).text() for c in range(1, 6)] for r in range(3)}
    assert rows["МКОУ «Шеркальская СОШ»"] == ["2", "2", "2", "2", "2"]
    assert rows["МБОУ «Кедровская ООШ»"] == ["1", "1", "1", "0", "0"]
    assert rows["Итого"] == ["3", "3", "3", "2", "2"]

    # analytics: municipality mean of 100, 50, 75 = 75 % (ДОСТАТОЧНЫЙ)
    page.tabs.setCurrentWidget(page.analytics_panel)
    ap = page.analytics_panel
    ct = ap.comp_table
    last = ct.rowCount() - 1
    assert ct.item(last, 0).text() == "Карта в целом"
    assert ct.item(last, 1).text() == "3"
    assert ct.item(last, 2).text() == "75 %"
    assert ct.item(last, 3).text() == "ДОСТАТОЧНЫЙ"
    # levels: 1 optimal, 1 sufficient, 1 critical → a third each
    assert [ct.item(last, c).text() for c in (4, 6, 8)] == ["1", "1", "1"]
    assert ct.item(last, 5).text() == "33,3 %"
    assert ap.levels_chart.has_chart()
    assert "75 %" in ap.summary_label.text()
    # scope: the ШНОР school only → (100 + 50) / 2
    ap.scope.setCurrentIndex(ap.scope.findData("shnor"))
    assert ct.item(last, 2).text() == "75 %" and ct.item(last, 1).text() == "2"
    ap.scope.setCurrentIndex(ap.scope.findData(f"school:{ids['b']}"))
    assert ct.item(last, 2).text() == "75 %" and ct.item(last, 1).text() == "1"
    ap.scope.setCurrentIndex(ap.scope.findData(f"school:{ids['a']}"))
    assert ct.item(0, 1).text() == "2"
    ap.scope.setCurrentIndex(0)
    # per school
    st = ap.school_table
    names = [st.item(r, 0).text() for r in range(st.rowCount())]
    assert names == ["МБОУ «Кедровская ООШ»", "МКОУ «Шеркальская СОШ»"]
    assert st.item(1, 3).text() == "75 %"
    # dynamics with the other campaign of the same school year (chosen by default)
    assert ap.other.currentData() == other_id
    assert ap.dyn_chart.has_chart()
    assert "Педагогов в обеих диагностиках: 2" in ap.dyn_label.text()

    # the other campaign: the gap signal of the teacher rating herself 2 where the others gave 0
    page.campaigns.selectRow(page.campaign_model.row_of_id(other_id))
    assert page.campaign_id == other_id
    gt = ap.gap_table
    assert gt.rowCount() == 1 and gt.item(0, 0).text() == "Ерёмина О.С."
    assert gt.item(0, 4).text() == "+100"


def test_new_card_from_page_updates_lists(qtbot, window, configured):
    ids = _seed(configured)
    cid = _campaign(configured, ids)
    window.go("Диагностика")
    page = window.diagnostics_page
    page.reload(keep_id=cid)
    dlg = page.make_card_dialog(None)
    qtbot.addWidget(dlg)
    dlg.teacher.setCurrentIndex(dlg.teacher.findData(ids["people"][2]))
    dlg.grid.set_scores(_uniform(dlg.tpl, {"self": 2, "shmo": 1, "deputy": 1}))
    messages = []
    page.status_message.connect(messages.append)
    dlg.save()
    assert dlg.result() == 1
    page.card_saved(dlg)
    assert page.cards_panel.model.rowCount() == 1
    row = page.cards_panel.model.row_at(0)
    assert row.fio == "Смирнов А.И." and row.complete
    assert page.campaign_model.row_at(page.campaign_model.row_of_id(cid)).cards == 1
    assert messages and messages[-1].startswith("Карта сохранена: Смирнов А.И. — 66,7 % (КРИТИЧЕСКИЙ)")
    # soft delete of the campaign
    page.confirm = lambda *_a: True
    page.campaigns.selectRow(page.campaign_model.row_of_id(cid))
    page.delete_campaign()
    assert page.campaign_model.rowCount() == 0
    with configured() as s:
        assert cards.get_campaign(s, cid) is None
