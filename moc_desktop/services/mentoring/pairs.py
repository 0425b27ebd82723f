"""Teacher mentoring pairs (целевая модель наставничества, распоряжение Минпросвещения Р-145; DOMAIN «Mentoring»).

A pair is a mentor and one mentee or a group (``mentee_ids``), a form (``RefMentoringForm``), a period, a goal,
an individual development plan (JSON list of {task, deadline, status, criterion}), meetings and a final
evaluation.

Decisions:
* status transitions (``can_transition``): draft → active, draft → terminated (reason required: the pair was
  never started), active → completed, active → terminated (reason required); completed and terminated are final;
  a «change» to the same status is refused too. Status changes only through ``set_status``.
* a mentee in two active pairs of the *same* form is **refused** on activation (``set_status``) and on saving an
  active pair; in a draft it is only a warning (drafts are proposals). Different forms are fine («учитель –
  учитель» and «педагог – молодой специалист» at once).
* mentor load = distinct mentees in the mentor's active pairs; at or over the limit (setting
  ``mentoring.max_mentees``, default 3) it is a warning, never a refusal.
* plan task status is stored as planned/done; «overdue» is derived (deadline passed, not done).
* «active pairs without a meeting in 30 days» leaves out pairs started less than 30 days ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import (
    DiagCard,
    MentorMeeting,
    MentorPair,
    OrderDoc,
    Person,
    RefMentoringForm,
    School,
    utcnow,
)
from moc_desktop.services import settings
from moc_desktop.services.common import ValidationError, format_date, full_fio, short_fio
from moc_desktop.services.docs.common import dump, from_iso, iso, load
from moc_desktop.services.docs.orders import new_order_data
from moc_desktop.services.staff import is_young_specialist

STATUSES = {"draft": "Проект", "active": "Действует", "completed": "Завершена", "terminated": "Прекращена"}
FINAL = frozenset({"completed", "terminated"})
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "terminated"}),
    "active": frozenset({"completed", "terminated"}),
    "completed": frozenset(),
    "terminated": frozenset(),
}
NEEDS_REASON = frozenset({"terminated"})
TASK_STATUSES = {"planned": "Запланировано", "done": "Выполнено", "overdue": "Просрочено"}
MEETING_FORMS = (
    "индивидуальная беседа",
    "консультация",
    "посещение урока наставляемого",
    "открытый урок наставника",
    "совместная подготовка урока",
    "анализ урока",
    "дистанционная консультация",
)
MAX_MENTEES_KEY = "mentoring.max_mentees"
MAX_MENTEES_DEFAULT = 3
SILENCE_DAYS = 30
STAGE_RANK = {"entry": 0, "interim": 1, "final": 2}


# --- plain rules ----------------------------------------------------------------------------------------------


def can_transition(old: str, new: str) -> str | None:
    """None when the status may change from ``old`` to ``new``, else a Russian reason."""
    if old not in STATUSES:
        return f"Неизвестный статус «{old}»."
    if new not in STATUSES:
        return f"Неизвестный статус «{new}»."
    if old == new:
        return f"Пара уже в статусе «{STATUSES[old]}»."
    if old in FINAL:
        return f"Статус «{STATUSES[old]}» окончательный: пару нельзя перевести в «{STATUSES[new]}»."
    if new not in TRANSITIONS[old]:
        if new == "draft":
            return "Действующую пару нельзя вернуть в проект."
        if new == "completed":
            return "Завершить можно только действующую пару."
        return f"Переход «{STATUSES[old]}» → «{STATUSES[new]}» не допускается."
    return None


def load_warning(load: int, limit: int) -> str | None:
    """Russian warning when the mentor's active mentees reach (or exceed) the limit; None below it or no limit."""
    if limit <= 0 or load < limit:
        return None
    if load == limit:
        return f"У наставника уже {load} наставляемых — это предельная нагрузка ({limit})."
    return f"У наставника {load} наставляемых — больше предельной нагрузки ({limit})."


def task_status(task: dict, today: date | None = None) -> str:
    """planned | done | overdue (derived: the deadline has passed and the task is not done)."""
    if task.get("status") == "done":
        return "done"
    deadline = (
        from_iso(task.get("deadline")) if not isinstance(task.get("deadline"), date) else task["deadline"]
    )
    if deadline is not None and deadline < (today or date.today()):
        return "overdue"
    return "planned"


