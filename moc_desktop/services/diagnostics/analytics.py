"""Analytics of a campaign: level distribution per competence and mean %, per teacher / school / group of
schools / municipality; the self-assessment gap; dynamics between stages; deficits for mentoring.

Summaries read the percentages stored on each card (computed by ``scoring`` on save), so the municipal summary
is one query over the campaign's cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import DiagCampaign, DiagCard, Person, School, SchoolStatus
from moc_desktop.services.common import short_fio
from moc_desktop.services.diagnostics import scoring
from moc_desktop.services.diagnostics.cards import card_scores, get_campaign, template

GROUPS = {"all": "Все школы", "shnor": "Школы ШНОР", "low": "ШНОР и ШНСУ", "chosen": "Выбранные школы"}
GAP_SIGNAL = 20.0  # percentage points: self-assessment above the external raters by this much is flagged


@dataclass
class Stat:
    """Percents of one competence (or the total) over a set of cards."""

    n: int = 0
    mean: float | None = None
    levels: dict[str, int] = field(default_factory=lambda: {lv: 0 for lv in scoring.LEVELS})

    def share(self, lv: str) -> float | None:
        return None if not self.n else 100.0 * self.levels[lv] / self.n

    def as_dict(self) -> dict:
        return {
            "cards": self.n,
            "mean_percent": None if self.mean is None else round(self.mean, 1),
            "level": scoring.level(self.mean),
            "levels": dict(self.levels),
            "shares": {
                lv: None if self.share(lv) is None else round(self.share(lv), 1) for lv in scoring.LEVELS
            },
        }


def stat(values: Sequence[float | None]) -> Stat:
    """n, mean and level distribution of the given percents (None — no score — is left out)."""
    vals = [v for v in values if v is not None]
    s = Stat(
        n=len(vals), mean=sum(vals) / len(vals) if vals else None, levels=scoring.level_distribution(vals)
    )
    return s


@dataclass
class Summary:
    title: str
    cards: int
    complete: int
    total: Stat
    competences: dict[int, Stat]
    self_mean: float | None
    external_mean: float | None
    gap_signals: int  # cards where self-assessment exceeds the external raters by GAP_SIGNAL points or more

    @property
    def gap(self) -> float | None:
        if self.self_mean is None or self.external_mean is None:
            return None
        return self.self_mean - self.external_mean

    def as_dict(self, titles: dict[int, str]) -> dict:
        return {
            "scope": self.title,
            "cards": self.cards,
            "complete": self.complete,
            "total": self.total.as_dict(),
            "competences": [
                {"number": n, "title": titles.get(n, ""), **st.as_dict()}
                for n, st in self.competences.items()
            ],
            "self_mean_percent": _r(self.self_mean),
            "external_mean_percent": _r(self.external_mean),
            "gap_percent_points": _r(self.gap),
            "gap_signals": self.gap_signals,
        }


def _r(v):
    return None if v is None else round(v, 1)


_COLUMNS = (
    DiagCard.pct,
    DiagCard.pct1,
    DiagCard.pct2,
    DiagCard.pct3,
    DiagCard.pct4,
    DiagCard.pct5,
    DiagCard.pct_self,
    DiagCard.pct_external,
    DiagCard.complete,
)


def summarize(rows: Sequence[tuple], title: str) -> Summary:
    """Rows of (pct, pct1..pct5, pct_self, pct_external, complete) → a summary. Plain function, no database."""
    cols = list(zip(*rows, strict=False)) if rows else [[] for _ in range(9)]
    selfs = [v for v in cols[6] if v is not None]
    exts = [v for v in cols[7] if v is not None]
    signals = sum(1 for r in rows if r[6] is not None and r[7] is not None and r[6] - r[7] >= GAP_SIGNAL)
    return Summary(
        title=title,
        cards=len(rows),
        complete=sum(1 for r in rows if r[8]),
        total=stat(cols[0]),
        competences={n: stat(cols[n]) for n in range(1, 6)},
        self_mean=sum(selfs) / len(selfs) if selfs else None,
        external_mean=sum(exts) / len(exts) if exts else None,
        gap_signals=signals,
    )


def group_school_ids(
    session: Session, group: str, school_year: str, chosen: Sequence[int] = ()
) -> list[int] | None:
    """School ids of a group in a school year; None = all schools (no filter)."""
    if group == "all":
        return None
    if group == "chosen":
        return list(chosen)
    codes = {"shnor": ("shnor",), "low": ("shnor", "shnsu")}[group]
    return sorted(
        set(
            session.scalars(
                select(SchoolStatus.school_id).where(
                    SchoolStatus.school_year == school_year,
                    SchoolStatus.status_code.in_(codes),
                    SchoolStatus.deleted_at.is_(None),
                )
            )
        )
    )


def summary(
    session: Session, campaign_id: int, school_ids: Sequence[int] | None = None, title: str = ""
) -> Summary:
    """Summary over the campaign's cards (of the given schools; all when None)."""
    q = select(*_COLUMNS).where(DiagCard.campaign_id == campaign_id, DiagCard.deleted_at.is_(None))
    if school_ids is not None:
        q = q.where(DiagCard.school_id.in_(list(school_ids)))
    rows = [tuple(r) for r in session.execute(q)]
    return summarize(rows, title or ("Муниципалитет" if school_ids is None else f"Школ: {len(school_ids)}"))


