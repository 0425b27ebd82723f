"""PDF renderer of the document model (reportlab platypus), laid out to ГОСТ Р 7.0.97-2025.

A4; margins left 20 mm, right 10 mm, top and bottom 20 mm; Liberation Serif (metric twin of Times New Roman) at
the document's base size, line spacing 1.15, paragraph indent 1.25 cm. Page numbers from page 2, top centre.
Page 1 carries the requisites top to bottom: approval blocks (right half), organisation, document kind, date and
number on one line, place, title; then the text, the signatures, the executor at the bottom of the last page of
the text; every appendix starts on a new page with «Приложение N …» at the top right. The QR requisite (2025
edition) sits at the bottom right of page 1 only.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus import Image as RLImage
from reportlab.platypus import Table as RLTable

from moc_desktop.services.docs import model as m
from moc_desktop.services.docs.fonts import face, register_reportlab_fonts
from moc_desktop.services.docs.qr import qr_png

PAGE_W, PAGE_H = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 10 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
TEXT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

LEADING = 1.15  # line spacing, a multiple of the font size
PARA_INDENT = 1.25 * cm  # ГОСТ paragraph indent
TABLE_SIZE = 12  # default font size of tables
EXECUTOR_SIZE = 10
PAGE_NUMBER_SIZE = 12
PAGE_NUMBER_Y = PAGE_H - 12 * mm  # baseline of the page number, inside the top margin
QR_SIZE = 2.2 * cm
QR_GAP = 3 * mm  # between the text frame and the QR code on page 1
TITLE_WIDTH = 0.6  # «Об …» title: a left block of at most 60 % of the text width
APPROVAL_WIDTH = 0.5  # approval blocks: the right half
APPENDIX_WIDTH = 0.45  # «Приложение N к …»: the right 45 %
ITEM_HANG = 1.0 * cm  # minimum distance between an item's number and its text
ITEM_LEVEL_INDENT = 1.25 * cm
GRID = 0.5  # table grid line width, points

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}

__all__ = ["render_pdf", "PAGE_W", "PAGE_H", "QR_SIZE"]


# --------------------------------------------------------------------------------------------------- helpers
def _style(
    size: float,
    *,
    align: str = "left",
    bold: bool = False,
    indent: float = 0,
    before: float = 0,
    after: float = 0,
    left: float = 0,
    right: float = 0,
    keep: bool = False,
) -> ParagraphStyle:
    return ParagraphStyle(
        "p",
        fontName=face(bold=bold),
        fontSize=size,
        leading=size * LEADING,
        alignment=_ALIGN.get(align, TA_JUSTIFY),
        firstLineIndent=indent,
        spaceBefore=before,
        spaceAfter=after,
        leftIndent=left,
        rightIndent=right,
        keepWithNext=keep,
        bulletFontName=face(),
        bulletFontSize=size,
        allowWidows=1,
        allowOrphans=0,
        splitLongWords=1,
    )


def _markup(text: str) -> str:
    """Escape plain text for a platypus Paragraph; keep line breaks."""
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


def _runs_markup(runs: Iterable[m.Run]) -> str:
    out = []
    for r in runs:
        t = _markup(r.text)
        if not t:
            continue
        if r.underline:
            t = f"<u>{t}</u>"
        if r.italic:
            t = f"<i>{t}</i>"
        if r.bold:
            t = f"<b>{t}</b>"
        out.append(t)
    return "".join(out)


def _para(text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    t = _markup(text)
    return Paragraph(f"<b>{t}</b>" if bold and t else t, style)


def _grid(data: list[list], widths: list[float], style_cmds: list | None = None, **kw) -> RLTable:
    """A borderless layout table with no padding."""
    t = RLTable(data, colWidths=widths, **kw)
    t.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), face()),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            *(style_cmds or []),
        ]
    )
    return t


class _ToPageBottom(Flowable):
    """Takes the space left on the page minus ``reserve`` points, so what follows sits at the page bottom.

    When less than ``reserve`` is left it takes nothing (the next flowable then moves to a new page by itself).
    """

    def __init__(self, reserve: float):
        super().__init__()
        self.reserve = reserve
        self.height = 0.0

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab API)
        self.width = availWidth
        self.height = max(0.0, availHeight - self.reserve - 1)
        return availWidth, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        return []

    def draw(self):
        pass


class _KeepWithNext(KeepTogether):
    """The group reportlab forms for ``keepWithNext`` (a heading and what follows).

    reportlab moves the whole group to the next page when it does not fit, even when it is taller than any page
    (a title and a 1 000-row table) and so leaves a page almost empty. Here such a group stays where it is as long
    as the heading and the first piece of what follows (two lines, a header row and one row) fit.
    """

    def split(self, aW, aH):  # noqa: N803 (reportlab API)
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        frame = getattr(self, "_frame", None)
        content = self._content[:]
        if frame is None or self._H <= frame._height or len(content) < 2:
            return super().split(aW, aH)
        head_h = 0.0
        for f in content[:-1]:
            head_h += f.wrap(aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter()
        tail = content[-1]
        left = aH - head_h - tail.getSpaceBefore()
        if left > 0:
            tail.wrap(aW, left)
            if tail.split(aW, left):
                return content
        return [self.FrameBreak(), *content]


# --------------------------------------------------------------------------------------------------- builder
class _Builder:
    def __init__(self, doc: m.Document):
        self.doc = doc
        self.size = float(doc.base_size or 14)

    # requisites of page 1 -------------------------------------------------------------------------------
    def header(self) -> list:
        d, size = self.doc, self.size
        out: list = []
        for ab in d.approvals:
            out.append(self.approval(ab))
            out.append(Spacer(1, size * 0.8))
        if d.approvals:
            out.append(Spacer(1, size * 0.5))
        center = _style(size, align="center")
        org = [x for x in d.org_lines if x.strip()]
        for i, line in enumerate(org):
            last = i == len(org) - 1
            out.append(_para(line.upper() if last else line, center, bold=last))
        if d.kind:
            out.append(Spacer(1, size * 0.8))
            out.append(_para(d.kind, _style(size + 2, align="center", bold=True)))
        if d.date_text or d.number_text:
            out.append(Spacer(1, size * 0.8))
            row = [
                _para(d.date_text, _style(size, align="left")),
                _para(d.number_text, _style(size, align="right")),
            ]
            out.append(_grid([row], [TEXT_W / 2, TEXT_W / 2]))
        if d.place:
            out.append(Spacer(1, size * 0.3))
            out.append(_para(d.place, center))
        if d.title:
            out.append(Spacer(1, size * 1.2))
            if "ПРИКАЗ" in d.kind.upper().replace(
                " ", ""
            ):  # «Об …» of an order: a left block (as the template)
                st = _style(size, align="left", bold=True, right=TEXT_W * (1 - TITLE_WIDTH))
            else:  # protocols, reports: centred, as their templates
                st = _style(size, align="center", bold=True)
            st.keepWithNext = True
            out.append(_para(d.title, st))
            out.append(Spacer(1, size * 1.2))
        elif out:
            out.append(Spacer(1, size))
        return out

    def approval(self, ab: m.ApprovalBlock) -> RLTable:
        size = self.size
        st = _style(size, align="left")
        cell: list = [_para(ab.kind.upper(), st, bold=True)]
        cell += [_para(p, st) for p in ab.post_lines if p]
        cell.append(
            _para(f"________________ {ab.name}".rstrip(), _style(size, align="left", before=size * 0.3))
        )
        if ab.date_text:
            cell.append(_para(ab.date_text, st))
        if ab.reference:
            cell.append(_para(ab.reference, st))
        w = TEXT_W * APPROVAL_WIDTH
        return _grid([["", cell]], [TEXT_W - w, w])

    # text -------------------------------------------------------------------------------------------------
    def blocks(self, blocks: Iterable[m.Block]) -> list:
        out: list = []
        for b in blocks:
            out += self.block(b)
        return out

    def block(self, b: m.Block) -> list:
        size = self.size
        if isinstance(b, m.Para):
            psize = float(b.size or size)
            st = _style(
                psize,
                align=b.align,
                indent=PARA_INDENT if b.first_line_indent else 0,
                before=b.space_before,
                after=b.space_after,
                keep=b.keep_with_next,
            )
            text = _runs_markup(b.run_list())
            if not text.strip():
                return [Spacer(1, psize * LEADING + b.space_before + b.space_after)]
            if b.bold and not isinstance(b.runs, str):
                text = f"<b>{text}</b>"
            return [Paragraph(text, st)]
        if isinstance(b, m.Item):
            level = max(0, int(b.level or 0))
            number = b.number.strip()
            bullet_at = level * ITEM_LEVEL_INDENT
            hang = max(ITEM_HANG, stringWidth(number + "  ", face(), size))
            st = _style(size, align="justify", left=bullet_at + hang)
            st.bulletIndent = bullet_at
            return [Paragraph(_markup(b.text), st, bulletText=number or None)]
        if isinstance(b, m.Table):
            return [self.table(b)]
        if isinstance(b, m.Signature):
            return [self.signature(b)]
        if isinstance(b, m.Spacer):
            return [Spacer(1, float(b.points))]
        if isinstance(b, m.PageBreak):
            return [PageBreak()]
        if isinstance(b, m.Image):
            return [self.image(b)]
        raise TypeError(f"Неизвестный блок документа: {type(b).__name__}")

    def table(self, t: m.Table) -> RLTable:
        size = float(t.font_size or TABLE_SIZE)
        ncols = max([len(t.headers), *(len(r) for r in t.rows)] or [1])
        rel = list(t.widths or [])
        if len(rel) != ncols or any(w is None or w <= 0 for w in rel):
            rel = [1.0] * ncols
        total = float(sum(rel))
        widths = [TEXT_W * w / total for w in rel]
        head_st = _style(size, align="center", bold=True)
        cell_st = _style(size, align="left")
        data: list[list] = []
        has_header = any(h.strip() for h in t.headers)
        if has_header:
            hdr = list(t.headers) + [""] * (ncols - len(t.headers))
            data.append([_para(h, head_st) for h in hdr])
        for r in t.rows:
            row = [str(c) if c is not None else "" for c in r] + [""] * (ncols - len(r))
            data.append([_para(c, cell_st) for c in row])
        if not data:
            data.append([""] * ncols)
        rl = RLTable(
            data,
            colWidths=widths,
            repeatRows=1 if (has_header and t.repeat_header) else 0,
            splitByRow=1,
            splitInRow=1,  # a row taller than a page (a very long cell) splits inside the row
            hAlign="CENTER",
            spaceBefore=size * 0.3,
            spaceAfter=size * 0.6,
        )
        cmds = [
            ("FONTNAME", (0, 0), (-1, -1), face()),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("GRID", (0, 0), (-1, -1), GRID, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if has_header:
            cmds.append(("VALIGN", (0, 0), (-1, 0), "MIDDLE"))
        rl.setStyle(cmds)
        return rl

    def signature(self, s: m.Signature) -> RLTable:
        size = self.size
        post_w = TEXT_W * 0.65
        row = [
            _para(s.post, _style(size, align="left")),
            _para(s.name, _style(size, align="right")),
        ]
        t = _grid([row], [post_w, TEXT_W - post_w], [("VALIGN", (1, 0), (1, 0), "BOTTOM")])
        return t

    def image(self, img: m.Image) -> Flowable:
        reader = ImageReader(io.BytesIO(img.png))
        iw, ih = reader.getSize()
        w = min(float(img.width_cm or 16) * cm, TEXT_W)
        h = w * ih / iw if iw else w
        max_h = TEXT_H * 0.85
        if h > max_h:
            w, h = w * max_h / h, max_h
        pic = RLImage(io.BytesIO(img.png), width=w, height=h)
        pic.hAlign = "CENTER"
        parts: list = [Spacer(1, self.size * 0.3), pic]
        if img.caption:
            parts.append(_para(img.caption, _style(self.size, align="center", before=self.size * 0.3)))
        parts.append(Spacer(1, self.size * 0.5))
        return KeepTogether(parts)

    def signatures(self) -> list:
        if not self.doc.signatures:
            return []
        out: list = [Spacer(1, self.size * LEADING * 2)]
        for i, s in enumerate(self.doc.signatures):
            if i:
                out.append(Spacer(1, self.size * LEADING))
            out.append(self.signature(s))
        return [KeepTogether(out)]

    def executor(self) -> list:
        lines = [x for x in self.doc.executor_lines if x.strip()]
        if not lines:
            return []
        st = _style(EXECUTOR_SIZE, align="left")
        paras = [_para(x, st) for x in lines]
        height = sum(p.wrap(TEXT_W, TEXT_H)[1] for p in paras)
        gap = self.size * LEADING
        return [Spacer(1, gap), _ToPageBottom(height + 2), KeepTogether(paras)]

    # appendices ---------------------------------------------------------------------------------------------
    def appendix(self, ap: m.Appendix) -> list:
        size = self.size
        st = _style(size, align="left")
        cell = [_para(x, st) for x in (ap.label, ap.reference) if x and x.strip()]
        out: list = [PageBreak()]
        if cell:
            w = TEXT_W * APPENDIX_WIDTH
            out.append(_grid([["", cell]], [TEXT_W - w, w]))
            out.append(Spacer(1, size * 1.2))
        if ap.title:
            tst = _style(size, align="center", bold=True, after=size * 0.8)
            tst.keepWithNext = True
            out.append(_para(ap.title, tst))
        out += self.blocks(ap.blocks)
        return out

    def story(self) -> list:
        story: list = [NextPageTemplate("later")]
        story += self.header()
        story += self.blocks(self.doc.body)
        story += self.signatures()
        story += self.executor()
        for ap in self.doc.appendices:
            story += self.appendix(ap)
        return story


def _compact_kind(kind: str) -> str:
    """«П Р И К А З» → «ПРИКАЗ» (letter-spaced kinds) for the metadata."""
    parts = kind.split()
    return "".join(parts) if parts and all(len(p) == 1 for p in parts) else " ".join(parts)


def _metadata_title(doc: m.Document) -> str:
    head = " ".join(x for x in (_compact_kind(doc.kind), doc.number_text) if x)
    if doc.date_text:
        head = f"{head} от {doc.date_text}" if head else doc.date_text
    return f"{head} — {doc.title}" if doc.title and head else (doc.title or head or doc.file_stem)


# --------------------------------------------------------------------------------------------------- API
def render_pdf(doc: m.Document, path: Path | None = None) -> bytes:
    """Draw ``doc`` as a PDF; write it to ``path`` when given; return the PDF bytes."""
    register_reportlab_fonts()
    buf = io.BytesIO()
    qr = qr_png(doc.qr_text, scale=8) if doc.qr_text else b""
    size = float(doc.base_size or 14)

    def first_page(canv, _tmpl):
        if qr:
            canv.saveState()
            canv.drawImage(
                ImageReader(io.BytesIO(qr)),
                PAGE_W - MARGIN_RIGHT - QR_SIZE,
                MARGIN_BOTTOM,
                width=QR_SIZE,
                height=QR_SIZE,
            )
            canv.restoreState()

    def later_page(canv, _tmpl):
        canv.saveState()
        canv.setFont(face(), min(PAGE_NUMBER_SIZE, size))
        canv.drawCentredString(MARGIN_LEFT + TEXT_W / 2, PAGE_NUMBER_Y, str(canv.getPageNumber()))
        canv.restoreState()

    first_bottom = MARGIN_BOTTOM + (QR_SIZE + QR_GAP if qr else 0)
    frame_first = Frame(
        MARGIN_LEFT, first_bottom, TEXT_W, PAGE_H - MARGIN_TOP - first_bottom, 0, 0, 0, 0, id="first"
    )
    frame_later = Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_W, TEXT_H, 0, 0, 0, 0, id="later")
    template = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=_metadata_title(doc),
        author=", ".join(x for x in doc.org_lines if x.strip()),
        subject=doc.title or _compact_kind(doc.kind),
        creator="МОЦ Desktop",
        lang="ru-RU",
        initialFontName=face(),
        initialFontSize=size,
        initialLeading=size * LEADING,
        pageTemplates=[
            PageTemplate("first", [frame_first], onPage=first_page, autoNextPageTemplate="later"),
            PageTemplate("later", [frame_later], onPage=later_page),
        ],
    )
    template.keepTogetherClass = _KeepWithNext
    template.build(_Builder(doc).story())
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
