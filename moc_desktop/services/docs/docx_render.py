"""Document → .docx through an editable template (docxtpl): the template carries page set-up, fonts, page
numbers and the requisite layout; the text, signatures, executor and appendices are inserted as sub-documents.

A user's edited copy of a template (``templates.active_template``) is used when present; if it is broken (bad
placeholder, not a .docx), the built-in one is used and the problem is reported in Russian.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from moc_desktop.services.docs import templates
from moc_desktop.services.docs.fonts import FONT_FAMILY
from moc_desktop.services.docs.model import (
    ApprovalBlock,
    Block,
    Document,
    Image,
    Item,
    PageBreak,
    Para,
    Signature,
    Spacer,
    Table,
)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
INDENT = Cm(1.25)  # paragraph indent (ГОСТ Р 7.0.97-2025, 6.4: 1,25 см)


class TemplateProblem(Exception):
    """A template that cannot be used; the message names the file and the bad placeholder."""


@dataclass
class RenderResult:
    path: Path
    template: Path
    warnings: list[str] = field(default_factory=list)


def render_docx(doc: Document, path: Path, kind: str) -> RenderResult:
    """Write ``doc`` to ``path`` with the active template of ``kind`` (order | protocol | report)."""
    tpl_path, is_user = templates.active_template(kind)
    warnings: list[str] = []
    try:
        _render(doc, path, tpl_path)
    except TemplateProblem as exc:
        if not is_user:
            raise
        warnings.append(f"{exc} Использован встроенный шаблон.")
        tpl_path = templates.builtin_template(kind)
        _render(doc, path, tpl_path)
    return RenderResult(path, tpl_path, warnings)


def _render(doc: Document, path: Path, tpl_path: Path) -> None:
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(str(tpl_path))
        tpl.init_docx()
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TemplateProblem(f"Шаблон «{tpl_path.name}» не открывается как документ Word: {exc}.") from exc
    context = _context(tpl, doc)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        tpl.render(context, jinja_env=env)
    except jinja2.UndefinedError as exc:
        name = _undefined_name(str(exc))
        known = ", ".join(sorted(templates.PLACEHOLDERS))
        raise TemplateProblem(
            f"В шаблоне «{tpl_path.name}» неизвестное поле «{name}». Допустимые поля: {known}."
        ) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = _broken_field(tpl_path)
        detail = (
            f"поле «{where}» не закрыто или записано неверно"
            if where
            else f"ошибка в записи поля: {exc.message}"
        )
        raise TemplateProblem(f"В шаблоне «{tpl_path.name}» {detail}.") from exc
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"Шаблон «{tpl_path.name}» не удалось заполнить: {exc}.") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    tpl.save(str(path))


def _broken_field(tpl_path: Path) -> str | None:
    """The first «{{ …» / «{% …» without its closing braces in the template's text, to name it to the user."""
    from docx import Document as DocxDocument

    try:
        d = DocxDocument(str(tpl_path))
    except Exception:  # the template opened for docxtpl a moment ago; be quiet if python-docx disagrees
        return None
    texts = [p.text for p in d.paragraphs]
    for t in d.tables:
        texts += [c.text for row in t.rows for c in row.cells]
    for sec in d.sections:
        texts += [p.text for p in sec.header.paragraphs] + [p.text for p in sec.footer.paragraphs]
    for text in texts:
        for m in re.finditer(r"(\{\{|\{%)(.*?)(\}\}|%\}|$)", text):
            if not m.group(3):
                return (m.group(1) + m.group(2)).strip()
            if (m.group(1) == "{{") != (m.group(3) == "}}"):
                return m.group(0).strip()
    return None


def _undefined_name(message: str) -> str:
    m = re.search(r"'([^']+)' is undefined", message) or re.search(r"has no attribute '([^']+)'", message)
    return m.group(1) if m else message


def _context(tpl, doc: Document) -> dict:
    from docxtpl import InlineImage

    base = doc.base_size
    org = doc.org_lines or [""]
    ctx = {
        "org_top": "\n".join(org[:-1]),
        "org_main": org[-1],
        "kind": doc.kind,
        "date_text": doc.date_text,
        "number_text": doc.number_text,
        "place": doc.place,
        "title": doc.title,
        "approvals": _subdoc(tpl, lambda sd: _approvals(sd, doc.approvals, base)),
        "body": _subdoc(tpl, lambda sd: _blocks(sd, doc.body, base)),
        "signatures": _subdoc(tpl, lambda sd: _signatures(sd, doc.signatures, base)),
        "executor": _subdoc(tpl, lambda sd: _executor(sd, doc.executor_lines)),
        "appendices": _subdoc(tpl, lambda sd: _appendices(sd, doc, base)),
        "qr": "",
    }
    if doc.qr_text:
        from moc_desktop.services.docs.qr import qr_png

        ctx["qr"] = InlineImage(tpl, io.BytesIO(qr_png(doc.qr_text)), width=Mm(22))
    return ctx


def _subdoc(tpl, fill):
    sd = tpl.new_subdoc()
    fill(sd)
    return sd


# --- blocks ---------------------------------------------------------------------------------------------------


def _font(run, size: float, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    run.font.name = FONT_FAMILY
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT_FAMILY)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.underline = underline or None


def _para(
    sd, text_runs, size: float, align="justify", indent: bool = False, bold: bool = False, before=0, after=0
):
    p = sd.add_paragraph()
    p.alignment = ALIGN[align]
    pf = p.paragraph_format
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.line_spacing = 1.0
    if indent:
        pf.first_line_indent = INDENT
    runs = [(text_runs, bold, False, False)] if isinstance(text_runs, str) else text_runs
    for text, b, i, u in runs:
        _font(p.add_run(text), size, b, i, u)
    return p


def _blocks(sd, blocks: list[Block], base: float) -> None:
    for b in blocks:
        if isinstance(b, Para):
            runs = [(r.text, r.bold or b.bold, r.italic, r.underline) for r in b.run_list()]
            p = _para(
                sd,
                runs,
                b.size or base,
                b.align,
                b.first_line_indent,
                before=b.space_before,
                after=b.space_after,
            )
            p.paragraph_format.keep_with_next = b.keep_with_next or None
        elif isinstance(b, Item):
            p = _para(sd, f"{b.number} {b.text}", base, "justify", indent=True)
            if b.level:
                p.paragraph_format.first_line_indent = INDENT
        elif isinstance(b, Table):
            _table(sd, b, b.font_size or max(base - 2, 10))
        elif isinstance(b, Signature):
            _signatures(sd, [b], base)
        elif isinstance(b, Spacer):
            _para(sd, "", base, "left", after=max(0, b.points - base))
        elif isinstance(b, PageBreak):
            sd.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(b, Image):
            p = sd.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
            if b.caption:
                _para(sd, b.caption, base - 2, "center")


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell_text(cell, text: str, size: float, align="left", bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.alignment = ALIGN[align]
    p.paragraph_format.space_after = Pt(0)
    lines = str(text).split("\n")
    for k, line in enumerate(lines):
        run = p.add_run(line)
        _font(run, size, bold)
        if k < len(lines) - 1:
            run.add_break()


def _table(sd, t: Table, size: float) -> None:
    n = len(t.headers)
    table = sd.add_table(rows=1, cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = t.widths or [1] * n
    total = sum(widths)
    usable = 18.0  # cm: 210 − 20 − 10 mm
    for i, h in enumerate(t.headers):
        cell = table.rows[0].cells[i]
        _cell_text(cell, h, size, "center", bold=True)
    if t.repeat_header:
        trpr = table.rows[0]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    for r in t.rows:
        row = table.add_row()
        cant = OxmlElement("w:cantSplit")  # a row is never torn between pages
        row._tr.get_or_add_trPr().append(cant)
        cells = row.cells
        for i in range(n):
            _cell_text(cells[i], r[i] if i < len(r) else "", size)
    _fixed_widths(table, [usable * w / total for w in widths])


def _fixed_widths(table, widths_cm: list[float]) -> None:
    """Column widths that Word and LibreOffice both respect: fixed layout, grid columns and cell widths."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def _signatures(sd, sigs: list[Signature], base: float) -> None:
    for s in sigs:
        table = sd.add_table(rows=1, cols=2)
        _no_borders(table)
        _fixed_widths(table, [11.5, 6.5])
        left, right = table.rows[0].cells
        _cell_text(left, s.post, base, "left")
        _cell_text(right, s.name, base, "right")
        _para(sd, "", 6, "left")


def _executor(sd, lines: list[str]) -> None:
    if not lines:
        return
    _para(sd, "", 10, "left", before=24)
    for line in lines:
        _para(sd, line, 10, "left")


def _approvals(sd, blocks: list[ApprovalBlock], base: float) -> None:
    if not blocks:
        return
    table = sd.add_table(rows=1, cols=len(blocks) if len(blocks) > 1 else 2)
    _no_borders(table)
    cells = table.rows[0].cells
    targets = cells if len(blocks) > 1 else cells[1:]
    for cell, a in zip(targets, blocks, strict=False):
        _cell_text(cell, a.kind, base, "left", bold=True)
        for line in [*a.post_lines, f"_____________ {a.name}", a.date_text, a.reference]:
            if line:
                p = cell.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
                _font(p.add_run(line), base)
    _para(sd, "", base, "left")


def _appendices(sd, doc: Document, base: float) -> None:
    for ap in doc.appendices:
        sd.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for line in (ap.label, ap.reference):
            if line:
                p = _para(sd, line, base - 2, "left")
                p.paragraph_format.left_indent = Cm(10)
        if ap.title:
            _para(sd, ap.title, base, "center", bold=True, before=12, after=12)
        _blocks(sd, ap.blocks, base)


# --- built-in templates -----------------------------------------------------------------------------------------


def make_template(kind: str, path: Path) -> Path:
    """Create the built-in template of ``kind`` (used by tools/make_templates.py and when none is shipped)."""
    from docx import Document as DocxDocument

    d = DocxDocument()
    normal = d.styles["Normal"]
    normal.font.name = FONT_FAMILY
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT_FAMILY)
    sec = d.sections[0]
    sec.start_type = WD_SECTION.NEW_PAGE
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin = Mm(20), Mm(10)  # ГОСТ Р 7.0.97-2025, 5.1
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
    sec.different_first_page_header_footer = True  # page numbers from page 2
    _page_number(sec.header.paragraphs[0])
    qr_par = sec.first_page_footer.paragraphs[0]
    qr_par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    qr_par.add_run("{{ qr }}")

    def add(text: str, align="center", bold=False, size=14, before=0, after=0, right_indent=None):
        p = d.add_paragraph()
        p.alignment = ALIGN[align]
        p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
        if right_indent:
            p.paragraph_format.right_indent = right_indent
        _font(p.add_run(text), size, bold)
        return p

    d.add_paragraph("{{p approvals }}")
    if kind == "order":
        add("{{ org_top }}")
        add("{{ org_main }}", bold=True)
    else:
        add("{{ org_top }}")
        add("{{ org_main }}", bold=True)
    add("{{ kind }}", bold=True, size=16, before=12, after=12)
    t = d.add_table(rows=1, cols=2)
    _no_borders(t)
    _fixed_widths(t, [9, 9])
    left, right = t.rows[0].cells
    _cell_text(left, "{{ date_text }}", 14, "left")
    _cell_text(right, "{{ number_text }}", 14, "right")
    add("{{ place }}", before=6, after=12)
    if kind == "order":
        add("{{ title }}", align="left", bold=True, after=6, right_indent=Cm(7))
    else:
        add("{{ title }}", align="center", bold=True, after=6)
    d.add_paragraph("{{p body }}")
    d.add_paragraph("{{p signatures }}")
    d.add_paragraph("{{p executor }}")
    d.add_paragraph("{{p appendices }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    d.core_properties.title = f"Шаблон: {templates.KINDS[kind]}"
    d.save(str(path))
    return path


def _page_number(paragraph) -> None:
    """A centred PAGE field (top centre, ГОСТ Р 7.0.97-2025, 5.5)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _font(run, 12)
    for tag, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
            run._r.append(el)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
