"""Benchmarks at scale L (`make bench`). Figures are printed, never asserted.

1. Cold start: `python -m moc_desktop --db L.sqlite3` to the main window shown, next to a bare PySide6 window
   started the same way in the same run (ratio; target ≤ 2.0).
2. Staff list load at scale L (6 000 staff): the service query, and the page reload (query + table model).
3. Filter keystroke on the staff list: a key event into the search box until the table is repainted (target < 50 ms).
4. Excel: export of the whole staff list and the import preview of that file (all 6 000 rows checked).
5. Documents: an order with a 1 000-row appendix to .docx and to PDF (target < 3 s each).
6. Diagnostics: the municipal summary of a campaign (≈ 5 500 cards; target < 500 ms), the summary per school,
   the dynamics between two campaigns, and saving one teacher's card (48 scores) with the commit — the latter on
   a copy of the L database, so the cached one stays as generated.
7. Psychologist's journal (60 000 entries): count, the first page (200 rows) by date, the page at offset 30 000,
   sorted by school, filtered by kind and school, the aggregates of a school year (``reports.summary``), opening
   an entry (decrypting its four texts), and the «Психолог» page reload until the first rows are shown.

The L database is cached in ``benchmarks/.data``; it is rebuilt with ``--rebuild`` and by itself when its schema
revision is not this build's head or it lacks the records of a later capability (the psychologist's journal).

Usage: benchmarks/run.py [--rounds N] [--rebuild] [--only SECTION …]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
BARE = """
import sys, time
t0 = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 760); w.show()
def report():
    app.processEvents(); print(f"shown {time.time():.4f}", flush=True); app.quit()
