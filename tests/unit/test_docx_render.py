""".docx and PDF of a registered order (services.docs.render / docx_render / pdf_render / templates), opened back
with python-docx and pypdf: ГОСТ Р 7.0.97-2025 page set-up, the bundled serif font, page numbers from page 2,
requisites in order, appendices on new pages with repeated table headers, a 1 000-row appendix, editable
templates with a fallback to the built-in one."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from moc_desktop.db.engine import open_database, session_scope
from moc_desktop.db.models import OrderDoc
from moc_desktop.services import settings
from moc_desktop.services.docs import orders, render, templates
from moc_desktop.services.docs.fonts import FONT_FAMILY
from moc_desktop.services.docs.model import ApprovalBlock, Document, Item, Para

TITLE = "Об организации наставничества в общеобразовательных организациях"
BIG_ROWS = 1000
A4_W_PT, A4_H_PT = 595.28, 841.89


@dataclass
class Rendered:
    doc: Document
    docx: Path
    pdf: Path
    docx_warnings: list[str]


def _order_data(session) -> dict:
    d = orders.new_order_data(session)
    d.update(
        title=TITLE,
        date=date(2026, 3, 2),
        preamble="В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской "
        "Федерации», в целях развития наставничества,",
        items=[
            {"text": "Утвердить состав пар «наставник – наставляемый»", "appendix": 0},
            {
                "text": "Руководителям общеобразовательных организаций:",
                "children": [{"text": "обеспечить участие педагогов"}, {"text": "представить отчёты"}],
            },
            {"text": "Утвердить список педагогов-участников", "appendix": 1},
        ],
        executor={"name": "Иванова Мария Петровна", "post": "методист МОЦ", "phone": "8(34678) 20-376"},
        appendices=[
            {
                "title": "Состав пар «наставник – наставляемый»",
                "headers": ["№ п/п", "Наставник", "Наставляемый"],
                "rows": [["1", "Иванова М.П.", "Петров И.С."], ["2", "Сидорова А.А.", "Козлов Е.В."]],
                "widths": [1, 6, 6],
            },
            {
                "title": "Список педагогов — участников",
                "headers": ["№ п/п", "ФИО педагога", "Образовательная организация"],
                "rows": [[str(i), f"Педагог {i}", "МКОУ «Шеркальская СОШ»"] for i in range(1, BIG_ROWS + 1)],
                "widths": [1, 6, 8],
            },
        ],
        acquaintance=[{"name": "Иванова М.П.", "post": "методист"}],
    )
    return d


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Rendered:
    """One signed order rendered once to .docx and .pdf (the 1 000-row appendix makes it ~30 pages)."""
    tmp = tmp_path_factory.mktemp("order-render")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOC_DESKTOP_HOME", str(tmp / "home"))  # no user template of the real user
        engine, factory = open_database(f"sqlite:///{tmp / 'db.sqlite3'}", None)
        try:
            with session_scope(factory) as s:
                for key, (_label, example) in settings.SETTINGS.items():
                    settings.set_value(s, key, example)
                settings.set_value(s, "order_suffix", "-од")
                oid = orders.save_order(s, _order_data(s)).id
            orders.sign_order(factory, oid)
            with factory() as s:
                doc = orders.build_document(s, s.get(OrderDoc, oid))
        finally:
            engine.dispose()
        started = time.perf_counter()
        result = render.write(doc, "order", tmp / "order.docx")
        docx_s = time.perf_counter() - started
        started = time.perf_counter()
        render.write(doc, "order", tmp / "order.pdf")
        pdf_s = time.perf_counter() - started
    print(f"\nrender of an order with a {BIG_ROWS}-row appendix: .docx {docx_s:.2f} s, .pdf {pdf_s:.2f} s")
    return Rendered(doc, tmp / "order.docx", tmp / "order.pdf", result.warnings)


def texts_in_body(path: Path) -> list[tuple[str, str, object]]:
    """(tag «p»/«tbl», text, element) of the body's children in document order."""
    body = open_docx(str(path)).element.body
    out = []
    for el in body.iterchildren():
        tag = el.tag.rsplit("}", 1)[1]
        if tag in ("p", "tbl"):
            out.append((tag, "".join(t.text or "" for t in el.iter(qn("w:t"))), el))
    return out


