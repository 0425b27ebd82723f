"""«Аналитическая справка»: a report put together from sections, each a heading, the user's text and tables or
charts taken from the data (DOMAIN «Documents»; the tables follow seed 003: Table 2 «ИОР», Table 3 «Качество
кадрового состава»).

A report is described by a :class:`ReportSpec` (title, period, school year, date, author and a list of
:class:`SectionSpec`); :func:`build_report` turns it into a :class:`~moc_desktop.services.docs.model.Document`
that the .docx (template «report»), PDF and HTML renderers draw. Specs are plain data and go to and from JSON
(:func:`spec_to_json`, :func:`spec_from_json`), so the dialog can remember the last one.

Section kinds live in the registry :data:`SECTION_KINDS`: a kind has a title, a default introductory text, the
parameters the dialog shows and a ``build(session, params) -> list[Block]``. Later capabilities (diagnostics of
competences, mentoring coverage, roadmap completion) add their kinds with :func:`register_section_kind`; nothing
else here has to change. ``params`` always carries ``school_year`` (the section's own or the report's).

Tables are captioned «Таблица N» and charts «Рисунок N — …», numbered through the whole report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moc_desktop.db.models import School, SchoolIndicator, SchoolStatus
from moc_desktop.services import schools, settings
from moc_desktop.services.common import current_school_year, normalize_school_year
from moc_desktop.services.docs import grammar
from moc_desktop.services.docs.charts import bar_chart, format_number
from moc_desktop.services.docs.common import initials_name, moc_lines
from moc_desktop.services.docs.model import Block, Document, Image, Para, Signature, Table

KIND_TEXT = "АНАЛИТИЧЕСКАЯ СПРАВКА"
SETTINGS_KEY = "report.last_spec"
TITLE_PREFIX = "Аналитическая справка"
DEFAULT_TITLE = f"{TITLE_PREFIX} о работе со школами с низкими образовательными результатами"
CHART_WIDTH_CM = 16.0
MAX_SCHOOLS_PER_TABLE = 5  # columns of schools on an A4 page (and bars per group in a chart)
STATUS_YEARS = 5  # the last school years shown in «Статусы школ»
TABLE_FONT = 12.0


# --- the spec -----------------------------------------------------------------------------------------------


@dataclass
class SectionSpec:
    kind: str
    title: str = ""
    intro_text: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportSpec:
    title: str = DEFAULT_TITLE
    subtitle: str = ""  # the period: «за 2024/2025 учебный год»
    school_year: str = ""
    date: date | None = None
    author_post: str = ""
    author_name: str = ""
    sections: list[SectionSpec] = field(default_factory=list)


# --- the registry of section kinds ------------------------------------------------------------------------------

ParamKind = Literal["school_year", "bool", "choice"]


@dataclass(frozen=True)
class Param:
    """A parameter of a section kind as the dialog shows it. ``school_year`` with the value "" means «as in the
    report»; ``choice`` offers ``choices`` (value, label)."""

    name: str
    label: str
    kind: ParamKind
    default: Any = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SectionKind:
    code: str
    title: str  # the name in the «Добавить раздел» menu and the default heading
    build: Callable[[Session, dict], list[Block]]
    default_text: str = ""
    params: tuple[Param, ...] = ()
    heading: str = ""  # default heading when it differs from ``title``
    hint: str = ""

    @property
    def default_heading(self) -> str:
        return self.heading or self.title

    def default_params(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


SECTION_KINDS: dict[str, SectionKind] = {}


def register_section_kind(kind: SectionKind) -> SectionKind:
    """Add (or replace) a section kind; the dialog's menu lists them in the order of registration."""
    SECTION_KINDS[kind.code] = kind
    return kind


def new_section(kind_code: str) -> SectionSpec:
    """A section of ``kind_code`` with the kind's heading, text and parameters."""
    k = SECTION_KINDS[kind_code]
    return SectionSpec(k.code, k.default_heading, k.default_text, k.default_params())


# --- captions numbered through the report -------------------------------------------------------------------------


