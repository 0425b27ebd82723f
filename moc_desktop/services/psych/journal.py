"""The psychologist's journal (DOMAIN «Psychologist»): entries, list with paging, client history.

* The facts used for counting (date, school, category, class, code, form, group size, kind, duration, follow-up)
  are stored plainly; the request, result, recommendations and notes (:data:`CONFIDENTIAL_FIELDS`) are encrypted
  with the journal's data key (``services.vault.FieldCipher``), each value bound to its record's uuid and field.
* Only the role «педагог-психолог» with the journal key in hand reads or writes entries: every function here calls
  ``auth.require(user, "psych.journal")`` and checks the key — hiding a button is not the protection.
* Opening an entry (and a client's history) writes an «open» row to the audit log; edits of encrypted fields are
  logged as «изменено» without values (``db.changes``).
"""

from __future__ import annotations

import re
import uuid as uuid_mod
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from moc_desktop.db.changes import write_audit
from moc_desktop.db.models import AppUser, PsychSession, School, utcnow
from moc_desktop.services import vault
from moc_desktop.services.auth import AccessDenied, AuthError, Principal, require
from moc_desktop.services.common import ValidationError, format_date

CATEGORIES: dict[str, str] = {
    "pupil": "обучающийся",
    "parent": "родитель (законный представитель)",
    "teacher": "педагог",
    "admin": "администрация",
}
FORMS: dict[str, str] = {"individual": "индивидуальная", "group": "групповая"}
KINDS: dict[str, str] = {
    "consultation": "консультация",
    "diagnostics": "диагностика",
    "correction": "коррекционно-развивающее занятие",
    "education": "просвещение",
    "prevention": "профилактика",
    "expertise": "экспертиза",
    "council": "ППк (консилиум)",
}
#: Text fields stored encrypted in ``<field>_enc`` columns.
CONFIDENTIAL_FIELDS = ("request", "result", "recommendations", "notes")
SORT_KEYS = (
    "held_on",
    "school",
    "client_category",
    "client_code",
    "kind",
    "form",
    "duration_min",
    "follow_up_on",
)
MIN_DURATION = 5
MAX_DURATION = 480
NO_SCHOOL = "МОЦ / без школы"
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class JournalError(AuthError):
    """A journal entry cannot be read (damaged or changed outside the program)."""


@dataclass
class SessionData:
    """One journal entry as the psychologist edits it (decrypted)."""

    held_on: date
    kind: str
    client_category: str
    uuid: str | None = None  # None → new
    start_time: str = ""  # «ЧЧ:ММ» or ""
    duration_min: int = 45
    school_id: int | None = None
    school_name: str = ""  # filled when read
    client_class: str = ""  # e.g. «7Б», required for pupil
    client_code: str = ""
    form: str = "individual"
    group_size: int = 1  # >1 only for group
    request: str = ""
    result: str = ""
    recommendations: str = ""
    notes: str = ""
    follow_up_on: date | None = None
    psychologist: str = ""  # «Фамилия И.О.» of the author, filled when read


@dataclass(frozen=True)
class SessionRow:
    """A list row: no confidential text."""

    id: int
    uuid: str
    held_on: date
    start_time: str
    duration_min: int
    school_id: int | None
    school_name: str
    client_category: str
    client_class: str
    client_code: str
    form: str
    group_size: int
    kind: str
    follow_up_on: date | None
    psychologist: str


@dataclass
class JournalFilter:
    date_from: date | None = None
    date_to: date | None = None
    school_id: int | None = None
    kind: str | None = None
    client_category: str | None = None
    code: str = ""  # case-insensitive prefix
    psychologist_id: int | None = None
    overdue_follow_up: bool = False  # follow_up_on < today


# --- access ------------------------------------------------------------------------------------------------------


def journal_cipher(user: Principal | None) -> vault.FieldCipher:
    """The cipher of the journal for ``user``: the psychologist role and the journal key are both required."""
    require(user, "psych.journal")
    assert user is not None
    if user.journal_key is None:
        raise AccessDenied(
            "Журнал не открыт: войдите паролем психолога или откройте журнал ключом восстановления."
        )
    return vault.FieldCipher(user.journal_key)


def short_name(full_name: str) -> str:
    """«Иванова Мария Петровна» → «Иванова М.П.» (names in lists, DESIGN «UI»)."""
    parts = full_name.split()
    if not parts:
        return ""
    return (parts[0] + " " + "".join(f"{p[0]}." for p in parts[1:3])).strip()


