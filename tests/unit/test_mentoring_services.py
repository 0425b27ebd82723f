"""Mentoring services: school partnerships (seed 003 Table 1) and teacher pairs (services.mentoring)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from moc_desktop.db.models import Person, School, SchoolStatus, Setting
from moc_desktop.services.common import ValidationError, current_school_year
from moc_desktop.services.diagnostics import cards
from moc_desktop.services.docs import orders
from moc_desktop.services.mentoring import pairs as ps
from moc_desktop.services.mentoring import partnerships as pt

TODAY = date(2025, 3, 10)

# seed 003 Table 1 (lines 449–452)
SEED_TABLE = [
    (
        "Муниципальное казенное общеобразовательное учреждение «Карымкарская средняя общеобразовательная школа»",
        "Хургунова Светлана Яковлевна",
        "Муниципальное казенное общеобразовательное учреждение «Уньюганская средняя общеобразовательная школа № 1»",
        "Кнотиков Артем Петрович",
    ),
    (
        "Муниципальное казенное общеобразовательное учреждение «Нижне-Нарыкарская средняя общеобразовательная школа»",
        "Воробьев Владимир Анатольевич",
        "Муниципальное казенное общеобразовательное учреждение «Шеркальская средняя общеобразовательная школа»",
        "Коржов Сергей Алексеевич",
    ),
    (
        "Муниципальное казенное общеобразовательное учреждение «Перегребинская средняя общеобразовательная школа № 1»",
        "Ткач Елена Николаевна",
        "Муниципальное казенное общеобразовательное учреждение «Чемашинская средняя общеобразовательная школа»",
        "и.о. директора Ахременко Татьяна Андреевна",
    ),
]


def _school(
    session, full_name: str, director: str, status: str | None = None, year: str | None = None
) -> School:
    post = "директор"
    if director.startswith("и.о. директора "):
        post, director = "и.о. директора", director.removeprefix("и.о. директора ")
    short = full_name.split("«")[1].split(" ")[0]
    s = School(short_name=short, full_name=full_name, director_name=director, director_post=post)
    session.add(s)
    session.flush()
    if status:
        session.add(
            SchoolStatus(school_id=s.id, school_year=year or current_school_year(), status_code=status)
        )
        session.flush()
    return s


def _seed_partners(session) -> list:
    out = []
    for m_name, m_dir, s_name, s_dir in SEED_TABLE:
        mentor = _school(session, m_name, m_dir, "mentor")
        mentee = _school(session, s_name, s_dir, "shnor")
        p = pt.save_partnership(
            session,
            {
                **pt.new_partnership_data(),
                "mentor_school_id": mentor.id,
                "mentee_school_id": mentee.id,
                "date_from": date(2020, 5, 20),
                "agreement_number": "1",
                "agreement_date": date(2020, 5, 20),
            },
        )
        out.append(p)
    return out


def _person(session, last: str, school: School | None = None, exp: int | None = 10, **kw) -> Person:
    p = Person(
        last_name=last,
        first_name="Анна",
        middle_name="Петровна",
        school_id=school.id if school else None,
        experience_years=exp,
        positions="учитель",
        **kw,
    )
    session.add(p)
    session.flush()
    return p


def _pair_data(mentor: Person, *mentees: Person, form: str = "teacher_teacher", **kw) -> dict:
    return {
        **ps.new_pair_data(),
        "form_code": form,
        "mentor_id": mentor.id,
        "mentee_ids": [m.id for m in mentees],
        "date_from": date(2024, 9, 1),
        **kw,
    }


# --- transitions ----------------------------------------------------------------------------------------------

ALLOWED = {("draft", "active"), ("draft", "terminated"), ("active", "completed"), ("active", "terminated")}


@pytest.mark.parametrize("old", list(ps.STATUSES))
@pytest.mark.parametrize("new", list(ps.STATUSES))
def test_transitions_table(old, new):
    result = ps.can_transition(old, new)
    if (old, new) in ALLOWED:
        assert result is None
    else:
        assert isinstance(result, str) and result
        assert any("а" <= ch <= "я" for ch in result.lower())  # a Russian reason


def test_transition_messages():
    assert "окончательный" in ps.can_transition("completed", "active")
    assert "окончательный" in ps.can_transition("terminated", "draft")
    assert "проект" in ps.can_transition("active", "draft")
    assert "уже" in ps.can_transition("active", "active")
    assert "Неизвестный" in ps.can_transition("draft", "paused")


# --- load -----------------------------------------------------------------------------------------------------


def test_load_warning_at_and_over_limit():
    assert ps.load_warning(2, 3) is None
    assert "предельная нагрузка (3)" in ps.load_warning(3, 3)
    assert "больше предельной" in ps.load_warning(4, 3)
    assert ps.load_warning(10, 0) is None


def test_mentor_load_and_setting(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    mentor = _person(session, "Наставникова", school)
    mentees = [_person(session, f"Молодая{i}", school, exp=1) for i in range(3)]
    assert ps.max_mentees(session) == 3
    pair = ps.save_pair(session, _pair_data(mentor, mentees[0], mentees[1]))
    assert ps.mentor_load(session, mentor.id) == 0  # a draft is not load
    ps.set_status(session, pair, "active")
    assert ps.mentor_load(session, mentor.id) == 2
    warnings = ps.pair_warnings(session, _pair_data(mentor, mentees[2], form="teacher_young"))
    assert any("предельная нагрузка (3)" in w for w in warnings)
    session.add(Setting(key="mentoring.max_mentees", value="5"))
    session.flush()
    assert ps.max_mentees(session) == 5
    assert ps.pair_warnings(session, _pair_data(mentor, mentees[2], form="teacher_young")) == []


# --- pairs: validation and statuses ----------------------------------------------------------------------------


def test_pair_validation_messages(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    mentor = _person(session, "Наставникова", school)
    with pytest.raises(ValidationError) as e:
        ps.save_pair(session, {**ps.new_pair_data(), "mentor_id": mentor.id, "mentee_ids": [mentor.id]})
    assert e.value.errors["form_code"] == "Выберите форму наставничества."
    assert e.value.errors["mentee_ids"] == "Наставник не может быть наставником самому себе."
    with pytest.raises(ValidationError) as e:
        ps.save_pair(session, {**ps.new_pair_data(), "form_code": "teacher_teacher"})
    assert e.value.errors == {
        "mentor_id": "Выберите наставника.",
        "mentee_ids": "Добавьте хотя бы одного наставляемого.",
    }
    mentee = _person(session, "Молодая", school, exp=1)
    with pytest.raises(ValidationError) as e:
        ps.save_pair(
            session,
            _pair_data(
                mentor,
                mentee,
                date_from=date(2025, 1, 1),
                date_to=date(2024, 1, 1),
                plan=[{"task": ""}, {"task": "x", "status": "maybe"}],
            ),
        )
    assert e.value.errors["date_to"] == "Дата окончания раньше даты начала."
    assert e.value.errors["plan[0]"] == "Задача 1 плана пуста."
    assert "статус" in e.value.errors["plan[1]"]


def test_pair_lifecycle(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    mentor = _person(session, "Наставникова", school)
    mentee = _person(session, "Молодая", school, exp=1)
    pair = ps.save_pair(session, _pair_data(mentor, mentee, date_from=None))
    assert pair.status == "draft"
    with pytest.raises(ValidationError) as e:
        ps.set_status(session, pair, "completed")
    assert e.value.errors["status"] == "Завершить можно только действующую пару."
    ps.set_status(session, pair, "active", on=TODAY)
    assert pair.status == "active" and pair.date_from == TODAY
    with pytest.raises(ValidationError) as e:
        ps.set_status(session, pair, "terminated")
    assert e.value.errors["status_reason"] == "Укажите причину прекращения наставничества."
    ps.set_status(session, pair, "terminated", reason="увольнение наставника", on=TODAY)
    assert pair.status_reason == "увольнение наставника" and pair.date_to == TODAY
    with pytest.raises(ValidationError):
        ps.set_status(session, pair, "active")
    # a final pair changes only its evaluation
    ps.save_pair(session, {**ps.pair_data(pair), "evaluation": "Цели достигнуты частично."}, pair)
    assert pair.evaluation == "Цели достигнуты частично."
    with pytest.raises(ValidationError) as e:
        ps.save_pair(session, {**ps.pair_data(pair), "goal": "другая цель"}, pair)
    assert "только итоговая оценка" in e.value.errors["status"]
    # draft → terminated is allowed with a reason
    other = ps.save_pair(session, _pair_data(mentor, mentee))
    ps.set_status(session, other, "terminated", reason="пара не сформирована")
    assert other.status == "terminated"


def test_mentee_in_two_active_pairs_of_same_form(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    m1, m2 = _person(session, "Первая", school), _person(session, "Вторая", school)
    mentee = _person(session, "Молодая", school, exp=1)
    p1 = ps.save_pair(session, _pair_data(m1, mentee))
    ps.set_status(session, p1, "active")
    p2 = ps.save_pair(session, _pair_data(m2, mentee))  # a draft: only a warning
    assert any("уже в действующей паре" in w for w in ps.pair_warnings(session, ps.pair_data(p2), p2))
    with pytest.raises(ValidationError) as e:
        ps.set_status(session, p2, "active")
    assert "Молодая А.П. уже в действующей паре той же формы" in e.value.errors["mentee_ids"]
    p3 = ps.save_pair(session, _pair_data(m2, mentee, form="teacher_young"))  # another form is fine
    ps.set_status(session, p3, "active")
    assert p3.status == "active"


# --- plan, meetings -------------------------------------------------------------------------------------------


def test_plan_from_deficits(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    mentee = _person(session, "Молодая", school, exp=1)
    assert ps.plan_from_deficits(session, mentee.id) == []
    tpl = cards.template(session)
    codes = tpl.codes
    camp_old = cards.save_campaign(
        session, {"title": "Входная", "school_year": "2023/2024", "stage": "entry", "school_ids": [school.id]}
    )
    cards.save_card(session, camp_old, mentee.id, {"shmo": {codes[0]: 0}})
    camp = cards.save_campaign(
        session,
        {"title": "Итоговая", "school_year": "2024/2025", "stage": "final", "school_ids": [school.id]},
    )
    full = {c: 2 for c in codes}
    scores = {
        "self": dict(full),
        "shmo": {**full, codes[1]: 0, codes[3]: 1},
        "deputy": {**full, codes[3]: 0, codes[5]: 0},
    }
    cards.save_card(session, camp, mentee.id, scores)
    tasks = ps.plan_from_deficits(session, mentee.id, deadline=date(2025, 5, 31))
    assert [t["criterion"] for t in tasks] == [codes[1], codes[3], codes[5]]
    by_code = {c.code: c.title for c in tpl.criteria}
    assert tasks[0]["task"].endswith(by_code[codes[1]])
    assert all(t["status"] == "planned" and t["deadline"] == date(2025, 5, 31) for t in tasks)
    # the tasks save as the pair's plan
    mentor = _person(session, "Наставникова", school)
    pair = ps.save_pair(session, _pair_data(mentor, mentee, plan=tasks))
    assert ps.pair_data(pair)["plan"][0]["deadline"] == "2025-05-31"


def test_task_status_derived():
    assert ps.task_status({"deadline": "2025-03-01", "status": "planned"}, TODAY) == "overdue"
    assert ps.task_status({"deadline": "2025-03-01", "status": "done"}, TODAY) == "done"
    assert ps.task_status({"deadline": "2025-03-10", "status": "planned"}, TODAY) == "planned"
    assert ps.task_status({"deadline": None}, TODAY) == "planned"


def test_meetings(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    pair = ps.save_pair(
        session, _pair_data(_person(session, "Наставникова", school), _person(session, "Молодая", school))
    )
    with pytest.raises(ValidationError) as e:
        ps.save_meeting(session, pair, {"date": TODAY, "topic": "Анализ урока"})
    assert "действующей паре" in e.value.errors["pair"]
    ps.set_status(session, pair, "active")
    with pytest.raises(ValidationError) as e:
        ps.save_meeting(session, pair, {"date": None, "topic": " ", "rating": 6, "duration_min": 0})
    assert e.value.errors == {
        "date": "Укажите дату встречи.",
        "topic": "Укажите тему встречи.",
        "rating": "Оценка — целое число от 1 до 5.",
        "duration_min": "Продолжительность — минуты, от 1 до 1440.",
    }
    m = ps.save_meeting(
        session,
        pair,
        {"date": TODAY, "duration_min": 45, "form": "анализ урока", "topic": "Урок", "rating": 5},
    )
    assert [x.id for x in ps.list_meetings(session, pair.id)] == [m.id]


# --- dashboards -----------------------------------------------------------------------------------------------


def test_dashboards(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    m1, m2 = _person(session, "Первая", school), _person(session, "Вторая", school)
    y1, y2, y3 = (_person(session, f"Молодая{i}", school, exp=1) for i in range(3))
    _person(session, "Опытная", school, exp=20)
    _person(session, "Назначенная", school, exp=15, young_specialist=True)  # set by hand: young too
    old = TODAY - timedelta(days=60)
    p1 = ps.save_pair(
        session,
        _pair_data(
            m1,
            y1,
            date_from=old,
            plan=[
                {"task": "Просроченная", "deadline": date(2025, 2, 1)},
                {"task": "Сделанная", "deadline": date(2025, 2, 1), "status": "done"},
                {"task": "Будущая", "deadline": date(2025, 4, 1)},
            ],
        ),
    )
    p2 = ps.save_pair(session, _pair_data(m2, y2, form="teacher_young", date_from=old))
    p3 = ps.save_pair(session, _pair_data(m2, y3, date_from=TODAY - timedelta(days=5)))
    ps.save_pair(session, _pair_data(m1, y3, form="teacher_young"))  # a draft
    for p in (p1, p2, p3):
        ps.set_status(session, p, "active")
    ps.save_meeting(session, p2, {"date": TODAY - timedelta(days=10), "topic": "Встреча"})
    ps.save_meeting(session, p1, {"date": TODAY - timedelta(days=45), "topic": "Давняя встреча"})

    assert ps.pairs_by_status_form(session) == {
        ("active", "teacher_teacher"): 2,
        ("active", "teacher_young"): 1,
        ("draft", "teacher_young"): 1,
    }
    overdue = ps.overdue_tasks(session, TODAY)
    assert [(t.pair_id, t.task, t.deadline) for t in overdue] == [(p1.id, "Просроченная", date(2025, 2, 1))]
    assert overdue[0].mentor == "Первая А.П."
    silent = ps.silent_pairs(session, TODAY)
    assert [(s.pair_id, s.last_meeting) for s in silent] == [(p1.id, TODAY - timedelta(days=45))]
    cov = ps.young_coverage(session)
    assert (cov.total, cov.covered) == (4, 3)
    assert cov.share == pytest.approx(0.75)


def test_shnor_coverage(session):
    year = current_school_year()
    mentor = _school(session, "МКОУ «Лидер СОШ»", "А", "mentor")
    a = _school(session, "МКОУ «Альфа СОШ»", "Б", "shnor")
    _school(session, "МКОУ «Бета СОШ»", "В", "shnor")
    _school(session, "МКОУ «Гамма СОШ»", "Г", "shnor", year="2019/2020")  # not this year
    assert pt.shnor_coverage(session).share == 0
    p = pt.save_partnership(
        session, {**pt.new_partnership_data(), "mentor_school_id": mentor.id, "mentee_school_id": a.id}
    )
    cov = pt.shnor_coverage(session, year)
    assert (cov.total, cov.covered, cov.share) == (2, 1, 0.5)
    p.status = "completed"
    assert pt.shnor_coverage(session).covered == 0
    assert pt.Coverage(0, 0).share is None


# --- partnerships ---------------------------------------------------------------------------------------------


def test_partnership_validation_and_warning(session):
    a = _school(session, "МКОУ «Альфа СОШ»", "Б")
    b = _school(session, "МКОУ «Бета СОШ»", "В")
    with pytest.raises(ValidationError) as e:
        pt.save_partnership(
            session, {**pt.new_partnership_data(), "mentor_school_id": a.id, "mentee_school_id": a.id}
        )
    assert e.value.errors == {"mentee_school_id": "Школа не может быть наставником самой себе."}
    with pytest.raises(ValidationError) as e:
        pt.save_partnership(
            session,
            {
                **pt.new_partnership_data(),
                "date_from": date(2021, 1, 1),
                "date_to": date(2020, 1, 1),
                "status": "paused",
                "agreement_number": "7",
                "roadmap": [{"what": ""}, {"what": "Семинар", "status": "later"}],
            },
        )
    errs = e.value.errors
    assert errs["mentor_school_id"] == "Выберите школу-«наставника»."
    assert errs["date_to"] == "Дата окончания раньше даты начала."
    assert errs["agreement_date"] == "Укажите дату соглашения."
    assert "status" in errs and "roadmap[0]" in errs and "roadmap[1]" in errs
    data = {
        **pt.new_partnership_data(),
        "mentor_school_id": a.id,
        "mentee_school_id": b.id,
        "roadmap": [
            {"what": "Корпоративный семинар", "when": date(2025, 4, 1), "who": "Иванов", "expected": "ИОМ"}
        ],
    }
    warnings = pt.partnership_warnings(session, data)
    assert len(warnings) == 1 and "нет статуса ШНОР или ШНСУ" in warnings[0]
    p = pt.save_partnership(session, data)  # a warning does not block
    assert pt.partnership_data(p)["roadmap"][0] == {
        "what": "Корпоративный семинар",
        "when": "2025-04-01",
        "who": "Иванов",
        "expected": "ИОМ",
        "status": "planned",
    }
    assert pt.roadmap_rows(p)[0][2] == "01.04.2025"
    with pytest.raises(ValidationError) as e:
        pt.save_partnership(session, data)
    assert e.value.errors["mentee_school_id"] == "Такое партнёрство уже действует."
    session.add(SchoolStatus(school_id=b.id, school_year="2019/2020", status_code="shnsu"))
    session.flush()
    assert pt.partnership_warnings(session, data) == []


def test_partnership_events(session):
    (p, *_rest) = _seed_partners(session)
    with pytest.raises(ValidationError) as e:
        pt.save_event(session, p, {"date": None, "format": "пикник", "topic": "", "participants": -1})
    assert e.value.errors == {
        "date": "Укажите дату мероприятия.",
        "format": "Выберите форму взаимодействия из списка.",
        "topic": "Укажите тему мероприятия.",
        "participants": "Число участников — целое неотрицательное число.",
    }
    pt.save_event(
        session, p, {"date": date(2020, 10, 2), "format": "выездной «Методический день»", "topic": "ВПР"}
    )
    pt.save_event(
        session,
        p,
        {
            "date": date(2020, 9, 1),
            "format": "консультация",
            "topic": "Анализ",
            "participants": 12,
            "result": "План",
        },
    )
    assert [e.format for e in pt.list_events(session, p.id)] == [
        "консультация",
        "выездной «Методический день»",
    ]
    row = pt.list_partnerships(session)[0]
    assert row.events == 2 and row.agreement == "Соглашение о сетевом взаимодействии № 1 от 20.05.2020"
    assert pt.events_by_format(session) == {"консультация": 1, "выездной «Методический день»": 1}


def test_partners_table_rows_equal_data(session):
    _seed_partners(session)
    headers, rows = pt.partners_table_rows(session)
    assert headers == [
        "Общеобразовательные организации «НАСТАВНИКИ»",
        "Руководитель общеобразовательной организации",
        "Общеобразовательные организации С НИЗКИМИ ОБРАЗОВАТЕЛЬНЫМИ РЕЗУЛЬТАТАМИ",
        "Руководитель общеобразовательной организации",
    ]
    assert [tuple(r) for r in rows] == SEED_TABLE


def test_partners_docx_and_xlsx(session, tmp_path):
    import docx
    import openpyxl

    _seed_partners(session)
    out = pt.partners_docx(session, tmp_path / "партнеры.docx")
    d = docx.Document(str(out))
    tables = [t for t in d.tables if t.rows and "НАСТАВНИКИ" in t.rows[0].cells[0].text]
    assert tables, "the partners table is in the document"
    t = tables[0]
    assert [c.text for c in t.rows[0].cells] == pt.TABLE_HEADERS
    assert [tuple(c.text for c in r.cells) for r in t.rows[1:]] == SEED_TABLE
    assert any("СПИСОК «ПАРТНЕРОВ»" in p.text for p in d.paragraphs)

    x = pt.partners_xlsx(session, tmp_path / "партнеры.xlsx")
    ws = openpyxl.load_workbook(x).active
    values = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert list(values[0]) == pt.TABLE_HEADERS
    assert values[1:] == SEED_TABLE


# --- orders from data -----------------------------------------------------------------------------------------


def test_network_order_saves(session):
    _seed_partners(session)
    data = pt.network_order(session)
    order = orders.save_order(session, data)
    stored = orders.order_data(order)
    assert stored["title"] == "Об организации сетевого взаимодействия"
    ap = stored["appendices"][0]
    assert ap["headers"] == pt.TABLE_HEADERS and [tuple(r) for r in ap["rows"]] == SEED_TABLE
    assert "Список «партнеров» сетевого взаимодействия" in orders.build_document(session, order).all_text()


def test_mentors_order_saves(session):
    school = _school(session, "МКОУ «Альфа СОШ»", "Иванов И.И.")
    mentor = _person(session, "Наставникова", school)
    mentee = _person(session, "Молодая", school, exp=1)
    ps.save_pair(session, _pair_data(mentor, mentee, date_from=date(2024, 9, 1), date_to=date(2025, 5, 31)))
    order = orders.save_order(session, ps.mentors_order(session))
    stored = orders.order_data(order)
    assert stored["title"] == "О закреплении наставников"
    ap = stored["appendices"][0]
    assert ap["headers"] == ["№ п/п", "Наставник", "Должность, ОО", "Наставляемый", "Форма", "Срок"]
    assert ap["rows"] == [
        [
            "1",
            "Наставникова Анна Петровна",
            "учитель, Альфа",
            "Молодая Анна Петровна",
            "учитель – учитель",
            "01.09.2024 – 31.05.2025",
        ]
    ]
