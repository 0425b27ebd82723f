"""Files of the competence diagnostics «5 К» (seed 003, Приложение 3): cards from Excel, templates, the results
workbook, the printable blank card, and the seed card's criteria without a database.

**Import** (:func:`import_cards`) reads a workbook in one of two layouts (``layout="auto"`` tells them apart):

* ``rows`` — one row per teacher and rater: «ФИО» (or «Фамилия», «Имя», «Отчество»), «Год рождения» and
  «Школа» (both optional, they tell namesakes apart), «Оценщик» (Самооценка / Руководитель ШМО / Заместитель
  директора по УВР; also self / shmo / deputy, «ШМО», «Зам. по УВР»), then the criteria, headed by their code
  («1.1» … «5.5», «1.1. Требования ФГОС …») or by their wording. The sheet is read by ``imports.read_table``
  (.xlsx/.xls/.csv, header row found under title rows).
* ``card`` — the paper card: one sheet per teacher with the header fields («Ф.И.О. участника …», «Должность»,
  «Контактные данные», «Сокращенное наименование ОО») and the grid «Критерии» × «Самооценка» / «Руководитель
  ШМО» / «Заместитель директора по УВР».

Rules (the same as the registry import, ``services.imports``): nothing is written while any row has an error
(``ImportRefused`` with row, column and a Russian reason) unless ``valid_only``; a row with no score at all is
skipped (a pre-filled template row nobody filled in); **an empty cell keeps what is stored**, «-» clears a score;
a re-import updates the teacher's card in the campaign (one card per teacher and campaign). The caller commits:
one transaction.

**Without a database** (``moc-desktop-cli diagnostics score``) the criteria of the seed card are read from the
migration that creates them (:func:`seed_card`): the migration module is loaded by its path with ``importlib``
(it imports only ``sqlalchemy`` and ``alembic.op``; its ``upgrade`` is never called). One source of truth for the
wording and no database to open; the alternative — a throwaway in-memory SQLite run through every migration — would
be slower and would fail for reasons that have nothing to do with a card. A test checks that it equals the
template version 1 in a migrated database.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from moc_desktop.db.models import DiagCampaign, DiagCard, Person, School
from moc_desktop.services import imports, xlsx_export
from moc_desktop.services.common import ValidationError, fold, full_fio, short_fio
from moc_desktop.services.diagnostics import analytics, cards, scoring
from moc_desktop.services.imports import ImportFileError, ImportRefused, ImportResult, RowError

LAYOUTS = ("rows", "card")
LAYOUT_TITLES = {"rows": "строка на педагога и оценщика", "card": "лист на педагога (как бумажная карта)"}
CLEAR_MARKS = ("-", "—", "–", "−")  # «-» in a cell clears the stored score; an empty cell keeps it
SCORE_CHOICES = "0,1,2,-"

#: Names of the raters as users write them (after :func:`_key`). Single letters are those of ``list_cards``
#: (С, Ш, З) and of ``scoring.RATER_LETTERS`` (S, H, D).
RATER_ALIASES: dict[str, tuple[str, ...]] = {
    "self": (
        "Самооценка",
        "self",
        "Самооценка педагога",
        "Сам",
        "Педагог",
        "Учитель",
        "С",
        "S",
    ),
    "shmo": (
        "Руководитель ШМО",
        "ШМО",
        "shmo",
        "Рук. ШМО",
        "Руководитель школьного методического объединения",
        "Руководитель МО",
        "Оценка руководителя ШМО",
        "Ш",
        "H",
    ),
    "deputy": (
        "Заместитель директора по УВР",
        "Зам. по УВР",
        "deputy",
        "Зам. директора по УВР",
        "Заместитель директора",
        "Зам директора по УВР",
        "Заместитель руководителя по УВР",
        "Оценка заместителя директора по УВР",
        "Завуч",
        "З",
        "D",
    ),
}
#: Headers of the «who scored» column of the row layout.
RATER_HEADERS = ("Оценщик", "Оценивающий", "Кто оценивает", "Эксперт", "Вид оценки", "Тип оценки", "rater")
_IDENTITY_FIELDS = ("fio", "last_name", "first_name", "middle_name", "birth_year", "birth_date", "school")
#: Labels of the header fields of the card layout (seed 003, Приложение 3).
CARD_FIELDS = {
    "fio": "Ф.И.О. участника диагностического исследования",
    "birth_year": "Год рождения",
    "post": "Должность",
    "contacts": "Контактные данные",
    "school": "Сокращенное наименование образовательной организации",
}
_CARD_LABELS: dict[str, tuple[str, ...]] = {
    "fio": ("ф и о", "фио", "фамилия имя отчество", "участник"),
    "birth_year": ("год рождения", "г р"),
    "post": ("должность",),
    "contacts": ("контактные данные", "контакты", "телефон"),
    "school": (
        "сокращенное наименование",
        "краткое наименование",
        "наименование оо",
        "наименование образовательной организации",
        "образовательная организация",
        "школа",
        "оо",
        "оу",
    ),
}


class DiagnosticsError(Exception):
    """A Russian message for the user: unknown campaign, a bad card file, an unwritable file."""


# --- the seed card without a database ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedCard:
    version: int
    title: str
    instruction: str
    competences: list[tuple[int, str, str, str]]  # (number, title, short, definition)
    criteria: list[tuple[str, int, str]]  # (code, competence, title)

    @property
    def pairs(self) -> list[tuple[str, int]]:
        return [(code, comp) for code, comp, _t in self.criteria]

    @property
    def codes(self) -> list[str]:
        return [code for code, _c, _t in self.criteria]


_SEED_MIGRATION = Path(__file__).resolve().parents[2] / "db" / "migrations" / "versions"


@lru_cache(maxsize=1)
def seed_card() -> SeedCard:
    """The card of seed 003 (template version 1) as the migration ``0003`` writes it to the database."""
    path = _SEED_MIGRATION / "0003_competence_diagnostics.py"
    spec = importlib.util.spec_from_file_location("moc_desktop_seed_card_0003", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken installation
        raise DiagnosticsError(f"Не найден файл с описанием карты: {path}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    t = module.TEMPLATE_V1
    return SeedCard(
        int(t["version"]),
        t["title"],
        t["instruction"],
        [tuple(c) for c in module.COMPETENCES_V1],
        [tuple(c) for c in module.CRITERIA_V1],
    )


def score_card_data(data: Any) -> dict:
    """Score one card given as ``{"raters": {"self": {"1.1": 2, …}, "shmo": {…}, "deputy": {…}}}`` against the
    seed card (a missing criterion or rater is blank). Returns ``CardScore.as_dict`` plus ``template_version``.
    Raises ``DiagnosticsError`` (Russian) on an unknown rater, an unknown criterion or a bad score."""
    card = seed_card()
    if isinstance(data, dict) and "raters" not in data and data and all(parse_rater(k) for k in data):
        data = {"raters": data}  # the raters without the wrapper: accepted
    if not isinstance(data, dict) or not isinstance(data.get("raters"), dict):
        raise DiagnosticsError(
            'Ожидается объект JSON вида {"raters": {"self": {"1.1": 2, …}, "shmo": {…}, "deputy": {…}}}.'
        )
    scores: dict[str, dict[str, int | None]] = {}
    codes = set(card.codes)
    for key, given in data["raters"].items():
        rater = parse_rater(key)
        if rater is None:
            raise DiagnosticsError(
                f"Неизвестный оценщик «{key}»: допустимо self (самооценка), shmo (руководитель ШМО), "
                "deputy (заместитель директора по УВР)."
            )
        if rater in scores:
            raise DiagnosticsError(f"Оценщик «{scoring.RATER_TITLES[rater]}» указан дважды.")
        if given is None:
            given = {}
        if not isinstance(given, dict):
            raise DiagnosticsError(
                f"Оценки оценщика «{key}» должны быть объектом: код критерия → 0, 1, 2 или null."
            )
        scores[rater] = {}
        for code, value in given.items():
            code = str(code).strip()
            if code not in codes:
                raise DiagnosticsError(
                    f"Критерий «{code}» не входит в карту (версия {card.version}); коды: "
                    f"{card.codes[0]} … {card.codes[-1]}."
                )
            try:
                scores[rater][code] = scoring.check_score(value)
            except ValueError as exc:
                raise DiagnosticsError(f"{scoring.RATER_TITLES[rater]}, критерий {code}: {exc}") from exc
    result = scoring.score_card(scores, card.pairs)
    competences = sorted({c for _code, c in card.pairs})
    return {"template_version": card.version, **result.as_dict(competences)}


# --- small helpers ------------------------------------------------------------------------------------------------


_text = imports.cell_text


def _key(v: Any) -> str:
    """Loose comparison key: case, «ё», punctuation and spaces ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(_text(v))).replace("_", " ").split())


