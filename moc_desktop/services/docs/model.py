"""The document model every renderer draws: requisites (ГОСТ Р 7.0.97-2025) plus body blocks and appendices.

Builders (orders, protocols, reports) produce a :class:`Document`; the .docx, PDF and HTML renderers draw it.
Nothing here knows about files or Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right", "justify"]


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass
class Para:
    """A paragraph. ``runs`` may be a plain string. ``first_line_indent`` is the ГОСТ paragraph indent (1.25 cm)."""

    runs: list[Run] | str
    align: Align = "justify"
    first_line_indent: bool = True
    bold: bool = False
    space_before: float = 0  # points
    space_after: float = 0
    keep_with_next: bool = False
    size: float | None = None  # points; None = the document's base size

    def text(self) -> str:
        return self.runs if isinstance(self.runs, str) else "".join(r.text for r in self.runs)

    def run_list(self) -> list[Run]:
        return [Run(self.runs, bold=self.bold)] if isinstance(self.runs, str) else self.runs


@dataclass
class Item:
    """A numbered item of an order or a decision: «4.», «4.1.» with its text (level 0 or 1)."""

    number: str
    text: str
    level: int = 0


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths
    repeat_header: bool = True
    numbered: bool = False  # first column «№ п/п» filled by the renderer? (builders fill it themselves)
    font_size: float | None = None


@dataclass
class Signature:
    """«Post ……… И.О. Фамилия»: post on the left, name on the right, on one line."""

    post: str
    name: str


@dataclass
class Spacer:
    points: float = 12


@dataclass
class PageBreak:
    pass


@dataclass
class Image:
    """A picture (e.g. a chart) as PNG bytes, width in centimetres."""

    png: bytes
    width_cm: float = 16
    caption: str = ""


Block = Para | Item | Table | Signature | Spacer | PageBreak | Image


@dataclass
class ApprovalBlock:
    """«УТВЕРЖДАЮ» / «СОГЛАСОВАНО» / «РАССМОТРЕНО» with post, signature and date lines and an optional
    reference («(протокол № 2 от 23.10.2017)»)."""

    kind: str
    post_lines: list[str]
    name: str
    date_text: str = "«___» ____________ 20__ г."
    reference: str = ""


@dataclass
class Appendix:
    """«Приложение N к приказу от … № …» starting on a new page, a title, then blocks."""

    label: str  # «Приложение 1»
    reference: str  # «к приказу Управления образования от 25.05.2020 № 448-од»
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """One printable document. Requisite order follows ГОСТ Р 7.0.97-2025 (§ 5): organisation, document kind,
    date and number, place, title, text, signature, executor; approval blocks top right."""

    kind: str  # «ПРИКАЗ», «ПРОТОКОЛ», «АНАЛИТИЧЕСКАЯ СПРАВКА»
    org_lines: list[str]  # «Администрация Октябрьского района» / «УПРАВЛЕНИЕ ОБРАЗОВАНИЯ …»
    date_text: str = ""  # «« 25 » мая 2020 г.» or «25.05.2020»
    number_text: str = ""  # «№ 448-од»
    place: str = ""  # «п.г.т. Октябрьское»
    title: str = ""  # «Об организации …»
    approvals: list[ApprovalBlock] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    executor_lines: list[str] = field(default_factory=list)  # «Исполнитель: …», phone, e-mail
    appendices: list[Appendix] = field(default_factory=list)
    qr_text: str = ""  # QR requisite (2025 edition): number, date, organisation; "" = none
    base_size: float = 14  # points
    file_stem: str = "документ"  # suggested file name without extension

    def all_text(self) -> str:
        """Plain text of everything (search, tests, a faithful text preview)."""
        out = [*self.org_lines, self.kind, self.date_text, self.number_text, self.place, self.title]
        for a in self.approvals:
            out += [a.kind, *a.post_lines, a.name, a.date_text, a.reference]
        out += _blocks_text(self.body)
        out += [f"{s.post} {s.name}" for s in self.signatures]
        out += self.executor_lines
        for ap in self.appendices:
            out += [ap.label, ap.reference, ap.title, *_blocks_text(ap.blocks)]
        return "\n".join(t for t in out if t)


def _blocks_text(blocks: list[Block]) -> list[str]:
    out = []
    for b in blocks:
        if isinstance(b, Para):
            out.append(b.text())
        elif isinstance(b, Item):
            out.append(f"{b.number} {b.text}")
        elif isinstance(b, Table):
            out.append(" | ".join(b.headers))
            out += [" | ".join(r) for r in b.rows]
        elif isinstance(b, Signature):
            out.append(f"{b.post} {b.name}")
        elif isinstance(b, Image) and b.caption:
            out.append(b.caption)
    return out