def first_index(elements, predicate, start: int = 0) -> int:
    for i in range(start, len(elements)):
        if predicate(elements[i]):
            return i
    raise AssertionError("not found")


def has_page_break(el) -> bool:
    brs = [b for b in el.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
    return bool(brs) or el.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None


# --- .docx: page set-up, font, page numbers ---------------------------------------------------------------------


def test_docx_page_setup(rendered):
    assert rendered.docx_warnings == []
    d = open_docx(str(rendered.docx))
    for sec in d.sections:
        assert abs(sec.page_width - Mm(210)) <= Mm(0.5) and abs(sec.page_height - Mm(297)) <= Mm(0.5)
        assert abs(sec.left_margin - Mm(20)) <= Mm(0.1)
        assert abs(sec.right_margin - Mm(10)) <= Mm(0.1)
        assert abs(sec.top_margin - Mm(20)) <= Mm(0.1)
        assert abs(sec.bottom_margin - Mm(20)) <= Mm(0.1)


def test_docx_page_numbers_from_page_two_top_centre(rendered):
    d = open_docx(str(rendered.docx))
    assert len(d.sections) == 1
    sec = d.sections[0]
    assert sec.different_first_page_header_footer is True  # <w:titlePg/>
    # read the header parts through the section's references: python-docx's ``first_page_header._element``
    # would *create* a missing first-page header and hide what the file really says
    refs = {r.get(qn("w:type")): r.get(qn("r:id")) for r in sec._sectPr.findall(qn("w:headerReference"))}
    default_xml = d.part.related_parts[refs["default"]].element.xml
    assert re.search(r"<w:instrText[^>]*>\s*PAGE\s*</w:instrText>", default_xml), default_xml
    page_par = next(p for p in sec.header.paragraphs if "PAGE" in p._p.xml)
    assert page_par.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER
    # page 1: either its own header without a number, or none (titlePg in the first section → a blank header)
    if "first" in refs:
        assert "PAGE" not in d.part.related_parts[refs["first"]].element.xml
    footers = [r.get(qn("r:id")) for r in sec._sectPr.findall(qn("w:footerReference"))]
    assert all("PAGE" not in d.part.related_parts[rid].element.xml for rid in footers)


def test_docx_font_is_the_bundled_serif(rendered):
    d = open_docx(str(rendered.docx))
    normal = d.styles["Normal"]
    assert normal.font.name == FONT_FAMILY
    assert 12 <= normal.font.size.pt <= 14
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:hAnsi")) == FONT_FAMILY and rfonts.get(qn("w:cs")) == FONT_FAMILY

    body = d.element.body
    runs = [r for r in body.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]
    assert len(runs) > BIG_ROWS
    for r in runs:
        f = r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if f is not None:  # a run without its own rFonts inherits Normal's
            assert f.get(qn("w:ascii")) == FONT_FAMILY, r.xml

    # the main text (before the first appendix) is 12–14 pt; the executor mark may be smaller (10 pt)
    elements = texts_in_body(rendered.docx)
    first_appendix = first_index(elements, lambda e: e[1] == "Приложение 1")
    executor_at = first_index(elements, lambda e: e[1].startswith("Исполнитель"))
    sizes = []
    for _tag, _text, el in elements[: min(first_appendix, executor_at)]:
        for r in el.iter(qn("w:r")):
            sz = r.find(f"{qn('w:rPr')}/{qn('w:sz')}")
            if sz is not None and "".join(t.text or "" for t in r.iter(qn("w:t"))).strip():
                sizes.append(int(sz.get(qn("w:val"))) / 2)
    assert sizes and all(12 <= s <= 16 for s in sizes), sizes  # 16 pt: the document kind «П Р И К А З»
    assert sum(1 for s in sizes if 12 <= s <= 14) >= len(sizes) - 1


# --- .docx: requisites and text in order --------------------------------------------------------------------------


def test_docx_requisites_in_order(rendered):
    elements = texts_in_body(rendered.docx)
    texts = [t for _tag, t, _el in elements]

    def at(predicate, start=0):
        return first_index(elements, lambda e: predicate(e[0], e[1]), start)

    org1 = at(lambda tag, t: t == "Администрация Октябрьского района")
    org2 = at(lambda tag, t: t == "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ")
    kind = at(lambda tag, t: t == "П Р И К А З")
    date_number = at(lambda tag, t: tag == "tbl" and "« 2 » марта 2026 г." in t and "№ 1-од" in t)
    place = at(lambda tag, t: t == "п.г.т. Октябрьское")
    title = at(lambda tag, t: t == TITLE)
    preamble = at(lambda tag, t: t.startswith("В соответствии с Федеральным законом"))
    orders_word = at(lambda tag, t: t == "ПРИКАЗЫВАЮ:")
    item1 = at(lambda tag, t: t.startswith("1. Утвердить состав пар"))
    item2 = at(lambda tag, t: t == "2. Руководителям общеобразовательных организаций:")
    item21 = at(lambda tag, t: t.startswith("2.1. обеспечить участие педагогов"))
    item22 = at(lambda tag, t: t.startswith("2.2. представить отчёты"))
    item3 = at(lambda tag, t: t == "3. Утвердить список педагогов-участников (приложение 2).")
    control = at(lambda tag, t: t == "4. Контроль исполнения приказа оставляю за собой.")
    signature = at(lambda tag, t: tag == "tbl" and "Т.Б. Киселева" in t and "Начальник Управления" in t)
    executor = at(lambda tag, t: t == "Исполнитель: методист МОЦ")
    ap1 = at(lambda tag, t: t == "Приложение 1")
    ap2 = at(lambda tag, t: t == "Приложение 2")
    ack = at(lambda tag, t: t.startswith("Лист ознакомления с приказом от 02.03.2026 № 1-од"))
    positions = [
        org1,
        org2,
        kind,
        date_number,
        place,
        title,
        preamble,
        orders_word,
        item1,
        item2,
        item21,
        item22,
        item3,
        control,
        signature,
        executor,
        ap1,
        ap2,
        ack,
    ]
    assert positions == sorted(positions) and len(set(positions)) == len(positions), positions
    assert texts[item1] == "1. Утвердить состав пар «наставник – наставляемый» (приложение 1)."
    assert texts[ap1 + 1] == "к приказу от 02.03.2026 № 1-од"
    assert texts[ap2 + 1] == "к приказу от 02.03.2026 № 1-од"
    assert texts[ap1 + 2] == "Состав пар «наставник – наставляемый»"
    # no template field was left unfilled
    assert not any("{{" in t or "{%" in t for t in texts)


def test_docx_appendices_on_new_pages_with_repeated_headers(rendered):
    elements = texts_in_body(rendered.docx)
    starts = [i for i, (_tag, t, _el) in enumerate(elements) if t in ("Приложение 1", "Приложение 2")]
    starts.append(first_index(elements, lambda e: e[1].startswith("Лист ознакомления")))
    assert len(starts) == 3
    for i in starts:
        before = elements[i - 1][2]
        assert has_page_break(before) or has_page_break(elements[i][2]), elements[i][1]
    # nothing of the main text is on the appendix pages: the first page break comes after the executor
    first_break = first_index(elements, lambda e: has_page_break(e[2]))
    assert first_break > first_index(elements, lambda e: e[1].startswith("Исполнитель"))

    tables = [el for tag, _t, el in elements[starts[0] :] if tag == "tbl"]
    assert len(tables) == 3
    rows_per_table = [len(t.findall(qn("w:tr"))) for t in tables]
    assert rows_per_table == [3, BIG_ROWS + 1, 2]
    for t in tables:
        first_row, *other_rows = t.findall(qn("w:tr"))
        header = first_row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
        assert header is not None and header.get(qn("w:val"), "true") in ("true", "1", "on")
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for r in other_rows[:5])
    big = tables[1]
    header_text = "".join(x.text for x in big.findall(qn("w:tr"))[0].iter(qn("w:t")))
    assert header_text == "№ п/пФИО педагогаОбразовательная организация"
    last_row = "".join(x.text for x in big.findall(qn("w:tr"))[-1].iter(qn("w:t")))
    assert last_row == f"{BIG_ROWS}Педагог {BIG_ROWS}МКОУ «Шеркальская СОШ»"


