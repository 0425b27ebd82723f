"""The real main window driven by pytest-qt: dialogs, validation, filtering, deletion."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import Person, School
from moc_desktop.services import schools, staff
from moc_desktop.ui.person_dialog import PersonDialog
from moc_desktop.ui.school_dialog import SchoolDialog
from tests.ui.conftest import type_text


def _seed(factory):
    with session_scope(factory) as s:
        a = schools.save_school(s, {"short_name": "МКОУ «Берёзовская СОШ»", "settlement": "с. Берёзово"})
        b = schools.save_school(s, {"short_name": "МБОУ «Кедровская ООШ»", "settlement": "п. Кедровый"})
        schools.set_statuses(
            s,
            a,
            [
                {"school_year": "2025/2026", "status_code": "shnor"},
                {"school_year": "2026/2027", "status_code": "shnor"},
            ],
        )
        for i, (ln, fn, mn, sc) in enumerate(
            [
                ("Иванова", "Мария", "Петровна", a),
                ("Смирнов", "Алексей", "Иванович", b),
                ("Ерёмина", "Ольга", "Сергеевна", a),
            ]
        ):
            staff.save_person(
                s,
                {
                    "last_name": ln,
                    "first_name": fn,
                    "middle_name": mn,
                    "school_id": sc.id,
                    "birth_year": 1980 + i,
                },
            )


def _in_modal(qtbot, action):
    """Run ``action(dialog)`` once the modal dialog opened by the next call is shown."""

    def go():
        dlg = QApplication.activeModalWidget()
        assert dlg is not None
        action(dlg)

    QTimer.singleShot(50, go)


def test_only_built_areas_in_navigation(window):
    items = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert items == ["Главная", "Школы", "Педагоги", "Диагностика", "Наставничество", "Психолог", "Документы"]
    assert window.nav.currentItem().text() == "Главная"


def test_add_school_through_dialog(qtbot, window, configured):
    page = window.schools_page

    def fill(dlg: SchoolDialog):
        type_text(dlg.fields["short_name"], "МКОУ «Шеркальская СОШ»")
        type_text(dlg.fields["director_name"], "Воробьев Владимир Анатольевич")
        dlg.fields["is_rural"].setChecked(True)
        dlg.add_status_row({"school_year": "2026/2027", "status_code": "shnsu", "order_number": "448-од"})
        dlg.ior_table.item(2, 1).setText("0,531")
        dlg.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    _in_modal(qtbot, fill)
    page.act_add.trigger()
    assert page.model.rowCount() == 1
    row = page.model.row_at(0)
    assert row.short_name == "МКОУ «Шеркальская СОШ»" and row.is_rural and row.director.startswith("Воробьев")
    with configured() as s:
        school = s.scalars(select(School)).one()
        assert [(x.school_year, x.status_code, x.order_number) for x in school.statuses] == [
            ("2026/2027", "shnsu", "448-од")
        ]
        assert [r.value for r in school.ior] == [0.531]


def test_validation_shown_next_to_field(qtbot, configured):
    dlg = SchoolDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True  # closing at teardown must not wait for an answer
    dlg.show()
    type_text(dlg.fields["email"], "почта")
    dlg.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dlg.isVisible()
    assert dlg.errors.label("short_name").isVisible()
    assert "краткое наименование" in dlg.errors.label("short_name").text()
    assert "не адрес электронной почты" in dlg.errors.label("email").text()
    with configured() as s:
        assert s.scalars(select(School)).all() == []


def test_status_row_error_names_the_row(qtbot, configured):
    dlg = SchoolDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True  # closing at teardown must not wait for an answer
    dlg.fields["short_name"].setText("МКОУ «Новая СОШ»")
    dlg.add_status_row({"school_year": "2026", "status_code": "shnor"})
    dlg.save()
    assert dlg.tabs.currentIndex() == 1
    assert "Строка 1" in dlg.errors.label("statuses").text()


def test_cancel_with_changes_asks(qtbot, configured):
    dlg = SchoolDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True  # closing at teardown must not wait for an answer
    dlg.show()
    asked = []
    dlg.confirm = lambda *_a: asked.append(True) or False
    dlg.fields["short_name"].setText("Что-то")
    dlg.reject()
    assert asked and dlg.isVisible()
    dlg.confirm = lambda *_a: True
    dlg.reject()
    assert not dlg.isVisible()


def test_filter_table_by_typing(qtbot, window, configured):
    _seed(configured)
    window.go("Педагоги")
    page = window.staff_page
    assert page.model.rowCount() == 3
    type_text(page.search, "березов")  # «ё» typed as «е» still matches the school
    assert page.model.rowCount() == 2
    assert page.count_label.text() == "Показано: 2 из 3"
    page.search.clear()
    type_text(page.search, "смирнов кедров")
    assert [r.fio for r in page.model.visible_rows()] == ["Смирнов А.И."]
    page.search.clear()
    page.status.setCurrentIndex(page.status.findData("shnor"))
    assert {r.school for r in page.model.visible_rows()} == {"МКОУ «Берёзовская СОШ»"}


def test_schools_status_and_year_filters(qtbot, window, configured):
    _seed(configured)
    page = window.schools_page
    page.reload()
    page.year.setCurrentIndex(page.year.findData("2025/2026"))
    page.status.setCurrentIndex(page.status.findData("shnor"))
    assert [r.short_name for r in page.model.visible_rows()] == ["МКОУ «Берёзовская СОШ»"]
    page.status.setCurrentIndex(page.status.findData("__none__"))
    assert [r.short_name for r in page.model.visible_rows()] == ["МБОУ «Кедровская ООШ»"]


def test_sort_by_column(qtbot, window, configured):
    _seed(configured)
    window.go("Педагоги")
    page = window.staff_page
    page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # Год рожд.
    assert [r.birth_year for r in page.model.visible_rows()] == [1982, 1981, 1980]


def test_delete_asks_and_soft_deletes(qtbot, window, configured):
    _seed(configured)
    window.go("Педагоги")
    page = window.staff_page
    page.confirm = lambda *_a: False
    page.table.selectRow(0)
    page.act_delete.trigger()
    assert page.model.rowCount() == 3
    page.confirm = lambda *_a: True
    page.table.selectRow(0)
    victim = page.selected_rows()[0]
    page.act_delete.trigger()
    assert page.model.rowCount() == 2
    with configured() as s:
        p = s.get(Person, victim.id)
        assert p is not None and p.deleted_at is not None  # kept, marked deleted


def test_person_dialog_edit_moves_school(qtbot, configured):
    _seed(configured)
    with configured() as s:
        p = s.scalars(select(Person).where(Person.last_name == "Смирнов")).one()
        berez = s.scalars(select(School).where(School.short_name.like("%Берёз%"))).one()
    dlg = PersonDialog(configured, p.id)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True  # closing at teardown must not wait for an answer
    dlg.w["school_id"].setCurrentIndex(dlg.w["school_id"].findData(berez.id))
    dlg.w["experience_years"].setValue(2)
    dlg.add_course_row({"title": "Функциональная грамотность", "hours": 36})
    dlg.courses.item(0, 3).setText("01.03.2026")
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted
    with configured() as s:
        p = s.get(Person, p.id)
        assert p.school_id == berez.id and len([m for m in p.moves]) == 2 and p.courses[0].hours == 36
    dlg2 = PersonDialog(configured, p.id)
    qtbot.addWidget(dlg2)
    dlg2.confirm = lambda *_a: True  # closing at teardown must not wait for an answer
    assert dlg2.history.rowCount() == 2
    assert "молодой специалист" in dlg2.young_now.text()


def test_indicator_summary_dialog_and_export(qtbot, configured, tmp_path):
    import openpyxl

    from moc_desktop.ui.indicator_summary import IndicatorSummaryDialog

    with session_scope(configured) as s:
        a = schools.save_school(s, {"short_name": "А"})
        b = schools.save_school(s, {"short_name": "Б"})
        schools.set_indicators(s, a, "2025/2026", {"mon_good_marks": 0.74})
        schools.set_indicators(s, b, "2025/2026", {"mon_good_marks": 0.07})
    dlg = IndicatorSummaryDialog(configured, school_year="2025/2026")
    qtbot.addWidget(dlg)
    row = [dlg.table.item(0, c).text() for c in range(5)]
    assert row == ["Доля обучающихся, закончивших учебный год на «4», «5»", "2", "0,405", "0,74", "0,07"]
    out = tmp_path / "summary.xlsx"
    dlg.export(str(out))
    ws = openpyxl.load_workbook(out).active
    values = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    assert values[:5] == ["Доля обучающихся, закончивших учебный год на «4», «5»", 2, 0.405, 0.74, 0.07]


def test_person_document_forms_suggested_and_saved(qtbot, configured):
    dlg = PersonDialog(configured, None)
    qtbot.addWidget(dlg)
    dlg.confirm = lambda *_a: True
    dlg.w["last_name"].setText("Пожарницкая")
    dlg.w["first_name"].setText("Наталья")
    dlg.w["middle_name"].setText("Анатольевна")
    dlg.w["gender"].setCurrentIndex(dlg.w["gender"].findData("f"))
    dlg.w["doc_post"].setText("заместитель директора по УВР")
    assert dlg.w["name_acc"].placeholderText() == "Пожарницкую Наталью Анатольевну"
    assert dlg.w["post_dat"].placeholderText() == "заместителю директора по УВР"
    dlg.w["name_dat"].setText("Пожарницкой Наталии Анатольевне")  # the user's own form wins
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted
    with configured() as s:
        p = s.scalars(select(Person)).one()
        assert (p.gender, p.doc_post, p.name_dat, p.name_acc) == (
            "f",
            "заместитель директора по УВР",
            "Пожарницкой Наталии Анатольевне",
            "",
        )
