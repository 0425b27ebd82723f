"""Import of schools and staff from spreadsheet files (.xlsx/.xlsm, .xls, .csv saved by Russian Excel).

Flow (issue «Импорт школ и педагогов из Excel»):

1. ``read_table`` — file → :class:`RawTable`: the first worksheet (or a named one), the header row found among the
   first 20 rows (title rows above it and merged two-row headers are tolerated), data rows with the row numbers the
   user sees in Excel. Every problem with the file itself is an :class:`ImportFileError` with a Russian message.
2. ``match_headers`` — header texts → field names by synonyms (order, case, «ё/е», spaces, «:»/«*» ignored); a
   mapping the user chose once is remembered per kind (``remember_mapping``) and wins over the synonyms.
3. ``preview_import`` — values converted and checked with the registry's own rules (``validate_school``,
   ``validate_person``, ``validate_status``); duplicates found with ``find_school_by_short_name`` / ``find_person``.
   Nothing is written.
4. ``apply_import`` — writes through ``save_school`` / ``set_statuses`` / ``save_person`` in the caller's
   transaction: all or nothing unless ``valid_only``. ``import_file`` does 1–4 in one transaction of its own.

No Qt here: progress and cancel are plain callables (DESIGN «Code we admire», calibre's threaded jobs).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from moc_desktop.db.models import Person
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError, fold, normalize_school_year, parse_date
from moc_desktop.services.schools import (
    BOOL_FIELDS,
    INT_FIELDS,
    SCHOOL_FIELDS,
    find_school_by_short_name,
    save_school,
    set_statuses,
    status_kinds,
    validate_school,
    validate_status,
)
from moc_desktop.services.staff import (
    PERSON_FIELDS,
    PersonIndex,
    find_person,
    is_young_specialist,
    join_list,
    save_person,
    split_list,
    validate_person,
)

Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]

KINDS = ("schools", "staff")
KIND_TITLES = {"schools": "Школы", "staff": "Педагоги"}

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DATA_ROWS = 50_000
HEADER_SCAN_ROWS = 20
#: Marker of the example row in a template (``xlsx_export.write_template``); such rows are never imported.
EXAMPLE_MARK = "пример — удалите строку"

#: Import field → Russian label, per kind. Labels of stored fields come from the registry (SCHOOL_FIELDS,
#: PERSON_FIELDS); the extra ones are import-only: a one-column ФИО, a birth date, a school by its short name, a
#: status with its school year. A GUI offers these in its column-mapping step.
KNOWN_FIELDS: dict[str, dict[str, str]] = {
    "schools": {
        **SCHOOL_FIELDS,
        "status": "Статус (ШНОР, ШНСУ, Школа роста…)",
        "school_year": "Учебный год (для статуса)",
    },
    "staff": {
        "last_name": PERSON_FIELDS["last_name"],
        "first_name": PERSON_FIELDS["first_name"],
        "middle_name": PERSON_FIELDS["middle_name"],
        "fio": "ФИО (одной колонкой)",
        "birth_year": PERSON_FIELDS["birth_year"],
        "birth_date": "Дата рождения",
        "school": "Школа (краткое наименование)",
        **{
            k: v
            for k, v in PERSON_FIELDS.items()
            if k not in ("last_name", "first_name", "middle_name", "birth_year", "school_id")
        },
        "gender": "Пол",
    },
}

#: Columns that must be present: without them no row can be imported.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "schools": (("short_name",),),
    "staff": (("last_name", "first_name"), ("fio",)),  # either the split names or one ФИО column
}

#: Header synonyms seen in municipal and school spreadsheets (issue text; DOMAIN «Who and what», «Staff»).
#: Compared after ``_loose`` (case, «ё», punctuation and spaces ignored); the labels of KNOWN_FIELDS are added.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "schools": {
        "short_name": (
            "Краткое наименование ОО",
            "Краткое название",
            "Наименование ОО",
            "Наименование ОУ",
            "Наименование школы",
            "Наименование",
            "Название школы",
            "Сокращенное наименование",
            "Сокращенное наименование ОО",
            "Сокращенное наименование ОУ",
            "Школа",
            "ОО",
            "ОУ",
            "Образовательная организация",
            "Наименование образовательной организации",
        ),
        "full_name": (
            "Полное наименование ОО",
            "Полное название",
            "Полное наименование образовательной организации",
            "Наименование по уставу",
        ),
        "honorific": ("Присвоенное имя", "Почетное наименование"),
        "settlement": ("Нас. пункт", "Поселение", "Населенный пункт ОО"),
        "address": (
            "Адрес ОО",
            "Юридический адрес",
            "Фактический адрес",
            "Почтовый адрес",
            "Местонахождение",
        ),
        "director_name": (
            "Директор",
            "Руководитель",
            "ФИО директора",
            "Руководитель ОО",
            "Директор ОО",
            "Руководитель ФИО",
            "Директор ФИО",
            "ФИО руководителя ОО",
        ),
        "phone": ("Тел.", "Телефон ОО", "Контактный телефон", "Телефон/факс", "Тел./факс"),
        "email": (
            "E-mail",
            "Email",
            "Электронная почта",
            "Адрес электронной почты",
            "Эл. адрес",
            "E-mail ОО",
            "Эл. почта ОО",
        ),
        "website": ("Адрес сайта", "Официальный сайт", "Сайт ОО"),
        "is_rural": ("Сельская школа", "Сельская ОО"),
        "is_small": ("Малокомплектная школа", "Малокомплектная ОО", "МКШ"),
        "status": ("Статус", "Статусы", "Статус ОО", "Статус школы"),
        "school_year": ("Учебный год", "Уч. год"),
        "note": ("Примечания", "Комментарий"),
    },
    "staff": {
        "fio": (
            "ФИО",
            "Ф.И.О.",
            "Фамилия Имя Отчество",
            "Фамилия, имя, отчество",
            "ФИО педагога",
            "ФИО работника",
            "ФИО учителя",
            "ФИО полностью",
            "ФИО педагогического работника",
        ),
        "birth_year": ("Г.р.", "Год рожд."),
        "birth_date": ("Дата рожд.",),
        "school": (
            "Школа",
            "ОО",
            "ОУ",
            "Наименование ОО",
            "Краткое наименование ОО",
            "Сокращенное наименование ОО",
            "Образовательная организация",
            "Наименование образовательной организации",
            "Место работы",
        ),
        "positions": ("Должности", "Занимаемая должность"),
        "subjects": (
            "Предмет",
            "Предмет(ы)",
            "Преподаваемый предмет",
            "Преподаваемые предметы",
            "Предметы преподавания",
        ),
        "education": ("Уровень образования",),
        "category": ("Категория", "Кв. категория", "Квалиф. категория"),
        "category_date": (
            "Дата присвоения",
            "Дата аттестации",
            "Дата категории",
            "Дата присвоения квалификационной категории",
        ),
        "experience_years": (
            "Стаж",
            "Педагогический стаж",
            "Пед. стаж",
            "Стаж работы",
            "Стаж педагогической работы",
        ),
        "phone": ("Тел.", "Контактный телефон", "Мобильный телефон"),
        "gender": ("Пол (м/ж)", "Пол м/ж", "Пол (ж/м)"),
        "email": ("E-mail", "Email", "Электронная почта", "Адрес электронной почты", "Эл. адрес"),
        "note": ("Примечания", "Комментарий"),
    },
}

#: Headers known to carry nothing to import (numbering, course lists, the template's explanation column).
IGNORED_HEADERS = (
    "№",
    "№ п/п",
    "п/п",
    "Курсы ПК",
    "КПК",
    "Курсы повышения квалификации",
    "Курсовая подготовка",
    "Сведения о курсах",
    "Пояснение",
)

#: Other names of school statuses (DOMAIN «School statuses»: ШНОР/ШНРО/УНОР, ШНСУ/ШФНСУ/ШРССУ, …).
STATUS_ALIASES: dict[str, str] = {
    "ШНРО": "shnor",
    "УНОР": "shnor",
    "ШФНСУ": "shnsu",
    "ШРССУ": "shnsu",
    "Наставник": "mentor",
    "Школа-наставник": "mentor",
    "Консалтинговый центр": "consulting",
    "КЦ": "consulting",
    "Лидер": "leader",
    "Стажировочная площадка": "internship",
}

_LEVEL_MARKS = {"ноо": "pupils_noo", "1 4": "pupils_noo", "ооо": "pupils_ooo", "5 9": "pupils_ooo"}
_LEVEL_MARKS |= {"соо": "pupils_soo", "10 11": "pupils_soo"}
_LEVEL_FILLER = frozenset(
    "контингент обучающихся обучающиеся учащихся учащиеся количество кол во число чел человек классы "
    "класс классов кл уровень ступень детей".split()
)
_NAME_FIELDS = ("last_name", "first_name", "middle_name")
_TRUE = frozenset({"да", "д", "1", "+", "true", "истина", "yes", "y", "x", "х", "v", "✓", "✔", "есть"})
_FALSE = frozenset({"нет", "н", "0", "-", "−", "–", "—", "false", "ложь", "no", "n"})
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")


# --- errors and results ----------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file cannot be read as a table; the message (Russian) is shown to the user as is."""


