"""Report «Уровень развития профессиональных компетентностей педагогических работников» (seed 003, Приложение 2
к муниципальному проекту «5 К»), made from a campaign's cards.

The document: the level scale (ОПТИМАЛЬНЫЙ 80–100 %, ДОСТАТОЧНЫЙ 70–79 %, КРИТИЧЕСКИЙ 0–69 %), then for each
competence a generated paragraph (teachers and shares at each level, the mean), a table «schools × levels» and a
bar chart; the total level; the self-assessment gap; the most frequent deficits. Every number comes from
``analytics`` (``summary`` for the group, ``summary_by_school`` per school), so the report and the program's
summary screens never disagree. Numbers are written with a decimal comma, percents with one decimal.

``level_report`` returns a :class:`~moc_desktop.services.docs.model.Document`; ``render.write(doc, "report",
path)`` makes the .docx (the «report» template: fonts, margins, page numbers) or the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import DiagCard
from moc_desktop.services import settings
from moc_desktop.services.diagnostics import analytics, cards, scoring
from moc_desktop.services.diagnostics.files import DiagnosticsError, get_campaign_or_error
from moc_desktop.services.docs import grammar
from moc_desktop.services.docs.charts import bar_chart
from moc_desktop.services.docs.common import moc_lines
from moc_desktop.services.docs.model import Block, Document, Para, Table
from moc_desktop.services.docs.reports import Figure, TableCaption, plural

GROUPS = ("low", "shnor", "all", "chosen")
GROUP_PHRASES = {
    "low": "школ с низкими образовательными результатами и школ, функционирующих в неблагоприятных социальных "
    "условиях",
    "shnor": "школ с низкими образовательными результатами",
    "all": "общеобразовательных организаций",
    "chosen": "выбранных общеобразовательных организаций",
}
LEVEL_RANGES = {"optimal": "80–100 %", "sufficient": "70–79 %", "critical": "0–69 %"}
LEVEL_WORDS = {"optimal": "оптимальный", "sufficient": "достаточный", "critical": "критический"}
CHART_SERIES = scoring.LEVELS  # in the level colours: «критический» is red wherever it appears
CHART_COLORS = [scoring.LEVEL_COLORS[lv] for lv in CHART_SERIES]
CHART_SCHOOLS = 8  # schools per chart (3 bars each)
TABLE_FONT = 11.0
CHART_WIDTH_CM = 16.0
TOP_DEFICITS = 10
TOTAL_ROW = "Всего"
NBSP = "\u00a0"  # «77,8 %» is never split at the end of a line


def pct(v: float | None) -> str:
    """«40,0 %» (one decimal, decimal comma, a no-break space before «%»); «—» for no value."""
    return "—" if v is None else f"{v:.1f}".replace(".", ",").replace("-", "−") + NBSP + "%"


def num(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}".replace(".", ",").replace("-", "−")


def teachers(n: int) -> str:
    """«1 педагог», «2 педагога», «5 педагогов»."""
    return f"{n} {plural(n, 'педагог', 'педагога', 'педагогов')}"


def teachers_gen(n: int) -> str:
    """Genitive: «у 1 педагога», «у 5 педагогов»."""
    return f"{n} {plural(n, 'педагога', 'педагогов', 'педагогов')}"


def _heading(text: str) -> Para:
    return Para(
        text,
        align="left",
        first_line_indent=False,
        bold=True,
        space_before=12,
        space_after=6,
        keep_with_next=True,
    )


def _para(text: str) -> Para:
    return Para(text, align="justify", first_line_indent=True, space_after=4)


def _table(title: str, table: Table) -> list[Block]:
    return [
        TableCaption(
            "Таблица", align="right", first_line_indent=False, keep_with_next=True, space_before=6, size=11
        ),
        Para(
            title,
            align="center",
            first_line_indent=False,
            bold=True,
            keep_with_next=True,
            space_after=4,
            size=12,
        ),
        table,
    ]


def _number_captions(blocks: list[Block]) -> None:
    tables = figures = 0
    for b in blocks:
        if isinstance(b, TableCaption):
            tables += 1
            b.runs = f"Таблица {tables}"
        elif isinstance(b, Figure):
            figures += 1
            b.caption = f"Рисунок {figures} — {b.title}"


def _cell(st: analytics.Stat, lv: str) -> str:
    share = st.share(lv)
    return f"{st.levels[lv]} ({pct(share)})" if share is not None else "—"


def level_sentence(st: analytics.Stat) -> str:
    """«Оптимальный уровень — 12 педагогов (40,0 %), достаточный уровень — …, критический уровень — …»."""
    parts = [
        f"{LEVEL_WORDS[lv]} уровень — {teachers(st.levels[lv])} ({pct(st.share(lv))})"
        for lv in scoring.LEVELS
    ]
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _mean_sentence(st: analytics.Stat, what: str) -> str:
    lv = scoring.level(st.mean)
    return f"Средний показатель {what} — {pct(st.mean)} ({LEVEL_WORDS[lv]} уровень)." if lv else ""


def _extremes(per_school: list[tuple[str, analytics.Stat]]) -> str:
    with_mean = [(name, st) for name, st in per_school if st.mean is not None]
    if len(with_mean) < 2:
        return ""
    hi = max(with_mean, key=lambda x: (x[1].mean, x[0]))
    lo = min(with_mean, key=lambda x: (x[1].mean, x[0]))
    if round(hi[1].mean, 1) == round(lo[1].mean, 1):
        return f"Средний показатель во всех школах одинаков — {pct(hi[1].mean)}."
    return (
        f"Наиболее высокий средний показатель — {hi[0]} ({pct(hi[1].mean)}), наиболее низкий — {lo[0]} "
        f"({pct(lo[1].mean)})."
    )


def _levels_table(first: str, rows: list[tuple[str, analytics.Stat]]) -> Table:
    return Table(
        headers=[
            first,
            "Педагогов",
            *(f"{scoring.LEVEL_TITLES[lv].capitalize()} уровень, чел. (%)" for lv in scoring.LEVELS),
            "Средний показатель, %",
        ],
        rows=[
            [name, str(st.n), *(_cell(st, lv) for lv in scoring.LEVELS), num(st.mean)] for name, st in rows
        ],
        widths=[3.8, 2.3, 3.1, 3.1, 3.1, 2.6],
        font_size=TABLE_FONT,
    )


def _charts(
    title: str, rows: list[tuple[str, analytics.Stat]], total: analytics.Stat, caption: str
) -> list[Block]:
    """Level shares per school (and the whole group), CHART_SCHOOLS schools per picture."""
    parts = [rows[i : i + CHART_SCHOOLS] for i in range(0, len(rows), CHART_SCHOOLS)] or [[]]
    out: list[Block] = []
    for i, part in enumerate(parts):
        cats = [*part, (TOTAL_ROW, total)] if len(rows) > 1 or not part else part
        suffix = f" (часть {i + 1})" if len(parts) > 1 else ""
        png = bar_chart(
            [name for name, _st in cats],
            {
                f"{LEVEL_WORDS[lv].capitalize()} уровень": [st.share(lv) for _n, st in cats]
                for lv in CHART_SERIES
            },
            title + suffix,
            y_label="% педагогов",
            percent=True,
            colors=CHART_COLORS,
        )
        out.append(Figure(png=png, width_cm=CHART_WIDTH_CM, title=caption + suffix))
    return out


def _municipality_genitive(session: Session) -> str:
    name = settings.get(session, "municipality").strip()
    words = name.split()
    if len(words) == 2 and words[1].lower() in ("район", "округ"):
        try:
            return grammar.decline_post(name, "gen")
        except Exception:  # best effort: the name stays readable
            return name
    return name


def report_school_ids(
    session: Session, campaign_id: int, group: str = "low", school_ids: Sequence[int] | None = None
) -> list[int] | None:
    """The schools of the report: a group in the campaign's school year (None — all schools)."""
    camp = get_campaign_or_error(session, campaign_id)
    if group not in GROUPS:
        raise DiagnosticsError(f"Неизвестная группа школ «{group}»: low, shnor, all или chosen.")
    if group == "chosen" and not school_ids:
        raise DiagnosticsError("Выберите хотя бы одну школу для справки.")
    return analytics.group_school_ids(session, group, camp.school_year, school_ids or ())


