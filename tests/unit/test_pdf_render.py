"""PDF renderer (services.docs.pdf_render): an order like seed 003 drawn to ГОСТ Р 7.0.97-2025, checked with pypdf."""

from __future__ import annotations

import io
import re
import time

import pytest
from pypdf import PdfReader

from moc_desktop.services.docs import model as m
from moc_desktop.services.docs.fonts import FONT_FAMILY, font_path, register_reportlab_fonts
from moc_desktop.services.docs.pdf_render import render_pdf
from moc_desktop.services.docs.qr import qr_png

A4_W, A4_H = 595.27, 841.89
HEADERS = ["№ п/п", "Ф.И.О. наставника", "Ф.И.О. наставляемого", "Образовательная организация"]
SCHOOLS = [
    "МКОУ «Шеркальская СОШ»",
    "МБОУ «Андринская СОШ»",
    "МКОУ «Карымкарская СОШ»",
    "МКОУ «Малоатлымская СОШ»",
]


def mentor_rows(n: int) -> list[list[str]]:
    return [
        [f"{i}.", f"Иванова Мария Петровна {i}", f"Петров Илья Сергеевич {i}", SCHOOLS[i % len(SCHOOLS)]]
        for i in range(1, n + 1)
    ]


def sample_order(rows: int = 30, qr: bool = True) -> m.Document:
    """The order «Об организации наставничества» with one appendix table of ``rows`` rows."""
    return m.Document(
        kind="П Р И К А З",
        org_lines=["Администрация Октябрьского района", "Управление образования и молодежной политики"],
        date_text="« 25 » мая 2020 г.",
        number_text="№ 448-од",
        place="п.г.т. Октябрьское",
        title="Об организации наставничества в общеобразовательных организациях Октябрьского района",
        body=[
            m.Para(
                "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской "
                "Федерации», распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 "
                "«Об утверждении методологии (целевой модели) наставничества обучающихся», в целях развития "
                "системы наставничества в образовательных организациях Октябрьского района,"
            ),
            m.Para("ПРИКАЗЫВАЮ:", align="left", first_line_indent=False, space_before=6, space_after=6),
            m.Item(
                "1.",
                "Утвердить состав пар «наставник – наставляемый» на 2020 – 2021 учебный год (приложение 1).",
            ),
            m.Item(
                "2.", "Муниципальному казенному учреждению «Центр развития образования Октябрьского района»:"
            ),
            m.Item(
                "2.1.",
                "обеспечить методическое сопровождение наставников в течение учебного года, включая "
                "консультации, семинары и обобщение опыта работы <лучших> практик & проектов;",
                level=1,
            ),
            m.Item("3.", "Контроль исполнения приказа оставляю за собой."),
        ],
        signatures=[
            m.Signature(
                "Заместитель главы Октябрьского района\nпо социальным вопросам, начальник Управления",
                "Т.Б. Киселева",
            )
        ],
        executor_lines=[
            "Исполнитель:",
            "директор МКУ «Центр развития образования Октябрьского района»",
            "Наталья Анатольевна Пожарницкая, т. 8(34678) 20-376",
        ],
        appendices=[
            m.Appendix(
                label="Приложение 1",
                reference="к приказу Управления образования и молодежной политики от 25.05.2020 № 448-од",
                title="Состав пар «наставник – наставляемый» на 2020 – 2021 учебный год",
                blocks=[m.Table(headers=HEADERS, rows=mentor_rows(rows), widths=[1, 4, 4, 5])],
            )
        ],
        qr_text="Приказ № 448-од от 25.05.2020; Управление образования и молодежной политики" if qr else "",
        file_stem="Приказ 448-од",
    )


@pytest.fixture(scope="module")
def order_pdf() -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(sample_order())))


def page_texts(reader: PdfReader) -> list[str]:
    return [p.extract_text() or "" for p in reader.pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def image_count(page) -> int:
    xobjects = page["/Resources"].get_object().get("/XObject")
    if xobjects is None:
        return 0
    xobjects = xobjects.get_object()
    return sum(1 for name in xobjects if xobjects[name].get_object().get("/Subtype") == "/Image")


def test_fonts_and_qr_helpers():
    assert FONT_FAMILY == "Liberation Serif"
    for style in ("regular", "bold", "italic", "bolditalic"):
        assert font_path(style).is_file()
    assert register_reportlab_fonts() == register_reportlab_fonts() == FONT_FAMILY  # idempotent
    png = qr_png("№ 448-од от 25.05.2020")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(qr_png("x", scale=8)) > len(qr_png("x", scale=2))


def test_writes_file_and_returns_bytes(tmp_path):
    target = tmp_path / "приказ.pdf"
    data = render_pdf(sample_order(rows=3), target)
    assert data.startswith(b"%PDF-")
    assert target.read_bytes() == data


def test_pages_are_a4(order_pdf):
    assert len(order_pdf.pages) >= 2
    for page in order_pdf.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4_W, abs=1)
        assert float(box.height) == pytest.approx(A4_H, abs=1)


def test_requisites_in_gost_order(order_pdf):
    first = flat(page_texts(order_pdf)[0])
    marks = [
        "Администрация Октябрьского района",
        "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ",
        "П Р И К А З",
        "« 25 » мая 2020 г.",
        "№ 448-од",
        "п.г.т. Октябрьское",
        "Об организации наставничества",
        "В соответствии с Федеральным законом",
        "ПРИКАЗЫВАЮ:",
        "2.1.",
        "Контроль исполнения приказа",
        "Т.Б. Киселева",
        "Исполнитель:",
    ]
    positions = [first.find(mark) for mark in marks]
    assert all(p >= 0 for p in positions), dict(zip(marks, positions, strict=True))
    assert positions == sorted(positions)
    assert "<лучших> практик & проектов" in first  # escaped markup characters print as text


