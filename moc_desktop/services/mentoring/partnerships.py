"""School partnerships (сетевое взаимодействие): a school-«наставник» supports a school with low results (seed 003,
Table 1 «СПИСОК «ПАРТНЕРОВ» СЕТЕВОГО ВЗАИМОДЕЙСТВИЯ»; DOMAIN «Mentoring»).

A partnership has a period, a basis order, an agreement (kind, number, date, file), a joint roadmap (JSON list of
{what, when, who, expected, status}) and a log of events (консультация, семинар, «Методический день» …).

Decisions:
* the mentor school must differ from the supported one (refused);
* the supported school should have the ШНОР or ШНСУ status in some school year — otherwise a *warning* (the
  partnership is still saved: a «школа роста» may keep its mentor);
* a second live partnership of the same two schools is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import OrderDoc, PartnershipEvent, School, SchoolPartnership, SchoolStatus, utcnow
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError, current_school_year, format_date
from moc_desktop.services.docs.common import dump, from_iso, iso, load, org_lines
from moc_desktop.services.docs.model import Document, Para, Table
from moc_desktop.services.docs.orders import new_order_data

STATUSES = {"active": "Действует", "completed": "Завершено", "terminated": "Расторгнуто"}
ROADMAP_STATUSES = {"planned": "Запланировано", "done": "Выполнено", "cancelled": "Отменено"}
AGREEMENT_KINDS = (
    "Соглашение о сетевом взаимодействии",
    "Договор о сетевой форме реализации образовательных программ",
    "Договор о сотрудничестве",
)
EVENT_FORMATS = (
    "консультация",
    "корпоративный семинар",
    "обмен опытом",
    "выездной «Методический день»",
    "открытый урок",
    "стажировка",
    "мастер-класс",
    "круглый стол",
    "взаимопосещение уроков",
    "совместное заседание методического объединения",
)
LOW_RESULT_CODES = frozenset({"shnor", "shnsu"})

TABLE_TITLE = "СПИСОК «ПАРТНЕРОВ» СЕТЕВОГО ВЗАИМОДЕЙСТВИЯ"
TABLE_HEADERS = [
    "Общеобразовательные организации «НАСТАВНИКИ»",
    "Руководитель общеобразовательной организации",
    "Общеобразовательные организации С НИЗКИМИ ОБРАЗОВАТЕЛЬНЫМИ РЕЗУЛЬТАТАМИ",
    "Руководитель общеобразовательной организации",
]


# --- validation -----------------------------------------------------------------------------------------------


def _live_school(session: Session, school_id) -> School | None:
    s = session.get(School, school_id) if school_id else None
    return s if s is not None and s.deleted_at is None else None


def validate_roadmap(items: list[dict]) -> dict[str, str]:
    """Keys ``roadmap[i]``: an item needs «what»; its status is planned/done/cancelled."""
    errors = {}
    for i, it in enumerate(items or []):
        if not (it.get("what") or "").strip():
            errors[f"roadmap[{i}]"] = f"Мероприятие {i + 1} дорожной карты: укажите, что делается."
        elif (it.get("status") or "planned") not in ROADMAP_STATUSES:
            errors[f"roadmap[{i}]"] = (
                f"Мероприятие {i + 1}: статус — «запланировано», «выполнено» или «отменено»."
            )
    return errors


def validate_partnership(session: Session, data: dict, p: SchoolPartnership | None = None) -> dict[str, str]:
    """Field → Russian message (refusals only; see ``partnership_warnings`` for the soft checks)."""
    errors: dict[str, str] = {}
    mentor = _live_school(session, data.get("mentor_school_id"))
    mentee = _live_school(session, data.get("mentee_school_id"))
    if mentor is None:
        errors["mentor_school_id"] = "Выберите школу-«наставника»."
    if mentee is None:
        errors["mentee_school_id"] = "Выберите школу с низкими образовательными результатами."
    if mentor is not None and mentee is not None and mentor.id == mentee.id:
        errors["mentee_school_id"] = "Школа не может быть наставником самой себе."
    a, b = data.get("date_from"), data.get("date_to")
    if a and b and a > b:
        errors["date_to"] = "Дата окончания раньше даты начала."
    status = data.get("status") or "active"
    if status not in STATUSES:
        errors["status"] = "Статус: действует, завершено или расторгнуто."
    if data.get("order_id"):
        o = session.get(OrderDoc, data["order_id"])
        if o is None or o.deleted_at is not None:
            errors["order_id"] = "Приказ-основание не найден в реестре приказов."
    if data.get("agreement_number") and not data.get("agreement_date"):
        errors["agreement_date"] = "Укажите дату соглашения."
    errors.update(validate_roadmap(data.get("roadmap") or []))
    if mentor is not None and mentee is not None and "mentee_school_id" not in errors:
        q = select(SchoolPartnership.id).where(
            SchoolPartnership.deleted_at.is_(None),
            SchoolPartnership.mentor_school_id == mentor.id,
            SchoolPartnership.mentee_school_id == mentee.id,
            SchoolPartnership.status == "active",
        )
        if p is not None:
            q = q.where(SchoolPartnership.id != p.id)
        if status == "active" and session.scalar(q) is not None:
            errors["mentee_school_id"] = "Такое партнёрство уже действует."
    return errors


def has_low_results_status(session: Session, school_id: int) -> bool:
    """The school had the ШНОР or ШНСУ status in some school year."""
    return (
        session.scalar(
            select(SchoolStatus.id).where(
                SchoolStatus.school_id == school_id,
                SchoolStatus.deleted_at.is_(None),
                SchoolStatus.status_code.in_(LOW_RESULT_CODES),
            )
        )
        is not None
    )


def partnership_warnings(session: Session, data: dict) -> list[str]:
    """Soft checks shown before saving: the supported school never had the ШНОР/ШНСУ status."""
    out = []
    mentee = _live_school(session, data.get("mentee_school_id"))
    if mentee is not None and not has_low_results_status(session, mentee.id):
        out.append(
            f"У школы «{mentee.short_name}» нет статуса ШНОР или ШНСУ ни в одном учебном году — "
            "проверьте, что выбрана школа с низкими образовательными результатами."
        )
    return out


# --- writes ---------------------------------------------------------------------------------------------------


def new_partnership_data() -> dict:
    return {
        "mentor_school_id": None,
        "mentee_school_id": None,
        "date_from": date.today(),
        "date_to": None,
        "order_id": None,
        "agreement_kind": AGREEMENT_KINDS[0],
        "agreement_number": "",
        "agreement_date": None,
        "agreement_file": "",
        "status": "active",
        "roadmap": [],
        "note": "",
    }


def partnership_data(p: SchoolPartnership) -> dict:
    """The editable form (what ``save_partnership`` takes); roadmap dates stay ISO strings."""
    return {
        "mentor_school_id": p.mentor_school_id,
        "mentee_school_id": p.mentee_school_id,
        "date_from": p.date_from,
        "date_to": p.date_to,
        "order_id": p.order_id,
        "agreement_kind": p.agreement_kind,
        "agreement_number": p.agreement_number,
        "agreement_date": p.agreement_date,
        "agreement_file": p.agreement_file,
        "status": p.status,
        "roadmap": load(p.roadmap, []),
        "note": p.note,
    }


def _clean_roadmap(items: list[dict]) -> list[dict]:
    out = []
    for it in items or []:
        when = it.get("when")
        out.append(
            {
                "what": (it.get("what") or "").strip(),
                "when": iso(when) if isinstance(when, date) else (when or ""),
                "who": (it.get("who") or "").strip(),
                "expected": (it.get("expected") or "").strip(),
                "status": it.get("status") or "planned",
            }
        )
    return out


def save_partnership(session: Session, data: dict, p: SchoolPartnership | None = None) -> SchoolPartnership:
    """Create or update. Raises ``ValidationError``; warnings (``partnership_warnings``) never block; no commit.
    ``roadmap[i].when`` is a date or free text («в течение года»)."""
    errors = validate_partnership(session, data, p)
    if errors:
        raise ValidationError(errors)
    if p is None:
        p = SchoolPartnership(
            mentor_school_id=data["mentor_school_id"], mentee_school_id=data["mentee_school_id"]
        )
        session.add(p)
    p.mentor_school_id = data["mentor_school_id"]
    p.mentee_school_id = data["mentee_school_id"]
    p.date_from, p.date_to = data.get("date_from"), data.get("date_to")
    p.order_id = data.get("order_id") or None
    p.agreement_kind = (data.get("agreement_kind") or AGREEMENT_KINDS[0]).strip()
    p.agreement_number = (data.get("agreement_number") or "").strip()
    p.agreement_date = data.get("agreement_date")
    p.agreement_file = (data.get("agreement_file") or "").strip()
    p.status = data.get("status") or "active"
    p.roadmap = dump(_clean_roadmap(data.get("roadmap") or []))
    p.note = (data.get("note") or "").strip()
    session.flush()
    return p


def delete_partnership(session: Session, p: SchoolPartnership) -> None:
    """Soft delete with its events."""
    now = utcnow()
    p.deleted_at = now
    for e in session.scalars(
        select(PartnershipEvent).where(
            PartnershipEvent.partnership_id == p.id, PartnershipEvent.deleted_at.is_(None)
        )
    ):
        e.deleted_at = now


def get_partnership(session: Session, pid: int) -> SchoolPartnership | None:
    p = session.get(SchoolPartnership, pid)
    return p if p is not None and p.deleted_at is None else None


# --- events ---------------------------------------------------------------------------------------------------


def validate_event(data: dict) -> dict[str, str]:
    errors = {}
    if not isinstance(data.get("date"), date):
        errors["date"] = "Укажите дату мероприятия."
    if (data.get("format") or "").strip() not in EVENT_FORMATS:
        errors["format"] = "Выберите форму взаимодействия из списка."
    if not (data.get("topic") or "").strip():
        errors["topic"] = "Укажите тему мероприятия."
    n = data.get("participants")
    if n is not None and (type(n) is not int or n < 0):
        errors["participants"] = "Число участников — целое неотрицательное число."
    return errors


def save_event(
    session: Session, partnership: SchoolPartnership, data: dict, event: PartnershipEvent | None = None
) -> PartnershipEvent:
    errors = validate_event(data)
    if errors:
        raise ValidationError(errors)
    if event is None:
        event = PartnershipEvent(partnership_id=partnership.id, date=data["date"], format=data["format"])
        session.add(event)
    event.date = data["date"]
    event.format = data["format"].strip()
    event.topic = data["topic"].strip()
    event.participants = data.get("participants")
    event.result = (data.get("result") or "").strip()
    session.flush()
    return event


def list_events(session: Session, partnership_id: int) -> list[PartnershipEvent]:
    return list(
        session.scalars(
            select(PartnershipEvent)
            .where(PartnershipEvent.partnership_id == partnership_id, PartnershipEvent.deleted_at.is_(None))
            .order_by(PartnershipEvent.date, PartnershipEvent.id)
        )
    )


def delete_event(session: Session, event: PartnershipEvent) -> None:
    event.deleted_at = utcnow()


# --- queries --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipRow:
    id: int
    mentor_school: str
    mentee_school: str
    date_from: date | None
    date_to: date | None
    agreement: str  # «Соглашение о сетевом взаимодействии № 5 от 20.05.2020»
    status: str  # Russian
    status_code: str
    events: int
    roadmap_done: int
    roadmap_total: int


def agreement_text(p: SchoolPartnership) -> str:
    parts = [p.agreement_kind]
    if p.agreement_number:
        parts.append(f"№ {p.agreement_number}")
    if p.agreement_date:
        parts.append(f"от {format_date(p.agreement_date)}")
    return " ".join(parts) if (p.agreement_number or p.agreement_date) else ""


def _live_partnerships(session: Session, status: str | None = None) -> list[SchoolPartnership]:
    q = select(SchoolPartnership).where(SchoolPartnership.deleted_at.is_(None))
    if status:
        q = q.where(SchoolPartnership.status == status)
    return list(session.scalars(q.order_by(SchoolPartnership.id)))


def list_partnerships(session: Session, status: str | None = None) -> list[PartnershipRow]:
    names = dict(session.execute(select(School.id, School.short_name)).all())
    counts: dict[int, int] = {}
    for (pid,) in session.execute(
        select(PartnershipEvent.partnership_id).where(PartnershipEvent.deleted_at.is_(None))
    ):
        counts[pid] = counts.get(pid, 0) + 1
    rows = []
    for p in _live_partnerships(session, status):
        rm = load(p.roadmap, [])
        rows.append(
            PartnershipRow(
                p.id,
                names.get(p.mentor_school_id, ""),
                names.get(p.mentee_school_id, ""),
                p.date_from,
                p.date_to,
                agreement_text(p),
                STATUSES.get(p.status, p.status),
                p.status,
                counts.get(p.id, 0),
                sum(1 for it in rm if it.get("status") == "done"),
                sum(1 for it in rm if it.get("status") != "cancelled"),
            )
        )
    return rows


def _school_name(s: School | None) -> str:
    return (s.full_name or s.short_name) if s is not None else ""


def _director(s: School | None) -> str:
    """«Хургунова Светлана Яковлевна»; a post other than «директор» is written before the name, as in seed 003
    («и.о. директора Ахременко Татьяна Андреевна»)."""
    if s is None or not s.director_name:
        return ""
    post = (s.director_post or "").strip()
    return f"{post} {s.director_name}" if post and post.lower() != "директор" else s.director_name


def partners_table_rows(session: Session, status: str | None = "active") -> tuple[list[str], list[list[str]]]:
    """Seed 003 Table 1 from data: full names of the schools and their heads, one row per partnership (live
    partnerships of ``status``; None = every status), in the order they were created."""
    rows = []
    for p in _live_partnerships(session, status):
        mentor, mentee = session.get(School, p.mentor_school_id), session.get(School, p.mentee_school_id)
        rows.append([_school_name(mentor), _director(mentor), _school_name(mentee), _director(mentee)])
    return list(TABLE_HEADERS), rows


def partners_document(session: Session) -> Document:
    """The list of partners as a printable document (rendered with the «report» template)."""
    headers, rows = partners_table_rows(session)
    doc = Document(
        kind="",
        org_lines=org_lines(session),
        date_text=format_date(date.today()),
        place=settings.get(session, "place"),
        title=TABLE_TITLE,
        file_stem="Список партнеров сетевого взаимодействия",
    )
    if not rows:
        doc.body.append(Para("Действующих партнёрств нет.", first_line_indent=False))
    doc.body.append(Table(headers, rows, widths=[5, 4, 5, 4]))
    return doc


def partners_docx(session: Session, path: str | Path) -> Path:
    """Write the list to .docx or .pdf (by extension). Raises ``render.RenderError``."""
    from moc_desktop.services.docs import render

    return render.write(partners_document(session), "report", Path(path)).path


def partners_xlsx(session: Session, path: str | Path) -> Path:
    from moc_desktop.services.xlsx_export import export_rows

    headers, rows = partners_table_rows(session)
    return export_rows(path, "Партнеры", [(h, None, "text") for h in headers], rows)


# --- dashboards -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    total: int
    covered: int

    @property
    def share(self) -> float | None:
        """0..1; None when there is nobody to cover."""
        return self.covered / self.total if self.total else None


def shnor_coverage(session: Session, school_year: str | None = None) -> Coverage:
    """ШНОР schools (status in ``school_year``, the current one by default) with an active partnership as a
    supported school. Seed 003 target: 100 %."""
    year = school_year or current_school_year()
    shnor = set(
        session.scalars(
            select(SchoolStatus.school_id)
            .join(School, School.id == SchoolStatus.school_id)
            .where(
                SchoolStatus.deleted_at.is_(None),
                School.deleted_at.is_(None),
                SchoolStatus.school_year == year,
                SchoolStatus.status_code == "shnor",
            )
        )
    )
    covered = {p.mentee_school_id for p in _live_partnerships(session, "active")} & shnor
    return Coverage(len(shnor), len(covered))


def events_by_format(session: Session, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Format → number of events of live partnerships in the period."""
    q = (
        select(PartnershipEvent.format)
        .join(SchoolPartnership, SchoolPartnership.id == PartnershipEvent.partnership_id)
        .where(PartnershipEvent.deleted_at.is_(None), SchoolPartnership.deleted_at.is_(None))
    )
    if date_from:
        q = q.where(PartnershipEvent.date >= date_from)
    if date_to:
        q = q.where(PartnershipEvent.date <= date_to)
    out: dict[str, int] = {}
    for f in session.scalars(q):
        out[f] = out.get(f, 0) + 1
    return out


