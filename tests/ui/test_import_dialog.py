"""Import from the real window: errors per row, nothing written on refusal, valid-only, column mapping."""

from __future__ import annotations

import openpyxl
from sqlalchemy import func, select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import ChangeLog, Person
from moc_desktop.services import imports, schools


def _counts(factory):
    with factory() as s:
        return s.scalar(select(func.count()).select_from(Person)), s.scalar(
            select(func.count()).select_from(ChangeLog)
        )


def _staff_workbook(path, headers=("Фамилия", "Имя", "Отчество", "Год рождения", "Школа", "Эл. почта")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Список педагогических работников"])
    ws.append([])
    ws.append(list(headers))
    ws.append(["Иванова", "Мария", "Петровна", 1985, "МКОУ «Берёзовская СОШ»", "ivanova@mail.ru"])
    ws.append(["Петров", "Иван", "Сергеевич", 1979, "МКОУ «Несуществующая СОШ»", ""])  # row 5: unknown school
    ws.append(
        ["Сидорова", "Анна", "Ивановна", 1990, "МКОУ «Берёзовская СОШ»", "не-почта"]
    )  # row 6: bad e-mail
    wb.save(path)
    return path


def _wait_preview(qtbot, dlg):
    qtbot.waitUntil(lambda: dlg.preview is not None or bool(dlg.error_message), timeout=10000)


def test_import_with_two_bad_rows_reports_both_and_writes_nothing(qtbot, window, configured, tmp_path):
    with session_scope(configured) as s:
        schools.save_school(s, {"short_name": "МКОУ «Берёзовская СОШ»"})
    before = _counts(configured)
    window.go("Педагоги")
    page = window.staff_page
    page.import_file(str(_staff_workbook(tmp_path / "staff.xlsx")))
    dlg = page.last_import_dialog
    _wait_preview(qtbot, dlg)
    rows = {
        (dlg.errors_table.item(r, 0).text(), dlg.errors_table.item(r, 1).text())
        for r in range(dlg.errors_table.rowCount())
    }
    assert rows == {("5", "Школа"), ("6", "Эл. почта")}
    assert "Строка заголовков: 3" in dlg.summary.text()
    assert not dlg.btn_import.isEnabled() and dlg.btn_valid.isEnabled()
    dlg.reject()
    assert _counts(configured) == before
    assert page.model.rowCount() == 0

    # the user chooses «import the valid rows»
    page.import_file(str(tmp_path / "staff.xlsx"))
    dlg = page.last_import_dialog
    _wait_preview(qtbot, dlg)
    dlg.btn_valid.click()
    qtbot.waitUntil(lambda: dlg.result_obj is not None, timeout=10000)
    assert (dlg.result_obj.created, dlg.result_obj.skipped) == (1, 2)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.model.row_at(0).fio == "Иванова М.П."


def test_unknown_header_mapped_by_user_and_remembered(qtbot, window, configured, tmp_path):
    with session_scope(configured) as s:
        schools.save_school(s, {"short_name": "МКОУ «Берёзовская СОШ»"})
    headers = ("Фамилия", "Имя", "Отчество", "Год рождения", "Место работы (ОО)", "Эл. почта")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    ws.append(["Иванова", "Мария", "Петровна", 1985, "МКОУ «Берёзовская СОШ»", ""])
    wb.save(tmp_path / "odd.xlsx")
    window.go("Педагоги")
    page = window.staff_page
    page.import_file(str(tmp_path / "odd.xlsx"))
    dlg = page.last_import_dialog
    _wait_preview(qtbot, dlg)
    col = headers.index("Место работы (ОО)")
    if dlg.preview.mapping.get(col) != "school":
        row = next(
            r
            for r in range(dlg.mapping_table.rowCount())
            if dlg.mapping_table.item(r, 0).text() == headers[col]
        )
        combo = dlg.mapping_table.cellWidget(row, 1)
        combo.setCurrentIndex(combo.findData("school"))
        dlg.recheck.click()
        qtbot.waitUntil(
            lambda: dlg.preview is not None and dlg.preview.mapping.get(col) == "school", timeout=10000
        )
    assert not dlg.preview.errors
    dlg.btn_import.click()
    qtbot.waitUntil(lambda: dlg.result_obj is not None, timeout=10000)
    with configured() as s:
        p = s.scalars(select(Person)).one()
        assert p.school is not None and p.school.short_name == "МКОУ «Берёзовская СОШ»"
        assert imports.remembered_mapping(s, "staff").get("Место работы (ОО)") == "school"
        # the next file with the same header needs no mapping step
        preview = imports.preview_import(s, tmp_path / "odd.xlsx", "staff")
        assert preview.mapping[col] == "school"
