"""moc-desktop-cli as the user runs it: real subprocesses (and ``cli.main`` in-process for the many small cases).

Contract (moc_desktop/cli.py docstring): refusals exit non-zero with a Russian message and never a traceback;
``--format json`` prints JSON only; an import with row errors writes nothing unless ``--valid-only``.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moc_desktop import cli
from moc_desktop.db import SCHEMA_HEAD
from moc_desktop.db.engine import open_database
from moc_desktop.db.models import ChangeLog, Person, School, SchoolStatus, Setting
from moc_desktop.services import schools as schools_svc

SHERKALY = "МКОУ «Шеркальская СОШ»"
BEREZOVO = "МБОУ «Берёзовская СОШ»"
KEDROVY = "МКОУ «Кедровская ООШ»"
NOWHERE = "МБОУ «Несуществующая СОШ»"

CYRILLIC = re.compile(r"[А-Яа-яЁё]{3,}")


# --- helpers ---------------------------------------------------------------------------------------------------


def assert_russian(text: str) -> None:
    assert CYRILLIC.search(text), f"no Russian message in {text!r}"


def assert_clean(*texts: str) -> None:
    """Nothing a user should ever see: a traceback or an internal error."""
    for t in texts:
        assert "Traceback" not in t, t
        assert "Внутренняя ошибка" not in t, t


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "x.sqlite3"


@pytest.fixture
def run(tmp_path, data_home, db_file):
    """``run(*args)`` → CompletedProcess of ``python -m moc_desktop.cli --db x.sqlite3 *args`` (``db=None``: no
    ``--db``; ``db=path``: another file). Asserts no traceback in either stream."""

    def _run(*args: str, db: Path | None | bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "MOC_DESKTOP_HOME": str(data_home), "PYTHONIOENCODING": "utf-8"}
        env.pop("PYTHONWARNINGS", None)
        db_args = [] if db is None else ["--db", str(db_file if db is True else db)]
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


@pytest.fixture
def call(capsys, db_file):
    """In-process ``cli.main(["--db", x.sqlite3, *args])`` → (exit code, stdout, stderr)."""

    def _call(*args: str, db: Path | None = None) -> tuple[int, str, str]:
        code = cli.main(["--db", str(db or db_file), *map(str, args)])
        out, err = capsys.readouterr()
        assert_clean(out, err)
        return code, out, err

    return _call


@contextmanager
def opened(db: Path, tmp_path: Path) -> Iterator[Session]:
    engine, factory = open_database(f"sqlite:///{db}", tmp_path / "test-backups")
    try:
        with factory() as s:
            yield s
    finally:
        engine.dispose()


def counts(db: Path, tmp_path: Path) -> dict[str, int]:
    with opened(db, tmp_path) as s:
        return {
            "schools": s.scalar(select(func.count()).select_from(School).where(School.deleted_at.is_(None))),
            "persons": s.scalar(select(func.count()).select_from(Person).where(Person.deleted_at.is_(None))),
            # school staff only: the demo also adds the МОЦ's own staff (no school)
            "school_staff": s.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.deleted_at.is_(None), Person.school_id.is_not(None))
            ),
            "change_log": s.scalar(select(func.count()).select_from(ChangeLog)),
        }


def add_schools(db: Path, tmp_path: Path, *names: str) -> None:
    with opened(db, tmp_path) as s:
        for name in names:
            schools_svc.save_school(s, {"short_name": name})
        s.commit()


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def schools_file(path: Path, berezovo_director: str = "Петрова Анна Сергеевна") -> Path:
    """A municipal list: a title row above the header, then three schools (two with a status)."""
    return write_xlsx(
        path,
        [
            ["Список общеобразовательных организаций Северного района"],
            ["Наименование ОО", "ФИО руководителя", "Эл. почта", "Статус", "Учебный год"],
            [SHERKALY, "Иванов Иван Иванович", "sherkaly@example.ru", "ШНОР", "2024/2025"],
            [BEREZOVO, berezovo_director, "berezovo@example.ru", None, None],
            [KEDROVY, "Сидоров Пётр Ильич", "kedr@example.ru", "ШНСУ", "2024/2025"],
        ],
    )


def staff_file(path: Path) -> Path:
    """Title and an empty row above the header; Excel rows 5 (bad e-mail) and 7 (unknown school) are wrong."""
    return write_xlsx(
        path,
        [
            ["Сведения о педагогических работниках"],
            [],
            ["№", "Фамилия", "Имя", "Отчество", "Год рождения", "Место работы", "Электронная почта"],
            [1, "Иванова", "Мария", "Петровна", 1985, SHERKALY, "ivanova@example.ru"],
            [2, "Смирнов", "Олег", "Игоревич", 1990, SHERKALY, "smirnov(at)example.ru"],
            [3, "Кузнецова", "Ольга", "Андреевна", 1979, BEREZOVO, "kuznetsova@example.ru"],
            [4, "Попов", "Егор", "Васильевич", 1992, NOWHERE, "popov@example.ru"],
        ],
    )


def fill_template(path: Path, values: dict[str, object]) -> None:
    """Put one row under the template's example row, by header text (a header may end with «*»)."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    headers = [str(c.value or "").rstrip("*") for c in ws[1]]
    row = ws.max_row + 1
    for header, value in values.items():
        ws.cell(row, headers.index(header) + 1, value)
    wb.save(path)