def test_docx_matches_the_document_model(rendered):
    """Every item of the model is in the file with its number, in the same order."""
    texts = [t for _tag, t, _el in texts_in_body(rendered.docx)]
    items = [f"{b.number} {b.text}" for b in rendered.doc.body if isinstance(b, Item)]
    assert [b.number for b in rendered.doc.body if isinstance(b, Item)] == [
        "1.",
        "2.",
        "2.1.",
        "2.2.",
        "3.",
        "4.",
    ]
    positions = [texts.index(x) for x in items]
    assert positions == sorted(positions)
    assert any(isinstance(b, Para) and b.text() == "ПРИКАЗЫВАЮ:" for b in rendered.doc.body)


def test_docx_approval_block_top_right(tmp_path):
    doc = small_doc()
    doc.approvals = [
        ApprovalBlock("УТВЕРЖДАЮ", ["Директор МКУ «ЦРО»"], "Н.А. Пожарницкая", "« 2 » марта 2026 г.")
    ]
    render.write(doc, "order", tmp_path / "a.docx")
    elements = texts_in_body(tmp_path / "a.docx")
    approval = first_index(elements, lambda e: e[0] == "tbl" and "УТВЕРЖДАЮ" in e[1])
    assert approval < first_index(elements, lambda e: e[1] == "П Р И К А З")
    tbl = open_docx(str(tmp_path / "a.docx")).tables[0]
    left, right = tbl.rows[0].cells
    assert left.text.strip() == ""  # a single block sits in the right half
    assert right.text.split("\n") == [
        "УТВЕРЖДАЮ",
        "Директор МКУ «ЦРО»",
        "_____________ Н.А. Пожарницкая",
        "« 2 » марта 2026 г.",
    ]