# --- orders from data -----------------------------------------------------------------------------------------


def network_order(session: Session) -> dict:
    """«Об организации сетевого взаимодействия» with the partners list (seed 003 Table 1) as appendix 1."""
    headers, rows = partners_table_rows(session)
    d = new_order_data(session, "network")
    d["title"] = "Об организации сетевого взаимодействия"
    d["preamble"] = (
        "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», "
        "в целях оказания адресной методической помощи общеобразовательным организациям с низкими "
        "образовательными результатами,"
    )
    d["items"] = [
        {"text": "Утвердить список «партнеров» сетевого взаимодействия", "appendix": 0},
        {
            "text": "Руководителям общеобразовательных организаций — «партнеров»:",
            "children": [
                {"text": "заключить соглашения о сетевом взаимодействии;"},
                {"text": "разработать и утвердить совместные дорожные карты;"},
                {
                    "text": "обеспечить проведение совместных мероприятий (консультации, семинары, открытые уроки)."
                },
            ],
        },
        {"text": "МОЦ обеспечить методическое сопровождение сетевого взаимодействия"},
    ]
    d["appendices"] = [
        {
            "title": "Список «партнеров» сетевого взаимодействия",
            "headers": headers,
            "rows": rows,
            "widths": [5, 4, 5, 4],
        }
    ]
    return d


def roadmap_rows(p: SchoolPartnership) -> list[list[str]]:
    """The joint roadmap as table rows: № | what | when | who | expected | status."""
    out = []
    for i, it in enumerate(load(p.roadmap, []), start=1):
        when = from_iso(it.get("when")) if it.get("when") else None
        out.append(
            [
                str(i),
                it.get("what", ""),
                format_date(when) if when else (it.get("when") or ""),
                it.get("who", ""),
                it.get("expected", ""),
                ROADMAP_STATUSES.get(it.get("status") or "planned", ""),
            ]
        )
    return out
