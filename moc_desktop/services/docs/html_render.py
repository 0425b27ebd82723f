"""HTML preview of the document model for a Qt ``QTextBrowser``: the same layout as the PDF, in one column.

Qt's rich text understands a subset of HTML 4 and CSS, so the layout uses what it draws reliably: tables for the
date/number line, approval blocks, titles, numbered items and signatures; ``align`` attributes; ``text-indent``,
``margin-*`` (px), ``font-*`` (pt) and ``line-height`` (%) styles. Page breaks (before every appendix, ``PageBreak``
blocks) are shown as ``<hr>`` with «— новая страница —»; page numbers are not shown.

``QTextBrowser`` does not load ``data:`` URIs, so pictures go through ``image_uri``: a callback that receives the
PNG bytes and returns the ``src`` to use (the UI registers each picture with ``QTextDocument.addResource`` and
returns its name); the default returns a data URI (fine for browsers and for tests).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from html import escape

from moc_desktop.services.docs import model as m
from moc_desktop.services.docs.fonts import FONT_FAMILY
from moc_desktop.services.docs.qr import qr_png

ImageUri = Callable[[bytes], str]

PX_PER_CM = 96 / 2.54
PARA_INDENT_PX = round(1.25 * PX_PER_CM)  # ГОСТ paragraph indent 1.25 cm
ITEM_HANG_PX = round(1.0 * PX_PER_CM)
QR_PX = round(2.2 * PX_PER_CM)
TABLE_SIZE = 12
EXECUTOR_SIZE = 10
LINE_HEIGHT = "115%"
FONT_STACK = f"'{FONT_FAMILY}', 'Times New Roman', serif"
PAGE_BREAK = (
    '<hr/>\n<p align="center" style="margin:0; color:#888888; font-size:10pt;">— новая страница —</p>\n'
)

__all__ = ["render_html", "data_uri", "PAGE_BREAK"]


def data_uri(png: bytes) -> str:
    """The default ``image_uri``: the PNG inline as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _t(text: str) -> str:
    """Escaped text with line breaks kept."""
    return escape(text or "").replace("\r\n", "\n").replace("\n", "<br/>")


def _px(points: float) -> str:
    """Qt's rich text takes margins in pixels only: points → px at 96 dpi."""
    return f"{round(float(points) * 96 / 72)}px"


def _attr(text: str) -> str:
    return escape(text or "", quote=True)


def _p(inner: str, *, align: str = "left", style: str = "") -> str:
    css = " ".join(
        [*(f"{k}:0;" for k in ("margin-top", "margin-bottom") if k not in style), *([style] if style else [])]
    )
    return f'<p align="{align}" style="{css}">{inner}</p>\n'


def _bold(text: str) -> str:
    return f"<b>{text}</b>" if text else text


