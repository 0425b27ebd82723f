"""Report «Уровень развития профессиональных компетентностей педагогических работников» (seed 003, Приложение 2):
the numbers in the document are those of ``analytics.summary``; the .docx has the competence headings, tables and
pictures; the PDF carries Cyrillic text."""

from __future__ import annotations

import re

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

from moc_desktop.services import schools, staff
from moc_desktop.services.diagnostics import analytics, cards, files, report, scoring
from moc_desktop.services.docs import render
from moc_desktop.services.docs.model import Image, Table

YEAR = "2026/2027"
A, B, C = "МКОУ «Шеркальская СОШ»", "МКОУ «Уньюганская СОШ № 1»", "МБОУ «Андринская СОШ»"
COMPETENCES = [
    "Предметно-методологическая компетентность",
    "Психолого-педагогическая компетентность",
    "Валеологическая компетентность",
    "Коммуникативная компетентность",
    "Управленческая компетентность",
]


def every(tpl, value, **over):
    return {c: over.get("c" + c.replace(".", "_"), value) for c in tpl.codes}


@pytest.fixture
def world(session):
    a = schools.save_school(session, {"short_name": A})
    b = schools.save_school(session, {"short_name": B})
    c = schools.save_school(session, {"short_name": C})
    schools.set_statuses(session, a, [{"school_year": YEAR, "status_code": "shnor"}])
    schools.set_statuses(session, b, [{"school_year": YEAR, "status_code": "shnsu"}])
    camp = cards.save_campaign(
        session,
        {
            "title": "Входная диагностика",
            "school_year": YEAR,
            "stage": "entry",
            "school_ids": [a.id, b.id, c.id],
        },
    )
    tpl = cards.template(session)
    specs = [
        (a, "Алексеева", {r: every(tpl, 2) for r in scoring.RATERS}),
        (a, "Борисова", {"self": every(tpl, 2), "shmo": every(tpl, 1), "deputy": every(tpl, 1)}),
        (
            a,
            "Васильева",
            {
                "self": every(tpl, 1),
                "shmo": every(tpl, 2, c1_3=0),
                "deputy": every(tpl, 2, c1_3=0, c3_2=0),
            },
        ),
        (
            b,
            "Григорьева",
            {"self": every(tpl, 2), "deputy": every(tpl, 2, c5_1=0, c5_2=0, c5_3=0, c5_4=0, c5_5=0)},
        ),
        (b, "Дмитриева", {"self": every(tpl, 1)}),
        (c, "Егорова", {"shmo": every(tpl, 2, c1_3=0)}),
        (c, "Жукова", {"self": every(tpl, 2)}),
    ]
    for school, last, scores in specs:
        p = staff.save_person(session, {"last_name": last, "first_name": "Анна", "school_id": school.id})
        cards.save_card(session, camp, p.id, scores)
    empty = cards.save_campaign(session, {"title": "Итоговая", "school_year": YEAR, "stage": "final"})
    session.commit()
    return {"a": a, "b": b, "c": c, "campaign": camp, "empty": empty}


def pct(v: float) -> str:
    return f"{v:.1f}".replace(".", ",") + "\u00a0%"  # a no-break space: «77,8 %» stays on one line


def level_cells(st: analytics.Stat) -> list[str]:
    return [f"{st.levels[lv]} ({pct(st.share(lv))})" for lv in scoring.LEVELS]


def stat_row(name: str, st: analytics.Stat) -> list[str]:
    return [name, str(st.n), *level_cells(st), f"{st.mean:.1f}".replace(".", ",")]


def docx_tables(path) -> list[list[list[str]]]:
    d = DocxDocument(str(path))
    return [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]


def docx_paragraphs(path) -> list[str]:
    return [p.text for p in DocxDocument(str(path)).paragraphs]


def test_numbers_equal_analytics_summary(session, world, tmp_path):
    camp = world["campaign"]
    doc = report.level_report(session, camp.id, "all")
    out = render.write(doc, "report", tmp_path / "уровень.docx").path
    summ = analytics.summary(session, camp.id)
    per_school = analytics.summary_by_school(session, camp.id)
    assert summ.cards == 7
    paragraphs = docx_paragraphs(out)
    text = "\n".join(paragraphs)
    for i, heading in enumerate(COMPETENCES, start=1):
        assert f"{i}. {heading}" in paragraphs
    assert "6. Общий уровень профессиональной компетентности" in paragraphs
    for lv in ("ОПТИМАЛЬНЫЙ УРОВЕНЬ 80–100 %", "ДОСТАТОЧНЫЙ УРОВЕНЬ 70–79 %", "КРИТИЧЕСКИЙ УРОВЕНЬ 0–69 %"):
        assert lv in text
    tables = [t for t in docx_tables(out) if t[0][0] in ("Образовательная организация", "Компетентность")]
    assert len(tables) == 7  # 5 competences, levels by competence, total by school
    for n in range(1, 6):
        st = summ.competences[n]
        assert tables[n - 1][-1] == stat_row("Всего", st)
        schools_rows = {r[0]: r for r in tables[n - 1][1:-1]}
        assert set(schools_rows) == {A, B, C}
        for _sid, name, s in per_school:
            if s.competences[n].n:
                assert schools_rows[name] == stat_row(name, s.competences[n])
        shares = [pct(st.share(lv)) for lv in scoring.LEVELS]
        sentence = (
            f"Оптимальный уровень — {st.levels['optimal']} "
            f"{report.plural(st.levels['optimal'], 'педагог', 'педагога', 'педагогов')} ({shares[0]}); "
            f"достаточный уровень — {st.levels['sufficient']} "
        )
        assert any(p.startswith(sentence) for p in paragraphs), sentence
        assert f"Средний показатель по компетентности — {pct(st.mean)}" in text
    by_comp = tables[5]
    assert by_comp[-1] == stat_row("Карта в целом", summ.total)
    assert [r[0] for r in by_comp[1:-1]] == [
        "1. Предметно-методологическая",
        "2. Психолого-педагогическая",
        "3. Валеологическая",
        "4. Коммуникативная",
        "5. Управленческая",
    ]
    assert tables[6][-1] == stat_row("Всего", summ.total)
    # the gap paragraph
    assert f"Средний результат самооценки — {pct(summ.self_mean)}" in text
    assert (
        f"внешней оценки (руководитель ШМО, заместитель директора по УВР) — {pct(summ.external_mean)}" in text
    )
    assert f"У {summ.gap_signals} педагог" in text and summ.gap_signals >= 1
    # the deficits: 1.3 twice (Васильева, Егорова), then 3.2 and 5.1–5.5 once each
    deficits = next(t for t in docx_tables(out) if t[0][1] == "Критерий")
    assert deficits[1] == ["1.", "1.3 ИКТ- компетентность", "Предметно-методологическая", "2", "28,6"]
    assert [r[1].split()[0] for r in deficits[1:]] == ["1.3", "3.2", "5.1", "5.2", "5.3", "5.4", "5.5"]
    assert f"«ИКТ- компетентность» — 2 педагога ({pct(28.57)})" in text


