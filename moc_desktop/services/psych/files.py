"""Migration of paper/Excel journals of the psychologist into the program (and the template to fill).

**Template** (:func:`write_template`): the sheet «Журнал» with the headers of :data:`JOURNAL_COLUMNS`, a grey
example row marked ``imports.EXAMPLE_MARK`` (never imported), drop-down lists for the category, form, kind and
(with a database) the school, and the sheet «Пояснения».

**Import** (:func:`import_journal`), the same rules as the registry import (``services.imports``):

* the file is read by the importer's own readers (.xlsx/.xlsm, .xls, .csv saved by Russian Excel); the header
  row is found among the first 20 rows (title rows above it are fine), column order does not matter, headers are
  compared loosely (case, «ё», spaces, «*»), unknown columns are ignored;
* every value is checked: the school against the registry (short or full name), the category, form and kind by
  their Russian names, dates, the time, numbers, then the journal's own rule (``journal.validate_session``: no
  future date, a class for a pupil, a code for individual work …); a bad row is a :class:`RowError` with the
  row number as Excel shows it and a Russian reason;
* all or nothing: any error and not ``valid_only`` → :class:`ImportRefused`, nothing written;
* an entry already in the journal (same date, time, client code, kind and school) or repeated in the file is
  skipped and counted as ``unchanged`` — loading the same file twice doubles nothing;
* one audit row «import» with the count. The caller commits (one transaction).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.changes import write_audit
from moc_desktop.db.models import PsychSession, School
from moc_desktop.services import imports
from moc_desktop.services.auth import Principal
from moc_desktop.services.common import fold, parse_date
from moc_desktop.services.imports import ImportFileError, ImportRefused, ImportResult, RowError
from moc_desktop.services.psych.journal import (
    CATEGORIES,
    FORMS,
    KINDS,
    SessionData,
    journal_cipher,
    normalize_code,
    save_session,
    validate_session,
)

#: (field, header, note) — the template's columns in order; the importer recognises these headers.
JOURNAL_COLUMNS: list[tuple[str, str, str]] = [
    ("held_on", "Дата", "Дата проведения, дд.мм.гггг (обязательно; не позже сегодняшнего дня)."),
    ("start_time", "Время", "Время начала, ЧЧ:ММ (можно не указывать)."),
    ("duration_min", "Длительность, мин", "Продолжительность в минутах, от 5 до 480 (пусто — 45)."),
    ("school", "Школа", "Краткое или полное наименование из реестра школ; пусто — работа в МОЦ / без школы."),
    ("client_category", "Категория", "обучающийся, родитель, педагог или администрация (обязательно)."),
    ("client_class", "Класс", "Класс обучающегося, например 7Б (обязательно для обучающегося)."),
    (
        "client_code",
        "Код клиента",
        "Код вместо имени, например О-0001 (обязательно для индивидуальной работы).",
    ),
    ("form", "Форма", "индивидуальная или групповая (пусто — индивидуальная)."),
    ("group_size", "Количество участников", "Для групповой работы — число участников, не меньше 2."),
    (
        "kind",
        "Вид работы",
        "консультация, диагностика, коррекционно-развивающее занятие, просвещение, профилактика, "
        "экспертиза, ППк (консилиум) (обязательно).",
    ),
    ("request", "Запрос", "Запрос (проблема). Хранится в зашифрованном виде."),
    ("result", "Результат", "Результат работы. Хранится в зашифрованном виде."),
    ("recommendations", "Рекомендации", "Рекомендации. Хранятся в зашифрованном виде."),
    ("notes", "Примечание", "Рабочие заметки психолога. Хранятся в зашифрованном виде."),
    ("follow_up_on", "Дата повторной встречи", "Дата, дд.мм.гггг (можно не указывать)."),
]
REQUIRED = ("held_on", "client_category", "kind")
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "held_on": ("дата", "дата проведения", "число"),
    "start_time": ("время", "время начала", "начало"),
    "duration_min": (
        "длительность мин",
        "длительность",
        "продолжительность",
        "продолжительность мин",
        "минут",
    ),
    "school": ("школа", "оо", "образовательная организация", "учреждение", "оу"),
    "client_category": ("категория", "категория клиента", "категория участников", "с кем проводится работа"),
    "client_class": ("класс",),
    "client_code": ("код клиента", "код", "шифр"),
    "form": ("форма", "форма работы"),
    "group_size": ("количество участников", "кол во участников", "число участников", "участников"),
    "kind": ("вид работы", "вид", "направление работы", "вид деятельности"),
    "request": ("запрос", "запрос проблема", "проблема", "содержание запроса"),
    "result": ("результат", "результат работы"),
    "recommendations": ("рекомендации",),
    "notes": ("примечание", "примечания", "заметки"),
    "follow_up_on": ("дата повторной встречи", "повторная встреча", "дата следующей встречи"),
}
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "pupil": ("обучающийся", "обучающиеся", "ученик", "учащийся", "ребенок", "дети", "pupil"),
    "parent": ("родитель", "родители", "законный представитель", "родитель законный представитель", "parent"),
    "teacher": ("педагог", "педагоги", "учитель", "учителя", "teacher"),
    "admin": ("администрация", "администратор", "администрация оо", "admin"),
}
FORM_ALIASES: dict[str, tuple[str, ...]] = {
    "individual": ("индивидуальная", "индивид", "инд", "individual"),
    "group": ("групповая", "группа", "гр", "group"),
}
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    "consultation": ("консультация", "консультирование", "консультации", "consultation"),
    "diagnostics": ("диагностика", "психодиагностика", "обследование", "diagnostics"),
    "correction": (
        "коррекционно развивающее занятие",
        "коррекционно развивающая работа",
        "коррекционная работа",
        "коррекция",
        "развивающее занятие",
        "correction",
    ),
    "education": ("просвещение", "психологическое просвещение", "психопросвещение", "education"),
    "prevention": ("профилактика", "психопрофилактика", "психологическая профилактика", "prevention"),
    "expertise": ("экспертиза", "психологическая экспертиза", "expertise"),
    "council": ("ппк консилиум", "ппк", "консилиум", "пмпк", "council"),
}
TEMPLATE_SHEET = "Журнал"
EXPLAIN_SHEET = "Пояснения"
LISTS_SHEET = "Списки"
_EXAMPLE = {
    "held_on": date(2025, 10, 14),
    "start_time": "10:30",
    "duration_min": 45,
    "school": "",
    "client_category": "обучающийся",
    "client_class": "7Б",
    "client_code": "О-0001",
    "form": "индивидуальная",
    "group_size": 1,
    "kind": "консультация",
    "request": "Тревожность перед контрольными работами",
    "result": "Обсуждены способы саморегуляции",
    "recommendations": "Упражнения на дыхание перед уроком",
    "notes": imports.EXAMPLE_MARK,
    "follow_up_on": date(2025, 10, 28),
}


def _key(value: Any) -> str:
    """Loose comparison key: case, «ё», punctuation and spaces ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(_text(value))).replace("_", " ").split())