class ImportRefused(Exception):
    """The file has errors and ``valid_only`` was not asked for: nothing was written."""

    def __init__(self, errors: list[RowError]):
        rows = sorted({e.row for e in errors})
        super().__init__(
            f"Импорт не выполнен: ошибок в файле — {len(errors)} (строки: "
            f"{', '.join(map(str, rows[:20]))}{' …' if len(rows) > 20 else ''}). База данных не изменена. "
            "Исправьте ошибки или загрузите только верные строки."
        )
        self.errors = errors


class ImportCancelled(Exception):
    """The user cancelled; everything written so far was rolled back."""

    def __init__(self) -> None:
        super().__init__("Импорт прерван пользователем. База данных не изменена.")


@dataclass
class RowError:
    """One problem: the spreadsheet's own 1-based row number, the column's header as in the file, the reason."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Строка {self.row}" + (f", колонка «{self.column}»" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class RawRow:
    number: int  # 1-based, as Excel shows it
    values: list[Any]


@dataclass
class RawTable:
    path: Path
    sheet: str  # worksheet name; "" for CSV
    header_row: int  # 1-based
    headers: list[str]
    rows: list[RawRow]  # non-empty rows under the header


@dataclass
class ImportRow:
    """A checked row ready to be written."""

    row: int
    data: dict[str, Any]  # fields for save_school / save_person: only the non-empty cells
    existing_id: int | None  # the record it updates (None: a new one)
    label: str  # «МКОУ «Шеркальская СОШ»», «Иванова Мария Петровна» — for the preview table
    statuses: list[dict[str, str]] = field(default_factory=list)  # schools: {school_year, status_code}

    @property
    def action(self) -> str:
        return "create" if self.existing_id is None else "update"


@dataclass
class ImportPreview:
    kind: str
    path: Path
    header_row: int
    headers: list[str]
    mapping: dict[int, str | None]
    rows_total: int
    valid: list[ImportRow]
    errors: list[RowError]
    to_create: int
    to_update: int
    sheet: str = ""
    ignored_rows: int = 0  # template example rows and «Итого»/«Всего» lines, not counted in rows_total


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # matched an existing record and changed nothing in it
    skipped: int = 0  # rows with errors, not written (valid_only)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Добавлено: {self.created}, обновлено: {self.updated}, без изменений: {self.unchanged}"
        return text + (f", пропущено строк с ошибками: {self.skipped}." if self.skipped else ".")


# --- reading files ---------------------------------------------------------------------------------------------


def read_table(
    path: str | Path,
    sheet: str | int | None = None,
    kind: str | None = None,
    remembered: dict[str, str] | None = None,
) -> RawTable:
    """Read the first worksheet (or ``sheet``) and find its header row. Raises ``ImportFileError``.

    ``kind`` narrows the header detection to one kind's fields (``None``: any kind)."""
    p = Path(path)
    sheet_name, rows = load_rows(p, sheet)
    if not rows:
        raise ImportFileError(f"Файл «{p.name}» пуст: в нём нет ни одной заполненной ячейки.")
    width = max(len(r.values) for r in rows)
    idx, headers = _detect_header(rows, width, kind, remembered)
    return RawTable(p, sheet_name, rows[idx].number, headers, rows[idx + 1 :])


