"""Staff registry (педагогические работники): persons, moves between schools, courses (КПК).

Rules from ../DOMAIN «Staff»: «молодой специалист» = pedagogical experience under 3 years; courses within the last
3 years matter (seed 001 indicator «прошедших курсовую подготовку в течение последних 3 лет»).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import Course, Person, School, StaffMove, utcnow
from moc_desktop.services.common import ValidationError, fold, is_email, short_fio

PERSON_FIELDS: dict[str, str] = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_year": "Год рождения",
    "school_id": "Школа",
    "positions": "Должность",
    "subjects": "Предметы",
    "education": "Образование",
    "category": "Квалификационная категория",
    "category_date": "Дата присвоения категории",
    "experience_years": "Педагогический стаж, лет",
    "young_specialist": "Молодой специалист",
    "phone": "Телефон",
    "email": "Эл. почта",
    "note": "Примечание",
}
#: Fields used by documents (orders decline names and posts): stored gender, never guessed; manual case forms.
DOC_FIELDS: dict[str, str] = {
    "gender": "Пол",
    "doc_post": "Должность в документах",
    "name_gen": "ФИО в родительном падеже (кого?)",
    "name_dat": "ФИО в дательном падеже (кому?)",
    "name_acc": "ФИО в винительном падеже (кого? назначить …)",
    "post_gen": "Должность в родительном падеже",
    "post_dat": "Должность в дательном падеже",
    "post_acc": "Должность в винительном падеже",
}
GENDERS = {"": "не указан", "f": "женский", "m": "мужской"}

POSITIONS = (
    "учитель",
    "заместитель директора",
    "методист",
    "заместитель директора по УВР",
    "заместитель директора по ВР",
    "руководитель ШМО",
    "педагог-психолог",
    "социальный педагог",
    "учитель-логопед",
    "педагог дополнительного образования",
    "директор",
)
EDUCATION_LEVELS = (
    "высшее педагогическое",
    "высшее",
    "среднее профессиональное педагогическое",
    "среднее профессиональное",
    "другое",
)
CATEGORIES = ("высшая", "первая", "соответствие занимаемой должности", "без категории")
SUBJECTS = (
    "русский язык",
    "литература",
    "математика",
    "физика",
    "информатика",
    "химия",
    "биология",
    "география",
    "история",
    "обществознание",
    "английский язык",
    "немецкий язык",
    "физическая культура",
    "ОБЗР",
    "технология",
    "музыка",
    "ИЗО",
    "начальные классы",
)
YOUNG_SPECIALIST_YEARS = 3
COURSE_WINDOW_YEARS = 3


def is_young_specialist(experience_years: int | None, override: bool | None = None) -> bool:
    """«Молодой специалист»: pedagogical experience under 3 years (DOMAIN «Staff»), unless set by hand."""
    if override is not None:
        return override
    return experience_years is not None and experience_years < YOUNG_SPECIALIST_YEARS


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def has_recent_courses(course_end_dates: list[date | None], today: date | None = None) -> bool:
    """True when a course ended within the last 3 years up to ``today`` (seed 001 monitoring indicator)."""
    today = today or date.today()
    since = _years_ago(today, COURSE_WINDOW_YEARS)
    return any(d is not None and since <= d <= today for d in course_end_dates)


def age_in(year: int, birth_year: int | None) -> int | None:
    return None if birth_year is None else year - birth_year


def split_list(text: str) -> list[str]:
    """«учитель; руководитель ШМО» or «учитель, руководитель ШМО» → items."""
    parts = [p.strip() for p in (text or "").replace(",", ";").split(";")]
    return [p for p in parts if p]


def join_list(items: list[str]) -> str:
    return "; ".join(i.strip() for i in items if i.strip())


# --- validation ------------------------------------------------------------------------------------------------


def validate_person(data: dict, today: date | None = None) -> dict[str, str]:
    today = today or date.today()
    errors: dict[str, str] = {}
    for f, what in (("last_name", "фамилию"), ("first_name", "имя")):
        v = str(data.get(f) or "").strip()
        if not v:
            errors[f] = f"Укажите {what}."
        elif any(ch.isdigit() for ch in v):
            errors[f] = "Цифры в ФИО недопустимы."
    by = data.get("birth_year")
    if by not in (None, ""):
        try:
            by = int(by)
        except (TypeError, ValueError):
            errors["birth_year"] = "Год рождения — четыре цифры, например 1985."
        else:
            if not (today.year - 90 <= by <= today.year - 16):
                errors["birth_year"] = (
                    f"Год рождения должен быть между {today.year - 90} и {today.year - 16}."
                )
    exp = data.get("experience_years")
    if exp not in (None, ""):
        try:
            exp = int(exp)
        except (TypeError, ValueError):
            errors["experience_years"] = "Стаж — целое число лет."
        else:
            if not 0 <= exp <= 70:
                errors["experience_years"] = "Стаж должен быть от 0 до 70 лет."
            elif isinstance(by, int) and "birth_year" not in errors and exp > today.year - by - 14:
                errors["experience_years"] = "Стаж больше, чем возможно при этом годе рождения."
    cat = str(data.get("category") or "").strip()
    if cat and cat not in CATEGORIES:
        errors["category"] = "Категория: " + ", ".join(CATEGORIES) + "."
    cd = data.get("category_date")
    if cd is not None and not isinstance(cd, date):
        errors["category_date"] = "Дата в виде дд.мм.гггг."
    elif isinstance(cd, date) and cd > today:
        errors["category_date"] = "Дата присвоения категории не может быть в будущем."
    email = str(data.get("email") or "").strip()
    if email and not is_email(email):
        errors["email"] = f"«{email}» — не адрес электронной почты."
    if data.get("gender") not in (None, "", "f", "m"):
        errors["gender"] = "Пол: «f» (женский), «m» (мужской) или не указан."
    return errors


def validate_course(row: dict) -> dict[str, str]:
    errors = {}
    if not str(row.get("title") or "").strip():
        errors["title"] = "Укажите название курса."
    h = row.get("hours")
    if h not in (None, ""):
        try:
            if not 1 <= int(h) <= 2000:
                errors["hours"] = "Часы — от 1 до 2000."
        except (TypeError, ValueError):
            errors["hours"] = "Часы — целое число."
    a, b = row.get("date_from"), row.get("date_to")
    if a and b and a > b:
        errors["date_to"] = "Дата окончания раньше даты начала."
    return errors


# --- queries ---------------------------------------------------------------------------------------------------


def find_person(
    session: Session, last: str, first: str, middle: str, birth_year: int | None
) -> Person | None:
    """Duplicate rule for staff: same ФИО (case and «ё/е» ignored) and the same birth year."""
    by = Person.birth_year.is_(None) if birth_year is None else Person.birth_year == birth_year
    q = select(Person.id, Person.last_name, Person.first_name, Person.middle_name).where(
        Person.deleted_at.is_(None), by
    )
    key = (fold(last), fold(first), fold(middle))
    for pid, ln, fn, mn in session.execute(q):
        if (fold(ln), fold(fn), fold(mn)) == key:
            return session.get(Person, pid)
    return None


class PersonIndex:
    """ФИО + birth year → id of the live staff, built with one query: the duplicate rule of ``find_person`` for
    bulk work (an import of thousands of rows), without one query per row."""

    def __init__(self, session: Session):
        q = select(
            Person.id, Person.last_name, Person.first_name, Person.middle_name, Person.birth_year
        ).where(Person.deleted_at.is_(None))
        self._ids: dict[tuple, int] = {}
        for pid, ln, fn, mn, by in session.execute(q):
            self._ids.setdefault(self.key(ln, fn, mn, by), pid)

    @staticmethod
    def key(last: str, first: str, middle: str, birth_year: int | None) -> tuple:
        return (fold(last), fold(first), fold(middle), birth_year)

    def find_id(self, last: str, first: str, middle: str, birth_year: int | None) -> int | None:
        return self._ids.get(self.key(last, first, middle, birth_year))


@dataclass(frozen=True)
class StaffRow:
    id: int
    fio: str  # «Фамилия И.О.»
    full_name: str
    school_id: int | None
    school: str
    positions: str
    subjects: str
    category: str
    experience_years: int | None
    birth_year: int | None
    young: bool
    recent_courses: bool
    phone: str
    email: str
    search_key: str  # folded text for the search box


def list_staff(session: Session, today: date | None = None) -> list[StaffRow]:
    """All live staff as light rows for tables (one query for persons, one for course dates)."""
    today = today or date.today()
    since = _years_ago(today, COURSE_WINDOW_YEARS)
    recent = set(
        session.scalars(
            select(Course.person_id).where(
                Course.deleted_at.is_(None),
                Course.date_to.is_not(None),
                Course.date_to >= since,
                Course.date_to <= today,
            )
        )
    )
    q = (
        select(
            Person.id,
            Person.last_name,
            Person.first_name,
            Person.middle_name,
            Person.school_id,
            School.short_name,
            Person.positions,
            Person.subjects,
            Person.category,
            Person.experience_years,
            Person.birth_year,
            Person.young_specialist,
            Person.phone,
            Person.email,
        )
        .outerjoin(School, School.id == Person.school_id)
        .where(Person.deleted_at.is_(None))
        .order_by(Person.last_name, Person.first_name, Person.middle_name)
    )
    rows = []
    for pid, ln, fn, mn, sid, sname, pos, subj, cat, exp, by, young, phone, email in session.execute(q):
        full = " ".join(p for p in (ln, fn, mn) if p)
        rows.append(
            StaffRow(
                id=pid,
                fio=short_fio(ln, fn, mn),
                full_name=full,
                school_id=sid,
                school=sname or "",
                positions=pos,
                subjects=subj,
                category=cat,
                experience_years=exp,
                birth_year=by,
                young=is_young_specialist(exp, young),
                recent_courses=pid in recent,
                phone=phone,
                email=email,
                search_key=fold(f"{full} {sname or ''} {pos} {subj} {cat} {phone} {email}"),
            )
        )
    return rows


def get_person(session: Session, person_id: int) -> Person | None:
    p = session.get(Person, person_id)
    return p if p is not None and p.deleted_at is None else None


# --- writes ----------------------------------------------------------------------------------------------------


def _clean(data: dict) -> dict:
    out = {}
    for f in DOC_FIELDS:
        if f in data:
            out[f] = " ".join(str(data[f] or "").split())
    for f in PERSON_FIELDS:
        if f not in data:
            continue
        v = data[f]
        if f in ("birth_year", "experience_years", "school_id"):
            out[f] = None if v in (None, "") else int(v)
        elif f == "category_date":
            out[f] = v
        elif f == "young_specialist":
            out[f] = None if v is None else bool(v)
        else:
            out[f] = " ".join(str(v or "").split())
    return out


def save_person(
    session: Session, data: dict, person: Person | None = None, moved_on: date | None = None
) -> Person:
    """Create or update a person. A change of school closes the open work-place record and opens a new one
    dated ``moved_on`` (today by default) — the history of moves. Raises ``ValidationError``; does not commit."""
    merged = {} if person is None else {"last_name": person.last_name, "first_name": person.first_name}
    errors = validate_person({**merged, **data})
    if errors:
        raise ValidationError(errors)
    clean = _clean(data)
    creating = person is None
    if creating:
        person = Person()
        session.add(person)
    old_school = None if creating else person.school_id
    for k, v in clean.items():
        if getattr(person, k) != v:
            setattr(person, k, v)
    if "school_id" in clean and (creating or clean["school_id"] != old_school):
        when = moved_on or date.today()
        for m in person.moves:
            if m.date_to is None and m.deleted_at is None:
                m.date_to = when
        if clean["school_id"] is not None:
            first_pos = split_list(person.positions)[:1]
            person.moves.append(
                StaffMove(
                    school_id=clean["school_id"], position=first_pos[0] if first_pos else "", date_from=when
                )
            )
    session.flush()
    return person


def soft_delete_person(session: Session, person: Person) -> None:
    person.deleted_at = utcnow()


def set_courses(session: Session, person: Person, rows: list[dict]) -> None:
    """Replace a person's courses (dicts: id?, title, hours, date_from, date_to, provider)."""
    errors = {}
    for i, row in enumerate(rows):
        for k, v in validate_course(row).items():
            errors[f"courses[{i}].{k}"] = v
    if errors:
        raise ValidationError(errors)
    live = {c.id: c for c in person.courses if c.deleted_at is None}
    keep = set()
    for row in rows:
        c = live.get(row.get("id")) if row.get("id") else None
        if c is None:
            c = Course(person=person, title="")
            session.add(c)
        else:
            keep.add(c.id)
        c.title = str(row["title"]).strip()
        c.hours = None if row.get("hours") in (None, "") else int(row["hours"])
        c.date_from = row.get("date_from")
        c.date_to = row.get("date_to")
        c.provider = str(row.get("provider") or "").strip()
    now = utcnow()
    for cid, c in live.items():
        if cid not in keep:
            c.deleted_at = now
    session.flush()
