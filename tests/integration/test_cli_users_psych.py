"""``moc-desktop-cli users …`` and ``psych …`` as the region's scripts run them: real subprocesses, the password
only from ``MOC_PASSWORD`` (never an option), JSON only on stdout with ``--format json``, Russian refusals with a
non-zero exit code and never a traceback; the journal import is all-or-nothing; the report shows aggregates only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from moc_desktop.db.engine import open_database
from moc_desktop.db.models import AppUser, AuditLog, PsychSession
from moc_desktop.services import schools

PASSWORD = "Psy-parol-2025"
SCHOOL = "МКОУ «Шеркальская СОШ»"
KEY_RE = re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}\b")
SECRET_TEXT = "Тревожность перед ОГЭ-4242"


@pytest.fixture
def db_file(tmp_path) -> Path:
    path = tmp_path / "u.sqlite3"
    engine, factory = open_database(f"sqlite:///{path}", tmp_path / "backups")
    with factory() as s:
        schools.save_school(s, {"short_name": SCHOOL})
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def run(tmp_path, data_home, db_file):
    """``run(*args, password=None, recovery=None)``: the CLI in a subprocess; secrets go only into the
    environment (a ``MOC_PASSWORD`` of the developer's shell is removed first)."""

    def _run(
        *args: str, password: str | None = None, recovery: str | None = None
    ) -> subprocess.CompletedProcess:
        env = {**os.environ, "MOC_DESKTOP_HOME": str(data_home), "PYTHONIOENCODING": "utf-8"}
        for name in ("PYTHONWARNINGS", "MOC_PASSWORD", "MOC_RECOVERY_KEY"):
            env.pop(name, None)
        if password is not None:
            env["MOC_PASSWORD"] = password
        if recovery is not None:
            env["MOC_RECOVERY_KEY"] = recovery
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


def _db(db_file):
    engine, factory = open_database(f"sqlite:///{db_file}", None)
    return engine, factory


def _count(db_file, model, *where) -> int:
    engine, factory = _db(db_file)
    try:
        with factory() as s:
            return s.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        engine.dispose()


def _users(run) -> list[dict]:
    proc = run("users", "list", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def psychologist(run) -> str:
    """The first psychologist «psy» (creates the journal); returns the recovery key printed once."""
    proc = run(
        "users", "add", "psy", "--role", "psychologist", "--name", "Соколова Ирина Павловна",
        "--format", "json", password=PASSWORD,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["recovery_key"]


# --- users -------------------------------------------------------------------------------------------------------


def test_users_add_takes_the_password_only_from_the_environment(run, db_file):
    proc = run("users", "add", "ivanova", "--role", "methodist", "--name", "Иванова Анна Петровна")
    assert proc.returncode == 1
    assert "MOC_PASSWORD" in proc.stderr and "Пароль не задан" in proc.stderr
    # there is no password option: a usage error in Russian, nothing created
    proc = run(
        "users", "add", "ivanova", "--role", "methodist", "--name", "Иванова Анна Петровна",
        "--password", "Secret-12345",
    )  # fmt: skip
    assert proc.returncode == 2
    assert "неизвестные параметры: --password" in proc.stderr
    proc = run("users", "add", "ivanova", "--role", "methodist", "--name", "Иванова А. П.", password="short")
    assert proc.returncode == 1 and "не короче 8 символов" in proc.stderr
    assert _count(db_file, AppUser) == 0
    assert _users(run) == []


def test_users_add_and_list(run, db_file):
    proc = run(
        "users", "add", "Ivanova", "--role", "Методист", "--name", "Иванова  Анна Петровна",
        "--post", "методист", password="Secret-12345",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Пользователь добавлен: ivanova — Иванова Анна Петровна (методист)." in proc.stdout
    proc = run(
        "users",
        "add",
        "boss",
        "--role",
        "head",
        "--name",
        "Петров П. П.",
        "--format",
        "json",
        password="x" * 9,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"status": "ok", "login": "boss", "role": "head", "recovery_key": None}
    listed = _users(run)
    assert [u["login"] for u in listed] == ["ivanova", "boss"]  # ordered by ФИО
    assert listed[0] == {
        "login": "ivanova",
        "full_name": "Иванова Анна Петровна",
        "role": "methodist",
        "role_title": "методист",
        "post": "методист",
        "active": True,
        "last_login": None,
    }
    proc = run("users", "list")
    assert "ivanova" in proc.stdout and "руководитель МОЦ" in proc.stdout and "активна" in proc.stdout
    assert "argon2" not in proc.stdout and "argon2" not in run("users", "list", "--format", "json").stdout
    # the audit log names the command line as the author of the change
    engine, factory = _db(db_file)
    with factory() as s:
        who = set(
            s.execute(select(AuditLog.user_login, AuditLog.user_name).where(AuditLog.entity == "app_user"))
        )
    engine.dispose()
    assert who == {("cli", "командная строка")}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_duplicate_login_and_bad_fields_are_refused(run, db_file, fmt):
    assert (
        run(
            "users", "add", "ivanova", "--role", "methodist", "--name", "Иванова А.", password="Secret-12345"
        ).returncode
        == 0
    )
    proc = run(
        "users", "add", "IVANOVA", "--role", "методист", "--name", "Другая", "--format", fmt, password="Secret-12345"
    )  # fmt: skip
    assert proc.returncode == 1
    if fmt == "json":
        data = json.loads(proc.stdout)
        assert data["status"] == "refused" and data["errors"] == {"login": "Пользователь «ivanova» уже есть."}
    else:
        assert "Пользователь не добавлен." in proc.stderr and "уже есть" in proc.stderr and proc.stdout == ""
    proc = run(
        "users", "add", "x y", "--role", "директор", "--name", " ", "--format", fmt, password="Secret-12345"
    )
    assert proc.returncode == 1
    text = proc.stdout if fmt == "json" else proc.stderr
    assert "Логин" in text and "Укажите ФИО" in text and "Неизвестная роль «директор»" in text
    assert _count(db_file, AppUser) == 1


def test_first_psychologist_gets_the_recovery_key_once(run, db_file):
    proc = run(
        "users",
        "add",
        "psy",
        "--role",
        "педагог-психолог",
        "--name",
        "Соколова Ирина Павловна",
        password=PASSWORD,
    )
    assert proc.returncode == 0, proc.stderr
    keys = KEY_RE.findall(proc.stdout)
    assert len(keys) == 1 and "Ключ восстановления (показывается один раз)" in proc.stdout
    assert "Запишите ключ" in proc.stdout
    # a later psychologist: no new key; the journal stays closed for the account …
    proc = run(
        "users", "add", "psy2", "--role", "psychologist", "--name", "Лебедева О. В.", "--format", "json",
        password="Second-parol",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "status": "ok", "login": "psy2", "role": "psychologist", "recovery_key": None, "journal_access": False,
    }  # fmt: skip
    # … unless the recovery key is given in the environment
    proc = run(
        "users", "add", "psy3", "--role", "psychologist", "--name", "Орлова Е. Н.", "--format", "json",
        password="Third-parol", recovery=keys[0].lower().replace("-", " "),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["journal_access"] is True
    proc = run(
        "users", "add", "psy4", "--role", "psychologist", "--name", "Осипова Е. Н.", password="Fourth-parol",
        recovery="AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
    )  # fmt: skip
    assert proc.returncode == 1 and "Ключ восстановления не подходит" in proc.stderr
    assert [u["login"] for u in _users(run)] == ["psy2", "psy3", "psy"]


# --- psych import ------------------------------------------------------------------------------------------------


def _filled_template(run, tmp_path, rows: list[dict[str, object]]) -> Path:
    """The template written by the CLI, filled with openpyxl under its own headers."""
    path = tmp_path / "journal.xlsx"
    proc = run("psych", "template", path)
    assert proc.returncode == 0, proc.stderr
    assert "Шаблон журнала записан" in proc.stdout
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    headers = {c.value: c.column for c in ws[1] if c.value}
    assert {"Дата", "Школа", "Категория", "Код клиента", "Вид работы", "Запрос"} <= set(headers)
    for r, values in enumerate(rows, start=3):  # row 2: the example row, never imported
        for header, value in values.items():
            ws.cell(r, headers[header], value)
    wb.save(path)
    return path


GOOD_ROWS = [
    {
        "Дата": date(2025, 10, 6), "Время": "10:30", "Длительность, мин": 40, "Школа": SCHOOL,
        "Категория": "обучающийся", "Класс": "7Б", "Код клиента": "О-0001", "Форма": "индивидуальная",
        "Вид работы": "консультация", "Запрос": SECRET_TEXT, "Результат": "Освоены приёмы саморегуляции",
    },
    {
        "Дата": "13.10.2025", "Школа": SCHOOL, "Категория": "обучающийся", "Класс": "5А",
        "Форма": "групповая", "Количество участников": 18, "Вид работы": "коррекционно-развивающее занятие",
        "Запрос": "Адаптация пятиклассников",
    },
]  # fmt: skip


def test_psych_import_round_trip_and_report(run, psychologist, tmp_path, db_file):
    path = _filled_template(run, tmp_path, GOOD_ROWS)
    proc = run("psych", "import", path, "--user", "psy", "--format", "json", password=PASSWORD)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "ok" and data["created"] == 2 and data["errors"] == []
    assert _count(db_file, PsychSession) == 2
    # the same file again doubles nothing
    proc = run("psych", "import", path, "--user", "psy", password=PASSWORD)
    assert proc.returncode == 0, proc.stderr
    assert "Записи журнала загружены: 0, уже были в журнале: 2." in proc.stdout
    assert _count(db_file, PsychSession) == 2
    # stored encrypted; the import is audited under the psychologist who logged in
    raw = b"".join(f.read_bytes() for f in db_file.parent.glob(db_file.name + "*"))  # with the -wal file
    assert SECRET_TEXT.encode() not in raw
    engine, factory = _db(db_file)
    with factory() as s:
        actions = set(
            s.execute(select(AuditLog.user_login, AuditLog.action).where(AuditLog.user_login == "psy"))
        )
    engine.dispose()
    assert {("psy", "login"), ("psy", "import")} <= actions

    # the report: aggregates only, no login needed
    proc = run("psych", "report", "--year", "2025/2026", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "ok" and report["year"] == "2025/2026"
    assert report["sessions"] == 2 and report["participants"] == 19 and report["children_served"] == 19
    assert report["by_kind"]["consultation"] == 1 and report["by_kind"]["correction"] == 1
    assert report["by_category"]["pupil"] == 2 and report["by_form"] == {"individual": 1, "group": 1}
    assert report["by_school"] == [{"school": SCHOOL, "sessions": 2, "children": 19}]
    assert {"month": "10.2025", "sessions": 2} in report["by_month"]
    for secret in ("О-0001", SECRET_TEXT, "саморегуляции", "Адаптация пятиклассников", "7Б"):
        assert secret not in proc.stdout
    text = run("psych", "report", "--year", "2025-26")
    assert text.returncode == 0, text.stderr
    assert "Обследовано и проконсультировано обучающихся: 19." in text.stdout
    assert "О-0001" not in text.stdout

    out = tmp_path / "отчёт.docx"
    proc = run("psych", "report", "--year", "2025/2026", "--out", out)
    assert proc.returncode == 0, proc.stderr
    body = "\n".join(p.text for p in Document(str(out)).paragraphs)
    tables = "\n".join(c.text for t in Document(str(out)).tables for row in t.rows for c in row.cells)
    assert "2025/2026" in body and SCHOOL in tables
    assert "О-0001" not in body + tables and SECRET_TEXT not in body + tables
    xlsx = tmp_path / "отчёт.xlsx"
    assert run("psych", "report", "--year", "2025/2026", "--out", xlsx).returncode == 0
    assert "Сводка" in load_workbook(xlsx).sheetnames
    bad = run("psych", "report", "--year", "2025/2026", "--out", tmp_path / "r.pdf")
    assert bad.returncode == 2 and ".docx или .xlsx" in bad.stderr
    bad = run("psych", "report", "--year", "прошлый")
    assert bad.returncode == 2 and "не учебный год" in bad.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_psych_import_with_a_bad_row_writes_nothing(run, psychologist, tmp_path, db_file, fmt):
    rows = [*GOOD_ROWS, {"Дата": "20.10.2025", "Категория": "обучающийся", "Класс": "6А", "Код клиента": "О-0002",
                         "Вид работы": "гадание"}]  # fmt: skip
    path = _filled_template(run, tmp_path, rows)
    proc = run("psych", "import", path, "--user", "psy", "--format", fmt, password=PASSWORD)
    assert proc.returncode == 1
    if fmt == "json":
        data = json.loads(proc.stdout)
        assert data["status"] == "refused", data
        assert [e["row"] for e in data.get("errors", [data])] == [5], (data, proc.stderr)
        assert "Вид работы" in (data["errors"][0]["column"] or "") + data["errors"][0]["message"]
    else:
        assert "Импорт журнала отклонён: ошибок — 1. База не изменена." in proc.stdout
        assert "Строка 5" in proc.stdout and "--valid-only" in proc.stdout
    assert _count(db_file, PsychSession) == 0
    # with --valid-only the good rows are loaded and the bad one reported
    proc = run(
        "psych", "import", path, "--user", "psy", "--valid-only", "--format", "json", password=PASSWORD
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["created"] == 2 and data["skipped"] == 1 and data["errors"][0]["row"] == 5
    assert _count(db_file, PsychSession) == 2


def test_psych_import_refusals(run, psychologist, tmp_path, db_file):
    path = _filled_template(run, tmp_path, GOOD_ROWS)
    proc = run("psych", "import", path, "--user", "psy")
    assert proc.returncode == 1 and "MOC_PASSWORD" in proc.stderr
    proc = run("psych", "import", path, "--user", "psy", password="Wrong-parol")
    assert proc.returncode == 1
    assert "Вход не выполнен: Неверный логин или пароль." in proc.stderr
    proc = run("psych", "import", path, "--user", "psy", "--format", "json", password="Wrong-parol")
    assert proc.returncode == 1 and json.loads(proc.stdout)["status"] == "refused"
    proc = run("psych", "import", path, "--user", "nobody", password=PASSWORD)
    assert proc.returncode == 1 and "Неверный логин или пароль" in proc.stderr

    assert (
        run(
            "users", "add", "met", "--role", "methodist", "--name", "Методистова М. М.", password=PASSWORD
        ).returncode
        == 0
    )
    proc = run("psych", "import", path, "--user", "met", password=PASSWORD)
    assert proc.returncode == 1
    assert "только педагог-психолог" in proc.stderr and "«методист»" in proc.stderr

    # a later psychologist opens the journal once with the recovery key
    assert (
        run(
            "users",
            "add",
            "psy2",
            "--role",
            "psychologist",
            "--name",
            "Лебедева О. В.",
            password="Second-parol",
        ).returncode
        == 0
    )
    proc = run("psych", "import", path, "--user", "psy2", password="Second-parol")
    assert proc.returncode == 1 and "MOC_RECOVERY_KEY" in proc.stderr
    assert _count(db_file, PsychSession) == 0
    proc = run(
        "psych",
        "import",
        path,
        "--user",
        "psy2",
        "--format",
        "json",
        password="Second-parol",
        recovery=psychologist,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["created"] == 2
    # from now on the password alone opens it
    proc = run("psych", "import", path, "--user", "psy2", "--format", "json", password="Second-parol")
    assert proc.returncode == 0 and json.loads(proc.stdout)["unchanged"] == 2

    missing = run("psych", "import", tmp_path / "нет.xlsx", "--user", "psy", password=PASSWORD)
    assert missing.returncode == 1 and "нет.xlsx" in missing.stderr


def test_lockout_applies_to_the_command_line(run, psychologist, tmp_path):
    path = tmp_path / "empty.xlsx"
    for _ in range(5):
        proc = run("psych", "import", path, "--user", "psy", password="Wrong-parol")
        assert proc.returncode == 1
    assert "Вход заблокирован" in proc.stderr
    proc = run("psych", "import", path, "--user", "psy", password=PASSWORD)  # the right password, but locked
    assert proc.returncode == 1 and "Слишком много неудачных попыток" in proc.stderr
