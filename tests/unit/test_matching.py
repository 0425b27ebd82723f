"""Mentor matching (issue item 3): the plain ranking function, its properties, and the database adapter."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moc_desktop.db.models import MentorPair, SchoolPartnership, Setting
from moc_desktop.services import schools, staff
from moc_desktop.services.diagnostics import cards
from moc_desktop.services.mentoring import matching
from moc_desktop.services.mentoring.matching import Candidate, rank_mentors, score_candidate

CODES = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1"]


def card(full: tuple[str, ...] = (), value: float = 1.0) -> dict[str, float | None]:
    """External means: ``full`` criteria at 2, the rest at ``value``."""
    return {c: (2.0 if c in full else value) for c in CODES}


MENTEE = Candidate(id=1, name="Молодова А.А.", school_id=10, subjects=frozenset({"математика"}))


def cand(pid: int, name: str, **kw) -> Candidate:
    kw.setdefault("criterion_scores", card())
    return Candidate(id=pid, name=name, **kw)


# --- table-driven ranking --------------------------------------------------------------------------------------

CASES = [
    pytest.param(
        [
            cand(2, "Алексеева", subjects=frozenset({"математика"}), category="высшая", experience_years=30),
            cand(3, "Борисова", criterion_scores=card(("1.3", "3.2"))),
        ],
        ["1.3", "3.2"],
        ["Борисова", "Алексеева"],  # 50 + 5 beats 15 + 10 + 10 + 5
        id="coverage-dominates",
    ),
    pytest.param(
        [
            cand(2, "Алексеева", criterion_scores=card(("1.3",))),
            cand(3, "Борисова", criterion_scores=card(("1.3",)), subjects=frozenset({"математика"})),
        ],
        ["1.3"],
        ["Борисова", "Алексеева"],
        id="same-subject-breaks-tie",
    ),
    pytest.param(
        [cand(3, "Борисова"), cand(2, "Алексеева")],
        ["1.3"],
        ["Алексеева", "Борисова"],
        id="equal-scores-by-name",
    ),
    pytest.param(
        [
            cand(2, "Алексеева", criterion_scores=card(("1.3",)), load=3),
            cand(3, "Борисова"),
        ],
        ["1.3"],
        ["Борисова", "Алексеева"],  # at the limit: listed last, not dropped
        id="at-limit-last",
    ),
    pytest.param(
        [
            cand(1, "Молодова", criterion_scores=card(("1.3",))),
            cand(2, "Алексеева"),
            cand(3, "Борисова", criterion_scores=None),
        ],
        ["1.3"],
        ["Алексеева"],  # the mentee herself and a person without a card are left out
        id="mentee-and-no-card-excluded",
    ),
    pytest.param(
        [
            cand(2, "Алексеева", criterion_scores=card((), 1.5)),  # ШМО 2 + deputy 1: covers
            cand(3, "Борисова", criterion_scores=card((), 1.0)),  # not enough
        ],
        ["1.3"],
        ["Алексеева", "Борисова"],
        id="cover-from-1.5",
    ),
    pytest.param(
        [
            cand(2, "Алексеева", school_id=11),
            cand(3, "Борисова", school_id=12, partner_school_ids=frozenset({10})),
            cand(4, "Васильева", school_id=10),
        ],
        [],
        ["Борисова", "Васильева", "Алексеева"],
        id="same-or-partner-school",
    ),
]


@pytest.mark.parametrize(("candidates", "deficits", "expected"), CASES)
def test_ranking(candidates, deficits, expected):
    got = rank_mentors(MENTEE, candidates, deficits)
    assert [s.candidate.name for s in got] == expected


def test_reasons_and_warnings_text():
    c = cand(
        2,
        "Алексеева",
        school_id=12,
        subjects=frozenset({"математика", "физика"}),
        category="высшая",
        experience_years=22,
        load=2,
        criterion_scores=card(("1.3", "3.2")),
    )
    mentee = Candidate(
        id=1, name="М", school_id=10, subjects=frozenset({"Математика"}), partner_school_ids=frozenset({12})
    )
    [s] = rank_mentors(mentee, [c], ["1.3", "2.1", "3.2"])
    assert s.covers == ["1.3", "3.2"]
    assert s.reasons == [
        "закрывает дефициты 1.3, 3.2",
        "тот же предмет: математика",
        "высшая категория",
        "стаж 22 года",
        "школа-партнёр",
        "нагрузка 2 из 3",
    ]
    assert s.warnings == []
    # 50·2/3 + 15 + 10 + 10 + 10 + 5·(1 − 2/3)
    assert s.score == pytest.approx(round(100 / 3 + 45 + 5 / 3, 1))
    assert s.as_dict()["covers"] == ["1.3", "3.2"]


def test_single_deficit_first_category_and_limit_warning():
    c = cand(2, "А", category="первая", experience_years=5, load=4, criterion_scores=card(("1.3",)))
    [s] = rank_mentors(MENTEE, [c], ["1.3"], max_load=4)
    assert s.reasons[:2] == ["закрывает дефицит 1.3", "первая категория"]
    assert "стаж" not in " ".join(s.reasons)
    assert s.warnings == ["достигнут предел наставляемых (4)"]
    assert s.at_limit and s.components["load"] == 0 and s.components["category"] == 5


def test_no_cover_warning_and_limit():
    got = rank_mentors(MENTEE, [cand(i, f"П{i:02}") for i in range(2, 20)], ["1.1"], limit=5)
    assert len(got) == 5 and all("не закрывает ни одного дефицита" in s.warnings for s in got)


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1 год"), (2, "2 года"), (5, "5 лет"), (11, "11 лет"), (22, "22 года")]
)
def test_years_word(n, text):
    assert matching.years_word(n) == text


# --- properties ------------------------------------------------------------------------------------------------

score_values = st.sampled_from([None, 0.0, 0.5, 1.0, 1.5, 2.0])
candidates = st.builds(
    Candidate,
    id=st.integers(2, 1000),
    name=st.text(min_size=1, max_size=5),
    school_id=st.one_of(st.none(), st.integers(9, 13)),
    subjects=st.frozensets(st.sampled_from(["математика", "физика", "история"]), max_size=2),
    category=st.sampled_from(["", "высшая", "первая", "без категории"]),
    experience_years=st.one_of(st.none(), st.integers(0, 50)),
    load=st.integers(0, 6),
    criterion_scores=st.fixed_dictionaries({c: score_values for c in CODES}),
    partner_school_ids=st.frozensets(st.integers(9, 13), max_size=2),
)
deficit_lists = st.lists(st.sampled_from(CODES), unique=True, max_size=len(CODES))


@settings(max_examples=300, deadline=None)
@given(c=candidates, deficits=deficit_lists, max_load=st.integers(1, 5))
def test_score_is_within_0_100(c, deficits, max_load):
    s = score_candidate(MENTEE, c, deficits, max_load)
    assert 0 <= s.score <= 100
    assert set(s.covers) <= set(deficits)


@settings(max_examples=300, deadline=None)
@given(c=candidates, deficits=deficit_lists, extra=st.sampled_from(CODES), max_load=st.integers(1, 5))
def test_adding_a_covered_deficit_never_lowers_the_score(c, deficits, extra, max_load):
    deficits = [d for d in deficits if d != extra]
    c = Candidate(**{**c.__dict__, "criterion_scores": {**c.criterion_scores, extra: 2.0}})
    before = rank_mentors(MENTEE, [c], deficits, max_load=max_load)[0]
    after = rank_mentors(MENTEE, [c], [*deficits, extra], max_load=max_load)[0]
    assert after.score >= before.score
    assert extra in after.covers


# --- database adapter ------------------------------------------------------------------------------------------


def scores_with(tpl, zero: tuple[str, ...] = (), one: tuple[str, ...] = ()) -> dict:
    """Self 2 everywhere; ШМО and deputy 0 on ``zero`` (deficits), 1 on ``one``, 2 elsewhere."""
    ext = {c: 0 if c in zero else 1 if c in one else 2 for c in tpl.codes}
    return {"self": dict.fromkeys(tpl.codes, 2), "shmo": ext, "deputy": dict(ext)}


@pytest.fixture
def world(session):
    a = schools.save_school(session, {"short_name": "МКОУ «Шеркальская СОШ»"})
    b = schools.save_school(session, {"short_name": "МКОУ «Уньюганская СОШ № 1»"})
    c = schools.save_school(session, {"short_name": "МКОУ «Кедровская ООШ»"})

    def person(last, school, **kw):
        return staff.save_person(
            session, {"last_name": last, "first_name": "Анна", "school_id": school.id, **kw}
        )

    mentee = person("Молодова", b, subjects="математика", experience_years=1)
    ivanova = person("Иванова", a, subjects="математика", category="высшая", experience_years=22)
    petrova = person("Петрова", b, subjects="русский язык", category="первая", experience_years=8)
    sidorova = person("Сидорова", c, subjects="математика", experience_years=15)
    nocard = person("Кузнецова", a, subjects="математика", category="высшая", experience_years=30)
    entry = cards.save_campaign(session, {"title": "Входная", "school_year": "2025/2026", "stage": "entry"})
    final = cards.save_campaign(session, {"title": "Итоговая", "school_year": "2025/2026", "stage": "final"})
    tpl = cards.template(session)
    cards.save_card(session, entry, mentee.id, scores_with(tpl, zero=("1.1", "2.1")))
    cards.save_card(session, final, mentee.id, scores_with(tpl, zero=("1.3", "3.2")))  # the latest
    cards.save_card(session, entry, ivanova.id, scores_with(tpl))
    cards.save_card(session, final, petrova.id, scores_with(tpl, one=("3.2",)))
    cards.save_card(session, entry, sidorova.id, scores_with(tpl))
    session.add(SchoolPartnership(mentor_school_id=a.id, mentee_school_id=b.id, status="active"))
    session.add(
        MentorPair(
            form_code="teacher_teacher",
            mentor_id=ivanova.id,
            mentee_ids=json.dumps([nocard.id]),
            status="active",
            date_from=date(2025, 9, 1),
        )
    )
    session.add(
        MentorPair(
            form_code="teacher_young",
            mentor_id=sidorova.id,
            mentee_ids=json.dumps([nocard.id, petrova.id, ivanova.id]),
            status="active",
        )
    )
    session.add(  # a finished pair is no load
        MentorPair(form_code="teacher_teacher", mentor_id=petrova.id, mentee_ids="[1]", status="completed")
    )
    session.commit()
    return {"mentee": mentee, "ivanova": ivanova, "petrova": petrova, "sidorova": sidorova, "nocard": nocard}


def test_suggest_mentors_from_the_database(session, world):
    got = matching.suggest_mentors(session, world["mentee"].uuid)
    assert [s.candidate.name for s in got] == ["Иванова А.", "Петрова А.", "Сидорова А."]
    iv, pe, si = got
    assert iv.covers == ["1.3", "3.2"] and pe.covers == ["1.3"] and si.covers == ["1.3", "3.2"]
    assert iv.reasons == [
        "закрывает дефициты 1.3, 3.2",
        "тот же предмет: математика",
        "высшая категория",
        "стаж 22 года",
        "школа-партнёр",
        "нагрузка 1 из 3",
    ]
    assert iv.score == pytest.approx(round(95 + 5 * 2 / 3, 1))
    assert pe.score == 45.0 and "та же школа" in pe.reasons
    assert si.at_limit and si.warnings == ["достигнут предел наставляемых (3)"] and si.score == 75.0


def test_suggest_by_id_limit_and_result(session, world):
    result = matching.suggest(session, world["mentee"].id, limit=1)
    assert [d.code for d in result.deficits] == ["1.3", "3.2"]  # from the latest campaign, not the entry one
    assert len(result.suggestions) == 1 and result.max_load == 3
    data = result.as_dict()
    assert data["mentee"]["uuid"] == world["mentee"].uuid and data["weights"]["coverage"] == 50


def test_max_load_setting(session, world):
    session.add(Setting(key=matching.MAX_LOAD_SETTING, value="4"))
    session.commit()
    got = matching.suggest_mentors(session, world["mentee"].id)
    assert [s.candidate.name for s in got] == ["Иванова А.", "Сидорова А.", "Петрова А."]
    assert got[1].reasons[-1] == "нагрузка 3 из 4" and not got[1].warnings


def test_refusals(session, world):
    with pytest.raises(matching.MatchingError, match="не найден"):
        matching.suggest(session, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(matching.MatchingError, match="нет диагностической карты"):
        matching.suggest(session, world["nocard"].id)


def test_list_pairs(session, world):
    rows = matching.list_pairs(session, "active")
    assert [r["mentor"]["name"] for r in rows] == ["Иванова А.", "Сидорова А."]
    assert rows[0]["form"] == "teacher_teacher" and rows[0]["form_title"] == "учитель – учитель"
    assert rows[0]["mentees"] == [
        {"id": world["nocard"].id, "uuid": world["nocard"].uuid, "name": "Кузнецова А."}
    ]
    assert rows[0]["date_from"] == "2025-09-01" and rows[0]["date_to"] is None
    assert len(matching.list_pairs(session)) == 3