@dataclass
class TableCaption(Para):
    """«Таблица N» above a table; :func:`build_report` puts the number in."""


@dataclass
class Figure(Image):
    """A chart with a title; :func:`build_report` makes the caption «Рисунок N — title»."""

    title: str = ""


def _table_blocks(title: str, table: Table) -> list[Block]:
    return [
        TableCaption(
            "Таблица", align="right", first_line_indent=False, keep_with_next=True, space_before=6, size=12
        ),
        Para(title, align="center", first_line_indent=False, bold=True, keep_with_next=True, space_after=4),
        table,
    ]


def _chart(png: bytes, title: str) -> Figure:
    return Figure(png=png, width_cm=CHART_WIDTH_CM, title=title)


def _para(text: str) -> Para:
    return Para(text, align="justify", first_line_indent=True)


def _note(text: str) -> Para:
    return Para(text, align="justify", first_line_indent=True, space_after=6)


# --- helpers ------------------------------------------------------------------------------------------------------


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 школа, 2 школы, 5 школ, 21 школа, 11 школ."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _schools_word(n: int) -> str:
    return f"{n} {plural(n, 'школа', 'школы', 'школ')}"


def _year_of(params: dict) -> str:
    return normalize_school_year(str(params.get("school_year") or "")) or current_school_year()


def _status_shorts(session: Session) -> dict[str, str]:
    return {k.code: k.short for k in schools.status_kinds(session)}


SCOPES: tuple[tuple[str, str], ...] = (
    ("shnor", "школы с низкими результатами (ШНОР)"),
    ("low", "ШНОР и ШНСУ"),
    ("all", "все школы"),
)
SCOPE_CODES = {"shnor": ("shnor",), "low": ("shnor", "shnsu"), "all": ()}


def _scope_schools(session: Session, year: str, scope: str) -> list[School]:
    """Live schools of the scope in ``year`` (all live schools for «all»), by short name."""
    q = select(School).where(School.deleted_at.is_(None)).order_by(School.short_name)
    codes = SCOPE_CODES.get(scope, SCOPE_CODES["shnor"])
    if codes:
        ids = select(SchoolStatus.school_id).where(
            SchoolStatus.deleted_at.is_(None),
            SchoolStatus.school_year == year,
            SchoolStatus.status_code.in_(codes),
        )
        q = q.where(School.id.in_(ids))
    return list(session.scalars(q))


def _shnor_sub_label(school: School, year: str) -> str:
    for st in school.statuses:
        if st.deleted_at is None and st.school_year == year and st.status_code == "shnor":
            return st.sub_label
    return ""


def _chunks(items: list, n: int) -> list[list]:
    return [items[i : i + n] for i in range(0, len(items), n)] or [[]]


def _part(title: str, i: int, total: int) -> str:
    return f"{title} (часть {i + 1})" if total > 1 else title


# --- section «Статусы школ» ---------------------------------------------------------------------------------------


def _build_statuses(session: Session, params: dict) -> list[Block]:
    year = _year_of(params)
    shorts = _status_shorts(session)
    titles = {k.code: k.title for k in schools.status_kinds(session)}
    counts: dict[tuple[str, str], int] = {}
    for y, code, n in session.execute(
        select(
            SchoolStatus.school_year,
            SchoolStatus.status_code,
            func.count(func.distinct(SchoolStatus.school_id)),
        )
        .join(School, School.id == SchoolStatus.school_id)
        .where(SchoolStatus.deleted_at.is_(None), School.deleted_at.is_(None))
        .group_by(SchoolStatus.school_year, SchoolStatus.status_code)
    ):
        counts[(y, code)] = n
    years = sorted({y for y, _c in counts if y <= year})[-STATUS_YEARS:]
    out: list[Block] = []
    if not years:
        return [_note(f"Статусы школ по {year} учебный год включительно в реестре не указаны.")]
    codes = [c for c in shorts if any(counts.get((y, c)) for y in years)]
    parts = [f"{shorts[c]} — {_schools_word(n)}" for c in codes if (n := counts.get((year, c), 0))]
    if parts:
        out.append(_note(f"В {year} учебном году статус имеют: {'; '.join(parts)}."))
    table = Table(
        headers=["Статус", *[f"{y}" for y in years]],
        rows=[[titles[c], *[str(counts.get((y, c), 0)) for y in years]] for c in codes],
        widths=[5, *[1.4] * len(years)],
        font_size=TABLE_FONT,
    )
    out += _table_blocks("Количество общеобразовательных организаций по статусам", table)
    if params.get("chart", True):
        png = bar_chart(
            [shorts[c] for c in codes],
            {y: [float(counts.get((y, c), 0)) for c in codes] for y in years},
            "Количество школ по статусам",
            y_label="Количество школ",
        )
        out.append(_chart(png, "Количество школ по статусам по учебным годам"))
    out += _low_result_list(session, year, shorts)
    return out


