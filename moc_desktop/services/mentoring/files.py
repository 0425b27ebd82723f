"""Mentoring pairs to and from .xlsx (DOMAIN «Mentoring»).

* ``export_pairs(session, path)``: one row per live pair — mentor, mentor's school, mentees, form, status,
  dates, plan tasks done/total, meetings.
* ``import_pairs(session, path, valid_only=False)``: columns «Наставник» (ФИО), «Наставляемый» (ФИО; several
  separated by «;»), «Форма» (title of the form), «Начало», «Окончание», optional «Школа наставника» (narrows a
  namesake). Each row becomes a *draft* pair through ``pairs.save_pair``. All or nothing: any ``RowError``
  (unknown person, ambiguous namesake, unknown form, a mentor equal to the mentee, bad dates) raises
  ``ImportRefused`` and nothing is written, unless ``valid_only`` (then only the good rows are written). The
  caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import MentorMeeting, MentorPair, Person, RefMentoringForm, School
from moc_desktop.services.common import ValidationError, fold, full_fio, parse_date
from moc_desktop.services.docs.common import load
from moc_desktop.services.imports import ImportFileError, ImportRefused, RowError, read_table
from moc_desktop.services.mentoring import pairs as mp

EXPORT_COLUMNS = [
    ("Наставник", None, "text"),
    ("Школа наставника", None, "text"),
    ("Наставляемые", None, "text"),
    ("Форма", None, "text"),
    ("Статус", None, "text"),
    ("Начало", None, "date"),
    ("Окончание", None, "date"),
    ("Задач плана выполнено", None, "int"),
    ("Задач плана всего", None, "int"),
    ("Встреч", None, "int"),
]

#: import field → header texts (folded)
HEADERS = {
    "mentor": ("наставник", "фио наставника"),
    "mentees": ("наставляемый", "наставляемые", "фио наставляемого"),
    "form": ("форма", "форма наставничества"),
    "date_from": ("начало", "дата начала"),
    "date_to": ("окончание", "дата окончания"),
    "school": ("школа наставника", "оо наставника"),
}
REQUIRED = ("mentor", "mentees", "form")


def _fio(p: Person) -> str:
    return full_fio(p.last_name, p.first_name, p.middle_name)


# --- export ---------------------------------------------------------------------------------------------------


def pair_rows(session: Session) -> list[list]:
    forms = dict(session.execute(select(RefMentoringForm.code, RefMentoringForm.title)).all())
    schools = dict(session.execute(select(School.id, School.short_name)).all())
    meetings: dict[int, int] = {}
    for (pid,) in session.execute(select(MentorMeeting.pair_id).where(MentorMeeting.deleted_at.is_(None))):
        meetings[pid] = meetings.get(pid, 0) + 1
    rows = []
    for p in session.scalars(
        select(MentorPair).where(MentorPair.deleted_at.is_(None)).order_by(MentorPair.id)
    ):
        mentor = session.get(Person, p.mentor_id)
        mentees = [session.get(Person, m) for m in mp.mentee_id_list(p)]
        plan = load(p.plan, [])
        rows.append(
            [
                _fio(mentor) if mentor else "",
                schools.get(mentor.school_id, "") if mentor and mentor.school_id else "",
                "; ".join(_fio(m) for m in mentees if m is not None),
                forms.get(p.form_code, p.form_code),
                mp.STATUSES.get(p.status, p.status),
                p.date_from,
                p.date_to,
                sum(1 for t in plan if t.get("status") == "done"),
                len(plan),
                meetings.get(p.id, 0),
            ]
        )
    return rows


def export_pairs(session: Session, path: str | Path) -> Path:
    """Write the live pairs to .xlsx. Raises ``xlsx_export.ExportError``."""
    from moc_desktop.services.xlsx_export import export_rows

    return export_rows(path, "Наставнические пары", EXPORT_COLUMNS, pair_rows(session))


# --- import ---------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[MentorPair] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        text = f"создано пар (проектов): {len(self.created)}"
        return text + (f", пропущено строк с ошибками: {len({e.row for e in self.errors})}." if self.errors else ".")


def _people_index(session: Session) -> dict[str, list[Person]]:
    out: dict[str, list[Person]] = {}
    for p in session.scalars(select(Person).where(Person.deleted_at.is_(None))):
        out.setdefault(fold(_fio(p)), []).append(p)
    return out


def _find(
    index: dict[str, list[Person]], text: str, school_id: int | None, column: str, row: int, errors: list
) -> Person | None:
    found = index.get(fold(text), [])
    if len(found) > 1 and school_id is not None:
        found = [p for p in found if p.school_id == school_id] or found
    if not found:
        errors.append(RowError(row, column, f"«{text}» нет в реестре педагогов."))
        return None
    if len(found) > 1:
        errors.append(
            RowError(
                row,
                column,
                f"В реестре несколько педагогов «{text}» — укажите школу наставника или уточните ФИО.",
            )
        )
        return None
    return found[0]


def import_pairs(session: Session, path: str | Path, valid_only: bool = False) -> ImportResult:
    """Read pairs from .xlsx and save each good row as a draft pair (see the module docstring). Raises
    ``ImportFileError`` (unreadable file or missing columns) and ``ImportRefused``. Does not commit."""
    table = read_table(path)
    cols: dict[str, int] = {}
    for i, h in enumerate(table.headers):
        for f, names in HEADERS.items():
            if fold(h) in names and f not in cols:
                cols[f] = i
    missing = [HEADERS[f][0].capitalize() for f in REQUIRED if f not in cols]
    if missing:
        raise ImportFileError(
            f"В файле «{Path(path).name}» нет колонок: " + ", ".join(f"«{m}»" for m in missing) + "."
        )
    header = {f: table.headers[i] for f, i in cols.items()}
    forms = {fold(t): c for c, t in session.execute(select(RefMentoringForm.code, RefMentoringForm.title))}
    forms.update({fold(c): c for c in list(forms.values())})
    schools = {fold(n): i for i, n in session.execute(select(School.id, School.short_name))}
    people = _people_index(session)

    def cell(row, f):
        i = cols.get(f)
        return row.values[i] if i is not None and i < len(row.values) else None

    def text(row, f) -> str:
        v = cell(row, f)
        return " ".join(str(v).split()) if v is not None else ""

    result = ImportResult()
    good: list[tuple[int, dict]] = []
    for row in table.rows:
        errors: list[RowError] = []
        n = row.number
        school_id = None
        if text(row, "school"):
            school_id = schools.get(fold(text(row, "school")))
            if school_id is None:
                errors.append(RowError(n, header["school"], f"Школы «{text(row, 'school')}» нет в реестре."))
        mentor = None
        if not text(row, "mentor"):
            errors.append(RowError(n, header["mentor"], "Укажите наставника."))
        else:
            mentor = _find(people, text(row, "mentor"), school_id, header["mentor"], n, errors)
        mentees: list[Person] = []
        names = [x.strip() for x in text(row, "mentees").split(";") if x.strip()]
        if not names:
            errors.append(RowError(n, header["mentees"], "Укажите наставляемого."))
        for name in names:
            m = _find(people, name, None, header["mentees"], n, errors)
            if m is not None:
                mentees.append(m)
        if mentor is not None and any(m.id == mentor.id for m in mentees):
            errors.append(RowError(n, header["mentees"], "Наставник не может быть наставником самому себе."))
        form = forms.get(fold(text(row, "form")))
        if form is None:
            errors.append(
                RowError(n, header["form"], f"Неизвестная форма наставничества «{text(row, 'form')}».")
            )
        dates: dict[str, date | None] = {}
        for f in ("date_from", "date_to"):
            try:
                d = parse_date(cell(row, f))
            except ValueError:
                errors.append(RowError(n, header[f], f"«{text(row, f)}» — не дата (ожидается дд.мм.гггг)."))
                d = None
            if d is not None and not isinstance(d, date):  # pragma: no cover - parse_date returns dates
                d = None
            dates[f] = d
        if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
            errors.append(RowError(n, header["date_to"], "Дата окончания раньше даты начала."))
        if errors:
            result.errors.extend(errors)
            continue
        data = mp.new_pair_data()
        data.update(
            form_code=form,
            mentor_id=mentor.id,
            mentee_ids=[m.id for m in mentees],
            date_from=dates["date_from"],
            date_to=dates["date_to"],
        )
        problems = mp.validate_pair(session, data)
        if problems:
            result.errors.extend(RowError(n, "", msg) for msg in problems.values())
            continue
        good.append((n, data))
    if result.errors and not valid_only:
        raise ImportRefused(result.errors)
    for n, data in good:
        try:
            result.created.append(mp.save_pair(session, data))
        except ValidationError as e:  # pragma: no cover - validated above
            result.errors.extend(RowError(n, "", msg) for msg in e.errors.values())
    return result
