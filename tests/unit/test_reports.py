"""«Аналитическая справка» (services.docs.reports) and its charts (services.docs.charts) on a database filled
through the services: statuses over two school years, monitoring and staff quality indicators (seed 003 Table 3),
ИОР (seed 003 Table 2)."""

from __future__ import annotations

import io
import struct
from datetime import date

import pytest
from PIL import Image as PILImage
from pypdf import PdfReader

from moc_desktop.services import schools, settings
from moc_desktop.services.docs import charts, render, reports
from moc_desktop.services.docs.model import Image, Para, Signature, Table

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
Y1, Y2 = "2023/2024", "2024/2025"
CHEM, UNY, SHER = "МКОУ «Чемашинская СОШ»", "МКОУ «Уньюганская СОШ № 1»", "МКОУ «Шеркальская СОШ»"
KARYM, PEREG = "МКОУ «Карымкарская СОШ»", "МКОУ «Перегребинская СОШ № 1»"

# seed 003 Table 3 (percent) with head counts
STAFF = {
    UNY: {
        "sq_total": 21,
        "sq_higher": 95.2,
        "sq_higher_ped": 95.2,
        "sq_spo": 4.7,
        "sq_spo_ped": 2.2,
        "sq_cat_high": 45.2,
        "sq_cat_first": 33.3,
        "sq_exp_lt5": 4,
        "sq_exp_gt30": 31.5,
        "sq_age_lt30": 7.1,
        "sq_age_55": 22.2,
    },
    CHEM: {
        "sq_total": 11,
        "sq_higher": 63.6,
        "sq_higher_ped": 63.6,
        "sq_spo": 36.3,
        "sq_spo_ped": 36.3,
        "sq_cat_high": 18,
        "sq_cat_first": 54.5,
        "sq_exp_lt5": 0,
        "sq_exp_gt30": 45.4,
        "sq_age_lt30": 0,
        "sq_age_55": 27.2,
    },
    SHER: {
        "sq_total": 22,
        "sq_higher": 81.8,
        "sq_higher_ped": 81.8,
        "sq_spo": 18.2,
        "sq_spo_ped": 18.2,
        "sq_cat_high": 54.5,
        "sq_cat_first": 31.8,
        "sq_exp_lt5": 4.5,
        "sq_exp_gt30": 68,
        "sq_age_lt30": 4.5,
        "sq_age_55": 68,
    },
}
IOR = {
    CHEM: {2017: 0.472, 2018: 0.473, 2019: 0.406},
    UNY: {2017: 0.566, 2018: 0.395, 2019: 0.468},
    SHER: {2017: 0.519, 2018: 0.459, 2019: 0.531},
}


def fill(session) -> None:
    for k, v in {
        "moc_name": "МКУ «Центр развития образования Октябрьского района»",
        "municipality": "Октябрьский район",
        "region": "Ханты-Мансийский автономный округ – Югра",
        "uo_full_name": "Управление образования и молодежной политики администрации Октябрьского района",
        "place": "п.г.т. Октябрьское",
    }.items():
        settings.set_value(session, k, v)
    sub = schools.SHNOR_SUB_LABELS
    statuses = {
        CHEM: [(Y1, "shnor", sub[0]), (Y2, "shnor", sub[0]), (Y2, "shnsu", "")],
        UNY: [(Y1, "shnor", sub[1]), (Y2, "shnor", sub[1])],
        SHER: [(Y1, "growth", ""), (Y2, "shnor", sub[2])],
        KARYM: [(Y1, "mentor", ""), (Y2, "mentor", "")],
        PEREG: [(Y1, "mentor", ""), (Y2, "leader", "")],
    }
    good_marks = {CHEM: 0.3, UNY: 0.35, SHER: 0.4, KARYM: 0.6, PEREG: 0.7}
    for name, rows in statuses.items():
        s = schools.save_school(session, {"short_name": name})
        schools.set_statuses(
            session,
            s,
            [
                {
                    "school_year": y,
                    "status_code": code,
                    "sub_label": label,
                    "order_number": "448-од" if code == "shnor" and y == Y2 else "",
                    "order_date": date(2020, 5, 25) if code == "shnor" and y == Y2 else None,
                }
                for y, code, label in rows
            ],
        )
        values = {"mon_good_marks": good_marks[name], "mon_vacancies": 2.0 if name == UNY else 0.0}
        values.update({k: float(v) for k, v in STAFF.get(name, {}).items()})
        schools.set_indicators(session, s, Y2, values)
        if name in IOR:
            schools.set_ior(session, s, IOR[name])
    session.commit()