def load_rows(p: Path, sheet: str | int | None) -> tuple[str, list[RawRow]]:
    """Non-empty rows of the chosen sheet. Any failure of a reader becomes ``ImportFileError`` (never a
    traceback for the user: issue, requirement 1)."""
    data = _read_bytes(p)
    fmt = _detect_format(p, data)
    reader = {"xlsx": _rows_xlsx, "xls": _rows_xls, "csv": _rows_csv}[fmt]
    try:
        return reader(data, sheet, p.name)
    except ImportFileError:
        raise
    except Exception as exc:  # the readers fail in many ways on broken files: zip, XML, OLE2, codecs, csv
        raise ImportFileError(
            f"Не удалось прочитать файл «{p.name}»: он повреждён или обрезан. "
            "Откройте его в Excel, сохраните заново и повторите импорт."
        ) from exc


def _read_bytes(p: Path) -> bytes:
    try:
        if not p.exists():
            raise ImportFileError(f"Файл «{p}» не найден.")
        if p.is_dir():
            raise ImportFileError(f"«{p}» — это папка, а не файл.")
        size = p.stat().st_size
        if size == 0:
            raise ImportFileError(f"Файл «{p.name}» пуст.")
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                f"Файл «{p.name}» слишком большой ({size // (1024 * 1024)} МБ); допустимо до "
                f"{MAX_FILE_BYTES // (1024 * 1024)} МБ."
            )
        return p.read_bytes()
    except PermissionError as exc:
        raise ImportFileError(
            f"Нет доступа к файлу «{p.name}». Возможно, он открыт в другой программе — закройте её и повторите."
        ) from exc
    except OSError as exc:
        raise ImportFileError(f"Не удалось открыть файл «{p.name}»: {exc.strerror or exc}.") from exc


def _detect_format(p: Path, data: bytes) -> str:
    """Reader by content first (a renamed .xlsx still opens), then by extension."""
    ext = p.suffix.lower()
    if ext not in SUPPORTED_SUFFIXES:
        raise ImportFileError(
            f"Формат файла «{p.name}» не поддерживается. Сохраните таблицу как «Книга Excel» (.xlsx), "
            "«Книга Excel 97–2003» (.xls) или CSV (.csv)."
        )
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(_OLE2):
        if _ENCRYPTED_STREAM in data:
            raise ImportFileError(_password_message(p.name))
        return "xls"
    if ext in (".xlsx", ".xlsm", ".xls"):
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith((b"<", b"\xff\xfe<")):
            raise ImportFileError(
                f"Файл «{p.name}» — не книга Excel, а веб-страница (HTML/XML) с расширением «{ext}». "
                "Откройте его в Excel и сохраните как «Книга Excel» (.xlsx)."
            )
        raise ImportFileError(
            f"Файл «{p.name}» не является книгой Excel: он повреждён или у него неверное расширение."
        )
    return "csv"


def _password_message(name: str) -> str:
    return (
        f"Файл «{name}» защищён паролем. Откройте его в Excel, снимите пароль "
        "(Файл → Сведения → Защита книги) и сохраните заново."
    )


def _pick_sheet(names: Sequence[str], sheet: str | int | None, filename: str) -> int:
    if not names:
        raise ImportFileError(f"В файле «{filename}» нет ни одного листа с таблицей.")
    if sheet is None:
        return 0
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return sheet
    else:
        for i, n in enumerate(names):
            if fold(n) == fold(sheet):
                return i
    raise ImportFileError(f"В файле «{filename}» нет листа «{sheet}». Листы: {', '.join(names)}.")


def _keep(rows: list[RawRow], number: int, values: Sequence[Any]) -> None:
    """Append a row when it has any value; strings trimmed, blanks → None, trailing blanks dropped."""
    clean = [_clean_value(v) for v in values]
    while clean and clean[-1] is None:
        clean.pop()
    if not clean:
        return
    if len(rows) >= MAX_DATA_ROWS + HEADER_SCAN_ROWS:
        raise ImportFileError(
            f"В файле больше {MAX_DATA_ROWS:_} строк — это не похоже на список школ или педагогов. ".replace(
                "_", " "
            )
            + "Разделите файл на части."
        )
    rows.append(RawRow(number, clean))


def _clean_value(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, datetime) and v.time() == datetime.min.time():
        return v.date()
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _rows_xlsx(data: bytes, sheet: str | int | None, filename: str) -> tuple[str, list[RawRow]]:
    """.xlsx/.xlsm through openpyxl in read-only mode with cached formula values (``data_only``)."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # «Data Validation extension is not supported» and the like
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheets = wb.worksheets
            ws = sheets[_pick_sheet([s.title for s in sheets], sheet, filename)]
            ws.reset_dimensions()  # a wrong <dimension> in the file must not cut or pad the rows
            rows: list[RawRow] = []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                _keep(rows, number, values)
            return ws.title, rows
        finally:
            wb.close()


def _rows_xls(data: bytes, sheet: str | int | None, filename: str) -> tuple[str, list[RawRow]]:
    """Old .xls (Excel 97–2003) through xlrd; date cells become dates with the workbook's datemode."""
    import xlrd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
        except xlrd.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise ImportFileError(_password_message(filename)) from exc
            raise
        try:
            sh = book.sheet_by_index(_pick_sheet(book.sheet_names(), sheet, filename))
            rows: list[RawRow] = []
            for r in range(sh.nrows):
                _keep(rows, r + 1, [_xls_value(c, book.datemode) for c in sh.row(r)])
            return sh.name, rows
        finally:
            book.release_resources()


def _xls_value(cell, datemode: int) -> Any:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
    return cell.value


