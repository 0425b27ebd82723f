"""GUI entry point: exception hook → paths → logging → database (backup + migrate) → only then Qt."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from moc_desktop import APP_NAME, __version__, config

log = logging.getLogger("moc_desktop")

NO_DISPLAY_MESSAGE = """\
МОЦ Desktop — графическое приложение, а экран (дисплей) не найден: переменные DISPLAY и WAYLAND_DISPLAY пусты.
Что можно сделать:
  • запустить программу на компьютере с графическим рабочим столом;
  • на сервере без экрана — через виртуальный экран: xvfb-run make run (пакет xvfb);
  • для работы без окна есть консольные команды: .venv/bin/moc-desktop-cli --help
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="moc-desktop", description=f"{APP_NAME} — рабочее место МОЦ")
    p.add_argument(
        "--db", metavar="PATH|URL", help="файл базы SQLite или URL SQLAlchemy (по умолчанию — в папке данных)"
    )
    p.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    p.add_argument(
        "--exit-after-show", action="store_true", help=argparse.SUPPRESS
    )  # benchmarks: time to window
    return p.parse_args(argv)


def setup_logging() -> None:
    logs = config.paths().ensure().logs_dir
    logging.basicConfig(
        filename=str(logs / "moc-desktop.log"),
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        encoding="utf-8",
    )


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def missing_xcb_libraries() -> list[str]:
    """System libraries Qt's X11 plugin needs and cannot find (Qt would abort with an English message)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM") or not os.environ.get("DISPLAY"):
        return []
    if os.environ.get("WAYLAND_DISPLAY"):
        return []
    import ctypes.util

    needed = {"xcb-cursor": "libxcb-cursor0", "xkbcommon-x11": "libxkbcommon-x11-0", "EGL": "libegl1"}
    return [pkg for lib, pkg in needed.items() if ctypes.util.find_library(lib) is None]


def main(argv: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    args = parse_args(argv)
    setup_logging()
    sys.excepthook = lambda et, ev, tb: log.critical("Необработанная ошибка", exc_info=(et, ev, tb))

    if not has_display():
        sys.stderr.write(NO_DISPLAY_MESSAGE)
        return 3
    missing = missing_xcb_libraries()
    if missing:
        sys.stderr.write(
            "Для окна программы в X11 не хватает системных библиотек. Установите пакеты: "
            f"{' '.join(missing)}\n(например: sudo apt-get install {' '.join(missing)}) и запустите снова.\n"
        )
        return 3

    from moc_desktop.db.quick import is_current

    url = config.db_url(args.db)
    factory = None
    if not is_current(url):
        # new, older or unusual database: open it fully (backup + migrate) before any window appears
        from moc_desktop.db.engine import DatabaseError, open_database

        try:
            _engine, factory = open_database(url, config.paths().backups_dir)
        except DatabaseError as exc:
            sys.stderr.write(f"{exc}\n")
            _show_fatal(str(exc))
            return 2

    from moc_desktop.ui.application import run_gui

    return run_gui(url, factory=factory, exit_after_show=args.exit_after_show, t0=t0)


def _show_fatal(message: str) -> None:
    try:
        from moc_desktop.ui.application import show_fatal

        show_fatal(message)
    except Exception:  # no usable display: the message is already on stderr
        log.exception("cannot show the error window")


if __name__ == "__main__":
    raise SystemExit(main())
