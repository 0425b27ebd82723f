"""moc-desktop-cli: headless commands. An interface, not a debug aid: names and options are stable.

Refusals exit non-zero with a Russian message and no traceback; ``--format json`` prints JSON only.

Passwords are never options: ``users add`` and ``psych import`` take the password only from the environment
variable ``MOC_PASSWORD`` (so it stays out of the shell history and the process list), and a psychologist's
recovery key only from ``MOC_RECOVERY_KEY``. Changes made by a command are written to the audit log under the
actor «cli» («командная строка»); ``psych import`` writes them under the psychologist who logged in.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from moc_desktop import APP_NAME, __version__, config

log = logging.getLogger("moc_desktop.cli")

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
#: Environment variables holding secrets (never accepted as command-line options).
ENV_PASSWORD = "MOC_PASSWORD"
ENV_RECOVERY_KEY = "MOC_RECOVERY_KEY"
#: Who the audit log names for changes made from the command line.
CLI_ACTOR = ("cli", "командная строка")


class Refusal(Exception):
    """A refusal with a Russian message (exit code 1 unless given)."""

    def __init__(self, message: str, code: int = EXIT_REFUSED, payload: dict | None = None):
        super().__init__(message)
        self.code = code
        self.payload = payload


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "команды и аргументы"
        self._optionals.title = "параметры"
        self.add_argument("-h", "--help", action="help", help="показать эту справку и выйти")

    def error(self, message: str):  # Russian usage errors, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Ошибка в параметрах: {_russian_usage(message)}\n")
        raise SystemExit(EXIT_USAGE)


_USAGE_RU = (
    (
        r"argument (\S+): invalid choice: (.+) \(choose from (.+)\)",
        r"«\1»: недопустимое значение \2 (допустимо: \3)",
    ),
    (r"argument (\S+): invalid (\w+) value: (.+)", r"«\1»: неверное значение \3"),
    (r"argument (\S+): expected one argument", r"«\1»: нужно указать значение"),
    (r"the following arguments are required: (.+)", r"не указаны обязательные параметры: \1"),
    (r"unrecognized arguments: (.+)", r"неизвестные параметры: \1"),
)


def _russian_usage(message: str) -> str:
    import re

    for pattern, repl in _USAGE_RU:
        if re.search(pattern, message):
            return re.sub(pattern, repl, message)
    return message


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="moc-desktop-cli", description=f"{APP_NAME}: команды без окна")
    p.add_argument("--db", metavar="PATH|URL", help="файл базы SQLite или URL SQLAlchemy")
    p.add_argument(
        "--version", action="version", version=f"{APP_NAME} {__version__}", help="показать версию и выйти"
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="КОМАНДА")

    s = sub.add_parser("settings", help="настройки установки (наименование МОЦ, Управление образования …)")
    ss = s.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ДЕЙСТВИЕ")
    st = ss.add_parser("set", help="задать значение")
    st.add_argument("key")
    st.add_argument("value")
    sg = ss.add_parser("get", help="показать значение")
    sg.add_argument("key")
    sh = ss.add_parser("show", help="показать все настройки")
    sh.add_argument(
        "--format", choices=("text", "json"), default="text", help="вывод: text (по умолчанию) или json"
    )

    t = sub.add_parser("template", help="шаблон Excel для импорта")
    t.add_argument("kind", choices=("schools", "staff"), help="schools — школы, staff — педагоги")
    t.add_argument("file", type=Path, help="куда записать .xlsx")

    i = sub.add_parser("import", help="импорт школ или педагогов из .xlsx/.xls/.csv")
    i.add_argument("kind", choices=("schools", "staff"), help="schools — школы, staff — педагоги")
    i.add_argument("file", type=Path, help="файл .xlsx, .xls или .csv")
    i.add_argument(
        "--valid-only", action="store_true", help="импортировать верные строки, пропустив ошибочные"
    )
    i.add_argument(
        "--format", choices=("text", "json"), default="text", help="вывод: text (по умолчанию) или json"
    )

    e = sub.add_parser("export", help="выгрузка списка в .xlsx")
    e.add_argument("kind", choices=("schools", "staff"), help="schools — школы, staff — педагоги")
    e.add_argument("file", type=Path, help="куда записать .xlsx")
    e.add_argument("--year", help="учебный год для статусов (по умолчанию — текущий)")

    d = sub.add_parser("demo", help="демонстрационный муниципалитет")
    d.add_argument("--scale", choices=("S", "L"), default="S")
    d.add_argument("--seed", type=int, default=2026)
    d.add_argument("--force", action="store_true", help="добавить даже в непустую базу")
    d.add_argument(
        "--format", choices=("text", "json"), default="text", help="вывод: text (по умолчанию) или json"
    )

    for kind, title in (("order", "приказы"), ("protocol", "протоколы")):
        o = sub.add_parser(kind, help=f"{title}: список и печатные формы")
        oo = o.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ДЕЙСТВИЕ")
        ol = oo.add_parser("list", help="список")
        ol.add_argument("--year", type=int, help="календарный год")
        ol.add_argument(
            "--format", choices=("text", "json"), default="text", help="вывод: text (по умолчанию) или json"
        )
        orr = oo.add_parser("render", help="печатная форма в .docx или .pdf")
        orr.add_argument("id", type=int, help="код документа (из списка)")
        orr.add_argument("out", type=Path, help="файл .docx или .pdf")

    m = sub.add_parser("migrate", help="обновить схему базы (с резервной копией)")
    m.add_argument(
        "--format", choices=("text", "json"), default="text", help="вывод: text (по умолчанию) или json"
    )

    b = sub.add_parser("backup", help="резервная копия базы в папку данных")
    b.add_argument("--to", type=Path, help="папка для копии")

    _add_diagnostics_parser(sub)
    _add_mentoring_parser(sub)
    _add_users_parser(sub)
    _add_psych_parser(sub)
    return p


def _add_users_parser(sub) -> None:
    """``users add|list``: accounts of the program. The password comes only from ``MOC_PASSWORD``."""
    g = sub.add_parser("users", help="учётные записи пользователей программы")
    gg = g.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ДЕЙСТВИЕ")
    fmt_help = "вывод: text (по умолчанию) или json"

    a = gg.add_parser(
        "add",
        help=f"добавить пользователя (пароль — из переменной окружения {ENV_PASSWORD})",
        description=(
            f"Пароль берётся только из переменной окружения {ENV_PASSWORD}. Для педагога-психолога, "
            f"добавляемого после первого, можно сразу открыть журнал: {ENV_RECOVERY_KEY}=ключ восстановления."
        ),
        allow_abbrev=False,
    )
    a.add_argument("login", metavar="ЛОГИН", help="латинские буквы, цифры, «.», «_», «-»")
    a.add_argument(
        "--role",
        required=True,
        metavar="РОЛЬ",
        help="admin, head, methodist, psychologist или по-русски («методист», «педагог-психолог»)",
    )
    a.add_argument("--name", required=True, metavar="ФИО", help="фамилия, имя, отчество")
    a.add_argument("--post", default="", metavar="ДОЛЖНОСТЬ", help="должность")
    a.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)

    ls = gg.add_parser("list", help="список пользователей")
    ls.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)


def _add_psych_parser(sub) -> None:
    """``psych import|template|report``: the psychologist's journal from Excel, and its aggregates."""
    g = sub.add_parser("psych", help="журнал педагога-психолога: загрузка из Excel и сводный отчёт")
    gg = g.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ДЕЙСТВИЕ")
    fmt_help = "вывод: text (по умолчанию) или json"

    i = gg.add_parser(
        "import",
        help=f"загрузить записи журнала из .xlsx/.xls/.csv (пароль — из {ENV_PASSWORD})",
        description=(
            f"Вход под учётной записью педагога-психолога: пароль берётся из переменной окружения "
            f"{ENV_PASSWORD}. Если журнал для этой учётной записи ещё не открыт, один раз укажите "
            f"{ENV_RECOVERY_KEY}=ключ восстановления."
        ),
        allow_abbrev=False,
    )
    i.add_argument("file", type=Path, help="файл журнала (.xlsx, .xls или .csv)")
    i.add_argument("--user", required=True, metavar="ЛОГИН", help="логин педагога-психолога")
    i.add_argument("--valid-only", action="store_true", help="загрузить верные строки, пропустив ошибочные")
    i.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)

    t = gg.add_parser("template", help="шаблон Excel журнала для переноса записей")
    t.add_argument("file", type=Path, help="куда записать .xlsx")

    r = gg.add_parser("report", help="сводный отчёт за учебный год (только обобщённые показатели)")
    r.add_argument("--year", required=True, metavar="ГГГГ/ГГГГ", help="учебный год, например 2025/2026")
    r.add_argument("--out", type=Path, metavar="FILE", help="записать отчёт в .docx или .xlsx")
    r.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)


