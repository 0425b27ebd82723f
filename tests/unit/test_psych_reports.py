"""Aggregates of the psychologist's journal: the children-served rule, the summary, the annual .docx/.xlsx."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook
from sqlalchemy import insert

from moc_desktop.db.engine import session_scope
from moc_desktop.db.models import PsychSession, new_uuid
from moc_desktop.services import auth, schools, settings
from moc_desktop.services.common import ValidationError
from moc_desktop.services.psych import journal, reports
from moc_desktop.services.psych.journal import JournalFilter, SessionData

PASSWORD = "psy-secret-1"
SHERKALY = "МКОУ «Шеркальская СОШ»"
ANDRA = "МБОУ «Андринская СОШ»"


def make_user(factory, login: str, role: str, full_name: str) -> auth.Principal:
    with session_scope(factory) as s:
        auth.create_user(s, login, full_name, role, PASSWORD)
    with session_scope(factory) as s:
        return auth.authenticate(s, login, PASSWORD)


@pytest.fixture
def psy(factory):
    return make_user(factory, "psy", "psychologist", "Иванова Мария Петровна")


def entry(held_on: date, kind="consultation", category="pupil", code="", form="individual", size=1, **kw):
    return SessionData(
        held_on=held_on,
        kind=kind,
        client_category=category,
        client_class="5А" if category == "pupil" else "",
        client_code=code,
        form=form,
        group_size=size,
        **kw,
    )


# --- the rule -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coded", "uncoded_groups", "expected"),
    [
        (set(), [], 0),
        ({"О-0001"}, [], 1),
        ({"О-0001", "О-0002"}, [12], 14),
        (set(), [12, 8], 20),
        (3, 25, 28),
    ],
)
def test_children_served_rule(coded, uncoded_groups, expected):
    assert reports.children_served_rule(coded, uncoded_groups) == expected


# (entries of the period, expected children served)
CASES = [
    ([], 0),
    # the same pupil three times counts once
    ([("pupil", "О-0001", "individual", 1)] * 3, 1),
    ([("pupil", "О-0001", "individual", 1), ("pupil", "О-0002", "individual", 1)], 2),
    # a coded group entry counts its code (the group's participants are the one client behind the code)
    ([("pupil", "О-0001", "individual", 1), ("pupil", "О-0001", "group", 6)], 1),
    # uncoded pupil groups add their size
    ([("pupil", "", "group", 12), ("pupil", "", "group", 8)], 20),
    ([("pupil", "О-0001", "individual", 1), ("pupil", "", "group", 12)], 13),
    # parents, teachers, administration are not children
    (
        [
            ("parent", "Р-0001", "individual", 1),
            ("teacher", "", "group", 20),
            ("admin", "А-0001", "individual", 1),
        ],
        0,
    ),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_children_served_in_summary(factory, psy, rows, expected):
    with session_scope(factory) as s:
        for i, (cat, code, form, size) in enumerate(rows):
            journal.save_session(
                s,
                psy,
                entry(date(2025, 10, 1) + timedelta(days=i), category=cat, code=code, form=form, size=size),
            )
        got = reports.summary(s, psy, *reports.school_year_bounds("2025/2026"))
        assert got.children_served == expected
        assert got.sessions == len(rows)
        assert got.participants == sum(r[3] for r in rows)


def test_school_year_bounds():
    assert reports.school_year_bounds("2025/2026") == (date(2025, 9, 1), date(2026, 8, 31))
    assert reports.school_year_bounds("2024-25") == (date(2024, 9, 1), date(2025, 8, 31))
    with pytest.raises(ValidationError):
        reports.school_year_bounds("2025/2027")


# --- summary and the reports --------------------------------------------------------------------------------------


@pytest.fixture
def year_data(factory, psy):
    """2025/2026: 6 entries at Шеркалы, 2 at Андра, 2 in the МОЦ; one deleted and one outside the year."""
    with session_scope(factory) as s:
        a = schools.save_school(s, {"short_name": SHERKALY})
        b = schools.save_school(s, {"short_name": ANDRA})
        s.flush()
        put = lambda **kw: journal.save_session(s, psy, entry(**kw))  # noqa: E731
        put(held_on=date(2025, 9, 5), code="О-0001", school_id=a.id, duration_min=60, request="секрет-запрос")
        put(held_on=date(2025, 9, 12), code="О-0001", school_id=a.id, kind="diagnostics", duration_min=30)
        put(held_on=date(2025, 10, 3), code="О-0002", school_id=a.id, kind="correction")
        put(
            held_on=date(2025, 11, 20),
            school_id=a.id,
            form="group",
            size=12,
            kind="prevention",
            duration_min=90,
        )
        put(held_on=date(2026, 2, 2), category="parent", code="Р-0001", school_id=a.id)
        put(
            held_on=date(2026, 2, 3),
            category="teacher",
            form="group",
            size=15,
            school_id=a.id,
            kind="education",
        )
        put(held_on=date(2026, 3, 10), code="О-0003", school_id=b.id, kind="council")
        put(held_on=date(2026, 3, 11), code="О-0001", school_id=b.id)  # the same pupil at another school
        put(held_on=date(2026, 4, 1), code="О-0004")
        put(held_on=date(2026, 4, 2), category="admin", code="А-0001", kind="expertise")
        gone = put(held_on=date(2026, 4, 3), code="О-0099")
        journal.delete_session(s, psy, gone)
        put(held_on=date(2025, 8, 31), code="О-0098")  # the previous school year
    return {"a": a.id, "b": b.id}


def test_summary_counts(factory, psy, year_data):
    meth = make_user(factory, "meth", "methodist", "Петрова Анна Сергеевна")
    with session_scope(factory) as s:
        got = reports.summary(s, meth, *reports.school_year_bounds("2025/2026"))
    assert got.sessions == 10
    assert got.hours == round((60 + 30 + 90 + 45 * 7) / 60, 1)
    assert got.participants == 12 + 15 + 8
    assert got.children_served == 4 + 12  # О-0001..О-0004 once each, the uncoded pupil group of 12
    assert list(got.by_kind) == list(journal.KINDS)
    assert got.by_kind == {
        "consultation": 4,
        "diagnostics": 1,
        "correction": 1,
        "education": 1,
        "prevention": 1,
        "expertise": 1,
        "council": 1,
    }
    assert got.by_category == {"pupil": 7, "parent": 1, "teacher": 1, "admin": 1}
    assert got.by_form == {"individual": 8, "group": 2}
    assert got.by_school == [(ANDRA, 2, 2), (SHERKALY, 6, 2 + 12), ("МОЦ / без школы", 2, 1)]
    assert [m for m, _n in got.by_month] == [
        "09.2025", "10.2025", "11.2025", "12.2025", "01.2026", "02.2026",
        "03.2026", "04.2026", "05.2026", "06.2026", "07.2026", "08.2026",
    ]  # fmt: skip
    assert dict(got.by_month) == {**{m: 0 for m, _n in got.by_month}, "09.2025": 2, "10.2025": 1, "11.2025": 1,
                                  "02.2026": 2, "03.2026": 2, "04.2026": 2}  # fmt: skip
    with session_scope(factory) as s, pytest.raises(ValidationError):
        reports.summary(s, meth, date(2026, 1, 1), date(2025, 1, 1))
    with session_scope(factory) as s, pytest.raises(auth.AccessDenied):
        reports.summary(s, None, date(2025, 1, 1), date(2026, 1, 1))


def test_annual_report_docx(factory, psy, year_data, tmp_path):
    head = make_user(factory, "boss", "head", "Сидорова Ольга Ивановна")
    with session_scope(factory) as s:
        settings.set_value(s, "moc_name", "МКУ «Центр развития образования Октябрьского района»")
    with session_scope(factory) as s:
        out = reports.write_annual_report_docx(s, head, "2025/2026", tmp_path / "отчёт.docx")
    doc = DocxDocument(out)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Отчёт о работе педагога-психолога за 2025/2026 учебный год" in text
    assert "Обследовано и проконсультировано 16 обучающихся." in text
    assert "проведено 10 мероприятий" in text
    cells = {tuple(c.text for c in row.cells) for t in doc.tables for row in t.rows}
    assert ("консультация", "4", "40,0") in cells
    assert ("обучающийся", "7", "70,0") in cells
    assert (SHERKALY, "6", "14") in cells
    assert ("МОЦ / без школы", "2", "1") in cells
    assert ("09.2025", "2") in cells and ("12.2025", "0") in cells
    everything = text + " ".join(c for row in cells for c in row)
    assert "МКУ «Центр развития образования Октябрьского района»" in everything  # the МОЦ from the settings
    for secret in ("О-0001", "Р-0001", "секрет-запрос"):
        assert secret not in everything  # no codes, no notes
    assert any(r.reltype.endswith("/image") for r in doc.part.rels.values())  # the chart by month
    section = doc.sections[0]
    assert round(section.left_margin.cm) == 2 and round(section.page_width.cm) == 21  # A4, ГОСТ margins


def test_annual_report_xlsx(factory, psy, year_data, tmp_path):
    with session_scope(factory) as s:
        out = reports.write_annual_report_xlsx(s, psy, "2025/2026", tmp_path / "сводка.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == list(reports.SHEETS)
    summary = {r[0]: r[1] for r in wb["Сводка"].iter_rows(min_row=2, values_only=True)}
    assert summary["Обследовано и проконсультировано обучающихся"] == 16
    assert summary["Проведено мероприятий (консультаций, занятий, обследований)"] == 10
    kinds = {r[0]: r[1:] for r in wb["По видам работы"].iter_rows(min_row=2, values_only=True)}
    assert kinds["консультация"] == (4, 40.0)
    cats = {r[0]: r[1] for r in wb["По категориям"].iter_rows(min_row=2, values_only=True)}
    assert cats["родитель (законный представитель)"] == 1
    by_school = list(wb["По школам"].iter_rows(values_only=True))
    assert by_school[0][0] == "Образовательная организация"
    assert (SHERKALY, 6, 14) in by_school
    months = list(wb["По месяцам"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and months[0] == ("09.2025", 2)
    assert wb["По месяцам"].freeze_panes == "A2"
    every = " ".join(
        str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    assert "О-0001" not in every and "секрет" not in every


def test_empty_year_report(factory, psy, tmp_path):
    with session_scope(factory) as s:
        out = reports.write_annual_report_docx(s, psy, "2030/2031", tmp_path / "пусто.docx")
    text = "\n".join(p.text for p in DocxDocument(out).paragraphs)
    assert "записей в журнале педагога-психолога нет" in text


# --- scale --------------------------------------------------------------------------------------------------------


def test_aggregates_and_paging_are_right_at_60000_entries(factory, psy):
    kinds, cats = list(journal.KINDS), list(journal.CATEGORIES)
    start = date(2019, 9, 1)
    with session_scope(factory) as s:
        ids = []
        for i in range(12):
            sc = schools.save_school(s, {"short_name": f"МКОУ «Школа № {i + 1}»"})
            s.flush()
            ids.append(sc.id)
        rows = [
            {
                "uuid": new_uuid(),
                "psychologist_id": psy.user_id,
                "held_on": start + timedelta(days=i % 2500),
                "duration_min": 30 + i % 60,
                "school_id": ids[i % 12] if i % 13 else None,
                "client_category": cats[i % 4],
                "client_class": "7Б",
                "client_code": f"О-{i % 5000:04d}" if i % 7 else "",
                "form": "group" if i % 7 == 0 else "individual",
                "group_size": 10 if i % 7 == 0 else 1,
                "kind": kinds[i % 7],
            }
            for i in range(60_000)
        ]
        s.execute(insert(PsychSession), rows)
    with session_scope(factory) as s:
        # speed is measured by `make bench` («Журнал психолога»), never asserted here
        got = reports.summary(s, psy, date(2019, 9, 1), date(2026, 8, 31))
        assert got.sessions == 60_000 and sum(got.by_kind.values()) == 60_000
        codes = {r["client_code"] for r in rows if r["client_category"] == "pupil" and r["client_code"]}
        groups = sum(
            r["group_size"] for r in rows if r["client_category"] == "pupil" and not r["client_code"]
        )
        assert got.children_served == len(codes) + groups
        one_year = reports.summary(s, psy, *reports.school_year_bounds("2022/2023"))
        assert 0 < one_year.sessions < 60_000
        flt = JournalFilter()
        assert journal.count_sessions(s, psy, flt) == 60_000
        page = journal.list_sessions(s, psy, flt, offset=30_000, limit=200)
        assert len(page) == 200
        page = journal.list_sessions(s, psy, flt, offset=59_900, limit=200, sort="school", descending=False)
        assert len(page) == 100 and page[-1].school_name == "МКОУ «Школа № 9»"
