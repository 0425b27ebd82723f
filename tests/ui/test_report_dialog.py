"""The «Аналитическая справка» builder dialog driven by pytest-qt (no modal loops: methods are called directly)."""

from __future__ import annotations

import docx

from moc_desktop.db.engine import session_scope
from moc_desktop.services.docs import reports
from moc_desktop.ui.report_dialog import ReportDialog
from tests.ui.conftest import type_text
from tests.unit.test_reports import CHEM, Y1, Y2, fill


def _dialog(qtbot, factory) -> ReportDialog:
    dlg = ReportDialog(factory)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def _items(dlg: ReportDialog) -> list[str]:
    return [dlg.section_list.item(i).text() for i in range(dlg.section_list.count())]


def test_builds_previews_and_saves_a_report(qtbot, configured, tmp_path):
    with session_scope(configured) as s:
        fill(s)
    dlg = _dialog(qtbot, configured)
    assert dlg.year_combo.currentData() == Y2
    assert dlg.subtitle_edit.text() == f"за {Y2} учебный год"
    assert _items(dlg)[0] == "1. Статусы школ" and len(_items(dlg)) == 5

    # add a text section through the menu, after the selected one
    dlg.section_list.setCurrentRow(4)
    (text_action,) = [a for a in dlg.add_menu.actions() if a.text() == "Текст"]
    text_action.trigger()
    assert dlg.current_index() == 5 and dlg.kind_label.text().startswith("Текст")
    dlg.section_title.clear()
    type_text(dlg.section_title, "Итоги учебного года")
    type_text(dlg.section_text, "Работа продолжается.")
    assert _items(dlg)[5] == "6. Итоги учебного года"
    assert dlg.spec().sections[5] == reports.SectionSpec(
        "text", "Итоги учебного года", "Работа продолжается.", {}
    )
    assert not dlg.params_box.isVisible()  # a text section has no parameters

    preview = dlg.preview()
    qtbot.addWidget(preview)
    text = preview.browser.toPlainText()
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in text
    assert "6. Итоги учебного года" in text and "Работа продолжается." in text
    assert "1. Статусы школ" in text and CHEM in text
    preview.close()

    out = dlg.save(".docx", tmp_path / "справка")
    assert out == tmp_path / "справка.docx" and out.exists()
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert "6. Итоги учебного года" in texts and "АНАЛИТИЧЕСКАЯ СПРАВКА" in texts
    assert len(d.inline_shapes) >= 3
    assert "Сохранено" in dlg.status.text()

    pdf = dlg.save(".pdf", tmp_path / "справка.pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")

    # the last report comes back next time
    dlg.accept()
    again = _dialog(qtbot, configured)
    assert _items(again)[5] == "6. Итоги учебного года"
    assert again.sections[5].intro_text == "Работа продолжается."


def test_sections_move_remove_and_parameters(qtbot, configured):
    with session_scope(configured) as s:
        fill(s)
    dlg = _dialog(qtbot, configured)
    dlg.section_list.setCurrentRow(0)
    assert not dlg.up_button.isEnabled() and dlg.down_button.isEnabled()
    dlg.move_section(1)
    assert _items(dlg)[:2] == ["1. Показатели мониторинга", "2. Статусы школ"]
    assert dlg.current_index() == 1
    # parameters of «Статусы школ»: the year («как в справке» by default) and the chart
    year = dlg.param_widgets["school_year"]
    assert year.currentData() == "" and Y2 in year.currentText()
    year.setCurrentIndex(year.findData(Y1))
    dlg.param_widgets["chart"].setChecked(False)
    assert dlg.sections[1].params == {"school_year": Y1, "chart": False}
    # switching sections keeps what was set
    dlg.section_list.setCurrentRow(0)
    dlg.section_list.setCurrentRow(1)
    assert dlg.param_widgets["school_year"].currentData() == Y1
    assert not dlg.param_widgets["chart"].isChecked()
    with configured() as s:
        doc = reports.build_report(s, dlg.spec())
    assert "Количество общеобразовательных организаций по статусам" in doc.all_text()
    assert f"в {Y1} учебном году" in doc.all_text()
    # the report's year follows into the period line
    dlg.year_combo.setCurrentIndex(dlg.year_combo.findData(Y1))
    assert dlg.subtitle_edit.text() == f"за {Y1} учебный год"
    # remove everything
    while dlg.sections:
        dlg.remove_section()
    assert dlg.section_list.count() == 0 and not dlg.editor.isEnabled()
    idx = dlg.add_section("staff_quality")
    assert idx == 0 and _items(dlg) == ["1. Качество кадрового состава школ с низкими результатами"]
    assert dlg.param_widgets["scope"].currentData() == "shnor"
    dlg.reset()
    assert len(dlg.sections) == 5


def test_empty_database_gives_a_report_without_data(qtbot, configured, tmp_path):
    dlg = _dialog(qtbot, configured)
    warnings = []
    dlg.warn = lambda title, text: warnings.append(text)
    out = dlg.save(".pdf", tmp_path / "пустая.pdf")
    assert out is not None and out.exists() and warnings == []