def _add_diagnostics_parser(sub) -> None:
    """``diagnostics …``: competence diagnostics «5 К» (campaigns, summary, cards from Excel, report, card)."""
    g = sub.add_parser("diagnostics", help="диагностика профессиональных компетенций педагогов («5 К»)")
    gg = g.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ДЕЙСТВИЕ")
    fmt_help = "вывод: text (по умолчанию) или json"

    c = gg.add_parser("campaigns", help="список диагностик")
    c.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)

    s = gg.add_parser("summary", help="муниципальная сводка: JSON или книга Excel с результатами")
    s.add_argument("--campaign", type=int, required=True, metavar="ID", help="код диагностики")
    s.add_argument(
        "--format",
        choices=("json", "xlsx"),
        default="json",
        help="json (по умолчанию) или xlsx (нужен --out)",
    )
    s.add_argument("--out", type=Path, metavar="FILE", help="куда записать .xlsx")

    sc = gg.add_parser("score", help="посчитать одну карту из файла JSON (без базы)")
    sc.add_argument("card", type=Path, metavar="CARD.json", help='{"raters": {"self": {"1.1": 2, …}, …}}')

    i = gg.add_parser("import", help="загрузить карты из .xlsx/.xls/.csv в диагностику")
    i.add_argument("--campaign", type=int, required=True, metavar="ID", help="код диагностики")
    i.add_argument("file", type=Path, help="файл с картами (строками или лист на педагога)")
    i.add_argument("--valid-only", action="store_true", help="загрузить верные строки, пропустив ошибочные")
    i.add_argument("--layout", choices=("auto", "rows", "card"), default="auto", help="вид файла")
    i.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)

    t = gg.add_parser("template", help="шаблон Excel для карт")
    t.add_argument("kind", choices=("rows", "card"), help="rows — строками, card — лист на педагога")
    t.add_argument("file", type=Path, help="куда записать .xlsx")
    t.add_argument("--campaign", type=int, metavar="ID", help="заполнить педагогами диагностики")

    r = gg.add_parser(
        "report", help="справка «Уровень развития профессиональных компетентностей» (.docx/.pdf)"
    )
    r.add_argument("--campaign", type=int, required=True, metavar="ID", help="код диагностики")
    r.add_argument("out", type=Path, help="файл .docx или .pdf")
    r.add_argument(
        "--group",
        choices=("low", "shnor", "all"),
        default="low",
        help="low — ШНОР и ШНСУ (по умолчанию), shnor — ШНОР, all — все школы",
    )
    r.add_argument(
        "--school", type=int, action="append", metavar="ID", help="только эти школы (можно несколько раз)"
    )

    b = gg.add_parser("blank-card", help="бланк диагностической карты для печати (.docx/.pdf)")
    b.add_argument("out", type=Path, help="файл .docx или .pdf")
    b.add_argument("--campaign", type=int, metavar="ID", help="диагностика (этап и учебный год в заголовке)")
    b.add_argument("--person", type=int, metavar="ID", help="педагог: заполнить шапку карты")


