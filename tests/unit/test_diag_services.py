"""Diagnostics services over a real database: template versions, campaigns, cards with derived percentages,
progress, summaries, deficits, gap signals, dynamics."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from moc_desktop.db.models import ChangeLog, DiagCard
from moc_desktop.services import schools, staff
from moc_desktop.services.common import ValidationError
from moc_desktop.services.diagnostics import analytics, cards, scoring


@pytest.fixture
def world(session):
    a = schools.save_school(session, {"short_name": "МКОУ «Шеркальская СОШ»"})
    b = schools.save_school(session, {"short_name": "МКОУ «Уньюганская СОШ № 1»"})
    schools.set_statuses(session, a, [{"school_year": "2026/2027", "status_code": "shnor"}])
    people = [
        staff.save_person(session, {"last_name": ln, "first_name": "Анна", "school_id": sc.id})
        for ln, sc in (("Иванова", a), ("Петрова", a), ("Сидорова", b))
    ]
    entry = cards.save_campaign(
        session,
        {"title": "Входная", "school_year": "2026/2027", "stage": "entry", "school_ids": [a.id, b.id]},
    )
    final = cards.save_campaign(
        session,
        {"title": "Итоговая", "school_year": "2026/2027", "stage": "final", "school_ids": [a.id, b.id]},
    )
    session.commit()
    return a, b, people, entry, final


def all_(tpl, value):
    return {c: value for c in tpl.codes}


def test_template_v1_is_the_seed_card(session):
    tpl = cards.template(session)
    assert (
        tpl.version == 1
        and len(tpl.criteria) == 16
        and [c.number for c in tpl.competences] == [1, 2, 3, 4, 5]
    )
    assert tpl.criteria[2].title == "ИКТ- компетентность"
    assert tpl.competence(3).definition.startswith("Валеологическая компетентность педагога")
    per = {n: sum(1 for c in tpl.criteria if c.competence == n) * scoring.MAX_SCORE for n in range(1, 6)}
    assert per == {1: 10, 2: 4, 3: 4, 4: 4, 5: 10}  # «Максимальный балл» 32 per rater


def test_new_template_version_without_code_and_old_cards_keep_theirs(session, world):
    _a, _b, people, entry, _f = world
    tpl1 = cards.template(session)
    card = cards.save_card(session, entry, people[0].id, {"self": all_(tpl1, 2)})
    v2 = cards.add_template_version(
        session,
        {
            "title": "Карта (версия региона)",
            "competences": [{"number": 1, "title": "Предметная"}, {"number": 2, "title": "Цифровая"}],
            "criteria": [
                {"code": "1.1", "competence": 1, "title": "Знание ФГОС"},
                {"code": "2.1", "competence": 2, "title": "ЭОР"},
            ],
        },
    )
    session.commit()
    assert v2 == 2 and cards.template(session).version == 2
    assert card.template_version == 1 and cards.template(session, card.template_version).version == 1
    with pytest.raises(ValidationError):
        cards.add_template_version(
            session,
            {
                "title": "x",
                "competences": [{"number": 1, "title": "a"}],
                "criteria": [{"code": "1.1", "competence": 9, "title": "b"}],
            },
        )


def test_card_derived_columns_and_change_log(session, world):
    _a, _b, people, entry, _f = world
    tpl = cards.template(session)
    scores = {"self": all_(tpl, 2), "shmo": all_(tpl, 1), "deputy": {"1.1": 0, "1.2": 0}}
    card = cards.save_card(session, entry, people[0].id, scores)
    session.commit()
    assert card.pct == pytest.approx((100 + 50 + 0) / 3)
    assert card.pct1 == pytest.approx((100 + 50 + 0) / 3) and card.pct2 == pytest.approx(
        75
    )  # deputy blank in 2
    assert (card.raters, card.complete, card.pct_self, card.pct_external) == ("SHD", False, 100, 25)
    assert cards.card_scores(card, tpl)["deputy"]["1.3"] is None
    # re-save updates the same card (one per teacher and campaign)
    cards.save_card(session, entry, people[0].id, {r: all_(tpl, 2) for r in scoring.RATERS})
    session.commit()
    assert (
        session.scalar(select(func.count()).select_from(DiagCard)) == 1 and card.complete and card.pct == 100
    )
    assert (
        session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "diag_card"))
        == 2
    )


def test_bad_scores_refused(session, world):
    _a, _b, people, entry, _f = world
    with pytest.raises(ValidationError, match="только 0, 1, 2"):
        cards.save_card(session, entry, people[0].id, {"self": {"1.1": 3}})
    with pytest.raises(ValidationError, match="не входит"):
        cards.save_card(session, entry, people[0].id, {"self": {"9.9": 1}})


def test_progress_per_rater_per_school(session, world):
    a, b, people, entry, _f = world
    tpl = cards.template(session)
    cards.save_card(session, entry, people[0].id, {r: all_(tpl, 2) for r in scoring.RATERS})
    cards.save_card(session, entry, people[1].id, {"self": all_(tpl, 1), "shmo": {"1.1": 1}})
    session.commit()
    prog = {p.school_id: p for p in cards.progress(session, entry)}
    assert prog[a.id].teachers == 2 and prog[a.id].complete == 1
    assert prog[a.id].by_rater == {"self": 2, "shmo": 1, "deputy": 1}
    assert prog[b.id].teachers == 0  # a campaign school without cards is listed


def test_summary_levels_gap_and_groups(session, world):
    a, b, people, entry, _f = world
    tpl = cards.template(session)
    cards.save_card(session, entry, people[0].id, {r: all_(tpl, 2) for r in scoring.RATERS})  # 100 optimal
    cards.save_card(
        session, entry, people[1].id, {"self": all_(tpl, 2), "shmo": all_(tpl, 1), "deputy": all_(tpl, 1)}
    )  # 66.7
    mixed = {c: (2 if i < 12 else 1) for i, c in enumerate(tpl.codes)}  # 28/32 = 87.5 … per rater
    cards.save_card(session, entry, people[2].id, {r: mixed for r in scoring.RATERS})
    session.commit()
    s = analytics.summary(session, entry.id)
    assert s.cards == 3 and s.total.levels == {"optimal": 2, "sufficient": 0, "critical": 1}
    assert s.total.mean == pytest.approx((100 + 200 / 3 + 87.5) / 3)
    assert s.gap_signals == 1  # the teacher rating herself 100 where the others give 50
    shnor = analytics.group_school_ids(session, "shnor", "2026/2027")
    assert shnor == [a.id]
    assert analytics.summary(session, entry.id, shnor).cards == 2
    (sig,) = analytics.gap_signals(session, entry.id)
    assert sig.fio == "Петрова А." and sig.criteria == []
    by_school = {name: sm.cards for _sid, name, sm in analytics.summary_by_school(session, entry.id)}
    assert by_school == {"МКОУ «Шеркальская СОШ»": 2, "МКОУ «Уньюганская СОШ № 1»": 1}


def test_deficits_and_dynamics(session, world):
    _a, _b, people, entry, final = world
    tpl = cards.template(session)
    low = {"self": all_(tpl, 2), "shmo": all_(tpl, 1), "deputy": {**all_(tpl, 1), "3.2": 0}}
    card = cards.save_card(session, entry, people[0].id, low)
    cards.save_card(session, entry, people[1].id, {r: all_(tpl, 1) for r in scoring.RATERS})  # 50 critical
    cards.save_card(session, final, people[0].id, {r: all_(tpl, 2) for r in scoring.RATERS})
    cards.save_card(session, final, people[1].id, {r: all_(tpl, 1) for r in scoring.RATERS})
    session.commit()
    (d,) = analytics.teacher_deficits(session, card)
    assert (d.code, d.title, d.scores) == (
        "3.2",
        "Организация обучения детей с ОВЗ",
        {"self": 2, "shmo": 1, "deputy": 0},
    )
    dyn = analytics.dynamics(session, entry.id, final.id)
    assert dyn.pairs == 2 and dyn.improved == 1 and dyn.worsened == 0
    assert dyn.transitions == {("critical", "optimal"): 1, ("critical", "critical"): 1}
    assert dyn.after.total.mean > dyn.before.total.mean


def test_campaign_validation(session):
    with pytest.raises(ValidationError) as e:
        cards.save_campaign(session, {"title": "", "school_year": "2026", "stage": "x"})
    assert set(e.value.errors) == {"title", "school_year", "stage"}
