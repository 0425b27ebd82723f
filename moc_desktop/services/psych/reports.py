"""Aggregates of the psychologist's work: the only journal data other roles see and that may leave the
installation (counts by kind, category, form, school and month; hours; participants; children served).

No text of an entry, no client code, no note ever enters a summary or a report. Everything is counted in SQL
(GROUP BY over the indexed ``held_on``), fast on a journal of 60 000 entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from moc_desktop.db.changes import write_audit
from moc_desktop.db.models import PsychSession, School
from moc_desktop.services import settings
from moc_desktop.services.auth import Principal, require
from moc_desktop.services.common import ValidationError, format_date, normalize_school_year
from moc_desktop.services.docs.reports import plural
from moc_desktop.services.psych.journal import CATEGORIES, FORMS, KINDS, NO_SCHOOL

REPORT_TITLE = "Отчёт о работе педагога-психолога"
SHEETS = ("Сводка", "По видам работы", "По категориям", "По школам", "По месяцам")


@dataclass
class PsychSummary:
    date_from: date
    date_to: date
    sessions: int
    hours: float
    participants: int  # Σ group_size
    children_served: int  # see children_served_rule
    by_kind: dict[str, int]
    by_category: dict[str, int]
    by_form: dict[str, int]
    by_school: list[tuple[str, int, int]]  # (school name or «МОЦ / без школы», sessions, children)
    by_month: list[tuple[str, int]]  # («09.2025», n) in date order, every month of the period


def school_year_bounds(year: str) -> tuple[date, date]:
    """«2025/2026» → (01.09.2025, 31.08.2026): a school year starts on 1 September (``common.school_year_of``).
    Also accepts «2025-2026», «2025/26»; anything else → :class:`ValidationError`."""
    norm = normalize_school_year(year)
    if norm is None:
        raise ValidationError({"year": f"«{year}» — не учебный год (ожидается, например, 2025/2026)."})
    start = int(norm[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def children_served_rule(coded_pupils: set[str] | int, uncoded_group_sizes: list[int] | int) -> int:
    """Children served (seed 001: «обследовано и проконсультировано 864 ребенка»): every pupil counted once —
    the number of distinct client codes among pupil entries of the period (individual and group entries that
    carry a code), plus, for pupil group entries without a code, their number of participants. Entries with
    parents, teachers or administration do not count children."""
    coded = coded_pupils if isinstance(coded_pupils, int) else len(coded_pupils)
    uncoded = uncoded_group_sizes if isinstance(uncoded_group_sizes, int) else sum(uncoded_group_sizes)
    return coded + uncoded


def _months(date_from: date, date_to: date) -> list[tuple[int, int]]:
    out = []
    y, m = date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _period_condition(session: Session, date_from: date, date_to: date):
    """Live entries of the period. When the period covers the whole journal the date condition is left out: a
    plain scan of the table is several times faster than walking the date index over every row."""
    conditions = [PsychSession.deleted_at.is_(None)]
    first, last = session.execute(
        select(func.min(PsychSession.held_on), func.max(PsychSession.held_on))
    ).one()
    if first is None or first < date_from:
        conditions.append(PsychSession.held_on >= date_from)
    if last is None or last > date_to:
        conditions.append(PsychSession.held_on <= date_to)
    return and_(*conditions)


def summary(session: Session, user: Principal, date_from: date, date_to: date) -> PsychSummary:
    """Counts of the journal between ``date_from`` and ``date_to`` inclusive (all psychologists of the
    installation). Every role may see them (permission «psych.aggregates»). Four GROUP BY queries: by school ×
    kind × category × form (counts, minutes, participants, uncoded pupil groups), distinct pupil codes per school
    and in all, entries per day (summed to months here)."""
    require(user, "psych.aggregates")
    if date_to < date_from:
        raise ValidationError({"date_to": "Конец периода раньше его начала."})
    live = _period_condition(session, date_from, date_to)
    pupil_coded = and_(PsychSession.client_category == "pupil", PsychSession.client_code != "")
    pupil_uncoded_group = and_(
        PsychSession.client_category == "pupil", PsychSession.client_code == "", PsychSession.form == "group"
    )
    uncoded = func.coalesce(func.sum(case((pupil_uncoded_group, PsychSession.group_size), else_=0)), 0)
    dims = (PsychSession.school_id, PsychSession.kind, PsychSession.client_category, PsychSession.form)
    cube = session.execute(
        select(
            *dims,
            func.count(PsychSession.id),
            func.coalesce(func.sum(PsychSession.duration_min), 0),
            func.coalesce(func.sum(PsychSession.group_size), 0),
            uncoded,
        )
        .where(live)
        .group_by(*dims)
    ).all()
    codes_by_school = dict(
        session.execute(
            select(PsychSession.school_id, func.count(func.distinct(PsychSession.client_code)))
            .where(live, pupil_coded)
            .group_by(PsychSession.school_id)
        ).all()
    )
    codes_total = session.scalar(
        select(func.count(func.distinct(PsychSession.client_code))).where(live, pupil_coded)
    )
    per_day = session.execute(
        select(PsychSession.held_on, func.count(PsychSession.id)).where(live).group_by(PsychSession.held_on)
    ).all()

    n = minutes = participants = groups = 0
    by_kind = dict.fromkeys(KINDS, 0)
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_form = dict.fromkeys(FORMS, 0)
    per_school: dict[int | None, list[int]] = {}
    for school_id, kind, category, form, cnt, mins, people, uncoded_n in cube:
        n += cnt
        minutes += int(mins)
        participants += int(people)
        groups += int(uncoded_n)
        by_kind[kind] = by_kind.get(kind, 0) + cnt
        by_category[category] = by_category.get(category, 0) + cnt
        by_form[form] = by_form.get(form, 0) + cnt
        acc = per_school.setdefault(school_id, [0, 0])
        acc[0] += cnt
        acc[1] += int(uncoded_n)
    names = dict(
        session.execute(
            select(School.id, School.short_name).where(
                School.id.in_([k for k in per_school if k is not None])
            )
        ).all()
    )
    named = sorted(
        (
            (names[sid], cnt, children_served_rule(codes_by_school.get(sid, 0), grp))
            for sid, (cnt, grp) in per_school.items()
            if sid in names
        ),
        key=lambda r: r[0].lower(),
    )
    # «МОЦ / без школы» last (children are summed per school there: a pupil is one child in each school)
    rest = [(cnt, children_served_rule(codes_by_school.get(sid, 0), grp)) for sid, (cnt, grp) in per_school.items()
            if sid not in names]  # fmt: skip
    if rest:
        named.append((NO_SCHOOL, sum(r[0] for r in rest), sum(r[1] for r in rest)))

    per_month: dict[tuple[int, int], int] = {}
    for day, cnt in per_day:
        key = (day.year, day.month)
        per_month[key] = per_month.get(key, 0) + cnt
    by_month = [(f"{m:02d}.{y}", per_month.get((y, m), 0)) for y, m in _months(date_from, date_to)]
    return PsychSummary(
        date_from=date_from,
        date_to=date_to,
        sessions=n,
        hours=round(minutes / 60, 1),
        participants=participants,
        children_served=children_served_rule(int(codes_total or 0), groups),
        by_kind=by_kind,
        by_category=by_category,
        by_form=by_form,
        by_school=named,
        by_month=by_month,
    )


# --- helpers for the documents -----------------------------------------------------------------------------------


_plural = plural  # Russian plural forms: one rule for all documents (services/docs/reports.py)


def children_sentence(n: int) -> str:
    """«Обследовано и проконсультировано 864 ребёнка» (seed 001), with the right plural."""
    word = _plural(n, "обучающийся", "обучающихся", "обучающихся")
    return f"Обследовано и проконсультировано {n} {word}."


def _hours(h: float) -> str:
    text = f"{h:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}".replace(".", ",") if whole else "—"


def _tables(s: PsychSummary) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Sheet/section title → (headers, rows) shared by the .docx and the .xlsx."""
    kinds = [[KINDS.get(k, k), n, _share(n, s.sessions)] for k, n in s.by_kind.items()]
    cats = [[CATEGORIES.get(k, k), n, _share(n, s.sessions)] for k, n in s.by_category.items()]
    forms = [[FORMS.get(k, k), n] for k, n in s.by_form.items()]
    return {
        "По видам работы": (["Вид работы", "Количество", "Доля, %"], kinds),
        "По категориям": (["Категория", "Количество", "Доля, %"], cats),
        "По формам": (["Форма работы", "Количество"], forms),
        "По школам": (
            ["Образовательная организация", "Мероприятий (консультаций, занятий)", "Обучающихся охвачено"],
            [[name, n, c] for name, n, c in s.by_school],
        ),
        "По месяцам": (["Месяц", "Количество"], [[m, n] for m, n in s.by_month]),
    }


