"""Mentoring pairs to and from .xlsx (services.mentoring.files)."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from moc_desktop.db.models import MentorMeeting, MentorPair, Person, RefMentoringForm, School
from moc_desktop.services.imports import ImportRefused
from moc_desktop.services.mentoring import files
from moc_desktop.services.mentoring import pairs as ps


def _school(session, name: str) -> School:
    s = School(short_name=name, full_name=f"МКОУ «{name}»")
    session.add(s)
    session.flush()
    return s


def _person(session, last: str, first: str, school: School | None, exp: int = 12, birth_year=None) -> Person:
    p = Person(
        last_name=last,
        first_name=first,
        middle_name="Петровна",
        school_id=school.id if school else None,
        experience_years=exp,
        positions="учитель",
        birth_year=birth_year,
    )
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def people(session):
    a, b = _school(session, "СОШ № 1"), _school(session, "СОШ № 2")
    out = {
        "mentor": _person(session, "Иванова", "Анна", a),
        "young": _person(session, "Петрова", "Ольга", a, exp=1),
        "young2": _person(session, "Сидорова", "Мария", a, exp=0),
        "twin1": _person(session, "Кузнецова", "Елена", a, birth_year=1970),
        "twin2": _person(session, "Кузнецова", "Елена", b, birth_year=1980),
        "schools": (a, b),
    }
    return out


def _forms(session) -> dict[str, str]:
    return dict(session.execute(select(RefMentoringForm.code, RefMentoringForm.title)).all())


def test_export_opens_back_with_the_pair_data(session, people, tmp_path):
    forms = _forms(session)
    data = {
        **ps.new_pair_data(),
        "form_code": "teacher_young",
        "mentor_id": people["mentor"].id,
        "mentee_ids": [people["young"].id, people["young2"].id],
        "date_from": date(2025, 9, 1),
        "date_to": date(2026, 5, 31),
        "plan": [
            {"task": "Открытый урок", "deadline": date(2025, 12, 1), "status": "done"},
            {"task": "Выступление на ШМО", "deadline": date(2026, 3, 1)},
        ],
    }
    pair = ps.save_pair(session, data)
    ps.set_status(session, pair, "active")
    ps.save_meeting(session, pair, {"date": date(2025, 10, 1), "topic": "Анализ урока"})
    path = files.export_pairs(session, tmp_path / "pairs.xlsx")
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Наставник", "Школа наставника", "Наставляемые")
    assert len(rows) == 2
    r = rows[1]
    assert r[0] == "Иванова Анна Петровна" and r[1] == "СОШ № 1"
    assert r[2] == "Петрова Ольга Петровна; Сидорова Мария Петровна"
    assert r[3] == forms["teacher_young"] and r[4] == "Действует"
    assert r[5].date() == date(2025, 9, 1) and r[6].date() == date(2026, 5, 31)
    assert r[7:] == (1, 2, 1)


def _workbook(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["Наставник", "Наставляемый", "Форма", "Начало", "Окончание", "Школа наставника"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _rows(session):
    young = _forms(session)["teacher_young"]
    tt = _forms(session)["teacher_teacher"]
    return [
        ["Иванова Анна Петровна", "Петрова Ольга Петровна", young, date(2025, 9, 1), date(2026, 5, 31), None],
        ["Иванова Анна Петровна", "Неизвестная Ирина Ивановна", young, date(2025, 9, 1), None, None],  # row 3
        [
            "Кузнецова Елена Петровна",
            "Петрова Ольга Петровна; Сидорова Мария Петровна",
            tt,
            "01.10.2025",
            "31.05.2026",
            "СОШ № 2",
        ],
        ["Кузнецова Елена Петровна", "Сидорова Мария Петровна", tt, None, None, None],  # row 5: namesake
        [
            "Иванова Анна Петровна",
            "Иванова Анна Петровна",
            "такой формы нет",
            "32.13.2025",
            None,
            None,
        ],  # row 6
        ["Иванова Анна Петровна", "Сидорова Мария Петровна", young, date(2026, 5, 1), date(2025, 9, 1), None],
    ]


def test_import_with_bad_rows_is_refused_and_writes_nothing(session, people, tmp_path):
    path = _workbook(tmp_path / "in.xlsx", _rows(session))
    with pytest.raises(ImportRefused) as exc:
        files.import_pairs(session, path)
    errors = exc.value.errors
    assert {e.row for e in errors} == {3, 5, 6, 7}
    text = "\n".join(map(str, errors))
    assert "Неизвестная Ирина Ивановна" in text and "несколько педагогов" in text
    assert "самому себе" in text and "форма наставничества" in text and "не дата" in text
    assert "раньше даты начала" in text
    assert "строки: 3, 5, 6, 7" in str(exc.value)
    assert session.scalar(select(func.count()).select_from(MentorPair)) == 0


def test_import_valid_only_writes_the_good_rows_as_drafts(session, people, tmp_path):
    path = _workbook(tmp_path / "in.xlsx", _rows(session))
    result = files.import_pairs(session, path, valid_only=True)
    assert len(result.created) == 2 and {e.row for e in result.errors} == {3, 5, 6, 7}
    pairs = list(session.scalars(select(MentorPair).order_by(MentorPair.id)))
    assert [p.status for p in pairs] == ["draft", "draft"]
    assert pairs[0].mentor_id == people["mentor"].id and ps.mentee_id_list(pairs[0]) == [people["young"].id]
    assert pairs[1].mentor_id == people["twin2"].id  # the namesake told apart by the school
    assert ps.mentee_id_list(pairs[1]) == [people["young"].id, people["young2"].id]
    assert pairs[1].date_from == date(2025, 10, 1) and pairs[1].form_code == "teacher_teacher"
    assert session.scalar(select(func.count()).select_from(MentorMeeting)) == 0