# --- PDF --------------------------------------------------------------------------------------------------------


def test_pdf_text_and_fonts(rendered):
    reader = PdfReader(str(rendered.pdf))
    assert len(reader.pages) > 10  # the 1 000-row appendix spans many pages
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4_W_PT) < 1.5 and abs(float(box.height) - A4_H_PT) < 1.5
    first = reader.pages[0].extract_text()
    assert "П Р И К А З" in first or "ПРИКАЗ" in first
    flat = " ".join(first.split())
    assert TITLE in flat
    assert "ПРИКАЗЫВАЮ:" in flat and "№ 1-од" in flat
    assert "Контроль исполнения приказа оставляю за собой." in flat
    everything = "\n".join(p.extract_text() for p in reader.pages)
    assert "Приложение 1" in everything and "Приложение 2" in everything
    assert "к приказу от 02.03.2026 № 1-од" in everything
    assert f"Педагог {BIG_ROWS}" in everything and "Лист ознакомления" in everything
    assert "Шеркальская" in everything

    embedded = set()
    for page in reader.pages[:2]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if desc is not None and ("/FontFile2" in desc.get_object() or "/FontFile" in desc.get_object()):
                embedded.add(str(font["/BaseFont"]))
    assert any("LiberationSerif" in f or "Liberation" in f for f in embedded), embedded


# --- templates a user can edit ----------------------------------------------------------------------------------


def small_doc() -> Document:
    return Document(
        kind="П Р И К А З",
        org_lines=["Администрация Октябрьского района", "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ"],
        date_text="« 2 » марта 2026 г.",
        number_text="№ 5-од",
        place="п.г.т. Октябрьское",
        title="Об утверждении плана",
        body=[Para("ПРИКАЗЫВАЮ:"), Item("1.", "Утвердить план.")],
    )


def docx_text(path: Path) -> str:
    return "\n".join(t for _tag, t, _el in texts_in_body(path))


def add_paragraph(path: Path, text: str) -> None:
    d = open_docx(str(path))
    d.add_paragraph(text)
    d.save(str(path))