_RATER_INDEX = {_key(a): r for r, names in RATER_ALIASES.items() for a in names}
_RATER_HEADER_KEYS = frozenset(_key(h) for h in RATER_HEADERS)


def parse_rater(text: Any) -> str | None:
    """«Самооценка», «self», «ШМО», «Зам. по УВР» … → ``self`` | ``shmo`` | ``deputy``; None when unknown."""
    return _RATER_INDEX.get(_key(text))


def _rater_title_cell(text: Any) -> str | None:
    """A rater named in a grid header (full words only: a lone «С» in a grid is not a header)."""
    k = _key(text)
    return _RATER_INDEX.get(k) if len(k) > 2 else None


_CODE = re.compile(r"^\s*(\d{1,2})\s*[.,]\s*(\d{1,2})(?:\s*[.)]?\s+|\s*[.)]?\s*$)")
_DATE_CODE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.\d{4}$")


def criterion_of(header: Any, tpl: cards.Template) -> str | None:
    """The criterion a header or a grid cell names: «1.1», «1,1», «1.1. Требования ФГОС …», the wording alone,
    or «01.01.2026» (Excel turned «1.1» into a date)."""
    if isinstance(header, datetime | date):
        header = _text(header)
    text = _text(header)
    codes = set(tpl.codes)
    m = _CODE.match(text)
    if m:
        code = f"{int(m.group(1))}.{int(m.group(2))}"
        if code in codes:
            return code
    m = _DATE_CODE.match(text)
    if m and f"{int(m.group(1))}.{int(m.group(2))}" in codes:
        return f"{int(m.group(1))}.{int(m.group(2))}"
    k = _key(text)
    if not k:
        return None
    for c in tpl.criteria:
        if k == _key(c.title):
            return c.code
    return None


def _score(value: Any) -> tuple[bool, int | None]:
    """(given?, score): an empty cell is not given (keeps the stored score); «-» is given and clears it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False, None
    if isinstance(value, str) and value.strip() in CLEAR_MARKS:
        return True, None
    if isinstance(value, str) and re.fullmatch(r"\s*[012]\s*[.,]0*\s*", value):
        value = value.strip()[0]
    return True, scoring.check_score(value)


def get_campaign_or_error(session: Session, campaign: DiagCampaign | int) -> DiagCampaign:
    if isinstance(campaign, DiagCampaign):
        return campaign
    c = cards.get_campaign(session, int(campaign))
    if c is None:
        raise DiagnosticsError(f"Диагностика с кодом {campaign} не найдена.")
    return c


def _split_fio(text: str) -> tuple[str, str, str]:
    parts = text.replace(",", " ").split()
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "", " ".join(parts[2:]))


def _year(value: Any) -> int | None | str:
    """Birth year from a number, «1985», «1985 г.» or a date; the text itself when it is none of these."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime | date):
        return value.year
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    t = _text(value)
    m = re.fullmatch(r"(\d{4})(?:\s*(?:г|год|года)\.?)?", t)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"\d{1,2}\.\d{1,2}\.(\d{4})", t)
    return int(m.group(1)) if m else t


# --- finding teachers -------------------------------------------------------------------------------------------