_text = imports.cell_text


def _index(aliases: dict[str, tuple[str, ...]], titles: dict[str, str]) -> dict[str, str]:
    out = {_key(a): code for code, names in aliases.items() for a in names}
    out |= {_key(t): code for code, t in titles.items()}
    return out


_HEADERS = {_key(h): f for f, names in HEADER_SYNONYMS.items() for h in names} | {
    _key(h): f for f, h, _n in JOURNAL_COLUMNS
}
_CATEGORIES = _index(CATEGORY_ALIASES, CATEGORIES)
_FORMS = _index(FORM_ALIASES, FORMS)
_KINDS = _index(KIND_ALIASES, KINDS)


# --- the template -------------------------------------------------------------------------------------------------


def write_template(path: str | Path, session: Session | None = None) -> Path:
    """Write the journal template (.xlsx): header row, an example row (not imported), drop-down lists (the
    schools of the registry when ``session`` is given) and the explanations sheet. Raises
    ``xlsx_export.ExportError`` when the file cannot be written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from moc_desktop.services import xlsx_export

    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    ws.append([h for _f, h, _n in JOURNAL_COLUMNS])
    ws.append([_EXAMPLE.get(f) for f, _h, _n in JOURNAL_COLUMNS])
    for i, (f, _h, _n) in enumerate(JOURNAL_COLUMNS, start=1):
        ws.cell(1, i).font = Font(bold=True)
        ws.cell(1, i).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(2, i).font = Font(italic=True, color="808080")
        if f in ("held_on", "follow_up_on"):
            ws.cell(2, i).number_format = xlsx_export.DATE_FORMAT
        for r in range(2, 1001):
            if f in ("start_time", "client_code", "client_class"):
                ws.cell(r, i).number_format = "@"  # «09:30», «О-0001», «7Б» stay text
        ws.column_dimensions[get_column_letter(i)].width = (
            14 if f not in ("request", "result", "kind") else 30
        )
    ws.freeze_panes = "A2"

    lists = wb.create_sheet(LISTS_SHEET)
    choices: dict[str, list[str]] = {
        "client_category": [CATEGORY_ALIASES[c][0] for c in CATEGORIES],
        "form": list(FORMS.values()),
        "kind": list(KINDS.values()),
    }
    if session is not None:
        names = session.scalars(
            select(School.short_name).where(School.deleted_at.is_(None)).order_by(School.short_name)
        )
        choices["school"] = list(names)
    for col, (f, values) in enumerate(choices.items(), start=1):
        lists.cell(1, col, dict((x, h) for x, h, _n in JOURNAL_COLUMNS)[f]).font = Font(bold=True)
        for r, v in enumerate(values, start=2):
            lists.cell(r, col, v)
        if not values:
            continue
        letter = get_column_letter(col)
        dv = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        target = get_column_letter([x for x, _h, _n in JOURNAL_COLUMNS].index(f) + 1)
        dv.add(f"{target}2:{target}1000")
        ws.add_data_validation(dv)
        lists.column_dimensions[letter].width = 36

    ex = wb.create_sheet(EXPLAIN_SHEET)
    intro = [
        "Как заполнить журнал для загрузки в программу",
        "Одна строка — одна запись журнала (консультация, занятие, обследование …). Строку-пример (серый курсив, "
        f"с пометкой «{imports.EXAMPLE_MARK}») можно не удалять: она не загружается.",
        "Обязательные колонки: «Дата», «Категория», «Вид работы». Порядок колонок не важен; лишние колонки "
        "пропускаются.",
        "Если в файле есть ошибки, не загружается ничего — программа покажет строки и причины. Можно загрузить "
        "только верные строки.",
        "Запись, которая уже есть в журнале (та же дата, время, код клиента, вид работы и школа), повторно не "
        "добавляется.",
        "",
    ]
    for line in intro:
        ex.append([line])
    ex["A1"].font = Font(bold=True, size=12)
    ex.append(["Колонка", "Что указать"])
    for cell in ex[ex.max_row]:
        cell.font = Font(bold=True)
    for _f, header, note in JOURNAL_COLUMNS:
        ex.append([header, note])
    ex.column_dimensions["A"].width = 28
    ex.column_dimensions["B"].width = 100
    for row in ex.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return xlsx_export.save_workbook(wb, path)


# --- reading -------------------------------------------------------------------------------------------------------


def _find_header(rows: Sequence[imports.RawRow], name: str) -> tuple[int, dict[str, int], list[str]]:
    """Index of the header row among the first rows, field → column, and the header texts."""
    best: tuple[int, int, dict[str, int], list[str]] | None = None
    for i, row in enumerate(rows[: imports.HEADER_SCAN_ROWS]):
        cols: dict[str, int] = {}
        for j, v in enumerate(row.values):
            f = _HEADERS.get(_key(str(v).replace("*", ""))) if isinstance(v, str) else None
            if f and f not in cols:
                cols[f] = j
        if best is None or len(cols) > best[1]:
            best = (i, len(cols), cols, [_text(v) for v in row.values])
    if best is None or best[1] == 0:
        raise ImportFileError(
            f"В файле «{name}» не найдена строка заголовков журнала (ожидаются колонки «Дата», «Категория», "
            "«Вид работы» …). Заполните шаблон журнала."
        )
    i, _n, cols, headers = best
    missing = [h for f, h, _note in JOURNAL_COLUMNS if f in REQUIRED and f not in cols]
    if missing:
        raise ImportFileError(f"В файле «{name}» нет колонок: " + ", ".join(f"«{m}»" for m in missing) + ".")
    return i, cols, headers


def _time(v: Any) -> str:
    """«ЧЧ:ММ» from a time cell, an Excel day fraction, «9:30», «9.30», «09 30»; "" for an empty cell;
    ``ValueError`` otherwise."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return ""
    if isinstance(v, datetime):
        v = v.time()
    if isinstance(v, time):
        return f"{v.hour:02d}:{v.minute:02d}"
    if isinstance(v, float | int) and not isinstance(v, bool) and 0 <= v < 1:
        minutes = round(float(v) * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    m = re.fullmatch(r"(\d{1,2})\s*[:.\s]\s*(\d{2})(?::\d{2})?", str(v).strip())
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    raise ValueError(f"«{_text(v)}» — не время (ожидается ЧЧ:ММ)")


def _int(v: Any) -> int | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError
        return int(v)
    t = re.sub(r"[\s\u00a0]", "", str(v)).replace(",", ".")
    t = re.sub(r"(мин\.?|минут[аы]?)$", "", t)
    f = float(t)
    if not f.is_integer():
        raise ValueError
    return int(f)


class _Schools:
    def __init__(self, session: Session):
        self.index: dict[str, int] = {}
        for sid, short, full in session.execute(
            select(School.id, School.short_name, School.full_name).where(School.deleted_at.is_(None))
        ):
            for name in (full, short):  # short names win over full names that happen to be equal
                if name:
                    self.index[_key(name)] = sid

    def find(self, text: str) -> int | None:
        return self.index.get(_key(text))


def import_journal(
    session: Session,
    user: Principal,
    path: str | Path,
    *,
    valid_only: bool = False,
    today: date | None = None,
) -> ImportResult:
    """Load journal entries from a spreadsheet (see the module docstring). ``created`` — new entries,
    ``unchanged`` — duplicates skipped, ``skipped`` — rows with errors left out (``valid_only``). Raises
    ``AccessDenied``, ``ImportFileError``, ``ImportRefused``. Does not commit."""
    journal_cipher(user)
    p = Path(path)
    _sheet, rows = imports.load_rows(p, 0)
    if not rows:
        raise ImportFileError(f"Файл «{p.name}» пуст: в нём нет ни одной заполненной ячейки.")
    h, cols, headers = _find_header(rows, p.name)
    header_of = {f: headers[i] for f, i in cols.items()}
    schools = _Schools(session)
    mark = _key(imports.EXAMPLE_MARK)
    result = ImportResult()
    good: list[tuple[int, SessionData]] = []
    for row in rows[h + 1 :]:
        if any(isinstance(v, str) and mark in _key(v) for v in row.values):
            continue
        good_row = _parse_row(row, cols, header_of, schools, today, result.errors)
        if good_row is not None:
            good.append((row.number, good_row))
    bad_rows = {e.row for e in result.errors}
    if result.errors and not valid_only:
        raise ImportRefused(result.errors)
    result.skipped = len(bad_rows)
    existing = _existing_keys(session, [d for _n, d in good])
    for _n, data in good:
        key = _dup_key(data)
        if key in existing:
            result.unchanged += 1
            continue
        existing.add(key)
        save_session(session, user, data, today)
        result.created += 1
    write_audit(
        session,
        "import",
        "psych_session",
        "",
        f"загружено записей из «{p.name}»: {result.created}; повторов пропущено: {result.unchanged}; "
        f"строк с ошибками пропущено: {result.skipped}",
    )
    return result


def _cell(row: imports.RawRow, cols: dict[str, int], f: str) -> Any:
    i = cols.get(f)
    return row.values[i] if i is not None and i < len(row.values) else None


def _parse_row(
    row: imports.RawRow,
    cols: dict[str, int],
    header_of: dict[str, str],
    schools: _Schools,
    today: date | None,
    errors: list[RowError],
) -> SessionData | None:
    n = row.number
    before = len(errors)

    def err(f: str, message: str) -> None:
        errors.append(
            RowError(n, header_of.get(f, dict((x, hh) for x, hh, _ in JOURNAL_COLUMNS)[f]), message)
        )

    def text(f: str) -> str:
        return _text(_cell(row, cols, f))

    if not any(_text(v) for v in row.values):
        return None
    dates: dict[str, date | None] = {}
    bad_dates: set[str] = set()
    for f in ("held_on", "follow_up_on"):
        try:
            dates[f] = parse_date(_cell(row, cols, f))
        except ValueError:
            err(f, f"«{text(f)}» — не дата (ожидается дд.мм.гггг).")
            dates[f] = None
            bad_dates.add(f)
    if dates["held_on"] is None and "held_on" not in bad_dates:
        err("held_on", "Укажите дату проведения.")
    try:
        start = _time(_cell(row, cols, "start_time"))
    except ValueError as exc:
        err("start_time", f"{exc}.")
        start = ""
    numbers: dict[str, int | None] = {}
    for f in ("duration_min", "group_size"):
        try:
            numbers[f] = _int(_cell(row, cols, f))
        except ValueError:
            err(f, f"«{text(f)}» — не целое число.")
            numbers[f] = None
    school_id = None
    if text("school"):
        school_id = schools.find(text("school"))
        if school_id is None:
            err("school", f"Школы «{text('school')}» нет в реестре.")
    category = _CATEGORIES.get(_key(text("client_category")))
    if category is None:
        given = text("client_category")
        err(
            "client_category",
            (f"Неизвестная категория «{given}»." if given else "Укажите категорию.")
            + " Допустимо: обучающийся, родитель, педагог, администрация.",
        )
    kind = _KINDS.get(_key(text("kind")))
    if kind is None:
        given = text("kind")
        err(
            "kind",
            (f"Неизвестный вид работы «{given}»." if given else "Укажите вид работы.")
            + " Допустимо: "
            + ", ".join(KINDS.values())
            + ".",
        )
    size = numbers["group_size"]
    if text("form"):
        form = _FORMS.get(_key(text("form")))
        if form is None:
            err("form", f"Неизвестная форма работы «{text('form')}». Допустимо: индивидуальная, групповая.")
    else:
        form = "group" if size is not None and size > 1 else "individual"
    if len(errors) > before:
        return None
    data = SessionData(
        held_on=dates["held_on"],
        kind=kind,
        client_category=category,
        start_time=start,
        duration_min=numbers["duration_min"] if numbers["duration_min"] is not None else 45,
        school_id=school_id,
        client_class=text("client_class"),
        client_code=normalize_code(text("client_code")),
        form=form,
        group_size=size if size is not None else (1 if form == "individual" else 0),
        request=_long_text(_cell(row, cols, "request")),
        result=_long_text(_cell(row, cols, "result")),
        recommendations=_long_text(_cell(row, cols, "recommendations")),
        notes=_long_text(_cell(row, cols, "notes")),
        follow_up_on=dates["follow_up_on"],
    )
    for f, message in validate_session(data, today).items():
        err(f, message)
    return None if len(errors) > before else data


def _long_text(v: Any) -> str:
    """Free text keeps its line breaks; numbers and dates become text."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    return _text(v)


def _dup_key(d: SessionData) -> tuple:
    return (d.held_on, d.start_time, d.client_code, d.kind, d.school_id)


def _existing_keys(session: Session, entries: list[SessionData]) -> set[tuple]:
    if not entries:
        return set()
    lo, hi = min(d.held_on for d in entries), max(d.held_on for d in entries)
    q = select(
        PsychSession.held_on,
        PsychSession.start_time,
        PsychSession.client_code,
        PsychSession.kind,
        PsychSession.school_id,
    ).where(PsychSession.deleted_at.is_(None), PsychSession.held_on >= lo, PsychSession.held_on <= hi)
    return {tuple(r) for r in session.execute(q)}