def deficit_counts(session: Session, campaign_id: int, school_ids: Sequence[int] | None) -> list[tuple]:
    """(code, title, competence, teachers with that deficit), most frequent first; over the cards in scope."""
    q = select(DiagCard.scores, DiagCard.template_version).where(
        DiagCard.campaign_id == campaign_id, DiagCard.deleted_at.is_(None)
    )
    if school_ids is not None:
        q = q.where(DiagCard.school_id.in_(list(school_ids)))
    counts: dict[str, int] = {}
    info: dict[str, tuple[str, int, int]] = {}
    for text, version in session.execute(q):
        tpl = cards.template(session, version)
        for pos, c in enumerate(tpl.criteria):
            info.setdefault(c.code, (c.title, c.competence, pos))
        for code in scoring.deficits(scoring.decode(text, tpl.codes), tpl.codes):
            counts[code] = counts.get(code, 0) + 1
    rows = [(code, info[code][0], info[code][1], n) for code, n in counts.items()]
    rows.sort(key=lambda r: (-r[3], info[r[0]][2]))
    return rows


def level_report(
    session: Session,
    campaign_id: int,
    group: str = "low",
    school_ids: Sequence[int] | None = None,
    today: date | None = None,
) -> Document:
    """The report for the campaign's cards of the ``group`` of schools: ``low`` (ШНОР and ШНСУ), ``shnor``,
    ``all`` or ``chosen`` (``school_ids``). Raises ``DiagnosticsError``."""
    camp = get_campaign_or_error(session, campaign_id)
    ids = report_school_ids(session, camp.id, group, school_ids)
    tpl = cards.template(session, camp.template_version)
    titles = {c.number: c.short for c in tpl.competences}
    comps = sorted(titles)
    summ = analytics.summary(session, camp.id, ids, title=analytics.GROUPS[group])
    by_school = [
        (name, s)
        for sid, name, s in analytics.summary_by_school(session, camp.id)
        if ids is None or sid in set(ids)
    ]
    who = GROUP_PHRASES[group]
    where = _municipality_genitive(session)
    stage = cards.STAGES[camp.stage]
    doc = Document(
        kind="",
        org_lines=moc_lines(session),
        date_text=grammar.full_date(today or camp.date_to or date.today()),
        place=settings.get(session, "place"),
        title=(
            f"Уровень развития профессиональных компетентностей педагогических работников {who} {where}".strip()
            + f"\n({stage} диагностика, {camp.school_year} учебный год)"
        ),
        base_size=14,
        file_stem=f"Уровень компетентностей {stage} {camp.school_year.replace('/', '-')}",
    )
    body = doc.body
    body.append(
        _para(
            f"Проводя диагностику сформированности компетенций педагогических работников {who}, "
            "устанавливаем градацию уровней и определяем процентный показатель:"
        )
    )
    for lv in scoring.LEVELS:
        body.append(
            Para(f"– {scoring.LEVEL_TITLES[lv]} УРОВЕНЬ {LEVEL_RANGES[lv]};", align="left", space_after=0)
        )
    body[-1].runs = body[-1].text().rstrip(";") + "."
    schools_n = len(by_school)
    body.append(
        _para(
            f"Диагностика проведена по диагностической карте анализа уровня развития профессиональной "
            f"компетентности педагогов (версия {tpl.version}): каждый критерий оценивается самим педагогом "
            "(самооценка), руководителем ШМО и заместителем директора по УВР; 2 балла — оптимальный уровень, "
            "1 балл — достаточный, 0 баллов — критический. Показатель педагога — среднее процентов оценщиков, "
            "заполнивших карту; незаполненная графа не считается нулём."
        )
    )
    if not summ.cards:
        body.append(_para(f"Диагностических карт педагогов {who} в этой диагностике нет."))
        return doc
    body.append(
        _para(
            f"Участники диагностики — {teachers(summ.cards)} из {schools_n} "
            f"{plural(schools_n, 'школы', 'школ', 'школ')}; карта заполнена всеми тремя оценщиками у "
            f"{teachers_gen(summ.complete)}."
        )
    )
    number = 0
    for n in comps:
        number += 1
        st = summ.competences[n]
        name = f"{titles[n]} компетентность"
        body.append(_heading(f"{number}. {name}"))
        if not st.n:
            body.append(_para("Оценок по этой компетентности нет."))
            continue
        per = [(s_name, s.competences[n]) for s_name, s in by_school]
        body.append(_para(level_sentence(st)))
        for text in (_mean_sentence(st, "по компетентности"), _extremes(per)):
            if text:
                body.append(_para(text))
        body += _table(
            f"{name}: уровни по школам", _levels_table("Образовательная организация", [*per, (TOTAL_ROW, st)])
        )
        body += _charts(f"{name}, % педагогов по уровням", per, st, f"{name}: доля педагогов по уровням")
    number += 1
    body.append(_heading(f"{number}. Общий уровень профессиональной компетентности"))
    body.append(_para(level_sentence(summ.total)))
    text = _mean_sentence(summ.total, "по карте в целом")
    if text:
        body.append(_para(text))
    body += _table(
        "Уровни по компетентностям",
        _levels_table(
            "Компетентность",
            [*((f"{n}. {titles[n]}", summ.competences[n]) for n in comps), ("Карта в целом", summ.total)],
        ),
    )
    per_total = [(s_name, s.total) for s_name, s in by_school]
    body += _table(
        "Общий уровень по школам",
        _levels_table("Образовательная организация", [*per_total, (TOTAL_ROW, summ.total)]),
    )
    comp_rows = [(titles[n], summ.competences[n]) for n in comps]
    png = bar_chart(
        [name for name, _st in comp_rows],
        {
            f"{LEVEL_WORDS[lv].capitalize()} уровень": [st.share(lv) for _n, st in comp_rows]
            for lv in CHART_SERIES
        },
        "Доля педагогов по уровням, по компетентностям",
        y_label="% педагогов",
        percent=True,
        colors=CHART_COLORS,
    )
    body.append(Figure(png=png, width_cm=CHART_WIDTH_CM, title="Уровни по компетентностям"))
    body += _charts("Общий уровень, % педагогов по уровням", per_total, summ.total, "Общий уровень по школам")

    number += 1
    body.append(_heading(f"{number}. Самооценка и внешняя оценка"))
    body.append(_para(gap_text(summ)))

    number += 1
    body.append(_heading(f"{number}. Наиболее частые дефициты"))
    defs = deficit_counts(session, camp.id, ids)
    if not defs:
        body.append(
            _para("Критериев, оцененных руководителем ШМО или заместителем директора по УВР в 0 баллов, нет.")
        )
    else:
        top = defs[:3]
        body.append(
            _para(
                "Дефицитом считается критерий, по которому руководитель ШМО или заместитель директора по УВР "
                "поставил 0 баллов (критический уровень). Чаще всего дефициты отмечены по критериям: "
                + "; ".join(f"«{t}» — {teachers(k)} ({pct(100.0 * k / summ.cards)})" for _c, t, _n, k in top)
                + "."
            )
        )
        body += _table(
            "Наиболее частые дефициты",
            Table(
                headers=["№ п/п", "Критерий", "Компетентность", "Педагогов", "Доля педагогов, %"],
                rows=[
                    [f"{i}.", f"{code} {title}", titles.get(comp, ""), str(k), num(100.0 * k / summ.cards)]
                    for i, (code, title, comp, k) in enumerate(defs[:TOP_DEFICITS], start=1)
                ],
                widths=[1.1, 6.4, 3.6, 2.4, 2.5],
                font_size=TABLE_FONT,
            ),
        )
    _number_captions(body)
    return doc


