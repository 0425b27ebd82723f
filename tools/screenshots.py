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

    from moc_desktop.ui.application import make_app
    from moc_desktop.ui.main_window import MainWindow
    from moc_desktop.ui.person_dialog import PersonDialog
    from moc_desktop.ui.school_dialog import SchoolDialog

    app = make_app()
    app.setFont(QFont("DejaVu Sans", 9))
    OUT.mkdir(parents=True, exist_ok=True)
    w = MainWindow(factory, url)
    w.resize(1360, 760)
    w.show()
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
    w.close()
    QApplication.processEvents()
    print(f"Снимки экрана: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