def _add_mentoring_parser(sub) -> None:
    """``mentoring …``: suggested mentors for a mentee (with reasons) and the list of mentor pairs."""
    g = sub.add_parser("mentoring", help="наставничество: подбор наставника и список пар")
    gg = g.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ДЕЙСТВИЕ")
    fmt_help = "вывод: text (по умолчанию) или json"

    s = gg.add_parser("suggest", help="предложить наставников педагогу по дефицитам его карты «5 К»")
    s.add_argument("--mentee", required=True, metavar="UUID|ID", help="наставляемый: uuid или код педагога")
    s.add_argument("--limit", type=int, default=10, metavar="N", help="сколько предложений (по умолчанию 10)")
    s.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)

    p = gg.add_parser("pairs", help="список наставнических пар")
    p.add_argument(
        "--status",
        choices=("draft", "active", "completed", "terminated"),
        help="только пары в этом статусе",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help=fmt_help)


def _open(args):
    """The session factory of the database; its sessions write audit rows under the actor «cli»."""
    from moc_desktop.db.engine import DatabaseError, open_database

    try:
        _engine, factory = open_database(config.db_url(args.db), config.paths().ensure().backups_dir)
    except DatabaseError as exc:
        raise Refusal(str(exc), EXIT_REFUSED) from exc
    info = factory.kw.setdefault("info", {})
    info["actor_login"], info["actor_name"] = CLI_ACTOR
    return factory


def _emit(args, text: str, data: dict) -> None:
    if getattr(args, "format", "text") == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def cmd_settings(args) -> int:
    from moc_desktop.db.engine import session_scope
    from moc_desktop.services import settings

    factory = _open(args)
    with session_scope(factory) as s:
        if args.action == "set":
            try:
                settings.set_value(s, args.key, args.value)
            except settings.UnknownSetting:
                known = ", ".join(settings.SETTINGS)
                raise Refusal(
                    f"Неизвестная настройка «{args.key}». Допустимые ключи: {known}.", EXIT_USAGE
                ) from None
            print(f"{settings.SETTINGS[args.key][0]}: {args.value.strip()}")
        elif args.action == "get":
            if args.key not in settings.SETTINGS:
                raise Refusal(f"Неизвестная настройка «{args.key}».", EXIT_USAGE)
            print(settings.get(s, args.key))
        else:
            values = settings.all_values(s)
            text = "\n".join(f"{k:14} {settings.SETTINGS[k][0]}: {v or '—'}" for k, v in values.items())
            _emit(args, text, values)
    return EXIT_OK