def _rows_csv(data: bytes, sheet: str | int | None, filename: str) -> tuple[str, list[RawRow]]:
    """CSV as Russian Excel saves it: UTF-8 with BOM, UTF-8 or Windows-1251 (also UTF-16 «Юникод»);
    «;» (Russian list separator), «,» or tab."""
    text = _decode_text(data)
    if _looks_binary(text):
        raise ImportFileError(
            f"Файл «{filename}» не похож на таблицу CSV (внутри двоичные данные). "
            "Сохраните таблицу из Excel как «CSV (разделители — точка с запятой)»."
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[RawRow] = []
    for number, values in enumerate(reader, start=1):
        _keep(rows, number, values)
    return "", rows


def _decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    return "\x00" in sample or controls > max(2, len(sample) // 200)


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving most rows of the same width (>1 column); ties go to «;», then tab, then «,»."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ";", (0, 0)
    for d in (";", "\t", ","):
        widths = Counter(len(r) for r in csv.reader(lines, delimiter=d) if len(r) > 1)
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
        if (count, width) > best_score:
            best, best_score = d, (count, width)
    return best


# --- cell values -----------------------------------------------------------------------------------------------


def cell_text(v: Any) -> str:
    """A cell as text: whole numbers without «.0» (phones typed as numbers), dates as дд.мм.гггг."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "да" if v else "нет"
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        v = v.date() if v.time() == datetime.min.time() else v
    if isinstance(v, date) and not isinstance(v, datetime):
        return v.strftime("%d.%m.%Y")
    return " ".join(str(v).split())


_text = cell_text  # the readers below use the short name


def _blank(v: Any) -> bool:
    """Empty, or only dashes («-», «—» — «нет данных» in Russian tables)."""
    t = _text(v)
    return not t or not t.strip("-−–— ")


def _number(v: Any) -> int | float | None:
    """«12», «0,449», «1 234» (spaces, comma as decimal separator) or a numeric cell; None when not a number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    t = re.sub(r"[\s\u00a0\u202f]", "", str(v)).replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        return None
    return float(t) if "." in t else int(t)


def _int_or_text(v: Any) -> int | str:
    """Whole number, or the text itself so that the registry's validator reports it in its own words."""
    n = _number(v)
    if isinstance(n, int):
        return n
    if isinstance(n, float) and n.is_integer():
        return int(n)
    return _text(v)


def _bool(v: Any) -> bool:
    """да/нет, 1/0, +/−, true/false, «х» (a tick) — issue, requirement 4."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    t = fold(_text(v)).rstrip(".")
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ValueError(f"«{_text(v)}» — укажите «да» или «нет».")


_SERIAL_MIN, _SERIAL_MAX = 18264, 73051  # Excel day numbers of 01.01.1950 and 31.12.2099


def _date(v: Any) -> date:
    """An Excel date, a day number left unformatted (1950–2099 only) or text «дд.мм.гггг[ г.]» (parse_date)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        if _SERIAL_MIN <= v <= _SERIAL_MAX:
            return date(1899, 12, 30) + timedelta(days=int(v))
        raise ValueError(f"«{_text(v)}» — не дата (ожидается дд.мм.гггг)")
    if isinstance(v, str):
        v = re.sub(r"\s*(г\.?|года)\s*$", "", v.strip())
    d = parse_date(v)
    if d is None:
        raise ValueError("Пустая дата.")
    return d


def _year_or_text(v: Any) -> int | str:
    """Birth year from a number, «1985», or a date (cell or text) → its year; otherwise the text for the
    validator («Год рождения — четыре цифры…»)."""
    if isinstance(v, date):
        return v.year
    n = _int_or_text(v)
    if isinstance(n, int):
        return n
    try:
        return _date(n).year
    except ValueError:
        return n


def _experience(v: Any) -> int | str:
    """Стаж in full years: «15», «15 лет», «12,5» (→ 12), «3 года 4 мес.» (→ 3). PERSON_FIELDS stores whole
    years («Педагогический стаж, лет»); anything else goes to the validator as text."""
    n = _number(v)
    if n is None:
        m = re.match(r"^(\d+(?:[.,]\d+)?)\s*(?:лет|год|года|г|л)?(?!\w)", fold(_text(v)))
        n = _number(m.group(1)) if m else None
    if n is None:
        return _text(v)
    return int(math.floor(n)) if isinstance(n, float) else n


_CATEGORY_FILLER = frozenset({"категория", "категории", "квалификационная", "квалификационной", "кв", "кат"})
_CATEGORY_FILLER |= {"квалиф", "кк", "на"}
_CATEGORY_WORDS = {
    "высшая": ("высшая", "высш", "вкк", "высшую"),
    "первая": ("первая", "1", "i", "1 я", "1я", "пкк", "первую"),
    "соответствие занимаемой должности": (
        "сзд",
        "соответствие",
        "соотв",
        "соответствие занимаемой должности",
        "соответствует занимаемой должности",
        "соответствие должности",
    ),
    "без категории": ("без", "нет", "бк", "б к", "не имеет", "отсутствует"),
}


def _category(text: str) -> str:
    """«Высшая категория», «1 категория», «первая», «СЗД», «соответствие», «б/к» → a value of
    staff.CATEGORIES; unknown text is returned as is so that ``validate_person`` lists the allowed ones."""
    words = [w for w in _loose(text).split() if w not in _CATEGORY_FILLER]
    key = " ".join(words)
    for value, forms in _CATEGORY_WORDS.items():
        if key in forms:
            return value
    return text


def _education(text: str) -> str:
    """«ВПО», «высшее (педагогическое)», «СПО», «среднее специальное» → a value of staff.EDUCATION_LEVELS; other
    text is kept (the registry does not restrict this field)."""
    k = _loose(text)
    first = k.split()[0] if k else ""
    ped = "пед" in k
    if k.startswith(("высш", "бакалавр", "магистр", "специалитет")) or first in ("впо", "во"):
        return "высшее педагогическое" if ped else "высшее"
    if first in ("спо", "ссо") or (first in ("средн", "среднее", "ср") and ("проф" in k or "спец" in k)):
        return "среднее профессиональное педагогическое" if ped else "среднее профессиональное"
    return text


def _gender(text: str) -> str:
    """«ж», «жен.», «женский», «Ж» → "f"; «м», «муж.», «мужской» → "m"; empty → "" (never guessed from the name)."""
    t = text.strip().lower().rstrip(".")
    if not t:
        return ""
    if t in ("ж", "жен", "женский", "f", "female"):
        return "f"
    if t in ("м", "муж", "мужской", "m", "male"):
        return "m"
    raise ValueError(f"«{text}» — укажите пол буквой «ж» или «м»")


def _email(v: Any) -> str:
    t = _text(v)
    return t[7:].strip() if t.lower().startswith("mailto:") else t


_INITIALS = re.compile(r"^([A-ZА-ЯЁ]\.\s*){1,2}$", re.IGNORECASE)


def _split_fio(text: str) -> tuple[str, str, str, str | None]:
    """«Иванова Мария Петровна» → parts; «Алиев Рашид Гусейн оглы» keeps «Гусейн оглы» as the patronymic.
    Initials cannot be split into a name (orders decline full names, DOMAIN «Staff») → an error."""
    parts = text.replace(",", " ").split()
    last = parts[0] if parts else ""
    first = parts[1] if len(parts) > 1 else ""
    middle = " ".join(parts[2:])
    if _INITIALS.match(" ".join(parts[1:])) or (first and _INITIALS.match(first)):
        return last, first, middle, "Нужны полные фамилия, имя и отчество, а не инициалы."
    return last, first, middle, None


# --- header row and header matching ----------------------------------------------------------------------------


def _loose(text: Any) -> str:
    """Key for header matching: ``fold`` plus punctuation (dots, colons, asterisks, dashes, brackets) → space."""
    t = fold(_text(text)).replace("_", " ")
    return " ".join(re.sub(r"[^\w]+", " ", t).split())


_INDEX_CACHE: dict[str, dict[str, str]] = {}


def _synonym_index(kind: str) -> dict[str, str]:
    if kind not in _INDEX_CACHE:
        idx: dict[str, str] = {}
        for f, label in KNOWN_FIELDS[kind].items():
            idx.setdefault(_loose(label), f)
        for f, names in SYNONYMS[kind].items():
            for name in names:
                idx.setdefault(_loose(name), f)
        _INDEX_CACHE[kind] = idx
    return _INDEX_CACHE[kind]


_IGNORED = frozenset(_loose(h) for h in IGNORED_HEADERS)


def ignored_header(text: str) -> bool:
    """True for headers that never carry data to import («№ п/п», «Курсы ПК», the template's «Пояснение»)."""
    return _loose(text) in _IGNORED


def _contingent_field(key: str) -> str | None:
    """«НОО», «1-4 классы», «Контингент НОО», «Обучающихся НОО (1–4)» → pupils_noo, etc. (DOMAIN: НОО 1–4,
    ООО 5–9, СОО 10–11). Only level marks and filler words allowed, and only one level."""
    found, rest = set(), key
    for mark, f in _LEVEL_MARKS.items():
        pattern = rf"(?<!\w){mark}(?!\w)"
        if re.search(pattern, rest):
            found.add(f)
            rest = re.sub(pattern, " ", rest)
    if len(found) != 1 or any(w not in _LEVEL_FILLER for w in rest.split()):
        return None
    return found.pop()


def _remembered_index(remembered: dict[str, str] | None) -> dict[str, str]:
    return {_loose(k): (v or "") for k, v in (remembered or {}).items() if _loose(k)}


def _field_of(text: Any, kind: str, remembered: dict[str, str]) -> str | None:
    key = _loose(text)
    if not key:
        return None
    if key in remembered:
        f = remembered[key]
        return f if f in KNOWN_FIELDS[kind] else None  # "" — the user chose to skip this column
    if key in _IGNORED:
        return None
    f = _synonym_index(kind).get(key)
    if f is None and kind == "schools":
        f = _contingent_field(key)
    return f


def match_headers(
    headers: list[str], kind: str, remembered: dict[str, str] | None = None
) -> dict[int, str | None]:
    """Column index → field name (None: not recognised or ignored). ``remembered`` (header text → field, "" to
    skip) wins over the built-in synonyms. A field goes to the first column that names it."""
    _check_kind(kind)
    rem = _remembered_index(remembered)
    out: dict[int, str | None] = {}
    used: set[str] = set()
    for i, h in enumerate(headers):
        f = _field_of(h, kind, rem)
        if f in used:
            f = None
        if f:
            used.add(f)
        out[i] = f
    return out


def _compose_headers(
    upper: list[Any], lower: list[Any], width: int, kind: str, rem: dict[str, str]
) -> list[str]:
    """Header texts of ``lower`` with the row above taken into account: a merged group cell («Контингент» over
    «НОО», «ООО», «СОО») is carried right and prefixed; a cell merged down (empty below) gives its own text."""
    out, carry = [], ""
    for j in range(width):
        low = _text(lower[j]) if j < len(lower) else ""
        up = _text(upper[j]) if j < len(upper) else ""
        carry = up or carry
        candidates = [f"{carry} {low}"] if low and carry else []
        candidates.append(low or up)
        chosen = next((c for c in candidates if _field_of(c, kind, rem)), None)
        out.append(chosen or low or up)
    return out


def _detect_header(
    rows: list[RawRow], width: int, kind: str | None, remembered: dict[str, str] | None
) -> tuple[int, list[str]]:
    """Index (in ``rows``) and texts of the header: the row among the first 20 that names most known fields
    (issue, requirement 2). No known header at all → the first row with most text cells, for manual mapping."""
    rem = _remembered_index(remembered)
    by_number = {r.number: r for r in rows[: HEADER_SCAN_ROWS + 1]}
    best: tuple[int, int, list[str]] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        above = by_number.get(row.number - 1)
        for k in (kind,) if kind else KINDS:
            headers = _compose_headers(above.values if above else [], row.values, width, k, rem)
            score = len({f for f in match_headers(headers, k, remembered).values() if f})
            if best is None or score > best[0]:
                best = (score, i, headers)
    assert best is not None
    if best[0] > 0:
        return best[1], best[2]
    scan = rows[:HEADER_SCAN_ROWS]
    i = max(range(len(scan)), key=lambda n: (sum(isinstance(v, str) for v in scan[n].values), -n))
    return i, [_text(v) for v in rows[i].values] + [""] * (width - len(rows[i].values))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Неизвестный вид импорта: {kind!r} (ожидается {', '.join(KINDS)})")


# --- remembered mappings ---------------------------------------------------------------------------------------


def _mapping_key(kind: str) -> str:
    return f"import_mapping.{kind}"


def remembered_mapping(session: Session, kind: str) -> dict[str, str]:
    """Header text → field the user chose before for this kind ("" = skip the column). Garbage is dropped."""
    _check_kind(kind)
    raw = settings.get_json(session, _mapping_key(kind), {})
    if not isinstance(raw, dict):
        return {}
    known = KNOWN_FIELDS[kind]
    return {
        k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str) and (v in known or v == "")
    }


def remember_mapping(session: Session, kind: str, mapping: dict[str, str | None]) -> None:
    """Add the user's choices (header text → field, None/"" = skip) to the remembered ones. Does not commit."""
    _check_kind(kind)
    merged = remembered_mapping(session, kind)
    for header, f in mapping.items():
        if f and f not in KNOWN_FIELDS[kind]:
            raise ValueError(f"Неизвестное поле {f!r} для импорта «{KIND_TITLES[kind]}»")
        if _text(header):
            merged[_text(header)] = f or ""
    settings.put_json(session, _mapping_key(kind), merged)


# --- checking rows ---------------------------------------------------------------------------------------------


def _column_letter(i: int) -> str:
    s, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class _Rows:
    """Common part of the per-kind row checkers: cells by field, the column header of a field, duplicates."""

    #: field of a message → columns that may have given it, in order of preference
    SOURCES: dict[str, tuple[str, ...]] = {}

    def __init__(self, session: Session, kind: str, headers: list[str], mapping: dict[int, str | None]):
        self.session = session
        self.kind = kind
        self.columns = {f: (i, headers[i] if i < len(headers) else "") for i, f in mapping.items() if f}
        self.seen: dict[Any, int] = {}

    def cells(self, raw: RawRow) -> dict[str, Any]:
        out = {}
        for f, (i, _h) in self.columns.items():
            v = raw.values[i] if i < len(raw.values) else None
            if v is None or (f not in BOOL_FIELDS + ("young_specialist",) and _blank(v)):
                continue
            out[f] = v
        return out

    def column_of(self, f: str) -> str:
        for src in self.SOURCES.get(f, ()) + (f,):
            if src in self.columns:
                i, header = self.columns[src]
                return header or f"Колонка {_column_letter(i)}"
        return KNOWN_FIELDS[self.kind].get(f, f)

    def position(self, f: str) -> int:
        for src in self.SOURCES.get(f, ()) + (f,):
            if src in self.columns:
                return self.columns[src][0]
        return -1

    def errors(self, raw: RawRow, problems: dict[str, str]) -> list[RowError]:
        """Errors of one row, left to right as the columns stand in the file."""
        ordered = sorted(problems.items(), key=lambda kv: self.position(kv[0]))
        return [RowError(raw.number, self.column_of(f), m) for f, m in ordered]

    def duplicate(self, key: Any, raw: RawRow, what: str) -> str | None:
        """Two rows of one file about the same record: the second is an error (issue, requirement 5)."""
        if key in self.seen:
            return f"Повтор: {what} уже есть в строке {self.seen[key]} этого файла."
        self.seen[key] = raw.number
        return None


class _SchoolRows(_Rows):
    SOURCES = {"school_year": ("school_year", "status")}

    def __init__(self, session, headers, mapping):
        super().__init__(session, "schools", headers, mapping)
        self.kinds = status_kinds(session)
        self.status_index = _status_index(self.kinds)

    def check(self, raw: RawRow) -> tuple[ImportRow | None, list[RowError]]:
        cells = self.cells(raw)
        data, problems = self.convert(cells)
        statuses = self.statuses(cells, problems)
        for f, m in validate_school(data).items():
            problems.setdefault(f, m)
        name = data.get("short_name")
        dup = self.duplicate(fold(name), raw, "эта школа") if isinstance(name, str) and name else None
        if dup:
            problems.setdefault("short_name", dup)
        if problems:
            return None, self.errors(raw, problems)
        existing = find_school_by_short_name(self.session, name)
        item = ImportRow(raw.number, data, existing.id if existing else None, name, statuses=statuses)
        return item, []

    @staticmethod
    def convert(cells: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        data: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for f, v in cells.items():
            if f in ("status", "school_year"):
                continue
            try:
                if f in INT_FIELDS:
                    data[f] = _int_or_text(v)
                elif f in BOOL_FIELDS:
                    data[f] = _bool(v)
                else:
                    data[f] = _email(v) if f == "email" else _text(v)
            except ValueError as exc:
                problems[f] = str(exc)
        return data, problems

    def statuses(self, cells: dict[str, Any], problems: dict[str, str]) -> list[dict[str, str]]:
        """«ШНОР; ШНСУ» with «Учебный год» → status rows, checked by ``validate_status``."""
        if "status" not in cells:
            return []
        codes, unknown = _status_codes(_text(cells["status"]), self.status_index)
        if unknown:
            allowed = ", ".join(k.short for k in self.kinds)
            names = ", ".join(f"«{u}»" for u in unknown)
            problems["status"] = f"Неизвестный статус: {names}. Допустимо: {allowed}; несколько — через «;»."
        year = _text(cells.get("school_year"))
        if codes and not year:
            problems.setdefault(
                "school_year", "Для статуса нужен учебный год: колонка «Учебный год», например 2024/2025."
            )
        elif codes:
            for k, m in validate_status({"school_year": year, "status_code": codes[0]}).items():
                problems.setdefault(k, m)
        norm = normalize_school_year(year) or ""
        return [{"school_year": norm, "status_code": c} for c in codes]


def _status_index(kinds) -> dict[str, str]:
    """Loose name → status code: code, short label, title, the abbreviation in the title's brackets, aliases."""
    idx: dict[str, str] = {}
    codes = {k.code for k in kinds}
    for k in kinds:
        names = [
            k.code,
            k.short,
            k.title,
            re.sub(r"\(.*?\)", "", k.title),
            *re.findall(r"\((.*?)\)", k.title),
        ]
        for name in names:
            if _loose(name):
                idx.setdefault(_loose(name), k.code)
    for alias, code in STATUS_ALIASES.items():
        if code in codes:
            idx.setdefault(_loose(alias), code)
    return idx


def _match_status(text: str, idx: dict[str, str]) -> str | None:
    for candidate in (text, re.sub(r"\(.*?\)", "", text), *re.findall(r"\((.*?)\)", text)):
        code = idx.get(_loose(candidate))
        if code:
            return code
    return None


def _status_codes(text: str, idx: dict[str, str]) -> tuple[list[str], list[str]]:
    """Several statuses separated by «;» or «,» (a full title may itself contain a comma)."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in filter(None, (p.strip() for p in re.split(r"[;\n]+", text))):
        code = _match_status(part, idx)
        pieces = (
            [(part, code)] if code else [(s, _match_status(s, idx)) for s in part.split(",") if s.strip()]
        )
        for piece, c in pieces:
            if c is None:
                unknown.append(piece.strip())
            elif c not in codes:
                codes.append(c)
    return codes, unknown


class _StaffRows(_Rows):
    SOURCES = {
        "last_name": ("last_name", "fio"),
        "first_name": ("first_name", "fio"),
        "middle_name": ("middle_name", "fio"),
        "birth_year": ("birth_year", "birth_date"),
        "school_id": ("school",),
    }
    TARGET = {"birth_date": "birth_year", "school": "school_id"}

    def __init__(self, session, headers, mapping):
        super().__init__(session, "staff", headers, mapping)
        self.schools: dict[str, int | None] = {}
        self.people: PersonIndex | None = None  # built on the first row that needs it

    def check(self, raw: RawRow) -> tuple[ImportRow | None, list[RowError]]:
        cells = self.cells(raw)
        data: dict[str, Any] = {}
        problems: dict[str, str] = {}
        self.names(cells, data, problems)
        for f, v in cells.items():
            try:
                self.convert(f, v, cells, data)
            except ValueError as exc:
                problems.setdefault(self.TARGET.get(f, f), str(exc))
        for f, m in validate_person(data).items():
            problems.setdefault(f, m)
        by = data.get("birth_year")
        if data["last_name"] and data["first_name"] and (by is None or isinstance(by, int)):
            key = (*(fold(data[f]) for f in _NAME_FIELDS), by)
            dup = self.duplicate(key, raw, "этот педагог (ФИО и год рождения)")
            if dup:
                problems.setdefault("last_name", dup)
        if problems:
            return None, self.errors(raw, problems)
        young = data.get("young_specialist")
        if young is not None and data.get("experience_years") is not None:
            if young == is_young_specialist(data["experience_years"]):
                del data["young_specialist"]  # agrees with the rule: keep it computed, not a manual override
        if self.people is None:
            self.people = PersonIndex(self.session)
        existing_id = self.people.find_id(*(data[f] for f in _NAME_FIELDS), data.get("birth_year"))
        label = " ".join(data[f] for f in _NAME_FIELDS if data[f])
        return ImportRow(raw.number, data, existing_id, label), []

    @staticmethod
    def names(cells: dict[str, Any], data: dict[str, Any], problems: dict[str, str]) -> None:
        """Separate «Фамилия», «Имя», «Отчество» columns, or one «ФИО» column split in three."""
        if "fio" in cells and not any(f in cells for f in _NAME_FIELDS):
            last, first, middle, err = _split_fio(_text(cells["fio"]))
            data.update(last_name=last, first_name=first, middle_name=middle)
            if err:
                problems["first_name"] = err
            return
        for f in _NAME_FIELDS:
            data[f] = _text(cells.get(f))

    def convert(self, f: str, v: Any, cells: dict[str, Any], data: dict[str, Any]) -> None:
        if f in (*_NAME_FIELDS, "fio"):
            return
        if f == "birth_year":
            data[f] = _year_or_text(v)
        elif f == "birth_date":
            if "birth_year" not in cells:
                data["birth_year"] = _date(v).year
        elif f == "school":
            data["school_id"] = self.school_id(_text(v))
        elif f in ("positions", "subjects"):
            data[f] = join_list(split_list(_text(v)))
        elif f == "education":
            data[f] = _education(_text(v))
        elif f == "category":
            data[f] = _category(_text(v))
        elif f == "category_date":
            data[f] = _date(v)
        elif f == "experience_years":
            data[f] = _experience(v)
        elif f == "young_specialist":
            data[f] = _bool(v)
        elif f == "gender":
            data[f] = _gender(_text(v))
        else:
            data[f] = _email(v) if f == "email" else _text(v)

    def school_id(self, name: str) -> int:
        """A school by its short name as in the registry (``find_school_by_short_name``); unknown = row error."""
        if name not in self.schools:
            s = find_school_by_short_name(self.session, name)
            self.schools[name] = s.id if s is not None else None
        sid = self.schools[name]
        if sid is None:
            raise ValueError(
                f"Школа «{name}» не найдена в реестре. Проверьте краткое наименование "
                "или сначала импортируйте список школ."
            )
        return sid


# --- preview ---------------------------------------------------------------------------------------------------


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(max(0.0, min(1.0, fraction)), message)


def _tick(progress: Progress | None, cancel: Cancel | None, i: int, n: int, what: str) -> None:
    if cancel is not None and cancel():
        raise ImportCancelled()
    step = max(1, n // 100)
    if i == 1 or i == n or i % step == 0:
        _report(progress, i / n if n else 1.0, f"{what}: {i} из {n}")


def _final_mapping(
    headers: list[str], kind: str, remembered: dict[str, str], explicit: dict | None
) -> dict[int, str | None]:
    """Built-in synonyms < remembered choices < the mapping passed in (column index → field or None). A field
    named by two columns stays with the explicitly mapped one, else with the first."""
    out = match_headers(headers, kind, remembered)
    chosen: dict[int, str | None] = {}
    for k, f in (explicit or {}).items():
        i = int(k)
        if f and f not in KNOWN_FIELDS[kind]:
            raise ValueError(f"Неизвестное поле {f!r} для импорта «{KIND_TITLES[kind]}»")
        chosen[i] = f or None
    for i, f in chosen.items():
        if f:
            for j in list(out):
                if out[j] == f:
                    out[j] = None
        out[i] = f
    return out


def _missing_columns(kind: str, mapping: dict[int, str | None]) -> str | None:
    present = set(mapping.values())
    if any(all(f in present for f in option) for option in REQUIRED_COLUMNS[kind]):
        return None
    labels = KNOWN_FIELDS[kind]
    options = " или ".join(
        "«" + "», «".join(labels[f] for f in option) + "»" for option in REQUIRED_COLUMNS[kind]
    )
    return f"В файле не найдена обязательная колонка: {options}. Укажите, в какой колонке эти данные."


def _data_rows(table: RawTable) -> tuple[list[RawRow], int]:
    """Rows to check, and the number left out: template example rows and «Итого»/«Всего» lines."""
    mark = _loose(EXAMPLE_MARK)
    rows, ignored = [], 0
    for r in table.rows:
        first = next((_loose(v) for v in r.values if v is not None), "").split()[:1]
        if first in (["итого"], ["всего"]) or any(isinstance(v, str) and _loose(v) == mark for v in r.values):
            ignored += 1
        else:
            rows.append(r)
    return rows, ignored


def preview_import(
    session: Session,
    path: str | Path,
    kind: str,
    mapping: dict[int, str | None] | None = None,
    *,
    sheet: str | int | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPreview:
    """Read, map and check a file; write nothing. ``mapping`` (column index → field or None) overrides the
    automatic one for the columns it names. Raises ``ImportFileError`` (file problems, no data rows) and
    ``ImportCancelled``."""
    _check_kind(kind)
    _report(progress, 0.0, "Чтение файла…")
    remembered = remembered_mapping(session, kind)
    table = read_table(path, sheet, kind=kind, remembered=remembered)
    final = _final_mapping(table.headers, kind, remembered, mapping)
    rows, ignored = _data_rows(table)
    if not rows:
        raise ImportFileError(
            f"В файле «{table.path.name}» нет строк с данными под заголовком (строка {table.header_row})."
        )
    preview = ImportPreview(
        kind=kind,
        path=table.path,
        header_row=table.header_row,
        headers=table.headers,
        mapping=final,
        rows_total=len(rows),
        valid=[],
        errors=[],
        to_create=0,
        to_update=0,
        sheet=table.sheet,
        ignored_rows=ignored,
    )
    missing = _missing_columns(kind, final)
    if missing:
        preview.errors.append(RowError(table.header_row, "", missing))
        return preview
    checker = (_SchoolRows if kind == "schools" else _StaffRows)(session, table.headers, final)
    for i, raw in enumerate(rows, start=1):
        _tick(progress, cancel, i, len(rows), "Проверка строк")
        item, errors = checker.check(raw)
        preview.errors.extend(errors)
        if item is not None:
            preview.valid.append(item)
    preview.to_create = sum(1 for r in preview.valid if r.existing_id is None)
    preview.to_update = len(preview.valid) - preview.to_create
    return preview


# --- writing ---------------------------------------------------------------------------------------------------


def _without(data: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def _count(
    result: ImportResult, version_before: int | None, version_after: int, children_added: bool
) -> None:
    if version_before is None:
        result.created += 1
    elif version_after != version_before or children_added:
        result.updated += 1
    else:
        result.unchanged += 1


def _add_statuses(session: Session, school, statuses: list[dict[str, str]]) -> bool:
    """Add the file's statuses to the school's existing ones (other years and statuses are kept)."""
    live = [s for s in school.statuses if s.deleted_at is None]
    have = {(s.school_year, s.status_code) for s in live}
    new = [s for s in statuses if (s["school_year"], s["status_code"]) not in have]
    if not new:
        return False
    keep = [
        {
            "id": s.id,
            "school_year": s.school_year,
            "status_code": s.status_code,
            "sub_label": s.sub_label,
            "order_number": s.order_number,
            "order_date": s.order_date,
            "note": s.note,
        }
        for s in live
    ]
    set_statuses(session, school, keep + new)
    return True


def _apply_school(session: Session, row: ImportRow, result: ImportResult) -> None:
    """A school with the same short name is updated by the non-empty cells; its spelling in the registry kept."""
    school = find_school_by_short_name(session, row.data["short_name"])
    before = None if school is None else school.version
    school = save_school(session, row.data if school is None else _without(row.data, ("short_name",)), school)
    added = _add_statuses(session, school, row.statuses)
    _count(result, before, school.version, added)


def _apply_person(session: Session, row: ImportRow, result: ImportResult) -> None:
    """A person with the same ФИО and birth year is updated; a new school makes a move record (save_person)."""
    d = row.data
    # the match found by the preview (same transaction); a row without one is looked up again
    person = session.get(Person, row.existing_id) if row.existing_id else None
    if person is None or person.deleted_at is not None:
        person = find_person(session, *(d[f] for f in _NAME_FIELDS), d.get("birth_year"))
    before = None if person is None else person.version
    moves = 0 if person is None else len(person.moves)
    person = save_person(session, d if person is None else _without(d, _NAME_FIELDS), person)
    _count(result, before, person.version, len(person.moves) != moves)


def apply_import(
    session: Session,
    preview: ImportPreview,
    valid_only: bool = False,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """Write the checked rows in the session's transaction; the caller commits (``import_file`` does).

    All or nothing: with errors in the preview and ``valid_only`` False → ``ImportRefused``, nothing changed.
    Any exception while writing (``ImportCancelled`` included) rolls the session back and is re-raised."""
    _check_kind(preview.kind)
    if preview.errors and not valid_only:
        raise ImportRefused(preview.errors)
    if preview.errors and (not preview.valid or any(not e.column for e in preview.errors)):
        # a problem of the whole file (a missing column) or no row to write: «only the valid rows» means nothing
        raise ImportRefused(preview.errors)
    result = ImportResult(skipped=preview.rows_total - len(preview.valid), errors=list(preview.errors))
    apply_row = _apply_school if preview.kind == "schools" else _apply_person
    n = len(preview.valid)
    try:
        for i, row in enumerate(preview.valid, start=1):
            _tick(progress, cancel, i, n, "Запись")
            try:
                apply_row(session, row, result)
            except ValidationError as exc:  # the database changed since the preview
                errors = [RowError(row.row, "", m) for m in exc.errors.values()]
                if not valid_only:
                    raise ImportRefused(errors) from exc
                result.errors.extend(errors)
                result.skipped += 1
        session.flush()
    except BaseException:
        session.rollback()
        raise
    _report(progress, 1.0, result.summary())
    return result


@contextmanager
def _import_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on its own connection with ``PRAGMA synchronous=FULL`` for the import (DESIGN «Data»),
    restored afterwards. Other databases: a plain session."""
    bind = getattr(factory, "kw", {}).get("bind")
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        with factory() as session:
            yield session
        return
    with bind.connect() as conn:
        old = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        conn.exec_driver_sql("PRAGMA synchronous=FULL")
        conn.commit()
        try:
            with factory(bind=conn) as session:
                yield session
        finally:
            conn.rollback()
            conn.exec_driver_sql(f"PRAGMA synchronous={int(old or 1)}")
            conn.commit()


def import_file(
    factory: sessionmaker[Session],
    path: str | Path,
    kind: str,
    valid_only: bool = False,
    mapping: dict[int, str | None] | None = None,
    *,
    sheet: str | int | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """Preview and apply in one session and ONE transaction: committed only when everything went well."""

    def half(offset: float) -> Progress | None:
        if progress is None:
            return None
        return lambda f, m: progress(offset + f / 2, m)

    with _import_session(factory) as session:
        preview = preview_import(session, path, kind, mapping, sheet=sheet, progress=half(0.0), cancel=cancel)
        result = apply_import(session, preview, valid_only, progress=half(0.5), cancel=cancel)
        session.commit()
        return result