def _low_result_list(session: Session, year: str, shorts: dict[str, str]) -> list[Block]:
    rows: dict[int, dict] = {}
    q = (
        select(SchoolStatus, School)
        .join(School, School.id == SchoolStatus.school_id)
        .where(
            SchoolStatus.deleted_at.is_(None),
            School.deleted_at.is_(None),
            SchoolStatus.school_year == year,
            SchoolStatus.status_code.in_(("shnor", "shnsu")),
        )
        .order_by(School.short_name, SchoolStatus.status_code)
    )
    for st, school in session.execute(q):
        r = rows.setdefault(school.id, {"name": school.short_name, "codes": [], "notes": [], "orders": []})
        r["codes"].append(st.status_code)
        if st.sub_label:
            r["notes"].append(st.sub_label)
        if st.order_number or st.order_date:
            order = f"№ {st.order_number}" if st.order_number else ""
            if st.order_date:
                order += f" от {grammar.numeric_date(st.order_date)}"
            if order.strip() not in r["orders"]:
                r["orders"].append(order.strip())
    if not rows:
        return [_note(f"Школ со статусами ШНОР и ШНСУ в {year} учебном году нет.")]
    table = Table(
        headers=["№ п/п", "Образовательная организация", "Статус", "Примечание", "Приказ"],
        rows=[
            [
                f"{i}.",
                r["name"],
                ", ".join(shorts.get(c, c) for c in ("shnor", "shnsu") if c in r["codes"]),
                "; ".join(r["notes"]),
                "; ".join(r["orders"]),
            ]
            for i, r in enumerate(rows.values(), start=1)
        ],
        widths=[0.8, 4.2, 1.6, 4, 2.4],
        font_size=TABLE_FONT,
    )
    return _table_blocks(
        f"Школы с низкими образовательными результатами и школы, функционирующие в неблагоприятных "
        f"социальных условиях, в {year} учебном году",
        table,
    )


# --- section «Показатели мониторинга» -----------------------------------------------------------------------------

INDICATOR_GROUPS: tuple[tuple[str, str], ...] = (
    ("monitoring", "показатели мониторинга"),
    ("staff_quality", "качество кадрового состава"),
)


def _build_indicators(session: Session, params: dict) -> list[Block]:
    year = _year_of(params)
    group = params.get("group") or "monitoring"
    kinds = {k.code: k.kind for k in schools.indicator_kinds(session, group)}
    rows = [r for r in schools.indicator_summary(session, year, group) if r.n]
    if not rows:
        return [_note(f"Данных показателей за {year} учебный год нет.")]

    def fmt(code: str, v: float | None) -> str:
        return "—" if v is None else format_number(v, percent=kinds.get(code) == "percent")

    n_max = max(r.n for r in rows)
    table = Table(
        headers=["№ п/п", "Показатель", "Школ с данными", "Среднее", "Максимальное", "Минимальное"],
        rows=[
            [f"{i}.", r.title, str(r.n), fmt(r.code, r.mean), fmt(r.code, r.maximum), fmt(r.code, r.minimum)]
            for i, r in enumerate(rows, start=1)
        ],
        widths=[0.8, 4.8, 1.7, 1.7, 2.6, 2.6],
        font_size=TABLE_FONT,
    )
    what = dict(INDICATOR_GROUPS).get(group, group)
    return [
        _note(
            f"Данные за {year} учебный год представили {n_max} "
            f"{plural(n_max, 'общеобразовательная организация', 'общеобразовательные организации', 'общеобразовательных организаций')}."
        ),
        *_table_blocks(f"Среднее, максимальное и минимальное значения ({what}), {year} учебный год", table),
    ]


