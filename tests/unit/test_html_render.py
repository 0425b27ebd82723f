"""HTML preview of documents (services.docs.html_render): the layout of the PDF in markup Qt's rich text draws."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from moc_desktop.services.docs import model as m
from moc_desktop.services.docs.html_render import PAGE_BREAK, data_uri, render_html


def order(rows: int = 30) -> m.Document:
    return m.Document(
        kind="П Р И К А З",
        org_lines=["Администрация Октябрьского района", "Управление образования и молодежной политики"],
        date_text="« 25 » мая 2020 г.",
        number_text="№ 448-од",
        place="п.г.т. Октябрьское",
        title="Об организации наставничества",
        approvals=[m.ApprovalBlock("УТВЕРЖДАЮ", ["Глава Октябрьского района"], "А.П. Куташова")],
        body=[
            m.Para("В целях развития системы наставничества в образовательных организациях <района> & школ,"),
            m.Para("ПРИКАЗЫВАЮ:", align="left", first_line_indent=False),
            m.Item("1.", "Утвердить состав пар «наставник – наставляемый» (приложение 1)."),
            m.Item("2.1.", "обеспечить сопровождение;", level=1),
            m.Para([m.Run("Жирный", bold=True), m.Run(" и "), m.Run("курсив", italic=True)]),
            m.Image(b"\x89PNG\r\n\x1a\nfake", width_cm=5, caption="Рисунок 1"),
        ],
        signatures=[m.Signature("Начальник Управления", "Т.Б. Киселева")],
        executor_lines=["Исполнитель: Н.А. Пожарницкая, т. 8(34678) 20-376"],
        appendices=[
            m.Appendix(
                "Приложение 1",
                "к приказу Управления образования от 25.05.2020 № 448-од",
                "Состав пар",
                [
                    m.Table(
                        ["№ п/п", "Наставник", "Наставляемый"],
                        [[f"{i}.", f"Иванова М.П. {i}", f"Петров И.С. {i}"] for i in range(1, rows + 1)],
                        widths=[1, 3, 3],
                    )
                ],
            )
        ],
        qr_text="Приказ № 448-од от 25.05.2020",
    )


class _Checker(HTMLParser):
    """Collects tags and text; fails on an end tag that closes nothing open."""

    VOID = {"br", "hr", "img", "meta"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    return checker


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(order())


def test_well_formed_and_text_in_order(html):
    body = html[html.index("<body") : html.index("</body>") + len("</body>")]
    text = re.sub(r"\s+", " ", " ".join(parse(body).text))
    parse(html)
    marks = [
        "УТВЕРЖДАЮ",
        "Администрация Октябрьского района",
        "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ",
        "П Р И К А З",
        "« 25 » мая 2020 г.",
        "№ 448-од",
        "п.г.т. Октябрьское",
        "Об организации наставничества",
        "ПРИКАЗЫВАЮ:",
        "Т.Б. Киселева",
        "Исполнитель:",
        "Приложение 1",
        "Состав пар",
        "Петров И.С. 30",
    ]
    positions = [text.find(mark) for mark in marks]
    assert all(p >= 0 for p in positions), dict(zip(marks, positions, strict=True))
    assert positions == sorted(positions)


def test_text_is_escaped(html):
    assert "&lt;района&gt; &amp; школ" in html
    assert "<района>" not in html
    assert "<b>Жирный</b>" in html and "<i>курсив</i>" in html


def test_org_lines_and_requisites(html):
    assert (
        '<p align="center" style="margin-top:0; margin-bottom:0;">Администрация Октябрьского района</p>'
        in html
    )
    assert "<b>УПРАВЛЕНИЕ ОБРАЗОВАНИЯ И МОЛОДЕЖНОЙ ПОЛИТИКИ</b>" in html
    assert re.search(
        r'<td width="50%" align="left">« 25 » мая 2020 г\.</td>\s*<td width="50%" align="right">№ 448-од</td>',
        html,
    )
    assert "font-family:'Liberation Serif', 'Times New Roman', serif" in html
    assert 'align="justify"' in html and "text-indent:47px" in html


def test_table_rows_and_header(html):
    checker = parse(html)
    assert sum(1 for tag, _ in checker.tags if tag == "th") == 3
    assert html.count("<tr>") >= 31
    for i in (1, 15, 30):
        assert f'<td width="14.3%" valign="top">{i}.</td>' in html
        assert f"Петров И.С. {i}</td>" in html
    assert "<thead>" in html


def test_appendix_starts_after_a_page_break(html):
    assert html.count("<hr") == 1
    assert html.index("<hr") < html.index("Приложение 1")
    assert html.index("Т.Б. Киселева") < html.index("<hr")
    assert "— новая страница —" in html
    with_break = order(rows=1)
    with_break.body.append(m.PageBreak())
    assert render_html(with_break).count(PAGE_BREAK) == 2


def test_images_go_through_the_callback(html):
    seen: list[bytes] = []

    def register(png: bytes) -> str:
        seen.append(png)
        return f"moc-image://{len(seen)}"

    out = render_html(order(rows=1), image_uri=register)
    assert len(seen) == 2  # the picture and the QR requisite
    assert seen[0] == b"\x89PNG\r\n\x1a\nfake" and seen[1].startswith(b"\x89PNG")
    assert 'src="moc-image://1"' in out and 'src="moc-image://2"' in out
    assert "data:" not in out
    assert data_uri(b"abc") == "data:image/png;base64," + base64.b64encode(b"abc").decode()
    assert 'src="data:image/png;base64,' in html  # the default


def test_protocol_title_centred_and_unknown_block():
    doc = m.Document(kind="ПРОТОКОЛ", org_lines=["Методический совет"], title="Заседания совета")
    assert re.search(r'<p align="center" style="[^"]*"><b>Заседания совета</b></p>', render_html(doc))
    doc.body = ["строка"]  # type: ignore[list-item]
    with pytest.raises(TypeError):
        render_html(doc)
