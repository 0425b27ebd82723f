"""``moc-desktop-cli diagnostics …`` as the user runs it (real subprocesses): JSON only on stdout for
``--format json``, refusals exit non-zero with a Russian message and never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from moc_desktop.db.engine import open_database
from moc_desktop.db.models import DiagCard
from moc_desktop.services import schools, staff
from moc_desktop.services.diagnostics import analytics, cards, scoring

YEAR = "2026/2027"
CYRILLIC = re.compile(r"[А-Яа-яЁё]{3,}")
CODES = [f"1.{i}" for i in range(1, 6)] + ["2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]
CODES += [f"5.{i}" for i in range(1, 6)]


def assert_clean(*texts: str) -> None:
    for t in texts:
        assert "Traceback" not in t, t
        assert "Внутренняя ошибка" not in t, t


def assert_russian(text: str) -> None:
    assert CYRILLIC.search(text), f"no Russian message in {text!r}"


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "x.sqlite3"


@pytest.fixture
def world(db_file, tmp_path):
    """A database with two schools (ШНОР, ШНСУ), four teachers, a campaign with three cards."""
    engine, factory = open_database(f"sqlite:///{db_file}", tmp_path / "backups")
    with factory() as s:
        a = schools.save_school(s, {"short_name": "МКОУ «Шеркальская СОШ»"})
        b = schools.save_school(s, {"short_name": "МКОУ «Уньюганская СОШ № 1»"})
        schools.set_statuses(s, a, [{"school_year": YEAR, "status_code": "shnor"}])
        schools.set_statuses(s, b, [{"school_year": YEAR, "status_code": "shnsu"}])
        people = [
            staff.save_person(
                s, {"last_name": ln, "first_name": "Анна", "middle_name": "Ивановна", "school_id": sc.id}
            )
            for ln, sc in (("Иванова", a), ("Петрова", a), ("Сидорова", b), ("Орлова", b))
        ]
        camp = cards.save_campaign(
            s,
            {
                "title": "Входная диагностика",
                "school_year": YEAR,
                "stage": "entry",
                "school_ids": [a.id, b.id],
            },
        )
        tpl = cards.template(s)
        cards.save_card(s, camp, people[0].id, {r: {c: 2 for c in tpl.codes} for r in scoring.RATERS})
        cards.save_card(
            s, camp, people[1].id, {"self": {c: 2 for c in tpl.codes}, "deputy": {c: 1 for c in tpl.codes}}
        )
        cards.save_card(s, camp, people[2].id, {"shmo": {c: 0 for c in tpl.codes}})
        s.commit()
        ids = {"campaign": camp.id, "person": people[0].id, "a": a.id}
    engine.dispose()
    return ids


@pytest.fixture
def run(tmp_path, data_home, db_file):
    def _run(*args: str, db: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "MOC_DESKTOP_HOME": str(data_home), "PYTHONIOENCODING": "utf-8"}
        env.pop("PYTHONWARNINGS", None)
        db_args = ["--db", str(db_file)] if db else []
        proc = subprocess.run(
            [sys.executable, "-m", "moc_desktop.cli", *db_args, *map(str, args)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            encoding="utf-8",
            timeout=120,
        )
        assert_clean(proc.stdout, proc.stderr)
        return proc

    return _run


def summary_of(db_file, tmp_path, campaign_id):
    engine, factory = open_database(f"sqlite:///{db_file}", tmp_path / "backups")
    with factory() as s:
        camp = cards.get_campaign(s, campaign_id)
        titles = analytics.competence_titles(s, camp)
        out = analytics.summary(s, campaign_id).as_dict(titles)
        n = s.scalar(select(func.count()).select_from(DiagCard).where(DiagCard.deleted_at.is_(None)))
    engine.dispose()
    return out, n


# --- campaigns and summary --------------------------------------------------------------------------------------


def test_campaigns_json(run, world):
    proc = run("diagnostics", "campaigns", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # JSON only
    assert data == [
        {
            "id": world["campaign"],
            "title": "Входная диагностика",
            "school_year": YEAR,
            "stage": "entry",
            "stage_title": "входная",
            "date_from": None,
            "date_to": None,
            "schools": 2,
            "cards": 3,
            "complete": 1,
        }
    ]
    text = run("diagnostics", "campaigns")
    assert text.returncode == 0 and "Входная диагностика" in text.stdout


def test_summary_json_is_analytics_summary(run, world, db_file, tmp_path):
    proc = run("diagnostics", "summary", "--campaign", world["campaign"], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    expected, _n = summary_of(db_file, tmp_path, world["campaign"])
    assert data["summary"] == expected
    assert data["campaign"]["id"] == world["campaign"] and data["template_version"] == 1
    assert [s["school"] for s in data["schools"]] == ["МКОУ «Уньюганская СОШ № 1»", "МКОУ «Шеркальская СОШ»"]
    assert sum(s["cards"] for s in data["schools"]) == 3


def test_summary_xlsx(run, world, tmp_path):
    proc = run("diagnostics", "summary", "--campaign", world["campaign"], "--format", "xlsx")
    assert proc.returncode != 0 and proc.stdout == ""
    assert "--out" in proc.stderr
    assert_russian(proc.stderr)
    out = tmp_path / "результаты.xlsx"
    proc = run("diagnostics", "summary", "--campaign", world["campaign"], "--format", "xlsx", "--out", out)
    assert proc.returncode == 0, proc.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["Карты", "Муниципалитет", "По школам"] and wb["Карты"].max_row == 4


def test_summary_unknown_campaign_json_refusal(run, world):
    proc = run("diagnostics", "summary", "--campaign", 999, "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["status"] == "refused" and "Диагностика с кодом 999 не найдена" in data["message"]
    proc = run("diagnostics", "report", "--campaign", 999, "x.docx")
    assert proc.returncode == 1 and "не найдена" in proc.stderr


# --- score without a database ---------------------------------------------------------------------------------


def test_score_a_card_without_a_database(run, tmp_path, data_home):
    card = tmp_path / "card.json"
    card.write_text(
        json.dumps({"raters": {"self": {"1.1": 2, "1.2": 1}, "shmo": {"1.1": 1}, "deputy": {"1.1": 0}}}),
        encoding="utf-8",
    )
    proc = run("diagnostics", "score", card, db=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["template_version"] == 1
    assert data["raters"]["self"]["competences"]["1"] == {
        "achieved": 3,
        "maximum": 4,
        "percent": 75.0,
        "level": "sufficient",
    }
    assert data["raters"]["self"]["competences"]["2"]["percent"] is None
    assert data["combined"]["total"]["percent"] == pytest.approx(round((75 + 50 + 0) / 3, 1))
    assert data["combined"]["total"]["level"] == "critical" and data["deficits"] == ["1.1"]
    assert data["gap_self_minus_external"]["total"] == 50.0
    assert not list(data_home.rglob("*.sqlite3"))  # no database was opened or created


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"raters": {"self": {"9.9": 2}}}', "Критерий «9.9» не входит в карту"),
        ('{"raters": {"self": {"1.1": 3}}}', "недопустима: только 0, 1, 2"),
        ('{"raters": {"boss": {}}}', "Неизвестный оценщик «boss»"),
        ('{"raters": ', "не JSON"),
        ("[1, 2]", "Ожидается объект JSON"),
    ],
)
def test_score_refusals(run, tmp_path, content, message):
    card = tmp_path / "card.json"
    card.write_text(content, encoding="utf-8")
    proc = run("diagnostics", "score", card, db=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert message in proc.stderr


def test_score_missing_file(run, tmp_path):
    proc = run("diagnostics", "score", tmp_path / "нет.json", db=False)
    assert proc.returncode == 1 and "не найден" in proc.stderr


# --- import and templates ---------------------------------------------------------------------------------------


def _rows_file(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["ФИО", "Оценщик", *CODES])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_refused_then_valid_only(run, world, db_file, tmp_path):
    path = _rows_file(
        tmp_path / "карты.xlsx",
        [
            ["Орлова Анна Ивановна", "Самооценка", *[2] * 16],
            ["Неизвестная Анна Ивановна", "Самооценка", *[2] * 16],
            ["Орлова Анна Ивановна", "ШМО", 3, *[1] * 15],
        ],
    )
    before, n_before = summary_of(db_file, tmp_path, world["campaign"])
    proc = run("diagnostics", "import", "--campaign", world["campaign"], path)
    assert proc.returncode == 1
    assert "Строка 3, колонка «ФИО»" in proc.stdout and "Строка 4, колонка «1.1»" in proc.stdout
    assert "База не изменена" in proc.stdout
    assert summary_of(db_file, tmp_path, world["campaign"]) == (before, n_before)
    proc = run("diagnostics", "import", "--campaign", world["campaign"], path, "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["status"] == "refused" and [e["row"] for e in data["errors"]] == [3, 4]
    proc = run(
        "diagnostics", "import", "--campaign", world["campaign"], path, "--valid-only", "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["created"], data["skipped"], len(data["errors"])) == (1, 2, 2)
    assert summary_of(db_file, tmp_path, world["campaign"])[1] == n_before + 1


def test_import_file_problem_is_a_refusal(run, world, tmp_path):
    bad = tmp_path / "карты.xlsx"
    bad.write_bytes(b"not a workbook")
    proc = run("diagnostics", "import", "--campaign", world["campaign"], bad)
    assert proc.returncode == 1 and proc.stdout == ""
    assert_russian(proc.stderr)


@pytest.mark.parametrize("kind", ["rows", "card"])
def test_template_then_import_round_trip(run, world, tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    proc = run("diagnostics", "template", kind, path, "--campaign", world["campaign"])
    assert proc.returncode == 0, proc.stderr
    assert "Шаблон записан" in proc.stdout and path.exists()
    proc = run("diagnostics", "import", "--campaign", world["campaign"], path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["created"], data["updated"], data["unchanged"]) == (0, 0, 3)


def test_template_without_campaign(run, world, tmp_path):
    proc = run("diagnostics", "template", "rows", tmp_path / "t.xlsx")
    assert proc.returncode == 0 and load_workbook(tmp_path / "t.xlsx").sheetnames == ["Карты", "Пояснения"]
    proc = run("diagnostics", "template", "pdf", tmp_path / "t.xlsx")
    assert proc.returncode == 2 and "недопустимое значение" in proc.stderr


# --- documents ----------------------------------------------------------------------------------------------------


def test_report_docx_and_pdf(run, world, tmp_path):
    out = tmp_path / "уровень.docx"
    proc = run("diagnostics", "report", "--campaign", world["campaign"], out)
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(p.text for p in DocxDocument(str(out)).paragraphs)
    assert "1. Предметно-методологическая компетентность" in text
    pdf = tmp_path / "уровень.pdf"
    proc = run("diagnostics", "report", "--campaign", world["campaign"], pdf, "--group", "shnor")
    assert proc.returncode == 0, proc.stderr
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Шеркальская" in pdf_text and "Уньюганская" not in pdf_text
    proc = run(
        "diagnostics", "report", "--campaign", world["campaign"], tmp_path / "x.pdf", "--school", world["a"]
    )
    assert proc.returncode == 0, proc.stderr
    proc = run("diagnostics", "report", "--campaign", world["campaign"], tmp_path / "x.odt")
    assert proc.returncode == 1 and "не поддерживается" in proc.stderr
    proc = run("diagnostics", "report", "--campaign", world["campaign"], out, "--group", "best")
    assert proc.returncode == 2 and "недопустимое значение" in proc.stderr


def test_blank_card(run, world, tmp_path):
    out = tmp_path / "карта.docx"
    proc = run("diagnostics", "blank-card", out)
    assert proc.returncode == 0, proc.stderr
    d = DocxDocument(str(out))
    grid = next(t for t in d.tables if t.rows[0].cells[0].text == "№")
    assert [r.cells[0].text for r in grid.rows if r.cells[0].text in CODES] == CODES
    out2 = tmp_path / "карта-иванова.pdf"
    proc = run(
        "diagnostics", "blank-card", out2, "--person", world["person"], "--campaign", world["campaign"]
    )
    assert proc.returncode == 0, proc.stderr
    assert "Иванова Анна Ивановна" in "\n".join(p.extract_text() for p in PdfReader(str(out2)).pages)
    proc = run("diagnostics", "blank-card", tmp_path / "x.docx", "--person", 999)
    assert proc.returncode == 1 and "Педагог с кодом 999 не найден" in proc.stderr