QTimer.singleShot(0, report)
app.exec()
"""


def ms(x: float) -> str:
    return f"{x * 1000:.1f} мс"


def cache_problem(db: Path) -> str:
    """Why the cached L database cannot be used ("" when it can): another schema revision than this build's head
    (it would be migrated but lack the new records), or no journal entries of the psychologist."""
    from moc_desktop.db import SCHEMA_HEAD

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = revision[0] if revision else "?"
            if revision != SCHEMA_HEAD:
                return f"схема {revision}, нужна {SCHEMA_HEAD}"
            if not con.execute("SELECT count(*) FROM psych_session").fetchone()[0]:
                return "нет записей журнала психолога"
        finally:
            con.close()
    except sqlite3.Error as exc:
        return f"не читается ({exc})"
    return ""


def build_l(rebuild: bool) -> Path:
    DATA.mkdir(exist_ok=True)
    db = DATA / "scale-L.sqlite3"
    if db.exists() and not rebuild:
        problem = cache_problem(db)
        if not problem:
            return db
        print(f"Сохранённая база L устарела ({problem}): создаётся заново.")
    for p in DATA.glob("scale-L.sqlite3*"):
        p.unlink()
    from moc_desktop.db.engine import open_database
    from moc_desktop.services import demo

    engine, factory = open_database(f"sqlite:///{db}", None)
    t = time.perf_counter()
    summary = demo.generate_demo(factory, scale="L", seed=2026, today=date(2026, 11, 25))
    print(f"Демо-данные L созданы за {time.perf_counter() - t:.1f} с: {summary.counts}")
    engine.dispose()
    return db


def wall(cmd: list[str], env: dict) -> dict[str, float]:
    """Seconds from launching the process to each milestone it prints («shown», «ready»)."""
    t = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    marks = {}
    for line in out.stdout.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("shown", "ready"):
            marks[name] = float(stamp) - t
    if "shown" not in marks:
        raise RuntimeError(out.stderr)
    return marks


def cold_start(db: Path, rounds: int) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MOC_DESKTOP_HOME": tempfile.mkdtemp(prefix="moc-bench-"),
    }
    app_cmd = [sys.executable, "-m", "moc_desktop", "--db", str(db), "--exit-after-show"]
    bare_cmd = [sys.executable, "-c", BARE]
    wall(app_cmd, env)  # warm the OS file cache once for both
    wall(bare_cmd, env)
    app, bare = [], []
    for _ in range(rounds):  # interleaved so both see the same machine load
        bare.append(wall(bare_cmd, env))
        app.append(wall(app_cmd, env))
    shown = [m["shown"] for m in app]
    ready = [m["ready"] for m in app]
    bare_shown = [m["shown"] for m in bare]
    a, r, b = statistics.median(shown), statistics.median(ready), statistics.median(bare_shown)
    print("\n1. Холодный старт от запуска процесса (медиана из", rounds, "запусков)")
    print(
        f"   МОЦ Desktop, главное окно показано:        {ms(a)}  (мин {ms(min(shown))}, макс {ms(max(shown))})"
    )
    print(
        f"   МОЦ Desktop, данные L на экране (Главная):  {ms(r)}  (мин {ms(min(ready))}, макс {ms(max(ready))})"
    )
    print(
        f"   Пустое окно PySide6, показано:             {ms(b)}  (мин {ms(min(bare_shown))}, макс {ms(max(bare_shown))})"
    )
    print(f"   Отношение (окно показано): {a / b:.2f}  (цель ≤ 2,0); до загруженных данных: {r / b:.2f}")


def staff_list_and_keystrokes(db: Path, rounds: int) -> None:
    os.environ["MOC_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="moc-bench-")
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from moc_desktop.db.engine import open_database
    from moc_desktop.services import staff
    from moc_desktop.ui.application import make_app
    from moc_desktop.ui.main_window import MainWindow

    app = make_app()
    _engine, factory = open_database(f"sqlite:///{db}", None)
    svc = []
    for _ in range(rounds):
        with factory() as s:
            t = time.perf_counter()
            rows = staff.list_staff(s)
            svc.append(time.perf_counter() - t)
    w = MainWindow(factory, f"sqlite:///{db}")
    w.show()
    w.go("Педагоги")
    app.processEvents()
    page = w.staff_page
    loads = []
    for _ in range(rounds):
        t = time.perf_counter()
        page.reload()
        app.processEvents()
        loads.append(time.perf_counter() - t)
    print(f"\n2. Загрузка списка педагогов ({len(rows)} строк)")
    print(f"   запрос сервиса:            {ms(statistics.median(svc))}")
    print(f"   страница (запрос + модель + отрисовка): {ms(statistics.median(loads))}")

    def key(ch: str | None) -> float:
        t = time.perf_counter()
        if ch is None:
            ev = (QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier),)
        else:
            ev = (QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch),)
        for e in ev:
            QApplication.sendEvent(page.search, e)
        page.table.viewport().repaint()
        app.processEvents()
        return time.perf_counter() - t

    page.search.setFocus()
    times = []
    for word in ("иванова", "математика", "приозёрская", "высшая", "петр"):
        for ch in word:
            times.append(key(ch))
        for _ in word:
            times.append(key(None))
    shown = page.model.rowCount()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"\n3. Нажатие клавиши в поиске по {page.model.total_count()} педагогам ({len(times)} нажатий)")
    print(
        f"   медиана {ms(statistics.median(times))}, 95-й процентиль {ms(p95)}, макс {ms(times[-1])}  (цель < 50 мс)"
    )
    assert shown == page.model.total_count()
    w.close()

    from moc_desktop.services import imports, lists

    out = Path(tempfile.mkdtemp(prefix="moc-bench-")) / "staff.xlsx"
    with factory() as s:
        t = time.perf_counter()
        n = lists.export_list(s, "staff", out)
        t_export = time.perf_counter() - t
        t = time.perf_counter()
        preview = imports.preview_import(s, out, "staff")
        t_preview = time.perf_counter() - t
    print(
        f"\n4. Excel: выгрузка {n} педагогов — {t_export:.2f} с; проверка этого файла перед импортом — {t_preview:.2f} с"
    )
    print(
        f"   (строк: {preview.rows_total}, к обновлению: {preview.to_update}, ошибок: {len(preview.errors)})"
    )


def documents(rounds: int) -> None:
    from moc_desktop.services.docs import render
    from moc_desktop.services.docs.model import Appendix, Document, Item, Para, Signature, Table

    rows = [
        [str(i), f"МКОУ «Школа № {i % 120 + 1}»", f"Иванова Мария Петровна {i}", "учитель", "высшая"]
        for i in range(1, 1001)
    ]
    doc = Document(
        kind="П Р И К А З",
        org_lines=["Администрация Октябрьского района", "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ"],
        date_text="« 25 » мая 2020 г.",
        number_text="№ 448-од",
        place="п.г.т. Октябрьское",
        title="О проведении диагностики профессиональных компетенций педагогов",
        body=[Para("В соответствии с …,"), Item("1.", "Провести диагностику (приложение 1).")],
        signatures=[Signature("Начальник Управления образования", "Т.Б. Киселева")],
        appendices=[
            Appendix(
                "Приложение 1",
                "к приказу от 25.05.2020 № 448-од",
                "Список участников",
                [Table(["№ п/п", "Школа", "ФИО", "Должность", "Категория"], rows)],
            )
        ],
    )
    out = Path(tempfile.mkdtemp(prefix="moc-bench-"))
    print("\n5. Приказ с приложением на 1 000 строк")
    for suffix in (".docx", ".pdf"):
        times = []
        for _ in range(max(1, rounds // 2)):
            t = time.perf_counter()
            render.write(doc, "order", out / f"order{suffix}")
            times.append(time.perf_counter() - t)
        size = (out / f"order{suffix}").stat().st_size // 1024
        print(f"   {suffix}: {statistics.median(times):.2f} с ({size} КБ)  (цель < 3 с)")


def diagnostics(db: Path, rounds: int) -> None:
    from sqlalchemy import func, select

    from moc_desktop.db.engine import open_database
    from moc_desktop.db.models import DiagCampaign, DiagCard
    from moc_desktop.services.diagnostics import analytics, cards, scoring

    n = max(10, 2 * rounds)
    engine, factory = open_database(f"sqlite:///{db}", None)

    def median(fn) -> tuple[float, float, object]:
        """(first call, median of the next ``n``, result) — each call in a fresh session."""
        times, result = [], None
        for _ in range(n + 1):
            with factory() as s:
                t = time.perf_counter()
                result = fn(s)
                times.append(time.perf_counter() - t)
        return times[0], statistics.median(times[1:]), result

    with factory() as s:
        counts = dict(
            s.execute(
                select(DiagCard.campaign_id, func.count())
                .where(DiagCard.deleted_at.is_(None))
                .group_by(DiagCard.campaign_id)
            ).all()
        )
        camps = {c.id: c for c in s.scalars(select(DiagCampaign).where(DiagCampaign.deleted_at.is_(None)))}
        if not camps:
            print("\n6. Диагностика: в базе L нет диагностик (пересоздайте её: --rebuild)")
            engine.dispose()
            return
        cid = max(counts, key=lambda c: (counts[c], c))
        c = camps[cid]
        title = f"«{c.title}», {c.school_year}"
        # dynamics: the earliest entry stage → the final stage of that school year (else the campaign above)
        entry = min((x for x in camps.values() if x.stage == "entry"), key=lambda x: x.date_from, default=c)
        final = next(
            (x for x in camps.values() if x.stage == "final" and x.school_year == entry.school_year), c
        )
    print(
        f"\n6. Диагностика: кампаний {len(camps)}, карт {sum(counts.values())}; кампания {title} — {counts[cid]} карт"
    )
    first, med, sm = median(lambda s: analytics.summary(s, cid))
    print(
        f"   сводка по муниципалитету (summary): {ms(med)} медиана из {n}, первый вызов {ms(first)}  (цель < 500 мс)"
    )
    print(f"      карт {sm.cards}, средний % {sm.total.mean:.1f}, уровни {sm.total.levels}")
    first, med, by = median(lambda s: analytics.summary_by_school(s, cid))
    print(
        f"   сводка по школам (summary_by_school, {len(by)} школ): {ms(med)} медиана, первый вызов {ms(first)}"
    )
    first, med, dyn = median(lambda s: analytics.dynamics(s, entry.id, final.id))
    print(
        f"   динамика ({cards.STAGES[entry.stage]} → {cards.STAGES[final.stage]} {final.school_year}, "
        f"{dyn.pairs} педагогов, средний % {dyn.before.total.mean:.1f} → {dyn.after.total.mean:.1f}): "
        f"{ms(med)} медиана, первый вызов {ms(first)}"
    )
    engine.dispose()

    # the card grid: save one teacher's card (48 scores) and commit, on a copy of the database
    copy = Path(tempfile.mkdtemp(prefix="moc-bench-")) / "diag.sqlite3"
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    engine, factory = open_database(f"sqlite:///{copy}", None)
    with factory() as s:
        person_id = s.scalar(
            select(DiagCard.person_id).where(DiagCard.campaign_id == cid).order_by(DiagCard.id).limit(1)
        )
        codes = cards.template(s, c.template_version).codes
    times = []
    for i in range(n + 1):
        scores = {
            r: {code: (i + k + j) % 3 for k, code in enumerate(codes)} for j, r in enumerate(scoring.RATERS)
        }
        with factory() as s:
            campaign = cards.get_campaign(s, cid)
            t = time.perf_counter()
            cards.save_card(s, campaign, person_id, scores)
            s.commit()
            times.append(time.perf_counter() - t)
    engine.dispose()
    print(
        f"   сохранение карты педагога (48 оценок + фиксация): {ms(statistics.median(times[1:]))} медиана из {n}, "
        f"первое {ms(times[0])}"
    )


def psych_journal(db: Path, rounds: int) -> None:
    """Section 7 (module docstring). Reads only: the login and the «open» audit rows are rolled back."""
    import random

    from sqlalchemy import func, select

    from moc_desktop.db.engine import open_database
    from moc_desktop.db.models import PsychSession
    from moc_desktop.services import auth, demo
    from moc_desktop.services.psych import journal, reports

    n = max(10, 2 * rounds)
    engine, factory = open_database(f"sqlite:///{db}", None)
    with factory() as s:
        try:
            user = auth.authenticate(s, "psiholog", demo.DEMO_PASSWORD)
        except auth.LoginRefused as exc:
            print(
                f"\n7. Журнал психолога: вход демонстрационного психолога не удался ({exc}); пересоздайте базу"
            )
            engine.dispose()
            return
        s.rollback()
        total = s.scalar(
            select(func.count()).select_from(PsychSession).where(PsychSession.deleted_at.is_(None))
        )
        school_id, kind = s.execute(
            select(PsychSession.school_id, PsychSession.kind)
            .where(PsychSession.school_id.is_not(None))
            .group_by(PsychSession.school_id, PsychSession.kind)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        uuids = list(s.scalars(select(PsychSession.uuid).order_by(PsychSession.id)))
    if user.journal_key is None:
        print(
            "\n7. Журнал психолога: журнал не открывается демонстрационным паролем; пересоздайте базу (--rebuild)"
        )
        engine.dispose()
        return

    def median(fn) -> tuple[float, float, object]:
        """(first call, median of the next ``n``, result) — each call in a fresh session, rolled back."""
        times, result = [], None
        for _ in range(n + 1):
            with factory() as s:
                t = time.perf_counter()
                result = fn(s)
                times.append(time.perf_counter() - t)
                s.rollback()
        return times[0], statistics.median(times[1:]), result

    everything = journal.JournalFilter()
    narrow = journal.JournalFilter(school_id=school_id, kind=kind)
    print(f"\n7. Журнал психолога ({total} записей)")
    cases = (
        ("подсчёт записей (count_sessions)", lambda s: journal.count_sessions(s, user, everything)),
        (
            "первая страница, 200 строк по дате",
            lambda s: journal.list_sessions(s, user, everything, limit=200, sort="held_on"),
        ),
        (
            "страница со смещением 30 000",
            lambda s: journal.list_sessions(s, user, everything, offset=30000, limit=200, sort="held_on"),
        ),
        (
            "первая страница по школе",
            lambda s: journal.list_sessions(s, user, everything, limit=200, sort="school", descending=False),
        ),
        (
            "отбор по виду работы и школе (+ подсчёт)",
            lambda s: (
                journal.count_sessions(s, user, narrow),
                journal.list_sessions(s, user, narrow, limit=200),
            ),
        ),
    )
    for title, fn in cases:
        first, med, result = median(fn)
        size = len(result) if isinstance(result, list) else result if isinstance(result, int) else result[0]
        print(f"   {title}: {ms(med)} медиана из {n}, первый вызов {ms(first)}  ({size})")
    year = "2025/2026"
    first, med, sm = median(lambda s: reports.summary(s, user, *reports.school_year_bounds(year)))
    print(
        f"   сводка за {year} (reports.summary, {sm.sessions} записей, детей {sm.children_served}): "
        f"{ms(med)} медиана, первый вызов {ms(first)}  (цель < 300 мс)"
    )
    rng = random.Random(7)
    picks = iter(rng.sample(uuids, n + 1))
    first, med, data = median(lambda s: journal.open_session(s, user, next(picks)))
    print(f"   открытие записи (расшифровка 4 полей + запись аудита): {ms(med)} медиана, первое {ms(first)}")

    try:
        from moc_desktop.ui.application import make_app
        from moc_desktop.ui.psych import PsychPage
    except ImportError as exc:  # the page is built by a later capability
        print(f"   страница «Психолог»: нет ({exc})")
        engine.dispose()
        return
    app = make_app()
    page = PsychPage(factory, lambda: user)
    page.resize(1280, 760)
    page.show()
    app.processEvents()
    loads = []
    for _ in range(rounds):
        t = time.perf_counter()
        page.reload()
        app.processEvents()
        table = getattr(page, "table", None)
        if table is not None:
            table.viewport().repaint()
        loads.append(time.perf_counter() - t)
    model = getattr(page, "model", None)
    shown = f"{model.rowCount()} из {model.total}" if model is not None else "?"
    print(
        f"   страница «Психолог» (пересчёт + первые строки на экране, {shown}): {ms(statistics.median(loads))}"
    )
    page.close()
    engine.dispose()


SECTIONS = ("start", "staff", "documents", "diagnostics", "psych")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--rebuild", action="store_true", help="пересоздать базу масштаба L")
    p.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        metavar="РАЗДЕЛ",
        help="только эти разделы: " + ", ".join(SECTIONS),
    )
    args = p.parse_args()
    only = set(args.only or SECTIONS)
    db = build_l(args.rebuild)
    if "start" in only:
        cold_start(db, args.rounds)
    if "staff" in only:
        staff_list_and_keystrokes(db, args.rounds)
    if "documents" in only:
        documents(args.rounds)
    if "diagnostics" in only:
        diagnostics(db, args.rounds)
    if "psych" in only:
        psych_journal(db, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
