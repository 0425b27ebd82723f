"""QApplication set-up, the first-run wizard, signing in, the main window; GUI exception hook."""

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


def start_session(window, factory, exit_after_show: bool = False) -> bool:
    """After the database is open: the first-run wizard if the installation is not configured, then signing in
    (first administrator / automatic login / login dialog, forced password change, journal key), then the pages.
    ``False`` — the person chose to leave (the program exits quietly). ``exit_after_show`` (benchmark): no dialogs,
    pages without a user."""
    from moc_desktop.services import settings

    if exit_after_show:
        window.attach(factory, None)
        return True
    with factory() as s:
        configured = settings.is_configured(s)
    if not configured:
        from moc_desktop.ui.wizard import FirstRunWizard

        if not FirstRunWizard(factory, window).exec():
            return False
    from moc_desktop.ui.login import sign_in

    user = sign_in(factory, window)
    if user is None:
        return False
    window.attach(factory, user)
    return True


def run_gui(url: str, factory=None, exit_after_show: bool = False, t0: float | None = None) -> int:
    """Show the main window at once, then open the database (already migrated or known current), sign in and fill
    the window."""
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

        if factory is None:
            try:
                _engine, factory = open_database(url, config.paths().backups_dir)
            except DatabaseError as exc:
                QMessageBox.critical(window, APP_NAME, str(exc))
                app.exit(2)
                return
        if not start_session(window, factory, exit_after_show):
            window.close()
            app.exit(0)
            return
        if exit_after_show:
            app.processEvents()
            print(f"ready {time.time():.4f}", flush=True)
            app.quit()

    QTimer.singleShot(0, finish)
    return app.exec()