@pytest.fixture
def filled(session):
    fill(session)
    return session


def built(session, kind: str, **params) -> list:
    spec = reports.ReportSpec(school_year=Y2, sections=[reports.new_section(kind)])
    spec.sections[0].params.update(params)
    return reports.section_blocks(session, spec, spec.sections[0], 1)


def tables(blocks) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def rows_by_first(t: Table, col: int = 0) -> dict[str, list[str]]:
    return {r[col]: r for r in t.rows}


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    return struct.unpack(">II", png[16:24])


# --- charts -------------------------------------------------------------------------------------------------------


def test_bar_chart_is_a_png_of_the_requested_size():
    png = charts.bar_chart(["ШНОР", "ШНСУ"], {"2024/2025": [3, 1]}, "Количество школ")
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == (1400, 700)
    small = charts.bar_chart(
        ["Высшее образование педагогической направленности", "Стаж до 5 лет"],
        {"А": [95.2, 4], "Б": [63.6, None], "В": [81.8, 0]},
        "Качество кадрового состава, %",
        y_label="% педагогов",
        percent=True,
        width_px=800,
        height_px=420,
    )
    assert png_size(small) == (800, 420)
    img = PILImage.open(io.BytesIO(small))
    assert img.format == "PNG" and img.size == (800, 420)
    # print resolution: the width covers 16 cm
    assert round(img.info["dpi"][0]) == round(800 / (16 / 2.54))


def test_bar_chart_is_deterministic_and_draws_the_bars():
    args = (["ШНОР", "ШНСУ", "Школа роста"], {"2023/2024": [2, 0, 1], "2024/2025": [3, 1, 0]}, "Статусы")
    a, b = charts.bar_chart(*args), charts.bar_chart(*args)
    assert a == b
    img = PILImage.open(io.BytesIO(a)).convert("RGB")
    colours = {c for _n, c in img.getcolors(1 << 20)}
    first, second = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in charts.PALETTE[:2])
    assert first in colours and second in colours  # one colour per series
    one = PILImage.open(io.BytesIO(charts.bar_chart(["А"], {"Ряд": [1]}, "Один ряд"))).convert("RGB")
    assert second not in {
        c for _n, c in one.getcolors(1 << 20)
    }  # a single series has no second colour (and no legend)


def test_bar_chart_without_data_and_with_bad_series():
    assert charts.bar_chart([], {}, "Пусто").startswith(PNG_SIGNATURE)
    assert charts.bar_chart(["А"], {"Ряд": [None]}, "Нет значений").startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError, match="значений"):
        charts.bar_chart(["А", "Б"], {"Ряд": [1]}, "Не совпадает")


def test_numbers_are_written_the_russian_way():
    assert charts.format_number(0.449) == "0,449"
    assert charts.format_number(95.2, percent=True) == "95,2"
    assert charts.format_number(18.0, percent=True) == "18"
    assert charts.format_number(3) == "3"
    lines = charts.wrap("МКОУ «Уньюганская СОШ № 1»", charts._font(31), 300)
    assert len(lines) == 2 and lines[-1].endswith("№\u00a01»")  # «№ 1» is never split
    # whole numbers (counts of schools) get whole ticks; shares and percents round ones
    assert charts._scale([2.0, 1.0], percent=False) == (0, 2, 1)
    assert charts._scale([12.0, 7.0], percent=False) == (0, 15, 5)
    assert charts._scale([0.449, 0.503], percent=False) == (0, 0.6, 0.2)
    assert charts._scale([95.2, 4.0], percent=True) == (0, 100, 20)
    assert reports.plural(1, "школа", "школы", "школ") == "школа"
    assert reports.plural(3, "школа", "школы", "школ") == "школы"
    assert reports.plural(11, "школа", "школы", "школ") == "школ"
    assert reports.plural(22, "школа", "школы", "школ") == "школы"


