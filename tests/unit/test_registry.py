"""Schools and staff services over a real migrated SQLite file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from moc_desktop.db.models import ChangeLog, SchoolStatus, StaffMove
from moc_desktop.services import schools, staff
from moc_desktop.services.common import ValidationError


def _school(session, name="МКОУ «Шеркальская СОШ»", **kw):
    s = schools.save_school(session, {"short_name": name, **kw})
    session.commit()
    return s


def test_school_validation_messages_are_russian(session):
    with pytest.raises(ValidationError) as e:
        schools.save_school(session, {"short_name": " ", "email": "не-почта", "pupils_noo": "много"})
    assert set(e.value.errors) == {"short_name", "email", "pupils_noo"}
    assert "краткое наименование" in e.value.errors["short_name"]


def test_duplicate_short_name_refused_case_and_yo_insensitive(session):
    _school(session, "МКОУ «Берёзовская СОШ»")
    with pytest.raises(ValidationError, match="уже есть"):
        schools.save_school(session, {"short_name": "мкоу «березовская сош»"})


def test_statuses_per_year_with_order(session):
    s = _school(session)
    schools.set_statuses(
        session,
        s,
        [
            {
                "school_year": "2024/2025",
                "status_code": "shnor",
                "sub_label": schools.SHNOR_SUB_LABELS[2],
                "order_number": "448-од",
                "order_date": date(2020, 5, 25),
            },
            {"school_year": "2024-2025", "status_code": "shnsu"},
            {"school_year": "2025/2026", "status_code": "growth"},
        ],
    )
    session.commit()
    rows = {r.id: r for r in schools.list_schools(session, "2024/2025")}
    assert rows[s.id].statuses == "ШНОР, ШНСУ"
    assert rows[s.id].status_codes == {"shnor", "shnsu"}
    assert schools.list_schools(session, "2025/2026")[0].statuses == "Школа роста"
    # removing a status soft-deletes it
    live = [x for x in s.statuses if x.deleted_at is None and x.school_year == "2025/2026"]
    schools.set_statuses(
        session,
        s,
        [
            {"id": x.id, "school_year": x.school_year, "status_code": x.status_code}
            for x in s.statuses
            if x.school_year == "2024/2025"
        ],
    )
    session.commit()
    assert live[0].deleted_at is not None
    assert schools.list_schools(session, "2025/2026")[0].statuses == ""


def test_status_validation_and_duplicates(session):
    s = _school(session)
    with pytest.raises(ValidationError) as e:
        schools.set_statuses(
            session,
            s,
            [
                {"school_year": "2024", "status_code": "shnor"},
                {"school_year": "2025/2026", "status_code": "shnor"},
                {"school_year": "2025/2026", "status_code": "shnor"},
            ],
        )
    assert "statuses[0].school_year" in e.value.errors and "statuses[2].status_code" in e.value.errors
    assert session.scalar(select(func.count()).select_from(SchoolStatus)) == 0


def test_indicators_summary_mean_max_min(session):
    a, b = _school(session, "А"), _school(session, "Б")
    schools.set_indicators(session, a, "2024/2025", {"mon_good_marks": 0.74, "mon_vacancies": 2})
    schools.set_indicators(session, b, "2024/2025", {"mon_good_marks": 0.07})
    session.commit()
    summary = {x.code: x for x in schools.indicator_summary(session, "2024/2025")}
    good = summary["mon_good_marks"]
    assert (good.n, good.mean, good.maximum, good.minimum) == (2, 0.405, 0.74, 0.07)
    assert summary["mon_psychologist"].n == 0
    with pytest.raises(ValidationError) as e:
        schools.set_indicators(session, a, "2024/2025", {"mon_good_marks": 74})
    assert "от 0 до 1" in e.value.errors["mon_good_marks"]


def test_ior_series_and_swot(session):
    s = _school(session)
    schools.set_ior(session, s, {2017: 0.472, 2018: 0.473, 2019: 0.406, 2016: 0.5})
    schools.set_swot(
        session,
        s,
        "2024/2025",
        {"strengths": ["Опыт проектной деятельности", " "], "threats": ["Старение кадров"]},
    )
    session.commit()
    assert schools.ior_series(s) == [(2017, 0.472), (2018, 0.473), (2019, 0.406)]
    with pytest.raises(ValidationError):
        schools.set_ior(session, s, {2019: 4.06})
    sw = schools.swot_of(s, "2024/2025")
    assert (
        sw["strengths"] == ["Опыт проектной деятельности"]
        and sw["threats"] == ["Старение кадров"]
        and sw["weaknesses"] == []
    )
    schools.set_swot(session, s, "2024/2025", {"strengths": ["Новое"]})
    session.commit()
    assert schools.swot_of(s, "2024/2025")["strengths"] == ["Новое"]


def test_soft_delete_hides_school_and_logs(session):
    s = _school(session)
    schools.soft_delete_school(session, s)
    session.commit()
    assert schools.list_schools(session) == []
    ops = session.scalars(
        select(ChangeLog.op).where(ChangeLog.record_uuid == s.uuid).order_by(ChangeLog.seq)
    ).all()
    assert ops == ["insert", "delete"]


def test_person_validation(session):
    with pytest.raises(ValidationError) as e:
        staff.save_person(
            session,
            {
                "last_name": "",
                "first_name": "Ив4н",
                "birth_year": 1890,
                "experience_years": 99,
                "category": "супер",
                "email": "x",
            },
        )
    assert set(e.value.errors) == {
        "last_name",
        "first_name",
        "birth_year",
        "experience_years",
        "category",
        "email",
    }


def test_experience_cannot_exceed_age(session):
    errors = staff.validate_person(
        {"last_name": "А", "first_name": "Б", "birth_year": 2000, "experience_years": 20},
        today=date(2026, 1, 1),
    )
    assert "experience_years" in errors


def test_person_moves_between_schools_keep_history(session):
    a, b = _school(session, "А"), _school(session, "Б")
    p = staff.save_person(
        session,
        {
            "last_name": "Иванова",
            "first_name": "Мария",
            "middle_name": "Петровна",
            "school_id": a.id,
            "positions": "учитель",
        },
        moved_on=date(2020, 9, 1),
    )
    session.commit()
    staff.save_person(session, {"school_id": b.id}, p, moved_on=date(2024, 9, 1))
    session.commit()
    moves = session.scalars(
        select(StaffMove).where(StaffMove.person_id == p.id).order_by(StaffMove.date_from)
    ).all()
    assert [(m.school_id, m.date_from, m.date_to) for m in moves] == [
        (a.id, date(2020, 9, 1), date(2024, 9, 1)),
        (b.id, date(2024, 9, 1), None),
    ]
    assert moves[0].position == "учитель"


def test_find_person_by_fio_and_birth_year(session):
    p = staff.save_person(
        session,
        {"last_name": "Ерёмина", "first_name": "Ольга", "middle_name": "Ивановна", "birth_year": 1980},
    )
    session.commit()
    assert staff.find_person(session, "еремина", "ольга", "ивановна", 1980).id == p.id
    assert staff.find_person(session, "Еремина", "Ольга", "Ивановна", 1981) is None


def test_list_staff_rows(session):
    a = _school(session, "МКОУ «Шеркальская СОШ»")
    p = staff.save_person(
        session,
        {
            "last_name": "Ткач",
            "first_name": "Елена",
            "middle_name": "Николаевна",
            "school_id": a.id,
            "experience_years": 1,
            "birth_year": 1999,
            "subjects": "математика",
        },
    )
    staff.set_courses(
        session,
        p,
        [
            {
                "title": "Функциональная грамотность",
                "hours": 36,
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 20),
                "provider": "ИРО",
            }
        ],
    )
    session.commit()
    (row,) = staff.list_staff(session, today=date(2026, 11, 25))
    assert (row.fio, row.school, row.young, row.recent_courses) == (
        "Ткач Е.Н.",
        "МКОУ «Шеркальская СОШ»",
        True,
        True,
    )
    assert "математика" in row.search_key and "шеркальская" in row.search_key
    (row,) = staff.list_staff(session, today=date(2030, 1, 1))
    assert row.recent_courses is False


def test_course_validation(session):
    p = staff.save_person(session, {"last_name": "А", "first_name": "Б"})
    with pytest.raises(ValidationError) as e:
        staff.set_courses(
            session,
            p,
            [{"title": "", "hours": "x", "date_from": date(2026, 3, 2), "date_to": date(2026, 3, 1)}],
        )
    assert set(e.value.errors) == {"courses[0].title", "courses[0].hours", "courses[0].date_to"}