class _Html:
    def __init__(self, doc: m.Document, image_uri: ImageUri):
        self.doc = doc
        self.image_uri = image_uri
        self.size = float(doc.base_size or 14)

    # requisites ---------------------------------------------------------------------------------------------
    def header(self) -> list[str]:
        d = self.doc
        out: list[str] = []
        for ab in d.approvals:
            out.append(self.approval(ab))
        org = [x for x in d.org_lines if x.strip()]
        for i, line in enumerate(org):
            last = i == len(org) - 1
            out.append(_p(_bold(_t(line.upper())) if last else _t(line), align="center"))
        if d.kind:
            out.append(
                _p(
                    _bold(_t(d.kind)),
                    align="center",
                    style=f"margin-top:{_px(self.size * 0.8)}; font-size:{self.size + 2:g}pt;",
                )
            )
        if d.date_text or d.number_text:
            out.append(
                f'<table width="100%" border="0" cellspacing="0" cellpadding="0" style="margin-top:{_px(self.size * 0.8)};">'
                f'<tr><td width="50%" align="left">{_t(d.date_text)}</td>'
                f'<td width="50%" align="right">{_t(d.number_text)}</td></tr></table>\n'
            )
        if d.place:
            out.append(_p(_t(d.place), align="center", style=f"margin-top:{_px(self.size * 0.3)};"))
        if d.title:
            gap = f"margin-top:{_px(self.size * 1.2)}; margin-bottom:{_px(self.size * 1.2)};"
            if "ПРОТОКОЛ" in d.kind.upper().replace(" ", ""):
                out.append(_p(_bold(_t(d.title)), align="center", style=gap))
            else:
                out.append(
                    f'<table width="100%" border="0" cellspacing="0" cellpadding="0" style="{gap}">'
                    f'<tr><td width="60%" align="left">{_bold(_t(d.title))}</td><td width="40%"></td></tr>'
                    "</table>\n"
                )
        return out

    def approval(self, ab: m.ApprovalBlock) -> str:
        lines = [_bold(_t(ab.kind.upper()))]
        lines += [_t(x) for x in ab.post_lines if x]
        lines.append(_t(f"________________ {ab.name}".rstrip()))
        lines += [_t(x) for x in (ab.date_text, ab.reference) if x]
        return (
            f'<table width="100%" border="0" cellspacing="0" cellpadding="0" style="margin-bottom:{_px(self.size * 0.8)};">'
            f'<tr><td width="50%"></td><td width="50%" align="left">{"<br/>".join(lines)}</td></tr></table>\n'
        )

    # text ------------------------------------------------------------------------------------------------------
    def blocks(self, blocks: Iterable[m.Block]) -> list[str]:
        return [self.block(b) for b in blocks]

    def block(self, b: m.Block) -> str:
        if isinstance(b, m.Para):
            return self.para(b)
        if isinstance(b, m.Item):
            return self.item(b)
        if isinstance(b, m.Table):
            return self.table(b)
        if isinstance(b, m.Signature):
            return self.signature(b)
        if isinstance(b, m.Spacer):
            return _p("&nbsp;", style=f"font-size:{max(1.0, float(b.points) / 1.15):g}pt; line-height:100%;")
        if isinstance(b, m.PageBreak):
            return PAGE_BREAK
        if isinstance(b, m.Image):
            return self.image(b)
        raise TypeError(f"Неизвестный блок документа: {type(b).__name__}")

    def para(self, b: m.Para) -> str:
        parts = []
        for r in b.run_list():
            t = _t(r.text)
            if not t:
                continue
            if r.underline:
                t = f"<u>{t}</u>"
            if r.italic:
                t = f"<i>{t}</i>"
            if r.bold:
                t = f"<b>{t}</b>"
            parts.append(t)
        inner = "".join(parts)
        if b.bold and not isinstance(b.runs, str):
            inner = _bold(inner)
        css = [f"line-height:{LINE_HEIGHT};"]
        if b.first_line_indent:
            css.append(f"text-indent:{PARA_INDENT_PX}px;")
        if b.space_before:
            css.append(f"margin-top:{_px(b.space_before)};")
        if b.space_after:
            css.append(f"margin-bottom:{_px(b.space_after)};")
        if b.size:
            css.append(f"font-size:{b.size:g}pt;")
        return _p(
            inner or "&nbsp;",
            align=b.align if b.align in ("left", "center", "right") else "justify",
            style=" ".join(css),
        )

    def item(self, b: m.Item) -> str:
        level = max(0, int(b.level or 0))
        number = b.number.strip()
        hang = max(ITEM_HANG_PX, round(len(number) * self.size * 0.55 * 96 / 72) + 8)
        indent = f'<td width="{level * PARA_INDENT_PX}"></td>' if level else ""
        return (
            '<table width="100%" border="0" cellspacing="0" cellpadding="0">'
            f'<tr>{indent}<td width="{hang}" valign="top">{_t(number)}</td>'
            f'<td valign="top" align="justify"><p align="justify" style="margin:0; line-height:{LINE_HEIGHT};">'
            f"{_t(b.text)}</p></td></tr></table>\n"
        )

    def table(self, t: m.Table) -> str:
        size = float(t.font_size or TABLE_SIZE)
        ncols = max([len(t.headers), *(len(r) for r in t.rows)] or [1])
        rel = list(t.widths or [])
        if len(rel) != ncols or any(w is None or w <= 0 for w in rel):
            rel = [1.0] * ncols
        total = float(sum(rel))
        pct = [f"{100 * w / total:.1f}%" for w in rel]
        out = [
            '<table width="100%" border="1" cellspacing="0" cellpadding="3" '
            f'style="border-collapse:collapse; border-color:#000000; border-style:solid; font-size:{size:g}pt; '
            f'margin-top:{_px(size * 0.3)}; margin-bottom:{_px(size * 0.6)};">\n'
        ]
        if any(h.strip() for h in t.headers):
            hdr = list(t.headers) + [""] * (ncols - len(t.headers))
            cells = "".join(
                f'<th width="{w}" align="center" valign="middle">{_t(h)}</th>'
                for h, w in zip(hdr, pct, strict=True)
            )
            out.append(f"<thead><tr>{cells}</tr></thead>\n")
        out.append("<tbody>\n")
        for r in t.rows:
            row = [str(c) if c is not None else "" for c in r] + [""] * (ncols - len(r))
            cells = "".join(
                f'<td width="{w}" valign="top">{_t(c)}</td>' for c, w in zip(row, pct, strict=True)
            )
            out.append(f"<tr>{cells}</tr>\n")
        out.append("</tbody></table>\n")
        return "".join(out)

    def signature(self, s: m.Signature) -> str:
        return (
            '<table width="100%" border="0" cellspacing="0" cellpadding="0">'
            f'<tr><td width="65%" align="left" valign="bottom">{_t(s.post)}</td>'
            f'<td width="35%" align="right" valign="bottom">{_t(s.name)}</td></tr></table>\n'
        )

    def image(self, img: m.Image) -> str:
        width = round(float(img.width_cm or 16) * PX_PER_CM)
        out = _p(
            f'<img src="{_attr(self.image_uri(img.png))}" width="{width}"/>',
            align="center",
            style=f"margin-top:{_px(self.size * 0.3)};",
        )
        if img.caption:
            out += _p(_t(img.caption), align="center", style=f"margin-top:{_px(self.size * 0.3)};")
        return out

    def signatures(self) -> list[str]:
        out = []
        for i, s in enumerate(self.doc.signatures):
            gap = self.size * 1.15 * (2 if i == 0 else 1)
            out.append(_p("&nbsp;", style=f"font-size:{gap / 1.15:g}pt; line-height:100%;"))
            out.append(self.signature(s))
        return out

    def executor(self) -> list[str]:
        lines = [x for x in self.doc.executor_lines if x.strip()]
        if not lines:
            return []
        style = f"font-size:{EXECUTOR_SIZE}pt;"
        return [_p("&nbsp;", style=f"font-size:{self.size:g}pt;")] + [_p(_t(x), style=style) for x in lines]

    def qr(self) -> list[str]:
        if not self.doc.qr_text:
            return []
        src = _attr(self.image_uri(qr_png(self.doc.qr_text)))
        return [
            _p(
                f'<img src="{src}" width="{QR_PX}" height="{QR_PX}" alt="QR"/>',
                align="right",
                style=f"margin-top:{_px(self.size)};",
            )
        ]

    def appendix(self, ap: m.Appendix) -> list[str]:
        out = [PAGE_BREAK]
        lines = [_t(x) for x in (ap.label, ap.reference) if x and x.strip()]
        if lines:
            out.append(
                f'<table width="100%" border="0" cellspacing="0" cellpadding="0" style="margin-bottom:{_px(self.size * 1.2)};">'
                f'<tr><td width="55%"></td><td width="45%" align="left">{"<br/>".join(lines)}</td></tr></table>\n'
            )
        if ap.title:
            out.append(
                _p(_bold(_t(ap.title)), align="center", style=f"margin-bottom:{_px(self.size * 0.8)};")
            )
        out += self.blocks(ap.blocks)
        return out

    def document(self) -> str:
        d = self.doc
        parts = [
            "<!DOCTYPE html>\n<html>\n<head>\n"
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>\n'
            f"<title>{_t(d.title or d.kind or d.file_stem)}</title>\n</head>\n"
            f'<body style="font-family:{FONT_STACK}; font-size:{self.size:g}pt; color:#000000;">\n'
        ]
        parts += self.header()
        parts += self.blocks(d.body)
        parts += self.signatures()
        parts += self.executor()
        parts += self.qr()
        for ap in d.appendices:
            parts += self.appendix(ap)
        parts.append("</body>\n</html>\n")
        return "".join(parts)


def render_html(doc: m.Document, image_uri: ImageUri | None = None) -> str:
    """HTML of ``doc`` for a ``QTextBrowser`` (or any browser); all text escaped; pictures through ``image_uri``."""
    return _Html(doc, image_uri or data_uri).document()