# --- section kinds ------------------------------------------------------------------------------------------------


def test_registry_holds_the_section_kinds_of_the_data_we_have():
    assert list(reports.SECTION_KINDS) == ["statuses", "indicators", "staff_quality", "ior", "text"]
    for kind in reports.SECTION_KINDS.values():
        assert kind.title and callable(kind.build)
    assert reports.SECTION_KINDS["ior"].title == "Индекс образовательных результатов (ИОР)"


def test_a_new_section_kind_can_be_registered(filled):
    def build(session, params):
        return [Para(f"Охват наставничеством за {params['school_year']}: 100 %.")]

    kind = reports.SectionKind("mentoring_test", "Охват наставничеством", build, "Вступление.")
    reports.register_section_kind(kind)
    try:
        blocks = built(filled, "mentoring_test")
        assert [b.text() for b in blocks] == [
            "1. Охват наставничеством",
            "Вступление.",
            f"Охват наставничеством за {Y2}: 100 %.",
        ]
    finally:
        del reports.SECTION_KINDS["mentoring_test"]


def test_statuses_section_counts_per_year_chart_and_list(filled):
    blocks = built(filled, "statuses")
    assert blocks[0].text() == "1. Статусы школ" and blocks[0].bold and blocks[0].keep_with_next
    counts, low = tables(blocks)
    assert counts.headers == ["Статус", Y1, Y2]
    rows = rows_by_first(counts)
    assert rows["Школа с низкими образовательными результатами (ШНОР)"][1:] == ["2", "3"]
    assert rows["Школа, функционирующая в неблагоприятных социальных условиях (ШНСУ)"][1:] == ["0", "1"]
    assert rows["Школа-«наставник»"][1:] == ["2", "1"]
    assert rows["Школа роста"][1:] == ["1", "0"]
    assert "Стажировочная площадка" not in rows  # no school ever had it
    assert any(isinstance(b, Image) for b in blocks)
    assert low.headers == ["№ п/п", "Образовательная организация", "Статус", "Примечание", "Приказ"]
    by_name = rows_by_first(low, 1)
    assert list(by_name) == [UNY, CHEM, SHER]
    assert by_name[CHEM][2] == "ШНОР, ШНСУ"
    assert by_name[CHEM][3] == schools.SHNOR_SUB_LABELS[0]
    assert by_name[CHEM][4] == "№ 448-од от 25.05.2020"
    text = "\n".join(b.text() for b in blocks if isinstance(b, Para))
    assert "ШНОР — 3 школы" in text and "ШНСУ — 1 школа" in text


def test_statuses_of_an_earlier_year_stop_at_that_year(filled):
    counts, low = tables(built(filled, "statuses", school_year=Y1, chart=False))
    assert counts.headers == ["Статус", Y1]
    assert [r[1] for r in low.rows] == [UNY, CHEM]
    assert not any(isinstance(b, Image) for b in built(filled, "statuses", chart=False))


def test_indicator_summary_section(filled):
    blocks = built(filled, "indicators")
    (t,) = tables(blocks)
    assert t.headers == ["№ п/п", "Показатель", "Школ с данными", "Среднее", "Максимальное", "Минимальное"]
    rows = rows_by_first(t, 1)
    good = rows["Доля обучающихся, закончивших учебный год на «4», «5»"]
    assert good[2:] == ["5", "0,47", "0,7", "0,3"]
    assert rows["Количество вакансий учителей"][2:] == ["5", "0,4", "2", "0"]
    assert "Доля обучающихся 11-х классов, не получивших аттестаты" not in rows  # no data: not listed
    assert "представили 5 общеобразовательных организаций" in blocks[2].text()
    empty = built(filled, "indicators", school_year="2030/2031")
    assert "нет" in empty[-1].text() and not tables(empty)