def error_line(text: str, row: int, column: str) -> bool:
    """Some line names the Excel row number and the file's column header."""
    return any(re.search(rf"\b{row}\b", line) and f"«{column}»" in line for line in text.splitlines())


# --- settings --------------------------------------------------------------------------------------------------


def test_settings_set_then_show_json(run, db_file, tmp_path):
    p = run("settings", "set", "moc_name", "  МКУ «Центр развития образования»  ")
    assert p.returncode == 0, p.stderr
    assert "МКУ «Центр развития образования»" in p.stdout

    p = run("settings", "show", "--format", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)  # JSON only: nothing else on stdout
    assert data["moc_name"] == "МКУ «Центр развития образования»"  # trimmed
    assert set(data) >= {"moc_name", "municipality", "region", "uo_full_name"}

    with opened(db_file, tmp_path) as s:
        assert s.get(Setting, "moc_name").value == "МКУ «Центр развития образования»"


def test_settings_unknown_key_refused(run, db_file, tmp_path):
    p = run("settings", "set", "no_such_key", "x")
    assert p.returncode != 0
    assert "no_such_key" in p.stderr
    assert "moc_name" in p.stderr  # the allowed keys are listed
    assert_russian(p.stderr)
    assert p.stdout == ""
    with opened(db_file, tmp_path) as s:
        assert s.get(Setting, "no_such_key") is None


def test_settings_get_in_process(call):
    assert call("settings", "set", "municipality", "Северный район")[0] == 0
    code, out, _ = call("settings", "get", "municipality")
    assert (code, out.strip()) == (0, "Северный район")
    code, out, err = call("settings", "get", "no_such_key")
    assert code != 0 and out == ""
    assert_russian(err)
    code, out, _ = call("settings", "show")
    assert code == 0 and "Северный район" in out


# --- templates -------------------------------------------------------------------------------------------------


def test_templates_open_and_filled_templates_import(run, db_file, tmp_path):
    s_tpl, p_tpl = tmp_path / "школы.xlsx", tmp_path / "педагоги.xlsx"
    for kind, path in (("schools", s_tpl), ("staff", p_tpl)):
        p = run("template", kind, path)
        assert p.returncode == 0, p.stderr
        wb = load_workbook(path, read_only=True)
        try:
            assert wb.sheetnames[0] == ("Школы" if kind == "schools" else "Педагоги")
            assert "Пояснения" in wb.sheetnames
        finally:
            wb.close()

    fill_template(
        s_tpl,
        {
            "Краткое наименование": BEREZOVO,
            "ФИО руководителя": "Петрова Анна Сергеевна",
            "Эл. почта": "berezovo@example.ru",
            "Сельская": "да",
            "Статус": "ШНОР",
            "Учебный год": "2024/2025",
        },
    )
    p = run("import", "schools", s_tpl)
    assert p.returncode == 0, p.stdout + p.stderr

    fill_template(
        p_tpl,
        {
            "Фамилия": "Кузнецова",
            "Имя": "Ольга",
            "Отчество": "Андреевна",
            "Год рождения": 1979,
            "Школа": BEREZOVO,
            "Квалификационная категория": "Высшая категория",
            "Эл. почта": "kuznetsova@example.ru",
        },
    )
    p = run("import", "staff", p_tpl)
    assert p.returncode == 0, p.stdout + p.stderr

    with opened(db_file, tmp_path) as s:
        # the templates' example rows («пример — удалите строку») are never imported
        school = s.scalars(select(School)).one()
        assert (school.short_name, school.is_rural, school.email) == (BEREZOVO, True, "berezovo@example.ru")
        assert [(st.school_year, st.status_code) for st in school.statuses] == [("2024/2025", "shnor")]
        person = s.scalars(select(Person)).one()
        assert (person.last_name, person.birth_year, person.school_id) == ("Кузнецова", 1979, school.id)
        assert person.category == "высшая"


