"""Columns of the registry lists: one definition for the tables on screen and the .xlsx export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from moc_desktop.services import schools as schools_svc
from moc_desktop.services import staff as staff_svc
from moc_desktop.services.common import current_school_year


@dataclass(frozen=True)
class Column:
    key: str  # attribute of the row object
    title: str
    kind: str = "text"  # text | int | bool | date | float
    width: int | None = None  # characters, for export


SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column("short_name", "Краткое наименование", width=34),
    Column("statuses", "Статус", width=18),
    Column("settlement", "Населённый пункт", width=18),
    Column("director", "Руководитель", width=28),
    Column("pupils", "Обучающихся", "int", 12),
    Column("staff_count", "Педагогов", "int", 10),
    Column("is_rural", "Сельская", "bool", 9),
    Column("is_small", "Малокомпл.", "bool", 10),
    Column("phone", "Телефон", width=18),
    Column("email", "Эл. почта", width=24),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("fio", "ФИО", width=26),
    Column("school", "Школа", width=30),
    Column("positions", "Должность", width=26),
    Column("subjects", "Предметы", width=24),
    Column("category", "Категория", width=16),
    Column("experience_years", "Стаж", "int", 6),
    Column("birth_year", "Год рожд.", "int", 9),
    Column("young", "Молодой специалист", "bool", 10),
    Column("recent_courses", "КПК за 3 года", "bool", 10),
    Column("phone", "Телефон", width=18),
    Column("email", "Эл. почта", width=24),
)

#: In the export the full name is more useful than «Фамилия И.О.».
STAFF_EXPORT_COLUMNS: tuple[Column, ...] = (Column("full_name", "ФИО", width=34),) + STAFF_COLUMNS[1:]

ORDER_COLUMNS: tuple[Column, ...] = (
    Column("number_text", "Номер", width=10),
    Column("date", "Дата", "date", 11),
    Column("title", "Заголовок", width=70),
    Column("status", "Статус", width=11),
    Column("signatory", "Подписал", width=18),
)

PROTOCOL_COLUMNS: tuple[Column, ...] = (
    Column("body", "Орган", width=28),
    Column("number_text", "№", width=7),
    Column("date", "Дата", "date", 11),
    Column("title", "Повестка / тема", width=60),
    Column("present", "Присутств.", "int", 10),
    Column("status", "Статус", width=11),
)

LIST_TITLES = {
    "schools": "Школы",
    "staff": "Педагогические работники",
    "orders": "Журнал регистрации приказов",
    "protocols": "Протоколы заседаний",
}


def columns_for(kind: str, export: bool = False) -> tuple[Column, ...]:
    if kind == "schools":
        return SCHOOL_COLUMNS
    if kind == "orders":
        return ORDER_COLUMNS
    if kind == "protocols":
        return PROTOCOL_COLUMNS
    return STAFF_EXPORT_COLUMNS if export else STAFF_COLUMNS


def export_rows(kind: str, rows: list, path: Path, title: str | None = None) -> int:
    """Write the given list rows (e.g. what is visible after filtering) to .xlsx. Returns the row count."""
    from moc_desktop.services import xlsx_export

    cols = columns_for(kind, export=True)
    xlsx_export.export_rows(
        path,
        title or LIST_TITLES[kind],
        [(c.title, c.width, c.kind) for c in cols],
        [[getattr(r, c.key) for c in cols] for r in rows],
    )
    return len(rows)


def export_list(session: Session, kind: str, path: Path, school_year: str | None = None) -> int:
    """Whole list to .xlsx (CLI ``export``)."""
    if kind == "schools":
        rows = schools_svc.list_schools(session, school_year or current_school_year())
    else:
        rows = staff_svc.list_staff(session)
    return export_rows(kind, rows, path)