def mentee_id_list(pair: MentorPair) -> list[int]:
    return [int(x) for x in load(pair.mentee_ids, [])]


def max_mentees(session: Session) -> int:
    try:
        return int(settings.get(session, MAX_MENTEES_KEY, str(MAX_MENTEES_DEFAULT)))
    except ValueError:
        return MAX_MENTEES_DEFAULT


# --- validation -----------------------------------------------------------------------------------------------


def _live_person(session: Session, pid) -> Person | None:
    p = session.get(Person, pid) if pid else None
    return p if p is not None and p.deleted_at is None else None


def validate_plan(tasks: list[dict]) -> dict[str, str]:
    errors = {}
    for i, t in enumerate(tasks or []):
        if not (t.get("task") or "").strip():
            errors[f"plan[{i}]"] = f"Задача {i + 1} плана пуста."
        elif (t.get("status") or "planned") not in ("planned", "done"):
            errors[f"plan[{i}]"] = f"Задача {i + 1}: статус — «запланировано» или «выполнено»."
        elif t.get("deadline") and not isinstance(t["deadline"], date) and from_iso(t["deadline"]) is None:
            errors[f"plan[{i}]"] = f"Задача {i + 1}: срок — дата."
    return errors


def _active_conflicts(
    session: Session, form_code: str, mentee_ids: list[int], pair: MentorPair | None
) -> dict[int, MentorPair]:
    """Mentee id → another active pair of the same form that already has her."""
    q = select(MentorPair).where(
        MentorPair.deleted_at.is_(None), MentorPair.status == "active", MentorPair.form_code == form_code
    )
    if pair is not None and pair.id is not None:
        q = q.where(MentorPair.id != pair.id)
    out = {}
    wanted = set(mentee_ids)
    for other in session.scalars(q):
        for m in set(mentee_id_list(other)) & wanted:
            out[m] = other
    return out


def _conflict_text(session: Session, conflicts: dict[int, MentorPair]) -> str:
    names = []
    for mid in conflicts:
        p = session.get(Person, mid)
        names.append(short_fio(p.last_name, p.first_name, p.middle_name) if p else str(mid))
    return (
        f"{', '.join(names)} уже в действующей паре той же формы наставничества — "
        "сначала завершите или прекратите ту пару."
    )


def validate_pair(session: Session, data: dict, pair: MentorPair | None = None) -> dict[str, str]:
    """Field → Russian message."""
    errors: dict[str, str] = {}
    form = data.get("form_code")
    if not form or session.get(RefMentoringForm, form) is None:
        errors["form_code"] = "Выберите форму наставничества."
    mentor = _live_person(session, data.get("mentor_id"))
    if mentor is None:
        errors["mentor_id"] = "Выберите наставника."
    mentees = [int(x) for x in data.get("mentee_ids") or []]
    if not mentees:
        errors["mentee_ids"] = "Добавьте хотя бы одного наставляемого."
    elif len(set(mentees)) != len(mentees):
        errors["mentee_ids"] = "Наставляемый указан дважды."
    elif any(_live_person(session, m) is None for m in mentees):
        errors["mentee_ids"] = "Наставляемый не найден в реестре педагогов."
    elif mentor is not None and mentor.id in mentees:
        errors["mentee_ids"] = "Наставник не может быть наставником самому себе."
    a, b = data.get("date_from"), data.get("date_to")
    if a and b and a > b:
        errors["date_to"] = "Дата окончания раньше даты начала."
    if data.get("order_id"):
        o = session.get(OrderDoc, data["order_id"])
        if o is None or o.deleted_at is not None:
            errors["order_id"] = "Приказ не найден в реестре приказов."
    errors.update(validate_plan(data.get("plan") or []))
    if (
        pair is not None
        and pair.status == "active"
        and "form_code" not in errors
        and "mentee_ids" not in errors
    ):
        conflicts = _active_conflicts(session, form, mentees, pair)
        if conflicts:
            errors["mentee_ids"] = _conflict_text(session, conflicts)
    return errors