def test_staff_quality_section_is_seed_table_3_with_a_grouped_chart(filled):
    blocks = built(filled, "staff_quality")
    assert blocks[0].text() == "1. Качество кадрового состава школ с низкими результатами"
    (t,) = tables(blocks)
    assert t.headers == ["Критерии", f"{UNY} (%)", f"{CHEM} (%)", f"{SHER} (%)"]
    rows = rows_by_first(t)
    assert rows["Общая численность педагогических работников, чел."][1:] == ["21", "11", "22"]
    assert rows["Имеют высшее образование"][1:] == ["95,2", "63,6", "81,8"]
    assert rows["Квалификационная категория «Высшая»"][1:] == ["45,2", "18", "54,5"]
    assert rows["В возрасте от 55 лет"][1:] == ["22,2", "27,2", "68"]
    # two grouped charts (education and categories; experience and age), schools as series
    charts_ = [b for b in blocks if isinstance(b, Image)]
    assert [c.title for c in charts_] == [
        f"Образование и квалификационные категории педагогов, {Y2} учебный год",
        f"Педагогический стаж и возраст педагогов, {Y2} учебный год",
    ]
    assert all(png_size(c.png) == (1400, 700) for c in charts_)
    # the scope «all» lists only schools with staff data; «ШНОР» of the earlier year has no data then
    (t_all,) = tables(built(filled, "staff_quality", scope="all", chart=False))
    assert len(t_all.headers) == 4
    earlier = built(filled, "staff_quality", school_year=Y1)
    assert not tables(earlier) and "нет" in earlier[-1].text()


def test_ior_section_is_seed_table_2(filled):
    blocks = built(filled, "ior")
    (t,) = tables(blocks)
    assert t.headers == [
        "№",
        "Краткое наименование организации",
        "Среднее значение ИОР 2017–2019",
        "Значение ИОР за 2017 год",
        "Значение ИОР за 2018 год",
        "Значение ИОР за 2019 год",
        "Примечание",
    ]
    assert t.rows[0] == ["1.", CHEM, "0,450", "0,472", "0,473", "0,406", schools.SHNOR_SUB_LABELS[0]]
    assert [r[1] for r in t.rows] == [CHEM, UNY, SHER]  # lowest mean first, as in the seed
    assert t.rows[2][-1] == "зона риска"
    assert any(isinstance(b, Image) for b in blocks)
    # in the earlier year Шеркальская was not ШНОР
    (t1,) = tables(built(filled, "ior", school_year=Y1, chart=False))
    assert [r[1] for r in t1.rows] == [CHEM, UNY]


def test_text_section_is_heading_and_paragraphs(filled):
    spec = reports.ReportSpec(
        school_year=Y2, sections=[reports.SectionSpec("text", "Выводы", "Первый.\n\nВторой.")]
    )
    blocks = reports.section_blocks(filled, spec, spec.sections[0], 4)
    assert [b.text() for b in blocks] == ["4. Выводы", "Первый.", "Второй."]
    assert blocks[1].first_line_indent and blocks[1].align == "justify"


# --- the report ---------------------------------------------------------------------------------------------------


def report_spec(session) -> reports.ReportSpec:
    spec = reports.default_spec(session, today=date(2025, 5, 25))
    spec.author_post = "Директор МКУ «ЦРО»"
    spec.author_name = "Иванова Мария Петровна"
    return spec


def test_default_spec_takes_the_latest_year_and_all_sections(filled):
    spec = reports.default_spec(filled, today=date(2025, 5, 25))
    assert spec.school_year == Y2 and spec.subtitle == f"за {Y2} учебный год"
    assert [s.kind for s in spec.sections] == ["statuses", "indicators", "staff_quality", "ior", "text"]
    assert spec.title.startswith("Аналитическая справка")