# --- section «Качество кадрового состава» -------------------------------------------------------------------------

#: short names of the staff quality criteria for chart axes (the table keeps the reference titles)
STAFF_SHORT: dict[str, str] = {
    "sq_higher": "Высшее образование",
    "sq_higher_ped": "Высшее педагогическое",
    "sq_spo": "СПО",
    "sq_spo_ped": "СПО педагогическое",
    "sq_cat_high": "Категория «Высшая»",
    "sq_cat_first": "Категория «Первая»",
    "sq_exp_lt5": "Стаж до 5 лет",
    "sq_exp_gt30": "Стаж свыше 30 лет",
    "sq_age_lt30": "Возраст до 30 лет",
    "sq_age_55": "Возраст от 55 лет",
}
#: the staff quality chart is drawn in two (ten groups of bars do not fit 16 cm with readable labels):
#: education and categories, then experience and age (codes «sq_exp…», «sq_age…»)
STAFF_CHARTS = (
    "Образование и квалификационные категории педагогов, %",
    "Педагогический стаж и возраст педагогов, %",
)
STAFF_SECOND_CHART = ("sq_exp", "sq_age")


def _indicator_values(session: Session, year: str, school_ids: list[int], codes: list[str]) -> dict:
    """(school id, code) → (value, count)."""
    if not school_ids or not codes:
        return {}
    q = select(
        SchoolIndicator.school_id,
        SchoolIndicator.indicator_code,
        SchoolIndicator.value,
        SchoolIndicator.count,
    ).where(
        SchoolIndicator.school_year == year,
        SchoolIndicator.school_id.in_(school_ids),
        SchoolIndicator.indicator_code.in_(codes),
        SchoolIndicator.deleted_at.is_(None),
    )
    return {(sid, code): (v, c) for sid, code, v, c in session.execute(q)}


def _build_staff_quality(session: Session, params: dict) -> list[Block]:
    year = _year_of(params)
    scope = params.get("scope") or "shnor"
    kinds = schools.indicator_kinds(session, "staff_quality")
    codes = [k.code for k in kinds]
    chosen = _scope_schools(session, year, scope)
    values = _indicator_values(session, year, [s.id for s in chosen], codes)
    with_data = [s for s in chosen if any((s.id, c) in values for c in codes)]
    if not with_data:
        who = dict(SCOPES).get(scope, scope)
        return [_note(f"Данных о качестве кадрового состава ({who}) за {year} учебный год нет.")]

    def cell(school: School, k) -> str:
        v, count = values.get((school.id, k.code), (None, None))
        if k.kind == "count":
            n = count if count is not None else v
            return "—" if n is None else str(int(n))
        return "—" if v is None else format_number(v, percent=True)

    out: list[Block] = []
    parts = _chunks(with_data, MAX_SCHOOLS_PER_TABLE)
    for i, part in enumerate(parts):
        table = Table(
            headers=["Критерии", *[f"{s.short_name} (%)" for s in part]],
            rows=[
                [k.title + (", чел." if k.kind == "count" else ""), *[cell(s, k) for s in part]]
                for k in kinds
            ],
            widths=[4, *[2] * len(part)],
            font_size=TABLE_FONT,
        )
        out += _table_blocks(_part(f"Качество кадрового состава, {year} учебный год", i, len(parts)), table)
    if params.get("chart", True):
        pct = [k for k in kinds if k.kind == "percent"]
        groups = [
            (STAFF_CHARTS[0], [k for k in pct if not k.code.startswith(STAFF_SECOND_CHART)]),
            (STAFF_CHARTS[1], [k for k in pct if k.code.startswith(STAFF_SECOND_CHART)]),
        ]
        for i, part in enumerate(parts):
            for title, crit in groups:
                if not crit:
                    continue
                png = bar_chart(
                    [STAFF_SHORT.get(k.code, k.title) for k in crit],
                    {s.short_name: [values.get((s.id, k.code), (None, None))[0] for k in crit] for s in part},
                    _part(title, i, len(parts)),
                    y_label="% педагогических работников",
                    percent=True,
                )
                caption = f"{title.removesuffix(', %')}, {year} учебный год"
                out.append(_chart(png, _part(caption, i, len(parts))))
    return out


