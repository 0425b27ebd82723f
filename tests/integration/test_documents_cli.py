"""moc-desktop-cli order|protocol list|render as the user runs it: real subprocesses on a real migrated SQLite file
filled through the services (orders and protocols registered as in the GUI).

Contract (moc_desktop/cli.py): ``--format json`` prints JSON only; refusals exit non-zero with a Russian message
and never a traceback; ``render`` writes .docx or .pdf chosen by the extension."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from pypdf import PdfReader

from moc_desktop.db.engine import open_database, session_scope
from moc_desktop.db.models import OrderDoc
from moc_desktop.services import settings
from moc_desktop.services.docs import orders, protocols

CYRILLIC = re.compile(r"[А-Яа-яЁё]{3,}")
MS = "Методический совет"


@dataclass
class Filled:
    db: Path
    signed: list[int]  # order ids: № 1-од, № 2-од (2026)
    cancelled: int  # № 3-од, cancelled
    old: int  # № 1-од of 2025
    draft: int
    protocol: int  # № 1 of the methodological council, 2026
    protocol_draft: int


@pytest.fixture
def filled(tmp_path) -> Filled:
    db = tmp_path / "moc.sqlite3"
    engine, factory = open_database(f"sqlite:///{db}", tmp_path / "backups")
    try:
        with session_scope(factory) as s:
            for key, (_label, example) in settings.SETTINGS.items():
                settings.set_value(s, key, example)
            settings.set_value(s, "order_suffix", "-од")

        def order(title: str, on: date, **extra) -> int:
            with session_scope(factory) as s:
                d = orders.new_order_data(s)
                d.update(title=title, date=on, items=[{"text": "Утвердить план мероприятий", "appendix": 0}])
                d["appendices"] = [
                    {"title": "План", "headers": ["№ п/п", "Мероприятие"], "rows": [["1", "Семинар"]]}
                ]
                d.update(extra)
                return orders.save_order(s, d).id

        signed = [
            order("Об утверждении плана", date(2026, 3, 2)),
            order("О проведении семинара", date(2026, 3, 5)),
        ]
        for oid in signed:
            orders.sign_order(factory, oid)
        cancelled = order("Об отменённом", date(2026, 3, 6))
        orders.sign_order(factory, cancelled)
        with session_scope(factory) as s:
            orders.cancel_order(s, s.get(OrderDoc, cancelled), "приказ от 10.03.2026 № 4-од")
        old = order("О прошлогоднем", date(2025, 12, 31))
        orders.sign_order(factory, old)
        draft = order("О черновике", date(2026, 3, 20))

        def protocol(on: date) -> int:
            with session_scope(factory) as s:
                return protocols.save_protocol(
                    s,
                    {
                        "body": MS,
                        "date": on,
                        "place": "МКУ «ЦРО»",
                        "title": "",
                        "chair": {"name": "Пожарницкая Наталья Анатольевна", "post": "директор"},
                        "secretary": {"name": "Иванова Мария Петровна", "post": "методист"},
                        "attendees": [
                            {"name": f"Петрова Анна Сергеевна {i}", "post": "учитель"} for i in range(4)
                        ],
                        "members_total": 5,
                        "agenda": [
                            {
                                "title": "Об итогах мониторинга",
                                "listened": [{"who": "Иванову М.П.", "text": "об итогах"}],
                                "decided": ["Информацию принять к сведению."],
                                "votes": {"for": 4, "against": 0, "abstained": 0},
                            }
                        ],
                    },
                ).id

        prot = protocol(date(2026, 3, 12))
        protocols.sign_protocol(factory, prot)
        prot_draft = protocol(date(2026, 4, 1))
    finally:
        engine.dispose()
    return Filled(db, signed, cancelled, old, draft, prot, prot_draft)


@pytest.fixture
def run(tmp_path, data_home, filled):
    """``run(*args, db=None)`` → CompletedProcess of ``moc-desktop-cli --db moc.sqlite3 *args`` (another file with
    ``db``); asserts no traceback in either stream."""
    script = Path(sys.executable).with_name("moc-desktop-cli")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "moc_desktop.cli"]

    def _run(*args, db: Path | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "MOC_DESKTOP_HOME": str(data_home), "PYTHONIOENCODING": "utf-8"}
        env.pop("PYTHONWARNINGS", None)
        proc = subprocess.run(
            [*command, "--db", str(db or filled.db), *map(str, args)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            encoding="utf-8",
            timeout=120,
        )
        for stream in (proc.stdout, proc.stderr):
            assert "Traceback" not in stream and "Внутренняя ошибка" not in stream, stream
        return proc

    return _run


def docx_text(path: Path) -> str:
    d = open_docx(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


# --- orders ---------------------------------------------------------------------------------------------------------


def test_order_list_json(run, filled):
    p = run("order", "list", "--format", "json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)  # JSON only: nothing else on stdout
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == {*filled.signed, filled.cancelled, filled.old, filled.draft}
    assert [by_id[i]["number"] for i in filled.signed] == ["1-од", "2-од"]
    assert {by_id[i]["status"] for i in filled.signed} == {"signed"}
    assert (by_id[filled.cancelled]["number"], by_id[filled.cancelled]["status"]) == ("3-од", "cancelled")
    assert (by_id[filled.draft]["number"], by_id[filled.draft]["status"]) == (None, "draft")
    assert by_id[filled.old]["number"] == "1-од" and by_id[filled.old]["date"] == "2025-12-31"
    assert by_id[filled.signed[0]]["date"] == "2026-03-02"
    assert by_id[filled.signed[1]]["title"] == "О проведении семинара"

    p = run("order", "list", "--year", "2025", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert {r["id"] for r in json.loads(p.stdout)} == {
        filled.old,
        filled.draft,
    }  # drafts belong to no year yet

    p = run("order", "list")
    assert p.returncode == 0, p.stderr
    assert "проект" in p.stdout and "2-од" in p.stdout and "Отменён" in p.stdout


def test_order_render_docx_and_pdf(run, filled, tmp_path):
    oid = filled.signed[1]
    out = tmp_path / "приказы" / "приказ 2-од.docx"
    p = run("order", "render", oid, out)
    assert p.returncode == 0, p.stderr
    assert "Документ записан" in p.stdout and p.stderr == ""
    text = docx_text(out)
    for expected in ("П Р И К А З", "№ 2-од", "О проведении семинара", "ПРИКАЗЫВАЮ:", "Приложение 1"):
        assert expected in text
    assert "к приказу от 05.03.2026 № 2-од" in text

    pdf = tmp_path / "приказ.pdf"
    p = run("order", "render", oid, pdf)
    assert p.returncode == 0, p.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(pdf)
    assert "О проведении семинара" in text and "Приложение 1" in text and "№ 2-од" in text

    p = run("order", "render", filled.cancelled, tmp_path / "cancelled.docx")  # a cancelled one still prints
    assert p.returncode == 0, p.stderr
    assert "ОТМЕНЁН: приказ от 10.03.2026 № 4-од" in docx_text(tmp_path / "cancelled.docx")
    p = run("order", "render", filled.draft, tmp_path / "draft.docx")  # and a draft, without a number
    assert p.returncode == 0, p.stderr
    assert "№ ___" in docx_text(tmp_path / "draft.docx")


def test_order_render_refusals(run, filled, tmp_path):
    p = run("order", "render", 9999, tmp_path / "x.docx")
    assert p.returncode == 1
    assert "9999" in p.stderr and "не найден" in p.stderr and CYRILLIC.search(p.stderr)
    assert p.stdout == "" and not (tmp_path / "x.docx").exists()

    p = run("order", "render", filled.signed[0], tmp_path / "x.txt")
    assert p.returncode == 1
    assert "не поддерживается" in p.stderr and ".docx" in p.stderr and ".pdf" in p.stderr
    assert not (tmp_path / "x.txt").exists()

    p = run("order", "render", "первый", tmp_path / "x.docx")  # not a number: a usage error
    assert p.returncode == 2 and "Ошибка в параметрах" in p.stderr


def test_broken_user_template_warns_and_uses_builtin(run, filled, data_home, tmp_path):
    from moc_desktop.services.docs import templates

    templates_dir = data_home / "templates"
    templates_dir.mkdir(parents=True)
    d = open_docx(str(templates.builtin_template("order")))
    d.add_paragraph("{{ unknown_field }}")
    d.save(str(templates_dir / "order.docx"))
    out = tmp_path / "o.docx"
    p = run("order", "render", filled.signed[0], out)
    assert p.returncode == 0, p.stderr
    assert "Внимание:" in p.stderr and "«unknown_field»" in p.stderr and "встроенный шаблон" in p.stderr
    assert "Об утверждении плана" in docx_text(out)


# --- protocols ------------------------------------------------------------------------------------------------------


def test_protocol_list_and_render(run, filled, tmp_path):
    p = run("protocol", "list", "--format", "json")
    assert p.returncode == 0, p.stderr
    rows = {r["id"]: r for r in json.loads(p.stdout)}
    assert set(rows) == {filled.protocol, filled.protocol_draft}
    signed = rows[filled.protocol]
    assert (signed["body"], signed["number"], signed["status"], signed["present"]) == (MS, 1, "signed", 4)
    assert signed["date"] == "2026-03-12"
    assert (rows[filled.protocol_draft]["number"], rows[filled.protocol_draft]["status"]) == (None, "draft")

    out = tmp_path / "протокол.docx"
    p = run("protocol", "render", filled.protocol, out)
    assert p.returncode == 0, p.stderr
    text = docx_text(out)
    for expected in ("ПРОТОКОЛ", "№ 1", "заседания методического совета", "Председатель —", "ПОВЕСТКА ДНЯ"):
        assert expected in text
    assert "Кворум имеется" in text and "СЛУШАЛИ" in text and "ПОСТАНОВИЛИ" in text
    assert "Голосовали: «за» — 4, «против» — 0, «воздержались» — 0." in text

    pdf = tmp_path / "протокол.pdf"
    p = run("protocol", "render", filled.protocol, pdf)
    assert p.returncode == 0, p.stderr
    text = " ".join(pdf_text(pdf).split())
    assert "ПРОТОКОЛ" in text and "СЛУШАЛИ" in text and "Пожарницкая Н.А." in text

    p = run("protocol", "render", 9999, tmp_path / "p.pdf")
    assert p.returncode == 1 and "Протокол с кодом 9999 не найден" in p.stderr
    p = run("protocol", "render", filled.protocol, tmp_path / "p.txt")
    assert p.returncode == 1 and "не поддерживается" in p.stderr
    assert not (tmp_path / "p.pdf").exists() and not (tmp_path / "p.txt").exists()


def test_list_json_on_empty_database(run, tmp_path):
    empty = tmp_path / "empty.sqlite3"
    for kind in ("order", "protocol"):
        p = run(kind, "list", "--format", "json", db=empty)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout) == []
