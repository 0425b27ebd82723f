"""First-run wizard (installation identity, optional demo data) and the settings dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from moc_desktop.db.engine import session_scope
from moc_desktop.services import settings
from moc_desktop.ui.forms import FieldErrors
from moc_desktop.ui.tasks import BackgroundTask

GROUPS = {
    "МОЦ": ("moc_name", "municipality", "region"),
    "Управление образования": ("uo_full_name", "uo_head_post", "uo_head_name", "place", "order_suffix"),
}


def _settings_form(values: dict[str, str], keys, errors: FieldErrors) -> tuple[QWidget, dict[str, QLineEdit]]:
    w = QWidget()
    form = QFormLayout(w)
    edits = {}
    for k in keys:
        label, example = settings.SETTINGS[k]
        e = QLineEdit(values.get(k, ""))
        e.setObjectName(k)
        e.setPlaceholderText(f"например, {example}")
        star = "*" if k in settings.REQUIRED else ""
        errors.add_row(form, k, label + star, e)
        edits[k] = e
    return w, edits


class _SettingsPage(QWizardPage):
    def __init__(self, title: str, keys, values, errors: FieldErrors, edits: dict):
        super().__init__()
        self.setTitle(title)
        self.keys = keys
        self.errors = errors
        form, mine = _settings_form(values, keys, errors)
        edits.update(mine)
        self.edits = mine
        lay = QVBoxLayout(self)
        lay.addWidget(form)

    def validatePage(self) -> bool:
        problems = {
            k: v
            for k, v in settings.validate({k: e.text() for k, e in self.edits.items()}).items()
            if k in self.keys
        }
        self.errors.show(problems)
        return not problems


class FirstRunWizard(QWizard):
    """Asks for the МОЦ's identity (used on every document) and offers the demo municipality."""

    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.setWindowTitle("Первый запуск МОЦ Desktop")
        self.setButtonText(QWizard.WizardButton.NextButton, "Далее >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Назад")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Готово")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Отмена")
        with factory() as s:
            values = settings.all_values(s)
        values.setdefault("order_suffix", "-од")
        if not values.get("order_suffix"):
            values["order_suffix"] = "-од"
        self.errors = FieldErrors()
        self.edits: dict[str, QLineEdit] = {}
        intro = QWizardPage()
        intro.setTitle("Добро пожаловать")
        QVBoxLayout(intro).addWidget(
            QLabel(
                "Эти сведения попадут в шапки приказов и протоколов. Их можно изменить позже: "
                "Файл → Настройки установки."
            )
        )
        self.addPage(intro)
        for title, keys in GROUPS.items():
            self.addPage(_SettingsPage(title, keys, values, self.errors, self.edits))
        demo = QWizardPage()
        demo.setTitle("Данные")
        lay = QVBoxLayout(demo)
        self.empty = QRadioButton("Начать с пустой базы (школы можно загрузить из Excel)")
        self.demo = QRadioButton("Заполнить демонстрационным муниципалитетом (12 школ, 300 педагогов)")
        self.empty.setChecked(True)
        lay.addWidget(self.empty)
        lay.addWidget(self.demo)
        self.addPage(demo)

    def accept(self) -> None:
        with session_scope(self.factory) as s:
            for k, e in self.edits.items():
                settings.set_value(s, k, e.text())
        if self.demo.isChecked():
            run_demo_generation(
                self, self.factory, "S", on_done=lambda: QWizard.accept(self), modal_wait=True
            )
            return
        super().accept()


class SettingsDialog(QDialog):
    def __init__(self, factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.setWindowTitle("Настройки установки")
        self.errors = FieldErrors()
        with factory() as s:
            values = settings.all_values(s)
        form, self.edits = _settings_form(values, list(settings.SETTINGS), self.errors)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Сохранить")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Отмена")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(form)
        lay.addWidget(buttons)
        self.resize(640, 420)

    def save(self) -> None:
        values = {k: e.text() for k, e in self.edits.items()}
        problems = settings.validate(values)
        if problems:
            self.errors.show(problems)
            return
        with session_scope(self.factory) as s:
            for k, v in values.items():
                settings.set_value(s, k, v)
        self.accept()


def show_demo_notes(parent, notes: list[str]) -> QMessageBox:
    """The demo accounts, their password and the journal's recovery key — shown without blocking (``open``)."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Демонстрационные данные",
        "Демонстрационные данные созданы.",
        parent=parent,
    )
    box.setInformativeText("\n\n".join(notes))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("demo_notes")
    box.open()
    return box


def run_demo_generation(
    parent, factory, scale: str, on_done=None, modal_wait: bool = False
) -> BackgroundTask:
    from moc_desktop.services import demo

    def work(progress, cancelled):
        return demo.generate_demo(factory, scale=scale, progress=progress, cancel=cancelled)

    def done(summary):
        if summary is not None and getattr(summary, "notes", None):
            show_demo_notes(parent, summary.notes)
        if on_done:
            on_done()

    def failed(exc):
        if isinstance(exc, demo.DemoCancelled):
            return
        QMessageBox.warning(parent, "Демонстрационные данные", str(exc))

    return BackgroundTask(parent, "Создание демонстрационных данных…", work, done, failed).start()
