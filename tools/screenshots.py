"""Render the README screenshots offscreen from a demo municipality: `make screenshots`.

Writes docs/screenshots/*.png. Uses a temporary database and data folder; touches nothing of the user's.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="moc-shots-"))
    os.environ["MOC_DESKTOP_HOME"] = str(tmp / "home")
    from moc_desktop.db.engine import open_database
    from moc_desktop.services import demo

    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    _engine, factory = open_database(url, None)
    demo.generate_demo(factory, scale="S", seed=2026, today=date(2026, 11, 25))

    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from moc_desktop.db.engine import session_scope
    from moc_desktop.services import auth
    from moc_desktop.ui.application import make_app
    from moc_desktop.ui.main_window import MainWindow
    from moc_desktop.ui.person_dialog import PersonDialog
    from moc_desktop.ui.school_dialog import SchoolDialog

    with session_scope(factory) as s:
        auth.create_user(s, "admin", "Администраторова Алла Петровна", "admin", ADMIN_PASSWORD)
    with session_scope(factory) as s:
        head = auth.authenticate(s, "rukovoditel", demo.DEMO_PASSWORD)
    auth.bind_actor(factory, head)

    app = make_app()
    app.setFont(QFont("DejaVu Sans", 9))
    OUT.mkdir(parents=True, exist_ok=True)
    from moc_desktop.ui.login import LoginDialog

    login = LoginDialog(factory, login="psiholog")
    login.show()
    app.processEvents()
    login.grab().save(str(OUT / "login.png"))
    login.close()

    w = MainWindow(factory, url, user=head)
    w.resize(1360, 760)
    w.show()
    app.processEvents()
    w.grab().save(str(OUT / "home.png"))
    w.go("Школы")
    app.processEvents()
    w.grab().save(str(OUT / "main-schools.png"))

    w.go("Педагоги")
    app.processEvents()
    w.staff_page.search.setText("математика")
    app.processEvents()
    w.grab().save(str(OUT / "staff-filtered.png"))

    first_shnor = next(r for r in w.schools_page.model.visible_rows() if "shnor" in r.status_codes)
    d = SchoolDialog(factory, first_shnor.id, w, school_year=w.schools_page.year.currentData())
    d.show()
    d.tabs.setCurrentIndex(1)
    app.processEvents()
    d.grab().save(str(OUT / "school-statuses.png"))
    d.tabs.setCurrentIndex(2)
    app.processEvents()
    d.grab().save(str(OUT / "school-indicators.png"))
    d.confirm = lambda *_a: True
    d.close()

    pid = w.staff_page.model.row_at(0).id
    p = PersonDialog(factory, pid, w)
    p.show()
    app.processEvents()
    p.grab().save(str(OUT / "person.png"))
    p.confirm = lambda *_a: True
    p.close()
    w.go("Диагностика")
    app.processEvents()
    diag = w.diagnostics_page
    from moc_desktop.services.diagnostics import cards as diag_cards

    with factory() as s:
        campaigns = diag_cards.list_campaigns(s)
        entry = next((c for c in campaigns if c.stage_code == "entry"), campaigns[0])
        first_card = diag_cards.list_cards(s, entry.id)[0]
    diag.set_campaign(entry.id, force=True)
    diag.tabs.setCurrentWidget(diag.analytics_panel)
    app.processEvents()
    w.grab().save(str(OUT / "diagnostics-analytics.png"))
    from moc_desktop.ui.diag_card_dialog import CardDialog

    card = CardDialog(factory, entry.id, first_card.id, w)
    card.show()
    app.processEvents()
    card.grab().save(str(OUT / "diagnostic-card.png"))
    card.confirm = lambda *_a: True
    card.close()

    w.go("Наставничество")
    app.processEvents()
    mentoring = w.pages["Наставничество"]
    mentoring.tabs.setCurrentIndex(3)  # «Сводка»
    app.processEvents()
    w.grab().save(str(OUT / "mentoring-summary.png"))

    w.go("Документы")
    app.processEvents()
    w.grab().save(str(OUT / "documents.png"))
    w.close()
    QApplication.processEvents()
    psych_and_admin(factory, url, app)
    order_example(factory, tmp)
    print(f"Снимки экрана: {OUT}")
    return 0


ADMIN_PASSWORD = "admin-parol"


def psych_and_admin(factory, url: str, app) -> None:
    """The psychologist's journal as the psychologist sees it, an entry, and the administrator's audit log."""
    from moc_desktop.db.engine import session_scope
    from moc_desktop.services import auth, demo
    from moc_desktop.ui.main_window import MainWindow
    from moc_desktop.ui.psych_dialogs import SessionDialog

    with session_scope(factory) as s:
        psy = auth.authenticate(s, "psiholog", demo.DEMO_PASSWORD)
    auth.bind_actor(factory, psy)
    w = MainWindow(factory, url, user=psy)
    w.resize(1360, 760)
    w.show()
    w.go("Психолог")
    app.processEvents()
    w.grab().save(str(OUT / "psych-journal.png"))
    page = w.psych_page
    uuid = page.model.rows[0].uuid
    d = SessionDialog(factory, psy, uuid, w)
    d.show()
    app.processEvents()
    d.grab().save(str(OUT / "psych-session.png"))
    d.confirm = lambda *_a: True
    d.close()
    w.close()
    app.processEvents()

    from moc_desktop.services import schools

    with session_scope(factory) as s:
        head = auth.authenticate(s, "rukovoditel", demo.DEMO_PASSWORD)
    auth.bind_actor(factory, head)  # an edit by the head of the МОЦ for the audit log
    with session_scope(factory) as s:
        school = schools.get_school(s, schools.list_schools(s)[0].id)
        schools.save_school(s, {"phone": "8 (34678) 2-11-05", "email": "school1@edu.example.ru"}, school)
    with session_scope(factory) as s:
        admin = auth.authenticate(s, "admin", ADMIN_PASSWORD)
    auth.bind_actor(factory, admin)
    w = MainWindow(factory, url, user=admin)
    w.resize(1360, 760)
    w.show()
    w.go("Журнал аудита")
    app.processEvents()
    w.grab().save(str(OUT / "audit.png"))
    w.close()
    app.processEvents()


def order_example(factory, tmp: Path) -> None:
    """Page 1 and the first appendix page of a demo order, as Word shows it (.docx → LibreOffice → PNG) when
    LibreOffice is installed, otherwise from the program's own PDF."""
    import shutil
    import subprocess

    from PIL import Image

    from moc_desktop.services.docs import orders, render

    with factory() as s:
        rows = [r for r in orders.list_orders(s) if r.status_code == "signed"]
        with_appendix = [r for r in rows if orders.order_data(orders.get_order(s, r.id))["appendices"]]
        row = (with_appendix or rows)[0]
        docx = tmp / "order.docx"
        render.render_to_file(s, "order", row.id, docx)
        pdf = tmp / "order.pdf"
        if shutil.which("libreoffice"):
            subprocess.run(
                ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx)],
                check=True,
                capture_output=True,
                timeout=180,
            )
        else:
            render.render_to_file(s, "order", row.id, pdf)
    if not shutil.which("pdftoppm"):
        print("pdftoppm не найден (пакет poppler-utils): снимок приказа не обновлён")
        return
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(tmp / "page")], check=True
    )
    pages = [Image.open(p) for p in sorted(tmp.glob("page-*.png"))]
    gap = 16
    out = Image.new(
        "RGB",
        (sum(p.width for p in pages) + gap * (len(pages) + 1), max(p.height for p in pages) + 2 * gap),
        "#8a8a8a",
    )
    x = gap
    for p in pages:
        out.paste(p, (x, gap))
        x += p.width + gap
    out.save(OUT / "order-example.png")


if __name__ == "__main__":
    sys.exit(main())
