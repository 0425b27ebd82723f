"""Registry of schools: identity, contacts, contingent, statuses per school year, indicators, ИОР, SWOT.

Fields and statuses follow ../DOMAIN «Who and what», «School statuses» (seeds 001, 003).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moc_desktop.db.models import (
    Person,
    RefIndicator,
    RefSchoolStatus,
    School,
    SchoolIndicator,
    SchoolIor,
    SchoolStatus,
    SwotItem,
    utcnow,
)
from moc_desktop.services.common import ValidationError, fold, is_email, normalize_school_year

#: field → label (column header / form label), in form order.
SCHOOL_FIELDS: dict[str, str] = {
    "short_name": "Краткое наименование",
    "full_name": "Полное наименование",
    "honorific": "Имя в наименовании",
    "settlement": "Населённый пункт",
    "address": "Адрес",
    "director_post": "Должность руководителя",
    "director_name": "ФИО руководителя",
    "phone": "Телефон",
    "email": "Эл. почта",
    "website": "Сайт",
    "pupils_noo": "Обучающихся НОО (1–4)",
    "pupils_ooo": "Обучающихся ООО (5–9)",
    "pupils_soo": "Обучающихся СОО (10–11)",
    "is_rural": "Сельская",
    "is_small": "Малокомплектная",
    "note": "Примечание",
}
INT_FIELDS = ("pupils_noo", "pupils_ooo", "pupils_soo")
BOOL_FIELDS = ("is_rural", "is_small")

#: Sub-labels of ШНОР (seed 003, Table 2 «Примечание»).
SHNOR_SUB_LABELS = (
    "стабильно низкие образовательные результаты",
    "зона риска в связи с неустойчивостью образовательных результатов за последние 3 года",
    "зона риска",
)
SWOT_QUADRANTS: dict[str, str] = {
    "strengths": "Сильные стороны",
    "weaknesses": "Слабые стороны",
    "opportunities": "Благоприятные возможности",
    "threats": "Угрозы",
}
DIRECTOR_POSTS = ("директор", "и.о. директора", "заведующий")


def status_kinds(session: Session) -> list[RefSchoolStatus]:
    return list(session.scalars(select(RefSchoolStatus).order_by(RefSchoolStatus.position)))


def indicator_kinds(session: Session, group: str | None = None) -> list[RefIndicator]:
    q = select(RefIndicator).order_by(RefIndicator.position)
    if group:
        q = q.where(RefIndicator.group == group)
    return list(session.scalars(q))


# --- validation ------------------------------------------------------------------------------------------------


def validate_school(data: dict) -> dict[str, str]:
    """Field → message for everything wrong in ``data`` (empty dict when it is fine)."""
    errors: dict[str, str] = {}
    if not str(data.get("short_name") or "").strip():
        errors["short_name"] = "Укажите краткое наименование (например, МКОУ «Шеркальская СОШ»)."
    email = str(data.get("email") or "").strip()
    if email and not is_email(email):
        errors["email"] = f"«{email}» — не адрес электронной почты."
    for f in INT_FIELDS:
        v = data.get(f)
        if v in (None, ""):
            continue
        try:
            n = int(v)
        except (TypeError, ValueError):
            errors[f] = "Введите целое число."
            continue
        if n < 0 or n > 10000:
            errors[f] = "Число обучающихся должно быть от 0 до 10 000."
    return errors


def validate_status(row: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not normalize_school_year(str(row.get("school_year") or "")):
        errors["school_year"] = "Учебный год в виде «2024/2025»."
    if not row.get("status_code"):
        errors["status_code"] = "Выберите статус."
    d = row.get("order_date")
    if d is not None and not isinstance(d, date):
        errors["order_date"] = "Дата приказа в виде дд.мм.гггг."
    return errors


def _clean(data: dict) -> dict:
    out = {}
    for f in SCHOOL_FIELDS:
        if f not in data:
            continue
        v = data[f]
        if f in INT_FIELDS:
            out[f] = None if v in (None, "") else int(v)
        elif f in BOOL_FIELDS:
            out[f] = bool(v)
        else:
            out[f] = str(v or "").strip()
    return out


# --- queries ---------------------------------------------------------------------------------------------------


def find_school_by_short_name(session: Session, short_name: str) -> School | None:
    """Duplicate rule for schools: the same short name (case, «ё/е», quotes and spaces ignored)."""
    key = fold(short_name)
    for s in session.scalars(select(School).where(School.deleted_at.is_(None))):
        if fold(s.short_name) == key:
            return s
    return None


def get_school(session: Session, school_id: int) -> School | None:
    s = session.get(School, school_id)
    return s if s is not None and s.deleted_at is None else None


@dataclass(frozen=True)
class SchoolRow:
    id: int
    short_name: str
    full_name: str
    settlement: str
    director: str
    phone: str
    email: str
    pupils: int | None
    is_rural: bool
    is_small: bool
    statuses: str  # short labels for the chosen year, «ШНОР, ШНСУ»
    status_codes: frozenset[str]
    staff_count: int


def list_schools(session: Session, school_year: str | None = None) -> list[SchoolRow]:
    """All live schools with their statuses in ``school_year`` (all years when None) and staff counts."""
    shorts = {k.code: k.short for k in status_kinds(session)}
    sq = select(SchoolStatus.school_id, SchoolStatus.status_code).where(SchoolStatus.deleted_at.is_(None))
    if school_year:
        sq = sq.where(SchoolStatus.school_year == school_year)
    by_school: dict[int, set[str]] = {}
    for sid, code in session.execute(sq):
        by_school.setdefault(sid, set()).add(code)
    counts = dict(
        session.execute(
            select(Person.school_id, func.count())
            .where(Person.deleted_at.is_(None))
            .group_by(Person.school_id)
        ).all()
    )
    order = list(shorts)
    rows = []
    for s in session.scalars(select(School).where(School.deleted_at.is_(None)).order_by(School.short_name)):
        codes = by_school.get(s.id, set())
        pupils = [p for p in (s.pupils_noo, s.pupils_ooo, s.pupils_soo) if p is not None]
        rows.append(
            SchoolRow(
                id=s.id,
                short_name=s.short_name,
                full_name=s.full_name,
                settlement=s.settlement,
                director=s.director_name,
                phone=s.phone,
                email=s.email,
                pupils=sum(pupils) if pupils else None,
                is_rural=s.is_rural,
                is_small=s.is_small,
                statuses=", ".join(shorts[c] for c in order if c in codes),
                status_codes=frozenset(codes),
                staff_count=counts.get(s.id, 0),
            )
        )
    return rows


def school_choices(session: Session) -> list[tuple[int, str]]:
    q = select(School.id, School.short_name).where(School.deleted_at.is_(None)).order_by(School.short_name)
    return [(sid, name) for sid, name in session.execute(q)]


def school_years_in_use(session: Session) -> list[str]:
    years = set(
        session.scalars(select(SchoolStatus.school_year).where(SchoolStatus.deleted_at.is_(None)).distinct())
    )
    years |= set(session.scalars(select(SchoolIndicator.school_year).distinct()))
    return sorted(years)


# --- writes ----------------------------------------------------------------------------------------------------


def save_school(session: Session, data: dict, school: School | None = None) -> School:
    """Create (``school`` None) or update a school from ``data``. Raises ``ValidationError``; does not commit."""
    errors = validate_school({**({} if school is None else {"short_name": school.short_name}), **data})
    dup = find_school_by_short_name(session, data.get("short_name", "")) if data.get("short_name") else None
    if dup is not None and (school is None or dup.id != school.id):
        errors["short_name"] = f"Школа «{dup.short_name}» уже есть в реестре."
    if errors:
        raise ValidationError(errors)
    if school is None:
        school = School()
        session.add(school)
    for k, v in _clean(data).items():
        if getattr(school, k) != v:
            setattr(school, k, v)
    session.flush()
    return school


def soft_delete_school(session: Session, school: School) -> None:
    school.deleted_at = utcnow()


def _sync_children(session: Session, existing: list, rows: list[dict], factory, apply) -> None:
    """Update children by ``id``, add rows without one, soft-delete the ones no longer listed."""
    live = {c.id: c for c in existing if c.deleted_at is None}
    keep = set()
    for row in rows:
        obj = live.get(row.get("id")) if row.get("id") else None
        if obj is None:
            obj = factory()
            session.add(obj)
        else:
            keep.add(obj.id)
        apply(obj, row)
    now = utcnow()
    for cid, c in live.items():
        if cid not in keep:
            c.deleted_at = now


def set_statuses(session: Session, school: School, rows: list[dict]) -> None:
    """Replace the school's statuses by ``rows`` (dicts: id?, school_year, status_code, sub_label, order_number,
    order_date, note). Raises ``ValidationError`` keyed «statuses[i].field»."""
    errors = {}
    seen = set()
    for i, row in enumerate(rows):
        for k, v in validate_status(row).items():
            errors[f"statuses[{i}].{k}"] = v
        key = (normalize_school_year(str(row.get("school_year") or "")), row.get("status_code"))
        if key in seen:
            errors[f"statuses[{i}].status_code"] = "Этот статус в этом учебном году уже указан."
        seen.add(key)
    if errors:
        raise ValidationError(errors)

    def apply(obj: SchoolStatus, row: dict) -> None:
        obj.school = school
        obj.school_year = normalize_school_year(row["school_year"])
        obj.status_code = row["status_code"]
        obj.sub_label = (row.get("sub_label") or "").strip()
        obj.order_number = (row.get("order_number") or "").strip()
        obj.order_date = row.get("order_date")
        obj.note = (row.get("note") or "").strip()

    _sync_children(session, school.statuses, rows, SchoolStatus, apply)
    session.flush()


def set_ior(session: Session, school: School, series: dict[int, float]) -> None:
    """ИОР values by calendar year; years left out are removed."""
    for y, v in series.items():
        if not (2000 <= int(y) <= 2100):
            raise ValidationError({"ior": f"Год {y} вне диапазона 2000–2100."})
        if not (0 <= float(v) <= 1):
            raise ValidationError({"ior": f"ИОР за {y} год должен быть от 0 до 1 (например, 0,449)."})
    live = {r.year: r for r in school.ior if r.deleted_at is None}
    now = utcnow()
    for y, r in live.items():
        if y not in series:
            r.deleted_at = now
    for y, v in series.items():
        r = live.get(int(y))
        if r is None:
            session.add(SchoolIor(school=school, year=int(y), value=float(v)))
        elif r.value != float(v):
            r.value = float(v)
    session.flush()


def ior_series(school: School, last: int = 3) -> list[tuple[int, float]]:
    rows = sorted((r.year, r.value) for r in school.ior if r.deleted_at is None)
    return rows[-last:]


def ior_mean(values: list[float]) -> float | None:
    """Mean ИОР over the given years (seed 003 Table 2 «Среднее значение ИОР 2017-2019»), 3 decimals."""
    return round(sum(values) / len(values), 3) if values else None


def indicator_value_ok(kind: str, value: float | None) -> str | None:
    """Russian message when ``value`` does not fit the indicator ``kind`` (share 0..1, percent 0..100, …)."""
    if value is None:
        return None
    if kind == "share" and not 0 <= value <= 1:
        return "Доля — число от 0 до 1 (например, 0,379)."
    if kind == "percent" and not 0 <= value <= 100:
        return "Процент — число от 0 до 100."
    if kind in ("count",) and (value < 0 or value != int(value)):
        return "Количество — целое неотрицательное число."
    if kind == "bool" and value not in (0, 1):
        return "Да (1) или нет (0)."
    return None


def set_indicators(
    session: Session, school: School, school_year: str, values: dict[str, float | None]
) -> None:
    """Indicator values of one school year (code → value; None clears)."""
    year = normalize_school_year(school_year)
    if not year:
        raise ValidationError({"school_year": "Учебный год в виде «2024/2025»."})
    kinds = {k.code: k.kind for k in indicator_kinds(session)}
    errors = {}
    for code, v in values.items():
        if code not in kinds:
            errors[code] = "Неизвестный показатель."
        elif (msg := indicator_value_ok(kinds[code], v)) is not None:
            errors[code] = msg
    if errors:
        raise ValidationError(errors)
    current = {(r.school_year, r.indicator_code): r for r in school.indicators}
    for code, v in values.items():
        r = current.get((year, code))
        if r is None:
            if v is not None:
                session.add(SchoolIndicator(school=school, school_year=year, indicator_code=code, value=v))
        elif r.value != v:
            r.value = v
    session.flush()


def indicators_of(school: School, school_year: str) -> dict[str, float | None]:
    return {r.indicator_code: r.value for r in school.indicators if r.school_year == school_year}


@dataclass(frozen=True)
class IndicatorSummary:
    code: str
    title: str
    n: int
    mean: float | None
    maximum: float | None
    minimum: float | None


def indicator_summary(
    session: Session, school_year: str, group: str = "monitoring"
) -> list[IndicatorSummary]:
    """Mean / max / min of each indicator across live schools in a school year (as the region reports, seed 001)."""
    out = []
    for k in indicator_kinds(session, group):
        vals = [
            v
            for v in session.scalars(
                select(SchoolIndicator.value)
                .join(School)
                .where(
                    SchoolIndicator.school_year == school_year,
                    SchoolIndicator.indicator_code == k.code,
                    SchoolIndicator.value.is_not(None),
                    School.deleted_at.is_(None),
                )
            )
        ]
        out.append(
            IndicatorSummary(
                k.code,
                k.title,
                len(vals),
                round(sum(vals) / len(vals), 3) if vals else None,
                max(vals) if vals else None,
                min(vals) if vals else None,
            )
        )
    return out


def set_swot(session: Session, school: School, school_year: str, items: dict[str, list[str]]) -> None:
    """Replace the SWOT of a school year: quadrant → statements (blank lines ignored)."""
    for q in items:
        if q not in SWOT_QUADRANTS:
            raise ValidationError({"swot": f"Неизвестный раздел SWOT: {q}"})
    now = utcnow()
    for it in school.swot:
        if it.school_year == school_year and it.deleted_at is None:
            it.deleted_at = now
    for q, lines in items.items():
        for i, text in enumerate(t.strip() for t in lines if t.strip()):
            session.add(SwotItem(school=school, school_year=school_year, quadrant=q, text=text, position=i))
    session.flush()


def swot_of(school: School, school_year: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {q: [] for q in SWOT_QUADRANTS}
    for it in sorted(school.swot, key=lambda x: x.position):
        if it.school_year == school_year and it.deleted_at is None:
            out[it.quadrant].append(it.text)
    return out