def normalize_code(code: str) -> str:
    """Codes are compared and stored upper-case without surrounding spaces («о-0001 » → «О-0001»)."""
    return " ".join((code or "").split()).upper()


# --- validation --------------------------------------------------------------------------------------------------


def is_follow_up_overdue(follow_up_on: date | None, today: date | None = None) -> bool:
    """A follow-up meeting is overdue when its date has passed (the list filter «Только просроченные повторные
    встречи» and the red rows of the journal use this rule)."""
    return follow_up_on is not None and follow_up_on < (today or date.today())


def validate_session(data: SessionData, today: date | None = None) -> dict[str, str]:
    """Field → Russian message for everything wrong in ``data`` (empty dict — the entry may be saved).

    The journal records what happened, so a date in the future is refused (planned meetings go to
    ``follow_up_on``). A pupil is recorded with a class; an individual entry names its client by code; a group
    has at least two participants; a session lasts 5–480 minutes; the follow-up is not before the session."""
    today = today or date.today()
    errors: dict[str, str] = {}
    if data.held_on is None:
        errors["held_on"] = "Укажите дату проведения."
    elif data.held_on > today:
        errors["held_on"] = (
            "Дата проведения не может быть позже сегодняшнего дня: журнал записывает проведённую работу."
        )
    if data.kind not in KINDS:
        errors["kind"] = "Выберите вид работы из списка."
    if data.client_category not in CATEGORIES:
        errors["client_category"] = "Выберите категорию клиента из списка."
    if data.form not in FORMS:
        errors["form"] = "Выберите форму работы: индивидуальная или групповая."
    if data.client_category == "pupil" and not (data.client_class or "").strip():
        errors["client_class"] = "Для обучающегося укажите класс (например, «7Б»)."
    elif len((data.client_class or "").strip()) > 10:
        errors["client_class"] = "Класс — не длиннее 10 символов."
    code = normalize_code(data.client_code)
    if data.form == "individual" and not code:
        errors["client_code"] = "Для индивидуальной работы укажите код клиента."
    elif len(code) > 32:
        errors["client_code"] = "Код клиента — не длиннее 32 символов."
    if data.form == "group" and (data.group_size is None or data.group_size < 2):
        errors["group_size"] = "В групповой работе участников должно быть не меньше двух."
    elif data.form == "individual" and data.group_size != 1:
        errors["group_size"] = "В индивидуальной работе участник один."
    if data.duration_min is None or not MIN_DURATION <= data.duration_min <= MAX_DURATION:
        errors["duration_min"] = f"Длительность — от {MIN_DURATION} до {MAX_DURATION} минут."
    if data.start_time and not _TIME_RE.match(data.start_time.strip()):
        errors["start_time"] = "Время начала — в виде ЧЧ:ММ (например, 09:30) или пусто."
    if data.follow_up_on is not None and data.held_on is not None and data.follow_up_on < data.held_on:
        errors["follow_up_on"] = "Дата повторной встречи не может быть раньше даты проведения."
    return errors


# --- write -------------------------------------------------------------------------------------------------------


def _live(session: Session, uuid: str) -> PsychSession:
    row = session.scalar(
        select(PsychSession).where(PsychSession.uuid == uuid, PsychSession.deleted_at.is_(None))
    )
    if row is None:
        raise LookupError("Запись журнала не найдена (возможно, она удалена).")
    return row


def save_session(session: Session, user: Principal, data: SessionData, today: date | None = None) -> str:
    """Create or update an entry; returns its uuid. :class:`ValidationError` on wrong data. The four text fields
    are encrypted bound to (uuid, field); a new entry's author is ``user``."""
    cipher = journal_cipher(user)
    errors = validate_session(data, today)
    if errors:
        raise ValidationError(errors)
    if data.uuid:
        row = _live(session, data.uuid)
    else:
        row = PsychSession(uuid=str(uuid_mod.uuid4()), psychologist_id=user.user_id)
        session.add(row)
    row.held_on = data.held_on
    row.start_time = (data.start_time or "").strip()
    row.duration_min = int(data.duration_min)
    row.school_id = data.school_id
    row.client_category = data.client_category
    row.client_class = " ".join((data.client_class or "").split()).upper()
    row.client_code = normalize_code(data.client_code)
    row.form = data.form
    row.group_size = int(data.group_size) if data.form == "group" else 1
    row.kind = data.kind
    row.follow_up_on = data.follow_up_on
    for name in CONFIDENTIAL_FIELDS:
        new_text = (getattr(data, name) or "").strip()
        column = f"{name}_enc"
        old_blob = getattr(row, column)
        if data.uuid and old_blob and _decrypt(cipher, old_blob, row.uuid, name) == new_text:
            continue  # unchanged: keep the ciphertext, no «изменено» in the audit log
        if not new_text and not old_blob:
            continue
        setattr(row, column, cipher.encrypt(new_text, row.uuid, name))
    session.flush()
    data.uuid = row.uuid
    return row.uuid


