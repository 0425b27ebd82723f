"""One entry for «make the file of this document»: .docx (editable template) or .pdf (reportlab), by extension."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from moc_desktop.services.docs import orders, protocols
from moc_desktop.services.docs.model import Document

FORMATS = (".docx", ".pdf")


class RenderError(Exception):
    """A Russian message: unknown document, unsupported format, file not writable."""


@dataclass
class Rendered:
    path: Path
    warnings: list[str] = field(default_factory=list)


def build(session: Session, kind: str, doc_id: int) -> Document:
    if kind == "order":
        obj = orders.get_order(session, doc_id)
        if obj is None:
            raise RenderError(f"Приказ с кодом {doc_id} не найден.")
        return orders.build_document(session, obj)
    if kind == "protocol":
        obj = protocols.get_protocol(session, doc_id)
        if obj is None:
            raise RenderError(f"Протокол с кодом {doc_id} не найден.")
        return protocols.build_document(session, obj)
    raise RenderError(f"Неизвестный вид документа: {kind}.")


def write(doc: Document, kind: str, out: Path) -> Rendered:
    """Write ``doc`` to ``out``; the extension chooses the format."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise RenderError(
            f"Формат «{out.suffix or out.name}» не поддерживается: укажите файл .docx или .pdf."
        )
    try:
        if suffix == ".docx":
            from moc_desktop.services.docs.docx_render import TemplateProblem, render_docx

            try:
                result = render_docx(doc, out, kind)
            except TemplateProblem as exc:
                raise RenderError(str(exc)) from exc
            return Rendered(out, result.warnings)
        from moc_desktop.services.docs.pdf_render import render_pdf

        render_pdf(doc, out)
        return Rendered(out)
    except OSError as exc:
        raise RenderError(f"Не удалось записать «{out}»: {exc.strerror or exc}.") from exc


def render_to_file(session: Session, kind: str, doc_id: int, out: Path) -> Rendered:
    return write(build(session, kind, doc_id), kind, out)