# --- section «ИОР» ------------------------------------------------------------------------------------------------


def _build_ior(session: Session, params: dict) -> list[Block]:
    year = _year_of(params)
    scope = params.get("scope") or "shnor"
    chosen = _scope_schools(session, year, scope)
    series = {s.id: dict(schools.ior_series(s, last=100)) for s in chosen}
    chosen = [s for s in chosen if series[s.id]]
    if not chosen:
        who = dict(SCOPES).get(scope, scope)
        return [_note(f"Значений ИОР ({who}, {year} учебный год) в реестре нет.")]
    years = sorted({y for s in chosen for y in series[s.id]})[-3:]
    means = {s.id: schools.ior_mean([series[s.id][y] for y in years if y in series[s.id]]) for s in chosen}
    chosen.sort(key=lambda s: (means[s.id] is None, means[s.id] or 0.0, s.short_name))
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])

    def v3(v: float | None) -> str:
        return "—" if v is None else f"{v:.3f}".replace(".", ",")

    table = Table(
        headers=[
            "№",
            "Краткое наименование организации",
            f"Среднее значение ИОР {span}",
            *[f"Значение ИОР за {y} год" for y in years],
            "Примечание",
        ],
        rows=[
            [
                f"{i}.",
                s.short_name,
                v3(means[s.id]),
                *[v3(series[s.id].get(y)) for y in years],
                _shnor_sub_label(s, year),
            ]
            for i, s in enumerate(chosen, start=1)
        ],
        widths=[0.7, 3.4, 2, *[2] * len(years), 3.4],
        font_size=TABLE_FONT,
    )
    low = [s for s in chosen if means[s.id] is not None]
    out: list[Block] = []
    if low:
        worst = low[0]
        out.append(
            _note(
                f"Наименьшее среднее значение ИОР за {span} гг. — {v3(means[worst.id])} ({worst.short_name})."
                if len(years) > 1
                else f"Наименьшее значение ИОР за {span} г. — {v3(means[worst.id])} ({worst.short_name})."
            )
        )
    out += _table_blocks(f"Индекс образовательных результатов (ИОР) за {span} гг.", table)
    if params.get("chart", True):
        parts = _chunks(chosen, 8)
        for i, part in enumerate(parts):
            png = bar_chart(
                [s.short_name for s in part],
                {f"{y} год": [series[s.id].get(y) for s in part] for y in years},
                _part("Индекс образовательных результатов (ИОР)", i, len(parts)),
                y_label="ИОР",
            )
            out.append(_chart(png, _part(f"ИОР школ за {span} гг.", i, len(parts))))
    return out


# --- section «Текст» ----------------------------------------------------------------------------------------------


def _build_text(session: Session, params: dict) -> list[Block]:
    return []  # the heading and the text are the whole section


YEAR_PARAM = Param("school_year", "Учебный год", "school_year", "")
CHART_PARAM = Param("chart", "Диаграмма", "bool", True)
SCOPE_PARAM = Param("scope", "Школы", "choice", "shnor", SCOPES)

