"""Files of the competence diagnostics: cards from Excel in two layouts (rows, card sheets), templates, the results
workbook, the printable blank card, the seed card read without a database."""

from __future__ import annotations

import pytest
from docx import Document as DocxDocument
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from moc_desktop.db.models import DiagCard
from moc_desktop.services import schools, staff
from moc_desktop.services.diagnostics import analytics, cards, files, scoring
from moc_desktop.services.imports import ImportFileError, ImportRefused

SHERKALY = "МКОУ «Шеркальская СОШ»"
UNYUGAN = "МКОУ «Уньюганская СОШ № 1»"
ANDRA = "МБОУ «Андринская СОШ»"
YEAR = "2026/2027"


@pytest.fixture
def world(session):
    a = schools.save_school(session, {"short_name": SHERKALY})
    b = schools.save_school(session, {"short_name": UNYUGAN})
    c = schools.save_school(session, {"short_name": ANDRA})  # not in the campaign
    schools.set_statuses(session, a, [{"school_year": YEAR, "status_code": "shnor"}])
    people = {}
    for key, ln, fn, mn, by, sc in (
        ("ivanova", "Иванова", "Мария", "Петровна", 1985, a),
        ("petrova", "Петрова", "Анна", "Сергеевна", 1990, a),
        ("sidorova", "Сидорова", "Ольга", "Ивановна", 1979, b),
        ("kuz70", "Кузнецова", "Елена", "Викторовна", 1970, a),  # namesakes
        ("kuz82", "Кузнецова", "Елена", "Викторовна", 1982, b),
        ("orlova", "Орлова", "Нина", "Павловна", 1988, c),
        ("belova", "Белова", "Вера", "Николаевна", 1975, None),  # no school
    ):
        people[key] = staff.save_person(
            session,
            {
                "last_name": ln,
                "first_name": fn,
                "middle_name": mn,
                "birth_year": by,
                "school_id": sc.id if sc else None,
                "positions": "учитель",
                "phone": "8 900 111-22-33",
                "email": f"{key}@example.ru",
            },
        )
    camp = cards.save_campaign(
        session,
        {"title": "Входная диагностика", "school_year": YEAR, "stage": "entry", "school_ids": [a.id, b.id]},
    )
    session.commit()
    return {"schools": (a, b, c), "people": people, "campaign": camp, "tpl": cards.template(session)}


def n_cards(session) -> int:
    return session.scalar(select(func.count()).select_from(DiagCard).where(DiagCard.deleted_at.is_(None)))


def card_of(session, camp, person):
    return session.scalar(
        select(DiagCard).where(DiagCard.campaign_id == camp.id, DiagCard.person_id == person.id)
    )