def test_page_numbers_from_page_two(order_pdf):
    texts = page_texts(order_pdf)
    assert not texts[0].lstrip().startswith("1")
    assert texts[0].lstrip().startswith("Администрация")
    for number, text in enumerate(texts[1:], start=2):
        assert text.lstrip().split()[0] == str(number)


def test_embedded_fonts_are_liberation_serif(order_pdf):
    names = set()
    for page in order_pdf.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts or {}).values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            if font.get("/FontDescriptor") is not None:
                descriptor = font["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile2", "/FontFile", "/FontFile3"))  # embedded
    assert names
    assert all("LiberationSerif" in n for n in names), names
    assert any("Bold" in n for n in names)


def test_appendix_starts_on_new_page(order_pdf):
    texts = page_texts(order_pdf)
    starts = [i for i, t in enumerate(texts) if "Приложение 1" in t]
    assert len(starts) == 1 and starts[0] >= 1
    page = starts[0]
    lines = texts[page].split("\n")
    assert lines[0].strip() == str(page + 1)  # the page number, then the appendix label
    assert lines[1].strip().startswith("Приложение 1")
    assert "Т.Б. Киселева" not in texts[page]
    assert "к приказу Управления образования" in flat(texts[page])
    assert "30." in texts[-1]  # the whole table is there


def test_qr_on_first_page_only(order_pdf):
    counts = [image_count(p) for p in order_pdf.pages]
    assert counts[0] == 1
    assert all(c == 0 for c in counts[1:])
    plain = PdfReader(io.BytesIO(render_pdf(sample_order(rows=3, qr=False))))
    assert image_count(plain.pages[0]) == 0


def test_metadata(order_pdf):
    meta = order_pdf.metadata
    assert "ПРИКАЗ" in meta.title and "448-од" in meta.title
    assert "Администрация Октябрьского района" in meta.author


def test_long_table_repeats_header_on_every_page():
    reader = PdfReader(io.BytesIO(render_pdf(sample_order(rows=200))))
    texts = page_texts(reader)
    first = next(i for i, t in enumerate(texts) if "Приложение 1" in t)
    table_pages = texts[first:]
    assert len(table_pages) >= 3
    for text in table_pages:
        assert "Ф.И.О. наставника" in text
        assert "Образовательная организация" in text
    assert "200." in texts[-1]
    body = flat("\n".join(table_pages))
    assert all(f"Петров Илья Сергеевич {i}" in body for i in (1, 57, 123, 200))


def test_blocks_of_every_kind_render():
    doc = sample_order(rows=2, qr=False)
    doc.approvals = [
        m.ApprovalBlock(
            "УТВЕРЖДАЮ",
            ["Директор МКУ «Центр развития", "образования Октябрьского района»"],
            "Н.А. Пожарницкая",
            "« 23 » октября 2017 года",
            "(приказ от 23.10.2017 № 12)",
        )
    ]
    doc.body += [
        m.Para(
            [
                m.Run("Жирный ", bold=True),
                m.Run("курсив ", italic=True),
                m.Run("подчёркнутый", underline=True),
            ]
        ),
        m.Para(""),
        m.Spacer(24),
        m.Image(qr_png("диаграмма", scale=10), width_cm=5, caption="Рисунок 1. Диаграмма"),
        m.PageBreak(),
        m.Table(headers=[], rows=[["а", "б"], ["в"]]),
        m.Para("Справа", align="right", size=12),
    ]
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    text = flat(" ".join(page_texts(reader)))
    assert text.index("УТВЕРЖДАЮ") < text.index("Администрация")
    assert "Н.А. Пожарницкая" in text and "(приказ от 23.10.2017 № 12)" in text
    assert "Рисунок 1. Диаграмма" in text and "Справа" in text
    assert sum(image_count(p) for p in reader.pages) == 1


def test_protocol_title_is_centred():
    doc = m.Document(
        kind="ПРОТОКОЛ", org_lines=["Методический совет"], title="Заседания методического совета"
    )
    doc.body = [m.Para("Присутствовали: 12 человек.")]
    text = flat(PdfReader(io.BytesIO(render_pdf(doc))).pages[0].extract_text())
    assert (
        text.index("ПРОТОКОЛ") < text.index("Заседания методического совета") < text.index("Присутствовали")
    )


def test_row_taller_than_a_page_splits_inside_the_row():
    doc = sample_order(rows=1, qr=False)
    doc.appendices[0].blocks = [
        m.Table(["№", "Текст"], [["1.", "очень длинный текст ячейки " * 400], ["2.", "конец"]])
    ]
    texts = page_texts(PdfReader(io.BytesIO(render_pdf(doc))))
    assert "конец" in texts[-1]
    assert sum("очень длинный" in t for t in texts) >= 2


def test_unknown_block_is_an_error():
    doc = m.Document(kind="ПРИКАЗ", org_lines=["Управление образования"], body=["просто строка"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        render_pdf(doc)


def test_thousand_row_appendix_renders():
    started = time.perf_counter()
    data = render_pdf(sample_order(rows=1000))
    elapsed = time.perf_counter() - started
    reader = PdfReader(io.BytesIO(data))
    print(f"\n1 000-row appendix: {len(reader.pages)} pages, {len(data) / 1024:.0f} KiB, {elapsed:.2f} s")
    assert "1000." in reader.pages[-1].extract_text()
