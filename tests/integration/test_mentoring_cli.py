"""``moc-desktop-cli mentoring suggest|pairs`` as the user runs it: real subprocesses, JSON only on stdout with
``--format json``, Russian refusals with exit code 1 and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from moc_desktop.db.engine import open_database
from moc_desktop.db.models import MentorPair, SchoolPartnership
from moc_desktop.services import schools, staff
from moc_desktop.services.diagnostics import cards


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "m.sqlite3"


@pytest.fixture
def people(db_file, tmp_path) -> dict[str, str]:
    """A small municipality: a mentee with deficits 1.3 and 3.2, two mentors with cards, one teacher without a
    card, a partnership and an active pair. Returns last name → uuid."""
    engine, factory = open_database(f"sqlite:///{db_file}", tmp_path / "backups")
    with factory() as s:
        a = schools.save_school(s, {"short_name": "МКОУ «Шеркальская СОШ»"})
        b = schools.save_school(s, {"short_name": "МКОУ «Уньюганская СОШ № 1»"})

        def person(last, school, **kw):
            return staff.save_person(
                s, {"last_name": last, "first_name": "Анна", "school_id": school.id, **kw}
            )

        mentee = person("Молодова", b, subjects="математика", experience_years=1)
        ivanova = person("Иванова", a, subjects="математика", category="высшая", experience_years=22)
        petrova = person("Петрова", b, subjects="русский язык", experience_years=4)
        nocard = person("Кузнецова", a, subjects="математика")
        camp = cards.save_campaign(s, {"title": "Входная", "school_year": "2025/2026", "stage": "entry"})
        tpl = cards.template(s)
        for p, zero in ((mentee, ("1.3", "3.2")), (ivanova, ()), (petrova, ("3.2",))):
            ext = {c: 0 if c in zero else 2 for c in tpl.codes}
            cards.save_card(s, camp, p.id, {"self": dict.fromkeys(tpl.codes, 2), "shmo": ext, "deputy": ext})
        s.add(SchoolPartnership(mentor_school_id=a.id, mentee_school_id=b.id, status="active"))
        s.add(
            MentorPair(
                form_code="teacher_young",
                mentor_id=ivanova.id,
                mentee_ids=json.dumps([petrova.id]),
                status="active",
                date_from=date(2025, 9, 1),
            )
        )
        s.commit()
        out = {p.last_name: p.uuid for p in (mentee, ivanova, petrova, nocard)}
    engine.dispose()
    return out


@pytest.fixture
def run(tmp_path, data_home, db_file):
    def _run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "MOC_DESKTOP_HOME": str(data_home), "PYTHONIOENCODING": "utf-8"}
        env.pop("PYTHONWARNINGS", None)
        proc = subprocess.run(
            [sys.executable, "-m", "moc_desktop.cli", "--db", str(db_file), *map(str, args)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            encoding="utf-8",
            timeout=120,
        )
        for t in (proc.stdout, proc.stderr):
            assert "Traceback" not in t and "Внутренняя ошибка" not in t, t
        return proc

    return _run


def test_suggest_json(run, people):
    proc = run("mentoring", "suggest", "--mentee", people["Молодова"], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # JSON only
    assert data["mentee"]["uuid"] == people["Молодова"]
    assert [d["code"] for d in data["deficits"]] == ["1.3", "3.2"]
    sug = data["suggestions"]
    assert [x["uuid"] for x in sug] == [people["Иванова"], people["Петрова"]]  # no card: not suggested
    assert sug[0]["covers"] == ["1.3", "3.2"] and sug[1]["covers"] == ["1.3"]
    assert sug[0]["score"] > sug[1]["score"]
    assert "школа-партнёр" in sug[0]["reasons"] and "нагрузка 1 из 3" in sug[0]["reasons"]


def test_suggest_text_and_limit(run, people):
    proc = run("mentoring", "suggest", "--mentee", people["Молодова"], "--limit", "1")
    assert proc.returncode == 0, proc.stderr
    assert "Иванова А." in proc.stdout and "Петрова А." not in proc.stdout
    assert "закрывает дефициты 1.3, 3.2" in proc.stdout


@pytest.mark.parametrize("fmt", [(), ("--format", "json")])
def test_suggest_refusals(run, people, fmt):
    unknown = run("mentoring", "suggest", "--mentee", "00000000-0000-0000-0000-000000000000", *fmt)
    nocard = run("mentoring", "suggest", "--mentee", people["Кузнецова"], *fmt)
    for proc, text in ((unknown, "не найден"), (nocard, "нет диагностической карты")):
        assert proc.returncode == 1
        if fmt:
            data = json.loads(proc.stdout)
            assert data["status"] == "refused" and text in data["message"]
        else:
            assert text in proc.stderr and proc.stdout == ""


def test_pairs(run, people):
    proc = run("mentoring", "pairs", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    [pair] = json.loads(proc.stdout)
    assert pair["mentor"]["uuid"] == people["Иванова"]
    assert [m["uuid"] for m in pair["mentees"]] == [people["Петрова"]]
    assert pair["form"] == "teacher_young" and pair["status"] == "active"
    assert pair["date_from"] == "2025-09-01" and pair["date_to"] is None and pair["uuid"]
    assert json.loads(run("mentoring", "pairs", "--status", "completed", "--format", "json").stdout) == []
    text = run("mentoring", "pairs")
    assert text.returncode == 0 and "Иванова А. → Петрова А." in text.stdout