# --- import ----------------------------------------------------------------------------------------------------


def test_import_schools_then_reimport_updates(run, db_file, tmp_path):
    f = schools_file(tmp_path / "schools.xlsx")
    p = run("import", "schools", f)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"(?i)добавлено\D{0,3}3\b", p.stdout), p.stdout

    with opened(db_file, tmp_path) as s:
        by_name = {x.short_name: x for x in s.scalars(select(School))}
        assert set(by_name) == {SHERKALY, BEREZOVO, KEDROVY}
        assert by_name[SHERKALY].director_name == "Иванов Иван Иванович"
        assert by_name[KEDROVY].email == "kedr@example.ru"
        statuses = s.execute(
            select(School.short_name, SchoolStatus.school_year, SchoolStatus.status_code).join(
                SchoolStatus.school
            )
        ).all()
        assert sorted(statuses) == sorted([(SHERKALY, "2024/2025", "shnor"), (KEDROVY, "2024/2025", "shnsu")])
    before = counts(db_file, tmp_path)

    schools_file(f, berezovo_director="Орлова Вера Николаевна")  # one cell changed
    p = run("import", "schools", f, "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    data = json.loads(p.stdout)
    assert (data["status"], data["created"], data["updated"], data["skipped"]) == ("ok", 0, 1, 0)

    after = counts(db_file, tmp_path)
    assert after["schools"] == before["schools"] == 3  # updated, not duplicated
    with opened(db_file, tmp_path) as s:
        berezovo = s.scalars(select(School).where(School.short_name == BEREZOVO)).one()
        assert berezovo.director_name == "Орлова Вера Николаевна"
        assert s.scalar(select(func.count()).select_from(SchoolStatus)) == 2  # statuses not repeated


def test_import_staff_with_errors_refused_then_valid_only(run, db_file, tmp_path):
    add_schools(db_file, tmp_path, SHERKALY, BEREZOVO)
    f = staff_file(tmp_path / "педагоги.xlsx")
    before = counts(db_file, tmp_path)

    p = run("import", "staff", f)
    assert p.returncode == 1
    # the row errors go to STDOUT, with the row numbers Excel shows and the file's own column headers
    assert error_line(p.stdout, 5, "Электронная почта"), p.stdout
    assert error_line(p.stdout, 7, "Место работы"), p.stdout
    assert NOWHERE in p.stdout
    assert "--valid-only" in p.stdout
    assert_russian(p.stdout)
    assert counts(db_file, tmp_path) == before  # nothing written, not even a change-log row

    p = run("import", "staff", f, "--format", "json")
    assert p.returncode == 1
    data = json.loads(p.stdout)
    assert data["status"] == "refused"
    assert [(e["row"], e["column"]) for e in data["errors"]] == [
        (5, "Электронная почта"),
        (7, "Место работы"),
    ]
    assert all(CYRILLIC.search(e["message"]) for e in data["errors"])
    assert counts(db_file, tmp_path) == before

    p = run("import", "staff", f, "--valid-only")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"(?i)добавлено\D{0,3}2\b", p.stdout), p.stdout
    assert error_line(p.stdout, 5, "Электронная почта"), p.stdout  # skipped rows are listed
    assert error_line(p.stdout, 7, "Место работы"), p.stdout

    after = counts(db_file, tmp_path)
    assert after["persons"] == before["persons"] + 2
    assert after["change_log"] > before["change_log"]
    with opened(db_file, tmp_path) as s:
        people = {(x.last_name, x.school.short_name, x.email) for x in s.scalars(select(Person))}
    assert people == {
        ("Иванова", SHERKALY, "ivanova@example.ru"),
        ("Кузнецова", BEREZOVO, "kuznetsova@example.ru"),
    }


def test_import_staff_valid_only_json_in_process(call, db_file, tmp_path):
    add_schools(db_file, tmp_path, SHERKALY, BEREZOVO)
    f = staff_file(tmp_path / "staff.xlsx")
    code, out, _ = call("import", "staff", f, "--valid-only", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["status"], data["created"], data["updated"], data["skipped"]) == ("ok", 2, 0, 2)
    assert [(e["row"], e["column"]) for e in data["errors"]] == [
        (5, "Электронная почта"),
        (7, "Место работы"),
    ]
    assert counts(db_file, tmp_path)["persons"] == 2


