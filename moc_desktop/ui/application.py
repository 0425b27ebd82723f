"""QApplication set-up, the first-run wizard, the main window; GUI exception hook."""

from __future__ import annotations

import logging
import sys
import time
import traceback

from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from moc_desktop import APP_NAME, config

log = logging.getLogger("moc_desktop.ui")


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("moc-desktop")
    QLocale.setDefault(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
    return app


def install_exception_hook() -> None:
    def hook(et, ev, tb):
        log.critical("Необработанная ошибка:\n%s", "".join(traceback.format_exception(et, ev, tb)))
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            "Произошла непредвиденная ошибка. Данные не потеряны: последнее действие отменено.",
        )
        box.setInformativeText(f"{ev}\n\nПодробности записаны в журнал: {config.paths().logs_dir}")
        box.exec()

    sys.excepthook = hook


def show_fatal(message: str) -> None:
    make_app()
    QMessageBox.critical(None, APP_NAME, message)


def run_gui(url: str, factory=None, exit_after_show: bool = False, t0: float | None = None) -> int:
    """Show the main window at once, then open the database (already migrated or known current) and fill it."""
    app = make_app()
    install_exception_hook()
    from moc_desktop.ui.main_window import MainWindow

    window = MainWindow(None, url)
    window.show()
    app.processEvents()
    if exit_after_show:
        print(f"shown {time.time():.4f}", flush=True)  # wall clock: benchmarks compare with the launch time

    def finish() -> None:
        nonlocal factory
        from moc_desktop.db.engine import DatabaseError, open_database
        from moc_desktop.services import settings

        if factory is None:
            try:
                _engine, factory = open_database(url, config.paths().backups_dir)
            except DatabaseError as exc:
                QMessageBox.critical(window, APP_NAME, str(exc))
                app.exit(2)
                return
        with factory() as s:
            configured = settings.is_configured(s)
        if not configured and not exit_after_show:
            from moc_desktop.ui.wizard import FirstRunWizard

            if not FirstRunWizard(factory, window).exec():
                window.close()
                return
        window.attach(factory)
        if exit_after_show:
            app.processEvents()
            print(f"ready {time.time():.4f}", flush=True)
            app.quit()

    QTimer.singleShot(0, finish)
    return app.exec()