def write_rows(path, rows, headers=None, title=True):
    """A workbook in the row layout: a title row above the header (as users make them), then the rows."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["Результаты входной диагностики педагогов"])
    ws.append(headers or ["№", "ФИО", "Год рождения", "Школа", "Оценщик", *CODES_HEADERS])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


CODES = [
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "1.5",
    "2.1",
    "2.2",
    "3.1",
    "3.2",
    "4.1",
    "4.2",
    "5.1",
    "5.2",
    "5.3",
    "5.4",
    "5.5",
]
# one criterion by its wording, one with code and wording, the rest by code
CODES_HEADERS = [
    "Требования ФГОС к предметному содержанию",
    "1.2. Выбор форм и методов работы для учеников",
    *CODES[2:],
]


def row(n, fio, rater, scores, year=None, school=None):
    return [n, fio, year, school, rater, *scores]


IVANOVA = "Иванова Мария Петровна"
SELF_I = [2] * 16
SHMO_I = [1] * 16
DEP_I = [0, 0, 2, 2, 2, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, None]


def good_rows():
    return [
        row(1, IVANOVA, "Самооценка", SELF_I),
        row(2, IVANOVA, "ШМО", SHMO_I),
        row(3, IVANOVA, "Зам. по УВР", DEP_I),
        row(4, "Петрова Анна Сергеевна", "self", [1] * 8 + [None] * 8, school=SHERKALY),
        row(5, "Кузнецова Елена Викторовна", "deputy", [2] * 16, year=1982),
    ]


# --- the seed card without a database ----------------------------------------------------------------------------


def test_seed_card_from_the_migration_is_the_database_template(session):
    seed = files.seed_card()
    tpl = cards.template(session, 1)
    assert seed.version == 1 and seed.title == tpl.title and seed.instruction == tpl.instruction
    assert seed.criteria == [(c.code, c.competence, c.title) for c in tpl.criteria]
    assert [(n, t, sh, d) for n, t, sh, d in seed.competences] == [
        (c.number, c.title, c.short, c.definition) for c in tpl.competences
    ]


def test_score_card_data_is_card_score_as_dict_plus_version():
    data = {"raters": {"self": {"1.1": 2, "1.2": 1}, "shmo": {"1.1": "1"}, "deputy": {"1.1": 0, "5.5": None}}}
    out = files.score_card_data(data)
    expected = scoring.score_card(
        {"self": {"1.1": 2, "1.2": 1}, "shmo": {"1.1": 1}, "deputy": {"1.1": 0}}, files.seed_card().pairs
    ).as_dict([1, 2, 3, 4, 5])
    assert out == {"template_version": 1, **expected}
    assert out["raters"]["self"]["competences"]["1"] == {
        "achieved": 3,
        "maximum": 4,
        "percent": 75.0,
        "level": "sufficient",
    }
    assert files.score_card_data({"Самооценка": {"1.1": 2}})["combined"]["total"]["percent"] == 100.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"raters": {"self": {"9.9": 2}}}, "Критерий «9.9» не входит в карту"),
        ({"raters": {"self": {"1.1": 3}}}, "Самооценка, критерий 1.1: Оценка «3» недопустима"),
        ({"raters": {"self": {"1.1": True}}}, "недопустима"),
        ({"raters": {"boss": {"1.1": 2}}}, "Неизвестный оценщик «boss»"),
        ({"raters": {"self": [2, 2]}}, "должны быть объектом"),
        ({"raters": {"self": {}, "Самооценка": {}}}, "указан дважды"),
        ([1, 2], "Ожидается объект JSON"),
        ({"scores": {}}, "Ожидается объект JSON"),
    ],
)
def test_score_card_data_refusals(data, message):
    with pytest.raises(files.DiagnosticsError, match=message):
        files.score_card_data(data)


# --- small parsers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rater"),
    [
        ("Самооценка", "self"),
        ("самооценка ", "self"),
        ("self", "self"),
        ("Руководитель ШМО", "shmo"),
        ("ШМО", "shmo"),
        ("shmo", "shmo"),
        ("Рук. ШМО", "shmo"),
        ("Заместитель директора по УВР", "deputy"),
        ("Зам. по УВР", "deputy"),
        ("зам по увр", "deputy"),
        ("deputy", "deputy"),
        ("Директор", None),
        ("", None),
    ],
)
def test_parse_rater(text, rater):
    assert files.parse_rater(text) == rater


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("1.1", "1.1"),
        (1.1, "1.1"),
        ("1,1", "1.1"),
        ("5.5.", "5.5"),
        ("1.2. Выбор форм и методов работы для учеников", "1.2"),
        ("ИКТ- компетентность", "1.3"),
        ("организация обучения детей с ОВЗ", "3.2"),
        ("01.01.2026", "1.1"),  # Excel made a date of «1.1»
        ("6.1", None),
        ("ФИО", None),
        ("1.", None),
    ],
)
def test_criterion_of(session, header, code):
    assert files.criterion_of(header, cards.template(session)) == code


# --- import: rows ---------------------------------------------------------------------------------------------------


def test_rows_import_creates_cards_with_the_scoring_rules(session, world, tmp_path):
    camp, tpl, p = world["campaign"], world["tpl"], world["people"]
    path = write_rows(tmp_path / "карты.xlsx", good_rows())
    assert files.detect_layout(path) == "rows"
    result = files.import_cards(session, camp.id, path)
    session.commit()
    assert (result.created, result.updated, result.unchanged, result.skipped) == (3, 0, 0, 0)
    card = card_of(session, camp, p["ivanova"])
    expected = scoring.score_card(
        {
            "self": dict(zip(CODES, SELF_I, strict=True)),
            "shmo": dict(zip(CODES, SHMO_I, strict=True)),
            "deputy": dict(zip(CODES, DEP_I, strict=True)),
        },
        tpl.pairs,
    )
    assert card.pct == pytest.approx(expected.combined["total"].percent)
    assert card.pct1 == pytest.approx(expected.combined[1].percent)
    assert card.raters == "SHD" and not card.complete  # the deputy left 5.5 blank
    assert cards.card_scores(card, tpl)["deputy"]["5.5"] is None
    assert card.school_id == world["schools"][0].id
    petrova = card_of(session, camp, p["petrova"])
    assert petrova.raters == "S" and petrova.pct == pytest.approx(50.0) and petrova.pct5 is None
    assert card_of(session, camp, p["kuz82"]).pct == 100.0 and card_of(session, camp, p["kuz70"]) is None


def test_two_bad_rows_refuse_the_file_and_nothing_is_written(session, world, tmp_path):
    rows = good_rows()
    rows.insert(1, row(9, "Неизвестная Ирина Ивановна", "Самооценка", [2] * 16))  # sheet row 4
    rows.append(row(10, "Петрова Анна Сергеевна", "ШМО", [2, 3] + [1] * 14))  # sheet row 9
    path = write_rows(tmp_path / "карты.xlsx", rows)
    with pytest.raises(ImportRefused) as err:
        files.import_cards(session, world["campaign"].id, path)
    errors = err.value.errors
    assert [(e.row, e.column) for e in errors] == [
        (4, "ФИО"),
        (9, "1.2. Выбор форм и методов работы для учеников"),
    ]
    assert "не найден в реестре педагогов" in errors[0].message
    assert "Оценка «3» недопустима" in errors[1].message
    assert "строки: 4, 9" in str(err.value) and "База данных не изменена" in str(err.value)
    session.rollback()
    assert n_cards(session) == 0


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        (row(9, "Орлова Нина Павловна", "self", [2] * 16), "ФИО", "не участвует в этой диагностике"),
        (row(9, "Кузнецова Елена Викторовна", "self", [2] * 16), "ФИО", "несколько педагогов"),
        (row(9, "Белова Вера Николаевна", "self", [2] * 16), "ФИО", "не закреплён ни за одной школой"),
        (
            row(9, "Сидорова Ольга Ивановна", "директор", [2] * 16),
            "Оценщик",
            "Неизвестный оценщик «директор»",
        ),
        (row(9, "Сидорова Ольга Ивановна", None, [2] * 16), "Оценщик", "Не указан оценщик"),
        (row(9, IVANOVA, "Самооценка", [1] * 16), "Оценщик", "Повтор: оценка «Самооценка»"),
        (row(9, "Сидорова Ольга Ивановна", "self", [2] * 16, school=ANDRA), "Школа", "работает не в школе"),
        (
            row(9, "Сидорова Ольга Ивановна", "self", [2] * 16, school="МБОУ «Нет такой»"),
            "Школа",
            "не найдена",
        ),
        (row(9, "Сидорова Ольга Ивановна", "self", [2] * 16, year="давно"), "Год рождения", "четыре цифры"),
        (row(9, "Сидорова", "self", [2] * 16), "ФИО", "фамилия и имя"),
        (row(9, "Сидорова Ольга Ивановна", "self", ["два"] + [2] * 15), "Требования ФГОС", "недопустима"),
    ],
)
def test_row_errors_name_the_row_the_column_and_the_reason(session, world, tmp_path, bad, column, message):
    path = write_rows(tmp_path / "карты.xlsx", [*good_rows(), bad])
    with pytest.raises(ImportRefused) as err:
        files.import_cards(session, world["campaign"].id, path)
    (e,) = err.value.errors
    assert e.row == 8 and e.column.startswith(column) and message in e.message, e


def test_valid_only_writes_the_good_rows(session, world, tmp_path):
    rows = [*good_rows(), row(9, "Неизвестная Ирина Ивановна", "self", [2] * 16)]
    rows.append(row(10, "Сидорова Ольга Ивановна", "self", [5] * 16))
    path = write_rows(tmp_path / "карты.xlsx", rows)
    result = files.import_cards(session, world["campaign"].id, path, valid_only=True)
    session.commit()
    assert (result.created, result.skipped) == (3, 2)
    assert [e.row for e in result.errors] == [8] + [9] * 16
    assert n_cards(session) == 3


def test_reimport_updates_empty_keeps_dash_clears(session, world, tmp_path):
    camp, tpl, p = world["campaign"], world["tpl"], world["people"]
    files.import_cards(session, camp.id, write_rows(tmp_path / "1.xlsx", good_rows()))
    session.commit()
    card = card_of(session, camp, p["ivanova"])
    version = card.version
    again = [
        row(1, IVANOVA, "Самооценка", [1] + [None] * 15),  # 1.1: 2 → 1, the rest kept
        row(2, IVANOVA, "Заместитель директора по УВР", ["-"] + [None] * 15),  # 1.1 cleared
        row(3, "Кузнецова Елена Викторовна", "deputy", [2] * 16, year=1982),  # the same as stored
    ]
    result = files.import_cards(session, camp.id, write_rows(tmp_path / "2.xlsx", again))
    session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    scores = cards.card_scores(card, tpl)
    assert scores["self"]["1.1"] == 1 and scores["self"]["1.2"] == 2 and scores["deputy"]["1.1"] is None
    assert scores["shmo"]["1.1"] == 1 and card.version > version and n_cards(session) == 3


def test_split_name_columns_in_a_csv(session, world, tmp_path):
    path = tmp_path / "карты.csv"
    lines = ["Фамилия;Имя;Отчество;Оценщик;" + ";".join(CODES)]
    lines.append("Сидорова;Ольга;Ивановна;Руководитель ШМО;" + ";".join(["2"] * 16))
    lines.append("Иванова;Мария;Петровна;Самооценка;" + ";".join(["1"] * 8 + [""] * 8))
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    result = files.import_cards(session, world["campaign"].id, path)
    assert result.created == 2
    assert card_of(session, world["campaign"], world["people"]["sidorova"]).pct == 100.0


def test_file_level_problems(session, world, tmp_path):
    no_rater = write_rows(tmp_path / "a.xlsx", [["Иванова Мария Петровна", 2]], headers=["ФИО", "1.1"])
    with pytest.raises(ImportFileError, match="«Оценщик»"):
        files.import_cards(session, world["campaign"].id, no_rater)
    empty = write_rows(tmp_path / "b.xlsx", [row(1, IVANOVA, "self", [None] * 16)])
    with pytest.raises(ImportFileError, match="нет ни одной оценки"):
        files.import_cards(session, world["campaign"].id, empty)
    with pytest.raises(ImportFileError, match="не найден"):
        files.import_cards(session, world["campaign"].id, tmp_path / "нет.xlsx")
    with pytest.raises(files.DiagnosticsError, match="не найдена"):
        files.import_cards(session, 999, no_rater)


# --- import: card sheets --------------------------------------------------------------------------------------------


def test_card_template_round_trip(session, world, tmp_path):
    camp, p = world["campaign"], world["people"]
    path = files.write_cards_template("card", tmp_path / "карты.xlsx", session, camp)
    wb = load_workbook(path)
    # the campaign's teachers (schools A and B), one sheet each, then the explanations
    assert len(wb.sheetnames) == 6 and wb.sheetnames[-1] == "Пояснения"
    ws = wb["Иванова М.П."]
    labels = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, 12)}
    assert labels["Ф.И.О. участника диагностического исследования"] == IVANOVA
    assert labels["Сокращенное наименование образовательной организации"] == SHERKALY
    assert labels["Должность"] == "учитель" and "ivanova@example.ru" in labels["Контактные данные"]
    grid = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in CODES]
    assert [ws.cell(r, 1).value for r in grid] == CODES
    assert any(ws.cell(r, 2).value == "Максимальный балл" for r in range(1, ws.max_row + 1))
    # nothing filled in: nothing to load
    with pytest.raises(ImportFileError, match="нет ни одной оценки"):
        files.import_cards(session, camp.id, path)
    for k, r in enumerate(grid):
        ws.cell(r, 3).value = 2
        ws.cell(r, 4).value = 1 if k % 2 else 2
        ws.cell(r, 5).value = 0 if k == 0 else None
    wb.save(path)
    assert files.detect_layout(path) == "card"
    result = files.import_cards(session, camp.id, path)
    session.commit()
    assert (result.created, result.updated) == (1, 0)
    card = card_of(session, camp, p["ivanova"])
    assert (
        card.raters == "SHD" and card.pct_self == 100.0 and card.pct_external == pytest.approx((75 + 0) / 2)
    )
    again = files.write_cards_template(
        "card", tmp_path / "2.xlsx", session, camp
    )  # pre-filled with the scores
    result = files.import_cards(session, camp.id, again)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_card_sheet_errors(session, world, tmp_path):
    camp = world["campaign"]
    path = files.write_cards_template("card", tmp_path / "карты.xlsx", session, camp)
    wb = load_workbook(path)
    ws = wb["Петрова А.С."]
    fio_row = next(r for r in range(1, 12) if str(ws.cell(r, 1).value).startswith("Ф.И.О."))
    ws.cell(fio_row, 3).value = "Неизвестная Ирина Ивановна"
    grid = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in CODES]
    ws.cell(grid[0], 3).value = 2
    ws2 = wb["Сидорова О.И."]
    grid2 = [r for r in range(1, ws2.max_row + 1) if ws2.cell(r, 1).value in CODES]
    ws2.cell(grid2[3], 4).value = 7
    wb.save(path)
    with pytest.raises(ImportRefused) as err:
        files.import_cards(session, camp.id, path)
    msgs = {(e.row, e.column): e.message for e in err.value.errors}
    assert (fio_row, "Ф.И.О. участника диагностического исследования (лист «Петрова А.С.»)") in msgs
    assert msgs[(grid2[3], "Руководитель ШМО (лист «Сидорова О.И.»)")].startswith("Оценка «7» недопустима")
    assert n_cards(session) == 0


def test_card_layout_like_the_paper_without_codes(session, world, tmp_path):
    """The seed's grid: no code column, criteria by their wording, header fields with «_____» blanks."""
    tpl = world["tpl"]
    wb = Workbook()
    ws = wb.active
    ws.append(["Ф.И.О. участника диагностического исследования", "Сидорова Ольга Ивановна"])
    ws.append(["Должность", "_____"])
    ws.append(["Сокращенное наименование образовательной организации", UNYUGAN])
    ws.append([None, "Критерии", "Самооценка", "Руководитель ШМО", "Заместитель директора по УВР"])
    for comp in tpl.competences:
        ws.append([comp.title])
        for c in tpl.criteria:
            if c.competence == comp.number:
                ws.append([None, c.title, 2, 1, None])
    ws.append(["Максимальный балл", None, 32, 32, None])
    ws.append(["Итоговый балл", None, 32, 16, None])
    wb.save(tmp_path / "бумажная.xlsx")
    result = files.import_cards(session, world["campaign"].id, tmp_path / "бумажная.xlsx")
    assert result.created == 1
    card = card_of(session, world["campaign"], world["people"]["sidorova"])
    assert (card.raters, card.pct) == ("SH", 75.0)