def summary_by_school(session: Session, campaign_id: int) -> list[tuple[int | None, str, Summary]]:
    names = dict(session.execute(select(School.id, School.short_name)).all())
    by: dict[int | None, list[tuple]] = {}
    for row in session.execute(
        select(DiagCard.school_id, *_COLUMNS).where(
            DiagCard.campaign_id == campaign_id, DiagCard.deleted_at.is_(None)
        )
    ):
        by.setdefault(row[0], []).append(tuple(row[1:]))
    out = [
        (sid, names.get(sid, "(без школы)"), summarize(rows, names.get(sid, "(без школы)")))
        for sid, rows in by.items()
    ]
    out.sort(key=lambda x: x[1])
    return out


def competence_titles(session: Session, campaign: DiagCampaign) -> dict[int, str]:
    return {c.number: c.short for c in template(session, campaign.template_version).competences}


# --- a teacher --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deficit:
    code: str
    competence: int
    title: str
    scores: dict[str, int | None]  # rater → score


def teacher_deficits(session: Session, card: DiagCard) -> list[Deficit]:
    """Criteria an external rater scored 0 (``scoring.deficits``) with all three scores — input for mentoring."""
    tpl = template(session, card.template_version)
    scores = card_scores(card, tpl)
    by_code = {c.code: c for c in tpl.criteria}
    return [
        Deficit(
            code, by_code[code].competence, by_code[code].title, {r: scores[r][code] for r in scoring.RATERS}
        )
        for code in scoring.deficits(scores, tpl.codes)
    ]


@dataclass(frozen=True)
class GapSignal:
    card_id: int
    fio: str
    school: str
    self_pct: float
    external_pct: float
    criteria: list[str]  # codes where self = 2 and an external rater gave 0


def gap_signals(session: Session, campaign_id: int, threshold: float = GAP_SIGNAL) -> list[GapSignal]:
    """Teachers whose self-assessment exceeds the external raters by ``threshold`` points or more, largest first."""
    camp = get_campaign(session, campaign_id)
    tpl = template(session, camp.template_version)
    q = (
        select(DiagCard, Person.last_name, Person.first_name, Person.middle_name, School.short_name)
        .join(Person, Person.id == DiagCard.person_id)
        .outerjoin(School, School.id == DiagCard.school_id)
        .where(
            DiagCard.campaign_id == campaign_id,
            DiagCard.deleted_at.is_(None),
            DiagCard.pct_self - DiagCard.pct_external >= threshold,
        )
    )
    out = []
    for card, ln, fn, mn, sname in session.execute(q):
        sc = card_scores(card, tpl)
        crit = [c for c in tpl.codes if sc["self"][c] == 2 and any(sc[r][c] == 0 for r in scoring.EXTERNAL)]
        out.append(
            GapSignal(card.id, short_fio(ln, fn, mn), sname or "", card.pct_self, card.pct_external, crit)
        )
    out.sort(key=lambda g: g.external_pct - g.self_pct)
    return out


# --- dynamics -------------------------------------------------------------------------------------------------


@dataclass
class Dynamics:
    """The same teachers in two campaigns (e.g. входная → итоговая)."""

    pairs: int
    before: Summary
    after: Summary
    transitions: dict[tuple[str, str], int]  # (level before, level after) → teachers
    improved: int
    worsened: int


def dynamics(
    session: Session, before_id: int, after_id: int, school_ids: Sequence[int] | None = None
) -> Dynamics:
    def rows(cid: int) -> dict[int, tuple]:
        q = select(DiagCard.person_id, *_COLUMNS).where(
            DiagCard.campaign_id == cid, DiagCard.deleted_at.is_(None)
        )
        if school_ids is not None:
            q = q.where(DiagCard.school_id.in_(list(school_ids)))
        return {r[0]: tuple(r[1:]) for r in session.execute(q)}

    a, b = rows(before_id), rows(after_id)
    common = sorted(set(a) & set(b))
    transitions: dict[tuple[str, str], int] = {}
    improved = worsened = 0
    rank = {"critical": 0, "sufficient": 1, "optimal": 2}
    for pid in common:
        la, lb = scoring.level(a[pid][0]), scoring.level(b[pid][0])
        if la and lb:
            transitions[(la, lb)] = transitions.get((la, lb), 0) + 1
            improved += rank[lb] > rank[la]
            worsened += rank[lb] < rank[la]
    return Dynamics(
        len(common),
        summarize([a[p] for p in common], "до"),
        summarize([b[p] for p in common], "после"),
        transitions,
        improved,
        worsened,
    )