def _bad_file(tmp_path: Path, case: str) -> Path:
    if case == "corrupt":
        p = tmp_path / "повреждён.xlsx"
        p.write_bytes(random.Random(7).randbytes(4096))
    elif case == "empty":
        p = tmp_path / "пустой.xlsx"
        p.write_bytes(b"")
    elif case == "txt":
        p = tmp_path / "заметка.txt"
        p.write_text("Просто заметка, а не таблица.\n", encoding="utf-8")
    elif case == "missing":
        p = tmp_path / "нет-такого.xlsx"
    elif case == "truncated-zip":
        p = tmp_path / "обрезан.xlsx"
        p.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    elif case == "html":
        p = tmp_path / "выгрузка.xls"
        p.write_text("<html><body><table><tr><td>ФИО</td></tr></table></body></html>", encoding="utf-8")
    elif case == "doc":
        p = tmp_path / "список.docx"
        p.write_bytes(b"PK\x03\x04whatever")
    elif case == "folder":
        p = tmp_path / "папка.xlsx"
        p.mkdir()
    else:  # pragma: no cover
        raise AssertionError(case)
    return p


@pytest.mark.parametrize("case", ["corrupt", "empty", "txt", "missing"])
def test_import_bad_file_refused(run, db_file, tmp_path, case):
    f = _bad_file(tmp_path, case)
    p = run("import", "staff", f)
    assert p.returncode == 1
    assert f.name in p.stderr
    assert_russian(p.stderr)
    assert p.stdout == ""
    assert counts(db_file, tmp_path)["persons"] == 0


