"""Reading the audit log: who changed what and when (administrator only, permission ``audit.view``).

The rows are written by ``db.changes`` in the flush that makes a change (create / update per field / delete /
restore) and by ``write_audit`` for events that are not data changes (login, export …). Here they are filtered,
paged in SQL (newest first, by ``seq``), labelled for people («Школа», «Иванова А.П.», «№ 12 от 01.09.2025») and
exported to Excel. The psychologist's records are never described beyond «запись журнала».
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from moc_desktop.db.changes import write_audit
from moc_desktop.db.models import (
    AppUser,
    AuditLog,
    Course,
    DiagCampaign,
    DiagCard,
    MentorMeeting,
    MentorPair,
    OrderDoc,
    PartnershipEvent,
    Person,
    Protocol,
    School,
    SchoolIndicator,
    SchoolIor,
    SchoolPartnership,
    SchoolStatus,
    StaffMove,
    SwotItem,
)
from moc_desktop.services.auth import ROLES, Principal, require
from moc_desktop.services.common import fold
from moc_desktop.services.schools import SCHOOL_FIELDS
from moc_desktop.services.staff import DOC_FIELDS, PERSON_FIELDS

#: action code → title shown in the log.
ACTIONS: dict[str, str] = {
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "restore": "восстановление",
    "open": "просмотр конфиденциальных данных",
    "login": "вход",
    "login_failed": "неудачный вход",
    "logout": "выход",
    "lock": "блокировка",
    "password": "пароль",
    "key": "ключ журнала",
    "export": "выгрузка",
    "import": "загрузка",
    "demo": "демонстрационные данные",
}

#: table name → what a record of it is called.
ENTITIES: dict[str, str] = {
    "settings": "Настройка",
    "change_log": "Журнал изменений",
    "ref_school_status": "Вид статуса школы",
    "ref_indicator": "Показатель (справочник)",
    "school": "Школа",
    "school_status": "Статус школы",
    "school_indicator": "Показатель школы",
    "school_ior": "ИОР школы",
    "swot_item": "SWOT-анализ школы",
    "person": "Педагог",
    "staff_move": "Место работы педагога",
    "course": "Курсы повышения квалификации",
    "doc_counter": "Счётчик номеров документов",
    "order_doc": "Приказ",
    "protocol": "Протокол",
    "ref_card_template": "Шаблон диагностической карты",
    "ref_competence": "Компетенция (справочник)",
    "ref_criterion": "Критерий диагностики (справочник)",
    "diag_campaign": "Диагностика",
    "diag_card": "Диагностическая карта",
    "ref_mentoring_form": "Форма наставничества",
    "school_partnership": "Партнёрство школ",
    "partnership_event": "Мероприятие партнёрства",
    "mentor_pair": "Наставническая пара",
    "mentor_meeting": "Встреча наставника",
    "app_user": "Пользователь",
    "psych_key": "Ключ журнала психолога",
    "psych_client": "Код клиента психолога",
    "psych_session": "Запись журнала психолога",
    "audit_log": "Журнал аудита",
}

#: Tables of the psychologist: the log names their records only as «запись журнала».
PSYCH_ENTITIES = frozenset({"psych_key", "psych_client", "psych_session"})
PSYCH_LABEL = "запись журнала"

_COMMON_FIELDS: dict[str, str] = {
    "deleted_at": "Удалено",
    "note": "Примечание",
    "title": "Название",
    "date": "Дата",
    "date_from": "Дата начала",
    "date_to": "Дата окончания",
    "status": "Статус",
    "school_id": "Школа",
    "person_id": "Педагог",
    "school_year": "Учебный год",
    "year": "Год",
    "value": "Значение",
    "count": "Количество",
    "position": "Должность",
    "order_id": "Приказ-основание",
    "order_number": "Номер приказа",
    "order_date": "Дата приказа",
    "number": "Номер",
    "reg_year": "Год регистрации",
    "key": "Параметр",
}
_ENTITY_FIELDS: dict[str, dict[str, str]] = {
    "school": SCHOOL_FIELDS,
    "person": {**PERSON_FIELDS, **DOC_FIELDS},
    "settings": {"value": "Значение"},
    "school_status": {"status_code": "Статус", "sub_label": "Уточнение"},
    "school_indicator": {"indicator_code": "Показатель"},
    "school_ior": {"value": "ИОР"},
    "swot_item": {"quadrant": "Раздел SWOT", "text": "Формулировка", "position": "Порядок"},
    "course": {"title": "Название курса", "hours": "Часов", "provider": "Организация"},
    "order_doc": {
        "suffix": "Индекс номера",
        "template": "Типовой приказ",
        "basis": "Основание",
        "preamble": "Преамбула",
        "items": "Пункты приказа",
        "control": "Контроль",
        "signatory_post": "Должность подписанта",
        "signatory_name": "Подписант",
        "executor": "Исполнитель",
        "appendices": "Приложения",
        "acquaintance": "Лист ознакомления",
        "approvals": "Согласование",
        "qr": "QR-код",
        "cancel_note": "Причина отмены",
    },
    "protocol": {
        "body": "Орган",
        "place": "Место",
        "chair": "Председатель",
        "secretary": "Секретарь",
        "attendees": "Присутствовали",
        "members_total": "Членов всего",
        "invited": "Приглашённые",
        "agenda": "Повестка",
        "approvals": "Согласование",
    },
    "diag_campaign": {"stage": "Этап", "template_version": "Версия карты", "basis": "Основание"},
    "diag_card": {
        "campaign_id": "Диагностика",
        "scores": "Оценки",
        "raters": "Оценщики",
        "complete": "Заполнена",
        "pct": "Итог, %",
    },
    "school_partnership": {
        "mentor_school_id": "Школа-наставник",
        "mentee_school_id": "Школа-партнёр",
        "agreement_kind": "Вид соглашения",
        "agreement_number": "Номер соглашения",
        "agreement_date": "Дата соглашения",
        "agreement_file": "Файл соглашения",
        "roadmap": "Дорожная карта",
    },
    "partnership_event": {
        "format": "Форма",
        "topic": "Тема",
        "participants": "Участников",
        "result": "Результат",
    },
    "mentor_pair": {
        "form_code": "Форма наставничества",
        "mentor_id": "Наставник",
        "mentee_ids": "Наставляемые",
        "status_reason": "Причина смены статуса",
        "goal": "Цель",
        "plan": "Индивидуальный план",
        "evaluation": "Итоговая оценка",
    },
    "mentor_meeting": {
        "duration_min": "Длительность, мин",
        "form": "Форма",
        "topic": "Тема",
        "notes": "Заметки",
        "rating": "Оценка встречи",
    },
    "app_user": {
        "login": "Логин",
        "full_name": "ФИО",
        "post": "Должность",
        "role": "Роль",
        "password_hash": "Пароль",
        "active": "Учётная запись действует",
        "must_change_password": "Сменить пароль при входе",
    },
    "psych_key": {"kind": "Вид ключа", "user_id": "Пользователь", "salt": "Соль", "wrapped": "Ключ"},
    "psych_client": {"code": "Код клиента", "category": "Категория", "secret": "Сведения о клиенте"},
    "psych_session": {
        "psychologist_id": "Психолог",
        "held_on": "Дата",
        "start_time": "Время",
        "duration_min": "Длительность, мин",
        "client_category": "Категория клиента",
        "client_class": "Класс",
        "client_code": "Код клиента",
        "form": "Форма работы",
        "group_size": "Участников",
        "kind": "Вид работы",
        "request_enc": "Запрос",
        "result_enc": "Результат",
        "recommendations_enc": "Рекомендации",
        "notes_enc": "Заметки",
        "follow_up_on": "Повторная встреча",
    },
}

PAGE_SIZE = 500
_IN_CHUNK = 500


def action_title(action: str) -> str:
    return ACTIONS.get(action, action)


def entity_title(entity: str) -> str:
    return ENTITIES.get(entity, entity)


def field_title(entity: str, field: str) -> str:
    """The Russian label of ``entity.field`` where known (the services' own form labels), else the field name."""
    if not field:
        return ""
    return _ENTITY_FIELDS.get(entity, {}).get(field) or _COMMON_FIELDS.get(field) or field


@dataclass
class AuditFilter:
    """What to show. Dates are local calendar days, both ends included; ``text`` is a case-insensitive
    «contains» over the record, field, old and new values and the note."""

    date_from: date | None = None
    date_to: date | None = None
    user_login: str = ""
    action: str = ""
    entity: str = ""
    text: str = ""


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime  # local time (stored in UTC)
    user_login: str
    user_name: str
    action: str
    action_title: str
    entity: str
    entity_title: str
    record_uuid: str
    record_label: str
    field: str
    field_title: str
    old_value: str
    new_value: str
    note: str

    @property
    def user_display(self) -> str:
        if self.user_name and self.user_login:
            return f"{self.user_name} ({self.user_login})"
        return self.user_name or self.user_login or SYSTEM_ACTOR


#: Shown for changes made before anyone signed in (the first-run wizard, the program's own set-up).
SYSTEM_ACTOR = "система (до входа в программу)"


# --- time ------------------------------------------------------------------------------------------------------


def to_local(at: datetime) -> datetime:
    """Stored naive UTC → naive local time for display."""
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _utc_start_of(day: date) -> datetime:
    """Local midnight of ``day`` as naive UTC (what ``audit_log.at`` holds)."""
    return datetime.combine(day, time()).astimezone(UTC).replace(tzinfo=None)


# --- filtering -------------------------------------------------------------------------------------------------


def _fold_sql(value) -> str | None:
    return None if value is None else fold(str(value))


def _text_expr(session: Session, column):
    """``column`` folded for a case-insensitive match. SQLite's own ``lower()`` knows only ASCII, so a Python
    function is registered on the connection (Cyrillic «Школа» must match «школа»)."""
    if session.get_bind().dialect.name == "sqlite":
        dbapi = session.connection().connection.dbapi_connection
        dbapi.create_function("moc_fold", 1, _fold_sql, deterministic=True)
        return func.moc_fold(column)
    return func.lower(column)


#: Records whose names the text search also looks at: (table, model, name columns).
_SEARCHABLE = (
    ("school", School, (School.short_name,)),
    ("person", Person, (Person.last_name,)),
    ("app_user", AppUser, (AppUser.login, AppUser.full_name)),
)


def _conditions(session: Session, flt: AuditFilter) -> list:
    cond = []
    if flt.date_from is not None:
        cond.append(AuditLog.at >= _utc_start_of(flt.date_from))
    if flt.date_to is not None:
        cond.append(AuditLog.at < _utc_start_of(flt.date_to + timedelta(days=1)))
    if flt.user_login:
        cond.append(AuditLog.user_login == flt.user_login)
    if flt.action:
        cond.append(AuditLog.action == flt.action)
    if flt.entity:
        cond.append(AuditLog.entity == flt.entity)
    needle = fold(flt.text)
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        columns = (
            AuditLog.record_uuid,
            AuditLog.field,
            AuditLog.old_value,
            AuditLog.new_value,
            AuditLog.note,
            AuditLog.user_login,
            AuditLog.user_name,
        )
        matches = [_text_expr(session, c).like(pattern, escape="\\") for c in columns]
        for entity, model, names in _SEARCHABLE:  # the record's name too: «Лицей» finds the school's changes
            named = select(model.uuid).where(
                or_(*(_text_expr(session, n).like(pattern, escape="\\") for n in names))
            )
            matches.append((AuditLog.entity == entity) & AuditLog.record_uuid.in_(named))
        cond.append(or_(*matches))
    return cond


def count(session: Session, user: Principal | None, flt: AuditFilter | None = None) -> int:
    """How many rows match ``flt`` (administrator only)."""
    require(user, "audit.view")
    q = select(func.count()).select_from(AuditLog).where(*_conditions(session, flt or AuditFilter()))
    return int(session.scalar(q) or 0)


def query(
    session: Session,
    user: Principal | None,
    flt: AuditFilter | None = None,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> list[AuditRow]:
    """One page of matching rows, newest first (``seq`` descending), labelled for people (administrator only).
    Records are labelled with one query per table present on the page, not one per row."""
    require(user, "audit.view")
    q = (
        select(AuditLog)
        .where(*_conditions(session, flt or AuditFilter()))
        .order_by(AuditLog.seq.desc())
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    entries = list(session.scalars(q))
    wanted: dict[str, set[str]] = {}
    for e in entries:
        if e.record_uuid:
            wanted.setdefault(e.entity, set()).add(e.record_uuid)
    labels = {entity: _labels(session, entity, keys) for entity, keys in wanted.items()}
    return [_row(e, labels.get(e.entity, {})) for e in entries]


def _value(entity: str, field: str, value: str | None) -> str:
    if value is None:
        return ""
    if entity == "app_user" and field == "role":
        return ROLES.get(value, value)
    return value


def _row(e: AuditLog, labels: dict[str, str]) -> AuditRow:
    return AuditRow(
        seq=e.seq,
        at=to_local(e.at),
        user_login=e.user_login,
        user_name=e.user_name,
        action=e.action,
        action_title=action_title(e.action),
        entity=e.entity,
        entity_title=entity_title(e.entity) if e.entity else "",
        record_uuid=e.record_uuid,
        record_label=labels.get(e.record_uuid, ""),
        field=e.field,
        field_title=field_title(e.entity, e.field),
        old_value=_value(e.entity, e.field, e.old_value),
        new_value=_value(e.entity, e.field, e.new_value),
        note=e.note,
    )


def users_in_log(session: Session, user: Principal | None) -> list[tuple[str, str]]:
    """(login, name) of everyone who appears in the log, by name — for the filter."""
    require(user, "audit.view")
    q = (
        select(AuditLog.user_login, func.max(AuditLog.user_name))
        .where(AuditLog.user_login != "")
        .group_by(AuditLog.user_login)
    )
    rows = [(login, name or "") for login, name in session.execute(q)]
    return sorted(rows, key=lambda r: (fold(r[1] or r[0]), r[0]))


# --- record labels ---------------------------------------------------------------------------------------------


def _initials(last: str, first: str, middle: str) -> str:
    initials = "".join(f"{p[0]}." for p in (first, middle) if p)
    return f"{last} {initials}".strip()


def _fmt(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def _numbered(number: int | None, suffix: str, on: date | None) -> str:
    head = f"№ {number}{suffix}" if number is not None else "проект"
    return f"{head} от {_fmt(on)}" if on else head


def _chunks(keys: Iterable[str]) -> Iterable[list[str]]:
    keys = sorted(keys)
    for i in range(0, len(keys), _IN_CHUNK):
        yield keys[i : i + _IN_CHUNK]


def _fetch(session: Session, columns, key_col, keys: Iterable[str], join=None) -> list:
    out = []
    for chunk in _chunks(keys):
        q = select(*columns)
        if join is not None:
            q = join(q)
        out.extend(session.execute(q.where(key_col.in_(chunk))).all())
    return out


def _school_names(session, keys):
    return {u: n for u, n in _fetch(session, (School.uuid, School.short_name), School.uuid, keys)}


def _person_names(session, keys):
    cols = (Person.uuid, Person.last_name, Person.first_name, Person.middle_name)
    return {u: _initials(ln, fn, mn) for u, ln, fn, mn in _fetch(session, cols, Person.uuid, keys)}


def _orders(session, keys):
    cols = (OrderDoc.uuid, OrderDoc.number, OrderDoc.suffix, OrderDoc.date)
    return {u: _numbered(n, s, d) for u, n, s, d in _fetch(session, cols, OrderDoc.uuid, keys)}


def _protocols(session, keys):
    cols = (Protocol.uuid, Protocol.body, Protocol.number, Protocol.date)
    return {u: f"{b}, {_numbered(n, '', d)}" for u, b, n, d in _fetch(session, cols, Protocol.uuid, keys)}


def _users(session, keys):
    found = dict(_fetch(session, (AppUser.uuid, AppUser.login), AppUser.uuid, keys))
    # a refused login of an unknown account names the typed login instead of a uuid
    return {k: found.get(k, k) for k in keys}


def _school_child(model, extra: Callable | None = None):
    def labels(session, keys):
        cols = (model.uuid, School.short_name, *(extra(model) if extra else ()))
        rows = _fetch(
            session, cols, model.uuid, keys, join=lambda q: q.join(School, School.id == model.school_id)
        )
        return {r[0]: ", ".join(str(x) for x in r[1:] if x not in (None, "")) for r in rows}

    return labels


def _person_child(model):
    def labels(session, keys):
        cols = (model.uuid, Person.last_name, Person.first_name, Person.middle_name)
        rows = _fetch(
            session, cols, model.uuid, keys, join=lambda q: q.join(Person, Person.id == model.person_id)
        )
        return {u: _initials(ln, fn, mn) for u, ln, fn, mn in rows}

    return labels


def _campaigns(session, keys):
    return dict(_fetch(session, (DiagCampaign.uuid, DiagCampaign.title), DiagCampaign.uuid, keys))


def _pairs(session, keys):
    cols = (MentorPair.uuid, Person.last_name, Person.first_name, Person.middle_name)
    rows = _fetch(
        session, cols, MentorPair.uuid, keys, join=lambda q: q.join(Person, Person.id == MentorPair.mentor_id)
    )
    return {u: "наставник " + _initials(ln, fn, mn) for u, ln, fn, mn in rows}


def _meetings(session, keys):
    cols = (MentorMeeting.uuid, MentorMeeting.date, MentorMeeting.topic)
    return {
        u: " ".join(x for x in (_fmt(d), t) if x)
        for u, d, t in _fetch(session, cols, MentorMeeting.uuid, keys)
    }


def _partnerships(session, keys):
    mentor = School.__table__.alias("mentor")
    mentee = School.__table__.alias("mentee")
    cols = (SchoolPartnership.uuid, mentor.c.short_name, mentee.c.short_name)
    rows = _fetch(
        session,
        cols,
        SchoolPartnership.uuid,
        keys,
        join=lambda q: q.join(mentor, mentor.c.id == SchoolPartnership.mentor_school_id).join(
            mentee, mentee.c.id == SchoolPartnership.mentee_school_id
        ),
    )
    return {u: f"{a} → {b}" for u, a, b in rows}


def _events(session, keys):
    cols = (PartnershipEvent.uuid, PartnershipEvent.date, PartnershipEvent.format)
    return {
        u: " ".join(x for x in (_fmt(d), f) if x)
        for u, d, f in _fetch(session, cols, PartnershipEvent.uuid, keys)
    }


def _psych(_session, keys):
    return dict.fromkeys(keys, PSYCH_LABEL)


def _as_is(_session, keys):
    return {k: k for k in keys}


_LABELERS: dict[str, Callable[[Session, set[str]], dict[str, str]]] = {
    "school": _school_names,
    "person": _person_names,
    "order_doc": _orders,
    "protocol": _protocols,
    "app_user": _users,
    "school_status": _school_child(SchoolStatus, lambda m: (m.school_year,)),
    "school_indicator": _school_child(SchoolIndicator, lambda m: (m.school_year, m.indicator_code)),
    "school_ior": _school_child(SchoolIor, lambda m: (m.year,)),
    "swot_item": _school_child(SwotItem, lambda m: (m.school_year,)),
    "staff_move": _person_child(StaffMove),
    "course": _person_child(Course),
    "diag_card": _person_child(DiagCard),
    "diag_campaign": _campaigns,
    "mentor_pair": _pairs,
    "mentor_meeting": _meetings,
    "school_partnership": _partnerships,
    "partnership_event": _events,
    "settings": _as_is,
    "psych_key": _psych,
    "psych_client": _psych,
    "psych_session": _psych,
}


def _labels(session: Session, entity: str, keys: set[str]) -> dict[str, str]:
    labeler = _LABELERS.get(entity)
    if labeler is None or not keys:
        return {}
    return labeler(session, set(keys))


def describe(session: Session, entity: str, record: str) -> str:
    """A human label of one record: school short name, «Фамилия И.О.», «№ 12 от 01.09.2025», a user's login …;
    a record of the psychologist's journal is only «запись журнала». Empty when the record is gone."""
    if entity in PSYCH_ENTITIES:
        return PSYCH_LABEL
    if not record:
        return ""
    return _labels(session, entity, {record}).get(record, "")


# --- export ----------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("Дата и время", 17, "datetime"),
    ("Пользователь", 28, "text"),
    ("Действие", 16, "text"),
    ("Объект", 22, "text"),
    ("Запись", 28, "text"),
    ("Поле", 22, "text"),
    ("Было", 30, "text"),
    ("Стало", 30, "text"),
    ("Примечание", 30, "text"),
)


def export_row(r: AuditRow) -> tuple:
    return (
        r.at,
        r.user_display,
        r.action_title,
        r.entity_title,
        r.record_label or r.record_uuid,
        r.field_title,
        r.old_value,
        r.new_value,
        r.note,
    )


def export_xlsx(session: Session, user: Principal | None, flt: AuditFilter | None, path: str | Path) -> Path:
    """Write every row matching ``flt`` (newest first) to an Excel workbook and log the export itself."""
    from moc_desktop.services.xlsx_export import export_rows

    require(user, "audit.view")
    flt = flt or AuditFilter()
    rows: list[AuditRow] = []
    while True:
        page = query(session, user, flt, offset=len(rows), limit=PAGE_SIZE * 4)
        rows.extend(page)
        if len(page) < PAGE_SIZE * 4:
            break
    out = export_rows(path, "Журнал аудита", EXPORT_COLUMNS, [export_row(r) for r in rows])
    write_audit(session, "export", "audit_log", "", f"Выгружен журнал аудита: {len(rows)} записей")
    return out