def pair_warnings(session: Session, data: dict, pair: MentorPair | None = None) -> list[str]:
    """Soft checks: the mentor's load, a mentee already in an active pair of the same form (for a draft)."""
    out = []
    mentor_id = data.get("mentor_id")
    mentees = [int(x) for x in data.get("mentee_ids") or []]
    if mentor_id:
        current = set(active_mentees(session, mentor_id, exclude_pair=pair))
        w = load_warning(len(current | set(mentees)), max_mentees(session))
        if w:
            out.append(w)
    if data.get("form_code") and mentees and (pair is None or pair.status == "draft"):
        conflicts = _active_conflicts(session, data["form_code"], mentees, pair)
        if conflicts:
            out.append(_conflict_text(session, conflicts))
    return out


# --- writes ---------------------------------------------------------------------------------------------------


def new_pair_data() -> dict:
    return {
        "form_code": "",
        "mentor_id": None,
        "mentee_ids": [],
        "date_from": date.today(),
        "date_to": None,
        "goal": "",
        "plan": [],
        "evaluation": "",
        "order_id": None,
    }


def pair_data(pair: MentorPair) -> dict:
    return {
        "form_code": pair.form_code,
        "mentor_id": pair.mentor_id,
        "mentee_ids": mentee_id_list(pair),
        "date_from": pair.date_from,
        "date_to": pair.date_to,
        "goal": pair.goal,
        "plan": load(pair.plan, []),
        "evaluation": pair.evaluation,
        "order_id": pair.order_id,
    }


def _clean_plan(tasks: list[dict]) -> list[dict]:
    out = []
    for t in tasks or []:
        d = t.get("deadline")
        out.append(
            {
                "task": (t.get("task") or "").strip(),
                "deadline": iso(d) if isinstance(d, date) else (d or None),
                "status": t.get("status") or "planned",
                "criterion": (t.get("criterion") or "").strip(),
            }
        )
    return out


def _changed_fields(pair: MentorPair, data: dict) -> set[str]:
    stored = pair_data(pair)
    stored["plan"] = _clean_plan(stored["plan"])
    given = {**data, "plan": _clean_plan(data.get("plan") or [])} if "plan" in data else dict(data)
    if "mentee_ids" in given:
        given["mentee_ids"] = [int(x) for x in given["mentee_ids"] or []]
    norm = {k: (v.strip() if isinstance(v, str) else v) for k, v in given.items()}
    return {k for k, v in norm.items() if k in stored and stored[k] != v and (stored[k] or v)}


def save_pair(session: Session, data: dict, pair: MentorPair | None = None) -> MentorPair:
    """Create (as a draft) or update a pair; the status changes only through ``set_status``. A completed or
    terminated pair changes only its evaluation. Raises ``ValidationError``; does not commit."""
    if pair is not None and pair.status in FINAL:
        if _changed_fields(pair, data) - {"evaluation"}:
            raise ValidationError(
                {"status": f"Пара в статусе «{STATUSES[pair.status]}»: изменяется только итоговая оценка."}
            )
        pair.evaluation = (data.get("evaluation") or "").strip()
        session.flush()
        return pair
    errors = validate_pair(session, data, pair)
    if errors:
        raise ValidationError(errors)
    if pair is None:
        pair = MentorPair(form_code=data["form_code"], mentor_id=data["mentor_id"], status="draft")
        session.add(pair)
    pair.form_code = data["form_code"]
    pair.mentor_id = data["mentor_id"]
    pair.mentee_ids = dump([int(x) for x in data["mentee_ids"]])
    pair.date_from, pair.date_to = data.get("date_from"), data.get("date_to")
    pair.goal = (data.get("goal") or "").strip()
    pair.plan = dump(_clean_plan(data.get("plan") or []))
    pair.evaluation = (data.get("evaluation") or "").strip()
    pair.order_id = data.get("order_id") or None
    session.flush()
    return pair


