"""Card templates, campaigns and cards: storage and queries. Scoring rules live in ``scoring``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from moc_desktop.db.models import (
    DiagCampaign,
    DiagCard,
    Person,
    RefCardTemplate,
    RefCompetence,
    RefCriterion,
    School,
    utcnow,
)
from moc_desktop.services.common import ValidationError, normalize_school_year, short_fio
from moc_desktop.services.diagnostics import scoring

STAGES = {"entry": "входная", "interim": "промежуточная", "final": "итоговая"}
STAGE_ORDER = ("entry", "interim", "final")


# --- templates (versioned reference data) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    version: int
    title: str
    instruction: str
    competences: list[RefCompetence]
    criteria: list[RefCriterion]

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.criteria]

    @property
    def pairs(self) -> list[tuple[str, int]]:
        """[(criterion code, competence number)] in card order — what ``scoring.score_card`` takes."""
        return [(c.code, c.competence) for c in self.criteria]

    def competence(self, number: int) -> RefCompetence:
        return next(c for c in self.competences if c.number == number)


_template_cache: dict[tuple[str, int], Template] = {}


def template(session: Session, version: int | None = None) -> Template:
    """A card template (the newest when ``version`` is None). Cached per session bind — reference data is immutable
    once a version exists (a change is a new version)."""
    if version is None:
        version = session.scalar(select(func.max(RefCardTemplate.version)))
    key = (str(session.get_bind().url), version)
    if key in _template_cache:
        return _template_cache[key]
    t = session.get(RefCardTemplate, version)
    if t is None:
        raise ValidationError({"template": f"Версия карты {version} не найдена."})
    comps = list(
        session.scalars(
            select(RefCompetence)
            .where(RefCompetence.template_version == version)
            .order_by(RefCompetence.number)
        )
    )
    crits = list(
        session.scalars(
            select(RefCriterion)
            .where(RefCriterion.template_version == version)
            .order_by(RefCriterion.position)
        )
    )
    for obj in (t, *comps, *crits):
        session.expunge(obj)
    result = Template(version, t.title, t.instruction, comps, crits)
    _template_cache[key] = result
    return result


def add_template_version(session: Session, data: dict) -> int:
    """A new card version from data (no code change): {"title", "instruction"?, "competences": [{"number",
    "title", "short"?, "definition"?}], "criteria": [{"code", "competence", "title"}]}. Returns the version."""
    comps = data.get("competences") or []
    crits = data.get("criteria") or []
    numbers = {int(c["number"]) for c in comps}
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = "Укажите название карты."
    if not comps or not crits:
        errors["criteria"] = "В карте должны быть компетенции и критерии."
    codes = [c.get("code") for c in crits]
    if len(set(codes)) != len(codes):
        errors["criteria"] = "Коды критериев повторяются."
    for c in crits:
        if int(c.get("competence", 0)) not in numbers:
            errors["criteria"] = f"Критерий {c.get('code')} ссылается на неизвестную компетенцию."
    if errors:
        raise ValidationError(errors)
    version = (session.scalar(select(func.max(RefCardTemplate.version))) or 0) + 1
    session.add(
        RefCardTemplate(
            version=version,
            title=data["title"].strip(),
            instruction=data.get("instruction", ""),
            source=data.get("source", ""),
        )
    )
    for c in comps:
        session.add(
            RefCompetence(
                template_version=version,
                number=int(c["number"]),
                title=c["title"],
                short=c.get("short") or c["title"][:60],
                definition=c.get("definition", ""),
            )
        )
    for i, c in enumerate(crits):
        session.add(
            RefCriterion(
                template_version=version,
                code=c["code"],
                competence=int(c["competence"]),
                position=i,
                title=c["title"],
            )
        )
    session.flush()
    return version


# --- campaigns ------------------------------------------------------------------------------------------------


def campaign_school_ids(c: DiagCampaign) -> list[int]:
    try:
        return [int(x) for x in json.loads(c.school_ids or "[]")]
    except ValueError:
        return []


def validate_campaign(data: dict) -> dict[str, str]:
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = "Укажите название диагностики."
    if not normalize_school_year(str(data.get("school_year") or "")):
        errors["school_year"] = "Учебный год в виде «2025/2026»."
    if data.get("stage") not in STAGES:
        errors["stage"] = "Этап: входная, промежуточная или итоговая."
    a, b = data.get("date_from"), data.get("date_to")
    if a and b and a > b:
        errors["date_to"] = "Дата окончания раньше даты начала."
    return errors


def save_campaign(session: Session, data: dict, c: DiagCampaign | None = None) -> DiagCampaign:
    errors = validate_campaign(data)
    if errors:
        raise ValidationError(errors)
    if c is None:
        c = DiagCampaign(
            template_version=data.get("template_version") or template(session).version,
            title="",
            school_year="",
            stage="entry",
        )
        session.add(c)
    c.title = data["title"].strip()
    c.school_year = normalize_school_year(data["school_year"])
    c.stage = data["stage"]
    c.date_from, c.date_to = data.get("date_from"), data.get("date_to")
    c.order_id = data.get("order_id")
    c.basis = (data.get("basis") or "").strip()
    c.school_ids = json.dumps(sorted({int(x) for x in data.get("school_ids") or []}))
    c.note = (data.get("note") or "").strip()
    session.flush()
    return c


@dataclass(frozen=True)
class CampaignRow:
    id: int
    title: str
    school_year: str
    stage: str  # Russian
    stage_code: str
    date_from: date | None
    date_to: date | None
    schools: int
    cards: int
    complete: int


def list_campaigns(session: Session) -> list[CampaignRow]:
    counts = {
        cid: (n, done)
        for cid, n, done in session.execute(
            select(DiagCard.campaign_id, func.count(), func.sum(DiagCard.complete.cast(Integer)))
            .where(DiagCard.deleted_at.is_(None))
            .group_by(DiagCard.campaign_id)
        )
    }
    rows = []
    for c in session.scalars(select(DiagCampaign).where(DiagCampaign.deleted_at.is_(None))):
        n, done = counts.get(c.id, (0, 0))
        rows.append(
            CampaignRow(
                c.id,
                c.title,
                c.school_year,
                STAGES[c.stage],
                c.stage,
                c.date_from,
                c.date_to,
                len(campaign_school_ids(c)),
                n,
                int(done or 0),
            )
        )
    rows.sort(key=lambda r: (r.school_year, STAGE_ORDER.index(r.stage_code), r.id), reverse=True)
    return rows


def latest_card(session: Session, person_id: int) -> DiagCard | None:
    """The person's card of the latest campaign: by school year, stage (входная < промежуточная < итоговая),
    start date, id. Mentoring plans and matching read a teacher's deficits from it."""
    rows = session.execute(
        select(DiagCard, DiagCampaign)
        .join(DiagCampaign, DiagCampaign.id == DiagCard.campaign_id)
        .where(
            DiagCard.person_id == person_id, DiagCard.deleted_at.is_(None), DiagCampaign.deleted_at.is_(None)
        )
    ).all()
    if not rows:
        return None
    rows.sort(
        key=lambda r: (r[1].school_year, STAGE_ORDER.index(r[1].stage), r[1].date_from or date.min, r[1].id)
    )
    return rows[-1][0]


