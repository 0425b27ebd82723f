"""Export of lists to .xlsx and the import templates (services.xlsx_export), checked by opening the files."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from moc_desktop.db.models import Person
from moc_desktop.services import imports, schools, staff
from moc_desktop.services.xlsx_export import (
    MAX_WIDTH,
    TEMPLATE_FIELDS,
    ExportError,
    export_rows,
    sheet_title,
    template_headers,
    typed_value,
    write_template,
)

SHERKALY = "МКОУ «Шеркальская СОШ»"
COLUMNS = [
    ("Школа", None, "text"),
    ("Обучающихся", None, "int"),
    ("ИОР", None, "float"),
    ("Дата приказа", None, "date"),
    ("Сельская", None, "bool"),
    ("Доля «4» и «5»", 12, "percent"),
]
ROWS = [
    [SHERKALY, 117, 0.449, date(2020, 5, 25), True, 0.379],
    ["МБОУ «Берёзовская СОШ»", "45", "0,512", datetime(2020, 9, 1), False, None],
    ['=HYPERLINK("http://x")', None, None, None, None, 1],
]


@pytest.fixture
def exported(tmp_path):
    path = export_rows(tmp_path / "школы.xlsx", "Реестр школ", COLUMNS, ROWS)
    wb = load_workbook(path)
    yield wb.active
    wb.close()


def test_header_is_bold_and_first_row(exported):
    assert [c.value for c in exported[1]] == [name for name, _w, _k in COLUMNS]
    assert all(c.font.bold for c in exported[1])
    assert exported.title == "Реестр школ"


def test_cells_are_typed(exported):
    school, pupils, ior, when, rural, share = exported[2]
    assert (pupils.value, pupils.data_type) == (117, "n")
    assert (ior.value, ior.data_type) == (0.449, "n")
    assert when.is_date and when.value.date() == date(2020, 5, 25) and when.number_format == "DD.MM.YYYY"
    assert rural.value == "да"
    assert share.value == 0.379 and share.number_format == "0.0%"
    second = exported[3]
    assert second[1].value == 45 and second[2].value == 0.512  # numbers given as text become numbers
    assert second[3].is_date and second[3].value.date() == date(2020, 9, 1)
    assert second[4].value == "нет"
    assert second[5].value is None


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("12", "int", (12, "0")),
        (12.5, "int", (12.5, None)),  # not rounded away by a «0» format
        ("0,449", "float", (0.449, None)),
        ("много", "int", ("много", None)),
        ("25.05.2020", "date", (date(2020, 5, 25), "DD.MM.YYYY")),
        (0, "bool", ("нет", None)),
        ("", "text", (None, None)),
        (float("nan"), "float", ("nan", None)),
    ],
)
def test_typed_value(value, kind, expected):
    assert typed_value(value, kind) == expected


def test_rows_may_be_a_generator(tmp_path):
    path = export_rows(tmp_path / "a.xlsx", "Т", [("N", None, "int")], ([i] for i in range(3)))
    assert [c.value for c in load_workbook(path).active["A"]] == ["N", 0, 1, 2]


def test_text_that_looks_like_a_formula_stays_text(exported):
    cell = exported["A4"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_frozen_header_and_autofilter(exported):
    assert exported.freeze_panes == "A2"
    assert exported.auto_filter.ref == "A1:F4"


def test_widths_follow_content_and_are_capped(tmp_path):
    long_text = "очень длинное наименование " * 10
    path = export_rows(
        tmp_path / "a.xlsx",
        "Список",
        [("№", None, "int"), ("Наименование", None, "text"), ("Дата", None, "date"), ("Узкая", 9, "text")],
        [[1, long_text, date(2020, 1, 1), "x"], [2, "коротко", None, "y"]],
    )
    ws = load_workbook(path).active
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] == 6  # the minimum
    assert widths["B"] == MAX_WIDTH
    assert widths["C"] == len("00.00.0000") + 2
    assert widths["D"] == 9  # the hint wins


def test_empty_list_still_has_header_filter(tmp_path):
    ws = load_workbook(export_rows(tmp_path / "a.xlsx", "Пусто", COLUMNS[:3], [])).active
    assert ws.max_row == 1
    assert ws.auto_filter.ref == "A1:C1"


def test_control_characters_are_dropped(tmp_path):
    ws = load_workbook(
        export_rows(tmp_path / "a.xlsx", "Т", [("Текст", None, "text")], [["a\x01b\x0bc"]])
    ).active
    assert ws["A2"].value == "abc"


def test_sheet_title_rules():
    assert sheet_title("Школы: 2024/2025 [все]") == "Школы 2024 2025 все"
    assert len(sheet_title("Очень длинное название листа для выгрузки")) == 31
    assert sheet_title("///") == "Лист1"


def test_unwritable_place_is_an_export_error(tmp_path):
    with pytest.raises(ExportError, match="Не удалось записать"):
        export_rows(tmp_path / "нет папки" / "a.xlsx", "Т", COLUMNS, ROWS)
    assert list(tmp_path.iterdir()) == []


def test_unknown_column_kind_is_refused(tmp_path):
    with pytest.raises(ValueError):
        export_rows(tmp_path / "a.xlsx", "Т", [("A", None, "money")], [])
    with pytest.raises(ValueError):
        export_rows(tmp_path / "a.xlsx", "Т", [], [])


# --- templates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", imports.KINDS)
def test_template_headers_are_all_recognised(kind, tmp_path):
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    table = imports.read_table(path, kind=kind)
    assert table.header_row == 1
    assert table.headers[: len(template_headers(kind))] == template_headers(kind)
    mapping = imports.match_headers(table.headers, kind)
    assert [f for f in mapping.values() if f] == list(TEMPLATE_FIELDS[kind])
    assert table.headers[-1] == "Пояснение" and mapping[len(table.headers) - 1] is None
    assert table.rows[0].values[-1] == imports.EXAMPLE_MARK


def test_template_explains_allowed_values(session, tmp_path):
    wb = load_workbook(write_template("staff", tmp_path / "staff.xlsx", session))
    assert wb.sheetnames == ["Педагоги", "Пояснения"]
    text = "\n".join(str(c.value) for row in wb["Пояснения"].iter_rows() for c in row if c.value)
    for value in (*staff.CATEGORIES, *staff.EDUCATION_LEVELS):
        assert value in text
    main = wb["Педагоги"]
    assert main.freeze_panes == "A2"
    assert main["A1"].font.bold
    lists = [dv.formula1 for dv in main.data_validations.dataValidation]
    assert any("высшая" in f for f in lists)
    schools_wb = load_workbook(write_template("schools", tmp_path / "schools.xlsx", session))
    text = "\n".join(str(c.value) for row in schools_wb["Пояснения"].iter_rows() for c in row if c.value)
    assert "ШНОР, ШНСУ" in text


def test_school_template_reimports_cleanly(factory, tmp_path):
    path = write_template("schools", tmp_path / "schools.xlsx")
    wb = load_workbook(path)
    ws = wb["Школы"]
    headers = [c.value for c in ws[1]]
    row = dict.fromkeys(headers)
    row.update(
        {
            "Краткое наименование*": SHERKALY,
            "ФИО руководителя": "Петров Пётр Петрович",
            "Обучающихся НОО (1–4)": 45,
            "Сельская": "да",
            "Статус": "ШНОР",
            "Учебный год": "2024/2025",
        }
    )
    ws.append([row[h] for h in headers])
    ws.append([("МБОУ «Берёзовская СОШ»" if h == "Краткое наименование*" else None) for h in headers])
    wb.save(path)
    result = imports.import_file(factory, path, "schools")
    assert (result.created, result.errors) == (2, [])
    with factory() as s:
        rows = {r.short_name: r for r in schools.list_schools(s, "2024/2025")}
        assert set(rows) == {SHERKALY, "МБОУ «Берёзовская СОШ»"}  # the example school is not imported
        assert rows[SHERKALY].statuses == "ШНОР" and rows[SHERKALY].is_rural


def test_staff_template_reimports_cleanly(factory, tmp_path):
    with factory() as s:
        schools.save_school(s, {"short_name": SHERKALY})
        s.commit()
    path = write_template("staff", tmp_path / "staff.xlsx")
    wb = load_workbook(path)
    ws = wb["Педагоги"]
    ws.delete_rows(2)  # the user deletes the example row as told
    headers = [c.value for c in ws[1]]
    values = {
        "Фамилия*": "Сидорова",
        "Имя*": "Анна",
        "Год рождения": 1990,
        "Школа": SHERKALY,
        "Квалификационная категория": "высшая",
        "Дата присвоения категории": date(2022, 12, 1),
        "Педагогический стаж, лет": 10,
    }
    ws.append([values.get(h) for h in headers])
    wb.save(path)
    result = imports.import_file(factory, path, "staff")
    assert (result.created, result.errors) == (1, [])
    with factory() as s:
        person = s.scalars(select(Person)).one()
        assert (person.last_name, person.category, person.category_date, person.experience_years) == (
            "Сидорова",
            "высшая",
            date(2022, 12, 1),
            10,
        )


def test_untouched_template_has_no_data(session, tmp_path):
    path = write_template("schools", tmp_path / "schools.xlsx")
    with pytest.raises(imports.ImportFileError, match="нет строк с данными"):
        imports.preview_import(session, path, "schools")


def test_unknown_template_kind(tmp_path):
    with pytest.raises(ValueError):
        write_template("pupils", tmp_path / "a.xlsx")