def delete_session(session: Session, user: Principal, uuid: str) -> None:
    """Soft delete (``deleted_at``); the audit log records who deleted it."""
    journal_cipher(user)
    _live(session, uuid).deleted_at = utcnow()
    session.flush()


# --- read --------------------------------------------------------------------------------------------------------


def _decrypt(cipher: vault.FieldCipher, blob: bytes | None, uuid: str, name: str) -> str:
    try:
        return cipher.decrypt(blob, uuid, name)
    except vault.WrongKey as exc:
        raise JournalError(
            "Запись журнала повреждена или изменена вне программы: её текст не удаётся расшифровать."
        ) from exc


def _to_data(cipher: vault.FieldCipher, row: PsychSession, school: str, author: str) -> SessionData:
    texts = {
        name: _decrypt(cipher, getattr(row, f"{name}_enc"), row.uuid, name) for name in CONFIDENTIAL_FIELDS
    }
    return SessionData(
        held_on=row.held_on,
        kind=row.kind,
        client_category=row.client_category,
        uuid=row.uuid,
        start_time=row.start_time,
        duration_min=row.duration_min,
        school_id=row.school_id,
        school_name=school,
        client_class=row.client_class,
        client_code=row.client_code,
        form=row.form,
        group_size=row.group_size,
        follow_up_on=row.follow_up_on,
        psychologist=author,
        **texts,
    )


def _full_query() -> Select:
    return (
        select(PsychSession, School.short_name, AppUser.full_name)
        .outerjoin(School, School.id == PsychSession.school_id)
        .outerjoin(AppUser, AppUser.id == PsychSession.psychologist_id)
        .where(PsychSession.deleted_at.is_(None))
    )


def open_session(session: Session, user: Principal, uuid: str) -> SessionData:
    """The decrypted entry; the opening is written to the audit log. :class:`LookupError` for an unknown or
    deleted uuid, :class:`JournalError` when the text does not decrypt."""
    cipher = journal_cipher(user)
    found = session.execute(_full_query().where(PsychSession.uuid == uuid)).first()
    if found is None:
        raise LookupError("Запись журнала не найдена (возможно, она удалена).")
    row, school, author = found
    data = _to_data(cipher, row, school or "", short_name(author or ""))
    write_audit(session, "open", "psych_session", uuid)
    return data


_ROW_COLUMNS = (
    PsychSession.id,
    PsychSession.uuid,
    PsychSession.held_on,
    PsychSession.start_time,
    PsychSession.duration_min,
    PsychSession.school_id,
    School.short_name,
    PsychSession.client_category,
    PsychSession.client_class,
    PsychSession.client_code,
    PsychSession.form,
    PsychSession.group_size,
    PsychSession.kind,
    PsychSession.follow_up_on,
    AppUser.full_name,
)
_SORT_COLUMNS = {
    "held_on": PsychSession.held_on,
    "school": School.short_name,
    "client_category": PsychSession.client_category,
    "client_code": PsychSession.client_code,
    "kind": PsychSession.kind,
    "form": PsychSession.form,
    "duration_min": PsychSession.duration_min,
    "follow_up_on": PsychSession.follow_up_on,
}