register_section_kind(
    SectionKind(
        "statuses",
        "Статусы школ",
        _build_statuses,
        "В таблице приведено количество общеобразовательных организаций по статусам за последние учебные "
        "годы; ниже — перечень школ с низкими образовательными результатами (ШНОР) и школ, функционирующих в "
        "неблагоприятных социальных условиях (ШНСУ).",
        (YEAR_PARAM, CHART_PARAM),
        hint="Количество школ по статусам по годам, диаграмма, перечень ШНОР и ШНСУ",
    )
)
register_section_kind(
    SectionKind(
        "indicators",
        "Показатели мониторинга",
        _build_indicators,
        "Результаты мониторинга показателей общеобразовательных организаций: среднее, максимальное и "
        "минимальное значения по школам района.",
        (YEAR_PARAM, Param("group", "Показатели", "choice", "monitoring", INDICATOR_GROUPS)),
        hint="Среднее, максимум и минимум каждого показателя по школам",
    )
)
register_section_kind(
    SectionKind(
        "staff_quality",
        "Качество кадрового состава",
        _build_staff_quality,
        "Далее изучались общие показатели кадрового состава школ с низкими образовательными результатами.",
        (YEAR_PARAM, SCOPE_PARAM, CHART_PARAM),
        heading="Качество кадрового состава школ с низкими результатами",
        hint="Образование, категории, стаж и возраст педагогов по школам (%), диаграмма",
    )
)
register_section_kind(
    SectionKind(
        "ior",
        "Индекс образовательных результатов (ИОР)",
        _build_ior,
        "На подготовительном этапе были изучены результаты региональных диагностических исследований, где "
        "была обозначена категория школы.",
        (YEAR_PARAM, SCOPE_PARAM, CHART_PARAM),
        hint="ИОР за три последних года, среднее значение и примечание",
    )
)
register_section_kind(
    SectionKind(
        "text",
        "Текст",
        _build_text,
        "",
        (),
        heading="Выводы и предложения",
        hint="Заголовок и абзацы текста",
    )
)


# --- the report ---------------------------------------------------------------------------------------------------


def default_spec(session: Session, today: date | None = None) -> ReportSpec:
    """A report on the latest school year with data: every data section and «Выводы и предложения»."""
    in_use = schools.school_years_in_use(session)
    year = in_use[-1] if in_use else current_school_year(today)
    sections = [new_section(code) for code in ("statuses", "indicators", "staff_quality", "ior", "text")]
    return ReportSpec(
        title=DEFAULT_TITLE,
        subtitle=f"за {year} учебный год",
        school_year=year,
        date=today or date.today(),
        author_post="Директор",
        author_name="",
        sections=sections,
    )


def doc_title(spec: ReportSpec) -> str:
    """The title under «АНАЛИТИЧЕСКАЯ СПРАВКА»: the spec's title without a leading «Аналитическая справка»,
    then the period on its own line."""
    title = spec.title.strip()
    if title.lower().startswith(TITLE_PREFIX.lower()):
        title = title[len(TITLE_PREFIX) :].strip(" .:—-")
    return "\n".join(x for x in (title, spec.subtitle.strip()) if x)


def section_params(spec: ReportSpec, section: SectionSpec) -> dict[str, Any]:
    """The parameters a section is built with: the kind's defaults, the section's own, ``school_year`` resolved."""
    kind = SECTION_KINDS.get(section.kind)
    params = {**(kind.default_params() if kind else {}), **section.params}
    year = normalize_school_year(str(params.get("school_year") or ""))
    params["school_year"] = year or normalize_school_year(spec.school_year) or current_school_year()
    return params


def section_blocks(session: Session, spec: ReportSpec, section: SectionSpec, number: int) -> list[Block]:
    kind = SECTION_KINDS.get(section.kind)
    heading = section.title.strip() or (kind.default_heading if kind else section.kind)
    out: list[Block] = [
        Para(
            f"{number}. {heading}",
            align="left",
            first_line_indent=False,
            bold=True,
            space_before=12,
            space_after=6,
            keep_with_next=True,
        )
    ]
    for line in section.intro_text.splitlines():
        if line.strip():
            out.append(_para(line.strip()))
    if kind is not None:
        out += kind.build(session, section_params(spec, section))
    return out