def cmd_template(args) -> int:
    from moc_desktop.services import xlsx_export

    try:
        xlsx_export.write_template(args.kind, args.file)
    except xlsx_export.ExportError as exc:
        raise Refusal(str(exc)) from exc
    print(f"Шаблон записан: {args.file}")
    return EXIT_OK


def _row_errors_text(errors) -> str:
    return "\n".join(
        f"  {e}" for e in errors
    )  # «Строка 5, колонка «Эл. почта»: …» (no column for file-level)


def _import_refused(exc, what: str) -> Refusal:
    """An all-or-nothing import refused: the row errors on stdout (JSON payload for --format json)."""
    errs = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
    text = (
        f"{what} отклонён: ошибок — {len(exc.errors)}. База не изменена.\n"
        f"{_row_errors_text(exc.errors)}\n"
        "Исправьте файл или запустите с --valid-only, чтобы загрузить только верные строки."
    )
    return Refusal(text, payload={"status": "refused", "errors": errs})


def _import_done(args, headline: str, result) -> int:
    errs = [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors]
    text = headline
    if result.errors:
        text += "\nПропущенные строки:\n" + _row_errors_text(result.errors)
    data = {
        "status": "ok",
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.skipped,
        "errors": errs,
    }
    _emit(args, text, data)
    return EXIT_OK


def cmd_import(args) -> int:
    from moc_desktop.services import imports

    factory = _open(args)
    try:
        result = imports.import_file(factory, args.file, args.kind, valid_only=args.valid_only)
    except imports.ImportFileError as exc:
        raise Refusal(str(exc)) from exc
    except imports.ImportRefused as exc:
        raise _import_refused(exc, "Импорт") from exc
    return _import_done(args, f"Импорт выполнен. {result.summary()}", result)