def set_status(
    session: Session, pair: MentorPair, new: str, reason: str = "", on: date | None = None
) -> None:
    """Change the status by ``can_transition``; «terminated» needs a reason. Activation fills a missing start
    date and refuses a mentee already in an active pair of the same form; completion/termination fill a missing
    end date with ``on`` (today). Raises ``ValidationError``."""
    why = can_transition(pair.status, new)
    if why:
        raise ValidationError({"status": why})
    reason = (reason or "").strip()
    if new in NEEDS_REASON and not reason:
        raise ValidationError({"status_reason": "Укажите причину прекращения наставничества."})
    on = on or date.today()
    if new == "active":
        conflicts = _active_conflicts(session, pair.form_code, mentee_id_list(pair), pair)
        if conflicts:
            raise ValidationError({"mentee_ids": _conflict_text(session, conflicts)})
        if pair.date_from is None:
            pair.date_from = on
    if new in FINAL and pair.date_to is None:
        pair.date_to = on
    pair.status = new
    pair.status_reason = reason
    session.flush()


def set_plan(session: Session, pair: MentorPair, tasks: list[dict]) -> None:
    errors = validate_plan(tasks)
    if errors:
        raise ValidationError(errors)
    pair.plan = dump(_clean_plan(tasks))
    session.flush()


def delete_pair(session: Session, pair: MentorPair) -> None:
    """Only a draft is deleted (softly); a started pair is terminated instead."""
    if pair.status != "draft":
        raise ValidationError({"status": "Удалить можно только проект; действующую пару прекращают."})
    now = utcnow()
    pair.deleted_at = now
    for m in session.scalars(select(MentorMeeting).where(MentorMeeting.pair_id == pair.id)):
        m.deleted_at = now


def get_pair(session: Session, pair_id: int) -> MentorPair | None:
    p = session.get(MentorPair, pair_id)
    return p if p is not None and p.deleted_at is None else None


# --- individual plan from diagnostics -------------------------------------------------------------------------


def latest_card(session: Session, person_id: int) -> DiagCard | None:
    """The person's latest diagnostic card (``diagnostics.cards.latest_card``)."""
    from moc_desktop.services.diagnostics.cards import latest_card as _latest

    return _latest(session, person_id)


def plan_from_deficits(session: Session, mentee_id: int, deadline: date | None = None) -> list[dict]:
    """Plan tasks (``save_pair`` form) for each deficit of the mentee's latest diagnostic card (criteria an
    external rater scored 0, ``analytics.teacher_deficits``); criterion = the deficit code. No card → []."""
    from moc_desktop.services.diagnostics.analytics import teacher_deficits

    card = latest_card(session, mentee_id)
    if card is None:
        return []
    return [
        {
            "task": f"Преодолеть профессиональный дефицит: {d.title}",
            "deadline": deadline,
            "status": "planned",
            "criterion": d.code,
        }
        for d in teacher_deficits(session, card)
    ]


# --- meetings -------------------------------------------------------------------------------------------------


def validate_meeting(data: dict) -> dict[str, str]:
    errors = {}
    if not isinstance(data.get("date"), date):
        errors["date"] = "Укажите дату встречи."
    dur = data.get("duration_min")
    if dur is not None and (type(dur) is not int or dur <= 0 or dur > 24 * 60):
        errors["duration_min"] = "Продолжительность — минуты, от 1 до 1440."
    if not (data.get("topic") or "").strip():
        errors["topic"] = "Укажите тему встречи."
    r = data.get("rating")
    if r is not None and (type(r) is not int or not 1 <= r <= 5):
        errors["rating"] = "Оценка — целое число от 1 до 5."
    return errors


def save_meeting(
    session: Session, pair: MentorPair, data: dict, meeting: MentorMeeting | None = None
) -> MentorMeeting:
    """Meetings are recorded for an active (or, late entries, completed) pair, not for a draft."""
    errors = validate_meeting(data)
    if pair.status in ("draft", "terminated") and meeting is None:
        errors["pair"] = f"Встречи записывают в действующей паре (сейчас: «{STATUSES[pair.status]}»)."
    if errors:
        raise ValidationError(errors)
    if meeting is None:
        meeting = MentorMeeting(pair_id=pair.id, date=data["date"])
        session.add(meeting)
    meeting.date = data["date"]
    meeting.duration_min = data.get("duration_min")
    meeting.form = (data.get("form") or "").strip()
    meeting.topic = data["topic"].strip()
    meeting.notes = (data.get("notes") or "").strip()
    meeting.rating = data.get("rating")
    session.flush()
    return meeting