class _People:
    """Live staff by ФИО (one query), the campaign's schools, and who already has a card in the campaign."""

    def __init__(self, session: Session, campaign: DiagCampaign):
        self.session = session
        self.campaign = campaign
        self.allowed = set(cards.campaign_school_ids(campaign))
        self.by_name: dict[tuple[str, str, str], list[tuple[int, int | None, int | None]]] = {}
        self.by_short: dict[tuple[str, str], list[tuple[int, int | None, int | None]]] = {}
        for pid, ln, fn, mn, by, sid in session.execute(
            select(
                Person.id,
                Person.last_name,
                Person.first_name,
                Person.middle_name,
                Person.birth_year,
                Person.school_id,
            ).where(Person.deleted_at.is_(None))
        ):
            self.by_name.setdefault((fold(ln), fold(fn), fold(mn)), []).append((pid, by, sid))
            self.by_short.setdefault((fold(ln), fold(fn)), []).append((pid, by, sid))
        self.schools = {
            sid: name
            for sid, name in session.execute(
                select(School.id, School.short_name).where(School.deleted_at.is_(None))
            )
        }
        self.school_keys = {fold(n): sid for sid, n in self.schools.items()}
        self.with_card = set(
            session.scalars(
                select(DiagCard.person_id).where(
                    DiagCard.campaign_id == campaign.id, DiagCard.deleted_at.is_(None)
                )
            )
        )

    def school_id(self, name: str) -> int | None:
        return self.school_keys.get(fold(name))

    def find(
        self, last: str, first: str, middle: str, birth_year: int | None, school: str
    ) -> tuple[int | None, str, str]:
        """(person id, "", "") or (None, field, Russian reason); field is «fio», «birth_year» or «school»."""
        fio = full_fio(last, first, middle)
        sid = None
        if school:
            sid = self.school_id(school)
            if sid is None:
                return None, "school", f"Школа «{school}» не найдена в реестре школ."
        found = list(self.by_name.get((fold(last), fold(first), fold(middle)), []))
        if not found and not middle:
            found = list(self.by_short.get((fold(last), fold(first)), []))
        if birth_year is not None:
            found = [f for f in found if f[1] == birth_year]
        if sid is not None:
            elsewhere = found
            found = [f for f in found if f[2] == sid]
            if elsewhere and not found:
                where = ", ".join(sorted({self.schools.get(f[2], "без школы") for f in elsewhere}))
                return (
                    None,
                    "school",
                    f"Педагог «{fio}» по реестру работает не в школе «{school}», а в: {where}.",
                )
        if not found:
            extra = "".join(
                (
                    f", {birth_year} года рождения" if birth_year is not None else "",
                    f", в школе «{school}»" if school else "",
                )
            )
            return None, "fio", f"Педагог «{fio}»{extra} не найден в реестре педагогов."
        if len(found) > 1 and self.allowed:
            inside = [f for f in found if f[2] in self.allowed]
            found = inside or found
        if len(found) > 1:
            return (
                None,
                "fio",
                f"В реестре несколько педагогов «{fio}»: укажите год рождения или школу, чтобы выбрать одного.",
            )
        pid, _by, psid = found[0]
        if self.allowed and psid not in self.allowed and pid not in self.with_card:
            if psid in self.schools:
                reason = (
                    f"Педагог «{fio}» работает в школе «{self.schools[psid]}», которая не участвует в этой "
                    "диагностике."
                )
            else:
                reason = (
                    f"Педагог «{fio}» не закреплён ни за одной школой диагностики: укажите его школу в реестре "
                    "педагогов."
                )
            return None, "fio", reason
        return pid, "", ""


# --- reading the two layouts --------------------------------------------------------------------------------------


@dataclass
class CardEntry:
    """One rater's scores of one teacher, from a row (or a card sheet) of the file."""

    row: int
    person_id: int
    rater: str
    scores: dict[str, int | None]  # only the cells given: an absent code keeps the stored score
    label: str


