"""Preview of a document before export: a faithful HTML rendering of the same document model, with «Сохранить
.docx», «Сохранить PDF» and «Печать» (the system print dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from moc_desktop.services.docs import render
from moc_desktop.services.docs.html_render import render_html
from moc_desktop.services.docs.model import Document


class PreviewDialog(QDialog):
    def __init__(self, doc: Document, kind: str, parent=None):
        super().__init__(parent)
        self.doc, self.kind = doc, kind
        self.setWindowTitle(f"Просмотр — {doc.file_stem}")
        self.resize(900, 900)
        self.browser = QTextBrowser()
        self.browser.setObjectName("preview")
        self._images: dict[str, bytes] = {}

        def image_uri(png: bytes) -> str:
            name = f"img{len(self._images)}.png"
            self._images[name] = png
            return name

        html = render_html(doc, image_uri=image_uri)
        for name, png in self._images.items():
            img = QImage()
            img.loadFromData(png, "PNG")
            self.browser.document().addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
        self.browser.setHtml(html)
        self.choose_path = self._ask_path
        self.open_file = lambda p: QDesktopServices.openUrl(QUrl.fromLocalFile(str(p)))
        self.last_saved: Path | None = None
        self.status = QLabel()
        btns = QHBoxLayout()
        for text, slot in (
            ("Сохранить .docx…", lambda: self.save(".docx")),
            ("Сохранить PDF…", lambda: self.save(".pdf")),
            ("Печать…", self.print_document),
        ):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, s=slot: s())
            btns.addWidget(b)
        btns.addStretch(1)
        close = QPushButton("Закрыть")
        close.clicked.connect(self.accept)
        btns.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addWidget(self.status)
        lay.addLayout(btns)

    def _ask_path(self, suffix: str) -> str:
        filt = "Документ Word (*.docx)" if suffix == ".docx" else "PDF (*.pdf)"
        path, _ = QFileDialog.getSaveFileName(
            self, "Сохранить", str(Path.home() / f"{_safe(self.doc.file_stem)}{suffix}"), filt
        )
        return path

    def save(self, suffix: str, path: str | None = None) -> Path | None:
        path = path or self.choose_path(suffix)
        if not path:
            return None
        out = Path(path)
        if out.suffix.lower() != suffix:
            out = out.with_name(out.name + suffix)
        try:
            result = render.write(self.doc, self.kind, out)
        except render.RenderError as exc:
            QMessageBox.warning(self, "Сохранение", str(exc))
            return None
        self.last_saved = result.path
        note = f"Сохранено: {result.path}"
        if result.warnings:
            note += "\n" + "\n".join(result.warnings)
            QMessageBox.warning(self, "Шаблон", "\n".join(result.warnings))
        self.status.setText(note)
        return result.path

    def print_document(self) -> None:
        """System print dialog (QPrinter, A4 with the document margins); without print support — open the PDF."""
        try:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        except ImportError:
            self._print_via_pdf()
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageMargins(
            QMarginsF(20, 20, 10, 20), QPageLayout.Unit.Millimeter
        )  # left, top, right, bottom
        dlg = QPrintDialog(printer, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.browser.document().print_(printer)

    def _print_via_pdf(self) -> None:
        import tempfile

        out = Path(tempfile.mkdtemp(prefix="moc-print-")) / f"{_safe(self.doc.file_stem)}.pdf"
        render.write(self.doc, self.kind, out)
        self.open_file(out)


def _safe(name: str) -> str:
    return "".join(ch if ch not in '\\/:*?"<>|' else "_" for ch in name).strip() or "документ"
