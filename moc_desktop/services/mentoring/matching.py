"""Matching that explains itself: mentors suggested for a mentee, each with *why* (issue item 3).

The ranking is a plain function (:func:`rank_mentors`) over plain dataclasses; :func:`suggest_mentors` reads the
database and calls it. Nothing is paired automatically: the user confirms a suggestion.

Score (0..100) = sum of components with these weights (:data:`WEIGHTS`):

* **coverage 50** — share of the mentee's deficit criteria the mentor covers: the mean of the *external* raters'
  scores (ШМО, deputy) on the mentor's own latest card is ≥ 1.5 (a 2 is full mastery). No deficits → 0 for all.
* **subject 15** — the mentor teaches a subject the mentee teaches.
* **category 10** — высшая категория 10, первая 5.
* **experience 10** — стаж ≥ 10 years.
* **school 10** — the same school or a partner school (active ``SchoolPartnership``, either direction).
* **load 5** — 5 × (1 − load / max_load): 0 when at the limit. Candidates at the limit are not dropped: they are
  listed after everyone else with a warning.

Excluded: the mentee herself and people without a diagnostic card. Order: score descending, then name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import (
    DiagCampaign,
    DiagCard,
    MentorPair,
    Person,
    RefMentoringForm,
    School,
    SchoolPartnership,
)
from moc_desktop.services import settings
from moc_desktop.services.common import short_fio
from moc_desktop.services.diagnostics import analytics, scoring
from moc_desktop.services.diagnostics.cards import STAGE_ORDER, template
from moc_desktop.services.staff import split_list

WEIGHTS: dict[str, float] = {
    "coverage": 50.0,
    "subject": 15.0,
    "category": 10.0,
    "experience": 10.0,
    "school": 10.0,
    "load": 5.0,
}
CATEGORY_POINTS = {"высшая": 1.0, "первая": 0.5}  # × WEIGHTS["category"]
COVER_FROM = 1.5  # external raters' mean score on a criterion from which the mentor covers that deficit
EXPERIENCED_YEARS = 10
DEFAULT_MAX_LOAD = 3
MAX_LOAD_SETTING = "mentoring.max_mentees"
PAIR_STATUSES = {
    "draft": "проект",
    "active": "действует",
    "completed": "завершена",
    "terminated": "прекращена",
}


class MatchingError(ValueError):
    """A refusal with a Russian message (unknown mentee, no diagnostic card …)."""


@dataclass(frozen=True)
class Candidate:
    """A person as the ranking sees them. ``criterion_scores`` = code → mean of the external raters' scores
    (0..2) on the person's latest card, None for a criterion nobody external scored; the whole mapping is None
    when the person has no card. ``load`` = mentees in the person's active pairs."""

    id: int
    name: str
    uuid: str = ""
    school_id: int | None = None
    school: str = ""
    subjects: frozenset[str] = frozenset()
    category: str = ""
    experience_years: int | None = None
    load: int = 0
    criterion_scores: Mapping[str, float | None] | None = None
    partner_school_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    score: float  # 0..100, one decimal
    covers: list[str]  # deficit codes covered, in the mentee's deficit order
    reasons: list[str]  # Russian phrases: why
    warnings: list[str] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    at_limit: bool = False

    def as_dict(self) -> dict:
        c = self.candidate
        return {
            "id": c.id,
            "uuid": c.uuid,
            "name": c.name,
            "school_id": c.school_id,
            "school": c.school,
            "subjects": sorted(c.subjects),
            "category": c.category,
            "experience_years": c.experience_years,
            "load": c.load,
            "score": self.score,
            "covers": list(self.covers),
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "components": dict(self.components),
        }


def years_word(n: int) -> str:
    """«1 год», «2 года», «5 лет», «22 года»."""
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} года"
    return f"{n} лет"


def covered(deficits: Sequence[str], scores: Mapping[str, float | None]) -> list[str]:
    """The deficits where the external raters' mean on the mentor's card is ≥ :data:`COVER_FROM`."""
    return [d for d in deficits if (v := scores.get(d)) is not None and v >= COVER_FROM]