# --- templates ------------------------------------------------------------------------------------------------------


def test_rows_template_is_prefilled_and_round_trips(session, world, tmp_path):
    camp, p = world["campaign"], world["people"]
    files.import_cards(session, camp.id, write_rows(tmp_path / "1.xlsx", good_rows()))
    session.commit()
    path = files.write_cards_template("rows", tmp_path / "шаблон.xlsx", session, camp)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Карты", "Пояснения"]
    ws = wb["Карты"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["ФИО", "Год рождения", "Школа", "Оценщик"]
    assert header[4] == "1.1. Требования ФГОС к предметному содержанию" and len(header) == 20
    names = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert len(names) == 5 * 3 and "Орлова Нина Павловна" not in names  # teachers of the campaign's schools
    ivanova = {
        ws.cell(r, 4).value: [c.value for c in ws[r][4:]]
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, 1).value == IVANOVA
    }
    assert ivanova["Самооценка"] == SELF_I and ivanova["Заместитель директора по УВР"] == DEP_I
    # as it is: every stored card unchanged, the empty rows skipped
    result = files.import_cards(session, camp.id, path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    # a teacher filled in: a new card
    sid = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Сидорова Ольга Ивановна")
    for j in range(5, 21):
        ws.cell(sid, j).value = 1
    wb.save(path)
    result = files.import_cards(session, camp.id, path)
    assert (result.created, result.unchanged) == (1, 3)
    assert card_of(session, camp, p["sidorova"]).pct_self == 50.0


def test_templates_without_a_campaign(session, world, tmp_path):
    rows = files.write_cards_template("rows", tmp_path / "r.xlsx", session)
    ws = load_workbook(rows)["Карты"]
    assert ws.max_row == 2 and ws.cell(2, 21).value == "пример — удалите строку"
    with pytest.raises(ImportFileError, match="нет ни одной оценки"):  # the example row is never loaded
        files.import_cards(session, world["campaign"].id, rows)
    card = load_workbook(files.write_cards_template("card", tmp_path / "c.xlsx", session))
    assert card.sheetnames == ["Карта", "Пояснения"]
    with pytest.raises(ValueError):
        files.write_cards_template("pdf", tmp_path / "x.xlsx", session)


# --- results workbook -----------------------------------------------------------------------------------------------


def test_export_results_workbook(session, world, tmp_path):
    camp = world["campaign"]
    files.import_cards(session, camp.id, write_rows(tmp_path / "1.xlsx", good_rows()))
    session.commit()
    path = files.export_results(session, camp.id, tmp_path / "результаты.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Карты", "Муниципалитет", "По школам"]
    ws = wb["Карты"]
    head = [c.value for c in ws[1]]
    assert head[:5] == ["ФИО", "Год рождения", "Школа", "Оценщики", "Заполнена всеми оценщиками"]
    assert "Итого, %" in head and "Уровень" in head and head[-1].startswith("Дефициты")
    data = {r[0]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(data) == n_cards(session) == 3
    iv = data[IVANOVA]
    card = card_of(session, camp, world["people"]["ivanova"])
    assert (
        iv["Итого, %"] == pytest.approx(card.pct / 100)
        and iv["Уровень"] == scoring.LEVEL_TITLES[scoring.level(card.pct)].lower()
    )
    assert iv["Предметно-методологическая, %"] == pytest.approx(card.pct1 / 100)
    assert iv["Самооценка, %"] == 1.0 and iv["Разрыв (самооценка − внешняя), п.п."] == pytest.approx(
        round(card.pct_self - card.pct_external, 1)
    )
    assert iv["Дефициты (0 баллов у ШМО или зам. по УВР)"] == (
        "1.1 Требования ФГОС к предметному содержанию; 1.2 Выбор форм и методов работы для учеников"
    )
    assert iv["Заполнена всеми оценщиками"] == "нет" and iv["Год рождения"] == 1985
    assert ws["F2"].number_format == "0.0%"
    summ = analytics.summary(session, camp.id)
    muni = list(wb["Муниципалитет"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in muni][-1] == "Итого" and len(muni) == 6
    total = muni[-1]
    assert total[1] == summ.total.n and total[2] == pytest.approx(summ.total.mean / 100)
    assert list(total[4::2]) == [summ.total.levels[lv] for lv in scoring.LEVELS]
    assert list(total[5::2]) == pytest.approx([summ.total.share(lv) / 100 for lv in scoring.LEVELS])
    first = muni[0]
    assert first[0] == "1. Предметно-методологическая" and first[1] == summ.competences[1].n
    by_school = {r[0]: r for r in wb["По школам"].iter_rows(min_row=2, values_only=True)}
    assert set(by_school) == {SHERKALY, UNYUGAN}
    assert by_school[SHERKALY][1] == 2 and by_school[UNYUGAN][1] == 1


def test_export_refuses_unknown_campaign(session, tmp_path):
    with pytest.raises(files.DiagnosticsError, match="Диагностика с кодом 42 не найдена"):
        files.export_results(session, 42, tmp_path / "x.xlsx")


# --- the printable blank card ---------------------------------------------------------------------------------------


def _docx_text(path) -> str:
    d = DocxDocument(str(path))
    texts = [p.text for p in d.paragraphs]
    for t in d.tables:
        texts += [c.text for r in t.rows for c in r.cells]
    return "\n".join(texts)


def _grid(path):
    d = DocxDocument(str(path))
    return next(t for t in d.tables if t.rows[0].cells[0].text == "№")


def test_blank_card_docx(session, world, tmp_path):
    path = files.blank_card_docx(session, tmp_path / "карта.docx")
    text = _docx_text(path)
    for label in files.CARD_FIELDS.values():
        if label != "Год рождения":
            assert label + ":" in text
    assert "ДИАГНОСТИЧЕСКАЯ КАРТА" in text and "Инструкция:" in text and "Тезаурус" in text
    assert "Валеологическая компетентность педагога" in text
    grid = _grid(path)
    assert [c.text for c in grid.rows[0].cells] == [
        "№",
        "Критерии",
        "Самооценка",
        "Руководитель\nШМО",
        "Заместитель\nдиректора по УВР",
    ]
    codes = [r.cells[0].text for r in grid.rows if r.cells[0].text in CODES]
    assert codes == CODES  # 16 criterion rows
    assert sum(1 for r in grid.rows if r.cells[0].text.rstrip(".").isdigit()) == 5  # competence rows
    last = [[c.text for c in r.cells] for r in grid.rows[-2:]]
    assert last == [["", "Максимальный балл", "32", "32", "32"], ["", "Итоговый балл", "", "", ""]]
    assert all(c.text == "" for r in grid.rows[1:-2] for c in r.cells[2:])  # nothing scored


def test_blank_card_for_a_person(session, world, tmp_path):
    p = world["people"]["ivanova"]
    path = files.blank_card_docx(session, tmp_path / "карта.docx", world["campaign"].id, p.id)
    text = _docx_text(path)
    assert f"Ф.И.О. участника диагностического исследования: {IVANOVA}" in text
    assert f"Сокращенное наименование образовательной организации: {SHERKALY}" in text
    assert "Должность: учитель" in text and "ivanova@example.ru" in text
    assert "Входная диагностика, 2026/2027 учебный год" in text
    pdf = files.blank_card_docx(session, tmp_path / "карта.pdf", None, p)
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(files.DiagnosticsError, match="Педагог с кодом 999 не найден"):
        files.blank_card_docx(session, tmp_path / "x.docx", None, 999)