def _summary_lines(s: PsychSummary) -> list[tuple[str, Any]]:
    return [
        ("Период", f"{format_date(s.date_from)} – {format_date(s.date_to)}"),
        ("Проведено мероприятий (консультаций, занятий, обследований)", s.sessions),
        ("Затрачено часов", s.hours),
        ("Участников всего (с учётом групп)", s.participants),
        ("Обследовано и проконсультировано обучающихся", s.children_served),
    ]


# --- the annual report ----------------------------------------------------------------------------------------


def annual_report_document(session: Session, user: Principal, year: str):
    """The :class:`~moc_desktop.services.docs.model.Document` of the annual report for school year ``year``."""
    from moc_desktop.services.docs import grammar
    from moc_desktop.services.docs.charts import bar_chart
    from moc_desktop.services.docs.common import moc_lines
    from moc_desktop.services.docs.model import Document, Image, Para, Table

    date_from, date_to = school_year_bounds(year)
    norm = normalize_school_year(year) or year
    s = summary(session, user, date_from, date_to)
    doc = Document(
        kind="ОТЧЁТ",
        org_lines=moc_lines(session),
        date_text=grammar.full_date(date.today()),
        place=settings.get(session, "place"),
        title=f"{REPORT_TITLE} за {norm} учебный год",
        file_stem=f"{REPORT_TITLE} {norm.replace('/', '-')}",
    )
    body = doc.body

    def para(text: str) -> None:
        body.append(Para(text, align="justify", first_line_indent=True, space_after=6))

    def table(number: int, title: str, headers: list[str], rows: list[list[Any]], widths=None) -> None:
        body.append(
            Para(f"Таблица {number}", align="right", first_line_indent=False, keep_with_next=True, size=12)
        )
        body.append(Para(title, align="center", first_line_indent=False, bold=True, keep_with_next=True))
        text_rows = [[str(v) if not isinstance(v, float) else _hours(v) for v in r] for r in rows]
        body.append(Table(headers, text_rows, widths=widths, font_size=12))

    if not s.sessions:
        para(
            f"За период с {format_date(date_from)} по {format_date(date_to)} записей в журнале педагога-психолога нет."
        )
        return doc
    word = _plural(s.sessions, "мероприятие", "мероприятия", "мероприятий")
    para(
        f"За период с {format_date(date_from)} по {format_date(date_to)} педагогом-психологом проведено "
        f"{s.sessions} {word} (консультации, диагностика, коррекционно-развивающие занятия, просвещение, "
        f"профилактика) общей продолжительностью {_hours(s.hours)} ч; участников с учётом групповых форм "
        f"работы — {s.participants}."
    )
    para(children_sentence(s.children_served))
    tables = _tables(s)
    number = 0
    for title in ("По видам работы", "По категориям", "По формам", "По школам", "По месяцам"):
        headers, rows = tables[title]
        rows = [r for r in rows if title in ("По школам", "По месяцам") or r[1]]
        if not rows:
            continue
        number += 1
        caption = {
            "По видам работы": "Виды работы",
            "По категориям": "Категории участников",
            "По формам": "Формы работы",
            "По школам": "Работа по образовательным организациям",
            "По месяцам": "Распределение работы по месяцам",
        }[title]
        widths = [3, 2, 2] if len(headers) == 3 else [3, 2]
        table(number, caption, headers, rows, widths)
    png = bar_chart(
        [m for m, _ in s.by_month],
        {"Количество": [n for _, n in s.by_month]},
        "Количество мероприятий по месяцам",
    )
    body.append(Image(png=png, width_cm=16, caption="Рисунок 1 — Количество мероприятий по месяцам"))
    return doc