def test_build_report_requisites_numbering_and_signature(filled):
    doc = reports.build_report(filled, report_spec(filled))
    assert doc.kind == "АНАЛИТИЧЕСКАЯ СПРАВКА"
    assert doc.org_lines == ["МКУ «Центр развития образования Октябрьского района»"]
    assert doc.date_text == "25 мая 2025 г." and doc.place == "п.г.т. Октябрьское"
    assert doc.title == f"о работе со школами с низкими образовательными результатами\nза {Y2} учебный год"
    headings = [b.text() for b in doc.body if isinstance(b, Para) and b.bold and b.text()[:1].isdigit()]
    assert headings == [
        "1. Статусы школ",
        "2. Показатели мониторинга",
        "3. Качество кадрового состава школ с низкими результатами",
        "4. Индекс образовательных результатов (ИОР)",
        "5. Выводы и предложения",
    ]
    captions = [b.text() for b in doc.body if isinstance(b, reports.TableCaption)]
    assert captions == [f"Таблица {i}" for i in range(1, len(captions) + 1)] and len(captions) == 5
    figures = [b.caption for b in doc.body if isinstance(b, Image)]
    assert figures[0].startswith("Рисунок 1 — ") and figures[-1].startswith(f"Рисунок {len(figures)} — ")
    assert doc.signatures == [Signature("Директор МКУ «ЦРО»", "М.П. Иванова")]
    assert doc.file_stem == "Аналитическая справка 2024-2025"


def test_report_renders_to_docx_with_headings_and_pictures(filled, tmp_path):
    import docx

    doc = reports.build_report(filled, report_spec(filled))
    out = render.write(doc, "report", tmp_path / "справка.docx").path
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in texts
    for heading in ("1. Статусы школ", "3. Качество кадрового состава школ с низкими результатами"):
        assert heading in texts
    assert len(d.inline_shapes) == sum(isinstance(b, Image) for b in doc.body) >= 3
    cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
    assert "95,2" in cells and CHEM in cells


def test_report_renders_to_pdf(filled, tmp_path):
    doc = reports.build_report(filled, report_spec(filled))
    out = render.write(doc, "report", tmp_path / "справка.pdf").path
    reader = PdfReader(str(out))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in text
    assert "1. Статусы школ" in text and "4. Индекс образовательных результатов (ИОР)" in text
    assert "М.П. Иванова" in text
    assert any(p.images for p in reader.pages)


def test_spec_json_round_trip_and_tolerance(filled):
    spec = report_spec(filled)
    spec.sections[1].params["school_year"] = Y1
    spec.sections.append(
        reports.SectionSpec("diagnostics", "Диагностика", "Будет позже.", {"stage": "input"})
    )
    again = reports.spec_from_json(reports.spec_to_json(spec))
    assert again == spec
    assert reports.spec_from_json(reports.spec_to_dict(spec)) == spec
    # a kind this version does not know prints its heading and text
    doc = reports.build_report(filled, again)
    assert "6. Диагностика" in doc.all_text() and "Будет позже." in doc.all_text()
    assert (
        reports.spec_from_json('{"sections": [{"title": "без вида"}], "date": "вчера"}')
        == reports.ReportSpec()
    )
    with pytest.raises(ValueError):
        reports.spec_from_json("[1, 2]")
    with pytest.raises(ValueError):
        reports.spec_from_json("не JSON")


def test_last_spec_is_remembered_in_settings(filled):
    assert reports.load_last_spec(filled) is None
    spec = report_spec(filled)
    reports.remember_spec(filled, spec)
    filled.commit()
    assert reports.load_last_spec(filled) == spec
    assert settings.get_json(filled, "report.last_spec")["sections"][0]["kind"] == "statuses"
    settings.put_json(filled, "report.last_spec", "мусор")
    assert reports.load_last_spec(filled) is None
