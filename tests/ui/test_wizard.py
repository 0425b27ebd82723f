"""First-run wizard and settings dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from moc_desktop.db.models import Person, School
from moc_desktop.services import settings
from moc_desktop.ui.wizard import FirstRunWizard, SettingsDialog
from tests.ui.conftest import type_text


def test_wizard_requires_identity_then_saves_it(qtbot, factory):
    wiz = FirstRunWizard(factory)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.next()  # intro → МОЦ page
    page = wiz.currentPage()
    assert not page.validatePage()  # required fields empty
    assert "Наименование МОЦ" in wiz.errors.label("moc_name").text()
    type_text(wiz.edits["moc_name"], "МКУ «Центр развития образования»")
    wiz.edits["municipality"].setText("Октябрьский район")
    wiz.edits["region"].setText("ХМАО – Югра")
    assert page.validatePage()
    wiz.next()
    wiz.edits["uo_full_name"].setText("Управление образования и молодежной политики")
    wiz.edits["place"].setText("п.г.т. Октябрьское")
    assert wiz.edits["order_suffix"].text() == "-од"  # sensible default
    wiz.next()
    wiz.button(QWizard.WizardButton.FinishButton).click()
    assert wiz.result() == QWizard.DialogCode.Accepted
    with factory() as s:
        assert settings.is_configured(s)
        assert settings.get(s, "place") == "п.г.т. Октябрьское"
        assert s.scalar(select(func.count()).select_from(School)) == 0


def test_wizard_offers_demo_data(qtbot, factory):
    wiz = FirstRunWizard(factory)
    qtbot.addWidget(wiz)
    for k in settings.REQUIRED:
        wiz.edits[k].setText(settings.SETTINGS[k][1])
    wiz.demo.setChecked(True)
    wiz.accept()
    qtbot.waitUntil(lambda: wiz.result() == QWizard.DialogCode.Accepted, timeout=20000)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(School)) == 12
        assert s.scalar(select(func.count()).select_from(Person).where(Person.school_id.is_not(None))) == 300


def test_settings_dialog_validates_suffix(qtbot, factory):
    dlg = SettingsDialog(factory)
    qtbot.addWidget(dlg)
    for k in settings.REQUIRED:
        dlg.edits[k].setText("x")
    dlg.edits["order_suffix"].setText("- од длинный")
    dlg.save()
    assert dlg.result() != SettingsDialog.DialogCode.Accepted
    assert "Суффикс" in dlg.errors.label("order_suffix").text()
    dlg.edits["order_suffix"].setText("-од")
    dlg.save()
    assert dlg.result() == SettingsDialog.DialogCode.Accepted