def test_copy_for_editing_is_used(data_home, tmp_path):
    builtin, is_user = templates.active_template("order")
    assert not is_user and builtin.exists()
    copy = templates.copy_for_editing("order")
    assert copy == data_home / "templates" / "order.docx" and copy.exists()
    assert templates.active_template("order") == (copy, True)
    assert templates.active_template("protocol")[1] is False  # other kinds untouched

    add_paragraph(copy, "Отметка пользователя {{ number_text }}")
    assert templates.copy_for_editing("order") == copy  # a second call keeps the edited copy
    result = render.write(small_doc(), "order", tmp_path / "out.docx")
    assert result.warnings == []
    text = docx_text(tmp_path / "out.docx")
    assert "Отметка пользователя № 5-од" in text and "Об утверждении плана" in text
    with pytest.raises(KeyError):
        templates.active_template("letter")


def test_unknown_placeholder_falls_back_to_builtin(data_home, tmp_path):
    copy = templates.copy_for_editing("order")
    add_paragraph(copy, "Поле {{ unknown_field }}")
    result = render.write(small_doc(), "order", tmp_path / "out.docx")
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "«unknown_field»" in warning and "order.docx" in warning
    assert "встроенный шаблон" in warning
    assert "title" in warning  # the allowed fields are listed
    text = docx_text(tmp_path / "out.docx")
    assert "Об утверждении плана" in text and "Поле" not in text
    assert copy.exists()  # the user's work is not thrown away


def test_garbage_copy_falls_back(data_home, tmp_path):
    copy = templates.copy_for_editing("order")
    copy.write_bytes(b"this is not a Word file " * 50)
    result = render.write(small_doc(), "order", tmp_path / "out.docx")
    assert len(result.warnings) == 1 and "не открывается" in result.warnings[0]
    assert "Об утверждении плана" in docx_text(tmp_path / "out.docx")


def test_jinja_syntax_error_falls_back(data_home, tmp_path):
    copy = templates.copy_for_editing("order")
    add_paragraph(copy, "Заголовок: {{ title")
    result = render.write(small_doc(), "order", tmp_path / "out.docx")
    assert len(result.warnings) == 1
    assert "order.docx" in result.warnings[0] and "встроенный шаблон" in result.warnings[0]
    assert "Об утверждении плана" in docx_text(tmp_path / "out.docx")


def test_jinja_syntax_error_names_the_field(data_home, tmp_path):
    copy = templates.copy_for_editing("order")
    add_paragraph(copy, "Заголовок: {{ title")
    (warning,) = render.write(small_doc(), "order", tmp_path / "out.docx").warnings
    assert "title" in warning


def test_reset_to_builtin(data_home):
    assert templates.reset_to_builtin("order") is None  # nothing to reset
    copy = templates.copy_for_editing("order")
    add_paragraph(copy, "первая правка")
    bak = templates.reset_to_builtin("order")
    assert bak == data_home / "templates" / "order.docx.bak" and bak.exists() and not copy.exists()
    assert templates.active_template("order") == (templates.builtin_template("order"), False)
    assert "первая правка" in docx_text(bak)
    copy = templates.copy_for_editing("order")  # a fresh copy of the built-in one
    assert "первая правка" not in docx_text(copy)
    add_paragraph(copy, "вторая правка")
    assert templates.reset_to_builtin("order") == bak
    assert "вторая правка" in docx_text(bak)  # the newest copy is kept


def test_unsupported_format_refused(tmp_path):
    for name in ("out.txt", "out", "out.odt"):
        with pytest.raises(render.RenderError) as exc:
            render.write(small_doc(), "order", tmp_path / name)
        message = str(exc.value)
        assert ".docx" in message and ".pdf" in message and "не поддерживается" in message
        assert not (tmp_path / name).exists()
    assert render.write(small_doc(), "order", tmp_path / "UPPER.DOCX").path.exists()


def test_build_refuses_unknown_documents(session):
    with pytest.raises(render.RenderError, match="Приказ с кодом 404 не найден"):
        render.build(session, "order", 404)
    with pytest.raises(render.RenderError, match="Протокол с кодом 404 не найден"):
        render.build(session, "protocol", 404)
    with pytest.raises(render.RenderError, match="Неизвестный вид документа"):
        render.build(session, "letter", 1)