def test_docx_has_pictures_and_numbered_captions(session, world, tmp_path):
    doc = report.level_report(session, world["campaign"].id, "all")
    images = [b for b in doc.body if isinstance(b, Image)]
    assert len(images) == 7  # a chart per competence, levels by competence, total by school
    assert [img.caption.split(" — ")[0] for img in images] == [f"Рисунок {i}" for i in range(1, 8)]
    assert sum(isinstance(b, Table) for b in doc.body) == 8
    out = render.write(doc, "report", tmp_path / "уровень.docx").path
    d = DocxDocument(str(out))
    assert len(d.inline_shapes) == 7
    captions = [p.text for p in d.paragraphs if re.match(r"^Таблица \d+$", p.text)]
    assert captions == [f"Таблица {i}" for i in range(1, 9)]


@pytest.mark.parametrize(
    ("group", "names"),
    [("low", {A, B}), ("shnor", {A}), ("all", {A, B, C})],
)
def test_groups_of_schools(session, world, group, names):
    camp = world["campaign"]
    doc = report.level_report(session, camp.id, group)
    ids = analytics.group_school_ids(session, group, YEAR)
    summ = analytics.summary(session, camp.id, ids)
    first = next(b for b in doc.body if isinstance(b, Table))
    assert {r[0] for r in first.rows[:-1]} == names
    assert first.rows[-1] == stat_row("Всего", summ.competences[1])
    assert f"Участники диагностики — {summ.cards} педагог" in doc.all_text()


def test_chosen_schools(session, world):
    camp = world["campaign"]
    doc = report.level_report(session, camp.id, "chosen", [world["c"].id])
    first = next(b for b in doc.body if isinstance(b, Table))
    assert [r[0] for r in first.rows] == [C, "Всего"]  # one school: no «Всего» bar, but the total row
    summ = analytics.summary(session, camp.id, [world["c"].id])
    assert first.rows[-1] == stat_row("Всего", summ.competences[1])
    assert "выбранных общеобразовательных организаций" in doc.title


def test_no_cards_and_refusals(session, world):
    doc = report.level_report(session, world["empty"].id, "all")
    assert "Диагностических карт педагогов общеобразовательных организаций в этой диагностике нет." in (
        doc.all_text()
    )
    assert not any(isinstance(b, Table | Image) for b in doc.body)
    with pytest.raises(files.DiagnosticsError, match="Неизвестная группа"):
        report.level_report(session, world["campaign"].id, "best")
    with pytest.raises(files.DiagnosticsError, match="хотя бы одну школу"):
        report.level_report(session, world["campaign"].id, "chosen")
    with pytest.raises(files.DiagnosticsError, match="не найдена"):
        report.level_report(session, 999)


def test_title_and_decimal_comma(session, world):
    doc = report.level_report(session, world["campaign"].id, "low")
    assert doc.title.startswith(
        "Уровень развития профессиональных компетентностей педагогических работников школ"
    )
    assert "(входная диагностика, 2026/2027 учебный год)" in doc.title
    numbers = re.findall(r"\d+[.,]\d+[ \u00a0]%", doc.all_text())
    assert numbers and all("," in n for n in numbers)


def test_gap_text_cases():
    s = analytics.summarize([], "x")
    assert "нельзя" in report.gap_text(s)
    rows = [(80.0, 80, 80, 80, 80, 80, 90.0, 60.0, True), (50.0, 50, 50, 50, 50, 50, 40.0, 50.0, True)]
    text = report.gap_text(analytics.summarize(rows, "x"))
    assert f"Средний результат самооценки — {pct(65)}" in text and f"— {pct(55)}" in text
    assert "выше внешней оценки на 10,0 п.п." in text and "У 1 педагога самооценка превышает" in text


def test_pdf_has_cyrillic_text_and_charts(session, world, tmp_path):
    out = report.write_level_report(session, world["campaign"].id, tmp_path / "уровень.pdf", "all")
    reader = PdfReader(str(out))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Предметно-методологическая компетентность" in text
    assert "Оптимальный уровень —" in text and "КРИТИЧЕСКИЙ УРОВЕНЬ" in text
    assert sum(len(p.images) for p in reader.pages) == 7