def gap_text(summ: analytics.Summary) -> str:
    """The self-assessment gap paragraph: means of self and external ratings, the gap, the signals."""
    if summ.self_mean is None or summ.external_mean is None:
        return (
            "Сравнить самооценку с внешней оценкой нельзя: нет карт, где заполнены и самооценка, и оценка "
            "руководителя ШМО или заместителя директора по УВР."
        )
    gap = summ.gap or 0.0
    if round(gap, 1) > 0:
        how = f"Самооценка выше внешней оценки на {num(gap)} п.п."
    elif round(gap, 1) < 0:
        how = f"Самооценка ниже внешней оценки на {num(-gap)} п.п."
    else:
        how = "Самооценка совпадает с внешней оценкой."
    signals = (
        f" У {teachers_gen(summ.gap_signals)} самооценка превышает внешнюю оценку на "
        f"{analytics.GAP_SIGNAL:.0f} п.п. и более — это сигнал для методического сопровождения."
        if summ.gap_signals
        else f" Педагогов, у которых самооценка превышает внешнюю оценку на {analytics.GAP_SIGNAL:.0f} п.п. и "
        "более, нет."
    )
    return (
        f"Средний результат самооценки — {pct(summ.self_mean)}, внешней оценки (руководитель ШМО, заместитель "
        f"директора по УВР) — {pct(summ.external_mean)}. {how}{signals}"
    )


def write_level_report(
    session: Session,
    campaign_id: int,
    out: str | Path,
    group: str = "low",
    school_ids: Sequence[int] | None = None,
) -> Path:
    """Build and write the report (.docx or .pdf by the extension). Raises ``render.RenderError``,
    ``DiagnosticsError``."""
    from moc_desktop.services.docs import render

    doc = level_report(session, campaign_id, group, school_ids)
    return render.write(doc, "report", Path(out)).path
