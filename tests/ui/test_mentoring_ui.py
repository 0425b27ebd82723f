"""«Наставничество» through the real window: the area, the mentor suggestion from the diagnostic deficits, the
pre-filled pair dialog, saving a draft, launching it and a refused illegal transition."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from moc_desktop.db.engine import session_scope
from moc_desktop.services import schools, staff
from moc_desktop.services.common import current_school_year
from moc_desktop.services.diagnostics import cards, scoring
from moc_desktop.services.mentoring import matching
from moc_desktop.services.mentoring import pairs as pairs_svc

SY = current_school_year()


def _seed(factory) -> dict:
    """Two schools, a campaign; the mentee has zeros from the ШМО on three criteria, mentor «Сильная» scores 2
    everywhere, mentor «Средний» scores 1."""
    with session_scope(factory) as s:
        a = schools.save_school(s, {"short_name": "МКОУ «Шеркальская СОШ»"})
        b = schools.save_school(s, {"short_name": "МБОУ «Кедровская ООШ»"})
        ids = {}
        for key, ln, fn, sc in (
            ("mentee", "Новикова", "Анна", a),
            ("strong", "Сильная", "Ольга", a),
            ("weak", "Средний", "Пётр", b),
        ):
            p = staff.save_person(
                s,
                {
                    "last_name": ln,
                    "first_name": fn,
                    "middle_name": "Ивановна" if key != "weak" else "Петрович",
                    "school_id": sc.id,
                    "positions": "учитель математики",
                },
            )
            ids[key] = p.id
        camp = cards.save_campaign(
            s,
            {"title": "Входная диагностика", "school_year": SY, "stage": "entry", "school_ids": [a.id, b.id]},
        )
        tpl = cards.template(s)
        zero = tpl.codes[:3]

        def uniform(v: int, zeros=()) -> dict:
            return {
                r: {c: (0 if (c in zeros and r != "self") else v) for c in tpl.codes} for r in scoring.RATERS
            }

        cards.save_card(s, camp, ids["mentee"], uniform(2, zero))
        cards.save_card(s, camp, ids["strong"], uniform(2))
        cards.save_card(s, camp, ids["weak"], uniform(1))
        ids["deficits"] = list(zero)
    return ids


def test_area_in_navigation(window):
    items = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "Наставничество" in items
    assert items.index("Наставничество") == items.index("Диагностика") + 1
    window.go("Наставничество")
    assert window.current_page() is window.mentoring_page
    assert [window.mentoring_page.tabs.tabText(i) for i in range(4)] == [
        "Пары",
        "Подбор наставника",
        "Школы-партнёры",
        "Сводка",
    ]


def test_suggestion_to_pair_and_status_flow(qtbot, window, configured, tmp_path):
    ids = _seed(configured)
    window.go("Наставничество")
    page = window.mentoring_page
    page.reload()
    page.tabs.setCurrentIndex(1)
    page.mentee_picker.set_value({"person_id": ids["mentee"]})
    qtbot.mouseClick(page.suggest_button, Qt.MouseButton.LeftButton)
    for code in ids["deficits"]:
        assert code in page.deficits_label.text()
    assert page.suggestions.rowCount() == 2
    assert page.suggestions.item(0, 1).text().startswith("Сильная")
    assert page.suggestions.item(0, 3).text() == ", ".join(ids["deficits"])
    assert page.create_button.isEnabled()

    with configured() as s:
        assert matching.list_pairs(s) == []  # nothing is paired automatically
    dlg = page.pair_from_suggestion()
    qtbot.addWidget(dlg)
    assert dlg.mentor.value() == {"person_id": ids["strong"]}
    assert dlg.mentee_ids() == [ids["mentee"]]
    assert dlg.plan.rowCount() == len(ids["deficits"])
    dlg.form.setCurrentIndex(dlg.form.findData("teacher_teacher"))
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted, dlg.general_error.text()

    with configured() as s:
        rows = matching.list_pairs(s)
        assert len(rows) == 1 and rows[0]["status"] == "draft"
        assert rows[0]["mentor"]["id"] == ids["strong"]
        assert [m["id"] for m in rows[0]["mentees"]] == [ids["mentee"]]
    assert page.pairs.rowCount() == 1
    page.tabs.setCurrentIndex(0)
    page.pairs.selectRow(0)

    shown = []
    page.warn = lambda _p, title, text: shown.append(text)
    page.change_status("completed")  # draft → completed is illegal
    assert shown == [pairs_svc.can_transition("draft", "completed")]
    assert "только действующую" in shown[0]

    page.change_status("active")
    assert len(shown) == 1
    with configured() as s:
        assert matching.list_pairs(s)[0]["status"] == "active"
    assert page.pairs.item(0, 3).text() == "Действует"

    page.change_status("active")  # already active
    assert shown[-1] == "Пара уже в статусе «Действует»."
    page.ask_reason = lambda *_a: None  # the user cancels the reason → nothing changes
    page.change_status("terminated")
    with configured() as s:
        assert matching.list_pairs(s)[0]["status"] == "active"

    page.tabs.setCurrentIndex(3)
    assert "Молодые специалисты" in page.coverage_label.text()
    page.tabs.setCurrentIndex(0)
    page.grab().save(str(tmp_path / "pairs.png"))


def test_partnership_dialog_saves_agreement_roadmap_and_events(qtbot, window, configured):
    from moc_desktop.db.engine import session_scope as scope
    from moc_desktop.services import schools as schools_mod
    from moc_desktop.services.mentoring import partnerships

    with scope(configured) as s:
        a = schools_mod.save_school(s, {"short_name": "МКОУ «Карымкарская СОШ»"})
        b = schools_mod.save_school(s, {"short_name": "МКОУ «Уньюганская СОШ № 1»"})
        schools_mod.set_statuses(s, b, [{"school_year": "2026/2027", "status_code": "shnor"}])
        a_id, b_id = a.id, b.id
    window.go("Наставничество")
    page = window.mentoring_page if hasattr(window, "mentoring_page") else window.pages["Наставничество"]
    dlg = page.partnership_dialog(None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True
    dlg.mentor.setCurrentIndex(dlg.mentor.findData(a_id))
    dlg.mentee.setCurrentIndex(dlg.mentee.findData(b_id))
    dlg.number.setText("5")
    dlg.agreement_date.set_value(date(2020, 5, 20))
    dlg.roadmap.insertRow(0)
    for c, v in enumerate(
        ("Корпоративный семинар учителей математики", "в течение года", "ШМО", "план уроков", "запланировано")
    ):
        dlg.roadmap.setItem(0, c, QTableWidgetItem(v))
    dlg.events.insertRow(0)
    for c, v in enumerate(("15.10.2026", "открытый урок", "Формирующее оценивание", "12", "проведено")):
        dlg.events.setItem(0, c, QTableWidgetItem(v))
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted, dlg.general_error.text()
    with configured() as s:
        (row,) = partnerships.list_partnerships(s)
        assert "№ 5 от 20.05.2020" in row.agreement
        p = partnerships.get_partnership(s, row.id)
        assert partnerships.partnership_data(p)["roadmap"][0]["when"] == "в течение года"
        (ev,) = partnerships.list_events(s, row.id)
        assert (ev.format, ev.participants) == ("открытый урок", 12)
    page.reload_partners()
    assert page.partners.rowCount() == 1


def test_pairs_import_all_or_nothing_then_valid_rows_and_export(qtbot, window, configured, tmp_path):
    import openpyxl

    from moc_desktop.db.engine import session_scope as scope
    from moc_desktop.services import schools as schools_mod
    from moc_desktop.services import staff as staff_mod
    from moc_desktop.services.mentoring import pairs

    with scope(configured) as s:
        a = schools_mod.save_school(s, {"short_name": "МКОУ «Карымкарская СОШ»"})
        for ln, fn in (("Хургунова", "Светлана"), ("Ткач", "Елена"), ("Воробьев", "Владимир")):
            staff_mod.save_person(
                s, {"last_name": ln, "first_name": fn, "middle_name": "", "school_id": a.id}
            )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Наставник", "Наставляемый", "Форма", "Начало", "Окончание"])
    ws.append(["Хургунова Светлана", "Ткач Елена", "учитель – учитель", "01.09.2026", "31.05.2027"])
    ws.append(["Неизвестный Педагог", "Ткач Елена", "учитель – учитель", "01.09.2026", ""])
    wb.save(tmp_path / "pairs.xlsx")
    window.go("Наставничество")
    page = window.pages["Наставничество"]
    warnings = []
    page.warn = lambda _p, _t, m: warnings.append(m)
    page.ask = lambda *_a: False
    refused = page.import_pairs(str(tmp_path / "pairs.xlsx"))
    assert refused is not None and warnings and "Строка 3" in warnings[-1]
    with configured() as s:
        assert pairs.list_pairs(s) == []
    page.ask = lambda *_a: True
    result = page.import_pairs(str(tmp_path / "pairs.xlsx"))
    assert len(result.created) == 1
    with configured() as s:
        (p,) = pairs.list_pairs(s)
        assert p.status == "draft"
    page.export_pairs(str(tmp_path / "out.xlsx"))
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True))
    assert len([r for r in rows if any(r)]) >= 2