def score_candidate(
    mentee: Candidate, c: Candidate, deficits: Sequence[str], max_load: int = DEFAULT_MAX_LOAD
) -> Suggestion:
    """One candidate's score with its reasons and warnings (see the module docstring for the weights)."""
    scores = c.criterion_scores or {}
    deficits = list(dict.fromkeys(deficits))
    covers = covered(deficits, scores)
    comp: dict[str, float] = dict.fromkeys(WEIGHTS, 0.0)
    reasons: list[str] = []
    warnings: list[str] = []
    if deficits:
        comp["coverage"] = WEIGHTS["coverage"] * len(covers) / len(deficits)
    if covers:
        word = "дефицит" if len(covers) == 1 else "дефициты"
        reasons.append(f"закрывает {word} {', '.join(covers)}")
    theirs = {x.casefold() for x in mentee.subjects}
    common = sorted(x for x in c.subjects if x.casefold() in theirs)
    if common:
        comp["subject"] = WEIGHTS["subject"]
        word = "тот же предмет" if len(common) == 1 else "те же предметы"
        reasons.append(f"{word}: {', '.join(common)}")
    cat = (c.category or "").strip().lower()
    if cat in CATEGORY_POINTS:
        comp["category"] = WEIGHTS["category"] * CATEGORY_POINTS[cat]
        reasons.append(f"{cat} категория")
    if c.experience_years is not None and c.experience_years >= EXPERIENCED_YEARS:
        comp["experience"] = WEIGHTS["experience"]
        reasons.append(f"стаж {years_word(c.experience_years)}")
    if c.school_id is not None and c.school_id == mentee.school_id:
        comp["school"] = WEIGHTS["school"]
        reasons.append("та же школа")
    elif c.school_id is not None and (
        c.school_id in mentee.partner_school_ids
        or (mentee.school_id is not None and mentee.school_id in c.partner_school_ids)
    ):
        comp["school"] = WEIGHTS["school"]
        reasons.append("школа-партнёр")
    max_load = max(1, int(max_load))
    load = max(0, int(c.load))
    at_limit = load >= max_load
    comp["load"] = WEIGHTS["load"] * max(0.0, 1.0 - load / max_load)
    reasons.append(f"нагрузка {load} из {max_load}")
    if at_limit:
        warnings.append(f"достигнут предел наставляемых ({max_load})")
    if deficits and not covers:
        warnings.append("не закрывает ни одного дефицита")
    total = max(0.0, min(100.0, sum(comp.values())))
    return Suggestion(
        candidate=c,
        score=round(total, 1),
        covers=covers,
        reasons=reasons,
        warnings=warnings,
        components={k: round(v, 2) for k, v in comp.items()},
        at_limit=at_limit,
    )


def rank_mentors(
    mentee: Candidate,
    candidates: Sequence[Candidate],
    deficits: Sequence[str],
    limit: int = 10,
    max_load: int = DEFAULT_MAX_LOAD,
) -> list[Suggestion]:
    """Mentors for ``mentee``, best first: score descending, then name (then id), candidates at ``max_load``
    after all others. The mentee and people without a card (``criterion_scores`` None) are left out."""
    out = [
        score_candidate(mentee, c, deficits, max_load)
        for c in candidates
        if c.id != mentee.id and c.criterion_scores is not None
    ]
    out.sort(key=lambda s: (s.at_limit, -s.score, s.candidate.name, s.candidate.id))
    return out[: max(0, limit)] if limit is not None else out


# --- database adapter ------------------------------------------------------------------------------------------


def max_load(session: Session) -> int:
    """Installation setting «mentoring.max_mentees» (default 3)."""
    try:
        n = int(settings.get(session, MAX_LOAD_SETTING, "").strip() or DEFAULT_MAX_LOAD)
    except ValueError:
        return DEFAULT_MAX_LOAD
    return n if n > 0 else DEFAULT_MAX_LOAD


def find_person(session: Session, ref: int | str) -> Person | None:
    """A live person by id (int or digits) or by uuid."""
    text = str(ref).strip()
    if text.isdigit():
        p = session.get(Person, int(text))
    else:
        p = session.scalar(select(Person).where(Person.uuid == text))
    return p if p is not None and p.deleted_at is None else None