def list_meetings(session: Session, pair_id: int) -> list[MentorMeeting]:
    return list(
        session.scalars(
            select(MentorMeeting)
            .where(MentorMeeting.pair_id == pair_id, MentorMeeting.deleted_at.is_(None))
            .order_by(MentorMeeting.date, MentorMeeting.id)
        )
    )


def delete_meeting(session: Session, meeting: MentorMeeting) -> None:
    meeting.deleted_at = utcnow()


# --- load -----------------------------------------------------------------------------------------------------


def forms(session: Session) -> list[tuple[str, str]]:
    """Mentoring forms (code, title) from the reference table, in its order."""
    from moc_desktop.db.models import RefMentoringForm

    q = select(RefMentoringForm.code, RefMentoringForm.title).order_by(
        RefMentoringForm.position, RefMentoringForm.code
    )
    return [(c, t) for c, t in session.execute(q)]


def list_pairs(session: Session, *statuses: str) -> list[MentorPair]:
    """Live pairs (of the given statuses), oldest first."""
    return _pairs(session, *statuses)


def _pairs(session: Session, *statuses: str) -> list[MentorPair]:
    q = select(MentorPair).where(MentorPair.deleted_at.is_(None))
    if statuses:
        q = q.where(MentorPair.status.in_(statuses))
    return list(session.scalars(q.order_by(MentorPair.id)))


def active_mentees(session: Session, person_id: int, exclude_pair: MentorPair | None = None) -> list[int]:
    out: set[int] = set()
    for p in _pairs(session, "active"):
        if p.mentor_id == person_id and (exclude_pair is None or p.id != exclude_pair.id):
            out |= set(mentee_id_list(p))
    return sorted(out)


def mentor_load(session: Session, person_id: int) -> int:
    """Distinct mentees in the person's active pairs (a group counts each member)."""
    return len(active_mentees(session, person_id))


# --- dashboards -----------------------------------------------------------------------------------------------


def pairs_by_status_form(session: Session) -> dict[tuple[str, str], int]:
    """(status code, form code) → number of live pairs."""
    out: dict[tuple[str, str], int] = {}
    for p in _pairs(session):
        key = (p.status, p.form_code)
        out[key] = out.get(key, 0) + 1
    return out


def _person_short(session: Session, pid: int) -> str:
    p = session.get(Person, pid)
    return short_fio(p.last_name, p.first_name, p.middle_name) if p else ""


def _mentees_text(session: Session, pair: MentorPair) -> str:
    return ", ".join(_person_short(session, m) for m in mentee_id_list(pair))


@dataclass(frozen=True)
class OverdueTask:
    pair_id: int
    mentor: str
    mentees: str
    task: str
    deadline: date
    criterion: str


def overdue_tasks(session: Session, today: date | None = None) -> list[OverdueTask]:
    """Plan tasks of active pairs with the deadline passed and not done, oldest deadline first."""
    today = today or date.today()
    out = []
    for p in _pairs(session, "active"):
        for t in load(p.plan, []):
            if task_status(t, today) == "overdue":
                out.append(
                    OverdueTask(
                        p.id,
                        _person_short(session, p.mentor_id),
                        _mentees_text(session, p),
                        t.get("task", ""),
                        from_iso(t.get("deadline")),
                        t.get("criterion", ""),
                    )
                )
    out.sort(key=lambda t: (t.deadline, t.pair_id))
    return out


@dataclass(frozen=True)
class SilentPair:
    pair_id: int
    mentor: str
    mentees: str
    last_meeting: date | None


def silent_pairs(session: Session, today: date | None = None, days: int = SILENCE_DAYS) -> list[SilentPair]:
    """Active pairs without a meeting in the last ``days`` days (pairs started less than ``days`` ago are left
    out: they have not had the time)."""
    today = today or date.today()
    since = today - timedelta(days=days)
    last: dict[int, date] = {}
    for pid, d in session.execute(
        select(MentorMeeting.pair_id, MentorMeeting.date).where(
            MentorMeeting.deleted_at.is_(None), MentorMeeting.date <= today
        )
    ):
        if pid not in last or d > last[pid]:
            last[pid] = d
    out = []
    for p in _pairs(session, "active"):
        if p.date_from is not None and p.date_from > since:
            continue
        lm = last.get(p.id)
        if lm is None or lm < since:
            out.append(SilentPair(p.id, _person_short(session, p.mentor_id), _mentees_text(session, p), lm))
    return out