@dataclass
class CardsPreview:
    layout: str
    path: Path
    entries: list[CardEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_total: int = 0  # rows (or sheets) with scores
    ignored_rows: int = 0  # rows without any score, example rows, sheets without a card
    error_rows: int = 0

    @property
    def teachers(self) -> int:
        return len({e.person_id for e in self.entries})


def detect_layout(path: str | Path) -> str:
    """``card`` when the first sheet has the card's grid (two rater titles in one row), else ``rows``."""
    _name, rows = imports.load_rows(Path(path), 0)
    for r in rows[:60]:
        if len({_rater_title_cell(v) for v in r.values} - {None}) >= 2:
            return "card"
    return "rows"


def preview_cards(
    session: Session,
    campaign: DiagCampaign | int,
    path: str | Path,
    layout: str = "auto",
    sheet: str | int | None = None,
) -> CardsPreview:
    """Read and check a file of cards; write nothing. Raises ``ImportFileError`` for problems of the file."""
    camp = get_campaign_or_error(session, campaign)
    p = Path(path)
    if layout == "auto":
        layout = detect_layout(p)
    if layout not in LAYOUTS:
        raise ValueError(f"Неизвестный вид файла карт: {layout!r} (ожидается rows или card)")
    tpl = cards.template(session, camp.template_version)
    people = _People(session, camp)
    preview = CardsPreview(layout, p)
    if layout == "rows":
        _read_rows(p, sheet, tpl, people, preview)
    else:
        _read_card_sheets(p, tpl, people, preview)
    _check_duplicates(preview, people)
    if not preview.rows_total:
        raise ImportFileError(
            f"В файле «{p.name}» нет ни одной оценки: заполните графы оценок (0, 1 или 2) и повторите загрузку."
        )
    return preview


def _check_duplicates(preview: CardsPreview, people: _People) -> None:
    """A teacher scored twice by the same rater in one file: the later rows are errors."""
    seen: dict[tuple[int, str], int] = {}
    keep = []
    for e in preview.entries:
        k = (e.person_id, e.rater)
        if k in seen:
            preview.errors.append(
                RowError(
                    e.row,
                    "Оценщик" if preview.layout == "rows" else scoring.RATER_TITLES[e.rater],
                    f"Повтор: оценка «{scoring.RATER_TITLES[e.rater]}» педагога «{e.label}» уже есть в строке "
                    f"{seen[k]} этого файла.",
                )
            )
            preview.error_rows += 1
        else:
            seen[k] = e.row
            keep.append(e)
    preview.entries = keep
    preview.errors.sort(key=lambda e: e.row)


def _read_rows(p: Path, sheet, tpl: cards.Template, people: _People, preview: CardsPreview) -> None:
    table = imports.read_table(p, sheet, kind="staff")
    mapping = {
        i: f for i, f in imports.match_headers(table.headers, "staff").items() if f in _IDENTITY_FIELDS
    }
    col_of = {f: i for i, f in mapping.items()}
    rater_col = next(
        (i for i, h in enumerate(table.headers) if i not in mapping and _key(h) in _RATER_HEADER_KEYS), None
    )
    crit_cols: dict[int, str] = {}
    for i, h in enumerate(table.headers):
        if i in mapping or i == rater_col:
            continue
        code = criterion_of(h, tpl)
        if code and code not in crit_cols.values():
            crit_cols[i] = code
    missing = []
    if "fio" not in col_of and not ("last_name" in col_of and "first_name" in col_of):
        missing.append("«ФИО» (или «Фамилия», «Имя», «Отчество»)")
    if rater_col is None:
        missing.append("«Оценщик»")
    if not crit_cols:
        missing.append("колонки критериев с кодами «1.1» … «5.5» или с их формулировками")
    if missing:
        raise ImportFileError(
            f"В файле «{p.name}» (строка заголовка {table.header_row}) не найдены: {'; '.join(missing)}. "
            "Скачайте шаблон «Карты — строками» и перенесите данные в него."
        )
    header = {i: (table.headers[i] or f"Колонка {i + 1}") for i in range(len(table.headers))}
    mark = _key(imports.EXAMPLE_MARK)

    def cell(raw, i):
        return raw.values[i] if i is not None and i < len(raw.values) else None

    for raw in table.rows:
        if any(_key(v) == mark for v in raw.values if isinstance(v, str)):
            preview.ignored_rows += 1
            continue
        first = next((_key(v) for v in raw.values if v is not None), "").split()[:1]
        if first in (["итого"], ["всего"]):
            preview.ignored_rows += 1
            continue
        problems: list[RowError] = []
        scores: dict[str, int | None] = {}
        for i, code in crit_cols.items():
            try:
                given, v = _score(cell(raw, i))
            except ValueError as exc:
                problems.append(RowError(raw.number, header[i], str(exc)))
                continue
            if given:
                scores[code] = v
        if not scores and not problems:
            preview.ignored_rows += 1  # nobody filled this row in
            continue
        preview.rows_total += 1
        rater_text = cell(raw, rater_col)
        rater = parse_rater(rater_text)
        if rater is None:
            problems.insert(
                0,
                RowError(
                    raw.number,
                    header[rater_col],
                    (
                        f"Неизвестный оценщик «{_text(rater_text)}»: "
                        if _text(rater_text)
                        else "Не указан оценщик: "
                    )
                    + "укажите «Самооценка», «Руководитель ШМО» или «Заместитель директора по УВР».",
                ),
            )
        if "fio" in col_of and not any(f in col_of for f in ("last_name", "first_name")):
            last, first, middle = _split_fio(_text(cell(raw, col_of["fio"])))
            name_col = header[col_of["fio"]]
        else:
            last, first, middle = (
                _text(cell(raw, col_of.get(f))) for f in ("last_name", "first_name", "middle_name")
            )
            name_col = header[col_of.get("last_name", col_of.get("fio", 0))]
        by_col = col_of.get("birth_year", col_of.get("birth_date"))
        birth = _year(cell(raw, by_col))
        school = _text(cell(raw, col_of.get("school")))
        pid = None
        if not last or not first:
            problems.insert(0, RowError(raw.number, name_col, "Не указаны фамилия и имя педагога."))
        elif isinstance(birth, str):
            problems.insert(
                0, RowError(raw.number, header[by_col], f"Год рождения «{birth}» — укажите четыре цифры.")
            )
        else:
            pid, where, reason = people.find(last, first, middle, birth, school)
            if pid is None:
                col = {"school": header.get(col_of.get("school"), "Школа"), "fio": name_col}[where]
                problems.insert(0, RowError(raw.number, col, reason))
        if problems:
            preview.errors.extend(problems)
            preview.error_rows += 1
            continue
        preview.entries.append(CardEntry(raw.number, pid, rater, scores, full_fio(last, first, middle)))


def _sheets(p: Path) -> list[tuple[str, list[imports.RawRow]]]:
    """All sheets of the file as rows (through the importer's own reader; a CSV is one sheet)."""
    first = imports.load_rows(p, 0)  # the importer's checks: missing, empty, password, broken …
    names = _sheet_names(p)
    return [first] + [imports.load_rows(p, i) for i in range(1, len(names))]


def _sheet_names(p: Path) -> list[str]:
    data = p.read_bytes()
    try:
        if data.startswith(b"PK\x03\x04"):
            from openpyxl import load_workbook

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # «Data Validation extension is not supported» and the like
                wb = load_workbook(p, read_only=True)
            try:
                return list(wb.sheetnames)
            finally:
                wb.close()
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            import xlrd

            book = xlrd.open_workbook(file_contents=data, on_demand=True)
            try:
                return list(book.sheet_names())
            finally:
                book.release_resources()
    except Exception as exc:  # the first sheet was read a moment ago; any failure here is a broken file
        raise ImportFileError(f"Не удалось прочитать листы файла «{p.name}».") from exc
    return [""]


def _card_field(label: Any) -> str | None:
    k = _key(label)
    if not k:
        return None
    for f, starts in _CARD_LABELS.items():
        if any(k == s or k.startswith(s + " ") for s in starts):
            return f
    return None


def _field_value(values: list[Any], j: int) -> Any:
    """The value of a header field: after «:» in the label cell, else the next non-empty cell in the row;
    underscores (the paper's blank line) are no value."""
    label = _text(values[j])
    if ":" in label and label.split(":", 1)[1].strip(" _"):
        return label.split(":", 1)[1].strip(" _")
    for v in values[j + 1 :]:
        if v is not None and _text(v).strip(" _"):
            return v.strip(" _") if isinstance(v, str) else v
    return None


def _read_card_sheets(p: Path, tpl: cards.Template, people: _People, preview: CardsPreview) -> None:
    for sheet_name, rows in _sheets(p):
        where = f"лист «{sheet_name}»" if sheet_name else "файл"
        fields: dict[str, tuple[int, Any]] = {}
        raters: dict[int, str] = {}
        grid: list[tuple[int, str, list[Any]]] = []
        for r in rows:
            if not raters:
                cols = {j: _rater_title_cell(v) for j, v in enumerate(r.values)}
                cols = {j: x for j, x in cols.items() if x}
                if len(set(cols.values())) >= 2:
                    raters = cols
                    continue
                for j, v in enumerate(r.values):
                    if isinstance(v, str):
                        f = _card_field(v)
                        if f and f not in fields:
                            fields[f] = (r.number, _field_value(r.values, j))
                        if f:
                            break
                continue
            first_rater = min(raters)
            code = next(
                (c for c in (criterion_of(v, tpl) for v in r.values[:first_rater] if v is not None) if c),
                None,
            )
            if code:
                grid.append((r.number, code, r.values))
        if not raters:
            preview.ignored_rows += 1  # a sheet without the card (explanations)
            continue
        problems: list[RowError] = []
        per_rater: dict[str, dict[str, int | None]] = {r: {} for r in scoring.RATERS}
        seen_codes: dict[str, int] = {}
        for number, code, values in grid:
            if code in seen_codes:
                problems.append(
                    RowError(
                        number,
                        "Критерии",
                        f"Критерий {code} повторяется ({where}, строка {seen_codes[code]}).",
                    )
                )
                continue
            seen_codes[code] = number
            for j, rater in raters.items():
                try:
                    given, v = _score(values[j] if j < len(values) else None)
                except ValueError as exc:
                    problems.append(RowError(number, f"{scoring.RATER_TITLES[rater]} ({where})", str(exc)))
                    continue
                if given:
                    per_rater[rater][code] = v
        if not any(per_rater.values()) and not problems:
            preview.ignored_rows += 1  # an empty card
            continue
        preview.rows_total += 1
        fio_row, fio = fields.get("fio", (rows[0].number if rows else 1, None))
        last, first, middle = _split_fio(_text(fio))
        birth = _year(fields.get("birth_year", (0, None))[1])
        school_value = fields.get("school", (0, None))[1]
        pid = None
        if not last or not first:
            problems.insert(
                0, RowError(fio_row, f"{CARD_FIELDS['fio']} ({where})", "Не указаны фамилия и имя участника.")
            )
        elif isinstance(birth, str):
            problems.insert(
                0,
                RowError(
                    fields["birth_year"][0], f"Год рождения ({where})", f"«{birth}» — укажите четыре цифры."
                ),
            )
        else:
            pid, what, reason = people.find(last, first, middle, birth, _text(school_value))
            if pid is None:
                row = fields["school"][0] if what == "school" else fio_row
                label = CARD_FIELDS["school"] if what == "school" else CARD_FIELDS["fio"]
                problems.insert(0, RowError(row, f"{label} ({where})", reason))
        if problems:
            preview.errors.extend(problems)
            preview.error_rows += 1
            continue
        for rater in scoring.RATERS:
            if per_rater[rater]:
                preview.entries.append(
                    CardEntry(fio_row, pid, rater, per_rater[rater], full_fio(last, first, middle))
                )


# --- writing ------------------------------------------------------------------------------------------------------


def apply_cards(
    session: Session, campaign: DiagCampaign | int, preview: CardsPreview, valid_only: bool = False
) -> ImportResult:
    """Write the checked entries in the session's transaction (the caller commits). With errors and not
    ``valid_only`` → ``ImportRefused`` and nothing changed. Counts are per teacher's card."""
    camp = get_campaign_or_error(session, campaign)
    if preview.errors and (not valid_only or not preview.entries):
        raise ImportRefused(preview.errors)
    result = ImportResult(skipped=preview.error_rows, errors=list(preview.errors))
    by_person: dict[int, list[CardEntry]] = {}
    for e in preview.entries:
        by_person.setdefault(e.person_id, []).append(e)
    try:
        for pid, entries in by_person.items():
            card = session.scalar(
                select(DiagCard).where(DiagCard.campaign_id == camp.id, DiagCard.person_id == pid)
            )
            live = card is not None and card.deleted_at is None
            tpl = cards.template(session, card.template_version if live else camp.template_version)
            stored = cards.card_scores(card, tpl) if live else {r: {} for r in scoring.RATERS}
            merged = {r: dict(stored.get(r, {})) for r in scoring.RATERS}
            for e in entries:
                merged[e.rater].update(e.scores)
            if live and scoring.encode(merged, tpl.codes) == card.scores:
                result.unchanged += 1
                continue
            try:
                cards.save_card(session, camp, pid, merged, note=card.note if card is not None else "")
            except ValidationError as exc:
                errors = [RowError(entries[0].row, "", m) for m in exc.errors.values()]
                if not valid_only:
                    raise ImportRefused(errors) from exc
                result.errors.extend(errors)
                result.skipped += len(entries)
                continue
            if live:
                result.updated += 1
            else:
                result.created += 1
        session.flush()
    except BaseException:
        session.rollback()
        raise
    return result


def import_cards(
    session: Session,
    campaign: DiagCampaign | int,
    path: str | Path,
    valid_only: bool = False,
    *,
    layout: str = "auto",
    sheet: str | int | None = None,
) -> ImportResult:
    """Check the whole file, then write (all or nothing unless ``valid_only``); the caller commits. Raises
    ``ImportFileError``, ``ImportRefused``, ``DiagnosticsError``."""
    preview = preview_cards(session, campaign, path, layout, sheet)
    return apply_cards(session, campaign, preview, valid_only)


# --- templates ----------------------------------------------------------------------------------------------------

TEMPLATE_KINDS = {"rows": "Карты — строками", "card": "Карты — лист на педагога"}


def _campaign_teachers(session: Session, camp: DiagCampaign | None) -> list[Person]:
    """The teachers of the campaign: those with a card, and the live staff of its schools; by school and name."""
    if camp is None:
        return []
    ids = cards.campaign_school_ids(camp)
    with_card = select(DiagCard.person_id).where(
        DiagCard.campaign_id == camp.id, DiagCard.deleted_at.is_(None)
    )
    cond = Person.id.in_(with_card)
    if ids:
        cond = cond | Person.school_id.in_(ids)
    q = (
        select(Person)
        .outerjoin(School, School.id == Person.school_id)
        .where(Person.deleted_at.is_(None), cond)
        .order_by(School.short_name, Person.last_name, Person.first_name, Person.middle_name)
    )
    return list(session.scalars(q))


def _stored_scores(session: Session, camp: DiagCampaign | None, tpl: cards.Template) -> dict[int, dict]:
    if camp is None:
        return {}
    out = {}
    for card in session.scalars(
        select(DiagCard).where(DiagCard.campaign_id == camp.id, DiagCard.deleted_at.is_(None))
    ):
        if card.template_version == tpl.version:
            out[card.person_id] = cards.card_scores(card, tpl)
    return out


def _campaign_line(camp: DiagCampaign | None) -> str:
    if camp is None:
        return ""
    stage = cards.STAGES[camp.stage]
    year = f"{camp.school_year} учебный год"
    if stage in camp.title.lower():  # «Входная диагностика «5 К»» already names the stage
        return f"{camp.title}, {year}"
    return f"{camp.title} ({stage} диагностика, {year})"


def write_cards_template(
    kind: str, path: str | Path, session: Session, campaign: DiagCampaign | int | None = None
) -> Path:
    """An Excel template to fill in: ``rows`` — one row per teacher and rater (pre-filled with the campaign's
    teachers and their stored scores), ``card`` — one sheet per teacher as on the paper card. Both re-import
    unchanged. Raises ``ExportError`` (file not writable), ``DiagnosticsError`` (unknown campaign)."""
    from openpyxl import Workbook

    if kind not in LAYOUTS:
        raise ValueError(f"Неизвестный вид шаблона: {kind!r} (ожидается rows или card)")
    camp = None if campaign is None else get_campaign_or_error(session, campaign)
    tpl = cards.template(session, camp.template_version if camp else None)
    teachers = _campaign_teachers(session, camp)
    stored = _stored_scores(session, camp, tpl)
    wb = Workbook()
    if kind == "rows":
        _rows_sheet(wb.active, session, tpl, camp, teachers, stored)
    else:
        wb.remove(wb.active)
        used: set[str] = set()
        for person in teachers or [None]:
            title = _unique_sheet(
                short_fio(person.last_name, person.first_name, person.middle_name) if person else "Карта",
                used,
            )
            _card_sheet(
                wb.create_sheet(title), session, tpl, camp, person, stored.get(person.id) if person else None
            )
    _explanations(wb.create_sheet("Пояснения"), kind, tpl)
    wb.properties.title = TEMPLATE_KINDS[kind]
    return xlsx_export.save_workbook(wb, path)


def _unique_sheet(title: str, used: set[str]) -> str:
    base = xlsx_export.sheet_title(title)[:27]
    name, n = base, 1
    while name.lower() in used or name.lower() == "пояснения":
        n += 1
        name = f"{base} ({n})"
    used.add(name.lower())
    return name


def criterion_header(code: str, title: str) -> str:
    return f"{code}. {title}"


ROW_HEADERS = ("ФИО", "Год рождения", "Школа", "Оценщик")


def _rows_sheet(ws, session: Session, tpl, camp, teachers: list[Person], stored: dict) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    schools = dict(session.execute(select(School.id, School.short_name)).all())
    ws.title = "Карты"
    headers = [*ROW_HEADERS, *(criterion_header(c.code, c.title) for c in tpl.criteria)]
    ws.append(headers)
    n = 0
    for p in teachers:
        for r in scoring.RATERS:
            sc = stored.get(p.id, {}).get(r, {})
            ws.append(
                [
                    full_fio(p.last_name, p.first_name, p.middle_name),
                    p.birth_year,
                    schools.get(p.school_id, ""),
                    scoring.RATER_TITLES[r],
                    *(sc.get(c) for c in tpl.codes),
                ]
            )
            n += 1
    if not teachers:
        ws.cell(1, len(headers) + 1, "Пояснение").font = Font(bold=True)
        ws.append(
            [
                "Иванова Мария Петровна",
                1985,
                "МКОУ «Шеркальская СОШ»",
                "Самооценка",
                *([2, 1] * len(tpl.codes))[: len(tpl.codes)],
                imports.EXAMPLE_MARK,
            ]
        )
        for cell in ws[2]:
            cell.font = Font(italic=True, color="808080")
        n = 1
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 150
    for i, w in enumerate((34, 9, 30, 26), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for i in range(len(ROW_HEADERS) + 1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 13
    ws.freeze_panes = ws.cell(2, len(ROW_HEADERS) + 1)
    last = max(n + 1, 500)
    raters = DataValidation(
        type="list", formula1='"' + ",".join(scoring.RATER_TITLES.values()) + '"', allow_blank=True
    )
    raters.add(f"D2:D{last}")
    ws.add_data_validation(raters)
    scores = DataValidation(type="list", formula1=f'"{SCORE_CHOICES}"', allow_blank=True)
    scores.add(f"E2:{get_column_letter(len(headers))}{last}")
    ws.add_data_validation(scores)


def _card_sheet(ws, session: Session, tpl, camp, person: Person | None, stored: dict | None) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, w in (("A", 7), ("B", 58), ("C", 14), ("D", 14), ("E", 16)):
        ws.column_dimensions[letter].width = w
    ws.append([tpl.title])
    ws.merge_cells("A1:E1")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = Alignment(wrap_text=True, horizontal="center")
    ws.row_dimensions[1].height = 36
    ws.append([_campaign_line(camp)])
    ws.merge_cells("A2:E2")
    ws["A2"].font = Font(italic=True)
    ws.append([])
    values = _person_fields(session, person)
    for f in ("fio", "birth_year", "post", "contacts", "school"):
        ws.append([CARD_FIELDS[f], None, values.get(f)])
        r = ws.max_row
        ws.merge_cells(f"A{r}:B{r}")
        ws.merge_cells(f"C{r}:E{r}")
        ws.cell(r, 1).alignment = wrap
        ws.cell(r, 3).border = Border(bottom=thin)
        if f == "school":
            ws.row_dimensions[r].height = 30
    ws.append([])
    for line in _instruction_lines(tpl):
        ws.append([line])
        r = ws.max_row
        ws.merge_cells(f"A{r}:E{r}")
        ws.cell(r, 1).alignment = wrap
        ws.row_dimensions[r].height = 30
    ws.append([])
    ws.append(["№", "Критерии", *scoring.RATER_TITLES.values()])
    head = ws.max_row
    ws.row_dimensions[head].height = 45
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = box
    first = head + 1
    for comp in tpl.competences:
        ws.append([f"{comp.number}.", comp.title])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.border = box
        for c in (c for c in tpl.criteria if c.competence == comp.number):
            sc = stored or {}
            ws.append([c.code, c.title, *((sc.get(r) or {}).get(c.code) for r in scoring.RATERS)])
            r = ws.max_row
            for cell in ws[r]:
                cell.border = box
            ws.cell(r, 1).data_type = "s"
            ws.cell(r, 2).alignment = wrap
            for j in (3, 4, 5):
                ws.cell(r, j).alignment = Alignment(horizontal="center", vertical="center")
    last = ws.max_row
    rng = {j: f"{'CDE'[j - 3]}{first}:{'CDE'[j - 3]}{last}" for j in (3, 4, 5)}
    for label, formula in (
        ("Максимальный балл", "=2*COUNT({})"),
        ("Итоговый балл", "=SUM({})"),
    ):
        ws.append([None, label, *(formula.format(rng[j]) for j in (3, 4, 5))])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.border = box
            cell.alignment = Alignment(horizontal="center") if cell.column > 2 else Alignment()
    mx, total = ws.max_row - 1, ws.max_row
    ws.append(
        [
            None,
            "Процент (итоговый балл / максимальный балл)",
            *(f'=IF({c}{mx}>0,{c}{total}/{c}{mx},"")' for c in "CDE"),
        ]
    )
    for cell in ws[ws.max_row]:
        cell.border = box
        if cell.column > 2:
            cell.number_format = "0.0%"
            cell.alignment = Alignment(horizontal="center")
    dv = DataValidation(type="list", formula1=f'"{SCORE_CHOICES}"', allow_blank=True)
    dv.add(f"C{first}:E{last}")
    ws.add_data_validation(dv)
    ws.print_area = f"A1:E{ws.max_row}"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0


def _instruction_lines(tpl) -> list[str]:
    text = tpl.instruction.strip()
    if not text.lower().startswith("инструкция"):
        text = f"Инструкция: {text[0].lower()}{text[1:]}" if text else ""
    m = re.search(r"\s(Оптимальный уровень.*)$", text)
    return [text[: m.start()].strip(), m.group(1).strip()] if m else [text]


def _person_fields(session: Session, person: Person | None) -> dict[str, Any]:
    if person is None:
        return {}
    post = person.doc_post or (person.positions.split(";")[0].strip() if person.positions else "")
    school = session.get(School, person.school_id) if person.school_id else None
    return {
        "fio": full_fio(person.last_name, person.first_name, person.middle_name),
        "birth_year": person.birth_year,
        "post": post,
        "contacts": ", ".join(x for x in (person.phone, person.email) if x),
        "school": school.short_name if school else "",
    }


def _explanations(ws, kind: str, tpl) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        f"Как заполнить: {TEMPLATE_KINDS[kind].lower()}",
        "Оценка: 2 — оптимальный уровень, 1 — достаточный, 0 — критический. Пустая ячейка — критерий не "
        "оценивался: он не считается нулём, максимальный балл уменьшается.",
        "При повторной загрузке карта педагога обновляется; пустая ячейка не стирает записанную оценку, "
        "а «-» (минус) стирает.",
    ]
    if kind == "rows":
        lines += [
            "Одна строка — оценки одного педагога одним оценщиком. «Оценщик»: Самооценка, Руководитель ШМО или "
            "Заместитель директора по УВР (можно self / shmo / deputy, «ШМО», «Зам. по УВР»).",
            "«Год рождения» и «Школа» нужны, только если в реестре есть педагоги с одинаковыми ФИО. Строки без "
            "оценок не загружаются. Колонки критериев узнаются по коду («1.1») или по формулировке.",
        ]
    else:
        lines += [
            "Один лист — карта одного педагога. Заполните Ф.И.О. участника (полностью, как в реестре) и "
            "сокращенное наименование школы, затем оценки в графах трёх оценщиков.",
            "Чтобы добавить педагога, скопируйте лист. Лист без оценок не загружается.",
        ]
    lines += ["", "Критерии карты"]
    for line in lines:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(["Код", "Критерий", "Компетенция"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    comps = {c.number: c.title for c in tpl.competences}
    for c in tpl.criteria:
        ws.append([c.code, c.title, comps.get(c.competence, "")])
        ws.cell(ws.max_row, 1).data_type = "s"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 45
    for row in ws.iter_rows(min_row=2, max_row=len(lines)):
        row[0].alignment = Alignment(wrap_text=False)


# --- results workbook ---------------------------------------------------------------------------------------------


def _add_sheet(wb, title: str, columns: Sequence[xlsx_export.Column], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(xlsx_export.sheet_title(title))
    ws.append([h for h, _w, _k in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for j, (_h, _w, kind) in enumerate(columns, start=1):
            value, fmt = xlsx_export.typed_value(row[j - 1] if j - 1 < len(row) else None, kind)
            cell = ws.cell(r, j, value)
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str):
                cell.data_type = "s"
    widths = xlsx_export.column_widths([(h.split(",")[0], w, k) for h, w, k in columns], rows)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(w, 10)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _frac(pct: float | None) -> float | None:
    return None if pct is None else pct / 100.0


def _r1(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def _level_title(pct: float | None) -> str:
    lv = scoring.level(pct)
    return scoring.LEVEL_TITLES[lv].lower() if lv else ""


def results_rows(session: Session, campaign_id: int) -> list[dict]:
    """One dict per live card of the campaign: teacher, school, percents, level, gap, deficits."""
    camp = get_campaign_or_error(session, campaign_id)
    q = (
        select(DiagCard, Person, School.short_name)
        .join(Person, Person.id == DiagCard.person_id)
        .outerjoin(School, School.id == DiagCard.school_id)
        .where(DiagCard.campaign_id == camp.id, DiagCard.deleted_at.is_(None))
        .order_by(School.short_name, Person.last_name, Person.first_name, Person.middle_name)
    )
    out = []
    for card, p, school in session.execute(q):
        tpl = cards.template(session, card.template_version)
        titles = {c.code: c.title for c in tpl.criteria}
        defs = scoring.deficits(cards.card_scores(card, tpl), tpl.codes)
        out.append(
            {
                "card_id": card.id,
                "person_id": p.id,
                "fio": full_fio(p.last_name, p.first_name, p.middle_name),
                "birth_year": p.birth_year,
                "school": school or "",
                "raters": ", ".join(
                    scoring.RATER_TITLES[r] for r in scoring.RATERS if scoring.RATER_LETTERS[r] in card.raters
                ),
                "complete": bool(card.complete),
                "competences": {n: getattr(card, f"pct{n}") for n in range(1, 6)},
                "pct": card.pct,
                "level": scoring.level(card.pct),
                "pct_self": card.pct_self,
                "pct_external": card.pct_external,
                "gap": None
                if card.pct_self is None or card.pct_external is None
                else card.pct_self - card.pct_external,
                "deficits": [(c, titles[c]) for c in defs],
            }
        )
    return out


def export_results(session: Session, campaign_id: int, path: str | Path) -> Path:
    """The results workbook: «Карты» (one row per card), «Муниципалитет» (per competence: levels counts and
    shares, mean %), «По школам». Raises ``ExportError`` (file not writable), ``DiagnosticsError``."""
    from openpyxl import Workbook

    camp = get_campaign_or_error(session, campaign_id)
    titles = analytics.competence_titles(session, camp)
    comps = sorted(titles)
    wb = Workbook()
    wb.remove(wb.active)
    data = results_rows(session, camp.id)
    columns: list[xlsx_export.Column] = [
        ("ФИО", None, "text"),
        ("Год рождения", None, "int"),
        ("Школа", None, "text"),
        ("Оценщики", None, "text"),
        ("Заполнена всеми оценщиками", None, "bool"),
        *((f"{titles[n]}, %", 14, "percent") for n in comps),
        ("Итого, %", 10, "percent"),
        ("Уровень", None, "text"),
        ("Самооценка, %", 12, "percent"),
        ("Внешняя оценка, %", 12, "percent"),
        ("Разрыв (самооценка − внешняя), п.п.", 16, "float"),
        ("Дефициты (0 баллов у ШМО или зам. по УВР)", 60, "text"),
    ]
    rows = [
        [
            d["fio"],
            d["birth_year"],
            d["school"],
            d["raters"],
            d["complete"],
            *(_frac(d["competences"].get(n)) for n in comps),
            _frac(d["pct"]),
            _level_title(d["pct"]),
            _frac(d["pct_self"]),
            _frac(d["pct_external"]),
            _r1(d["gap"]),
            "; ".join(f"{c} {t}" for c, t in d["deficits"]),
        ]
        for d in data
    ]
    _add_sheet(wb, "Карты", columns, rows)

    def level_columns() -> list[xlsx_export.Column]:
        out: list[xlsx_export.Column] = []
        for lv in scoring.LEVELS:
            t = scoring.LEVEL_TITLES[lv].capitalize()
            out += [(f"{t}, чел.", 12, "int"), (f"{t}, доля", 12, "percent")]
        return out

    def level_cells(st: analytics.Stat) -> list:
        out = []
        for lv in scoring.LEVELS:
            out += [st.levels[lv], _frac(st.share(lv))]
        return out

    summ = analytics.summary(session, camp.id)
    muni_rows = [
        [
            f"{n}. {titles[n]}",
            summ.competences[n].n,
            _frac(summ.competences[n].mean),
            _level_title(summ.competences[n].mean),
            *level_cells(summ.competences[n]),
        ]
        for n in comps
    ]
    muni_rows.append(
        [
            "Итого",
            summ.total.n,
            _frac(summ.total.mean),
            _level_title(summ.total.mean),
            *level_cells(summ.total),
        ]
    )
    _add_sheet(
        wb,
        "Муниципалитет",
        [
            ("Компетентность", 34, "text"),
            ("Карт", 8, "int"),
            ("Средний %", 11, "percent"),
            ("Уровень", 14, "text"),
            *level_columns(),
        ],
        muni_rows,
    )
    school_rows = []
    for _sid, name, s in analytics.summary_by_school(session, camp.id):
        school_rows.append(
            [
                name,
                s.cards,
                s.complete,
                *(_frac(s.competences[n].mean) for n in comps),
                _frac(s.total.mean),
                _level_title(s.total.mean),
                *(s.total.levels[lv] for lv in scoring.LEVELS),
                _frac(s.self_mean),
                _frac(s.external_mean),
                _r1(s.gap),
                s.gap_signals,
            ]
        )
    _add_sheet(
        wb,
        "По школам",
        [
            ("Школа", None, "text"),
            ("Карт", 8, "int"),
            ("Заполнено всеми оценщиками", 14, "int"),
            *((f"{titles[n]}, %", 14, "percent") for n in comps),
            ("Итого, %", 10, "percent"),
            ("Уровень", 14, "text"),
            *((f"{scoring.LEVEL_TITLES[lv].capitalize()}, чел.", 12, "int") for lv in scoring.LEVELS),
            ("Самооценка, %", 12, "percent"),
            ("Внешняя оценка, %", 12, "percent"),
            ("Разрыв, п.п.", 10, "float"),
            (f"Самооценка выше внешней на {analytics.GAP_SIGNAL:.0f} п.п. и более, чел.", 18, "int"),
        ],
        school_rows,
    )
    wb.properties.title = f"Результаты диагностики: {camp.title}"
    return xlsx_export.save_workbook(wb, path)


# --- the printable blank card ------------------------------------------------------------------------------------


def blank_card_document(
    session: Session, campaign: DiagCampaign | int | None = None, person: Person | int | None = None
):
    """The card of seed 003 (Приложение 3) as a document: header fields (filled in for ``person``), the
    instruction, the тезаурус, the grid of criteria with three score columns, «Максимальный балл» and
    «Итоговый балл»."""
    from moc_desktop.services.docs.common import moc_lines
    from moc_desktop.services.docs.model import Document, Para, Run, Table

    camp = None if campaign is None else get_campaign_or_error(session, campaign)
    if isinstance(person, int):
        p = session.get(Person, person)
        if p is None or p.deleted_at is not None:
            raise DiagnosticsError(f"Педагог с кодом {person} не найден.")
        person = p
    tpl = cards.template(session, camp.template_version if camp else None)
    values = _person_fields(session, person)
    kind, _, rest = tpl.title.partition(" ")
    head = (
        "ДИАГНОСТИЧЕСКАЯ КАРТА"
        if kind.lower() == "диагностическая" and rest.lower().startswith("карта")
        else ""
    )
    title = rest.partition(" ")[2] if head else tpl.title
    subtitle = _campaign_line(camp)
    doc = Document(
        kind=head,
        org_lines=moc_lines(session),
        title="\n".join(x for x in (title, subtitle) if x),
        base_size=12,
        file_stem="Диагностическая карта" + (f" {values['fio']}" if values else ""),
    )

    def field_para(label: str, value: Any) -> Para:
        text = _text(value)
        return Para(
            [Run(f"{label}: "), Run(text, underline=True) if text else Run("_" * max(12, 70 - len(label)))],
            align="left",
            first_line_indent=False,
            space_after=4,
        )

    body = doc.body
    for f in ("fio", "post", "contacts", "school"):
        body.append(field_para(CARD_FIELDS[f], values.get(f)))
    body.append(Para("", first_line_indent=False, space_after=4))
    lines = _instruction_lines(tpl)
    first = lines[0]
    if first.startswith("Инструкция:"):
        body.append(
            Para([Run("Инструкция:", bold=True), Run(first[len("Инструкция:") :])], first_line_indent=True)
        )
    else:
        body.append(Para(first))
    for line in lines[1:]:
        body.append(Para(line, space_after=6))
    body.append(
        Para(
            "Пустая графа означает, что критерий не оценивался: она не считается нулём, максимальный балл "
            "уменьшается на 2.",
            size=10,
            space_after=6,
        )
    )
    body.append(
        Para(
            "Тезаурус основных профессиональных компетентностей педагогов:",
            bold=True,
            first_line_indent=False,
            space_before=6,
            space_after=4,
            keep_with_next=True,
        )
    )
    for comp in tpl.competences:
        d = comp.definition.strip()
        m = re.match(r"^(.+?)\s+[-–—]\s+(.*)$", d, re.S)
        runs = [Run(m.group(1), bold=True), Run(" – " + m.group(2))] if m else [Run(d or comp.title)]
        body.append(Para(runs, size=11, space_after=3))
    body.append(
        Para(
            "Оценка",
            align="center",
            first_line_indent=False,
            bold=True,
            space_before=10,
            space_after=4,
            keep_with_next=True,
        )
    )
    rows: list[list[str]] = []
    for comp in tpl.competences:
        rows.append([f"{comp.number}.", comp.title.upper(), "", "", ""])
        rows += [[c.code, c.title, "", "", ""] for c in tpl.criteria if c.competence == comp.number]
    maximum = str(scoring.MAX_SCORE * len(tpl.criteria))
    rows.append(["", "Максимальный балл", maximum, maximum, maximum])
    rows.append(["", "Итоговый балл", "", "", ""])
    body.append(
        Table(
            headers=["№", "Критерии", "Самооценка", "Руководитель\nШМО", "Заместитель\nдиректора по УВР"],
            rows=rows,
            widths=[1.0, 7.9, 2.8, 3.0, 3.3],
            font_size=11,
        )
    )
    body.append(
        Para(
            "Дата заполнения «___» ____________ 20___ г.",
            align="left",
            first_line_indent=False,
            space_before=12,
        )
    )
    return doc


def blank_card_docx(
    session: Session,
    path: str | Path,
    campaign: DiagCampaign | int | None = None,
    person: Person | int | None = None,
) -> Path:
    """The printable card written with the «report» template (.docx; .pdf by the extension). Raises
    ``render.RenderError`` and ``DiagnosticsError``."""
    from moc_desktop.services.docs import render

    doc = blank_card_document(session, campaign, person)
    return render.write(doc, "report", Path(path)).path