def delete_campaign(session: Session, c: DiagCampaign) -> None:
    """Soft delete: the campaign and its cards disappear from lists but stay in the database and the change log."""
    now = utcnow()
    c.deleted_at = now
    for card in session.scalars(
        select(DiagCard).where(DiagCard.campaign_id == c.id, DiagCard.deleted_at.is_(None))
    ):
        card.deleted_at = now


def get_card(session: Session, card_id: int) -> DiagCard | None:
    card = session.get(DiagCard, card_id)
    return card if card is not None and card.deleted_at is None else None


def get_campaign(session: Session, campaign_id: int) -> DiagCampaign | None:
    c = session.get(DiagCampaign, campaign_id)
    return c if c is not None and c.deleted_at is None else None


# --- cards ----------------------------------------------------------------------------------------------------


def apply_scores(card: DiagCard, scores: scoring.Scores, tpl: Template) -> scoring.CardScore:
    """Store the scores compactly and the derived percentages (what summaries read)."""
    result = scoring.score_card(scores, tpl.pairs)
    card.scores = scoring.encode(scores, tpl.codes)
    card.raters = scoring.raters_present(scores)
    card.complete = scoring.is_complete(scores, tpl.codes)
    card.pct = result.combined["total"].percent
    for n in range(1, 6):
        part = result.combined.get(n)
        setattr(card, f"pct{n}", part.percent if part else None)
    card.pct_self = result.raters["self"]["total"].percent
    ext = [
        result.raters[r]["total"].percent
        for r in scoring.EXTERNAL
        if result.raters[r]["total"].percent is not None
    ]
    card.pct_external = sum(ext) / len(ext) if ext else None
    return result


def card_scores(card: DiagCard, tpl: Template) -> dict[str, dict[str, int | None]]:
    return scoring.decode(card.scores, tpl.codes)