def write_annual_report_docx(session: Session, user: Principal, year: str, path: str | Path) -> Path:
    """«Отчёт о работе педагога-психолога за 2025/2026 учебный год» (.docx, or .pdf by the extension): МОЦ name
    from the settings, summary sentences, tables by kind / category / form / school / month, a bar chart by
    month. Only counts: no codes, no notes. Raises ``docs.render.RenderError``."""
    from moc_desktop.services.docs import render

    doc = annual_report_document(session, user, year)
    out = render.write(doc, "report", Path(path)).path
    write_audit(
        session, "export", "psych_report", normalize_school_year(year) or year, f"отчёт: {Path(path).name}"
    )
    return out


def write_annual_report_xlsx(session: Session, user: Principal, year: str, path: str | Path) -> Path:
    """The same counts as a workbook: sheets «Сводка», «По видам работы», «По категориям», «По школам»,
    «По месяцам» (typed cells, bold header, frozen panes). Raises ``xlsx_export.ExportError``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from moc_desktop.services import xlsx_export

    date_from, date_to = school_year_bounds(year)
    norm = normalize_school_year(year) or year
    s = summary(session, user, date_from, date_to)
    tables = _tables(s)
    wb = Workbook()
    first = wb.active
    wb.remove(first)
    sheets: list[tuple[str, list[tuple[str, int | None, str]], list[list[Any]]]] = [
        ("Сводка", [("Показатель", 60, "text"), ("Значение", 24, "text")], []),
    ]
    summary_rows: list[list[Any]] = [[label, value] for label, value in _summary_lines(s)]
    summary_rows.append(
        ["По формам работы: " + ", ".join(f"{FORMS.get(k, k)} — {n}" for k, n in s.by_form.items()), ""]
    )
    sheets[0] = (sheets[0][0], sheets[0][1], summary_rows)
    for title in SHEETS[1:]:
        headers, rows = tables[title]
        kinds = ["text"] + ["int"] * (len(headers) - 1)
        columns = [(h, None, k) for h, k in zip(headers, kinds, strict=True)]
        if headers[-1] == "Доля, %":
            columns[-1] = (headers[-1], None, "float")
            rows = [[r[0], r[1], round(r[1] * 100 / s.sessions, 1) if s.sessions else None] for r in rows]
        sheets.append((title, columns, rows))
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(xlsx_export.sheet_title(title))
        ws.append([h for h, _w, _k in columns])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            values = []
            for i, (_h, _w, kind) in enumerate(columns):
                value, fmt = xlsx_export.typed_value(row[i], "int" if isinstance(row[i], int) else kind)
                if isinstance(row[i], float) and kind == "text":
                    value, fmt = row[i], None
                values.append((value, fmt))
            ws.append([v for v, _f in values])
            for cell, (_v, fmt) in zip(ws[ws.max_row], values, strict=True):
                if fmt:
                    cell.number_format = fmt
        for i, width in enumerate(xlsx_export.column_widths(columns, rows), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        if title != "Сводка":
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    wb.properties.title = f"{REPORT_TITLE} за {norm} учебный год"
    out = xlsx_export.save_workbook(wb, path)
    write_audit(session, "export", "psych_report", norm, f"сводка: {Path(path).name}")
    return out