@pytest.mark.parametrize(
    "case", ["corrupt", "empty", "txt", "missing", "truncated-zip", "html", "doc", "folder"]
)
def test_import_bad_file_refused_in_process(call, db_file, tmp_path, case):
    f = _bad_file(tmp_path, case)
    code, out, err = call("import", "schools", f)
    assert code == 1 and out == ""
    assert f.name in err
    assert_russian(err)

    code, out, err = call("import", "schools", f, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "refused"
    assert f.name in data["message"]
    assert counts(db_file, tmp_path)["schools"] == 0


def test_import_file_without_required_column_refused(call, db_file, tmp_path):
    f = schools_file(tmp_path / "schools.xlsx")  # no «Фамилия»/«Имя»/«ФИО» in it
    code, out, _ = call("import", "staff", f)
    assert code == 1
    assert "ФИО" in out and "Фамилия" in out
    assert counts(db_file, tmp_path)["persons"] == 0


def test_file_level_error_has_no_empty_column_name(call, tmp_path):
    f = schools_file(tmp_path / "schools.xlsx")
    _code, out, _ = call("import", "staff", f)
    assert "«»" not in out


# --- demo and export -------------------------------------------------------------------------------------------


def test_demo_refused_twice_and_export(run, db_file, tmp_path):
    p = run("demo", "--scale", "S", "--format", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["status"] == "ok" and data["scale"] == "S"
    before = counts(db_file, tmp_path)
    assert (before["schools"], before["school_staff"]) == (12, 300)
    assert before["change_log"] > 312  # one «insert» row per created record

    p = run("demo", "--scale", "S")
    assert p.returncode == 1
    assert_russian(p.stderr)
    assert "12" in p.stderr  # «В базе уже есть школы (12)…»
    assert counts(db_file, tmp_path) == before

    staff_xlsx, schools_xlsx = tmp_path / "педагоги.xlsx", tmp_path / "школы.xlsx"
    p = run("export", "staff", staff_xlsx)
    assert p.returncode == 0, p.stderr
    assert str(before["persons"]) in p.stdout
    p = run("export", "schools", schools_xlsx)
    assert p.returncode == 0, p.stderr
    assert "12" in p.stdout

    for path, n, first_header in (
        (staff_xlsx, before["persons"], "ФИО"),
        (schools_xlsx, 12, "Краткое наименование"),
    ):
        wb = load_workbook(path, read_only=True)
        try:
            rows = [r for r in wb.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r)]
        finally:
            wb.close()
        assert len(rows) == n + 1  # header + data
        assert rows[0][0] == first_header
        assert all(r[0] for r in rows[1:])


def test_demo_text_and_force_in_process(call, db_file, tmp_path):
    code, out, _ = call("demo")
    assert code == 0
    assert_russian(out)
    code, out, _ = call("demo", "--format", "json")  # refusal in JSON mode: JSON on stdout
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "refused"
    assert_russian(data["message"])
    with opened(db_file, tmp_path) as s:
        assert s.get(Setting, "municipality").value  # the demo fills the installation's identity

    code, out, _ = call("demo", "--force", "--seed", "7", "--format", "json")
    assert code == 0
    assert json.loads(out)["status"] == "ok"
    after = counts(db_file, tmp_path)
    assert after["schools"] > 12 and after["persons"] > 300


# --- migrate, backup, damaged database -------------------------------------------------------------------------


def test_migrate_json_and_backup(run, db_file, tmp_path, data_home):
    p = run("migrate", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"status": "ok", "schema": SCHEMA_HEAD}
    assert db_file.exists()
    with closing(sqlite3.connect(db_file)) as c:
        c.execute("INSERT INTO settings(key, value) VALUES ('moc_name', 'МКУ для копии')")
        c.commit()

    p = run("backup")
    assert p.returncode == 0, p.stderr
    backups = list((data_home / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    assert backups[0].name in p.stdout
    with closing(sqlite3.connect(backups[0])) as c:
        assert c.execute("SELECT value FROM settings WHERE key = 'moc_name'").fetchone() == ("МКУ для копии",)


def test_backup_in_process(call, tmp_path):
    code, _out, err = call("backup", db=tmp_path / "нет.sqlite3")  # no such file yet
    assert code == 1
    assert_russian(err)
    assert call("migrate")[0] == 0
    target = tmp_path / "копии"
    code, out, _ = call("backup", "--to", target)
    assert code == 0
    assert [p.name for p in target.iterdir()] and str(target) in out


def damaged_db(path: Path) -> bytes:
    data = b"\x8fnot an sqlite database\x00" + random.Random(3).randbytes(8192)
    path.write_bytes(data)
    return data


def test_damaged_database_refused(run, db_file, tmp_path, data_home):
    original = damaged_db(db_file)
    p = run("migrate")
    assert p.returncode == 1
    assert "повреждён" in p.stderr
    assert db_file.name in p.stderr
    assert db_file.read_bytes() == original  # left as it was for the user to restore
    assert not list((data_home / "backups").glob("*"))


@pytest.mark.parametrize(
    "args",
    [
        ("settings", "show"),
        ("import", "staff", "f.xlsx"),
        ("export", "schools", "out.xlsx"),
        ("demo",),
        ("backup",),
    ],
)
def test_damaged_database_refused_in_process(call, db_file, tmp_path, args):
    damaged_db(db_file)
    code, out, err = call(*args)
    assert code == 1 and out == ""
    assert "повреждён" in err
    assert not (tmp_path / "out.xlsx").exists()


def test_damaged_database_json(call, db_file):
    damaged_db(db_file)
    code, out, _ = call("migrate", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "refused" and "повреждён" in data["message"]


def test_newer_schema_refused(call, db_file):
    with closing(sqlite3.connect(db_file)) as c:
        c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        c.execute("INSERT INTO alembic_version VALUES ('9999')")
        c.commit()
    code, out, err = call("migrate")
    assert code == 1 and out == ""
    assert "9999" in err
    assert_russian(err)


# --- usage errors ----------------------------------------------------------------------------------------------


def test_usage_error_subprocess(run, db_file):
    p = run("import", "pupils", "x.xlsx")
    assert p.returncode == 2
    assert "Ошибка в параметрах" in p.stderr
    assert p.stdout == ""
    assert not db_file.exists()  # nothing opened


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["import", "pupils", "x.xlsx"],
        ["import", "staff"],
        ["demo", "--scale", "XL"],
        ["settings", "set", "moc_name"],
        ["export", "staff", "x.xlsx", "--format", "json"],
        ["template", "teachers", "x.xlsx"],
    ],
)
def test_usage_errors_in_process(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Ошибка в параметрах" in err
    assert "Traceback" not in err


def test_console_script_version(tmp_path, data_home):
    script = Path(sys.executable).with_name("moc-desktop-cli")
    if not script.exists():
        pytest.skip("console script not installed next to the interpreter")
    env = {**os.environ, "MOC_DESKTOP_HOME": str(data_home)}
    p = subprocess.run([str(script), "--version"], env=env, capture_output=True, encoding="utf-8", timeout=60)
    assert p.returncode == 0
    assert "0." in p.stdout and "Traceback" not in p.stderr


# --- unwritable targets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "template"])
def test_unwritable_target_is_a_refusal(capsys, db_file, tmp_path, command):
    target = tmp_path / "нет-папки" / "out.xlsx"
    code = cli.main(["--db", str(db_file), command, "schools", str(target)])
    _out, err = capsys.readouterr()
    assert "Внутренняя ошибка" not in err, err
    assert code == 1
    assert_russian(err)
