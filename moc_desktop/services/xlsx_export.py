"""Export of any list to .xlsx and the import templates.

DESIGN «Documents»: «Excel through openpyxl: typed cells, header row, frozen panes, column widths, autofilter».
Dates are shown as дд.мм.гггг (DESIGN «UI»), yes/no as «да»/«нет». A template written here re-imports through
``services.imports`` unchanged: its headers are the importer's own labels, its example row carries
``imports.EXAMPLE_MARK`` and is skipped.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from moc_desktop.services.common import current_school_year, parse_date
from moc_desktop.services.imports import EXAMPLE_MARK, KIND_TITLES, KINDS, KNOWN_FIELDS, REQUIRED_COLUMNS
from moc_desktop.services.schools import BOOL_FIELDS, DIRECTOR_POSTS, INT_FIELDS, status_kinds
from moc_desktop.services.staff import CATEGORIES, EDUCATION_LEVELS, POSITIONS, SUBJECTS

#: (header, width in characters or None = from content, kind)
Column = tuple[str, int | None, str]
COLUMN_KINDS = ("text", "int", "float", "percent", "date", "datetime", "bool")
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
NUMBER_FORMATS = {"int": "0", "percent": "0.0%"}
MIN_WIDTH, MAX_WIDTH = 6, 60
MAX_CELL_TEXT = 32767  # Excel's limit of characters in a cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(Exception):
    """The workbook could not be written; the message (Russian) is shown to the user."""


# --- any list --------------------------------------------------------------------------------------------------


def export_rows(
    path: str | Path, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> Path:
    """Write ``rows`` under a bold header to a one-sheet workbook named ``title``: typed cells, panes frozen under
    the header, autofilter over the data, widths from the content (capped at 60). A column is (header, width or
    None, kind); kinds: text, int, float, percent (0..1 shown as %), date, datetime, bool («да»/«нет»).
    Raises ``ExportError`` (file not writable) and ``ValueError`` (bad columns)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    _check_columns(columns)
    rows = list(rows)  # read twice: widths, then cells
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title))
    for i, width in enumerate(column_widths(columns, rows), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    ws.append(_header_cells(ws, columns))
    for row in rows:
        ws.append(_row_cells(ws, columns, row))
    wb.properties.title = title
    return save_workbook(wb, path)


def _header_cells(ws, columns: Sequence[Column]) -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for name, _w, _k in columns:
        cell = WriteOnlyCell(ws, value=_safe_text(name))
        cell.font = bold
        cell.data_type = "s"
        cells.append(cell)
    return cells


def _row_cells(ws, columns: Sequence[Column], row: Sequence[Any]) -> list:
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for i, (_h, _w, kind) in enumerate(columns):
        value, fmt = typed_value(row[i] if i < len(row) else None, kind)
        cell = WriteOnlyCell(ws, value=value)
        if fmt:
            cell.number_format = fmt
        if isinstance(value, str):
            cell.data_type = "s"  # text that starts with «=» stays text, never a formula
        cells.append(cell)
    return cells


def _check_columns(columns: Sequence[Column]) -> None:
    if not columns:
        raise ValueError("Нет ни одной колонки для выгрузки.")
    for header, _w, kind in columns:
        if kind not in COLUMN_KINDS:
            raise ValueError(
                f"Неизвестный тип колонки «{header}»: {kind!r} (ожидается {', '.join(COLUMN_KINDS)})"
            )


def sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\ ."""
    clean = re.sub(r"[\[\]:*?/\\]", " ", title or "").strip(" '")
    return " ".join(clean.split())[:31].strip() or "Лист1"


def _safe_text(value: Any) -> str:
    return _ILLEGAL.sub("", str(value))[:MAX_CELL_TEXT]


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if not isinstance(value, float) or math.isfinite(value) else None
    t = re.sub(r"[\s\u00a0]", "", str(value)).replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        return None
    return float(t) if "." in t else int(t)


def typed_value(value: Any, kind: str) -> tuple[Any, str | None]:
    """(cell value, number format) for ``value`` in a column of ``kind``. Values that do not fit the kind are
    written as they are (text stays text) rather than lost."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or kind == "bool":
        return yes_no(value), None
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date(), DATE_FORMAT
        return value, DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if kind in ("int", "float", "percent"):
        n = _as_number(value)
        if n is not None and kind != "int":
            return n, NUMBER_FORMATS.get(kind)
        if isinstance(n, int) or (isinstance(n, float) and n.is_integer()):
            return int(n), NUMBER_FORMATS["int"]
    if kind in ("date", "datetime") and isinstance(value, str):
        try:
            return parse_date(value), DATE_FORMAT
        except ValueError:
            pass
    if isinstance(value, int | float) and (not isinstance(value, float) or math.isfinite(value)):
        return value, None
    return _safe_text(value), None


def yes_no(value: Any) -> str:
    """Booleans as users write them: «да» / «нет» (strings already saying so are kept)."""
    if isinstance(value, str):
        return value.strip()
    return "да" if value else "нет"


def _display(value: Any, kind: str) -> str:
    v, fmt = typed_value(value, kind)
    if v is None:
        return ""
    if fmt == DATE_FORMAT:
        return "00.00.0000"
    if fmt == DATETIME_FORMAT:
        return "00.00.0000 00:00"
    if fmt == NUMBER_FORMATS["percent"]:
        return f"{v * 100:.1f}%"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Width of each column in characters: the hint when given, else the longest line of the header (+3 for
    bold and the filter button) or of a value (+2), between 6 and 60."""
    widths = []
    for i, (header, hint, kind) in enumerate(columns):
        if hint:
            widths.append(float(min(max(hint, MIN_WIDTH), MAX_WIDTH * 2)))
            continue
        longest = max((len(line) for line in str(header).splitlines()), default=0) + 3
        for row in rows:
            text = _display(row[i] if i < len(row) else None, kind)
            if text:
                longest = max(longest, max(len(line) for line in text.splitlines()) + 2)
            if longest >= MAX_WIDTH:
                break
        widths.append(float(min(max(longest, MIN_WIDTH), MAX_WIDTH)))
    return widths


def save_workbook(wb, path: str | Path) -> Path:
    """Build the workbook in memory, then write it through a temporary file next to the target: a failed
    export never leaves half a workbook (nor a half-written one behind an open file)."""
    target = Path(path)
    buffer = io.BytesIO()
    wb.save(buffer)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, target)
    except PermissionError as exc:
        raise ExportError(
            f"Не удалось записать «{target.name}»: файл открыт в другой программе (например, в Excel) "
            "или нет прав на папку. Закройте файл и повторите."
        ) from exc
    except OSError as exc:
        raise ExportError(f"Не удалось записать «{target}»: {exc.strerror or exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --- import templates ------------------------------------------------------------------------------------------

#: Columns of the templates, in order. Every header is one the importer recognises (tested).
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "schools": (
        "short_name",
        "full_name",
        "honorific",
        "settlement",
        "address",
        "director_post",
        "director_name",
        "phone",
        "email",
        "website",
        "pupils_noo",
        "pupils_ooo",
        "pupils_soo",
        "is_rural",
        "is_small",
        "status",
        "school_year",
        "note",
    ),
    "staff": (
        "last_name",
        "first_name",
        "middle_name",
        "gender",
        "birth_year",
        "school",
        "positions",
        "subjects",
        "education",
        "category",
        "category_date",
        "experience_years",
        "phone",
        "email",
        "note",
    ),
}
_SHORT_HEADERS = {"status": "Статус", "school_year": "Учебный год", "school": "Школа"}
_EXPLAIN_COLUMN = "Пояснение"

_EXAMPLES: dict[str, dict[str, Any]] = {
    "schools": {
        "short_name": "МКОУ «Шеркальская СОШ»",
        "full_name": "Муниципальное казенное общеобразовательное учреждение «Шеркальская средняя "
        "общеобразовательная школа»",
        "settlement": "с. Шеркалы",
        "address": "628109, Октябрьский район, с. Шеркалы, ул. Ленина, д. 1",
        "director_post": "директор",
        "director_name": "Иванов Иван Иванович",
        "phone": "8 (34678) 2-00-00",
        "email": "sherkaly@example.ru",
        "pupils_noo": 45,
        "pupils_ooo": 60,
        "pupils_soo": 12,
        "is_rural": True,
        "is_small": False,
        "status": "ШНОР; ШНСУ",
    },
    "staff": {
        "last_name": "Иванова",
        "first_name": "Мария",
        "middle_name": "Петровна",
        "gender": "ж",
        "birth_year": 1985,
        "school": "МКОУ «Шеркальская СОШ»",
        "positions": "учитель; руководитель ШМО",
        "subjects": "русский язык; литература",
        "education": "высшее педагогическое",
        "category": "первая",
        "category_date": date(2021, 3, 15),
        "experience_years": 14,
        "phone": "8 900 000-00-00",
        "email": "ivanova@example.ru",
    },
}

_YES_NO = "да / нет (также 1 / 0, + / −)"
_EXPLAIN: dict[str, dict[str, tuple[str, str]]] = {
    "schools": {
        "short_name": (
            "Краткое наименование, как в реестре. По нему школа находится при повторной загрузке: "
            "она обновляется, а не дублируется.",
            "обязательно",
        ),
        "full_name": ("Полное наименование по уставу.", ""),
        "honorific": ("Имя в наименовании, например «им. Н.И. Сирина».", ""),
        "settlement": ("Населённый пункт.", ""),
        "address": ("Адрес с индексом.", ""),
        "director_post": ("Должность руководителя.", ", ".join(DIRECTOR_POSTS)),
        "director_name": ("Фамилия, имя, отчество руководителя полностью.", ""),
        "phone": ("Телефон.", ""),
        "email": ("Адрес электронной почты.", "вида name@example.ru"),
        "website": ("Адрес сайта.", ""),
        "pupils_noo": ("Число обучающихся 1–4 классов (НОО).", "целое число от 0 до 10 000"),
        "pupils_ooo": ("Число обучающихся 5–9 классов (ООО).", "целое число от 0 до 10 000"),
        "pupils_soo": ("Число обучающихся 10–11 классов (СОО).", "целое число от 0 до 10 000"),
        "is_rural": ("Сельская школа.", _YES_NO),
        "is_small": ("Малокомплектная школа.", _YES_NO),
        "status": (
            "Статус школы в учебном году; несколько — через «;». Статусы добавляются к уже записанным.",
            "",
        ),
        "school_year": ("Учебный год, к которому относится статус.", "вида 2024/2025"),
        "note": ("Любые пометки.", ""),
    },
    "staff": {
        "last_name": ("Фамилия.", "обязательно"),
        "first_name": ("Имя полностью (не инициал).", "обязательно"),
        "middle_name": ("Отчество полностью, если есть.", ""),
        "gender": ("Пол — по нему склоняются ФИО в приказах; программа его не угадывает.", "ж / м"),
        "birth_year": (
            "Год рождения. Педагог с теми же ФИО и годом рождения при повторной загрузке обновляется.",
            "четыре цифры, например 1985; можно дату рождения",
        ),
        "school": ("Краткое наименование школы точно как в реестре школ.", "школа из реестра"),
        "positions": ("Должность; несколько — через «;».", ", ".join(POSITIONS)),
        "subjects": ("Преподаваемые предметы через «;».", ", ".join(SUBJECTS)),
        "education": ("Уровень образования.", ", ".join(EDUCATION_LEVELS)),
        "category": (
            "Квалификационная категория (понимаются и «Высшая категория», «1 категория», «СЗД»).",
            ", ".join(CATEGORIES),
        ),
        "category_date": ("Дата присвоения категории.", "дд.мм.гггг, не в будущем"),
        "experience_years": ("Педагогический стаж в полных годах.", "целое число от 0 до 70"),
        "phone": ("Телефон.", ""),
        "email": ("Адрес электронной почты.", "вида name@example.ru"),
        "note": ("Любые пометки.", ""),
    },
}


def template_headers(kind: str) -> list[str]:
    """Headers of the template for ``kind``; required columns end with «*» (the importer ignores it)."""
    required = {f for option in REQUIRED_COLUMNS[kind][:1] for f in option}
    return [
        _SHORT_HEADERS.get(f, KNOWN_FIELDS[kind][f]) + ("*" if f in required else "")
        for f in TEMPLATE_FIELDS[kind]
    ]


def _template_kind(kind: str, f: str) -> str:
    if f in INT_FIELDS or f in ("birth_year", "experience_years"):
        return "int"
    if f in BOOL_FIELDS:
        return "bool"
    return "date" if f == "category_date" else "text"


def _allowed(kind: str, f: str, session: Session | None) -> str:
    if f == "status":
        if session is not None:
            return ", ".join(k.short for k in status_kinds(session))
        return "из справочника статусов, например ШНОР, ШНСУ, Школа роста, Наставник"
    return _EXPLAIN[kind][f][1]


def write_template(kind: str, path: str | Path, session: Session | None = None) -> Path:
    """An import template: sheet «Школы»/«Педагоги» with the recognised headers and one example row (marked
    «пример — удалите строку», never imported), sheet «Пояснения» with what each column takes and the allowed
    values. With ``session`` the statuses are listed from the reference table."""
    from openpyxl import Workbook

    if kind not in KINDS:
        raise ValueError(f"Неизвестный вид шаблона: {kind!r} (ожидается {', '.join(KINDS)})")
    wb = Workbook()
    ws = wb.active
    ws.title = KIND_TITLES[kind]
    _fill_template_sheet(ws, kind, session)
    _fill_explanations(wb.create_sheet("Пояснения"), kind, session)
    return save_workbook(wb, path)


def _fill_template_sheet(ws, kind: str, session: Session | None) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields = TEMPLATE_FIELDS[kind]
    headers = [*template_headers(kind), _EXPLAIN_COLUMN]
    example = {**_EXAMPLES[kind], "school_year": current_school_year()}
    ws.append(headers)
    row = [typed_value(example.get(f), _template_kind(kind, f)) for f in fields]
    ws.append([v for v, _fmt in row] + [EXAMPLE_MARK])
    for i, (_v, fmt) in enumerate(row, start=1):
        if fmt:
            ws.cell(2, i).number_format = fmt
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    columns = [(h, None, _template_kind(kind, f)) for h, f in zip(headers, [*fields, ""], strict=True)]
    for i, width in enumerate(column_widths(columns, [[*(v for v, _ in row), EXAMPLE_MARK]]), start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(width, 40)
    ws.freeze_panes = "A2"
    _add_choices(ws, kind, fields, session)


def _add_choices(ws, kind: str, fields: Sequence[str], session: Session | None) -> None:
    """Drop-down lists (no error on other values: the importer also understands «СЗД», «1 категория», …)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = {"category": CATEGORIES, "education": EDUCATION_LEVELS, "director_post": DIRECTOR_POSTS}
    lists |= {f: ("да", "нет") for f in BOOL_FIELDS}
    if session is not None:
        lists["status"] = tuple(k.short for k in status_kinds(session))
    for i, f in enumerate(fields, start=1):
        values = lists.get(f)
        formula = '"' + ",".join(values) + '"' if values else ""
        if not values or len(formula) > 255 or any("," in v for v in values):
            continue
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        letter = get_column_letter(i)
        dv.add(f"{letter}2:{letter}2000")
        ws.add_data_validation(dv)


def _fill_explanations(ws, kind: str, session: Session | None) -> None:
    from openpyxl.styles import Alignment, Font

    title = KIND_TITLES[kind]
    notes = [
        f"Как заполнить лист «{title}»",
        "Одна строка — одна запись. Строку-пример (серый курсив, с пометкой «пример — удалите строку») "
        "можно не удалять: она не загружается.",
        "Обязательные колонки отмечены звёздочкой (*). Порядок колонок не важен; лишние колонки пропускаются.",
        "Пустая ячейка при повторной загрузке не стирает уже записанное значение.",
        "Даты — в виде дд.мм.гггг. Числа можно писать с запятой.",
        "",
    ]
    for line in notes:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(["Колонка", "Что указать", "Допустимые значения"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for header, f in zip(template_headers(kind), TEMPLATE_FIELDS[kind], strict=True):
        ws.append([header, _EXPLAIN[kind][f][0], _allowed(kind, f, session)])
    for letter, width in (("A", 32), ("B", 70), ("C", 60)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=len(notes) + 2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