def cmd_export(args) -> int:
    from moc_desktop.services import lists, xlsx_export

    factory = _open(args)
    with factory() as s:
        try:
            n = lists.export_list(s, args.kind, args.file, school_year=args.year)
        except xlsx_export.ExportError as exc:
            raise Refusal(str(exc)) from exc
    print(f"Выгружено строк: {n} → {args.file}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from moc_desktop.services import demo

    factory = _open(args)
    progress = None
    if args.format == "text" and sys.stderr.isatty():

        def progress(fraction: float, message: str) -> None:
            sys.stderr.write(f"\r{int(fraction * 100):3d}% {message[:60]:60}")

    try:
        summary = demo.generate_demo(
            factory, scale=args.scale, seed=args.seed, force=args.force, progress=progress
        )
    except demo.DemoRefused as exc:
        raise Refusal(str(exc)) from exc
    if progress:
        sys.stderr.write("\n")
    data = {
        "scale": summary.scale,
        "seed": summary.seed,
        "school_years": summary.school_years,
        "counts": summary.counts,
        "notes": summary.notes,  # demo accounts, their password, what was skipped
        "recovery_key": summary.recovery_key,  # of the psychologist's journal, when the demo created it
    }
    _emit(args, summary.describe(), {"status": "ok", **data})
    return EXIT_OK


def cmd_migrate(args) -> int:
    from moc_desktop.db import SCHEMA_HEAD

    _open(args)
    _emit(args, f"Схема базы актуальна: {SCHEMA_HEAD}.", {"status": "ok", "schema": SCHEMA_HEAD})
    return EXIT_OK


def cmd_backup(args) -> int:
    from moc_desktop.db.engine import backup_sqlite, sqlite_path

    url = config.db_url(args.db)
    db_file = sqlite_path(url)
    if db_file is None or not db_file.exists():
        raise Refusal("Резервная копия делается только для файла SQLite, а он не найден.")
    _open(args)
    target = backup_sqlite(db_file, args.to or config.paths().ensure().backups_dir, reason="manual")
    print(f"Резервная копия: {target}")
    return EXIT_OK


def cmd_document(args) -> int:
    from moc_desktop.services.docs import orders, protocols, render

    factory = _open(args)
    with factory() as s:
        if args.action == "list":
            if args.command == "order":
                rows = orders.list_orders(s, args.year)
                data = [
                    {
                        "id": r.id,
                        "number": r.number_text if r.number is not None else None,
                        "date": r.date.isoformat() if r.date else None,
                        "title": r.title,
                        "status": r.status_code,
                    }
                    for r in rows
                ]
                text = "\n".join(
                    f"{r.id:>5}  {r.number_text:>10}  {r.date.strftime('%d.%m.%Y') if r.date else '—':10}  "
                    f"{r.status:9}  {r.title}"
                    for r in rows
                )
            else:
                rows = protocols.list_protocols(s, args.year)
                data = [
                    {
                        "id": r.id,
                        "body": r.body,
                        "number": r.number,
                        "date": r.date.isoformat() if r.date else None,
                        "title": r.title,
                        "status": r.status_code,
                        "present": r.present,
                    }
                    for r in rows
                ]
                text = "\n".join(
                    f"{r.id:>5}  {r.number_text:>6}  {r.date.strftime('%d.%m.%Y') if r.date else '—':10}  "
                    f"{r.body}: {r.title}"
                    for r in rows
                )
            _emit(args, text or "Документов нет.", data)
            return EXIT_OK
        try:
            result = render.render_to_file(s, args.command, args.id, args.out)
        except render.RenderError as exc:
            raise Refusal(str(exc)) from exc
    for w in result.warnings:
        sys.stderr.write(f"Внимание: {w}\n")
    print(f"Документ записан: {result.path}")
    return EXIT_OK


def _campaign_dict(r) -> dict:
    return {
        "id": r.id,
        "title": r.title,
        "school_year": r.school_year,
        "stage": r.stage_code,
        "stage_title": r.stage,
        "date_from": r.date_from.isoformat() if r.date_from else None,
        "date_to": r.date_to.isoformat() if r.date_to else None,
        "schools": r.schools,
        "cards": r.cards,
        "complete": r.complete,
    }


def _diag_score(args) -> int:
    from moc_desktop.services.diagnostics import files

    try:
        text = args.card.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Refusal(f"Файл «{args.card}» не найден.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Refusal(f"Не удалось прочитать файл «{args.card}»: {exc}.") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, col = getattr(exc, "lineno", "?"), getattr(exc, "colno", "?")
        raise Refusal(
            f"Файл «{args.card.name}» — не JSON (строка {line}, позиция {col}). "
            'Ожидается {"raters": {"self": {"1.1": 2, …}, "shmo": {…}, "deputy": {…}}}.'
        ) from exc
    try:
        result = files.score_card_data(data)
    except files.DiagnosticsError as exc:
        raise Refusal(str(exc)) from exc
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_diagnostics(args) -> int:
    if args.action == "score":
        return _diag_score(args)
    from moc_desktop.services import imports, xlsx_export
    from moc_desktop.services.diagnostics import analytics, cards, files
    from moc_desktop.services.docs import render

    factory = _open(args)
    with factory() as s:
        try:
            if args.action == "campaigns":
                rows = cards.list_campaigns(s)
                text = "\n".join(
                    f"{r.id:>5}  {r.school_year}  {r.stage:13}  карт {r.cards:>5} (полных {r.complete:>5})  {r.title}"
                    for r in rows
                )
                _emit(args, text or "Диагностик нет.", [_campaign_dict(r) for r in rows])
                return EXIT_OK
            if args.action == "summary":
                camp = files.get_campaign_or_error(s, args.campaign)
                if args.format == "xlsx":
                    if args.out is None:
                        raise Refusal("Для --format xlsx укажите файл: --out РЕЗУЛЬТАТЫ.xlsx.", EXIT_USAGE)
                    files.export_results(s, camp.id, args.out)
                    print(f"Результаты записаны: {args.out}")
                    return EXIT_OK
                titles = analytics.competence_titles(s, camp)
                row = next(r for r in cards.list_campaigns(s) if r.id == camp.id)
                data = {
                    "campaign": _campaign_dict(row),
                    "template_version": camp.template_version,
                    "summary": analytics.summary(s, camp.id).as_dict(titles),
                    "schools": [
                        {"school_id": sid, "school": name, **summ.as_dict(titles)}
                        for sid, name, summ in analytics.summary_by_school(s, camp.id)
                    ],
                }
                if args.out is not None:
                    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
                print(json.dumps(data, ensure_ascii=False, indent=2))
                return EXIT_OK
            if args.action == "import":
                return _diag_import(args, s, files, imports)
            if args.action == "template":
                files.write_cards_template(args.kind, args.file, s, args.campaign)
                print(f"Шаблон записан: {args.file}")
                return EXIT_OK
            if args.action == "report":
                from moc_desktop.services.diagnostics import report

                group = "chosen" if args.school else args.group
                out = report.write_level_report(s, args.campaign, args.out, group, args.school)
                print(f"Справка записана: {out}")
                return EXIT_OK
            out = files.blank_card_docx(s, args.out, args.campaign, args.person)
            print(f"Бланк карты записан: {out}")
            return EXIT_OK
        except (files.DiagnosticsError, xlsx_export.ExportError, render.RenderError) as exc:
            raise Refusal(str(exc)) from exc


def _diag_import(args, s, files, imports) -> int:
    try:
        result = files.import_cards(
            s, args.campaign, args.file, valid_only=args.valid_only, layout=args.layout
        )
        s.commit()
    except imports.ImportFileError as exc:
        raise Refusal(str(exc)) from exc
    except imports.ImportRefused as exc:
        raise _import_refused(exc, "Импорт карт") from exc
    headline = (
        f"Карты загружены. Новых карт: {result.created}, обновлено: {result.updated}, "
        f"без изменений: {result.unchanged}"
        + (f", пропущено строк с ошибками: {result.skipped}." if result.skipped else ".")
    )
    return _import_done(args, headline, result)


def cmd_mentoring(args) -> int:
    from moc_desktop.services.mentoring import matching

    factory = _open(args)
    with factory() as s:
        if args.action == "pairs":
            rows = matching.list_pairs(s, args.status)
            text = "\n".join(
                f"{r['mentor']['name']} → {', '.join(m['name'] for m in r['mentees']) or '—'}  "
                f"({r['form_title']}; {r['status_title']}"
                + (f"; с {r['date_from']}" if r["date_from"] else "")
                + (f" по {r['date_to']}" if r["date_to"] else "")
                + ")"
                for r in rows
            )
            _emit(args, text or "Наставнических пар нет.", rows)
            return EXIT_OK
        if args.limit < 1:
            raise Refusal("--limit: число предложений должно быть не меньше 1.", EXIT_USAGE)
        try:
            result = matching.suggest(s, args.mentee, args.limit)
        except matching.MatchingError as exc:
            raise Refusal(str(exc)) from exc
        data = result.as_dict()
        lines = [
            f"Наставляемый: {result.mentee.name}"
            + (f", {result.mentee.school}" if result.mentee.school else ""),
            "Дефициты: "
            + (", ".join(f"{d.code} {d.title}" for d in result.deficits) if result.deficits else "нет"),
        ]
        for i, sug in enumerate(result.suggestions, 1):
            lines.append(
                f"{i:>2}. {sug.candidate.name} ({sug.candidate.school or 'без школы'}) — {sug.score:g}"
            )
            lines.append(f"    {'; '.join(sug.reasons)}")
            if sug.warnings:
                lines.append(f"    внимание: {'; '.join(sug.warnings)}")
        if not result.suggestions:
            lines.append("Подходящих наставников нет: ни у кого больше нет диагностической карты.")
        lines.append("Пары не создаются автоматически: выберите наставника и оформите пару.")
        _emit(args, "\n".join(lines), data)
    return EXIT_OK


# --- users and the psychologist's journal ----------------------------------------------------------------------


def _env_password(purpose: str) -> str:
    """The password from ``MOC_PASSWORD``; a refusal when it is not set (never an option of the command)."""
    password = os.environ.get(ENV_PASSWORD, "")
    if not password:
        raise Refusal(
            f"Пароль не задан. Укажите его в переменной окружения {ENV_PASSWORD} ({purpose}); "
            "в параметрах команды пароль не принимается, чтобы он не остался в истории команд."
        )
    return password


def _validation_refusal(args, exc, headline: str) -> Refusal:
    """A :class:`ValidationError` as a refusal listing each field's message (JSON: ``errors`` field → text)."""
    fields = {"login": "Логин", "full_name": "ФИО", "role": "Роль", "password": "Пароль"}
    lines = [f"  {fields.get(k, k)}: {v}" for k, v in exc.errors.items()]
    payload = None
    if getattr(args, "format", "text") == "json":
        payload = {"status": "refused", "message": headline, "errors": dict(exc.errors)}
    return Refusal(headline + "\n" + "\n".join(lines), payload=payload)


def _users_add(args, factory) -> int:
    from moc_desktop.db.engine import session_scope
    from moc_desktop.services import auth
    from moc_desktop.services.common import ValidationError

    password = _env_password("не короче 8 символов")
    recovery = os.environ.get(ENV_RECOVERY_KEY, "").strip() or None
    role_error: dict[str, str] = {}
    try:
        role = auth.role_code(args.role)
    except ValidationError as exc:
        role, role_error = args.role, exc.errors  # checked with the other fields below
    headline = "Пользователь не добавлен."
    try:
        with session_scope(factory) as s:
            new = auth.create_user(
                s,
                args.login,
                args.name,
                role,
                password,
                post=args.post,
                recovery_key=recovery if role == "psychologist" else None,
            )
            user = new.user
            login, full_name, role_title = user.login, user.full_name, auth.ROLES[user.role]
            # the first psychologist creates the journal's key; a later one gets it with the recovery key
            has_key = role == "psychologist" and bool(new.recovery_key or recovery)
            journal_exists = auth.journal_is_set_up(s)
    except ValidationError as exc:
        raise _validation_refusal(args, ValidationError({**exc.errors, **role_error}), headline) from exc
    except auth.AuthError as exc:
        raise Refusal(f"{headline} {exc}") from exc
    lines = [f"Пользователь добавлен: {login} — {full_name} ({role_title})."]
    if new.recovery_key:
        lines += [
            "",
            "Создан журнал педагога-психолога. Ключ восстановления (показывается один раз):",
            "",
            f"    {new.recovery_key}",
            "",
            "Запишите ключ и храните его отдельно от компьютера (в сейфе у руководителя). Он нужен, чтобы открыть",
            "журнал после сброса пароля или для второго психолога. Без пароля психолога и без этого ключа",
            "записи журнала прочитать невозможно — никто, включая администратора, их не восстановит.",
        ]
    elif role == "psychologist" and not has_key and journal_exists:
        lines.append(
            "Журнал психолога для этой учётной записи пока закрыт: при первом входе введите ключ "
            f"восстановления (или добавьте пользователя заново с {ENV_RECOVERY_KEY}=ключ)."
        )
    elif role == "psychologist" and recovery:
        lines.append("Журнал психолога для этой учётной записи открыт ключом восстановления.")
    data = {"status": "ok", "login": login, "role": role, "recovery_key": new.recovery_key}
    if role == "psychologist":
        data["journal_access"] = has_key
    _emit(args, "\n".join(lines), data)
    return EXIT_OK


def cmd_users(args) -> int:
    from moc_desktop.services import auth

    factory = _open(args)
    if args.action == "add":
        return _users_add(args, factory)
    with factory() as s:
        users = auth.list_users(s)
        data = [
            {
                "login": u.login,
                "full_name": u.full_name,
                "role": u.role,
                "role_title": auth.ROLES.get(u.role, u.role),
                "post": u.post,
                "active": u.active,
                "last_login": u.last_login_at.strftime("%d.%m.%Y %H:%M") if u.last_login_at else None,
            }
            for u in users
        ]
    text = "\n".join(
        f"{d['login']:16} {d['full_name']:40} {d['role_title']:17} {'активна' if d['active'] else 'отключена'}"
        for d in data
    )
    _emit(args, text or "Пользователей нет.", data)
    return EXIT_OK


#: ``psych report`` needs no login: it shows only aggregates (what may leave the installation). The services
#: check permissions against a principal, so the command uses this internal read-only one of role «head»
#: (the role of the МОЦ's head, who holds ``psych.aggregates`` and nothing of the journal itself).
REPORT_PRINCIPAL_ROLE = "head"


def _report_principal():
    from moc_desktop.services import auth

    login, name = CLI_ACTOR
    return auth.Principal(user_id=0, login=login, full_name=name, role=REPORT_PRINCIPAL_ROLE)


def _psych_login(factory, login: str):
    """Log in a psychologist from ``MOC_PASSWORD`` (lockout applies) with the journal key; ``MOC_RECOVERY_KEY``
    opens the journal once for an account that has no key yet."""
    from moc_desktop.services import auth

    password = _env_password("пароль педагога-психолога")
    with factory() as s:
        try:
            user = auth.authenticate(s, login, password)
        except auth.LoginRefused as exc:
            raise Refusal(f"Вход не выполнен: {exc}") from exc
        if user.role != "psychologist":
            s.commit()
            raise Refusal(
                f"Загружать записи в журнал может только педагог-психолог; у пользователя «{user.login}» "
                f"роль «{user.role_title}»."
            )
        if user.journal_key is None:
            recovery = os.environ.get(ENV_RECOVERY_KEY, "").strip()
            if not auth.needs_journal_access(s, user):
                s.commit()
                raise Refusal("Журнал педагога-психолога ещё не создан в этой базе.")
            if not recovery:
                s.commit()
                raise Refusal(
                    f"Журнал для учётной записи «{user.login}» ещё не открыт (пароль сброшен или учётная запись "
                    f"добавлена после первого психолога). Запустите команду один раз с переменной окружения "
                    f"{ENV_RECOVERY_KEY}=ключ восстановления."
                )
            try:
                user = auth.grant_journal_access(s, user, password, recovery)
            except auth.AuthError as exc:
                s.commit()
                raise Refusal(f"Журнал не открыт: {exc}") from exc
        s.commit()
    auth.bind_actor(factory, user)
    return user


def cmd_psych(args) -> int:
    from moc_desktop.services import imports, xlsx_export
    from moc_desktop.services.psych import files

    factory = _open(args)
    if args.action == "template":
        with factory() as s:  # the schools of the registry become the drop-down list of the column «Школа»
            try:
                out = files.write_template(args.file, s)
            except xlsx_export.ExportError as exc:
                raise Refusal(str(exc)) from exc
        print(f"Шаблон журнала записан: {out}")
        return EXIT_OK
    if args.action == "report":
        return _psych_report(args, factory)
    from moc_desktop.services import auth

    user = _psych_login(factory, args.user)
    with factory() as s:
        try:
            result = files.import_journal(s, user, args.file, valid_only=args.valid_only)
            s.commit()
        except imports.ImportFileError as exc:
            raise Refusal(str(exc)) from exc
        except imports.ImportRefused as exc:
            raise _import_refused(exc, "Импорт журнала") from exc
        except auth.AuthError as exc:
            raise Refusal(str(exc)) from exc
    headline = f"Записи журнала загружены: {result.created}" + (
        f", уже были в журнале: {result.unchanged}" if result.unchanged else ""
    )
    headline += f", пропущено строк с ошибками: {result.skipped}." if result.skipped else "."
    return _import_done(args, headline, result)


def _psych_report(args, factory) -> int:
    from moc_desktop.services.common import format_date, normalize_school_year
    from moc_desktop.services.psych import journal, reports

    year = normalize_school_year(args.year)
    if year is None:
        raise Refusal(f"«{args.year}» — не учебный год. Укажите его так: 2025/2026.", EXIT_USAGE)
    suffix = args.out.suffix.lower() if args.out else ""
    if args.out is not None and suffix not in (".docx", ".xlsx"):
        raise Refusal("Отчёт записывается в файл .docx или .xlsx.", EXIT_USAGE)
    user = _report_principal()
    date_from, date_to = reports.school_year_bounds(year)
    with factory() as s:
        sm = reports.summary(s, user, date_from, date_to)
        out = None
        if args.out is not None:
            write = (
                reports.write_annual_report_docx if suffix == ".docx" else reports.write_annual_report_xlsx
            )
            try:
                out = write(s, user, year, args.out)
            except OSError as exc:
                raise Refusal(f"Не удалось записать файл «{args.out}»: {exc.strerror or exc}.") from exc
        s.commit()  # the export's audit row
    data = {
        "status": "ok",
        "year": year,
        "date_from": sm.date_from.isoformat(),
        "date_to": sm.date_to.isoformat(),
        "sessions": sm.sessions,
        "hours": sm.hours,
        "participants": sm.participants,
        "children_served": sm.children_served,
        "by_kind": sm.by_kind,
        "by_category": sm.by_category,
        "by_form": sm.by_form,
        "by_school": [{"school": n, "sessions": k, "children": c} for n, k, c in sm.by_school],
        "by_month": [{"month": m, "sessions": k} for m, k in sm.by_month],
    }
    if out is not None:
        data["file"] = str(out)

    def named(counts: dict[str, int], titles: dict[str, str]) -> str:
        return ", ".join(f"{titles.get(k, k)} — {n}" for k, n in counts.items() if n) or "—"

    hours = f"{sm.hours:.1f}".replace(".", ",")
    lines = [
        f"Работа педагога-психолога за {year} учебный год "
        f"({format_date(sm.date_from)}–{format_date(sm.date_to)})",
        f"Записей: {sm.sessions}, часов: {hours}, участников: {sm.participants}.",
        f"Обследовано и проконсультировано обучающихся: {sm.children_served}.",
        "По видам работы: " + named(sm.by_kind, journal.KINDS) + ".",
        "По категориям: " + named(sm.by_category, journal.CATEGORIES) + ".",
        "По формам: " + named(sm.by_form, journal.FORMS) + ".",
    ]
    if sm.by_school:
        lines.append("По школам:")
        lines += [f"  {n}: записей {k}, обучающихся {c}" for n, k, c in sm.by_school]
    if out is not None:
        lines.append(f"Отчёт записан: {out}")
    _emit(args, "\n".join(lines), data)
    return EXIT_OK


COMMANDS: dict[str, Callable] = {
    "order": cmd_document,
    "protocol": cmd_document,
    "settings": cmd_settings,
    "template": cmd_template,
    "import": cmd_import,
    "export": cmd_export,
    "demo": cmd_demo,
    "migrate": cmd_migrate,
    "backup": cmd_backup,
    "diagnostics": cmd_diagnostics,
    "mentoring": cmd_mentoring,
    "users": cmd_users,
    "psych": cmd_psych,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        logging.basicConfig(
            filename=str(config.paths().ensure().logs_dir / "moc-desktop-cli.log"),
            level=logging.INFO,
            encoding="utf-8",
        )
    except OSError:
        pass
    try:
        return COMMANDS[args.command](args)
    except Refusal as exc:
        if getattr(args, "format", "text") == "json":
            print(
                json.dumps(
                    exc.payload or {"status": "refused", "message": str(exc)}, ensure_ascii=False, indent=2
                )
            )
            if exc.payload:
                sys.stderr.write(str(exc).splitlines()[0] + "\n")
        elif exc.payload is not None:
            print(str(exc))  # row errors go to stdout
        else:
            sys.stderr.write(f"{exc}\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("Прервано пользователем.\n")
        return 130
    except BrokenPipeError:  # «… | head» closed the pipe: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # never a traceback on the console; the log keeps it
        log.exception("internal error")
        sys.stderr.write(
            f"Внутренняя ошибка: {exc}. Подробности записаны в журнал {config.paths().logs_dir}.\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