@dataclass(frozen=True)
class Coverage:
    total: int
    covered: int

    @property
    def share(self) -> float | None:
        """0..1; None when there is nobody to cover."""
        return self.covered / self.total if self.total else None


def young_coverage(session: Session) -> Coverage:
    """Young specialists (``staff.is_young_specialist``) among live staff with a school, and how many are
    mentees in an active pair (any form)."""
    young = {
        p.id
        for p in session.scalars(
            select(Person).where(Person.deleted_at.is_(None), Person.school_id.is_not(None))
        )
        if is_young_specialist(p.experience_years, p.young_specialist)
    }
    mentored: set[int] = set()
    for p in _pairs(session, "active"):
        mentored |= set(mentee_id_list(p))
    return Coverage(len(young), len(young & mentored))


# --- orders from data -----------------------------------------------------------------------------------------

MENTORS_HEADERS = ["№ п/п", "Наставник", "Должность, ОО", "Наставляемый", "Форма", "Срок"]


def _post_school(session: Session, p: Person | None) -> str:
    if p is None:
        return ""
    post = p.doc_post or (p.positions.split(";")[0].strip() if p.positions else "")
    school = session.get(School, p.school_id) if p.school_id else None
    return ", ".join(x for x in (post, school.short_name if school else "") if x)


def _full_name(session: Session, pid: int) -> str:
    p = session.get(Person, pid)
    return full_fio(p.last_name, p.first_name, p.middle_name) if p else ""


def period_text(a: date | None, b: date | None) -> str:
    if a and b:
        return f"{format_date(a)} – {format_date(b)}"
    if a:
        return f"с {format_date(a)}"
    if b:
        return f"до {format_date(b)}"
    return ""


def mentors_rows(session: Session, pair_ids: list[int] | None = None) -> list[list[str]]:
    """Appendix rows: № | Наставник | Должность, ОО | Наставляемый | Форма | Срок — live draft and active pairs
    (or exactly ``pair_ids``); a group gives one row with the mentees one per line."""
    forms = dict(session.execute(select(RefMentoringForm.code, RefMentoringForm.title)).all())
    if pair_ids is not None:
        pairs = [p for p in (get_pair(session, i) for i in pair_ids) if p is not None]
    else:
        pairs = _pairs(session, "draft", "active")
    rows = []
    for p in pairs:
        rows.append(
            [
                str(len(rows) + 1),
                _full_name(session, p.mentor_id),
                _post_school(session, session.get(Person, p.mentor_id)),
                "\n".join(_full_name(session, m) for m in mentee_id_list(p)),
                forms.get(p.form_code, p.form_code),
                period_text(p.date_from, p.date_to),
            ]
        )
    return rows


def mentors_order(session: Session, pair_ids: list[int] | None = None) -> dict:
    """«О закреплении наставников» with the pairs as appendix 1 (``orders.save_order`` form)."""
    d = new_order_data(session, "mentors")
    d["title"] = "О закреплении наставников"
    d["preamble"] = (
        "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», "
        "распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 «Об утверждении "
        "методологии (целевой модели) наставничества …», в целях профессионального развития педагогов,"
    )
    d["items"] = [
        {"text": "Закрепить наставников за наставляемыми педагогами", "appendix": 0},
        {
            "text": "Наставникам:",
            "children": [
                {"text": "разработать индивидуальные планы развития наставляемых;"},
                {"text": "обеспечить выполнение планов и вести учёт встреч."},
            ],
        },
        {"text": "Руководителям общеобразовательных организаций обеспечить условия для работы наставников"},
    ]
    d["appendices"] = [
        {
            "title": "Список наставнических пар",
            "headers": list(MENTORS_HEADERS),
            "rows": mentors_rows(session, pair_ids),
            "widths": [1, 4, 4, 4, 3, 3],
        }
    ]
    return d