def _campaign_rank(session: Session) -> dict[int, tuple]:
    """Live campaign id → sortable key: school year, stage order, dates, id (greater = newer)."""
    out = {}
    for cid, year, stage, d1, d2 in session.execute(
        select(
            DiagCampaign.id,
            DiagCampaign.school_year,
            DiagCampaign.stage,
            DiagCampaign.date_from,
            DiagCampaign.date_to,
        ).where(DiagCampaign.deleted_at.is_(None))
    ):
        order = STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1
        out[cid] = (year, order, d2 or d1 or date.min, d1 or date.min, cid)
    return out


def latest_card(session: Session, person_id: int) -> DiagCard | None:
    """The person's latest diagnostic card (one rule for the program: ``diagnostics.cards.latest_card``)."""
    from moc_desktop.services.diagnostics.cards import latest_card as _latest

    return _latest(session, person_id)


def _external_means(text: str, codes: Sequence[str]) -> dict[str, float | None]:
    """Compact card scores → code → mean of the external raters' scores (ШМО, deputy), None when both blank."""
    idx = [scoring.RATERS.index(r) for r in scoring.EXTERNAL]
    n = len(scoring.RATERS)
    out: dict[str, float | None] = {}
    for i, code in enumerate(codes):
        vals = []
        for j in idx:
            k = i * n + j
            if k < len(text) and text[k] != scoring.BLANK:
                vals.append(int(text[k]))
        out[code] = sum(vals) / len(vals) if vals else None
    return out


def _partners(session: Session) -> dict[int, frozenset[int]]:
    acc: dict[int, set[int]] = {}
    for a, b in session.execute(
        select(SchoolPartnership.mentor_school_id, SchoolPartnership.mentee_school_id).where(
            SchoolPartnership.status == "active", SchoolPartnership.deleted_at.is_(None)
        )
    ):
        acc.setdefault(a, set()).add(b)
        acc.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in acc.items()}


def _mentee_ids(raw: str) -> list[int]:
    try:
        return [int(x) for x in json.loads(raw or "[]")]
    except (ValueError, TypeError):
        return []


def mentor_loads(session: Session) -> dict[int, int]:
    """Person id → mentees in their active pairs (a pair with an empty list counts as one)."""
    out: dict[int, int] = {}
    for mentor_id, raw in session.execute(
        select(MentorPair.mentor_id, MentorPair.mentee_ids).where(
            MentorPair.status == "active", MentorPair.deleted_at.is_(None)
        )
    ):
        out[mentor_id] = out.get(mentor_id, 0) + max(1, len(_mentee_ids(raw)))
    return out