def save_card(
    session: Session, campaign: DiagCampaign, person_id: int, scores: scoring.Scores, note: str | None = None
) -> DiagCard:
    """Create or update the card of ``person_id`` in ``campaign`` (``note`` None keeps the stored note).
    Raises ``ValidationError`` on a bad score."""
    tpl = template(session, campaign.template_version)
    try:
        for r in scoring.RATERS:
            for code, v in (scores.get(r) or {}).items():
                if code not in tpl.codes:
                    raise ValueError(f"Критерий {code} не входит в карту версии {tpl.version}.")
                scoring.check_score(v)
    except ValueError as exc:
        raise ValidationError({"scores": str(exc)}) from exc
    card = session.scalar(
        select(DiagCard).where(DiagCard.campaign_id == campaign.id, DiagCard.person_id == person_id)
    )
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise ValidationError({"person": "Педагог не найден в реестре."})
    if card is None:
        card = DiagCard(
            campaign_id=campaign.id,
            person_id=person_id,
            template_version=campaign.template_version,
            school_id=person.school_id,
        )
        session.add(card)
    elif card.deleted_at is not None:
        card.deleted_at = None
    apply_scores(card, scores, template(session, card.template_version))
    if note is not None:
        card.note = note.strip()
    session.flush()
    return card


def delete_card(session: Session, card: DiagCard) -> None:
    card.deleted_at = utcnow()


@dataclass(frozen=True)
class CardRow:
    id: int
    person_id: int
    fio: str
    school_id: int | None
    school: str
    raters: str  # «С, Ш, З» present
    complete: bool
    pct: float | None
    level: str  # Russian or ""
    level_code: str | None
    gap: float | None


_LETTERS_RU = {"S": "С", "H": "Ш", "D": "З"}


def list_cards(session: Session, campaign_id: int, school_id: int | None = None) -> list[CardRow]:
    q = (
        select(
            DiagCard.id,
            DiagCard.person_id,
            Person.last_name,
            Person.first_name,
            Person.middle_name,
            DiagCard.school_id,
            School.short_name,
            DiagCard.raters,
            DiagCard.complete,
            DiagCard.pct,
            DiagCard.pct_self,
            DiagCard.pct_external,
        )
        .join(Person, Person.id == DiagCard.person_id)
        .outerjoin(School, School.id == DiagCard.school_id)
        .where(DiagCard.campaign_id == campaign_id, DiagCard.deleted_at.is_(None))
        .order_by(School.short_name, Person.last_name, Person.first_name)
    )
    if school_id is not None:
        q = q.where(DiagCard.school_id == school_id)
    rows = []
    for cid, pid, ln, fn, mn, sid, sname, raters, complete, pct, ps, pe in session.execute(q):
        lv = scoring.level(pct)
        rows.append(
            CardRow(
                cid,
                pid,
                short_fio(ln, fn, mn),
                sid,
                sname or "",
                ", ".join(_LETTERS_RU[x] for x in raters),
                bool(complete),
                None if pct is None else round(pct, 1),
                scoring.LEVEL_TITLES.get(lv, "") if lv else "",
                lv,
                None if ps is None or pe is None else round(ps - pe, 1),
            )
        )
    return rows


@dataclass(frozen=True)
class Progress:
    school_id: int
    school: str
    teachers: int  # cards in the campaign for this school
    by_rater: dict[str, int]  # rater → cards where that rater scored every criterion
    complete: int


def progress(session: Session, campaign: DiagCampaign) -> list[Progress]:
    """How many cards are complete per rater per school (campaign schools without cards are listed with 0)."""
    tpl = template(session, campaign.template_version)
    n = len(tpl.codes)
    names = dict(session.execute(select(School.id, School.short_name)).all())
    acc: dict[int, dict] = {
        sid: {"teachers": 0, "complete": 0, **{r: 0 for r in scoring.RATERS}}
        for sid in campaign_school_ids(campaign)
    }
    for sid, scores, complete in session.execute(
        select(DiagCard.school_id, DiagCard.scores, DiagCard.complete).where(
            DiagCard.campaign_id == campaign.id, DiagCard.deleted_at.is_(None)
        )
    ):
        a = acc.setdefault(sid, {"teachers": 0, "complete": 0, **{r: 0 for r in scoring.RATERS}})
        a["teachers"] += 1
        a["complete"] += bool(complete)
        for j, r in enumerate(scoring.RATERS):
            if (
                all(scores[i * 3 + j] != scoring.BLANK for i in range(n) if i * 3 + j < len(scores))
                and len(scores) >= n * 3
            ):
                a[r] += 1
    out = [
        Progress(
            sid,
            names.get(sid, "(без школы)") if sid else "(без школы)",
            a["teachers"],
            {r: a[r] for r in scoring.RATERS},
            a["complete"],
        )
        for sid, a in acc.items()
    ]
    out.sort(key=lambda p: p.school)
    return out