def _filtered(query: Select, flt: JournalFilter, today: date | None = None) -> Select:
    conditions = [PsychSession.deleted_at.is_(None)]
    if flt.date_from is not None:
        conditions.append(PsychSession.held_on >= flt.date_from)
    if flt.date_to is not None:
        conditions.append(PsychSession.held_on <= flt.date_to)
    if flt.school_id is not None:
        conditions.append(PsychSession.school_id == flt.school_id)
    if flt.kind:
        conditions.append(PsychSession.kind == flt.kind)
    if flt.client_category:
        conditions.append(PsychSession.client_category == flt.client_category)
    code = normalize_code(flt.code)
    if code:
        # codes are stored upper-case; SQLite's upper() does not fold Cyrillic, so compare with the stored form
        escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(PsychSession.client_code.like(escaped + "%", escape="\\"))
    if flt.psychologist_id is not None:
        conditions.append(PsychSession.psychologist_id == flt.psychologist_id)
    if flt.overdue_follow_up:  # the SQL form of is_follow_up_overdue
        conditions.append(PsychSession.follow_up_on < (today or date.today()))
    return query.where(*conditions)


def _row(values) -> SessionRow:
    *head, school, cat, cls, code, form, size, kind, follow, author = values
    return SessionRow(*head, school or "", cat, cls, code, form, size, kind, follow, short_name(author or ""))


def count_sessions(session: Session, user: Principal, flt: JournalFilter) -> int:
    """Number of entries matching ``flt`` (for a lazy table model)."""
    journal_cipher(user)
    return session.scalar(_filtered(select(func.count(PsychSession.id)), flt)) or 0


def list_sessions(
    session: Session,
    user: Principal,
    flt: JournalFilter,
    *,
    offset: int = 0,
    limit: int = 200,
    sort: str = "held_on",
    descending: bool = True,
) -> list[SessionRow]:
    """One page of entries (no confidential text), ordered by ``sort`` (one of :data:`SORT_KEYS`) then by id, in
    one SQL query with the school and author joined — fast enough to page through 60 000 entries."""
    journal_cipher(user)
    if sort not in _SORT_COLUMNS:
        raise ValueError(f"Неизвестный порядок сортировки: {sort}")
    column = _SORT_COLUMNS[sort]
    order = [column.desc(), PsychSession.id.desc()] if descending else [column.asc(), PsychSession.id.asc()]
    query = (
        select(*_ROW_COLUMNS)
        .outerjoin(School, School.id == PsychSession.school_id)
        .outerjoin(AppUser, AppUser.id == PsychSession.psychologist_id)
    )
    query = _filtered(query, flt).order_by(*order).offset(max(0, offset)).limit(max(0, limit))
    return [_row(values) for values in session.execute(query)]


def client_history(session: Session, user: Principal, code: str) -> list[SessionData]:
    """All entries of a client code, oldest first, decrypted; one «open» audit row for the client."""
    cipher = journal_cipher(user)
    code_n = normalize_code(code)
    query = _full_query().where(PsychSession.client_code == code_n)
    query = query.order_by(PsychSession.held_on, PsychSession.start_time, PsychSession.id)
    result = [
        _to_data(cipher, row, school or "", short_name(author or ""))
        for row, school, author in session.execute(query)
    ]
    write_audit(session, "open", "psych_client", code_n, f"история клиента: записей {len(result)}")
    return result


def work_kinds_journal(
    session: Session, user: Principal, date_from: date, date_to: date
) -> list[tuple[str, list[SessionRow]]]:
    """The paper «Журнал учёта видов работы педагога-психолога»: entries of the period grouped by kind (in
    :data:`KINDS` order, only kinds that occur), each group ordered by date. Returns (kind code, rows)."""
    journal_cipher(user)
    flt = JournalFilter(date_from=date_from, date_to=date_to)
    query = (
        select(*_ROW_COLUMNS)
        .outerjoin(School, School.id == PsychSession.school_id)
        .outerjoin(AppUser, AppUser.id == PsychSession.psychologist_id)
    )
    query = _filtered(query, flt).order_by(PsychSession.held_on, PsychSession.start_time, PsychSession.id)
    groups: dict[str, list[SessionRow]] = {}
    for values in session.execute(query):
        row = _row(values)
        groups.setdefault(row.kind, []).append(row)
    ordered = [(k, groups.pop(k)) for k in KINDS if k in groups]
    ordered.extend(sorted(groups.items()))
    return ordered


def describe(row: SessionRow | SessionData) -> str:
    """A one-line description for confirmations: «12.03.2026, консультация, О-0012»."""
    parts = [format_date(row.held_on), KINDS.get(row.kind, row.kind), row.client_code]
    return ", ".join(p for p in parts if p)