@dataclass(frozen=True)
class MatchResult:
    mentee: Candidate
    card_id: int
    campaign_id: int
    deficits: list[analytics.Deficit]
    max_load: int
    suggestions: list[Suggestion]

    def as_dict(self) -> dict:
        m = self.mentee
        return {
            "mentee": {
                "id": m.id,
                "uuid": m.uuid,
                "name": m.name,
                "school_id": m.school_id,
                "school": m.school,
                "subjects": sorted(m.subjects),
            },
            "card_id": self.card_id,
            "campaign_id": self.campaign_id,
            "deficits": [
                {"code": d.code, "competence": d.competence, "title": d.title} for d in self.deficits
            ],
            "max_load": self.max_load,
            "weights": dict(WEIGHTS),
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


def suggest(session: Session, mentee_ref: int | str, limit: int = 10) -> MatchResult:
    """Mentors for a mentee (by id or uuid) from the database. Raises :class:`MatchingError`."""
    person = find_person(session, mentee_ref)
    if person is None:
        raise MatchingError(f"Педагог «{mentee_ref}» не найден в реестре.")
    rank = _campaign_rank(session)
    names = dict(session.execute(select(School.id, School.short_name)).all())
    partners = _partners(session)
    loads = mentor_loads(session)
    # the latest live card per live person, in one query (scores decoded only for the chosen cards)
    best: dict[int, tuple] = {}
    q = (
        select(
            DiagCard.person_id, DiagCard.campaign_id, DiagCard.id, DiagCard.template_version, DiagCard.scores
        )
        .join(Person, Person.id == DiagCard.person_id)
        .where(DiagCard.deleted_at.is_(None), Person.deleted_at.is_(None))
    )
    for pid, cid, card_id, version, text in session.execute(q):
        r = rank.get(cid)
        if r is None:
            continue
        if pid not in best or r > best[pid][0]:
            best[pid] = (r, cid, card_id, version, text)
    if person.id not in best:
        fio = short_fio(person.last_name, person.first_name, person.middle_name)
        raise MatchingError(
            f"У педагога {fio} нет диагностической карты: подбор наставника опирается на дефициты из карты. "
            "Внесите карту в диагностику «5 К»."
        )
    card = session.get(DiagCard, best[person.id][2])
    deficits = analytics.teacher_deficits(session, card)
    pq = select(
        Person.id,
        Person.uuid,
        Person.last_name,
        Person.first_name,
        Person.middle_name,
        Person.school_id,
        Person.subjects,
        Person.category,
        Person.experience_years,
    ).where(Person.deleted_at.is_(None))
    if len(best) < 900:  # a small registry: only the people with cards; a large one: one scan is cheaper
        pq = pq.where(Person.id.in_(list(best)))
    people = session.execute(pq)
    codes_by_version: dict[int, list[str]] = {}
    mentee = None
    candidates = []
    for pid, uuid, ln, fn, mn, sid, subjects, category, exp in people:
        if pid not in best:
            continue
        _r, _cid, _card_id, version, text = best[pid]
        if version not in codes_by_version:
            codes_by_version[version] = template(session, version).codes
        cand = Candidate(
            id=pid,
            uuid=uuid,
            name=short_fio(ln, fn, mn),
            school_id=sid,
            school=names.get(sid, "") if sid else "",
            subjects=frozenset(split_list(subjects)),
            category=category,
            experience_years=exp,
            load=loads.get(pid, 0),
            criterion_scores={} if pid == person.id else _external_means(text, codes_by_version[version]),
            partner_school_ids=partners.get(sid, frozenset()) if sid else frozenset(),
        )
        if pid == person.id:
            mentee = cand
        else:
            candidates.append(cand)
    assert mentee is not None
    limit_load = max_load(session)
    return MatchResult(
        mentee=mentee,
        card_id=card.id,
        campaign_id=card.campaign_id,
        deficits=deficits,
        max_load=limit_load,
        suggestions=rank_mentors(mentee, candidates, [d.code for d in deficits], limit, limit_load),
    )


def suggest_mentors(session: Session, mentee_id: int | str, limit: int = 10) -> list[Suggestion]:
    """Ranked suggestions for a mentee (id or uuid); see :func:`suggest` for the full result."""
    return suggest(session, mentee_id, limit).suggestions


# --- pairs (read-only list for the CLI) --------------------------------------------------------------------------


def list_pairs(session: Session, status: str | None = None) -> list[dict]:
    """Live mentor pairs as plain dicts: uuid, form, mentor, mentees, status, dates."""
    q = select(MentorPair).where(MentorPair.deleted_at.is_(None)).order_by(MentorPair.id)
    if status:
        q = q.where(MentorPair.status == status)
    pairs = list(session.scalars(q))
    forms = dict(session.execute(select(RefMentoringForm.code, RefMentoringForm.title)).all())
    ids = {p.mentor_id for p in pairs} | {i for p in pairs for i in _mentee_ids(p.mentee_ids)}
    people = {
        pid: (uuid, short_fio(ln, fn, mn))
        for pid, uuid, ln, fn, mn in session.execute(
            select(Person.id, Person.uuid, Person.last_name, Person.first_name, Person.middle_name).where(
                Person.id.in_(sorted(ids))
            )
        )
    }

    def who(pid: int) -> dict:
        uuid, name = people.get(pid, ("", "(не найден)"))
        return {"id": pid, "uuid": uuid, "name": name}

    return [
        {
            "uuid": p.uuid,
            "form": p.form_code,
            "form_title": forms.get(p.form_code, p.form_code),
            "mentor": who(p.mentor_id),
            "mentees": [who(i) for i in _mentee_ids(p.mentee_ids)],
            "status": p.status,
            "status_title": PAIR_STATUSES.get(p.status, p.status),
            "date_from": p.date_from.isoformat() if p.date_from else None,
            "date_to": p.date_to.isoformat() if p.date_to else None,
        }
        for p in pairs
    ]