def _number_captions(blocks: list[Block]) -> None:
    tables = figures = 0
    for b in blocks:
        if isinstance(b, TableCaption):
            tables += 1
            b.runs = f"Таблица {tables}"
        elif isinstance(b, Figure):
            figures += 1
            b.caption = f"Рисунок {figures} — {b.title}" if b.title else f"Рисунок {figures}"


def file_stem(spec: ReportSpec) -> str:
    """Suggested file name without extension: «Аналитическая справка 2024-2025»."""
    year = normalize_school_year(spec.school_year) or current_school_year()
    return f"Аналитическая справка {year.replace('/', '-')}"


def build_report(session: Session, spec: ReportSpec) -> Document:
    """The document of ``spec``: МОЦ requisites, «АНАЛИТИЧЕСКАЯ СПРАВКА», date, title, numbered sections, the
    author's signature."""
    doc = Document(
        kind=KIND_TEXT,
        org_lines=moc_lines(session),
        date_text=grammar.full_date(spec.date) if spec.date else "",
        place=settings.get(session, "place"),
        title=doc_title(spec),
        file_stem=file_stem(spec),
    )
    for i, section in enumerate(spec.sections, start=1):
        doc.body += section_blocks(session, spec, section, i)
    _number_captions(doc.body)
    if spec.author_post.strip() or spec.author_name.strip():
        doc.signatures.append(Signature(spec.author_post.strip(), initials_name(spec.author_name.strip())))
    return doc


# --- JSON -----------------------------------------------------------------------------------------------------------


def spec_to_dict(spec: ReportSpec) -> dict:
    return {
        "version": 1,
        "title": spec.title,
        "subtitle": spec.subtitle,
        "school_year": spec.school_year,
        "date": spec.date.isoformat() if spec.date else None,
        "author_post": spec.author_post,
        "author_name": spec.author_name,
        "sections": [
            {"kind": s.kind, "title": s.title, "intro_text": s.intro_text, "params": dict(s.params)}
            for s in spec.sections
        ],
    }


def spec_to_json(spec: ReportSpec) -> str:
    return json.dumps(spec_to_dict(spec), ensure_ascii=False)


def spec_from_json(data: str | dict) -> ReportSpec:
    """A spec from :func:`spec_to_json` text (or its dict). Missing fields take defaults; sections without a
    kind are dropped; a section of a kind this version does not know is kept (its heading and text are
    printed). Raises ``ValueError`` on text that is not a JSON object."""
    raw = json.loads(data) if isinstance(data, str) else data
    if not isinstance(raw, dict):
        raise ValueError("Описание справки должно быть объектом JSON.")
    try:
        when = date.fromisoformat(raw["date"]) if raw.get("date") else None
    except (TypeError, ValueError):
        when = None
    sections = []
    for s in raw.get("sections") or []:
        if not isinstance(s, dict) or not s.get("kind"):
            continue
        params = s.get("params") if isinstance(s.get("params"), dict) else {}
        sections.append(
            SectionSpec(
                str(s["kind"]), str(s.get("title") or ""), str(s.get("intro_text") or ""), dict(params)
            )
        )
    return ReportSpec(
        title=str(raw.get("title") or DEFAULT_TITLE),
        subtitle=str(raw.get("subtitle") or ""),
        school_year=str(raw.get("school_year") or ""),
        date=when,
        author_post=str(raw.get("author_post") or ""),
        author_name=str(raw.get("author_name") or ""),
        sections=sections,
    )


def load_last_spec(session: Session) -> ReportSpec | None:
    """The spec remembered by :func:`remember_spec` (None when there is none or it is unreadable)."""
    raw = settings.get_json(session, SETTINGS_KEY)
    if not raw:
        return None
    try:
        return spec_from_json(raw)
    except (ValueError, TypeError, AttributeError):
        return None


def remember_spec(session: Session, spec: ReportSpec) -> None:
    """Store ``spec`` as the last one (settings key ``report.last_spec``); the caller commits."""
    settings.put_json(session, SETTINGS_KEY, spec_to_dict(spec))
