"""Migration of paper/Excel journals: the template, the import with row errors, all-or-nothing, duplicates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import AuditLog, PsychSession
from moc_desktop.services import auth, imports, schools
from moc_desktop.services.imports import ImportFileError, ImportRefused
from moc_desktop.services.psych import files, journal
from moc_desktop.services.psych.journal import JournalFilter

PASSWORD = "psy-secret-1"
SHERKALY = "МКОУ «Шеркальская СОШ»"
SHERKALY_FULL = "Муниципальное казённое общеобразовательное учреждение «Шеркальская средняя школа»"
HEADERS = [h for _f, h, _n in files.JOURNAL_COLUMNS]


@pytest.fixture
def psy(factory):
    with session_scope(factory) as s:
        auth.create_user(s, "psy", "Иванова Мария Петровна", "psychologist", PASSWORD)
        schools.save_school(s, {"short_name": SHERKALY, "full_name": SHERKALY_FULL})
    with session_scope(factory) as s:
        return auth.authenticate(s, "psy", PASSWORD)


def row(**kw) -> list:
    base = {
        "Дата": "14.10.2025",
        "Время": "10:30",
        "Длительность, мин": 45,
        "Школа": SHERKALY,
        "Категория": "обучающийся",
        "Класс": "7Б",
        "Код клиента": "О-0001",
        "Форма": "индивидуальная",
        "Количество участников": 1,
        "Вид работы": "консультация",
        "Запрос": "Тревожность",
        "Результат": "",
        "Рекомендации": "",
        "Примечание": "",
        "Дата повторной встречи": "",
    }
    base.update(kw)
    return [base[h] for h in HEADERS]


def write_xlsx(path, rows, titles=()):
    wb = Workbook()
    ws = wb.active
    for t in titles:
        ws.append([t])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def n_entries(session) -> int:
    return session.scalar(
        select(func.count()).select_from(PsychSession).where(PsychSession.deleted_at.is_(None))
    )


def test_template_round_trip(factory, psy, tmp_path):
    path = tmp_path / "шаблон.xlsx"
    with session_scope(factory) as s:
        files.write_template(path, s)
    wb = load_workbook(path)
    assert wb.sheetnames[0] == files.TEMPLATE_SHEET and files.EXPLAIN_SHEET in wb.sheetnames
    ws = wb[files.TEMPLATE_SHEET]
    assert [c.value for c in ws[1]] == HEADERS
    assert imports.EXAMPLE_MARK in [c.value for c in ws[2]]
    validations = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(validations) == {"D", "E", "H", "J"}  # школа, категория, форма, вид работы
    lists = wb[files.LISTS_SHEET]
    assert SHERKALY in [c.value for c in lists["A"]] + [c.value for c in lists["D"]]
    explained = [r[0] for r in wb[files.EXPLAIN_SHEET].iter_rows(values_only=True)]
    assert all(h in explained for h in HEADERS)
    # the psychologist fills the template in Excel: a date cell, a time cell, a group without a code
    ws.append(row(Дата=date(2025, 10, 20), Время="09:15", Запрос="Конфликт с одноклассниками"))
    ws.append(
        row(
            Дата="21.10.2025",
            Время=None,
            **{
                "Код клиента": "",
                "Форма": "групповая",
                "Количество участников": 12,
                "Вид работы": "профилактика",
            },
        )
    )
    ws.append(row(Категория="родитель", Класс="", **{"Код клиента": "Р-0001", "Школа": SHERKALY_FULL}))
    wb.save(path)
    with session_scope(factory) as s:
        result = files.import_journal(s, psy, path)
        assert (result.created, result.unchanged, result.skipped, result.errors) == (3, 0, 0, [])
    with session_scope(factory) as s:
        rows = journal.list_sessions(s, psy, JournalFilter(), sort="held_on", descending=False)
        assert [(r.held_on, r.start_time, r.kind, r.form, r.group_size) for r in rows] == [
            (date(2025, 10, 14), "10:30", "consultation", "individual", 1),
            (date(2025, 10, 20), "09:15", "consultation", "individual", 1),
            (date(2025, 10, 21), "", "prevention", "group", 12),
        ]
        assert all(r.school_name == SHERKALY for r in rows)
        assert journal.open_session(s, psy, rows[1].uuid).request == "Конфликт с одноклассниками"
        notes = s.scalars(select(AuditLog.note).where(AuditLog.action == "import")).all()
        assert len(notes) == 1 and "загружено записей из «шаблон.xlsx»: 3" in notes[0]
        # the example row of the template was not imported — and nothing has the example's mark
        assert all(journal.open_session(s, psy, r.uuid).notes == "" for r in rows)


def test_row_errors_refuse_everything(factory, psy, tmp_path):
    future = (date.today() + timedelta(days=3)).strftime("%d.%m.%Y")
    path = write_xlsx(
        tmp_path / "журнал.xlsx",
        [
            row(),  # good
            row(Школа="МКОУ «Несуществующая СОШ»"),
            row(**{"Вид работы": "прогулка"}),
            row(Дата="32.13.2025"),
            row(Дата=future),
            row(**{"Код клиента": ""}),
            row(Время="25:99"),
            row(Категория="сосед"),
            row(Класс=""),
            row(**{"Форма": "групповая", "Количество участников": "много"}),
        ],
        titles=["Журнал учёта видов работы педагога-психолога", "2025/2026 учебный год"],
    )
    with session_scope(factory) as s, pytest.raises(ImportRefused) as exc:
        files.import_journal(s, psy, path)
    errors = {(e.row, e.column): e.message for e in exc.value.errors}
    assert "База данных не изменена" in str(exc.value)
    # the header is on row 3 under two title rows: data start at row 4
    assert errors[(5, "Школа")] == "Школы «МКОУ «Несуществующая СОШ»» нет в реестре."
    assert errors[(6, "Вид работы")].startswith("Неизвестный вид работы «прогулка».")
    assert "не дата" in errors[(7, "Дата")]
    assert "позже сегодняшнего дня" in errors[(8, "Дата")]
    assert "код клиента" in errors[(9, "Код клиента")]
    assert "не время" in errors[(10, "Время")]
    assert "Неизвестная категория «сосед»" in errors[(11, "Категория")]
    assert "укажите класс" in errors[(12, "Класс")]
    assert "не целое число" in errors[(13, "Количество участников")]
    assert 4 not in {e.row for e in exc.value.errors}
    with session_scope(factory) as s:
        assert n_entries(s) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "import")) == 0
    with session_scope(factory) as s:
        result = files.import_journal(s, psy, path, valid_only=True)
        assert (result.created, result.skipped) == (1, 9)
        assert len(result.errors) == 9
    with session_scope(factory) as s:
        assert n_entries(s) == 1


def test_duplicates_are_skipped(factory, psy, tmp_path):
    path = write_xlsx(
        tmp_path / "журнал.xlsx",
        [
            row(),
            row(),  # the same entry twice in the file
            row(Время="11:30"),  # another time — another entry
            row(**{"Код клиента": "о-0001"}),  # the same code in another case
        ],
    )
    with session_scope(factory) as s:
        first = files.import_journal(s, psy, path)
        assert (first.created, first.unchanged) == (2, 2)
    with session_scope(factory) as s:
        again = files.import_journal(s, psy, path)
        assert (again.created, again.unchanged) == (0, 4)
        assert n_entries(s) == 2


def test_csv_from_russian_excel(factory, psy, tmp_path):
    path = tmp_path / "журнал.csv"
    lines = [";".join(HEADERS), ";".join(str(v) for v in row(Длительность="60", **{"Вид работы": "ППк"}))]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    with session_scope(factory) as s:
        assert files.import_journal(s, psy, path).created == 1
        (r,) = journal.list_sessions(s, psy, JournalFilter())
        assert r.kind == "council" and r.client_code == "О-0001"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("битый.xlsx", b"PK\x03\x04 this is not a workbook at all", "повреждён"),
        ("пусто.csv", b"", "пуст"),
        ("чужой.csv", "Фамилия;Имя\nИванов;Иван\n".encode("cp1251"), "строка заголовков"),
        ("без вида.csv", "Дата;Категория\n01.10.2025;педагог\n".encode("cp1251"), "«Вид работы»"),
    ],
)
def test_bad_files(factory, psy, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with session_scope(factory) as s, pytest.raises(ImportFileError, match=message):
        files.import_journal(s, psy, path)


def test_missing_file(factory, psy, tmp_path):
    with session_scope(factory) as s, pytest.raises(ImportFileError):
        files.import_journal(s, psy, tmp_path / "нет такого.xlsx")


def test_import_needs_the_journal_key(factory, psy, tmp_path):
    path = write_xlsx(tmp_path / "журнал.xlsx", [row()])
    with session_scope(factory) as s, pytest.raises(auth.AccessDenied, match="Журнал не открыт"):
        files.import_journal(s, psy.without_key(), path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
                st.integers(-5, 500),
                st.dates(),
            ),
            max_size=8,
        ),
        max_size=6,
    )
)
def test_fuzz_rows_never_crash(factory, psy, tmp_path, cells):
    """Whatever is in the cells, the import ends in a result or a Russian refusal — never a traceback."""
    path = write_xlsx(tmp_path / "fuzz.xlsx", [[*c, *row()[len(c) :]] for c in cells])
    with factory() as s:
        try:
            result = files.import_journal(s, psy, path, valid_only=True)
        except ImportFileError as exc:
            assert str(exc)
        else:
            assert result.created + result.unchanged + result.skipped <= len(cells)
            assert all(e.message for e in result.errors)
        finally:
            s.rollback()
